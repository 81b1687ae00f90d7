//! Storage ports: what knead needs from a database, as traits, with one small error type.
//!
//! Adapters (`knead-store-sqlite`, `knead-store-postgres`) implement these traits and prove it by
//! passing the same conformance stories (`conformance`, behind the feature of that name).

use async_trait::async_trait;
use jiff::Timestamp;
use knead_core::{
    Article, ArticleDraft, ArticleId, Email, NewUser, Service, ServiceDraft, ServiceId, Therapist, TherapistDraft,
    TherapistId, User, UserId,
};
use std::sync::Arc;

#[cfg(feature = "conformance")]
pub mod conformance;

/// What can go wrong in storage, as callers need to tell it apart.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken; `field` names the input field that must change (e.g. `slug`).
    #[error("{field} is already taken")]
    Conflict { field: &'static str },
    #[error("storage failure: {0}")]
    Other(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    pub fn other(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
        StoreError::Other(Box::new(e))
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A signed-in browser session, stored server-side; the cookie holds only a random token whose hash is the key.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token_hash: String,
    pub user_id: UserId,
    /// Sent back in every form the session posts, to refuse cross-site requests.
    pub csrf_token: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: Timestamp,
}

#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Fails with `Conflict { field: "email" }` when the address is taken.
    async fn create_user(&self, user: &NewUser, password_hash: &str, now: Timestamp) -> StoreResult<User>;
    async fn user_by_id(&self, id: UserId) -> StoreResult<User>;
    /// The user and their password hash, for checking a login.
    async fn credentials_by_email(&self, email: &Email) -> StoreResult<Option<(User, String)>>;
    async fn list_users(&self) -> StoreResult<Vec<User>>;

    async fn create_session(&self, session: &NewSession) -> StoreResult<()>;
    /// The live session for a token hash; expired sessions are not returned.
    async fn session(&self, token_hash: &str, now: Timestamp) -> StoreResult<Option<SessionRecord>>;
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;
    /// Removes expired sessions; returns how many.
    async fn delete_expired_sessions(&self, now: Timestamp) -> StoreResult<u64>;

    /// Stores a personal access token (only its hash).
    async fn create_api_token(&self, user_id: UserId, name: &str, token_hash: &str, now: Timestamp) -> StoreResult<()>;
    async fn api_token_user(&self, token_hash: &str) -> StoreResult<Option<User>>;
}

#[async_trait]
pub trait CatalogStore: Send + Sync {
    /// Services by name; archived ones only when asked.
    async fn list_services(&self, include_archived: bool) -> StoreResult<Vec<Service>>;
    async fn service(&self, id: ServiceId) -> StoreResult<Service>;
    async fn service_by_slug(&self, slug: &str) -> StoreResult<Service>;
    /// Fails with `Conflict { field: "slug" }` when the slug is taken.
    async fn create_service(&self, draft: &ServiceDraft, now: Timestamp) -> StoreResult<Service>;
    /// Replaces every field and the add-ons.
    async fn update_service(&self, id: ServiceId, draft: &ServiceDraft, now: Timestamp) -> StoreResult<Service>;
    async fn set_service_archived(&self, id: ServiceId, archived: bool, now: Timestamp) -> StoreResult<Service>;

    async fn list_therapists(&self, include_archived: bool) -> StoreResult<Vec<Therapist>>;
    async fn therapist(&self, id: TherapistId) -> StoreResult<Therapist>;
    async fn therapist_by_slug(&self, slug: &str) -> StoreResult<Therapist>;
    async fn create_therapist(&self, draft: &TherapistDraft, now: Timestamp) -> StoreResult<Therapist>;
    async fn update_therapist(&self, id: TherapistId, draft: &TherapistDraft, now: Timestamp) -> StoreResult<Therapist>;
    async fn set_therapist_archived(&self, id: TherapistId, archived: bool, now: Timestamp) -> StoreResult<Therapist>;
}

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

/// Everything knead stores; what the web layer holds.
#[async_trait]
pub trait Store: AccountStore + CatalogStore + ContentStore {
    /// A cheap round trip, for /healthz.
    async fn ping(&self) -> StoreResult<()>;
    /// Which backend this is, for logs: "sqlite" or "postgres".
    fn backend(&self) -> &'static str;
}

pub type DynStore = Arc<dyn Store>;
