//! Clinics that can be edited, archived and given rooms: the manager's pages and the API. Bad input names
//! the field and changes nothing; a room with visits to come is not removed; an archived clinic leaves the
//! booking pages while its bookings keep it; clients and therapists change nothing.

use crate::booking_pages::error_beside;
use crate::support::*;
use axum::http::StatusCode;
use knead_core::booking::Clinic;
use serde_json::{json, Value};

async fn demo_clinic(app: &TestApp) -> Clinic {
    app.store.clinics().await.unwrap().remove(0)
}

async fn clinic_service_id(app: &TestApp) -> i64 {
    let services = app.store.list_services(false).await.unwrap();
    services.iter().find(|s| s.name == "RMT assessment and treatment, 60 minutes").unwrap().id.0
}

/// A guest books the first clinic visit offered from a week ahead; returns the booking as the API shows it.
async fn book_at_clinic(app: &TestApp, clinic: &Clinic) -> Value {
    let service = clinic_service_id(app).await;
    let tz = jiff::tz::TimeZone::get("America/Toronto").unwrap();
    let from = jiff::Timestamp::now().to_zoned(tz).date().checked_add(jiff::ToSpan::days(7)).unwrap();
    let query = format!("service_id={service}&clinic_id={}&from={from}&days=14", clinic.id.0);
    let offer = app.get(&format!("/api/v1/availability?{query}")).await;
    assert_eq!(offer.status, StatusCode::OK, "{}", offer.body);
    let start = offer.json()["slots"][0]["start"].clone();
    let body = json!({"service_id": service, "start": start, "clinic_id": clinic.id.0,
        "client": {"name": "Noor Haddad", "email": "noor@example.com", "phone": "416-555-0111"}});
    let booked = app.json("POST", "/api/v1/bookings", None, &body.to_string()).await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    booked.json()
}

/// The clinic as its edit form is filled on the page, with `changes` made to it.
async fn edit_form(app: &TestApp, manager: &Auth, clinic: &Clinic, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let page = app.get_as(&format!("/manage/clinics/{}", clinic.id.0), manager).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let action = format!("action=\"/manage/clinics/{}\"", clinic.id.0);
    let form = &page.body[page.body.find(&action).unwrap()..];
    let form = &form[..form.find("</form>").unwrap()];
    let mut fields: Vec<(String, String)> = form
        .split("<input ")
        .skip(1)
        .filter(|tag| !tag.contains("type=\"checkbox\""))
        .filter_map(|tag| {
            Some((between(tag, "name=\"", "\"")?.to_string(), between(tag, "value=\"", "\"")?.to_string()))
        })
        .collect();
    for (name, value) in changes {
        fields.retain(|(k, _)| k != name);
        fields.push((name.to_string(), value.to_string()));
    }
    fields
}

async fn post_edit(app: &TestApp, manager: &Auth, clinic: &Clinic, fields: &[(String, String)]) -> Reply {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.form(&format!("/manage/clinics/{}", clinic.id.0), Some(manager), &pairs).await
}

#[tokio::test]
async fn a_manager_renames_adds_and_removes_rooms_through_the_edit_form() {
    let app = TestApp::new().await;
    let clinic = demo_clinic(&app).await;
    let manager = app.sign_in(MANAGER).await;
    let list = app.get_as("/manage/clinics", &manager).await;
    assert!(
        list.body.contains(&format!("href=\"/manage/clinics/{}\"", clinic.id.0)),
        "the list links to the edit form"
    );
    let (one, two) = (clinic.rooms[0].id.0, clinic.rooms[1].id.0);
    let room_one = format!("room_{one}");
    let remove_two = format!("remove_{two}");
    let fields = edit_form(
        &app,
        &manager,
        &clinic,
        &[
            ("name", "Queen West Wellness"),
            (&room_one, "Blue room"),
            (&remove_two, "on"),
            ("new_rooms", "Green room\r\nQuiet room"),
        ],
    )
    .await;
    assert!(!fields.iter().any(|(k, _)| k == "lat" || k == "lon"), "the form never asks for a position");
    let saved = post_edit(&app, &manager, &clinic, &fields).await;
    assert_eq!((saved.status, saved.location()), (StatusCode::SEE_OTHER, "/manage/clinics?saved=clinic_saved"));
    let edited = demo_clinic(&app).await;
    assert_eq!(edited.name, "Queen West Wellness");
    assert_eq!(edited.at(), clinic.at(), "an unchanged address keeps its point");
    let rooms: Vec<_> = edited.rooms.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(rooms, ["Blue room", "Green room", "Quiet room"]);
    assert_eq!(edited.rooms[0].id, clinic.rooms[0].id, "a renamed room is the same room");
    let list = app.get_as("/manage/clinics?saved=clinic_saved", &manager).await;
    assert!(list.body.contains("The clinic was saved.") && list.body.contains("Blue room, Green room, Quiet room"));
}

