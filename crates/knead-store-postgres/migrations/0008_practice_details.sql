-- The practice's own details, and clinics that can be archived with rooms that can be removed.
-- Same table, column and constraint names as the SQLite adapter's 0008, in PostgreSQL types.

-- One row: the public name, phone, email and postal address, each validated by
-- knead_core::practice::PracticeDetailsInput before it is written, and null when the practice gives none.
-- Availability does not read it, so it moves no calendar version.
create table practice_details (
    id integer not null constraint practice_details_pkey primary key,
    name text,
    phone text,
    email text,
    address text,
    constraint practice_details_single_row check (id = 1)
);

-- An archived clinic takes no new bookings and is not offered to clients; its bookings keep it.
alter table clinics add column archived boolean not null default false;
-- A removed room keeps its row for the visits it had, and takes no visit again. The calendar version
-- triggers of 0004 already fire on any update of clinics and rooms.
alter table rooms add column archived boolean not null default false;
