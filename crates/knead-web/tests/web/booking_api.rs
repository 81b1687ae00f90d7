//! The booking API over the demo practice: availability, booking, idempotency, cancel, reschedule,
//! clear errors, and daylight-saving days.

use crate::support::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use jiff::civil::Date;
use jiff::ToSpan;
use knead_core::{Kind, Place, Service};
use serde_json::{json, Value};

/// A client's home in the demo's central Helsinki: the address point of Yrjönkatu 15.
const HOME: (f64, f64) = (60.1672, 24.9402);
const HOME_ADDRESS: &str = "15 Yrjönkatu, Helsinki";
/// Tampere, 160 km north: outside the demo's service area.
const TAMPERE: (f64, f64) = (61.4978, 23.7610);

async fn service(app: &TestApp, kind: Kind, place: Place) -> Service {
    app.store.list_services(false).await.unwrap().into_iter().find(|s| s.kind == kind && s.place == place).unwrap()
}

fn in_days(n: i64) -> Date {
    let tz = jiff::tz::TimeZone::get("Europe/Helsinki").unwrap();
    jiff::Timestamp::now().to_zoned(tz).date().checked_add(n.days()).unwrap()
}

async fn slots(app: &TestApp, query: &str) -> Vec<Value> {
    let reply = app.get(&format!("/api/v1/availability?{query}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{query}: {}", reply.body);
    reply.json()["slots"].as_array().unwrap().clone()
}

fn mobile_query(service: &Service, from: Date, days: i64) -> String {
    format!("service_id={}&lat={}&lon={}&from={from}&days={days}", service.id.0, HOME.0, HOME.1)
}

fn guest_booking(service: &Service, start: &str) -> Value {
    json!({
        "service_id": service.id.0, "start": start, "lat": HOME.0, "lon": HOME.1,
        "address": HOME_ADDRESS,
        "client": {"name": "Ana Fictional", "email": "ana@example.com", "phone": "416-555-0100"}
    })
}

async fn post_booking(app: &TestApp, body: &Value, key: Option<&str>) -> Reply {
    let mut req = Request::post("/api/v1/bookings").header("content-type", "application/json");
    if let Some(k) = key {
        req = req.header("idempotency-key", k);
    }
    app.send(req.body(Body::from(body.to_string())).unwrap()).await
}

#[tokio::test]
async fn the_practice_is_public_and_never_shows_therapists_bases() {
    let app = TestApp::new().await;
    let reply = app.get("/api/v1/practice").await;
    assert_eq!(reply.status, StatusCode::OK);
    let p = reply.json();
    assert_eq!(p["time_zone"], "Europe/Helsinki");
    assert!(p["service_area"]["radius_km"].as_f64().unwrap() > 0.0);
    assert_eq!(p["clinics"][0]["name"], "Korkeavuori Clinic");
    assert!(!reply.body.contains("base"), "{}", reply.body);
}

#[tokio::test]
async fn availability_offers_grid_starts_with_travel_and_local_offsets() {
    let app = TestApp::new().await;
    let massage = service(&app, Kind::Individual, Place::Mobile).await;
    let found = slots(&app, &mobile_query(&massage, in_days(3), 3)).await;
    assert!(!found.is_empty());
    for slot in &found {
        let start: jiff::Timestamp = slot["start"].as_str().unwrap().parse().unwrap();
        let local = start.to_zoned(jiff::tz::TimeZone::get("Europe/Helsinki").unwrap());
        assert_eq!(local.minute() % 15, 0, "on the 15-minute grid");
        let offset = slot["start"].as_str().unwrap();
        assert!(offset.ends_with("+02:00") || offset.ends_with("+03:00"), "an RFC 3339 offset: {offset}");
        assert_eq!(slot["therapist_ids"].as_array().unwrap().len(), 1);
        assert!(slot["travel_before_min"].as_u64().unwrap() > 0, "therapists drive from their base");
    }
    // "Any therapist" ranks by added travel: each start shows the therapist who adds least.
    let mut added: Vec<i64> = found.iter().map(|s| s["added_travel_min"].as_i64().unwrap()).collect();
    added.dedup();
    assert!(!added.is_empty());
}

#[tokio::test]
async fn bad_availability_queries_name_the_field() {
    let app = TestApp::new().await;
    let massage = service(&app, Kind::Individual, Place::Mobile).await;
    let clinic_service = service(&app, Kind::Individual, Place::Clinic).await;
    let from = in_days(2);
    let mara = app.store.therapist_by_slug("mara-quill").await.unwrap();
    let home = format!("lat={}&lon={}", HOME.0, HOME.1);
    let (far_lat, far_lon) = TAMPERE;
    let cases = [
        (format!("service_id={}&{home}&from={from}&days=61", massage.id.0), StatusCode::UNPROCESSABLE_ENTITY, "days"),
        (
            format!("service_id={}&lat=91&lon={}&from={from}&days=1", massage.id.0, HOME.1),
            StatusCode::UNPROCESSABLE_ENTITY,
            "lat",
        ),
        (
            format!("service_id={}&lat={far_lat}&lon={far_lon}&from={from}&days=1", massage.id.0),
            StatusCode::UNPROCESSABLE_ENTITY,
            "lat",
        ),
        (format!("service_id=99999&{home}&from={from}&days=1"), StatusCode::UNPROCESSABLE_ENTITY, "service_id"),
        (format!("service_id={}&{home}&from=next-week&days=1", massage.id.0), StatusCode::UNPROCESSABLE_ENTITY, "from"),
        (
            format!("service_id={}&{home}&from={from}&days=1&therapist_id={}", massage.id.0, mara.id.0),
            StatusCode::UNPROCESSABLE_ENTITY,
            "therapist_id",
        ),
        (
            format!("service_id={}&{home}&from={from}&days=1", clinic_service.id.0),
            StatusCode::UNPROCESSABLE_ENTITY,
            "clinic_id",
        ),
        (
            format!("service_id={}&clinic_id=424&from={from}&days=1", clinic_service.id.0),
            StatusCode::UNPROCESSABLE_ENTITY,
            "clinic_id",
        ),
        (format!("{home}&from={from}&days=1"), StatusCode::BAD_REQUEST, "service_id"),
        (format!("service_id={}&from={from}&days=1", massage.id.0), StatusCode::UNPROCESSABLE_ENTITY, "lat"),
    ];
    for (query, status, field) in cases {
        let reply = app.get(&format!("/api/v1/availability?{query}")).await;
        assert_eq!(reply.status, status, "{query}: {}", reply.body);
        assert_eq!(reply.error_fields()[0].1, field, "{query}: {}", reply.body);
    }
}

#[tokio::test]
async fn a_guest_books_an_offered_slot_and_manages_it_with_the_private_link() {
    let app = TestApp::new().await;
    let massage = service(&app, Kind::Individual, Place::Mobile).await;
    let offered = slots(&app, &mobile_query(&massage, in_days(4), 1)).await;
    let slot = &offered[0];
    let therapist = slot["therapist_ids"][0].as_i64().unwrap();
    let start = slot["start"].as_str().unwrap().to_string();

    let created = post_booking(&app, &guest_booking(&massage, &start), None).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let b = created.json();
    assert_eq!(b["status"], "confirmed");
    assert_eq!(b["visits"][0]["therapist_id"], therapist);
    assert_eq!(b["start_local"], start);
    let manage = b["manage_url"].as_str().unwrap().to_string();
    let token = manage.split("token=").nth(1).unwrap().to_string();
    let id = b["id"].as_i64().unwrap();

    assert_eq!(app.get(&format!("/api/v1/bookings/{id}?token={token}")).await.status, StatusCode::OK);
    assert_eq!(app.get(&format!("/api/v1/bookings/{id}")).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get(&format!("/api/v1/bookings/{id}?token=wrong")).await.status, StatusCode::NOT_FOUND);
    let other_client = app.token_for(CLIENT.0).await;
    assert_eq!(app.get_as(&format!("/api/v1/bookings/{id}"), &other_client).await.status, StatusCode::NOT_FOUND);

    // The therapist's slot is gone; booking it again is a 409.
    let after = slots(&app, &format!("{}&therapist_id={therapist}", mobile_query(&massage, in_days(4), 1))).await;
    assert!(after.iter().all(|s| s["start"] != start.as_str()));
    let mut same = guest_booking(&massage, &start);
    same["therapist_ids"] = json!([therapist]);
    let taken = post_booking(&app, &same, None).await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.body);
    assert_eq!(taken.error_fields()[0].0, "slot_taken");

    let cancelled = app.json("POST", &format!("/api/v1/bookings/{id}/cancel?token={token}"), None, "").await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert_eq!(cancelled.json()["status"], "cancelled");
    let again = slots(&app, &format!("{}&therapist_id={therapist}", mobile_query(&massage, in_days(4), 1))).await;
    assert!(again.iter().any(|s| s["start"] == start.as_str()), "cancelling gives the slot back");
}

