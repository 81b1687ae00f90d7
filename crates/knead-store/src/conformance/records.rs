//! Stories of the care-records port: episodes, plan versions that are never overwritten, notes that lock
//! when signed and are corrected only by amendments, programs with one log a day, measures, referrals that
//! lock when signed, loaded instruments, and one audit entry in the chain for every change. Stories that
//! need raw SQL (the database's own refusals, rows that cannot be read) are turned into tests by
//! `records_sql_suite!`.

mod fixtures;
mod raw;

pub use fixtures::*;
pub use raw::*;

use super::t0;
use crate::{JobFilter, NoteDraft, Store, StoreError};
use jiff::civil::date;
use jiff::{Timestamp, ToSpan};
use knead_core::intake::audit::{verify, GENESIS};
use knead_core::intake::{Action, ClientId};
use knead_core::notify::{JobKind, JobStatus, NewJob};
use knead_core::records::exercises::ExerciseLog;
use knead_core::records::instruments::StartBackRisk;
use knead_core::records::{
    Episode, EpisodeId, EpisodeStatus, NoteId, NoteStatus, Pressure, ProgramId, Recipient, ReferralId, ReferralStatus,
    Score, Side, Urgency,
};
use knead_core::UserId;

pub async fn episodes_are_created_listed_and_change_status(store: &dyn Store) {
    let c = chart(store).await;
    let first = episode(store, &c).await;
    assert_eq!((first.client_id, first.condition.as_str(), first.side), (c.client, "Sciatica", Some(Side::Right)));
    assert_eq!(
        (first.status, first.started_on, first.therapist_id),
        (EpisodeStatus::Active, date(2026, 3, 1), Some(c.therapist))
    );
    assert_eq!((first.created_by, first.created_at), (c.staff, t0()));
    assert!(first.other_care.physician);
    assert_eq!(store.episode(first.id).await.unwrap(), first);

    let mut neck = episode_draft(&c, "Neck pain", date(2026, 2, 1));
    neck.side = None;
    neck.therapist = None;
    let second = store.create_episode(&neck, t0() + 1.hours(), &created(&c, "episode")).await.unwrap();
    assert_eq!((second.side, second.therapist_id), (None, None));
    let listed: Vec<EpisodeId> = store.client_episodes(c.client).await.unwrap().iter().map(|e| e.id).collect();
    assert_eq!(listed, [second.id, first.id], "newest first");

    // Active ones, oldest first; a therapist's only their own.
    let active: Vec<EpisodeId> = store.active_episodes(None).await.unwrap().iter().map(|e| e.id).collect();
    assert_eq!(active, [second.id, first.id]);
    let mine: Vec<EpisodeId> = store.active_episodes(Some(c.therapist)).await.unwrap().iter().map(|e| e.id).collect();
    assert_eq!(mine, [first.id]);

    let referred =
        store.set_episode_status(first.id, EpisodeStatus::Referred, &changed(&c, "episode", first.id)).await.unwrap();
    assert_eq!(referred, Episode { status: EpisodeStatus::Referred, ..first.clone() });
    assert_eq!(store.episode(first.id).await.unwrap().status, EpisodeStatus::Referred);
    assert!(store.active_episodes(Some(c.therapist)).await.unwrap().is_empty());

    // Unknown ids are not found, and nothing is recorded for them.
    let before = audit_count(store).await;
    let missing = EpisodeId(second.id.0 + 999);
    assert!(matches!(store.episode(missing).await, Err(StoreError::NotFound)));
    let e = store.set_episode_status(missing, EpisodeStatus::Discharged, &changed(&c, "episode", missing)).await;
    assert!(matches!(e, Err(StoreError::NotFound)), "{e:?}");
    let mut stranger = episode_draft(&c, "Sciatica", date(2026, 3, 1));
    stranger.client = ClientId(c.client.0 + 999);
    let e = store.create_episode(&stranger, t0(), &created(&c, "episode")).await;
    assert!(matches!(e, Err(StoreError::NotFound)), "{e:?}");
    assert_eq!(audit_count(store).await, before);
    assert!(store.client_episodes(ClientId(c.client.0 + 999)).await.unwrap().is_empty());
}

