//! Spa parties: what a host asks for ([`PartyInput`]) and how the guests' treatments fit into the party's window on
//! as few therapists as possible ([`fit_guests`]).
//!
//! Fitting guests is bin packing with a changeover between two guests of one therapist: small (at most 30 guests),
//! so it is solved exactly by a bounded search, settling for the best plan found should the search run long.

use super::chair::{block, check_service_id, contact, parse_date, place};
use crate::booking::{Contact, ContactInput, Where};
use crate::catalog::ServiceId;
use crate::geo::GeoPoint;
use crate::validation::{FieldError, ValidationErrors};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The most guests one party may have.
pub const MAX_GUESTS: usize = 30;

/// The longest guest name, in characters.
pub const GUEST_NAME_MAX: usize = 80;

/// How many search steps one [`fit_guests`] call may take before it settles for the best plan found (a few tenths
/// of a second at worst; parties of ordinary size finish in far fewer).
pub const SEARCH_BUDGET: u64 = 200_000;

/// One guest of a party as the API receives it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PartyGuestInput {
    /// How the guest is called on the sheet, 1 to 80 characters.
    pub name: String,
    /// The treatment the guest has.
    pub service_id: i64,
    /// Names of the service's add-ons to include.
    #[serde(default)]
    pub add_ons: Vec<String>,
}

/// A party as the API receives it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PartyInput {
    /// The local date, YYYY-MM-DD.
    pub date: String,
    /// The party's local start and end, HH:MM (the end may be 24:00); every treatment fits between them.
    pub start: String,
    pub end: String,
    /// The host's street address (required). Sent alone, the practice's map places it; programs that know the
    /// point send `lat` and `lon` with it.
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
    /// Who hosts the party.
    pub host: ContactInput,
    /// 1 to 30 guests.
    pub guests: Vec<PartyGuestInput>,
}

/// One guest of a validated party.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyGuest {
    pub name: String,
    pub service_id: ServiceId,
    /// Add-on names without repeats.
    pub add_ons: Vec<String>,
}

/// A validated party; still to be fitted ([`fit_guests`]) and checked against the therapists' calendars.
#[derive(Debug, Clone, PartialEq)]
pub struct PartyRequest {
    pub date: Date,
    /// The window's start and end in minutes after local midnight (`end_minute` may be 1440).
    pub start_minute: i64,
    pub end_minute: i64,
    /// The host's place on the map when the request gave `lat` and `lon`; `None` when only the address came, for
    /// the web layer to geocode (see [`PartyRequest::place_at`]).
    pub place: Option<GeoPoint>,
    /// The street address, trimmed; always present.
    pub address: String,
    pub host: Contact,
    pub guests: Vec<PartyGuest>,
}

impl PartyRequest {
    /// The window's length in minutes.
    pub fn window_minutes(&self) -> i64 {
        self.end_minute - self.start_minute
    }

    /// Where the visits happen, once the host's place is on the map.
    pub fn place_at(&self, at: GeoPoint) -> Where {
        Where::Mobile { at, address: self.address.clone() }
    }
}

impl PartyInput {
    pub fn validate(&self) -> Result<PartyRequest, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let date = e.take(parse_date("date", &self.date));
        let window = block(&mut e, &self.start, &self.end);
        let (address, place) = place(&mut e, self.address.as_deref(), self.lat, self.lon);
        let host = contact(&mut e, &self.host, "host");
        let count = self.guests.len();
        let mut guests = Vec::new();
        if count == 0 {
            e.push(FieldError::new("required", "guests", format!("list at least one guest (at most {MAX_GUESTS})")));
        } else if count > MAX_GUESTS {
            // Checking each of hundreds of guests would bury the one error that matters.
            e.push(FieldError::new(
                "too_many",
                "guests",
                format!("must list at most {MAX_GUESTS} guests (got {count})"),
            ));
        } else {
            for (i, guest) in self.guests.iter().enumerate() {
                let name = e.text(&format!("guests[{i}].name"), &guest.name, 1, GUEST_NAME_MAX);
                check_service_id(&mut e, &format!("guests[{i}].service_id"), guest.service_id);
                let add_ons = e.labels(&format!("guests[{i}].add_ons"), &guest.add_ons, 20, 120);
                guests.push(PartyGuest { name, service_id: ServiceId(guest.service_id), add_ons });
            }
        }
        e.finish(|| {
            let (start_minute, end_minute) = window?;
            Some(PartyRequest { date: date?, start_minute, end_minute, place: place?, address, host: host?, guests })
        })
    }
}

