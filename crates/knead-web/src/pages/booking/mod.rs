//! The client's booking flow (`/book`) and the page where a booking is managed (`manage`).
//!
//! The flow is a chain of GET pages that carry what was chosen so far in the query string — service,
//! then place, then time (and who), then contact details — ending in one POST that books. It needs no
//! script, and a phone's back button returns to any step as it was. Each step checks what came before
//! it again, so a hand-edited link shows the earlier step with the message beside its field.
//!
//! Availability and booking are `knead_app::booking`'s; these handlers read forms, call it, and hand what
//! they loaded to the step views in `steps`.

mod details;
mod facts;
mod manage;
mod steps;
mod triage;
mod waiting;

use super::Frame;
use crate::auth::{Caller, MaybeCaller, Via};
use crate::error::field_errors;
use crate::error::WebError;
use crate::extract::FormPairs;
use crate::routes::{get, post, Routes};
use crate::state::AppState;
use crate::ui::Values;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::tz::TimeZone;
use knead_app::booking;
use knead_app::catalog::{Services, Therapists};
use knead_app::listing::{self, Audience};
use knead_app::places::{self, AddressProblem, FoundPlace};
use knead_app::{calendar, AppError};
use knead_core::booking::{BookingInput, Clinic, ClinicId, ContactInput, Location};
use knead_core::calendar::{local_date, PracticeSettings};
use knead_core::{FieldError, Gender, Place, Role, Service, TherapistId, ValidationErrors};
use maud::{html, Markup};
use sha2::{Digest, Sha256};

pub fn router() -> Routes {
    Routes::new()
        .route("/book", get(steps::choose_service).post(confirm))
        .route("/book/where", get(choose_place))
        .route("/book/why", get(triage::why))
        .route("/book/screening", get(triage::screening_page).post(triage::screen))
        .route("/book/when", get(choose_time))
        .route("/book/details", get(details))
        .route("/book/waitlist", get(waiting::waitlist_form).post(waiting::join_waitlist))
        .route("/waitlist/{id}", get(waiting::entry_page))
        .route("/waitlist/{id}/book", post(waiting::take_offer))
        .route("/waitlist/{id}/leave", post(waiting::leave))
        .route("/manage/waitlist", get(waiting::manage_list))
        .route("/bookings/{id}/manage", get(manage::page))
        .route("/bookings/{id}/calendar.ics", get(manage::calendar_file))
        .route("/bookings/{id}/manage/health", get(manage::health_page).post(manage::add_health))
        .route("/bookings/{id}/manage/cancel", post(manage::cancel))
        .route("/bookings/{id}/manage/reschedule", post(manage::reschedule))
}

/// Where the address fields' script (suggestions, "use my location") is served.
pub(crate) const ADDRESS_SCRIPT_PATH: &str = "/static/address.js";
const ADDRESS_JS: &str = include_str!("../../../assets/address.js");

/// The address fields' script, as a file so that no page needs inline script.
pub(super) async fn address_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
        ],
        ADDRESS_JS,
    )
}

/// How many days of start times the time step lists at once.
const DAYS_SHOWN: i64 = 4;

/// What the client has chosen so far, as typed, carried from step to step in the query string.
#[derive(Debug, Default, Clone)]
struct Flow {
    service_id: String,
    address: String,
    /// Apartment, unit, buzzer: kept beside the address the map found.
    unit: String,
    lat: String,
    lon: String,
    clinic_id: String,
    /// What brings the client (a `VisitReason`), and the service's add-ons chosen (by name).
    reason: String,
    add_ons: Vec<String>,
    /// The red-flag screening made for this booking: unguessable, so it may travel in a link.
    screening_id: String,
    /// The client record staff book for ("Book for this client").
    client_id: String,
    therapist_id: String,
    /// The therapist's gender the client asked for (`female`, `male`, `non_binary`), or empty for anyone.
    therapist_gender: String,
    date: String,
    start: String,
}

