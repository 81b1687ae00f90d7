//! knead's domain core: the practice's types and the rules that govern them, with no I/O.
//!
//! Inputs from the web, the CLI or anywhere else are parsed into the types here at the edge
//! (`ServiceInput::validate`, `Email::parse`...), so everything past the edge holds only valid values.
//!
//! One module per context: `account`, `catalog`, `content`, `calendar` (settings, hours, time off),
//! `booking` (bookings and the rules around the engine), `intake` (clients, health history, red-flag
//! screening, precautions and the audit chain), `records` (episodes of care, plans, SOAP notes, home
//! programs, outcome instruments, the non-response policy, referrals), `practice` (its own details: name,
//! phone, email, address), `schedule` (the availability engine), and the shared `geo`, `validation`,
//! `clock`, `money` and `slug`. `notify` (which messages a change sends, when, and what they say). `safety`
//! (checking in and out of home visits, and when a visit not checked out alerts the practice). Coming
//! contexts (`events`, `billing`) land beside them.

pub mod account;
pub mod booking;
pub mod calendar;
pub mod catalog;
pub mod clock;
pub mod content;
pub mod events;
pub mod geo;
pub mod intake;
pub mod money;
pub mod notify;
pub mod places;
pub mod practice;
pub mod records;
pub mod safety;
pub mod schedule;
pub mod slug;
pub mod validation;

pub use account::{Email, NewUser, Password, Role, SessionPolicy, TokenDraft, TokenInfo, User, UserId};
pub use catalog::{
    AddOn, AddOnInput, Gender, Kind, Place, Service, ServiceDraft, ServiceId, ServiceInput, Therapist, TherapistDraft,
    TherapistId, TherapistInput,
};
pub use clock::{Clock, FixedClock, SystemClock};
pub use content::{Article, ArticleDraft, ArticleId, ArticleInput};
pub use geo::GeoPoint;
pub use slug::Slug;
pub use validation::{FieldError, ValidationErrors};
