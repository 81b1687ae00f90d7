//! Places: the addresses a practice imports from OpenStreetMap, the roads drawn under a day's map, and the
//! text index that turns what a client types into a point. No I/O: reading an extract and storing the set
//! are the `knead-places` and `knead-store` crates' work.

use crate::geo::GeoPoint;
use serde::{Deserialize, Serialize};

mod grid;
mod house_number;
mod index;
mod query;
mod text;
mod vocabulary;

pub use index::{AddressIndex, Hit};
/// Case and accents folded away, as the address index reads text (also how client lists are searched).
pub use text::fold;

/// One street address, one point (an entrance where the map has one, else the address node or the
/// building's centre).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Address {
    /// House number as written on the map, e.g. `11`, `11a`, `11-13`.
    pub number: String,
    pub street: String,
    /// Empty when the map has none.
    pub postcode: String,
    /// Empty when the map has none.
    pub city: String,
    pub at: GeoPoint,
}

impl Address {
    /// How the address is shown and stored on a booking: `11 Yrjönkatu, 00120 Helsinki`.
    pub fn label(&self) -> String {
        let mut label = format!("{} {}", self.number, self.street);
        let place = [self.postcode.as_str(), self.city.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if !place.is_empty() {
            label.push_str(", ");
            label.push_str(&place);
        }
        label
    }
}

/// How a road is drawn: major roads wider and always, minor ones only when the map is close in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoadKind {
    /// motorway, trunk, primary, secondary (and their links)
    Major,
    /// tertiary, residential, unclassified, living street, service
    Minor,
}

impl RoadKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RoadKind::Major => "major",
            RoadKind::Minor => "minor",
        }
    }

    pub fn parse(s: &str) -> Option<RoadKind> {
        match s {
            "major" => Some(RoadKind::Major),
            "minor" => Some(RoadKind::Minor),
            _ => None,
        }
    }
}

/// A drivable way from the extract, as a polyline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Road {
    pub kind: RoadKind,
    pub points: Vec<GeoPoint>,
}

/// A rectangle of the map in degrees (never crossing the antimeridian: a practice's area does not).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bounds {
    pub south: f64,
    pub west: f64,
    pub north: f64,
    pub east: f64,
}

impl Bounds {
    /// The smallest rectangle holding every point; `None` for none.
    pub fn around(points: impl IntoIterator<Item = GeoPoint>) -> Option<Bounds> {
        points.into_iter().fold(None, |b: Option<Bounds>, p| {
            Some(match b {
                None => Bounds { south: p.lat, west: p.lon, north: p.lat, east: p.lon },
                Some(b) => Bounds {
                    south: b.south.min(p.lat),
                    west: b.west.min(p.lon),
                    north: b.north.max(p.lat),
                    east: b.east.max(p.lon),
                },
            })
        })
    }

    pub fn contains(&self, p: GeoPoint) -> bool {
        (self.south..=self.north).contains(&p.lat) && (self.west..=self.east).contains(&p.lon)
    }

    pub fn intersects(&self, other: &Bounds) -> bool {
        self.south <= other.north && other.south <= self.north && self.west <= other.east && other.west <= self.east
    }

    /// The same rectangle with `km` of margin on every side.
    pub fn grown_km(&self, km: f64) -> Bounds {
        let dlat = km / 111.32;
        let mid = ((self.south + self.north) / 2.0).to_radians().cos().max(0.01);
        let dlon = km / (111.32 * mid);
        Bounds {
            south: (self.south - dlat).max(-90.0),
            west: (self.west - dlon).max(-180.0),
            north: (self.north + dlat).min(90.0),
            east: (self.east + dlon).min(180.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(lat: f64, lon: f64) -> GeoPoint {
        GeoPoint { lat, lon }
    }

    #[test]
    fn a_label_leaves_out_what_the_map_does_not_have() {
        let mut a = Address {
            number: "11".into(),
            street: "Yrjönkatu".into(),
            postcode: "00120".into(),
            city: "Helsinki".into(),
            at: at(60.17, 24.94),
        };
        assert_eq!(a.label(), "11 Yrjönkatu, 00120 Helsinki");
        a.postcode.clear();
        assert_eq!(a.label(), "11 Yrjönkatu, Helsinki");
        a.city.clear();
        assert_eq!(a.label(), "11 Yrjönkatu");
    }

    #[test]
    fn bounds_hold_their_points_and_grow_by_kilometres() {
        let b = Bounds::around([at(60.16, 24.93), at(60.18, 24.95)]).unwrap();
        assert!(b.contains(at(60.17, 24.94)));
        assert!(!b.contains(at(60.19, 24.94)));
        let g = b.grown_km(1.0);
        assert!(g.contains(at(60.188, 24.94)) && !g.contains(at(60.19, 24.94)));
        assert!(b.intersects(&g) && Bounds::around([]).is_none());
    }
}
