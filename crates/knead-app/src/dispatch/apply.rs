//! Applying a re-plan: every move checked again against what a re-plan may change (the arrival window, a named
//! therapist, who works and offers the service) and the day after all the moves against the booking rule, then
//! written by the store in one transaction that runs the rule again on fresh data under the therapists' locks.
//! A move that fails any check writes nothing; a booking that changed since the plan was made refuses the plan.

use super::plan::{check_with_booking_rule, stops_of, ProposedMove};
use super::Loaded;
use crate::{App, AppError, AppResult, ConflictCode};
use jiff::civil::Date;
use jiff::Timestamp;
use knead_core::booking::plan::VisitFits;
use knead_core::booking::{Booking, BookingId, NewBooking, NewVisit, Unavailable};
use knead_core::calendar::{local_date, minute_of};
use knead_core::notify::{self, JobKind, NewJob};
use knead_core::validation::{FieldError, ValidationErrors};
use knead_core::{Gender, TherapistId, User};
use knead_store::{BookingError, PlannedMove};
use std::collections::HashSet;

/// The most moves one plan may carry: more than a busy day of 200 therapists moves (766 measured on the metro
/// demo), and within the API's body limit.
pub const MAX_MOVES: usize = 2_000;

/// One booking's new start and therapists, as a proposal gave it, with the revision it was planned from.
#[derive(Debug, Clone, PartialEq)]
pub struct MoveOrder {
    pub booking_id: BookingId,
    pub revision: i64,
    pub start: Timestamp,
    pub therapist_ids: Vec<TherapistId>,
}

