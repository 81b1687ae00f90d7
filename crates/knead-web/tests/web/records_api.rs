//! Care records through the API over in-memory SQLite with the demo practice: a signed note never changes
//! and an amendment keeps the original, every access to health information leaves exactly one audit entry,
//! a therapist cannot reach another therapist's client's episode, bad input names its fields, and six leg
//! pain visits without improvement make the episode a non-responder from the sixth.

use crate::intake_api::{audit_mark, audit_since};
use crate::support::*;
use axum::http::StatusCode;
use jiff::ToSpan;
use serde_json::{json, Value};

/// A client made by the manager; their id.
pub async fn new_client(app: &TestApp, manager: &Auth, email: &str) -> i64 {
    let body = json!({"name": "Rowan Fictional", "email": email, "phone": "416-555-0142"});
    let made = app.json("POST", "/api/v1/clients", Some(manager), &body.to_string()).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    made.json()["id"].as_i64().unwrap()
}

/// The id of a demo therapist's profile: Mara's, or one who is not Mara.
pub async fn therapist_id(app: &TestApp, mara: bool) -> i64 {
    let all = app.store.list_therapists(false).await.unwrap();
    all.iter().find(|t| (t.slug.as_str() == "mara-quill") == mara).expect("a demo therapist").id.0
}

/// An episode of sciatica (right leg) opened by the manager for `client`, with `therapist` responsible.
pub async fn new_episode(app: &TestApp, manager: &Auth, client: i64, therapist: i64) -> i64 {
    let body = json!({"condition": "Sciatica", "side": "right", "started_on": days_ago(42).to_string(),
        "therapist_id": therapist});
    let made = app.json("POST", &format!("/api/v1/clients/{client}/episodes"), Some(manager), &body.to_string()).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    made.json()["id"].as_i64().unwrap()
}

pub fn days_ago(n: i64) -> jiff::civil::Date {
    jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date().checked_sub(n.days()).unwrap()
}

/// Noon UTC `n` days ago, RFC 3339: the same day in the practice's zone.
pub fn noon_days_ago(n: i64) -> String {
    format!("{}T12:00:00Z", days_ago(n))
}

pub fn note_body(subjective: &str) -> Value {
    json!({
        "subjective": subjective, "objective": "Tight right piriformis; straight-leg raise 60 degrees.",
        "assessment": "Leg pain unchanged.", "plan": "Continue weekly.",
        "areas_treated": ["lower back", "right gluteal"], "techniques": ["swedish", "myofascial_release"],
        "pressure": "moderate", "response": "Less tight after the session.", "self_care": "Knee to chest daily.",
        "referrals": "", "started_at": noon_days_ago(1), "duration_minutes": 60
    })
}

async fn post(app: &TestApp, who: &Auth, path: &str, body: &Value) -> Reply {
    app.json("POST", path, Some(who), &body.to_string()).await
}

fn created(reply: &Reply) -> Value {
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.json()
}

