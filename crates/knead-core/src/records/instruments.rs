//! Outcome instruments and their scoring, exactly as the clinical reference (section 3) states.
//!
//! NPRS (leg and back), PSFS and STarT Back are built in: their scoring ships, and STarT Back's item text
//! does not (it is loaded from the clinic's own instrument file). Any other instrument — ODI, RMDQ, the
//! Sciatica Bothersomeness Index — comes from a definition file the clinic supplies (items, answer scores,
//! a scoring rule), so a clinic holding a licence adds it without code.

use super::episode::EpisodeId;
use super::record_id;
use crate::account::UserId;
use crate::validation::{FieldError, ValidationErrors};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

record_id!(
    /// An outcome measure's id.
    MeasureId
);

/// The built-in instruments' keys.
pub const NPRS_LEG: &str = "nprs_leg";
pub const NPRS_BACK: &str = "nprs_back";
pub const PSFS: &str = "psfs";
pub const STARTBACK: &str = "startback";
pub const BUILT_IN: [&str; 4] = [NPRS_LEG, NPRS_BACK, PSFS, STARTBACK];

/// STarT Back item 9 (how bothersome): only the two highest answers score a point.
pub const BOTHERSOME: [&str; 5] = ["not_at_all", "slightly", "moderately", "very_much", "extremely"];

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
        let mut e = ValidationErrors::default();
        let key_ok = (2..=40).contains(&self.key.len())
            && self.key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !key_ok {
            e.push(FieldError::new("invalid", "key", "must be 2 to 40 characters of a-z, 0-9 and _"));
        } else if BUILT_IN.contains(&self.key.as_str()) {
            e.push(FieldError::new(
                "invalid",
                "key",
                format!("must not be a built-in instrument's key ({})", BUILT_IN.join(", ")),
            ));
        }
        e.text("name", &self.name, 1, 120);
        e.text("copyright", &self.copyright, 0, 2000);
        if self.items.is_empty() || self.items.len() > 100 {
            e.push(FieldError::new(
                "out_of_range",
                "items",
                format!("must have 1 to 100 items (got {})", self.items.len()),
            ));
        }
        for (i, item) in self.items.iter().enumerate() {
            e.text(&format!("items[{i}].text"), &item.text, 1, 1000);
            if !(2..=10).contains(&item.answers.len()) {
                e.push(FieldError::new(
                    "out_of_range",
                    format!("items[{i}].answers"),
                    format!("must have 2 to 10 answers (got {})", item.answers.len()),
                ));
            }
            for (j, answer) in item.answers.iter().enumerate() {
                e.text(&format!("items[{i}].answers[{j}].label"), &answer.label, 1, 200);
                let field = format!("items[{i}].answers[{j}].score");
                if self.scoring == ScoringRule::Count {
                    if !(0..=1).contains(&answer.score) {
                        e.push(FieldError::new("out_of_range", field, "must be 0 or 1 for a count"));
                    }
                } else {
                    e.range(&field, answer.score, 0, 100, "");
                }
            }
        }
        if let Some(min) = self.min_answered {
            e.range("min_answered", min, 1, self.items.len().max(1) as i64, " items");
        }
        let change = self.important_change;
        if let Some(points) = change.points {
            if !(points.is_finite() && points > 0.0 && points <= 1000.0) {
                e.push(FieldError::new("out_of_range", "important_change.points", "must be above 0"));
            }
        }
        if let Some(percent) = change.percent {
            if !(percent.is_finite() && percent > 0.0 && percent <= 100.0) {
                e.push(FieldError::new("out_of_range", "important_change.percent", "must be above 0, at most 100"));
            }
        }
        if let Some(loinc) = &self.loinc {
            let parts: Vec<&str> = loinc.split('-').collect();
            let ok = parts.len() == 2
                && (1..=7).contains(&parts[0].len())
                && parts[0].bytes().all(|b| b.is_ascii_digit())
                && parts[1].len() == 1
                && parts[1].bytes().all(|b| b.is_ascii_digit());
            if !ok {
                e.push(FieldError::new("invalid", "loinc", "must be a LOINC code such as 72514-3"));
            }
        }
        e.check()
    }

    /// The highest score an item allows.
    fn item_max(item: &InstrumentItem) -> i64 {
        item.answers.iter().map(|a| a.score).max().unwrap_or(0)
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

impl StartBackRisk {
    pub fn as_str(self) -> &'static str {
        match self {
            StartBackRisk::Low => "low",
            StartBackRisk::Medium => "medium",
            StartBackRisk::High => "high",
        }
    }
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
    match key {
        NPRS_LEG | NPRS_BACK => score_nprs(answers),
        PSFS => score_psfs(answers),
        STARTBACK => score_startback(answers),
        _ => match loaded.iter().find(|d| d.key == key) {
            Some(definition) => score_loaded(definition, answers),
            None => {
                let mut allowed: Vec<&str> = BUILT_IN.to_vec();
                allowed.extend(loaded.iter().map(|d| d.key.as_str()));
                Err(ValidationErrors::single(
                    "invalid",
                    "instrument",
                    format!("must be one of: {}", allowed.join(", ")),
                ))
            }
        },
    }
}

