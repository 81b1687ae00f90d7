//! The search: ruin and recreate under simulated annealing, keeping the best plan seen.
//!
//! It starts from today's plan when that passes the check, else from a plan built by insertion (in the order of the
//! visits' earliest starts, hardest first, then random orders). Each iteration copies the current plan, ruins and
//! recreates it (units left out before go back first), and accepts it when it leaves fewer jobs out, or as many and
//! travels less than the current plan plus a random threshold that shrinks as the budget runs out.

use super::recreate::{earliest_first, hardest_first, insert_in_order, recreate};
use super::ruin::{ruin, RuinScratch, RuinSettings};
use super::state::{Context, Plan};
use super::{check, Day, DayPlan, DayPlanError, DayPlanner};
use crate::vrptw::random::Random;
use crate::vrptw::Budget;

/// How often the budget is asked whether to go on (and how far along it is).
const BUDGET_STRIDE: u64 = 8;
/// Orders tried for the first plan when there is no plan of today to start from.
const CONSTRUCTION_ATTEMPTS: usize = 10;

/// Knead's day planner: ruin and recreate under simulated annealing. Deterministic for a seed and an iteration budget
/// (a wall-clock budget makes the iteration count, and so the plan, depend on the machine).
#[derive(Debug, Clone, PartialEq)]
pub struct DayRuinAndRecreate {
    /// Seeds the random choices.
    pub seed: u64,
    /// Average number of visits a ruin takes out.
    pub average_removed: f64,
    /// Longest string of consecutive visits cut from one tour.
    pub max_string: f64,
    /// Chance a ruin takes out random visits instead of strings.
    pub random_removal_rate: f64,
    /// Chance that the recreate skips a place (SISR's blink rate).
    pub blink_rate: f64,
    /// Annealing temperature at the start of the budget, in minutes of travel.
    pub start_temperature: f64,
    /// Annealing temperature at the end of the budget, in minutes of travel.
    pub end_temperature: f64,
}

impl DayRuinAndRecreate {
    /// The planner with its default settings, suited to days of a few dozen to a few hundred visits.
    pub fn new(seed: u64) -> DayRuinAndRecreate {
        DayRuinAndRecreate {
            seed,
            average_removed: 6.0,
            max_string: 6.0,
            random_removal_rate: 0.2,
            blink_rate: 0.01,
            start_temperature: 10.0,
            end_temperature: 0.1,
        }
    }
}

/// The first plan without one of today's: units inserted in the order of their earliest starts, then hardest first,
/// then in random orders, keeping the attempt that leaves the fewest jobs out (and travels least).
fn first_plan(ctx: &Context<'_>, random: &mut Random) -> Plan {
    let base = Plan::with_locked_jobs(ctx);
    let mut units = base.unassigned.clone();
    let mut best: Option<Plan> = None;
    for attempt in 0..CONSTRUCTION_ATTEMPTS {
        match attempt {
            0 => earliest_first(ctx, &mut units),
            1 => hardest_first(ctx, &mut units),
            _ => random.shuffle(&mut units),
        }
        let mut plan = base.clone();
        plan.unassigned.clear();
        if insert_in_order(ctx, &mut plan, &units, random).is_err() {
            continue;
        }
        let done = plan.unassigned.is_empty();
        if best.as_ref().is_none_or(|b| plan.rank(ctx) < b.rank(ctx)) {
            best = Some(plan);
        }
        if done {
            break;
        }
    }
    best.unwrap_or(base)
}

/// Less travel, then a smaller finish spread: how the caller's plans are compared.
fn key(day: &Day, plan: &DayPlan) -> (i64, i64) {
    (plan.travel(day), plan.finish_spread(day))
}

impl DayPlanner for DayRuinAndRecreate {
    fn plan(&self, day: &Day, current: Option<&DayPlan>, budget: &mut dyn Budget) -> Result<DayPlan, DayPlanError> {
        let ctx = Context::new(day);
        let current = current.filter(|plan| check(day, plan).is_ok());
        let mut random = Random::new(self.seed);
        let start = current.and_then(|plan| Plan::from_day_plan(&ctx, plan));
        let mut now = match start {
            Some(plan) => plan,
            None => first_plan(&ctx, &mut random),
        };
        let mut best = now.clone();
        let mut best_rank = best.rank(&ctx);
        let mut working = now.clone();
        let settings = RuinSettings {
            average_removed: self.average_removed,
            max_string: self.max_string,
            random_rate: self.random_removal_rate,
        };
        let mut scratch = RuinScratch::default();
        let (mut pending, mut retry) = (Vec::with_capacity(day.jobs().len()), Vec::new());
        let mut temperature = self.start_temperature;
        let cooling = (self.end_temperature / self.start_temperature).ln();
        let mut iterations = 0u64;
        loop {
            if iterations.is_multiple_of(BUDGET_STRIDE) {
                match budget.progress(iterations) {
                    Some(fraction) => temperature = self.start_temperature * (cooling * fraction.clamp(0.0, 1.0)).exp(),
                    None => break,
                }
            }
            iterations += 1;
            working.clone_from(&now);
            pending.clear();
            // A tour that cannot be timed after a change (see `Broken`) drops the iteration.
            let Ok(first) = ruin(&ctx, &mut working, &settings, &mut random, &mut scratch, &mut pending) else {
                continue;
            };
            // Units left out go back before the ruined ones, the one the ruin made room for first of all.
            retry.clear();
            retry.append(&mut working.unassigned);
            if let Some(at) = first.and_then(|lead| retry.iter().position(|&u| u == lead)) {
                retry[..=at].rotate_right(1);
            }
            if recreate(&ctx, &mut working, &mut retry, &mut pending, self.blink_rate, &mut random).is_err() {
                continue;
            }
            let (left_out, now_left_out) = (working.missing(&ctx), now.missing(&ctx));
            let accept = left_out < now_left_out
                || (left_out == now_left_out && {
                    let threshold = now.travel as f64 - temperature * (1.0 - random.unit()).ln();
                    (working.travel as f64) < threshold
                });
            if accept {
                std::mem::swap(&mut now, &mut working);
                let rank = now.rank(&ctx);
                if rank < best_rank {
                    best.clone_from(&now);
                    best_rank = rank;
                }
            }
        }
        let found = (best.missing(&ctx) == 0).then(|| best.to_day_plan());
        let answer = match (found, current) {
            (Some(found), Some(current)) if key(day, &found) >= key(day, current) => current.clone(),
            (Some(found), _) => found,
            (None, Some(current)) => current.clone(),
            (None, None) => return Err(DayPlanError::Unservable(best.missing_jobs(&ctx))),
        };
        // The independent check stands between the search and the caller: a plan it rejects is never returned.
        check(day, &answer).map_err(DayPlanError::Infeasible)?;
        Ok(answer)
    }
}
