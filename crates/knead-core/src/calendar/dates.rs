//! Dates and instants from outside, checked once at the edge, and date arithmetic that cannot panic.
//!
//! jiff represents the years -9999 to 9999 and panics when `+` or `-` leaves that range. A date typed into a
//! query (`9999-12-31`) reaches that edge a day, a week or a time zone's offset later, so every date and
//! instant the outside world sends is held to [`EARLIEST_DATE`]..=[`LATEST_DATE`]: wider than any practice's
//! history or plans, and far enough from jiff's limits that a week's arithmetic or a 25-hour day around it
//! stays inside them. The arithmetic below saturates as well, so nothing that slips past a check panics.

use crate::validation::FieldError;
use jiff::civil::{date, Date};
use jiff::{SignedDuration, Span, Timestamp};

/// The earliest date a request may name.
pub const EARLIEST_DATE: Date = date(1900, 1, 1);
/// The latest date a request may name.
pub const LATEST_DATE: Date = date(2999, 12, 31);

/// Offsets must be less than a day either way, as RFC 3339 says (`+25:00` is not an offset on Earth).
const MAX_OFFSET_SECONDS: i32 = 24 * 3600;

fn out_of_range(field: &str) -> FieldError {
    FieldError::new("out_of_range", field, format!("must be between {EARLIEST_DATE} and {LATEST_DATE}"))
}

/// `date` if it lies in the range requests may name; otherwise an error naming `field`.
pub fn check_date(field: &str, date: Date) -> Result<Date, FieldError> {
    if (EARLIEST_DATE..=LATEST_DATE).contains(&date) {
        Ok(date)
    } else {
        Err(out_of_range(field))
    }
}

/// A date as a form or query gives it (`2026-12-01`), within the range requests may name.
pub fn parse_date(field: &str, text: &str) -> Result<Date, FieldError> {
    let date =
        text.trim().parse::<Date>().map_err(|_| FieldError::new("invalid", field, "must be a date like 2026-12-01"))?;
    check_date(field, date)
}

/// An instant with an explicit offset (a bare local time is ambiguous around daylight-saving changes), an
/// offset of less than a day, on a date within the range requests may name.
pub fn parse_instant(field: &str, text: &str) -> Result<Timestamp, FieldError> {
    let text = text.trim();
    let invalid =
        || FieldError::new("invalid", field, "must be an RFC 3339 time with an offset, e.g. 2026-12-01T10:00:00-05:00");
    let ts = text.parse::<Timestamp>().map_err(|_| invalid())?;
    // jiff reads offsets up to ±25:59:59; the offset is read again from the text to hold it to RFC 3339's.
    let pieces = jiff::fmt::temporal::Pieces::parse(text).map_err(|_| invalid())?;
    let offset = pieces.to_numeric_offset().ok_or_else(invalid)?;
    if offset.seconds().abs() >= MAX_OFFSET_SECONDS {
        return Err(FieldError::new("invalid", field, "must have an offset between -23:59 and +23:59, e.g. -05:00"));
    }
    // The instant's date in UTC and as written differ by at most a day, so both must lie in the range.
    check_date(field, pieces.date())?;
    check_instant(field, ts)
}

/// `ts` if its date (in UTC) lies in the range requests may name; otherwise an error naming `field`.
pub fn check_instant(field: &str, ts: Timestamp) -> Result<Timestamp, FieldError> {
    check_date(field, ts.to_zoned(jiff::tz::TimeZone::UTC).date()).map(|_| ts)
}

/// `date` moved by `days`, stopping at jiff's first or last date rather than panicking.
pub fn add_days(date: Date, days: i64) -> Date {
    match Span::new().try_days(days) {
        Ok(span) => date.saturating_add(span),
        Err(_) if days < 0 => Date::MIN,
        Err(_) => Date::MAX,
    }
}

/// `date` moved by `days` if the result lies in the range requests may name: a link to another day.
pub fn step_days(date: Date, days: i64) -> Option<Date> {
    check_date("date", add_days(date, days)).ok()
}

