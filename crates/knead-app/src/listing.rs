//! What the manager keeps in lists — services, therapist profiles, articles — and the same six operations
//! on each: list, get, create, replace, archive and restore. Nothing is deleted: archived records leave the
//! public site and stay for the record.
//!
//! Each kind says how it is stored through [`Listing`]; the use cases below are written once for all of them.

use crate::{App, AppError, AppResult, NotFoundAs};
use async_trait::async_trait;
use jiff::Timestamp;
use knead_core::ValidationErrors;
use knead_store::{Store, StoreResult};

/// One kind of listed record and how the store keeps it.
#[async_trait]
pub trait Listing: Send + Sync + 'static {
    type Item: Send + Sync;
    type Input: Send + Sync;
    type Draft: Send + Sync;
    /// "service": what a missing one is called in messages.
    const WHAT: &'static str;

    fn is_archived(item: &Self::Item) -> bool;
    fn validate(input: &Self::Input) -> Result<Self::Draft, ValidationErrors>;

    async fn list(store: &dyn Store, include_archived: bool) -> StoreResult<Vec<Self::Item>>;
    async fn get(store: &dyn Store, id: i64) -> StoreResult<Self::Item>;
    async fn by_slug(store: &dyn Store, slug: &str) -> StoreResult<Self::Item>;
    async fn create(store: &dyn Store, draft: &Self::Draft, now: Timestamp) -> StoreResult<Self::Item>;
    async fn update(store: &dyn Store, id: i64, draft: &Self::Draft, now: Timestamp) -> StoreResult<Self::Item>;
    async fn set_archived(store: &dyn Store, id: i64, archived: bool, now: Timestamp) -> StoreResult<Self::Item>;
}

/// Who is looking at a list: archived records are for managers only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Public,
    Manager,
}

/// Every record of the kind the audience may see.
pub async fn list<L: Listing>(app: &App, audience: Audience) -> AppResult<Vec<L::Item>> {
    Ok(L::list(app.store(), audience == Audience::Manager).await?)
}

/// One record by id; archived ones are hidden from the public (as not found).
pub async fn get<L: Listing>(app: &App, id: i64, audience: Audience) -> AppResult<L::Item> {
    let item = L::get(app.store(), id).await.not_found_as(L::WHAT)?;
    visible::<L>(item, audience)
}

/// One record by its slug; archived ones are hidden from the public (as not found).
pub async fn by_slug<L: Listing>(app: &App, slug: &str, audience: Audience) -> AppResult<L::Item> {
    let item = L::by_slug(app.store(), slug).await.not_found_as(L::WHAT)?;
    visible::<L>(item, audience)
}

fn visible<L: Listing>(item: L::Item, audience: Audience) -> AppResult<L::Item> {
    if L::is_archived(&item) && audience == Audience::Public {
        Err(AppError::NotFound { what: L::WHAT })
    } else {
        Ok(item)
    }
}

/// Checks the input and stores a new record; a taken slug is a conflict naming `slug`.
pub async fn create<L: Listing>(app: &App, input: &L::Input) -> AppResult<L::Item> {
    let draft = L::validate(input)?;
    Ok(L::create(app.store(), &draft, app.now()).await?)
}

/// Checks the input and replaces every field of the record; a refused change changes nothing.
pub async fn update<L: Listing>(app: &App, id: i64, input: &L::Input) -> AppResult<L::Item> {
    let draft = L::validate(input)?;
    L::update(app.store(), id, &draft, app.now()).await.not_found_as(L::WHAT)
}

/// Archives (hides from the public) or restores a record.
pub async fn set_archived<L: Listing>(app: &App, id: i64, archived: bool) -> AppResult<L::Item> {
    L::set_archived(app.store(), id, archived, app.now()).await.not_found_as(L::WHAT)
}
