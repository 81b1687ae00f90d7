//! Conformance stories: the behaviour every storage adapter must show, written once, one file per port.
//!
//! An adapter's test suite calls `conformance_suite!(fresh_store)`, where `fresh_store` is an async
//! function returning `Option<T>` for a `T` with a `store: DynStore` field and an async `cleanup(self)`,
//! over an empty, migrated database; `None` means the backend is absent (and the function said so loudly).

pub mod accounts;
pub mod catalog;
pub mod chair_days;
pub mod changes;
pub mod clients;
pub mod content;
pub mod corrupt;
pub mod day_plan;
pub mod notify;
pub mod places;
pub mod practice;
pub mod records;
pub mod safety;
pub mod scheduling;
pub mod waitlist;

use crate::{Created, Store};
use jiff::{Timestamp, ToSpan};
use knead_core::booking::{Booking, Contact, NewBooking, NewVisit, Where};
use knead_core::calendar::{end_minute_of, minute_of, ScheduleInput, WeeklyHoursInput};
use knead_core::geo::GeoPoint;
use knead_core::schedule::{DayRule, Minute, Stop, Unfit};
use knead_core::{AddOnInput, Email, Kind, Place, ServiceId, ServiceInput, TherapistId, TherapistInput};

/// Expands to one `#[tokio::test]` per story.
#[macro_export]
macro_rules! conformance_suite {
    ($fresh:path) => {
        #[tokio::test]
        async fn health() {
            let Some(test_store) = $fresh().await else { return };
            $crate::conformance::health(&*test_store.store).await;
            test_store.cleanup().await;
        }
        $crate::conformance_suite!(@story $fresh,
            accounts::accounts,
            accounts::sessions_end_at_their_end_or_after_idling,
            accounts::a_session_waiting_for_a_second_factor_signs_nothing_in,
            accounts::tokens_expire_record_their_last_use_and_can_be_revoked,
            accounts::a_second_factor_is_pending_until_confirmed_and_each_code_is_accepted_once,
            accounts::a_taken_email_or_token_is_a_conflict_on_its_field,
            catalog::services,
            catalog::therapists,
            catalog::a_taken_slug_is_a_conflict_on_slug,
            changes::a_staff_change_is_recorded_with_the_change_itself,
            clients::clients_are_created_read_updated_and_found_by_email_or_login,
            clients::client_summaries_count_and_a_therapist_sees_only_their_own_clients,
            clients::staff_list_a_clients_bookings_and_bookings_by_day_therapist_and_status,
            clients::intake_versions_are_numbered_and_never_overwritten,
            clients::screenings_are_kept_claimed_once_and_emergencies_listed,
            clients::a_booking_keeps_what_the_client_said_and_links_its_screening,
            clients::a_guests_first_booking_makes_their_record_with_it,
            clients::a_held_booking_keeps_its_time_until_its_clearance_confirms_it_once,
            clients::the_audit_chain_holds_through_many_and_concurrent_appends,
            content::articles,
            content::a_taken_article_slug_is_a_conflict_on_slug,
            places::an_import_replaces_the_last_and_moves_the_generation,
            places::a_large_import_arrives_whole_and_in_order,
            places::roads_within_an_area_are_those_whose_box_meets_it,
            places::a_road_of_one_point_is_refused_and_changes_nothing,
            scheduling::practice_settings,
            scheduling::clinics_and_rooms,
            scheduling::schedules,
            scheduling::bookings,
            scheduling::clinic_rooms_are_never_double_booked,
            scheduling::concurrent_bookings_for_one_slot_let_exactly_one_through,
            scheduling::every_change_availability_reads_moves_the_calendar_version,
            scheduling::visit_changes_are_logged_with_their_therapist_and_time,
            scheduling::the_stops_of_named_therapists_are_the_practices_stops_of_them,
            scheduling::each_refusal_names_its_reason,
            scheduling::a_new_booking_is_returned_as_it_reads_back,
            day_plan::a_day_plan_is_written_whole_or_not_at_all,
            practice::practice_details_read_back_as_saved,
            practice::a_clinic_is_edited_in_place_keeping_its_rooms_by_id,
            practice::a_room_with_visits_to_come_cannot_be_removed,
            practice::an_archived_clinic_takes_no_new_bookings_until_restored,
            records::episodes_are_created_listed_and_change_status,
            records::plan_versions_are_numbered_and_never_overwritten,
            records::a_draft_note_edits_signs_once_and_then_is_locked,
            records::an_amendment_links_to_the_original_which_stays_readable_and_unchanged,
            records::unsigned_notes_are_listed_by_author_and_age,
            records::programs_are_newest_first_with_one_log_a_day,
            records::measures_are_read_in_the_order_they_were_taken,
            records::a_referral_is_drafted_edited_signed_and_then_locked,
            records::instruments_are_saved_and_replaced_by_key,
            records::every_record_change_appends_one_audit_entry_and_the_chain_verifies,
            notify::jobs_are_written_with_the_change_that_causes_them,
            notify::a_job_is_held_by_one_worker_until_its_lease_ends,
            notify::concurrent_workers_take_each_job_exactly_once,
            notify::extra_private_links_and_feeds_open_only_what_they_should,
            waitlist::a_series_keeps_its_wall_clock_time_and_is_found_by_its_key,
            waitlist::a_start_is_held_for_one_entry_and_a_lapsed_offer_goes_back_in_line,
            waitlist::an_offer_moves_the_calendar_version_and_waiting_does_not,
            safety::a_check_in_writes_its_alert_once_and_a_check_out_skips_it,
            safety::a_sent_alert_writes_its_escalation_unless_the_therapist_checked_out,
            chair_days::a_chair_day_is_written_with_its_booking_or_not_at_all,
            chair_days::a_sign_up_takes_the_lowest_free_chair_and_a_cancel_frees_it,
            chair_days::racing_attendees_get_each_place_once,
            chair_days::a_party_is_written_with_its_guests_or_not_at_all,
            chair_days::a_sign_up_is_written_with_its_confirmation_and_any_of_its_links_cancels_it);
    };
    (@story $fresh:path, $($module:ident :: $story:ident),*) => {
        $(
            #[tokio::test]
            async fn $story() {
                let Some(test_store) = $fresh().await else { return };
                $crate::conformance::$module::$story(&*test_store.store).await;
                test_store.cleanup().await;
            }
        )*
    };
}

