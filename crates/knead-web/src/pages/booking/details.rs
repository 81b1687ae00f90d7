//! The booking flow's last two pages: the details step (who, the full price with the travel fee, the
//! cancellation policy, notes for the therapist and the health history, all before confirming) and the
//! confirmation ("You're booked", or held for a physician's clearance).

use super::facts::{booking_facts, calendar_offer, manage_link, therapist_names};
use super::steps::steps;
use super::Booker;
use crate::error::WebError;
use crate::pages::intake::{capital, form as health, history_errors, version_date};
use crate::ui::{csrf_field, field, line, when_text, Input, Typed, Values, TEXT};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use knead_app::accounts::random_secret;
use knead_app::booking::{self, Booked};
use knead_app::catalog::Therapists;
use knead_app::listing::{self, Audience};
use knead_app::{calendar, clients, intake, AppError};
use knead_core::booking::{parse_instant, BookingStatus, Location};
use knead_core::calendar::add_minutes;
use knead_core::intake::{Category, Client, ClientId, IntakeInput, IntakeVersion, Level};
use knead_core::money::format_cents;
use knead_core::{Role, Service, TherapistId, ValidationErrors};
use maud::{html, Markup};

/// The arrival windows a client may accept, in minutes either side of the start (`BookingInput`'s allowed values).
const ARRIVAL_CHOICES: [(&str, &str); 4] = [
    ("0", "Exactly at the time I chose"),
    ("30", "Up to 30 minutes earlier or later"),
    ("60", "Up to an hour earlier or later"),
    ("120", "Up to two hours earlier or later"),
];

/// How the details step's health section was answered.
pub(super) enum HealthAnswer {
    /// The history on file stands ("nothing has changed").
    Unchanged,
    /// A new version, as filled in.
    New(Box<IntakeInput>),
    /// Nothing given: the confirmation reminds the client.
    None,
}

/// Reads the details step's health section: `health=unchanged` keeps what is on file; otherwise a form
/// with anything filled in is a new version (a signed-in client reviewing theirs said "something
/// changed"). What could not be read comes back as the form's errors.
pub(super) fn health_answer(values: &Values) -> Result<HealthAnswer, ValidationErrors> {
    if values.get("health") == "unchanged" {
        return Ok(HealthAnswer::Unchanged);
    }
    if !health::touched(values) {
        return Ok(HealthAnswer::None);
    }
    let (input, errors) = health::read(values);
    if errors.0.is_empty() {
        Ok(HealthAnswer::New(Box::new(input)))
    } else {
        Err(errors)
    }
}

