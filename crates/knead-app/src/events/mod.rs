//! Group events. Office chair-massage days: a manager books the block (the engine places one therapist per chair,
//! travel-aware, like any mobile visit); the organiser shares a private sign-up link; attendees take a sitting
//! without an account, after a short health check and with their own consent, and can cancel it with their own
//! link. Spa parties: a manager books the host's window and guests, fitted onto as few therapists as can serve
//! them all. Each group has a private page for its organiser or host ([`page`]); parties record their guests' own
//! health checks and the money received ([`party`]); organisers and hosts may enquire first ([`enquiry`]); a chair
//! day's company is invoiced for the block ([`invoice`]).

pub mod enquiry;
pub mod invoice;
pub mod page;
pub mod party;

use crate::accounts::{random_secret, secret_hash};
use crate::booking::{block_booking, Block};
use crate::{places, App, AppError, AppResult, ConflictCode, NotFoundAs};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use knead_core::booking::Booking;
use knead_core::calendar::add_minutes;
use knead_core::events::chair::ChairDayInput;
use knead_core::events::health::{self, Outcome};
use knead_core::events::{ChairDay, GroupId, NewChairDay, NewSignup, Signup, SignupInput};
use knead_core::notify::{JobKind, NewJob};
use knead_core::{Kind, User};
use knead_store::SignupError;

/// A chair day just booked, with the sign-up link's token and a private link to the organiser's page.
pub struct ChairDayCreated {
    pub sheet: Sheet,
    pub signup_token: String,
    /// The token of a link to the organiser's page (only its hash is kept; the organiser's email carries
    /// another).
    pub page_token: String,
}

/// A chair day's sheet: every sitting, with who took it.
pub struct Sheet {
    pub day: ChairDay,
    pub booking: Booking,
    pub zone: TimeZone,
    pub sittings: Vec<Sitting>,
}

/// One chair at one start.
pub struct Sitting {
    pub start: Timestamp,
    pub end: Timestamp,
    pub chair: i64,
    /// The attendee holding it (never a cancelled one).
    pub attendee: Option<Signup>,
}

impl Sheet {
    /// How many sittings are taken, of how many.
    pub fn fill(&self) -> (usize, usize) {
        (self.sittings.iter().filter(|s| s.attendee.is_some()).count(), self.sittings.len())
    }

    /// The chairs (1-based) that have a sitting at `start`.
    fn chairs_at(&self, start: Timestamp) -> Vec<i64> {
        self.sittings.iter().filter(|s| s.start == start).map(|s| s.chair).collect()
    }
}

/// Books a chair day for a manager: the office placed on the map (from `lat`/`lon`, or the address looked up),
/// one therapist per chair free for the whole block, the booking and the day written together.
pub async fn create_chair_day(app: &App, input: &ChairDayInput, staff: &User) -> AppResult<ChairDayCreated> {
    let req = input.validate()?;
    let at = match req.place {
        Some(at) => at,
        None => places::locate(app, "address", &req.address).await?.at,
    };
    let token = random_secret();
    let breaks = app.store().practice_settings().await?.chair_breaks;
    let day = NewChairDay {
        chairs: req.chairs,
        slot_minutes: req.slot_minutes,
        breaks,
        signup_token_hash: secret_hash(&token),
        signup_token: Some(token.clone()),
    };
    let block = Block {
        service_id: req.service_id,
        kind: Kind::Chair,
        at,
        address: &req.address,
        date: req.date,
        start_minute: req.start_minute,
        end_minute: req.end_minute,
        therapists: usize::try_from(req.chairs).unwrap_or(1),
        organiser: &req.organiser,
    };
    let (booking, day) = block_booking(app, &block, &day, staff).await?;
    let page_token = page::new_link(app, booking.id).await?;
    Ok(ChairDayCreated { sheet: chair_sheet(app, day.id).await?, signup_token: token, page_token })
}

/// The chair days booked, newest first, each with its sheet.
pub async fn chair_days(app: &App) -> AppResult<Vec<Sheet>> {
    let zone = zone_of(app).await?;
    let mut out = Vec::new();
    for day in app.store().chair_days(200).await? {
        out.push(sheet_of(app, day, zone.clone()).await?);
    }
    Ok(out)
}

/// Chair day `id`'s sheet (for staff).
pub async fn chair_sheet(app: &App, id: GroupId) -> AppResult<Sheet> {
    let day = app.store().chair_day(id).await.not_found_as("chair day")?;
    sheet_of(app, day, zone_of(app).await?).await
}

/// The sheet behind a sign-up link: `NotFound` for a token that is not this day's, so a wrong link and a
/// missing day look the same.
pub async fn chair_sheet_by_token(app: &App, id: GroupId, token: &str) -> AppResult<Sheet> {
    let day = app.store().chair_day_by_token(&secret_hash(token)).await.not_found_as("chair day")?;
    if day.id != id {
        return Err(AppError::NotFound { what: "chair day" });
    }
    sheet_of(app, day, zone_of(app).await?).await
}

pub(crate) async fn zone_of(app: &App) -> AppResult<TimeZone> {
    Ok(app.store().practice_settings().await?.zone().clone())
}

