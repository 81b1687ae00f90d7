//! The manager's instruments, `/manage/instruments`: every instrument a score may be taken on, and a form
//! to load a definition file (JSON: items, answer scores, the scoring rule) so a clinic holding a licence
//! adds ODI or RMDQ without code. A file that does not parse says where (line and column).

use crate::auth::{Caller, Manager};
use crate::error::{field_errors, WebError};
use crate::extract::{AppQuery, FormPairs};
use crate::pages::Frame;
use crate::state::AppState;
use crate::ui::{self, error_summary, field, Input, Values};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use knead_app::records::measures;
use knead_core::records::instruments::ScoringRule;
use knead_core::records::InstrumentDefinition;
use knead_core::{FieldError, ValidationErrors};
use maud::{html, Markup};

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct SavedQuery {
    saved: Option<String>,
}

fn rule_label(r: ScoringRule) -> &'static str {
    match r {
        ScoringRule::Sum => "Sum of the answers",
        ScoringRule::Count => "Number of items ticked",
        ScoringRule::PercentOfAnswered => "Percent of the answered items' maximum",
    }
}

fn view(
    caller: &Caller,
    list: &[InstrumentDefinition],
    v: &Values,
    e: &ValidationErrors,
    notice: Option<&str>,
) -> Markup {
    html! {
        p.crumbs { a href="/manage" { "Manage" } }
        h1 { "Outcome instruments" }
        (ui::notice(notice))
        p { "Leg and back pain (NPRS), PSFS and STarT Back are built in. Other instruments come from a definition file the clinic supplies with its licence." }
        div.table-scroll tabindex="0" role="region" aria-label="Instruments" {
            table.list #instruments {
                caption.visually-hidden { "Instruments" }
                thead { tr { th scope="col" { "Key" } th scope="col" { "Name" } th scope="col" { "Items" } th scope="col" { "Scoring" } th scope="col" { "Copyright" } } }
                tbody {
                    @for d in list {
                        tr {
                            td { code { (d.key) } }
                            td { (d.name) }
                            td { (d.items.len()) }
                            td { (rule_label(d.scoring)) }
                            td { @if d.copyright.is_empty() { "—" } @else { (d.copyright) } }
                        }
                    }
                }
            }
        }
        h2 { "Load a definition file" }
        (error_summary(e, "The file was not loaded:"))
        form.stack method="post" action="/manage/instruments" enctype="application/x-www-form-urlencoded" novalidate {
            (ui::csrf_field(Some(caller)))
            (field(v, e, "definition", "Definition (JSON)", Input::Area(14),
                "Paste the file: key, name, copyright, items (text and answers with scores), scoring (sum, count or percent_of_answered), important_change. A file with the key of a loaded one replaces it."))
            div { button type="submit" { "Load the instrument" } }
        }
    }
}

pub(super) async fn page(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppQuery(q): AppQuery<SavedQuery>,
) -> Result<Response, WebError> {
    let list = measures::instruments(state.app()).await?;
    let notice = q.saved.is_some().then_some("The instrument was loaded.");
    let body = view(&caller, &list, &Values::default(), &ValidationErrors::default(), notice);
    Ok(Frame::signed_in(&state, &caller).page("Outcome instruments", body).into_response())
}

/// The file's errors under the form's one field, each naming where in the file.
fn under_definition(errors: ValidationErrors) -> ValidationErrors {
    ValidationErrors(
        errors
            .0
            .into_iter()
            .map(|e| {
                let detail = if e.field.is_empty() || e.field == "definition" {
                    e.detail
                } else {
                    format!("{}: {}", e.field, e.detail)
                };
                FieldError { field: "definition".into(), detail, ..e }
            })
            .collect(),
    )
}

pub(super) async fn load(
    State(state): State<AppState>,
    Manager(caller): Manager,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    let values = Values::from_form(form.0);
    let errors = match serde_json::from_str::<InstrumentDefinition>(values.get("definition")) {
        Err(e) => ValidationErrors::single(
            "invalid_json",
            "definition",
            format!("is not a definition file: {} (line {}, column {})", e, e.line(), e.column()),
        ),
        Ok(definition) => match measures::load_instrument(state.app(), &caller.user, &definition).await {
            Ok(()) => {
                tracing::info!(key = %definition.key, "instrument loaded");
                return Ok(Redirect::to("/manage/instruments?saved=1").into_response());
            }
            Err(e) => match field_errors(&e) {
                Some(errors) => under_definition(errors),
                None => return Err(e.into()),
            },
        },
    };
    let list = measures::instruments(state.app()).await?;
    let body = view(&caller, &list, &values, &errors, None);
    Ok(Frame::signed_in(&state, &caller).respond(StatusCode::UNPROCESSABLE_ENTITY, "Outcome instruments", body))
}
