//! A block booking: several therapists held together for a whole block at one workplace or home — an office
//! chair-massage day, or a spa party. Placed by the same engine as any visit (the therapists free for the whole
//! block who add the least travel) and written under the same rule, with what the group needs beside it (the chair
//! day's sheet, the party's guests) in one transaction.

use super::{travel_fee_cents, visits_for, Context, Who};
use crate::accounts::{random_secret, secret_hash};
use crate::travel::Travel;
use crate::{clients, App, AppError, AppResult};
use jiff::civil::Date;
use jiff::Timestamp;
use knead_core::booking::plan::check_start;
use knead_core::booking::{Booking, BookingStatus, Contact, Location, NewBooking, Where};
use knead_core::calendar::{add_minutes, instant_of, local_minute, minute_of};
use knead_core::events::party::{fit_guests, PartyRequest};
use knead_core::events::{ChairDay, GuestIntake, GuestVisit, NewChairDay};
use knead_core::geo::GeoPoint;
use knead_core::notify::{JobKind, NewJob};
use knead_core::Place;
use knead_core::{Kind, ServiceId, User};

/// What a block asks for: a service of `kind`, `therapists` of them together from `start_minute` to `end_minute`
/// (minutes after local midnight) on `date` at `at`.
pub(crate) struct Block<'a> {
    pub service_id: ServiceId,
    pub kind: Kind,
    pub at: GeoPoint,
    pub address: &'a str,
    pub date: Date,
    pub start_minute: i64,
    pub end_minute: i64,
    pub therapists: usize,
    /// Who arranged it: the booking's client.
    pub organiser: &'a Contact,
}

/// A block the engine placed: the booking to write, and what the store's re-check needs.
struct Placed {
    ctx: Context,
    travel: Travel,
    start: Timestamp,
    new: NewBooking,
}

/// The booking for `block`, with the therapists free for the whole of it who add the least driving; `Ok(Err(n))`
/// when only `n` therapists are free then (0 outside working hours). Refused when the service is not of the
/// block's kind, the place is outside the service area, or the start is not one the practice offers.
async fn place(
    app: &App,
    block: &Block<'_>,
    price_cents: impl FnOnce(&Context) -> i64,
) -> AppResult<Result<Placed, usize>> {
    let store = app.store();
    let now = app.now();
    let mut ctx = Context::current(app, block.service_id, Location::Point(block.at), Who::default(), &[]).await?;
    if ctx.service.kind != block.kind {
        let what = match block.kind {
            Kind::Chair => "a chair-massage service",
            Kind::Party => "a spa-party service",
            Kind::Individual | Kind::Couples => "a group service",
        };
        return Err(AppError::field("invalid", "service_id", format!("\"{}\" is not {what}", ctx.service.name)));
    }
    let tz = ctx.settings.zone().clone();
    let start = instant_of(local_minute(&tz, block.date, block.start_minute));
    check_start(&ctx.settings, start, now)?;
    let price_cents = price_cents(&ctx);
    // The engine searches for one visit as long as the block, with as many therapists as it needs.
    let block_minutes = block.end_minute - block.start_minute;
    ctx.service.duration_minutes = block_minutes;
    let dates = [block.date];
    let booked = ctx.booked(store, &dates).await?;
    let mut request = ctx.request(store, &dates, now).await?;
    let at_start = |slots: Vec<knead_core::schedule::Slot>| slots.into_iter().find(|s| s.start == minute_of(start));
    request.therapists_needed = block.therapists;
    let (slots, travel) = ctx.search_booked(app, &request, &booked, &dates).await;
    let Some(slot) = at_start(slots) else {
        for k in (1..block.therapists).rev() {
            request.therapists_needed = k;
            if at_start(ctx.search_booked(app, &request, &booked, &dates).await.0).is_some() {
                return Ok(Err(k));
            }
        }
        return Ok(Err(0));
    };
    let visits = visits_for(&slot, &ctx.service, start);
    let therapists: Vec<_> = visits.iter().map(|v| v.therapist_id).collect();
    let client = clients::for_booking(app, None, None, block.organiser).await?;
    // The organiser or host gets their group's page (no manage link, no reminders: staff change a group); each
    // therapist the usual notice.
    let jobs: Vec<NewJob> = std::iter::once(NewJob::now(JobKind::GroupBooked, now))
        .chain(
            therapists
                .iter()
                .map(|&t| NewJob { therapist_id: Some(t), ..NewJob::now(JobKind::TherapistNewBooking, now) }),
        )
        .collect();
    let new = NewBooking {
        service_id: ctx.service.id,
        start,
        end: add_minutes(start, block_minutes),
        place: Where::Mobile { at: block.at, address: block.address.to_string() },
        client: block.organiser.clone(),
        client_user_id: None,
        client_id: Some(client.id),
        new_client_record: false,
        status: BookingStatus::Confirmed,
        reason: None,
        screening_id: None,
        add_ons: Vec::new(),
        notes: String::new(),
        price_cents,
        travel_fee_cents: travel_fee_cents(&ctx.settings, &ctx.schedules, &therapists, Some(block.at)),
        visits,
        // Staff manage a group booking; its manage link is never handed out.
        manage_token_hash: secret_hash(&random_secret()),
        idempotency_key: None,
        request_fingerprint: String::new(),
        created_at: now,
        jobs,
        series_id: None,
        arrival: None,
        therapists_named: false,
        therapist_gender: None,
    };
    Ok(Ok(Placed { ctx, travel, start, new }))
}

