//! The demo practice: its data is valid, safe to publish, and loads exactly once.

use knead_core::geo::haversine_km;
use knead_core::{Kind, NewUser, Password, Place, Role, ServiceInput};
use knead_demo::{
    articles, bases, clinic, load, logins, services, settings, therapists, LoadError, LoadReport, EXTRACT_BOUNDS,
    SERVICE_AREA,
};
use knead_store::{AccountStore, CatalogStore, ContentStore, SchedulingStore, Store};
use knead_store_sqlite::SqliteStore;
use std::collections::HashSet;

fn now() -> jiff::Timestamp {
    "2025-03-10T14:00:00Z".parse().unwrap()
}

fn fake_hash(password: &str) -> String {
    format!("fake-hash:{password}")
}

/// Lowercased words (letters and digits only) of a text.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

fn service_named(name: &str) -> ServiceInput {
    services().into_iter().find(|s| s.name == name).unwrap_or_else(|| panic!("no service named {name}"))
}

#[test]
fn every_demo_input_passes_validation() {
    for s in services() {
        s.validate().unwrap_or_else(|e| panic!("service {}: {e}", s.name));
    }
    for t in therapists() {
        t.validate().unwrap_or_else(|e| panic!("therapist {}: {e}", t.name));
    }
    for a in articles() {
        a.validate().unwrap_or_else(|e| panic!("article {}: {e}", a.title));
    }
    for l in logins() {
        NewUser::parse(l.email, l.name, l.role.as_str()).unwrap_or_else(|e| panic!("login {}: {e}", l.email));
        Password::parse_new("password", l.password).unwrap_or_else(|e| panic!("password of {}: {}", l.email, e.detail));
    }
}

#[test]
fn slugs_are_unique_within_services_therapists_and_articles() {
    let services: Vec<_> = services().iter().map(|s| s.validate().unwrap().slug.as_str().to_string()).collect();
    let therapists: Vec<_> = therapists().iter().map(|t| t.validate().unwrap().slug.as_str().to_string()).collect();
    let articles: Vec<_> = articles().iter().map(|a| a.validate().unwrap().slug.as_str().to_string()).collect();
    for (what, slugs) in [("service", services), ("therapist", therapists), ("article", articles)] {
        let unique: HashSet<_> = slugs.iter().collect();
        assert_eq!(unique.len(), slugs.len(), "duplicate {what} slug in {slugs:?}");
    }
}

#[test]
fn there_is_a_demo_login_for_each_role_all_on_the_reserved_test_domain() {
    let logins = logins();
    for role in Role::ALL {
        let expected = if role == Role::Therapist { 2 } else { 1 };
        assert_eq!(logins.iter().filter(|l| l.role == role).count(), expected, "{role:?}");
    }
    for l in &logins {
        assert!(l.email.ends_with(".test"), "{} must use the .test TLD", l.email);
    }
    let by_role = |role| logins.iter().find(|l| l.role == role).unwrap();
    assert_eq!(by_role(Role::Manager).email, "manager@demo.knead.test");
    assert_eq!(by_role(Role::Manager).password, "knead-demo-manager");
    assert_eq!(by_role(Role::Therapist).email, "mara@demo.knead.test");
    assert_eq!(by_role(Role::Therapist).password, "knead-demo-therapist");
    assert_eq!(by_role(Role::Client).email, "client@demo.knead.test");
    assert_eq!(by_role(Role::Client).password, "knead-demo-client");
}

#[test]
fn the_therapist_login_belongs_to_the_clinic_rmt_profile() {
    let login = logins().into_iter().find(|l| l.role == Role::Therapist).unwrap();
    let rmt = therapists().into_iter().find(|t| t.name == login.name).expect("a profile with the login's name");
    assert!(rmt.credentials.contains("RMT"));
    assert!(!rmt.registration_number.is_empty());
}

#[test]
fn the_rmt_profile_lists_her_modalities_and_conditions() {
    let rmt = therapists().into_iter().find(|t| t.name == "Mara Quill").unwrap();
    assert_eq!(rmt.modalities, ["Swedish massage", "Myofascial release", "Joint mobilizations"]);
    for condition in [
        "Stress",
        "Pain management",
        "Overuse injuries",
        "Postural imbalances",
        "Neurological conditions",
        "Sports injuries",
        "Sciatica",
    ] {
        assert!(rmt.conditions.iter().any(|c| c == condition), "{condition}");
    }
}

