//! The client's booking flow (`/book`) and the page where a booking is managed.
//!
//! The flow is a chain of GET pages that carry what was chosen so far in the query string — service,
//! then place, then time (and who), then contact details — ending in one POST that books. It needs no
//! script, and a phone's back button returns to any step as it was. Each step checks what came before
//! it again, so a hand-edited link shows the earlier step with the message beside its field.
//!
//! Availability and booking are `crate::booking`'s; these handlers read forms, call it and render.

use super::calendar::{
    self, clock, csrf_field, day_heading, error_summary, typed_field, when_text, Typed, DATE, DECIMAL, TEXT,
};
use super::forms::Values;
use super::Frame;
use crate::api_booking::managed_booking;
use crate::auth::{random_secret, Caller, MaybeCaller, Via};
use crate::booking::{self, AvailabilityQuery, Booked, OfferedSlot, PlaceQuery};
use crate::error::{NotFoundAs, WebError};
use crate::extract::{AppPath, AppQuery, FormPairs};
use crate::AppState;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use knead_core::booking::{parse_instant, Booking, BookingInput, BookingStatus, Clinic, ContactInput};
use knead_core::calendar::{local_date, PracticeSettings};
use knead_core::money::format_cents;
use knead_core::schedule::GeoPoint;
use knead_core::{FieldError, Kind, Place, Role, Service, ServiceId, TherapistId, ValidationErrors};
use maud::{html, Markup, PreEscaped};
use sha2::{Digest, Sha256};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/book", get(choose_service).post(confirm))
        .route("/book/where", get(choose_place))
        .route("/book/when", get(choose_time))
        .route("/book/details", get(details))
        .route("/bookings/{id}/manage", get(manage_page))
        .route("/bookings/{id}/manage/cancel", post(cancel))
        .route("/bookings/{id}/manage/reschedule", post(reschedule))
}

/// How many days of start times the time step lists at once.
const DAYS_SHOWN: i64 = 4;

/// Services a client books alone online; chair days and spa parties are planned with the practice.
pub(super) fn bookable_online(service: &Service) -> bool {
    !service.archived && matches!(service.kind, Kind::Individual | Kind::Couples)
}

/// What the client has chosen so far, as typed, carried from step to step in the query string.
#[derive(Debug, Default, Clone)]
struct Flow {
    service_id: String,
    address: String,
    lat: String,
    lon: String,
    clinic_id: String,
    therapist_id: String,
    date: String,
    start: String,
}

impl Flow {
    fn from_pairs(pairs: &[(String, String)]) -> Flow {
        let get =
            |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
        Flow {
            service_id: get("service_id"),
            address: get("address"),
            lat: get("lat"),
            lon: get("lon"),
            clinic_id: get("clinic_id"),
            therapist_id: get("therapist_id"),
            date: get("date"),
            start: get("start"),
        }
    }

    fn from_query(query: Option<String>) -> Flow {
        let pairs: Vec<(String, String)> =
            form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect();
        Flow::from_pairs(&pairs)
    }

    fn pairs(&self) -> [(&'static str, &str); 8] {
        [
            ("service_id", &self.service_id),
            ("address", &self.address),
            ("lat", &self.lat),
            ("lon", &self.lon),
            ("clinic_id", &self.clinic_id),
            ("therapist_id", &self.therapist_id),
            ("date", &self.date),
            ("start", &self.start),
        ]
    }

    /// A link to `path` carrying the choices made (empty ones left out).
    fn link(&self, path: &str) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.pairs() {
            if !v.is_empty() {
                query.append_pair(k, v);
            }
        }
        format!("{path}?{}", query.finish())
    }

    /// The choices made as hidden fields, except those the form itself asks for.
    fn hidden(&self, except: &[&str]) -> Markup {
        html! {
            @for (k, v) in self.pairs() {
                @if !v.is_empty() && !except.contains(&k) { input type="hidden" name=(k) value=(v); }
            }
        }
    }

    fn with(&self, change: impl FnOnce(&mut Flow)) -> Flow {
        let mut next = self.clone();
        change(&mut next);
        next
    }

    /// A place choice from another service would not fit this one; start again from the place.
    fn for_clinic(&self) -> bool {
        !self.clinic_id.is_empty()
    }
}

/// Which step of the flow a field belongs to, so an error is shown where the field is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Where,
    When,
    Details,
}

fn step_of(field: &str) -> Step {
    match field {
        "lat" | "lon" | "clinic_id" | "address" => Step::Where,
        "start" | "date" | "therapist_id" | "therapist_ids" => Step::When,
        _ => Step::Details,
    }
}

