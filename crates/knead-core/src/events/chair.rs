//! Office chair-massage days: what an organiser asks for ([`ChairDayInput`]) and the sheet of slots the day offers
//! ([`chair_slots`]), each chair taking short breaks staggered so the chairs never all stop at once.
//!
//! The helpers that read a date, a time of day, the place and a contact are shared with [`super::party`].

use crate::booking::{check_street_address, Contact, ContactInput, Location, Where};
use crate::catalog::ServiceId;
use crate::geo::GeoPoint;
use crate::validation::{FieldError, ValidationErrors};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The lengths of one sitting a chair day may offer, in minutes.
pub const SLOT_LENGTHS: [i64; 3] = [10, 15, 20];

/// The most chairs (therapists) one chair day may have.
pub const MAX_CHAIRS: i64 = 8;

/// How often each chair pauses, and for how long: hands need rest between back-to-back sittings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ChairBreaks {
    /// Minutes between one chair's breaks (the first comes this long after the block starts).
    pub every_minutes: i64,
    /// How long each break lasts; 0 for none.
    pub length_minutes: i64,
}

impl Default for ChairBreaks {
    /// Ten minutes every two hours.
    fn default() -> Self {
        ChairBreaks { every_minutes: 120, length_minutes: 10 }
    }
}

impl ChairBreaks {
    /// No breaks at all (a short day, or a practice that plans its own).
    pub const fn none() -> Self {
        ChairBreaks { every_minutes: 120, length_minutes: 0 }
    }
}

/// A chair day as the API receives it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChairDayInput {
    /// The seated-massage service the day offers.
    pub service_id: i64,
    /// The local date, YYYY-MM-DD.
    pub date: String,
    /// The block's local start and end, HH:MM (the end may be 24:00).
    pub start: String,
    pub end: String,
    /// How many chairs (one therapist each), 1 to 8.
    pub chairs: i64,
    /// Minutes per sitting: 10, 15 or 20; it must divide the block.
    pub slot_minutes: i64,
    /// The office's street address (required). Sent alone, the practice's map places it; programs that know the
    /// point send `lat` and `lon` with it.
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
    /// Who arranges the day at the office.
    pub organiser: ContactInput,
}

/// A validated chair day; still to be checked against the therapists' calendars.
#[derive(Debug, Clone, PartialEq)]
pub struct ChairDayRequest {
    pub service_id: ServiceId,
    pub date: Date,
    /// The block's start and end in minutes after local midnight (`end_minute` may be 1440).
    pub start_minute: i64,
    pub end_minute: i64,
    pub chairs: i64,
    pub slot_minutes: i64,
    /// The office on the map when the request gave `lat` and `lon`; `None` when only the address came, for the
    /// web layer to geocode before it asks for availability (see [`ChairDayRequest::place_at`]).
    pub place: Option<GeoPoint>,
    /// The street address, trimmed; always present.
    pub address: String,
    pub organiser: Contact,
}

impl ChairDayRequest {
    /// The block's length in minutes.
    pub fn block_minutes(&self) -> i64 {
        self.end_minute - self.start_minute
    }

    /// Where the visits happen, once the office is on the map (`place`, or the point the address geocoded to).
    pub fn place_at(&self, at: GeoPoint) -> Where {
        Where::Mobile { at, address: self.address.clone() }
    }

    /// Every slot the day offers with `breaks`.
    pub fn slots(&self, breaks: ChairBreaks) -> Vec<ChairSlot> {
        chair_slots(self.block_minutes(), self.slot_minutes, self.chairs, breaks)
    }
}

impl ChairDayInput {
    pub fn validate(&self) -> Result<ChairDayRequest, ValidationErrors> {
        let mut e = ValidationErrors::default();
        check_service_id(&mut e, "service_id", self.service_id);
        let date = e.take(parse_date("date", &self.date));
        let window = block(&mut e, &self.start, &self.end);
        let chairs = e.range("chairs", self.chairs, 1, MAX_CHAIRS, " chairs");
        let slot_minutes = self.slot_minutes;
        if !SLOT_LENGTHS.contains(&slot_minutes) {
            e.push(FieldError::new(
                "invalid",
                "slot_minutes",
                format!("must be {} (minutes per sitting)", spoken_list(&SLOT_LENGTHS)),
            ));
        } else if let Some((start, end)) = window {
            let length = end - start;
            if length % slot_minutes != 0 {
                e.push(FieldError::new(
                    "invalid",
                    "slot_minutes",
                    format!("must divide the block of {length} minutes"),
                ));
            }
        }
        let (address, place) = place(&mut e, self.address.as_deref(), self.lat, self.lon);
        let organiser = contact(&mut e, &self.organiser, "organiser");
        e.finish(|| {
            let (start_minute, end_minute) = window?;
            Some(ChairDayRequest {
                service_id: ServiceId(self.service_id),
                date: date?,
                start_minute,
                end_minute,
                chairs,
                slot_minutes,
                place: place?,
                address,
                organiser: organiser?,
            })
        })
    }
}

