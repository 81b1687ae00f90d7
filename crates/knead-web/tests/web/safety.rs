//! Safety on home visits through the pages and the API: a therapist checks in and out of their visit from its
//! page (plain form posts), a check-out without a check-in is a 409 saying so, only the visit's therapist or a
//! manager may check in (another therapist is told it does not exist, a client is refused), and the managers'
//! day lists the visit with its checks.

use crate::support::*;
use axum::http::StatusCode;
use jiff::ToSpan;
use serde_json::json;

/// A client's home in the demo's central Helsinki: the address point of Kalevankatu 12.
const HOME: (f64, f64) = (60.1669, 24.9374);
const INES: (&str, &str) = ("ines@demo.knead.test", "knead-safety-therapist-ines");

/// The demo practice with a login for Ines (a mobile therapist) and a home visit booked with her a few
/// days ahead; the visit's id and its local date.
async fn ines_visit(app: &TestApp) -> (i64, String) {
    let user = knead_app::accounts::create_user(&app.app, INES.0, "Ines Carvalho", "therapist", INES.1).await.unwrap();
    let ines = app.store.therapist_by_slug("ines-carvalho").await.unwrap();
    app.store.link_therapist_user(ines.id, Some(user.id)).await.unwrap();
    let service = app
        .store
        .list_services(false)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == "Massage with oil at home")
        .unwrap();
    let from = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::get("Europe/Helsinki").unwrap()).date() + 3.days();
    let query = format!(
        "service_id={}&lat={}&lon={}&from={from}&days=14&therapist_id={}",
        service.id.0, HOME.0, HOME.1, ines.id.0
    );
    let slots = app.get(&format!("/api/v1/availability?{query}")).await.json();
    let start = slots["slots"][0]["start"].as_str().expect("Ines has a free start").to_string();
    let body = json!({
        "service_id": service.id.0, "start": start, "therapist_ids": [ines.id.0],
        "lat": HOME.0, "lon": HOME.1, "address": "12 Kalevankatu, Helsinki",
        "client": {"name": "Pia Example", "email": "guest@example.com", "phone": "416-555-0199"}
    });
    let reply = app.json("POST", "/api/v1/bookings", None, &body.to_string()).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    (reply.json()["id"].as_i64().unwrap(), start[..10].to_string())
}

#[tokio::test]
async fn a_therapist_checks_in_and_out_of_their_home_visit_from_its_page() {
    let app = TestApp::new().await;
    let (id, date) = ines_visit(&app).await;
    let ines = app.sign_in(INES).await;
    let csrf = app.csrf(&ines).await;

    let page = app.get_as(&format!("/visits/{id}"), &ines).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(&format!("action=\"/visits/{id}/check-in\"")), "a check-in form: {}", page.body);
    assert!(page.body.contains(">Check in</button>"), "{}", page.body);

    let done = app.form(&format!("/visits/{id}/check-in"), Some(&ines), &[("csrf", &csrf)]).await;
    assert_eq!(
        (done.status, done.location()),
        (StatusCode::SEE_OTHER, format!("/visits/{id}?done=checked_in#safety").as_str())
    );
    let page = app.get_as(&format!("/visits/{id}?done=checked_in"), &ines).await;
    assert!(page.body.contains("Checked in at "), "the time checked in shows: {}", page.body);
    assert!(page.body.contains(&format!("action=\"/visits/{id}/check-out\"")), "{}", page.body);

    // A second check-in is refused, saying so.
    let again = app.form(&format!("/visits/{id}/check-in"), Some(&ines), &[("csrf", &csrf)]).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(again.body.contains("already checked in"), "{}", again.body);

    // A form without the session's CSRF token changes nothing.
    let forged = app.form(&format!("/visits/{id}/check-out"), Some(&ines), &[("csrf", "forged")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let out = app.form(&format!("/visits/{id}/check-out"), Some(&ines), &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER, "{}", out.body);
    let page = app.get_as(&format!("/visits/{id}"), &ines).await;
    assert!(page.body.contains(", checked out at "), "{}", page.body);
    assert!(!page.body.contains(">Check out</button>"), "nothing left to press");

    // The log, through the API and on the managers' day.
    let token = app.token_for(INES.0).await;
    let checks = app.get_as(&format!("/api/v1/bookings/{id}/checks"), &token).await;
    assert_eq!(checks.status, StatusCode::OK, "{}", checks.body);
    let kinds: Vec<String> =
        checks.json()["checks"].as_array().unwrap().iter().map(|c| c["kind"].as_str().unwrap().to_string()).collect();
    assert_eq!(kinds, ["in", "out"]);
    let manager = app.sign_in(MANAGER).await;
    let day = app.get_as(&format!("/manage/safety?date={date}"), &manager).await;
    assert_eq!(day.status, StatusCode::OK, "{}", day.body);
    assert!(day.body.contains("Ines Carvalho") && day.body.contains("12 Kalevankatu"), "{}", day.body);
    assert!(day.body.contains("checked in at ") && day.body.contains("checked out at "), "{}", day.body);
    let manager_token = app.token_for(MANAGER.0).await;
    let api_day = app.get_as(&format!("/api/v1/safety/checks?date={date}"), &manager_token).await;
    assert_eq!(api_day.status, StatusCode::OK, "{}", api_day.body);
    let visit = api_day.json()["visits"].as_array().unwrap().iter().find(|v| v["booking_id"] == id).cloned().unwrap();
    assert_eq!((visit["presence"].as_str(), visit["overdue"].as_str()), (Some("checked_out"), Some("no")));
    let bad = app.get_as("/api/v1/safety/checks?date=tomorrow", &manager_token).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.error_fields()[0].1, "date");
}

