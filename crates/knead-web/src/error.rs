//! The web layer's one error type: it owns the mapping to HTTP status and to what the client sees.
//!
//! Every error renders as `{"errors":[{"code","field","detail"}]}`; the page router swaps that for an
//! HTML page (see `pages::render_errors_as_html`). Internal errors are logged once, here, and never leaked.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use knead_core::{FieldError, ValidationErrors};
use knead_store::StoreError;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// Input broke one or more rules; nothing was written.
    #[error("invalid input")]
    Invalid(ValidationErrors),
    /// The request itself could not be read (malformed JSON, a wrong type, an unknown field).
    #[error("bad request")]
    BadRequest(FieldError),
    #[error("not found")]
    NotFound { what: &'static str },
    #[error("sign in required")]
    Unauthenticated,
    #[error("not allowed")]
    Forbidden,
    #[error("conflict")]
    Conflict(FieldError),
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

    pub fn field(code: &'static str, field: &str, detail: impl Into<String>) -> WebError {
        WebError::Invalid(ValidationErrors::single(code, field, detail))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            WebError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::NotFound { .. } => StatusCode::NOT_FOUND,
            WebError::Unauthenticated => StatusCode::UNAUTHORIZED,
            WebError::Forbidden => StatusCode::FORBIDDEN,
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn body(&self) -> ErrorBody {
        let item = |code: &str, field: Option<&str>, detail: String| ErrorItem {
            code: code.to_string(),
            field: field.map(str::to_string),
            detail,
        };
        let from_field = |e: &FieldError| item(e.code, Some(&e.field), e.detail.clone());
        let errors = match self {
            WebError::Invalid(errs) => errs.0.iter().map(from_field).collect(),
            WebError::BadRequest(e) | WebError::Conflict(e) => vec![from_field(e)],
            WebError::NotFound { what } => vec![item("not_found", None, format!("No such {what}."))],
            WebError::Unauthenticated => {
                vec![item("unauthenticated", None, "Sign in, or send `Authorization: Bearer <token>`.".into())]
            }
            WebError::Forbidden => vec![item("forbidden", None, "Your account may not do this.".into())],
            WebError::RateLimited { retry_after_secs } => {
                vec![item("rate_limited", None, format!("Too many attempts; try again in {retry_after_secs} seconds."))]
            }
            WebError::Internal(_) => {
                vec![item("internal", None, "Something went wrong on our side; nothing was changed.".into())]
            }
        };
        ErrorBody { errors }
    }
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> WebError {
        match e {
            StoreError::NotFound => WebError::NotFound { what: "record" },
            StoreError::Conflict { field } => WebError::Conflict(FieldError::new(
                "taken",
                field,
                format!("this {field} is already in use; choose another"),
            )),
            StoreError::Other(e) => WebError::Internal(e),
        }
    }
}

impl From<ValidationErrors> for WebError {
    fn from(e: ValidationErrors) -> WebError {
        WebError::Invalid(e)
    }
}

/// Turns a store's NotFound into one that names what was missing.
pub trait NotFoundAs<T> {
    fn not_found_as(self, what: &'static str) -> Result<T, WebError>;
}

impl<T> NotFoundAs<T> for Result<T, StoreError> {
    fn not_found_as(self, what: &'static str) -> Result<T, WebError> {
        self.map_err(|e| match e {
            StoreError::NotFound => WebError::NotFound { what },
            other => other.into(),
        })
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let WebError::Internal(e) = &self {
            // Logged once, here. Store errors carry SQL and driver text, never row contents.
            tracing::error!(error = %e, "internal error");
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
