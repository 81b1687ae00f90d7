//! Staff actions on a booking: the times a manager can move it to, moving it, giving it to other therapists
//! the engine finds free, cancelling it, and who on the staff may see it.
//!
//! The caller (the web layer) has checked that `staff` is a manager. These are not bound by the client's notice
//! policy, but the engine's rules (grid, lead time, horizon, travel, rooms) hold as for any booking. Each records
//! what it changed (`BookingChange`) in the same transaction as the change: the client has to be told. No mail
//! is sent yet; the records are what the client's page shows and what a later notifier will send.

use super::{move_booking, same_team, Context, Offer, Who};
use crate::{App, AppError, AppResult};
use jiff::civil::Date;
use jiff::Timestamp;
use knead_core::booking::plan::search_request;
use knead_core::booking::{Booking, BookingChange, BookingId};
use knead_core::calendar::{check_date, end_minute_of, minute_of};
use knead_core::{Role, TherapistId, User};

/// Whether a booking can still be changed: active (confirmed, or held for a clearance), and not yet started.
pub fn changeable(app: &App, booking: &Booking) -> bool {
    booking.status.is_active() && booking.start > app.now()
}

/// The starts a staff member can move `booking` to on `date`, with the same therapists (its own visits do
/// not block them; its current start is left out).
pub async fn staff_times(app: &App, booking: &Booking, date: Date) -> AppResult<Offer> {
    check_date("date", date)?;
    let store = app.store();
    let now = app.now();
    let setup = app.calendar.setup(store).await?;
    let team = booking.therapist_ids();
    let location = booking.place.location();
    let who = Who::new(Some(team.as_slice()), None);
    let ctx = Context::new(store, &setup, booking.service_id, location, who, &[]).await?.keeping_length_of(booking);
    let dates = [date];
    let mut booked = ctx.booked(store, &dates).await?;
    for v in &booking.visits {
        booked.remove(v.therapist_id, minute_of(v.block_start));
    }
    let mut rooms = ctx.rooms(store, &dates).await?;
    if let Some(rooms) = &mut rooms {
        for v in booking.visits.iter().filter(|v| v.room_id.is_some()) {
            let block = (minute_of(v.block_start), end_minute_of(v.block_end));
            if let Some(at) = rooms.busy.iter().position(|b| *b == block) {
                rooms.busy.swap_remove(at);
            }
        }
    }
    let request = search_request(&ctx.service, &ctx.settings, ctx.at, &dates, rooms, now);
    let (slots, _) = ctx.search_booked(app, &request, &booked, &dates).await;
    let slots = slots.iter().filter(|s| s.start != minute_of(booking.start)).map(|s| ctx.offered(s)).collect();
    Ok(Offer { zone: ctx.settings.zone().clone(), slots })
}

/// Moves a booking to `start` with the same therapists, for a staff member; recorded for the client.
pub async fn staff_move(app: &App, booking: &Booking, start: Timestamp, staff: &User) -> AppResult<Booking> {
    staff_reschedule(app, booking, start, Some(booking.therapist_ids()), staff).await
}

/// Moves a booking to `start`, with `therapist_ids` or (when `None`) whoever the practice picks then, for a
/// staff member (the API's reschedule by a manager); what changed is recorded for the client.
pub async fn staff_reschedule(
    app: &App,
    booking: &Booking,
    start: Timestamp,
    therapist_ids: Option<Vec<TherapistId>>,
    staff: &User,
) -> AppResult<Booking> {
    move_booking(app, booking, start, therapist_ids, true, Some(staff.id)).await
}

/// Gives a booking to `therapist_ids` (as many as it has now) at the same time, for a staff member: the engine
/// checks them like any booking. Recorded for the client.
pub async fn reassign(
    app: &App,
    booking: &Booking,
    therapist_ids: Vec<TherapistId>,
    staff: &User,
) -> AppResult<Booking> {
    check_reassignment(booking, &therapist_ids)?;
    move_booking(app, booking, booking.start, Some(therapist_ids), true, Some(staff.id)).await
}

/// A reassignment names as many therapists as the booking has, and not the same ones.
pub fn check_reassignment(booking: &Booking, therapist_ids: &[TherapistId]) -> AppResult<()> {
    let now = booking.therapist_ids();
    if therapist_ids.len() != now.len() {
        return Err(AppError::field(
            "invalid",
            "therapist_ids",
            format!("this booking needs {} therapist(s)", now.len()),
        ));
    }
    if same_team(&now, therapist_ids) {
        return Err(AppError::field("invalid", "therapist_ids", "choose a therapist other than the visit's own"));
    }
    Ok(())
}

/// One therapist who can take over from another at the booking's time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    pub instead_of: TherapistId,
    pub by: TherapistId,
    /// The whole team with `by` in place of `instead_of`, as `reassign` takes it.
    pub team: Vec<TherapistId>,
}

/// Who can take over each of the booking's therapists at its time: only therapists the engine finds free
/// there (working, offering the service, with the travel it needs), as for a new booking.
pub async fn replacements(app: &App, booking: &Booking) -> AppResult<Vec<Replacement>> {
    let store = app.store();
    let now = app.now();
    let setup = app.calendar.setup(store).await?;
    let current = booking.therapist_ids();
    let mut out = Vec::new();
    for &instead_of in &current {
        for s in setup.schedules.iter().filter(|s| s.offers(booking.service_id) && !current.contains(&s.therapist_id)) {
            let team: Vec<TherapistId> =
                current.iter().map(|&t| if t == instead_of { s.therapist_id } else { t }).collect();
            let ctx = match Context::new(
                store,
                &setup,
                booking.service_id,
                booking.place.location(),
                // Only therapists of the gender the client asked for, if they asked.
                Who::new(Some(team.as_slice()), booking.therapist_gender),
                &[],
            )
            .await
            {
                Ok(ctx) => ctx.keeping_length_of(booking),
                Err(AppError::Invalid(_)) => continue,
                Err(e) => return Err(e),
            };
            match ctx.slot_at(app, booking.start, now, &booking.visits).await {
                Ok(_) => out.push(Replacement { instead_of, by: s.therapist_id, team }),
                Err(AppError::Unavailable(_)) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(out)
}

/// Cancels a booking for a staff member, whatever the notice; recorded for the client.
pub async fn staff_cancel(app: &App, booking: &Booking, staff: &User) -> AppResult<Booking> {
    super::cancel_now(app, booking, Some(staff.id)).await
}

/// What staff changed about a booking, oldest first: what its client is to be told.
pub async fn changes(app: &App, booking_id: BookingId) -> AppResult<Vec<BookingChange>> {
    Ok(app.store().booking_changes(booking_id).await?)
}

/// The booking with this id if `user` may see it as staff: a manager any booking, a therapist only one with a
/// visit of theirs. `Ok(None)` otherwise (and for an unknown id), so whether it exists is not told.
pub async fn staff_visible(app: &App, id: BookingId, user: &User) -> AppResult<Option<Booking>> {
    let booking = match app.store().booking(id).await {
        Ok(b) => b,
        Err(knead_store::StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let allowed = match user.role {
        Role::Manager => true,
        Role::Therapist => match app.store().therapist_for_user(user.id).await? {
            Some(me) => booking.visits.iter().any(|v| v.therapist_id == me),
            None => false,
        },
        Role::Client => false,
    };
    Ok(allowed.then_some(booking))
}
