-- Accounts before health information arrives: personal access tokens expire, record their last use and can
-- be revoked; a session records when it was last seen, may end for idleness, and may be waiting for a second
-- factor; a user may have a TOTP second factor with single-use recovery codes.
-- Timestamps are integer microseconds since the Unix epoch (UTC), as in 0001.
--
-- SQLite adds a NOT NULL column only with a default, so api_tokens and sessions (which no table references)
-- are rebuilt to read like PostgreSQL's: same columns, same constraint and index names, no defaults.

create table api_tokens_0006 (
    id integer primary key,
    user_id integer not null references users (id) on delete cascade,
    name text not null,
    token_hash text not null,
    created_at integer not null,
    expires_at integer not null,
    -- recorded at most about once a minute per token
    last_used_at integer,
    -- kept for the record; a revoked token signs nothing in
    revoked_at integer,
    constraint api_tokens_token_hash_key unique (token_hash),
    constraint api_tokens_expiry_check check (expires_at > created_at)
);
-- Tokens made before expiry existed last 90 days from when they were made.
insert into api_tokens_0006 (id, user_id, name, token_hash, created_at, expires_at)
    select id, user_id, name, token_hash, created_at, created_at + 7776000000000 from api_tokens;
drop table api_tokens;
alter table api_tokens_0006 rename to api_tokens;
create index api_tokens_user_id_idx on api_tokens (user_id);

create table sessions_0006 (
    token_hash text not null constraint sessions_pkey primary key,
    user_id integer not null references users (id) on delete cascade,
    csrf_token text not null,
    created_at integer not null,
    expires_at integer not null,
    -- refreshed on use at most about once a minute
    last_seen_at integer not null,
    -- when the session ends unless a request comes first; null: it does not end for idleness
    idle_expires_at integer,
    -- signed in with a password and waiting for the second factor: signs nothing in by itself
    awaits_second_factor integer not null,
    -- wrong codes offered while waiting; the session ends at five
    failed_codes integer not null
);
insert into sessions_0006
    (token_hash, user_id, csrf_token, created_at, expires_at, last_seen_at, idle_expires_at, awaits_second_factor,
     failed_codes)
    select token_hash, user_id, csrf_token, created_at, expires_at, created_at, null, 0, 0 from sessions;
drop table sessions;
alter table sessions_0006 rename to sessions;
create index sessions_expires_at_idx on sessions (expires_at);
create index sessions_idle_expires_at_idx on sessions (idle_expires_at);
create index sessions_user_id_idx on sessions (user_id);

-- The TOTP secret (base32); pending until confirmed with a valid code. The last accepted time step refuses
-- a code seen once from being used again within its window.
alter table users add column totp_secret text;
alter table users add column totp_confirmed_at integer;
alter table users add column totp_last_step integer;

-- Single-use codes for when the phone is gone: only their SHA-256 is stored.
create table recovery_codes (
    id integer primary key,
    user_id integer not null references users (id) on delete cascade,
    code_hash text not null,
    created_at integer not null,
    used_at integer,
    constraint recovery_codes_user_code_key unique (user_id, code_hash)
);
