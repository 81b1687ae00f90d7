//! Recurring series and the waitlist over SQL.

use super::{returned_id, Locks, Param, Rows, SqlDatabase};
use crate::{StoreError, StoreResult, WaitlistStore};
use async_trait::async_trait;
use jiff::civil::{Date, Time};
use jiff::Timestamp;
use knead_core::booking::waitlist::{HeldStart, NewWaitlistEntry, WaitStatus, WaitlistEntry, WaitlistId, Wish};
use knead_core::booking::{BookingId, BookingRequest, ClinicId, Contact, NewSeries, Repeat, Series, SeriesId, Where};
use knead_core::intake::{ClientId, ScreeningId, VisitReason};
use knead_core::notify::NewJob;
use knead_core::{Email, Gender, ServiceId, TherapistId, UserId};

const INSERT_SERIES: &str = "insert into booking_series (first_date, local_time, zone, every_weeks, visits, \
     idempotency_key, created_at) values ($1, $2, $3, $4, $5, $6, $7) returning id";
macro_rules! series_columns {
    () => {
        "select id, first_date, local_time, zone, every_weeks, visits, idempotency_key, created_at \
         from booking_series "
    };
}
const SERIES_BY_ID: &str = concat!(series_columns!(), "where id = $1");
const SERIES_BY_KEY: &str = concat!(series_columns!(), "where idempotency_key = $1");

macro_rules! entry_columns {
    () => {
        "select id, service_id, client_id, client_user_id, client_name, client_email, client_phone, lat, lon, \
         address, clinic_id, reason, screening_id, add_ons, first_date, last_date, weekdays, earliest_minute, \
         latest_minute, status, token_hash, offer_start, offer_therapists, offer_expires_at, passed_start, \
         booking_id, created_at, therapist_gender from waitlist "
    };
}
const INSERT_ENTRY: &str = "insert into waitlist (service_id, client_id, client_user_id, client_name, \
     client_email, client_phone, lat, lon, address, clinic_id, reason, screening_id, add_ons, first_date, \
     last_date, weekdays, earliest_minute, latest_minute, token_hash, created_at, therapist_gender) \
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) \
     returning id";
const ENTRY_BY_ID: &str = concat!(entry_columns!(), "where id = $1");
const ENTRY_BY_TOKEN: &str = concat!(
    entry_columns!(),
    "where token_hash = $1 or id = (select l.waitlist_id from waitlist_links l where l.token_hash = $1)"
);
const INSERT_LINK: &str = "insert into waitlist_links (waitlist_id, token_hash, created_at) values ($1, $2, $3)";
const ENTRIES: &str = concat!(entry_columns!(), "where ($1 is null or status = $1) order by id limit $2");
const LAPSE_OFFERS: &str = "update waitlist set status = 'waiting', passed_start = offer_start, offer_start = null, \
     offer_therapists = null, offer_expires_at = null where status = 'offered' and offer_expires_at <= $1";
const EXPIRE_ENTRIES: &str = "update waitlist set status = 'expired' where status = 'waiting' and last_date < $1";
/// The offer is written only while the entry waits and no live offer holds the same start.
const OFFER: &str = "update waitlist set status = 'offered', offer_start = $2, offer_therapists = $3, \
     offer_expires_at = $4 where id = $1 and status = 'waiting' and not exists (select 1 from waitlist o \
     where o.status = 'offered' and o.offer_start = $2 and o.offer_expires_at > $5)";
const CLOSE: &str =
    "update waitlist set status = $2, booking_id = $3 where id = $1 and status in ('waiting', 'offered')";
const RETURN_TO_LINE: &str = "update waitlist set status = 'waiting', offer_start = null, offer_therapists = null, \
     offer_expires_at = null where id = $1 and status = 'offered'";

fn read_series(mut rows: Rows) -> StoreResult<Series> {
    let mut r = rows.first("booking_series").ok_or(StoreError::NotFound)?;
    let id = SeriesId(r.id("id")?);
    let first_date = r.date("first_date")?;
    let local_time = r.parsed("local_time", "a time of day", |t| t.parse::<Time>().ok())?;
    let zone = r.text("zone")?;
    let repeat = Repeat { every_weeks: r.int("every_weeks")?, visits: r.int("visits")? };
    let idempotency_key = r.opt_text("idempotency_key")?;
    let created_at = r.time("created_at")?;
    Ok(Series { id, series: NewSeries { first_date, local_time, zone, repeat, idempotency_key, created_at } })
}