#[test]
fn there_are_four_therapists_speaking_several_languages() {
    let all = therapists();
    assert_eq!(all.len(), 4);
    let languages: HashSet<_> = all.iter().flat_map(|t| t.languages.iter().cloned()).collect();
    for language in ["English", "French", "Portuguese", "Tagalog"] {
        assert!(languages.contains(language), "{language}");
    }
    let registered = all.iter().filter(|t| !t.registration_number.is_empty()).count();
    let names_the_title = all.iter().filter(|t| t.credentials.contains("RMT")).count();
    assert_eq!(registered, names_the_title, "only registered therapists may use the RMT title");
}

#[test]
fn the_catalog_covers_every_kind_of_mobile_visit_and_the_clinic() {
    let all = services();
    for kind in Kind::ALL {
        assert!(all.iter().any(|s| s.kind == kind && s.place == Place::Mobile), "mobile {kind:?}");
    }
    assert!(all.iter().filter(|s| s.place == Place::Clinic).count() >= 2);

    let home = service_named("Massage with oil at home");
    assert_eq!((home.duration_minutes, home.kind, home.place), (60, Kind::Individual, Place::Mobile));
    assert_eq!(service_named("Office chair massage").duration_minutes, 15);

    let party = service_named("Spa party");
    let add_ons: Vec<_> = party.add_ons.iter().map(|a| a.name.to_lowercase()).collect();
    for wanted in ["aromatherapy", "face mask", "hot stones"] {
        assert!(add_ons.iter().any(|a| a.contains(wanted)), "{wanted} in {add_ons:?}");
    }
}

#[test]
fn visits_have_realistic_prices_and_buffers() {
    for s in services() {
        assert!(s.price_cents >= 2_000 && s.price_cents <= 100_000, "{}: {}", s.name, s.price_cents);
        assert!(!s.modality.is_empty() && !s.description.is_empty(), "{}", s.name);
        match (s.place, s.kind) {
            (Place::Clinic, _) => assert_eq!(s.buffer_minutes, 10, "{}", s.name),
            (_, Kind::Individual | Kind::Couples) => assert_eq!(s.buffer_minutes, 15, "{}", s.name),
            _ => assert!(s.buffer_minutes > 0, "{}", s.name),
        }
    }
}

#[test]
fn no_demo_text_claims_to_cure_anything() {
    let mut texts: Vec<(String, String)> = Vec::new();
    for a in articles() {
        texts.push((a.title.clone(), format!("{} {} {}", a.title, a.summary, a.body_markdown)));
    }
    for s in services() {
        texts.push((s.name.clone(), format!("{} {}", s.name, s.description)));
    }
    for t in therapists() {
        texts.push((t.name.clone(), format!("{} {}", t.bio, t.conditions.join(" "))));
    }
    let forbidden = ["cure", "cures", "cured", "curing", "curative", "guarantee", "guaranteed", "testimonial"];
    for (name, text) in texts {
        for word in words(&text) {
            assert!(!forbidden.contains(&word.as_str()), "{name} says `{word}`");
        }
    }
}

#[test]
fn articles_are_500_to_900_words_with_headings_lists_and_a_summary() {
    let all = articles();
    assert_eq!(all.len(), 2);
    for a in all {
        let n = a.body_markdown.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).count();
        assert!((500..=900).contains(&n), "{} has {n} words", a.title);
        assert!(a.body_markdown.lines().filter(|l| l.starts_with("## ")).count() >= 3, "{}", a.title);
        assert!(a.body_markdown.lines().any(|l| l.starts_with("- ")), "{}", a.title);
        assert!(!a.summary.is_empty() && a.summary.chars().count() <= 300, "{}", a.title);
    }
}

#[test]
fn articles_end_with_a_note_that_they_are_not_medical_advice() {
    for a in articles() {
        let tail: String = a.body_markdown.trim_end().lines().rev().take(3).collect::<Vec<_>>().join(" ");
        assert!(tail.contains("general information"), "{}", a.title);
        assert!(tail.contains("not medical advice"), "{}", a.title);
    }
}

