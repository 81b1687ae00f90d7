//! What books later, through the API of the real binary on SQLite and on PostgreSQL: a weekly series of
//! eight visits whose fourth time is already taken books seven and reports the clash (never a double
//! booking); a client waiting for a full time is offered it when a cancellation frees it, by a message in
//! the outbox whose private link opens the entry, and books it from the offer. Through a real mail server, the
//! waitlist's, the password reset's and a records alert's messages each arrive once, and the reset link sets a
//! new password.

use crate::support::*;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const LAT: f64 = 60.1672;
const LON: f64 = 24.9402;

fn helsinki() -> TimeZone {
    TimeZone::get("Europe/Helsinki").unwrap()
}

fn today() -> Date {
    Timestamp::now().to_zoned(helsinki()).date()
}

/// The starts offered on `date` (by `therapist`, when given) for `service`.
fn slots(server: &Server, service: &Value, date: Date, therapist: Option<i64>) -> Vec<Value> {
    let mut query = format!("/api/v1/availability?service_id={}&lat={LAT}&lon={LON}&from={date}&days=1", service["id"]);
    if let Some(t) = therapist {
        query.push_str(&format!("&therapist_id={t}"));
    }
    let found: Value = server.get(&query).into_json().unwrap();
    found["slots"].as_array().unwrap().clone()
}

fn instant(start: &Value) -> Timestamp {
    start.as_str().unwrap().parse().unwrap()
}

fn booking(service: &Value, start: &Value, therapist: i64, who: &str) -> Value {
    json!({
        "service_id": service["id"], "start": start, "therapist_ids": [therapist],
        "lat": LAT, "lon": LON, "address": "15 Yrjönkatu, Helsinki",
        "client": {"name": format!("{who} Fictional"), "email": format!("{}@example.test", who.to_lowercase()), "phone": "416-555-0100"}
    })
}

/// A start and therapist free on the same weekday for eight weeks running from a few days ahead.
fn eight_free_weeks(server: &Server, service: &Value) -> (Value, i64) {
    for ahead in 3..10 {
        let first_day = today() + ahead.days();
        for slot in slots(server, service, first_day, None) {
            let therapist = slot["therapist_ids"][0].as_i64().unwrap();
            let start = instant(&slot["start"]);
            let free_every_week = (1..8).all(|k| {
                let later = (start.to_zoned(helsinki()) + (7 * k).days()).date();
                let wanted = (start.to_zoned(helsinki()).datetime().time(), later);
                slots(server, service, later, Some(therapist)).iter().any(|s| {
                    let z = instant(&s["start"]).to_zoned(helsinki());
                    (z.datetime().time(), z.date()) == wanted
                })
            });
            if free_every_week {
                return (slot["start"].clone(), therapist);
            }
        }
    }
    panic!("no start free eight weeks running in the demo");
}

