//! The JSON API under `/api/v1`, one module per context.
//!
//! Conventions (docs/API.md): JSON in and out, `Authorization: Bearer <token>` for writes, every error as
//! `{"errors":[{"code","field","detail"}]}`, archive instead of delete. Routes and the OpenAPI 3.1 document
//! (`/api/v1/openapi.json`) come from one list: each handler's `#[utoipa::path]` gives both, through
//! `utoipa_axum::routes!`, so a route can never be missing from the document or the reverse.

mod accounts;
mod booking;
pub(crate) mod calendar;
mod clients;
mod dispatch;
mod events;
mod groups;
mod intake;
mod listing;
mod notify;
mod openapi;
pub(crate) mod places;
mod records;
mod safety;
mod waitlist;

use crate::auth::{Caller, SignedIn};
use crate::error::{ErrorBody, ErrorItem, WebError};
use crate::extract::MAX_JSON_BYTES;
use crate::state::AppState;
use axum::extract::{DefaultBodyLimit, FromRef, FromRequestParts, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::routing::get;
use axum::{Json, Router};
use std::sync::Arc;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "knead API",
        description = "Catalog, therapists, articles, travel-aware booking, clients, intake with red-flag triage, and care records of a knead massage practice.\n\n\
            Every error is `{\"errors\":[{\"code\",\"field\",\"detail\"}]}`. A method a route does not take is a 405 \
            with an `Allow` header. Sign in with `Authorization: Bearer <token>` (`knead token create`); a browser \
            session's cookie also works, and then every POST, PUT, PATCH and DELETE needs the `X-CSRF-Token` header."
    ),
    components(schemas(ErrorBody, ErrorItem)),
    modifiers(&BearerAuth),
    tags(
        (name = "services", description = "What the practice sells"),
        (name = "therapists", description = "Public therapist profiles"),
        (name = "articles", description = "Educational articles"),
        (name = "accounts", description = "The caller's own account"),
        (name = "booking", description = "Availability, bookings, and the calendar they are made from"),
        (name = "places", description = "Addresses: suggestions as a client types, and the nearest to a point"),
        (name = "clients", description = "Client records, their health histories, and staff's lists of bookings"),
        (name = "intake", description = "The red-flag screening, physicians' clearances, and the audit log of health information"),
        (name = "records", description = "Care records: episodes, plans, outcome measures, SOAP notes, home programs, referral letters"),
        (name = "notifications", description = "The outbox of messages, private calendar feeds, and re-sending a booking's private link"),
        (name = "events", description = "Office chair-massage days: a manager books the block, attendees sign up through the organiser's link"),
        (name = "dispatch", description = "Day planning for managers: the day board, the optimizer's re-plan, applying it"),
        (name = "safety", description = "Home visits checked in on arrival and out on leaving; a visit not checked out in time alerts the managers, then the emergency contact"),
        (name = "health", description = "Liveness"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("knead_pat_...").build(),
            ),
        );
    }
}

/// The routes of `/api/v1` with their documentation, in the order the document lists them.
fn v1() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(accounts::routes())
        .merge(listing::routes())
        .merge(calendar::routes())
        .merge(booking::routes())
        .merge(clients::routes())
        .merge(intake::routes())
        .merge(records::routes())
        .merge(notify::routes())
        .merge(places::routes())
        .merge(waitlist::routes())
        .merge(dispatch::routes())
        .merge(events::routes())
        .merge(groups::routes())
        .merge(safety::routes())
}

/// The document `router` serves, built from the same route lists (the route table reads its operations).
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, root_doc) = OpenApiRouter::with_openapi(ApiDoc::openapi()).routes(routes!(healthz)).split_for_parts();
    let (_, api_doc) = v1().split_for_parts();
    root_doc.nest("/api/v1", api_doc)
}

/// The health check and the API, with the OpenAPI document served at `/api/v1/openapi.json`.
pub fn router() -> Router<AppState> {
    let (root, root_doc) = OpenApiRouter::with_openapi(ApiDoc::openapi()).routes(routes!(healthz)).split_for_parts();
    let (api, api_doc) = v1().split_for_parts();
    let doc = openapi::finish(&root_doc.nest("/api/v1", api_doc));
    let json: Arc<str> = doc.to_string().into();
    let api = api
        .route(
            "/openapi.json",
            get(move || async move { ([(header::CONTENT_TYPE, "application/json")], json.to_string()) }),
        )
        .fallback(|| async { WebError::not_found("API route") })
        .method_not_allowed_fallback(|| async { WebError::MethodNotAllowed })
        .layer(axum::middleware::from_fn(records::referrals::pdf_is_read_only))
        .layer(DefaultBodyLimit::max(MAX_JSON_BYTES));
    root.nest("/api/v1", api)
}

/// Liveness and database reachability.
#[utoipa::path(get, path = "/healthz", tag = "health", operation_id = "getHealth", responses((status = 200, body = Health), (status = 500, body = ErrorBody)))]
async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, WebError> {
    state.app().ping().await?;
    Ok(Json(Health { status: "ok", database: state.app().backend() }))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
struct Health {
    status: &'static str,
    database: &'static str,
}

/// A signed-in member of staff: a therapist, or a manager with their second factor; clients are refused.
/// Which records a therapist may see among them is the use case's rule (their own clients and visits).
pub(crate) struct Staff(pub Caller);

impl<S> FromRequestParts<S> for Staff
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let SignedIn(caller) = SignedIn::from_request_parts(parts, state).await?;
        match caller.user.role {
            knead_core::Role::Therapist => Ok(Staff(caller)),
            knead_core::Role::Manager if caller.is_manager() => Ok(Staff(caller)),
            _ => Err(WebError::Forbidden),
        }
    }
}
