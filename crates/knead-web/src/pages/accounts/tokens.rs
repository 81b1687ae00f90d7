//! A user's own personal access tokens: made here or with `knead token create`, listed with when they
//! expire and were last used, and revoked. A token is shown once, when it is made.

use crate::auth::{Caller, SignedIn};
use crate::error::WebError;
use crate::extract::FormPairs;
use crate::pages::Frame;
use crate::state::AppState;
use crate::ui::{self, Values};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use knead_app::accounts::{self, DEFAULT_TOKEN_DAYS};
use knead_app::AppError;
use knead_core::{TokenDraft, TokenInfo, ValidationErrors};
use maud::{html, Markup};

/// When a token was made, expires or was used: a short date and time in the practice's zone, on its clock.
fn when(t: Timestamp) -> String {
    crate::pages::page_locale().date_time(t)
}

fn tokens_view(caller: &Caller, tokens: &[TokenInfo], values: &Values, errors: &ValidationErrors) -> Markup {
    html! {
        h1 { "Personal access tokens" }
        p { "A token lets a program use the API as you, with " code { "Authorization: Bearer <token>" } ". Revoke one you no longer use." }
        @if tokens.is_empty() { p { "You have no tokens." } } @else {
            div.table-scroll tabindex="0" role="region" aria-label="Your tokens" {
                table {
                    thead { tr { th { "Label" } th { "Made" } th { "Expires" } th { "Last used" } th { span.visually-hidden { "Revoke" } } } }
                    tbody {
                        @for t in tokens {
                            tr {
                                td { (t.label) } td { (when(t.created_at)) } td { (when(t.expires_at)) }
                                td { (t.last_used_at.map(when).unwrap_or_else(|| "never".into())) }
                                td {
                                    form.inline method="post" action={ "/account/tokens/" (t.id) "/revoke" } {
                                        (ui::csrf_field(Some(caller)))
                                        button.link type="submit" aria-label={ "Revoke " (t.label) } { "Revoke" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { "Make a token" }
        (ui::error_summary(errors, "The token was not made:"))
        form.stack method="post" action="/account/tokens" novalidate {
            (ui::csrf_field(Some(caller)))
            (ui::line(values, errors, "label", "Label", ui::TEXT, "What the token is for, so you recognise it later."))
            (ui::line(values, errors, "days", "Days until it expires", ui::WHOLE, "1 to 3650."))
            button type="submit" { "Make token" }
        }
    }
}

async fn respond(
    state: &AppState,
    caller: &Caller,
    values: &Values,
    errors: &ValidationErrors,
    status: StatusCode,
) -> Result<Response, WebError> {
    let tokens = accounts::tokens_of(state.app(), caller.user.id).await?;
    let body = tokens_view(caller, &tokens, values, errors);
    Ok(Frame::signed_in(state, caller).respond(status, "Personal access tokens", body))
}

pub(super) async fn page(State(state): State<AppState>, SignedIn(caller): SignedIn) -> Result<Response, WebError> {
    let mut values = Values::default();
    values.set("days", DEFAULT_TOKEN_DAYS.to_string());
    respond(&state, &caller, &values, &ValidationErrors::default(), StatusCode::OK).await
}

pub(super) async fn create(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    let values = Values::from_form(form.0);
    let mut errors = ValidationErrors::default();
    let days = ui::whole(&mut errors, &values, "days");
    if !errors.0.is_empty() {
        // Say what is wrong with the label too, not only the days.
        if let Err(label_errors) = TokenDraft::parse(values.get("label"), DEFAULT_TOKEN_DAYS) {
            errors.0.extend(label_errors.0);
        }
    } else {
        match accounts::create_token_for(state.app(), &caller.user, values.get("label"), days).await {
            Ok((info, token)) => {
                let body = html! {
                    h1 { "Your new token" }
                    p { "Copy it now: it is shown only this once. It works until " (when(info.expires_at)) "." }
                    p { code.secret { (token) } }
                    p { a.button href="/account/tokens" { "Done" } }
                };
                return Ok(Frame::signed_in(&state, &caller).respond(StatusCode::OK, "Your new token", body));
            }
            Err(AppError::Invalid(e)) => errors = e,
            Err(other) => return Err(other.into()),
        }
    }
    respond(&state, &caller, &values, &errors, StatusCode::UNPROCESSABLE_ENTITY).await
}

pub(super) async fn revoke(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    Path(id): Path<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    accounts::revoke_token_of(state.app(), caller.user.id, id).await?;
    Ok(Redirect::to("/account/tokens").into_response())
}
