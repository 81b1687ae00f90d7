//! The client's own home program, `/account/program`: each current program with its exercises step by step,
//! their doses and when to stop (printable: the print stylesheet keeps only the program), a form sized for a
//! phone to log today's exercises and pain, and the chart of their scores. Staff have no program here.

use super::program_form::{dose, exercise_name};
use crate::auth::{Caller, SignedIn};
use crate::error::{field_errors, WebError};
use crate::extract::{AppPath, AppQuery, FormPairs};
use crate::pages::Frame;
use crate::state::AppState;
use crate::ui::{self, error_summary, field, line, Input, Values, DATE};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use knead_app::records::{programs, OwnProgram};
use knead_core::calendar::local_date;
use knead_core::records::exercises;
use knead_core::records::{ExerciseLogInput, ProgramId};
use knead_core::{Role, ValidationErrors};
use maud::{html, Markup};

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct LoggedQuery {
    logged: Option<String>,
}

/// The refused log form of one program, re-shown.
struct Refused {
    program: ProgramId,
    values: Values,
    errors: ValidationErrors,
}

fn client_only(caller: &Caller) -> Result<(), WebError> {
    match caller.user.role {
        Role::Client => Ok(()),
        // Staff have no program of their own: "not found", as for any page that is not theirs.
        _ => Err(WebError::not_found("program")),
    }
}

pub(super) async fn page(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppQuery(q): AppQuery<LoggedQuery>,
) -> Result<Response, WebError> {
    client_only(&caller)?;
    let notice = q.logged.is_some().then_some("Today's exercises and pain were saved. Thank you.");
    render(&state, &caller, None, notice).await
}

async fn render(
    state: &AppState,
    caller: &Caller,
    refused: Option<Refused>,
    notice: Option<&str>,
) -> Result<Response, WebError> {
    let app = state.app();
    let own = programs::own(app, &caller.user).await?;
    let settings = knead_app::calendar::settings(app).await?;
    let today = local_date(settings.zone(), state.now()).to_string();
    let responder = settings.response_policy.responder_points;
    let body = html! {
        div.no-print { (ui::notice(notice)) }
        h1 { "Your home program" }
        @if own.is_empty() {
            p #no-program { "Your therapist has not given you exercises yet. They will appear here when they do." }
        }
        @for p in &own {
            (program_view(caller, p, &today, refused.as_ref(), responder))
        }
        p.no-print { a href="/account" { "Back to your account" } }
    };
    let status = if refused.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok(Frame::signed_in(state, caller).respond(status, "Your home program", body))
}

fn program_view(caller: &Caller, p: &OwnProgram, today: &str, refused: Option<&Refused>, responder: f64) -> Markup {
    let id = p.program.id.0;
    let (v, e) = match refused {
        Some(r) if r.program == p.program.id => (r.values.clone(), r.errors.clone()),
        _ => {
            let mut v = Values::default();
            v.set("on", today);
            (v, ValidationErrors::default())
        }
    };
    let done: Vec<&str> = v.0.iter().filter(|(k, _)| k == "done").map(|(_, d)| d.as_str()).collect();
    let pains: Vec<(String, String)> = std::iter::once((String::new(), "Choose".to_string()))
        .chain((0..=10).map(|n| (n.to_string(), n.to_string())))
        .collect();
    let pain_choices: Vec<(&str, &str)> = pains.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    html! {
        section.own-program aria-labelledby={ "program-" (id) } {
            h2 id={ "program-" (id) } { (p.episode.title()) }
            p.meta { "From " (crate::pages::intake::capital(&crate::pages::clients::date_time(p.program.created_at))) ". "
                strong { (p.adherence.percent) "% done" } " in the last days you logged." }
            ol.exercises {
                @for x in &p.program.exercises {
                    li.exercise {
                        h3 { (exercise_name(&x.exercise)) }
                        p.dose { (dose(x)) }
                        @if !x.note.is_empty() { p.note { (x.note) } }
                        @if let Some(ex) = exercises::exercise(&x.exercise) {
                            ol.steps { @for s in ex.steps { li { (s) } } }
                            p.stop { strong { "Stop and tell your therapist if: " } (ex.stop_rules.join(" ")) }
                        }
                    }
                }
            }
            section.log-day.no-print aria-labelledby={ "log-" (id) } {
                h3 id={ "log-" (id) } { "Log a day" }
                (error_summary(&e, "Nothing was saved:"))
                form.stack method="post" action={ "/account/program/" (id) "/log" } novalidate {
                    (ui::csrf_field(Some(caller)))
                    (line(&v, &e, "on", "Day", DATE, "Today, or a day in the last two weeks."))
                    fieldset #done .invalid[ui::error_for(&e, "done").is_some()] {
                        legend { "Exercises done" }
                        @for x in &p.program.exercises {
                            label.check.big { input type="checkbox" name="done" value=(x.exercise) checked[done.contains(&x.exercise.as_str())]; " " (exercise_name(&x.exercise)) }
                        }
                        @if let Some(err) = ui::error_for(&e, "done") { span.error { (err) } }
                    }
                    (field(&v, &e, "pain", "Your leg (or main) pain today, 0-10", Input::Select(&pain_choices), "0 no pain, 10 the worst you can imagine."))
                    (field(&v, &e, "note", "Anything to tell your therapist", Input::Area(2), "Optional."))
                    div { button type="submit" { "Save the day" } }
                }
            }
            h3 { "Your scores" }
            (super::chart::trend(&format!("own-chart-{id}"), &p.episode.title(), &p.measures, responder))
        }
    }
}

pub(super) async fn log_day(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    client_only(&caller)?;
    caller.check_csrf(form.get("csrf"))?;
    let program = ProgramId(id);
    let values = Values::from_form(form.0);
    let mut errors = ValidationErrors::default();
    let pain = match values.get("pain").trim() {
        "" => {
            errors.push(knead_core::FieldError::new("required", "pain", "choose your pain today, 0 to 10"));
            0
        }
        _ => ui::whole(&mut errors, &values, "pain"),
    };
    let input = ExerciseLogInput {
        on: values.get("on").trim().to_string(),
        done: values.0.iter().filter(|(k, _)| k == "done").map(|(_, v)| v.clone()).collect(),
        pain,
        note: values.get("note").to_string(),
    };
    if errors.is_empty() {
        match programs::log_day(state.app(), &caller.user, program, &input).await {
            Ok(_) => {
                tracing::info!(program_id = id, "exercise day logged by the client");
                return Ok(Redirect::to("/account/program?logged=1").into_response());
            }
            Err(e) => match field_errors(&e) {
                Some(more) => errors = more,
                None => return Err(super::hidden("program")(e)),
            },
        }
    }
    render(&state, &caller, Some(Refused { program, values, errors }), None).await
}
