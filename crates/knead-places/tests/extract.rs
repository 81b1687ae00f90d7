//! Reading the Helsinki test extract: its addresses (one point each, entrances merged), its roads, the
//! service area's cut, and clear errors for files that are not extracts.

use knead_core::places::{Address, Bounds, RoadKind};
use knead_core::GeoPoint;
use knead_places::extract::{read_extract, read_extract_file, Extract, ExtractError};
use std::path::PathBuf;

fn test_extract() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/osm/helsinki-centre.osm.pbf")
}

fn everything(_: GeoPoint) -> bool {
    true
}

fn read_all() -> Extract {
    read_extract_file(&test_extract(), &everything, &mut |_| {}).unwrap()
}

fn find<'a>(e: &'a Extract, street: &str, number: &str) -> Vec<&'a Address> {
    e.addresses.iter().filter(|a| a.street == street && a.number == number).collect()
}

/// Counted independently in the file: 1,445 nodes and ways carry `addr:street` and `addr:housenumber` (a
/// shop or an office repeats its building's address), on 600 distinct doors (street and number) and 740
/// distinct street, number and postcode. One point per address lands between the two.
#[test]
fn the_test_extract_holds_each_address_once_and_its_roads() {
    let e = read_all();
    assert!((600..=740).contains(&e.addresses.len()), "{} addresses", e.addresses.len());
    assert_eq!(e.outside, 0);
    let mut keys: Vec<_> =
        e.addresses.iter().map(|a| (a.street.to_lowercase(), a.number.to_lowercase(), &a.postcode)).collect();
    keys.sort();
    let before = keys.len();
    keys.dedup();
    assert_eq!(keys.len(), before, "an address came out twice");
    let box_of_file = Bounds { south: 60.16, west: 24.93, north: 60.183, east: 24.957 };
    assert!(e.addresses.iter().all(|a| box_of_file.contains(a.at)), "an address outside the extract's box");

    // Yrjönkatu's numbers, accents intact, with the postcode a shop left out filled in from its building.
    let yrjonkatu: Vec<&str> =
        e.addresses.iter().filter(|a| a.street == "Yrjönkatu").map(|a| a.number.as_str()).collect();
    for number in ["5", "9", "11", "21a", "23 B", "26", "36 A"] {
        assert!(yrjonkatu.contains(&number), "Yrjönkatu {number} is missing: {yrjonkatu:?}");
    }
    let twenty_six = find(&e, "Yrjönkatu", "26");
    assert_eq!(twenty_six.len(), 1);
    assert_eq!(twenty_six[0].label(), "26 Yrjönkatu, 00100 Helsinki");

    assert!(e.roads.len() > 500, "{} roads", e.roads.len());
    assert!(e.roads.iter().all(|r| r.points.len() >= 2 && r.points.iter().all(|p| p.lat > 60.0 && p.lon > 24.0)));
    assert!(e.roads.iter().any(|r| r.kind == RoadKind::Major) && e.roads.iter().any(|r| r.kind == RoadKind::Minor));
}

/// An entrance's point wins over the address node and the building's centre; the main entrance first.
#[test]
fn an_address_sits_at_its_entrance() {
    let e = read_all();
    let is_at = |street: &str, number: &str, lat: f64, lon: f64| {
        let found = find(&e, street, number);
        assert_eq!(found.len(), 1, "{street} {number}: {found:?}");
        // The file stores 100-nanodegree integers: a centimetre is as near as two readings agree.
        let at = found[0].at;
        assert!((at.lat - lat).abs() < 1e-7 && (at.lon - lon).abs() < 1e-7, "{street} {number} is at {at:?}");
    };
    // A building whose only point is its main entrance (no address node).
    is_at("Mannerheiminaukio", "2", 60.171546, 24.9368836);
    // A building with an address node and three entrances, one of them the main one.
    is_at("Kaivokatu", "2", 60.1702588, 24.9440485);
    // An entrance that is not the main one still beats two shops' address nodes.
    is_at("Yrjönkatu", "26", 60.1679016, 24.9384867);
}

#[test]
fn a_service_area_keeps_what_is_inside_and_counts_the_rest() {
    let all = read_all();
    let centre = GeoPoint { lat: 60.1699, lon: 24.9384 };
    let inside = |p: GeoPoint| knead_core::geo::haversine_km(centre, p) <= 0.5;
    let near = read_extract_file(&test_extract(), &inside, &mut |_| {}).unwrap();
    assert!(!near.addresses.is_empty() && near.addresses.len() < all.addresses.len());
    assert_eq!(near.addresses.len() + near.outside, all.addresses.len());
    assert!(near.addresses.iter().all(|a| inside(a.at)));
    // Roads are kept within 2 km of the kept addresses, so a small area keeps no more of them than the whole.
    assert!(near.roads.len() <= all.roads.len() && !near.roads.is_empty());

    let nowhere = read_extract_file(&test_extract(), &|_| false, &mut |_| {}).unwrap();
    assert_eq!((nowhere.addresses.len(), nowhere.roads.len(), nowhere.outside), (0, 0, all.addresses.len()));
}

#[test]
fn a_stream_reads_like_the_file_and_progress_reaches_twice_its_length() {
    let length = std::fs::metadata(test_extract()).unwrap().len();
    let mut seen = Vec::new();
    let from_file = read_extract_file(&test_extract(), &everything, &mut |n| seen.push(n)).unwrap();
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "progress went backwards");
    assert_eq!(seen.last(), Some(&(2 * length)));
    assert!(seen.contains(&length), "the first pass ends at the file's length");

    let mut last = 0;
    let file = std::fs::File::open(test_extract()).unwrap();
    let from_stream = read_extract(file, &everything, &mut |n| last = n).unwrap();
    assert_eq!(from_stream, from_file);
    assert_eq!(last, 2 * length);
}

#[test]
fn a_cut_short_file_is_damaged_not_a_panic() {
    let bytes = std::fs::read(test_extract()).unwrap();
    for cut in [bytes.len() / 2, bytes.len() - 1, 40] {
        let result = read_extract(&bytes[..cut], &everything, &mut |_| {});
        match result {
            Err(ExtractError::Damaged { offset, .. }) => assert!(offset < cut as u64),
            Err(ExtractError::NotPbf(_)) if cut == 40 => {}
            other => panic!("cut at {cut}: {:?}", other.map(|e| e.addresses.len())),
        }
    }
}

#[test]
fn a_text_file_or_an_empty_file_is_not_an_extract() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.osm.pbf");
    std::fs::write(&text, "<?xml version='1.0'?>\n<osm version=\"0.6\"></osm>\n").unwrap();
    let err = read_extract_file(&text, &everything, &mut |_| {}).unwrap_err();
    assert!(matches!(err, ExtractError::NotPbf(_)), "{err:?}");
    assert!(err.to_string().starts_with("not an OpenStreetMap PBF extract"), "{err}");

    for bytes in [&b""[..], b"ab", b"\0\0\0\x05hello"] {
        let err = read_extract(bytes, &everything, &mut |_| {}).unwrap_err();
        assert!(matches!(err, ExtractError::NotPbf(_)), "{bytes:?}: {err:?}");
    }

    let missing = dir.path().join("missing.osm.pbf");
    let err = read_extract_file(&missing, &everything, &mut |_| {}).unwrap_err();
    assert!(matches!(err, ExtractError::Open { .. }), "{err:?}");
    assert!(err.to_string().contains("missing.osm.pbf"), "{err}");
}
