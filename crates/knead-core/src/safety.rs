//! Safety on home visits: a therapist checks in on arrival and out on leaving, and a visit checked in but not
//! checked out in time alerts the practice.
//!
//! The rule ([`SafetyRule`]): a check-in writes a [`JobKind::SafetyAlert`] due `grace` minutes after the
//! visit's scheduled end; when that alert goes to the managers and the therapist has still not checked out, it
//! writes a [`JobKind::SafetyEscalation`] due `grace` minutes later again, to the practice's emergency contact
//! ([`EmergencyContact`], a practice setting; without one, to the managers again). A check-out makes both
//! unnecessary: the store marks the pending ones skipped and the runner skips any it finds checked out.
//!
//! The log of checks is append-only: a check is never changed or removed (the database's triggers refuse),
//! and a visit has at most one check-in and one check-out per therapist.

use crate::booking::BookingId;
use crate::calendar::add_minutes;
use crate::notify::{JobKind, NewJob};
use crate::practice::Phone;
use crate::validation::{FieldError, ValidationErrors};
use crate::{Email, TherapistId, UserId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Minutes after a visit's scheduled end before the managers are alerted, and again before the emergency
/// contact is: 30 unless the practice sets another.
pub const DEFAULT_GRACE_MINUTES: i64 = 30;
/// The grace period's bounds: five minutes to four hours.
pub const GRACE_MINUTES: std::ops::RangeInclusive<i64> = 5..=240;
/// Longest note a check carries ("running 20 minutes over", "client asked me to stay").
pub const MAX_NOTE: usize = 500;

/// The default grace period, for settings saved before it existed.
pub fn default_grace_minutes() -> i64 {
    DEFAULT_GRACE_MINUTES
}

/// Arriving or leaving.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    In,
    Out,
}

impl CheckKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckKind::In => "in",
            CheckKind::Out => "out",
        }
    }

    pub fn parse(text: &str) -> Option<CheckKind> {
        [CheckKind::In, CheckKind::Out].into_iter().find(|k| k.as_str() == text)
    }
}

/// A check as the store is told to write it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewCheck {
    pub booking_id: BookingId,
    /// Whose visit: a booking for two has a check-in for each therapist.
    pub therapist_id: TherapistId,
    pub kind: CheckKind,
    /// The app's clock when the check was made.
    pub at: Timestamp,
    /// Who pressed the button: the therapist, or a manager on their behalf.
    pub by: UserId,
    pub note: Option<String>,
}

/// A check as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VisitCheck {
    pub id: i64,
    pub booking_id: BookingId,
    pub therapist_id: TherapistId,
    pub kind: CheckKind,
    pub at: Timestamp,
    /// `None` once the account that made it is gone.
    pub by: Option<UserId>,
    pub note: Option<String>,
}

/// A check-in or check-out as the therapist's phone (or a manager) sends it. Both parts are optional: a
/// therapist checks in for themselves; a manager checking in for a visit of two names the therapist.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct CheckInput {
    /// Whose visit: the caller's own when they are its therapist; a manager names one when the visit has two.
    pub therapist_id: Option<i64>,
    /// Up to 500 characters ("running 20 minutes over"). Never health information: staff read it in the log.
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub note: Option<String>,
}

/// A check's note as typed: trimmed, empty for none, at most [`MAX_NOTE`] characters.
pub fn parse_note(field: &str, text: Option<&str>) -> Result<Option<String>, FieldError> {
    let text = text.map(str::trim).unwrap_or_default();
    let len = text.chars().count();
    if len > MAX_NOTE {
        return Err(FieldError::new("too_long", field, format!("must be at most {MAX_NOTE} characters (got {len})")));
    }
    Ok((!text.is_empty()).then(|| text.to_string()))
}

/// Where one therapist's visit stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    NotCheckedIn,
    CheckedIn { at: Timestamp },
    CheckedOut { arrived: Timestamp, left: Timestamp },
}

impl Presence {
    /// What `checks` (of one booking, any order) say about `therapist`.
    pub fn of(checks: &[VisitCheck], therapist: TherapistId) -> Presence {
        let at = |kind| checks.iter().find(|c| c.therapist_id == therapist && c.kind == kind).map(|c| c.at);
        match (at(CheckKind::In), at(CheckKind::Out)) {
            (Some(arrived), Some(left)) => Presence::CheckedOut { arrived, left },
            (Some(at), None) => Presence::CheckedIn { at },
            // A check-out is only ever written after a check-in; without one there is nothing to say.
            (None, _) => Presence::NotCheckedIn,
        }
    }
}

