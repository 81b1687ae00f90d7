//! Group events: office chair-massage days and spa parties, each one booking whose visits hold its therapists for
//! the whole block, with a sheet inside it (the chair day's slots and sign-ups, the party's guests).
//!
//! [`chair`] validates a chair day and builds its slot sheet; [`party`] validates a party and fits its guests into
//! the window on as few therapists as it can; [`health`] is the short check an attendee of a seated massage answers.
//! The records here are what the store keeps beside the booking.

pub mod chair;
pub mod enquiry;
pub mod health;
pub mod party;
pub mod payment;

use crate::account::Email;
use crate::booking::{parse_instant, BookingId};
use crate::validation::{FieldError, ValidationErrors};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupId(pub i64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignupId(pub i64);

/// A chair day as the store writes it beside its booking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChairDay {
    pub chairs: i64,
    pub slot_minutes: i64,
    pub breaks: chair::ChairBreaks,
    /// SHA-256 of the sign-up link's token: attendees need the link, never an account.
    pub signup_token_hash: String,
    /// The token itself, for the organiser's page to show again (the link is made to be passed round a
    /// workplace and lets its holder only take a sitting); `None` for days booked before the page existed.
    pub signup_token: Option<String>,
}

/// A chair day as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChairDay {
    pub id: GroupId,
    pub booking_id: BookingId,
    pub day: NewChairDay,
    pub created_at: Timestamp,
}

/// An attendee's sign-up the store is to write: the start asked for; the store gives the first free chair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSignup {
    pub start: Timestamp,
    pub name: String,
    pub email: Email,
    /// The attendee's answers to the health check; `None` when a program signed them up without asking it (the
    /// therapist's sheet then says to ask before starting).
    pub answers: Option<health::Answers>,
    pub consented_at: Timestamp,
    /// SHA-256 of the attendee's own cancel link's token.
    pub cancel_token_hash: String,
    pub created_at: Timestamp,
}

/// A sign-up as stored: one attendee in one chair at one start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signup {
    pub id: SignupId,
    pub group_id: GroupId,
    /// 1-based, as the sheet numbers chairs.
    pub chair: i64,
    pub signup: NewSignup,
    pub cancelled_at: Option<Timestamp>,
}

/// One guest's treatment at a party: with whom and when inside the window (the party's booking holds its
/// therapists for the whole window; these say who sees whom).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestVisit {
    /// The guest's place in the host's list, from 0.
    pub position: i64,
    pub name: String,
    pub service_id: crate::catalog::ServiceId,
    pub add_ons: Vec<String>,
    pub therapist_id: crate::catalog::TherapistId,
    pub start: Timestamp,
    pub end: Timestamp,
    /// The guest's own health check and consent, through the link the host passes on.
    pub intake: GuestIntake,
}

/// A party guest's health check: the token of their own link (kept as given for the host's page; it lets its
/// holder only answer, never read the answers back), and the answers once given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuestIntake {
    /// `None` for a guest booked before guests had links.
    pub token: Option<String>,
    pub answers: Option<health::Answers>,
    /// When the guest agreed to the treatment; `None` until they answer.
    pub consented_at: Option<Timestamp>,
}

/// An attendee's sign-up as the API receives it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignupInput {
    /// The token of the organiser's sign-up link.
    pub token: String,
    /// The sitting's start, RFC 3339 with an offset, as the sheet lists it.
    pub start: String,
    pub name: String,
    pub email: String,
    /// The attendee agrees to a seated massage; must be `true`.
    pub consent: bool,
    /// The short health check for a seated massage (the sign-up page always asks it).
    #[serde(default)]
    pub health: Option<health::AnswersInput>,
}

/// A validated sign-up, still to be checked against the sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignupRequest {
    pub token: String,
    pub start: Timestamp,
    pub name: String,
    pub email: Email,
    pub health: Option<health::Answers>,
}

impl SignupInput {
    pub fn validate(&self) -> Result<SignupRequest, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let token = e.text("token", &self.token, 1, 200);
        let start = e.take(parse_instant("start", &self.start));
        let name = e.text("name", &self.name, 1, 120);
        let email = e.take(Email::parse("email", &self.email));
        if !self.consent {
            e.push(FieldError::new("required", "consent", "the attendee must agree to the massage (consent: true)"));
        }
        let health = match self.health.as_ref().map(health::AnswersInput::validate) {
            None => None,
            Some(Ok(answers)) => Some(answers),
            Some(Err(errors)) => {
                e.0.extend(errors.0);
                None
            }
        };
        e.finish(|| Some(SignupRequest { token, start: start?, name, email: email?, health }))
    }
}

/// A party guest's health check as the API receives it, through the guest's own link.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GuestCheckInput {
    /// The token of the guest's own link.
    pub token: String,
    pub health: health::AnswersInput,
    /// The guest agrees to their treatment; must be `true`.
    pub consent: bool,
}