impl Flow {
    fn from_pairs(pairs: &[(String, String)]) -> Flow {
        let get =
            |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
        let mut add_ons: Vec<String> = Vec::new();
        for (_, v) in pairs.iter().filter(|(k, v)| k == "add_ons" && !v.trim().is_empty()) {
            if !add_ons.iter().any(|a| a == v.trim()) {
                add_ons.push(v.trim().to_string());
            }
        }
        Flow {
            service_id: get("service_id"),
            address: get("address"),
            unit: get("unit"),
            lat: get("lat"),
            lon: get("lon"),
            clinic_id: get("clinic_id"),
            reason: get("reason"),
            add_ons,
            screening_id: get("screening_id"),
            client_id: get("client_id"),
            therapist_id: get("therapist_id"),
            therapist_gender: get("therapist_gender"),
            date: get("date"),
            start: get("start"),
        }
    }

    fn from_query(query: Option<String>) -> Flow {
        let pairs: Vec<(String, String)> =
            form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect();
        Flow::from_pairs(&pairs)
    }

    fn pairs(&self) -> Vec<(&'static str, &str)> {
        let mut out = vec![
            ("service_id", self.service_id.as_str()),
            ("address", &self.address),
            ("unit", &self.unit),
            ("lat", &self.lat),
            ("lon", &self.lon),
            ("clinic_id", &self.clinic_id),
            ("reason", &self.reason),
        ];
        out.extend(self.add_ons.iter().map(|a| ("add_ons", a.as_str())));
        out.extend([
            ("screening_id", self.screening_id.as_str()),
            ("client_id", &self.client_id),
            ("therapist_id", &self.therapist_id),
            ("therapist_gender", &self.therapist_gender),
            ("date", &self.date),
            ("start", &self.start),
        ]);
        out
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
    Why,
    Screening,
    When,
    Details,
}

fn step_of(field: &str) -> Step {
    match field {
        "lat" | "lon" | "clinic_id" | "address" | "unit" => Step::Where,
        "reason" | "add_ons" => Step::Why,
        "screening_id" => Step::Screening,
        "start" | "date" | "therapist_id" | "therapist_ids" | "therapist_gender" => Step::When,
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
        // The pages never show coordinates: a problem with the point is a problem with the address.
        "lat" | "lon" => "address".into(),
        // Availability's first date is the time step's date field.
        "from" => "date".into(),
        other => other.into(),
    }
}

fn renamed(errors: ValidationErrors) -> ValidationErrors {
    ValidationErrors(errors.0.into_iter().map(|e| FieldError { field: page_field(&e.field), ..e }).collect())
}

/// A number typed into the flow; `None` (with an error) when it is not one, `None` when left empty.
fn number(e: &mut ValidationErrors, field: &str, text: &str, example: &str) -> Option<f64> {
    if text.is_empty() {
        return None;
    }
    let parsed = text.parse::<f64>().ok().filter(|v| v.is_finite());
    if parsed.is_none() {
        e.push(FieldError::new("invalid_type", field, format!("must be a number, e.g. {example}")));
    }
    parsed
}

/// One request's view of the flow: who is booking, the practice's settings and the chosen service.
struct Booker<'a> {
    state: &'a AppState,
    caller: Option<&'a Caller>,
    settings: PracticeSettings,
    service: Service,
    flow: Flow,
    /// Why the typed address could not be used, with the places it might mean (for the where step).
    address_refused: Option<(ValidationErrors, Vec<FoundPlace>)>,
}

