//! Client records, health-history versions and staff's list of bookings through the API: who may create,
//! list and read them (staff; a therapist only their own clients; a client only themselves), versions that
//! are never overwritten, and staff booking on a client's behalf.

use crate::intake_api::{booking, first_slot, in_days, intake, mobile_massage, HOME};
use crate::support::*;
use axum::http::StatusCode;
use knead_core::{Kind, Place};
use serde_json::{json, Value};

const OTHER: (&str, &str) = ("other@example.com", "a-long-unusual-phrase-42");

async fn other_client(app: &TestApp) -> Auth {
    knead_app::accounts::create_user(&app.app, OTHER.0, "Other Client", "client", OTHER.1).await.unwrap();
    app.token_for(OTHER.0).await
}

/// Ines Carvalho's login, a second therapist beside the demo's Mara Quill.
async fn ines(app: &TestApp) -> (Auth, i64) {
    let user =
        knead_app::accounts::create_user(&app.app, "ines@demo.knead.test", "Ines Carvalho", "therapist", OTHER.1)
            .await
            .unwrap();
    let ines = app.store.therapist_by_slug("ines-carvalho").await.unwrap();
    app.store.link_therapist_user(ines.id, Some(user.id)).await.unwrap();
    (app.token_for("ines@demo.knead.test").await, ines.id.0)
}

/// Books the first mobile slot `days` out as the signed-in `client`; returns the booking.
async fn book_as(app: &TestApp, client: &Auth, days: i64) -> Value {
    let massage = mobile_massage(app).await;
    let (start, therapist) = first_slot(app, &massage, days).await;
    let mut body = booking(&massage, &start, therapist, json!({"reason": "relaxation"}));
    body.as_object_mut().unwrap().remove("client");
    let reply = app.json("POST", "/api/v1/bookings", Some(client), &body.to_string()).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.json()
}