fn series_story(server: &Server, url: &str) {
    let service = mobile_individual_service(server);
    let (first, therapist) = eight_free_weeks(server, &service);
    // The fourth week's time goes to someone else first.
    let fourth = (instant(&first).to_zoned(helsinki()) + 21.days()).timestamp();
    let blocker = booking(&service, &json!(fourth.to_string()), therapist, "Bea");
    let (status, answer) = api_json(server, "POST", "/api/v1/bookings", None, Some(&blocker));
    assert_eq!(status, 201, "{answer}");

    let bad = json!({"booking": booking(&service, &first, therapist, "Cai"), "every_weeks": 0, "visits": 30});
    let (status, answer) = api_json(server, "POST", "/api/v1/booking-series", None, Some(&bad));
    assert_eq!(status, 422, "{answer}");
    let fields: Vec<&str> = answer["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["every_weeks", "visits"], "{answer}");

    let body = json!({"booking": booking(&service, &first, therapist, "Cai"), "every_weeks": 1, "visits": 8});
    let (status, answer) = post_series(server, &body, "series-key-1");
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["booked"], 7, "{answer:#}");
    assert_eq!(answer["zone"], "Europe/Helsinki");
    let visits = answer["visits"].as_array().unwrap();
    assert_eq!(visits.len(), 8);
    for (k, v) in visits.iter().enumerate() {
        let at = instant(&first).to_zoned(helsinki()) + (7 * k as i64).days();
        assert_eq!(instant(&v["start"]), at.timestamp(), "visit {k} at the same wall-clock time");
        if k == 3 {
            assert_eq!(v["outcome"], "clash", "{v}");
            assert_eq!(v["code"], "taken", "{v}");
            assert!(v.get("booking").is_none());
        } else {
            assert_eq!(v["outcome"], "booked", "{v}");
            assert_eq!(v["booking"]["visits"][0]["therapist_id"], therapist, "the same therapist each week");
            assert!(v["booking"]["manage_url"].as_str().is_some(), "each visit has its own private link");
        }
    }
    // One confirmation, the first visit's, speaks for the series; the others come with their reminders.
    let manager = token_for(url, "manager@demo.knead.test");
    let first_id = visits[0]["booking"]["id"].clone();
    let deadline = Instant::now() + Duration::from_secs(30);
    let confirmation = loop {
        let (_, jobs) = api_json(server, "GET", "/api/v1/outbox", Some(&manager), None);
        let jobs = jobs.as_array().unwrap().clone();
        let of_series = |j: &&Value| visits.iter().any(|v| v["booking"]["id"] == j["booking_id"]);
        let confirmations: Vec<&Value> =
            jobs.iter().filter(of_series).filter(|j| j["kind"] == "booking_confirmed").collect();
        if let Some(filed) = confirmations.iter().find(|j| j["status"] == "outbox") {
            assert_eq!(confirmations.len(), 1, "{confirmations:?}");
            assert_eq!(filed["booking_id"], first_id);
            break filed["message"]["text"].as_str().unwrap().to_string();
        }
        assert!(Instant::now() < deadline, "no confirmation: {jobs:?}");
        std::thread::sleep(Duration::from_millis(300));
    };
    assert!(confirmation.contains("series of visits every week at the same time (8 asked for)"), "{confirmation}");
    // The same request again (its key) returns the same series and books nothing more.
    let (status, replay) = post_series(server, &body, "series-key-1");
    assert_eq!(status, 201, "{replay}");
    assert_eq!(replay["series_id"], answer["series_id"]);
    let ids = |s: &Value| -> Vec<Value> {
        s["visits"].as_array().unwrap().iter().map(|v| v["booking"]["id"].clone()).collect()
    };
    assert_eq!(ids(&replay), ids(&answer));
    // Without the key it is a new request: its first time is Cai's now, so it is refused like a booking.
    let (status, refused) = api_json(server, "POST", "/api/v1/booking-series", None, Some(&body));
    assert_eq!(status, 409, "{refused}");
}

fn post_series(server: &Server, body: &Value, key: &str) -> (u16, Value) {
    let req = ureq::post(&format!("{}/api/v1/booking-series", server.url)).set("Idempotency-Key", key);
    let r = match req.send_json(body.clone()) {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{e}"),
    };
    (r.status(), r.into_json().unwrap())
}

/// Books every start `service` has at `start` until none is left; the bookings made.
fn fill(server: &Server, service: &Value, start: &Value) -> Vec<Value> {
    let date = instant(start).to_zoned(helsinki()).date();
    let mut made = Vec::new();
    for n in 0..20 {
        let Some(slot) = slots(server, service, date, None).into_iter().find(|s| s["start"] == *start) else {
            return made;
        };
        let therapist = slot["therapist_ids"][0].as_i64().unwrap();
        let (status, answer) = api_json(
            server,
            "POST",
            "/api/v1/bookings",
            None,
            Some(&booking(service, start, therapist, &format!("Full{n}"))),
        );
        assert_eq!(status, 201, "{answer}");
        made.push(answer);
    }
    panic!("{start} never filled up");
}

