//! Referral letters: drafted from the episode in one action, edited and signed by the therapist, printable,
//! and exported as a FHIR R4 ServiceRequest with its Observations.

use super::episode::{Episode, EpisodeId};
use super::instruments::{InstrumentDefinition, Measure};
use super::record_id;
use super::response::Response;
use crate::account::UserId;
use crate::intake::Level;
use crate::intake::ScreeningRecord;
use crate::validation::{FieldError, ValidationErrors};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

mod fhir;

pub use fhir::fhir_bundle;

record_id!(
    /// A referral letter's id.
    ReferralId
);

/// Who the letter goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    Physician,
    Physiotherapist,
    Chiropractor,
}

impl Recipient {
    pub const ALL: [Recipient; 3] = [Recipient::Physician, Recipient::Physiotherapist, Recipient::Chiropractor];

    pub fn as_str(self) -> &'static str {
        match self {
            Recipient::Physician => "physician",
            Recipient::Physiotherapist => "physiotherapist",
            Recipient::Chiropractor => "chiropractor",
        }
    }

    pub fn parse(field: &str, text: &str) -> Result<Recipient, FieldError> {
        Recipient::ALL.into_iter().find(|r| r.as_str() == text.trim()).ok_or_else(|| {
            FieldError::new("invalid", field, "must be one of: physician, physiotherapist, chiropractor")
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Recipient::Physician => "Physician",
            Recipient::Physiotherapist => "Physiotherapist",
            Recipient::Chiropractor => "Chiropractor",
        }
    }
}

/// FHIR ServiceRequest priorities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Routine,
    Urgent,
    Asap,
    Stat,
}

impl Urgency {
    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Routine => "routine",
            Urgency::Urgent => "urgent",
            Urgency::Asap => "asap",
            Urgency::Stat => "stat",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReferralStatus {
    Draft,
    Signed,
}

/// A referral's editable content (the draft fills it; the therapist edits it before signing).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReferralInput {
    /// `physician`, `physiotherapist` or `chiropractor`; a physician when left out.
    #[serde(default)]
    pub recipient: Option<Recipient>,
    /// The recipient's name and clinic, when known.
    #[serde(default)]
    pub recipient_name: String,
    /// `routine`, `urgent`, `asap` or `stat`; from the episode's response when left out.
    #[serde(default)]
    pub urgency: Option<Urgency>,
    /// Why; the policy's recommendation when left out.
    #[serde(default)]
    pub reason: Option<String>,
    /// The letter's body; drafted from the episode when left out.
    #[serde(default)]
    pub body: Option<String>,
}

/// A referral as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Referral {
    pub id: ReferralId,
    pub episode_id: EpisodeId,
    pub recipient: Recipient,
    pub recipient_name: String,
    pub urgency: Urgency,
    pub reason: String,
    /// The letter: red-flag results, score history, treatment so far — drafted, then edited.
    pub body: String,
    pub status: ReferralStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub created_by: UserId,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub signed_by: Option<UserId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub signed_at: Option<Timestamp>,
    /// The name printed on the signature line (the signing therapist's).
    pub signed_name: Option<String>,
}

/// A validated referral's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralContent {
    pub recipient: Recipient,
    pub recipient_name: String,
    pub urgency: Urgency,
    pub reason: String,
    pub body: String,
}

/// What a draft is written from.
#[derive(Debug, Clone)]
pub struct ReferralFacts<'a> {
    pub episode: &'a Episode,
    pub client_name: &'a str,
    pub response: &'a Response,
    pub measures: &'a [Measure],
    /// The instruments the clinic loaded, so a letter names them as the clinic does.
    pub loaded: &'a [InstrumentDefinition],
    /// The client's screenings, newest first.
    pub screenings: &'a [ScreeningRecord],
    /// Signed notes' summaries: (date, techniques, response), oldest first.
    pub treatment: &'a [(String, String, String)],
    pub therapist_name: &'a str,
}

/// The urgency the response asks for: deterioration `urgent`, any other action `routine`.
pub fn suggested_urgency(response: &Response) -> Urgency {
    match response.status {
        super::ResponseStatus::Deteriorating => Urgency::Urgent,
        _ => Urgency::Routine,
    }
}

/// Fills a referral from the episode, with the input's choices where given: reason, urgency, and a body in
/// our words holding the red-flag results, the score history and the treatment so far.
///
/// Left to itself the urgency is the response's, raised to `urgent` when the latest screening asks for a
/// physician within days or sooner (an emergency sends the client to an emergency department, not a letter).
pub fn draft(facts: &ReferralFacts<'_>, input: &ReferralInput) -> Result<ReferralContent, ValidationErrors> {
    let screened = facts.screenings.first().map_or(Level::Clear, |s| s.assessment.level);
    let urgency = input.urgency.unwrap_or_else(|| {
        let suggested = suggested_urgency(facts.response);
        if screened >= Level::Urgent {
            suggested.max(Urgency::Urgent)
        } else {
            suggested
        }
    });
    let recipient = input.recipient.unwrap_or(Recipient::Physician);
    let reason = input.reason.clone().unwrap_or_else(|| facts.response.recommendation.clone());
    let body = match &input.body {
        Some(body) => body.clone(),
        None => letter(facts, recipient, &input.recipient_name, urgency, &reason),
    };
    content(recipient, &input.recipient_name, urgency, &reason, &body)
}

