-- Booking: practice settings, clinics and rooms, therapists' schedules, bookings and their visits.
-- Timestamps are integer microseconds since the Unix epoch (UTC), as in 0001.

create table practice_settings (
    id integer not null constraint practice_settings_pkey primary key,
    -- JSON of knead_core::calendar::PracticeSettings, validated before it is written
    settings text not null,
    constraint practice_settings_single_row check (id = 1)
);

create table clinics (
    id integer primary key,
    name text not null,
    address text not null,
    lat real not null,
    lon real not null
);

create table rooms (
    id integer primary key,
    clinic_id integer not null references clinics (id) on delete cascade,
    name text not null,
    constraint rooms_clinic_name_key unique (clinic_id, name)
);

create table therapist_schedules (
    therapist_id integer not null constraint therapist_schedules_pkey primary key references therapists (id) on delete cascade,
    base_lat real not null,
    base_lon real not null,
    radius_km real not null,
    constraint therapist_schedules_radius_check check (radius_km > 0)
);

create table therapist_services (
    therapist_id integer not null references therapists (id) on delete cascade,
    service_id integer not null references services (id) on delete cascade,
    constraint therapist_services_pkey primary key (therapist_id, service_id)
);

create table weekly_hours (
    therapist_id integer not null references therapists (id) on delete cascade,
    weekday integer not null,
    start_minute integer not null,
    end_minute integer not null,
    constraint weekly_hours_weekday_check check (weekday between 1 and 7),
    constraint weekly_hours_range_check check (start_minute >= 0 and end_minute <= 1440 and end_minute > start_minute)
);
create index weekly_hours_therapist_idx on weekly_hours (therapist_id);

create table day_overrides (
    therapist_id integer not null references therapists (id) on delete cascade,
    -- local date, YYYY-MM-DD
    day text not null,
    -- JSON [[start_minute, end_minute], ...]; empty = day off
    windows text not null,
    constraint day_overrides_pkey primary key (therapist_id, day)
);

create table time_off (
    id integer primary key,
    therapist_id integer not null references therapists (id) on delete cascade,
    starts_at integer not null,
    ends_at integer not null,
    constraint time_off_range_check check (ends_at > starts_at)
);
create index time_off_therapist_idx on time_off (therapist_id, starts_at);

create table bookings (
    id integer primary key,
    service_id integer not null references services (id),
    status text not null,
    starts_at integer not null,
    ends_at integer not null,
    lat real,
    lon real,
    address text,
    clinic_id integer references clinics (id),
    client_name text not null,
    client_email text not null,
    client_phone text not null,
    client_user_id integer references users (id),
    price_cents integer not null,
    travel_fee_cents integer not null,
    manage_token_hash text not null,
    idempotency_key text,
    request_fingerprint text not null,
    created_at integer not null,
    cancelled_at integer,
    constraint bookings_status_check check (status in ('confirmed', 'cancelled')),
    constraint bookings_manage_token_key unique (manage_token_hash),
    constraint bookings_idempotency_key unique (idempotency_key)
);
create index bookings_client_idx on bookings (client_user_id);

create table visits (
    id integer primary key,
    booking_id integer not null references bookings (id) on delete cascade,
    therapist_id integer not null references therapists (id),
    room_id integer references rooms (id),
    -- the time blocked: treatment plus set-up and pack-up buffers (travel is checked by the engine)
    block_start integer not null,
    block_end integer not null,
    lat real not null,
    lon real not null,
    travel_before_min integer not null,
    travel_after_min integer not null,
    active integer not null default 1,
    constraint visits_range_check check (block_end > block_start)
);
create index visits_therapist_time_idx on visits (therapist_id, block_start) where active = 1;
create index visits_room_time_idx on visits (room_id, block_start) where active = 1 and room_id is not null;
create index visits_booking_idx on visits (booking_id);

-- The backstop against double booking: a therapist's (or a room's) active visits never overlap.
-- Writers also serialise on BEGIN IMMEDIATE and re-check travel before inserting.
create trigger visits_no_overlap_insert before insert on visits when new.active = 1
begin
    select raise(abort, 'visits_no_overlap') where exists (
        select 1 from visits v
        where v.active = 1 and v.therapist_id = new.therapist_id
          and v.block_start < new.block_end and new.block_start < v.block_end);
    select raise(abort, 'rooms_no_overlap') where new.room_id is not null and exists (
        select 1 from visits v
        where v.active = 1 and v.room_id = new.room_id
          and v.block_start < new.block_end and new.block_start < v.block_end);
end;

create trigger visits_no_overlap_update before update on visits when new.active = 1
begin
    select raise(abort, 'visits_no_overlap') where exists (
        select 1 from visits v
        where v.id <> new.id and v.active = 1 and v.therapist_id = new.therapist_id
          and v.block_start < new.block_end and new.block_start < v.block_end);
    select raise(abort, 'rooms_no_overlap') where new.room_id is not null and exists (
        select 1 from visits v
        where v.id <> new.id and v.active = 1 and v.room_id = new.room_id
          and v.block_start < new.block_end and new.block_start < v.block_end);
end;