fn waitlist_story(server: &Server, url: &str) {
    let manager = token_for(url, "manager@demo.knead.test");
    let service = mobile_individual_service(server);
    let date = today() + 12.days();
    let start = slots(server, &service, date, None).into_iter().nth(2).expect("a start 12 days ahead")["start"].clone();
    let made = fill(server, &service, &start);
    let local = instant(&start).to_zoned(helsinki());
    let hh_mm = local.strftime("%H:%M").to_string();
    let weekday =
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][local.date().weekday().to_monday_zero_offset() as usize];
    let join = json!({
        "service_id": service["id"], "lat": LAT, "lon": LON, "address": "15 Yrjönkatu, Helsinki",
        "client": {"name": "Wanda Fictional", "email": "wanda@example.test", "phone": "416-555-0101"},
        "first_date": date.to_string(), "last_date": date.to_string(), "weekdays": [weekday],
        "earliest": hh_mm, "latest": hh_mm
    });
    let bad = json!({"service_id": service["id"], "lat": LAT, "lon": LON, "address": "15 Yrjönkatu, Helsinki",
        "client": {"name": "W", "email": "w@example.test", "phone": "416-555-0101"},
        "first_date": "2020-01-01", "last_date": "2020-01-01", "weekdays": ["someday"]});
    let (status, answer) = api_json(server, "POST", "/api/v1/waitlist", None, Some(&bad));
    assert_eq!(status, 422, "{answer}");
    assert!(answer.to_string().contains("weekdays[0]") && answer.to_string().contains("first_date"), "{answer}");

    let (status, entry) = api_json(server, "POST", "/api/v1/waitlist", None, Some(&join));
    assert_eq!(status, 201, "{entry}");
    let link = entry["manage_url"].as_str().unwrap().to_string();
    let id = entry["id"].as_i64().unwrap();
    let api_link = format!("/api/v1{link}");
    // Nothing is free at that time yet: the entry waits.
    std::thread::sleep(Duration::from_secs(3));
    let (_, now) = api_json(server, "GET", &api_link, None, None);
    assert_eq!(now["status"], "waiting", "{now}");
    let (status, _) = api_json(server, "GET", &format!("/api/v1/waitlist/{}?token=wrong", id), None, None);
    assert_eq!(status, 404, "a wrong token opens nothing");

    // A cancellation frees the time: the first in line is offered it.
    let freed = &made[0];
    let link = freed["manage_url"].as_str().unwrap();
    let cancel = link.replace("/bookings/", "/api/v1/bookings/").replace("/manage?", "/cancel?");
    let (status, answer) = api_json(server, "POST", &cancel, None, None);
    assert_eq!(status, 200, "{answer}");
    let deadline = Instant::now() + Duration::from_secs(30);
    let offered = loop {
        let (_, now) = api_json(server, "GET", &api_link, None, None);
        if now["status"] == "offered" {
            break now;
        }
        assert!(Instant::now() < deadline, "no offer: {now}");
        std::thread::sleep(Duration::from_millis(300));
    };
    assert_eq!(instant(&offered["offer"]["start"]), instant(&start));
    // Held for Wanda while the offer lasts: no one else is offered it or can book it.
    assert!(!slots(server, &service, date, None).iter().any(|s| s["start"] == start), "a held start is not offered");
    let therapist = freed["visits"][0]["therapist_id"].as_i64().expect("the freed visit's therapist");
    let (status, refused) =
        api_json(server, "POST", "/api/v1/bookings", None, Some(&booking(&service, &start, therapist, "Quick")));
    assert_eq!(status, 409, "{refused}");
    assert!(refused.to_string().contains("waitlist"), "{refused}");
    // The offer's message is in the outbox (no mail server here), with a private link that opens the entry.
    let deadline = Instant::now() + Duration::from_secs(30);
    let message = loop {
        let (_, jobs) = api_json(server, "GET", "/api/v1/outbox", Some(&manager), None);
        let found =
            jobs.as_array().unwrap().iter().find(|j| j["kind"] == "waitlist_offer" && j["status"] == "outbox").cloned();
        if let Some(m) = found {
            break m;
        }
        assert!(Instant::now() < deadline, "no offer message: {jobs}");
        std::thread::sleep(Duration::from_millis(300));
    };
    let text = message["message"]["text"].as_str().unwrap();
    assert!(text.contains("holding it for you"), "{text}");
    let mailed = text.split_whitespace().find(|w| w.contains("/waitlist/")).unwrap();
    let mailed_path = &mailed[mailed.find("/waitlist/").unwrap()..];
    let (status, via_mail) = api_json(server, "GET", &format!("/api/v1{mailed_path}"), None, None);
    assert_eq!((status, via_mail["id"].as_i64()), (200, Some(id)), "the mailed link opens the entry");

    // The client books it from the offer; taking it twice books once.
    let take = api_link.replace("?token", "/book?token");
    let (status, booked) = api_json(server, "POST", &take, None, None);
    assert_eq!(status, 201, "{booked}");
    assert_eq!(instant(&booked["start"]), instant(&start));
    assert_eq!(booked["client_email"], "wanda@example.test");
    let (status, again) = api_json(server, "POST", &take, None, None);
    assert_eq!(status, 422, "{again}");
    let (_, now) = api_json(server, "GET", &api_link, None, None);
    assert_eq!((now["status"].as_str(), now["booking_id"].as_i64()), (Some("booked"), booked["id"].as_i64()));
    // Managers see the list; the entry's page and the API never show contact details.
    let (status, list) = api_json(server, "GET", "/api/v1/waitlist", Some(&manager), None);
    assert_eq!(status, 200);
    assert!(list["entries"].as_array().unwrap().iter().any(|e| e["id"] == id));
    assert!(!list.to_string().contains("wanda@example.test"));
    let (status, _) = api_json(server, "GET", "/api/v1/waitlist", None, None);
    assert_eq!(status, 401);
}