/// One sitting on the sheet: a chair at a start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChairSlot {
    /// Minutes from the block's start.
    pub start_offset: i64,
    /// 1-based, as the sheet numbers chairs.
    pub chair: i64,
}

/// Every slot of every chair in a block, ordered by start, then chair.
///
/// Chair `c` (1-based) breaks for `breaks.length_minutes` at `k * every_minutes + (c - 1) * slot_minutes` for
/// k = 1, 2, ... while that falls strictly inside the block, and every slot touching a break is left out: shifting
/// each chair by one sitting keeps the others working while one rests. Nonsense (no block, no chairs, a slot or
/// break period of 0 or less) gives no slots or no breaks rather than a panic.
pub fn chair_slots(block_minutes: i64, slot_minutes: i64, chairs: i64, breaks: ChairBreaks) -> Vec<ChairSlot> {
    if slot_minutes <= 0 || chairs <= 0 || block_minutes <= 0 {
        return Vec::new();
    }
    let breaks_of = |chair: i64| -> Vec<i64> {
        let mut starts = Vec::new();
        if breaks.every_minutes <= 0 || breaks.length_minutes <= 0 {
            return starts;
        }
        let stagger = (chair - 1).saturating_mul(slot_minutes);
        let mut k: i64 = 1;
        loop {
            let at = k.saturating_mul(breaks.every_minutes).saturating_add(stagger);
            if at >= block_minutes {
                break;
            }
            starts.push(at);
            k += 1;
        }
        starts
    };
    let chair_breaks: Vec<Vec<i64>> = (1..=chairs).map(breaks_of).collect();
    let mut slots = Vec::new();
    let mut start: i64 = 0;
    while let Some(end) = start.checked_add(slot_minutes).filter(|&end| end <= block_minutes) {
        for (chair, rests) in (1..=chairs).zip(&chair_breaks) {
            let resting = rests.iter().any(|&at| start < at.saturating_add(breaks.length_minutes) && at < end);
            if !resting {
                slots.push(ChairSlot { start_offset: start, chair });
            }
        }
        start = end;
    }
    slots
}

/// "10, 15 or 20".
fn spoken_list(values: &[i64]) -> String {
    let words: Vec<String> = values.iter().map(i64::to_string).collect();
    match words.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => words.concat(),
    }
}

/// Ids are positive; 0 is what a form sends when nothing was chosen.
pub(super) fn check_service_id(e: &mut ValidationErrors, field: &str, id: i64) {
    if id < 1 {
        e.push(FieldError::new("required", field, "must name one of the practice's services"));
    }
}

/// A local date written exactly YYYY-MM-DD.
pub(super) fn parse_date(field: &str, text: &str) -> Result<Date, FieldError> {
    let invalid = || FieldError::new("invalid", field, "must be a date like 2027-01-15 (YYYY-MM-DD)");
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    if !shaped {
        return Err(invalid());
    }
    text.parse().map_err(|_| invalid())
}

/// A local time written exactly HH:MM, as minutes after midnight; 24:00 (midnight at the day's end) only where
/// `end_of_day` allows it.
pub(super) fn minute_of_day(field: &str, text: &str, end_of_day: bool) -> Result<i64, FieldError> {
    let detail = if end_of_day {
        "must be a time like 17:00 (HH:MM, or 24:00 for midnight)"
    } else {
        "must be a time like 09:30 (HH:MM)"
    };
    let bytes = text.as_bytes();
    let digit = |i: usize| bytes.get(i).filter(|b| b.is_ascii_digit()).map(|b| i64::from(b - b'0'));
    let parts = (bytes.len() == 5 && bytes[2] == b':').then_some(()).and_then(|()| {
        let hour = digit(0)? * 10 + digit(1)?;
        let minute = digit(3)? * 10 + digit(4)?;
        Some((hour, minute))
    });
    match parts {
        Some((hour, minute)) if hour < 24 && minute < 60 => Ok(hour * 60 + minute),
        Some((24, 0)) if end_of_day => Ok(24 * 60),
        _ => Err(FieldError::new("invalid", field, detail)),
    }
}

