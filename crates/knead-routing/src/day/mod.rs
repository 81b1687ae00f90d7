//! The practice-day planner: re-plans one day of a mobile massage practice.
//!
//! A [`Day`] holds the therapists' working windows ([`Vehicle`]s), the visits to place ([`Job`]s) and the travel
//! minutes between places. A [`DayPlan`] gives each window its visits in driving order with their start minutes.
//!
//! # The rule
//!
//! The same one the booking engine applies (knead-core's `schedule::route::RouteDay::check`): each working window
//! is an independent tour. The therapist leaves the base when the window opens; a visit blocks
//! `[block_start, block_start + length)` (set-up and pack-up buffers are part of `length`); the first visit starts
//! no sooner than `open + travel(base, place)`, each later one no sooner than the previous visit's end plus the
//! drive between them, and the last one ends by the window's close. Driving home is not required within the window
//! but is counted in the travel a plan is judged by. [`check`] applies the rule, and every job's own constraints,
//! on its own: it shares no code with the search.
//!
//! # The planner
//!
//! [`DayPlanner`] is what re-plans a day; [`DayRuinAndRecreate`] is ours: ruin (strings of visits cut near a random
//! visit, random visits, or the visits in the way of one left out) and recreate (cheapest insertion with blinks)
//! under simulated annealing, minimising total travel (home legs included), then the spread of the tours' finishing
//! times. Within a tour every visit starts as early as it can; the two halves of a couples visit go in and out of the
//! plan together and share a minute chosen when they are inserted (when one half is locked, the other moves alone,
//! at the locked half's minute). Given today's plan it never answers with a worse one, and it never moves a locked
//! visit.
//!
//! Pure, like the rest of the crate: the caller supplies the day and the stopping rule ([`Budget`]).

mod check;
mod recreate;
mod ruin;
mod search;
mod state;
mod timing;

pub use check::{check, DayInfeasibility};
pub use search::DayRuinAndRecreate;

use crate::vrptw::Budget;
use thiserror::Error;

/// The largest magnitude [`Day::new`] accepts for any minute (a time, a length, a step or a drive): about two
/// million years, far beyond any day, and small enough that sums over a day never overflow.
pub const MAX_MINUTES: i64 = 1_000_000_000_000;

/// One working window of a therapist: a tour that leaves `base` at `open` and must finish its last visit by
/// `close`. A therapist with a break has two windows, each a tour of its own from the base.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vehicle {
    /// Who drives; the windows of one therapist share it (and must not overlap in time).
    pub therapist: usize,
    /// Where the tour starts and ends, as a place index.
    pub base: usize,
    /// When the therapist leaves the base.
    pub open: i64,
    /// When the last visit must have ended (the drive home may come after).
    pub close: i64,
}

/// One visit to place: where, how long it blocks, when it may start and who may do it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Where the visit happens, as a place index.
    pub place: usize,
    /// Minutes blocked, set-up and pack-up buffers included; at least 1.
    pub length: i64,
    /// The earliest `block_start`.
    pub earliest: i64,
    /// The latest `block_start` (equal to `earliest` for a fixed start).
    pub latest: i64,
    /// `block_start` must be `earliest + k * step` for a whole `k >= 0`; at least 1.
    pub step: i64,
    /// The vehicles (indices into [`Day::vehicles`]) that may do the visit; never empty. Skills, a named therapist,
    /// a gender preference and the service radius are the caller's to fold in. [`Day::new`] sorts it and drops
    /// repeats.
    pub allowed: Vec<usize>,
    /// Pinned to `(vehicle, block_start)`: the planner never moves it.
    pub locked: Option<(usize, i64)>,
    /// A couples visit: the other half (whose `partner` names this job). Both halves start at the same minute, on
    /// vehicles of different therapists.
    pub partner: Option<usize>,
}

/// One day to plan: windows, visits and the travel minutes between places. Built by [`Day::new`], which checks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Day {
    vehicles: Vec<Vehicle>,
    jobs: Vec<Job>,
    places: usize,
    travel: Vec<i64>,
}

