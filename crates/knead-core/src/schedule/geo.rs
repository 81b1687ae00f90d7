//! Places on the map and the travel times between them, behind a synchronous `TravelTimes` trait.
//!
//! The engine never waits on a network: a provider answers from memory (a formula, or a matrix filled
//! before the request). `row` and `column` ask for many pairs at once so that a provider backed by a
//! road-routing table (OSRM's `table` service) can be filled with one call per batch, not one per pair.

use crate::validation::FieldError;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Travel minutes for a pair that cannot be driven (no road, or a matrix that was not told the place).
/// The engine's arithmetic is in `i64`, so this simply never fits in a day.
pub const UNREACHABLE: u32 = u32::MAX;

/// A point on the earth in decimal degrees (WGS 84).
///
/// The fields are public so that storage and tests can build values they already trust;
/// anything that comes from a person goes through [`GeoPoint::parse`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

impl GeoPoint {
    /// A point from user input; the error names the field (`lat` or `lon`) and the allowed range.
    pub fn parse(lat: f64, lon: f64) -> Result<GeoPoint, FieldError> {
        check_degrees("lat", "latitude", lat, 90.0)?;
        check_degrees("lon", "longitude", lon, 180.0)?;
        Ok(GeoPoint { lat, lon })
    }

    /// The bit pattern, so points can key a hash map (two equal coordinates are the same place).
    fn key(self) -> (u64, u64) {
        // -0.0 and 0.0 are the same place.
        ((self.lat + 0.0).to_bits(), (self.lon + 0.0).to_bits())
    }
}

fn check_degrees(field: &str, what: &str, value: f64, limit: f64) -> Result<(), FieldError> {
    if !value.is_finite() {
        return Err(FieldError::new("invalid", field, format!("must be a {what} in decimal degrees")));
    }
    if !(-limit..=limit).contains(&value) {
        return Err(FieldError::new(
            "out_of_range",
            field,
            format!("must be a {what} between -{limit} and {limit} (got {value})"),
        ));
    }
    Ok(())
}

/// Mean earth radius (IUGG), in km.
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Great-circle distance in km.
pub fn haversine_km(a: GeoPoint, b: GeoPoint) -> f64 {
    let (lat_a, lat_b) = (a.lat.to_radians(), b.lat.to_radians());
    let half_dlat = (lat_b - lat_a) / 2.0;
    let half_dlon = (b.lon - a.lon).to_radians() / 2.0;
    let h = half_dlat.sin().powi(2) + lat_a.cos() * lat_b.cos() * half_dlon.sin().powi(2);
    // Rounding can push h a hair above 1 for antipodal points.
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// Distance in km on a flat map of the neighbourhood (an equirectangular projection at the points' mean
/// latitude): within 0.3% of the great circle across a city, far inside the road factor's own error, and
/// about five times cheaper (one cosine, no arcsine), which matters because availability prices thousands
/// of legs per search. Points more than about 2 degrees apart use the great circle.
pub fn local_km(a: GeoPoint, b: GeoPoint) -> f64 {
    let (dlat, dlon) = (b.lat - a.lat, b.lon - a.lon);
    if dlat.abs() > 2.0 || dlon.abs() > 2.0 {
        return haversine_km(a, b);
    }
    let mean_lat = ((a.lat + b.lat) / 2.0).to_radians();
    let x = dlon.to_radians() * mean_lat.cos();
    let y = dlat.to_radians();
    EARTH_RADIUS_KM * (x * x + y * y).sqrt()
}

/// Driving minutes between places. Implementations answer from memory and never do I/O:
/// availability calls this on its hot path, inside a request.
pub trait TravelTimes: Send + Sync {
    fn minutes(&self, from: GeoPoint, to: GeoPoint) -> u32;

    /// Minutes from `from` to each of `to`, in order. Points may repeat.
    fn row(&self, from: GeoPoint, to: &[GeoPoint]) -> Vec<u32> {
        to.iter().map(|&t| self.minutes(from, t)).collect()
    }

    /// Minutes from each of `from` to `to`, in order; a separate call because road times are not
    /// symmetric (one-way streets, highway ramps).
    fn column(&self, from: &[GeoPoint], to: GeoPoint) -> Vec<u32> {
        from.iter().map(|&f| self.minutes(f, to)).collect()
    }
}

/// The default model: great-circle distance stretched by a road factor, at an average speed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StraightLine {
    /// How much longer roads are than the straight line; 1.3 suits a city grid.
    pub road_factor: f64,
    /// Average driving speed in km/h, stops and parking included.
    pub speed_kmh: f64,
}

