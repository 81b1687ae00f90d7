//! Dates and times from outside: query dates (YYYY-MM-DD), RFC 3339 starts with offsets, clock times of
//! working hours ("09:30") and the practice's zone name. What a parser accepts must show the same value
//! again when formatted and parsed back, and place in the practice's zone without a panic.
#![no_main]

use jiff::civil::Date;
use knead_core::booking::parse_instant;
use knead_core::calendar::{format_clock, format_rfc3339, local_date, local_day, parse_clock, Zone};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let zones = knead_fuzz::zones();

    if let Ok(date) = text.trim().parse::<Date>() {
        assert_eq!(date.to_string().parse::<Date>().ok(), Some(date), "{text:?}");
        if knead_fuzz::placeable(date) {
            for tz in &zones {
                let day = local_day(tz, date);
                assert!((22 * 60..=26 * 60).contains(&(day.end - day.origin)), "{date} lasts {day:?}");
            }
        }
    }

    if let Ok(start) = parse_instant("start", text) {
        for tz in &zones {
            let shown = format_rfc3339(tz, start);
            assert_eq!(parse_instant("start", &shown).ok(), Some(start), "{text:?} shown as {shown}");
            let _ = local_date(tz, start);
        }
    }

    if let Ok(minute) = parse_clock("start", text) {
        assert!((0..=24 * 60).contains(&minute), "{text:?} -> {minute}");
        assert_eq!(parse_clock("start", &format_clock(minute)).ok(), Some(minute), "{text:?}");
    }

    if let Ok(zone) = Zone::parse("time_zone", text) {
        let day = local_day(zone.tz(), jiff::civil::date(2026, 3, 8));
        assert!(day.end > day.origin, "{text:?}");
    }
});
