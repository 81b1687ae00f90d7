//! The SOAP note editor: a new note on an episode (`/manage/episodes/{id}/notes/new`, from the visit sheet
//! with `?booking_id=`), a draft (`/manage/notes/{id}`) saved or signed from one form — signing asks to
//! confirm that it locks the note — and a signed note read-only with its amendment form (the reason
//! required) and every version: the original readable, each amendment with who, when and why. Beside the
//! editor (above it on a phone): the precautions first, the last signed note, the plan, and the program's
//! adherence and logged pain since that note.

use super::{crumbs, hidden};
use crate::auth::{Caller, SignedIn};
use crate::error::{field_errors, WebError};
use crate::extract::{AppPath, AppQuery, FormPairs};
use crate::pages::clients::health::precautions_list;
use crate::pages::clients::{actor, date_time, staff_only};
use crate::pages::Frame;
use crate::state::AppState;
use crate::ui::{self, error_summary, field, line, Input, Values, TEXT, WHOLE};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use knead_app::records::{notes, NoteContext, NoteHistory};
use knead_core::booking::BookingId;
use knead_core::records::{AmendmentInput, EpisodeId, NoteId, NoteInput, NoteStatus, Pressure, SoapNote, Technique};
use knead_core::{FieldError, ValidationErrors};
use maud::{html, Markup};

/// `?booking_id=` for a note of a booked visit.
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct NewQuery {
    booking_id: Option<i64>,
}

/// `?saved=draft|signed|amended`, and `?episode=` on the links to a draft: its episode, so the editor and
/// what it shows beside the note are one read of the record.
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct SavedQuery {
    saved: Option<String>,
    episode: Option<i64>,
}

/// The link to a draft note, with its episode (see `SavedQuery`).
pub(crate) fn draft_link(note: &SoapNote) -> String {
    format!("/manage/notes/{}?episode={}", note.id.0, note.episode_id.0)
}

const TEXTS: [(&str, &str, &str); 4] = [
    ("subjective", "Subjective", "What the client reports: pain, sleep, what changed since the last visit."),
    ("objective", "Objective", "What you found: posture, range of motion, tissue, tests."),
    ("assessment", "Assessment", "What you make of it."),
    ("plan", "Plan", "What is next: the next visit, changes to the treatment."),
];
const AFTER: [(&str, &str, &str); 3] = [
    ("response", "The client's response", "How they responded to the treatment."),
    ("self_care", "Self-care given", "Exercises and advice."),
    ("referrals", "Referrals made", "Optional."),
];

/// A time as the `datetime-local` field writes it, in the practice's zone.
fn local_input(ts: jiff::Timestamp) -> String {
    let zone = crate::pages::page_locale().zone;
    ts.to_zoned(zone).datetime().strftime("%Y-%m-%dT%H:%M").to_string()
}

/// The field's local time as an instant (RFC 3339) for the core; kept as typed when it is not one, so the
/// core names the field.
fn instant_of(text: &str) -> String {
    let zone = crate::pages::page_locale().zone;
    text.trim()
        .parse::<jiff::civil::DateTime>()
        .ok()
        .and_then(|dt| dt.to_zoned(zone).ok())
        .map_or_else(|| text.trim().to_string(), |z| z.timestamp().to_string())
}

fn values_of(n: &SoapNote) -> Values {
    let c = &n.content;
    let mut v = Values::default();
    for (name, text) in [
        ("subjective", &c.subjective),
        ("objective", &c.objective),
        ("assessment", &c.assessment),
        ("plan", &c.plan),
        ("response", &c.response),
        ("self_care", &c.self_care),
        ("referrals", &c.referrals),
    ] {
        v.set(name, text.clone());
    }
    v.set("areas_treated", c.areas_treated.join(", "));
    for t in &c.techniques {
        v.set("techniques", t.as_str());
    }
    v.set("pressure", c.pressure.map_or("", |p| p.as_str()));
    v.set("started_at", local_input(c.started_at));
    v.set("duration_minutes", c.duration_minutes.to_string());
    if let Some(b) = c.booking_id {
        v.set("booking_id", b.0.to_string());
    }
    v
}

