//! The availability engine: which starts fit a therapist's day, given travel between visits.
//!
//! Everything here is integer minutes since the Unix epoch ([`Minute`]) in UTC. The caller converts
//! local wall-clock times with the practice's time zone at the edge (a day's grid `origin` is its
//! local midnight as an absolute minute), so daylight-saving days are just shorter or longer days
//! and no time-zone arithmetic happens per slot.
//!
//! - [`geo`]: places, the [`TravelTimes`] trait, the default [`StraightLine`] model and [`TravelMatrix`].
//! - [`route`]: a therapist's day ([`RouteDay`]) with its gaps precomputed, and [`RouteDay::check`] for one start.
//! - [`search`](mod@search): every grid start at which enough therapists fit, ranked by added travel.

pub mod geo;
pub mod route;
pub mod search;

#[cfg(test)]
mod tests;

/// Minutes since the Unix epoch, UTC.
pub type Minute = i64;

pub use geo::{haversine_km, GeoPoint, StraightLine, TravelMatrix, TravelMatrixError, TravelTimes, UNREACHABLE};
pub use route::{Fit, RouteDay, Stop, Unfit};
pub use search::{search, Day, Pick, RoomCalendar, SearchRequest, Slot, DEFAULT_STEP, MAX_DAY_MINUTES};
