//! Test support: every test gets a fresh, migrated PostgreSQL database of its own, dropped afterwards.
//!
//! The server comes from `KNEAD_TEST_POSTGRES_URL` (an admin URL able to create databases). When it
//! cannot be reached the test says so loudly and returns early; in CI (`CI=true`) it fails instead,
//! because nothing may be skipped there.

use crate::PostgresStore;
use knead_store::DynStore;
use sqlx::{Connection, PgConnection};
use std::io::Write;
use std::sync::{Arc, Mutex};

/// Servers already found unreachable in this test process, with why: later tests skip (or fail) at once
/// instead of each waiting out the connect timeout.
static UNREACHABLE: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());

/// Where tests look for PostgreSQL when `KNEAD_TEST_POSTGRES_URL` is not set.
pub const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The admin URL tests create their databases through.
pub fn admin_url() -> String {
    std::env::var("KNEAD_TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_ADMIN_URL.to_string())
}

/// Whether this run is in CI, where a missing PostgreSQL is a failure rather than a skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// One test's database: `store` for the storage traits, `postgres` for adapter-only calls, `url` for a
/// process that must connect by itself (e.g. the knead binary in an end-to-end test).
pub struct TestDatabase {
    pub store: DynStore,
    pub postgres: PostgresStore,
    pub name: String,
    pub url: String,
    admin_url: String,
}

impl TestDatabase {
    /// Drops the database. A test that panics never gets here and leaves its `knead_test_*` database behind.
    pub async fn cleanup(self) {
        // Our own connections first, so `drop database` is not waiting on (or killing) them.
        self.postgres.close().await;
        if let Err(e) = drop_database(&self.admin_url, &self.name).await {
            eprintln!("warning: could not drop test database {}: {e}", self.name);
        }
    }
}

/// A fresh, migrated database on the server at `admin_url()`, or `None` (after saying so) when the
/// server cannot be reached outside CI.
pub async fn fresh_database() -> Option<TestDatabase> {
    // Straight to the stderr handle: libtest captures `eprintln!`, which would hide the skip.
    fresh_database_at(&admin_url(), in_ci(), &mut std::io::stderr()).await
}

async fn fresh_database_at(admin_url: &str, ci: bool, skip_notice: &mut dyn Write) -> Option<TestDatabase> {
    let mut admin = match reach(admin_url).await {
        Ok(admin) => admin,
        Err(why) => {
            let shown = redacted(admin_url);
            if ci {
                panic!(
                    "PostgreSQL not reachable at {shown} ({why}); in CI every test must run: start PostgreSQL \
                     or set KNEAD_TEST_POSTGRES_URL"
                );
            }
            let _ = writeln!(
                skip_notice,
                "SKIPPED: PostgreSQL not reachable at {shown} ({why}) (set KNEAD_TEST_POSTGRES_URL); this test did not run"
            );
            return None;
        }
    };
    // From here on the server is there, so any failure is a real one and fails the test.
    let name = create_database_with(&mut admin).await.expect("create a test database");
    let _ = admin.close().await;
    let url = database_url(admin_url, &name);
    let postgres = PostgresStore::connect_with_max(&url, 5).await.expect("connect to the test database");
    postgres.migrate().await.expect("migrate the test database");
    Some(TestDatabase { store: Arc::new(postgres.clone()), postgres, name, url, admin_url: admin_url.to_string() })
}

/// An admin connection, or why there is none; remembers failures for the rest of the process.
async fn reach(admin_url: &str) -> Result<PgConnection, String> {
    let known = UNREACHABLE.lock().unwrap_or_else(|p| p.into_inner()).iter().find(|(url, _)| url == admin_url).cloned();
    if let Some((_, why)) = known {
        return Err(why);
    }
    admin_connection(admin_url).await.map_err(|e| {
        let why = e.to_string();
        UNREACHABLE.lock().unwrap_or_else(|p| p.into_inner()).push((admin_url.to_string(), why.clone()));
        why
    })
}

/// Creates an empty database named `knead_test_<random hex>` on the server at `admin_url`;
/// returns its name and URL. The caller drops it (`drop_database`).
pub async fn create_database(admin_url: &str) -> Result<(String, String), sqlx::Error> {
    let mut admin = admin_connection(admin_url).await?;
    let created = create_database_with(&mut admin).await;
    let _ = admin.close().await;
    let name = created?;
    let url = database_url(admin_url, &name);
    Ok((name, url))
}

/// Drops a database made by `create_database`, disconnecting anyone still on it.
pub async fn drop_database(admin_url: &str, name: &str) -> Result<(), sqlx::Error> {
    assert!(is_test_database_name(name), "refusing to drop {name:?}: not a knead test database");
    let mut admin = admin_connection(admin_url).await?;
    let dropped = sqlx::query(&format!("drop database if exists {name} with (force)")).execute(&mut admin).await;
    let _ = admin.close().await;
    dropped.map(|_| ())
}

async fn admin_connection(admin_url: &str) -> Result<PgConnection, sqlx::Error> {
    // One plain connection rather than a pool: a refused connection fails at once with its real cause,
    // where a pool would retry until its timeout and report only that.
    PgConnection::connect(admin_url).await
}

async fn create_database_with(admin: &mut PgConnection) -> Result<String, sqlx::Error> {
    let name = format!("knead_test_{:016x}", rand::random::<u64>());
    // The name is ours (fixed prefix, hex), so formatting it into the statement is safe.
    sqlx::query(&format!("create database {name}")).execute(&mut *admin).await?;
    Ok(name)
}

fn is_test_database_name(name: &str) -> bool {
    name.strip_prefix("knead_test_").is_some_and(|hex| !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()))
}

