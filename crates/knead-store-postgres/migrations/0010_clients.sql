-- Clients and their health information: the client record every booking belongs to, the versions of a
-- client's health history, the red-flag screenings, the clearances that release a held booking, and the
-- append-only, hash-chained audit log of every read and change of health information. Same table, column and
-- constraint names as the SQLite adapter's 0010, in PostgreSQL types. Availability reads none of these tables,
-- so none of them moves the calendar version.

-- Emails are not unique: two people may share one (a couple, a parent and child). Lookups compare lower(email),
-- through the index on it. user_id is the client's login, at most one record per login.
create table clients (
    id bigint generated always as identity constraint clients_pkey primary key,
    name text not null,
    email text not null,
    phone text not null,
    date_of_birth date,
    -- JSON list of knead_core::intake::SavedAddress
    addresses jsonb not null default '[]',
    user_id bigint constraint clients_user_id_fkey references users (id),
    created_at timestamptz not null,
    constraint clients_user_id_key unique (user_id)
);
create index clients_email_idx on clients (lower(email));

-- A screening is made before the booking it is for (the booking flow asks first), so both links are filled in
-- later: the client once known, the booking once made. Emergency screenings are kept though no booking follows.
create table screenings (
    -- 32 random lowercase hex characters: unguessable, as the flow creates screenings without a sign-in
    id text not null constraint screenings_pkey primary key,
    -- JSON of knead_core::intake::ScreeningAnswers
    answers jsonb not null,
    level text not null,
    -- JSON list of knead_core::intake::screening::Reason
    reasons jsonb not null,
    client_id bigint constraint screenings_client_id_fkey references clients (id),
    booking_id bigint constraint screenings_booking_id_fkey references bookings (id),
    created_at timestamptz not null,
    constraint screenings_level_check check (level in ('clear', 'routine', 'urgent', 'emergency'))
);
create index screenings_client_idx on screenings (client_id, created_at);
create index screenings_level_idx on screenings (level, created_at);

-- A held booking keeps status 'confirmed' (its visits stay active: the time is kept) with awaiting_clearance
-- set until staff record a clearance: the same two columns as SQLite's, which cannot change a check without
-- rebuilding the table.
alter table bookings add column client_id bigint constraint bookings_client_id_fkey references clients (id);
alter table bookings add column reason text;
alter table bookings add column screening_id text constraint bookings_screening_id_fkey references screenings (id);
-- JSON list of add-on names
alter table bookings add column add_ons jsonb not null default '[]';
alter table bookings add column notes text not null default '';
alter table bookings add column awaiting_clearance boolean not null default false;
create index bookings_client_id_idx on bookings (client_id);
create index bookings_starts_at_idx on bookings (starts_at);

-- Every existing booking onto a client record. A client login with bookings gets a record linked to it
-- (its name and email, the phone of its latest booking).
insert into clients (name, email, phone, date_of_birth, addresses, user_id, created_at)
select u.name, u.email,
       (select b.client_phone from bookings b where b.client_user_id = u.id
        order by b.created_at desc, b.id desc limit 1),
       null::date, '[]'::jsonb, u.id, u.created_at
from users u
where exists (select 1 from bookings b where b.client_user_id = u.id)
order by u.id;

-- Guests get one record per email and exact name: two different names on one email are two people until staff
-- say otherwise. A guest booking with the name and email of a login's record joins that record.
insert into clients (name, email, phone, date_of_birth, addresses, user_id, created_at)
select g.client_name, g.email,
       (select b.client_phone from bookings b
        where b.client_user_id is null and lower(b.client_email) = g.email and b.client_name = g.client_name
        order by b.created_at desc, b.id desc limit 1),
       null::date, '[]'::jsonb, null::bigint, g.first_at
from (select client_name, lower(client_email) as email, min(created_at) as first_at, min(id) as first_id
      from bookings where client_user_id is null
      group by lower(client_email), client_name) g
where not exists (select 1 from clients c where lower(c.email) = g.email and c.name = g.client_name)
order by g.first_at, g.first_id;

update bookings set client_id = (select c.id from clients c where c.user_id = bookings.client_user_id)
where client_user_id is not null;

update bookings set client_id = (select min(c.id) from clients c
                                 where lower(c.email) = lower(bookings.client_email)
                                   and c.name = bookings.client_name)
where client_user_id is null;

-- Each version of a client's health history, numbered from 1; never changed or removed (the triggers refuse).
create table intakes (
    client_id bigint not null constraint intakes_client_id_fkey references clients (id),
    version bigint not null,
    -- JSON of knead_core::intake::HealthHistory
    answers jsonb not null,
    submitted_by bigint constraint intakes_submitted_by_fkey references users (id),
    created_at timestamptz not null,
    constraint intakes_pkey primary key (client_id, version),
    constraint intakes_version_check check (version >= 1)
);

-- One function refuses for every append-only table, naming it ('intakes_append_only').
create function refuse_change() returns trigger language plpgsql as $$
begin
    raise exception '%_append_only', tg_table_name;
end
$$;

create trigger intakes_append_only before update or delete on intakes
    for each row execute function refuse_change();
create trigger intakes_no_truncate before truncate on intakes
    for each statement execute function refuse_change();

-- A physician's clearance, recorded by staff, that confirmed a held booking (at most one per booking).
create table clearances (
    booking_id bigint not null constraint clearances_pkey primary key
        constraint clearances_booking_id_fkey references bookings (id),
    cleared_by text not null,
    note text not null,
    recorded_by bigint not null constraint clearances_recorded_by_fkey references users (id),
    recorded_at timestamptz not null
);

-- The audit log: append-only (the triggers refuse changes) and hash-chained (knead_core::intake::audit), so
-- an edit by someone who drops the triggers still shows. actor and client_id are plain ids, not foreign keys:
-- an entry outlives what it names, and a cascade would be an edit. A unique prev_hash is the backstop
-- against a forked chain.
create table audit_log (
    id bigint generated always as identity constraint audit_log_pkey primary key,
    at timestamptz not null,
    actor bigint,
    client_id bigint,
    action text not null,
    record text not null,
    record_id text not null,
    prev_hash text not null,
    hash text not null,
    constraint audit_log_action_check check (action in ('read', 'create', 'change', 'export')),
    constraint audit_log_prev_hash_key unique (prev_hash)
);
create index audit_log_client_idx on audit_log (client_id, id);

create trigger audit_log_append_only before update or delete on audit_log
    for each row execute function refuse_change();
create trigger audit_log_no_truncate before truncate on audit_log
    for each statement execute function refuse_change();
