//! Treatment plans: goals, planned techniques linked to their aims, frequency and a review date.
//!
//! Every change is a new version carrying the client's consent to it (the six elements of the clinical
//! reference, section 6), and the intake's precautions constrain what may be planned: no deep or forceful
//! work where a `modify_pressure` precaution applies, nothing on a region a `local_avoid` names.

use super::episode::EpisodeId;
use crate::account::UserId;
use crate::intake::health::CONSENT_ELEMENTS;
use crate::intake::{Category, Consent, Precaution};
use crate::validation::{FieldError, ValidationErrors};
use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// A hands-on technique a plan or a note names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Technique {
    Swedish,
    DeepTissue,
    MyofascialRelease,
    TriggerPoint,
    JointMobilization,
    Kneading,
    Stretching,
    PressurePoints,
}

impl Technique {
    pub const ALL: [Technique; 8] = [
        Technique::Swedish,
        Technique::DeepTissue,
        Technique::MyofascialRelease,
        Technique::TriggerPoint,
        Technique::JointMobilization,
        Technique::Kneading,
        Technique::Stretching,
        Technique::PressurePoints,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Technique::Swedish => "swedish",
            Technique::DeepTissue => "deep_tissue",
            Technique::MyofascialRelease => "myofascial_release",
            Technique::TriggerPoint => "trigger_point",
            Technique::JointMobilization => "joint_mobilization",
            Technique::Kneading => "kneading",
            Technique::Stretching => "stretching",
            Technique::PressurePoints => "pressure_points",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Technique::Swedish => "Swedish massage",
            Technique::DeepTissue => "Deep tissue",
            Technique::MyofascialRelease => "Myofascial release",
            Technique::TriggerPoint => "Trigger point therapy",
            Technique::JointMobilization => "Joint mobilizations",
            Technique::Kneading => "Kneading",
            Technique::Stretching => "Stretching",
            Technique::PressurePoints => "Pressure points",
        }
    }

    /// Deep or forceful work, which a `modify_pressure` precaution rules out.
    pub fn is_deep(self) -> bool {
        matches!(self, Technique::DeepTissue | Technique::TriggerPoint | Technique::JointMobilization)
    }

    pub fn parse(field: &str, text: &str) -> Result<Technique, FieldError> {
        Technique::ALL.into_iter().find(|t| t.as_str() == text.trim()).ok_or_else(|| {
            let allowed: Vec<&str> = Technique::ALL.iter().map(|t| t.as_str()).collect();
            FieldError::new("invalid", field, format!("must be one of: {}", allowed.join(", ")))
        })
    }
}

/// What a technique is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Aim {
    MuscleTension,
    Circulation,
    Posture,
    Stress,
    Pain,
    Mobility,
}

impl Aim {
    pub const ALL: [Aim; 6] =
        [Aim::MuscleTension, Aim::Circulation, Aim::Posture, Aim::Stress, Aim::Pain, Aim::Mobility];

    pub fn as_str(self) -> &'static str {
        match self {
            Aim::MuscleTension => "muscle_tension",
            Aim::Circulation => "circulation",
            Aim::Posture => "posture",
            Aim::Stress => "stress",
            Aim::Pain => "pain",
            Aim::Mobility => "mobility",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Aim::MuscleTension => "Muscle tension",
            Aim::Circulation => "Circulation",
            Aim::Posture => "Posture",
            Aim::Stress => "Stress",
            Aim::Pain => "Pain",
            Aim::Mobility => "Mobility",
        }
    }
}

/// How firm the work is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Pressure {
    Light,
    Moderate,
    Firm,
    Deep,
}

impl Pressure {
    pub const ALL: [Pressure; 4] = [Pressure::Light, Pressure::Moderate, Pressure::Firm, Pressure::Deep];

    pub fn as_str(self) -> &'static str {
        match self {
            Pressure::Light => "light",
            Pressure::Moderate => "moderate",
            Pressure::Firm => "firm",
            Pressure::Deep => "deep",
        }
    }
}

