//! The home program on the episode page: the current program with the client's adherence since the last
//! signed note and the pain they logged, and the form that prescribes a new one from the library — each
//! exercise with its default dose prefilled, and those the client's precautions rule out shown disabled
//! with why.

use super::episode::{input_errors, render, EpisodePage, Refused};
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::extract::{AppPath, FormPairs};
use crate::pages::clients::staff_only;
use crate::state::AppState;
use crate::ui::{self, error_summary, line, Values, WHOLE};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use knead_app::records::{episodes, EpisodeFile};
use knead_core::intake::Precaution;
use knead_core::records::exercises::{self, Adherence, Exercise};
use knead_core::records::{EpisodeId, Prescription, ProgramInput};
use knead_core::{FieldError, ValidationErrors};
use maud::{html, Markup};

/// A dose in words: "2 sets of 10, hold 30 s, twice a day, 5 days a week".
pub(crate) fn dose(p: &Prescription) -> String {
    let mut parts = vec![match (p.sets, p.reps) {
        (s, 0) => format!("{s} {}", if s == 1 { "set" } else { "sets" }),
        (s, r) => format!("{s} {} of {r}", if s == 1 { "set" } else { "sets" }),
    }];
    if p.hold_seconds > 0 {
        parts.push(format!("hold {} s", p.hold_seconds));
    }
    parts.push(match p.per_day {
        0 => "on the days below".to_string(),
        1 => "once a day".to_string(),
        2 => "twice a day".to_string(),
        n => format!("{n} times a day"),
    });
    parts.push(format!("{} days a week", p.days_per_week));
    parts.join(", ")
}

/// The exercise's name, by its library key.
pub(crate) fn exercise_name(key: &str) -> String {
    exercises::exercise(key).map_or_else(|| key.to_string(), |e| e.name.to_string())
}

/// Adherence and the logged pain, in a sentence and a short list.
pub(crate) fn adherence_view(a: &Adherence) -> Markup {
    html! {
        p.adherence {
            strong { (a.percent) "% done" } " from " (ui::full_date(a.from)) " to " (ui::full_date(a.to))
            ", " (a.days_logged) @if a.days_logged == 1 { " day logged." } @else { " days logged." }
        }
        @if !a.pain.is_empty() {
            p { "Pain logged: " (a.pain.iter().map(|p| format!("{} on {}", p.pain, p.on)).collect::<Vec<_>>().join(", ")) "." }
        }
    }
}

pub(super) fn current(file: &EpisodeFile) -> Markup {
    html! {
        @match file.programs.first() {
            None => p.meta #no-program { "No program prescribed yet." },
            Some(p) => {
                p.meta { "Prescribed " (crate::pages::clients::date_time(p.created_at)) "." }
                ul #program-list { @for x in &p.exercises { li { strong { (exercise_name(&x.exercise)) } ": " (dose(x)) @if !x.note.is_empty() { ". " (x.note) } } } }
                @match episodes::adherence_since_last_note(file) {
                    Some(a) => { (adherence_view(&a)) }
                    None => { p.meta { "Nothing logged yet." } }
                }
            }
        }
    }
}

/// Why each library exercise is ruled out for this client (empty: it is not). The yes answers that rule
/// exercises out are the fields the precautions come from.
fn exclusions(precautions: &[Precaution]) -> Vec<(&'static Exercise, Vec<String>)> {
    let yes: Vec<&str> = precautions.iter().map(|p| p.source.as_str()).collect();
    exercises::library().iter().map(|e| (e, exercises::excluded_because(e, precautions, &yes))).collect()
}

const DOSE: [(&str, &str, &str); 5] = [
    ("sets", "Sets", "1-10"),
    ("reps", "Reps", "0-50"),
    ("hold_seconds", "Hold (s)", "0-300"),
    ("per_day", "Times a day", "0-10"),
    ("days_per_week", "Days a week", "1-7"),
];

fn defaults(e: &Exercise) -> [i64; 5] {
    [e.sets, e.reps, e.hold_seconds, e.per_day, e.days_per_week]
}

