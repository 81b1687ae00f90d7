//! Minute arithmetic for the search: a job's grid of allowed starts, the grid two halves of a couple share, and one
//! tour's timing caches.
//!
//! A tour is timed forward with every visit as early as it can start (`start`), and backward with the latest start
//! each visit can take and still let the rest of the tour keep its own constraints (`latest`). Starting earlier never
//! hurts the visits after it (they may wait), so a visit's feasible starts are exactly the grid points between its
//! earliest start and `latest`; putting a job between two visits then needs only the neighbours' two numbers.

use super::{Day, Job};

/// The first allowed start of `job` at or after `from`: on its grid `earliest + k * step`, by `latest`.
pub(super) fn first_on_grid(job: &Job, from: i64) -> Option<i64> {
    let start = if from <= job.earliest {
        job.earliest
    } else {
        // Both terms are far below i64::MAX (Day::new bounds every minute), so the rounding-up sum cannot overflow.
        let steps = (from - job.earliest + job.step - 1) / job.step;
        job.earliest + steps * job.step
    };
    (start <= job.latest).then_some(start)
}

/// The last allowed start of `job` at or before `until`.
pub(super) fn last_on_grid(job: &Job, until: i64) -> Option<i64> {
    let until = until.min(job.latest);
    (until >= job.earliest).then(|| job.earliest + (until - job.earliest) / job.step * job.step)
}

/// Whether `start` is one of `job`'s allowed starts.
pub(super) fn on_grid(job: &Job, start: i64) -> bool {
    (job.earliest..=job.latest).contains(&start) && (start - job.earliest) % job.step == 0
}

/// The earliest start of a job (pinned to `pin` or on its grid) for a therapist who can be there at `ready`.
pub(super) fn earliest_start(job: &Job, pin: Option<i64>, ready: i64) -> Option<i64> {
    match pin {
        Some(minute) => (ready <= minute).then_some(minute),
        None => first_on_grid(job, ready),
    }
}

/// The latest start of a job (pinned or on its grid) that is at most `bound`.
pub(super) fn latest_start(job: &Job, pin: Option<i64>, bound: i64) -> Option<i64> {
    match pin {
        Some(minute) => (minute <= bound).then_some(minute),
        None => last_on_grid(job, bound),
    }
}

/// The starts two halves of a couple share: `residue + k * modulus` within `[low, high]` (the Chinese remainder of
/// both grids, intersected with both windows). Kept in `i128`, where a product of two steps cannot overflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct CommonGrid {
    residue: i128,
    modulus: i128,
    low: i64,
    high: i64,
}

/// `(g, x)` with `a * x ≡ g (mod b)`, `g = gcd(a, b)`, for positive `a` and `b`.
fn gcd_and_inverse(a: i128, b: i128) -> (i128, i128) {
    let (mut old_r, mut r) = (a, b);
    let (mut old_x, mut x) = (1i128, 0i128);
    while r != 0 {
        let q = old_r / r;
        (old_r, r) = (r, old_r - q * r);
        (old_x, x) = (x, old_x - q * x);
    }
    (old_r, old_x)
}

impl CommonGrid {
    /// The starts both jobs allow, or `None` when they share none.
    pub(super) fn new(a: &Job, b: &Job) -> Option<CommonGrid> {
        let (low, high) = (a.earliest.max(b.earliest), a.latest.min(b.latest));
        if low > high {
            return None;
        }
        let (m1, m2) = (i128::from(a.step), i128::from(b.step));
        let (a1, a2) = (i128::from(a.earliest), i128::from(b.earliest));
        let (g, x) = gcd_and_inverse(m1, m2);
        let difference = a2 - a1;
        if difference % g != 0 {
            return None;
        }
        let m2g = m2 / g;
        // m1 * x ≡ g (mod m2), so a1 + m1 * x * difference / g ≡ a2 (mod m2); reduce the factor mod m2 / g.
        let k = ((difference / g) % m2g * (x % m2g)).rem_euclid(m2g);
        let modulus = m1 * m2g;
        let residue = (a1 + m1 * k).rem_euclid(modulus);
        Some(CommonGrid { residue, modulus, low, high })
    }

