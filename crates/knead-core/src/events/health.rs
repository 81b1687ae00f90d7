//! The short health check an attendee answers before signing up for a seated massage at a chair day (no account,
//! no full health history): a few yes/no questions and an optional note, and what the answers mean for the
//! sitting ([`assess`]).
//!
//! A chair massage is 10 to 20 minutes, clothed, seated, on the neck, shoulders, back and arms, so only what
//! matters for that is asked. The questions are our own words for the contraindications and precautions in the
//! clinical reference (section 2); they raise nothing from the red-flag screening, which a seated sitting does not
//! use.

use crate::validation::{FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};

/// One yes/no question of the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Question {
    /// The answer's field as the API spells it (under `health.`).
    pub key: &'static str,
    /// What the attendee is asked.
    pub text: &'static str,
}

/// The yes/no questions, in the order a form shows them.
pub const QUESTIONS: [Question; 6] = [
    Question {
        key: "unwell",
        text: "Do you have a fever or feel unwell today, or have something others could catch, such as a cold, \
               flu or a stomach bug?",
    },
    Question {
        key: "blood_clot",
        text: "Do you have a blood clot, or has a doctor said you might have one (for example in a leg or a lung)?",
    },
    Question {
        key: "recent_injury",
        text: "Are you still healing from an injury, a broken bone or an operation on your neck, back, shoulders \
               or arms?",
    },
    Question {
        key: "blood_thinners",
        text: "Do you take medicine that thins your blood, or do you bleed or bruise easily because of a blood \
               condition?",
    },
    Question {
        key: "fragile_bones",
        text: "Have you been told your bones are thin or fragile (osteoporosis), or have you taken steroid tablets \
               for months?",
    },
    Question { key: "pregnant", text: "Are you pregnant?" },
];

/// The free-text question that closes the check; answering it is optional.
pub const NOTE: Question =
    Question { key: "note", text: "Is there anything else the therapist should know before they start? (optional)" };

/// The longest note, in characters.
pub const NOTE_MAX_CHARS: usize = 300;

/// An attendee's answers, as given and as stored with the sign-up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Answers {
    pub unwell: bool,
    pub blood_clot: bool,
    pub recent_injury: bool,
    pub blood_thinners: bool,
    pub fragile_bones: bool,
    pub pregnant: bool,
    /// Anything else for the therapist, trimmed; empty when nothing was said.
    pub note: String,
}

impl Answers {
    /// The answer to the question with `key` (see [`QUESTIONS`]); `None` for a key that is not a yes/no question.
    pub fn get(&self, key: &str) -> Option<bool> {
        match key {
            "unwell" => Some(self.unwell),
            "blood_clot" => Some(self.blood_clot),
            "recent_injury" => Some(self.recent_injury),
            "blood_thinners" => Some(self.blood_thinners),
            "fragile_bones" => Some(self.fragile_bones),
            "pregnant" => Some(self.pregnant),
            _ => None,
        }
    }
}

/// The answers as the API receives them: every yes/no question must be answered (a missing answer is not a "no").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct AnswersInput {
    pub unwell: Option<bool>,
    pub blood_clot: Option<bool>,
    pub recent_injury: Option<bool>,
    pub blood_thinners: Option<bool>,
    pub fragile_bones: Option<bool>,
    pub pregnant: Option<bool>,
    /// At most 300 characters.
    pub note: Option<String>,
}

impl AnswersInput {
    /// Every answer, or an error on each one missing (`health.unwell`...) and on a note too long.
    pub fn validate(&self) -> Result<Answers, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let mut answer = |key: &str, given: Option<bool>| {
            if given.is_none() {
                e.push(FieldError::new("required", format!("health.{key}"), "answer yes or no"));
            }
            given.unwrap_or(false)
        };
        let answers = Answers {
            unwell: answer("unwell", self.unwell),
            blood_clot: answer("blood_clot", self.blood_clot),
            recent_injury: answer("recent_injury", self.recent_injury),
            blood_thinners: answer("blood_thinners", self.blood_thinners),
            fragile_bones: answer("fragile_bones", self.fragile_bones),
            pregnant: answer("pregnant", self.pregnant),
            note: String::new(),
        };
        let note = e.text("health.note", self.note.as_deref().unwrap_or(""), 0, NOTE_MAX_CHARS);
        e.finish(|| Some(Answers { note, ..answers }))
    }
}

