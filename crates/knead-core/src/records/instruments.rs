//! Outcome instruments and their scoring, exactly as the clinical reference (section 3) states.
//!
//! NPRS (leg and back), PSFS and STarT Back are built in: their scoring ships, and STarT Back's item text
//! does not (it is loaded from the clinic's own instrument file). Any other instrument — ODI, RMDQ, the
//! Sciatica Bothersomeness Index — comes from a definition file the clinic supplies (items, answer scores,
//! a scoring rule), so a clinic holding a licence adds it without code.

use super::episode::EpisodeId;
use super::record_id;
use crate::account::UserId;
use crate::validation::ValidationErrors;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

record_id!(
    /// An outcome measure's id.
    MeasureId
);

/// The built-in instruments' keys.
pub const NPRS_LEG: &str = "nprs_leg";
pub const NPRS_BACK: &str = "nprs_back";
pub const PSFS: &str = "psfs";
pub const STARTBACK: &str = "startback";

/// How a definition file's items are scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ScoringRule {
    /// The sum of the answers' scores (Sciatica Bothersomeness Index).
    Sum,
    /// The number of items ticked (RMDQ): each answer scores 0 or 1.
    Count,
    /// Sum / (max score per item × items answered) × 100 (ODI), with the file's minimum of items answered.
    PercentOfAnswered,
}

/// One answer an item allows, and its score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AnswerOption {
    pub label: String,
    pub score: i64,
}

/// One item of a loaded instrument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InstrumentItem {
    pub text: String,
    pub answers: Vec<AnswerOption>,
}

/// A clinically important change on an instrument: `points` or `percent` of the baseline, whichever the
/// reference gives (either may be absent).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ImportantChange {
    #[serde(default)]
    pub points: Option<f64>,
    #[serde(default)]
    pub percent: Option<f64>,
}

/// An instrument definition file (JSON), as a clinic supplies it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InstrumentDefinition {
    /// Lowercase key, `[a-z0-9_]{2,40}`, not a built-in's (`odi`, `rmdq`...).
    pub key: String,
    pub name: String,
    /// The copyright or licence statement shown with the instrument, unchanged.
    #[serde(default)]
    pub copyright: String,
    pub items: Vec<InstrumentItem>,
    pub scoring: ScoringRule,
    /// For `percent_of_answered`: fewer items answered is refused (ODI: 8 of 10 flags, see the reference).
    #[serde(default)]
    pub min_answered: Option<i64>,
    /// Whether a lower score is better (disability scales: yes).
    #[serde(default = "yes")]
    pub lower_is_better: bool,
    pub important_change: ImportantChange,
    /// Whether the non-response policy treats it as a function measure.
    #[serde(default)]
    pub function_measure: bool,
    /// The LOINC code of its score, when it has one.
    #[serde(default)]
    pub loinc: Option<String>,
}

fn yes() -> bool {
    true
}

impl InstrumentDefinition {
    /// Checks the file: a valid, non-built-in key, 1..=100 items each with 2..=10 answers, scores 0..=100,
    /// `count` only with 0/1 scores, `min_answered` within the items.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        todo!("records: instrument definition validation")
    }
}

/// A computed score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum Score {
    /// STarT Back: `{"total","distress","risk"}`.
    StartBack { total: i64, distress: i64, risk: StartBackRisk },
    /// Every other instrument: `{"value"}` (NPRS 0..=10, PSFS the mean, ODI a percentage...), with how many
    /// items were answered when the instrument counts them.
    Value {
        value: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        answered: Option<i64>,
    },
}

impl Score {
    /// The number the trend chart and the policy use (STarT Back: its total).
    pub fn number(&self) -> f64 {
        match self {
            Score::StartBack { total, .. } => *total as f64,
            Score::Value { value, .. } => *value,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StartBackRisk {
    Low,
    Medium,
    High,
}

/// A measure as submitted: `answers` is the instrument's own shape (NPRS `{"value"}`; PSFS
/// `{"activities":[{"name","score"}]}`; STarT Back `{"items":[8 booleans],"bothersome"}`; a loaded
/// instrument `{"items":[score or null per item]}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MeasureInput {
    pub instrument: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub answers: serde_json::Value,
    /// RFC 3339; now when left out.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = DateTime))]
    pub taken_at: Option<String>,
}

/// Scores `answers` on the instrument `key` (a built-in, or one of `loaded`). Errors name the field
/// (`instrument`, `answers.value`, `answers.activities[1].score`, `answers.items`...) and what is allowed.
pub fn score(
    key: &str,
    answers: &serde_json::Value,
    loaded: &[InstrumentDefinition],
) -> Result<Score, ValidationErrors> {
    let _ = (key, answers, loaded);
    todo!("records: scoring")
}

/// A measure as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Measure {
    pub id: MeasureId,
    pub episode_id: EpisodeId,
    pub instrument: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub answers: serde_json::Value,
    pub score: Score,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub taken_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub recorded_by: Option<UserId>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}
