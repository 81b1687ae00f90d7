//! Browser sessions: signing in (in two steps when the user has a second factor), sessions that end by the
//! app's [`SessionPolicy`] for the user's role, signing out, and the sweep.

use super::{authenticate, random_secret, second_factor, secret_hash};
use crate::{App, AppError, AppResult};
use jiff::{SignedDuration, Timestamp};
use knead_core::User;
use knead_store::NewSession;

/// How long a sign-in waits for its second factor.
pub const PENDING_SIGN_IN_MINUTES: i64 = 5;

/// Wrong codes a sign-in waiting for its second factor may take; it ends at the last.
pub const MAX_WRONG_CODES: i64 = 5;

/// A session's requests are recorded at most this often, so a busy page does not write on every request.
const SEEN_EVERY: SignedDuration = SignedDuration::from_secs(60);

/// `t + d`, or the end of time.
fn later(t: Timestamp, d: SignedDuration) -> Timestamp {
    t.saturating_add(d).unwrap_or(Timestamp::MAX)
}

/// A browser session as the web layer holds it: the cookie's secret and the form token.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    /// The SHA-256 of the cookie's secret: the session's key in the store.
    pub token_hash: String,
    /// Sent back in every form the session posts, to refuse cross-site requests.
    pub csrf_token: String,
    /// The user's role must use a second factor and they have not set one up: send them to do that before
    /// anything else.
    pub second_factor_missing: bool,
}

/// How signing in with a password went.
#[derive(Debug, Clone)]
pub enum SignIn {
    /// Signed in: `secret` is a new full session's cookie secret.
    Done { user: User, secret: String },
    /// The password was right and the user has a second factor: `pending` is the secret of a sign-in that
    /// waits [`PENDING_SIGN_IN_MINUTES`] for a code ([`second_step`]) and signs nothing in by itself.
    NeedsCode { pending: String },
}

/// A sign-in waiting for its second factor, as the code form needs it.
#[derive(Debug, Clone)]
pub struct PendingSignIn {
    /// Sent back with the code, to refuse cross-site posts of the code form.
    pub csrf_token: String,
    pub expires_at: Timestamp,
}

/// A new full session for `user` from the app's clock and policy; `secret` is the cookie's.
fn full_session(app: &App, user: &User, secret: &str) -> NewSession {
    let now = app.now();
    let policy = app.session_policy();
    NewSession {
        token_hash: secret_hash(secret),
        user_id: user.id,
        csrf_token: random_secret(),
        created_at: now,
        expires_at: later(now, policy.lifetime(user.role)),
        idle_expires_at: policy.idle_limit(user.role).map(|idle| later(now, idle)),
        awaits_second_factor: false,
    }
}

/// Starts a session for `user`, lasting as the app's [`SessionPolicy`] says for their role; returns the
/// secret for the cookie. A new random id every time, so a session id planted before sign-in never becomes
/// the signed-in one. This does not ask for a second factor: [`sign_in`] does.
pub async fn start_session(app: &App, user: &User) -> AppResult<String> {
    let secret = random_secret();
    app.store().create_session(&full_session(app, user, &secret)).await?;
    Ok(secret)
}

/// Signs in with an email and password ([`authenticate`]: a wrong password and an unknown email get the
/// same answer after the same work). A user without a confirmed second factor gets a full session at once
/// (a manager who must set one up then has [`Session::second_factor_missing`]); one with a second factor
/// gets a sign-in that waits for a code.
pub async fn sign_in(app: &App, email: &str, password: &str) -> AppResult<SignIn> {
    let user = authenticate(app, email, password).await?;
    if !second_factor::has_second_factor(app, user.id).await? {
        let secret = start_session(app, &user).await?;
        return Ok(SignIn::Done { user, secret });
    }
    let pending = random_secret();
    let now = app.now();
    let waiting = NewSession {
        token_hash: secret_hash(&pending),
        user_id: user.id,
        csrf_token: random_secret(),
        created_at: now,
        expires_at: later(now, SignedDuration::from_mins(PENDING_SIGN_IN_MINUTES)),
        idle_expires_at: None,
        awaits_second_factor: true,
    };
    app.store().create_session(&waiting).await?;
    Ok(SignIn::NeedsCode { pending })
}

/// The sign-in waiting for a code that `pending` names, if it is still live.
pub async fn pending_sign_in(app: &App, pending: &str) -> AppResult<Option<PendingSignIn>> {
    let record = app.store().pending_session(&secret_hash(pending), app.now()).await?;
    Ok(record.map(|r| PendingSignIn { csrf_token: r.csrf_token, expires_at: r.expires_at }))
}

