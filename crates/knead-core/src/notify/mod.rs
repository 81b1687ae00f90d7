//! Notifications: which messages a change causes, when they are due, how a failed send is retried, and what
//! each message says.
//!
//! A message is a *job* written in the same transaction as the change that causes it (a booking, a move, a
//! cancellation, a clearance), so a change is never made without its message or the reverse. A runner in
//! every server claims due jobs one at a time, renders the message from the booking as it is then, and
//! sends it (or, without a mail server, files it in the outbox the manager reads). The rules here are pure:
//! [`jobs_for_booking`] and [`reminders`] say which jobs a change writes, [`retry_at`] when a failed send
//! is tried again, and [`message`] what a message says.

pub mod message;

use crate::booking::waitlist::WaitlistId;
use crate::booking::BookingId;
use crate::calendar::add_minutes;
use crate::events::SignupId;
use crate::records::EpisodeId;
use crate::{TherapistId, UserId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// What a job sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// A new booking, confirmed, with the private link to manage it.
    BookingConfirmed,
    /// A new booking held until a physician's clearance is on file.
    AwaitingClearance,
    /// Staff recorded the clearance: the held booking is confirmed.
    ClearanceGiven,
    /// The booking moved, or its therapist changed.
    BookingChanged,
    BookingCancelled,
    /// A reminder some hours before the visit.
    Reminder,
    /// The private link again, on the client's request.
    ManageLink,
    /// To a therapist: a new booking of theirs.
    TherapistNewBooking,
    /// To a client who joined the waitlist: what they wait for, and the private link to the entry.
    WaitlistJoined,
    /// To the first in line: a freed start held for them until the offer expires.
    WaitlistOffer,
    /// To a user who asked: a link to choose a new password, good for an hour.
    PasswordReset,
    /// To the episode's therapist (or the practice's email): the outcome policy newly asks for action on an
    /// episode. Says only that there is something to review, with the link.
    RecordAlert,
    /// To the managers (or the practice's email): a therapist checked in at a home visit and has not checked
    /// out a grace period after its scheduled end. Names the therapist, where they are and when the visit
    /// was due to end; never the client or their health.
    SafetyAlert,
    /// To the practice's emergency contact (or the managers again when none is set): still not checked out a
    /// grace period after the managers' alert.
    SafetyEscalation,
    /// To a chair day's organiser or a party's host: the group is booked, with the private link to its page
    /// (the sign-up sheet filling, or the guests' times and health checks).
    GroupBooked,
    /// To a chair day's attendee: their sitting, with an `.ics` and their own link to cancel it.
    SignupConfirmed,
    /// Not a message: looks for freed starts the waitlist wants, lets lapsed offers go to the next in line,
    /// and writes the offers. Written with each change that frees time.
    WaitlistScan,
}

impl JobKind {
    pub const ALL: [JobKind; 17] = [
        JobKind::BookingConfirmed,
        JobKind::AwaitingClearance,
        JobKind::ClearanceGiven,
        JobKind::BookingChanged,
        JobKind::BookingCancelled,
        JobKind::Reminder,
        JobKind::ManageLink,
        JobKind::TherapistNewBooking,
        JobKind::WaitlistJoined,
        JobKind::WaitlistOffer,
        JobKind::PasswordReset,
        JobKind::RecordAlert,
        JobKind::SafetyAlert,
        JobKind::SafetyEscalation,
        JobKind::GroupBooked,
        JobKind::SignupConfirmed,
        JobKind::WaitlistScan,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::BookingConfirmed => "booking_confirmed",
            JobKind::AwaitingClearance => "awaiting_clearance",
            JobKind::ClearanceGiven => "clearance_given",
            JobKind::BookingChanged => "booking_changed",
            JobKind::BookingCancelled => "booking_cancelled",
            JobKind::Reminder => "reminder",
            JobKind::ManageLink => "manage_link",
            JobKind::TherapistNewBooking => "therapist_new_booking",
            JobKind::WaitlistJoined => "waitlist_joined",
            JobKind::WaitlistOffer => "waitlist_offer",
            JobKind::PasswordReset => "password_reset",
            JobKind::RecordAlert => "record_alert",
            JobKind::SafetyAlert => "safety_alert",
            JobKind::SafetyEscalation => "safety_escalation",
            JobKind::GroupBooked => "group_booked",
            JobKind::SignupConfirmed => "signup_confirmed",
            JobKind::WaitlistScan => "waitlist_scan",
        }
    }

    pub fn parse(text: &str) -> Option<JobKind> {
        JobKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// How staff read it in the outbox.
    pub fn label(self) -> &'static str {
        match self {
            JobKind::BookingConfirmed => "Booking confirmed",
            JobKind::AwaitingClearance => "Booking held for clearance",
            JobKind::ClearanceGiven => "Clearance given",
            JobKind::BookingChanged => "Booking changed",
            JobKind::BookingCancelled => "Booking cancelled",
            JobKind::Reminder => "Reminder",
            JobKind::ManageLink => "Manage link",
            JobKind::TherapistNewBooking => "New booking (therapist)",
            JobKind::WaitlistJoined => "On the waitlist",
            JobKind::WaitlistOffer => "Waitlist offer",
            JobKind::PasswordReset => "Password reset",
            JobKind::RecordAlert => "Records alert (staff)",
            JobKind::SafetyAlert => "Safety alert (managers)",
            JobKind::SafetyEscalation => "Safety alert (emergency contact)",
            JobKind::GroupBooked => "Group booked (organiser or host)",
            JobKind::SignupConfirmed => "Chair-day sitting confirmed",
            JobKind::WaitlistScan => "Waitlist check",
        }
    }

    /// Whether the job sends a message (all but the waitlist's check).
    pub fn is_message(self) -> bool {
        self != JobKind::WaitlistScan
    }
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Waiting for its time, or for a retry.
    Pending,
    /// A server claimed it and holds it until its lease ends.
    Running,
    /// Handed to the mail server.
    Sent,
    /// No mail server is set: the message is filed in the outbox for the manager to read.
    Outbox,
    /// Gave up: the reason is kept.
    Failed,
    /// Nothing to send any more (the reminder of a visit that was cancelled or moved, a therapist without an
    /// email); the reason is kept.
    Skipped,
}

