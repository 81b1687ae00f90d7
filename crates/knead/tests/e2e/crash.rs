//! The crash test: the real server is killed (`kill -9`) while clients book through the API, over and over,
//! on SQLite and on PostgreSQL. After every crash the server is started again, and every booking it had
//! acknowledged (a 201 with an id) must be there with the same details, and the database must pass its
//! integrity checks. `KNEAD_CRASH_ROUNDS` sets the number of crashes per database (default 20).

use crate::support::*;
use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const DEFAULT_ROUNDS: usize = 20;
/// Clients booking at once.
const WRITERS: usize = 4;
/// Every client's home: a point in the demo's central Helsinki (Yrjönkatu 15).
const LAT: f64 = 60.1672;
const LON: f64 = 24.9402;

fn rounds() -> usize {
    std::env::var("KNEAD_CRASH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_ROUNDS)
}

/// A booking the server acknowledged: its id, its manage token, and the answer it gave.
struct Acknowledged {
    id: i64,
    token: String,
    answer: serde_json::Value,
}

/// A small deterministic generator, so a failing run can be repeated from the seed it prints.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) % below.max(1) as u64) as usize
    }
}

/// Booking bodies for every (start, therapist) the server offers for a mobile individual service over four
/// days starting `offset` days out, shuffled.
fn candidates(server: &Server, offset: i64, rng: &mut Lcg, round: usize) -> Vec<String> {
    let service = mobile_individual_service(server);
    let tz = jiff::tz::TimeZone::get("Europe/Helsinki").unwrap();
    let from = jiff::Timestamp::now().to_zoned(tz).date().checked_add(jiff::ToSpan::days(offset)).unwrap();
    let query = format!("/api/v1/availability?service_id={}&lat={LAT}&lon={LON}&from={from}&days=4", service["id"]);
    let slots: serde_json::Value = server.get(&query).into_json().unwrap();
    let mut bodies = Vec::new();
    for slot in slots["slots"].as_array().unwrap() {
        for therapist in slot["therapist_ids"].as_array().unwrap() {
            let n = bodies.len();
            bodies.push(
                serde_json::json!({
                    "service_id": service["id"], "start": slot["start"], "therapist_ids": [therapist],
                    "lat": LAT, "lon": LON, "address": format!("{n} Crash Test Ave"),
                    "client": {"name": format!("Crash Fictional {round}-{n}"),
                               "email": format!("crash-{round}-{n}@example.com"), "phone": "416-555-0199"}
                })
                .to_string(),
            );
        }
    }
    for i in (1..bodies.len()).rev() {
        bodies.swap(i, rng.next(i + 1));
    }
    bodies
}

/// What one round of writing saw.
#[derive(Default)]
struct Round {
    acknowledged: Vec<Acknowledged>,
    /// Requests cut off by the crash: their outcome is unknown, so they may or may not be stored.
    cut: usize,
}

