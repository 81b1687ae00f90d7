//! knead's demo practice: fictional services, therapists, articles and logins, and `load` to put them in a store.
//!
//! The demo models the two practices knead is built for: a mobile spa that brings massage to homes, offices and
//! parties, and a clinic Registered Massage Therapist (RMT) who sees people with back pain and sciatica. Every
//! person, practice and registration number here is invented; every email uses the reserved `.test` domain.
//!
//! The practice is set in central Helsinki because the OpenStreetMap extract knead's tests and demo import covers
//! it (lat 60.164-60.179, lon 24.935-24.953): the clinic sits at a real street number there and every therapist's
//! base is a street corner inside that box, so addresses, road travel and the day's map all work on the demo.
//!
//! The articles are written in the product's own words and follow the strictest advertising rule for massage
//! therapists we design for (Ontario's O. Reg. 544/94 s.6): they say what massage may help with, never that it cures
//! anything, and carry no testimonials.

use jiff::Timestamp;
use knead_core::calendar::{ScheduleInput, WeeklyHoursInput};
use knead_core::{
    AddOnInput, ArticleDraft, ArticleInput, Kind, NewUser, Password, Place, Role, ServiceDraft, ServiceInput,
    TherapistDraft, TherapistInput, ValidationErrors,
};
use knead_store::{Store, StoreError};

mod clients;
mod day;
mod helsinki;
pub mod metro;
mod records;

pub use clients::{load_clients, ClientsReport};
pub use day::{demo_day, load_day};
pub use records::{load_records, RecordsReport, DEMO_SIGNED_NOTES};

pub use helsinki::*;

/// The map of the demo's neighbourhood: central Helsinki from OpenStreetMap (© OpenStreetMap contributors,
/// ODbL; see testdata/osm/README.md), so the demo's clients find their addresses and its days show streets.
pub const MAP_EXTRACT: &[u8] = include_bytes!("../../../testdata/osm/helsinki-centre.osm.pbf");

/// Minutes to set up before and pack up after a visit at a client's home.
pub const MOBILE_BUFFER_MINUTES: i64 = 15;
/// Minutes to change the linens and air the room between clinic visits.
pub const CLINIC_BUFFER_MINUTES: i64 = 10;

/// A demo account, with its password in clear so the demo can print it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoLogin {
    pub role: Role,
    pub email: &'static str,
    pub name: &'static str,
    pub password: &'static str,
}

/// A login per role: the manager, two therapists (the clinic RMT, and a mobile therapist for the home visits'
/// phone pages, each matching their profile) and a client.
pub fn logins() -> Vec<DemoLogin> {
    vec![
        DemoLogin {
            role: Role::Manager,
            email: "manager@demo.knead.test",
            name: "Dana Okafor",
            password: "knead-demo-manager",
        },
        DemoLogin {
            role: Role::Therapist,
            email: "mara@demo.knead.test",
            name: RMT_NAME,
            password: "knead-demo-therapist",
        },
        DemoLogin {
            role: Role::Therapist,
            email: "liza@demo.knead.test",
            name: MOBILE_THERAPIST_NAME,
            password: "knead-demo-therapist",
        },
        DemoLogin {
            role: Role::Client,
            email: "client@demo.knead.test",
            name: "Sam Lindqvist",
            password: "knead-demo-client",
        },
    ]
}

/// The clinic RMT's name, shared by her profile and her login.
const RMT_NAME: &str = "Mara Quill";
/// The mobile therapist with a login, shared by her profile and her login.
const MOBILE_THERAPIST_NAME: &str = "Liza Manalo";

fn add_on(name: &str, price_cents: i64, extra_minutes: i64) -> AddOnInput {
    AddOnInput { name: name.into(), price_cents, extra_minutes }
}

#[allow(clippy::too_many_arguments)]
fn service(
    name: &str,
    description: &str,
    duration_minutes: i64,
    price_cents: i64,
    modality: &str,
    place: Place,
    kind: Kind,
    buffer_minutes: i64,
    add_ons: Vec<AddOnInput>,
) -> ServiceInput {
    ServiceInput {
        slug: None,
        name: name.into(),
        description: description.into(),
        duration_minutes,
        price_cents,
        modality: modality.into(),
        place,
        kind,
        buffer_minutes,
        add_ons,
    }
}

