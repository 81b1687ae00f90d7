//! The practice's clock and date style on its pages and in its API, the time zone chosen from the IANA zones
//! (legacy names refused), and unknown fields refused in every JSON body the API takes.

use crate::booking_pages::error_beside;
use crate::support::{TestApp, MANAGER, THERAPIST};
use axum::http::StatusCode;
use jiff::civil::Date;
use jiff::ToSpan;
use serde_json::{json, Value};

fn helsinki_today() -> Date {
    jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::get("Europe/Helsinki").unwrap()).date()
}

#[tokio::test]
async fn pages_write_times_on_the_practice_clock_and_dates_in_its_locale() {
    let app = TestApp::new().await;
    let manager = app.token_for(MANAGER.0).await;
    let mara = app.store.therapist_by_slug("mara-quill").await.unwrap();
    let date = helsinki_today() + 10.days();
    let hours = format!("/api/v1/therapists/{}/overrides/{date}", mara.id.0);
    let put = app.json("PUT", &hours, Some(&manager), r#"{"windows": [["09:30", "14:30"]]}"#).await;
    assert_eq!(put.status, StatusCode::NO_CONTENT, "{}", put.body);
    let therapist = app.sign_in(THERAPIST).await;
    let day = format!("/calendar?date={date}");

    // The demo practice (Helsinki) writes times on a 24-hour clock.
    let page = app.get_as(&day, &therapist).await;
    assert!(page.body.contains("Working 09:30–14:30"), "{}", page.body);
    let massage = app
        .store
        .list_services(false)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == "Massage with oil at home")
        .unwrap();
    let slots = format!("/book/when?service_id={}&address=12+Kalevankatu&date={date}", massage.id.0);
    let page = app.get(&slots).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains(&date.strftime("%A %-d %B").to_string()), "day first: {}", page.body);

    let mut settings = app.get_as("/api/v1/practice/settings", &manager).await.json();
    assert_eq!((&settings["time_format"], &settings["locale"]), (&json!("24h"), &json!("en-GB")));
    settings["time_format"] = "12h".into();
    settings["locale"] = "en-US".into();
    let saved = app.json("PUT", "/api/v1/practice/settings", Some(&manager), &settings.to_string()).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(saved.json(), settings);

    let page = app.get_as(&day, &therapist).await;
    assert!(page.body.contains("Working 9:30 am–2:30 pm"), "{}", page.body);
    assert!(!page.body.contains("14:30"));
    let page = app.get(&slots).await;
    assert!(page.body.contains(&date.strftime("%A, %B %-d").to_string()), "month first: {}", page.body);
    assert!(page.body.contains(" am<") || page.body.contains(" pm<"), "slot times on a 12-hour clock");
}

#[tokio::test]
async fn the_clock_and_locale_round_trip_through_the_api_and_bad_ones_are_refused() {
    let app = TestApp::new().await;
    let manager = app.token_for(MANAGER.0).await;
    let before = app.get_as("/api/v1/practice/settings", &manager).await.json();
    let put = |body: Value| {
        let app = &app;
        let manager = &manager;
        async move { app.json("PUT", "/api/v1/practice/settings", Some(manager), &body.to_string()).await }
    };
    let mut body = before.clone();
    body["time_format"] = "25h".into();
    let refused = put(body).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert_eq!(refused.error_fields()[0].1, "time_format");
    assert!(refused.body.contains("12h") && refused.body.contains("24h"), "{}", refused.body);
    let mut body = before.clone();
    body["locale"] = "fr-CA".into();
    assert_eq!(put(body).await.error_fields()[0].1, "locale");
    for legacy in ["EST", "US/Eastern", "EST5EDT", "CET"] {
        let mut body = before.clone();
        body["time_zone"] = legacy.into();
        let refused = put(body).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{legacy}");
        assert_eq!(refused.error_fields(), [("invalid".to_string(), "time_zone".to_string())], "{legacy}");
        assert!(refused.body.contains("America/Toronto"), "{}", refused.body);
    }
    let mut body = before.clone();
    body["travel_fee_cent_per_km"] = 100.into();
    let refused = put(body).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.error_fields(), [("unknown_field".to_string(), "travel_fee_cent_per_km".to_string())]);
    assert!(refused.body.contains("travel_fee_cents_per_km"), "the allowed fields are listed: {}", refused.body);
    let mut body = before.clone();
    body["service_area"]["radius"] = 5.into();
    let refused = put(body).await;
    assert_eq!(refused.error_fields(), [("unknown_field".to_string(), "service_area.radius".to_string())]);
    assert_eq!(app.get_as("/api/v1/practice/settings", &manager).await.json(), before, "nothing changed");

    // Left out, the clock and locale are the defaults: 12-hour, Canadian English.
    let mut body = before.clone();
    body.as_object_mut().unwrap().remove("time_format");
    body.as_object_mut().unwrap().remove("locale");
    body["time_zone"] = "UTC".into();
    let saved = put(body).await.json();
    assert_eq!(
        (&saved["time_format"], &saved["locale"], &saved["time_zone"]),
        (&json!("12h"), &json!("en-CA"), &json!("UTC"))
    );
}

