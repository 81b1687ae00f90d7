//! knead's domain core: the practice's types and the rules that govern them, with no I/O.
//!
//! Inputs from the web, the CLI or anywhere else are parsed into the types here at the edge
//! (`ServiceInput::validate`, `Email::parse`...), so everything past the edge holds only valid values.

pub mod account;
pub mod booking;
pub mod calendar;
pub mod catalog;
pub mod clock;
pub mod content;
pub mod money;
pub mod schedule;
pub mod slug;
pub mod validation;

pub use account::{Email, NewUser, Password, Role, User, UserId};
pub use catalog::{
    AddOn, AddOnInput, Kind, Place, Service, ServiceDraft, ServiceId, ServiceInput, Therapist, TherapistDraft,
    TherapistId, TherapistInput,
};
pub use clock::{Clock, FixedClock, SystemClock};
pub use content::{Article, ArticleDraft, ArticleId, ArticleInput};
pub use slug::Slug;
pub use validation::{FieldError, ValidationErrors};
