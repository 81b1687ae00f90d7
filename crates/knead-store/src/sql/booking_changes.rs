//! Reading what staff changed about a booking (the records `booking.rs` writes with each change).

use super::Rows;
use crate::StoreResult;
use knead_core::booking::{BookingChange, BookingId, Change, NamedTherapist};
use knead_core::UserId;

pub(super) const BOOKING_CHANGES: &str = "select id, booking_id, changed_at, changed_by, kind, from_start, to_start, \
     coalesce(from_therapists, '[]') as from_therapists, coalesce(to_therapists, '[]') as to_therapists \
     from booking_changes where booking_id = $1 order by id";

fn parse_change_kind(text: &str) -> Option<&'static str> {
    ["moved", "reassigned", "cancelled"].into_iter().find(|k| *k == text)
}

/// Change records from `BOOKING_CHANGES` rows, oldest first.
pub(super) fn read_changes(mut rows: Rows) -> StoreResult<Vec<BookingChange>> {
    let mut out = Vec::new();
    for mut r in rows.read("booking_changes") {
        r.id("id")?;
        let booking_id = BookingId(r.int("booking_id")?);
        let at = r.time("changed_at")?;
        let by = r.opt_int("changed_by")?.map(UserId);
        let kind = r.parsed("kind", "a kind of change", parse_change_kind)?;
        let (from_start, to_start) = (r.opt_time("from_start")?, r.opt_time("to_start")?);
        let from: Vec<NamedTherapist> = r.json("from_therapists", "a list of therapists")?;
        let to: Vec<NamedTherapist> = r.json("to_therapists", "a list of therapists")?;
        let change = match (kind, from_start, to_start) {
            ("moved", Some(from), Some(to)) => Change::Moved { from, to },
            ("moved", _, _) => return Err(r.corrupt("a move needs from_start and to_start")),
            ("reassigned", _, _) => Change::Reassigned { from, to },
            _ => Change::Cancelled,
        };
        out.push(BookingChange { booking_id, at, by, change });
    }
    Ok(out)
}
