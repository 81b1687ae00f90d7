//! Recording a score on the episode page: leg and back pain (NPRS 0-10, one form), PSFS (3 to 5 activities
//! the client names, each 0-10), STarT Back (8 agree/disagree answers and how bothersome; the items' text
//! is the clinic's own printed form, so only their numbers show here), and each instrument the clinic
//! loaded (its items and answers from its definition file). Each posts to `/manage/episodes/{id}/measures`.

use super::episode::{input_errors, render, EpisodePage, Refused};
use super::renumbered;
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::extract::{AppPath, FormPairs};
use crate::pages::clients::staff_only;
use crate::state::AppState;
use crate::ui::{self, error_summary, field, line, Input, Values, TEXT};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use knead_app::records::measures;
use knead_core::records::instruments::{NPRS_BACK, NPRS_LEG, PSFS, STARTBACK};
use knead_core::records::{EpisodeId, InstrumentDefinition, MeasureInput};
use knead_core::{FieldError, ValidationErrors};
use maud::{html, Markup};
use serde_json::{json, Value};

const PSFS_ROWS: usize = 5;
const STARTBACK_ITEMS: usize = 8;
const BOTHERSOME: [(&str, &str); 6] = [
    ("", "Choose"),
    ("not_at_all", "Not at all"),
    ("slightly", "Slightly"),
    ("moderately", "Moderately"),
    ("very_much", "Very much"),
    ("extremely", "Extremely"),
];

/// 0 to 10, with an empty choice first (not measured).
fn zero_to_ten(empty: &'static str) -> Vec<(String, String)> {
    std::iter::once((String::new(), empty.to_string()))
        .chain((0..=10).map(|n| (n.to_string(), n.to_string())))
        .collect()
}

fn select_field(
    values: &Values,
    errors: &ValidationErrors,
    name: &str,
    label: &str,
    options: &[(String, String)],
    hint: &str,
) -> Markup {
    let pairs: Vec<(&str, &str)> = options.iter().map(|(v, l)| (v.as_str(), l.as_str())).collect();
    field(values, errors, name, label, Input::Select(&pairs), hint)
}

