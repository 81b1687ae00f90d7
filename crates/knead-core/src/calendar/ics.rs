//! iCalendar files (RFC 5545) for visits: what a client adds to their calendar, and later what every message
//! about a visit carries.
//!
//! The event is written in the practice's zone (`DTSTART;TZID=…`) with that zone's rules as a `VTIMEZONE`,
//! so a calendar that never heard of the zone still places the visit right on both sides of a daylight-saving
//! change. The `VTIMEZONE` lists the zone's actual transitions around the visit (from the one in effect at
//! its start to a year after its end), read from jiff's time-zone database, rather than a recurrence rule
//! that would have to be derived and could be wrong for a zone whose rules change.
//!
//! Writing it ourselves is a few dozen lines (text escaping, line folding, the transitions); the iCalendar
//! crates we looked at build events well but do not produce a `VTIMEZONE` from a zone.

use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};

/// One visit as a calendar event.
#[derive(Debug, Clone, PartialEq)]
pub struct VisitEvent {
    /// Stable for the visit across every file and message about it, so a calendar updates (or cancels) the
    /// same event.
    pub uid: String,
    /// Raised on each change, so a calendar takes the newer file over the older one.
    pub sequence: u32,
    pub start: Timestamp,
    pub end: Timestamp,
    /// What the visit is ("Swedish massage with Lakeshore Mobile Spa"); never health information.
    pub summary: String,
    /// Where: the client's address for a mobile visit, the clinic's for a clinic visit.
    pub location: Option<String>,
    /// Free text: how to reach the practice, how to change the booking.
    pub description: String,
    pub status: EventStatus,
}

/// The event's `STATUS`; a cancelled one also makes the file `METHOD:CANCEL`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventStatus {
    Confirmed,
    /// Held, not yet confirmed (a booking awaiting a physician's clearance).
    Tentative,
    Cancelled,
}

/// The `.ics` file for `event` in `zone`, stamped `now`. Lines end in CRLF and are folded at 75 octets.
pub fn visit_calendar(event: &VisitEvent, zone: &TimeZone, now: Timestamp) -> String {
    let tzid = zone.iana_name().unwrap_or("UTC");
    let mut out = Lines::default();
    let cancelled = event.status == EventStatus::Cancelled;
    head(&mut out, if cancelled { "METHOD:CANCEL" } else { "METHOD:PUBLISH" });
    timezone(&mut out, tzid, zone, event.start, event.end);
    vevent(&mut out, event, tzid, zone, now);
    out.line("END:VCALENDAR");
    out.0
}

/// A calendar feed: every event of `events` in one file named `name`, with one `VTIMEZONE` spanning them.
pub fn feed_calendar(name: &str, events: &[VisitEvent], zone: &TimeZone, now: Timestamp) -> String {
    let tzid = zone.iana_name().unwrap_or("UTC");
    let mut out = Lines::default();
    head(&mut out, "METHOD:PUBLISH");
    out.line(&format!("X-WR-CALNAME:{}", escape(name)));
    out.line(&format!("X-WR-TIMEZONE:{tzid}"));
    let first = events.iter().map(|e| e.start).min().unwrap_or(now);
    let last = events.iter().map(|e| e.end).max().unwrap_or(now);
    timezone(&mut out, tzid, zone, first, last);
    for event in events {
        vevent(&mut out, event, tzid, zone, now);
    }
    out.line("END:VCALENDAR");
    out.0
}

fn head(out: &mut Lines, method: &str) {
    out.line("BEGIN:VCALENDAR");
    out.line("VERSION:2.0");
    out.line("PRODID:-//knead//knead//EN");
    out.line("CALSCALE:GREGORIAN");
    out.line(method);
}

fn vevent(out: &mut Lines, event: &VisitEvent, tzid: &str, zone: &TimeZone, now: Timestamp) {
    out.line("BEGIN:VEVENT");
    out.line(&format!("UID:{}", escape(&event.uid)));
    out.line(&format!("DTSTAMP:{}", utc(now)));
    out.line(&format!("SEQUENCE:{}", event.sequence));
    out.line(match event.status {
        EventStatus::Confirmed => "STATUS:CONFIRMED",
        EventStatus::Tentative => "STATUS:TENTATIVE",
        EventStatus::Cancelled => "STATUS:CANCELLED",
    });
    out.line(&format!("DTSTART;TZID={tzid}:{}", local(event.start, zone)));
    out.line(&format!("DTEND;TZID={tzid}:{}", local(event.end, zone)));
    out.line(&format!("SUMMARY:{}", escape(&event.summary)));
    if let Some(location) = event.location.as_deref().filter(|l| !l.trim().is_empty()) {
        out.line(&format!("LOCATION:{}", escape(location)));
    }
    if !event.description.trim().is_empty() {
        out.line(&format!("DESCRIPTION:{}", escape(&event.description)));
    }
    out.line("END:VEVENT");
}

