//! Stories of the accounts port: users, sessions (full and waiting for a second factor), tokens, and the
//! second factor with its recovery codes. Time is always passed in, so every end is tested to the instant.

use super::t0;
use crate::{NewApiToken, NewSession, SecondFactor, Store, StoreError};
use jiff::{Timestamp, ToSpan};
use knead_core::{Email, NewUser, Role, User, UserId};

/// A full session made at `t0()` whose token hash repeats `digit`, with CSRF token `csrf-1`, ending at
/// `expires_at` and never for idleness.
fn session_for(user: UserId, digit: &str, expires_at: Timestamp) -> NewSession {
    NewSession {
        token_hash: digit.repeat(64),
        user_id: user,
        csrf_token: "csrf-1".into(),
        created_at: t0(),
        expires_at,
        idle_expires_at: None,
        awaits_second_factor: false,
    }
}

/// A token made at `t0()` whose hash repeats `digit`, lasting `days`.
fn token_for(user: UserId, label: &str, digit: &str, days: i64) -> NewApiToken {
    NewApiToken {
        user_id: user,
        label: label.into(),
        token_hash: digit.repeat(64),
        created_at: t0(),
        expires_at: t0() + (days * 24).hours(),
    }
}

async fn user(store: &dyn Store, email: &str, role: &str) -> User {
    store.create_user(&NewUser::parse(email, "Fictional Person", role).unwrap(), "h", t0()).await.unwrap()
}

/// Another user, a client, for stories of what is not one's own.
async fn another_user(store: &dyn Store) -> UserId {
    user(store, "other@example.com", "client").await.id
}

/// Users: created once per address, found by address with their hash, never by a wrong id.
pub async fn accounts(store: &dyn Store) {
    let new = NewUser::parse("Ana.Client@Example.com", "Ana Fictional", "client").unwrap();
    let user = store.create_user(&new, "$argon2id$fake", t0()).await.unwrap();
    assert_eq!(user.email.as_str(), "ana.client@example.com");
    assert_eq!(user.role, Role::Client);
    assert_eq!(user.created_at, t0());

    let again = store.create_user(&new, "$argon2id$other", t0()).await;
    assert!(matches!(again, Err(StoreError::Conflict { field: "email" })), "{again:?}");

    let (found, hash) = store.credentials_by_email(&new.email).await.unwrap().unwrap();
    assert_eq!(found, user);
    assert_eq!(hash, "$argon2id$fake");
    let nobody = Email::parse("email", "nobody@example.com").unwrap();
    assert!(store.credentials_by_email(&nobody).await.unwrap().is_none());

    assert_eq!(store.user_by_id(user.id).await.unwrap(), user);
    assert!(matches!(store.user_by_id(UserId(user.id.0 + 999)).await, Err(StoreError::NotFound)));

    let manager = NewUser::parse("boss@example.com", "Mo Manager", "manager").unwrap();
    store.create_user(&manager, "h", t0()).await.unwrap();
    let all = store.list_users().await.unwrap();
    assert_eq!(all.len(), 2);
}

