//! Issue 10's key scenarios through the real server, on SQLite and on PostgreSQL: an emergency screening
//! never books (not even sent straight to the API), an urgent one waits for a clearance and is then
//! confirmed, a block precaution stops a booking, another client's health history is a 404, and each read
//! of health information leaves exactly one audit entry.

use crate::support::{api_json as call, token_for as token, *};
use serde_json::{json, Value};

/// A client's home in the demo's central Helsinki: the address point of Yrjönkatu 15.
const HOME_LAT: f64 = 60.1672;
const HOME_LON: f64 = 24.9402;
const OTHER: &str = "other-client@example.com";

/// The `code`s and `field`s of an error answer.
fn errors(body: &Value) -> Vec<(String, String)> {
    body["errors"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|e| (e["code"].as_str().unwrap_or("").to_string(), e["field"].as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// Every red-flag answer "no" (age 40, two weeks, getting better), with `yes` answered "yes".
fn screening(yes: Option<&str>) -> Value {
    let mut answers = serde_json::to_value(knead_core::intake::screening::all_clear()).unwrap();
    if let Some(field) = yes {
        answers[field] = json!(true);
    }
    answers
}

/// A complete health history, every question "no" and consent given, with `yes` answered "yes".
fn history(yes: Option<&str>) -> Value {
    let mut body = json!({});
    for (field, _) in knead_core::intake::health::INTAKE_QUESTIONS {
        if field != "high_risk_pregnancy" {
            body[field] = json!(false);
        }
    }
    for (element, _) in knead_core::intake::health::CONSENT_ELEMENTS {
        body["consent"][element] = json!(true);
    }
    if let Some(field) = yes {
        body[field] = json!(true);
    }
    body
}

/// The mobile massage's offered starts with their therapists, `days` days out for a week.
fn offered(server: &Server, service: &Value, days: i64) -> Vec<(String, i64)> {
    let tz = jiff::tz::TimeZone::get("Europe/Helsinki").unwrap();
    let from = jiff::Timestamp::now().to_zoned(tz).date().checked_add(jiff::ToSpan::days(days)).unwrap();
    let query =
        format!("/api/v1/availability?service_id={}&lat={HOME_LAT}&lon={HOME_LON}&from={from}&days=7", service["id"]);
    let slots: Value = server.get(&query).into_json().unwrap();
    slots["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["start"].as_str().unwrap().to_string(), s["therapist_ids"][0].as_i64().unwrap()))
        .collect()
}

/// A booking body for the mobile massage at `slot`, with `extra` merged in; a guest's contact unless signed in.
fn booking(service: &Value, slot: &(String, i64), guest: bool, extra: Value) -> Value {
    let mut body = json!({
        "service_id": service["id"], "start": slot.0, "therapist_ids": [slot.1],
        "lat": HOME_LAT, "lon": HOME_LON, "address": "15 Yrjönkatu, Helsinki"
    });
    if guest {
        body["client"] = json!({"name": "Ana Fictional", "email": "ana@example.com", "phone": "416-555-0100"});
    }
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

/// Audit entries after `mark` that are not the manager's own reads of the log, and the newest id.
fn audit_since(server: &Server, manager: &str, mark: i64) -> (Vec<Value>, i64) {
    let (status, log) = call(server, "GET", "/api/v1/audit?limit=1000", Some(manager), None);
    assert_eq!(status, 200, "{log}");
    let entries = log["entries"].as_array().unwrap();
    let newest = entries.first().and_then(|e| e["id"].as_i64()).unwrap_or(0);
    let new =
        entries.iter().filter(|e| e["id"].as_i64().unwrap() > mark && e["record"] != "audit_log").cloned().collect();
    (new, newest)
}

/// The scenarios, against a server started with the demo on the database at `url`.
fn scenarios(url: &str) {
    let server = Server::start(&["--demo", "--database-url", url]);
    let created = run(
        &[
            "user",
            "create",
            "--role",
            "client",
            "--email",
            OTHER,
            "--password",
            "another-clients-password",
            "--database-url",
            url,
        ],
        "",
    );
    assert!(created.status.success(), "{}", text(&created.stderr));
    let manager = token(url, "manager@demo.knead.test");
    let client = token(url, "client@demo.knead.test");
    let other = token(url, OTHER);
    let service = mobile_individual_service(&server);
    let slots = offered(&server, &service, 3);
    // Starts on three different days, so no two bookings here compete for a therapist's time.
    let mut days = Vec::new();
    let mut picks = Vec::new();
    for slot in &slots {
        if !days.contains(&slot.0[..10].to_string()) {
            days.push(slot.0[..10].to_string());
            picks.push(slot.clone());
        }
    }
    assert!(picks.len() >= 3, "three days with free starts: {slots:?}");

    // An emergency screening is kept, and can never become a booking, whatever reason is sent with it.
    let (status, emergency) =
        call(&server, "POST", "/api/v1/screenings", None, Some(&screening(Some("saddle_numbness"))));
    assert_eq!((status, emergency["level"].as_str()), (201, Some("emergency")), "{emergency}");
    for reason in ["sciatica", "relaxation"] {
        let body = booking(&service, &picks[0], true, json!({"reason": reason, "screening_id": emergency["id"]}));
        let (status, refused) = call(&server, "POST", "/api/v1/bookings", None, Some(&body));
        assert_eq!(status, 422, "{refused}");
        assert_eq!(errors(&refused), [("red_flag_emergency".to_string(), "screening_id".to_string())]);
    }
    let (status, incomplete) = call(&server, "POST", "/api/v1/screenings", None, Some(&json!({"age": 40})));
    assert_eq!(status, 422);
    assert!(errors(&incomplete).contains(&("required".to_string(), "saddle_numbness".to_string())), "{incomplete}");

    // A block precaution in the health history stops the booking.
    let body =
        booking(&service, &picks[0], true, json!({"reason": "relaxation", "intake": history(Some("suspected_clot"))}));
    let (status, blocked) = call(&server, "POST", "/api/v1/bookings", None, Some(&body));
    assert_eq!(status, 422, "{blocked}");
    assert_eq!(errors(&blocked), [("contraindicated".to_string(), "intake".to_string())]);
    let (_, open) = call(
        &server,
        "GET",
        &format!(
            "/api/v1/availability?service_id={}&lat={HOME_LAT}&lon={HOME_LON}&from={}&days=1&therapist_id={}",
            service["id"],
            &picks[0].0[..10],
            picks[0].1
        ),
        None,
        None,
    );
    assert!(open["slots"].as_array().unwrap().iter().any(|s| s["start"] == picks[0].0.as_str()), "nothing was booked");

    // An urgent screening holds the visit until staff record a clearance.
    let (status, urgent) =
        call(&server, "POST", "/api/v1/screenings", Some(&client), Some(&screening(Some("history_of_cancer"))));
    assert_eq!((status, urgent["level"].as_str()), (201, Some("urgent")), "{urgent}");
    let body = booking(&service, &picks[1], false, json!({"reason": "back_pain", "screening_id": urgent["id"]}));
    let (status, held) = call(&server, "POST", "/api/v1/bookings", Some(&client), Some(&body));
    assert_eq!((status, held["status"].as_str()), (201, Some("awaiting_clearance")), "{held}");
    let clearance = format!("/api/v1/bookings/{}/clearance", held["id"]);
    let note = json!({"cleared_by": "Dr. A. Example, Example Family Clinic"});
    assert_eq!(call(&server, "POST", &clearance, Some(&client), Some(&note)).0, 403);
    let (status, cleared) = call(&server, "POST", &clearance, Some(&manager), Some(&note));
    assert_eq!((status, cleared["status"].as_str()), (200, Some("confirmed")), "{cleared}");
    let (status, again) = call(&server, "POST", &clearance, Some(&manager), Some(&note));
    assert_eq!(status, 409, "{again}");

    // The client's health history: theirs to add to and read; another client gets a 404, as for no one.
    let client_id = held["client_id"].as_i64().expect("the booking's client record");
    let intakes = format!("/api/v1/clients/{client_id}/intakes");
    let (status, version) = call(&server, "POST", &intakes, Some(&client), Some(&history(None)));
    assert_eq!((status, version["version"].as_i64()), (201, Some(1)), "{version}");
    for (method, body) in [("GET", None), ("POST", Some(history(None)))] {
        let (foreign, answer) = call(&server, method, &intakes, Some(&other), body.as_ref());
        let (missing, never) = call(&server, method, "/api/v1/clients/987654/intakes", Some(&other), body.as_ref());
        assert_eq!((foreign, missing), (404, 404), "{method}: {answer}");
        assert_eq!(answer, never, "{method}: answers as a missing client");
    }
    let (status, screening_read) =
        call(&server, "GET", &format!("/api/v1/screenings/{}", urgent["id"].as_str().unwrap()), Some(&other), None);
    assert_eq!(status, 404, "{screening_read}");

    // Each read of health information leaves exactly one audit entry.
    let (_, mut mark) = audit_since(&server, &manager, i64::MAX);
    let reads = [
        (intakes.clone(), &client, "intake"),
        (intakes.clone(), &manager, "intake"),
        (format!("/api/v1/screenings/{}", urgent["id"].as_str().unwrap()), &client, "screening"),
        (format!("/api/v1/clients/{client_id}"), &manager, ""),
    ];
    for (path, who, record) in reads {
        let (status, body) = call(&server, "GET", &path, Some(who), None);
        assert_eq!(status, 200, "{path}: {body}");
        let (entries, newest) = audit_since(&server, &manager, mark);
        assert_eq!(entries.len(), 1, "{path}: {entries:?}");
        assert_eq!(entries[0]["action"], "read", "{path}");
        assert_eq!(entries[0]["client_id"], client_id, "{path}");
        assert!(record.is_empty() || entries[0]["record"] == record, "{path}: {entries:?}");
        mark = newest;
    }
    let (status, csv) = call(&server, "GET", "/api/v1/audit/export", Some(&manager), None);
    assert_eq!(status, 200);
    assert!(csv.as_str().is_some_and(|t| t.lines().count() > 5), "{csv}");
}

#[test]
fn the_intake_scenarios_hold_on_sqlite() {
    let db = TempDb::new();
    scenarios(&db.url);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_intake_scenarios_hold_on_postgresql() {
    let Some(db) = knead_store_postgres::testing::fresh_database().await else { return };
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || scenarios(&url)).await.unwrap();
    db.cleanup().await;
}
