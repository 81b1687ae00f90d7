-- Group events' follow-ups (issue 14): the organiser's and host's own pages, the attendees' confirmations, the
-- guests' own health check and consent, enquiries a manager accepts, and payments recorded against a group.
-- Same table, column and constraint names as the SQLite adapter's 0021.

-- The sign-up link is meant to be passed round a workplace and grants only taking a sitting; the organiser's page
-- shows it again, so it is kept as given (days booked before this keep only its hash).
alter table chair_days add column signup_token text;

-- Private links to an organiser's or host's page: one per message, hashes only (as manage_links).
create table group_links (
    id bigint generated always as identity primary key,
    booking_id bigint not null constraint group_links_booking_id_fkey references bookings (id),
    token_hash text not null constraint group_links_token_key unique,
    created_at timestamptz not null
);

-- An attendee's further cancel links, one per message sent to them (the first is chair_signups.cancel_token_hash).
create table signup_links (
    id bigint generated always as identity primary key,
    signup_id bigint not null constraint signup_links_signup_id_fkey references chair_signups (id),
    token_hash text not null constraint signup_links_token_key unique,
    created_at timestamptz not null
);

-- The sign-up a message is about (an attendee's confirmation).
alter table jobs add column signup_id bigint constraint jobs_signup_id_fkey references chair_signups (id);

-- Each party guest answers the health check and consents through a link of their own the host passes on; it
-- grants only that (the answers are never shown back through it), so it is kept as given for the host's page.
alter table party_guests add column intake_token text;
alter table party_guests add column answers jsonb;
alter table party_guests add column consented_at timestamptz;
create unique index party_guests_intake_token_key on party_guests (intake_token);

-- An organiser's or host's enquiry; a manager accepts it (booking the group) or declines it.
create table group_enquiries (
    id bigint generated always as identity primary key,
    kind text not null constraint group_enquiries_kind_check check (kind in ('chair_day', 'party')),
    name text not null,
    email text not null,
    phone text not null,
    company text not null,
    service_id bigint constraint group_enquiries_service_id_fkey references services (id),
    address text not null,
    day date not null,
    start_minute integer not null,
    end_minute integer not null,
    chairs integer,
    slot_minutes integer,
    guests integer,
    note text not null,
    status text not null default 'open'
        constraint group_enquiries_status_check check (status in ('open', 'accepted', 'declined')),
    booking_id bigint constraint group_enquiries_booking_id_fkey references bookings (id),
    created_at timestamptz not null,
    decided_at timestamptz,
    decided_by bigint constraint group_enquiries_decided_by_fkey references users (id)
);
create index group_enquiries_status_idx on group_enquiries (status, id);

-- Money received for a group (a party's deposit, its balance or the whole; a company's payment of its invoice).
-- Append-only: a mistake is put right by a manager's note on a new entry, never by changing one.
create table group_payments (
    id bigint generated always as identity primary key,
    booking_id bigint not null constraint group_payments_booking_id_fkey references bookings (id),
    kind text not null constraint group_payments_kind_check check (kind in ('deposit', 'balance', 'whole')),
    amount_cents integer not null constraint group_payments_amount_check check (amount_cents > 0),
    method text not null constraint group_payments_method_check check (method in ('card', 'cash', 'transfer')),
    note text not null,
    recorded_by bigint not null constraint group_payments_recorded_by_fkey references users (id),
    recorded_at timestamptz not null
);
create index group_payments_booking_idx on group_payments (booking_id);

create trigger group_payments_append_only before update or delete on group_payments
    for each row execute function refuse_change();
create trigger group_payments_no_truncate before truncate on group_payments
    for each statement execute function refuse_change();
