-- Availability reads the services too (a visit's length, buffer, place, the therapists it needs, whether it is
-- for sale, its add-ons) and the starts the waitlist's live offers hold, so servers keep them with the settings
-- and schedules under the calendar version: a change to a service or its add-ons, and an offer made, taken, given
-- back or lapsed, moves the version like any change availability reads besides visits. Waitlist changes that
-- touch no offer (joining, leaving while waiting, expiring) leave it alone.
create trigger services_bumps_calendar after insert or update or delete on services
    for each statement execute function bump_calendar_version();

create trigger service_add_ons_bumps_calendar after insert or update or delete on service_add_ons
    for each statement execute function bump_calendar_version();

create trigger waitlist_offer_made_bumps_calendar after insert on waitlist
    for each row when (new.status = 'offered') execute function bump_calendar_version();

create trigger waitlist_offer_changed_bumps_calendar after update on waitlist
    for each row when (old.status = 'offered' or new.status = 'offered') execute function bump_calendar_version();

create trigger waitlist_offer_removed_bumps_calendar after delete on waitlist
    for each row when (old.status = 'offered') execute function bump_calendar_version();
