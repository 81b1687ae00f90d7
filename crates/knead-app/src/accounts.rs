//! Accounts: argon2id passwords, server-side sessions and personal access tokens, as operations.
//!
//! Secrets never reach the database in the clear: a session cookie and an API token are random 256-bit
//! values, and only their SHA-256 is stored, so a stolen database cannot sign anyone in.

use crate::{App, AppError, AppResult};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use jiff::{SignedDuration, Timestamp};
use knead_core::{Email, NewUser, Password, User};
use knead_store::NewSession;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// What every personal access token starts with, so one is recognised when it leaks.
pub const TOKEN_PREFIX: &str = "knead_pat_";

/// Hashes a password with argon2id and a fresh random salt (PHC string format).
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt");
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 with default params").to_string()
}

/// True when `password` matches the stored PHC `hash`; a malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A fresh random secret, URL-safe.
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database stores in place of a secret.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Argon2 takes tens of milliseconds of CPU; it runs off the async threads.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    tokio::task::spawn_blocking(work).await.map_err(|e| AppError::Internal(Box::new(e)))
}

/// Makes a user who signs in with `password`. Every field's problem is reported at once.
pub async fn create_user(app: &App, email: &str, name: &str, role: &str, password: &str) -> AppResult<User> {
    let new = NewUser::parse(email, name, role);
    let password = Password::parse_new("password", password);
    let (new, password) = match (new, password) {
        (Ok(new), Ok(password)) => (new, password),
        (new, password) => {
            let mut errors = new.err().unwrap_or_default();
            if let Err(e) = password {
                errors.push(e);
            }
            return Err(errors.into());
        }
    };
    let hash = blocking(move || hash_password(password.expose())).await?;
    Ok(app.store().create_user(&new, &hash, app.now()).await?)
}

/// Checks an email and password. A wrong password and an unknown email give the same answer and take the
/// same time (an unknown email is checked against a dummy hash).
pub async fn authenticate(app: &App, email: &str, password: &str) -> AppResult<User> {
    let password = Password::for_login(password);
    let found = match Email::parse("email", email) {
        Ok(email) => app.store().credentials_by_email(&email).await?,
        Err(_) => None,
    };
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), hash),
        None => (None, app.dummy_hash.clone()),
    };
    let matches = blocking(move || verify_password(password.expose(), &hash)).await?;
    match user {
        Some(user) if matches => Ok(user),
        _ => Err(AppError::field("invalid_credentials", "email", "The email or password is not right.")),
    }
}

/// A browser session as the web layer holds it: the cookie's secret and the form token.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    /// The SHA-256 of the cookie's secret: the session's key in the store.
    pub token_hash: String,
    /// Sent back in every form the session posts, to refuse cross-site requests.
    pub csrf_token: String,
}

/// Starts a session for `user` lasting `lifetime`; returns the secret for the cookie. A new random id
/// every time, so a session id planted before sign-in never becomes the signed-in one.
pub async fn start_session(app: &App, user: &User, lifetime: SignedDuration) -> AppResult<String> {
    let secret = random_secret();
    let now = app.now();
    let session = NewSession {
        token_hash: secret_hash(&secret),
        user_id: user.id,
        csrf_token: random_secret(),
        created_at: now,
        expires_at: now.saturating_add(lifetime).unwrap_or(Timestamp::MAX),
    };
    app.store().create_session(&session).await?;
    Ok(secret)
}

/// The live session a cookie's secret names, if any.
pub async fn session(app: &App, secret: &str) -> AppResult<Option<Session>> {
    let token_hash = secret_hash(secret);
    let record = app.store().session(&token_hash, app.now()).await?;
    Ok(record.map(|r| Session { user: r.user, token_hash, csrf_token: r.csrf_token }))
}

/// Ends the session with this key (signing out, or replacing a session at sign-in).
pub async fn end_session(app: &App, token_hash: &str) -> AppResult<()> {
    Ok(app.store().delete_session(token_hash).await?)
}

/// Ends the session a cookie's secret names, if it exists.
pub async fn end_session_of(app: &App, secret: &str) -> AppResult<()> {
    end_session(app, &secret_hash(secret)).await
}

