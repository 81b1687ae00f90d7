//! A block booking: several therapists held together for a whole block at one workplace or home — an office
//! chair-massage day. Placed by the same engine as any visit (the therapists free for the whole block who add the
//! least travel) and written under the same rule, with the chair day beside it in one transaction.

use super::{travel_fee_cents, visits_for, Context, Who};
use crate::accounts::{random_secret, secret_hash};
use crate::{clients, App, AppError, AppResult};
use jiff::civil::Date;
use knead_core::booking::plan::check_start;
use knead_core::booking::{Booking, BookingStatus, Contact, Location, NewBooking, Where};
use knead_core::calendar::{add_minutes, instant_of, local_minute, minute_of};
use knead_core::events::{ChairDay, NewChairDay};
use knead_core::geo::GeoPoint;
use knead_core::notify;
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

/// Books `block` for a chair day (`staff` arranges it) and writes `day` beside it: the therapists are those free
/// for the whole block who add the least driving. Refused, with nothing written, when the service is not a chair
/// service, the place is outside the service area, the start is not one the practice offers, or fewer therapists
/// are free than the chairs asked for (saying how many are).
pub(crate) async fn block_booking(
    app: &App,
    block: &Block<'_>,
    day: &NewChairDay,
    staff: &User,
) -> AppResult<(Booking, ChairDay)> {
    let store = app.store();
    let now = app.now();
    let mut ctx = Context::fresh(store, block.service_id, Location::Point(block.at), Who::default(), &[]).await?;
    if ctx.service.kind != block.kind {
        return Err(AppError::field(
            "invalid",
            "service_id",
            format!(
                "\"{}\" is not {}",
                ctx.service.name,
                match block.kind {
                    Kind::Chair => "a chair-massage service",
                    Kind::Party => "a spa-party service",
                    Kind::Individual | Kind::Couples => "a group service",
                }
            ),
        ));
    }
    let tz = ctx.settings.zone().clone();
    let start = instant_of(local_minute(&tz, block.date, block.start_minute));
    check_start(&ctx.settings, start, now)?;
    // The engine searches for one visit as long as the block, with as many therapists as chairs.
    let hourly_cents = ctx.service.price_cents * 60 / ctx.service.duration_minutes.max(1);
    let block_minutes = block.end_minute - block.start_minute;
    ctx.service.duration_minutes = block_minutes;
    let dates = [block.date];
    let booked = ctx.booked(store, &dates).await?;
    let mut request = ctx.request(store, &dates, now).await?;
    let at_start = |slots: Vec<knead_core::schedule::Slot>| slots.into_iter().find(|s| s.start == minute_of(start));
    request.therapists_needed = block.therapists;
    let (slots, travel) = ctx.search_booked(app, &request, &booked, &dates).await;
    let Some(slot) = at_start(slots) else {
        let mut free = 0;
        for k in (1..block.therapists).rev() {
            request.therapists_needed = k;
            if at_start(ctx.search_booked(app, &request, &booked, &dates).await.0).is_some() {
                free = k;
                break;
            }
        }
        return Err(AppError::field(
            "not_enough_therapists",
            "chairs",
            match free {
                0 => {
                    "no therapist is free for the whole block then (outside working hours, or booked); choose another \
                      time"
                        .to_string()
                }
                n => format!(
                    "only {n} therapist(s) are free for the whole block then; ask for fewer chairs or another time"
                ),
            },
        ));
    };
    let visits = visits_for(&slot, &ctx.service, start);
    let therapists: Vec<_> = visits.iter().map(|v| v.therapist_id).collect();
    let client = clients::for_booking(app, None, None, block.organiser).await?;
    let jobs = notify::jobs_for_booking(false, &therapists, start, now, &ctx.settings.reminder_hours);
    let new = NewBooking {
        service_id: ctx.service.id,
        start,
        end: add_minutes(start, block_minutes),
        place: Where::Mobile { at: block.at, address: block.address.to_string() },
        client: block.organiser.clone(),
        client_user_id: None,
        client_id: Some(client.id),
        status: BookingStatus::Confirmed,
        reason: None,
        screening_id: None,
        add_ons: Vec::new(),
        notes: String::new(),
        // Invoiced per chair-hour at the service's own hourly rate.
        price_cents: hourly_cents * block_minutes * i64::try_from(block.therapists).unwrap_or(1) / 60,
        travel_fee_cents: travel_fee_cents(&ctx.settings, &ctx.schedules, &therapists, Some(block.at)),
        visits,
        // Staff manage a chair day; its manage link is never handed out.
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
    let written = store.create_chair_day(&new, day, &ctx.visit_fits(start, &travel)).await?;
    tracing::info!(booking = written.0.id.0, chair_day = written.1.id.0, by = staff.id.0, "chair day booked");
    app.jobs_added();
    Ok(written)
}
