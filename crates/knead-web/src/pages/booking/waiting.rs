//! What books later, in the pages: repeating a visit (a choice on the details step; the confirmation lists
//! each visit, booked or clashing), joining the waitlist from the time step when no time suits, the entry's
//! own page behind its private link (book the start on offer, or leave), and the manager's list.

use super::{check_session_csrf, steps::steps, Booker, Flow};
use crate::auth::{Manager, MaybeCaller};
use crate::error::WebError;
use crate::extract::{AppPath, AppQuery, FormPairs};
use crate::pages::Frame;
use crate::state::AppState;
use crate::ui::{
    csrf_field, day_heading, error_summary, field, line, when_text, Input, Typed, Values, DATE, HOURS, TEXT, WHOLE,
};
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use knead_app::booking::{self, Booked, SeriesBooked, SeriesVisit};
use knead_app::catalog::Services;
use knead_app::listing::{self, Audience};
use knead_app::{calendar, AppError};
use knead_core::booking::waitlist::{WaitStatus, WaitlistId, WaitlistInput};
use knead_core::booking::{BookingRequest, ContactInput, Repeat, MAX_VISITS};
use knead_core::calendar::{add_days, local_date};
use knead_core::{User, ValidationErrors};
use maud::{html, Markup};

/// The details step's repeat choices: the value of `repeat_every`, and how it reads.
const REPEATS: [(&str, &str); 5] = [
    ("", "Just this visit"),
    ("1", "Every week"),
    ("2", "Every 2 weeks"),
    ("3", "Every 3 weeks"),
    ("4", "Every 4 weeks"),
];

/// The details step's repeat fields.
pub(super) fn repeat_fields(values: &Values, errors: &ValidationErrors) -> Markup {
    let mut values = values.clone();
    if values.get("repeat_visits").is_empty() {
        values.set("repeat_visits", "6".to_string());
    }
    html! {
        fieldset #repeat {
            legend { "Repeat this visit (optional)" }
            (field(&values, errors, "repeat_every", "Repeat", Input::Select(&REPEATS),
                "At the same time of day. A week whose time is taken is listed, never double-booked."))
            (line(&values, errors, "repeat_visits", "How many visits in all", WHOLE, &format!("2 to {MAX_VISITS}, this one included.")))
        }
    }
}

/// The repeat the details form asks for, if any; a number out of range names its field.
pub(super) fn repeat_asked(form: &FormPairs) -> Result<Option<Repeat>, ValidationErrors> {
    let every = form.get("repeat_every").trim();
    if every.is_empty() {
        return Ok(None);
    }
    let number = |field: &str, text: &str| {
        text.trim().parse::<i64>().map_err(|_| ValidationErrors::single("invalid", field, "must be a whole number"))
    };
    let every = number("repeat_every", every)?;
    let visits = number("repeat_visits", form.get("repeat_visits"))?;
    Repeat::parse(every, visits).map(Some).map_err(|e| {
        let renamed = e.0.into_iter().map(|mut f| {
            f.field = if f.field == "every_weeks" { "repeat_every".into() } else { "repeat_visits".into() };
            f
        });
        ValidationErrors(renamed.collect())
    })
}

/// Books the series from the details form; the first visit's booking (for the confirmation) and the list
/// of every visit.
pub(super) async fn book_series(
    b: &Booker<'_>,
    request: &BookingRequest,
    repeat: Repeat,
    user: Option<&User>,
    key: Option<String>,
    fingerprint: &str,
) -> Result<(Booked, Markup), AppError> {
    let done = booking::book_series(b.state.app(), request, repeat, user, key, fingerprint).await?;
    let list = series_list(b, &done);
    let first = done.visits.into_iter().find_map(|v| match v {
        SeriesVisit::Booked(booked) => Some(*booked),
        SeriesVisit::Clash { .. } => None,
    });
    match first {
        Some(first) => Ok((first, list)),
        None => Err(AppError::Internal("a series came back without its first visit".into())),
    }
}

fn series_list(b: &Booker<'_>, done: &SeriesBooked) -> Markup {
    let tz = b.tz();
    let clashes = done.visits.len() - done.booked();
    html! {
        section #series aria-labelledby="series-heading" {
            h2 #series-heading { "Your visits" }
            p { (done.booked()) " of " (done.visits.len()) " visits are booked"
                @if clashes > 0 { "; " strong { (clashes) " could not be" } ": that time is not free that week. Pick another time for " (if clashes == 1 { "it" } else { "them" }) " from your booking's page, or call us." }
                @else { "." } }
            ul.series {
                @for v in &done.visits {
                    @match v {
                        SeriesVisit::Booked(booked) => li {
                            (when_text(tz, booked.booking.start, booked.booking.end)) " — booked · "
                            a href=(super::facts::manage_link(booked.booking.id.0, booked.manage_token.as_deref(), None)) { "see or change" }
                        },
                        SeriesVisit::Clash { start, reason, .. } => li.clash { strong { (day_heading(local_date(tz, *start))) } " — not booked: " (reason) },
                    }
                }
            }
            p.hint { "Each visit has its own private link and its own reminder: move or cancel any one of them on its own." }
        }
    }
}

