//! Referral letters: drafted from the episode, edited, signed, printed, exported.

use crate::{App, AppResult};
use knead_core::records::{Episode, EpisodeId, Measure, Referral, ReferralId, ReferralInput};
use knead_core::User;

/// A referral with what its printed page and its PDF show.
#[derive(Debug, Clone)]
pub struct ReferralFile {
    pub referral: Referral,
    pub episode: Episode,
    pub client_name: String,
    /// The client's date of birth, when known, as the letter identifies them.
    pub client_date_of_birth: Option<String>,
    pub measures: Vec<Measure>,
    pub practice_name: String,
    pub practice_contact: String,
}

/// Drafts a referral from the episode in one action. One audit entry (create).
pub async fn draft(app: &App, staff: &User, episode: EpisodeId, input: &ReferralInput) -> AppResult<Referral> {
    let _ = (app, staff, episode, input);
    todo!("app: draft referral")
}

/// Edits a draft; a signed one is `Conflict { code: Signed }`. One audit entry (change).
pub async fn edit(app: &App, staff: &User, id: ReferralId, input: &ReferralInput) -> AppResult<Referral> {
    let _ = (app, staff, id, input);
    todo!("app: edit referral")
}

/// Signs a draft with the signer's name; the episode becomes `referred`. One audit entry (change).
pub async fn sign(app: &App, staff: &User, id: ReferralId) -> AppResult<Referral> {
    let _ = (app, staff, id);
    todo!("app: sign referral")
}

/// A referral with what its page shows. One audit entry (read); an export (`pdf`, `fhir`) is one entry
/// with action `export` instead.
pub async fn get(app: &App, viewer: &User, id: ReferralId, export: Option<&'static str>) -> AppResult<ReferralFile> {
    let _ = (app, viewer, id, export);
    todo!("app: referral")
}

/// The referral as a FHIR R4 Bundle. One audit entry (export).
pub async fn fhir(app: &App, viewer: &User, id: ReferralId) -> AppResult<serde_json::Value> {
    let _ = (app, viewer, id);
    todo!("app: referral fhir")
}
