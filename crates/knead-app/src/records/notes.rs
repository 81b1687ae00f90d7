//! SOAP notes: drafts, signing, amendments, and the context a note is written in.

use super::access::{event, health_of, staff_episode, staff_only};
use super::episodes::EpisodeFile;
use super::integrity::{AMENDMENT_RECORD, SIGNATURE_RECORD};
use crate::clients::record_read;
use crate::{App, AppError, AppResult, ConflictCode, NotFoundAs};
use knead_core::booking::BookingId;
use knead_core::intake::Action;
use knead_core::intake::Precaution;
use knead_core::records::exercises::Adherence;
use knead_core::records::{AmendmentInput, EpisodeId, NoteId, NoteInput, SoapNote, TreatmentPlan};
use knead_core::{Role, User};
use knead_store::{NoteDraft, StoreError};

/// A note with every version of it: the versions it amends and the ones that amend it, oldest first.
#[derive(Debug, Clone)]
pub struct NoteHistory {
    pub note: SoapNote,
    pub versions: Vec<SoapNote>,
}

/// What the visit sheet puts beside a new note: the last signed note, the plan, the precautions, and the
/// program's adherence and logged pain since that note.
#[derive(Debug, Clone)]
pub struct NoteContext {
    pub episode: EpisodeFile,
    pub last_note: Option<SoapNote>,
    pub plan: Option<TreatmentPlan>,
    pub precautions: Vec<Precaution>,
    pub adherence: Option<Adherence>,
}

/// A store's refusal to change a signed note, as the app says it.
fn signed_conflict(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict { field } => AppError::Conflict { code: ConflictCode::Signed, field },
        StoreError::NotFound => AppError::NotFound { what: "note" },
        other => other.into(),
    }
}

/// The note and its episode if `staff` may see them.
async fn staff_note(app: &App, staff: &User, id: NoteId) -> AppResult<(SoapNote, knead_core::records::Episode)> {
    staff_only(staff, "note")?;
    let note = app.store().note(id).await.not_found_as("note")?;
    let (episode, _) = staff_episode(app, staff, note.episode_id).await.map_err(|e| match e {
        AppError::NotFound { .. } => AppError::NotFound { what: "note" },
        other => other,
    })?;
    Ok((note, episode))
}

/// A new draft on an episode. One audit entry (create).
pub async fn start(app: &App, staff: &User, episode: EpisodeId, input: &NoteInput) -> AppResult<SoapNote> {
    let (found, _) = staff_episode(app, staff, episode).await?;
    let content = input.validate(app.now())?;
    let draft = NoteDraft {
        episode,
        content,
        therapist: crate::clients::therapist_of(app, staff).await?.or(found.therapist_id),
        author: staff.id,
    };
    let audit = super::access::create_in_episode(app, staff, &found, "note");
    Ok(app.store().create_note(&draft, app.now(), &audit).await?)
}

/// Replaces a draft's content; a signed note is `Conflict { code: Signed, field: "status" }`. One audit
/// entry (change).
pub async fn update(app: &App, staff: &User, id: NoteId, input: &NoteInput) -> AppResult<SoapNote> {
    let (note, episode) = staff_note(app, staff, id).await?;
    // Checked before the input, so a signed note is a 409 whatever the body says.
    if note.status == knead_core::records::NoteStatus::Signed {
        return Err(AppError::Conflict { code: ConflictCode::Signed, field: "status" });
    }
    let content = input.validate(app.now())?;
    let audit = event(app, staff, episode.client_id, Action::Change, "note", id.to_string());
    app.store().update_draft(id, &content, &audit).await.map_err(signed_conflict)
}

/// Signs a draft: locked from then on. Only its author (or a manager) signs. One audit entry (change).
pub async fn sign(app: &App, staff: &User, id: NoteId) -> AppResult<SoapNote> {
    let (note, episode) = staff_note(app, staff, id).await?;
    if note.status == knead_core::records::NoteStatus::Signed {
        return Err(AppError::Conflict { code: ConflictCode::Signed, field: "status" });
    }
    if note.author != staff.id && staff.role != Role::Manager {
        return Err(AppError::field("not_author", "note", "only the note's author or a manager signs it"));
    }
    let digest = note.content.digest();
    // Its own record name, so that `knead audit verify` finds every signing in the log.
    let audit = event(app, staff, episode.client_id, Action::Change, SIGNATURE_RECORD, id.to_string());
    app.store().sign_note(id, staff.id, app.now(), &digest, &audit).await.map_err(signed_conflict)
}

/// Amends a signed note: a new signed version linked to it, with who, when and why. One audit entry
/// (create).
pub async fn amend(app: &App, staff: &User, id: NoteId, input: &AmendmentInput) -> AppResult<SoapNote> {
    let (note, episode) = staff_note(app, staff, id).await?;
    let (content, mut errors) = match input.note.validate(app.now()) {
        Ok(content) => (Some(content), knead_core::ValidationErrors::default()),
        Err(errors) => (None, errors),
    };
    let reason = errors.text("reason", &input.reason, 1, 1000);
    let content = errors.finish(|| content)?;
    if note.status != knead_core::records::NoteStatus::Signed {
        return Err(AppError::field("not_signed", "status", "a draft is edited, not amended; sign it first"));
    }
    if let Some(newer) = note.amended_by {
        return Err(AppError::field(
            "already_amended",
            "note",
            format!("this version was amended by note {newer}; amend the newest version"),
        ));
    }
    let digest = content.digest();
    let audit = super::access::create_in_episode(app, staff, &episode, AMENDMENT_RECORD);
    app.store().amend_note(id, &content, &reason, staff.id, app.now(), &digest, &audit).await.map_err(|e| match e {
        StoreError::Conflict { .. } => {
            AppError::field("already_amended", "note", "this version is a draft or was already amended")
        }
        other => signed_conflict(other),
    })
}

