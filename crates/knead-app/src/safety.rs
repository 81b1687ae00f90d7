//! Safety on home visits: checking in on arrival and out on leaving, the log, and the managers' view of a
//! day's home visits with the overdue ones flagged.
//!
//! Who may check in or out: the visit's own therapist, for themselves, or a manager on a therapist's behalf;
//! anyone else is told the visit does not exist. Only a confirmed home visit is checked in (a clinic has
//! people around; a cancelled or held visit is not happening), and a check-out needs the check-in first.
//! Times come from the app's clock, never from the caller. The check-in writes the managers' alert, due a
//! grace period after the visit's end ([`SafetyRule`]); the check-out skips it. The runner sends the alerts
//! (`notify::safety`).

use crate::{App, AppError, AppResult, ConflictCode};
use jiff::civil::Date;
use knead_core::booking::{Booking, BookingId, BookingStatus, Where};
use knead_core::calendar::{check_date, instant_of, local_date, local_day};
use knead_core::safety::{parse_note, CheckInput, CheckKind, NewCheck, Overdue, Presence, SafetyRule, VisitCheck};
use knead_core::{Role, TherapistId, User};
use knead_store::{BookingFilter, StoreError};

/// Checks `by` (the visit's therapist, or a manager for one) in at `booking`, now, writing the managers'
/// alert due a grace period after the visit's scheduled end.
pub async fn check_in(app: &App, by: &User, booking: BookingId, input: &CheckInput) -> AppResult<VisitCheck> {
    let (b, check) = new_check(app, by, booking, input, CheckKind::In).await?;
    let settings = app.store().practice_settings().await?;
    let alert = SafetyRule::new(settings.safety_grace_minutes).alert_job(check.therapist_id, b.end);
    let stored = app.store().check_in(&check, &[alert]).await.map_err(refused(CheckKind::In))?;
    tracing::info!(booking_id = b.id.0, therapist_id = check.therapist_id.0, "checked in");
    app.jobs_added();
    Ok(stored)
}

/// Checks out of `booking`, now: the visit's pending alerts are skipped. A 409 (`not_checked_in`) without a
/// check-in first.
pub async fn check_out(app: &App, by: &User, booking: BookingId, input: &CheckInput) -> AppResult<VisitCheck> {
    let (b, check) = new_check(app, by, booking, input, CheckKind::Out).await?;
    let stored = app.store().check_out(&check).await.map_err(refused(CheckKind::Out))?;
    tracing::info!(booking_id = b.id.0, therapist_id = check.therapist_id.0, "checked out");
    Ok(stored)
}

/// A visit's checks, oldest first, for staff who may see the visit.
pub async fn visit_checks(app: &App, viewer: &User, booking: BookingId) -> AppResult<Vec<VisitCheck>> {
    let b = visible(app, viewer, booking).await?;
    Ok(app.store().visit_checks(b.id).await?)
}

/// One therapist's part of a home visit, as the managers' safety page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitSafety {
    pub booking: Booking,
    pub therapist_id: TherapistId,
    pub presence: Presence,
    /// How late the check-out is now.
    pub overdue: Overdue,
    /// Started more than a grace period ago with no check-in yet: worth a call, though no alert is sent.
    pub no_check_in: bool,
    /// This therapist's checks at this visit, oldest first (with their notes).
    pub checks: Vec<VisitCheck>,
}

/// A day of home visits (managers): each confirmed home visit starting on `date` (the practice's today when
/// `None`), one line per therapist, by start; and the grace period the flags use.
pub async fn day(app: &App, date: Option<Date>) -> AppResult<(Date, SafetyRule, Vec<VisitSafety>)> {
    let settings = app.store().practice_settings().await?;
    let tz = settings.zone();
    let date = match date {
        Some(d) => check_date("date", d)?,
        None => local_date(tz, app.now()),
    };
    let span = local_day(tz, date);
    let (from, to) = (instant_of(span.origin), instant_of(span.end));
    let filter = BookingFilter { from, to, therapist: None, status: Some(BookingStatus::Confirmed) };
    let bookings = app.store().bookings_filtered(&filter).await?;
    let checks = app.store().checks_between(from, to).await?;
    let rule = SafetyRule::new(settings.safety_grace_minutes);
    let now = app.now();
    let mut out = Vec::new();
    for b in bookings.into_iter().filter(|b| matches!(b.place, Where::Mobile { .. })) {
        for t in b.therapist_ids() {
            let mine: Vec<VisitCheck> =
                checks.iter().filter(|c| c.booking_id == b.id && c.therapist_id == t).cloned().collect();
            let presence = Presence::of(&mine, t);
            out.push(VisitSafety {
                overdue: rule.overdue(presence, b.end, now),
                no_check_in: presence == Presence::NotCheckedIn && now >= rule.alert_at(b.start),
                presence,
                therapist_id: t,
                checks: mine,
                booking: b.clone(),
            });
        }
    }
    out.sort_by_key(|v| (v.booking.start, v.booking.id.0, v.therapist_id.0));
    Ok((date, rule, out))
}