/// The form's values as the note's input; a technique not in the list is an error under `techniques`.
fn read(v: &Values) -> Result<NoteInput, ValidationErrors> {
    let mut e = ValidationErrors::default();
    let techniques: Vec<Technique> =
        v.0.iter()
            .filter(|(k, _)| k == "techniques")
            .filter_map(|(_, t)| e.take(Technique::parse("techniques", t)))
            .collect();
    let pressure = match v.get("pressure").trim() {
        "" => None,
        p => {
            let found = Pressure::ALL.into_iter().find(|x| x.as_str() == p);
            if found.is_none() {
                e.push(FieldError::new("invalid", "pressure", "must be one of: light, moderate, firm, deep"));
            }
            found
        }
    };
    let booking_id = v.get("booking_id").trim().parse::<i64>().ok().map(BookingId);
    let duration = match v.get("duration_minutes").trim() {
        "" => 0,
        _ => ui::whole(&mut e, v, "duration_minutes"),
    };
    let input = NoteInput {
        booking_id,
        subjective: v.get("subjective").to_string(),
        objective: v.get("objective").to_string(),
        assessment: v.get("assessment").to_string(),
        plan: v.get("plan").to_string(),
        areas_treated: ui::labels(v, "areas_treated"),
        techniques,
        pressure,
        response: v.get("response").to_string(),
        self_care: v.get("self_care").to_string(),
        referrals: v.get("referrals").to_string(),
        started_at: instant_of(v.get("started_at")),
        duration_minutes: duration,
    };
    e.finish(|| Some(input))
}

/// The note's fields (a new note, a draft, or an amendment's body).
fn note_fields(v: &Values, e: &ValidationErrors) -> Markup {
    let chosen: Vec<&str> = v.0.iter().filter(|(k, _)| k == "techniques").map(|(_, t)| t.as_str()).collect();
    let mut pressures: Vec<(&str, &str)> = vec![("", "Not recorded")];
    pressures.extend(Pressure::ALL.iter().map(|p| (p.as_str(), p.as_str())));
    let when = ui::Typed { html_type: "datetime-local", inputmode: None, autocomplete: Some("off") };
    html! {
        @if !v.get("booking_id").is_empty() { input type="hidden" name="booking_id" value=(v.get("booking_id")); }
        div.row {
            (line(v, e, "started_at", "Started at", when, ""))
            (line(v, e, "duration_minutes", "Duration (minutes)", WHOLE, "1 to 480."))
        }
        @for (name, label, hint) in TEXTS { (field(v, e, name, label, Input::Area(4), hint)) }
        (line(v, e, "areas_treated", "Areas treated", TEXT, "Separated by commas, e.g. lower back, right gluteal."))
        fieldset #techniques .invalid[ui::error_for(e, "techniques").is_some()] {
            legend { "Techniques" }
            @for t in Technique::ALL {
                label.check { input type="checkbox" name="techniques" value=(t.as_str()) checked[chosen.contains(&t.as_str())]; " " (t.label()) }
            }
            @if let Some(err) = ui::error_for(e, "techniques") { span.error { (err) } }
        }
        (field(v, e, "pressure", "Pressure", Input::Select(&pressures), ""))
        @for (name, label, hint) in AFTER { (field(v, e, name, label, Input::Area(2), hint)) }
    }
}

/// What the therapist needs beside the note, precautions first.
fn beside(ctx: &NoteContext) -> Markup {
    html! {
        aside.note-context aria-label="Beside the note" {
            section.sheet #precautions aria-labelledby="note-precautions" {
                h2 #note-precautions { "Precautions" }
                (precautions_list(&ctx.precautions))
            }
            section.sheet aria-labelledby="note-last" {
                h2 #note-last { "Last signed note" }
                @match &ctx.last_note {
                    None => p.meta { "None yet." },
                    Some(n) => {
                        p.meta { (date_time(n.content.started_at)) }
                        (note_read(n))
                    }
                }
            }
            section.sheet aria-labelledby="note-plan" {
                h2 #note-plan { "Plan" }
                @match &ctx.plan {
                    None => p.meta { "No plan yet." },
                    Some(p) => {
                        ul { @for g in &p.goals { li { (g.description) } } }
                        p { "Techniques: " (p.techniques.iter().map(|t| t.technique.label()).collect::<Vec<_>>().join(", ")) ". Most pressure: " (p.pressure.as_str()) "." }
                    }
                }
            }
            section.sheet aria-labelledby="note-program" {
                h2 #note-program { "Home program since the last note" }
                @match &ctx.adherence {
                    None => p.meta { "No program, or nothing logged." },
                    Some(a) => (super::program_form::adherence_view(a)),
                }
            }
        }
    }
}

