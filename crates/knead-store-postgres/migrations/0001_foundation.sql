-- knead foundation: accounts, sessions, tokens, catalog and content.
-- Same tables and constraint names as the SQLite adapter, in PostgreSQL types.

-- Later migrations use exclusion constraints over (therapist, time range), which need btree_gist.
create extension if not exists btree_gist;

create table users (
    id bigint generated always as identity constraint users_pkey primary key,
    email text not null,
    name text not null,
    role text not null,
    password_hash text not null,
    created_at timestamptz not null,
    constraint users_email_key unique (email),
    constraint users_role_check check (role in ('client', 'therapist', 'manager'))
);

create table sessions (
    token_hash text not null constraint sessions_pkey primary key,
    user_id bigint not null constraint sessions_user_id_fkey references users (id) on delete cascade,
    csrf_token text not null,
    created_at timestamptz not null,
    expires_at timestamptz not null
);
create index sessions_expires_at_idx on sessions (expires_at);
-- Deleting a user cascades here; without this index that would scan every session.
create index sessions_user_id_idx on sessions (user_id);

create table api_tokens (
    id bigint generated always as identity constraint api_tokens_pkey primary key,
    user_id bigint not null constraint api_tokens_user_id_fkey references users (id) on delete cascade,
    name text not null,
    token_hash text not null,
    created_at timestamptz not null,
    constraint api_tokens_token_hash_key unique (token_hash)
);
create index api_tokens_user_id_idx on api_tokens (user_id);

create table services (
    id bigint generated always as identity constraint services_pkey primary key,
    slug text not null,
    name text not null,
    description text not null,
    duration_minutes integer not null,
    price_cents bigint not null,
    modality text not null,
    place text not null,
    kind text not null,
    buffer_minutes integer not null,
    archived boolean not null default false,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    constraint services_slug_key unique (slug),
    constraint services_duration_check check (duration_minutes between 5 and 600),
    constraint services_price_check check (price_cents >= 0),
    constraint services_buffer_check check (buffer_minutes between 0 and 240),
    constraint services_place_check check (place in ('mobile', 'clinic', 'both')),
    constraint services_kind_check check (kind in ('individual', 'couples', 'chair', 'party'))
);

create table service_add_ons (
    service_id bigint not null constraint service_add_ons_service_id_fkey references services (id) on delete cascade,
    position integer not null,
    name text not null,
    price_cents bigint not null,
    extra_minutes integer not null,
    constraint service_add_ons_pkey primary key (service_id, position),
    constraint service_add_ons_price_check check (price_cents >= 0),
    constraint service_add_ons_minutes_check check (extra_minutes >= 0)
);

create table therapists (
    id bigint generated always as identity constraint therapists_pkey primary key,
    slug text not null,
    name text not null,
    credentials text not null,
    registration_number text not null,
    bio text not null,
    -- json arrays of strings, in the order the therapist gave them
    modalities jsonb not null,
    conditions jsonb not null,
    languages jsonb not null,
    archived boolean not null default false,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    constraint therapists_slug_key unique (slug),
    constraint therapists_modalities_check check (jsonb_typeof(modalities) = 'array'),
    constraint therapists_conditions_check check (jsonb_typeof(conditions) = 'array'),
    constraint therapists_languages_check check (jsonb_typeof(languages) = 'array')
);

create table articles (
    id bigint generated always as identity constraint articles_pkey primary key,
    slug text not null,
    title text not null,
    summary text not null,
    body_markdown text not null,
    archived boolean not null default false,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    constraint articles_slug_key unique (slug)
);
create index articles_created_at_idx on articles (created_at);
