//! The address search index: what a person types to the addresses it means, and a point to the nearest
//! address.
//!
//! Why an in-memory index of our own rather than SQLite FTS5 or PostgreSQL trigrams: the practice runs on
//! either database and search must behave the same on both, which two engines' tokenizers, ranking and
//! accent handling would not; folding accents (`yrjonkatu` → Yrjönkatu), writing out abbreviations on
//! both sides (`St` = `Street`), dropping unit and buzzer details and reading house numbers (`11a`,
//! `11-13`, Canadian `4-11`) are rules about addresses, not about text, and here they are ours to test;
//! and a province fits in memory: a million addresses build in well under two seconds and a search takes
//! tens of microseconds (see `benches/places.rs`). The store keeps the addresses; the app builds an index
//! from them when it starts or after an import.
//!
//! # How it is laid out
//! Addresses are grouped by street and city. Every word of a street name, city and postcode goes into one
//! sorted vocabulary, so a word is a number and the words starting with what a person has typed so far
//! are one range of numbers. Each word that appears in street names lists the streets it appears in;
//! each street keeps its name's words, its place words, and its addresses in house-number order. A search
//! starts from the streets of the query's rarer words (never every street with `street` in its name), scores
//! each street once, and reads house numbers only on the best streets until it has enough answers.
//!
//! # Ranking
//! `rank` is lower for better answers; equal ranks are equally good (two cities' `Yrjönkatu 11` when no
//! city was typed). In order of weight: query words that match nothing on the street (a city or postcode
//! that is not the street's, an unknown word); the last word matching only as the start of a word; the
//! house number (exact, then the same number with another letter or inside a range, then numbers starting
//! with what was typed); the street's words the query left out (`King St` prefers King Street to King
//! Street West). Ties are ordered by the street (shorter names first, then alphabetically, then the
//! city), then by house number, so the order is the same every time.

use super::query::{self, Query};
use super::text::{house_number, is_generic, leading_number, name_tokens, postcode_tokens};
use super::Address;
use crate::geo::{local_km, GeoPoint};
use std::collections::HashMap;

/// One answer: an address and how good a match it is (lower is better; equal ranks are equally good).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit<'a> {
    pub address: &'a Address,
    pub rank: u32,
}

/// Every imported address, searchable by text and by place. Immutable once built; share it behind an
/// `Arc` and build a new one when the set changes.
#[derive(Debug)]
pub struct AddressIndex {
    addresses: Vec<Address>,
    vocabulary: Vocabulary,
    /// Per word: [`GENERIC`] (too common to start a search from) and [`PLACE`] (in some city or postcode).
    kinds: Vec<u8>,
    /// Per word, the streets whose name has it: `streets_of[starts[w]..starts[w + 1]]`.
    street_starts: Vec<u32>,
    streets_of: Vec<u32>,
    /// In tie-break order (shorter street name first, then alphabetical, then the city).
    streets: Vec<Street>,
    /// The streets' word ids, each street's slice named by its ranges.
    street_words: Vec<u32>,
    /// Address ids, street by street, each street's in house-number order.
    slots: Vec<u32>,
    /// Folded house numbers, by address id: `numbers[number_ends[i - 1]..number_ends[i]]`.
    numbers: String,
    number_ends: Vec<u32>,
    grid: Grid,
}

/// One street in one city.
#[derive(Debug)]
struct Street {
    /// Its name's word ids, in `street_words`.
    name: (u32, u32),
    /// Its city's and postcodes' word ids, in `street_words`, sorted.
    place: (u32, u32),
    /// Its addresses, in `slots`.
    slots: (u32, u32),
    /// The first street (in tie-break order) with the same name: the same street in other cities (or
    /// with its city missing on part of the map) shares it, and their addresses are listed together.
    name_run: u32,
}

/// A word's kinds.
const GENERIC: u8 = 1;
const PLACE: u8 = 2;

