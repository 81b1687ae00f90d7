//! The practice-day planner: property tests on random days that are known to have a feasible plan (today's plan is
//! built first, then each visit's allowed starts around it; drives on a grid, some with one-way noise), and hand-made
//! days for the moves that matter (a crossed pair swapped, a couple on two therapists at one minute, allowed
//! vehicles honoured, locks kept) and every rule the check enforces.

use knead_routing::day::{
    check, Day, DayError, DayInfeasibility, DayPlan, DayPlanError, DayPlanner, DayRuinAndRecreate, Job, Vehicle, Visit,
};
use knead_routing::vrptw::Iterations;
use proptest::prelude::*;

/// A random day with the plan that shows it feasible.
#[derive(Debug, Clone)]
struct Scenario {
    day: Day,
    current: DayPlan,
}

/// One therapist: base on the grid, first window's opening (×5 min after 8:00) and length (×5 min), and an optional
/// second window after a break (both ×5 min).
type RawTherapist = (i64, i64, i64, i64, Option<(i64, i64)>);
/// One visit: where, how long (index), kind of window, which vehicle to try first, slack before its start, room
/// before and after it, allowed vehicles (bit mask), a couple (with the other half's length index and the other
/// vehicle to try), and whether it is locked.
type RawJob = (i64, i64, usize, u8, usize, i64, (i64, i64), u16, Option<(usize, usize)>, bool);

const LENGTHS: [i64; 5] = [30, 45, 60, 75, 90];

fn raw_therapist() -> impl Strategy<Value = RawTherapist> {
    (0..=12i64, 0..=12i64, 0..=12i64, 48..=96i64, prop::option::of((6..=18i64, 24..=60i64)))
}

fn raw_job() -> impl Strategy<Value = RawJob> {
    (
        0..=12i64,
        0..=12i64,
        0..LENGTHS.len(),
        0..6u8,
        any::<usize>(),
        0..=4i64,
        (0..=6i64, 0..=6i64),
        any::<u16>(),
        prop::option::weighted(0.2, (0..LENGTHS.len(), any::<usize>())),
        prop::bool::weighted(0.15),
    )
}

fn round_up_to_five(minute: i64) -> i64 {
    (minute + 4).div_euclid(5) * 5
}

/// The allowed starts of a visit planned at `start`: fixed, or a window of steps 5, 1 or 15 around it.
fn window(kind: u8, start: i64, (before, after): (i64, i64)) -> (i64, i64, i64) {
    match kind % 5 {
        0 => (start, start, 1),
        1 | 2 => (start - 5 * before, start + 5 * after, 5),
        3 => (start - 7 * before, start + 7 * after, 1),
        _ => (start - 15 * before, start + 15 * after, 15),
    }
}

/// How drives are timed: Manhattan or rounded Euclidean distance on the grid, or Euclidean with a few minutes of
/// one-way noise per pair (asymmetric, and no triangle inequality: a detour can be quicker than the direct drive).
#[derive(Debug, Clone, Copy)]
enum Metric {
    Manhattan,
    Euclidean,
    Noisy(u64),
}

