//! The OpenAPI document is generated from the code, served as OpenAPI 3.1, and pinned by a snapshot.

use crate::support::*;
use axum::http::StatusCode;
use serde_json::Value;
use std::collections::BTreeSet;

const METHODS: [&str; 5] = ["get", "put", "post", "patch", "delete"];

/// Every operation in the document, as (method, path, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                out.push((method.to_string(), path.clone(), op.clone()));
            }
        }
    }
    out
}

#[tokio::test]
async fn the_openapi_document_is_served_and_matches_the_snapshot() {
    let app = TestApp::new().await;
    let reply = app.get("/api/v1/openapi.json").await;
    assert_eq!(reply.status, StatusCode::OK);
    let doc = reply.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    for path in [
        "/api/v1/services",
        "/api/v1/services/{id}",
        "/api/v1/therapists/{id}/archive",
        "/api/v1/articles",
        "/api/v1/me",
        "/healthz",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is documented");
    }
    assert!(doc["components"]["schemas"].get("ServiceInput").is_some());
    // The zone names are the server's time-zone database's, which changes with its releases.
    insta::assert_json_snapshot!("openapi", doc, {
        ".info.version" => "[version]",
        ".components.schemas.PracticeSettingsInput.properties.time_zone.enum" => "[the IANA zones the server knows]",
    });
}

#[tokio::test]
async fn every_documented_route_answers() {
    let app = TestApp::new().await;
    let doc = app.get("/api/v1/openapi.json").await.json();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if item.get("get").is_some() {
            let concrete = path.replace("{id}", "1");
            let reply = app.get(&concrete).await;
            assert_ne!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{path}");
            assert!(
                reply.status != StatusCode::NOT_FOUND || reply.json()["errors"][0]["detail"] != "No such API route.",
                "{path} is routed"
            );
        }
    }
}

#[tokio::test]
async fn every_operation_has_its_own_id_and_documents_the_errors_it_can_get() {
    let app = TestApp::new().await;
    let doc = app.get("/api/v1/openapi.json").await.json();
    let ops = operations(&doc);
    assert!(ops.len() >= 30, "{} operations", ops.len());
    let mut ids = BTreeSet::new();
    for (method, path, op) in &ops {
        let here = format!("{method} {path}");
        let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{here} has an operationId"));
        assert!(ids.insert(id.to_string()), "{here}: operationId {id} is used twice");
        let documents = |status: &str| op["responses"].get(status).is_some();
        let has_params = op["parameters"].as_array().is_some_and(|p| !p.is_empty());
        let has_body = op.get("requestBody").is_some();
        if has_params || has_body {
            assert!(documents("400"), "{here} documents 400");
        }
        if has_body {
            assert!(documents("413") && documents("415"), "{here} documents 413 and 415");
        }
        if op.get("security").is_some() {
            assert!(documents("401") && documents("403"), "{here} documents 401 and 403");
        }
        if method != "get" {
            assert!(documents("403"), "{here} documents 403 for a session without the CSRF header");
        }
        for (status, response) in op["responses"].as_object().unwrap() {
            if status.starts_with('4') || status.starts_with('5') {
                assert_eq!(
                    response["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/ErrorBody",
                    "{here} {status} is in the error shape"
                );
            }
        }
    }
    for manager_only in ["createService", "archiveTherapist", "replacePracticeSettings", "deleteTimeOff", "getMe"] {
        let op = ops.iter().find(|(_, _, op)| op["operationId"] == manager_only).unwrap();
        assert_eq!(op.2["security"], serde_json::json!([{"bearer": []}]), "{manager_only} needs a token");
    }
}

#[tokio::test]
async fn request_schemas_carry_the_bounds_the_validation_enforces() {
    let app = TestApp::new().await;
    let doc = app.get("/api/v1/openapi.json").await.json();
    let schemas = &doc["components"]["schemas"];
    let name = &schemas["ServiceInput"]["properties"]["name"];
    assert_eq!((name["minLength"].as_u64(), name["maxLength"].as_u64()), (Some(1), Some(120)));
    assert_eq!(
        schemas["ServiceInput"]["properties"]["price_cents"]["maximum"],
        knead_core::ServiceInput::MAX_PRICE_CENTS
    );
    assert_eq!(schemas["ClinicInput"]["properties"]["rooms"]["minItems"], 1);
    assert_eq!(schemas["BookingInput"]["properties"]["start"]["format"], "date-time");
    let zones = schemas["PracticeSettingsInput"]["properties"]["time_zone"]["enum"].as_array().unwrap();
    assert!(zones.iter().any(|z| z == "America/Toronto") && zones.len() > 300, "{} zones", zones.len());
    let availability = ops_param(&doc, "/api/v1/availability", "days");
    assert_eq!(availability["schema"]["maximum"], knead_app::booking::MAX_DAYS);

    // The bounds are the code's: at the bound is accepted, one past it is refused naming the field.
    let manager = app.token_for(MANAGER.0).await;
    for (field, at_max, past_max) in [
        ("name", "n".repeat(120), "n".repeat(121)),
        ("description", "d".repeat(4000), "d".repeat(4001)),
        ("modality", "m".repeat(80), "m".repeat(81)),
    ] {
        let body = |value: &str, slug: &str| {
            let mut body = serde_json::json!({"name": "Bound check", "slug": slug, "duration_minutes": 600,
                "price_cents": 0, "place": "mobile", "kind": "individual", "buffer_minutes": 240});
            body[field] = value.into();
            body.to_string()
        };
        let ok = app.json("POST", "/api/v1/services", Some(&manager), &body(&at_max, &format!("at-{field}"))).await;
        assert_eq!(ok.status, StatusCode::CREATED, "{field} at its bound: {}", ok.body);
        let refused =
            app.json("POST", "/api/v1/services", Some(&manager), &body(&past_max, &format!("past-{field}"))).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{field} past its bound");
        assert_eq!(refused.error_fields()[0].1, field);
    }
}

fn ops_param<'a>(doc: &'a Value, path: &str, name: &str) -> &'a Value {
    doc["paths"][path]["get"]["parameters"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap()
}

#[tokio::test]
async fn the_api_document_says_how_to_sign_in_and_that_other_methods_are_a_405() {
    let app = TestApp::new().await;
    let doc = app.get("/api/v1/openapi.json").await.json();
    let description = doc["info"]["description"].as_str().unwrap();
    assert!(description.contains("405") && description.contains("X-CSRF-Token"), "{description}");
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
}
