//! The care records' rules: each instrument's scoring at its edges, the non-response policy at every
//! boundary, notes and their digest, plans against the intake's precautions, the exercise library's
//! exclusions and programs, and referral letters with their FHIR export.

use jiff::civil::{date, Date};
use jiff::Timestamp;
use knead_core::intake::{Category, Consent, Precaution};
use knead_core::records::episode::EpisodeId;
use knead_core::records::instruments::{
    score, AnswerOption, ImportantChange, InstrumentItem, ScoringRule, StartBackRisk,
};
use knead_core::records::plan::PlannedTechnique;
use knead_core::records::response::{assess, Signals};
use knead_core::records::{
    Aim, InstrumentDefinition, Measure, MeasureId, NoteInput, PlanInput, Pressure, ResponsePolicy, ResponseStatus,
    Score, Technique,
};
use knead_core::UserId;
use proptest::prelude::*;
use serde_json::json;

fn fields(e: &knead_core::ValidationErrors) -> Vec<&str> {
    e.0.iter().map(|e| e.field.as_str()).collect()
}

fn value(s: &Score) -> f64 {
    s.number()
}

// ---- Instruments ----

#[test]
fn nprs_scores_0_to_10_and_names_the_field_otherwise() {
    for key in ["nprs_leg", "nprs_back"] {
        assert_eq!(value(&score(key, &json!({"value": 0}), &[]).unwrap()), 0.0);
        assert_eq!(value(&score(key, &json!({"value": 10}), &[]).unwrap()), 10.0);
        for bad in [json!({"value": 11}), json!({"value": -1}), json!({"value": 2.5}), json!({"value": "3"}), json!({})]
        {
            let e = score(key, &bad, &[]).unwrap_err();
            assert_eq!(fields(&e), ["answers.value"], "{bad}");
        }
        assert_eq!(fields(&score(key, &json!([3]), &[]).unwrap_err()), ["answers"]);
        assert_eq!(fields(&score(key, &json!({"value": 3, "side": "left"}), &[]).unwrap_err()), ["answers.side"]);
    }
}

fn psfs(scores: &[i64]) -> serde_json::Value {
    let activities: Vec<_> =
        scores.iter().enumerate().map(|(i, s)| json!({"name": format!("activity {i}"), "score": s})).collect();
    json!({ "activities": activities })
}

#[test]
fn psfs_is_the_mean_of_3_to_5_activities() {
    assert_eq!(value(&score("psfs", &psfs(&[0, 0, 0]), &[]).unwrap()), 0.0);
    assert_eq!(value(&score("psfs", &psfs(&[10, 10, 10, 10, 10]), &[]).unwrap()), 10.0);
    assert_eq!(value(&score("psfs", &psfs(&[2, 3, 7]), &[]).unwrap()), 4.0);
    assert_eq!(value(&score("psfs", &psfs(&[1, 2, 3, 4, 5]), &[]).unwrap()), 3.0);
    assert_eq!(fields(&score("psfs", &psfs(&[1, 2]), &[]).unwrap_err()), ["answers.activities"]);
    assert_eq!(fields(&score("psfs", &psfs(&[1, 2, 3, 4, 5, 6]), &[]).unwrap_err()), ["answers.activities"]);
    assert_eq!(fields(&score("psfs", &psfs(&[1, 2, 11]), &[]).unwrap_err()), ["answers.activities[2].score"]);
    let unnamed =
        json!({"activities": [{"name": "sit", "score": 1}, {"name": " ", "score": 2}, {"name": "walk", "score": 3}]});
    assert_eq!(fields(&score("psfs", &unnamed, &[]).unwrap_err()), ["answers.activities[1].name"]);
    assert_eq!(fields(&score("psfs", &json!({}), &[]).unwrap_err()), ["answers.activities"]);
}

fn startback(agree: &[usize], bothersome: &str) -> Score {
    let items: Vec<bool> = (1..=8).map(|i| agree.contains(&i)).collect();
    score("startback", &json!({"items": items, "bothersome": bothersome}), &[]).unwrap()
}

fn sb(total: i64, distress: i64, risk: StartBackRisk) -> Score {
    Score::StartBack { total, distress, risk }
}

#[test]
fn startback_total_3_is_low_and_4_is_medium_or_high_by_distress() {
    assert_eq!(startback(&[], "not_at_all"), sb(0, 0, StartBackRisk::Low));
    assert_eq!(startback(&[1, 2, 3], "moderately"), sb(3, 0, StartBackRisk::Low));
    assert_eq!(startback(&[1, 2, 3, 4], "moderately"), sb(4, 0, StartBackRisk::Medium));
    // Distress 3 is medium, 4 is high.
    assert_eq!(startback(&[1, 5, 6, 7], "slightly"), sb(4, 3, StartBackRisk::Medium));
    assert_eq!(startback(&[5, 6, 7, 8], "slightly"), sb(4, 4, StartBackRisk::High));
    assert_eq!(startback(&[1, 2, 3, 4, 5, 6, 7, 8], "extremely"), sb(9, 5, StartBackRisk::High));
    // A total of 3 with all three in the distress items is still low.
    assert_eq!(startback(&[5, 6], "very_much"), sb(3, 3, StartBackRisk::Low));
}

#[test]
fn startback_item_9_scores_only_very_much_and_extremely() {
    for (answer, point) in [("not_at_all", 0), ("slightly", 0), ("moderately", 0), ("very_much", 1), ("extremely", 1)] {
        let Score::StartBack { total, distress, .. } = startback(&[1], answer) else { panic!("a STarT Back score") };
        assert_eq!((total, distress), (1 + point, point), "{answer}");
    }
}

#[test]
fn startback_bad_shapes_name_their_field() {
    let seven = json!({"items": [true, true, true, true, true, true, true], "bothersome": "slightly"});
    assert_eq!(fields(&score("startback", &seven, &[]).unwrap_err()), ["answers.items"]);
    let not_bool = json!({"items": [1, 0, 0, 0, 0, 0, 0, 0], "bothersome": "slightly"});
    assert_eq!(fields(&score("startback", &not_bool, &[]).unwrap_err()), ["answers.items"]);
    let items = json!([false, false, false, false, false, false, false, false]);
    let e = score("startback", &json!({"items": items, "bothersome": "a_lot"}), &[]).unwrap_err();
    assert_eq!(fields(&e), ["answers.bothersome"]);
    assert!(e.0[0].detail.contains("very_much"));
    assert_eq!(fields(&score("startback", &json!({"items": items}), &[]).unwrap_err()), ["answers.bothersome"]);
}

