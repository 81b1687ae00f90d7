//! The staff view of a booking (`/visits/{id}`) over the demo practice: a manager moves a visit inside the
//! client's notice window, gives it to a therapist who is free then (only those are offered), and cancels
//! it, each after a confirmation; each change is recorded for the client. A therapist sees only visits of
//! their own. And archiving a service or a clinic asks first.
//!
//! Visits are booked a few days ahead, on a Wednesday to Friday when Liza, Ines and Théo (the demo's mobile
//! therapists) all work, at a start all three are offered.

use crate::support::*;
use axum::http::StatusCode;
use jiff::civil::{Date, Weekday};
use jiff::ToSpan;
use knead_core::booking::{BookingId, BookingStatus, Change};
use knead_core::{Service, TherapistId};
use serde_json::json;

/// A client's home in the demo's central Helsinki: the address point of Kalevankatu 12.
const HOME: (f64, f64) = (60.1669, 24.9374);
const CLIENT_PHONE: &str = "416-555-0199";

fn helsinki() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Europe/Helsinki").unwrap()
}

/// The first Wednesday-to-Friday date at least `days` ahead.
fn midweek_ahead(days: i64) -> Date {
    let mut d = jiff::Timestamp::now().to_zoned(helsinki()).date() + days.days();
    while !matches!(d.weekday(), Weekday::Wednesday | Weekday::Thursday | Weekday::Friday) {
        d = d.tomorrow().unwrap();
    }
    d
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'").replace("&amp;", "&")
}

/// The values of the radio buttons named `name` on the page, in page order.
fn radio_values(html: &str, name: &str) -> Vec<String> {
    let marker = format!("type=\"radio\" name=\"{name}\" value=\"");
    html.match_indices(&marker)
        .map(|(at, _)| {
            let rest = &html[at + marker.len()..];
            unescape(&rest[..rest.find('"').unwrap()])
        })
        .collect()
}

async fn mobile_massage(app: &TestApp) -> Service {
    app.store.list_services(false).await.unwrap().into_iter().find(|s| s.name == "Massage with oil at home").unwrap()
}

async fn therapist(app: &TestApp, slug: &str) -> TherapistId {
    app.store.therapist_by_slug(slug).await.unwrap().id
}

