//! The search's view of a day (which jobs move alone, which in pairs, which never) and its working plan.
//!
//! The search moves *units*: a lone job, a couple (both halves together, at a minute chosen when they go in), or the
//! free half of a couple whose other half is locked (at that half's minute). A unit is named by its lead job: the
//! job itself, or a couple's lower index. Locked jobs are no unit: they are placed once and never moved.

use super::timing::{on_grid, CommonGrid, Route};
use super::{Day, DayPlan, Visit};

/// How the search treats a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Pinned to its vehicle and minute; never moved.
    Locked,
    /// Moves alone, timed freely on its grid.
    Single,
    /// The free half of a couple whose other half is locked: moves alone, at `minute`, on a vehicle of a therapist
    /// other than `therapist`.
    Anchored { minute: i64, therapist: usize },
    /// The lead (lower index) of a couple that moves together.
    Lead { partner: usize },
    /// The other half of a couple that moves together.
    Follower { lead: usize },
}

/// What the search knows of a day before it starts: each job's kind, its nearest jobs, couples' shared grids.
#[derive(Debug)]
pub(super) struct Context<'a> {
    pub day: &'a Day,
    pub kind: Vec<Kind>,
    /// Each job's jobs by distance (there and back), the job itself first.
    pub neighbours: Vec<Vec<usize>>,
    /// For a couple's lead, the starts both halves allow (`None` for other jobs, or a couple sharing none).
    pub common: Vec<Option<CommonGrid>>,
}

impl<'a> Context<'a> {
    pub(super) fn new(day: &'a Day) -> Context<'a> {
        let jobs = day.jobs();
        let kind: Vec<Kind> = jobs
            .iter()
            .enumerate()
            .map(|(j, job)| match (job.locked, job.partner) {
                (Some(_), _) => Kind::Locked,
                (None, None) => Kind::Single,
                (None, Some(partner)) => match jobs[partner].locked {
                    Some((vehicle, minute)) => Kind::Anchored { minute, therapist: day.vehicles()[vehicle].therapist },
                    None if j < partner => Kind::Lead { partner },
                    None => Kind::Follower { lead: partner },
                },
            })
            .collect();
        let common = kind
            .iter()
            .enumerate()
            .map(|(j, k)| match *k {
                Kind::Lead { partner } => CommonGrid::new(&jobs[j], &jobs[partner]),
                _ => None,
            })
            .collect();
        let neighbours = (0..jobs.len())
            .map(|j| {
                let place = jobs[j].place;
                let mut others: Vec<usize> = (0..jobs.len()).collect();
                others.sort_by_key(|&o| {
                    let there_and_back = day.travel(place, jobs[o].place) + day.travel(jobs[o].place, place);
                    (o != j, there_and_back, o)
                });
                others
            })
            .collect();
        Context { day, kind, neighbours, common }
    }

    /// The unit a job moves with (its lead), or `None` for a locked job.
    pub(super) fn unit_of(&self, job: usize) -> Option<usize> {
        match self.kind[job] {
            Kind::Locked => None,
            Kind::Follower { lead } => Some(lead),
            _ => Some(job),
        }
    }

    /// The jobs of the unit led by `lead`: one, or a couple's two.
    pub(super) fn members(&self, lead: usize) -> impl Iterator<Item = usize> {
        let partner = match self.kind[lead] {
            Kind::Lead { partner } => Some(partner),
            _ => None,
        };
        std::iter::once(lead).chain(partner)
    }

    /// The fixed starts known before the search: locked jobs' minutes and anchored halves' partners' minutes.
    fn static_pins(&self) -> Vec<Option<i64>> {
        self.day
            .jobs()
            .iter()
            .zip(&self.kind)
            .map(|(job, kind)| match *kind {
                Kind::Locked => job.locked.map(|(_, minute)| minute),
                Kind::Anchored { minute, .. } => Some(minute),
                _ => None,
            })
            .collect()
    }
}

/// The search's working plan: one route per vehicle, where each job is, the fixed starts, and what is left out.
#[derive(Debug, Clone)]
pub(super) struct Plan {
    pub routes: Vec<Route>,
    pub vehicle_of: Vec<Option<usize>>,
    /// Fixed starts: locked jobs, anchored halves, and both halves of each placed couple.
    pub pin: Vec<Option<i64>>,
    /// Leads of the units not in the plan (the search tries them again every iteration).
    pub unassigned: Vec<usize>,
    /// Locked jobs that cannot be kept where they are pinned (they clash with other locked jobs or the window).
    pub stuck: Vec<usize>,
    pub travel: i64,
}

/// A route could not be timed after a change; the plan holding it must be dropped. Taking a visit out can do it when
/// travel times break the triangle inequality (a detour through the visit shorter than the direct drive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Broken;

/// Where a unit goes: one place, or a couple's two places and shared minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Insertion {
    One { vehicle: usize, position: usize, cost: i64 },
    Two { lead: (usize, usize), partner: (usize, usize), minute: i64, cost: i64 },
}