#[test]
fn an_unknown_instrument_lists_the_allowed_keys() {
    let e = score("odi", &json!({"value": 1}), &[]).unwrap_err();
    assert_eq!(fields(&e), ["instrument"]);
    assert!(e.0[0].detail.contains("nprs_leg") && e.0[0].detail.contains("startback"));
    let e = score("rmdq", &json!({}), &[odi()]).unwrap_err();
    assert!(e.0[0].detail.contains("odi"), "loaded keys are allowed too: {}", e.0[0].detail);
}

/// An ODI-shaped definition with placeholder text (no licensed wording): 10 sections scored 0..=5.
fn odi() -> InstrumentDefinition {
    let answers: Vec<AnswerOption> = (0..=5).map(|s| AnswerOption { label: s.to_string(), score: s }).collect();
    InstrumentDefinition {
        key: "odi".into(),
        name: "Placeholder disability index".into(),
        copyright: String::new(),
        items: (1..=10).map(|i| InstrumentItem { text: format!("Section {i}"), answers: answers.clone() }).collect(),
        scoring: ScoringRule::PercentOfAnswered,
        min_answered: Some(8),
        lower_is_better: true,
        important_change: ImportantChange { points: Some(10.0), percent: Some(30.0) },
        function_measure: true,
        loinc: Some("97909-6".into()),
    }
}

fn count_def() -> InstrumentDefinition {
    let answers = vec![AnswerOption { label: "no".into(), score: 0 }, AnswerOption { label: "yes".into(), score: 1 }];
    InstrumentDefinition {
        key: "rmdq".into(),
        name: "Placeholder count".into(),
        items: (1..=24).map(|i| InstrumentItem { text: format!("Item {i}"), answers: answers.clone() }).collect(),
        scoring: ScoringRule::Count,
        min_answered: None,
        important_change: ImportantChange { points: Some(5.0), percent: Some(30.0) },
        function_measure: true,
        ..odi()
    }
}

#[test]
fn a_loaded_percent_instrument_scores_the_answered_sections() {
    let defs = [odi()];
    let all: Vec<i64> = vec![5; 10];
    assert_eq!(value(&score("odi", &json!({"items": all}), &defs).unwrap()), 100.0);
    // 8 answered, sum 20: 20 / 40 = 50%.
    let eight = json!({"items": [5, 5, 5, 5, 0, 0, 0, 0, null, null]});
    assert_eq!(score("odi", &eight, &defs).unwrap(), Score::Value { value: 50.0, answered: Some(8) });
    let seven = json!({"items": [5, 5, 5, 5, 0, 0, 0, null, null, null]});
    assert_eq!(fields(&score("odi", &seven, &defs).unwrap_err()), ["answers.items"]);
    let out_of_range = json!({"items": [6, 0, 0, 0, 0, 0, 0, 0, 0, 0]});
    assert_eq!(fields(&score("odi", &out_of_range, &defs).unwrap_err()), ["answers.items[0]"]);
    assert_eq!(fields(&score("odi", &json!({"items": [1, 2]}), &defs).unwrap_err()), ["answers.items"]);
}

#[test]
fn a_loaded_count_needs_every_item() {
    let defs = [count_def()];
    let mut items: Vec<serde_json::Value> = vec![json!(0); 24];
    items[3] = json!(1);
    items[7] = json!(1);
    assert_eq!(value(&score("rmdq", &json!({"items": items}), &defs).unwrap()), 2.0);
    items[5] = json!(null);
    assert_eq!(fields(&score("rmdq", &json!({"items": items}), &defs).unwrap_err()), ["answers.items[5]"]);
}

#[test]
fn definition_files_are_checked() {
    assert_eq!(odi().validate(), Ok(()));
    assert_eq!(count_def().validate(), Ok(()));
    let builtin = InstrumentDefinition { key: "psfs".into(), ..odi() };
    assert_eq!(fields(&builtin.validate().unwrap_err()), ["key"]);
    let bad_key = InstrumentDefinition { key: "Odi!".into(), ..odi() };
    assert_eq!(fields(&bad_key.validate().unwrap_err()), ["key"]);
    let mut two_valued = count_def();
    two_valued.items[2].answers[1].score = 2;
    assert_eq!(fields(&two_valued.validate().unwrap_err()), ["items[2].answers[1].score"]);
    let mut one_answer = odi();
    one_answer.items[0].answers.truncate(1);
    assert_eq!(fields(&one_answer.validate().unwrap_err()), ["items[0].answers"]);
    let too_many = InstrumentDefinition { min_answered: Some(11), ..odi() };
    assert_eq!(fields(&too_many.validate().unwrap_err()), ["min_answered"]);
    let no_items = InstrumentDefinition { items: vec![], min_answered: None, ..odi() };
    assert_eq!(fields(&no_items.validate().unwrap_err()), ["items"]);
}

#[test]
fn the_example_definition_file_loads_and_holds_no_licensed_text() {
    let text = include_str!("../../../docs/instruments/example-disability-index.json");
    let definition: InstrumentDefinition = serde_json::from_str(text).expect("the example parses");
    assert_eq!(definition.validate(), Ok(()));
    for item in &definition.items {
        assert!(item.text.starts_with("Section "), "placeholder text only: {}", item.text);
    }
}

// ---- The non-response policy ----

const START: &str = "2026-01-05T10:00:00Z";

fn at(day: i64) -> Timestamp {
    START.parse::<Timestamp>().unwrap() + jiff::SignedDuration::from_hours(24 * day)
}

fn measure(
    id: i64,
    instrument: &str,
    day: i64,
    answers: serde_json::Value,
    loaded: &[InstrumentDefinition],
) -> Measure {
    let score = score(instrument, &answers, loaded).expect("valid answers");
    Measure {
        id: MeasureId(id),
        episode_id: EpisodeId(1),
        instrument: instrument.into(),
        answers,
        score,
        taken_at: at(day),
        recorded_by: Some(UserId(1)),
        created_at: at(day),
    }
}

/// Leg NPRS at the given days.
fn legs(points: &[(i64, i64)]) -> Vec<Measure> {
    points
        .iter()
        .enumerate()
        .map(|(i, (day, v))| measure(i as i64 + 1, "nprs_leg", *day, json!({"value": v}), &[]))
        .collect()
}

/// Leg NPRS once a week (days 0, 7, 14...).
fn weekly(values: &[i64]) -> Vec<Measure> {
    legs(&values.iter().enumerate().map(|(i, v)| (i as i64 * 7, *v)).collect::<Vec<_>>())
}

