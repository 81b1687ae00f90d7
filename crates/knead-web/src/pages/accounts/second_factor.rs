//! Setting up, and turning off, the second factor: an authenticator app's time-based codes, with
//! recovery codes shown once. Managers must have one; their pages send them here until they do.

use crate::auth::SignedIn;
use crate::error::WebError;
use crate::extract::FormPairs;
use crate::pages::Frame;
use crate::state::AppState;
use crate::ui;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use knead_app::accounts::{self, Enrolment};
use knead_app::AppError;
use maud::{html, Markup, PreEscaped};

/// The page that sets a second factor up (and where a manager without one is sent).
pub const SET_UP_PATH: &str = "/account/second-factor";

/// The secret in groups of four, as an authenticator app asks for it when typed.
fn grouped(secret: &str) -> String {
    secret.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
}

/// The `otpauth://` URI as a QR code, drawn as SVG.
fn qr_code(uri: &str) -> Result<Markup, WebError> {
    let code = qrcode::QrCode::new(uri.as_bytes()).map_err(WebError::internal)?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .dark_color(qrcode::render::svg::Color("#1f2933"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build();
    // The renderer's own markup, from a URI we made; nothing a user typed.
    Ok(html! { div.qr role="img" aria-label="QR code for your authenticator app" { (PreEscaped(svg)) } })
}

fn enrolment_view(
    frame: &Frame<'_>,
    enrolment: &Enrolment,
    must: bool,
    error: Option<&str>,
) -> Result<Markup, WebError> {
    let csrf = ui::csrf_field(frame.caller);
    Ok(html! {
        div.narrow {
            h1 { "Set up your second factor" }
            @if must { p { "Managers sign in with a password and a code from an authenticator app. Set yours up to continue." } }
            @else { p { "With a second factor, a stolen password alone cannot open your account." } }
            ol.stack {
                li { "Install an authenticator app on your phone, if you have none (any app for time-based codes)." }
                li {
                    "Scan this code with it. "
                    "On this phone, " a href=(enrolment.otpauth_uri) { "open it in your authenticator app" }
                    " or type the key below."
                    (qr_code(&enrolment.otpauth_uri)?)
                    p { "Key: " code.secret { (grouped(&enrolment.secret)) } }
                }
                li { "Enter the six-digit code the app shows." }
            }
            form.stack method="post" action=(SET_UP_PATH) novalidate {
                @if let Some(e) = error { p.error-summary role="alert" id="code-error" { (e) } }
                (csrf)
                label for="code" { "Code from your app" }
                input #code type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required
                    aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| "code-error")];
                button type="submit" { "Turn on" }
            }
        }
    })
}

/// The code form again after a wrong code, for a key already added to the app.
fn code_again_view(frame: &Frame<'_>, error: &str) -> Markup {
    html! {
        div.narrow {
            h1 { "Set up your second factor" }
            form.stack method="post" action=(SET_UP_PATH) novalidate {
                p.error-summary role="alert" id="code-error" { (error) }
                (ui::csrf_field(frame.caller))
                label for="code" { "Code from your app" }
                input #code type="text" name="code" inputmode="numeric" autocomplete="one-time-code" required
                    aria-invalid="true" aria-describedby="code-error";
                button type="submit" { "Turn on" }
            }
            p.small { "Codes change every 30 seconds; enter the one showing now. " a href=(SET_UP_PATH) { "Start over with a new key" } }
        }
    }
}

fn status_view(frame: &Frame<'_>, codes_left: u64, may_turn_off: bool, error: Option<&str>) -> Markup {
    html! {
        div.narrow {
            h1 { "Your second factor" }
            p { "Your second factor is on. You have " (codes_left) " unused recovery codes." }
            @if may_turn_off {
                form.stack method="post" action="/account/second-factor/off" novalidate {
                    @if let Some(e) = error { p.error-summary role="alert" id="code-error" { (e) } }
                    (ui::csrf_field(frame.caller))
                    label for="code" { "A current code, or a recovery code" }
                    input #code type="text" name="code" autocomplete="one-time-code" required
                        aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| "code-error")];
                    button type="submit" { "Turn off" }
                }
            } @else {
                p { "Your role must keep a second factor. If you lose your phone and your recovery codes, the practice's administrator can reset it from the command line." }
            }
        }
    }
}

pub(super) async fn page(State(state): State<AppState>, SignedIn(caller): SignedIn) -> Result<Response, WebError> {
    let frame = Frame::signed_in(&state, &caller);
    if accounts::has_second_factor(state.app(), caller.user.id).await? {
        let left = accounts::recovery_codes_left(state.app(), caller.user.id).await?;
        let body = status_view(&frame, left, !caller.user.role.needs_second_factor(), None);
        return Ok(frame.respond(StatusCode::OK, "Your second factor", body));
    }
    let enrolment = accounts::begin_second_factor(state.app(), &caller.user).await?;
    let body = enrolment_view(&frame, &enrolment, caller.second_factor_missing, None)?;
    Ok(frame.respond(StatusCode::OK, "Set up your second factor", body))
}

pub(super) async fn confirm(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    let frame = Frame::signed_in(&state, &caller);
    match accounts::confirm_second_factor(state.app(), &caller.user, form.get("code")).await {
        Ok(codes) => {
            let body = html! {
                div.narrow {
                    h1 { "Your second factor is on" }
                    p { "Keep these recovery codes somewhere safe, away from your phone: each signs you in once if you lose it. They are shown only now." }
                    ul.codes { @for c in &codes { li { code { (c) } } } }
                    p { a.button href=(if caller.is_manager() || caller.second_factor_missing { "/manage" } else { "/account" }) { "I have kept them; continue" } }
                }
            };
            Ok(frame.respond(StatusCode::OK, "Recovery codes", body))
        }
        Err(AppError::Invalid(errs)) => {
            // The key is already in their app: ask only for the code again.
            let body = code_again_view(&frame, &errs.0[0].detail);
            Ok(frame.respond(StatusCode::UNPROCESSABLE_ENTITY, "Set up your second factor", body))
        }
        Err(AppError::NotFound { .. }) => Ok(Redirect::to(SET_UP_PATH).into_response()),
        Err(other) => Err(other.into()),
    }
}

pub(super) async fn turn_off(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    let frame = Frame::signed_in(&state, &caller);
    match accounts::disable_second_factor(state.app(), &caller.user, form.get("code")).await {
        Ok(()) => Ok(Redirect::to("/account").into_response()),
        Err(AppError::Invalid(errs)) => {
            let left = accounts::recovery_codes_left(state.app(), caller.user.id).await?;
            let may = !caller.user.role.needs_second_factor();
            let body = status_view(&frame, left, may, Some(&errs.0[0].detail));
            Ok(frame.respond(StatusCode::UNPROCESSABLE_ENTITY, "Your second factor", body))
        }
        Err(other) => Err(other.into()),
    }
}
