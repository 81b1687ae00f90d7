//! Stories of the catalog port: services with their add-ons, and therapist profiles.

use super::{service_input, t0};
use crate::{Store, StoreError};
use jiff::ToSpan;
use knead_core::{AddOnInput, Kind, NewUser, Place, ServiceId, TherapistInput};

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
    assert!(couples.add_ons.is_empty());

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
    let missing = store.set_service_archived(ServiceId(9_999), true, later).await;
    assert!(matches!(missing, Err(StoreError::NotFound)));

    let archived = store.set_service_archived(couples.id, true, later).await.unwrap();
    assert!(archived.archived);
    let public: Vec<_> = store.list_services(false).await.unwrap().into_iter().map(|s| s.id).collect();
    assert_eq!(public, vec![created.id]);
    let all = store.list_services(true).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].name, "Couple's massage", "by name, byte by byte");
    assert_eq!(all[1].add_ons, updated.add_ons, "each service keeps its own add-ons in a list");
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
        gender: Some("female".into()),
        ..Default::default()
    };
    let t = store.create_therapist(&input.validate().unwrap(), t0()).await.unwrap();
    assert_eq!(t.modalities, ["Swedish massage", "Myofascial release", "Joint mobilizations"]);
    assert_eq!(t.gender, Some(knead_core::Gender::Female));
    assert_eq!(t.languages, ["English", "Français"]);
    assert_eq!(t.bio, input.bio);
    assert_eq!(store.therapist_by_slug("mara-quill").await.unwrap(), t);
    assert!(matches!(
        store.create_therapist(&input.validate().unwrap(), t0()).await,
        Err(StoreError::Conflict { field: "slug" })
    ));

    let mut changed = input.clone();
    changed.modalities = vec![];
    changed.gender = None;
    let u = store.update_therapist(t.id, &changed.validate().unwrap(), t0()).await.unwrap();
    assert!(u.modalities.is_empty());
    assert_eq!(u.gender, None, "a stated gender can be taken off the profile");
    assert_eq!(store.therapist(t.id).await.unwrap(), u);

    let zed = TherapistInput { name: "Zed Able".into(), ..Default::default() };
    let zed = store.create_therapist(&zed.validate().unwrap(), t0()).await.unwrap();
    let abe = TherapistInput { name: "Abe Zed".into(), ..Default::default() };
    let abe = store.create_therapist(&abe.validate().unwrap(), t0()).await.unwrap();
    let order: Vec<_> = store.list_therapists(false).await.unwrap().into_iter().map(|t| t.id).collect();
    assert_eq!(order, [abe.id, t.id, zed.id], "by name");

    store.set_therapist_archived(t.id, true, t0()).await.unwrap();
    assert_eq!(store.list_therapists(false).await.unwrap().len(), 2);
    assert_eq!(store.list_therapists(true).await.unwrap().len(), 3);
}

/// A taken slug is a conflict on `slug`, for services and therapists, created or renamed; linking a login
/// another therapist already has is a conflict on `id`. None of them writes anything.
pub async fn a_taken_slug_is_a_conflict_on_slug(store: &dyn Store) {
    let massage = store.create_service(&service_input("Massage").validate().unwrap(), t0()).await.unwrap();
    let stones = store.create_service(&service_input("Hot stones").validate().unwrap(), t0()).await.unwrap();
    let again = store.create_service(&service_input("Massage").validate().unwrap(), t0()).await;
    assert!(matches!(again, Err(StoreError::Conflict { field: "slug" })), "{again:?}");
    let mut rename = service_input("Hot stones");
    rename.slug = Some("massage".into());
    let renamed = store.update_service(stones.id, &rename.validate().unwrap(), t0()).await;
    assert!(matches!(renamed, Err(StoreError::Conflict { field: "slug" })), "{renamed:?}");
    assert_eq!(store.list_services(true).await.unwrap(), vec![stones.clone(), massage]);

    let ana = TherapistInput { name: "Ana Vale".into(), ..Default::default() };
    let ana = store.create_therapist(&ana.validate().unwrap(), t0()).await.unwrap();
    let bo = TherapistInput { name: "Bo Vale".into(), ..Default::default() };
    let bo = store.create_therapist(&bo.validate().unwrap(), t0()).await.unwrap();
    let twin = TherapistInput { name: "Ana  Vale".into(), ..Default::default() };
    let twin = store.create_therapist(&twin.validate().unwrap(), t0()).await;
    assert!(matches!(twin, Err(StoreError::Conflict { field: "slug" })), "{twin:?}");
    let rename = TherapistInput { name: "Bo Vale".into(), slug: Some("ana-vale".into()), ..Default::default() };
    let renamed = store.update_therapist(bo.id, &rename.validate().unwrap(), t0()).await;
    assert!(matches!(renamed, Err(StoreError::Conflict { field: "slug" })), "{renamed:?}");
    assert_eq!(store.therapist(bo.id).await.unwrap(), bo);

    let login = store.create_user(&NewUser::parse("ana@example.com", "Ana", "therapist").unwrap(), "h", t0()).await;
    let login = login.unwrap();
    store.link_therapist_user(ana.id, Some(login.id)).await.unwrap();
    let taken = store.link_therapist_user(bo.id, Some(login.id)).await;
    assert!(matches!(taken, Err(StoreError::Conflict { field: "id" })), "{taken:?}");
    assert_eq!(store.therapist_for_user(login.id).await.unwrap(), Some(ana.id));
}