impl<'a> Booker<'a> {
    async fn load(state: &'a AppState, caller: &'a MaybeCaller, flow: Flow) -> Result<Booker<'a>, WebError> {
        let id: i64 = flow.service_id.parse().map_err(|_| WebError::not_found("service"))?;
        let service = listing::get::<Services>(state.app(), id, Audience::Public).await?;
        if !service.bookable_online() {
            return Err(WebError::not_found("service"));
        }
        let settings = calendar::settings(state.app()).await?;
        Ok(Booker { state, caller: caller.0.as_ref(), settings, service, flow, address_refused: None })
    }

    /// As [`Booker::load`], with a newly typed address looked up in the practice's map: found, the flow
    /// carries the map's label and point on; not, the where step shows why and what it might mean.
    async fn load_located(state: &'a AppState, caller: &'a MaybeCaller, flow: Flow) -> Result<Booker<'a>, WebError> {
        let mut b = Booker::load(state, caller, flow).await?;
        let typed_only = b.flow.lat.is_empty() && b.flow.lon.is_empty() && !b.flow.address.is_empty();
        if b.service.place == Place::Clinic || b.flow.for_clinic() || !typed_only {
            return Ok(b);
        }
        match places::locate(state.app(), "address", &b.flow.address).await {
            Ok(found) => {
                b.flow.address = found.label;
                b.flow.lat = found.at.lat.to_string();
                b.flow.lon = found.at.lon.to_string();
            }
            Err(AppError::Address(AddressProblem::Ambiguous { field, candidates })) => {
                let e = AppError::Address(AddressProblem::Ambiguous { field, candidates: candidates.clone() });
                b.address_refused = Some((field_errors(&e).unwrap_or_default(), candidates));
            }
            Err(AppError::Address(AddressProblem::NotFound { field })) => {
                // The closest the map has: what resembles the text, else the addresses on the street typed.
                let mut near = places::search(state.app(), &b.flow.address, 5).await.unwrap_or_default();
                if near.is_empty() {
                    let street: String = b.flow.address.chars().filter(|c| !c.is_ascii_digit()).collect();
                    if !street.trim().is_empty() {
                        near = places::search(state.app(), street.trim(), 5).await.unwrap_or_default();
                    }
                }
                let e = AppError::Address(AddressProblem::NotFound { field });
                b.address_refused = Some((field_errors(&e).unwrap_or_default(), near));
            }
            Err(e) => match field_errors(&e) {
                Some(errors) => b.address_refused = Some((errors, Vec::new())),
                None => return Err(e.into()),
            },
        }
        Ok(b)
    }

    /// The booking's service, time, place and therapist as the API takes them.
    fn slot_input(&self, place: Location, therapist: Option<TherapistId>) -> BookingInput {
        let (lat, lon, clinic_id, address) = match place {
            Location::Point(at) => (Some(at.lat), Some(at.lon), None, Some(self.full_address())),
            Location::Clinic(ClinicId(id)) => (None, None, Some(id), None),
        };
        BookingInput {
            service_id: self.service.id.0,
            start: self.flow.start.clone(),
            therapist_ids: therapist.map(|t| vec![t.0]),
            lat,
            lon,
            address,
            clinic_id,
            add_ons: self.flow.add_ons.clone(),
            therapist_gender: Some(self.flow.therapist_gender.clone()).filter(|g| !g.is_empty()),
            ..Default::default()
        }
    }

    /// The address as the therapist reads it: the map's label, then the unit or buzzer.
    fn full_address(&self) -> String {
        match self.flow.unit.as_str() {
            "" => self.flow.address.clone(),
            unit => format!("{}, {unit}", self.flow.address),
        }
    }

    fn frame(&self) -> Frame<'a> {
        Frame { state: self.state, caller: self.caller }
    }

    fn tz(&self) -> &TimeZone {
        self.settings.zone()
    }

    fn couples(&self) -> bool {
        self.service.therapists_needed() > 1
    }

    fn is_client(&self) -> bool {
        self.caller.is_some_and(|c| c.user.role == Role::Client)
    }

    /// The place chosen, or the where-step's errors: the flow's text read as numbers, then the one place rule.
    fn place(&self) -> Result<Location, ValidationErrors> {
        if self.service.place == Place::Clinic && !self.flow.for_clinic() {
            return Err(ValidationErrors::single("required", "clinic_id", "choose one of the clinics"));
        }
        if let Some((errors, _)) = &self.address_refused {
            return Err(errors.clone());
        }
        let mut e = ValidationErrors::default();
        let (lat, lon, clinic) = if self.flow.for_clinic() {
            let clinic = self
                .flow
                .clinic_id
                .parse::<i64>()
                .map_err(|_| ValidationErrors::single("invalid", "clinic_id", "choose one of the clinics"))?;
            (None, None, Some(clinic))
        } else if self.flow.address.is_empty() {
            return Err(ValidationErrors::single(
                "required",
                "address",
                "type the street address where the visit happens, e.g. 11 Main Street",
            ));
        } else {
            // Filled by the lookup above, never typed: a hand-edited link gets the address looked up again.
            let lat = number(&mut e, "address", &self.flow.lat, "a looked-up address");
            let lon = number(&mut e, "address", &self.flow.lon, "a looked-up address");
            (lat, lon, None)
        };
        e.text("address", &self.flow.address, 0, 300);
        e.text("unit", &self.flow.unit, 0, 100);
        if !e.is_empty() {
            return Err(e);
        }
        Location::parse(lat, lon, clinic).map_err(|x| ValidationErrors(vec![x]))
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

    /// The gender the client asked for; a value not on the list is an error on the time step.
    fn therapist_gender(&self) -> Result<Option<Gender>, ValidationErrors> {
        Gender::parse_field("therapist_gender", Some(&self.flow.therapist_gender))
            .map_err(|e| ValidationErrors(vec![e]))
    }

    /// Who offers this service, by name, with their stated gender: the choices beside "any therapist".
    async fn therapists(&self) -> Result<Vec<(TherapistId, String, Option<Gender>)>, WebError> {
        let app = self.state.app();
        let offering: Vec<(TherapistId, Option<Gender>)> = calendar::schedules(app)
            .await?
            .into_iter()
            .filter(|s| s.offers(self.service.id))
            .map(|s| (s.therapist_id, s.gender))
            .collect();
        let mut named: Vec<(TherapistId, String, Option<Gender>)> = listing::list::<Therapists>(app, Audience::Public)
            .await?
            .into_iter()
            .filter_map(|t| offering.iter().find(|(id, _)| *id == t.id).map(|&(id, g)| (id, t.name, g)))
            .collect();
        named.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(named)
    }

    async fn clinic(&self, place: Location) -> Result<Option<Clinic>, WebError> {
        Ok(match place {
            Location::Clinic(id) => calendar::clinics(self.state.app()).await?.into_iter().find(|c| c.id == id),
            Location::Point(_) => None,
        })
    }

    async fn place_text(&self, place: Location) -> Result<String, WebError> {
        Ok(match self.clinic(place).await? {
            Some(c) => c.name,
            None if !self.flow.address.is_empty() => self.full_address(),
            None => "At your place".into(),
        })
    }

    /// Shows a refused choice at the earliest step it concerns.
    async fn refused(&self, errors: ValidationErrors, details: &Values) -> Result<Response, WebError> {
        let errors = renamed(errors);
        let step = errors.0.iter().map(|e| step_of(&e.field)).min().unwrap_or(Step::Details);
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        match step {
            Step::Where => self.where_page(&errors, status).await,
            Step::Why => self.why_page(&errors, status).await,
            Step::Screening => Ok(self.screening_form(&Values::default(), &errors, status)),
            Step::When => self.when_page(None, errors, status).await,
            Step::Details => self.details_page(details, &errors, status).await,
        }
    }
}

