//! What the group pages need beyond the booking: the organiser's and host's private links, a party guest's own
//! health check, the payments recorded against a group, and the enquiries a manager decides. The `GroupStore`
//! impl in `chair_days` calls these.

use super::chair_days::{guest_columns, read_guests};
use super::{returned_id, Param, Row, Rows, SqlDatabase};
use crate::{StoreError, StoreResult};
use jiff::Timestamp;
use knead_core::booking::{BookingId, Contact};
use knead_core::events::enquiry::{Enquiry, EnquiryId, EnquiryKind, EnquiryStatus, NewEnquiry};
use knead_core::events::health::Answers;
use knead_core::events::payment::{NewPayment, Payment, PaymentKind, PaymentMethod};
use knead_core::events::GuestVisit;
use knead_core::{Email, ServiceId, UserId};

const PARTIES: &str = "select distinct booking_id from party_guests order by booking_id desc limit $1";
const GUEST_BY_TOKEN: &str = concat!(guest_columns!(), "where intake_token = $1");
const RECORD_INTAKE: &str = "update party_guests set answers = $2, consented_at = $3 \
     where intake_token = $1 and consented_at is null";

const INSERT_GROUP_LINK: &str = "insert into group_links (booking_id, token_hash, created_at) values ($1, $2, $3)";
const GROUP_BY_LINK: &str = "select booking_id from group_links where token_hash = $1";

const INSERT_PAYMENT: &str = "insert into group_payments (booking_id, kind, amount_cents, method, note, recorded_by, \
     recorded_at) values ($1, $2, $3, $4, $5, $6, $7) returning id";
macro_rules! payment_columns {
    () => {
        "select id, booking_id, kind, amount_cents, method, note, recorded_by, recorded_at from group_payments "
    };
}
const PAYMENT_BY_ID: &str = concat!(payment_columns!(), "where id = $1");
const PAYMENTS: &str = concat!(payment_columns!(), "where booking_id = $1 order by recorded_at, id");

const INSERT_ENQUIRY: &str = "insert into group_enquiries (kind, name, email, phone, company, service_id, address, \
     day, start_minute, end_minute, chairs, slot_minutes, guests, note, created_at) \
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) returning id";
macro_rules! enquiry_columns {
    () => {
        "select id, kind, name, email, phone, company, service_id, address, day, start_minute, end_minute, chairs, \
         slot_minutes, guests, note, created_at, status, booking_id, decided_at, decided_by from group_enquiries "
    };
}
const ENQUIRY_BY_ID: &str = concat!(enquiry_columns!(), "where id = $1");
const ENQUIRIES: &str = concat!(enquiry_columns!(), "where ($1 is null or status = $1) order by id desc limit $2");
const DECIDE_ENQUIRY: &str = "update group_enquiries set status = $2, decided_at = $3, decided_by = $4 \
     where id = $1 and status = 'open'";
const REOPEN_ENQUIRY: &str = "update group_enquiries set status = 'open', decided_at = null, decided_by = null \
     where id = $1 and status = 'accepted' and booking_id is null";
const SET_ENQUIRY_BOOKING: &str = "update group_enquiries set booking_id = $2 where id = $1";

pub(super) async fn parties<D: SqlDatabase>(db: &D, limit: i64) -> StoreResult<Vec<BookingId>> {
    let mut rows = db.query(PARTIES, &[limit.clamp(1, 1000).into()]).await?;
    rows.read("party_guests").map(|mut r| Ok(BookingId(r.int("booking_id")?))).collect()
}

pub(super) async fn party_guest_by_token<D: SqlDatabase>(db: &D, token: &str) -> StoreResult<(BookingId, GuestVisit)> {
    read_guests(db.query(GUEST_BY_TOKEN, &[token.into()]).await?)?.pop().ok_or(StoreError::NotFound)
}

pub(super) async fn record_guest_intake<D: SqlDatabase>(
    db: &D,
    token: &str,
    answers: &Answers,
    now: Timestamp,
) -> StoreResult<bool> {
    party_guest_by_token(db, token).await?;
    Ok(db.execute(RECORD_INTAKE, &[token.into(), Param::json(answers)?, now.into()]).await? == 1)
}

pub(super) async fn add_group_link<D: SqlDatabase>(
    db: &D,
    booking: BookingId,
    token_hash: &str,
    now: Timestamp,
) -> StoreResult<()> {
    db.execute(INSERT_GROUP_LINK, &[booking.into(), token_hash.into(), now.into()])
        .await
        .map_err(|e| e.missing_on_foreign_key())?;
    Ok(())
}

pub(super) async fn group_by_link<D: SqlDatabase>(db: &D, token_hash: &str) -> StoreResult<BookingId> {
    let mut rows = db.query(GROUP_BY_LINK, &[token_hash.into()]).await?;
    let mut row = rows.first("group_links").ok_or(StoreError::NotFound)?;
    Ok(BookingId(row.int("booking_id")?))
}

fn read_payments(mut rows: Rows) -> StoreResult<Vec<Payment>> {
    rows.read("group_payments")
        .map(|mut r| {
            let id = r.id("id")?;
            let booking_id = BookingId(r.int("booking_id")?);
            let kind = r.parsed("kind", "a kind of payment", PaymentKind::parse)?;
            let amount_cents = r.int("amount_cents")?;
            let method = r.parsed("method", "a payment method", PaymentMethod::parse)?;
            let note = r.text("note")?;
            let recorded_by = UserId(r.int("recorded_by")?);
            let recorded_at = r.time("recorded_at")?;
            Ok(Payment {
                id,
                payment: NewPayment { booking_id, kind, amount_cents, method, note, recorded_by, recorded_at },
            })
        })
        .collect()
}