#[tokio::test]
async fn a_check_out_without_a_check_in_is_a_409_naming_what_is_wrong() {
    let app = TestApp::new().await;
    let (id, _) = ines_visit(&app).await;
    let token = app.token_for(INES.0).await;
    let refused = app.json("POST", &format!("/api/v1/bookings/{id}/check-out"), Some(&token), "").await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    let error = &refused.json()["errors"][0];
    assert_eq!((error["code"].as_str(), error["field"].as_str()), (Some("not_checked_in"), Some("check_in")));
    assert!(error["detail"].as_str().unwrap().contains("not checked in"), "{error}");

    // The page says the same, as a page.
    let ines = app.sign_in(INES).await;
    let csrf = app.csrf(&ines).await;
    let page = app.form(&format!("/visits/{id}/check-out"), Some(&ines), &[("csrf", &csrf)]).await;
    assert_eq!(page.status, StatusCode::CONFLICT, "{}", page.body);
    assert!(page.body.contains("was not checked in, so it cannot be checked out"), "{}", page.body);

    // With a note, then out; a second check-out is a 409 too.
    let body = json!({"note": "Client asked me to stay 10 minutes longer"}).to_string();
    let arrived = app.json("POST", &format!("/api/v1/bookings/{id}/check-in"), Some(&token), &body).await;
    assert_eq!(arrived.status, StatusCode::CREATED, "{}", arrived.body);
    assert_eq!(arrived.json()["kind"], "in");
    let left = app.json("POST", &format!("/api/v1/bookings/{id}/check-out"), Some(&token), "{}").await;
    assert_eq!(left.status, StatusCode::CREATED, "{}", left.body);
    let twice = app.json("POST", &format!("/api/v1/bookings/{id}/check-out"), Some(&token), "").await;
    assert_eq!(twice.status, StatusCode::CONFLICT);
    assert_eq!(twice.error_fields()[0], ("already_checked_out".to_string(), "check_out".to_string()));
    let unknown = app.json("POST", &format!("/api/v1/bookings/{id}/check-in"), Some(&token), "{\"notes\":\"x\"}").await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY, "an unknown field is named: {}", unknown.body);
}

#[tokio::test]
async fn only_the_visits_therapist_or_a_manager_may_check_in_and_a_client_cannot() {
    let app = TestApp::new().await;
    let (id, _) = ines_visit(&app).await;
    let path = format!("/api/v1/bookings/{id}/check-in");
    let anonymous = app.json("POST", &path, None, "").await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let client = app.token_for(CLIENT.0).await;
    assert_eq!(app.json("POST", &path, Some(&client), "").await.status, StatusCode::FORBIDDEN);
    // Mara is a therapist, but not this visit's: the visit does not exist for her, as a missing one.
    let mara = app.token_for(THERAPIST.0).await;
    let other = app.json("POST", &path, Some(&mara), "").await;
    let missing = app.json("POST", "/api/v1/bookings/987654/check-in", Some(&mara), "").await;
    assert_eq!((other.status, missing.status), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert_eq!(other.body, missing.body);
    assert_eq!(app.get_as(&format!("/api/v1/bookings/{id}/checks"), &mara).await.status, StatusCode::NOT_FOUND);
    let mara_page = app.sign_in(THERAPIST).await;
    let csrf = app.csrf(&mara_page).await;
    let page = app.form(&format!("/visits/{id}/check-in"), Some(&mara_page), &[("csrf", &csrf)]).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get_as("/api/v1/safety/checks", &mara).await.status,
        StatusCode::FORBIDDEN,
        "the day is for managers"
    );

    // A manager checks in for the visit's one therapist.
    let manager = app.token_for(MANAGER.0).await;
    let done = app.json("POST", &path, Some(&manager), "").await;
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.body);
    let ines = app.store.therapist_by_slug("ines-carvalho").await.unwrap();
    assert_eq!(done.json()["therapist_id"], ines.id.0);
}

#[tokio::test]
async fn the_emergency_contact_is_saved_with_the_settings_and_a_partial_one_is_refused_naming_each_part() {
    let app = TestApp::new().await;
    let manager = app.token_for(MANAGER.0).await;
    let mut settings = app.get_as("/api/v1/practice/settings", &manager).await.json();
    assert_eq!(settings["safety_grace_minutes"], 30);
    settings["safety_grace_minutes"] = json!(45);
    settings["emergency_contact"] = json!({"name": "Alex Owner", "phone": "", "email": "not an email"});
    let refused = app.json("PUT", "/api/v1/practice/settings", Some(&manager), &settings.to_string()).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    let fields: Vec<String> = refused.error_fields().into_iter().map(|(_, f)| f).collect();
    assert_eq!(fields, ["emergency_contact.phone", "emergency_contact.email"]);
    settings["emergency_contact"] =
        json!({"name": "Alex Owner", "phone": "+358 40 123 4567", "email": "alex@example.com"});
    let saved = app.json("PUT", "/api/v1/practice/settings", Some(&manager), &settings.to_string()).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(
        (saved.json()["safety_grace_minutes"].as_i64(), saved.json()["emergency_contact"]["name"].as_str()),
        (Some(45), Some("Alex Owner"))
    );

    // The settings page shows them, in a fieldset of their own.
    let session = app.sign_in(MANAGER).await;
    let page = app.get_as("/manage/settings", &session).await;
    assert!(page.body.contains("Safety on home visits") && page.body.contains("value=\"Alex Owner\""), "{}", page.body);
}
