//! One therapist's working day as a route: working windows, the visits already booked, and the free
//! gaps between them, precomputed once so a candidate start is tested in O(1).
//!
//! # The model
//!
//! Each working window is a separate tour: the therapist leaves their base when the window opens,
//! drives to each booked visit in turn, and the last visit (with its pack-up buffer) must end by the
//! window's close. Driving home afterwards is not required within hours: it is reported as the
//! visit's `travel_after` and counted in `added_travel`, so ranking still prefers visits near home,
//! but a visit at 16:00-17:00 is bookable for a therapist who works until 17:00. A break between two
//! windows is the therapist's own; the next window starts from base again.
//!
//! Keeping windows independent is what makes "removing a booking never removes a slot" hold: a visit
//! influences only its neighbours in its own window. Visits that lie outside every window (a manager's
//! override) block nothing the engine offers; one that straddles a window's edge clips that window, and
//! the therapist leaves from it. (Removing such a visit can cost starts, since they then leave from
//! base; the engine itself never books across a window's edge.)

use super::Minute;
use crate::catalog::TherapistId;
use crate::geo::{haversine_km, local_km, GeoPoint, TravelTimes};

/// A booked visit: `[start, end)` is the time it blocks, set-up and pack-up buffers included
/// (travel is not part of it; the gaps account for travel).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stop {
    pub start: Minute,
    pub end: Minute,
    pub at: GeoPoint,
}

/// Travel for a visit that fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fit {
    /// From the previous visit, or from base when the visit is the window's first.
    pub travel_before: u32,
    /// To the next visit, or home to base when the visit is the window's last (not required within hours).
    pub travel_after: u32,
    /// How much longer the day's driving gets: `before + after - (what the day drove between the neighbours)`.
    /// Can be a minute below zero when travel times are not a metric (rounding, one-way streets).
    pub added_travel: i64,
}

/// Why a visit does not fit a therapist's day.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Unfit {
    #[error("the therapist has no working hours set")]
    NoSchedule,
    #[error("a visit must last at least a minute, with buffers of zero or more minutes")]
    InvalidVisit { duration: i64, buffer: i64 },
    #[error(
        "the place is {distance_km:.1} km from the therapist's base, beyond their {radius_km:.1} km service radius"
    )]
    OutsideRadius { distance_km: f64, radius_km: f64 },
    #[error("the visit with its set-up and pack-up time falls outside the therapist's working hours")]
    OutsideHours,
    #[error("the visit overlaps a booked visit (minutes {start}..{end})")]
    Overlaps { start: Minute, end: Minute },
    #[error("the visit needs {needed} minutes to drive from the previous place but leaves {available}")]
    NotEnoughTravelBefore { needed: u32, available: i64 },
    #[error("the visit needs {needed} minutes to drive to the next visit but leaves {available}")]
    NotEnoughTravelAfter { needed: u32, available: i64 },
}

/// The rule a new visit must still pass when the store writes it: given the visits a therapist has booked
/// (read fresh, under the store's lock), does the visit fit? The store supplies the data and the lock;
/// the rule is the core's ([`crate::booking::plan::VisitFits`] is the one booking uses).
pub trait DayRule: Send + Sync {
    fn check(&self, therapist: TherapistId, booked: &[Stop]) -> Result<(), Unfit>;
}

/// Index into [`RouteDay::places`]: 0 is the base, `i + 1` is `stops[i]`.
pub(super) type PlaceIndex = usize;

pub(super) const BASE: PlaceIndex = 0;

/// The next booked visit after a gap.
#[derive(Debug, Clone, Copy)]
pub(super) struct NextStop {
    pub start: Minute,
    pub place: PlaceIndex,
}

/// A free stretch of one window, between where the therapist is and what comes next.
#[derive(Debug, Clone, Copy)]
pub(super) struct Gap {
    /// When the therapist can set off from `prev`: the window's opening, or the end of the previous visit.
    pub leave_at: Minute,
    pub prev: PlaceIndex,
    /// The window's close: a new visit's blocked range must end by then.
    pub window_end: Minute,
    /// `None` when the gap runs to the window's close.
    pub next: Option<NextStop>,
    /// What the day drives now from `prev`: to `next`, or home to base. Independent of the new place.
    pub existing_travel: u32,
}