/// The catalog: the mobile spa's visits (home, couples, office chair days, spa parties) and the clinic RMT's
/// treatments. Prices are in cents of the practice's currency.
pub fn services() -> Vec<ServiceInput> {
    let aromatherapy = || add_on("Aromatherapy oil", 1_500, 0);
    let hot_stones = || add_on("Hot stones", 2_500, 10);
    vec![
        // The mobile spa.
        service(
            "Massage with oil at home",
            "A full-body Swedish massage with warm oil, on a professional table we set up in your home. Pressure is \
             light to firm, as you prefer, and we bring fresh linens and everything else we need.",
            60,
            13_000,
            "Swedish",
            Place::Mobile,
            Kind::Individual,
            MOBILE_BUFFER_MINUTES,
            vec![aromatherapy(), hot_stones()],
        ),
        service(
            "Massage with oil at home, 90 minutes",
            "The same unhurried oil massage with extra time for the areas that hold the most tension, such as the \
             neck, shoulders or lower back.",
            90,
            18_500,
            "Swedish",
            Place::Mobile,
            Kind::Individual,
            MOBILE_BUFFER_MINUTES,
            vec![aromatherapy(), hot_stones()],
        ),
        service(
            "Deep tissue massage at home",
            "Slow, focused work into the deeper layers of muscle for areas that feel tight or overworked. Your \
             therapist checks the pressure with you throughout.",
            60,
            14_500,
            "Deep tissue",
            Place::Mobile,
            Kind::Individual,
            MOBILE_BUFFER_MINUTES,
            vec![aromatherapy()],
        ),
        service(
            "Couple's massage at home",
            "Two therapists and two tables, side by side in your own space, so you can both relax at the same time. \
             Each of you chooses your own pressure and focus areas.",
            60,
            26_000,
            "Swedish",
            Place::Mobile,
            Kind::Couples,
            MOBILE_BUFFER_MINUTES,
            vec![add_on("Aromatherapy oil for two", 2_500, 0), add_on("Hot stones for two", 4_500, 10)],
        ),
        service(
            "Office chair massage",
            "Short, fully clothed massages of the neck, shoulders, back and arms on an ergonomic chair at your \
             workplace. Colleagues sign up for 15-minute slots within a block that suits your office.",
            15,
            3_500,
            "Seated massage",
            Place::Mobile,
            Kind::Chair,
            // Slots run back to back; a few minutes to wipe down the chair and greet the next person.
            5,
            vec![],
        ),
        service(
            "Spa party",
            "A relaxed gathering at your home: our therapists take guests in turn for short massages while everyone \
             else unwinds. Add face masks, aromatherapy or hot stones to make the occasion your own.",
            120,
            60_000,
            "Swedish",
            Place::Mobile,
            Kind::Party,
            // Several massage stations to set up and pack away.
            30,
            vec![
                add_on("Aromatherapy oil", 1_500, 0),
                add_on("Hydrating face mask", 2_000, 15),
                add_on("Hot stones", 2_500, 10),
            ],
        ),
        // The clinic RMT.
        service(
            "RMT assessment and treatment, 45 minutes",
            "A registered massage therapist reviews your health history, assesses how you move and treats the areas \
             that need it most. Receipts show the therapist's registration number for insurance claims.",
            45,
            11_500,
            "Swedish massage, myofascial release",
            Place::Clinic,
            Kind::Individual,
            CLINIC_BUFFER_MINUTES,
            vec![],
        ),
        service(
            "RMT assessment and treatment, 60 minutes",
            "A full hour with a registered massage therapist: assessment, hands-on treatment and a few home-care \
             suggestions. Receipts show the therapist's registration number for insurance claims.",
            60,
            13_500,
            "Swedish massage, myofascial release",
            Place::Clinic,
            Kind::Individual,
            CLINIC_BUFFER_MINUTES,
            vec![],
        ),
        service(
            "Therapeutic massage for low back pain and sciatica",
            "Care for the low back, hips and legs that begins with a screening for signs that need a physician \
             first. Massage is one part of your plan, together with home-care exercises you practise between visits.",
            60,
            14_000,
            "Myofascial release, joint mobilizations",
            Place::Clinic,
            Kind::Individual,
            CLINIC_BUFFER_MINUTES,
            vec![],
        ),
    ]
}