/// The block's `start` and `end` as minutes after local midnight, the end after the start.
pub(super) fn block(e: &mut ValidationErrors, start: &str, end: &str) -> Option<(i64, i64)> {
    let start = e.take(minute_of_day("start", start, false));
    let end = e.take(minute_of_day("end", end, true));
    let (start, end) = (start?, end?);
    if end <= start {
        e.push(FieldError::new("out_of_range", "end", "must be after start (a block ends on the day it starts)"));
        return None;
    }
    Some((start, end))
}

/// The street address (required, with a house number) and, when both `lat` and `lon` came, the point they name.
/// The outer `Option` is `None` when something was wrong (an error was pushed); the inner one when the address
/// came alone, for the web layer to place on the map.
pub(super) fn place(
    e: &mut ValidationErrors,
    address: Option<&str>,
    lat: Option<f64>,
    lon: Option<f64>,
) -> (String, Option<Option<GeoPoint>>) {
    let address = e.text("address", address.unwrap_or(""), 0, 300);
    check_street_address(e, &address);
    let together = "give lat and lon together, or leave both out for the address to be placed on the map";
    let point = match (lat, lon) {
        (None, None) => Some(None),
        (Some(_), None) => {
            e.push(FieldError::new("required", "lon", together));
            None
        }
        (None, Some(_)) => {
            e.push(FieldError::new("required", "lat", together));
            None
        }
        // No clinic is passed, so a parsed place is always a point.
        (Some(_), Some(_)) => match e.take(Location::parse(lat, lon, None)) {
            Some(Location::Point(at)) => Some(Some(at)),
            Some(Location::Clinic(_)) | None => None,
        },
    };
    (address, point)
}

