//! Intake and triage: the red-flag screening, health-history versions, clearances, the visit sheet, and the
//! audit log every read and change of health information writes to.
//!
//! Every read of health information by a person leaves exactly one audit entry (a file is one read, not one
//! per section); every change is written with its entry in one transaction by the store. What the booking
//! use case reads to decide a booking's gate is not a person's read and is not recorded.

use crate::clients::{may_see, own_record, record_read, therapist_of};
use crate::{App, AppError, AppResult, NotFoundAs};
use knead_core::booking::{Booking, BookingId};
use knead_core::intake::audit::{verify, GENESIS};
use knead_core::intake::{
    assess, precautions, Action, Assessment, AuditEntry, AuditEvent, Clearance, ClearanceInput, Client, ClientId,
    HealthHistory, IntakeInput, IntakeVersion, Precaution, ScreeningId, ScreeningInput, ScreeningRecord,
};
use knead_core::{Role, User};
use rand::RngCore;

/// A fresh screening id: 128 random bits as 32 lowercase hex characters, from the same generator as
/// [`crate::accounts::random_secret`]; a guest's screening is found only by whoever holds it.
fn new_screening_id() -> ScreeningId {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    ScreeningId(hex::encode(bytes))
}

fn create_event(
    app: &App,
    by: Option<&User>,
    client: Option<ClientId>,
    record: &'static str,
    id: String,
) -> AuditEvent {
    AuditEvent { at: app.now(), actor: by.map(|u| u.id), client, action: Action::Create, record, record_id: id }
}

/// Screens answers (a guest in the booking flow, a signed-in client, or staff with a client): a 422 names
/// every unanswered or invalid field; otherwise the screening is stored (an emergency too: the attempt is
/// kept for the practice) and returned. A signed-in client's screening is theirs at once.
pub async fn screen(app: &App, by: Option<&User>, input: &ScreeningInput) -> AppResult<ScreeningRecord> {
    let answers = input.validate()?;
    let settings = app.store().practice_settings().await?;
    let assessment = assess(&answers, &settings.screening);
    let client = match by.filter(|u| u.role == Role::Client) {
        Some(user) => Some(own_record(app, user).await?.id),
        None => None,
    };
    let record =
        ScreeningRecord { id: new_screening_id(), answers, assessment, client, booking: None, created_at: app.now() };
    let event = create_event(app, by, client, "screening", record.id.0.clone());
    app.store().save_screening(&record, &event).await?;
    tracing::info!(level = record.assessment.level.as_str(), "screening recorded");
    Ok(record)
}

/// Whether `viewer` may read a screening: managers any; a therapist one of their own clients' (or made for a
/// booking of theirs); a client their own. A screening no booking or client has claimed is the practice's.
async fn may_read_screening(app: &App, viewer: &User, s: &ScreeningRecord) -> AppResult<bool> {
    if viewer.role == Role::Manager {
        return Ok(true);
    }
    if let Some(client) = s.client {
        let client = app.store().client(client).await.not_found_as("screening")?;
        if may_see(app, viewer, &client).await? {
            return Ok(true);
        }
    }
    if let (Some(booking), Some(me)) = (s.booking, therapist_of(app, viewer).await?) {
        let booking = app.store().booking(booking).await.not_found_as("screening")?;
        return Ok(booking.visits.iter().any(|v| v.therapist_id == me));
    }
    Ok(false)
}

/// A screening, for staff (a therapist: their own clients') or the client it belongs to; `NotFound` for
/// anyone else. One audit entry.
pub async fn screening(app: &App, viewer: &User, id: &ScreeningId) -> AppResult<ScreeningRecord> {
    let record = app.store().screening(id).await.not_found_as("screening")?;
    if !may_read_screening(app, viewer, &record).await? {
        return Err(AppError::NotFound { what: "screening" });
    }
    record_read(app, Some(viewer), record.client, "screening", record.id.0.clone()).await?;
    Ok(record)
}

/// Adds a version of a client's health history: by the client themselves, by staff, or (`by` = None) from a
/// guest's booking form for the client that booking resolved to. One audit entry (create).
///
/// `by` = None trusts the caller to have resolved the client from the booking being made: never pass it
/// for a request that names a client by id.
pub async fn submit(app: &App, by: Option<&User>, client: ClientId, input: &IntakeInput) -> AppResult<IntakeVersion> {
    let history = input.validate()?;
    let record = app.store().client(client).await.not_found_as("client")?;
    if let Some(user) = by {
        if !may_see(app, user, &record).await? {
            return Err(AppError::NotFound { what: "client" });
        }
    }
    add_version(app, by, client, &history).await
}

