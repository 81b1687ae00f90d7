//! Office chair-massage days over the demo practice: a manager books one through the API (the engine places one
//! therapist per chair), bad input is named and writes nothing, and attendees sign up through the organiser's
//! link, on the API and on the pages, each in their own chair, with a health check that can say "not today".

use crate::support::*;
use axum::http::StatusCode;
use serde_json::{json, Value};

/// A Thursday at least eight days ahead: the demo's three mobile therapists work it, and no demo visit is on it.
pub(crate) fn free_thursday() -> jiff::civil::Date {
    let tz = jiff::tz::TimeZone::get("Europe/Helsinki").unwrap();
    let mut d = jiff::Timestamp::now().to_zoned(tz).date().checked_add(jiff::ToSpan::days(8)).unwrap();
    while d.weekday() != jiff::civil::Weekday::Thursday {
        d = d.tomorrow().unwrap();
    }
    d
}

pub(crate) async fn chair_service(app: &TestApp) -> i64 {
    let services = app.store.list_services(false).await.unwrap();
    services.iter().find(|s| s.kind == knead_core::Kind::Chair).expect("the demo's chair service").id.0
}

fn day_body(service: i64, chairs: i64, slot: i64) -> Value {
    json!({
        "service_id": service, "date": free_thursday().to_string(), "start": "13:00", "end": "15:00",
        "chairs": chairs, "slot_minutes": slot, "address": "8 Bulevardi, Helsinki", "lat": 60.1657, "lon": 24.9415,
        "organiser": {"name": "Olli Organiser", "email": "olli@example.com", "phone": "040 555 0199"}
    })
}

fn all_no() -> Value {
    json!({"unwell": false, "blood_clot": false, "recent_injury": false, "blood_thinners": false,
           "fragile_bones": false, "pregnant": false})
}

