//! The independent feasibility check of a day plan.
//!
//! It shares nothing with the search: no timing caches, no grids, no couples' minutes; it walks each tour from
//! the base with plain arithmetic, so a bug in the search cannot vouch for itself. The planner runs it on every
//! answer before returning it.

use super::{Day, DayPlan};
use thiserror::Error;

/// Why a plan breaks the rules of its day. Found in this order: the shape of the plan and each visit's own rules,
/// then a job left out, then couples, then the tours' timing.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DayInfeasibility {
    /// The plan needs one route per vehicle.
    #[error("the plan has {routes} routes but the day has {vehicles} vehicles")]
    WrongRouteCount {
        /// Routes in the plan.
        routes: usize,
        /// Vehicles of the day.
        vehicles: usize,
    },
    /// A visit names a job the day does not have.
    #[error("vehicle {vehicle} visits job {job}, which the day does not have")]
    UnknownJob {
        /// The vehicle.
        vehicle: usize,
        /// The job named.
        job: usize,
    },
    /// A job is visited twice.
    #[error("job {job} is visited more than once")]
    Repeated {
        /// The job.
        job: usize,
    },
    /// A job is on a vehicle it does not allow.
    #[error("job {job} is on vehicle {vehicle}, which it does not allow")]
    NotAllowed {
        /// The job.
        job: usize,
        /// The vehicle it is on.
        vehicle: usize,
    },
    /// A locked job is not where it is pinned.
    #[error("job {job} is locked to vehicle {vehicle} at minute {block_start} but was moved")]
    LockedMoved {
        /// The job.
        job: usize,
        /// The vehicle it is locked to.
        vehicle: usize,
        /// The start it is locked to.
        block_start: i64,
    },
    /// A job starts before its earliest or after its latest start.
    #[error("job {job} starts at minute {block_start}, outside its allowed starts")]
    OutsideWindow {
        /// The job.
        job: usize,
        /// The start planned.
        block_start: i64,
    },
    /// A job starts off its step (`earliest + k * step`).
    #[error("job {job} starts at minute {block_start}, off its step")]
    OffStep {
        /// The job.
        job: usize,
        /// The start planned.
        block_start: i64,
    },
    /// A job is never visited.
    #[error("job {job} is never visited")]
    Missing {
        /// The job.
        job: usize,
    },
    /// The halves of a couple start at different minutes.
    #[error("couple {job} and {partner} do not start at the same minute")]
    PartnerApart {
        /// The first half.
        job: usize,
        /// The second half.
        partner: usize,
    },
    /// The halves of a couple are done by one therapist.
    #[error("couple {job} and {partner} are both done by therapist {therapist}")]
    PartnerSameTherapist {
        /// The first half.
        job: usize,
        /// The second half.
        partner: usize,
        /// The therapist doing both.
        therapist: usize,
    },
    /// A tour's first visit starts before the therapist can drive there from the base after the window opens.
    #[error("vehicle {vehicle} cannot reach job {job} from its base in time")]
    TooSoonAfterBase {
        /// The job.
        job: usize,
        /// The vehicle.
        vehicle: usize,
    },
    /// A visit starts before the previous one has ended plus the drive between them.
    #[error("vehicle {vehicle} cannot reach job {job} in time after job {previous}")]
    TooSoonAfterPrevious {
        /// The job.
        job: usize,
        /// The visit before it.
        previous: usize,
        /// The vehicle.
        vehicle: usize,
    },
    /// A tour's last visit ends after the window closes.
    #[error("vehicle {vehicle} ends job {job} after its window closes")]
    PastClose {
        /// The last job of the tour.
        job: usize,
        /// The vehicle.
        vehicle: usize,
    },
}

/// Checks every rule of the day: each job exactly once, on a vehicle it allows, at one of its allowed starts
/// (within `[earliest, latest]`, on its step), locked jobs exactly where pinned, couples at one minute with two
/// therapists, and each tour's timing (leave the base at the window's opening, drive between visits, end the last
/// visit by the close; the drive home is not required within the window).
pub fn check(day: &Day, plan: &DayPlan) -> Result<(), DayInfeasibility> {
    let (vehicles, jobs) = (day.vehicles(), day.jobs());
    if plan.routes.len() != vehicles.len() {
        return Err(DayInfeasibility::WrongRouteCount { routes: plan.routes.len(), vehicles: vehicles.len() });
    }

    // Each visit on its own.
    let mut served: Vec<Option<(usize, i64)>> = vec![None; jobs.len()];
    for (vehicle, route) in plan.routes.iter().enumerate() {
        for visit in route {
            let (j, start) = (visit.job, visit.block_start);
            let Some(job) = jobs.get(j) else {
                return Err(DayInfeasibility::UnknownJob { vehicle, job: j });
            };
            if served[j].is_some() {
                return Err(DayInfeasibility::Repeated { job: j });
            }
            served[j] = Some((vehicle, start));
            if !job.allowed.contains(&vehicle) {
                return Err(DayInfeasibility::NotAllowed { job: j, vehicle });
            }
            if let Some((locked_vehicle, locked_start)) = job.locked {
                if (locked_vehicle, locked_start) != (vehicle, start) {
                    return Err(DayInfeasibility::LockedMoved {
                        job: j,
                        vehicle: locked_vehicle,
                        block_start: locked_start,
                    });
                }
            }
            if start < job.earliest || start > job.latest {
                return Err(DayInfeasibility::OutsideWindow { job: j, block_start: start });
            }
            if (start - job.earliest) % job.step != 0 {
                return Err(DayInfeasibility::OffStep { job: j, block_start: start });
            }
        }
    }
    if let Some(missing) = served.iter().position(Option::is_none) {
        return Err(DayInfeasibility::Missing { job: missing });
    }

    // Couples.
    for (j, job) in jobs.iter().enumerate() {
        let Some(partner) = job.partner else { continue };
        if partner < j {
            continue;
        }
        let (Some((vehicle, start)), Some((partner_vehicle, partner_start))) =
            (served[j], served.get(partner).copied().flatten())
        else {
            continue;
        };
        if start != partner_start {
            return Err(DayInfeasibility::PartnerApart { job: j, partner });
        }
        let therapist = vehicles[vehicle].therapist;
        if therapist == vehicles[partner_vehicle].therapist {
            return Err(DayInfeasibility::PartnerSameTherapist { job: j, partner, therapist });
        }
    }

    // Tours. Every start is within its job's window here, so the sums below stay far from overflowing.
    for (vehicle, route) in plan.routes.iter().enumerate() {
        let window = vehicles[vehicle];
        let (mut free_at, mut at, mut previous) = (window.open, window.base, None);
        for visit in route {
            let job = &jobs[visit.job];
            if visit.block_start < free_at + day.travel(at, job.place) {
                return Err(match previous {
                    None => DayInfeasibility::TooSoonAfterBase { job: visit.job, vehicle },
                    Some(previous) => DayInfeasibility::TooSoonAfterPrevious { job: visit.job, previous, vehicle },
                });
            }
            free_at = visit.block_start + job.length;
            at = job.place;
            previous = Some(visit.job);
        }
        if let Some(last) = previous {
            if free_at > window.close {
                return Err(DayInfeasibility::PastClose { job: last, vehicle });
            }
        }
    }
    Ok(())
}