/// Query words matching nothing on a street.
const RANK_MISSED: u32 = 100_000;
/// The last word matching only as the start of a word.
const RANK_PREFIX: u32 = 10_000;
/// Per step of house-number quality (0 exact .. 9).
const RANK_NUMBER: u32 = 100;
/// Per street word the query left out (up to 99).
const RANK_LEFT_OUT: u32 = 1;

impl AddressIndex {
    pub fn new(addresses: Vec<Address>) -> AddressIndex {
        u32::try_from(addresses.len()).expect("an index holds fewer than 4 billion addresses");

        // Street and city → its addresses, by first appearance.
        let mut street_of_address = Vec::with_capacity(addresses.len());
        let mut keys: Vec<(&str, &str)> = Vec::new();
        let mut seen: HashMap<(&str, &str), u32> = HashMap::new();
        for a in &addresses {
            let key = (a.street.as_str(), a.city.as_str());
            let next = keys.len() as u32;
            let id = *seen.entry(key).or_insert_with(|| {
                keys.push(key);
                next
            });
            street_of_address.push(id);
        }
        drop(seen);

        let mut numbers = String::new();
        let mut number_ends = Vec::with_capacity(addresses.len());
        for a in &addresses {
            numbers.push_str(&house_number(&a.number));
            number_ends.push(u32::try_from(numbers.len()).expect("house numbers fit in 4 GB"));
        }

        // Each street's words, its place words, and its order for ties.
        struct Draft {
            name: Vec<String>,
            place: Vec<String>,
            sort_key: (usize, String, String),
        }
        let mut drafts: Vec<Draft> = keys
            .iter()
            .map(|(street, city)| {
                let name = name_tokens(street);
                let city_words = name_tokens(city);
                Draft {
                    sort_key: (street.chars().count(), name.join(" "), city_words.join(" ")),
                    name,
                    place: city_words,
                }
            })
            .collect();
        let mut postcodes_seen: HashMap<(u32, &str), ()> = HashMap::new();
        for (a, &s) in addresses.iter().zip(&street_of_address) {
            if !a.postcode.is_empty() && postcodes_seen.insert((s, a.postcode.as_str()), ()).is_none() {
                drafts[s as usize].place.extend(postcode_tokens(&a.postcode));
            }
        }
        drop(postcodes_seen);

        let mut order: Vec<u32> = (0..keys.len() as u32).collect();
        order.sort_by(|&a, &b| {
            let (da, db) = (&drafts[a as usize], &drafts[b as usize]);
            da.sort_key.cmp(&db.sort_key).then_with(|| keys[a as usize].cmp(&keys[b as usize]))
        });
        let mut position = vec![0u32; keys.len()];
        for (pos, &s) in order.iter().enumerate() {
            position[s as usize] = pos as u32;
        }

        let mut all_words: Vec<&str> =
            drafts.iter().flat_map(|d| d.name.iter().chain(&d.place)).map(String::as_str).collect();
        all_words.sort_unstable();
        all_words.dedup();
        let vocabulary = Vocabulary::new(&all_words);
        drop(all_words);
        let mut kinds: Vec<u8> =
            (0..vocabulary.len() as u32).map(|w| if is_generic(vocabulary.word(w)) { GENERIC } else { 0 }).collect();

        // Addresses street by street (counting sort by street position), each street's by house number.
        let mut slot_starts = vec![0u32; keys.len() + 1];
        for &s in &street_of_address {
            slot_starts[position[s as usize] as usize + 1] += 1;
        }
        for i in 0..keys.len() {
            slot_starts[i + 1] += slot_starts[i];
        }
        let mut fill = slot_starts.clone();
        let mut slots = vec![0u32; addresses.len()];
        for (a, &s) in street_of_address.iter().enumerate() {
            let p = position[s as usize] as usize;
            slots[fill[p] as usize] = a as u32;
            fill[p] += 1;
        }
        drop(fill);
        let number_of = |a: u32| -> &str {
            let start = if a == 0 { 0 } else { number_ends[a as usize - 1] as usize };
            &numbers[start..number_ends[a as usize] as usize]
        };
        // A map often has one address twice (a node and a building, two entrances): the same number
        // and postcode on the same street answer once, with the point imported first.
        let mut kept = 0usize;
        let mut kept_starts = vec![0u32; keys.len() + 1];
        for p in 0..keys.len() {
            let range = slot_starts[p] as usize..slot_starts[p + 1] as usize;
            slots[range.clone()].sort_by(|&a, &b| {
                let (na, nb) = (number_of(a), number_of(b));
                number_order(na, nb)
                    .then_with(|| addresses[a as usize].postcode.cmp(&addresses[b as usize].postcode))
                    .then(a.cmp(&b))
            });
            let street_start = kept;
            for i in range {
                let a = slots[i];
                let repeats = kept > street_start && {
                    let previous = slots[kept - 1];
                    number_of(previous) == number_of(a)
                        && addresses[previous as usize].postcode == addresses[a as usize].postcode
                };
                if !repeats {
                    slots[kept] = a;
                    kept += 1;
                }
            }
            kept_starts[p + 1] = kept as u32;
        }
        slots.truncate(kept);
        slots.shrink_to_fit();
        let slot_starts = kept_starts;

        let mut streets = Vec::with_capacity(keys.len());
        let mut street_words = Vec::new();
        let mut postings: Vec<(u32, u32)> = Vec::new();
        let mut name_run = 0;
        for (p, &s) in order.iter().enumerate() {
            if p == 0 || drafts[order[p - 1] as usize].sort_key.1 != drafts[s as usize].sort_key.1 {
                name_run = p as u32;
            }
            let draft = &mut drafts[s as usize];
            let name_start = street_words.len() as u32;
            for w in &draft.name {
                let id = vocabulary.find(w).expect("every word is in the vocabulary");
                street_words.push(id);
                postings.push((id, p as u32));
            }
            let place_start = street_words.len() as u32;
            let mut place: Vec<u32> =
                draft.place.iter().map(|w| vocabulary.find(w).expect("every word is in the vocabulary")).collect();
            place.sort_unstable();
            place.dedup();
            for &id in &place {
                kinds[id as usize] |= PLACE;
            }
            street_words.extend(place);
            streets.push(Street {
                name: (name_start, place_start),
                place: (place_start, street_words.len() as u32),
                slots: (slot_starts[p], slot_starts[p + 1]),
                name_run,
            });
            // The name is still needed to find the next street's run.
            draft.name = Vec::new();
            draft.place = Vec::new();
        }
        drop(drafts);
        postings.sort_unstable();
        postings.dedup();
        let mut street_starts = vec![0u32; vocabulary.len() + 1];
        for &(w, _) in &postings {
            street_starts[w as usize + 1] += 1;
        }
        for i in 0..vocabulary.len() {
            street_starts[i + 1] += street_starts[i];
        }
        let streets_of = postings.into_iter().map(|(_, s)| s).collect();

        let grid = Grid::new(&addresses);
        AddressIndex {
            addresses,
            vocabulary,
            kinds,
            street_starts,
            streets_of,
            streets,
            street_words,
            slots,
            numbers,
            number_ends,
            grid,
        }
    }

