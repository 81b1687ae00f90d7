//! What a client types into an address field: any text searched in the address index never panics, answers
//! at most the limit asked for, best first, and every answer is an address of the index.
#![no_main]

use knead_core::places::{Address, AddressIndex};
use knead_core::GeoPoint;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// A small index with the shapes real maps have: accents, abbreviations, letters, ranges and lists.
fn index() -> &'static AddressIndex {
    static INDEX: OnceLock<AddressIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let streets = ["Yrjönkatu", "Main Street", "Rue de l'Église", "St. Clair Avenue West", "Müllerstraße"];
        let numbers = ["1", "11", "11a", "11-13", "12;14", "110", "4B"];
        let mut addresses = Vec::new();
        for (s, street) in streets.iter().enumerate() {
            for (n, number) in numbers.iter().enumerate() {
                addresses.push(Address {
                    number: number.to_string(),
                    street: street.to_string(),
                    postcode: if n % 2 == 0 { "00120".into() } else { String::new() },
                    city: if s % 2 == 0 { "Helsinki".into() } else { "Toronto".into() },
                    at: GeoPoint { lat: 60.16 + s as f64 * 0.001, lon: 24.93 + n as f64 * 0.001 },
                });
            }
        }
        AddressIndex::new(addresses)
    })
}

fuzz_target!(|input: (String, u8, f64, f64)| {
    let (typed, limit, lat, lon) = input;
    let limit = usize::from(limit % 21);
    let hits = index().search(&typed, limit);
    assert!(hits.len() <= limit, "{} hits for a limit of {limit}", hits.len());
    assert!(hits.windows(2).all(|w| w[0].rank <= w[1].rank), "best first");
    for hit in &hits {
        assert!(index().addresses().iter().any(|a| std::ptr::eq(a, hit.address)), "an address of the index");
    }
    if lat.is_finite() && lon.is_finite() {
        if let Some(near) = index().nearest(GeoPoint { lat, lon }, 150.0) {
            assert!(knead_core::geo::haversine_km(near.at, GeoPoint { lat, lon }) <= 0.151, "{near:?}");
        }
    }
});