/// How the guests fit: which therapist sees whom, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartyPlan {
    /// How many therapists the plan uses; each has at least one visit.
    pub therapists: usize,
    /// Ordered by therapist, then start.
    pub visits: Vec<PartyVisit>,
}

impl PartyPlan {
    /// When the last treatment ends, in minutes from the window's start (0 for no guests).
    pub fn finish(&self) -> i64 {
        self.visits.iter().map(|v| v.end_offset).max().unwrap_or(0)
    }
}

/// One guest's treatment in a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartyVisit {
    /// The guest's index in the list given.
    pub guest: usize,
    /// `0..therapists`, numbered in the order of each therapist's first guest in the list.
    pub therapist: usize,
    /// Minutes from the window's start.
    pub start_offset: i64,
    pub end_offset: i64,
}

/// Why the guests cannot fit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub struct CannotFit {
    /// The fewest therapists that fit everyone in the window (exact unless the search ran out of steps: then the
    /// fewest it found); `None` when no number would (a guest's treatment is longer than the window, or has no
    /// length).
    pub therapists_needed: Option<usize>,
    /// A sentence for people; it numbers guests from 1 in the order given (the app phrases it with names).
    pub detail: String,
}

/// Fits the guests' treatments (`guest_minutes`, in the order given) into a window of `window_minutes` on at most
/// `therapists_free` therapists.
///
/// Each therapist sees their guests back to back from the window's start, `changeover_minutes` apart (none before
/// the first or after the last; a negative changeover counts as none), in the order the guests were given; each
/// treatment ends by the window's end. The plan uses as few therapists as possible and, among plans with that
/// many, ends as early as possible. The search is exact unless it takes more than [`SEARCH_BUDGET`] steps; it then
/// returns the best plan it found (which may use a therapist more, or end later, than the best there is).
///
/// When the guests need more therapists than are free, [`CannotFit::therapists_needed`] says how many they need.
pub fn fit_guests(
    window_minutes: i64,
    guest_minutes: &[i64],
    changeover_minutes: i64,
    therapists_free: usize,
) -> Result<PartyPlan, CannotFit> {
    let guests = guest_minutes.len();
    if guests == 0 {
        return Ok(PartyPlan { therapists: 0, visits: Vec::new() });
    }
    if let Some((i, &minutes)) = guest_minutes.iter().enumerate().find(|(_, &m)| m <= 0) {
        let detail = format!("guest {}'s treatment must last at least a minute (got {minutes})", i + 1);
        return Err(CannotFit { therapists_needed: None, detail });
    }
    let too_long: Vec<usize> = (0..guests).filter(|&i| guest_minutes[i] > window_minutes).collect();
    if let Some(&first) = too_long.first() {
        let mut detail = format!(
            "guest {}'s treatment ({} minutes) is longer than the party ({} minutes)",
            first + 1,
            guest_minutes[first],
            window_minutes.max(0)
        );
        match too_long.len() {
            1 => {}
            2 => detail.push_str("; so is 1 other guest's"),
            n => detail.push_str(&format!("; so are {} other guests'", n - 1)),
        }
        return Err(CannotFit { therapists_needed: None, detail });
    }
    let packing = Packing::new(window_minutes, guest_minutes, changeover_minutes.max(0));
    let mut budget = SEARCH_BUDGET;
    // The fewest therapists not yet shown too few: counts below it fit nobody's plan (by the lower bound, or by a
    // search that finished without finding one).
    let first_try = packing.lower_bound();
    let mut at_least = first_try;
    for therapists in first_try..=guests {
        let wanted = if therapists <= therapists_free { Want::Earliest } else { Want::Any };
        let found = packing.search(therapists, wanted, &mut budget);
        if let Some(slots) = found.slots {
            if therapists <= therapists_free {
                return Ok(packing.plan(&slots));
            }
            return Err(too_few(guests, at_least, therapists, therapists_free));
        }
        if found.complete && at_least == therapists {
            at_least = therapists + 1;
        }
    }
    // Not reached: every guest fits the window alone, and first-fit finds a plan with one therapist each.
    Err(too_few(guests, at_least, guests, therapists_free))
}

