//! The booking flow's steps as pages: the service, the place, the time, the client's details, and the
//! confirmation.

use super::facts::slots_by_day;
use super::{renamed, step_of, Booker, Flow, Step, DAYS_SHOWN};
use crate::auth::MaybeCaller;
use crate::error::WebError;
use crate::pages::public::first_sentence;
use crate::pages::Frame;
use crate::state::AppState;
use crate::ui::{address_field, day_heading, error_summary, field, line, minutes, Input, Typed, Values, DATE, TEXT};
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use knead_app::booking::{self, AvailabilityQuery};
use knead_app::catalog::Services;
use knead_app::listing::{self, Audience};
use knead_app::{calendar, AppError};
use knead_core::calendar::{add_days, local_date, parse_date};
use knead_core::money::format_cents;
use knead_core::{FieldError, Gender, Kind, Place, Role, Service, TherapistId, ValidationErrors};
use maud::{html, Markup};

/// Step 1: the services a client can book online.
pub(super) async fn choose_service(
    State(state): State<AppState>,
    caller: MaybeCaller,
    RawQuery(q): RawQuery,
) -> Result<Response, WebError> {
    let services: Vec<Service> = listing::list::<Services>(state.app(), Audience::Public)
        .await?
        .into_iter()
        .filter(Service::bookable_online)
        .collect();
    // Staff booking for a client ("Book for this client") carry the client record through the flow.
    let client_id = Flow::from_query(q).client_id;
    let for_client = Some(client_id.as_str())
        .filter(|c| !c.is_empty() && caller.0.as_ref().is_some_and(|c| c.user.role != Role::Client));
    Ok(Frame::new(&state, &caller).page("Book", services_view(&services, for_client)).into_response())
}

fn services_view(services: &[Service], for_client: Option<&str>) -> Markup {
    html! {
        (steps(1))
        h1 { "Book a massage" }
        @if for_client.is_some() { p.notice role="status" { "You are booking for a client: their contact details are used at the last step." } }
        p.lead { "Choose a service; next you tell us where and what brings you, then pick a time." }
        div.grid {
            @for s in services {
                article.card {
                    h2.card-title { (s.name) }
                    p.meta { (minutes(s.duration_minutes)) " · " (format_cents(s.price_cents)) " · " (s.place.label())
                        @if s.kind == Kind::Couples { " · for two" } }
                    @if !s.description.is_empty() { p { (first_sentence(&s.description)) } }
                    p { a.button href={ "/book/where?service_id=" (s.id.0) @if let Some(c) = for_client { "&client_id=" (c) } } aria-label={ "Book " (s.name) } { "Book" } }
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
                    form.stack method="get" action="/book/why" {
                        input type="hidden" name="service_id" value=(self.service.id.0); (self.staff_pick())
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
                form.stack method="get" action="/book/why" novalidate {
                    @if at_clinic { h2 { "At your home or office" } }
                    input type="hidden" name="service_id" value=(self.service.id.0); (self.staff_pick())
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
                form.stack method="get" action="/book/why" novalidate {
                    @if mobile { h2 { "At a clinic" } }
                    input type="hidden" name="service_id" value=(self.service.id.0); (self.staff_pick())
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
        let why = self.why_errors(false);
        if !why.0.is_empty() {
            return self.why_page(&why, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        if self.needs_screening() && self.flow.screening_id.is_empty() {
            return Ok(self.screening_form(&Values::default(), &ValidationErrors::default(), StatusCode::OK));
        }
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
        let therapist_gender = self.therapist_gender().unwrap_or_else(|e| {
            errors.0.extend(e.0);
            None
        });
        let query = AvailabilityQuery {
            service_id: self.service.id,
            place,
            from: date,
            days: DAYS_SHOWN,
            therapist_id,
            therapist_gender,
            // Add-ons lengthen the visit: only starts that fit the whole of it are offered.
            add_ons: self.flow.add_ons.clone(),
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
        let therapists = self.therapists().await?;
        let mut values = Values::default();
        values.set("date", date.to_string());
        values.set("therapist_id", therapist_id.map(|t| t.0.to_string()).unwrap_or_default());
        values.set("therapist_gender", therapist_gender.map_or("", Gender::as_str));
        // With a gender asked for, only the therapists who meet it are listed by name.
        let choices: Vec<(String, String)> = std::iter::once((String::new(), "Any therapist".to_string()))
            .chain(
                therapists
                    .iter()
                    .filter(|(_, _, g)| Gender::meets(therapist_gender, *g))
                    .map(|(id, n, _)| (id.0.to_string(), n.clone())),
            )
            .collect();
        let choice_refs: Vec<(&str, &str)> = choices.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let genders = gender_choices(&therapists);
        let place_text = self.place_text(place).await?;
        // The pager stops at today and at the booking horizon's last day.
        let later = Some(add_days(date, DAYS_SHOWN)).filter(|d| *d <= last);
        let earlier = add_days(date, -DAYS_SHOWN).max(today);
        let body = html! {
            (steps(4))
            h1 { "When?" }
            p.lead { (self.service.name) @for a in &self.flow.add_ons { " + " (a) } " · " (minutes(self.booked_service().duration_minutes)) " · " (place_text) " · " a href=(self.flow.with(|f| f.start.clear()).link("/book/where")) { "change place" } }
            @if let Some(n) = notice { p.error-summary role="alert" { (n) } }
            (error_summary(&errors, "Please check:"))
            form.row.when-form method="get" action="/book/when" {
                (self.flow.hidden(&["date", "therapist_id", "therapist_gender", "start"]))
                (line(&values, &errors, "date", "From date", DATE, ""))
                @if self.couples() {
                    p.hint { "Two therapists come together; we choose the pair with the least driving." }
                } @else {
                    (field(&values, &errors, "therapist_id", "Therapist", Input::Select(&choice_refs), ""))
                }
                @if genders.len() > 1 {
                    (field(&values, &errors, "therapist_gender", "Therapist's gender", Input::Select(&genders), ""))
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
            (super::waiting::waitlist_offer(self))
            nav.pager aria-label="More days" {
                @if date > today { a href=(self.flow.with(|f| { f.date = earlier.to_string(); f.start.clear(); }).link("/book/when")) { "‹ Earlier days" } }
                @if let Some(later) = later {
                    a href=(self.flow.with(|f| { f.date = later.to_string(); f.start.clear(); }).link("/book/when")) { "Later days ›" }
                }
            }
        };
        Ok((status, self.frame().page("When?", body)).into_response())
    }
}

/// "No preference" and each gender stated by a therapist who gives the service (a couple's visit is given by two
/// of that gender), for clients who feel more at ease with a woman or a man.
fn gender_choices(therapists: &[(TherapistId, String, Option<Gender>)]) -> Vec<(&'static str, &'static str)> {
    let label = |g: Gender| match g {
        Gender::Female => "A woman",
        Gender::Male => "A man",
        Gender::NonBinary => "A non-binary therapist",
    };
    std::iter::once(("", "No preference"))
        .chain(
            Gender::ALL
                .into_iter()
                .filter(|g| therapists.iter().any(|t| t.2 == Some(*g)))
                .map(|g| (g.as_str(), label(g))),
        )
        .collect()
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
pub(super) fn steps(current: usize) -> Markup {
    let names = ["Service", "Place", "Why", "Time", "Details", "Done"];
    html! {
        ol.steps aria-label="Booking steps" {
            @for (i, name) in names.iter().enumerate() {
                @if i + 1 == current { li aria-current="step" { strong { (name) } } }
                @else { li { (name) } }
            }
        }
    }
}