/// Leg NPRS twice a week (days 0, 3, 7, 10...): visits come faster than weeks.
fn twice_weekly(values: &[i64]) -> Vec<Measure> {
    legs(&values.iter().enumerate().map(|(i, v)| ((i as i64 / 2) * 7 + (i as i64 % 2) * 3, *v)).collect::<Vec<_>>())
}

fn status(measures: &[Measure]) -> ResponseStatus {
    assess(measures, Signals::default(), &ResponsePolicy::default(), &[]).status
}

#[test]
fn no_leg_pain_recorded_is_too_early() {
    let r = assess(&[], Signals::default(), &ResponsePolicy::default(), &[]);
    assert_eq!((r.status, r.since), (ResponseStatus::TooEarly, None));
    let back = [measure(1, "nprs_back", 0, json!({"value": 6}), &[])];
    assert_eq!(status(&back), ResponseStatus::TooEarly);
    assert!(assess(&back, Signals::default(), &ResponsePolicy::default(), &[])
        .recommendation
        .starts_with("Clinic policy"));
}

#[test]
fn early_warning_comes_at_visit_3_not_2() {
    assert_eq!(status(&twice_weekly(&[6, 6])), ResponseStatus::TooEarly);
    assert_eq!(status(&twice_weekly(&[6, 6, 6])), ResponseStatus::EarlyWarning);
    // An improvement of a point is enough at the early checkpoint.
    let some_change = assess(&twice_weekly(&[6, 6, 5]), Signals::default(), &ResponsePolicy::default(), &[]);
    assert_eq!(some_change.status, ResponseStatus::TooEarly);
    assert!(some_change.recommendation.contains("not yet at the responder threshold"));
    let r = assess(&twice_weekly(&[6, 6, 6]), Signals::default(), &ResponsePolicy::default(), &[]);
    assert!(r.rescreen);
    assert!(r.recommendation.starts_with("Clinic policy:"));
}

#[test]
fn early_warning_comes_at_week_3_not_2() {
    // Two visits: the second on day 13 (week 2) or day 14 (week 3).
    assert_eq!(status(&legs(&[(0, 6), (13, 6)])), ResponseStatus::TooEarly);
    assert_eq!(status(&legs(&[(0, 6), (14, 6)])), ResponseStatus::EarlyWarning);
}

#[test]
fn non_responder_comes_at_visit_6_not_5() {
    assert_eq!(status(&twice_weekly(&[6, 6, 6, 6, 6])), ResponseStatus::EarlyWarning);
    assert_eq!(status(&twice_weekly(&[6, 6, 6, 6, 6, 6])), ResponseStatus::NonResponder);
    // Better by 1 point: not an early warning, but a non-responder at the review.
    assert_eq!(status(&twice_weekly(&[6, 6, 6, 6, 5])), ResponseStatus::TooEarly);
    assert_eq!(status(&twice_weekly(&[6, 6, 6, 6, 6, 5])), ResponseStatus::NonResponder);
}

#[test]
fn non_responder_comes_at_week_6_not_5() {
    assert_eq!(status(&legs(&[(0, 6), (34, 5)])), ResponseStatus::TooEarly);
    assert_eq!(status(&legs(&[(0, 6), (35, 5)])), ResponseStatus::NonResponder);
}

#[test]
fn two_points_better_is_responding_and_one_is_not() {
    assert_eq!(status(&weekly(&[8, 7, 6, 6, 6, 6])), ResponseStatus::Responding);
    assert_eq!(status(&weekly(&[8, 7, 7, 7, 7, 7])), ResponseStatus::NonResponder);
    assert_eq!(status(&weekly(&[8, 6])), ResponseStatus::Responding);
}

#[test]
fn thirty_percent_better_is_responding_on_its_own() {
    // With 4 points asked for, 3 of 10 (exactly 30%) still reaches the threshold, 2 of 10 (20%) does not.
    let policy = ResponsePolicy { responder_points: 4.0, ..Default::default() };
    let judge = |values: &[i64]| assess(&weekly(values), Signals::default(), &policy, &[]).status;
    assert_eq!(judge(&[10, 9, 8, 7, 7, 7]), ResponseStatus::Responding);
    assert_eq!(judge(&[10, 9, 8, 8, 8, 8]), ResponseStatus::NonResponder);
    let strict = ResponsePolicy { responder_points: 4.0, responder_percent: 31.0, ..Default::default() };
    assert_eq!(
        assess(&weekly(&[10, 9, 8, 7, 7, 7]), Signals::default(), &strict, &[]).status,
        ResponseStatus::NonResponder
    );
}

#[test]
fn the_ceiling_is_9_visits_or_12_weeks_without_the_threshold() {
    assert_eq!(status(&twice_weekly(&[6, 6, 6, 6, 6, 6, 6, 6])), ResponseStatus::NonResponder);
    assert_eq!(status(&twice_weekly(&[6, 6, 6, 6, 6, 6, 6, 6, 6])), ResponseStatus::CeilingReached);
    // Day 76 is week 11; day 77 is week 12.
    assert_eq!(status(&legs(&[(0, 6), (76, 5)])), ResponseStatus::NonResponder);
    assert_eq!(status(&legs(&[(0, 6), (77, 5)])), ResponseStatus::CeilingReached);
    // A function gain saves a non-responder, not the ceiling.
    let mut with_psfs = legs(&[(0, 6), (77, 5)]);
    with_psfs.push(measure(10, "psfs", 0, psfs(&[2, 2, 2]), &[]));
    with_psfs.push(measure(11, "psfs", 77, psfs(&[6, 6, 6]), &[]));
    assert_eq!(status(&with_psfs), ResponseStatus::CeilingReached);
    // Reaching the threshold by visit 9 is responding.
    assert_eq!(status(&twice_weekly(&[6, 6, 6, 6, 6, 6, 6, 6, 4])), ResponseStatus::Responding);
}

#[test]
fn deterioration_by_2_on_leg_or_back_at_any_visit() {
    assert_eq!(status(&weekly(&[5, 6])), ResponseStatus::TooEarly);
    assert_eq!(status(&weekly(&[5, 7])), ResponseStatus::Deteriorating);
    let mut back = weekly(&[5, 3]);
    back.push(measure(20, "nprs_back", 0, json!({"value": 4}), &[]));
    back.push(measure(21, "nprs_back", 7, json!({"value": 5}), &[]));
    assert_eq!(status(&back), ResponseStatus::Responding);
    back.push(measure(22, "nprs_back", 7, json!({"value": 6}), &[]));
    let r = assess(&back, Signals::default(), &ResponsePolicy::default(), &[]);
    assert_eq!(r.status, ResponseStatus::Deteriorating);
    assert!(r.rescreen);
    assert!(r.recommendation.contains("urgently"));
    // Worse even past the ceiling comes first.
    assert_eq!(status(&twice_weekly(&[4, 4, 4, 4, 4, 4, 4, 4, 4, 6])), ResponseStatus::Deteriorating);
}

