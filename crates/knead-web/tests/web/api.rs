//! The JSON API: reads for everyone, writes for managers, and clear errors that change nothing.

use crate::support::*;
use axum::http::StatusCode;
use serde_json::json;

const NEW_SERVICE: &str = r#"{"name":"Hot stone massage","description":"Warm basalt stones.","duration_minutes":75,
  "price_cents":15500,"modality":"Hot stone","place":"mobile","kind":"individual","buffer_minutes":15,
  "add_ons":[{"name":"Aromatherapy oil","price_cents":1500}]}"#;

async fn service_count(app: &TestApp) -> usize {
    app.store.list_services(true).await.unwrap().len()
}

#[tokio::test]
async fn anyone_can_list_and_get_the_catalog() {
    let app = TestApp::new().await;
    for path in ["/api/v1/services", "/api/v1/therapists", "/api/v1/articles"] {
        let reply = app.get(path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        let items = reply.json();
        let first = &items.as_array().unwrap()[0];
        let one = app.get(&format!("{path}/{}", first["id"])).await;
        assert_eq!(one.status, StatusCode::OK);
        assert_eq!(one.json(), *first);
    }
    let services = app.get("/api/v1/services").await.json();
    let spa_party = services.as_array().unwrap().iter().find(|s| s["kind"] == "party").unwrap();
    assert!(spa_party["add_ons"].as_array().unwrap().len() >= 2);
    assert!(spa_party["created_at"].as_str().unwrap().ends_with('Z'), "RFC 3339 in UTC");
}

#[tokio::test]
async fn an_unknown_service_id_is_a_404_in_the_error_shape() {
    let app = TestApp::new().await;
    let reply = app.get("/api/v1/services/999999").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.error_fields()[0].0, "not_found");
    assert!(reply.json()["errors"][0]["detail"].as_str().unwrap().contains("service"));
    let bad = app.get("/api/v1/services/abc").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.error_fields(), [("invalid_path".to_string(), "id".to_string())]);
    let nowhere = app.get("/api/v1/nothing-here").await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    assert_eq!(nowhere.error_fields()[0].0, "not_found");
}

#[tokio::test]
async fn only_managers_may_create_services() {
    let app = TestApp::new().await;
    let anonymous = app.json("POST", "/api/v1/services", None, NEW_SERVICE).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let client = app.token_for(CLIENT.0).await;
    assert_eq!(app.json("POST", "/api/v1/services", Some(&client), NEW_SERVICE).await.status, StatusCode::FORBIDDEN);
    let therapist = app.token_for(THERAPIST.0).await;
    assert_eq!(app.json("POST", "/api/v1/services", Some(&therapist), NEW_SERVICE).await.status, StatusCode::FORBIDDEN);
    let bogus = Auth::Bearer("knead_pat_not-a-real-token".into());
    assert_eq!(app.json("POST", "/api/v1/services", Some(&bogus), NEW_SERVICE).await.status, StatusCode::UNAUTHORIZED);

    let manager = app.token_for(MANAGER.0).await;
    let before = service_count(&app).await;
    let created = app.json("POST", "/api/v1/services", Some(&manager), NEW_SERVICE).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let body = created.json();
    assert_eq!(body["slug"], "hot-stone-massage");
    assert_eq!(body["add_ons"][0]["extra_minutes"], 0);
    assert_eq!(service_count(&app).await, before + 1);
    assert_eq!(app.get(&format!("/api/v1/services/{}", body["id"])).await.json(), body);
}

