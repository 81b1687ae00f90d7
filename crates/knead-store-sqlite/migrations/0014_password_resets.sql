-- Password resets: one row per emailed link (only the SHA-256 of its token), good for an hour and once.
-- Same table, column and constraint names as the PostgreSQL adapter's 0014.
create table password_resets (
    id integer primary key,
    user_id integer not null constraint password_resets_user_id_fkey references users (id) on delete cascade,
    token_hash text not null constraint password_resets_token_key unique,
    created_at integer not null,
    expires_at integer not null,
    used_at integer
);
create index password_resets_user_idx on password_resets (user_id);
