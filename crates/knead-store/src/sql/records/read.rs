//! The care records' statements and row mappings: every column read as its domain type, or the row is
//! corrupt (named by table and id), never a default.

use super::super::{Param, Row, Rows};
use crate::{StoreError, StoreResult};
use knead_core::booking::BookingId;
use knead_core::intake::{ClientId, Consent, OtherCare};
use knead_core::records::exercises::ExerciseLog;
use knead_core::records::note::NoteContent;
use knead_core::records::plan::{Goal, PlannedTechnique};
use knead_core::records::referral::ReferralContent;
use knead_core::records::{
    Episode, EpisodeId, EpisodeStatus, HomeProgram, InstrumentDefinition, Measure, MeasureId, NoteId, NoteStatus,
    Prescription, ProgramId, Referral, ReferralId, ReferralStatus, Score, Side, SoapNote, Technique, TreatmentPlan,
};
use knead_core::{TherapistId, UserId};
use serde::de::DeserializeOwned;

macro_rules! episode_columns {
    () => {
        "id, client_id, condition, side, started_on, status, other_care, therapist_id, created_by, created_at"
    };
}
pub(super) const INSERT_EPISODE: &str = concat!(
    "insert into episodes (client_id, condition, side, started_on, status, other_care, therapist_id, created_by, \
     created_at) values ($1, $2, $3, $4, 'active', $5, $6, $7, $8) returning ",
    episode_columns!()
);
pub(super) const EPISODE_BY_ID: &str = concat!("select ", episode_columns!(), " from episodes where id = $1");
pub(super) const CLIENT_EPISODES: &str =
    concat!("select ", episode_columns!(), " from episodes where client_id = $1 order by created_at desc, id desc");
pub(super) const ACTIVE_EPISODES: &str = concat!(
    "select ",
    episode_columns!(),
    " from episodes where status = 'active' and ($1 is null or therapist_id = $1) order by started_on, id"
);
pub(super) const SET_EPISODE_STATUS: &str =
    concat!("update episodes set status = $2 where id = $1 returning ", episode_columns!());

macro_rules! plan_columns {
    () => {
        "episode_id, version, goals, techniques, pressure, visits_per_week, every_weeks, review_on, consent, \
         created_by, created_at"
    };
}
/// The next version is one past the episode's last (under the audit lock, so two changes take turns; the
/// primary key is the backstop).
pub(super) const INSERT_PLAN: &str = concat!(
    "insert into treatment_plans (",
    plan_columns!(),
    ") select $1, coalesce(max(version), 0) + 1, $2, $3, $4, $5, $6, $7, $8, $9, $10 from treatment_plans \
     where episode_id = $1 returning ",
    plan_columns!()
);
pub(super) const PLANS: &str =
    concat!("select ", plan_columns!(), " from treatment_plans where episode_id = $1 order by version desc");

/// A note version with the amendment that superseded it, if any.
macro_rules! note_select {
    () => {
        "select n.id, n.episode_id, n.booking_id, n.subjective, n.objective, n.assessment, n.plan, \
         n.areas_treated, n.techniques, n.pressure, n.response, n.self_care, n.referrals, n.started_at, \
         n.duration_minutes, n.status, n.therapist_id, n.author, n.created_at, n.signed_by, n.signed_at, \
         n.signed_digest, n.amends, n.amendment_reason, \
         (select a.id from soap_notes a where a.amends = n.id) as amended_by from soap_notes n "
    };
}
pub(super) const NOTE_BY_ID: &str = concat!(note_select!(), "where n.id = $1");
pub(super) const EPISODE_NOTES: &str =
    concat!(note_select!(), "where n.episode_id = $1 order by n.created_at desc, n.id desc");
pub(super) const UNSIGNED_NOTES: &str = concat!(
    note_select!(),
    "where n.status = 'draft' and n.created_at < $2 and ($1 is null or n.author = $1) order by n.created_at, n.id"
);
pub(super) const SIGNED_NOTES: &str = concat!(note_select!(), "where n.status = 'signed' order by n.id");
/// `$1..$13` are a note's content (see `note_content_params`).
pub(super) const INSERT_NOTE: &str = "insert into soap_notes (booking_id, subjective, objective, assessment, plan, \
     areas_treated, techniques, pressure, response, self_care, referrals, started_at, duration_minutes, \
     episode_id, status, therapist_id, author, created_at, signed_by, signed_at, signed_digest, amends, \
     amendment_reason) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
     $19, $20, $21, $22, $23) returning id";
