//! House numbers as the index compares them: how well a number on the map answers the one asked for,
//! and the order a street's numbers are listed in.

use super::query::Number;
use super::text::leading_number;

/// The house number a query asks for on one street.
pub(super) struct HouseNumber<'q> {
    pub number: &'q Number,
    /// A letter typed apart (`11 B`).
    pub letter: Option<&'q str>,
}

impl HouseNumber<'_> {
    /// 0 for the number asked for; 1 for the same number with another letter or starting a range on the
    /// map; 2 for a number inside a range, or one starting with what is being typed; plus the reading's
    /// penalty. `None`: not it.
    pub fn quality(&self, on_map: &str) -> Option<u32> {
        self.number
            .readings
            .iter()
            .filter_map(|(reading, penalty)| self.reading_quality(on_map, reading).map(|q| q + penalty))
            .min()
            .map(|q| q.min(9))
    }

    fn reading_quality(&self, on_map: &str, reading: &str) -> Option<u32> {
        if let Some(letter) = self.letter {
            if on_map.len() == reading.len() + letter.len() && on_map.starts_with(reading) && on_map.ends_with(letter) {
                return Some(0);
            }
        }
        // A map may list several numbers for one entrance: `11;13`.
        if on_map == reading || on_map.split([';', ',']).any(|part| part == reading) {
            return Some(if self.letter.is_some() { 1 } else { 0 });
        }
        // A range or a unit form typed is matched whole; its halves are readings of their own.
        if !reading.contains(['-', '/']) {
            if let Some(near) = same_number(on_map, reading) {
                return Some(near);
            }
        }
        if self.number.prefix && on_map.starts_with(reading) {
            return Some(2);
        }
        None
    }
}

/// House-number order: by the number they start with, then as text (`9`, `11`, `11a`, `11b`, `110`);
/// numbers without digits last.
pub(super) fn number_order(a: &str, b: &str) -> std::cmp::Ordering {
    let (ka, kb) = (leading_number(a).unwrap_or(u32::MAX), leading_number(b).unwrap_or(u32::MAX));
    ka.cmp(&kb).then_with(|| a.cmp(b))
}

/// `11a` and `11`, `11` and the range `11-13`: the same building (1); `12` inside `11-13`: a building whose
/// range spans it, less sure than one that carries the number itself (2). `None`: another building.
fn same_number(on_map: &str, reading: &str) -> Option<u32> {
    let wanted = leading_number(reading)?;
    on_map
        .split([';', ','])
        .filter_map(|part| match part.split_once('-') {
            Some((lo, hi)) => match (leading_number(lo), leading_number(hi)) {
                (Some(lo), Some(hi)) if lo == wanted => Some(1).filter(|_| lo <= hi),
                (Some(lo), Some(hi)) if lo <= hi && (lo..=hi).contains(&wanted) => Some(2),
                _ => None,
            },
            None => Some(1).filter(|_| leading_number(part) == Some(wanted)),
        })
        .min()
}

#[cfg(test)]
mod tests {
    use super::super::query::parse;
    use super::*;

    fn quality(typed: &str, on_map: &str) -> Option<u32> {
        let query = parse(typed);
        let letter = query.words.iter().find(|w| w.letter_of == Some(0)).map(|w| w.typed.as_str());
        HouseNumber { number: &query.numbers[0], letter }.quality(on_map)
    }

    #[test]
    fn the_number_asked_for_beats_its_neighbours() {
        assert_eq!(quality("Katu 11,", "11"), Some(0));
        assert_eq!(quality("Katu 11,", "11a"), Some(1));
        assert_eq!(quality("Katu 11,", "11-13"), Some(1));
        assert_eq!(quality("Katu 12,", "11-13"), Some(2), "inside a range is less sure than the number itself");
        assert_eq!(quality("Katu 9 b,", "9"), Some(1));
        assert_eq!(quality("Katu 9 b,", "8-10"), Some(2));
        assert_eq!(quality("Katu 11,", "11;13"), Some(0));
        assert_eq!(quality("Katu 11,", "110"), None);
        assert_eq!(quality("Katu 11", "110"), Some(2), "still being typed");
        assert_eq!(quality("Katu 11 b,", "11b"), Some(0));
        assert_eq!(quality("Katu 11 b,", "11"), Some(1));
        assert_eq!(quality("Katu 4-11,", "11"), Some(0), "unit 4 at number 11");
        assert_eq!(quality("Katu 4-11,", "4"), Some(2), "the first half only as a last resort");
        assert_eq!(quality("Katu 11/4,", "11"), Some(0));
        assert_eq!(quality("Katu 11/4,", "4"), None, "the unit is not a house number");
    }

    #[test]
    fn numbers_are_listed_by_value_then_letter() {
        let mut numbers = vec!["110", "11b", "9", "11", "a", "11a", "11-13"];
        numbers.sort_by(|a, b| number_order(a, b));
        assert_eq!(numbers, ["9", "11", "11-13", "11a", "11b", "110", "a"]);
    }
}
