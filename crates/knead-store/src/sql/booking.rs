//! Bookings over SQL: writing them under the booking locks with the core's re-check on fresh data, the overlap
//! backstops, the idempotency replay and the retry loop (reading them is in `booking_rows`).

use super::{returned_id, DbError, DbErrorKind, Locks, OverlapRule, Param, SqlDatabase, SqlTransaction};
use crate::{BookingError, Created, StoreError, StoreResult};
use jiff::{SignedDuration, Timestamp};
use knead_core::booking::{
    Booking, BookingId, BookingStatus, NamedTherapist, NewBooking, RoomId, Unavailable, Visit, Where,
};
use knead_core::events::{GuestVisit, NewChairDay};
use knead_core::schedule::{DayRule, Stop, NEIGHBOUR_MARGIN_MINUTES};
use knead_core::{Gender, TherapistId, UserId};

use super::booking_rows::{as_written, kept};
pub(super) use super::booking_rows::{
    booking_select, one_booking, point, read_booking_list, read_bookings, read_stop, BOOKING_BY_ID, BOOKING_BY_KEY,
    BOOKING_BY_MANAGE_TOKEN, CLIENT_BOOKINGS, THERAPIST_BOOKINGS,
};

/// A held booking is `confirmed` with `awaiting_clearance` set (see migration 0010).
const INSERT_BOOKING: &str = "insert into bookings (service_id, status, starts_at, ends_at, lat, lon, address, \
     clinic_id, client_name, client_email, client_phone, client_user_id, price_cents, travel_fee_cents, \
     manage_token_hash, idempotency_key, request_fingerprint, created_at, awaiting_clearance, client_id, reason, \
     screening_id, add_ons, notes, series_id, arrive_from, arrive_until, therapists_named, therapist_gender) \
     values ($1, 'confirmed', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, \
     $20, $21, $22, $23, $24, $25, $26, $27, $28) returning id";
/// The screening a booking was made with now names it, and its client if it had none.
const LINK_SCREENING: &str = "update screenings set booking_id = $1, client_id = coalesce(client_id, $2) where id = $3";
const CLINIC_PLACE: &str = "select id, lat, lon from clinics where id = $1";
const THERAPIST_STOPS: &str = "select id, block_start, block_end, lat, lon from visits \
     where active and therapist_id = $1 and block_start < $3 and $2 < block_end order by block_start";
/// The clinic's rooms free over `[$2, $3)`; none when the clinic is archived (it takes no new bookings) or the
/// room was removed.
const FREE_ROOMS: &str = "select r.id from rooms r join clinics c on c.id = r.clinic_id \
     where r.clinic_id = $1 and not r.archived and not c.archived and not exists (select 1 from visits v \
     where v.active and v.room_id = r.id and v.block_start < $3 and $2 < v.block_end) order by r.id";
const INSERT_VISIT: &str = "insert into visits (booking_id, therapist_id, room_id, block_start, block_end, lat, lon, \
     travel_before_min, travel_after_min, active) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, true)";
/// Taking the booking's row lock first queues a concurrent cancel or move of it behind this one, and the
/// status test runs on the row as it is once the lock is held.
pub(super) const MOVE_BOOKING: &str = "update bookings set starts_at = $2, ends_at = $3, travel_fee_cents = $4, \
     revision = revision + 1 where id = $1 and status = 'confirmed'";
const BOOKING_STATUS: &str = "select status from bookings where id = $1";
pub(super) const DELETE_VISITS: &str = "delete from visits where booking_id = $1";

/// Taking the booking's row lock (PostgreSQL) before reading it, so the state a change record starts from is
/// the one the change replaces, not one a concurrent change is replacing. SQLite's write lock covers it already.
const LOCK_BOOKING: &str = "update bookings set status = status where id = $1";
const THERAPIST_NAME: &str = "select id, name from therapists where id = $1";
const INSERT_MOVED: &str = "insert into booking_changes (booking_id, changed_at, changed_by, kind, from_start, \
     to_start) values ($1, $2, $3, 'moved', $4, $5)";
