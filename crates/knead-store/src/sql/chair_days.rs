//! Chair days and their sign-ups in SQL: the day is written inside the booking's own transaction
//! (`booking::create_with`); a sign-up tries the free chairs at its start in order, each insert on its own, so
//! the partial unique index decides every race and a lost one simply tries the next chair.

use super::booking::{create_with, Beside};
use super::group_pages;
use super::notify::insert_jobs;
use super::{returned_id, DbErrorKind, Locks, Param, Row, Rows, SqlDatabase, SqlTransaction};
use crate::groups::{GroupStore, SignupError};
use crate::{BookingError, Created, StoreError, StoreResult};
use async_trait::async_trait;
use jiff::Timestamp;
use knead_core::booking::{Booking, BookingId, NewBooking};
use knead_core::events::chair::ChairBreaks;
use knead_core::events::enquiry::{Enquiry, EnquiryId, EnquiryStatus, NewEnquiry};
use knead_core::events::health::Answers;
use knead_core::events::payment::{NewPayment, Payment};
use knead_core::events::{ChairDay, GroupId, GuestIntake, GuestVisit, NewChairDay, NewSignup, Signup, SignupId};
use knead_core::notify::NewJob;
use knead_core::schedule::DayRule;
use knead_core::Email;
use knead_core::UserId;

const INSERT_DAY: &str =
    "insert into chair_days (booking_id, chairs, slot_minutes, break_every_minutes, break_minutes, \
     signup_token_hash, created_at, signup_token) values ($1, $2, $3, $4, $5, $6, $7, $8) returning id";

macro_rules! day_columns {
    () => {
        "select id, booking_id, chairs, slot_minutes, break_every_minutes, break_minutes, signup_token_hash, \
         created_at, signup_token from chair_days "
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
const HELD_CHAIRS: &str =
    "select chair from chair_signups where chair_day_id = $1 and starts_at = $2 and cancelled_at is null";
const INSERT_SIGNUP: &str = "insert into chair_signups (chair_day_id, starts_at, chair, name, email, answers, \
     consented_at, cancel_token_hash, created_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id";
/// The sign-up a cancel link names: its first link, or one a later message carried.
const SIGNUP_ID_BY_TOKEN: &str = "select id from chair_signups where cancel_token_hash = $1 \
     union select signup_id as id from signup_links where token_hash = $1";
const CANCEL_SIGNUP: &str = "update chair_signups set cancelled_at = $2 where id = $1 and cancelled_at is null";
const INSERT_SIGNUP_LINK: &str = "insert into signup_links (signup_id, token_hash, created_at) values ($1, $2, $3)";

const INSERT_GUEST: &str = "insert into party_guests (booking_id, position, name, service_id, add_ons, therapist_id, \
     starts_at, ends_at, intake_token) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
macro_rules! guest_columns {
    () => {
        "select position, name, service_id, add_ons, therapist_id, starts_at, ends_at, intake_token, answers, \
         consented_at, booking_id from party_guests "
    };
}
pub(super) use guest_columns;
const GUESTS: &str = concat!(guest_columns!(), "where booking_id = $1 order by position");

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
            g.intake.token.as_ref().into(),
        ];
        tx.execute(INSERT_GUEST, &params).await.map_err(|e| e.missing_on_foreign_key())?;
    }
    Ok(())
}