impl Insertion {
    pub(super) fn cost(&self) -> i64 {
        match *self {
            Insertion::One { cost, .. } | Insertion::Two { cost, .. } => cost,
        }
    }
}

impl Plan {
    /// Every tour empty, only the couples' fixed minutes pinned.
    fn empty(ctx: &Context<'_>) -> Plan {
        let day = ctx.day;
        Plan {
            routes: vec![Route::default(); day.vehicles().len()],
            vehicle_of: vec![None; day.jobs().len()],
            pin: ctx.static_pins(),
            unassigned: Vec::new(),
            stuck: Vec::new(),
            travel: 0,
        }
    }

    /// Locked jobs where they are pinned, everything else unassigned.
    pub(super) fn with_locked_jobs(ctx: &Context<'_>) -> Plan {
        let day = ctx.day;
        let mut plan = Plan::empty(ctx);
        let mut locked: Vec<(usize, i64, usize)> = (0..day.jobs().len())
            .filter_map(|j| day.jobs()[j].locked.map(|(vehicle, minute)| (vehicle, minute, j)))
            .collect();
        locked.sort_unstable();
        for (vehicle, minute, j) in locked {
            let route = &mut plan.routes[vehicle];
            let position = route.jobs.iter().position(|&other| plan.pin[other].is_some_and(|m| m > minute));
            let position = position.unwrap_or(route.jobs.len());
            route.jobs.insert(position, j);
            if route.refresh(day, vehicle, &plan.pin) {
                plan.vehicle_of[j] = Some(vehicle);
            } else {
                route.jobs.remove(position);
                // The route was feasible without it.
                route.refresh(day, vehicle, &plan.pin);
                plan.stuck.push(j);
            }
        }
        plan.unassigned = (0..day.jobs().len()).filter(|&j| ctx.unit_of(j) == Some(j)).collect();
        plan.total_travel();
        plan
    }

    /// The search's copy of a plan that passed the check: the same tours, each couple pinned to its minute, every
    /// visit re-timed as early as it can go. `None` if a tour cannot be timed (never for a checked plan).
    pub(super) fn from_day_plan(ctx: &Context<'_>, current: &DayPlan) -> Option<Plan> {
        let day = ctx.day;
        let mut plan = Plan::empty(ctx);
        for (vehicle, visits) in current.routes.iter().enumerate() {
            for visit in visits {
                if matches!(ctx.kind.get(visit.job)?, Kind::Lead { .. } | Kind::Follower { .. }) {
                    plan.pin[visit.job] = Some(visit.block_start);
                }
                plan.vehicle_of[visit.job] = Some(vehicle);
            }
        }
        for (vehicle, visits) in current.routes.iter().enumerate() {
            let route = plan.routes.get_mut(vehicle)?;
            route.jobs = visits.iter().map(|v| v.job).collect();
            if !route.refresh(day, vehicle, &plan.pin) {
                return None;
            }
        }
        if plan.vehicle_of.iter().any(Option::is_none) {
            return None;
        }
        plan.total_travel();
        Some(plan)
    }

    /// Recomputes the plan's travel from its routes.
    pub(super) fn total_travel(&mut self) {
        self.travel = self.routes.iter().map(|r| r.travel).sum();
    }