/// Only a draft changes; no row when the note is signed (or not there).
pub(super) const UPDATE_DRAFT: &str = "update soap_notes set booking_id = $1, subjective = $2, objective = $3, \
     assessment = $4, plan = $5, areas_treated = $6, techniques = $7, pressure = $8, response = $9, \
     self_care = $10, referrals = $11, started_at = $12, duration_minutes = $13 where id = $14 and status = 'draft'";
pub(super) const SIGN_NOTE: &str = "update soap_notes set status = 'signed', signed_by = $2, signed_at = $3, \
     signed_digest = $4 where id = $1 and status = 'draft'";
pub(super) const NOTE_EXISTS: &str = "select id from soap_notes where id = $1";

macro_rules! program_columns {
    () => {
        "id, episode_id, exercises, prescribed_by, created_at"
    };
}
pub(super) const INSERT_PROGRAM: &str = concat!(
    "insert into home_programs (episode_id, exercises, prescribed_by, created_at) values ($1, $2, $3, $4) \
     returning ",
    program_columns!()
);
pub(super) const PROGRAM_BY_ID: &str = concat!("select ", program_columns!(), " from home_programs where id = $1");
pub(super) const PROGRAMS: &str = concat!(
    "select ",
    program_columns!(),
    " from home_programs where episode_id = $1 order by created_at desc, id desc"
);

macro_rules! log_columns {
    () => {
        "program_id, \"on\", done, pain, note, created_at"
    };
}
pub(super) const INSERT_LOG: &str = concat!(
    "insert into exercise_logs (",
    log_columns!(),
    ") values ($1, $2, $3, $4, $5, $6) returning ",
    log_columns!()
);
pub(super) const LOGS_FROM: &str =
    concat!("select ", log_columns!(), " from exercise_logs where program_id = $1 and \"on\" >= $2 order by \"on\"");

macro_rules! measure_columns {
    () => {
        "id, episode_id, instrument, answers, score, taken_at, recorded_by, created_at"
    };
}
pub(super) const INSERT_MEASURE: &str = concat!(
    "insert into measures (episode_id, instrument, answers, score, taken_at, recorded_by, created_at) \
     values ($1, $2, $3, $4, $5, $6, $7) returning ",
    measure_columns!()
);
pub(super) const MEASURE_BY_ID: &str = concat!("select ", measure_columns!(), " from measures where id = $1");
pub(super) const MEASURES: &str =
    concat!("select ", measure_columns!(), " from measures where episode_id = $1 order by taken_at, id");

macro_rules! referral_columns {
    () => {
        "id, episode_id, recipient, recipient_name, urgency, reason, body, status, created_by, created_at, \
         signed_by, signed_at, signed_name"
    };
}
pub(super) const INSERT_REFERRAL: &str = concat!(
    "insert into referrals (episode_id, recipient, recipient_name, urgency, reason, body, status, created_by, \
     created_at) values ($1, $2, $3, $4, $5, $6, 'draft', $7, $8) returning ",
    referral_columns!()
);
pub(super) const REFERRAL_BY_ID: &str = concat!("select ", referral_columns!(), " from referrals where id = $1");
pub(super) const REFERRALS: &str =
    concat!("select ", referral_columns!(), " from referrals where episode_id = $1 order by created_at desc, id desc");
/// Only a draft changes; no row when the referral is signed (or not there).
pub(super) const UPDATE_REFERRAL: &str = concat!(
    "update referrals set recipient = $2, recipient_name = $3, urgency = $4, reason = $5, body = $6 \
     where id = $1 and status = 'draft' returning ",
    referral_columns!()
);
pub(super) const SIGN_REFERRAL: &str = concat!(
    "update referrals set status = 'signed', signed_by = $2, signed_at = $3, signed_name = $4 \
     where id = $1 and status = 'draft' returning ",
    referral_columns!()
);
pub(super) const REFERRAL_EXISTS: &str = "select id from referrals where id = $1";

pub(super) const SAVE_INSTRUMENT: &str = "insert into instruments (key, definition, created_at) values ($1, $2, $3) \
     on conflict (key) do update set definition = excluded.definition, created_at = excluded.created_at";
pub(super) const INSTRUMENTS: &str = "select key, definition from instruments";

/// A stored enum by its serde name (the text each enum serializes to, which is what the store writes).
fn by_name<T: DeserializeOwned>(text: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(text.to_string())).ok()
}

