//! The accounts port over SQL: users, sessions and personal access tokens.

use super::{Row, Rows, SqlDatabase};
use crate::{AccountStore, NewSession, SessionRecord, StoreError, StoreResult};
use async_trait::async_trait;
use jiff::Timestamp;
use knead_core::{Email, NewUser, Role, User, UserId};

macro_rules! user_columns {
    () => {
        "u.id, u.email, u.name, u.role, u.created_at"
    };
}

const CREATE_USER: &str =
    "insert into users (email, name, role, password_hash, created_at) values ($1, $2, $3, $4, $5) \
     returning id, email, name, role, created_at";
const USER_BY_ID: &str = concat!("select ", user_columns!(), " from users u where u.id = $1");
const CREDENTIALS: &str = concat!("select ", user_columns!(), ", u.password_hash from users u where u.email = $1");
const LIST_USERS: &str = concat!("select ", user_columns!(), " from users u order by u.id");
const CREATE_SESSION: &str =
    "insert into sessions (token_hash, user_id, csrf_token, created_at, expires_at) values ($1, $2, $3, $4, $5)";
const SESSION: &str = concat!(
    "select ",
    user_columns!(),
    ", s.csrf_token, s.expires_at from sessions s join users u on u.id = s.user_id \
     where s.token_hash = $1 and s.expires_at > $2"
);
const DELETE_SESSION: &str = "delete from sessions where token_hash = $1";
const DELETE_EXPIRED_SESSIONS: &str = "delete from sessions where expires_at <= $1";
const CREATE_API_TOKEN: &str = "insert into api_tokens (user_id, name, token_hash, created_at) values ($1, $2, $3, $4)";
const API_TOKEN_USER: &str =
    concat!("select ", user_columns!(), " from api_tokens t join users u on u.id = t.user_id where t.token_hash = $1");

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

    async fn create_session(&self, s: &NewSession) -> StoreResult<()> {
        let params = [
            (&s.token_hash).into(),
            s.user_id.into(),
            (&s.csrf_token).into(),
            s.created_at.into(),
            s.expires_at.into(),
        ];
        self.execute(CREATE_SESSION, &params).await?;
        Ok(())
    }

    async fn session(&self, token_hash: &str, now: Timestamp) -> StoreResult<Option<SessionRecord>> {
        let mut rows = self.query(SESSION, &[token_hash.into(), now.into()]).await?;
        let Some(mut r) = rows.first("users") else { return Ok(None) };
        let user = read_user(&mut r)?;
        Ok(Some(SessionRecord { user, csrf_token: r.text("csrf_token")?, expires_at: r.time("expires_at")? }))
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        self.execute(DELETE_SESSION, &[token_hash.into()]).await?;
        Ok(())
    }

    async fn delete_expired_sessions(&self, now: Timestamp) -> StoreResult<u64> {
        Ok(self.execute(DELETE_EXPIRED_SESSIONS, &[now.into()]).await?)
    }

    async fn create_api_token(&self, user_id: UserId, name: &str, token_hash: &str, now: Timestamp) -> StoreResult<()> {
        self.execute(CREATE_API_TOKEN, &[user_id.into(), name.into(), token_hash.into(), now.into()]).await?;
        Ok(())
    }

    async fn api_token_user(&self, token_hash: &str) -> StoreResult<Option<User>> {
        one_user(self.query(API_TOKEN_USER, &[token_hash.into()]).await?)
    }
}
