//! Recreate: greedy insertion with blinks (SISR). Removed customers go back one by one, in a randomly chosen
//! order, each to its cheapest feasible place; each place is skipped with a small chance, which varies the result.

use super::instance::Instance;
use super::random::Random;
use super::routes::{insertion_cost, Insertion, Plan, Route};

/// Orders in which removed customers are put back, with how often each is drawn (SISR's weights, plus one for
/// tight windows, which matter most in VRPTW).
const ORDERS: [(Order, u32); 5] =
    [(Order::Random, 4), (Order::Demand, 4), (Order::Far, 2), (Order::Close, 1), (Order::NarrowWindow, 2)];

#[derive(Debug, Clone, Copy)]
enum Order {
    Random,
    Demand,
    Far,
    Close,
    NarrowWindow,
}

fn sort_removed(instance: &Instance, removed: &mut [usize], random: &mut Random) {
    let total: u32 = ORDERS.iter().map(|(_, w)| w).sum();
    let mut draw = random.below(total as usize) as u32;
    let mut order = Order::Random;
    for (candidate, weight) in ORDERS {
        if draw < weight {
            order = candidate;
            break;
        }
        draw -= weight;
    }
    let stops = instance.stops();
    match order {
        Order::Random => random.shuffle(removed),
        Order::Demand => removed.sort_by_key(|&c| std::cmp::Reverse(stops[c].demand)),
        Order::Far => removed.sort_by_key(|&c| std::cmp::Reverse(instance.travel(0, c))),
        Order::Close => removed.sort_by_key(|&c| instance.travel(0, c)),
        Order::NarrowWindow => removed.sort_by_key(|&c| stops[c].due - stops[c].ready),
    }
}

/// The cheapest feasible place for `customer` (a new route included while there are fewer than `route_limit`),
/// skipping each place with chance `blink_rate`.
pub fn cheapest_insertion(
    instance: &Instance,
    plan: &Plan,
    empty: &Route,
    customer: usize,
    route_limit: usize,
    blink_rate: f64,
    random: &mut Random,
) -> Option<Insertion> {
    let demand = instance.stops()[customer].demand;
    let due = instance.stops()[customer].due;
    let mut best: Option<Insertion> = None;
    for (r, route) in plan.routes.iter().enumerate() {
        if route.load + demand > instance.capacity() {
            continue;
        }
        for index in 0..=route.customers.len() {
            // Starts only get later along a route: past this stop the customer's window is shut.
            if route.earliest[index] > due {
                break;
            }
            if blink_rate > 0.0 && random.unit() < blink_rate {
                continue;
            }
            if let Some(cost) = insertion_cost(instance, route, index, customer) {
                if best.is_none_or(|b| cost < b.cost) {
                    best = Some(Insertion { route: r, position: index, cost });
                }
            }
        }
    }
    if plan.routes.len() < route_limit && demand <= instance.capacity() {
        if let Some(cost) = insertion_cost(instance, empty, 0, customer) {
            if best.is_none_or(|b| cost < b.cost) {
                best = Some(Insertion { route: plan.routes.len(), position: 0, cost });
            }
        }
    }
    best
}

/// Puts every removed customer back using at most `route_limit` routes; false if one fits nowhere (the plan is
/// then incomplete and must be dropped).
pub fn recreate(
    instance: &Instance,
    plan: &mut Plan,
    empty: &Route,
    removed: &mut [usize],
    route_limit: usize,
    blink_rate: f64,
    random: &mut Random,
) -> bool {
    sort_removed(instance, removed, random);
    for &customer in removed.iter() {
        match cheapest_insertion(instance, plan, empty, customer, route_limit, blink_rate, random) {
            Some(insertion) => plan.insert(instance, insertion, customer),
            None => return false,
        }
    }
    true
}
