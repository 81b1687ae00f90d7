//! Private calendar feeds: an iCal URL a therapist (their visits) or a client (their own) subscribes to from
//! a phone's calendar. The URL's token is the only key; only its SHA-256 is stored, a new URL revokes the old
//! one, and a revoked or unknown token is `NotFound`.
//!
//! A therapist's feed names each visit by the service and the client's first name, with the address: what
//! they need to get there, and nothing from the client's file.

use crate::accounts::{random_secret, secret_hash};
use crate::booking::{bare_event, written_place};
use crate::clients::{own_record, therapist_of};
use crate::{App, AppError, AppResult, NotFoundAs};
use knead_core::booking::{Clinic, ClinicId};
use knead_core::calendar::add_minutes;
use knead_core::calendar::ics::{feed_calendar, VisitEvent};
use knead_core::{Role, Service, ServiceId, TherapistId, User};
use knead_store::FeedOwner;
use std::collections::HashMap;

/// How far back a feed reaches, so yesterday's visits stay in the calendar for a while.
const PAST_DAYS: i64 = 30;

/// A new private feed for `therapist`'s visits (that therapist or a manager); the old URL stops working.
/// Returns the token for the URL.
pub async fn new_therapist_feed(app: &App, caller: &User, therapist: TherapistId) -> AppResult<String> {
    may_manage_feed(app, caller, therapist).await?;
    replace(app, FeedOwner::Therapist(therapist)).await
}

/// Revokes `therapist`'s feed (that therapist or a manager); `NotFound` when there was none.
pub async fn revoke_therapist_feed(app: &App, caller: &User, therapist: TherapistId) -> AppResult<()> {
    may_manage_feed(app, caller, therapist).await?;
    match app.store().revoke_calendar_feed(FeedOwner::Therapist(therapist), app.now()).await? {
        true => Ok(()),
        false => Err(AppError::NotFound { what: "calendar feed" }),
    }
}

/// A new private feed of the caller's own visits: a therapist's (theirs to give) or a client's (their own
/// bookings); a manager has none of their own.
pub async fn new_own_feed(app: &App, caller: &User) -> AppResult<String> {
    let owner = own_feed(app, caller).await?;
    replace(app, owner).await
}

/// Revokes the caller's own feed; `NotFound` when there was none.
pub async fn revoke_own_feed(app: &App, caller: &User) -> AppResult<()> {
    let owner = own_feed(app, caller).await?;
    match app.store().revoke_calendar_feed(owner, app.now()).await? {
        true => Ok(()),
        false => Err(AppError::NotFound { what: "calendar feed" }),
    }
}

/// The feed a token opens, as an `.ics`: booked visits from 30 days ago to the booking horizon.
pub async fn feed(app: &App, token: &str, practice_name: &str) -> AppResult<String> {
    let store = app.store();
    let owner = store.calendar_feed(&secret_hash(token)).await?.ok_or(AppError::NotFound { what: "calendar feed" })?;
    let settings = store.practice_settings().await?;
    let now = app.now();
    let from = add_minutes(now, -PAST_DAYS * 24 * 60);
    let to = add_minutes(now, (settings.booking_horizon_days + 1).saturating_mul(24 * 60));
    let details = store.practice_details().await?;
    let practice = details.name.unwrap_or_else(|| practice_name.to_string());
    let (title, bookings, for_therapist) = match owner {
        FeedOwner::Therapist(t) => {
            let name = store.therapist(t).await.not_found_as("calendar feed")?.name;
            (format!("{name}'s visits ({practice})"), store.therapist_bookings(t, from, to).await?, true)
        }
        FeedOwner::Client(c) => {
            let mut bookings = store.bookings_of_client(c).await?;
            bookings.retain(|b| b.status.is_active() && b.end > from);
            bookings.sort_by_key(|b| b.start);
            (format!("Visits with {practice}"), bookings, false)
        }
    };
    // Services and clinics read once each, however many visits name them.
    let mut services: HashMap<ServiceId, Service> = HashMap::new();
    let clinics: HashMap<ClinicId, Clinic> = store.clinics().await?.into_iter().map(|c| (c.id, c)).collect();
    let mut events = Vec::with_capacity(bookings.len());
    for b in &bookings {
        if let std::collections::hash_map::Entry::Vacant(slot) = services.entry(b.service_id) {
            slot.insert(store.service(b.service_id).await?);
        }
        let service = &services[&b.service_id];
        let summary = match for_therapist {
            true => format!("{}: {}", service.name, b.client.name.split_whitespace().next().unwrap_or_default()),
            false => format!("{} with {practice}", service.name),
        };
        let clinic = b.place.clinic().and_then(|id| clinics.get(&id));
        let location = written_place(&b.place, clinic);
        events.push(VisitEvent { summary, location: Some(location), ..bare_event(b, service) });
    }
    Ok(feed_calendar(&title, &events, settings.zone(), now))
}

async fn replace(app: &App, owner: FeedOwner) -> AppResult<String> {
    let token = random_secret();
    app.store().replace_calendar_feed(owner, &secret_hash(&token), app.now()).await?;
    Ok(token)
}

/// A manager, or the therapist themselves; anyone else is told the therapist is not there.
async fn may_manage_feed(app: &App, caller: &User, therapist: TherapistId) -> AppResult<()> {
    app.store().therapist(therapist).await.not_found_as("therapist")?;
    let allowed = match caller.role {
        Role::Manager => true,
        Role::Therapist => therapist_of(app, caller).await? == Some(therapist),
        Role::Client => false,
    };
    match allowed {
        true => Ok(()),
        false => Err(AppError::NotFound { what: "therapist" }),
    }
}

async fn own_feed(app: &App, caller: &User) -> AppResult<FeedOwner> {
    match caller.role {
        Role::Therapist => match therapist_of(app, caller).await? {
            Some(t) => Ok(FeedOwner::Therapist(t)),
            None => Err(AppError::NotFound { what: "therapist" }),
        },
        Role::Client => Ok(FeedOwner::Client(own_record(app, caller).await?.id)),
        Role::Manager => Err(AppError::NotFound { what: "calendar feed" }),
    }
}
