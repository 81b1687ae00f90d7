//! Accounts: argon2id passwords, server-side sessions, personal access tokens and the TOTP second factor,
//! as operations.
//!
//! Secrets never reach the database in the clear: a session cookie, an API token and a recovery code are
//! random values, and only their SHA-256 is stored, so a stolen database cannot sign anyone in. (The TOTP
//! secret is the exception: a code can only be checked against the secret itself.)
//!
//! - `sessions`: signing in (in two steps when the user has a second factor), sessions that end by role
//!   ([`SessionPolicy`]), signing out, the sweep.
//! - `tokens`: personal access tokens that expire, record their last use and can be revoked.
//! - `second_factor`: enrolling, confirming and turning off TOTP, with recovery codes.
//! - `password_reset`: a link by email, good for an hour and once, that sets a new password.

mod password_reset;
mod second_factor;
mod sessions;
mod tokens;

pub use knead_core::{SessionPolicy, TokenInfo};
pub(crate) use password_reset::new_reset_token;
pub use password_reset::{request_password_reset, reset_link_works, reset_password, RESET_LINK_MINUTES};
pub use second_factor::{
    begin_second_factor, confirm_second_factor, disable_second_factor, has_second_factor, recovery_codes_left,
    reset_second_factor, Enrolment, RECOVERY_CODES,
};
pub use sessions::{
    end_session, end_session_of, pending_sign_in, second_step, session, sign_in, start_session, sweep_expired_sessions,
    PendingSignIn, Session, SignIn, MAX_WRONG_CODES, PENDING_SIGN_IN_MINUTES,
};
pub use tokens::{
    create_api_token, create_token_for, list_api_tokens, revoke_api_tokens, revoke_token_of, token_user, tokens_of,
    DEFAULT_TOKEN_DAYS, TOKEN_PREFIX,
};

use crate::{App, AppError, AppResult};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use knead_core::{Email, NewUser, Password, User};
use rand::RngCore;
use sha2::{Digest, Sha256};

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
/// same time (an unknown email is checked against a dummy hash). This is the first step of [`sign_in`].
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

/// The user with this address, for the command line's account chores; an unknown one is `NotFound`.
pub(crate) async fn user_by_email(app: &App, email: &str) -> AppResult<User> {
    user_with(app, &Email::parse("email", email)?).await
}

async fn user_with(app: &App, email: &Email) -> AppResult<User> {
    match app.store().credentials_by_email(email).await? {
        Some((user, _)) => Ok(user),
        None => Err(AppError::NotFound { what: "user with that email" }),
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use crate::App;
    use jiff::Timestamp;
    use knead_core::FixedClock;
    use std::sync::Arc;

    pub async fn app_at(now: Timestamp) -> App {
        let store = Arc::new(knead_store_sqlite::SqliteStore::in_memory().await.unwrap());
        App::with_clock(store, Arc::new(FixedClock(now)))
    }

    /// The same app (same store) with its clock moved to `now`.
    pub fn at(app: App, now: Timestamp) -> App {
        App { clock: Arc::new(FixedClock(now)), ..app }
    }

    pub fn t0() -> Timestamp {
        "2026-03-01T15:00:00Z".parse().unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::app_at;
    use super::*;
    use jiff::Timestamp;

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
    async fn a_common_password_is_refused_with_a_clear_message() {
        let app = app_at(Timestamp::now()).await;
        let Err(AppError::Invalid(errors)) = create_user(&app, "ana@example.com", "Ana", "client", "password123").await
        else {
            panic!("refused")
        };
        assert_eq!(errors.for_field("password"), Some("is one of the most common passwords; choose another"));
        assert!(app.store().list_users().await.unwrap().is_empty(), "nothing written");
    }
}
