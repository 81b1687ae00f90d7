//! Care records in the API: episodes of care with the non-response policy's verdict, treatment plans,
//! outcome measures, SOAP notes (drafts, signing, amendments), home programs and the client's logs,
//! referral letters (JSON, PDF, FHIR R4) and the instruments measures are taken on.
//!
//! A manager sees every record; a therapist their own clients' (and the episodes they are responsible
//! for); a client their own program and chart. A record the caller may not see answers as a missing one
//! (404). Every read of health information writes one audit entry and every change its own (the use cases
//! do; the handlers only parse and render). Times are RFC 3339 in UTC.

mod episodes;
mod notes;
mod programs;
pub(crate) mod referrals;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(episodes::routes())
        .merge(notes::routes())
        .merge(programs::routes())
        .merge(referrals::routes())
}
