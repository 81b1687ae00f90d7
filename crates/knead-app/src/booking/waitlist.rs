//! The waitlist: joining it, the check that offers freed starts to the first in line, and taking or
//! leaving an offer through the entry's private link.
//!
//! The check runs as a job (`WaitlistScan`) written with every change that frees time (a cancellation, a
//! move) and at each offer's expiry, so it survives restarts and runs once per cause. An offer is held by a
//! compare-and-set in the store: the entry must still wait, and no live offer may hold the same start.

use super::{book_visit, free_starts, intake, AvailabilityQuery, Booked, Context, Via, Who, MAX_DAYS};
use crate::accounts::{random_secret, secret_hash};
use crate::{App, AppError, AppResult, NotFoundAs};
use jiff::{SignedDuration, Timestamp};
use knead_core::booking::waitlist::{HeldStart, NewWaitlistEntry, WaitStatus, WaitlistEntry, WaitlistId, Wish};
use knead_core::booking::BookingRequest;
use knead_core::calendar::{add_minutes, local_date};
use knead_core::notify::{JobKind, NewJob};
use knead_core::{Service, ServiceId, TherapistId, User};
use std::collections::HashMap;

/// A new entry and the token of its private link (shown once).
pub struct Joined {
    pub entry: WaitlistEntry,
    pub token: String,
}

/// Puts a client in line for `visit` when `wish` suits them. The visit is checked as a booking would be
/// (the service, the place, the add-ons, the screening a reason needs), so an offer can be booked as it is.
pub async fn join_waitlist(app: &App, visit: &BookingRequest, wish: Wish, user: Option<&User>) -> AppResult<Joined> {
    let store = app.store();
    intake::may_name_client(visit, user)?;
    if let Some(screening) = intake::screening_for(app, visit).await? {
        // A screening that needs a physician's clearance first is booked directly (held), not waited for.
        if screening.assessment.level == knead_core::intake::Level::Urgent {
            return Err(AppError::field(
                "not_allowed",
                "screening_id",
                "after these answers, please book a time directly so the practice can follow up",
            ));
        }
    }
    let who = Who::new(None, visit.therapist_gender);
    let ctx = Context::current(app, visit.service_id, visit.place.location(), who, &visit.add_ons).await?;
    let today = local_date(ctx.settings.zone(), app.now());
    if wish.first_date > ctx.settings.last_bookable_date(today) {
        return Err(ctx.settings.beyond_horizon("first_date", today).into());
    }
    let (client, contact) = intake::resolve_client(app, visit, user).await?;
    let now = app.now();
    let token = random_secret();
    let entry = NewWaitlistEntry {
        visit: BookingRequest { client_id: Some(client.id), client: Some(contact.clone()), ..visit.clone() },
        client: contact,
        client_user_id: user.filter(|u| u.role == knead_core::Role::Client).map(|u| u.id),
        wish,
        token_hash: secret_hash(&token),
        created_at: now,
    };
    let jobs = [NewJob::now(JobKind::WaitlistJoined, now), NewJob::waitlist_scan(now)];
    let entry = store.join_waitlist(&entry, &jobs).await?;
    tracing::info!(waitlist = entry.id.0, "joined the waitlist");
    app.jobs_added();
    Ok(Joined { entry, token })
}

/// Entry `id`, when `token` is its private link's. A wrong token, or one of another entry, is the same
/// "no such entry" as a missing one: the link is the only key.
pub async fn waitlist_entry(app: &App, id: WaitlistId, token: &str) -> AppResult<WaitlistEntry> {
    let entry = app.store().waitlist_by_token(&secret_hash(token)).await.not_found_as("waitlist entry")?;
    if entry.id != id {
        return Err(AppError::NotFound { what: "waitlist entry" });
    }
    Ok(entry)
}

/// The waitlist in line order (managers), only those with `status` when given.
pub async fn waitlist(app: &App, status: Option<WaitStatus>, limit: i64) -> AppResult<Vec<WaitlistEntry>> {
    Ok(app.store().waitlist(status, limit).await?)
}

