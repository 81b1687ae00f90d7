//! The address index as the geocoder uses it: what a person types (case, accents, word order,
//! abbreviations, unit and buzzer details, a word still being typed) to the address meant, ranked; and a
//! point to the nearest address, checked against a scan of every address.

use knead_core::geo::{local_km, GeoPoint};
use knead_core::places::{Address, AddressIndex, Hit};
use proptest::prelude::*;

fn address(number: &str, street: &str, postcode: &str, city: &str, lat: f64, lon: f64) -> Address {
    Address {
        number: number.into(),
        street: street.into(),
        postcode: postcode.into(),
        city: city.into(),
        at: GeoPoint { lat, lon },
    }
}

/// A few streets in Helsinki, Espoo, Toronto and elsewhere, with the shapes house numbers take on a map.
fn city() -> AddressIndex {
    let mut all = Vec::new();
    for (i, n) in ["13", "1", "3", "5", "11", "11a", "11 B", "21-23", "10", "110"].iter().enumerate() {
        all.push(address(n, "Yrjönkatu", "00120", "Helsinki", 60.168 + i as f64 * 1e-4, 24.938));
    }
    all.push(address("2", "Yrjönkuja", "00120", "Helsinki", 60.17, 24.94));
    all.push(address("11", "Yrjönkatu", "02600", "Espoo", 60.21, 24.66));
    all.push(address("7", "Yrjönkatu", "02600", "Espoo", 60.211, 24.66));
    all.push(address("1", "Mannerheimintie", "00100", "Helsinki", 60.17, 24.94));
    all.push(address("100", "King Street West", "M5X 1A9", "Toronto", 43.649, -79.381));
    all.push(address("100", "King Street East", "M5C 1G6", "Toronto", 43.650, -79.372));
    all.push(address("100", "King Street", "L9A 1A1", "Hamilton", 43.256, -79.869));
    all.push(address("5", "King Edward Avenue", "K1N 7M1", "Ottawa", 45.43, -75.69));
    all.push(address("200", "Queen Street West", "M5V 2Z2", "Toronto", 43.650, -79.390));
    all.push(address("11", "Spadina Ave", "M5V 2T6", "Toronto", 43.645, -79.395));
    all.push(address("2", "St. Clair Avenue West", "M4V 1L5", "Toronto", 43.687, -79.394));
    all.push(address("3", "Hauptstraße", "10827", "Berlin", 52.49, 13.35));
    all.push(address("4", "Ærøgade", "2100", "København", 55.70, 12.58));
    all.push(address("2", "Sørgata", "0550", "Oslo", 59.92, 10.76));
    all.push(address("8", "Rue Sainte-Catherine Ouest", "H3B 1A7", "Montréal", 45.50, -73.57));
    all.push(address("12", "O'Connor Street", "K1P 6L2", "Ottawa", 45.42, -75.70));
    all.push(address("7", "Highway 7", "L4K 1A1", "Vaughan", 43.80, -79.50));
    all.push(address("9", "10th Avenue", "V5Z 1A1", "Vancouver", 49.26, -123.11));
    AddressIndex::new(all)
}