pub async fn plan_versions_are_numbered_and_never_overwritten(store: &dyn Store) {
    let c = chart(store).await;
    let ep = episode(store, &c).await;
    assert!(store.plans(ep.id).await.unwrap().is_empty());
    let first = store.add_plan(ep.id, &plan(3.0), c.staff, t0(), &created(&c, "plan")).await.unwrap();
    assert_eq!((first.episode_id, first.version, first.created_by, first.created_at), (ep.id, 1, c.staff, t0()));
    assert_eq!(
        (first.goals[0].target, first.pressure, first.review_on),
        (Some(3.0), Pressure::Moderate, date(2026, 4, 1))
    );
    assert!(first.consent.right_to_stop);
    let second =
        store.add_plan(ep.id, &plan(2.5), c.other_staff, t0() + 24.hours(), &created(&c, "plan")).await.unwrap();
    assert_eq!((second.version, second.created_by, second.goals[0].target), (2, c.other_staff, Some(2.5)));
    assert_eq!(store.plans(ep.id).await.unwrap(), [second, first], "newest first, the first as it was");

    // Another episode numbers its own from 1; an unknown episode is not found.
    let other = store
        .create_episode(&episode_draft(&c, "Neck pain", date(2026, 3, 2)), t0(), &created(&c, "episode"))
        .await
        .unwrap();
    assert_eq!(store.add_plan(other.id, &plan(3.0), c.staff, t0(), &created(&c, "plan")).await.unwrap().version, 1);
    let e = store.add_plan(EpisodeId(other.id.0 + 999), &plan(3.0), c.staff, t0(), &created(&c, "plan")).await;
    assert!(matches!(e, Err(StoreError::NotFound)), "{e:?}");
}

pub async fn a_draft_note_edits_signs_once_and_then_is_locked(store: &dyn Store) {
    let c = chart(store).await;
    let ep = episode(store, &c).await;
    let new = NoteDraft {
        episode: ep.id,
        content: note_content("Leg pain 6/10"),
        therapist: Some(c.therapist),
        author: c.staff,
    };
    let note = store.create_note(&new, t0(), &created(&c, "note")).await.unwrap();
    assert_eq!(
        (note.episode_id, note.status, note.author, note.therapist_id),
        (ep.id, NoteStatus::Draft, c.staff, Some(c.therapist))
    );
    assert_eq!((&note.content, note.created_at), (&new.content, t0()));
    assert_eq!((note.signed_by, note.signed_at, note.signed_digest.as_deref()), (None, None, None));
    assert_eq!((note.amends, note.amendment_reason.as_deref(), note.amended_by), (None, None, None));
    assert_eq!(store.note(note.id).await.unwrap(), note);

    let edited = note_content("Leg pain 5/10 after a long drive");
    let updated = store.update_draft(note.id, &edited, &changed(&c, "note", note.id)).await.unwrap();
    assert_eq!(updated.content, edited);
    assert_eq!(updated.status, NoteStatus::Draft);

    let at = t0() + 2.hours();
    let signed = store.sign_note(note.id, c.staff, at, "digest-1", &changed(&c, "note", note.id)).await.unwrap();
    assert_eq!((signed.status, signed.signed_by, signed.signed_at), (NoteStatus::Signed, Some(c.staff), Some(at)));
    assert_eq!((signed.signed_digest.as_deref(), &signed.content), (Some("digest-1"), &edited));
    assert_eq!(store.note(note.id).await.unwrap(), signed);

    // Signed: no edit, no second signature, and nothing recorded for the refusals.
    let before = audit_count(store).await;
    let e = store.update_draft(note.id, &note_content("changed later"), &changed(&c, "note", note.id)).await;
    assert!(matches!(e, Err(StoreError::Conflict { field: "status" })), "{e:?}");
    let e = store.sign_note(note.id, c.other_staff, at + 1.hours(), "digest-2", &changed(&c, "note", note.id)).await;
    assert!(matches!(e, Err(StoreError::Conflict { field: "status" })), "{e:?}");
    assert_eq!(store.note(note.id).await.unwrap(), signed, "unchanged");
    assert_eq!(audit_count(store).await, before);

    let missing = NoteId(note.id.0 + 999);
    assert!(matches!(store.note(missing).await, Err(StoreError::NotFound)));
    let e = store.update_draft(missing, &edited, &changed(&c, "note", missing)).await;
    assert!(matches!(e, Err(StoreError::NotFound)), "{e:?}");
    let e = store.sign_note(missing, c.staff, at, "d", &changed(&c, "note", missing)).await;
    assert!(matches!(e, Err(StoreError::NotFound)), "{e:?}");
    let orphan = NoteDraft { episode: EpisodeId(ep.id.0 + 999), ..new };
    assert!(matches!(store.create_note(&orphan, t0(), &created(&c, "note")).await, Err(StoreError::NotFound)));
    assert_eq!(audit_count(store).await, before);
    assert_eq!(store.signed_notes().await.unwrap(), [signed]);
}

