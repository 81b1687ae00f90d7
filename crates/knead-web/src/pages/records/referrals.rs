//! Referral letters: one button on the episode drafts one (`POST /manage/episodes/{id}/referrals`); its page,
//! `/manage/referrals/{id}`, edits the draft (recipient, their name, urgency, reason, the letter) and signs
//! it, after which it is a printable letter (a print stylesheet drops everything else) with links to its
//! PDF and its FHIR export.

use super::hidden;
use crate::auth::{Caller, SignedIn};
use crate::error::{field_errors, WebError};
use crate::extract::{AppPath, AppQuery, FormPairs};
use crate::pages::clients::{date_time, staff_only};
use crate::pages::Frame;
use crate::state::AppState;
use crate::ui::{self, error_summary, field, line, Input, Values, TEXT};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use knead_app::records::{referrals, ReferralFile};
use knead_core::records::{EpisodeId, Recipient, ReferralId, ReferralInput, ReferralStatus, Urgency};
use knead_core::{FieldError, ValidationErrors};
use maud::{html, Markup};

const URGENCIES: [Urgency; 4] = [Urgency::Routine, Urgency::Urgent, Urgency::Asap, Urgency::Stat];

fn urgency_label(u: Urgency) -> &'static str {
    match u {
        Urgency::Routine => "Routine",
        Urgency::Urgent => "Urgent",
        Urgency::Asap => "As soon as possible",
        Urgency::Stat => "Immediately",
    }
}

/// Drafts a letter from the episode, then its page.
pub(super) async fn draft(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    staff_only(&caller)?;
    caller.check_csrf(form.get("csrf"))?;
    let r = referrals::draft(state.app(), &caller.user, EpisodeId(id), &ReferralInput::default())
        .await
        .map_err(hidden("episode"))?;
    tracing::info!(referral_id = r.id.0, episode_id = id, "referral drafted");
    Ok(Redirect::to(&format!("/manage/referrals/{}?saved=drafted", r.id.0)).into_response())
}

#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct SavedQuery {
    saved: Option<String>,
}

fn values_of(f: &ReferralFile) -> Values {
    let r = &f.referral;
    let mut v = Values::default();
    v.set("recipient", r.recipient.as_str());
    v.set("recipient_name", r.recipient_name.clone());
    v.set("urgency", r.urgency.as_str());
    v.set("reason", r.reason.clone());
    v.set("body", r.body.clone());
    v
}

fn read(v: &Values) -> Result<ReferralInput, ValidationErrors> {
    let mut e = ValidationErrors::default();
    let recipient = e.take(Recipient::parse("recipient", v.get("recipient")));
    let urgency = URGENCIES.into_iter().find(|u| u.as_str() == v.get("urgency").trim());
    if urgency.is_none() {
        e.push(FieldError::new("invalid", "urgency", "must be one of: routine, urgent, asap, stat"));
    }
    let input = ReferralInput {
        recipient,
        recipient_name: v.get("recipient_name").to_string(),
        urgency,
        reason: Some(v.get("reason").to_string()),
        body: Some(v.get("body").to_string()),
    };
    e.finish(|| Some(input))
}

fn draft_view(caller: &Caller, f: &ReferralFile, v: &Values, e: &ValidationErrors) -> Markup {
    let id = f.referral.id.0;
    let recipients: Vec<(&str, &str)> = vec![
        ("physician", "A physician"),
        ("physiotherapist", "A physiotherapist"),
        ("chiropractor", "A chiropractor"),
    ];
    let urgencies: Vec<(&str, &str)> = URGENCIES.iter().map(|u| (u.as_str(), urgency_label(*u))).collect();
    html! {
        p.crumbs { a href={ "/manage/episodes/" (f.episode.id.0) } { "Back to the episode" } }
        h1 { "Referral letter (draft): " (f.client_name) }
        p.hint { "Drafted from the episode: check and edit it, then sign it. A signed letter cannot change." }
        (error_summary(e, "The letter was not saved:"))
        form.stack #referral-form method="post" action={ "/manage/referrals/" (id) } novalidate {
            (ui::csrf_field(Some(caller)))
            div.row {
                (field(v, e, "recipient", "To", Input::Select(&recipients), ""))
                (line(v, e, "recipient_name", "Their name and clinic", TEXT, "When known."))
                (field(v, e, "urgency", "Urgency", Input::Select(&urgencies), ""))
            }
            (field(v, e, "reason", "Reason", Input::Area(3), "Up to 500 characters."))
            (field(v, e, "body", "Letter", Input::Area(18), "The red-flag results, the scores and the treatment so far are drafted in; edit freely."))
            fieldset.sign .invalid[ui::error_for(e, "confirm").is_some()] #confirm {
                legend { "Signing" }
                label.check { input type="checkbox" name="confirm" value="yes"; " I have read the letter; signing locks it and marks the episode as referred." }
                @if let Some(err) = ui::error_for(e, "confirm") { span.error { (err) } }
            }
            div.actions {
                button type="submit" name="action" value="save" { "Save the draft" }
                " " button.sign type="submit" name="action" value="sign" { "Sign the letter" }
            }
        }
    }
}

