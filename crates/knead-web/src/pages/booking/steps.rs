//! The booking flow's steps as pages: the service, the place, the time, the client's details, and the
//! confirmation.

use super::facts::{booking_facts, manage_link, slots_by_day, therapist_names};
use super::{renamed, step_of, Booker, Step, DAYS_SHOWN};
use crate::auth::MaybeCaller;
use crate::error::WebError;
use crate::pages::public::first_sentence;
use crate::pages::Frame;
use crate::state::AppState;
use crate::ui::{
    address_field, csrf_field, day_heading, error_summary, field, line, minutes, when_text, Input, Typed, Values, DATE,
    TEXT,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use knead_app::accounts::random_secret;
use knead_app::booking::{self, AvailabilityQuery, Booked};
use knead_app::catalog::{Services, Therapists};
use knead_app::listing::{self, Audience};
use knead_app::{calendar, AppError};
use knead_core::booking::{parse_instant, Location};
use knead_core::calendar::{add_days, add_minutes, local_date, parse_date};
use knead_core::money::format_cents;
use knead_core::{FieldError, Kind, Place, Service, ValidationErrors};
use maud::{html, Markup};

/// Step 1: the services a client can book online.
pub(super) async fn choose_service(State(state): State<AppState>, caller: MaybeCaller) -> Result<Response, WebError> {
    let services: Vec<Service> = listing::list::<Services>(state.app(), Audience::Public)
        .await?
        .into_iter()
        .filter(Service::bookable_online)
        .collect();
    Ok(Frame::new(&state, &caller).page("Book", services_view(&services)).into_response())
}

fn services_view(services: &[Service]) -> Markup {
    html! {
        (steps(1))
        h1 { "Book a massage" }
        p.lead { "Choose a service; next you tell us where, then pick a time." }
        div.grid {
            @for s in services {
                article.card {
                    h2.card-title { (s.name) }
                    p.meta { (minutes(s.duration_minutes)) " · " (format_cents(s.price_cents)) " · " (s.place.label())
                        @if s.kind == Kind::Couples { " · for two" } }
                    @if !s.description.is_empty() { p { (first_sentence(&s.description)) } }
                    p { a.button href={ "/book/where?service_id=" (s.id.0) } aria-label={ "Book " (s.name) } { "Book" } }
                }
            }
        }
        p.hint { "Office chair days and spa parties are planned with us: please call or write." }
    }
}

impl Booker<'_> {
    /// Step 2: the client's street address (looked up in the practice's map), or a clinic.
    pub(super) async fn where_page(&self, errors: &ValidationErrors, status: StatusCode) -> Result<Response, WebError> {
        let mut values = Values::default();
        values.set("address", &self.flow.address);
        values.set("unit", &self.flow.unit);
        let choices = self.address_refused.as_ref().map(|(_, places)| places.as_slice()).unwrap_or_default();
        let clinics = calendar::clinics(self.state.app()).await?;
        let mobile = self.service.place != Place::Clinic;
        let at_clinic = self.service.place != Place::Mobile;
        let clinic_error = errors.for_field("clinic_id");
        let body = html! {
            (steps(2))
            h1 { "Where?" }
            p.lead { (self.service.name) }
            (error_summary(errors, "Please check the place:"))
            @if mobile {
                @if !choices.is_empty() {
                    // Search, then pick: what the map has closest to what was typed, without script.
                    form.stack method="get" action="/book/when" {
                        input type="hidden" name="service_id" value=(self.service.id.0);
                        @if !self.flow.unit.is_empty() { input type="hidden" name="unit" value=(self.flow.unit); }
                        fieldset.choices #address-choices {
                            legend { "Did you mean one of these?" }
                            @for (i, place) in choices.iter().enumerate() {
                                label.check { input type="radio" name="address" value=(place.label) checked[i == 0] required; " " (place.label) }
                            }
                        }
                        button type="submit" { "Use this address" }
                    }
                }
                form.stack method="get" action="/book/when" novalidate {
                    @if at_clinic { h2 { "At your home or office" } }
                    input type="hidden" name="service_id" value=(self.service.id.0);
                    (address_field(&values, errors, "address", "Street address",
                        "Start typing the street and house number; pick your address from the list."))
                    (line(&values, errors, "unit", "Apartment, unit or buzzer (optional)",
                        Typed { autocomplete: Some("address-line2"), ..TEXT }, "So your therapist finds the door."))
                    button type="submit" { "Find times" }
                }
                @if errors.for_field("address").is_some() {
                    p.hint { "Still not right? " (call_us(&self.state.config().practice_name)) }
                }
                // Suggestions as the client types and "use my location"; a file, not inline script, so the
                // pages can forbid inline script.
                script src=(super::ADDRESS_SCRIPT_PATH) defer {}
            }
            @if at_clinic {
                form.stack method="get" action="/book/when" novalidate {
                    @if mobile { h2 { "At a clinic" } }
                    input type="hidden" name="service_id" value=(self.service.id.0);
                    @if clinics.is_empty() {
                        p { "No clinic is open for booking yet; please call the practice." }
                    } @else {
                        fieldset #clinic_id .invalid[clinic_error.is_some()] aria-describedby=[clinic_error.map(|_| "clinic_id-error")] {
                            legend { "Clinic" }
                            @for (i, c) in clinics.iter().enumerate() {
                                @let chosen = if self.flow.clinic_id.is_empty() { i == 0 } else { self.flow.clinic_id == c.id.0.to_string() };
                                label.check {
                                    input type="radio" name="clinic_id" value=(c.id.0) checked[chosen] required;
                                    " " strong { (c.name) } @if !c.address.is_empty() { span.meta { " · " (c.address) } }
                                }
                            }
                            @if let Some(e) = clinic_error { span.error #clinic_id-error { (e) } }
                        }
                        button type="submit" { "Find times" }
                    }
                }
            }
            p { a href="/book" { "‹ Choose another service" } }
        };
        Ok((status, self.frame().page("Where?", body)).into_response())
    }

    /// Step 3: start times for the chosen date and the next few days, and who gives the visit.
    pub(super) async fn when_page(
        &self,
        notice: Option<&str>,
        mut errors: ValidationErrors,
        status: StatusCode,
    ) -> Result<Response, WebError> {
        let place = match self.place() {
            Ok(p) => p,
            Err(e) => return self.where_page(&e, StatusCode::UNPROCESSABLE_ENTITY).await,
        };
        let tz = self.tz();
        let today = local_date(tz, self.state.now());
        let last = self.settings.last_bookable_date(today);
        let date = match parse_date("date", &self.flow.date) {
            _ if self.flow.date.is_empty() => today,
            Ok(d) if d < today => {
                errors.push(FieldError::new("out_of_range", "date", "must be today or later"));
                today
            }
            Ok(d) if d > last => {
                errors.push(self.settings.beyond_horizon("date", today));
                today
            }
            Ok(d) => d,
            Err(e) => {
                errors.push(e);
                today
            }
        };
        let therapist_id = self.therapist_id().unwrap_or_else(|e| {
            errors.0.extend(e.0);
            None
        });
        let query = AvailabilityQuery {
            service_id: self.service.id,
            place,
            from: date,
            days: DAYS_SHOWN,
            therapist_id,
            add_ons: Vec::new(),
        };
        let slots = match booking::availability(self.state.app(), &query).await {
            Ok(offer) => offer.slots,
            Err(AppError::Invalid(e)) => {
                let e = renamed(e);
                if e.0.iter().any(|x| step_of(&x.field) == Step::Where) {
                    return self.where_page(&e, StatusCode::UNPROCESSABLE_ENTITY).await;
                }
                errors.0.extend(e.0);
                Vec::new()
            }
            Err(other) => return Err(other.into()),
        };
        let status =
            if status == StatusCode::OK && !errors.0.is_empty() { StatusCode::UNPROCESSABLE_ENTITY } else { status };
        let days = slots_by_day(tz, &slots, date, DAYS_SHOWN, last);
        let therapists = if self.couples() { Vec::new() } else { self.therapists().await? };
        let mut values = Values::default();
        values.set("date", date.to_string());
        values.set("therapist_id", therapist_id.map(|t| t.0.to_string()).unwrap_or_default());
        let choices: Vec<(String, String)> = std::iter::once((String::new(), "Any therapist".to_string()))
            .chain(therapists.iter().map(|(id, n)| (id.0.to_string(), n.clone())))
            .collect();
        let choice_refs: Vec<(&str, &str)> = choices.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let place_text = self.place_text(place).await?;
        // The pager stops at today and at the booking horizon's last day.
        let later = Some(add_days(date, DAYS_SHOWN)).filter(|d| *d <= last);
        let earlier = add_days(date, -DAYS_SHOWN).max(today);
        let body = html! {
            (steps(3))
            h1 { "When?" }
            p.lead { (self.service.name) " · " (place_text) " · " a href=(self.flow.with(|f| f.start.clear()).link("/book/where")) { "change place" } }
            @if let Some(n) = notice { p.error-summary role="alert" { (n) } }
            (error_summary(&errors, "Please check:"))
            form.row.when-form method="get" action="/book/when" {
                (self.flow.hidden(&["date", "therapist_id", "start"]))
                (line(&values, &errors, "date", "From date", DATE, ""))
                @if self.couples() {
                    p.hint { "Two therapists come together; we choose the pair with the least driving." }
                } @else {
                    (field(&values, &errors, "therapist_id", "Therapist", Input::Select(&choice_refs), ""))
                }
                div.field.submit { button.secondary type="submit" { "Show times" } }
            }
            p.hint { "Times are in the practice's time zone (" (self.settings.time_zone) ")." }
            @for (day, times) in &days {
                section.slot-day aria-labelledby={ "day-" (day) } {
                    h2 id={ "day-" (day) } { (day_heading(*day)) }
                    @if times.is_empty() { p.meta { "No free times." } }
                    @else {
                        ul.slots {
                            @for (label, start) in times {
                                li { a.slot href=(self.flow.with(|f| { f.start = start.clone(); f.date = date.to_string(); }).link("/book/details"))
                                    aria-label={ (day_heading(*day)) " at " (label) } { (label) } }
                            }
                        }
                    }
                }
            }
            nav.pager aria-label="More days" {
                @if date > today { a href=(self.flow.with(|f| { f.date = earlier.to_string(); f.start.clear(); }).link("/book/when")) { "‹ Earlier days" } }
                @if let Some(later) = later {
                    a href=(self.flow.with(|f| { f.date = later.to_string(); f.start.clear(); }).link("/book/when")) { "Later days ›" }
                }
            }
        };
        Ok((status, self.frame().page("When?", body)).into_response())
    }

    /// Step 4: who the booking is for, and the summary to confirm.
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
        let tz = self.tz();
        let end = add_minutes(start, self.service.duration_minutes);
        let place_text = self.place_text(place).await?;
        let who = match (&therapist_name, self.couples()) {
            (_, true) => "Two therapists, chosen for the least driving".to_string(),
            (Some(n), false) => n.clone(),
            (None, false) => "Any therapist (the one nearest at that time)".to_string(),
        };
        let back = self.flow.with(|f| f.start.clear()).link("/book/when");
        let body = html! {
            (steps(4))
            h1 { "Your details" }
            dl.facts {
                dt { "Service" } dd { (self.service.name) }
                dt { "When" } dd { (when_text(tz, start, end)) " " a href=(back) { "change" } }
                dt { "Where" } dd { (place_text) }
                dt { "Therapist" } dd { (who) }
                dt { "Price" } dd { (format_cents(self.service.price_cents)) }
            }
            @if matches!(place, Location::Point(_)) { p.hint { "A travel fee may apply beyond " (self.settings.travel_fee_free_km) " km; you will see it on the confirmation." } }
            form.stack method="post" action="/book" novalidate {
                (error_summary(errors, "Nothing was booked. Please correct these:"))
                (csrf_field(self.caller))
                (self.flow.hidden(&[]))
                // A retried or double-clicked post carries the same key and gets the same booking back.
                input type="hidden" name="booking_key" value=(random_secret());
                @if let Some(c) = self.caller.filter(|_| self.is_client()) {
                    p { "Booking as " strong { (c.user.name) } " (" (c.user.email.as_str()) ")." }
                } @else {
                    (line(values, errors, "name", "Your name", Typed { autocomplete: Some("name"), ..TEXT }, ""))
                    (line(values, errors, "email", "Email", Typed { html_type: "email", inputmode: None, autocomplete: Some("email") }, "For the confirmation."))
                }
                (line(values, errors, "phone", "Phone", Typed { html_type: "tel", inputmode: None, autocomplete: Some("tel") },
                    "Your therapist calls if they are running late."))
                button type="submit" { "Confirm booking" }
            }
        };
        Ok((status, self.frame().page("Your details", body)).into_response())
    }

    /// Step 5: what was booked.
    pub(super) async fn confirmation(&self, booked: Booked) -> Result<Response, WebError> {
        let b = &booked.booking;
        let names = therapist_names(self.state, b).await?;
        let clinics = calendar::all_clinics(self.state.app()).await?;
        // The booking's own signed-in client manages it from their account; anyone else (a guest, or a
        // manager booking for a caller) needs the private link.
        let own = self.caller.is_some_and(|c| b.client_user_id == Some(c.user.id));
        let manage_url = booked.manage_token.as_ref().filter(|_| !own).map(|t| manage_link(b.id.0, Some(t), None));
        let replayed = booked.replayed;
        let body = html! {
            (steps(5))
            h1 { "You're booked" }
            @if replayed { p.notice role="status" { "This booking was already made; here it is again." } }
            (booking_facts(self.tz(), b, &self.service, &names, &clinics))
            @if let Some(url) = &manage_url {
                div.notice {
                    p { strong { "Keep this private link" } " to see, move or cancel your booking. Anyone with it can change the booking." }
                    p { a #manage-link href=(url) { "Manage your booking" } }
                }
            } @else if self.caller.is_some() {
                p { a #manage-link href=(manage_link(b.id.0, None, None)) { "See or change this booking" } }
            }
            p { a href="/" { "Back to the home page" } }
        };
        Ok(self.frame().page("You're booked", body).into_response())
    }
}

/// The way forward when the map does not know an address: a person at the practice does.
fn call_us(practice: &str) -> Markup {
    let details = crate::pages::practice_details();
    html! {
        @match &details.phone {
            Some(phone) => { "Call us at " a href=(phone.tel_href()) { (phone.as_str()) } " and we will book it with you." }
            None => { "Write to or call " (practice) " (see the foot of this page) and we will book it with you." }
        }
    }
}

/// The flow's progress, for people and screen readers.
fn steps(current: usize) -> Markup {
    let names = ["Service", "Place", "Time", "Details", "Done"];
    html! {
        ol.steps aria-label="Booking steps" {
            @for (i, name) in names.iter().enumerate() {
                @if i + 1 == current { li aria-current="step" { strong { (name) } } }
                @else { li { (name) } }
            }
        }
    }
}