/// Stores a validated history as the client's next version (the booking use case's path: it resolved the
/// client itself).
pub(crate) async fn add_version(
    app: &App,
    by: Option<&User>,
    client: ClientId,
    history: &HealthHistory,
) -> AppResult<IntakeVersion> {
    let store = app.store();
    // The version the store will give it, for the entry; the store numbers it under its own lock.
    let next = store.intakes(client).await?.first().map_or(1, |v| v.version + 1);
    let event = create_event(app, by, Some(client), "intake", next.to_string());
    Ok(store.add_intake(client, history, by.map(|u| u.id), app.now(), &event).await?)
}

/// Every version of a client's health history, newest first, for staff (a therapist: their own clients) or
/// the client themselves. One audit entry.
pub async fn versions(app: &App, viewer: &User, client: ClientId) -> AppResult<Vec<IntakeVersion>> {
    crate::clients::visible(app, viewer, client).await?;
    let all = app.store().intakes(client).await?;
    let ids = all.iter().map(|v| v.version.to_string()).collect::<Vec<_>>().join(",");
    record_read(app, Some(viewer), Some(client), "intake", ids).await?;
    Ok(all)
}

/// The latest health history of the signed-in client, to review at a later booking. One audit entry when
/// there is one.
pub async fn latest_own(app: &App, user: &User) -> AppResult<Option<IntakeVersion>> {
    let me = own_record(app, user).await?;
    let latest = app.store().intakes(me.id).await?.into_iter().next();
    if let Some(v) = &latest {
        record_read(app, Some(user), Some(me.id), "intake", v.version.to_string()).await?;
    }
    Ok(latest)
}

/// Whether `staff` may act on this booking as its clinician: a manager, or one of its therapists.
async fn is_booking_staff(app: &App, staff: &User, booking: &Booking) -> AppResult<bool> {
    Ok(match staff.role {
        Role::Manager => true,
        Role::Therapist => match therapist_of(app, staff).await? {
            Some(me) => booking.visits.iter().any(|v| v.therapist_id == me),
            None => false,
        },
        Role::Client => false,
    })
}

/// Staff record a physician's clearance for a booking awaiting one; the booking becomes confirmed. A
/// booking not awaiting clearance is `Conflict { field: "status" }`. One audit entry (create).
pub async fn clear(app: &App, staff: &User, booking: BookingId, input: &ClearanceInput) -> AppResult<Booking> {
    let found = app.store().booking(booking).await.not_found_as("booking")?;
    if !is_booking_staff(app, staff, &found).await? {
        return Err(AppError::NotFound { what: "booking" });
    }
    let (cleared_by, note) = input.validate()?;
    let clearance = Clearance { booking_id: booking, cleared_by, note, recorded_by: staff.id, recorded_at: app.now() };
    let event = create_event(app, Some(staff), found.client_id, "clearance", booking.0.to_string());
    let told = [knead_core::notify::NewJob::now(knead_core::notify::JobKind::ClearanceGiven, app.now())];
    let confirmed = app.store().record_clearance(&clearance, &event, &told).await?;
    app.jobs_added();
    Ok(confirmed)
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
    let store = app.store();
    let found = store.booking(booking).await.not_found_as("booking")?;
    if !is_booking_staff(app, viewer, &found).await? {
        return Err(AppError::NotFound { what: "booking" });
    }
    let client_id = found.client_id.ok_or(AppError::NotFound { what: "client" })?;
    let client = store.client(client_id).await.not_found_as("client")?;
    let (intake, screening) = health_of(app, &found).await?;
    let precautions = precautions(intake.as_ref().map(|v| &v.history), found.reason, advice(screening.as_ref()));
    let clearance = store.clearance(booking).await?;
    record_read(app, Some(viewer), Some(client_id), "visit_sheet", booking.0.to_string()).await?;
    Ok(VisitSheet { booking: found, client, precautions, screening, intake, clearance })
}

