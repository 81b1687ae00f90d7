//! One address, one point: the addresses the first pass found on nodes and buildings, merged by street,
//! number and postcode (compared without case or extra spaces), each keeping its best point: an entrance,
//! else the address node, else the building's centroid.

use knead_core::geo::haversine_km;
use knead_core::GeoPoint;
use std::borrow::Cow;
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
#[derive(Debug, Clone, Default)]
pub(super) struct AddressTags {
    pub(super) number: String,
    pub(super) street: u32,
    pub(super) postcode: u32,
    pub(super) city: u32,
}

/// Strings the extract repeats (street, postcode and city names), stored once, each with the id of its
/// normalised form (so two spellings of one street compare as one number).
#[derive(Default)]
pub(super) struct Names {
    ids: HashMap<String, u32>,
    names: Vec<String>,
    normal: Vec<u32>,
}

impl Names {
    pub(super) fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_string());
        self.ids.insert(name.to_string(), id);
        self.normal.push(id);
        let normal = normalised(name);
        if normal != name {
            // A normalised name is its own normal form, so this goes one level deep.
            self.normal[id as usize] = self.id(&normal);
        }
        id
    }

    pub(super) fn get(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    fn normal(&self, id: u32) -> u32 {
        self.normal[id as usize]
    }
}

/// Lower case, spaces collapsed: "Yrjönkatu  " and "yrjönkatu" are one street.
fn normalised(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// A house number as compared: lower case without spaces, so "23 B" and "23b" are one door.
fn number_key(number: &str) -> Cow<'_, str> {
    if number.chars().any(|c| c.is_uppercase() || c.is_whitespace()) {
        Cow::Owned(number.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect())
    } else {
        Cow::Borrowed(number)
    }
}

/// An address as the extract names it once: on a node, a building or an entrance.
#[derive(Debug, Clone)]
pub(super) struct Candidate {
    pub(super) tags: AddressTags,
    pub(super) at: GeoPoint,
    pub(super) source: Source,
}

/// One address after merging: its tags as first named (the city filled in from another mention when the
/// first had none) and its best point.
#[derive(Debug, Clone)]
pub(super) struct Merged {
    pub(super) tags: AddressTags,
    pub(super) at: GeoPoint,
}

/// Two places of one address that lacks its postcode on one of them are at most this far apart, in km.
const SAME_PLACE_KM: f64 = 1.0;

/// The candidates that name one address: where it is first named (its place in the output), whose tags it
/// takes, which has the best point, and its city.
#[derive(Debug, Clone, Copy)]
struct Group {
    position: u32,
    named: u32,
    best: u32,
    city: u32,
}

