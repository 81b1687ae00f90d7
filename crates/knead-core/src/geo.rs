//! Places on the map, the distances the core's rules need (a therapist's radius, the service area), and
//! the `TravelTimes` trait through which the engine asks how long a drive takes.
//!
//! The travel models themselves (the straight-line estimate, a precomputed matrix, road times) live in
//! `knead-routing`, which depends on this crate and never the reverse. The engine never waits on a
//! network: a model answers from memory. `row` and `column` ask for many pairs at once so that a model
//! backed by a road-routing table can be filled with one call per batch, not one per pair.

use crate::validation::FieldError;
use serde::{Deserialize, Serialize};

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
    pub fn key(self) -> (u64, u64) {
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
}