    pub fn len(&self) -> usize {
        self.addresses.len()
    }

    pub fn is_empty(&self) -> bool {
        self.addresses.is_empty()
    }

    pub fn addresses(&self) -> &[Address] {
        &self.addresses
    }

    /// Heap bytes the index holds besides the addresses themselves (for sizing a host, and for logs).
    pub fn index_bytes(&self) -> usize {
        fn bytes<T>(v: &Vec<T>) -> usize {
            v.capacity() * std::mem::size_of::<T>()
        }
        self.vocabulary.text.capacity()
            + bytes(&self.vocabulary.ends)
            + bytes(&self.kinds)
            + bytes(&self.street_starts)
            + bytes(&self.streets_of)
            + bytes(&self.streets)
            + bytes(&self.street_words)
            + bytes(&self.slots)
            + self.numbers.capacity()
            + bytes(&self.number_ends)
            + bytes(&self.grid.cells)
            + bytes(&self.grid.starts)
            + bytes(&self.grid.members)
    }

    /// Best first, at most `limit`; equal `rank` = equally good answers (lower is better).
    ///
    /// A query needs at least one word of a street's name; a house number, when typed, must be on the
    /// street (a search never answers with another number than the one asked for, except numbers that
    /// start with what the person is still typing). Without a number, a street's addresses come in
    /// house-number order.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit<'_>> {
        if limit == 0 || self.is_empty() {
            return Vec::new();
        }
        let query = query::parse(query);
        let resolved = self.resolve(&query);
        let mut scored: Vec<Scored<'_>> =
            self.candidates(&resolved).into_iter().filter_map(|s| self.score(s, &resolved)).collect();
        scored.sort_unstable_by_key(|s| (s.rank, self.streets[s.street as usize].name_run, s.street));

