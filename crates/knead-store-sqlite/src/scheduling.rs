//! SQLite storage for booking: settings, clinics, schedules, bookings and visits.
//!
//! Booking writes run in `BEGIN IMMEDIATE` transactions, so writers queue for SQLite's single write lock
//! before they read the day they re-check; the `visits_no_overlap` trigger is the backstop.

use crate::{from_micros, map_err, micros, SqliteStore};
use async_trait::async_trait;
use jiff::civil::Date;
use jiff::Timestamp;
use knead_core::booking::{
    Booking, BookingId, BookingStatus, Clinic, ClinicDraft, ClinicId, NewBooking, RoomId, Visit, Where,
};
use knead_core::calendar::{
    minute_of, DayOverride, PracticeSettings, ScheduleDraft, TherapistSchedule, TimeOff, WeeklyWindow,
};
use knead_core::schedule::{GeoPoint, Minute, Stop};
use knead_core::{ServiceId, TherapistId, UserId};
use knead_store::{BookingError, Created, SchedulingStore, StoreError, StoreResult, TravelCheck, CHECK_MARGIN_MINUTES};
use sqlx::{FromRow, SqliteConnection};
use std::collections::HashMap;

/// The minute a block ends in, rounded up so a stop covers every minute it touches.
fn end_minute(ts: Timestamp) -> Minute {
    -(-ts.as_second()).div_euclid(60)
}

#[derive(FromRow)]
struct BookingRow {
    id: i64,
    service_id: i64,
    status: String,
    starts_at: i64,
    ends_at: i64,
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
    created_at: i64,
}

#[derive(FromRow)]
struct VisitRow {
    booking_id: i64,
    therapist_id: i64,
    room_id: Option<i64>,
    block_start: i64,
    block_end: i64,
    travel_before_min: i64,
    travel_after_min: i64,
}

const BOOKING_COLUMNS: &str = "b.id, b.service_id, b.status, b.starts_at, b.ends_at, b.lat, b.lon, b.address, \
     b.clinic_id, b.client_name, b.client_email, b.client_phone, b.client_user_id, b.price_cents, b.travel_fee_cents, \
     b.created_at";

/// Loads bookings chosen by `filter` (a where clause over `b`) with their visits, in `order`.
async fn load_bookings(
    conn: &mut SqliteConnection,
    filter: &str,
    binds: &[i64],
    order: &str,
) -> StoreResult<Vec<Booking>> {
    let sql = format!("select {BOOKING_COLUMNS} from bookings b where {filter} order by {order}");
    let mut query = sqlx::query_as::<_, BookingRow>(&sql);
    for b in binds {
        query = query.bind(*b);
    }
    let rows = query.fetch_all(&mut *conn).await.map_err(map_err)?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = rows.iter().map(|r| r.id.to_string()).collect();
    // Ids are our own integers, so inlining them is safe and keeps this one query.
    let visits = sqlx::query_as::<_, VisitRow>(&format!(
        "select booking_id, therapist_id, room_id, block_start, block_end, travel_before_min, travel_after_min \
         from visits where booking_id in ({}) order by booking_id, therapist_id",
        ids.join(",")
    ))
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?;
    let mut by_booking: HashMap<i64, Vec<Visit>> = HashMap::new();
    for v in visits {
        by_booking.entry(v.booking_id).or_default().push(Visit {
            therapist_id: TherapistId(v.therapist_id),
            block_start: from_micros(v.block_start),
            block_end: from_micros(v.block_end),
            room_id: v.room_id.map(RoomId),
            travel_before_min: v.travel_before_min,
            travel_after_min: v.travel_after_min,
        });
    }
    Ok(rows
        .into_iter()
        .map(|r| Booking {
            id: BookingId(r.id),
            service_id: ServiceId(r.service_id),
            status: if r.status == "cancelled" { BookingStatus::Cancelled } else { BookingStatus::Confirmed },
            start: from_micros(r.starts_at),
            end: from_micros(r.ends_at),
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
            visits: by_booking.remove(&r.id).unwrap_or_default(),
            created_at: from_micros(r.created_at),
        })
        .collect())
}

