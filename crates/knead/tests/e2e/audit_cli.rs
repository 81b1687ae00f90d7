//! `knead audit verify` and `knead audit export` against the real binary on SQLite: an intact chain passes, and
//! a row edited behind knead's back (its append-only trigger dropped first) is named.

use crate::support::*;

fn audit(db: &TempDb, args: &[&str]) -> std::process::Output {
    let mut all = vec!["audit"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--database-url", &db.url]);
    run(&all, "")
}

#[test]
fn the_audit_commands_have_help() {
    for args in [vec!["audit", "--help"], vec!["audit", "verify", "--help"], vec!["audit", "export", "--help"]] {
        let out = run(&args, "");
        assert!(out.status.success(), "{args:?}");
        assert!(text(&out.stdout).contains("--database-url"), "{args:?}");
    }
}

#[test]
fn verify_passes_on_an_intact_log_and_names_the_first_edited_entry() {
    let db = TempDb::new();
    assert!(run(&["migrate", "--database-url", &db.url], "").status.success());
    let empty = audit(&db, &["verify"]);
    assert!(empty.status.success(), "{}", text(&empty.stderr));
    assert!(text(&empty.stdout).contains("intact: 0 entries"), "{}", text(&empty.stdout));

    // Each export is itself an audited action: three of them write three chained entries.
    for _ in 0..2 {
        assert!(audit(&db, &["export"]).status.success());
    }
    let file = db.dir.path().join("audit.csv");
    let out = audit(&db, &["export", "--out", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "id,at,actor,client,action,record,record_id,prev_hash,hash");
    assert_eq!(lines.len(), 4, "a header and three entries, the last export's own included:\n{csv}");
    assert!(lines[1..].iter().all(|l| l.contains(",export,audit_log,all,")), "{csv}");

    let ok = audit(&db, &["verify"]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert!(text(&ok.stdout).contains("intact: 3 entries"), "{}", text(&ok.stdout));

    edit_second_entry(&db);
    let broken = audit(&db, &["verify"]);
    assert!(!broken.status.success(), "an edited row fails the check");
    let said = text(&broken.stderr);
    assert!(said.contains("entry 2"), "names the edited entry: {said}");
    assert!(said.contains("changed"), "says why: {said}");
}

/// Drops the audit table's triggers (what keeps it append-only) and edits entry 2, as someone with the
/// database file could.
fn edit_second_entry(db: &TempDb) {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
        let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
        let table: String = sqlx::query_scalar(
            "select name from sqlite_master where type = 'table' and name like '%audit%' order by name limit 1",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        let triggers: Vec<String> =
            sqlx::query_scalar("select name from sqlite_master where type = 'trigger' and tbl_name = $1")
                .bind(&table)
                .fetch_all(&pool)
                .await
                .unwrap();
        let blocked =
            sqlx::query(&format!("update {table} set record_id = 'edited' where id = 2")).execute(&pool).await;
        assert!(blocked.is_err() || triggers.is_empty(), "the table refuses edits while its trigger stands");
        for trigger in triggers {
            sqlx::query(&format!("drop trigger {trigger}")).execute(&pool).await.unwrap();
        }
        let edited =
            sqlx::query(&format!("update {table} set record_id = 'edited' where id = 2")).execute(&pool).await.unwrap();
        assert_eq!(edited.rows_affected(), 1);
        pool.close().await;
    });
}

/// The manager's token for the demo database at `url`.
fn manager_token(url: &str) -> String {
    token_for(url, "manager@demo.knead.test")
}

/// `method path` with the token and a JSON body; the status and the JSON answer.
fn call(server: &Server, token: &str, method: &str, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
    api_json(server, method, path, Some(token), Some(&body))
}

/// Two signed notes (the second amended once) on a fresh demo database, made through the API; their ids.
fn signed_notes(db: &TempDb) -> (i64, i64) {
    let server = Server::start(&["--demo", "--database-url", &db.url]);
    let token = manager_token(&db.url);
    let client = serde_json::json!({"name": "Rowan Fictional", "email": "rowan@example.com", "phone": "416-555-0142"});
    let (status, client) = call(&server, &token, "POST", "/api/v1/clients", client);
    assert_eq!(status, 201, "{client}");
    let episode = serde_json::json!({"condition": "Sciatica", "side": "left", "started_on": "2026-01-05"});
    let (status, episode) =
        call(&server, &token, "POST", &format!("/api/v1/clients/{}/episodes", client["id"]), episode);
    assert_eq!(status, 201, "{episode}");
    let mut ids = Vec::new();
    for subjective in ["Leg pain 6/10", "Leg pain 5/10"] {
        let note =
            serde_json::json!({"subjective": subjective, "started_at": "2026-01-05T10:00:00Z", "duration_minutes": 45});
        let (status, note) = call(&server, &token, "POST", &format!("/api/v1/episodes/{}/notes", episode["id"]), note);
        assert_eq!(status, 201, "{note}");
        let (status, signed) =
            call(&server, &token, "POST", &format!("/api/v1/notes/{}/sign", note["id"]), serde_json::json!({}));
        assert_eq!(status, 200, "{signed}");
        ids.push(note["id"].as_i64().unwrap());
    }
    let amendment = serde_json::json!({"subjective": "Leg pain 4/10", "started_at": "2026-01-05T10:00:00Z",
        "duration_minutes": 45, "reason": "The score was misread."});
    let (status, amended) = call(&server, &token, "POST", &format!("/api/v1/notes/{}/amendments", ids[1]), amendment);
    assert_eq!(status, 201, "{amended}");
    (ids[0], ids[1])
}

/// Runs `statement` on the database at `url` after dropping the notes table's triggers, as someone with the
/// database file could.
fn behind_knead_s_back(url: &str, statement: &str) {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        let refused = sqlx::query(statement).execute(&pool).await;
        assert!(refused.is_err(), "the triggers refuse it: {statement}");
        let triggers: Vec<String> =
            sqlx::query_scalar("select name from sqlite_master where type = 'trigger' and tbl_name = 'soap_notes'")
                .fetch_all(&pool)
                .await
                .unwrap();
        for trigger in triggers {
            sqlx::query(&format!("drop trigger {trigger}")).execute(&pool).await.unwrap();
        }
        let done = sqlx::query(statement).execute(&pool).await.unwrap();
        assert_eq!(done.rows_affected(), 1, "{statement}");
        pool.close().await;
    });
}