/// The API's field names as the pages' forms spell them.
fn page_field(api_field: &str) -> String {
    match api_field {
        "client.name" | "client" => "name".into(),
        "client.email" => "email".into(),
        "client.phone" => "phone".into(),
        "therapist_ids" => "therapist_id".into(),
        other => other.into(),
    }
}

fn renamed(errors: ValidationErrors) -> ValidationErrors {
    ValidationErrors(errors.0.into_iter().map(|e| FieldError { field: page_field(&e.field), ..e }).collect())
}

/// One request's view of the flow: who is booking, the practice's settings and the chosen service.
struct Booker<'a> {
    app: &'a AppState,
    caller: Option<&'a Caller>,
    settings: PracticeSettings,
    service: Service,
    flow: Flow,
}

impl<'a> Booker<'a> {
    async fn load(app: &'a AppState, caller: &'a MaybeCaller, flow: Flow) -> Result<Booker<'a>, WebError> {
        let id: i64 = flow.service_id.parse().map_err(|_| WebError::NotFound { what: "service" })?;
        let service = app.store().service(ServiceId(id)).await.not_found_as("service")?;
        if !bookable_online(&service) {
            return Err(WebError::NotFound { what: "service" });
        }
        let settings = app.store().practice_settings().await?;
        Ok(Booker { app, caller: caller.0.as_ref(), settings, service, flow })
    }

    fn frame(&self) -> Frame<'a> {
        Frame { app: self.app, caller: self.caller }
    }

    fn tz(&self) -> TimeZone {
        self.settings.zone()
    }

    fn couples(&self) -> bool {
        self.service.therapists_needed() > 1
    }

    /// The place chosen, or the where-step's errors.
    fn place(&self) -> Result<PlaceQuery, ValidationErrors> {
        let mut e = ValidationErrors::default();
        if self.flow.for_clinic() {
            return match self.flow.clinic_id.parse::<i64>() {
                Ok(id) => Ok(PlaceQuery::Clinic(knead_core::booking::ClinicId(id))),
                Err(_) => Err(ValidationErrors::single("invalid", "clinic_id", "choose one of the clinics")),
            };
        }
        if self.service.place == Place::Clinic {
            return Err(ValidationErrors::single("required", "clinic_id", "choose one of the clinics"));
        }
        let lat = self
            .flow
            .lat
            .parse::<f64>()
            .map_err(|_| e.push(FieldError::new("invalid_type", "lat", "must be a number, e.g. 43.6532")))
            .ok();
        let lon = self
            .flow
            .lon
            .parse::<f64>()
            .map_err(|_| e.push(FieldError::new("invalid_type", "lon", "must be a number, e.g. -79.3832")))
            .ok();
        e.text("address", &self.flow.address, 0, 300);
        let at = match (lat, lon) {
            (Some(lat), Some(lon)) => GeoPoint::parse(lat, lon).map_err(|x| e.push(x)).ok(),
            _ => None,
        };
        e.finish(|| PlaceQuery::Point(at.expect("a point when there are no errors")))
    }

    fn therapist_id(&self) -> Result<Option<TherapistId>, ValidationErrors> {
        if self.couples() || self.flow.therapist_id.is_empty() {
            return Ok(None);
        }
        self.flow
            .therapist_id
            .parse::<i64>()
            .map(|id| Some(TherapistId(id)))
            .map_err(|_| ValidationErrors::single("invalid", "therapist_id", "choose a therapist from the list"))
    }

    /// Who offers this service, by name: the choices beside "any therapist".
    async fn therapists(&self) -> Result<Vec<(TherapistId, String)>, WebError> {
        let offering: Vec<TherapistId> = self
            .app
            .store()
            .schedules()
            .await?
            .into_iter()
            .filter(|s| s.offers(self.service.id))
            .map(|s| s.therapist_id)
            .collect();
        let mut named: Vec<(TherapistId, String)> = self
            .app
            .store()
            .list_therapists(false)
            .await?
            .into_iter()
            .filter(|t| offering.contains(&t.id))
            .map(|t| (t.id, t.name))
            .collect();
        named.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(named)
    }

    async fn clinic(&self, place: PlaceQuery) -> Result<Option<Clinic>, WebError> {
        Ok(match place {
            PlaceQuery::Clinic(id) => self.app.store().clinics().await?.into_iter().find(|c| c.id == id),
            PlaceQuery::Point(_) => None,
        })
    }

    /// Shows a refused choice at the earliest step it concerns.
    async fn refused(&self, errors: ValidationErrors, details: &Values) -> Result<Response, WebError> {
        let errors = renamed(errors);
        let step = errors.0.iter().map(|e| step_of(&e.field)).min().unwrap_or(Step::Details);
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        match step {
            Step::Where => self.where_page(&errors, status).await,
            Step::When => self.when_page(None, errors, status).await,
            Step::Details => self.details_page(details, &errors, status).await,
        }
    }

    /// Step 2: the client's address and coordinates, or a clinic.
    async fn where_page(&self, errors: &ValidationErrors, status: StatusCode) -> Result<Response, WebError> {
        let area = self.settings.service_area;
        let mut values = Values::default();
        values.set("address", &self.flow.address);
        let from_other_service = self.flow.lat.is_empty() && self.flow.lon.is_empty();
        // No geocoder works offline, so the coordinates start at the centre of the area the practice serves.
        values.set("lat", if from_other_service { area.lat.to_string() } else { self.flow.lat.clone() });
        values.set("lon", if from_other_service { area.lon.to_string() } else { self.flow.lon.clone() });
        let clinics = self.app.store().clinics().await?;
        let mobile = self.service.place != Place::Clinic;
        let at_clinic = self.service.place != Place::Mobile;
        let clinic_error = errors.for_field("clinic_id");
        let body = html! {
            (steps(2))
            h1 { "Where?" }
            p.lead { (self.service.name) }
            (error_summary(errors, "Please check the place:"))
            @if mobile {
                form.stack method="get" action="/book/when" novalidate {
                    @if at_clinic { h2 { "At your home or office" } }
                    input type="hidden" name="service_id" value=(self.service.id.0);
                    (typed_field(&values, errors, "address", "Address", Typed { autocomplete: Some("street-address"), ..TEXT },
                        "Street, number, unit and buzzer, so your therapist finds you."))
                    p.hint #coordinates-hint {
                        "We work out driving times from your place's latitude and longitude. There is no map lookup here, "
                        "so they start at the centre of our service area (" (format!("{:.4}, {:.4}", area.lat, area.lon))
                        ", within " (area.radius_km) " km). Change them to your place's coordinates — any map app shows them — "
                        "or use your phone's location."
                    }
                    div.row {
                        (typed_field(&values, errors, "lat", "Latitude", DECIMAL, ""))
                        (typed_field(&values, errors, "lon", "Longitude", DECIMAL, ""))
                    }
                    p { button.secondary #use-location type="button" hidden { "Use my location" } }
                    button type="submit" { "Find times" }
                }
                (use_location_script())
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
    async fn when_page(
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
        let today = calendar::today(&tz, self.app.now());
        let date = match self.flow.date.parse::<Date>() {
            _ if self.flow.date.is_empty() => today,
            Ok(d) if d >= today => d,
            Ok(_) => {
                errors.push(FieldError::new("out_of_range", "date", "must be today or later"));
                today
            }
            Err(_) => {
                errors.push(FieldError::new("invalid", "date", "must be a date like 2026-12-01"));
                today
            }
        };
        let therapist_id = self.therapist_id().unwrap_or_else(|e| {
            errors.0.extend(e.0);
            None
        });
        let query =
            AvailabilityQuery { service_id: self.service.id, place, from: date, days: DAYS_SHOWN, therapist_id };
        let slots =
            match booking::availability(self.app.store().as_ref(), self.app.calendar(), &query, self.app.now()).await {
                Ok(slots) => slots,
                Err(WebError::Invalid(e)) => {
                    let e = renamed(e);
                    if e.0.iter().any(|x| step_of(&x.field) == Step::Where) {
                        return self.where_page(&e, StatusCode::UNPROCESSABLE_ENTITY).await;
                    }
                    errors.0.extend(e.0);
                    Vec::new()
                }
                Err(other) => return Err(other),
            };
        let status =
            if status == StatusCode::OK && !errors.0.is_empty() { StatusCode::UNPROCESSABLE_ENTITY } else { status };
        let days = slots_by_day(&tz, &slots, date, DAYS_SHOWN);
        let therapists = if self.couples() { Vec::new() } else { self.therapists().await? };
        let mut values = Values::default();
        values.set("date", date.to_string());
        values.set("therapist_id", therapist_id.map(|t| t.0.to_string()).unwrap_or_default());
        let choices: Vec<(String, String)> = std::iter::once((String::new(), "Any therapist".to_string()))
            .chain(therapists.iter().map(|(id, n)| (id.0.to_string(), n.clone())))
            .collect();
        let choice_refs: Vec<(&str, &str)> = choices.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let place_text = self.place_text(place).await?;
        let later = date + DAYS_SHOWN.days();
        let earlier = (date - DAYS_SHOWN.days()).max(today);
        let body = html! {
            (steps(3))
            h1 { "When?" }
            p.lead { (self.service.name) " · " (place_text) " · " a href=(self.flow.with(|f| f.start.clear()).link("/book/where")) { "change place" } }
            @if let Some(n) = notice { p.error-summary role="alert" { (n) } }
            (error_summary(&errors, "Please check:"))
            form.row.when-form method="get" action="/book/when" {
                (self.flow.hidden(&["date", "therapist_id", "start"]))
                (typed_field(&values, &errors, "date", "From date", DATE, ""))
                @if self.couples() {
                    p.hint { "Two therapists come together; we choose the pair with the least driving." }
                } @else {
                    (super::forms::field(&values, &errors, "therapist_id", "Therapist", super::forms::Input::Select(&choice_refs), ""))
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
                a href=(self.flow.with(|f| { f.date = later.to_string(); f.start.clear(); }).link("/book/when")) { "Later days ›" }
            }
        };
        Ok((status, self.frame().page("When?", body)).into_response())
    }

    async fn place_text(&self, place: PlaceQuery) -> Result<String, WebError> {
        Ok(match self.clinic(place).await? {
            Some(c) => c.name,
            None if !self.flow.address.is_empty() => self.flow.address.clone(),
            None => "At your place".into(),
        })
    }

    fn is_client(&self) -> bool {
        self.caller.is_some_and(|c| c.user.role == Role::Client)
    }

    /// Step 4: who the booking is for, and the summary to confirm.
    async fn details_page(
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
            Some(id) => Some(self.app.store().therapist(id).await.not_found_as("therapist")?.name),
            None => None,
        };
        let tz = self.tz();
        let end = start + self.service.duration_minutes.minutes();
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
                dt { "When" } dd { (when_text(&tz, start, end)) " " a href=(back) { "change" } }
                dt { "Where" } dd { (place_text) }
                dt { "Therapist" } dd { (who) }
                dt { "Price" } dd { (format_cents(self.service.price_cents)) }
            }
            @if place_is_mobile(place) { p.hint { "A travel fee may apply beyond " (self.settings.travel_fee_free_km) " km; you will see it on the confirmation." } }
            form.stack method="post" action="/book" novalidate {
                (error_summary(errors, "Nothing was booked. Please correct these:"))
                (csrf_field(self.caller))
                (self.flow.hidden(&[]))
                // A retried or double-clicked post carries the same key and gets the same booking back.
                input type="hidden" name="booking_key" value=(random_secret());
                @if let Some(c) = self.caller.filter(|_| self.is_client()) {
                    p { "Booking as " strong { (c.user.name) } " (" (c.user.email.as_str()) ")." }
                } @else {
                    (typed_field(values, errors, "name", "Your name", Typed { autocomplete: Some("name"), ..TEXT }, ""))
                    (typed_field(values, errors, "email", "Email", Typed { html_type: "email", inputmode: None, autocomplete: Some("email") }, "For the confirmation."))
                }
                (typed_field(values, errors, "phone", "Phone", Typed { html_type: "tel", inputmode: None, autocomplete: Some("tel") },
                    "Your therapist calls if they are running late."))
                button type="submit" { "Confirm booking" }
            }
        };
        Ok((status, self.frame().page("Your details", body)).into_response())
    }

    /// Step 5: what was booked.
    async fn confirmation(&self, booked: Booked) -> Result<Response, WebError> {
        let b = booked.created.booking();
        let tz = self.tz();
        let names = therapist_names(self.app, b).await?;
        let clinics = self.app.store().clinics().await?;
        // The booking's own signed-in client manages it from their account; anyone else (a guest, or a
        // manager booking for a caller) needs the private link.
        let own = self.caller.is_some_and(|c| b.client_user_id == Some(c.user.id));
        let manage_url = booked.manage_token.as_ref().filter(|_| !own).map(|t| manage_link(b.id.0, Some(t), None));
        let replayed = booked.manage_token.is_none() && matches!(booked.created, knead_store::Created::Replayed(_));
        let body = html! {
            (steps(5))
            h1 { "You're booked" }
            @if replayed { p.notice role="status" { "This booking was already made; here it is again." } }
            (booking_facts(&tz, b, &self.service, &names, &clinics))
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

fn place_is_mobile(place: PlaceQuery) -> bool {
    matches!(place, PlaceQuery::Point(_))
}

/// The offered starts grouped by local day, for `days` days from `from` (days without starts too).
fn slots_by_day(tz: &TimeZone, slots: &[OfferedSlot], from: Date, days: i64) -> Vec<(Date, Vec<(String, String)>)> {
    let mut out: Vec<(Date, Vec<(String, String)>)> = (0..days).map(|i| (from + i.days(), Vec::new())).collect();
    for slot in slots {
        let Ok(start) = slot.start.parse::<Timestamp>() else { continue };
        let date = local_date(tz, start);
        if let Some((_, times)) = out.iter_mut().find(|(d, _)| *d == date) {
            times.push((clock(tz, start), slot.start.clone()));
        }
    }
    out
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

/// Fills the coordinates from the device's location, where the browser can; the form works without it.
fn use_location_script() -> Markup {
    html! {
        script {
            (PreEscaped(r#"(function(){var b=document.getElementById('use-location');if(!b||!navigator.geolocation)return;b.hidden=false;
b.addEventListener('click',function(){b.disabled=true;navigator.geolocation.getCurrentPosition(function(p){
document.getElementById('lat').value=p.coords.latitude.toFixed(5);document.getElementById('lon').value=p.coords.longitude.toFixed(5);
b.disabled=false;b.textContent='Location filled in';},function(){b.disabled=false;b.textContent='Location unavailable; type it in';});});})();"#))
        }
    }
}

fn manage_link(id: i64, token: Option<&str>, done: Option<&str>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    if let Some(t) = token {
        query.append_pair("token", t);
    }
    if let Some(d) = done {
        query.append_pair("done", d);
    }
    let query = query.finish();
    if query.is_empty() {
        format!("/bookings/{id}/manage")
    } else {
        format!("/bookings/{id}/manage?{query}")
    }
}

async fn therapist_names(app: &AppState, b: &Booking) -> Result<Vec<String>, WebError> {
    let all = app.store().list_therapists(true).await?;
    Ok(b.visits.iter().filter_map(|v| all.iter().find(|t| t.id == v.therapist_id).map(|t| t.name.clone())).collect())
}

fn booking_facts(tz: &TimeZone, b: &Booking, service: &Service, names: &[String], clinics: &[Clinic]) -> Markup {
    let place = match (b.clinic_id, b.address.as_deref()) {
        (Some(id), _) => clinics
            .iter()
            .find(|c| c.id == id)
            .map_or_else(|| "Clinic".to_string(), |c| format!("{}, {}", c.name, c.address)),
        (None, Some(a)) if !a.trim().is_empty() => a.to_string(),
        (None, _) => "At your place".into(),
    };
    html! {
        dl.facts.booking {
            dt { "Service" } dd { (service.name) }
            dt { "When" } dd #booking-when { (when_text(tz, b.start, b.end)) }
            dt { @if names.len() > 1 { "Therapists" } @else { "Therapist" } } dd #booking-therapists { (names.join(" and ")) }
            dt { "Where" } dd { (place) }
            dt { "Price" } dd { (format_cents(b.price_cents)) }
            dt { "Travel fee" } dd { @if b.travel_fee_cents == 0 { "None" } @else { (format_cents(b.travel_fee_cents)) } }
            dt { "Total" } dd { strong { (format_cents(b.price_cents + b.travel_fee_cents)) } }
            dt { "Status" } dd #booking-status { @match b.status { BookingStatus::Confirmed => "Confirmed", BookingStatus::Cancelled => "Cancelled" } }
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// The steps' handlers.

/// Step 1: the services a client can book online.
async fn choose_service(State(app): State<AppState>, caller: MaybeCaller) -> Result<Response, WebError> {
    let services: Vec<Service> = app.store().list_services(false).await?.into_iter().filter(bookable_online).collect();
    let body = html! {
        (steps(1))
        h1 { "Book a massage" }
        p.lead { "Choose a service; next you tell us where, then pick a time." }
        div.grid {
            @for s in &services {
                article.card {
                    h2.card-title { (s.name) }
                    p.meta { (super::minutes(s.duration_minutes)) " · " (format_cents(s.price_cents)) " · " (s.place.label())
                        @if s.kind == Kind::Couples { " · for two" } }
                    @if !s.description.is_empty() { p { (super::first_sentence(&s.description)) } }
                    p { a.button href={ "/book/where?service_id=" (s.id.0) } aria-label={ "Book " (s.name) } { "Choose" } }
                }
            }
        }
        p.hint { "Office chair days and spa parties are planned with us: please call or write." }
    };
    Ok(Frame::new(&app, &caller).page("Book", body).into_response())
}

async fn choose_place(
    State(app): State<AppState>,
    caller: MaybeCaller,
    RawQuery(q): RawQuery,
) -> Result<Response, WebError> {
    let b = Booker::load(&app, &caller, Flow::from_query(q)).await?;
    b.where_page(&ValidationErrors::default(), StatusCode::OK).await
}

async fn choose_time(
    State(app): State<AppState>,
    caller: MaybeCaller,
    RawQuery(q): RawQuery,
) -> Result<Response, WebError> {
    let b = Booker::load(&app, &caller, Flow::from_query(q)).await?;
    b.when_page(None, ValidationErrors::default(), StatusCode::OK).await
}

async fn details(
    State(app): State<AppState>,
    caller: MaybeCaller,
    RawQuery(q): RawQuery,
) -> Result<Response, WebError> {
    let b = Booker::load(&app, &caller, Flow::from_query(q)).await?;
    b.details_page(&Values::default(), &ValidationErrors::default(), StatusCode::OK).await
}

/// A browser session must send its CSRF token; a guest has no session to forge, and a bearer token is
/// not sent by browsers on their own.
fn check_session_csrf(caller: &MaybeCaller, form: &FormPairs) -> Result<(), WebError> {
    match &caller.0 {
        Some(c) if matches!(c.via, Via::Session { .. }) => c.check_csrf(form.get("csrf")),
        _ => Ok(()),
    }
}

/// The last step: books, or shows the step whose input was refused.
async fn confirm(State(app): State<AppState>, caller: MaybeCaller, form: FormPairs) -> Result<Response, WebError> {
    check_session_csrf(&caller, &form)?;
    let b = Booker::load(&app, &caller, Flow::from_pairs(&form.0)).await?;
    let details =
        Values(form.0.iter().filter(|(k, _)| ["name", "email", "phone"].contains(&k.as_str())).cloned().collect());
    let contact = match b.caller.filter(|_| b.is_client()) {
        Some(c) => ContactInput {
            name: c.user.name.clone(),
            email: c.user.email.as_str().to_string(),
            phone: form.get("phone").to_string(),
        },
        None => ContactInput {
            name: form.get("name").to_string(),
            email: form.get("email").to_string(),
            phone: form.get("phone").to_string(),
        },
    };
    let place = match b.place() {
        Ok(p) => p,
        Err(e) => return b.where_page(&e, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let therapist = match b.therapist_id() {
        Ok(t) => t,
        Err(e) => return b.when_page(None, e, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let (lat, lon, clinic_id, address) = match place {
        PlaceQuery::Point(at) => (Some(at.lat), Some(at.lon), None, Some(b.flow.address.clone())),
        PlaceQuery::Clinic(id) => (None, None, Some(id.0), None),
    };
    let input = BookingInput {
        service_id: b.service.id.0,
        start: b.flow.start.clone(),
        therapist_ids: therapist.map(|t| vec![t.0]),
        lat,
        lon,
        address,
        clinic_id,
        client: Some(contact),
    };
    let request = match input.validate() {
        Ok(r) => r,
        Err(e) => return b.refused(e, &details).await,
    };
    let key = Some(form.get("booking_key").trim()).filter(|k| !k.is_empty() && k.len() <= 200).map(str::to_string);
    // What was asked, so the same key with a changed form is told apart from a retry.
    let mut asked: Vec<&(String, String)> = form.0.iter().filter(|(k, _)| k != "csrf" && k != "booking_key").collect();
    asked.sort();
    let fingerprint = hex::encode(Sha256::digest(format!("{asked:?}").as_bytes()));
    match booking::book(app.store().as_ref(), &request, b.caller, key, fingerprint, app.now()).await {
        Ok(booked) => {
            tracing::info!(booking_id = booked.created.booking().id.0, "booked through the pages");
            b.confirmation(booked).await
        }
        Err(WebError::Conflict(e)) if e.code == "slot_taken" => {
            let tz = b.tz();
            let date = local_date(&tz, request.start).to_string();
            let again = Booker {
                flow: b.flow.with(|f| {
                    f.date = date;
                    f.start.clear();
                }),
                ..b
            };
            again
                .when_page(
                    Some("That time was just taken — please pick another."),
                    ValidationErrors::default(),
                    StatusCode::CONFLICT,
                )
                .await
        }
        Err(WebError::Invalid(e)) if e.0.iter().any(|x| x.field == "Idempotency-Key") => {
            let e = ValidationErrors::single(
                "key_reused",
                "form",
                "this form was already used for another booking; please confirm again",
            );
            b.details_page(&details, &e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(WebError::Invalid(e)) => b.refused(e, &details).await,
        Err(other) => Err(other),
    }
}

// ---------------------------------------------------------------------------------------------------
// Managing a booking: by its guest link, by its client signed in, or by a manager.

#[derive(Debug, Default, serde::Deserialize)]
struct ManageQuery {
    token: Option<String>,
    date: Option<String>,
    done: Option<String>,
}

fn is_manager(caller: &MaybeCaller) -> bool {
    caller.0.as_ref().is_some_and(|c| c.user.role == Role::Manager)
}

async fn manage_page(
    State(app): State<AppState>,
    caller: MaybeCaller,
    AppPath(id): AppPath<i64>,
    AppQuery(q): AppQuery<ManageQuery>,
) -> Result<Response, WebError> {
    let token = q.token.as_deref().filter(|t| !t.is_empty());
    let booking = managed_booking(&app, &caller, id, token).await?;
    let notice = match q.done.as_deref() {
        Some("cancelled") => Some("Your booking is cancelled."),
        Some("moved") => Some("Your booking was moved to the new time."),
        _ => None,
    };
    render_manage(
        &app,
        &caller,
        &booking,
        token,
        q.date.as_deref(),
        notice,
        &ValidationErrors::default(),
        StatusCode::OK,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn render_manage(
    app: &AppState,
    caller: &MaybeCaller,
    b: &Booking,
    token: Option<&str>,
    date: Option<&str>,
    notice: Option<&str>,
    errors: &ValidationErrors,
    status: StatusCode,
) -> Result<Response, WebError> {
    let store = app.store();
    let settings = store.practice_settings().await?;
    let tz = settings.zone();
    let now = app.now();
    let service = store.service(b.service_id).await.not_found_as("service")?;
    let names = therapist_names(app, b).await?;
    let clinics = store.clinics().await?;
    let manager = is_manager(caller);
    let changeable = b.status == BookingStatus::Confirmed && b.start > now;
    let within_policy = manager || settings.may_change(b.start, now);
    let today = calendar::today(&tz, now);
    let mut date_errors = ValidationErrors::default();
    let from = match date.map(str::trim).filter(|d| !d.is_empty()).map(str::parse::<Date>) {
        None => local_date(&tz, b.start).max(today),
        Some(Ok(d)) => d.max(today),
        Some(Err(_)) => {
            date_errors.push(FieldError::new("invalid", "date", "must be a date like 2026-12-01"));
            local_date(&tz, b.start).max(today)
        }
    };
    // Starts for the same service at the same place; the booking's own time is not offered back.
    let slots = if changeable && within_policy {
        let place = match (b.clinic_id, b.lat, b.lon) {
            (Some(c), _, _) => Some(PlaceQuery::Clinic(c)),
            (None, Some(lat), Some(lon)) => Some(PlaceQuery::Point(GeoPoint { lat, lon })),
            _ => None,
        };
        match place {
            Some(place) => {
                let q =
                    AvailabilityQuery { service_id: b.service_id, place, from, days: DAYS_SHOWN, therapist_id: None };
                booking::availability(store.as_ref(), app.calendar(), &q, now)
                    .await
                    .map_err(|e| e.body().errors.into_iter().map(|x| x.detail).collect::<Vec<_>>().join(" "))
            }
            None => Err("this booking has no place to search from".to_string()),
        }
    } else {
        Ok(Vec::new())
    };
    let days = slots.as_ref().map(|s| slots_by_day(&tz, s, from, DAYS_SHOWN)).unwrap_or_default();
    // A refused new start is shown beside the times; anything else (the notice policy) above the booking.
    let times_shown = changeable && within_policy;
    let beside_times = |e: &&FieldError| times_shown && e.field == "start" && e.code != "too_late";
    let start_error = errors.0.iter().find(beside_times).map(|e| e.detail.as_str());
    let others: Vec<&FieldError> = errors.0.iter().filter(|e| !beside_times(e)).collect();
    let mut date_values = Values::default();
    date_values.set("date", from.to_string());
    let csrf = csrf_field(caller.0.as_ref());
    let token_field = html! { @if let Some(t) = token { input type="hidden" name="token" value=(t); } };
    let action = |what: &str| format!("/bookings/{}/manage/{what}", b.id.0);
    let body = html! {
        h1 { "Your booking" }
        @if let Some(n) = notice { p.notice role="status" { (n) } }
        @if !others.is_empty() {
            div.error-summary role="alert" { @for e in &others { p { (e.detail) } } }
        }
        (booking_facts(&tz, b, &service, &names, &clinics))
        @if changeable {
            @if !within_policy {
                p.error-summary role="note" {
                    "Changes need at least " (settings.cancel_notice_hours) " hours' notice, so this booking can no longer be "
                    "changed here. Please call the practice."
                }
            } @else {
                p.hint { "You can move or cancel up to " (settings.cancel_notice_hours) " hours before the start." }
                h2 { "Move to another time" }
                form.row.when-form method="get" action={ "/bookings/" (b.id.0) "/manage" } {
                    (token_field)
                    (typed_field(&date_values, &date_errors, "date", "From date", DATE, ""))
                    div.field.submit { button.secondary type="submit" { "Show times" } }
                }
                @match &slots {
                    Err(why) => { p.error-summary { "Times cannot be listed: " (why) } }
                    Ok(_) => {
                        form.stack method="post" action=(action("reschedule")) {
                            (csrf) (token_field)
                            fieldset #start .invalid[start_error.is_some()] aria-describedby=[start_error.map(|_| "start-error")] {
                                legend { "New start" }
                                @if let Some(e) = start_error { span.error #start-error { (e) } }
                                @for (day, times) in &days {
                                    div.slot-day {
                                        h3 { (day_heading(*day)) }
                                        @if times.is_empty() { p.meta { "No free times." } }
                                        @else {
                                            div.radio-slots {
                                                @for (label, start) in times {
                                                    label.slot { input type="radio" name="start" value=(start) required; " " (label) }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                            button type="submit" { "Move my booking" }
                        }
                    }
                }
                h2 { "Cancel" }
                form.stack method="post" action=(action("cancel")) {
                    (csrf) (token_field)
                    button.danger type="submit" { "Cancel this booking" }
                }
            }
        }
        p { a href="/" { "Back to the home page" } }
    };
    Ok((status, Frame::new(app, caller).page("Your booking", body)).into_response())
}

/// The booking a cancel or reschedule form names, after the same checks as the page.
async fn posted_booking(app: &AppState, caller: &MaybeCaller, id: i64, form: &FormPairs) -> Result<Booking, WebError> {
    check_session_csrf(caller, form)?;
    let token = Some(form.get("token")).filter(|t| !t.is_empty());
    managed_booking(app, caller, id, token).await
}

async fn cancel(
    State(app): State<AppState>,
    caller: MaybeCaller,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let b = posted_booking(&app, &caller, id, &form).await?;
    let token = Some(form.get("token")).filter(|t| !t.is_empty());
    match booking::cancel(app.store().as_ref(), &b, is_manager(&caller), app.now()).await {
        Ok(_) => {
            tracing::info!(booking_id = id, "cancelled through the pages");
            Ok(Redirect::to(&manage_link(id, token, Some("cancelled"))).into_response())
        }
        Err(WebError::Invalid(e)) => {
            render_manage(&app, &caller, &b, token, None, None, &e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(other) => Err(other),
    }
}

async fn reschedule(
    State(app): State<AppState>,
    caller: MaybeCaller,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let b = posted_booking(&app, &caller, id, &form).await?;
    let token = Some(form.get("token")).filter(|t| !t.is_empty());
    let start = match parse_instant("start", form.get("start")) {
        Ok(s) => s,
        Err(_) => {
            let e = ValidationErrors::single("required", "start", "choose one of the new times");
            return render_manage(&app, &caller, &b, token, None, None, &e, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    match booking::reschedule(app.store().as_ref(), &b, start, None, is_manager(&caller), app.now()).await {
        Ok(_) => {
            tracing::info!(booking_id = id, "rescheduled through the pages");
            Ok(Redirect::to(&manage_link(id, token, Some("moved"))).into_response())
        }
        Err(WebError::Invalid(e)) => {
            render_manage(&app, &caller, &b, token, None, None, &e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(WebError::Conflict(e)) => {
            let e = ValidationErrors::single(e.code, "start", "that time was just taken; pick another");
            render_manage(&app, &caller, &b, token, None, None, &e, StatusCode::CONFLICT).await
        }
        Err(other) => Err(other),
    }
}
