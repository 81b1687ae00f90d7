//! The red-flag screening's rules: every field at its level, the highest level winning, the age and
//! symptom-week boundaries (practice settings), incompleteness, and the property that a raised answer never
//! lowers the level.

use knead_core::intake::screening::{all_clear, question, AnswerKind, QUESTIONS};
use knead_core::intake::{assess, Level, ScreeningInput, ScreeningThresholds};
use proptest::prelude::*;

fn level_of(input: &ScreeningInput) -> Level {
    assess(&input.validate().expect("complete"), &ScreeningThresholds::default()).level
}

fn with_yes(fields: &[&str]) -> ScreeningInput {
    let mut input = all_clear();
    for f in fields {
        assert!(input.set_flag(f, Some(true)), "{f} is a yes/no question");
    }
    input
}

/// The level each yes/no field raises on its own, from the clinical reference's table (section 1).
const EXPECTED: &[(&str, Level)] = &[
    ("saddle_numbness", Level::Emergency),
    ("bladder_change", Level::Emergency),
    ("bowel_change", Level::Emergency),
    ("sexual_change", Level::Emergency),
    ("bilateral_leg_symptoms", Level::Emergency),
    ("gait_disturbance", Level::Emergency),
    ("systemically_unwell", Level::Emergency),
    ("progressive_weakness", Level::Urgent),
    ("history_of_cancer", Level::Urgent),
    ("unexplained_weight_loss", Level::Urgent),
    ("immunosuppressed", Level::Urgent),
    ("long_term_steroids", Level::Urgent),
    ("osteoporosis_new_severe_pain", Level::Urgent),
    ("significant_trauma", Level::Urgent),
    ("constant_night_pain", Level::Urgent),
    ("non_msk_symptoms", Level::Urgent),
    ("inflammatory_pattern", Level::Routine),
];

#[test]
fn all_no_is_clear_with_no_reasons() {
    let a = assess(&all_clear().validate().unwrap(), &ScreeningThresholds::default());
    assert_eq!(a.level, Level::Clear);
    assert!(a.reasons.is_empty());
}

#[test]
fn every_field_raises_its_own_level_with_one_reason_naming_it() {
    for (field, level) in EXPECTED {
        let a = assess(&with_yes(&[field]).validate().unwrap(), &ScreeningThresholds::default());
        assert_eq!(a.level, *level, "{field}");
        assert_eq!(a.reasons.len(), 1, "{field}");
        assert_eq!((a.reasons[0].field.as_str(), a.reasons[0].level), (*field, *level));
        assert!(!a.reasons[0].message.is_empty());
        assert_eq!(question(field).unwrap().level, *level, "the question table agrees for {field}");
    }
}

#[test]
fn every_question_of_the_reference_is_asked() {
    let mut fields: Vec<&str> = EXPECTED.iter().map(|(f, _)| *f).collect();
    fields.extend(["age", "first_episode", "symptom_weeks", "improving"]);
    let asked: Vec<&str> = QUESTIONS.iter().map(|q| q.field).collect();
    for f in &fields {
        assert!(asked.contains(f), "{f} is asked");
    }
    assert_eq!(asked.len(), fields.len(), "and nothing else");
}

#[test]
fn the_highest_level_wins_and_every_reason_is_listed() {
    let a = assess(
        &with_yes(&["inflammatory_pattern", "history_of_cancer", "bladder_change"]).validate().unwrap(),
        &ScreeningThresholds::default(),
    );
    assert_eq!(a.level, Level::Emergency);
    let fields: Vec<&str> = a.reasons.iter().map(|r| r.field.as_str()).collect();
    assert_eq!(fields, ["bladder_change", "history_of_cancer", "inflammatory_pattern"]);
    assert_eq!(level_of(&with_yes(&["inflammatory_pattern", "constant_night_pain"])), Level::Urgent);
}

#[test]
fn a_first_episode_is_urgent_under_16_or_over_60_and_not_at_the_bounds() {
    let at = |age: i64, first: bool| {
        let mut input = all_clear();
        input.age = Some(age);
        input.first_episode = Some(first);
        level_of(&input)
    };
    assert_eq!(at(15, true), Level::Urgent);
    assert_eq!(at(16, true), Level::Clear);
    assert_eq!(at(60, true), Level::Clear);
    assert_eq!(at(61, true), Level::Urgent);
    assert_eq!(at(15, false), Level::Clear, "a recurrence at any age raises nothing");
    assert_eq!(at(80, false), Level::Clear);
}

#[test]
fn nerve_pain_not_settling_after_6_weeks_is_routine() {
    let at = |weeks: i64, improving: bool| {
        let mut input = all_clear();
        input.symptom_weeks = Some(weeks);
        input.improving = Some(improving);
        level_of(&input)
    };
    assert_eq!(at(5, false), Level::Clear);
    assert_eq!(at(6, false), Level::Routine);
    assert_eq!(at(6, true), Level::Clear, "getting better is no flag");
    assert_eq!(at(52, false), Level::Routine);
}

