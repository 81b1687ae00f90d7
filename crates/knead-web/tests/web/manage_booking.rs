//! Where signing in lands each role, the therapist's visit cards, and managing a booking as a client on a phone
//! would: the booking first with two short actions, one day's times at a time, who gives the visit after a
//! move, and a question before anything changes.
//!
//! Bookings are made through the API with a chosen therapist, a few days ahead in Europe/Helsinki (the demo's
//! zone). The demo's home-visit therapists: Liza Manalo (Monday to Saturday, 09:00–17:00), Ines Carvalho
//! (Tuesday to Sunday, 10:00–18:00) and Theo Lambert (not Tuesdays, 11:00–19:00).

use crate::support::*;
use axum::http::StatusCode;
use jiff::civil::{Date, Weekday};
use jiff::ToSpan;
use knead_core::booking::{BookingId, BookingStatus};
use knead_core::Therapist;
use serde_json::json;

/// 11 Mikonkatu, in central Helsinki.
const HOME: (f64, f64) = (60.1703, 24.9459);

fn helsinki_today() -> Date {
    jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::get("Europe/Helsinki").unwrap()).date()
}

/// The first Wednesday, Thursday or Friday at least `days` ahead: every home-visit therapist works then.
fn midweek_ahead(days: i64) -> Date {
    let mut d = helsinki_today() + days.days();
    while !matches!(d.weekday(), Weekday::Wednesday | Weekday::Thursday | Weekday::Friday) {
        d = d.tomorrow().unwrap();
    }
    d
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'").replace("&amp;", "&")
}

fn attr(tag: &str, name: &str) -> String {
    let marker = format!("{name}=\"");
    let start = tag.find(&marker).unwrap_or_else(|| panic!("{name} in {tag}")) + marker.len();
    unescape(&tag[start..start + tag[start..].find('"').unwrap()])
}

/// Every link on the page starting with `prefix`, in page order.
fn links(html: &str, prefix: &str) -> Vec<String> {
    let marker = format!("href=\"{prefix}");
    html.match_indices(&marker).map(|(at, _)| attr(&html[at..], "href")).collect()
}

/// The time links (`a.slot`) in `html`: (href, accessible name, shown text).
fn slots(html: &str) -> Vec<(String, String, String)> {
    html.split("<a class=\"slot\" ")
        .skip(1)
        .map(|tag| {
            let text = &tag[tag.find('>').unwrap() + 1..tag.find("</a>").unwrap()];
            (attr(tag, "href"), attr(tag, "aria-label"), text.to_string())
        })
        .collect()
}

/// The fields of the form posting to `action`.
fn form_fields(html: &str, action: &str) -> Vec<(String, String)> {
    let at = html.find(&format!("action=\"{action}\"")).unwrap_or_else(|| panic!("a form to {action} in {html}"));
    let form = &html[at..at + html[at..].find("</form>").unwrap()];
    form.split("<input type=\"hidden\" ").skip(1).map(|tag| (attr(tag, "name"), attr(tag, "value"))).collect()
}

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// The text of the `dd` or `p` with id `id`, tags inside dropped.
fn text_of(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\"");
    let at = html.find(&marker).unwrap_or_else(|| panic!("#{id} in {html}"));
    let rest = &html[at..];
    let inner = &rest[rest.find('>').unwrap() + 1..];
    let end = ["</dd>", "</p>"].iter().filter_map(|e| inner.find(e)).min().unwrap_or(inner.len());
    unescape(&strip_tags(&inner[..end]))
}