#[tokio::test]
async fn a_manager_books_a_chair_day_and_attendees_sign_up_each_in_their_own_chair() {
    let app = TestApp::new().await;
    let manager = app.token_for(MANAGER.0).await;
    let service = chair_service(&app).await;
    let before = app.store.chair_days(10).await.unwrap().len();

    // Bad input is named, all at once, and writes nothing.
    let mut wrong = day_body(service, 12, 25);
    wrong["end"] = json!("14:10");
    let refused = app.json("POST", "/api/v1/chair-days", Some(&manager), &wrong.to_string()).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    let fields: Vec<String> = refused.error_fields().into_iter().map(|(_, f)| f).collect();
    assert!(fields.contains(&"chairs".to_string()) && fields.contains(&"slot_minutes".to_string()), "{fields:?}");
    let too_many = app.json("POST", "/api/v1/chair-days", Some(&manager), &day_body(service, 5, 15).to_string()).await;
    assert_eq!(too_many.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", too_many.body);
    assert!(too_many.body.contains("not_enough_therapists") && too_many.body.contains("only 3"), "{}", too_many.body);
    assert_eq!(app.store.chair_days(10).await.unwrap().len(), before, "nothing written");
    let client = app.sign_in(CLIENT).await;
    let not_staff = app.json("POST", "/api/v1/chair-days", Some(&client), &day_body(service, 2, 15).to_string()).await;
    assert_eq!(not_staff.status, StatusCode::FORBIDDEN);

    let created = app.json("POST", "/api/v1/chair-days", Some(&manager), &day_body(service, 2, 15).to_string()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let day = created.json();
    assert_eq!(day["therapist_ids"].as_array().unwrap().len(), 2, "one therapist per chair");
    assert_eq!(day["slots"].as_array().unwrap().len(), 16, "8 starts x 2 chairs in a 2-hour block");
    assert_eq!(day["price_cents"], 4 * 3_500 * 2 * 2, "two chairs for two hours at the service's hourly rate");
    let (id, token) = (day["id"].as_i64().unwrap(), day["signup_token"].as_str().unwrap().to_string());
    let first = day["slots"][0]["start"].as_str().unwrap().to_string();
    // Its sheet is laid out on its time and therapists: the booking is not moved like a visit.
    let later = json!({"start": day["slots"][4]["start"]}).to_string();
    let moved =
        app.json("POST", &format!("/api/v1/bookings/{}/reschedule", day["booking_id"]), Some(&manager), &later).await;
    assert_eq!(moved.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", moved.body);
    assert_eq!(moved.error_fields()[0].0, "group_booking");

    let signup = |n: usize, start: &str, token: &str, health: Value| {
        json!({"token": token, "start": start, "name": format!("Attendee{n} Fictional"),
               "email": format!("attendee{n}@example.com"), "consent": true, "health": health})
        .to_string()
    };
    let path = format!("/api/v1/chair-days/{id}/signups");
    let one = app.json("POST", &path, None, &signup(1, &first, &token, all_no())).await;
    assert_eq!(one.status, StatusCode::CREATED, "{}", one.body);
    let two = app.json("POST", &path, None, &signup(2, &first, &token, all_no())).await;
    assert_eq!((one.json()["chair"].clone(), two.json()["chair"].clone()), (json!(1), json!(2)));
    let full = app.json("POST", &path, None, &signup(3, &first, &token, all_no())).await;
    assert_eq!(full.status, StatusCode::CONFLICT, "{}", full.body);
    assert!(full.body.contains("slot_full"));
    let wrong_link = app.json("POST", &path, None, &signup(4, &first, "not-the-link", all_no())).await;
    assert_eq!(wrong_link.status, StatusCode::NOT_FOUND);
    let mut unwell = all_no();
    unwell["unwell"] = json!(true);
    let second = day["slots"][2]["start"].as_str().unwrap().to_string();
    let not_today = app.json("POST", &path, None, &signup(5, &second, &token, unwell)).await;
    assert_eq!(not_today.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", not_today.body);
    assert_eq!(not_today.error_fields()[0], ("not_today".to_string(), "health".to_string()));
    let off_sheet = app.json("POST", &path, None, &signup(6, "2031-01-01T10:00:00+02:00", &token, all_no())).await;
    assert_eq!(off_sheet.error_fields()[0].1, "start");

    let sheet = app.get_as(&format!("/api/v1/chair-days/{id}"), &manager).await.json();
    let held: Vec<&Value> = sheet["slots"].as_array().unwrap().iter().filter(|s| !s["attendee"].is_null()).collect();
    assert_eq!(held.len(), 2);
    assert_eq!(held[0]["attendee"]["name"], "Attendee1 Fictional");
    let staff = app.sign_in(MANAGER).await;
    let list = app.get_as("/manage/chair-days", &staff).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(list.body.contains("2 of 16 places taken") && list.body.contains("Attendee1 Fictional"), "{}", list.body);

    // On a phone: the link opens the free times and the form; a sign-up gives the attendee their cancel link.
    let page = app.get(&format!("/chair-days/{id}/signup?token={token}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Chair massage at 8 Bulevardi") && page.body.contains("2 of 16 places taken"));
    assert!(
        !page.body.contains(&format!("value=\"{}\"", first.parse::<jiff::Timestamp>().unwrap())),
        "a full time is not offered"
    );
    assert_eq!(app.get(&format!("/chair-days/{id}/signup?token=wrong")).await.status, StatusCode::NOT_FOUND);
    let second_ts = second.parse::<jiff::Timestamp>().unwrap().to_string();
    let mut form: Vec<(&str, &str)> = vec![
        ("token", token.as_str()),
        ("start", second_ts.as_str()),
        ("name", "Paula Phone"),
        ("email", "paula@example.com"),
        ("consent", "yes"),
    ];
    let unanswered = app.form(&format!("/chair-days/{id}/signup"), None, &form).await;
    assert_eq!(unanswered.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", unanswered.body);
    assert!(unanswered.body.contains("answer yes or no"), "every question must be answered");
    let keys = ["unwell", "blood_clot", "recent_injury", "blood_thinners", "fragile_bones", "pregnant"];
    let names: Vec<String> = keys.iter().map(|k| format!("health.{k}")).collect();
    for (i, n) in names.iter().enumerate() {
        form.push((n.as_str(), if i == 3 { "yes" } else { "no" }));
    }
    let done = app.form(&format!("/chair-days/{id}/signup"), None, &form).await;
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.body);
    assert!(done.body.contains("You're signed up") && done.body.contains("light pressure"), "{}", done.body);
    let cancel = links_of(&done.body, "/chair-days/signups/cancel?token=");
    let cancel_token = cancel.split("token=").nth(1).unwrap().to_string();
    assert_eq!(app.get(&cancel).await.status, StatusCode::OK);
    let cancelled = app.form("/chair-days/signups/cancel", None, &[("token", cancel_token.as_str())]).await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    assert!(cancelled.body.contains("is cancelled"));
    let sheet = app.get_as(&format!("/api/v1/chair-days/{id}"), &manager).await.json();
    assert_eq!(
        sheet["slots"].as_array().unwrap().iter().filter(|s| !s["attendee"].is_null()).count(),
        2,
        "the place is free again"
    );
}

/// The first link on the page starting with `prefix`.
fn links_of(html: &str, prefix: &str) -> String {
    let at = html.find(&format!("href=\"{prefix}")).unwrap_or_else(|| panic!("a link to {prefix} in {html}")) + 6;
    html[at..at + html[at..].find('"').unwrap()].replace("&amp;", "&")
}

/// The demo's one-hour massage at home, which party guests pick.
pub(crate) async fn one_hour_home_massage(app: &TestApp) -> i64 {
    let services = app.store.list_services(false).await.unwrap();
    let hour = services.iter().find(|s| {
        s.kind == knead_core::Kind::Individual && s.place == knead_core::Place::Mobile && s.duration_minutes == 60
    });
    hour.expect("a one-hour massage at home").id.0
}

pub(crate) fn party(guests: usize, service: i64, start: &str, end: &str) -> Value {
    let guests: Vec<Value> =
        (0..guests).map(|i| json!({"name": format!("Guest{} Fictional", i + 1), "service_id": service})).collect();
    json!({
        "date": free_thursday().to_string(), "start": start, "end": end, "address": "8 Bulevardi, Helsinki",
        "lat": 60.1657, "lon": 24.9415, "guests": guests,
        "host": {"name": "Hilda Host", "email": "hilda@example.com", "phone": "040 555 0198"}
    })
}

#[tokio::test]
async fn a_party_is_served_by_enough_therapists_without_overlap_or_refused_whole() {
    let app = TestApp::new().await;
    let manager = app.token_for(MANAGER.0).await;
    let hour = one_hour_home_massage(&app).await;
    let bookings_before = app
        .store
        .stops_between(jiff::Timestamp::now(), jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 60))
        .await
        .unwrap()
        .len();

    // Twelve one-hour guests in one hour would need twelve therapists: refused whole.
    let crowd =
        app.json("POST", "/api/v1/parties", Some(&manager), &party(12, hour, "13:00", "14:00").to_string()).await;
    assert_eq!(crowd.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", crowd.body);
    assert_eq!(crowd.error_fields()[0], ("cannot_fit".to_string(), "guests".to_string()));
    assert!(crowd.body.contains("12 guests need at least 12 therapists"), "{}", crowd.body);
    let after = app
        .store
        .stops_between(jiff::Timestamp::now(), jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 60))
        .await
        .unwrap()
        .len();
    assert_eq!(after, bookings_before, "nothing written");

    // Six one-hour massages in two and a half hours: three therapists, two guests each, never two at once.
    let done = app.json("POST", "/api/v1/parties", Some(&manager), &party(6, hour, "13:00", "15:30").to_string()).await;
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.body);
    let p = done.json();
    assert!(p["therapist_ids"].as_array().unwrap().len() >= 3, "{p}");
    let visits = p["visits"].as_array().unwrap();
    assert_eq!(visits.len(), 6, "every guest served");
    let (open, close): (jiff::Timestamp, jiff::Timestamp) =
        (p["start"].as_str().unwrap().parse().unwrap(), p["end"].as_str().unwrap().parse().unwrap());
    let span = |v: &Value| -> (jiff::Timestamp, jiff::Timestamp) {
        (v["start"].as_str().unwrap().parse().unwrap(), v["end"].as_str().unwrap().parse().unwrap())
    };
    for a in visits {
        let (s, e) = span(a);
        assert!(open <= s && e <= close, "inside the window: {a}");
        for b in visits.iter().filter(|b| *b != a && b["therapist_id"] == a["therapist_id"]) {
            let (s2, e2) = span(b);
            assert!(e <= s2 || e2 <= s, "one guest at a time: {a} {b}");
        }
    }
    let unknown =
        app.json("POST", "/api/v1/parties", Some(&manager), &party(2, 999_999, "13:00", "15:30").to_string()).await;
    assert_eq!(unknown.error_fields()[0].1, "guests[0].service_id", "{}", unknown.body);

    // Extras: the party's own (a face mask) lengthen the guest's visit; one nobody offers is named.
    let mut masked = party(1, hour, "10:00", "11:30");
    masked["guests"][0]["add_ons"] = json!(["Hydrating face mask"]);
    let done = app.json("POST", "/api/v1/parties", Some(&manager), &masked.to_string()).await;
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.body);
    let v = &done.json()["visits"][0];
    let (s, e) = span(v);
    assert_eq!((e.as_second() - s.as_second()) / 60, 75, "an hour's massage and a quarter-hour mask: {v}");
    masked["guests"][0]["add_ons"] = json!(["Gold leaf"]);
    let refused = app.json("POST", "/api/v1/parties", Some(&manager), &masked.to_string()).await;
    assert_eq!(refused.error_fields()[0].1, "guests[0].add_ons", "{}", refused.body);
    assert!(refused.body.contains("Hydrating face mask"), "the message lists what is offered: {}", refused.body);
}

#[tokio::test]
async fn a_host_books_a_party_on_the_page_and_a_crowd_is_refused_beside_its_field() {
    let app = TestApp::new().await;
    let party_page = app.get("/services/spa-party").await;
    assert!(party_page.body.contains("href=\"/parties/book\""), "the party's page leads somewhere");
    let page = app.get("/parties/book").await;
    assert_eq!(page.status, StatusCode::OK);
    let hour = one_hour_home_massage(&app).await.to_string();
    let date = free_thursday().to_string();
    let names: Vec<String> = (0..8).map(|i| format!("guests[{i}].name")).collect();
    let services: Vec<String> = (0..8).map(|i| format!("guests[{i}].service_id")).collect();
    let guest_names = ["Aino", "Bea", "Cilla", "Dora", "Eeva", "Fanni"];
    let mut form: Vec<(&str, &str)> = vec![
        ("date", &date),
        ("start", "13:00"),
        ("end", "15:30"),
        ("host.name", "Hilda Host"),
        ("host.email", "hilda@example.com"),
        ("host.phone", "040 555 0198"),
        ("address", "8 Bulevardi, Helsinki"),
    ];
    for (i, n) in guest_names.iter().enumerate() {
        form.push((names[i].as_str(), n));
        form.push((services[i].as_str(), hour.as_str()));
    }
    let mut crowd = form.clone();
    crowd[2] = ("end", "14:00");
    let refused = app.form("/parties/book", None, &crowd).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(
        refused.body.contains("6 guests need at least 6 therapists at once; only 3 are free then"),
        "{}",
        refused.body
    );
    // Aino adds a face mask, a party extra, to her massage: her visit is a quarter of an hour longer.
    form.push(("guests[0].add_ons", "Hydrating face mask"));
    let done = app.form("/parties/book", None, &form).await;
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.body);
    assert!(done.body.contains("3 therapists for 6 guests"), "{}", done.body);
    assert!(guest_names.iter().all(|n| done.body.contains(n)), "each guest's time is shown");
    assert!(done.body.contains("with Hydrating face mask"), "{}", done.body);
}