pub(super) async fn record_payment<D: SqlDatabase>(db: &D, p: &NewPayment) -> StoreResult<Payment> {
    let params = [
        p.booking_id.into(),
        p.kind.as_str().into(),
        p.amount_cents.into(),
        p.method.as_str().into(),
        (&p.note).into(),
        p.recorded_by.into(),
        p.recorded_at.into(),
    ];
    let rows = db.query(INSERT_PAYMENT, &params).await.map_err(|e| e.missing_on_foreign_key())?;
    let id = returned_id(rows, "group_payments")?;
    read_payments(db.query(PAYMENT_BY_ID, &[id.into()]).await?)?.pop().ok_or(StoreError::NotFound)
}

pub(super) async fn payments<D: SqlDatabase>(db: &D, booking: BookingId) -> StoreResult<Vec<Payment>> {
    read_payments(db.query(PAYMENTS, &[booking.into()]).await?)
}

fn read_enquiry(r: &mut Row<'_>) -> StoreResult<Enquiry> {
    let id = EnquiryId(r.id("id")?);
    let kind = r.parsed("kind", "a kind of enquiry", EnquiryKind::parse)?;
    let contact =
        Contact { name: r.text("name")?, email: Email::from_trusted(r.text("email")?), phone: r.text("phone")? };
    let company = r.text("company")?;
    let service_id = r.opt_int("service_id")?.map(ServiceId);
    let address = r.text("address")?;
    let date = r.date("day")?;
    let start_minute = r.int("start_minute")?;
    let end_minute = r.int("end_minute")?;
    let chairs = r.opt_int("chairs")?;
    let slot_minutes = r.opt_int("slot_minutes")?;
    let guests = r.opt_int("guests")?;
    let note = r.text("note")?;
    let created_at = r.time("created_at")?;
    let status = r.parsed("status", "an enquiry status", EnquiryStatus::parse)?;
    let booking_id = r.opt_int("booking_id")?.map(BookingId);
    let decided_at = r.opt_time("decided_at")?;
    let decided_by = r.opt_int("decided_by")?.map(UserId);
    Ok(Enquiry {
        id,
        enquiry: NewEnquiry {
            kind,
            service_id,
            date,
            start_minute,
            end_minute,
            chairs,
            slot_minutes,
            guests,
            address,
            company,
            contact,
            note,
            created_at,
        },
        status,
        booking_id,
        decided_at,
        decided_by,
    })
}

fn read_enquiries(mut rows: Rows) -> StoreResult<Vec<Enquiry>> {
    rows.read("group_enquiries").map(|mut r| read_enquiry(&mut r)).collect()
}

pub(super) async fn add_enquiry<D: SqlDatabase>(db: &D, e: &NewEnquiry) -> StoreResult<Enquiry> {
    let params = [
        e.kind.as_str().into(),
        (&e.contact.name).into(),
        e.contact.email.as_str().into(),
        (&e.contact.phone).into(),
        (&e.company).into(),
        e.service_id.map(|s| s.0).into(),
        (&e.address).into(),
        e.date.into(),
        e.start_minute.into(),
        e.end_minute.into(),
        e.chairs.into(),
        e.slot_minutes.into(),
        e.guests.into(),
        (&e.note).into(),
        e.created_at.into(),
    ];
    let rows = db.query(INSERT_ENQUIRY, &params).await.map_err(|e| e.missing_on_foreign_key())?;
    enquiry(db, EnquiryId(returned_id(rows, "group_enquiries")?)).await
}

pub(super) async fn enquiry<D: SqlDatabase>(db: &D, id: EnquiryId) -> StoreResult<Enquiry> {
    read_enquiries(db.query(ENQUIRY_BY_ID, &[id.0.into()]).await?)?.pop().ok_or(StoreError::NotFound)
}

pub(super) async fn enquiries<D: SqlDatabase>(
    db: &D,
    status: Option<EnquiryStatus>,
    limit: i64,
) -> StoreResult<Vec<Enquiry>> {
    let status: Param = status.map(EnquiryStatus::as_str).into();
    read_enquiries(db.query(ENQUIRIES, &[status, limit.clamp(1, 1000).into()]).await?)
}

pub(super) async fn decide_enquiry<D: SqlDatabase>(
    db: &D,
    id: EnquiryId,
    status: EnquiryStatus,
    by: UserId,
    now: Timestamp,
) -> StoreResult<bool> {
    enquiry(db, id).await?;
    Ok(db.execute(DECIDE_ENQUIRY, &[id.0.into(), status.as_str().into(), now.into(), by.into()]).await? == 1)
}

pub(super) async fn reopen_enquiry<D: SqlDatabase>(db: &D, id: EnquiryId) -> StoreResult<()> {
    db.execute(REOPEN_ENQUIRY, &[id.0.into()]).await?;
    Ok(())
}

pub(super) async fn set_enquiry_booking<D: SqlDatabase>(db: &D, id: EnquiryId, booking: BookingId) -> StoreResult<()> {
    db.execute(SET_ENQUIRY_BOOKING, &[id.0.into(), booking.into()]).await?;
    Ok(())
}
