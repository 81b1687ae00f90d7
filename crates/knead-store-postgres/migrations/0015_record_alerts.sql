-- A records alert (a staff notice that the outcome policy newly asks for action) names its episode.
-- Same column and constraint names as the SQLite adapter's 0015, in PostgreSQL types.
alter table jobs add column episode_id bigint constraint jobs_episode_id_fkey references episodes (id);
