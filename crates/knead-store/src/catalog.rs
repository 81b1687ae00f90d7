//! The catalog port: services (with their add-ons) and therapist profiles.

use crate::StoreResult;
use async_trait::async_trait;
use jiff::Timestamp;
use knead_core::{Service, ServiceDraft, ServiceId, Therapist, TherapistDraft, TherapistId};

#[async_trait]
pub trait CatalogStore: Send + Sync {
    /// Services by name; archived ones only when asked.
    async fn list_services(&self, include_archived: bool) -> StoreResult<Vec<Service>>;
    async fn service(&self, id: ServiceId) -> StoreResult<Service>;
    async fn service_by_slug(&self, slug: &str) -> StoreResult<Service>;
    /// Fails with `Conflict { field: "slug" }` when the slug is taken.
    async fn create_service(&self, draft: &ServiceDraft, now: Timestamp) -> StoreResult<Service>;
    /// Replaces every field and the add-ons.
    async fn update_service(&self, id: ServiceId, draft: &ServiceDraft, now: Timestamp) -> StoreResult<Service>;
    async fn set_service_archived(&self, id: ServiceId, archived: bool, now: Timestamp) -> StoreResult<Service>;

    /// Therapists by name; archived ones only when asked.
    async fn list_therapists(&self, include_archived: bool) -> StoreResult<Vec<Therapist>>;
    async fn therapist(&self, id: TherapistId) -> StoreResult<Therapist>;
    async fn therapist_by_slug(&self, slug: &str) -> StoreResult<Therapist>;
    async fn create_therapist(&self, draft: &TherapistDraft, now: Timestamp) -> StoreResult<Therapist>;
    async fn update_therapist(&self, id: TherapistId, draft: &TherapistDraft, now: Timestamp)
        -> StoreResult<Therapist>;
    async fn set_therapist_archived(&self, id: TherapistId, archived: bool, now: Timestamp) -> StoreResult<Therapist>;
}
