//! The red-flag screening asked before a visit for back pain, leg pain or sciatica.
//!
//! Every question of the clinical reference (section 1) is asked explicitly, because people rarely mention
//! saddle numbness or bladder changes unless asked. The result is the highest level any answer raises, with
//! every raised answer listed as a reason; an unanswered question is never taken as "no": the screening is
//! then incomplete and names what remains. The age and symptom-week thresholds are practice settings
//! ([`ScreeningThresholds`]).

use crate::validation::{FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};

/// How soon a client must see a physician, lowest first (so `max` is the most urgent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// No flag raised.
    Clear,
    /// Recommend a physician or physiotherapist review; massage may go on alongside it.
    Routine,
    /// See a physician within days; a booking waits for medical clearance.
    Urgent,
    /// Go to an emergency department today; no booking, no treatment.
    Emergency,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Clear => "clear",
            Level::Routine => "routine",
            Level::Urgent => "urgent",
            Level::Emergency => "emergency",
        }
    }

    pub fn parse(text: &str) -> Option<Level> {
        [Level::Clear, Level::Routine, Level::Urgent, Level::Emergency].into_iter().find(|l| l.as_str() == text)
    }
}

/// What a question's answer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnswerKind {
    YesNo,
    /// Whole years, 0 to 120.
    Years,
    /// Whole weeks, 0 to 520.
    Weeks,
}

/// One question of the screening, in our own plain words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Question {
    /// The field as the API spells it (the clinical reference's name).
    pub field: &'static str,
    pub kind: AnswerKind,
    /// What the client is asked.
    pub text: &'static str,
    /// The level a "yes" raises (for the age and week questions: the level their rule raises).
    pub level: Level,
    /// Where the question comes from, for docs/CLINICAL.md and the practice.
    pub source: &'static str,
}

const CES: &str = "cauda equina warning-card questions (Greenhalgh, Mercer, Finucane); NHS trust CES leaflets";
const COMMUNITY_2023: &str = "Community red flags for low back and radicular pain (UK, 2023)";