/// The second step of signing in: `code` is the current TOTP code or an unused recovery code. A right code
/// ends the waiting sign-in and starts a full session (its cookie secret is returned); a code is accepted
/// once. A wrong one is `Invalid` on `code`, and the [`MAX_WRONG_CODES`]th ends the waiting sign-in. One that
/// has ended (or never was) is `NotFound`: sign in again.
pub async fn second_step(app: &App, pending: &str, code: &str) -> AppResult<(User, String)> {
    let gone = || AppError::NotFound { what: "sign-in waiting for a code" };
    let token_hash = secret_hash(pending);
    let waiting = app.store().pending_session(&token_hash, app.now()).await?.ok_or_else(gone)?;
    let user = waiting.user;
    if !second_factor::accept_code(app, &user, code).await? {
        let failed = app.store().count_failed_code(&token_hash).await?;
        if failed >= MAX_WRONG_CODES {
            app.store().delete_session(&token_hash).await?;
            tracing::warn!(user_id = user.id.0, failed, "a sign-in ended after too many wrong codes");
            return Err(AppError::field("too_many_codes", "code", "Too many wrong codes. Sign in again."));
        }
        return Err(second_factor::wrong_code());
    }
    let secret = random_secret();
    if !app.store().replace_session(&token_hash, &full_session(app, &user, &secret)).await? {
        return Err(gone());
    }
    Ok((user, secret))
}

/// The live session a cookie's secret names, if any. It ends (and is removed) once it has gone longer
/// without a request than the user's role allows, or is older than the role's lifetime; both are read
/// from the app's policy on every request, so a tightened policy applies to sessions begun before it.
pub async fn session(app: &App, secret: &str) -> AppResult<Option<Session>> {
    let token_hash = secret_hash(secret);
    let now = app.now();
    let Some(record) = app.store().session(&token_hash, now).await? else { return Ok(None) };
    let role = record.user.role;
    let policy = app.session_policy();
    let idle = policy.idle_limit(role);
    let too_old = later(record.created_at, policy.lifetime(role)) <= now;
    let too_idle = idle.is_some_and(|idle| later(record.last_seen_at, idle) <= now);
    if too_old || too_idle {
        app.store().delete_session(&token_hash).await?;
        return Ok(None);
    }
    let seen_since = now.saturating_sub(SEEN_EVERY).unwrap_or(now);
    if record.last_seen_at < seen_since {
        app.store().touch_session(&token_hash, now, idle.map(|idle| later(now, idle)), seen_since).await?;
    }
    Ok(Some(Session {
        second_factor_missing: role.needs_second_factor() && !record.has_second_factor,
        user: record.user,
        token_hash,
        csrf_token: record.csrf_token,
    }))
}

/// Ends the session with this key (signing out, or replacing a session at sign-in).
pub async fn end_session(app: &App, token_hash: &str) -> AppResult<()> {
    Ok(app.store().delete_session(token_hash).await?)
}

/// Ends the session (or the sign-in waiting for a code) a cookie's secret names, if it exists.
pub async fn end_session_of(app: &App, secret: &str) -> AppResult<()> {
    end_session(app, &secret_hash(secret)).await
}

/// Removes sessions that have ended by the app's clock, through age or idleness; returns how many.
pub async fn sweep_expired_sessions(app: &App) -> AppResult<u64> {
    Ok(app.store().delete_expired_sessions(app.now()).await?)
}

#[cfg(test)]
mod tests {
    use super::super::create_user;
    use super::super::test_support::{app_at, at, t0};
    use super::*;
    use jiff::ToSpan;
    use knead_core::SessionPolicy;

    async fn person(app: &App, email: &str, role: &str) -> User {
        create_user(app, email, "Fictional Person", role, "a long enough secret").await.unwrap()
    }

    #[tokio::test]
    async fn ended_sessions_are_swept_by_the_apps_clock() {
        let app = app_at(t0()).await;
        let theo = person(&app, "theo@example.com", "therapist").await;
        let ana = person(&app, "ana@example.com", "client").await;
        let staff = start_session(&app, &theo).await.unwrap();
        let client = start_session(&app, &ana).await.unwrap();
        let later = at(app, t0() + 1.hour());
        assert_eq!(sweep_expired_sessions(&later).await.unwrap(), 1, "the therapist's idled out");
        assert!(session(&later, &staff).await.unwrap().is_none());
        assert_eq!(session(&later, &client).await.unwrap().unwrap().user, ana);
    }