/// Books `block` for a chair day (`staff` arranges it) and writes `day` beside it. Fewer therapists free than
/// chairs is 422 `not_enough_therapists` on `chairs`, saying how many are.
pub(crate) async fn block_booking(
    app: &App,
    block: &Block<'_>,
    day: &NewChairDay,
    staff: &User,
) -> AppResult<(Booking, ChairDay)> {
    // Invoiced per chair-hour at the service's own hourly rate.
    let chairs = i64::try_from(block.therapists).unwrap_or(1);
    let minutes = block.end_minute - block.start_minute;
    let price =
        |ctx: &Context| ctx.service.price_cents * 60 / ctx.service.duration_minutes.max(1) * minutes * chairs / 60;
    let placed = match place(app, block, price).await? {
        Ok(placed) => placed,
        Err(free) => {
            return Err(AppError::field(
                "not_enough_therapists",
                "chairs",
                match free {
                    0 => "no therapist is free for the whole block then (outside working hours, or booked); choose \
                          another time"
                        .to_string(),
                    n => format!(
                        "only {n} therapist(s) are free for the whole block then; ask for fewer chairs or another time"
                    ),
                },
            ))
        }
    };
    let rule = placed.ctx.visit_fits(placed.start, &placed.travel);
    let written = app.store().create_chair_day(&placed.new, day, &rule).await?;
    tracing::info!(booking = written.0.id.0, chair_day = written.1.id.0, by = staff.id.0, "chair day booked");
    app.jobs_added();
    Ok(written)
}

/// Books a spa party for `staff`: each guest's treatment (with its add-ons) fitted into the window on as few
/// therapists as can serve them all, each therapist taking guests one after another with the practice's changeover
/// between them, and those therapists held for the whole window. 422 `cannot_fit` on `guests`, with nothing
/// written, when the guests cannot all be served in the window by the therapists free then.
pub(crate) async fn party_booking(
    app: &App,
    req: &PartyRequest,
    at: GeoPoint,
    by: Option<&User>,
) -> AppResult<(Booking, Vec<GuestVisit>)> {
    let store = app.store();
    let services = store.list_services(false).await?;
    let party = services
        .iter()
        .find(|s| s.kind == Kind::Party && s.place != Place::Clinic)
        .ok_or_else(|| AppError::field("unavailable", "guests", "the practice does not offer spa parties"))?;
    let mut minutes = Vec::with_capacity(req.guests.len());
    let mut price_cents = 0;
    let mut errors = knead_core::ValidationErrors::default();
    for (i, g) in req.guests.iter().enumerate() {
        let offered = services
            .iter()
            .find(|s| s.id == g.service_id && matches!(s.kind, Kind::Individual) && s.place != Place::Clinic);
        let Some(service) = offered else {
            errors.push(knead_core::FieldError::new(
                "unknown",
                format!("guests[{i}].service_id"),
                "no treatment a guest can have at home has this id",
            ));
            continue;
        };
        // A guest's extras are their treatment's or the party's own (a face mask is a party extra, not a massage's).
        let mut with_party_extras = service.clone();
        let own = |name: &str| service.add_ons.iter().any(|a| a.name.eq_ignore_ascii_case(name));
        with_party_extras.add_ons.extend(party.add_ons.iter().filter(|a| !own(&a.name)).cloned());
        match with_party_extras.with_add_ons(&format!("guests[{i}].add_ons"), &g.add_ons) {
            Ok(booked) => {
                minutes.push(booked.duration_minutes);
                price_cents += booked.price_cents;
            }
            Err(e) => errors.push(e),
        }
    }
    errors.check()?;
    let settings = store.practice_settings().await?;
    let window = req.end_minute - req.start_minute;
    let changeover = settings.party_changeover_minutes;
    let cannot_fit = |detail: String| AppError::field("cannot_fit", "guests", detail);
    // As few therapists as the guests need, whoever is free; then whether that many are free then.
    let plan =
        fit_guests(window, &minutes, changeover, req.guests.len()).map_err(|e| cannot_fit(named(&e.detail, req)))?;
    let block = Block {
        service_id: party.id,
        kind: Kind::Party,
        at,
        address: &req.address,
        date: req.date,
        start_minute: req.start_minute,
        end_minute: req.end_minute,
        therapists: plan.therapists,
        organiser: &req.host,
    };
    let placed = match place(app, &block, |_| price_cents).await? {
        Ok(placed) => placed,
        Err(free) => {
            let detail = match free {
                0 => "no therapist is free for the whole party then (outside working hours, or booked)".to_string(),
                n => format!(
                    "{} guests need at least {} therapists at once; only {n} are free then",
                    req.guests.len(),
                    plan.therapists
                ),
            };
            return Err(cannot_fit(detail));
        }
    };
    let guests: Vec<GuestVisit> = plan
        .visits
        .iter()
        .map(|v| GuestVisit {
            position: i64::try_from(v.guest).unwrap_or(0),
            name: req.guests[v.guest].name.clone(),
            service_id: req.guests[v.guest].service_id,
            add_ons: req.guests[v.guest].add_ons.clone(),
            therapist_id: placed.new.visits[v.therapist].therapist_id,
            start: add_minutes(placed.start, v.start_offset),
            end: add_minutes(placed.start, v.end_offset),
            intake: GuestIntake { token: Some(random_secret()), answers: None, consented_at: None },
        })
        .collect();
    let rule = placed.ctx.visit_fits(placed.start, &placed.travel);
    let written = store.create_party(&placed.new, &guests, &rule).await?;
    tracing::info!(booking = written.0.id.0, guests = guests.len(), by = by.map(|u| u.id.0), "spa party booked");
    app.jobs_added();
    Ok(written)
}

/// The planner's detail with "guest 3" replaced by the guest's name.
fn named(detail: &str, req: &PartyRequest) -> String {
    let mut out = detail.to_string();
    for (i, g) in req.guests.iter().enumerate().rev() {
        out = out.replace(&format!("guest {}", i + 1), &g.name);
    }
    out
}