/// A note's content, read-only.
fn note_read(n: &SoapNote) -> Markup {
    let c = &n.content;
    html! {
        dl.facts.note {
            dt { "Started" } dd { (date_time(c.started_at)) ", " (ui::minutes(c.duration_minutes)) }
            @for (label, text) in [("Subjective", &c.subjective), ("Objective", &c.objective), ("Assessment", &c.assessment), ("Plan", &c.plan)] {
                dt { (label) } dd.pre { @if text.is_empty() { "—" } @else { (text) } }
            }
            dt { "Areas treated" } dd { @if c.areas_treated.is_empty() { "—" } @else { (c.areas_treated.join(", ")) } }
            dt { "Techniques" } dd { @if c.techniques.is_empty() { "—" } @else { (c.techniques.iter().map(|t| t.label()).collect::<Vec<_>>().join(", ")) } }
            dt { "Pressure" } dd { (c.pressure.map_or("—", |p| p.as_str())) }
            @for (label, text) in [("Response", &c.response), ("Self-care given", &c.self_care), ("Referrals made", &c.referrals)] {
                dt { (label) } dd.pre { @if text.is_empty() { "—" } @else { (text) } }
            }
        }
    }
}

fn editor(caller: &Caller, ctx: &NoteContext, note: Option<&SoapNote>, v: &Values, e: &ValidationErrors) -> Markup {
    let ep = &ctx.episode.episode;
    let action = match note {
        Some(n) => format!("/manage/notes/{}", n.id.0),
        None => format!("/manage/episodes/{}/notes/new", ep.id.0),
    };
    html! {
        (crumbs(caller, Some((ep.client_id.0, &ctx.episode.client_name)), Some((ep.id.0, &ep.title()))))
        h1 { @if note.is_some() { "Draft note" } @else { "New note" } ": " (ctx.episode.client_name) }
        div.note-layout {
            (beside(ctx))
            div.note-editor {
                (error_summary(e, "The note was not saved:"))
                form.stack #note-form method="post" action=(action) novalidate {
                    (ui::csrf_field(Some(caller)))
                    (note_fields(v, e))
                    @if note.is_some() {
                        fieldset.sign .invalid[ui::error_for(e, "confirm").is_some()] #confirm {
                            legend { "Signing" }
                            label.check { input type="checkbox" name="confirm" value="yes"; " I understand that signing locks this note for good: later corrections are amendments." }
                            @if let Some(err) = ui::error_for(e, "confirm") { span.error { (err) } }
                        }
                    }
                    div.actions {
                        button type="submit" name="action" value="save" { "Save draft" }
                        @if note.is_some() { " " button.sign type="submit" name="action" value="sign" { "Sign the note" } }
                    }
                }
                @if note.is_none() { p.hint { "Save the draft first; you sign it from the draft." } }
            }
        }
    }
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
    AppQuery(q): AppQuery<NewQuery>,
) -> Result<Response, WebError> {
    staff_only(&caller)?;
    let booking = q.booking_id.map(BookingId);
    let ctx = notes::context(state.app(), &caller.user, EpisodeId(id), booking).await.map_err(hidden("episode"))?;
    // A visit's draft is continued, not started twice.
    if let Some(b) = booking {
        let draft = ctx.episode.notes.iter().find(|n| n.status == NoteStatus::Draft && n.content.booking_id == Some(b));
        if let Some(n) = draft {
            return Ok(Redirect::to(&draft_link(n)).into_response());
        }
    }
    let mut v = Values::default();
    v.set("started_at", local_input(state.now()));
    v.set("duration_minutes", "60");
    if let Some(b) = booking {
        v.set("booking_id", b.0.to_string());
    }
    let body = editor(&caller, &ctx, None, &v, &ValidationErrors::default());
    Ok(Frame::signed_in(&state, &caller).page("New note", body).into_response())
}

pub(super) async fn create(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    staff_only(&caller)?;
    caller.check_csrf(form.get("csrf"))?;
    let v = Values::from_form(form.0);
    let errors = match read(&v) {
        Ok(input) => match notes::start(state.app(), &caller.user, EpisodeId(id), &input).await {
            Ok(n) => {
                tracing::info!(note_id = n.id.0, "note started");
                return Ok(Redirect::to(&format!("{}&saved=draft", draft_link(&n))).into_response());
            }
            Err(e) => field_errors(&e).ok_or_else(|| hidden("episode")(e))?,
        },
        Err(errors) => errors,
    };
    let booking = v.get("booking_id").parse::<i64>().ok().map(BookingId);
    let ctx = notes::context(state.app(), &caller.user, EpisodeId(id), booking).await.map_err(hidden("episode"))?;
    let body = editor(&caller, &ctx, None, &v, &errors);
    Ok(Frame::signed_in(&state, &caller).respond(StatusCode::UNPROCESSABLE_ENTITY, "New note", body))
}

