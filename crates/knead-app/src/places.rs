//! Places: turning what a client types into a point, and a point into the nearest address.
//!
//! The [`Geocoder`] port has two adapters: [`EmbeddedGeocoder`], the index over the addresses the practice
//! imported (the default: client addresses never leave the server), and a Nominatim-compatible service
//! (`geocoder_url`, in `knead-places`). Resolving a booking's or a form's address — found, not found,
//! ambiguous — is one rule here, [`locate`], for both.

use crate::{App, AppError, AppResult};
use async_trait::async_trait;
use knead_core::geo::haversine_km;
use knead_core::places::{AddressIndex, Bounds, Road};
use knead_core::{FieldError, GeoPoint};
use knead_store::DynStore;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

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

/// Why an address given for a visit or a clinic cannot be used.
#[derive(Debug, Clone, PartialEq)]
pub enum AddressProblem {
    /// Nothing matches the text.
    NotFound { field: String },
    /// The text has no house number, so it names a street, not a door.
    NoNumber { field: String },
    /// Equally good matches lie far apart; the candidates, best first.
    Ambiguous { field: String, candidates: Vec<FoundPlace> },
    /// The geocoder could not be asked (a configured service is down).
    Unavailable,
}

impl AddressProblem {
    /// The problem as the field's error, as forms and the API show it; `None` when the geocoder is down
    /// (not the input's fault).
    pub fn field_error(&self) -> Option<FieldError> {
        Some(match self {
            AddressProblem::NotFound { field } => FieldError::new(
                "address_not_found",
                field.clone(),
                "we could not find this address; check the street and number, pick one of the suggestions, or \
                 call the practice",
            ),
            AddressProblem::NoNumber { field } => FieldError::new(
                "address_incomplete",
                field.clone(),
                "add the house number to the street, e.g. 11 Main Street",
            ),
            AddressProblem::Ambiguous { field, candidates } => FieldError::new(
                "address_ambiguous",
                field.clone(),
                format!(
                    "this address matches {} places far apart; add the postcode or city, or pick one",
                    candidates.len()
                ),
            ),
            AddressProblem::Unavailable => return None,
        })
    }
}

/// Matches closer together than this are one place (the entrances of one building, say).
const SAME_PLACE_KM: f64 = 0.2;
/// How far "use my location" may be from an address and still be that address.
const REVERSE_WITHIN_M: f64 = 150.0;
/// The longest address text taken; longer is not an address.
pub const MAX_ADDRESS_CHARS: usize = 300;
/// The most suggestions a search returns.
pub const MAX_SUGGESTIONS: usize = 20;

/// Suggestions for what a person is typing, best first.
///
/// Lenient, as a search box is: control characters count as spaces, and blank text suggests nothing.
pub async fn search(app: &App, query: &str, limit: usize) -> AppResult<Vec<FoundPlace>> {
    if query.is_empty() {
        return Err(AppError::field("required", "q", "type part of an address"));
    }
    if query.chars().count() > MAX_ADDRESS_CHARS {
        return Err(AppError::field("too_long", "q", format!("must be at most {MAX_ADDRESS_CHARS} characters")));
    }
    if !(1..=MAX_SUGGESTIONS).contains(&limit) {
        return Err(AppError::field("out_of_range", "limit", format!("must be between 1 and {MAX_SUGGESTIONS}")));
    }
    let spaced: String = query.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if spaced.trim().is_empty() {
        return Ok(Vec::new());
    }
    app.geocoder.search(spaced.trim(), limit).await.map_err(unavailable)
}

/// The address nearest to `at` ("use my location"), if one is close.
pub async fn reverse(app: &App, at: GeoPoint) -> AppResult<Option<FoundPlace>> {
    app.geocoder.reverse(at).await.map_err(unavailable)
}

/// At most this many roads under one map: a city's worth, so a page stays small.
const MAP_ROADS: usize = 4000;