const INSERT_REASSIGNED: &str = "insert into booking_changes (booking_id, changed_at, changed_by, kind, \
     from_therapists, to_therapists) values ($1, $2, $3, 'reassigned', $4, $5)";

/// How often a booking transaction runs before a serialization failure or deadlock is given up on.
const ATTEMPTS: u32 = 5;

/// Why a booking transaction stopped: a database error kept whole, so that once the transaction is gone
/// it can be retried or answered by its kind, or an answer already final.
pub(super) enum Failure {
    Db(DbError),
    Refused(BookingError),
}

impl From<DbError> for Failure {
    fn from(e: DbError) -> Failure {
        Failure::Db(e)
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Failure {
        Failure::Refused(BookingError::Store(e))
    }
}

impl From<Unavailable> for Failure {
    fn from(why: Unavailable) -> Failure {
        Failure::Refused(BookingError::Unavailable(why))
    }
}

/// The answer for a database error that is not retried: an overlap backstop says whose time was taken.
pub(super) fn refusal(e: DbError) -> BookingError {
    match e.kind() {
        DbErrorKind::Overlap(OverlapRule::Therapist) => BookingError::Unavailable(Unavailable::TherapistBusy),
        DbErrorKind::Overlap(OverlapRule::Room) => BookingError::Unavailable(Unavailable::NoRoomFree),
        _ => BookingError::Store(e.into()),
    }
}

/// Whether a concurrent request with the same idempotency key committed first. PostgreSQL names the
/// constraint; SQLite names none, and the key is the booking insert's only unique rule a client chooses.
fn key_taken(e: &DbError, b: &NewBooking) -> bool {
    match e.kind() {
        DbErrorKind::UniqueViolation { constraint: Some(name) } => name == "bookings_idempotency_key",
        DbErrorKind::UniqueViolation { constraint: None } => b.idempotency_key.is_some(),
        _ => false,
    }
}

/// Whether a failed attempt runs again: a serialization failure or deadlock, or a lost race for the
/// idempotency key whose winner is gone after all, up to `ATTEMPTS` runs in all.
pub(super) fn again(e: &DbError, attempt: u32, lost_key_race: bool) -> bool {
    let again = (lost_key_race || *e.kind() == DbErrorKind::Retry) && attempt < ATTEMPTS;
    if again {
        // The kind only (a SQLSTATE's meaning or a constraint name), never the booking's contents.
        tracing::debug!(kind = %e.kind(), attempt, "booking transaction retried");
    }
    again
}

/// After a concurrent request with the same key won the insert: its booking, if it is the same request;
/// `None` when it is gone (rolled back after all), so the caller tries again.
async fn replay<D: SqlDatabase>(db: &D, b: &NewBooking) -> Result<Option<Booking>, BookingError> {
    let Some(key) = &b.idempotency_key else { return Ok(None) };
    match read_bookings(db.query(BOOKING_BY_KEY, &[key.into()]).await.map_err(StoreError::from)?)?.pop() {
        None => Ok(None),
        Some((booking, fingerprint)) if fingerprint == b.request_fingerprint => Ok(Some(booking)),
        Some(_) => Err(BookingError::KeyReused),
    }
}

pub(super) async fn create<D: SqlDatabase>(
    db: &D,
    b: &NewBooking,
    rule: &dyn DayRule,
) -> Result<Created, BookingError> {
    create_with(db, b, rule, Beside::Nothing).await
}

/// What a group booking writes beside its booking, in the same transaction.
#[derive(Clone, Copy)]
pub(super) enum Beside<'a> {
    Nothing,
    ChairDay(&'a NewChairDay),
    Party(&'a [GuestVisit]),
}

/// `create`, writing `beside` with the booking in the same transaction.
pub(super) async fn create_with<D: SqlDatabase>(
    db: &D,
    b: &NewBooking,
    rule: &dyn DayRule,
    beside: Beside<'_>,
) -> Result<Created, BookingError> {
    let locks = Locks::for_booking(b);
    let mut attempt = 1;
    loop {
        let e = match try_create(db, b, rule, &locks, beside).await {
            Ok(created) => return Ok(created),
            Err(Failure::Refused(e)) => return Err(e),
            Err(Failure::Db(e)) => e,
        };
        let lost_key_race = key_taken(&e, b);
        if lost_key_race {
            if let Some(booking) = replay(db, b).await? {
                return Ok(Created::Replayed(booking));
            }
        }
        if !again(&e, attempt, lost_key_race) {
            return Err(refusal(e));
        }
        attempt += 1;
    }
}

async fn try_create<D: SqlDatabase>(
    db: &D,
    b: &NewBooking,
    rule: &dyn DayRule,
    locks: &Locks,
    beside: Beside<'_>,
) -> Result<Created, Failure> {
    let mut tx = db.write(locks).await?;
    // Under the locks, so a repeat of a request still running waits for it and then replays it.
    if let Some(key) = &b.idempotency_key {
        if let Some((booking, fingerprint)) = read_bookings(tx.query(BOOKING_BY_KEY, &[key.into()]).await?)?.pop() {
            if fingerprint != b.request_fingerprint {
                return Err(Failure::Refused(BookingError::KeyReused));
            }
            return Ok(Created::Replayed(booking));
        }
    }
    let (lat, lon, address) = match &b.place {
        Where::Mobile { at, address } => (Some(at.lat), Some(at.lon), Some(address)),
        Where::Clinic(_) => (None, None, None),
    };
    let awaiting = match b.status {
        BookingStatus::Confirmed => false,
        BookingStatus::AwaitingClearance => true,
        BookingStatus::Cancelled => {
            return Err(StoreError::Other("a new booking cannot be written cancelled".into()).into());
        }
    };
    let client_id = match (b.client_id, b.new_client_record) {
        (None, true) => Some(super::clients::insert_for_booking(&mut *tx, &b.client, b.created_at).await?),
        (known, _) => known,
    };
    let params = [
        b.service_id.into(),
        b.start.into(),
        b.end.into(),
        lat.into(),
        lon.into(),
        address.into(),
        b.place.clinic().into(),
        (&b.client.name).into(),
        b.client.email.as_str().into(),
        (&b.client.phone).into(),
        b.client_user_id.into(),
        b.price_cents.into(),
        b.travel_fee_cents.into(),
        (&b.manage_token_hash).into(),
        b.idempotency_key.as_ref().into(),
        (&b.request_fingerprint).into(),
        b.created_at.into(),
        awaiting.into(),
        client_id.into(),
        b.reason.map(|r| r.as_str()).into(),
        b.screening_id.as_ref().map(|s| s.0.as_str()).into(),
        Param::json(&b.add_ons)?,
        (&b.notes).into(),
        b.series_id.into(),
        Param::Time(b.arrival.map(|a| a.from)),
        Param::Time(b.arrival.map(|a| a.until)),
        b.therapists_named.into(),
        b.therapist_gender.map(Gender::as_str).into(),
    ];
    let id = returned_id(tx.query(INSERT_BOOKING, &params).await?, "bookings")?;
    if let Some(screening) = &b.screening_id {
        tx.execute(LINK_SCREENING, &[id.into(), client_id.into(), (&screening.0).into()]).await?;
    }
    let visits = check_and_insert_visits(&mut *tx, id, b, rule).await?;
    super::notify::insert_jobs(&mut *tx, Some(BookingId(id)), &b.jobs, b.created_at).await?;
    match beside {
        Beside::Nothing => {}
        Beside::ChairDay(day) => {
            super::chair_days::insert(&mut *tx, BookingId(id), day, b.created_at).await.map(|_| ())?
        }
        Beside::Party(guests) => super::chair_days::insert_guests(&mut *tx, BookingId(id), guests).await?,
    }
    tx.commit().await?;
    Ok(Created::New(as_written(BookingId(id), b, client_id, visits)))
}

pub(super) async fn reschedule<D: SqlDatabase>(
    db: &D,
    id: BookingId,
    to: &NewBooking,
    rule: &dyn DayRule,
    staff: Option<UserId>,
) -> Result<Booking, BookingError> {
    let locks = Locks::for_booking(to);
    let mut attempt = 1;
    loop {
        match try_reschedule(db, id, to, rule, &locks, staff).await {
            Ok(booking) => return Ok(booking),
            Err(Failure::Refused(e)) => return Err(e),
            Err(Failure::Db(e)) if again(&e, attempt, false) => attempt += 1,
            Err(Failure::Db(e)) => return Err(refusal(e)),
        }
    }
}

async fn try_reschedule<D: SqlDatabase>(
    db: &D,
    id: BookingId,
    to: &NewBooking,
    rule: &dyn DayRule,
    locks: &Locks,
    staff: Option<UserId>,
) -> Result<Booking, Failure> {
    let mut tx = db.write(locks).await?;
    let before = match staff {
        Some(_) => Some(locked_booking(&mut *tx, id).await?),
        None => None,
    };
    let moved =
        tx.execute(MOVE_BOOKING, &[id.into(), to.start.into(), to.end.into(), to.travel_fee_cents.into()]).await?;
    if moved == 0 {
        let mut rows = tx.query(BOOKING_STATUS, &[id.into()]).await?;
        return Err(match rows.first("bookings") {
            None => StoreError::NotFound.into(),
            Some(_) => Unavailable::Cancelled.into(),
        });
    }
    // The old visits go first, so they do not count against the new ones.
    tx.execute(DELETE_VISITS, &[id.into()]).await?;
    check_and_insert_visits(&mut *tx, id.0, to, rule).await?;
    let booking = one_booking(tx.query(BOOKING_BY_ID, &[id.into()]).await?)?;
    if let Some(before) = &before {
        record_move(&mut *tx, before, &booking, to.created_at, staff).await?;
    }
    super::notify::skip_reminders(&mut *tx, id, "the visit moved", to.created_at).await?;
    super::notify::insert_jobs(&mut *tx, Some(id), &to.jobs, to.created_at).await?;
    tx.commit().await?;
    Ok(booking)
}

/// The booking as it is now, with its row locked for the rest of the transaction (`NotFound` when absent).
pub(super) async fn locked_booking(tx: &mut dyn SqlTransaction, id: BookingId) -> StoreResult<Booking> {
    if tx.execute(LOCK_BOOKING, &[id.into()]).await? == 0 {
        return Err(StoreError::NotFound);
    }
    one_booking(tx.query(BOOKING_BY_ID, &[id.into()]).await?)
}

/// The therapists of `ids` with their names as they are now.
async fn named(tx: &mut dyn SqlTransaction, ids: &[TherapistId]) -> StoreResult<Vec<NamedTherapist>> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let mut rows = tx.query(THERAPIST_NAME, &[(*id).into()]).await?;
        let mut r = rows.first("therapists").ok_or(StoreError::NotFound)?;
        out.push(NamedTherapist { id: TherapistId(r.id("id")?), name: r.text("name")? });
    }
    Ok(out)
}