#[tokio::test]
async fn a_repeated_idempotency_key_returns_the_same_booking() {
    let app = TestApp::new().await;
    let massage = service(&app, Kind::Individual, Place::Mobile).await;
    let start = slots(&app, &mobile_query(&massage, in_days(5), 1)).await[0]["start"].as_str().unwrap().to_string();
    let body = guest_booking(&massage, &start);
    let first = post_booking(&app, &body, Some("retry-me-1")).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let second = post_booking(&app, &body, Some("retry-me-1")).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(second.status, StatusCode::CREATED);
    assert_eq!(first.json()["id"], second.json()["id"]);
    // The repeat comes from whoever made the first request (it holds the key): it gets a private link of its
    // own, and the first one keeps working.
    let (first_url, second_url) = (first.json()["manage_url"].clone(), second.json()["manage_url"].clone());
    assert!(second_url.is_string() && first_url != second_url, "{first_url} {second_url}");
    for url in [&first_url, &second_url] {
        assert_eq!(app.get(url.as_str().unwrap()).await.status, StatusCode::OK, "{url}");
    }
    let mut changed = body.clone();
    changed["address"] = json!("2 Other St");
    let reused = post_booking(&app, &changed, Some("retry-me-1")).await;
    assert_eq!(reused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reused.error_fields()[0], ("idempotency_key_reused".to_string(), "Idempotency-Key".to_string()));
}

