//! The demo's care records: Otto Lehtinen's sciatica (right leg) over four weekly visits, so the episode,
//! the note editor, the chart and the client's program have something real to show.
//!
//! - an active episode opened at the first visit, with a plan (goals, techniques, weekly visits, consent);
//! - four signed SOAP notes, one per visit;
//! - leg and back pain (NPRS) at every visit, a baseline PSFS (and one at the fourth visit), a baseline
//!   STarT Back;
//! - a home program prescribed at the second visit, and the days Otto logged in the last week.
//!
//! Leg pain falls from 7 to 4 over three weeks, so the policy calls the episode `responding`. Every input goes
//! through the core's validation (notes, plan, program, logs, scoring) and is written through the records
//! port, each write with its audit entry in one transaction, as the app's use cases write them; the records
//! keep the times of the visits they belong to. All text is ours and every person is invented.

use crate::LoadError;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use knead_core::calendar::{add_days, instant_of, local_date, local_minute};
use knead_core::intake::{Action, AuditEvent, Client, Consent};
use knead_core::records::exercises::{exercise, ExerciseLog, ExerciseLogInput};
use knead_core::records::instruments::{score, NPRS_BACK, NPRS_LEG, PSFS, STARTBACK};
use knead_core::records::plan::{Goal, PlannedTechnique};
use knead_core::records::{
    Aim, Episode, EpisodeDraft, HomeProgram, NoteInput, PlanInput, Prescription, ProgramInput, Side, Technique,
};
use knead_core::records::{Pressure, SoapNote};
use knead_core::{Email, UserId};
use knead_store::Store;
use knead_store::{MeasureDraft, NoteDraft};
use serde_json::json;

/// What `load_records` wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordsReport {
    pub episodes: usize,
    pub notes: usize,
    pub measures: usize,
    pub logs: usize,
    /// True when the demo client already has an episode (or is not there), and nothing was written.
    pub skipped: bool,
}

/// How many signed notes the demo's records hold (what `knead audit verify` counts on a fresh demo
/// database before anything else is signed).
pub const DEMO_SIGNED_NOTES: usize = VISITS.len();

/// The demo client whose care is recorded, and the therapist who treats them.
const CLIENT_EMAIL: &str = "otto.lehtinen@demo.knead.test";
const THERAPIST_EMAIL: &str = "mara@demo.knead.test";

/// Days before today of the four visits, 10:00 local time.
const VISIT_DAYS_AGO: [i64; 4] = [24, 17, 10, 3];
const LEG_PAIN: [i64; 4] = [7, 6, 5, 4];
const BACK_PAIN: [i64; 4] = [4, 4, 3, 3];

/// One visit's note, in our own words.
struct Visit {
    subjective: &'static str,
    objective: &'static str,
    assessment: &'static str,
    plan: &'static str,
    areas: &'static [&'static str],
    techniques: &'static [Technique],
    response: &'static str,
    self_care: &'static str,
}

