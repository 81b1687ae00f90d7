//! What the care-records stories write: a chart (staff, a therapist, a client) and records on it.

use super::super::clients::{draft, event};
use super::super::t0;
use crate::{MeasureDraft, Store};
use jiff::civil::{date, Date};
use jiff::Timestamp;
use knead_core::intake::{Action, AuditEvent, ClientId, Consent, OtherCare};
use knead_core::records::exercises::ExerciseLog;
use knead_core::records::instruments::{AnswerOption, ImportantChange, InstrumentItem, ScoringRule};
use knead_core::records::note::NoteContent;
use knead_core::records::plan::{Goal, PlanDraft, PlannedTechnique};
use knead_core::records::referral::ReferralContent;
use knead_core::records::{
    Aim, Episode, EpisodeDraft, EpisodeId, InstrumentDefinition, Prescription, Pressure, ProgramId, Recipient, Score,
    Side, Technique, Urgency,
};
use knead_core::{NewUser, TherapistId, TherapistInput, UserId};

/// Staff who write records, a therapist, and a client.
#[derive(Debug, Clone, Copy)]
pub struct Chart {
    pub staff: UserId,
    pub other_staff: UserId,
    pub therapist: TherapistId,
    pub client: ClientId,
}

pub async fn chart(store: &dyn Store) -> Chart {
    let staff = NewUser::parse("mara@example.com", "Mara Fictional", "therapist").unwrap();
    let staff = store.create_user(&staff, "h", t0()).await.unwrap().id;
    let other = NewUser::parse("kai@example.com", "Kai Fictional", "therapist").unwrap();
    let other_staff = store.create_user(&other, "h", t0()).await.unwrap().id;
    let therapist = TherapistInput { name: "Mara Fictional".into(), ..Default::default() }.validate().unwrap();
    let therapist = store.create_therapist(&therapist, t0()).await.unwrap().id;
    let client = store.create_client(&draft("Ana Fictional", "ana@example.com"), None, t0()).await.unwrap().id;
    Chart { staff, other_staff, therapist, client }
}

pub fn episode_draft(c: &Chart, condition: &str, started_on: Date) -> EpisodeDraft {
    EpisodeDraft {
        client: c.client,
        condition: condition.into(),
        side: Some(Side::Right),
        started_on,
        other_care: OtherCare { physician: true, details: "Family doctor, yearly check".into(), ..Default::default() },
        therapist: Some(c.therapist),
        created_by: c.staff,
    }
}

/// A create's event: its `record_id` is left for the store to fill in with the new row's.
pub fn created(c: &Chart, record: &'static str) -> AuditEvent {
    AuditEvent { actor: Some(c.staff), ..event(Some(c.client), Action::Create, record, "") }
}

pub fn changed(c: &Chart, record: &'static str, id: impl ToString) -> AuditEvent {
    AuditEvent { actor: Some(c.staff), ..event(Some(c.client), Action::Change, record, &id.to_string()) }
}

pub async fn episode(store: &dyn Store, c: &Chart) -> Episode {
    store.create_episode(&episode_draft(c, "Sciatica", date(2026, 3, 1)), t0(), &created(c, "episode")).await.unwrap()
}

pub fn note_content(subjective: &str) -> NoteContent {
    NoteContent {
        booking_id: None,
        subjective: subjective.into(),
        objective: "Tender right gluteal muscles; straight-leg raise eases at 60 degrees.".into(),
        assessment: "Leg pain settling a little since the last visit.".into(),
        plan: "Same plan; review in two weeks.".into(),
        areas_treated: vec!["lower back".into(), "right gluteal".into()],
        techniques: vec![Technique::Swedish, Technique::MyofascialRelease],
        pressure: Some(Pressure::Moderate),
        response: "Less tension after the visit.".into(),
        self_care: "Knee-to-chest stretch twice a day.".into(),
        referrals: String::new(),
        started_at: t0(),
        duration_minutes: 60,
    }
}

pub fn plan(target: f64) -> PlanDraft {
    PlanDraft {
        goals: vec![Goal {
            description: "Leg pain below 3 out of 10".into(),
            instrument: Some("nprs_leg".into()),
            target: Some(target),
        }],
        techniques: vec![PlannedTechnique {
            technique: Technique::Swedish,
            aim: Aim::MuscleTension,
            region: Some("lower back".into()),
        }],
        pressure: Pressure::Moderate,
        visits_per_week: Some(1),
        every_weeks: None,
        review_on: date(2026, 4, 1),
        consent: Consent {
            nature: true,
            benefits: true,
            risks: true,
            alternatives: true,
            no_treatment: true,
            right_to_stop: true,
        },
    }
}

pub fn prescription(exercise: &str, reps: i64) -> Prescription {
    Prescription {
        exercise: exercise.into(),
        sets: 1,
        reps,
        hold_seconds: 5,
        per_day: 2,
        days_per_week: 7,
        note: String::new(),
    }
}

pub fn log(program: ProgramId, on: Date, pain: i64) -> ExerciseLog {
    ExerciseLog {
        program_id: program,
        on,
        done: vec!["knee_to_chest".into()],
        pain,
        note: "Easier in the evening.".into(),
        created_at: t0(),
    }
}

pub fn nprs(episode: EpisodeId, value: f64, taken_at: Timestamp) -> MeasureDraft {
    MeasureDraft {
        episode,
        instrument: "nprs_leg".into(),
        answers: serde_json::json!({ "value": value }),
        score: Score::Value { value, answered: None },
        taken_at,
        recorded_by: None,
        notices: Vec::new(),
    }
}

pub fn referral_content(reason: &str) -> ReferralContent {
    ReferralContent {
        recipient: Recipient::Physician,
        recipient_name: "Dr. Fictional".into(),
        urgency: Urgency::Routine,
        reason: reason.into(),
        body: "Six visits without a lasting change in leg pain.".into(),
    }
}

/// A made-up instrument (no licensed instrument's items) with `items` items.
pub fn instrument(key: &str, items: usize) -> InstrumentDefinition {
    InstrumentDefinition {
        key: key.into(),
        name: "Clinic walking index".into(),
        copyright: String::new(),
        items: (0..items)
            .map(|i| InstrumentItem {
                text: format!("Walking task {}", i + 1),
                answers: vec![
                    AnswerOption { label: "No trouble".into(), score: 0 },
                    AnswerOption { label: "Some trouble".into(), score: 1 },
                ],
            })
            .collect(),
        scoring: ScoringRule::Sum,
        min_answered: None,
        lower_is_better: true,
        important_change: ImportantChange { points: Some(2.0), percent: None },
        function_measure: true,
        loinc: None,
    }
}

pub async fn audit_count(store: &dyn Store) -> usize {
    store.audit_entries(0, 100_000).await.unwrap().len()
}