        // Ties go to the street earlier in tie-break order; the same street in several cities is listed
        // together in house-number order.
        let mut best: Vec<Ranked> = Vec::new();
        for s in &scored {
            let street = &self.streets[s.street as usize];
            if best.len() >= limit {
                let worst = &best[limit - 1];
                // Nothing from here on can come before the answers kept.
                if (worst.rank, worst.name_run) < (s.rank, street.name_run) {
                    break;
                }
            }
            let slots = street.slots.0..street.slots.1;
            let ranked = |slot: u32, rank: u32| Ranked { rank, name_run: street.name_run, slot, street: s.street };
            match &s.number {
                None => best.extend(slots.take(limit).map(|slot| ranked(slot, s.rank))),
                Some(number) => {
                    for slot in slots {
                        if let Some(quality) = number.quality(self.number(self.slots[slot as usize])) {
                            best.push(ranked(slot, s.rank + quality * RANK_NUMBER));
                        }
                    }
                }
            }
            if best.len() >= limit {
                self.keep_best(&mut best, limit);
            }
        }
        self.keep_best(&mut best, limit);
        best.into_iter()
            .map(|r| Hit { address: &self.addresses[self.slots[r.slot as usize] as usize], rank: r.rank })
            .collect()
    }

    fn keep_best(&self, best: &mut Vec<Ranked>, limit: usize) {
        best.sort_unstable_by(|a, b| {
            (a.rank, a.name_run)
                .cmp(&(b.rank, b.name_run))
                .then_with(|| {
                    number_order(self.number(self.slots[a.slot as usize]), self.number(self.slots[b.slot as usize]))
                })
                .then((a.street, a.slot).cmp(&(b.street, b.slot)))
        });
        best.truncate(limit);
    }

    /// The nearest address within `within_m` metres; of two at the same distance, the one imported first.
    pub fn nearest(&self, at: GeoPoint, within_m: f64) -> Option<&Address> {
        self.grid.nearest(&self.addresses, at, within_m).map(|i| &self.addresses[i as usize])
    }

    fn number(&self, address: u32) -> &str {
        let i = address as usize;
        let start = if i == 0 { 0 } else { self.number_ends[i - 1] as usize };
        &self.numbers[start..self.number_ends[i] as usize]
    }

    /// The query's words as ranges of word ids.
    fn resolve<'q>(&self, query: &'q Query) -> Resolved<'q> {
        let words = query
            .words
            .iter()
            .map(|w| {
                let exact = self.vocabulary.find(&w.text);
                let mut ranges = Vec::with_capacity(2);
                if w.prefix {
                    ranges.push(self.vocabulary.prefix_range(&w.typed));
                }
                if let Some(id) = exact {
                    ranges.push((id, id + 1));
                }
                WordMatch { word: w, exact, ranges }
            })
            .collect();
        let numbers = query.numbers.iter().map(|n| (n, self.vocabulary.find(&n.text))).collect();
        Resolved { words, numbers }
    }

    /// The streets worth scoring: those with one of the query's distinctive words in their name. When the
    /// query has none, or only ones that name no street but are known (a city, a postcode: `Hwy 7,
    /// Vaughan`), any of its words will do. An unknown word never widens the search: a typo must not
    /// turn `Kingg St` into every street called Street.
    fn candidates(&self, q: &Resolved<'_>) -> Vec<u32> {
        let distinctive: Vec<&WordMatch<'_>> =
            q.words.iter().filter(|w| w.word.letter_of.is_none() && !is_generic(&w.word.text)).collect();
        let mut lists: Vec<&[u32]> = Vec::new();
        for w in &distinctive {
            for &(lo, hi) in &w.ranges {
                let distinct = (lo..hi).filter(|&id| self.kinds[id as usize] & GENERIC == 0);
                lists.extend(distinct.map(|id| self.streets_with(id)).filter(|l| !l.is_empty()));
            }
        }
        if lists.is_empty() && distinctive.iter().all(|w| w.ranges.iter().any(|(lo, hi)| lo < hi)) {
            for w in &q.words {
                for &(lo, hi) in &w.ranges {
                    lists.extend((lo..hi).map(|id| self.streets_with(id)));
                }
            }
            lists.extend(q.numbers.iter().filter_map(|(_, id)| *id).map(|id| self.streets_with(id)));
        }
        let total: usize = lists.iter().map(|l| l.len()).sum();
        if total <= self.streets.len() / 32 {
            let mut all: Vec<u32> = lists.concat();
            all.sort_unstable();
            all.dedup();
            all
        } else {
            // Many streets (a short prefix): a bit set is cheaper than sorting them.
            let mut bits = vec![0u64; self.streets.len().div_ceil(64)];
            for s in lists.into_iter().flatten() {
                bits[*s as usize / 64] |= 1 << (s % 64);
            }
            let mut all = Vec::new();
            for (i, &word) in bits.iter().enumerate() {
                let mut rest = word;
                while rest != 0 {
                    all.push(i as u32 * 64 + rest.trailing_zeros());
                    rest &= rest - 1;
                }
            }
            all
        }
    }

    fn streets_with(&self, word: u32) -> &[u32] {
        let (lo, hi) = (self.street_starts[word as usize], self.street_starts[word as usize + 1]);
        &self.streets_of[lo as usize..hi as usize]
    }

    /// How well a street matches the query's words, and which house number to look for on it.
    fn score<'q>(&self, street_id: u32, q: &'q Resolved<'q>) -> Option<Scored<'q>> {
        let street = &self.streets[street_id as usize];
        let name = &self.street_words[street.name.0 as usize..street.name.1 as usize];
        let place = &self.street_words[street.place.0 as usize..street.place.1 as usize];
        let mut covered = vec![false; name.len()];
        let (mut missed, mut prefix_only, mut name_hits) = (0u32, false, 0u32);
        // Letters that matched a word here, so are not a house number's letter.
        let mut letter_is_word = [false; 16];
        for w in &q.words {
            let mut hit = false;
            let mut exact = false;
            for (i, &id) in name.iter().enumerate() {
                if w.hits(id) {
                    covered[i] = true;
                    hit = true;
                    exact |= w.exact == Some(id);
                }
            }
            if hit {
                name_hits += 1;
            } else if place.iter().any(|&id| w.hits(id)) {
                hit = true;
                exact = w.exact.is_some_and(|e| place.binary_search(&e).is_ok());
            }
            if hit {
                prefix_only |= w.word.prefix && !exact;
                if let Some(n) = w.word.letter_of {
                    letter_is_word[n.min(15)] = true;
                }
            } else if w.word.letter_of.is_none() {
                missed += 1;
            }
        }

        // The house number: the first number token that is not a word of this street's name or place.
        // Numbers after it are units, except one that is another street's postcode: that costs like a
        // city that is not this street's.
        let mut house = None;
        for (n, (number, id)) in q.numbers.iter().enumerate() {
            if let Some(id) = id {
                let mut claimed = false;
                for (i, word) in name.iter().enumerate() {
                    if word == id {
                        covered[i] = true;
                        claimed = true;
                    }
                }
                if claimed {
                    name_hits += 1;
                    continue;
                }
                if place.binary_search(id).is_ok() {
                    continue;
                }
                if house.is_some() && self.kinds[*id as usize] & PLACE != 0 {
                    missed += 1;
                    continue;
                }
            }
            if house.is_some() {
                continue;
            }
            let letter = q
                .words
                .iter()
                .find(|w| w.word.letter_of == Some(n) && !letter_is_word[n.min(15)])
                .map(|w| w.word.typed.as_str());
            house = Some(HouseNumber { number, letter });
        }
        if name_hits == 0 {
            return None;
        }
        let left_out = covered.iter().filter(|c| !**c).count() as u32;
        let rank =
            missed.min(99) * RANK_MISSED + u32::from(prefix_only) * RANK_PREFIX + left_out.min(99) * RANK_LEFT_OUT;
        Some(Scored { street: street_id, rank, number: house })
    }
}

