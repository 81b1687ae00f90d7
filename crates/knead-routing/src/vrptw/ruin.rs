//! Ruin: SISR's adjacent string removal (Christiaens & Vanden Berghe 2020). Strings of consecutive customers are
//! cut from a few routes that pass near one random customer, so the recreate step can reshape a neighbourhood.

use super::instance::Instance;
use super::random::Random;
use super::routes::{Plan, UNROUTED};

/// How much a ruin removes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RuinSettings {
    /// Average number of customers removed per ruin (SISR's c̄).
    pub average_removed: f64,
    /// Longest string cut from one route (SISR's L_max).
    pub max_string: f64,
    /// Chance a cut keeps a substring of the string in place (a "split string").
    pub split_rate: f64,
    /// Chance per extra kept customer that a split string stops growing its kept part.
    pub split_depth: f64,
}

impl Default for RuinSettings {
    fn default() -> Self {
        RuinSettings { average_removed: 10.0, max_string: 10.0, split_rate: 0.5, split_depth: 0.01 }
    }
}

/// Reusable buffers, so a ruin allocates nothing.
#[derive(Debug, Default)]
pub struct RuinScratch {
    is_removed: Vec<bool>,
    ruined_routes: Vec<usize>,
}

/// Removes strings from routes near a random customer; the removed customers are put in `removed`. Empty routes
/// are dropped and the plan reindexed.
pub fn ruin(
    instance: &Instance,
    plan: &mut Plan,
    neighbours: &[Vec<usize>],
    settings: &RuinSettings,
    random: &mut Random,
    scratch: &mut RuinScratch,
    removed: &mut Vec<usize>,
) {
    removed.clear();
    scratch.ruined_routes.clear();
    scratch.is_removed.clear();
    scratch.is_removed.resize(instance.customers() + 1, false);
    if plan.routes.is_empty() {
        return;
    }
    let routed: usize = plan.routes.iter().map(|r| r.customers.len()).sum();
    let longest_string = settings.max_string.min(routed as f64 / plan.routes.len() as f64);
    let most_strings = 4.0 * settings.average_removed / (1.0 + longest_string) - 1.0;
    let strings = (random.unit() * most_strings.max(1.0)) as usize + 1;
    let seed = 1 + random.below(instance.customers());
    for &customer in &neighbours[seed] {
        if scratch.ruined_routes.len() >= strings {
            break;
        }
        let r = plan.route_of[customer];
        if r == UNROUTED || scratch.ruined_routes.contains(&r) {
            continue;
        }
        let route = &plan.routes[r];
        let len = route.customers.len();
        let length = ((random.unit() * longest_string.min(len as f64)) as usize + 1).min(len);
        let at = plan.position_of[customer] - 1;
        let mut cut = |from: usize, to: usize| {
            for &c in &route.customers[from..to] {
                scratch.is_removed[c] = true;
                removed.push(c);
            }
        };
        if length == len || random.unit() >= settings.split_rate {
            let start = random.window_start(at, length, len);
            cut(start, start + length);
        } else {
            let mut kept = 1;
            while length + kept < len && random.unit() > settings.split_depth {
                kept += 1;
            }
            let start = random.window_start(at, length + kept, len);
            let kept_from = start + random.below(length + 1);
            cut(start, kept_from);
            cut(kept_from + kept, start + length + kept);
        }
        scratch.ruined_routes.push(r);
    }
    for &r in &scratch.ruined_routes {
        let route = &mut plan.routes[r];
        route.customers.retain(|&c| !scratch.is_removed[c]);
        route.refresh(instance);
    }
    plan.reindex();
}

/// Removes every customer of one random route (appending them to `removed`): the move that lets a search with
/// a distance objective leave a plan with one route too many, which strings alone rarely empty.
pub fn remove_route(instance: &Instance, plan: &mut Plan, random: &mut Random, removed: &mut Vec<usize>) {
    if plan.routes.is_empty() {
        return;
    }
    let r = random.below(plan.routes.len());
    removed.append(&mut plan.routes[r].customers);
    plan.routes[r].refresh(instance);
    plan.reindex();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_cover_the_chosen_customer() {
        let mut random = Random::new(5);
        for _ in 0..1000 {
            let len = 1 + random.below(20);
            let at = random.below(len);
            let length = 1 + random.below(len);
            let start = random.window_start(at, length, len);
            assert!(start <= at && at < start + length && start + length <= len);
        }
    }
}