/// Leaves the list; leaving twice is harmless.
pub async fn leave_waitlist(app: &App, id: WaitlistId, token: &str) -> AppResult<WaitlistEntry> {
    let entry = waitlist_entry(app, id, token).await?;
    if app.store().close_waitlist_entry(entry.id, WaitStatus::Left, None).await? && entry.offer.is_some() {
        // The held start is free for the next in line.
        app.store().add_jobs(None, &[NewJob::waitlist_scan(app.now())], app.now()).await?;
        app.jobs_added();
    }
    waitlist_entry(app, id, token).await
}

/// Books the start offered to the entry `token` opens, while the offer holds. A start taken meanwhile (by
/// someone booking it directly) puts the entry back in line and says so.
pub async fn take_waitlist_offer(app: &App, id: WaitlistId, token: &str) -> AppResult<Booked> {
    let store = app.store();
    let entry = waitlist_entry(app, id, token).await?;
    let now = app.now();
    let offer = match (&entry.status, &entry.offer) {
        (WaitStatus::Offered, Some(offer)) if offer.expires_at > now => offer.clone(),
        (WaitStatus::Booked, _) => {
            return Err(AppError::field("already_booked", "offer", "this time is already booked for you"))
        }
        _ => {
            return Err(AppError::field(
                "no_offer",
                "offer",
                "there is no time on offer for this entry now (an offer lasts only so long); we will email you \
                 when another frees up",
            ))
        }
    };
    let request = BookingRequest {
        start: offer.start,
        therapist_ids: Some(offer.therapist_ids.clone()),
        client_id: None,
        ..entry.entry.visit.clone()
    };
    // One key per entry and start: taking the same offer twice books once.
    let key = format!("waitlist-{}-{}", entry.id.0, offer.start.as_second());
    match book_visit(app, &request, None, Some(key.clone()), key, Via::Waitlist(entry.id)).await {
        Ok(booked) => {
            store.close_waitlist_entry(entry.id, WaitStatus::Booked, Some(booked.booking.id)).await?;
            Ok(booked)
        }
        Err(e @ AppError::Unavailable(_)) => {
            store.return_to_waitlist(entry.id).await?;
            Err(e)
        }
        Err(e) => Err(e),
    }
}

/// The waitlist's check: lapsed offers go back in line (to the next client), then each waiting entry, in
/// line order, is offered the earliest free start that suits it and is not held for someone else.
pub async fn scan_waitlist(app: &App) -> AppResult<usize> {
    let store = app.store();
    let now = app.now();
    let settings = store.practice_settings().await?;
    let tz = settings.zone().clone();
    let today = local_date(&tz, now);
    store.lapse_waitlist_offers(now, today).await?;
    let waiting = store.waitlist(Some(WaitStatus::Waiting), 200).await?;
    // A start overlapping one held for another entry with the same therapist is not offered twice.
    let setup = app.calendar.setup(store).await?;
    let mut held: Vec<Held> = setup.holds(now, None).cloned().collect();
    let hold = SignedDuration::from_hours(settings.waitlist_offer_hours.clamp(1, 168));
    let mut offered = 0;
    for entry in &waiting {
        let wish = entry.entry.wish;
        let from = wish.first_date.max(today);
        let days = (i64::from((wish.last_date - from).get_days()) + 1).clamp(1, MAX_DAYS);
        let visit = &entry.entry.visit;
        let query = AvailabilityQuery {
            service_id: visit.service_id,
            place: visit.place.location(),
            from,
            days,
            therapist_id: None,
            therapist_gender: visit.therapist_gender,
            add_ons: visit.add_ons.clone(),
        };
        let found = match free_starts(app, &query).await {
            Ok(found) => found,
            // The service or the place no longer takes bookings: the entry waits on.
            Err(AppError::Invalid(_) | AppError::NotFound { .. }) => continue,
            Err(e) => return Err(e),
        };
        let free = found.slots.iter().find(|slot| {
            entry.wants(&tz, slot.start) && !held.iter().any(|h| h.blocks(slot.start, slot.end, &slot.therapist_ids))
        });
        let Some(slot) = free else { continue };
        let expires_at = now.checked_add(hold).unwrap_or(Timestamp::MAX);
        let offer = HeldStart { start: slot.start, therapist_ids: slot.therapist_ids.clone(), expires_at };
        let jobs = [NewJob::now(JobKind::WaitlistOffer, now), NewJob::waitlist_scan(expires_at)];
        if store.offer_waitlist_start(entry.id, &offer, &jobs, now).await? {
            tracing::info!(waitlist = entry.id.0, "offered a freed start");
            held.push(Held {
                entry: entry.id,
                start: offer.start,
                end: slot.end,
                therapists: offer.therapist_ids,
                expires_at: offer.expires_at,
            });
            offered += 1;
        }
    }
    if offered > 0 {
        app.jobs_added();
    }
    Ok(offered)
}

