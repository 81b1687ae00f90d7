//! Care records: episodes of care, treatment plans, signed SOAP notes with amendments, home-care programs,
//! outcome measures, the non-response policy and referral letters.
//!
//! - [`episode`]: a client's condition over time (status, other care) — everything else hangs off one.
//! - [`plan`]: goals and planned techniques, versioned, each version with the client's consent, constrained
//!   by the intake's precautions.
//! - [`note`]: SOAP notes per visit; a draft until signed, locked once signed, corrected by amendments.
//! - [`exercises`]: the home-care exercise library (our own words) and programs prescribed from it.
//! - [`instruments`]: outcome instruments — NPRS, PSFS, STarT Back built in, others from definition files —
//!   and their scoring exactly as the clinical reference (section 3) states.
//! - [`response`]: the non-response policy (section 4): an episode's response status and recommendation.
//! - [`referral`]: referral letters drafted from the episode, and their FHIR R4 export.
//!
//! Clinical records are never silently changed: the store refuses any change to a signed note or a signed
//! referral, and every read and change leaves one entry in the intake's audit chain.

pub mod episode;
pub mod exercises;
pub mod instruments;
pub mod note;
pub mod plan;
pub mod referral;
pub mod response;

pub use episode::{Episode, EpisodeDraft, EpisodeId, EpisodeInput, EpisodeStatus, Side};
pub use exercises::{Exercise, ExerciseLog, ExerciseLogInput, HomeProgram, Prescription, ProgramId, ProgramInput};
pub use instruments::{InstrumentDefinition, Measure, MeasureId, MeasureInput, Score};
pub use note::{AmendmentInput, NoteId, NoteInput, NoteStatus, SoapNote};
pub use plan::{Aim, Goal, PlanInput, Pressure, Technique, TreatmentPlan};
pub use referral::{Recipient, Referral, ReferralId, ReferralInput, ReferralStatus, Urgency};
pub use response::{Response, ResponsePolicy, ResponseStatus};

/// Declares an id newtype over the database's integer key.
macro_rules! record_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}
pub(crate) use record_id;
