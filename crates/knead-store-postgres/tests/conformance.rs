//! The shared storage conformance stories, and the corrupt-row stories, run against a fresh PostgreSQL
//! database per test.

use jiff::Timestamp;
use knead_core::ArticleInput;
use knead_store::AccountStore;
use knead_store_postgres::testing::fresh_database;

knead_store::conformance_suite!(fresh_database);
knead_store::corrupt_rows_suite!(fresh_database, postgres);
knead_store::records_sql_suite!(fresh_database, postgres);
knead_store::safety_sql_suite!(fresh_database, postgres);

#[tokio::test]
async fn migrating_twice_is_harmless() {
    let Some(db) = fresh_database().await else { return };
    // `fresh_database` migrated once already.
    db.postgres.migrate().await.unwrap();
    db.postgres.migrate().await.unwrap();
    knead_store::conformance::health(&*db.store).await;
    db.cleanup().await;
}

#[tokio::test]
async fn timestamps_come_back_truncated_to_microseconds() {
    let Some(db) = fresh_database().await else { return };
    let at: Timestamp = "2026-03-01T15:00:00.123456789Z".parse().unwrap();
    let input = ArticleInput { title: "Precise".into(), body_markdown: "Body.".into(), ..Default::default() };
    let article = db.store.create_article(&input.validate().unwrap(), at).await.unwrap();
    let expected: Timestamp = "2026-03-01T15:00:00.123456Z".parse().unwrap();
    assert_eq!(article.created_at, expected);
    assert_eq!(db.store.article(article.id).await.unwrap().created_at, expected);
    db.cleanup().await;
}

/// A database made before 0006 keeps its tokens (now ending 90 days after they were made) and its sessions
/// (last seen when made, never ending for idleness) once migrated.
#[tokio::test]
async fn tokens_and_sessions_made_before_expiry_existed_survive_the_upgrade() {
    let Some(probe) = fresh_database().await else { return };
    probe.cleanup().await;
    let admin = knead_store_postgres::testing::admin_url();
    let (name, url) = knead_store_postgres::testing::create_database(&admin).await.unwrap();
    let dir = std::env::temp_dir().join(format!("knead-postgres-upgrade-{name}"));
    std::fs::create_dir_all(&dir).unwrap();
    let migrations = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    for entry in std::fs::read_dir(&migrations).unwrap().flatten() {
        let file = entry.file_name().into_string().unwrap();
        if file.as_str() < "0006" {
            std::fs::copy(entry.path(), dir.join(&file)).unwrap();
        }
    }
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::migrate::Migrator::new(dir.as_path()).await.unwrap().run(&pool).await.unwrap();
    let setup = format!(
        "insert into users (id, email, name, role, password_hash, created_at) overriding system value \
             values (1, 'ana@example.com', 'Ana', 'manager', 'h', '2026-03-01T15:00:00Z'); \
         insert into sessions (token_hash, user_id, csrf_token, created_at, expires_at) \
             values ('{a}', 1, 'csrf', '2026-03-01T15:00:00Z', '2026-03-01T16:00:00Z'); \
         insert into api_tokens (id, user_id, name, token_hash, created_at) overriding system value \
             values (7, 1, 'laptop', '{d}', '2026-03-01T15:00:00Z');",
        a = "a".repeat(64),
        d = "d".repeat(64),
    );
    sqlx::raw_sql(&setup).execute(&pool).await.unwrap();
    pool.close().await;

    let store = knead_store_postgres::PostgresStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let t0: Timestamp = "2026-03-01T15:00:00Z".parse().unwrap();
    let (user, token) = store.api_token(&"d".repeat(64), t0).await.unwrap().unwrap();
    assert_eq!((user.id.0, token.id, token.label.as_str()), (1, 7, "laptop"));
    assert_eq!((token.expires_at, token.last_used_at), (t0 + jiff::SignedDuration::from_hours(90 * 24), None));
    let session = store.session(&"a".repeat(64), t0).await.unwrap().unwrap();
    assert_eq!((session.last_seen_at, session.idle_expires_at, session.has_second_factor), (t0, None, false));
    assert_eq!(store.second_factor(user.id).await.unwrap(), None);
    store.close().await;
    knead_store_postgres::testing::drop_database(&admin, &name).await.unwrap();
    std::fs::remove_dir_all(&dir).ok();
}

