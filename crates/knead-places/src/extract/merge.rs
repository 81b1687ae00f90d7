//! One address, one point: the addresses the first pass found on nodes and buildings, merged by street,
//! number and postcode (compared without case or extra spaces), each keeping its best point: an entrance,
//! else the address node, else the building's centroid.

use knead_core::places::Address;
use knead_core::GeoPoint;
use std::collections::HashMap;

/// Where an address's point came from; a lower one wins when two name the same address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Source {
    /// An entrance's own point (`entrance=main` before other entrances; service doors and exits are not
    /// entrances here).
    MainEntrance,
    Entrance,
    Node,
    /// A building's centroid.
    Building,
}

/// The address tags of one element, names interned.
#[derive(Debug, Clone)]
pub(super) struct AddressTags {
    pub(super) number: String,
    pub(super) street: u32,
    pub(super) postcode: u32,
    pub(super) city: u32,
}

/// Strings the extract repeats (street, postcode and city names), stored once.
#[derive(Default)]
pub(super) struct Names {
    ids: HashMap<String, u32>,
    names: Vec<String>,
}

impl Names {
    pub(super) fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_string());
        self.ids.insert(name.to_string(), id);
        id
    }

    fn get(&self, id: u32) -> &str {
        &self.names[id as usize]
    }
}

/// Addresses merged by their key, in the order first seen, each with where its point came from.
#[derive(Default)]
pub(super) struct Merged {
    index: HashMap<(String, String, String), usize>,
    addresses: Vec<(Address, Source)>,
}

/// Two places of one address that lacks its postcode on one of them are at most this far apart, in km.
const SAME_PLACE_KM: f64 = 1.0;