#[tokio::test]
async fn bad_bookings_get_a_422_naming_the_field_and_write_nothing() {
    let app = TestApp::new().await;
    let massage = service(&app, Kind::Individual, Place::Mobile).await;
    let start = slots(&app, &mobile_query(&massage, in_days(4), 1)).await[0]["start"].as_str().unwrap().to_string();
    let start_ts: jiff::Timestamp = start.parse().unwrap();
    let mara = app.store.therapist_by_slug("mara-quill").await.unwrap();
    let with = |f: &dyn Fn(&mut Value)| {
        let mut b = guest_booking(&massage, &start);
        f(&mut b);
        b
    };
    let cases: Vec<(Value, &str, &str)> = vec![
        (with(&|b| b["start"] = json!((start_ts + 7.minutes()).to_string())), "off_grid", "start"),
        (with(&|b| b["start"] = json!("2020-01-06T15:00:00Z")), "too_soon", "start"),
        (with(&|b| b["start"] = json!("tomorrow")), "invalid", "start"),
        (with(&|b| b["service_id"] = json!(4242)), "unknown", "service_id"),
        (with(&|b| b["therapist_ids"] = json!([mara.id.0])), "invalid", "therapist_ids"),
        (with(&|b| b["lat"] = json!(TAMPERE.0)), "outside_service_area", "lat"),
        (with(&|b| b["lon"] = json!(-200.0)), "out_of_range", "lon"),
        (with(&|b| b["client"]["phone"] = json!("")), "invalid", "client.phone"),
        (
            with(&|b| {
                b.as_object_mut().unwrap().remove("client");
            }),
            "required",
            "client",
        ),
    ];
    for (body, code, field) in cases {
        let reply = post_booking(&app, &body, None).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", reply.body);
        assert!(reply.error_fields().contains(&(code.to_string(), field.to_string())), "{body}: {}", reply.body);
    }
    let unknown = post_booking(&app, &with(&|b| b["colour"] = json!("blue")), None).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.error_fields(), [("unknown_field".to_string(), "colour".to_string())]);
    let far = jiff::Timestamp::now() - 720.hours();
    assert!(app.store.stops_between(far, far + 9600.hours()).await.unwrap().is_empty(), "nothing was written");
}

