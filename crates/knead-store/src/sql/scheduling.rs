//! The scheduling port over SQL: practice settings, therapists' schedules, hours and time off, the booked
//! stops and room calendars availability reads; the bookings are in `booking`, the practice's details and
//! its clinics and rooms in `practice`.

use super::booking::{self, point, read_stop};
use super::{practice, Locks, Param, SqlDatabase};
use crate::{
    BookingError, CalendarChanges, ClinicError, Created, SchedulingStore, StoreError, StoreResult, VisitChange,
    MAX_LOGGED_CHANGES,
};
use async_trait::async_trait;
use jiff::civil::Date;
use jiff::Timestamp;
use knead_core::booking::{Booking, BookingChange, BookingId, Clinic, ClinicDraft, ClinicId, NewBooking};
use knead_core::calendar::{
    DayOverride, DayWindows, PracticeSettings, ScheduleDraft, TherapistSchedule, TimeOff, WeeklyWindow,
};
use knead_core::notify::NewJob;
use knead_core::practice::PracticeDetails;
use knead_core::schedule::{DayRule, RoomCalendar, Stop};
use knead_core::{Gender, ServiceId, TherapistId, UserId};
use std::collections::HashMap;

const PRACTICE_SETTINGS: &str = "select settings from practice_settings where id = 1";
const SAVE_PRACTICE_SETTINGS: &str = "insert into practice_settings (id, settings) values (1, $1) \
     on conflict (id) do update set settings = excluded.settings";

/// The five reads a set of schedules is made from, for every unarchived therapist with a schedule.
const ALL_SCHEDULES: [&str; 5] = [
    "select s.therapist_id, s.base_lat, s.base_lon, s.radius_km, t.gender from therapist_schedules s \
     join therapists t on t.id = s.therapist_id where not t.archived order by s.therapist_id",
    "select therapist_id, service_id from therapist_services order by service_id",
    "select therapist_id, weekday, start_minute, end_minute from weekly_hours order by weekday, start_minute",
    "select therapist_id, day, windows from day_overrides order by day",
    "select therapist_id, id, starts_at, ends_at from time_off order by starts_at, id",
];

/// The same five reads for one therapist (`$1`), archived or not.
const ONE_SCHEDULE: [&str; 5] = [
    "select s.therapist_id, s.base_lat, s.base_lon, s.radius_km, t.gender from therapist_schedules s \
     join therapists t on t.id = s.therapist_id where s.therapist_id = $1",
    "select therapist_id, service_id from therapist_services where therapist_id = $1 order by service_id",
    "select therapist_id, weekday, start_minute, end_minute from weekly_hours where therapist_id = $1 \
     order by weekday, start_minute",
    "select therapist_id, day, windows from day_overrides where therapist_id = $1 order by day",
    "select therapist_id, id, starts_at, ends_at from time_off where therapist_id = $1 order by starts_at, id",
];

const THERAPIST_EXISTS: &str = "select id from therapists where id = $1";
const SAVE_SCHEDULE: &str = "insert into therapist_schedules (therapist_id, base_lat, base_lon, radius_km) \
     values ($1, $2, $3, $4) on conflict (therapist_id) do update set base_lat = excluded.base_lat, \
     base_lon = excluded.base_lon, radius_km = excluded.radius_km";
const DELETE_THERAPIST_SERVICES: &str = "delete from therapist_services where therapist_id = $1";
const DELETE_WEEKLY_HOURS: &str = "delete from weekly_hours where therapist_id = $1";
const INSERT_THERAPIST_SERVICE: &str = "insert into therapist_services (therapist_id, service_id) values ($1, $2)";
const INSERT_WEEKLY_HOURS: &str =
    "insert into weekly_hours (therapist_id, weekday, start_minute, end_minute) values ($1, $2, $3, $4)";
const SET_DAY_OVERRIDE: &str = "insert into day_overrides (therapist_id, day, windows) values ($1, $2, $3) \
     on conflict (therapist_id, day) do update set windows = excluded.windows";
const DELETE_DAY_OVERRIDE: &str = "delete from day_overrides where therapist_id = $1 and day = $2";
const ADD_TIME_OFF: &str =
    "insert into time_off (therapist_id, starts_at, ends_at) values ($1, $2, $3) returning id, starts_at, ends_at";