/// Lower case, spaces collapsed: "Yrjönkatu  " and "yrjönkatu" are one street.
fn normalised(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

impl Merged {
    pub(super) fn add(&mut self, names: &Names, tags: &AddressTags, at: GeoPoint, source: Source) {
        let (street, postcode, city) = (names.get(tags.street), names.get(tags.postcode), names.get(tags.city));
        let key = (normalised(street), normalised(&tags.number).replace(' ', ""), normalised(postcode));
        match self.index.get(&key) {
            Some(&i) => {
                let (known, known_source) = &mut self.addresses[i];
                if source < *known_source {
                    known.at = at;
                    *known_source = source;
                }
                if known.city.is_empty() && !city.is_empty() {
                    known.city = city.to_string();
                }
            }
            None => {
                self.index.insert(key, self.addresses.len());
                let address = Address {
                    number: tags.number.clone(),
                    street: street.to_string(),
                    postcode: postcode.to_string(),
                    city: city.to_string(),
                    at,
                };
                self.addresses.push((address, source));
            }
        }
    }
}

impl Merged {
    /// The addresses, each one without a postcode folded into the one address of the same street, number
    /// and city that has a postcode, when there is exactly one and it is close: a shop's node often leaves
    /// out the postcode its building has, and a client should not be offered the same door twice.
    pub(super) fn without_lone_postcode_gaps(self) -> Vec<(Address, Source)> {
        let mut by_door: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for (key, &i) in &self.index {
            by_door.entry((key.0.clone(), key.1.clone())).or_default().push(i);
        }
        let mut addresses: Vec<Option<(Address, Source)>> = self.addresses.into_iter().map(Some).collect();
        for indices in by_door.into_values().filter(|v| v.len() > 1) {
            let (bare, with): (Vec<usize>, Vec<usize>) =
                indices.into_iter().partition(|&i| addresses[i].as_ref().is_some_and(|(a, _)| a.postcode.is_empty()));
            let ([bare], [with]) = (bare.as_slice(), with.as_slice()) else { continue };
            let (Some((b, b_source)), Some((w, _))) = (&addresses[*bare], &addresses[*with]) else { continue };
            let same_city = b.city.is_empty() || w.city.is_empty() || normalised(&b.city) == normalised(&w.city);
            if !same_city || knead_core::geo::haversine_km(b.at, w.at) > SAME_PLACE_KM {
                continue;
            }
            let (b, b_source) = (b.clone(), *b_source);
            addresses[*bare] = None;
            if let Some((w, w_source)) = addresses[*with].as_mut() {
                if b_source < *w_source {
                    w.at = b.at;
                    *w_source = b_source;
                }
                if w.city.is_empty() {
                    w.city = b.city;
                }
            }
        }
        addresses.into_iter().flatten().collect()
    }
}

/// The centre of a way's outline: the area-weighted centroid of a closed ring, else the mean of its points.
pub(super) fn centroid(points: impl Iterator<Item = GeoPoint>) -> Option<GeoPoint> {
    let points: Vec<GeoPoint> = points.collect();
    let first = *points.first()?;
    let mean = GeoPoint {
        lat: points.iter().map(|p| p.lat).sum::<f64>() / points.len() as f64,
        lon: points.iter().map(|p| p.lon).sum::<f64>() / points.len() as f64,
    };
    if points.len() < 4 || points.first() != points.last() {
        return Some(mean);
    }
    // Shoelace over a local flat map around the first point (metres do not matter, only proportions).
    let scale = first.lat.to_radians().cos();
    let flat: Vec<(f64, f64)> = points.iter().map(|p| ((p.lon - first.lon) * scale, p.lat - first.lat)).collect();
    let (mut area2, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for pair in flat.windows(2) {
        let ((x0, y0), (x1, y1)) = (pair[0], pair[1]);
        let cross = x0 * y1 - x1 * y0;
        area2 += cross;
        cx += (x0 + x1) * cross;
        cy += (y0 + y1) * cross;
    }
    if area2.abs() < 1e-14 {
        return Some(mean);
    }
    Some(GeoPoint { lat: first.lat + cy / (3.0 * area2), lon: first.lon + cx / (3.0 * area2) / scale })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(lat: f64, lon: f64) -> GeoPoint {
        GeoPoint { lat, lon }
    }

    #[test]
    fn a_square_building_is_centred_in_its_middle_even_with_an_extra_corner_point() {
        // A closed ring with a redundant point on one side: the mean would lean towards it, the centroid not.
        let ring = [at(60.0, 24.0), at(60.0, 24.001), at(60.0, 24.002), at(60.001, 24.002), at(60.001, 24.0)];
        let mut closed = ring.to_vec();
        closed.push(ring[0]);
        let c = centroid(closed.into_iter()).unwrap();
        assert!((c.lat - 60.0005).abs() < 1e-9 && (c.lon - 24.001).abs() < 1e-9, "{c:?}");
        assert_eq!(centroid(std::iter::empty()), None);
        assert_eq!(centroid([at(1.0, 2.0), at(3.0, 4.0)].into_iter()), Some(at(2.0, 3.0)));
    }

    #[test]
    fn one_address_keeps_the_best_point_whatever_order_it_comes_in() {
        let mut names = Names::default();
        let tags = |names: &mut Names, street: &str| AddressTags {
            number: "11".into(),
            street: names.id(street),
            postcode: names.id("00120"),
            city: names.id(""),
        };
        let mut merged = Merged::default();
        let (building, node, entrance) = (at(60.0, 24.0), at(60.1, 24.1), at(60.2, 24.2));
        let t1 = tags(&mut names, "Yrjönkatu");
        let t2 = tags(&mut names, "yrjönkatu ");
        merged.add(&names, &t1, building, Source::Building);
        merged.add(&names, &t2, node, Source::Node);
        merged.add(&names, &t1, entrance, Source::Entrance);
        merged.add(&names, &t1, building, Source::Building);
        assert_eq!(merged.addresses.len(), 1);
        assert_eq!(merged.addresses[0].0.at, entrance);
        assert_eq!(merged.addresses[0].0.street, "Yrjönkatu");
    }

    #[test]
    fn an_address_without_its_postcode_joins_the_one_nearby_that_has_it() {
        let mut names = Names::default();
        let mut tags = |number: &str, postcode: &str, city: &str| AddressTags {
            number: number.into(),
            street: names.id("Bulevardi"),
            postcode: names.id(postcode),
            city: names.id(city),
        };
        let (shop, building, far) = (tags("7", "", "Helsinki"), tags("7", "00120", ""), tags("9", "", ""));
        let (two_postcodes, other) = (tags("9", "00120", ""), tags("9", "00130", ""));
        let mut merged = Merged::default();
        merged.add(&names, &shop, at(60.1650, 24.9380), Source::Node);
        merged.add(&names, &building, at(60.1651, 24.9381), Source::Building);
        // Which of two postcodes a bare number 9 belongs to cannot be told: all three stay.
        merged.add(&names, &far, at(60.1660, 24.9390), Source::Node);
        merged.add(&names, &two_postcodes, at(60.1660, 24.9390), Source::Node);
        merged.add(&names, &other, at(60.1900, 24.9390), Source::Node);
        let addresses: Vec<Address> = merged.without_lone_postcode_gaps().into_iter().map(|(a, _)| a).collect();
        let labels: Vec<String> = addresses.iter().map(Address::label).collect();
        assert_eq!(labels, ["7 Bulevardi, 00120 Helsinki", "9 Bulevardi", "9 Bulevardi, 00120", "9 Bulevardi, 00130"]);
        assert_eq!(addresses[0].at, at(60.1650, 24.9380), "the node's point beats the building's centroid");
    }
}
