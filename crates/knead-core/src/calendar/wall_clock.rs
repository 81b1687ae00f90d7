//! How the practice writes times and dates for people: its clock (`12h` or `24h`) and its date style (a small
//! set of English locales). Pages, emails and documents all format through [`WallClock`], so a practice that
//! switches to a 24-hour clock sees it everywhere at once.
//!
//! The styles, in full:
//!
//! | | `12h` | `24h` |
//! |---|---|---|
//! | a time | `9:30 am`, `12:00 pm` (noon), `12:00 am` (midnight) | `09:30`, `12:00`, `00:00` |
//! | end of day (minute 1440) | `12:00 am` | `24:00` |
//! | a range | `9:30–10:30 am`, `11:30 am–12:30 pm` | `09:30–10:30` |
//!
//! | locale | day heading | full date | short date |
//! |---|---|---|---|
//! | `en-US`, `en-CA` | `Tuesday, December 1` | `Tuesday, December 1, 2026` | `Dec 1, 2026` |
//! | `en-GB`, `en-AU`, `en-NZ`, `en-IE` | `Tuesday 1 December` | `Tuesday 1 December 2026` | `1 Dec 2026` |
//!
//! Hours are written without a leading zero on a 12-hour clock and with one on a 24-hour clock, and minutes
//! always in full ("9:00 am", not "9 am"), so times in a column line up and read the same way everywhere.

use crate::validation::FieldError;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The practice's clock: 12-hour with am/pm (North America's habit, the default) or 24-hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TimeFormat {
    #[default]
    #[serde(rename = "12h")]
    H12,
    #[serde(rename = "24h")]
    H24,
}

impl TimeFormat {
    pub const ALL: [TimeFormat; 2] = [TimeFormat::H12, TimeFormat::H24];

    /// The name the API and forms use: `12h` or `24h`.
    pub fn as_str(self) -> &'static str {
        match self {
            TimeFormat::H12 => "12h",
            TimeFormat::H24 => "24h",
        }
    }

    /// Reads `12h` or `24h`; anything else is an error naming `field`.
    pub fn parse(field: &str, text: &str) -> Result<TimeFormat, FieldError> {
        let text = text.trim();
        TimeFormat::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(text))
            .ok_or_else(|| FieldError::new("invalid", field, "must be 12h or 24h"))
    }

    /// A local time of day: `2:30 pm` or `14:30`.
    pub fn time(self, t: Time) -> String {
        self.minutes(i64::from(t.hour()) * 60 + i64::from(t.minute()))
    }

    /// A wall-clock minute of the day, 0 to 1440 (1440 is the end of the day: `12:00 am` or `24:00`); a value
    /// outside the day is taken within it.
    pub fn minutes(self, minute_of_day: i64) -> String {
        let (hour, minute) = hour_minute(minute_of_day);
        match self {
            TimeFormat::H24 => format!("{hour:02}:{minute:02}"),
            TimeFormat::H12 => format!("{}:{minute:02} {}", twelve(hour), half(hour)),
        }
    }

    /// Two minutes of the day as a range: `9:30–10:30 am`, `11:30 am–12:30 pm`, `09:30–10:30`. On a 12-hour
    /// clock the am/pm is written once when both ends are in the same half of the same day (a range that ends
    /// at or past midnight writes both).
    pub fn minutes_range(self, start: i64, end: i64) -> String {
        match self {
            TimeFormat::H24 => format!("{}–{}", self.minutes(start), self.minutes(end)),
            TimeFormat::H12 => {
                let ((sh, sm), (eh, em)) = (hour_minute(start), hour_minute(end));
                let same_half = (sh < 12) == (eh < 12) && (sh, sm) <= (eh, em) && eh < 24;
                if same_half {
                    format!("{}:{sm:02}–{}", twelve(sh), self.minutes(end))
                } else {
                    format!("{}–{}", self.minutes(start), self.minutes(end))
                }
            }
        }
    }
}

/// Hour (0 to 24) and minute of a minute of the day; 1440 stays 24:00, anything else is taken within the day.
fn hour_minute(minute_of_day: i64) -> (i64, i64) {
    let m = if minute_of_day == 24 * 60 { minute_of_day } else { minute_of_day.rem_euclid(24 * 60) };
    (m / 60, m % 60)
}

fn twelve(hour: i64) -> i64 {
    match hour % 12 {
        0 => 12,
        h => h,
    }
}

/// `am` before noon (and at the day's end, which is the next midnight), `pm` from noon.
fn half(hour: i64) -> &'static str {
    if (12..24).contains(&hour) {
        "pm"
    } else {
        "am"
    }
}

/// How the practice writes dates: one of a few English locales. `en-US` and `en-CA` put the month first,
/// the others the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Locale {
    #[serde(rename = "en-US")]
    EnUs,
    #[default]
    #[serde(rename = "en-CA")]
    EnCa,
    #[serde(rename = "en-GB")]
    EnGb,
    #[serde(rename = "en-AU")]
    EnAu,
    #[serde(rename = "en-NZ")]
    EnNz,
    #[serde(rename = "en-IE")]
    EnIe,
}