fn build(therapists: Vec<RawTherapist>, metric: Metric, pace: i64, raw_jobs: Vec<RawJob>) -> Scenario {
    let mut points: Vec<(i64, i64)> = therapists.iter().map(|t| (t.0, t.1)).collect();
    let mut vehicles = Vec::new();
    for (therapist, &(_, _, offset, length, second)) in therapists.iter().enumerate() {
        let open = 480 + 5 * offset;
        let close = open + 5 * length;
        vehicles.push(Vehicle { therapist, base: therapist, open, close });
        if let Some((pause, length)) = second {
            let open = close + 5 * pause;
            vehicles.push(Vehicle { therapist, base: therapist, open, close: open + 5 * length });
        }
    }
    points.extend(raw_jobs.iter().map(|j| (j.0, j.1)));
    let n = points.len();
    let travel_between = |a: usize, b: usize| {
        let (dx, dy) = ((points[a].0 - points[b].0).abs(), (points[a].1 - points[b].1).abs());
        let euclidean = (pace as f64 * ((dx * dx + dy * dy) as f64).sqrt()).round() as i64;
        match metric {
            Metric::Manhattan => pace * (dx + dy),
            Metric::Euclidean => euclidean,
            Metric::Noisy(salt) => {
                let pair = ((a as u64) << 32 | b as u64) ^ salt;
                euclidean + (pair.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 61) as i64
            }
        }
    };
    let travel: Vec<i64> = (0..n * n).map(|i| travel_between(i / n, i % n)).collect();

    // Today's plan: visits placed one after another, each on the first vehicle (from a random one) with room.
    let count = vehicles.len();
    let mut free: Vec<(i64, usize)> = vehicles.iter().map(|v| (v.open, v.base)).collect();
    let mut routes: Vec<Vec<Visit>> = vec![Vec::new(); count];
    let mut jobs: Vec<Job> = Vec::new();
    let ready = |free: &[(i64, usize)], v: usize, place: usize| free[v].0 + travel_between(free[v].1, place);
    for (k, &(_, _, length, kind, pick, slack, room, mask, couple, locked)) in raw_jobs.iter().enumerate() {
        let place = therapists.len() + k;
        let allowed = |v: usize| -> Vec<usize> {
            (0..count).filter(|&u| u == v || mask & (1 << (u % 16)) != 0).collect::<Vec<_>>()
        };
        let job = |v: usize, start: i64, length: i64, kind: u8| {
            let (earliest, latest, step) = window(kind, start, room);
            Job {
                place,
                length,
                earliest,
                latest,
                step,
                allowed: allowed(v),
                locked: locked.then_some((v, start)),
                partner: None,
            }
        };
        let length = LENGTHS[length];
        match couple {
            Some((other_length, other_pick)) => {
                let other_length = LENGTHS[other_length];
                let a = pick % count;
                let Some(b) = (0..count)
                    .map(|i| (other_pick + i) % count)
                    .find(|&b| vehicles[b].therapist != vehicles[a].therapist)
                else {
                    continue;
                };
                let start = round_up_to_five(ready(&free, a, place).max(ready(&free, b, place))) + 5 * slack;
                if start + length > vehicles[a].close || start + other_length > vehicles[b].close {
                    continue;
                }
                let (first, second) = (jobs.len(), jobs.len() + 1);
                let mut half = job(a, start, length, kind);
                half.partner = Some(second);
                let mut other = job(b, start, other_length, kind + 1);
                other.partner = Some(first);
                // With `locked` the first half is locked and the second only sometimes: couples locked whole,
                // and free halves that must start at their locked partner's minute.
                other.locked = other.locked.filter(|_| slack % 2 == 0).map(|_| (b, start));
                jobs.extend([half, other]);
                routes[a].push(Visit { job: first, block_start: start });
                routes[b].push(Visit { job: second, block_start: start });
                free[a] = (start + length, place);
                free[b] = (start + other_length, place);
            }
            None => {
                let fits = (0..count).map(|i| (pick + i) % count).find_map(|v| {
                    let start = round_up_to_five(ready(&free, v, place)) + 5 * slack;
                    (start + length <= vehicles[v].close).then_some((v, start))
                });
                let Some((v, start)) = fits else { continue };
                routes[v].push(Visit { job: jobs.len(), block_start: start });
                jobs.push(job(v, start, length, kind));
                free[v] = (start + length, place);
            }
        }
    }
    let day = Day::new(vehicles, jobs, n, travel).expect("a generated day is valid");
    Scenario { day, current: DayPlan { routes } }
}

fn scenario() -> impl Strategy<Value = Scenario> {
    let metric = prop_oneof![Just(Metric::Manhattan), Just(Metric::Euclidean), any::<u64>().prop_map(Metric::Noisy)];
    (prop::collection::vec(raw_therapist(), 2..=6), metric, 1..=4i64, prop::collection::vec(raw_job(), 0..=25))
        .prop_map(|(therapists, metric, pace, jobs)| build(therapists, metric, pace, jobs))
}

fn key(day: &Day, plan: &DayPlan) -> (i64, i64) {
    (plan.travel(day), plan.finish_spread(day))
}