fn labels(hits: &[Hit<'_>]) -> Vec<String> {
    hits.iter().map(|h| h.address.label()).collect()
}

fn top(index: &AddressIndex, query: &str) -> String {
    index.search(query, 5).first().map(|h| h.address.label()).unwrap_or_else(|| format!("nothing for {query:?}"))
}

const YRJONKATU_11: &str = "11 Yrjönkatu, 00120 Helsinki";

#[test]
fn case_and_accents_do_not_matter() {
    let index = city();
    for typed in ["Yrjönkatu 11 Helsinki", "YRJÖNKATU 11 HELSINKI", "yrjonkatu 11 helsinki", "Yrjonkatu 11, HELSINKI"]
    {
        assert_eq!(top(&index, typed), YRJONKATU_11, "{typed}");
    }
    assert_eq!(top(&index, "hauptstrasse 3"), "3 Hauptstraße, 10827 Berlin");
    assert_eq!(top(&index, "Hauptstr. 3"), "3 Hauptstraße, 10827 Berlin");
    assert_eq!(top(&index, "4 aerogade"), "4 Ærøgade, 2100 København");
    assert_eq!(top(&index, "sorgata 2 oslo"), "2 Sørgata, 0550 Oslo");
    assert_eq!(top(&index, "8 rue sainte catherine ouest montreal"), "8 Rue Sainte-Catherine Ouest, H3B 1A7 Montréal");
    assert_eq!(top(&index, "12 oconnor st"), "12 O'Connor Street, K1P 6L2 Ottawa");
    assert_eq!(top(&index, "12 O’Connor St"), "12 O'Connor Street, K1P 6L2 Ottawa");
}

#[test]
fn word_order_postcode_and_city_are_free() {
    let index = city();
    let best = index.search("Yrjönkatu 11, 00120 Helsinki", 1)[0].rank;
    for typed in [
        "11 Yrjönkatu, Helsinki",
        "Yrjönkatu 11, Helsinki",
        "Helsinki Yrjönkatu 11",
        "Yrjönkatu 11 00120",
        "00120 Helsinki, Yrjönkatu 11",
    ] {
        let hits = index.search(typed, 5);
        assert_eq!(labels(&hits)[0], YRJONKATU_11, "{typed}");
        assert_eq!(hits[0].rank, best, "{typed}: every word matched, so as good as the full address");
    }
    // No city: both cities' Yrjönkatu 11 are equally good answers, in a fixed order.
    let hits = index.search("11 Yrjönkatu", 5);
    assert_eq!(labels(&hits[..2]), ["11 Yrjönkatu, 02600 Espoo", YRJONKATU_11]);
    assert_eq!(hits[0].rank, hits[1].rank);
    assert!(hits[2].rank > hits[1].rank, "11a and 11 B are near misses: {:?}", labels(&hits));
}

#[test]
fn the_city_given_ranks_its_street_first() {
    let index = city();
    let hits = index.search("Yrjönkatu 11, Espoo", 5);
    assert_eq!(labels(&hits)[0], "11 Yrjönkatu, 02600 Espoo");
    assert!(hits[1].rank > hits[0].rank);
    assert!(labels(&hits).contains(&YRJONKATU_11.to_owned()), "the other city's still follows: {:?}", labels(&hits));
    assert_eq!(top(&index, "Yrjönkatu 11, Helsinki"), YRJONKATU_11);
    assert_eq!(top(&index, "Yrjönkatu 11 02600"), "11 Yrjönkatu, 02600 Espoo");
    assert_eq!(top(&index, "100 King St, Hamilton"), "100 King Street, L9A 1A1 Hamilton");
}

#[test]
fn abbreviations_are_written_out_on_both_sides() {
    let pairs = [
        ("St", "Street"),
        ("Ave", "Avenue"),
        ("Rd", "Road"),
        ("Dr", "Drive"),
        ("Blvd", "Boulevard"),
        ("Cres", "Crescent"),
        ("Ct", "Court"),
        ("Pl", "Place"),
        ("Ln", "Lane"),
        ("Hwy", "Highway"),
        ("Pkwy", "Parkway"),
        ("Sq", "Square"),
        ("Tce", "Terrace"),
        ("Cir", "Circle"),
        ("N", "North"),
        ("S", "South"),
        ("E", "East"),
        ("W", "West"),
    ];
    for (short, long) in pairs {
        // The map spells it out and the person abbreviates, and the other way round.
        let index = AddressIndex::new(vec![
            address("5", &format!("Maple {long}"), "", "Springfield", 40.0, -80.0),
            address("6", &format!("Birch {short}."), "", "Springfield", 40.1, -80.0),
        ]);
        assert_eq!(top(&index, &format!("5 Maple {short}")), format!("5 Maple {long}, Springfield"));
        assert_eq!(top(&index, &format!("5 maple {}.", short.to_lowercase())), format!("5 Maple {long}, Springfield"));
        assert_eq!(top(&index, &format!("6 Birch {long}")), format!("6 Birch {short}., Springfield"));
    }
    let index = city();
    assert_eq!(top(&index, "100 King St W"), "100 King Street West, M5X 1A9 Toronto");
    assert_eq!(top(&index, "100 King St E Toronto"), "100 King Street East, M5C 1G6 Toronto");
    assert_eq!(top(&index, "100 E King St Toronto"), "100 King Street East, M5C 1G6 Toronto");
    assert_eq!(top(&index, "11 Spadina Avenue"), "11 Spadina Ave, M5V 2T6 Toronto");
    assert_eq!(top(&index, "2 St Clair Ave W"), "2 St. Clair Avenue West, M4V 1L5 Toronto");
}

#[test]
fn unit_and_buzzer_details_are_noise() {
    let index = city();
    for typed in [
        "Yrjönkatu 11 B 5",
        "11 Yrjönkatu, apt 4",
        "11 Yrjönkatu unit 4",
        "11 Yrjönkatu #4",
        "Suite 200, 11 Yrjönkatu",
        "11 Yrjönkatu buzz 1234",
        "11 Yrjönkatu, buzzer 12",
        "11/4 Yrjönkatu",
        "4-11 Yrjönkatu",
        "Yrjönkatu 11 rappu B asunto 5",
    ] {
        let found = labels(&index.search(&format!("{typed} Helsinki"), 3));
        assert!(found.first().is_some_and(|l| l.starts_with("11") && l.contains("Helsinki")), "{typed}: {found:?}");
    }
    // A letter at the end is the number's, though the street's name starts with it too.
    assert_eq!(top(&index, "Yrjönkatu 11 Y"), "11 Yrjönkatu, 02600 Espoo");
    // `11 B` on the map is found by its letter however it is typed.
    assert_eq!(top(&index, "Yrjönkatu 11 B, Helsinki"), "11 B Yrjönkatu, 00120 Helsinki");
    assert_eq!(top(&index, "Yrjönkatu 11b Helsinki"), "11 B Yrjönkatu, 00120 Helsinki");
    assert_eq!(top(&index, "Yrjönkatu 11 a Helsinki"), "11a Yrjönkatu, 00120 Helsinki");
    assert_eq!(top(&index, "Suite 200, 100 King St W"), "100 King Street West, M5X 1A9 Toronto");
    assert_eq!(top(&index, "1203-100 King St W"), "100 King Street West, M5X 1A9 Toronto");
}

#[test]
fn unknown_words_cost_rank_but_never_every_answer() {
    let index = city();
    assert_eq!(top(&index, "Yrjönkatu 11 Helsinki Finland"), YRJONKATU_11);
    assert_eq!(top(&index, "100 King St W, Toronto ON M5X 1A9 Canada"), "100 King Street West, M5X 1A9 Toronto");
    let plain = index.search("Yrjönkatu 11 Helsinki", 1)[0].rank;
    assert!(index.search("Yrjönkatu 11 Helsinki Finland", 1)[0].rank > plain);
}

#[test]
fn a_word_being_typed_matches_the_start_of_words() {
    let index = city();
    let found = labels(&index.search("yrjonk", 20));
    assert_eq!(found.len(), 13);
    assert!(found.iter().all(|l| l.contains("Yrjönkatu") || l.contains("Yrjönkuja")), "{found:?}");
    assert_eq!(top(&index, "11 yrjönk"), "11 Yrjönkatu, 02600 Espoo");
    assert_eq!(top(&index, "mannerh"), "1 Mannerheimintie, 00100 Helsinki");
    assert_eq!(top(&index, "100 king street w"), "100 King Street West, M5X 1A9 Toronto");
    assert_eq!(top(&index, "100 king str"), "100 King Street, L9A 1A1 Hamilton");
    assert_eq!(top(&index, "2 St Clair Ave W, M4V"), "2 St. Clair Avenue West, M4V 1L5 Toronto");
    // A finished word is not a prefix: the space says the person moved on.
    assert!(index.search("yrjonk ", 5).is_empty());
    // An exact word beats a longer word it starts.
    let index = AddressIndex::new(vec![
        address("1", "Kingston Road", "", "Toronto", 43.7, -79.2),
        address("1", "King Road", "", "Toronto", 43.8, -79.3),
    ]);
    let hits = index.search("1 king", 5);
    assert_eq!(labels(&hits), ["1 King Road, Toronto", "1 Kingston Road, Toronto"]);
    assert!(hits[0].rank < hits[1].rank);
}

#[test]
fn a_number_being_typed_lists_the_numbers_it_starts() {
    let index = city();
    let hits = index.search("Helsinki Yrjönkatu 1", 10);
    assert_eq!(
        labels(&hits).iter().map(|l| l.split(' ').next().unwrap_or("")).collect::<Vec<_>>(),
        ["1", "10", "11", "11a", "11", "13", "110", "11"],
        "the exact number first, then the others in number order, then the other city's",
    );
    assert!(hits[0].rank < hits[1].rank && hits[6].rank < hits[7].rank);
    assert!(labels(&hits)[7].ends_with("Espoo"));
    // Typed to its end, only the number itself and its letters.
    let found = labels(&index.search("Helsinki Yrjönkatu 1 ", 10));
    assert_eq!(found, ["1 Yrjönkatu, 00120 Helsinki"]);
}

#[test]
fn house_number_shapes_on_the_map() {
    let index = city();
    assert_eq!(top(&index, "Yrjönkatu 21-23 Helsinki"), "21-23 Yrjönkatu, 00120 Helsinki");
    assert_eq!(top(&index, "Yrjönkatu 22 Helsinki"), "21-23 Yrjönkatu, 00120 Helsinki");
    assert_eq!(top(&index, "Yrjönkatu 21 Helsinki"), "21-23 Yrjönkatu, 00120 Helsinki");
    assert_eq!(top(&index, "Yrjönkatu 11A Helsinki"), "11a Yrjönkatu, 00120 Helsinki");
    let exact = index.search("Yrjönkatu 11 Helsinki", 5);
    assert_eq!(labels(&exact[..3]), [YRJONKATU_11, "11a Yrjönkatu, 00120 Helsinki", "11 B Yrjönkatu, 00120 Helsinki"]);
    assert!(exact[0].rank < exact[1].rank, "the exact number beats its lettered neighbours");
    // A number that is not on the street is not answered with another.
    assert!(index.search("Yrjönkatu 99 Helsinki", 5).is_empty());
}

#[test]
fn a_street_without_a_number_lists_its_addresses_in_number_order() {
    let index = city();
    let found = labels(&index.search("Yrjönkatu Helsinki", 20));
    let numbers: Vec<&str> = found.iter().map(|l| l.split(" Yrjönkatu").next().unwrap_or("")).collect();
    assert_eq!(numbers, ["1", "3", "5", "10", "11", "11a", "11 B", "13", "21-23", "110", "7", "11"]);
    assert!(found[10].ends_with("Espoo"), "the other city's last: {found:?}");
    assert_eq!(labels(&index.search("yrjonkatu", 3)).len(), 3, "the limit holds");
}

#[test]
fn an_address_mapped_twice_is_answered_once() {
    let index = AddressIndex::new(vec![
        address("16", "Bulevardi", "00120", "Helsinki", 60.1650, 24.9380),
        address("16", "Bulevardi", "00120", "Helsinki", 60.1651, 24.9381),
        address("16 B", "Bulevardi", "00120", "Helsinki", 60.1652, 24.9382),
    ]);
    assert_eq!(index.len(), 3, "every address is kept");
    let hits = index.search("Bulevardi 16", 5);
    assert_eq!(labels(&hits), ["16 Bulevardi, 00120 Helsinki", "16 B Bulevardi, 00120 Helsinki"]);
    assert_eq!(hits[0].address.at.lat, 60.1650, "the point imported first");
}

#[test]
fn a_street_split_by_its_city_tags_is_listed_as_one() {
    // Maps leave the city off part of a street; its addresses still come in number order.
    let index = AddressIndex::new(vec![
        address("1", "Bulevardi", "00120", "Helsinki", 60.1650, 24.9380),
        address("2", "Bulevardi", "00120", "", 60.1651, 24.9381),
        address("3", "Bulevardi", "00120", "Helsinki", 60.1652, 24.9382),
        address("4", "Bulevardi", "", "", 60.1653, 24.9383),
    ]);
    let numbers: Vec<String> = index.search("bulevardi", 5).iter().map(|h| h.address.number.clone()).collect();
    assert_eq!(numbers, ["1", "2", "3", "4"]);
}

#[test]
fn all_the_street_words_beat_some_of_them() {
    let index = city();
    let hits = index.search("100 King St", 5);
    assert_eq!(labels(&hits)[0], "100 King Street, L9A 1A1 Hamilton");
    assert_eq!(hits.len(), 3);
    assert!(hits[0].rank < hits[1].rank && hits[1].rank == hits[2].rank);
    // Names with digits in them, and numbers that are part of a name.
    assert_eq!(top(&index, "9 10th Ave"), "9 10th Avenue, V5Z 1A1 Vancouver");
    assert_eq!(top(&index, "7 Hwy 7"), "7 Highway 7, L4K 1A1 Vaughan");
    assert_eq!(top(&index, "Hwy 7, Vaughan"), "7 Highway 7, L4K 1A1 Vaughan");
    // A misspelt name does not turn into every street of its type.
    assert!(index.search("100 Kingg St", 5).is_empty());
    // Street types alone do not drag in every street of that type.
    assert!(!labels(&index.search("King Edward", 5)).is_empty());
    assert!(labels(&index.search("5 King Edward Ave", 5)).iter().all(|l| l.contains("King Edward")));
}

#[test]
fn ties_are_ordered_the_same_every_time() {
    let mut addresses = vec![
        address("3", "Main Street", "", "Shelbyville", 40.0, -80.0),
        address("3", "Main Street", "", "Springfield", 40.1, -80.0),
        address("3", "Main Street", "", "Capital City", 40.2, -80.0),
    ];
    let first = labels(&AddressIndex::new(addresses.clone()).search("3 main st", 5));
    addresses.reverse();
    let hits_reversed = AddressIndex::new(addresses);
    let second = hits_reversed.search("3 main st", 5);
    assert_eq!(first, labels(&second));
    assert_eq!(first[0], "3 Main Street, Capital City");
    assert!(second.iter().all(|h| h.rank == second[0].rank));
}

#[test]
fn nothing_to_go_on_finds_nothing() {
    let index = city();
    for typed in ["", "   ", "11", "Helsinki", "00120", "#4", "apt 4", "zzzz 11", "street", ",,,"] {
        let found = labels(&index.search(typed, 5));
        assert!(found.is_empty() || typed == "street", "{typed}: {found:?}");
    }
    assert!(index.search("Yrjönkatu 11", 0).is_empty());
    let empty = AddressIndex::new(Vec::new());
    assert!(empty.is_empty() && empty.search("Yrjönkatu", 5).is_empty());
    assert_eq!(index.len(), index.addresses().len());
}

#[test]
fn the_index_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<AddressIndex>();
}

