//! Chair days and their sign-ups in SQL: the day is written inside the booking's own transaction
//! (`booking::create_with`); a sign-up tries the free chairs at its start in order, each insert on its own, so
//! the partial unique index decides every race and a lost one simply tries the next chair.

use super::booking::{create_with, Beside};
use super::{returned_id, DbErrorKind, Param, Row, Rows, SqlDatabase, SqlTransaction};
use crate::groups::{GroupStore, SignupError};
use crate::{BookingError, Created, StoreError, StoreResult};
use async_trait::async_trait;
use jiff::Timestamp;
use knead_core::booking::{Booking, BookingId, NewBooking};
use knead_core::events::chair::ChairBreaks;
use knead_core::events::{ChairDay, GroupId, GuestVisit, NewChairDay, NewSignup, Signup, SignupId};
use knead_core::schedule::DayRule;
use knead_core::Email;

const INSERT_DAY: &str =
    "insert into chair_days (booking_id, chairs, slot_minutes, break_every_minutes, break_minutes, \
     signup_token_hash, created_at) values ($1, $2, $3, $4, $5, $6, $7) returning id";

macro_rules! day_columns {
    () => {
        "select id, booking_id, chairs, slot_minutes, break_every_minutes, break_minutes, signup_token_hash, \
         created_at from chair_days "
    };
}
const DAY_BY_ID: &str = concat!(day_columns!(), "where id = $1");
const DAY_BY_BOOKING: &str = concat!(day_columns!(), "where booking_id = $1");
const DAY_BY_TOKEN: &str = concat!(day_columns!(), "where signup_token_hash = $1");
const DAYS: &str = concat!(day_columns!(), "order by id desc limit $1");

macro_rules! signup_columns {
    () => {
        "select id, chair_day_id, starts_at, chair, name, email, answers, consented_at, cancel_token_hash, \
         created_at, cancelled_at from chair_signups "
    };
}
const SIGNUPS: &str = concat!(signup_columns!(), "where chair_day_id = $1 order by starts_at, chair, id");
const SIGNUP_BY_ID: &str = concat!(signup_columns!(), "where id = $1");
const SIGNUP_BY_TOKEN: &str = concat!(signup_columns!(), "where cancel_token_hash = $1");
const HELD_CHAIRS: &str =
    "select chair from chair_signups where chair_day_id = $1 and starts_at = $2 and cancelled_at is null";
const INSERT_SIGNUP: &str = "insert into chair_signups (chair_day_id, starts_at, chair, name, email, answers, \
     consented_at, cancel_token_hash, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id";
const CANCEL_SIGNUP: &str =
    "update chair_signups set cancelled_at = $2 where cancel_token_hash = $1 and cancelled_at is null";

const INSERT_GUEST: &str = "insert into party_guests (booking_id, position, name, service_id, add_ons, therapist_id, \
     starts_at, ends_at) values ($1, $2, $3, $4, $5, $6, $7, $8)";
const GUESTS: &str = "select position, name, service_id, add_ons, therapist_id, starts_at, ends_at from party_guests \
     where booking_id = $1 order by position";

/// Writes a party's guests beside booking `booking` in the caller's transaction.
pub(super) async fn insert_guests(
    tx: &mut dyn SqlTransaction,
    booking: BookingId,
    guests: &[GuestVisit],
) -> StoreResult<()> {
    for g in guests {
        let params = [
            booking.into(),
            g.position.into(),
            (&g.name).into(),
            g.service_id.into(),
            Param::json(&g.add_ons)?,
            g.therapist_id.into(),
            g.start.into(),
            g.end.into(),
        ];
        tx.execute(INSERT_GUEST, &params).await.map_err(|e| e.missing_on_foreign_key())?;
    }
    Ok(())
}

fn read_guests(mut rows: Rows) -> StoreResult<Vec<GuestVisit>> {
    rows.read("party_guests")
        .map(|mut r| {
            Ok(GuestVisit {
                position: r.int("position")?,
                name: r.text("name")?,
                service_id: knead_core::ServiceId(r.int("service_id")?),
                add_ons: r.json("add_ons", "a list of add-on names")?,
                therapist_id: knead_core::TherapistId(r.int("therapist_id")?),
                start: r.time("starts_at")?,
                end: r.time("ends_at")?,
            })
        })
        .collect()
}

/// Writes `day` beside booking `booking` in the caller's transaction.
pub(super) async fn insert(
    tx: &mut dyn SqlTransaction,
    booking: BookingId,
    day: &NewChairDay,
    now: Timestamp,
) -> StoreResult<i64> {
    let params = [
        booking.into(),
        day.chairs.into(),
        day.slot_minutes.into(),
        day.breaks.every_minutes.into(),
        day.breaks.length_minutes.into(),
        (&day.signup_token_hash).into(),
        now.into(),
    ];
    returned_id(tx.query(INSERT_DAY, &params).await?, "chair_days")
}

fn read_day(r: &mut Row<'_>) -> StoreResult<ChairDay> {
    let id = r.id("id")?;
    Ok(ChairDay {
        id: GroupId(id),
        booking_id: BookingId(r.int("booking_id")?),
        day: NewChairDay {
            chairs: r.int("chairs")?,
            slot_minutes: r.int("slot_minutes")?,
            breaks: ChairBreaks {
                every_minutes: r.int("break_every_minutes")?,
                length_minutes: r.int("break_minutes")?,
            },
            signup_token_hash: r.text("signup_token_hash")?,
        },
        created_at: r.time("created_at")?,
    })
}

