//! Private calendar feeds: an iCal URL a therapist (their visits) or a client (their own) subscribes to from
//! a phone's calendar. The URL's token is the only key; only its SHA-256 is stored, a new URL revokes the old
//! one, and a revoked or unknown token is `NotFound`.
//!
//! A therapist's feed names each visit by the service and the client's first name, with the address: what
//! they need to get there, and nothing from the client's file.

use crate::accounts::{random_secret, secret_hash};
use crate::booking::{bare_event, place_text};
use crate::clients::therapist_of;
use crate::{App, AppError, AppResult, NotFoundAs};
use knead_core::booking::Booking;
use knead_core::calendar::ics::{feed_calendar, VisitEvent};
use knead_core::{Role, TherapistId, User};
use knead_store::FeedOwner;

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
    let from = add_days_instant(now, -PAST_DAYS);
    let to = add_days_instant(now, settings.booking_horizon_days + 1);
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
    let mut events = Vec::with_capacity(bookings.len());
    for b in &bookings {
        events.push(event(app, b, for_therapist, &practice).await?);
    }
    Ok(feed_calendar(&title, &events, settings.zone(), now))
}

async fn event(app: &App, booking: &Booking, for_therapist: bool, practice: &str) -> AppResult<VisitEvent> {
    let service = app.store().service(booking.service_id).await?;
    let summary = match for_therapist {
        true => {
            let first = booking.client.name.split_whitespace().next().unwrap_or_default();
            format!("{}: {first}", service.name)
        }
        false => format!("{} with {practice}", service.name),
    };
    Ok(VisitEvent { summary, location: Some(place_text(app, booking).await?), ..bare_event(booking, &service) })
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
        Role::Client => match app.store().client_for_user(caller.id).await? {
            Some(c) => Ok(FeedOwner::Client(c.id)),
            None => Err(AppError::NotFound { what: "client" }),
        },
        Role::Manager => Err(AppError::NotFound { what: "calendar feed" }),
    }
}

fn add_days_instant(at: jiff::Timestamp, days: i64) -> jiff::Timestamp {
    at.checked_add(jiff::SignedDuration::from_hours(days.saturating_mul(24))).unwrap_or(at)
}