/// The waitlist's form, from the time step: the same visit, on the days and times that would suit.
pub(super) async fn waitlist_form(
    State(state): State<AppState>,
    caller: MaybeCaller,
    RawQuery(q): RawQuery,
) -> Result<Response, WebError> {
    let b = Booker::load_located(&state, &caller, Flow::from_query(q)).await?;
    let today = local_date(b.tz(), state.now());
    let mut values = Values::default();
    values.set("first_date", add_days(today, 1).to_string());
    values.set("last_date", add_days(today, 14).to_string());
    values.set("earliest", "9:00".to_string());
    values.set("latest", "17:00".to_string());
    for (day, _) in WEEKDAYS {
        values.set(day, "on".to_string());
    }
    waitlist_page(&b, &values, &ValidationErrors::default(), StatusCode::OK).await
}

const WEEKDAYS: [(&str, &str); 7] = [
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
];

async fn waitlist_page(
    b: &Booker<'_>,
    values: &Values,
    errors: &ValidationErrors,
    status: StatusCode,
) -> Result<Response, WebError> {
    let place = b.place().map_err(WebError::from)?;
    let place_text = b.place_text(place).await?;
    let guest = b.caller.is_none();
    let body = html! {
        (steps(4))
        h1 { "Join the waitlist" }
        p.lead { (b.service.name) " · " (place_text) }
        p { "Tell us when you could come. When a time like that frees up, we email you and hold it for you for "
            (b.settings.waitlist_offer_hours) " hours; if you don't take it, it goes to the next person waiting." }
        (error_summary(errors, "Please check:"))
        form.stack method="post" action="/book/waitlist" novalidate {
            (csrf_field(b.caller))
            (b.flow.hidden(&["date", "start", "therapist_id"]))
            div.row {
                (line(values, errors, "first_date", "From", DATE, ""))
                (line(values, errors, "last_date", "To", DATE, "At most three months."))
            }
            fieldset #weekdays {
                legend { "Days that suit you" }
                @if let Some(e) = errors.0.iter().find(|e| e.field.starts_with("weekdays")) { span.error #weekdays-error { (e.detail) } }
                @for (day, name) in WEEKDAYS {
                    label.check.big for={ "day-" (day) } {
                        input #{ "day-" (day) } type="checkbox" name=(day) checked[!values.get(day).is_empty()];
                        " " (name)
                    }
                }
            }
            div.row {
                (line(values, errors, "earliest", "Start no earlier than", HOURS, "Such as 9:00."))
                (line(values, errors, "latest", "Start no later than", HOURS, "Such as 17:00."))
            }
            @if guest {
                (line(values, errors, "client.name", "Your name", Typed { autocomplete: Some("name"), ..TEXT }, ""))
                (line(values, errors, "client.email", "Email", Typed { html_type: "email", inputmode: None, autocomplete: Some("email") }, "We write to you here when a time frees up."))
                (line(values, errors, "client.phone", "Phone", Typed { html_type: "tel", inputmode: None, autocomplete: Some("tel") }, ""))
            }
            button type="submit" { "Join the waitlist" }
        }
        p { a href=(b.flow.link("/book/when")) { "Back to the times" } }
    };
    Ok((status, b.frame().page("Join the waitlist", body)).into_response())
}

/// Hours typed as "9", "9:30" or "09:30" as the API's HH:MM.
fn hh_mm(typed: &str) -> String {
    let t = typed.trim();
    match t.split_once(':') {
        Some((h, m)) => format!("{:0>2}:{:0>2}", h.trim(), m.trim()),
        None if !t.is_empty() => format!("{t:0>2}:00"),
        None => String::new(),
    }
}