/// Why `guests` do not fit on the `free` therapists: they need `at_least` (proven), and `enough` will do.
fn too_few(guests: usize, at_least: usize, enough: usize, free: usize) -> CannotFit {
    let plural = |n: usize, one: &str, many: &str| if n == 1 { format!("{n} {one}") } else { format!("{n} {many}") };
    let free_then = match free {
        0 => "none are free then".to_string(),
        1 => "1 is free then".to_string(),
        n => format!("{n} are free then"),
    };
    let guests_need = plural(guests, "guest needs", "guests need");
    let detail = if at_least >= enough {
        format!("{guests_need} at least {} at once; {free_then}", plural(enough, "therapist", "therapists"))
    } else if at_least > free {
        let at_least = plural(at_least, "therapist", "therapists");
        format!("{guests_need} at least {at_least} at once ({enough} will do); {free_then}")
    } else {
        // The search ran out of steps before it could tell whether fewer would do.
        let guests = plural(guests, "guest", "guests");
        format!("{guests} could not be fitted on the therapists free then ({free}); {enough} will do")
    };
    CannotFit { therapists_needed: Some(enough), detail }
}

/// What a search for a given number of therapists is after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    /// Any plan: the count is too many for the party and is only being found out.
    Any,
    /// The plan that ends earliest.
    Earliest,
}

/// The result of one search: a therapist slot per guest in search order, and whether the search was finished
/// (when not, a better plan, or a plan at all, may have been missed).
struct Found {
    slots: Option<Vec<usize>>,
    complete: bool,
}

/// The guests to fit, longest first (the order in which packing decides best).
struct Packing {
    window: i64,
    changeover: i64,
    /// Guest indices, longest treatment first (ties in the order given).
    order: Vec<usize>,
    /// Treatment minutes in `order`.
    minutes: Vec<i64>,
    /// `rest[i]`: the minutes guests `i..` take with a changeover each, as room on therapists is counted.
    rest: Vec<i128>,
}

impl Packing {
    fn new(window: i64, guest_minutes: &[i64], changeover: i64) -> Packing {
        let mut order: Vec<usize> = (0..guest_minutes.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(guest_minutes[i]));
        let minutes: Vec<i64> = order.iter().map(|&i| guest_minutes[i]).collect();
        let mut rest = vec![0i128; minutes.len() + 1];
        for i in (0..minutes.len()).rev() {
            rest[i] = rest[i + 1] + i128::from(minutes[i]) + i128::from(changeover);
        }
        Packing { window, changeover, order, minutes, rest }
    }

    /// No plan uses fewer therapists: a therapist's guests with a changeover each take at most the window and
    /// one changeover, and no two guests longer than half the window (less a changeover) share a therapist.
    fn lower_bound(&self) -> usize {
        let by_work = ceil_div(self.rest[0], i128::from(self.window) + i128::from(self.changeover));
        let long =
            self.minutes.iter().filter(|&&m| 2 * i128::from(m) + i128::from(self.changeover) > self.window.into());
        usize::try_from(by_work).unwrap_or(usize::MAX).max(long.count()).max(1)
    }

    /// No plan on `therapists` ends earlier: the longest treatment, and the work shared out evenly.
    fn earliest_possible(&self, therapists: usize) -> i64 {
        let even = ceil_div(self.rest[0], therapists.max(1) as i128) - i128::from(self.changeover);
        let longest = self.minutes.first().copied().unwrap_or(0);
        i64::try_from(even).unwrap_or(i64::MAX).max(longest)
    }

    /// A treatment added to a therapist's day ending at `load` after `count` guests.
    fn added(&self, load: i64, count: usize, minutes: i64) -> i64 {
        if count == 0 {
            minutes
        } else {
            load.saturating_add(self.changeover).saturating_add(minutes)
        }
    }

    /// First-fit decreasing: each guest, longest first, to the first therapist with room, a new one when none has.
    fn first_fit(&self) -> (usize, Vec<usize>, i64) {
        let mut loads: Vec<i64> = Vec::new();
        let mut slots = Vec::with_capacity(self.minutes.len());
        for &m in &self.minutes {
            let fits = loads.iter().position(|&load| self.added(load, 1, m) <= self.window);
            let t = match fits {
                Some(t) => {
                    loads[t] = self.added(loads[t], 1, m);
                    t
                }
                None => {
                    loads.push(m);
                    loads.len() - 1
                }
            };
            slots.push(t);
        }
        (loads.len(), slots, loads.iter().copied().max().unwrap_or(0))
    }

