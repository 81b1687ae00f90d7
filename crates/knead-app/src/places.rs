//! Places: turning what a client types into a point, and a point into the nearest address.
//!
//! The [`Geocoder`] port has two adapters: the embedded index over the addresses the practice imported
//! (the default: client addresses never leave the server) and a Nominatim-compatible service
//! (`geocoder_url`, in `knead-places`). Resolving a booking's address (found, not found, ambiguous) is
//! one rule here for both.

use async_trait::async_trait;
use knead_core::GeoPoint;

/// An address a geocoder found.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundPlace {
    pub label: String,
    pub at: GeoPoint,
    /// How well it matched: equal ranks are equally good answers (lower is better).
    pub rank: u32,
}

/// A geocoder that could not answer (a service down, a malformed reply); never "nothing found".
#[derive(Debug, thiserror::Error)]
#[error("the geocoder did not answer: {0}")]
pub struct GeocoderError(pub String);

/// Addresses from text and from coordinates, best first.
#[async_trait]
pub trait Geocoder: Send + Sync {
    /// At most `limit` places matching `query`, best first; empty when nothing matches.
    async fn search(&self, query: &str, limit: usize) -> Result<Vec<FoundPlace>, GeocoderError>;
    /// The nearest known address to `at`, if any is close enough to be the same place.
    async fn reverse(&self, at: GeoPoint) -> Result<Option<FoundPlace>, GeocoderError>;
}
