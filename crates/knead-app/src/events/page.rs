//! A group's private page for its organiser or host: a chair day's sheet as it fills, with the sign-up link to
//! pass round again; a party's guests, their times and whether each has done their health check. Reached by a
//! link of its own (one per message, only hashes kept), never by an account.

use super::party::{party_of, Party};
use super::{sheet_of, zone_of, Sheet};
use crate::accounts::{random_secret, secret_hash};
use crate::{App, AppError, AppResult, NotFoundAs};
use knead_core::booking::BookingId;
use knead_core::Kind;

/// What a group's page shows.
pub enum GroupPage {
    ChairDay(Sheet),
    Party(Party),
}

/// A new link to `booking`'s page; returns its token (only the hash is kept).
pub async fn new_link(app: &App, booking: BookingId) -> AppResult<String> {
    let token = random_secret();
    app.store().add_group_link(booking, &secret_hash(&token), app.now()).await?;
    Ok(token)
}

/// The page of group `booking` for the holder of `token`: `NotFound` for a token that is not one of this
/// group's links, so a wrong link and a missing group look the same.
pub async fn group_page(app: &App, booking: BookingId, token: &str) -> AppResult<GroupPage> {
    let linked = app.store().group_by_link(&secret_hash(token)).await.not_found_as("group")?;
    if linked != booking {
        return Err(AppError::NotFound { what: "group" });
    }
    group_of(app, booking).await
}

/// Group `booking` as its page shows it, whichever kind it is.
pub(crate) async fn group_of(app: &App, booking: BookingId) -> AppResult<GroupPage> {
    let store = app.store();
    let b = store.booking(booking).await.not_found_as("group")?;
    let service = store.service(b.service_id).await?;
    match service.kind {
        Kind::Chair => {
            let day = store.chair_day_by_booking(booking).await.not_found_as("group")?;
            Ok(GroupPage::ChairDay(sheet_of(app, day, zone_of(app).await?).await?))
        }
        Kind::Party => Ok(GroupPage::Party(party_of(app, b).await?)),
        Kind::Individual | Kind::Couples => Err(AppError::NotFound { what: "group" }),
    }
}
