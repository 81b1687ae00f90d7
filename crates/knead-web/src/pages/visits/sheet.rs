//! The visit sheet at the top of `/visits/{id}`: what the therapist must know before the visit, precautions
//! first (what to avoid, where, why), then the screening's result and date, the clearance a held booking
//! waits for (with the form to record it), the consent state, the other care the client receives, who the
//! client is and how to reach them, and what they left for the visit.
//!
//! Reading the sheet is one audit entry (`knead_app::intake::visit_sheet` writes it). Recording a clearance
//! (`POST /visits/{id}/clearance`) confirms a held booking, and is itself recorded.

use super::{posted, VisitPage};
use crate::auth::{Caller, SignedIn};
use crate::error::{field_errors, WebError};
use crate::extract::{AppPath, FormPairs};
use crate::pages::clients::health::{consent_view, other_care_view, precautions_list, screening_view};
use crate::pages::Frame;
use crate::state::AppState;
use crate::ui::{self, error_summary, field, line, Input, Values, TEXT};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use knead_app::intake::{self, VisitSheet};
use knead_app::AppError;
use knead_core::booking::{BookingStatus, Where};
use knead_core::intake::ClearanceInput;
use knead_core::ValidationErrors;
use maud::{html, Markup};

/// The sheet of a booking the caller may see (checked before): a refusal to show it is "not found".
pub(super) async fn load(
    state: &AppState,
    caller: &Caller,
    id: knead_core::booking::BookingId,
) -> Result<VisitSheet, WebError> {
    intake::visit_sheet(state.app(), &caller.user, id).await.map_err(|e| match e {
        AppError::NotFound { .. } => WebError::not_found("visit"),
        other => other.into(),
    })
}

/// The sheet, precautions first; `clearance_errors` and `values` re-show a refused clearance form.
pub(super) fn view(caller: &Caller, s: &VisitSheet, values: &Values, clearance_errors: &ValidationErrors) -> Markup {
    let b = &s.booking;
    let c = &s.client;
    // The phone given for this visit first; the record's too when it differs (either may be newer).
    let mut phones: Vec<&str> = vec![b.client.phone.as_str()];
    if c.phone != b.client.phone {
        phones.push(c.phone.as_str());
    }
    phones.retain(|p| !p.trim().is_empty());
    let tel = |p: &str| -> String { p.chars().filter(|ch| ch.is_ascii_digit() || *ch == '+').collect() };
    html! {
        section.sheet #precautions aria-labelledby="precautions-heading" {
            h2 #precautions-heading { "Precautions" }
            @if s.intake.is_none() {
                p.warning #no-history { strong { "No health history given yet." } " Ask for it before you start, and go gently until you have it." }
            }
            (precautions_list(&s.precautions))
        }
        @if s.screening.is_some() || b.reason.is_some_and(|r| r.needs_screening()) {
            section.sheet aria-labelledby="screening-heading" {
                h2 #screening-heading { "Red-flag screening" }
                @match &s.screening {
                    Some(sc) => { (screening_view(sc)) }
                    None => { p.warning { "This visit was booked for back or leg pain without a screening on record." } }
                }
            }
        }
        @if b.status == BookingStatus::AwaitingClearance {
            (clearance_form(caller, s, values, clearance_errors))
        }
        @if let Some(cl) = &s.clearance {
            section.sheet #clearance aria-labelledby="clearance-heading" {
                h2 #clearance-heading { "Medical clearance" }
                p {
                    "Cleared by " strong { (cl.cleared_by) } "; recorded " (crate::pages::clients::date_time(cl.recorded_at))
                    " by " (crate::pages::clients::actor(caller, Some(c), Some(cl.recorded_by)).to_lowercase()) "."
                }
                @if !cl.note.is_empty() { p { "Note: " (cl.note) } }
            }
        }
        section.sheet aria-labelledby="consent-heading" {
            h2 #consent-heading { "Consent" }
            @match &s.intake {
                Some(v) => { (consent_view(v.history.answers())) p.meta { "From health history version " (v.version) "." } }
                None => { p { "Not given yet." } }
            }
        }
        section.sheet aria-labelledby="other-care-heading" {
            h2 #other-care-heading { "Other care" }
            @match &s.intake {
                Some(v) => { (other_care_view(&v.history.answers().other_care)) }
                None => { p { "Not known yet." } }
            }
        }
        section.sheet #client aria-labelledby="client-heading" {
            h2 #client-heading { "Client" }
            dl.facts {
                dt { "Name" } dd #visit-client { (c.name) @if !c.same_name(&b.client.name) { " (booked as “" (b.client.name) "”)" } }
                dt { "Phone" } dd {
                    @if phones.is_empty() { "Not given" }
                    @for (i, p) in phones.iter().enumerate() { @if i > 0 { " or " } a href={ "tel:" (tel(p)) } { (p) } }
                }
                dt { "Email" } dd { a href={ "mailto:" (c.email.as_str()) } { (c.email.as_str()) } }
                dt { "Address" } dd {
                    @match &b.place {
                        Where::Mobile { address, .. } => { (address) " (the visit’s)" }
                        Where::Clinic(_) => {
                            @match c.addresses.first() { Some(a) => { (a.address) } None => "Not given" }
                        }
                    }
                }
            }
            @if caller.is_manager() || caller.user.role == knead_core::Role::Therapist {
                p { a href={ "/manage/clients/" (c.id.0) } { "The client’s file" } }
            }
        }
        @if b.status != BookingStatus::Cancelled {
            section.sheet #visit-note aria-labelledby="visit-note-heading" {
                h2 #visit-note-heading { "Note" }
                p {
                    a.button href={ "/visits/" (b.id.0) "/note" } { "Start the note" }
                    " " span.hint { "or continue its draft: the note of this visit, on the client's episode of care." }
                }
            }
        }
        section.sheet aria-labelledby="for-visit-heading" {
            h2 #for-visit-heading { "For this visit" }
            dl.facts {
                dt { "Reason" } dd { @match b.reason { Some(r) => { (r.label()) } None => "Not given" } }
                dt { "Add-ons" } dd { @if b.add_ons.is_empty() { "None" } @else { (b.add_ons.join(", ")) } }
                dt { "Notes from the client" } dd #visit-notes { @if b.notes.is_empty() { "None" } @else { (b.notes) } }
            }
        }
    }
}

