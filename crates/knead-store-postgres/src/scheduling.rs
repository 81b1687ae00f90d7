//! PostgreSQL storage for booking: settings, clinics, schedules, bookings and visits.
//!
//! Booking writes take transaction-scoped advisory locks, one per therapist (and one per clinic for a
//! clinic visit), before they read the day they re-check. The locks live in the database, so every knead
//! server on it queues for the same ones; the `visits_no_overlap` and `rooms_no_overlap` exclusion
//! constraints are the backstop.

use crate::{from_pg_time, map_err, pg_time, PostgresStore};
use async_trait::async_trait;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use knead_core::booking::{
    Booking, BookingId, BookingStatus, Clinic, ClinicDraft, ClinicId, NewBooking, RoomId, Visit, Where,
};
use knead_core::calendar::{
    minute_of, DayOverride, PracticeSettings, ScheduleDraft, TherapistSchedule, TimeOff, WeeklyWindow,
};
use knead_core::schedule::{GeoPoint, Minute, Stop};
use knead_core::{ServiceId, TherapistId, UserId};
use knead_store::{BookingError, Created, SchedulingStore, StoreError, StoreResult, TravelCheck, CHECK_MARGIN_MINUTES};
use sqlx::types::Json;
use sqlx::{FromRow, PgConnection, PgExecutor};
use time::OffsetDateTime;

/// Advisory-lock namespaces: the first key of `pg_advisory_xact_lock(int4, int4)`, so knead's locks do
/// not meet another application's on a shared server ("knT" and "knC").
const THERAPIST_LOCK: i32 = 0x006b_6e54;
const CLINIC_LOCK: i32 = 0x006b_6e43;

/// How often a booking transaction runs before a serialization failure or deadlock is given up on.
const ATTEMPTS: u32 = 5;

/// The second lock key for an id. Ids beyond `i32` wrap and share a key with a smaller id, which only
/// makes those two wait for each other.
fn lock_key(id: i64) -> i32 {
    id as i32
}

/// The minute a block ends in, rounded up so a stop covers every minute it touches.
fn end_minute(ts: Timestamp) -> Minute {
    -(-ts.as_second()).div_euclid(60)
}

fn pg_date(d: Date) -> StoreResult<time::Date> {
    let month = time::Month::try_from(d.month() as u8).map_err(StoreError::other)?;
    time::Date::from_calendar_date(i32::from(d.year()), month, d.day() as u8).map_err(StoreError::other)
}

fn from_pg_date(d: time::Date) -> Option<Date> {
    Date::new(i16::try_from(d.year()).ok()?, u8::from(d.month()) as i8, d.day() as i8).ok()
}

fn not_found_on_foreign_key(e: sqlx::Error) -> StoreError {
    if e.as_database_error().is_some_and(|d| d.is_foreign_key_violation()) {
        StoreError::NotFound
    } else {
        map_err(e)
    }
}

/// Why a booking transaction stopped: a database error kept raw, so that once the transaction is gone it
/// can be retried or answered by its SQLSTATE, or an answer already final.
enum Failure {
    Db(sqlx::Error),
    Refused(BookingError),
}

impl From<sqlx::Error> for Failure {
    fn from(e: sqlx::Error) -> Failure {
        Failure::Db(e)
    }
}

impl From<BookingError> for Failure {
    fn from(e: BookingError) -> Failure {
        Failure::Refused(e)
    }
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Failure {
        Failure::Refused(BookingError::Store(e))
    }
}

