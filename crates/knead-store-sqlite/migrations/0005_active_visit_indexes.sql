-- The queries both adapters share (written once, in knead-store) pick active visits with `where active`, the
-- one spelling SQLite and PostgreSQL both read. SQLite uses a partial index only when a query repeats the
-- index's own predicate, so the visit indexes move from `where active = 1` to `where active`, and the overlap
-- triggers, which search them, say it the same way. Same names, same rules.

drop index visits_therapist_time_idx;
drop index visits_room_time_idx;
create index visits_therapist_time_idx on visits (therapist_id, block_start) where active;
create index visits_room_time_idx on visits (room_id, block_start) where active and room_id is not null;

drop trigger visits_no_overlap_insert;
drop trigger visits_no_overlap_update;

create trigger visits_no_overlap_insert before insert on visits when new.active
begin
    select raise(abort, 'visits_no_overlap') where exists (
        select 1 from visits v
        where v.active and v.therapist_id = new.therapist_id
          and v.block_start < new.block_end and new.block_start < v.block_end);
    select raise(abort, 'rooms_no_overlap') where new.room_id is not null and exists (
        select 1 from visits v
        where v.active and v.room_id = new.room_id
          and v.block_start < new.block_end and new.block_start < v.block_end);
end;

create trigger visits_no_overlap_update before update on visits when new.active
begin
    select raise(abort, 'visits_no_overlap') where exists (
        select 1 from visits v
        where v.id <> new.id and v.active and v.therapist_id = new.therapist_id
          and v.block_start < new.block_end and new.block_start < v.block_end);
    select raise(abort, 'rooms_no_overlap') where new.room_id is not null and exists (
        select 1 from visits v
        where v.id <> new.id and v.active and v.room_id = new.room_id
          and v.block_start < new.block_end and new.block_start < v.block_end);
end;