fn labels(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Four fictional therapists: the clinic RMT and three who work for the mobile spa.
pub fn therapists() -> Vec<TherapistInput> {
    vec![
        TherapistInput {
            slug: None,
            name: RMT_NAME.into(),
            credentials: "RMT, Diploma in Massage Therapy".into(),
            registration_number: "DEMO-04217".into(),
            bio: "Mara sees clients at our clinic, many of them living with back pain, sciatica or the aches that \
                  come with desk work and sport. Each visit starts with a careful assessment and ends with a few \
                  home-care exercises chosen for you, and she works alongside your physician or physiotherapist \
                  when you have one."
                .into(),
            modalities: labels(&["Swedish massage", "Myofascial release", "Joint mobilizations"]),
            conditions: labels(&[
                "Stress",
                "Pain management",
                "Overuse injuries",
                "Postural imbalances",
                "Neurological conditions",
                "Sports injuries",
                "Sciatica",
            ]),
            languages: labels(&["English", "French"]),
            gender: Some("female".into()),
        },
        TherapistInput {
            slug: None,
            name: "Ines Carvalho".into(),
            credentials: "RMT, Diploma in Massage Therapy".into(),
            registration_number: "DEMO-05183".into(),
            bio: "Ines brings the table, linens and warm oil to your door and makes a calm space wherever she sets \
                  up. She is often the first choice for couple's visits and for clients who want a slower, deeply \
                  relaxing hour."
                .into(),
            modalities: labels(&["Swedish massage", "Deep tissue massage", "Hot stone massage", "Prenatal massage"]),
            conditions: labels(&["Stress", "Muscle tension"]),
            languages: labels(&["English", "Portuguese", "Spanish"]),
            gender: Some("female".into()),
        },
        TherapistInput {
            slug: None,
            name: "Liza Manalo".into(),
            credentials: "Spa practitioner, Certificate in Spa Therapy".into(),
            registration_number: String::new(),
            bio: "Liza runs many of our office chair-massage days and spa parties, keeping a steady, friendly pace so \
                  every guest gets their turn. She loves aromatherapy blends and a good hand and foot routine."
                .into(),
            modalities: labels(&["Swedish massage", "Aromatherapy massage", "Seated chair massage", "Reflexology"]),
            conditions: labels(&["Stress"]),
            languages: labels(&["English", "Tagalog"]),
            gender: Some("female".into()),
        },
        TherapistInput {
            // The derived slug would drop the accented letter ("tho-lambert").
            slug: Some("theo-lambert".into()),
            name: "Théo Lambert".into(),
            credentials: "Spa practitioner, Certificate in Sports Massage".into(),
            registration_number: String::new(),
            bio: "Théo works with runners, cyclists and weekend players who want to feel looser between training \
                  sessions. Expect firm pressure, assisted stretching and plenty of questions about how you move."
                .into(),
            modalities: labels(&["Deep tissue massage", "Sports massage", "Assisted stretching", "Hot stone massage"]),
            conditions: labels(&["Muscle soreness after exercise", "Stress"]),
            languages: labels(&["French", "English"]),
            gender: Some("male".into()),
        },
    ]
}

/// Two education articles on sciatica, in Markdown.
pub fn articles() -> Vec<ArticleInput> {
    vec![
        ArticleInput {
            slug: Some("preventing-sciatica".into()),
            title: "How massage may help prevent sciatica".into(),
            summary: "Tight muscles, sluggish circulation, posture habits and stress can all add strain around the \
                      sciatic nerve. How massage may help with each, as one part of a personal plan that includes \
                      exercise, and when a physician should lead your care instead."
                .into(),
            body_markdown: include_str!("../content/preventing-sciatica.md").into(),
        },
        ArticleInput {
            slug: Some("sciatica-relief".into()),
            title: "Sciatica relief: home care and when to see a physician".into(),
            summary: "What massage may help with during sciatica, gentle home exercises with clear rules for when to \
                      stop, and the warning signs that mean you should see a physician or go to an emergency \
                      department."
                .into(),
            body_markdown: include_str!("../content/sciatica-relief.md").into(),
        },
    ]
}

/// What `load` wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoadReport {
    pub services: usize,
    pub therapists: usize,
    pub articles: usize,
    pub users: usize,
    /// True when the store already had a catalog and nothing was written.
    pub skipped: bool,
}

/// Why the demo could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A demo input failed validation (a bug in this crate, caught before anything is written).
    #[error("demo {what} `{name}` is invalid: {errors}")]
    Invalid {
        what: &'static str,
        name: String,
        #[source]
        errors: ValidationErrors,
    },
    #[error("could not store the demo practice: {0}")]
    Store(#[from] StoreError),
}

fn invalid(what: &'static str, name: &str) -> impl FnOnce(ValidationErrors) -> LoadError {
    let name = name.to_string();
    move |errors| LoadError::Invalid { what, name, errors }
}

/// Checks a demo login as a sign-up would: the user's fields and the password's strength.
fn validate_login(login: &DemoLogin) -> Result<NewUser, ValidationErrors> {
    let password = Password::parse_new("password", login.password).err();
    match NewUser::parse(login.email, login.name, login.role.as_str()) {
        Ok(user) => match password {
            None => Ok(user),
            Some(e) => Err(ValidationErrors(vec![e])),
        },
        Err(mut errors) => {
            errors.0.extend(password);
            Err(errors)
        }
    }
}