/// The roads to draw under a map of `area`, major roads first; none when no extract was imported.
pub async fn roads_for_map(app: &App, area: Bounds) -> AppResult<Vec<Road>> {
    Ok(app.store().roads_within(area, MAP_ROADS).await?)
}

/// The one place `text` names, or why it cannot be used; `field` is how the caller's form or API spells the
/// input, so the error names it.
pub async fn locate(app: &App, field: &str, text: &str) -> AppResult<FoundPlace> {
    let query = checked_query(field, text)?;
    if !query.chars().any(|c| c.is_ascii_digit()) {
        return Err(AppError::Address(AddressProblem::NoNumber { field: field.into() }));
    }
    let hits = app.geocoder.search(query, 8).await.map_err(unavailable)?;
    pick(field, hits)
}

/// The resolution rule: the best match, unless equally good matches lie far apart.
fn pick(field: &str, hits: Vec<FoundPlace>) -> AppResult<FoundPlace> {
    let Some(best) = hits.first().cloned() else {
        return Err(AppError::Address(AddressProblem::NotFound { field: field.into() }));
    };
    let tied: Vec<FoundPlace> = hits.into_iter().take_while(|h| h.rank == best.rank).collect();
    if tied.iter().all(|h| haversine_km(h.at, best.at) <= SAME_PLACE_KM) {
        return Ok(best);
    }
    let mut candidates: Vec<FoundPlace> = Vec::new();
    for hit in tied {
        if !candidates.iter().any(|c| c.label == hit.label) {
            candidates.push(hit);
        }
    }
    Err(AppError::Address(AddressProblem::Ambiguous { field: field.into(), candidates }))
}

fn checked_query<'a>(field: &str, text: &'a str) -> AppResult<&'a str> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::field("required", field, "type a street address, e.g. 11 Main Street"));
    }
    if text.chars().count() > MAX_ADDRESS_CHARS {
        return Err(AppError::field("too_long", field, format!("must be at most {MAX_ADDRESS_CHARS} characters")));
    }
    if text.chars().any(char::is_control) {
        return Err(AppError::field("invalid", field, "must be one line of text"));
    }
    Ok(text)
}

fn unavailable(e: GeocoderError) -> AppError {
    // The text searched for is a client's address: only the failure is logged.
    tracing::warn!(error = %e, "address search failed");
    AppError::Address(AddressProblem::Unavailable)
}

/// How often a running server asks the store whether the practice imported a new set of addresses.
const RELOAD_CHECK: Duration = Duration::from_secs(5);

/// The default geocoder: an in-memory [`AddressIndex`] over the addresses the practice imported, rebuilt
/// when the store's places generation moves (a re-import, perhaps by another server on the same database).
pub struct EmbeddedGeocoder {
    store: DynStore,
    loaded: RwLock<Loaded>,
    /// One reload at a time; searches meanwhile use the index they have.
    reloading: tokio::sync::Mutex<()>,
}

struct Loaded {
    generation: i64,
    index: Arc<AddressIndex>,
    checked: Option<Instant>,
}

impl EmbeddedGeocoder {
    pub fn new(store: DynStore) -> EmbeddedGeocoder {
        EmbeddedGeocoder {
            store,
            loaded: RwLock::new(Loaded {
                generation: 0,
                index: Arc::new(AddressIndex::new(Vec::new())),
                checked: None,
            }),
            reloading: tokio::sync::Mutex::new(()),
        }
    }

    /// Forgets when the generation was last checked, so the next search looks (after an import in-process).
    pub fn recheck(&self) {
        self.loaded.write().unwrap_or_else(|e| e.into_inner()).checked = None;
    }

    /// Loads the index now (at start), so the first client's search does not wait for it.
    pub async fn warm_up(&self) -> Result<usize, GeocoderError> {
        Ok(self.index().await?.len())
    }