fn stories(url: &str) {
    let server = Server::start(&["--demo", "--database-url", url]);
    series_story(&server, url);
    waitlist_story(&server, url);
}

#[test]
fn series_and_waitlist_hold_on_sqlite() {
    let db = TempDb::new();
    stories(&db.url);
}

#[tokio::test(flavor = "multi_thread")]
async fn series_and_waitlist_hold_on_postgresql() {
    let Some(db) = knead_store_postgres::testing::fresh_database().await else { return };
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || stories(&url)).await.unwrap();
    db.cleanup().await;
}

#[test]
fn waitlist_reset_and_records_alert_messages_arrive_once_and_the_reset_link_works() {
    let Some(python) = crate::notifications::python() else { return };
    let mail = crate::notifications::MailServer::start(&python, &[]);
    let db = TempDb::new();
    let server = Server::start(&["--demo", "--database-url", &db.url, "--smtp-url", &mail.url]);
    let service = mobile_individual_service(&server);
    // A wide wish: the demo has free times, so the join is followed by an offer at once.
    let join = json!({
        "service_id": service["id"], "lat": LAT, "lon": LON, "address": "15 Yrjönkatu, Helsinki",
        "client": {"name": "Wilma Fictional", "email": "wilma@example.test", "phone": "416-555-0102"},
        "first_date": (today() + 3.days()).to_string(), "last_date": (today() + 20.days()).to_string()
    });
    let (status, entry) = api_json(&server, "POST", "/api/v1/waitlist", None, Some(&join));
    assert_eq!(status, 201, "{entry}");
    for _ in 0..2 {
        let asked = json!({"email": "client@demo.knead.test"});
        let (status, _) = api_send(&server, "POST", "/api/v1/password-resets", None, Some(&asked));
        assert_eq!(status, 202);
    }
    let (status, _) =
        api_send(&server, "POST", "/api/v1/password-resets", None, Some(&json!({"email": "nobody@example.test"})));
    assert_eq!(status, 202, "the same answer for an email without an account");
    let manager = token_for(&db.url, "manager@demo.knead.test");
    let episode = worsening_episode(&server, &manager);

    let all = mail.wait_until("four messages", |m| m.len() >= 4);
    let subjects: Vec<&str> = all.iter().map(|m| m["subject"].as_str().unwrap()).collect();
    assert_eq!(all.len(), 4, "each once: {subjects:?}");
    let of = |prefix: &str| {
        all.iter()
            .find(|m| m["subject"].as_str().unwrap().starts_with(prefix))
            .unwrap_or_else(|| panic!("{prefix}: {subjects:?}"))
    };
    assert!(of("You're on the waitlist")["to"].as_str().unwrap().contains("wilma@example.test"));
    let offer = of("A time is free");
    assert!(offer["ics"].is_null(), "nothing is booked yet, so no calendar file");
    let reset = of("Choose a new password");
    assert!(reset["to"].as_str().unwrap().contains("client@demo.knead.test"));
    // The records alert goes to the episode's therapist, names neither the client nor the condition, and links
    // to the episode (behind the sign-in).
    let alert = of("An episode needs your review");
    assert!(alert["to"].as_str().unwrap().contains("mara@demo.knead.test"), "{alert}");
    assert!(alert["text"].as_str().unwrap().contains(&format!("{}/manage/episodes/{episode}", server.url)), "{alert}");
    for private in ["Rowan", "Sciatica", "sciatica", "pain", "deteriorat"] {
        assert!(!alert.to_string().contains(private), "{private} in {alert}");
    }
    for m in all.iter().filter(|m| m["text"].as_str().unwrap().contains("?token=")) {
        let link = m["text"].as_str().unwrap().split_whitespace().find(|w| w.contains("?token=")).unwrap().to_string();
        let path = link.trim_start_matches(&server.url).to_string();
        assert_eq!(server.get(&path).status(), 200, "{link} opens");
    }

    // The reset link sets a new password once; the old one stops working.
    let link = reset["text"].as_str().unwrap().split_whitespace().find(|w| w.contains("/login/reset?token=")).unwrap();
    let token = link.split("token=").nth(1).unwrap();
    let done = json!({"token": token, "password": "a new demo password for the test"});
    let (status, _) = api_send(&server, "POST", "/api/v1/password-resets/complete", None, Some(&done));
    assert_eq!(status, 204);
    let (status, again) = api_json(&server, "POST", "/api/v1/password-resets/complete", None, Some(&done));
    assert_eq!(status, 422, "{again}");
    assert!(again.to_string().contains("expired"), "{again}");
    let (_, outbox) = api_json(&server, "GET", "/api/v1/outbox", Some(&manager), None);
    let alerts = outbox.as_array().unwrap().iter().filter(|j| j["kind"] == "record_alert").count();
    assert_eq!(alerts, 1, "a verdict that stays the same tells no one again");
    let resets = outbox.as_array().unwrap().iter().filter(|j| j["kind"] == "password_reset").count();
    assert_eq!(resets, 1, "one message for two requests within ten minutes");
    assert!(!outbox.to_string().contains(token), "a sent message's link is not kept");
}

