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

    let confirmed = [("csrf", csrf.as_str()), ("confirm", "yes")];
    let archived = app.form(&format!("/manage/services/{}/archive", s.id.0), Some(&manager), &confirmed).await;
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
        ("gender", "non_binary"),
    ];
    let edit = app.get_as(&format!("/manage/therapists/{}", t.id.0), &manager).await;
    assert!(edit.body.contains("<option value=\"female\" selected"), "the stated gender is chosen: {}", edit.body);
    let r = app.form(&format!("/manage/therapists/{}", t.id.0), Some(&manager), &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let after = app.store.therapist(t.id).await.unwrap();
    assert_eq!(after.modalities, ["Swedish massage", "Myofascial release"]);
    assert_eq!(after.languages, ["English", "Français"]);
    assert_eq!(after.gender, Some(knead_core::Gender::NonBinary));
    let mut made_up = form;
    made_up[9] = ("gender", "robot");
    let r = app.form(&format!("/manage/therapists/{}", t.id.0), Some(&manager), &made_up).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("must be female, male or non_binary"), "{}", r.body);
    assert_eq!(app.store.therapist(t.id).await.unwrap(), after, "nothing saved");

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

// Far dates and the booking horizon: every date from outside is checked at the edge, and a refused one is a
// 422 naming its field, from the API and the pages alike, never a dropped connection.

mod far_dates {
    use crate::booking_pages::error_beside;
    use crate::support::*;
    use axum::http::StatusCode;
    use jiff::civil::Date;
    use jiff::ToSpan;
    use serde_json::json;

    const FAR_START: &str = "9999-12-30T10:00:00+02:00";
    /// A client's home in the demo's central Helsinki (Yrjönkatu 15).
    const PLACE: &str = "lat=60.1672&lon=24.9402";