/// A session lives until its end, or until its idle end unless a request moves it; requests are recorded
/// at most once per `seen_since` window; the sweep removes what has ended either way.
pub async fn sessions_end_at_their_end_or_after_idling(store: &dyn Store) {
    let user = user(store, "thera@example.com", "therapist").await;
    let session = session_for(user.id, "a", t0() + 2.hours());
    store.create_session(&session).await.unwrap();
    let live = store.session(&session.token_hash, t0() + 1.hour()).await.unwrap().unwrap();
    assert_eq!(live.user, user);
    assert_eq!(live.csrf_token, "csrf-1");
    assert_eq!((live.created_at, live.last_seen_at, live.expires_at), (t0(), t0(), t0() + 2.hours()));
    assert_eq!(live.idle_expires_at, None);
    assert!(!live.has_second_factor);
    assert!(store.session(&session.token_hash, t0() + 2.hours()).await.unwrap().is_none(), "ended at its end");
    assert!(store.session(&"b".repeat(64), t0()).await.unwrap().is_none());

    // A staff session that ends after 30 minutes without a request.
    let idle =
        NewSession { idle_expires_at: Some(t0() + 30.minutes()), ..session_for(user.id, "c", t0() + 12.hours()) };
    store.create_session(&idle).await.unwrap();
    assert!(store.session(&idle.token_hash, t0() + 29.minutes()).await.unwrap().is_some());
    assert!(store.session(&idle.token_hash, t0() + 30.minutes()).await.unwrap().is_none(), "idle too long");
    // A request at 20 minutes moves the idle end; a second within the same minute writes nothing.
    let at = t0() + 20.minutes();
    assert!(store.touch_session(&idle.token_hash, at, Some(at + 30.minutes()), at - 1.minute()).await.unwrap());
    let later = at + 30.seconds();
    assert!(!store
        .touch_session(&idle.token_hash, later, Some(later + 30.minutes()), later - 1.minute())
        .await
        .unwrap());
    let moved = store.session(&idle.token_hash, t0() + 45.minutes()).await.unwrap().unwrap();
    assert_eq!((moved.last_seen_at, moved.idle_expires_at), (at, Some(at + 30.minutes())));
    assert!(store.session(&idle.token_hash, at + 30.minutes()).await.unwrap().is_none());

    let short = session_for(user.id, "d", t0() + 1.minute());
    store.create_session(&short).await.unwrap();
    // At 55 minutes: `short` has ended and `idle` has idled out; `session` lives on.
    assert_eq!(store.delete_expired_sessions(t0() + 55.minutes()).await.unwrap(), 2);
    assert!(store.session(&session.token_hash, t0() + 55.minutes()).await.unwrap().is_some());
    store.delete_session(&session.token_hash).await.unwrap();
    assert!(store.session(&session.token_hash, t0()).await.unwrap().is_none());
}

/// A session waiting for a second factor signs nothing in, counts wrong codes, and becomes one full
/// session at most once.
pub async fn a_session_waiting_for_a_second_factor_signs_nothing_in(store: &dyn Store) {
    let user = user(store, "boss@example.com", "manager").await;
    let pending = NewSession { awaits_second_factor: true, ..session_for(user.id, "e", t0() + 5.minutes()) };
    store.create_session(&pending).await.unwrap();
    assert!(store.session(&pending.token_hash, t0()).await.unwrap().is_none(), "not a full session");
    let waiting = store.pending_session(&pending.token_hash, t0() + 4.minutes()).await.unwrap().unwrap();
    assert_eq!((waiting.user, waiting.failed_codes, waiting.expires_at), (user.clone(), 0, t0() + 5.minutes()));
    assert_eq!(waiting.csrf_token, "csrf-1");
    assert!(store.pending_session(&pending.token_hash, t0() + 5.minutes()).await.unwrap().is_none(), "ended");
    assert!(!store.touch_session(&pending.token_hash, t0(), None, t0() + 1.hour()).await.unwrap(), "not touched");

    assert_eq!(store.count_failed_code(&pending.token_hash).await.unwrap(), 1);
    assert_eq!(store.count_failed_code(&pending.token_hash).await.unwrap(), 2);
    assert_eq!(store.pending_session(&pending.token_hash, t0()).await.unwrap().unwrap().failed_codes, 2);
    let full = session_for(user.id, "f", t0() + 12.hours());
    assert_eq!(store.count_failed_code(&full.token_hash).await.unwrap(), 0, "no such waiting session");

    assert!(store.pending_session(&full.token_hash, t0()).await.unwrap().is_none());
    assert!(store.replace_session(&pending.token_hash, &full).await.unwrap());
    assert!(store.pending_session(&pending.token_hash, t0()).await.unwrap().is_none(), "the waiting one ended");
    assert_eq!(store.session(&full.token_hash, t0()).await.unwrap().unwrap().user, user);
    let again = session_for(user.id, "0", t0() + 12.hours());
    assert!(!store.replace_session(&pending.token_hash, &again).await.unwrap(), "at most once");
    assert!(store.session(&again.token_hash, t0()).await.unwrap().is_none(), "nothing written");
}