impl JobStatus {
    pub const ALL: [JobStatus; 6] = [
        JobStatus::Pending,
        JobStatus::Running,
        JobStatus::Sent,
        JobStatus::Outbox,
        JobStatus::Failed,
        JobStatus::Skipped,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Pending => "pending",
            JobStatus::Running => "running",
            JobStatus::Sent => "sent",
            JobStatus::Outbox => "outbox",
            JobStatus::Failed => "failed",
            JobStatus::Skipped => "skipped",
        }
    }

    pub fn parse(text: &str) -> Option<JobStatus> {
        JobStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether the job is over (nothing will run it again).
    pub fn is_final(self) -> bool {
        !matches!(self, JobStatus::Pending | JobStatus::Running)
    }
}

/// A job to write with a change. The store fills in the booking the change is about.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    pub kind: JobKind,
    /// Not before this instant.
    pub run_at: Timestamp,
    /// The therapist a staff notice goes to.
    pub therapist_id: Option<TherapistId>,
    /// For a reminder, the start it reminds of: a booking moved since is not reminded of the old time.
    pub visit_start: Option<Timestamp>,
    /// The waitlist entry a waitlist message is about.
    pub waitlist_id: Option<WaitlistId>,
    /// The user an account message (a password reset) goes to.
    pub user_id: Option<UserId>,
    /// The episode a records alert is about.
    pub episode_id: Option<EpisodeId>,
    /// The chair-day sign-up an attendee's confirmation is about.
    pub signup_id: Option<SignupId>,
}

impl NewJob {
    /// A job due at once.
    pub fn now(kind: JobKind, now: Timestamp) -> NewJob {
        NewJob {
            kind,
            run_at: now,
            therapist_id: None,
            visit_start: None,
            waitlist_id: None,
            user_id: None,
            episode_id: None,
            signup_id: None,
        }
    }

    /// The waitlist's check, due at `run_at`.
    pub fn waitlist_scan(run_at: Timestamp) -> NewJob {
        NewJob::now(JobKind::WaitlistScan, run_at)
    }
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Job {
    pub id: i64,
    pub kind: JobKind,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub booking_id: Option<BookingId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub therapist_id: Option<TherapistId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub user_id: Option<UserId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub visit_start: Option<Timestamp>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub waitlist_id: Option<WaitlistId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub episode_id: Option<EpisodeId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub signup_id: Option<SignupId>,
    pub status: JobStatus,
    /// How many times a server has taken it up.
    pub attempts: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub run_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub created_at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub finished_at: Option<Timestamp>,
    /// Why the last attempt failed, or why the job was skipped.
    pub last_error: Option<String>,
    /// The message as it went out (or was filed): set when the job ends sent or in the outbox.
    pub message: Option<SentMessage>,
}

impl Job {
    /// The message's `Message-ID`, the same on every attempt: a copy delivered twice (a server stopped
    /// between the mail server's "ok" and recording it) carries the same id, so it can be told apart.
    pub fn message_id(&self, domain: &str) -> String {
        format!("<job-{}.{}@{domain}>", self.id, self.created_at.as_microsecond())
    }
}

/// A message as it was sent or filed, for the outbox. Private links are kept only for messages filed in the
/// outbox (the manager passes them on); a sent message keeps them replaced by a placeholder.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SentMessage {
    pub message_id: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The `.ics` attached, if the message is about a visit.
    pub calendar: Option<String>,
}

