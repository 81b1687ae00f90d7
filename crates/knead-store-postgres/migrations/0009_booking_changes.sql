-- What a staff member changed about a booking (moved, reassigned, cancelled by the practice), written in the
-- same transaction as the change, for the client to be told. Same table, column and constraint names as the
-- SQLite adapter's 0009, in PostgreSQL types.

-- from_start/to_start for a move, from_therapists/to_therapists (JSON lists of {id, name}) for a reassignment,
-- neither for a cancellation. Availability does not read it, so it moves no calendar version.
create table booking_changes (
    id bigint generated always as identity constraint booking_changes_pkey primary key,
    booking_id bigint not null constraint booking_changes_booking_id_fkey references bookings (id) on delete cascade,
    changed_at timestamptz not null,
    changed_by bigint constraint booking_changes_changed_by_fkey references users (id) on delete set null,
    kind text not null,
    from_start timestamptz,
    to_start timestamptz,
    from_therapists jsonb,
    to_therapists jsonb,
    constraint booking_changes_kind_check check (kind in ('moved', 'reassigned', 'cancelled'))
);
create index booking_changes_booking_idx on booking_changes (booking_id, id);