/// Validates an edit of a draft (`reason` 1..=500, `body` 1..=20,000 characters).
///
/// What the input leaves out (or leaves blank, for the recipient's name) stays as it is; a signed letter
/// is refused.
pub fn edit(current: &Referral, input: &ReferralInput) -> Result<ReferralContent, ValidationErrors> {
    if current.status == ReferralStatus::Signed {
        return Err(ValidationErrors::single("locked", "status", "a signed referral cannot change"));
    }
    let name = if input.recipient_name.trim().is_empty() { &current.recipient_name } else { &input.recipient_name };
    content(
        input.recipient.unwrap_or(current.recipient),
        name,
        input.urgency.unwrap_or(current.urgency),
        input.reason.as_deref().unwrap_or(&current.reason),
        input.body.as_deref().unwrap_or(&current.body),
    )
}

fn content(
    recipient: Recipient,
    recipient_name: &str,
    urgency: Urgency,
    reason: &str,
    body: &str,
) -> Result<ReferralContent, ValidationErrors> {
    let mut e = ValidationErrors::default();
    let recipient_name = e.text("recipient_name", recipient_name, 0, 200);
    let reason = e.text("reason", reason, 1, 500);
    let body = e.text("body", body, 1, 20_000);
    e.finish(|| Some(ReferralContent { recipient, recipient_name, urgency, reason, body }))
}

fn day(at: Timestamp) -> jiff::civil::Date {
    at.to_zoned(TimeZone::UTC).date()
}

/// The letter, in our words: the episode, why, the red-flag screening, the scores, the treatment so far and
/// the other care.
fn letter(facts: &ReferralFacts<'_>, recipient: Recipient, name: &str, urgency: Urgency, reason: &str) -> String {
    let episode = facts.episode;
    let addressee = if name.trim().is_empty() { recipient.label().to_lowercase() } else { name.trim().to_string() };
    let mut out = vec![
        format!("To the {addressee},"),
        String::new(),
        format!(
            "I am referring {}, whom I see for massage therapy for {}, which began on {}.",
            facts.client_name,
            episode.title(),
            episode.started_on
        ),
        String::new(),
        format!("Reason for referral: {reason}"),
        format!("Urgency: {}.", urgency.as_str()),
        format!("Response to treatment, by the clinic's policy: {}.", facts.response.status.label()),
    ];
    out.extend(facts.response.reasons.iter().map(|r| format!("- {r}")));
    out.push(String::new());
    out.push("Red-flag screening:".to_string());
    if facts.screenings.is_empty() {
        out.push("- None on file.".to_string());
    }
    for s in facts.screenings {
        let found = if s.assessment.reasons.is_empty() {
            "nothing raised".to_string()
        } else {
            s.assessment.reasons.iter().map(|r| r.message.as_str()).collect::<Vec<_>>().join("; ")
        };
        out.push(format!("- {}: {} ({found}).", day(s.created_at), s.assessment.level.as_str()));
    }
    out.push(String::new());
    out.push("Scores, first and latest:".to_string());
    // The built-ins in the policy's order, then any loaded instrument in the order first measured.
    let mut instruments: Vec<&str> = super::instruments::BUILT_IN.to_vec();
    for m in facts.measures {
        if !instruments.contains(&m.instrument.as_str()) {
            instruments.push(&m.instrument);
        }
    }
    let mut any = false;
    for key in instruments {
        let mut taken: Vec<&Measure> = facts.measures.iter().filter(|m| m.instrument == key).collect();
        taken.sort_by_key(|m| m.taken_at);
        let (Some(first), Some(last)) = (taken.first(), taken.last()) else { continue };
        any = true;
        let name = super::instruments::instrument_name(key, facts.loaded);
        out.push(if taken.len() == 1 {
            format!("- {name}: {} on {} (recorded once).", shown(first), day(first.taken_at))
        } else {
            format!(
                "- {name}: {} on {}; {} on {} ({} recorded).",
                shown(first),
                day(first.taken_at),
                shown(last),
                day(last.taken_at),
                taken.len()
            )
        });
    }
    if !any {
        out.push("- None recorded.".to_string());
    }
    out.push(String::new());
    out.push("Treatment so far:".to_string());
    if facts.treatment.is_empty() {
        out.push("- No signed treatment notes yet.".to_string());
    }
    for (date, techniques, response) in facts.treatment {
        // A note may leave either part blank; the letter says what was written and nothing else.
        out.push(match (techniques.trim(), response.trim()) {
            ("", "") => format!("- {date}: treatment given (no details in the note)."),
            (done, "") => format!("- {date}: {done}."),
            ("", seen) => format!("- {date}: response: {seen}"),
            (done, seen) => format!("- {date}: {done}. Response: {seen}"),
        });
    }
    out.push(String::new());
    let care = episode.other_care.names();
    let details = episode.other_care.details.trim();
    out.push(match (care.is_empty(), details.is_empty()) {
        (true, true) => "Other care: none reported.".to_string(),
        (false, true) => format!("Other care: {}.", care.join(", ")),
        (true, false) => format!("Other care: {details}."),
        (false, false) => format!("Other care: {} ({details}).", care.join(", ")),
    });
    out.push(String::new());
    out.push("Thank you for seeing this client. I am glad to share my notes and to work alongside your care.".into());
    out.push(String::new());
    out.push(facts.therapist_name.to_string());
    out.push("Registered Massage Therapist".to_string());
    out.join("\n")
}

/// A measure's score as the letter shows it.
fn shown(m: &Measure) -> String {
    match &m.score {
        super::instruments::Score::StartBack { total, distress, risk } => {
            format!("total {total}, distress {distress}, {} risk", risk.as_str())
        }
        super::instruments::Score::Value { value, .. } => super::response::num(*value),
    }
}
