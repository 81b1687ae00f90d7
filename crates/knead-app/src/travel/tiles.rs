//! Missing pairs grouped into table requests of a bounded number of places, and their answers read back.

use super::cache::{minutes_of, pair_key, place_key, PairMap, PlaceKey};
use super::DurationTable;
use knead_core::geo::GeoPoint;
use std::collections::HashMap;

/// One table request: its sources and destinations, and the pairs between them that were asked for.
#[derive(Debug, Clone)]
pub(crate) struct Tile {
    pub(crate) sources: Vec<GeoPoint>,
    pub(crate) destinations: Vec<GeoPoint>,
    pub(crate) asked: Vec<(PlaceKey, PlaceKey)>,
}

impl Tile {
    fn square(places: Vec<GeoPoint>, asked: Vec<(PlaceKey, PlaceKey)>) -> Tile {
        Tile { sources: places.clone(), destinations: places, asked }
    }

    /// Every place the request names, once.
    #[cfg(test)]
    pub(crate) fn places(&self) -> usize {
        let mut keys: Vec<PlaceKey> = self.sources.iter().chain(&self.destinations).map(|p| place_key(*p)).collect();
        keys.sort_unstable();
        keys.dedup();
        keys.len()
    }
}

/// Groups pairs into table requests of at most `square_max` places each, or, for the drives to and from the place
/// most pairs share (the client's, in a search) when they are more than one square holds, rows and columns of at
/// most `star_max` places: one place's drives to (or from) 300 others cost the router a little more than 300
/// searches, where squares holding them would cost two searches per place and a hundred times the answer.
///
/// Squares take the pairs in the order of their places' first appearance, leaving out that shared place: a
/// day's own drives then fall into the same square.
pub(crate) fn tiles(pairs: &[(GeoPoint, GeoPoint)], square_max: usize, star_max: usize) -> Vec<Tile> {
    let (square_max, star_max) = (square_max.max(2), star_max.max(2));
    let mut first_seen: HashMap<PlaceKey, usize> = HashMap::new();
    let mut shared_by: HashMap<PlaceKey, usize> = HashMap::new();
    for &(from, to) in pairs {
        for key in [place_key(from), place_key(to)] {
            let next = first_seen.len();
            first_seen.entry(key).or_insert(next);
            *shared_by.entry(key).or_default() += 1;
        }
    }
    let hub = shared_by.iter().max_by_key(|&(key, n)| (*n, std::cmp::Reverse(first_seen[key]))).map(|(k, _)| *k);
    let mut tiles = Vec::new();
    let mut rest: Vec<(GeoPoint, GeoPoint)> = pairs.to_vec();
    if let (Some(hub), true) = (hub, first_seen.len() > square_max) {
        let hub_point = pairs.iter().flat_map(|&(a, b)| [a, b]).find(|p| place_key(*p) == hub);
        let mut outward: Vec<GeoPoint> = Vec::new();
        let mut inward: Vec<GeoPoint> = Vec::new();
        rest.retain(|&(from, to)| {
            let (a, b) = (place_key(from), place_key(to));
            match (a == hub, b == hub) {
                (true, false) => outward.push(to),
                (false, true) => inward.push(from),
                _ => return true,
            }
            false
        });
        if let Some(hub_point) = hub_point {
            // The shared place goes on both sides, so the request lists every place once and names only its
            // one source (or destination): the URL stays short.
            for others in outward.chunks(star_max - 1) {
                let asked = others.iter().map(|p| (hub, place_key(*p))).collect();
                let destinations = std::iter::once(hub_point).chain(others.iter().copied()).collect();
                tiles.push(Tile { sources: vec![hub_point], destinations, asked });
            }
            for others in inward.chunks(star_max - 1) {
                let asked = others.iter().map(|p| (place_key(*p), hub)).collect();
                let sources = others.iter().copied().chain(std::iter::once(hub_point)).collect();
                tiles.push(Tile { sources, destinations: vec![hub_point], asked });
            }
        }
    }
    let order = |&(from, to): &(GeoPoint, GeoPoint)| {
        [place_key(from), place_key(to)].into_iter().filter(|k| Some(*k) != hub).map(|k| first_seen[&k]).min()
    };
    rest.sort_by_key(order);

    let mut places: Vec<GeoPoint> = Vec::new();
    let mut asked = Vec::new();
    let mut in_tile: HashMap<PlaceKey, ()> = HashMap::new();
    for (from, to) in rest {
        let (a, b) = (place_key(from), place_key(to));
        let new = usize::from(!in_tile.contains_key(&a)) + usize::from(a != b && !in_tile.contains_key(&b));
        if places.len() + new > square_max {
            tiles.push(Tile::square(std::mem::take(&mut places), std::mem::take(&mut asked)));
            in_tile.clear();
        }
        for (point, key) in [(from, a), (to, b)] {
            if in_tile.insert(key, ()).is_none() {
                places.push(point);
            }
        }
        asked.push((a, b));
    }
    if !places.is_empty() {
        tiles.push(Tile::square(places, asked));
    }
    tiles
}

/// The asked pairs of an answer over `tile`, checked, as minutes. Other cells of a square are left: they pair
/// places nobody asked about together and would only crowd the cache.
pub(crate) fn answered(tile: &Tile, table: &DurationTable) -> Result<PairMap, String> {
    let (rows, columns) = (tile.sources.len(), tile.destinations.len());
    if table.len() != rows || table.iter().any(|row| row.len() != columns) {
        return Err(format!("the router answered a table of the wrong size for {rows} x {columns} places"));
    }
    let index = |places: &[GeoPoint]| -> HashMap<PlaceKey, usize> {
        places.iter().enumerate().map(|(i, p)| (place_key(*p), i)).collect()
    };
    let (source, destination) = (index(&tile.sources), index(&tile.destinations));
    let mut pairs = PairMap::with_capacity_and_hasher(tile.asked.len(), Default::default());
    for &(a, b) in &tile.asked {
        if let (Some(&i), Some(&j)) = (source.get(&a), destination.get(&b)) {
            pairs.insert(pair_key(a, b), minutes_of(table[i][j]));
        }
    }
    Ok(pairs)
}
