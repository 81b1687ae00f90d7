//! The caller's own account in the API.

use crate::auth::SignedIn;
use crate::error::{ErrorBody, WebError};
use crate::extract::AppJson;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use knead_app::accounts;
use knead_core::Role;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(request_password_reset))
        .routes(routes!(complete_password_reset))
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

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    /// The email the account signs in with.
    pub email: String,
}

/// Email a link to choose a new password (good for an hour, once).
///
/// The answer is the same whether the email has an account or not (202); an account gets at most one such
/// message every 10 minutes.
#[utoipa::path(post, path = "/password-resets", tag = "accounts", operation_id = "requestPasswordReset",
    request_body = PasswordResetRequest, security(()),
    responses((status = 202, description = "If there is an account with this email, a link is on the way"),
        (status = 422, body = ErrorBody, description = "Not an email address (`email`)")))]
pub async fn request_password_reset(
    State(state): State<AppState>,
    AppJson(input): AppJson<PasswordResetRequest>,
) -> Result<StatusCode, WebError> {
    accounts::request_password_reset(state.app(), &input.email).await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetCompletion {
    /// The token from the emailed link (`/login/reset?token=…`).
    #[schema(max_length = 200)]
    pub token: String,
    /// The new password: at least 10 characters, not a common one.
    pub password: String,
}

/// Set a new password with the token of an emailed reset link; every session of the account ends.
#[utoipa::path(post, path = "/password-resets/complete", tag = "accounts", operation_id = "completePasswordReset",
    request_body = PasswordResetCompletion, security(()),
    responses((status = 204, description = "The password is changed; sign in with it"),
        (status = 422, body = ErrorBody, description = "The link has expired or was used (`expired` on `token`), or the password is too weak (`password`)")))]
pub async fn complete_password_reset(
    State(state): State<AppState>,
    AppJson(input): AppJson<PasswordResetCompletion>,
) -> Result<StatusCode, WebError> {
    accounts::reset_password(state.app(), &input.token, &input.password).await?;
    Ok(StatusCode::NO_CONTENT)
}
