//! Personal access tokens for the API: they expire ([`DEFAULT_TOKEN_DAYS`] unless the creator chooses
//! otherwise), record when they were last used, and can be revoked (kept, with the time, for the record).

use super::{random_secret, secret_hash, user_by_email, user_with};
use crate::{App, AppError, AppResult};
use jiff::SignedDuration;
use knead_core::{Email, TokenDraft, TokenInfo, User, UserId};
use knead_store::NewApiToken;

/// What every personal access token starts with, so one is recognised when it leaks.
pub const TOKEN_PREFIX: &str = "knead_pat_";

/// How many days a token lasts unless its creator says otherwise (1 to 3,650).
pub const DEFAULT_TOKEN_DAYS: i64 = TokenDraft::DEFAULT_DAYS;

/// A token's use is recorded at most this often, so a busy API client does not write on every request.
const USE_RECORDED_EVERY: SignedDuration = SignedDuration::from_secs(60);

/// The user a personal access token belongs to, if it is one of ours and neither expired nor revoked.
pub async fn token_user(app: &App, token: &str) -> AppResult<Option<User>> {
    let now = app.now();
    let Some((user, info)) = app.store().api_token(&secret_hash(token), now).await? else { return Ok(None) };
    let used_since = now.saturating_sub(USE_RECORDED_EVERY).unwrap_or(now);
    if info.last_used_at.is_none_or(|last| last < used_since) {
        app.store().touch_api_token(info.id, now, used_since).await?;
    }
    Ok(Some(user))
}

/// Makes a personal access token for `user`, labelled `label`, lasting `days` (1 to 3,650); returns it with
/// the token itself, which is shown once and stored only as its hash.
pub async fn create_token_for(app: &App, user: &User, label: &str, days: i64) -> AppResult<(TokenInfo, String)> {
    let draft = TokenDraft::parse(label, days)?;
    store_token(app, user, &draft).await
}

async fn store_token(app: &App, user: &User, draft: &TokenDraft) -> AppResult<(TokenInfo, String)> {
    let token = format!("{TOKEN_PREFIX}{}", random_secret());
    let now = app.now();
    let new = NewApiToken {
        user_id: user.id,
        label: draft.label.clone(),
        token_hash: secret_hash(&token),
        created_at: now,
        expires_at: draft.expires_at(now),
    };
    let info = app.store().create_api_token(&new).await?;
    tracing::info!(user_id = user.id.0, token_id = info.id, days = draft.days, "a personal access token was made");
    Ok((info, token))
}

/// Makes a personal access token for the user with `email` (see [`create_token_for`]); returns the user,
/// the token's details and the token, shown once. The label's, the days' and the address's problems are
/// reported together; an unknown address is `NotFound`.
pub async fn create_api_token(app: &App, email: &str, label: &str, days: i64) -> AppResult<(User, TokenInfo, String)> {
    let (draft, email) = match (TokenDraft::parse(label, days), Email::parse("email", email)) {
        (Ok(draft), Ok(email)) => (draft, email),
        (draft, email) => {
            let mut errors = draft.err().unwrap_or_default();
            if let Err(e) = email {
                errors.push(e);
            }
            return Err(errors.into());
        }
    };
    let user = user_with(app, &email).await?;
    let (info, token) = store_token(app, &user, &draft).await?;
    Ok((user, info, token))
}

/// The live (neither expired nor revoked) tokens of the user with `email`, oldest first.
pub async fn list_api_tokens(app: &App, email: &str) -> AppResult<(User, Vec<TokenInfo>)> {
    let user = user_by_email(app, email).await?;
    let tokens = tokens_of(app, user.id).await?;
    Ok((user, tokens))
}

/// A user's live tokens, oldest first.
pub async fn tokens_of(app: &App, user: UserId) -> AppResult<Vec<TokenInfo>> {
    Ok(app.store().api_tokens_of(user, app.now()).await?)
}

/// Revokes the live tokens of the user with `email`: all of them, or only token `id`, which must be one of
/// theirs (else `NotFound`). Returns the user and how many were revoked.
pub async fn revoke_api_tokens(app: &App, email: &str, id: Option<i64>) -> AppResult<(User, u64)> {
    let user = user_by_email(app, email).await?;
    let revoked = revoke(app, user.id, id).await?;
    Ok((user, revoked))
}

/// Revokes one of the user's own live tokens; another user's, or one already ended, is `NotFound`.
pub async fn revoke_token_of(app: &App, user: UserId, id: i64) -> AppResult<()> {
    revoke(app, user, Some(id)).await.map(|_| ())
}

async fn revoke(app: &App, user: UserId, id: Option<i64>) -> AppResult<u64> {
    let revoked = app.store().revoke_api_tokens(user, id, app.now()).await?;
    if id.is_some() && revoked == 0 {
        return Err(AppError::NotFound { what: "token" });
    }
    tracing::info!(user_id = user.0, revoked, "personal access tokens were revoked");
    Ok(revoked)
}

#[cfg(test)]
mod tests {
    use super::super::create_user;
    use super::super::test_support::{app_at, at, t0};
    use super::*;
    use jiff::{Timestamp, ToSpan};