/// Every question, in the order the page asks them: the emergency ones first.
pub const QUESTIONS: &[Question] = &[
    Question {
        field: "saddle_numbness",
        kind: AnswerKind::YesNo,
        text: "Do you have new numbness or pins and needles around your genitals, buttocks, inner thighs or back \
               passage (for example, toilet paper feels different when you wipe)?",
        level: Level::Emergency,
        source: CES,
    },
    Question {
        field: "bladder_change",
        kind: AnswerKind::YesNo,
        text: "Has passing urine changed recently: trouble starting or stopping, a weak stream, not feeling when \
               your bladder is full or when you pass urine, or leaking?",
        level: Level::Emergency,
        source: "cauda equina warning cards; Cornwall NHS spinal referral criteria",
    },
    Question {
        field: "bowel_change",
        kind: AnswerKind::YesNo,
        text: "Have you recently been unable to hold a bowel movement, had leaking, or lost feeling when you \
               open your bowels?",
        level: Level::Emergency,
        source: CES,
    },
    Question {
        field: "sexual_change",
        kind: AnswerKind::YesNo,
        text: "Have you noticed a new change in sexual function, such as trouble with erection or ejaculation, \
               or less feeling in the genitals during sex?",
        level: Level::Emergency,
        source: CES,
    },
    Question {
        field: "bilateral_leg_symptoms",
        kind: AnswerKind::YesNo,
        text: "Do you have pain, numbness or weakness in both legs, or has it spread from one leg to both?",
        level: Level::Emergency,
        source: "Cornwall NHS spinal referral criteria; NHS Lothian red flags",
    },
    Question {
        field: "gait_disturbance",
        kind: AnswerKind::YesNo,
        text: "Have you had new trouble walking or keeping your balance, clumsy legs, or weakness in your arms \
               and legs?",
        level: Level::Emergency,
        source: COMMUNITY_2023,
    },
    Question {
        field: "systemically_unwell",
        kind: AnswerKind::YesNo,
        text: "Along with the back pain, do you have a fever, chills or night sweats and feel unwell?",
        level: Level::Emergency,
        source: "Community red flags (UK, 2023): suspected spinal infection",
    },
    Question {
        field: "progressive_weakness",
        kind: AnswerKind::YesNo,
        text: "Is weakness in a leg getting worse, does a foot slap or drag when you walk, or can you no longer \
               walk on your heels or toes?",
        level: Level::Urgent,
        source: "South Tees acute back pain pathway; NHS Lothian",
    },
    Question {
        field: "history_of_cancer",
        kind: AnswerKind::YesNo,
        text: "Have you ever had cancer?",
        level: Level::Urgent,
        source: "Community red flags (UK, 2023); NICE NG59 1.1.1",
    },
    Question {
        field: "unexplained_weight_loss",
        kind: AnswerKind::YesNo,
        text: "Have you lost weight recently without trying?",
        level: Level::Urgent,
        source: COMMUNITY_2023,
    },
    Question {
        field: "immunosuppressed",
        kind: AnswerKind::YesNo,
        text: "Is your immune system weakened, for example by chemotherapy, HIV, anti-rejection medicine after a \
               transplant, or injecting drugs?",
        level: Level::Urgent,
        source: COMMUNITY_2023,
    },
    Question {
        field: "long_term_steroids",
        kind: AnswerKind::YesNo,
        text: "Have you taken steroid tablets (such as prednisone) for several months?",
        level: Level::Urgent,
        source: COMMUNITY_2023,
    },
    Question {
        field: "osteoporosis_new_severe_pain",
        kind: AnswerKind::YesNo,
        text: "Do you have osteoporosis (thinning bones) and did this back pain start suddenly and severely?",
        level: Level::Urgent,
        source: COMMUNITY_2023,
    },
    Question {
        field: "significant_trauma",
        kind: AnswerKind::YesNo,
        text: "Did the pain start after a bad fall or an accident? (If you were badly hurt, go to an emergency \
               department.)",
        level: Level::Urgent,
        source: "fracture flags, Community red flags (UK, 2023)",
    },
    Question {
        field: "constant_night_pain",
        kind: AnswerKind::YesNo,
        text: "Is the pain there all the time, not eased by rest or changing position, and worse at night?",
        level: Level::Urgent,
        source: "malignancy cluster, NHS GGC MSK guidance; NICE CKS",
    },
    Question {
        field: "non_msk_symptoms",
        kind: AnswerKind::YesNo,
        text: "Do you also have pain in your belly, pelvis or chest, blood in your urine, or (if you smoke) a new \
               cough?",
        level: Level::Urgent,
        source: "WikiMSK red-flag template",
    },
    Question {
        field: "age",
        kind: AnswerKind::Years,
        text: "How old are you, in years?",
        level: Level::Urgent,
        source: "Community red flags (UK, 2023): a first episode under 16 or over 60 (thresholds are settings)",
    },
    Question {
        field: "first_episode",
        kind: AnswerKind::YesNo,
        text: "Is this the first time in your life you have had back pain?",
        level: Level::Urgent,
        source: "Community red flags (UK, 2023), with age",
    },
    Question {
        field: "symptom_weeks",
        kind: AnswerKind::Weeks,
        text: "For how many weeks have you had these symptoms?",
        level: Level::Routine,
        source: "primary-care referral criteria: nerve root pain not settling after 6 weeks (a setting)",
    },
    Question {
        field: "improving",
        kind: AnswerKind::YesNo,
        text: "Are the symptoms getting better?",
        level: Level::Routine,
        source: "primary-care referral criteria, with the symptom weeks",
    },
    Question {
        field: "inflammatory_pattern",
        kind: AnswerKind::YesNo,
        text: "Did your back pain begin before age 45, with stiffness for more than half an hour in the morning \
               that gets better when you move?",
        level: Level::Routine,
        source: "NICE NG59 1.1.1 (spondyloarthritis); South Tees pathway",
    },
];

/// The question with this field name.
pub fn question(field: &str) -> Option<&'static Question> {
    QUESTIONS.iter().find(|q| q.field == field)
}

/// The screening's thresholds: practice settings, with the clinical reference's values as defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScreeningThresholds {
    /// A first-ever episode of back pain below this age is urgent (16).
    #[serde(default = "default_young")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 30))]
    pub first_episode_under_age: i64,
    /// A first-ever episode of back pain above this age is urgent (60).
    #[serde(default = "default_old")]
    #[cfg_attr(feature = "openapi", schema(minimum = 30, maximum = 120))]
    pub first_episode_over_age: i64,
    /// Nerve pain not improving after this many weeks or more is routine (6).
    #[serde(default = "default_weeks")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 52))]
    pub nerve_pain_weeks: i64,
}

fn default_young() -> i64 {
    16
}
fn default_old() -> i64 {
    60
}
fn default_weeks() -> i64 {
    6
}