impl Default for StraightLine {
    fn default() -> Self {
        StraightLine { road_factor: 1.3, speed_kmh: 30.0 }
    }
}

impl StraightLine {
    /// Settings from a manager; field names match the practice settings form.
    pub fn new(road_factor: f64, speed_kmh: f64) -> Result<StraightLine, FieldError> {
        if !(road_factor.is_finite() && (1.0..=5.0).contains(&road_factor)) {
            return Err(FieldError::new("out_of_range", "road_factor", "must be between 1 and 5"));
        }
        if !(speed_kmh.is_finite() && (1.0..=200.0).contains(&speed_kmh)) {
            return Err(FieldError::new("out_of_range", "speed_kmh", "must be between 1 and 200 km/h"));
        }
        Ok(StraightLine { road_factor, speed_kmh })
    }
}

impl TravelTimes for StraightLine {
    fn minutes(&self, from: GeoPoint, to: GeoPoint) -> u32 {
        let minutes = (local_km(from, to) * self.road_factor / self.speed_kmh * 60.0).ceil();
        // Also catches NaN and a zero speed: an unusable setting must not offer impossible visits.
        if minutes.is_finite() && minutes >= 0.0 && minutes < UNREACHABLE as f64 {
            minutes as u32
        } else {
            UNREACHABLE
        }
    }
}

/// Why minutes handed to [`TravelMatrix::from_minutes`] were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TravelMatrixError {
    #[error("a matrix over {points} points needs {expected} entries, got {got}")]
    WrongSize { points: usize, expected: usize, got: usize },
    #[error("point {index} repeats an earlier point")]
    RepeatedPoint { index: usize },
}

/// Travel minutes between every pair of a known set of points (say, the bases and stops of the
/// route-days a request looks at), kept in a flat square array and looked up by index in O(1).
///
/// It also answers as a [`TravelTimes`] by point; a pair it was not built with is [`UNREACHABLE`],
/// so a forgotten point hides slots rather than offering a visit nobody checked.
///
/// # Filling it from a road router
///
/// A provider backed by OSRM does the network work *before* the engine runs, off the request path
/// where it can: the points are known when bookings and hours change, so the web layer (async)
/// calls `GET /table/v1/driving/{lon,lat;lon,lat;...}?annotations=duration` in tiles of at most
/// 100 locations (the server's default `max-table-size`), turns each `durations[i][j]` from seconds
/// into whole minutes rounded up (`null` becomes [`UNREACHABLE`]) and hands the square to
/// [`TravelMatrix::from_minutes`]. A client's new address needs only its own row and column
/// (`sources=0` and `destinations=0` against the known points): two table calls made by the
/// handler before it calls [`crate::schedule::search()`], which then reads memory only.
#[derive(Debug, Clone)]
pub struct TravelMatrix {
    points: Vec<GeoPoint>,
    minutes: Vec<u32>,
    index: HashMap<(u64, u64), usize>,
}

impl TravelMatrix {
    /// Asks `travel` for one row per distinct point; repeated points are kept once.
    pub fn build(points: impl IntoIterator<Item = GeoPoint>, travel: &dyn TravelTimes) -> TravelMatrix {
        let mut distinct = Vec::new();
        let mut index = HashMap::new();
        for point in points {
            index.entry(point.key()).or_insert_with(|| {
                distinct.push(point);
                distinct.len() - 1
            });
        }
        let mut minutes = Vec::with_capacity(distinct.len() * distinct.len());
        for &from in &distinct {
            minutes.extend(travel.row(from, &distinct));
        }
        TravelMatrix { points: distinct, minutes, index }
    }

    /// A matrix from minutes already known, row-major: `minutes[i * n + j]` is from `points[i]` to `points[j]`.
    pub fn from_minutes(points: Vec<GeoPoint>, minutes: Vec<u32>) -> Result<TravelMatrix, TravelMatrixError> {
        let n = points.len();
        if minutes.len() != n * n {
            return Err(TravelMatrixError::WrongSize { points: n, expected: n * n, got: minutes.len() });
        }
        let mut index = HashMap::with_capacity(n);
        for (i, point) in points.iter().enumerate() {
            if index.insert(point.key(), i).is_some() {
                return Err(TravelMatrixError::RepeatedPoint { index: i });
            }
        }
        Ok(TravelMatrix { points, minutes, index })
    }

    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    pub fn points(&self) -> &[GeoPoint] {
        &self.points
    }

    pub fn index_of(&self, point: GeoPoint) -> Option<usize> {
        self.index.get(&point.key()).copied()
    }

