//! Form bodies (application/x-www-form-urlencoded, as the pages read them), query strings through the
//! API's query extractor, and prices typed into forms. Form pairs survive encoding and decoding unchanged,
//! a malformed query is a 400 naming the field, and a price shown is read back as the same cents.
#![no_main]

use knead_core::money::{format_cents, parse_price};
use libfuzzer_sys::fuzz_target;

/// Every kind of value the API's query structs hold.
#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)] // Read by the extractor; the fields themselves are not looked at.
struct AnyQuery {
    service_id: i64,
    lat: Option<f64>,
    from: String,
    days: Option<i64>,
    token: Option<String>,
    include_archived: Option<bool>,
}

fuzz_target!(|data: &[u8]| {
    let pairs = knead_fuzz::form_pairs(data);
    let mut encoded = form_urlencoded::Serializer::new(String::new());
    encoded.extend_pairs(&pairs);
    assert_eq!(knead_fuzz::form_pairs(encoded.finish().as_bytes()), pairs, "{data:?}");
    if let Some((name, value)) = pairs.first() {
        assert_eq!(knead_web::fuzzing::FormPairs(pairs.clone()).get(name), value);
    }

    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Some(Err(e)) = knead_fuzz::query::<AnyQuery>(text) {
        knead_fuzz::assert_bad_request(&e);
    }
    if let Some(cents) = parse_price(text) {
        if cents >= 0 {
            assert_eq!(parse_price(&format_cents(cents)), Some(cents), "{text:?}");
        }
    }
});
