-- The change log is trimmed once every 1,000 versions instead of at every commit. Every commit stamping visit
-- changes holds the calendar version's row lock until it ends, and the trim ran inside that lock: on PostgreSQL a
-- deleted row's index entry stays until vacuum, so each trim first stepped over every row the trims before it had
-- deleted, and the commits of all bookings queued behind that walk (16 clients booking at once: about 470 bookings
-- a second with it, 830 to 900 without). The log still keeps at least the last 10,000 versions, far more than a
-- reader looks back.
create or replace function stamp_calendar_changes() returns trigger language plpgsql as $$
declare
    stamped bigint;
begin
    if exists (select 1 from calendar_changes where version is null) then
        update calendar_version set version = version + 1 where id = 1 returning version into stamped;
        update calendar_changes set version = stamped where version is null;
        if stamped % 1000 = 0 then
            delete from calendar_changes where version <= stamped - 10000;
        end if;
    end if;
    return null;
end
$$;