/// Why a held booking waits, and the form staff record the physician's clearance with.
fn clearance_form(caller: &Caller, s: &VisitSheet, values: &Values, errors: &ValidationErrors) -> Markup {
    let id = s.booking.id.0;
    let why: Vec<&str> = s
        .precautions
        .iter()
        .filter(|p| p.category == knead_core::intake::Category::ClearanceRequired)
        .map(|p| p.reason.as_str())
        .collect();
    html! {
        section.sheet.held #awaiting-clearance aria-labelledby="held-heading" {
            h2 #held-heading { "Waiting for a physician’s clearance" }
            p { "The time is kept, but the visit goes ahead only once a physician has cleared the client." }
            @if !why.is_empty() {
                p { "Why:" }
                ul { @for w in &why { li { (w) } } }
            }
            @if let Some(sc) = &s.screening {
                @if !sc.assessment.reasons.is_empty() {
                    p { "What the screening raised:" }
                    ul { @for r in &sc.assessment.reasons { li { (r.message) } } }
                }
            }
            (error_summary(errors, "The clearance was not recorded:"))
            form.stack method="post" action={ "/visits/" (id) "/clearance" } novalidate {
                (ui::csrf_field(Some(caller)))
                (line(values, errors, "cleared_by", "Cleared by", TEXT, "The physician or clinic, as their note names them."))
                (field(values, errors, "note", "Note", Input::Area(3), "Optional: what the note says, e.g. any limits."))
                div { button type="submit" { "Record the clearance and confirm" } }
            }
        }
    }
}

/// Records a physician's clearance, then back to the sheet (now confirmed); a refusal re-shows the form.
pub(super) async fn clear(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    let b = posted(&state, &caller, id, &form).await?;
    let input = ClearanceInput { cleared_by: form.get("cleared_by").to_string(), note: form.get("note").to_string() };
    let values = Values::from_form(form.0.clone());
    let (refusal, errors) = match intake::clear(state.app(), &caller.user, b.id, &input).await {
        Ok(_) => {
            tracing::info!(booking_id = id, "clearance recorded by staff");
            return Ok(Redirect::to(&format!("/visits/{id}?done=cleared")).into_response());
        }
        // Only a held booking waits for a clearance (and shows the form); the page says why nothing changed.
        Err(AppError::Conflict { .. }) => {
            (vec!["This visit is not waiting for a clearance.".to_string()], ValidationErrors::default())
        }
        Err(e) => match field_errors(&e) {
            Some(errors) => (Vec::new(), errors),
            None => return Err(e.into()),
        },
    };
    let page = VisitPage::load(&state, &caller, &b, None).await?;
    let body = page.view_with(&caller, None, &refusal, &values, &errors);
    Ok(Frame::signed_in(&state, &caller).respond(StatusCode::UNPROCESSABLE_ENTITY, &page.title(), body))
}