pub(super) fn read_episodes(mut rows: Rows) -> StoreResult<Vec<Episode>> {
    rows.read("episodes")
        .map(|mut r| {
            let id = EpisodeId(r.id("id")?);
            Ok(Episode {
                id,
                client_id: ClientId(r.int("client_id")?),
                condition: r.text("condition")?,
                side: r.opt_parsed::<Side>("side", "a side", by_name)?,
                started_on: r.date("started_on")?,
                status: r.parsed::<EpisodeStatus>("status", "an episode status", by_name)?,
                other_care: r.json::<OtherCare>("other_care", "the other care")?,
                therapist_id: r.opt_int("therapist_id")?.map(TherapistId),
                created_by: UserId(r.int("created_by")?),
                created_at: r.time("created_at")?,
            })
        })
        .collect()
}

pub(super) fn one<T>(items: Vec<T>) -> StoreResult<T> {
    items.into_iter().next().ok_or(StoreError::NotFound)
}

pub(super) fn read_plans(mut rows: Rows) -> StoreResult<Vec<TreatmentPlan>> {
    rows.read("treatment_plans")
        .map(|mut r| {
            let episode = r.int("episode_id")?;
            let version = r.int("version")?;
            r.name_by_pair("treatment_plans", episode, version);
            Ok(TreatmentPlan {
                episode_id: EpisodeId(episode),
                version,
                goals: r.json::<Vec<Goal>>("goals", "a list of goals")?,
                techniques: r.json::<Vec<PlannedTechnique>>("techniques", "a list of planned techniques")?,
                pressure: r.parsed("pressure", "a pressure", by_name)?,
                visits_per_week: r.opt_int("visits_per_week")?,
                every_weeks: r.opt_int("every_weeks")?,
                review_on: r.date("review_on")?,
                consent: r.json::<Consent>("consent", "a consent")?,
                created_by: UserId(r.int("created_by")?),
                created_at: r.time("created_at")?,
            })
        })
        .collect()
}

/// `$1..$13` of `INSERT_NOTE` and `UPDATE_DRAFT`.
pub(super) fn note_content_params(c: &NoteContent) -> StoreResult<Vec<Param>> {
    Ok(vec![
        c.booking_id.into(),
        (&c.subjective).into(),
        (&c.objective).into(),
        (&c.assessment).into(),
        (&c.plan).into(),
        Param::json(&c.areas_treated)?,
        Param::json(&c.techniques)?,
        Param::Text(c.pressure.map(|p| p.as_str().to_string())),
        (&c.response).into(),
        (&c.self_care).into(),
        (&c.referrals).into(),
        c.started_at.into(),
        c.duration_minutes.into(),
    ])
}

fn read_note_content(r: &mut Row<'_>) -> StoreResult<NoteContent> {
    Ok(NoteContent {
        booking_id: r.opt_int("booking_id")?.map(BookingId),
        subjective: r.text("subjective")?,
        objective: r.text("objective")?,
        assessment: r.text("assessment")?,
        plan: r.text("plan")?,
        areas_treated: r.json::<Vec<String>>("areas_treated", "a list of areas")?,
        techniques: r.json::<Vec<Technique>>("techniques", "a list of techniques")?,
        pressure: r.opt_parsed("pressure", "a pressure", by_name)?,
        response: r.text("response")?,
        self_care: r.text("self_care")?,
        referrals: r.text("referrals")?,
        started_at: r.time("started_at")?,
        duration_minutes: r.int("duration_minutes")?,
    })
}

pub(super) fn read_notes(mut rows: Rows) -> StoreResult<Vec<SoapNote>> {
    rows.read("soap_notes")
        .map(|mut r| {
            let id = NoteId(r.id("id")?);
            let episode_id = EpisodeId(r.int("episode_id")?);
            let content = read_note_content(&mut r)?;
            let status: NoteStatus = r.parsed("status", "a note status", by_name)?;
            let note = SoapNote {
                id,
                episode_id,
                content,
                status,
                therapist_id: r.opt_int("therapist_id")?.map(TherapistId),
                author: UserId(r.int("author")?),
                created_at: r.time("created_at")?,
                signed_by: r.opt_int("signed_by")?.map(UserId),
                signed_at: r.opt_time("signed_at")?,
                signed_digest: r.opt_text("signed_digest")?,
                amends: r.opt_int("amends")?.map(NoteId),
                amendment_reason: r.opt_text("amendment_reason")?,
                amended_by: r.opt_int("amended_by")?.map(NoteId),
            };
            // The schema's checks hold these together; a row mended by hand might not.
            let signed = note.signed_by.is_some() && note.signed_at.is_some() && note.signed_digest.is_some();
            if signed != (status == NoteStatus::Signed) {
                return Err(r.corrupt("columns status, signed_by, signed_at, signed_digest: do not agree"));
            }
            Ok(note)
        })
        .collect()
}

