//! Property tests of the VRPTW planner: whatever the instance, it returns a feasible plan or an error, never an
//! infeasible plan; and the same seed and iteration budget give the same plan.

use knead_routing::vrptw::{check, parse_solomon, Instance, Iterations, PlanError, Planner, RuinAndRecreate, Stop};
use proptest::prelude::*;

/// A random instance in tenths: up to 25 customers on a 100 × 100 square, windows opening in the first 60 % of
/// the horizon (so most instances can be served, and some cannot).
fn instance() -> impl Strategy<Value = Instance> {
    let customer = (0..=100i32, 0..=100i32, 0..=20i64, 0..=60i64, 0..=3000i64, 0..=150i64);
    (1..=5usize, 20..=100i64, 3000..=10000i64, prop::collection::vec(customer, 1..=25)).prop_map(
        |(vehicles, capacity, horizon, customers)| {
            let depot = Stop { x: 50.0, y: 50.0, demand: 0, ready: 0, due: horizon, service: 0 };
            let stops = std::iter::once(depot)
                .chain(customers.into_iter().map(|(x, y, demand, ready_percent, width, service)| Stop {
                    x: x as f64,
                    y: y as f64,
                    demand,
                    ready: horizon * ready_percent / 100,
                    due: horizon * ready_percent / 100 + width,
                    service,
                }))
                .collect();
            Instance::new("random", vehicles, capacity, stops).unwrap()
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn never_returns_an_infeasible_plan(instance in instance(), seed in 0..1000u64) {
        match RuinAndRecreate::new(seed).plan(&instance, &mut Iterations(300)) {
            Ok(solution) => {
                let checked = check(&instance, &solution);
                prop_assert!(checked.is_ok(), "{checked:?}");
            }
            Err(PlanError::Unservable(_) | PlanError::FleetTooSmall) => {}
            Err(other) => prop_assert!(false, "the search broke its own plan: {other}"),
        }
    }
}

const SMALL: &str =
    "SMALL\n\nVEHICLE\nNUMBER CAPACITY\n 4 30\n\nCUSTOMER\nCUST NO. XCOORD. YCOORD. DEMAND READY DUE SERVICE\n\
    0 50 50 0 0 400 0\n1 60 50 10 0 100 5\n2 70 55 10 20 150 5\n3 40 40 10 0 300 5\n4 30 45 10 50 200 5\n\
    5 50 80 10 0 250 5\n6 55 85 10 60 260 5\n7 20 20 10 0 390 5\n8 80 20 10 100 300 5\n";

#[test]
fn the_same_seed_gives_the_same_plan() {
    let instance = parse_solomon(SMALL).unwrap();
    let first = RuinAndRecreate::new(9).plan(&instance, &mut Iterations(2000)).unwrap();
    let second = RuinAndRecreate::new(9).plan(&instance, &mut Iterations(2000)).unwrap();
    assert_eq!(first, second);
    assert!(check(&instance, &first).is_ok());
}

#[test]
fn a_customer_no_vehicle_can_reach_in_time_is_reported() {
    let late = SMALL.replace("8 80 20 10 100 300 5", "8 80 20 10 0 1 5");
    let instance = parse_solomon(&late).unwrap();
    assert_eq!(RuinAndRecreate::new(1).plan(&instance, &mut Iterations(10)), Err(PlanError::Unservable(8)));
}

#[test]
fn more_iterations_never_lengthen_the_plan() {
    let instance = parse_solomon(SMALL).unwrap();
    let distance = |iterations| {
        let solution = RuinAndRecreate::new(3).plan(&instance, &mut Iterations(iterations)).unwrap();
        check(&instance, &solution).unwrap().distance_tenths
    };
    assert!(distance(0) >= distance(3000));
}