impl Locale {
    pub const ALL: [Locale; 6] = [Locale::EnUs, Locale::EnCa, Locale::EnGb, Locale::EnAu, Locale::EnNz, Locale::EnIe];

    /// The BCP 47 tag: `en-CA`.
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::EnUs => "en-US",
            Locale::EnCa => "en-CA",
            Locale::EnGb => "en-GB",
            Locale::EnAu => "en-AU",
            Locale::EnNz => "en-NZ",
            Locale::EnIe => "en-IE",
        }
    }

    /// Its name for a list to choose from.
    pub fn label(self) -> &'static str {
        match self {
            Locale::EnUs => "English (United States)",
            Locale::EnCa => "English (Canada)",
            Locale::EnGb => "English (United Kingdom)",
            Locale::EnAu => "English (Australia)",
            Locale::EnNz => "English (New Zealand)",
            Locale::EnIe => "English (Ireland)",
        }
    }

    /// Reads a tag (`en-CA`, any case, `_` for `-`); anything else is an error naming `field`.
    pub fn parse(field: &str, text: &str) -> Result<Locale, FieldError> {
        let text = text.trim().replace('_', "-");
        Locale::ALL.into_iter().find(|l| l.as_str().eq_ignore_ascii_case(&text)).ok_or_else(|| {
            let tags: Vec<&str> = Locale::ALL.iter().map(|l| l.as_str()).collect();
            FieldError::new("invalid", field, format!("must be one of {}", tags.join(", ")))
        })
    }

    fn month_first(self) -> bool {
        matches!(self, Locale::EnUs | Locale::EnCa)
    }

    /// A day's heading: `Tuesday, December 1` or `Tuesday 1 December`.
    pub fn day_heading(self, date: Date) -> String {
        if self.month_first() {
            date.strftime("%A, %B %-d").to_string()
        } else {
            date.strftime("%A %-d %B").to_string()
        }
    }

    /// A date in full: `Tuesday, December 1, 2026` or `Tuesday 1 December 2026`.
    pub fn full_date(self, date: Date) -> String {
        if self.month_first() {
            date.strftime("%A, %B %-d, %Y").to_string()
        } else {
            date.strftime("%A %-d %B %Y").to_string()
        }
    }

    /// A date in short, for lists and tables: `Dec 1, 2026` or `1 Dec 2026`.
    pub fn short_date(self, date: Date) -> String {
        if self.month_first() {
            date.strftime("%b %-d, %Y").to_string()
        } else {
            date.strftime("%-d %b %Y").to_string()
        }
    }
}

/// The practice's clock and date style together: what every page, email and document formats with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WallClock {
    pub time_format: TimeFormat,
    pub locale: Locale,
}

impl WallClock {
    /// An instant's wall-clock time in `tz`: `2:30 pm` or `14:30`.
    pub fn clock(&self, tz: &TimeZone, ts: Timestamp) -> String {
        self.time_format.time(ts.to_zoned(tz.clone()).time())
    }

    /// A wall-clock minute of the day (0 to 1440).
    pub fn minutes(&self, minute_of_day: i64) -> String {
        self.time_format.minutes(minute_of_day)
    }

    /// A range of wall-clock minutes: `9:30–10:30 am` or `09:30–10:30`.
    pub fn minutes_range(&self, start: i64, end: i64) -> String {
        self.time_format.minutes_range(start, end)
    }

    pub fn day_heading(&self, date: Date) -> String {
        self.locale.day_heading(date)
    }

    pub fn full_date(&self, date: Date) -> String {
        self.locale.full_date(date)
    }

    pub fn short_date(&self, date: Date) -> String {
        self.locale.short_date(date)
    }

    /// An instant's date and time in `tz`, short: `Dec 1, 2026, 2:30 pm` or `1 Dec 2026, 14:30`.
    pub fn date_time(&self, tz: &TimeZone, ts: Timestamp) -> String {
        let local = ts.to_zoned(tz.clone());
        format!("{}, {}", self.locale.short_date(local.date()), self.time_format.time(local.time()))
    }

