//! Clients, their health-history intake, the red-flag screening and the precautions that constrain a visit.
//!
//! - [`client`]: the client record (contact, date of birth, saved addresses, optional login).
//! - [`health`]: the intake form (`IntakeInput` → `HealthHistory`) and consent with its six elements.
//! - [`precautions`]: what the history, the reason and the screening mean for a visit, by category (`block`,
//!   `clearance_required`, `local_avoid`, `modify_pressure`), with the [`precautions::gate`] a booking passes.
//! - [`screening`]: the red-flag questions for back pain, leg pain and sciatica, and their levels.
//! - [`audit`]: the hash-chained log of every read and change of health information.
//!
//! The facts, fields and levels come from `shared/clinical/REFERENCE.md` (sections 1, 2 and 6); the wording
//! is ours. docs/CLINICAL.md lists each question with its level and source.

pub mod audit;
pub mod client;
pub mod health;
pub mod precautions;
pub mod screening;

pub use audit::{Action, AuditEntry, AuditEvent};
pub use client::{Client, ClientDraft, ClientId, ClientInput, SavedAddress};
pub use health::{Consent, HealthHistory, IntakeInput, OtherCare, SensitiveArea};
pub use precautions::{gate, precautions, Category, Gate, Precaution};
pub use screening::{assess, Assessment, Level, ScreeningAnswers, ScreeningInput, ScreeningThresholds};

use crate::account::UserId;
use crate::booking::BookingId;
use crate::validation::{FieldError, ValidationErrors};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// What brings the client: the booking flow asks it, and a back, leg or sciatica visit is screened first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VisitReason {
    BackPain,
    LegPain,
    Sciatica,
    NeckShoulder,
    Headache,
    Stress,
    Relaxation,
    Sports,
    Pregnancy,
    Injury,
    Other,
}

impl VisitReason {
    pub const ALL: [VisitReason; 11] = [
        VisitReason::BackPain,
        VisitReason::LegPain,
        VisitReason::Sciatica,
        VisitReason::NeckShoulder,
        VisitReason::Headache,
        VisitReason::Stress,
        VisitReason::Relaxation,
        VisitReason::Sports,
        VisitReason::Pregnancy,
        VisitReason::Injury,
        VisitReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            VisitReason::BackPain => "back_pain",
            VisitReason::LegPain => "leg_pain",
            VisitReason::Sciatica => "sciatica",
            VisitReason::NeckShoulder => "neck_shoulder",
            VisitReason::Headache => "headache",
            VisitReason::Stress => "stress",
            VisitReason::Relaxation => "relaxation",
            VisitReason::Sports => "sports",
            VisitReason::Pregnancy => "pregnancy",
            VisitReason::Injury => "injury",
            VisitReason::Other => "other",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            VisitReason::BackPain => "Back pain",
            VisitReason::LegPain => "Leg pain",
            VisitReason::Sciatica => "Sciatica (pain down the leg from the back)",
            VisitReason::NeckShoulder => "Neck or shoulder pain",
            VisitReason::Headache => "Headaches",
            VisitReason::Stress => "Stress or trouble sleeping",
            VisitReason::Relaxation => "Relaxation",
            VisitReason::Sports => "Sport or training",
            VisitReason::Pregnancy => "Pregnancy",
            VisitReason::Injury => "Recovering from an injury",
            VisitReason::Other => "Something else",
        }
    }

    pub fn parse(field: &str, text: &str) -> Result<VisitReason, FieldError> {
        VisitReason::ALL.into_iter().find(|r| r.as_str() == text.trim()).ok_or_else(|| {
            let allowed: Vec<&str> = VisitReason::ALL.iter().map(|r| r.as_str()).collect();
            FieldError::new("invalid", field, format!("must be one of: {}", allowed.join(", ")))
        })
    }

    /// Back pain, leg pain and sciatica are screened for red flags before they can be booked.
    pub fn needs_screening(self) -> bool {
        matches!(self, VisitReason::BackPain | VisitReason::LegPain | VisitReason::Sciatica)
    }
}

/// A screening's id: random and unguessable, because the booking flow creates screenings without a sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct ScreeningId(pub String);

impl ScreeningId {
    /// Checks the form of an id from outside (32 lowercase hex characters) before any lookup.
    pub fn parse(field: &str, text: &str) -> Result<ScreeningId, FieldError> {
        let t = text.trim();
        if t.len() == 32 && t.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)) {
            Ok(ScreeningId(t.to_string()))
        } else {
            Err(FieldError::new("invalid", field, "must be the id a screening returned (32 hex characters)"))
        }
    }
}

/// A screening as stored: the answers, what they raised, and whose it is once known.
#[derive(Debug, Clone, PartialEq)]
pub struct ScreeningRecord {
    pub id: ScreeningId,
    pub answers: ScreeningAnswers,
    pub assessment: Assessment,
    /// The client, once a booking used it or a signed-in client gave it.
    pub client: Option<ClientId>,
    /// The booking it was made for, once booked.
    pub booking: Option<BookingId>,
    pub created_at: Timestamp,
}

/// One version of a client's health history. Versions are numbered from 1 and never overwritten.
#[derive(Debug, Clone, PartialEq)]
pub struct IntakeVersion {
    pub client: ClientId,
    pub version: i64,
    pub history: HealthHistory,
    /// Who submitted it: the client's login, a staff member, or `None` for a guest's booking form.
    pub submitted_by: Option<UserId>,
    pub created_at: Timestamp,
}

/// A physician's clearance recorded by staff for a booking held as `awaiting_clearance`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Clearance {
    pub booking_id: BookingId,
    /// Who gave it: the physician or clinic, as the note names them.
    pub cleared_by: String,
    /// What the note says (optional).
    pub note: String,
    /// The staff member who recorded it.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub recorded_by: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub recorded_at: Timestamp,
}

/// A clearance as staff submit it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ClearanceInput {
    /// The physician or clinic who cleared the client, e.g. "Dr. A. Example, Example Family Clinic".
    pub cleared_by: String,
    #[serde(default)]
    pub note: String,
}

impl ClearanceInput {
    /// `(cleared_by, note)`, trimmed.
    pub fn validate(&self) -> Result<(String, String), ValidationErrors> {
        let mut e = ValidationErrors::default();
        let by = e.text("cleared_by", &self.cleared_by, 1, 200);
        let note = e.text("note", &self.note, 0, 1000);
        e.finish(|| Some((by, note)))
    }
}