    /// The first shared start at or after `from`.
    pub(super) fn first_from(&self, from: i64) -> Option<i64> {
        let from = i128::from(from.max(self.low));
        let start = from + (self.residue - from).rem_euclid(self.modulus);
        // `start` is at most `high` here, so it fits an i64.
        (start <= i128::from(self.high)).then_some(start as i64)
    }
}

/// The range of starts a job may take at one place of a tour, and the travel it adds there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Slot {
    /// When the therapist can be at the job's place (not yet rounded to its grid).
    pub ready: i64,
    /// The latest start that still lets the visits after it, and the window's close, hold.
    pub until: i64,
    /// Travel added: to the job and on to the next place, less the drive it replaces.
    pub added_travel: i64,
}

/// One tour: its jobs in order and its timing caches.
#[derive(Debug, Clone, Default)]
pub(super) struct Route {
    pub jobs: Vec<usize>,
    /// Each visit's earliest start.
    pub start: Vec<i64>,
    /// Each visit's latest start that keeps the rest of the tour feasible.
    pub latest: Vec<i64>,
    /// Minutes driven, the drive home included (0 for an empty tour).
    pub travel: i64,
}

impl Route {
    /// Times the tour again after its jobs changed; false (caches unusable) when the order cannot be kept, which only
    /// happens while locked jobs are being placed. `pin` holds each job's fixed start, if any.
    pub(super) fn refresh(&mut self, day: &Day, vehicle: usize, pin: &[Option<i64>]) -> bool {
        let window = day.vehicles()[vehicle];
        let jobs = day.jobs();
        self.start.clear();
        self.travel = 0;
        let (mut free_at, mut at) = (window.open, window.base);
        for &j in &self.jobs {
            let job = &jobs[j];
            let drive = day.travel(at, job.place);
            self.travel += drive;
            let Some(start) = earliest_start(job, pin[j], free_at + drive) else {
                return false;
            };
            self.start.push(start);
            free_at = start + job.length;
            at = job.place;
        }
        if self.jobs.is_empty() {
            self.latest.clear();
            return true;
        }
        self.travel += day.travel(at, window.base);
        if free_at > window.close {
            return false;
        }
        self.latest.clear();
        self.latest.resize(self.jobs.len(), 0);
        let mut next: Option<(usize, i64)> = None;
        for k in (0..self.jobs.len()).rev() {
            let job = &jobs[self.jobs[k]];
            let bound = match next {
                None => window.close - job.length,
                Some((place, latest)) => latest - day.travel(job.place, place) - job.length,
            };
            let Some(latest) = latest_start(job, pin[self.jobs[k]], bound) else {
                return false;
            };
            self.latest[k] = latest;
            next = Some((job.place, latest));
        }
        true
    }

    /// The block end of the tour's last visit, or `None` for an empty tour.
    pub(super) fn finish(&self, day: &Day) -> Option<i64> {
        let (&last, &start) = (self.jobs.last()?, self.start.last()?);
        Some(start + day.jobs()[last].length)
    }

    /// Where the therapist is free to leave from before position `position` (0 = the base at the opening).
    fn leave(&self, day: &Day, vehicle: usize, position: usize) -> (i64, usize) {
        let window = day.vehicles()[vehicle];
        match position.checked_sub(1) {
            None => (window.open, window.base),
            Some(previous) => {
                let job = &day.jobs()[self.jobs[previous]];
                (self.start[previous] + job.length, job.place)
            }
        }
    }

    /// Whether no job that must start by `latest` fits at `position` or after it (the tour is already busy then).
    pub(super) fn too_late_from(&self, day: &Day, vehicle: usize, position: usize, latest: i64) -> bool {
        self.leave(day, vehicle, position).0 > latest
    }