/// Books `bodies` from `WRITERS` clients until the server dies; kills it (SIGKILL) once `kill_after`
/// bookings were acknowledged, while the writers are still sending.
fn write_until_crash(server: Server, bodies: Vec<String>, kill_after: usize) -> Round {
    let url = format!("{}/api/v1/bookings", server.url);
    let queue = Arc::new(Mutex::new(bodies));
    let acked = Arc::new(AtomicUsize::new(0));
    let writers: Vec<_> = (0..WRITERS)
        .map(|_| {
            let (url, queue, acked) = (url.clone(), queue.clone(), acked.clone());
            std::thread::spawn(move || {
                let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(30)).build();
                let mut round = Round::default();
                loop {
                    let Some(body) = queue.lock().unwrap().pop() else { return round };
                    match agent.post(&url).set("Content-Type", "application/json").send_string(&body) {
                        Ok(r) => {
                            assert_eq!(r.status(), 201);
                            let answer: serde_json::Value = r.into_json().unwrap();
                            round.acknowledged.push(acknowledged(answer));
                            acked.fetch_add(1, Ordering::SeqCst);
                        }
                        Err(ureq::Error::Status(409, _)) => {}
                        Err(ureq::Error::Status(code, r)) => {
                            panic!("booking answered {code}: {}", r.into_string().unwrap_or_default())
                        }
                        Err(_) => {
                            round.cut += 1;
                            return round;
                        }
                    }
                }
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(30);
    while acked.load(Ordering::SeqCst) < kill_after && !writers.iter().all(|w| w.is_finished()) {
        assert!(Instant::now() < deadline, "the writers acknowledged too few bookings in time");
        std::thread::sleep(Duration::from_millis(2));
    }
    server.crash();
    let mut round = Round::default();
    for w in writers {
        let r = w.join().unwrap();
        round.acknowledged.extend(r.acknowledged);
        round.cut += r.cut;
    }
    round
}

fn acknowledged(mut answer: serde_json::Value) -> Acknowledged {
    let id = answer["id"].as_i64().expect("an acknowledged booking has an id");
    let manage_url = answer["manage_url"].as_str().expect("a guest booking has a manage link").to_string();
    let token = manage_url.split("token=").nth(1).unwrap().to_string();
    answer.as_object_mut().unwrap().remove("manage_url");
    Acknowledged { id, token, answer }
}

/// The database behind the server, for the checks the API cannot make.
enum Database {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Database {
    async fn connect(url: &str) -> Database {
        if url.starts_with("sqlite:") {
            Database::Sqlite(sqlx::SqlitePool::connect(url).await.unwrap())
        } else {
            Database::Postgres(sqlx::PgPool::connect(url).await.unwrap())
        }
    }

    async fn count(&self, sql: &str) -> i64 {
        match self {
            Database::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
            Database::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
        }
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    async fn booking_ids(&self) -> HashSet<i64> {
        let sql = "select id from bookings";
        match self {
            Database::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(pool).await,
            Database::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await,
        }
        .unwrap()
        .into_iter()
        .collect()
    }

    async fn close(self) {
        match self {
            Database::Sqlite(pool) => pool.close().await,
            Database::Postgres(pool) => pool.close().await,
        }
    }
}

/// Checks that must find nothing, in SQL both databases read (see the migrations' bookings and visits).
const FIND_NOTHING: [(&str, &str); 9] = [
    (
        "two active visits of one therapist overlap",
        "select count(*) from visits a join visits b on a.therapist_id = b.therapist_id and a.id < b.id \
         where a.active and b.active and a.block_start < b.block_end and b.block_start < a.block_end",
    ),
    (
        "two active visits of one room overlap",
        "select count(*) from visits a join visits b on a.room_id = b.room_id and a.id < b.id \
         where a.active and b.active and a.block_start < b.block_end and b.block_start < a.block_end",
    ),
    (
        "a booking has no visit",
        "select count(*) from bookings b where not exists (select 1 from visits v where v.booking_id = b.id)",
    ),
    (
        "a visit's activity disagrees with its booking's status (confirmed: all active; cancelled: none)",
        "select count(*) from visits v join bookings b on b.id = v.booking_id \
         where (b.status = 'confirmed' and not v.active) or (b.status = 'cancelled' and v.active)",
    ),
    (
        "a booking's status disagrees with its cancellation time",
        "select count(*) from bookings where (status = 'cancelled') <> (cancelled_at is not null)",
    ),
    (
        "a booking is neither mobile (lat, lon, address) nor at a clinic, or both",
        "select count(*) from bookings where not ((lat is not null and lon is not null and address is not null \
         and clinic_id is null) or (lat is null and lon is null and address is null and clinic_id is not null))",
    ),
    (
        "a booking ends before it starts, or a visit's block does not cover its booking",
        "select count(*) from bookings b join visits v on v.booking_id = b.id \
         where b.ends_at <= b.starts_at or v.block_start > b.starts_at or v.block_end < b.ends_at",
    ),
    (
        "a therapist appears twice in one booking",
        "select count(*) from (select booking_id, therapist_id from visits group by booking_id, therapist_id \
         having count(*) > 1) twice",
    ),
    (
        "a booking has a negative price or fee",
        "select count(*) from bookings where price_cents < 0 or travel_fee_cents < 0",
    ),
];

async fn check_integrity(db: &Database) {
    if let Database::Sqlite(pool) = db {
        let verdict: String = sqlx::query_scalar("pragma integrity_check").fetch_one(pool).await.unwrap();
        assert_eq!(verdict, "ok", "PRAGMA integrity_check");
        let broken: Vec<(String,)> = sqlx::query_as("pragma foreign_key_check").fetch_all(pool).await.unwrap();
        assert!(broken.is_empty(), "PRAGMA foreign_key_check found rows in {broken:?}");
    }
    for (problem, sql) in FIND_NOTHING {
        assert_eq!(db.count(sql).await, 0, "{problem}");
    }
}

/// Every acknowledged booking is stored, and the API shows the newest ones as it first did.
async fn check_acknowledged(server: &Server, db: &Database, all: &[Acknowledged], newest: &[Acknowledged]) {
    let stored = db.booking_ids().await;
    let missing: Vec<_> = all.iter().map(|a| a.id).filter(|id| !stored.contains(id)).collect();
    assert!(missing.is_empty(), "acknowledged bookings lost in a crash: {missing:?}");
    tokio::task::block_in_place(|| {
        for a in newest {
            let shown: serde_json::Value =
                server.get(&format!("/api/v1/bookings/{}?token={}", a.id, a.token)).into_json().unwrap();
            assert_eq!(shown, a.answer, "booking {} changed in the crash", a.id);
        }
    });
}

async fn crash_repeatedly(url: &str, backend: &str) {
    let rounds = rounds();
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let mut rng = Lcg(seed);
    let mut all: Vec<Acknowledged> = Vec::new();
    let mut cut = 0;
    let mut server = tokio::task::block_in_place(|| Server::start(&["--demo", "--database-url", url]));
    for round in 0..rounds {
        let offset = 3 + (4 * round as i64) % 320;
        let kill_after = 1 + rng.next(20);
        let written = tokio::task::block_in_place(|| {
            let bodies = candidates(&server, offset, &mut rng, round);
            write_until_crash(server, bodies, kill_after)
        });
        server = tokio::task::block_in_place(|| Server::start(&["--database-url", url]));
        let db = Database::connect(url).await;
        check_acknowledged(&server, &db, &all, &[]).await;
        check_acknowledged(&server, &db, &written.acknowledged, &written.acknowledged).await;
        check_integrity(&db).await;
        db.close().await;
        cut += written.cut;
        all.extend(written.acknowledged);
    }
    eprintln!(
        "crash test on {backend} (seed {seed}): {rounds} crashes, {} acknowledged bookings, all present with the \
         same details; {cut} requests cut by the crashes",
        all.len()
    );
    assert!(all.len() >= rounds, "too few bookings were acknowledged to prove anything");
    drop(server);
}

#[tokio::test(flavor = "multi_thread")]
async fn acknowledged_bookings_survive_kill_9_on_sqlite() {
    let db = TempDb::new();
    crash_repeatedly(&db.url, "SQLite").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn acknowledged_bookings_survive_kill_9_on_postgresql() {
    let Some(db) = knead_store_postgres::testing::fresh_database().await else { return };
    crash_repeatedly(&db.url, "PostgreSQL").await;
    db.cleanup().await;
}
