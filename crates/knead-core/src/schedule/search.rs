//! Availability search: every start on the practice's grid at which enough therapists can fit a visit,
//! with the therapists who add the least travel.
//!
//! Work is proportional to the free time of the route-days that cover the place, not to the grid:
//! each gap yields its interval of feasible starts from two travel look-ups, and only the grid points
//! inside that interval are visited, each updating a small best-k list.

use super::route::RouteDay;
use super::Minute;
use crate::catalog::TherapistId;
use crate::geo::{GeoPoint, TravelTimes};
use crate::validation::{FieldError, ValidationErrors};

/// Minutes between grid starts unless the practice sets another step.
pub const DEFAULT_STEP: i64 = 15;

/// One local calendar day. `origin` is the absolute minute of its local midnight and `end` the next
/// midnight, so a daylight-saving day is simply 23 or 25 hours long. Grid starts are `origin + k * step`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day {
    pub origin: Minute,
    pub end: Minute,
}

/// The longest calendar day allowed: 25 hours on a fall-back day, with room for zones whose shifts are odd.
pub const MAX_DAY_MINUTES: i64 = 26 * 60;

impl Day {
    /// A day that ends after it starts and is not longer than [`MAX_DAY_MINUTES`],
    /// which also keeps a request's grid, and so the search's memory, bounded by its number of days.
    fn is_plausible(&self) -> bool {
        self.end > self.origin && self.end - self.origin <= MAX_DAY_MINUTES
    }
}

/// A clinic's rooms: a start counts only if fewer than `rooms` of the `busy` intervals (half-open,
/// any order) overlap the visit's blocked range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomCalendar {
    pub rooms: usize,
    pub busy: Vec<(Minute, Minute)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchRequest {
    /// Where the visit happens: the client's address or a clinic.
    pub place: GeoPoint,
    /// Minutes of treatment, add-ons included.
    pub duration: i64,
    /// Set-up minutes before and pack-up minutes after the visit.
    pub buffer: i64,
    /// 1, or 2 for a couples visit.
    pub therapists_needed: usize,
    /// Minutes between grid starts, [`DEFAULT_STEP`] by default.
    pub step: i64,
    /// The earliest start offered: now plus the practice's lead time.
    pub not_before: Minute,
    pub days: Vec<Day>,
    /// For a clinic visit; `None` for a visit at the client's place.
    pub rooms: Option<RoomCalendar>,
}

impl SearchRequest {
    /// Checks the request's shape; [`search`] answers a malformed request with no slots.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        errors.range("duration", self.duration, 1, 24 * 60, " minutes");
        errors.range("buffer", self.buffer, 0, 4 * 60, " minutes");
        errors.range("step", self.step, 1, 24 * 60, " minutes");
        errors.range("therapists_needed", i64::try_from(self.therapists_needed).unwrap_or(i64::MAX), 1, 16, "");
        for (i, day) in self.days.iter().enumerate() {
            if !day.is_plausible() {
                errors.push(FieldError::new(
                    "invalid",
                    format!("days[{i}]"),
                    format!("must end after it starts and last at most {MAX_DAY_MINUTES} minutes"),
                ));
            }
        }
        errors.check()
    }

    fn is_searchable(&self) -> bool {
        self.duration >= 1
            && self.buffer >= 0
            && self.step >= 1
            && self.therapists_needed >= 1
            && self.days.iter().all(Day::is_plausible)
    }
}

/// One therapist's part in a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pick {
    pub therapist: TherapistId,
    pub travel_before: u32,
    pub travel_after: u32,
    pub added_travel: i64,
}

/// A start the client can book. `[start, end)` is the treatment itself, without buffers.
/// `picks` holds `therapists_needed` distinct therapists, least added travel first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub start: Minute,
    pub end: Minute,
    pub picks: Vec<Pick>,
}