pub async fn an_amendment_links_to_the_original_which_stays_readable_and_unchanged(store: &dyn Store) {
    let c = chart(store).await;
    let ep = episode(store, &c).await;
    let new = NoteDraft {
        episode: ep.id,
        content: note_content("Leg pain 6/10"),
        therapist: Some(c.therapist),
        author: c.staff,
    };
    let draft_note = store.create_note(&new, t0(), &created(&c, "note")).await.unwrap();
    // A draft is edited, not amended.
    let e = store.amend_note(draft_note.id, &note_content("x"), "typo", c.staff, t0(), "d", &created(&c, "note")).await;
    assert!(matches!(e, Err(StoreError::Conflict { field: "status" })), "{e:?}");
    let original =
        store.sign_note(draft_note.id, c.staff, t0(), "digest-1", &changed(&c, "note", draft_note.id)).await.unwrap();

    let at = t0() + 24.hours();
    let corrected = note_content("Leg pain 4/10 (not 6/10)");
    let amendment = store
        .amend_note(
            original.id,
            &corrected,
            "Wrong pain score written",
            c.other_staff,
            at,
            "digest-2",
            &created(&c, "note"),
        )
        .await
        .unwrap();
    assert_ne!(amendment.id, original.id);
    assert_eq!(
        (amendment.amends, amendment.amendment_reason.as_deref()),
        (Some(original.id), Some("Wrong pain score written"))
    );
    assert_eq!(
        (amendment.status, amendment.author, amendment.signed_by),
        (NoteStatus::Signed, c.other_staff, Some(c.other_staff))
    );
    assert_eq!(
        (amendment.signed_at, amendment.created_at, amendment.signed_digest.as_deref()),
        (Some(at), at, Some("digest-2"))
    );
    assert_eq!(
        (amendment.episode_id, amendment.therapist_id, &amendment.content),
        (ep.id, Some(c.therapist), &corrected)
    );

    // The original reads as signed, with who superseded it.
    let read = store.note(original.id).await.unwrap();
    assert_eq!(read, knead_core::records::SoapNote { amended_by: Some(amendment.id), ..original.clone() });
    // Only the newest version is amended, once.
    let e = store.amend_note(original.id, &corrected, "again", c.staff, at, "d", &created(&c, "note")).await;
    assert!(matches!(e, Err(StoreError::Conflict { field: "status" })), "{e:?}");
    let again = store
        .amend_note(
            amendment.id,
            &note_content("Leg pain 4/10"),
            "Clearer wording",
            c.staff,
            at + 1.hours(),
            "digest-3",
            &created(&c, "note"),
        )
        .await
        .unwrap();
    assert_eq!(again.amends, Some(amendment.id));
    let e = store.amend_note(NoteId(again.id.0 + 999), &corrected, "x", c.staff, at, "d", &created(&c, "note")).await;
    assert!(matches!(e, Err(StoreError::NotFound)), "{e:?}");

    let versions: Vec<NoteId> = store.episode_notes(ep.id).await.unwrap().iter().map(|n| n.id).collect();
    assert_eq!(versions, [again.id, amendment.id, original.id], "newest first, every version");
    let signed: Vec<NoteId> = store.signed_notes().await.unwrap().iter().map(|n| n.id).collect();
    assert_eq!(signed, [original.id, amendment.id, again.id]);
    assert_eq!(store.note(original.id).await.unwrap().content, note_content("Leg pain 6/10"));
}