/// Writes a re-plan of `date` for a manager (`staff`): all of it or none. Each client whose time or therapist
/// changes is told (a `BookingChanged` message), each new therapist too, and the reminders follow the new time.
pub async fn apply(app: &App, date: Date, orders: &[MoveOrder], staff: &User) -> AppResult<Vec<Booking>> {
    if orders.is_empty() {
        return Err(AppError::field("required", "moves", "the plan moves nothing"));
    }
    if orders.len() > MAX_MOVES {
        return Err(AppError::field("too_long", "moves", format!("at most {MAX_MOVES} moves in one plan")));
    }
    let loaded = Loaded::read(app, date).await?;
    let moves = check_orders(&loaded, orders)?;
    let moved = loaded.moved(&moves);
    let travel = loaded.travel(app, &loaded.points()).await;
    check_with_booking_rule(&moved, &moves, &travel).map_err(|e| match e {
        AppError::Invalid(mut errors) => {
            for e in &mut errors.0 {
                e.field = "moves".into();
                e.code = "does_not_fit";
            }
            AppError::Invalid(errors)
        }
        other => other,
    })?;

    let now = app.now();
    let tz = moved.zone();
    let mut writes: Vec<(BookingId, i64, NewBooking, VisitFits<'_>)> = Vec::with_capacity(moves.len());
    for (i, m) in moves.iter().enumerate() {
        let before = loaded.bookings.iter().find(|b| b.id == m.booking_id).expect("checked above");
        let after = moved.bookings.iter().find(|b| b.id == m.booking_id).expect("moved from the same day");
        let at = match &after.place {
            knead_core::booking::Where::Mobile { at, .. } => *at,
            knead_core::booking::Where::Clinic(_) => unreachable!("clinic visits are fixed"),
        };
        let buffer = minute_of(before.start) - minute_of(before.visits[0].block_start);
        let duration = minute_of(before.end) - minute_of(before.start);
        let visits = after
            .visits
            .iter()
            .map(|v| {
                let schedule = moved.schedules.iter().find(|s| s.therapist_id == v.therapist_id);
                let fit = schedule.and_then(|s| {
                    let day = s.route_day(tz, date, stops_of(&moved, v.therapist_id, after.id), &travel);
                    day.check(minute_of(after.start), duration, buffer, at, &travel).ok()
                });
                NewVisit {
                    therapist_id: v.therapist_id,
                    block_start: v.block_start,
                    block_end: v.block_end,
                    travel_before_min: fit.map_or(0, |f| i64::from(f.travel_before)),
                    travel_after_min: fit.map_or(0, |f| i64::from(f.travel_after)),
                }
            })
            .collect();
        let new_therapists = m.to_therapists.iter().filter(|t| !m.from_therapists.contains(t));
        let jobs = [NewJob::now(JobKind::BookingChanged, now)]
            .into_iter()
            .chain(
                new_therapists
                    .map(|&t| NewJob { therapist_id: Some(t), ..NewJob::now(JobKind::TherapistNewBooking, now) }),
            )
            .chain(notify::reminders(after.start, now, &moved.settings.reminder_hours))
            // A re-plan can free times the waitlist wants: one check after the whole plan.
            .chain((i == 0).then(|| NewJob::waitlist_scan(now)))
            .collect();
        let to = NewBooking {
            service_id: before.service_id,
            start: after.start,
            end: after.end,
            place: before.place.clone(),
            client: before.client.clone(),
            client_user_id: before.client_user_id,
            client_id: before.client_id,
            new_client_record: false,
            status: before.status,
            reason: before.reason,
            screening_id: before.screening_id.clone(),
            add_ons: before.add_ons.clone(),
            notes: before.notes.clone(),
            price_cents: before.price_cents,
            travel_fee_cents: before.travel_fee_cents,
            visits,
            manage_token_hash: String::new(),
            idempotency_key: None,
            request_fingerprint: String::new(),
            created_at: now,
            jobs,
            series_id: before.series_id,
            arrival: before.arrival,
            therapists_named: before.therapists_named,
            therapist_gender: before.therapist_gender,
        };
        let rule =
            VisitFits { tz, schedules: &moved.schedules, start: after.start, duration, buffer, at, travel: &travel };
        writes.push((m.booking_id, m.revision, to, rule));
    }
    let planned: Vec<PlannedMove<'_>> = writes
        .iter()
        .map(|(id, revision, to, rule)| PlannedMove { id: *id, revision: *revision, to: to.clone(), rule })
        .collect();
    let written = match app.store().apply_day_plan(&planned, staff.id).await {
        Ok(written) => written,
        Err(BookingError::Unavailable(Unavailable::ChangedSincePlanned)) => {
            return Err(AppError::Conflict { code: ConflictCode::Stale, field: "moves" })
        }
        Err(e) => return Err(e.into()),
    };
    tracing::info!(moves = written.len(), "day re-plan applied");
    app.jobs_added();
    Ok(written)
}

/// Each order against the day as it is now: the booking is on it, unchanged since the plan, free to move, and
/// its new start and therapists are ones a re-plan may give. Every problem is reported at once.
fn check_orders(day: &Loaded, orders: &[MoveOrder]) -> AppResult<Vec<ProposedMove>> {
    let mut errors = ValidationErrors::default();
    let mut seen = HashSet::new();
    let mut moves = Vec::with_capacity(orders.len());
    let overridden = day.overridden();
    let soon = minute_of(day.now) + day.settings.lead_minutes;
    for (i, o) in orders.iter().enumerate() {
        let field = |name: &str| format!("moves[{i}].{name}");
        let mut problem = |code: &'static str, name: &str, detail: String| {
            errors.push(FieldError::new(code, field(name), detail));
        };
        if !seen.insert(o.booking_id) {
            problem("duplicate", "booking_id", "each booking may be moved once in a plan".into());
            continue;
        }
        let Some(b) = day.bookings.iter().find(|b| b.id == o.booking_id) else {
            problem("unknown", "booking_id", "no active booking on this day has this id".into());
            continue;
        };
        if b.revision != o.revision {
            return Err(AppError::Conflict { code: ConflictCode::Stale, field: "moves" });
        }
        let fixed = match b.visits.iter().any(|v| overridden.contains(&v.therapist_id)) {
            true => Some(super::Fixed::OverriddenDay),
            false => day.fixed(b),
        };
        if let Some(why) = fixed {
            problem("fixed", "booking_id", format!("a re-plan cannot move this visit: {}", why.describe()));
            continue;
        }
        let window_ok = match b.arrival {
            Some(w) if w.contains(b.start) => w.contains(o.start),
            _ => o.start == b.start,
        };
        if !window_ok {
            problem("outside_arrival_window", "start", "the client did not accept an arrival at that time".into());
        } else if local_date(day.zone(), o.start) != day.date
            || minute_of(o.start) < soon
            || o.start.as_second() % 60 != 0
            || o.start.subsec_nanosecond() != 0
        {
            problem("invalid", "start", "must be a whole minute on the same day, no sooner than the lead time".into());
        }
        let mut team = o.therapist_ids.clone();
        team.sort();
        team.dedup();
        if team.len() != b.visits.len() || o.therapist_ids.len() != b.visits.len() {
            problem("invalid", "therapist_ids", format!("this booking needs {} distinct therapist(s)", b.visits.len()));
        } else if let Some(t) = o.therapist_ids.iter().find(|t| {
            !day.schedules.iter().any(|s| s.therapist_id == **t && s.offers(b.service_id)) || overridden.contains(t)
        }) {
            problem(
                "invalid",
                "therapist_ids",
                format!("therapist {} does not work that day or offer the service", t.0),
            );
        } else if let Some(t) = o.therapist_ids.iter().find(|t| {
            !b.therapist_ids().contains(t)
                && !day.schedules.iter().any(|s| s.therapist_id == **t && Gender::meets(b.therapist_gender, s.gender))
        }) {
            let asked = b.therapist_gender.map_or("", Gender::label);
            problem(
                "gender_preference",
                "therapist_ids",
                format!("the client asked for {asked}; therapist {} is not", t.0),
            );
        }
        moves.push(ProposedMove {
            booking_id: b.id,
            revision: b.revision,
            service: String::new(),
            client_first_name: String::new(),
            from_start: b.start,
            to_start: o.start,
            from_therapists: b.therapist_ids(),
            to_therapists: o.therapist_ids.clone(),
        });
    }
    if !errors.0.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    moves.sort_by_key(|m| (m.to_start, m.booking_id));
    Ok(moves)
}
