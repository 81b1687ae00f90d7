//! The health-history intake: the questions, consent with its six elements, and the versioned history.
//!
//! Asked before the first visit and reviewed at each later booking; every answer set is kept as a new
//! version (the store never overwrites one). What the answers mean for a visit is in [`super::precautions`].

use crate::validation::{FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};

/// The other care a client receives: massage goes alongside it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OtherCare {
    #[serde(default)]
    pub physician: bool,
    #[serde(default)]
    pub physiotherapy: bool,
    #[serde(default)]
    pub chiropractic: bool,
    #[serde(default)]
    pub medication: bool,
    /// Who, and for what (free text).
    #[serde(default)]
    pub details: String,
}

impl OtherCare {
    /// The kinds of care named, in plain words.
    pub fn names(&self) -> Vec<&'static str> {
        [
            (self.physician, "a physician"),
            (self.physiotherapy, "physiotherapy"),
            (self.chiropractic, "chiropractic"),
            (self.medication, "medication"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
        .collect()
    }
}

/// The six elements of informed consent (clinical reference, section 6): each must be agreed to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Consent {
    #[serde(default)]
    pub nature: bool,
    #[serde(default)]
    pub benefits: bool,
    #[serde(default)]
    pub risks: bool,
    #[serde(default)]
    pub alternatives: bool,
    #[serde(default)]
    pub no_treatment: bool,
    #[serde(default)]
    pub right_to_stop: bool,
}

/// Each consent element: its field and what the client agrees they were told, in our words.
pub const CONSENT_ELEMENTS: [(&str, &str); 6] = [
    ("nature", "what the treatment is and how it is done"),
    ("benefits", "what it may help with, and that results differ from person to person"),
    ("risks", "its risks and side effects, such as soreness for a day or two"),
    ("alternatives", "the other care I could choose instead, or as well"),
    ("no_treatment", "what may happen if I have no treatment"),
    ("right_to_stop", "that I may ask to stop or change the treatment at any time"),
];

impl Consent {
    fn given(&self, element: &str) -> bool {
        match element {
            "nature" => self.nature,
            "benefits" => self.benefits,
            "risks" => self.risks,
            "alternatives" => self.alternatives,
            "no_treatment" => self.no_treatment,
            _ => self.right_to_stop,
        }
    }

    pub fn complete(&self) -> bool {
        CONSENT_ELEMENTS.iter().all(|(f, _)| self.given(f))
    }
}

/// Areas treated only with the client's written consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SensitiveArea {
    UpperInnerThighs,
    ChestWall,
    Breasts,
    Buttocks,
}

impl SensitiveArea {
    pub const ALL: [SensitiveArea; 4] =
        [SensitiveArea::UpperInnerThighs, SensitiveArea::ChestWall, SensitiveArea::Breasts, SensitiveArea::Buttocks];

    pub fn as_str(self) -> &'static str {
        match self {
            SensitiveArea::UpperInnerThighs => "upper_inner_thighs",
            SensitiveArea::ChestWall => "chest_wall",
            SensitiveArea::Breasts => "breasts",
            SensitiveArea::Buttocks => "buttocks",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SensitiveArea::UpperInnerThighs => "Upper inner thighs",
            SensitiveArea::ChestWall => "Chest wall",
            SensitiveArea::Breasts => "Breasts",
            SensitiveArea::Buttocks => "Buttocks (gluteal muscles)",
        }
    }

    pub fn parse(text: &str) -> Option<SensitiveArea> {
        SensitiveArea::ALL.into_iter().find(|a| a.as_str() == text)
    }
}

