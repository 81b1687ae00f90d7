//! The catalog: the services the practice sells and its therapists' public profiles, as [`Listing`]s.

use crate::listing::Listing;
use async_trait::async_trait;
use jiff::Timestamp;
use knead_core::{
    Service, ServiceDraft, ServiceId, ServiceInput, Therapist, TherapistDraft, TherapistId, TherapistInput,
    ValidationErrors,
};
use knead_store::{Store, StoreResult};

/// The services the practice sells, with their add-ons.
pub struct Services;

#[async_trait]
impl Listing for Services {
    type Item = Service;
    type Input = ServiceInput;
    type Draft = ServiceDraft;
    const WHAT: &'static str = "service";

    fn is_archived(s: &Service) -> bool {
        s.archived
    }
    fn validate(input: &ServiceInput) -> Result<ServiceDraft, ValidationErrors> {
        input.validate()
    }
    async fn list(store: &dyn Store, include_archived: bool) -> StoreResult<Vec<Service>> {
        store.list_services(include_archived).await
    }
    async fn get(store: &dyn Store, id: i64) -> StoreResult<Service> {
        store.service(ServiceId(id)).await
    }
    async fn by_slug(store: &dyn Store, slug: &str) -> StoreResult<Service> {
        store.service_by_slug(slug).await
    }
    async fn create(store: &dyn Store, draft: &ServiceDraft, now: Timestamp) -> StoreResult<Service> {
        store.create_service(draft, now).await
    }
    async fn update(store: &dyn Store, id: i64, draft: &ServiceDraft, now: Timestamp) -> StoreResult<Service> {
        store.update_service(ServiceId(id), draft, now).await
    }
    async fn set_archived(store: &dyn Store, id: i64, archived: bool, now: Timestamp) -> StoreResult<Service> {
        store.set_service_archived(ServiceId(id), archived, now).await
    }
}

/// The therapists' public profiles.
pub struct Therapists;

#[async_trait]
impl Listing for Therapists {
    type Item = Therapist;
    type Input = TherapistInput;
    type Draft = TherapistDraft;
    const WHAT: &'static str = "therapist";

    fn is_archived(t: &Therapist) -> bool {
        t.archived
    }
    fn validate(input: &TherapistInput) -> Result<TherapistDraft, ValidationErrors> {
        input.validate()
    }
    async fn list(store: &dyn Store, include_archived: bool) -> StoreResult<Vec<Therapist>> {
        store.list_therapists(include_archived).await
    }
    async fn get(store: &dyn Store, id: i64) -> StoreResult<Therapist> {
        store.therapist(TherapistId(id)).await
    }
    async fn by_slug(store: &dyn Store, slug: &str) -> StoreResult<Therapist> {
        store.therapist_by_slug(slug).await
    }
    async fn create(store: &dyn Store, draft: &TherapistDraft, now: Timestamp) -> StoreResult<Therapist> {
        store.create_therapist(draft, now).await
    }
    async fn update(store: &dyn Store, id: i64, draft: &TherapistDraft, now: Timestamp) -> StoreResult<Therapist> {
        store.update_therapist(TherapistId(id), draft, now).await
    }
    async fn set_archived(store: &dyn Store, id: i64, archived: bool, now: Timestamp) -> StoreResult<Therapist> {
        store.set_therapist_archived(TherapistId(id), archived, now).await
    }
}
