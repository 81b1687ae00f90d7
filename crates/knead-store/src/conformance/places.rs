//! Stories of the places port: imported addresses and roads, replaced whole, numbered by generation.

use super::t0;
use crate::sql::SqlDatabase;
use crate::{PlaceStore, Store, StoreError};
use jiff::ToSpan;
use knead_core::places::{Address, Bounds, Road, RoadKind};
use knead_core::GeoPoint;

fn at(lat: f64, lon: f64) -> GeoPoint {
    GeoPoint { lat, lon }
}

fn address(number: &str, street: &str, postcode: &str, city: &str, lat: f64, lon: f64) -> Address {
    Address {
        number: number.into(),
        street: street.into(),
        postcode: postcode.into(),
        city: city.into(),
        at: at(lat, lon),
    }
}

fn road(kind: RoadKind, points: &[(f64, f64)]) -> Road {
    Road { kind, points: points.iter().map(|&(lat, lon)| at(lat, lon)).collect() }
}

/// The whole box the roads below lie in, and more.
const EVERYWHERE: Bounds = Bounds { south: -90.0, west: -180.0, north: 90.0, east: 180.0 };

/// Nothing imported is generation 0 with no addresses; each import replaces the last and moves the generation
/// on by one; addresses come back as written, accents and all, in the order given.
pub async fn an_import_replaces_the_last_and_moves_the_generation(store: &dyn Store) {
    assert_eq!(store.places_generation().await.unwrap(), 0);
    assert_eq!(store.all_addresses().await.unwrap(), (0, vec![]));
    assert!(store.roads_within(EVERYWHERE, 10).await.unwrap().is_empty());

    let first = vec![
        address("11", "Yrjönkatu", "00120", "Helsinki", 60.1672, 24.9385),
        address("23 B", "Yrjönkatu", "00100", "Helsingfors", 60.1684, 24.9391),
        address("4", "Rue de l'Église", "", "", 48.8566, 2.3522),
        address("1-3", "Åkerlundinkatu", "00530", "", 60.1801, 24.9502),
    ];
    let roads = vec![road(RoadKind::Minor, &[(60.1670, 24.9380), (60.1690, 24.9390), (60.1700, 24.9400)])];
    let g1 = store.replace_places(&first, &roads, t0()).await.unwrap();
    assert!(g1 > 0);
    assert_eq!(store.places_generation().await.unwrap(), g1);
    assert_eq!(store.all_addresses().await.unwrap(), (g1, first));
    assert_eq!(store.roads_within(EVERYWHERE, 10).await.unwrap(), roads);

    let second = vec![address("7", "Bulevardi", "00120", "Helsinki", 60.1650, 24.9380)];
    let g2 = store.replace_places(&second, &[], t0() + 1.hour()).await.unwrap();
    assert_eq!(g2, g1 + 1);
    assert_eq!(store.all_addresses().await.unwrap(), (g2, second));
    assert!(store.roads_within(EVERYWHERE, 10).await.unwrap().is_empty(), "the first import's roads are gone");

    // An empty import is an import: it clears the set and is a new generation.
    let g3 = store.replace_places(&[], &[], t0() + 2.hours()).await.unwrap();
    assert_eq!(store.all_addresses().await.unwrap(), (g2 + 1, vec![]));
    assert_eq!(g3, g2 + 1);
}

/// More rows than one insert statement takes (and a remainder of every smaller size) all arrive, in order.
pub async fn a_large_import_arrives_whole_and_in_order(store: &dyn Store) {
    let many: Vec<Address> = (0..2_345)
        .map(|i| address(&(i + 1).to_string(), "Mannerheimintie", "00100", "Helsinki", 60.0 + i as f64 * 1e-5, 24.9))
        .collect();
    let roads: Vec<Road> = (0..1_111)
        .map(|i| road(RoadKind::Minor, &[(60.0 + i as f64 * 1e-4, 24.9), (60.0 + i as f64 * 1e-4, 24.91)]))
        .collect();
    let generation = store.replace_places(&many, &roads, t0()).await.unwrap();
    assert_eq!(store.all_addresses().await.unwrap(), (generation, many));
    assert_eq!(store.roads_within(EVERYWHERE, 5_000).await.unwrap(), roads);
}