async fn choose_place(
    State(state): State<AppState>,
    caller: MaybeCaller,
    RawQuery(q): RawQuery,
) -> Result<Response, WebError> {
    let b = Booker::load(&state, &caller, Flow::from_query(q)).await?;
    b.where_page(&ValidationErrors::default(), StatusCode::OK).await
}

async fn choose_time(
    State(state): State<AppState>,
    caller: MaybeCaller,
    RawQuery(q): RawQuery,
) -> Result<Response, WebError> {
    let b = Booker::load_located(&state, &caller, Flow::from_query(q)).await?;
    b.when_page(None, ValidationErrors::default(), StatusCode::OK).await
}

async fn details(
    State(state): State<AppState>,
    caller: MaybeCaller,
    RawQuery(q): RawQuery,
) -> Result<Response, WebError> {
    let b = Booker::load_located(&state, &caller, Flow::from_query(q)).await?;
    b.details_page(&Values::default(), &ValidationErrors::default(), StatusCode::OK).await
}

/// A browser session must send its CSRF token; a guest has no session to forge, and a bearer token is
/// not sent by browsers on their own.
pub(crate) fn check_session_csrf(caller: &MaybeCaller, form: &FormPairs) -> Result<(), WebError> {
    match &caller.0 {
        Some(c) if matches!(c.via, Via::Session { .. }) => c.check_csrf(form.get("csrf")),
        _ => Ok(()),
    }
}

