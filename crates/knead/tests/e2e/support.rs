//! Runs the real `knead` binary: one-shot commands, and a server on a free port.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub fn knead() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_knead"));
    // A test sees only the configuration it sets itself.
    for (key, _) in std::env::vars() {
        if key.starts_with("KNEAD_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("KNEAD_LOG", "warn");
    cmd
}

/// Runs `knead args...` with `stdin` on standard input.
pub fn run(args: &[&str], stdin: &str) -> Output {
    let mut child = knead()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start knead");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A temporary SQLite database URL, removed with the directory.
pub struct TempDb {
    pub dir: tempfile::TempDir,
    pub url: String,
}

impl TempDb {
    pub fn new() -> TempDb {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("knead.db").display());
        TempDb { dir, url }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("knead.db")
    }
}

/// `knead serve` on 127.0.0.1 with a port the OS picks; killed when dropped.
pub struct Server {
    pub url: String,
    pub stdout: String,
    child: Child,
}

impl Server {
    pub fn start(args: &[&str]) -> Server {
        Self::start_with(knead(), args)
    }

    pub fn start_with(mut cmd: Command, args: &[&str]) -> Server {
        let mut child = cmd
            .arg("serve")
            .args(["--addr", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start knead serve");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut seen = String::new();
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let remaining = deadline.saturating_duration_since(std::time::Instant::now());
            match rx.recv_timeout(remaining) {
                Ok(line) => {
                    seen.push_str(&line);
                    seen.push('\n');
                    if let Some(at) = line.find("on http://") {
                        let url = line[at + 3..].split_whitespace().next().unwrap().to_string();
                        return Server { url, stdout: seen, child };
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("knead serve did not start; it printed:\n{seen}");
                }
            }
        }
    }

    pub fn get(&self, path: &str) -> ureq::Response {
        ureq::get(&format!("{}{path}", self.url)).timeout(Duration::from_secs(10)).call().unwrap_or_else(|e| match e {
            ureq::Error::Status(_, r) => r,
            other => panic!("GET {path}: {other}"),
        })
    }
}

impl Server {
    /// Kills the server as `kill -9` would (SIGKILL: no shutdown, no flushing) and waits for it to be gone.
    pub fn crash(mut self) {
        self.child.kill().expect("kill knead serve");
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The demo practice's first mobile individual service, as the API lists it.
pub fn mobile_individual_service(server: &Server) -> serde_json::Value {
    let services: serde_json::Value = server.get("/api/v1/services").into_json().unwrap();
    services
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "individual" && s["place"] == "mobile")
        .expect("a mobile individual service")
        .clone()
}

/// `method path` with a bearer token (when given) and a JSON body (when given); the status and the raw
/// answer, whatever the status.
pub fn api_send(
    server: &Server,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&serde_json::Value>,
) -> (u16, Vec<u8>) {
    let mut req = ureq::request(method, &format!("{}{path}", server.url)).timeout(Duration::from_secs(20));
    if let Some(t) = token {
        req = req.set("Authorization", &format!("Bearer {t}"));
    }
    let answer = match body {
        Some(b) => req.send_json(b.clone()),
        None => req.call(),
    };
    let response = match answer {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{method} {path}: {e}"),
    };
    let status = response.status();
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut response.into_reader(), &mut bytes).unwrap();
    (status, bytes)
}

/// As `api_send`, for a JSON answer (one that is not JSON comes back as a JSON string).
pub fn api_json(
    server: &Server,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&serde_json::Value>,
) -> (u16, serde_json::Value) {
    let (status, bytes) = api_send(server, method, path, token, body);
    let text = String::from_utf8_lossy(&bytes).into_owned();
    (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)))
}

/// A personal access token for a user of the database at `url`, made with `knead token create`.
pub fn token_for(url: &str, email: &str) -> String {
    let out = run(&["token", "create", "--email", email, "--database-url", url], "");
    assert!(out.status.success(), "token for {email}: {}", text(&out.stderr));
    text(&out.stdout).trim().to_string()
}

/// Runs `python -c script` with `input` on its stdin; its output, whatever its status.
pub fn run_python(python: &str, script: &str, input: &[u8]) -> Output {
    let mut child = Command::new(python)
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{python}: {e}"));
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// POSTs every `(url, JSON body)` at the same moment, each from its own thread released by one barrier; the status
/// codes, in the order given. A transport error (not an HTTP status) fails the test.
pub fn post_at_once(posts: Vec<(String, String)>) -> Vec<u16> {
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(posts.len()));
    let handles: Vec<_> = posts
        .into_iter()
        .map(|(url, body)| {
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(60)).build();
                barrier.wait();
                match agent.post(&url).set("Content-Type", "application/json").send_string(&body) {
                    Ok(r) => r.status(),
                    Err(ureq::Error::Status(code, _)) => code,
                    Err(e) => panic!("transport error: {e}"),
                }
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}
