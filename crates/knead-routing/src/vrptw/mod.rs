//! Vehicle routing with time windows (VRPTW): knead's own optimizer, its model and its checks.
//!
//! - [`Instance`]: depot, customers with demands, windows and service times, a fleet, and the DIMACS travel matrix
//!   (each arc truncated to a tenth); [`parse_solomon`] reads the Solomon benchmark's text.
//! - [`Planner`]: what plans a day; [`RuinAndRecreate`] is ours, SISR ruin and recreate under simulated annealing.
//!   It minimises total travel, then the spread of the vehicles' finishing times.
//! - [`check`]: an independent feasibility check; the planner runs it on its own answer, so it never returns an
//!   infeasible plan. [`sol_text`] writes a plan in the VRPLIB `.sol` format.
//!
//! Pure: the caller supplies the text and the stopping rule ([`Budget`]); nothing here reads files or clocks.

mod instance;
pub(crate) mod random;
mod recreate;
mod routes;
mod ruin;
mod search;
mod solution;

pub use instance::{parse_solomon, truncated_tenths, Instance, InstanceError, Stop};
pub use ruin::RuinSettings;
pub use search::RuinAndRecreate;
pub use solution::{check, format_tenths, sol_text, Checked, Infeasibility, Solution};

use thiserror::Error;

/// When a search stops. Asked every few iterations with the count so far; answers how far along the budget is
/// (0 to 1, which cools the search) or `None` to stop.
pub trait Budget {
    fn progress(&mut self, iterations: u64) -> Option<f64>;
}

/// A fixed number of iterations: the deterministic budget of tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Iterations(pub u64);

impl Budget for Iterations {
    fn progress(&mut self, iterations: u64) -> Option<f64> {
        (iterations < self.0).then(|| iterations as f64 / self.0 as f64)
    }
}

/// Why no plan came back.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PlanError {
    #[error("customer {0} cannot be served even by a vehicle of its own")]
    Unservable(usize),
    #[error("no plan serving every customer was found within the fleet")]
    FleetTooSmall,
    #[error("the search produced a plan that failed the feasibility check: {0}")]
    Infeasible(Infeasibility),
}

/// Plans routes for an instance within a budget; the answer is always feasible.
pub trait Planner {
    fn plan(&self, instance: &Instance, budget: &mut dyn Budget) -> Result<Solution, PlanError>;
}