/// The last step: books, or shows the step whose input was refused.
async fn confirm(State(state): State<AppState>, caller: MaybeCaller, form: FormPairs) -> Result<Response, WebError> {
    check_session_csrf(&caller, &form)?;
    let b = Booker::load_located(&state, &caller, Flow::from_pairs(&form.0)).await?;
    let details = Values::from_form(form.0.clone());
    let picked = b.picked_client().await?;
    let (name, email, phone) = match (&picked, b.caller.filter(|_| b.is_client())) {
        (Some(client), _) => (client.name.clone(), client.email.as_str().to_string(), client.phone.clone()),
        (None, Some(c)) => (c.user.name.clone(), c.user.email.as_str().to_string(), form.get("phone").to_string()),
        (None, None) => (form.get("name").to_string(), form.get("email").to_string(), form.get("phone").to_string()),
    };
    let contact = ContactInput { name, email, phone };
    let place = match b.place() {
        Ok(p) => p,
        Err(e) => return b.where_page(&e, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let therapist = match b.therapist_id() {
        Ok(t) => t,
        Err(e) => return b.when_page(None, e, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let health = match details::health_answer(&details) {
        Ok(h) => h,
        Err(e) => return b.details_page(&details, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let history_given = !matches!(health, details::HealthAnswer::None);
    let optional = |text: &str| Some(text.trim().to_string()).filter(|t| !t.is_empty());
    let input = BookingInput {
        // Staff booking for a client book with the record's contact details.
        client: picked.is_none().then_some(contact),
        reason: optional(&b.flow.reason),
        screening_id: optional(&b.flow.screening_id),
        add_ons: b.flow.add_ons.clone(),
        notes: optional(form.get("notes")),
        // Not a number is an error naming the field, never a quiet "exactly on time".
        arrival_window_minutes: match form.get("arrival_window_minutes").trim() {
            "" => None,
            text => Some(text.parse().unwrap_or(-1)),
        },
        client_id: picked.as_ref().map(|c| c.id.0),
        intake: match health {
            details::HealthAnswer::New(input) => Some(*input),
            _ => None,
        },
        ..b.slot_input(place, therapist)
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
    let user = b.caller.map(|c| &c.user);
    let repeat = match waiting::repeat_asked(&form) {
        Ok(r) => r,
        Err(e) => return b.details_page(&details, &e, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let booked = match repeat {
        None => booking::book(state.app(), &request, user, key, fingerprint).await.map(|b| (b, None)),
        Some(repeat) => {
            waiting::book_series(&b, &request, repeat, user, key, &fingerprint).await.map(|(b, list)| (b, Some(list)))
        }
    };
    match booked {
        Ok((booked, series)) => {
            tracing::info!(
                booking_id = booked.booking.id.0,
                status = booked.booking.status.as_str(),
                "booked through the pages"
            );
            b.confirmation(booked, history_given, series).await
        }
        Err(AppError::Unavailable(_)) => {
            let date = local_date(b.tz(), request.start).to_string();
            let again = Booker {
                flow: b.flow.with(|f| {
                    f.date = date;
                    f.start.clear();
                }),
                ..b
            };
            let notice = Some("That time was just taken — please pick another.");
            again.when_page(notice, ValidationErrors::default(), StatusCode::CONFLICT).await
        }
        Err(AppError::KeyReused) => {
            let e = ValidationErrors::single(
                "key_reused",
                "form",
                "this form was already used for another booking; please confirm again",
            );
            b.details_page(&details, &e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        // The screening or the health history rules the booking out: say why; nothing was booked.
        Err(AppError::Invalid(e)) if e.0.iter().any(|x| x.code == "red_flag_emergency") => {
            Ok(crate::pages::intake::emergency_page(&b.frame(), &[]))
        }
        Err(AppError::Invalid(e)) if e.0.iter().any(|x| x.code == "contraindicated") => {
            let why = ValidationErrors(e.0.into_iter().filter(|x| x.code == "contraindicated").collect());
            Ok(crate::pages::intake::contraindicated_page(&b.frame(), &why))
        }
        Err(AppError::Invalid(e)) => b.refused(e, &details).await,
        Err(other) => Err(other.into()),
    }
}