/// Guests with the booking each belongs to (the last column of `guest_columns!`).
pub(super) fn read_guests(mut rows: Rows) -> StoreResult<Vec<(BookingId, GuestVisit)>> {
    rows.read("party_guests")
        .map(|mut r| {
            let position = r.int("position")?;
            let name = r.text("name")?;
            let service_id = knead_core::ServiceId(r.int("service_id")?);
            let add_ons = r.json("add_ons", "a list of add-on names")?;
            let therapist_id = knead_core::TherapistId(r.int("therapist_id")?);
            let start = r.time("starts_at")?;
            let end = r.time("ends_at")?;
            let token = r.opt_text("intake_token")?;
            let answers = if r.next_is_null() {
                r.seek(9);
                None
            } else {
                Some(r.json("answers", "health-check answers")?)
            };
            let consented_at = r.opt_time("consented_at")?;
            let booking = BookingId(r.int("booking_id")?);
            let intake = GuestIntake { token, answers, consented_at };
            Ok((booking, GuestVisit { position, name, service_id, add_ons, therapist_id, start, end, intake }))
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
        day.signup_token.as_ref().into(),
    ];
    returned_id(tx.query(INSERT_DAY, &params).await?, "chair_days")
}

fn read_day(r: &mut Row<'_>) -> StoreResult<ChairDay> {
    let id = r.id("id")?;
    let booking_id = BookingId(r.int("booking_id")?);
    let chairs = r.int("chairs")?;
    let slot_minutes = r.int("slot_minutes")?;
    let breaks = ChairBreaks { every_minutes: r.int("break_every_minutes")?, length_minutes: r.int("break_minutes")? };
    let signup_token_hash = r.text("signup_token_hash")?;
    let created_at = r.time("created_at")?;
    let signup_token = r.opt_text("signup_token")?;
    Ok(ChairDay {
        id: GroupId(id),
        booking_id,
        day: NewChairDay { chairs, slot_minutes, breaks, signup_token_hash, signup_token },
        created_at,
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

    async fn sign_up(
        &self,
        id: GroupId,
        chairs: &[i64],
        s: &NewSignup,
        jobs: &[NewJob],
    ) -> Result<Signup, SignupError> {
        let day = self.chair_day(id).await?;
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
            // One transaction per chair tried: the sign-up and its confirmation together, and a lost race (the
            // unique index) rolls back only that attempt before the next chair is tried.
            let mut tx = self.write(&Locks::none()).await.map_err(StoreError::from)?;
            match tx.query(INSERT_SIGNUP, &params).await {
                Ok(rows) => {
                    let signup = SignupId(returned_id(rows, "chair_signups")?);
                    let jobs: Vec<NewJob> =
                        jobs.iter().map(|j| NewJob { signup_id: Some(signup), ..j.clone() }).collect();
                    insert_jobs(tx.as_mut(), Some(day.booking_id), &jobs, s.created_at).await?;
                    tx.commit().await.map_err(StoreError::from)?;
                    return Ok(self.signup(signup).await?);
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
        Ok(read_guests(self.query(GUESTS, &[booking.into()]).await?)?.into_iter().map(|(_, g)| g).collect())
    }

    async fn cancel_signup(&self, cancel_token_hash: &str, now: Timestamp) -> StoreResult<Signup> {
        let mut rows = self.query(SIGNUP_ID_BY_TOKEN, &[cancel_token_hash.into()]).await?;
        let id = rows.first("chair_signups").ok_or(StoreError::NotFound)?.id("id")?;
        self.execute(CANCEL_SIGNUP, &[id.into(), now.into()]).await?;
        self.signup(SignupId(id)).await
    }

    async fn signup(&self, id: SignupId) -> StoreResult<Signup> {
        one_signup(self.query(SIGNUP_BY_ID, &[id.0.into()]).await?)
    }

    async fn add_signup_link(&self, signup: SignupId, token_hash: &str, now: Timestamp) -> StoreResult<()> {
        self.execute(INSERT_SIGNUP_LINK, &[signup.0.into(), token_hash.into(), now.into()])
            .await
            .map_err(|e| e.missing_on_foreign_key())?;
        Ok(())
    }

    async fn chair_day_by_booking(&self, booking: BookingId) -> StoreResult<ChairDay> {
        one_day(self.query(DAY_BY_BOOKING, &[booking.into()]).await?)
    }

    async fn parties(&self, limit: i64) -> StoreResult<Vec<BookingId>> {
        group_pages::parties(self, limit).await
    }

    async fn party_guest_by_token(&self, intake_token: &str) -> StoreResult<(BookingId, GuestVisit)> {
        group_pages::party_guest_by_token(self, intake_token).await
    }

    async fn record_guest_intake(&self, intake_token: &str, answers: &Answers, now: Timestamp) -> StoreResult<bool> {
        group_pages::record_guest_intake(self, intake_token, answers, now).await
    }

    async fn add_group_link(&self, booking: BookingId, token_hash: &str, now: Timestamp) -> StoreResult<()> {
        group_pages::add_group_link(self, booking, token_hash, now).await
    }

    async fn group_by_link(&self, token_hash: &str) -> StoreResult<BookingId> {
        group_pages::group_by_link(self, token_hash).await
    }

    async fn record_payment(&self, payment: &NewPayment) -> StoreResult<Payment> {
        group_pages::record_payment(self, payment).await
    }

    async fn payments(&self, booking: BookingId) -> StoreResult<Vec<Payment>> {
        group_pages::payments(self, booking).await
    }

    async fn add_enquiry(&self, enquiry: &NewEnquiry) -> StoreResult<Enquiry> {
        group_pages::add_enquiry(self, enquiry).await
    }

    async fn enquiry(&self, id: EnquiryId) -> StoreResult<Enquiry> {
        group_pages::enquiry(self, id).await
    }

    async fn enquiries(&self, status: Option<EnquiryStatus>, limit: i64) -> StoreResult<Vec<Enquiry>> {
        group_pages::enquiries(self, status, limit).await
    }

    async fn decide_enquiry(
        &self,
        id: EnquiryId,
        status: EnquiryStatus,
        by: UserId,
        now: Timestamp,
    ) -> StoreResult<bool> {
        group_pages::decide_enquiry(self, id, status, by, now).await
    }

    async fn reopen_enquiry(&self, id: EnquiryId) -> StoreResult<()> {
        group_pages::reopen_enquiry(self, id).await
    }

    async fn set_enquiry_booking(&self, id: EnquiryId, booking: BookingId) -> StoreResult<()> {
        group_pages::set_enquiry_booking(self, id, booking).await
    }
}
