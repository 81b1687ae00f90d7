//! Messages through a real mail server on loopback (aiosmtpd from PyPI, `scripts/smtp_sink.py`): every message
//! about a booking arrives once, with an `.ics` that `icalendar` reads back to the booking's instant, and a
//! cancellation cancels the same UID; a refused send is retried; with two servers on one PostgreSQL, 50
//! bookings give exactly 50 confirmations, and a server killed in the middle of a send leaves the message to
//! the other, which sends it once.

use crate::support::*;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Reads every message in the directory on stdin's first line: its headers, its text, and the attached
/// `.ics` as icalendar reads it (method, UID, sequence, start as a UTC instant).
const READ_MAIL: &str = r#"
import email, json, os, sys
from datetime import timezone
from email import policy
import icalendar
d = sys.stdin.read().strip()
out = []
for name in sorted(n for n in os.listdir(d) if n.endswith(".eml")):
    with open(os.path.join(d, name), "rb") as f:
        m = email.message_from_binary_file(f, policy=policy.default)
    text = m.get_body(preferencelist=("plain",)).get_content()
    html = m.get_body(preferencelist=("html",)).get_content()
    ics = None
    for part in m.walk():
        if part.get_content_type() == "text/calendar":
            cal = icalendar.Calendar.from_ical(part.get_content())
            e = [c for c in cal.walk("VEVENT")][0]
            ics = {
                "method": str(cal.get("METHOD")),
                "content_method": part.get_param("method"),
                "uid": str(e.get("UID")),
                "sequence": int(e.get("SEQUENCE")),
                "start": e.decoded("DTSTART").astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "location": str(e.get("LOCATION", "")),
            }
    out.append({"to": str(m["To"]), "subject": str(m["Subject"]), "message_id": str(m["Message-ID"]),
                "text": text, "html": html, "ics": ics})
print(json.dumps(out))
"#;

/// The tests' Python, or `None` (after saying why) outside CI when it is not set up.
pub(crate) fn python() -> Option<String> {
    match std::env::var("KNEAD_TEST_PYTHON") {
        Ok(p) => Some(p),
        Err(_) => {
            assert!(std::env::var("CI").as_deref() != Ok("true"), "KNEAD_TEST_PYTHON is not set: scripts/python-venv");
            eprintln!("SKIPPED: no mail server: KNEAD_TEST_PYTHON is not set (scripts/python-venv)");
            None
        }
    }
}

/// aiosmtpd on a free loopback port, writing what it accepts to its own directory; stopped when dropped.
pub(crate) struct MailServer {
    pub(crate) url: String,
    dir: PathBuf,
    python: String,
    child: Child,
}

impl MailServer {
    pub(crate) fn start(python: &str, options: &[&str]) -> MailServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = std::env::temp_dir().join(format!("knead-mail-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/smtp_sink.py");
        let mut child = Command::new(python)
            .arg(script)
            .args(["--port", &port.to_string(), "--dir", dir.to_str().unwrap()])
            .args(options)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the mail server");
        let mut ready = String::new();
        use std::io::BufRead;
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut ready).unwrap();
        assert_eq!(ready.trim(), "ready", "the mail server did not start");
        MailServer { url: format!("smtp://127.0.0.1:{port}"), dir, python: python.to_string(), child }
    }

    /// Every message received so far, read by Python's email package and icalendar.
    fn messages(&self) -> Vec<Value> {
        let out = run_python(&self.python, READ_MAIL, self.dir.to_str().unwrap().as_bytes());
        assert!(out.status.success(), "reading the mail: {}", text(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Waits until what arrived satisfies `done` (or fails after 90 s), then a moment more for any extra.
    pub(crate) fn wait_until(&self, what: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let now = self.messages();
            if done(&now) {
                std::thread::sleep(Duration::from_millis(1500));
                return self.messages();
            }
            assert!(Instant::now() < deadline, "{what}: {} messages arrived: {now:#?}", now.len());
            std::thread::sleep(Duration::from_millis(300));
        }
    }
}

impl Drop for MailServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Helsinki's first slot `days_ahead` days from now for the demo's first mobile service, as a booking body.
fn booking_body(server: &Server, days_ahead: i64, nth: usize, email: &str) -> Value {
    let service = mobile_individual_service(server);
    let from =
        Timestamp::now().to_zoned(TimeZone::get("Europe/Helsinki").unwrap()).date() + jiff::ToSpan::days(days_ahead);
    let query = format!("/api/v1/availability?service_id={}&lat=60.1672&lon=24.9402&from={from}&days=7", service["id"]);
    let slots: Value = server.get(&query).into_json().unwrap();
    let slot = &slots["slots"][nth];
    json!({
        "service_id": service["id"], "start": slot["start"], "therapist_ids": [slot["therapist_ids"][0]],
        "lat": 60.1672, "lon": 24.9402, "address": "15 Yrjönkatu, Helsinki",
        "client": {"name": "Ana Fictional", "email": email, "phone": "416-555-0100"}
    })
}

fn utc(start: &Value) -> String {
    start.as_str().unwrap().parse::<Timestamp>().unwrap().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn to_client<'a>(mail: &'a [Value], email: &str) -> Vec<&'a Value> {
    mail.iter().filter(|m| m["to"].as_str().is_some_and(|t| t.contains(email))).collect()
}