pub(super) fn form(page: &EpisodePage<'_>, refused: Option<&Refused>) -> Markup {
    let current = page.file.programs.first();
    let fresh = || {
        let mut v = Values::default();
        for e in exercises::library() {
            let given = current.and_then(|p| p.exercises.iter().find(|x| x.exercise == e.key));
            let dose = given.map_or(defaults(e), |x| [x.sets, x.reps, x.hold_seconds, x.per_day, x.days_per_week]);
            if given.is_some() {
                v.set(format!("pick.{}", e.key), "yes");
            }
            for ((name, _, _), n) in DOSE.iter().zip(dose) {
                v.set(format!("{}.{name}", e.key), n.to_string());
            }
            v.set(format!("{}.note", e.key), given.map(|x| x.note.clone()).unwrap_or_default());
        }
        v
    };
    let (v, e) = Refused::for_form(refused, "program", fresh);
    html! {
        details.program-form #program-form open[refused.is_some_and(|r| r.form == "program")] {
            summary { @if current.is_some() { "Change the program" } @else { "Prescribe a program" } }
            form.stack method="post" action={ "/manage/episodes/" (page.file.episode.id.0) "/program" } novalidate {
                (error_summary(&e, "The program was not prescribed:"))
                (ui::csrf_field(Some(page.caller)))
                p.hint { "Tick the exercises to give; each starts at its usual dose." }
                @for (x, why) in exclusions(&page.file.precautions) {
                    @let pick = format!("pick.{}", x.key);
                    fieldset.exercise.excluded[!why.is_empty()] id=(ui::field_id(&format!("{}.exercise", x.key))) {
                        legend {
                            label.check {
                                input type="checkbox" name=(pick) value="yes" checked[v.get(&pick) == "yes" && why.is_empty()] disabled[!why.is_empty()];
                                " " (x.name)
                            }
                        }
                        @if !why.is_empty() {
                            p.excluded-why { "Not for this client: " (why.join("; ")) "." }
                        } @else {
                            @if let Some(err) = ui::error_for(&e, &format!("{}.exercise", x.key)) { span.error { (err) } }
                            div.row.dose {
                                @for (name, label, hint) in DOSE {
                                    (line(&v, &e, &format!("{}.{name}", x.key), label, WHOLE, hint))
                                }
                            }
                            (line(&v, &e, &format!("{}.note", x.key), "Note for the client", ui::TEXT, "Optional."))
                        }
                    }
                }
                div { button type="submit" { "Prescribe the program" } }
            }
        }
    }
}

/// The ticked exercises as prescriptions, in library order, and what could not be read.
fn read(v: &Values) -> (ProgramInput, Vec<&'static str>, ValidationErrors) {
    let mut read = ValidationErrors::default();
    let mut list = Vec::new();
    let mut keys = Vec::new();
    for e in exercises::library() {
        if v.get(&format!("pick.{}", e.key)) != "yes" {
            continue;
        }
        let mut n = [0i64; 5];
        for (slot, (name, _, _)) in n.iter_mut().zip(DOSE) {
            *slot = ui::whole(&mut read, v, &format!("{}.{name}", e.key));
        }
        keys.push(e.key);
        list.push(Prescription {
            exercise: e.key.to_string(),
            sets: n[0],
            reps: n[1],
            hold_seconds: n[2],
            per_day: n[3],
            days_per_week: n[4],
            note: v.get(&format!("{}.note", e.key)).trim().to_string(),
        });
    }
    (ProgramInput { exercises: list }, keys, read)
}

/// `exercises[i].sets` as the form names it: `{key}.sets`.
fn by_key(errors: ValidationErrors, keys: &[&str]) -> ValidationErrors {
    ValidationErrors(
        errors
            .0
            .into_iter()
            .map(|e| {
                let Some(rest) = e.field.strip_prefix("exercises[") else { return e };
                let Some((i, tail)) = rest.split_once(']') else { return e };
                match i.parse::<usize>().ok().and_then(|i| keys.get(i)) {
                    Some(key) => FieldError { field: format!("{key}{tail}"), ..e },
                    None => e,
                }
            })
            .collect(),
    )
}

pub(super) async fn prescribe(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    staff_only(&caller)?;
    caller.check_csrf(form.get("csrf"))?;
    let id = EpisodeId(id);
    let values = Values::from_form(form.0);
    let (input, keys, read) = read(&values);
    let errors = if read.is_empty() {
        match episodes_prescribe(&state, &caller, id, &input).await {
            Ok(()) => {
                return Ok(Redirect::to(&format!("/manage/episodes/{}?saved=program#program", id.0)).into_response())
            }
            Err(e) => by_key(input_errors(e)?, &keys),
        }
    } else {
        read
    };
    render(&state, &caller, id, Some(Refused { form: "program", values, errors }), None).await
}

async fn episodes_prescribe(
    state: &AppState,
    caller: &crate::auth::Caller,
    id: EpisodeId,
    input: &ProgramInput,
) -> Result<(), knead_app::AppError> {
    let program = knead_app::records::programs::prescribe(state.app(), &caller.user, id, input).await?;
    tracing::info!(episode_id = id.0, program_id = program.id.0, "program prescribed by staff");
    Ok(())
}