impl Gap {
    /// The inclusive range of starts `t` that fit, given the travel to and from the new place.
    /// `travel_to_next` is ignored when there is no next visit. Empty when `first > last`.
    #[inline]
    pub fn starts(&self, travel_before: u32, travel_to_next: u32, duration: i64, buffer: i64) -> (Minute, Minute) {
        let first = self.leave_at + i64::from(travel_before) + buffer;
        let must_end_by = match self.next {
            Some(next) => self.window_end.min(next.start - i64::from(travel_to_next)),
            None => self.window_end,
        };
        (first, must_end_by - duration - buffer)
    }

    /// `travel_after` and `added_travel` for a visit in this gap; `travel_to_base` is from the new place.
    #[inline]
    pub fn travel_report(&self, travel_before: u32, travel_to_next: u32, travel_to_base: u32) -> (u32, i64) {
        let after = if self.next.is_some() { travel_to_next } else { travel_to_base };
        let added = i64::from(travel_before) + i64::from(after) - i64::from(self.existing_travel);
        (after, added)
    }
}

/// A therapist's day: where they start, how far they go, when they work and what is booked.
/// Built once per therapist-day; the gaps are computed in [`RouteDay::new`].
#[derive(Debug, Clone)]
pub struct RouteDay {
    therapist: TherapistId,
    base: GeoPoint,
    radius_km: f64,
    windows: Vec<(Minute, Minute)>,
    stops: Vec<Stop>,
    /// The base, then each stop's place, so travel can be looked up by [`PlaceIndex`].
    places: Vec<GeoPoint>,
    /// Window by window, in time order.
    gaps: Vec<Gap>,
}

impl RouteDay {
    /// Windows are half-open `[start, end)`; they are sorted, and overlapping or touching ones merged.
    /// Stops are sorted by start; empty windows and stops are dropped. `travel` prices what the day
    /// already drives, for `added_travel`.
    pub fn new(
        therapist: TherapistId,
        base: GeoPoint,
        radius_km: f64,
        windows: Vec<(Minute, Minute)>,
        stops: Vec<Stop>,
        travel: &dyn TravelTimes,
    ) -> RouteDay {
        let windows = merge_windows(windows);
        let mut stops: Vec<Stop> = stops.into_iter().filter(|s| s.end > s.start).collect();
        stops.sort_by_key(|s| (s.start, s.end));
        let places: Vec<GeoPoint> = std::iter::once(base).chain(stops.iter().map(|s| s.at)).collect();
        let gaps = find_gaps(&windows, &stops, &places, travel);
        RouteDay { therapist, base, radius_km, windows, stops, places, gaps }
    }

    pub fn therapist(&self) -> TherapistId {
        self.therapist
    }

    pub fn base(&self) -> GeoPoint {
        self.base
    }

    pub fn radius_km(&self) -> f64 {
        self.radius_km
    }

    /// Sorted, disjoint working windows.
    pub fn windows(&self) -> &[(Minute, Minute)] {
        &self.windows
    }

    /// Booked visits sorted by start.
    pub fn stops(&self) -> &[Stop] {
        &self.stops
    }

    /// Whether `place` lies within the therapist's service radius of their base.
    pub fn covers(&self, place: GeoPoint) -> bool {
        within_radius(self.base, self.radius_km, place)
    }

    pub(super) fn places(&self) -> &[GeoPoint] {
        &self.places
    }

    pub(super) fn gaps(&self) -> &[Gap] {
        &self.gaps
    }