    /// Jobs left out: stuck locked jobs and every job of an unassigned unit.
    pub(super) fn missing(&self, ctx: &Context<'_>) -> usize {
        self.stuck.len() + self.unassigned.iter().map(|&lead| ctx.members(lead).count()).sum::<usize>()
    }

    /// The jobs left out, sorted.
    pub(super) fn missing_jobs(&self, ctx: &Context<'_>) -> Vec<usize> {
        let mut jobs: Vec<usize> = self.stuck.clone();
        jobs.extend(self.unassigned.iter().flat_map(|&lead| ctx.members(lead)));
        jobs.sort_unstable();
        jobs
    }

    /// The latest minus the earliest finish over non-empty tours.
    pub(super) fn finish_spread(&self, day: &Day) -> i64 {
        let finishes = self.routes.iter().filter_map(|r| r.finish(day));
        let (low, high) = finishes.fold((i64::MAX, i64::MIN), |(low, high), f| (low.min(f), high.max(f)));
        if low > high {
            0
        } else {
            high - low
        }
    }

    /// The order the search ranks plans by: fewer jobs left out, then less travel, then a smaller finish spread.
    pub(super) fn rank(&self, ctx: &Context<'_>) -> (usize, i64, i64) {
        (self.missing(ctx), self.travel, self.finish_spread(ctx.day))
    }

    /// Puts a unit where `insertion` says (pinning a couple to its minute) and re-times the changed routes. An
    /// insertion found on the caches always fits; `Broken` would mean they were wrong.
    pub(super) fn apply(&mut self, ctx: &Context<'_>, lead: usize, insertion: Insertion) -> Result<(), Broken> {
        let day = ctx.day;
        let place = |plan: &mut Plan, job: usize, (vehicle, position): (usize, usize)| {
            plan.routes[vehicle].jobs.insert(position, job);
            plan.vehicle_of[job] = Some(vehicle);
        };
        let touched = match insertion {
            Insertion::One { vehicle, position, .. } => {
                place(self, lead, (vehicle, position));
                [Some(vehicle), None]
            }
            Insertion::Two { lead: at_lead, partner: at_partner, minute, .. } => {
                let Kind::Lead { partner } = ctx.kind[lead] else { return Err(Broken) };
                self.pin[lead] = Some(minute);
                self.pin[partner] = Some(minute);
                place(self, lead, at_lead);
                place(self, partner, at_partner);
                [Some(at_lead.0), Some(at_partner.0)]
            }
        };
        for vehicle in touched.into_iter().flatten() {
            if !self.routes[vehicle].refresh(day, vehicle, &self.pin) {
                return Err(Broken);
            }
        }
        self.total_travel();
        Ok(())
    }

    /// Takes the marked jobs out of their routes, clears couples' minutes, and re-times the changed routes.
    pub(super) fn remove(&mut self, ctx: &Context<'_>, removed: &[bool], touched: &[usize]) -> Result<(), Broken> {
        for &vehicle in touched {
            let route = &mut self.routes[vehicle];
            route.jobs.retain(|&j| !removed[j]);
            if !route.refresh(ctx.day, vehicle, &self.pin) {
                return Err(Broken);
            }
        }
        for (j, &gone) in removed.iter().enumerate() {
            if gone {
                self.vehicle_of[j] = None;
                if matches!(ctx.kind[j], Kind::Lead { .. } | Kind::Follower { .. }) {
                    self.pin[j] = None;
                }
            }
        }
        self.total_travel();
        Ok(())
    }

    /// The plan as the caller sees it: every visit at its earliest start.
    pub(super) fn to_day_plan(&self) -> DayPlan {
        let routes = self
            .routes
            .iter()
            .map(|r| r.jobs.iter().zip(&r.start).map(|(&job, &block_start)| Visit { job, block_start }).collect())
            .collect();
        DayPlan { routes }
    }
}

/// Whether an anchored half's minute is one of its own allowed starts (if not, it can never be placed).
pub(super) fn anchor_fits(ctx: &Context<'_>, job: usize) -> bool {
    match ctx.kind[job] {
        Kind::Anchored { minute, .. } => on_grid(&ctx.day.jobs()[job], minute),
        _ => true,
    }
}
