//! The treatment plan on the episode page: the current version (earlier ones readable below it) and the form
//! that saves a new version — goals, techniques each with its aim and region, the most pressure, how often,
//! the review date, and the client's consent to all six elements. The form's fields are named as the API
//! names them (`goals[0].description`, `consent.risks`), so the core's errors land beside their fields; the
//! precautions are shown above it on the page.

use super::episode::{input_errors, render, EpisodePage, Refused};
use super::renumbered;
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::extract::{AppPath, FormPairs};
use crate::pages::clients::staff_only;
use crate::state::AppState;
use crate::ui::{self, error_summary, field, full_date, line, Input, Values, DATE, DECIMAL, TEXT, WHOLE};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use knead_app::records::{episodes, EpisodeFile};
use knead_core::intake::health::CONSENT_ELEMENTS;
use knead_core::intake::Consent;
use knead_core::records::plan::PlannedTechnique;
use knead_core::records::{Aim, EpisodeId, Goal, PlanInput, Pressure, Technique, TreatmentPlan};
use knead_core::{FieldError, ValidationErrors};
use maud::{html, Markup};

const GOAL_ROWS: usize = 3;
const TECHNIQUE_ROWS: usize = 4;

fn plan_view(p: &TreatmentPlan) -> Markup {
    html! {
        dl.facts {
            dt { "Goals" } dd {
                ul { @for g in &p.goals {
                    li { (g.description)
                        @if let (Some(i), Some(t)) = (&g.instrument, g.target) { " (" (i) " " (super::chart::fmt(t)) ")" } }
                } }
            }
            dt { "Techniques" } dd {
                ul { @for t in &p.techniques {
                    li { (t.technique.label()) " for " (t.aim.label().to_lowercase()) @if let Some(r) = &t.region { ", " (r) } }
                } }
            }
            dt { "Most pressure" } dd { (p.pressure.as_str()) }
            dt { "How often" } dd { (frequency(p)) }
            dt { "Review on" } dd { (full_date(p.review_on)) }
            dt { "Consent" } dd { @if p.consent.complete() { "Given to all six elements" } @else { "Incomplete" } }
            dt { "Saved" } dd { (crate::pages::clients::date_time(p.created_at)) }
        }
    }
}

fn frequency(p: &TreatmentPlan) -> String {
    match (p.visits_per_week, p.every_weeks) {
        (Some(1), _) => "Once a week".into(),
        (Some(n), _) => format!("{n} visits a week"),
        (None, Some(1)) => "Every week".into(),
        (None, Some(n)) => format!("Every {n} weeks"),
        (None, None) => "Not set".into(),
    }
}

/// The current plan, then the earlier versions, each readable.
pub(super) fn current(file: &EpisodeFile) -> Markup {
    html! {
        @match file.plans.first() {
            None => p.meta #no-plan { "No plan yet." },
            Some(p) => {
                h3 { "Version " (p.version) " (current)" }
                (plan_view(p))
                @for earlier in file.plans.iter().skip(1) {
                    details.plan-version {
                        summary { "Earlier: version " (earlier.version) ", " (crate::pages::clients::date_time(earlier.created_at)) }
                        (plan_view(earlier))
                    }
                }
            }
        }
    }
}

/// The form prefilled from the current plan (or empty).
fn values_of(plan: Option<&TreatmentPlan>) -> Values {
    let mut v = Values::default();
    let Some(p) = plan else { return v };
    for (i, g) in p.goals.iter().enumerate() {
        v.set(format!("goals[{i}].description"), g.description.clone());
        v.set(format!("goals[{i}].instrument"), g.instrument.clone().unwrap_or_default());
        v.set(format!("goals[{i}].target"), g.target.map(super::chart::fmt).unwrap_or_default());
    }
    for (i, t) in p.techniques.iter().enumerate() {
        v.set(format!("techniques[{i}].technique"), t.technique.as_str());
        v.set(format!("techniques[{i}].aim"), t.aim.as_str());
        v.set(format!("techniques[{i}].region"), t.region.clone().unwrap_or_default());
    }
    v.set("pressure", p.pressure.as_str());
    v.set("visits_per_week", p.visits_per_week.map(|n| n.to_string()).unwrap_or_default());
    v.set("every_weeks", p.every_weeks.map(|n| n.to_string()).unwrap_or_default());
    v.set("review_on", p.review_on.to_string());
    v
}

