//! The health history's validation, the precautions it gives by category, the booking gate, the client
//! record's rules, and the audit chain.

use jiff::civil::date;
use jiff::Timestamp;
use knead_core::intake::audit::{verify, Broken, GENESIS};
use knead_core::intake::health::INTAKE_QUESTIONS;
use knead_core::intake::screening::all_clear;
use knead_core::intake::{
    assess, gate, precautions, Action, AuditEntry, AuditEvent, Category, ClientId, ClientInput, Gate, IntakeInput,
    ScreeningThresholds, SensitiveArea, VisitReason,
};
use knead_core::UserId;

/// Every question answered "no", consent given.
fn healthy() -> IntakeInput {
    knead_core::intake::health::all_clear()
}

fn categories(input: &IntakeInput, reason: Option<VisitReason>) -> Vec<(Category, String)> {
    let h = input.validate().expect("valid");
    precautions(Some(&h), reason, None).into_iter().map(|p| (p.category, p.source)).collect()
}

#[test]
fn a_healthy_history_gives_no_precautions_and_books() {
    let h = healthy().validate().unwrap();
    assert!(precautions(Some(&h), Some(VisitReason::Relaxation), None).is_empty());
    assert_eq!(gate(&[]), Gate::Proceed);
}

#[test]
fn unanswered_questions_and_missing_consent_are_each_named() {
    let e = IntakeInput::default().validate().unwrap_err();
    let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_str()).collect();
    for (q, _) in INTAKE_QUESTIONS.iter().filter(|(q, _)| *q != "high_risk_pregnancy") {
        assert!(fields.contains(q), "{q} is required");
    }
    assert!(!fields.contains(&"high_risk_pregnancy"), "asked only of someone pregnant");
    for element in ["nature", "benefits", "risks", "alternatives", "no_treatment", "right_to_stop"] {
        assert!(fields.contains(&format!("consent.{element}").as_str()), "consent.{element}");
    }
    let pregnant = IntakeInput { pregnant: Some(true), ..healthy() }.validate().unwrap_err();
    let fields: Vec<&str> = pregnant.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["high_risk_pregnancy", "pregnancy_weeks"]);
    let surgery = IntakeInput { recent_surgery: Some(true), ..healthy() }.validate().unwrap_err();
    let fields: Vec<&str> = surgery.0.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["spinal_surgery", "surgery_details"]);
}

#[test]
fn a_suspected_clot_or_a_fever_blocks() {
    for field in ["suspected_clot", "fever_or_contagious"] {
        let input = match field {
            "suspected_clot" => IntakeInput { suspected_clot: Some(true), ..healthy() },
            _ => IntakeInput { fever_or_contagious: Some(true), ..healthy() },
        };
        let h = input.validate().unwrap();
        let found = precautions(Some(&h), None, None);
        assert_eq!(found[0].category, Category::Block, "{field}");
        assert!(matches!(gate(&found), Gate::Refuse(p) if p.len() == 1 && p[0].source == field));
    }
}

#[test]
fn spinal_surgery_heart_swelling_and_a_high_risk_pregnancy_need_clearance() {
    let spinal = IntakeInput {
        recent_surgery: Some(true),
        spinal_surgery: Some(true),
        surgery_details: "L4-L5 discectomy in September".into(),
        ..healthy()
    };
    let high_risk =
        IntakeInput { pregnant: Some(true), pregnancy_weeks: Some(20), high_risk_pregnancy: Some(true), ..healthy() };
    let swelling = IntakeInput { heart_or_kidney_swelling: Some(true), ..healthy() };
    for input in [spinal, high_risk, swelling] {
        let h = input.validate().unwrap();
        let found = precautions(Some(&h), None, None);
        assert!(matches!(gate(&found), Gate::AwaitClearance(_)), "{found:?}");
    }
}

#[test]
fn local_and_pressure_precautions_travel_with_the_visit_without_stopping_it() {
    let input = IntakeInput {
        anticoagulants: Some(true),
        varicose_veins: Some(true),
        implants: "right hip replacement".into(),
        areas_to_avoid: "feet".into(),
        reduced_sensation: Some(true),
        reduced_sensation_where: "left foot".into(),
        ..healthy()
    };
    let found = categories(&input, Some(VisitReason::Sciatica));
    assert!(found.contains(&(Category::ModifyPressure, "anticoagulants".into())));
    assert!(found.contains(&(Category::ModifyPressure, "reduced_sensation".into())));
    assert!(found.contains(&(Category::LocalAvoid, "varicose_veins".into())));
    assert!(found.contains(&(Category::LocalAvoid, "implants".into())));
    assert!(found.contains(&(Category::LocalAvoid, "areas_to_avoid".into())));
    assert!(found.contains(&(Category::LocalAvoid, "reason".into())), "sciatica: the nerve's path");
    let h = input.validate().unwrap();
    let all = precautions(Some(&h), Some(VisitReason::Sciatica), None);
    assert_eq!(gate(&all), Gate::Proceed);
    assert!(all.windows(2).all(|w| w[0].category >= w[1].category), "strictest first");
    let implant = all.iter().find(|p| p.source == "implants").unwrap();
    assert_eq!(implant.region.as_deref(), Some("right hip replacement"));
}