pub async fn unsigned_notes_are_listed_by_author_and_age(store: &dyn Store) {
    let c = chart(store).await;
    let ep = episode(store, &c).await;
    let write = |author: UserId, at: Timestamp| {
        let new = NoteDraft { episode: ep.id, content: note_content("Draft"), therapist: Some(c.therapist), author };
        async move { store.create_note(&new, at, &created(&c, "note")).await.unwrap() }
    };
    let old = write(c.staff, t0()).await;
    let others = write(c.other_staff, t0() + 1.hours()).await;
    let signed = write(c.staff, t0() + 2.hours()).await;
    store.sign_note(signed.id, c.staff, t0() + 3.hours(), "d", &changed(&c, "note", signed.id)).await.unwrap();
    let recent = write(c.staff, t0() + 30.hours()).await;

    let ids = |notes: Vec<knead_core::records::SoapNote>| notes.iter().map(|n| n.id).collect::<Vec<_>>();
    let cutoff = t0() + 24.hours();
    assert_eq!(ids(store.unsigned_notes(Some(c.staff), cutoff).await.unwrap()), [old.id]);
    assert_eq!(ids(store.unsigned_notes(None, cutoff).await.unwrap()), [old.id, others.id], "oldest first");
    assert_eq!(ids(store.unsigned_notes(None, t0() + 31.hours()).await.unwrap()), [old.id, others.id, recent.id]);
    assert!(store.unsigned_notes(None, t0()).await.unwrap().is_empty(), "strictly before the cutoff");
}

pub async fn programs_are_newest_first_with_one_log_a_day(store: &dyn Store) {
    let c = chart(store).await;
    let ep = episode(store, &c).await;
    let first = store
        .add_program(ep.id, &[prescription("knee_to_chest", 10)], c.staff, t0(), &created(&c, "program"))
        .await
        .unwrap();
    assert_eq!((first.episode_id, first.prescribed_by, first.created_at), (ep.id, c.staff, t0()));
    assert_eq!(first.exercises, [prescription("knee_to_chest", 10)]);
    let exercises = [prescription("knee_to_chest", 12), prescription("pelvic_tilt", 10)];
    let second =
        store.add_program(ep.id, &exercises, c.staff, t0() + (7 * 24).hours(), &created(&c, "program")).await.unwrap();
    assert_eq!(store.programs(ep.id).await.unwrap(), [second.clone(), first.clone()], "the current one first");
    assert_eq!(store.program(first.id).await.unwrap(), first);
    assert!(matches!(store.program(ProgramId(second.id.0 + 999)).await, Err(StoreError::NotFound)));
    let e = store.add_program(EpisodeId(ep.id.0 + 999), &exercises, c.staff, t0(), &created(&c, "program")).await;
    assert!(matches!(e, Err(StoreError::NotFound)), "{e:?}");

    let day = date(2026, 3, 10);
    let logged = store.add_exercise_log(&log(second.id, day, 4), &created(&c, "exercise_log")).await.unwrap();
    assert_eq!(logged, log(second.id, day, 4));
    let before = audit_count(store).await;
    let e = store.add_exercise_log(&log(second.id, day, 2), &created(&c, "exercise_log")).await;
    assert!(matches!(e, Err(StoreError::Conflict { field: "on" })), "{e:?}");
    let e = store.add_exercise_log(&log(ProgramId(second.id.0 + 999), day, 2), &created(&c, "exercise_log")).await;
    assert!(matches!(e, Err(StoreError::NotFound)), "{e:?}");
    assert_eq!(audit_count(store).await, before);
    // The same day on another program is another log.
    store.add_exercise_log(&log(first.id, day, 5), &created(&c, "exercise_log")).await.unwrap();
    store.add_exercise_log(&log(second.id, date(2026, 3, 8), 6), &created(&c, "exercise_log")).await.unwrap();
    store.add_exercise_log(&log(second.id, date(2026, 3, 12), 3), &created(&c, "exercise_log")).await.unwrap();

    let days = |logs: Vec<ExerciseLog>| logs.iter().map(|l| (l.on, l.pain)).collect::<Vec<_>>();
    let all = days(store.exercise_logs(second.id, date(2026, 3, 1)).await.unwrap());
    assert_eq!(all, [(date(2026, 3, 8), 6), (day, 4), (date(2026, 3, 12), 3)], "oldest first, the first kept");
    assert_eq!(days(store.exercise_logs(second.id, day).await.unwrap()), [(day, 4), (date(2026, 3, 12), 3)]);
    assert_eq!(days(store.exercise_logs(first.id, date(2026, 3, 1)).await.unwrap()), [(day, 5)]);
}