pub(super) fn forms(page: &EpisodePage<'_>, refused: Option<&Refused>) -> Markup {
    let action = format!("/manage/episodes/{}/measures", page.file.episode.id.0);
    let csrf = ui::csrf_field(Some(page.caller));
    let ten = zero_to_ten("Not measured");
    let (nv, ne) = Refused::for_form(refused, "nprs", Values::default);
    let (pv, pe) = Refused::for_form(refused, "psfs", Values::default);
    let (sv, se) = Refused::for_form(refused, "startback", Values::default);
    let loaded: Vec<&InstrumentDefinition> = page.loaded.iter().filter(|d| !is_built_in(&d.key)).collect();
    html! {
        div.measure-forms {
            form.stack.measure #nprs-form method="post" action=(action) novalidate {
                h3 { "Pain today" }
                (error_summary(&ne, "The score was not recorded:"))
                (csrf) input type="hidden" name="instrument" value="nprs";
                div.row {
                    (select_field(&nv, &ne, "nprs_leg", "Leg pain, 0-10", &ten, "0 no pain, 10 the worst imaginable."))
                    (select_field(&nv, &ne, "nprs_back", "Back pain, 0-10", &ten, ""))
                }
                button type="submit" { "Record pain" }
            }
            details.measure open[refused.is_some_and(|r| r.form == "psfs")] {
                summary { "Function (PSFS)" }
                form.stack #psfs-form method="post" action=(action) novalidate {
                    (error_summary(&pe, "The score was not recorded:"))
                    (csrf) input type="hidden" name="instrument" value="psfs";
                    p.hint { "3 to 5 activities the client finds hard, each scored 0 (unable) to 10 (as before)." }
                    @for i in 0..PSFS_ROWS {
                        div.row {
                            (line(&pv, &pe, &format!("psfs[{i}].name"), &format!("Activity {}", i + 1), TEXT, ""))
                            (select_field(&pv, &pe, &format!("psfs[{i}].score"), "Score", &zero_to_ten("Choose"), ""))
                        }
                    }
                    button type="submit" { "Record PSFS" }
                }
            }
            details.measure open[refused.is_some_and(|r| r.form == "startback")] {
                summary { "STarT Back" }
                form.stack #startback-form method="post" action=(action) novalidate {
                    (error_summary(&se, "The score was not recorded:"))
                    (csrf) input type="hidden" name="instrument" value="startback";
                    p.hint { "Read each item from the clinic's licensed form; record the client's answer here." }
                    @for i in 0..STARTBACK_ITEMS {
                        @let name = format!("startback[{i}]");
                        fieldset.agree.invalid[ui::error_for(&se, &name).is_some()] id=(ui::field_id(&name)) {
                            legend { "Item " (i + 1) }
                            label.check { input type="radio" name=(name) value="agree" checked[sv.get(&name) == "agree"]; " Agree" }
                            label.check { input type="radio" name=(name) value="disagree" checked[sv.get(&name) == "disagree"]; " Disagree" }
                            @if let Some(err) = ui::error_for(&se, &name) { span.error { (err) } }
                        }
                    }
                    (field(&sv, &se, "startback_bothersome", "Item 9: how bothersome", Input::Select(&BOTHERSOME), ""))
                    button type="submit" { "Record STarT Back" }
                }
            }
            @for d in loaded {
                @let (lv, le) = Refused::for_form(refused, "loaded", Values::default);
                @let (lv, le) = if lv.get("instrument") == d.key { (lv, le) } else { (Values::default(), ValidationErrors::default()) };
                details.measure open[!le.is_empty()] {
                    summary { (d.name) }
                    form.stack method="post" action=(action) novalidate {
                        (error_summary(&le, "The score was not recorded:"))
                        (csrf) input type="hidden" name="instrument" value=(d.key);
                        @if !d.copyright.is_empty() { p.meta { (d.copyright) } }
                        @for (i, item) in d.items.iter().enumerate() {
                            @let options: Vec<(String, String)> = std::iter::once((String::new(), "Not answered".to_string()))
                                .chain(item.answers.iter().map(|a| (a.score.to_string(), a.label.clone()))).collect();
                            (select_field(&lv, &le, &format!("{}[{i}]", d.key), &format!("{}. {}", i + 1, item.text), &options, ""))
                        }
                        button type="submit" { "Record " (d.name) }
                    }
                }
            }
        }
    }
}

fn is_built_in(key: &str) -> bool {
    matches!(key, NPRS_LEG | NPRS_BACK | PSFS | STARTBACK)
}

/// The core's names for a measure's answers (`answers.value`...) as the form's fields.
fn form_errors(errors: ValidationErrors, form_field: impl Fn(&str) -> String) -> ValidationErrors {
    ValidationErrors(errors.0.into_iter().map(|e| FieldError { field: form_field(&e.field), ..e }).collect())
}