#[test]
fn the_thresholds_are_the_practice_settings() {
    let stricter = ScreeningThresholds { first_episode_under_age: 18, first_episode_over_age: 55, nerve_pain_weeks: 4 };
    let mut input = all_clear();
    input.age = Some(57);
    input.first_episode = Some(true);
    input.symptom_weeks = Some(4);
    input.improving = Some(false);
    let a = assess(&input.validate().unwrap(), &stricter);
    assert_eq!(a.level, Level::Urgent);
    assert_eq!(a.reasons.len(), 2);
    assert!(a.reasons.iter().any(|r| r.message.contains("setting")), "the message says a threshold is a setting");
    assert_eq!(level_of(&input), Level::Clear, "the defaults (16, 60, 6) raise nothing here");
}

#[test]
fn an_unanswered_question_is_never_a_no() {
    for q in QUESTIONS {
        let mut input = all_clear();
        match q.kind {
            AnswerKind::YesNo => {
                input.set_flag(q.field, None);
            }
            AnswerKind::Years => input.age = None,
            AnswerKind::Weeks => input.symptom_weeks = None,
        }
        let e = input.validate().unwrap_err();
        assert_eq!(e.0.len(), 1, "{}", q.field);
        assert_eq!((e.0[0].code, e.0[0].field.as_str()), ("required", q.field));
        assert_eq!(input.unanswered(), [q.field]);
    }
    let empty = ScreeningInput::default().validate().unwrap_err();
    assert_eq!(empty.0.len(), QUESTIONS.len(), "an empty screening names every question");
}

#[test]
fn numbers_out_of_range_are_named() {
    let mut input = all_clear();
    input.age = Some(-1);
    input.symptom_weeks = Some(10_000);
    let fields: Vec<String> = input.validate().unwrap_err().0.into_iter().map(|e| e.field).collect();
    assert_eq!(fields, ["age", "symptom_weeks"]);
}

#[test]
fn unknown_keys_are_refused_when_read_from_json() {
    let err = serde_json::from_str::<ScreeningInput>(r#"{"saddle_numbnes": true}"#).unwrap_err();
    assert!(err.to_string().contains("unknown field"), "{err}");
}

fn answers() -> impl Strategy<Value = ScreeningInput> {
    let flags = prop::collection::vec(any::<bool>(), QUESTIONS.len());
    (flags, 0i64..=120, 0i64..=520).prop_map(|(flags, age, weeks)| {
        let mut input = ScreeningInput { age: Some(age), symptom_weeks: Some(weeks), ..Default::default() };
        for (q, yes) in QUESTIONS.iter().zip(flags) {
            input.set_flag(q.field, Some(yes));
        }
        input
    })
}

proptest! {
    /// Turning any "no" into "yes" never lowers the level (for `improving`, turning "yes" into "no"
    /// is the raised answer).
    #[test]
    fn a_raised_answer_never_lowers_the_level(input in answers(), pick in 0usize..QUESTIONS.len()) {
        let before = level_of(&input);
        let q = &QUESTIONS[pick];
        let mut raised = input.clone();
        match q.field {
            "improving" => { raised.improving = Some(false); }
            _ if q.kind == AnswerKind::YesNo => { raised.set_flag(q.field, Some(true)); }
            _ => {}
        }
        prop_assert!(level_of(&raised) >= before);
    }

    /// The level is the highest reason's, and clear exactly when there is none.
    #[test]
    fn the_level_is_the_highest_reason(input in answers()) {
        let a = assess(&input.validate().unwrap(), &ScreeningThresholds::default());
        prop_assert_eq!(a.level, a.reasons.iter().map(|r| r.level).max().unwrap_or(Level::Clear));
    }
}

/// docs/CLINICAL.md lists each question with its level and source as the code asks it; this keeps the two
/// in step (run with `KNEAD_PRINT_CLINICAL_TABLE=1 -- --nocapture` to print the table to paste, on stderr).
#[test]
fn the_clinical_doc_lists_every_question_as_asked() {
    let rows: Vec<String> = QUESTIONS
        .iter()
        .map(|q| format!("| `{}` | {} | {} | {} |", q.field, q.text, q.level.as_str(), q.source))
        .collect();
    let table = rows.join("\n");
    if std::env::var_os("KNEAD_PRINT_CLINICAL_TABLE").is_some() {
        // The table to paste, on stderr (tests do not print to stdout here).
        eprintln!("{table}");
    }
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/CLINICAL.md")).unwrap();
    for row in rows {
        assert!(doc.contains(&row), "docs/CLINICAL.md lacks the row:\n{row}");
    }
}