#[test]
fn new_nerve_symptoms_are_deterioration_from_the_latest_visit() {
    let signals = Signals { new_neuro_symptoms: true, high_startback: false };
    let r = assess(&weekly(&[6, 3, 2]), signals, &ResponsePolicy::default(), &[]);
    assert_eq!(r.status, ResponseStatus::Deteriorating);
    assert_eq!(r.since, Some(at(14).to_zoned(jiff::tz::TimeZone::UTC).date()));
}

#[test]
fn a_psfs_gain_of_2_saves_a_non_responder_and_1_5_does_not() {
    let mut m = weekly(&[6, 6, 6, 6, 6, 6]);
    m.push(measure(30, "psfs", 0, psfs(&[2, 2, 2]), &[]));
    m.push(measure(31, "psfs", 35, psfs(&[4, 4, 4]), &[]));
    assert_eq!(status(&m), ResponseStatus::TooEarly);
    m.pop();
    m.push(measure(31, "psfs", 35, psfs(&[3, 4, 3, 4]), &[]));
    assert_eq!(status(&m), ResponseStatus::NonResponder);
}

#[test]
fn a_psfs_gain_saves_an_early_warning() {
    let mut m = weekly(&[6, 6, 6]);
    m.push(measure(30, "psfs", 0, psfs(&[2, 2, 2]), &[]));
    m.push(measure(31, "psfs", 14, psfs(&[5, 5, 5]), &[]));
    assert_eq!(status(&m), ResponseStatus::TooEarly);
}

#[test]
fn a_loaded_function_measure_saves_by_points_or_percent() {
    let defs = [odi()];
    let odi_at = |id, day, items: [i64; 10]| measure(id, "odi", day, json!({"items": items}), &defs);
    let judge = |m: &[Measure]| assess(m, Signals::default(), &ResponsePolicy::default(), &defs).status;
    let base = weekly(&[6, 6, 6, 6, 6, 6]);
    // 40% to 30%: better by 10 points (25%): a gain.
    let mut m = base.clone();
    m.push(odi_at(40, 0, [2, 2, 2, 2, 2, 2, 2, 2, 2, 2]));
    m.push(odi_at(41, 35, [2, 2, 2, 2, 2, 1, 1, 1, 1, 1]));
    assert_eq!(judge(&m), ResponseStatus::TooEarly);
    // 40% to 32%: 8 points (20%): no gain.
    let mut m = base.clone();
    m.push(odi_at(40, 0, [2, 2, 2, 2, 2, 2, 2, 2, 2, 2]));
    m.push(odi_at(41, 35, [2, 2, 2, 2, 2, 2, 1, 1, 1, 1]));
    assert_eq!(judge(&m), ResponseStatus::NonResponder);
    // 20% to 14%: 6 points but 30%: a gain.
    let mut m = base;
    m.push(odi_at(40, 0, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]));
    m.push(odi_at(41, 35, [1, 1, 1, 1, 1, 1, 1, 0, 0, 0]));
    assert_eq!(judge(&m), ResponseStatus::TooEarly);
}

#[test]
fn since_is_the_first_visit_of_the_current_status() {
    let day = |d: i64| at(d).to_zoned(jiff::tz::TimeZone::UTC).date();
    let r = assess(&twice_weekly(&[6, 6, 6, 6, 6, 6, 6]), Signals::default(), &ResponsePolicy::default(), &[]);
    assert_eq!((r.status, r.since), (ResponseStatus::NonResponder, Some(day(17))));
    let r = assess(&weekly(&[8, 5, 5, 4]), Signals::default(), &ResponsePolicy::default(), &[]);
    assert_eq!((r.status, r.since), (ResponseStatus::Responding, Some(day(7))));
    let r = assess(&weekly(&[8]), Signals::default(), &ResponsePolicy::default(), &[]);
    assert_eq!((r.status, r.since), (ResponseStatus::TooEarly, Some(day(0))));
}

#[test]
fn high_startback_recommends_co_management_without_changing_the_status() {
    let mut m = weekly(&[8, 5]);
    let plain = assess(&m, Signals::default(), &ResponsePolicy::default(), &[]);
    let items = [true; 8];
    m.push(measure(50, "startback", 0, json!({"items": items, "bothersome": "extremely"}), &[]));
    let r = assess(&m, Signals::default(), &ResponsePolicy::default(), &[]);
    assert_eq!(r.status, plain.status);
    assert!(r.reasons.iter().any(|l| l.contains("STarT Back")));
    assert!(!plain.reasons.iter().any(|l| l.contains("STarT Back")));
    let flagged = assess(
        &weekly(&[8, 5]),
        Signals { high_startback: true, ..Default::default() },
        &ResponsePolicy::default(),
        &[],
    );
    assert!(flagged.recommendation.contains("physiotherapist"));
}

#[test]
fn thresholds_are_settings() {
    let policy = ResponsePolicy { early_visit: 2, ..Default::default() };
    assert_eq!(assess(&twice_weekly(&[6, 6]), Signals::default(), &policy, &[]).status, ResponseStatus::EarlyWarning);
    let mut e = knead_core::ValidationErrors::default();
    ResponsePolicy { review_visit: 2, ..Default::default() }.validate(&mut e);
    assert_eq!(fields(&e), ["response_policy.review_visit"]);
}

proptest! {
    /// What the policy guarantees of a trajectory that only improves (each leg NPRS no higher than the one
    /// before): it is never `deteriorating`; and when it reaches the responder threshold by the review
    /// checkpoint it is never `non_responder` (one that improves by less IS a non-responder, by design).
    #[test]
    fn an_improving_trajectory_is_never_deteriorating_or_a_non_responder(
        start in 3i64..=10,
        // Mostly flat, so that without reaching the threshold it would be a non-responder.
        drops in proptest::collection::vec(proptest::sample::select(vec![0i64, 0, 0, 0, 1, 2]), 1..14),
        gaps in proptest::collection::vec(1i64..=10, 14),
        early_drop in 2i64..=3,
    ) {
        // With the default policy the review comes at the sixth visit or on day 35 (week 6), whichever first;
        // from then on the trajectory sits at least `early_drop` (>= the 2-point threshold) below its start.
        let mut day = 0;
        let mut points = vec![(0, start)];
        for (i, drop) in drops.iter().enumerate() {
            day += gaps[i];
            let last = points.last().map_or(start, |p| p.1);
            let reviewed = i + 2 >= 6 || day >= 35;
            let floor = if reviewed { (start - early_drop).max(0) } else { last };
            points.push((day, (last - drop).max(0).min(floor)));
        }
        let m = legs(&points);
        let r = assess(&m, Signals::default(), &ResponsePolicy::default(), &[]);
        prop_assert_ne!(r.status, ResponseStatus::Deteriorating);
        prop_assert_ne!(r.status, ResponseStatus::NonResponder);
    }
}

