//! Cancelling a booking: its visits free their time at once, a staff member's cancellation is recorded for the
//! client, and the pending reminders are skipped, all in one transaction.

use super::booking::{locked_booking, one_booking, BOOKING_BY_ID};
use super::{Locks, SqlDatabase};
use crate::{StoreError, StoreResult};
use jiff::Timestamp;
use knead_core::booking::{Booking, BookingId};
use knead_core::notify::NewJob;
use knead_core::UserId;

/// A second cancellation changes nothing, the revision included.
const CANCEL_BOOKING: &str = "update bookings set status = 'cancelled', cancelled_at = coalesce(cancelled_at, $2), \
     revision = revision + case when status = 'cancelled' then 0 else 1 end where id = $1";
const DEACTIVATE_VISITS: &str = "update visits set active = false where booking_id = $1";
const INSERT_CANCELLED: &str =
    "insert into booking_changes (booking_id, changed_at, changed_by, kind) values ($1, $2, $3, 'cancelled')";

/// Cancels a booking; a staff member's cancellation of a confirmed booking is recorded with it.
pub(super) async fn cancel<D: SqlDatabase>(
    db: &D,
    id: BookingId,
    now: Timestamp,
    staff: Option<UserId>,
    jobs: &[NewJob],
) -> StoreResult<Booking> {
    let mut tx = db.write(&Locks::none()).await?;
    let before = locked_booking(&mut *tx, id).await?;
    if tx.execute(CANCEL_BOOKING, &[id.into(), now.into()]).await? == 0 {
        return Err(StoreError::NotFound);
    }
    tx.execute(DEACTIVATE_VISITS, &[id.into()]).await?;
    // Only the cancellation itself is recorded and told: a second one changes nothing.
    if before.status.is_active() {
        if staff.is_some() {
            tx.execute(INSERT_CANCELLED, &[id.into(), now.into(), staff.into()]).await?;
        }
        super::notify::skip_reminders(&mut *tx, id, "the booking was cancelled", now).await?;
        super::notify::insert_jobs(&mut *tx, Some(id), jobs, now).await?;
    }
    let booking = one_booking(tx.query(BOOKING_BY_ID, &[id.into()]).await?)?;
    tx.commit().await?;
    Ok(booking)
}
