//! The accounts port over SQL: users, sessions, personal access tokens, and the second factor.

use super::{Locks, Param, Row, Rows, SqlDatabase};
use crate::{
    AccountStore, NewApiToken, NewSession, PendingSession, SecondFactor, SessionRecord, StoreError, StoreResult,
};
use async_trait::async_trait;
use jiff::Timestamp;
use knead_core::{Email, NewUser, Role, TokenInfo, User, UserId};

macro_rules! user_columns {
    () => {
        "u.id, u.email, u.name, u.role, u.created_at"
    };
}

macro_rules! token_columns {
    () => {
        "t.id, t.name, t.created_at, t.expires_at, t.last_used_at"
    };
}

const CREATE_USER: &str =
    "insert into users (email, name, role, password_hash, created_at) values ($1, $2, $3, $4, $5) \
     returning id, email, name, role, created_at";
const USER_BY_ID: &str = concat!("select ", user_columns!(), " from users u where u.id = $1");
const CREDENTIALS: &str = concat!("select ", user_columns!(), ", u.password_hash from users u where u.email = $1");
const LIST_USERS: &str = concat!("select ", user_columns!(), " from users u order by u.id");

const ADD_PASSWORD_RESET: &str =
    "insert into password_resets (user_id, token_hash, created_at, expires_at) values ($1, $2, $3, $4)";
const PASSWORD_RESET_USER: &str =
    "select user_id from password_resets where token_hash = $1 and used_at is null and expires_at > $2";
/// Spending the link is the compare-and-set: of two uses at once, one changes the row.
const SPEND_PASSWORD_RESET: &str = "update password_resets set used_at = $2 \
     where token_hash = $1 and used_at is null and expires_at > $2 returning user_id";
const SPEND_OTHER_RESETS: &str = "update password_resets set used_at = $2 where user_id = $1 and used_at is null";
const SET_PASSWORD: &str = "update users set password_hash = $2 where id = $1";
const END_SESSIONS_OF: &str = "delete from sessions where user_id = $1";

const CREATE_SESSION: &str = "insert into sessions (token_hash, user_id, csrf_token, created_at, expires_at, \
     last_seen_at, idle_expires_at, awaits_second_factor, failed_codes) values ($1, $2, $3, $4, $5, $4, $6, $7, 0)";
const SESSION: &str = concat!(
    "select ",
    user_columns!(),
    ", u.totp_confirmed_at, s.csrf_token, s.created_at, s.expires_at, s.last_seen_at, s.idle_expires_at \
     from sessions s join users u on u.id = s.user_id \
     where s.token_hash = $1 and s.expires_at > $2 and (s.idle_expires_at is null or s.idle_expires_at > $2) \
     and not s.awaits_second_factor"
);
const TOUCH_SESSION: &str = "update sessions set last_seen_at = $2, idle_expires_at = $3 \
     where token_hash = $1 and last_seen_at < $4 and not awaits_second_factor";
const PENDING_SESSION: &str = concat!(
    "select ",
    user_columns!(),
    ", s.csrf_token, s.expires_at, s.failed_codes from sessions s join users u on u.id = s.user_id \
     where s.token_hash = $1 and s.expires_at > $2 and s.awaits_second_factor"
);
const COUNT_FAILED_CODE: &str = "update sessions set failed_codes = failed_codes + 1 \
     where token_hash = $1 and awaits_second_factor returning failed_codes";
const DELETE_SESSION: &str = "delete from sessions where token_hash = $1";
const DELETE_EXPIRED_SESSIONS: &str = "delete from sessions where expires_at <= $1 or idle_expires_at <= $1";

const CREATE_API_TOKEN: &str = "insert into api_tokens (user_id, name, token_hash, created_at, expires_at) \
     values ($1, $2, $3, $4, $5) returning id, name, created_at, expires_at, last_used_at";
const API_TOKEN: &str = concat!(
    "select ",
    user_columns!(),
    ", ",
    token_columns!(),
    " from api_tokens t join users u on u.id = t.user_id \
     where t.token_hash = $1 and t.revoked_at is null and t.expires_at > $2"
);
const TOUCH_API_TOKEN: &str =
    "update api_tokens set last_used_at = $2 where id = $1 and (last_used_at is null or last_used_at < $3)";
const API_TOKENS_OF: &str = concat!(
    "select ",
    token_columns!(),
    " from api_tokens t where t.user_id = $1 and t.revoked_at is null and t.expires_at > $2 order by t.id"
);
const REVOKE_API_TOKENS: &str =
    "update api_tokens set revoked_at = $2 where user_id = $1 and revoked_at is null and expires_at > $2";
