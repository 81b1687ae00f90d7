//! The drives a router answered, by place: keys from coordinates rounded to about a metre, a cheap hash, and a
//! bounded cache with each searched place's drives kept together in a compact row.

use knead_core::geo::{GeoPoint, UNREACHABLE};
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

/// Pairs between places other than a searched one (a booked day's own drives), per cache generation; the cache
/// keeps the current generation and the one before.
pub const CACHE_PAIRS: usize = 250_000;
/// Drives kept in the rows of searched places in all (each row entry holds both directions): at metro scale a
/// 14-day search needs about 11,000, so this keeps the last few hundred places searched, in about 50 MB.
pub const ROW_DRIVES: usize = 3_000_000;

/// A place rounded to 1e-5 degrees (about a metre) and packed, as the cache keys it.
pub(crate) type PlaceKey = u64;

pub(crate) fn place_key(p: GeoPoint) -> PlaceKey {
    // A GeoPoint is within ±180 degrees, so each rounded value fits an i32 (±18,000,000).
    let (lat, lon) = ((p.lat * 1e5).round() as i32, (p.lon * 1e5).round() as i32);
    (u64::from(lat as u32) << 32) | u64::from(lon as u32)
}

pub(crate) fn pair_key(from: PlaceKey, to: PlaceKey) -> u128 {
    (u128::from(from) << 64) | u128::from(to)
}

pub(crate) fn split(key: u128) -> (PlaceKey, PlaceKey) {
    ((key >> 64) as u64, key as u64)
}

/// A cheap hash for place and pair keys: the engine looks drives up thousands of times per search, and SipHash
/// would be a large part of a warm search. Keys come from stored places and the one place a request names, so
/// nobody outside can fill a bucket.
#[derive(Default, Clone, Copy)]
pub(crate) struct PairHasher(u64);

impl Hasher for PairHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn write_u64(&mut self, n: u64) {
        // splitmix64's finaliser.
        let mut x = n ^ self.0;
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        self.0 = x ^ (x >> 31);
    }

    fn write_u128(&mut self, n: u128) {
        self.write_u64((n as u64) ^ ((n >> 64) as u64).rotate_left(29));
    }
}

pub(crate) type FastHash = BuildHasherDefault<PairHasher>;

/// Road minutes by pair key; `None` where the router found no road.
pub(crate) type PairMap = HashMap<u128, Option<u32>, FastHash>;

/// Seconds from the router to whole minutes, rounded up; `None` for no road or a value that is not a duration.
pub(crate) fn minutes_of(seconds: Option<f64>) -> Option<u32> {
    let seconds = seconds?;
    if !(seconds.is_finite() && seconds >= 0.0) {
        return None;
    }
    let minutes = (seconds / 60.0).ceil();
    Some(if minutes < f64::from(UNREACHABLE) { minutes as u32 } else { UNREACHABLE })
}

/// A row entry's drive: minutes, or one of these.
const ROW_UNKNOWN: u16 = u16::MAX;
const ROW_NO_ROAD: u16 = u16::MAX - 1;
/// Longer drives are kept as this: no visit waits 45 days for its therapist.
const ROW_LONGEST: u16 = u16::MAX - 2;

fn encode(minutes: Option<u32>) -> u16 {
    match minutes {
        None => ROW_NO_ROAD,
        Some(m) => m.min(u32::from(ROW_LONGEST)) as u16,
    }
}

fn decode(drive: u16) -> Option<Option<u32>> {
    match drive {
        ROW_UNKNOWN => None,
        ROW_NO_ROAD => Some(None),
        minutes => Some(Some(u32::from(minutes))),
    }
}

/// The drives between one searched place and the others, both ways: `[to the other, from the other]`. A search
/// asks nearly all its drives between its place and the days' places; a row of a few hundred kilobytes stays in
/// the processor's cache while the engine runs, where lookups in one large map would mostly miss it.
#[derive(Debug, Clone, Default)]
pub(crate) struct PlaceRow {
    drives: HashMap<PlaceKey, [u16; 2], FastHash>,
}

impl PlaceRow {
    /// From the row's place to `other` (`to_other`), or back.
    #[inline]
    pub(crate) fn get(&self, other: PlaceKey, to_other: bool) -> Option<Option<u32>> {
        let drives = self.drives.get(&other)?;
        decode(drives[usize::from(!to_other)])
    }
}

/// The drives the router answered, bounded: rows of searched places (the oldest row goes first when
/// [`ROW_DRIVES`] is passed) and the other pairs in two generations of [`CACHE_PAIRS`].
#[derive(Default)]
pub(crate) struct PairCache {
    current: PairMap,
    previous: PairMap,
    rows: HashMap<PlaceKey, Arc<PlaceRow>, FastHash>,
    row_order: VecDeque<PlaceKey>,
    row_drives: usize,
}

impl PairCache {
    pub(crate) fn row(&self, place: PlaceKey) -> Option<&PlaceRow> {
        self.rows.get(&place).map(|row| &**row)
    }

    /// A pair between places other than a searched one.
    #[inline]
    pub(crate) fn get(&self, key: u128) -> Option<Option<u32>> {
        self.current.get(&key).or_else(|| self.previous.get(&key)).copied()
    }

    /// Keeps answered pairs: those touching `searched` in its row, the others by pair.
    pub(crate) fn keep(&mut self, searched: Option<PlaceKey>, pairs: &PairMap) {
        let mut for_row = Vec::new();
        for (&key, &minutes) in pairs {
            let (from, to) = split(key);
            match searched {
                Some(place) if from == place => for_row.push((to, 0, minutes)),
                Some(place) if to == place => for_row.push((from, 1, minutes)),
                _ => self.insert(key, minutes),
            }
        }
        if let (Some(place), false) = (searched, for_row.is_empty()) {
            let row = self.rows.entry(place).or_insert_with(|| {
                self.row_order.push_back(place);
                Arc::default()
            });
            let row = Arc::make_mut(row);
            let before = row.drives.len();
            for (other, direction, minutes) in for_row {
                row.drives.entry(other).or_insert([ROW_UNKNOWN; 2])[direction] = encode(minutes);
            }
            self.row_drives += row.drives.len() - before;
            while self.row_drives > ROW_DRIVES && self.row_order.len() > 1 {
                if let Some(oldest) = self.row_order.pop_front() {
                    self.row_drives -= self.rows.remove(&oldest).map_or(0, |row| row.drives.len());
                }
            }
        }
    }

    fn insert(&mut self, key: u128, minutes: Option<u32>) {
        if self.current.len() >= CACHE_PAIRS && !self.current.contains_key(&key) {
            self.previous = std::mem::take(&mut self.current);
        }
        self.current.insert(key, minutes);
    }

    /// Drives kept: pairs, and row entries (each both ways).
    pub(crate) fn len(&self) -> usize {
        self.current.len() + self.previous.len() + self.row_drives
    }

    pub(crate) fn clear(&mut self) {
        *self = PairCache::default();
    }
}
