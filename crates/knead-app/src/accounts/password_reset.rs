//! Resetting a forgotten password: a request writes a message job (the same answer whether or not the email
//! has an account, at most one every 10 minutes per account); the message carries a link good for an hour
//! and once (only its hash is stored); using it sets the new password and ends every session of the account.
//! A second factor still asks for its code at the next sign-in: a reset opens the password step only.

use super::{blocking, hash_password, random_secret, secret_hash};
use crate::{App, AppError, AppResult};
use jiff::{SignedDuration, Timestamp};
use knead_core::notify::{JobKind, NewJob};
use knead_core::{Email, Password, UserId, ValidationErrors};

/// How long a reset link works.
pub const RESET_LINK_MINUTES: i64 = 60;

/// Asks for a reset link to be sent to `email`. Says nothing about whether it has an account.
pub async fn request_password_reset(app: &App, email: &str) -> AppResult<()> {
    let email = Email::parse("email", email).map_err(|e| ValidationErrors(vec![e]))?;
    let store = app.store();
    let now = app.now();
    let Some((user, _)) = store.credentials_by_email(&email).await? else { return Ok(()) };
    let since = now.checked_sub(SignedDuration::from_mins(10)).unwrap_or(now);
    if !store.recent_user_job(user.id, JobKind::PasswordReset, since).await? {
        let job = NewJob { user_id: Some(user.id), ..NewJob::now(JobKind::PasswordReset, now) };
        store.add_jobs(None, &[job], now).await?;
        tracing::info!(user_id = user.id.0, "a password reset was asked for");
        app.jobs_added();
    }
    Ok(())
}

/// A new reset link's token for `user`, for the message that carries it.
pub(crate) async fn new_reset_token(app: &App, user: UserId) -> AppResult<String> {
    let token = random_secret();
    let now = app.now();
    let until = now.checked_add(SignedDuration::from_mins(RESET_LINK_MINUTES)).unwrap_or(Timestamp::MAX);
    app.store().add_password_reset(user, &secret_hash(&token), now, until).await?;
    Ok(token)
}

/// Whether a reset link still works (unused, not expired).
pub async fn reset_link_works(app: &App, token: &str) -> AppResult<bool> {
    Ok(app.store().password_reset_user(&secret_hash(token), app.now()).await?.is_some())
}

/// Sets a new password through a reset link and ends the account's sessions. A used or expired link is
/// `expired` on `token`; a weak password is refused as at sign-up, before the link is spent.
pub async fn reset_password(app: &App, token: &str, password: &str) -> AppResult<()> {
    let password = Password::parse_new("password", password).map_err(|e| ValidationErrors(vec![e]))?;
    let hash = blocking(move || hash_password(password.expose())).await?;
    match app.store().reset_password(&secret_hash(token), &hash, app.now()).await? {
        Some(user) => {
            tracing::info!(user_id = user.0, "a password was reset");
            Ok(())
        }
        None => Err(AppError::field(
            "expired",
            "token",
            "this link has expired or was already used: ask for a new one from the sign-in page",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::test_support::{app_at, at, t0};
    use crate::accounts::{authenticate, create_user, session, start_session};
    use crate::notify::tests::run_at;

    /// The token in the newest reset message filed in the outbox.
    async fn mailed_token(app: &App) -> String {
        let jobs = crate::notify::outbox(app, None, None, 100).await.unwrap();
        let job = jobs.iter().find(|j| j.kind == JobKind::PasswordReset).expect("a reset message");
        let text = &job.message.as_ref().expect("filed whole").text;
        let link = text.split_whitespace().find(|w| w.contains("/login/reset?token=")).expect("the link");
        link.split("token=").nth(1).unwrap().to_string()
    }

    #[tokio::test]
    async fn a_mailed_link_sets_a_new_password_once_ends_the_sessions_and_expires_within_the_hour() {
        let app = app_at(t0()).await;
        let user =
            create_user(&app, "ana@example.com", "Ana Fictional", "client", "an old long password").await.unwrap();
        let cookie = start_session(&app, &user).await.unwrap();
        request_password_reset(&app, "nobody@example.com").await.unwrap();
        request_password_reset(&app, "ANA@example.com").await.unwrap();
        request_password_reset(&app, "ana@example.com").await.unwrap();
        let app = run_at(app, t0()).await.0;
        let jobs = crate::notify::outbox(&app, None, None, 100).await.unwrap();
        assert_eq!(jobs.len(), 1, "one message: none for an unknown email, one per account in 10 minutes");
        let message = jobs[0].message.as_ref().unwrap();
        assert_eq!(message.to, "ana@example.com");
        let token = mailed_token(&app).await;
        assert!(reset_link_works(&app, &token).await.unwrap());

        let weak = reset_password(&app, &token, "short").await.unwrap_err();
        assert!(matches!(weak, AppError::Invalid(e) if e.for_field("password").is_some()));
        assert!(reset_link_works(&app, &token).await.unwrap(), "a refused password does not spend the link");
        reset_password(&app, &token, "a brand new long password").await.unwrap();
        assert!(session(&app, &cookie).await.unwrap().is_none(), "signed out everywhere");
        assert!(authenticate(&app, "ana@example.com", "an old long password").await.is_err());
        assert!(authenticate(&app, "ana@example.com", "a brand new long password").await.is_ok());
        let again = reset_password(&app, &token, "yet another long password").await.unwrap_err();
        assert!(matches!(again, AppError::Invalid(e) if e.for_field("token").is_some()), "a link works once");

        // Later, a new link works for an hour and not after.
        let later = t0().checked_add(SignedDuration::from_mins(30)).unwrap();
        let app = at(app, later);
        request_password_reset(&app, "ana@example.com").await.unwrap();
        let app = run_at(app, later).await.0;
        let token = mailed_token(&app).await;
        let expired = later.checked_add(SignedDuration::from_mins(RESET_LINK_MINUTES + 1)).unwrap();
        let app = at(app, expired);
        assert!(!reset_link_works(&app, &token).await.unwrap());
        assert!(reset_password(&app, &token, "a brand new long password 2").await.is_err());
    }
}
