//! Dates and times from outside: query dates (YYYY-MM-DD), RFC 3339 starts with offsets, clock times of
//! working hours ("09:30") and the practice's zone name. What the edge accepts lies in the years requests may
//! name and shows the same value again when formatted and parsed back; any date at all, even one the edge
//! refuses, places in a zone without a panic.
#![no_main]

use jiff::civil::Date;
use knead_core::calendar::{
    check_instant, format_clock, format_rfc3339, local_date, local_day, parse_clock, parse_date, parse_instant, Zone,
    EARLIEST_DATE, LATEST_DATE,
};
use knead_core::schedule::MAX_DAY_MINUTES;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let zones = knead_fuzz::zones();

    // Anything jiff reads as a date, out to its limits: placing it saturates rather than panics.
    if let Ok(date) = text.trim().parse::<Date>() {
        assert_eq!(date.to_string().parse::<Date>().ok(), Some(date), "{text:?}");
        for tz in &zones {
            let day = local_day(tz, date);
            assert!(day.origin <= day.end, "{date}: {day:?}");
        }
    }

    // A query date as the edge reads it: in range, read back as itself, one day of 22 to 26 hours.
    match parse_date("date", text) {
        Ok(date) => {
            assert!((EARLIEST_DATE..=LATEST_DATE).contains(&date), "{text:?} -> {date}");
            assert_eq!(parse_date("date", &date.to_string()).ok(), Some(date), "{text:?}");
            for tz in &zones {
                let day = local_day(tz, date);
                let hours = day.end - day.origin;
                assert!((22 * 60..=MAX_DAY_MINUTES).contains(&hours), "{date} lasts {hours} minutes in {tz:?}");
            }
        }
        Err(e) => assert_eq!(e.field, "date"),
    }

    // A start: in range, and shown in any zone it reads back as the same instant, or (when the zone's offset
    // carries it across the last or first accepted date) is refused as out of range, never misread.
    match parse_instant("start", text) {
        Ok(start) => {
            assert!(check_instant("start", start).is_ok(), "{text:?}");
            for tz in &zones {
                let shown = format_rfc3339(tz, start);
                match parse_instant("start", &shown) {
                    Ok(read) => assert_eq!(read, start, "{text:?} shown as {shown}"),
                    Err(e) => assert_eq!(e.code, "out_of_range", "{text:?} shown as {shown}"),
                }
                let _ = local_date(tz, start);
            }
        }
        Err(e) => assert_eq!(e.field, "start"),
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
