-- What each calendar version changed, so a server keeping route-days in memory rebuilds only the therapist-days a
-- booking touched instead of the whole practice. A change to visits writes one row per visit range it touched
-- (an update both the old and the new), unstamped; at commit, a deferred trigger bumps the version once for the
-- transaction and stamps its rows with it. The version's row lock is so held only while the transaction commits
-- (bookings of different therapists no longer queue on it for their whole transaction), and versions still
-- become visible in order: a reader who sees version n sees every change stamped up to n. The other tables that
-- availability reads still bump the version directly; a version with no row here tells readers to rebuild
-- everything. The log keeps the last 10,000 versions; a reader further behind rebuilds everything.
create table calendar_changes (
    id bigint generated always as identity constraint calendar_changes_pkey primary key,
    version bigint,
    therapist_id bigint not null,
    block_start timestamptz not null,
    block_end timestamptz not null
);
create index calendar_changes_version_idx on calendar_changes (version);
create index calendar_changes_unstamped_idx on calendar_changes (id) where version is null;

drop trigger visits_bumps_calendar on visits;

create function log_visit_change() returns trigger language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') then
        insert into calendar_changes (therapist_id, block_start, block_end)
            values (old.therapist_id, old.block_start, old.block_end);
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        insert into calendar_changes (therapist_id, block_start, block_end)
            values (new.therapist_id, new.block_start, new.block_end);
    end if;
    return null;
end
$$;

create trigger visits_log_calendar after insert or update or delete on visits
    for each row execute function log_visit_change();

-- Runs at commit, once per row logged; the first stamps them all and the rest find nothing unstamped. Only this
-- transaction's unstamped rows are visible to it: every committed row was stamped before its commit.
create function stamp_calendar_changes() returns trigger language plpgsql as $$
declare
    stamped bigint;
begin
    if exists (select 1 from calendar_changes where version is null) then
        update calendar_version set version = version + 1 where id = 1 returning version into stamped;
        update calendar_changes set version = stamped where version is null;
        delete from calendar_changes where version < stamped - 10000;
    end if;
    return null;
end
$$;

create constraint trigger calendar_changes_stamped_at_commit after insert on calendar_changes
    deferrable initially deferred for each row execute function stamp_calendar_changes();