fn read_entries(mut rows: Rows) -> StoreResult<Vec<WaitlistEntry>> {
    let mut out = Vec::new();
    for mut r in rows.read("waitlist") {
        let id = r.id("id")?;
        let service_id = ServiceId(r.int("service_id")?);
        let client_id = r.opt_int("client_id")?.map(ClientId);
        let client_user_id = r.opt_int("client_user_id")?.map(UserId);
        let client = Contact {
            name: r.text("client_name")?,
            email: r.parsed("client_email", "an email address", |s| Email::parse("client_email", s).ok())?,
            phone: r.text("client_phone")?,
        };
        let (lat, lon) = (r.opt_float("lat")?, r.opt_float("lon")?);
        let (address, clinic) = (r.opt_text("address")?, r.opt_int("clinic_id")?);
        let place = match (lat, lon, address, clinic) {
            (Some(lat), Some(lon), Some(address), None) => Where::Mobile {
                at: super::booking::point(lat, lon).ok_or_else(|| r.corrupt("columns lat, lon: not a place"))?,
                address,
            },
            (None, None, None, Some(clinic)) => Where::Clinic(ClinicId(clinic)),
            _ => return Err(r.corrupt("needs lat, lon and address, or a clinic_id, and not both")),
        };
        let reason = r.opt_parsed("reason", "a visit reason", |t| VisitReason::parse("reason", t).ok())?;
        let screening_id =
            r.opt_parsed("screening_id", "a screening id", |t| ScreeningId::parse("screening_id", t).ok())?;
        let add_ons: Vec<String> = r.json("add_ons", "a list of add-on names")?;
        let wish = Wish {
            first_date: r.date("first_date")?,
            last_date: r.date("last_date")?,
            weekdays: r.small("weekdays")?,
            earliest_minute: r.int("earliest_minute")?,
            latest_minute: r.int("latest_minute")?,
        };
        let status = r.parsed("status", "a waitlist status", WaitStatus::parse)?;
        let token_hash = r.text("token_hash")?;
        let offer_start = r.opt_time("offer_start")?;
        let therapists: Option<Vec<i64>> = match r.opt_text("offer_therapists")? {
            None => None,
            Some(text) => Some(serde_json::from_str(&text).map_err(|_| r.corrupt("column offer_therapists"))?),
        };
        let expires = r.opt_time("offer_expires_at")?;
        let offer = match (offer_start, therapists, expires) {
            (Some(start), Some(ids), Some(expires_at)) => {
                Some(HeldStart { start, therapist_ids: ids.into_iter().map(TherapistId).collect(), expires_at })
            }
            _ => None,
        };
        let passed_start = r.opt_time("passed_start")?;
        let booking_id = r.opt_int("booking_id")?.map(BookingId);
        let created_at = r.time("created_at")?;
        let therapist_gender = r.opt_parsed("therapist_gender", "a gender", Gender::parse)?;
        let visit = BookingRequest {
            service_id,
            start: offer.as_ref().map_or(created_at, |o| o.start),
            therapist_ids: offer.as_ref().map(|o| o.therapist_ids.clone()),
            place,
            client: Some(client.clone()),
            reason,
            screening_id,
            add_ons,
            notes: String::new(),
            client_id,
            intake: None,
            arrival_window_minutes: 0,
            therapist_gender,
        };
        let entry = NewWaitlistEntry { visit, client, client_user_id, wish, token_hash, created_at };
        out.push(WaitlistEntry { id: WaitlistId(id), entry, status, offer, passed_start, booking_id });
    }
    Ok(out)
}

fn one_entry(rows: Rows) -> StoreResult<WaitlistEntry> {
    read_entries(rows)?.pop().ok_or(StoreError::NotFound)
}

#[async_trait]
impl<D: SqlDatabase> WaitlistStore for D {
    async fn add_series(&self, s: &NewSeries) -> StoreResult<Series> {
        if let Some(key) = &s.idempotency_key {
            let found = self.query(SERIES_BY_KEY, &[key.into()]).await?;
            if !found.is_empty() {
                return read_series(found);
            }
        }
        let params = [
            s.first_date.into(),
            s.local_time.strftime("%H:%M:%S").to_string().as_str().into(),
            s.zone.as_str().into(),
            s.repeat.every_weeks.into(),
            s.repeat.visits.into(),
            s.idempotency_key.as_ref().into(),
            s.created_at.into(),
        ];
        let id = returned_id(self.query(INSERT_SERIES, &params).await?, "booking_series")?;
        self.series(SeriesId(id)).await
    }

    async fn series(&self, id: SeriesId) -> StoreResult<Series> {
        read_series(self.query(SERIES_BY_ID, &[id.into()]).await?)
    }