/// A contact checked as the booking checks a client's, its errors named under `prefix` (`organiser`, `host`).
pub(super) fn contact(e: &mut ValidationErrors, input: &ContactInput, prefix: &str) -> Option<Contact> {
    let mut own = ValidationErrors::default();
    let contact = input.validate(&mut own);
    let had_errors = !own.is_empty();
    for mut err in own.0 {
        // The booking names its contact `client`; keep the rest of the name as it spells it.
        let rest = err.field.strip_prefix("client.").unwrap_or(&err.field).to_string();
        err.field = format!("{prefix}.{rest}");
        e.push(err);
    }
    if had_errors {
        None
    } else {
        contact
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ChairDayInput {
        ChairDayInput {
            service_id: 3,
            date: "2027-03-10".into(),
            start: "10:00".into(),
            end: "14:00".into(),
            chairs: 2,
            slot_minutes: 15,
            address: Some("200 Bay Street, Toronto".into()),
            lat: Some(43.648),
            lon: Some(-79.380),
            organiser: ContactInput {
                name: "Priya".into(),
                email: "priya@example.com".into(),
                phone: "416-555-0199".into(),
            },
        }
    }

    fn fields(e: &ValidationErrors) -> Vec<&str> {
        e.0.iter().map(|f| f.field.as_str()).collect()
    }

    #[test]
    fn a_good_day_validates() {
        let day = input().validate().unwrap();
        assert_eq!(day.service_id, ServiceId(3));
        assert_eq!(day.date, jiff::civil::date(2027, 3, 10));
        assert_eq!((day.start_minute, day.end_minute, day.block_minutes()), (600, 840, 240));
        assert_eq!(day.place, Some(GeoPoint { lat: 43.648, lon: -79.380 }));
        assert_eq!(day.address, "200 Bay Street, Toronto");
        assert_eq!(day.organiser.name, "Priya");
        assert!(matches!(day.place_at(GeoPoint { lat: 1.0, lon: 2.0 }), Where::Mobile { .. }));
    }

    #[test]
    fn an_address_alone_is_enough_for_the_web_layer_to_place() {
        let day = ChairDayInput { lat: None, lon: None, ..input() }.validate().unwrap();
        assert_eq!(day.place, None);
        assert_eq!(day.address, "200 Bay Street, Toronto");
    }

    #[test]
    fn lat_and_lon_come_together_and_in_range() {
        let e = ChairDayInput { lon: None, ..input() }.validate().unwrap_err();
        assert_eq!(fields(&e), ["lon"]);
        let e = ChairDayInput { lat: None, ..input() }.validate().unwrap_err();
        assert_eq!(fields(&e), ["lat"]);
        let e = ChairDayInput { lat: Some(95.0), ..input() }.validate().unwrap_err();
        assert_eq!((e.0[0].code, e.0[0].field.as_str()), ("out_of_range", "lat"));
    }

    #[test]
    fn validation_names_each_bad_field_at_once() {
        let bad = ChairDayInput {
            start: "13:00".into(),
            end: "12:00".into(),
            chairs: 25,
            slot_minutes: 12,
            address: None,
            organiser: ContactInput { email: "priya-at-work".into(), ..input().organiser },
            ..input()
        };
        let e = bad.validate().unwrap_err();
        assert_eq!(fields(&e), ["end", "chairs", "slot_minutes", "address", "organiser.email"]);
        assert_eq!(e.for_field("slot_minutes"), Some("must be 10, 15 or 20 (minutes per sitting)"));
        assert_eq!(e.for_field("chairs"), Some("must be between 1 and 8 chairs (got 25)"));
    }

    #[test]
    fn the_slot_must_divide_the_block() {
        let bad = ChairDayInput { start: "09:00".into(), end: "10:30".into(), slot_minutes: 20, ..input() };
        let e = bad.validate().unwrap_err();
        assert_eq!(fields(&e), ["slot_minutes"]);
        assert_eq!(e.for_field("slot_minutes"), Some("must divide the block of 90 minutes"));
        let fits = ChairDayInput { start: "09:00".into(), end: "10:30".into(), slot_minutes: 15, ..input() };
        assert!(fits.validate().is_ok());
    }

    #[test]
    fn times_are_exactly_hh_mm_and_only_the_end_may_be_midnight() {
        assert_eq!(minute_of_day("start", "09:05", false), Ok(545));
        assert_eq!(minute_of_day("end", "24:00", true), Ok(1440));
        for bad in ["9:05", "09:5", "09.05", " 09:05", "24:00", "23:60", "09:05:00", "", "ab:cd"] {
            assert!(minute_of_day("start", bad, false).is_err(), "{bad:?}");
        }
        assert!(minute_of_day("end", "24:01", true).is_err());
        let late = ChairDayInput { start: "20:00".into(), end: "24:00".into(), ..input() }.validate().unwrap();
        assert_eq!(late.end_minute, 1440);
        let e = ChairDayInput { start: "24:00".into(), ..input() }.validate().unwrap_err();
        assert_eq!(fields(&e), ["start"]);
    }

    #[test]
    fn dates_are_exactly_yyyy_mm_dd() {
        assert!(parse_date("date", "2027-02-28").is_ok());
        for bad in ["2027-02-30", "2027-2-28", "27-02-28", "2027/02/28", "tomorrow", ""] {
            assert!(parse_date("date", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn an_organiser_is_named_as_such_and_a_service_is_required() {
        let bad = ChairDayInput {
            service_id: 0,
            organiser: ContactInput { name: " ".into(), email: "x".into(), phone: "call".into() },
            ..input()
        };
        let e = bad.validate().unwrap_err();
        assert_eq!(fields(&e), ["service_id", "organiser.name", "organiser.email", "organiser.phone"]);
    }

    #[test]
    fn two_hours_on_two_chairs_of_fifteen_minutes_is_sixteen_slots() {
        let slots = chair_slots(120, 15, 2, ChairBreaks::default());
        assert_eq!(slots.len(), 16);
        assert_eq!(slots[0], ChairSlot { start_offset: 0, chair: 1 });
        assert_eq!(slots[1], ChairSlot { start_offset: 0, chair: 2 });
        assert_eq!(slots[15], ChairSlot { start_offset: 105, chair: 2 });
        let ordered = slots.windows(2).all(|w| (w[0].start_offset, w[0].chair) < (w[1].start_offset, w[1].chair));
        assert!(ordered);
    }

    #[test]
    fn a_four_hour_day_drops_the_slot_holding_the_break() {
        let slots = chair_slots(240, 20, 1, ChairBreaks::default());
        let starts: Vec<i64> = slots.iter().map(|s| s.start_offset).collect();
        assert_eq!(starts, [0, 20, 40, 60, 80, 100, 140, 160, 180, 200, 220]);
        let unbroken = chair_slots(240, 20, 1, ChairBreaks::none());
        assert_eq!(unbroken.len(), 12);
    }

    #[test]
    fn chairs_break_one_after_another() {
        let slots = chair_slots(240, 20, 3, ChairBreaks::default());
        let missing = |chair: i64| -> Vec<i64> {
            (0..12)
                .map(|i| i * 20)
                .filter(|&at| !slots.iter().any(|s| s.chair == chair && s.start_offset == at))
                .collect()
        };
        assert_eq!(missing(1), [120]);
        assert_eq!(missing(2), [140]);
        assert_eq!(missing(3), [160]);
        let chairs_at = |at: i64| slots.iter().filter(|s| s.start_offset == at).count();
        assert!((0..12).all(|i| chairs_at(i * 20) >= 2), "never more than one chair resting at once here");
    }

    #[test]
    fn a_break_that_straddles_two_slots_drops_both() {
        let breaks = ChairBreaks { every_minutes: 25, length_minutes: 10 };
        let starts: Vec<i64> = chair_slots(60, 10, 1, breaks).iter().map(|s| s.start_offset).collect();
        // Breaks at 25..35 and 50..60.
        assert_eq!(starts, [0, 10, 40]);
    }

    #[test]
    fn nonsense_gives_no_slots_or_no_breaks_without_panicking() {
        assert!(chair_slots(120, 0, 2, ChairBreaks::default()).is_empty());
        assert!(chair_slots(120, -5, 2, ChairBreaks::default()).is_empty());
        assert!(chair_slots(120, 15, 0, ChairBreaks::default()).is_empty());
        assert!(chair_slots(-60, 15, 2, ChairBreaks::default()).is_empty());
        let no_period = ChairBreaks { every_minutes: 0, length_minutes: 10 };
        assert_eq!(chair_slots(240, 20, 1, no_period).len(), 12);
        let negative = ChairBreaks { every_minutes: -30, length_minutes: -10 };
        assert_eq!(chair_slots(240, 20, 1, negative).len(), 12);
        let huge = chair_slots(i64::MAX, i64::MAX, 1, ChairBreaks { every_minutes: i64::MAX, length_minutes: 5 });
        assert_eq!(huge, [ChairSlot { start_offset: 0, chair: 1 }]);
    }

    #[test]
    fn a_request_lists_its_own_slots() {
        let day = input().validate().unwrap();
        assert_eq!(day.slots(ChairBreaks::none()).len(), 32);
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;
        use proptest::test_runner::{Config, RngSeed};

        fn config() -> Config {
            Config { cases: 256, rng_seed: RngSeed::Fixed(11), failure_persistence: None, ..Config::default() }
        }

        proptest! {
            #![proptest_config(config())]

            /// Every slot lies inside the block on a real chair, none repeats, none touches its chair's break,
            /// and without breaks the sheet is full.
            #[test]
            fn slots_stay_inside_and_off_breaks(
                sittings in 1i64..40,
                slot in prop::sample::select(SLOT_LENGTHS.to_vec()),
                chairs in 1i64..=MAX_CHAIRS,
                every in 30i64..240,
                length in 0i64..30,
            ) {
                let block = sittings * slot;
                let breaks = ChairBreaks { every_minutes: every, length_minutes: length };
                let slots = chair_slots(block, slot, chairs, breaks);
                for w in slots.windows(2) {
                    prop_assert!((w[0].start_offset, w[0].chair) < (w[1].start_offset, w[1].chair));
                }
                for s in &slots {
                    prop_assert!(s.start_offset >= 0 && s.start_offset + slot <= block);
                    prop_assert!(s.start_offset % slot == 0);
                    prop_assert!((1..=chairs).contains(&s.chair));
                    let mut k = 1;
                    while k * every + (s.chair - 1) * slot < block {
                        let at = k * every + (s.chair - 1) * slot;
                        prop_assert!(length == 0 || s.start_offset + slot <= at || at + length <= s.start_offset);
                        k += 1;
                    }
                }
                let full = chair_slots(block, slot, chairs, ChairBreaks::none());
                prop_assert_eq!(full.len() as i64, sittings * chairs);
                prop_assert!(slots.len() <= full.len());
            }
        }
    }
}