pub(super) fn form(page: &EpisodePage<'_>, refused: Option<&Refused>) -> Markup {
    let plan = page.file.plans.first();
    let (v, e) = Refused::for_form(refused, "plan", || values_of(plan));
    let goal_rows = GOAL_ROWS.max(plan.map_or(0, |p| p.goals.len()) + 1);
    let technique_rows = TECHNIQUE_ROWS.max(plan.map_or(0, |p| p.techniques.len()) + 1);
    let mut techniques: Vec<(&str, &str)> = vec![("", "None")];
    techniques.extend(Technique::ALL.iter().map(|t| (t.as_str(), t.label())));
    let mut aims: Vec<(&str, &str)> = vec![("", "Choose")];
    aims.extend(Aim::ALL.iter().map(|a| (a.as_str(), a.label())));
    let mut pressures: Vec<(&str, &str)> = vec![("", "Choose")];
    pressures.extend(Pressure::ALL.iter().map(|p| (p.as_str(), p.as_str())));
    let instruments =
        [("", "None"), ("nprs_leg", "Leg pain (NPRS)"), ("nprs_back", "Back pain (NPRS)"), ("psfs", "PSFS")];
    html! {
        details.plan-form #plan-form open[plan.is_none() || refused.is_some_and(|r| r.form == "plan")] {
            summary { @if plan.is_some() { "Change the plan" } @else { "Write the plan" } }
            form.stack method="post" action={ "/manage/episodes/" (page.file.episode.id.0) "/plan" } novalidate {
                (error_summary(&e, "The plan was not saved:"))
                (ui::csrf_field(Some(page.caller)))
                fieldset {
                    legend { "Goals" }
                    @for i in 0..goal_rows {
                        div.row {
                            (line(&v, &e, &format!("goals[{i}].description"), &format!("Goal {}", i + 1), TEXT, if i == 0 { "E.g. leg pain below 3/10, or sit for 60 minutes." } else { "" }))
                            (field(&v, &e, &format!("goals[{i}].instrument"), "Measured by", Input::Select(&instruments), ""))
                            (line(&v, &e, &format!("goals[{i}].target"), "Target score", DECIMAL, ""))
                        }
                    }
                }
                fieldset {
                    legend { "Techniques and what each is for" }
                    @for i in 0..technique_rows {
                        div.row {
                            (field(&v, &e, &format!("techniques[{i}].technique"), &format!("Technique {}", i + 1), Input::Select(&techniques), ""))
                            (field(&v, &e, &format!("techniques[{i}].aim"), "Aim", Input::Select(&aims), ""))
                            (line(&v, &e, &format!("techniques[{i}].region"), "Region", TEXT, ""))
                        }
                    }
                }
                div.row {
                    (field(&v, &e, "pressure", "Most pressure", Input::Select(&pressures), ""))
                    (line(&v, &e, "visits_per_week", "Visits a week", WHOLE, "1 to 7; or leave it empty and fill the next."))
                    (line(&v, &e, "every_weeks", "Or one visit every … weeks", WHOLE, "1 to 12."))
                    (line(&v, &e, "review_on", "Review on", DATE, ""))
                }
                fieldset #consent .invalid[e.0.iter().any(|x| x.field.starts_with("consent"))] {
                    legend { "The client's consent to this plan: they were told" }
                    @for (element, text) in CONSENT_ELEMENTS {
                        @let name = format!("consent.{element}");
                        label.check #(ui::field_id(&name)) {
                            input type="checkbox" name=(name) value="yes" checked[v.get(&name) == "yes"];
                            " " (text)
                        }
                        @if let Some(err) = ui::error_for(&e, &name) { span.error { (err) } }
                    }
                    @if let Some(err) = ui::error_for(&e, "consent") { span.error { (err) } }
                }
                div { button type="submit" { "Save the plan" } }
            }
        }
    }
}