/// What a form posts, as the measures it records: `(instrument, answers, the form's name of its errors)`.
fn read(values: &Values) -> Result<(&'static str, Vec<MeasureInput>, Vec<usize>), ValidationErrors> {
    let measure =
        |instrument: &str, answers: Value| MeasureInput { instrument: instrument.into(), answers, taken_at: None };
    let number = |name: &str| values.get(name).trim().parse::<i64>().ok();
    match values.get("instrument") {
        "nprs" => {
            let mut list = Vec::new();
            for (name, key) in [("nprs_leg", NPRS_LEG), ("nprs_back", NPRS_BACK)] {
                if let Some(v) = number(name) {
                    list.push(measure(key, json!({"value": v})));
                }
            }
            if list.is_empty() {
                return Err(ValidationErrors::single("required", "nprs_leg", "choose a score for leg or back pain"));
            }
            Ok(("nprs", list, Vec::new()))
        }
        "psfs" => {
            let mut rows = Vec::new();
            let mut activities = Vec::new();
            for i in 0..PSFS_ROWS {
                let name = values.get(&format!("psfs[{i}].name")).trim();
                let score = values.get(&format!("psfs[{i}].score")).trim();
                if name.is_empty() && score.is_empty() {
                    continue;
                }
                rows.push(i);
                let score: Value = score.parse::<i64>().map_or(Value::Null, Value::from);
                activities.push(json!({"name": name, "score": score}));
            }
            Ok(("psfs", vec![measure(PSFS, json!({"activities": activities}))], rows))
        }
        "startback" => {
            let items: Vec<Value> = (0..STARTBACK_ITEMS)
                .map(|i| match values.get(&format!("startback[{i}]")) {
                    "agree" => Value::Bool(true),
                    "disagree" => Value::Bool(false),
                    _ => Value::Null,
                })
                .collect();
            let bothersome = values.get("startback_bothersome").trim();
            let answers = json!({"items": items, "bothersome": bothersome});
            Ok(("startback", vec![measure(STARTBACK, answers)], Vec::new()))
        }
        key => {
            let mut items = Vec::new();
            let mut i = 0;
            while values.0.iter().any(|(k, _)| *k == format!("{key}[{i}]")) {
                items.push(number(&format!("{key}[{i}]")).map_or(Value::Null, Value::from));
                i += 1;
            }
            Ok(("loaded", vec![measure(key, json!({"items": items}))], Vec::new()))
        }
    }
}

/// The form field a scoring error belongs to.
fn field_of(form: &str, key: &str, api: &str, rows: &[usize]) -> String {
    let answers = api.strip_prefix("answers.").unwrap_or(api);
    match form {
        "nprs" => if key == NPRS_BACK { "nprs_back" } else { "nprs_leg" }.into(),
        "psfs" => match answers.strip_prefix("activities") {
            Some("") => "psfs[0].name".into(),
            Some(rest) => {
                let moved = renumbered(ValidationErrors::single("x", format!("psfs{rest}"), ""), "psfs", rows);
                moved.0.into_iter().next().map_or_else(|| "psfs[0].name".into(), |e| e.field)
            }
            None => answers.into(),
        },
        "startback" => match answers {
            "bothersome" => "startback_bothersome".into(),
            "items" => "startback[0]".into(),
            other => other.strip_prefix("items").map_or_else(|| other.into(), |rest| format!("startback{rest}")),
        },
        _ => match answers.strip_prefix("items") {
            Some("") => format!("{key}[0]"),
            Some(rest) => format!("{key}{rest}"),
            None => answers.into(),
        },
    }
}

pub(super) async fn record_measure(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    staff_only(&caller)?;
    caller.check_csrf(form.get("csrf"))?;
    let id = EpisodeId(id);
    let values = Values::from_form(form.0);
    let (form_name, list, rows) = match read(&values) {
        Ok(read) => read,
        Err(errors) => {
            // Checked first that the caller may see the episode, so a stranger learns nothing from the form.
            return render(&state, &caller, id, Some(Refused { form: "nprs", values, errors }), None).await;
        }
    };
    // Every measure of the form is checked before any is stored, so a refusal changes nothing.
    let loaded = measures::instruments(state.app()).await?;
    let mut errors = ValidationErrors::default();
    for m in &list {
        if let Err(e) = knead_core::records::instruments::score(&m.instrument, &m.answers, &loaded) {
            errors.0.extend(form_errors(e, |f| field_of(form_name, &m.instrument, f, &rows)).0);
        }
    }
    if errors.is_empty() {
        for m in &list {
            if let Err(e) = measures::record(state.app(), &caller.user, id, m).await {
                let errors = form_errors(input_errors(e)?, |f| field_of(form_name, &m.instrument, f, &rows));
                return render(&state, &caller, id, Some(Refused { form: form_name, values, errors }), None).await;
            }
        }
        tracing::info!(episode_id = id.0, "measure recorded by staff");
        return Ok(Redirect::to(&format!("/manage/episodes/{}?saved=measure#measures", id.0)).into_response());
    }
    render(&state, &caller, id, Some(Refused { form: form_name, values, errors }), None).await
}
