//! Sign-in, sessions, the second factor, the sign-in limits, and the defences every request gets.

use crate::support::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};

fn alert(body: &str) -> String {
    between(body, "role=\"alert\">", "<").unwrap_or("").to_string()
}

fn session_cookie_of(reply: &Reply) -> Option<String> {
    reply
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|c| c.starts_with("knead_session="))
        .map(str::to_string)
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = TestApp::new().await;
    let wrong = app.login(MANAGER.0, "not-the-password", None).await;
    let unknown = app.login("nobody@demo.knead.test", "not-the-password", None).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.status, unknown.status);
    assert_eq!(alert(&wrong.body), alert(&unknown.body));
    assert!(session_cookie_of(&wrong).is_none() && session_cookie_of(&unknown).is_none());
}

#[tokio::test]
async fn signing_in_sets_a_secure_http_only_session_cookie() {
    let app = TestApp::new().await;
    let reply = app.login(CLIENT.0, CLIENT.1, None).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/account");
    let cookie = session_cookie_of(&reply).expect("a session cookie");
    for attr in ["HttpOnly", "Secure", "SameSite=Lax", "Path=/", "Max-Age=1209600"] {
        assert!(cookie.contains(attr), "{attr} in {cookie}");
    }
    let session = Auth::cookie_from(&cookie);
    let account = app.get_as("/account", &session).await;
    assert_eq!(account.status, StatusCode::OK);
    assert!(account.body.contains(CLIENT.0));
    assert_eq!(account.headers["cache-control"], "no-store", "personal pages are never cached");
}

#[tokio::test]
async fn the_login_form_needs_its_pre_session_token() {
    let app = TestApp::new().await;
    let (cookie, token) = app.login_form().await;
    assert!(cookie.starts_with("knead_login="));
    let pairs = |t: &'static str| [("email", CLIENT.0), ("password", CLIENT.1), ("login_token", t)];
    // Another site can post the form, but cannot read or set the cookie that pairs it with the browser.
    let forged = app.login_with("", &pairs("guessed"), None).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(session_cookie_of(&forged).is_none());
    let mismatched = app.login_with(&cookie, &pairs("guessed"), None).await;
    assert_eq!(mismatched.status, StatusCode::FORBIDDEN);
    let token: &'static str = Box::leak(token.into_boxed_str());
    let cross_site = app
        .send(
            Request::post("/login")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", &cookie)
                .header("sec-fetch-site", "cross-site")
                .body(Body::from(serde_urlencoded::to_string(pairs(token)).unwrap()))
                .unwrap(),
        )
        .await;
    assert_eq!(cross_site.status, StatusCode::FORBIDDEN);
    assert_eq!(cross_site.error_fields()[0].0, "cross_site");
    let fine = app.login_with(&cookie, &pairs(token), None).await;
    assert_eq!(fine.status, StatusCode::SEE_OTHER, "{}", fine.body);
}

