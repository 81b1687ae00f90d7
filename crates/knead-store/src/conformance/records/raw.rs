//! Care-records stories that need raw SQL: the database's own refusals, rows that cannot be read, and
//! records kept for a client from before migration 0011.

use super::super::corrupt::assert_corrupt;
use super::super::t0;
use super::fixtures::*;
use crate::sql::SqlDatabase;
use crate::{NoteDraft, Store, StoreError};
use jiff::civil::date;
use jiff::ToSpan;
use knead_core::intake::audit::{verify, GENESIS};
use knead_core::{NewUser, TherapistInput};

/// Expands to one `#[tokio::test]` per story that needs raw SQL. `$fresh` is as for `corrupt_rows_suite!`:
/// an async function returning `Option<T>` whose field `$field` is the adapter's store.
#[macro_export]
macro_rules! records_sql_suite {
    ($fresh:path, $field:ident) => {
        $crate::records_sql_suite!(@story $fresh, $field,
            signed_notes_and_referrals_and_appended_records_refuse_any_raw_change,
            a_care_record_that_cannot_be_read_is_a_corrupt_row);
    };
    (@story $fresh:path, $field:ident, $($story:ident),*) => {
        $(
            #[tokio::test]
            async fn $story() {
                let Some(test_store) = $fresh().await else { return };
                $crate::conformance::records::$story(&test_store.$field).await;
                test_store.cleanup().await;
            }
        )*
    };
}

/// A database at 0010 with a client on it takes 0011, and that client's records can then be kept.
pub async fn a_client_from_before_care_records_gets_an_episode(store: &dyn Store, client_email: &str) {
    let email = knead_core::Email::parse("email", client_email).unwrap();
    let client = store.clients_by_email(&email).await.unwrap().pop().expect("the client made before 0011");
    let staff = store
        .create_user(&NewUser::parse("mara@example.com", "Mara", "therapist").unwrap(), "h", t0())
        .await
        .unwrap()
        .id;
    let therapist = TherapistInput { name: "Mara".into(), ..Default::default() }.validate().unwrap();
    let therapist = store.create_therapist(&therapist, t0()).await.unwrap().id;
    let c = Chart { staff, other_staff: staff, therapist, client: client.id };
    let ep = episode(store, &c).await;
    assert_eq!(store.client_episodes(client.id).await.unwrap(), std::slice::from_ref(&ep));
    store.add_measure(&nprs(ep.id, 6.0, t0()), t0(), &created(&c, "measure")).await.unwrap();
    assert_eq!(store.measures(ep.id).await.unwrap().len(), 1);
    verify(GENESIS, &store.audit_entries(0, 100).await.unwrap()).unwrap();
}

/// The triggers refuse, whatever the statement: a signed note or referral is never changed or removed (a
/// draft still is), and plans, programs, logs and measures are never changed or removed.
pub async fn signed_notes_and_referrals_and_appended_records_refuse_any_raw_change<D: SqlDatabase>(db: &D) {
    let store: &dyn Store = db;
    let c = chart(store).await;
    let ep = episode(store, &c).await;
    let new = NoteDraft { episode: ep.id, content: note_content("Leg pain 6/10"), therapist: None, author: c.staff };
    let note = store.create_note(&new, t0(), &created(&c, "note")).await.unwrap();
    let draft_note = store.create_note(&new, t0(), &created(&c, "note")).await.unwrap();
    let signed = store.sign_note(note.id, c.staff, t0(), "d", &changed(&c, "note", note.id)).await.unwrap();
    let letter = store
        .create_referral(ep.id, &referral_content("Reason"), c.staff, t0(), &created(&c, "referral"))
        .await
        .unwrap();
    let draft_letter = store
        .create_referral(ep.id, &referral_content("Reason"), c.staff, t0(), &created(&c, "referral"))
        .await
        .unwrap();
    let letter =
        store.sign_referral(letter.id, c.staff, "Mara", t0(), &changed(&c, "referral", letter.id)).await.unwrap();
    store.add_plan(ep.id, &plan(3.0), c.staff, t0(), &created(&c, "plan")).await.unwrap();
    let program = store
        .add_program(ep.id, &[prescription("knee_to_chest", 10)], c.staff, t0(), &created(&c, "program"))
        .await
        .unwrap();
    store.add_exercise_log(&log(program.id, date(2026, 3, 2), 3), &created(&c, "exercise_log")).await.unwrap();
    store.add_measure(&nprs(ep.id, 4.0, t0()), t0(), &created(&c, "measure")).await.unwrap();

    let refused = |id: i64, rule: &'static str, sqls: [&'static str; 3]| async move {
        for sql in sqls {
            let params: &[crate::sql::Param] = if sql.contains("$1") { &[id.into()] } else { &[] };
            match db.execute(sql, params).await {
                Err(e) => assert!(e.to_string().contains(rule), "{sql}: {e}"),
                Ok(n) => panic!("{sql} must be refused, changed {n}"),
            }
        }
    };
    refused(
        signed.id.0,
        "signed_note_locked",
        [
            "update soap_notes set subjective = 'edited' where id = $1",
            "update soap_notes set status = 'draft', signed_by = null, signed_at = null, signed_digest = null where id = $1",
            "delete from soap_notes where id = $1",
        ],
    )
    .await;
    assert_eq!(store.note(signed.id).await.unwrap(), signed);
    // Amending a draft is refused by the database too.
    let sql = "insert into soap_notes (episode_id, subjective, objective, assessment, plan, areas_treated, techniques, \
               response, self_care, referrals, started_at, duration_minutes, status, author, created_at, signed_by, \
               signed_at, signed_digest, amends, amendment_reason) select episode_id, 'x', '', '', '', areas_treated, \
               techniques, '', '', '', started_at, 60, 'signed', author, created_at, author, created_at, 'd', id, 'why' \
               from soap_notes where id = $1";
    let e = db.execute(sql, &[draft_note.id.into()]).await.unwrap_err();
    assert!(e.to_string().contains("signed_note_locked"), "{e}");
    refused(
        letter.id.0,
        "signed_referral_locked",
        [
            "update referrals set body = 'edited' where id = $1",
            "update referrals set status = 'draft', signed_by = null, signed_at = null, signed_name = null where id = $1",
            "delete from referrals where id = $1",
        ],
    )
    .await;
    assert_eq!(store.referral(letter.id).await.unwrap(), letter);
    refused(
        0,
        "treatment_plans_append_only",
        [
            "update treatment_plans set pressure = 'deep'",
            "update treatment_plans set version = version + 1",
            "delete from treatment_plans",
        ],
    )
    .await;
    refused(
        0,
        "home_programs_append_only",
        [
            "update home_programs set exercises = exercises",
            "update home_programs set created_at = created_at",
            "delete from home_programs",
        ],
    )
    .await;
    refused(
        0,
        "exercise_logs_append_only",
        ["update exercise_logs set pain = 0", "update exercise_logs set note = 'edited'", "delete from exercise_logs"],
    )
    .await;
    refused(
        0,
        "measures_append_only",
        ["update measures set instrument = 'nprs_back'", "update measures set score = answers", "delete from measures"],
    )
    .await;

    // A draft is still the therapist's to change.
    db.execute("update soap_notes set subjective = 'Leg pain 5/10' where id = $1", &[draft_note.id.into()])
        .await
        .unwrap();
    assert_eq!(store.note(draft_note.id).await.unwrap().content.subjective, "Leg pain 5/10");
    db.execute("update referrals set body = 'Edited' where id = $1", &[draft_letter.id.into()]).await.unwrap();
    db.execute("delete from referrals where id = $1", &[draft_letter.id.into()]).await.unwrap();
    assert!(matches!(store.referral(draft_letter.id).await, Err(StoreError::NotFound)));
}

