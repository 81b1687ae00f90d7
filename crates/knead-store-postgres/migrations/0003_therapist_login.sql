-- A therapist profile may belong to a login, so a therapist sees their own day.
-- Same column and constraint name as the SQLite adapter's 0003; unique allows many nulls in PostgreSQL.
alter table therapists add column user_id bigint
    constraint therapists_user_id_fkey references users (id) on delete set null
    constraint therapists_user_id_key unique;
