//! The web layer's one error type: it owns the mapping to HTTP status and to what the client sees, for its
//! own errors (a malformed request, no session) and, once, for every `AppError`.
//!
//! Every error renders as `{"errors":[{"code","field","detail"}]}`; the page router swaps that for an
//! HTML page (see `pages::render_errors_as_html`). Internal errors are logged once, here, and never leaked.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use knead_app::places::AddressProblem;
use knead_app::{AppError, ConflictCode};
use knead_core::booking::Unavailable;
use knead_core::{FieldError, ValidationErrors};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// A use case refused or failed.
    #[error(transparent)]
    App(#[from] AppError),
    /// The request itself could not be read (malformed JSON, a wrong type, an unknown field).
    #[error("bad request")]
    BadRequest(FieldError),
    /// The body is longer than the route reads.
    #[error("body too large")]
    TooLarge { limit_bytes: usize },
    /// The body is not declared as JSON.
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// The route exists but not with this method; the router adds the `Allow` header.
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("sign in required")]
    Unauthenticated,
    #[error("not allowed")]
    Forbidden,
    /// Refused for how it was sent, not who sent it (a cross-site post, a missing CSRF token): 403.
    #[error("refused: {code}")]
    Refused { code: &'static str, detail: &'static str },
    #[error("too many attempts")]
    RateLimited { retry_after_secs: u64 },
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// One error as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorItem {
    /// Stable, machine-readable: `required`, `too_long`, `out_of_range`, `invalid_json`, `not_found`, ...
    pub code: String,
    /// The input field at fault, as the API spells it; null when the error is not about one field.
    pub field: Option<String>,
    /// A sentence for people.
    pub detail: String,
    /// With `address_ambiguous`: the places the address could mean, best first; pick one and send its label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidates: Option<Vec<crate::api::places::PlaceView>>,
    /// With `visits_booked`: the visits still booked in the time the change would take away.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub booked_visits: Option<Vec<crate::api::calendar::BookedVisit>>,
}

/// The body of every API error response.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub errors: Vec<ErrorItem>,
}

/// Put on error responses so the page router can render them as HTML.
#[derive(Debug, Clone)]
pub struct RenderedError {
    pub status: StatusCode,
    pub body: ErrorBody,
}

impl WebError {
    pub fn internal(e: impl std::error::Error + Send + Sync + 'static) -> WebError {
        WebError::Internal(Box::new(e))
    }

    /// One input field's problem (422).
    pub fn field(code: &'static str, field: &str, detail: impl Into<String>) -> WebError {
        WebError::App(AppError::field(code, field, detail))
    }

    /// Nothing here by that name (404).
    pub fn not_found(what: &'static str) -> WebError {
        WebError::App(AppError::NotFound { what })
    }