/// The jobs a new booking writes: the client's confirmation (or that it is held), a notice to each
/// therapist, and the reminders.
pub fn jobs_for_booking(
    held: bool,
    therapists: &[TherapistId],
    start: Timestamp,
    now: Timestamp,
    reminder_hours: &[i64],
) -> Vec<NewJob> {
    let first = if held { JobKind::AwaitingClearance } else { JobKind::BookingConfirmed };
    let mut jobs = vec![NewJob::now(first, now)];
    jobs.extend(
        therapists.iter().map(|t| NewJob { therapist_id: Some(*t), ..NewJob::now(JobKind::TherapistNewBooking, now) }),
    );
    jobs.extend(reminders(start, now, reminder_hours));
    jobs
}

/// Reminders `hours` before `start`, each only if its time is still ahead (a visit booked for tomorrow
/// morning gets no 24-hour reminder).
pub fn reminders(start: Timestamp, now: Timestamp, hours: &[i64]) -> Vec<NewJob> {
    hours
        .iter()
        .map(|h| add_minutes(start, -h.saturating_mul(60)))
        .filter(|at| *at > now)
        .map(|run_at| NewJob { visit_start: Some(start), ..NewJob::now(JobKind::Reminder, run_at) })
        .collect()
}

/// How many times a job is taken up before it is given up as failed.
pub const MAX_ATTEMPTS: i64 = 6;

/// When a job that failed on attempt `attempts` (1 for the first) is tried again, or `None` to give up:
/// the wait grows fourfold each time from `base_seconds` (1, 4, 16, 64, 256 minutes with the default
/// minute), so a mail server that is down for an hour loses nothing.
pub fn retry_at(now: Timestamp, attempts: i64, base_seconds: i64) -> Option<Timestamp> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let factor = 4_i64.saturating_pow(u32::try_from(attempts.max(1) - 1).unwrap_or(u32::MAX));
    let wait = base_seconds.max(1).saturating_mul(factor);
    now.checked_add(jiff::SignedDuration::from_secs(wait)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn a_booking_writes_its_confirmation_a_notice_per_therapist_and_the_reminders_still_ahead() {
        let now = at("2027-03-01T12:00:00Z");
        let jobs =
            jobs_for_booking(false, &[TherapistId(1), TherapistId(2)], at("2027-03-03T15:00:00Z"), now, &[24, 2]);
        let kinds: Vec<JobKind> = jobs.iter().map(|j| j.kind).collect();
        assert_eq!(
            kinds,
            [
                JobKind::BookingConfirmed,
                JobKind::TherapistNewBooking,
                JobKind::TherapistNewBooking,
                JobKind::Reminder,
                JobKind::Reminder
            ]
        );
        assert_eq!(jobs[3].run_at, at("2027-03-02T15:00:00Z"));
        assert_eq!(jobs[4].run_at, at("2027-03-03T13:00:00Z"));
        assert_eq!(jobs[4].visit_start, Some(at("2027-03-03T15:00:00Z")));
        // Booked for in five hours: only the two-hour reminder is still ahead; a held booking says so.
        let soon = jobs_for_booking(true, &[], at("2027-03-01T17:00:00Z"), now, &[24, 2]);
        assert_eq!(soon.iter().map(|j| j.kind).collect::<Vec<_>>(), [JobKind::AwaitingClearance, JobKind::Reminder]);
    }

    #[test]
    fn a_failed_send_waits_longer_each_time_then_gives_up() {
        let now = at("2027-03-01T12:00:00Z");
        assert_eq!(retry_at(now, 1, 60), Some(at("2027-03-01T12:01:00Z")));
        assert_eq!(retry_at(now, 2, 60), Some(at("2027-03-01T12:04:00Z")));
        assert_eq!(retry_at(now, 5, 60), Some(at("2027-03-01T16:16:00Z")));
        assert_eq!(retry_at(now, MAX_ATTEMPTS, 60), None);
    }

    #[test]
    fn kinds_and_statuses_read_back_what_they_write() {
        for k in JobKind::ALL {
            assert_eq!(JobKind::parse(k.as_str()), Some(k));
        }
        for s in JobStatus::ALL {
            assert_eq!(JobStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(JobKind::parse("reminder2"), None);
    }
}
