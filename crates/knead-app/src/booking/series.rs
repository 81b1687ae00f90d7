//! Recurring visits: a series books each of its visits like any other booking, at the same local
//! wall-clock time, and reports the ones that clash instead of squeezing them in.

use super::{book_visit, Booked, SeriesPart, Via};
use crate::{App, AppError, AppResult};
use jiff::Timestamp;
use knead_core::booking::plan::check_start;
use knead_core::booking::{BookingRequest, NewSeries, Repeat, Series};
use knead_core::User;

/// One visit of a series: booked, or why not.
pub enum SeriesVisit {
    Booked(Box<Booked>),
    /// Not booked: the start is taken or the practice does not offer it then (`code` and `reason` say
    /// which, as the booking would have been refused).
    Clash {
        start: Timestamp,
        code: &'static str,
        reason: String,
    },
}

/// What booking a series did.
pub struct SeriesBooked {
    pub series: Series,
    pub visits: Vec<SeriesVisit>,
}

impl SeriesBooked {
    pub fn booked(&self) -> usize {
        self.visits.iter().filter(|v| matches!(v, SeriesVisit::Booked(_))).count()
    }
}

/// Books `repeat.visits` visits from `req.start`, every `repeat.every_weeks` weeks at the same local time
/// in the practice's zone. The first visit must book (its refusal is the series' refusal); a later one that
/// cannot is reported as a clash. Without named therapists, the later visits keep the first one's (the
/// same hands each time). A repeated `idempotency_key` replays each visit.
pub async fn book_series(
    app: &App,
    req: &BookingRequest,
    repeat: Repeat,
    user: Option<&User>,
    idempotency_key: Option<String>,
    fingerprint: &str,
) -> AppResult<SeriesBooked> {
    let settings = app.store().practice_settings().await?;
    let tz = settings.zone().clone();
    let mut new = NewSeries::starting(req.start, &tz, settings.time_zone.name(), repeat, app.now());
    new.idempotency_key = idempotency_key.clone();
    let starts = new.starts(&tz);
    // Checked before the series is written; a first visit refused later leaves a series with no bookings,
    // which a retry with the same key reuses.
    check_start(&settings, req.start, app.now())?;
    let series = app.store().add_series(&new).await?;
    let mut visits = Vec::with_capacity(starts.len());
    let mut therapists = req.therapist_ids.clone();
    for (k, start) in starts.into_iter().enumerate() {
        let visit = BookingRequest { start, therapist_ids: therapists.clone(), ..req.clone() };
        let key = idempotency_key.as_ref().map(|key| format!("{key}#{k}"));
        let part = SeriesPart { id: series.id, confirms: k == 0, therapists_named: req.therapist_ids.is_some() };
        match book_visit(app, &visit, user, key, format!("{fingerprint}#{k}"), Via::Series(part)).await {
            Ok(booked) => {
                therapists.get_or_insert_with(|| booked.booking.therapist_ids());
                visits.push(SeriesVisit::Booked(Box::new(booked)));
            }
            Err(e) if k > 0 => match clash(&e) {
                Some((code, reason)) => visits.push(SeriesVisit::Clash { start, code, reason }),
                None => return Err(e),
            },
            Err(e) => return Err(e),
        }
    }
    Ok(SeriesBooked { series, visits })
}

/// A later visit's refusal as a clash to report, or `None` for a failure that stops the series.
fn clash(e: &AppError) -> Option<(&'static str, String)> {
    match e {
        AppError::Unavailable(_) => Some(("taken", "the time is taken".into())),
        AppError::Invalid(errors) => errors.0.first().map(|f| (f.code, f.detail.clone())),
        _ => None,
    }
}
