//! Stories of rows that cannot be read: each is an error naming its table and the row's id, never a
//! default, and never showing the row's contents. The ports cannot write such rows, so each story breaks one
//! with raw SQL first (one text for both dialects but the one noted), through the adapter's own
//! [`SqlDatabase`]. `corrupt_rows_suite!` turns them into tests. One story here is the opposite case, a row
//! an older version wrote, which must still be read: it needs raw SQL too.

use super::{booked, home, new_booking, service_input, t0};
use crate::sql::SqlDatabase;
use crate::{AccountStore, CatalogStore, NewApiToken, SchedulingStore, StoreError, StoreResult};
use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use knead_core::calendar::{PracticeSettings, ScheduleInput};
use knead_core::practice::PracticeDetailsInput;
use knead_core::{NewUser, TherapistId, TherapistInput, UserId};
use std::fmt::Debug;

/// Expands to one `#[tokio::test]` per story. `$fresh` is an async function returning `Option<T>` for a
/// `T` whose field `$field` is the adapter's store (a `SqlDatabase`) and that has an async `cleanup(self)`.
#[macro_export]
macro_rules! corrupt_rows_suite {
    ($fresh:path, $field:ident) => {
        $crate::corrupt_rows_suite!(@story $fresh, $field,
            a_role_no_one_knows_is_a_corrupt_user_not_a_client,
            a_token_whose_expiry_is_no_time_is_a_corrupt_token_not_one_that_never_expires,
            an_address_that_is_not_an_email_or_a_time_out_of_range_is_a_corrupt_user_not_the_epoch,
            labels_that_are_not_a_list_of_strings_are_a_corrupt_therapist,
            a_slug_that_would_not_parse_is_a_corrupt_service,
            a_stored_zone_that_does_not_exist_is_corrupt_settings_not_the_defaults,
            a_stored_phone_that_would_not_parse_is_corrupt_details_not_none,
            a_clinic_off_the_map_is_a_corrupt_clinic_in_the_list_and_by_id,
            settings_saved_before_the_booking_horizon_existed_read_with_a_years_horizon,
            overlapping_override_windows_are_a_corrupt_override_not_dropped,
            a_booking_with_no_place_or_a_bad_client_email_is_a_corrupt_booking,
            a_visit_off_the_map_is_a_corrupt_visit_in_the_stops_availability_reads,
            a_road_with_unreadable_points_is_a_corrupt_road,
            an_address_off_the_map_is_a_corrupt_address,
            intakes_and_audit_entries_cannot_be_changed_or_removed,
            an_audit_entry_edited_behind_the_triggers_breaks_the_chain,
            a_client_or_booking_field_that_cannot_be_read_is_a_corrupt_row);
    };
    (@story $fresh:path, $field:ident, $($story:ident),*) => {
        $(
            #[tokio::test]
            async fn $story() {
                let Some(test_store) = $fresh().await else { return };
                $crate::conformance::corrupt::$story(&test_store.$field).await;
                test_store.cleanup().await;
            }
        )*
    };
}

pub use super::clients::{
    a_client_or_booking_field_that_cannot_be_read_is_a_corrupt_row,
    an_audit_entry_edited_behind_the_triggers_breaks_the_chain, intakes_and_audit_entries_cannot_be_changed_or_removed,
};
pub use super::places::{a_road_with_unreadable_points_is_a_corrupt_road, an_address_off_the_map_is_a_corrupt_address};

/// Asserts a corrupt-row error for row `id` of `table`, whose problem does not repeat the stored `value`.
pub(super) fn assert_corrupt<T: Debug>(result: StoreResult<T>, table: &str, id: impl ToString, value: &str) {
    let id = id.to_string();
    match result {
        Err(StoreError::Corrupt { table: t, id: i, problem }) => {
            assert_eq!((t, i.as_str()), (table, id.as_str()), "{problem}");
            assert!(!problem.contains(value), "the problem must not show the row's contents: {problem}");
        }
        other => panic!("expected row {id} of {table} to be corrupt, got {other:?}"),
    }
}

async fn user<D: SqlDatabase>(db: &D) -> UserId {
    db.create_user(&NewUser::parse("ana@example.com", "Ana", "client").unwrap(), "h", t0()).await.unwrap().id
}

async fn therapist<D: SqlDatabase>(db: &D) -> TherapistId {
    let draft = TherapistInput { name: "Robin Vale".into(), ..Default::default() }.validate().unwrap();
    db.create_therapist(&draft, t0()).await.unwrap().id
}

