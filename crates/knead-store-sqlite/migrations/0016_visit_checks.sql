-- Safety on home visits: a therapist checks in on arrival and out on leaving. The log is append-only (the
-- triggers refuse changes, as for audit_log), and a visit has at most one check-in and one check-out per
-- therapist. The alerts a check-in causes are jobs (kinds 'safety_alert' and 'safety_escalation'), pointing
-- at the booking and the therapist through the columns jobs already has. Same table, column and constraint
-- names as the PostgreSQL adapter's 0016.
create table visit_checks (
    id integer primary key,
    booking_id integer not null constraint visit_checks_booking_id_fkey references bookings (id),
    therapist_id integer not null constraint visit_checks_therapist_id_fkey references therapists (id),
    kind text not null,
    checked_at integer not null,
    checked_by integer constraint visit_checks_checked_by_fkey references users (id),
    note text,
    constraint visit_checks_kind_check check (kind in ('in', 'out')),
    constraint visit_checks_once_key unique (booking_id, therapist_id, kind)
);
create index visit_checks_checked_at_idx on visit_checks (checked_at);

create trigger visit_checks_no_update before update on visit_checks
begin
    select raise(abort, 'visit_checks_append_only');
end;

create trigger visit_checks_no_delete before delete on visit_checks
begin
    select raise(abort, 'visit_checks_append_only');
end;

-- A therapist's safety jobs at a booking, found when a check-out skips them.
create index jobs_therapist_booking_idx on jobs (booking_id, therapist_id, kind, status);
