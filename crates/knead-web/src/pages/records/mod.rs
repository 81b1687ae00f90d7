//! Care-record pages: the episode with its plan, notes, measures, program, chart and referrals
//! (`episode`, its forms in `measure_form`, `plan_form` and `program_form`), opening an episode (`episode`), the note editor (`notes`), the referral
//! letter (`referrals`), the client's own home program (`own`), the manager's instruments (`instruments`),
//! the dashboards' alerts (`alerts`) and the server-drawn trend chart (`chart`).
//!
//! Who may see what is the app's to decide (`knead_app::records`): a record the caller may not see is "not
//! found", exactly as for an id never used. Each page is one read of the record, audited by the app.

pub(crate) mod alerts;
pub(crate) mod chart;
mod episode;
mod instruments;
mod measure_form;
mod notes;
mod own;
mod plan_form;
mod program_form;
mod referrals;

use crate::auth::Caller;
use crate::error::WebError;
use crate::routes::{get, post, Routes};
use knead_app::AppError;
use knead_core::records::{EpisodeStatus, ResponseStatus};
use knead_core::{FieldError, ValidationErrors};
use maud::{html, Markup};

pub fn router() -> Routes {
    Routes::new()
        .route("/manage/clients/{id}/episodes/new", get(episode::new_form).post(episode::open))
        .route("/manage/episodes/{id}", get(episode::page))
        .route("/manage/episodes/{id}/status", post(episode::set_status))
        .route("/manage/episodes/{id}/measures", post(measure_form::record_measure))
        .route("/manage/episodes/{id}/plan", post(plan_form::save_plan))
        .route("/manage/episodes/{id}/program", post(program_form::prescribe))
        .route("/manage/episodes/{id}/referrals", post(referrals::draft))
        .route("/manage/episodes/{id}/notes/new", get(notes::new_form).post(notes::create))
        .route("/manage/notes/{id}", get(notes::page).post(notes::save))
        .route("/manage/notes/{id}/amend", post(notes::amend))
        .route("/visits/{id}/note", get(notes::from_visit))
        .route("/manage/referrals/{id}", get(referrals::page).post(referrals::save))
        .route("/manage/instruments", get(instruments::page).post(instruments::load))
        .route("/account/program", get(own::page))
        .route("/account/program/{id}/log", post(own::log_day))
}

/// A record the caller may not see is "not found", the same answer as for an id no record has.
pub(crate) fn hidden(what: &'static str) -> impl Fn(AppError) -> WebError {
    move |e| match e {
        AppError::NotFound { .. } => WebError::not_found(what),
        other => other.into(),
    }
}

/// The trail above the staff's record pages: Clients / the client / the episode, as far as given.
fn crumbs(caller: &Caller, client: Option<(i64, &str)>, episode: Option<(i64, &str)>) -> Markup {
    html! {
        p.crumbs {
            @if caller.is_manager() { a href="/manage" { "Manage" } " / " }
            a href="/manage/clients" { "Clients" }
            @if let Some((id, name)) = client { " / " a href={ "/manage/clients/" (id) } { (name) } }
            @if let Some((id, title)) = episode { " / " a href={ "/manage/episodes/" (id) } { (title) } }
        }
    }
}

/// What a response status says, in a few words.
pub(crate) fn status_label(s: ResponseStatus) -> &'static str {
    match s {
        ResponseStatus::Responding => "Responding",
        ResponseStatus::TooEarly => "Too early to judge",
        ResponseStatus::EarlyWarning => "Early warning",
        ResponseStatus::NonResponder => "Not responding",
        ResponseStatus::CeilingReached => "Ceiling reached",
        ResponseStatus::Deteriorating => "Deteriorating",
    }
}

pub(crate) fn episode_status_label(s: EpisodeStatus) -> &'static str {
    match s {
        EpisodeStatus::Active => "Active",
        EpisodeStatus::Discharged => "Discharged",
        EpisodeStatus::Referred => "Referred",
    }
}

/// Errors of a list whose rows the form numbers differently: `prefix[i]...` becomes `prefix[rows[i]]...`,
/// so each message lands beside the row the person filled in (empty rows are left out of what is sent).
fn renumbered(errors: ValidationErrors, prefix: &str, rows: &[usize]) -> ValidationErrors {
    let start = format!("{prefix}[");
    ValidationErrors(
        errors
            .0
            .into_iter()
            .map(|e| {
                let Some(rest) = e.field.strip_prefix(&start) else { return e };
                let Some((index, tail)) = rest.split_once(']') else { return e };
                match index.parse::<usize>().ok().and_then(|i| rows.get(i)) {
                    Some(row) => FieldError { field: format!("{start}{row}]{tail}"), ..e },
                    None => e,
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_of_compacted_rows_land_on_the_rows_typed_in() {
        let errors = ValidationErrors(vec![
            FieldError::new("invalid", "goals[1].description", "is required"),
            FieldError::new("invalid", "pressure", "too deep"),
        ]);
        let moved = renumbered(errors, "goals", &[0, 3]);
        assert_eq!(moved.for_field("goals[3].description"), Some("is required"));
        assert_eq!(moved.for_field("pressure"), Some("too deep"));
    }
}
