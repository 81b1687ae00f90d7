//! Recreate: greedy cheapest insertion with blinks. Units go back one by one, in a randomly chosen order, each to
//! the place that adds the least travel; each place is skipped with a small chance, which varies the result. A
//! couple goes in whole: both halves at once, on vehicles of two therapists, at the first minute both can start.

use super::state::{anchor_fits, Broken, Context, Insertion, Kind, Plan};
use super::timing::{earliest_start, Slot};
use crate::vrptw::random::Random;
use std::cmp::Reverse;

/// Orders in which units are put back, with how often each is drawn.
const ORDERS: [(Order, u32); 5] =
    [(Order::Random, 4), (Order::Difficulty, 4), (Order::Chronological, 2), (Order::Far, 2), (Order::Close, 1)];

#[derive(Debug, Clone, Copy)]
enum Order {
    Random,
    /// Hardest first: couples, then anchored halves, then by fewest vehicles and fewest starts.
    Difficulty,
    /// By earliest start, then latest: how a day is booked, which leaves room for tight windows.
    Chronological,
    /// Farthest from the bases of the vehicles allowed first.
    Far,
    Close,
}

/// How hard a unit is to place: smaller is harder.
fn difficulty(ctx: &Context<'_>, lead: usize) -> (u8, usize, i64) {
    let jobs = ctx.day.jobs();
    let starts = |j: usize| (jobs[j].latest - jobs[j].earliest) / jobs[j].step + 1;
    match ctx.kind[lead] {
        Kind::Lead { partner } => {
            (0, jobs[lead].allowed.len().min(jobs[partner].allowed.len()), starts(lead).min(starts(partner)))
        }
        Kind::Anchored { .. } => (1, jobs[lead].allowed.len(), 1),
        _ => (2, jobs[lead].allowed.len(), starts(lead)),
    }
}

/// A unit's place in the day: its earliest start, then its latest, then its lead.
fn chronological(ctx: &Context<'_>, lead: usize) -> (i64, i64, usize) {
    let job = &ctx.day.jobs()[lead];
    (job.earliest, job.latest, lead)
}

/// The shortest round trip from the base of a vehicle the job allows.
fn base_distance(ctx: &Context<'_>, job: usize) -> i64 {
    let day = ctx.day;
    let place = day.jobs()[job].place;
    let trip = |v: &usize| {
        let base = day.vehicles()[*v].base;
        day.travel(base, place) + day.travel(place, base)
    };
    day.jobs()[job].allowed.iter().map(trip).min().unwrap_or(0)
}

fn sort_units(ctx: &Context<'_>, units: &mut [usize], random: &mut Random) {
    let total: u32 = ORDERS.iter().map(|(_, weight)| weight).sum();
    let mut draw = random.below(total as usize) as u32;
    let mut order = Order::Random;
    for (candidate, weight) in ORDERS {
        if draw < weight {
            order = candidate;
            break;
        }
        draw -= weight;
    }
    match order {
        Order::Random => random.shuffle(units),
        Order::Difficulty => units.sort_by_key(|&lead| (difficulty(ctx, lead), lead)),
        Order::Chronological => units.sort_by_key(|&lead| chronological(ctx, lead)),
        Order::Far => units.sort_by_key(|&lead| (Reverse(base_distance(ctx, lead)), lead)),
        Order::Close => units.sort_by_key(|&lead| (base_distance(ctx, lead), lead)),
    }
}

/// Puts units back: first those left out before (`retry`, in its order), then the ruined ones (`pending`) in a
/// randomly chosen order. Both lists are emptied; units that fit nowhere join `plan.unassigned`.
pub(super) fn recreate(
    ctx: &Context<'_>,
    plan: &mut Plan,
    retry: &mut Vec<usize>,
    pending: &mut Vec<usize>,
    blink_rate: f64,
    random: &mut Random,
) -> Result<(), Broken> {
    sort_units(ctx, pending, random);
    let mut done = Ok(());
    for lead in retry.drain(..).chain(pending.drain(..)) {
        if done.is_err() {
            continue;
        }
        done = match best_insertion(ctx, plan, lead, blink_rate, random) {
            Some(insertion) => plan.apply(ctx, lead, insertion),
            None => {
                plan.unassigned.push(lead);
                Ok(())
            }
        };
    }
    done
}

/// Puts units back in the order given, without blinks: the first plan's construction.
pub(super) fn insert_in_order(
    ctx: &Context<'_>,
    plan: &mut Plan,
    units: &[usize],
    random: &mut Random,
) -> Result<(), Broken> {
    for &lead in units {
        match best_insertion(ctx, plan, lead, 0.0, random) {
            Some(insertion) => plan.apply(ctx, lead, insertion)?,
            None => plan.unassigned.push(lead),
        }
    }
    Ok(())
}

