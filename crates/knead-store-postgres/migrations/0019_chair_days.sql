-- Office chair-massage days (issue 14). A chair day is a booking whose visits hold one therapist per chair for the
-- whole block; this table keeps the sheet's shape beside it and the hash of the organiser's sign-up link. Attendees
-- sign up without an account: one row each, in one chair at one start; the partial unique index is what keeps two
-- attendees out of one chair, however many race (or however many servers). Same names as the SQLite adapter's 0019,
-- in PostgreSQL types.
create table chair_days (
    id bigint generated always as identity primary key,
    booking_id bigint not null constraint chair_days_booking_id_fkey references bookings (id),
    chairs integer not null constraint chair_days_chairs_check check (chairs between 1 and 8),
    slot_minutes integer not null constraint chair_days_slot_minutes_check check (slot_minutes in (10, 15, 20)),
    break_every_minutes integer not null,
    break_minutes integer not null,
    signup_token_hash text not null constraint chair_days_signup_token_key unique,
    created_at timestamptz not null,
    constraint chair_days_booking_key unique (booking_id)
);

create table chair_signups (
    id bigint generated always as identity primary key,
    chair_day_id bigint not null constraint chair_signups_chair_day_id_fkey references chair_days (id),
    starts_at timestamptz not null,
    chair integer not null constraint chair_signups_chair_check check (chair between 1 and 8),
    name text not null,
    email text not null,
    answers jsonb not null,
    consented_at timestamptz not null,
    cancel_token_hash text not null constraint chair_signups_cancel_token_key unique,
    created_at timestamptz not null,
    cancelled_at timestamptz
);
create unique index chair_signups_one_per_chair on chair_signups (chair_day_id, starts_at, chair)
    where cancelled_at is null;