impl Default for ScreeningThresholds {
    fn default() -> Self {
        ScreeningThresholds {
            first_episode_under_age: default_young(),
            first_episode_over_age: default_old(),
            nerve_pain_weeks: default_weeks(),
        }
    }
}

impl ScreeningThresholds {
    /// Pushes an error for each threshold outside what a practice may set.
    pub fn validate(&self, e: &mut ValidationErrors) {
        e.range("screening.first_episode_under_age", self.first_episode_under_age, 0, 30, " years");
        e.range("screening.first_episode_over_age", self.first_episode_over_age, 30, 120, " years");
        e.range("screening.nerve_pain_weeks", self.nerve_pain_weeks, 1, 52, " weeks");
    }
}

macro_rules! screening_input {
    ($($flag:ident),* $(,)?) => {
        /// The answers as a client (or the API) gives them: every field is required; `None` is unanswered.
        #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(deny_unknown_fields)]
        pub struct ScreeningInput {
            // Every answer is required (an unanswered question is never a "no"); `Option` lets the 422 name
            // each one left out, and the document says they are required.
            $(
                #[serde(default)]
                #[cfg_attr(feature = "openapi", schema(required = true, value_type = bool))]
                pub $flag: Option<bool>,
            )*
            /// Age in whole years.
            #[serde(default)]
            #[cfg_attr(feature = "openapi", schema(required = true, value_type = i64, minimum = 0, maximum = 120))]
            pub age: Option<i64>,
            /// Whole weeks the symptoms have lasted.
            #[serde(default)]
            #[cfg_attr(feature = "openapi", schema(required = true, value_type = i64, minimum = 0, maximum = 520))]
            pub symptom_weeks: Option<i64>,
        }

        impl ScreeningInput {
            /// The yes/no answer to `field`, if it was given.
            pub fn flag(&self, field: &str) -> Option<bool> {
                match field {
                    $(stringify!($flag) => self.$flag,)*
                    _ => None,
                }
            }

            /// Sets the yes/no answer to `field`; false when there is no such question.
            pub fn set_flag(&mut self, field: &str, value: Option<bool>) -> bool {
                match field {
                    $(stringify!($flag) => { self.$flag = value; true })*
                    _ => false,
                }
            }
        }
    };
}

screening_input!(
    saddle_numbness,
    bladder_change,
    bowel_change,
    sexual_change,
    bilateral_leg_symptoms,
    gait_disturbance,
    systemically_unwell,
    progressive_weakness,
    history_of_cancer,
    unexplained_weight_loss,
    immunosuppressed,
    long_term_steroids,
    osteoporosis_new_severe_pain,
    significant_trauma,
    constant_night_pain,
    non_msk_symptoms,
    first_episode,
    improving,
    inflammatory_pattern,
);

/// A complete set of answers: every question answered, each within its range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ScreeningAnswers(ScreeningInput);

impl ScreeningAnswers {
    pub fn input(&self) -> &ScreeningInput {
        &self.0
    }

    fn yes(&self, field: &str) -> bool {
        self.0.flag(field) == Some(true)
    }

    fn number(&self, field: &str) -> i64 {
        match field {
            "age" => self.0.age.unwrap_or(0),
            _ => self.0.symptom_weeks.unwrap_or(0),
        }
    }
}

impl ScreeningInput {
    /// The answers, or an error naming every question still unanswered (`required`) or out of range.
    pub fn validate(&self) -> Result<ScreeningAnswers, ValidationErrors> {
        let mut e = ValidationErrors::default();
        for q in QUESTIONS {
            match q.kind {
                AnswerKind::YesNo => {
                    if self.flag(q.field).is_none() {
                        e.push(FieldError::new("required", q.field, "answer yes or no"));
                    }
                }
                AnswerKind::Years | AnswerKind::Weeks => {
                    let (value, max, unit) = match q.kind {
                        AnswerKind::Years => (self.age, 120, " years"),
                        _ => (self.symptom_weeks, 520, " weeks"),
                    };
                    match value {
                        None => e.push(FieldError::new("required", q.field, "give a whole number")),
                        Some(v) => {
                            e.range(q.field, v, 0, max, unit);
                        }
                    }
                }
            }
        }
        e.finish(|| Some(ScreeningAnswers(self.clone())))
    }

    /// The fields still unanswered, in the order the page asks them.
    pub fn unanswered(&self) -> Vec<&'static str> {
        match self.validate() {
            Ok(_) => Vec::new(),
            Err(e) => QUESTIONS.iter().map(|q| q.field).filter(|f| e.for_field(f).is_some()).collect(),
        }
    }
}