/// `admin_url` with its database swapped for `name`, keeping host, user and query parameters.
fn database_url(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (admin_url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..].find('/').map_or(base.len(), |i| authority_start + i);
    let mut url = format!("{}/{name}", &base[..path_start]);
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    url
}

/// The URL with any password hidden, for messages.
fn redacted(url: &str) -> String {
    let authority_start = url.find("://").map_or(0, |i| i + 3);
    let authority_end = url[authority_start..].find(['/', '?']).map_or(url.len(), |i| authority_start + i);
    let authority = &url[authority_start..authority_end];
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => {
                format!("{}{user}:***@{host}{}", &url[..authority_start], &url[authority_end..])
            }
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_database_url_keeps_everything_but_the_database() {
        assert_eq!(
            database_url("postgres://postgres@127.0.0.1:5432/postgres", "knead_test_ab"),
            "postgres://postgres@127.0.0.1:5432/knead_test_ab"
        );
        assert_eq!(
            database_url("postgres://u:p@db:5432/admin?sslmode=disable", "knead_test_ab"),
            "postgres://u:p@db:5432/knead_test_ab?sslmode=disable"
        );
        assert_eq!(database_url("postgres://u@db", "knead_test_ab"), "postgres://u@db/knead_test_ab");
    }

    #[test]
    fn messages_never_show_the_password() {
        assert_eq!(redacted("postgres://u:secret@db:5432/x?a=b"), "postgres://u:***@db:5432/x?a=b");
        assert_eq!(redacted("postgres://u@db/x"), "postgres://u@db/x");
    }

    #[test]
    fn only_test_databases_can_be_dropped() {
        assert!(is_test_database_name("knead_test_0123abcd"));
        assert!(!is_test_database_name("knead"));
        assert!(!is_test_database_name("knead_test_; drop"));
        assert!(!is_test_database_name("knead_test_"));
    }

    #[tokio::test]
    async fn an_unreachable_server_skips_loudly_outside_ci() {
        let mut notice = Vec::new();
        assert!(fresh_database_at("postgres://u:secret@127.0.0.1:1/postgres", false, &mut notice).await.is_none());
        let notice = String::from_utf8(notice).unwrap();
        assert!(notice.starts_with("SKIPPED: PostgreSQL not reachable at postgres://u:***@127.0.0.1:1/"), "{notice}");
        assert!(notice.contains("this test did not run"), "{notice}");
    }

    #[tokio::test]
    #[should_panic(expected = "PostgreSQL not reachable")]
    async fn an_unreachable_server_fails_in_ci() {
        fresh_database_at("postgres://postgres@127.0.0.1:1/postgres", true, &mut std::io::sink()).await;
    }
}
