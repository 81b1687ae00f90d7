//! The shared storage conformance stories, and the corrupt-row stories, run against SQLite in memory.

use knead_store::{AccountStore, DynStore};
use knead_store_sqlite::SqliteStore;
use std::sync::Arc;

struct TestStore {
    store: DynStore,
    sqlite: SqliteStore,
}

impl TestStore {
    async fn cleanup(self) {}
}

async fn fresh() -> Option<TestStore> {
    let sqlite = SqliteStore::in_memory().await.expect("in-memory SQLite");
    Some(TestStore { store: Arc::new(sqlite.clone()), sqlite })
}

knead_store::conformance_suite!(fresh);
knead_store::corrupt_rows_suite!(fresh, sqlite);
knead_store::records_sql_suite!(fresh, sqlite);
knead_store::safety_sql_suite!(fresh, sqlite);

#[tokio::test]
async fn a_database_file_is_created_on_first_run_and_reopens() {
    let dir = std::env::temp_dir().join(format!("knead-sqlite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("first-run.db");
    let _ = std::fs::remove_file(&path);
    let url = format!("sqlite://{}", path.display());
    let store = SqliteStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    knead_store::conformance::health(&store).await;
    drop(store);
    assert!(path.exists());
    let again = SqliteStore::connect(&url).await.unwrap();
    again.migrate().await.unwrap();
    std::fs::remove_dir_all(&dir).ok();
}

/// A database made before 0006 keeps its tokens (now ending 90 days after they were made) and its sessions
/// (last seen when made, never ending for idleness) once migrated.
#[tokio::test]
async fn tokens_and_sessions_made_before_expiry_existed_survive_the_upgrade() {
    let (dir, store, pool) = database_before("knead-sqlite-upgrade", "0006").await;
    let t0: jiff::Timestamp = "2026-03-01T15:00:00Z".parse().unwrap();
    let micros = t0.as_microsecond();
    let setup = format!(
        "insert into users (id, email, name, role, password_hash, created_at) \
             values (1, 'ana@example.com', 'Ana', 'manager', 'h', {micros}); \
         insert into sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
             values ('{a}', 1, 'csrf', {micros}, {micros} + 3600000000); \
         insert into api_tokens (id, user_id, name, token_hash, created_at) values (7, 1, 'laptop', '{d}', {micros});",
        a = "a".repeat(64),
        d = "d".repeat(64),
    );
    sqlx::raw_sql(&setup).execute(&pool).await.unwrap();
    pool.close().await;

    store.migrate().await.unwrap();
    let (user, token) = store.api_token(&"d".repeat(64), t0).await.unwrap().unwrap();
    assert_eq!((user.id.0, token.id, token.label.as_str()), (1, 7, "laptop"));
    assert_eq!((token.expires_at, token.last_used_at), (t0 + jiff::SignedDuration::from_hours(90 * 24), None));
    let session = store.session(&"a".repeat(64), t0).await.unwrap().unwrap();
    assert_eq!((session.last_seen_at, session.idle_expires_at, session.has_second_factor), (t0, None, false));
    assert_eq!(store.second_factor(user.id).await.unwrap(), None);
    drop(store);
    std::fs::remove_dir_all(&dir).ok();
}

/// A database made before 0010 has its bookings on client records once migrated (the rules are in
/// `bookings_before_clients_are_on_client_records`).
#[tokio::test]
async fn bookings_made_before_clients_existed_are_put_on_client_records() {
    use knead_store::{CatalogStore, Store};
    let (dir, store, pool) = database_before("knead-sqlite-clients", "0010").await;
    // What 0009 already had is written through the ports; the bookings as they were, by hand.
    let t0 = knead_store::conformance::t0();
    for (mail, name) in [("ana@example.com", "Ana"), ("cy@example.com", "Cy")] {
        store.create_user(&knead_core::NewUser::parse(mail, name, "client").unwrap(), "h", t0).await.unwrap();
    }
    let service = knead_store::conformance::service_input("Massage").validate().unwrap();
    store.create_service(&service, t0).await.unwrap();
    let bookings = knead_store::conformance::clients::bookings_before_clients(|t| t.as_microsecond().to_string());
    sqlx::raw_sql(&bookings).execute(&pool).await.unwrap();
    pool.close().await;

    store.migrate().await.unwrap();
    let store: &dyn Store = &store;
    knead_store::conformance::clients::bookings_before_clients_are_on_client_records(store).await;
    std::fs::remove_dir_all(&dir).ok();
}

/// A database at 0010 with clients, bookings and audit entries takes 0011, and a client made before it gets
/// care records (see `a_client_from_before_care_records_gets_an_episode`).
#[tokio::test]
async fn care_records_migrate_onto_a_database_with_clients() {
    use knead_store::{ClientStore, Store};
    let (dir, store, pool) = database_before("knead-sqlite-records", "0011").await;
    pool.close().await;
    // What 0010 already had is written through its ports: a client, its health history, the audit entry.
    let t0 = knead_store::conformance::t0();
    let draft = knead_store::conformance::clients::draft("Ana Fictional", "ana@example.com");
    let client = store.create_client(&draft, None, t0).await.unwrap();
    let history = knead_store::conformance::clients::history("Sciatica, right leg");
    let event =
        knead_store::conformance::clients::event(Some(client.id), knead_core::intake::Action::Create, "intake", "1");
    store.add_intake(client.id, &history, None, t0, &event).await.unwrap();

    store.migrate().await.unwrap();
    let dyn_store: &dyn Store = &store;
    knead_store::conformance::records::a_client_from_before_care_records_gets_an_episode(dyn_store, "ana@example.com")
        .await;
    assert_eq!(store.intakes(client.id).await.unwrap().len(), 1);
    drop(store);
    std::fs::remove_dir_all(&dir).ok();
}

/// A fresh database file (in a temporary folder named after `tag`) with the migrations before `first_new`
/// applied: the folder (to remove afterwards), a store on it, and a raw pool for writing what those migrations'
/// tables held.
async fn database_before(tag: &str, first_new: &str) -> (std::path::PathBuf, SqliteStore, sqlx::SqlitePool) {
    let dir = std::env::temp_dir().join(format!("{tag}-{}", std::process::id()));
    let before = dir.join("migrations");
    std::fs::create_dir_all(&before).unwrap();
    let migrations = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    for entry in std::fs::read_dir(&migrations).unwrap().flatten() {
        let name = entry.file_name().into_string().unwrap();
        if name.as_str() < first_new {
            std::fs::copy(entry.path(), before.join(&name)).unwrap();
        }
    }
    let path = dir.join("before.db");
    let _ = std::fs::remove_file(&path);
    let url = format!("sqlite://{}", path.display());
    let store = SqliteStore::connect(&url).await.unwrap();
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::migrate::Migrator::new(before.as_path()).await.unwrap().run(&pool).await.unwrap();
    (dir, store, pool)
}