/// Whether a lower score is better on the instrument `key` (pain and disability: yes; PSFS: no).
pub fn lower_is_better(key: &str, loaded: &[InstrumentDefinition]) -> bool {
    match key {
        PSFS => false,
        NPRS_LEG | NPRS_BACK | STARTBACK => true,
        _ => loaded.iter().find(|d| d.key == key).is_none_or(|d| d.lower_is_better),
    }
}

/// A person-facing name for the instrument `key`.
pub fn instrument_name<'a>(key: &'a str, loaded: &'a [InstrumentDefinition]) -> &'a str {
    match key {
        NPRS_LEG => "Leg pain (NPRS 0-10)",
        NPRS_BACK => "Back pain (NPRS 0-10)",
        PSFS => "Patient-Specific Functional Scale (PSFS)",
        STARTBACK => "Keele STarT Back",
        _ => loaded.iter().find(|d| d.key == key).map_or(key, |d| d.name.as_str()),
    }
}

/// The answers as an object holding only the instrument's `fields`, or an error saying which shape it takes.
fn object<'a>(
    answers: &'a Json,
    shape: &str,
    fields: &[&str],
) -> Result<&'a serde_json::Map<String, Json>, ValidationErrors> {
    let map = answers
        .as_object()
        .ok_or_else(|| ValidationErrors::single("invalid", "answers", format!("must be an object: {shape}")))?;
    let unknown: Vec<FieldError> = map
        .keys()
        .filter(|k| !fields.contains(&k.as_str()))
        .map(|k| FieldError::new("unknown", format!("answers.{k}"), format!("is not part of this instrument: {shape}")))
        .collect();
    if unknown.is_empty() {
        Ok(map)
    } else {
        Err(ValidationErrors(unknown))
    }
}

/// A whole number within `min..=max` at `field`.
fn whole(value: Option<&Json>, field: &str, min: i64, max: i64) -> Result<i64, FieldError> {
    match value.and_then(Json::as_i64) {
        Some(n) if (min..=max).contains(&n) => Ok(n),
        Some(n) => Err(FieldError::new("out_of_range", field, format!("must be between {min} and {max} (got {n})"))),
        None if value.is_none_or(Json::is_null) => {
            Err(FieldError::new("required", field, format!("is required: a whole number from {min} to {max}")))
        }
        None => Err(FieldError::new("invalid", field, format!("must be a whole number from {min} to {max}"))),
    }
}