#[derive(Debug, PartialEq)]
enum Class {
    /// Serialization failure or deadlock: the whole transaction may simply run again.
    Retry,
    /// An exclusion constraint refused an overlapping visit; the text says whose.
    Overlap(&'static str),
    /// A concurrent request with the same idempotency key committed first.
    KeyTaken,
    Other,
}

fn classify(e: &sqlx::Error) -> Class {
    let Some(db) = e.as_database_error() else { return Class::Other };
    match db.code().as_deref() {
        Some("40001" | "40P01") => Class::Retry,
        Some("23P01") if db.constraint() == Some("rooms_no_overlap") => Class::Overlap("no room is free then"),
        Some("23P01") => Class::Overlap("the therapist already has a visit then"),
        Some("23505") if db.constraint() == Some("bookings_idempotency_key") => Class::KeyTaken,
        _ => Class::Other,
    }
}

/// The answer for a database error that is not retried.
fn booking_error(e: sqlx::Error) -> BookingError {
    match classify(&e) {
        Class::Overlap(why) => BookingError::SlotTaken(why.into()),
        _ => BookingError::Store(map_err(e)),
    }
}

/// Takes the booking locks in one global order (therapists by key, then the clinic), so two writers
/// never wait on each other in a circle. Released when the transaction ends.
async fn lock_for(conn: &mut PgConnection, b: &NewBooking) -> Result<(), sqlx::Error> {
    let mut keys: Vec<i32> = b.visits.iter().map(|v| lock_key(v.therapist_id.0)).collect();
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        sqlx::query("select pg_advisory_xact_lock($1, $2)").bind(THERAPIST_LOCK).bind(key).execute(&mut *conn).await?;
    }
    // Room picks read which rooms are free, so clinic bookings for different therapists queue here too.
    if let Where::Clinic(clinic) = &b.place {
        sqlx::query("select pg_advisory_xact_lock($1, $2)")
            .bind(CLINIC_LOCK)
            .bind(lock_key(clinic.0))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[derive(FromRow)]
struct BookingRow {
    id: i64,
    service_id: i64,
    status: String,
    starts_at: OffsetDateTime,
    ends_at: OffsetDateTime,
    lat: Option<f64>,
    lon: Option<f64>,
    address: Option<String>,
    clinic_id: Option<i64>,
    client_name: String,
    client_email: String,
    client_phone: String,
    client_user_id: Option<i64>,
    price_cents: i64,
    travel_fee_cents: i64,
    created_at: OffsetDateTime,
    visit_therapists: Vec<i64>,
    visit_rooms: Vec<Option<i64>>,
    visit_starts: Vec<OffsetDateTime>,
    visit_ends: Vec<OffsetDateTime>,
    visit_before: Vec<i32>,
    visit_after: Vec<i32>,
}

impl From<BookingRow> for Booking {
    fn from(r: BookingRow) -> Booking {
        let visits = (0..r.visit_therapists.len())
            .map(|i| Visit {
                therapist_id: TherapistId(r.visit_therapists[i]),
                block_start: from_pg_time(r.visit_starts[i]),
                block_end: from_pg_time(r.visit_ends[i]),
                room_id: r.visit_rooms[i].map(RoomId),
                travel_before_min: r.visit_before[i].into(),
                travel_after_min: r.visit_after[i].into(),
            })
            .collect();
        Booking {
            id: BookingId(r.id),
            service_id: ServiceId(r.service_id),
            status: if r.status == "cancelled" { BookingStatus::Cancelled } else { BookingStatus::Confirmed },
            start: from_pg_time(r.starts_at),
            end: from_pg_time(r.ends_at),
            lat: r.lat,
            lon: r.lon,
            address: r.address,
            clinic_id: r.clinic_id.map(ClinicId),
            client_name: r.client_name,
            client_email: r.client_email,
            client_phone: r.client_phone,
            client_user_id: r.client_user_id.map(UserId),
            price_cents: r.price_cents,
            travel_fee_cents: r.travel_fee_cents,
            visits,
            created_at: from_pg_time(r.created_at),
        }
    }
}

/// Bookings with their visits as parallel arrays, from one statement, so a reader never sees a booking
/// with another version's visits (one statement, one snapshot). Filters and orders follow.
const BOOKING_SELECT: &str = "select b.id, b.service_id, b.status, b.starts_at, b.ends_at, b.lat, b.lon, b.address, \
     b.clinic_id, b.client_name, b.client_email, b.client_phone, b.client_user_id, b.price_cents, b.travel_fee_cents, \
     b.created_at, vs.visit_therapists, vs.visit_rooms, vs.visit_starts, vs.visit_ends, vs.visit_before, vs.visit_after \
     from bookings b cross join lateral (select \
     coalesce(array_agg(v.therapist_id order by v.therapist_id, v.id), '{}') as visit_therapists, \
     coalesce(array_agg(v.room_id order by v.therapist_id, v.id), '{}') as visit_rooms, \
     coalesce(array_agg(v.block_start order by v.therapist_id, v.id), '{}') as visit_starts, \
     coalesce(array_agg(v.block_end order by v.therapist_id, v.id), '{}') as visit_ends, \
     coalesce(array_agg(v.travel_before_min order by v.therapist_id, v.id), '{}') as visit_before, \
     coalesce(array_agg(v.travel_after_min order by v.therapist_id, v.id), '{}') as visit_after \
     from visits v where v.booking_id = b.id) vs";

async fn one_booking<'c>(conn: impl PgExecutor<'c>, id: i64) -> Result<Booking, sqlx::Error> {
    sqlx::query_as::<_, BookingRow>(&format!("{BOOKING_SELECT} where b.id = $1"))
        .bind(id)
        .fetch_one(conn)
        .await
        .map(Booking::from)
}

/// A therapist's booked stops around `[from, to)`, for the travel re-check.
async fn stops_of(
    conn: &mut PgConnection,
    therapist: TherapistId,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<Stop>, sqlx::Error> {
    let margin = SignedDuration::from_mins(CHECK_MARGIN_MINUTES);
    let rows: Vec<(OffsetDateTime, OffsetDateTime, f64, f64)> = sqlx::query_as(
        "select block_start, block_end, lat, lon from visits \
         where active and therapist_id = $1 and block_start < $3 and $2 < block_end order by block_start",
    )
    .bind(therapist.0)
    .bind(pg_time(from.checked_sub(margin).unwrap_or(Timestamp::MIN)))
    .bind(pg_time(to.checked_add(margin).unwrap_or(Timestamp::MAX)))
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(s, e, lat, lon)| Stop {
            start: minute_of(from_pg_time(s)),
            end: end_minute(from_pg_time(e)),
            at: GeoPoint { lat, lon },
        })
        .collect())
}