/// Joins the waitlist from its form; the page that follows holds the entry's private link.
pub(super) async fn join_waitlist(
    State(state): State<AppState>,
    caller: MaybeCaller,
    form: FormPairs,
) -> Result<Response, WebError> {
    check_session_csrf(&caller, &form)?;
    let b = Booker::load_located(&state, &caller, Flow::from_pairs(&form.0)).await?;
    let values = Values::from_form(form.0.clone());
    let place = b.place().map_err(WebError::from)?;
    let slot = b.slot_input(place, None);
    let optional = |text: &str| Some(text.trim().to_string()).filter(|t| !t.is_empty());
    let input = WaitlistInput {
        service_id: slot.service_id,
        address: slot.address,
        lat: slot.lat,
        lon: slot.lon,
        clinic_id: slot.clinic_id,
        client: b.caller.is_none().then(|| ContactInput {
            name: form.get("client.name").to_string(),
            email: form.get("client.email").to_string(),
            phone: form.get("client.phone").to_string(),
        }),
        reason: optional(&b.flow.reason),
        screening_id: optional(&b.flow.screening_id),
        add_ons: b.flow.add_ons.clone(),
        therapist_gender: slot.therapist_gender,
        first_date: form.get("first_date").to_string(),
        last_date: form.get("last_date").to_string(),
        weekdays: WEEKDAYS.iter().filter(|(d, _)| !form.get(d).is_empty()).map(|(d, _)| d.to_string()).collect(),
        earliest: optional(&hh_mm(form.get("earliest"))),
        latest: optional(&hh_mm(form.get("latest"))),
    };
    if input.weekdays.is_empty() {
        let e = ValidationErrors::single("required", "weekdays", "choose at least one day");
        return waitlist_page(&b, &values, &e, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let today = local_date(b.tz(), state.now());
    let joined = match input.validate(today) {
        Ok((visit, wish)) => booking::join_waitlist(state.app(), &visit, wish, b.caller.map(|c| &c.user)).await,
        Err(e) => Err(AppError::Invalid(e)),
    };
    match joined {
        Ok(joined) => {
            let link = entry_link(joined.entry.id.0, &joined.token);
            let body = html! {
                (steps(6))
                h1 { "You're on the waitlist" }
                p { "We email you when a time that suits you frees up, and hold it for you for a while." }
                div.notice {
                    p { strong { "Keep this private link" } " to see your place on the list, book a time we offer, or leave the list." }
                    p { a #waitlist-link href=(link) { "Your place on the waitlist" } }
                }
                p { a href="/" { "Back to the home page" } }
            };
            Ok(b.frame().page("You're on the waitlist", body).into_response())
        }
        Err(AppError::Invalid(e)) => waitlist_page(&b, &values, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
        Err(other) => Err(other.into()),
    }
}

fn entry_link(id: i64, token: &str) -> String {
    format!("/waitlist/{id}?token={token}")
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct TokenQuery {
    token: Option<String>,
    done: Option<String>,
}

/// The entry's own page: where it is, the start on offer (with its deadline), and leaving.
pub(super) async fn entry_page(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppPath(id): AppPath<i64>,
    AppQuery(q): AppQuery<TokenQuery>,
) -> Result<Response, WebError> {
    let token = q.token.unwrap_or_default();
    let w = booking::waitlist_entry(state.app(), WaitlistId(id), &token).await?;
    let frame = Frame { state: &state, caller: caller.0.as_ref() };
    let settings = calendar::settings(state.app()).await?;
    let tz = settings.zone();
    let service = listing::get::<Services>(state.app(), w.entry.visit.service_id.0, Audience::Manager).await?;
    let wish = w.entry.wish;
    let days: Vec<&str> = WEEKDAYS.iter().filter(|(d, _)| wish.day_names().contains(d)).map(|(_, n)| *n).collect();
    let body = html! {
        h1 { "Your place on the waitlist" }
        @match q.done.as_deref() {
            Some("taken") => p.error-summary role="alert" { "Sorry: that time was just taken. You are back in line, and we will email you when another frees up." },
            Some("left") => p.notice role="status" { "You have left the waitlist." },
            _ => {}
        }
        dl.facts {
            dt { "Service" } dd { (service.name) }
            dt { "Days" } dd { (days.join(", ")) }
            dt { "Starting" } dd { (crate::ui::clock_range(wish.earliest_minute, wish.latest_minute)) }
            dt { "Dates" } dd { (day_heading(wish.first_date)) " to " (day_heading(wish.last_date)) }
        }
        @match (w.status, &w.offer) {
            (WaitStatus::Offered, Some(offer)) => {
                div.notice #offer {
                    p { strong { "A time is free for you: " (when_text(tz, offer.start, knead_core::calendar::add_minutes(offer.start, service.duration_minutes))) } }
                    p { "We hold it for you until " (crate::ui::clock(tz, offer.expires_at)) ", " (day_heading(local_date(tz, offer.expires_at))) "." }
                    form method="post" action={ "/waitlist/" (id) "/book" } {
                        (csrf_field(caller.0.as_ref()))
                        input type="hidden" name="token" value=(token);
                        button type="submit" { "Book this time" }
                    }
                }
            }
            (WaitStatus::Waiting, _) => p #status { "You are in line. We email you when a time that suits you frees up." },
            (WaitStatus::Booked, _) => p #status { "You booked a time from the waitlist: the confirmation email has its private link." },
            (WaitStatus::Expired, _) => p #status { "Your dates have passed. You can join the waitlist again from the booking pages." },
            (_, _) => p #status { "You are no longer on the waitlist." },
        }
        @if matches!(w.status, WaitStatus::Waiting | WaitStatus::Offered) {
            form method="post" action={ "/waitlist/" (id) "/leave" } {
                (csrf_field(caller.0.as_ref()))
                input type="hidden" name="token" value=(token);
                button.secondary type="submit" { "Leave the waitlist" }
            }
        }
    };
    Ok(frame.page("Your place on the waitlist", body).into_response())
}

/// The token a form on the entry's page posts, after the form's CSRF check.
fn posted_token(caller: &MaybeCaller, form: &FormPairs) -> Result<String, WebError> {
    check_session_csrf(caller, form)?;
    Ok(form.get("token").to_string())
}

/// Books the start on offer; on to the new booking's own page, or back to the entry saying it was taken.
pub(super) async fn take_offer(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let token = posted_token(&caller, &form)?;
    match booking::take_waitlist_offer(state.app(), WaitlistId(id), &token).await {
        Ok(booked) => {
            let link = super::facts::manage_link(booked.booking.id.0, booked.manage_token.as_deref(), None);
            Ok(Redirect::to(&link).into_response())
        }
        Err(AppError::Unavailable(_)) => {
            Ok(Redirect::to(&format!("{}&done=taken", entry_link(id, &token))).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Leaves the list; back to the entry's page, which says so.
pub(super) async fn leave(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let token = posted_token(&caller, &form)?;
    booking::leave_waitlist(state.app(), WaitlistId(id), &token).await?;
    Ok(Redirect::to(&format!("{}&done=left", entry_link(id, &token))).into_response())
}

fn status_label(s: WaitStatus) -> &'static str {
    match s {
        WaitStatus::Waiting => "Waiting",
        WaitStatus::Offered => "Offered a time",
        WaitStatus::Booked => "Booked",
        WaitStatus::Expired => "Dates passed",
        WaitStatus::Left => "Left",
    }
}

/// The waitlist in line order, for the manager.
pub(super) async fn manage_list(State(state): State<AppState>, Manager(caller): Manager) -> Result<Response, WebError> {
    let entries = booking::waitlist(state.app(), None, 300).await?;
    let settings = calendar::settings(state.app()).await?;
    let tz = settings.zone();
    let services = listing::list::<Services>(state.app(), Audience::Manager).await?;
    let name_of = |id| services.iter().find(|s| s.id == id).map_or(String::new(), |s| s.name.clone());
    let body = html! {
        h1 { "Waitlist" }
        p { "Clients waiting for a time, first in line first. A freed time that suits one is offered to them for "
            (settings.waitlist_offer_hours) " hours (" a href="/manage/settings" { "settings" } "), then to the next." }
        @if entries.is_empty() { p { "Nobody is waiting." } } @else {
            div.table-scroll tabindex="0" role="region" aria-label="Waitlist" {
                table {
                    thead { tr { th { "Since" } th { "Client" } th { "Service" } th { "When" } th { "State" } } }
                    tbody {
                        @for w in &entries {
                            tr {
                                td { (day_heading(local_date(tz, w.entry.created_at))) }
                                td { (w.entry.client.name) }
                                td { (name_of(w.entry.visit.service_id)) }
                                td { (w.entry.wish.day_names().join(", ")) " · " (crate::ui::clock_range(w.entry.wish.earliest_minute, w.entry.wish.latest_minute)) " · " (w.entry.wish.first_date) "–" (w.entry.wish.last_date) }
                                td { (status_label(w.status))
                                    @if let Some(o) = &w.offer { br; span.hint { (when_text(tz, o.start, o.start)) } }
                                    @if let Some(b) = w.booking_id { " " a href={ "/visits/" (b.0) } { "#" (b.0) } } }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(Frame { state: &state, caller: Some(&caller) }.page("Waitlist", body).into_response())
}

/// The time step's way out when nothing suits.
pub(super) fn waitlist_offer(b: &Booker<'_>) -> Markup {
    html! { p #waitlist-offer { "None of these times suit? " a href=(b.flow.link("/book/waitlist")) { "Join the waitlist" } " and we email you when one that does frees up." } }
}
