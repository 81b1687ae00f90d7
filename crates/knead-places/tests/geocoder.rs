//! The embedded geocoder against the real test extract: typed the ways people type, every sampled address's
//! top hit is that address's own point in the file.

use knead_core::geo::haversine_km;
use knead_core::places::{Address, AddressIndex};
use knead_places::extract::read_extract_file;
use std::path::PathBuf;

fn extract_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/osm/helsinki-centre.osm.pbf")
}

fn addresses() -> Vec<Address> {
    read_extract_file(&extract_path(), &|_| true, &mut |_| {}).expect("the test extract reads").addresses
}

/// What a person might type for `a`: as written, lower case without accents, street first, with a city, with
/// a unit and buzzer after the number.
fn typings(a: &Address) -> Vec<String> {
    let plain: String = a
        .street
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'ä' | 'å' => 'a',
            'ö' => 'o',
            'é' => 'e',
            'ü' => 'u',
            other => other,
        })
        .collect();
    let mut typed = vec![
        format!("{} {}", a.number, a.street),
        format!("{} {}", a.number, plain),
        format!("{} {}", plain, a.number),
        format!("{} {} apt 5", a.street, a.number),
        format!("{} {}, apt 4, buzz 1234", a.number, a.street),
    ];
    if !a.city.is_empty() {
        typed.push(format!("{} {}, {}", a.street, a.number, a.city));
    }
    if !a.postcode.is_empty() {
        typed.push(format!("{} {} {}", a.number, a.street, a.postcode));
    }
    typed
}

#[test]
fn the_top_hit_for_a_typed_address_is_its_point_in_the_file() {
    let all = addresses();
    // 1,445 tagged objects, about 600 doors once shops are merged into their buildings' addresses.
    assert!((600..=740).contains(&all.len()), "about 600 distinct addresses, got {}", all.len());
    let index = AddressIndex::new(all.clone());
    let sample: Vec<&Address> = all.iter().step_by(7).collect();
    let mut checked = 0;
    for a in sample {
        // An address whose street and number appear twice in the file (two postcodes) is a fair tie.
        let twins = all.iter().filter(|b| b.street == a.street && b.number == a.number).count();
        for typed in typings(a) {
            let hits = index.search(&typed, 5);
            let top = hits.first().unwrap_or_else(|| panic!("nothing for {typed:?}"));
            if twins == 1 {
                let off_km = haversine_km(top.address.at, a.at);
                assert!(off_km < 0.001, "{typed:?} found {} ({off_km} km away)", top.address.label());
            } else {
                assert_eq!((&top.address.street, &top.address.number), (&a.street, &a.number), "{typed:?}");
            }
            checked += 1;
        }
    }
    assert!(checked > 400, "checked {checked} typings");
}

#[test]
fn known_streets_are_found_however_they_are_typed() {
    let index = AddressIndex::new(addresses());
    for (typed, street) in [
        ("yrjonkatu", "Yrjönkatu"),
        ("YRJÖNKATU", "Yrjönkatu"),
        ("annank", "Annankatu"),
        ("bulevardi", "Bulevardi"),
        ("aleksanterinkatu", "Aleksanterinkatu"),
    ] {
        let hits = index.search(typed, 5);
        assert!(!hits.is_empty(), "{typed:?} finds nothing");
        assert!(hits.iter().all(|h| h.address.street == street), "{typed:?} finds only {street}");
    }
    assert!(index.search("zzzz qqqq 999", 5).is_empty(), "nonsense finds nothing");
}

#[test]
fn the_nearest_address_to_a_point_is_itself() {
    let all = addresses();
    let index = AddressIndex::new(all.clone());
    for a in all.iter().step_by(50) {
        let near = index.nearest(a.at, 150.0).expect("an address near its own point");
        assert!(haversine_km(near.at, a.at) < 0.001, "{} found {}", a.label(), near.label());
    }
    let far_out = knead_core::GeoPoint { lat: 61.4978, lon: 23.7610 };
    assert!(index.nearest(far_out, 150.0).is_none(), "nothing near Tampere in a Helsinki extract");
}