/// A new episode of Mara's whose leg pain goes from 3 to 6: the policy's verdict turns to deteriorating (one
/// records alert), and a third measure at 7 keeps it there (no second). The episode's id.
fn worsening_episode(server: &Server, manager: &str) -> i64 {
    let (_, therapists) = api_json(server, "GET", "/api/v1/therapists", None, None);
    let mara = therapists.as_array().unwrap().iter().find(|t| t["slug"] == "mara-quill").expect("Mara")["id"].clone();
    let client = json!({"name": "Rowan Fictional", "email": "rowan@example.test", "phone": "416-555-0142"});
    let (status, client) = api_json(server, "POST", "/api/v1/clients", Some(manager), Some(&client));
    assert_eq!(status, 201, "{client}");
    let started = (today() - 5.days()).to_string();
    let body = json!({"condition": "Sciatica", "side": "right", "started_on": started, "therapist_id": mara});
    let path = format!("/api/v1/clients/{}/episodes", client["id"]);
    let (status, episode) = api_json(server, "POST", &path, Some(manager), Some(&body));
    assert_eq!(status, 201, "{episode}");
    let id = episode["id"].as_i64().unwrap();
    for (days_ago, value) in [(4, 3), (2, 6), (1, 7)] {
        let at = Timestamp::now() - (days_ago * 24).hours();
        let body = json!({"instrument": "nprs_leg", "answers": {"value": value}, "taken_at": at.to_string()});
        let path = format!("/api/v1/episodes/{id}/measures");
        let (status, measure) = api_json(server, "POST", &path, Some(manager), Some(&body));
        assert_eq!(status, 201, "{measure}");
    }
    let (_, now) = api_json(server, "GET", &format!("/api/v1/episodes/{id}"), Some(manager), None);
    assert_eq!(now["response"]["status"], "deteriorating", "{now}");
    id
}
