//! Office chair-massage days in the pages, for attendees on their phones: the organiser's sign-up link opens the
//! day's free times and a short form (name, email, the seated-massage health check, consent); the confirmation
//! gives the attendee their own cancel link. No account anywhere.

use crate::auth::{Manager, MaybeCaller};
use crate::error::{field_errors, WebError};
use crate::extract::{AppPath, AppQuery, FormPairs};
use crate::pages::booking::check_session_csrf;
use crate::pages::intake::form::yes_no;
use crate::pages::Frame;
use crate::routes::{get, Routes};
use crate::state::AppState;
use crate::ui::{clock, csrf_field, day_heading, error_summary, field, Input, Values, TEXT};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use knead_app::events::{self, Sheet};
use knead_core::calendar::local_date;
use knead_core::events::health::{AnswersInput, NOTE, QUESTIONS};
use knead_core::events::{GroupId, SignupInput};
use knead_core::ValidationErrors;
use maud::{html, Markup};

pub fn router() -> Routes {
    Routes::new()
        .route("/chair-days/{id}/signup", get(signup_page).post(sign_up))
        .route("/chair-days/signups/cancel", get(cancel_page).post(cancel))
        .route("/manage/chair-days", get(manage_list))
}

/// The managers' list: every chair day, newest first, with its sheet (who sits where, and when).
async fn manage_list(State(state): State<AppState>, Manager(caller): Manager) -> Result<Response, WebError> {
    let days = events::chair_days(state.app()).await?;
    let body = html! {
        p.crumbs { a href="/manage" { "Manage" } " / " "Chair-massage days" }
        h1 { "Chair-massage days" }
        p.hint { "A company's organiser asks for a day on the " a href="/groups/enquire" { "enquiry form" } "; accept it under " a href="/manage/enquiries" { "Enquiries" } " (or book through the API, POST /api/v1/chair-days). The organiser receives a private page with the sign-up link to share." }
        @if days.is_empty() { p { "No chair-massage day is booked yet." } }
        @for sheet in &days {
            @let tz = &sheet.zone;
            @let (taken, total) = sheet.fill();
            section.chair-day aria-labelledby={ "day-" (sheet.day.id.0) } {
                h2 id={ "day-" (sheet.day.id.0) } {
                    (day_heading(local_date(tz, sheet.booking.start))) ", " (clock(tz, sheet.booking.start)) "–" (clock(tz, sheet.booking.end))
                    " · " (events::address_of(&sheet.booking))
                }
                p.meta { (taken) " of " (total) " places taken · " (sheet.day.day.chairs) " chairs · "
                    (sheet.booking.client.name) " organises"
                    @if !sheet.booking.status.is_active() { " · cancelled" }
                    " · " a href={ "/manage/chair-days/" (sheet.day.id.0) "/invoice" } { "Invoice" } }
                div.table-scroll tabindex="0" role="region" aria-label={ "Sheet of " (events::address_of(&sheet.booking)) } {
                    table {
                        thead { tr { th scope="col" { "Time" } th scope="col" { "Chair" } th scope="col" { "Attendee" } } }
                        tbody {
                            @for s in &sheet.sittings {
                                tr {
                                    td { (clock(tz, s.start)) }
                                    td { (s.chair) }
                                    td { @match &s.attendee {
                                        Some(a) => { (a.signup.name) @if a.signup.answers.is_none() { " (health check not answered: ask first)" } }
                                        None => { span.meta { "free" } }
                                    } }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(Frame { state: &state, caller: Some(&caller) }.page("Chair-massage days", body).into_response())
}

#[derive(Debug, serde::Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

/// The free starts of the sheet (a start with at least one free chair), each with how many chairs are free.
fn free_starts(sheet: &Sheet, now: jiff::Timestamp) -> Vec<(jiff::Timestamp, usize)> {
    let mut out: Vec<(jiff::Timestamp, usize)> = Vec::new();
    for s in sheet.sittings.iter().filter(|s| s.attendee.is_none() && s.start > now) {
        match out.last_mut() {
            Some((start, n)) if *start == s.start => *n += 1,
            _ => out.push((s.start, 1)),
        }
    }
    out
}

fn form_page(
    sheet: &Sheet,
    token: &str,
    caller: &MaybeCaller,
    values: &Values,
    errors: &ValidationErrors,
    now: jiff::Timestamp,
) -> Markup {
    let tz = &sheet.zone;
    let free = free_starts(sheet, now);
    let labels: Vec<(String, String)> = free
        .iter()
        .map(|(start, n)| {
            (start.to_string(), format!("{} ({} chair{} free)", clock(tz, *start), n, if *n == 1 { "" } else { "s" }))
        })
        .collect();
    let choices: Vec<(&str, &str)> =
        std::iter::once(("", "Choose a time")).chain(labels.iter().map(|(a, b)| (a.as_str(), b.as_str()))).collect();
    let (taken, total) = sheet.fill();
    html! {
        h1 { "Chair massage at " (events::address_of(&sheet.booking)) }
        p.lead { (day_heading(local_date(tz, sheet.booking.start))) ", " (clock(tz, sheet.booking.start)) "–" (clock(tz, sheet.booking.end))
            " · " (sheet.day.day.slot_minutes) " minutes each, fully clothed, on a massage chair" }
        p.meta { (taken) " of " (total) " places taken." }
        (error_summary(errors, "Please check:"))
        @if free.is_empty() {
            p #status { "Every place is taken. Ask your organiser whether another day is planned." }
        } @else {
            form.stack method="post" action={ "/chair-days/" (sheet.day.id.0) "/signup" } {
                (csrf_field(caller.0.as_ref()))
                input type="hidden" name="token" value=(token);
                (field(values, errors, "start", "Your time", Input::Select(&choices), ""))
                (field(values, errors, "name", "Your name", Input::Line(TEXT), ""))
                (field(values, errors, "email", "Your email", Input::Line(TEXT), "So the practice can reach you about your place."))
                (health_questions(values, errors))
                div.field {
                    label.check {
                        input type="checkbox" name="consent" value="yes" checked[values.get("consent") == "yes"];
                        " I agree to a seated massage of my neck, shoulders, back and arms, and will say at any time if I want it lighter or to stop."
                    }
                    @if let Some(e) = errors.for_field("consent") { span.error id="consent-error" { (e) } }
                }
                div.field.submit { button type="submit" { "Sign up" } }
            }
        }
    }
}

/// The sign-up page behind the organiser's link.
async fn signup_page(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppPath(id): AppPath<i64>,
    AppQuery(q): AppQuery<TokenQuery>,
) -> Result<Response, WebError> {
    let token = q.token.unwrap_or_default();
    let sheet = events::chair_sheet_by_token(state.app(), GroupId(id), &token).await?;
    let body = form_page(&sheet, &token, &caller, &Values::default(), &ValidationErrors::default(), state.now());
    Ok(Frame { state: &state, caller: caller.0.as_ref() }.page("Sign up for a chair massage", body).into_response())
}

/// The short health check's questions, each yes or no, and the note (also on a party guest's own check).
pub(crate) fn health_questions(values: &Values, errors: &ValidationErrors) -> Markup {
    html! {
        h2 { "Before your massage" }
        p.hint { "A few questions so your therapist can keep the massage safe for you." }
        @for q in &QUESTIONS {
            (yes_no(values, errors, &format!("health.{}", q.key), q.text, ""))
        }
        (field(values, errors, "health.note", NOTE.text, Input::Area(3), ""))
    }
}

/// The health check's answers as the API takes them: yes/no as true/false, a question left unanswered as missing.
pub(crate) fn answers_of(form: &FormPairs) -> AnswersInput {
    let yes = |key: &str| match form.get(&format!("health.{key}")) {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    AnswersInput {
        unwell: yes("unwell"),
        blood_clot: yes("blood_clot"),
        recent_injury: yes("recent_injury"),
        blood_thinners: yes("blood_thinners"),
        fragile_bones: yes("fragile_bones"),
        pregnant: yes("pregnant"),
        note: Some(form.get("health.note").to_string()),
    }
}

/// The form's answers as the API takes them.
fn input_of(form: &FormPairs) -> SignupInput {
    SignupInput {
        token: form.get("token").to_string(),
        start: form.get("start").to_string(),
        name: form.get("name").to_string(),
        email: form.get("email").to_string(),
        consent: form.get("consent") == "yes",
        health: Some(answers_of(form)),
    }
}

/// Signs the attendee up: the confirmation with their cancel link, or the form again with what to change.
async fn sign_up(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    check_session_csrf(&caller, &form)?;
    let frame = Frame { state: &state, caller: caller.0.as_ref() };
    let input = input_of(&form);
    match events::sign_up(state.app(), GroupId(id), &input).await {
        Ok(done) => {
            let tz = &done.sheet.zone;
            let start = done.signup.signup.start;
            let cancel = format!("/chair-days/signups/cancel?token={}", done.cancel_token);
            let body = html! {
                h1 { "You're signed up" }
                p.notice role="status" #signed-up {
                    strong { (day_heading(local_date(tz, start))) ", " (clock(tz, start)) }
                    " in chair " (done.signup.chair) " at " (events::address_of(&done.sheet.booking)) "."
                }
                @if !done.adapt.is_empty() {
                    p { "Your therapist will keep in mind: " (done.adapt.join("; ")) "." }
                }
                p { "Can't make it? " a href=(cancel) { "Cancel your place" } " so a colleague can take it. Keep this link: it is the only way back to your place." }
            };
            Ok((StatusCode::CREATED, frame.page("You're signed up", body)).into_response())
        }
        Err(e) => match field_errors(&e) {
            Some(errors) => {
                let sheet = events::chair_sheet_by_token(state.app(), GroupId(id), &input.token).await?;
                let values = Values::from_form(form.0.clone());
                let status = if matches!(e, knead_app::AppError::Conflict { .. }) {
                    StatusCode::CONFLICT
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                };
                let body = form_page(&sheet, &input.token, &caller, &values, &errors, state.now());
                Ok((status, frame.page("Sign up for a chair massage", body)).into_response())
            }
            None => Err(e.into()),
        },
    }
}

/// The attendee's own cancel page.
async fn cancel_page(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppQuery(q): AppQuery<TokenQuery>,
) -> Result<Response, WebError> {
    let token = q.token.unwrap_or_default();
    let body = html! {
        h1 { "Cancel your chair massage" }
        p { "Your place goes back on the sheet for a colleague to take." }
        form method="post" action="/chair-days/signups/cancel" {
            (csrf_field(caller.0.as_ref()))
            input type="hidden" name="token" value=(token);
            button type="submit" { "Cancel my place" }
        }
    };
    Ok(Frame { state: &state, caller: caller.0.as_ref() }.page("Cancel your chair massage", body).into_response())
}

/// Cancels the attendee's place.
async fn cancel(State(state): State<AppState>, caller: MaybeCaller, form: FormPairs) -> Result<Response, WebError> {
    check_session_csrf(&caller, &form)?;
    let signup = events::cancel_signup(state.app(), form.get("token")).await?;
    let tz = knead_app::calendar::settings(state.app()).await?.zone().clone();
    let start = signup.signup.start;
    let body = html! {
        h1 { "Your place is cancelled" }
        p.notice role="status" #cancelled { "Your chair massage at " (clock(&tz, start)) ", " (day_heading(local_date(&tz, start))) " is cancelled." }
    };
    Ok(Frame { state: &state, caller: caller.0.as_ref() }.page("Your place is cancelled", body).into_response())
}
