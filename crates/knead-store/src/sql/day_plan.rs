//! A day's re-plan written in one transaction: every booking checked at the revision it was planned from, every
//! moving visit taken off the calendar, then each move written with the core's re-check on fresh stops, its
//! change recorded and its messages queued. One refusal writes nothing.

use super::booking::{
    again, check_and_insert_visits, locked_booking, one_booking, record_move, refusal, Failure, BOOKING_BY_ID,
    DELETE_VISITS, MOVE_BOOKING,
};
use super::{Locks, SqlDatabase};
use crate::{BookingError, PlannedMove};
use knead_core::booking::{Booking, Unavailable};
use knead_core::{TherapistId, UserId};

pub(super) async fn apply<D: SqlDatabase>(
    db: &D,
    moves: &[PlannedMove<'_>],
    staff: UserId,
) -> Result<Vec<Booking>, BookingError> {
    // The therapists who receive visits are locked, in key order, before anything is read; the ones who only
    // lose visits need no lock (freeing time never breaks anyone's day).
    let mut therapists: Vec<TherapistId> =
        moves.iter().flat_map(|m| m.to.visits.iter().map(|v| v.therapist_id)).collect();
    therapists.sort();
    therapists.dedup();
    let locks = Locks { therapists, clinic: None, audit: false };
    let mut attempt = 1;
    loop {
        match try_apply(db, moves, staff, &locks).await {
            Ok(bookings) => return Ok(bookings),
            Err(Failure::Refused(e)) => return Err(e),
            Err(Failure::Db(e)) if again(&e, attempt, false) => attempt += 1,
            Err(Failure::Db(e)) => return Err(refusal(e)),
        }
    }
}

async fn try_apply<D: SqlDatabase>(
    db: &D,
    moves: &[PlannedMove<'_>],
    staff: UserId,
    locks: &Locks,
) -> Result<Vec<Booking>, Failure> {
    let mut tx = db.write(locks).await?;
    let mut before = Vec::with_capacity(moves.len());
    for m in moves {
        let booking = locked_booking(&mut *tx, m.id).await?;
        if booking.revision != m.revision || !booking.status.is_active() {
            return Err(Unavailable::ChangedSincePlanned.into());
        }
        before.push(booking);
    }
    // All of them first: in a re-plan one visit often takes the time another is leaving.
    for m in moves {
        tx.execute(DELETE_VISITS, &[m.id.into()]).await?;
    }
    let mut after = Vec::with_capacity(moves.len());
    for (m, before) in moves.iter().zip(&before) {
        let to = &m.to;
        let params = [m.id.into(), to.start.into(), to.end.into(), to.travel_fee_cents.into()];
        if tx.execute(MOVE_BOOKING, &params).await? == 0 {
            return Err(Unavailable::ChangedSincePlanned.into());
        }
        check_and_insert_visits(&mut *tx, m.id.0, to, m.rule).await?;
        let booking = one_booking(tx.query(BOOKING_BY_ID, &[m.id.into()]).await?)?;
        record_move(&mut *tx, before, &booking, to.created_at, Some(staff)).await?;
        super::notify::skip_reminders(&mut *tx, m.id, "the visit moved", to.created_at).await?;
        super::notify::insert_jobs(&mut *tx, Some(m.id), &to.jobs, to.created_at).await?;
        after.push(booking);
    }
    tx.commit().await?;
    Ok(after)
}