const REVOKE_API_TOKEN: &str = "update api_tokens set revoked_at = $2 \
     where user_id = $1 and revoked_at is null and expires_at > $2 and id = $3";

const SECOND_FACTOR: &str =
    "select u.id, u.totp_secret, u.totp_confirmed_at, u.totp_last_step from users u where u.id = $1";
const BEGIN_SECOND_FACTOR: &str = "update users set totp_secret = $2, totp_confirmed_at = null, \
     totp_last_step = null where id = $1 and totp_confirmed_at is null";
const CONFIRM_SECOND_FACTOR: &str = "update users set totp_confirmed_at = $3, totp_last_step = $4 \
     where id = $1 and totp_secret = $2 and totp_confirmed_at is null";
const ACCEPT_TOTP_STEP: &str = "update users set totp_last_step = $2 where id = $1 \
     and totp_confirmed_at is not null and (totp_last_step is null or totp_last_step < $2)";
const CLEAR_SECOND_FACTOR: &str =
    "update users set totp_secret = null, totp_confirmed_at = null, totp_last_step = null where id = $1";
const DELETE_RECOVERY_CODES: &str = "delete from recovery_codes where user_id = $1";
const CREATE_RECOVERY_CODE: &str = "insert into recovery_codes (user_id, code_hash, created_at) values ($1, $2, $3)";
const USE_RECOVERY_CODE: &str =
    "update recovery_codes set used_at = $3 where user_id = $1 and code_hash = $2 and used_at is null";
const RECOVERY_CODES_LEFT: &str =
    "select count(*) as unused from recovery_codes where user_id = $1 and used_at is null";

/// A user from the next five columns (`user_columns!`).
fn read_user(r: &mut Row<'_>) -> StoreResult<User> {
    let id = r.id("id")?;
    Ok(User {
        id: UserId(id),
        email: r.parsed("email", "an email address", |s| Email::parse("email", s).ok())?,
        name: r.text("name")?,
        role: r.parsed("role", "a known role", |s| Role::parse("role", s).ok())?,
        created_at: r.time("created_at")?,
    })
}

fn one_user(mut rows: Rows) -> StoreResult<Option<User>> {
    rows.first("users").map(|mut r| read_user(&mut r)).transpose()
}

/// A token from the next five columns (`token_columns!`); errors from here name the token.
fn read_token(r: &mut Row<'_>) -> StoreResult<TokenInfo> {
    let id = r.int("id")?;
    r.now_reading("api_tokens", id);
    Ok(TokenInfo {
        id,
        label: r.text("name")?,
        created_at: r.time("created_at")?,
        expires_at: r.time("expires_at")?,
        last_used_at: r.opt_time("last_used_at")?,
    })
}

fn session_params(s: &NewSession) -> [Param; 7] {
    [
        (&s.token_hash).into(),
        s.user_id.into(),
        (&s.csrf_token).into(),
        s.created_at.into(),
        s.expires_at.into(),
        Param::Time(s.idle_expires_at),
        s.awaits_second_factor.into(),
    ]
}

#[async_trait]
impl<D: SqlDatabase> AccountStore for D {
    async fn create_user(&self, user: &NewUser, password_hash: &str, now: Timestamp) -> StoreResult<User> {
        let params = [
            user.email.as_str().into(),
            (&user.name).into(),
            user.role.as_str().into(),
            password_hash.into(),
            now.into(),
        ];
        let rows = self.query(CREATE_USER, &params).await.map_err(|e| e.unique_as("email"))?;
        one_user(rows)?.ok_or_else(|| StoreError::corrupt("users", "?", "the new row did not come back"))
    }

    async fn user_by_id(&self, id: UserId) -> StoreResult<User> {
        one_user(self.query(USER_BY_ID, &[id.into()]).await?)?.ok_or(StoreError::NotFound)
    }

    async fn credentials_by_email(&self, email: &Email) -> StoreResult<Option<(User, String)>> {
        let mut rows = self.query(CREDENTIALS, &[email.as_str().into()]).await?;
        let Some(mut r) = rows.first("users") else { return Ok(None) };
        let user = read_user(&mut r)?;
        Ok(Some((user, r.text("password_hash")?)))
    }

    async fn list_users(&self) -> StoreResult<Vec<User>> {
        let mut rows = self.query(LIST_USERS, &[]).await?;
        rows.read("users").map(|mut r| read_user(&mut r)).collect()
    }

