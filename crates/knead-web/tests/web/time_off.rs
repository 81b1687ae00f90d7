//! Taking hours away over booked visits: the schedule page asks first (no script), lists the visits left
//! booked with links to move or reassign them, and the day view says they are there; the API answers 409
//! `visits_booked` unless told to go ahead. Also how time off reads, and hours typed as people type them.

use crate::support::*;
use axum::http::StatusCode;
use jiff::civil::{Date, Weekday};
use jiff::ToSpan;
use knead_core::{Kind, Place, TherapistId};
use serde_json::json;

fn helsinki_today() -> Date {
    jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::get("Europe/Helsinki").unwrap()).date()
}

/// The first Monday-to-Friday date at least `days` ahead (the demo's clinic RMT works weekdays).
fn weekday_ahead(days: i64) -> Date {
    let mut d = helsinki_today() + days.days();
    while matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday) {
        d = d.tomorrow().unwrap();
    }
    d
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'").replace("&amp;", "&")
}

/// The hidden fields of the form posting to `action`.
fn hidden_fields(html: &str, action: &str) -> Vec<(String, String)> {
    let at = html.find(&format!("action=\"{action}\"")).unwrap_or_else(|| panic!("a form to {action} in {html}"));
    let form = &html[at..at + html[at..].find("</form>").unwrap()];
    let attr = |tag: &str, name: &str| {
        let marker = format!("{name}=\"");
        let start = tag.find(&marker).unwrap() + marker.len();
        unescape(&tag[start..start + tag[start..].find('"').unwrap()])
    };
    form.split("<input type=\"hidden\" ").skip(1).map(|tag| (attr(tag, "name"), attr(tag, "value"))).collect()
}

/// Mara Quill (the clinic RMT) with a visit booked for Noor Haddad at the clinic on `date`; the booking's id.
async fn marias_visit(app: &TestApp, date: Date) -> (TherapistId, i64) {
    let mara = app.store.therapist_by_slug("mara-quill").await.unwrap();
    let services = app.store.list_services(false).await.unwrap();
    let rmt = services.iter().find(|s| s.kind == Kind::Individual && s.place == Place::Clinic).unwrap();
    let clinic = app.store.clinics().await.unwrap().remove(0);
    let query =
        format!("service_id={}&clinic_id={}&from={date}&days=1&therapist_id={}", rmt.id.0, clinic.id.0, mara.id.0);
    let slots = app.get(&format!("/api/v1/availability?{query}")).await.json();
    let body = json!({
        "service_id": rmt.id.0, "start": slots["slots"][0]["start"], "clinic_id": clinic.id.0, "therapist_ids": [mara.id.0],
        "client": {"name": "Noor Haddad", "email": "noor@example.com", "phone": "416-555-0111"}
    });
    let booked = app.json("POST", "/api/v1/bookings", None, &body.to_string()).await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    (mara.id, booked.json()["id"].as_i64().unwrap())
}

