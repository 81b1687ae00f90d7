-- Spa parties (issue 14). A party is a booking whose visits hold its therapists at the host's home for the whole
-- window; each guest's own treatment, with whom and when inside that window, is a row here, written in the same
-- transaction as the booking. Same names in both adapters; instants as integer microseconds UTC.
create table party_guests (
    id integer primary key,
    booking_id integer not null constraint party_guests_booking_id_fkey references bookings (id),
    position integer not null,
    name text not null,
    service_id integer not null constraint party_guests_service_id_fkey references services (id),
    add_ons text not null,
    therapist_id integer not null constraint party_guests_therapist_id_fkey references therapists (id),
    starts_at integer not null,
    ends_at integer not null,
    constraint party_guests_position_key unique (booking_id, position),
    constraint party_guests_order_check check (starts_at < ends_at)
);