#[tokio::test]
async fn a_couples_booking_holds_two_therapists_at_one_place_and_time() {
    let app = TestApp::new().await;
    let couples = service(&app, Kind::Couples, Place::Mobile).await;
    let found = slots(&app, &mobile_query(&couples, in_days(3), 3)).await;
    let slot = found.first().expect("a couples slot in three days");
    let ids = slot["therapist_ids"].as_array().unwrap();
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1]);
    let created = post_booking(&app, &guest_booking(&couples, slot["start"].as_str().unwrap()), None).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let visits = created.json()["visits"].as_array().unwrap().clone();
    assert_eq!(visits.len(), 2);
    assert_eq!(visits[0]["block_start"], visits[1]["block_start"]);
    assert_ne!(visits[0]["therapist_id"], visits[1]["therapist_id"]);
}

#[tokio::test]
async fn a_clinic_visit_takes_a_room() {
    let app = TestApp::new().await;
    let clinic_service = service(&app, Kind::Individual, Place::Clinic).await;
    let clinic = app.store.clinics().await.unwrap()[0].clone();
    let query = format!("service_id={}&clinic_id={}&from={}&days=3", clinic_service.id.0, clinic.id.0, in_days(3));
    let slot = slots(&app, &query).await[0].clone();
    let body = json!({
        "service_id": clinic_service.id.0, "start": slot["start"], "clinic_id": clinic.id.0,
        "client": {"name": "Ben Fictional", "email": "ben@example.com", "phone": "416 555 0199"}
    });
    let created = post_booking(&app, &body, None).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert!(created.json()["visits"][0]["room_id"].as_i64().is_some());
    assert_eq!(created.json()["travel_fee_cents"], 0);
}

#[tokio::test]
async fn cancelling_inside_the_notice_period_is_refused_but_managers_may() {
    let app = TestApp::new().await;
    let massage = service(&app, Kind::Individual, Place::Mobile).await;
    // The earliest offered start is within a day or two: inside the 24-hour notice or not, find one that is.
    let soon = slots(&app, &mobile_query(&massage, in_days(0), 2)).await;
    let now = jiff::Timestamp::now();
    let Some(slot) =
        soon.iter().find(|s| s["start"].as_str().unwrap().parse::<jiff::Timestamp>().unwrap() < now + 24.hours())
    else {
        return; // late in the evening no slot falls within 24 hours; the policy is unit-tested in knead-core
    };
    let created = post_booking(&app, &guest_booking(&massage, slot["start"].as_str().unwrap()), None).await.json();
    let token = created["manage_url"].as_str().unwrap().split("token=").nth(1).unwrap().to_string();
    let id = created["id"].as_i64().unwrap();
    let refused = app.json("POST", &format!("/api/v1/bookings/{id}/cancel?token={token}"), None, "").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.error_fields()[0].0, "too_late");
    let manager = app.token_for(MANAGER.0).await;
    let done = app.json("POST", &format!("/api/v1/bookings/{id}/cancel"), Some(&manager), "").await;
    assert_eq!(done.json()["status"], "cancelled");
}

