//! Conformance stories: the behaviour every storage adapter must show, written once.
//!
//! An adapter's test suite calls `conformance_suite!(fresh_store)`, where `fresh_store` is an async
//! function returning a `(store, cleanup)` pair over an empty, migrated database.

use crate::{NewSession, Store, StoreError};
use jiff::{Timestamp, ToSpan};
use knead_core::{
    AddOnInput, ArticleInput, Email, Kind, NewUser, Place, Role, ServiceId, ServiceInput, TherapistInput, UserId,
};

fn t0() -> Timestamp {
    "2026-03-01T15:00:00Z".parse().unwrap()
}

fn service_input(name: &str) -> ServiceInput {
    ServiceInput {
        slug: None,
        name: name.into(),
        description: "A calm, full-body massage with warm oil.".into(),
        duration_minutes: 60,
        price_cents: 12_000,
        modality: "Swedish".into(),
        place: Place::Mobile,
        kind: Kind::Individual,
        buffer_minutes: 15,
        add_ons: vec![
            AddOnInput { name: "Aromatherapy oil".into(), price_cents: 1_500, extra_minutes: 0 },
            AddOnInput { name: "Hydrating face mask".into(), price_cents: 2_500, extra_minutes: 15 },
        ],
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
    let session = NewSession {
        token_hash: "a".repeat(64),
        user_id: user.id,
        csrf_token: "csrf-1".into(),
        created_at: t0(),
        expires_at: t0() + 2.hours(),
    };
    store.create_session(&session).await.unwrap();
    let live = store.session(&session.token_hash, t0() + 1.hour()).await.unwrap().unwrap();
    assert_eq!(live.user, user);
    assert_eq!(live.csrf_token, "csrf-1");
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

/// Services round-trip with their add-ons, are unique by slug, and archive without vanishing.
pub async fn services(store: &dyn Store) {
    let draft = service_input("Massage with oil at home").validate().unwrap();
    let created = store.create_service(&draft, t0()).await.unwrap();
    assert_eq!(created.slug.as_str(), "massage-with-oil-at-home");
    assert_eq!(created.add_ons.len(), 2);
    assert_eq!(created.add_ons[1].name, "Hydrating face mask");
    assert_eq!(created.add_ons[1].extra_minutes, 15);
    assert!(!created.archived);

    assert_eq!(store.service(created.id).await.unwrap(), created);
    assert_eq!(store.service_by_slug("massage-with-oil-at-home").await.unwrap(), created);
    assert!(matches!(store.service(ServiceId(created.id.0 + 1000)).await, Err(StoreError::NotFound)));
    assert!(matches!(store.service_by_slug("nope").await, Err(StoreError::NotFound)));

    let dup = store.create_service(&draft, t0()).await;
    assert!(matches!(dup, Err(StoreError::Conflict { field: "slug" })), "{dup:?}");

    let mut couples = service_input("Couple's massage");
    couples.kind = Kind::Couples;
    couples.add_ons.clear();
    let couples = store.create_service(&couples.validate().unwrap(), t0()).await.unwrap();

    let mut changed = service_input("Massage with oil at home");
    changed.price_cents = 13_000;
    changed.place = Place::Both;
    changed.add_ons = vec![AddOnInput { name: "Hot stones".into(), price_cents: 2_000, extra_minutes: 10 }];
    let later = t0() + 24.hours();
    let updated = store.update_service(created.id, &changed.validate().unwrap(), later).await.unwrap();
    assert_eq!(updated.price_cents, 13_000);
    assert_eq!(updated.place, Place::Both);
    assert_eq!(updated.add_ons.len(), 1, "add-ons are replaced, not appended");
    assert_eq!(updated.created_at, t0());
    assert_eq!(updated.updated_at, later);

    let mut clash = service_input("x");
    clash.slug = Some(couples.slug.as_str().to_string());
    let clash = store.update_service(created.id, &clash.validate().unwrap(), later).await;
    assert!(matches!(clash, Err(StoreError::Conflict { field: "slug" })), "{clash:?}");
    assert_eq!(store.service(created.id).await.unwrap(), updated, "a refused update changes nothing");

    let missing = store.update_service(ServiceId(9_999), &draft, later).await;
    assert!(matches!(missing, Err(StoreError::NotFound)));

    let archived = store.set_service_archived(couples.id, true, later).await.unwrap();
    assert!(archived.archived);
    let public: Vec<_> = store.list_services(false).await.unwrap().into_iter().map(|s| s.id).collect();
    assert_eq!(public, vec![created.id]);
    let all = store.list_services(true).await.unwrap();
    assert_eq!(all.len(), 2);
    assert!(!store.set_service_archived(couples.id, false, later).await.unwrap().archived);
}

/// Therapist profiles keep their label lists in order.
pub async fn therapists(store: &dyn Store) {
    let input = TherapistInput {
        name: "Mara Quill".into(),
        credentials: "RMT".into(),
        registration_number: "R-0042".into(),
        bio: "Clinic RMT — treats low back pain; speaks français.".into(),
        modalities: vec!["Swedish massage".into(), "Myofascial release".into(), "Joint mobilizations".into()],
        conditions: vec!["Sciatica".into()],
        languages: vec!["English".into(), "Français".into()],
        ..Default::default()
    };
    let t = store.create_therapist(&input.validate().unwrap(), t0()).await.unwrap();
    assert_eq!(t.modalities, ["Swedish massage", "Myofascial release", "Joint mobilizations"]);
    assert_eq!(t.languages, ["English", "Français"]);
    assert_eq!(t.bio, input.bio);
    assert_eq!(store.therapist_by_slug("mara-quill").await.unwrap(), t);
    assert!(matches!(store.create_therapist(&input.validate().unwrap(), t0()).await, Err(StoreError::Conflict { field: "slug" })));

    let mut changed = input.clone();
    changed.modalities = vec![];
    let u = store.update_therapist(t.id, &changed.validate().unwrap(), t0()).await.unwrap();
    assert!(u.modalities.is_empty());
    assert_eq!(store.therapist(t.id).await.unwrap(), u);

    store.set_therapist_archived(t.id, true, t0()).await.unwrap();
    assert!(store.list_therapists(false).await.unwrap().is_empty());
    assert_eq!(store.list_therapists(true).await.unwrap().len(), 1);
}

/// Articles list newest first and keep their Markdown byte for byte.
pub async fn articles(store: &dyn Store) {
    let body = "# Heading\n\nText with <script>alert(1)</script> and **bold**.\n";
    let first = ArticleInput { title: "First".into(), body_markdown: body.into(), ..Default::default() };
    let second = ArticleInput { title: "Second".into(), body_markdown: "Later.".into(), ..Default::default() };
    let a = store.create_article(&first.validate().unwrap(), t0()).await.unwrap();
    let b = store.create_article(&second.validate().unwrap(), t0() + 1.hour()).await.unwrap();
    assert_eq!(a.body_markdown, body.trim());
    let order: Vec<_> = store.list_articles(false).await.unwrap().into_iter().map(|x| x.id).collect();
    assert_eq!(order, vec![b.id, a.id]);
    assert_eq!(store.article_by_slug("first").await.unwrap(), a);
    assert_eq!(store.article(b.id).await.unwrap(), b);
    let clash = ArticleInput { slug: Some("first".into()), ..second.clone() };
    assert!(matches!(store.update_article(b.id, &clash.validate().unwrap(), t0()).await, Err(StoreError::Conflict { field: "slug" })));
    store.set_article_archived(a.id, true, t0()).await.unwrap();
    assert_eq!(store.list_articles(false).await.unwrap().len(), 1);
    assert_eq!(store.list_articles(true).await.unwrap().len(), 2);
}

/// The store answers a ping and names itself.
pub async fn health(store: &dyn Store) {
    store.ping().await.unwrap();
    assert!(matches!(store.backend(), "sqlite" | "postgres"));
}

/// Expands to one `#[tokio::test]` per story. `$fresh` is an async fn returning
/// `Option<(DynStore, impl Future cleanup)>`-like `TestStore`; `None` means the backend is absent (skipped loudly).
#[macro_export]
macro_rules! conformance_suite {
    ($fresh:path) => {
        $crate::conformance_suite!(@story $fresh, accounts, sessions_and_tokens, services, therapists, articles, health);
    };
    (@story $fresh:path, $($story:ident),*) => {
        $(
            #[tokio::test]
            async fn $story() {
                let Some(test_store) = $fresh().await else { return };
                $crate::conformance::$story(&*test_store.store).await;
                test_store.cleanup().await;
            }
        )*
    };
}
