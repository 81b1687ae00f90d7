-- knead foundation: accounts, sessions, tokens, catalog and content.
-- Timestamps are integer microseconds since the Unix epoch (UTC).

create table users (
    id integer primary key,
    email text not null,
    name text not null,
    role text not null,
    password_hash text not null,
    created_at integer not null,
    constraint users_email_key unique (email),
    constraint users_role_check check (role in ('client', 'therapist', 'manager'))
);

create table sessions (
    token_hash text not null constraint sessions_pkey primary key,
    user_id integer not null references users (id) on delete cascade,
    csrf_token text not null,
    created_at integer not null,
    expires_at integer not null
);
create index sessions_expires_at_idx on sessions (expires_at);

create table api_tokens (
    id integer primary key,
    user_id integer not null references users (id) on delete cascade,
    name text not null,
    token_hash text not null,
    created_at integer not null,
    constraint api_tokens_token_hash_key unique (token_hash)
);

create table services (
    id integer primary key,
    slug text not null,
    name text not null,
    description text not null,
    duration_minutes integer not null,
    price_cents integer not null,
    modality text not null,
    place text not null,
    kind text not null,
    buffer_minutes integer not null,
    archived integer not null default 0,
    created_at integer not null,
    updated_at integer not null,
    constraint services_slug_key unique (slug),
    constraint services_duration_check check (duration_minutes between 5 and 600),
    constraint services_price_check check (price_cents >= 0),
    constraint services_buffer_check check (buffer_minutes between 0 and 240),
    constraint services_place_check check (place in ('mobile', 'clinic', 'both')),
    constraint services_kind_check check (kind in ('individual', 'couples', 'chair', 'party'))
);

create table service_add_ons (
    service_id integer not null references services (id) on delete cascade,
    position integer not null,
    name text not null,
    price_cents integer not null,
    extra_minutes integer not null,
    constraint service_add_ons_pkey primary key (service_id, position),
    constraint service_add_ons_price_check check (price_cents >= 0),
    constraint service_add_ons_minutes_check check (extra_minutes >= 0)
);

create table therapists (
    id integer primary key,
    slug text not null,
    name text not null,
    credentials text not null,
    registration_number text not null,
    bio text not null,
    -- JSON arrays of strings
    modalities text not null,
    conditions text not null,
    languages text not null,
    archived integer not null default 0,
    created_at integer not null,
    updated_at integer not null,
    constraint therapists_slug_key unique (slug)
);

create table articles (
    id integer primary key,
    slug text not null,
    title text not null,
    summary text not null,
    body_markdown text not null,
    archived integer not null default 0,
    created_at integer not null,
    updated_at integer not null,
    constraint articles_slug_key unique (slug)
);
create index articles_created_at_idx on articles (created_at);
