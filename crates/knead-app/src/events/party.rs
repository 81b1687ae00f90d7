//! A spa party after it is booked: the managers' list with what has been paid, the money a manager records
//! (a deposit, the balance, or the whole), and each guest's own health check and consent, answered through the
//! link the host passes on.

use super::zone_of;
use crate::{App, AppError, AppResult, ConflictCode, NotFoundAs};
use jiff::tz::TimeZone;
use knead_core::booking::{Booking, BookingId};
use knead_core::events::health::{self, Outcome};
use knead_core::events::payment::{balance_due, Payment, PaymentInput};
use knead_core::events::{GuestCheckInput, GuestVisit};
use knead_core::validation::FieldError;
use knead_core::{Kind, User, ValidationErrors};

/// A party as the host's page and the managers' list show it.
pub struct Party {
    pub booking: Booking,
    pub guests: Vec<GuestVisit>,
    pub payments: Vec<Payment>,
    pub zone: TimeZone,
}

impl Party {
    /// What is still owed on the party's price and travel fee.
    pub fn balance_due_cents(&self) -> i64 {
        balance_due(self.booking.price_cents + self.booking.travel_fee_cents, &self.payments)
    }

    pub fn paid_cents(&self) -> i64 {
        self.payments.iter().map(|p| p.payment.amount_cents).sum()
    }

    /// How many guests have answered their health check and consented.
    pub fn checked_in(&self) -> usize {
        self.guests.iter().filter(|g| g.intake.consented_at.is_some()).count()
    }
}

/// `booking` with its guests and payments; `NotFound` when it is not a party.
pub(crate) async fn party_of(app: &App, booking: Booking) -> AppResult<Party> {
    let store = app.store();
    let guests = store.party_guests(booking.id).await?;
    if guests.is_empty() {
        return Err(AppError::NotFound { what: "party" });
    }
    let payments = store.payments(booking.id).await?;
    Ok(Party { booking, guests, payments, zone: zone_of(app).await? })
}

/// Party `id` (its booking's id), for staff.
pub async fn party(app: &App, id: BookingId) -> AppResult<Party> {
    let booking = app.store().booking(id).await.not_found_as("party")?;
    party_of(app, booking).await
}

/// The parties booked, newest first.
pub async fn parties(app: &App) -> AppResult<Vec<Party>> {
    let mut out = Vec::new();
    for id in app.store().parties(200).await? {
        out.push(party(app, id).await?);
    }
    Ok(out)
}

/// Records money a manager received for group `booking` (a party or a chair day). A cancelled group still
/// takes it (a deposit kept), so nothing received goes unrecorded.
pub async fn record_payment(app: &App, booking: BookingId, input: &PaymentInput, staff: &User) -> AppResult<Payment> {
    let store = app.store();
    let b = store.booking(booking).await.not_found_as("group")?;
    let kind = store.service(b.service_id).await?.kind;
    if !matches!(kind, Kind::Party | Kind::Chair) {
        return Err(AppError::NotFound { what: "group" });
    }
    let new = input.validate(booking, staff.id, app.now())?;
    let payment = store.record_payment(&new).await?;
    tracing::info!(booking = booking.0, payment = payment.id, by = staff.id.0, "group payment recorded");
    Ok(payment)
}

/// The guest a health-check link is for, with their party.
pub struct GuestCheck {
    pub booking: Booking,
    pub guest: GuestVisit,
    pub zone: TimeZone,
}

/// The guest whose own link has `token`; `NotFound` otherwise.
pub async fn guest_check(app: &App, token: &str) -> AppResult<GuestCheck> {
    let store = app.store();
    let (booking, guest) = store.party_guest_by_token(token).await.not_found_as("guest")?;
    let booking = store.booking(booking).await.not_found_as("guest")?;
    Ok(GuestCheck { booking, guest, zone: zone_of(app).await? })
}

/// Records a guest's answers and consent, once. Refused, with nothing written: no consent, a missing answer,
/// a party that was cancelled or is over, an answer that rules out a massage today (`not_today` on `health`: the
/// guest is told to have a face treatment instead or to skip it), or answers already given (409 `answered`:
/// the record is not changed through the link; the guest tells their therapist on the day).
pub async fn answer_guest_check(app: &App, input: &GuestCheckInput) -> AppResult<(GuestCheck, Vec<&'static str>)> {
    let mut e = ValidationErrors::default();
    if !input.consent {
        e.push(FieldError::new("required", "consent", "the guest must agree to the treatment (consent: true)"));
    }
    let answers = match input.health.validate() {
        Ok(a) => Some(a),
        Err(errors) => {
            e.0.extend(errors.0);
            None
        }
    };
    let check = guest_check(app, &input.token).await?;
    e.check()?;
    let Some(answers) = answers else { return Err(AppError::field("required", "health", "answer every question")) };
    if !check.booking.status.is_active() || check.booking.end <= app.now() {
        return Err(AppError::field("closed", "token", "this party was cancelled or is over"));
    }
    let adapt = match health::assess(&answers) {
        Outcome::NotToday(why) => return Err(AppError::field("not_today", "health", why)),
        Outcome::Adapt(changes) => changes,
        Outcome::Fine => Vec::new(),
    };
    if !app.store().record_guest_intake(&input.token, &answers, app.now()).await? {
        return Err(AppError::Conflict { code: ConflictCode::Answered, field: "token" });
    }
    tracing::info!(booking = check.booking.id.0, guest = check.guest.position, "party guest answered the health check");
    Ok((guest_check(app, &input.token).await?, adapt))
}