const VISITS: [Visit; 4] = [
    Visit {
        subjective: "Pain from the right buttock down the back of the thigh to the calf for five weeks, worse after \
                     sitting more than 20 minutes. No numbness, no weakness, bladder and bowel normal. Sees a \
                     physiotherapist every two weeks.",
        objective: "Guarded posture standing. Tender right gluteal and piriformis area, tight right hamstrings. \
                    Screening clear today.",
        assessment: "Sciatica on the right, irritable but settling with movement. Suitable for gentle massage \
                     alongside the physiotherapy.",
        plan: "Weekly visits for six weeks; review at visit 6. Start a home program next visit.",
        areas: &["lower back", "right gluteals", "right hamstrings"],
        techniques: &[Technique::Swedish, Technique::MyofascialRelease],
        response: "Felt looser afterwards; leg pain unchanged on standing.",
        self_care: "Short walks through the day; stand up every 20 minutes when sitting.",
    },
    Visit {
        subjective: "A little easier; still stiff in the mornings. Sitting tolerance about 30 minutes.",
        objective: "Less guarding. Right gluteals still tender, hamstrings slightly longer.",
        assessment: "Improving slowly.",
        plan: "Continue weekly. Home program given today.",
        areas: &["lower back", "right gluteals", "right hamstrings"],
        techniques: &[Technique::Swedish, Technique::MyofascialRelease, Technique::Stretching],
        response: "Leg pain eased during the stretches.",
        self_care: "Home program: knee to chest, piriformis stretch, nerve glide, walking. Stop any exercise that \
                    sends pain further down the leg.",
    },
    Visit {
        subjective: "Doing the exercises most days. Sat through a 45-minute train ride.",
        objective: "Moves more freely. Tenderness now mostly at the right piriformis.",
        assessment: "Responding: leg pain down two points since the first visit.",
        plan: "Continue weekly; add trigger point work at the piriformis if tolerated.",
        areas: &["right gluteals", "right piriformis", "right hamstrings"],
        techniques: &[Technique::Swedish, Technique::TriggerPoint, Technique::Stretching],
        response: "Tolerated the trigger point work well.",
        self_care: "Keep the program; walks up to 30 minutes.",
    },
    Visit {
        subjective: "Best week so far. Pain mostly in the buttock now, rarely below the knee.",
        objective: "Full forward bend with mild pull behind the right thigh.",
        assessment: "Responding well; leg pain 4/10 from 7/10.",
        plan: "Continue weekly to the review at visit 6; then space visits out.",
        areas: &["lower back", "right gluteals", "right piriformis"],
        techniques: &[Technique::Swedish, Technique::TriggerPoint, Technique::Stretching],
        response: "Left lighter; no pain below the knee after the session.",
        self_care: "Keep the program; add the glute bridge when the piriformis stretch is easy.",
    },
];

/// Adds Otto's care records, once: nothing is written when Otto is missing or already has an episode.
pub async fn load_records(store: &dyn Store, now: Timestamp) -> Result<RecordsReport, LoadError> {
    let skipped = RecordsReport { skipped: true, ..RecordsReport::default() };
    let Some(client) = store.clients_by_email(&Email::from_trusted(CLIENT_EMAIL.into())).await?.into_iter().next()
    else {
        return Ok(skipped);
    };
    if !store.client_episodes(client.id).await?.is_empty() {
        return Ok(skipped);
    }
    let Some((therapist_user, _)) = store.credentials_by_email(&Email::from_trusted(THERAPIST_EMAIL.into())).await?
    else {
        return Ok(skipped);
    };
    let therapist = store.therapist_for_user(therapist_user.id).await?;
    let settings = store.practice_settings().await?;
    let zone = settings.zone();
    let today = local_date(zone, now);
    let visits: Vec<Timestamp> =
        VISIT_DAYS_AGO.iter().map(|days| instant_of(local_minute(zone, add_days(today, -days), 10 * 60))).collect();
    let writer = Writer { store, client: &client, by: therapist_user.id, now };
    let mut report = RecordsReport::default();

    let draft = EpisodeDraft {
        client: client.id,
        condition: "Sciatica".into(),
        side: Some(Side::Right),
        started_on: add_days(today, -VISIT_DAYS_AGO[0]),
        other_care: knead_core::intake::OtherCare {
            physiotherapy: true,
            details: "Sees a physiotherapist every two weeks for home exercises".into(),
            ..Default::default()
        },
        therapist,
        created_by: therapist_user.id,
    };
    let episode =
        store.create_episode(&draft, visits[0], &writer.event("episode", format!("client:{}", client.id.0))).await?;
    report.episodes += 1;
    writer.plan(&episode, add_days(today, -VISIT_DAYS_AGO[0]), visits[0]).await?;

    let mut program = None;
    for (n, at) in visits.iter().enumerate() {
        let mut measures =
            vec![(NPRS_LEG, json!({ "value": LEG_PAIN[n] })), (NPRS_BACK, json!({ "value": BACK_PAIN[n] }))];
        if n == 0 {
            measures.push((
                STARTBACK,
                json!({
                    "items": [true, true, false, false, true, false, false, false],
                    "bothersome": "moderately"
                }),
            ));
        }
        if n == 0 || n == 3 {
            let (sitting, walking, socks) = if n == 0 { (3, 4, 5) } else { (6, 6, 7) };
            measures.push((
                PSFS,
                json!({ "activities": [
                    { "name": "Sitting through a 60-minute meeting", "score": sitting },
                    { "name": "Walking for 30 minutes", "score": walking },
                    { "name": "Putting on socks", "score": socks }
                ]}),
            ));
        }
        for (instrument, answers) in measures {
            writer.measure(&episode, instrument, answers, *at).await?;
            report.measures += 1;
        }
        writer.note(&episode, &VISITS[n], therapist, *at).await?;
        report.notes += 1;
        if n == 1 {
            program = Some(writer.program(&episode, *at + SignedDuration::from_mins(55)).await?);
        }
    }
    if let Some(program) = program {
        report.logs += writer.logs(&program, today).await?;
    }
    Ok(report)
}

