//! The episode page, `/manage/episodes/{id}`: its title and status (discharge, refer), the other care, the
//! clinic policy's response in a box of its own, the trend chart, the plan (earlier versions readable), the
//! notes, the measures, the program with its adherence, the referrals, and the forms that add to them
//! (`measure_form`, `plan_form`, `program_form`). Opening an episode, `/manage/clients/{id}/episodes/new`, is
//! here too.

use super::{crumbs, episode_status_label, hidden, measure_form, plan_form, program_form, status_label};
use crate::auth::{Caller, SignedIn};
use crate::error::{field_errors, WebError};
use crate::extract::{AppPath, AppQuery, FormPairs};
use crate::pages::clients::health::{other_care_view, precautions_list};
use crate::pages::clients::staff_only;
use crate::pages::Frame;
use crate::state::AppState;
use crate::ui::{self, error_summary, field, full_date, line, Input, Values, DATE, TEXT};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use knead_app::records::{episodes, measures, EpisodeFile};
use knead_app::{clients, AppError};
use knead_core::calendar::local_date;
use knead_core::intake::{ClientId, OtherCare};
use knead_core::records::instruments::{NPRS_BACK, NPRS_LEG, PSFS, STARTBACK};
use knead_core::records::{EpisodeId, EpisodeInput, EpisodeStatus, InstrumentDefinition, NoteStatus};
use knead_core::ValidationErrors;
use maud::{html, Markup};

/// Which of the page's forms a refused post re-shows, with what was typed and why it was refused.
pub(super) struct Refused {
    pub form: &'static str,
    pub values: Values,
    pub errors: ValidationErrors,
}

impl Refused {
    /// The values and errors for `form`: what was typed when it is the refused one, else `fresh`.
    pub fn for_form(
        refused: Option<&Refused>,
        form: &str,
        fresh: impl FnOnce() -> Values,
    ) -> (Values, ValidationErrors) {
        match refused {
            Some(r) if r.form == form => (r.values.clone(), r.errors.clone()),
            _ => (fresh(), ValidationErrors::default()),
        }
    }
}

/// `?saved=...` after a post redirected here.
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct SavedQuery {
    saved: Option<String>,
}

fn notice(saved: Option<&str>) -> Option<&'static str> {
    Some(match saved? {
        "opened" => "The episode was opened.",
        "measure" => "The score was recorded.",
        "plan" => "The plan was saved as a new version, with the client's consent.",
        "program" => "The home program was prescribed; the client sees it on their account.",
        "status" => "The episode's status was changed.",
        _ => return None,
    })
}

pub(super) async fn page(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
    AppQuery(q): AppQuery<SavedQuery>,
) -> Result<Response, WebError> {
    staff_only(&caller)?;
    render(&state, &caller, EpisodeId(id), None, notice(q.saved.as_deref())).await
}

/// The episode page; `refused` re-shows one of its forms with its errors (and answers 422).
pub(super) async fn render(
    state: &AppState,
    caller: &Caller,
    id: EpisodeId,
    refused: Option<Refused>,
    notice: Option<&str>,
) -> Result<Response, WebError> {
    let app = state.app();
    let file = episodes::file(app, &caller.user, id).await.map_err(hidden("episode"))?;
    tracing::info!(episode_id = id.0, "episode opened by staff");
    let loaded = measures::instruments(app).await?;
    let settings = knead_app::calendar::settings(app).await?;
    let view = EpisodePage {
        caller,
        file: &file,
        loaded: &loaded,
        responder_points: settings.response_policy.responder_points,
        refused: refused.as_ref(),
    };
    let status = if refused.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let body = html! { (ui::notice(notice)) (view.render()) };
    Ok(Frame::signed_in(state, caller).respond(status, &file.episode.title(), body))
}

pub(super) struct EpisodePage<'a> {
    pub caller: &'a Caller,
    pub file: &'a EpisodeFile,
    /// Every instrument a measure may be taken on, built-ins' definitions included.
    pub loaded: &'a [InstrumentDefinition],
    pub responder_points: f64,
    pub refused: Option<&'a Refused>,
}

