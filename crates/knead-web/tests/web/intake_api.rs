//! The red-flag screening, the booking gate it makes, clearances and the audit log, through the API over
//! the demo practice: every question at its level, incompleteness named field by field, an emergency that can
//! never be booked, an urgent screening that waits for a clearance, a block precaution that stops a booking,
//! screenings private to their client and staff, and one audit entry per read of health information.

use crate::support::*;
use axum::http::StatusCode;
use jiff::civil::Date;
use jiff::ToSpan;
use knead_core::intake::screening::{all_clear, AnswerKind, QUESTIONS};
use knead_core::{Kind, Place, Service};
use serde_json::{json, Value};

/// A client's home in the demo's central Helsinki: the address point of Yrjönkatu 15.
pub const HOME: (f64, f64) = (60.1672, 24.9402);
pub const HOME_ADDRESS: &str = "15 Yrjönkatu, Helsinki";

pub async fn mobile_massage(app: &TestApp) -> Service {
    app.store
        .list_services(false)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.kind == Kind::Individual && s.place == Place::Mobile)
        .unwrap()
}

pub fn in_days(n: i64) -> Date {
    let tz = jiff::tz::TimeZone::get("Europe/Helsinki").unwrap();
    jiff::Timestamp::now().to_zoned(tz).date().checked_add(n.days()).unwrap()
}

