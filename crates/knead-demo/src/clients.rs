//! The demo practice's clients: three fictional people with health histories, screenings and upcoming visits
//! with the clinic RMT (the demo's therapist login), so the staff pages, the visit sheet and the clearance step
//! have something to show.
//!
//! - Aino Virtanen: a health history with an area to avoid and a blood thinner (a `local_avoid` and a
//!   `modify_pressure` precaution), booked for a clinic treatment.
//! - Otto Lehtinen: booked for sciatica with a clear screening.
//! - Helmi Korhonen: back pain with an urgent screening (weakness that is getting worse), held as
//!   `awaiting_clearance` until staff record a physician's clearance.
//!
//! Visits are planned with the core engine over the demo's calendar (as `metro` does) and written with
//! `create_booking`, whose re-check runs the same rule; every name is invented and every email is on `.test`.

use crate::LoadError;
use jiff::civil::Date;
use jiff::Timestamp;
use knead_core::booking::plan::{search_request, travel_fee_cents, visits_for, VisitFits};
use knead_core::booking::{BookingStatus, Contact, NewBooking, Where};
use knead_core::calendar::{add_days, instant_of, local_date, local_day, route_days, BookedStops};
use knead_core::intake::screening::all_clear;
use knead_core::intake::{
    assess, Action, AuditEvent, Client, ClientDraft, IntakeInput, ScreeningId, ScreeningInput, ScreeningRecord,
    VisitReason,
};
use knead_core::schedule::search;
use knead_core::{Email, Place, Service};
use knead_routing::StraightLine;
use knead_store::Store;

/// What `load_clients` wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientsReport {
    pub clients: usize,
    pub bookings: usize,
    /// True when the demo's clients were already there (or the demo practice is not), and nothing was written.
    pub skipped: bool,
    /// The care records added for them (see `records`).
    pub records: crate::RecordsReport,
}

/// One demo client and their visit.
struct DemoClient {
    name: &'static str,
    email: &'static str,
    phone: &'static str,
    born: &'static str,
    reason: VisitReason,
    /// The screening's "yes" answers, for a back, leg or sciatica visit.
    screening: Option<&'static [&'static str]>,
    history: fn() -> IntakeInput,
    notes: &'static str,
    /// Days from today of the first day searched for the visit.
    in_days: i64,
}

fn demo_clients() -> [DemoClient; 3] {
    [
        DemoClient {
            name: "Aino Virtanen",
            email: "aino.virtanen@demo.knead.test",
            phone: "+1 416-555-0141",
            born: "1979-04-12",
            reason: VisitReason::NeckShoulder,
            screening: None,
            history: || IntakeInput {
                anticoagulants: Some(true),
                medications: "A daily blood thinner".into(),
                areas_to_avoid: "Right shoulder blade (a recent strain)".into(),
                ..healthy()
            },
            notes: "Comes by tram; prefers a quiet room.",
            in_days: 2,
        },
        DemoClient {
            name: "Otto Lehtinen",
            email: "otto.lehtinen@demo.knead.test",
            phone: "+1 416-555-0142",
            born: "1986-09-30",
            reason: VisitReason::Sciatica,
            screening: Some(&[]),
            history: || IntakeInput { other_care: physiotherapy(), ..healthy() },
            notes: "Sitting for long is hard; may need to stand up during the intake.",
            in_days: 3,
        },
        DemoClient {
            name: "Helmi Korhonen",
            email: "helmi.korhonen@demo.knead.test",
            phone: "+1 416-555-0143",
            born: "1962-01-21",
            reason: VisitReason::BackPain,
            screening: Some(&["progressive_weakness"]),
            history: healthy,
            notes: "",
            in_days: 4,
        },
    ]
}

/// Every intake question answered "no", consent given in full.
fn healthy() -> IntakeInput {
    knead_core::intake::health::all_clear()
}

fn physiotherapy() -> knead_core::intake::OtherCare {
    knead_core::intake::OtherCare {
        physiotherapy: true,
        details: "Sees a physiotherapist every two weeks for home exercises".into(),
        ..Default::default()
    }
}

fn invalid(what: &'static str, name: &str) -> impl FnOnce(knead_core::ValidationErrors) -> LoadError {
    let name = name.to_string();
    move |errors| LoadError::Invalid { what, name, errors }
}

/// A screening id for demo data: unique per load and client (demo screenings hold no real answers).
fn demo_screening_id(now: Timestamp, n: usize) -> ScreeningId {
    ScreeningId(format!("{:016x}{:016x}", now.as_microsecond() as u64, 0xd300 + n as u64))
}