impl EpisodePage<'_> {
    fn render(&self) -> Markup {
        let e = &self.file.episode;
        let active = e.status == EpisodeStatus::Active;
        html! {
            (crumbs(self.caller, Some((e.client_id.0, &self.file.client_name)), None))
            h1 { (e.title()) }
            p.meta #episode-status {
                (self.file.client_name) " · started " (full_date(e.started_on)) " · "
                strong { (episode_status_label(e.status)) }
            }
            (self.status_buttons())
            (self.response())
            h2 #other-care { "Other care" }
            (other_care_view(&e.other_care))
            h2 #trend { "Pain and function over time" }
            (super::chart::trend("episode-chart", &e.title(), &self.file.measures, self.responder_points))
            h2 #measures { "Scores" }
            (self.measures_table())
            @if active { (measure_form::forms(self, self.refused)) }
            h2 #plan { "Treatment plan" }
            (plan_form::current(self.file))
            @if active {
                h3 #precautions { "Precautions" }
                (precautions_list(&self.file.precautions))
                (plan_form::form(self, self.refused))
            }
            h2 #notes { "Notes" }
            (self.notes())
            h2 #program { "Home program" }
            (program_form::current(self.file))
            @if active { (program_form::form(self, self.refused)) }
            h2 #referrals { "Referrals" }
            (self.referrals())
        }
    }

    fn csrf(&self) -> Markup {
        ui::csrf_field(Some(self.caller))
    }

    fn status_buttons(&self) -> Markup {
        let e = &self.file.episode;
        let action = format!("/manage/episodes/{}/status", e.id.0);
        html! {
            div.actions.status-actions {
                @if e.status == EpisodeStatus::Active {
                    form.inline method="post" action=(action) {
                        (self.csrf()) input type="hidden" name="status" value="discharged";
                        button.secondary type="submit" { "Discharge" }
                    }
                    " "
                    form.inline method="post" action=(action) {
                        (self.csrf()) input type="hidden" name="status" value="referred";
                        button.secondary type="submit" { "Mark as referred" }
                    }
                } @else {
                    form.inline method="post" action=(action) {
                        (self.csrf()) input type="hidden" name="status" value="active";
                        button.secondary type="submit" { "Reopen the episode" }
                    }
                }
            }
        }
    }

    /// The clinic policy's verdict, prominent: status, since when, what to do, and why.
    fn response(&self) -> Markup {
        let r = &self.file.response;
        let client = self.file.episode.client_id.0;
        html! {
            section.response class=(r.status.as_str()) #response aria-labelledby="response-heading" {
                p.policy-label { "Clinic policy" }
                h2 #response-heading {
                    (status_label(r.status))
                    @if let Some(since) = r.since { span.since { " since " (full_date(since)) } }
                }
                p.recommendation { (r.recommendation) }
                @if r.rescreen {
                    p.rescreen {
                        strong { "Ask the red-flag questions again before the next treatment." } " "
                        a href={ "/manage/clients/" (client) "#screenings" } { "The client's screenings" }
                    }
                }
                @if !r.reasons.is_empty() {
                    details { summary { "Why" } ul { @for why in &r.reasons { li { (why) } } } }
                }
                @if r.status.needs_action() && self.file.episode.status == EpisodeStatus::Active {
                    form.inline method="post" action={ "/manage/episodes/" (self.file.episode.id.0) "/referrals" } {
                        (self.csrf())
                        button type="submit" { "Draft a referral letter" }
                    }
                }
            }
        }
    }

    fn measures_table(&self) -> Markup {
        let list = &self.file.measures;
        let name = |key: &str| -> String {
            match key {
                NPRS_LEG => "Leg pain (NPRS)".into(),
                NPRS_BACK => "Back pain (NPRS)".into(),
                PSFS => "Function (PSFS)".into(),
                STARTBACK => "STarT Back".into(),
                other => {
                    self.loaded.iter().find(|d| d.key == other).map_or_else(|| other.to_string(), |d| d.name.clone())
                }
            }
        };
        html! {
            @if list.is_empty() { p.meta { "No scores yet." } }
            @else {
                div.table-scroll tabindex="0" role="region" aria-label="Scores" {
                    table.list #measures-table {
                        caption.visually-hidden { "Scores, oldest first" }
                        thead { tr { th scope="col" { "Taken" } th scope="col" { "Instrument" } th scope="col" { "Score" } } }
                        tbody {
                            @for m in list {
                                tr {
                                    td { (crate::pages::clients::date_time(m.taken_at)) }
                                    td { (name(&m.instrument)) }
                                    td { (score_text(&m.score)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    fn notes(&self) -> Markup {
        let e = &self.file.episode;
        // Superseded versions are reached from their amendment's history, not listed twice.
        let current: Vec<_> = self.file.notes.iter().filter(|n| n.amended_by.is_none()).collect();
        html! {
            @if e.status == EpisodeStatus::Active {
                p { a.button href={ "/manage/episodes/" (e.id.0) "/notes/new" } { "Write a note" } }
            }
            @if current.is_empty() { p.meta { "No notes yet." } }
            @else {
                div.table-scroll tabindex="0" role="region" aria-label="Notes" {
                    table.list #notes-table {
                        caption.visually-hidden { "Notes, newest first" }
                        thead { tr { th scope="col" { "Visit" } th scope="col" { "Status" } th scope="col" { "Signed by" } } }
                        tbody {
                            @for n in current {
                                tr {
                                    @let link = if n.status == NoteStatus::Draft { super::notes::draft_link(n) } else { format!("/manage/notes/{}", n.id.0) };
                                    td { a href=(link) { (crate::pages::clients::date_time(n.content.started_at)) } }
                                    td {
                                        @match n.status { NoteStatus::Draft => strong { "Draft" }, NoteStatus::Signed => "Signed" }
                                        @if n.amends.is_some() { " (amended)" }
                                    }
                                    td {
                                        @match (n.signed_by, n.signed_at) {
                                            (Some(by), Some(at)) => { (crate::pages::clients::actor(self.caller, None, Some(by))) ", " (crate::pages::clients::date_time(at)) }
                                            _ => "Not signed",
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    fn referrals(&self) -> Markup {
        let list = &self.file.referrals;
        html! {
            @if list.is_empty() {
                p.meta { "None." }
                @if self.file.episode.status == EpisodeStatus::Active && !self.file.response.status.needs_action() {
                    form.inline method="post" action={ "/manage/episodes/" (self.file.episode.id.0) "/referrals" } {
                        (self.csrf())
                        button.secondary type="submit" { "Draft a referral letter" }
                    }
                }
            } @else {
                ul.plain #referrals-list {
                    @for r in list {
                        li {
                            a href={ "/manage/referrals/" (r.id.0) } { "To a " (r.recipient.as_str()) ", " (r.urgency.as_str()) }
                            " · " @match r.status { knead_core::records::ReferralStatus::Draft => strong { "Draft" }, knead_core::records::ReferralStatus::Signed => "Signed" }
                            " · " (crate::pages::clients::date_time(r.created_at))
                        }
                    }
                }
            }
        }
    }
}

/// A score as the table shows it.
pub(super) fn score_text(score: &knead_core::records::Score) -> String {
    match score {
        knead_core::records::Score::StartBack { total, distress, risk } => {
            format!("total {total}, distress {distress}, risk {}", format!("{risk:?}").to_lowercase())
        }
        knead_core::records::Score::Value { value, answered: Some(n) } => {
            format!("{} ({n} items answered)", super::chart::fmt(*value))
        }
        knead_core::records::Score::Value { value, answered: None } => super::chart::fmt(*value),
    }
}

/// Discharges, refers or reopens the episode.
pub(super) async fn set_status(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    staff_only(&caller)?;
    caller.check_csrf(form.get("csrf"))?;
    let status = EpisodeStatus::parse("status", form.get("status")).map_err(|e| WebError::App(e.into()))?;
    episodes::set_status(state.app(), &caller.user, EpisodeId(id), status).await.map_err(hidden("episode"))?;
    tracing::info!(episode_id = id, status = status.as_str(), "episode status changed by staff");
    Ok(Redirect::to(&format!("/manage/episodes/{id}?saved=status")).into_response())
}

const SIDES: [(&str, &str); 4] = [("", "No side"), ("left", "Left"), ("right", "Right"), ("both", "Both sides")];

fn new_view(caller: &Caller, client: (i64, &str), values: &Values, errors: &ValidationErrors) -> Markup {
    let care = [
        ("other_care.physician", "A physician"),
        ("other_care.physiotherapy", "Physiotherapy"),
        ("other_care.chiropractic", "Chiropractic"),
        ("other_care.medication", "Medication"),
    ];
    html! {
        (crumbs(caller, Some(client), None))
        h1 { "Open an episode of care" }
        p.hint { "One condition of " (client.1) ", from its start to discharge or referral. The other care is prefilled from the latest health history." }
        (error_summary(errors, "The episode was not opened:"))
        form.stack method="post" action={ "/manage/clients/" (client.0) "/episodes/new" } novalidate {
            (ui::csrf_field(Some(caller)))
            (line(values, errors, "condition", "Condition", TEXT, "In your words, e.g. Sciatica."))
            (field(values, errors, "side", "Side", Input::Select(&SIDES), ""))
            (line(values, errors, "started_on", "Started on", DATE, "When this episode of care begins."))
            fieldset {
                legend { "Other care the client receives" }
                @for (name, label) in care {
                    label.check { input type="checkbox" name=(name) value="yes" checked[values.get(name) == "yes"]; " " (label) }
                }
                (field(values, errors, "other_care.details", "Who, and for what", Input::Area(2), "Optional."))
            }
            div { button type="submit" { "Open the episode" } }
        }
    }
}

/// The client `caller` may see, as (id, name); anyone else's is "not found".
async fn client_of(state: &AppState, caller: &Caller, id: i64) -> Result<knead_core::intake::Client, WebError> {
    clients::contact(state.app(), &caller.user, ClientId(id)).await.map_err(hidden("client"))
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
) -> Result<Response, WebError> {
    staff_only(&caller)?;
    let file = clients::file(state.app(), &caller.user, ClientId(id)).await.map_err(hidden("client"))?;
    let settings = knead_app::calendar::settings(state.app()).await?;
    let mut values = Values::default();
    values.set("started_on", local_date(settings.zone(), state.now()).to_string());
    if let Some(v) = file.intakes.first() {
        let care = &v.history.answers().other_care;
        for (on, name) in [
            (care.physician, "other_care.physician"),
            (care.physiotherapy, "other_care.physiotherapy"),
            (care.chiropractic, "other_care.chiropractic"),
            (care.medication, "other_care.medication"),
        ] {
            if on {
                values.set(name, "yes");
            }
        }
        values.set("other_care.details", care.details.clone());
    }
    let body = new_view(&caller, (id, &file.client.name), &values, &ValidationErrors::default());
    Ok(Frame::signed_in(&state, &caller).page("Open an episode", body).into_response())
}

pub(super) async fn open(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    staff_only(&caller)?;
    caller.check_csrf(form.get("csrf"))?;
    let client = client_of(&state, &caller, id).await?;
    let values = Values::from_form(form.0);
    let yes = |name: &str| values.get(name) == "yes";
    let side = values.get("side").trim();
    let input = EpisodeInput {
        condition: values.get("condition").to_string(),
        side: (!side.is_empty()).then(|| side.to_string()),
        started_on: values.get("started_on").to_string(),
        other_care: Some(OtherCare {
            physician: yes("other_care.physician"),
            physiotherapy: yes("other_care.physiotherapy"),
            chiropractic: yes("other_care.chiropractic"),
            medication: yes("other_care.medication"),
            details: values.get("other_care.details").to_string(),
        }),
        therapist_id: None,
    };
    match episodes::open(state.app(), &caller.user, client.id, &input).await {
        Ok(e) => {
            tracing::info!(episode_id = e.id.0, "episode opened");
            Ok(Redirect::to(&format!("/manage/episodes/{}?saved=opened", e.id.0)).into_response())
        }
        Err(e) => {
            let Some(errors) = field_errors(&e) else { return Err(hidden("client")(e)) };
            let body = new_view(&caller, (id, &client.name), &values, &errors);
            Ok(Frame::signed_in(&state, &caller).respond(StatusCode::UNPROCESSABLE_ENTITY, "Open an episode", body))
        }
    }
}

/// The problems with the input of a refused post, or the error itself when it is not about the input (a
/// record the caller may not see is "not found").
pub(super) fn input_errors(e: AppError) -> Result<ValidationErrors, WebError> {
    field_errors(&e).ok_or_else(|| hidden("episode")(e))
}