/// A goal of the plan, e.g. "leg pain below 3/10" or "sit for 60 minutes".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Goal {
    pub description: String,
    /// The instrument that measures it (`nprs_leg`, `psfs`...), if one does.
    #[serde(default)]
    pub instrument: Option<String>,
    /// The score that meets it, on that instrument (e.g. 3 for "below 3/10").
    #[serde(default)]
    pub target: Option<f64>,
}

/// A technique the plan intends, what for, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlannedTechnique {
    pub technique: Technique,
    pub aim: Aim,
    /// The body region, e.g. "lower back"; the whole treatment when left out.
    #[serde(default)]
    pub region: Option<String>,
}

/// A plan (or a change to one) as the therapist submits it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    pub goals: Vec<Goal>,
    pub techniques: Vec<PlannedTechnique>,
    /// The most pressure planned.
    pub pressure: Option<Pressure>,
    /// Visits per week, 1..=7 (or use `every_weeks`).
    #[serde(default)]
    pub visits_per_week: Option<i64>,
    /// One visit every N weeks, 1..=12.
    #[serde(default)]
    pub every_weeks: Option<i64>,
    /// `YYYY-MM-DD`: when the plan is reviewed.
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub review_on: String,
    /// The client's consent to this plan (all six elements), given to the therapist.
    pub consent: Consent,
}

/// A plan version as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TreatmentPlan {
    pub episode_id: EpisodeId,
    /// 1 for the first plan; each change is the next version.
    pub version: i64,
    pub goals: Vec<Goal>,
    pub techniques: Vec<PlannedTechnique>,
    pub pressure: Pressure,
    pub visits_per_week: Option<i64>,
    pub every_weeks: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub review_on: Date,
    pub consent: Consent,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub created_by: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

/// A validated plan, ready to store as the episode's next version.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanDraft {
    pub goals: Vec<Goal>,
    pub techniques: Vec<PlannedTechnique>,
    pub pressure: Pressure,
    pub visits_per_week: Option<i64>,
    pub every_weeks: Option<i64>,
    pub review_on: Date,
    pub consent: Consent,
}