/// Adds the demo's clients to the demo practice, once: nothing is written when the first of them exists, or
/// when the store has no demo clinic service and therapist to book them with. Then their care records, once
/// (a database with the demo's clients from before the records gets them too).
pub async fn load_clients(store: &dyn Store, now: Timestamp) -> Result<ClientsReport, LoadError> {
    let mut report = add_clients(store, now).await?;
    report.records = crate::load_records(store, now).await?;
    Ok(report)
}

async fn add_clients(store: &dyn Store, now: Timestamp) -> Result<ClientsReport, LoadError> {
    let skipped = ClientsReport { skipped: true, ..ClientsReport::default() };
    let first = Email::from_trusted(demo_clients()[0].email.to_string());
    if !store.clients_by_email(&first).await?.is_empty() {
        return Ok(skipped);
    }
    let services = store.list_services(false).await?;
    let Some(service) = services.iter().find(|s| s.place == Place::Clinic && s.name.contains("sciatica")) else {
        return Ok(skipped);
    };
    let (Some(clinic), Ok(mara)) =
        (store.clinics().await?.into_iter().next(), store.therapist_by_slug("mara-quill").await)
    else {
        return Ok(skipped);
    };
    let settings = store.practice_settings().await?;
    let today = local_date(settings.zone(), now);
    let mut report = ClientsReport::default();
    for (n, demo) in demo_clients().iter().enumerate() {
        let born = demo.born.parse::<Date>().ok();
        let draft = ClientDraft {
            name: demo.name.into(),
            email: Email::from_trusted(demo.email.into()),
            phone: demo.phone.into(),
            date_of_birth: born,
            addresses: Vec::new(),
        };
        let client = store.create_client(&draft, None, now).await?;
        report.clients += 1;
        let history = (demo.history)().validate().map_err(invalid("health history", demo.name))?;
        let event = |record: &'static str, id: String| AuditEvent {
            at: now,
            actor: None,
            client: Some(client.id),
            action: Action::Create,
            record,
            record_id: id,
        };
        store.add_intake(client.id, &history, None, now, &event("intake", "1".into())).await?;
        let screening = match demo.screening {
            Some(yes) => {
                let answers =
                    screening_answers(yes, &client, today).validate().map_err(invalid("screening", demo.name))?;
                let record = ScreeningRecord {
                    id: demo_screening_id(now, n),
                    assessment: assess(&answers, &settings.screening),
                    answers,
                    client: Some(client.id),
                    booking: None,
                    created_at: now,
                };
                store.save_screening(&record, &event("screening", record.id.0.clone())).await?;
                Some(record)
            }
            None => None,
        };
        let status = match &screening {
            Some(s) if s.assessment.level >= knead_core::intake::Level::Urgent => BookingStatus::AwaitingClearance,
            _ => BookingStatus::Confirmed,
        };
        let plan = Plan { settings: &settings, service, clinic: &clinic, therapist: mara.id, now };
        let booking = Booking { client: &client, demo, status, screening: screening.map(|s| s.id) };
        if plan.book(store, add_days(today, demo.in_days), booking).await? {
            report.bookings += 1;
        }
    }
    Ok(report)
}

/// The answers of a screening: every question "no" but those in `yes`, with the client's age.
fn screening_answers(yes: &[&str], client: &Client, today: Date) -> ScreeningInput {
    let mut answers = all_clear();
    for field in yes {
        answers.set_flag(field, Some(true));
    }
    answers.age = client.age_on(today);
    answers
}

/// Where and with whom the demo's visits are booked.
struct Plan<'a> {
    settings: &'a knead_core::calendar::PracticeSettings,
    service: &'a Service,
    clinic: &'a knead_core::booking::Clinic,
    therapist: knead_core::TherapistId,
    now: Timestamp,
}

/// Who a visit is for, and how it stands.
struct Booking<'a> {
    client: &'a Client,
    demo: &'a DemoClient,
    status: BookingStatus,
    screening: Option<ScreeningId>,
}