#[test]
fn each_message_about_a_booking_arrives_once_with_a_calendar_file_of_its_instant() {
    let Some(python) = python() else { return };
    // The first message is refused with a 451: it must be sent again, once.
    let mail = MailServer::start(&python, &["--fail-first", "1"]);
    let db = TempDb::new();
    let server =
        Server::start(&["--demo", "--database-url", &db.url, "--smtp-url", &mail.url, "--job-retry-secs", "1"]);
    let body = booking_body(&server, 3, 0, "ana@example.com");
    let (status, booked) = api_json(&server, "POST", "/api/v1/bookings", None, Some(&body));
    assert_eq!(status, 201, "{booked}");
    let (id, start) = (booked["id"].as_i64().unwrap(), booked["start"].clone());
    let token = booked["manage_url"].as_str().unwrap().split("token=").nth(1).unwrap().to_string();

    let first = mail.wait_until("the confirmation", |m| !to_client(m, "ana@example.com").is_empty());
    let confirmations = to_client(&first, "ana@example.com");
    assert_eq!(confirmations.len(), 1, "{first:#?}");
    let confirmation = confirmations[0];
    assert!(confirmation["subject"].as_str().unwrap().starts_with("You're booked"), "{confirmation}");
    let ics = &confirmation["ics"];
    assert_eq!(ics["start"], utc(&start), "{confirmation}");
    assert_eq!((ics["method"].as_str(), ics["content_method"].as_str()), (Some("PUBLISH"), Some("PUBLISH")));
    assert_eq!(ics["location"], "15 Yrjönkatu, Helsinki");
    // The link in the message opens the booking.
    let text = confirmation["text"].as_str().unwrap();
    let link = text.lines().find_map(|l| l.split_once(": http").map(|(_, rest)| format!("http{rest}"))).unwrap();
    let path = link.trim_start_matches(&server.url).to_string();
    assert_eq!(server.get(&path).status(), 200, "{link}");

    // Moved: a message with the new instant, the same UID and a higher SEQUENCE.
    let later = booking_body(&server, 4, 1, "ana@example.com");
    let (status, moved) = api_json(
        &server,
        "POST",
        &format!("/api/v1/bookings/{id}/reschedule?token={token}"),
        None,
        Some(&json!({ "start": later["start"] })),
    );
    assert_eq!(status, 200, "{moved}");
    // Asked for the links again: one message with a link.
    let (status, _) =
        api_send(&server, "POST", "/api/v1/manage-links", None, Some(&json!({"email": "ANA@example.com"})));
    assert_eq!(status, 202);
    let (status, cancelled) =
        api_json(&server, "POST", &format!("/api/v1/bookings/{id}/cancel?token={token}"), None, Some(&json!({})));
    assert_eq!(status, 200, "{cancelled}");

    let all = mail.wait_until("four messages to the client", |m| to_client(m, "ana@example.com").len() >= 4);
    let ana = to_client(&all, "ana@example.com");
    let subjects: Vec<&str> = ana.iter().map(|m| m["subject"].as_str().unwrap()).collect();
    assert_eq!(ana.len(), 4, "each message once: {subjects:?}");
    let of = |prefix: &str| {
        *ana.iter()
            .find(|m| m["subject"].as_str().unwrap().starts_with(prefix))
            .unwrap_or_else(|| panic!("{prefix}: {subjects:?}"))
    };
    let changed =
        ana.iter().find(|m| m["subject"].as_str().unwrap().ends_with("has changed")).expect("a change message");
    assert_eq!(changed["ics"]["start"], utc(&moved["start"]));
    assert_eq!(changed["ics"]["uid"], ics["uid"]);
    assert!(changed["ics"]["sequence"].as_i64() > ics["sequence"].as_i64());
    let cancel = of("Cancelled:");
    assert_eq!(cancel["ics"]["uid"], ics["uid"], "the cancellation cancels the same event");
    assert_eq!(
        (cancel["ics"]["method"].as_str(), cancel["ics"]["content_method"].as_str()),
        (Some("CANCEL"), Some("CANCEL"))
    );
    assert!(cancel["ics"]["sequence"].as_i64() > changed["ics"]["sequence"].as_i64());
    let resent = ana.iter().find(|m| m["text"].as_str().unwrap().contains("as you asked")).expect("the link again");
    assert!(resent["text"].as_str().unwrap().contains("/manage?token="));

    // Every message has its own Message-ID; none says anything about health.
    let ids: std::collections::HashSet<&str> = all.iter().map(|m| m["message_id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), all.len(), "no message twice");
    for m in &all {
        let words = format!("{} {} {}", m["subject"], m["text"], m["html"]).to_lowercase();
        for word in ["health", "clearance", "physician", "pain", "sciatica", "screening"] {
            assert!(!words.contains(word), "{word} in {m}");
        }
    }

    // The manager sees the refused first attempt in the outbox, and every message as sent.
    let manager = token_for(&db.url, "manager@demo.knead.test");
    let (status, outbox) = api_json(&server, "GET", "/api/v1/outbox?limit=50", Some(&manager), None);
    assert_eq!(status, 200, "{outbox}");
    let jobs = outbox.as_array().unwrap();
    assert!(jobs.iter().any(|j| j["attempts"] == 2 && j["status"] == "sent"), "the retried message: {outbox:#}");
    let sent = jobs.iter().filter(|j| j["status"] == "sent").count();
    assert_eq!(sent, all.len(), "{outbox:#}");
    assert!(!outbox.to_string().contains(&token), "a sent message's private link is not kept");
}

#[test]
fn without_a_mail_server_messages_wait_in_the_outbox() {
    let db = TempDb::new();
    let server = Server::start(&["--demo", "--database-url", &db.url]);
    let body = booking_body(&server, 3, 0, "noor@example.com");
    let (status, booked) = api_json(&server, "POST", "/api/v1/bookings", None, Some(&body));
    assert_eq!(status, 201, "{booked}");
    let manager = token_for(&db.url, "manager@demo.knead.test");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (_, outbox) = api_json(&server, "GET", "/api/v1/outbox?status=outbox", Some(&manager), None);
        let filed = outbox.as_array().unwrap().iter().find(|j| j["kind"] == "booking_confirmed").cloned();
        if let Some(job) = filed {
            let message = &job["message"];
            assert_eq!(message["to"], "noor@example.com");
            assert!(message["text"].as_str().unwrap().contains("/manage?token="), "filed whole: {job}");
            assert!(message["calendar"].as_str().unwrap().contains("BEGIN:VEVENT"));
            break;
        }
        assert!(Instant::now() < deadline, "no confirmation filed: {outbox:#}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn two_servers_send_fifty_confirmations_once_and_a_killed_sender_is_taken_over() {
    let Some(python) = python() else { return };
    let Some(db) = knead_store_postgres::testing::fresh_database().await else { return };
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || {
        // Recipients with "slow" in them are held at RCPT for 20 s: long enough to kill the sender mid-send.
        let mail = MailServer::start(&python, &["--slow-rcpt", "slow", "20"]);
        let lease = ["--job-lease-secs", "5", "--job-retry-secs", "1"];
        let first = Server::start(&[&["--demo", "--database-url", &url, "--smtp-url", &mail.url][..], &lease].concat());
        let second = Server::start(&[&["--database-url", &url, "--smtp-url", &mail.url][..], &lease].concat());
        // Fifty bookings, alternately through each server, each for its own client.
        let mut made = 0;
        for n in 0..50_i64 {
            let server = if n % 2 == 0 { &first } else { &second };
            let body = booking_body(server, 2 + n / 10, (n % 10) as usize, &format!("client{n}@example.com"));
            let (status, booked) = api_json(server, "POST", "/api/v1/bookings", None, Some(&body));
            assert_eq!(status, 201, "booking {n}: {booked}");
            made += 1;
        }
        let booked = |m: &Value| m["subject"].as_str().unwrap().starts_with("You're booked");
        let mail_now = mail.wait_until("50 confirmations", |m| m.iter().filter(|m| booked(m)).count() >= made);
        let confirmations: Vec<&Value> = mail_now.iter().filter(|m| booked(m)).collect();
        assert_eq!(confirmations.len(), 50, "exactly one confirmation per booking");
        let ids: std::collections::HashSet<&str> = mail_now.iter().map(|m| m["message_id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), mail_now.len(), "nothing sent twice");

        // A booking whose confirmation is held at the mail server; the server sending it is killed.
        let body = booking_body(&first, 9, 0, "slow-client@example.com");
        let (status, _) = api_json(&first, "POST", "/api/v1/bookings", None, Some(&body));
        assert_eq!(status, 201);
        std::thread::sleep(Duration::from_secs(2));
        // The server it was booked on took its job at once (the booking woke its runner); kill it mid-send. The
        // other takes the job up when the lease ends.
        first.crash();
        let slow_one = |m: &Value| m["to"].as_str().unwrap().contains("slow-client");
        let after = mail.wait_until("the held message", |m| m.iter().any(slow_one));
        let slow: Vec<&Value> = after.iter().filter(|m| slow_one(m)).collect();
        assert_eq!(slow.len(), 1, "sent once, by the server still running: {after:#?}");
        // The outbox shows it: taken up a second time, by the other server, and sent.
        let manager = token_for(&url, "manager@demo.knead.test");
        let (status, outbox) = api_json(&second, "GET", "/api/v1/outbox?status=sent&limit=500", Some(&manager), None);
        assert_eq!(status, 200, "{outbox}");
        let job = outbox.as_array().unwrap().iter().find(|j| j["message"]["to"] == "slow-client@example.com").cloned();
        assert_eq!(job.as_ref().map(|j| j["attempts"].as_i64()), Some(Some(2)), "{job:?}");
        drop(second);
    })
    .await
    .unwrap();
    db.cleanup().await;
}