/// The starts `therapist` is offered for `service` at the client's home on `date`.
async fn starts(app: &TestApp, service: &Service, therapist: TherapistId, date: Date) -> Vec<String> {
    let query = format!(
        "service_id={}&lat={}&lon={}&from={date}&days=1&therapist_id={}",
        service.id.0, HOME.0, HOME.1, therapist.0
    );
    let reply = app.get(&format!("/api/v1/availability?{query}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()["slots"].as_array().unwrap().iter().map(|s| s["start"].as_str().unwrap().to_string()).collect()
}

/// Books the mobile massage with `therapist` at `start` as a guest; returns its id.
async fn book(app: &TestApp, service: &Service, therapist: TherapistId, start: &str, name: &str) -> i64 {
    book_as_guest(app, service, therapist, start, name).await.0
}

/// Books as `book` does; returns the id and the guest's private manage link.
async fn book_as_guest(
    app: &TestApp,
    service: &Service,
    therapist: TherapistId,
    start: &str,
    name: &str,
) -> (i64, String) {
    let body = json!({
        "service_id": service.id.0, "start": start, "therapist_ids": [therapist.0],
        "lat": HOME.0, "lon": HOME.1, "address": "12 Kalevankatu, Helsinki",
        "client": {"name": name, "email": "guest@example.com", "phone": CLIENT_PHONE}
    });
    let reply = app.json("POST", "/api/v1/bookings", None, &body.to_string()).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let booked = reply.json();
    (booked["id"].as_i64().unwrap(), booked["manage_url"].as_str().unwrap().to_string())
}

/// A start on a midweek day that Liza, Ines and Théo are all offered, and that day.
async fn common_start(app: &TestApp, service: &Service) -> (Date, String) {
    let date = midweek_ahead(3);
    let mut common = starts(app, service, therapist(app, "liza-manalo").await, date).await;
    for slug in ["ines-carvalho", "theo-lambert"] {
        let theirs = starts(app, service, therapist(app, slug).await, date).await;
        common.retain(|s| theirs.contains(s));
    }
    assert!(!common.is_empty(), "the three mobile therapists share a free start on {date}");
    (date, common[common.len() / 2].clone())
}

async fn booking_of(app: &TestApp, id: i64) -> knead_core::booking::Booking {
    app.store.booking(BookingId(id)).await.unwrap()
}

#[tokio::test]
async fn a_manager_moves_a_visit_inside_the_notice_window_after_confirming_and_the_change_is_recorded() {
    let app = TestApp::new().await;
    // Every booking is inside the client's notice window: the client may no longer change it.
    let mut settings = app.store.practice_settings().await.unwrap();
    settings.cancel_notice_hours = 24 * 90;
    app.store.save_practice_settings(&settings).await.unwrap();
    let service = mobile_massage(&app).await;
    let liza = therapist(&app, "liza-manalo").await;
    let (date, start) = common_start(&app, &service).await;
    let id = book(&app, &service, liza, &start, "Pia Example").await;

    let manager = app.sign_in(MANAGER).await;
    let csrf = app.csrf(&manager).await;
    let page = app.get_as(&format!("/visits/{id}"), &manager).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    for shown in ["Pia Example", CLIENT_PHONE, "guest@example.com", "12 Kalevankatu", "Liza Manalo", "Confirmed"] {
        assert!(page.body.contains(shown), "the staff view shows {shown:?}");
    }
    assert!(!page.body.contains("hours' notice"), "the client's notice policy is not the practice's");
    // One day's times, not a wall of them.
    let times = radio_values(&page.body, "start");
    assert!(!times.is_empty() && times.len() <= 40, "one day's times: {}", times.len());
    assert!(times.iter().all(|t| t.starts_with(&date.to_string())), "{times:?}");
    assert!(!times.contains(&start), "its own start is not offered back");
    let next_day = app.get_as(&format!("/visits/{id}?date={}", date.tomorrow().unwrap()), &manager).await;
    let later = radio_values(&next_day.body, "start");
    assert!(later.iter().all(|t| t.starts_with(&date.tomorrow().unwrap().to_string())), "{later:?}");

    let new_start = times[0].clone();
    let asked =
        app.form(&format!("/visits/{id}/move"), Some(&manager), &[("csrf", &csrf), ("start", &new_start)]).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    assert!(asked.body.contains("Move this visit?") && asked.body.contains("Keep it as it is"), "{}", asked.body);
    assert!(asked.body.contains("name=\"confirm\" value=\"yes\""), "the confirmation posts confirm=yes");
    assert_eq!(booking_of(&app, id).await.start.to_string(), start_utc(&start), "nothing moved before confirming");

    let done = app
        .form(
            &format!("/visits/{id}/move"),
            Some(&manager),
            &[("csrf", &csrf), ("start", &new_start), ("confirm", "yes")],
        )
        .await;
    assert_eq!((done.status, done.location()), (StatusCode::SEE_OTHER, format!("/visits/{id}?done=moved").as_str()));
    let moved = booking_of(&app, id).await;
    assert_eq!(moved.start.to_string(), start_utc(&new_start));
    assert_eq!(moved.therapist_ids(), [liza], "the same therapist");
    let changes = knead_app::booking::changes(&app.app, BookingId(id)).await.unwrap();
    assert_eq!(changes.len(), 1);
    assert!(
        matches!(changes[0].change, Change::Moved { from, to } if from.to_string() == start_utc(&start) && to == moved.start)
    );
    let after = app.get_as(&format!("/visits/{id}?done=moved"), &manager).await;
    assert!(after.body.contains("The visit was moved."), "{}", after.body);
    assert!(after.body.contains("moved by the practice from"), "the history shows it: {}", after.body);

    // A time that is not free: refused, nothing changed.
    let refused = app
        .form(
            &format!("/visits/{id}/move"),
            Some(&manager),
            &[("csrf", &csrf), ("start", &format!("{date}T03:00:00+02:00")), ("confirm", "yes")],
        )
        .await;
    assert!(matches!(refused.status.as_u16(), 409 | 422), "{} {}", refused.status, refused.body);
    assert!(refused.body.contains("Nothing was changed."), "{}", refused.body);
    assert_eq!(booking_of(&app, id).await.start, moved.start);
}

fn start_utc(rfc3339: &str) -> String {
    rfc3339.parse::<jiff::Timestamp>().unwrap().to_string()
}

#[tokio::test]
async fn reassigning_offers_only_therapists_free_then_and_records_who_takes_over() {
    let app = TestApp::new().await;
    let service = mobile_massage(&app).await;
    let (liza, ines, theo) = (
        therapist(&app, "liza-manalo").await,
        therapist(&app, "ines-carvalho").await,
        therapist(&app, "theo-lambert").await,
    );
    let (_, start) = common_start(&app, &service).await;
    let (id, manage_url) = book_as_guest(&app, &service, liza, &start, "Pia Example").await;
    // Théo is busy then.
    book(&app, &service, theo, &start, "Other Client").await;

    let manager = app.sign_in(MANAGER).await;
    let csrf = app.csrf(&manager).await;
    let page = app.get_as(&format!("/visits/{id}"), &manager).await;
    let offered = radio_values(&page.body, "therapist_ids");
    assert_eq!(offered, [ines.0.to_string()], "only Ines is free then: {}", page.body);
    assert!(page.body.contains("Ines Carvalho instead of Liza Manalo"), "{}", page.body);
    assert!(!page.body.contains("Théo Lambert instead of"), "Théo is busy then");

    let path = format!("/visits/{id}/reassign");
    let ines_id = ines.0.to_string();
    let asked = app.form(&path, Some(&manager), &[("csrf", &csrf), ("therapist_ids", &ines_id)]).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    assert!(asked.body.contains("Give this visit to another therapist?"), "{}", asked.body);
    assert_eq!(booking_of(&app, id).await.therapist_ids(), [liza], "nothing changed before confirming");

    // Théo, though not offered, is refused by the engine when posted anyway.
    let theo_id = theo.0.to_string();
    let busy =
        app.form(&path, Some(&manager), &[("csrf", &csrf), ("therapist_ids", &theo_id), ("confirm", "yes")]).await;
    assert_eq!(busy.status, StatusCode::CONFLICT, "{}", busy.body);
    assert_eq!(booking_of(&app, id).await.therapist_ids(), [liza]);

    let done =
        app.form(&path, Some(&manager), &[("csrf", &csrf), ("therapist_ids", &ines_id), ("confirm", "yes")]).await;
    assert_eq!(
        (done.status, done.location()),
        (StatusCode::SEE_OTHER, format!("/visits/{id}?done=reassigned").as_str())
    );
    let after = booking_of(&app, id).await;
    assert_eq!(after.therapist_ids(), [ines]);
    assert_eq!(after.start.to_string(), start_utc(&start), "at the same time");
    let changes = knead_app::booking::changes(&app.app, BookingId(id)).await.unwrap();
    match &changes[..] {
        [c] => match &c.change {
            Change::Reassigned { from, to } => {
                assert_eq!((from[0].name.as_str(), to[0].name.as_str()), ("Liza Manalo", "Ines Carvalho"))
            }
            other => panic!("a reassignment, got {other:?}"),
        },
        other => panic!("one change, got {other:?}"),
    }
    let page = app.get_as(&format!("/visits/{id}"), &manager).await;
    assert!(page.body.contains("given to Ines Carvalho instead of Liza Manalo"), "{}", page.body);

    // The client reads the change on their own page, by their private link.
    let theirs = app.get(&manage_url).await;
    assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.body);
    assert!(theirs.body.contains("Changes by the practice"), "{}", theirs.body);
    assert!(theirs.body.contains("Ines Carvalho instead of Liza Manalo"), "{}", theirs.body);
}

#[tokio::test]
async fn cancelling_asks_first_then_cancels_and_is_recorded() {
    let app = TestApp::new().await;
    let service = mobile_massage(&app).await;
    let liza = therapist(&app, "liza-manalo").await;
    let (_, start) = common_start(&app, &service).await;
    let id = book(&app, &service, liza, &start, "Pia Example").await;
    let manager = app.sign_in(MANAGER).await;
    let csrf = app.csrf(&manager).await;
    let path = format!("/visits/{id}/cancel");

    let asked = app.form(&path, Some(&manager), &[("csrf", &csrf)]).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    assert!(asked.body.contains("Cancel this visit?") && asked.body.contains("Keep it as it is"), "{}", asked.body);
    assert_eq!(booking_of(&app, id).await.status, BookingStatus::Confirmed);

    let done = app.form(&path, Some(&manager), &[("csrf", &csrf), ("confirm", "yes")]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(booking_of(&app, id).await.status, BookingStatus::Cancelled);
    let changes = knead_app::booking::changes(&app.app, BookingId(id)).await.unwrap();
    assert_eq!(changes.iter().map(|c| c.change.clone()).collect::<Vec<_>>(), [Change::Cancelled]);
    let page = app.get_as(&format!("/visits/{id}?done=cancelled"), &manager).await;
    assert!(page.body.contains("Cancelled") && page.body.contains("cancelled by the practice."), "{}", page.body);
    assert!(!page.body.contains("Move to another time"), "a cancelled visit offers no changes");

    // Without the session's CSRF token nothing is cancelled.
    let other = book(&app, &service, liza, &start, "Pia Example").await;
    let forged = app.form(&format!("/visits/{other}/cancel"), Some(&manager), &[("confirm", "yes")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(booking_of(&app, other).await.status, BookingStatus::Confirmed);
}

#[tokio::test]
async fn a_therapist_sees_only_their_own_visits_and_may_not_change_them() {
    let app = TestApp::new().await;
    // Mara (the demo's therapist login) gives clinic visits; Ines has a home visit.
    let services = app.store.list_services(false).await.unwrap();
    let clinic_service = services
        .iter()
        .find(|s| s.kind == knead_core::Kind::Individual && s.place == knead_core::Place::Clinic)
        .unwrap();
    let clinic = app.store.clinics().await.unwrap().remove(0);
    let mara = therapist(&app, "mara-quill").await;
    let query = format!(
        "service_id={}&clinic_id={}&from={}&days=7&therapist_id={}",
        clinic_service.id.0,
        clinic.id.0,
        midweek_ahead(3),
        mara.0
    );
    let slots = app.get(&format!("/api/v1/availability?{query}")).await.json();
    let body = json!({
        "service_id": clinic_service.id.0, "start": slots["slots"][0]["start"], "clinic_id": clinic.id.0,
        "therapist_ids": [mara.0], "client": {"name": "Clinic Client", "email": "c@example.com", "phone": CLIENT_PHONE}
    });
    let reply = app.json("POST", "/api/v1/bookings", None, &body.to_string()).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let own = reply.json()["id"].as_i64().unwrap();
    let service = mobile_massage(&app).await;
    let (_, start) = common_start(&app, &service).await;
    let others = book(&app, &service, therapist(&app, "ines-carvalho").await, &start, "Not Maras").await;

    let mara_session = app.sign_in(THERAPIST).await;
    let page = app.get_as(&format!("/visits/{own}"), &mara_session).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Clinic Client") && page.body.contains("Korkeavuori Clinic"), "{}", page.body);
    assert!(page.body.contains("room:"), "the room is named: {}", page.body);
    assert!(page.body.contains("ask the practice's manager"), "{}", page.body);
    assert!(!page.body.contains("Move to another time") && !page.body.contains("/cancel\""), "{}", page.body);

    let not_hers = app.get_as(&format!("/visits/{others}"), &mara_session).await;
    let missing = app.get_as("/visits/987654", &mara_session).await;
    assert_eq!((not_hers.status, missing.status), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert!(!not_hers.body.contains("Not Maras"));
    let csrf = app.csrf(&mara_session).await;
    let post =
        app.form(&format!("/visits/{own}/cancel"), Some(&mara_session), &[("csrf", &csrf), ("confirm", "yes")]).await;
    assert_eq!(post.status, StatusCode::FORBIDDEN);
    assert_eq!(booking_of(&app, own).await.status, BookingStatus::Confirmed);

    let client = app.sign_in(CLIENT).await;
    assert_eq!(app.get_as(&format!("/visits/{own}"), &client).await.status, StatusCode::FORBIDDEN);
    let anonymous = app.get(&format!("/visits/{own}")).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert!(anonymous.location().starts_with("/login?next="), "{}", anonymous.location());
}

#[tokio::test]
async fn archiving_a_service_or_a_clinic_asks_first_and_restoring_does_not() {
    let app = TestApp::new().await;
    let manager = app.sign_in(MANAGER).await;
    let csrf = app.csrf(&manager).await;
    let service = mobile_massage(&app).await;
    let path = format!("/manage/services/{}/archive", service.id.0);

    let asked = app.form(&path, Some(&manager), &[("csrf", &csrf)]).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    assert!(asked.body.contains("Archive ‘Massage with oil at home’?"), "{}", asked.body);
    assert!(asked.body.contains("It will no longer be offered"), "{}", asked.body);
    assert!(asked.body.contains("Archive it") && asked.body.contains("Keep it"), "{}", asked.body);
    assert!(!app.store.service(service.id).await.unwrap().archived, "asking archives nothing");

    let done = app.form(&path, Some(&manager), &[("csrf", &csrf), ("confirm", "yes")]).await;
    assert_eq!((done.status, done.location()), (StatusCode::SEE_OTHER, "/manage/services"));
    assert!(app.store.service(service.id).await.unwrap().archived);
    let restore = format!("/manage/services/{}/restore", service.id.0);
    let restored = app.form(&restore, Some(&manager), &[("csrf", &csrf)]).await;
    assert_eq!(restored.status, StatusCode::SEE_OTHER, "restoring needs no confirmation");
    assert!(!app.store.service(service.id).await.unwrap().archived);

    let clinic = app.store.clinics().await.unwrap().remove(0);
    let path = format!("/manage/clinics/{}/archive", clinic.id.0);
    let asked = app.form(&path, Some(&manager), &[("csrf", &csrf)]).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    assert!(asked.body.contains("Archive ‘Korkeavuori Clinic’?") && asked.body.contains("Keep it"), "{}", asked.body);
    assert!(!app.store.clinic(clinic.id).await.unwrap().archived);
    let done = app.form(&path, Some(&manager), &[("csrf", &csrf), ("confirm", "yes")]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert!(app.store.clinic(clinic.id).await.unwrap().archived);
    let restored =
        app.form(&format!("/manage/clinics/{}/restore", clinic.id.0), Some(&manager), &[("csrf", &csrf)]).await;
    assert_eq!(restored.status, StatusCode::SEE_OTHER);
    assert!(!app.store.clinic(clinic.id).await.unwrap().archived);
}

#[tokio::test]
async fn a_managers_api_changes_are_recorded_and_the_client_reads_them() {
    let app = TestApp::new().await;
    let service = mobile_massage(&app).await;
    let (liza, ines) = (therapist(&app, "liza-manalo").await, therapist(&app, "ines-carvalho").await);
    let (_, start) = common_start(&app, &service).await;
    let body = json!({
        "service_id": service.id.0, "start": start, "therapist_ids": [liza.0],
        "lat": HOME.0, "lon": HOME.1, "address": "12 Kalevankatu, Helsinki",
        "client": {"name": "Pia Example", "email": "guest@example.com", "phone": CLIENT_PHONE}
    });
    let booked = app.json("POST", "/api/v1/bookings", None, &body.to_string()).await.json();
    let id = booked["id"].as_i64().unwrap();
    let manage_url = booked["manage_url"].as_str().unwrap();
    let token = manage_url.split("token=").nth(1).unwrap();
    let changes_path = format!("/api/v1/bookings/{id}/changes?token={token}");
    assert_eq!(app.get(&changes_path).await.json(), json!({"changes": []}));

    let manager = app.token_for(MANAGER.0).await;
    let client = app.token_for(CLIENT.0).await;
    let path = format!("/api/v1/bookings/{id}/reassign");
    let refused = app.json("POST", &path, Some(&client), &json!({"therapist_ids": [ines.0]}).to_string()).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "clients may not reassign");
    let same = app.json("POST", &path, Some(&manager), &json!({"therapist_ids": [liza.0]}).to_string()).await;
    assert_eq!(same.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(same.error_fields()[0].1, "therapist_ids", "{}", same.body);
    let unknown =
        app.json("POST", &path, Some(&manager), &json!({"therapist_ids": [ines.0], "x": 1}).to_string()).await;
    assert!(matches!(unknown.status.as_u16(), 400 | 422), "unknown fields are refused: {}", unknown.body);
    let done = app.json("POST", &path, Some(&manager), &json!({"therapist_ids": [ines.0]}).to_string()).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.json()["visits"][0]["therapist_id"], json!(ines.0));

    let cancelled = app.json("POST", &format!("/api/v1/bookings/{id}/cancel"), Some(&manager), "").await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    let seen = app.get(&changes_path).await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);
    let changes = seen.json()["changes"].as_array().unwrap().clone();
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert_eq!(changes[0]["kind"], "reassigned");
    assert_eq!(changes[0]["from_therapists"][0]["name"], "Liza Manalo");
    assert_eq!(changes[0]["to_therapists"][0]["name"], "Ines Carvalho");
    assert!(
        changes[0]["at"].as_str().unwrap().ends_with("+02:00")
            || changes[0]["at"].as_str().unwrap().ends_with("+03:00")
    );
    assert_eq!(changes[1]["kind"], "cancelled");
    assert_eq!(app.get(&format!("/api/v1/bookings/{id}/changes")).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_visit_sheet_shows_the_precautions_before_the_clients_contact_details() {
    use crate::client_pages::{book_with, intake_with};
    let app = TestApp::new().await;
    let intake = intake_with(|i| {
        i.varicose_veins = Some(true);
        i.anticoagulants = Some(true);
        i.other_care.physiotherapy = true;
    });
    let extra = json!({"intake": intake, "reason": "stress", "notes": "Buzzer 12, a friendly dog"});
    let (id, _) = book_with(&app, "ines-carvalho", "Sheet Example", "sheet@example.com", extra).await;
    let manager = app.sign_in(MANAGER).await;
    let page = app.get_as(&format!("/visits/{id}"), &manager).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let body = &page.body;
    let at = |text: &str| body.find(text).unwrap_or_else(|| panic!("the sheet shows {text:?}: {body}"));
    assert!(at("Avoid this area") < at("416-555-0123"), "precautions come before the contact details");
    assert!(at("id=\"precautions-heading\"") < at("id=\"client-heading\""), "{body}");
    assert!(at("varicose veins (legs)") < at("tel:"), "the region is named");
    assert!(body.contains("Light pressure only"), "the pressure limit: {body}");
    assert!(body.contains("physiotherapy"), "the other care: {body}");
    assert!(body.contains("Buzzer 12, a friendly dog"), "the client's notes: {body}");
    assert!(body.contains("Stress or trouble sleeping"), "the reason: {body}");
    assert!(body.contains("Agreed: "), "the consent state: {body}");
    assert!(body.contains("Move to another time"), "the actions stay below");

    // A visit without a health history says so, and that none are recorded.
    let (bare, _) = book_with(&app, "theo-lambert", "Bare Example", "bare@example.com", json!({})).await;
    let page = app.get_as(&format!("/visits/{bare}"), &manager).await;
    assert!(page.body.contains("No health history given yet"), "{}", page.body);
    assert!(page.body.contains("None recorded."), "{}", page.body);

    // The therapist's calendar card names the category only.
    let booking = app.store.booking(BookingId(id)).await.unwrap();
    let date = booking.start.to_zoned(helsinki()).date();
    let ines = therapist(&app, "ines-carvalho").await;
    let calendar = app.get_as(&format!("/manage/therapists/{}/calendar?date={date}", ines.0), &manager).await;
    assert!(calendar.body.contains("Avoid this area"), "{}", calendar.body);
    assert!(!calendar.body.contains("varicose"), "no reasons on the calendar");
}

#[tokio::test]
async fn recording_a_clearance_confirms_a_held_booking() {
    use crate::client_pages::{book_with, intake_with};
    let app = TestApp::new().await;
    let intake = intake_with(|i| i.heart_or_kidney_swelling = Some(true));
    let (id, booked) =
        book_with(&app, "ines-carvalho", "Held Example", "held@example.com", json!({"intake": intake})).await;
    assert_eq!(booked["status"], "awaiting_clearance", "{booked}");
    let manager = app.sign_in(MANAGER).await;
    let csrf = app.csrf(&manager).await;
    let day = &booked["start_local"].as_str().unwrap()[..10];
    let list = app.get_as(&format!("/manage/bookings?date={day}"), &manager).await;
    assert!(list.body.contains("class=\"held\"") && list.body.contains("Waiting for clearance"), "{}", list.body);

    let page = app.get_as(&format!("/visits/{id}"), &manager).await;
    assert!(page.body.contains("Waiting for a physician’s clearance"), "{}", page.body);
    assert!(page.body.contains("heart or kidney failure"), "why it waits: {}", page.body);
    let path = format!("/visits/{id}/clearance");
    let refused = app.form(&path, Some(&manager), &[("csrf", &csrf), ("cleared_by", " ")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("href=\"#cleared_by\""), "{}", refused.body);
    assert_eq!(app.store.booking(BookingId(id)).await.unwrap().status, BookingStatus::AwaitingClearance);

    let done = app
        .form(
            &path,
            Some(&manager),
            &[("csrf", &csrf), ("cleared_by", "Dr A. Example, Kamppi Health Centre"), ("note", "Fine for gentle work")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.location(), format!("/visits/{id}?done=cleared"));
    assert_eq!(app.store.booking(BookingId(id)).await.unwrap().status, BookingStatus::Confirmed);
    let page = app.get_as(done.location(), &manager).await;
    assert!(page.body.contains("the visit is confirmed"), "{}", page.body);
    assert!(page.body.contains("Dr A. Example, Kamppi Health Centre"), "from whom: {}", page.body);
    assert!(page.body.contains("by you"), "who recorded it: {}", page.body);
    assert!(!page.body.contains("Record the clearance"), "no second clearance is asked for");
    // Again: nothing is waiting any more.
    let again = app.form(&path, Some(&manager), &[("csrf", &csrf), ("cleared_by", "Dr B")]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", again.body);
    assert!(again.body.contains("not waiting for a clearance"), "{}", again.body);
}
