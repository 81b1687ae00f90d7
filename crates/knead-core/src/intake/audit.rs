//! The audit log of health information: one entry per read or change (who, whose record, what, when),
//! append-only and hash-chained, so an edited or deleted row shows.
//!
//! Each entry's hash is SHA-256 over the previous entry's hash and the entry's own fields in a fixed text
//! form; the first entry follows [`GENESIS`]. [`verify`] walks the chain and names the first entry that does
//! not follow from the one before it.

use super::ClientId;
use crate::account::UserId;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The hash the first entry follows.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Read,
    Create,
    Change,
    Export,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Create => "create",
            Action::Change => "change",
            Action::Export => "export",
        }
    }

    pub fn parse(text: &str) -> Option<Action> {
        [Action::Read, Action::Create, Action::Change, Action::Export].into_iter().find(|a| a.as_str() == text)
    }
}

/// One thing to record, before the store chains it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub at: Timestamp,
    /// Who did it: `None` for a guest (a client booking without a login, or a manage link).
    pub actor: Option<UserId>,
    /// Whose record.
    pub client: Option<ClientId>,
    pub action: Action,
    /// What kind of record: `intake`, `screening`, `clearance`, `client`, `audit_log`...
    pub record: &'static str,
    /// Which one (its id as text; several ids for a list read, comma-separated).
    pub record_id: String,
}

/// An entry as stored: the event, its place in the chain, and its hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub actor: Option<UserId>,
    pub client: Option<ClientId>,
    pub action: Action,
    pub record: String,
    pub record_id: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an entry that follows `prev_hash`.
pub fn entry_hash(
    prev_hash: &str,
    at: Timestamp,
    actor: Option<UserId>,
    client: Option<ClientId>,
    action: Action,
    record: &str,
    record_id: &str,
) -> String {
    let line = format!(
        "{prev_hash}\n{}\n{}\n{}\n{}\n{record}\n{record_id}",
        at.as_microsecond(),
        actor.map_or(String::from("-"), |u| u.0.to_string()),
        client.map_or(String::from("-"), |c| c.0.to_string()),
        action.as_str(),
    );
    hex::encode(Sha256::digest(line.as_bytes()))
}

impl AuditEvent {
    /// The hash this event gets when it follows `prev_hash`.
    pub fn hash_after(&self, prev_hash: &str) -> String {
        entry_hash(prev_hash, self.at, self.actor, self.client, self.action, self.record, &self.record_id)
    }
}

/// Where a chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit entry {id}: {problem}")]
pub struct Broken {
    pub id: i64,
    pub problem: &'static str,
}

/// Follows the chain from `prev_hash` (the last good hash, or [`GENESIS`]) through `entries` in id order;
/// returns the hash it ends on, or the first entry that does not follow.
pub fn verify<'a>(prev_hash: &str, entries: impl IntoIterator<Item = &'a AuditEntry>) -> Result<String, Broken> {
    let mut prev = prev_hash.to_string();
    for e in entries {
        if e.prev_hash != prev {
            return Err(Broken {
                id: e.id,
                problem: "does not follow the entry before it (one was removed or edited)",
            });
        }
        let expected = entry_hash(&e.prev_hash, e.at, e.actor, e.client, e.action, &e.record, &e.record_id);
        if e.hash != expected {
            return Err(Broken { id: e.id, problem: "its content was changed after it was written" });
        }
        prev = e.hash.clone();
    }
    Ok(prev)
}