#[tokio::test]
async fn a_bad_edit_names_each_field_beside_it_and_saves_nothing() {
    let app = TestApp::new().await;
    let clinic = demo_clinic(&app).await;
    let manager = app.sign_in(MANAGER).await;
    let room_one = format!("room_{}", clinic.rooms[0].id.0);
    let room_two = format!("room_{}", clinic.rooms[1].id.0);
    let fields = edit_form(
        &app,
        &manager,
        &clinic,
        &[("name", ""), (&room_one, ""), (&room_two, "Room 3"), ("new_rooms", "room 3")],
    )
    .await;
    let reply = post_edit(&app, &manager, &clinic, &fields).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_beside(&reply.body, "name").contains("required"));
    assert!(error_beside(&reply.body, &room_one).contains("required"), "beside the room's own box");
    assert!(error_beside(&reply.body, "new_rooms").contains("another room"), "names are told apart without case");
    assert!(reply.body.contains("value=\"Room 3\""), "typed values are kept");

    let moved = edit_form(&app, &manager, &clinic, &[("address", "9 Elsewhere Rd, Toronto")]).await;
    let reply = post_edit(&app, &manager, &clinic, &moved).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_beside(&reply.body, "address").contains("could not find this address"), "{}", reply.body);

    let moved = edit_form(&app, &manager, &clinic, &[("address", "8 Bulevardi")]).await;
    let reply = post_edit(&app, &manager, &clinic, &moved).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let at = demo_clinic(&app).await.at();
    assert!((at.lat - 60.1657).abs() < 0.001 && (at.lon - 24.9415).abs() < 0.001, "moved to the new address's point");
    let clinic = demo_clinic(&app).await;

    let forged: Vec<(String, String)> =
        edit_form(&app, &manager, &clinic, &[("csrf", "nope"), ("name", "Forged")]).await;
    assert_eq!(post_edit(&app, &manager, &clinic, &forged).await.status, StatusCode::FORBIDDEN);
    assert_eq!(demo_clinic(&app).await, clinic, "nothing changed");
    let missing = app.get_as("/manage/clinics/987654", &manager).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn removing_a_room_with_a_visit_to_come_is_refused_naming_the_room() {
    let app = TestApp::new().await;
    let clinic = demo_clinic(&app).await;
    let booked = book_at_clinic(&app, &clinic).await;
    let booking = app.store.booking(knead_core::booking::BookingId(booked["id"].as_i64().unwrap())).await.unwrap();
    let busy = clinic.rooms.iter().find(|r| Some(r.id) == booking.visits[0].room_id).unwrap();
    let free = clinic.rooms.iter().find(|r| r.id != busy.id).unwrap();

    let manager = app.sign_in(MANAGER).await;
    let remove = format!("remove_{}", busy.id.0);
    let fields = edit_form(&app, &manager, &clinic, &[(&remove, "on")]).await;
    let reply = post_edit(&app, &manager, &clinic, &fields).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = error_beside(&reply.body, "rooms");
    assert!(message.starts_with(&busy.name) && message.contains("cannot be removed"), "{message}");
    assert_eq!(demo_clinic(&app).await, clinic, "nothing changed");

    let token = app.token_for(MANAGER.0).await;
    let put = json!({"name": clinic.name, "address": clinic.address, "rooms": [{"id": free.id.0, "name": free.name}]});
    let refused = app.json("PUT", &format!("/api/v1/clinics/{}", clinic.id.0), Some(&token), &put.to_string()).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.error_fields(), [("room_in_use".to_string(), "rooms".to_string())]);
    assert!(refused.json()["errors"][0]["detail"].as_str().unwrap().starts_with(&busy.name));

    // The free room can go: it has nothing booked.
    let keep_busy =
        json!({"name": clinic.name, "address": clinic.address, "rooms": [{"id": busy.id.0, "name": busy.name}]});
    let done = app.json("PUT", &format!("/api/v1/clinics/{}", clinic.id.0), Some(&token), &keep_busy.to_string()).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.json()["rooms"], json!([{"id": busy.id.0, "name": busy.name}]));
}