// ---- Notes ----

fn note() -> NoteInput {
    NoteInput {
        subjective: "Leg pain eased after the last visit.".into(),
        objective: "Straight-leg raise to 60 degrees on the right.".into(),
        assessment: "Improving.".into(),
        plan: "Continue weekly.".into(),
        areas_treated: vec!["lower back".into(), "right gluteals".into()],
        techniques: vec![Technique::Swedish, Technique::MyofascialRelease],
        pressure: Some(Pressure::Moderate),
        response: "Relaxed, less pain on standing.".into(),
        self_care: "Piriformis stretch daily.".into(),
        referrals: String::new(),
        started_at: "2026-03-02T15:00:00Z".into(),
        duration_minutes: 60,
        booking_id: None,
    }
}

fn now() -> Timestamp {
    "2026-03-02T17:00:00Z".parse().unwrap()
}

#[test]
fn a_note_validates_and_names_each_bad_field() {
    let content = note().validate(now()).unwrap();
    assert_eq!(content.duration_minutes, 60);
    let bad = NoteInput {
        subjective: "x".repeat(10_001),
        started_at: "yesterday".into(),
        duration_minutes: 0,
        areas_treated: vec!["a".into(); 21],
        ..note()
    };
    let e = bad.validate(now()).unwrap_err();
    assert_eq!(fields(&e), ["subjective", "areas_treated", "started_at", "duration_minutes"]);
    let ahead = NoteInput { started_at: "2026-03-03T17:00:01Z".into(), duration_minutes: 481, ..note() };
    assert_eq!(fields(&ahead.validate(now()).unwrap_err()), ["started_at", "duration_minutes"]);
    let nine = NoteInput { techniques: Technique::ALL.into_iter().chain([Technique::Swedish]).collect(), ..note() };
    assert_eq!(fields(&nine.validate(now()).unwrap_err()), ["techniques"]);
}

#[test]
fn the_note_digest_changes_when_any_field_changes() {
    let base = note().validate(now()).unwrap();
    let digest = base.digest();
    assert_eq!(digest.len(), 64);
    assert_eq!(digest, note().validate(now()).unwrap().digest(), "the same content digests the same");
    let mut changed = Vec::new();
    let variants: Vec<fn(&mut knead_core::records::note::NoteContent)> = vec![
        |c| c.booking_id = Some(knead_core::booking::BookingId(7)),
        |c| c.subjective.push('.'),
        |c| c.objective.push('.'),
        |c| c.assessment.push('.'),
        |c| c.plan.push('.'),
        |c| c.areas_treated.push("neck".into()),
        |c| c.techniques.push(Technique::Kneading),
        |c| c.pressure = Some(Pressure::Light),
        |c| c.response.push('.'),
        |c| c.self_care.push('.'),
        |c| c.referrals.push('.'),
        |c| c.started_at += jiff::SignedDuration::from_secs(1),
        |c| c.duration_minutes += 1,
    ];
    for change in &variants {
        let mut content = base.clone();
        change(&mut content);
        assert_ne!(content.digest(), digest);
        changed.push(content.digest());
    }
    changed.sort();
    changed.dedup();
    assert_eq!(changed.len(), variants.len());
}

// ---- Plans ----

fn consent() -> Consent {
    Consent { nature: true, benefits: true, risks: true, alternatives: true, no_treatment: true, right_to_stop: true }
}

fn plan() -> PlanInput {
    PlanInput {
        goals: vec![knead_core::records::Goal {
            description: "Leg pain below 3/10".into(),
            instrument: Some("nprs_leg".into()),
            target: Some(3.0),
        }],
        techniques: vec![
            PlannedTechnique { technique: Technique::Swedish, aim: Aim::Circulation, region: None },
            PlannedTechnique {
                technique: Technique::DeepTissue,
                aim: Aim::MuscleTension,
                region: Some("right gluteals".into()),
            },
        ],
        pressure: Some(Pressure::Firm),
        visits_per_week: Some(1),
        every_weeks: None,
        review_on: "2026-04-01".into(),
        consent: consent(),
    }
}

fn today() -> Date {
    date(2026, 3, 2)
}

fn precaution(category: Category, region: Option<&str>) -> Precaution {
    Precaution { category, region: region.map(Into::into), reason: "from the intake".into(), source: "test".into() }
}

#[test]
fn a_plan_validates_with_no_precautions() {
    let draft = plan().validate(today(), &[]).unwrap();
    assert_eq!(draft.pressure, Pressure::Firm);
    assert_eq!(draft.techniques.len(), 2);
}

#[test]
fn modify_pressure_refuses_deep_work_and_pressure_above_moderate() {
    let light = [precaution(Category::ModifyPressure, None)];
    let e = plan().validate(today(), &light).unwrap_err();
    assert_eq!(fields(&e), ["techniques[1].technique", "pressure"]);
    let moderate = PlanInput {
        pressure: Some(Pressure::Moderate),
        techniques: vec![PlannedTechnique { technique: Technique::Swedish, aim: Aim::Stress, region: None }],
        ..plan()
    };
    assert!(moderate.validate(today(), &light).is_ok());
    // A pressure limit on another region leaves this technique alone (the plan's pressure is still bound).
    let neck_only = [precaution(Category::ModifyPressure, Some("neck"))];
    let e = plan().validate(today(), &neck_only).unwrap_err();
    assert_eq!(fields(&e), ["pressure"]);
}

#[test]
fn local_avoid_refuses_a_technique_on_its_region() {
    let avoid = [precaution(Category::LocalAvoid, Some("Gluteals"))];
    let e = plan().validate(today(), &avoid).unwrap_err();
    assert_eq!(fields(&e), ["techniques[1].region"]);
    let elsewhere = [precaution(Category::LocalAvoid, Some("left calf"))];
    assert!(plan().validate(today(), &elsewhere).is_ok());
}