/// Every grid start, in order, at which `req.therapists_needed` distinct therapists among
/// `route_days` can take the visit. To search one therapist, pass only their route-days.
///
/// Travel is priced only for gaps long enough to hold the visit with its buffers even before any
/// driving (a full day costs no lookups), and from the place back to base once per day that has such a
/// gap. `route_days` may be any iterator of references, so callers can search a cached subset.
pub fn search<'a>(
    req: &SearchRequest,
    route_days: impl IntoIterator<Item = &'a RouteDay>,
    travel: &dyn TravelTimes,
) -> Vec<Slot> {
    if !req.is_searchable() {
        return Vec::new();
    }
    let grid = Grid::new(&req.days, req.step);
    if grid.slot_count == 0 {
        return Vec::new();
    }
    // A visit must end, with its pack-up, inside a window and after the earliest start.
    let earliest_end = req.not_before.max(grid.first_origin) + req.duration + req.buffer;
    let candidates = route_days.into_iter().filter(|day| {
        day.windows().last().is_some_and(|&(_, end)| end >= earliest_end)
            && day.windows()[0].0 < grid.last_end
            && !day.gaps().is_empty()
            && day.covers(req.place)
    });

    // The blocked range (visit plus buffers) a gap must hold before any driving is counted.
    let block = req.duration + 2 * req.buffer;
    let latest_end = grid.last_end + req.duration + req.buffer;
    let mut best = BestK::new(grid.slot_count, req.therapists_needed);
    for day in candidates {
        let places = day.places();
        let mut travel_to_base: Option<u32> = None;
        for gap in day.gaps() {
            let limit = gap.next.map_or(gap.window_end, |next| next.start);
            if limit - gap.leave_at < block || limit < earliest_end || gap.leave_at > latest_end {
                continue;
            }
            let travel_before = travel.minutes(places[gap.prev], req.place);
            let travel_to_next = gap.next.map_or(0, |next| travel.minutes(req.place, places[next.place]));
            let (first, last) = gap.starts(travel_before, travel_to_next, req.duration, req.buffer);
            let first = first.max(req.not_before);
            if first > last {
                continue;
            }
            let to_base = *travel_to_base.get_or_insert_with(|| travel.minutes(req.place, places[0]));
            let (travel_after, added_travel) = gap.travel_report(travel_before, travel_to_next, to_base);
            let candidate = Candidate { added_travel, therapist: day.therapist(), travel_before, travel_after };
            grid.for_each_slot_in(first, last, |slot| best.offer(slot, candidate));
        }
    }

    let rooms = req.rooms.as_ref().map(RoomCounter::new);
    let mut slots = Vec::new();
    for (slot, start) in grid.starts() {
        let picks = best.full(slot);
        if picks.is_empty() {
            continue;
        }
        if let Some(rooms) = &rooms {
            if !rooms.has_free_room(start - req.buffer, start + req.duration + req.buffer) {
                continue;
            }
        }
        slots.push(Slot {
            start,
            end: start + req.duration,
            picks: picks
                .iter()
                .map(|c| Pick {
                    therapist: c.therapist,
                    travel_before: c.travel_before,
                    travel_after: c.travel_after,
                    added_travel: c.added_travel,
                })
                .collect(),
        });
    }
    slots
}

/// The grid starts of all requested days, numbered consecutively in time order.
struct Grid {
    /// Sorted by origin, each clipped to end where the next begins so no start is counted twice.
    days: Vec<GridDay>,
    step: i64,
    slot_count: usize,
    first_origin: Minute,
    last_end: Minute,
}

struct GridDay {
    origin: Minute,
    end: Minute,
    first_slot: usize,
}

impl Grid {
    fn new(days: &[Day], step: i64) -> Grid {
        let mut sorted: Vec<Day> = days.iter().copied().filter(|d| d.end > d.origin).collect();
        sorted.sort_by_key(|d| d.origin);
        let mut grid_days = Vec::with_capacity(sorted.len());
        let mut slot_count = 0;
        for (i, day) in sorted.iter().enumerate() {
            let end = sorted.get(i + 1).map_or(day.end, |next| day.end.min(next.origin));
            if end <= day.origin {
                continue;
            }
            grid_days.push(GridDay { origin: day.origin, end, first_slot: slot_count });
            slot_count += ((end - day.origin + step - 1) / step) as usize;
        }
        let first_origin = grid_days.first().map_or(0, |d| d.origin);
        let last_end = grid_days.last().map_or(0, |d| d.end);
        Grid { days: grid_days, step, slot_count, first_origin, last_end }
    }