    /// The index for the store's current generation.
    async fn index(&self) -> Result<Arc<AddressIndex>, GeocoderError> {
        let fresh = |l: &Loaded| l.checked.is_some_and(|at| at.elapsed() < RELOAD_CHECK);
        {
            let loaded = self.loaded.read().unwrap_or_else(|e| e.into_inner());
            if fresh(&loaded) {
                return Ok(loaded.index.clone());
            }
        }
        let _one_at_a_time = self.reloading.lock().await;
        let (have, index) = {
            let loaded = self.loaded.read().unwrap_or_else(|e| e.into_inner());
            if fresh(&loaded) {
                return Ok(loaded.index.clone());
            }
            (loaded.generation, loaded.index.clone())
        };
        let store_error = |e: knead_store::StoreError| GeocoderError(format!("reading the addresses: {e}"));
        let current = self.store.places_generation().await.map_err(store_error)?;
        let index = if current == have {
            index
        } else {
            let (generation, addresses) = self.store.all_addresses().await.map_err(store_error)?;
            let built = tokio::task::spawn_blocking(move || AddressIndex::new(addresses))
                .await
                .map_err(|e| GeocoderError(format!("building the address index: {e}")))?;
            tracing::info!(addresses = built.len(), generation, "address index built");
            let built = Arc::new(built);
            let mut loaded = self.loaded.write().unwrap_or_else(|e| e.into_inner());
            loaded.generation = generation;
            loaded.index = built.clone();
            built
        };
        self.loaded.write().unwrap_or_else(|e| e.into_inner()).checked = Some(Instant::now());
        Ok(index)
    }
}

#[async_trait]
impl Geocoder for EmbeddedGeocoder {
    async fn search(&self, query: &str, limit: usize) -> Result<Vec<FoundPlace>, GeocoderError> {
        let index = self.index().await?;
        Ok(index
            .search(query, limit)
            .into_iter()
            .map(|hit| FoundPlace { label: hit.address.label(), at: hit.address.at, rank: hit.rank })
            .collect())
    }

    async fn reverse(&self, at: GeoPoint) -> Result<Option<FoundPlace>, GeocoderError> {
        let index = self.index().await?;
        Ok(index.nearest(at, REVERSE_WITHIN_M).map(|a| FoundPlace { label: a.label(), at: a.at, rank: 0 }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(label: &str, lat: f64, lon: f64, rank: u32) -> FoundPlace {
        FoundPlace { label: label.into(), at: GeoPoint { lat, lon }, rank }
    }

    #[test]
    fn the_best_match_wins_when_the_equally_good_ones_are_one_place() {
        let hits = vec![place("11 Yrjönkatu", 60.1680, 24.9390, 0), place("11 Yrjönkatu", 60.1681, 24.9391, 0)];
        assert_eq!(pick("address", hits).unwrap().label, "11 Yrjönkatu");
        let hits = vec![place("11 Annankatu", 60.1650, 24.9390, 0), place("11 Bulevardi", 60.1640, 24.9360, 3)];
        assert_eq!(pick("address", hits).unwrap().label, "11 Annankatu", "a worse rank does not compete");
    }

    #[test]
    fn equally_good_matches_far_apart_are_ambiguous_and_none_is_not_found() {
        let hits =
            vec![place("1 Main St, Springfield", 43.0, -79.0, 1), place("1 Main St, Shelbyville", 43.5, -79.5, 1)];
        match pick("address", hits) {
            Err(AppError::Address(AddressProblem::Ambiguous { field, candidates })) => {
                assert_eq!(field, "address");
                assert_eq!(candidates.len(), 2);
            }
            other => panic!("expected ambiguous, got {other:?}"),
        }
        assert!(
            matches!(pick("where", vec![]), Err(AppError::Address(AddressProblem::NotFound { field })) if field == "where")
        );
    }

    #[test]
    fn a_query_is_one_line_of_reasonable_length() {
        assert!(checked_query("q", "  ").is_err());
        assert!(checked_query("q", "11 Main\nStreet").is_err());
        assert!(checked_query("q", &"x".repeat(301)).is_err());
        assert_eq!(checked_query("q", " 11 Main St ").unwrap(), "11 Main St");
    }
}