    async fn join_waitlist(&self, e: &NewWaitlistEntry, jobs: &[NewJob]) -> StoreResult<WaitlistEntry> {
        let v = &e.visit;
        let (lat, lon, address) = match &v.place {
            Where::Mobile { at, address } => (Some(at.lat), Some(at.lon), Some(address)),
            Where::Clinic(_) => (None, None, None),
        };
        let params = [
            v.service_id.into(),
            v.client_id.into(),
            e.client_user_id.into(),
            (&e.client.name).into(),
            e.client.email.as_str().into(),
            (&e.client.phone).into(),
            lat.into(),
            lon.into(),
            address.into(),
            v.place.clinic().into(),
            v.reason.map(|r| r.as_str()).into(),
            v.screening_id.as_ref().map(|s| s.0.as_str()).into(),
            Param::json(&v.add_ons)?,
            e.wish.first_date.into(),
            e.wish.last_date.into(),
            i64::from(e.wish.weekdays).into(),
            e.wish.earliest_minute.into(),
            e.wish.latest_minute.into(),
            (&e.token_hash).into(),
            e.created_at.into(),
            v.therapist_gender.map(Gender::as_str).into(),
        ];
        let mut tx = self.write(&Locks::none()).await?;
        let id = returned_id(tx.query(INSERT_ENTRY, &params).await?, "waitlist")?;
        let jobs: Vec<NewJob> =
            jobs.iter().map(|j| NewJob { waitlist_id: Some(WaitlistId(id)), ..j.clone() }).collect();
        super::notify::insert_jobs(&mut *tx, None, &jobs, e.created_at).await?;
        let entry = one_entry(tx.query(ENTRY_BY_ID, &[id.into()]).await?)?;
        tx.commit().await?;
        Ok(entry)
    }

    async fn waitlist_entry(&self, id: WaitlistId) -> StoreResult<WaitlistEntry> {
        one_entry(self.query(ENTRY_BY_ID, &[id.into()]).await?)
    }

    async fn waitlist_by_token(&self, token_hash: &str) -> StoreResult<WaitlistEntry> {
        one_entry(self.query(ENTRY_BY_TOKEN, &[token_hash.into()]).await?)
    }

    async fn add_waitlist_link(&self, id: WaitlistId, token_hash: &str, now: Timestamp) -> StoreResult<()> {
        self.execute(INSERT_LINK, &[id.into(), token_hash.into(), now.into()]).await?;
        Ok(())
    }

    async fn waitlist(&self, status: Option<WaitStatus>, limit: i64) -> StoreResult<Vec<WaitlistEntry>> {
        read_entries(self.query(ENTRIES, &[status.map(WaitStatus::as_str).into(), limit.clamp(1, 1000).into()]).await?)
    }

    async fn lapse_waitlist_offers(&self, now: Timestamp, today: Date) -> StoreResult<u64> {
        let mut tx = self.write(&Locks::none()).await?;
        let lapsed = tx.execute(LAPSE_OFFERS, &[now.into()]).await?;
        tx.execute(EXPIRE_ENTRIES, &[today.into()]).await?;
        tx.commit().await?;
        Ok(lapsed)
    }

    async fn offer_waitlist_start(
        &self,
        id: WaitlistId,
        offer: &HeldStart,
        jobs: &[NewJob],
        now: Timestamp,
    ) -> StoreResult<bool> {
        // The therapists' booking locks: two servers offering the same start take turns, and the second
        // sees the first's offer.
        let locks = Locks { therapists: offer.therapist_ids.clone(), ..Locks::none() };
        let mut tx = self.write(&locks).await?;
        let ids: Vec<i64> = offer.therapist_ids.iter().map(|t| t.0).collect();
        let params = [id.into(), offer.start.into(), Param::json(&ids)?, offer.expires_at.into(), now.into()];
        if tx.execute(OFFER, &params).await? != 1 {
            return Ok(false);
        }
        let jobs: Vec<NewJob> = jobs.iter().map(|j| NewJob { waitlist_id: Some(id), ..j.clone() }).collect();
        super::notify::insert_jobs(&mut *tx, None, &jobs, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn close_waitlist_entry(
        &self,
        id: WaitlistId,
        status: WaitStatus,
        booking: Option<BookingId>,
    ) -> StoreResult<bool> {
        Ok(self.execute(CLOSE, &[id.into(), status.as_str().into(), booking.into()]).await? == 1)
    }

    async fn return_to_waitlist(&self, id: WaitlistId) -> StoreResult<bool> {
        Ok(self.execute(RETURN_TO_LINE, &[id.into()]).await? == 1)
    }
}