async fn one_booking(conn: &mut SqliteConnection, filter: &str, bind: i64) -> StoreResult<Booking> {
    load_bookings(conn, filter, &[bind], "b.id").await?.pop().ok_or(StoreError::NotFound)
}

/// A therapist's booked stops around `[from, to)`, for the travel re-check.
async fn stops_of(
    conn: &mut SqliteConnection,
    therapist: TherapistId,
    from: Timestamp,
    to: Timestamp,
) -> StoreResult<Vec<Stop>> {
    let margin = CHECK_MARGIN_MINUTES * 60 * 1_000_000;
    let rows: Vec<(i64, i64, f64, f64)> = sqlx::query_as(
        "select block_start, block_end, lat, lon from visits \
         where active = 1 and therapist_id = ?1 and block_start < ?3 and ?2 < block_end order by block_start",
    )
    .bind(therapist.0)
    .bind(micros(from) - margin)
    .bind(micros(to) + margin)
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(rows
        .into_iter()
        .map(|(s, e, lat, lon)| Stop {
            start: minute_of(from_micros(s)),
            end: end_minute(from_micros(e)),
            at: GeoPoint { lat, lon },
        })
        .collect())
}

fn overlap_taken(e: sqlx::Error) -> BookingError {
    if let Some(db) = e.as_database_error() {
        if db.message().contains("visits_no_overlap") {
            return BookingError::SlotTaken("the therapist already has a visit then".into());
        }
        if db.message().contains("rooms_no_overlap") {
            return BookingError::SlotTaken("no room is free then".into());
        }
    }
    BookingError::Store(map_err(e))
}

/// Checks every visit under the write lock, picks rooms for a clinic visit, and inserts the visits.
async fn check_and_insert_visits(
    conn: &mut SqliteConnection,
    booking_id: i64,
    b: &NewBooking,
    check: TravelCheck<'_>,
) -> Result<(), BookingError> {
    let (at, clinic) = match &b.place {
        Where::Mobile { at, .. } => (*at, None),
        Where::Clinic(id) => {
            let (lat, lon): (f64, f64) = sqlx::query_as("select lat, lon from clinics where id = ?1")
                .bind(id.0)
                .fetch_optional(&mut *conn)
                .await
                .map_err(map_err)?
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
                    "select r.id from rooms r where r.clinic_id = ?1 and not exists (
                        select 1 from visits v where v.active = 1 and v.room_id = r.id
                          and v.block_start < ?3 and ?2 < v.block_end)
                     order by r.id",
                )
                .bind(clinic.0)
                .bind(micros(v.block_start))
                .bind(micros(v.block_end))
                .fetch_all(&mut *conn)
                .await
                .map_err(map_err)?
                .into_iter()
                .find(|r| !rooms_taken.contains(r));
                let room = free.ok_or_else(|| BookingError::SlotTaken("no room is free then".into()))?;
                rooms_taken.push(room);
                Some(room)
            }
        };
        sqlx::query(
            "insert into visits (booking_id, therapist_id, room_id, block_start, block_end, lat, lon, \
             travel_before_min, travel_after_min, active) values (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1)",
        )
        .bind(booking_id)
        .bind(v.therapist_id.0)
        .bind(room)
        .bind(micros(v.block_start))
        .bind(micros(v.block_end))
        .bind(at.lat)
        .bind(at.lon)
        .bind(v.travel_before_min)
        .bind(v.travel_after_min)
        .execute(&mut *conn)
        .await
        .map_err(overlap_taken)?;
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

