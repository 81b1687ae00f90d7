-- Recurring visits and the waitlist. Same table, column and constraint names as the SQLite adapter's
-- 0013, in PostgreSQL types.

-- A series keeps the first visit's local date and wall-clock time and the zone they are in; each visit is
-- a booking of its own that names the series.
create table booking_series (
    id bigint generated always as identity primary key,
    first_date date not null,
    local_time text not null,
    zone text not null,
    every_weeks integer not null constraint booking_series_every_weeks_check check (every_weeks between 1 and 8),
    visits integer not null constraint booking_series_visits_check check (visits between 2 and 26),
    idempotency_key text constraint booking_series_idempotency_key_key unique,
    created_at timestamptz not null
);
alter table bookings add column series_id bigint constraint bookings_series_id_fkey references booking_series (id);

-- A client waiting for a time: the visit they want, where, and which days and local times suit them. An
-- offer holds one start for them until offer_expires_at; passed_start is one they let lapse (not offered
-- to them again).
create table waitlist (
    id bigint generated always as identity primary key,
    service_id bigint not null constraint waitlist_service_id_fkey references services (id),
    client_id bigint constraint waitlist_client_id_fkey references clients (id),
    client_user_id bigint constraint waitlist_client_user_id_fkey references users (id),
    client_name text not null,
    client_email text not null,
    client_phone text not null,
    lat double precision,
    lon double precision,
    address text,
    clinic_id bigint constraint waitlist_clinic_id_fkey references clinics (id),
    reason text,
    screening_id text,
    add_ons jsonb not null,
    first_date date not null,
    last_date date not null,
    weekdays integer not null,
    earliest_minute integer not null,
    latest_minute integer not null,
    status text not null default 'waiting',
    token_hash text not null constraint waitlist_token_key unique,
    offer_start timestamptz,
    offer_therapists jsonb,
    offer_expires_at timestamptz,
    passed_start timestamptz,
    booking_id bigint constraint waitlist_booking_id_fkey references bookings (id),
    created_at timestamptz not null,
    constraint waitlist_status_check check (status in ('waiting', 'offered', 'booked', 'expired', 'left'))
);
create index waitlist_status_idx on waitlist (status, id);

-- The entry's private links beyond the first (waitlist.token_hash): one in each message about it. Only the
-- SHA-256 of each is kept.
create table waitlist_links (
    id bigint generated always as identity primary key,
    waitlist_id bigint not null constraint waitlist_links_waitlist_id_fkey references waitlist (id) on delete cascade,
    token_hash text not null constraint waitlist_links_token_key unique,
    created_at timestamptz not null
);

alter table jobs add column waitlist_id bigint constraint jobs_waitlist_id_fkey references waitlist (id);