/// An answer while a search collects them.
struct Ranked {
    rank: u32,
    name_run: u32,
    street: u32,
    slot: u32,
}

struct Resolved<'q> {
    words: Vec<WordMatch<'q>>,
    /// Each number token with its word id when some name or postcode has it as a word (`7` in Highway 7).
    numbers: Vec<(&'q query::Number, Option<u32>)>,
}

struct WordMatch<'q> {
    word: &'q query::Word,
    exact: Option<u32>,
    /// Word id ranges it matches: its own id, and when still being typed, every word starting with it.
    ranges: Vec<(u32, u32)>,
}

impl WordMatch<'_> {
    fn hits(&self, id: u32) -> bool {
        self.ranges.iter().any(|&(lo, hi)| (lo..hi).contains(&id))
    }
}

struct Scored<'q> {
    street: u32,
    /// The rank of its best possible answer (the number matched exactly).
    rank: u32,
    number: Option<HouseNumber<'q>>,
}

struct HouseNumber<'q> {
    number: &'q query::Number,
    /// A letter typed apart (`11 B`).
    letter: Option<&'q str>,
}

impl HouseNumber<'_> {
    /// 0 for the number asked for; 1 for the same number with another letter or inside a range on the
    /// map; 2 for a number starting with what is being typed; plus the reading's penalty. `None`: not it.
    fn quality(&self, on_map: &str) -> Option<u32> {
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
        if same_number(on_map, reading) {
            return Some(1);
        }
        if self.number.prefix && on_map.starts_with(reading) {
            return Some(2);
        }
        None
    }
}