/// `ts` moved by `minutes`, stopping at jiff's first or last instant rather than panicking.
pub fn add_minutes(ts: Timestamp, minutes: i64) -> Timestamp {
    let shift = SignedDuration::from_secs(minutes.saturating_mul(60));
    ts.checked_add(shift).unwrap_or(if minutes < 0 { Timestamp::MIN } else { Timestamp::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_far_out_are_refused_naming_the_field() {
        assert_eq!(parse_date("from", "2026-12-01"), Ok(date(2026, 12, 1)));
        assert_eq!(parse_date("from", " 2026-12-01 "), Ok(date(2026, 12, 1)));
        for far in ["9999-12-31", "-009999-01-01", "3000-01-01", "1899-12-31"] {
            let e = parse_date("from", far).unwrap_err();
            assert_eq!((e.code, e.field.as_str()), ("out_of_range", "from"), "{far}");
        }
        assert_eq!(parse_date("date", "tomorrow").unwrap_err().code, "invalid");
        assert_eq!(parse_date("date", "2026-02-30").unwrap_err().code, "invalid");
    }

    #[test]
    fn instants_need_an_earthly_offset_and_a_date_in_range() {
        let ok = parse_instant("start", "2026-12-10T10:00:00-05:00").unwrap();
        assert_eq!(ok, "2026-12-10T15:00:00Z".parse::<Timestamp>().unwrap());
        assert!(parse_instant("start", "2026-12-10T10:00:00+23:59").is_ok());
        assert!(parse_instant("start", "2026-12-10T10:00:00Z").is_ok());
        for bad in ["2026-12-10T10:00:00+25:00", "2026-12-10T10:00:00-24:00", "2026-12-10T10:00:00+24:00"] {
            let e = parse_instant("start", bad).unwrap_err();
            assert_eq!((e.code, e.field.as_str()), ("invalid", "start"), "{bad}");
            assert!(e.detail.contains("offset"), "{}", e.detail);
        }
        for far in ["9999-12-30T10:00:00-05:00", "2999-12-31T23:00:00-05:00", "1899-12-31T23:00:00Z"] {
            let e = parse_instant("start", far).unwrap_err();
            assert_eq!((e.code, e.field.as_str()), ("out_of_range", "start"), "{far}");
        }
        assert_eq!(parse_instant("start", "2026-12-10T10:00:00").unwrap_err().code, "invalid", "no offset");
        assert_eq!(parse_instant("start", "tomorrow at ten").unwrap_err().code, "invalid");
        assert_eq!(check_instant("end", Timestamp::MAX).unwrap_err().field, "end");
        assert_eq!(check_instant("end", ok), Ok(ok));
    }

    #[test]
    fn arithmetic_saturates_at_jiffs_ends_and_steps_stay_in_range() {
        assert_eq!(add_days(Date::MAX, 1), Date::MAX);
        assert_eq!(add_days(Date::MIN, -7), Date::MIN);
        assert_eq!(add_days(date(2026, 1, 1), i64::MAX), Date::MAX);
        assert_eq!(add_days(date(2026, 1, 1), i64::MIN), Date::MIN);
        assert_eq!(add_days(date(2026, 12, 31), 1), date(2027, 1, 1));
        assert_eq!(step_days(LATEST_DATE, 1), None);
        assert_eq!(step_days(EARLIEST_DATE, -1), None);
        assert_eq!(step_days(LATEST_DATE, -7), Some(date(2999, 12, 24)));
        assert_eq!(add_minutes(Timestamp::MAX, 60), Timestamp::MAX);
        assert_eq!(add_minutes(Timestamp::MIN, -60), Timestamp::MIN);
        assert_eq!(add_minutes(Timestamp::UNIX_EPOCH, i64::MAX), Timestamp::MAX);
        assert_eq!(add_minutes(Timestamp::UNIX_EPOCH, 90).as_second(), 5400);
    }
}
