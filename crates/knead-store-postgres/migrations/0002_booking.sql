-- Booking: practice settings, clinics and rooms, therapists' schedules, bookings and their visits.
-- Same tables and constraint names as the SQLite adapter's 0002, in PostgreSQL types.

create table practice_settings (
    id integer not null constraint practice_settings_pkey primary key,
    -- knead_core::calendar::PracticeSettings, validated before it is written
    settings jsonb not null,
    constraint practice_settings_single_row check (id = 1)
);

create table clinics (
    id bigint generated always as identity constraint clinics_pkey primary key,
    name text not null,
    address text not null,
    lat double precision not null,
    lon double precision not null
);

create table rooms (
    id bigint generated always as identity constraint rooms_pkey primary key,
    clinic_id bigint not null constraint rooms_clinic_id_fkey references clinics (id) on delete cascade,
    name text not null,
    constraint rooms_clinic_name_key unique (clinic_id, name)
);

create table therapist_schedules (
    therapist_id bigint not null constraint therapist_schedules_pkey primary key
        constraint therapist_schedules_therapist_id_fkey references therapists (id) on delete cascade,
    base_lat double precision not null,
    base_lon double precision not null,
    radius_km double precision not null,
    constraint therapist_schedules_radius_check check (radius_km > 0)
);

create table therapist_services (
    therapist_id bigint not null constraint therapist_services_therapist_id_fkey references therapists (id) on delete cascade,
    service_id bigint not null constraint therapist_services_service_id_fkey references services (id) on delete cascade,
    constraint therapist_services_pkey primary key (therapist_id, service_id)
);
-- Deleting a service cascades here; without this index that would scan every therapist's services.
create index therapist_services_service_idx on therapist_services (service_id);

create table weekly_hours (
    therapist_id bigint not null constraint weekly_hours_therapist_id_fkey references therapists (id) on delete cascade,
    weekday integer not null,
    start_minute integer not null,
    end_minute integer not null,
    constraint weekly_hours_weekday_check check (weekday between 1 and 7),
    constraint weekly_hours_range_check check (start_minute >= 0 and end_minute <= 1440 and end_minute > start_minute)
);
create index weekly_hours_therapist_idx on weekly_hours (therapist_id);

create table day_overrides (
    therapist_id bigint not null constraint day_overrides_therapist_id_fkey references therapists (id) on delete cascade,
    -- local date in the practice's zone
    day date not null,
    -- [[start_minute, end_minute], ...]; empty = day off
    windows jsonb not null,
    constraint day_overrides_pkey primary key (therapist_id, day)
);

create table time_off (
    id bigint generated always as identity constraint time_off_pkey primary key,
    therapist_id bigint not null constraint time_off_therapist_id_fkey references therapists (id) on delete cascade,
    starts_at timestamptz not null,
    ends_at timestamptz not null,
    constraint time_off_range_check check (ends_at > starts_at)
);
create index time_off_therapist_idx on time_off (therapist_id, starts_at);

create table bookings (
    id bigint generated always as identity constraint bookings_pkey primary key,
    service_id bigint not null constraint bookings_service_id_fkey references services (id),
    status text not null,
    starts_at timestamptz not null,
    ends_at timestamptz not null,
    lat double precision,
    lon double precision,
    address text,
    clinic_id bigint constraint bookings_clinic_id_fkey references clinics (id),
    client_name text not null,
    client_email text not null,
    client_phone text not null,
    client_user_id bigint constraint bookings_client_user_id_fkey references users (id),
    price_cents bigint not null,
    travel_fee_cents bigint not null,
    manage_token_hash text not null,
    idempotency_key text,
    request_fingerprint text not null,
    created_at timestamptz not null,
    cancelled_at timestamptz,
    constraint bookings_status_check check (status in ('confirmed', 'cancelled')),
    constraint bookings_manage_token_key unique (manage_token_hash),
    constraint bookings_idempotency_key unique (idempotency_key)
);
create index bookings_client_idx on bookings (client_user_id);

create table visits (
    id bigint generated always as identity constraint visits_pkey primary key,
    booking_id bigint not null constraint visits_booking_id_fkey references bookings (id) on delete cascade,
    therapist_id bigint not null constraint visits_therapist_id_fkey references therapists (id),
    room_id bigint constraint visits_room_id_fkey references rooms (id),
    -- the time blocked: treatment plus set-up and pack-up buffers (travel is checked by the engine)
    block_start timestamptz not null,
    block_end timestamptz not null,
    lat double precision not null,
    lon double precision not null,
    travel_before_min integer not null,
    travel_after_min integer not null,
    active boolean not null default true,
    constraint visits_range_check check (block_end > block_start),
    -- The backstop against double booking: a therapist's (or a room's) active visits never overlap.
    -- Writers also serialise on per-therapist advisory locks and re-check travel before inserting.
    constraint visits_no_overlap exclude using gist (therapist_id with =, tstzrange(block_start, block_end) with &&)
        where (active),
    constraint rooms_no_overlap exclude using gist (room_id with =, tstzrange(block_start, block_end) with &&)
        where (active and room_id is not null)
);
create index visits_therapist_time_idx on visits (therapist_id, block_start) where active;
create index visits_room_time_idx on visits (room_id, block_start) where active and room_id is not null;
create index visits_booking_idx on visits (booking_id);