    /// Minutes from `points()[from]` to `points()[to]`. Panics when an index is out of range.
    pub fn get(&self, from: usize, to: usize) -> u32 {
        assert!(from < self.len() && to < self.len(), "travel matrix index out of range");
        self.minutes[from * self.len() + to]
    }
}

impl TravelTimes for TravelMatrix {
    fn minutes(&self, from: GeoPoint, to: GeoPoint) -> u32 {
        match (self.index_of(from), self.index_of(to)) {
            (Some(i), Some(j)) => self.minutes[i * self.len() + j],
            _ => UNREACHABLE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(lat: f64, lon: f64) -> GeoPoint {
        GeoPoint::parse(lat, lon).unwrap()
    }

    #[test]
    fn parse_names_the_field_that_is_out_of_range() {
        assert_eq!(GeoPoint::parse(91.0, 0.0).unwrap_err().field, "lat");
        assert_eq!(GeoPoint::parse(0.0, -180.5).unwrap_err().field, "lon");
        assert_eq!(GeoPoint::parse(f64::NAN, 0.0).unwrap_err().code, "invalid");
        assert_eq!(GeoPoint::parse(0.0, f64::INFINITY).unwrap_err().field, "lon");
        assert!(GeoPoint::parse(-90.0, 180.0).is_ok());
    }

    #[test]
    fn haversine_matches_a_known_distance() {
        // Toronto City Hall to Montreal City Hall is about 504 km as the crow flies.
        let toronto = point(43.6534, -79.3839);
        let montreal = point(45.5088, -73.5540);
        let km = haversine_km(toronto, montreal);
        assert!((km - 504.0).abs() < 3.0, "{km}");
        assert_eq!(haversine_km(toronto, toronto), 0.0);
    }

    #[test]
    fn the_local_distance_stays_within_a_third_of_a_percent_across_a_city() {
        let centre = point(43.6532, -79.3832);
        for (dlat, dlon) in [(0.18, 0.0), (0.0, 0.25), (0.18, 0.25), (-0.15, 0.2), (0.01, -0.01)] {
            let other = point(43.6532 + dlat, -79.3832 + dlon);
            let (flat, great) = (local_km(centre, other), haversine_km(centre, other));
            assert!((flat - great).abs() / great < 0.003, "{flat} vs {great}");
        }
        let montreal = point(45.5019, -73.5674);
        assert_eq!(local_km(centre, montreal), haversine_km(centre, montreal), "far apart: the great circle");
    }

    #[test]
    fn straight_line_rounds_up_to_whole_minutes() {
        let model = StraightLine::default();
        let a = point(43.65, -79.38);
        assert_eq!(model.minutes(a, a), 0);
        // 0.01 degrees of latitude is about 1.11 km: 1.11 * 1.3 / 30 * 60 = 2.9 minutes.
        assert_eq!(model.minutes(a, point(43.66, -79.38)), 3);
    }

    #[test]
    fn straight_line_with_a_zero_speed_is_unreachable_not_zero() {
        let model = StraightLine { road_factor: 1.3, speed_kmh: 0.0 };
        assert_eq!(model.minutes(point(0.0, 0.0), point(0.0, 1.0)), UNREACHABLE);
        assert!(StraightLine::new(1.3, 0.0).is_err());
        assert!(StraightLine::new(0.5, 30.0).is_err());
    }

    #[test]
    fn travel_matrix_answers_like_the_model_it_was_built_from() {
        let model = StraightLine::default();
        let points = [point(43.6, -79.4), point(43.7, -79.3), point(43.6, -79.4), point(43.65, -79.5)];
        let matrix = TravelMatrix::build(points, &model);
        assert_eq!(matrix.len(), 3, "repeated points are kept once");
        for &a in &points {
            for &b in &points {
                assert_eq!(matrix.minutes(a, b), model.minutes(a, b));
            }
        }
        assert_eq!(matrix.minutes(points[0], point(0.0, 0.0)), UNREACHABLE);
    }

    #[test]
    fn travel_matrix_from_minutes_checks_its_shape() {
        let points = vec![point(1.0, 1.0), point(2.0, 2.0)];
        assert!(matches!(
            TravelMatrix::from_minutes(points.clone(), vec![0, 1, 2]),
            Err(TravelMatrixError::WrongSize { expected: 4, .. })
        ));
        let matrix = TravelMatrix::from_minutes(points, vec![0, 7, 9, 0]).unwrap();
        assert_eq!(matrix.get(0, 1), 7);
        assert_eq!(matrix.get(1, 0), 9);
    }
}