#[test]
fn the_prevention_article_presents_massage_as_part_of_a_plan_with_exercise() {
    let a = articles().into_iter().find(|a| a.title.contains("prevent")).unwrap();
    let body = a.body_markdown.to_lowercase();
    for phrase in [
        "releasing muscle tension",
        "improving circulation",
        "swedish",
        "deep tissue",
        "myofascial release",
        "trigger point therapy",
        "reducing stress",
        "a personalized plan",
        "exercise",
        "ng59",
        "severe compression of a nerve",
        "structural problems",
        "underlying medical condition",
        "physician, physiotherapist or chiropractor",
    ] {
        assert!(body.contains(phrase), "missing `{phrase}`");
    }
}

#[test]
fn the_relief_article_says_which_signs_need_a_physician_or_emergency_care() {
    let a = articles().into_iter().find(|a| a.title.contains("relief")).unwrap();
    let body = a.body_markdown.to_lowercase();
    let section = body
        .split("\n## ")
        .find(|s| s.starts_with("when to see a physician"))
        .expect("a `When to see a physician` section");
    assert!(section.contains("### go to an emergency department today"));
    assert!(section.contains("### see a physician within days"));
    for sign in [
        "genitals, buttocks, inner thighs",
        "bladder",
        "bowel",
        "both legs",
        "walking or balancing",
        "fever",
        "getting weaker",
        "foot slaps or drags",
        "cancer",
        "weight",
        "steroid",
        "osteoporosis",
        "worse at night",
        "under 16 or over 60",
        "six weeks",
    ] {
        assert!(section.contains(sign), "red flag `{sign}` missing");
    }
    assert!(body.contains("physician, physiotherapist or chiropractor"));
    // Each home exercise comes with its stop rule.
    for rule in ["stop if your pain increases", "pinching or shooting pain", "spread further down the leg"] {
        assert!(body.contains(rule), "stop rule `{rule}` missing");
    }
}

#[tokio::test]
async fn loading_an_empty_store_creates_the_whole_demo_practice() {
    let store = SqliteStore::in_memory().await.unwrap();
    let report = load(&store, &fake_hash, now()).await.unwrap();
    assert_eq!(report, LoadReport { services: services().len(), therapists: 4, articles: 2, users: 4, skipped: false });
    assert_eq!(store.list_services(true).await.unwrap().len(), services().len());
    assert_eq!(store.list_therapists(true).await.unwrap().len(), 4);
    assert_eq!(store.list_articles(true).await.unwrap().len(), 2);
    assert_eq!(store.list_users().await.unwrap().len(), 4);

    let email = knead_core::Email::parse("email", "mara@demo.knead.test").unwrap();
    let (user, hash) = store.credentials_by_email(&email).await.unwrap().unwrap();
    assert_eq!(user.role, Role::Therapist);
    assert_eq!(hash, "fake-hash:knead-demo-therapist");
    let party = store.service_by_slug("spa-party").await.unwrap();
    assert_eq!(party.add_ons.len(), 3);
    assert_eq!(store.therapist_by_slug("theo-lambert").await.unwrap().name, "Théo Lambert");
    assert!(store.article_by_slug("sciatica-relief").await.is_ok());
}

#[tokio::test]
async fn loading_twice_skips_the_second_time_and_writes_nothing() {
    let store = SqliteStore::in_memory().await.unwrap();
    load(&store, &fake_hash, now()).await.unwrap();
    let again = load(&store, &fake_hash, now()).await.unwrap();
    assert_eq!(again, LoadReport { skipped: true, ..LoadReport::default() });
    assert_eq!(store.list_services(true).await.unwrap().len(), services().len());
    assert_eq!(store.list_users().await.unwrap().len(), 4);
}