    /// The starts job `j` may take if put before the visit now at `position` (or last, at `jobs.len()`), and the
    /// travel it adds; `None` when no start is left.
    pub(super) fn slot(&self, day: &Day, vehicle: usize, position: usize, j: usize) -> Option<Slot> {
        let window = day.vehicles()[vehicle];
        let job = &day.jobs()[j];
        let (free_at, from) = self.leave(day, vehicle, position);
        let to_job = day.travel(from, job.place);
        let ready = free_at + to_job;
        let (until, to_next, replaced) = match self.jobs.get(position) {
            None => {
                let home = day.travel(job.place, window.base);
                let replaced = if self.jobs.is_empty() { 0 } else { day.travel(from, window.base) };
                (window.close - job.length, home, replaced)
            }
            Some(&next) => {
                let next_place = day.jobs()[next].place;
                let drive = day.travel(job.place, next_place);
                (self.latest[position] - drive - job.length, drive, day.travel(from, next_place))
            }
        };
        (ready <= until).then_some(Slot { ready, until, added_travel: to_job + to_next - replaced })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::day::Vehicle;

    fn job(earliest: i64, latest: i64, step: i64) -> Job {
        Job { place: 0, length: 10, earliest, latest, step, allowed: vec![0], locked: None, partner: None }
    }

    #[test]
    fn grid_points_round_the_right_way() {
        let j = job(100, 137, 5);
        assert_eq!(first_on_grid(&j, 0), Some(100));
        assert_eq!(first_on_grid(&j, 101), Some(105));
        assert_eq!(first_on_grid(&j, 135), Some(135));
        assert_eq!(first_on_grid(&j, 136), None);
        assert_eq!(last_on_grid(&j, 1000), Some(135));
        assert_eq!(last_on_grid(&j, 104), Some(100));
        assert_eq!(last_on_grid(&j, 99), None);
        assert!(on_grid(&j, 130) && !on_grid(&j, 131) && !on_grid(&j, 140));
    }

    #[test]
    fn a_common_grid_is_every_start_both_allow() {
        for (a, b) in
            [(job(600, 700, 5), job(610, 720, 15)), (job(3, 400, 4), job(0, 300, 6)), (job(0, 90, 7), job(2, 90, 7))]
        {
            let grid = CommonGrid::new(&a, &b);
            let brute: Vec<i64> = (-10..800).filter(|&t| on_grid(&a, t) && on_grid(&b, t)).collect();
            match grid {
                None => assert!(brute.is_empty()),
                Some(grid) => {
                    for from in -10..800 {
                        assert_eq!(grid.first_from(from), brute.iter().copied().find(|&t| t >= from), "{from}");
                    }
                }
            }
        }
    }

    #[test]
    fn slots_match_a_walk_of_the_tour() {
        // Places on a line, one minute apart per unit; the base at 0.
        let places = 5;
        let travel = (0..places * places).map(|i| ((i / places) as i64 - (i % places) as i64).abs()).collect();
        let visit = |place, earliest, latest| Job {
            place,
            length: 30,
            earliest,
            latest,
            step: 1,
            allowed: vec![0],
            locked: None,
            partner: None,
        };
        let jobs = vec![visit(2, 0, 1000), visit(4, 100, 100), visit(1, 0, 1000)];
        let vehicle = Vehicle { therapist: 0, base: 0, open: 0, close: 200 };
        let day = Day::new(vec![vehicle], jobs, places, travel).unwrap();
        let pin = vec![None; 3];
        let mut route = Route { jobs: vec![0, 1], ..Route::default() };
        assert!(route.refresh(&day, 0, &pin));
        assert_eq!(route.start, vec![2, 100]);
        assert_eq!(route.latest, vec![68, 100]);
        assert_eq!(route.travel, 2 + 2 + 4);
        // Job 2 first: ready at 1, and must start by 68 - 1 - 30 = 37 to leave job 0 its start.
        assert_eq!(route.slot(&day, 0, 0, 2), Some(Slot { ready: 1, until: 37, added_travel: 1 + 1 - 2 }));
        // Between 0 and 1: ready at 33, must start by 100 - 3 - 30 = 67.
        assert_eq!(route.slot(&day, 0, 1, 2), Some(Slot { ready: 33, until: 67, added_travel: 1 + 3 - 2 }));
        // Last: ready at 133, ends by 200.
        assert_eq!(route.slot(&day, 0, 2, 2), Some(Slot { ready: 133, until: 170, added_travel: 3 + 1 - 4 }));
        assert_eq!(route.finish(&day), Some(130));
    }
}
