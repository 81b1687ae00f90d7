-- Safety on home visits: a therapist checks in on arrival and out on leaving. The log is append-only (the
-- triggers refuse changes and truncation, with 0010's refuse_change, as for audit_log), and a visit has at
-- most one check-in and one check-out per therapist. The alerts a check-in causes are jobs (kinds
-- 'safety_alert' and 'safety_escalation'), pointing at the booking and the therapist through the columns jobs
-- already has. Same table, column and constraint names as the SQLite adapter's 0016, in PostgreSQL types.
create table visit_checks (
    id bigint generated always as identity constraint visit_checks_pkey primary key,
    booking_id bigint not null constraint visit_checks_booking_id_fkey references bookings (id),
    therapist_id bigint not null constraint visit_checks_therapist_id_fkey references therapists (id),
    kind text not null,
    checked_at timestamptz not null,
    checked_by bigint constraint visit_checks_checked_by_fkey references users (id),
    note text,
    constraint visit_checks_kind_check check (kind in ('in', 'out')),
    constraint visit_checks_once_key unique (booking_id, therapist_id, kind)
);
create index visit_checks_checked_at_idx on visit_checks (checked_at);

create trigger visit_checks_append_only before update or delete on visit_checks
    for each row execute function refuse_change();
create trigger visit_checks_no_truncate before truncate on visit_checks
    for each statement execute function refuse_change();

-- A therapist's safety jobs at a booking, found when a check-out skips them.
create index jobs_therapist_booking_idx on jobs (booking_id, therapist_id, kind, status);
