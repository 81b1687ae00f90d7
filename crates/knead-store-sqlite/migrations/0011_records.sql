-- Care records: episodes of care, treatment plan versions, SOAP notes and their amendments, home programs and
-- the client's exercise logs, outcome measures, referral letters, and the instruments a clinic loaded. Same
-- table, column and constraint names as the PostgreSQL adapter's 0011. Every change of these is written with
-- its audit_log entry in the same transaction (the store does that); the triggers here make the clinical
-- record's promises hold even for a hand-written statement: a signed note or referral never changes, and
-- plans, programs, logs and measures are only ever added to.

-- One condition of one client, from its start to discharge or referral.
create table episodes (
    id integer primary key,
    client_id integer not null constraint episodes_client_id_fkey references clients (id),
    condition text not null,
    side text,
    -- YYYY-MM-DD
    started_on text not null,
    status text not null,
    -- JSON of knead_core::intake::OtherCare
    other_care text not null,
    therapist_id integer constraint episodes_therapist_id_fkey references therapists (id),
    created_by integer not null constraint episodes_created_by_fkey references users (id),
    created_at integer not null,
    constraint episodes_side_check check (side in ('left', 'right', 'both')),
    constraint episodes_status_check check (status in ('active', 'discharged', 'referred'))
);
create index episodes_client_idx on episodes (client_id, created_at);
create index episodes_status_idx on episodes (status, therapist_id);

-- Each version of an episode's plan, numbered from 1; a change is a new version with the consent it carries.
create table treatment_plans (
    episode_id integer not null constraint treatment_plans_episode_id_fkey references episodes (id),
    version integer not null,
    -- JSON list of knead_core::records::plan::Goal
    goals text not null,
    -- JSON list of knead_core::records::plan::PlannedTechnique
    techniques text not null,
    pressure text not null,
    visits_per_week integer,
    every_weeks integer,
    -- YYYY-MM-DD
    review_on text not null,
    -- JSON of knead_core::intake::Consent
    consent text not null,
    created_by integer not null constraint treatment_plans_created_by_fkey references users (id),
    created_at integer not null,
    constraint treatment_plans_pkey primary key (episode_id, version),
    constraint treatment_plans_version_check check (version >= 1),
    constraint treatment_plans_pressure_check check (pressure in ('light', 'moderate', 'firm', 'deep'))
);

create trigger treatment_plans_no_update before update on treatment_plans
begin
    select raise(abort, 'treatment_plans_append_only');
end;

create trigger treatment_plans_no_delete before delete on treatment_plans
begin
    select raise(abort, 'treatment_plans_append_only');
end;

-- A note version. A draft may be edited and then signed (one update from draft to signed); a signed one never
-- changes again. A correction is a new, signed row that amends the version it corrects (at most one amendment
-- per version, so the versions form a line), with who, when and why; the original stays as it was.
create table soap_notes (
    id integer primary key,
    episode_id integer not null constraint soap_notes_episode_id_fkey references episodes (id),
    booking_id integer constraint soap_notes_booking_id_fkey references bookings (id),
    subjective text not null,
    objective text not null,
    assessment text not null,
    plan text not null,
    -- JSON list of strings
    areas_treated text not null,
    -- JSON list of knead_core::records::plan::Technique
    techniques text not null,
    pressure text,
    response text not null,
    self_care text not null,
    referrals text not null,
    started_at integer not null,
    duration_minutes integer not null,
    status text not null,
    therapist_id integer constraint soap_notes_therapist_id_fkey references therapists (id),
    author integer not null constraint soap_notes_author_fkey references users (id),
    created_at integer not null,
    signed_by integer constraint soap_notes_signed_by_fkey references users (id),
    signed_at integer,
    -- SHA-256 (hex) of the content as signed, for `knead audit verify`
    signed_digest text,
    amends integer constraint soap_notes_amends_fkey references soap_notes (id),
    amendment_reason text,
    constraint soap_notes_amends_key unique (amends),
    constraint soap_notes_status_check check (status in ('draft', 'signed')),
    constraint soap_notes_pressure_check check (pressure in ('light', 'moderate', 'firm', 'deep')),
    constraint soap_notes_duration_check check (duration_minutes between 1 and 480),
    constraint soap_notes_signed_check check (
        (status = 'draft' and signed_by is null and signed_at is null and signed_digest is null)
        or (status = 'signed' and signed_by is not null and signed_at is not null and signed_digest is not null)),
    constraint soap_notes_amendment_check check (
        (amends is null and amendment_reason is null)
        or (amends is not null and amendment_reason is not null and status = 'signed'))
);
create index soap_notes_episode_idx on soap_notes (episode_id, created_at);
create index soap_notes_drafts_idx on soap_notes (status, author, created_at);

