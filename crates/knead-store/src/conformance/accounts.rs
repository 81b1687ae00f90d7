//! Stories of the accounts port: users, sessions and tokens.

use super::t0;
use crate::{NewSession, Store, StoreError};
use jiff::{Timestamp, ToSpan};
use knead_core::{Email, NewUser, Role, UserId};

/// A session made at `t0()` whose token hash repeats `digit`, with CSRF token `csrf-1`.
fn session_for(user: UserId, digit: &str, expires_at: Timestamp) -> NewSession {
    NewSession {
        token_hash: digit.repeat(64),
        user_id: user,
        csrf_token: "csrf-1".into(),
        created_at: t0(),
        expires_at,
    }
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

/// Sessions live until they expire or are deleted; tokens map to their user.
pub async fn sessions_and_tokens(store: &dyn Store) {
    let new = NewUser::parse("thera@example.com", "Theo Fictional", "therapist").unwrap();
    let user = store.create_user(&new, "h", t0()).await.unwrap();
    let session = session_for(user.id, "a", t0() + 2.hours());
    store.create_session(&session).await.unwrap();
    let live = store.session(&session.token_hash, t0() + 1.hour()).await.unwrap().unwrap();
    assert_eq!(live.user, user);
    assert_eq!(live.csrf_token, "csrf-1");
    assert_eq!(live.expires_at, t0() + 2.hours());
    assert!(store.session(&session.token_hash, t0() + 3.hours()).await.unwrap().is_none(), "expired");
    assert!(store.session(&"b".repeat(64), t0()).await.unwrap().is_none());

    let other = NewSession { token_hash: "c".repeat(64), expires_at: t0() + 1.minute(), ..session.clone() };
    store.create_session(&other).await.unwrap();
    assert_eq!(store.delete_expired_sessions(t0() + 30.minutes()).await.unwrap(), 1);
    store.delete_session(&session.token_hash).await.unwrap();
    assert!(store.session(&session.token_hash, t0()).await.unwrap().is_none());

    store.create_api_token(user.id, "laptop", &"d".repeat(64), t0()).await.unwrap();
    assert_eq!(store.api_token_user(&"d".repeat(64)).await.unwrap(), Some(user));
    assert_eq!(store.api_token_user(&"e".repeat(64)).await.unwrap(), None);
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
    store.create_api_token(user.id, "laptop", &"9".repeat(64), t0()).await.unwrap();
    let again = store.create_api_token(user.id, "phone", &"9".repeat(64), t0()).await;
    assert!(matches!(again, Err(StoreError::Conflict { field: "id" })), "{again:?}");
}