#[tokio::test]
async fn time_off_over_a_booked_visit_asks_first_then_lists_the_visit_to_move_or_reassign() {
    let app = TestApp::new().await;
    let date = weekday_ahead(3);
    let (mara, booking) = marias_visit(&app, date).await;
    let manager = app.sign_in(MANAGER).await;
    let csrf = app.csrf(&manager).await;
    let day = date.to_string();
    let off_path = format!("/manage/therapists/{}/time-off", mara.0);
    let whole_day = [
        ("csrf", csrf.as_str()),
        ("off_from_date", &day),
        ("off_from_time", ""),
        ("off_to_date", &day),
        ("off_to_time", ""),
    ];

    let asked = app.form(&off_path, Some(&manager), &whole_day).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    assert!(asked.body.contains("1 visit booked in this time off"), "{}", asked.body);
    assert!(asked.body.contains(", all day"), "the time off as people say it");
    assert!(asked.body.contains("RMT assessment") && asked.body.contains("Korkeavuori Clinic"));
    assert!(asked.body.contains("· Noor ·") && !asked.body.contains("Haddad"), "the client's first name only");
    assert!(asked.body.contains("Add the time off anyway") && asked.body.contains("Go back"));
    assert!(app.store.schedule(mara).await.unwrap().unwrap().time_off.is_empty(), "nothing added yet");
    let hidden = hidden_fields(&asked.body, &off_path);
    assert!(hidden.contains(&("over_booked_visits".into(), "yes".into())), "{hidden:?}");
    assert!(hidden.contains(&("off_from_date".into(), day.clone())), "the form as typed comes back");

    // "Go back" shows the form as typed and adds nothing.
    let mut back: Vec<(&str, &str)> = hidden.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    back.push(("action", "back"));
    let back = app.form(&off_path, Some(&manager), &back).await;
    assert_eq!(back.status, StatusCode::OK, "{}", back.body);
    assert!(back.body.contains(&format!("name=\"off_from_date\" value=\"{day}\"")), "the form as typed");
    assert!(!back.body.contains("name=\"over_booked_visits\""));
    assert!(app.store.schedule(mara).await.unwrap().unwrap().time_off.is_empty(), "still nothing added");

    let go: Vec<(&str, &str)> = hidden.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let added = app.form(&off_path, Some(&manager), &go).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert!(added.location().contains("saved=time_off_booked"), "{}", added.location());
    assert_eq!(app.store.schedule(mara).await.unwrap().unwrap().time_off.len(), 1);
    let page = app.get_as(added.location(), &manager).await;
    assert!(page.body.contains("Visits are still booked in it"), "the notice says so");
    assert!(page.body.contains(", all day") && !page.body.contains("00:00–00:00"), "a whole day off reads so");
    assert!(page.body.contains("Still booked in this time off (1 visit)"));
    assert!(page.body.contains(&format!("href=\"/visits/{booking}\"")), "a link to move or reassign it");
    assert!(page.body.contains("Move or reassign"));

    // The day view says the visit is still there.
    let calendar = app.get_as(&format!("/manage/therapists/{}/calendar?date={day}", mara.0), &manager).await;
    assert!(calendar.body.contains("Not working — <strong>1 visit is still booked</strong>: move or reassign it."));
    let therapist = app.sign_in(THERAPIST).await;
    let own = app.get_as(&format!("/calendar?date={day}"), &therapist).await;
    assert!(own.body.contains("Not working — <strong>1 visit is still booked</strong>."), "{}", own.body);
}

#[tokio::test]
async fn a_day_off_over_a_booked_visit_asks_first_and_hours_that_keep_it_do_not() {
    let app = TestApp::new().await;
    let date = weekday_ahead(4);
    let (mara, booking) = marias_visit(&app, date).await;
    let manager = app.sign_in(MANAGER).await;
    let csrf = app.csrf(&manager).await;
    let day = date.to_string();
    let ov_path = format!("/manage/therapists/{}/override", mara.0);
    let off = [("csrf", csrf.as_str()), ("ov_date", &day), ("ov_kind", "off")];
    let asked = app.form(&ov_path, Some(&manager), &off).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    assert!(asked.body.contains("1 visit booked outside these hours") && asked.body.contains(": day off."));
    assert!(asked.body.contains("Save the hours anyway"));
    assert!(app.store.schedule(mara).await.unwrap().unwrap().overrides.is_empty(), "nothing saved yet");

    // Hours around the visit need no question (typed loosely).
    let whole =
        [("csrf", csrf.as_str()), ("ov_date", &day), ("ov_kind", "hours"), ("ov_0_start", "7am"), ("ov_0_end", "12am")];
    let kept = app.form(&ov_path, Some(&manager), &whole).await;
    assert_eq!(kept.status, StatusCode::SEE_OTHER, "{}", kept.body);
    assert!(kept.location().contains("saved=override#"), "{}", kept.location());
    let saved = app.store.schedule(mara).await.unwrap().unwrap().overrides;
    assert_eq!(saved[0].windows.as_slice(), [(7 * 60, 24 * 60)], "12am ends the day");

    let go: Vec<(String, String)> = hidden_fields(&asked.body, &ov_path);
    let go: Vec<(&str, &str)> = go.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let done = app.form(&ov_path, Some(&manager), &go).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert!(done.location().contains("saved=override_booked"), "{}", done.location());
    assert!(app.store.schedule(mara).await.unwrap().unwrap().overrides[0].windows.is_day_off());
    let page = app.get_as(done.location(), &manager).await;
    assert!(page.body.contains("Booked outside these hours (1 visit)"), "{}", page.body);
    assert!(page.body.contains(&format!("href=\"/visits/{booking}\"")));
}

