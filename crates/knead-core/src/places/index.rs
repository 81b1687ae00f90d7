//! The address search index: what a person types to the addresses it means, and a point to the nearest
//! address.
//!
//! Why an in-memory index of our own rather than SQLite FTS5 or PostgreSQL trigrams: the practice runs on
//! either database and search must behave the same on both, which two engines' tokenizers, ranking and
//! accent handling would not; folding accents (`yrjonkatu` → Yrjönkatu), writing out abbreviations on
//! both sides (`St` = `Street`), dropping unit and buzzer details and reading house numbers (`11a`,
//! `11-13`, Canadian `4-11`) are rules about addresses, not about text, and here they are ours to test;
//! and a province fits in memory: on the bench's million generated addresses the index builds in about
//! 0.6 s, adds about 16 MiB to the addresses themselves, and answers a search in about 10 µs (median).
//! The store keeps the addresses; an index is built from them after an import or at start.
//!
//! # How it is laid out
//! Addresses are grouped by street and city. Every word of a street name, city and postcode goes into one
//! sorted vocabulary, so a word is a number and the words starting with what a person has typed so far
//! are one range of numbers. Each word that appears in street names lists the streets it appears in;
//! each street keeps its name's words, its place words, and its addresses in house-number order (an
//! address mapped twice, same number and postcode, kept once). A search starts from the streets of the
//! query's rarer words (never every street with `street` in its name), scores each street once, and
//! reads house numbers only on the best streets until it has enough answers. Nearest uses a grid of
//! 200 m cells, ring by ring.
//!
//! # Ranking
//! `rank` is lower for better answers; equal ranks are equally good (two cities' `Yrjönkatu 11` when no
//! city was typed). In order of weight: query words that match nothing on the street (a city or postcode
//! that is not the street's, an unknown word); the last word matching only as the start of a word; the
//! house number (exact, then the same number with another letter or inside a range, then numbers starting
//! with what was typed); the street's words the query left out (`King St` prefers King Street to King
//! Street West). Equal ranks are ordered by street name (shorter first, then alphabetically), then house
//! number (the same street in several cities interleaved, so a list shows them all), then city: the same
//! order every time.

use super::grid::Grid;
use super::house_number::{number_order, HouseNumber};
use super::query::{self, Query};
use super::text::{house_number, is_generic, name_tokens, postcode_tokens};
use super::vocabulary::Vocabulary;
use super::Address;
use crate::geo::GeoPoint;
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
        // Ids are u32: a province has a few million addresses at most.
        assert!(addresses.len() < u32::MAX as usize, "an address index holds fewer than 4 billion addresses");

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
        self.vocabulary.heap_bytes()
            + bytes(&self.kinds)
            + bytes(&self.street_starts)
            + bytes(&self.streets_of)
            + bytes(&self.streets)
            + bytes(&self.street_words)
            + bytes(&self.slots)
            + self.numbers.capacity()
            + bytes(&self.number_ends)
            + self.grid.heap_bytes()
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
