-- What a staff member changed about a booking (moved, reassigned, cancelled by the practice), written in the
-- same transaction as the change, for the client to be told. Same table, column and constraint names as the
-- PostgreSQL adapter's 0009.

-- from_start/to_start for a move, from_therapists/to_therapists (JSON lists of {id, name}) for a reassignment,
-- neither for a cancellation. Availability does not read it, so it moves no calendar version.
create table booking_changes (
    id integer primary key,
    booking_id integer not null constraint booking_changes_booking_id_fkey references bookings (id) on delete cascade,
    changed_at integer not null,
    changed_by integer constraint booking_changes_changed_by_fkey references users (id) on delete set null,
    kind text not null,
    from_start integer,
    to_start integer,
    from_therapists text,
    to_therapists text,
    constraint booking_changes_kind_check check (kind in ('moved', 'reassigned', 'cancelled'))
);
create index booking_changes_booking_idx on booking_changes (booking_id, id);