#[test]
fn nearest_finds_the_closest_address_within_reach() {
    let index = city();
    let near_11 = GeoPoint { lat: 60.1684 + 0.00001, lon: 24.938 };
    assert_eq!(index.nearest(near_11, 50.0).map(Address::label).as_deref(), Some(YRJONKATU_11));
    assert!(index.nearest(GeoPoint { lat: 60.0, lon: 24.0 }, 500.0).is_none());
    assert!(index.nearest(near_11, -1.0).is_none() && index.nearest(near_11, f64::NAN).is_none());
    assert!(index.nearest(GeoPoint { lat: f64::NAN, lon: 0.0 }, 100.0).is_none());
    // Far from everything but within an enormous reach: still the true nearest.
    let far = index.nearest(GeoPoint { lat: 0.0, lon: 0.0 }, f64::INFINITY).map(Address::label);
    assert_eq!(far.as_deref(), Some("3 Hauptstraße, 10827 Berlin"));
    assert!(AddressIndex::new(Vec::new()).nearest(near_11, 1e9).is_none());
}

/// xorshift64*: the same points every run.
struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[test]
fn nearest_agrees_with_a_scan_of_every_address() {
    let mut rng = Rng(0x5eed);
    // A northern city where a degree of longitude is short, one west of Greenwich, and one across the
    // equator and the prime meridian (cells on both sides of zero).
    for (lat0, lon0) in [(62.0, 25.0), (43.65, -79.38), (0.0, 0.0)] {
        // Dense in a centre, sparse around it.
        let addresses: Vec<Address> = (0..3000)
            .map(|i| {
                let spread = if i % 3 == 0 { 0.5 } else { 0.03 };
                let lat = lat0 + (rng.unit() - 0.5) * spread;
                let lon = lon0 + (rng.unit() - 0.5) * spread * 2.0;
                address(&(i % 40).to_string(), &format!("Katu {}", i / 40), "", "Testi", lat, lon)
            })
            .collect();
        let index = AddressIndex::new(addresses.clone());
        for _ in 0..300 {
            let at = GeoPoint { lat: lat0 + (rng.unit() - 0.5) * 0.7, lon: lon0 + (rng.unit() - 0.5) * 1.4 };
            let within = [30.0, 300.0, 3000.0, 30_000.0][(rng.unit() * 4.0) as usize];
            let scan = addresses
                .iter()
                .enumerate()
                .map(|(i, a)| (local_km(at, a.at) * 1000.0, i))
                .filter(|(d, _)| *d <= within)
                .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
                .map(|(_, i)| &addresses[i]);
            assert_eq!(index.nearest(at, within), scan, "at {at:?} within {within}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, rng_seed: proptest::test_runner::RngSeed::Fixed(8), ..ProptestConfig::default() })]

    /// Whatever is typed, a search returns at most the limit, best first, and never panics.
    #[test]
    fn any_text_searches_safely(typed in "\\PC{0,80}", limit in 0usize..30) {
        let index = city();
        let hits = index.search(&typed, limit);
        prop_assert!(hits.len() <= limit);
        prop_assert!(hits.windows(2).all(|w| w[0].rank <= w[1].rank));
    }

    /// Any address in the index is found first (or tied first) by its own label.
    #[test]
    fn every_address_is_found_by_its_label(i in 0usize..28) {
        let index = city();
        let wanted = &index.addresses()[i];
        let hits = index.search(&wanted.label(), 30);
        prop_assert!(!hits.is_empty());
        let best = hits[0].rank;
        prop_assert!(hits.iter().any(|h| h.rank == best && h.address == wanted), "{}: {:?}", wanted.label(), labels(&hits));
    }
}
