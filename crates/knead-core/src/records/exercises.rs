//! Home-care exercises: the library (written by us from the clinical reference, section 5), the programs
//! prescribed from it per episode, and what the client logs doing.

use super::episode::EpisodeId;
use super::record_id;
use crate::account::UserId;
use crate::intake::Precaution;
use crate::validation::ValidationErrors;
use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

record_id!(
    /// A home program's id (each prescription is a new program version of the episode).
    ProgramId
);

/// What rules an exercise out for a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Exclusion {
    /// An intake or screening field answered yes (e.g. `progressive_weakness`, `saddle_numbness`).
    Field(&'static str),
    /// Any precaution of this category.
    Category(crate::intake::Category),
}

/// An exercise of the library.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exercise {
    /// Stable key, e.g. `nerve_glide`.
    pub key: &'static str,
    pub name: &'static str,
    /// How to do it, in our own words, step by step.
    pub steps: &'static [&'static str],
    /// When to stop.
    pub stop_rules: &'static [&'static str],
    /// The default dose.
    pub sets: i64,
    pub reps: i64,
    pub hold_seconds: i64,
    /// Times per day (0 when weekly) and days per week.
    pub per_day: i64,
    pub days_per_week: i64,
    /// What rules it out.
    pub excluded_by: &'static [Exclusion],
}

/// The exercise library.
pub fn library() -> &'static [Exercise] {
    todo!("records: exercise library")
}

/// An exercise by key.
pub fn exercise(key: &str) -> Option<&'static Exercise> {
    library().iter().find(|e| e.key == key)
}

/// Why an exercise is ruled out for this client (empty: it is not), from their precautions and the yes
/// answers of their intake and latest screening (`yes_fields`).
pub fn excluded_because(exercise: &Exercise, precautions: &[Precaution], yes_fields: &[&str]) -> Vec<String> {
    let _ = (exercise, precautions, yes_fields);
    todo!("records: exclusions")
}

/// One exercise of a program with its dose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Prescription {
    /// A library key, e.g. `piriformis_stretch`.
    pub exercise: String,
    /// 1..=10.
    pub sets: i64,
    /// 0..=50 (0 for a hold-only exercise).
    pub reps: i64,
    /// 0..=300 seconds.
    pub hold_seconds: i64,
    /// 0..=10 times a day.
    pub per_day: i64,
    /// 1..=7 days a week.
    pub days_per_week: i64,
    /// A note for the client, at most 500 characters.
    #[serde(default)]
    pub note: String,
}

/// A program as the therapist prescribes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProgramInput {
    /// 1..=12 exercises, each at most once.
    pub exercises: Vec<Prescription>,
}

impl ProgramInput {
    /// Known exercises, doses in range, none excluded for this client (the error names the exercise and
    /// why, e.g. `exercises[0].exercise`: "not with progressive weakness").
    pub fn validate(
        &self,
        precautions: &[Precaution],
        yes_fields: &[&str],
    ) -> Result<Vec<Prescription>, ValidationErrors> {
        let _ = (precautions, yes_fields);
        todo!("records: program validation")
    }
}

/// A program as stored; the episode's newest is the current one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HomeProgram {
    pub id: ProgramId,
    pub episode_id: EpisodeId,
    pub exercises: Vec<Prescription>,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub prescribed_by: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

/// What the client logs for a day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ExerciseLogInput {
    /// `YYYY-MM-DD`, at most 14 days back and not in the future (the practice's today).
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub on: String,
    /// The keys of the program's exercises done that day.
    pub done: Vec<String>,
    /// Leg (or main) pain that day, 0..=10.
    pub pain: i64,
    #[serde(default)]
    pub note: String,
}

impl ExerciseLogInput {
    /// `(on, done, pain, note)`: a date within the last 14 days, only the program's exercises.
    pub fn validate(
        &self,
        program: &HomeProgram,
        today: Date,
    ) -> Result<(Date, Vec<String>, i64, String), ValidationErrors> {
        let _ = (program, today);
        todo!("records: log validation")
    }
}

/// A day's log as stored (one per program and day: a second log that day replaces nothing, it is refused).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExerciseLog {
    pub program_id: ProgramId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub on: Date,
    pub done: Vec<String>,
    pub pain: i64,
    pub note: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
}

/// Adherence over a span: days logged, exercises done against those prescribed, and the logged pain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Adherence {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub to: Date,
    pub days_logged: i64,
    /// Exercise-days done out of those prescribed in the span, 0..=100.
    pub percent: i64,
    /// The pain logged, oldest first.
    pub pain: Vec<LoggedPain>,
}

/// One day's logged pain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoggedPain {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub on: Date,
    pub pain: i64,
}

/// Adherence to `program` from `from` to `to` inclusive, from its logs.
pub fn adherence(program: &HomeProgram, logs: &[ExerciseLog], from: Date, to: Date) -> Adherence {
    let _ = (program, logs, from, to);
    todo!("records: adherence")
}