#[tokio::test]
async fn hours_are_read_as_people_type_them_and_the_fields_offer_a_colon() {
    let app = TestApp::new().await;
    let manager = app.sign_in(MANAGER).await;
    let csrf = app.csrf(&manager).await;
    let liza = app.store.therapist_by_slug("liza-manalo").await.unwrap();
    let path = format!("/manage/therapists/{}/schedule", liza.id.0);
    let page = app.get_as(&path, &manager).await;
    let field = &page.body[page.body.find("id=\"day1_0_start\"").unwrap()..];
    let tag = &field[..field.find('>').unwrap()];
    assert!(!tag.contains("inputmode"), "no numeric keypad, which has no colon: {tag}");
    assert!(page.body.contains("e.g. 9:30 or 5pm"), "the time fields say how to type a time");

    let form = [
        ("csrf", csrf.as_str()),
        ("base_address", ""),
        ("radius_km", "10"),
        ("day1_0_start", "9"),
        ("day1_0_end", "12pm"),
        ("day1_1_start", "1:30 PM"),
        ("day1_1_end", "5pm"),
        ("day2_0_start", "0930"),
        ("day2_0_end", "17h"),
        ("day3_0_start", "9.30"),
        ("day3_0_end", "noon"),
    ];
    let saved = app.form(&path, Some(&manager), &form).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let weekly: Vec<_> = app
        .store
        .schedule(liza.id)
        .await
        .unwrap()
        .unwrap()
        .weekly
        .iter()
        .map(|w| (w.weekday, w.start_minute, w.end_minute))
        .collect();
    assert_eq!(weekly, [(1, 540, 720), (1, 810, 1020), (2, 570, 1020), (3, 570, 720)]);

    let bad = [
        ("csrf", csrf.as_str()),
        ("base_address", ""),
        ("radius_km", "10"),
        ("day1_0_start", "9"),
        ("day1_0_end", "5"),
        ("day2_0_start", "13pm"),
        ("day2_0_end", "5pm"),
    ];
    let refused = app.form(&path, Some(&manager), &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("for the afternoon write 5pm or 17:00"), "{}", refused.body);
    assert!(refused.body.contains("with am or pm the hour is 1 to 12"));
    assert_eq!(app.store.schedule(liza.id).await.unwrap().unwrap().weekly.len(), 4, "nothing saved");

    // Time off typed the same way, shown with its times.
    let day = weekday_ahead(9).to_string();
    let off = [
        ("csrf", csrf.as_str()),
        ("off_from_date", &day),
        ("off_from_time", "1pm"),
        ("off_to_date", &day),
        ("off_to_time", "4:30 pm"),
    ];
    let added = app.form(&format!("/manage/therapists/{}/time-off", liza.id.0), Some(&manager), &off).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert!(app.get_as(&path, &manager).await.body.contains(", 13:00–16:30"));
}

#[tokio::test]
async fn the_api_refuses_time_off_and_a_day_off_over_booked_visits_unless_told_to_go_ahead() {
    let app = TestApp::new().await;
    let date = weekday_ahead(5);
    let (mara, booking) = marias_visit(&app, date).await;
    let manager = app.token_for(MANAGER.0).await;
    let path = format!("/api/v1/therapists/{}/time-off", mara.0);
    let tz = jiff::tz::TimeZone::get("Europe/Helsinki").unwrap();
    let start = date.to_zoned(tz.clone()).unwrap().timestamp().to_string();
    let end = date.tomorrow().unwrap().to_zoned(tz).unwrap().timestamp().to_string();

    let refused = app.json("POST", &path, Some(&manager), &json!({"start": start, "end": end}).to_string()).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert_eq!(refused.error_fields(), [("visits_booked".to_string(), "over_booked_visits".to_string())]);
    let listed = &refused.json()["errors"][0]["booked_visits"];
    assert_eq!(listed[0]["booking_id"], booking);
    let visit_start = listed[0]["start"].as_str().unwrap();
    assert!(visit_start.ends_with("+02:00") || visit_start.ends_with("+03:00"), "in the practice's offset");
    assert!(app.store.schedule(mara).await.unwrap().unwrap().time_off.is_empty(), "nothing added");

    let body = json!({"start": start, "end": end, "over_booked_visits": true}).to_string();
    let added = app.json("POST", &path, Some(&manager), &body).await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    assert_eq!(added.json()["booked_visits"][0]["booking_id"], booking, "the visit stays booked, listed");
    assert!(added.json()["id"].is_i64());

    let ov = format!("/api/v1/therapists/{}/overrides/{date}", mara.0);
    let refused = app.json("PUT", &ov, Some(&manager), r#"{"windows":[]}"#).await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert_eq!(refused.json()["errors"][0]["booked_visits"][0]["booking_id"], booking);
    let saved = app.json("PUT", &ov, Some(&manager), r#"{"windows":[],"over_booked_visits":true}"#).await;
    assert_eq!(saved.status, StatusCode::NO_CONTENT, "{}", saved.body);
    let strict = app.json("PUT", &ov, Some(&manager), r#"{"windows":[["9","5pm"]],"over_booked_visits":true}"#).await;
    assert_eq!(strict.status, StatusCode::UNPROCESSABLE_ENTITY, "the API keeps HH:MM: {}", strict.body);
}
