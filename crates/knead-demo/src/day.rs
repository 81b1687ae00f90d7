//! The demo's mobile day: six home visits on the next day the three mobile therapists all work, booked as they
//! might come in over a week — each client accepted an arrival within an hour either side and left the therapist
//! to the practice, and the first-come placement sent Liza (based in Kamppi) to Hakaniemi and Theo (based in
//! Hakaniemi) to Kamppi. The dispatch board's "Optimise this day" has real driving to save. A seventh visit, with
//! Ines by name, stays where it is; Jonna asked for a woman, so a re-plan never gives her to Theo.
//!
//! Every visit is written with `create_booking` under the booking rule (`VisitFits`); names are invented, emails
//! are on `.test`, and the street names are real but the numbers and points approximate.

use crate::LoadError;
use jiff::civil::Date;
use jiff::Timestamp;
use knead_core::booking::plan::{travel_fee_cents, VisitFits};
use knead_core::booking::{ArrivalWindow, BookingStatus, Contact, NewBooking, NewVisit, Where};
use knead_core::calendar::{add_days, add_minutes, instant_of, local_date, local_minute};
use knead_core::geo::GeoPoint;
use knead_core::intake::ClientDraft;
use knead_core::{Email, Gender, Place};
use knead_routing::StraightLine;
use knead_store::Store;

/// One demo home visit: who, where, when (minutes after local midnight), with whom.
struct HomeVisit {
    name: &'static str,
    email: &'static str,
    address: &'static str,
    at: GeoPoint,
    minute: i64,
    therapist: &'static str,
    /// The client chose the therapist.
    named: bool,
    /// The client asked for a therapist of this gender.
    asks: Option<Gender>,
}

const VISITS: [HomeVisit; 7] = [
    // Hakaniemi and Kallio, given to Liza (from Kamppi).
    HomeVisit {
        name: "Elina Koskimaa",
        email: "elina.koskimaa@demo.knead.test",
        address: "5 Porthaninkatu, Helsinki",
        at: GeoPoint { lat: 60.1786, lon: 24.9489 },
        minute: 11 * 60,
        therapist: "liza-manalo",
        named: false,
        asks: None,
    },
    HomeVisit {
        name: "Mikko Salmenkivi",
        email: "mikko.salmenkivi@demo.knead.test",
        address: "12 Siltasaarenkatu, Helsinki",
        at: GeoPoint { lat: 60.1779, lon: 24.9512 },
        minute: 13 * 60,
        therapist: "liza-manalo",
        named: false,
        asks: None,
    },
    HomeVisit {
        name: "Jonna Rinnekari",
        email: "jonna.rinnekari@demo.knead.test",
        address: "8 Castréninkatu, Helsinki",
        at: GeoPoint { lat: 60.1788, lon: 24.9470 },
        minute: 15 * 60,
        therapist: "liza-manalo",
        named: false,
        // A re-plan may give her to Ines or leave her with Liza, never to Theo.
        asks: Some(Gender::Female),
    },
    // Kamppi and Punavuori, given to Theo (from Hakaniemi).
    HomeVisit {
        name: "Petri Lahdensuo",
        email: "petri.lahdensuo@demo.knead.test",
        address: "34 Fredrikinkatu, Helsinki",
        at: GeoPoint { lat: 60.1668, lon: 24.9374 },
        minute: 12 * 60,
        therapist: "theo-lambert",
        named: false,
        asks: None,
    },
    HomeVisit {
        name: "Veera Ahomaa",
        email: "veera.ahomaa@demo.knead.test",
        address: "11 Lönnrotinkatu, Helsinki",
        at: GeoPoint { lat: 60.1650, lon: 24.9390 },
        minute: 14 * 60,
        therapist: "theo-lambert",
        named: false,
        asks: None,
    },
    HomeVisit {
        name: "Oskari Nurmela",
        email: "oskari.nurmela@demo.knead.test",
        address: "20 Eerikinkatu, Helsinki",
        at: GeoPoint { lat: 60.1664, lon: 24.9357 },
        minute: 16 * 60,
        therapist: "theo-lambert",
        named: false,
        asks: None,
    },
    // Kruununhaka, with Ines by the client's choice.
    HomeVisit {
        name: "Aada Kivelä",
        email: "aada.kivela@demo.knead.test",
        address: "14 Liisankatu, Helsinki",
        at: GeoPoint { lat: 60.1737, lon: 24.9530 },
        minute: 12 * 60,
        therapist: "ines-carvalho",
        named: true,
        asks: None,
    },
];

