//! The OpenAPI document is generated from the code, served as OpenAPI 3.1, and pinned by a snapshot.

use crate::support::*;
use axum::http::StatusCode;

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
    insta::assert_json_snapshot!("openapi", doc, { ".info.version" => "[version]" });
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