/// How late a checked-in therapist is in checking out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Overdue {
    /// Not late (or not checked in, or checked out).
    No,
    /// Past the end and the first grace period: the managers are alerted.
    Alerted,
    /// Past the second grace period too: the emergency contact is alerted.
    Escalated,
}

/// When the alerts about a visit are due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SafetyRule {
    pub grace_minutes: i64,
}

impl SafetyRule {
    /// The grace period as set, held to its bounds (a stored value is never trusted to be sane).
    pub fn new(grace_minutes: i64) -> SafetyRule {
        let (least, most) = GRACE_MINUTES.into_inner();
        SafetyRule { grace_minutes: grace_minutes.clamp(least, most) }
    }

    /// When the managers are alerted about a visit scheduled to end at `end`.
    pub fn alert_at(&self, end: Timestamp) -> Timestamp {
        add_minutes(end, self.grace_minutes)
    }

    /// When the emergency contact is alerted: a grace period after the managers' alert.
    pub fn escalation_at(&self, end: Timestamp) -> Timestamp {
        add_minutes(self.alert_at(end), self.grace_minutes)
    }

    /// The alert a check-in writes, to the managers, about `therapist`'s visit ending at `end`.
    pub fn alert_job(&self, therapist: TherapistId, end: Timestamp) -> NewJob {
        NewJob { therapist_id: Some(therapist), ..NewJob::now(JobKind::SafetyAlert, self.alert_at(end)) }
    }

    /// The escalation the sent alert writes: due at its time, or at once when the alert itself went late.
    pub fn escalation_job(&self, therapist: TherapistId, end: Timestamp, now: Timestamp) -> NewJob {
        let due = self.escalation_at(end).max(now);
        NewJob { therapist_id: Some(therapist), ..NewJob::now(JobKind::SafetyEscalation, due) }
    }

    /// How late the therapist is at `now` for a visit scheduled to end at `end`.
    pub fn overdue(&self, presence: Presence, end: Timestamp, now: Timestamp) -> Overdue {
        match presence {
            Presence::CheckedIn { .. } if now >= self.escalation_at(end) => Overdue::Escalated,
            Presence::CheckedIn { .. } if now >= self.alert_at(end) => Overdue::Alerted,
            _ => Overdue::No,
        }
    }
}

/// Who is alerted when a therapist has not checked out after the second grace period: someone outside the
/// visit who can act (the owner, a colleague on call). Stored with the practice's settings; all three are
/// needed, since the alert goes by email and tells the contact whom to call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EmergencyContact {
    /// Up to 120 characters.
    #[cfg_attr(feature = "openapi", schema(max_length = 120))]
    pub name: String,
    /// 7 to 20 digits, with spaces, dashes, parentheses and a leading + allowed.
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub phone: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 254))]
    pub email: String,
}

impl EmergencyContact {
    pub const MAX_NAME: usize = 120;

