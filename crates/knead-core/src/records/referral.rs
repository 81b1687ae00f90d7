//! Referral letters: drafted from the episode in one action, edited and signed by the therapist, printable,
//! and exported as a FHIR R4 ServiceRequest with its Observations.

use super::episode::{Episode, EpisodeId};
use super::instruments::Measure;
use super::record_id;
use super::response::Response;
use crate::account::UserId;
use crate::intake::ScreeningRecord;
use crate::validation::{FieldError, ValidationErrors};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

record_id!(
    /// A referral letter's id.
    ReferralId
);

/// Who the letter goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    Physician,
    Physiotherapist,
    Chiropractor,
}

impl Recipient {
    pub const ALL: [Recipient; 3] = [Recipient::Physician, Recipient::Physiotherapist, Recipient::Chiropractor];

    pub fn as_str(self) -> &'static str {
        match self {
            Recipient::Physician => "physician",
            Recipient::Physiotherapist => "physiotherapist",
            Recipient::Chiropractor => "chiropractor",
        }
    }

    pub fn parse(field: &str, text: &str) -> Result<Recipient, FieldError> {
        Recipient::ALL.into_iter().find(|r| r.as_str() == text.trim()).ok_or_else(|| {
            FieldError::new("invalid", field, "must be one of: physician, physiotherapist, chiropractor")
        })
    }
}

/// FHIR ServiceRequest priorities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Routine,
    Urgent,
    Asap,
    Stat,
}

impl Urgency {
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Routine => "routine",
            Urgency::Urgent => "urgent",
            Urgency::Asap => "asap",
            Urgency::Stat => "stat",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReferralStatus {
    Draft,
    Signed,
}

/// A referral's editable content (the draft fills it; the therapist edits it before signing).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReferralInput {
    /// `physician`, `physiotherapist` or `chiropractor`; a physician when left out.
    #[serde(default)]
    pub recipient: Option<Recipient>,
    /// The recipient's name and clinic, when known.
    #[serde(default)]
    pub recipient_name: String,
    /// `routine`, `urgent`, `asap` or `stat`; from the episode's response when left out.
    #[serde(default)]
    pub urgency: Option<Urgency>,
    /// Why; the policy's recommendation when left out.
    #[serde(default)]
    pub reason: Option<String>,
    /// The letter's body; drafted from the episode when left out.
    #[serde(default)]
    pub body: Option<String>,
}

/// A referral as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Referral {
    pub id: ReferralId,
    pub episode_id: EpisodeId,
    pub recipient: Recipient,
    pub recipient_name: String,
    pub urgency: Urgency,
    pub reason: String,
    /// The letter: red-flag results, score history, treatment so far — drafted, then edited.
    pub body: String,
    pub status: ReferralStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub created_by: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub signed_by: Option<UserId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub signed_at: Option<Timestamp>,
    /// The name printed on the signature line (the signing therapist's).
    pub signed_name: Option<String>,
}

/// A validated referral's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralContent {
    pub recipient: Recipient,
    pub recipient_name: String,
    pub urgency: Urgency,
    pub reason: String,
    pub body: String,
}

/// What a draft is written from.
#[derive(Debug, Clone)]
pub struct ReferralFacts<'a> {
    pub episode: &'a Episode,
    pub client_name: &'a str,
    pub response: &'a Response,
    pub measures: &'a [Measure],
    /// The client's screenings, newest first.
    pub screenings: &'a [ScreeningRecord],
    /// Signed notes' summaries: (date, techniques, response), oldest first.
    pub treatment: &'a [(String, String, String)],
    pub therapist_name: &'a str,
}

/// The urgency the response asks for: deterioration `urgent`, any other action `routine`.
pub fn suggested_urgency(response: &Response) -> Urgency {
    let _ = response;
    todo!("records: urgency")
}

/// Fills a referral from the episode, with the input's choices where given: reason, urgency, and a body in
/// our words holding the red-flag results, the score history and the treatment so far.
pub fn draft(facts: &ReferralFacts<'_>, input: &ReferralInput) -> Result<ReferralContent, ValidationErrors> {
    let _ = (facts, input);
    todo!("records: referral draft")
}

/// Validates an edit of a draft (`reason` 1..=500, `body` 1..=20,000 characters).
pub fn edit(current: &Referral, input: &ReferralInput) -> Result<ReferralContent, ValidationErrors> {
    let _ = (current, input);
    todo!("records: referral edit")
}

/// The referral as a FHIR R4 Bundle (type `collection`): a ServiceRequest (intent `order`, the priority,
/// reasonCode sciatica where it applies, `supportingInfo` pointing at the Observations) and one
/// Observation per measure (category `survey`, LOINC codes where the reference gives them).
pub fn fhir_bundle(
    referral: &Referral,
    episode: &Episode,
    client_name: &str,
    measures: &[Measure],
) -> serde_json::Value {
    let _ = (referral, episode, client_name, measures);
    todo!("records: FHIR export")
}