/// Writes one client's records, each with its audit entry (the demo is the actor: none).
struct Writer<'a> {
    store: &'a dyn Store,
    client: &'a Client,
    by: UserId,
    now: Timestamp,
}

impl Writer<'_> {
    fn event(&self, record: &'static str, record_id: String) -> AuditEvent {
        AuditEvent {
            at: self.now,
            actor: None,
            client: Some(self.client.id),
            action: Action::Create,
            record,
            record_id,
        }
    }

    fn in_episode(&self, episode: &Episode, record: &'static str) -> AuditEvent {
        self.event(record, format!("episode:{}", episode.id))
    }

    async fn plan(&self, episode: &Episode, on: Date, at: Timestamp) -> Result<(), LoadError> {
        let planned = |technique, aim, region: &str| PlannedTechnique { technique, aim, region: Some(region.into()) };
        let input = PlanInput {
            goals: vec![
                Goal {
                    description: "Leg pain below 3/10".into(),
                    instrument: Some(NPRS_LEG.into()),
                    target: Some(3.0),
                },
                Goal { description: "Sit through a 60-minute meeting".into(), instrument: None, target: None },
            ],
            techniques: vec![
                planned(Technique::Swedish, Aim::Circulation, "lower back"),
                planned(Technique::MyofascialRelease, Aim::MuscleTension, "right gluteals"),
                planned(Technique::Stretching, Aim::Mobility, "right hamstrings"),
            ],
            pressure: Some(Pressure::Moderate),
            visits_per_week: Some(1),
            every_weeks: None,
            review_on: add_days(on, 35).to_string(),
            consent: Consent {
                nature: true,
                benefits: true,
                risks: true,
                alternatives: true,
                no_treatment: true,
                right_to_stop: true,
            },
        };
        let draft = input.validate(on, &[]).map_err(invalid("plan"))?;
        let audit = self.event("plan", format!("{}/1", episode.id));
        self.store.add_plan(episode.id, &draft, self.by, at, &audit).await?;
        Ok(())
    }

    async fn measure(
        &self,
        episode: &Episode,
        instrument: &str,
        answers: serde_json::Value,
        at: Timestamp,
    ) -> Result<(), LoadError> {
        let score = score(instrument, &answers, &[]).map_err(invalid("measure"))?;
        let draft = MeasureDraft {
            episode: episode.id,
            instrument: instrument.into(),
            answers,
            score,
            taken_at: at,
            recorded_by: Some(self.by),
            notices: Vec::new(),
        };
        self.store.add_measure(&draft, at, &self.in_episode(episode, "measure")).await?;
        Ok(())
    }

    /// A note written during the visit and signed at its end.
    async fn note(
        &self,
        episode: &Episode,
        visit: &Visit,
        therapist: Option<knead_core::TherapistId>,
        at: Timestamp,
    ) -> Result<SoapNote, LoadError> {
        let input = NoteInput {
            booking_id: None,
            subjective: visit.subjective.into(),
            objective: visit.objective.into(),
            assessment: visit.assessment.into(),
            plan: visit.plan.into(),
            areas_treated: visit.areas.iter().map(|a| a.to_string()).collect(),
            techniques: visit.techniques.to_vec(),
            pressure: Some(Pressure::Moderate),
            response: visit.response.into(),
            self_care: visit.self_care.into(),
            referrals: String::new(),
            started_at: at.to_string(),
            duration_minutes: 60,
        };
        let content = input.validate(at).map_err(invalid("note"))?;
        let draft = NoteDraft { episode: episode.id, content, therapist, author: self.by };
        let note = self.store.create_note(&draft, at, &self.in_episode(episode, "note")).await?;
        let signed_at = at + SignedDuration::from_mins(65);
        let change = AuditEvent { action: Action::Change, ..self.event("note", note.id.to_string()) };
        Ok(self.store.sign_note(note.id, self.by, signed_at, &note.content.digest(), &change).await?)
    }

    async fn program(&self, episode: &Episode, at: Timestamp) -> Result<HomeProgram, LoadError> {
        let prescribe = |key: &str, note: &str| {
            // The library's usual dose; the keys below are the library's own.
            exercise(key).map(|x| Prescription {
                exercise: key.into(),
                sets: x.sets,
                reps: x.reps,
                hold_seconds: x.hold_seconds,
                per_day: x.per_day,
                days_per_week: x.days_per_week,
                note: note.into(),
            })
        };
        let exercises = [
            ("knee_to_chest", "Mornings, before getting up if the back is stiff."),
            ("piriformis_stretch", "Right side; ease off if the leg tingles."),
            ("nerve_glide", "Small, slow movements; never push into pain."),
            ("walking", "Flat ground; build up from 10 minutes."),
        ]
        .into_iter()
        .filter_map(|(key, note)| prescribe(key, note))
        .collect();
        let prescriptions = ProgramInput { exercises }.validate(&[], &[]).map_err(invalid("program"))?;
        Ok(self
            .store
            .add_program(episode.id, &prescriptions, self.by, at, &self.in_episode(episode, "program"))
            .await?)
    }

    /// The last week's logs: most days, with a missed one, leg pain easing. Returns how many.
    async fn logs(&self, program: &HomeProgram, today: Date) -> Result<usize, LoadError> {
        let all: Vec<String> = program.exercises.iter().map(|p| p.exercise.clone()).collect();
        let days: [(i64, usize, i64, &str); 5] = [
            (6, 4, 5, ""),
            (5, 3, 5, "Skipped the walk: rain."),
            (3, 4, 4, ""),
            (2, 4, 4, "Sat through a film without standing up."),
            (1, 2, 4, "Busy day; did the stretches only."),
        ];
        for (days_ago, done, pain, note) in days {
            let on = add_days(today, -days_ago);
            let input = ExerciseLogInput {
                on: on.to_string(),
                done: all.iter().take(done).cloned().collect(),
                pain,
                note: note.into(),
            };
            let (on, done, pain, note) = input.validate(program, today).map_err(invalid("exercise log"))?;
            let log = ExerciseLog { program_id: program.id, on, done, pain, note, created_at: self.now };
            let audit = self.event("exercise_log", format!("{}/{on}", program.id));
            self.store.add_exercise_log(&log, &audit).await?;
        }
        Ok(days.len())
    }
}