#[tokio::test]
async fn the_settings_page_offers_zones_by_region_and_both_clocks() {
    let app = TestApp::new().await;
    let manager = app.sign_in(MANAGER).await;
    let csrf = app.csrf(&manager).await;
    let page = app.get_as("/manage/settings", &manager).await.body;
    for region in ["America", "Europe", "Asia", "Australia", "Pacific", "Africa", "Atlantic", "Indian", "Antarctica"] {
        assert!(page.contains(&format!("<optgroup label=\"{region}\">")), "{region}");
    }
    assert!(
        page.contains("<option value=\"Europe/Helsinki\" selected>Helsinki</option>"),
        "the current zone is chosen"
    );
    assert!(page.contains("<option value=\"America/Toronto\">Toronto</option>"));
    assert!(!page.contains("value=\"EST\""), "no abbreviations");
    assert!(page.contains("name=\"time_format\" value=\"24h\" checked"), "the demo's clock");
    assert!(page.contains("2:30 pm") && page.contains("14:30"), "each clock with an example");
    assert!(page.contains("<option value=\"en-GB\" selected>"));

    let form = |zone: &'static str, clock: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("time_zone", zone.into()),
            ("time_format", clock.into()),
            ("locale", "en-CA".into()),
            ("area_radius_km", "15".into()),
            ("grid_minutes", "15".into()),
            ("lead_minutes", "120".into()),
            ("cancel_notice_hours", "24".into()),
            ("travel_fee_free_km", "10".into()),
            ("travel_fee_per_km", "1.00".into()),
            ("road_factor", "1.3".into()),
            ("speed_kmh", "30".into()),
            ("booking_horizon_days", "365".into()),
        ]
    };
    let send = |pairs: Vec<(&'static str, String)>| {
        let app = &app;
        let manager = &manager;
        async move {
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.form("/manage/settings", Some(manager), &pairs).await
        }
    };
    let before = app.store.practice_settings().await.unwrap();
    let refused = send(form("EST", "12h")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_beside(&refused.body, "time_zone").contains("America/Toronto"), "{}", refused.body);
    let refused = send(form("America/Toronto", "13h")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_beside(&refused.body, "time_format"), "must be 12h or 24h");
    assert_eq!(app.store.practice_settings().await.unwrap(), before, "nothing saved");

    let saved = send(form("America/Toronto", "12h")).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let settings = app.store.practice_settings().await.unwrap();
    assert_eq!(settings.time_zone.name(), "America/Toronto");
    assert_eq!(settings.time_format, knead_core::calendar::TimeFormat::H12);
    assert_eq!(settings.locale, knead_core::calendar::Locale::EnCa);
    let page = app.get_as("/manage/settings", &manager).await.body;
    assert!(page.contains("name=\"time_format\" value=\"12h\" checked"));
    assert!(page.contains("<option value=\"America/Toronto\" selected>Toronto</option>"));
}

/// A body that reaches `at` (a JSON path of property names and `[0]` for array items) and puts an unknown key
/// there, with the field name the API should report.
fn probes(doc: &Value, schema: &Value, prefix: &str, depth: usize, out: &mut Vec<(Value, String)>) {
    let schema = resolve(doc, schema);
    if depth > 4 {
        return;
    }
    for alternative in ["oneOf", "anyOf", "allOf"] {
        for s in schema[alternative].as_array().into_iter().flatten() {
            probes(doc, s, prefix, depth + 1, out);
        }
    }
    if let Some(items) = schema.get("items") {
        let mut inner = Vec::new();
        probes(doc, items, &format!("{prefix}[0]"), depth + 1, &mut inner);
        out.extend(inner.into_iter().map(|(body, field)| (json!([body]), field)));
    }
    if let Some(props) = schema["properties"].as_object() {
        let key = "zz_not_a_field";
        let field = if prefix.is_empty() { key.to_string() } else { format!("{prefix}.{key}") };
        out.push((json!({ key: 1 }), field));
        for (name, prop) in props {
            let path = if prefix.is_empty() { name.clone() } else { format!("{prefix}.{name}") };
            let mut inner = Vec::new();
            probes(doc, prop, &path, depth + 1, &mut inner);
            out.extend(inner.into_iter().map(|(body, field)| (json!({ name: body }), field)));
        }
    }
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => doc.pointer(pointer).unwrap_or(schema),
        None => schema,
    }
}

#[tokio::test]
async fn every_json_body_refuses_an_unknown_field_naming_it() {
    let app = TestApp::new().await;
    let manager = app.token_for(MANAGER.0).await;
    let doc = app.get("/api/v1/openapi.json").await.json();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(schema) = op.pointer("/requestBody/content/application~1json/schema") else { continue };
            // A body that may be left out is `null` or its object (`oneOf`): the object is what refuses.
            let request_schema = match schema["oneOf"].as_array() {
                Some(alternatives) => alternatives
                    .iter()
                    .map(|s| resolve(&doc, s))
                    .find(|s| s["type"] != json!("null"))
                    .expect("a nullable body's object"),
                None => resolve(&doc, schema),
            };
            assert_eq!(
                request_schema["additionalProperties"],
                json!(false),
                "{method} {path}: the schema says unknown fields are refused"
            );
            let url = path
                .replace("{date}", "2026-12-01")
                .split('/')
                .map(|part| if part.starts_with('{') { "1" } else { part })
                .collect::<Vec<_>>()
                .join("/");
            let mut bodies = Vec::new();
            probes(&doc, schema, "", 0, &mut bodies);
            assert!(!bodies.is_empty(), "{method} {path} has a body to probe");
            for (body, field) in bodies {
                let reply = app.json(&method.to_uppercase(), &url, Some(&manager), &body.to_string()).await;
                assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{method} {path} {body}: {}", reply.body);
                assert_eq!(
                    reply.error_fields(),
                    [("unknown_field".to_string(), field.clone())],
                    "{method} {path} {body}"
                );
                assert!(reply.body.contains("the fields allowed here are"), "{}", reply.body);
                checked += 1;
            }
        }
    }
    assert!(checked >= 20, "only {checked} bodies probed");
}
