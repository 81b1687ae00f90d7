//! The accounts port: users, browser sessions (full, or waiting for a second factor), personal access
//! tokens, and the TOTP second factor with its recovery codes.
//!
//! Secrets never come here in the clear: sessions, tokens and recovery codes are known by their hashes. The
//! one exception is the TOTP secret, which must be read back to check a code.

use crate::StoreResult;
use async_trait::async_trait;
use jiff::Timestamp;
use knead_core::{Email, NewUser, TokenInfo, User, UserId};

/// A browser session, stored server-side; the cookie holds only a random token whose hash is the key.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token_hash: String,
    pub user_id: UserId,
    /// Sent back in every form the session posts, to refuse cross-site requests.
    pub csrf_token: String,
    pub created_at: Timestamp,
    /// The absolute end, however busy the session is.
    pub expires_at: Timestamp,
    /// When it ends unless a request comes first; `None` when it does not end for idleness.
    pub idle_expires_at: Option<Timestamp>,
    /// Signed in with a password only, waiting for the second factor: it signs nothing in by itself.
    pub awaits_second_factor: bool,
}

/// A live full session, with its user.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub user: User,
    pub csrf_token: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub last_seen_at: Timestamp,
    pub idle_expires_at: Option<Timestamp>,
    /// Whether the user has a confirmed second factor.
    pub has_second_factor: bool,
}

/// A live session waiting for the second factor.
#[derive(Debug, Clone)]
pub struct PendingSession {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: Timestamp,
    /// Wrong codes offered so far.
    pub failed_codes: i64,
}

/// A personal access token about to be stored (only its hash).
#[derive(Debug, Clone)]
pub struct NewApiToken {
    pub user_id: UserId,
    pub label: String,
    pub token_hash: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// A user's TOTP secret (base32) and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecondFactor {
    pub secret: String,
    /// `None` while the enrolment waits for its first valid code.
    pub confirmed_at: Option<Timestamp>,
    /// The last time step (Unix seconds / 30) whose code was accepted; a code of this step or an earlier
    /// one is never accepted again.
    pub last_step: Option<i64>,
}

#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Fails with `Conflict { field: "email" }` when the address is taken.
    async fn create_user(&self, user: &NewUser, password_hash: &str, now: Timestamp) -> StoreResult<User>;
    async fn user_by_id(&self, id: UserId) -> StoreResult<User>;
    /// The user and their password hash, for checking a login.
    async fn credentials_by_email(&self, email: &Email) -> StoreResult<Option<(User, String)>>;
    async fn list_users(&self) -> StoreResult<Vec<User>>;

    /// A password-reset link for `user` (the SHA-256 of its token), good until `expires_at`.
    async fn add_password_reset(
        &self,
        user: UserId,
        token_hash: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<()>;
    /// The user a reset link is for, while it is unused and has not expired.
    async fn password_reset_user(&self, token_hash: &str, now: Timestamp) -> StoreResult<Option<UserId>>;
    /// Uses a live reset link: in one transaction the link (and the user's other links) is spent, the
    /// password replaced and every session of the user ended. `None`, with nothing changed, when the link is
    /// unknown, used or expired.
    async fn reset_password(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<UserId>>;

    /// A repeated token hash is `Conflict { field: "id" }`.
    async fn create_session(&self, session: &NewSession) -> StoreResult<()>;
    /// The full session for a token hash, if it is live at `now`: not past its end, not idle past its idle
    /// end, and not waiting for a second factor.
    async fn session(&self, token_hash: &str, now: Timestamp) -> StoreResult<Option<SessionRecord>>;
    /// Records a request at `now` and moves the idle end, unless the session was already seen at or after
    /// `seen_since` (so a busy session is written about once a minute, not on every request). Returns
    /// whether it wrote.
    async fn touch_session(
        &self,
        token_hash: &str,
        now: Timestamp,
        idle_expires_at: Option<Timestamp>,
        seen_since: Timestamp,
    ) -> StoreResult<bool>;
    /// The session waiting for a second factor with this token hash, if it is live at `now`.
    async fn pending_session(&self, token_hash: &str, now: Timestamp) -> StoreResult<Option<PendingSession>>;
    /// Counts a wrong code against a waiting session; returns how many it has had (0: no such session).
    async fn count_failed_code(&self, token_hash: &str) -> StoreResult<i64>;
    /// Ends the session `old_token_hash` and starts `new` in one transaction; returns false, writing
    /// nothing, when the old one was already gone (so one waiting session becomes at most one full one).
    async fn replace_session(&self, old_token_hash: &str, new: &NewSession) -> StoreResult<bool>;
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;
    /// Removes sessions past their end or their idle end; returns how many.
    async fn delete_expired_sessions(&self, now: Timestamp) -> StoreResult<u64>;

    /// Stores a personal access token (only its hash). A repeated hash is `Conflict { field: "id" }`.
    async fn create_api_token(&self, token: &NewApiToken) -> StoreResult<TokenInfo>;
    /// The token with this hash and its user, if it is live at `now`: not expired, not revoked.
    async fn api_token(&self, token_hash: &str, now: Timestamp) -> StoreResult<Option<(User, TokenInfo)>>;
    /// Records a use of token `id` at `now`, unless one was recorded at or after `used_since`; returns
    /// whether it wrote.
    async fn touch_api_token(&self, id: i64, now: Timestamp, used_since: Timestamp) -> StoreResult<bool>;
    /// The user's live tokens at `now`, oldest first.
    async fn api_tokens_of(&self, user_id: UserId, now: Timestamp) -> StoreResult<Vec<TokenInfo>>;
    /// Revokes the user's live tokens at `now` (only token `id`, when given); returns how many. Revoked
    /// tokens are kept, with the time.
    async fn revoke_api_tokens(&self, user_id: UserId, id: Option<i64>, now: Timestamp) -> StoreResult<u64>;

    /// The user's TOTP secret, confirmed or pending, if any.
    async fn second_factor(&self, user_id: UserId) -> StoreResult<Option<SecondFactor>>;
    /// Starts an enrolment with `secret`, replacing a pending one; returns false, writing nothing, when the
    /// user already has a confirmed second factor.
    async fn begin_second_factor(&self, user_id: UserId, secret: &str) -> StoreResult<bool>;
    /// Confirms the pending enrolment with `secret` (whose code for time step `step` was just offered) and
    /// replaces the user's recovery codes with `recovery_code_hashes`, in one transaction. Returns false,
    /// writing nothing, unless `secret` is still the user's pending secret.
    async fn confirm_second_factor(
        &self,
        user_id: UserId,
        secret: &str,
        step: i64,
        recovery_code_hashes: &[String],
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Accepts a code of time step `step` for the user's confirmed secret if it is later than the last one
    /// accepted, atomically, so a code is accepted at most once. Returns whether it was.
    async fn accept_totp_step(&self, user_id: UserId, step: i64) -> StoreResult<bool>;
    /// Uses the user's unused recovery code with this hash at `now`; returns whether there was one.
    async fn use_recovery_code(&self, user_id: UserId, code_hash: &str, now: Timestamp) -> StoreResult<bool>;
    /// How many of the user's recovery codes are unused.
    async fn recovery_codes_left(&self, user_id: UserId) -> StoreResult<u64>;
    /// Removes the user's second factor, pending or confirmed, and their recovery codes.
    async fn clear_second_factor(&self, user_id: UserId) -> StoreResult<()>;
}