    /// Whether a visit of `duration` minutes starting at `t`, with `buffer` minutes before and after,
    /// fits this day at `place`: the rule [`crate::schedule::search()`] applies, for one start.
    /// Booking calls it again inside its transaction. It does not know the grid or "now".
    pub fn check(
        &self,
        t: Minute,
        duration: i64,
        buffer: i64,
        place: GeoPoint,
        travel: &dyn TravelTimes,
    ) -> Result<Fit, Unfit> {
        if duration < 1 || buffer < 0 {
            return Err(Unfit::InvalidVisit { duration, buffer });
        }
        if !self.covers(place) {
            return Err(Unfit::OutsideRadius {
                distance_km: haversine_km(self.base, place),
                radius_km: self.radius_km,
            });
        }
        let (blocked_from, blocked_to) = (t - buffer, t + duration + buffer);
        let Some(&(_, window_end)) =
            self.windows.iter().find(|&&(start, end)| start <= blocked_from && blocked_to <= end)
        else {
            return Err(Unfit::OutsideHours);
        };
        if let Some(stop) = self.stops.iter().find(|s| s.start < blocked_to && s.end > blocked_from) {
            return Err(Unfit::Overlaps { start: stop.start, end: stop.end });
        }
        // With no overlap, exactly one gap of the window holds the blocked range.
        let gap = self
            .gaps
            .iter()
            .find(|g| {
                g.window_end == window_end
                    && g.leave_at <= blocked_from
                    && g.next.is_none_or(|next| blocked_to <= next.start)
            })
            .expect("a visit inside a window that overlaps no stop lies in one of its gaps");

        let travel_before = travel.minutes(self.places[gap.prev], place);
        let travel_to_next = gap.next.map_or(0, |next| travel.minutes(place, self.places[next.place]));
        let (first, last) = gap.starts(travel_before, travel_to_next, duration, buffer);
        if t < first {
            return Err(Unfit::NotEnoughTravelBefore { needed: travel_before, available: blocked_from - gap.leave_at });
        }
        if t > last {
            let next = gap.next.expect("without a next visit the window check already bounds the end");
            return Err(Unfit::NotEnoughTravelAfter { needed: travel_to_next, available: next.start - blocked_to });
        }
        let travel_to_base = if gap.next.is_some() { 0 } else { travel.minutes(place, self.base) };
        let (travel_after, added_travel) = gap.travel_report(travel_before, travel_to_next, travel_to_base);
        Ok(Fit { travel_before, travel_after, added_travel })
    }
}

fn merge_windows(mut windows: Vec<(Minute, Minute)>) -> Vec<(Minute, Minute)> {
    windows.retain(|&(start, end)| end > start);
    windows.sort_unstable();
    let mut merged: Vec<(Minute, Minute)> = Vec::with_capacity(windows.len());
    for (start, end) in windows {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

fn find_gaps(windows: &[(Minute, Minute)], stops: &[Stop], places: &[GeoPoint], travel: &dyn TravelTimes) -> Vec<Gap> {
    let mut gaps = Vec::with_capacity(stops.len() + windows.len());
    for &(window_start, window_end) in windows {
        let mut leave_at = window_start;
        let mut prev = BASE;
        for (i, stop) in stops.iter().enumerate() {
            if stop.end <= window_start || stop.start >= window_end {
                continue;
            }
            let place = i + 1;
            if stop.start > leave_at {
                gaps.push(Gap {
                    leave_at,
                    prev,
                    window_end,
                    next: Some(NextStop { start: stop.start, place }),
                    existing_travel: travel.minutes(places[prev], places[place]),
                });
            }
            // Overlapping stops (bad data) are tolerated: the one that ends last is where the therapist is.
            if stop.end > leave_at {
                leave_at = stop.end;
                prev = place;
            }
        }
        if leave_at < window_end {
            gaps.push(Gap {
                leave_at,
                prev,
                window_end,
                next: None,
                existing_travel: travel.minutes(places[prev], places[BASE]),
            });
        }
    }
    gaps
}

/// Whether `place` lies within `radius_km` of a therapist's `base`: the one test of who can reach a place, for
/// route-days and for picking whose day a booking needs.
pub fn within_radius(base: GeoPoint, radius_km: f64, place: GeoPoint) -> bool {
    // Written so that a NaN radius covers nothing.
    local_km(base, place) <= radius_km
}