impl SqliteStore {
    /// Schedules of the given therapist, or of every unarchived therapist with one.
    async fn load_schedules(&self, only: Option<TherapistId>) -> StoreResult<Vec<TherapistSchedule>> {
        let filter = only.map_or(-1, |t| t.0);
        let rows = sqlx::query_as::<_, ScheduleRow>(
            "select s.therapist_id, s.base_lat, s.base_lon, s.radius_km from therapist_schedules s \
             join therapists t on t.id = s.therapist_id \
             where (?1 = -1 and t.archived = 0) or s.therapist_id = ?1 order by s.therapist_id",
        )
        .bind(filter)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let clause = "(?1 = -1 or therapist_id = ?1)";
        let services: Vec<(i64, i64)> = sqlx::query_as(&format!(
            "select therapist_id, service_id from therapist_services where {clause} order by service_id"
        ))
        .bind(filter)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let weekly: Vec<(i64, i64, i64, i64)> = sqlx::query_as(&format!(
            "select therapist_id, weekday, start_minute, end_minute from weekly_hours where {clause} order by weekday, start_minute"
        ))
        .bind(filter)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let overrides: Vec<(i64, String, String)> = sqlx::query_as(&format!(
            "select therapist_id, day, windows from day_overrides where {clause} order by day"
        ))
        .bind(filter)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let time_off: Vec<(i64, i64, i64, i64)> = sqlx::query_as(&format!(
            "select therapist_id, id, starts_at, ends_at from time_off where {clause} order by starts_at"
        ))
        .bind(filter)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(knead_store::assemble::schedules(knead_store::assemble::ScheduleRows {
            bases: rows
                .into_iter()
                .map(|r| (r.therapist_id, GeoPoint { lat: r.base_lat, lon: r.base_lon }, r.radius_km))
                .collect(),
            services: services.into_iter().map(|(t, s)| (t, ServiceId(s))).collect(),
            weekly: weekly
                .into_iter()
                .map(|(t, d, s, e)| (t, WeeklyWindow { weekday: d as i8, start_minute: s, end_minute: e }))
                .collect(),
            overrides: overrides
                .into_iter()
                .filter_map(|(t, day, w)| {
                    Some((t, DayOverride { date: day.parse().ok()?, windows: serde_json::from_str(&w).ok()? }))
                })
                .collect(),
            time_off: time_off
                .into_iter()
                .map(|(t, id, s, e)| (t, TimeOff { id, start: from_micros(s), end: from_micros(e) }))
                .collect(),
        }))
    }
}