    /// Longest first, each to the therapist who would finish it soonest; evens out the days.
    fn least_loaded(&self, therapists: usize) -> (Vec<usize>, i64) {
        let mut loads = vec![0i64; therapists];
        let mut counts = vec![0usize; therapists];
        let mut slots = Vec::with_capacity(self.minutes.len());
        for &m in &self.minutes {
            let t = (0..therapists).min_by_key(|&t| (self.added(loads[t], counts[t], m), t)).unwrap_or(0);
            loads[t] = self.added(loads[t], counts[t], m);
            counts[t] += 1;
            slots.push(t);
        }
        (slots, loads.iter().copied().max().unwrap_or(0))
    }

    /// The plan on `therapists` that `want`s, from the heuristics, then a depth-first search while `budget` lasts.
    fn search(&self, therapists: usize, want: Want, budget: &mut u64) -> Found {
        let floor = self.earliest_possible(therapists);
        let mut best: Option<(Vec<usize>, i64)> = None;
        let (used, slots, end) = self.first_fit();
        if used <= therapists {
            best = Some((slots, end));
        }
        let (slots, end) = self.least_loaded(therapists);
        if end <= self.window && best.as_ref().is_none_or(|(_, best_end)| end < *best_end) {
            best = Some((slots, end));
        }
        if let Some((slots, end)) = &best {
            if want == Want::Any || *end <= floor {
                return Found { slots: Some(slots.clone()), complete: true };
            }
        }
        let bound = best.as_ref().map_or(self.window.saturating_add(1), |(_, end)| *end);
        let mut dfs = Dfs {
            packing: self,
            want,
            floor,
            loads: vec![0; therapists],
            counts: vec![0; therapists],
            slots: Vec::with_capacity(self.minutes.len()),
            bound,
            best: best.map(|(slots, _)| slots),
            budget,
            out_of_budget: false,
            done: false,
        };
        dfs.place(0);
        Found { complete: !dfs.out_of_budget, slots: dfs.best }
    }

    /// The plan from a therapist slot per guest in search order: therapists numbered by their first guest in the
    /// list, each seeing their guests in the order given.
    fn plan(&self, slots: &[usize]) -> PartyPlan {
        let mut slot_of_guest = vec![0usize; self.order.len()];
        for (&guest, &slot) in self.order.iter().zip(slots) {
            slot_of_guest[guest] = slot;
        }
        let mut numbered: Vec<usize> = Vec::new();
        let mut therapist_of_guest = Vec::with_capacity(slot_of_guest.len());
        for &slot in &slot_of_guest {
            let number = match numbered.iter().position(|&s| s == slot) {
                Some(n) => n,
                None => {
                    numbered.push(slot);
                    numbered.len() - 1
                }
            };
            therapist_of_guest.push(number);
        }
        let mut minutes_of_guest = vec![0i64; self.order.len()];
        for (&guest, &m) in self.order.iter().zip(&self.minutes) {
            minutes_of_guest[guest] = m;
        }
        let mut visits = Vec::with_capacity(self.order.len());
        for therapist in 0..numbered.len() {
            let mut at = 0i64;
            for guest in (0..therapist_of_guest.len()).filter(|&g| therapist_of_guest[g] == therapist) {
                let end = at.saturating_add(minutes_of_guest[guest]);
                visits.push(PartyVisit { guest, therapist, start_offset: at, end_offset: end });
                at = end.saturating_add(self.changeover);
            }
        }
        PartyPlan { therapists: numbered.len(), visits }
    }
}

/// The depth-first branch and bound: guests longest first, each tried on every therapist who could still take
/// them, pruning what cannot beat the best plan found.
struct Dfs<'a> {
    packing: &'a Packing,
    want: Want,
    /// No plan ends earlier than this; reaching it ends the search.
    floor: i64,
    loads: Vec<i64>,
    counts: Vec<usize>,
    /// The therapist slot of each guest placed so far, in search order.
    slots: Vec<usize>,
    /// A plan must end strictly before this to be better than the best found.
    bound: i64,
    best: Option<Vec<usize>>,
    budget: &'a mut u64,
    out_of_budget: bool,
    done: bool,
}