pub async fn a_role_no_one_knows_is_a_corrupt_user_not_a_client<D: SqlDatabase>(db: &D) {
    let id = user(db).await;
    // Both schemas check roles; a database mended by hand might not, so the check goes first (dialect).
    let lift = match D::BACKEND {
        "sqlite" => "pragma ignore_check_constraints = on",
        _ => "alter table users drop constraint users_role_check",
    };
    db.execute(lift, &[]).await.unwrap();
    db.execute("update users set role = 'overlord' where id = $1", &[id.into()]).await.unwrap();
    assert_corrupt(db.user_by_id(id).await, "users", id.0, "overlord");
    assert_corrupt(db.list_users().await, "users", id.0, "overlord");
}

pub async fn an_address_that_is_not_an_email_or_a_time_out_of_range_is_a_corrupt_user_not_the_epoch<D: SqlDatabase>(
    db: &D,
) {
    let id = user(db).await;
    db.execute("update users set email = 'ana at example' where id = $1", &[id.into()]).await.unwrap();
    assert_corrupt(db.user_by_id(id).await, "users", id.0, "ana at example");
    // PostgreSQL's `infinity`; SQLite keeps the text, which is no timestamp either.
    let sql = "update users set email = 'ana@example.com', created_at = 'infinity' where id = $1";
    db.execute(sql, &[id.into()]).await.unwrap();
    assert_corrupt(db.user_by_id(id).await, "users", id.0, "infinity");
}

pub async fn a_token_whose_expiry_is_no_time_is_a_corrupt_token_not_one_that_never_expires<D: SqlDatabase>(db: &D) {
    let user_id = user(db).await;
    let hash = "7".repeat(64);
    let new = NewApiToken {
        user_id,
        label: "laptop".into(),
        token_hash: hash.clone(),
        created_at: t0(),
        expires_at: t0() + 24.hours(),
    };
    let id = db.create_api_token(&new).await.unwrap().id;
    // PostgreSQL's `infinity`; SQLite keeps the text, which is no timestamp either (and sorts after any).
    db.execute("update api_tokens set expires_at = 'infinity' where id = $1", &[id.into()]).await.unwrap();
    assert_corrupt(db.api_token(&hash, t0()).await, "api_tokens", id, "infinity");
    assert_corrupt(db.api_tokens_of(user_id, t0()).await, "api_tokens", id, "infinity");
}

pub async fn labels_that_are_not_a_list_of_strings_are_a_corrupt_therapist<D: SqlDatabase>(db: &D) {
    let t = therapist(db).await;
    db.execute("update therapists set languages = '[\"English\", 7]' where id = $1", &[t.into()]).await.unwrap();
    assert_corrupt(db.therapist(t).await, "therapists", t.0, "English");
    assert_corrupt(db.list_therapists(true).await, "therapists", t.0, "English");
}

pub async fn a_slug_that_would_not_parse_is_a_corrupt_service<D: SqlDatabase>(db: &D) {
    let service = db.create_service(&service_input("Massage").validate().unwrap(), t0()).await.unwrap();
    db.execute("update services set slug = 'Deep Tissue!' where id = $1", &[service.id.into()]).await.unwrap();
    assert_corrupt(db.service(service.id).await, "services", service.id.0, "Deep Tissue");
    assert_corrupt(db.list_services(true).await, "services", service.id.0, "Deep Tissue");
}

pub async fn a_stored_zone_that_does_not_exist_is_corrupt_settings_not_the_defaults<D: SqlDatabase>(db: &D) {
    db.save_practice_settings(&PracticeSettings::default()).await.unwrap();
    let mut settings = serde_json::to_value(PracticeSettings::default()).unwrap();
    settings["time_zone"] = "Mars/Olympus_Mons".into();
    let bad = crate::sql::Param::json(&settings).unwrap();
    db.execute("update practice_settings set settings = $1 where id = 1", &[bad]).await.unwrap();
    assert_corrupt(db.practice_settings().await, "practice_settings", 1, "Mars");
}

pub async fn a_stored_phone_that_would_not_parse_is_corrupt_details_not_none<D: SqlDatabase>(db: &D) {
    let details = PracticeDetailsInput { phone: "416-555-0123".into(), ..Default::default() }.validate().unwrap();
    db.save_practice_details(&details).await.unwrap();
    db.execute("update practice_details set phone = 'call 555 now' where id = 1", &[]).await.unwrap();
    assert_corrupt(db.practice_details().await, "practice_details", 1, "call 555");
}

