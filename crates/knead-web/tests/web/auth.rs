//! Sign-in, sessions and the login limit.

use crate::support::*;
use axum::http::StatusCode;

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = TestApp::new().await;
    let wrong = app.form("/login", None, &[("email", MANAGER.0), ("password", "not-the-password")]).await;
    let unknown =
        app.form("/login", None, &[("email", "nobody@demo.knead.test"), ("password", "not-the-password")]).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.status, unknown.status);
    let message = |body: &str| body.split("role=\"alert\">").nth(1).unwrap().split('<').next().unwrap().to_string();
    assert_eq!(message(&wrong.body), message(&unknown.body));
    assert!(wrong.set_cookie().is_empty() && unknown.set_cookie().is_empty());
}

#[tokio::test]
async fn signing_in_sets_a_secure_http_only_session_cookie() {
    let app = TestApp::new().await;
    let reply = app.form("/login", None, &[("email", MANAGER.0), ("password", MANAGER.1)]).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/manage");
    let cookie = reply.set_cookie();
    for attr in ["knead_session=", "HttpOnly", "Secure", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attr), "{attr} in {cookie}");
    }
    let session = Auth::cookie_from(cookie);
    let account = app.get_as("/account", &session).await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(account.body.contains(MANAGER.0));
}

#[tokio::test]
async fn the_session_id_changes_at_login_and_the_old_one_stops_working() {
    let app = TestApp::new().await;
    let first = app.sign_in(CLIENT).await;
    let Auth::Cookie(old) = &first else { unreachable!() };
    let reply = app
        .send(
            axum::http::Request::post("/login")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", old)
                .body(axum::body::Body::from(format!("email={}&password={}", MANAGER.0, MANAGER.1)))
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let new = Auth::cookie_from(reply.set_cookie());
    let Auth::Cookie(new_pair) = &new else { unreachable!() };
    assert_ne!(new_pair, old);
    assert_eq!(app.get_as("/account", &first).await.status, StatusCode::SEE_OTHER, "old session ended");
    assert_eq!(app.get_as("/account", &new).await.status, StatusCode::OK);
}

#[tokio::test]
async fn logging_out_needs_the_form_token_and_ends_the_session() {
    let app = TestApp::new().await;
    let session = app.sign_in(CLIENT).await;
    assert_eq!(app.form("/logout", Some(&session), &[("csrf", "forged")]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get_as("/account", &session).await.status, StatusCode::OK);
    let csrf = app.csrf(&session).await;
    let out = app.form("/logout", Some(&session), &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(out.set_cookie().contains("Max-Age=0"));
    let after = app.get_as("/account", &session).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert_eq!(after.location(), "/login?next=%2Faccount");
}

#[tokio::test]
async fn repeated_failed_logins_are_rate_limited() {
    let app = TestApp::with_config(knead_web::WebConfig { login_attempts_per_minute: 3, ..Default::default() }).await;
    for _ in 0..3 {
        let r = app.form("/login", None, &[("email", MANAGER.0), ("password", "guess-guess-guess")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let limited = app.form("/login", None, &[("email", MANAGER.0), ("password", MANAGER.1)]).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.body.contains("Too many attempts"));
    assert!(limited.set_cookie().is_empty(), "no session while limited, even with the right password");
}

#[tokio::test]
async fn login_only_redirects_within_the_site() {
    let app = TestApp::new().await;
    let local = app.form("/login", None, &[("email", CLIENT.0), ("password", CLIENT.1), ("next", "/services")]).await;
    assert_eq!(local.location(), "/services");
    let away =
        app.form("/login", None, &[("email", CLIENT.0), ("password", CLIENT.1), ("next", "//evil.example")]).await;
    assert_eq!(away.location(), "/account");
}