#[test]
fn missing_consent_elements_and_other_faults_are_each_named() {
    let bad = PlanInput {
        goals: vec![],
        techniques: vec![],
        pressure: None,
        visits_per_week: Some(1),
        every_weeks: Some(2),
        review_on: "2026-03-02".into(),
        consent: Consent { nature: true, benefits: true, ..Default::default() },
    };
    let e = bad.validate(today(), &[]).unwrap_err();
    assert_eq!(
        fields(&e),
        [
            "goals",
            "techniques",
            "pressure",
            "visits_per_week",
            "review_on",
            "consent.risks",
            "consent.alternatives",
            "consent.no_treatment",
            "consent.right_to_stop"
        ]
    );
}

// ---- Exercises and programs ----

use knead_core::records::exercises::{adherence, excluded_because, exercise, library, LoggedPain};
use knead_core::records::{ExerciseLog, ExerciseLogInput, HomeProgram, Prescription, ProgramId, ProgramInput};

fn prescription(key: &str) -> Prescription {
    let x = exercise(key).expect("a library exercise");
    Prescription {
        exercise: key.into(),
        sets: x.sets,
        reps: x.reps,
        hold_seconds: x.hold_seconds,
        per_day: x.per_day,
        days_per_week: x.days_per_week,
        note: String::new(),
    }
}

#[test]
fn the_library_holds_the_reference_exercises_with_valid_default_doses() {
    let keys: Vec<&str> = library().iter().map(|x| x.key).collect();
    for key in
        ["knee_to_chest", "piriformis_stretch", "nerve_glide", "prone_extension", "bird_dog", "glute_bridge", "walking"]
    {
        assert!(keys.contains(&key), "{key}");
    }
    for x in library() {
        assert!(x.key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "snake_case: {}", x.key);
        assert!((2..=5).contains(&x.steps.len()), "{}: 2 to 5 steps", x.key);
        assert!(!x.stop_rules.is_empty(), "{}: a stop rule", x.key);
        let program = ProgramInput { exercises: vec![prescription(x.key)] };
        assert!(program.validate(&[], &[]).is_ok(), "{}: its default dose is valid", x.key);
    }
    let glide = exercise("nerve_glide").unwrap();
    assert_eq!((glide.reps, glide.per_day, glide.days_per_week), (10, 1, 7));
    assert_eq!(exercise("piriformis_stretch").unwrap().hold_seconds, 30);
}

#[test]
fn the_nerve_glide_is_refused_with_progressive_weakness_or_any_cauda_equina_sign() {
    let program = ProgramInput { exercises: vec![prescription("piriformis_stretch"), prescription("nerve_glide")] };
    for field in ["progressive_weakness", "saddle_numbness", "bladder_change", "bowel_change", "sexual_change"] {
        let e = program.validate(&[], &[field]).unwrap_err();
        assert_eq!(fields(&e), ["exercises[1].exercise"], "{field}");
        assert!(e.0[0].detail.starts_with("not with"), "{}", e.0[0].detail);
    }
    let e = program.validate(&[], &["progressive_weakness"]).unwrap_err();
    assert_eq!(e.0[0].detail, "not with progressive weakness");
    assert!(program.validate(&[], &["history_of_cancer"]).is_ok(), "other answers leave it allowed");
}

#[test]
fn a_block_precaution_excludes_every_exercise() {
    let block = [precaution(Category::Block, None)];
    for x in library() {
        assert!(!excluded_because(x, &block, &[]).is_empty(), "{}", x.key);
        assert!(excluded_because(x, &[precaution(Category::ModifyPressure, None)], &[]).is_empty(), "{}", x.key);
    }
}

#[test]
fn a_program_names_unknown_duplicate_and_out_of_range_entries() {
    let mut too_much = prescription("glute_bridge");
    too_much.sets = 11;
    too_much.days_per_week = 0;
    let mut nothing = prescription("bird_dog");
    nothing.reps = 0;
    nothing.hold_seconds = 0;
    let program = ProgramInput {
        exercises: vec![
            prescription("knee_to_chest"),
            Prescription { exercise: "handstand".into(), ..prescription("knee_to_chest") },
            prescription("knee_to_chest"),
            too_much,
            nothing,
        ],
    };
    let e = program.validate(&[], &[]).unwrap_err();
    assert_eq!(
        fields(&e),
        [
            "exercises[1].exercise",
            "exercises[2].exercise",
            "exercises[3].sets",
            "exercises[3].days_per_week",
            "exercises[4].reps"
        ]
    );
    assert!(e.0[0].detail.contains("nerve_glide"), "lists the library's keys");
    assert_eq!(fields(&ProgramInput::default().validate(&[], &[]).unwrap_err()), ["exercises"]);
}

fn program() -> HomeProgram {
    HomeProgram {
        id: ProgramId(3),
        episode_id: EpisodeId(1),
        exercises: vec![prescription("knee_to_chest"), prescription("walking")],
        prescribed_by: UserId(1),
        created_at: at(0),
    }
}

#[test]
fn a_log_is_within_14_days_and_only_the_programs_exercises() {
    let log = ExerciseLogInput {
        on: "2026-03-01".into(),
        done: vec!["walking".into(), "walking".into()],
        pain: 4,
        note: String::new(),
    };
    let (on, done, pain, _) = log.validate(&program(), today()).unwrap();
    assert_eq!((on, done, pain), (date(2026, 3, 1), vec!["walking".to_string()], 4));
    assert!(ExerciseLogInput { on: "2026-02-16".into(), ..log.clone() }.validate(&program(), today()).is_ok());
    let old = ExerciseLogInput { on: "2026-02-15".into(), ..log.clone() };
    assert_eq!(fields(&old.validate(&program(), today()).unwrap_err()), ["on"]);
    let ahead = ExerciseLogInput { on: "2026-03-03".into(), ..log.clone() };
    assert_eq!(fields(&ahead.validate(&program(), today()).unwrap_err()), ["on"]);
    let bad = ExerciseLogInput { done: vec!["walking".into(), "bird_dog".into()], pain: 11, ..log };
    assert_eq!(fields(&bad.validate(&program(), today()).unwrap_err()), ["done[1]", "pain"]);
}

#[test]
fn adherence_counts_exercise_days_done_against_those_due() {
    let log = |day: u32, done: &[&str], pain: i64| ExerciseLog {
        program_id: ProgramId(3),
        on: date(2026, 3, day as i8),
        done: done.iter().map(|d| d.to_string()).collect(),
        pain,
        note: String::new(),
        created_at: at(0),
    };
    let logs = vec![
        log(1, &["knee_to_chest", "walking"], 5),
        log(3, &["walking"], 4),
        log(2, &["knee_to_chest"], 6),
        ExerciseLog { program_id: ProgramId(99), ..log(4, &["walking"], 1) },
        log(20, &["walking"], 1),
    ];
    // 7 days, 2 daily exercises: 14 due, 4 done.
    let a = adherence(&program(), &logs, date(2026, 3, 1), date(2026, 3, 7));
    assert_eq!((a.days_logged, a.percent), (3, 29));
    assert_eq!(
        a.pain,
        [
            LoggedPain { on: date(2026, 3, 1), pain: 5 },
            LoggedPain { on: date(2026, 3, 2), pain: 6 },
            LoggedPain { on: date(2026, 3, 3), pain: 4 }
        ]
    );
    let full = adherence(&program(), &logs[..1], date(2026, 3, 1), date(2026, 3, 1));
    assert_eq!(full.percent, 100);
    assert_eq!(adherence(&program(), &[], date(2026, 3, 1), date(2026, 3, 7)).percent, 0);
}

