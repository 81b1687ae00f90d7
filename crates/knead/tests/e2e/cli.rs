//! The `knead` command line: help, users, tokens, config precedence, demo data, and PostgreSQL.

use crate::support::*;
use std::time::Duration;

#[test]
fn every_subcommand_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["demo", "--help"],
        vec!["user", "--help"],
        vec!["user", "create", "--help"],
        vec!["token", "--help"],
        vec!["token", "create", "--help"],
        vec!["token", "list", "--help"],
        vec!["token", "revoke", "--help"],
        vec!["user", "reset-second-factor", "--help"],
        vec!["bench", "--help"],
        vec!["bench", "availability", "--help"],
    ] {
        let out = run(&args, "");
        assert!(out.status.success(), "{args:?}");
        let help = text(&out.stdout);
        assert!(help.contains("Usage:"), "{args:?}");
        assert!(help.contains("--database-url"), "{args:?} takes --database-url");
    }
}

#[test]
fn the_first_manager_is_created_with_the_password_on_standard_input() {
    let db = TempDb::new();
    let out = run(
        &["user", "create", "--role", "manager", "--email", "Owner@Example.com", "--database-url", &db.url],
        "a long enough password\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Created manager user #1 (owner@example.com)"));
    assert!(db.path().exists(), "the SQLite file is created on first run");

    let again = run(
        &["user", "create", "--role", "manager", "--email", "owner@example.com", "--database-url", &db.url],
        "another long password\n",
    );
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("already exists"));

    let bad_role = run(
        &["user", "create", "--role", "admin", "--email", "x@example.com", "--database-url", &db.url],
        "a long enough password\n",
    );
    assert!(!bad_role.status.success());
    assert!(
        text(&bad_role.stderr).contains("role: must be one of: client, therapist, manager"),
        "{}",
        text(&bad_role.stderr)
    );

    let short = run(
        &[
            "user",
            "create",
            "--role",
            "client",
            "--email",
            "y@example.com",
            "--password",
            "short",
            "--database-url",
            &db.url,
        ],
        "",
    );
    assert!(!short.status.success());
    assert!(text(&short.stderr).contains("password: must be at least 10 characters"));
}