impl Booker<'_> {
    /// The service as booked: with the chosen add-ons' minutes and prices.
    pub(super) fn booked_service(&self) -> Service {
        self.service.with_add_ons("add_ons", &self.flow.add_ons).unwrap_or_else(|_| self.service.clone())
    }

    /// The client record a staff member books for, carried on the place step's forms.
    pub(super) fn staff_pick(&self) -> Markup {
        html! { @if !self.flow.client_id.is_empty() { input type="hidden" name="client_id" value=(self.flow.client_id); } }
    }

    /// The client record a staff member books for, if the flow names one (contact only; `NotFound` for
    /// anyone who may not see it).
    pub(super) async fn picked_client(&self) -> Result<Option<Client>, WebError> {
        if self.flow.client_id.is_empty() {
            return Ok(None);
        }
        let id: i64 = self.flow.client_id.parse().map_err(|_| WebError::not_found("client"))?;
        let user = self.caller.map(|c| &c.user).ok_or_else(|| WebError::not_found("client"))?;
        Ok(Some(clients::contact(self.state.app(), user, ClientId(id)).await?))
    }

    /// The signed-in client's history on file, to review.
    async fn history_on_file(&self) -> Result<Option<IntakeVersion>, WebError> {
        match self.caller.filter(|c| c.user.role == Role::Client) {
            Some(c) => Ok(intake::latest_own(self.state.app(), &c.user).await?),
            None => Ok(None),
        }
    }

    /// Step 5: who the booking is for, the full price and the policy, notes and the health history.
    pub(super) async fn details_page(
        &self,
        values: &Values,
        errors: &ValidationErrors,
        status: StatusCode,
    ) -> Result<Response, WebError> {
        let place = match self.place() {
            Ok(p) => p,
            Err(e) => return self.where_page(&e, StatusCode::UNPROCESSABLE_ENTITY).await,
        };
        let why = self.why_errors(false);
        if !why.0.is_empty() {
            return self.why_page(&why, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        let start = match parse_instant("start", &self.flow.start) {
            Ok(s) => s,
            Err(e) => return self.when_page(None, ValidationErrors(vec![e]), StatusCode::UNPROCESSABLE_ENTITY).await,
        };
        let therapist = match self.therapist_id() {
            Ok(t) => t,
            Err(e) => return self.when_page(None, e, StatusCode::UNPROCESSABLE_ENTITY).await,
        };
        let therapist_name = match therapist {
            Some(id) => Some(listing::get::<Therapists>(self.state.app(), id.0, Audience::Manager).await?.name),
            None => None,
        };
        let picked = self.picked_client().await?;
        let on_file = if picked.is_some() { None } else { self.history_on_file().await? };
        let booked = self.booked_service();
        let fee = self.travel_fee(place, therapist).await?;
        let tz = self.tz();
        let end = add_minutes(start, booked.duration_minutes);
        let place_text = self.place_text(place).await?;
        let who = match (&therapist_name, self.couples()) {
            (_, true) => "Two therapists, chosen for the least driving".to_string(),
            (Some(n), false) => n.clone(),
            (None, false) => "Any therapist (the one nearest at that time)".to_string(),
        };
        let back = self.flow.with(|f| f.start.clear()).link("/book/when");
        let reason = self.reason();
        let body = html! {
            (steps(5))
            h1 { "Your details" }
            dl.facts {
                dt { "Service" } dd { (self.service.name) " · " (format_cents(self.service.price_cents)) }
                @if !self.flow.add_ons.is_empty() {
                    dt { "Add-ons" } dd #booking-add-ons { (self.add_on_text()) " " a href=(self.flow.with(|f| f.start.clear()).link("/book/why")) { "change" } }
                }
                @if let Some(r) = reason { dt { "Reason" } dd { (r.label()) } }
                dt { "When" } dd { (when_text(tz, start, end)) " " a href=(back) { "change" } }
                dt { "Where" } dd { (place_text) }
                dt { "Therapist" } dd { (who) }
                dt { "Price" } dd #booking-price { (format_cents(booked.price_cents)) }
                @if matches!(place, Location::Point(_)) {
                    dt { "Travel fee" } dd #booking-travel-fee { @match fee { Some(0) => "None", Some(c) => (format_cents(c)), None => { "Up to the practice's rate beyond " (self.settings.travel_fee_free_km) " km; shown on the confirmation" } } }
                }
                @if let Some(f) = fee { dt { "Total" } dd #booking-total { strong { (format_cents(booked.price_cents + f)) } } }
            }
            p #cancel-policy { "You can move or cancel online up to " strong { (self.settings.cancel_notice_hours) " hours" } " before the start. Later than that, please call the practice." }
            form.stack method="post" action="/book" novalidate {
                (history_errors(errors, "Nothing was booked. Please correct these:"))
                (csrf_field(self.caller))
                (self.flow.hidden(&[]))
                // A retried or double-clicked post carries the same key and gets the same booking back.
                input type="hidden" name="booking_key" value=(random_secret());
                @if let Some(client) = &picked {
                    h2 { "For your client" }
                    p #booking-for { strong { (client.name) } " · " (client.email.as_str()) @if !client.phone.is_empty() { " · " (client.phone) } }
                } @else if let Some(c) = self.caller.filter(|_| self.is_client()) {
                    p { "Booking as " strong { (c.user.name) } " (" (c.user.email.as_str()) ")." }
                } @else {
                    (line(values, errors, "name", "Your name", Typed { autocomplete: Some("name"), ..TEXT }, ""))
                    (line(values, errors, "email", "Email", Typed { html_type: "email", inputmode: None, autocomplete: Some("email") }, "For the confirmation."))
                }
                @if picked.is_none() {
                    (line(values, errors, "phone", "Phone", Typed { html_type: "tel", inputmode: None, autocomplete: Some("tel") },
                        "Your therapist calls if they are running late."))
                }
                @if self.flow.clinic_id.is_empty() {
                    (field(values, errors, "arrival_window_minutes", "When may your therapist arrive?", Input::Select(&ARRIVAL_CHOICES),
                        "A little leeway lets the practice plan its therapists' driving; if your time changes within it, you are told."))
                }
                (field(values, errors, "notes", "Notes for your therapist (optional)", Input::Area(3),
                    "Parking, pets, stairs, the buzzer code: anything that helps on the day."))
                (super::waiting::repeat_fields(values, errors))
                @if picked.is_some() {
                    p.hint { "Your client's health history is on their file; they can add to it from their booking's link." }
                } @else {
                    (self.health_section(values, errors, on_file.as_ref()))
                }
                button type="submit" { "Confirm booking" }
            }
        };
        Ok((status, self.frame().page("Your details", body)).into_response())
    }

    /// The travel fee the booking would carry (`booking::quote`, which writes nothing); `None` when the
    /// time cannot be priced now (taken meanwhile: the post then says so).
    async fn travel_fee(&self, place: Location, therapist: Option<TherapistId>) -> Result<Option<i64>, WebError> {
        let Ok(request) = self.slot_input(place, therapist).validate() else { return Ok(None) };
        match booking::quote(self.state.app(), &request).await {
            Ok(q) => Ok(Some(q.travel_fee_cents)),
            Err(e @ (AppError::Store(_) | AppError::Internal(_))) => Err(e.into()),
            Err(_) => Ok(None),
        }
    }

    /// The chosen add-ons with what each adds.
    fn add_on_text(&self) -> String {
        self.service
            .add_ons
            .iter()
            .filter(|a| self.flow.add_ons.iter().any(|x| x.eq_ignore_ascii_case(&a.name)))
            .map(|a| format!("{} (+{})", a.name, format_cents(a.price_cents)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The health history: a history on file to confirm or update, or the form (a guest may say they booked
    /// before and nothing changed).
    fn health_section(&self, values: &Values, errors: &ValidationErrors, on_file: Option<&IntakeVersion>) -> Markup {
        let has_errors = errors.0.iter().any(|e| e.field.starts_with(health::PREFIX));
        html! {
            section.health aria-labelledby="health-heading" {
                h2 #health-heading { "Your health history" }
                @match on_file {
                    Some(v) => {
                        @let changed = values.get("health") == "changed" || has_errors;
                        fieldset #health {
                            legend { "Your health history from " (version_date(v)) }
                            label.check { input type="radio" name="health" value="unchanged" checked[!changed]; " Nothing has changed" }
                            label.check { input type="radio" name="health" value="changed" checked[changed]; " Something has changed: I update it below" }
                        }
                        @let filled = if values.0.iter().any(|(k, _)| k.starts_with(health::PREFIX)) { values.clone() } else { health::values_of(v.history.answers()) };
                        details open[changed] {
                            summary { "Your answers" }
                            (health::health_fields(&filled, errors))
                        }
                    }
                    None => {
                        p.hint { "Your therapist reads it before the visit to keep the massage safe for you. You can also fill it in later from the link on your confirmation." }
                        @if self.caller.is_none() {
                            label.check for="health-unchanged" { input #health-unchanged type="checkbox" name="health" value="unchanged" checked[values.get("health") == "unchanged"]; " I have booked before and nothing has changed" }
                        }
                        (health::health_fields(values, errors))
                    }
                }
            }
        }
    }

    /// Step 6: what was booked, or that it is held for a physician's clearance, and what to do next.
    pub(super) async fn confirmation(
        &self,
        booked: Booked,
        history_given: bool,
        series: Option<Markup>,
    ) -> Result<Response, WebError> {
        let b = &booked.booking;
        let names = therapist_names(self.state, b).await?;
        let clinics = calendar::all_clinics(self.state.app()).await?;
        // The booking's own signed-in client manages it from their account; anyone else (a guest, or a
        // manager booking for a caller) needs the private link.
        let own = self.caller.is_some_and(|c| b.client_user_id == Some(c.user.id));
        let manage_url = booked.manage_token.as_ref().filter(|_| !own).map(|t| manage_link(b.id.0, Some(t), None));
        let health_url = match (&booked.manage_token, own) {
            (_, true) => Some("/account/health".to_string()),
            (Some(t), false) => Some(format!("/bookings/{}/manage/health?token={t}", b.id.0)),
            (None, false) => None,
        };
        let held = b.status == BookingStatus::AwaitingClearance;
        let level = booked.screening.as_ref().map(|s| s.assessment.level);
        let mut why_held: Vec<String> = booked
            .precautions
            .iter()
            .filter(|p| p.category >= Category::ClearanceRequired)
            .map(|p| capital(&p.reason))
            .collect();
        why_held.dedup();
        let routine: Vec<String> = booked
            .screening
            .iter()
            .flat_map(|s| &s.assessment.reasons)
            .filter(|r| r.level == Level::Routine)
            .map(|r| capital(&r.message))
            .collect();
        let title = if held { "Your booking is held" } else { "You're booked" };
        let body = html! {
            (steps(6))
            h1 { (title) }
            @if booked.replayed { p.notice role="status" { "This booking was already made; here it is again." } }
            @if held {
                div.notice role="status" #held {
                    p { strong { "We hold this time for you until a physician has cleared you for massage." } }
                    @if !why_held.is_empty() { ul { @for r in &why_held { li { (r) "." } } } }
                    p { "Please see a physician before the visit and bring their note, or ask them to write to the practice. Staff confirm your booking when they have it, and tell you." }
                }
            }
            @if !routine.is_empty() && level == Some(Level::Routine) {
                div.notice #advice {
                    p { "We also suggest you see a physician or a physiotherapist about:" }
                    ul { @for r in &routine { li { (r) "." } } }
                    p { "Massage can go on alongside their care." }
                }
            }
            (booking_facts(self.tz(), b, &self.service, &names, &clinics))
            @if let Some(list) = series { (list) }
            @if let Some(url) = &manage_url {
                div.notice {
                    p { strong { "Keep this private link" } " to see, move or cancel your booking. Anyone with it can change the booking." }
                    p { a #manage-link href=(url) { "Manage your booking" } }
                }
            } @else if self.caller.is_some() {
                p { a #manage-link href=(manage_link(b.id.0, None, None)) { "See or change this booking" } }
            }
            // After the private link: the page's first token link stays the link to keep.
            @if let Some(token) = booked.manage_token.as_deref().filter(|_| !own) {
                (calendar_offer(b.id.0, Some(token), false))
            } @else if self.caller.is_some() {
                (calendar_offer(b.id.0, None, false))
            }
            @if !history_given {
                @if let Some(url) = &health_url {
                    p.notice #health-reminder { "Please fill in your health history before the visit: your therapist reads it first. " a href=(url) { "Fill in your health history" } }
                }
            }
            p { a href="/" { "Back to the home page" } }
        };
        Ok(self.frame().page(title, body).into_response())
    }
}
