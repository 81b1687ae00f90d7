//! The availability engine: which starts fit a therapist's day, given travel between visits.
//!
//! Everything here is integer minutes since the Unix epoch ([`Minute`]) in UTC. The caller converts
//! local wall-clock times with the practice's time zone at the edge (a day's grid `origin` is its
//! local midnight as an absolute minute), so daylight-saving days are just shorter or longer days
//! and no time-zone arithmetic happens per slot. Travel comes in through [`crate::geo::TravelTimes`].
//!
//! - [`route`]: a therapist's day ([`RouteDay`]) with its gaps precomputed, and [`RouteDay::check`] for one start.
//! - [`search`](mod@search): every grid start at which enough therapists fit, ranked by added travel.

pub mod route;
pub mod search;

/// Minutes since the Unix epoch, UTC.
pub type Minute = i64;

/// How far either side of a visit its neighbours can matter to it: a whole day. Availability and the
/// booking re-check load the stops within this margin of the day they look at.
pub const NEIGHBOUR_MARGIN_MINUTES: Minute = 24 * 60;

pub use route::{within_radius, DayRule, Fit, RouteDay, Stop, Unfit};
pub use search::{search, Day, Pick, RoomCalendar, SearchRequest, Slot, DEFAULT_STEP, MAX_DAY_MINUTES};