/// Tokens find their user until they expire or are revoked; revoked ones are kept but never listed; a use
/// is recorded at most once per `used_since` window.
pub async fn tokens_expire_record_their_last_use_and_can_be_revoked(store: &dyn Store) {
    let user = user(store, "thera@example.com", "therapist").await;
    let other = another_user(store).await;
    let laptop = store.create_api_token(&token_for(user.id, "laptop", "1", 90)).await.unwrap();
    assert_eq!((laptop.label.as_str(), laptop.created_at), ("laptop", t0()));
    assert_eq!((laptop.expires_at, laptop.last_used_at), (t0() + (90 * 24).hours(), None));
    let phone = store.create_api_token(&token_for(user.id, "phone", "2", 1)).await.unwrap();
    let ci = store.create_api_token(&token_for(user.id, "ci", "3", 30)).await.unwrap();
    let theirs = store.create_api_token(&token_for(other, "theirs", "4", 30)).await.unwrap();

    let (owner, found) = store.api_token(&"1".repeat(64), t0() + 1.hour()).await.unwrap().unwrap();
    assert_eq!((owner, found), (user.clone(), laptop.clone()));
    assert!(store.api_token(&"9".repeat(64), t0()).await.unwrap().is_none());
    assert!(store.api_token(&"2".repeat(64), t0() + 23.hours()).await.unwrap().is_some());
    assert!(store.api_token(&"2".repeat(64), t0() + 24.hours()).await.unwrap().is_none(), "expired");
    let ids = |tokens: Vec<knead_core::TokenInfo>| tokens.into_iter().map(|t| t.id).collect::<Vec<_>>();
    assert_eq!(ids(store.api_tokens_of(user.id, t0()).await.unwrap()), [laptop.id, phone.id, ci.id]);
    assert_eq!(ids(store.api_tokens_of(user.id, t0() + 48.hours()).await.unwrap()), [laptop.id, ci.id]);

    let used = t0() + 10.minutes();
    assert!(store.touch_api_token(laptop.id, used, used - 1.minute()).await.unwrap());
    assert!(!store.touch_api_token(laptop.id, used + 30.seconds(), used - 30.seconds()).await.unwrap());
    let (_, seen) = store.api_token(&"1".repeat(64), used + 1.minute()).await.unwrap().unwrap();
    assert_eq!(seen.last_used_at, Some(used));

    let now = t0() + 48.hours();
    assert_eq!(store.revoke_api_tokens(user.id, Some(theirs.id), now).await.unwrap(), 0, "not theirs to revoke");
    assert_eq!(store.revoke_api_tokens(user.id, Some(phone.id), now).await.unwrap(), 0, "already expired");
    assert_eq!(store.revoke_api_tokens(user.id, Some(ci.id), now).await.unwrap(), 1);
    assert!(store.api_token(&"3".repeat(64), now).await.unwrap().is_none(), "revoked");
    assert_eq!(store.revoke_api_tokens(user.id, Some(ci.id), now).await.unwrap(), 0, "once");
    assert_eq!(store.revoke_api_tokens(user.id, None, now).await.unwrap(), 1, "the laptop's, the one left");
    assert!(store.api_tokens_of(user.id, now).await.unwrap().is_empty());
    assert!(store.api_token(&"4".repeat(64), now).await.unwrap().is_some(), "another user's token lives on");
}

