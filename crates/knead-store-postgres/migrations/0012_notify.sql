-- Notifications: the jobs that send messages (written in the same transaction as the change that causes
-- them), the extra private links a booking's client was sent, the booking's revision (an .ics SEQUENCE), and
-- the private calendar feeds. Same table, column and constraint names as the SQLite adapter's 0012, in
-- PostgreSQL types.

-- Raised by every move and by the cancellation.
alter table bookings add column revision integer not null default 0;

-- A job is claimed by a compare-and-set on (status, lease_until): one server wins, the others see the row
-- changed. message_id .. calendar hold the message as it went out (or was filed in the outbox).
create table jobs (
    id bigint generated always as identity primary key,
    kind text not null,
    booking_id bigint constraint jobs_booking_id_fkey references bookings (id) on delete cascade,
    therapist_id bigint constraint jobs_therapist_id_fkey references therapists (id),
    user_id bigint constraint jobs_user_id_fkey references users (id) on delete cascade,
    visit_start timestamptz,
    status text not null default 'pending',
    attempts integer not null default 0,
    run_at timestamptz not null,
    lease_until timestamptz,
    worker text,
    last_error text,
    created_at timestamptz not null,
    finished_at timestamptz,
    message_id text,
    recipient text,
    subject text,
    body_text text,
    body_html text,
    calendar text,
    constraint jobs_status_check check (status in ('pending', 'running', 'sent', 'outbox', 'failed', 'skipped'))
);
create index jobs_due_idx on jobs (status, run_at);
create index jobs_booking_idx on jobs (booking_id);

-- A booking's private links beyond the first (bookings.manage_token_hash): one for each confirmation or
-- re-sent link, and for a refreshed confirmation page. Only the SHA-256 of each is kept.
create table manage_links (
    id bigint generated always as identity primary key,
    booking_id bigint not null constraint manage_links_booking_id_fkey references bookings (id) on delete cascade,
    token_hash text not null constraint manage_links_token_key unique,
    created_at timestamptz not null
);
create index manage_links_booking_idx on manage_links (booking_id);

-- A private iCal feed of one therapist's or one client's visits. A new feed for the same owner revokes the
-- old one (revoked_at set); only the SHA-256 of the URL's token is kept.
create table calendar_feeds (
    id bigint generated always as identity primary key,
    therapist_id bigint constraint calendar_feeds_therapist_id_fkey references therapists (id),
    client_id bigint constraint calendar_feeds_client_id_fkey references clients (id),
    token_hash text not null constraint calendar_feeds_token_key unique,
    created_at timestamptz not null,
    revoked_at timestamptz,
    constraint calendar_feeds_owner_check check ((therapist_id is null) <> (client_id is null))
);
-- One live feed per owner: of two replacements at once, one wins.
create unique index calendar_feeds_therapist_key on calendar_feeds (therapist_id) where revoked_at is null;
create unique index calendar_feeds_client_key on calendar_feeds (client_id) where revoked_at is null;
