-- Day planning (issue 13): what a re-plan of the day may change about a booking.
-- arrive_from / arrive_until: the arrival window the client accepted (the visit may start anywhere in it, ends
-- included); both null for a fixed start. therapists_named: the client chose the therapist(s), who then stay.
-- Same column names as the SQLite adapter's 0017, in PostgreSQL types.
alter table bookings add column arrive_from timestamptz;
alter table bookings add column arrive_until timestamptz;
alter table bookings add column therapists_named boolean not null default false;
alter table bookings add constraint bookings_arrival_window check
    ((arrive_from is null) = (arrive_until is null) and (arrive_from is null or arrive_from <= arrive_until));