/// The zone's observances from the one in effect at `start` to a year after `end`; a zone without
/// transitions (UTC, a fixed offset) gets one standard observance.
fn timezone(out: &mut Lines, tzid: &str, zone: &TimeZone, start: Timestamp, end: Timestamp) {
    out.line("BEGIN:VTIMEZONE");
    out.line(&format!("TZID:{tzid}"));
    let horizon = end.checked_add(SignedDuration::from_hours(24 * 366)).unwrap_or(end);
    let in_effect = zone.preceding(start.checked_add(SignedDuration::from_secs(1)).unwrap_or(start)).next();
    let later = zone.following(start).take_while(|t| t.timestamp() <= horizon);
    let mut any = false;
    for transition in in_effect.into_iter().chain(later) {
        let at = transition.timestamp();
        let before = zone.to_offset(at.checked_sub(SignedDuration::from_secs(1)).unwrap_or(at));
        let kind = if transition.dst().is_dst() { "DAYLIGHT" } else { "STANDARD" };
        observance(out, kind, before, transition.offset(), transition.abbreviation(), at);
        any = true;
    }
    if !any {
        let offset = zone.to_offset(start);
        out.line("BEGIN:STANDARD");
        out.line("DTSTART:19700101T000000");
        out.line(&format!("TZOFFSETFROM:{}", offset_text(offset)));
        out.line(&format!("TZOFFSETTO:{}", offset_text(offset)));
        out.line("END:STANDARD");
    }
    out.line("END:VTIMEZONE");
}

/// One observance: from `at` (written, as RFC 5545 asks, in the local time of the offset before it) the
/// zone is at `to`.
fn observance(out: &mut Lines, kind: &str, from: Offset, to: Offset, name: &str, at: Timestamp) {
    out.line(&format!("BEGIN:{kind}"));
    out.line(&format!("DTSTART:{}", at.to_zoned(TimeZone::fixed(from)).strftime("%Y%m%dT%H%M%S")));
    out.line(&format!("TZOFFSETFROM:{}", offset_text(from)));
    out.line(&format!("TZOFFSETTO:{}", offset_text(to)));
    if !name.is_empty() {
        out.line(&format!("TZNAME:{}", escape(name)));
    }
    out.line(&format!("END:{kind}"));
}

/// `+0200`, `-0330`, or `+013045` when the offset has seconds.
fn offset_text(offset: Offset) -> String {
    let total = offset.seconds();
    let sign = if total < 0 { '-' } else { '+' };
    let total = total.unsigned_abs();
    let (hours, minutes, seconds) = (total / 3600, total % 3600 / 60, total % 60);
    if seconds == 0 {
        format!("{sign}{hours:02}{minutes:02}")
    } else {
        format!("{sign}{hours:02}{minutes:02}{seconds:02}")
    }
}

fn utc(at: Timestamp) -> String {
    at.strftime("%Y%m%dT%H%M%SZ").to_string()
}

fn local(at: Timestamp, zone: &TimeZone) -> String {
    at.to_zoned(zone.clone()).strftime("%Y%m%dT%H%M%S").to_string()
}

/// RFC 5545 TEXT: backslash, semicolon and comma escaped, line breaks as `\n`, other control characters
/// dropped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let text = text.replace("\r\n", "\n");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' | '\r' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Content lines, each folded at 75 octets (never inside a character) and ended with CRLF.
#[derive(Default)]
struct Lines(String);