    async fn add_password_reset(
        &self,
        user: UserId,
        token_hash: &str,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> StoreResult<()> {
        self.execute(ADD_PASSWORD_RESET, &[user.into(), token_hash.into(), now.into(), expires_at.into()]).await?;
        Ok(())
    }

    async fn password_reset_user(&self, token_hash: &str, now: Timestamp) -> StoreResult<Option<UserId>> {
        let mut rows = self.query(PASSWORD_RESET_USER, &[token_hash.into(), now.into()]).await?;
        rows.first("password_resets").map(|mut r| r.int("user_id").map(UserId)).transpose()
    }

    async fn reset_password(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: Timestamp,
    ) -> StoreResult<Option<UserId>> {
        let mut tx = self.write(&Locks::none()).await?;
        let mut spent = tx.query(SPEND_PASSWORD_RESET, &[token_hash.into(), now.into()]).await?;
        let Some(user) = spent.first("password_resets").map(|mut r| r.int("user_id").map(UserId)).transpose()? else {
            return Ok(None);
        };
        tx.execute(SPEND_OTHER_RESETS, &[user.into(), now.into()]).await?;
        tx.execute(SET_PASSWORD, &[user.into(), password_hash.into()]).await?;
        tx.execute(END_SESSIONS_OF, &[user.into()]).await?;
        tx.commit().await?;
        Ok(Some(user))
    }

    async fn create_session(&self, s: &NewSession) -> StoreResult<()> {
        self.execute(CREATE_SESSION, &session_params(s)).await?;
        Ok(())
    }

    async fn session(&self, token_hash: &str, now: Timestamp) -> StoreResult<Option<SessionRecord>> {
        let mut rows = self.query(SESSION, &[token_hash.into(), now.into()]).await?;
        let Some(mut r) = rows.first("users") else { return Ok(None) };
        let user = read_user(&mut r)?;
        let has_second_factor = r.opt_time("totp_confirmed_at")?.is_some();
        r.name_by("sessions", token_hash.to_string());
        Ok(Some(SessionRecord {
            user,
            has_second_factor,
            csrf_token: r.text("csrf_token")?,
            created_at: r.time("created_at")?,
            expires_at: r.time("expires_at")?,
            last_seen_at: r.time("last_seen_at")?,
            idle_expires_at: r.opt_time("idle_expires_at")?,
        }))
    }

    async fn touch_session(
        &self,
        token_hash: &str,
        now: Timestamp,
        idle_expires_at: Option<Timestamp>,
        seen_since: Timestamp,
    ) -> StoreResult<bool> {
        let params = [token_hash.into(), now.into(), Param::Time(idle_expires_at), seen_since.into()];
        Ok(self.execute(TOUCH_SESSION, &params).await? > 0)
    }

    async fn pending_session(&self, token_hash: &str, now: Timestamp) -> StoreResult<Option<PendingSession>> {
        let mut rows = self.query(PENDING_SESSION, &[token_hash.into(), now.into()]).await?;
        let Some(mut r) = rows.first("users") else { return Ok(None) };
        let user = read_user(&mut r)?;
        r.name_by("sessions", token_hash.to_string());
        Ok(Some(PendingSession {
            user,
            csrf_token: r.text("csrf_token")?,
            expires_at: r.time("expires_at")?,
            failed_codes: r.int("failed_codes")?,
        }))
    }

    async fn count_failed_code(&self, token_hash: &str) -> StoreResult<i64> {
        let mut rows = self.query(COUNT_FAILED_CODE, &[token_hash.into()]).await?;
        let Some(mut r) = rows.first("sessions") else { return Ok(0) };
        r.name_by("sessions", token_hash.to_string());
        r.int("failed_codes")
    }

    async fn replace_session(&self, old_token_hash: &str, new: &NewSession) -> StoreResult<bool> {
        let mut tx = self.write(&Locks::none()).await?;
        if tx.execute(DELETE_SESSION, &[old_token_hash.into()]).await? == 0 {
            return Ok(false);
        }
        tx.execute(CREATE_SESSION, &session_params(new)).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        self.execute(DELETE_SESSION, &[token_hash.into()]).await?;
        Ok(())
    }

    async fn delete_expired_sessions(&self, now: Timestamp) -> StoreResult<u64> {
        Ok(self.execute(DELETE_EXPIRED_SESSIONS, &[now.into()]).await?)
    }

    async fn create_api_token(&self, t: &NewApiToken) -> StoreResult<TokenInfo> {
        let params =
            [t.user_id.into(), (&t.label).into(), (&t.token_hash).into(), t.created_at.into(), t.expires_at.into()];
        let mut rows = self.query(CREATE_API_TOKEN, &params).await?;
        let mut r = rows
            .first("api_tokens")
            .ok_or_else(|| StoreError::corrupt("api_tokens", "?", "the new row did not come back"))?;
        read_token(&mut r)
    }

    async fn api_token(&self, token_hash: &str, now: Timestamp) -> StoreResult<Option<(User, TokenInfo)>> {
        let mut rows = self.query(API_TOKEN, &[token_hash.into(), now.into()]).await?;
        let Some(mut r) = rows.first("users") else { return Ok(None) };
        let user = read_user(&mut r)?;
        Ok(Some((user, read_token(&mut r)?)))
    }

    async fn touch_api_token(&self, id: i64, now: Timestamp, used_since: Timestamp) -> StoreResult<bool> {
        Ok(self.execute(TOUCH_API_TOKEN, &[id.into(), now.into(), used_since.into()]).await? > 0)
    }

    async fn api_tokens_of(&self, user_id: UserId, now: Timestamp) -> StoreResult<Vec<TokenInfo>> {
        let mut rows = self.query(API_TOKENS_OF, &[user_id.into(), now.into()]).await?;
        rows.read("api_tokens").map(|mut r| read_token(&mut r)).collect()
    }

    async fn revoke_api_tokens(&self, user_id: UserId, id: Option<i64>, now: Timestamp) -> StoreResult<u64> {
        Ok(match id {
            None => self.execute(REVOKE_API_TOKENS, &[user_id.into(), now.into()]).await?,
            Some(id) => self.execute(REVOKE_API_TOKEN, &[user_id.into(), now.into(), id.into()]).await?,
        })
    }

    async fn second_factor(&self, user_id: UserId) -> StoreResult<Option<SecondFactor>> {
        let mut rows = self.query(SECOND_FACTOR, &[user_id.into()]).await?;
        let mut r = rows.first("users").ok_or(StoreError::NotFound)?;
        r.id("id")?;
        let secret = r.opt_text("totp_secret")?;
        let confirmed_at = r.opt_time("totp_confirmed_at")?;
        let last_step = r.opt_int("totp_last_step")?;
        match secret {
            Some(secret) => Ok(Some(SecondFactor { secret, confirmed_at, last_step })),
            None if confirmed_at.is_some() => Err(r.corrupt("column totp_confirmed_at: set without a secret")),
            None => Ok(None),
        }
    }

    async fn begin_second_factor(&self, user_id: UserId, secret: &str) -> StoreResult<bool> {
        Ok(self.execute(BEGIN_SECOND_FACTOR, &[user_id.into(), secret.into()]).await? > 0)
    }

    async fn confirm_second_factor(
        &self,
        user_id: UserId,
        secret: &str,
        step: i64,
        recovery_code_hashes: &[String],
        now: Timestamp,
    ) -> StoreResult<bool> {
        let mut tx = self.write(&Locks::none()).await?;
        let params = [user_id.into(), secret.into(), now.into(), step.into()];
        if tx.execute(CONFIRM_SECOND_FACTOR, &params).await? == 0 {
            return Ok(false);
        }
        tx.execute(DELETE_RECOVERY_CODES, &[user_id.into()]).await?;
        for hash in recovery_code_hashes {
            tx.execute(CREATE_RECOVERY_CODE, &[user_id.into(), hash.into(), now.into()]).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn accept_totp_step(&self, user_id: UserId, step: i64) -> StoreResult<bool> {
        Ok(self.execute(ACCEPT_TOTP_STEP, &[user_id.into(), step.into()]).await? > 0)
    }

    async fn use_recovery_code(&self, user_id: UserId, code_hash: &str, now: Timestamp) -> StoreResult<bool> {
        Ok(self.execute(USE_RECOVERY_CODE, &[user_id.into(), code_hash.into(), now.into()]).await? > 0)
    }

    async fn recovery_codes_left(&self, user_id: UserId) -> StoreResult<u64> {
        let mut rows = self.query(RECOVERY_CODES_LEFT, &[user_id.into()]).await?;
        let mut r = rows
            .first("recovery_codes")
            .ok_or_else(|| StoreError::corrupt("recovery_codes", "?", "a count came back with no row"))?;
        r.small("unused")
    }

    async fn clear_second_factor(&self, user_id: UserId) -> StoreResult<()> {
        let mut tx = self.write(&Locks::none()).await?;
        tx.execute(CLEAR_SECOND_FACTOR, &[user_id.into()]).await?;
        tx.execute(DELETE_RECOVERY_CODES, &[user_id.into()]).await?;
        tx.commit().await?;
        Ok(())
    }
}