#[test]
fn pregnancy_is_local_in_the_first_trimester_and_positioning_later() {
    let at = |weeks| {
        categories(
            &IntakeInput {
                pregnant: Some(true),
                pregnancy_weeks: Some(weeks),
                high_risk_pregnancy: Some(false),
                ..healthy()
            },
            None,
        )
    };
    assert_eq!(at(10), [(Category::LocalAvoid, "pregnancy_weeks".to_string())]);
    assert_eq!(at(14), [(Category::ModifyPressure, "pregnancy_weeks".to_string())]);
}

#[test]
fn an_urgent_screening_holds_and_an_emergency_one_refuses() {
    let urgent = {
        let mut s = all_clear();
        s.history_of_cancer = Some(true);
        assess(&s.validate().unwrap(), &ScreeningThresholds::default())
    };
    let found = precautions(None, Some(VisitReason::BackPain), Some(&urgent));
    assert!(matches!(gate(&found), Gate::AwaitClearance(p) if p[0].source == "history_of_cancer"));
    let emergency = {
        let mut s = all_clear();
        s.saddle_numbness = Some(true);
        assess(&s.validate().unwrap(), &ScreeningThresholds::default())
    };
    assert!(matches!(gate(&precautions(None, None, Some(&emergency))), Gate::Refuse(_)));
    let routine = {
        let mut s = all_clear();
        s.inflammatory_pattern = Some(true);
        assess(&s.validate().unwrap(), &ScreeningThresholds::default())
    };
    assert_eq!(gate(&precautions(None, None, Some(&routine))), Gate::Proceed);
}

#[test]
fn sensitive_areas_are_kept_sorted_once() {
    let input = IntakeInput {
        sensitive_areas: vec![SensitiveArea::Buttocks, SensitiveArea::ChestWall, SensitiveArea::Buttocks],
        ..healthy()
    };
    let h = input.validate().unwrap();
    assert_eq!(h.answers().sensitive_areas, [SensitiveArea::ChestWall, SensitiveArea::Buttocks]);
}

#[test]
fn a_client_record_checks_its_fields_by_name() {
    let today = date(2026, 12, 1);
    let bad = ClientInput {
        name: " ".into(),
        email: "not an email".into(),
        phone: "call me".into(),
        date_of_birth: Some("2030-01-01".into()),
        addresses: Vec::new(),
    };
    let fields: Vec<String> = bad.validate(today).unwrap_err().0.into_iter().map(|e| e.field).collect();
    assert_eq!(fields, ["name", "email", "phone", "date_of_birth"]);
    let good = ClientInput {
        name: "Mira Example".into(),
        email: "Mira@Example.com".into(),
        phone: String::new(),
        date_of_birth: Some("1960-12-02".into()),
        addresses: Vec::new(),
    };
    let draft = good.validate(today).unwrap();
    assert_eq!(draft.date_of_birth, Some(date(1960, 12, 2)));
}

fn chain(n: i64) -> Vec<AuditEntry> {
    let mut prev = GENESIS.to_string();
    (1..=n)
        .map(|id| {
            let event = AuditEvent {
                at: Timestamp::from_second(1_780_000_000 + id).unwrap(),
                actor: Some(UserId(1)),
                client: Some(ClientId(id % 3)),
                action: Action::Read,
                record: "intake",
                record_id: id.to_string(),
            };
            let hash = event.hash_after(&prev);
            let entry = AuditEntry {
                id,
                at: event.at,
                actor: event.actor,
                client: event.client,
                action: event.action,
                record: event.record.to_string(),
                record_id: event.record_id.clone(),
                prev_hash: prev.clone(),
                hash: hash.clone(),
            };
            prev = hash;
            entry
        })
        .collect()
}

#[test]
fn the_audit_chain_shows_an_edited_or_removed_entry() {
    let entries = chain(5);
    assert_eq!(verify(GENESIS, &entries), Ok(entries[4].hash.clone()));
    let mut edited = entries.clone();
    edited[2].client = Some(ClientId(99));
    assert!(matches!(verify(GENESIS, &edited), Err(Broken { id: 3, .. })));
    let mut removed = entries.clone();
    removed.remove(1);
    assert!(matches!(verify(GENESIS, &removed), Err(Broken { id: 3, .. })));
    let mut rehashed = entries;
    rehashed[1].record_id = "7".into();
    rehashed[1].hash = "f".repeat(64);
    assert!(matches!(verify(GENESIS, &rehashed), Err(Broken { id: 2, .. })), "a forged hash breaks the link");
}
