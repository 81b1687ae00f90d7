-- Day planning (issue 13): what a re-plan of the day may change about a booking.
-- arrive_from / arrive_until: the arrival window the client accepted (the visit may start anywhere in it, ends
-- included); both null for a fixed start. therapists_named: the client chose the therapist(s), who then stay.
-- Same column names as the PostgreSQL adapter's 0017; instants as integer microseconds UTC.
alter table bookings add column arrive_from integer;
alter table bookings add column arrive_until integer;
alter table bookings add column therapists_named integer not null default 0;
