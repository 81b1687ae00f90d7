//! Issue 11's record stories through the real server, on SQLite and on PostgreSQL: a signed note never
//! changes and an amendment keeps the original readable, every access to a record leaves exactly one audit
//! entry, a therapist cannot reach another therapist's client's episode, bad input names its fields, and six
//! leg-pain visits without improvement make the episode a non-responder from the sixth.

use crate::support::{token_for as token, *};
use serde_json::{json, Value};

/// `method path` with a bearer token and a JSON body; the status and the JSON answer.
fn call(server: &Server, method: &str, path: &str, token: &str, body: Option<&Value>) -> (u16, Value) {
    api_json(server, method, path, Some(token), body)
}

/// The date `n` days ago (UTC) and noon UTC on it.
fn days_ago(n: i64) -> (String, String) {
    let date = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let date = date.checked_sub(jiff::ToSpan::days(n)).unwrap();
    (date.to_string(), format!("{date}T12:00:00Z"))
}

fn note(subjective: &str) -> Value {
    json!({"subjective": subjective, "techniques": ["swedish"], "pressure": "light",
        "started_at": days_ago(1).1, "duration_minutes": 50})
}

/// The audit entries after `mark` that are not the manager's reads of the log, and the newest id.
fn audit_since(server: &Server, manager: &str, mark: i64) -> (Vec<Value>, i64) {
    let (status, log) = call(server, "GET", "/api/v1/audit?limit=1000", manager, None);
    assert_eq!(status, 200, "{log}");
    let entries = log["entries"].as_array().unwrap();
    let newest = entries.first().and_then(|e| e["id"].as_i64()).unwrap_or(0);
    let new =
        entries.iter().filter(|e| e["id"].as_i64().unwrap() > mark && e["record"] != "audit_log").cloned().collect();
    (new, newest)
}

/// Calls as `who` once and checks (as `manager`) that it left exactly one entry of `action`.
fn once(
    server: &Server,
    (who, manager): (&str, &str),
    method: &str,
    path: &str,
    body: Option<&Value>,
    action: &str,
) -> Value {
    let (_, mark) = audit_since(server, manager, i64::MAX);
    let (status, answer) = call(server, method, path, who, body);
    assert!((200..300).contains(&status), "{method} {path}: {status} {answer}");
    let (entries, _) = audit_since(server, manager, mark);
    assert_eq!(entries.len(), 1, "{method} {path}: exactly one entry: {entries:?}");
    assert_eq!(entries[0]["action"], action, "{method} {path}");
    answer
}

