//! Office chair-massage days through the real server: 32 attendees racing for the 16 sittings of a 2-hour,
//! 2-chair day of 15-minute slots get exactly 16 places and 16 `slot_full`, never two in one chair — on SQLite,
//! and on PostgreSQL with two server processes.

use crate::support::*;
use serde_json::{json, Value};

const ATTENDEES: usize = 32;
/// Every racer comes from 127.0.0.1.
const RACERS: &str = "64";

/// A Thursday at least eight days ahead: the demo's three mobile therapists work it, and no demo visit is on it.
pub(crate) fn free_thursday() -> jiff::civil::Date {
    let tz = jiff::tz::TimeZone::get("Europe/Helsinki").unwrap();
    let mut d = jiff::Timestamp::now().to_zoned(tz).date().checked_add(jiff::ToSpan::days(8)).unwrap();
    while d.weekday() != jiff::civil::Weekday::Thursday {
        d = d.tomorrow().unwrap();
    }
    d
}

/// Books a 13:00–15:00 day of two chairs and 15-minute sittings at an office in central Helsinki, as the demo's
/// manager; returns the day's id, its sign-up token and its sittings' starts.
/// A chair day booked for a test: its id, the sign-up token, its distinct starts and the organiser's page.
pub(crate) struct BookedDay {
    pub id: i64,
    pub token: String,
    pub starts: Vec<String>,
    /// The organiser's private page, as a path with its token.
    pub organiser_path: String,
}

pub(crate) fn book_day(server: &Server, manager_token: &str) -> BookedDay {
    let services: Value = server.get("/api/v1/services").into_json().unwrap();
    let chair = services.as_array().unwrap().iter().find(|s| s["kind"] == "chair").expect("a chair service").clone();
    let body = json!({
        "service_id": chair["id"], "date": free_thursday().to_string(), "start": "13:00", "end": "15:00",
        "chairs": 2, "slot_minutes": 15, "address": "8 Bulevardi, Helsinki", "lat": 60.1657, "lon": 24.9415,
        "organiser": {"name": "Olli Organiser", "email": "olli@example.com", "phone": "040 555 0199"}
    });
    let (status, day) = api_json(server, "POST", "/api/v1/chair-days", Some(manager_token), Some(&body));
    assert_eq!(status, 201, "{day}");
    let mut starts: Vec<String> =
        day["slots"].as_array().unwrap().iter().map(|s| s["start"].as_str().unwrap().to_string()).collect();
    starts.dedup();
    assert_eq!((day["slots"].as_array().unwrap().len(), starts.len()), (16, 8), "{day}");
    let organiser_url = day["organiser_url"].as_str().expect("the organiser's link");
    let organiser_path = organiser_url.find("/groups/").map(|at| organiser_url[at..].to_string()).unwrap();
    BookedDay {
        id: day["id"].as_i64().unwrap(),
        token: day["signup_token"].as_str().unwrap().to_string(),
        starts,
        organiser_path,
    }
}

/// `ATTENDEES` sign-ups at once, four per start, spread over `servers`; the status codes.
fn race(servers: &[&Server], id: i64, token: &str, starts: &[String]) -> Vec<u16> {
    post_at_once(
        (0..ATTENDEES)
            .map(|i| {
                let url = format!("{}/api/v1/chair-days/{id}/signups", servers[i % servers.len()].url);
                let body = json!({
                    "token": token, "start": starts[i % starts.len()], "name": format!("Attendee{i} Fictional"),
                    "email": format!("attendee{i}@example.com"), "consent": true
                });
                (url, body.to_string())
            })
            .collect(),
    )
}

/// 16 places, 16 `slot_full`, and the sheet with every sitting held once.
fn assert_each_place_once(server: &Server, manager_token: &str, id: i64, statuses: &[u16]) {
    let placed = statuses.iter().filter(|&&s| s == 201).count();
    let full = statuses.iter().filter(|&&s| s == 409).count();
    let other: Vec<_> = statuses.iter().filter(|&&s| s != 201 && s != 409).collect();
    assert_eq!((placed, full), (16, 16), "other statuses: {other:?}");
    let (_, sheet) = api_json(server, "GET", &format!("/api/v1/chair-days/{id}"), Some(manager_token), None);
    let held: Vec<&Value> = sheet["slots"].as_array().unwrap().iter().filter(|s| !s["attendee"].is_null()).collect();
    assert_eq!(held.len(), 16, "every sitting held, once: {sheet}");
}

#[test]
fn racing_attendees_get_each_sitting_once_on_sqlite() {
    let db = TempDb::new();
    let server = Server::start(&["--demo", "--database-url", &db.url, "--max-connections-per-client", RACERS]);
    let manager = token_for(&db.url, "manager@demo.knead.test");
    let BookedDay { id, token, starts, .. } = book_day(&server, &manager);
    assert_each_place_once(&server, &manager, id, &race(&[&server], id, &token, &starts));
}

#[tokio::test(flavor = "multi_thread")]
async fn racing_attendees_get_each_sitting_once_on_two_servers_sharing_postgresql() {
    let Some(db) = knead_store_postgres::testing::fresh_database().await else { return };
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || {
        let first = Server::start(&["--demo", "--database-url", &url, "--max-connections-per-client", RACERS]);
        let second = Server::start(&["--database-url", &url, "--max-connections-per-client", RACERS]);
        let manager = token_for(&url, "manager@demo.knead.test");
        let BookedDay { id, token, starts, .. } = book_day(&first, &manager);
        assert_each_place_once(&second, &manager, id, &race(&[&first, &second], id, &token, &starts));
    })
    .await
    .unwrap();
    db.cleanup().await;
}