/// A health history as the client (or staff, with them) fills it in. The yes/no questions that decide
/// precautions are `Option`s and required: an unanswered one is never taken as "no".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IntakeInput {
    /// Health conditions, in the client's words.
    #[serde(default)]
    pub conditions: String,
    #[serde(default)]
    pub osteoporosis: Option<bool>,
    /// Cancer now or being treated.
    #[serde(default)]
    pub cancer: Option<bool>,
    #[serde(default)]
    pub bleeding_disorder: Option<bool>,
    /// Swelling from heart or kidney failure.
    #[serde(default)]
    pub heart_or_kidney_swelling: Option<bool>,
    #[serde(default)]
    pub varicose_veins: Option<bool>,
    /// Medicines taken, in the client's words.
    #[serde(default)]
    pub medications: String,
    /// Blood thinners (anticoagulants).
    #[serde(default)]
    pub anticoagulants: Option<bool>,
    /// Steroid tablets for months.
    #[serde(default)]
    pub long_term_steroids: Option<bool>,
    /// Allergies, in the client's words.
    #[serde(default)]
    pub allergies: String,
    /// Allergic to massage oils or lotions (or nuts in them).
    #[serde(default)]
    pub oil_or_lotion_allergy: Option<bool>,
    #[serde(default)]
    pub pregnant: Option<bool>,
    /// Weeks of pregnancy, when pregnant.
    #[serde(default)]
    pub pregnancy_weeks: Option<i64>,
    /// A pregnancy the client's physician or midwife calls high-risk.
    #[serde(default)]
    pub high_risk_pregnancy: Option<bool>,
    /// Surgery in the last 6 months.
    #[serde(default)]
    pub recent_surgery: Option<bool>,
    /// Was it on the spine?
    #[serde(default)]
    pub spinal_surgery: Option<bool>,
    /// What, where and when.
    #[serde(default)]
    pub surgery_details: String,
    /// Ever had a blood clot (DVT, thrombophlebitis, pulmonary embolism).
    #[serde(default)]
    pub clot_history: Option<bool>,
    /// Now: one calf or leg swollen, warm, red or painful, or a clot being treated.
    #[serde(default)]
    pub suspected_clot: Option<bool>,
    /// Now: a fever, or a cold, flu or other illness that spreads.
    #[serde(default)]
    pub fever_or_contagious: Option<bool>,
    /// Skin conditions and where (rash, wound, burn, bruise).
    #[serde(default)]
    pub skin_conditions: String,
    /// Numbness or reduced feeling anywhere.
    #[serde(default)]
    pub reduced_sensation: Option<bool>,
    #[serde(default)]
    pub reduced_sensation_where: String,
    /// Implants and where (joint replacement, pacemaker, plates, breast implants).
    #[serde(default)]
    pub implants: String,
    /// Areas the client wants left alone.
    #[serde(default)]
    pub areas_to_avoid: String,
    #[serde(default)]
    pub other_care: OtherCare,
    #[serde(default)]
    pub consent: Consent,
    /// Sensitive areas the client agrees may be treated; any other is not.
    #[serde(default)]
    pub sensitive_areas: Vec<SensitiveArea>,
}

/// A validated health history: every required question answered, every text within its length.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HealthHistory(IntakeInput);

/// The yes/no questions that must be answered, with the question asked.
pub const INTAKE_QUESTIONS: [(&str, &str); 15] = [
    ("fever_or_contagious", "Do you have a fever now, or a cold, flu or other illness that spreads?"),
    ("suspected_clot", "Is one calf or leg swollen, warm, red or painful right now, or is a blood clot being treated?"),
    ("clot_history", "Have you ever had a blood clot (deep vein thrombosis, phlebitis or a clot in the lungs)?"),
    ("anticoagulants", "Do you take a blood thinner?"),
    ("bleeding_disorder", "Do you bruise or bleed easily, or have a bleeding disorder or low platelets?"),
    ("long_term_steroids", "Have you taken steroid tablets for several months?"),
    ("osteoporosis", "Have you been told you have osteoporosis (thinning bones)?"),
    ("cancer", "Do you have cancer now, or are you being treated for it?"),
    ("heart_or_kidney_swelling", "Do you have swelling from heart or kidney failure?"),
    ("varicose_veins", "Do you have varicose veins?"),
    ("pregnant", "Are you pregnant?"),
    ("recent_surgery", "Have you had surgery in the last 6 months?"),
    (
        "reduced_sensation",
        "Is there anywhere you have numbness or less feeling than usual (for example from diabetes)?",
    ),
    ("oil_or_lotion_allergy", "Are you allergic to any massage oil, lotion or nut oil?"),
    ("high_risk_pregnancy", "If pregnant: has your physician or midwife called the pregnancy high-risk?"),
];

