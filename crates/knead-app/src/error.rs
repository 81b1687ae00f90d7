//! The application layer's one error type. knead-web maps it to HTTP once; the CLI prints it.

use knead_core::booking::Unavailable;
use knead_core::{FieldError, ValidationErrors};
use knead_store::{BookingError, StoreError};

/// What kind of conflict a write ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictCode {
    /// A value that must be unique (an email, a slug) is already in use.
    Taken,
    /// A signed clinical record (a note, a referral) cannot change: amend it instead.
    Signed,
    /// What a change was planned from has changed since (a day's re-plan): plan again.
    Stale,
    /// A home visit's check-out before its check-in (`check_in`).
    NotCheckedIn,
    /// A second check-in (`check_in`) or check-out (`check_out`) of the same therapist at the same visit.
    AlreadyChecked,
    /// Checking in or out of a visit that is not a confirmed home visit (`status`: cancelled or held for a
    /// clearance; `place`: at a clinic).
    NotCheckable,
    /// Every chair of a chair day is taken at the start asked for (`start`).
    SlotFull,
    /// A party guest's health check was already answered through their link (`token`).
    Answered,
    /// An enquiry was already accepted or declined (`status`).
    Decided,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input broke one or more rules; nothing was written.
    #[error("invalid input: {0}")]
    Invalid(ValidationErrors),
    #[error("no such {what}")]
    NotFound { what: &'static str },
    /// The write clashes with what is stored; `field` names the input to change.
    #[error("{field} is in conflict ({code:?})")]
    Conflict { code: ConflictCode, field: &'static str },
    /// The start cannot be booked (any more), and why.
    #[error("the time cannot be booked: {0}")]
    Unavailable(Unavailable),
    /// An idempotency key came back with a different request.
    #[error("the idempotency key was already used for a different request")]
    KeyReused,
    /// The practice's notice policy no longer allows the change.
    #[error("changes need {notice_hours} hours' notice")]
    TooLate { notice_hours: i64 },
    /// An address cannot be used: not found, ambiguous, or the geocoder is down.
    #[error("the address cannot be used: {0:?}")]
    Address(crate::places::AddressProblem),
    /// Storage failed (or a stored row could not be read); nothing the caller can fix.
    #[error(transparent)]
    Store(StoreError),
    /// Something else failed on our side (a worker thread died); nothing the caller can fix.
    #[error("internal failure: {0}")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// One field's problem.
    pub fn field(code: &'static str, field: &str, detail: impl Into<String>) -> AppError {
        AppError::Invalid(ValidationErrors::single(code, field, detail))
    }
}

impl From<ValidationErrors> for AppError {
    fn from(e: ValidationErrors) -> AppError {
        AppError::Invalid(e)
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> AppError {
        AppError::Invalid(ValidationErrors(vec![e]))
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        match e {
            StoreError::NotFound => AppError::NotFound { what: "record" },
            StoreError::Conflict { field } => AppError::Conflict { code: ConflictCode::Taken, field },
            other => AppError::Store(other),
        }
    }
}

impl From<BookingError> for AppError {
    fn from(e: BookingError) -> AppError {
        match e {
            BookingError::Unavailable(why) => AppError::Unavailable(why),
            BookingError::KeyReused => AppError::KeyReused,
            BookingError::Store(e) => e.into(),
        }
    }
}

/// Names what a store's `NotFound` was about.
pub trait NotFoundAs<T> {
    fn not_found_as(self, what: &'static str) -> AppResult<T>;
}

impl<T> NotFoundAs<T> for Result<T, StoreError> {
    fn not_found_as(self, what: &'static str) -> AppResult<T> {
        self.map_err(|e| match e {
            StoreError::NotFound => AppError::NotFound { what },
            other => other.into(),
        })
    }
}