/// A booking's client's latest health history and the booking's screening.
async fn health_of(app: &App, booking: &Booking) -> AppResult<(Option<IntakeVersion>, Option<ScreeningRecord>)> {
    let store = app.store();
    let intake = match booking.client_id {
        Some(c) => store.intakes(c).await?.into_iter().next(),
        None => None,
    };
    let screening = match &booking.screening_id {
        Some(id) => match store.screening(id).await {
            Ok(s) => Some(s),
            Err(knead_store::StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    Ok((intake, screening))
}

/// The precautions a booking carries now (its client's latest history, its reason, its screening), without
/// an audit entry: for the booking use case and the staff lists, which show only the categories.
pub async fn precautions_for(app: &App, booking: &Booking) -> AppResult<Vec<Precaution>> {
    let (intake, screening) = health_of(app, booking).await?;
    Ok(precautions(intake.as_ref().map(|v| &v.history), booking.reason, advice(screening.as_ref())))
}

/// The screening's assessment a booking is held or advised on, for its confirmation.
pub fn advice(screening: Option<&ScreeningRecord>) -> Option<&Assessment> {
    screening.map(|s| &s.assessment)
}

fn managers_only(user: &User) -> AppResult<()> {
    if user.role == Role::Manager {
        Ok(())
    } else {
        Err(AppError::NotFound { what: "audit log" })
    }
}

/// The most entries one view shows.
pub const MAX_AUDIT_VIEW: i64 = 1000;

/// The newest audit entries (a manager's view), optionally for one client. Viewing is itself recorded.
pub async fn audit_log(app: &App, manager: &User, client: Option<ClientId>, limit: i64) -> AppResult<Vec<AuditEntry>> {
    managers_only(manager)?;
    let entries = app.store().recent_audit(client, limit.clamp(1, MAX_AUDIT_VIEW)).await?;
    let which = client.map_or_else(|| "all".to_string(), |c| c.0.to_string());
    record_read(app, Some(manager), client, "audit_log", which).await?;
    Ok(entries)
}

/// How many entries are read at once when walking the whole log.
const AUDIT_PAGE: i64 = 1000;

/// The whole log as CSV (id, at, actor, client, action, record, record_id, prev_hash, hash), oldest first.
/// The export is itself recorded.
pub async fn export_audit(app: &App, manager: &User) -> AppResult<String> {
    managers_only(manager)?;
    export(app, Some(manager)).await
}

/// The same export for the server's operator at the command line (`knead audit export`), recorded with no
/// user as its actor.
pub async fn export_audit_by_operator(app: &App) -> AppResult<String> {
    export(app, None).await
}

async fn export(app: &App, by: Option<&User>) -> AppResult<String> {
    let event = AuditEvent {
        at: app.now(),
        actor: by.map(|u| u.id),
        client: None,
        action: Action::Export,
        record: "audit_log",
        record_id: "all".into(),
    };
    // Recorded first, so the export holds its own entry.
    app.store().record_access(&event).await?;
    audit_csv(app).await
}

/// Every entry as CSV, oldest first.
async fn audit_csv(app: &App) -> AppResult<String> {
    let mut out = String::from("id,at,actor,client,action,record,record_id,prev_hash,hash\n");
    let mut after = 0;
    loop {
        let page = app.store().audit_entries(after, AUDIT_PAGE).await?;
        for e in &page {
            let fields = [
                e.id.to_string(),
                e.at.to_string(),
                e.actor.map_or(String::new(), |u| u.0.to_string()),
                e.client.map_or(String::new(), |c| c.0.to_string()),
                e.action.as_str().to_string(),
                e.record.clone(),
                e.record_id.clone(),
                e.prev_hash.clone(),
                e.hash.clone(),
            ];
            out.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
            out.push('\n');
        }
        match page.last() {
            Some(last) if page.len() as i64 == AUDIT_PAGE => after = last.id,
            _ => return Ok(out),
        }
    }
}

/// A CSV field, quoted when it holds a separator, a quote or a line break; a leading formula character is
/// defused so a spreadsheet shows the text rather than running it.
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_string() };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
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
    let mut prev = GENESIS.to_string();
    let (mut after, mut entries) = (0, 0);
    loop {
        let page = app.store().audit_entries(after, AUDIT_PAGE).await?;
        match verify(&prev, &page) {
            Ok(last) => prev = last,
            Err(broken) => return Ok(AuditCheck::Broken(broken)),
        }
        entries += page.len() as i64;
        match page.last() {
            Some(last) if page.len() as i64 == AUDIT_PAGE => after = last.id,
            _ => return Ok(AuditCheck::Intact { entries }),
        }
    }
}

/// Screenings that reached `emergency` since `since`, newest first: attempts that made no booking, kept
/// for the practice, on the manager's dashboard. One audit entry when there are any (their ids).
pub async fn emergency_attempts(app: &App, manager: &User, since: jiff::Timestamp) -> AppResult<Vec<ScreeningRecord>> {
    managers_only(manager)?;
    let found = app.store().emergency_screenings(since).await?;
    if !found.is_empty() {
        let ids = found.iter().map(|s| s.id.0.as_str()).collect::<Vec<_>>().join(",");
        record_read(app, Some(manager), None, "screening", ids).await?;
    }
    Ok(found)
}

#[cfg(test)]
mod tests;
