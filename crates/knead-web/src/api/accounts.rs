//! The caller's own account in the API.

use crate::auth::SignedIn;
use crate::state::AppState;
use axum::Json;
use knead_core::Role;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(me))
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
#[utoipa::path(get, path = "/me", tag = "accounts", operation_id = "getMe", security(("bearer" = [])),
    responses((status = 200, body = UserView)))]
pub async fn me(SignedIn(caller): SignedIn) -> Json<UserView> {
    let u = caller.user;
    Json(UserView { id: u.id.0, email: u.email.as_str().to_string(), name: u.name, role: u.role })
}
