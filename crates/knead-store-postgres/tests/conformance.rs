//! The shared storage conformance stories, and the corrupt-row stories, run against a fresh PostgreSQL
//! database per test.

use jiff::Timestamp;
use knead_core::ArticleInput;
use knead_store_postgres::testing::fresh_database;

knead_store::conformance_suite!(fresh_database);
knead_store::corrupt_rows_suite!(fresh_database, postgres);

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