/// Checks every visit under the locks, picks rooms for a clinic visit, and inserts the visits.
async fn check_and_insert_visits(
    conn: &mut PgConnection,
    booking_id: i64,
    b: &NewBooking,
    check: TravelCheck<'_>,
) -> Result<(), Failure> {
    let (at, clinic) = match &b.place {
        Where::Mobile { at, .. } => (*at, None),
        Where::Clinic(id) => {
            let (lat, lon): (f64, f64) = sqlx::query_as("select lat, lon from clinics where id = $1")
                .bind(id.0)
                .fetch_optional(&mut *conn)
                .await?
                .ok_or(StoreError::NotFound)?;
            (GeoPoint { lat, lon }, Some(*id))
        }
    };
    let mut rooms_taken: Vec<i64> = Vec::new();
    for v in &b.visits {
        let stops = stops_of(conn, v.therapist_id, v.block_start, v.block_end).await?;
        check(v.therapist_id, &stops).map_err(BookingError::SlotTaken)?;
        let room = match clinic {
            None => None,
            Some(clinic) => {
                let free: Option<i64> = sqlx::query_scalar(
                    "select r.id from rooms r where r.clinic_id = $1 and not exists (
                        select 1 from visits v where v.active and v.room_id = r.id
                          and v.block_start < $3 and $2 < v.block_end)
                     order by r.id",
                )
                .bind(clinic.0)
                .bind(pg_time(v.block_start))
                .bind(pg_time(v.block_end))
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .find(|r| !rooms_taken.contains(r));
                let room = free.ok_or_else(|| BookingError::SlotTaken("no room is free then".into()))?;
                rooms_taken.push(room);
                Some(room)
            }
        };
        sqlx::query(
            "insert into visits (booking_id, therapist_id, room_id, block_start, block_end, lat, lon, \
             travel_before_min, travel_after_min, active) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, true)",
        )
        .bind(booking_id)
        .bind(v.therapist_id.0)
        .bind(room)
        .bind(pg_time(v.block_start))
        .bind(pg_time(v.block_end))
        .bind(at.lat)
        .bind(at.lon)
        .bind(v.travel_before_min)
        .bind(v.travel_after_min)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[derive(FromRow)]
struct ScheduleRow {
    therapist_id: i64,
    base_lat: f64,
    base_lon: f64,
    radius_km: f64,
}

impl PostgresStore {
    /// Schedules of the given therapist, or of every unarchived therapist with one.
    async fn load_schedules(&self, only: Option<TherapistId>) -> StoreResult<Vec<TherapistSchedule>> {
        let filter = only.map(|t| t.0);
        // Five reads, one snapshot: a schedule is never half old and half new.
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        sqlx::query("set transaction isolation level repeatable read, read only")
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        let rows = sqlx::query_as::<_, ScheduleRow>(
            "select s.therapist_id, s.base_lat, s.base_lon, s.radius_km from therapist_schedules s \
             join therapists t on t.id = s.therapist_id \
             where ($1::bigint is null and not t.archived) or s.therapist_id = $1 order by s.therapist_id",
        )
        .bind(filter)
        .fetch_all(&mut *tx)
        .await
        .map_err(map_err)?;
        let clause = "($1::bigint is null or therapist_id = $1)";
        let services: Vec<(i64, i64)> = sqlx::query_as(&format!(
            "select therapist_id, service_id from therapist_services where {clause} order by service_id"
        ))
        .bind(filter)
        .fetch_all(&mut *tx)
        .await
        .map_err(map_err)?;
        let weekly: Vec<(i64, i32, i32, i32)> = sqlx::query_as(&format!(
            "select therapist_id, weekday, start_minute, end_minute from weekly_hours where {clause} \
             order by weekday, start_minute"
        ))
        .bind(filter)
        .fetch_all(&mut *tx)
        .await
        .map_err(map_err)?;
        let overrides: Vec<(i64, time::Date, Json<serde_json::Value>)> = sqlx::query_as(&format!(
            "select therapist_id, day, windows from day_overrides where {clause} order by day"
        ))
        .bind(filter)
        .fetch_all(&mut *tx)
        .await
        .map_err(map_err)?;
        let time_off: Vec<(i64, i64, OffsetDateTime, OffsetDateTime)> = sqlx::query_as(&format!(
            "select therapist_id, id, starts_at, ends_at from time_off where {clause} order by starts_at, id"
        ))
        .bind(filter)
        .fetch_all(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(knead_store::assemble::schedules(knead_store::assemble::ScheduleRows {
            bases: rows
                .into_iter()
                .map(|r| (r.therapist_id, GeoPoint { lat: r.base_lat, lon: r.base_lon }, r.radius_km))
                .collect(),
            services: services.into_iter().map(|(t, s)| (t, ServiceId(s))).collect(),
            weekly: weekly
                .into_iter()
                .map(|(t, d, s, e)| {
                    (t, WeeklyWindow { weekday: d as i8, start_minute: s.into(), end_minute: e.into() })
                })
                .collect(),
            overrides: overrides
                .into_iter()
                .filter_map(|(t, day, w)| {
                    Some((t, DayOverride { date: from_pg_date(day)?, windows: serde_json::from_value(w.0).ok()? }))
                })
                .collect(),
            time_off: time_off
                .into_iter()
                .map(|(t, id, s, e)| (t, TimeOff { id, start: from_pg_time(s), end: from_pg_time(e) }))
                .collect(),
        }))
    }

    async fn try_create_booking(&self, b: &NewBooking, check: TravelCheck<'_>) -> Result<Created, Failure> {
        let mut tx = self.pool.begin().await?;
        lock_for(&mut tx, b).await?;
        // Under the locks, so a repeat of a request still running waits for it and then replays it.
        if let Some(key) = &b.idempotency_key {
            let earlier: Option<(i64, String)> =
                sqlx::query_as("select id, request_fingerprint from bookings where idempotency_key = $1")
                    .bind(key)
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some((id, fingerprint)) = earlier {
                if fingerprint != b.request_fingerprint {
                    return Err(BookingError::KeyReused.into());
                }
                return Ok(Created::Replayed(one_booking(&mut *tx, id).await?));
            }
        }
        let (lat, lon, address, clinic_id) = match &b.place {
            Where::Mobile { at, address } => (Some(at.lat), Some(at.lon), Some(address.clone()), None),
            Where::Clinic(id) => (None, None, None, Some(id.0)),
        };
        let id: i64 = sqlx::query_scalar(
            "insert into bookings (service_id, status, starts_at, ends_at, lat, lon, address, clinic_id, client_name, \
             client_email, client_phone, client_user_id, price_cents, travel_fee_cents, manage_token_hash, \
             idempotency_key, request_fingerprint, created_at) \
             values ($1, 'confirmed', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) returning id",
        )
        .bind(b.service_id.0)
        .bind(pg_time(b.start))
        .bind(pg_time(b.end))
        .bind(lat)
        .bind(lon)
        .bind(address)
        .bind(clinic_id)
        .bind(&b.client.name)
        .bind(b.client.email.as_str())
        .bind(&b.client.phone)
        .bind(b.client_user_id.map(|u| u.0))
        .bind(b.price_cents)
        .bind(b.travel_fee_cents)
        .bind(&b.manage_token_hash)
        .bind(&b.idempotency_key)
        .bind(&b.request_fingerprint)
        .bind(pg_time(b.created_at))
        .fetch_one(&mut *tx)
        .await?;
        check_and_insert_visits(&mut tx, id, b, check).await?;
        let booking = one_booking(&mut *tx, id).await?;
        tx.commit().await?;
        Ok(Created::New(booking))
    }

    /// After a concurrent request with the same key won the insert: its booking, if it is the same
    /// request; `None` when it is gone (rolled back after all), so the caller tries again.
    async fn replay(&self, b: &NewBooking) -> Result<Option<Created>, BookingError> {
        let Some(key) = &b.idempotency_key else { return Ok(None) };
        match self.booking_by_idempotency_key(key).await? {
            None => Ok(None),
            Some((booking, fingerprint)) if fingerprint == b.request_fingerprint => {
                Ok(Some(Created::Replayed(booking)))
            }
            Some(_) => Err(BookingError::KeyReused),
        }
    }

    async fn try_reschedule_booking(
        &self,
        id: BookingId,
        to: &NewBooking,
        check: TravelCheck<'_>,
    ) -> Result<Booking, Failure> {
        let mut tx = self.pool.begin().await?;
        lock_for(&mut tx, to).await?;
        // The row lock queues a concurrent cancel or move of the same booking behind this one.
        let status: String = sqlx::query_scalar("select status from bookings where id = $1 for update")
            .bind(id.0)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        if status != BookingStatus::Confirmed.as_str() {
            return Err(BookingError::SlotTaken("a cancelled booking cannot be moved".into()).into());
        }
        // The old visits go first, so they do not count against the new ones.
        sqlx::query("delete from visits where booking_id = $1").bind(id.0).execute(&mut *tx).await?;
        check_and_insert_visits(&mut tx, id.0, to, check).await?;
        sqlx::query("update bookings set starts_at = $2, ends_at = $3, travel_fee_cents = $4 where id = $1")
            .bind(id.0)
            .bind(pg_time(to.start))
            .bind(pg_time(to.end))
            .bind(to.travel_fee_cents)
            .execute(&mut *tx)
            .await?;
        let booking = one_booking(&mut *tx, id.0).await?;
        tx.commit().await?;
        Ok(booking)
    }
}

/// Whether a failed attempt runs again; logs only the SQLSTATE (never the booking's contents).
fn should_retry(e: &sqlx::Error, attempt: u32) -> bool {
    let retry = attempt < ATTEMPTS && classify(e) == Class::Retry;
    if retry {
        let code = e.as_database_error().and_then(|d| d.code()).unwrap_or_default();
        tracing::debug!(%code, attempt, "booking transaction retried");
    }
    retry
}

#[async_trait]
impl SchedulingStore for PostgresStore {
    async fn practice_settings(&self) -> StoreResult<PracticeSettings> {
        let json: Option<Json<serde_json::Value>> =
            sqlx::query_scalar("select settings from practice_settings where id = 1")
                .fetch_optional(&self.pool)
                .await
                .map_err(map_err)?;
        Ok(json.and_then(|j| serde_json::from_value(j.0).ok()).unwrap_or_default())
    }

    async fn save_practice_settings(&self, settings: &PracticeSettings) -> StoreResult<()> {
        sqlx::query(
            "insert into practice_settings (id, settings) values (1, $1) \
             on conflict (id) do update set settings = excluded.settings",
        )
        .bind(Json(settings))
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn clinics(&self) -> StoreResult<Vec<Clinic>> {
        // `collate "C"` orders names byte by byte, as SQLite does, so both backends list alike.
        let clinics: Vec<(i64, String, String, f64, f64)> =
            sqlx::query_as("select id, name, address, lat, lon from clinics order by name collate \"C\", id")
                .fetch_all(&self.pool)
                .await
                .map_err(map_err)?;
        let rooms: Vec<(i64, i64, String)> = sqlx::query_as("select clinic_id, id, name from rooms order by id")
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(knead_store::assemble::clinics(clinics, rooms))
    }

    async fn create_clinic(&self, d: &ClinicDraft) -> StoreResult<Clinic> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let id: i64 =
            sqlx::query_scalar("insert into clinics (name, address, lat, lon) values ($1, $2, $3, $4) returning id")
                .bind(&d.name)
                .bind(&d.address)
                .bind(d.at.lat)
                .bind(d.at.lon)
                .fetch_one(&mut *tx)
                .await
                .map_err(map_err)?;
        // One insert per room, in order, so room ids follow the order the rooms were given.
        for room in &d.rooms {
            sqlx::query("insert into rooms (clinic_id, name) values ($1, $2)")
                .bind(id)
                .bind(room)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)?;
        self.clinics().await?.into_iter().find(|c| c.id.0 == id).ok_or(StoreError::NotFound)
    }

    async fn schedules(&self) -> StoreResult<Vec<TherapistSchedule>> {
        self.load_schedules(None).await
    }

    async fn schedule(&self, therapist: TherapistId) -> StoreResult<Option<TherapistSchedule>> {
        Ok(self.load_schedules(Some(therapist)).await?.pop())
    }

    async fn save_schedule(&self, therapist: TherapistId, d: &ScheduleDraft) -> StoreResult<TherapistSchedule> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let exists: Option<i64> = sqlx::query_scalar("select id from therapists where id = $1")
            .bind(therapist.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        // The upsert locks the schedule row, so two saves of one schedule take turns.
        sqlx::query(
            "insert into therapist_schedules (therapist_id, base_lat, base_lon, radius_km) values ($1, $2, $3, $4) \
             on conflict (therapist_id) do update set base_lat = excluded.base_lat, base_lon = excluded.base_lon, \
             radius_km = excluded.radius_km",
        )
        .bind(therapist.0)
        .bind(d.base.lat)
        .bind(d.base.lon)
        .bind(d.radius_km)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        for table in ["therapist_services", "weekly_hours"] {
            sqlx::query(&format!("delete from {table} where therapist_id = $1"))
                .bind(therapist.0)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        let services: Vec<i64> = d.service_ids.iter().map(|s| s.0).collect();
        sqlx::query(
            "insert into therapist_services (therapist_id, service_id) select $1, s from unnest($2::bigint[]) s",
        )
        .bind(therapist.0)
        .bind(&services)
        .execute(&mut *tx)
        .await
        .map_err(not_found_on_foreign_key)?;
        let weekdays: Vec<i32> = d.weekly.iter().map(|w| i32::from(w.weekday)).collect();
        let starts: Vec<i64> = d.weekly.iter().map(|w| w.start_minute).collect();
        let ends: Vec<i64> = d.weekly.iter().map(|w| w.end_minute).collect();
        sqlx::query(
            "insert into weekly_hours (therapist_id, weekday, start_minute, end_minute) \
             select $1, w.weekday, w.start_minute, w.end_minute \
             from unnest($2::integer[], $3::bigint[], $4::bigint[]) as w(weekday, start_minute, end_minute)",
        )
        .bind(therapist.0)
        .bind(&weekdays)
        .bind(&starts)
        .bind(&ends)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        self.schedule(therapist).await?.ok_or(StoreError::NotFound)
    }

    async fn set_day_override(
        &self,
        therapist: TherapistId,
        date: Date,
        windows: Option<&[(i64, i64)]>,
    ) -> StoreResult<()> {
        let day = pg_date(date)?;
        match windows {
            Some(w) => {
                sqlx::query(
                    "insert into day_overrides (therapist_id, day, windows) values ($1, $2, $3) \
                     on conflict (therapist_id, day) do update set windows = excluded.windows",
                )
                .bind(therapist.0)
                .bind(day)
                .bind(Json(w))
                .execute(&self.pool)
                .await
                .map_err(map_err)?;
            }
            None => {
                sqlx::query("delete from day_overrides where therapist_id = $1 and day = $2")
                    .bind(therapist.0)
                    .bind(day)
                    .execute(&self.pool)
                    .await
                    .map_err(map_err)?;
            }
        }
        Ok(())
    }

    async fn add_time_off(&self, therapist: TherapistId, start: Timestamp, end: Timestamp) -> StoreResult<TimeOff> {
        let (start, end) = (pg_time(start), pg_time(end));
        let id: i64 = sqlx::query_scalar(
            "insert into time_off (therapist_id, starts_at, ends_at) values ($1, $2, $3) returning id",
        )
        .bind(therapist.0)
        .bind(start)
        .bind(end)
        .fetch_one(&self.pool)
        .await
        .map_err(not_found_on_foreign_key)?;
        Ok(TimeOff { id, start: from_pg_time(start), end: from_pg_time(end) })
    }

    async fn delete_time_off(&self, therapist: TherapistId, time_off_id: i64) -> StoreResult<()> {
        let done = sqlx::query("delete from time_off where id = $1 and therapist_id = $2")
            .bind(time_off_id)
            .bind(therapist.0)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn stops_between(&self, from: Timestamp, to: Timestamp) -> StoreResult<Vec<(TherapistId, Stop)>> {
        let rows: Vec<(i64, OffsetDateTime, OffsetDateTime, f64, f64)> = sqlx::query_as(
            "select therapist_id, block_start, block_end, lat, lon from visits \
             where active and block_start < $2 and $1 < block_end order by therapist_id, block_start",
        )
        .bind(pg_time(from))
        .bind(pg_time(to))
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|(t, s, e, lat, lon)| {
                let stop = Stop {
                    start: minute_of(from_pg_time(s)),
                    end: end_minute(from_pg_time(e)),
                    at: GeoPoint { lat, lon },
                };
                (TherapistId(t), stop)
            })
            .collect())
    }

    async fn room_calendar(
        &self,
        clinic: ClinicId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<(usize, Vec<(Minute, Minute)>)> {
        let rooms: i64 = sqlx::query_scalar("select count(*) from rooms where clinic_id = $1")
            .bind(clinic.0)
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)?;
        let busy: Vec<(OffsetDateTime, OffsetDateTime)> = sqlx::query_as(
            "select v.block_start, v.block_end from visits v join rooms r on r.id = v.room_id \
             where r.clinic_id = $1 and v.active and v.block_start < $3 and $2 < v.block_end",
        )
        .bind(clinic.0)
        .bind(pg_time(from))
        .bind(pg_time(to))
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok((
            rooms as usize,
            busy.into_iter().map(|(s, e)| (minute_of(from_pg_time(s)), end_minute(from_pg_time(e)))).collect(),
        ))
    }

    async fn create_booking(&self, b: &NewBooking, check: TravelCheck<'_>) -> Result<Created, BookingError> {
        let mut attempt = 1;
        loop {
            let e = match self.try_create_booking(b, check).await {
                Ok(created) => return Ok(created),
                Err(Failure::Refused(e)) => return Err(e),
                Err(Failure::Db(e)) => e,
            };
            if classify(&e) == Class::KeyTaken {
                if let Some(created) = self.replay(b).await? {
                    return Ok(created);
                }
                if attempt >= ATTEMPTS {
                    return Err(booking_error(e));
                }
            } else if !should_retry(&e, attempt) {
                return Err(booking_error(e));
            }
            attempt += 1;
        }
    }

    async fn booking(&self, id: BookingId) -> StoreResult<Booking> {
        one_booking(&self.pool, id.0).await.map_err(map_err)
    }

    async fn booking_by_idempotency_key(&self, key: &str) -> StoreResult<Option<(Booking, String)>> {
        #[derive(FromRow)]
        struct Row {
            #[sqlx(flatten)]
            booking: BookingRow,
            request_fingerprint: String,
        }
        let row = sqlx::query_as::<_, Row>(&format!(
            "{} where b.idempotency_key = $1",
            BOOKING_SELECT.replacen("select ", "select b.request_fingerprint, ", 1)
        ))
        .bind(key)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(row.map(|r| (r.booking.into(), r.request_fingerprint)))
    }

    async fn booking_by_manage_token(&self, token_hash: &str) -> StoreResult<Booking> {
        sqlx::query_as::<_, BookingRow>(&format!("{BOOKING_SELECT} where b.manage_token_hash = $1"))
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?
            .map(Booking::from)
            .ok_or(StoreError::NotFound)
    }

    async fn cancel_booking(&self, id: BookingId, now: Timestamp) -> StoreResult<Booking> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let done = sqlx::query(
            "update bookings set status = 'cancelled', cancelled_at = coalesce(cancelled_at, $2) where id = $1",
        )
        .bind(id.0)
        .bind(pg_time(now))
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("update visits set active = false where booking_id = $1")
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        let booking = one_booking(&mut *tx, id.0).await.map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(booking)
    }

    async fn reschedule_booking(
        &self,
        id: BookingId,
        to: &NewBooking,
        check: TravelCheck<'_>,
    ) -> Result<Booking, BookingError> {
        let mut attempt = 1;
        loop {
            match self.try_reschedule_booking(id, to, check).await {
                Ok(booking) => return Ok(booking),
                Err(Failure::Refused(e)) => return Err(e),
                Err(Failure::Db(e)) if should_retry(&e, attempt) => attempt += 1,
                Err(Failure::Db(e)) => return Err(booking_error(e)),
            }
        }
    }

    async fn therapist_bookings(
        &self,
        therapist: TherapistId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<Booking>> {
        let rows = sqlx::query_as::<_, BookingRow>(&format!(
            "{BOOKING_SELECT} where b.status = 'confirmed' and exists (select 1 from visits v \
             where v.booking_id = b.id and v.active and v.therapist_id = $1 and v.block_start < $3 and $2 < v.block_end) \
             order by b.starts_at, b.id"
        ))
        .bind(therapist.0)
        .bind(pg_time(from))
        .bind(pg_time(to))
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows.into_iter().map(Booking::from).collect())
    }

    async fn client_bookings(&self, user: UserId) -> StoreResult<Vec<Booking>> {
        let rows = sqlx::query_as::<_, BookingRow>(&format!(
            "{BOOKING_SELECT} where b.client_user_id = $1 order by b.starts_at desc, b.id desc"
        ))
        .bind(user.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows.into_iter().map(Booking::from).collect())
    }

    async fn calendar_version(&self) -> StoreResult<i64> {
        sqlx::query_scalar("select version from calendar_version where id = 1")
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)
    }

    async fn link_therapist_user(&self, therapist: TherapistId, user: Option<UserId>) -> StoreResult<()> {
        let done = sqlx::query("update therapists set user_id = $2 where id = $1")
            .bind(therapist.0)
            .bind(user.map(|u| u.0))
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn therapist_for_user(&self, user: UserId) -> StoreResult<Option<TherapistId>> {
        let id: Option<i64> = sqlx::query_scalar("select id from therapists where user_id = $1")
            .bind(user.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(id.map(TherapistId))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_keys_wrap_rather_than_fail() {
        assert_eq!(lock_key(7), 7);
        assert_eq!(lock_key(i64::from(i32::MAX) + 1), i32::MIN);
    }

    #[test]
    fn block_ends_round_up_to_the_minute() {
        let at: Timestamp = "2026-06-01T14:00:00Z".parse().unwrap();
        assert_eq!(end_minute(at), minute_of(at));
        assert_eq!(end_minute(at + SignedDuration::from_secs(1)), minute_of(at) + 1);
    }

    #[test]
    fn dates_round_trip() {
        let day: Date = "2026-03-08".parse().unwrap();
        assert_eq!(from_pg_date(pg_date(day).unwrap()), Some(day));
    }
}