#[tokio::test]
async fn bad_input_gets_a_4xx_naming_the_field_and_writes_nothing() {
    let app = TestApp::new().await;
    let manager = app.token_for(MANAGER.0).await;
    let before = service_count(&app).await;
    let mut valid: serde_json::Value = serde_json::from_str(NEW_SERVICE).unwrap();
    let with = |field: &str, value: serde_json::Value| {
        let mut v = valid.clone();
        v[field] = value;
        v.to_string()
    };
    let mut missing = valid.clone();
    missing.as_object_mut().unwrap().remove("name");
    let cases: Vec<(String, StatusCode, &str, &str)> = vec![
        ("{\"name\": ".into(), StatusCode::BAD_REQUEST, "invalid_json", "body"),
        (with("price_cents", json!("ten")), StatusCode::BAD_REQUEST, "invalid_type", "price_cents"),
        (with("colour", json!("blue")), StatusCode::UNPROCESSABLE_ENTITY, "unknown_field", "colour"),
        (missing.to_string(), StatusCode::BAD_REQUEST, "required", "name"),
        (with("place", json!("moon")), StatusCode::BAD_REQUEST, "invalid_type", "place"),
        (with("name", json!("x".repeat(121))), StatusCode::UNPROCESSABLE_ENTITY, "too_long", "name"),
        (with("price_cents", json!(-1)), StatusCode::UNPROCESSABLE_ENTITY, "out_of_range", "price_cents"),
        (with("duration_minutes", json!(0)), StatusCode::UNPROCESSABLE_ENTITY, "out_of_range", "duration_minutes"),
        (with("slug", json!("Not A Slug")), StatusCode::UNPROCESSABLE_ENTITY, "invalid", "slug"),
        (
            with("add_ons", json!([{"name": "", "price_cents": -5}])),
            StatusCode::UNPROCESSABLE_ENTITY,
            "required",
            "add_ons[0].name",
        ),
    ];
    for (body, status, code, field) in cases {
        let reply = app.json("POST", "/api/v1/services", Some(&manager), &body).await;
        assert_eq!(reply.status, status, "{body} -> {}", reply.body);
        let errors = reply.error_fields();
        assert!(errors.contains(&(code.to_string(), field.to_string())), "{body} -> {errors:?}");
        assert!(!reply.json()["errors"][0]["detail"].as_str().unwrap().is_empty());
    }
    valid["add_ons"] = json!([{"name": "Mask", "price_cents": 100, "extra_minutes": "ten"}]);
    let nested = app.json("POST", "/api/v1/services", Some(&manager), &valid.to_string()).await;
    assert_eq!(nested.error_fields()[0].1, "add_ons[0].extra_minutes");
    let not_json = app
        .send(
            axum::http::Request::post("/api/v1/services")
                .header(
                    "authorization",
                    match &manager {
                        Auth::Bearer(t) => format!("Bearer {t}"),
                        _ => unreachable!(),
                    },
                )
                .header("content-type", "text/plain")
                .body(axum::body::Body::from(NEW_SERVICE))
                .unwrap(),
        )
        .await;
    assert_eq!(not_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(not_json.error_fields(), [("unsupported_media_type".to_string(), "Content-Type".to_string())]);
    let huge = format!("{{\"name\":\"{}\"}}", "x".repeat(300 * 1024));
    let too_big = app.json("POST", "/api/v1/services", Some(&manager), &huge).await;
    assert_eq!(too_big.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(too_big.error_fields(), [("too_large".to_string(), "body".to_string())]);
    assert_eq!(service_count(&app).await, before, "nothing was written");
}

#[tokio::test]
async fn a_taken_slug_is_a_409_and_changes_nothing() {
    let app = TestApp::new().await;
    let manager = app.token_for(MANAGER.0).await;
    let first = app.json("POST", "/api/v1/services", Some(&manager), NEW_SERVICE).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let again = app.json("POST", "/api/v1/services", Some(&manager), NEW_SERVICE).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.error_fields(), [("taken".to_string(), "slug".to_string())]);
}

#[tokio::test]
async fn managers_update_and_archive_and_the_public_stops_seeing_archived_items() {
    let app = TestApp::new().await;
    let manager = app.token_for(MANAGER.0).await;
    let created = app.json("POST", "/api/v1/services", Some(&manager), NEW_SERVICE).await.json();
    let id = created["id"].as_i64().unwrap();
    let mut changed: serde_json::Value = serde_json::from_str(NEW_SERVICE).unwrap();
    changed["price_cents"] = json!(16000);
    changed["add_ons"] = json!([]);
    let updated = app.json("PUT", &format!("/api/v1/services/{id}"), Some(&manager), &changed.to_string()).await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.json()["price_cents"], 16000);
    assert_eq!(updated.json()["add_ons"], json!([]));
    let missing = app.json("PUT", "/api/v1/services/424242", Some(&manager), &changed.to_string()).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    let archived = app.json("POST", &format!("/api/v1/services/{id}/archive"), Some(&manager), "").await;
    assert_eq!(archived.json()["archived"], true);
    assert_eq!(app.get(&format!("/api/v1/services/{id}")).await.status, StatusCode::NOT_FOUND);
    let public = app.get("/api/v1/services").await.json();
    assert!(public.as_array().unwrap().iter().all(|s| s["id"] != id));
    assert_eq!(app.get("/api/v1/services?include_archived=true").await.status, StatusCode::UNAUTHORIZED);
    let client = app.token_for(CLIENT.0).await;
    assert_eq!(app.get_as("/api/v1/services?include_archived=true", &client).await.status, StatusCode::FORBIDDEN);
    let all = app.get_as("/api/v1/services?include_archived=true", &manager).await.json();
    assert!(all.as_array().unwrap().iter().any(|s| s["id"] == id));
    assert_eq!(app.get("/api/v1/services?include_archived=maybe").await.status, StatusCode::BAD_REQUEST);

    let restored = app.json("POST", &format!("/api/v1/services/{id}/restore"), Some(&manager), "").await;
    assert_eq!(restored.json()["archived"], false);
    assert_eq!(app.get(&format!("/api/v1/services/{id}")).await.status, StatusCode::OK);
}

