-- Availability reads the services too (a visit's length, buffer, place, the therapists it needs, whether it is
-- for sale, its add-ons) and the starts the waitlist's live offers hold, so servers keep them with the settings
-- and schedules under the calendar version: a change to a service or its add-ons, and an offer made, taken, given
-- back or lapsed, moves the version like any change availability reads besides visits. Waitlist changes that
-- touch no offer (joining, leaving while waiting, expiring) leave it alone.

create trigger services_insert_bumps_calendar after insert on services
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger services_update_bumps_calendar after update on services
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger services_delete_bumps_calendar after delete on services
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger service_add_ons_insert_bumps_calendar after insert on service_add_ons
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger service_add_ons_update_bumps_calendar after update on service_add_ons
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger service_add_ons_delete_bumps_calendar after delete on service_add_ons
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger waitlist_offer_made_bumps_calendar after insert on waitlist when new.status = 'offered'
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger waitlist_offer_changed_bumps_calendar after update on waitlist
    when old.status = 'offered' or new.status = 'offered'
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger waitlist_offer_removed_bumps_calendar after delete on waitlist when old.status = 'offered'
begin
    update calendar_version set version = version + 1 where id = 1;
end;
