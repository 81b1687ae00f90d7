//! No double booking under concurrency, through the real server: 200 simultaneous requests for one
//! therapist's slot give exactly one 201 and 199 409s, with no 5xx, on SQLite, on PostgreSQL, and with
//! two server processes sharing one PostgreSQL database.

use crate::support::*;

const REQUESTS: usize = 200;
/// Every racer comes from 127.0.0.1, so the servers must take that many connections from one address.
const RACERS: &str = "200";
/// A client's home in the demo's central Helsinki: the address point of Yrjönkatu 15.
const HOME_LAT: f64 = 60.1672;
const HOME_LON: f64 = 24.9402;

/// A mobile individual service, a slot a few days out, and a booking body naming its therapist.
fn contested_booking(server: &Server) -> String {
    let service = mobile_individual_service(server);
    let tz = jiff::tz::TimeZone::get("Europe/Helsinki").unwrap();
    let from = jiff::Timestamp::now().to_zoned(tz).date().checked_add(jiff::ToSpan::days(3)).unwrap();
    let query =
        format!("/api/v1/availability?service_id={}&lat={HOME_LAT}&lon={HOME_LON}&from={from}&days=3", service["id"]);
    let slots: serde_json::Value = server.get(&query).into_json().unwrap();
    let slot = &slots["slots"][0];
    serde_json::json!({
        "service_id": service["id"], "start": slot["start"], "therapist_ids": [slot["therapist_ids"][0]],
        "lat": HOME_LAT, "lon": HOME_LON, "address": "15 Yrjönkatu, Helsinki",
        "client": {"name": "Racer Fictional", "email": "racer@example.com", "phone": "416-555-0142"}
    })
    .to_string()
}

/// The starts `server` offers for the therapist and day of a booking body.
fn offered_by(server: &Server, body: &str) -> Vec<String> {
    let b: serde_json::Value = serde_json::from_str(body).unwrap();
    let start: jiff::Timestamp = b["start"].as_str().unwrap().parse().unwrap();
    let date = start.to_zoned(jiff::tz::TimeZone::get("Europe/Helsinki").unwrap()).date();
    let query = format!(
        "/api/v1/availability?service_id={}&lat={HOME_LAT}&lon={HOME_LON}&from={date}&days=1&therapist_id={}",
        b["service_id"], b["therapist_ids"][0]
    );
    let slots: serde_json::Value = server.get(&query).into_json().unwrap();
    slots["slots"].as_array().unwrap().iter().map(|s| s["start"].as_str().unwrap().to_string()).collect()
}

/// Fires `REQUESTS` POSTs at once, spread over `servers`; returns the status codes.
fn race(servers: &[&Server], body: &str) -> Vec<u16> {
    post_at_once(
        (0..REQUESTS)
            .map(|i| (format!("{}/api/v1/bookings", servers[i % servers.len()].url), body.to_string()))
            .collect(),
    )
}

fn assert_exactly_one_booking(statuses: &[u16]) {
    let created = statuses.iter().filter(|&&s| s == 201).count();
    let taken = statuses.iter().filter(|&&s| s == 409).count();
    let other: Vec<_> = statuses.iter().filter(|&&s| s != 201 && s != 409).collect();
    assert_eq!((created, taken), (1, REQUESTS - 1), "other statuses: {other:?}");
}

#[test]
fn two_hundred_simultaneous_requests_for_one_slot_book_it_once_on_sqlite() {
    let db = TempDb::new();
    let server = Server::start(&["--demo", "--database-url", &db.url, "--max-connections-per-client", RACERS]);
    let body = contested_booking(&server);
    assert_exactly_one_booking(&race(&[&server], &body));
}

#[tokio::test(flavor = "multi_thread")]
async fn two_hundred_simultaneous_requests_for_one_slot_book_it_once_on_postgresql() {
    let Some(db) = knead_store_postgres::testing::fresh_database().await else { return };
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || {
        let server = Server::start(&["--demo", "--database-url", &url, "--max-connections-per-client", RACERS]);
        let body = contested_booking(&server);
        assert_exactly_one_booking(&race(&[&server], &body));
    })
    .await
    .unwrap();
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_servers_on_one_postgresql_still_book_a_slot_once() {
    let Some(db) = knead_store_postgres::testing::fresh_database().await else { return };
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || {
        let first = Server::start(&["--demo", "--database-url", &url, "--max-connections-per-client", RACERS]);
        let second = Server::start(&["--database-url", &url, "--max-connections-per-client", RACERS]);
        let body = contested_booking(&first);
        // The second server has the slot in its cached calendar before the race...
        let start = serde_json::from_str::<serde_json::Value>(&body).unwrap()["start"].as_str().unwrap().to_string();
        assert!(offered_by(&second, &body).contains(&start));
        assert_exactly_one_booking(&race(&[&first, &second], &body));
        // ...and neither server offers it afterwards: the calendar version moved in the database.
        for server in [&first, &second] {
            assert!(!offered_by(server, &body).contains(&start), "{} still offers the booked slot", server.url);
        }
    })
    .await
    .unwrap();
    db.cleanup().await;
}
