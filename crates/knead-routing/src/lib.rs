//! Travel models (how long a drive between two places takes, behind the core's `TravelTimes` trait) and the
//! day optimizer.
//!
//! - [`StraightLine`]: the default estimate, the flat-map distance stretched by a road factor at an
//!   average speed; good enough for a city when no road data is loaded.
//! - [`TravelMatrix`]: minutes between every pair of a known set of places, looked up by index; what a
//!   road router fills before a request so the engine never waits on it.
//! - [`vrptw`]: vehicle routing with time windows, knead's own optimizer behind a [`vrptw::Planner`] trait
//!   (SISR ruin and recreate under simulated annealing), with the Solomon reader and an independent feasibility
//!   check.
//!
//! Pure like the core (no I/O, no clocks, no threads). The arrow runs from here to `knead-core`, never back: the
//! core's rules take any `TravelTimes`.

pub mod day;
pub mod vrptw;

use knead_core::geo::{local_km, GeoPoint, TravelTimes, UNREACHABLE};
use knead_core::FieldError;
use std::collections::HashMap;

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
/// handler before it calls [`knead_core::schedule::search()`], which then reads memory only.
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