/// What the answers mean for the sitting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to change.
    Fine,
    /// The sitting goes ahead with these changes, for the therapist's sheet, in the order of the questions.
    Adapt(Vec<&'static str>),
    /// No sitting today; why, in plain words to the attendee (the first reason, in the order of the questions).
    NotToday(&'static str),
}

/// Fever or a contagious illness: the reference's `block` (defer the session).
const UNWELL: &str = "Please skip the massage today while you are unwell or could pass something on. \
                      You are welcome at the next one once you feel better.";

/// A known or suspected clot: the reference's `block` (massage could move it).
const BLOOD_CLOT: &str = "Massage is not safe with a blood clot, or one a doctor suspects, because it could \
                          move the clot. Please wait until your doctor says it has cleared.";

/// The reference makes an acute injury, an unstable fracture or a recent scar `local_avoid`, and recent spinal
/// surgery `clearance_required`. One question cannot tell them apart, a sign-up by link cannot take a physician's
/// note, and the area to avoid is most of what a seated massage works on, so the stricter reading wins.
const RECENT_INJURY: &str = "A seated massage works on the neck, back, shoulders and arms, so an injury or an \
                             operation there needs to heal first. Your doctor can say when; a regular visit lets the \
                             therapist look at it with you.";

/// Anticoagulants or a bleeding disorder: the reference's `modify_pressure`.
const LIGHT_FOR_BLEEDING: &str = "light pressure only, nothing deep: blood thinners or a bleeding condition";

/// Osteoporosis or long-term steroids: `modify_pressure`, and no forceful work over the spine.
const LIGHT_FOR_BONES: &str =
    "light pressure only, no forceful work on the spine: fragile bones or long-term steroid tablets";

/// Sitting avoids the positions the reference warns about (lying on the back late on); deep work low on the back
/// is kept out, and a high-risk pregnancy needs clearance the check cannot take, so the therapist asks.
const PREGNANT: &str = "pregnant: sitting is fine, adjust the chair for comfort; no deep work on the lower back; ask \
                        whether the pregnancy is high-risk (then no massage without their doctor's go-ahead)";

const READ_NOTE: &str = "read the attendee's note before starting";

/// What the answers mean: any `block` answer stops the sitting; otherwise each precaution is listed.
pub fn assess(a: &Answers) -> Outcome {
    let blocks = [(a.unwell, UNWELL), (a.blood_clot, BLOOD_CLOT), (a.recent_injury, RECENT_INJURY)];
    if let Some((_, why)) = blocks.into_iter().find(|(yes, _)| *yes) {
        return Outcome::NotToday(why);
    }
    let changes: Vec<&'static str> = [
        (a.blood_thinners, LIGHT_FOR_BLEEDING),
        (a.fragile_bones, LIGHT_FOR_BONES),
        (a.pregnant, PREGNANT),
        (!a.note.trim().is_empty(), READ_NOTE),
    ]
    .into_iter()
    .filter_map(|(yes, change)| yes.then_some(change))
    .collect();
    if changes.is_empty() {
        Outcome::Fine
    } else {
        Outcome::Adapt(changes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_no() -> AnswersInput {
        AnswersInput {
            unwell: Some(false),
            blood_clot: Some(false),
            recent_injury: Some(false),
            blood_thinners: Some(false),
            fragile_bones: Some(false),
            pregnant: Some(false),
            note: None,
        }
    }

    #[test]
    fn every_question_has_its_answer_field() {
        let yes = Answers {
            unwell: true,
            blood_clot: true,
            recent_injury: true,
            blood_thinners: true,
            fragile_bones: true,
            pregnant: true,
            note: String::new(),
        };
        for q in QUESTIONS {
            assert_eq!(yes.get(q.key), Some(true), "{}", q.key);
            assert_eq!(Answers::default().get(q.key), Some(false), "{}", q.key);
            assert!(q.text.ends_with('?'));
        }
        assert_eq!(yes.get(NOTE.key), None);
        let mut keys: Vec<&str> = QUESTIONS.iter().map(|q| q.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), QUESTIONS.len(), "keys are distinct");
    }

    #[test]
    fn every_answer_is_required_and_named() {
        let e = AnswersInput::default().validate().unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        let expected: Vec<String> = QUESTIONS.iter().map(|q| format!("health.{}", q.key)).collect();
        assert_eq!(fields, expected);
        assert!(e.0.iter().all(|f| f.code == "required"));
        let one_missing = AnswersInput { pregnant: None, ..all_no() }.validate().unwrap_err();
        assert_eq!(one_missing.0.len(), 1);
        assert_eq!(one_missing.0[0].field, "health.pregnant");
    }

    #[test]
    fn the_note_is_optional_trimmed_and_short() {
        assert_eq!(all_no().validate().unwrap(), Answers::default());
        let noted = AnswersInput { note: Some("  left shoulder is sore  ".into()), ..all_no() }.validate().unwrap();
        assert_eq!(noted.note, "left shoulder is sore");
        let long = AnswersInput { note: Some("a".repeat(NOTE_MAX_CHARS + 1)), ..all_no() }.validate().unwrap_err();
        assert_eq!((long.0[0].code, long.0[0].field.as_str()), ("too_long", "health.note"));
    }

    #[test]
    fn the_input_reads_from_json_and_refuses_unknown_keys() {
        let read: AnswersInput = serde_json::from_str(r#"{"unwell": false, "pregnant": true}"#).unwrap();
        assert_eq!(read.pregnant, Some(true));
        assert_eq!(read.blood_clot, None);
        assert!(serde_json::from_str::<AnswersInput>(r#"{"hungry": true}"#).is_err());
    }

    #[test]
    fn no_to_everything_is_fine() {
        assert_eq!(assess(&Answers::default()), Outcome::Fine);
    }

    #[test]
    fn feeling_unwell_means_not_today() {
        let a = Answers { unwell: true, ..Answers::default() };
        assert_eq!(assess(&a), Outcome::NotToday(UNWELL));
    }

    #[test]
    fn a_blood_clot_means_not_today() {
        let a = Answers { blood_clot: true, pregnant: true, ..Answers::default() };
        assert_eq!(assess(&a), Outcome::NotToday(BLOOD_CLOT));
    }

    #[test]
    fn a_healing_injury_means_not_today() {
        let a = Answers { recent_injury: true, blood_thinners: true, ..Answers::default() };
        assert_eq!(assess(&a), Outcome::NotToday(RECENT_INJURY));
    }

    #[test]
    fn the_first_block_in_question_order_is_the_reason_given() {
        let a = Answers { unwell: true, blood_clot: true, recent_injury: true, ..Answers::default() };
        assert_eq!(assess(&a), Outcome::NotToday(UNWELL));
    }

    #[test]
    fn blood_thinners_mean_light_pressure() {
        let a = Answers { blood_thinners: true, ..Answers::default() };
        assert_eq!(assess(&a), Outcome::Adapt(vec![LIGHT_FOR_BLEEDING]));
    }

    #[test]
    fn fragile_bones_mean_light_pressure_and_care_over_the_spine() {
        let a = Answers { fragile_bones: true, ..Answers::default() };
        assert_eq!(assess(&a), Outcome::Adapt(vec![LIGHT_FOR_BONES]));
    }

    #[test]
    fn pregnancy_is_fine_seated_with_a_note_for_the_therapist() {
        let a = Answers { pregnant: true, ..Answers::default() };
        assert_eq!(assess(&a), Outcome::Adapt(vec![PREGNANT]));
    }

    #[test]
    fn a_note_asks_the_therapist_to_read_it_and_changes_come_in_question_order() {
        let a = Answers { note: "I prefer no talking".into(), ..Answers::default() };
        assert_eq!(assess(&a), Outcome::Adapt(vec![READ_NOTE]));
        let blank = Answers { note: "   ".into(), ..Answers::default() };
        assert_eq!(assess(&blank), Outcome::Fine);
        let all = Answers {
            blood_thinners: true,
            fragile_bones: true,
            pregnant: true,
            note: "x".into(),
            ..Answers::default()
        };
        assert_eq!(assess(&all), Outcome::Adapt(vec![LIGHT_FOR_BLEEDING, LIGHT_FOR_BONES, PREGNANT, READ_NOTE]));
    }
}