pub async fn measures_are_read_in_the_order_they_were_taken(store: &dyn Store) {
    let c = chart(store).await;
    let ep = episode(store, &c).await;
    let later = store
        .add_measure(&nprs(ep.id, 5.0, t0() + (7 * 24).hours()), t0() + (7 * 24).hours(), &created(&c, "measure"))
        .await
        .unwrap();
    let mut startback = nprs(ep.id, 0.0, t0());
    startback.instrument = "startback".into();
    startback.answers = serde_json::json!({ "items": [true, false, true, false, false, true, false, false], "bothersome": "very_much" });
    startback.score = Score::StartBack { total: 4, distress: 2, risk: StartBackRisk::Medium };
    startback.recorded_by = Some(c.staff);
    let earlier = store.add_measure(&startback, t0() + (8 * 24).hours(), &created(&c, "measure")).await.unwrap();
    assert_eq!(
        (earlier.episode_id, earlier.instrument.as_str(), earlier.recorded_by),
        (ep.id, "startback", Some(c.staff))
    );
    assert_eq!((&earlier.answers, &earlier.score), (&startback.answers, &startback.score));
    assert_eq!((earlier.taken_at, earlier.created_at), (t0(), t0() + (8 * 24).hours()));
    assert_eq!(later.score, Score::Value { value: 5.0, answered: None });
    assert_eq!(store.measure(earlier.id).await.unwrap(), earlier);
    assert_eq!(store.measures(ep.id).await.unwrap(), [earlier.clone(), later], "by when taken, not when recorded");
    assert!(matches!(
        store.measure(knead_core::records::MeasureId(earlier.id.0 + 999)).await,
        Err(StoreError::NotFound)
    ));
    // A notice the measure causes is written with it, and not at all when the measure is refused.
    let mut told = nprs(ep.id, 8.0, t0() + (9 * 24).hours());
    told.notices = vec![NewJob { episode_id: Some(ep.id), ..NewJob::now(JobKind::RecordAlert, t0()) }];
    store.add_measure(&told, t0(), &created(&c, "measure")).await.unwrap();
    let mut refused = told.clone();
    refused.episode = EpisodeId(ep.id.0 + 999);
    let e = store.add_measure(&refused, t0(), &created(&c, "measure")).await;
    assert!(matches!(e, Err(StoreError::NotFound)), "{e:?}");
    let jobs = store.jobs(&JobFilter { status: None, booking: None, before: None, limit: 50 }).await.unwrap();
    let alerts: Vec<_> = jobs.iter().filter(|j| j.kind == JobKind::RecordAlert).collect();
    assert_eq!(alerts.len(), 1, "{jobs:?}");
    assert_eq!((alerts[0].episode_id, alerts[0].status), (Some(ep.id), JobStatus::Pending));
}