/// A TOTP secret is pending until confirmed with a code; confirming sets the recovery codes; each time step
/// and each recovery code is accepted once; clearing removes it all.
pub async fn a_second_factor_is_pending_until_confirmed_and_each_code_is_accepted_once(store: &dyn Store) {
    let user = user(store, "boss@example.com", "manager").await;
    let session = session_for(user.id, "5", t0() + 12.hours());
    store.create_session(&session).await.unwrap();
    assert_eq!(store.second_factor(user.id).await.unwrap(), None);
    assert!(matches!(store.second_factor(UserId(user.id.0 + 999)).await, Err(StoreError::NotFound)));
    assert!(!store.accept_totp_step(user.id, 100).await.unwrap(), "nothing to accept a code for");

    assert!(store.begin_second_factor(user.id, "SECRETONE").await.unwrap());
    assert!(store.begin_second_factor(user.id, "SECRETTWO").await.unwrap(), "a pending one is replaced");
    let pending = SecondFactor { secret: "SECRETTWO".into(), confirmed_at: None, last_step: None };
    assert_eq!(store.second_factor(user.id).await.unwrap(), Some(pending));
    assert!(!store.accept_totp_step(user.id, 100).await.unwrap(), "not confirmed yet");
    assert!(!store.session(&session.token_hash, t0()).await.unwrap().unwrap().has_second_factor);

    let codes: Vec<String> = (0..10).map(|i| format!("{i:064x}")).collect();
    let stale = store.confirm_second_factor(user.id, "SECRETONE", 100, &codes, t0()).await.unwrap();
    assert!(!stale, "only the pending secret is confirmed");
    assert_eq!(store.recovery_codes_left(user.id).await.unwrap(), 0, "nothing written");
    assert!(store.confirm_second_factor(user.id, "SECRETTWO", 100, &codes, t0()).await.unwrap());
    let confirmed = SecondFactor { secret: "SECRETTWO".into(), confirmed_at: Some(t0()), last_step: Some(100) };
    assert_eq!(store.second_factor(user.id).await.unwrap(), Some(confirmed));
    assert!(store.session(&session.token_hash, t0()).await.unwrap().unwrap().has_second_factor);
    assert!(!store.begin_second_factor(user.id, "SECRETTHREE").await.unwrap(), "a confirmed one stays");
    assert_eq!(store.recovery_codes_left(user.id).await.unwrap(), 10);

    assert!(!store.accept_totp_step(user.id, 100).await.unwrap(), "the confirming code is not replayed");
    assert!(!store.accept_totp_step(user.id, 99).await.unwrap(), "nor an earlier one");
    assert!(store.accept_totp_step(user.id, 101).await.unwrap());
    assert!(!store.accept_totp_step(user.id, 101).await.unwrap(), "once");
    assert_eq!(store.second_factor(user.id).await.unwrap().unwrap().last_step, Some(101));

    assert!(store.use_recovery_code(user.id, &codes[3], t0()).await.unwrap());
    assert!(!store.use_recovery_code(user.id, &codes[3], t0()).await.unwrap(), "once");
    assert!(!store.use_recovery_code(user.id, &"f".repeat(64), t0()).await.unwrap(), "not one of theirs");
    let other = another_user(store).await;
    assert!(!store.use_recovery_code(other, &codes[4], t0()).await.unwrap(), "not another user's");
    assert_eq!(store.recovery_codes_left(user.id).await.unwrap(), 9);

    store.clear_second_factor(user.id).await.unwrap();
    assert_eq!(store.second_factor(user.id).await.unwrap(), None);
    assert_eq!(store.recovery_codes_left(user.id).await.unwrap(), 0);
    assert!(!store.use_recovery_code(user.id, &codes[4], t0()).await.unwrap(), "the codes went with it");
    assert!(store.begin_second_factor(user.id, "SECRETTHREE").await.unwrap(), "and it can start again");
}

/// A taken address is a conflict on `email` (whatever case it was typed in); a repeated token hash, a key
/// no one types, is a conflict on `id`. Neither writes anything.
pub async fn a_taken_email_or_token_is_a_conflict_on_its_field(store: &dyn Store) {
    let first = NewUser::parse("robin@example.com", "Robin", "client").unwrap();
    let user = store.create_user(&first, "h", t0()).await.unwrap();
    let shouted = NewUser::parse("ROBIN@Example.COM", "Robin Again", "manager").unwrap();
    let clash = store.create_user(&shouted, "h", t0()).await;
    assert!(matches!(clash, Err(StoreError::Conflict { field: "email" })), "{clash:?}");
    assert_eq!(store.list_users().await.unwrap(), vec![user.clone()], "the refused user was not written");

    let session = session_for(user.id, "f", t0() + 1.hour());
    store.create_session(&session).await.unwrap();
    let again = store.create_session(&session).await;
    assert!(matches!(again, Err(StoreError::Conflict { field: "id" })), "{again:?}");
    store.create_api_token(&token_for(user.id, "laptop", "9", 90)).await.unwrap();
    let again = store.create_api_token(&token_for(user.id, "phone", "9", 90)).await;
    assert!(matches!(again, Err(StoreError::Conflict { field: "id" })), "{again:?}");
    assert_eq!(store.api_tokens_of(user.id, t0()).await.unwrap().len(), 1, "the refused token was not written");
}