    /// A visit's date and times in `tz`: `Tuesday, December 1, 2026, 9:30–10:30 am` or
    /// `Tuesday 1 December 2026, 09:30–10:30`. The date is the start's.
    pub fn when(&self, tz: &TimeZone, start: Timestamp, end: Timestamp) -> String {
        let (s, e) = (start.to_zoned(tz.clone()), end.to_zoned(tz.clone()));
        let minute = |t: Time| i64::from(t.hour()) * 60 + i64::from(t.minute());
        format!("{}, {}", self.locale.full_date(s.date()), self.minutes_range(minute(s.time()), minute(e.time())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    #[test]
    fn a_twelve_hour_clock_names_noon_and_midnight_plainly() {
        let f = TimeFormat::H12;
        assert_eq!(f.time(time(0, 0, 0, 0)), "12:00 am");
        assert_eq!(f.time(time(0, 5, 0, 0)), "12:05 am");
        assert_eq!(f.time(time(9, 30, 0, 0)), "9:30 am");
        assert_eq!(f.time(time(11, 59, 0, 0)), "11:59 am");
        assert_eq!(f.time(time(12, 0, 0, 0)), "12:00 pm");
        assert_eq!(f.time(time(12, 30, 0, 0)), "12:30 pm");
        assert_eq!(f.time(time(14, 30, 0, 0)), "2:30 pm");
        assert_eq!(f.time(time(23, 59, 59, 0)), "11:59 pm", "seconds are dropped, not rounded");
        assert_eq!(f.minutes(24 * 60), "12:00 am", "the end of the day is the next midnight");
    }

    #[test]
    fn a_twenty_four_hour_clock_pads_the_hour() {
        let f = TimeFormat::H24;
        assert_eq!(f.time(time(0, 0, 0, 0)), "00:00");
        assert_eq!(f.time(time(9, 30, 0, 0)), "09:30");
        assert_eq!(f.time(time(12, 0, 0, 0)), "12:00");
        assert_eq!(f.time(time(14, 30, 0, 0)), "14:30");
        assert_eq!(f.minutes(24 * 60), "24:00");
        assert_eq!(f.minutes(-30), "23:30", "outside the day is taken within it");
        assert_eq!(f.minutes(25 * 60), "01:00");
    }

    #[test]
    fn ranges_write_am_or_pm_once_when_both_ends_share_it() {
        let h12 = TimeFormat::H12;
        assert_eq!(h12.minutes_range(9 * 60 + 30, 10 * 60 + 30), "9:30–10:30 am");
        assert_eq!(h12.minutes_range(11 * 60 + 30, 12 * 60 + 30), "11:30 am–12:30 pm");
        assert_eq!(h12.minutes_range(13 * 60, 17 * 60), "1:00–5:00 pm");
        assert_eq!(h12.minutes_range(0, 24 * 60), "12:00 am–12:00 am");
        assert_eq!(h12.minutes_range(20 * 60, 24 * 60), "8:00 pm–12:00 am");
        assert_eq!(TimeFormat::H24.minutes_range(9 * 60 + 30, 10 * 60 + 30), "09:30–10:30");
    }

    #[test]
    fn dates_follow_the_locale() {
        let d = date(2026, 12, 1);
        assert_eq!(Locale::EnUs.day_heading(d), "Tuesday, December 1");
        assert_eq!(Locale::EnCa.full_date(d), "Tuesday, December 1, 2026");
        assert_eq!(Locale::EnCa.short_date(d), "Dec 1, 2026");
        assert_eq!(Locale::EnGb.day_heading(d), "Tuesday 1 December");
        assert_eq!(Locale::EnAu.full_date(d), "Tuesday 1 December 2026");
        assert_eq!(Locale::EnIe.short_date(d), "1 Dec 2026");
    }

    #[test]
    fn a_visit_reads_as_its_date_and_times() {
        let tz = TimeZone::get("America/Toronto").unwrap();
        let start: Timestamp = "2026-12-01T14:30:00Z".parse().unwrap();
        let end: Timestamp = "2026-12-01T15:30:00Z".parse().unwrap();
        let us = WallClock::default();
        assert_eq!(us.when(&tz, start, end), "Tuesday, December 1, 2026, 9:30–10:30 am");
        assert_eq!(us.clock(&tz, start), "9:30 am");
        assert_eq!(us.date_time(&tz, start), "Dec 1, 2026, 9:30 am");
        let gb = WallClock { time_format: TimeFormat::H24, locale: Locale::EnGb };
        assert_eq!(gb.when(&tz, start, end), "Tuesday 1 December 2026, 09:30–10:30");
        assert_eq!(gb.date_time(&tz, start), "1 Dec 2026, 09:30");
    }

    #[test]
    fn names_are_read_back_and_others_refused_naming_the_field() {
        for f in TimeFormat::ALL {
            assert_eq!(TimeFormat::parse("time_format", f.as_str()), Ok(f));
            assert_eq!(serde_json::to_value(f).unwrap(), f.as_str());
        }
        for l in Locale::ALL {
            assert_eq!(Locale::parse("locale", l.as_str()), Ok(l));
            assert_eq!(serde_json::to_value(l).unwrap(), l.as_str());
        }
        assert_eq!(Locale::parse("locale", " en_gb "), Ok(Locale::EnGb));
        let refused = TimeFormat::parse("time_format", "24").unwrap_err();
        assert_eq!((refused.field.as_str(), refused.detail.as_str()), ("time_format", "must be 12h or 24h"));
        let refused = Locale::parse("locale", "fr-CA").unwrap_err();
        assert_eq!(refused.field, "locale");
        assert!(refused.detail.contains("en-US") && refused.detail.contains("en-GB"), "{}", refused.detail);
        assert!(serde_json::from_value::<TimeFormat>("12".into()).is_err());
    }
}