    async fn manager(app: &App) -> User {
        create_user(app, "boss@example.com", "Mo", "manager", "a long enough secret").await.unwrap()
    }

    #[tokio::test]
    async fn a_token_is_shown_once_and_finds_its_user_until_it_expires() {
        let app = app_at(t0()).await;
        let user = manager(&app).await;
        let (owner, info, token) =
            create_api_token(&app, "boss@example.com", "laptop", DEFAULT_TOKEN_DAYS).await.unwrap();
        assert_eq!(owner, user);
        assert!(token.starts_with(TOKEN_PREFIX));
        assert_eq!((info.label.as_str(), info.created_at, info.last_used_at), ("laptop", t0(), None));
        assert_eq!(info.expires_at, t0() + (90 * 24).hours());
        assert_eq!(token_user(&app, &token).await.unwrap(), Some(user.clone()));
        assert_eq!(token_user(&app, "knead_pat_forged").await.unwrap(), None);

        let app = at(app, t0() + (90 * 24).hours() - 1.second());
        assert_eq!(token_user(&app, &token).await.unwrap(), Some(user));
        let app = at(app, t0() + (90 * 24).hours());
        assert_eq!(token_user(&app, &token).await.unwrap(), None, "expired");
        assert!(list_api_tokens(&app, "boss@example.com").await.unwrap().1.is_empty());
    }

    #[tokio::test]
    async fn a_token_needs_a_label_and_one_day_to_ten_years_and_an_existing_user() {
        let app = app_at(t0()).await;
        manager(&app).await;
        let Err(AppError::Invalid(errors)) = create_api_token(&app, "not an email", " ", 3651).await else {
            panic!("refused")
        };
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["label", "days", "email"]);
        let unknown = create_api_token(&app, "who@example.com", "x", 1).await;
        assert!(matches!(unknown, Err(AppError::NotFound { .. })), "{unknown:?}");
        let (_, info, _) = create_api_token(&app, "boss@example.com", "ci", 1).await.unwrap();
        assert_eq!(info.expires_at, t0() + 24.hours());
    }

    #[tokio::test]
    async fn a_tokens_use_is_recorded_at_most_once_a_minute() {
        let app = app_at(t0()).await;
        let user = manager(&app).await;
        let (info, token) = create_token_for(&app, &user, "script", 30).await.unwrap();
        async fn last_used(app: &App, user: UserId) -> Option<Timestamp> {
            tokens_of(app, user).await.unwrap()[0].last_used_at
        }
        let first: Timestamp = t0() + 10.minutes();
        let app = at(app, first);
        token_user(&app, &token).await.unwrap().unwrap();
        assert_eq!(last_used(&app, user.id).await, Some(first));
        let app = at(app, first + 59.seconds());
        token_user(&app, &token).await.unwrap().unwrap();
        assert_eq!(last_used(&app, user.id).await, Some(first), "not written again within the minute");
        let app = at(app, first + 61.seconds());
        token_user(&app, &token).await.unwrap().unwrap();
        assert_eq!(last_used(&app, user.id).await, Some(first + 61.seconds()));
        assert_eq!(tokens_of(&app, user.id).await.unwrap()[0].id, info.id);
    }

    #[tokio::test]
    async fn revoked_tokens_sign_nothing_in_and_only_their_owner_may_revoke_one() {
        let app = app_at(t0()).await;
        let user = manager(&app).await;
        let other = create_user(&app, "ana@example.com", "Ana", "client", "a long enough secret").await.unwrap();
        let (laptop, laptop_token) = create_token_for(&app, &user, "laptop", 90).await.unwrap();
        let (_, phone_token) = create_token_for(&app, &user, "phone", 90).await.unwrap();
        let (theirs, theirs_token) = create_token_for(&app, &other, "theirs", 90).await.unwrap();

        let refused = revoke_token_of(&app, user.id, theirs.id).await;
        assert!(matches!(refused, Err(AppError::NotFound { what: "token" })), "{refused:?}");
        let refused = revoke_api_tokens(&app, "boss@example.com", Some(theirs.id)).await;
        assert!(matches!(refused, Err(AppError::NotFound { .. })), "{refused:?}");
        assert!(token_user(&app, &theirs_token).await.unwrap().is_some(), "another's token lives on");

        revoke_token_of(&app, user.id, laptop.id).await.unwrap();
        assert_eq!(token_user(&app, &laptop_token).await.unwrap(), None);
        assert!(matches!(revoke_token_of(&app, user.id, laptop.id).await, Err(AppError::NotFound { .. })), "once");
        let (_, listed) = list_api_tokens(&app, "boss@example.com").await.unwrap();
        assert_eq!(listed.iter().map(|t| t.label.as_str()).collect::<Vec<_>>(), ["phone"]);

        assert_eq!(revoke_api_tokens(&app, "boss@example.com", None).await.unwrap(), (user.clone(), 1));
        assert_eq!(token_user(&app, &phone_token).await.unwrap(), None);
        assert_eq!(revoke_api_tokens(&app, "boss@example.com", None).await.unwrap().1, 0, "none left");
        assert!(tokens_of(&app, user.id).await.unwrap().is_empty());
    }
}