/// Removes sessions that have expired by the app's clock; returns how many.
pub async fn sweep_expired_sessions(app: &App) -> AppResult<u64> {
    Ok(app.store().delete_expired_sessions(app.now()).await?)
}

/// The user a personal access token belongs to, if it is one of ours.
pub async fn token_user(app: &App, token: &str) -> AppResult<Option<User>> {
    Ok(app.store().api_token_user(&secret_hash(token)).await?)
}

/// Makes a personal access token for the user with `email`, labelled `label`; returns the user and the
/// token, which is shown once and stored only as its hash.
pub async fn create_api_token(app: &App, email: &str, label: &str) -> AppResult<(User, String)> {
    let email = Email::parse("email", email)?;
    let Some((user, _)) = app.store().credentials_by_email(&email).await? else {
        return Err(AppError::NotFound { what: "user with that email" });
    };
    let token = format!("{TOKEN_PREFIX}{}", random_secret());
    app.store().create_api_token(user.id, label, &secret_hash(&token), app.now()).await?;
    Ok((user, token))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::ToSpan;
    use knead_core::FixedClock;
    use std::sync::Arc;

    async fn app_at(now: Timestamp) -> App {
        let store = Arc::new(knead_store_sqlite::SqliteStore::in_memory().await.unwrap());
        App::with_clock(store, Arc::new(FixedClock(now)))
    }

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("correct horse battery");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("wrong horse battery", &h));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn secrets_are_random_and_stored_only_as_hashes() {
        let a = random_secret();
        assert_ne!(a, random_secret());
        assert_eq!(secret_hash(&a).len(), 64);
    }

    #[tokio::test]
    async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
        let app = app_at(Timestamp::now()).await;
        create_user(&app, "ana@example.com", "Ana", "client", "a long enough secret").await.unwrap();
        assert_eq!(authenticate(&app, "ANA@example.com", "a long enough secret").await.unwrap().name, "Ana");
        let wrong = authenticate(&app, "ana@example.com", "not the secret").await.unwrap_err();
        let unknown = authenticate(&app, "nobody@example.com", "a long enough secret").await.unwrap_err();
        assert_eq!(format!("{wrong:?}"), format!("{unknown:?}"));
    }

    #[tokio::test]
    async fn a_new_user_gets_every_problem_at_once() {
        let app = app_at(Timestamp::now()).await;
        let Err(AppError::Invalid(errors)) = create_user(&app, "nope", "", "admin", "short").await else {
            panic!("refused")
        };
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "name", "role", "password"]);
    }

    #[tokio::test]
    async fn expired_sessions_are_swept_by_the_apps_clock() {
        let t0: Timestamp = "2026-03-01T15:00:00Z".parse().unwrap();
        let app = app_at(t0).await;
        let user = create_user(&app, "theo@example.com", "Theo", "therapist", "a long enough secret").await.unwrap();
        let short = start_session(&app, &user, SignedDuration::from_mins(30)).await.unwrap();
        let long = start_session(&app, &user, SignedDuration::from_hours(3)).await.unwrap();
        assert!(session(&app, &short).await.unwrap().is_some());
        let later = App { clock: Arc::new(FixedClock(t0 + 1.hour())), ..app };
        assert_eq!(sweep_expired_sessions(&later).await.unwrap(), 1);
        assert!(session(&later, &short).await.unwrap().is_none());
        assert_eq!(session(&later, &long).await.unwrap().unwrap().user, user);
    }

    #[tokio::test]
    async fn a_token_is_shown_once_and_finds_its_user() {
        let app = app_at(Timestamp::now()).await;
        let user = create_user(&app, "boss@example.com", "Mo", "manager", "a long enough secret").await.unwrap();
        let (owner, token) = create_api_token(&app, "boss@example.com", "laptop").await.unwrap();
        assert_eq!(owner, user);
        assert!(token.starts_with(TOKEN_PREFIX));
        assert_eq!(token_user(&app, &token).await.unwrap(), Some(user));
        assert_eq!(token_user(&app, "knead_pat_forged").await.unwrap(), None);
        assert!(matches!(create_api_token(&app, "who@example.com", "x").await, Err(AppError::NotFound { .. })));
    }
}
