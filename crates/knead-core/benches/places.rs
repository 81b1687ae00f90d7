//! The address index at a province's size: 1,000,000 generated addresses (20,000 streets of 50 numbers in
//! 8 cities, the same street names recurring from city to city, accents, lettered numbers and ranges).
//!
//! `cargo bench -p knead-core --bench places` prints the build time and memory (VmRSS before and after),
//! then p50/p99 over 2,000 single searches of each kind, each timed on its own, and then criterion's
//! estimates for the same kinds. Under `cargo test --benches` it runs once on 20,000 addresses.

// A benchmark reports on standard output.
#![allow(clippy::print_stdout)]

use criterion::{BenchmarkId, Criterion};
use knead_core::geo::GeoPoint;
use knead_core::places::{Address, AddressIndex};
use std::hint::black_box;
use std::time::{Duration, Instant};

const CITIES: [(&str, f64, f64); 8] = [
    ("Helsinki", 60.17, 24.94),
    ("Espoo", 60.21, 24.66),
    ("Vantaa", 60.29, 25.04),
    ("Toronto", 43.65, -79.38),
    ("Mississauga", 43.59, -79.64),
    ("Montréal", 45.50, -73.57),
    ("Québec", 46.81, -71.21),
    ("Ottawa", 45.42, -75.70),
];
const NUMBERS_PER_STREET: usize = 50;

const FIRST: [&str; 100] = [
    "Maple",
    "Oak",
    "Birch",
    "Cedar",
    "Elm",
    "Pine",
    "Spruce",
    "Willow",
    "Aspen",
    "Alder",
    "Yrjön",
    "Mäki",
    "Sørlie",
    "Étienne",
    "Mannerheim",
    "Runeberg",
    "Topelius",
    "Aleksanterin",
    "Fredrikin",
    "Eerikin",
    "King",
    "Queen",
    "Prince",
    "Duke",
    "Bloor",
    "Yonge",
    "Dundas",
    "College",
    "Spadina",
    "Bathurst",
    "Lakeshore",
    "Harbour",
    "Bay",
    "Front",
    "Wellington",
    "Victoria",
    "Albert",
    "Elgin",
    "Rideau",
    "Bank",
    "Sainte-Catherine",
    "Saint-Laurent",
    "Sherbrooke",
    "René-Lévesque",
    "Côte-des-Neiges",
    "Jean-Talon",
    "Papineau",
    "Laurier",
    "Champlain",
    "Cartier",
    "Hämeen",
    "Tampereen",
    "Turun",
    "Porvoon",
    "Lahden",
    "Itä",
    "Länsi",
    "Pohjois",
    "Etelä",
    "Keskus",
    "Hill",
    "Valley",
    "River",
    "Lake",
    "Forest",
    "Meadow",
    "Orchard",
    "Garden",
    "Park",
    "Church",
    "Mill",
    "Station",
    "Market",
    "Bridge",
    "Castle",
    "Crown",
    "Highland",
    "Sunset",
    "Sunrise",
    "Harvest",
    "Silver",
    "Golden",
    "Stone",
    "Brook",
    "Spring",
    "Summer",
    "Winter",
    "Autumn",
    "Fox",
    "Deer",
    "Eagle",
    "Hawk",
    "Raven",
    "Swan",
    "Heron",
    "Beacon",
    "Lantern",
    "Anchor",
    "Compass",
    "Ærø",
];
const SECOND: [&str; 25] = [
    "", "wood", "field", "ridge", "view", "dale", "glen", "brook", "side", "crest", "haven", "gate", "mount", "vale",
    "ford", "hurst", "ton", "ley", "holm", "mere", "wick", "stead", "bury", "cliffe", "worth",
];
const TYPES: [&str; 16] = [
    "Street",
    "Avenue",
    "Road",
    "Drive",
    "Boulevard",
    "Crescent",
    "Court",
    "Place",
    "Lane",
    "Way",
    "Parkway",
    "Terrace",
    "katu",
    "tie",
    "kuja",
    "Circle",
];

/// xorshift64*: deterministic, so every run searches the same province.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

fn offset(from: GeoPoint, east_m: f64, north_m: f64) -> GeoPoint {
    GeoPoint { lat: from.lat + north_m / 111_195.0, lon: from.lon + east_m / (111_195.0 * from.lat.to_radians().cos()) }
}

