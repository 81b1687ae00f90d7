//! Adding to the health history from a booking's manage link (`/bookings/{id}/manage/health`): whoever may
//! manage the booking (its guest link, its client, a manager) may add a version for the booking's client,
//! but the page never shows what is stored: a link is not a sign-in, and health information is read only
//! by the client signed in and by staff.

use super::super::check_session_csrf;
use super::super::facts::manage_link;
use crate::auth::{managed_booking, MaybeCaller};
use crate::error::WebError;
use crate::extract::{AppPath, AppQuery, FormPairs};
use crate::pages::intake::{form, history_errors};
use crate::pages::Frame;
use crate::state::AppState;
use crate::ui::{csrf_field, Values};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use knead_app::{intake, AppError};
use knead_core::booking::Booking;
use knead_core::ValidationErrors;
use maud::html;

#[derive(Debug, Default, serde::Deserialize)]
pub(in crate::pages::booking) struct HealthQuery {
    token: Option<String>,
}

impl super::Manage<'_> {
    /// The page that adds to the health history, with the private token when opened by the link.
    pub(super) fn health_link(&self) -> String {
        match self.token {
            Some(t) => format!(
                "{}?token={}",
                self.action("health"),
                form_urlencoded::byte_serialize(t.as_bytes()).collect::<String>()
            ),
            None => self.action("health"),
        }
    }
}

fn token_of(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

pub(in crate::pages::booking) async fn health_page(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppPath(id): AppPath<i64>,
    AppQuery(q): AppQuery<HealthQuery>,
) -> Result<Response, WebError> {
    let token = token_of(q.token.as_deref());
    let booking = managed_booking(&state, &caller, id, token).await?;
    Ok(page(&state, &caller, &booking, token, &Values::default(), &ValidationErrors::default(), StatusCode::OK))
}

pub(in crate::pages::booking) async fn add_health(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    check_session_csrf(&caller, &form)?;
    let token = token_of(Some(form.get("token")));
    let booking = managed_booking(&state, &caller, id, token).await?;
    let values = Values::from_form(form.0.iter().filter(|(k, _)| k != "token").cloned().collect());
    let refused = |errors: ValidationErrors| {
        Ok(page(&state, &caller, &booking, token, &values, &errors, StatusCode::UNPROCESSABLE_ENTITY))
    };
    let (input, read_errors) = form::read(&values);
    if !read_errors.0.is_empty() {
        return refused(read_errors);
    }
    let client = booking.client_id.ok_or_else(|| WebError::not_found("booking"))?;
    match intake::submit(state.app(), caller.user(), client, &input).await {
        Ok(v) => {
            tracing::info!(booking_id = booking.id.0, version = v.version, "health history added from a booking");
            Ok(Redirect::to(&manage_link(booking.id.0, token, Some("health"))).into_response())
        }
        Err(AppError::Invalid(e)) => refused(form::prefixed(e)),
        Err(other) => Err(other.into()),
    }
}

fn page(
    state: &AppState,
    caller: &MaybeCaller,
    booking: &Booking,
    token: Option<&str>,
    values: &Values,
    errors: &ValidationErrors,
    status: StatusCode,
) -> Response {
    let action = format!("/bookings/{}/manage/health", booking.id.0);
    let body = html! {
        h1 { "Your health history" }
        p.lead { "Your therapist reads this before the visit to keep the massage safe for you. Each time you send it, a new version is kept beside the earlier ones." }
        p.hint { "For your privacy this page never shows answers given before: fill in the form as things are today." }
        form.stack method="post" action=(action) novalidate {
            (history_errors(errors, "Nothing was saved. Please check:"))
            (csrf_field(caller.0.as_ref()))
            @if let Some(t) = token { input type="hidden" name="token" value=(t); }
            h2 { "Your answers" }
            (form::health_fields(values, errors))
            button type="submit" { "Send my health history" }
        }
        p { a href=(manage_link(booking.id.0, token, None)) { "‹ Back to your booking" } }
    };
    Frame::new(state, caller).respond(status, "Your health history", body)
}
