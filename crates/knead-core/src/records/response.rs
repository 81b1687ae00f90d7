//! The non-response policy (clinical reference, section 4): a default built from general thresholds,
//! labelled in the product as the clinic's policy, with every threshold a practice setting.
//!
//! A visit is a day on which the episode has a leg NPRS; weeks count from the episode's first measure.

use super::instruments::{InstrumentDefinition, Measure};
use crate::validation::{FieldError, ValidationErrors};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The policy's thresholds (defaults from the reference).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ResponsePolicy {
    /// Early warning at this visit or week, whichever comes first (3, 3).
    pub early_visit: i64,
    pub early_week: i64,
    /// Early warning: leg NPRS improved by less than this many points (1) and no function gain.
    pub early_min_points: f64,
    /// Non-responder at this visit or week, whichever first (6, 6).
    pub review_visit: i64,
    pub review_week: i64,
    /// Responder threshold on leg NPRS: this many points (2) or this percent of baseline (30).
    pub responder_points: f64,
    pub responder_percent: f64,
    /// PSFS change that counts as a function gain (2 on the mean).
    pub psfs_points: f64,
    /// The ceiling: this many sessions (9) or weeks (12) without reaching the responder threshold.
    pub ceiling_visits: i64,
    pub ceiling_weeks: i64,
    /// Deterioration: NPRS (leg or back) up by this many points (2) from baseline.
    pub deterioration_points: f64,
}

impl Default for ResponsePolicy {
    fn default() -> Self {
        ResponsePolicy {
            early_visit: 3,
            early_week: 3,
            early_min_points: 1.0,
            review_visit: 6,
            review_week: 6,
            responder_points: 2.0,
            responder_percent: 30.0,
            psfs_points: 2.0,
            ceiling_visits: 9,
            ceiling_weeks: 12,
            deterioration_points: 2.0,
        }
    }
}

impl ResponsePolicy {
    /// Visits and weeks 1..=52 with early before review before ceiling; points 0.5..=10; percent 1..=100.
    /// Errors name `response_policy.<field>`.
    pub fn validate(&self, e: &mut ValidationErrors) {
        let f = |name: &str| format!("response_policy.{name}");
        for (name, value) in [
            ("early_visit", self.early_visit),
            ("early_week", self.early_week),
            ("review_visit", self.review_visit),
            ("review_week", self.review_week),
            ("ceiling_visits", self.ceiling_visits),
            ("ceiling_weeks", self.ceiling_weeks),
        ] {
            e.range(&f(name), value, 1, 52, "");
        }
        for (name, value) in [
            ("early_min_points", self.early_min_points),
            ("responder_points", self.responder_points),
            ("psfs_points", self.psfs_points),
            ("deterioration_points", self.deterioration_points),
        ] {
            if !(value.is_finite() && (0.5..=10.0).contains(&value)) {
                e.push(FieldError::new("out_of_range", f(name), "must be between 0.5 and 10 points"));
            }
        }
        if !(self.responder_percent.is_finite() && (1.0..=100.0).contains(&self.responder_percent)) {
            e.push(FieldError::new("out_of_range", f("responder_percent"), "must be between 1 and 100"));
        }
        if self.early_visit >= self.review_visit || self.review_visit >= self.ceiling_visits {
            e.push(FieldError::new(
                "invalid",
                f("review_visit"),
                "visits must come in order: early warning, then review, then the ceiling",
            ));
        }
        if self.early_week >= self.review_week || self.review_week >= self.ceiling_weeks {
            e.push(FieldError::new(
                "invalid",
                f("review_week"),
                "weeks must come in order: early warning, then review, then the ceiling",
            ));
        }
    }
}

/// An episode's response status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ResponseStatus {
    /// Reaching the responder threshold.
    Responding,
    /// Not enough visits or weeks to judge (or no baseline yet).
    TooEarly,
    /// Little change by the early checkpoint: re-screen red flags, review the plan.
    EarlyWarning,
    /// Below threshold at the review checkpoint: routine referral; massage only alongside that care.
    NonResponder,
    /// The course's ceiling without reaching the threshold: stop massage as the only treatment, refer.
    CeilingReached,
    /// Worse by the deterioration threshold, or new or worsening nerve symptoms: urgent referral.
    Deteriorating,
}

impl ResponseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseStatus::Responding => "responding",
            ResponseStatus::TooEarly => "too_early",
            ResponseStatus::EarlyWarning => "early_warning",
            ResponseStatus::NonResponder => "non_responder",
            ResponseStatus::CeilingReached => "ceiling_reached",
            ResponseStatus::Deteriorating => "deteriorating",
        }
    }

    /// Whether it asks the therapist to act (an alert on the dashboard).
    pub fn needs_action(self) -> bool {
        !matches!(self, ResponseStatus::Responding | ResponseStatus::TooEarly)
    }

    /// Whether it asks for the red-flag screening again.
    pub fn rescreen(self) -> bool {
        matches!(self, ResponseStatus::EarlyWarning | ResponseStatus::Deteriorating)
    }
}

/// The policy's verdict on an episode.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Response {
    pub status: ResponseStatus,
    /// What to do, in plain words.
    pub recommendation: String,
    /// The visit day from which this status has held (None with no measures).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub since: Option<Date>,
    /// Whether the policy asks for the red-flag screening again.
    pub rescreen: bool,
    /// The checks behind it (baseline, latest, change in points and percent, visit and week), for the page.
    pub reasons: Vec<String>,
}

/// Extra facts the measures alone do not hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Signals {
    /// New or worsening neurological symptoms recorded since the baseline (a later screening's nerve
    /// answers): deterioration at once.
    pub new_neuro_symptoms: bool,
    /// The episode's STarT Back stratification came out high: co-management recommended from the start.
    pub high_startback: bool,
}

/// Applies the policy to an episode's measures (any order; several instruments). `loaded` tells which
/// loaded instruments are function measures and their thresholds (RMDQ 5 points and 30%, ODI 10 and 30%).
pub fn assess(
    measures: &[Measure],
    signals: Signals,
    policy: &ResponsePolicy,
    loaded: &[InstrumentDefinition],
) -> Response {
    let _ = (measures, signals, policy, loaded);
    todo!("records: non-response policy")
}