/// `day`'s sheet, its times shown in `zone` (the practice's, read once by the caller).
pub(crate) async fn sheet_of(app: &App, day: ChairDay, zone: TimeZone) -> AppResult<Sheet> {
    let store = app.store();
    let booking = store.booking(day.booking_id).await.not_found_as("chair day")?;
    let block = (booking.end.as_second() - booking.start.as_second()) / 60;
    let mut signups = store.chair_signups(day.id).await?;
    signups.retain(|s| s.cancelled_at.is_none());
    let sittings = knead_core::events::chair::chair_slots(block, day.day.slot_minutes, day.day.chairs, day.day.breaks)
        .into_iter()
        .map(|slot| {
            let start = add_minutes(booking.start, slot.start_offset);
            let taken = signups.iter().position(|s| s.signup.start == start && s.chair == slot.chair);
            Sitting {
                start,
                end: add_minutes(start, day.day.slot_minutes),
                chair: slot.chair,
                attendee: taken.map(|i| signups.swap_remove(i)),
            }
        })
        .collect();
    Ok(Sheet { day, booking, zone, sittings })
}

/// What a sign-up gives the attendee: the sitting, and the token of their own cancel link (shown once).
pub struct SignedUp {
    pub signup: Signup,
    pub cancel_token: String,
    pub sheet: Sheet,
    /// What the therapist adapts, from the health check.
    pub adapt: Vec<&'static str>,
}

/// Signs an attendee up for the sitting at `input.start` of chair day `id`, in the first free chair. Refused,
/// with nothing written: a wrong link (`NotFound`), a start the sheet does not have or that has passed, a day
/// that was cancelled, a health answer that rules a massage out today (`not_today` on `health`), or every
/// chair taken then (409 `slot_full`).
pub async fn sign_up(app: &App, id: GroupId, input: &SignupInput) -> AppResult<SignedUp> {
    let req = input.validate()?;
    let sheet = chair_sheet_by_token(app, id, &req.token).await?;
    if !sheet.booking.status.is_active() {
        return Err(AppError::field("cancelled", "token", "this chair-massage day was cancelled"));
    }
    let chairs = sheet.chairs_at(req.start);
    if chairs.is_empty() {
        return Err(AppError::field("invalid", "start", "choose one of the times on the sheet"));
    }
    if req.start <= app.now() {
        return Err(AppError::field("past", "start", "that time has passed; choose a later one"));
    }
    let adapt = match req.health.as_ref().map(health::assess) {
        Some(Outcome::NotToday(why)) => return Err(AppError::field("not_today", "health", why)),
        Some(Outcome::Adapt(changes)) => changes,
        Some(Outcome::Fine) | None => Vec::new(),
    };
    let now = app.now();
    let cancel_token = random_secret();
    let new = NewSignup {
        start: req.start,
        name: req.name,
        email: req.email,
        answers: req.health,
        consented_at: now,
        cancel_token_hash: secret_hash(&cancel_token),
        created_at: now,
    };
    let confirmation = [NewJob::now(JobKind::SignupConfirmed, now)];
    let signup = match app.store().sign_up(id, &chairs, &new, &confirmation).await {
        Ok(s) => s,
        Err(SignupError::SlotFull) => return Err(AppError::Conflict { code: ConflictCode::SlotFull, field: "start" }),
        Err(SignupError::Store(e)) => return Err(e.into()),
    };
    tracing::info!(chair_day = id.0, signup = signup.id.0, chair = signup.chair, "signed up");
    app.jobs_added();
    let sheet = chair_sheet(app, id).await?;
    Ok(SignedUp { signup, cancel_token, sheet, adapt })
}

/// Cancels the attendee's own sitting (their cancel link's token); its chair frees at once.
pub async fn cancel_signup(app: &App, token: &str) -> AppResult<Signup> {
    app.store().cancel_signup(&secret_hash(token), app.now()).await.not_found_as("sign-up")
}

/// Where a group meets (a workplace or the host's home), written out as for any visit.
pub fn address_of(booking: &Booking) -> String {
    crate::booking::written_place(&booking.place, None)
}

/// A spa party just booked: its booking (the therapists held for the window) and each guest's treatment.
pub struct PartyBooked {
    pub booking: Booking,
    pub guests: Vec<knead_core::events::GuestVisit>,
    pub zone: TimeZone,
    /// The token of a link to the host's page (only its hash is kept).
    pub page_token: String,
}

/// Books a spa party, for a manager or (`by` none) the host themselves: the host's home placed on the map, the guests fitted into the window on as few
/// therapists as can serve them, those therapists held for the window; or 422 `cannot_fit`, nothing written.
pub async fn create_party(
    app: &App,
    input: &knead_core::events::party::PartyInput,
    by: Option<&User>,
) -> AppResult<PartyBooked> {
    let req = input.validate()?;
    let at = match req.place {
        Some(at) => at,
        None => places::locate(app, "address", &req.address).await?.at,
    };
    let (booking, guests) = crate::booking::party_booking(app, &req, at, by).await?;
    let page_token = page::new_link(app, booking.id).await?;
    Ok(PartyBooked { booking, guests, zone: zone_of(app).await?, page_token })
}