#[tokio::test]
async fn the_session_id_changes_at_login_and_the_old_one_stops_working() {
    let app = TestApp::new().await;
    let first = app.sign_in(CLIENT).await;
    let Auth::Cookie(old) = &first else { unreachable!() };
    let (form_cookie, token) = app.login_form().await;
    let both = format!("{old}; {form_cookie}");
    let reply = app
        .login_with(&both, &[("email", THERAPIST.0), ("password", THERAPIST.1), ("login_token", &token)], None)
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let new = Auth::cookie_from(&session_cookie_of(&reply).unwrap());
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
async fn one_address_guessing_is_refused_with_retry_after() {
    let app = TestApp::with_config(knead_web::WebConfig { login_attempts_per_minute: 3, ..Default::default() }).await;
    for _ in 0..3 {
        let r = app.login(MANAGER.0, "guess-guess-guess", Some("192.0.2.1")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let limited = app.login(MANAGER.0, MANAGER.1, Some("192.0.2.1")).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.body.contains("Too many attempts"));
    let wait: u64 = limited.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    assert!(session_cookie_of(&limited).is_none(), "no session while limited, even with the right password");
    let other_account = app.login(CLIENT.0, CLIENT.1, Some("192.0.2.1")).await;
    assert_eq!(other_account.status, StatusCode::TOO_MANY_REQUESTS, "one address cannot try many accounts either");
}

#[tokio::test]
async fn strangers_cannot_lock_the_real_user_out() {
    let app = TestApp::new().await;
    for last in 1..=10 {
        let r = app.login(CLIENT.0, "wrong-password-guess", Some(&format!("198.51.100.{last}"))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let started = std::time::Instant::now();
    let real = app.login(CLIENT.0, CLIENT.1, Some("203.0.113.7")).await;
    assert_eq!(real.status, StatusCode::SEE_OTHER, "the right password from a new address still works: {}", real.body);
    assert!(session_cookie_of(&real).is_some());
    assert!(started.elapsed() < std::time::Duration::from_secs(6), "slowed down, not refused");
}

#[tokio::test]
async fn login_only_redirects_within_the_site() {
    let app = TestApp::new().await;
    async fn to(app: &TestApp, next: &str) -> String {
        let (cookie, token) = app.login_form().await;
        let pairs = [("email", CLIENT.0), ("password", CLIENT.1), ("next", next), ("login_token", &token)];
        let reply = app.login_with(&cookie, &pairs, None).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{next:?}: {}", reply.body);
        reply.location().to_string()
    }
    assert_eq!(to(&app, "/services").await, "/services");
    for hostile in ["//evil.example", "/\t/evil.example", "/\n", "/\\evil.example", "https://evil.example", "/a//b"] {
        assert_eq!(to(&app, hostile).await, "/account", "{hostile:?}");
    }
}

#[tokio::test]
async fn managers_set_up_a_second_factor_before_anything_else_and_then_need_a_code() {
    let app = TestApp::new().await;
    let first = app.login(MANAGER.0, MANAGER.1, None).await;
    let session = Auth::cookie_from(&session_cookie_of(&first).unwrap());
    let manage = app.get_as("/manage", &session).await;
    assert_eq!((manage.status, manage.location()), (StatusCode::SEE_OTHER, "/account/second-factor"));
    let token = app.token_for(MANAGER.0).await;
    let Auth::Cookie(cookie) = &session else { unreachable!() };
    let api = app.send(Request::get("/api/v1/me").header("cookie", cookie).body(Body::empty()).unwrap()).await;
    assert_eq!(api.status, StatusCode::FORBIDDEN, "the API waits too: {}", api.body);
    assert_eq!(
        app.get_as("/api/v1/me", &token).await.status,
        StatusCode::OK,
        "a token made by the administrator works"
    );

    let key = app.set_up_second_factor(MANAGER.0, &session).await;
    assert_eq!(app.get_as("/manage", &session).await.status, StatusCode::OK, "the same session goes on");

    // The next sign-in asks for a code; a wrong one is refused and starts nothing.
    let again = app.login(MANAGER.0, MANAGER.1, None).await;
    assert_eq!(again.location(), "/login/code");
    assert!(session_cookie_of(&again).is_none(), "no session before the code");
    let pending = Auth::cookie_from(again.set_cookie());
    let page = app.get_as("/login/code", &pending).await;
    assert!(page.body.contains("autocomplete=\"one-time-code\""));
    let csrf = between(&page.body, "name=\"csrf\" value=\"", "\"").unwrap().to_string();
    let wrong = app.form("/login/code", Some(&pending), &[("csrf", &csrf), ("code", "000000")]).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let forged = app.form("/login/code", Some(&pending), &[("csrf", "forged"), ("code", &totp_code(&key))]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // The code just used to set up is spent; the next step's is accepted (one step of drift).
    let code = totp_rs::TOTP::new_unchecked(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        totp_rs::Secret::Encoded(key).to_bytes().unwrap(),
        None,
        String::new(),
    )
    .generate(jiff::Timestamp::now().as_second() as u64 + 30);
    let done = app.form("/login/code", Some(&pending), &[("csrf", &csrf), ("code", &code)]).await;
    assert_eq!((done.status, done.location()), (StatusCode::SEE_OTHER, "/manage"), "{}", done.body);
    let full = Auth::cookie_from(&session_cookie_of(&done).unwrap());
    assert!(session_cookie_of(&done).unwrap().contains("Max-Age=43200"), "staff sessions last 12 hours at most");
    assert_eq!(app.get_as("/manage", &full).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_user_sees_and_revokes_their_own_tokens_only() {
    let app = TestApp::new().await;
    let client = app.sign_in(CLIENT).await;
    let csrf = app.csrf(&client).await;
    let made =
        app.form("/account/tokens", Some(&client), &[("csrf", &csrf), ("label", "my script"), ("days", "30")]).await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let token = between(&made.body, "class=\"secret\">", "<").unwrap().to_string();
    let bearer = Auth::Bearer(token);
    assert_eq!(app.get_as("/api/v1/me", &bearer).await.status, StatusCode::OK);
    let refused = app.form("/account/tokens", Some(&client), &[("csrf", &csrf), ("label", ""), ("days", "9999")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("label") || refused.body.contains("Label"));

    let list = app.get_as("/account/tokens", &client).await;
    assert!(list.body.contains("my script"));
    let id = between(&list.body, "action=\"/account/tokens/", "/revoke").unwrap().to_string();
    let other = app.sign_in(THERAPIST).await;
    let other_csrf = app.csrf(&other).await;
    let theirs = app.form(&format!("/account/tokens/{id}/revoke"), Some(&other), &[("csrf", &other_csrf)]).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND, "another user's token is not theirs to revoke");
    assert_eq!(app.get_as("/api/v1/me", &bearer).await.status, StatusCode::OK);
    let revoked = app.form(&format!("/account/tokens/{id}/revoke"), Some(&client), &[("csrf", &csrf)]).await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get_as("/api/v1/me", &bearer).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_api_under_a_browser_session_needs_the_csrf_header() {
    let app = TestApp::new().await;
    let manager = app.sign_in(MANAGER).await;
    let Auth::Cookie(cookie) = &manager else { unreachable!() };
    let archive = |csrf: Option<String>| {
        let mut request = Request::post("/api/v1/services/1/archive").header("cookie", cookie.as_str());
        if let Some(t) = csrf {
            request = request.header("x-csrf-token", t);
        }
        request.body(Body::empty()).unwrap()
    };
    let without = app.send(archive(None)).await;
    assert_eq!(without.status, StatusCode::FORBIDDEN);
    assert_eq!(without.error_fields()[0].0, "csrf_token_required");
    assert_eq!(app.get("/api/v1/services/1").await.json()["archived"], false, "nothing changed");
    let csrf = app.csrf(&manager).await;
    let with = app.send(archive(Some(csrf))).await;
    assert_eq!(with.status, StatusCode::OK, "{}", with.body);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::new().await;
    for path in ["/", "/book", "/api/v1/services", "/login"] {
        let r = app.get(path).await;
        let csp = r.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(r.headers["x-frame-options"], "DENY");
        assert!(r.headers.get("strict-transport-security").is_none(), "no HSTS unless served over TLS");
        assert!(!r.body.contains("<script>"), "{path} has an inline script");
    }
    let tls = TestApp::with_config(knead_web::WebConfig { served_over_tls: true, ..Default::default() }).await;
    assert!(tls.get("/").await.headers["strict-transport-security"].to_str().unwrap().contains("max-age="));
}

#[tokio::test]
async fn a_cross_site_post_is_refused_before_it_changes_anything() {
    let app = TestApp::new().await;
    let client = app.sign_in(CLIENT).await;
    let csrf = app.csrf(&client).await;
    let Auth::Cookie(cookie) = &client else { unreachable!() };
    let reply = app
        .send(
            Request::post("/logout")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", cookie.as_str())
                .header("origin", "https://evil.example")
                .header("host", "spa.example")
                .body(Body::from(format!("csrf={csrf}")))
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get_as("/account", &client).await.status, StatusCode::OK, "still signed in");
}

#[tokio::test]
async fn the_fifth_wrong_code_ends_the_waiting_sign_in() {
    let app = TestApp::new().await;
    let session = app.sign_in(MANAGER).await;
    assert_eq!(app.get_as("/manage", &session).await.status, StatusCode::OK);
    let waiting = app.login(MANAGER.0, MANAGER.1, None).await;
    let pending = Auth::cookie_from(waiting.set_cookie());
    let page = app.get_as("/login/code", &pending).await;
    let csrf = between(&page.body, "name=\"csrf\" value=\"", "\"").unwrap().to_string();
    for _ in 0..4 {
        let wrong = app.form("/login/code", Some(&pending), &[("csrf", &csrf), ("code", "000000")]).await;
        assert!(wrong.body.contains("name=\"code\""), "the form again: {}", wrong.body);
    }
    let last = app.form("/login/code", Some(&pending), &[("csrf", &csrf), ("code", "000000")]).await;
    assert_eq!(last.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(last.body.contains("Too many wrong codes") && !last.body.contains("name=\"code\""));
    assert_eq!(app.get_as("/login/code", &pending).await.location(), "/login", "that sign-in has ended");
}