fn read_days(mut rows: Rows) -> StoreResult<Vec<ChairDay>> {
    rows.read("chair_days").map(|mut r| read_day(&mut r)).collect()
}

fn one_day(rows: Rows) -> StoreResult<ChairDay> {
    read_days(rows)?.pop().ok_or(StoreError::NotFound)
}

fn read_signups(mut rows: Rows) -> StoreResult<Vec<Signup>> {
    rows.read("chair_signups")
        .map(|mut r| {
            let id = r.id("id")?;
            let group_id = GroupId(r.int("chair_day_id")?);
            let start = r.time("starts_at")?;
            Ok(Signup {
                id: SignupId(id),
                group_id,
                chair: r.int("chair")?,
                signup: NewSignup {
                    start,
                    name: r.text("name")?,
                    email: Email::from_trusted(r.text("email")?),
                    answers: r.json("answers", "health-check answers")?,
                    consented_at: r.time("consented_at")?,
                    cancel_token_hash: r.text("cancel_token_hash")?,
                    created_at: r.time("created_at")?,
                },
                cancelled_at: r.opt_time("cancelled_at")?,
            })
        })
        .collect()
}

fn one_signup(rows: Rows) -> StoreResult<Signup> {
    read_signups(rows)?.pop().ok_or(StoreError::NotFound)
}

#[async_trait]
impl<D: SqlDatabase> GroupStore for D {
    async fn create_chair_day(
        &self,
        booking: &NewBooking,
        day: &NewChairDay,
        rule: &dyn DayRule,
    ) -> Result<(Booking, ChairDay), BookingError> {
        // A chair day is never replayed by key: the app writes it without one.
        let written = match create_with(self, booking, rule, Beside::ChairDay(day)).await? {
            Created::New(b) | Created::Replayed(b) => b,
        };
        let day = one_day(self.query(DAY_BY_BOOKING, &[written.id.into()]).await.map_err(StoreError::from)?)?;
        Ok((written, day))
    }

    async fn chair_day(&self, id: GroupId) -> StoreResult<ChairDay> {
        one_day(self.query(DAY_BY_ID, &[id.0.into()]).await?)
    }

    async fn chair_day_by_token(&self, signup_token_hash: &str) -> StoreResult<ChairDay> {
        one_day(self.query(DAY_BY_TOKEN, &[signup_token_hash.into()]).await?)
    }

    async fn chair_days(&self, limit: i64) -> StoreResult<Vec<ChairDay>> {
        read_days(self.query(DAYS, &[limit.clamp(1, 1000).into()]).await?)
    }

    async fn chair_signups(&self, id: GroupId) -> StoreResult<Vec<Signup>> {
        read_signups(self.query(SIGNUPS, &[id.0.into()]).await?)
    }

    async fn sign_up(&self, id: GroupId, chairs: &[i64], s: &NewSignup) -> Result<Signup, SignupError> {
        self.chair_day(id).await?;
        let mut held_rows = self.query(HELD_CHAIRS, &[id.0.into(), s.start.into()]).await.map_err(StoreError::from)?;
        let held: Vec<i64> = held_rows.read("chair_signups").map(|mut r| r.int("chair")).collect::<StoreResult<_>>()?;
        for &chair in chairs.iter().filter(|c| !held.contains(c)) {
            let params = [
                id.0.into(),
                s.start.into(),
                chair.into(),
                (&s.name).into(),
                s.email.as_str().into(),
                Param::json(&s.answers)?,
                s.consented_at.into(),
                (&s.cancel_token_hash).into(),
                s.created_at.into(),
            ];
            // Each insert on its own: a lost race leaves nothing to roll back, and the next chair is tried.
            match self.query(INSERT_SIGNUP, &params).await {
                Ok(rows) => {
                    let signup = returned_id(rows, "chair_signups")?;
                    return Ok(one_signup(
                        self.query(SIGNUP_BY_ID, &[signup.into()]).await.map_err(StoreError::from)?,
                    )?);
                }
                Err(e) if matches!(e.kind(), DbErrorKind::UniqueViolation { .. }) => continue,
                Err(e) => return Err(StoreError::from(e).into()),
            }
        }
        Err(SignupError::SlotFull)
    }

    async fn create_party(
        &self,
        booking: &NewBooking,
        guests: &[GuestVisit],
        rule: &dyn DayRule,
    ) -> Result<(Booking, Vec<GuestVisit>), BookingError> {
        let written = match create_with(self, booking, rule, Beside::Party(guests)).await? {
            Created::New(b) | Created::Replayed(b) => b,
        };
        let guests = self.party_guests(written.id).await?;
        Ok((written, guests))
    }

    async fn party_guests(&self, booking: BookingId) -> StoreResult<Vec<GuestVisit>> {
        read_guests(self.query(GUESTS, &[booking.into()]).await?)
    }

    async fn cancel_signup(&self, cancel_token_hash: &str, now: Timestamp) -> StoreResult<Signup> {
        self.execute(CANCEL_SIGNUP, &[cancel_token_hash.into(), now.into()]).await?;
        one_signup(self.query(SIGNUP_BY_TOKEN, &[cancel_token_hash.into()]).await?)
    }
}