const DELETE_TIME_OFF: &str = "delete from time_off where id = $1 and therapist_id = $2";

const STOPS_BETWEEN: &str = "select id, therapist_id, block_start, block_end, lat, lon from visits \
     where active and block_start < $2 and $1 < block_end order by therapist_id, block_start";
/// How many therapists one `THERAPISTS_STOPS` statement names.
const STOPS_BATCH: usize = 16;
/// `STOPS_BETWEEN` for the therapists `$3` to `$18` (a fixed list, so one prepared statement).
const THERAPISTS_STOPS: &str = "select id, therapist_id, block_start, block_end, lat, lon from visits \
     where active and therapist_id in ($3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) \
     and block_start < $2 and $1 < block_end order by therapist_id, block_start";
/// Every room the clinic has (so the count) with the visits that keep it busy in the range, in one snapshot.
const ROOM_CALENDAR: &str = "select r.id as room_id, v.id as visit_id, v.block_start, v.block_end from rooms r \
     left join visits v on v.room_id = r.id and v.active and v.block_start < $3 and $2 < v.block_end \
     where r.clinic_id = $1 and not r.archived order by r.id";
const CALENDAR_VERSION: &str = "select version from calendar_version where id = 1";
/// The version with the changes logged since `$1` (at most `$2` versions on), in one statement so they agree.
const CALENDAR_CHANGES: &str = "select v.version, c.version as changed, c.therapist_id, c.block_start, c.block_end \
     from calendar_version v left join calendar_changes c on c.version > $1 and c.version <= v.version \
     and c.version <= $2 where v.id = 1 order by c.version";
const LINK_THERAPIST_USER: &str = "update therapists set user_id = $2 where id = $1";
const THERAPIST_FOR_USER: &str = "select id from therapists where user_id = $1";

/// Rows grouped by their owner's id, order kept within an owner.
fn group<T>(rows: Vec<(i64, T)>) -> HashMap<i64, Vec<T>> {
    let mut map: HashMap<i64, Vec<T>> = HashMap::new();
    for (owner, row) in rows {
        map.entry(owner).or_default().push(row);
    }
    map
}