#[tokio::test]
async fn therapists_and_articles_follow_the_same_rules() {
    let app = TestApp::new().await;
    let manager = app.token_for(MANAGER.0).await;
    let t = app
        .json("POST", "/api/v1/therapists", Some(&manager),
            r#"{"name":"Robin Vale","credentials":"RMT","registration_number":"X-1","modalities":["Swedish massage"],"languages":["English"]}"#)
        .await;
    assert_eq!(t.status, StatusCode::CREATED, "{}", t.body);
    let too_many = serde_json::json!({"name": "A", "languages": vec!["L"; 31]}).to_string();
    let r = app.json("POST", "/api/v1/therapists", Some(&manager), &too_many).await;
    assert_eq!(r.error_fields(), [("too_many".to_string(), "languages".to_string())]);

    let a = app
        .json(
            "POST",
            "/api/v1/articles",
            Some(&manager),
            r#"{"title":"Stretching at your desk","body_markdown":"Stand up **often**."}"#,
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.body);
    let id = a.json()["id"].as_i64().unwrap();
    let empty = app
        .json("PUT", &format!("/api/v1/articles/{id}"), Some(&manager), r#"{"title":"T","body_markdown":"  "}"#)
        .await;
    assert_eq!(empty.error_fields(), [("required".to_string(), "body_markdown".to_string())]);
}

#[tokio::test]
async fn a_client_sees_only_their_own_account() {
    let app = TestApp::new().await;
    let client = app.token_for(CLIENT.0).await;
    let me = app.get_as("/api/v1/me", &client).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["email"], CLIENT.0);
    assert_eq!(me.json()["role"], "client");
    assert!(me.json().get("password_hash").is_none());
    assert_eq!(app.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn health_reports_the_database() {
    let app = TestApp::new().await;
    let reply = app.get("/healthz").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json(), json!({"status": "ok", "database": "sqlite"}));
}

#[tokio::test]
async fn a_method_a_route_does_not_take_is_a_405_listing_the_ones_it_does() {
    let app = TestApp::new().await;
    let manager = app.token_for(MANAGER.0).await;
    for (method, path, allowed) in [
        ("DELETE", "/api/v1/services", "GET,HEAD,POST"),
        ("PATCH", "/api/v1/services/1", "GET,HEAD,PUT"),
        ("GET", "/api/v1/services/1/archive", "POST"),
        ("POST", "/api/v1/availability", "GET,HEAD"),
        // The letter's PDF shares its path segment with the letter, which takes PATCH; the PDF does not.
        ("PATCH", "/api/v1/referrals/1.pdf", "GET,HEAD"),
        ("OPTIONS", "/api/v1/referrals/1.pdf", "GET,HEAD"),
        ("OPTIONS", "/api/v1/referrals/1", "GET,HEAD,PATCH"),
        ("DELETE", "/api/v1/referrals/1", "GET,HEAD,PATCH"),
    ] {
        let reply = app.json(method, path, Some(&manager), "{}").await;
        assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}: {}", reply.body);
        let allow = reply.headers.get(axum::http::header::ALLOW).map(|v| v.to_str().unwrap().replace(' ', ""));
        assert_eq!(allow.as_deref(), Some(allowed), "{method} {path}");
        assert_eq!(reply.error_fields(), [("method_not_allowed".to_string(), "method".to_string())]);
    }
}

#[tokio::test]
async fn an_oversized_booking_is_a_413_in_the_error_shape_naming_the_limit() {
    let app = TestApp::new().await;
    let huge = format!("{{\"service_id\":1,\"start\":\"{}\"}}", "x".repeat(300 * 1024));
    let reply = app.json("POST", "/api/v1/bookings", None, &huge).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(reply.headers[axum::http::header::CONTENT_TYPE], "application/json");
    assert_eq!(reply.error_fields(), [("too_large".to_string(), "body".to_string())]);
    assert!(reply.json()["errors"][0]["detail"].as_str().unwrap().contains(&(256 * 1024).to_string()));
    let plain = app
        .send(
            axum::http::Request::post("/api/v1/bookings")
                .header("content-type", "text/plain")
                .body(axum::body::Body::from("{}"))
                .unwrap(),
        )
        .await;
    assert_eq!(plain.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(plain.error_fields()[0].0, "unsupported_media_type");
}

#[tokio::test]
async fn a_whole_number_written_with_a_fraction_is_read_as_the_integer_it_is() {
    let app = TestApp::new().await;
    let manager = app.token_for(MANAGER.0).await;
    let mut body: serde_json::Value = serde_json::from_str(NEW_SERVICE).unwrap();
    body["price_cents"] = json!(15500.0);
    body["add_ons"][0]["price_cents"] = json!(1500.0);
    let created = app.json("POST", "/api/v1/services", Some(&manager), &body.to_string()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.json()["price_cents"], 15500);
    body["slug"] = json!("half-a-cent");
    body["price_cents"] = json!(15500.5);
    let refused = app.json("POST", "/api/v1/services", Some(&manager), &body.to_string()).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.error_fields(), [("invalid_type".to_string(), "price_cents".to_string())]);
}