#[test]
fn a_created_token_lets_a_manager_change_the_catalog_over_http() {
    let db = TempDb::new();
    assert!(run(
        &[
            "user",
            "create",
            "--role",
            "manager",
            "--email",
            "m@example.com",
            "--password",
            "managers-password",
            "--database-url",
            &db.url
        ],
        ""
    )
    .status
    .success());
    let out = run(&["token", "create", "--email", "m@example.com", "--database-url", &db.url], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let token = text(&out.stdout).trim().to_string();
    assert!(token.starts_with("knead_pat_"), "{token}");
    let unknown = run(&["token", "create", "--email", "nobody@example.com", "--database-url", &db.url], "");
    assert!(!unknown.status.success());

    let server = Server::start(&["--database-url", &db.url]);
    let body = serde_json::json!({"name": "Chair massage", "duration_minutes": 15, "price_cents": 3500, "place": "mobile", "kind": "chair"});
    let created = ureq::post(&format!("{}/api/v1/services", server.url))
        .set("Authorization", &format!("Bearer {token}"))
        .timeout(Duration::from_secs(10))
        .send_json(body)
        .unwrap();
    assert_eq!(created.status(), 201);
    let list: serde_json::Value = server.get("/api/v1/services").into_json().unwrap();
    assert_eq!(list[0]["slug"], "chair-massage");
}

/// Runs `knead args... --database-url url`, asserting it succeeds; returns what it printed.
fn succeeds(args: &[&str], url: &str) -> String {
    let out = run(&[args, &["--database-url", url]].concat(), "");
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    text(&out.stdout)
}

/// Runs `knead args... --database-url url`, asserting it fails; returns its error output.
fn fails(args: &[&str], url: &str) -> String {
    let out = run(&[args, &["--database-url", url]].concat(), "");
    assert!(!out.status.success(), "{args:?} succeeded: {}", text(&out.stdout));
    text(&out.stderr)
}

/// `GET /api/v1/me` with a token; returns the status.
fn me_with(server: &Server, token: &str) -> u16 {
    match ureq::get(&format!("{}/api/v1/me", server.url))
        .set("Authorization", &format!("Bearer {token}"))
        .timeout(Duration::from_secs(10))
        .call()
    {
        Ok(r) => r.status(),
        Err(ureq::Error::Status(code, _)) => code,
        Err(e) => panic!("GET /api/v1/me: {e}"),
    }
}

#[test]
fn tokens_are_listed_without_their_secrets_and_revoked_one_or_all() {
    let db = TempDb::new();
    let url = &db.url;
    succeeds(
        &["user", "create", "--role", "manager", "--email", "m@example.com", "--password", "managers-password"],
        url,
    );
    let laptop = succeeds(&["token", "create", "--email", "m@example.com", "--name", "laptop"], url).trim().to_string();
    let script =
        succeeds(&["token", "create", "--email", "m@example.com", "--name", "nightly script", "--days", "7"], url)
            .trim()
            .to_string();

    let server = Server::start(&["--database-url", url]);
    assert_eq!(me_with(&server, &laptop), 200);
    let listed = succeeds(&["token", "list", "--email", "M@example.com"], url);
    assert!(!listed.contains(&laptop) && !listed.contains(&script), "never a secret: {listed}");
    assert!(!listed.contains("knead_pat_"), "{listed}");
    let rows: Vec<&str> = listed.lines().filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit())).collect();
    assert_eq!(rows.len(), 2, "{listed}");
    assert!(listed.contains("LABEL") && listed.contains("EXPIRES") && listed.contains("LAST USED"), "{listed}");
    let laptop_row = rows.iter().find(|r| r.contains("laptop")).expect("the laptop token is listed");
    let script_row = rows.iter().find(|r| r.contains("nightly script")).expect("the script token is listed");
    assert!(laptop_row.trim_end().ends_with('Z'), "used just now: {laptop_row}");
    assert!(script_row.trim_end().ends_with("never"), "not used yet: {script_row}");
    let laptop_id = laptop_row.split_whitespace().next().unwrap();

    let one = succeeds(&["token", "revoke", "--email", "m@example.com", "--id", laptop_id], url);
    assert!(one.contains(&format!("Revoked token #{laptop_id} of manager user #1 (m@example.com)")), "{one}");
    assert_eq!(me_with(&server, &laptop), 401, "a revoked token signs nothing in");
    assert_eq!(me_with(&server, &script), 200, "the other token lives on");
    let again = fails(&["token", "revoke", "--email", "m@example.com", "--id", laptop_id], url);
    assert!(again.contains(&format!("m@example.com has no live token #{laptop_id}")), "{again}");
    let unknown = fails(&["token", "revoke", "--email", "nobody@example.com"], url);
    assert!(unknown.contains("no user has the email nobody@example.com"), "{unknown}");
    let unknown = fails(&["token", "list", "--email", "nobody@example.com"], url);
    assert!(unknown.contains("no user has the email nobody@example.com"), "{unknown}");

    let all = succeeds(&["token", "revoke", "--email", "m@example.com"], url);
    assert!(all.contains("Revoked 1 token of manager user #1"), "{all}");
    assert_eq!(me_with(&server, &script), 401);
    assert!(succeeds(&["token", "list", "--email", "m@example.com"], url).contains("has no live tokens"));
    let none = succeeds(&["token", "revoke", "--email", "m@example.com"], url);
    assert!(none.contains("Revoked 0 tokens"), "{none}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_managers_lost_second_factor_is_reset_from_the_command_line() {
    let db = TempDb::new();
    let url = db.url.clone();
    succeeds(
        &["user", "create", "--role", "manager", "--email", "m@example.com", "--password", "managers-password"],
        &url,
    );
    // An enrolled authenticator, as the account page leaves it once confirmed.
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query(
        "update users set totp_secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', totp_confirmed_at = 1 where email = $1",
    )
    .bind("m@example.com")
    .execute(&pool)
    .await
    .unwrap();
    let unknown = fails(&["user", "reset-second-factor", "--email", "lost@example.com"], &url);
    assert!(unknown.contains("no user has the email lost@example.com"), "{unknown}");
    let done = succeeds(&["user", "reset-second-factor", "--email", "m@example.com"], &url);
    assert!(done.contains("Removed the second factor of manager user #1 (m@example.com)"), "{done}");
    let left: (Option<String>, Option<i64>) =
        sqlx::query_as("select totp_secret, totp_confirmed_at from users where email = $1")
            .bind("m@example.com")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(left, (None, None));
    pool.close().await;
}

