//! The intake side of a booking: the screening a back, leg or sciatica visit needs, the client record it
//! belongs to, the health history sent with it, and the gate its precautions make; and the quote the
//! confirm page shows before anything is written.

use super::{mobile_point, Booked, Context, Who};
use crate::accounts::{random_secret, secret_hash};
use crate::{clients, App, AppError, AppResult};
use jiff::Timestamp;
use knead_core::booking::plan::{check_start, travel_fee_cents};
use knead_core::booking::{Booking, BookingRequest, BookingStatus, Contact};
use knead_core::intake::{gate as decide, precautions, Client, Gate, Level, Precaution, ScreeningRecord};
use knead_core::{AddOn, Role, TherapistId, User};

impl Context {
    /// The add-ons asked for, spelled as the service lists them (`with_add_ons` has checked each).
    pub(super) fn add_on_names(&self, asked: &[String]) -> Vec<String> {
        let listed = |name: &String| self.service.add_ons.iter().find(|a| a.name.eq_ignore_ascii_case(name.trim()));
        asked.iter().map(|name| listed(name).map_or_else(|| name.clone(), |a| a.name.clone())).collect()
    }

    /// The same context for moving `booking`: the visit keeps the length it was booked with (its add-ons'
    /// minutes included), whatever the service's add-ons are now.
    pub(super) fn keeping_length_of(mut self, booking: &Booking) -> Context {
        let booked = (booking.end.as_second() - booking.start.as_second()) / 60;
        if booked > 0 {
            self.service.duration_minutes = booked;
        }
        self
    }
}

/// What the booking's screening is, checked: a reason that needs one must name one; an unknown one is
/// refused; an emergency one can never become a booking, however the request arrives.
pub(crate) async fn screening_for(app: &App, req: &BookingRequest) -> AppResult<Option<ScreeningRecord>> {
    let needs = req.reason.is_some_and(|r| r.needs_screening());
    let Some(id) = &req.screening_id else {
        if needs {
            return Err(AppError::field(
                "required",
                "screening_id",
                "a visit for back pain, leg pain or sciatica needs the safety questions answered first",
            ));
        }
        return Ok(None);
    };
    let record = match app.store().screening(id).await {
        Ok(record) => record,
        Err(knead_store::StoreError::NotFound) => {
            return Err(AppError::field("unknown", "screening_id", "no screening has this id"))
        }
        Err(e) => return Err(e.into()),
    };
    if record.assessment.level == Level::Emergency {
        return Err(AppError::field(
            "red_flag_emergency",
            "screening_id",
            "Your answers mean you need a doctor today, not a massage: please go to an emergency department \
             today, and do not drive yourself there.",
        ));
    }
    Ok(Some(record))
}

/// Only staff book for a client by their id: checked before anything else is looked at.
pub(crate) fn may_name_client(req: &BookingRequest, user: Option<&User>) -> AppResult<()> {
    if req.client_id.is_some() && !user.is_some_and(|u| matches!(u.role, Role::Manager | Role::Therapist)) {
        return Err(AppError::field("not_allowed", "client_id", "only staff book for a client by their id"));
    }
    Ok(())
}

/// The client record the booking belongs to and the contact details it is made with: staff may name a
/// client by id (their details are used unless others are typed); a signed-in client books as themselves; a
/// guest's typed details find or make a record.
pub(crate) async fn resolve_client(
    app: &App,
    req: &BookingRequest,
    user: Option<&User>,
) -> AppResult<(Client, Contact)> {
    let (found, contact) = existing_client(app, req, user).await?;
    let client = match found {
        Some(client) => client,
        None => clients::new_for_booking(app, &contact).await?,
    };
    Ok((client, contact))
}

/// [`resolve_client`] without making a record: `None` for a guest booking for the first time, whose record
/// the booking's own transaction makes.
async fn existing_client(app: &App, req: &BookingRequest, user: Option<&User>) -> AppResult<(Option<Client>, Contact)> {
    // Staff naming a client (checked by `may_name_client`), or a signed-in client booking as themselves.
    if let Some(u) = user.filter(|u| req.client_id.is_some() || u.role == Role::Client) {
        let typed = req.client.clone().unwrap_or_else(|| Contact {
            name: u.name.clone(),
            email: u.email.clone(),
            phone: String::new(),
        });
        let client = clients::for_booking(app, req.client_id, Some(u), &typed).await?;
        let contact = req.client.clone().unwrap_or_else(|| contact_of(&client));
        return Ok((Some(client), contact));
    }
    let contact = match (&req.client, user) {
        (Some(c), _) => c.clone(),
        (None, Some(user)) => Contact { name: user.name.clone(), email: user.email.clone(), phone: String::new() },
        (None, None) => {
            return Err(AppError::field("required", "client", "give the client's name, email and phone (or sign in)"))
        }
    };
    let client = clients::existing_for_booking(app, None, user, &contact).await?;
    Ok((client, contact))
}

/// The client record a booking is written under, with the contact details: the record is `None` when the booking
/// makes it (a guest's first booking that sends no health history; one that does needs the record first, to
/// file the history under).
pub(super) async fn client_for_booking(
    app: &App,
    req: &BookingRequest,
    user: Option<&User>,
) -> AppResult<(Option<Client>, Contact)> {
    let (found, contact) = existing_client(app, req, user).await?;
    if found.is_none() && req.intake.is_some() {
        return Ok((Some(clients::new_for_booking(app, &contact).await?), contact));
    }
    Ok((found, contact))
}