fn strip_tags(s: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

async fn therapist(app: &TestApp, slug: &str) -> Therapist {
    app.store.therapist_by_slug(slug).await.unwrap()
}

async fn home_massage_id(app: &TestApp) -> i64 {
    let services = app.store.list_services(false).await.unwrap();
    services.into_iter().find(|s| s.name == "Massage with oil at home").expect("the home massage").id.0
}

/// A home massage with `with` on `date`, at the first start the API offers them; returns (id, token, start).
async fn book_with(app: &TestApp, with: &Therapist, date: Date) -> (BookingId, String, String) {
    let service = home_massage_id(app).await;
    let path = format!(
        "/api/v1/availability?service_id={service}&lat={}&lon={}&from={date}&days=1&therapist_id={}",
        HOME.0, HOME.1, with.id.0
    );
    let offered = app.get(&path).await.json();
    let start = offered["slots"][0]["start"].as_str().unwrap_or_else(|| panic!("no start: {offered}")).to_string();
    let body = json!({
        "service_id": service, "start": start, "therapist_ids": [with.id.0],
        "lat": HOME.0, "lon": HOME.1, "address": "11 Mikonkatu, Helsinki",
        "client": {"name": "Ana Fictional", "email": "ana@example.com", "phone": "416-555-0100"}
    });
    let created = app.json("POST", "/api/v1/bookings", None, &body.to_string()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let created = created.json();
    let token = created["manage_url"].as_str().unwrap().split("token=").nth(1).unwrap().to_string();
    (BookingId(created["id"].as_i64().unwrap()), token, start)
}

#[tokio::test]
async fn each_role_lands_where_their_work_is_unless_a_next_was_given() {
    let app = TestApp::new().await;
    let therapist = app.login(THERAPIST.0, THERAPIST.1, None).await;
    assert_eq!((therapist.status, therapist.location()), (StatusCode::SEE_OTHER, "/calendar"), "today's visits");
    let today = app.get_as("/calendar", &Auth::cookie_from(therapist.set_cookie())).await;
    assert!(today.body.contains("(today)"), "{}", today.body);
    let client = app.login(CLIENT.0, CLIENT.1, None).await;
    assert_eq!(client.location(), "/account", "a client's own page");

    // A `next` still wins, and the same rules keep it on this site.
    let (cookie, token) = app.login_form().await;
    let with_next =
        [("email", THERAPIST.0), ("password", THERAPIST.1), ("next", "/account/tokens"), ("login_token", &token)];
    assert_eq!(app.login_with(&cookie, &with_next, None).await.location(), "/account/tokens");
    let (cookie, token) = app.login_form().await;
    let hostile =
        [("email", THERAPIST.0), ("password", THERAPIST.1), ("next", "//evil.example"), ("login_token", &token)];
    assert_eq!(app.login_with(&cookie, &hostile, None).await.location(), "/calendar");

    // With a second factor, the code step lands the same way.
    let session = app.sign_in(THERAPIST).await;
    let key = app.set_up_second_factor(THERAPIST.0, &session).await;
    let again = app.login(THERAPIST.0, THERAPIST.1, None).await;
    assert_eq!(again.location(), "/login/code");
    let pending = Auth::cookie_from(again.set_cookie());
    let page = app.get_as("/login/code", &pending).await;
    let csrf = between(&page.body, "name=\"csrf\" value=\"", "\"").unwrap().to_string();
    // The code used to set up is spent; the next step's is accepted (one step of drift).
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
    assert_eq!((done.status, done.location()), (StatusCode::SEE_OTHER, "/calendar"), "{}", done.body);

    let manager = app.sign_in(MANAGER).await;
    assert_eq!(app.get_as("/manage", &manager).await.status, StatusCode::OK);
    let manager_again = app.login(MANAGER.0, MANAGER.1, None).await;
    assert_eq!(manager_again.location(), "/login/code", "a manager's code step, then /manage (see auth.rs)");
}

#[tokio::test]
async fn a_clients_account_lists_their_coming_bookings_each_opening_its_page() {
    let app = TestApp::new().await;
    let client = app.sign_in(CLIENT).await;
    let empty = app.get_as("/account", &client).await;
    assert!(
        empty.body.contains("<h2>Your bookings</h2>") && empty.body.contains("No visits booked."),
        "{}",
        empty.body
    );
    let id = booked_by_client(&app, &client, midweek_ahead(4)).await;
    let page = app.get_as("/account", &client).await;
    let link = format!("href=\"/bookings/{id}/manage\"");
    assert!(page.body.contains(&link), "{}", page.body);
    assert!(page.body.contains("Massage with oil at home"));
    assert!(page.body.find(&link) < page.body.find("Second factor"), "the bookings come first");
    // Another user's account does not list it.
    let therapist = app.sign_in(THERAPIST).await;
    assert!(!app.get_as("/account", &therapist).await.body.contains(&link));
    // Cancelled, it moves under the earlier ones.
    let csrf = app.csrf(&client).await;
    let done =
        app.form(&format!("/bookings/{id}/manage/cancel"), Some(&client), &[("csrf", &csrf), ("confirm", "yes")]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let after = app.get_as("/account", &client).await;
    assert!(after.body.contains("No visits booked.") && after.body.contains("Cancelled"), "{}", after.body);
}

/// A home massage booked through the API by the signed-in `client`; returns its id.
async fn booked_by_client(app: &TestApp, client: &Auth, date: Date) -> i64 {
    let csrf = app.csrf(client).await;
    let service = home_massage_id(app).await;
    let offered = app
        .get(&format!("/api/v1/availability?service_id={service}&lat={}&lon={}&from={date}&days=1", HOME.0, HOME.1))
        .await
        .json();
    let start = offered["slots"][0]["start"].as_str().unwrap().to_string();
    let Auth::Cookie(cookie) = client else { unreachable!() };
    let body = json!({"service_id": service, "start": start, "lat": HOME.0, "lon": HOME.1, "address": "11 Mikonkatu"});
    let request = axum::http::Request::post("/api/v1/bookings")
        .header("content-type", "application/json")
        .header("cookie", cookie)
        .header("x-csrf-token", &csrf)
        .body(axum::body::Body::from(body.to_string()))
        .unwrap();
    let created = app.send(request).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    created.json()["id"].as_i64().unwrap()
}

#[tokio::test]
async fn visit_cards_link_to_the_staff_view_of_their_booking() {
    let app = TestApp::new().await;
    let date = midweek_ahead(3);
    let liza = therapist(&app, "liza-manalo").await;
    let (id, _, _) = book_with(&app, &liza, date).await;
    let manager = app.sign_in(MANAGER).await;
    let day = app.get_as(&format!("/manage/therapists/{}/calendar?date={date}", liza.id.0), &manager).await;
    assert_eq!(day.status, StatusCode::OK, "{}", day.body);
    assert!(day.body.contains(&format!("href=\"/visits/{}\"", id.0)), "{}", day.body);
    assert!(day.body.contains("<svg"), "the day's map is still drawn");
    assert!(day.body.contains("href=\"geo:"), "with directions");
    let week = app.get_as(&format!("/manage/therapists/{}/calendar?date={date}&view=week", liza.id.0), &manager).await;
    assert!(week.body.contains(&format!("href=\"/visits/{}\"", id.0)));
}

#[tokio::test]
async fn a_therapists_own_visit_cards_are_links_too() {
    let app = TestApp::new().await;
    let date = midweek_ahead(3);
    let mara = therapist(&app, "mara-quill").await;
    let services = app.store.list_services(false).await.unwrap();
    let rmt = services.iter().find(|s| s.name == "RMT assessment and treatment, 60 minutes").unwrap();
    let clinic = app.store.clinics().await.unwrap().remove(0);
    let path = format!(
        "/api/v1/availability?service_id={}&clinic_id={}&from={date}&days=1&therapist_id={}",
        rmt.id.0, clinic.id.0, mara.id.0
    );
    let start = app.get(&path).await.json()["slots"][0]["start"].as_str().unwrap().to_string();
    let body = json!({
        "service_id": rmt.id.0, "start": start, "therapist_ids": [mara.id.0], "clinic_id": clinic.id.0,
        "client": {"name": "Noor Haddad", "email": "noor@example.com", "phone": "416-555-0111"}
    });
    let created = app.json("POST", "/api/v1/bookings", None, &body.to_string()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_i64().unwrap();
    let session = app.sign_in(THERAPIST).await;
    let day = app.get_as(&format!("/calendar?date={date}"), &session).await;
    assert!(day.body.contains(&format!("<h3><a href=\"/visits/{id}\">")), "{}", day.body);
    assert!(day.body.contains("Client: Noor"));
}

#[tokio::test]
async fn the_booking_comes_first_with_two_short_actions_and_no_list_of_times() {
    let app = TestApp::new().await;
    let liza = therapist(&app, "liza-manalo").await;
    let (id, token, _) = book_with(&app, &liza, midweek_ahead(3)).await;
    let page = app.get(&format!("/bookings/{}/manage?token={token}", id.0)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(text_of(&page.body, "booking-therapists"), liza.name);
    assert!(page.body.contains("Move to another time") && page.body.contains("Cancel this booking"));
    assert!(slots(&page.body).is_empty(), "no times before the actions");
    assert!(!page.body.contains("type=\"radio\""), "no wall of radio buttons");
    // Both actions are GET forms that carry the private link's token: they work without script.
    assert!(page.body.contains("name=\"step\" value=\"move\"") && page.body.contains("name=\"step\" value=\"cancel\""));
    assert_eq!(page.body.matches(&format!("name=\"token\" value=\"{token}\"")).count(), 2);
}

#[tokio::test]
async fn moving_shows_one_day_at_a_time_then_asks_then_moves_with_the_same_therapist() {
    let app = TestApp::new().await;
    let liza = therapist(&app, "liza-manalo").await;
    let date = midweek_ahead(3);
    let (id, token, booked_start) = book_with(&app, &liza, date).await;
    let manage = format!("/bookings/{}/manage", id.0);

    let step = app.get(&format!("{manage}?token={token}&step=move")).await;
    assert_eq!(step.status, StatusCode::OK, "{}", step.body);
    assert!(step.body.contains("<h1>Move to another time</h1>"));
    let times = slots(&step.body);
    assert!(!times.is_empty(), "times on the booking's own day: {}", step.body);
    let day_name = date.strftime("%A %-d %B").to_string();
    assert!(
        times.iter().all(|(_, label, _)| label.contains(&format!(" on {day_name}, with "))),
        "one day only: {times:?}"
    );
    assert!(times.len() < 40, "one day's times, not a week's: {}", times.len());
    assert!(step.body.contains("<h3>Morning</h3>") && step.body.contains("<h3>Afternoon</h3>"), "by part of the day");
    assert!(step.body.contains("aria-current=\"date\""), "the day shown is marked in the row of days");
    let other_days = links(&step.body, &format!("{manage}?token={token}&amp;step=move&amp;date="));
    assert!(other_days.len() >= 2, "a row of days with times: {other_days:?}");
    assert!(step.body.contains("type=\"date\""), "and a date field for any other day");
    assert!(!times.iter().any(|(href, _, _)| href.contains(&booked_start)), "not the booking's own time");

    // "Later days" shows the next row, at its first day with times.
    // (An "Earlier days" link is there too when the row starts after the first bookable day.)
    let later: Vec<String> = links(&step.body, &format!("{manage}?token={token}&amp;step=move&amp;from="))
        .into_iter()
        .filter(|href| href.rsplit("from=").next().is_some_and(|from| from > date.to_string().as_str()))
        .collect();
    assert_eq!(later.len(), 1, "{later:?}");
    let next_row = app.get(&later[0]).await;
    assert_eq!(next_row.status, StatusCode::OK);
    let first = slots(&next_row.body);
    assert!(!first.is_empty() && first.iter().all(|(_, l, _)| !l.contains(&day_name)), "{}", next_row.body);
    assert!(next_row.body.contains("Earlier days"));
    // A date that cannot be read is named beside the field, and a day's times are still shown.
    let bad = app.get(&format!("{manage}?token={token}&step=move&date=someday")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("id=\"date-error\""), "{}", bad.body);
    assert!(!slots(&bad.body).is_empty());

    // Another day from the row: only that day's times.
    let next_day = date + 1.days();
    let there = app.get(&format!("{manage}?token={token}&step=move&date={next_day}")).await;
    let next_name = next_day.strftime("%A %-d %B").to_string();
    let theirs = slots(&there.body);
    assert!(!theirs.is_empty() && theirs.iter().all(|(_, label, _)| label.contains(&next_name)), "{}", there.body);

    // A morning time with Liza, as now: the question says so, and nothing moves yet.
    let (href, label, shown) =
        times.iter().find(|(_, label, _)| label.ends_with(&liza.name)).expect("a time with Liza").clone();
    assert!(label.starts_with(&shown), "{label} starts with the time shown, {shown}");
    let ask = app.get(&unescape(&href)).await;
    assert_eq!(ask.status, StatusCode::OK, "{}", ask.body);
    assert!(ask.body.contains("Move your booking?"));
    assert!(text_of(&ask.body, "move-when").contains(&shown), "{}", ask.body);
    assert_eq!(text_of(&ask.body, "move-therapist"), format!("{}, as now", liza.name));
    assert!(ask.body.contains("Keep the current time"));
    assert_eq!(
        app.store.booking(id).await.unwrap().start.to_string(),
        booked_start.parse::<jiff::Timestamp>().unwrap().to_string()
    );
    let fields = form_fields(&ask.body, &format!("{manage}/reschedule"));
    assert!(fields.contains(&("confirm".into(), "yes".into())), "{fields:?}");

    let moved = app.form(&format!("{manage}/reschedule"), None, &pairs(&fields)).await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    assert!(moved.location().contains("done=moved"), "{}", moved.location());
    let stored = app.store.booking(id).await.unwrap();
    let new_start = fields.iter().find(|(k, _)| k == "start").unwrap().1.parse::<jiff::Timestamp>().unwrap();
    assert_eq!(stored.start, new_start);
    assert_eq!(stored.visits[0].therapist_id, liza.id, "the same therapist");
    let after = app.get(moved.location()).await;
    assert!(after.body.contains(&format!("still with {}.", liza.name)), "{}", after.body);
    assert!(after.body.contains(&shown), "the new time is stated");
}

#[tokio::test]
async fn a_time_only_another_therapist_can_give_says_so_before_and_after_the_move() {
    let app = TestApp::new().await;
    let liza = therapist(&app, "liza-manalo").await;
    let date = midweek_ahead(3);
    let (id, token, _) = book_with(&app, &liza, date).await;
    let manage = format!("/bookings/{}/manage", id.0);
    // Liza works until 17:00; the evening's times are Ines's or Theo's.
    let step = app.get(&format!("{manage}?token={token}&step=move&date={date}")).await;
    assert!(step.body.contains("<h3>Evening</h3>"), "{}", step.body);
    assert!(step.body.contains(&format!("instead of {}:", liza.name)), "{}", step.body);
    let evening = &step.body[step.body.find("<h3>Evening</h3>").unwrap()..];
    let (href, label, _) = slots(evening).remove(0);
    assert!(!label.ends_with(&liza.name), "{label}");
    let other = ["ines-carvalho", "theo-lambert"];
    let mut who = None;
    for slug in other {
        let t = therapist(&app, slug).await;
        if label.ends_with(&t.name) {
            who = Some(t);
        }
    }
    let who = who.unwrap_or_else(|| panic!("{label} names Ines or Theo"));

    let ask = app.get(&unescape(&href)).await;
    assert_eq!(ask.status, StatusCode::OK, "{}", ask.body);
    assert_eq!(text_of(&ask.body, "move-therapist"), format!("{} instead of {}", who.name, liza.name));
    assert!(ask.body.contains(&format!("with {} instead of {}?", who.name, liza.name)), "the question says it plainly");
    let fields = form_fields(&ask.body, &format!("{manage}/reschedule"));
    let moved = app.form(&format!("{manage}/reschedule"), None, &pairs(&fields)).await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    assert!(moved.location().contains("done=moved-other"));
    assert_eq!(app.store.booking(id).await.unwrap().visits[0].therapist_id, who.id, "the therapist asked about");
    let after = app.get(moved.location()).await;
    assert!(after.body.contains(&format!("Your therapist is now {}.", who.name)), "{}", after.body);
    assert_eq!(text_of(&after.body, "booking-therapists"), who.name);
}

#[tokio::test]
async fn a_time_taken_meanwhile_is_refused_at_the_question_and_at_the_yes() {
    let app = TestApp::new().await;
    let liza = therapist(&app, "liza-manalo").await;
    let date = midweek_ahead(3);
    let (id, token, _) = book_with(&app, &liza, date).await;
    let manage = format!("/bookings/{}/manage", id.0);
    // The next day, where Liza has no other visit to drive from.
    let next_day = date + 1.days();
    let step = app.get(&format!("{manage}?token={token}&step=move&date={next_day}")).await;
    let (href, _, _) = slots(&step.body).into_iter().find(|(_, l, _)| l.ends_with(&liza.name)).unwrap();
    let ask = app.get(&unescape(&href)).await;
    let fields = form_fields(&ask.body, &format!("{manage}/reschedule"));
    // Someone else books that very time with Liza.
    let start = fields.iter().find(|(k, _)| k == "start").unwrap().1.clone();
    let service = home_massage_id(&app).await;
    let body = json!({
        "service_id": service, "start": start, "therapist_ids": [liza.id.0],
        "lat": HOME.0, "lon": HOME.1, "address": "11 Mikonkatu, Helsinki",
        "client": {"name": "Bo Fictional", "email": "bo@example.com", "phone": "416-555-0101"}
    });
    let taken = app.json("POST", "/api/v1/bookings", None, &body.to_string()).await;
    assert_eq!(taken.status, StatusCode::CREATED, "{}", taken.body);

    let again = app.get(&unescape(&href)).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(text_of(&again.body, "start-error").contains("no longer free"), "{}", again.body);
    assert!(!slots(&again.body).is_empty(), "with the day's other times");
    let late = app.form(&format!("{manage}/reschedule"), None, &pairs(&fields)).await;
    assert_eq!(late.status, StatusCode::CONFLICT, "{}", late.body);
    assert!(text_of(&late.body, "start-error").contains("no longer free"));
    assert_ne!(app.store.booking(id).await.unwrap().start.to_string(), start, "not moved");
}

#[tokio::test]
async fn cancelling_asks_first_and_keep_it_changes_nothing() {
    let app = TestApp::new().await;
    let liza = therapist(&app, "liza-manalo").await;
    let date = midweek_ahead(3);
    let (id, token, start) = book_with(&app, &liza, date).await;
    let manage = format!("/bookings/{}/manage", id.0);
    let ask = app.get(&format!("{manage}?token={token}&step=cancel")).await;
    assert_eq!(ask.status, StatusCode::OK, "{}", ask.body);
    let when = start.parse::<jiff::Timestamp>().unwrap().to_zoned(jiff::tz::TimeZone::get("Europe/Helsinki").unwrap());
    let question = format!(
        "Cancel Massage with oil at home (1 h) on {} at {}, with {}?",
        date.strftime("%A %-d %B"),
        when.strftime("%H:%M"),
        liza.name
    );
    assert!(ask.body.contains(&question), "{question} in {}", ask.body);
    assert!(ask.body.contains("Yes, cancel it"));
    assert!(ask.body.contains(&format!("href=\"{manage}?token={token}\">Keep it</a>")), "{}", ask.body);

    // A post without the yes (an old form, a double tap) asks too.
    let first = app.form(&format!("{manage}/cancel"), None, &[("token", &token)]).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert!(first.body.contains(&question));
    assert_eq!(app.store.booking(id).await.unwrap().status, BookingStatus::Confirmed, "nothing changed yet");

    let fields = form_fields(&ask.body, &format!("{manage}/cancel"));
    assert!(fields.contains(&("confirm".into(), "yes".into())));
    let done = app.form(&format!("{manage}/cancel"), None, &pairs(&fields)).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(app.store.booking(id).await.unwrap().status, BookingStatus::Cancelled);
    let after = app.get(done.location()).await;
    assert!(after.body.contains("Your booking is cancelled."));
    assert!(!after.body.contains("Cancel this booking") && !after.body.contains("Move to another time"));
    // Nothing is left to ask about.
    let stale = app.get(&format!("{manage}?token={token}&step=cancel")).await;
    assert!(!stale.body.contains("Yes, cancel it"), "{}", stale.body);
}

#[tokio::test]
async fn a_signed_in_clients_yes_needs_the_csrf_token() {
    let app = TestApp::new().await;
    let client = app.sign_in(CLIENT).await;
    let csrf = app.csrf(&client).await;
    let id = booked_by_client(&app, &client, midweek_ahead(4)).await;
    let manage = format!("/bookings/{id}/manage");
    let ask = app.get_as(&format!("{manage}?step=cancel"), &client).await;
    assert!(ask.body.contains("Yes, cancel it"), "{}", ask.body);
    let forged = app.form(&format!("{manage}/cancel"), Some(&client), &[("confirm", "yes")]).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(app.store.booking(BookingId(id)).await.unwrap().status, BookingStatus::Confirmed);
    let fields = form_fields(&ask.body, &format!("{manage}/cancel"));
    assert!(fields.contains(&("csrf".into(), csrf.clone())));
    let done = app.form(&format!("{manage}/cancel"), Some(&client), &pairs(&fields)).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(app.store.booking(BookingId(id)).await.unwrap().status, BookingStatus::Cancelled);
}

/// The file's content lines with folded lines joined again.
fn ics_lines(body: &str) -> Vec<String> {
    body.replace("\r\n ", "").split("\r\n").filter(|l| !l.is_empty()).map(str::to_string).collect()
}

#[tokio::test]
async fn the_booking_is_offered_as_a_calendar_file_that_a_cancellation_cancels() {
    let app = TestApp::new().await;
    let liza = therapist(&app, "liza-manalo").await;
    let (id, token, start) = book_with(&app, &liza, midweek_ahead(3)).await;
    let manage = format!("/bookings/{}/manage", id.0);
    let page = app.get(&format!("{manage}?token={token}")).await;
    let link = format!("/bookings/{}/calendar.ics?token={token}", id.0);
    assert!(page.body.contains(&format!("href=\"{link}\"")), "the page offers the file: {}", page.body);

    let file = app.get(&link).await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.body);
    assert_eq!(file.headers[axum::http::header::CONTENT_TYPE], "text/calendar; charset=utf-8");
    let lines = ics_lines(&file.body);
    let local = start.parse::<jiff::Timestamp>().unwrap().to_zoned(jiff::tz::TimeZone::get("Europe/Helsinki").unwrap());
    let dtstart = format!("DTSTART;TZID=Europe/Helsinki:{}", local.strftime("%Y%m%dT%H%M%S"));
    for expected in [dtstart.as_str(), "METHOD:PUBLISH", "STATUS:CONFIRMED", "SEQUENCE:0", "TZID:Europe/Helsinki"] {
        assert!(lines.iter().any(|l| l == expected), "{expected} in {}", file.body);
    }
    assert!(lines.iter().any(|l| l == "LOCATION:11 Mikonkatu\\, Helsinki"), "{}", file.body);
    assert!(lines.iter().any(|l| l.starts_with("SUMMARY:Massage with oil at home with ")), "{}", file.body);
    let uid = lines.iter().find(|l| l.starts_with("UID:")).expect("a UID").clone();
    // Without the token, or with another's, there is no file.
    let anonymous = app.get(&format!("/bookings/{}/calendar.ics", id.0)).await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER, "sent to sign in: {}", anonymous.body);
    assert!(anonymous.location().starts_with("/login"), "{}", anonymous.location());
    let wrong = app.get(&format!("/bookings/{}/calendar.ics?token=not-the-token", id.0)).await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);

    // Cancelled: the same UID, cancelled, and the page offers to take it out of the calendar.
    let ask = app.get(&format!("{manage}?token={token}&step=cancel")).await;
    let done =
        app.form(&format!("{manage}/cancel"), None, &pairs(&form_fields(&ask.body, &format!("{manage}/cancel")))).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let cancelled = ics_lines(&app.get(&link).await.body);
    for expected in [uid.as_str(), "METHOD:CANCEL", "STATUS:CANCELLED"] {
        assert!(cancelled.iter().any(|l| l == expected), "{expected} in {cancelled:?}");
    }
    assert!(app.get(done.location()).await.body.contains("Remove it from your calendar"));
}