/// The most offers read as holding starts at once (each is one client's live offer).
pub(crate) const MAX_OFFERS: i64 = 1000;

/// A start held for a waitlisted client, as the visit it would be, until the offer lapses.
#[derive(Debug, Clone)]
pub(crate) struct Held {
    pub(crate) entry: WaitlistId,
    start: Timestamp,
    end: Timestamp,
    therapists: Vec<TherapistId>,
    expires_at: Timestamp,
}

impl Held {
    /// Whether a visit from `start` to `end` with any of `therapists` would take the held time.
    pub(crate) fn blocks(&self, start: Timestamp, end: Timestamp, therapists: &[TherapistId]) -> bool {
        self.start < end && start < self.end && self.therapists.iter().any(|t| therapists.contains(t))
    }

    /// Whether the offer still holds its start at `now`.
    pub(crate) fn live_at(&self, now: Timestamp) -> bool {
        self.expires_at > now
    }
}

/// The holds of `offered` entries, each as long as its service's visit. Public searches leave them out and
/// bookings refuse them (but the entry's own), so an offer's "held for you" holds.
pub(crate) fn holds_of(offered: Vec<WaitlistEntry>, services: &HashMap<ServiceId, Service>) -> Vec<Held> {
    offered
        .into_iter()
        .filter_map(|w| {
            let offer = w.offer?;
            // Never absent: an entry's service is kept (archived at most) while the entry refers to it.
            let length = services.get(&w.entry.visit.service_id)?.duration_minutes;
            Some(Held {
                entry: w.id,
                start: offer.start,
                end: add_minutes(offer.start, length),
                therapists: offer.therapist_ids,
                expires_at: offer.expires_at,
            })
        })
        .collect()
}

