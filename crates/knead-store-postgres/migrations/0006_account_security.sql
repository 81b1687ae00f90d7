-- Accounts before health information arrives: personal access tokens expire, record their last use and can
-- be revoked; a session records when it was last seen, may end for idleness, and may be waiting for a second
-- factor; a user may have a TOTP second factor with single-use recovery codes.
-- Same columns, constraint and index names as the SQLite adapter's 0006, in PostgreSQL types.

alter table api_tokens
    add column expires_at timestamptz,
    -- recorded at most about once a minute per token
    add column last_used_at timestamptz,
    -- kept for the record; a revoked token signs nothing in
    add column revoked_at timestamptz;
-- Tokens made before expiry existed last 90 days from when they were made.
update api_tokens set expires_at = created_at + interval '90 days';
alter table api_tokens
    alter column expires_at set not null,
    add constraint api_tokens_expiry_check check (expires_at > created_at);

alter table sessions
    -- refreshed on use at most about once a minute
    add column last_seen_at timestamptz,
    -- when the session ends unless a request comes first; null: it does not end for idleness
    add column idle_expires_at timestamptz,
    -- signed in with a password and waiting for the second factor: signs nothing in by itself
    add column awaits_second_factor boolean not null default false,
    -- wrong codes offered while waiting; the session ends at five
    add column failed_codes integer not null default 0;
update sessions set last_seen_at = created_at;
alter table sessions
    alter column last_seen_at set not null,
    alter column awaits_second_factor drop default,
    alter column failed_codes drop default;
create index sessions_idle_expires_at_idx on sessions (idle_expires_at);

-- The TOTP secret (base32); pending until confirmed with a valid code. The last accepted time step refuses
-- a code seen once from being used again within its window.
alter table users
    add column totp_secret text,
    add column totp_confirmed_at timestamptz,
    add column totp_last_step bigint;

-- Single-use codes for when the phone is gone: only their SHA-256 is stored.
create table recovery_codes (
    id bigint generated always as identity constraint recovery_codes_pkey primary key,
    user_id bigint not null constraint recovery_codes_user_id_fkey references users (id) on delete cascade,
    code_hash text not null,
    created_at timestamptz not null,
    used_at timestamptz,
    constraint recovery_codes_user_code_key unique (user_id, code_hash)
);