#[tokio::test]
async fn an_archived_clinic_leaves_the_booking_pages_and_its_bookings_keep_it() {
    let app = TestApp::new().await;
    let clinic = demo_clinic(&app).await;
    let booked = book_at_clinic(&app, &clinic).await;
    let manage_url = booked["manage_url"].as_str().unwrap().to_string();
    let service = clinic_service_id(&app).await;
    let manager = app.sign_in(MANAGER).await;
    let csrf = app.csrf(&manager).await;

    let archived = app
        .form(
            &format!("/manage/clinics/{}/archive", clinic.id.0),
            Some(&manager),
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .await;
    assert_eq!(
        (archived.status, archived.location()),
        (StatusCode::SEE_OTHER, "/manage/clinics?saved=clinic_archived")
    );
    let list = app.get_as("/manage/clinics", &manager).await;
    assert!(
        list.body.contains("Archived clinics")
            && list.body.contains(&format!("/manage/clinics/{}/restore", clinic.id.0))
    );

    let where_page = app.get(&format!("/book/where?service_id={service}")).await;
    assert!(!where_page.body.contains(&clinic.name), "not offered: {}", where_page.body);
    assert!(where_page.body.contains("please call the practice"));
    assert!(app.get("/api/v1/clinics").await.json().as_array().unwrap().is_empty());
    assert!(app.get("/api/v1/practice").await.json()["clinics"].as_array().unwrap().is_empty());
    assert_eq!(app.get(&format!("/api/v1/clinics/{}", clinic.id.0)).await.status, StatusCode::NOT_FOUND);
    let token = app.token_for(MANAGER.0).await;
    let all = app.get_as("/api/v1/clinics?include_archived=true", &token).await.json();
    assert_eq!(all[0]["archived"], true, "a manager still sees it");
    assert_eq!(app.get("/api/v1/clinics?include_archived=true").await.status, StatusCode::UNAUTHORIZED);

    let from = booked["start_local"].as_str().unwrap()[..10].to_string();
    let search = format!("/api/v1/availability?service_id={service}&clinic_id={}&from={from}&days=3", clinic.id.0);
    let refused = app.get(&search).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.error_fields(), [("archived".to_string(), "clinic_id".to_string())]);
    let kept = app.get(&manage_url).await;
    assert_eq!(kept.status, StatusCode::OK);
    assert!(kept.body.contains(&clinic.name) && kept.body.contains(&clinic.address), "the booking keeps its clinic");
    let booking = app.store.booking(knead_core::booking::BookingId(booked["id"].as_i64().unwrap())).await.unwrap();
    let day = format!("/manage/therapists/{}/calendar?date={from}", booking.visits[0].therapist_id.0);
    assert!(app.get_as(&day, &manager).await.body.contains(&clinic.name), "the therapist's day still names it");

    let restored =
        app.form(&format!("/manage/clinics/{}/restore", clinic.id.0), Some(&manager), &[("csrf", &csrf)]).await;
    assert_eq!(restored.location(), "/manage/clinics?saved=clinic_restored");
    assert_eq!(app.get(&search).await.status, StatusCode::OK);
    assert!(app.get(&format!("/book/where?service_id={service}")).await.body.contains(&clinic.name));
}

