//! SOAP notes: one per visit, a draft until the therapist signs it, locked once signed.
//!
//! A correction is an amendment: a new, signed version that links to the note it corrects, with who, when
//! and why; the original stays readable (PHIPA s.55, clinical reference section 6).

use super::episode::EpisodeId;
use super::plan::{Pressure, Technique};
use super::record_id;
use crate::account::UserId;
use crate::booking::BookingId;
use crate::catalog::TherapistId;
use crate::validation::ValidationErrors;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

record_id!(
    /// A SOAP note's id (each version of a note has its own).
    NoteId
);

/// A note's content as the therapist writes it (a new draft, an edit of a draft, or an amendment's body).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    /// The visit it records, when it records a booked one.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub booking_id: Option<BookingId>,
    /// What the client reports.
    #[serde(default)]
    pub subjective: String,
    /// What the therapist found.
    #[serde(default)]
    pub objective: String,
    #[serde(default)]
    pub assessment: String,
    #[serde(default)]
    pub plan: String,
    #[serde(default)]
    pub areas_treated: Vec<String>,
    #[serde(default)]
    pub techniques: Vec<Technique>,
    #[serde(default)]
    pub pressure: Option<Pressure>,
    /// How the client responded to the treatment.
    #[serde(default)]
    pub response: String,
    /// Self-care given (exercises, advice).
    #[serde(default)]
    pub self_care: String,
    /// Referrals made at this visit.
    #[serde(default)]
    pub referrals: String,
    /// RFC 3339; when the treatment started.
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub started_at: String,
    /// 1..=480.
    pub duration_minutes: i64,
}

/// An amendment: the corrected content and why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AmendmentInput {
    #[serde(flatten)]
    pub note: NoteInput,
    /// Why the note is corrected, 1..=1000 characters.
    pub reason: String,
}

/// A note's validated content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoteContent {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub booking_id: Option<BookingId>,
    pub subjective: String,
    pub objective: String,
    pub assessment: String,
    pub plan: String,
    pub areas_treated: Vec<String>,
    pub techniques: Vec<Technique>,
    pub pressure: Option<Pressure>,
    pub response: String,
    pub self_care: String,
    pub referrals: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub started_at: Timestamp,
    pub duration_minutes: i64,
}

impl NoteInput {
    /// Each text at most 10,000 characters, at most 20 areas and 8 techniques, a start that parses (RFC
    /// 3339) and is no later than `now` plus a day, a duration of 1..=480 minutes.
    pub fn validate(&self, now: Timestamp) -> Result<NoteContent, ValidationErrors> {
        let _ = now;
        todo!("records: note validation")
    }
}

impl NoteContent {
    /// A SHA-256 over the content (hex), stored when the note is signed so that `knead audit verify` can
    /// tell an edited row from the one signed.
    pub fn digest(&self) -> String {
        todo!("records: note digest")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NoteStatus {
    Draft,
    Signed,
}

/// A note version as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SoapNote {
    pub id: NoteId,
    pub episode_id: EpisodeId,
    #[serde(flatten)]
    pub content: NoteContent,
    pub status: NoteStatus,
    /// The therapist who wrote it.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub therapist_id: Option<TherapistId>,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub author: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub signed_by: Option<UserId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub signed_at: Option<Timestamp>,
    /// The content digest recorded at signing.
    pub signed_digest: Option<String>,
    /// The note this one amends.
    pub amends: Option<NoteId>,
    /// Why it amends it.
    pub amendment_reason: Option<String>,
    /// The amendment that superseded this version, if any.
    pub amended_by: Option<NoteId>,
}