/// The form's values as the plan's input, with the rows sent (empty ones left out) and what could not be read.
fn read(v: &Values) -> (PlanInput, Vec<usize>, Vec<usize>, ValidationErrors) {
    let mut read = ValidationErrors::default();
    let mut goals = Vec::new();
    let mut goal_rows = Vec::new();
    let mut techniques = Vec::new();
    let mut technique_rows = Vec::new();
    let rows = |prefix: &str| {
        v.0.iter()
            .filter_map(|(k, _)| k.strip_prefix(prefix)?.split_once(']')?.0.parse::<usize>().ok())
            .max()
            .map_or(0, |m| m + 1)
    };
    for i in 0..rows("goals[") {
        let get = |f: &str| v.get(&format!("goals[{i}].{f}")).trim().to_string();
        let (description, instrument, target) = (get("description"), get("instrument"), get("target"));
        if description.is_empty() && target.is_empty() {
            continue;
        }
        let target = match target.as_str() {
            "" => None,
            t => match t.parse::<f64>() {
                Ok(n) if n.is_finite() => Some(n),
                _ => {
                    read.push(FieldError::new(
                        "invalid_type",
                        format!("goals[{i}].target"),
                        "must be a number, e.g. 3",
                    ));
                    None
                }
            },
        };
        goal_rows.push(i);
        goals.push(Goal { description, instrument: (!instrument.is_empty()).then_some(instrument), target });
    }
    for i in 0..rows("techniques[") {
        let get = |f: &str| v.get(&format!("techniques[{i}].{f}")).trim().to_string();
        let (technique, aim, region) = (get("technique"), get("aim"), get("region"));
        if technique.is_empty() && aim.is_empty() && region.is_empty() {
            continue;
        }
        let technique = read.take(Technique::parse(&format!("techniques[{i}].technique"), &technique));
        let aim = Aim::ALL.into_iter().find(|a| a.as_str() == aim);
        if aim.is_none() {
            read.push(FieldError::new("required", format!("techniques[{i}].aim"), "choose what the technique is for"));
        }
        if let (Some(technique), Some(aim)) = (technique, aim) {
            technique_rows.push(i);
            techniques.push(PlannedTechnique { technique, aim, region: (!region.is_empty()).then_some(region) });
        }
    }
    let pressure = Pressure::ALL.into_iter().find(|p| p.as_str() == v.get("pressure").trim());
    let number = |read: &mut ValidationErrors, name: &str| match v.get(name).trim() {
        "" => None,
        _ => Some(ui::whole(read, v, name)),
    };
    let yes = |element: &str| v.get(&format!("consent.{element}")) == "yes";
    let input = PlanInput {
        goals,
        techniques,
        pressure,
        visits_per_week: number(&mut read, "visits_per_week"),
        every_weeks: number(&mut read, "every_weeks"),
        review_on: v.get("review_on").trim().to_string(),
        consent: Consent {
            nature: yes("nature"),
            benefits: yes("benefits"),
            risks: yes("risks"),
            alternatives: yes("alternatives"),
            no_treatment: yes("no_treatment"),
            right_to_stop: yes("right_to_stop"),
        },
    };
    (input, goal_rows, technique_rows, read)
}

pub(super) async fn save_plan(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    staff_only(&caller)?;
    caller.check_csrf(form.get("csrf"))?;
    let id = EpisodeId(id);
    let values = Values::from_form(form.0);
    let (input, goal_rows, technique_rows, read) = read(&values);
    let errors = if read.is_empty() {
        match episodes::save_plan(state.app(), &caller.user, id, &input).await {
            Ok(plan) => {
                tracing::info!(episode_id = id.0, version = plan.version, "plan saved by staff");
                return Ok(Redirect::to(&format!("/manage/episodes/{}?saved=plan#plan", id.0)).into_response());
            }
            Err(e) => renumbered(renumbered(input_errors(e)?, "goals", &goal_rows), "techniques", &technique_rows),
        }
    } else {
        read
    };
    render(&state, &caller, id, Some(Refused { form: "plan", values, errors }), None).await
}
