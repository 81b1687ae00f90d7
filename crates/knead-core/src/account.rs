//! Accounts: who may sign in, and as what; how long a session lasts for each role; which roles must use a
//! second factor; what a new password and a new personal access token must be.

use crate::validation::{FieldError, ValidationErrors};
use jiff::{SignedDuration, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct UserId(pub i64);

/// What a user may do. A manager may do everything; a therapist sees their own day; a client their own bookings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Client,
    Therapist,
    Manager,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Client, Role::Therapist, Role::Manager];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Client => "client",
            Role::Therapist => "therapist",
            Role::Manager => "manager",
        }
    }

    pub fn parse(field: &str, text: &str) -> Result<Role, FieldError> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == text.trim())
            .ok_or_else(|| FieldError::new("invalid", field, "must be one of: client, therapist, manager"))
    }

    /// The practice's own people (therapists and managers), who see other people's bookings and, soon,
    /// their health information: their sessions end sooner.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Therapist | Role::Manager)
    }

    /// Whether this role must sign in with a second factor. A manager can change everything and see every
    /// client, so a stolen password alone must not be enough; therapists and clients may opt in.
    pub fn needs_second_factor(self) -> bool {
        self == Role::Manager
    }
}

/// A syntactically plausible email address, trimmed and lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(field: &str, text: &str) -> Result<Email, FieldError> {
        let t = text.trim().to_lowercase();
        let invalid = || FieldError::new("invalid", field, "must be an email address like name@example.com");
        if t.is_empty() {
            return Err(FieldError::new("required", field, "is required"));
        }
        if t.chars().count() > Self::MAX_LEN {
            return Err(FieldError::new("too_long", field, format!("must be at most {} characters", Self::MAX_LEN)));
        }
        let (local, domain) = t.split_once('@').ok_or_else(invalid)?;
        let plausible = !local.is_empty()
            && !domain.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !t.chars().any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>' || c == ',');
        if plausible {
            Ok(Email(t))
        } else {
            Err(invalid())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For adapters reading an address they stored after parsing it.
    pub fn from_trusted(s: String) -> Email {
        Email(s)
    }
}

/// A password as typed; never logged or printed (Debug is redacted).
#[derive(Clone)]
pub struct Password(String);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl Password {
    pub const MIN_LEN: usize = 10;
    pub const MAX_LEN: usize = 1024;

    /// A new password must be long enough and not one of the most common passwords; there are no
    /// composition rules (NIST 800-63B, ASVS 5.0 6.2).
    pub fn parse_new(field: &str, text: &str) -> Result<Password, FieldError> {
        let len = text.chars().count();
        if len < Self::MIN_LEN {
            Err(FieldError::new("too_short", field, format!("must be at least {} characters", Self::MIN_LEN)))
        } else if len > Self::MAX_LEN {
            Err(FieldError::new("too_long", field, format!("must be at most {} characters", Self::MAX_LEN)))
        } else if is_common(text) {
            Err(FieldError::new("too_common", field, "is one of the most common passwords; choose another"))
        } else {
            Ok(Password(text.to_string()))
        }
    }

    /// A password offered at login: not checked for strength, only bounded.
    pub fn for_login(text: &str) -> Password {
        Password(text.chars().take(Self::MAX_LEN).collect())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// Whether an attacker would try `password` within their first million guesses, by zxcvbn's estimate. That
/// holds for every entry of its list of 30,000 common passwords, in any case, reversed, with look-alike
/// substitutions (`p@ssw0rd`) or digits added, and for keyboard walks, sequences and repeats; a passphrase of
/// a few ordinary words is far beyond it. zxcvbn reads at most the first 100 characters, so a long password
/// costs no more than a short one.
fn is_common(password: &str) -> bool {
    zxcvbn::zxcvbn(password, &[]).score() <= zxcvbn::Score::One
}

/// A user as the rest of the system sees it (no password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub created_at: Timestamp,
}

/// A user about to be created, already validated.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub name: String,
    pub role: Role,
}

impl NewUser {
    pub fn parse(email: &str, name: &str, role: &str) -> Result<NewUser, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let email = errors.take(Email::parse("email", email));
        let name = errors.text("name", name, 1, 120);
        let role = errors.take(Role::parse("role", role));
        errors.finish(|| Some(NewUser { email: email?, name, role: role? }))
    }
}

/// How long a browser session lasts, by role. Staff sessions end after `staff_idle_minutes` without a
/// request and `staff_hours` after sign-in, whichever comes first; clients' after `client_hours`, however
/// busy (a client signs in rarely and holds no one else's data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    pub staff_idle_minutes: i64,
    pub staff_hours: i64,
    pub client_hours: i64,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy { staff_idle_minutes: 30, staff_hours: 12, client_hours: 14 * 24 }
    }
}

impl SessionPolicy {
    /// The longest a session of `role` lasts from sign-in.
    pub fn lifetime(&self, role: Role) -> SignedDuration {
        let hours = if role.is_staff() { self.staff_hours } else { self.client_hours };
        SignedDuration::from_secs(hours.saturating_mul(3600))
    }