// ---- Referrals ----

use knead_core::intake::screening::{all_clear, Assessment, Level, Reason};
use knead_core::intake::{ClientId, OtherCare, ScreeningRecord};
use knead_core::records::referral::{draft, edit, fhir_bundle, suggested_urgency, ReferralFacts};
use knead_core::records::{
    Episode, EpisodeStatus, Recipient, Referral, ReferralId, ReferralInput, ReferralStatus, Side, Urgency,
};

fn episode() -> Episode {
    Episode {
        id: EpisodeId(1),
        client_id: ClientId(42),
        condition: "Sciatica".into(),
        side: Some(Side::Right),
        started_on: date(2026, 1, 5),
        status: EpisodeStatus::Active,
        other_care: OtherCare { physician: true, details: "family doctor, naproxen".into(), ..Default::default() },
        therapist_id: None,
        created_by: UserId(1),
        created_at: at(0),
    }
}

fn screening(level: Level) -> ScreeningRecord {
    let reasons = match level {
        Level::Clear => vec![],
        _ => vec![Reason {
            field: "progressive_weakness".into(),
            level,
            message: "weakness that is getting worse".into(),
        }],
    };
    ScreeningRecord {
        id: knead_core::intake::ScreeningId("s1".into()),
        answers: all_clear().validate().unwrap(),
        assessment: Assessment { level, reasons },
        client: Some(ClientId(42)),
        booking: None,
        created_at: at(1),
    }
}

fn six_flat_visits() -> Vec<Measure> {
    let mut m = weekly(&[7, 7, 7, 7, 7, 7]);
    m.push(measure(60, "psfs", 0, psfs(&[3, 4, 5]), &[]));
    m.push(measure(61, "psfs", 35, psfs(&[3, 4, 6]), &[]));
    m.push(measure(
        62,
        "startback",
        0,
        json!({"items": [true, true, false, false, true, false, false, false], "bothersome": "moderately"}),
        &[],
    ));
    m.push(measure(63, "nprs_back", 0, json!({"value": 4}), &[]));
    m
}

fn referral_of(content: knead_core::records::referral::ReferralContent, status: ReferralStatus) -> Referral {
    let signed = status == ReferralStatus::Signed;
    Referral {
        id: ReferralId(9),
        episode_id: EpisodeId(1),
        recipient: content.recipient,
        recipient_name: content.recipient_name,
        urgency: content.urgency,
        reason: content.reason,
        body: content.body,
        status,
        created_by: UserId(1),
        created_at: at(36),
        signed_by: signed.then_some(UserId(1)),
        signed_at: signed.then(|| at(36)),
        signed_name: signed.then(|| "Sam Rivera, RMT".to_string()),
    }
}

#[test]
fn the_urgency_follows_the_response() {
    let measures = six_flat_visits();
    let non_responder = assess(&measures, Signals::default(), &ResponsePolicy::default(), &[]);
    assert_eq!(non_responder.status, ResponseStatus::NonResponder);
    assert_eq!(suggested_urgency(&non_responder), Urgency::Routine);
    let worse = assess(&weekly(&[4, 7]), Signals::default(), &ResponsePolicy::default(), &[]);
    assert_eq!(suggested_urgency(&worse), Urgency::Urgent);
}

#[test]
fn a_draft_holds_the_reason_red_flags_scores_treatment_and_other_care() {
    let measures = six_flat_visits();
    let response = assess(&measures, Signals::default(), &ResponsePolicy::default(), &[]);
    let screenings = [screening(Level::Clear)];
    let treatment =
        [("2026-01-05".to_string(), "Swedish massage, Myofascial release".to_string(), "relaxed".to_string())];
    let facts = ReferralFacts {
        episode: &episode(),
        client_name: "Alex Example",
        response: &response,
        measures: &measures,
        loaded: &[],
        screenings: &screenings,
        treatment: &treatment,
        therapist_name: "Sam Rivera, RMT",
    };
    let content = draft(&facts, &ReferralInput::default()).unwrap();
    assert_eq!((content.recipient, content.urgency), (Recipient::Physician, Urgency::Routine));
    assert_eq!(content.reason, response.recommendation);
    for expected in [
        "Alex Example",
        "Sciatica (right)",
        "not responding by the review point",
        "2026-01-05",
        "Red-flag screening",
        "2026-01-06: clear",
        "Leg pain (NPRS 0-10): 7 on 2026-01-05; 7 on 2026-02-09 (6 recorded)",
        "PSFS",
        "Keele STarT Back: total 3, distress 1, low risk on 2026-01-05 (recorded once)",
        "Swedish massage, Myofascial release",
        "a physician (family doctor, naproxen)",
        "Sam Rivera, RMT",
    ] {
        assert!(content.body.contains(expected), "{expected} in:\n{}", content.body);
    }
    // An urgent screening raises a routine suggestion to urgent; the therapist's choice stands.
    let urgent = [screening(Level::Urgent)];
    let facts = ReferralFacts { screenings: &urgent, ..facts };
    assert_eq!(draft(&facts, &ReferralInput::default()).unwrap().urgency, Urgency::Urgent);
    let chosen = ReferralInput {
        urgency: Some(Urgency::Routine),
        recipient: Some(Recipient::Physiotherapist),
        ..Default::default()
    };
    let content = draft(&facts, &chosen).unwrap();
    assert_eq!((content.urgency, content.recipient), (Urgency::Routine, Recipient::Physiotherapist));
    let blank = ReferralInput { reason: Some(" ".into()), ..Default::default() };
    assert_eq!(fields(&draft(&facts, &blank).unwrap_err()), ["reason"]);
    // A note that left its response blank gives a line without an empty "Response:".
    let treatment = [("2026-01-12".to_string(), "Swedish massage".to_string(), " ".to_string())];
    let facts = ReferralFacts { treatment: &treatment, ..facts };
    let body = draft(&facts, &ReferralInput::default()).unwrap().body;
    assert!(body.contains("- 2026-01-12: Swedish massage.\n") && !body.contains("Response:"), "{body}");
}

