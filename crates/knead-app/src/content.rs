//! Content: the practice's educational articles, as a [`Listing`].

use crate::listing::Listing;
use async_trait::async_trait;
use jiff::Timestamp;
use knead_core::{Article, ArticleDraft, ArticleId, ArticleInput, ValidationErrors};
use knead_store::{Store, StoreResult};

/// Articles in Markdown, newest first.
pub struct Articles;

#[async_trait]
impl Listing for Articles {
    type Item = Article;
    type Input = ArticleInput;
    type Draft = ArticleDraft;
    const WHAT: &'static str = "article";

    fn is_archived(a: &Article) -> bool {
        a.archived
    }
    fn validate(input: &ArticleInput) -> Result<ArticleDraft, ValidationErrors> {
        input.validate()
    }
    async fn list(store: &dyn Store, include_archived: bool) -> StoreResult<Vec<Article>> {
        store.list_articles(include_archived).await
    }
    async fn get(store: &dyn Store, id: i64) -> StoreResult<Article> {
        store.article(ArticleId(id)).await
    }
    async fn by_slug(store: &dyn Store, slug: &str) -> StoreResult<Article> {
        store.article_by_slug(slug).await
    }
    async fn create(store: &dyn Store, draft: &ArticleDraft, now: Timestamp) -> StoreResult<Article> {
        store.create_article(draft, now).await
    }
    async fn update(store: &dyn Store, id: i64, draft: &ArticleDraft, now: Timestamp) -> StoreResult<Article> {
        store.update_article(ArticleId(id), draft, now).await
    }
    async fn set_archived(store: &dyn Store, id: i64, archived: bool, now: Timestamp) -> StoreResult<Article> {
        store.set_article_archived(ArticleId(id), archived, now).await
    }
}