#[tokio::test]
async fn a_signed_note_never_changes_and_an_amendment_keeps_the_original() {
    let app = TestApp::new().await;
    let manager = app.token_for(MANAGER.0).await;
    let client = new_client(&app, &manager, "rowan.signed@example.com").await;
    let episode = new_episode(&app, &manager, client, therapist_id(&app, true).await).await;
    let note = created(&post(&app, &manager, &format!("/api/v1/episodes/{episode}/notes"), &note_body("First")).await);
    let id = note["id"].as_i64().unwrap();
    assert_eq!(note["status"], "draft");

    // A draft edits, by PATCH (some fields) and by PUT (all of them).
    let patched = app.json("PATCH", &format!("/api/v1/notes/{id}"), Some(&manager), r#"{"subjective":"Edited"}"#).await;
    assert_eq!(patched.status, StatusCode::OK, "{}", patched.body);
    assert_eq!(
        (patched.json()["subjective"].as_str(), patched.json()["duration_minutes"].as_i64()),
        (Some("Edited"), Some(60))
    );
    let put = app.json("PUT", &format!("/api/v1/notes/{id}"), Some(&manager), &note_body("Put").to_string()).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);

    let signed = post(&app, &manager, &format!("/api/v1/notes/{id}/sign"), &json!({})).await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.body);
    assert_eq!(signed.json()["status"], "signed");
    assert!(signed.json()["signed_digest"].as_str().is_some_and(|d| d.len() == 64));

    // Locked: neither edit goes through, nor a second signature.
    for (method, body) in [("PATCH", json!({"subjective": "Changed"})), ("PUT", note_body("Changed"))] {
        let refused = app.json(method, &format!("/api/v1/notes/{id}"), Some(&manager), &body.to_string()).await;
        assert_eq!(refused.status, StatusCode::CONFLICT, "{method}: {}", refused.body);
        assert_eq!(refused.json()["errors"][0]["code"], "already_signed", "{method}");
    }
    let again = post(&app, &manager, &format!("/api/v1/notes/{id}/sign"), &json!({})).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);

    // An amendment without a reason is refused, naming it; with one it is a new signed version.
    let no_reason = post(&app, &manager, &format!("/api/v1/notes/{id}/amendments"), &note_body("Corrected")).await;
    assert_eq!(no_reason.status, StatusCode::BAD_REQUEST, "{}", no_reason.body);
    let mut amendment = note_body("Corrected: pain 6/10 in the right calf");
    amendment["reason"] = json!("The calf, not the thigh, was recorded by mistake.");
    let amended = created(&post(&app, &manager, &format!("/api/v1/notes/{id}/amendments"), &amendment).await);
    assert_eq!((amended["status"].as_str(), amended["amends"].as_i64()), (Some("signed"), Some(id)));
    assert_eq!(amended["amendment_reason"], "The calf, not the thigh, was recorded by mistake.");

    // The original stays readable, unchanged, with both versions beside it.
    let original = app.get_as(&format!("/api/v1/notes/{id}"), &manager).await;
    assert_eq!(original.status, StatusCode::OK, "{}", original.body);
    let original = original.json();
    assert_eq!(original["subjective"], "Put");
    assert_eq!(original["signed_digest"], signed.json()["signed_digest"]);
    assert_eq!(original["amended_by"], amended["id"]);
    let versions: Vec<i64> =
        original["versions"].as_array().unwrap().iter().map(|v| v["id"].as_i64().unwrap()).collect();
    assert_eq!(versions, vec![id, amended["id"].as_i64().unwrap()]);
    // The amended version is amended again from its newest version only.
    amendment["reason"] = json!("Again");
    let stale = post(&app, &manager, &format!("/api/v1/notes/{id}/amendments"), &amendment).await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", stale.body);
}

