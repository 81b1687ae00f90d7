-- A calendar version: one number that moves whenever anything availability depends on changes, so every
-- server can keep its route-days in memory and rebuild them only when the number moved. Triggers bump it in
-- the same transaction as the change, so a reader who sees the new number also sees the new data.

create table calendar_version (
    id integer not null constraint calendar_version_pkey primary key,
    version integer not null,
    constraint calendar_version_single_row check (id = 1)
);
insert into calendar_version (id, version) values (1, 1);

create trigger visits_insert_bumps_calendar after insert on visits
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger visits_update_bumps_calendar after update on visits
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger visits_delete_bumps_calendar after delete on visits
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger therapist_schedules_insert_bumps_calendar after insert on therapist_schedules
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger therapist_schedules_update_bumps_calendar after update on therapist_schedules
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger therapist_schedules_delete_bumps_calendar after delete on therapist_schedules
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger therapist_services_insert_bumps_calendar after insert on therapist_services
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger therapist_services_update_bumps_calendar after update on therapist_services
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger therapist_services_delete_bumps_calendar after delete on therapist_services
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger weekly_hours_insert_bumps_calendar after insert on weekly_hours
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger weekly_hours_update_bumps_calendar after update on weekly_hours
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger weekly_hours_delete_bumps_calendar after delete on weekly_hours
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger day_overrides_insert_bumps_calendar after insert on day_overrides
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger day_overrides_update_bumps_calendar after update on day_overrides
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger day_overrides_delete_bumps_calendar after delete on day_overrides
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger time_off_insert_bumps_calendar after insert on time_off
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger time_off_update_bumps_calendar after update on time_off
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger time_off_delete_bumps_calendar after delete on time_off
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger practice_settings_insert_bumps_calendar after insert on practice_settings
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger practice_settings_update_bumps_calendar after update on practice_settings
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger practice_settings_delete_bumps_calendar after delete on practice_settings
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger therapists_insert_bumps_calendar after insert on therapists
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger therapists_update_bumps_calendar after update on therapists
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger therapists_delete_bumps_calendar after delete on therapists
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger clinics_insert_bumps_calendar after insert on clinics
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger clinics_update_bumps_calendar after update on clinics
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger clinics_delete_bumps_calendar after delete on clinics
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger rooms_insert_bumps_calendar after insert on rooms
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger rooms_update_bumps_calendar after update on rooms
begin
    update calendar_version set version = version + 1 where id = 1;
end;

create trigger rooms_delete_bumps_calendar after delete on rooms
begin
    update calendar_version set version = version + 1 where id = 1;
end;
