//! Referral letters: drafted from the episode, edited, signed, printed, exported.

use super::access::{create_in_episode, event, response_of, signer_name, staff_episode, staff_only};
use crate::clients::record_read;
use crate::{App, AppError, AppResult, ConflictCode, NotFoundAs};
use knead_core::intake::{Action, AuditEvent};
use knead_core::records::referral::{self, ReferralFacts};
use knead_core::records::{
    Episode, EpisodeId, EpisodeStatus, InstrumentDefinition, Measure, NoteStatus, Referral, ReferralId, ReferralInput,
    ReferralStatus,
};
use knead_core::User;
use knead_store::StoreError;

/// A referral with what its printed page and its PDF show.
#[derive(Debug, Clone)]
pub struct ReferralFile {
    pub referral: Referral,
    pub episode: Episode,
    pub client_name: String,
    /// The client's date of birth, when known, as the letter identifies them.
    pub client_date_of_birth: Option<String>,
    pub measures: Vec<Measure>,
    /// The instruments the clinic loaded, so exports name a loaded one as the clinic does.
    pub loaded: Vec<InstrumentDefinition>,
    pub practice_name: String,
    pub practice_contact: String,
}

fn signed_conflict(e: StoreError) -> AppError {
    match e {
        StoreError::Conflict { field } => AppError::Conflict { code: ConflictCode::Signed, field },
        StoreError::NotFound => AppError::NotFound { what: "referral" },
        other => other.into(),
    }
}

/// The referral and its episode if `staff` may see them.
async fn staff_referral(app: &App, staff: &User, id: ReferralId) -> AppResult<(Referral, Episode, String)> {
    staff_only(staff, "referral")?;
    let found = app.store().referral(id).await.not_found_as("referral")?;
    let (episode, client) = staff_episode(app, staff, found.episode_id).await.map_err(|e| match e {
        AppError::NotFound { .. } => AppError::NotFound { what: "referral" },
        other => other,
    })?;
    Ok((found, episode, client.name))
}

/// Drafts a referral from the episode in one action. One audit entry (create).
pub async fn draft(app: &App, staff: &User, episode: EpisodeId, input: &ReferralInput) -> AppResult<Referral> {
    let (found, client) = staff_episode(app, staff, episode).await?;
    let store = app.store();
    let measures = store.measures(episode).await?;
    let response = response_of(app, &found, &measures).await?;
    let screenings = store.client_screenings(found.client_id).await?;
    let loaded = store.instruments().await?;
    let mut signed: Vec<_> = store
        .episode_notes(episode)
        .await?
        .into_iter()
        .filter(|n| n.status == NoteStatus::Signed && n.amended_by.is_none())
        .collect();
    signed.sort_by_key(|n| n.content.started_at);
    let zone = store.practice_settings().await?.zone().clone();
    let treatment: Vec<(String, String, String)> = signed
        .iter()
        .map(|n| {
            let date = n.content.started_at.to_zoned(zone.clone()).date().to_string();
            let techniques = n.content.techniques.iter().map(|t| t.label()).collect::<Vec<_>>().join(", ");
            (date, techniques, n.content.response.clone())
        })
        .collect();
    let therapist_name = signer_name(app, staff).await?;
    let facts = ReferralFacts {
        episode: &found,
        client_name: &client.name,
        response: &response,
        measures: &measures,
        loaded: &loaded,
        screenings: &screenings,
        treatment: &treatment,
        therapist_name: &therapist_name,
    };
    let content = referral::draft(&facts, input)?;
    let audit = create_in_episode(app, staff, &found, "referral");
    Ok(store.create_referral(episode, &content, staff.id, app.now(), &audit).await?)
}

/// Edits a draft; a signed one is `Conflict { code: Signed }`. One audit entry (change).
pub async fn edit(app: &App, staff: &User, id: ReferralId, input: &ReferralInput) -> AppResult<Referral> {
    let (found, episode, _) = staff_referral(app, staff, id).await?;
    if found.status == ReferralStatus::Signed {
        return Err(AppError::Conflict { code: ConflictCode::Signed, field: "status" });
    }
    let content = referral::edit(&found, input)?;
    let audit = event(app, staff, episode.client_id, Action::Change, "referral", id.to_string());
    app.store().update_referral(id, &content, &audit).await.map_err(signed_conflict)
}

/// Signs a draft with the signer's name; the episode becomes `referred`. One audit entry (change).
pub async fn sign(app: &App, staff: &User, id: ReferralId) -> AppResult<Referral> {
    let (found, episode, _) = staff_referral(app, staff, id).await?;
    if found.status == ReferralStatus::Signed {
        return Err(AppError::Conflict { code: ConflictCode::Signed, field: "status" });
    }
    let name = signer_name(app, staff).await?;
    let audit = event(app, staff, episode.client_id, Action::Change, "referral", id.to_string());
    let signed = app.store().sign_referral(id, staff.id, &name, app.now(), &audit).await.map_err(signed_conflict)?;
    if episode.status != EpisodeStatus::Referred {
        // The episode's change is its own entry: a change of another record than the letter.
        let audit = event(app, staff, episode.client_id, Action::Change, "episode", episode.id.to_string());
        app.store().set_episode_status(episode.id, EpisodeStatus::Referred, &audit).await?;
    }
    Ok(signed)
}

/// A referral with what its page shows. One audit entry (read); an export (`pdf`, `fhir`) is one entry
/// with action `export` instead.
pub async fn get(app: &App, viewer: &User, id: ReferralId, export: Option<&'static str>) -> AppResult<ReferralFile> {
    let (found, episode, client_name) = staff_referral(app, viewer, id).await?;
    let store = app.store();
    let client = store.client(episode.client_id).await.not_found_as("referral")?;
    let measures = store.measures(episode.id).await?;
    let loaded = store.instruments().await?;
    let details = crate::calendar::practice_details(app).await?;
    let practice_name = details.name.clone().unwrap_or_default();
    let contact: Vec<String> = details
        .address_lines()
        .into_iter()
        .map(str::to_string)
        .chain(details.phone.as_ref().map(|p| p.as_str().to_string()))
        .chain(details.email.clone())
        .collect();
    match export {
        Some(format) => {
            let audit = AuditEvent {
                at: app.now(),
                actor: Some(viewer.id),
                client: Some(episode.client_id),
                action: Action::Export,
                record: "referral",
                record_id: format!("{id}.{format}"),
            };
            store.record_access(&audit).await?;
        }
        None => record_read(app, Some(viewer), Some(episode.client_id), "referral", id.to_string()).await?,
    }
    Ok(ReferralFile {
        referral: found,
        episode,
        client_name,
        client_date_of_birth: client.date_of_birth.map(|d| d.to_string()),
        measures,
        loaded,
        practice_name,
        practice_contact: contact.join(" · "),
    })
}

/// The referral as a FHIR R4 Bundle. One audit entry (export).
pub async fn fhir(app: &App, viewer: &User, id: ReferralId) -> AppResult<serde_json::Value> {
    let file = get(app, viewer, id, Some("fhir")).await?;
    Ok(referral::fhir_bundle(&file.referral, &file.episode, &file.client_name, &file.measures, &file.loaded))
}
