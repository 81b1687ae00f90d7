//! Addresses instead of coordinates: the places API over the demo's imported map, addresses in availability
//! and bookings, the booking flow's search-then-pick without script, and the staff forms that take an address.

use crate::support::*;
use axum::http::StatusCode;
use jiff::ToSpan;
use knead_core::{Kind, Place, Service};
use serde_json::json;

/// The demo map's address point of 15 Yrjönkatu.
const HOME: (f64, f64) = (60.1672, 24.9402);

async fn home_massage(app: &TestApp) -> Service {
    app.store
        .list_services(false)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.kind == Kind::Individual && s.place == Place::Mobile)
        .unwrap()
}

fn tomorrow() -> jiff::civil::Date {
    let tz = jiff::tz::TimeZone::get("Europe/Helsinki").unwrap();
    jiff::Timestamp::now().to_zoned(tz).date().checked_add(1.days()).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.0005
}

#[tokio::test]
async fn places_are_suggested_as_typed_and_found_near_a_point() {
    let app = TestApp::new().await;
    for typed in ["15 Yrjönkatu", "yrjonkatu 15", "Yrjönkatu 15, Helsinki", "15 yrjonkatu, apt 4, buzz 1234"] {
        let reply = app.get(&format!("/api/v1/places?q={}&limit=3", urlencode(typed))).await;
        assert_eq!(reply.status, StatusCode::OK, "{typed}: {}", reply.body);
        let first = &reply.json()["places"][0];
        assert!(first["label"].as_str().unwrap().starts_with("15 Yrjönkatu"), "{typed}: {first}");
        assert!(close(first["lat"].as_f64().unwrap(), HOME.0) && close(first["lon"].as_f64().unwrap(), HOME.1));
    }
    let typing = app.get("/api/v1/places?q=yrjonk").await.json();
    assert!(typing["places"].as_array().unwrap().len() > 1, "suggestions while the street is half typed");

    let near = app.get(&format!("/api/v1/places/reverse?lat={}&lon={}", HOME.0 + 0.00002, HOME.1)).await;
    assert_eq!(near.status, StatusCode::OK);
    assert!(near.json()["label"].as_str().unwrap().contains("Yrjönkatu"), "{}", near.body);
    assert_eq!(app.get("/api/v1/places/reverse?lat=61.4978&lon=23.7610").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_place_queries_name_the_field() {
    let app = TestApp::new().await;
    let long = "a".repeat(301);
    for (query, field) in [
        ("q=", "q"),
        (&format!("q={long}") as &str, "q"),
        ("q=yrjonkatu&limit=0", "limit"),
        ("q=yrjonkatu&limit=21", "limit"),
    ] {
        let reply = app.get(&format!("/api/v1/places?{query}")).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {}", reply.body);
        assert_eq!(reply.error_fields()[0].1, field, "{query}");
    }
    // A search box is lenient: blank text or control characters suggest nothing, or search around them.
    let blank = app.get("/api/v1/places?q=%20%01%20").await;
    assert_eq!((blank.status, blank.json()["places"].as_array().unwrap().len()), (StatusCode::OK, 0));
    let tab = app.get("/api/v1/places?q=15%09Yrj%C3%B6nkatu").await;
    assert!(tab.json()["places"][0]["label"].as_str().unwrap().starts_with("15 Yrjönkatu"), "{}", tab.body);
    // Not a number at all is a malformed query, as everywhere in the API.
    let reply = app.get("/api/v1/places?q=yrjonkatu&limit=many").await;
    assert_eq!((reply.status, reply.error_fields()[0].1.as_str()), (StatusCode::BAD_REQUEST, "limit"));
    let reply = app.get("/api/v1/places/reverse?lat=91&lon=24").await;
    assert_eq!((reply.status, reply.error_fields()[0].1.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "lat"));
}

#[tokio::test]
async fn availability_and_booking_take_an_address_in_place_of_coordinates() {
    let app = TestApp::new().await;
    let massage = home_massage(&app).await;
    let query = |address: &str| {
        format!(
            "/api/v1/availability?service_id={}&address={}&from={}&days=3",
            massage.id.0,
            urlencode(address),
            tomorrow()
        )
    };
    let by_address = app.get(&query("yrjonkatu 15")).await;
    assert_eq!(by_address.status, StatusCode::OK, "{}", by_address.body);
    let by_point = app
        .get(&format!(
            "/api/v1/availability?service_id={}&lat={}&lon={}&from={}&days=3",
            massage.id.0,
            60.1672295,
            24.9401587,
            tomorrow()
        ))
        .await;
    let slots = by_address.json()["slots"].as_array().unwrap().clone();
    assert!(!slots.is_empty(), "times are offered at the address");
    assert_eq!(slots.len(), by_point.json()["slots"].as_array().unwrap().len(), "the same place as its point");

    for (address, code) in [("Nowhere Road 99", "address_not_found"), ("Yrjönkatu", "address_incomplete")] {
        let reply = app.get(&query(address)).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{address}: {}", reply.body);
        assert_eq!(reply.error_fields()[0], (code.to_string(), "address".to_string()), "{address}");
    }
    let both = app.get(&format!("{}&lat=60.17&lon=24.94", query("15 Yrjönkatu"))).await;
    assert_eq!(both.error_fields()[0].1, "address", "an address or coordinates, not both");

    // A program without coordinates books by address; the booking keeps the text and the map's point.
    let start = slots[0]["start"].as_str().unwrap();
    let body = json!({
        "service_id": massage.id.0, "start": start, "address": "15 Yrjönkatu, B 12",
        "client": {"name": "Ana Fictional", "email": "ana@example.com", "phone": "416-555-0100"}
    });
    let booked = app.json("POST", "/api/v1/bookings", None, &body.to_string()).await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let b = booked.json();
    assert_eq!(b["address"], "15 Yrjönkatu, B 12");
    assert!(close(b["lat"].as_f64().unwrap(), HOME.0) && close(b["lon"].as_f64().unwrap(), HOME.1), "{b}");

    let vague = json!({
        "service_id": massage.id.0, "start": start, "lat": HOME.0, "lon": HOME.1, "address": "At your place",
        "client": {"name": "Bo Fictional", "email": "bo@example.com", "phone": "416-555-0101"}
    });
    let refused = app.json("POST", "/api/v1/bookings", None, &vague.to_string()).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.error_fields()[0],
        ("address_incomplete".into(), "address".into()),
        "a visit needs a street address"
    );
}

#[tokio::test]
async fn the_where_step_looks_the_address_up_and_offers_choices_without_script() {
    let app = TestApp::new().await;
    let massage = home_massage(&app).await;
    let where_page = app.get(&format!("/book/where?service_id={}", massage.id.0)).await;
    assert_eq!(where_page.status, StatusCode::OK);
    for name in ["lat", "lon"] {
        assert!(!where_page.body.contains(&format!("name=\"{name}\"")), "no {name} field on the where step");
    }
    assert!(where_page.body.contains("data-address"), "the address field offers suggestions with script");

    let found = app.get(&format!("/book/when?service_id={}&address=yrjonkatu+15&unit=B+12", massage.id.0)).await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);
    assert!(
        found.body.contains("15 Yrjönkatu, 00120 Helsinki, B 12")
            || found.body.contains("15 Yrjönkatu, Helsinki, B 12"),
        "the map's label and the unit name the place"
    );

    let unknown = app.get(&format!("/book/when?service_id={}&address=annankatu+99", massage.id.0)).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        unknown.body.contains("Did you mean one of these?") && unknown.body.contains("Annankatu"),
        "the street's doors to pick from"
    );
    assert!(unknown.body.contains("href=\"tel:"), "and the practice's number to call");

    let empty = app.get(&format!("/book/when?service_id={}&address=", massage.id.0)).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("type the street address"), "{}", empty.body);
}