#[tokio::test]
async fn the_clinic_api_replaces_archives_and_restores_for_managers_only() {
    let app = TestApp::new().await;
    let clinic = demo_clinic(&app).await;
    let manager = app.token_for(MANAGER.0).await;
    let path = format!("/api/v1/clinics/{}", clinic.id.0);
    let (one, two) = (&clinic.rooms[0], &clinic.rooms[1]);
    let body = json!({"name": "Queen West Wellness", "address": clinic.address,
        "rooms": [{"id": one.id.0, "name": "Blue room"}, {"id": two.id.0, "name": two.name}, "Green room"]});
    let replaced = app.json("PUT", &path, Some(&manager), &body.to_string()).await;
    assert_eq!(replaced.status, StatusCode::OK, "{}", replaced.body);
    let replaced = replaced.json();
    assert_eq!(replaced["name"], "Queen West Wellness");
    assert_eq!((replaced["lat"].as_f64(), replaced["lon"].as_f64()), (Some(clinic.lat), Some(clinic.lon)));
    assert_eq!(replaced["rooms"][0], json!({"id": one.id.0, "name": "Blue room"}));
    assert_eq!(replaced["rooms"][2]["name"], "Green room");
    assert_eq!(app.get(&path).await.json(), replaced, "anyone reads an open clinic");

    let before = app.get(&path).await.body;
    for (bad, fields) in [
        (json!({"name": "", "address": clinic.address, "rooms": []}), vec!["name", "rooms"]),
        (json!({"name": "A", "address": clinic.address, "rooms": [{"id": 987654, "name": "X"}]}), vec!["rooms[0].id"]),
        (json!({"name": "A", "address": clinic.address, "rooms": ["Same", "same"]}), vec!["rooms[1]"]),
        (json!({"name": "A", "address": "9 Elsewhere Rd", "rooms": ["R"]}), vec!["address"]),
        (json!({"name": "A", "address": clinic.address, "lat": 43.6, "rooms": ["R"]}), vec!["lon"]),
        (json!({"name": "A", "address": clinic.address, "lat": 91.0, "lon": 0.0, "rooms": ["R"]}), vec!["lat"]),
    ] {
        let refused = app.json("PUT", &path, Some(&manager), &bad.to_string()).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {}", refused.body);
        let named: Vec<String> = refused.error_fields().into_iter().map(|(_, f)| f).collect();
        assert_eq!(named, fields, "{bad}");
    }
    let missing = app.json("PUT", "/api/v1/clinics/987654", Some(&manager), &body.to_string()).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let created = app
        .json(
            "POST",
            "/api/v1/clinics",
            Some(&manager),
            &json!({"name": "Annex", "address": "1 Side St", "rooms": ["R"]}).to_string(),
        )
        .await;
    assert_eq!(created.status, StatusCode::UNPROCESSABLE_ENTITY, "no point, and the address cannot be found yet");
    assert_eq!(created.error_fields(), [("address_not_found".to_string(), "address".to_string())]);

    for (who, login) in [("a client", CLIENT), ("a therapist", THERAPIST)] {
        let token = app.token_for(login.0).await;
        assert_eq!(
            app.json("PUT", &path, Some(&token), &body.to_string()).await.status,
            StatusCode::FORBIDDEN,
            "{who}"
        );
        let archive = app.json("POST", &format!("{path}/archive"), Some(&token), "").await;
        assert_eq!(archive.status, StatusCode::FORBIDDEN, "{who}");
    }
    assert_eq!(app.json("PUT", &path, None, &body.to_string()).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get(&path).await.body, before, "nothing changed");

    let archived = app.json("POST", &format!("{path}/archive"), Some(&manager), "").await;
    assert_eq!(archived.json()["archived"], true);
    assert_eq!(app.get_as(&path, &manager).await.json()["archived"], true, "a manager reads it still");
    let restored = app.json("POST", &format!("{path}/restore"), Some(&manager), "").await;
    assert_eq!(restored.json()["archived"], false);
    assert_eq!(
        app.json("POST", "/api/v1/clinics/987654/archive", Some(&manager), "").await.status,
        StatusCode::NOT_FOUND
    );
}