    #[tokio::test]
    async fn a_staff_session_ends_after_thirty_idle_minutes_or_twelve_hours_in_all() {
        let app = app_at(t0()).await;
        let theo = person(&app, "theo@example.com", "therapist").await;
        let secret = start_session(&app, &theo).await.unwrap();
        // A request every 20 minutes keeps it alive, until 12 hours after sign-in.
        let mut app = app;
        for minutes in (20..12 * 60).step_by(20) {
            app = at(app, t0() + minutes.minutes());
            assert!(session(&app, &secret).await.unwrap().is_some(), "alive at {minutes} minutes");
        }
        let app = at(app, t0() + 12.hours());
        assert!(session(&app, &secret).await.unwrap().is_none(), "twelve hours in all");

        let again = start_session(&app, &theo).await.unwrap();
        let app = at(app, t0() + 12.hours() + 29.minutes());
        assert!(session(&app, &again).await.unwrap().is_some());
        let app = at(app, t0() + 12.hours() + 29.minutes() + 30.minutes());
        assert!(session(&app, &again).await.unwrap().is_none(), "thirty minutes without a request");
    }

    #[tokio::test]
    async fn a_client_session_lasts_fourteen_days_however_idle() {
        let app = app_at(t0()).await;
        let ana = person(&app, "ana@example.com", "client").await;
        let secret = start_session(&app, &ana).await.unwrap();
        let app = at(app, t0() + (14 * 24 - 1).hours());
        assert!(session(&app, &secret).await.unwrap().is_some(), "untouched for 13 days and 23 hours");
        let app = at(app, t0() + (14 * 24).hours());
        assert!(session(&app, &secret).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_session_is_recorded_as_seen_at_most_once_a_minute() {
        let app = app_at(t0()).await;
        let theo = person(&app, "theo@example.com", "therapist").await;
        let secret = start_session(&app, &theo).await.unwrap();
        async fn seen(app: &App, secret: &str) -> Timestamp {
            app.store().session(&secret_hash(secret), app.now()).await.unwrap().unwrap().last_seen_at
        }
        let app = at(app, t0() + 59.seconds());
        session(&app, &secret).await.unwrap().unwrap();
        assert_eq!(seen(&app, &secret).await, t0(), "within the minute: not written");
        let app = at(app, t0() + 61.seconds());
        session(&app, &secret).await.unwrap().unwrap();
        assert_eq!(seen(&app, &secret).await, t0() + 61.seconds());
    }

    #[tokio::test]
    async fn a_tightened_policy_ends_sessions_begun_under_the_old_one() {
        let app = app_at(t0()).await;
        let mo = person(&app, "mo@example.com", "manager").await;
        let secret = start_session(&app, &mo).await.unwrap();
        let app = at(app, t0() + 3.hours()).with_sessions(SessionPolicy { staff_hours: 2, ..SessionPolicy::default() });
        assert!(session(&app, &secret).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_manager_without_a_second_factor_signs_in_but_must_set_one_up_first() {
        let app = app_at(t0()).await;
        let mo = person(&app, "mo@example.com", "manager").await;
        let theo = person(&app, "theo@example.com", "therapist").await;
        let SignIn::Done { user, secret } = sign_in(&app, "mo@example.com", "a long enough secret").await.unwrap()
        else {
            panic!("no second factor yet, so no code to ask for")
        };
        assert_eq!(user, mo);
        assert!(session(&app, &secret).await.unwrap().unwrap().second_factor_missing);
        let SignIn::Done { secret, .. } = sign_in(&app, "theo@example.com", "a long enough secret").await.unwrap()
        else {
            panic!("done")
        };
        let session = session(&app, &secret).await.unwrap().unwrap();
        assert_eq!(session.user, theo);
        assert!(!session.second_factor_missing, "a therapist may do without");
        let wrong = sign_in(&app, "mo@example.com", "not the secret").await.unwrap_err();
        assert!(matches!(wrong, AppError::Invalid(_)), "{wrong:?}");
    }

    #[tokio::test]
    async fn signing_out_ends_the_session() {
        let app = app_at(t0()).await;
        let ana = person(&app, "ana@example.com", "client").await;
        let secret = start_session(&app, &ana).await.unwrap();
        end_session_of(&app, &secret).await.unwrap();
        assert!(session(&app, &secret).await.unwrap().is_none());
    }
}