/// One raised answer, in plain language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reason {
    pub field: String,
    pub level: Level,
    pub message: String,
}

/// What a screening found: the highest level raised and every reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assessment {
    pub level: Level,
    pub reasons: Vec<Reason>,
}

/// What a "yes" to a flag question means, for the reason shown to the client and the therapist.
fn message(field: &str) -> &'static str {
    match field {
        "saddle_numbness" => {
            "new numbness around the genitals, buttocks or inner thighs can mean the nerves at the \
                              base of the spine are pressed"
        }
        "bladder_change" => "a new change in passing urine can mean the nerves at the base of the spine are pressed",
        "bowel_change" => "a new change in bowel control can mean the nerves at the base of the spine are pressed",
        "sexual_change" => {
            "a new change in sexual function or feeling can mean the nerves at the base of the spine \
                            are pressed"
        }
        "bilateral_leg_symptoms" => "symptoms in both legs need a physician to see you today",
        "gait_disturbance" => "new trouble walking or balancing needs a physician to see you today",
        "systemically_unwell" => {
            "fever or night sweats with back pain need a physician to rule out infection \
                                  today; massage is not given with a fever"
        }
        "progressive_weakness" => "weakness that is getting worse needs a physician within days",
        "history_of_cancer" => "new back pain after cancer should be checked by a physician first",
        "unexplained_weight_loss" => {
            "weight loss without trying, with back pain, should be checked by a physician \
                                      first"
        }
        "immunosuppressed" => "with a weakened immune system, back pain should be checked by a physician first",
        "long_term_steroids" => "after months of steroid tablets, back pain should be checked by a physician first",
        "osteoporosis_new_severe_pain" => {
            "sudden severe back pain with osteoporosis can be a fracture: a physician \
                                           should check it first"
        }
        "significant_trauma" => "pain that began with a fall or an accident should be checked for a fracture first",
        "constant_night_pain" => "constant pain that is worse at night should be checked by a physician first",
        "non_msk_symptoms" => {
            "pain in the belly, pelvis or chest, blood in the urine or a new cough should be \
                               checked by a physician first"
        }
        "inflammatory_pattern" => {
            "this pattern of stiffness can be inflammatory back pain: ask a physician or \
                                   physiotherapist to review it; massage can go on alongside"
        }
        _ => "raised by the screening",
    }
}

/// The screening's result: the highest level any answer raises, with every raised answer as a reason.
pub fn assess(answers: &ScreeningAnswers, t: &ScreeningThresholds) -> Assessment {
    let mut reasons = Vec::new();
    for q in QUESTIONS {
        let raised = match q.field {
            // These qualify the age and the weeks; alone they raise nothing.
            "first_episode" | "improving" => None,
            "age" => {
                let age = answers.number("age");
                (answers.yes("first_episode") && (age < t.first_episode_under_age || age > t.first_episode_over_age))
                    .then(|| {
                        format!(
                            "a first-ever episode of back pain at {age} (under {} or over {}, the practice's \
                             setting) should be checked by a physician first",
                            t.first_episode_under_age, t.first_episode_over_age
                        )
                    })
            }
            "symptom_weeks" => {
                let weeks = answers.number("symptom_weeks");
                (weeks >= t.nerve_pain_weeks && !answers.yes("improving")).then(|| {
                    format!(
                        "symptoms for {weeks} weeks that are not getting better ({} weeks or more, the practice's \
                         setting): ask a physician or physiotherapist to review them; massage can go on alongside",
                        t.nerve_pain_weeks
                    )
                })
            }
            field => answers.yes(field).then(|| message(field).to_string()),
        };
        if let Some(message) = raised {
            reasons.push(Reason { field: q.field.to_string(), level: q.level, message });
        }
    }
    let level = reasons.iter().map(|r| r.level).max().unwrap_or(Level::Clear);
    Assessment { level, reasons }
}

/// All answers "no" (age 40, two weeks, improving): a clear screening, the base for tests and examples.
pub fn all_clear() -> ScreeningInput {
    let mut input = ScreeningInput { age: Some(40), symptom_weeks: Some(2), ..Default::default() };
    for q in QUESTIONS.iter().filter(|q| q.kind == AnswerKind::YesNo) {
        input.set_flag(q.field, Some(q.field == "improving"));
    }
    input
}