#[tokio::test]
async fn a_booking_moves_to_another_offered_start() {
    let app = TestApp::new().await;
    let massage = service(&app, Kind::Individual, Place::Mobile).await;
    let offered = slots(&app, &mobile_query(&massage, in_days(6), 1)).await;
    let created =
        post_booking(&app, &guest_booking(&massage, offered[0]["start"].as_str().unwrap()), None).await.json();
    let therapist = created["visits"][0]["therapist_id"].as_i64().unwrap();
    let token = created["manage_url"].as_str().unwrap().split("token=").nth(1).unwrap().to_string();
    let id = created["id"].as_i64().unwrap();
    // An hour later with the same therapist: the booking's own visit must not block its move.
    let start: jiff::Timestamp = offered[0]["start"].as_str().unwrap().parse().unwrap();
    let later = (start + 60.minutes()).to_string();
    let body = json!({"start": later, "therapist_ids": [therapist]}).to_string();
    let moved = app.json("POST", &format!("/api/v1/bookings/{id}/reschedule?token={token}"), None, &body).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    let m = moved.json();
    assert_eq!(m["start"].as_str().unwrap().parse::<jiff::Timestamp>().unwrap(), start + 60.minutes());
    assert_eq!(m["visits"].as_array().unwrap().len(), 1);
    let off = json!({"start": (start + 67.minutes()).to_string()}).to_string();
    let bad = app.json("POST", &format!("/api/v1/bookings/{id}/reschedule?token={token}"), None, &off).await;
    assert_eq!(bad.error_fields()[0], ("off_grid".to_string(), "start".to_string()));
}

/// Working hours 9-17 (and the demo's other rotas) keep their wall-clock times on both sides of a
/// daylight-saving change, and the API shows each side's offset.
#[tokio::test]
async fn slots_keep_their_wall_clock_hours_across_spring_and_fall_transitions() {
    let app = TestApp::new().await;
    let massage = service(&app, Kind::Individual, Place::Mobile).await;
    let tz = jiff::tz::TimeZone::get("Europe/Helsinki").unwrap();
    // The same weekday a week apart, so the same therapists work: the second is the transition day.
    // Helsinki moves its clocks on the last Sunday of March and of October.
    for (before, change) in [("2027-03-21", "2027-03-28"), ("2027-10-24", "2027-10-31")] {
        let before: Date = before.parse().unwrap();
        let change: Date = change.parse().unwrap();
        let found = slots(&app, &mobile_query(&massage, before, 8)).await;
        let by_day = |d: Date| -> Vec<(i8, i8, String)> {
            found
                .iter()
                .filter_map(|s| {
                    let text = s["start"].as_str().unwrap();
                    let z = text.parse::<jiff::Timestamp>().unwrap().to_zoned(tz.clone());
                    (z.date() == d).then(|| (z.hour(), z.minute(), text[text.len() - 6..].to_string()))
                })
                .collect()
        };
        let (a, b) = (by_day(before), by_day(change));
        assert!(!a.is_empty() && !b.is_empty(), "{before}: {found:?}");
        let wall = |v: &[(i8, i8, String)]| v.iter().map(|x| (x.0, x.1)).collect::<Vec<_>>();
        assert_eq!(wall(&a), wall(&b), "the same wall-clock starts on {before} and {change}");
        assert_ne!(a[0].2, b[0].2, "the offset changes: {} vs {}", a[0].2, b[0].2);
        assert!(b.iter().all(|x| x.0 >= 9), "no start before opening on {change}");
    }
}