#[tokio::test]
async fn every_access_to_a_record_leaves_exactly_one_audit_entry() {
    let app = TestApp::new().await;
    let manager = app.token_for(MANAGER.0).await;
    let client = new_client(&app, &manager, "rowan.audit@example.com").await;
    let mark = audit_mark(&app, &manager).await;
    let episode = new_episode(&app, &manager, client, therapist_id(&app, true).await).await;
    let entries = audit_since(&app, &manager, mark).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!((entries[0]["action"].as_str(), entries[0]["record"].as_str()), (Some("create"), Some("episode")));
    assert_eq!(entries[0]["record_id"], episode.to_string(), "the entry names the new episode");

    let e = format!("/api/v1/episodes/{episode}");
    let steps: Vec<(&str, String, Value, &str, &str)> = vec![
        ("GET", e.clone(), Value::Null, "read", "episode"),
        ("GET", format!("/api/v1/clients/{client}/episodes"), Value::Null, "read", "episode"),
        (
            "POST",
            format!("{e}/measures"),
            json!({"instrument": "nprs_leg", "answers": {"value": 6}}),
            "create",
            "measure",
        ),
        ("GET", format!("{e}/measures"), Value::Null, "read", "measures"),
        ("POST", format!("{e}/notes"), note_body("Audit"), "create", "note"),
        (
            "POST",
            format!("{e}/programs"),
            json!({"exercises": [{"exercise": "knee_to_chest", "sets": 2, "reps": 10,
            "hold_seconds": 20, "per_day": 1, "days_per_week": 7}]}),
            "create",
            "program",
        ),
        ("POST", format!("{e}/referrals"), json!({}), "create", "referral"),
        ("PATCH", e.clone(), json!({"status": "discharged"}), "change", "episode"),
    ];
    let mut note = 0;
    let mut referral = 0;
    for (method, path, body, action, record) in steps {
        let mark = audit_mark(&app, &manager).await;
        let reply = if method == "GET" {
            app.get_as(&path, &manager).await
        } else {
            app.json(method, &path, Some(&manager), &body.to_string()).await
        };
        assert!(reply.status.is_success(), "{method} {path}: {}", reply.body);
        if path.ends_with("/notes") {
            note = reply.json()["id"].as_i64().unwrap();
        }
        if path.ends_with("/referrals") {
            referral = reply.json()["id"].as_i64().unwrap();
        }
        let entries = audit_since(&app, &manager, mark).await;
        assert_eq!(entries.len(), 1, "{method} {path}: exactly one entry: {entries:?}");
        assert_eq!(
            (entries[0]["action"].as_str(), entries[0]["record"].as_str()),
            (Some(action), Some(record)),
            "{path}"
        );
        assert_eq!(entries[0]["client_id"], client, "{path}");
        assert!(!entries[0]["record_id"].as_str().unwrap().is_empty(), "{path}: the entry names its record");
    }
    for (method, path, action) in [
        ("GET", format!("/api/v1/notes/{note}"), "read"),
        ("POST", format!("/api/v1/notes/{note}/sign"), "change"),
        ("GET", format!("/api/v1/referrals/{referral}"), "read"),
        ("PATCH", format!("/api/v1/referrals/{referral}"), "change"),
        ("GET", format!("/api/v1/referrals/{referral}/fhir"), "export"),
    ] {
        let mark = audit_mark(&app, &manager).await;
        let reply = if method == "GET" {
            app.get_as(&path, &manager).await
        } else {
            app.json(method, &path, Some(&manager), r#"{"recipient_name":"Dr. Example Clinic"}"#).await
        };
        assert!(reply.status.is_success(), "{method} {path}: {}", reply.body);
        let entries = audit_since(&app, &manager, mark).await;
        assert_eq!(entries.len(), 1, "{method} {path}: exactly one entry: {entries:?}");
        assert_eq!(entries[0]["action"], action, "{path}");
    }
}

#[tokio::test]
async fn a_therapist_reaches_only_their_own_clients_episodes() {
    let app = TestApp::new().await;
    let manager = app.token_for(MANAGER.0).await;
    let mara = app.token_for(THERAPIST.0).await;
    let hers = new_client(&app, &manager, "rowan.hers@example.com").await;
    let mine = new_episode(&app, &manager, hers, therapist_id(&app, true).await).await;
    let others = new_client(&app, &manager, "rowan.others@example.com").await;
    let not_mine = new_episode(&app, &manager, others, therapist_id(&app, false).await).await;

    let reply = app.get_as(&format!("/api/v1/episodes/{mine}"), &mara).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let mark = audit_mark(&app, &manager).await;
    for path in [
        format!("/api/v1/episodes/{not_mine}"),
        format!("/api/v1/episodes/{not_mine}/measures"),
        format!("/api/v1/clients/{others}/episodes"),
        "/api/v1/episodes/999999".to_string(),
    ] {
        let refused = app.get_as(&path, &mara).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{path}: {}", refused.body);
    }
    let note = post(&app, &mara, &format!("/api/v1/episodes/{not_mine}/notes"), &note_body("Not mine")).await;
    assert_eq!(note.status, StatusCode::NOT_FOUND, "{}", note.body);
    assert!(audit_since(&app, &manager, mark).await.is_empty(), "a refused access is not recorded as one");

    // A client sees their own episodes only, and records only their own pain and activities.
    let client = app.token_for(CLIENT.0).await;
    assert_eq!(app.get_as(&format!("/api/v1/episodes/{mine}"), &client).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_input_names_its_fields_and_changes_nothing() {
    let app = TestApp::new().await;
    let manager = app.token_for(MANAGER.0).await;
    let client = new_client(&app, &manager, "rowan.invalid@example.com").await;
    let bad = json!({"condition": " ", "side": "up", "started_on": days_ago(-3).to_string(),
        "other_care": {"physician": true, "details": "Dr. \u{0084}Example"}});
    let mark = audit_mark(&app, &manager).await;
    let refused = post(&app, &manager, &format!("/api/v1/clients/{client}/episodes"), &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    let fields: Vec<String> = refused.error_fields().into_iter().map(|(_, f)| f).collect();
    assert_eq!(fields, ["condition", "side", "started_on", "other_care.details"], "{}", refused.body);
    assert!(audit_since(&app, &manager, mark).await.is_empty(), "nothing was written");

    let episode = new_episode(&app, &manager, client, therapist_id(&app, true).await).await;
    let e = format!("/api/v1/episodes/{episode}");
    let cases = [
        (format!("{e}/measures"), json!({"instrument": "nprs_leg", "answers": {"value": 11}}), "answers.value"),
        (format!("{e}/measures"), json!({"instrument": "nprs_knee", "answers": {"value": 1}}), "instrument"),
        (
            format!("{e}/measures"),
            json!({"instrument": "nprs_leg", "answers": {"value": 3}, "taken_at": "yesterday"}),
            "taken_at",
        ),
        (
            format!("{e}/programs"),
            json!({"exercises": [
                {"exercise": "knee_to_chest", "sets": 2, "reps": 10, "hold_seconds": 20, "per_day": 1, "days_per_week": 7},
                {"exercise": "glute_bridge", "sets": 0, "reps": 10, "hold_seconds": 0, "per_day": 1, "days_per_week": 5}]}),
            "exercises[1].sets",
        ),
        (
            format!("{e}/notes"),
            {
                let mut n = note_body("x");
                n["duration_minutes"] = json!(0);
                n
            },
            "duration_minutes",
        ),
    ];
    for (path, body, field) in cases {
        let mark = audit_mark(&app, &manager).await;
        let refused = post(&app, &manager, &path, &body).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {}", refused.body);
        assert!(refused.error_fields().iter().any(|(_, f)| f == field), "{path}: {field} named in {}", refused.body);
        assert!(audit_since(&app, &manager, mark).await.is_empty(), "{path}: nothing was written");
    }
    let listed = app.get_as(&format!("{e}/measures"), &manager).await.json();
    assert_eq!(listed["measures"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn six_leg_pain_visits_without_improvement_make_a_non_responder_from_the_sixth() {
    let app = TestApp::new().await;
    let manager = app.token_for(MANAGER.0).await;
    let client = new_client(&app, &manager, "rowan.response@example.com").await;
    let episode = new_episode(&app, &manager, client, therapist_id(&app, true).await).await;
    let e = format!("/api/v1/episodes/{episode}");
    let visits = [40, 33, 26, 19, 12, 5];
    let mut statuses = Vec::new();
    for (n, ago) in visits.iter().enumerate() {
        let body = json!({"instrument": "nprs_leg", "answers": {"value": 6}, "taken_at": noon_days_ago(*ago)});
        let measure = created(&post(&app, &manager, &format!("{e}/measures"), &body).await);
        assert_eq!(measure["score"]["value"], 6.0, "visit {}", n + 1);
        let now = app.get_as(&e, &manager).await.json();
        statuses.push(now["response"]["status"].as_str().unwrap().to_string());
    }
    assert_eq!(statuses[5], "non_responder", "{statuses:?}");
    assert!(statuses[..5].iter().all(|s| s != "non_responder"), "{statuses:?}");
    let now = app.get_as(&e, &manager).await.json();
    assert_eq!(now["response"]["since"], days_ago(5).to_string(), "since the sixth visit: {now}");
    assert!(!now["response"]["recommendation"].as_str().unwrap().is_empty());

    // A referral drafted now asks for a routine one, and signing it refers the episode.
    let referral = created(&post(&app, &manager, &format!("{e}/referrals"), &json!({})).await);
    assert_eq!((referral["urgency"].as_str(), referral["status"].as_str()), (Some("routine"), Some("draft")));
    let id = referral["id"].as_i64().unwrap();
    let signed = post(&app, &manager, &format!("/api/v1/referrals/{id}/sign"), &json!({})).await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.body);
    assert!(signed.json()["signed_name"].as_str().is_some_and(|n| !n.is_empty()));
    assert_eq!(app.get_as(&e, &manager).await.json()["status"], "referred");
    let edit = app.json("PATCH", &format!("/api/v1/referrals/{id}"), Some(&manager), r#"{"reason":"Other"}"#).await;
    assert_eq!(edit.status, StatusCode::CONFLICT, "{}", edit.body);
    assert_eq!(edit.json()["errors"][0]["code"], "already_signed");
}
