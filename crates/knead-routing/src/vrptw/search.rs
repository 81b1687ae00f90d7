//! The search: ruin and recreate (SISR) under simulated annealing, keeping the best plan seen.
//!
//! Each iteration copies the current plan into a working one (reusing its buffers: nothing is allocated once the
//! buffers have grown), ruins and recreates it, and accepts it if it is shorter than the current plan plus a
//! random threshold that shrinks as the budget runs out.

use super::instance::Instance;
use super::random::Random;
use super::recreate::recreate;
use super::routes::{Plan, Route};
use super::ruin::{remove_route, ruin, RuinScratch, RuinSettings};
use super::solution::{check, Solution};
use super::{Budget, PlanError, Planner};

/// How often the budget is asked whether to go on (and how far along it is).
const BUDGET_STRIDE: u64 = 8;
/// Random orders tried for the first complete plan before giving up.
const CONSTRUCTION_ATTEMPTS: usize = 200;

/// Knead's VRPTW planner: SISR ruin and recreate with simulated annealing. Deterministic for a seed and an
/// iteration budget (a wall-clock budget makes the iteration count, and so the plan, depend on the machine).
#[derive(Debug, Clone, PartialEq)]
pub struct RuinAndRecreate {
    pub seed: u64,
    pub ruin: RuinSettings,
    /// Chance that the recreate skips a place (SISR's blink rate).
    pub blink_rate: f64,
    /// Chance that an iteration also empties a whole route and must recreate with one route fewer.
    pub route_removal_rate: f64,
    /// Annealing temperature at the start and at the end of the budget, in tenths of distance.
    pub start_temperature: f64,
    pub end_temperature: f64,
}

impl RuinAndRecreate {
    pub fn new(seed: u64) -> RuinAndRecreate {
        RuinAndRecreate {
            seed,
            ruin: RuinSettings::default(),
            blink_rate: 0.01,
            route_removal_rate: 0.05,
            start_temperature: 300.0,
            end_temperature: 1.0,
        }
    }
}

/// Each customer's other customers, nearest first (the customer itself leads its own list).
pub fn nearest_neighbours(instance: &Instance) -> Vec<Vec<usize>> {
    let n = instance.customers();
    (0..=n)
        .map(|c| {
            let mut others: Vec<usize> = (1..=n).collect();
            others.sort_by_key(|&o| (o != c, instance.travel(c, o) + instance.travel(o, c), o));
            others
        })
        .collect()
}

/// A customer no vehicle can serve, even alone.
fn unservable(instance: &Instance, empty: &Route) -> Option<usize> {
    (1..=instance.customers()).find(|&c| {
        instance.stops()[c].demand > instance.capacity()
            || super::routes::insertion_cost(instance, empty, 0, c).is_none()
    })
}

fn first_plan(instance: &Instance, empty: &Route, random: &mut Random) -> Option<Plan> {
    let mut customers: Vec<usize> = (1..=instance.customers()).collect();
    for _ in 0..CONSTRUCTION_ATTEMPTS {
        let mut plan = Plan::empty(instance);
        if recreate(instance, &mut plan, empty, &mut customers, instance.vehicles(), 0.0, random) {
            return Some(plan);
        }
    }
    None
}

/// Whether `candidate` beats `incumbent`: less travel, then a smaller spread of finishing times.
fn better(candidate: &Plan, incumbent: &Plan) -> bool {
    candidate.distance < incumbent.distance
        || (candidate.distance == incumbent.distance && candidate.finish_spread() < incumbent.finish_spread())
}

impl Planner for RuinAndRecreate {
    fn plan(&self, instance: &Instance, budget: &mut dyn Budget) -> Result<Solution, PlanError> {
        let mut random = Random::new(self.seed);
        let mut empty = Route::default();
        empty.refresh(instance);
        if let Some(customer) = unservable(instance, &empty) {
            return Err(PlanError::Unservable(customer));
        }
        let neighbours = nearest_neighbours(instance);
        let mut current = first_plan(instance, &empty, &mut random).ok_or(PlanError::FleetTooSmall)?;
        let mut best = current.clone();
        let mut working = current.clone();
        let mut scratch = RuinScratch::default();
        let mut removed = Vec::with_capacity(instance.customers());
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
            working.clone_from(&current);
            let mut route_limit = instance.vehicles();
            ruin(instance, &mut working, &neighbours, &self.ruin, &mut random, &mut scratch, &mut removed);
            if working.routes.len() > 1 && random.unit() < self.route_removal_rate {
                route_limit = current.routes.len() - 1;
                remove_route(instance, &mut working, &mut random, &mut removed);
            }
            if !recreate(instance, &mut working, &empty, &mut removed, route_limit, self.blink_rate, &mut random) {
                continue;
            }
            let threshold = current.distance as f64 - temperature * (1.0 - random.unit()).ln();
            if (working.distance as f64) < threshold {
                std::mem::swap(&mut current, &mut working);
                if better(&current, &best) {
                    best.clone_from(&current);
                }
            }
        }
        let solution = Solution { routes: best.customer_lists() };
        // The independent check stands between the search and the caller: a plan it rejects is never returned.
        check(instance, &solution).map_err(PlanError::Infeasible)?;
        Ok(solution)
    }
}
