//! Enquiries from a company's organiser (a chair-massage day) or a party's host who would rather be called. A
//! manager accepts one, which for a chair day books exactly what was asked (the organiser then gets their page
//! by email), or declines it.

use super::{create_chair_day, ChairDayCreated};
use crate::{App, AppError, AppResult, ConflictCode, NotFoundAs};
use knead_core::calendar::local_date;
use knead_core::events::enquiry::{Enquiry, EnquiryId, EnquiryInput, EnquiryKind, EnquiryStatus};
use knead_core::User;

/// Files an enquiry; nothing is booked. A date already past is refused on `date`.
pub async fn submit(app: &App, input: &EnquiryInput) -> AppResult<Enquiry> {
    let now = app.now();
    let new = input.validate(now)?;
    let settings = app.store().practice_settings().await?;
    if new.date < local_date(settings.zone(), now) {
        return Err(AppError::field("past", "date", "must be today or later"));
    }
    if let Some(service) = new.service_id {
        let offered = app.store().service(service).await.not_found_as("service")?;
        if offered.kind != knead_core::Kind::Chair || offered.archived {
            return Err(AppError::field(
                "invalid",
                "service_id",
                "must be one of the practice's chair-massage services",
            ));
        }
    }
    let enquiry = app.store().add_enquiry(&new).await?;
    tracing::info!(enquiry = enquiry.id.0, kind = new.kind.as_str(), "group enquiry received");
    Ok(enquiry)
}

/// Enquiries, newest first; only those in `status` when given.
pub async fn list(app: &App, status: Option<EnquiryStatus>) -> AppResult<Vec<Enquiry>> {
    Ok(app.store().enquiries(status, 200).await?)
}

/// What accepting gave: the enquiry as it now stands, and for a chair day the day booked.
pub struct Accepted {
    pub enquiry: Enquiry,
    pub chair_day: Option<ChairDayCreated>,
}

/// Accepts open enquiry `id` for `staff`. A chair day is booked from it, with every check a manager's own
/// booking has; if that fails (no therapists free then, say) the enquiry goes back to open and the reason comes
/// back as it would for the manager's own booking. A party's enquiry is marked accepted once the host was called
/// (the party itself is booked on the party form). 409 `decided` when another manager decided it first.
pub async fn accept(app: &App, id: EnquiryId, staff: &User) -> AppResult<Accepted> {
    let store = app.store();
    let enquiry = store.enquiry(id).await.not_found_as("enquiry")?;
    // Claimed first, so two managers accepting at once cannot book the day twice.
    if !store.decide_enquiry(id, EnquiryStatus::Accepted, staff.id, app.now()).await? {
        return Err(AppError::Conflict { code: ConflictCode::Decided, field: "status" });
    }
    let chair_day = match enquiry.enquiry.chair_day_input() {
        Some(input) => match create_chair_day(app, &input, staff).await {
            Ok(created) => {
                store.set_enquiry_booking(id, created.sheet.booking.id).await?;
                Some(created)
            }
            Err(e) => {
                store.reopen_enquiry(id).await?;
                return Err(e);
            }
        },
        None => None,
    };
    tracing::info!(enquiry = id.0, by = staff.id.0, "group enquiry accepted");
    Ok(Accepted { enquiry: store.enquiry(id).await?, chair_day })
}

/// Declines open enquiry `id`; 409 `decided` when it was already decided.
pub async fn decline(app: &App, id: EnquiryId, staff: &User) -> AppResult<Enquiry> {
    let store = app.store();
    store.enquiry(id).await.not_found_as("enquiry")?;
    if !store.decide_enquiry(id, EnquiryStatus::Declined, staff.id, app.now()).await? {
        return Err(AppError::Conflict { code: ConflictCode::Decided, field: "status" });
    }
    tracing::info!(enquiry = id.0, by = staff.id.0, "group enquiry declined");
    Ok(store.enquiry(id).await?)
}

/// Whether an enquiry of `kind` can be booked straight from it (a chair day) or needs a call (a party).
pub fn books_on_accept(kind: EnquiryKind) -> bool {
    kind == EnquiryKind::ChairDay
}