create trigger soap_notes_signed_no_update before update on soap_notes when old.status = 'signed'
begin
    select raise(abort, 'signed_note_locked');
end;

create trigger soap_notes_signed_no_delete before delete on soap_notes when old.status = 'signed'
begin
    select raise(abort, 'signed_note_locked');
end;

-- Only a signed version is amended: a draft is edited instead.
create trigger soap_notes_amend_signed_only before insert on soap_notes
when new.amends is not null
    and coalesce((select status from soap_notes where id = new.amends), 'signed') <> 'signed'
begin
    select raise(abort, 'signed_note_locked');
end;

-- A program prescribed on an episode; a change is a new program (the newest is the current one).
create table home_programs (
    id integer primary key,
    episode_id integer not null constraint home_programs_episode_id_fkey references episodes (id),
    -- JSON list of knead_core::records::exercises::Prescription
    exercises text not null,
    prescribed_by integer not null constraint home_programs_prescribed_by_fkey references users (id),
    created_at integer not null
);
create index home_programs_episode_idx on home_programs (episode_id, created_at);

create trigger home_programs_no_update before update on home_programs
begin
    select raise(abort, 'home_programs_append_only');
end;

create trigger home_programs_no_delete before delete on home_programs
begin
    select raise(abort, 'home_programs_append_only');
end;

-- What the client did of their program on a day, and their pain that day: one log per program and day.
create table exercise_logs (
    program_id integer not null constraint exercise_logs_program_id_fkey references home_programs (id),
    -- YYYY-MM-DD
    "on" text not null,
    -- JSON list of exercise keys
    done text not null,
    pain integer not null,
    note text not null,
    created_at integer not null,
    constraint exercise_logs_pkey primary key (program_id, "on"),
    constraint exercise_logs_pain_check check (pain between 0 and 10)
);

create trigger exercise_logs_no_update before update on exercise_logs
begin
    select raise(abort, 'exercise_logs_append_only');
end;

create trigger exercise_logs_no_delete before delete on exercise_logs
begin
    select raise(abort, 'exercise_logs_append_only');
end;

-- An outcome measure taken on an episode: the answers as given and the score computed from them.
create table measures (
    id integer primary key,
    episode_id integer not null constraint measures_episode_id_fkey references episodes (id),
    instrument text not null,
    -- JSON, as the instrument's answers
    answers text not null,
    -- JSON of knead_core::records::Score
    score text not null,
    taken_at integer not null,
    recorded_by integer constraint measures_recorded_by_fkey references users (id),
    created_at integer not null
);
create index measures_episode_idx on measures (episode_id, taken_at);

create trigger measures_no_update before update on measures
begin
    select raise(abort, 'measures_append_only');
end;

create trigger measures_no_delete before delete on measures
begin
    select raise(abort, 'measures_append_only');
end;

-- A referral letter: a draft the therapist edits, then signs with their printed name; locked once signed.
create table referrals (
    id integer primary key,
    episode_id integer not null constraint referrals_episode_id_fkey references episodes (id),
    recipient text not null,
    recipient_name text not null,
    urgency text not null,
    reason text not null,
    body text not null,
    status text not null,
    created_by integer not null constraint referrals_created_by_fkey references users (id),
    created_at integer not null,
    signed_by integer constraint referrals_signed_by_fkey references users (id),
    signed_at integer,
    signed_name text,
    constraint referrals_recipient_check check (recipient in ('physician', 'physiotherapist', 'chiropractor')),
    constraint referrals_urgency_check check (urgency in ('routine', 'urgent', 'asap', 'stat')),
    constraint referrals_status_check check (status in ('draft', 'signed')),
    constraint referrals_signed_check check (
        (status = 'draft' and signed_by is null and signed_at is null and signed_name is null)
        or (status = 'signed' and signed_by is not null and signed_at is not null and signed_name is not null))
);
create index referrals_episode_idx on referrals (episode_id, created_at);

create trigger referrals_signed_no_update before update on referrals when old.status = 'signed'
begin
    select raise(abort, 'signed_referral_locked');
end;

create trigger referrals_signed_no_delete before delete on referrals when old.status = 'signed'
begin
    select raise(abort, 'signed_referral_locked');
end;

-- Instruments a clinic loaded from a definition file (a licensed one's items come only from here), by key.
create table instruments (
    key text not null constraint instruments_pkey primary key,
    -- JSON of knead_core::records::InstrumentDefinition
    definition text not null,
    created_at integer not null
);