#[async_trait]
impl SchedulingStore for SqliteStore {
    async fn practice_settings(&self) -> StoreResult<PracticeSettings> {
        let json: Option<String> = sqlx::query_scalar("select settings from practice_settings where id = 1")
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()).unwrap_or_default())
    }

    async fn save_practice_settings(&self, settings: &PracticeSettings) -> StoreResult<()> {
        let json = serde_json::to_string(settings).map_err(StoreError::other)?;
        sqlx::query("insert into practice_settings (id, settings) values (1, ?1) on conflict (id) do update set settings = excluded.settings")
            .bind(json)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn clinics(&self) -> StoreResult<Vec<Clinic>> {
        let clinics: Vec<(i64, String, String, f64, f64)> =
            sqlx::query_as("select id, name, address, lat, lon from clinics order by name, id")
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
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(map_err)?;
        let id: i64 =
            sqlx::query_scalar("insert into clinics (name, address, lat, lon) values (?1, ?2, ?3, ?4) returning id")
                .bind(&d.name)
                .bind(&d.address)
                .bind(d.at.lat)
                .bind(d.at.lon)
                .fetch_one(&mut *tx)
                .await
                .map_err(map_err)?;
        for room in &d.rooms {
            sqlx::query("insert into rooms (clinic_id, name) values (?1, ?2)")
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
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(map_err)?;
        let exists: Option<i64> = sqlx::query_scalar("select id from therapists where id = ?1")
            .bind(therapist.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_err)?;
        if exists.is_none() {
            return Err(StoreError::NotFound);
        }
        sqlx::query(
            "insert into therapist_schedules (therapist_id, base_lat, base_lon, radius_km) values (?1, ?2, ?3, ?4) \
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
            sqlx::query(&format!("delete from {table} where therapist_id = ?1"))
                .bind(therapist.0)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        for s in &d.service_ids {
            sqlx::query("insert into therapist_services (therapist_id, service_id) values (?1, ?2)")
                .bind(therapist.0)
                .bind(s.0)
                .execute(&mut *tx)
                .await
                .map_err(|e| {
                    if e.as_database_error().is_some_and(|d| d.is_foreign_key_violation()) {
                        StoreError::NotFound
                    } else {
                        map_err(e)
                    }
                })?;
        }
        for w in &d.weekly {
            sqlx::query(
                "insert into weekly_hours (therapist_id, weekday, start_minute, end_minute) values (?1, ?2, ?3, ?4)",
            )
            .bind(therapist.0)
            .bind(i64::from(w.weekday))
            .bind(w.start_minute)
            .bind(w.end_minute)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)?;
        self.schedule(therapist).await?.ok_or(StoreError::NotFound)
    }

    async fn set_day_override(
        &self,
        therapist: TherapistId,
        date: Date,
        windows: Option<&[(i64, i64)]>,
    ) -> StoreResult<()> {
        match windows {
            Some(w) => {
                sqlx::query(
                    "insert into day_overrides (therapist_id, day, windows) values (?1, ?2, ?3) \
                     on conflict (therapist_id, day) do update set windows = excluded.windows",
                )
                .bind(therapist.0)
                .bind(date.to_string())
                .bind(serde_json::to_string(w).map_err(StoreError::other)?)
                .execute(&self.pool)
                .await
                .map_err(map_err)?;
            }
            None => {
                sqlx::query("delete from day_overrides where therapist_id = ?1 and day = ?2")
                    .bind(therapist.0)
                    .bind(date.to_string())
                    .execute(&self.pool)
                    .await
                    .map_err(map_err)?;
            }
        }
        Ok(())
    }

    async fn add_time_off(&self, therapist: TherapistId, start: Timestamp, end: Timestamp) -> StoreResult<TimeOff> {
        let id: i64 = sqlx::query_scalar(
            "insert into time_off (therapist_id, starts_at, ends_at) values (?1, ?2, ?3) returning id",
        )
        .bind(therapist.0)
        .bind(micros(start))
        .bind(micros(end))
        .fetch_one(&self.pool)
        .await
        .map_err(|e| {
            if e.as_database_error().is_some_and(|d| d.is_foreign_key_violation()) {
                StoreError::NotFound
            } else {
                map_err(e)
            }
        })?;
        Ok(TimeOff { id, start: from_micros(micros(start)), end: from_micros(micros(end)) })
    }

    async fn delete_time_off(&self, therapist: TherapistId, time_off_id: i64) -> StoreResult<()> {
        let done = sqlx::query("delete from time_off where id = ?1 and therapist_id = ?2")
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
        let rows: Vec<(i64, i64, i64, f64, f64)> = sqlx::query_as(
            "select therapist_id, block_start, block_end, lat, lon from visits \
             where active = 1 and block_start < ?2 and ?1 < block_end order by therapist_id, block_start",
        )
        .bind(micros(from))
        .bind(micros(to))
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|(t, s, e, lat, lon)| {
                (
                    TherapistId(t),
                    Stop {
                        start: minute_of(from_micros(s)),
                        end: end_minute(from_micros(e)),
                        at: GeoPoint { lat, lon },
                    },
                )
            })
            .collect())
    }

    async fn room_calendar(
        &self,
        clinic: ClinicId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<(usize, Vec<(Minute, Minute)>)> {
        let rooms: i64 = sqlx::query_scalar("select count(*) from rooms where clinic_id = ?1")
            .bind(clinic.0)
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)?;
        let busy: Vec<(i64, i64)> = sqlx::query_as(
            "select v.block_start, v.block_end from visits v join rooms r on r.id = v.room_id \
             where r.clinic_id = ?1 and v.active = 1 and v.block_start < ?3 and ?2 < v.block_end",
        )
        .bind(clinic.0)
        .bind(micros(from))
        .bind(micros(to))
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok((
            rooms as usize,
            busy.into_iter().map(|(s, e)| (minute_of(from_micros(s)), end_minute(from_micros(e)))).collect(),
        ))
    }

    async fn create_booking(&self, b: &NewBooking, check: TravelCheck<'_>) -> Result<Created, BookingError> {
        // IMMEDIATE takes the write lock before reading, so the re-check sees every committed booking.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(map_err)?;
        if let Some(key) = &b.idempotency_key {
            let earlier: Option<(i64, String)> =
                sqlx::query_as("select id, request_fingerprint from bookings where idempotency_key = ?1")
                    .bind(key)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(map_err)?;
            if let Some((id, fingerprint)) = earlier {
                if fingerprint != b.request_fingerprint {
                    return Err(BookingError::KeyReused);
                }
                let booking = one_booking(&mut tx, "b.id = ?1", id).await?;
                return Ok(Created::Replayed(booking));
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
             values (?1, 'confirmed', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) returning id",
        )
        .bind(b.service_id.0)
        .bind(micros(b.start))
        .bind(micros(b.end))
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
        .bind(micros(b.created_at))
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        check_and_insert_visits(&mut tx, id, b, check).await?;
        let booking = one_booking(&mut tx, "b.id = ?1", id).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(Created::New(booking))
    }

    async fn booking(&self, id: BookingId) -> StoreResult<Booking> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        one_booking(&mut conn, "b.id = ?1", id.0).await
    }

    async fn booking_by_idempotency_key(&self, key: &str) -> StoreResult<Option<(Booking, String)>> {
        let found: Option<(i64, String)> =
            sqlx::query_as("select id, request_fingerprint from bookings where idempotency_key = ?1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_err)?;
        match found {
            Some((id, fingerprint)) => Ok(Some((self.booking(BookingId(id)).await?, fingerprint))),
            None => Ok(None),
        }
    }

    async fn booking_by_manage_token(&self, token_hash: &str) -> StoreResult<Booking> {
        let id: i64 = sqlx::query_scalar("select id from bookings where manage_token_hash = ?1")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?
            .ok_or(StoreError::NotFound)?;
        self.booking(BookingId(id)).await
    }

    async fn cancel_booking(&self, id: BookingId, now: Timestamp) -> StoreResult<Booking> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(map_err)?;
        let done = sqlx::query(
            "update bookings set status = 'cancelled', cancelled_at = coalesce(cancelled_at, ?2) where id = ?1",
        )
        .bind(id.0)
        .bind(micros(now))
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        sqlx::query("update visits set active = 0 where booking_id = ?1")
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        let booking = one_booking(&mut tx, "b.id = ?1", id.0).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(booking)
    }

    async fn reschedule_booking(
        &self,
        id: BookingId,
        to: &NewBooking,
        check: TravelCheck<'_>,
    ) -> Result<Booking, BookingError> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await.map_err(map_err)?;
        let current = one_booking(&mut tx, "b.id = ?1", id.0).await?;
        if current.status != BookingStatus::Confirmed {
            return Err(BookingError::SlotTaken("a cancelled booking cannot be moved".into()));
        }
        // The old visits go first, so they do not count against the new ones.
        sqlx::query("delete from visits where booking_id = ?1").bind(id.0).execute(&mut *tx).await.map_err(map_err)?;
        check_and_insert_visits(&mut tx, id.0, to, check).await?;
        sqlx::query("update bookings set starts_at = ?2, ends_at = ?3, travel_fee_cents = ?4 where id = ?1")
            .bind(id.0)
            .bind(micros(to.start))
            .bind(micros(to.end))
            .bind(to.travel_fee_cents)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        let booking = one_booking(&mut tx, "b.id = ?1", id.0).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(booking)
    }

    async fn therapist_bookings(
        &self,
        therapist: TherapistId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<Booking>> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        load_bookings(
            &mut conn,
            "b.status = 'confirmed' and exists (select 1 from visits v where v.booking_id = b.id and v.active = 1 \
             and v.therapist_id = ?1 and v.block_start < ?3 and ?2 < v.block_end)",
            &[therapist.0, micros(from), micros(to)],
            "b.starts_at, b.id",
        )
        .await
    }

    async fn client_bookings(&self, user: UserId) -> StoreResult<Vec<Booking>> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        load_bookings(&mut conn, "b.client_user_id = ?1", &[user.0], "b.starts_at desc, b.id desc").await
    }

    async fn calendar_version(&self) -> StoreResult<i64> {
        sqlx::query_scalar("select version from calendar_version where id = 1")
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)
    }

    async fn link_therapist_user(&self, therapist: TherapistId, user: Option<UserId>) -> StoreResult<()> {
        let done = sqlx::query("update therapists set user_id = ?2 where id = ?1")
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
        let id: Option<i64> = sqlx::query_scalar("select id from therapists where user_id = ?1")
            .bind(user.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(id.map(TherapistId))
    }
}
