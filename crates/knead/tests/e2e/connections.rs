//! Held connections cannot take the server down: a connection whose headers do not arrive in time is
//! closed, one client's connections beyond its limit are closed at once, and `/healthz` keeps answering
//! another client all the while.

use crate::support::*;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

const HEADER_TIMEOUT_SECS: u64 = 2;
const PER_CLIENT: usize = 20;
/// How long `/healthz` may take under the load (it takes milliseconds; the rest is room for a busy CI box).
const HEALTHZ_BOUND: Duration = Duration::from_secs(2);

/// The loopback address the holding client uses; `/healthz` comes from 127.0.0.1, another client.
const HOLDER: [u8; 4] = [127, 0, 0, 2];

async fn connect_from(source: [u8; 4], server: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::from((source, 0))).unwrap();
    socket.connect(server).await.unwrap()
}

/// Waits until the server closes `stream` (end of stream or a reset), reading and discarding whatever it
/// sends; returns what it sent. Panics if it is still open after `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> Vec<u8> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    let closing = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(within, closing).await.expect("the server closed the connection in time");
    seen
}

/// One `GET /healthz` on a fresh connection from 127.0.0.1; returns how long it took, asserting a 200.
async fn healthz(server: SocketAddr) -> Duration {
    let started = Instant::now();
    let answer = tokio::time::timeout(HEALTHZ_BOUND, async {
        let mut stream = TcpStream::connect(server).await.unwrap();
        stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: knead\r\nConnection: close\r\n\r\n").await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        answer
    })
    .await
    .unwrap_or_else(|_| panic!("/healthz did not answer within {HEALTHZ_BOUND:?}"));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    started.elapsed()
}

/// A connection that sends a request line and then one header byte every quarter second, never finishing;
/// returns how long the server kept it open.
async fn dribble(server: SocketAddr) -> Duration {
    let mut stream = connect_from(HOLDER, server).await;
    let opened = Instant::now();
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: knead\r\n").await.unwrap();
    let deadline = Duration::from_secs(HEADER_TIMEOUT_SECS + 8);
    let mut buf = [0u8; 256];
    while opened.elapsed() < deadline {
        if stream.write_all(b"X").await.is_err() {
            return opened.elapsed();
        }
        match tokio::time::timeout(Duration::from_millis(250), stream.read(&mut buf)).await {
            Err(_still_open) => {}
            // Closed, or an error answer on the way to closing: the server gave up on the headers.
            Ok(_) => {
                closed_within(&mut stream, Duration::from_secs(1)).await;
                return opened.elapsed();
            }
        }
    }
    panic!("a dribbling connection was still open after {deadline:?}");
}

/// A connection that never sends anything; returns how long the server kept it open.
async fn stay_silent(server: SocketAddr) -> Duration {
    let mut stream = connect_from(HOLDER, server).await;
    let opened = Instant::now();
    let sent = closed_within(&mut stream, Duration::from_secs(HEADER_TIMEOUT_SECS + 8)).await;
    assert!(sent.is_empty() || sent.starts_with(b"HTTP/1.1 408"), "{}", String::from_utf8_lossy(&sent));
    opened.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn held_connections_are_closed_and_healthz_answers_throughout() {
    let db = TempDb::new();
    let server = tokio::task::block_in_place(|| {
        Server::start(&[
            "--database-url",
            &db.url,
            "--header-read-timeout-secs",
            &HEADER_TIMEOUT_SECS.to_string(),
            "--max-connections-per-client",
            &PER_CLIENT.to_string(),
        ])
    });
    let addr: SocketAddr = server.url.trim_start_matches("http://").parse().unwrap();
    let started = Instant::now();

    // The holder takes its whole share: half dribble headers, half send nothing at all.
    let held: Vec<_> = (0..PER_CLIENT)
        .map(|i| if i % 2 == 0 { tokio::spawn(dribble(addr)) } else { tokio::spawn(stay_silent(addr)) })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Beyond its share, the holder's connections are closed at once, before it sends a byte.
    for _ in 0..10 {
        let mut extra = connect_from(HOLDER, addr).await;
        let sent = closed_within(&mut extra, Duration::from_millis(500)).await;
        assert!(sent.is_empty(), "a refused connection gets no answer: {}", String::from_utf8_lossy(&sent));
    }

    // Another client is served quickly the whole time the holder's connections are open.
    let mut slowest = Duration::ZERO;
    while held.iter().any(|h| !h.is_finished()) {
        slowest = slowest.max(healthz(addr).await);
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(started.elapsed() < Duration::from_secs(30), "held connections outlived the test");
    }
    eprintln!("slowest /healthz while {PER_CLIENT} connections were held: {slowest:?}");

    // Every held connection lasted about the header timeout: not cut short, not kept.
    for h in held {
        let lasted = h.await.unwrap();
        let timeout = Duration::from_secs(HEADER_TIMEOUT_SECS);
        assert!(lasted >= timeout - Duration::from_millis(300), "closed after {lasted:?}, before the timeout");
        assert!(lasted <= timeout + Duration::from_secs(3), "closed only after {lasted:?}");
    }

    // Their places are free again: the holder is served like anyone else.
    let mut again = connect_from(HOLDER, addr).await;
    again.write_all(b"GET /healthz HTTP/1.1\r\nHost: knead\r\nConnection: close\r\n\r\n").await.unwrap();
    let answer = closed_within(&mut again, HEALTHZ_BOUND).await;
    assert!(answer.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&answer));
}

#[test]
fn connection_settings_out_of_range_are_refused_at_start() {
    let db = TempDb::new();
    for (flag, value, says) in [
        ("--header-read-timeout-secs", "0", "header_read_timeout_secs is 0; it must be from 1 to 300 seconds"),
        ("--max-connections-per-client", "0", "max_connections_per_client is 0; it must be at least 1"),
        ("--max-connections", "100000000", "raise the limit (ulimit -n) or lower max_connections"),
    ] {
        let out = run(&["serve", "--addr", "127.0.0.1:0", "--database-url", &db.url, flag, value], "");
        assert!(!out.status.success(), "{flag} {value}");
        assert!(text(&out.stderr).contains(says), "{flag} {value}: {}", text(&out.stderr));
    }
    let file = db.dir.path().join("knead.toml");
    std::fs::write(&file, "header_read_timeout_secs = 301\n").unwrap();
    let out = run(&["serve", "--config", file.to_str().unwrap(), "--database-url", &db.url], "");
    assert!(text(&out.stderr).contains("header_read_timeout_secs is 301"), "{}", text(&out.stderr));
}