/// What each of the day's clients booked.
const DAY_SERVICE: &str = "Massage with oil at home";

/// Minutes either side of the booked start each (unnamed) client accepted.
const ARRIVAL_WINDOW_MINUTES: i64 = 60;

/// The next date after `today` that Liza, Ines and Theo all work (Wednesday to Saturday).
pub fn demo_day(today: Date) -> Date {
    (1..=7).map(|i| add_days(today, i)).find(|d| (3..=6).contains(&d.weekday().to_monday_one_offset())).unwrap_or(today)
}

/// Adds the mobile day, once: nothing is written when its first client exists, or when the demo's mobile service
/// and therapists are not there. Returns how many visits were booked.
pub async fn load_day(store: &dyn Store, now: Timestamp) -> Result<usize, LoadError> {
    let first = Email::from_trusted(VISITS[0].email.to_string());
    if !store.clients_by_email(&first).await?.is_empty() {
        return Ok(0);
    }
    let services = store.list_services(false).await?;
    let Some(service) = services
        .iter()
        .find(|s| s.name == DAY_SERVICE)
        .or_else(|| services.iter().find(|s| s.place == Place::Mobile && s.kind == knead_core::Kind::Individual))
    else {
        return Ok(0);
    };
    let settings = store.practice_settings().await?;
    let tz = settings.zone();
    let date = demo_day(local_date(tz, now));
    let schedules = store.schedules().await?;
    let travel = StraightLine::new(settings.road_factor, settings.speed_kmh).unwrap_or_default();
    let mut booked = 0;
    for v in &VISITS {
        let Ok(therapist) = store.therapist_by_slug(v.therapist).await else { return Ok(booked) };
        let draft = ClientDraft {
            name: v.name.into(),
            email: Email::from_trusted(v.email.into()),
            phone: "+358 40 555 0100".into(),
            date_of_birth: None,
            addresses: Vec::new(),
        };
        let client = store.create_client(&draft, None, now).await?;
        let start = instant_of(local_minute(tz, date, v.minute));
        let buffer = service.buffer_minutes;
        let new = NewBooking {
            service_id: service.id,
            start,
            end: add_minutes(start, service.duration_minutes),
            place: Where::Mobile { at: v.at, address: v.address.into() },
            client: Contact { name: client.name.clone(), email: client.email.clone(), phone: client.phone.clone() },
            client_user_id: None,
            client_id: Some(client.id),
            new_client_record: false,
            status: BookingStatus::Confirmed,
            reason: None,
            screening_id: None,
            add_ons: Vec::new(),
            notes: String::new(),
            price_cents: service.price_cents,
            travel_fee_cents: travel_fee_cents(&settings, &schedules, &[therapist.id], Some(v.at)),
            visits: vec![NewVisit {
                therapist_id: therapist.id,
                block_start: add_minutes(start, -buffer),
                block_end: add_minutes(start, service.duration_minutes + buffer),
                travel_before_min: 0,
                travel_after_min: 0,
            }],
            // Not the hash of any token: demo bookings have no working manage link.
            manage_token_hash: format!("demo-day-{}", client.id.0),
            idempotency_key: None,
            request_fingerprint: String::new(),
            created_at: now,
            jobs: Vec::new(),
            series_id: None,
            arrival: if v.named { None } else { ArrivalWindow::around(start, ARRIVAL_WINDOW_MINUTES) },
            therapists_named: v.named,
            therapist_gender: v.asks,
        };
        let rule = VisitFits {
            tz,
            schedules: &schedules,
            start,
            duration: service.duration_minutes,
            buffer,
            at: v.at,
            travel: &travel,
        };
        match store.create_booking(&new, &rule).await {
            Ok(_) => booked += 1,
            // The therapist's day is not free then (their hours changed): the client stays, without a visit.
            Err(knead_store::BookingError::Unavailable(_) | knead_store::BookingError::KeyReused) => {}
            Err(knead_store::BookingError::Store(e)) => return Err(e.into()),
        }
    }
    Ok(booked)
}