    /// Calls `visit` with the number of every grid start in `first..=last`.
    #[inline]
    fn for_each_slot_in(&self, first: Minute, last: Minute, mut visit: impl FnMut(usize)) {
        let from_day = self.days.partition_point(|d| d.end <= first);
        for day in self.days[from_day..].iter().take_while(|d| d.origin <= last) {
            let lo = first.max(day.origin) - day.origin;
            let hi = last.min(day.end - 1) - day.origin;
            if lo > hi {
                continue;
            }
            let k_from = (lo + self.step - 1) / self.step;
            let k_to = hi / self.step;
            for k in k_from..=k_to {
                visit(day.first_slot + k as usize);
            }
        }
    }

    /// Every (slot number, start minute), in time order.
    fn starts(&self) -> impl Iterator<Item = (usize, Minute)> + '_ {
        self.days.iter().flat_map(move |day| {
            let count = ((day.end - day.origin + self.step - 1) / self.step) as usize;
            (0..count).map(move |k| (day.first_slot + k, day.origin + k as i64 * self.step))
        })
    }
}

#[derive(Debug, Clone, Copy)]
struct Candidate {
    added_travel: i64,
    therapist: TherapistId,
    travel_before: u32,
    travel_after: u32,
}

impl Candidate {
    /// Least added travel first; ties go to the lower therapist id, so results are deterministic.
    fn rank(&self) -> (i64, TherapistId) {
        (self.added_travel, self.therapist)
    }
}

/// For each grid start, the best `k` candidates with distinct therapists, kept sorted.
struct BestK {
    k: usize,
    lens: Vec<usize>,
    entries: Vec<Candidate>,
}

impl BestK {
    fn new(slots: usize, k: usize) -> BestK {
        let empty = Candidate { added_travel: 0, therapist: TherapistId(0), travel_before: 0, travel_after: 0 };
        BestK { k, lens: vec![0; slots], entries: vec![empty; slots * k] }
    }

    #[inline]
    fn offer(&mut self, slot: usize, candidate: Candidate) {
        let k = self.k;
        let list = &mut self.entries[slot * k..(slot + 1) * k];
        let len = &mut self.lens[slot];
        // One therapist may reach one start through two route-days (two entries for one day);
        // they still count once, with their better option.
        if let Some(at) = list[..*len].iter().position(|c| c.therapist == candidate.therapist) {
            if list[at].rank() <= candidate.rank() {
                return;
            }
            list.copy_within(at + 1..*len, at);
            *len -= 1;
        }
        let at = list[..*len].partition_point(|c| c.rank() < candidate.rank());
        if at == k {
            return;
        }
        let new_len = (*len + 1).min(k);
        list.copy_within(at..new_len - 1, at + 1);
        list[at] = candidate;
        *len = new_len;
    }

    /// The slot's candidates if there are `k` of them, else an empty slice.
    fn full(&self, slot: usize) -> &[Candidate] {
        if self.lens[slot] == self.k {
            &self.entries[slot * self.k..(slot + 1) * self.k]
        } else {
            &[]
        }
    }
}

/// Counts busy room intervals overlapping a range in O(log n).
struct RoomCounter {
    rooms: usize,
    starts: Vec<Minute>,
    ends: Vec<Minute>,
}

impl RoomCounter {
    fn new(calendar: &RoomCalendar) -> RoomCounter {
        let busy = calendar.busy.iter().filter(|&&(start, end)| end > start);
        let mut starts: Vec<Minute> = busy.clone().map(|&(start, _)| start).collect();
        let mut ends: Vec<Minute> = busy.map(|&(_, end)| end).collect();
        starts.sort_unstable();
        ends.sort_unstable();
        RoomCounter { rooms: calendar.rooms, starts, ends }
    }

    fn has_free_room(&self, from: Minute, to: Minute) -> bool {
        // Overlapping = started before `to`, minus those already over by `from`
        // (an interval over by `from` necessarily started before `to`).
        let started = self.starts.partition_point(|&s| s < to);
        let finished = self.ends.partition_point(|&e| e <= from);
        started - finished < self.rooms
    }
}
