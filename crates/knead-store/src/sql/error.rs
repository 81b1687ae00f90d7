//! Database errors as the shared code needs to tell them apart. Adapters classify their driver's errors by
//! SQLSTATE, extended result code or constraint name (never by message text); the shared code decides what
//! each kind means for the statement that failed.

use crate::StoreError;
use std::fmt;

/// A failed statement: what kind of failure, and the driver's error for logs.
#[derive(Debug, thiserror::Error)]
#[error("{kind}: {source}")]
pub struct DbError {
    kind: DbErrorKind,
    #[source]
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl DbError {
    pub fn new(kind: DbErrorKind, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> DbError {
        DbError { kind, source: source.into() }
    }

    pub fn kind(&self) -> &DbErrorKind {
        &self.kind
    }

    /// The store error for a statement whose one user-facing unique rule guards `field`. A constraint name
    /// (PostgreSQL) decides first; SQLite names none, so the statement's own rule does.
    pub fn unique_as(self, field: &'static str) -> StoreError {
        match &self.kind {
            DbErrorKind::UniqueViolation { constraint: Some(name) } => {
                StoreError::Conflict { field: conflict_field(name) }
            }
            DbErrorKind::UniqueViolation { constraint: None } => StoreError::Conflict { field },
            _ => StoreError::from(self),
        }
    }

    /// A missing row a foreign key points at (a therapist, a service) is `NotFound`.
    pub fn missing_on_foreign_key(self) -> StoreError {
        match self.kind {
            DbErrorKind::ForeignKeyViolation => StoreError::NotFound,
            _ => StoreError::from(self),
        }
    }
}

/// What went wrong, as far as the shared code cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbErrorKind {
    /// A unique rule (PostgreSQL 23505 with its constraint; SQLite 2067 or 1555, which name none).
    UniqueViolation {
        constraint: Option<String>,
    },
    /// PostgreSQL 23503; SQLite 787.
    ForeignKeyViolation,
    /// A booking backstop refused overlapping visits.
    Overlap(OverlapRule),
    /// A serialization failure or deadlock (PostgreSQL 40001, 40P01): the whole transaction may run again.
    Retry,
    Other,
}

impl fmt::Display for DbErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbErrorKind::UniqueViolation { constraint: Some(name) } => write!(f, "unique violation ({name})"),
            DbErrorKind::UniqueViolation { constraint: None } => f.write_str("unique violation"),
            DbErrorKind::ForeignKeyViolation => f.write_str("foreign key violation"),
            DbErrorKind::Overlap(rule) => write!(f, "overlap ({})", rule.name()),
            DbErrorKind::Retry => f.write_str("serialization failure or deadlock"),
            DbErrorKind::Other => f.write_str("database error"),
        }
    }
}

/// The database's overlap rules for visits, by the name both migrations give them: PostgreSQL's exclusion
/// constraints, and the text SQLite's triggers raise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverlapRule {
    /// `visits_no_overlap`: a therapist's active visits never overlap.
    Therapist,
    /// `rooms_no_overlap`: a room's active visits never overlap.
    Room,
}

impl OverlapRule {
    pub const ALL: [OverlapRule; 2] = [OverlapRule::Therapist, OverlapRule::Room];

    pub fn name(self) -> &'static str {
        match self {
            OverlapRule::Therapist => "visits_no_overlap",
            OverlapRule::Room => "rooms_no_overlap",
        }
    }

    /// The rule with exactly this name.
    pub fn named(name: &str) -> Option<OverlapRule> {
        OverlapRule::ALL.into_iter().find(|r| r.name() == name)
    }
}

/// Any other failure is `Other`; a unique violation is a conflict on the field its constraint guards.
impl From<DbError> for StoreError {
    fn from(e: DbError) -> StoreError {
        match &e.kind {
            DbErrorKind::UniqueViolation { .. } => e.unique_as("id"),
            _ => StoreError::Other(Box::new(e)),
        }
    }
}

/// The input field behind a unique constraint, by its name in the migrations; keys a caller does not choose
/// (session and token hashes, room names within a clinic) are `id`.
pub fn conflict_field(constraint: &str) -> &'static str {
    if constraint == "users_email_key" {
        "email"
    } else if constraint.ends_with("_slug_key") {
        "slug"
    } else {
        "id"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unique(constraint: Option<&str>) -> DbError {
        DbError::new(DbErrorKind::UniqueViolation { constraint: constraint.map(str::to_string) }, "duplicate")
    }

    #[test]
    fn a_named_constraint_picks_the_field_to_change() {
        assert_eq!(conflict_field("users_email_key"), "email");
        assert_eq!(conflict_field("services_slug_key"), "slug");
        assert_eq!(conflict_field("articles_slug_key"), "slug");
        assert_eq!(conflict_field("sessions_pkey"), "id");
        assert!(matches!(
            unique(Some("therapists_slug_key")).unique_as("email"),
            StoreError::Conflict { field: "slug" }
        ));
    }

    #[test]
    fn an_unnamed_unique_violation_is_the_statements_own_rule() {
        assert!(matches!(unique(None).unique_as("email"), StoreError::Conflict { field: "email" }));
        assert!(matches!(StoreError::from(unique(None)), StoreError::Conflict { field: "id" }));
    }

    #[test]
    fn a_broken_foreign_key_is_not_found_only_where_asked() {
        let fk = || DbError::new(DbErrorKind::ForeignKeyViolation, "fk");
        assert!(matches!(fk().missing_on_foreign_key(), StoreError::NotFound));
        assert!(matches!(StoreError::from(fk()), StoreError::Other(_)));
    }

    #[test]
    fn overlap_rules_are_known_by_exact_name() {
        assert_eq!(OverlapRule::named("visits_no_overlap"), Some(OverlapRule::Therapist));
        assert_eq!(OverlapRule::named("rooms_no_overlap"), Some(OverlapRule::Room));
        assert_eq!(OverlapRule::named("visits_no_overlap and more"), None);
    }
}