#[tokio::test]
async fn staff_create_and_find_client_records() {
    let app = TestApp::new().await;
    let manager = app.token_for(MANAGER.0).await;
    let body = json!({"name": "Aino Fictional", "email": "aino@example.com", "phone": "040 555 0101",
        "date_of_birth": "1980-02-29"});
    let created = app.json("POST", "/api/v1/clients", Some(&manager), &body.to_string()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let c = created.json();
    assert_eq!((c["name"].as_str(), c["date_of_birth"].as_str()), (Some("Aino Fictional"), Some("1980-02-29")));
    assert_eq!(c["has_login"], false);
    let id = c["id"].as_i64().unwrap();

    // A therapist may create one too; the same email again is a second record, not a merge.
    let mara = app.token_for(THERAPIST.0).await;
    let twin = json!({"name": "Aapo Fictional", "email": "AINO@example.com"});
    let second = app.json("POST", "/api/v1/clients", Some(&mara), &twin.to_string()).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    assert_ne!(second.json()["id"], id);

    for (q, found) in [("aino", true), ("AINO@EXAMPLE", true), ("0101", true), ("nobody-here", false)] {
        let reply = app.get_as(&format!("/api/v1/clients?q={q}"), &manager).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let ids: Vec<i64> =
            reply.json()["clients"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
        assert_eq!(ids.contains(&id), found, "q={q}: {ids:?}");
    }
    let file = app.get_as(&format!("/api/v1/clients/{id}"), &manager).await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.body);
    let same = file.json()["same_email"].clone();
    assert_eq!(same.as_array().unwrap().len(), 1, "the other record with this email shows: {}", file.body);
    assert_eq!(same[0]["name"], "Aapo Fictional");

    let bad = json!({"name": " ", "email": "not-an-email", "date_of_birth": "2999-01-01"});
    let refused = app.json("POST", "/api/v1/clients", Some(&manager), &bad.to_string()).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    let fields: Vec<String> = refused.error_fields().into_iter().map(|(_, f)| f).collect();
    for field in ["name", "email", "date_of_birth"] {
        assert!(fields.iter().any(|f| f == field), "{field} is named: {fields:?}");
    }
    let unknown =
        app.json("POST", "/api/v1/clients", Some(&manager), r#"{"name":"A","email":"a@example.com","dob":"x"}"#).await;
    assert_eq!(unknown.error_fields(), [("unknown_field".to_string(), "dob".to_string())]);

    // Clients may not list or create records; anonymous callers are asked to sign in.
    let client = app.token_for(CLIENT.0).await;
    assert_eq!(app.get_as("/api/v1/clients", &client).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.json("POST", "/api/v1/clients", Some(&client), &body.to_string()).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get("/api/v1/clients").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.json("POST", "/api/v1/clients", None, &body.to_string()).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_therapist_sees_only_their_own_clients() {
    let app = TestApp::new().await;
    let (ines_token, ines_id) = ines(&app).await;
    let mara = app.token_for(THERAPIST.0).await;
    let massage = mobile_massage(&app).await;
    // Book a visit with Ines for a guest.
    let query = format!(
        "/api/v1/availability?service_id={}&lat={}&lon={}&from={}&days=7&therapist_id={ines_id}",
        massage.id.0,
        HOME.0,
        HOME.1,
        in_days(3)
    );
    let start = app.get(&query).await.json()["slots"][0]["start"].as_str().unwrap().to_string();
    let body = booking(&massage, &start, ines_id, json!({"reason": "stress", "notes": "Buzzer 12, cat indoors"}));
    let booked = app.json("POST", "/api/v1/bookings", None, &body.to_string()).await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let client_id = booked.json()["client_id"].as_i64().unwrap();
    let path = format!("/api/v1/clients/{client_id}");

    let listed = |reply: Reply| -> bool {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.json()["clients"].as_array().unwrap().iter().any(|c| c["id"] == client_id)
    };
    assert!(listed(app.get_as("/api/v1/clients", &ines_token).await), "Ines's client is in her list");
    assert!(!listed(app.get_as("/api/v1/clients", &mara).await), "but not in Mara's");
    let file = app.get_as(&path, &ines_token).await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.body);
    assert_eq!(file.json()["bookings"][0]["notes"], "Buzzer 12, cat indoors");
    let missing = app.get_as("/api/v1/clients/987654", &mara).await;
    for sub in ["", "/intakes"] {
        let foreign = app.get_as(&format!("{path}{sub}"), &mara).await;
        assert_eq!(foreign.status, StatusCode::NOT_FOUND, "{sub}: {}", foreign.body);
        assert_eq!(foreign.body, missing.body, "{sub}: answers as a missing client");
    }
    let added = app.json("POST", &format!("{path}/intakes"), Some(&mara), &intake(|_| {}).to_string()).await;
    assert_eq!(added.status, StatusCode::NOT_FOUND, "{}", added.body);
    // Her own visits only in the bookings list.
    let date = &booked.json()["start_local"].as_str().unwrap()[..10].to_string();
    let seen = |reply: Reply| -> Vec<i64> {
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.json()["bookings"].as_array().unwrap().iter().map(|b| b["id"].as_i64().unwrap()).collect()
    };
    let id = booked.json()["id"].as_i64().unwrap();
    assert!(seen(app.get_as(&format!("/api/v1/bookings?date={date}"), &ines_token).await).contains(&id));
    assert!(!seen(app.get_as(&format!("/api/v1/bookings?date={date}"), &mara).await).contains(&id));
    let asked = format!("/api/v1/bookings?date={date}&therapist_id={ines_id}");
    assert!(!seen(app.get_as(&asked, &mara).await).contains(&id), "asking for another's visits shows none");
}

#[tokio::test]
async fn a_client_keeps_versions_of_their_own_history_and_cannot_read_anothers() {
    let app = TestApp::new().await;
    let client = app.token_for(CLIENT.0).await;
    let other = other_client(&app).await;
    let client_id = book_as(&app, &client, 4).await["client_id"].as_i64().unwrap();
    let other_id = book_as(&app, &other, 5).await["client_id"].as_i64().unwrap();
    assert_ne!(client_id, other_id);
    let path = format!("/api/v1/clients/{client_id}/intakes");

    let first =
        app.json("POST", &path, Some(&client), &intake(|h| h["allergies"] = json!("Nut oils")).to_string()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(first.json()["version"], 1);
    let changed = intake(|h| {
        h["pregnant"] = json!(true);
        h["pregnancy_weeks"] = json!(20);
        h["high_risk_pregnancy"] = json!(false);
    });
    let second = app.json("POST", &path, Some(&client), &changed.to_string()).await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    assert_eq!(second.json()["version"], 2);
    assert!(!second.json()["precautions"].as_array().unwrap().is_empty(), "pregnancy changes the visit");

    let versions = app.get_as(&path, &client).await;
    assert_eq!(versions.status, StatusCode::OK, "{}", versions.body);
    let list = versions.json()["intakes"].as_array().unwrap().clone();
    assert_eq!(list.iter().map(|v| v["version"].as_i64().unwrap()).collect::<Vec<_>>(), [2, 1], "newest first");
    assert_eq!(list[1]["answers"]["allergies"], "Nut oils", "the first version is kept as it was");
    let own_file = app.get_as(&format!("/api/v1/clients/{client_id}"), &client).await;
    assert_eq!(own_file.status, StatusCode::OK, "{}", own_file.body);
    assert_eq!(own_file.json()["intakes"].as_array().unwrap().len(), 2);

    // Another client: their reads and writes of this client answer as for a client that does not exist.
    for (method, sub, body) in
        [("GET", "", ""), ("GET", "/intakes", ""), ("POST", "/intakes", &*intake(|_| {}).to_string())]
    {
        let answer = |id: i64| {
            let path = format!("/api/v1/clients/{id}{sub}");
            let (app, other) = (&app, &other);
            async move {
                let reply = if method == "GET" {
                    app.get_as(&path, other).await
                } else {
                    app.json(method, &path, Some(other), body).await
                };
                (reply.status, reply.body)
            }
        };
        let (foreign, never) = (answer(client_id).await, answer(987654).await);
        assert_eq!(foreign.0, StatusCode::NOT_FOUND, "{method} {sub}: {}", foreign.1);
        assert_eq!(foreign, never, "{method} {sub}");
        assert!(!foreign.1.contains("Nut oils"));
    }
    let still = app.get_as(&path, &client).await.json();
    assert_eq!(still["intakes"].as_array().unwrap().len(), 2, "nothing was added by the other client");
    assert_eq!(app.get(&path).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.json("POST", &path, None, &intake(|_| {}).to_string()).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_incomplete_history_names_each_open_question_and_consent_element() {
    let app = TestApp::new().await;
    let manager = app.token_for(MANAGER.0).await;
    let created = app
        .json("POST", "/api/v1/clients", Some(&manager), r#"{"name":"Aino Fictional","email":"aino@example.com"}"#)
        .await;
    let id = created.json()["id"].as_i64().unwrap();
    let reply = app.json("POST", &format!("/api/v1/clients/{id}/intakes"), Some(&manager), "{}").await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    let named = reply.error_fields();
    for (field, _) in knead_core::intake::health::INTAKE_QUESTIONS {
        let expected = field != "high_risk_pregnancy";
        assert_eq!(named.contains(&("required".to_string(), field.to_string())), expected, "{field}: {named:?}");
    }
    for (element, _) in knead_core::intake::health::CONSENT_ELEMENTS {
        assert!(named.contains(&("consent_required".to_string(), format!("consent.{element}"))), "{element}");
    }
    let pregnant = intake(|h| h["pregnant"] = json!(true));
    let reply = app.json("POST", &format!("/api/v1/clients/{id}/intakes"), Some(&manager), &pregnant.to_string()).await;
    let mut named = reply.error_fields();
    named.sort();
    assert_eq!(
        named,
        [
            ("required".to_string(), "high_risk_pregnancy".to_string()),
            ("required".to_string(), "pregnancy_weeks".to_string())
        ]
    );
    assert!(app.get_as(&format!("/api/v1/clients/{id}/intakes"), &manager).await.json()["intakes"]
        .as_array()
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn staff_book_on_a_clients_behalf_and_list_bookings_by_day_and_status() {
    let app = TestApp::new().await;
    let manager = app.token_for(MANAGER.0).await;
    let created = app
        .json(
            "POST",
            "/api/v1/clients",
            Some(&manager),
            r#"{"name":"Aino Fictional","email":"aino@example.com","phone":"040 555 0101"}"#,
        )
        .await;
    let client_id = created.json()["id"].as_i64().unwrap();
    let massage = mobile_massage(&app).await;
    let (start, therapist) = first_slot(&app, &massage, 4).await;
    let mut body = booking(&massage, &start, therapist, json!({"client_id": client_id, "reason": "relaxation"}));
    body.as_object_mut().unwrap().remove("client");
    let booked = app.json("POST", "/api/v1/bookings", Some(&manager), &body.to_string()).await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let b = booked.json();
    assert_eq!(b["client_id"], client_id);
    assert_eq!(b["client_name"], "Aino Fictional");
    // Only staff book by a client's id.
    let client = app.token_for(CLIENT.0).await;
    let (later, therapist) = first_slot(&app, &massage, 6).await;
    let mut theirs = booking(&massage, &later, therapist, json!({"client_id": client_id}));
    theirs.as_object_mut().unwrap().remove("client");
    let refused = app.json("POST", "/api/v1/bookings", Some(&client), &theirs.to_string()).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert_eq!(refused.error_fields()[0].1, "client_id");

    let date = b["start_local"].as_str().unwrap()[..10].to_string();
    let list = |query: String| {
        let (app, manager) = (&app, &manager);
        async move { app.get_as(&format!("/api/v1/bookings?{query}"), manager).await }
    };
    let day = list(format!("date={date}")).await;
    assert_eq!(day.status, StatusCode::OK, "{}", day.body);
    let found = day.json()["bookings"].as_array().unwrap().clone();
    let mine = found.iter().find(|x| x["id"] == b["id"]).expect("the booking is listed on its day");
    assert_eq!(mine["status"], "confirmed");
    assert_eq!(mine["reason"], "relaxation");
    let cancelled = list(format!("date={date}&status=cancelled")).await.json();
    assert!(cancelled["bookings"].as_array().unwrap().iter().all(|x| x["id"] != b["id"]));
    let by_therapist = list(format!("date={date}&therapist_id={therapist}")).await.json();
    assert!(by_therapist["bookings"].as_array().unwrap().iter().all(|x| x["visits"][0]["therapist_id"] == therapist));
    let other_day = list(format!("date={}", in_days(30))).await.json();
    assert!(other_day["bookings"].as_array().unwrap().iter().all(|x| x["id"] != b["id"]));

    for (query, field) in
        [("date=tomorrow", "date"), ("date=2026-13-01", "date"), ("status=pending", "status"), ("days=40", "days")]
    {
        let reply = list(query.to_string()).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {}", reply.body);
        assert_eq!(reply.error_fields()[0].1, field, "{query}");
    }
    assert_eq!(app.get_as("/api/v1/bookings", &client).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/api/v1/bookings").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_clinic_booking_lists_under_its_therapist() {
    let app = TestApp::new().await;
    let mara = app.token_for(THERAPIST.0).await;
    let services = app.store.list_services(false).await.unwrap();
    let clinic_service = services.iter().find(|s| s.kind == Kind::Individual && s.place == Place::Clinic).unwrap();
    let clinic = app.store.clinics().await.unwrap().remove(0);
    let mara_id = app.store.therapist_by_slug("mara-quill").await.unwrap().id.0;
    let query = format!(
        "/api/v1/availability?service_id={}&clinic_id={}&from={}&days=14&therapist_id={mara_id}",
        clinic_service.id.0,
        clinic.id.0,
        in_days(2)
    );
    let start = app.get(&query).await.json()["slots"][0]["start"].clone();
    let body = json!({"service_id": clinic_service.id.0, "start": start, "clinic_id": clinic.id.0,
        "therapist_ids": [mara_id], "client": {"name": "Ben Fictional", "email": "ben@example.com", "phone": "416 555 0199"}});
    let booked = app.json("POST", "/api/v1/bookings", None, &body.to_string()).await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let b = booked.json();
    let date = &b["start_local"].as_str().unwrap()[..10];
    let listed = app.get_as(&format!("/api/v1/bookings?date={date}"), &mara).await.json();
    assert!(listed["bookings"].as_array().unwrap().iter().any(|x| x["id"] == b["id"]), "{listed}");
    let client_id = b["client_id"].as_i64().unwrap();
    let file = app.get_as(&format!("/api/v1/clients/{client_id}"), &mara).await;
    assert_eq!(file.status, StatusCode::OK, "her client's file: {}", file.body);
    assert_eq!(file.json()["client"]["name"], "Ben Fictional");
}
