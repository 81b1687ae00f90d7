//! Home-care exercises: the library (written by us from the clinical reference, section 5), the programs
//! prescribed from it per episode, and what the client logs doing.

use super::episode::EpisodeId;
use super::record_id;
use crate::account::UserId;
use crate::intake::Precaution;
use crate::validation::{FieldError, ValidationErrors};
use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

mod library;

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
    library::LIBRARY
}

/// An exercise by key.
pub fn exercise(key: &str) -> Option<&'static Exercise> {
    library().iter().find(|e| e.key == key)
}

/// Why an exercise is ruled out for this client (empty: it is not), from their precautions and the yes
/// answers of their intake and latest screening (`yes_fields`).
pub fn excluded_because(exercise: &Exercise, precautions: &[Precaution], yes_fields: &[&str]) -> Vec<String> {
    let mut reasons = Vec::new();
    for exclusion in exercise.excluded_by {
        match exclusion {
            Exclusion::Field(field) if yes_fields.contains(field) => {
                reasons.push(format!("not with {}", field_words(field)));
            }
            Exclusion::Category(category) => {
                for p in precautions.iter().filter(|p| p.category == *category) {
                    reasons.push(format!("not while the intake says \"{}\": {}", category.label(), p.reason));
                }
            }
            Exclusion::Field(_) => {}
        }
    }
    reasons
}

/// An intake or screening field in plain words, for why an exercise is ruled out.
fn field_words(field: &str) -> &str {
    match field {
        "progressive_weakness" => "progressive weakness",
        "saddle_numbness" => "numbness in the saddle area (a sign of cauda equina syndrome)",
        "bladder_change" => "a change in bladder control (a sign of cauda equina syndrome)",
        "bowel_change" => "a change in bowel control (a sign of cauda equina syndrome)",
        "sexual_change" => "a change in sexual function (a sign of cauda equina syndrome)",
        "bilateral_leg_symptoms" => "symptoms in both legs (a sign of cauda equina syndrome)",
        other => other,
    }
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
        let mut e = ValidationErrors::default();
        if !(1..=12).contains(&self.exercises.len()) {
            e.push(FieldError::new(
                "out_of_range",
                "exercises",
                format!("must have 1 to 12 exercises (got {})", self.exercises.len()),
            ));
        }
        let mut out: Vec<Prescription> = Vec::with_capacity(self.exercises.len());
        for (i, p) in self.exercises.iter().enumerate() {
            let field = |name: &str| format!("exercises[{i}].{name}");
            let key = p.exercise.trim();
            match exercise(key) {
                None => {
                    let keys: Vec<&str> = library().iter().map(|x| x.key).collect();
                    e.push(FieldError::new(
                        "invalid",
                        field("exercise"),
                        format!("must be one of: {}", keys.join(", ")),
                    ));
                }
                Some(_) if out.iter().any(|o| o.exercise == key) => {
                    e.push(FieldError::new("duplicate", field("exercise"), "is already in the program"));
                }
                Some(x) => {
                    let reasons = excluded_because(x, precautions, yes_fields);
                    if !reasons.is_empty() {
                        e.push(FieldError::new("excluded", field("exercise"), reasons.join("; ")));
                    }
                }
            }
            e.range(&field("sets"), p.sets, 1, 10, "");
            e.range(&field("reps"), p.reps, 0, 50, "");
            e.range(&field("hold_seconds"), p.hold_seconds, 0, 300, " seconds");
            e.range(&field("per_day"), p.per_day, 0, 10, " times a day");
            e.range(&field("days_per_week"), p.days_per_week, 1, 7, " days a week");
            if p.reps == 0 && p.hold_seconds == 0 {
                e.push(FieldError::new("required", field("reps"), "give a number of reps, a hold, or both"));
            }
            let note = e.text(&field("note"), &p.note, 0, 500);
            out.push(Prescription { exercise: key.to_string(), note, ..p.clone() });
        }
        e.finish(|| Some(out))
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
        let mut e = ValidationErrors::default();
        let earliest = today.checked_sub(jiff::Span::new().days(LOG_DAYS_BACK)).unwrap_or(today);
        let on = match self.on.trim().parse::<Date>() {
            Ok(d) if d > today => {
                e.push(FieldError::new("out_of_range", "on", "must not be in the future"));
                None
            }
            Ok(d) if d < earliest => {
                e.push(FieldError::new(
                    "out_of_range",
                    "on",
                    format!("must be within the last {LOG_DAYS_BACK} days (from {earliest})"),
                ));
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                e.push(FieldError::new("invalid", "on", "must be a date, YYYY-MM-DD"));
                None
            }
        };
        let mut done: Vec<String> = Vec::new();
        for (i, key) in self.done.iter().enumerate() {
            let key = key.trim();
            if !program.exercises.iter().any(|p| p.exercise == key) {
                let keys: Vec<&str> = program.exercises.iter().map(|p| p.exercise.as_str()).collect();
                e.push(FieldError::new(
                    "invalid",
                    format!("done[{i}]"),
                    format!("must be one of the program's exercises: {}", keys.join(", ")),
                ));
            } else if !done.iter().any(|d| d == key) {
                done.push(key.to_string());
            }
        }
        let pain = e.range("pain", self.pain, 0, 10, "");
        let note = e.text("note", &self.note, 0, 500);
        e.finish(|| Some((on?, done, pain, note)))
    }
}

/// How far back a client may log a day.
pub const LOG_DAYS_BACK: i64 = 14;

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
///
/// An exercise prescribed on `d` days a week is due `d / 7` of the span's days; each logged day counts
/// each program exercise done once. Logs of other programs or outside the span are left out.
pub fn adherence(program: &HomeProgram, logs: &[ExerciseLog], from: Date, to: Date) -> Adherence {
    let mut in_span: Vec<&ExerciseLog> =
        logs.iter().filter(|l| l.program_id == program.id && l.on >= from && l.on <= to).collect();
    in_span.sort_by_key(|l| l.on);
    in_span.dedup_by_key(|l| l.on);
    let span_days = if to < from { 0 } else { (to - from).get_days() as i64 + 1 };
    let due: f64 = program.exercises.iter().map(|p| p.days_per_week as f64 * span_days as f64 / 7.0).sum();
    let done = in_span
        .iter()
        .map(|l| l.done.iter().filter(|d| program.exercises.iter().any(|p| &p.exercise == *d)).count())
        .sum::<usize>() as f64;
    let percent = if due > 0.0 { ((done * 100.0 / due).round() as i64).clamp(0, 100) } else { 0 };
    Adherence {
        from,
        to,
        days_logged: in_span.len() as i64,
        percent,
        pain: in_span.iter().map(|l| LoggedPain { on: l.on, pain: l.pain }).collect(),
    }
}