/// Every job once, locks kept, couples together on two therapists: asserted directly, not only through `check`.
fn assert_serves_everything(day: &Day, plan: &DayPlan) -> Result<(), TestCaseError> {
    prop_assert_eq!(check(day, plan), Ok(()));
    let visits: usize = plan.routes.iter().map(Vec::len).sum();
    prop_assert_eq!(visits, day.jobs().len());
    for (j, job) in day.jobs().iter().enumerate() {
        let located = plan.locate(j);
        prop_assert!(located.is_some(), "job {} is left out", j);
        let Some((vehicle, visit)) = located else { continue };
        prop_assert!(job.allowed.contains(&vehicle));
        if let Some(lock) = job.locked {
            prop_assert_eq!((vehicle, visit.block_start), lock, "locked job {} moved", j);
        }
        if let Some(partner) = job.partner {
            let (other_vehicle, other) = plan.locate(partner).expect("the partner is served");
            prop_assert_eq!(visit.block_start, other.block_start);
            prop_assert_ne!(day.vehicles()[vehicle].therapist, day.vehicles()[other_vehicle].therapist);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn replanning_keeps_every_rule_and_never_gets_worse(scenario in scenario(), seed in 0..1000u64) {
        let Scenario { day, current } = scenario;
        prop_assert_eq!(check(&day, &current), Ok(()), "the generator's own plan must be feasible");
        let planner = DayRuinAndRecreate::new(seed);
        let plan = planner.plan(&day, Some(&current), &mut Iterations(150));
        prop_assert!(plan.is_ok(), "{:?}", plan);
        let plan = plan.unwrap();
        assert_serves_everything(&day, &plan)?;
        prop_assert!(key(&day, &plan) <= key(&day, &current), "{:?} got worse than {:?}", plan, current);
        let again = planner.plan(&day, Some(&current), &mut Iterations(150));
        prop_assert_eq!(again, Ok(plan), "the same seed must give the same plan");
    }

    #[test]
    fn planning_from_nothing_serves_every_job_or_names_the_ones_it_could_not(
        scenario in scenario(),
        seed in 0..1000u64,
    ) {
        let Scenario { day, .. } = scenario;
        let planner = DayRuinAndRecreate::new(seed);
        let result = planner.plan(&day, None, &mut Iterations(150));
        match &result {
            Ok(plan) => assert_serves_everything(&day, plan)?,
            Err(DayPlanError::Unservable(jobs)) => {
                prop_assert!(!jobs.is_empty() && jobs.iter().all(|&j| j < day.jobs().len()));
            }
            Err(other) => prop_assert!(false, "the search broke its own plan: {}", other),
        }
        prop_assert_eq!(planner.plan(&day, None, &mut Iterations(150)), result);
    }
}

/// Places on a line: `travel(a, b) = pace * |x_a - x_b|`.
fn line_travel(xs: &[i64], pace: i64) -> Vec<i64> {
    xs.iter().flat_map(|a| xs.iter().map(move |b| pace * (a - b).abs())).collect()
}

fn visit_job(place: usize, allowed: Vec<usize>) -> Job {
    Job { place, length: 60, earliest: 480, latest: 960, step: 5, allowed, locked: None, partner: None }
}

#[test]
fn crossed_visits_are_swapped_to_save_travel() {
    // Two bases ten units apart, each visit one unit from the other therapist's base; three minutes a unit.
    let vehicles = vec![
        Vehicle { therapist: 0, base: 0, open: 480, close: 1020 },
        Vehicle { therapist: 1, base: 1, open: 480, close: 1020 },
    ];
    let jobs = vec![visit_job(2, vec![0, 1]), visit_job(3, vec![0, 1])];
    let day = Day::new(vehicles, jobs, 4, line_travel(&[0, 10, 1, 9], 3)).unwrap();
    let current =
        DayPlan { routes: vec![vec![Visit { job: 1, block_start: 510 }], vec![Visit { job: 0, block_start: 510 }]] };
    assert_eq!(check(&day, &current), Ok(()));
    assert_eq!(current.travel(&day), 4 * 27);

    let plan = DayRuinAndRecreate::new(1).plan(&day, Some(&current), &mut Iterations(200)).unwrap();
    assert_eq!(check(&day, &plan), Ok(()));
    assert_eq!(plan.travel(&day), 4 * 3);
    assert_eq!(current.travel(&day) - plan.travel(&day), 96);
    // Each leaves at 8:00, arrives at 8:03 and starts on the next five minutes.
    assert_eq!(plan.routes, vec![vec![Visit { job: 0, block_start: 485 }], vec![Visit { job: 1, block_start: 485 }]]);
}

#[test]
fn a_couple_gets_two_therapists_at_one_minute() {
    // Therapist 0 works two windows (vehicles 0 and 1); therapists 1 and 2 one each; therapist 2 lives far away.
    let vehicles = vec![
        Vehicle { therapist: 0, base: 0, open: 480, close: 720 },
        Vehicle { therapist: 0, base: 0, open: 780, close: 1020 },
        Vehicle { therapist: 1, base: 1, open: 480, close: 1020 },
        Vehicle { therapist: 2, base: 2, open: 480, close: 1020 },
    ];
    let mut first = visit_job(3, vec![0, 1, 2, 3]);
    (first.earliest, first.latest, first.step, first.partner) = (600, 700, 5, Some(1));
    let mut second = visit_job(3, vec![0, 1, 2, 3]);
    (second.earliest, second.latest, second.step, second.partner) = (610, 700, 15, Some(0));
    let alone = visit_job(4, vec![0, 1, 2, 3]);
    let day = Day::new(vehicles, vec![first, second, alone], 5, line_travel(&[0, 4, 100, 2, 3], 2)).unwrap();

    let plan = DayRuinAndRecreate::new(7).plan(&day, None, &mut Iterations(300)).unwrap();
    assert_eq!(check(&day, &plan), Ok(()));
    let (va, a) = plan.locate(0).unwrap();
    let (vb, b) = plan.locate(1).unwrap();
    // 610 is the first minute on both grids: 600 + 5k and 610 + 15k.
    assert_eq!((a.block_start, b.block_start), (610, 610));
    let mut therapists = [day.vehicles()[va].therapist, day.vehicles()[vb].therapist];
    therapists.sort_unstable();
    assert_eq!(therapists, [0, 1], "the two nearby therapists, never one therapist twice");
}

#[test]
fn a_visit_goes_only_to_a_vehicle_it_allows() {
    let vehicles = vec![
        Vehicle { therapist: 0, base: 0, open: 480, close: 1020 },
        Vehicle { therapist: 1, base: 1, open: 480, close: 1020 },
    ];
    // Job 0 sits on therapist 0's doorstep but only therapist 1 may do it; job 1 the other way round.
    let jobs = vec![visit_job(2, vec![1]), visit_job(3, vec![0])];
    let day = Day::new(vehicles, jobs, 4, line_travel(&[0, 10, 1, 9], 3)).unwrap();
    let plan = DayRuinAndRecreate::new(3).plan(&day, None, &mut Iterations(200)).unwrap();
    assert_eq!(check(&day, &plan), Ok(()));
    assert_eq!(plan.locate(0).map(|(v, _)| v), Some(1));
    assert_eq!(plan.locate(1).map(|(v, _)| v), Some(0));
    assert_eq!(plan.travel(&day), 4 * 27);
}

#[test]
fn a_locked_visit_stays_even_when_moving_it_would_save_travel() {
    let vehicles = vec![
        Vehicle { therapist: 0, base: 0, open: 480, close: 1020 },
        Vehicle { therapist: 1, base: 1, open: 480, close: 1020 },
    ];
    let mut locked = visit_job(3, vec![0, 1]);
    locked.locked = Some((0, 600));
    let day = Day::new(vehicles, vec![locked, visit_job(2, vec![0, 1])], 4, line_travel(&[0, 10, 1, 9], 3)).unwrap();
    let plan = DayRuinAndRecreate::new(5).plan(&day, None, &mut Iterations(200)).unwrap();
    assert_eq!(plan.locate(0), Some((0, Visit { job: 0, block_start: 600 })));
    assert_eq!(check(&day, &plan), Ok(()));
}

#[test]
fn a_visit_that_fits_no_window_is_reported() {
    let vehicles = vec![Vehicle { therapist: 0, base: 0, open: 480, close: 600 }];
    let mut long = visit_job(1, vec![0]);
    long.length = 200;
    let day = Day::new(vehicles, vec![visit_job(1, vec![0]), long], 2, line_travel(&[0, 1], 1)).unwrap();
    let result = DayRuinAndRecreate::new(1).plan(&day, None, &mut Iterations(50));
    assert_eq!(result, Err(DayPlanError::Unservable(vec![1])));
}

#[test]
fn a_broken_plan_of_today_is_not_started_from() {
    let vehicles = vec![
        Vehicle { therapist: 0, base: 0, open: 480, close: 1020 },
        Vehicle { therapist: 1, base: 1, open: 480, close: 1020 },
    ];
    let jobs = vec![visit_job(2, vec![0, 1]), visit_job(3, vec![0, 1])];
    let day = Day::new(vehicles, jobs, 4, line_travel(&[0, 10, 1, 9], 3)).unwrap();
    // Job 1 is left out: the planner plans from nothing instead.
    let broken = DayPlan { routes: vec![vec![Visit { job: 0, block_start: 485 }], vec![]] };
    let plan = DayRuinAndRecreate::new(2).plan(&day, Some(&broken), &mut Iterations(100)).unwrap();
    assert_eq!(check(&day, &plan), Ok(()));
    assert_eq!(plan.travel(&day), 12);
}

#[test]
fn a_detour_quicker_than_the_direct_drive_is_kept() {
    // From the base, job 1's place is 500 minutes away directly but 2 through job 0's place: taking job 0 out of the
    // tour would strand job 1 (fixed at 8:40), so the search must never keep such a ruin.
    let vehicles = vec![Vehicle { therapist: 0, base: 0, open: 480, close: 600 }];
    let travel = vec![0, 1, 500, 1, 0, 1, 1, 1, 0];
    let mut detour = visit_job(1, vec![0]);
    (detour.length, detour.latest, detour.step) = (10, 600, 1);
    let mut fixed = visit_job(2, vec![0]);
    (fixed.length, fixed.earliest, fixed.latest) = (30, 520, 520);
    let day = Day::new(vehicles, vec![detour, fixed], 3, travel).unwrap();
    let current =
        DayPlan { routes: vec![vec![Visit { job: 0, block_start: 481 }, Visit { job: 1, block_start: 520 }]] };
    assert_eq!(check(&day, &current), Ok(()));
    for seed in 0..5 {
        let plan = DayRuinAndRecreate::new(seed).plan(&day, Some(&current), &mut Iterations(100)).unwrap();
        assert_eq!(plan, current);
        let from_nothing = DayRuinAndRecreate::new(seed).plan(&day, None, &mut Iterations(100)).unwrap();
        assert_eq!(check(&day, &from_nothing), Ok(()));
    }
}

#[test]
fn an_empty_day_plans_empty_tours() {
    let vehicles = vec![Vehicle { therapist: 0, base: 0, open: 480, close: 600 }];
    let day = Day::new(vehicles, vec![], 1, vec![5]).unwrap();
    let plan = DayRuinAndRecreate::new(1).plan(&day, None, &mut Iterations(10)).unwrap();
    assert_eq!(plan, DayPlan { routes: vec![vec![]] });
    assert_eq!((plan.travel(&day), plan.finish_spread(&day)), (0, 0));
}

/// A small day with a valid plan, for the check's tests: therapist 0 works two windows (vehicles 0 and 2),
/// therapist 1 one (vehicle 1); job 1 is locked; jobs 2 and 3 are a couple.
fn checked_day() -> (Day, DayPlan) {
    let vehicles = vec![
        Vehicle { therapist: 0, base: 0, open: 480, close: 720 },
        Vehicle { therapist: 1, base: 1, open: 480, close: 720 },
        Vehicle { therapist: 0, base: 0, open: 780, close: 1020 },
    ];
    let all = vec![0, 1, 2];
    let mut single = visit_job(2, all.clone());
    single.latest = 900;
    let mut locked = visit_job(3, vec![0]);
    (locked.earliest, locked.latest, locked.step, locked.locked) = (600, 600, 1, Some((0, 600)));
    let mut first = visit_job(4, all.clone());
    (first.latest, first.partner) = (900, Some(3));
    let mut second = visit_job(4, all);
    (second.latest, second.partner) = (900, Some(2));
    let day = Day::new(vehicles, vec![single, locked, first, second], 5, line_travel(&[0, 20, 2, 4, 18], 1)).unwrap();
    let plan = DayPlan {
        routes: vec![
            vec![Visit { job: 3, block_start: 500 }, Visit { job: 1, block_start: 600 }],
            vec![Visit { job: 2, block_start: 500 }],
            vec![Visit { job: 0, block_start: 785 }],
        ],
    };
    assert_eq!(check(&day, &plan), Ok(()));
    (day, plan)
}

fn fault(change: impl FnOnce(&mut DayPlan)) -> DayInfeasibility {
    let (day, mut plan) = checked_day();
    change(&mut plan);
    check(&day, &plan).unwrap_err()
}

#[test]
fn check_rejects_a_plan_without_one_route_per_vehicle() {
    assert_eq!(
        fault(|p| {
            p.routes.pop();
        }),
        DayInfeasibility::WrongRouteCount { routes: 2, vehicles: 3 }
    );
}

#[test]
fn check_rejects_an_unknown_job() {
    assert_eq!(
        fault(|p| p.routes[1].push(Visit { job: 9, block_start: 600 })),
        DayInfeasibility::UnknownJob { vehicle: 1, job: 9 }
    );
}

#[test]
fn check_rejects_a_job_visited_twice() {
    assert_eq!(fault(|p| p.routes[1].push(Visit { job: 0, block_start: 600 })), DayInfeasibility::Repeated { job: 0 });
}

#[test]
fn check_rejects_a_job_left_out() {
    assert_eq!(fault(|p| p.routes[2].clear()), DayInfeasibility::Missing { job: 0 });
}

#[test]
fn check_rejects_a_vehicle_the_job_does_not_allow() {
    let moved = |p: &mut DayPlan| {
        let locked = p.routes[0].pop().unwrap();
        p.routes[1].push(locked);
    };
    assert_eq!(fault(moved), DayInfeasibility::NotAllowed { job: 1, vehicle: 1 });
}

#[test]
fn check_rejects_a_locked_job_moved() {
    assert_eq!(
        fault(|p| p.routes[0][1].block_start = 605),
        DayInfeasibility::LockedMoved { job: 1, vehicle: 0, block_start: 600 }
    );
}

#[test]
fn check_rejects_a_start_outside_the_window() {
    assert_eq!(
        fault(|p| p.routes[2][0].block_start = 905),
        DayInfeasibility::OutsideWindow { job: 0, block_start: 905 }
    );
}

#[test]
fn check_rejects_a_start_off_the_step() {
    assert_eq!(fault(|p| p.routes[2][0].block_start = 786), DayInfeasibility::OffStep { job: 0, block_start: 786 });
}

#[test]
fn check_rejects_a_couple_apart() {
    assert_eq!(fault(|p| p.routes[1][0].block_start = 505), DayInfeasibility::PartnerApart { job: 2, partner: 3 });
}

#[test]
fn check_rejects_a_couple_done_by_one_therapist() {
    let one_therapist = |p: &mut DayPlan| {
        let half = p.routes[1].pop().unwrap();
        p.routes[2].insert(0, half);
    };
    assert_eq!(fault(one_therapist), DayInfeasibility::PartnerSameTherapist { job: 2, partner: 3, therapist: 0 });
}

#[test]
fn check_rejects_a_first_visit_before_the_drive_from_base() {
    // Vehicle 2 opens at 780 and needs two minutes to job 0's place.
    assert_eq!(fault(|p| p.routes[2][0].block_start = 780), DayInfeasibility::TooSoonAfterBase { job: 0, vehicle: 2 });
}

#[test]
fn check_rejects_a_visit_before_the_drive_from_the_previous_one() {
    // After job 2 (ends 560, 16 minutes away) job 0 can start at 576 at the earliest.
    let squeezed = |p: &mut DayPlan| {
        p.routes[2].clear();
        p.routes[1].push(Visit { job: 0, block_start: 570 });
    };
    assert_eq!(fault(squeezed), DayInfeasibility::TooSoonAfterPrevious { job: 0, previous: 2, vehicle: 1 });
}

#[test]
fn check_rejects_a_last_visit_ending_after_the_close() {
    let late = |p: &mut DayPlan| {
        p.routes[2].clear();
        p.routes[1].push(Visit { job: 0, block_start: 700 });
    };
    assert_eq!(fault(late), DayInfeasibility::PastClose { job: 0, vehicle: 1 });
}

#[test]
fn day_new_rejects_bad_input() {
    let vehicle = Vehicle { therapist: 0, base: 0, open: 480, close: 1020 };
    let job = visit_job(1, vec![0]);
    let travel = line_travel(&[0, 1], 1);
    let try_day = |vehicles: Vec<Vehicle>, jobs: Vec<Job>, places: usize, travel: Vec<i64>| {
        Day::new(vehicles, jobs, places, travel).unwrap_err()
    };
    let with_job = |change: &dyn Fn(&mut Job)| {
        let mut bad = job.clone();
        change(&mut bad);
        try_day(vec![vehicle, Vehicle { therapist: 1, ..vehicle }], vec![bad], 2, travel.clone())
    };
    assert!(Day::new(vec![vehicle], vec![job.clone()], 2, travel.clone()).is_ok());

    assert_eq!(try_day(vec![vehicle], vec![], 2, vec![0; 3]), DayError::TravelSize { places: 2, expected: 4, got: 3 });
    assert_eq!(try_day(vec![vehicle], vec![], 2, vec![0, 1, -1, 0]), DayError::BadTravel { from: 1, to: 0 });
    assert_eq!(
        try_day(vec![Vehicle { base: 2, ..vehicle }], vec![], 2, travel.clone()),
        DayError::UnknownBase { vehicle: 0, base: 2 }
    );
    assert_eq!(
        try_day(vec![Vehicle { open: 1100, ..vehicle }], vec![], 2, travel.clone()),
        DayError::BadWindow { vehicle: 0 }
    );
    assert_eq!(
        try_day(vec![vehicle, Vehicle { open: 1000, close: 1200, ..vehicle }], vec![], 2, travel.clone()),
        DayError::OverlappingWindows { first: 0, second: 1 }
    );
    assert_eq!(with_job(&|j| j.place = 5), DayError::UnknownPlace { job: 0, place: 5 });
    assert_eq!(with_job(&|j| j.length = 0), DayError::BadLength { job: 0 });
    assert_eq!(with_job(&|j| j.step = 0), DayError::BadLength { job: 0 });
    assert_eq!(with_job(&|j| j.latest = 400), DayError::BadStarts { job: 0 });
    assert_eq!(with_job(&|j| j.earliest = i64::MIN), DayError::BadStarts { job: 0 });
    assert_eq!(with_job(&|j| j.allowed.clear()), DayError::NoVehicle { job: 0 });
    assert_eq!(with_job(&|j| j.allowed = vec![0, 7]), DayError::UnknownVehicle { job: 0, vehicle: 7 });
    assert_eq!(with_job(&|j| j.locked = Some((1, 480))), DayError::LockedVehicle { job: 0, vehicle: 1 });
    assert_eq!(with_job(&|j| j.locked = Some((0, 482))), DayError::LockedStart { job: 0, block_start: 482 });
    assert_eq!(with_job(&|j| j.partner = Some(0)), DayError::BadPartner { job: 0, partner: 0 });
    assert_eq!(with_job(&|j| j.partner = Some(3)), DayError::BadPartner { job: 0, partner: 3 });

    let two = vec![vehicle, Vehicle { therapist: 1, ..vehicle }];
    let mut half = visit_job(1, vec![0, 1]);
    half.partner = Some(1);
    let mut other = visit_job(1, vec![0, 1]);
    other.partner = Some(2);
    let unrequited = try_day(two.clone(), vec![half.clone(), other.clone(), visit_job(1, vec![0])], 2, travel.clone());
    assert_eq!(unrequited, DayError::BadPartner { job: 0, partner: 1 });
    other.partner = Some(0);
    half.locked = Some((0, 480));
    other.locked = Some((1, 485));
    assert_eq!(try_day(two, vec![half, other], 2, travel), DayError::LockedCouple { job: 0, partner: 1 });
}

#[test]
fn day_new_sorts_allowed_vehicles_and_drops_repeats() {
    let vehicles = vec![
        Vehicle { therapist: 0, base: 0, open: 480, close: 1020 },
        Vehicle { therapist: 1, base: 0, open: 480, close: 1020 },
    ];
    let day = Day::new(vehicles, vec![visit_job(1, vec![1, 0, 1])], 2, line_travel(&[0, 1], 1)).unwrap();
    assert_eq!(day.jobs()[0].allowed, vec![0, 1]);
}
