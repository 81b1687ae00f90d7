//! A re-plan of the day: the board turned into the optimizer's model (a vehicle per working window, a job per
//! visit), the search run from the day as booked, and its answer turned back into moves, each checked with the
//! booking rule the store will run.

use super::{DayBoard, Loaded};
use crate::{App, AppError, AppResult};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use knead_core::booking::{Booking, BookingId, Where};
use knead_core::calendar::{end_minute_of, instant_of, minute_of};
use knead_core::geo::{local_km, GeoPoint, TravelTimes};
use knead_core::schedule::Stop;
use knead_core::{Gender, TherapistId};
use knead_routing::day::{Day, DayPlan, DayPlanner, DayRuinAndRecreate, Job, Vehicle, Visit};
use knead_routing::vrptw::Iterations;
use std::collections::HashMap;

/// Starts a re-plan gives are on this many minutes (from the booked start).
const STEP_MINUTES: i64 = 5;

/// One booking's change in a proposal.
#[derive(Debug, Clone, PartialEq)]
pub struct ProposedMove {
    pub booking_id: BookingId,
    pub revision: i64,
    pub service: String,
    pub client_first_name: String,
    pub from_start: Timestamp,
    pub to_start: Timestamp,
    pub from_therapists: Vec<TherapistId>,
    pub to_therapists: Vec<TherapistId>,
}

/// What the optimizer would change about a day; nothing is written until it is applied.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub date: Date,
    pub zone: TimeZone,
    /// By new start.
    pub moves: Vec<ProposedMove>,
    pub before: DayBoard,
    pub after: DayBoard,
    /// Each therapist's name, for the moves.
    pub names: HashMap<TherapistId, String>,
}

impl Proposal {
    /// Minutes of driving the re-plan saves (never negative: the search starts from the day as booked).
    pub fn travel_saved_min(&self) -> i64 {
        self.before.travel_min - self.after.travel_min
    }
}

/// The optimizer's model of the day and the way back to bookings.
struct Model {
    day: Day,
    current: DayPlan,
    /// For each job: the booking (index into `Loaded::bookings`) and the visit's place in it.
    jobs: Vec<(usize, usize)>,
    /// For each vehicle, its therapist.
    vehicles: Vec<TherapistId>,
    /// For each job, minutes of set-up before the start.
    buffers: Vec<i64>,
}

/// Proposes a re-plan of `date`: the same visits, the least driving the optimizer finds within each visit's
/// freedom, deterministic for the day as booked.
pub async fn propose(app: &App, date: Date) -> AppResult<Proposal> {
    let loaded = Loaded::read(app, date).await?;
    let points = loaded.points();
    let travel = loaded.travel(app, &points).await;
    let before = loaded.board(&travel);
    let names = loaded.names.clone();
    let model = model(&loaded, &travel);
    if model.day.jobs().is_empty() {
        return Ok(Proposal {
            date,
            zone: loaded.zone().clone(),
            moves: Vec::new(),
            after: before.clone(),
            before,
            names,
        });
    }
    // Fixed work for a fixed day: the same day as booked gives the same proposal.
    let iterations = (model.day.jobs().len() as u64 * 400).clamp(4_000, 60_000);
    let planner = DayRuinAndRecreate::new(date_seed(date));
    let plan = planner.plan(&model.day, Some(&model.current), &mut Iterations(iterations)).map_err(|e| {
        tracing::error!(error = %e, "the day optimizer found no plan");
        AppError::field("no_plan", "date", "the optimizer found no plan for this day; nothing was proposed")
    })?;
    let moves = moves_of(&loaded, &model, &plan);
    let moved = loaded.moved(&moves);
    check_with_booking_rule(&moved, &moves, &travel)?;
    let after = moved.board(&travel);
    if after.travel_min >= before.travel_min {
        // Only the finishing times would change: not worth a message to any client.
        return Ok(Proposal {
            date,
            zone: loaded.zone().clone(),
            moves: Vec::new(),
            after: before.clone(),
            before,
            names,
        });
    }
    Ok(Proposal { date, zone: loaded.zone().clone(), moves, before, after, names })
}

fn date_seed(date: Date) -> u64 {
    (date.year() as u64) << 16 | (date.month() as u64) << 8 | date.day() as u64
}

