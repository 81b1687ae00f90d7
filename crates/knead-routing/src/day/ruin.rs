//! Ruin: takes units out of the plan so the recreate can reshape it. Either strings of consecutive visits are cut
//! from a few tours that pass near one random visit (SISR's adjacent string removal, Christiaens & Vanden Berghe
//! 2020), or a few random units are taken out; while some unit is left out of the plan, half the ruins instead
//! clear its time on a vehicle it allows. Locked visits stay; taking out one half of a couple takes out both.

use super::state::{Broken, Context, Plan};
use crate::vrptw::random::Random;

/// How much a ruin removes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct RuinSettings {
    /// Average number of visits removed per ruin (SISR's c̄).
    pub average_removed: f64,
    /// Longest string cut from one tour (SISR's L_max).
    pub max_string: f64,
    /// Chance a ruin takes out random units instead of strings.
    pub random_rate: f64,
}

/// Which jobs and tours a ruin touches, kept between ruins so nothing is allocated once they have grown.
#[derive(Debug, Default)]
pub(super) struct RuinScratch {
    removed: Vec<bool>,
    touched: Vec<usize>,
    ruined: Vec<usize>,
    movable: Vec<usize>,
}

impl RuinScratch {
    /// Marks a whole unit for removal, with the tours it is on.
    fn take(&mut self, ctx: &Context<'_>, plan: &Plan, lead: usize, units: &mut Vec<usize>) {
        if self.removed[lead] {
            return;
        }
        units.push(lead);
        for job in ctx.members(lead) {
            self.removed[job] = true;
            if let Some(vehicle) = plan.vehicle_of[job] {
                if !self.touched.contains(&vehicle) {
                    self.touched.push(vehicle);
                }
            }
        }
    }
}

/// Takes units out of `plan` and appends their leads to `units`. Answers the unit left out that the ruin made room
/// for, if it did: the recreate puts that one back first. `Broken` when a tour cannot be timed without the visits
/// taken out (travel times that break the triangle inequality).
pub(super) fn ruin(
    ctx: &Context<'_>,
    plan: &mut Plan,
    settings: &RuinSettings,
    random: &mut Random,
    scratch: &mut RuinScratch,
    units: &mut Vec<usize>,
) -> Result<Option<usize>, Broken> {
    let jobs = ctx.day.jobs().len();
    scratch.removed.clear();
    scratch.removed.resize(jobs, false);
    scratch.touched.clear();
    scratch.ruined.clear();
    scratch.movable.clear();
    scratch.movable.extend((0..jobs).filter(|&j| plan.vehicle_of[j].is_some() && ctx.unit_of(j).is_some()));
    if scratch.movable.is_empty() {
        return Ok(None);
    }
    let mut first = None;
    if !plan.unassigned.is_empty() && random.unit() < 0.5 {
        first = Some(make_room(ctx, plan, random, scratch, units));
    } else if random.unit() < settings.random_rate {
        remove_random(ctx, plan, settings, random, scratch, units);
    } else {
        remove_strings(ctx, plan, settings, random, scratch, units);
    }
    let (removed, touched) = (std::mem::take(&mut scratch.removed), std::mem::take(&mut scratch.touched));
    let done = plan.remove(ctx, &removed, &touched);
    (scratch.removed, scratch.touched) = (removed, touched);
    done.map(|()| first)
}

/// A few random units: on average `average_removed` visits, at least one.
fn remove_random(
    ctx: &Context<'_>,
    plan: &Plan,
    settings: &RuinSettings,
    random: &mut Random,
    scratch: &mut RuinScratch,
    units: &mut Vec<usize>,
) {
    let most = ((2.0 * settings.average_removed) as usize).clamp(1, scratch.movable.len());
    let count = 1 + random.below(most);
    let mut movable = std::mem::take(&mut scratch.movable);
    random.shuffle(&mut movable);
    for &job in movable.iter().take(count) {
        if let Some(lead) = ctx.unit_of(job) {
            scratch.take(ctx, plan, lead, units);
        }
    }
    scratch.movable = movable;
}

/// Takes out what blocks a unit left out of the plan: on one vehicle each of its jobs allows, every visit that
/// overlaps the job's possible time (widened by the drive between the two places). Answers the unit's lead.
fn make_room(
    ctx: &Context<'_>,
    plan: &Plan,
    random: &mut Random,
    scratch: &mut RuinScratch,
    units: &mut Vec<usize>,
) -> usize {
    let jobs = ctx.day.jobs();
    let left_out = plan.unassigned[random.below(plan.unassigned.len())];
    for member in ctx.members(left_out) {
        let job = &jobs[member];
        let vehicle = job.allowed[random.below(job.allowed.len())];
        let route = &plan.routes[vehicle];
        for (&other, &start) in route.jobs.iter().zip(&route.start) {
            let drive = ctx.day.travel(jobs[other].place, job.place).max(ctx.day.travel(job.place, jobs[other].place));
            let overlaps = start < job.latest + job.length + drive && job.earliest < start + jobs[other].length + drive;
            if let (true, Some(lead)) = (overlaps, ctx.unit_of(other)) {
                scratch.take(ctx, plan, lead, units);
            }
        }
    }
    left_out
}

/// SISR's strings: cut from tours near a random visit, one string per tour.
fn remove_strings(
    ctx: &Context<'_>,
    plan: &Plan,
    settings: &RuinSettings,
    random: &mut Random,
    scratch: &mut RuinScratch,
    units: &mut Vec<usize>,
) {
    let busy = plan.routes.iter().filter(|r| !r.jobs.is_empty()).count().max(1);
    let average_tour = scratch.movable.len() as f64 / busy as f64;
    let longest_string = settings.max_string.min(average_tour).max(1.0);
    let most_strings = 4.0 * settings.average_removed / (1.0 + longest_string) - 1.0;
    let strings = (random.unit() * most_strings.max(1.0)) as usize + 1;
    let seed = scratch.movable[random.below(scratch.movable.len())];
    for &job in &ctx.neighbours[seed] {
        if scratch.ruined.len() >= strings {
            break;
        }
        let Some(vehicle) = plan.vehicle_of[job] else { continue };
        if scratch.ruined.contains(&vehicle) {
            continue;
        }
        scratch.ruined.push(vehicle);
        let tour = &plan.routes[vehicle].jobs;
        let Some(at) = tour.iter().position(|&j| j == job) else { continue };
        let length = ((random.unit() * longest_string.min(tour.len() as f64)) as usize + 1).min(tour.len());
        let start = random.window_start(at, length, tour.len());
        for &cut in &tour[start..start + length] {
            if let Some(lead) = ctx.unit_of(cut) {
                scratch.take(ctx, plan, lead, units);
            }
        }
    }
}
