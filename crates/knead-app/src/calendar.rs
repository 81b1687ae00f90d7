//! The calendar's use cases: the practice's booking settings, its clinics and rooms, and each therapist's
//! base, services, weekly hours, dated hours and time off — everything availability is made from.

use crate::{App, AppError, AppResult, NotFoundAs};
use jiff::civil::Date;
use jiff::Timestamp;
use knead_core::booking::{Booking, Clinic, ClinicInput};
use knead_core::calendar::{
    check_date, check_instant, DayWindows, PracticeSettings, PracticeSettingsInput, ScheduleInput, TherapistSchedule,
    TimeOff,
};
use knead_core::{FieldError, TherapistId, UserId, ValidationErrors};

pub async fn settings(app: &App) -> AppResult<PracticeSettings> {
    Ok(app.store().practice_settings().await?)
}

/// Checks and saves the practice's booking settings.
pub async fn save_settings(app: &App, input: &PracticeSettingsInput) -> AppResult<PracticeSettings> {
    let settings = input.validate()?;
    app.store().save_practice_settings(&settings).await?;
    Ok(settings)
}

pub async fn clinics(app: &App) -> AppResult<Vec<Clinic>> {
    Ok(app.store().clinics().await?)
}

pub async fn create_clinic(app: &App, input: &ClinicInput) -> AppResult<Clinic> {
    let draft = input.validate()?;
    Ok(app.store().create_clinic(&draft).await?)
}

/// Every unarchived therapist's schedule.
pub async fn schedules(app: &App) -> AppResult<Vec<TherapistSchedule>> {
    Ok(app.store().schedules().await?)
}

pub async fn schedule(app: &App, therapist: TherapistId) -> AppResult<Option<TherapistSchedule>> {
    Ok(app.store().schedule(therapist).await?)
}

/// Checks and saves a therapist's base, radius, services and weekly hours; every service must exist and
/// be for sale (`service_ids[i]` names the one that is not).
pub async fn save_schedule(app: &App, therapist: TherapistId, input: &ScheduleInput) -> AppResult<TherapistSchedule> {
    let draft = input.validate()?;
    let services = app.store().list_services(false).await?;
    let mut errors = ValidationErrors::default();
    for (i, id) in input.service_ids.iter().enumerate() {
        if !services.iter().any(|s| s.id.0 == *id) {
            errors.push(FieldError::new("unknown", format!("service_ids[{i}]"), format!("no service has id {id}")));
        }
    }
    errors.check()?;
    app.store().save_schedule(therapist, &draft).await.not_found_as("therapist")
}

/// Gives one date its own hours (`Some`, empty for a day off) or returns it to the weekly hours (`None`).
/// The therapist must have a schedule, and the date must lie in the range requests may name.
pub async fn set_day_override(
    app: &App,
    therapist: TherapistId,
    date: Date,
    windows: Option<&DayWindows>,
) -> AppResult<()> {
    check_date("date", date)?;
    if app.store().schedule(therapist).await?.is_none() {
        return Err(AppError::NotFound { what: "schedule" });
    }
    Ok(app.store().set_day_override(therapist, date, windows).await?)
}

/// Adds time off from `start` to `end`, which must come after it, both on dates requests may name.
pub async fn add_time_off(app: &App, therapist: TherapistId, start: Timestamp, end: Timestamp) -> AppResult<TimeOff> {
    let mut e = ValidationErrors::default();
    e.take(check_instant("start", start));
    e.take(check_instant("end", end));
    e.check()?;
    if end <= start {
        return Err(AppError::field("invalid", "end", "must be after the start"));
    }
    app.store().add_time_off(therapist, start, end).await.not_found_as("therapist")
}

pub async fn delete_time_off(app: &App, therapist: TherapistId, time_off_id: i64) -> AppResult<()> {
    app.store().delete_time_off(therapist, time_off_id).await.not_found_as("time off")
}

/// The therapist profile a login belongs to, if any.
pub async fn therapist_for_user(app: &App, user: UserId) -> AppResult<Option<TherapistId>> {
    Ok(app.store().therapist_for_user(user).await?)
}

/// A therapist's confirmed bookings overlapping `[from, to)`, by start: their day or week.
pub async fn therapist_bookings(
    app: &App,
    therapist: TherapistId,
    from: Timestamp,
    to: Timestamp,
) -> AppResult<Vec<Booking>> {
    Ok(app.store().therapist_bookings(therapist, from, to).await?)
}