fn notice(saved: Option<&str>) -> Option<&'static str> {
    Some(match saved? {
        "draft" => "The draft was saved.",
        "signed" => "The note was signed. It is locked: corrections are amendments.",
        "amended" => "The amendment was signed; the original stays readable below.",
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
    let notice = notice(q.saved.as_deref());
    if let Some(episode) = q.episode {
        // A draft reached from its episode: the context holds the note, so the page is one read.
        let ctx = notes::context(state.app(), &caller.user, EpisodeId(episode), None).await.map_err(hidden("note"))?;
        let draft = ctx.episode.notes.iter().find(|n| n.id.0 == id && n.status == NoteStatus::Draft).cloned();
        if let Some(n) = draft {
            let body = html! { (ui::notice(notice)) (editor(&caller, &ctx, Some(&n), &values_of(&n), &ValidationErrors::default())) };
            return Ok(Frame::signed_in(&state, &caller).page("Draft note", body).into_response());
        }
    }
    let history = notes::get(state.app(), &caller.user, NoteId(id)).await.map_err(hidden("note"))?;
    let n = &history.note;
    if n.status == NoteStatus::Draft {
        let ctx = notes::context(state.app(), &caller.user, n.episode_id, n.content.booking_id)
            .await
            .map_err(hidden("note"))?;
        let body = html! { (ui::notice(notice)) (editor(&caller, &ctx, Some(n), &values_of(n), &ValidationErrors::default())) };
        return Ok(Frame::signed_in(&state, &caller).page("Draft note", body).into_response());
    }
    let body = html! { (ui::notice(notice)) (signed_view(&caller, &history, &values_of(n), &ValidationErrors::default(), false)) };
    Ok(Frame::signed_in(&state, &caller).page("Signed note", body).into_response())
}

/// A signed note, read-only: its content, its versions, and the amendment form.
fn signed_view(caller: &Caller, h: &NoteHistory, v: &Values, e: &ValidationErrors, open: bool) -> Markup {
    let n = &h.note;
    let latest = n.amended_by.is_none();
    html! {
        p.crumbs { a href={ "/manage/episodes/" (n.episode_id.0) } { "Back to the episode" } }
        h1 { "Note of " (date_time(n.content.started_at)) }
        p.locked #note-status {
            strong { "Signed" } @if let (Some(by), Some(at)) = (n.signed_by, n.signed_at) { " by " (actor(caller, None, Some(by)).to_lowercase()) ", " (date_time(at)) }
            ". Locked: it cannot change."
            @if let Some(newer) = n.amended_by { " " a href={ "/manage/notes/" (newer.0) } { "A newer version amends it." } }
        }
        @if let Some(reason) = &n.amendment_reason { p { "Amends an earlier version. Why: " (reason) } }
        (note_read(n))
        @if latest {
            details.amend #amend open[open] {
                summary { "Amend" }
                p.hint { "An amendment is a new signed version linked to this one; this note stays readable as it is." }
                (error_summary(e, "The amendment was not saved:"))
                form.stack method="post" action={ "/manage/notes/" (n.id.0) "/amend" } novalidate {
                    (ui::csrf_field(Some(caller)))
                    (field(v, e, "reason", "Why it is amended", Input::Area(2), "Required: what was wrong or missing."))
                    (note_fields(v, e))
                    div { button type="submit" { "Sign the amendment" } }
                }
            }
        }
        @if h.versions.len() > 1 {
            h2 #versions { "Versions" }
            ol.versions {
                @for version in &h.versions {
                    li {
                        details {
                            summary {
                                @match &version.amendment_reason {
                                    None => { "Original, signed " }
                                    Some(_) => { "Amendment, signed " }
                                }
                                (version.signed_at.map(date_time).unwrap_or_default())
                                @if let Some(by) = version.signed_by { " by " (actor(caller, None, Some(by)).to_lowercase()) }
                                @if let Some(why) = &version.amendment_reason { ": " (why) }
                            }
                            (note_read(version))
                        }
                    }
                }
            }
        }
    }
}

