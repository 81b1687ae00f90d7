//! A job's message, rendered from the booking as it is when the job runs.

use super::{CalendarPart, Mail, NotifyConfig};
use crate::accounts::{random_secret, secret_hash};
use crate::booking::{described_event, written_place};
use crate::{App, AppResult};
use knead_core::booking::waitlist::{WaitStatus, WaitlistId};
use knead_core::calendar::add_minutes;
use knead_core::calendar::ics::visit_calendar;
use knead_core::notify::message::{compose, Links, Sender, VisitFacts};
use knead_core::notify::{Job, JobKind, SentMessage};

/// A message ready to send, with the private link it carries (kept out of what is stored once sent).
#[derive(Debug, Clone)]
pub struct Rendered {
    pub mail: Mail,
    secret: Option<String>,
}

impl Rendered {
    /// A message that carries no private link.
    pub(super) fn plain(mail: Mail) -> Rendered {
        Rendered { mail, secret: None }
    }

    /// A message carrying the private link `secret` (replaced by a placeholder in what is kept once sent).
    pub(super) fn with_secret(mail: Mail, secret: String) -> Rendered {
        Rendered { mail, secret: Some(secret) }
    }

    /// The message as filed in the outbox: whole, since the manager passes it on.
    pub(super) fn as_filed(&self) -> SentMessage {
        let m = &self.mail;
        SentMessage {
            message_id: m.message_id.clone(),
            to: m.to.clone(),
            subject: m.subject.clone(),
            text: m.text.clone(),
            html: m.html.clone(),
            calendar: m.calendar.as_ref().map(|c| c.ics.clone()),
        }
    }

    /// The message as kept once sent: its private link replaced, so the store holds no live link.
    pub(super) fn as_sent(&self) -> SentMessage {
        let mut kept = self.as_filed();
        if let Some(secret) = &self.secret {
            kept.text = kept.text.replace(secret, "[private]");
            kept.html = kept.html.replace(secret, "[private]");
        }
        kept
    }
}

/// The message `composed` for `to`, in the practice's name (replies to its email), with the job's Message-ID.
pub(super) fn mail(
    job: &Job,
    config: &NotifyConfig,
    to: String,
    details: &knead_core::practice::PracticeDetails,
    composed: knead_core::notify::message::Composed,
    calendar: Option<CalendarPart>,
) -> Mail {
    Mail {
        to,
        reply_to: details.email.clone(),
        subject: composed.subject,
        text: composed.text,
        html: composed.html,
        calendar,
        message_id: job.message_id(&config.mail_domain),
    }
}

/// The job's message, or why there is nothing to send any more (`Ok(Err(why))`).
pub(super) async fn render(app: &App, config: &NotifyConfig, job: &Job) -> AppResult<Result<Rendered, String>> {
    if let Some(id) = job.waitlist_id {
        return waitlist_message(app, config, job, id).await;
    }
    if job.kind == JobKind::PasswordReset {
        return password_reset_message(app, config, job).await;
    }
    if matches!(job.kind, JobKind::SafetyAlert | JobKind::SafetyEscalation) {
        return super::safety::message(app, config, job).await;
    }
    if job.kind == JobKind::GroupBooked {
        return super::groups::group_booked(app, config, job).await;
    }
    if job.kind == JobKind::SignupConfirmed {
        return super::groups::signup_confirmed(app, config, job).await;
    }
    if let Some(episode) = job.episode_id {
        return record_alert_message(app, config, job, episode).await;
    }
    let store = app.store();
    let Some(booking_id) = job.booking_id else { return Ok(Err("the job names no booking".into())) };
    let booking = store.booking(booking_id).await?;
    if job.kind == JobKind::Reminder {
        if !booking.status.is_active() {
            return Ok(Err("the booking was cancelled".into()));
        }
        if job.visit_start != Some(booking.start) {
            return Ok(Err("the visit moved".into()));
        }
    }
    let details = store.practice_details().await?;
    let name = details.name.clone().unwrap_or_else(|| config.practice_name.clone());
    let settings = store.practice_settings().await?;
    let service = store.service(booking.service_id).await?;
    let mut therapists = Vec::new();
    for id in booking.therapist_ids() {
        therapists.push(store.therapist(id).await?.name);
    }
    let base = &config.public_url;
    let id = booking.id.0;
    let (to, links, secret) = match job.kind {
        JobKind::TherapistNewBooking => {
            let Some(therapist) = job.therapist_id else { return Ok(Err("the job names no therapist".into())) };
            let Some(email) = store.therapist_email(therapist).await? else {
                return Ok(Err("the therapist has no login with an email".into()));
            };
            (email, Links { page: format!("{base}/visits/{id}"), calendar: None }, None)
        }
        _ => {
            // Each message carries a link of its own; only its hash is kept.
            let token = random_secret();
            store.add_manage_link(booking.id, &secret_hash(&token), app.now()).await?;
            let links = Links {
                page: format!("{base}/bookings/{id}/manage?token={token}"),
                calendar: Some(format!("{base}/bookings/{id}/calendar.ics?token={token}")),
            };
            (booking.client.email.as_str().to_string(), links, Some(token))
        }
    };
    let place = crate::booking::place_text(app, &booking).await?;
    let facts = VisitFacts {
        service: service.name.clone(),
        when: settings.wall_clock().when(settings.zone(), booking.start, booking.end),
        therapists,
        place: place.clone(),
        first_name: booking.client.name.split_whitespace().next().unwrap_or_default().to_string(),
        series: match booking.series_id {
            Some(id) => Some(store.series(id).await?.series.repeat),
            None => None,
        },
    };
    let hours_before = job.visit_start.map(|start| (start.duration_since(job.run_at).as_secs() + 1800) / 3600);
    let composed = compose(job.kind, &Sender { name: &name, details: &details }, &facts, &links, hours_before);
    let event = described_event(&booking, &service, &details, place, &name);
    let calendar = CalendarPart {
        ics: visit_calendar(&event, settings.zone(), app.now()),
        cancel: event.status == knead_core::calendar::ics::EventStatus::Cancelled,
    };
    Ok(Ok(Rendered { mail: mail(job, config, to, &details, composed, Some(calendar)), secret }))
}