impl Dfs<'_> {
    fn place(&mut self, depth: usize) {
        if self.done {
            return;
        }
        if *self.budget == 0 {
            self.out_of_budget = true;
            self.done = true;
            return;
        }
        *self.budget -= 1;
        let Some(&minutes) = self.packing.minutes.get(depth) else {
            let end = self.loads.iter().copied().max().unwrap_or(0);
            self.bound = end;
            self.best = Some(self.slots.clone());
            self.done = self.want == Want::Any || end <= self.floor;
            return;
        };
        // The guests left need room: a therapist with guests has up to the limit left, an idle one the limit and
        // a changeover (their first guest has none before them).
        let limit = i128::from(self.bound) - 1;
        let changeover = i128::from(self.packing.changeover);
        let room: i128 = (0..self.loads.len())
            .map(|t| if self.counts[t] == 0 { limit + changeover } else { limit - i128::from(self.loads[t]) })
            .sum();
        if self.packing.rest[depth] > room {
            return;
        }
        let mut tries: Vec<usize> = (0..self.loads.len()).collect();
        tries.sort_by_key(|&t| (self.loads[t], self.counts[t] > 0, t));
        let mut previous: Option<(i64, bool)> = None;
        for t in tries {
            // Two therapists at the same load (in particular two idle ones) lead to the same plans: try one.
            let key = (self.loads[t], self.counts[t] > 0);
            if previous == Some(key) {
                continue;
            }
            previous = Some(key);
            let load = self.packing.added(self.loads[t], self.counts[t], minutes);
            if load >= self.bound {
                continue;
            }
            let (before, count) = (self.loads[t], self.counts[t]);
            self.loads[t] = load;
            self.counts[t] = count + 1;
            self.slots.push(t);
            self.place(depth + 1);
            self.slots.pop();
            self.loads[t] = before;
            self.counts[t] = count;
            if self.done {
                return;
            }
        }
    }
}

