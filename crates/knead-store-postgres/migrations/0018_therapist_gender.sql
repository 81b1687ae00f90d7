-- Gender preference (issue 13): a therapist may state their gender on the profile, and a client may ask for a
-- therapist of one gender when booking or joining the waitlist; moves, reassignments and day re-plans keep to it.
-- Null: not stated (therapists) or no preference (bookings, waitlist). Same names and values in both adapters.
alter table therapists add column gender text
    constraint therapists_gender_known check (gender in ('female', 'male', 'non_binary'));
alter table bookings add column therapist_gender text
    constraint bookings_therapist_gender_known check (therapist_gender in ('female', 'male', 'non_binary'));
alter table waitlist add column therapist_gender text
    constraint waitlist_therapist_gender_known check (therapist_gender in ('female', 'male', 'non_binary'));