/// The search's model: a vehicle per therapist window, a job per visit. A visit a re-plan may not move is
/// pinned where it is.
fn model(loaded: &Loaded, travel: &dyn TravelTimes) -> Model {
    let tz = loaded.zone();
    let overridden = loaded.overridden();
    let schedules: Vec<_> = loaded.schedules.iter().filter(|s| !overridden.contains(&s.therapist_id)).collect();
    let mut places: Vec<GeoPoint> = schedules.iter().map(|s| s.base).collect();
    let mut vehicles = Vec::new();
    let mut vehicle_therapists = Vec::new();
    for (index, s) in schedules.iter().enumerate() {
        for (open, close) in s.windows_on(tz, loaded.date) {
            vehicles.push(Vehicle { therapist: index, base: index, open, close });
            vehicle_therapists.push(s.therapist_id);
        }
    }
    let soon = minute_of(loaded.now) + loaded.settings.lead_minutes;
    let (mut jobs, mut refs, mut buffers) = (Vec::new(), Vec::new(), Vec::new());
    let mut current: Vec<Vec<Visit>> = vec![Vec::new(); vehicles.len()];
    for (bi, b) in loaded.bookings.iter().enumerate() {
        // A visit with a therapist whose day is left alone (or who is off) keeps its other half where it is.
        let with_overridden = b.visits.iter().any(|v| !schedules.iter().any(|s| s.therapist_id == v.therapist_id));
        let at = match &b.place {
            Where::Mobile { at, .. } => *at,
            Where::Clinic(id) => loaded.clinics.get(&id.0).map_or(places[0], |c| c.0),
        };
        let place = places.len();
        places.push(at);
        // Who may take the visit: a therapist working that day who offers the service, covers the place and is
        // of the gender the client asked for.
        let may: Vec<usize> = (0..vehicles.len())
            .filter(|&k| {
                let s = schedules[vehicles[k].therapist];
                s.offers(b.service_id)
                    && local_km(s.base, at) <= s.radius_km
                    && Gender::meets(b.therapist_gender, s.gender)
            })
            .collect();
        let first_job = jobs.len();
        let booked: Vec<(usize, i64, i64)> = b
            .visits
            .iter()
            .filter(|v| schedules.iter().any(|s| s.therapist_id == v.therapist_id))
            .filter_map(|v| {
                let (from, to) = (minute_of(v.block_start), end_minute_of(v.block_end));
                let k = (0..vehicles.len()).find(|&k| {
                    vehicle_therapists[k] == v.therapist_id && vehicles[k].open <= from && to <= vehicles[k].close
                })?;
                Some((k, from, to))
            })
            .collect();
        let couple = booked.len() == 2;
        let pinned = with_overridden
            || loaded.fixed(b).is_some()
            || b.visits.len() > 2
            || booked.iter().any(|(k, _, _)| !may.contains(k))
            || minute_of(b.start) < soon;
        for (i, &(k, from, to)) in booked.iter().enumerate() {
            let buffer = minute_of(b.start) - from;
            let (earliest, latest) = if pinned { (from, from) } else { start_range(b, soon) };
            let job = Job {
                place,
                length: to - from,
                earliest: if pinned { from } else { earliest - buffer },
                latest: if pinned { from } else { latest - buffer },
                step: if pinned { 1 } else { STEP_MINUTES },
                allowed: if pinned { vec![k] } else { may.clone() },
                locked: pinned.then_some((k, from)),
                partner: couple.then_some(first_job + 1 - i),
            };
            current[k].push(Visit { job: jobs.len(), block_start: from });
            jobs.push(job);
            refs.push((bi, i));
            buffers.push(buffer);
        }
    }
    for route in &mut current {
        route.sort_by_key(|v| v.block_start);
    }
    let n = places.len();
    let mut matrix = vec![0; n * n];
    for (i, &a) in places.iter().enumerate() {
        for (j, &b) in places.iter().enumerate() {
            matrix[i * n + j] = i64::from(travel.minutes(a, b));
        }
    }
    let day = Day::new(vehicles, jobs, n, matrix).expect("the model is built within its own rules");
    Model { day, current: DayPlan { routes: current }, jobs: refs, vehicles: vehicle_therapists, buffers }
}

/// The starts a movable booking may take: its accepted arrival window (or its start), no sooner than the lead
/// time, on the step from its booked start.
fn start_range(b: &Booking, soon: i64) -> (i64, i64) {
    let start = minute_of(b.start);
    let (from, until) = match b.arrival {
        Some(w) if w.contains(b.start) => (minute_of(w.from), minute_of(w.until)),
        _ => (start, start),
    };
    let lowest = from.max(soon);
    // On the step counted from the booked start, so the booked start is always one of them.
    let earliest = start - (start - lowest).div_euclid(STEP_MINUTES) * STEP_MINUTES;
    let latest = start + (until - start).div_euclid(STEP_MINUTES) * STEP_MINUTES;
    (earliest.min(start), latest.max(start))
}

