//! The travel models a use case reads from memory: [`Lookup`] over the cache (probing or final), [`RoadTimes`]
//! owned for a booking, and [`Travel`], whichever the practice uses.

use super::cache::{pair_key, place_key, split, FastHash, PairCache, PairMap, PlaceKey, PlaceRow};
use knead_core::geo::{GeoPoint, TravelTimes};
use knead_routing::StraightLine;
use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Pairs a probe wrote down, each once, in the order asked (which keeps a day's places together).
#[derive(Default)]
pub(crate) struct Missing {
    pub(crate) keys: HashSet<u128, FastHash>,
    pub(crate) pairs: Vec<(GeoPoint, GeoPoint)>,
}

impl Missing {
    fn add(&mut self, key: u128, from: GeoPoint, to: GeoPoint) {
        if self.keys.insert(key) {
            self.pairs.push((from, to));
        }
    }
}

/// What a probe writes down: the pairs the cache lacks, and with `every_pair` all pairs asked.
#[derive(Default)]
pub(crate) struct Probe {
    pub(crate) missing: Missing,
    pub(crate) every_pair: Option<Missing>,
}

/// How many drives came from where, for the staff's status page.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Counts {
    pub(crate) from_roads: u64,
    pub(crate) no_road: u64,
    pub(crate) unknown: u64,
}

/// A counter one thread adds to: a relaxed load and store, not a locked add, since the engine asks thousands of
/// drives per search. Shared between threads it could miss a count, never more.
#[derive(Default)]
struct Tally(AtomicU64);

impl Tally {
    #[inline]
    fn add(&self) {
        self.0.store(self.0.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
    }

    fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// A travel model over the cache (and the pairs this request fetched), answering from memory. While probing it
/// answers zero for unknown pairs and writes them down; otherwise unknown pairs and pairs without a road use
/// straight lines. It reads the cache under its read lock: keep it within synchronous work.
pub struct Lookup<'a> {
    cache: &'a PairCache,
    /// The searched place and its row of drives.
    searched: Option<PlaceKey>,
    row: Option<&'a PlaceRow>,
    fetched: Option<&'a PairMap>,
    fallback: StraightLine,
    probe: Option<Mutex<Probe>>,
    /// The probe writes down every pair asked, not only the missing ones.
    every_pair: bool,
    epoch: u64,
    from_roads: Tally,
    no_road: Tally,
    /// Drives answered by straight line because nobody knows them (the router failed), or written down as missing.
    unknown: Tally,
}

impl<'a> Lookup<'a> {
    pub(crate) fn new(
        cache: &'a PairCache,
        epoch: u64,
        searched: Option<GeoPoint>,
        fetched: Option<&'a PairMap>,
        fallback: StraightLine,
        probe: Option<Probe>,
    ) -> Lookup<'a> {
        let searched = searched.map(place_key);
        Lookup {
            cache,
            searched,
            row: searched.and_then(|place| cache.row(place)),
            fetched,
            fallback,
            every_pair: probe.as_ref().is_some_and(|p| p.every_pair.is_some()),
            probe: probe.map(Mutex::new),
            epoch,
            from_roads: Tally::default(),
            no_road: Tally::default(),
            unknown: Tally::default(),
        }
    }

    /// Which invalidation of the cache this lookup reads; route-days built on it are kept under this number.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// How many answers so far were not road times the cache or this request knew: work done while this did
    /// not move rests on road times (or known missing roads) alone and may be kept.
    pub fn incomplete(&self) -> u64 {
        self.unknown.get()
    }

    pub(crate) fn take_probe(self) -> Probe {
        self.probe.map(|p| p.into_inner().unwrap_or_else(|e| e.into_inner())).unwrap_or_default()
    }

    pub(crate) fn counts(&self) -> Counts {
        Counts { from_roads: self.from_roads.get(), no_road: self.no_road.get(), unknown: self.unknown.get() }
    }

    /// What is known of the drive of a pair key.
    pub(crate) fn known_pair(&self, key: u128) -> Option<Option<u32>> {
        let (a, b) = split(key);
        self.known(a, b)
    }

    /// What is known of the drive from `a` to `b`: minutes, no road (`Some(None)`), or nothing.
    #[inline]
    fn known(&self, a: PlaceKey, b: PlaceKey) -> Option<Option<u32>> {
        if let Some(known) = self.fetched.and_then(|f| f.get(&pair_key(a, b))) {
            return Some(*known);
        }
        match self.searched {
            Some(place) if a == place => self.row?.get(b, true),
            Some(place) if b == place => self.row?.get(a, false),
            _ => self.cache.get(pair_key(a, b)),
        }
    }
}

impl TravelTimes for Lookup<'_> {
    fn minutes(&self, from: GeoPoint, to: GeoPoint) -> u32 {
        let (a, b) = (place_key(from), place_key(to));
        if a == b {
            return 0;
        }
        let known = self.known(a, b);
        if let Some(probe) = &self.probe {
            // A warm search finds every drive and never takes this lock.
            if known.is_none() || self.every_pair {
                let key = pair_key(a, b);
                let mut probe = probe.lock().unwrap_or_else(|e| e.into_inner());
                if known.is_none() {
                    probe.missing.add(key, from, to);
                }
                if let Some(every) = &mut probe.every_pair {
                    every.add(key, from, to);
                }
            }
        }
        match known {
            Some(Some(minutes)) => {
                self.from_roads.add();
                minutes
            }
            Some(None) => {
                self.no_road.add();
                self.fallback.minutes(from, to)
            }
            None => {
                self.unknown.add();
                if self.probe.is_some() {
                    0
                } else {
                    self.fallback.minutes(from, to)
                }
            }
        }
    }
}

/// Road minutes for a known set of pairs, owned, so it can go with a booking into the store's transaction
/// (where the store runs the day's rule again under its lock). Other pairs use straight lines.
pub struct RoadTimes {
    pub(crate) pairs: PairMap,
    pub(crate) fallback: StraightLine,
    /// Pairs asked for that were never gathered (a day that changed since): answered by straight line.
    pub(crate) unplanned: AtomicU64,
}

impl RoadTimes {
    /// Pairs answered by straight line because they were not gathered beforehand.
    pub fn unplanned(&self) -> u64 {
        self.unplanned.load(Ordering::Relaxed)
    }
}

impl TravelTimes for RoadTimes {
    fn minutes(&self, from: GeoPoint, to: GeoPoint) -> u32 {
        let (a, b) = (place_key(from), place_key(to));
        if a == b {
            return 0;
        }
        match self.pairs.get(&pair_key(a, b)) {
            Some(Some(minutes)) => *minutes,
            Some(None) => self.fallback.minutes(from, to),
            None => {
                self.unplanned.fetch_add(1, Ordering::Relaxed);
                self.fallback.minutes(from, to)
            }
        }
    }
}

/// How a use case prices drives: the practice's straight lines, or road times gathered for it.
pub enum Travel {
    Straight(StraightLine),
    Road(RoadTimes),
}

impl TravelTimes for Travel {
    fn minutes(&self, from: GeoPoint, to: GeoPoint) -> u32 {
        match self {
            Travel::Straight(model) => model.minutes(from, to),
            Travel::Road(model) => model.minutes(from, to),
        }
    }
}
