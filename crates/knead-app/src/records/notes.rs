//! SOAP notes: drafts, signing, amendments, and the context a note is written in.

use super::episodes::EpisodeFile;
use crate::{App, AppResult};
use knead_core::booking::BookingId;
use knead_core::intake::Precaution;
use knead_core::records::exercises::Adherence;
use knead_core::records::{AmendmentInput, EpisodeId, NoteId, NoteInput, SoapNote, TreatmentPlan};
use knead_core::User;

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

/// A new draft on an episode. One audit entry (create).
pub async fn start(app: &App, staff: &User, episode: EpisodeId, input: &NoteInput) -> AppResult<SoapNote> {
    let _ = (app, staff, episode, input);
    todo!("app: start note")
}

/// Replaces a draft's content; a signed note is `Conflict { code: Signed, field: "status" }`. One audit
/// entry (change).
pub async fn update(app: &App, staff: &User, id: NoteId, input: &NoteInput) -> AppResult<SoapNote> {
    let _ = (app, staff, id, input);
    todo!("app: update note")
}

/// Signs a draft: locked from then on. Only its author (or a manager) signs. One audit entry (change).
pub async fn sign(app: &App, staff: &User, id: NoteId) -> AppResult<SoapNote> {
    let _ = (app, staff, id);
    todo!("app: sign note")
}

/// Amends a signed note: a new signed version linked to it, with who, when and why. One audit entry
/// (create).
pub async fn amend(app: &App, staff: &User, id: NoteId, input: &AmendmentInput) -> AppResult<SoapNote> {
    let _ = (app, staff, id, input);
    todo!("app: amend note")
}

/// A note and all its versions. One audit entry (read).
pub async fn get(app: &App, viewer: &User, id: NoteId) -> AppResult<NoteHistory> {
    let _ = (app, viewer, id);
    todo!("app: note")
}

/// The therapist's drafts older than 24 hours (every therapist's for a manager), oldest first. Not audited
/// (the dashboard lists dates and clients, not contents).
pub async fn overdue_drafts(app: &App, staff: &User) -> AppResult<Vec<SoapNote>> {
    let _ = (app, staff);
    todo!("app: overdue drafts")
}

/// The context for writing a note on an episode (optionally for a booked visit). One audit entry (read).
pub async fn context(
    app: &App,
    staff: &User,
    episode: EpisodeId,
    booking: Option<BookingId>,
) -> AppResult<NoteContext> {
    let _ = (app, staff, episode, booking);
    todo!("app: note context")
}
