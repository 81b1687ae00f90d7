//! Whether the signed notes are still as they were signed: every signed note's stored digest against its
//! content now, and every note the audit log records as signed against the notes that exist. For `knead
//! audit verify`, beside the chain's own check.

use crate::{App, AppResult};
use knead_core::intake::Action;
use knead_core::records::NoteId;
use std::collections::BTreeMap;

/// The audit record of a note's signing (its id), and of an amendment (a new signed version, its id).
pub const SIGNATURE_RECORD: &str = "note_signature";
pub const AMENDMENT_RECORD: &str = "note_amendment";

/// A signed note that is not as it was signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoteProblem {
    /// Its content no longer gives the digest stored when it was signed: edited since.
    Changed { note: NoteId },
    /// Signed, yet without a stored digest.
    NoDigest { note: NoteId },
    /// The audit log records it as signed (at this entry), but it no longer exists.
    Missing { note: NoteId, entry: i64 },
}

impl std::fmt::Display for NoteProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NoteProblem::Changed { note } => {
                write!(
                    f,
                    "signed note {note} was changed after it was signed (its content no longer matches its digest)"
                )
            }
            NoteProblem::NoDigest { note } => write!(f, "signed note {note} has no digest recorded"),
            NoteProblem::Missing { note, entry } => {
                write!(f, "signed note {note} is missing (audit entry {entry} records its signing)")
            }
        }
    }
}

/// How many entries are read at once when walking the log.
const PAGE: i64 = 1000;

/// Checks every signed note: how many were checked, and each problem found, by note.
pub async fn verify_signed_notes(app: &App) -> AppResult<(usize, Vec<NoteProblem>)> {
    let store = app.store();
    let signed = store.signed_notes().await?;
    let mut problems = Vec::new();
    for note in &signed {
        match &note.signed_digest {
            Some(digest) if *digest == note.content.digest() => {}
            Some(_) => problems.push(NoteProblem::Changed { note: note.id }),
            None => problems.push(NoteProblem::NoDigest { note: note.id }),
        }
    }
    // Every note the log says was signed, with the first entry saying so.
    let mut recorded: BTreeMap<i64, i64> = BTreeMap::new();
    let mut after = 0;
    loop {
        let page = store.audit_entries(after, PAGE).await?;
        for e in &page {
            let signing = (e.record == SIGNATURE_RECORD && e.action == Action::Change)
                || (e.record == AMENDMENT_RECORD && e.action == Action::Create);
            if let (true, Ok(id)) = (signing, e.record_id.parse::<i64>()) {
                recorded.entry(id).or_insert(e.id);
            }
        }
        match page.last() {
            Some(last) if page.len() as i64 == PAGE => after = last.id,
            _ => break,
        }
    }
    for (id, entry) in recorded {
        if !signed.iter().any(|n| n.id.0 == id) {
            problems.push(NoteProblem::Missing { note: NoteId(id), entry });
        }
    }
    Ok((signed.len(), problems))
}
