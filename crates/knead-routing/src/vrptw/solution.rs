//! A finished plan (routes of customer numbers), its independent feasibility check, and the `.sol` text.
//!
//! The check shares nothing with the search: it recomputes every arc from the coordinates and walks each route
//! from scratch, so a bug in the search's cached timings cannot vouch for itself.

use super::instance::Instance;
use std::fmt::Write;
use thiserror::Error;

/// Routes of customer numbers (1..=n, the depot left out), each driven by its own vehicle from and back to the depot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Solution {
    pub routes: Vec<Vec<usize>>,
}

/// What the independent check measured on a feasible solution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checked {
    pub vehicles: usize,
    /// Total travel in tenths.
    pub distance_tenths: i64,
    /// Latest return to the depot minus the earliest return, in tenths (0 with one route).
    pub finish_spread_tenths: i64,
}

/// Why a solution is not a valid plan for its instance.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Infeasibility {
    #[error("customer {0} is not a customer of the instance")]
    UnknownCustomer(usize),
    #[error("customer {0} is visited more than once")]
    Repeated(usize),
    #[error("customer {0} is never visited")]
    Missing(usize),
    #[error("route {route} carries {load}, over the capacity {capacity}")]
    OverCapacity { route: usize, load: i64, capacity: i64 },
    #[error("route {route} reaches customer {customer} after its window closes")]
    Late { route: usize, customer: usize },
    #[error("route {route} returns to the depot after it closes")]
    LateReturn { route: usize },
    #[error("{used} vehicles are used but the instance has {available}")]
    TooManyVehicles { used: usize, available: usize },
    #[error("route {0} is empty")]
    EmptyRoute(usize),
}

/// An arc in tenths from the coordinates, the DIMACS way (floor of ten times the distance).
fn arc_tenths(instance: &Instance, from: usize, to: usize) -> i64 {
    let (a, b) = (instance.stops()[from], instance.stops()[to]);
    (10.0 * (a.x - b.x).hypot(a.y - b.y) + 1e-9).floor() as i64
}

/// Checks every rule: each customer exactly once, capacity, time windows (waiting allowed), the return before the
/// depot closes, and no more vehicles than the instance has.
pub fn check(instance: &Instance, solution: &Solution) -> Result<Checked, Infeasibility> {
    let n = instance.customers();
    let mut seen = vec![false; n + 1];
    let depot = instance.stops()[0];
    let (mut distance, mut first_return, mut last_return) = (0, i64::MAX, i64::MIN);
    for (route, customers) in solution.routes.iter().enumerate() {
        if customers.is_empty() {
            return Err(Infeasibility::EmptyRoute(route));
        }
        let (mut at, mut time, mut load) = (0, depot.ready, 0);
        for &customer in customers {
            if customer == 0 || customer > n {
                return Err(Infeasibility::UnknownCustomer(customer));
            }
            if std::mem::replace(&mut seen[customer], true) {
                return Err(Infeasibility::Repeated(customer));
            }
            let stop = instance.stops()[customer];
            let arc = arc_tenths(instance, at, customer);
            distance += arc;
            time = (time + instance.stops()[at].service + arc).max(stop.ready);
            if time > stop.due {
                return Err(Infeasibility::Late { route, customer });
            }
            load += stop.demand;
            at = customer;
        }
        let arc = arc_tenths(instance, at, 0);
        distance += arc;
        time += instance.stops()[at].service + arc;
        if time > depot.due {
            return Err(Infeasibility::LateReturn { route });
        }
        if load > instance.capacity() {
            return Err(Infeasibility::OverCapacity { route, load, capacity: instance.capacity() });
        }
        first_return = first_return.min(time);
        last_return = last_return.max(time);
    }
    if let Some(missing) = (1..=n).find(|&c| !seen[c]) {
        return Err(Infeasibility::Missing(missing));
    }
    let vehicles = solution.routes.len();
    if vehicles > instance.vehicles() {
        return Err(Infeasibility::TooManyVehicles { used: vehicles, available: instance.vehicles() });
    }
    Ok(Checked {
        vehicles,
        distance_tenths: distance,
        finish_spread_tenths: if vehicles == 0 { 0 } else { last_return - first_return },
    })
}

/// Tenths written as a decimal with one place: 8273 → "827.3".
pub fn format_tenths(tenths: i64) -> String {
    let sign = if tenths < 0 { "-" } else { "" };
    format!("{sign}{}.{}", tenths.abs() / 10, tenths.abs() % 10)
}

/// The solution as a VRPLIB `.sol` file: `Route #k: c1 c2 …` per route, then `Cost` with the total distance.
pub fn sol_text(solution: &Solution, distance_tenths: i64) -> String {
    let mut text = String::new();
    for (k, route) in solution.routes.iter().enumerate() {
        let _ = write!(text, "Route #{}:", k + 1);
        for customer in route {
            let _ = write!(text, " {customer}");
        }
        text.push('\n');
    }
    let _ = writeln!(text, "Cost {}", format_tenths(distance_tenths));
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vrptw::instance::Stop;

    fn stop(x: f64, y: f64, ready: i64, due: i64) -> Stop {
        Stop { x, y, demand: 4, ready, due, service: 10 }
    }

    fn line() -> Instance {
        let stops =
            vec![stop(0.0, 0.0, 0, 1000), stop(3.0, 4.0, 0, 100), stop(6.0, 8.0, 0, 200), stop(0.0, 1.0, 0, 50)];
        Instance::new("line", 2, 8, stops).unwrap()
    }

    #[test]
    fn measures_a_feasible_plan() {
        let checked = check(&line(), &Solution { routes: vec![vec![1, 2], vec![3]] }).unwrap();
        assert_eq!(checked.vehicles, 2);
        assert_eq!(checked.distance_tenths, 50 + 50 + 100 + 10 + 10);
        // Returns at 50+10+50+10+100 = 220 and 10+10+10 = 30.
        assert_eq!(checked.finish_spread_tenths, 190);
    }

    #[test]
    fn finds_every_kind_of_fault() {
        let instance = line();
        let fault = |routes: Vec<Vec<usize>>| check(&instance, &Solution { routes }).unwrap_err();
        assert_eq!(fault(vec![vec![1, 2]]), Infeasibility::Missing(3));
        assert_eq!(fault(vec![vec![1, 2], vec![3, 1]]), Infeasibility::Repeated(1));
        assert_eq!(fault(vec![vec![1, 2, 3]]), Infeasibility::Late { route: 0, customer: 3 });
        assert_eq!(fault(vec![vec![1, 2], vec![3], vec![]]), Infeasibility::EmptyRoute(2));
        assert_eq!(fault(vec![vec![1, 9]]), Infeasibility::UnknownCustomer(9));
        assert_eq!(fault(vec![vec![1], vec![2], vec![3]]), Infeasibility::TooManyVehicles { used: 3, available: 2 });
        assert!(matches!(fault(vec![vec![3, 1, 2]]), Infeasibility::OverCapacity { .. }));
    }

    #[test]
    fn writes_the_vrplib_solution_format() {
        let text = sol_text(&Solution { routes: vec![vec![1, 2], vec![3]] }, 8273);
        assert_eq!(text, "Route #1: 1 2\nRoute #2: 3\nCost 827.3\n");
    }
}
