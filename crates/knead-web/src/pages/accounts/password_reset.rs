//! A forgotten password: asking for a link by email (the same answer whether or not the email has an
//! account), and choosing a new password from the link.

use crate::auth::MaybeCaller;
use crate::error::WebError;
use crate::extract::{AppQuery, FormPairs};
use crate::pages::Frame;
use crate::state::AppState;
use crate::ui::{self, Typed, Values};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use knead_app::{accounts, AppError};
use knead_core::ValidationErrors;
use maud::{html, Markup};

const EMAIL: Typed<'static> = Typed { html_type: "email", inputmode: None, autocomplete: Some("username") };
const NEW_PASSWORD: Typed<'static> =
    Typed { html_type: "password", inputmode: None, autocomplete: Some("new-password") };

fn forgot_view(values: &Values, errors: &ValidationErrors, sent: bool) -> Markup {
    html! {
        div.narrow {
            h1 { "Forgot your password?" }
            @if sent {
                p.notice role="status" { "If there is an account with that email, we have sent it a link to choose a new password. It works for "
                    (accounts::RESET_LINK_MINUTES) " minutes, once." }
            } @else {
                p { "Give the email you sign in with, and we send it a link to choose a new password." }
            }
            (ui::error_summary(errors, "Nothing was sent:"))
            form.stack method="post" action="/login/forgot" novalidate {
                (ui::line(values, errors, "email", "Email", EMAIL, ""))
                button type="submit" { "Send me the link" }
            }
            p { a href="/login" { "Back to signing in" } }
        }
    }
}

pub(super) async fn forgot_page(State(state): State<AppState>, caller: MaybeCaller) -> Result<Response, WebError> {
    let body = forgot_view(&Values::default(), &ValidationErrors::default(), false);
    Ok(Frame::new(&state, &caller).respond(StatusCode::OK, "Forgot your password?", body))
}

pub(super) async fn forgot(
    State(state): State<AppState>,
    caller: MaybeCaller,
    form: FormPairs,
) -> Result<Response, WebError> {
    let values = Values::from_form(form.0);
    match accounts::request_password_reset(state.app(), values.get("email")).await {
        Ok(()) => {
            let body = forgot_view(&Values::default(), &ValidationErrors::default(), true);
            Ok(Frame::new(&state, &caller).respond(StatusCode::OK, "Forgot your password?", body))
        }
        Err(AppError::Invalid(e)) => {
            let body = forgot_view(&values, &e, false);
            Ok(Frame::new(&state, &caller).respond(StatusCode::UNPROCESSABLE_ENTITY, "Forgot your password?", body))
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct TokenQuery {
    token: Option<String>,
}

fn reset_view(token: &str, errors: &ValidationErrors) -> Markup {
    html! {
        div.narrow {
            h1 { "Choose a new password" }
            (ui::error_summary(errors, "The password was not changed:"))
            form.stack method="post" action="/login/reset" novalidate {
                input type="hidden" name="token" value=(token);
                (ui::line(&Values::default(), errors, "password", "New password", NEW_PASSWORD,
                    &format!("At least {} characters; a few words you will remember make a strong one.", knead_core::Password::MIN_LEN)))
                button type="submit" { "Save the new password" }
            }
        }
    }
}

fn spent_view() -> Markup {
    html! {
        div.narrow {
            h1 { "This link no longer works" }
            p { "A link to choose a new password works once, for " (accounts::RESET_LINK_MINUTES) " minutes." }
            p { a href="/login/forgot" { "Ask for a new link" } }
        }
    }
}

pub(super) async fn reset_page(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppQuery(q): AppQuery<TokenQuery>,
) -> Result<Response, WebError> {
    let token = q.token.unwrap_or_default();
    let frame = Frame::new(&state, &caller);
    if token.is_empty() || !accounts::reset_link_works(state.app(), &token).await? {
        return Ok(frame.respond(StatusCode::NOT_FOUND, "This link no longer works", spent_view()));
    }
    Ok(frame.respond(StatusCode::OK, "Choose a new password", reset_view(&token, &ValidationErrors::default())))
}

pub(super) async fn reset(
    State(state): State<AppState>,
    caller: MaybeCaller,
    form: FormPairs,
) -> Result<Response, WebError> {
    let token = form.get("token").to_string();
    let frame = Frame::new(&state, &caller);
    match accounts::reset_password(state.app(), &token, form.get("password")).await {
        Ok(()) => {
            let body = html! {
                div.narrow {
                    h1 { "Your password is changed" }
                    p { "You were signed out everywhere. Sign in with the new password." }
                    p { a.button href="/login" { "Sign in" } }
                }
            };
            Ok(frame.respond(StatusCode::OK, "Your password is changed", body))
        }
        Err(AppError::Invalid(e)) if e.for_field("token").is_some() => {
            Ok(frame.respond(StatusCode::NOT_FOUND, "This link no longer works", spent_view()))
        }
        Err(AppError::Invalid(e)) => {
            Ok(frame.respond(StatusCode::UNPROCESSABLE_ENTITY, "Choose a new password", reset_view(&token, &e)))
        }
        Err(other) => Err(other.into()),
    }
}