    pub fn status(&self) -> StatusCode {
        match self {
            WebError::App(e) => match e {
                AppError::Address(AddressProblem::Unavailable) => StatusCode::SERVICE_UNAVAILABLE,
                AppError::Invalid(_) | AppError::KeyReused | AppError::TooLate { .. } | AppError::Address(_) => {
                    StatusCode::UNPROCESSABLE_ENTITY
                }
                AppError::NotFound { .. } => StatusCode::NOT_FOUND,
                AppError::Conflict { .. } | AppError::Unavailable(_) => StatusCode::CONFLICT,
                AppError::Store(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            WebError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            WebError::Unauthenticated => StatusCode::UNAUTHORIZED,
            WebError::Forbidden | WebError::Refused { .. } => StatusCode::FORBIDDEN,
            WebError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self) -> ErrorBody {
        let item = |code: &str, field: Option<&str>, detail: String| ErrorItem {
            code: code.to_string(),
            field: field.map(str::to_string),
            detail,
            candidates: None,
            booked_visits: None,
        };
        let from_field = |e: &FieldError| item(e.code, Some(&e.field), e.detail.clone());
        let internal = || item("internal", None, "Something went wrong on our side; nothing was changed.".into());
        let errors = match self {
            WebError::App(AppError::NotFound { what }) => vec![item("not_found", None, format!("No such {what}."))],
            WebError::App(AppError::Store(_) | AppError::Internal(_)) => vec![internal()],
            WebError::App(AppError::Address(AddressProblem::Unavailable)) => vec![item(
                "geocoder_unavailable",
                None,
                "Address search is not answering just now; try again shortly or call the practice.".into(),
            )],
            WebError::App(AppError::Address(problem @ AddressProblem::Ambiguous { candidates, .. })) => {
                let places = candidates.iter().map(crate::api::places::PlaceView::from).collect();
                problem
                    .field_error()
                    .map(|e| vec![ErrorItem { candidates: Some(places), ..from_field(&e) }])
                    .unwrap_or_default()
            }
            WebError::App(e) => field_errors(e).map(|errs| errs.0.iter().map(from_field).collect()).unwrap_or_default(),
            WebError::BadRequest(e) => vec![from_field(e)],
            WebError::TooLarge { limit_bytes } => {
                vec![item("too_large", Some("body"), format!("the body must be at most {limit_bytes} bytes"))]
            }
            WebError::UnsupportedMediaType => vec![item(
                "unsupported_media_type",
                Some("Content-Type"),
                "send the body as JSON with `Content-Type: application/json`".into(),
            )],
            WebError::MethodNotAllowed => vec![item(
                "method_not_allowed",
                Some("method"),
                "this route does not take that method; the `Allow` header lists the ones it takes".into(),
            )],
            WebError::Unauthenticated => {
                vec![item("unauthenticated", None, "Sign in, or send `Authorization: Bearer <token>`.".into())]
            }
            WebError::Forbidden => vec![item("forbidden", None, "Your account may not do this.".into())],
            WebError::Refused { code, detail } => vec![item(code, None, (*detail).into())],
            WebError::RateLimited { retry_after_secs } => {
                vec![item("rate_limited", None, format!("Too many attempts; try again in {retry_after_secs} seconds."))]
            }
            WebError::Internal(_) => vec![internal()],
        };
        ErrorBody { errors }
    }
}

/// What a refusal says about the input, field by field, as both the API and the pages show it; `None` for
/// errors that are not about the input (not found, storage).
pub fn field_errors(e: &AppError) -> Option<ValidationErrors> {
    let one = |code, field: &str, detail: String| Some(ValidationErrors::single(code, field, detail));
    match e {
        AppError::Invalid(errs) => Some(errs.clone()),
        AppError::Conflict { code: ConflictCode::Signed, field } => {
            one("already_signed", field, "a signed record cannot change; add an amendment instead".into())
        }
        // Safety on home visits: checking out needs the check-in, and each happens once.
        AppError::Conflict { code: ConflictCode::NotCheckedIn, field } => one(
            "not_checked_in",
            field,
            "this visit was not checked in, so it cannot be checked out: check in on arrival first".into(),
        ),
        AppError::Conflict { code: ConflictCode::AlreadyChecked, field: "check_out" } => {
            one("already_checked_out", "check_out", "this visit is already checked out".into())
        }
        AppError::Conflict { code: ConflictCode::AlreadyChecked, field } => {
            one("already_checked_in", field, "this visit is already checked in; check out when you leave".into())
        }
        AppError::Conflict { code: ConflictCode::NotCheckable, field: "place" } => one(
            "not_a_home_visit",
            "place",
            "only home visits are checked in and out; this visit is at a clinic".into(),
        ),
        AppError::Conflict { code: ConflictCode::NotCheckable, field } => one(
            "not_confirmed",
            field,
            "only a confirmed visit is checked in and out; this one is cancelled or waiting for a clearance".into(),
        ),
        AppError::Conflict { code: ConflictCode::Answered, field } => one(
            "answered",
            field,
            "this guest's health check is already answered; anything new, tell your therapist on the day".into(),
        ),
        AppError::Conflict { code: ConflictCode::Decided, field } => {
            one("decided", field, "this enquiry was already accepted or declined".into())
        }
        // A clearance for a booking that is not waiting for one.
        AppError::Conflict { field: "status", .. } => {
            one("not_awaiting_clearance", "status", "this booking is not waiting for a physician's clearance".into())
        }
        AppError::Conflict { code: ConflictCode::Stale, field } => one(
            "plan_stale",
            field,
            "the day changed after this plan was made (a booking moved, was cancelled or was added); optimise again"
                .into(),
        ),
        AppError::Conflict { code: ConflictCode::SlotFull, field } => {
            one("slot_full", field, "every chair is taken at that time; choose another time on the sheet".into())
        }
        AppError::Conflict { code: ConflictCode::Taken, field } => {
            one("taken", field, format!("this {field} is already in use; choose another"))
        }
        // The same code either way: to the client, the time is not theirs to book now.
        AppError::Unavailable(Unavailable::HeldForWaitlist) => one(
            "slot_taken",
            "start",
            "this time is held for a while for a client on the waitlist; choose another slot".into(),
        ),
        AppError::Unavailable(_) => {
            one("slot_taken", "start", "this time is no longer free; choose another slot".into())
        }
        AppError::KeyReused => one(
            "idempotency_key_reused",
            "Idempotency-Key",
            "this key was already used for a different booking request; use a new key".into(),
        ),
        AppError::TooLate { notice_hours } => one(
            "too_late",
            "start",
            format!("changes need at least {notice_hours} hours' notice; please call the practice"),
        ),
        AppError::Address(problem) => problem.field_error().map(|e| ValidationErrors(vec![e])),
        AppError::NotFound { .. } | AppError::Store(_) | AppError::Internal(_) => None,
    }
}

impl From<FieldError> for WebError {
    fn from(e: FieldError) -> WebError {
        WebError::App(AppError::from(e))
    }
}

impl From<ValidationErrors> for WebError {
    fn from(e: ValidationErrors) -> WebError {
        WebError::App(AppError::Invalid(e))
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        // Logged once, here. Store errors carry SQL, driver text, or a table and row id; never row contents.
        match &self {
            WebError::Internal(e) => tracing::error!(error = %e, "internal error"),
            WebError::App(AppError::Store(e)) => tracing::error!(error = %e, "storage error"),
            WebError::App(AppError::Internal(e)) => tracing::error!(error = %e, "internal error"),
            _ => {}
        }
        let status = self.status();
        let body = self.body();
        let mut response = (status, Json(body.clone())).into_response();
        if let WebError::RateLimited { retry_after_secs } = self {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, retry_after_secs.into());
        }
        response.extensions_mut().insert(RenderedError { status, body });
        response
    }
}
