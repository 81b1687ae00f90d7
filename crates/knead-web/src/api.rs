//! The JSON API under `/api/v1`: the catalog and content, for anyone to read and managers to change.
//!
//! Conventions (docs/API.md): JSON in and out, `Authorization: Bearer <token>` for writes, every
//! error as `{"errors":[{"code","field","detail"}]}`, archive instead of delete. The OpenAPI 3.1
//! document at `/api/v1/openapi.json` is generated from these handlers.

use crate::auth::{Manager, MaybeCaller, SignedIn};
use crate::error::{ErrorBody, NotFoundAs, WebError};
use crate::extract::{AppJson, AppPath, AppQuery, MAX_JSON_BYTES};
use crate::{api_booking, AppState};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use knead_core::{
    Article, ArticleId, ArticleInput, Role, Service, ServiceId, ServiceInput, Therapist, TherapistId, TherapistInput,
};
use serde::{Deserialize, Serialize};
use utoipa::OpenApi;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi_json))
        .route("/me", get(me))
        .route("/services", get(services::list).post(services::create))
        .route("/services/{id}", get(services::get).put(services::update))
        .route("/services/{id}/archive", post(services::archive))
        .route("/services/{id}/restore", post(services::restore))
        .route("/therapists", get(therapists::list).post(therapists::create))
        .route("/therapists/{id}", get(therapists::get).put(therapists::update))
        .route("/therapists/{id}/archive", post(therapists::archive))
        .route("/therapists/{id}/restore", post(therapists::restore))
        .route("/articles", get(articles::list).post(articles::create))
        .route("/articles/{id}", get(articles::get).put(articles::update))
        .route("/articles/{id}/archive", post(articles::archive))
        .route("/articles/{id}/restore", post(articles::restore))
        .route("/practice", get(api_booking::practice))
        .route("/practice/settings", get(api_booking::get_settings).put(api_booking::put_settings))
        .route("/clinics", get(api_booking::clinics).post(api_booking::create_clinic))
        .route("/therapists/{id}/schedule", get(api_booking::get_schedule).put(api_booking::put_schedule))
        .route("/therapists/{id}/time-off", post(api_booking::add_time_off))
        .route("/therapists/{id}/time-off/{time_off_id}", delete(api_booking::delete_time_off))
        .route("/therapists/{id}/overrides/{date}", put(api_booking::put_override))
        .route("/availability", get(api_booking::availability))
        .route("/bookings", post(api_booking::create_booking))
        .route("/bookings/{id}", get(api_booking::get_booking))
        .route("/bookings/{id}/cancel", post(api_booking::cancel_booking))
        .route("/bookings/{id}/reschedule", post(api_booking::reschedule_booking))
        .fallback(|| async { WebError::NotFound { what: "API route" } })
        .method_not_allowed_fallback(|| async {
            WebError::BadRequest(knead_core::FieldError::new(
                "method_not_allowed",
                "method",
                "this route does not take that method",
            ))
        })
        .layer(DefaultBodyLimit::max(MAX_JSON_BYTES))
}

#[derive(OpenApi)]
#[openapi(
    info(title = "knead API", description = "Catalog, therapists, articles and travel-aware booking of a knead massage practice."),
    paths(
        crate::healthz, me,
        services::list, services::get, services::create, services::update, services::archive, services::restore,
        therapists::list, therapists::get, therapists::create, therapists::update, therapists::archive, therapists::restore,
        articles::list, articles::get, articles::create, articles::update, articles::archive, articles::restore,
        api_booking::practice, api_booking::get_settings, api_booking::put_settings, api_booking::clinics,
        api_booking::create_clinic, api_booking::get_schedule, api_booking::put_schedule, api_booking::add_time_off,
        api_booking::delete_time_off, api_booking::put_override, api_booking::availability, api_booking::create_booking,
        api_booking::get_booking, api_booking::cancel_booking, api_booking::reschedule_booking,
    ),
    components(schemas(ErrorBody, crate::error::ErrorItem, UserView)),
    modifiers(&BearerAuth),
    tags(
        (name = "services", description = "What the practice sells"),
        (name = "therapists", description = "Public therapist profiles"),
        (name = "articles", description = "Educational articles"),
        (name = "accounts", description = "The caller's own account"),
        (name = "booking", description = "Availability, bookings, and the calendar they are made from"),
        (name = "health", description = "Liveness"),
    )
)]
pub struct ApiDoc;

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

/// The OpenAPI document, built once.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    // Paths are declared relative to the API root; serve them as mounted.
    let paths = std::mem::take(&mut doc.paths.paths);
    for (path, item) in paths {
        let full = if path == "/healthz" { path } else { format!("/api/v1{path}") };
        doc.paths.paths.insert(full, item);
    }
    doc
}

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    static DOC: std::sync::OnceLock<utoipa::openapi::OpenApi> = std::sync::OnceLock::new();
    Json(DOC.get_or_init(openapi).clone())
}

/// A user as the API shows them: never a password hash.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub name: String,
    #[schema(value_type = String, example = "client")]
    pub role: Role,
}

/// The caller's own account.
#[utoipa::path(get, path = "/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody)))]
pub async fn me(SignedIn(caller): SignedIn) -> Json<UserView> {
    let u = caller.user;
    Json(UserView { id: u.id.0, email: u.email.as_str().to_string(), name: u.name, role: u.role })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Include archived records (managers only).
    #[serde(default)]
    pub include_archived: bool,
}

async fn may_include_archived(caller: &MaybeCaller, q: &ListQuery) -> Result<bool, WebError> {
    if !q.include_archived {
        return Ok(false);
    }
    match &caller.0 {
        Some(c) if c.user.role == Role::Manager => Ok(true),
        Some(_) => Err(WebError::Forbidden),
        None => Err(WebError::Unauthenticated),
    }
}