/// The name of street `i` of a city (2,500 base names; a city's 2,500th street and beyond repeat with
/// another type). Finnish-style types are written together with the name, the others apart.
fn street_name(i: usize, city: usize) -> String {
    let base = (i * 7 + city * 13) % (FIRST.len() * SECOND.len());
    let (first, second) = (FIRST[base / SECOND.len()], SECOND[base % SECOND.len()]);
    let kind = TYPES[(i / (FIRST.len() * SECOND.len()) + i + city) % TYPES.len()];
    let stem = format!("{first}{second}");
    if kind.chars().next().is_some_and(char::is_lowercase) {
        format!("{stem}{kind}")
    } else {
        format!("{stem} {kind}")
    }
}

/// `streets` streets spread over the cities, 50 numbers each along a straight line, 20 m apart.
fn province(streets: usize) -> Vec<Address> {
    let mut rng = Rng(0x706c_6163_6573);
    let mut addresses = Vec::with_capacity(streets * NUMBERS_PER_STREET);
    for s in 0..streets {
        let city = s % CITIES.len();
        let (city_name, lat, lon) = CITIES[city];
        let street = street_name(s / CITIES.len(), city);
        let postcode = format!("{:05}", (city * 10_000 + s / CITIES.len() / 10) % 100_000);
        let start = offset(GeoPoint { lat, lon }, (rng.unit() - 0.5) * 12_000.0, (rng.unit() - 0.5) * 12_000.0);
        let heading = rng.unit() * std::f64::consts::TAU;
        for k in 0..NUMBERS_PER_STREET {
            let number = match k % 25 {
                7 => format!("{}a", k + 1),
                19 => format!("{}-{}", k + 1, k + 3),
                _ => (k + 1).to_string(),
            };
            let along = k as f64 * 20.0;
            addresses.push(Address {
                number,
                street: street.clone(),
                postcode: postcode.clone(),
                city: city_name.to_owned(),
                at: offset(start, along * heading.cos(), along * heading.sin()),
            });
        }
    }
    addresses
}

/// What people type, `count` of a kind, each with the address it was typed for, picked at random.
fn queries(addresses: &[Address], kind: &str, count: usize) -> Vec<(String, usize)> {
    let mut rng = Rng(0x0071_7565_7279 ^ kind.len() as u64);
    (0..count)
        .map(|_| {
            let i = rng.below(addresses.len());
            let a = &addresses[i];
            let typed = match kind {
                "full address" => format!("{} {}, {} {}", a.number, a.street, a.postcode, a.city),
                "number and street" => format!("{} {}", a.number, a.street.to_lowercase()),
                "with unit" => format!("Suite {}, {} {} apt 4, {}", rng.below(900) + 100, a.number, a.street, a.city),
                "street being typed" => {
                    let chars: Vec<char> = a.street.chars().collect();
                    let cut = (4 + rng.below(3)).min(chars.len());
                    chars[..cut].iter().collect::<String>().to_lowercase()
                }
                "number being typed" => {
                    format!("{} {}", a.street, a.number.chars().next().unwrap_or('1'))
                }
                "street, no number" => format!("{} {}", a.street, a.city),
                _ => unreachable!("unknown query kind {kind}"),
            };
            (typed, i)
        })
        .collect()
}

const KINDS: [&str; 6] =
    ["full address", "number and street", "with unit", "street being typed", "number being typed", "street, no number"];

/// Resident memory of this process, in MiB (Linux; 0 elsewhere).
fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn percentile(times: &mut [Duration], q: f64) -> Duration {
    times.sort();
    times[((times.len() as f64 * q).ceil() as usize).saturating_sub(1)]
}