pub async fn a_clinic_off_the_map_is_a_corrupt_clinic_in_the_list_and_by_id<D: SqlDatabase>(db: &D) {
    let clinic = db.create_clinic(&super::scheduling::clinic_input(&["Room 1"]).validate().unwrap()).await.unwrap();
    db.execute("update clinics set lat = 123.5 where id = $1", &[clinic.id.into()]).await.unwrap();
    assert_corrupt(db.clinics().await, "clinics", clinic.id.0, "123.5");
    assert_corrupt(db.clinic(clinic.id).await, "clinics", clinic.id.0, "123.5");
}

/// Settings are JSON in one row, so a setting added later (the booking horizon) needs no migration: a row
/// written before it existed reads with the setting's default.
pub async fn settings_saved_before_the_booking_horizon_existed_read_with_a_years_horizon<D: SqlDatabase>(db: &D) {
    let saved = PracticeSettings { grid_minutes: 30, ..PracticeSettings::default() };
    db.save_practice_settings(&saved).await.unwrap();
    let mut older = serde_json::to_value(&saved).unwrap();
    older.as_object_mut().unwrap().remove("booking_horizon_days").expect("the horizon is stored");
    let older = crate::sql::Param::json(&older).unwrap();
    db.execute("update practice_settings set settings = $1 where id = 1", &[older]).await.unwrap();
    let read = db.practice_settings().await.unwrap();
    assert_eq!(read.booking_horizon_days, 365);
    assert_eq!(read, saved);
}

pub async fn overlapping_override_windows_are_a_corrupt_override_not_dropped<D: SqlDatabase>(db: &D) {
    let t = therapist(db).await;
    let schedule = ScheduleInput { base_lat: 43.65, base_lon: -79.38, radius_km: 25.0, ..Default::default() };
    db.save_schedule(t, &schedule.validate().unwrap()).await.unwrap();
    let day: Date = "2026-03-08".parse().unwrap();
    let windows = crate::sql::Param::Json("[[600, 700], [650, 800]]".into());
    let sql = "insert into day_overrides (therapist_id, day, windows) values ($1, $2, $3)";
    db.execute(sql, &[t.into(), day.into(), windows]).await.unwrap();
    let key = format!("{}/2026-03-08", t.0);
    assert_corrupt(db.schedule(t).await, "day_overrides", &key, "650");
    assert_corrupt(db.schedules().await, "day_overrides", &key, "650");
}

pub async fn a_booking_with_no_place_or_a_bad_client_email_is_a_corrupt_booking<D: SqlDatabase>(db: &D) {
    let service = db.create_service(&service_input("Massage").validate().unwrap(), t0()).await.unwrap();
    let t = therapist(db).await;
    let start: Timestamp = "2026-06-01T14:00:00Z".parse().unwrap();
    let id = booked(db, &new_booking(service.id, &[t], start, home(), None)).await.id;
    db.execute("update bookings set lat = null, lon = null, address = null where id = $1", &[id.into()]).await.unwrap();
    assert_corrupt(db.booking(id).await, "bookings", id.0, "Fictional");
    let sql = "update bookings set lat = 43.66, lon = -79.39, address = 'Lane', client_email = 'ana(at)example' \
               where id = $1";
    db.execute(sql, &[id.into()]).await.unwrap();
    assert_corrupt(db.booking(id).await, "bookings", id.0, "ana(at)example");
    assert_corrupt(db.therapist_bookings(t, start, start + 1.hours()).await, "bookings", id.0, "ana(at)example");
}

pub async fn a_visit_off_the_map_is_a_corrupt_visit_in_the_stops_availability_reads<D: SqlDatabase>(db: &D) {
    let service = db.create_service(&service_input("Massage").validate().unwrap(), t0()).await.unwrap();
    let t = therapist(db).await;
    let start: Timestamp = "2026-06-01T14:00:00Z".parse().unwrap();
    booked(db, &new_booking(service.id, &[t], start, home(), None)).await;
    db.execute("update visits set lat = 123.5", &[]).await.unwrap();
    let mut rows = db.query("select id from visits", &[]).await.unwrap();
    let visit = rows.first("visits").unwrap().id("id").unwrap();
    assert_corrupt(db.stops_between(start - 24.hours(), start + 24.hours()).await, "visits", visit, "123.5");
}
