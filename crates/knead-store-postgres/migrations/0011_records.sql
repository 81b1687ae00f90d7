-- Care records: episodes of care, treatment plan versions, SOAP notes and their amendments, home programs and
-- the client's exercise logs, outcome measures, referral letters, and the instruments a clinic loaded. Same
-- table, column and constraint names as the SQLite adapter's 0011, in PostgreSQL types. Every change of these
-- is written with its audit_log entry in the same transaction (the store does that); the triggers here make the
-- clinical record's promises hold even for a hand-written statement: a signed note or referral never changes,
-- and plans, programs, logs and measures are only ever added to (0010's refuse_change()).

-- One condition of one client, from its start to discharge or referral.
create table episodes (
    id bigint generated always as identity constraint episodes_pkey primary key,
    client_id bigint not null constraint episodes_client_id_fkey references clients (id),
    condition text not null,
    side text,
    started_on date not null,
    status text not null,
    -- JSON of knead_core::intake::OtherCare
    other_care jsonb not null,
    therapist_id bigint constraint episodes_therapist_id_fkey references therapists (id),
    created_by bigint not null constraint episodes_created_by_fkey references users (id),
    created_at timestamptz not null,
    constraint episodes_side_check check (side in ('left', 'right', 'both')),
    constraint episodes_status_check check (status in ('active', 'discharged', 'referred'))
);
create index episodes_client_idx on episodes (client_id, created_at);
create index episodes_status_idx on episodes (status, therapist_id);

-- Each version of an episode's plan, numbered from 1; a change is a new version with the consent it carries.
create table treatment_plans (
    episode_id bigint not null constraint treatment_plans_episode_id_fkey references episodes (id),
    version bigint not null,
    -- JSON list of knead_core::records::plan::Goal
    goals jsonb not null,
    -- JSON list of knead_core::records::plan::PlannedTechnique
    techniques jsonb not null,
    pressure text not null,
    visits_per_week bigint,
    every_weeks bigint,
    review_on date not null,
    -- JSON of knead_core::intake::Consent
    consent jsonb not null,
    created_by bigint not null constraint treatment_plans_created_by_fkey references users (id),
    created_at timestamptz not null,
    constraint treatment_plans_pkey primary key (episode_id, version),
    constraint treatment_plans_version_check check (version >= 1),
    constraint treatment_plans_pressure_check check (pressure in ('light', 'moderate', 'firm', 'deep'))
);

create trigger treatment_plans_append_only before update or delete on treatment_plans
    for each row execute function refuse_change();
create trigger treatment_plans_no_truncate before truncate on treatment_plans
    for each statement execute function refuse_change();

-- A note version. A draft may be edited and then signed (one update from draft to signed); a signed one never
-- changes again. A correction is a new, signed row that amends the version it corrects (at most one amendment
-- per version, so the versions form a line), with who, when and why; the original stays as it was.
create table soap_notes (
    id bigint generated always as identity constraint soap_notes_pkey primary key,
    episode_id bigint not null constraint soap_notes_episode_id_fkey references episodes (id),
    booking_id bigint constraint soap_notes_booking_id_fkey references bookings (id),
    subjective text not null,
    objective text not null,
    assessment text not null,
    plan text not null,
    -- JSON list of strings
    areas_treated jsonb not null,
    -- JSON list of knead_core::records::plan::Technique
    techniques jsonb not null,
    pressure text,
    response text not null,
    self_care text not null,
    referrals text not null,
    started_at timestamptz not null,
    duration_minutes bigint not null,
    status text not null,
    therapist_id bigint constraint soap_notes_therapist_id_fkey references therapists (id),
    author bigint not null constraint soap_notes_author_fkey references users (id),
    created_at timestamptz not null,
    signed_by bigint constraint soap_notes_signed_by_fkey references users (id),
    signed_at timestamptz,
    -- SHA-256 (hex) of the content as signed, for `knead audit verify`
    signed_digest text,
    amends bigint constraint soap_notes_amends_fkey references soap_notes (id),
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

-- Refuses any change to a signed row, naming the rule given as the trigger's argument ('signed_note_locked').
create function refuse_signed_change() returns trigger language plpgsql as $$
begin
    if old.status = 'signed' then
        raise exception '%', tg_argv[0];
    end if;
    if tg_op = 'DELETE' then
        return old;
    end if;
    return new;
end
$$;

create trigger soap_notes_signed_locked before update or delete on soap_notes
    for each row execute function refuse_signed_change('signed_note_locked');
create trigger soap_notes_no_truncate before truncate on soap_notes
    for each statement execute function refuse_change();

-- Only a signed version is amended: a draft is edited instead.
create function refuse_amending_a_draft() returns trigger language plpgsql as $$
begin
    if new.amends is not null
        and coalesce((select status from soap_notes where id = new.amends), 'signed') <> 'signed' then
        raise exception 'signed_note_locked';
    end if;
    return new;
end
$$;

create trigger soap_notes_amend_signed_only before insert on soap_notes
    for each row execute function refuse_amending_a_draft();

-- A program prescribed on an episode; a change is a new program (the newest is the current one).
create table home_programs (
    id bigint generated always as identity constraint home_programs_pkey primary key,
    episode_id bigint not null constraint home_programs_episode_id_fkey references episodes (id),
    -- JSON list of knead_core::records::exercises::Prescription
    exercises jsonb not null,
    prescribed_by bigint not null constraint home_programs_prescribed_by_fkey references users (id),
    created_at timestamptz not null
);
create index home_programs_episode_idx on home_programs (episode_id, created_at);

create trigger home_programs_append_only before update or delete on home_programs
    for each row execute function refuse_change();
create trigger home_programs_no_truncate before truncate on home_programs
    for each statement execute function refuse_change();

-- What the client did of their program on a day, and their pain that day: one log per program and day.
create table exercise_logs (
    program_id bigint not null constraint exercise_logs_program_id_fkey references home_programs (id),
    "on" date not null,
    -- JSON list of exercise keys
    done jsonb not null,
    pain bigint not null,
    note text not null,
    created_at timestamptz not null,
    constraint exercise_logs_pkey primary key (program_id, "on"),
    constraint exercise_logs_pain_check check (pain between 0 and 10)
);

create trigger exercise_logs_append_only before update or delete on exercise_logs
    for each row execute function refuse_change();
create trigger exercise_logs_no_truncate before truncate on exercise_logs
    for each statement execute function refuse_change();

-- An outcome measure taken on an episode: the answers as given and the score computed from them.
create table measures (
    id bigint generated always as identity constraint measures_pkey primary key,
    episode_id bigint not null constraint measures_episode_id_fkey references episodes (id),
    instrument text not null,
    -- JSON, as the instrument's answers
    answers jsonb not null,
    -- JSON of knead_core::records::Score
    score jsonb not null,
    taken_at timestamptz not null,
    recorded_by bigint constraint measures_recorded_by_fkey references users (id),
    created_at timestamptz not null
);
create index measures_episode_idx on measures (episode_id, taken_at);

create trigger measures_append_only before update or delete on measures
    for each row execute function refuse_change();
create trigger measures_no_truncate before truncate on measures
    for each statement execute function refuse_change();

-- A referral letter: a draft the therapist edits, then signs with their printed name; locked once signed.
create table referrals (
    id bigint generated always as identity constraint referrals_pkey primary key,
    episode_id bigint not null constraint referrals_episode_id_fkey references episodes (id),
    recipient text not null,
    recipient_name text not null,
    urgency text not null,
    reason text not null,
    body text not null,
    status text not null,
    created_by bigint not null constraint referrals_created_by_fkey references users (id),
    created_at timestamptz not null,
    signed_by bigint constraint referrals_signed_by_fkey references users (id),
    signed_at timestamptz,
    signed_name text,
    constraint referrals_recipient_check check (recipient in ('physician', 'physiotherapist', 'chiropractor')),
    constraint referrals_urgency_check check (urgency in ('routine', 'urgent', 'asap', 'stat')),
    constraint referrals_status_check check (status in ('draft', 'signed')),
    constraint referrals_signed_check check (
        (status = 'draft' and signed_by is null and signed_at is null and signed_name is null)
        or (status = 'signed' and signed_by is not null and signed_at is not null and signed_name is not null))
);
create index referrals_episode_idx on referrals (episode_id, created_at);

create trigger referrals_signed_locked before update or delete on referrals
    for each row execute function refuse_signed_change('signed_referral_locked');
create trigger referrals_no_truncate before truncate on referrals
    for each statement execute function refuse_change();

-- Instruments a clinic loaded from a definition file (a licensed one's items come only from here), by key.
create table instruments (
    key text not null constraint instruments_pkey primary key,
    -- JSON of knead_core::records::InstrumentDefinition
    definition jsonb not null,
    created_at timestamptz not null
);