pub(super) fn read_programs(mut rows: Rows) -> StoreResult<Vec<HomeProgram>> {
    rows.read("home_programs")
        .map(|mut r| {
            let id = ProgramId(r.id("id")?);
            Ok(HomeProgram {
                id,
                episode_id: EpisodeId(r.int("episode_id")?),
                exercises: r.json::<Vec<Prescription>>("exercises", "a list of prescriptions")?,
                prescribed_by: UserId(r.int("prescribed_by")?),
                created_at: r.time("created_at")?,
            })
        })
        .collect()
}

pub(super) fn read_logs(mut rows: Rows) -> StoreResult<Vec<ExerciseLog>> {
    rows.read("exercise_logs")
        .map(|mut r| {
            let program = r.int("program_id")?;
            let on = r.date("on")?;
            r.name_by("exercise_logs", format!("{program}/{on}"));
            Ok(ExerciseLog {
                program_id: ProgramId(program),
                on,
                done: r.json::<Vec<String>>("done", "a list of exercise keys")?,
                pain: r.int("pain")?,
                note: r.text("note")?,
                created_at: r.time("created_at")?,
            })
        })
        .collect()
}

pub(super) fn read_measures(mut rows: Rows) -> StoreResult<Vec<Measure>> {
    rows.read("measures")
        .map(|mut r| {
            let id = MeasureId(r.id("id")?);
            Ok(Measure {
                id,
                episode_id: EpisodeId(r.int("episode_id")?),
                instrument: r.text("instrument")?,
                answers: r.json::<serde_json::Value>("answers", "JSON answers")?,
                score: r.json::<Score>("score", "a score")?,
                taken_at: r.time("taken_at")?,
                recorded_by: r.opt_int("recorded_by")?.map(UserId),
                created_at: r.time("created_at")?,
            })
        })
        .collect()
}

/// `$2..$6` of `INSERT_REFERRAL` and `UPDATE_REFERRAL`.
pub(super) fn referral_content_params(c: &ReferralContent) -> [Param; 5] {
    [
        c.recipient.as_str().into(),
        (&c.recipient_name).into(),
        c.urgency.as_str().into(),
        (&c.reason).into(),
        (&c.body).into(),
    ]
}

pub(super) fn read_referrals(mut rows: Rows) -> StoreResult<Vec<Referral>> {
    rows.read("referrals")
        .map(|mut r| {
            let id = ReferralId(r.id("id")?);
            let referral = Referral {
                id,
                episode_id: EpisodeId(r.int("episode_id")?),
                recipient: r.parsed("recipient", "a recipient", by_name)?,
                recipient_name: r.text("recipient_name")?,
                urgency: r.parsed("urgency", "an urgency", by_name)?,
                reason: r.text("reason")?,
                body: r.text("body")?,
                status: r.parsed("status", "a referral status", by_name)?,
                created_by: UserId(r.int("created_by")?),
                created_at: r.time("created_at")?,
                signed_by: r.opt_int("signed_by")?.map(UserId),
                signed_at: r.opt_time("signed_at")?,
                signed_name: r.opt_text("signed_name")?,
            };
            let signed = referral.signed_by.is_some() && referral.signed_at.is_some() && referral.signed_name.is_some();
            if signed != (referral.status == ReferralStatus::Signed) {
                return Err(r.corrupt("columns status, signed_by, signed_at, signed_name: do not agree"));
            }
            Ok(referral)
        })
        .collect()
}

pub(super) fn read_instruments(mut rows: Rows) -> StoreResult<Vec<InstrumentDefinition>> {
    let mut out: Vec<InstrumentDefinition> = rows
        .read("instruments")
        .map(|mut r| {
            let key = r.text("key")?;
            r.name_by("instruments", key.clone());
            let definition = r.json::<InstrumentDefinition>("definition", "an instrument definition")?;
            if definition.key != key {
                return Err(r.corrupt("column definition: its key is not the row's"));
            }
            Ok(definition)
        })
        .collect::<StoreResult<_>>()?;
    // By key, byte by byte, as every list ordered by text.
    out.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(out)
}
