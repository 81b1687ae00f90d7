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