/// Hides archived records from everyone but managers.
fn visible<T>(item: T, archived: bool, caller: &MaybeCaller, what: &'static str) -> Result<T, WebError> {
    let is_manager = caller.0.as_ref().is_some_and(|c| c.user.role == Role::Manager);
    if archived && !is_manager {
        Err(WebError::NotFound { what })
    } else {
        Ok(item)
    }
}

/// The same six endpoints for each catalog resource: list, get, create, update, archive, restore.
macro_rules! resource_api {
    (
        mod $module:ident, tag = $tag:literal, what = $what:literal,
        paths = ($collection:literal, $item:literal, $archive:literal, $restore:literal),
        item = $Item:ident, input = $Input:ident, id = $Id:ident,
        store = ($list:ident, $get:ident, $create:ident, $update:ident, $set_archived:ident)
    ) => {
        pub mod $module {
            use super::*;

            #[doc = concat!("List ", $what, "s (archived ones only for managers, on request).")]
            #[utoipa::path(get, path = $collection, tag = $tag, params(ListQuery),
                responses((status = 200, body = [$Item]), (status = 403, body = ErrorBody)))]
            pub async fn list(
                State(app): State<AppState>,
                caller: MaybeCaller,
                AppQuery(q): AppQuery<ListQuery>,
            ) -> Result<Json<Vec<$Item>>, WebError> {
                let include_archived = may_include_archived(&caller, &q).await?;
                Ok(Json(app.store().$list(include_archived).await?))
            }

            #[doc = concat!("One ", $what, " by id.")]
            #[utoipa::path(get, path = $item, tag = $tag, params(("id" = i64, Path)),
                responses((status = 200, body = $Item), (status = 404, body = ErrorBody)))]
            pub async fn get(
                State(app): State<AppState>,
                caller: MaybeCaller,
                AppPath(id): AppPath<i64>,
            ) -> Result<Json<$Item>, WebError> {
                let item = app.store().$get($Id(id)).await.not_found_as($what)?;
                let archived = item.archived;
                Ok(Json(visible(item, archived, &caller, $what)?))
            }

            #[doc = concat!("Create a ", $what, " (managers).")]
            #[utoipa::path(post, path = $collection, tag = $tag, request_body = $Input, security(("bearer" = [])),
                responses((status = 201, body = $Item), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
                    (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
            pub async fn create(
                State(app): State<AppState>,
                _manager: Manager,
                AppJson(input): AppJson<$Input>,
            ) -> Result<(StatusCode, Json<$Item>), WebError> {
                let draft = input.validate()?;
                let item = app.store().$create(&draft, app.now()).await?;
                Ok((StatusCode::CREATED, Json(item)))
            }

            #[doc = concat!("Replace a ", $what, "'s fields (managers).")]
            #[utoipa::path(put, path = $item, tag = $tag, params(("id" = i64, Path)), request_body = $Input,
                security(("bearer" = [])),
                responses((status = 200, body = $Item), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
                    (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
                    (status = 422, body = ErrorBody)))]
            pub async fn update(
                State(app): State<AppState>,
                _manager: Manager,
                AppPath(id): AppPath<i64>,
                AppJson(input): AppJson<$Input>,
            ) -> Result<Json<$Item>, WebError> {
                let draft = input.validate()?;
                Ok(Json(app.store().$update($Id(id), &draft, app.now()).await.not_found_as($what)?))
            }

            #[doc = concat!("Archive a ", $what, ": hidden from the public, kept for the record (managers).")]
            #[utoipa::path(post, path = $archive, tag = $tag, params(("id" = i64, Path)), security(("bearer" = [])),
                responses((status = 200, body = $Item), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
                    (status = 404, body = ErrorBody)))]
            pub async fn archive(
                State(app): State<AppState>,
                _manager: Manager,
                AppPath(id): AppPath<i64>,
            ) -> Result<Json<$Item>, WebError> {
                Ok(Json(app.store().$set_archived($Id(id), true, app.now()).await.not_found_as($what)?))
            }

            #[doc = concat!("Bring an archived ", $what, " back (managers).")]
            #[utoipa::path(post, path = $restore, tag = $tag, params(("id" = i64, Path)), security(("bearer" = [])),
                responses((status = 200, body = $Item), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
                    (status = 404, body = ErrorBody)))]
            pub async fn restore(
                State(app): State<AppState>,
                _manager: Manager,
                AppPath(id): AppPath<i64>,
            ) -> Result<Json<$Item>, WebError> {
                Ok(Json(app.store().$set_archived($Id(id), false, app.now()).await.not_found_as($what)?))
            }
        }
    };
}

resource_api!(
    mod services, tag = "services", what = "service",
    paths = ("/services", "/services/{id}", "/services/{id}/archive", "/services/{id}/restore"),
    item = Service, input = ServiceInput, id = ServiceId,
    store = (list_services, service, create_service, update_service, set_service_archived)
);

resource_api!(
    mod therapists, tag = "therapists", what = "therapist",
    paths = ("/therapists", "/therapists/{id}", "/therapists/{id}/archive", "/therapists/{id}/restore"),
    item = Therapist, input = TherapistInput, id = TherapistId,
    store = (list_therapists, therapist, create_therapist, update_therapist, set_therapist_archived)
);

resource_api!(
    mod articles, tag = "articles", what = "article",
    paths = ("/articles", "/articles/{id}", "/articles/{id}/archive", "/articles/{id}/restore"),
    item = Article, input = ArticleInput, id = ArticleId,
    store = (list_articles, article, create_article, update_article, set_article_archived)
);
