//! Missing pairs grouped into square table requests of a bounded number of places, and their answers read back.

use super::cache::{minutes_of, pair_key, place_key, PairMap, PlaceKey};
use super::DurationTable;
use knead_core::geo::GeoPoint;
use std::collections::HashMap;

/// One square table request: its places, and the pairs among them that were asked for.
#[derive(Debug, Clone)]
pub(crate) struct Tile {
    pub(crate) places: Vec<GeoPoint>,
    pub(crate) asked: Vec<(PlaceKey, PlaceKey)>,
}

/// Groups pairs into square tiles of at most `max` distinct places each; each tile's table covers its pairs.
///
/// The pairs are first put in the order of their places' first appearance, leaving out the place most pairs
/// share (the client's, in a search): a day's own drives and the drives between its places and the client then
/// fall into the same tile, and each place is sent about once.
pub(crate) fn tiles(pairs: &[(GeoPoint, GeoPoint)], max: usize) -> Vec<Tile> {
    let max = max.max(2);
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
    let order = |&(from, to): &(GeoPoint, GeoPoint)| {
        [place_key(from), place_key(to)].into_iter().filter(|k| Some(*k) != hub).map(|k| first_seen[&k]).min()
    };
    let mut ordered = pairs.to_vec();
    ordered.sort_by_key(order);

    let mut tiles = Vec::new();
    let mut tile = Tile { places: Vec::new(), asked: Vec::new() };
    let mut in_tile: HashMap<PlaceKey, ()> = HashMap::new();
    for (from, to) in ordered {
        let (a, b) = (place_key(from), place_key(to));
        let new = usize::from(!in_tile.contains_key(&a)) + usize::from(a != b && !in_tile.contains_key(&b));
        if tile.places.len() + new > max {
            tiles.push(std::mem::replace(&mut tile, Tile { places: Vec::new(), asked: Vec::new() }));
            in_tile.clear();
        }
        for (point, key) in [(from, a), (to, b)] {
            if in_tile.insert(key, ()).is_none() {
                tile.places.push(point);
            }
        }
        tile.asked.push((a, b));
    }
    if !tile.places.is_empty() {
        tiles.push(tile);
    }
    tiles
}

/// The asked pairs of a square answer over `tile`, checked, as minutes. The other cells are left: they pair
/// places nobody asked about together and would only crowd the cache.
pub(crate) fn answered(tile: &Tile, table: &DurationTable) -> Result<PairMap, String> {
    let n = tile.places.len();
    if table.len() != n || table.iter().any(|row| row.len() != n) {
        return Err(format!("the router answered a table of the wrong size for {n} places"));
    }
    let index: HashMap<PlaceKey, usize> = tile.places.iter().enumerate().map(|(i, p)| (place_key(*p), i)).collect();
    let mut pairs = PairMap::with_capacity_and_hasher(tile.asked.len(), Default::default());
    for &(a, b) in &tile.asked {
        if let (Some(&i), Some(&j)) = (index.get(&a), index.get(&b)) {
            pairs.insert(pair_key(a, b), minutes_of(table[i][j]));
        }
    }
    Ok(pairs)
}