impl Lines {
    fn line(&mut self, line: &str) {
        let mut width = 0;
        for c in line.chars() {
            let size = c.len_utf8();
            if width + size > 75 {
                self.0.push_str("\r\n ");
                width = 1;
            }
            self.0.push(c);
            width += size;
        }
        self.0.push_str("\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn helsinki() -> TimeZone {
        TimeZone::get("Europe/Helsinki").unwrap()
    }

    fn event(start: &str, minutes: i64) -> VisitEvent {
        let start: Timestamp = start.parse().unwrap();
        VisitEvent {
            uid: "booking-7.1700000000@knead".into(),
            sequence: 0,
            start,
            end: start + SignedDuration::from_mins(minutes),
            summary: "Swedish massage with Lakeshore Mobile Spa".into(),
            location: Some("Yrjönkatu 15, Helsinki".into()),
            description: "Questions: +358 40 000 0000".into(),
            status: EventStatus::Confirmed,
        }
    }

    /// The file with its folded lines joined again.
    fn unfolded(text: &str) -> Vec<String> {
        text.replace("\r\n ", "").split("\r\n").filter(|l| !l.is_empty()).map(str::to_string).collect()
    }

    #[test]
    fn a_visit_after_the_spring_change_is_written_in_local_time_with_the_zones_rules() {
        // 2027-03-28 is the day Helsinki moves from +02 to +03 (at 03:00 local); a visit at 10:00 local
        // is 07:00 UTC.
        let file =
            visit_calendar(&event("2027-03-28T07:00:00Z", 60), &helsinki(), "2026-12-01T10:00:00Z".parse().unwrap());
        let lines = unfolded(&file);
        assert!(lines.contains(&"DTSTART;TZID=Europe/Helsinki:20270328T100000".to_string()), "{file}");
        assert!(lines.contains(&"DTEND;TZID=Europe/Helsinki:20270328T110000".to_string()), "{file}");
        assert!(lines.contains(&"DTSTAMP:20261201T100000Z".to_string()));
        // The change itself: at 03:00 local in the old offset (01:00 UTC), from +0200 to +0300.
        let daylight = lines.iter().position(|l| l == "BEGIN:DAYLIGHT").expect("a daylight observance");
        assert_eq!(lines[daylight + 1], "DTSTART:20270328T030000");
        assert_eq!(lines[daylight + 2], "TZOFFSETFROM:+0200");
        assert_eq!(lines[daylight + 3], "TZOFFSETTO:+0300");
        // The autumn change back, 2027-10-31 at 04:00 local (+03).
        assert!(file.contains("DTSTART:20271031T040000\r\nTZOFFSETFROM:+0300\r\nTZOFFSETTO:+0200"), "{file}");
        assert!(lines.contains(&"METHOD:PUBLISH".to_string()) && lines.contains(&"STATUS:CONFIRMED".to_string()));
    }

    #[test]
    fn a_cancellation_cancels_the_same_uid_with_a_higher_sequence() {
        let mut cancelled = event("2027-10-31T08:00:00Z", 90);
        cancelled.status = EventStatus::Cancelled;
        cancelled.sequence = 2;
        let file = visit_calendar(&cancelled, &helsinki(), "2027-10-01T00:00:00Z".parse().unwrap());
        let lines = unfolded(&file);
        for expected in ["METHOD:CANCEL", "STATUS:CANCELLED", "SEQUENCE:2", "UID:booking-7.1700000000@knead"] {
            assert!(lines.contains(&expected.to_string()), "{expected} in {file}");
        }
        // After the autumn change: 08:00 UTC is 10:00 at +02.
        assert!(lines.contains(&"DTSTART;TZID=Europe/Helsinki:20271031T100000".to_string()), "{file}");
    }

    #[test]
    fn text_is_escaped_and_long_lines_fold_without_splitting_a_character() {
        let mut e = event("2027-01-10T10:00:00Z", 60);
        e.location = Some("Mannerheimintie 1, 2. kerros; ovi B\\C".into());
        e.description = format!("{}\nsecond line\u{7}", "ä".repeat(80));
        let file = visit_calendar(&e, &helsinki(), "2027-01-01T00:00:00Z".parse().unwrap());
        for line in file.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        let lines = unfolded(&file);
        assert!(lines.contains(&"LOCATION:Mannerheimintie 1\\, 2. kerros\\; ovi B\\\\C".to_string()), "{file}");
        let description = lines.iter().find(|l| l.starts_with("DESCRIPTION:")).unwrap();
        assert_eq!(description, &format!("DESCRIPTION:{}\\nsecond line", "ä".repeat(80)));
    }

    #[test]
    fn a_zone_without_changes_has_one_standard_observance() {
        let file =
            visit_calendar(&event("2027-03-28T07:00:00Z", 60), &TimeZone::UTC, "2027-01-01T00:00:00Z".parse().unwrap());
        let lines = unfolded(&file);
        assert!(lines.contains(&"DTSTART;TZID=UTC:20270328T070000".to_string()), "{file}");
        assert_eq!(lines.iter().filter(|l| l.starts_with("BEGIN:STANDARD")).count(), 1, "{file}");
        assert!(lines.contains(&"TZOFFSETTO:+0000".to_string()));
        assert!(!file.contains("DAYLIGHT"));
    }

    #[test]
    fn a_feed_holds_every_event_with_one_zone_spanning_them() {
        let (winter, summer) = (event("2027-01-10T10:00:00Z", 60), event("2027-07-10T10:00:00Z", 60));
        let summer = VisitEvent { uid: "booking-8.1700000000@knead".into(), ..summer };
        let file =
            feed_calendar("Liza's visits", &[winter, summer], &helsinki(), "2027-01-01T00:00:00Z".parse().unwrap());
        let lines = unfolded(&file);
        assert_eq!(lines.iter().filter(|l| *l == "BEGIN:VEVENT").count(), 2);
        assert_eq!(lines.iter().filter(|l| *l == "BEGIN:VTIMEZONE").count(), 1);
        assert!(lines.contains(&"X-WR-CALNAME:Liza's visits".to_string()) && lines.contains(&"METHOD:PUBLISH".into()));
        assert!(lines.contains(&"DTSTART;TZID=Europe/Helsinki:20270110T120000".to_string()), "{file}");
        assert!(lines.contains(&"DTSTART;TZID=Europe/Helsinki:20270710T130000".to_string()), "{file}");
        let empty = feed_calendar("None yet", &[], &helsinki(), "2027-01-01T00:00:00Z".parse().unwrap());
        assert!(empty.contains("BEGIN:VTIMEZONE") && !empty.contains("BEGIN:VEVENT"));
    }

    #[test]
    fn offsets_with_minutes_and_seconds_are_written_in_full() {
        assert_eq!(offset_text(Offset::from_seconds(-(3 * 3600 + 30 * 60)).unwrap()), "-0330");
        assert_eq!(offset_text(Offset::from_seconds(3600 + 30 * 60 + 45).unwrap()), "+013045");
    }
}