impl Plan<'_> {
    /// Books the first start the engine offers from `from` on (a week searched); false when there is none.
    async fn book(&self, store: &dyn Store, from: Date, b: Booking<'_>) -> Result<bool, LoadError> {
        let tz = self.settings.zone();
        let dates: Vec<Date> = (0..7).map(|i| add_days(from, i)).collect();
        let (first, last) = (local_day(tz, dates[0]), local_day(tz, dates[dates.len() - 1]));
        let (origin, end) = (instant_of(first.origin), instant_of(last.end));
        let schedules: Vec<_> = store
            .schedules()
            .await?
            .into_iter()
            .filter(|s| s.therapist_id == self.therapist && s.offers(self.service.id))
            .collect();
        let booked = BookedStops::from_rows(store.stops_between(origin, end).await?);
        let rooms = store.room_calendar(self.clinic.id, origin, end).await?;
        let travel = StraightLine::new(self.settings.road_factor, self.settings.speed_kmh).unwrap_or_default();
        let at = self.clinic.at();
        let request = search_request(self.service, self.settings, at, &dates, Some(rooms), self.now);
        let days = route_days(&schedules, &booked, tz, &dates, &travel);
        let Some(slot) = search(&request, &days, &travel).into_iter().next() else { return Ok(false) };
        let start = instant_of(slot.start);
        let visits = visits_for(&slot, self.service, start);
        let new = NewBooking {
            service_id: self.service.id,
            start,
            end: knead_core::calendar::add_minutes(start, self.service.duration_minutes),
            place: Where::Clinic(self.clinic.id),
            client: Contact {
                name: b.client.name.clone(),
                email: b.client.email.clone(),
                phone: b.client.phone.clone(),
            },
            client_user_id: None,
            client_id: Some(b.client.id),
            new_client_record: false,
            status: b.status,
            reason: Some(b.demo.reason),
            screening_id: b.screening,
            add_ons: Vec::new(),
            notes: b.demo.notes.into(),
            price_cents: self.service.price_cents,
            travel_fee_cents: travel_fee_cents(self.settings, &schedules, &[self.therapist], None),
            visits,
            // Not the hash of any token: demo bookings have no working manage link.
            manage_token_hash: format!("demo-client-{}", b.client.id.0),
            idempotency_key: None,
            request_fingerprint: String::new(),
            created_at: self.now,
            jobs: Vec::new(),
            series_id: None,
            arrival: None,
            therapists_named: true,
            therapist_gender: None,
        };
        let rule = VisitFits {
            tz,
            schedules: &schedules,
            start,
            duration: self.service.duration_minutes,
            buffer: self.service.buffer_minutes,
            at,
            travel: &travel,
        };
        match store.create_booking(&new, &rule).await {
            Ok(_) => Ok(true),
            // Taken since it was planned (another demo load at once): the client stays, without a visit.
            Err(knead_store::BookingError::Unavailable(_)) => Ok(false),
            Err(knead_store::BookingError::Store(e)) => Err(e.into()),
            Err(knead_store::BookingError::KeyReused) => Ok(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use knead_core::intake::{gate, precautions, Category, Gate};
    use knead_store_sqlite::SqliteStore;

    #[tokio::test]
    async fn the_demo_clients_load_once_each_with_a_visit_that_shows_their_precautions() {
        let sqlite = SqliteStore::in_memory().await.unwrap();
        let store: &dyn Store = &sqlite;
        let now: Timestamp = "2026-06-01T09:00:00Z".parse().unwrap();
        crate::load(store, &|p: &str| format!("plain:{p}"), now).await.unwrap();
        let report = load_clients(store, now).await.unwrap();
        assert_eq!((report.clients, report.bookings, report.skipped), (3, 3, false));
        assert!(load_clients(store, now).await.unwrap().skipped, "loaded once");
        let summaries = store.client_summaries(None).await.unwrap();
        assert_eq!(summaries.len(), 3);
        let mut statuses = Vec::new();
        for s in &summaries {
            let bookings = store.bookings_of_client(s.client.id).await.unwrap();
            assert_eq!(bookings.len(), 1);
            let b = &bookings[0];
            assert!(b.start > now);
            let history = store.intakes(s.client.id).await.unwrap().remove(0).history;
            let screening = match &b.screening_id {
                Some(id) => Some(store.screening(id).await.unwrap().assessment),
                None => None,
            };
            let found = precautions(Some(&history), b.reason, screening.as_ref());
            if s.client.name == "Aino Virtanen" {
                let cats: Vec<Category> = found.iter().map(|p| p.category).collect();
                assert!(cats.contains(&Category::LocalAvoid) && cats.contains(&Category::ModifyPressure));
            }
            let expected = match gate(&found) {
                Gate::AwaitClearance(_) => BookingStatus::AwaitingClearance,
                _ => BookingStatus::Confirmed,
            };
            assert_eq!(b.status, expected, "{}", s.client.name);
            statuses.push(b.status);
        }
        assert!(statuses.contains(&BookingStatus::AwaitingClearance));
    }
}