pub async fn a_care_record_that_cannot_be_read_is_a_corrupt_row<D: SqlDatabase>(db: &D) {
    let store: &dyn Store = db;
    let c = chart(store).await;
    let ep = episode(store, &c).await;
    db.execute("update episodes set other_care = '[\"secret care\"]' where id = $1", &[ep.id.into()]).await.unwrap();
    assert_corrupt(store.episode(ep.id).await, "episodes", ep.id, "secret care");
    assert_corrupt(store.client_episodes(c.client).await, "episodes", ep.id, "secret care");
    db.execute("update episodes set other_care = '{}' where id = $1", &[ep.id.into()]).await.unwrap();

    let new = NoteDraft { episode: ep.id, content: note_content("Draft"), therapist: None, author: c.staff };
    let note = store.create_note(&new, t0(), &created(&c, "note")).await.unwrap();
    db.execute("update soap_notes set techniques = '[\"secret_move\"]' where id = $1", &[note.id.into()])
        .await
        .unwrap();
    assert_corrupt(store.note(note.id).await, "soap_notes", note.id, "secret_move");
    assert_corrupt(store.episode_notes(ep.id).await, "soap_notes", note.id, "secret_move");
    assert_corrupt(store.unsigned_notes(None, t0() + 24.hours()).await, "soap_notes", note.id, "secret_move");

    // Measures are append-only, so the trigger goes first (dialect).
    let measure = store.add_measure(&nprs(ep.id, 4.0, t0()), t0(), &created(&c, "measure")).await.unwrap();
    let lift = match D::BACKEND {
        "sqlite" => "drop trigger measures_no_update",
        _ => "alter table measures disable trigger measures_append_only",
    };
    db.execute(lift, &[]).await.unwrap();
    db.execute("update measures set score = '{\"hidden\": 7}' where id = $1", &[measure.id.into()]).await.unwrap();
    assert_corrupt(store.measure(measure.id).await, "measures", measure.id, "hidden");
    assert_corrupt(store.measures(ep.id).await, "measures", measure.id, "hidden");

    // A draft marked signed with no signature is not a signed letter (the schema's check goes first: dialect).
    let content = referral_content("Reason");
    let letter = store.create_referral(ep.id, &content, c.staff, t0(), &created(&c, "referral")).await.unwrap();
    let lift = match D::BACKEND {
        "sqlite" => "pragma ignore_check_constraints = on",
        _ => "alter table referrals drop constraint referrals_signed_check",
    };
    db.execute(lift, &[]).await.unwrap();
    db.execute("update referrals set status = 'signed' where id = $1", &[letter.id.into()]).await.unwrap();
    assert_corrupt(store.referral(letter.id).await, "referrals", letter.id, "Dr. Fictional");
    assert_corrupt(store.referrals(ep.id).await, "referrals", letter.id, "Dr. Fictional");

    // A definition stored under another key than its own is not that instrument.
    store.save_instrument(&instrument("walking_index", 1), t0()).await.unwrap();
    db.execute("update instruments set key = 'other_index'", &[]).await.unwrap();
    assert_corrupt(store.instruments().await, "instruments", "other_index", "walking");
}