fn scenarios(url: &str) {
    let server = Server::start(&["--demo", "--database-url", url]);
    let manager = token(url, "manager@demo.knead.test");
    let mara = token(url, "mara@demo.knead.test");
    let (_, therapists) = call(&server, "GET", "/api/v1/therapists", &manager, None);
    let therapists = therapists.as_array().cloned().unwrap_or_default();
    let mara_id = therapists.iter().find(|t| t["slug"] == "mara-quill").expect("Mara")["id"].clone();
    let other_id = therapists.iter().find(|t| t["slug"] != "mara-quill").expect("another therapist")["id"].clone();

    let client = json!({"name": "Rowan Fictional", "email": "rowan@example.com", "phone": "416-555-0142"});
    let (status, client) = call(&server, "POST", "/api/v1/clients", &manager, Some(&client));
    assert_eq!(status, 201, "{client}");
    let client = client["id"].as_i64().unwrap();

    // Bad input names its fields and writes nothing.
    let bad = json!({"condition": "", "side": "up", "started_on": "soon"});
    let (status, refused) = call(&server, "POST", &format!("/api/v1/clients/{client}/episodes"), &manager, Some(&bad));
    assert_eq!(status, 422, "{refused}");
    let fields: Vec<&str> = refused["errors"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str()).collect();
    assert_eq!(fields, ["condition", "side", "started_on"]);

    let body = json!({"condition": "Sciatica", "side": "right", "started_on": days_ago(42).0, "therapist_id": mara_id});
    let episode = once(
        &server,
        (&manager, &manager),
        "POST",
        &format!("/api/v1/clients/{client}/episodes"),
        Some(&body),
        "create",
    );
    let e = format!("/api/v1/episodes/{}", episode["id"]);
    once(&server, (&manager, &manager), "GET", &e, None, "read");

    // Six weekly visits with leg pain at 6/10: a non-responder from the sixth.
    for ago in [40, 33, 26, 19, 12, 5] {
        let body = json!({"instrument": "nprs_leg", "answers": {"value": 6}, "taken_at": days_ago(ago).1});
        let measure = once(&server, (&manager, &manager), "POST", &format!("{e}/measures"), Some(&body), "create");
        assert_eq!(measure["score"]["value"], 6.0);
    }
    let (_, now) = call(&server, "GET", &e, &manager, None);
    assert_eq!(now["response"]["status"], "non_responder", "{now}");
    assert_eq!(now["response"]["since"], days_ago(5).0, "{now}");
    let bad_measure = json!({"instrument": "nprs_leg", "answers": {"value": 11}});
    let (status, refused) = call(&server, "POST", &format!("{e}/measures"), &manager, Some(&bad_measure));
    assert_eq!((status, refused["errors"][0]["field"].as_str()), (422, Some("answers.value")), "{refused}");

    // A signed note never changes; an amendment is a new version and the original stays as signed.
    let draft = once(&server, (&mara, &manager), "POST", &format!("{e}/notes"), Some(&note("Leg pain 6/10")), "create");
    let n = format!("/api/v1/notes/{}", draft["id"]);
    once(&server, (&manager, &manager), "PATCH", &n, Some(&json!({"objective": "Tight piriformis"})), "change");
    let signed = once(&server, (&mara, &manager), "POST", &format!("{n}/sign"), Some(&json!({})), "change");
    for (method, body) in [("PATCH", json!({"subjective": "Changed"})), ("PUT", note("Changed"))] {
        let (status, refused) = call(&server, method, &n, &mara, Some(&body));
        assert_eq!((status, refused["errors"][0]["code"].as_str()), (409, Some("already_signed")), "{method}");
    }
    let (status, _) = call(&server, "POST", &format!("{n}/sign"), &mara, Some(&json!({})));
    assert_eq!(status, 409, "signed twice");
    let mut amendment = note("Leg pain 6/10, calf");
    amendment["reason"] = json!("Where the pain is was left out.");
    let amended = once(&server, (&mara, &manager), "POST", &format!("{n}/amendments"), Some(&amendment), "create");
    let original = once(&server, (&manager, &manager), "GET", &n, None, "read");
    assert_eq!(original["subjective"], "Leg pain 6/10");
    assert_eq!(original["signed_digest"], signed["signed_digest"]);
    assert_eq!(original["amended_by"], amended["id"]);
    assert_eq!(original["versions"].as_array().unwrap().len(), 2);

    // The referral the response asks for: drafted, read, exported, signed.
    let referral = once(&server, (&manager, &manager), "POST", &format!("{e}/referrals"), Some(&json!({})), "create");
    let r = format!("/api/v1/referrals/{}", referral["id"]);
    once(&server, (&manager, &manager), "GET", &r, None, "read");
    let bundle = once(&server, (&manager, &manager), "GET", &format!("{r}/fhir"), None, "export");
    assert_eq!(bundle["resourceType"], "Bundle");
    // Signing changes two records, each with its entry: the letter, and the episode that becomes referred.
    let (_, mark) = audit_since(&server, &manager, i64::MAX);
    let (status, signed) = call(&server, "POST", &format!("{r}/sign"), &manager, Some(&json!({})));
    assert_eq!(status, 200, "{signed}");
    let (entries, _) = audit_since(&server, &manager, mark);
    let changed: Vec<(&str, &str)> =
        entries.iter().map(|e| (e["action"].as_str().unwrap(), e["record"].as_str().unwrap())).collect();
    assert_eq!(changed, [("change", "episode"), ("change", "referral")], "newest first");
    let (_, now) = call(&server, "GET", &e, &manager, None);
    assert_eq!(now["status"], "referred");

    // Another therapist's client's episode is not Mara's to read: a 404, and nothing recorded.
    let other = json!({"name": "Sky Fictional", "email": "sky@example.com", "phone": "416-555-0143"});
    let (_, other) = call(&server, "POST", "/api/v1/clients", &manager, Some(&other));
    let body = json!({"condition": "Low back pain", "started_on": days_ago(3).0, "therapist_id": other_id});
    let (status, theirs) =
        call(&server, "POST", &format!("/api/v1/clients/{}/episodes", other["id"]), &manager, Some(&body));
    assert_eq!(status, 201, "{theirs}");
    let (_, mark) = audit_since(&server, &manager, i64::MAX);
    let (status, _) = call(&server, "GET", &format!("/api/v1/episodes/{}", theirs["id"]), &mara, None);
    assert_eq!(status, 404);
    assert!(audit_since(&server, &manager, mark).0.is_empty());

    // The chain and the signed notes check out.
    drop(server);
    let verified = run(&["audit", "verify", "--database-url", url], "");
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    assert!(text(&verified.stdout).contains("signed notes are intact:"), "{}", text(&verified.stdout));
}

#[test]
fn the_record_stories_hold_on_sqlite() {
    let db = TempDb::new();
    scenarios(&db.url);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_record_stories_hold_on_postgresql() {
    let Some(db) = knead_store_postgres::testing::fresh_database().await else { return };
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || scenarios(&url)).await.unwrap();
    db.cleanup().await;
}