/// House-number order: by the number they start with, then as text (`9`, `11`, `11a`, `11b`, `110`);
/// numbers without digits last.
fn number_order(a: &str, b: &str) -> std::cmp::Ordering {
    let (ka, kb) = (leading_number(a).unwrap_or(u32::MAX), leading_number(b).unwrap_or(u32::MAX));
    ka.cmp(&kb).then_with(|| a.cmp(b))
}

/// `11a` and `11`, `11` and the range `11-13` (or `12` in it): the same building or its neighbour.
fn same_number(on_map: &str, reading: &str) -> bool {
    let Some(wanted) = leading_number(reading) else { return false };
    on_map.split([';', ',']).any(|part| match part.split_once('-') {
        Some((lo, hi)) => match (leading_number(lo), leading_number(hi)) {
            (Some(lo), Some(hi)) if lo <= hi => (lo..=hi).contains(&wanted),
            _ => false,
        },
        None => leading_number(part) == Some(wanted),
    })
}

/// Every distinct word, sorted, in one string: a word's id is its position, and the words starting with a
/// prefix are one range of ids.
#[derive(Debug)]
struct Vocabulary {
    text: String,
    ends: Vec<u32>,
}

impl Vocabulary {
    fn new(sorted: &[&str]) -> Vocabulary {
        let mut text = String::with_capacity(sorted.iter().map(|w| w.len()).sum());
        let mut ends = Vec::with_capacity(sorted.len());
        for w in sorted {
            text.push_str(w);
            ends.push(text.len() as u32);
        }
        Vocabulary { text, ends }
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn word(&self, id: u32) -> &str {
        let i = id as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    fn find(&self, word: &str) -> Option<u32> {
        let i = self.partition(|w| w < word);
        (i < self.len() as u32 && self.word(i) == word).then_some(i)
    }

    fn prefix_range(&self, prefix: &str) -> (u32, u32) {
        let lo = self.partition(|w| w < prefix);
        let hi = self.partition(|w| w < prefix || w.starts_with(prefix));
        (lo, hi)
    }

    /// The first id for which `before` is false (`before` is true for a leading run of ids).
    fn partition(&self, before: impl Fn(&str) -> bool) -> u32 {
        let (mut lo, mut hi) = (0u32, self.len() as u32);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if before(self.word(mid)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }
}

/// Addresses in square cells of about [`Grid::CELL_M`] metres, so the nearest address is found by looking
/// at the cells around a point, ring by ring, not at every address.
#[derive(Debug)]
struct Grid {
    cell_lat: f64,
    cell_lon: f64,
    /// Occupied cells, sorted (row, then column): a row's cells are one run.
    cells: Vec<u64>,
    /// `members[starts[c]..starts[c + 1]]` are cell `c`'s addresses.
    starts: Vec<u32>,
    members: Vec<u32>,
    rows: (i32, i32),
    cols: (i32, i32),
}

/// Metres per degree of latitude on the mean earth radius `local_km` uses.
const M_PER_DEGREE: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;

impl Grid {
    const CELL_M: f64 = 200.0;

    fn new(addresses: &[Address]) -> Grid {
        let finite = |p: GeoPoint| p.lat.is_finite() && p.lon.is_finite();
        let (sum, n) =
            addresses.iter().filter(|a| finite(a.at)).fold((0.0, 0usize), |(sum, n), a| (sum + a.at.lat, n + 1));
        let mean_lat = if n == 0 { 0.0 } else { sum / n as f64 };
        let cell_lat = Grid::CELL_M / M_PER_DEGREE;
        // Square at the addresses' mean latitude; `nearest` measures the real cell width where it looks.
        let cell_lon = cell_lat / mean_lat.to_radians().cos().max(0.05);
        let mut grid = Grid {
            cell_lat,
            cell_lon,
            cells: Vec::new(),
            starts: vec![0],
            members: Vec::new(),
            rows: (0, -1),
            cols: (0, -1),
        };
        let mut keyed: Vec<(u64, u32)> = addresses
            .iter()
            .enumerate()
            .filter(|(_, a)| finite(a.at))
            .map(|(i, a)| {
                let (row, col) = grid.cell_of(a.at);
                (key(row, col), i as u32)
            })
            .collect();
        keyed.sort_unstable();
        for (k, i) in keyed {
            if grid.cells.last() != Some(&k) {
                if !grid.cells.is_empty() {
                    grid.starts.push(grid.members.len() as u32);
                }
                grid.cells.push(k);
            }
            grid.members.push(i);
        }
        grid.starts.push(grid.members.len() as u32);
        if let (Some(&first), Some(&last)) = (grid.cells.first(), grid.cells.last()) {
            grid.rows = (unkey(first).0, unkey(last).0);
            let cols = grid.cells.iter().map(|&k| unkey(k).1);
            grid.cols = (cols.clone().min().unwrap_or(0), cols.max().unwrap_or(-1));
        }
        grid
    }

    fn cell_of(&self, p: GeoPoint) -> (i32, i32) {
        // Saturating casts: a point far outside the data lands in an edge cell, which the ring search
        // handles like any other.
        ((p.lat / self.cell_lat).floor() as i32, (p.lon / self.cell_lon).floor() as i32)
    }

    fn nearest(&self, addresses: &[Address], at: GeoPoint, within_m: f64) -> Option<u32> {
        if self.cells.is_empty() || !at.lat.is_finite() || !at.lon.is_finite() || within_m.is_nan() || within_m < 0.0 {
            return None;
        }
        let (row, col) = self.cell_of(at);
        let mut best: Option<(f64, u32)> = None;
        let visit = |cell: usize, best: &mut Option<(f64, u32)>| {
            for &i in &self.members[self.starts[cell] as usize..self.starts[cell + 1] as usize] {
                let d = local_km(at, addresses[i as usize].at) * 1000.0;
                if d <= within_m && best.is_none_or(|(bd, bi)| d < bd || (d == bd && i < bi)) {
                    *best = Some((d, i));
                }
            }
        };
        for ring in 0i32.. {
            let (top, bottom) = (row.saturating_sub(ring), row.saturating_add(ring));
            let (left, right) = (col.saturating_sub(ring), col.saturating_add(ring));
            let area = (2.0 * f64::from(ring) + 1.0).powi(2);
            if area > 4.0 * self.cells.len() as f64 {
                // A wide search far from the addresses: reading every cell is cheaper than more rings.
                (0..self.cells.len()).for_each(|c| visit(c, &mut best));
                break;
            }
            for r in top.max(self.rows.0)..=bottom.min(self.rows.1) {
                if r == top || r == bottom {
                    self.visit_run(r, left, right, &mut |c| visit(c, &mut best));
                } else {
                    self.visit_run(r, left, left, &mut |c| visit(c, &mut best));
                    self.visit_run(r, right, right, &mut |c| visit(c, &mut best));
                }
            }
            if top <= self.rows.0 && bottom >= self.rows.1 && left <= self.cols.0 && right >= self.cols.1 {
                break;
            }
            // Every address outside the square is more than `ring` cell sides away; the narrowest side is
            // the longitude width at the square's polar edge.
            let edge_lat = (at.lat.abs() + f64::from(ring + 1) * self.cell_lat).min(89.9);
            let side_m = (self.cell_lat * M_PER_DEGREE).min(self.cell_lon * M_PER_DEGREE * edge_lat.to_radians().cos());
            let reach = f64::from(ring) * side_m;
            if reach > within_m || best.is_some_and(|(d, _)| d < reach) {
                break;
            }
        }
        best.map(|(_, i)| i)
    }

    /// Visits the occupied cells of row `row` from column `from` to `to`.
    fn visit_run(&self, row: i32, from: i32, to: i32, visit: &mut impl FnMut(usize)) {
        let (from, to) = (from.max(self.cols.0), to.min(self.cols.1));
        if from > to {
            return;
        }
        let (lo, hi) = (key(row, from), key(row, to));
        let first = self.cells.partition_point(|&k| k < lo);
        for (c, &k) in self.cells.iter().enumerate().skip(first) {
            if k > hi {
                break;
            }
            visit(c);
        }
    }
}

/// Orders by row, then column, for signed rows and columns.
fn key(row: i32, col: i32) -> u64 {
    (u64::from(row as u32 ^ 0x8000_0000) << 32) | u64::from(col as u32 ^ 0x8000_0000)
}

fn unkey(k: u64) -> (i32, i32) {
    (((k >> 32) as u32 ^ 0x8000_0000) as i32, (k as u32 ^ 0x8000_0000) as i32)
}