struct Validated {
    users: Vec<(NewUser, &'static str)>,
    services: Vec<ServiceDraft>,
    therapists: Vec<TherapistDraft>,
    articles: Vec<ArticleDraft>,
}

fn validate_all() -> Result<Validated, LoadError> {
    let users = logins()
        .iter()
        .map(|l| validate_login(l).map(|u| (u, l.password)).map_err(invalid("login", l.email)))
        .collect::<Result<_, _>>()?;
    let services =
        services().iter().map(|s| s.validate().map_err(invalid("service", &s.name))).collect::<Result<_, _>>()?;
    let therapists =
        therapists().iter().map(|t| t.validate().map_err(invalid("therapist", &t.name))).collect::<Result<_, _>>()?;
    let articles =
        articles().iter().map(|a| a.validate().map_err(invalid("article", &a.title))).collect::<Result<_, _>>()?;
    Ok(Validated { users, services, therapists, articles })
}

/// Whether a lookup by slug found something; `NotFound` is an answer, other errors are errors.
fn exists<T>(found: Result<T, StoreError>) -> Result<bool, StoreError> {
    match found {
        Ok(_) => Ok(true),
        Err(StoreError::NotFound) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Loads the demo practice into `store`, once.
///
/// When the store already has any service (archived ones included) this is a practice with its own catalog, or a
/// demo already loaded: nothing is written and the report says `skipped`. Otherwise every input is validated before
/// anything is written, then the logins (passwords through `hash_password`), therapists, articles and, last, the
/// services are created. Services go last so that an interrupted load leaves no service behind and the next run
/// finishes it; for the same reason logins, therapists and articles that already exist are left as they are and not
/// counted.
pub async fn load(
    store: &dyn Store,
    hash_password: &(dyn Fn(&str) -> String + Sync),
    now: Timestamp,
) -> Result<LoadReport, LoadError> {
    if !store.list_services(true).await?.is_empty() {
        return Ok(LoadReport { skipped: true, ..LoadReport::default() });
    }
    let demo = validate_all()?;
    let mut report = LoadReport::default();

    for (user, password) in &demo.users {
        if store.credentials_by_email(&user.email).await?.is_none() {
            store.create_user(user, &hash_password(password), now).await?;
            report.users += 1;
        }
    }
    for therapist in &demo.therapists {
        if !exists(store.therapist_by_slug(therapist.slug.as_str()).await)? {
            store.create_therapist(therapist, now).await?;
            report.therapists += 1;
        }
    }
    for article in &demo.articles {
        if !exists(store.article_by_slug(article.slug.as_str()).await)? {
            store.create_article(article, now).await?;
            report.articles += 1;
        }
    }
    let mut services = Vec::new();
    for service in &demo.services {
        services.push(store.create_service(service, now).await?);
        report.services += 1;
    }
    load_calendar(store, &services).await?;
    Ok(report)
}

/// Booking settings (Helsinki), the practice's details, the clinic, and each therapist's schedule.
async fn load_calendar(store: &dyn Store, services: &[knead_core::Service]) -> Result<(), LoadError> {
    store.save_practice_settings(&settings()).await?;
    let details = practice_details().validate().map_err(|errors| LoadError::Invalid {
        what: "practice details",
        name: "practice".into(),
        errors,
    })?;
    store.save_practice_details(&details).await?;
    let clinic =
        clinic().validate().map_err(|errors| LoadError::Invalid { what: "clinic", name: "clinic".into(), errors })?;
    store.create_clinic(&clinic).await?;
    for rota in &ROTAS {
        let Ok(therapist) = store.therapist_by_slug(rota.slug).await else { continue };
        let service_ids = services
            .iter()
            .filter(|s| match s.place {
                Place::Clinic => rota.clinic,
                Place::Mobile => rota.mobile,
                Place::Both => rota.clinic || rota.mobile,
            })
            .map(|s| s.id.0)
            .collect();
        let input = ScheduleInput {
            base_lat: rota.base.lat,
            base_lon: rota.base.lon,
            radius_km: rota.radius_km,
            service_ids,
            weekly: rota
                .weekdays
                .iter()
                .map(|&d| WeeklyHoursInput { weekday: d, start: rota.hours.0.into(), end: rota.hours.1.into() })
                .collect(),
        };
        let draft = input.validate().map_err(|errors| LoadError::Invalid {
            what: "schedule",
            name: rota.slug.into(),
            errors,
        })?;
        store.save_schedule(therapist.id, &draft).await?;
    }
    // Each therapist demo login is that therapist's own.
    for (email, slug) in [("mara@demo.knead.test", "mara-quill"), ("liza@demo.knead.test", "liza-manalo")] {
        let email = knead_core::Email::parse("email", email).expect("a valid demo email");
        if let (Some((user, _)), Ok(profile)) =
            (store.credentials_by_email(&email).await?, store.therapist_by_slug(slug).await)
        {
            store.link_therapist_user(profile.id, Some(user.id)).await?;
        }
    }
    Ok(())
}
