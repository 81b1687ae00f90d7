//! The client's side of intake: the health-history form (`form`, also used by the booking flow and the
//! manage link), the pages that stop a booking (the emergency guidance, a contraindication), and a signed-in
//! client's own health history at `/account/health`.

pub(crate) mod form;

use crate::auth::SignedIn;
use crate::error::WebError;
use crate::extract::FormPairs;
use crate::pages::Frame;
use crate::routes::{get, Routes};
use crate::state::AppState;
use crate::ui::{csrf_field, error_summary_named, full_date, notice, Values};
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use knead_app::{clients, intake, AppError};
use knead_core::intake::screening::Reason;
use knead_core::intake::{IntakeVersion, Level};
use knead_core::{Role, ValidationErrors};
use maud::{html, Markup};

pub fn router() -> Routes {
    Routes::new().route("/account/health", get(own_history).post(save_own_history))
}

/// The date a history version was given, as the practice writes dates.
pub(crate) fn version_date(v: &IntakeVersion) -> String {
    let locale = crate::pages::page_locale();
    full_date(v.created_at.to_zoned(locale.zone).date())
}

/// The guidance when a screening finds an emergency: go today, do not drive, nothing was booked.
pub(crate) fn emergency_page(frame: &Frame<'_>, reasons: &[Reason]) -> Response {
    let body = html! {
        div.emergency role="alert" {
            h1 { "Please go to an emergency department today" }
            p.lead { "What you told us can be a sign that nerves or the spine need a doctor urgently. This is not something massage should treat, and it should not wait." }
            p { strong { "Do not drive yourself." } " Ask someone to take you, or call an ambulance on your local emergency number." }
            @let emergency: Vec<&Reason> = reasons.iter().filter(|r| r.level == Level::Emergency).collect();
            @if !emergency.is_empty() {
                h2 { "Why we say this" }
                ul { @for r in emergency { li { (capital(&r.message)) "." } } }
            }
            p { "Show this page, or tell the doctor what you answered." }
        }
        h2 { "About your booking" }
        p { strong { "Nothing was booked." } " Your answers are kept for the practice, so they know why if you call them." }
        p { "Once a doctor has seen you and says massage is fine, we are glad to book you." }
        p { a href="/" { "Back to the home page" } }
    };
    frame.respond(StatusCode::OK, "Go to an emergency department today", body)
}

/// A booking the health history rules out for now (a suspected clot, a fever): why, and that nothing was
/// booked.
pub(crate) fn contraindicated_page(frame: &Frame<'_>, errors: &ValidationErrors) -> Response {
    let body = html! {
        h1 { "Massage cannot be booked right now" }
        div.error-summary role="alert" {
            p { "From your health history:" }
            ul { @for e in &errors.0 { li { (capital(&e.detail)) "." } } }
        }
        p { strong { "Nothing was booked." } " Please see a physician first; once they say massage is fine, or the illness has passed, we are glad to book you." }
        p { a href="/book" { "Back to booking" } " · " a href="/" { "Home page" } }
    };
    frame.respond(StatusCode::UNPROCESSABLE_ENTITY, "Massage cannot be booked right now", body)
}

pub(crate) fn capital(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The health-history section of a form: the summary, the fields, named in a client's words.
pub(crate) fn history_errors(errors: &ValidationErrors, lead: &str) -> Markup {
    error_summary_named(errors, lead, &|f| form::label(f))
}

async fn own_history(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    RawQuery(q): RawQuery,
) -> Result<Response, WebError> {
    if caller.user.role != Role::Client {
        return Err(WebError::not_found("health history"));
    }
    let latest = intake::latest_own(state.app(), &caller.user).await?;
    let values = latest.as_ref().map(|v| form::values_of(v.history.answers())).unwrap_or_default();
    let saved = q.is_some_and(|q| q.contains("done=saved"));
    Ok(own_page(&state, &caller, latest.as_ref(), &values, &ValidationErrors::default(), saved, StatusCode::OK))
}

async fn save_own_history(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    if caller.user.role != Role::Client {
        return Err(WebError::not_found("health history"));
    }
    let values = Values::from_form(form.0.clone());
    let (input, read_errors) = form::read(&values);
    let errors = if read_errors.0.is_empty() {
        let client = clients::own_record(state.app(), &caller.user).await?;
        match intake::submit(state.app(), Some(&caller.user), client.id, &input).await {
            Ok(v) => {
                tracing::info!(client_id = v.client.0, version = v.version, "health history added by its client");
                return Ok(Redirect::to("/account/health?done=saved").into_response());
            }
            Err(AppError::Invalid(e)) => form::prefixed(e),
            Err(other) => return Err(other.into()),
        }
    } else {
        read_errors
    };
    let latest = intake::latest_own(state.app(), &caller.user).await?;
    Ok(own_page(&state, &caller, latest.as_ref(), &values, &errors, false, StatusCode::UNPROCESSABLE_ENTITY))
}

fn own_page(
    state: &AppState,
    caller: &crate::auth::Caller,
    latest: Option<&IntakeVersion>,
    values: &Values,
    errors: &ValidationErrors,
    saved: bool,
    status: StatusCode,
) -> Response {
    let body = html! {
        h1 { "Your health history" }
        (notice(saved.then_some("Saved. Your therapist sees this version before your next visit.")))
        @match latest {
            Some(v) => p.lead { "Your latest answers, from " (version_date(v)) ". Change what is different and save: each version is kept, none is overwritten." },
            None => p.lead { "Your therapist reads this before your visit to keep the massage safe for you. It takes about five minutes." },
        }
        form.stack method="post" action="/account/health" novalidate {
            (history_errors(errors, "Nothing was saved. Please check:"))
            (csrf_field(Some(caller)))
            h2 { "Your answers" }
            (form::health_fields(values, errors))
            button type="submit" { "Save my health history" }
        }
        p { a href="/account" { "‹ Your account" } }
    };
    Frame::signed_in(state, caller).respond(status, "Your health history", body)
}
