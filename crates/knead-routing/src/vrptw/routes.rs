//! The search's working plan: routes with cached timings, so an insertion is priced and checked in constant time.
//!
//! For each stop of a route (the depot at both ends) the route keeps the earliest start of service given the
//! stops before it, and the latest start that still lets every later stop keep its window. Putting a customer
//! between two neighbours then needs only those two numbers.

use super::instance::Instance;

/// Marks a customer that no route holds.
pub const UNROUTED: usize = usize::MAX;

/// One vehicle's customers with their timing caches (index 0 and `len + 1` are the depot).
#[derive(Debug, Clone, Default)]
pub struct Route {
    pub customers: Vec<usize>,
    /// Earliest start of service at each stop, in tenths.
    pub earliest: Vec<i64>,
    /// Latest start of service at each stop that keeps the rest of the route on time, in tenths.
    pub latest: Vec<i64>,
    pub load: i64,
    pub distance: i64,
}

impl Route {
    /// The stop at `index`: the depot at both ends, else a customer.
    #[inline]
    pub fn stop(&self, index: usize) -> usize {
        if index == 0 || index > self.customers.len() {
            0
        } else {
            self.customers[index - 1]
        }
    }

    /// When the vehicle is back at the depot, at the earliest.
    pub fn finish(&self) -> i64 {
        *self.earliest.last().unwrap_or(&0)
    }

    /// Recomputes the caches after the customers changed.
    pub fn refresh(&mut self, instance: &Instance) {
        let stops = instance.stops();
        let n = self.customers.len();
        self.earliest.clear();
        let (mut previous, mut time) = (0, stops[0].ready);
        self.earliest.push(time);
        let (mut load, mut distance) = (0, 0);
        for &customer in &self.customers {
            let arc = instance.travel(previous, customer);
            time = (time + stops[previous].service + arc).max(stops[customer].ready);
            self.earliest.push(time);
            load += stops[customer].demand;
            distance += arc;
            previous = customer;
        }
        let arc = instance.travel(previous, 0);
        self.earliest.push(time + stops[previous].service + arc);
        self.load = load;
        self.distance = distance + arc;
        self.latest.clear();
        self.latest.resize(n + 2, 0);
        self.latest[n + 1] = stops[0].due;
        for index in (0..=n).rev() {
            let (stop, next) = (self.stop(index), self.stop(index + 1));
            let bound = self.latest[index + 1] - instance.travel(stop, next) - stops[stop].service;
            self.latest[index] = if index == 0 { bound } else { bound.min(stops[stop].due) };
        }
    }

    /// Whether every stop is served in its window (and the vehicle returns before the depot closes).
    #[cfg(test)]
    pub fn on_time(&self) -> bool {
        self.earliest.iter().zip(&self.latest).skip(1).all(|(e, l)| e <= l)
    }
}

/// The cheapest place found for a customer: route (or `routes.len()` for a new one), position, added travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Insertion {
    pub route: usize,
    pub position: usize,
    pub cost: i64,
}

/// The cost and feasibility of putting `customer` right after stop `index` of `route`, or `None` if that breaks a
/// time window. Capacity is the caller's check.
#[inline]
pub fn insertion_cost(instance: &Instance, route: &Route, index: usize, customer: usize) -> Option<i64> {
    let stops = instance.stops();
    let (before, after) = (route.stop(index), route.stop(index + 1));
    let to_customer = instance.travel(before, customer);
    let start = (route.earliest[index] + stops[before].service + to_customer).max(stops[customer].ready);
    if start > stops[customer].due {
        return None;
    }
    let from_customer = instance.travel(customer, after);
    let next = (start + stops[customer].service + from_customer).max(stops[after].ready);
    if next > route.latest[index + 1] {
        return None;
    }
    Some(to_customer + from_customer - instance.travel(before, after))
}

/// A whole plan under search: its routes, where each customer is, and the total travel.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub routes: Vec<Route>,
    /// The route holding each customer, or [`UNROUTED`] (index 0, the depot, is unused).
    pub route_of: Vec<usize>,
    /// The customer's stop index in its route (1-based, as in [`Route::stop`]).
    pub position_of: Vec<usize>,
    pub distance: i64,
}

impl Plan {
    pub fn empty(instance: &Instance) -> Plan {
        let n = instance.customers() + 1;
        Plan { routes: Vec::new(), route_of: vec![UNROUTED; n], position_of: vec![0; n], distance: 0 }
    }

    /// Drops empty routes and recomputes where every customer is and the total travel.
    pub fn reindex(&mut self) {
        self.routes.retain(|r| !r.customers.is_empty());
        self.route_of.fill(UNROUTED);
        self.distance = 0;
        for (r, route) in self.routes.iter().enumerate() {
            self.distance += route.distance;
            for (i, &customer) in route.customers.iter().enumerate() {
                self.route_of[customer] = r;
                self.position_of[customer] = i + 1;
            }
        }
    }

    /// Puts a customer into a route (a new one when `route == routes.len()`) and refreshes that route.
    pub fn insert(&mut self, instance: &Instance, insertion: Insertion, customer: usize) {
        if insertion.route == self.routes.len() {
            self.routes.push(Route::default());
        }
        let route = &mut self.routes[insertion.route];
        route.customers.insert(insertion.position, customer);
        route.refresh(instance);
        self.distance += insertion.cost;
        for (i, &c) in route.customers.iter().enumerate().skip(insertion.position) {
            self.route_of[c] = insertion.route;
            self.position_of[c] = i + 1;
        }
    }

    /// Latest return minus earliest return over the routes: the tie-break between plans of equal travel.
    pub fn finish_spread(&self) -> i64 {
        let finishes = self.routes.iter().map(Route::finish);
        finishes.clone().max().unwrap_or(0) - finishes.min().unwrap_or(0)
    }

    pub fn customer_lists(&self) -> Vec<Vec<usize>> {
        self.routes.iter().map(|r| r.customers.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vrptw::instance::Stop;

    fn instance() -> Instance {
        let stop = |x: f64, ready: i64, due: i64| Stop { x, y: 0.0, demand: 1, ready, due, service: 0 };
        Instance::new("row", 3, 10, vec![stop(0.0, 0, 1000), stop(10.0, 0, 1000), stop(20.0, 0, 250), stop(5.0, 0, 60)])
            .unwrap()
    }

    #[test]
    fn caches_match_a_walk_of_the_route() {
        let instance = instance();
        let mut route = Route { customers: vec![3, 1, 2], ..Route::default() };
        route.refresh(&instance);
        assert_eq!(route.earliest, vec![0, 50, 100, 200, 400]);
        assert_eq!(route.distance, 400);
        assert!(route.on_time());
        assert_eq!(route.latest[3], 250);
        assert_eq!(route.latest[2], 150);
        assert_eq!(route.latest[1], 60);
    }

    #[test]
    fn an_insertion_is_priced_and_checked_in_place() {
        let instance = instance();
        let mut route = Route { customers: vec![1, 2], ..Route::default() };
        route.refresh(&instance);
        // Customer 3 first: on time at 50, and on the way.
        assert_eq!(insertion_cost(&instance, &route, 0, 3), Some(0));
        // Customer 3 after customer 2: reached at 350, its window closed at 60.
        assert_eq!(insertion_cost(&instance, &route, 2, 3), None);
    }
}
