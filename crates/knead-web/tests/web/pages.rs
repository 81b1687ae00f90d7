//! Public pages and the manager's catalog pages.

use crate::support::*;
use axum::http::StatusCode;

#[tokio::test]
async fn every_public_page_renders_the_demo_practice() {
    let app = TestApp::new().await;
    let services = app.store.list_services(false).await.unwrap();
    let therapists = app.store.list_therapists(false).await.unwrap();
    let articles = app.store.list_articles(false).await.unwrap();
    let pages = [
        ("/".to_string(), "Massage that comes to you".to_string()),
        ("/services".into(), services[0].name.clone()),
        (format!("/services/{}", services[0].slug), services[0].name.clone()),
        ("/therapists".into(), therapists[0].name.clone()),
        (format!("/therapists/{}", therapists[0].slug), therapists[0].name.clone()),
        ("/articles".into(), articles[0].title.clone()),
        (format!("/articles/{}", articles[0].slug), articles[0].title.clone()),
        ("/login".into(), "Sign in".into()),
    ];
    for (path, expected) in pages {
        let reply = app.get(&path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert!(reply.headers["content-type"].to_str().unwrap().starts_with("text/html"));
        let escaped = expected.replace('\'', "&#39;").replace('&', "&amp;");
        assert!(reply.body.contains(&expected) || reply.body.contains(&escaped), "{path} shows {expected}");
        assert!(reply.body.contains("name=\"viewport\""), "{path} is usable on a phone");
    }
    let css = app.get("/static/style.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.headers["content-type"].to_str().unwrap().starts_with("text/css"));
}

#[tokio::test]
async fn the_rmt_profile_shows_credentials_and_modalities() {
    let app = TestApp::new().await;
    let rmt = app
        .store
        .list_therapists(false)
        .await
        .unwrap()
        .into_iter()
        .find(|t| !t.registration_number.is_empty())
        .unwrap();
    let page = app.get(&format!("/therapists/{}", rmt.slug)).await;
    assert!(page.body.contains(&rmt.registration_number));
    for m in &rmt.modalities {
        assert!(page.body.contains(m.as_str()), "{m}");
    }
}

#[tokio::test]
async fn unknown_and_archived_pages_are_404_pages() {
    let app = TestApp::new().await;
    let missing = app.get("/services/no-such-service").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("<h1>Not found</h1>"), "an HTML page, not JSON");
    assert_eq!(app.get("/no/such/page").await.status, StatusCode::NOT_FOUND);
    let article = &app.store.list_articles(false).await.unwrap()[0];
    app.store.set_article_archived(article.id, true, jiff::Timestamp::now()).await.unwrap();
    assert_eq!(app.get(&format!("/articles/{}", article.slug)).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn authors_html_in_an_article_is_shown_as_text() {
    let app = TestApp::new().await;
    let manager = app.token_for(MANAGER.0).await;
    let body = r#"{"title":"Unsafe","body_markdown":"Hello <script>alert('x')</script> [a](javascript:alert(1))"}"#;
    assert_eq!(app.json("POST", "/api/v1/articles", Some(&manager), body).await.status, StatusCode::CREATED);
    let page = app.get("/articles/unsafe").await;
    assert!(!page.body.contains("<script>alert"), "{}", page.body);
    assert!(page.body.contains("&lt;script&gt;"));
    assert!(!page.body.contains("javascript:"));
}

#[tokio::test]
async fn manage_pages_need_a_signed_in_manager() {
    let app = TestApp::new().await;
    let anonymous = app.get("/manage/services").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);
    assert_eq!(anonymous.location(), "/login?next=%2Fmanage%2Fservices");
    let client = app.sign_in(CLIENT).await;
    assert_eq!(app.get_as("/manage/services", &client).await.status, StatusCode::FORBIDDEN);
    let therapist = app.sign_in(THERAPIST).await;
    assert_eq!(app.get_as("/manage", &therapist).await.status, StatusCode::FORBIDDEN);
    let manager = app.sign_in(MANAGER).await;
    for path in ["/manage", "/manage/services", "/manage/services/new", "/manage/therapists", "/manage/articles/new"] {
        assert_eq!(app.get_as(path, &manager).await.status, StatusCode::OK, "{path}");
    }
}

#[tokio::test]
async fn a_manager_creates_edits_and_archives_a_service_through_the_forms() {
    let app = TestApp::new().await;
    let manager = app.sign_in(MANAGER).await;
    let csrf = app.csrf(&manager).await;
    let form = [
        ("csrf", csrf.as_str()),
        ("name", "Prenatal massage"),
        ("slug", ""),
        ("description", "Side-lying, with pillows."),
        ("duration_minutes", "60"),
        ("price", "140.50"),
        ("buffer_minutes", "15"),
        ("modality", "Swedish"),
        ("place", "both"),
        ("kind", "individual"),
        ("add_ons[0].name", ""),
        ("add_ons[0].price", ""),
        ("add_ons[0].extra_minutes", ""),
        ("add_ons[1].name", "Face mask"),
        ("add_ons[1].price", "20"),
        ("add_ons[1].extra_minutes", "10"),
    ];
    let created = app.form("/manage/services/new", Some(&manager), &form).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let s = app.store.service_by_slug("prenatal-massage").await.unwrap();
    assert_eq!(s.price_cents, 14050);
    assert_eq!(s.add_ons.len(), 1);
    assert_eq!(s.add_ons[0].name, "Face mask");

    let edit = app.get_as(&format!("/manage/services/{}", s.id.0), &manager).await;
    assert!(edit.body.contains("value=\"140.50\""));
    let mut changed = form.to_vec();
    changed[5] = ("price", "150");
    let updated = app.form(&format!("/manage/services/{}", s.id.0), Some(&manager), &changed).await;
    assert_eq!(updated.status, StatusCode::SEE_OTHER);
    assert_eq!(app.store.service(s.id).await.unwrap().price_cents, 15000);

    let archived = app.form(&format!("/manage/services/{}/archive", s.id.0), Some(&manager), &[("csrf", &csrf)]).await;
    assert_eq!(archived.status, StatusCode::SEE_OTHER);
    assert!(app.store.service(s.id).await.unwrap().archived);
    assert_eq!(app.get("/services/prenatal-massage").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_bad_form_is_shown_again_with_messages_beside_the_fields_and_saves_nothing() {
    let app = TestApp::new().await;
    let manager = app.sign_in(MANAGER).await;
    let csrf = app.csrf(&manager).await;
    let before = app.store.list_services(true).await.unwrap().len();
    let form = [
        ("csrf", csrf.as_str()),
        ("name", ""),
        ("duration_minutes", "an hour"),
        ("price", "-5"),
        ("buffer_minutes", "0"),
        ("place", "mobile"),
        ("kind", "individual"),
        ("add_ons[0].name", "Mask"),
        ("add_ons[0].price", "abc"),
    ];
    let reply = app.form("/manage/services/new", Some(&manager), &form).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    for (id, message) in [
        ("name-error", "is required"),
        ("duration_minutes-error", "whole number"),
        ("price-error", "between 0"),
        ("add_ons_0__price-error", "amount in dollars"),
    ] {
        let at = reply.body.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("{id} in {}", reply.body));
        assert!(reply.body[at..at + 200].contains(message), "{id}: {message}");
    }
    assert!(reply.body.contains("value=\"an hour\""), "typed values are kept");
    assert_eq!(app.store.list_services(true).await.unwrap().len(), before);

    let forged = app.form("/manage/services/new", Some(&manager), &[("csrf", "nope"), ("name", "X")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(app.store.list_services(true).await.unwrap().len(), before);
}

#[tokio::test]
async fn a_manager_edits_a_therapist_and_writes_an_article_through_the_forms() {
    let app = TestApp::new().await;
    let manager = app.sign_in(MANAGER).await;
    let csrf = app.csrf(&manager).await;
    let t = &app.store.list_therapists(false).await.unwrap()[0];
    let form = [
        ("csrf", csrf.as_str()),
        ("name", t.name.as_str()),
        ("slug", t.slug.as_str()),
        ("credentials", "RMT"),
        ("registration_number", "R-1"),
        ("bio", "Bio."),
        ("modalities", "Swedish massage, Myofascial release"),
        ("conditions", ""),
        ("languages", "English, Français"),
    ];
    let r = app.form(&format!("/manage/therapists/{}", t.id.0), Some(&manager), &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let after = app.store.therapist(t.id).await.unwrap();
    assert_eq!(after.modalities, ["Swedish massage", "Myofascial release"]);
    assert_eq!(after.languages, ["English", "Français"]);

    let taken_slug = app.store.list_articles(false).await.unwrap()[0].slug.to_string();
    let clash = app
        .form(
            "/manage/articles/new",
            Some(&manager),
            &[("csrf", &csrf), ("title", "Another"), ("slug", &taken_slug), ("body_markdown", "Text")],
        )
        .await;
    assert_eq!(clash.status, StatusCode::CONFLICT);
    assert!(clash.body.contains("already in use"));
    let ok = app
        .form(
            "/manage/articles/new",
            Some(&manager),
            &[("csrf", &csrf), ("title", "Desk stretches"), ("slug", ""), ("body_markdown", "## Move\n\nOften.")],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert!(app.get("/articles/desk-stretches").await.body.contains("<h2>Move</h2>"));
}
