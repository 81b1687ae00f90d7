//! The practice's own details: set on the manager's settings page or through the API, shown at the foot of
//! every public page (the phone as a link that dials, the email as a link that writes, the postal address).

use crate::booking_pages::error_beside;
use crate::support::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

const PHONE_LINK: &str = "href=\"tel:+14165550123\"";
const EMAIL_LINK: &str = "href=\"mailto:hello@kneady.example\"";

/// Pages anyone may open, an error page among them.
const PUBLIC_PAGES: [&str; 7] = ["/", "/services", "/therapists", "/articles", "/book", "/login", "/no/such/page"];

fn details_form(csrf: &str) -> Vec<(&str, &str)> {
    vec![
        ("csrf", csrf),
        ("name", "Kneady Hands"),
        ("phone", "+1 (416) 555-0123"),
        ("email", "Hello@Kneady.Example"),
        ("address", "Suite 4, 700 Queen St W\r\nToronto ON M6J 1E7"),
    ]
}

#[tokio::test]
async fn the_details_a_manager_saves_are_at_the_foot_of_every_public_page() {
    let app = TestApp::new().await;
    let before = app.get("/").await;
    assert!(before.body.contains("href=\"tel:+14165550100\""), "the demo practice's own number");
    assert!(before.body.contains("<a class=\"brand\" href=\"/\">knead</a>"), "the configured name");

    let manager = app.sign_in(MANAGER).await;
    let csrf = app.csrf(&manager).await;
    let saved = app.form("/manage/settings/details", Some(&manager), &details_form(&csrf)).await;
    assert_eq!((saved.status, saved.location()), (StatusCode::SEE_OTHER, "/manage/settings?saved=details"));
    let page = app.get_as("/manage/settings?saved=details", &manager).await;
    assert!(page.body.contains("The practice's details were saved"), "{}", page.body);
    assert!(page.body.contains("value=\"+1 (416) 555-0123\""), "the form shows what was saved");

    for path in PUBLIC_PAGES {
        let reply = app.get(path).await;
        let footer = &reply.body[reply.body.find("<footer").unwrap_or_else(|| panic!("{path} has a footer"))..];
        assert!(footer.contains(PHONE_LINK), "{path}: the phone dials: {footer}");
        assert!(footer.contains(">+1 (416) 555-0123</a>"), "{path} shows the number as written");
        assert!(footer.contains(EMAIL_LINK), "{path}: the email, lowercased");
        assert!(footer.contains("Suite 4, 700 Queen St W<br>Toronto ON M6J 1E7"), "{path}: the address's lines");
        assert!(reply.body.contains("<a class=\"brand\" href=\"/\">Kneady Hands</a>"), "{path}: the public name");
    }
    assert!(app.get("/services").await.body.contains("<title>Services · Kneady Hands</title>"));
    let signed_in = app.get_as("/manage", &manager).await;
    assert!(signed_in.body.contains(PHONE_LINK), "signed-in pages have the same foot");
    let practice = app.get("/api/v1/practice").await.json();
    assert_eq!(practice["name"], "Kneady Hands");
    assert_eq!(practice["phone"], "+1 (416) 555-0123");
    assert_eq!(practice["email"], "hello@kneady.example");
    assert_eq!(practice["address"], "Suite 4, 700 Queen St W\nToronto ON M6J 1E7");

    // Cleared, each detail is gone again, and the configured name is back.
    let cleared = [("csrf", csrf.as_str()), ("name", ""), ("phone", ""), ("email", ""), ("address", "")];
    assert_eq!(app.form("/manage/settings/details", Some(&manager), &cleared).await.status, StatusCode::SEE_OTHER);
    let home = app.get("/").await;
    assert!(!home.body.contains("href=\"tel:") && !home.body.contains("mailto:"), "{}", home.body);
    assert!(home.body.contains("<a class=\"brand\" href=\"/\">knead</a>"));
}

