//! Staff's client pages over the demo practice: the client list and its search, a new client (and a refused
//! one naming its field), the client's file with its health history, a therapist kept to their own clients
//! (another therapist's client and visit sheet are "not found"), the bookings list, and the manager's audit
//! log, which lists a read of a client's file and exports as CSV.

use crate::support::*;
use axum::http::{header, StatusCode};
use jiff::ToSpan;
use knead_core::booking::BookingId;
use knead_core::intake::IntakeInput;
use serde_json::{json, Value};

/// A client's home in the demo's central Helsinki: the address point of Kalevankatu 12.
pub(crate) const HOME: (f64, f64) = (60.1669, 24.9374);

fn helsinki() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Europe/Helsinki").unwrap()
}

/// A complete health history answering "no" to everything, consent given, changed by `f`.
pub(crate) fn intake_with(f: impl FnOnce(&mut IntakeInput)) -> IntakeInput {
    let mut i = knead_core::intake::health::all_clear();
    f(&mut i);
    i
}

/// Books the mobile massage at home with the therapist `slug` at their first free start some days ahead,
/// as a guest `name` <`email`>, with `extra` fields in the body (reason, notes, intake...); returns the
/// booking's id and the whole answer.
pub(crate) async fn book_with(app: &TestApp, slug: &str, name: &str, email: &str, extra: Value) -> (i64, Value) {
    let service = app
        .store
        .list_services(false)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == "Massage with oil at home")
        .unwrap();
    let therapist = app.store.therapist_by_slug(slug).await.unwrap().id;
    let from = jiff::Timestamp::now().to_zoned(helsinki()).date() + 3.days();
    let query = format!(
        "service_id={}&lat={}&lon={}&from={from}&days=14&therapist_id={}",
        service.id.0, HOME.0, HOME.1, therapist.0
    );
    let slots = app.get(&format!("/api/v1/availability?{query}")).await.json();
    let start = slots["slots"][0]["start"].as_str().expect("a free start").to_string();
    let mut body = json!({
        "service_id": service.id.0, "start": start, "therapist_ids": [therapist.0],
        "lat": HOME.0, "lon": HOME.1, "address": "12 Kalevankatu, Helsinki",
        "client": {"name": name, "email": email, "phone": "416-555-0123"}
    });
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        body[k] = v;
    }
    let reply = app.json("POST", "/api/v1/bookings", None, &body.to_string()).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let booked = reply.json();
    (booked["id"].as_i64().unwrap(), booked)
}

/// The client record a booking belongs to.
pub(crate) async fn client_of(app: &TestApp, booking: i64) -> i64 {
    app.store.booking(BookingId(booking)).await.unwrap().client_id.expect("every booking has a client").0
}

/// The page's CSRF token.
async fn csrf_of(app: &TestApp, auth: &Auth) -> String {
    app.csrf(auth).await
}