/// Saves a draft, and signs it when asked (and confirmed).
pub(super) async fn save(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    staff_only(&caller)?;
    caller.check_csrf(form.get("csrf"))?;
    let id = NoteId(id);
    let v = Values::from_form(form.0);
    let signing = v.get("action") == "sign";
    let mut errors = match read(&v) {
        Ok(_) => ValidationErrors::default(),
        Err(errors) => errors,
    };
    if signing && v.get("confirm") != "yes" {
        errors.push(FieldError::new("required", "confirm", "tick to confirm that signing locks the note"));
    }
    if errors.is_empty() {
        let input = read(&v).map_err(|e| WebError::App(e.into()))?;
        // A saved draft goes back to its editor by way of its episode (one read); a signed note to itself.
        let done = match notes::update(state.app(), &caller.user, id, &input).await {
            Ok(_) if signing => notes::sign(state.app(), &caller.user, id).await.map(|_| (None, "signed")),
            Ok(n) => Ok((Some(n.episode_id.0), "draft")),
            Err(e) => Err(e),
        };
        match done {
            Ok(saved) => {
                tracing::info!(note_id = id.0, what = saved.1, "note saved");
                let to = match saved.0 {
                    Some(episode) => format!("/manage/notes/{}?episode={episode}&saved={}", id.0, saved.1),
                    None => format!("/manage/notes/{}?saved={}", id.0, saved.1),
                };
                return Ok(Redirect::to(&to).into_response());
            }
            Err(e) => errors = field_errors(&e).ok_or_else(|| hidden("note")(e))?,
        }
    }
    let history = notes::get(state.app(), &caller.user, id).await.map_err(hidden("note"))?;
    let n = &history.note;
    let body = if n.status == NoteStatus::Draft {
        let ctx = notes::context(state.app(), &caller.user, n.episode_id, n.content.booking_id)
            .await
            .map_err(hidden("note"))?;
        editor(&caller, &ctx, Some(n), &v, &errors)
    } else {
        // Signed meanwhile: nothing was changed, and the page says why.
        html! { (error_summary(&errors, "Nothing was changed:")) (signed_view(&caller, &history, &values_of(n), &ValidationErrors::default(), false)) }
    };
    Ok(Frame::signed_in(&state, &caller).respond(StatusCode::UNPROCESSABLE_ENTITY, "Note", body))
}

pub(super) async fn amend(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    staff_only(&caller)?;
    caller.check_csrf(form.get("csrf"))?;
    let id = NoteId(id);
    let v = Values::from_form(form.0);
    let errors = match read(&v) {
        Ok(note) => {
            let input = AmendmentInput { note, reason: v.get("reason").to_string() };
            match notes::amend(state.app(), &caller.user, id, &input).await {
                Ok(n) => {
                    tracing::info!(note_id = n.id.0, amends = id.0, "note amended");
                    return Ok(Redirect::to(&format!("/manage/notes/{}?saved=amended", n.id.0)).into_response());
                }
                Err(e) => field_errors(&e).ok_or_else(|| hidden("note")(e))?,
            }
        }
        Err(errors) => errors,
    };
    let history = notes::get(state.app(), &caller.user, id).await.map_err(hidden("note"))?;
    let n = &history.note;
    let body = if n.status == NoteStatus::Draft {
        // Only a signed note is amended: the draft's editor, with why nothing changed.
        let ctx = notes::context(state.app(), &caller.user, n.episode_id, n.content.booking_id)
            .await
            .map_err(hidden("note"))?;
        editor(&caller, &ctx, Some(n), &values_of(n), &errors)
    } else {
        signed_view(&caller, &history, &v, &errors, true)
    };
    Ok(Frame::signed_in(&state, &caller).respond(StatusCode::UNPROCESSABLE_ENTITY, "Amend a note", body))
}

/// The visit sheet's way to the visit's note: the client's newest active episode's note for this booking
/// (its draft continued, or a new one), or opening an episode first when they have none.
pub(super) async fn from_visit(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
) -> Result<Response, WebError> {
    staff_only(&caller)?;
    let app = state.app();
    let booking = knead_app::booking::staff_visible(app, BookingId(id), &caller.user)
        .await?
        .ok_or(WebError::not_found("visit"))?;
    let Some(client) = booking.client_id else { return Err(WebError::not_found("visit")) };
    let episodes = knead_app::records::episodes::of_client(app, &caller.user, client).await.map_err(hidden("visit"))?;
    let active = episodes.iter().find(|(e, _)| e.status == knead_core::records::EpisodeStatus::Active);
    Ok(match active {
        Some((e, _)) => Redirect::to(&format!("/manage/episodes/{}/notes/new?booking_id={id}", e.id.0)),
        None => Redirect::to(&format!("/manage/clients/{}/episodes/new", client.0)),
    }
    .into_response())
}
