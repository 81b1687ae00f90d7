//! The accounts port: users, browser sessions and personal access tokens.

use crate::StoreResult;
use async_trait::async_trait;
use jiff::Timestamp;
use knead_core::{Email, NewUser, User, UserId};

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
