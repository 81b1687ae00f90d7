-- What each calendar version changed, so a server keeping route-days in memory rebuilds only the therapist-days a
-- booking touched instead of the whole practice. A change to visits writes one row per visit range it
-- touched (an update both the old and the new) under the version it bumps; the other tables that availability
-- reads still only bump the version, and a version with no row here tells readers to rebuild everything. The
-- log keeps the last 10,000 versions; a reader further behind rebuilds everything.
create table calendar_changes (
    id integer primary key,
    version integer not null,
    therapist_id integer not null,
    block_start integer not null,
    block_end integer not null
);
create index calendar_changes_version_idx on calendar_changes (version);

drop trigger visits_insert_bumps_calendar;
drop trigger visits_update_bumps_calendar;
drop trigger visits_delete_bumps_calendar;

create trigger visits_insert_logs_calendar after insert on visits
begin
    update calendar_version set version = version + 1 where id = 1;
    insert into calendar_changes (version, therapist_id, block_start, block_end)
        select version, new.therapist_id, new.block_start, new.block_end from calendar_version where id = 1;
    delete from calendar_changes where version < (select version from calendar_version where id = 1) - 10000;
end;

create trigger visits_update_logs_calendar after update on visits
begin
    update calendar_version set version = version + 1 where id = 1;
    insert into calendar_changes (version, therapist_id, block_start, block_end)
        select version, old.therapist_id, old.block_start, old.block_end from calendar_version where id = 1;
    insert into calendar_changes (version, therapist_id, block_start, block_end)
        select version, new.therapist_id, new.block_start, new.block_end from calendar_version where id = 1;
end;

create trigger visits_delete_logs_calendar after delete on visits
begin
    update calendar_version set version = version + 1 where id = 1;
    insert into calendar_changes (version, therapist_id, block_start, block_end)
        select version, old.therapist_id, old.block_start, old.block_end from calendar_version where id = 1;
end;
