//! The shared storage conformance stories, and the corrupt-row stories, run against SQLite in memory.

use knead_store::DynStore;
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