/// A fresh private link to the entry for a message (only its hash is kept).
pub(crate) async fn new_waitlist_link(app: &App, id: WaitlistId) -> AppResult<String> {
    let token = random_secret();
    app.store().add_waitlist_link(id, &secret_hash(&token), app.now()).await?;
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::test_support::app_at;
    use crate::booking::{availability, book};
    use knead_core::booking::waitlist::WaitlistInput;
    use knead_core::booking::{BookingInput, ContactInput, Location};
    use knead_core::geo::GeoPoint;
    use knead_core::ServiceId;

    const HOME: GeoPoint = GeoPoint { lat: 60.1672, lon: 24.9402 };

    fn monday() -> Timestamp {
        "2026-06-01T09:00:00Z".parse().unwrap()
    }

    fn guest(name: &str) -> Option<ContactInput> {
        Some(ContactInput {
            name: format!("{name} Fictional"),
            email: format!("{}@example.com", name.to_lowercase()),
            phone: "416-555-0100".into(),
        })
    }

    /// Runs the due jobs (the waitlist's checks among them) as of `now`; the app back.
    async fn run_at(app: App, now: Timestamp) -> App {
        crate::notify::tests::run_at(app, now).await.0
    }

    async fn status(app: &App, joined: &Joined) -> WaitlistEntry {
        waitlist_entry(app, joined.entry.id, &joined.token).await.unwrap()
    }

    /// How many offer messages are filed.
    async fn offers(app: &App) -> usize {
        let jobs = crate::notify::outbox(app, None, None, 100).await.unwrap();
        jobs.into_iter().filter(|j| j.kind == JobKind::WaitlistOffer).count()
    }

    #[tokio::test]
    async fn a_freed_start_goes_to_the_first_in_line_then_to_the_next_when_the_offer_lapses() {
        let app = app_at(monday()).await;
        knead_demo::load(app.store(), &|p: &str| format!("plain:{p}"), monday()).await.unwrap();
        let date = jiff::civil::date(2026, 6, 3);
        let query = AvailabilityQuery {
            service_id: ServiceId(1),
            place: Location::Point(HOME),
            from: date,
            days: 1,
            therapist_id: None,
            therapist_gender: None,
            add_ons: Vec::new(),
        };
        let start = availability(&app, &query).await.unwrap().slots[0].start;
        // Every therapist free at that start gets a booking: none is left.
        let mut made = Vec::new();
        while let Some(slot) = availability(&app, &query).await.unwrap().slots.into_iter().find(|s| s.start == start) {
            let input = BookingInput {
                service_id: 1,
                start: start.to_string(),
                therapist_ids: Some(vec![slot.therapist_ids[0].0]),
                lat: Some(HOME.lat),
                lon: Some(HOME.lon),
                address: Some("15 Yrjönkatu, Helsinki".into()),
                client: guest(&format!("Full{}", made.len())),
                ..Default::default()
            };
            made.push(book(&app, &input.validate().unwrap(), None, None, String::new()).await.unwrap().booking);
        }
        let local = start.to_zoned(jiff::tz::TimeZone::get("Europe/Helsinki").unwrap());
        let hh_mm = local.strftime("%H:%M").to_string();
        let mut joined = Vec::new();
        for name in ["Aino", "Bea"] {
            let input = WaitlistInput {
                service_id: 1,
                address: Some("15 Yrjönkatu, Helsinki".into()),
                lat: Some(HOME.lat),
                lon: Some(HOME.lon),
                client: guest(name),
                first_date: date.to_string(),
                last_date: date.to_string(),
                weekdays: vec!["wed".into()],
                earliest: Some(hh_mm.clone()),
                latest: Some(hh_mm.clone()),
                ..WaitlistInput::default()
            };
            let (visit, wish) = input.validate(monday().to_zoned(local.time_zone().clone()).date()).unwrap();
            joined.push(join_waitlist(&app, &visit, wish, None).await.unwrap());
        }
        let app = run_at(app, monday()).await;
        assert_eq!(status(&app, &joined[0]).await.status, WaitStatus::Waiting, "nothing is free yet");

        // A cancellation frees the start: the first in line is offered it, the second still waits.
        super::super::cancel_now(&app, &made[0], None).await.unwrap();
        let app = run_at(app, monday()).await;
        let aino = status(&app, &joined[0]).await;
        assert_eq!(aino.status, WaitStatus::Offered);
        assert_eq!(aino.offer.as_ref().unwrap().start, start);
        assert_eq!(status(&app, &joined[1]).await.status, WaitStatus::Waiting, "one start, one offer");
        assert_eq!(offers(&app).await, 1, "the offer's message is filed");

        // Twelve hours on (the default hold), Aino's offer lapses and goes to Bea.
        let later = monday().checked_add(SignedDuration::from_hours(12)).unwrap();
        let app = run_at(app, later).await;
        let aino = status(&app, &joined[0]).await;
        assert_eq!((aino.status, aino.passed_start), (WaitStatus::Waiting, Some(start)));
        let bea = status(&app, &joined[1]).await;
        assert_eq!(bea.status, WaitStatus::Offered);
        assert_eq!(offers(&app).await, 2);
        // Aino's link no longer books it; Bea's does, once.
        assert!(matches!(
            take_waitlist_offer(&app, joined[0].entry.id, &joined[0].token).await,
            Err(AppError::Invalid(_))
        ));
        let booked = take_waitlist_offer(&app, joined[1].entry.id, &joined[1].token).await.unwrap();
        assert_eq!(booked.booking.start, start);
        assert_eq!(booked.booking.client.email.as_str(), "bea@example.com");
        assert_eq!(status(&app, &joined[1]).await.status, WaitStatus::Booked);
        assert!(matches!(
            take_waitlist_offer(&app, joined[1].entry.id, &joined[1].token).await,
            Err(AppError::Invalid(_))
        ));
    }
}