/// Orders units hardest first.
pub(super) fn hardest_first(ctx: &Context<'_>, units: &mut [usize]) {
    units.sort_by_key(|&lead| (difficulty(ctx, lead), lead));
}

/// Orders units by their earliest start.
pub(super) fn earliest_first(ctx: &Context<'_>, units: &mut [usize]) {
    units.sort_by_key(|&lead| chronological(ctx, lead));
}

/// The cheapest place for a unit (the least travel added; for couples, ties go to the earlier minute), each place
/// skipped with chance `blink_rate`; `None` if it fits nowhere.
pub(super) fn best_insertion(
    ctx: &Context<'_>,
    plan: &Plan,
    lead: usize,
    blink_rate: f64,
    random: &mut Random,
) -> Option<Insertion> {
    match ctx.kind[lead] {
        Kind::Single => best_single(ctx, plan, lead, None, blink_rate, random),
        Kind::Anchored { therapist, .. } => best_single(ctx, plan, lead, Some(therapist), blink_rate, random),
        Kind::Lead { partner } => best_couple(ctx, plan, lead, partner, blink_rate, random),
        Kind::Locked | Kind::Follower { .. } => None,
    }
}

fn blink(blink_rate: f64, random: &mut Random) -> bool {
    blink_rate > 0.0 && random.unit() < blink_rate
}

/// A job that goes in alone, at its pin if it has one, never on a vehicle of `other_than`.
fn best_single(
    ctx: &Context<'_>,
    plan: &Plan,
    j: usize,
    other_than: Option<usize>,
    blink_rate: f64,
    random: &mut Random,
) -> Option<Insertion> {
    if !anchor_fits(ctx, j) {
        return None;
    }
    let day = ctx.day;
    let job = &day.jobs()[j];
    let mut best: Option<Insertion> = None;
    for &vehicle in &job.allowed {
        if other_than == Some(day.vehicles()[vehicle].therapist) {
            continue;
        }
        let route = &plan.routes[vehicle];
        for position in 0..=route.jobs.len() {
            if route.too_late_from(day, vehicle, position, job.latest) {
                break;
            }
            if blink(blink_rate, random) {
                continue;
            }
            let Some(slot) = route.slot(day, vehicle, position, j) else { continue };
            let Some(start) = earliest_start(job, plan.pin[j], slot.ready) else { continue };
            if start <= slot.until && best.is_none_or(|b| slot.added_travel < b.cost()) {
                best = Some(Insertion::One { vehicle, position, cost: slot.added_travel });
            }
        }
    }
    best
}

/// Every place a couple's half could go, with its range of starts (kept only if the couple's grid has a start in
/// that range).
fn couple_options(ctx: &Context<'_>, plan: &Plan, lead: usize, j: usize) -> Vec<(usize, usize, Slot)> {
    let day = ctx.day;
    let Some(grid) = ctx.common[lead] else { return Vec::new() };
    let mut options = Vec::new();
    for &vehicle in &day.jobs()[j].allowed {
        let route = &plan.routes[vehicle];
        for position in 0..=route.jobs.len() {
            if route.too_late_from(day, vehicle, position, day.jobs()[j].latest) {
                break;
            }
            if let Some(slot) = route.slot(day, vehicle, position, j) {
                if grid.first_from(slot.ready).is_some_and(|minute| minute <= slot.until) {
                    options.push((vehicle, position, slot));
                }
            }
        }
    }
    options
}

fn best_couple(
    ctx: &Context<'_>,
    plan: &Plan,
    lead: usize,
    partner: usize,
    blink_rate: f64,
    random: &mut Random,
) -> Option<Insertion> {
    let grid = ctx.common[lead]?;
    let vehicles = ctx.day.vehicles();
    let for_lead = couple_options(ctx, plan, lead, lead);
    let for_partner = couple_options(ctx, plan, lead, partner);
    let mut best: Option<(i64, i64, Insertion)> = None;
    for &(lead_vehicle, lead_position, a) in &for_lead {
        for &(partner_vehicle, partner_position, b) in &for_partner {
            if vehicles[lead_vehicle].therapist == vehicles[partner_vehicle].therapist || blink(blink_rate, random) {
                continue;
            }
            let Some(minute) = grid.first_from(a.ready.max(b.ready)) else { continue };
            if minute > a.until.min(b.until) {
                continue;
            }
            let cost = a.added_travel + b.added_travel;
            if best.is_none_or(|(c, m, _)| (cost, minute) < (c, m)) {
                let insertion = Insertion::Two {
                    lead: (lead_vehicle, lead_position),
                    partner: (partner_vehicle, partner_position),
                    minute,
                    cost,
                };
                best = Some((cost, minute, insertion));
            }
        }
    }
    best.map(|(_, _, insertion)| insertion)
}
