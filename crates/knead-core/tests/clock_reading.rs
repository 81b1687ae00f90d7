//! The forms' lenient time reader (`read_clock`): every way of writing a time it is meant to take gives the
//! same minute, it agrees with the API's strict `parse_clock`, and nothing it accepts lies outside the day.

use knead_core::calendar::{format_clock, parse_clock, read_clock};
use proptest::prelude::*;

/// A minute of the day written in each of the ways people type it into the hours fields.
fn spellings(minute: i64) -> Vec<String> {
    let (h, m) = (minute / 60, minute % 60);
    let mut out = vec![format!("{h}:{m:02}"), format!("{h:02}:{m:02}"), format!("{h}.{m:02}"), format!("{h}h{m:02}")];
    out.push(if h < 10 { format!("{h}{m:02}") } else { format!("{h:02}{m:02}") });
    out.push(format!("{h:02}{m:02}"));
    if m == 0 {
        out.push(format!("{h}"));
        out.push(format!("{h}h"));
    }
    if minute < 24 * 60 {
        let (twelve, suffix) = match h {
            0 => (12, "am"),
            1..=11 => (h, "am"),
            12 => (12, "pm"),
            _ => (h - 12, "pm"),
        };
        for spaced in ["", " "] {
            out.push(format!("{twelve}:{m:02}{spaced}{suffix}"));
            out.push(format!("{twelve}:{m:02}{spaced}{}", suffix.to_uppercase()));
            out.push(format!("{twelve}.{m:02}{spaced}{}", suffix.replace('m', ".m.")));
            if m == 0 {
                out.push(format!("{twelve}{spaced}{suffix}"));
            }
        }
    }
    out
}

proptest! {
    #[test]
    fn every_way_of_writing_a_time_reads_as_that_time(minute in 0i64..=24 * 60) {
        for text in spellings(minute) {
            prop_assert_eq!(read_clock("from", &text).map_err(|e| e.detail), Ok(minute), "{:?}", text);
        }
    }

    #[test]
    fn the_reader_agrees_with_the_strict_parser_wherever_that_one_answers(text in r"[ 0-9:]{0,6}") {
        if let Ok(minute) = parse_clock("from", &text) {
            // It also takes "9:5" and "009:30", which the forms refuse rather than guess at.
            if text.trim().split_once(':').is_some_and(|(h, m)| h.len() <= 2 && m.len() == 2) {
                prop_assert_eq!(read_clock("from", &text).ok(), Some(minute), "{:?}", text);
            }
        }
    }

    #[test]
    fn what_the_reader_accepts_is_within_the_day_and_its_errors_name_the_field(
        text in r"[ 0-9:.hapmAPMnoi+-]{0,8}"
    ) {
        match read_clock("until", &text) {
            Ok(minute) => {
                prop_assert!((0..=24 * 60).contains(&minute), "{:?} -> {}", text, minute);
                prop_assert_eq!(read_clock("until", &format_clock(minute)).ok(), Some(minute));
            }
            Err(e) => {
                prop_assert_eq!(e.field, "until");
                prop_assert!(e.detail.contains("like"), "an example in {:?}", e.detail);
            }
        }
    }
}