#[tokio::test]
async fn staff_list_search_and_add_clients_and_a_refused_one_names_its_field() {
    let app = TestApp::new().await;
    let (id, _) = book_with(&app, "ines-carvalho", "Aino Virtanen", "aino@example.com", json!({})).await;
    let aino = client_of(&app, id).await;
    let manager = app.sign_in(MANAGER).await;
    let csrf = csrf_of(&app, &manager).await;

    let list = app.get_as("/manage/clients", &manager).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains("Aino Virtanen") && list.body.contains("aino@example.com"), "{}", list.body);
    assert!(list.body.contains(&format!("href=\"/manage/clients/{aino}\"")), "each row links to the client");
    assert!(list.body.contains("<th scope=\"col\">Bookings</th>"), "the table has headers");
    let found = app.get_as("/manage/clients?q=virta", &manager).await;
    assert!(found.body.contains("Aino Virtanen"), "{}", found.body);
    let none = app.get_as("/manage/clients?q=nobody-by-this-name", &manager).await;
    assert_eq!(none.status, StatusCode::OK);
    assert!(!none.body.contains("Aino Virtanen") && none.body.contains("No client matches"), "{}", none.body);

    let form = app.get_as("/manage/clients/new", &manager).await;
    assert!(form.body.contains("<label for=\"email\">Email</label>"), "labels are tied to inputs: {}", form.body);
    let refused = app
        .form(
            "/manage/clients/new",
            Some(&manager),
            &[("csrf", &csrf), ("name", "Eero Mäkinen"), ("email", "not-an-email")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("href=\"#email\""), "the summary names the field: {}", refused.body);
    assert!(refused.body.contains("value=\"Eero Mäkinen\""), "what was typed is kept");
    let added = app
        .form(
            "/manage/clients/new",
            Some(&manager),
            &[("csrf", &csrf), ("name", "Eero Mäkinen"), ("email", "eero@example.com"), ("phone", "040 123 4567")],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert!(added.location().starts_with("/manage/clients/"), "{}", added.location());
    let file = app.get_as(added.location(), &manager).await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.body);
    assert!(file.body.contains("The client was added.") && file.body.contains("Eero Mäkinen"), "{}", file.body);
    assert!(file.body.contains("No health history given yet"), "{}", file.body);
    assert!(file.body.contains("/book?client_id="), "staff can book for the client");
    assert!(app.get_as("/manage/clients?q=eero", &manager).await.body.contains("Eero Mäkinen"));

    // Changing the contact details.
    let edit_path = format!("/manage/clients/{aino}/edit");
    let edit = app.get_as(&edit_path, &manager).await;
    assert!(edit.body.contains("value=\"aino@example.com\""), "{}", edit.body);
    let saved = app
        .form(
            &edit_path,
            Some(&manager),
            &[
                ("csrf", &csrf),
                ("name", "Aino Virtanen"),
                ("email", "aino@example.com"),
                ("phone", "040 765 4321"),
                ("date_of_birth", "1980-05-04"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let file = app.get_as(&format!("/manage/clients/{aino}"), &manager).await;
    assert!(file.body.contains("040 765 4321") && file.body.contains("(age "), "{}", file.body);
    assert!(file.body.contains(&format!("href=\"/visits/{id}\"")), "the booking links to its visit");

    // Clients are refused the staff pages.
    let client = app.sign_in(CLIENT).await;
    assert_eq!(app.get_as("/manage/clients", &client).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_therapist_sees_only_their_own_clients_and_visit_sheets() {
    let app = TestApp::new().await;
    // Ines's client; Mara (the demo's therapist login) has no visit with them.
    let intake = intake_with(|i| i.varicose_veins = Some(true));
    let (id, _) = book_with(&app, "ines-carvalho", "Oona Example", "oona@example.com", json!({"intake": intake})).await;
    let oona = client_of(&app, id).await;
    let mara = app.sign_in(THERAPIST).await;
    let list = app.get_as("/manage/clients", &mara).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(!list.body.contains("Oona Example"), "not Mara's client: {}", list.body);
    let file = app.get_as(&format!("/manage/clients/{oona}"), &mara).await;
    assert_eq!(file.status, StatusCode::NOT_FOUND, "{}", file.body);
    assert!(!file.body.contains("Oona"));
    let missing = app.get_as("/manage/clients/987654", &mara).await;
    assert_eq!((missing.status, missing.body), (file.status, file.body), "the same answer as for no client");
    let sheet = app.get_as(&format!("/visits/{id}"), &mara).await;
    assert_eq!(sheet.status, StatusCode::NOT_FOUND, "{}", sheet.body);
    assert!(!sheet.body.contains("varicose"));
    let edit = app.get_as(&format!("/manage/clients/{oona}/edit"), &mara).await;
    assert_eq!(edit.status, StatusCode::NOT_FOUND);

    // The manager sees the file in full: the health history with its precautions' answers.
    let manager = app.sign_in(MANAGER).await;
    let file = app.get_as(&format!("/manage/clients/{oona}"), &manager).await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.body);
    assert!(file.body.contains("Version 1"), "{}", file.body);
    assert!(file.body.contains("Do you have varicose veins?"), "every answer is readable: {}", file.body);
    assert!(file.body.contains("Agreed: "), "the consent state: {}", file.body);
}

#[tokio::test]
async fn the_bookings_list_filters_by_day_therapist_and_status() {
    let app = TestApp::new().await;
    let (id, booked) = book_with(&app, "ines-carvalho", "Pekka Example", "pekka@example.com", json!({})).await;
    let day = &booked["start_local"].as_str().unwrap()[..10];
    let ines = app.store.therapist_by_slug("ines-carvalho").await.unwrap().id.0;
    let manager = app.sign_in(MANAGER).await;
    let on_day = app.get_as(&format!("/manage/bookings?date={day}"), &manager).await;
    assert_eq!(on_day.status, StatusCode::OK, "{}", on_day.body);
    assert!(on_day.body.contains("Pekka Example") && on_day.body.contains(&format!("/visits/{id}")), "{}", on_day.body);
    let hers = app.get_as(&format!("/manage/bookings?date={day}&therapist_id={ines}&status=confirmed"), &manager).await;
    assert!(hers.body.contains("Pekka Example"), "{}", hers.body);
    let held = app.get_as(&format!("/manage/bookings?date={day}&status=awaiting_clearance"), &manager).await;
    assert!(!held.body.contains("Pekka Example"), "{}", held.body);
    let today = app.get_as("/manage/bookings", &manager).await;
    assert!(!today.body.contains("Pekka Example"), "today by default");
    let bad = app.get_as("/manage/bookings?status=lost", &manager).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("href=\"#status\""), "{}", bad.body);
}

#[tokio::test]
async fn the_audit_log_lists_a_read_and_exports_as_csv() {
    let app = TestApp::new().await;
    let (id, _) = book_with(&app, "ines-carvalho", "Liisa Example", "liisa@example.com", json!({})).await;
    let liisa = client_of(&app, id).await;
    let manager = app.sign_in(MANAGER).await;
    assert_eq!(app.get_as(&format!("/manage/clients/{liisa}"), &manager).await.status, StatusCode::OK);

    let dashboard = app.get_as("/manage", &manager).await;
    assert!(dashboard.body.contains("href=\"/manage/audit\""), "{}", dashboard.body);
    let log = app.get_as(&format!("/manage/audit?client_id={liisa}"), &manager).await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.body);
    let row = between(&log.body, "<tbody>", "</tbody>").expect("entries");
    assert!(row.contains("<td>read</td>"), "the read is listed: {row}");
    assert!(row.contains(&format!("href=\"/manage/clients/{liisa}\"")), "{row}");
    assert!(log.body.contains("The chain is intact"), "{}", log.body);
    assert!(log.body.contains("href=\"/manage/audit.csv\""));

    let csv = app.get_as("/manage/audit.csv", &manager).await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    assert!(csv.headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
    assert!(csv.headers[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment"));
    assert!(csv.body.lines().next().unwrap().starts_with("id,at,actor"), "{}", csv.body);
    assert!(csv.body.lines().count() > 1, "{}", csv.body);

    let therapist = app.sign_in(THERAPIST).await;
    assert_eq!(app.get_as("/manage/audit", &therapist).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get_as("/manage/audit.csv", &therapist).await.status, StatusCode::FORBIDDEN);
}
