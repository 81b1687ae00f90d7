//! The content port: the practice's articles.

use crate::StoreResult;
use async_trait::async_trait;
use jiff::Timestamp;
use knead_core::{Article, ArticleDraft, ArticleId};

#[async_trait]
pub trait ContentStore: Send + Sync {
    /// Articles, newest first; archived ones only when asked.
    async fn list_articles(&self, include_archived: bool) -> StoreResult<Vec<Article>>;
    async fn article(&self, id: ArticleId) -> StoreResult<Article>;
    async fn article_by_slug(&self, slug: &str) -> StoreResult<Article>;
    async fn create_article(&self, draft: &ArticleDraft, now: Timestamp) -> StoreResult<Article>;
    async fn update_article(&self, id: ArticleId, draft: &ArticleDraft, now: Timestamp) -> StoreResult<Article>;
    async fn set_article_archived(&self, id: ArticleId, archived: bool, now: Timestamp) -> StoreResult<Article>;
}