/// The store answers a ping and names itself.
pub async fn health(store: &dyn Store) {
    store.ping().await.unwrap();
    assert!(matches!(store.backend(), "sqlite" | "postgres"));
}

/// The instant stories start at.
pub fn t0() -> Timestamp {
    "2026-03-01T15:00:00Z".parse().unwrap()
}

/// A valid one-hour mobile service with two add-ons.
pub fn service_input(name: &str) -> ServiceInput {
    ServiceInput {
        slug: None,
        name: name.into(),
        description: "A calm, full-body massage with warm oil.".into(),
        duration_minutes: 60,
        price_cents: 12_000,
        modality: "Swedish".into(),
        place: Place::Mobile,
        kind: Kind::Individual,
        buffer_minutes: 15,
        add_ons: vec![
            AddOnInput { name: "Aromatherapy oil".into(), price_cents: 1_500, extra_minutes: 0 },
            AddOnInput { name: "Hydrating face mask".into(), price_cents: 2_500, extra_minutes: 15 },
        ],
    }
}

/// A therapist who offers `service` from 09:00 to 17:00 every day.
pub async fn therapist_with_schedule(store: &dyn Store, name: &str, service: ServiceId) -> TherapistId {
    let t = store
        .create_therapist(&TherapistInput { name: name.into(), ..Default::default() }.validate().unwrap(), t0())
        .await
        .unwrap();
    let input = ScheduleInput {
        base_lat: 43.65,
        base_lon: -79.38,
        radius_km: 25.0,
        service_ids: vec![service.0],
        weekly: (1..=7).map(|d| WeeklyHoursInput { weekday: d, start: "09:00".into(), end: "17:00".into() }).collect(),
    };
    store.save_schedule(t.id, &input.validate().unwrap()).await.unwrap();
    t.id
}

