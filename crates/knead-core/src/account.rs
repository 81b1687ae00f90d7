//! Accounts: who may sign in, and as what.

use crate::validation::{FieldError, ValidationErrors};
use jiff::Timestamp;

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

    /// A new password must be long enough to resist guessing; there are no composition rules (NIST 800-63B).
    pub fn parse_new(field: &str, text: &str) -> Result<Password, FieldError> {
        let len = text.chars().count();
        if len < Self::MIN_LEN {
            Err(FieldError::new("too_short", field, format!("must be at least {} characters", Self::MIN_LEN)))
        } else if len > Self::MAX_LEN {
            Err(FieldError::new("too_long", field, format!("must be at most {} characters", Self::MAX_LEN)))
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
    fn new_user_collects_every_problem() {
        let errs = NewUser::parse("nope", "", "admin").unwrap_err();
        let fields: Vec<_> = errs.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "name", "role"]);
    }
}
