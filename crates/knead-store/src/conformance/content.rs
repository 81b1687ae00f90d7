//! Stories of the content port: articles.

use super::t0;
use crate::{Store, StoreError};
use jiff::ToSpan;
use knead_core::{ArticleId, ArticleInput};

/// Articles list newest first and keep their Markdown byte for byte.
pub async fn articles(store: &dyn Store) {
    let body = "# Heading\n\nText with <script>alert(1)</script> and **bold**.\n";
    let first = ArticleInput { title: "First".into(), body_markdown: body.into(), ..Default::default() };
    let second = ArticleInput { title: "Second".into(), body_markdown: "Later.".into(), ..Default::default() };
    let a = store.create_article(&first.validate().unwrap(), t0()).await.unwrap();
    let b = store.create_article(&second.validate().unwrap(), t0() + 1.hour()).await.unwrap();
    assert_eq!(a.body_markdown, body.trim());
    let order: Vec<_> = store.list_articles(false).await.unwrap().into_iter().map(|x| x.id).collect();
    assert_eq!(order, vec![b.id, a.id]);
    assert_eq!(store.article_by_slug("first").await.unwrap(), a);
    assert_eq!(store.article(b.id).await.unwrap(), b);
    assert!(matches!(store.article(ArticleId(b.id.0 + 100)).await, Err(StoreError::NotFound)));
    let clash = ArticleInput { slug: Some("first".into()), ..second.clone() };
    assert!(matches!(
        store.update_article(b.id, &clash.validate().unwrap(), t0()).await,
        Err(StoreError::Conflict { field: "slug" })
    ));
    let updated = store.update_article(b.id, &second.validate().unwrap(), t0() + 2.hours()).await.unwrap();
    assert_eq!((updated.created_at, updated.updated_at), (b.created_at, t0() + 2.hours()));
    store.set_article_archived(a.id, true, t0()).await.unwrap();
    assert_eq!(store.list_articles(false).await.unwrap().len(), 1);
    assert_eq!(store.list_articles(true).await.unwrap().len(), 2);
    let missing = store.set_article_archived(ArticleId(b.id.0 + 100), true, t0()).await;
    assert!(matches!(missing, Err(StoreError::NotFound)));
}

/// A taken slug is a conflict on `slug` for a new article too, and writes nothing.
pub async fn a_taken_article_slug_is_a_conflict_on_slug(store: &dyn Store) {
    let input = ArticleInput { title: "Stretching".into(), body_markdown: "Slowly.".into(), ..Default::default() };
    store.create_article(&input.validate().unwrap(), t0()).await.unwrap();
    let again = store.create_article(&input.validate().unwrap(), t0()).await;
    assert!(matches!(again, Err(StoreError::Conflict { field: "slug" })), "{again:?}");
    assert_eq!(store.list_articles(true).await.unwrap().len(), 1);
}