impl IntakeInput {
    pub(super) fn answer(&self, field: &str) -> Option<bool> {
        match field {
            "fever_or_contagious" => self.fever_or_contagious,
            "suspected_clot" => self.suspected_clot,
            "clot_history" => self.clot_history,
            "anticoagulants" => self.anticoagulants,
            "bleeding_disorder" => self.bleeding_disorder,
            "long_term_steroids" => self.long_term_steroids,
            "osteoporosis" => self.osteoporosis,
            "cancer" => self.cancer,
            "heart_or_kidney_swelling" => self.heart_or_kidney_swelling,
            "varicose_veins" => self.varicose_veins,
            "pregnant" => self.pregnant,
            "recent_surgery" => self.recent_surgery,
            "reduced_sensation" => self.reduced_sensation,
            "oil_or_lotion_allergy" => self.oil_or_lotion_allergy,
            "high_risk_pregnancy" => self.high_risk_pregnancy,
            "spinal_surgery" => self.spinal_surgery,
            _ => None,
        }
    }

    /// The history, or an error naming every unanswered question, missing detail, or text too long.
    pub fn validate(&self) -> Result<HealthHistory, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let mut clean = self.clone();
        for (field, _) in INTAKE_QUESTIONS {
            // The pregnancy follow-ups are asked only of someone pregnant; the spinal one only after surgery.
            let asked = field != "high_risk_pregnancy" || self.pregnant == Some(true);
            if asked && self.answer(field).is_none() {
                e.push(FieldError::new("required", field, "answer yes or no"));
            }
        }
        if self.pregnant == Some(true) {
            match self.pregnancy_weeks {
                None => e.push(FieldError::new("required", "pregnancy_weeks", "give the weeks of pregnancy, 1 to 42")),
                Some(w) => {
                    e.range("pregnancy_weeks", w, 1, 42, " weeks");
                }
            }
        } else {
            clean.pregnancy_weeks = None;
            clean.high_risk_pregnancy = None;
        }
        if self.recent_surgery == Some(true) {
            if self.spinal_surgery.is_none() {
                e.push(FieldError::new(
                    "required",
                    "spinal_surgery",
                    "answer yes or no: was the surgery on your spine?",
                ));
            }
            clean.surgery_details = e.text("surgery_details", &self.surgery_details, 1, 500);
        } else {
            clean.spinal_surgery = None;
            clean.surgery_details = e.text("surgery_details", &self.surgery_details, 0, 500);
        }
        if self.reduced_sensation == Some(true) {
            clean.reduced_sensation_where = e.text("reduced_sensation_where", &self.reduced_sensation_where, 1, 300);
        } else {
            clean.reduced_sensation_where = e.text("reduced_sensation_where", &self.reduced_sensation_where, 0, 300);
        }
        for (field, text) in [
            ("conditions", &self.conditions),
            ("medications", &self.medications),
            ("allergies", &self.allergies),
            ("skin_conditions", &self.skin_conditions),
            ("implants", &self.implants),
            ("areas_to_avoid", &self.areas_to_avoid),
        ] {
            let cleaned = e.text(field, text, 0, 1000);
            match field {
                "conditions" => clean.conditions = cleaned,
                "medications" => clean.medications = cleaned,
                "allergies" => clean.allergies = cleaned,
                "skin_conditions" => clean.skin_conditions = cleaned,
                "implants" => clean.implants = cleaned,
                _ => clean.areas_to_avoid = cleaned,
            }
        }
        clean.other_care.details = e.text("other_care.details", &self.other_care.details, 0, 500);
        for (field, _) in CONSENT_ELEMENTS {
            if !self.consent.given(field) {
                e.push(FieldError::new(
                    "consent_required",
                    format!("consent.{field}"),
                    "massage needs your agreement to each part of consent; tick it once you have read it",
                ));
            }
        }
        clean.sensitive_areas.sort();
        clean.sensitive_areas.dedup();
        e.finish(|| Some(HealthHistory(clean)))
    }
}

/// Every required question answered "no" and consent given in full: the base for tests, demo data and
/// examples, like the screening's `all_clear`.
pub fn all_clear() -> IntakeInput {
    let no = Some(false);
    IntakeInput {
        osteoporosis: no,
        cancer: no,
        bleeding_disorder: no,
        heart_or_kidney_swelling: no,
        varicose_veins: no,
        anticoagulants: no,
        long_term_steroids: no,
        oil_or_lotion_allergy: no,
        pregnant: no,
        recent_surgery: no,
        clot_history: no,
        suspected_clot: no,
        fever_or_contagious: no,
        reduced_sensation: no,
        consent: Consent {
            nature: true,
            benefits: true,
            risks: true,
            alternatives: true,
            no_treatment: true,
            right_to_stop: true,
        },
        ..IntakeInput::default()
    }
}

impl HealthHistory {
    pub fn answers(&self) -> &IntakeInput {
        &self.0
    }
}
