//! Places from outside: latitude and longitude as numbers (JSON) or as text (forms and query strings), with
//! or without a clinic. An accepted coordinate is always finite and on the earth, and a refusal names the
//! field at fault.
#![no_main]

use knead_core::booking::Location;
use knead_core::geo::{haversine_km, local_km, GeoPoint};
use libfuzzer_sys::fuzz_target;

/// The place parameters of `GET /api/v1/availability` and the booking flow's query.
#[derive(Debug, serde::Deserialize)]
struct PlaceQuery {
    lat: Option<f64>,
    lon: Option<f64>,
    clinic_id: Option<i64>,
}

fn on_the_earth(p: GeoPoint) -> bool {
    p.lat.is_finite() && p.lon.is_finite() && (-90.0..=90.0).contains(&p.lat) && (-180.0..=180.0).contains(&p.lon)
}

fuzz_target!(|input: (f64, f64, Option<i64>, String, String)| {
    let (lat, lon, clinic, lat_text, lon_text) = input;

    match GeoPoint::parse(lat, lon) {
        Ok(p) => {
            assert!(on_the_earth(p), "{p:?}");
            assert_eq!((p.lat.to_bits(), p.lon.to_bits()), (lat.to_bits(), lon.to_bits()));
            let home = GeoPoint { lat: 43.6532, lon: -79.3832 };
            for km in [haversine_km(home, p), local_km(home, p), local_km(p, p)] {
                assert!(km.is_finite() && (0.0..=20_016.0).contains(&km), "{p:?}: {km}");
            }
        }
        Err(e) => assert!(e.field == "lat" || e.field == "lon", "{e:?}"),
    }

    // As the pages read a typed number: trimmed, finite, then the one place rule.
    let typed = |t: &str| t.trim().parse::<f64>().ok().filter(|v| v.is_finite());
    for (lat, lon, clinic) in [(Some(lat), Some(lon), clinic), (typed(&lat_text), typed(&lon_text), clinic)] {
        check_location(lat, lon, clinic);
    }

    // As a query string, through the API's query extractor.
    let q = format!("lat={lat_text}&lon={lon_text}{}", clinic.map(|c| format!("&clinic_id={c}")).unwrap_or_default());
    match knead_fuzz::query::<PlaceQuery>(&q) {
        Some(Ok(place)) => check_location(place.lat, place.lon, place.clinic_id),
        Some(Err(e)) => knead_fuzz::assert_bad_request(&e),
        None => {}
    }
});

fn check_location(lat: Option<f64>, lon: Option<f64>, clinic: Option<i64>) {
    match Location::parse(lat, lon, clinic) {
        Ok(Location::Point(p)) => assert!(on_the_earth(p) && clinic.is_none(), "{p:?}"),
        Ok(Location::Clinic(id)) => assert!(lat.is_none() && lon.is_none() && Some(id.0) == clinic),
        Err(e) => assert!(["lat", "lon", "clinic_id"].contains(&e.field.as_str()), "{e:?}"),
    }
}