pub async fn a_referral_is_drafted_edited_signed_and_then_locked(store: &dyn Store) {
    let c = chart(store).await;
    let ep = episode(store, &c).await;
    let content = referral_content("No lasting change in leg pain after six visits");
    let draft_letter = store.create_referral(ep.id, &content, c.staff, t0(), &created(&c, "referral")).await.unwrap();
    assert_eq!(
        (draft_letter.episode_id, draft_letter.status, draft_letter.recipient),
        (ep.id, ReferralStatus::Draft, Recipient::Physician)
    );
    assert_eq!(
        (draft_letter.reason.as_str(), draft_letter.created_by, draft_letter.created_at),
        (content.reason.as_str(), c.staff, t0())
    );
    assert_eq!(
        (draft_letter.signed_by, draft_letter.signed_at, draft_letter.signed_name.as_deref()),
        (None, None, None)
    );
    assert_eq!(store.referral(draft_letter.id).await.unwrap(), draft_letter);

    let mut edited = content.clone();
    edited.urgency = Urgency::Urgent;
    edited.recipient = Recipient::Physiotherapist;
    edited.body = "Edited by the therapist.".into();
    let updated =
        store.update_referral(draft_letter.id, &edited, &changed(&c, "referral", draft_letter.id)).await.unwrap();
    assert_eq!(
        (updated.urgency, updated.recipient, updated.body.as_str()),
        (Urgency::Urgent, Recipient::Physiotherapist, "Edited by the therapist.")
    );

    let at = t0() + 1.hours();
    let signed = store
        .sign_referral(draft_letter.id, c.staff, "Mara Fictional, RMT", at, &changed(&c, "referral", draft_letter.id))
        .await
        .unwrap();
    assert_eq!((signed.status, signed.signed_by, signed.signed_at), (ReferralStatus::Signed, Some(c.staff), Some(at)));
    assert_eq!(signed.signed_name.as_deref(), Some("Mara Fictional, RMT"));
    assert_eq!(store.referral(draft_letter.id).await.unwrap(), signed);

    let before = audit_count(store).await;
    let e = store.update_referral(draft_letter.id, &content, &changed(&c, "referral", draft_letter.id)).await;
    assert!(matches!(e, Err(StoreError::Conflict { field: "status" })), "{e:?}");
    let e =
        store.sign_referral(draft_letter.id, c.other_staff, "Kai", at, &changed(&c, "referral", draft_letter.id)).await;
    assert!(matches!(e, Err(StoreError::Conflict { field: "status" })), "{e:?}");
    assert_eq!(store.referral(draft_letter.id).await.unwrap(), signed, "unchanged");
    let missing = ReferralId(draft_letter.id.0 + 999);
    assert!(matches!(store.referral(missing).await, Err(StoreError::NotFound)));
    let e = store.update_referral(missing, &content, &changed(&c, "referral", missing)).await;
    assert!(matches!(e, Err(StoreError::NotFound)), "{e:?}");
    let e = store.sign_referral(missing, c.staff, "Mara", at, &changed(&c, "referral", missing)).await;
    assert!(matches!(e, Err(StoreError::NotFound)), "{e:?}");
    let e = store.create_referral(EpisodeId(ep.id.0 + 999), &content, c.staff, t0(), &created(&c, "referral")).await;
    assert!(matches!(e, Err(StoreError::NotFound)), "{e:?}");
    assert_eq!(audit_count(store).await, before);

    let second =
        store.create_referral(ep.id, &content, c.staff, t0() + 2.hours(), &created(&c, "referral")).await.unwrap();
    let listed: Vec<ReferralId> = store.referrals(ep.id).await.unwrap().iter().map(|r| r.id).collect();
    assert_eq!(listed, [second.id, signed.id], "newest first");
}