fn report(index: &AddressIndex, addresses_for_queries: &[Address], rounds: usize) {
    for kind in KINDS {
        let typed = queries(addresses_for_queries, kind, rounds);
        for (q, _) in typed.iter().take(50) {
            black_box(index.search(q, 10));
        }
        let mut times = Vec::with_capacity(typed.len());
        let (mut found, mut hits) = (0, 0);
        for (q, wanted) in &typed {
            let started = Instant::now();
            let result = index.search(black_box(q), 10);
            times.push(started.elapsed());
            // The address typed is among the best answers (a tie when no city was typed: several cities
            // have the street). A prefix being typed only has to suggest something.
            let best = result.first().map(|h| h.rank);
            let exact = !kind.ends_with("being typed") && kind != "street, no number";
            found += usize::from(if exact {
                result.iter().any(|h| Some(h.rank) == best && std::ptr::eq(h.address, &index.addresses()[*wanted]))
            } else {
                !result.is_empty()
            });
            hits += result.len();
        }
        println!(
            "search {kind:>20}: p50 {:>9.2?}  p99 {:>9.2?}  max {:>9.2?}  ({found}/{} found, {:.1} hits each)",
            percentile(&mut times, 0.50),
            percentile(&mut times, 0.99),
            times[times.len() - 1],
            typed.len(),
            hits as f64 / typed.len() as f64,
        );
    }
    // The widest searches: one letter, a street type alone, a number and one letter.
    for typed in ["m", "s", "ma", "1 m", "street", "11 katu", "helsinki"] {
        let started = Instant::now();
        let mut count = 0;
        for _ in 0..20 {
            count = index.search(black_box(typed), 10).len();
        }
        println!("search {typed:>20}: {:>9.2?} each ({count} hits)", started.elapsed() / 20);
    }
    let mut rng = Rng(0x6e65_6172);
    for within in [50.0, 200.0, 2_000.0] {
        let points: Vec<GeoPoint> = (0..rounds)
            .map(|_| {
                let (_, lat, lon) = CITIES[rng.below(CITIES.len())];
                offset(GeoPoint { lat, lon }, (rng.unit() - 0.5) * 14_000.0, (rng.unit() - 0.5) * 14_000.0)
            })
            .collect();
        let mut times = Vec::with_capacity(points.len());
        let mut found = 0;
        for &p in &points {
            let started = Instant::now();
            found += usize::from(index.nearest(black_box(p), within).is_some());
            times.push(started.elapsed());
        }
        println!(
            "nearest within {within:>5} m: p50 {:>9.2?}  p99 {:>9.2?}  max {:>9.2?}  ({found}/{} found)",
            percentile(&mut times, 0.50),
            percentile(&mut times, 0.99),
            times[times.len() - 1],
            points.len(),
        );
    }
}

fn criterion_runs(c: &mut Criterion, index: &AddressIndex) {
    let mut group = c.benchmark_group(format!("address_index_{}", index.len()));
    for kind in KINDS {
        let typed = queries(index.addresses(), kind, 64);
        group.bench_with_input(BenchmarkId::new("search", kind), &typed, |b, typed| {
            let mut i = 0;
            b.iter(|| {
                i = (i + 1) % typed.len();
                index.search(black_box(&typed[i].0), 10)
            })
        });
    }
    let mut rng = Rng(0x6e65_6172_6573);
    let points: Vec<GeoPoint> = (0..64)
        .map(|_| {
            let a = &index.addresses()[rng.below(index.len())];
            offset(a.at, 30.0, -40.0)
        })
        .collect();
    group.bench_function("nearest within 200 m", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % points.len();
            index.nearest(black_box(points[i]), 200.0)
        })
    });
    group.finish();
}

fn main() {
    // `cargo test --benches` runs this binary without `--bench`: a small province, timed once.
    let benchmarking = std::env::args().any(|arg| arg == "--bench");
    let streets = if benchmarking { 20_000 } else { 400 };

    let before = rss_mib();
    let generated = Instant::now();
    let addresses = province(streets);
    let generated = generated.elapsed();
    let with_addresses = rss_mib();
    let built = Instant::now();
    let index = AddressIndex::new(addresses);
    let built = built.elapsed();
    let with_index = rss_mib();
    println!(
        "{} addresses on {streets} streets: generated in {generated:.2?}, index built in {built:.2?}",
        index.len()
    );
    println!(
        "memory (VmRSS): {before:.0} MiB at start, {with_addresses:.0} MiB with the addresses (+{:.0}), \
         {with_index:.0} MiB with the index (+{:.0}); the index's own structures hold {:.1} MiB",
        with_addresses - before,
        with_index - with_addresses,
        index.index_bytes() as f64 / (1024.0 * 1024.0),
    );
    report(&index, index.addresses(), if benchmarking { 2_000 } else { 20 });

    let mut c = Criterion::default().configure_from_args();
    criterion_runs(&mut c, &index);
    c.final_summary();
}