#[tokio::test]
async fn a_bad_detail_is_shown_beside_its_field_and_saves_nothing() {
    let app = TestApp::new().await;
    let manager = app.sign_in(MANAGER).await;
    let csrf = app.csrf(&manager).await;
    app.form("/manage/settings/details", Some(&manager), &details_form(&csrf)).await;
    let long_address = "x".repeat(301);
    let bad = [
        ("csrf", csrf.as_str()),
        ("name", "Kneady Hands"),
        ("phone", "555-12"),
        ("email", "hello(at)kneady"),
        ("address", long_address.as_str()),
    ];
    let reply = app.form("/manage/settings/details", Some(&manager), &bad).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_beside(&reply.body, "phone").contains("7 to 20 digits"));
    assert!(error_beside(&reply.body, "email").contains("email address"));
    assert!(error_beside(&reply.body, "address").contains("at most 300"));
    assert!(reply.body.contains("value=\"555-12\""), "what was typed is kept");
    assert!(reply.body.contains("name=\"booking_horizon_days\""), "the booking settings' form is still there");
    assert!(app.get("/").await.body.contains(PHONE_LINK), "the saved details stand");

    let forged = app.form("/manage/settings/details", Some(&manager), &details_form("not-the-token")).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    for (who, login) in [("a client", CLIENT), ("a therapist", THERAPIST)] {
        let session = app.sign_in(login).await;
        let their_csrf = app.csrf(&session).await;
        let mut form = details_form(&their_csrf);
        form[2] = ("phone", "416-555-0999");
        let refused = app.form("/manage/settings/details", Some(&session), &form).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{who}");
        assert_eq!(app.get_as("/manage/settings", &session).await.status, StatusCode::FORBIDDEN, "{who}");
    }
    assert!(app.get("/").await.body.contains(PHONE_LINK), "nothing changed");
}

#[tokio::test]
async fn the_details_api_names_the_bad_field_and_lets_only_managers_change_them() {
    let app = TestApp::new().await;
    let manager = app.token_for(MANAGER.0).await;
    let body = json!({"name": "Kneady Hands", "phone": "416-555-0123", "email": "hello@kneady.example",
        "address": "700 Queen St W\nToronto"});
    let saved = app.json("PUT", "/api/v1/practice/details", Some(&manager), &body.to_string()).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let details = app.get_as("/api/v1/practice/details", &manager).await.json();
    assert_eq!(
        details,
        json!({"name": "Kneady Hands", "phone": "416-555-0123", "email": "hello@kneady.example",
        "address": "700 Queen St W\nToronto"})
    );
    assert!(app.get("/").await.body.contains("href=\"tel:4165550123\""));

    for (bad, field) in [
        (json!({"phone": "12"}), "phone"),
        (json!({"phone": "+1 416+555 0123"}), "phone"),
        (json!({"email": "no at sign"}), "email"),
        (json!({"address": "a".repeat(301)}), "address"),
        (json!({"name": "Two\nlines"}), "name"),
    ] {
        let refused = app.json("PUT", "/api/v1/practice/details", Some(&manager), &bad.to_string()).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(refused.error_fields().iter().map(|(_, f)| f.as_str()).collect::<Vec<_>>(), [field], "{bad}");
    }
    let unknown = app.json("PUT", "/api/v1/practice/details", Some(&manager), r#"{"fax": "1"}"#).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.error_fields()[0], ("unknown_field".to_string(), "fax".to_string()));
    assert_eq!(app.get_as("/api/v1/practice/details", &manager).await.json(), details, "nothing changed");

    let change = json!({"phone": "416-555-0999"}).to_string();
    for (who, login) in [("a client", CLIENT), ("a therapist", THERAPIST)] {
        let token = app.token_for(login.0).await;
        let refused = app.json("PUT", "/api/v1/practice/details", Some(&token), &change).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{who}");
        assert_eq!(app.get_as("/api/v1/practice/details", &token).await.status, StatusCode::FORBIDDEN, "{who}");
    }
    assert_eq!(app.json("PUT", "/api/v1/practice/details", None, &change).await.status, StatusCode::UNAUTHORIZED);
    // A browser session needs the CSRF header on the API too.
    let session = app.sign_in(MANAGER).await;
    let Auth::Cookie(cookie) = &session else { unreachable!() };
    let without = Request::put("/api/v1/practice/details")
        .header("cookie", cookie.as_str())
        .header("content-type", "application/json")
        .body(Body::from(change.clone()))
        .unwrap();
    assert_eq!(app.send(without).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get_as("/api/v1/practice/details", &manager).await.json(), details, "nothing changed");
    let with = Request::put("/api/v1/practice/details")
        .header("cookie", cookie.as_str())
        .header("x-csrf-token", app.csrf(&session).await)
        .header("content-type", "application/json")
        .body(Body::from(change))
        .unwrap();
    assert_eq!(app.send(with).await.status, StatusCode::OK);
    assert_eq!(app.get("/api/v1/practice").await.json()["phone"], "416-555-0999");
}