/// The clinic policy's responder points, for the threshold line of the letter's chart.
async fn responder_points(state: &AppState) -> Result<f64, WebError> {
    Ok(knead_app::calendar::settings(state.app()).await?.response_policy.responder_points)
}

/// The signed letter as printed.
fn letter(f: &ReferralFile, responder: f64) -> Markup {
    let r = &f.referral;
    html! {
        p.crumbs.no-print { a href={ "/manage/episodes/" (f.episode.id.0) } { "Back to the episode" } }
        p.actions.no-print #exports {
            a.button href={ "/api/v1/referrals/" (r.id.0) ".pdf" } { "PDF" } " "
            a href={ "/api/v1/referrals/" (r.id.0) "/fhir" } { "FHIR export (JSON)" }
            " · Print this page from your browser for a paper copy."
        }
        article.letter #letter {
            header {
                p.from { strong { (f.practice_name) } br; (f.practice_contact) }
                p.date { (r.signed_at.map(date_time).unwrap_or_default()) }
            }
            h1 { "Referral to a " (r.recipient.as_str()) }
            dl.facts {
                dt { "To" } dd { @if r.recipient_name.is_empty() { "A " (r.recipient.as_str()) } @else { (r.recipient_name) } }
                dt { "About" } dd { (f.client_name) @if let Some(dob) = &f.client_date_of_birth { ", born " (dob) } }
                dt { "Condition" } dd { (f.episode.title()) }
                dt { "Urgency" } dd { strong { (urgency_label(r.urgency)) } }
                dt { "Reason" } dd { (r.reason) }
            }
            div.letter-body { (r.body) }
            h2 { "Scores" }
            (super::chart::trend("letter-chart", &f.episode.title(), &f.measures, responder))
            p.signature #signature {
                "Signed: " strong { (r.signed_name.as_deref().unwrap_or("")) }
                @if let Some(at) = r.signed_at { ", " (date_time(at)) }
            }
        }
    }
}

pub(super) async fn page(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
    AppQuery(q): AppQuery<SavedQuery>,
) -> Result<Response, WebError> {
    staff_only(&caller)?;
    let f = referrals::get(state.app(), &caller.user, ReferralId(id), None).await.map_err(hidden("referral"))?;
    let notice = match q.saved.as_deref() {
        Some("drafted") => Some("The letter was drafted from the episode."),
        Some("saved") => Some("The draft was saved."),
        Some("signed") => Some("The letter was signed; the episode is marked as referred."),
        _ => None,
    };
    let body = match f.referral.status {
        ReferralStatus::Draft => draft_view(&caller, &f, &values_of(&f), &ValidationErrors::default()),
        ReferralStatus::Signed => letter(&f, responder_points(&state).await?),
    };
    let body = html! { div.no-print { (ui::notice(notice)) } (body) };
    Ok(Frame::signed_in(&state, &caller).page("Referral letter", body).into_response())
}

/// Saves the draft, and signs it when asked (and confirmed).
pub(super) async fn save(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    staff_only(&caller)?;
    caller.check_csrf(form.get("csrf"))?;
    let id = ReferralId(id);
    let v = Values::from_form(form.0);
    let signing = v.get("action") == "sign";
    let mut errors = read(&v).err().unwrap_or_default();
    if signing && v.get("confirm") != "yes" {
        errors.push(FieldError::new("required", "confirm", "tick to confirm that signing locks the letter"));
    }
    if errors.is_empty() {
        let input = read(&v).map_err(|e| WebError::App(e.into()))?;
        let done = match referrals::edit(state.app(), &caller.user, id, &input).await {
            Ok(_) if signing => referrals::sign(state.app(), &caller.user, id).await.map(|_| "signed"),
            Ok(_) => Ok("saved"),
            Err(e) => Err(e),
        };
        match done {
            Ok(what) => {
                tracing::info!(referral_id = id.0, what, "referral saved");
                return Ok(Redirect::to(&format!("/manage/referrals/{}?saved={what}", id.0)).into_response());
            }
            Err(e) => errors = field_errors(&e).ok_or_else(|| hidden("referral")(e))?,
        }
    }
    let f = referrals::get(state.app(), &caller.user, id, None).await.map_err(hidden("referral"))?;
    let body = match f.referral.status {
        ReferralStatus::Draft => draft_view(&caller, &f, &v, &errors),
        ReferralStatus::Signed => {
            html! { (error_summary(&errors, "Nothing was changed:")) (letter(&f, responder_points(&state).await?)) }
        }
    };
    Ok(Frame::signed_in(&state, &caller).respond(StatusCode::UNPROCESSABLE_ENTITY, "Referral letter", body))
}