/// A one-hour booking at `place` with a visit (15-minute buffers) per therapist and a fresh manage token.
pub fn new_booking(
    service: ServiceId,
    therapists: &[TherapistId],
    start: Timestamp,
    place: Where,
    key: Option<&str>,
) -> NewBooking {
    NewBooking {
        service_id: service,
        start,
        end: start + 60.minutes(),
        place,
        client: Contact {
            name: "Ana Fictional".into(),
            email: Email::parse("email", "ana@example.com").unwrap(),
            phone: "416-555-0100".into(),
        },
        client_user_id: None,
        client_id: None,
        new_client_record: false,
        status: knead_core::booking::BookingStatus::Confirmed,
        reason: None,
        screening_id: None,
        add_ons: Vec::new(),
        notes: String::new(),
        price_cents: 13_000,
        travel_fee_cents: 0,
        visits: therapists
            .iter()
            .map(|&t| NewVisit {
                therapist_id: t,
                block_start: start - 15.minutes(),
                block_end: start + 75.minutes(),
                travel_before_min: 10,
                travel_after_min: 10,
            })
            .collect(),
        manage_token_hash: next_token_hash(),
        idempotency_key: key.map(str::to_string),
        request_fingerprint: "fp-1".into(),
        created_at: t0(),
        jobs: Vec::new(),
        series_id: None,
        arrival: None,
        therapists_named: false,
        therapist_gender: None,
    }
}

/// Writes `b` under the `Pass` rule: a story's setup, so it must come back as a new booking.
pub async fn booked(store: &dyn Store, b: &NewBooking) -> Booking {
    match store.create_booking(b, &Pass).await {
        Ok(Created::New(booking)) => {
            assert_eq!(store.booking(booking.id).await.unwrap(), booking, "returned as stored");
            booking
        }
        other => panic!("expected a new booking, got {other:?}"),
    }
}

/// A distinct manage-link hash for each booking a story makes.
fn next_token_hash() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    format!("{:064x}", NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
}

/// A client's home inside the default service area.
pub fn home() -> Where {
    Where::Mobile { at: GeoPoint { lat: 43.66, lon: -79.39 }, address: "1 Fictional Lane".into() }
}

/// A rule that lets every visit through, so only the database's overlap backstop can refuse one.
pub struct Pass;

impl DayRule for Pass {
    fn check(&self, _: TherapistId, _: &[Stop]) -> Result<(), Unfit> {
        Ok(())
    }
}

/// A rule like the engine's overlap test: the visit `[start, end)` (minutes) must miss every booked stop.
pub struct NoOverlap {
    pub start: Minute,
    pub end: Minute,
}

impl NoOverlap {
    pub fn of(visit: &NewVisit) -> NoOverlap {
        NoOverlap { start: minute_of(visit.block_start), end: end_minute_of(visit.block_end) }
    }
}

impl DayRule for NoOverlap {
    fn check(&self, _: TherapistId, booked: &[Stop]) -> Result<(), Unfit> {
        match booked.iter().find(|st| st.start < self.end && self.start < st.end) {
            Some(st) => Err(Unfit::Overlaps { start: st.start, end: st.end }),
            None => Ok(()),
        }
    }
}

/// A rule that refuses every visit, for the reason given.
pub struct Refuse(pub Unfit);

impl DayRule for Refuse {
    fn check(&self, _: TherapistId, _: &[Stop]) -> Result<(), Unfit> {
        Err(self.0.clone())
    }
}