impl PlanInput {
    /// Validates the plan against itself and the precautions the client's intake gives: 1..=10 goals, 1..=12
    /// techniques, a frequency (exactly one of `visits_per_week`, `every_weeks`), a review date after
    /// `today`, all six consent elements, no deep technique or pressure above `moderate` under a
    /// `modify_pressure` precaution, no technique on a region a `local_avoid` names. Each error names its
    /// field (`techniques[2].technique`, `consent.risks`...).
    pub fn validate(&self, today: Date, precautions: &[Precaution]) -> Result<PlanDraft, ValidationErrors> {
        let mut e = ValidationErrors::default();
        if !(1..=10).contains(&self.goals.len()) {
            e.push(FieldError::new(
                "out_of_range",
                "goals",
                format!("must have 1 to 10 goals (got {})", self.goals.len()),
            ));
        }
        let mut goals = Vec::with_capacity(self.goals.len());
        for (i, goal) in self.goals.iter().enumerate() {
            let description = e.text(&format!("goals[{i}].description"), &goal.description, 1, 200);
            let instrument = goal.instrument.as_deref().map(str::trim).filter(|k| !k.is_empty());
            if let Some(key) = instrument {
                let ok = (2..=40).contains(&key.len())
                    && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
                if !ok {
                    e.push(FieldError::new(
                        "invalid",
                        format!("goals[{i}].instrument"),
                        "must be an instrument's key, e.g. nprs_leg or psfs",
                    ));
                }
            }
            if let Some(target) = goal.target {
                if !(target.is_finite() && (0.0..=100.0).contains(&target)) {
                    e.push(FieldError::new(
                        "out_of_range",
                        format!("goals[{i}].target"),
                        "must be a score between 0 and 100",
                    ));
                }
            }
            goals.push(Goal { description, instrument: instrument.map(str::to_string), target: goal.target });
        }
        if !(1..=12).contains(&self.techniques.len()) {
            e.push(FieldError::new(
                "out_of_range",
                "techniques",
                format!("must have 1 to 12 techniques (got {})", self.techniques.len()),
            ));
        }
        let light_only: Vec<&Precaution> =
            precautions.iter().filter(|p| p.category == Category::ModifyPressure).collect();
        let avoided: Vec<(&Precaution, String)> = precautions
            .iter()
            .filter(|p| p.category == Category::LocalAvoid)
            .filter_map(|p| Some((p, region_key(p.region.as_deref()?)?)))
            .collect();
        let mut techniques = Vec::with_capacity(self.techniques.len());
        for (i, planned) in self.techniques.iter().enumerate() {
            let region = planned
                .region
                .as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(|r| e.text(&format!("techniques[{i}].region"), r, 1, 120));
            let region_key = region.as_deref().and_then(region_key);
            if planned.technique.is_deep() {
                // A pressure limit on one region binds techniques there and those on the whole body.
                let limit =
                    light_only.iter().find(|p| match (p.region.as_deref().and_then(self::region_key), &region_key) {
                        (Some(limited), Some(planned)) => regions_overlap(&limited, planned),
                        _ => true,
                    });
                if let Some(p) = limit {
                    e.push(FieldError::new(
                        "precaution",
                        format!("techniques[{i}].technique"),
                        format!(
                            "{} is deep or forceful work, which the intake's precaution rules out (light pressure \
                             only: {})",
                            planned.technique.label(),
                            p.reason
                        ),
                    ));
                }
            }
            if let Some(planned_region) = &region_key {
                if let Some((p, _)) = avoided.iter().find(|(_, avoid)| regions_overlap(avoid, planned_region)) {
                    e.push(FieldError::new(
                        "precaution",
                        format!("techniques[{i}].region"),
                        format!("this area is to be left alone (intake precaution: {})", p.reason),
                    ));
                }
            }
            techniques.push(PlannedTechnique { technique: planned.technique, aim: planned.aim, region });
        }
        let pressure = match self.pressure {
            None => {
                let allowed: Vec<&str> = Pressure::ALL.iter().map(|p| p.as_str()).collect();
                e.push(FieldError::new("required", "pressure", format!("is required: one of {}", allowed.join(", "))));
                None
            }
            Some(pressure) if pressure > Pressure::Moderate && !light_only.is_empty() => {
                e.push(FieldError::new(
                    "precaution",
                    "pressure",
                    format!(
                        "must be light or moderate: the intake's precaution asks for light pressure ({})",
                        light_only[0].reason
                    ),
                ));
                None
            }
            Some(pressure) => Some(pressure),
        };
        match (self.visits_per_week, self.every_weeks) {
            (Some(n), None) => {
                e.range("visits_per_week", n, 1, 7, " visits a week");
            }
            (None, Some(n)) => {
                e.range("every_weeks", n, 1, 12, " weeks");
            }
            _ => e.push(FieldError::new(
                "invalid",
                "visits_per_week",
                "give exactly one of visits_per_week (1 to 7) and every_weeks (1 to 12)",
            )),
        }
        let review_on = match self.review_on.trim().parse::<Date>() {
            Ok(d) if d <= today => {
                e.push(FieldError::new("out_of_range", "review_on", "must be after today"));
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                e.push(FieldError::new("invalid", "review_on", "must be a date, YYYY-MM-DD"));
                None
            }
        };
        let c = self.consent;
        let given = [c.nature, c.benefits, c.risks, c.alternatives, c.no_treatment, c.right_to_stop];
        for ((element, told), given) in CONSENT_ELEMENTS.into_iter().zip(given) {
            if !given {
                e.push(FieldError::new(
                    "required",
                    format!("consent.{element}"),
                    format!("the client's consent must cover {told}"),
                ));
            }
        }
        e.finish(|| {
            Some(PlanDraft {
                goals,
                techniques,
                pressure: pressure?,
                visits_per_week: self.visits_per_week,
                every_weeks: self.every_weeks,
                review_on: review_on?,
                consent: self.consent,
            })
        })
    }
}

/// A region's words, lowercased, for comparing a plan's regions with a precaution's.
fn region_key(region: &str) -> Option<String> {
    let key = region.trim().to_lowercase();
    (!key.is_empty()).then_some(key)
}

/// Whether two regions name the same place, or one lies within the other's words ("back", "lower back").
fn regions_overlap(a: &str, b: &str) -> bool {
    a == b || a.contains(b) || b.contains(a)
}