/// Records what a staff member's move changed: the start, the therapists, or both (two records).
pub(super) async fn record_move(
    tx: &mut dyn SqlTransaction,
    before: &Booking,
    after: &Booking,
    at: Timestamp,
    staff: Option<UserId>,
) -> StoreResult<()> {
    if before.start != after.start {
        let params = [after.id.into(), at.into(), staff.into(), before.start.into(), after.start.into()];
        tx.execute(INSERT_MOVED, &params).await?;
    }
    let (mut from, mut to) = (before.therapist_ids(), after.therapist_ids());
    from.sort();
    to.sort();
    if from != to {
        // Only who changed: in a couples booking the therapist who stays is not named.
        let gone: Vec<TherapistId> = from.iter().filter(|t| !to.contains(t)).copied().collect();
        let new: Vec<TherapistId> = to.iter().filter(|t| !from.contains(t)).copied().collect();
        let (gone, new) = (named(tx, &gone).await?, named(tx, &new).await?);
        let params = [after.id.into(), at.into(), staff.into(), Param::json(&gone)?, Param::json(&new)?];
        tx.execute(INSERT_REASSIGNED, &params).await?;
    }
    Ok(())
}

/// A therapist's booked stops around `[from, to)`, for the re-check: the neighbours that can matter.
async fn stops_of(
    tx: &mut dyn SqlTransaction,
    therapist: TherapistId,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<Stop>, Failure> {
    let margin = SignedDuration::from_mins(NEIGHBOUR_MARGIN_MINUTES);
    let from = from.checked_sub(margin).unwrap_or(Timestamp::MIN);
    let to = to.checked_add(margin).unwrap_or(Timestamp::MAX);
    let mut rows = tx.query(THERAPIST_STOPS, &[therapist.into(), from.into(), to.into()]).await?;
    let stops: StoreResult<Vec<Stop>> = rows
        .read("visits")
        .map(|mut r| {
            r.id("id")?;
            read_stop(&mut r)
        })
        .collect();
    Ok(stops?)
}

/// Under the locks: runs the rule for every visit on the stops as they are now, picks a free room for a
/// clinic visit, and inserts the visits (the database's overlap rules are the backstop). The visits as written,
/// in `b`'s order.
pub(super) async fn check_and_insert_visits(
    tx: &mut dyn SqlTransaction,
    booking_id: i64,
    b: &NewBooking,
    rule: &dyn DayRule,
) -> Result<Vec<Visit>, Failure> {
    let (at, clinic) = match &b.place {
        Where::Mobile { at, .. } => (*at, None),
        Where::Clinic(id) => {
            let mut rows = tx.query(CLINIC_PLACE, &[(*id).into()]).await?;
            let mut r = rows.first("clinics").ok_or(StoreError::NotFound)?;
            r.id("id")?;
            let (lat, lon) = (r.float("lat")?, r.float("lon")?);
            (point(lat, lon).ok_or_else(|| r.corrupt("columns lat, lon: not a place on earth"))?, Some(*id))
        }
    };
    let mut rooms_taken: Vec<i64> = Vec::new();
    let mut written = Vec::with_capacity(b.visits.len());
    for v in &b.visits {
        let stops = stops_of(tx, v.therapist_id, v.block_start, v.block_end).await?;
        rule.check(v.therapist_id, &stops).map_err(Unavailable::DoesNotFit)?;
        let room = match clinic {
            None => None,
            Some(clinic) => {
                let mut rows = tx.query(FREE_ROOMS, &[clinic.into(), v.block_start.into(), v.block_end.into()]).await?;
                let mut free = None;
                for mut r in rows.read("rooms") {
                    let room = r.id("id")?;
                    if !rooms_taken.contains(&room) {
                        free = Some(room);
                        break;
                    }
                }
                let room = free.ok_or(Unavailable::NoRoomFree)?;
                rooms_taken.push(room);
                Some(RoomId(room))
            }
        };
        let params = [
            booking_id.into(),
            v.therapist_id.into(),
            room.into(),
            v.block_start.into(),
            v.block_end.into(),
            at.lat.into(),
            at.lon.into(),
            v.travel_before_min.into(),
            v.travel_after_min.into(),
        ];
        tx.execute(INSERT_VISIT, &params).await?;
        written.push(Visit {
            therapist_id: v.therapist_id,
            room_id: room,
            block_start: kept(v.block_start),
            block_end: kept(v.block_end),
            travel_before_min: v.travel_before_min,
            travel_after_min: v.travel_after_min,
        });
    }
    Ok(written)
}