#[tokio::test]
async fn a_store_whose_only_service_is_archived_is_left_alone() {
    let store = SqliteStore::in_memory().await.unwrap();
    let own = services()[0].validate().unwrap();
    let created = store.create_service(&own, now()).await.unwrap();
    store.set_service_archived(created.id, true, now()).await.unwrap();

    let report = load(&store, &fake_hash, now()).await.unwrap();
    assert!(report.skipped);
    assert!(store.list_users().await.unwrap().is_empty());
    assert!(store.list_therapists(true).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_load_interrupted_before_the_services_is_finished_by_the_next_run() {
    let store = SqliteStore::in_memory().await.unwrap();
    // As if a first run stored the logins and one therapist, then stopped.
    let manager = &logins()[0];
    let user = NewUser::parse(manager.email, manager.name, manager.role.as_str()).unwrap();
    store.create_user(&user, "existing-hash", now()).await.unwrap();
    store.create_therapist(&therapists()[0].validate().unwrap(), now()).await.unwrap();

    let report = load(&store, &fake_hash, now()).await.unwrap();
    assert_eq!((report.users, report.therapists, report.articles), (3, 3, 2));
    assert_eq!(report.services, services().len());
    let email = knead_core::Email::parse("email", manager.email).unwrap();
    assert_eq!(store.credentials_by_email(&email).await.unwrap().unwrap().1, "existing-hash");
}

#[test]
fn the_practice_is_in_central_helsinki_with_the_clinic_and_every_base_inside_the_extract() {
    let settings = settings();
    assert_eq!(settings.time_zone.name(), "Europe/Helsinki");
    assert_eq!(settings.service_area, SERVICE_AREA);
    let clinic = clinic().validate().unwrap();
    let mut places = vec![("clinic", clinic.at)];
    places.extend(bases());
    assert_eq!(places.len(), 5, "the clinic and four bases");
    for (what, at) in places {
        assert!(EXTRACT_BOUNDS.contains(at), "{what} at {at:?} is outside the extract");
        assert!(SERVICE_AREA.contains(at), "{what} at {at:?} is outside the service area");
    }
    // 15 km takes in the city around the extract but not the next city up the line.
    let tampere = knead_core::geo::GeoPoint { lat: 61.4978, lon: 23.7610 };
    assert!(!SERVICE_AREA.contains(tampere));
    assert!(clinic.address.contains("Korkeavuorenkatu") && !clinic.address.contains("Toronto"));
}

#[tokio::test]
async fn loading_stores_the_helsinki_settings_clinic_and_bases() {
    let store = SqliteStore::in_memory().await.unwrap();
    load(&store, &fake_hash, now()).await.unwrap();
    assert_eq!(store.practice_settings().await.unwrap(), settings());
    let clinics = store.clinics().await.unwrap();
    assert_eq!(clinics.len(), 1);
    assert_eq!((clinics[0].name.as_str(), clinics[0].at()), ("Korkeavuori Clinic", knead_demo::CLINIC_AT));
    let schedules = store.schedules().await.unwrap();
    assert_eq!(schedules.len(), 4);
    for (slug, base) in bases() {
        let therapist = store.therapist_by_slug(slug).await.unwrap();
        let schedule = schedules.iter().find(|s| s.therapist_id == therapist.id).expect("a schedule");
        assert!(haversine_km(schedule.base, base) < 0.001, "{slug}: {:?} stored, {base:?} meant", schedule.base);
    }
}

/// Compiles only while `load`'s future is `Send`, so servers can run it on any worker thread.
fn load_in_a_send_future<'a>(
    store: &'a dyn Store,
    hash: &'a (dyn Fn(&str) -> String + Sync),
) -> impl std::future::Future<Output = Result<LoadReport, LoadError>> + Send + 'a {
    load(store, hash, jiff::Timestamp::UNIX_EPOCH)
}

#[test]
fn the_load_future_can_be_sent_across_threads() {
    let _ = load_in_a_send_future;
}

#[tokio::test]
async fn the_mobile_day_is_booked_once_with_the_crossed_routes_the_dispatch_board_untangles() {
    let store = SqliteStore::in_memory().await.unwrap();
    load(&store, &fake_hash, now()).await.unwrap();
    assert_eq!(knead_demo::load_day(&store, now()).await.unwrap(), 7, "every visit fits its therapist's day");
    assert_eq!(knead_demo::load_day(&store, now()).await.unwrap(), 0, "loaded once");
    let day = knead_demo::demo_day(now().to_zoned(jiff::tz::TimeZone::UTC).date());
    assert!((3..=6).contains(&day.weekday().to_monday_one_offset()), "a day the three mobile therapists work");
    let liza = store.therapist_by_slug("liza-manalo").await.unwrap();
    let (from, to) = (now(), now() + jiff::SignedDuration::from_hours(24 * 9));
    let hers = store.therapist_bookings(liza.id, from, to).await.unwrap();
    assert_eq!(hers.len(), 3);
    assert!(hers.iter().all(|b| b.arrival.is_some() && !b.therapists_named), "each left open to the practice");
}