#[tokio::test]
async fn a_clinic_and_a_therapists_base_are_placed_by_their_address() {
    let app = TestApp::new().await;
    let manager = app.sign_in(MANAGER).await;
    let csrf = app.csrf(&manager).await;
    let added = app
        .form(
            "/manage/clinics",
            Some(&manager),
            &[("csrf", &csrf), ("name", "Bulevardi Studio"), ("address", "8 Bulevardi"), ("rooms", "Room A")],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let clinic = app.store.clinics().await.unwrap().into_iter().find(|c| c.name == "Bulevardi Studio").unwrap();
    assert!(close(clinic.lat, 60.1657) && close(clinic.lon, 24.9415), "{clinic:?}");

    let nowhere = app
        .form(
            "/manage/clinics",
            Some(&manager),
            &[("csrf", &csrf), ("name", "Nowhere"), ("address", "Nowhere Road 99"), ("rooms", "A")],
        )
        .await;
    assert_eq!(nowhere.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(nowhere.body.contains("could not find this address"));

    let schedule = app.store.schedules().await.unwrap().into_iter().next().unwrap();
    let page = app.get_as(&format!("/manage/therapists/{}/schedule", schedule.therapist_id.0), &manager).await;
    assert!(page.body.contains("name=\"base_address\"") && !page.body.contains("name=\"base_lat\""));
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