/// A note and all its versions. One audit entry (read).
pub async fn get(app: &App, viewer: &User, id: NoteId) -> AppResult<NoteHistory> {
    let (note, episode) = staff_note(app, viewer, id).await?;
    let all = app.store().episode_notes(note.episode_id).await?;
    let versions = versions_of(&note, &all);
    record_read(app, Some(viewer), Some(episode.client_id), "note", id.to_string()).await?;
    Ok(NoteHistory { note, versions })
}

/// The chain a note belongs to: the versions it amends and those amending it, oldest first.
pub(crate) fn versions_of(note: &SoapNote, all: &[SoapNote]) -> Vec<SoapNote> {
    let by_id = |id: NoteId| all.iter().find(|n| n.id == id);
    let mut chain = vec![note.clone()];
    let mut back = note.amends;
    while let Some(prev) = back.and_then(by_id) {
        chain.insert(0, prev.clone());
        back = prev.amends;
    }
    let mut forward = note.amended_by;
    while let Some(next) = forward.and_then(by_id) {
        chain.push(next.clone());
        forward = next.amended_by;
    }
    chain
}

/// The therapist's drafts older than 24 hours (every therapist's for a manager), oldest first. Not audited
/// (the dashboard lists dates and clients, not contents).
pub async fn overdue_drafts(app: &App, staff: &User) -> AppResult<Vec<SoapNote>> {
    staff_only(staff, "note")?;
    let author = (staff.role != Role::Manager).then_some(staff.id);
    let before = app.now() - jiff::SignedDuration::from_hours(24);
    Ok(app.store().unsigned_notes(author, before).await?)
}

/// The context for writing a note on an episode (optionally for a booked visit). One audit entry (read).
pub async fn context(
    app: &App,
    staff: &User,
    episode: EpisodeId,
    booking: Option<BookingId>,
) -> AppResult<NoteContext> {
    let (found, client) = staff_episode(app, staff, episode).await?;
    if let Some(b) = booking {
        let booked = app.store().booking(b).await.not_found_as("booking")?;
        if booked.client_id != Some(found.client_id) {
            return Err(AppError::field("unknown", "booking_id", "this booking is not the episode's client's"));
        }
    }
    let file = super::episodes::gather(app, found, client.name).await?;
    let last_note = file.notes.iter().find(|n| n.status == knead_core::records::NoteStatus::Signed).cloned();
    let plan = file.plans.first().cloned();
    let (precautions, _) = health_of(app, file.episode.client_id).await?;
    let adherence = super::episodes::adherence_since_last_note(&file);
    let which = booking.map_or_else(|| episode.to_string(), |b| format!("{episode}/booking:{}", b.0));
    record_read(app, Some(staff), Some(file.episode.client_id), "note_context", which).await?;
    Ok(NoteContext { episode: file, last_note, plan, precautions, adherence })
}

/// Changes some fields of a draft (a JSON object of `NoteInput` fields; the others keep their value); a
/// signed note is `Conflict { code: Signed, field: "status" }` whatever the changes say. One audit entry
/// (change).
pub async fn patch(app: &App, staff: &User, id: NoteId, changes: &serde_json::Value) -> AppResult<SoapNote> {
    let (note, _) = staff_note(app, staff, id).await?;
    if note.status == knead_core::records::NoteStatus::Signed {
        return Err(AppError::Conflict { code: ConflictCode::Signed, field: "status" });
    }
    let Some(changes) = changes.as_object() else {
        return Err(AppError::field("invalid", "body", "must be a JSON object of the fields to change"));
    };
    let mut merged = match serde_json::to_value(input_of(&note.content)) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => return Err(AppError::Internal("a note's content did not serialise as an object".into())),
    };
    for (key, value) in changes {
        merged.insert(key.clone(), value.clone());
    }
    let input: NoteInput = serde_json::from_value(serde_json::Value::Object(merged))
        .map_err(|e| AppError::field("invalid", "body", e.to_string()))?;
    update(app, staff, id, &input).await
}

/// A note's stored content as the input that would write it again.
pub fn input_of(content: &knead_core::records::note::NoteContent) -> NoteInput {
    NoteInput {
        booking_id: content.booking_id,
        subjective: content.subjective.clone(),
        objective: content.objective.clone(),
        assessment: content.assessment.clone(),
        plan: content.plan.clone(),
        areas_treated: content.areas_treated.clone(),
        techniques: content.techniques.clone(),
        pressure: content.pressure,
        response: content.response.clone(),
        self_care: content.self_care.clone(),
        referrals: content.referrals.clone(),
        started_at: content.started_at.to_string(),
        duration_minutes: content.duration_minutes,
    }
}