    /// How long a session of `role` may go without a request before it ends; `None` when it may not end so.
    pub fn idle_limit(&self, role: Role) -> Option<SignedDuration> {
        role.is_staff().then(|| SignedDuration::from_secs(self.staff_idle_minutes.saturating_mul(60)))
    }

    /// Every setting within bounds (a minute to a day idle; an hour to 30 days for staff, to a year for
    /// clients), named as the settings spell them.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        errors.range("staff_idle_minutes", self.staff_idle_minutes, 1, 24 * 60, " minutes");
        errors.range("staff_hours", self.staff_hours, 1, 30 * 24, " hours");
        errors.range("client_hours", self.client_hours, 1, 366 * 24, " hours");
        errors.check()
    }
}

/// A personal access token as its owner sees it; never the secret, which is shown once and stored only as
/// a hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    pub id: i64,
    pub label: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    /// Recorded at most about once a minute, so it may lag a busy client by that much.
    pub last_used_at: Option<Timestamp>,
}

/// A personal access token about to be made: a label to recognise it by and how many days it lasts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenDraft {
    pub label: String,
    pub days: i64,
}

impl TokenDraft {
    pub const DEFAULT_DAYS: i64 = 90;
    pub const MAX_DAYS: i64 = 3650;
    pub const MAX_LABEL_LEN: usize = 100;

    pub fn parse(label: &str, days: i64) -> Result<TokenDraft, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let label = errors.text("label", label, 1, Self::MAX_LABEL_LEN);
        let days = errors.range("days", days, 1, Self::MAX_DAYS, " days");
        errors.finish(|| Some(TokenDraft { label, days }))
    }

    /// When a token made at `now` stops working.
    pub fn expires_at(&self, now: Timestamp) -> Timestamp {
        now.saturating_add(SignedDuration::from_secs(self.days.saturating_mul(86_400))).unwrap_or(Timestamp::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_lowercased_and_checked() {
        assert_eq!(Email::parse("email", "  Ana@Example.COM ").unwrap().as_str(), "ana@example.com");
        for bad in ["", "ana", "ana@", "@x.com", "ana@localhost", "a b@x.com", "a@b@c.com"] {
            assert!(Email::parse("email", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn short_passwords_are_refused_and_never_printed() {
        assert!(Password::parse_new("password", "short").is_err());
        let p = Password::parse_new("password", "long enough secret").unwrap();
        assert_eq!(format!("{p:?}"), "Password(<redacted>)");
    }

    #[test]
    fn the_most_common_passwords_are_refused_however_they_are_dressed_up() {
        for common in ["password123", "Password123", "1234567890", "qwertyuiop", "P@ssw0rd123", "drowssap123"] {
            let e = Password::parse_new("password", common).unwrap_err();
            assert_eq!(
                (e.code, e.detail.as_str()),
                ("too_common", "is one of the most common passwords; choose another")
            );
        }
        assert_eq!(Password::parse_new("password", "aaaaaaaaaaaa").unwrap_err().code, "too_common");
        assert_eq!(Password::parse_new("password", "short").unwrap_err().code, "too_short", "length is checked first");
    }

    #[test]
    fn ordinary_passphrases_and_the_demo_passwords_are_accepted() {
        for fine in ["knead-demo-manager", "knead-metro-manager", "a long enough password", "correct horse battery"] {
            assert!(Password::parse_new("password", fine).is_ok(), "{fine}");
        }
        let long: String = "Tq7!vZ".repeat(171);
        assert!(Password::parse_new("password", &long[..Password::MAX_LEN]).is_ok());
    }

    #[test]
    fn managers_must_use_a_second_factor_and_staff_sessions_end_sooner() {
        assert!(Role::Manager.needs_second_factor());
        assert!(!Role::Therapist.needs_second_factor() && !Role::Client.needs_second_factor());
        let policy = SessionPolicy::default();
        assert_eq!(policy.lifetime(Role::Therapist), SignedDuration::from_hours(12));
        assert_eq!(policy.idle_limit(Role::Manager), Some(SignedDuration::from_mins(30)));
        assert_eq!(policy.lifetime(Role::Client), SignedDuration::from_hours(14 * 24));
        assert_eq!(policy.idle_limit(Role::Client), None);
        assert!(policy.validate().is_ok());
        let bad = SessionPolicy { staff_idle_minutes: 0, staff_hours: 12, client_hours: 0 }.validate().unwrap_err();
        let fields: Vec<_> = bad.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["staff_idle_minutes", "client_hours"]);
    }

    #[test]
    fn a_token_needs_a_label_and_lasts_one_day_to_ten_years() {
        let draft = TokenDraft::parse("  laptop ", 90).unwrap();
        assert_eq!(draft.label, "laptop");
        let t0: Timestamp = "2026-03-01T15:00:00Z".parse().unwrap();
        assert_eq!(draft.expires_at(t0), "2026-05-30T15:00:00Z".parse().unwrap());
        let errors = TokenDraft::parse(" ", 0).unwrap_err();
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["label", "days"]);
        assert!(TokenDraft::parse("ci", 3651).is_err());
        assert!(TokenDraft::parse("ci", 3650).is_ok());
    }

    #[test]
    fn new_user_collects_every_problem() {
        let errs = NewUser::parse("nope", "", "admin").unwrap_err();
        let fields: Vec<_> = errs.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "name", "role"]);
    }
}