fn invalid(what: &'static str) -> impl FnOnce(knead_core::ValidationErrors) -> LoadError {
    move |errors| LoadError::Invalid { what, name: "Otto Lehtinen".into(), errors }
}

#[cfg(test)]
mod tests {
    use super::*;
    use knead_core::intake::audit::{verify, GENESIS};
    use knead_core::records::response::{assess, Signals};
    use knead_core::records::{NoteStatus, ResponsePolicy, ResponseStatus, Score};
    use knead_store_sqlite::SqliteStore;

    #[tokio::test]
    async fn otto_gets_one_responding_sciatica_episode_with_signed_notes_scores_and_a_logged_program() {
        let sqlite = SqliteStore::in_memory().await.unwrap();
        let store: &dyn Store = &sqlite;
        let now: Timestamp = "2026-06-01T09:00:00Z".parse().unwrap();
        crate::load(store, &|p: &str| format!("plain:{p}"), now).await.unwrap();
        let report = crate::load_clients(store, now).await.unwrap();
        assert_eq!(
            report.records,
            RecordsReport { episodes: 1, notes: DEMO_SIGNED_NOTES, measures: 4 * 2 + 1 + 2, logs: 5, skipped: false }
        );
        assert!(crate::load_clients(store, now).await.unwrap().records.skipped, "loaded once");

        let otto = store.clients_by_email(&Email::from_trusted(CLIENT_EMAIL.into())).await.unwrap().remove(0);
        let episodes = store.client_episodes(otto.id).await.unwrap();
        assert_eq!(episodes.len(), 1);
        let episode = &episodes[0];
        assert_eq!((episode.condition.as_str(), episode.side), ("Sciatica", Some(Side::Right)));
        assert!(episode.therapist_id.is_some(), "the clinic RMT's episode");
        assert_eq!(store.plans(episode.id).await.unwrap().len(), 1);

        let notes = store.episode_notes(episode.id).await.unwrap();
        assert_eq!(notes.len(), 4);
        for note in &notes {
            assert_eq!(note.status, NoteStatus::Signed);
            assert_eq!(note.signed_digest.as_deref(), Some(note.content.digest().as_str()));
            assert!(note.content.started_at < now);
        }

        let measures = store.measures(episode.id).await.unwrap();
        let leg: Vec<f64> = measures.iter().filter(|m| m.instrument == NPRS_LEG).map(|m| m.score.number()).collect();
        assert_eq!(leg, [7.0, 6.0, 5.0, 4.0]);
        let psfs: Vec<f64> = measures.iter().filter(|m| m.instrument == PSFS).map(|m| m.score.number()).collect();
        assert_eq!(psfs, [4.0, 19.0 / 3.0]);
        assert!(measures.iter().any(|m| matches!(m.score, Score::StartBack { .. })));
        let response = assess(&measures, Signals::default(), &ResponsePolicy::default(), &[]);
        assert_eq!(response.status, ResponseStatus::Responding, "{response:?}");

        let programs = store.programs(episode.id).await.unwrap();
        assert_eq!(programs.len(), 1);
        assert_eq!(programs[0].exercises.len(), 4);
        let today = local_date(store.practice_settings().await.unwrap().zone(), now);
        let logs = store.exercise_logs(programs[0].id, add_days(today, -30)).await.unwrap();
        assert_eq!(logs.len(), 5);
        assert!(logs
            .iter()
            .all(|l| l.on < today && l.on > programs[0].created_at.to_zoned(jiff::tz::TimeZone::UTC).date()));

        // Every write has its entry, and the chain holds.
        let entries = store.audit_entries(0, 10_000).await.unwrap();
        let otto_entries = entries.iter().filter(|e| e.client == Some(otto.id)).count();
        // The intake, the screening and the booking's entries come first; then the records' 1 + 1 + 11 + 4×2 + 1 + 5.
        assert!(otto_entries >= 27, "{otto_entries} entries");
        verify(GENESIS, &entries).unwrap();
    }
}
