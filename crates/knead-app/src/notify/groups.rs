//! Messages about group events: the organiser's or host's link to their group's page, and an attendee's
//! confirmation of their chair-day sitting with its calendar file and their own cancel link.

use super::render::{mail, Rendered};
use super::{CalendarPart, NotifyConfig};
use crate::accounts::{random_secret, secret_hash};
use crate::booking::written_place;
use crate::{App, AppResult};
use knead_core::calendar::add_minutes;
use knead_core::calendar::ics::{visit_calendar, EventStatus, VisitEvent};
use knead_core::notify::message::{compose, Links, Sender, VisitFacts};
use knead_core::notify::Job;

/// To the organiser or host: the group is booked, with a new link to its page.
pub(super) async fn group_booked(app: &App, config: &NotifyConfig, job: &Job) -> AppResult<Result<Rendered, String>> {
    let store = app.store();
    let Some(booking_id) = job.booking_id else { return Ok(Err("the job names no booking".into())) };
    let booking = store.booking(booking_id).await?;
    if !booking.status.is_active() {
        return Ok(Err("the booking was cancelled".into()));
    }
    let details = store.practice_details().await?;
    let name = details.name.clone().unwrap_or_else(|| config.practice_name.clone());
    let settings = store.practice_settings().await?;
    let service = store.service(booking.service_id).await?;
    let token = crate::events::page::new_link(app, booking.id).await?;
    let links = Links { page: format!("{}/groups/{}?token={token}", config.public_url, booking.id.0), calendar: None };
    let facts = VisitFacts {
        service: service.name.clone(),
        when: settings.wall_clock().when(settings.zone(), booking.start, booking.end),
        therapists: vec![format!("{} therapists", booking.visits.len())],
        place: written_place(&booking.place, None),
        first_name: booking.client.name.split_whitespace().next().unwrap_or_default().to_string(),
        series: None,
    };
    let composed = compose(job.kind, &Sender { name: &name, details: &details }, &facts, &links, None);
    let to = booking.client.email.as_str().to_string();
    Ok(Ok(Rendered::with_secret(mail(job, config, to, &details, composed, None), token)))
}

/// To an attendee: their sitting, an `.ics` of it, and a new link of their own to cancel it.
pub(super) async fn signup_confirmed(
    app: &App,
    config: &NotifyConfig,
    job: &Job,
) -> AppResult<Result<Rendered, String>> {
    let store = app.store();
    let Some(signup_id) = job.signup_id else { return Ok(Err("the job names no sign-up".into())) };
    let signup = store.signup(signup_id).await?;
    if signup.cancelled_at.is_some() {
        return Ok(Err("the sitting was cancelled".into()));
    }
    let day = store.chair_day(signup.group_id).await?;
    let booking = store.booking(day.booking_id).await?;
    if !booking.status.is_active() {
        return Ok(Err("the chair day was cancelled".into()));
    }
    let details = store.practice_details().await?;
    let name = details.name.clone().unwrap_or_else(|| config.practice_name.clone());
    let settings = store.practice_settings().await?;
    let service = store.service(booking.service_id).await?;
    let (start, end) = (signup.signup.start, add_minutes(signup.signup.start, day.day.slot_minutes));
    let token = random_secret();
    store.add_signup_link(signup.id, &secret_hash(&token), app.now()).await?;
    let page = format!("{}/chair-days/signups/cancel?token={token}", config.public_url);
    let place = written_place(&booking.place, None);
    let facts = VisitFacts {
        service: format!("{} (chair {})", service.name, signup.chair),
        when: settings.wall_clock().when(settings.zone(), start, end),
        therapists: Vec::new(),
        place: place.clone(),
        first_name: signup.signup.name.split_whitespace().next().unwrap_or_default().to_string(),
        series: None,
    };
    let composed =
        compose(job.kind, &Sender { name: &name, details: &details }, &facts, &Links { page, calendar: None }, None);
    let event = VisitEvent {
        uid: format!("signup-{}.{}@knead", signup.id.0, signup.signup.created_at.as_second()),
        sequence: 0,
        start,
        end,
        summary: format!("{} with {name}", service.name),
        location: Some(place),
        description: format!("Chair {}. To cancel, use the link in your confirmation email.", signup.chair),
        status: EventStatus::Confirmed,
    };
    let calendar = CalendarPart { ics: visit_calendar(&event, settings.zone(), app.now()), cancel: false };
    let to = signup.signup.email.as_str().to_string();
    Ok(Ok(Rendered::with_secret(mail(job, config, to, &details, composed, Some(calendar)), token)))
}
