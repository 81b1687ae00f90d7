//! Intake and triage: the red-flag screening, health-history versions, clearances, the visit sheet, and the
//! audit log every read and change of health information writes to.
//!
//! SKELETON: signatures agreed for issue 10; the app work fills in every body.

use crate::{App, AppResult};
use knead_core::booking::{Booking, BookingId};
use knead_core::intake::{
    Assessment, AuditEntry, Clearance, ClearanceInput, Client, ClientId, IntakeInput, IntakeVersion, Precaution,
    ScreeningId, ScreeningInput, ScreeningRecord,
};
use knead_core::User;

/// Screens answers (a guest in the booking flow, a signed-in client, or staff with a client): a 422 names
/// every unanswered or invalid field; otherwise the screening is stored (an emergency too: the attempt is
/// kept for the practice) and returned. A signed-in client's screening is theirs at once.
pub async fn screen(app: &App, by: Option<&User>, input: &ScreeningInput) -> AppResult<ScreeningRecord> {
    let _ = (app, by, input);
    todo!("screen")
}

/// A screening, for staff (a therapist: their own clients') or the client it belongs to; `NotFound` for
/// anyone else. One audit entry.
pub async fn screening(app: &App, viewer: &User, id: &ScreeningId) -> AppResult<ScreeningRecord> {
    let _ = (app, viewer, id);
    todo!("screening")
}

/// Adds a version of a client's health history: by the client themselves, by staff, or (`by` = None) from a
/// guest's booking form for the client that booking resolved to. One audit entry (create).
pub async fn submit(app: &App, by: Option<&User>, client: ClientId, input: &IntakeInput) -> AppResult<IntakeVersion> {
    let _ = (app, by, client, input);
    todo!("submit")
}

/// Every version of a client's health history, newest first, for staff (a therapist: their own clients) or
/// the client themselves. One audit entry.
pub async fn versions(app: &App, viewer: &User, client: ClientId) -> AppResult<Vec<IntakeVersion>> {
    let _ = (app, viewer, client);
    todo!("versions")
}

/// The latest health history of the signed-in client, to review at a later booking. One audit entry when
/// there is one.
pub async fn latest_own(app: &App, user: &User) -> AppResult<Option<IntakeVersion>> {
    let _ = (app, user);
    todo!("latest_own")
}

/// Staff record a physician's clearance for a booking awaiting one; the booking becomes confirmed. A
/// booking not awaiting clearance is `Conflict { field: "status" }`. One audit entry (create).
pub async fn clear(app: &App, staff: &User, booking: BookingId, input: &ClearanceInput) -> AppResult<Booking> {
    let _ = (app, staff, booking, input);
    todo!("clear")
}

/// What a therapist needs before a visit, precautions first. One audit entry.
#[derive(Debug, Clone)]
pub struct VisitSheet {
    pub booking: Booking,
    pub client: Client,
    /// Strictest first; from the latest health history, the reason and the screening.
    pub precautions: Vec<Precaution>,
    /// The booking's screening: what it found, and when.
    pub screening: Option<ScreeningRecord>,
    /// The latest health history (consent state, other care), if one was given.
    pub intake: Option<IntakeVersion>,
    /// The clearance, for a booking that waited for one.
    pub clearance: Option<Clearance>,
}

/// The visit sheet of a booking, for its therapists and managers (`NotFound` for anyone else).
pub async fn visit_sheet(app: &App, viewer: &User, booking: BookingId) -> AppResult<VisitSheet> {
    let _ = (app, viewer, booking);
    todo!("visit_sheet")
}

/// The precautions a booking carries now (its client's latest history, its reason, its screening), without
/// an audit entry: for the booking use case and the staff lists, which show only the categories.
pub async fn precautions_for(app: &App, booking: &Booking) -> AppResult<Vec<Precaution>> {
    let _ = (app, booking);
    todo!("precautions_for")
}

/// The screening's assessment a booking is held or advised on, for its confirmation.
pub fn advice(screening: Option<&ScreeningRecord>) -> Option<&Assessment> {
    screening.map(|s| &s.assessment)
}

/// The newest audit entries (a manager's view), optionally for one client. Viewing is itself recorded.
pub async fn audit_log(app: &App, manager: &User, client: Option<ClientId>, limit: i64) -> AppResult<Vec<AuditEntry>> {
    let _ = (app, manager, client, limit);
    todo!("audit_log")
}

/// The whole log as CSV (id, at, actor, client, action, record, record_id, prev_hash, hash), oldest first.
/// The export is itself recorded.
pub async fn export_audit(app: &App, manager: &User) -> AppResult<String> {
    let _ = (app, manager);
    todo!("export_audit")
}

/// What checking the chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditCheck {
    /// Every entry follows the one before it; how many there are.
    Intact { entries: i64 },
    /// The first entry that does not follow, and why.
    Broken(knead_core::intake::audit::Broken),
}

/// Walks the whole chain in pages.
pub async fn verify_audit(app: &App) -> AppResult<AuditCheck> {
    let _ = app;
    todo!("verify_audit")
}