pub async fn instruments_are_saved_and_replaced_by_key(store: &dyn Store) {
    assert!(store.instruments().await.unwrap().is_empty());
    store.save_instrument(&instrument("walking_index", 2), t0()).await.unwrap();
    store.save_instrument(&instrument("back_index", 3), t0()).await.unwrap();
    let keys: Vec<String> = store.instruments().await.unwrap().into_iter().map(|i| i.key).collect();
    assert_eq!(keys, ["back_index", "walking_index"], "by key");
    let replaced = instrument("walking_index", 4);
    store.save_instrument(&replaced, t0() + 24.hours()).await.unwrap();
    assert_eq!(store.instruments().await.unwrap(), [instrument("back_index", 3), replaced]);
}

/// Every change above appends one entry; an entry for a new row names it; the chain verifies.
pub async fn every_record_change_appends_one_audit_entry_and_the_chain_verifies(store: &dyn Store) {
    let c = chart(store).await;
    let mut expected = audit_count(store).await;
    let mut step = |n: usize| {
        expected += n;
        expected
    };
    let ep = episode(store, &c).await;
    let entries = store.audit_entries(0, 100).await.unwrap();
    let last = entries.last().unwrap();
    assert_eq!(
        (last.record.as_str(), last.record_id.clone(), last.action),
        ("episode", ep.id.to_string(), Action::Create)
    );
    assert_eq!((last.actor, last.client), (Some(c.staff), Some(c.client)));
    assert_eq!(audit_count(store).await, step(1));
    store.set_episode_status(ep.id, EpisodeStatus::Active, &changed(&c, "episode", ep.id)).await.unwrap();
    store.add_plan(ep.id, &plan(3.0), c.staff, t0(), &created(&c, "plan")).await.unwrap();
    assert_eq!(audit_count(store).await, step(2));
    let new = NoteDraft { episode: ep.id, content: note_content("Draft"), therapist: None, author: c.staff };
    let note = store.create_note(&new, t0(), &created(&c, "note")).await.unwrap();
    store.update_draft(note.id, &note_content("Edited"), &changed(&c, "note", note.id)).await.unwrap();
    store.sign_note(note.id, c.staff, t0(), "d1", &changed(&c, "note", note.id)).await.unwrap();
    let amended = store
        .amend_note(note.id, &note_content("Fixed"), "typo", c.staff, t0(), "d2", &created(&c, "note"))
        .await
        .unwrap();
    assert_eq!(audit_count(store).await, step(4));
    let entries = store.audit_entries(0, 100).await.unwrap();
    assert_eq!(entries.last().unwrap().record_id, amended.id.to_string(), "the amendment's own id");
    let program = store
        .add_program(ep.id, &[prescription("knee_to_chest", 10)], c.staff, t0(), &created(&c, "program"))
        .await
        .unwrap();
    store.add_exercise_log(&log(program.id, date(2026, 3, 2), 3), &created(&c, "exercise_log")).await.unwrap();
    let entries = store.audit_entries(0, 100).await.unwrap();
    assert_eq!(entries.last().unwrap().record_id, format!("{}/2026-03-02", program.id));
    store.add_measure(&nprs(ep.id, 4.0, t0()), t0(), &created(&c, "measure")).await.unwrap();
    let letter = store
        .create_referral(ep.id, &referral_content("Reason"), c.staff, t0(), &created(&c, "referral"))
        .await
        .unwrap();
    store
        .update_referral(letter.id, &referral_content("Better reason"), &changed(&c, "referral", letter.id))
        .await
        .unwrap();
    store.sign_referral(letter.id, c.staff, "Mara", t0(), &changed(&c, "referral", letter.id)).await.unwrap();
    assert_eq!(audit_count(store).await, step(6));
    // An event that names its record keeps that name.
    let entries = store.audit_entries(0, 100).await.unwrap();
    assert_eq!(entries.last().unwrap().record_id, letter.id.to_string());
    verify(GENESIS, &entries).unwrap();
}