    /// The contact as submitted under `field` (`emergency_contact`): `None` when every part is empty, otherwise
    /// each part checked and named (`emergency_contact.phone`).
    pub fn validate(&self, field: &str, e: &mut ValidationErrors) -> Option<EmergencyContact> {
        let (name, phone, email) = (self.name.trim(), self.phone.trim(), self.email.trim());
        if name.is_empty() && phone.is_empty() && email.is_empty() {
            return None;
        }
        let needed = |e: &mut ValidationErrors, part: &str, what: &str| {
            e.push(FieldError::new(
                "required",
                format!("{field}.{part}"),
                format!("an emergency contact needs {what}: the second safety alert is emailed to them and names whom to call"),
            ));
        };
        let name = match name {
            "" => {
                needed(e, "name", "a name");
                None
            }
            n if n.chars().count() > Self::MAX_NAME || n.contains(['\n', '\r']) => {
                let detail = format!("must be one line of at most {} characters", Self::MAX_NAME);
                e.push(FieldError::new("too_long", format!("{field}.name"), detail));
                None
            }
            n => Some(n.to_string()),
        };
        let phone = match phone {
            "" => {
                needed(e, "phone", "a phone number");
                None
            }
            p => e.take(Phone::parse(&format!("{field}.phone"), p)),
        };
        let email = match email {
            "" => {
                needed(e, "email", "an email address");
                None
            }
            m => e.take(Email::parse(&format!("{field}.email"), m)),
        };
        Some(EmergencyContact { name: name?, phone: phone?.as_str().to_string(), email: email?.as_str().to_string() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn check(therapist: i64, kind: CheckKind, when: &str) -> VisitCheck {
        VisitCheck {
            id: 1,
            booking_id: BookingId(1),
            therapist_id: TherapistId(therapist),
            kind,
            at: at(when),
            by: Some(UserId(1)),
            note: None,
        }
    }

    #[test]
    fn the_managers_are_alerted_a_grace_period_after_the_end_and_the_contact_one_more_later() {
        let rule = SafetyRule::new(30);
        let end = at("2027-03-02T15:00:00Z");
        assert_eq!(rule.alert_at(end), at("2027-03-02T15:30:00Z"));
        assert_eq!(rule.escalation_at(end), at("2027-03-02T16:00:00Z"));
        let alert = rule.alert_job(TherapistId(4), end);
        assert_eq!(
            (alert.kind, alert.run_at, alert.therapist_id),
            (JobKind::SafetyAlert, rule.alert_at(end), Some(TherapistId(4)))
        );
        let on_time = rule.escalation_job(TherapistId(4), end, at("2027-03-02T15:30:05Z"));
        assert_eq!((on_time.kind, on_time.run_at), (JobKind::SafetyEscalation, at("2027-03-02T16:00:00Z")));
        let late = rule.escalation_job(TherapistId(4), end, at("2027-03-02T17:00:00Z"));
        assert_eq!(late.run_at, at("2027-03-02T17:00:00Z"), "an alert sent late escalates at once, never in the past");
        assert_eq!(SafetyRule::new(1).grace_minutes, 5, "a stored value out of bounds is held to them");
        assert_eq!(SafetyRule::new(i64::MAX).grace_minutes, 240);
    }

    #[test]
    fn a_visit_is_overdue_only_while_checked_in_past_the_grace_periods() {
        let rule = SafetyRule::new(30);
        let end = at("2027-03-02T15:00:00Z");
        let checks = [check(4, CheckKind::In, "2027-03-02T14:02:00Z")];
        let inside = Presence::of(&checks, TherapistId(4));
        assert_eq!(inside, Presence::CheckedIn { at: at("2027-03-02T14:02:00Z") });
        assert_eq!(
            Presence::of(&checks, TherapistId(5)),
            Presence::NotCheckedIn,
            "each therapist checks in for themselves"
        );
        assert_eq!(rule.overdue(inside, end, at("2027-03-02T15:29:59Z")), Overdue::No);
        assert_eq!(rule.overdue(inside, end, at("2027-03-02T15:30:00Z")), Overdue::Alerted);
        assert_eq!(rule.overdue(inside, end, at("2027-03-02T16:00:00Z")), Overdue::Escalated);
        let both = [checks[0].clone(), check(4, CheckKind::Out, "2027-03-02T16:10:00Z")];
        let left = Presence::of(&both, TherapistId(4));
        assert!(matches!(left, Presence::CheckedOut { .. }));
        assert_eq!(rule.overdue(left, end, at("2027-03-02T17:00:00Z")), Overdue::No);
        assert_eq!(rule.overdue(Presence::NotCheckedIn, end, at("2027-03-02T17:00:00Z")), Overdue::No);
    }

    #[test]
    fn kinds_and_notes_read_back_as_written() {
        for k in [CheckKind::In, CheckKind::Out] {
            assert_eq!(CheckKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(CheckKind::parse("IN"), None);
        assert_eq!(parse_note("note", Some("  running late ")).unwrap().as_deref(), Some("running late"));
        assert_eq!(parse_note("note", Some("   ")).unwrap(), None);
        assert_eq!(parse_note("note", None).unwrap(), None);
        let long = "x".repeat(MAX_NOTE + 1);
        assert_eq!(parse_note("note", Some(&long)).unwrap_err().field, "note");
    }

    #[test]
    fn an_emergency_contact_is_all_or_nothing_and_each_missing_part_is_named() {
        let mut e = ValidationErrors::default();
        assert_eq!(EmergencyContact::default().validate("emergency_contact", &mut e), None);
        assert!(e.is_empty(), "no contact is allowed");
        let given = EmergencyContact {
            name: " Alex Owner ".into(),
            phone: "+1 416-555-0142".into(),
            email: "alex@example.com".into(),
        };
        let kept = given.validate("emergency_contact", &mut e).unwrap();
        assert!(e.is_empty());
        assert_eq!((kept.name.as_str(), kept.phone.as_str()), ("Alex Owner", "+1 416-555-0142"));
        let partial = EmergencyContact { name: "Alex".into(), phone: "call me".into(), email: String::new() };
        assert_eq!(partial.validate("emergency_contact", &mut e), None);
        let fields: Vec<_> = e.0.iter().map(|x| (x.code, x.field.as_str())).collect();
        assert_eq!(fields, [("invalid", "emergency_contact.phone"), ("required", "emergency_contact.email")]);
    }
}
