-- Nothing to change here: PostgreSQL's partial visit indexes already say `where active`, the spelling the
-- shared queries use. The SQLite adapter's 0005 moves its own to match; this file keeps the numbers in step.
select 1;