/// The bookings whose start or therapists the plan changes, by new start.
fn moves_of(loaded: &Loaded, model: &Model, plan: &DayPlan) -> Vec<ProposedMove> {
    let mut placed: HashMap<usize, (usize, i64)> = HashMap::new();
    for (k, route) in plan.routes.iter().enumerate() {
        for v in route {
            placed.insert(v.job, (k, v.block_start));
        }
    }
    let mut by_booking: HashMap<usize, Vec<(usize, TherapistId, i64)>> = HashMap::new();
    for (job, &(bi, i)) in model.jobs.iter().enumerate() {
        if let Some(&(k, block_start)) = placed.get(&job) {
            by_booking.entry(bi).or_default().push((i, model.vehicles[k], block_start + model.buffers[job]));
        }
    }
    let mut moves: Vec<ProposedMove> = by_booking
        .into_iter()
        .filter_map(|(bi, mut parts)| {
            let b = &loaded.bookings[bi];
            parts.sort_by_key(|p| p.0);
            let to_therapists: Vec<TherapistId> = parts.iter().map(|p| p.1).collect();
            let to_start = instant_of(parts.first()?.2);
            let from_therapists = b.therapist_ids();
            let same_team = {
                let (mut x, mut y) = (from_therapists.clone(), to_therapists.clone());
                x.sort();
                y.sort();
                x == y
            };
            (to_start != b.start || !same_team).then(|| ProposedMove {
                booking_id: b.id,
                revision: b.revision,
                service: loaded.services.get(&b.service_id).cloned().unwrap_or_default(),
                client_first_name: b.client.name.split_whitespace().next().unwrap_or("").to_string(),
                from_start: b.start,
                to_start,
                from_therapists,
                to_therapists,
            })
        })
        .collect();
    moves.sort_by_key(|m| (m.to_start, m.booking_id));
    moves
}

/// Runs the booking rule (the one the store runs as it writes) on every moved visit of the day after the moves:
/// the optimizer's answer must pass it, or nothing is proposed.
pub(super) fn check_with_booking_rule(
    moved: &Loaded,
    moves: &[ProposedMove],
    travel: &dyn TravelTimes,
) -> AppResult<()> {
    let tz = moved.zone();
    for m in moves {
        let Some(b) = moved.bookings.iter().find(|b| b.id == m.booking_id) else { continue };
        let at = match &b.place {
            Where::Mobile { at, .. } => *at,
            Where::Clinic(_) => continue,
        };
        for v in &b.visits {
            let Some(schedule) = moved.schedules.iter().find(|s| s.therapist_id == v.therapist_id) else {
                return Err(unfit(m.booking_id, "the therapist does not work that day"));
            };
            let others = stops_of(moved, v.therapist_id, b.id);
            let day = schedule.route_day(tz, moved.date, others, travel);
            let buffer = minute_of(b.start) - minute_of(v.block_start);
            let duration = minute_of(b.end) - minute_of(b.start);
            if let Err(why) = day.check(minute_of(b.start), duration, buffer, at, travel) {
                return Err(unfit(m.booking_id, &why.to_string()));
            }
        }
    }
    Ok(())
}

fn unfit(booking: BookingId, why: &str) -> AppError {
    tracing::error!(booking = booking.0, "a re-planned visit failed the booking rule");
    AppError::field("no_plan", "date", format!("booking {}: {why}; nothing was proposed", booking.0))
}

/// A therapist's visits on the day as engine stops, leaving out booking `except`.
pub(super) fn stops_of(day: &Loaded, therapist: TherapistId, except: BookingId) -> Vec<Stop> {
    day.bookings
        .iter()
        .filter(|b| b.id != except)
        .flat_map(|b| {
            let at = match &b.place {
                Where::Mobile { at, .. } => Some(*at),
                Where::Clinic(id) => day.clinics.get(&id.0).map(|c| c.0),
            };
            b.visits.iter().filter(move |v| v.therapist_id == therapist).filter_map(move |v| {
                Some(Stop { start: minute_of(v.block_start), end: end_minute_of(v.block_end), at: at? })
            })
        })
        .collect()
}
