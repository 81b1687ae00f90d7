//! The manager's lists in the API: services, therapist profiles and articles, each with the same six
//! endpoints (list, get, create, replace, archive, restore), for anyone to read and managers to change.

use crate::auth::{Manager, MaybeCaller};
use crate::error::{ErrorBody, WebError};
use crate::extract::{AppJson, AppPath, AppQuery};
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use knead_app::catalog::{Services, Therapists};
use knead_app::content::Articles;
use knead_app::listing::{self, Audience};
use knead_core::{Article, ArticleInput, Service, ServiceInput, Therapist, TherapistInput};
use serde::Deserialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().merge(services::routes()).merge(therapists::routes()).merge(articles::routes())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Include archived records (managers only).
    #[serde(default)]
    pub include_archived: bool,
}

/// Who the list is for: archived records only for a manager who asks.
pub(super) fn audience(caller: &MaybeCaller, q: &ListQuery) -> Result<Audience, WebError> {
    if !q.include_archived {
        return Ok(Audience::Public);
    }
    match &caller.0 {
        Some(c) if c.is_manager() => Ok(Audience::Manager),
        Some(_) => Err(WebError::Forbidden),
        None => Err(WebError::Unauthenticated),
    }
}

/// The same six endpoints for each catalog resource: list, get, create, update, archive, restore.
macro_rules! resource_api {
    (
        mod $module:ident, tag = $tag:literal, what = $what:literal,
        paths = ($collection:literal, $item:literal, $archive:literal, $restore:literal),
        operation_ids = ($list_id:literal, $get_id:literal, $create_id:literal, $update_id:literal,
            $archive_id:literal, $restore_id:literal),
        item = $Item:ident, input = $Input:ident, listing = $Listing:ty
    ) => {
        pub mod $module {
            use super::*;

            pub fn routes() -> OpenApiRouter<AppState> {
                OpenApiRouter::new()
                    .routes(routes!(list, create))
                    .routes(routes!(get, update))
                    .routes(routes!(archive))
                    .routes(routes!(restore))
            }

            #[doc = concat!("List ", $what, "s (archived ones only for managers, on request).")]
            #[utoipa::path(get, path = $collection, tag = $tag, operation_id = $list_id, params(ListQuery),
                security((), ("bearer" = [])), responses((status = 200, body = [$Item])))]
            pub async fn list(
                State(state): State<AppState>,
                caller: MaybeCaller,
                AppQuery(q): AppQuery<ListQuery>,
            ) -> Result<Json<Vec<$Item>>, WebError> {
                let audience = audience(&caller, &q)?;
                Ok(Json(listing::list::<$Listing>(state.app(), audience).await?))
            }

            #[doc = concat!("One ", $what, " by id.")]
            #[utoipa::path(get, path = $item, tag = $tag, operation_id = $get_id, params(("id" = i64, Path)),
                security((), ("bearer" = [])),
                responses((status = 200, body = $Item), (status = 404, body = ErrorBody)))]
            pub async fn get(
                State(state): State<AppState>,
                caller: MaybeCaller,
                AppPath(id): AppPath<i64>,
            ) -> Result<Json<$Item>, WebError> {
                let audience = if caller.is_manager() { Audience::Manager } else { Audience::Public };
                Ok(Json(listing::get::<$Listing>(state.app(), id, audience).await?))
            }

            #[doc = concat!("Create a ", $what, " (managers).")]
            #[utoipa::path(post, path = $collection, tag = $tag, operation_id = $create_id, request_body = $Input,
                security(("bearer" = [])),
                responses((status = 201, body = $Item), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
            pub async fn create(
                State(state): State<AppState>,
                _manager: Manager,
                AppJson(input): AppJson<$Input>,
            ) -> Result<(StatusCode, Json<$Item>), WebError> {
                let item = listing::create::<$Listing>(state.app(), &input).await?;
                Ok((StatusCode::CREATED, Json(item)))
            }

            #[doc = concat!("Replace a ", $what, "'s fields (managers).")]
            #[utoipa::path(put, path = $item, tag = $tag, operation_id = $update_id, params(("id" = i64, Path)),
                request_body = $Input, security(("bearer" = [])),
                responses((status = 200, body = $Item), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
                    (status = 422, body = ErrorBody)))]
            pub async fn update(
                State(state): State<AppState>,
                _manager: Manager,
                AppPath(id): AppPath<i64>,
                AppJson(input): AppJson<$Input>,
            ) -> Result<Json<$Item>, WebError> {
                Ok(Json(listing::update::<$Listing>(state.app(), id, &input).await?))
            }

            #[doc = concat!("Archive a ", $what, ": hidden from the public, kept for the record (managers).")]
            #[utoipa::path(post, path = $archive, tag = $tag, operation_id = $archive_id, params(("id" = i64, Path)),
                security(("bearer" = [])), responses((status = 200, body = $Item), (status = 404, body = ErrorBody)))]
            pub async fn archive(
                State(state): State<AppState>,
                _manager: Manager,
                AppPath(id): AppPath<i64>,
            ) -> Result<Json<$Item>, WebError> {
                Ok(Json(listing::set_archived::<$Listing>(state.app(), id, true).await?))
            }

            #[doc = concat!("Bring an archived ", $what, " back (managers).")]
            #[utoipa::path(post, path = $restore, tag = $tag, operation_id = $restore_id, params(("id" = i64, Path)),
                security(("bearer" = [])), responses((status = 200, body = $Item), (status = 404, body = ErrorBody)))]
            pub async fn restore(
                State(state): State<AppState>,
                _manager: Manager,
                AppPath(id): AppPath<i64>,
            ) -> Result<Json<$Item>, WebError> {
                Ok(Json(listing::set_archived::<$Listing>(state.app(), id, false).await?))
            }
        }
    };
}

resource_api!(
    mod services, tag = "services", what = "service",
    paths = ("/services", "/services/{id}", "/services/{id}/archive", "/services/{id}/restore"),
    operation_ids = ("listServices", "getService", "createService", "updateService", "archiveService", "restoreService"),
    item = Service, input = ServiceInput, listing = Services
);

resource_api!(
    mod therapists, tag = "therapists", what = "therapist",
    paths = ("/therapists", "/therapists/{id}", "/therapists/{id}/archive", "/therapists/{id}/restore"),
    operation_ids = ("listTherapists", "getTherapist", "createTherapist", "updateTherapist", "archiveTherapist",
        "restoreTherapist"),
    item = Therapist, input = TherapistInput, listing = Therapists
);

resource_api!(
    mod articles, tag = "articles", what = "article",
    paths = ("/articles", "/articles/{id}", "/articles/{id}/archive", "/articles/{id}/restore"),
    operation_ids = ("listArticles", "getArticle", "createArticle", "updateArticle", "archiveArticle", "restoreArticle"),
    item = Article, input = ArticleInput, listing = Articles
);