#[test]
fn verify_names_a_signed_note_edited_since_its_signing() {
    let db = TempDb::new();
    let (first, _) = signed_notes(&db);
    let ok = audit(&db, &["verify"]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert!(text(&ok.stdout).contains("signed notes are intact:"), "{}", text(&ok.stdout));

    behind_knead_s_back(&db.url, &format!("update soap_notes set subjective = 'Leg pain 2/10' where id = {first}"));
    let broken = audit(&db, &["verify"]);
    assert!(!broken.status.success(), "an edited signed note fails the check");
    let said = text(&broken.stderr);
    assert!(said.contains(&format!("signed note {first} was changed")), "names the note: {said}");
}

#[test]
fn verify_names_a_signed_note_deleted_behind_its_back() {
    let db = TempDb::new();
    let (first, _) = signed_notes(&db);
    behind_knead_s_back(&db.url, &format!("delete from soap_notes where id = {first}"));
    let broken = audit(&db, &["verify"]);
    assert!(!broken.status.success(), "a deleted signed note fails the check");
    let said = text(&broken.stderr);
    assert!(said.contains(&format!("signed note {first} is missing")), "names the note: {said}");
}

#[test]
fn instruments_load_reads_a_definition_file_and_names_a_bad_field() {
    let db = TempDb::new();
    assert!(run(&["migrate", "--database-url", &db.url], "").status.success());
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/instruments/example-disability-index.json");
    let loaded = run(&["instruments", "load", example, "--database-url", &db.url], "");
    assert!(loaded.status.success(), "{}", text(&loaded.stderr));
    assert!(text(&loaded.stdout).contains("Loaded instrument `example_index`"), "{}", text(&loaded.stdout));

    let mut definition: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(example).unwrap()).unwrap();
    definition["key"] = serde_json::json!("nprs_leg");
    let bad = db.dir.path().join("bad.json");
    std::fs::write(&bad, definition.to_string()).unwrap();
    let refused = run(&["instruments", "load", bad.to_str().unwrap(), "--database-url", &db.url], "");
    assert!(!refused.status.success(), "a built-in's key is refused");
    assert!(text(&refused.stderr).contains("key:"), "names the field: {}", text(&refused.stderr));

    std::fs::write(&bad, "{\"key\": \"broken\",\n \"name\": }").unwrap();
    let unreadable = run(&["instruments", "load", bad.to_str().unwrap(), "--database-url", &db.url], "");
    assert!(!unreadable.status.success());
    assert!(text(&unreadable.stderr).contains("line 2"), "names the line: {}", text(&unreadable.stderr));
}