    fn helsinki_today() -> Date {
        jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::get("Europe/Helsinki").unwrap()).date()
    }

    /// A guest's booking of the first start offered a few days ahead: its id and private token.
    async fn a_booking(app: &TestApp) -> (i64, String) {
        let from = helsinki_today() + 3.days();
        let offered = app.get(&format!("/api/v1/availability?service_id=1&{PLACE}&from={from}&days=2")).await.json();
        let start = offered["slots"][0]["start"].as_str().expect("a start offered").to_string();
        let created = app.json("POST", "/api/v1/bookings", None, &booking_body(&start).to_string()).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let created = created.json();
        let token = created["manage_url"].as_str().unwrap().split("token=").nth(1).unwrap().to_string();
        (created["id"].as_i64().unwrap(), token)
    }

    fn booking_body(start: &str) -> serde_json::Value {
        json!({
            "service_id": 1, "start": start, "lat": 60.1672, "lon": 24.9402, "address": "15 Yrjönkatu, Helsinki",
            "client": {"name": "Ana Fictional", "email": "ana@example.com", "phone": "416-555-0100"}
        })
    }

    fn assert_refused(reply: &Reply, field: &str, what: &str) {
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {}", reply.body);
        let fields = reply.error_fields();
        assert!(fields.iter().any(|(_, f)| f == field), "{what}: {field} in {fields:?}");
    }

    #[tokio::test]
    async fn the_api_answers_far_dates_and_impossible_offsets_with_422_naming_the_field() {
        let app = TestApp::new().await;
        for from in ["9999-12-31", "-009999-01-01", "3000-01-01"] {
            let reply = app.get(&format!("/api/v1/availability?service_id=1&{PLACE}&from={from}&days=1")).await;
            assert_refused(&reply, "from", from);
        }
        let past_horizon = helsinki_today() + 366.days();
        let reply = app.get(&format!("/api/v1/availability?service_id=1&{PLACE}&from={past_horizon}&days=1")).await;
        assert_refused(&reply, "from", "past the horizon");
        assert_eq!(reply.error_fields()[0].0, "too_far");
        let last = helsinki_today() + 365.days();
        let reply = app.get(&format!("/api/v1/availability?service_id=1&{PLACE}&from={last}&days=5")).await;
        assert_eq!(reply.status, StatusCode::OK, "the horizon's last day is searched: {}", reply.body);
        let after_last = |s: &serde_json::Value| s["start"].as_str().unwrap()[..10] > *last.to_string();
        assert!(!reply.json()["slots"].as_array().unwrap().iter().any(after_last), "no day past it is");

        let far = app.json("POST", "/api/v1/bookings", None, &booking_body(FAR_START).to_string()).await;
        assert_refused(&far, "start", "a far start");
        let offset =
            app.json("POST", "/api/v1/bookings", None, &booking_body("2026-12-10T10:00:00+25:00").to_string()).await;
        assert_refused(&offset, "start", "an offset of 25 hours");
        assert!(offset.body.contains("offset"), "{}", offset.body);
        let beyond = format!("{}T10:00:00+02:00", helsinki_today() + 400.days());
        let manager = app.token_for(MANAGER.0).await;
        let staff = app.json("POST", "/api/v1/bookings", Some(&manager), &booking_body(&beyond).to_string()).await;
        assert_refused(&staff, "start", "staff past the horizon");

        let (id, token) = a_booking(&app).await;
        let path = format!("/api/v1/bookings/{id}/reschedule?token={token}");
        for start in [FAR_START, "2026-12-10T10:00:00+25:00", beyond.as_str()] {
            let moved = app.json("POST", &path, None, &json!({ "start": start }).to_string()).await;
            assert_refused(&moved, "start", start);
        }

        let therapist = app.store.schedules().await.unwrap()[0].therapist_id.0;
        let day = app
            .json(
                "PUT",
                &format!("/api/v1/therapists/{therapist}/overrides/9999-12-31"),
                Some(&manager),
                r#"{"windows":[]}"#,
            )
            .await;
        assert_refused(&day, "date", "a far override");
        let off = json!({"start": "2026-12-01T09:00:00+02:00", "end": FAR_START}).to_string();
        let off = app.json("POST", &format!("/api/v1/therapists/{therapist}/time-off"), Some(&manager), &off).await;
        assert_refused(&off, "end", "far time off");
        let (first, last) = ("1900-01-01T00:00:00Z".parse().unwrap(), "3000-01-01T00:00:00Z".parse().unwrap());
        assert_eq!(app.store.stops_between(first, last).await.unwrap().len(), 1, "nothing else was booked or moved");
    }

    #[tokio::test]
    async fn the_practice_settings_api_reads_and_bounds_the_booking_horizon() {
        let app = TestApp::new().await;
        let manager = app.token_for(MANAGER.0).await;
        let settings = app.get_as("/api/v1/practice/settings", &manager).await.json();
        assert_eq!(settings["booking_horizon_days"], 365);
        let mut input = settings.clone();
        input["booking_horizon_days"] = 731.into();
        let refused = app.json("PUT", "/api/v1/practice/settings", Some(&manager), &input.to_string()).await;
        assert_refused(&refused, "booking_horizon_days", "731 days");
        input["booking_horizon_days"] = 30.into();
        let saved = app.json("PUT", "/api/v1/practice/settings", Some(&manager), &input.to_string()).await;
        assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
        assert_eq!(app.store.practice_settings().await.unwrap().booking_horizon_days, 30);
        let from = helsinki_today() + 31.days();
        let reply = app.get(&format!("/api/v1/availability?service_id=1&{PLACE}&from={from}&days=1")).await;
        assert_refused(&reply, "from", "past the new horizon");
    }

    #[tokio::test]
    async fn the_booking_pages_answer_far_dates_with_422_beside_the_field() {
        let app = TestApp::new().await;
        let flow = format!("service_id=1&address=15+Yrj%C3%B6nkatu&{PLACE}");
        for date in ["9999-12-31", "3000-01-01"] {
            let when = app.get(&format!("/book/when?{flow}&date={date}")).await;
            assert_eq!(when.status, StatusCode::UNPROCESSABLE_ENTITY, "{date}: {}", when.body);
            assert!(error_beside(&when.body, "date").contains("between 1900-01-01 and 2999-12-31"), "{date}");
        }
        let past_horizon = helsinki_today() + 366.days();
        let when = app.get(&format!("/book/when?{flow}&date={past_horizon}")).await;
        assert_eq!(when.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(error_beside(&when.body, "date").contains("365 days ahead"), "{}", when.body);
        // At the horizon's end the pager offers no later days, and no day past it is listed.
        let last = helsinki_today() + 365.days();
        let end = app.get(&format!("/book/when?{flow}&date={}", last - 1.days())).await;
        assert_eq!(end.status, StatusCode::OK, "{}", end.body);
        assert!(!end.body.contains("Later days"));
        assert!(!end.body.contains(&format!("id=\"day-{}\"", last + 1.days())));
        assert!(end.body.contains(&format!("id=\"day-{last}\"")));

        for start in [FAR_START, "2026-12-10T10:00:00%2B25:00"] {
            let details = app.get(&format!("/book/details?{flow}&start={start}")).await;
            assert_eq!(details.status, StatusCode::UNPROCESSABLE_ENTITY, "{start}: {}", details.body);
            assert!(details.body.contains("href=\"#start\""), "the summary names the start: {}", details.body);
        }
        let guest = [("name", "Ana Fictional"), ("email", "ana@example.com"), ("phone", "416-555-0100")];
        let mut posted = vec![("service_id", "1"), ("address", "15 Yrjönkatu"), ("start", FAR_START)];
        posted.extend(guest);
        let confirm = app.form("/book", None, &posted).await;
        assert_eq!(confirm.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", confirm.body);
        assert!(confirm.body.contains("href=\"#start\""), "{}", confirm.body);

        let (id, token) = a_booking(&app).await;
        for date in ["9999-12-31".to_string(), past_horizon.to_string()] {
            let manage = app.get(&format!("/bookings/{id}/manage?token={token}&date={date}")).await;
            assert_eq!(manage.status, StatusCode::UNPROCESSABLE_ENTITY, "{date}: {}", manage.body);
            assert!(!error_beside(&manage.body, "date").is_empty(), "{date}");
            assert!(manage.body.contains("Move to another time"), "the page is shown again: {date}");
        }
        let csrf_free = [("token", token.as_str()), ("start", FAR_START)];
        let moved = app.form(&format!("/bookings/{id}/manage/reschedule"), None, &csrf_free).await;
        assert_eq!(moved.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", moved.body);
        assert!(moved.body.contains("id=\"start-error\""), "{}", moved.body);
    }

    #[tokio::test]
    async fn the_calendars_and_the_schedule_answer_far_dates_with_422_and_stop_their_links_at_the_ends() {
        let app = TestApp::new().await;
        let therapist = app.sign_in(THERAPIST).await;
        let manager = app.sign_in(MANAGER).await;
        let id = app.store.schedules().await.unwrap()[0].therapist_id.0;
        let managed = format!("/manage/therapists/{id}/calendar");
        for (path, auth) in [("/calendar", &therapist), (managed.as_str(), &manager)] {
            for view in ["day", "week"] {
                for date in ["9999-12-31", "-009999-01-01", "3000-01-01", "someday"] {
                    let page = app.get_as(&format!("{path}?date={date}&view={view}"), auth).await;
                    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{path} {view} {date}: {}", page.body);
                    assert!(!error_beside(&page.body, "date").is_empty(), "{path} {view} {date}");
                    assert!(page.body.contains("(today)"), "today is shown instead");
                }
                let last = app.get_as(&format!("{path}?date=2999-12-31&view={view}"), auth).await;
                assert_eq!(last.status, StatusCode::OK, "{path} {view}: {}", last.body);
                assert!(last.body.contains("Previous") && !last.body.contains("Next "), "{path} {view}");
                let first = app.get_as(&format!("{path}?date=1900-01-01&view={view}"), auth).await;
                assert_eq!(first.status, StatusCode::OK, "{path} {view}: {}", first.body);
                assert!(!first.body.contains("Previous") && first.body.contains("Next "), "{path} {view}");
            }
        }

        let csrf = app.csrf(&manager).await;
        let schedule = format!("/manage/therapists/{id}/schedule");
        let off = [("csrf", csrf.as_str()), ("off_from_date", "9999-12-31"), ("off_to_date", "9999-12-31")];
        let refused = app.form(&format!("/manage/therapists/{id}/time-off"), Some(&manager), &off).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
        assert!(error_beside(&refused.body, "off_from_date").contains("2999-12-31"));
        assert!(error_beside(&refused.body, "off_to_date").contains("2999-12-31"));
        let day = [("csrf", csrf.as_str()), ("ov_date", "9999-12-31"), ("ov_kind", "off")];
        let refused = app.form(&format!("/manage/therapists/{id}/override"), Some(&manager), &day).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
        assert!(error_beside(&refused.body, "ov_date").contains("2999-12-31"));
        let stored = app.store.schedule(knead_core::TherapistId(id)).await.unwrap().unwrap();
        assert!(stored.time_off.is_empty() && stored.overrides.is_empty(), "nothing was saved");
        assert_eq!(app.get_as(&schedule, &manager).await.status, StatusCode::OK);
    }

    #[tokio::test]
    async fn use_my_location_is_a_script_file_and_the_booking_pages_have_no_inline_script() {
        let app = TestApp::new().await;
        let script = app.get("/static/address.js").await;
        assert_eq!(script.status, StatusCode::OK);
        assert!(script.headers["content-type"].to_str().unwrap().starts_with("text/javascript"));
        assert!(script.headers["cache-control"].to_str().unwrap().contains("max-age"));
        assert!(script.body.contains("navigator.geolocation"));
        let place = app.get("/book/where?service_id=1").await;
        assert_eq!(place.status, StatusCode::OK);
        assert!(place.body.contains("<script src=\"/static/address.js\" defer></script>"), "{}", place.body);
        let manager = app.sign_in(MANAGER).await;
        let id = app.store.schedules().await.unwrap()[0].therapist_id.0;
        let (booking, token) = a_booking(&app).await;
        let pages = [
            "/book".to_string(),
            "/book/where?service_id=1".into(),
            format!("/book/when?service_id=1&address=15+Yrj%C3%B6nkatu&{PLACE}"),
            format!("/bookings/{booking}/manage?token={token}"),
            format!("/manage/therapists/{id}/calendar?view=week"),
            format!("/manage/therapists/{id}/calendar"),
            format!("/manage/therapists/{id}/schedule"),
            "/manage/settings".into(),
            "/manage/calendar".into(),
        ];
        for path in pages {
            let page = app.get_as(&path, &manager).await;
            assert_eq!(page.status, StatusCode::OK, "{path}");
            let body = page.body.to_lowercase();
            assert_eq!(body.matches("<script").count(), body.matches("<script src=").count(), "{path}: inline script");
            assert!(!body.contains(" style="), "{path}: an inline style");
            for handler in [" onclick=", " onload=", " onchange=", " onsubmit=", " oninput=", "javascript:"] {
                assert!(!body.contains(handler), "{path}: {handler}");
            }
        }
    }
}
