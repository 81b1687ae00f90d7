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
use crate::validation::{FieldError, ValidationErrors};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

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
    ///
    /// The start is kept to the whole second, so the content read back from either database digests the same.
    pub fn validate(&self, now: Timestamp) -> Result<NoteContent, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let mut text = |field: &str, value: &str| e.text(field, value, 0, 10_000);
        let subjective = text("subjective", &self.subjective);
        let objective = text("objective", &self.objective);
        let assessment = text("assessment", &self.assessment);
        let plan = text("plan", &self.plan);
        let response = text("response", &self.response);
        let self_care = text("self_care", &self.self_care);
        let referrals = text("referrals", &self.referrals);
        let areas_treated = e.labels("areas_treated", &self.areas_treated, 20, 120);
        let mut techniques: Vec<Technique> = Vec::new();
        if self.techniques.len() > 8 {
            e.push(FieldError::new(
                "too_many",
                "techniques",
                format!("must have at most 8 entries (got {})", self.techniques.len()),
            ));
        }
        for technique in &self.techniques {
            if !techniques.contains(technique) {
                techniques.push(*technique);
            }
        }
        let started_at = match self.started_at.trim().parse::<Timestamp>() {
            Ok(at) if at > now + SignedDuration::from_hours(24) => {
                e.push(FieldError::new("out_of_range", "started_at", "must not be more than a day ahead"));
                None
            }
            Ok(at) => Some(Timestamp::from_second(at.as_second()).unwrap_or(at)),
            Err(_) => {
                e.push(FieldError::new("invalid", "started_at", "must be a date and time, RFC 3339"));
                None
            }
        };
        let duration_minutes = e.range("duration_minutes", self.duration_minutes, 1, 480, " minutes");
        e.finish(|| {
            Some(NoteContent {
                booking_id: self.booking_id,
                subjective,
                objective,
                assessment,
                plan,
                areas_treated,
                techniques,
                pressure: self.pressure,
                response,
                self_care,
                referrals,
                started_at: started_at?,
                duration_minutes,
            })
        })
    }
}

impl NoteContent {
    /// A SHA-256 over the content (hex), stored when the note is signed so that `knead audit verify` can
    /// tell an edited row from the one signed.
    ///
    /// The canonical form is the content's JSON (fields in declaration order, the start in RFC 3339).
    pub fn digest(&self) -> String {
        // Serializing plain strings, numbers and enums into memory cannot fail; an empty form would still
        // digest deterministically.
        let canonical = serde_json::to_vec(self).unwrap_or_default();
        hex::encode(Sha256::digest(&canonical))
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