#[test]
fn flags_beat_environment_which_beats_the_config_file() {
    let db = TempDb::new();
    let file = db.dir.path().join("knead.toml");
    std::fs::write(&file, format!("database_url = \"{}\"\npractice_name = \"From File\"\n", db.url)).unwrap();
    let config = file.to_str().unwrap();

    let from_file = Server::start(&["--config", config]);
    assert!(from_file.stdout.contains("serving From File"), "{}", from_file.stdout);
    drop(from_file);

    let mut cmd = knead();
    cmd.env("KNEAD_PRACTICE_NAME", "From Env");
    let from_env = Server::start_with(cmd, &["--config", config]);
    assert!(from_env.stdout.contains("serving From Env"), "{}", from_env.stdout);
    drop(from_env);

    let mut cmd = knead();
    cmd.env("KNEAD_PRACTICE_NAME", "From Env");
    let from_flag = Server::start_with(cmd, &["--config", config, "--practice-name", "From Flag"]);
    assert!(from_flag.stdout.contains("serving From Flag"));
    assert!(from_flag.get("/").into_string().unwrap().contains("From Flag"));

    std::fs::write(&file, "practise_name = \"typo\"\n").unwrap();
    let typo = run(&["migrate", "--config", config], "");
    assert!(!typo.status.success());
    assert!(text(&typo.stderr).contains("unknown field `practise_name`"), "{}", text(&typo.stderr));
}

#[test]
fn migrate_and_demo_load_a_practice_once() {
    let db = TempDb::new();
    let migrated = run(&["migrate", "--database-url", &db.url], "");
    assert!(migrated.status.success(), "{}", text(&migrated.stderr));
    let demo = run(&["demo", "--database-url", &db.url], "");
    assert!(text(&demo.stdout).contains("Loaded the demo practice"), "{}", text(&demo.stdout));
    assert!(text(&demo.stdout).contains("manager@demo.knead.test"));
    let again = run(&["demo", "--database-url", &db.url], "");
    assert!(text(&again.stdout).contains("was not loaded again"));
}

#[test]
fn serve_demo_prints_the_logins_and_serves_the_practice() {
    let db = TempDb::new();
    let server = Server::start(&["--demo", "--database-url", &db.url]);
    for login in ["manager@demo.knead.test", "knead-demo-manager", "client@demo.knead.test"] {
        assert!(server.stdout.contains(login), "{login} in {}", server.stdout);
    }
    let health: serde_json::Value = server.get("/healthz").into_json().unwrap();
    assert_eq!(health["database"], "sqlite");
    assert_eq!(server.get("/services").status(), 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn serve_with_a_postgres_url_runs_the_practice_on_postgresql() {
    let Some(db) = knead_store_postgres::testing::fresh_database().await else { return };
    let url = db.url.clone();
    let (health, services) = tokio::task::spawn_blocking(move || {
        let server = Server::start(&["--demo", "--database-url", &url]);
        let health: serde_json::Value = server.get("/healthz").into_json().unwrap();
        let services: serde_json::Value = server.get("/api/v1/services").into_json().unwrap();
        (health, services)
    })
    .await
    .unwrap();
    assert_eq!(health["database"], "postgres");
    assert_eq!(services.as_array().unwrap().len(), knead_demo::services().len());
    db.cleanup().await;
}

#[test]
fn dispatch_plan_shows_the_demo_day_and_applies_its_re_plan_as_a_named_manager() {
    let db = TempDb::new();
    let demo = run(&["demo", "--database-url", &db.url], "");
    assert!(demo.status.success(), "{}", text(&demo.stderr));
    assert!(text(&demo.stdout).contains("Added a day of 7 home visits"), "{}", text(&demo.stdout));
    let day = crate::browser_dispatch::demo_day().to_string();

    let shown = run(&["dispatch", "plan", &day, "--database-url", &db.url], "");
    let out = text(&shown.stdout);
    assert!(shown.status.success(), "{}", text(&shown.stderr));
    assert!(out.contains("Proposed re-plan: 6 visit(s) change"), "{out}");
    assert!(out.contains("Nothing was written"), "{out}");
    assert!(!out.contains("demo.knead.test") && !out.contains("Fredrikinkatu"), "no emails or addresses: {out}");

    let not_a_manager =
        run(&["dispatch", "plan", &day, "--apply", "--as", "liza@demo.knead.test", "--database-url", &db.url], "");
    assert!(!not_a_manager.status.success());
    assert!(
        text(&not_a_manager.stderr).contains("only a manager may apply a re-plan"),
        "{}",
        text(&not_a_manager.stderr)
    );

    let applied =
        run(&["dispatch", "plan", &day, "--apply", "--as", "manager@demo.knead.test", "--database-url", &db.url], "");
    assert!(applied.status.success(), "{}", text(&applied.stderr));
    assert!(text(&applied.stdout).contains("Applied: 6 booking(s) moved"), "{}", text(&applied.stdout));
    let again = run(&["dispatch", "plan", &day, "--database-url", &db.url], "");
    assert!(text(&again.stdout).contains("No better plan found"), "{}", text(&again.stdout));
}