/// A message about a waitlist entry: that the client joined, or the start offered to them (no calendar
/// file: nothing is booked yet).
async fn waitlist_message(
    app: &App,
    config: &NotifyConfig,
    job: &Job,
    id: WaitlistId,
) -> AppResult<Result<Rendered, String>> {
    let store = app.store();
    let entry = store.waitlist_entry(id).await?;
    let offer = match (job.kind, &entry.offer, entry.status) {
        (JobKind::WaitlistOffer, Some(offer), WaitStatus::Offered) => Some(offer.clone()),
        (JobKind::WaitlistOffer, ..) => return Ok(Err("the offer was taken up, left or lapsed".into())),
        _ => None,
    };
    if job.kind == JobKind::WaitlistJoined && entry.status != WaitStatus::Waiting {
        return Ok(Err("the entry is no longer waiting".into()));
    }
    let details = store.practice_details().await?;
    let name = details.name.clone().unwrap_or_else(|| config.practice_name.clone());
    let settings = store.practice_settings().await?;
    let (tz, clock) = (settings.zone(), settings.wall_clock());
    let service = store.service(entry.entry.visit.service_id).await?;
    let clinic = match entry.entry.visit.place.clinic() {
        Some(c) => Some(store.clinic(c).await?),
        None => None,
    };
    let (when, therapists) = match &offer {
        Some(o) => {
            let end = add_minutes(o.start, service.duration_minutes);
            let mut names = Vec::new();
            for t in &o.therapist_ids {
                names.push(store.therapist(*t).await?.name);
            }
            (clock.when(tz, o.start, end), names)
        }
        None => {
            let w = &entry.entry.wish;
            let days = w.day_names().join(", ");
            let hours = clock.minutes_range(w.earliest_minute, w.latest_minute);
            let dates = format!("{} to {}", clock.full_date(w.first_date), clock.full_date(w.last_date));
            (format!("{days}, starting {hours}, {dates}"), vec!["any of our therapists".to_string()])
        }
    };
    let token = crate::booking::new_waitlist_link(app, id).await?;
    let links = Links { page: format!("{}/waitlist/{}?token={token}", config.public_url, id.0), calendar: None };
    let facts = VisitFacts {
        service: service.name.clone(),
        when,
        therapists,
        place: written_place(&entry.entry.visit.place, clinic.as_ref()),
        first_name: entry.entry.client.name.split_whitespace().next().unwrap_or_default().to_string(),
        series: None,
    };
    let hours = offer.as_ref().map(|o| (o.expires_at.duration_since(job.run_at).as_secs() + 1800) / 3600);
    let composed = compose(job.kind, &Sender { name: &name, details: &details }, &facts, &links, hours);
    let to = entry.entry.client.email.as_str().to_string();
    Ok(Ok(Rendered { mail: mail(job, config, to, &details, composed, None), secret: Some(token) }))
}

/// A reset link for the user the job names (a new one each time it is rendered; only its hash is kept).
/// A records alert: to the episode's therapist, or to the practice's own email when the episode has none.
/// Only the link: which client and why are behind the sign-in.
async fn record_alert_message(
    app: &App,
    config: &NotifyConfig,
    job: &Job,
    episode: knead_core::records::EpisodeId,
) -> AppResult<Result<Rendered, String>> {
    let store = app.store();
    let details = store.practice_details().await?;
    let to = match job.therapist_id {
        Some(therapist) => store.therapist_email(therapist).await?,
        None => details.email.clone(),
    };
    let Some(to) = to else { return Ok(Err("no one to tell: no therapist login and no practice email".into())) };
    let name = details.name.clone().unwrap_or_else(|| config.practice_name.clone());
    let links = Links { page: format!("{}/manage/episodes/{}", config.public_url, episode.0), calendar: None };
    let composed = compose(job.kind, &Sender { name: &name, details: &details }, &VisitFacts::default(), &links, None);
    Ok(Ok(Rendered { mail: mail(job, config, to, &details, composed, None), secret: None }))
}

async fn password_reset_message(app: &App, config: &NotifyConfig, job: &Job) -> AppResult<Result<Rendered, String>> {
    let store = app.store();
    let Some(user_id) = job.user_id else { return Ok(Err("the job names no user".into())) };
    let user = store.user_by_id(user_id).await?;
    let details = store.practice_details().await?;
    let name = details.name.clone().unwrap_or_else(|| config.practice_name.clone());
    let token = crate::accounts::new_reset_token(app, user.id).await?;
    let links = Links { page: format!("{}/login/reset?token={token}", config.public_url), calendar: None };
    let facts = VisitFacts {
        first_name: user.name.split_whitespace().next().unwrap_or_default().to_string(),
        ..VisitFacts::default()
    };
    let composed = compose(job.kind, &Sender { name: &name, details: &details }, &facts, &links, None);
    let to = user.email.as_str().to_string();
    Ok(Ok(Rendered { mail: mail(job, config, to, &details, composed, None), secret: Some(token) }))
}
