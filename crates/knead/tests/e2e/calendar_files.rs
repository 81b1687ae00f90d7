//! The visits' calendar files read by a parser we did not write (`icalendar` from PyPI, installed by
//! `scripts/python-venv`): a booking's `.ics` from the real server gives the booking's instant, its
//! cancellation cancels the same UID, and visits on both sides of Helsinki's 2027 daylight-saving changes
//! (including the hour that happens twice) come out at the right instant from the file's own `VTIMEZONE`.

use crate::support::*;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use knead_core::calendar::ics::{visit_calendar, EventStatus, VisitEvent};
use serde_json::{json, Value};

/// Prints, for the one event in the file on stdin, its method, UID, sequence, status and start as a UTC
/// instant, computed by icalendar from the file alone (the zone's rules come from its VTIMEZONE; the
/// system's zone database is kept out of it by an unknown TZID name).
const READ_EVENT: &str = r#"
import json, sys
from datetime import timezone
import icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.read())
events = [c for c in cal.walk("VEVENT")]
assert len(events) == 1, events
e = events[0]
start = e.decoded("DTSTART")
assert start.tzinfo is not None, "DTSTART must carry its zone"
print(json.dumps({
    "method": str(cal.get("METHOD")),
    "uid": str(e.get("UID")),
    "sequence": int(e.get("SEQUENCE")),
    "status": str(e.get("STATUS")),
    "start": start.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "location": str(e.get("LOCATION", "")),
}))
"#;

/// What icalendar reads from `file`; `None` (after saying why) when the tool is missing outside CI.
fn parsed(file: &str) -> Option<Value> {
    let Ok(python) = std::env::var("KNEAD_TEST_PYTHON") else {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "KNEAD_TEST_PYTHON is not set: scripts/python-venv");
        eprintln!("SKIPPED: the .ics files were not parsed: KNEAD_TEST_PYTHON is not set (scripts/python-venv)");
        return None;
    };
    let out = run_python(&python, READ_EVENT, file.as_bytes());
    assert!(out.status.success(), "icalendar refuses the file:\n{}\n{file}", text(&out.stderr));
    Some(serde_json::from_slice(&out.stdout).expect("the reader's summary"))
}

/// The file at `path` of the server, as text.
fn fetched(server: &Server, path: &str) -> String {
    let (status, bytes) = api_send(server, "GET", path, None, None);
    assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&bytes));
    String::from_utf8(bytes).unwrap()
}

#[test]
fn a_bookings_calendar_file_gives_its_instant_and_its_cancellation_cancels_the_same_uid() {
    let db = TempDb::new();
    let server = Server::start(&["--demo", "--database-url", &db.url]);
    let service = mobile_individual_service(&server);
    // Three days out: the notice policy lets the guest cancel.
    let from = Timestamp::now().to_zoned(TimeZone::get("Europe/Helsinki").unwrap()).date() + jiff::ToSpan::days(3);
    let query = format!("/api/v1/availability?service_id={}&lat=60.1672&lon=24.9402&from={from}&days=7", service["id"]);
    let slots: Value = server.get(&query).into_json().unwrap();
    let slot = &slots["slots"][0];
    let body = json!({
        "service_id": service["id"], "start": slot["start"], "therapist_ids": [slot["therapist_ids"][0]],
        "lat": 60.1672, "lon": 24.9402, "address": "15 Yrjönkatu, Helsinki",
        "client": {"name": "Ana Fictional", "email": "ana@example.com", "phone": "416-555-0100"}
    });
    let (status, booked) = api_json(&server, "POST", "/api/v1/bookings", None, Some(&body));
    assert_eq!(status, 201, "{booked}");
    let token = booked["manage_url"].as_str().unwrap().split("token=").nth(1).unwrap().to_string();
    let id = booked["id"].as_i64().unwrap();
    let path = format!("/bookings/{id}/calendar.ics?token={token}");
    let start: Timestamp = booked["start"].as_str().unwrap().parse().unwrap();

    let file = fetched(&server, &path);
    let Some(first) = parsed(&file) else { return };
    assert_eq!(first["start"], start.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(), "{file}");
    assert_eq!((first["method"].as_str(), first["status"].as_str()), (Some("PUBLISH"), Some("CONFIRMED")));
    assert_eq!(first["location"], "15 Yrjönkatu, Helsinki");

    let (status, cancelled) =
        api_json(&server, "POST", &format!("/api/v1/bookings/{id}/cancel?token={token}"), None, Some(&json!({})));
    assert_eq!(status, 200, "{cancelled}");
    let Some(after) = parsed(&fetched(&server, &path)) else { return };
    assert_eq!(after["uid"], first["uid"], "the cancellation names the same event");
    assert_eq!((after["method"].as_str(), after["status"].as_str()), (Some("CANCEL"), Some("CANCELLED")));
    assert!(after["sequence"].as_i64() >= first["sequence"].as_i64());
}

#[test]
fn visits_across_the_2027_daylight_saving_changes_keep_their_instants() {
    let helsinki = TimeZone::get("Europe/Helsinki").unwrap();
    // Helsinki: +02 to +03 at 2027-03-28 01:00 UTC; back to +02 at 2027-10-31 01:00 UTC (04:00 then 03:00
    // local, so 03:30 happens twice).
    for start in [
        "2027-03-27T08:00:00Z", // the Saturday before, at +02
        "2027-03-28T07:00:00Z", // the day of the change, 10:00 at +03
        "2027-10-30T07:00:00Z", // the Saturday before the change back, at +03
        "2027-10-31T00:30:00Z", // 03:30 at +03, the first of the two
        "2027-10-31T01:30:00Z", // 03:30 at +02, the second
        "2027-10-31T08:00:00Z", // the day of the change back, 10:00 at +02
    ] {
        let at: Timestamp = start.parse().unwrap();
        let event = VisitEvent {
            uid: "dst-check@knead".into(),
            sequence: 0,
            start: at,
            end: at + SignedDuration::from_mins(60),
            summary: "Massage".into(),
            location: None,
            description: String::new(),
            status: EventStatus::Confirmed,
        };
        // Renamed so that the reader has only the file's own VTIMEZONE to go by.
        let file = visit_calendar(&event, &helsinki, at).replace("Europe/Helsinki", "Practice-Zone");
        let Some(read) = parsed(&file) else { return };
        assert_eq!(read["start"], start, "{file}");
    }
}