/// One address per street, number and postcode, in the order the extract first names each, at its best
/// point. An address without a postcode also joins the one address of the same street, number and city
/// that has a postcode, when there is exactly one and it is close: a shop's node often leaves out the
/// postcode its building has, and a client should not be offered the same door twice.
///
/// Done by sorting, not hashing, so it needs a few bytes per candidate beyond the candidates themselves.
pub(super) fn merge(mut candidates: Vec<Candidate>, names: &mut Names) -> Vec<Merged> {
    let empty = names.id("");
    let names = &*names;
    let numbers: Vec<Cow<'_, str>> = candidates.iter().map(|c| number_key(&c.tags.number)).collect();
    let door = |i: u32| (names.normal(candidates[i as usize].tags.street), &numbers[i as usize]);
    let postcode = |i: u32| names.normal(candidates[i as usize].tags.postcode);
    let better = |a: u32, b: u32| {
        let rank = |i: u32| (candidates[i as usize].source, i);
        if rank(b) < rank(a) {
            b
        } else {
            a
        }
    };

    let mut order: Vec<u32> = (0..candidates.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| door(a).cmp(&door(b)).then(postcode(a).cmp(&postcode(b))).then(a.cmp(&b)));
    let mut groups: Vec<Group> = Vec::new();
    for same in order.chunk_by(|&a, &b| door(a) == door(b) && postcode(a) == postcode(b)) {
        // Sorted by index last, so the first of a run is where the address is first named.
        let first = same[0];
        let best = same.iter().copied().fold(first, better);
        let city = same.iter().map(|&i| candidates[i as usize].tags.city).find(|&c| c != empty).unwrap_or(empty);
        groups.push(Group { position: first, named: first, best, city });
    }
    drop(order);

    let mut merged: Vec<Group> = Vec::with_capacity(groups.len());
    for one_door in groups.chunk_by(|a, b| door(a.named) == door(b.named)) {
        if let &[a, b] = one_door {
            let (bare, with) = if postcode(a.named) == empty { (a, b) } else { (b, a) };
            let same_city =
                bare.city == empty || with.city == empty || names.normal(bare.city) == names.normal(with.city);
            let (bare_at, with_at) = (candidates[bare.best as usize].at, candidates[with.best as usize].at);
            if postcode(bare.named) == empty && same_city && haversine_km(bare_at, with_at) <= SAME_PLACE_KM {
                merged.push(Group {
                    position: bare.position.min(with.position),
                    named: with.named,
                    best: better(bare.best, with.best),
                    city: if with.city == empty { bare.city } else { with.city },
                });
                continue;
            }
        }
        merged.extend_from_slice(one_door);
    }
    drop(groups);
    drop(numbers);

    merged.sort_unstable_by_key(|g| g.position);
    merged
        .into_iter()
        .map(|g| {
            let at = candidates[g.best as usize].at;
            let mut tags = std::mem::take(&mut candidates[g.named as usize].tags);
            tags.city = g.city;
            Merged { tags, at }
        })
        .collect()
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
    use knead_core::places::Address;

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

    fn candidate(names: &mut Names, street: &str, number: &str, postcode: &str, city: &str) -> AddressTags {
        AddressTags {
            number: number.into(),
            street: names.id(street),
            postcode: names.id(postcode),
            city: names.id(city),
        }
    }

    /// The addresses `merge` makes of these candidates.
    fn merged(names: &mut Names, candidates: Vec<(AddressTags, GeoPoint, Source)>) -> Vec<Address> {
        let candidates = candidates.into_iter().map(|(tags, at, source)| Candidate { tags, at, source }).collect();
        merge(candidates, names)
            .into_iter()
            .map(|m| Address {
                number: m.tags.number,
                street: names.get(m.tags.street).into(),
                postcode: names.get(m.tags.postcode).into(),
                city: names.get(m.tags.city).into(),
                at: m.at,
            })
            .collect()
    }

    #[test]
    fn one_address_keeps_the_best_point_whatever_order_it_comes_in() {
        let mut names = Names::default();
        let first = candidate(&mut names, "Yrjönkatu", "23 B", "00120", "");
        let spelt_apart = candidate(&mut names, "yrjönkatu ", "23b", "00120", "Helsinki");
        let (building, node, entrance) = (at(60.0, 24.0), at(60.1, 24.1), at(60.2, 24.2));
        let addresses = merged(
            &mut names,
            vec![
                (first.clone(), building, Source::Building),
                (spelt_apart, node, Source::Node),
                (first.clone(), entrance, Source::Entrance),
                (first, building, Source::Building),
            ],
        );
        assert_eq!(addresses.len(), 1);
        // Named as first written, at the entrance, with the city another mention gave.
        assert_eq!(addresses[0].label(), "23 B Yrjönkatu, 00120 Helsinki");
        assert_eq!(addresses[0].at, entrance);
    }

    #[test]
    fn an_address_without_its_postcode_joins_the_one_nearby_that_has_it() {
        let mut names = Names::default();
        let mut tags =
            |number: &str, postcode: &str, city: &str| candidate(&mut names, "Bulevardi", number, postcode, city);
        let (shop, building, far) = (tags("7", "", "Helsinki"), tags("7", "00120", ""), tags("9", "", ""));
        let (two_postcodes, other) = (tags("9", "00120", ""), tags("9", "00130", ""));
        let addresses = merged(
            &mut names,
            vec![
                (shop, at(60.1650, 24.9380), Source::Node),
                (building, at(60.1651, 24.9381), Source::Building),
                // Which of two postcodes a bare number 9 belongs to cannot be told: all three stay.
                (far, at(60.1660, 24.9390), Source::Node),
                (two_postcodes, at(60.1660, 24.9390), Source::Node),
                (other, at(60.1900, 24.9390), Source::Node),
            ],
        );
        let labels: Vec<String> = addresses.iter().map(Address::label).collect();
        assert_eq!(labels, ["7 Bulevardi, 00120 Helsinki", "9 Bulevardi", "9 Bulevardi, 00120", "9 Bulevardi, 00130"]);
        assert_eq!(addresses[0].at, at(60.1650, 24.9380), "the node's point beats the building's centroid");
    }

    #[test]
    fn a_bare_address_far_from_the_one_with_a_postcode_stays_apart() {
        let mut names = Names::default();
        let bare = candidate(&mut names, "Main Street", "1", "", "");
        let with = candidate(&mut names, "Main Street", "1", "K1A 0B1", "");
        let addresses =
            merged(&mut names, vec![(bare, at(45.0, -75.0), Source::Node), (with, at(45.1, -75.0), Source::Node)]);
        assert_eq!(addresses.len(), 2);
    }
}