/// The first offered start of the mobile massage `days` days from now, and its therapist.
pub async fn first_slot(app: &TestApp, service: &Service, days: i64) -> (String, i64) {
    let query = format!("service_id={}&lat={}&lon={}&from={}&days=2", service.id.0, HOME.0, HOME.1, in_days(days));
    let reply = app.get(&format!("/api/v1/availability?{query}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let slot = reply.json()["slots"][0].clone();
    (slot["start"].as_str().expect("a slot").to_string(), slot["therapist_ids"][0].as_i64().unwrap())
}

/// A booking body for the mobile massage at `start` with `therapist`, with `extra` fields merged in.
pub fn booking(service: &Service, start: &str, therapist: i64, extra: Value) -> Value {
    let mut body = json!({
        "service_id": service.id.0, "start": start, "therapist_ids": [therapist],
        "lat": HOME.0, "lon": HOME.1, "address": HOME_ADDRESS,
        "client": {"name": "Ana Fictional", "email": "ana@example.com", "phone": "416-555-0100"}
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

/// Every screening answer "no" (age 40, two weeks, improving), with `change` applied.
pub fn screening(change: impl FnOnce(&mut Value)) -> Value {
    let mut answers = serde_json::to_value(all_clear()).unwrap();
    change(&mut answers);
    answers
}

/// A complete health history, every question "no" and consent given, with `change` applied.
pub fn intake(change: impl FnOnce(&mut Value)) -> Value {
    let mut body = json!({});
    for (field, _) in knead_core::intake::health::INTAKE_QUESTIONS {
        if field != "high_risk_pregnancy" {
            body[field] = json!(false);
        }
    }
    for (element, _) in knead_core::intake::health::CONSENT_ELEMENTS {
        body["consent"][element] = json!(true);
    }
    change(&mut body);
    body
}

/// Posts a screening; returns the reply.
pub async fn screen(app: &TestApp, auth: Option<&Auth>, answers: &Value) -> Reply {
    app.json("POST", "/api/v1/screenings", auth, &answers.to_string()).await
}

/// Posts a screening that must be accepted; returns its id and level.
pub async fn screened(app: &TestApp, auth: Option<&Auth>, answers: &Value) -> (String, String) {
    let reply = screen(app, auth, answers).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let body = reply.json();
    (body["id"].as_str().unwrap().to_string(), body["level"].as_str().unwrap().to_string())
}

/// The id of the newest audit entry (reading the log is recorded too, so this adds one).
pub async fn audit_mark(app: &TestApp, manager: &Auth) -> i64 {
    let reply = app.get_as("/api/v1/audit?limit=1", manager).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()["entries"][0]["id"].as_i64().unwrap_or(0)
}

/// The audit entries after `mark`, oldest first, leaving out the manager's own reads of the log.
pub async fn audit_since(app: &TestApp, manager: &Auth, mark: i64) -> Vec<Value> {
    let reply = app.get_as("/api/v1/audit?limit=1000", manager).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let mut entries: Vec<Value> = reply.json()["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["id"].as_i64().unwrap() > mark && e["record"] != "audit_log")
        .cloned()
        .collect();
    entries.reverse();
    entries
}

#[tokio::test]
async fn every_screening_question_raises_its_own_level_through_the_api() {
    let app = TestApp::new().await;
    let (_, clear) = screened(&app, None, &screening(|_| {})).await;
    assert_eq!(clear, "clear");
    for q in QUESTIONS {
        let answers = match (q.field, q.kind) {
            // These qualify the age and the weeks: alone they raise nothing.
            ("first_episode" | "improving", _) => continue,
            ("age", _) => screening(|a| {
                a["first_episode"] = json!(true);
                a["age"] = json!(70);
            }),
            ("symptom_weeks", _) => screening(|a| {
                a["symptom_weeks"] = json!(8);
                a["improving"] = json!(false);
            }),
            (field, AnswerKind::YesNo) => screening(|a| a[field] = json!(true)),
            (field, _) => panic!("a question of a kind this test does not know: {field}"),
        };
        let reply = screen(&app, None, &answers).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}: {}", q.field, reply.body);
        let body = reply.json();
        assert_eq!(body["level"], q.level.as_str(), "{}: {}", q.field, reply.body);
        let reasons = body["reasons"].as_array().unwrap();
        assert_eq!(reasons.len(), 1, "{}: {}", q.field, reply.body);
        assert_eq!(reasons[0]["field"], q.field);
        assert_eq!(reasons[0]["level"], q.level.as_str());
        assert!(!reasons[0]["message"].as_str().unwrap().is_empty());
        assert_eq!(body["id"].as_str().unwrap().len(), 32, "an unguessable id");
    }
    // The qualifiers alone raise nothing: a first episode at 40, or eight weeks that are getting better.
    for answers in [
        screening(|a| a["first_episode"] = json!(true)),
        screening(|a| a["symptom_weeks"] = json!(8)),
        screening(|a| a["improving"] = json!(false)),
    ] {
        assert_eq!(screened(&app, None, &answers).await.1, "clear", "{answers}");
    }
    // The highest level wins, with every reason listed.
    let mixed = screening(|a| {
        a["bladder_change"] = json!(true);
        a["history_of_cancer"] = json!(true);
        a["inflammatory_pattern"] = json!(true);
    });
    let reply = screen(&app, None, &mixed).await.json();
    assert_eq!(reply["level"], "emergency");
    let fields: Vec<&str> = reply["reasons"].as_array().unwrap().iter().map(|r| r["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["bladder_change", "history_of_cancer", "inflammatory_pattern"]);
}

#[tokio::test]
async fn an_incomplete_screening_names_every_question_still_open() {
    let app = TestApp::new().await;
    let empty = screen(&app, None, &json!({})).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", empty.body);
    let named = empty.error_fields();
    for q in QUESTIONS {
        assert!(named.contains(&("required".to_string(), q.field.to_string())), "{} is named: {named:?}", q.field);
    }
    assert_eq!(named.len(), QUESTIONS.len(), "{named:?}");

    let partial = screening(|a| {
        a.as_object_mut().unwrap().remove("saddle_numbness");
        a["bowel_change"] = Value::Null;
        a["age"] = json!(130);
    });
    let reply = screen(&app, None, &partial).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    let mut named = reply.error_fields();
    named.sort();
    assert_eq!(
        named,
        [
            ("out_of_range".to_string(), "age".to_string()),
            ("required".to_string(), "bowel_change".to_string()),
            ("required".to_string(), "saddle_numbness".to_string()),
        ]
    );
    let unknown = screen(&app, None, &screening(|a| a["saddle_numbnes"] = json!(false))).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.error_fields(), [("unknown_field".to_string(), "saddle_numbnes".to_string())]);
}

#[tokio::test]
async fn an_emergency_screening_can_never_become_a_booking() {
    let app = TestApp::new().await;
    let massage = mobile_massage(&app).await;
    let (start, therapist) = first_slot(&app, &massage, 4).await;
    let (id, level) = screened(&app, None, &screening(|a| a["saddle_numbness"] = json!(true))).await;
    assert_eq!(level, "emergency");
    // Sent straight to the API, with the reason it was made for or any other.
    for reason in ["sciatica", "back_pain", "leg_pain", "relaxation"] {
        let body = booking(&massage, &start, therapist, json!({"reason": reason, "screening_id": id}));
        let reply = app.json("POST", "/api/v1/bookings", None, &body.to_string()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{reason}: {}", reply.body);
        assert_eq!(reply.error_fields(), [("red_flag_emergency".to_string(), "screening_id".to_string())]);
        assert!(reply.body.contains("emergency department"), "{}", reply.body);
    }
    let far = jiff::Timestamp::now() - 720.hours();
    assert!(app.store.stops_between(far, far + 9600.hours()).await.unwrap().is_empty(), "nothing was booked");
    // The attempt is kept for the practice.
    let manager = app.token_for(MANAGER.0).await;
    let kept = app.get_as(&format!("/api/v1/screenings/{id}"), &manager).await;
    assert_eq!(kept.status, StatusCode::OK, "{}", kept.body);
    assert_eq!(kept.json()["level"], "emergency");
    assert_eq!(kept.json()["answers"]["saddle_numbness"], true);
    assert_eq!(kept.json()["booking_id"], Value::Null);
}

#[tokio::test]
async fn a_screened_reason_needs_a_complete_screening_of_its_own() {
    let app = TestApp::new().await;
    let massage = mobile_massage(&app).await;
    let (start, therapist) = first_slot(&app, &massage, 4).await;
    for reason in ["back_pain", "leg_pain", "sciatica"] {
        let body = booking(&massage, &start, therapist, json!({"reason": reason}));
        let reply = app.json("POST", "/api/v1/bookings", None, &body.to_string()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{reason}: {}", reply.body);
        assert_eq!(reply.error_fields(), [("required".to_string(), "screening_id".to_string())], "{reason}");
    }
    let cases = [
        (json!({"reason": "sciatica", "screening_id": "0123456789abcdef0123456789abcdef"}), "unknown", "screening_id"),
        (json!({"reason": "sciatica", "screening_id": "not-an-id"}), "invalid", "screening_id"),
        (json!({"reason": "backache"}), "invalid", "reason"),
    ];
    for (extra, code, field) in cases {
        let reply = app
            .json("POST", "/api/v1/bookings", None, &booking(&massage, &start, therapist, extra.clone()).to_string())
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{extra}: {}", reply.body);
        assert!(reply.error_fields().contains(&(code.to_string(), field.to_string())), "{extra}: {}", reply.body);
    }
    // A clear screening books; a routine one too, advising a review.
    let (clear, _) = screened(&app, None, &screening(|_| {})).await;
    let body = booking(&massage, &start, therapist, json!({"reason": "sciatica", "screening_id": clear}));
    let booked = app.json("POST", "/api/v1/bookings", None, &body.to_string()).await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    assert_eq!(booked.json()["status"], "confirmed");
    assert_eq!(booked.json()["reason"], "sciatica");
    assert_eq!(booked.json()["screening_id"], clear.as_str());
}

#[tokio::test]
async fn an_urgent_screening_waits_for_a_clearance_that_staff_record() {
    let app = TestApp::new().await;
    let massage = mobile_massage(&app).await;
    let (start, therapist) = first_slot(&app, &massage, 5).await;
    let client = app.token_for(CLIENT.0).await;
    let (id, level) = screened(&app, Some(&client), &screening(|a| a["history_of_cancer"] = json!(true))).await;
    assert_eq!(level, "urgent");
    let mut body = booking(&massage, &start, therapist, json!({"reason": "back_pain", "screening_id": id}));
    body.as_object_mut().unwrap().remove("client");
    let held = app.json("POST", "/api/v1/bookings", Some(&client), &body.to_string()).await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    let held = held.json();
    assert_eq!(held["status"], "awaiting_clearance");
    assert_eq!(held["precautions"][0], "clearance_required");
    let booking_id = held["id"].as_i64().unwrap();
    let path = format!("/api/v1/bookings/{booking_id}");

    // The time is held: no one else is offered it.
    let date = &held["start_local"].as_str().unwrap()[..10];
    let query = format!(
        "/api/v1/availability?service_id={}&lat={}&lon={}&from={date}&days=1&therapist_id={therapist}",
        massage.id.0, HOME.0, HOME.1
    );
    let offered = app.get(&query).await.json();
    assert!(offered["slots"].as_array().unwrap().iter().all(|s| s["start"] != start.as_str()), "the time is held");

    // Staff see it in the list of bookings waiting for a clearance.
    let manager = app.token_for(MANAGER.0).await;
    let waiting = app.get_as(&format!("/api/v1/bookings?date={date}&status=awaiting_clearance"), &manager).await;
    assert_eq!(waiting.status, StatusCode::OK, "{}", waiting.body);
    assert!(waiting.json()["bookings"].as_array().unwrap().iter().any(|b| b["id"] == booking_id));

    // Only staff record a clearance: a client is refused, anonymous callers asked to sign in.
    let clearance = json!({"cleared_by": "Dr. A. Example, Example Family Clinic", "note": "Fine to treat"}).to_string();
    let refused = app.json("POST", &format!("{path}/clearance"), Some(&client), &clearance).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let anonymous = app.json("POST", &format!("{path}/clearance"), None, &clearance).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let blank = app.json("POST", &format!("{path}/clearance"), Some(&manager), r#"{"cleared_by":" "}"#).await;
    assert_eq!(blank.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", blank.body);
    assert_eq!(blank.error_fields()[0].1, "cleared_by");
    assert_eq!(app.get_as(&path, &client).await.json()["status"], "awaiting_clearance");

    let cleared = app.json("POST", &format!("{path}/clearance"), Some(&manager), &clearance).await;
    assert_eq!(cleared.status, StatusCode::OK, "{}", cleared.body);
    assert_eq!(cleared.json()["status"], "confirmed");
    assert_eq!(cleared.json()["id"], booking_id);
    assert_eq!(app.get_as(&path, &client).await.json()["status"], "confirmed");
    let again = app.json("POST", &format!("{path}/clearance"), Some(&manager), &clearance).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.error_fields(), [("not_awaiting_clearance".to_string(), "status".to_string())]);

    // The client's file shows the clearance, who recorded it and when.
    let client_id = held["client_id"].as_i64().unwrap();
    let file = app.get_as(&format!("/api/v1/clients/{client_id}"), &manager).await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.body);
    let clearances = file.json()["clearances"].clone();
    assert_eq!(clearances[0]["cleared_by"], "Dr. A. Example, Example Family Clinic");
    assert_eq!(clearances[0]["booking_id"], booking_id);
    assert!(clearances[0]["recorded_at"].as_str().unwrap().ends_with(":00"), "with the practice's offset");
}

#[tokio::test]
async fn a_block_precaution_in_the_health_history_stops_the_booking() {
    let app = TestApp::new().await;
    let massage = mobile_massage(&app).await;
    let (start, therapist) = first_slot(&app, &massage, 4).await;
    for field in ["suspected_clot", "fever_or_contagious"] {
        let history = intake(|h| h[field] = json!(true));
        let body = booking(&massage, &start, therapist, json!({"reason": "relaxation", "intake": history}));
        let reply = app.json("POST", "/api/v1/bookings", None, &body.to_string()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {}", reply.body);
        assert_eq!(reply.error_fields(), [("contraindicated".to_string(), "intake".to_string())], "{field}");
    }
    let far = jiff::Timestamp::now() - 720.hours();
    assert!(app.store.stops_between(far, far + 9600.hours()).await.unwrap().is_empty(), "nothing was booked");
    // An incomplete history with the booking names each open field under `intake.`.
    let open = intake(|h| {
        h.as_object_mut().unwrap().remove("suspected_clot");
        h["consent"]["risks"] = json!(false);
    });
    let body = booking(&massage, &start, therapist, json!({"reason": "relaxation", "intake": open}));
    let reply = app.json("POST", "/api/v1/bookings", None, &body.to_string()).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    let named = reply.error_fields();
    assert!(named.contains(&("required".to_string(), "intake.suspected_clot".to_string())), "{named:?}");
    assert!(named.contains(&("consent_required".to_string(), "intake.consent.risks".to_string())), "{named:?}");
    // With nothing that rules massage out, it books, carrying what the history says.
    let fine = intake(|h| h["varicose_veins"] = json!(true));
    let body = booking(&massage, &start, therapist, json!({"reason": "relaxation", "intake": fine}));
    let reply = app.json("POST", "/api/v1/bookings", None, &body.to_string()).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.json()["status"], "confirmed");
    assert!(reply.json()["precautions"].as_array().unwrap().iter().all(|c| c != "block"), "{}", reply.body);
}

#[tokio::test]
async fn a_screening_is_read_only_by_its_client_and_staff() {
    let app = TestApp::new().await;
    knead_app::accounts::create_user(
        &app.app,
        "other@example.com",
        "Other Client",
        "client",
        "a-long-unusual-phrase-42",
    )
    .await
    .unwrap();
    let client = app.token_for(CLIENT.0).await;
    let other = app.token_for("other@example.com").await;
    let (id, _) = screened(&app, Some(&client), &screening(|a| a["history_of_cancer"] = json!(true))).await;
    let path = format!("/api/v1/screenings/{id}");
    let own = app.get_as(&path, &client).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert_eq!(own.json()["level"], "urgent");
    assert_eq!(own.json()["answers"]["history_of_cancer"], true);
    assert!(own.json()["client_id"].as_i64().is_some(), "a signed-in client's screening is theirs at once");
    assert_eq!(app.get_as(&path, &app.token_for(MANAGER.0).await).await.status, StatusCode::OK);

    let missing = format!("/api/v1/screenings/{}", "f".repeat(32));
    for (who, auth) in
        [("another client", &other), ("a therapist who does not see them", &app.token_for(THERAPIST.0).await)]
    {
        let foreign = app.get_as(&path, auth).await;
        let never = app.get_as(&missing, auth).await;
        assert_eq!(foreign.status, StatusCode::NOT_FOUND, "{who}: {}", foreign.body);
        assert_eq!(foreign.body, never.body, "{who}: a foreign screening answers as a missing one");
        assert!(!foreign.body.contains("history_of_cancer"));
    }
    assert_eq!(app.get_as("/api/v1/screenings/not-an-id", &other).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&path).await.status, StatusCode::UNAUTHORIZED);
    // A guest's screening belongs to no one until booked: only staff may read it.
    let (guest, _) = screened(&app, None, &screening(|_| {})).await;
    assert_eq!(app.get_as(&format!("/api/v1/screenings/{guest}"), &other).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_read_of_health_information_leaves_exactly_one_audit_entry() {
    let app = TestApp::new().await;
    let manager = app.token_for(MANAGER.0).await;
    let client = app.token_for(CLIENT.0).await;
    let massage = mobile_massage(&app).await;
    let (start, therapist) = first_slot(&app, &massage, 6).await;
    let (screening_id, _) = screened(&app, Some(&client), &screening(|_| {})).await;
    let mut body = booking(&massage, &start, therapist, json!({"reason": "sciatica", "screening_id": screening_id}));
    body.as_object_mut().unwrap().remove("client");
    let booked = app.json("POST", "/api/v1/bookings", Some(&client), &body.to_string()).await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let booking_id = booked.json()["id"].as_i64().unwrap();
    let client_id = booked.json()["client_id"].as_i64().unwrap();

    // A change is one entry too: a new version of the health history.
    let mark = audit_mark(&app, &manager).await;
    let added = app
        .json("POST", &format!("/api/v1/clients/{client_id}/intakes"), Some(&client), &intake(|_| {}).to_string())
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    let entries = audit_since(&app, &manager, mark).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!((entries[0]["action"].as_str(), entries[0]["record"].as_str()), (Some("create"), Some("intake")));
    assert_eq!(entries[0]["client_id"], client_id);

    let reads = [
        (format!("/api/v1/screenings/{screening_id}"), &client, "screening"),
        (format!("/api/v1/screenings/{screening_id}"), &manager, "screening"),
        (format!("/api/v1/clients/{client_id}/intakes"), &client, "intake"),
        (format!("/api/v1/clients/{client_id}/intakes"), &manager, "intake"),
        (format!("/api/v1/clients/{client_id}"), &manager, ""),
        (format!("/api/v1/clients/{client_id}"), &client, ""),
    ];
    for (path, who, record) in reads {
        let mark = audit_mark(&app, &manager).await;
        let reply = app.get_as(&path, who).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        let entries = audit_since(&app, &manager, mark).await;
        assert_eq!(entries.len(), 1, "{path}: exactly one entry: {entries:?}");
        assert_eq!(entries[0]["action"], "read", "{path}");
        assert_eq!(entries[0]["client_id"], client_id, "{path}");
        assert!(record.is_empty() || entries[0]["record"] == record, "{path}: {entries:?}");
        assert!(entries[0]["actor_id"].as_i64().is_some(), "{path}: who read it");
    }
    // Reading a booking shows no health information (only the kinds of precaution): no entry.
    let mark = audit_mark(&app, &manager).await;
    assert_eq!(app.get_as(&format!("/api/v1/bookings/{booking_id}"), &client).await.status, StatusCode::OK);
    assert!(audit_since(&app, &manager, mark).await.is_empty());
    // A refused read leaves none either.
    let therapist_token = app.token_for(THERAPIST.0).await;
    let mark = audit_mark(&app, &manager).await;
    let refused = app.get_as(&format!("/api/v1/clients/{client_id}/intakes"), &therapist_token).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND, "Mara gives no mobile visits: not her client");
    assert!(audit_since(&app, &manager, mark).await.is_empty(), "a refused read is not a read");
}

#[tokio::test]
async fn the_audit_log_is_for_managers_and_exports_as_csv() {
    let app = TestApp::new().await;
    let manager = app.token_for(MANAGER.0).await;
    screened(&app, None, &screening(|_| {})).await;
    for (who, auth, status) in [
        ("a client", Some(app.token_for(CLIENT.0).await), StatusCode::FORBIDDEN),
        ("a therapist", Some(app.token_for(THERAPIST.0).await), StatusCode::FORBIDDEN),
        ("anonymous", None, StatusCode::UNAUTHORIZED),
    ] {
        for path in ["/api/v1/audit", "/api/v1/audit/export"] {
            let reply = match &auth {
                Some(a) => app.get_as(path, a).await,
                None => app.get(path).await,
            };
            assert_eq!(reply.status, status, "{who} {path}: {}", reply.body);
        }
    }
    let log = app.get_as("/api/v1/audit", &manager).await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.body);
    let entries = log.json()["entries"].as_array().unwrap().clone();
    assert!(entries.iter().any(|e| e["record"] == "screening" && e["action"] == "create"), "{entries:?}");
    for pair in entries.windows(2) {
        assert!(pair[0]["id"].as_i64() > pair[1]["id"].as_i64(), "newest first");
    }
    assert_eq!(app.get_as("/api/v1/audit?limit=0", &manager).await.error_fields()[0].1, "limit");
    assert_eq!(app.get_as("/api/v1/audit?limit=1001", &manager).await.status, StatusCode::UNPROCESSABLE_ENTITY);

    let csv = app.get_as("/api/v1/audit/export", &manager).await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    assert!(csv.headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    let mut lines = csv.body.lines();
    assert!(lines.next().unwrap().contains("prev_hash"), "a header line");
    assert!(lines.any(|l| l.contains("screening")), "{}", csv.body);
    let after = app.get_as("/api/v1/audit?limit=5", &manager).await.json();
    assert!(after["entries"].as_array().unwrap().iter().any(|e| e["action"] == "export"), "the export is recorded");
}

#[tokio::test]
async fn a_booking_held_for_clearance_can_be_cancelled_and_then_is_not_cleared() {
    let app = TestApp::new().await;
    let massage = mobile_massage(&app).await;
    let (start, therapist) = first_slot(&app, &massage, 7).await;
    let (id, _) = screened(&app, None, &screening(|a| a["progressive_weakness"] = json!(true))).await;
    let body = booking(&massage, &start, therapist, json!({"reason": "leg_pain", "screening_id": id}));
    let held = app.json("POST", "/api/v1/bookings", None, &body.to_string()).await.json();
    assert_eq!(held["status"], "awaiting_clearance", "{held}");
    let token = held["manage_url"].as_str().unwrap().split("token=").nth(1).unwrap().to_string();
    let path = format!("/api/v1/bookings/{}", held["id"]);
    let read = app.get(&format!("{path}?token={token}")).await;
    assert_eq!(read.json()["status"], "awaiting_clearance", "the guest's link shows it waiting: {}", read.body);
    let cancelled = app.json("POST", &format!("{path}/cancel?token={token}"), None, "").await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert_eq!(cancelled.json()["status"], "cancelled");
    let manager = app.token_for(MANAGER.0).await;
    let clearance = json!({"cleared_by": "Dr. A. Example"}).to_string();
    let refused = app.json("POST", &format!("{path}/clearance"), Some(&manager), &clearance).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert_eq!(refused.error_fields(), [("not_awaiting_clearance".to_string(), "status".to_string())]);
}
