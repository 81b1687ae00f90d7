//! Signing up as a client: name, email, phone and a password (the same rules as every password), then
//! signed in and sent to the account. The form carries a token that must match a cookie set with it, as the
//! sign-in form does, so another site cannot sign a visitor into an account the attacker made (and then read
//! the health history the visitor fills in).

use crate::auth::{self, MaybeCaller};
use crate::error::WebError;
use crate::extract::FormPairs;
use crate::pages::Frame;
use crate::state::AppState;
use crate::ui::{error_summary, line, Typed, Values, TEXT};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use knead_app::clients::{self, SignUp};
use knead_app::{accounts, AppError};
use knead_core::{FieldError, Password, ValidationErrors};
use maud::html;

pub const PATH: &str = "/sign-up";
const COOKIE: &str = "knead_sign_up";
const FORM_SECONDS: i64 = 3600;

fn form_token(headers: &HeaderMap) -> String {
    auth::cookie_value(headers, COOKIE).unwrap_or_else(accounts::random_secret)
}

fn form_page(
    state: &AppState,
    values: &Values,
    errors: &ValidationErrors,
    token: &str,
    status: StatusCode,
) -> Result<Response, WebError> {
    let frame = Frame { state, caller: None };
    let body = html! {
        div.narrow {
            h1 { "Sign up" }
            p.lead { "An account keeps your bookings and your health history in one place." }
            form.stack method="post" action=(PATH) novalidate {
                (error_summary(errors, "Your account was not made. Please check:"))
                input type="hidden" name="sign_up_token" value=(token);
                (line(values, errors, "name", "Your name", Typed { autocomplete: Some("name"), ..TEXT }, ""))
                (line(values, errors, "email", "Email", Typed { html_type: "email", inputmode: None, autocomplete: Some("email") }, "You sign in with it."))
                (line(values, errors, "phone", "Phone", Typed { html_type: "tel", inputmode: None, autocomplete: Some("tel") }, "Your therapist calls if they are running late."))
                (line(&Values::default(), errors, "password", "Password", Typed { html_type: "password", inputmode: None, autocomplete: Some("new-password") },
                    &format!("At least {} characters; a few words you remember work well.", Password::MIN_LEN)))
                button type="submit" { "Sign up" }
            }
            p { "Already have an account? " a href="/login" { "Sign in" } }
        }
    };
    let mut response = frame.respond(status, "Sign up", body);
    let cookie = auth::cookie(state, COOKIE, token, PATH, Some(FORM_SECONDS));
    response.headers_mut().append(header::SET_COOKIE, HeaderValue::from_str(&cookie).map_err(WebError::internal)?);
    Ok(response)
}

pub(super) async fn page(
    State(state): State<AppState>,
    caller: MaybeCaller,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    if caller.0.is_some() {
        return Ok(Redirect::to("/account").into_response());
    }
    form_page(&state, &Values::default(), &ValidationErrors::default(), &form_token(&headers), StatusCode::OK)
}

/// The API's field names as the form spells them.
fn form_field(field: &str) -> String {
    field.trim_start_matches("client.").to_string()
}

pub(super) async fn sign_up(
    State(state): State<AppState>,
    caller: MaybeCaller,
    headers: HeaderMap,
    form: FormPairs,
) -> Result<Response, WebError> {
    if caller.0.is_some() {
        return Ok(Redirect::to("/account").into_response());
    }
    let token = form_token(&headers);
    let values =
        Values(form.0.iter().filter(|(k, _)| ["name", "email", "phone"].contains(&k.as_str())).cloned().collect());
    let refused = |errors: ValidationErrors, status: StatusCode| form_page(&state, &values, &errors, &token, status);
    let sent = form.get("sign_up_token");
    if auth::cookie_value(&headers, COOKIE).is_none_or(|c| !auth::constant_time_eq(c.as_bytes(), sent.as_bytes())) {
        let e = ValidationErrors::single(
            "expired",
            "form",
            "this form had expired or came from another site; please send it again",
        );
        return refused(e, StatusCode::FORBIDDEN);
    }
    let input = SignUp {
        name: form.get("name").to_string(),
        email: form.get("email").to_string(),
        phone: form.get("phone").to_string(),
        password: form.get("password").to_string(),
    };
    let user = match clients::sign_up(state.app(), &input).await {
        Ok((user, _client)) => user,
        Err(AppError::Invalid(e)) => {
            let e =
                ValidationErrors(e.0.into_iter().map(|x| FieldError { field: form_field(&x.field), ..x }).collect());
            return refused(e, StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(AppError::Conflict { field, .. }) => {
            let e = ValidationErrors::single("taken", field, "already has an account here; sign in instead");
            return refused(e, StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(other) => return Err(other.into()),
    };
    tracing::info!(user_id = user.id.0, "signed up");
    if let Some(old) = auth::session_cookie(&headers) {
        accounts::end_session_of(state.app(), &old).await?;
    }
    let secret = accounts::start_session(state.app(), &user).await?;
    let mut response = Redirect::to("/account").into_response();
    for c in [auth::session_set_cookie(&state, &user, secret), auth::cookie(&state, COOKIE, "", PATH, None)] {
        response.headers_mut().append(header::SET_COOKIE, HeaderValue::from_str(&c).map_err(WebError::internal)?);
    }
    Ok(response)
}
