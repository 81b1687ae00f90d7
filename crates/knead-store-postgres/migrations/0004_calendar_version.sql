-- A calendar version: one number that moves whenever anything availability depends on changes, so every
-- server can keep its route-days in memory and rebuild them only when the number moved. Triggers bump it in
-- the same transaction as the change, so a reader who sees the new number also sees the new data.

create table calendar_version (
    id integer not null constraint calendar_version_pkey primary key,
    version bigint not null,
    constraint calendar_version_single_row check (id = 1)
);
insert into calendar_version (id, version) values (1, 1);

create function bump_calendar_version() returns trigger language plpgsql as $$
begin
    update calendar_version set version = version + 1 where id = 1;
    return null;
end
$$;

create trigger visits_bumps_calendar after insert or update or delete on visits
    for each statement execute function bump_calendar_version();

create trigger therapist_schedules_bumps_calendar after insert or update or delete on therapist_schedules
    for each statement execute function bump_calendar_version();

create trigger therapist_services_bumps_calendar after insert or update or delete on therapist_services
    for each statement execute function bump_calendar_version();

create trigger weekly_hours_bumps_calendar after insert or update or delete on weekly_hours
    for each statement execute function bump_calendar_version();

create trigger day_overrides_bumps_calendar after insert or update or delete on day_overrides
    for each statement execute function bump_calendar_version();

create trigger time_off_bumps_calendar after insert or update or delete on time_off
    for each statement execute function bump_calendar_version();

create trigger practice_settings_bumps_calendar after insert or update or delete on practice_settings
    for each statement execute function bump_calendar_version();

create trigger therapists_bumps_calendar after insert or update or delete on therapists
    for each statement execute function bump_calendar_version();

create trigger clinics_bumps_calendar after insert or update or delete on clinics
    for each statement execute function bump_calendar_version();

create trigger rooms_bumps_calendar after insert or update or delete on rooms
    for each statement execute function bump_calendar_version();
