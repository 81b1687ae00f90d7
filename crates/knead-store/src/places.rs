//! The places port: the addresses and roads a practice imported from an OpenStreetMap extract, replaced
//! whole by each import and numbered by a generation, so what is kept in memory from them (the address
//! index, cached road travel times) knows when it is stale.

use crate::StoreResult;
use async_trait::async_trait;
use jiff::Timestamp;
use knead_core::places::{Address, Bounds, Road};

#[async_trait]
pub trait PlaceStore: Send + Sync {
    /// Replaces every address and road in one transaction; returns the new generation (> 0).
    async fn replace_places(&self, addresses: &[Address], roads: &[Road], now: Timestamp) -> StoreResult<i64>;
    /// 0 when nothing was ever imported.
    async fn places_generation(&self) -> StoreResult<i64>;
    /// Every address with the generation they belong to (one snapshot).
    async fn all_addresses(&self) -> StoreResult<(i64, Vec<Address>)>;
    /// Roads whose bounding box meets `area`, at most `limit` (major roads first).
    async fn roads_within(&self, area: Bounds, limit: usize) -> StoreResult<Vec<Road>>;
}