/// Schedules from the five reads of `ALL_SCHEDULES` or `ONE_SCHEDULE`, in one snapshot.
async fn load_schedules<D: SqlDatabase>(
    db: &D,
    reads: &[&'static str; 5],
    params: &[Param],
) -> StoreResult<Vec<TherapistSchedule>> {
    let mut tx = db.snapshot().await?;
    let mut bases = tx.query(reads[0], params).await?;
    let mut services = tx.query(reads[1], params).await?;
    let mut weekly = tx.query(reads[2], params).await?;
    let mut overrides = tx.query(reads[3], params).await?;
    let mut time_off = tx.query(reads[4], params).await?;
    tx.commit().await?;

    let services: StoreResult<Vec<(i64, ServiceId)>> = services
        .read("therapist_services")
        .map(|mut r| Ok((r.id("therapist_id")?, ServiceId(r.int("service_id")?))))
        .collect();
    let weekly: StoreResult<Vec<(i64, WeeklyWindow)>> = weekly
        .read("weekly_hours")
        .map(|mut r| {
            let therapist = r.id("therapist_id")?;
            let weekday = r.small::<i8>("weekday")?;
            if !(1..=7).contains(&weekday) {
                return Err(r.corrupt("column weekday: not 1 (Monday) to 7 (Sunday)"));
            }
            Ok((
                therapist,
                WeeklyWindow { weekday, start_minute: r.int("start_minute")?, end_minute: r.int("end_minute")? },
            ))
        })
        .collect();
    let overrides: StoreResult<Vec<(i64, DayOverride)>> = overrides
        .read("day_overrides")
        .map(|mut r| {
            let therapist = r.id("therapist_id")?;
            let date = r.date("day")?;
            r.name_by("day_overrides", format!("{therapist}/{date}"));
            Ok((therapist, DayOverride { date, windows: r.json("windows", "a day's windows")? }))
        })
        .collect();
    let time_off: StoreResult<Vec<(i64, TimeOff)>> = time_off
        .read("time_off")
        .map(|mut r| {
            let therapist = r.int("therapist_id")?;
            let id = r.id("id")?;
            Ok((therapist, TimeOff { id, start: r.time("starts_at")?, end: r.time("ends_at")? }))
        })
        .collect();
    let (mut services, mut weekly) = (group(services?), group(weekly?));
    let (mut overrides, mut time_off) = (group(overrides?), group(time_off?));
    bases
        .read("therapist_schedules")
        .map(|mut r| {
            let therapist = r.id("therapist_id")?;
            let (lat, lon) = (r.float("base_lat")?, r.float("base_lon")?);
            let base = point(lat, lon).ok_or_else(|| r.corrupt("columns base_lat, base_lon: not a place on earth"))?;
            Ok(TherapistSchedule {
                therapist_id: TherapistId(therapist),
                base,
                radius_km: r.float("radius_km")?,
                service_ids: services.remove(&therapist).unwrap_or_default(),
                weekly: weekly.remove(&therapist).unwrap_or_default(),
                overrides: overrides.remove(&therapist).unwrap_or_default(),
                time_off: time_off.remove(&therapist).unwrap_or_default(),
                gender: r.opt_parsed("gender", "a gender", Gender::parse)?,
            })
        })
        .collect()
}

#[async_trait]
impl<D: SqlDatabase> SchedulingStore for D {
    async fn practice_settings(&self) -> StoreResult<PracticeSettings> {
        let mut rows = self.query(PRACTICE_SETTINGS, &[]).await?;
        match rows.first("practice_settings") {
            None => Ok(PracticeSettings::default()),
            Some(mut r) => {
                r.now_reading("practice_settings", 1);
                r.json("settings", "the practice's settings")
            }
        }
    }

    async fn save_practice_settings(&self, settings: &PracticeSettings) -> StoreResult<()> {
        self.execute(SAVE_PRACTICE_SETTINGS, &[Param::json(settings)?]).await?;
        Ok(())
    }

    async fn practice_details(&self) -> StoreResult<PracticeDetails> {
        practice::read_details(self.query(practice::PRACTICE_DETAILS, &[]).await?)
    }

    async fn save_practice_details(&self, details: &PracticeDetails) -> StoreResult<()> {
        practice::save_details(self, details).await
    }

    async fn clinics(&self) -> StoreResult<Vec<Clinic>> {
        practice::clinics(self).await
    }

    async fn clinic(&self, id: ClinicId) -> StoreResult<Clinic> {
        practice::clinic(self, id).await
    }

    async fn create_clinic(&self, draft: &ClinicDraft) -> StoreResult<Clinic> {
        practice::create_clinic(self, draft).await
    }

    async fn update_clinic(&self, id: ClinicId, draft: &ClinicDraft, now: Timestamp) -> Result<Clinic, ClinicError> {
        practice::update_clinic(self, id, draft, now).await
    }

    async fn set_clinic_archived(&self, id: ClinicId, archived: bool) -> StoreResult<Clinic> {
        practice::set_clinic_archived(self, id, archived).await
    }

    async fn schedules(&self) -> StoreResult<Vec<TherapistSchedule>> {
        load_schedules(self, &ALL_SCHEDULES, &[]).await
    }

    async fn schedule(&self, therapist: TherapistId) -> StoreResult<Option<TherapistSchedule>> {
        Ok(load_schedules(self, &ONE_SCHEDULE, &[therapist.into()]).await?.pop())
    }

    async fn save_schedule(&self, therapist: TherapistId, d: &ScheduleDraft) -> StoreResult<TherapistSchedule> {
        let mut tx = self.write(&Locks::none()).await?;
        if tx.query(THERAPIST_EXISTS, &[therapist.into()]).await?.is_empty() {
            return Err(StoreError::NotFound);
        }
        // On PostgreSQL the upsert locks the schedule row, so two saves of one schedule take turns.
        let params = [therapist.into(), d.base.lat.into(), d.base.lon.into(), d.radius_km.into()];
        tx.execute(SAVE_SCHEDULE, &params).await?;
        tx.execute(DELETE_THERAPIST_SERVICES, &[therapist.into()]).await?;
        tx.execute(DELETE_WEEKLY_HOURS, &[therapist.into()]).await?;
        for service in &d.service_ids {
            let params = [therapist.into(), (*service).into()];
            tx.execute(INSERT_THERAPIST_SERVICE, &params).await.map_err(|e| e.missing_on_foreign_key())?;
        }
        for w in &d.weekly {
            let params = [therapist.into(), i64::from(w.weekday).into(), w.start_minute.into(), w.end_minute.into()];
            tx.execute(INSERT_WEEKLY_HOURS, &params).await?;
        }
        tx.commit().await?;
        self.schedule(therapist).await?.ok_or(StoreError::NotFound)
    }

    async fn set_day_override(
        &self,
        therapist: TherapistId,
        date: Date,
        windows: Option<&DayWindows>,
    ) -> StoreResult<()> {
        match windows {
            Some(windows) => {
                let params = [therapist.into(), date.into(), Param::json(windows)?];
                self.execute(SET_DAY_OVERRIDE, &params).await?
            }
            None => self.execute(DELETE_DAY_OVERRIDE, &[therapist.into(), date.into()]).await?,
        };
        Ok(())
    }

    async fn add_time_off(&self, therapist: TherapistId, start: Timestamp, end: Timestamp) -> StoreResult<TimeOff> {
        let params = [therapist.into(), start.into(), end.into()];
        let mut rows = self.query(ADD_TIME_OFF, &params).await.map_err(|e| e.missing_on_foreign_key())?;
        let mut r = rows.first("time_off").ok_or_else(|| StoreError::corrupt("time_off", "?", "no row came back"))?;
        Ok(TimeOff { id: r.id("id")?, start: r.time("starts_at")?, end: r.time("ends_at")? })
    }

    async fn delete_time_off(&self, therapist: TherapistId, time_off_id: i64) -> StoreResult<()> {
        if self.execute(DELETE_TIME_OFF, &[time_off_id.into(), therapist.into()]).await? == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn stops_between(&self, from: Timestamp, to: Timestamp) -> StoreResult<Vec<(TherapistId, Stop)>> {
        let mut stops = Vec::new();
        read_therapist_stops(self.query(STOPS_BETWEEN, &[from.into(), to.into()]).await?, &mut stops)?;
        Ok(stops)
    }

    async fn room_calendar(&self, clinic: ClinicId, from: Timestamp, to: Timestamp) -> StoreResult<RoomCalendar> {
        let mut rows = self.query(ROOM_CALENDAR, &[clinic.into(), from.into(), to.into()]).await?;
        let mut calendar = RoomCalendar { rooms: 0, busy: Vec::new() };
        let mut last_room = None;
        for mut r in rows.read("rooms") {
            let room = r.id("room_id")?;
            if last_room != Some(room) {
                calendar.rooms += 1;
                last_room = Some(room);
            }
            if r.next_is_null() {
                continue;
            }
            let visit = r.int("visit_id")?;
            r.now_reading("visits", visit);
            let (start, end) = (r.time("block_start")?, r.time("block_end")?);
            calendar.busy.push((knead_core::calendar::minute_of(start), knead_core::calendar::end_minute_of(end)));
        }
        Ok(calendar)
    }

    async fn create_booking(&self, b: &NewBooking, rule: &dyn DayRule) -> Result<Created, BookingError> {
        booking::create(self, b, rule).await
    }

    async fn booking(&self, id: BookingId) -> StoreResult<Booking> {
        booking::one_booking(self.query(booking::BOOKING_BY_ID, &[id.into()]).await?)
    }

    async fn booking_by_idempotency_key(&self, key: &str) -> StoreResult<Option<(Booking, String)>> {
        Ok(booking::read_bookings(self.query(booking::BOOKING_BY_KEY, &[key.into()]).await?)?.pop())
    }

    async fn booking_by_manage_token(&self, token_hash: &str) -> StoreResult<Booking> {
        booking::one_booking(self.query(booking::BOOKING_BY_MANAGE_TOKEN, &[token_hash.into()]).await?)
    }

    async fn cancel_booking(
        &self,
        id: BookingId,
        now: Timestamp,
        staff: Option<UserId>,
        jobs: &[NewJob],
    ) -> StoreResult<Booking> {
        super::booking_cancel::cancel(self, id, now, staff, jobs).await
    }

    async fn reschedule_booking(
        &self,
        id: BookingId,
        to: &NewBooking,
        rule: &dyn DayRule,
        staff: Option<UserId>,
    ) -> Result<Booking, BookingError> {
        booking::reschedule(self, id, to, rule, staff).await
    }

    async fn apply_day_plan(
        &self,
        moves: &[crate::PlannedMove<'_>],
        staff: UserId,
    ) -> Result<Vec<Booking>, BookingError> {
        super::day_plan::apply(self, moves, staff).await
    }

    async fn booking_changes(&self, id: BookingId) -> StoreResult<Vec<BookingChange>> {
        super::booking_changes::read_changes(self.query(super::booking_changes::BOOKING_CHANGES, &[id.into()]).await?)
    }

    async fn therapist_bookings(
        &self,
        therapist: TherapistId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<Booking>> {
        let params = [therapist.into(), from.into(), to.into()];
        booking::read_booking_list(self.query(booking::THERAPIST_BOOKINGS, &params).await?)
    }

    async fn client_bookings(&self, user: UserId) -> StoreResult<Vec<Booking>> {
        booking::read_booking_list(self.query(booking::CLIENT_BOOKINGS, &[user.into()]).await?)
    }

    async fn calendar_version(&self) -> StoreResult<i64> {
        let mut rows = self.query(CALENDAR_VERSION, &[]).await?;
        let mut r =
            rows.first("calendar_version").ok_or_else(|| StoreError::corrupt("calendar_version", 1, "missing"))?;
        r.now_reading("calendar_version", 1);
        r.int("version")
    }

    async fn calendar_changes(&self, since: i64) -> StoreResult<CalendarChanges> {
        let mut rows = self.query(CALENDAR_CHANGES, &[since.into(), (since + MAX_LOGGED_CHANGES).into()]).await?;
        let mut version = None;
        let mut visits = Vec::new();
        let mut versions_seen = 0;
        let mut last_seen = since;
        for mut r in rows.read("calendar_changes") {
            version = Some(r.int("version")?);
            if r.next_is_null() {
                continue;
            }
            let changed = r.int("changed")?;
            if changed != last_seen {
                versions_seen += 1;
                last_seen = changed;
            }
            let therapist = TherapistId(r.int("therapist_id")?);
            visits.push(VisitChange { therapist, from: r.time("block_start")?, to: r.time("block_end")? });
        }
        let version = version.ok_or_else(|| StoreError::corrupt("calendar_version", 1, "missing"))?;
        // Every version since has its rows only when visits alone moved the calendar.
        let only_visits = version >= since && version - since <= MAX_LOGGED_CHANGES && versions_seen == version - since;
        Ok(CalendarChanges { version, visits: only_visits.then_some(visits) })
    }

    async fn therapists_stops_between(
        &self,
        therapists: &[TherapistId],
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<(TherapistId, Stop)>> {
        // In id order, so batch after batch keeps the stops in therapist order.
        let mut therapists = therapists.to_vec();
        therapists.sort_unstable();
        therapists.dedup();
        let mut stops = Vec::new();
        for batch in therapists.chunks(STOPS_BATCH) {
            // Unused places repeat the batch's first id: the same statement text serves every batch size.
            let ids = (0..STOPS_BATCH).map(|i| batch.get(i).unwrap_or(&batch[0]).0.into());
            let params: Vec<Param> = [from.into(), to.into()].into_iter().chain(ids).collect();
            read_therapist_stops(self.query(THERAPISTS_STOPS, &params).await?, &mut stops)?;
        }
        Ok(stops)
    }

    async fn link_therapist_user(&self, therapist: TherapistId, user: Option<UserId>) -> StoreResult<()> {
        if self.execute(LINK_THERAPIST_USER, &[therapist.into(), user.into()]).await? == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn therapist_for_user(&self, user: UserId) -> StoreResult<Option<TherapistId>> {
        let mut rows = self.query(THERAPIST_FOR_USER, &[user.into()]).await?;
        rows.first("therapists").map(|mut r| Ok(TherapistId(r.id("id")?))).transpose()
    }
}

/// Rows of `id, therapist_id, block_start, block_end, lat, lon` as stops, added to `stops`.
fn read_therapist_stops(mut rows: super::Rows, stops: &mut Vec<(TherapistId, Stop)>) -> StoreResult<()> {
    // Thousands of rows when the availability cache rebuilds: sized once, not grown.
    stops.reserve(rows.len());
    for mut r in rows.read("visits") {
        r.id("id")?;
        let therapist = TherapistId(r.int("therapist_id")?);
        stops.push((therapist, read_stop(&mut r)?));
    }
    Ok(())
}