/// Where the caller's own visit stands, for the therapist's check-in button: `None` when the caller is not
/// one of the visit's therapists (a manager sees every therapist's in the log instead).
pub async fn own_presence(app: &App, viewer: &User, booking: &Booking) -> AppResult<Option<Presence>> {
    if viewer.role != Role::Therapist {
        return Ok(None);
    }
    let Some(me) = app.store().therapist_for_user(viewer.id).await? else { return Ok(None) };
    if !booking.therapist_ids().contains(&me) {
        return Ok(None);
    }
    let checks = app.store().visit_checks(booking.id).await?;
    Ok(Some(Presence::of(&checks, me)))
}

/// Whether a booking is one whose visits are checked in and out: a confirmed home visit.
pub fn checkable(booking: &Booking) -> bool {
    booking.status == BookingStatus::Confirmed && matches!(booking.place, Where::Mobile { .. })
}

/// The booking, if `viewer` may see it as staff; "not found" otherwise, so ids reveal nothing.
async fn visible(app: &App, viewer: &User, booking: BookingId) -> AppResult<Booking> {
    crate::booking::staff_visible(app, booking, viewer).await?.ok_or(AppError::NotFound { what: "visit" })
}

/// The check to write: the visit's therapist (the caller, or the one a manager names), the note, now.
async fn new_check(
    app: &App,
    by: &User,
    booking: BookingId,
    input: &CheckInput,
    kind: CheckKind,
) -> AppResult<(Booking, NewCheck)> {
    let b = visible(app, by, booking).await?;
    let note = parse_note("note", input.note.as_deref())?;
    let named = input.therapist_id.map(TherapistId);
    let ours = b.therapist_ids();
    let therapist = match by.role {
        Role::Therapist => {
            // staff_visible let a therapist through only for a visit of theirs.
            let me = app.store().therapist_for_user(by.id).await?.ok_or(AppError::NotFound { what: "visit" })?;
            if named.is_some_and(|t| t != me) {
                return Err(AppError::field(
                    "not_allowed",
                    "therapist_id",
                    "a therapist checks in and out only for themselves",
                ));
            }
            me
        }
        _ => match (named, ours.as_slice()) {
            (Some(t), _) if ours.contains(&t) => t,
            (Some(_), _) => {
                return Err(AppError::field("invalid", "therapist_id", "must be one of this visit's therapists"));
            }
            (None, [only]) => *only,
            (None, _) => {
                return Err(AppError::field(
                    "required",
                    "therapist_id",
                    format!("this visit has {} therapists: name the one checking in or out", ours.len()),
                ));
            }
        },
    };
    if b.status != BookingStatus::Confirmed {
        return Err(AppError::Conflict { code: ConflictCode::NotCheckable, field: "status" });
    }
    if !matches!(b.place, Where::Mobile { .. }) {
        return Err(AppError::Conflict { code: ConflictCode::NotCheckable, field: "place" });
    }
    let check = NewCheck { booking_id: b.id, therapist_id: therapist, kind, at: app.now(), by: by.id, note };
    Ok((b, check))
}

/// The store's conflicts in the safety's own words: at a check-in, `check_in` is a second check-in; at a
/// check-out, `check_in` is the missing check-in and `check_out` a second check-out.
fn refused(kind: CheckKind) -> impl Fn(StoreError) -> AppError {
    move |e| match (kind, e) {
        (CheckKind::Out, StoreError::Conflict { field: "check_in" }) => {
            AppError::Conflict { code: ConflictCode::NotCheckedIn, field: "check_in" }
        }
        (_, StoreError::Conflict { field: field @ ("check_in" | "check_out") }) => {
            AppError::Conflict { code: ConflictCode::AlreadyChecked, field }
        }
        (_, other) => other.into(),
    }
}

#[cfg(test)]
mod tests;