/// A database made before 0010 has its bookings on client records once migrated (the rules are in
/// `bookings_before_clients_are_on_client_records`).
#[tokio::test]
async fn bookings_made_before_clients_existed_are_put_on_client_records() {
    use knead_store::{CatalogStore, Store};
    let Some(probe) = fresh_database().await else { return };
    probe.cleanup().await;
    let admin = knead_store_postgres::testing::admin_url();
    let (name, url) = knead_store_postgres::testing::create_database(&admin).await.unwrap();
    let dir = std::env::temp_dir().join(format!("knead-postgres-clients-{name}"));
    std::fs::create_dir_all(&dir).unwrap();
    let migrations = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    for entry in std::fs::read_dir(&migrations).unwrap().flatten() {
        let file = entry.file_name().into_string().unwrap();
        if file.as_str() < "0010" {
            std::fs::copy(entry.path(), dir.join(&file)).unwrap();
        }
    }
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::migrate::Migrator::new(dir.as_path()).await.unwrap().run(&pool).await.unwrap();
    let store = knead_store_postgres::PostgresStore::connect(&url).await.unwrap();
    // What 0009 already had is written through the ports; the bookings as they were, by hand.
    let t0 = knead_store::conformance::t0();
    for (mail, name) in [("ana@example.com", "Ana"), ("cy@example.com", "Cy")] {
        store.create_user(&knead_core::NewUser::parse(mail, name, "client").unwrap(), "h", t0).await.unwrap();
    }
    let service = knead_store::conformance::service_input("Massage").validate().unwrap();
    store.create_service(&service, t0).await.unwrap();
    let bookings = knead_store::conformance::clients::bookings_before_clients(|t| format!("'{t}'"));
    sqlx::raw_sql(&bookings).execute(&pool).await.unwrap();
    pool.close().await;

    store.migrate().await.unwrap();
    let dyn_store: &dyn Store = &store;
    knead_store::conformance::clients::bookings_before_clients_are_on_client_records(dyn_store).await;
    store.close().await;
    knead_store_postgres::testing::drop_database(&admin, &name).await.unwrap();
    std::fs::remove_dir_all(&dir).ok();
}

/// A database at 0010 with clients, bookings and audit entries takes 0011, and a client made before it gets
/// care records (see `a_client_from_before_care_records_gets_an_episode`).
#[tokio::test]
async fn care_records_migrate_onto_a_database_with_clients() {
    use knead_store::{ClientStore, Store};
    let Some(probe) = fresh_database().await else { return };
    probe.cleanup().await;
    let admin = knead_store_postgres::testing::admin_url();
    let (name, url) = knead_store_postgres::testing::create_database(&admin).await.unwrap();
    let dir = std::env::temp_dir().join(format!("knead-postgres-records-{name}"));
    std::fs::create_dir_all(&dir).unwrap();
    let migrations = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    for entry in std::fs::read_dir(&migrations).unwrap().flatten() {
        let file = entry.file_name().into_string().unwrap();
        if file.as_str() < "0011" {
            std::fs::copy(entry.path(), dir.join(&file)).unwrap();
        }
    }
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::migrate::Migrator::new(dir.as_path()).await.unwrap().run(&pool).await.unwrap();
    pool.close().await;
    let store = knead_store_postgres::PostgresStore::connect(&url).await.unwrap();
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
    store.close().await;
    knead_store_postgres::testing::drop_database(&admin, &name).await.unwrap();
    std::fs::remove_dir_all(&dir).ok();
}