/// Why [`Day::new`] refused its input.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DayError {
    /// The travel matrix is not `places × places`.
    #[error("travel between {places} places needs {expected} entries, got {got}")]
    TravelSize {
        /// The number of places given.
        places: usize,
        /// `places * places` (saturating at `usize::MAX`).
        expected: usize,
        /// The entries given.
        got: usize,
    },
    /// A drive is negative or beyond [`MAX_MINUTES`].
    #[error("travel from place {from} to place {to} must be between 0 and {MAX_MINUTES} minutes")]
    BadTravel {
        /// The place driven from.
        from: usize,
        /// The place driven to.
        to: usize,
    },
    /// A vehicle's base is not a place.
    #[error("vehicle {vehicle}: base {base} is not a place")]
    UnknownBase {
        /// The vehicle.
        vehicle: usize,
        /// The base given.
        base: usize,
    },
    /// A vehicle closes before it opens, or a time lies beyond [`MAX_MINUTES`].
    #[error("vehicle {vehicle}: the window must open by its close, within {MAX_MINUTES} minutes of zero")]
    BadWindow {
        /// The vehicle.
        vehicle: usize,
    },
    /// Two windows of one therapist overlap: the therapist cannot drive both tours.
    #[error("vehicles {first} and {second} are windows of one therapist that overlap")]
    OverlappingWindows {
        /// The first window.
        first: usize,
        /// The second window.
        second: usize,
    },
    /// A job's place is not a place.
    #[error("job {job}: place {place} is not a place")]
    UnknownPlace {
        /// The job.
        job: usize,
        /// The place given.
        place: usize,
    },
    /// A job's length or step is below 1 or beyond [`MAX_MINUTES`].
    #[error("job {job}: length and step must be between 1 and {MAX_MINUTES} minutes")]
    BadLength {
        /// The job.
        job: usize,
    },
    /// A job's latest start is before its earliest, or a start lies beyond [`MAX_MINUTES`].
    #[error("job {job}: the earliest start must come by the latest, within {MAX_MINUTES} minutes of zero")]
    BadStarts {
        /// The job.
        job: usize,
    },
    /// A job allows no vehicle.
    #[error("job {job}: no vehicle is allowed to do it")]
    NoVehicle {
        /// The job.
        job: usize,
    },
    /// A job allows a vehicle the day does not have.
    #[error("job {job}: vehicle {vehicle} is not a vehicle of the day")]
    UnknownVehicle {
        /// The job.
        job: usize,
        /// The vehicle given.
        vehicle: usize,
    },
    /// A job is locked to a vehicle it does not allow.
    #[error("job {job}: locked to vehicle {vehicle}, which it does not allow")]
    LockedVehicle {
        /// The job.
        job: usize,
        /// The vehicle it is locked to.
        vehicle: usize,
    },
    /// A job is locked to a start outside its own window or off its step.
    #[error("job {job}: locked to minute {block_start}, which is not one of its allowed starts")]
    LockedStart {
        /// The job.
        job: usize,
        /// The start it is locked to.
        block_start: i64,
    },
    /// A partner is not a job, is the job itself, or does not name the job back.
    #[error("job {job}: partner {partner} must be another job whose partner is this job")]
    BadPartner {
        /// The job.
        job: usize,
        /// The partner given.
        partner: usize,
    },
    /// Both halves of a couple are locked, at different minutes or to one therapist.
    #[error("jobs {job} and {partner}: a locked couple must start together, with two therapists")]
    LockedCouple {
        /// The first half.
        job: usize,
        /// The second half.
        partner: usize,
    },
}

fn within_range(minute: i64) -> bool {
    (-MAX_MINUTES..=MAX_MINUTES).contains(&minute)
}

impl Day {
    /// A day from its windows, visits and the travel minutes between `places` places (row-major:
    /// `travel[from * places + to]`). Checks that every index is in range, couples name each other, every number
    /// makes sense (see [`DayError`]) and no therapist has overlapping windows; sorts each `allowed` and drops
    /// repeats.
    pub fn new(vehicles: Vec<Vehicle>, mut jobs: Vec<Job>, places: usize, travel: Vec<i64>) -> Result<Day, DayError> {
        let expected = places.saturating_mul(places);
        if expected != travel.len() {
            return Err(DayError::TravelSize { places, expected, got: travel.len() });
        }
        if let Some(at) = travel.iter().position(|&m| !(0..=MAX_MINUTES).contains(&m)) {
            return Err(DayError::BadTravel { from: at / places, to: at % places });
        }
        for (v, vehicle) in vehicles.iter().enumerate() {
            if vehicle.base >= places {
                return Err(DayError::UnknownBase { vehicle: v, base: vehicle.base });
            }
            if !(within_range(vehicle.open) && within_range(vehicle.close) && vehicle.open <= vehicle.close) {
                return Err(DayError::BadWindow { vehicle: v });
            }
        }
        for (first, a) in vehicles.iter().enumerate() {
            for (second, b) in vehicles.iter().enumerate().skip(first + 1) {
                let empty = a.open == a.close || b.open == b.close;
                if a.therapist == b.therapist && !empty && a.open < b.close && b.open < a.close {
                    return Err(DayError::OverlappingWindows { first, second });
                }
            }
        }
        for (j, job) in jobs.iter_mut().enumerate() {
            validate_job(j, job, vehicles.len(), places)?;
        }
        for (j, job) in jobs.iter().enumerate() {
            let Some(partner) = job.partner else { continue };
            let back = jobs.get(partner).and_then(|other| other.partner);
            if partner == j || back != Some(j) {
                return Err(DayError::BadPartner { job: j, partner });
            }
            if let (Some((va, ta)), Some((vb, tb))) = (job.locked, jobs[partner].locked) {
                if ta != tb || vehicles[va].therapist == vehicles[vb].therapist {
                    return Err(DayError::LockedCouple { job: j.min(partner), partner: j.max(partner) });
                }
            }
        }
        Ok(Day { vehicles, jobs, places, travel })
    }

