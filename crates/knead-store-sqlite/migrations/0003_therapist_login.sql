-- A therapist profile may belong to a login, so a therapist sees their own day.
alter table therapists add column user_id integer references users (id) on delete set null;
create unique index therapists_user_id_key on therapists (user_id) where user_id is not null;