#[tokio::test]
async fn a_dates_hours_that_overlap_are_refused_by_the_api_as_by_the_page() {
    let app = TestApp::new().await;
    let manager = app.token_for(MANAGER.0).await;
    let therapist = app.store.schedules().await.unwrap()[0].therapist_id.0;
    let path = format!("/api/v1/therapists/{therapist}/overrides/{}", in_days(3));
    let overlapping =
        app.json("PUT", &path, Some(&manager), r#"{"windows":[["09:00","12:00"],["11:00","13:00"]]}"#).await;
    assert_eq!(overlapping.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", overlapping.body);
    assert_eq!(overlapping.error_fields(), [("overlaps".to_string(), "windows[1][0]".to_string())]);
    let schedule = app.store.schedule(knead_core::TherapistId(therapist)).await.unwrap().unwrap();
    assert!(schedule.overrides.iter().all(|o| o.date != in_days(3)), "nothing was saved");

    let split = app.json("PUT", &path, Some(&manager), r#"{"windows":[["13:00","17:00"],["09:00","12:00"]]}"#).await;
    assert_eq!(split.status, StatusCode::NO_CONTENT, "{}", split.body);
    let schedule = app.store.schedule(knead_core::TherapistId(therapist)).await.unwrap().unwrap();
    let saved = schedule.overrides.iter().find(|o| o.date == in_days(3)).unwrap();
    assert_eq!(saved.windows.as_slice(), [(540, 720), (780, 1020)], "kept in order");
}

#[tokio::test]
async fn a_booking_the_caller_may_not_see_answers_exactly_as_a_missing_one() {
    let app = TestApp::new().await;
    let massage = service(&app, Kind::Individual, Place::Mobile).await;
    let offered = slots(&app, &mobile_query(&massage, in_days(4), 1)).await;
    let start = offered[0]["start"].as_str().unwrap().to_string();
    let created = post_booking(&app, &guest_booking(&massage, &start), None).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_i64().unwrap();
    let missing = id + 1000;
    let manager = app.token_for(MANAGER.0).await;
    assert_eq!(app.get_as(&format!("/api/v1/bookings/{id}"), &manager).await.status, StatusCode::OK, "it exists");

    knead_app::accounts::create_user(
        &app.app,
        "other@example.com",
        "Other Client",
        "client",
        "a-long-unusual-phrase-42",
    )
    .await
    .unwrap();
    let callers = [
        ("anonymous", None),
        ("a client", Some(app.token_for(CLIENT.0).await)),
        ("another client", Some(app.token_for("other@example.com").await)),
        ("a therapist", Some(app.token_for(THERAPIST.0).await)),
    ];
    for (who, auth) in &callers {
        for (what, suffix, method, body) in [
            ("read", "", "GET", ""),
            ("cancel", "/cancel", "POST", ""),
            ("reschedule", "/reschedule", "POST", r#"{"start":"2030-01-01T10:00:00+02:00"}"#),
            ("read with a wrong link", "?token=not-the-link", "GET", ""),
        ] {
            let answer = |booking: i64| {
                let path = format!("/api/v1/bookings/{booking}{suffix}");
                let app = &app;
                async move {
                    let reply = if method == "GET" {
                        match auth {
                            Some(auth) => app.get_as(&path, auth).await,
                            None => app.get(&path).await,
                        }
                    } else {
                        app.json(method, &path, auth.as_ref(), body).await
                    };
                    (reply.status, reply.body)
                }
            };
            let (foreign, never) = (answer(id).await, answer(missing).await);
            assert_eq!(foreign, never, "{who}, {what}: a foreign booking and a missing one answer alike");
            let expected = if auth.is_none() && !suffix.contains("token") {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::NOT_FOUND
            };
            assert_eq!(foreign.0, expected, "{who}, {what}: {}", foreign.1);
        }
    }
    let still = app.get_as(&format!("/api/v1/bookings/{id}"), &manager).await.json();
    assert_eq!(still["status"], "confirmed", "no refused caller changed it");
}

#[tokio::test]
async fn add_ons_lengthen_the_search_and_the_booking_with_its_reason_and_notes() {
    let app = TestApp::new().await;
    let massage = app
        .store
        .list_services(false)
        .await
        .unwrap()
        .into_iter()
        .find(|s| {
            s.kind == Kind::Individual && s.place == Place::Mobile && s.add_ons.iter().any(|a| a.extra_minutes > 0)
        })
        .expect("a mobile massage with an add-on that takes minutes");
    let stones = massage.add_ons.iter().find(|a| a.extra_minutes > 0).unwrap().clone();
    let query = format!("{}&add_ons={}", mobile_query(&massage, in_days(4), 1), stones.name.replace(' ', "+"));
    let longer = slots(&app, &query).await;
    let length = |s: &Value| {
        let (a, b): (jiff::Timestamp, jiff::Timestamp) =
            (s["start"].as_str().unwrap().parse().unwrap(), s["end"].as_str().unwrap().parse().unwrap());
        (b.as_second() - a.as_second()) / 60
    };
    assert_eq!(length(&longer[0]), massage.duration_minutes + stones.extra_minutes, "{:?}", longer[0]);
    let unknown =
        app.get(&format!("/api/v1/availability?{}&add_ons=Gold+leaf", mobile_query(&massage, in_days(4), 1))).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", unknown.body);
    assert_eq!(unknown.error_fields()[0].1, "add_ons");

    let mut body = guest_booking(&massage, longer[0]["start"].as_str().unwrap());
    body["therapist_ids"] = longer[0]["therapist_ids"].clone();
    body["add_ons"] = json!([stones.name.to_lowercase()]);
    body["reason"] = json!("relaxation");
    body["notes"] = json!("Parking in the yard; the dog is friendly");
    let created = post_booking(&app, &body, None).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let b = created.json();
    assert_eq!(b["add_ons"], json!([stones.name]), "named as the service lists it");
    assert_eq!(b["price_cents"], massage.price_cents + stones.price_cents);
    assert_eq!(length(&b), massage.duration_minutes + stones.extra_minutes);
    assert_eq!(b["reason"], "relaxation");
    assert_eq!(b["notes"], "Parking in the yard; the dog is friendly");
    assert_eq!(b["status"], "confirmed");
    assert!(b["client_id"].as_i64().is_some(), "every booking has a client record");
    assert_eq!(b["precautions"], json!([]));
    let token = b["manage_url"].as_str().unwrap().split("token=").nth(1).unwrap().to_string();
    let read = app.get(&format!("/api/v1/bookings/{}?token={token}", b["id"])).await.json();
    assert_eq!((read["notes"].clone(), read["add_ons"].clone()), (b["notes"].clone(), b["add_ons"].clone()));

    body["add_ons"] = json!(["Gold leaf"]);
    body["notes"] = json!("n".repeat(1001));
    let refused = post_booking(&app, &body, None).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    let fields: Vec<String> = refused.error_fields().into_iter().map(|(_, f)| f).collect();
    assert!(fields.contains(&"notes".to_string()), "{fields:?}");
}

#[tokio::test]
async fn a_client_may_ask_for_a_therapist_of_one_gender_and_the_booking_keeps_it() {
    let app = TestApp::new().await;
    let massage = service(&app, Kind::Individual, Place::Mobile).await;
    let men: Vec<i64> = app
        .store
        .list_therapists(false)
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.gender == Some(knead_core::Gender::Male))
        .map(|t| t.id.0)
        .collect();
    let query = mobile_query(&massage, in_days(4), 1);
    let anyone = slots(&app, &query).await;
    let asked = slots(&app, &format!("{query}&therapist_gender=male")).await;
    assert!(!asked.is_empty() && asked.len() <= anyone.len());
    for s in &asked {
        let ids: Vec<i64> = s["therapist_ids"].as_array().unwrap().iter().map(|t| t.as_i64().unwrap()).collect();
        assert!(ids.iter().all(|t| men.contains(t)), "only men are offered: {s}");
    }
    let refused = app.get(&format!("/api/v1/availability?{query}&therapist_gender=anyone")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert_eq!(refused.error_fields()[0].1, "therapist_gender");
    let nobody = app.get(&format!("/api/v1/availability?{query}&therapist_gender=non_binary")).await;
    assert_eq!(nobody.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", nobody.body);
    assert!(nobody.body.contains("no therapist who gives this service is a non-binary therapist"), "{}", nobody.body);

    let mut body = guest_booking(&massage, asked[0]["start"].as_str().unwrap());
    body["therapist_gender"] = json!("male");
    let created = post_booking(&app, &body, None).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let b = created.json();
    assert_eq!(b["therapist_gender"], "male");
    assert!(men.contains(&b["visits"][0]["therapist_id"].as_i64().unwrap()), "{b}");

    body["therapist_gender"] = json!("robot");
    let bad = post_booking(&app, &body, None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("must be female, male or non_binary"), "{}", bad.body);
}
