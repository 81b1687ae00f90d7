-- Password resets: one row per emailed link (only the SHA-256 of its token), good for an hour and once.
-- Same table, column and constraint names as the SQLite adapter's 0014, in PostgreSQL types.
create table password_resets (
    id bigint generated always as identity primary key,
    user_id bigint not null constraint password_resets_user_id_fkey references users (id) on delete cascade,
    token_hash text not null constraint password_resets_token_key unique,
    created_at timestamptz not null,
    expires_at timestamptz not null,
    used_at timestamptz
);
create index password_resets_user_idx on password_resets (user_id);