fn score_nprs(answers: &Json) -> Result<Score, ValidationErrors> {
    let map = object(answers, r#"{"value": 0..10}"#, &["value"])?;
    let value = whole(map.get("value"), "answers.value", 0, 10).map_err(|e| ValidationErrors(vec![e]))?;
    Ok(Score::Value { value: value as f64, answered: None })
}

fn score_psfs(answers: &Json) -> Result<Score, ValidationErrors> {
    let map = object(answers, r#"{"activities": [{"name", "score"}]}"#, &["activities"])?;
    let Some(activities) = map.get("activities").and_then(Json::as_array) else {
        return Err(ValidationErrors::single(
            "required",
            "answers.activities",
            "is required: a list of 3 to 5 activities, each with a name and a score from 0 to 10",
        ));
    };
    let mut e = ValidationErrors::default();
    if !(3..=5).contains(&activities.len()) {
        e.push(FieldError::new(
            "out_of_range",
            "answers.activities",
            format!("must list 3 to 5 activities (got {})", activities.len()),
        ));
    }
    let mut total = 0;
    for (i, activity) in activities.iter().enumerate() {
        let name = activity.get("name").and_then(Json::as_str).unwrap_or("");
        e.text(&format!("answers.activities[{i}].name"), name, 1, 120);
        let field = format!("answers.activities[{i}].score");
        if let Some(score) = e.take(whole(activity.get("score"), &field, 0, 10)) {
            total += score;
        }
    }
    e.finish(|| Some(Score::Value { value: total as f64 / activities.len() as f64, answered: None }))
}

fn score_startback(answers: &Json) -> Result<Score, ValidationErrors> {
    let map = object(answers, r#"{"items": [8 true/false], "bothersome"}"#, &["items", "bothersome"])?;
    let mut e = ValidationErrors::default();
    let items: Option<Vec<bool>> = map
        .get("items")
        .and_then(Json::as_array)
        .filter(|items| items.len() == 8)
        .and_then(|items| items.iter().map(Json::as_bool).collect());
    if items.is_none() {
        e.push(FieldError::new(
            "invalid",
            "answers.items",
            "must be a list of 8 answers, true (agree) or false (disagree), for items 1 to 8",
        ));
    }
    let bothersome = map.get("bothersome").and_then(Json::as_str).filter(|b| BOTHERSOME.contains(b));
    if bothersome.is_none() {
        e.push(FieldError::new("invalid", "answers.bothersome", format!("must be one of: {}", BOTHERSOME.join(", "))));
    }
    e.finish(|| {
        let items = items?;
        let item9 = i64::from(matches!(bothersome?, "very_much" | "extremely"));
        let agreed = |range: std::ops::Range<usize>| items[range].iter().filter(|a| **a).count() as i64;
        let total = agreed(0..8) + item9;
        let distress = agreed(4..8) + item9;
        let risk = if total <= 3 {
            StartBackRisk::Low
        } else if distress <= 3 {
            StartBackRisk::Medium
        } else {
            StartBackRisk::High
        };
        Some(Score::StartBack { total, distress, risk })
    })
}

/// A loaded instrument: one answer score (or null, unanswered) per item.
fn score_loaded(definition: &InstrumentDefinition, answers: &Json) -> Result<Score, ValidationErrors> {
    let map = object(answers, r#"{"items": [a score or null per item]}"#, &["items"])?;
    let count = definition.items.len();
    let Some(given) = map.get("items").and_then(Json::as_array).filter(|items| items.len() == count) else {
        return Err(ValidationErrors::single(
            "invalid",
            "answers.items",
            format!("must be a list of {count} answer scores, one per item (null when unanswered)"),
        ));
    };
    let partial = definition.scoring == ScoringRule::PercentOfAnswered;
    let mut e = ValidationErrors::default();
    let (mut sum, mut possible, mut answered) = (0, 0, 0);
    for (i, (item, value)) in definition.items.iter().zip(given).enumerate() {
        let field = format!("answers.items[{i}]");
        let allowed: Vec<String> = item.answers.iter().map(|a| a.score.to_string()).collect();
        match value.as_i64() {
            None if value.is_null() && partial => {}
            Some(n) if item.answers.iter().any(|a| a.score == n) => {
                sum += n;
                possible += InstrumentDefinition::item_max(item);
                answered += 1;
            }
            _ => {
                let unanswered = if partial { " or null" } else { "" };
                e.push(FieldError::new("invalid", field, format!("must be one of: {}{unanswered}", allowed.join(", "))))
            }
        }
    }
    if e.is_empty() && partial {
        let min = definition.min_answered.unwrap_or(1).max(1);
        if answered < min {
            e.push(FieldError::new(
                "too_few",
                "answers.items",
                format!("must have at least {min} of {count} items answered (got {answered})"),
            ));
        }
    }
    e.finish(|| {
        let value = match definition.scoring {
            ScoringRule::Sum | ScoringRule::Count => sum as f64,
            ScoringRule::PercentOfAnswered if possible > 0 => sum as f64 * 100.0 / possible as f64,
            ScoringRule::PercentOfAnswered => 0.0,
        };
        Some(Score::Value { value, answered: Some(answered) })
    })
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