fn ceil_div(a: i128, b: i128) -> i128 {
    if b <= 0 {
        return i128::MAX;
    }
    (a + b - 1).div_euclid(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host() -> ContactInput {
        ContactInput { name: "Mia".into(), email: "mia@example.com".into(), phone: "416-555-0142".into() }
    }

    fn guest(name: &str) -> PartyGuestInput {
        PartyGuestInput { name: name.into(), service_id: 2, add_ons: vec![] }
    }

    fn input() -> PartyInput {
        PartyInput {
            date: "2027-05-22".into(),
            start: "14:00".into(),
            end: "17:00".into(),
            address: Some("8 Willow Lane".into()),
            lat: None,
            lon: None,
            host: host(),
            guests: vec![guest("Mia"), guest("Zoe"), guest("Lena")],
        }
    }

    fn fields(e: &ValidationErrors) -> Vec<&str> {
        e.0.iter().map(|f| f.field.as_str()).collect()
    }

    /// Every visit is inside the window, every guest seen once for their minutes, and a therapist's visits are
    /// apart by at least the changeover, in the order given, numbered from 0 by their first guest.
    fn check(plan: &PartyPlan, window: i64, minutes: &[i64], changeover: i64) {
        let mut seen = vec![0; minutes.len()];
        for v in &plan.visits {
            seen[v.guest] += 1;
            assert!(v.start_offset >= 0 && v.end_offset <= window, "{v:?} outside the window");
            assert_eq!(v.end_offset - v.start_offset, minutes[v.guest]);
            assert!(v.therapist < plan.therapists);
        }
        assert!(seen.iter().all(|&n| n == 1), "each guest once: {seen:?}");
        for w in plan.visits.windows(2) {
            assert!((w[0].therapist, w[0].start_offset) < (w[1].therapist, w[1].start_offset));
            if w[0].therapist == w[1].therapist {
                assert!(w[1].start_offset >= w[0].end_offset + changeover);
                assert!(w[0].guest < w[1].guest);
            }
        }
        let firsts: Vec<usize> = (0..plan.therapists)
            .map(|t| plan.visits.iter().filter(|v| v.therapist == t).map(|v| v.guest).min().unwrap())
            .collect();
        assert!(firsts.windows(2).all(|w| w[0] < w[1]), "numbered by first guest: {firsts:?}");
    }

    #[test]
    fn a_good_party_validates() {
        let party = input().validate().unwrap();
        assert_eq!(party.window_minutes(), 180);
        assert_eq!(party.place, None);
        assert_eq!(party.host.name, "Mia");
        assert_eq!(party.guests[2], PartyGuest { name: "Lena".into(), service_id: ServiceId(2), add_ons: vec![] });
        let placed = PartyInput { lat: Some(43.7), lon: Some(-79.4), ..input() }.validate().unwrap();
        assert_eq!(placed.place, Some(GeoPoint { lat: 43.7, lon: -79.4 }));
    }

    #[test]
    fn validation_names_each_bad_field_at_once() {
        let mut guests = vec![guest("Mia"), guest(""), guest(&"x".repeat(81))];
        guests[1].service_id = 0;
        guests[2].add_ons = vec!["hot stones".into(), " ".into()];
        let bad = PartyInput {
            date: "22/05/2027".into(),
            end: "13:00".into(),
            address: Some("the cottage".into()),
            host: ContactInput { phone: "n/a".into(), ..host() },
            guests,
            ..input()
        };
        let e = bad.validate().unwrap_err();
        let named = [
            "date",
            "end",
            "address",
            "host.phone",
            "guests[1].name",
            "guests[1].service_id",
            "guests[2].name",
            "guests[2].add_ons[1]",
        ];
        assert_eq!(fields(&e), named);
    }

    #[test]
    fn a_party_has_one_to_thirty_guests() {
        let e = PartyInput { guests: vec![], ..input() }.validate().unwrap_err();
        assert_eq!((e.0[0].code, e.0[0].field.as_str()), ("required", "guests"));
        let crowd = PartyInput { guests: vec![guest(""); 31], ..input() };
        let e = crowd.validate().unwrap_err();
        assert_eq!(fields(&e), ["guests"]);
        assert_eq!(e.0[0].detail, "must list at most 30 guests (got 31)");
        assert!(PartyInput { guests: vec![guest("A"); 30], ..input() }.validate().is_ok());
    }

    #[test]
    fn six_one_hour_massages_in_two_and_a_half_hours_need_three_therapists() {
        let minutes = [60; 6];
        let plan = fit_guests(150, &minutes, 10, 3).unwrap();
        check(&plan, 150, &minutes, 10);
        assert_eq!(plan.therapists, 3);
        for t in 0..3 {
            assert_eq!(plan.visits.iter().filter(|v| v.therapist == t).count(), 2);
        }
        assert_eq!(plan.finish(), 130);
        let e = fit_guests(150, &minutes, 10, 2).unwrap_err();
        assert_eq!(e.therapists_needed, Some(3));
        assert_eq!(e.detail, "6 guests need at least 3 therapists at once; 2 are free then");
    }

    #[test]
    fn twelve_one_hour_guests_in_an_hour_need_twelve_therapists() {
        let e = fit_guests(60, &[60; 12], 15, 4).unwrap_err();
        assert_eq!(e.therapists_needed, Some(12));
        assert_eq!(e.to_string(), "12 guests need at least 12 therapists at once; 4 are free then");
        let plan = fit_guests(60, &[60; 12], 15, 12).unwrap();
        assert_eq!(plan.therapists, 12);
    }

    #[test]
    fn a_treatment_longer_than_the_party_never_fits() {
        let e = fit_guests(90, &[60, 120, 30], 10, 8).unwrap_err();
        assert_eq!(e.therapists_needed, None);
        assert_eq!(e.detail, "guest 2's treatment (120 minutes) is longer than the party (90 minutes)");
        let e = fit_guests(90, &[100, 120, 30], 10, 8).unwrap_err();
        assert_eq!(
            e.detail,
            "guest 1's treatment (100 minutes) is longer than the party (90 minutes); so is 1 other guest's"
        );
        assert_eq!(fit_guests(90, &[60, 0], 10, 8).unwrap_err().therapists_needed, None);
    }

    #[test]
    fn no_guests_need_no_therapists_and_none_free_fits_nobody() {
        assert_eq!(fit_guests(60, &[], 10, 0), Ok(PartyPlan { therapists: 0, visits: vec![] }));
        let e = fit_guests(60, &[30], 10, 0).unwrap_err();
        assert_eq!(e.therapists_needed, Some(1));
        assert_eq!(e.detail, "1 guest needs at least 1 therapist at once; none are free then");
    }

    #[test]
    fn among_the_fewest_therapists_the_plan_ends_earliest() {
        // Two therapists: 90 + 30 with a changeover is 130, but 90 | 60+30+10 ends at 100.
        let minutes = [30, 90, 60];
        let plan = fit_guests(140, &minutes, 10, 4).unwrap();
        check(&plan, 140, &minutes, 10);
        assert_eq!((plan.therapists, plan.finish()), (2, 100));
        assert_eq!(plan.visits[0], PartyVisit { guest: 0, therapist: 0, start_offset: 0, end_offset: 30 });
        assert_eq!(plan.visits[1], PartyVisit { guest: 2, therapist: 0, start_offset: 40, end_offset: 100 });
        assert_eq!(plan.visits[2], PartyVisit { guest: 1, therapist: 1, start_offset: 0, end_offset: 90 });
    }

    #[test]
    fn a_tight_packing_the_quick_guesses_miss_is_found() {
        // Three therapists: 55+40 | 40+35+25 | 40+30+25 (with 5-minute changeovers, each minus 5, in 95 minutes).
        // First fit needs four, and so does handing each guest to the least busy of three.
        let minutes = [20, 35, 50, 25, 35, 20, 30, 35];
        let plan = fit_guests(95, &minutes, 5, 8).unwrap();
        check(&plan, 95, &minutes, 5);
        assert_eq!(plan.therapists, 3);
    }

    #[test]
    fn a_large_party_answers_within_its_budget() {
        let minutes: Vec<i64> = (0..30).map(|i| 25 + (i * 37 % 50)).collect();
        let plan = fit_guests(240, &minutes, 10, 30).unwrap();
        check(&plan, 240, &minutes, 10);
        let e = fit_guests(240, &minutes, 10, 2).unwrap_err();
        assert!(e.therapists_needed.is_some_and(|n| n > 2));
    }

    mod properties {
        use super::super::*;
        use super::check;
        use proptest::prelude::*;
        use proptest::test_runner::{Config, RngSeed};

        /// The fewest therapists over every way of splitting the guests, and the earliest end with that many; by
        /// brute force, for a handful of guests.
        fn brute_force(window: i64, minutes: &[i64], changeover: i64) -> Option<(usize, i64)> {
            fn walk(
                minutes: &[i64],
                changeover: i64,
                window: i64,
                loads: &mut Vec<i64>,
                best: &mut Option<(usize, i64)>,
            ) {
                let Some((&first, rest)) = minutes.split_first() else {
                    let found = (loads.len(), loads.iter().copied().max().unwrap_or(0));
                    if best.is_none_or(|b| found < b) {
                        *best = Some(found);
                    }
                    return;
                };
                for t in 0..loads.len() {
                    let before = loads[t];
                    loads[t] = before + changeover + first;
                    if loads[t] <= window {
                        walk(rest, changeover, window, loads, best);
                    }
                    loads[t] = before;
                }
                if first <= window {
                    loads.push(first);
                    walk(rest, changeover, window, loads, best);
                    loads.pop();
                }
            }
            let mut best = None;
            walk(minutes, changeover, window, &mut Vec::new(), &mut best);
            best
        }

        fn config() -> Config {
            Config { cases: 512, rng_seed: RngSeed::Fixed(23), failure_persistence: None, ..Config::default() }
        }

        proptest! {
            #![proptest_config(config())]

            #[test]
            fn every_plan_is_sound(
                minutes in prop::collection::vec(10i64..=120, 1..=10),
                window in 30i64..=300,
                changeover in 0i64..=20,
                free in 1usize..=8,
            ) {
                match fit_guests(window, &minutes, changeover, free) {
                    Ok(plan) => {
                        prop_assert!(plan.therapists <= free);
                        check(&plan, window, &minutes, changeover);
                    }
                    Err(e) => match e.therapists_needed {
                        None => prop_assert!(minutes.iter().any(|&m| m > window)),
                        Some(needed) => prop_assert!(needed > free),
                    },
                }
            }

            #[test]
            fn the_count_and_the_end_are_the_fewest_and_earliest(
                minutes in prop::collection::vec(10i64..=120, 1..=7),
                window in 30i64..=300,
                changeover in 0i64..=20,
                free in 1usize..=8,
            ) {
                let fitted = fit_guests(window, &minutes, changeover, free);
                match brute_force(window, &minutes, changeover) {
                    None => prop_assert_eq!(fitted.map_err(|e| e.therapists_needed), Err(None)),
                    Some((fewest, earliest)) if fewest <= free => {
                        let plan = fitted.map_err(|e| TestCaseError::fail(e.detail))?;
                        prop_assert_eq!((plan.therapists, plan.finish()), (fewest, earliest));
                    }
                    Some((fewest, _)) => {
                        prop_assert_eq!(fitted.map_err(|e| e.therapists_needed), Err(Some(fewest)));
                    }
                }
            }
        }
    }
}