/// Roads whose box meets the area, major roads first, at most the limit; points keep 6 decimals.
pub async fn roads_within_an_area_are_those_whose_box_meets_it(store: &dyn Store) {
    let west_minor = road(RoadKind::Minor, &[(60.10, 24.80), (60.11, 24.81)]);
    let crossing_major = road(RoadKind::Major, &[(60.05, 24.85), (60.25, 24.95)]);
    let east_minor = road(RoadKind::Minor, &[(60.15, 25.20), (60.16, 25.21), (60.17, 25.20)]);
    let north_major = road(RoadKind::Major, &[(61.00, 24.90), (61.01, 24.91)]);
    let roads = vec![west_minor.clone(), crossing_major.clone(), east_minor.clone(), north_major.clone()];
    store.replace_places(&[], &roads, t0()).await.unwrap();

    // A box in the middle meets only the road that crosses it, though none of its points is inside.
    let middle = Bounds { south: 60.12, west: 24.88, north: 60.14, east: 24.92 };
    assert_eq!(store.roads_within(middle, 10).await.unwrap(), vec![crossing_major.clone()]);
    let south_of_finland = Bounds { south: 60.0, west: 24.7, north: 60.5, east: 25.3 };
    assert_eq!(
        store.roads_within(south_of_finland, 10).await.unwrap(),
        vec![crossing_major.clone(), west_minor.clone(), east_minor.clone()]
    );
    assert_eq!(store.roads_within(south_of_finland, 1).await.unwrap(), vec![crossing_major]);
    // Touching an edge counts.
    let touching = Bounds { south: 60.17, west: 25.21, north: 60.30, east: 25.30 };
    assert_eq!(store.roads_within(touching, 10).await.unwrap(), vec![east_minor]);
    let sea = Bounds { south: 59.0, west: 23.0, north: 59.5, east: 23.5 };
    assert!(store.roads_within(sea, 10).await.unwrap().is_empty());

    let fine = road(RoadKind::Minor, &[(60.1234564, 24.9876543), (-33.8688197, 151.2092957)]);
    store.replace_places(&[], &[fine], t0()).await.unwrap();
    let back = store.roads_within(EVERYWHERE, 10).await.unwrap();
    assert_eq!(back[0].points, vec![at(60.123456, 24.987654), at(-33.86882, 151.209296)]);
}

/// A road that cannot be drawn (fewer than two points) is refused, and the set before stays.
pub async fn a_road_of_one_point_is_refused_and_changes_nothing(store: &dyn Store) {
    let kept = vec![address("11", "Yrjönkatu", "00120", "Helsinki", 60.1672, 24.9385)];
    let generation = store.replace_places(&kept, &[], t0()).await.unwrap();
    let lone = road(RoadKind::Minor, &[(60.0, 24.0)]);
    let result = store.replace_places(&[], &[lone], t0()).await;
    assert!(matches!(result, Err(StoreError::Other(_))), "{result:?}");
    assert_eq!(store.all_addresses().await.unwrap(), (generation, kept));
}

/// A road whose points are not a list of places, or whose kind is unknown, is a corrupt road, named by id.
pub async fn a_road_with_unreadable_points_is_a_corrupt_road<D: SqlDatabase>(db: &D) {
    let roads =
        [road(RoadKind::Minor, &[(60.0, 24.0), (60.1, 24.1)]), road(RoadKind::Major, &[(60.2, 24.2), (60.3, 24.3)])];
    db.replace_places(&[], &roads, t0()).await.unwrap();
    let mut rows = db.query("select id from roads order by id", &[]).await.unwrap();
    let ids: Vec<i64> = rows.read("roads").map(|mut r| r.int("id").unwrap()).collect();
    db.execute("update roads set points = $2 where id = $1", &[ids[0].into(), "60.0,24.0;secret".into()])
        .await
        .unwrap();
    super::corrupt::assert_corrupt(db.roads_within(EVERYWHERE, 10).await, "roads", ids[0], "secret");
    db.execute("update roads set points = $2 where id = $1", &[ids[0].into(), "60.0,24.0;60.1,24.1".into()])
        .await
        .unwrap();
    db.execute("update roads set points = $2 where id = $1", &[ids[1].into(), "95.0,24.0;60.1,24.1".into()])
        .await
        .unwrap();
    super::corrupt::assert_corrupt(db.roads_within(EVERYWHERE, 10).await, "roads", ids[1], "95.0");
}

/// An address off the map is a corrupt address, named by id.
pub async fn an_address_off_the_map_is_a_corrupt_address<D: SqlDatabase>(db: &D) {
    let kept = [address("11", "Yrjönkatu", "00120", "Helsinki", 60.1672, 24.9385)];
    db.replace_places(&kept, &[], t0()).await.unwrap();
    db.execute("update addresses set lat = 123.5", &[]).await.unwrap();
    let mut rows = db.query("select id from addresses", &[]).await.unwrap();
    let id = rows.first("addresses").unwrap().int("id").unwrap();
    super::corrupt::assert_corrupt(db.all_addresses().await, "addresses", id, "123.5");
}
