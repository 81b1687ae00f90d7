//! Care records: episodes, plans, SOAP notes, home programs, outcome measures, the non-response policy's
//! alerts, and referral letters.
//!
//! Who may do what: a manager anything; a therapist the records of their own clients (a booking with a
//! visit of theirs, or an episode they are responsible for); a client reads their own program and chart and
//! logs their exercises. Anyone else gets `NotFound`, the same answer as for an unknown id. Every read of a
//! record by a person leaves exactly one audit entry (a page is one read); every change is stored with its
//! entry in one transaction.

mod access;
pub mod episodes;
pub mod integrity;
pub mod measures;
pub mod notes;
pub mod programs;
pub mod referrals;

pub use episodes::{Alert, EpisodeFile};
pub use notes::{NoteContext, NoteHistory};
pub use programs::OwnProgram;
pub use referrals::ReferralFile;
