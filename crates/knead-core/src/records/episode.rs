//! An episode of care: one condition of one client, from its start to discharge or referral.

use super::record_id;
use crate::account::UserId;
use crate::catalog::TherapistId;
use crate::intake::{ClientId, OtherCare};
use crate::validation::{FieldError, ValidationErrors};
use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

record_id!(
    /// An episode of care's id.
    EpisodeId
);

/// Which side the condition is on, when it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Left,
    Right,
    Both,
}

impl Side {
    pub const ALL: [Side; 3] = [Side::Left, Side::Right, Side::Both];

    pub fn as_str(self) -> &'static str {
        match self {
            Side::Left => "left",
            Side::Right => "right",
            Side::Both => "both",
        }
    }

    pub fn parse(field: &str, text: &str) -> Result<Side, FieldError> {
        Side::ALL
            .into_iter()
            .find(|s| s.as_str() == text.trim())
            .ok_or_else(|| FieldError::new("invalid", field, "must be one of: left, right, both"))
    }
}

/// Where an episode stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EpisodeStatus {
    Active,
    Discharged,
    Referred,
}

impl EpisodeStatus {
    pub const ALL: [EpisodeStatus; 3] = [EpisodeStatus::Active, EpisodeStatus::Discharged, EpisodeStatus::Referred];

    pub fn as_str(self) -> &'static str {
        match self {
            EpisodeStatus::Active => "active",
            EpisodeStatus::Discharged => "discharged",
            EpisodeStatus::Referred => "referred",
        }
    }

    pub fn parse(field: &str, text: &str) -> Result<EpisodeStatus, FieldError> {
        EpisodeStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == text.trim())
            .ok_or_else(|| FieldError::new("invalid", field, "must be one of: active, discharged, referred"))
    }
}

/// An episode as staff open it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EpisodeInput {
    /// The condition, in the therapist's words, e.g. "Sciatica".
    pub condition: String,
    /// `left`, `right` or `both`; left out when the condition has no side.
    #[serde(default)]
    pub side: Option<String>,
    /// `YYYY-MM-DD`.
    #[cfg_attr(feature = "openapi", schema(format = Date, example = "2026-11-02"))]
    pub started_on: String,
    /// The other care the client receives for it; the latest health history's when left out.
    #[serde(default)]
    pub other_care: Option<OtherCare>,
    /// The therapist responsible; the therapist opening it when left out.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub therapist_id: Option<TherapistId>,
}

/// A validated episode, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct EpisodeDraft {
    pub client: ClientId,
    pub condition: String,
    pub side: Option<Side>,
    pub started_on: Date,
    pub other_care: OtherCare,
    pub therapist: Option<TherapistId>,
    pub created_by: UserId,
}

impl EpisodeInput {
    /// `(condition, side, started_on, other_care)`: the condition 1..=120 characters, a known side, a real date
    /// no later than `today`, and the other care's details (when given) as the health history takes them.
    pub fn validate(&self, today: Date) -> Result<ValidEpisode, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let condition = e.text("condition", &self.condition, 1, 120);
        let side = match self.side.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => e.take(Side::parse("side", s)).map(Some),
            None => Some(None),
        };
        let started_on = match self.started_on.trim().parse::<Date>() {
            Ok(d) if d > today => {
                e.push(FieldError::new("out_of_range", "started_on", "must not be in the future"));
                None
            }
            Ok(d) if d.year() < 1900 => {
                e.push(FieldError::new("out_of_range", "started_on", "must be after 1900"));
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                e.push(FieldError::new("invalid", "started_on", "must be a date, YYYY-MM-DD"));
                None
            }
        };
        let other_care = self
            .other_care
            .as_ref()
            .map(|care| OtherCare { details: e.text("other_care.details", &care.details, 0, 500), ..care.clone() });
        e.finish(|| Some((condition, side?, started_on?, other_care)))
    }
}

/// What `EpisodeInput::validate` accepts: the condition, side, start and other care (`None`: not given).
pub type ValidEpisode = (String, Option<Side>, Date, Option<OtherCare>);

/// An episode as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Episode {
    pub id: EpisodeId,
    pub client_id: ClientId,
    pub condition: String,
    pub side: Option<Side>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub started_on: Date,
    pub status: EpisodeStatus,
    pub other_care: OtherCare,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub therapist_id: Option<TherapistId>,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub created_by: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

impl Episode {
    /// "Sciatica (right)".
    pub fn title(&self) -> String {
        match self.side {
            Some(side) => format!("{} ({})", self.condition, side.as_str()),
            None => self.condition.clone(),
        }
    }
}