fn contact_of(client: &Client) -> Contact {
    Contact { name: client.name.clone(), email: client.email.clone(), phone: client.phone.clone() }
}

/// Stores the health history sent with the booking (a new version), then decides from the client's latest
/// history, the reason and the screening: a `block` refuses the booking naming why, a clearance holds it.
pub(super) async fn gate(
    app: &App,
    req: &BookingRequest,
    user: Option<&User>,
    client: Option<&Client>,
    screening: Option<&ScreeningRecord>,
) -> AppResult<(BookingStatus, Vec<Precaution>)> {
    if let Some(screened_for) = screening.and_then(|s| s.client) {
        if Some(screened_for) != client.map(|c| c.id) {
            // Someone else's screening: answered as an unknown id, so its existence is not told.
            return Err(AppError::field("unknown", "screening_id", "no screening has this id"));
        }
    }
    // A record the booking is still to make has no history (one sent with the booking made the record first).
    let latest = match (&req.intake, client) {
        (Some(history), Some(client)) => Some(crate::intake::add_version(app, user, client.id, history).await?),
        (None, Some(client)) => app.store().intakes(client.id).await?.into_iter().next(),
        (_, None) => None,
    };
    let found = precautions(latest.as_ref().map(|v| &v.history), req.reason, screening.map(|s| &s.assessment));
    match decide(&found) {
        Gate::Refuse(why) => {
            let reasons: Vec<&str> = why.iter().map(|p| p.reason.as_str()).collect();
            Err(AppError::field(
                "contraindicated",
                "intake",
                format!("massage cannot be booked now: {}", reasons.join("; ")),
            ))
        }
        Gate::AwaitClearance(_) => Ok((BookingStatus::AwaitingClearance, found)),
        Gate::Proceed => Ok((BookingStatus::Confirmed, found)),
    }
}

/// A replayed request's booking, with what it carries now.
pub(super) async fn replayed(app: &App, booking: Booking) -> AppResult<Booked> {
    let precautions = crate::intake::precautions_for(app, &booking).await?;
    let screening = match &booking.screening_id {
        Some(id) => app.store().screening(id).await.ok(),
        None => None,
    };
    // The request was repeated with its key and the same content, so it comes from whoever made it (a
    // refreshed confirmation page): a new private link, since only the first one's hash is kept.
    let token = random_secret();
    app.store().add_manage_link(booking.id, &secret_hash(&token), app.now()).await?;
    let zone = app.calendar.setup(app.store()).await?.settings.zone().clone();
    Ok(Booked { booking, replayed: true, manage_token: Some(token), precautions, screening, zone })
}

/// What a booking would cost, shown before the client confirms; nothing is written.
#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    /// The service alone.
    pub service_cents: i64,
    /// The add-ons chosen, as the service lists them.
    pub add_ons: Vec<AddOn>,
    /// The service with its add-ons.
    pub price_cents: i64,
    /// What the slot's therapists charge to travel to a mobile visit (0 at a clinic).
    pub travel_fee_cents: i64,
    pub total_cents: i64,
    /// The treatment's length with the add-ons.
    pub duration_minutes: i64,
    pub start: Timestamp,
    pub end: Timestamp,
    /// Who would give it.
    pub therapist_ids: Vec<TherapistId>,
    /// The practice's notice for changing or cancelling, in hours (its cancellation policy).
    pub cancel_notice_hours: i64,
}

/// The price with add-ons and the travel fee the slot's therapists would charge, without writing: for the
/// confirm page. The slot must still be offered (`Unavailable` otherwise).
pub async fn quote(app: &App, req: &BookingRequest) -> AppResult<Quote> {
    let store = app.store();
    let now = app.now();
    let who = Who::new(req.therapist_ids.as_deref(), req.therapist_gender);
    let ctx = Context::current(app, req.service_id, req.place.location(), who, &req.add_ons).await?;
    check_start(&ctx.settings, req.start, now)?;
    let (slot, _) = ctx.slot_at(app, req.start, now, &[]).await?;
    let base = store.service(req.service_id).await?;
    let therapist_ids: Vec<TherapistId> = slot.picks.iter().map(|p| p.therapist).collect();
    let travel_fee = travel_fee_cents(&ctx.settings, &ctx.schedules, &therapist_ids, mobile_point(&req.place));
    let add_ons = req
        .add_ons
        .iter()
        .filter_map(|name| base.add_ons.iter().find(|a| a.name.eq_ignore_ascii_case(name.trim())).cloned())
        .collect();
    Ok(Quote {
        service_cents: base.price_cents,
        add_ons,
        price_cents: ctx.service.price_cents,
        travel_fee_cents: travel_fee,
        total_cents: ctx.service.price_cents + travel_fee,
        duration_minutes: ctx.service.duration_minutes,
        start: req.start,
        end: knead_core::calendar::add_minutes(req.start, ctx.service.duration_minutes),
        therapist_ids,
        cancel_notice_hours: ctx.settings.cancel_notice_hours,
    })
}