#[test]
fn an_edit_keeps_what_it_leaves_out_and_a_signed_letter_is_refused() {
    let content = knead_core::records::referral::ReferralContent {
        recipient: Recipient::Physician,
        recipient_name: "Dr. Lee".into(),
        urgency: Urgency::Routine,
        reason: "Not improving.".into(),
        body: "Letter.".into(),
    };
    let draft_letter = referral_of(content.clone(), ReferralStatus::Draft);
    let edited =
        edit(&draft_letter, &ReferralInput { body: Some("Edited letter.".into()), ..Default::default() }).unwrap();
    assert_eq!(
        (edited.body.as_str(), edited.reason.as_str(), edited.recipient_name.as_str()),
        ("Edited letter.", "Not improving.", "Dr. Lee")
    );
    let too_long = ReferralInput { reason: Some("x".repeat(501)), body: Some(String::new()), ..Default::default() };
    assert_eq!(fields(&edit(&draft_letter, &too_long).unwrap_err()), ["reason", "body"]);
    let signed = referral_of(content, ReferralStatus::Signed);
    assert_eq!(fields(&edit(&signed, &ReferralInput::default()).unwrap_err()), ["status"]);
}

#[test]
fn the_fhir_bundle_holds_a_service_request_and_one_observation_per_measure() {
    let measures = six_flat_visits();
    let content = knead_core::records::referral::ReferralContent {
        recipient: Recipient::Physician,
        recipient_name: String::new(),
        urgency: Urgency::Urgent,
        reason: "Leg pain is worse.".into(),
        body: "Letter body.".into(),
    };
    let signed = referral_of(content.clone(), ReferralStatus::Signed);
    let bundle = fhir_bundle(&signed, &episode(), "Alex Example", &measures, &[]);
    assert_eq!(bundle["resourceType"], "Bundle");
    assert_eq!(bundle["type"], "collection");
    let entries = bundle["entry"].as_array().unwrap();
    assert_eq!(entries.len(), 2 + measures.len());
    for e in entries {
        let url = e["fullUrl"].as_str().unwrap();
        let id = url.strip_prefix("urn:uuid:").unwrap();
        assert_eq!(id.len(), 36);
        assert_eq!(e["resource"]["id"], id);
    }
    let request = &entries[0]["resource"];
    assert_eq!(request["resourceType"], "ServiceRequest");
    assert_eq!(
        (request["status"].as_str(), request["intent"].as_str(), request["priority"].as_str()),
        (Some("active"), Some("order"), Some("urgent"))
    );
    assert_eq!(request["reasonCode"][0]["coding"][0]["code"], "23056005");
    assert_eq!(request["subject"]["display"], "Alex Example");
    assert!(request["authoredOn"].is_string());
    assert_eq!(request["supportingInfo"].as_array().unwrap().len(), measures.len());
    assert_eq!(request["note"][1]["text"], "Letter body.");
    assert!(request.get("performer").is_none(), "no empty recipient name");
    let observations: Vec<&serde_json::Value> =
        entries.iter().map(|e| &e["resource"]).filter(|r| r["resourceType"] == "Observation").collect();
    assert_eq!(observations.len(), measures.len());
    for o in &observations {
        assert_eq!(o["status"], "final");
        assert_eq!(o["category"][0]["coding"][0]["code"], "survey");
        assert!(o["effectiveDateTime"].is_string());
    }
    let nprs = observations.iter().find(|o| o["code"]["coding"][0]["code"] == "72514-3").unwrap();
    assert_eq!(nprs["valueInteger"], 7);
    assert!(nprs["code"]["text"].as_str().unwrap().contains("Leg"));
    let startback = observations.iter().find(|o| o["code"]["coding"][0]["code"] == "91351-7").unwrap();
    assert_eq!(startback["valueInteger"], 3);
    assert_eq!(startback["component"][0]["code"]["coding"][0]["code"], "91350-9");
    assert_eq!(startback["component"][1]["valueCodeableConcept"]["coding"][0]["code"], "LA9194-7");
    // A draft is a draft, unsigned; the same referral exports the same document.
    let draft_letter = referral_of(content, ReferralStatus::Draft);
    let draft_bundle = fhir_bundle(&draft_letter, &episode(), "Alex Example", &measures, &[]);
    assert_eq!(draft_bundle["entry"][0]["resource"]["status"], "draft");
    assert!(draft_bundle["entry"][0]["resource"].get("authoredOn").is_none());
    assert_eq!(draft_bundle, fhir_bundle(&draft_letter, &episode(), "Alex Example", &measures, &[]));
    // A loaded instrument is named as the clinic named it, not by its key.
    let odi_answers = json!({ "items": [2, 3, 1, 0, 2, 3, 1, 2, 0, 1] });
    let loaded = [measure(20, "odi", 3, odi_answers, &[odi()])];
    let bundle = fhir_bundle(&draft_letter, &episode(), "Alex Example", &loaded, &[odi()]);
    let entries = bundle["entry"].as_array().unwrap();
    let odi_obs = &entries.iter().find(|e| e["resource"]["resourceType"] == "Observation").unwrap()["resource"];
    assert_eq!(odi_obs["code"]["text"], "Placeholder disability index", "{bundle:#}");
    assert_eq!(odi_obs["code"]["coding"][0]["code"], "97909-6");
    let not_sciatica = Episode { condition: "Neck strain".into(), ..episode() };
    assert!(fhir_bundle(&draft_letter, &not_sciatica, "A", &[], &[])["entry"][0]["resource"]["reasonCode"][0]
        .get("coding")
        .is_none());
}

#[test]
fn docs_clinical_lists_every_exercise_and_every_policy_setting() {
    let doc = include_str!("../../../docs/CLINICAL.md");
    for x in library() {
        assert!(doc.contains(&format!("| `{}` |", x.key)), "docs/CLINICAL.md lacks the exercise {}", x.key);
    }
    let policy = serde_json::to_value(ResponsePolicy::default()).unwrap();
    for (setting, _) in policy.as_object().unwrap() {
        assert!(doc.contains(&format!("`{setting}`")), "docs/CLINICAL.md lacks the setting {setting}");
    }
}

#[test]
fn new_nerve_symptoms_are_deterioration_even_before_a_leg_score() {
    let signals = Signals { new_neuro_symptoms: true, high_startback: false };
    let r = assess(&[], signals, &ResponsePolicy::default(), &[]);
    assert_eq!((r.status, r.since, r.rescreen), (ResponseStatus::Deteriorating, None, true));
}