    /// The working windows, indexed as in [`Job::allowed`] and [`DayPlan::routes`].
    pub fn vehicles(&self) -> &[Vehicle] {
        &self.vehicles
    }

    /// The visits, indexed as in [`Visit::job`].
    pub fn jobs(&self) -> &[Job] {
        &self.jobs
    }

    /// How many places the travel matrix covers.
    pub fn places(&self) -> usize {
        self.places
    }

    /// Minutes to drive from place `from` to place `to`. Panics when a place is out of range.
    pub fn travel(&self, from: usize, to: usize) -> i64 {
        assert!(from < self.places && to < self.places, "place index out of range");
        self.travel[from * self.places + to]
    }
}

fn validate_job(j: usize, job: &mut Job, vehicles: usize, places: usize) -> Result<(), DayError> {
    if job.place >= places {
        return Err(DayError::UnknownPlace { job: j, place: job.place });
    }
    if !((1..=MAX_MINUTES).contains(&job.length) && (1..=MAX_MINUTES).contains(&job.step)) {
        return Err(DayError::BadLength { job: j });
    }
    if !(within_range(job.earliest) && within_range(job.latest) && job.earliest <= job.latest) {
        return Err(DayError::BadStarts { job: j });
    }
    if job.allowed.is_empty() {
        return Err(DayError::NoVehicle { job: j });
    }
    if let Some(&vehicle) = job.allowed.iter().find(|&&v| v >= vehicles) {
        return Err(DayError::UnknownVehicle { job: j, vehicle });
    }
    job.allowed.sort_unstable();
    job.allowed.dedup();
    if let Some((vehicle, block_start)) = job.locked {
        if !job.allowed.contains(&vehicle) {
            return Err(DayError::LockedVehicle { job: j, vehicle });
        }
        let on_step = (block_start - job.earliest) % job.step == 0;
        if !((job.earliest..=job.latest).contains(&block_start) && on_step) {
            return Err(DayError::LockedStart { job: j, block_start });
        }
    }
    Ok(())
}

/// One visit of a plan: which job, and when its blocked interval starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visit {
    /// Index into [`Day::jobs`].
    pub job: usize,
    /// The first blocked minute (set-up buffer included).
    pub block_start: i64,
}

/// A plan for a day: for each vehicle (in the order of [`Day::vehicles`]) its visits in driving order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DayPlan {
    /// One list per vehicle, in driving order.
    pub routes: Vec<Vec<Visit>>,
}

impl DayPlan {
    /// Total minutes driven: for each non-empty tour, base to the first visit, between visits, and the last visit
    /// home. Routes beyond the day's vehicles and visits naming no job of the day are left out.
    pub fn travel(&self, day: &Day) -> i64 {
        let mut total = 0i64;
        for (route, vehicle) in self.routes.iter().zip(day.vehicles()) {
            let (mut at, mut visited) = (vehicle.base, false);
            for visit in route {
                if let Some(job) = day.jobs().get(visit.job) {
                    total = total.saturating_add(day.travel(at, job.place));
                    (at, visited) = (job.place, true);
                }
            }
            if visited {
                total = total.saturating_add(day.travel(at, vehicle.base));
            }
        }
        total
    }

    /// The latest minus the earliest end of a tour's last visit, over the non-empty tours (0 with fewer than two).
    /// Visits naming no job of the day are left out.
    pub fn finish_spread(&self, day: &Day) -> i64 {
        let finishes = self.routes.iter().filter_map(|route| {
            let visit = route.iter().rev().find(|v| v.job < day.jobs().len())?;
            Some(visit.block_start.saturating_add(day.jobs()[visit.job].length))
        });
        let (low, high) = finishes.fold((i64::MAX, i64::MIN), |(low, high), f| (low.min(f), high.max(f)));
        if low > high {
            0
        } else {
            high.saturating_sub(low)
        }
    }

    /// Where a job is: its vehicle and its visit, or `None` when the plan leaves it out.
    pub fn locate(&self, job: usize) -> Option<(usize, Visit)> {
        self.routes
            .iter()
            .enumerate()
            .find_map(|(v, route)| route.iter().find(|visit| visit.job == job).map(|&x| (v, x)))
    }
}

/// Why a planner returned no plan.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DayPlanError {
    /// No plan the search found could serve these jobs (sorted); the other jobs may still fit.
    #[error("no plan found serves jobs {0:?}")]
    Unservable(Vec<usize>),
    /// The search's answer failed the independent check; it is not returned.
    #[error("the search produced a plan that failed the feasibility check: {0}")]
    Infeasible(DayInfeasibility),
}

/// Re-plans a day within a budget; the answer always passes [`check`].
pub trait DayPlanner {
    /// A plan serving every job of `day`. `current` is the day as booked now: when it passes [`check`], the search
    /// starts from it and the answer is never worse (less travel, then a smaller finish spread, or `current` itself).
    fn plan(&self, day: &Day, current: Option<&DayPlan>, budget: &mut dyn Budget) -> Result<DayPlan, DayPlanError>;
}
