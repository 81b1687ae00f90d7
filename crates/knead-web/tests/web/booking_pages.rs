//! The booking pages over the demo practice: the client's flow from service to confirmation, the private
//! manage link, therapists' calendars, and the manager's schedule, clinic and settings forms.
//!
//! Dates are a few days ahead of today in Europe/Helsinki (the demo's zone), and each booking takes the
//! first start the page offers, as a person would. Clients' homes are real address points in central Helsinki,
//! inside the demo's OpenStreetMap extract.

use crate::support::*;
use axum::http::StatusCode;
use jiff::civil::{Date, Weekday};
use jiff::ToSpan;
use knead_core::booking::{BookingId, BookingStatus, Where};
use knead_core::{Service, Therapist};

pub(crate) fn helsinki_today() -> Date {
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

pub(crate) async fn service_named(app: &TestApp, name: &str) -> Service {
    app.store
        .list_services(false)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no service {name}"))
}

async fn therapist_slug(app: &TestApp, slug: &str) -> Therapist {
    app.store.therapist_by_slug(slug).await.unwrap()
}

pub(crate) fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&#39;", "'").replace("&amp;", "&")
}

pub(crate) fn attr(tag: &str, name: &str) -> String {
    let marker = format!("{name}=\"");
    let start = tag.find(&marker).unwrap_or_else(|| panic!("{name} in {tag}")) + marker.len();
    unescape(&tag[start..start + tag[start..].find('"').unwrap()])
}

/// The hidden fields of the form posting to `action`.
pub(crate) fn hidden_fields(html: &str, action: &str) -> Vec<(String, String)> {
    let at = html.find(&format!("action=\"{action}\"")).unwrap_or_else(|| panic!("a form to {action} in {html}"));
    let form = &html[at..at + html[at..].find("</form>").unwrap()];
    form.split("<input type=\"hidden\" ").skip(1).map(|tag| (attr(tag, "name"), attr(tag, "value"))).collect()
}

/// Every link on the page starting with `prefix`, in page order.
pub(crate) fn links(html: &str, prefix: &str) -> Vec<String> {
    let marker = format!("href=\"{prefix}");
    html.match_indices(&marker).map(|(at, _)| attr(&html[at..], "href")).collect()
}

/// The message shown beside the field with element id `id`.
pub(crate) fn error_beside(body: &str, id: &str) -> String {
    let marker = format!("id=\"{id}-error\"");
    let at = body.find(&marker).unwrap_or_else(|| panic!("an error beside {id} in {body}"));
    let text = &body[at + marker.len()..];
    unescape(&text[text.find('>').unwrap() + 1..text.find('<').unwrap()])
}

pub(crate) async fn get(app: &TestApp, path: &str, auth: Option<&Auth>) -> Reply {
    match auth {
        Some(a) => app.get_as(path, a).await,
        None => app.get(path).await,
    }
}

/// Goes through the time and details steps for `flow` (a query string naming the service and place),
/// takes the first start offered, and confirms with `contact`. Returns the confirmation reply.
async fn book_through_pages(app: &TestApp, auth: Option<&Auth>, flow: &str, contact: &[(&str, &str)]) -> Reply {
    let when = get(app, &format!("/book/when?{flow}"), auth).await;
    assert_eq!(when.status, StatusCode::OK, "{}", when.body);
    let slot = links(&when.body, "/book/details?")
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no start offered: {}", when.body));
    let details = get(app, &slot, auth).await;
    assert_eq!(details.status, StatusCode::OK, "{}", details.body);
    let mut form = hidden_fields(&details.body, "/book");
    form.extend(contact.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.form("/book", auth, &pairs).await
}

pub(crate) const GUEST: [(&str, &str); 3] =
    [("name", "Ana Guest"), ("email", "ana@example.com"), ("phone", "416-555-0123")];

/// The booking id and token in a confirmation's private manage link.
pub(crate) fn manage_link(body: &str) -> (String, BookingId, String) {
    let link = links(body, "/bookings/").into_iter().next().unwrap_or_else(|| panic!("a manage link in {body}"));
    let id = link.trim_start_matches("/bookings/").split('/').next().unwrap().parse().unwrap();
    let token = link.split("token=").nth(1).unwrap_or("").to_string();
    (link, BookingId(id), token)
}

pub(crate) async fn booked_count(app: &TestApp) -> usize {
    let now = jiff::Timestamp::now();
    app.store.stops_between(now, now + 24.hours() * 60).await.unwrap().len()
}

#[tokio::test]
async fn a_guest_books_a_home_visit_through_the_pages_moves_it_and_cancels_it_with_the_private_link() {
    let app = TestApp::new().await;
    let massage = service_named(&app, "Massage with oil at home").await;
    let id = massage.id.0;

    let start = app.get("/book").await;
    assert_eq!(start.status, StatusCode::OK);
    assert!(
        start.body.contains(&format!("href=\"/book/where?service_id={id}\"")),
        "the service list links into the flow"
    );
    assert!(!start.body.contains("Spa party"), "parties are planned with the practice, not booked alone");
    let service_page = app.get(&format!("/services/{}", massage.slug)).await;
    assert!(
        service_page.body.contains(&format!("href=\"/book/where?service_id={id}\"")),
        "a Book button on the service page"
    );

    let place = app.get(&format!("/book/where?service_id={id}")).await;
    assert_eq!(place.status, StatusCode::OK);
    assert!(!place.body.contains("name=\"lat\""), "no one is asked for coordinates");
    assert!(place.body.contains("data-address"), "the address field suggests addresses as the client types");
    assert!(place.body.contains("data-locate-for=\"address\""), "with a location button for phones");

    let date = helsinki_today() + 3.days();
    let flow = format!("service_id={id}&address=12+Kalevankatu%2C+Helsinki&lat=60.1669&lon=24.9374&date={date}");
    let when = app.get(&format!("/book/when?{flow}")).await;
    assert!(when.body.contains(&date.strftime("%A %-d %B").to_string()), "grouped by day");
    assert!(when.body.contains("Any therapist"));

    let done = book_through_pages(&app, None, &flow, &GUEST).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("You're booked"));
    assert!(done.body.contains("$130.00"), "the price");
    assert!(done.body.contains("Travel fee"));
    let (link, booking_id, token) = manage_link(&done.body);
    assert!(!token.is_empty());
    // The confirmation offers the visit for the client's calendar, by the same private token.
    let calendar = format!("/bookings/{}/calendar.ics?token={token}", booking_id.0);
    assert!(done.body.contains(&format!("href=\"{calendar}\"")), "{}", done.body);
    assert!(app.get(&calendar).await.body.starts_with("BEGIN:VCALENDAR\r\n"));
    let stored = app.store.booking(booking_id).await.unwrap();
    assert!(matches!(&stored.place, Where::Mobile { address, .. } if address == "12 Kalevankatu, Helsinki"));
    assert_eq!(stored.client.phone, "416-555-0123");
    assert_eq!(stored.visits.len(), 1);
    let therapist = app.store.therapist(stored.visits[0].therapist_id).await.unwrap();
    assert!(done.body.contains(&therapist.name), "names the therapist");

    // The link is the only way in for a guest.
    let page = app.get(&link).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Cancel this booking"));
    assert_eq!(
        app.get(&format!("/bookings/{}/manage", booking_id.0)).await.status,
        StatusCode::SEE_OTHER,
        "sign in or bring the link"
    );
    assert_eq!(
        app.get(&format!("/bookings/{}/manage?token=not-the-token", booking_id.0)).await.status,
        StatusCode::NOT_FOUND
    );

    // Move it to the first other start offered: the time, the question, then yes.
    let step = app.get(&format!("{link}&step=move")).await;
    let time = step.body.split("<a class=\"slot\" ").nth(1).expect("new starts offered");
    let ask = app.get(&attr(time, "href")).await;
    let fields = hidden_fields(&ask.body, &format!("/bookings/{}/manage/reschedule", booking_id.0));
    let new_start = fields.iter().find(|(k, _)| k == "start").expect("the new start").1.clone();
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let moved = app.form(&format!("/bookings/{}/manage/reschedule", booking_id.0), None, &pairs).await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    assert!(moved.location().contains("done=moved"));
    assert_eq!(app.store.booking(booking_id).await.unwrap().start, new_start.parse::<jiff::Timestamp>().unwrap());

    let cancelled = app
        .form(&format!("/bookings/{}/manage/cancel", booking_id.0), None, &[("token", &token), ("confirm", "yes")])
        .await;
    assert_eq!(cancelled.status, StatusCode::SEE_OTHER, "{}", cancelled.body);
    assert!(cancelled.location().contains("done=cancelled"));
    assert_eq!(app.store.booking(booking_id).await.unwrap().status, BookingStatus::Cancelled);
    let after = app.get(cancelled.location()).await;
    assert!(after.body.contains("Your booking is cancelled."));
    assert!(!after.body.contains("Cancel this booking"), "nothing left to change");
}

#[tokio::test]
async fn a_couples_visit_gets_two_therapists() {
    let app = TestApp::new().await;
    let couples = service_named(&app, "Couple's massage at home").await;
    let date = helsinki_today() + 4.days();
    let flow = format!("service_id={}&address=15+Vuorikatu&lat=60.1725&lon=24.9477&date={date}", couples.id.0);
    let when = app.get(&format!("/book/when?{flow}")).await;
    assert!(!when.body.contains("Any therapist"), "the engine picks the pair");
    let done = book_through_pages(&app, None, &flow, &GUEST).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let (_, booking_id, _) = manage_link(&done.body);
    let stored = app.store.booking(booking_id).await.unwrap();
    assert_eq!(stored.visits.len(), 2);
    assert_ne!(stored.visits[0].therapist_id, stored.visits[1].therapist_id);
    assert!(done.body.contains("Therapists"));
    for v in &stored.visits {
        let t = app.store.therapist(v.therapist_id).await.unwrap();
        assert!(done.body.contains(&t.name), "names {}", t.name);
    }
    assert!(done.body.contains("$260.00"));
}

#[tokio::test]
async fn a_repeated_post_returns_the_same_booking_and_a_taken_time_shows_the_times_again() {
    let app = TestApp::new().await;
    let massage = service_named(&app, "Deep tissue massage at home").await;
    let liza = therapist_slug(&app, "liza-manalo").await;
    let date = weekday_ahead(3);
    let flow = format!(
        "service_id={}&address=8+Bulevardi&lat=60.1657&lon=24.9415&therapist_id={}&date={date}",
        massage.id.0, liza.id.0
    );
    let when = app.get(&format!("/book/when?{flow}")).await;
    let slot = links(&when.body, "/book/details?").remove(0);
    let details = app.get(&slot).await;
    let mut form = hidden_fields(&details.body, "/book");
    form.extend(GUEST.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let first = app.form("/book", None, &pairs).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert!(first.body.contains(&liza.name), "the therapist chosen");
    let before = booked_count(&app).await;
    let again = app.form("/book", None, &pairs).await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(again.body.contains("already made"));
    assert_eq!(booked_count(&app).await, before, "a double click books once");

    // The same start with the same therapist, from another visitor's form.
    let other = app.get(&slot).await;
    let mut form = hidden_fields(&other.body, "/book");
    form.extend(GUEST.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let taken = app.form("/book", None, &pairs).await;
    assert_eq!(taken.status, StatusCode::CONFLICT, "{}", taken.body);
    assert!(taken.body.contains("That time was just taken"));
    assert!(!links(&taken.body, "/book/details?").is_empty(), "with the times to pick from again");
    assert_eq!(booked_count(&app).await, before);
}

#[tokio::test]
async fn bad_input_is_shown_beside_its_field_and_books_nothing() {
    let app = TestApp::new().await;
    let massage = service_named(&app, "Massage with oil at home").await;
    let id = massage.id.0;
    let date = helsinki_today() + 3.days();

    // Tampere is outside the Helsinki practice's area.
    let far = app.get(&format!("/book/when?service_id={id}&address=Tampere&lat=61.4978&lon=23.761&date={date}")).await;
    assert_eq!(far.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_beside(&far.body, "address").contains("outside the area"), "{}", far.body);
    assert!(far.body.contains("value=\"Tampere\""), "the typed address is kept");
    let no_number = app.get(&format!("/book/when?service_id={id}&address=Yrj%C3%B6nkatu")).await;
    assert_eq!(no_number.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_beside(&no_number.body, "address").contains("house number"), "{}", no_number.body);
    let clinic_only = service_named(&app, "RMT assessment and treatment, 60 minutes").await;
    let no_clinic = app.get(&format!("/book/when?service_id={}&lat=60.1669&lon=24.9374", clinic_only.id.0)).await;
    assert_eq!(no_clinic.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_beside(&no_clinic.body, "clinic_id").contains("clinic"));

    // Details without a phone, and with a bad email.
    let flow = format!("service_id={id}&address=12+Kalevankatu&lat=60.1669&lon=24.9374&date={date}");
    let missing =
        book_through_pages(&app, None, &flow, &[("name", "Ana Guest"), ("email", "ana-at-example"), ("phone", "")])
            .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", missing.body);
    assert!(error_beside(&missing.body, "phone").contains("phone number"));
    assert!(error_beside(&missing.body, "email").contains("email"));
    assert!(missing.body.contains("value=\"Ana Guest\""), "typed values are kept");
    assert!(missing.body.contains("Nothing was booked"));

    // A start in the past goes back to the times.
    let stale = app
        .form(
            "/book",
            None,
            &[
                ("service_id", &id.to_string()),
                ("address", "12 Kalevankatu"),
                ("start", "2020-01-06T10:00:00+02:00"),
                ("name", "Ana"),
                ("email", "ana@example.com"),
                ("phone", "416-555-0123"),
            ],
        )
        .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(stale.body.contains("minutes from now"), "{}", stale.body);
    assert_eq!(booked_count(&app).await, 0, "nothing was written");
    assert_eq!(app.get("/book/where?service_id=999999").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_signed_in_client_gives_only_a_phone_and_manages_without_a_link() {
    let app = TestApp::new().await;
    let client = app.sign_in(CLIENT).await;
    let csrf = app.csrf(&client).await;
    let massage = service_named(&app, "Massage with oil at home").await;
    let flow = format!(
        "service_id={}&address=8+Snellmaninkatu&lat=60.1725&lon=24.9528&date={}",
        massage.id.0,
        helsinki_today() + 5.days()
    );
    let when = app.get_as(&format!("/book/when?{flow}"), &client).await;
    let slot = links(&when.body, "/book/details?").remove(0);
    let details = app.get_as(&slot, &client).await;
    assert!(details.body.contains("Booking as <strong>Sam Lindqvist</strong>"), "{}", details.body);
    assert!(!details.body.contains("name=\"email\""), "no need to type what the account knows");
    let mut form = hidden_fields(&details.body, "/book");
    form.retain(|(k, _)| k != "csrf");
    form.push(("phone".into(), "647 555 0199".into()));
    let forged: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(
        app.form("/book", Some(&client), &forged).await.status,
        StatusCode::FORBIDDEN,
        "a session's post needs its CSRF token"
    );
    form.push(("csrf".into(), csrf));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let done = app.form("/book", Some(&client), &pairs).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let (link, booking_id, token) = manage_link(&done.body);
    assert!(token.is_empty(), "a signed-in client needs no private link: {link}");
    let stored = app.store.booking(booking_id).await.unwrap();
    assert_eq!(stored.client.email.as_str(), "client@demo.knead.test");
    assert_eq!(stored.client.phone, "647 555 0199");
    assert_eq!(app.get_as(&link, &client).await.status, StatusCode::OK);
    let therapist = app.sign_in(THERAPIST).await;
    assert_eq!(app.get_as(&link, &therapist).await.status, StatusCode::NOT_FOUND, "not another user's business");
}

#[tokio::test]
async fn the_notice_policy_is_shown_and_a_late_cancel_is_refused() {
    let app = TestApp::new().await;
    let massage = service_named(&app, "Massage with oil at home").await;
    let flow = format!("service_id={}&address=12+Kalevankatu&date={}", massage.id.0, helsinki_today() + 3.days());
    let done = book_through_pages(&app, None, &flow, &GUEST).await;
    let (link, booking_id, token) = manage_link(&done.body);
    let mut settings = app.store.practice_settings().await.unwrap();
    settings.cancel_notice_hours = 24 * 14;
    app.store.save_practice_settings(&settings).await.unwrap();
    let page = app.get(&link).await;
    assert!(page.body.contains("336 hours' notice"), "{}", page.body);
    assert!(!page.body.contains("Cancel this booking"));
    let late = app.form(&format!("/bookings/{}/manage/cancel", booking_id.0), None, &[("token", &token)]).await;
    assert_eq!(late.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(late.body.contains("please call the practice"), "{}", late.body);
    assert_eq!(app.store.booking(booking_id).await.unwrap().status, BookingStatus::Confirmed);
}

#[tokio::test]
async fn a_therapist_sees_their_own_calendar_and_not_anothers() {
    let app = TestApp::new().await;
    let date = weekday_ahead(3);
    let rmt = service_named(&app, "RMT assessment and treatment, 60 minutes").await;
    let clinic = app.store.clinics().await.unwrap().remove(0);
    let mara = therapist_slug(&app, "mara-quill").await;
    let liza = therapist_slug(&app, "liza-manalo").await;
    let at_clinic = format!("service_id={}&clinic_id={}&therapist_id={}&date={date}", rmt.id.0, clinic.id.0, mara.id.0);
    let clinic_visit = book_through_pages(
        &app,
        None,
        &at_clinic,
        &[("name", "Noor Haddad"), ("email", "noor@example.com"), ("phone", "416-555-0111")],
    )
    .await;
    assert_eq!(clinic_visit.status, StatusCode::OK, "{}", clinic_visit.body);
    assert!(clinic_visit.body.contains("Korkeavuori Clinic"));
    let massage = service_named(&app, "Massage with oil at home").await;
    let home = format!(
        "service_id={}&address=11+Mikonkatu&lat=60.1703&lon=24.9459&therapist_id={}&date={date}",
        massage.id.0, liza.id.0
    );
    let home_visit = book_through_pages(
        &app,
        None,
        &home,
        &[("name", "Omar Wells"), ("email", "omar@example.com"), ("phone", "416-555-0112")],
    )
    .await;
    assert_eq!(home_visit.status, StatusCode::OK, "{}", home_visit.body);

    let therapist = app.sign_in(THERAPIST).await;
    let day = app.get_as(&format!("/calendar?date={date}"), &therapist).await;
    assert_eq!(day.status, StatusCode::OK, "{}", day.body);
    assert!(day.body.contains("RMT assessment and treatment, 60 minutes"));
    assert!(day.body.contains("Korkeavuori Clinic"));
    assert!(day.body.contains("Client: Noor"), "the client's first name");
    assert!(!day.body.contains("Haddad"), "and no more");
    assert!(day.body.contains("Working 09:00–17:00"), "the day's hours");
    assert!(!day.body.contains("11 Mikonkatu"), "another therapist's visit is not shown");
    let week = app.get_as(&format!("/calendar?date={date}&view=week"), &therapist).await;
    assert_eq!(week.body.matches("class=\"calendar-day\"").count(), 7);
    assert!(week.body.contains("Client: Noor"));
    let others = app.get_as(&format!("/manage/therapists/{}/calendar?date={date}", liza.id.0), &therapist).await;
    assert_eq!(others.status, StatusCode::FORBIDDEN);

    let manager = app.sign_in(MANAGER).await;
    let lizas = app.get_as(&format!("/manage/therapists/{}/calendar?date={date}", liza.id.0), &manager).await;
    assert_eq!(lizas.status, StatusCode::OK);
    assert!(lizas.body.contains("11 Mikonkatu"));
    assert!(lizas.body.contains("Client: Omar"));
    assert!(lizas.body.contains("Drive about"), "the travel before the visit");
    assert!(lizas.body.contains("back to base"), "and after the last");
    let (_, home_id, _) = manage_link(&home_visit.body);
    assert!(lizas.body.contains(&format!("href=\"/visits/{}\"", home_id.0)), "a manager opens the staff view");
    assert!(app
        .get_as(&format!("/bookings/{}/manage", home_id.0), &manager)
        .await
        .body
        .contains("Cancel this booking"));
    let (_, clinic_id, _) = manage_link(&clinic_visit.body);
    assert!(day.body.contains(&format!("href=\"/visits/{}\"", clinic_id.0)), "a therapist opens their own visit");
    assert!(!day.body.contains("href=\"/bookings/"), "not the client's page");
    assert_eq!(app.get_as("/calendar", &manager).await.location(), "/manage/calendar");
    let client = app.sign_in(CLIENT).await;
    assert_eq!(app.get_as("/calendar", &client).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.get("/calendar").await.status, StatusCode::SEE_OTHER, "sign in first");
}

#[tokio::test]
async fn a_manager_sets_hours_time_off_and_a_date_and_bad_input_is_refused() {
    let app = TestApp::new().await;
    let manager = app.sign_in(MANAGER).await;
    let csrf = app.csrf(&manager).await;
    let dashboard = app.get_as("/manage", &manager).await;
    assert!(dashboard.body.contains("href=\"/manage/calendar\""));
    let index = app.get_as("/manage/calendar", &manager).await;
    let liza = therapist_slug(&app, "liza-manalo").await;
    let path = format!("/manage/therapists/{}/schedule", liza.id.0);
    assert!(index.body.contains(&format!("href=\"{path}\"")));
    assert!(index.body.contains("href=\"/manage/clinics\"") && index.body.contains("href=\"/manage/settings\""));
    let page = app.get_as(&path, &manager).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("value=\"09:00\""), "the stored hours");
    let massage = service_named(&app, "Massage with oil at home").await;
    let sid = massage.id.0.to_string();

    let good = [
        ("csrf", csrf.as_str()),
        ("base_address", "11 Mikonkatu"),
        ("radius_km", "10"),
        ("service_ids", &sid),
        ("day1_0_start", "09:00"),
        ("day1_0_end", "12:00"),
        ("day1_1_start", "13:00"),
        ("day1_1_end", "17:00"),
        ("day3_0_start", "10:00"),
        ("day3_0_end", "18:00"),
    ];
    let saved = app.form(&path, Some(&manager), &good).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let schedule = app.store.schedule(liza.id).await.unwrap().unwrap();
    assert_eq!(schedule.radius_km, 10.0);
    assert_eq!(schedule.service_ids, vec![massage.id]);
    assert_eq!(schedule.weekly.len(), 3);
    assert!(app.get_as(saved.location(), &manager).await.body.contains("The hours were saved."));

    let bad = [
        ("csrf", csrf.as_str()),
        ("base_address", "Nowhere Road 99"),
        ("radius_km", "0"),
        ("day2_0_start", "9.5"),
        ("day2_0_end", "17:00"),
        ("day4_0_start", "17:00"),
        ("day4_0_end", "09:00"),
    ];
    let refused = app.form(&path, Some(&manager), &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_beside(&refused.body, "base_address").contains("could not find this address"));
    assert!(error_beside(&refused.body, "radius_km").contains("above 0"));
    assert!(error_beside(&refused.body, "day2_0_start").contains("9:30"), "an example of a time");
    assert!(error_beside(&refused.body, "day4_0_end").contains("after the start"));
    assert!(refused.body.contains("value=\"9.5\""), "typed values are kept");
    assert_eq!(app.store.schedule(liza.id).await.unwrap().unwrap(), schedule, "nothing saved");
    assert_eq!(
        app.form(&path, Some(&manager), &[("csrf", "forged"), ("radius_km", "5")]).await.status,
        StatusCode::FORBIDDEN
    );

    // Time off: added, listed, refused when it ends first, removed.
    let day = weekday_ahead(7).to_string();
    let off_path = format!("/manage/therapists/{}/time-off", liza.id.0);
    let off = app
        .form(
            &off_path,
            Some(&manager),
            &[
                ("csrf", &csrf),
                ("off_from_date", &day),
                ("off_from_time", "12:00"),
                ("off_to_date", &day),
                ("off_to_time", ""),
            ],
        )
        .await;
    assert_eq!(off.status, StatusCode::SEE_OTHER, "{}", off.body);
    let offs = app.store.schedule(liza.id).await.unwrap().unwrap().time_off;
    assert_eq!(offs.len(), 1);
    assert!(app.get_as(&path, &manager).await.body.contains(&format!("/time-off/{}/delete", offs[0].id)));
    let backwards = app
        .form(
            &off_path,
            Some(&manager),
            &[
                ("csrf", &csrf),
                ("off_from_date", &day),
                ("off_from_time", "12:00"),
                ("off_to_date", &day),
                ("off_to_time", "11:00"),
            ],
        )
        .await;
    assert_eq!(backwards.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_beside(&backwards.body, "off_to_date").contains("after the start"));
    let removed = app.form(&format!("{off_path}/{}/delete", offs[0].id), Some(&manager), &[("csrf", &csrf)]).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER);
    assert!(app.store.schedule(liza.id).await.unwrap().unwrap().time_off.is_empty());

    // One date's hours.
    let ov_path = format!("/manage/therapists/{}/override", liza.id.0);
    let set = app
        .form(
            &ov_path,
            Some(&manager),
            &[("csrf", &csrf), ("ov_date", &day), ("ov_kind", "hours"), ("ov_0_start", "08:00"), ("ov_0_end", "11:00")],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.body);
    let overrides = app.store.schedule(liza.id).await.unwrap().unwrap().overrides;
    assert_eq!(overrides[0].windows.as_slice(), [(8 * 60, 11 * 60)]);
    let no_hours = app
        .form(
            &ov_path,
            Some(&manager),
            &[("csrf", &csrf), ("ov_date", &day), ("ov_kind", "hours"), ("ov_0_start", ""), ("ov_0_end", "11:00")],
        )
        .await;
    assert_eq!(no_hours.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_beside(&no_hours.body, "ov_0_start").contains("is required"));
    let usual = app.form(&ov_path, Some(&manager), &[("csrf", &csrf), ("ov_date", &day), ("ov_kind", "usual")]).await;
    assert_eq!(usual.status, StatusCode::SEE_OTHER);
    assert!(app.store.schedule(liza.id).await.unwrap().unwrap().overrides.is_empty());
}

#[tokio::test]
async fn a_manager_adds_a_clinic_and_changes_settings_and_bad_input_is_refused() {
    let app = TestApp::new().await;
    let manager = app.sign_in(MANAGER).await;
    let csrf = app.csrf(&manager).await;
    let added = app
        .form(
            "/manage/clinics",
            Some(&manager),
            &[
                ("csrf", &csrf),
                ("name", "Kruununhaka Clinic"),
                ("address", "27 Liisankatu, Helsinki"),
                ("rooms", "Room A\r\nRoom B\r\n"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let clinics = app.store.clinics().await.unwrap();
    let added = clinics.iter().find(|c| c.name == "Kruununhaka Clinic").expect("saved");
    assert_eq!(added.rooms.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["Room A", "Room B"]);
    assert!(app.get_as("/manage/clinics", &manager).await.body.contains("Room A, Room B"));
    let bad = app
        .form(
            "/manage/clinics",
            Some(&manager),
            &[("csrf", &csrf), ("name", ""), ("address", "Nowhere Road 99"), ("rooms", "")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_beside(&bad.body, "name").contains("required"));
    assert!(error_beside(&bad.body, "address").contains("could not find this address"), "{}", bad.body);
    assert!(error_beside(&bad.body, "rooms").contains("at least one room"));
    assert_eq!(app.store.clinics().await.unwrap().len(), clinics.len());

    let page = app.get_as("/manage/settings", &manager).await;
    assert!(page.body.contains("value=\"Europe/Helsinki\""));
    assert!(page.body.contains("name=\"booking_horizon_days\" value=\"365\""), "the default horizon is shown");
    let good = [
        ("csrf", csrf.as_str()),
        ("time_zone", "Europe/Helsinki"),
        ("area_centre", "15 Vuorikatu"),
        ("area_radius_km", "35"),
        ("grid_minutes", "30"),
        ("lead_minutes", "60"),
        ("cancel_notice_hours", "12"),
        ("travel_fee_free_km", "8"),
        ("travel_fee_per_km", "1.25"),
        ("road_factor", "1.4"),
        ("speed_kmh", "28"),
        ("booking_horizon_days", "90"),
    ];
    let saved = app.form("/manage/settings", Some(&manager), &good).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let settings = app.store.practice_settings().await.unwrap();
    assert_eq!((settings.grid_minutes, settings.lead_minutes, settings.travel_fee_cents_per_km), (30, 60, 125));
    assert_eq!(settings.service_area.radius_km, 35.0);
    assert!((settings.service_area.lat - 60.1725).abs() < 0.001, "the centre is the address's point");
    assert_eq!(settings.booking_horizon_days, 90);
    assert!(app.get_as("/manage/settings", &manager).await.body.contains("name=\"booking_horizon_days\" value=\"90\""));
    let mut bad = good.to_vec();
    bad[1] = ("time_zone", "Mars/Olympus_Mons");
    bad[4] = ("grid_minutes", "7");
    bad[8] = ("travel_fee_per_km", "lots");
    bad[11] = ("booking_horizon_days", "731");
    let refused = app.form("/manage/settings", Some(&manager), &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_beside(&refused.body, "time_zone").contains("IANA"));
    assert!(error_beside(&refused.body, "grid_minutes").contains("one of"));
    assert!(error_beside(&refused.body, "travel_fee_per_km").contains("dollars"));
    assert!(error_beside(&refused.body, "booking_horizon_days").contains("between 1 and 730"));
    assert_eq!(app.store.practice_settings().await.unwrap(), settings, "nothing saved");
    let therapist = app.sign_in(THERAPIST).await;
    assert_eq!(app.get_as("/manage/settings", &therapist).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_new_therapist_gets_hours_before_time_off_or_dates() {
    let app = TestApp::new().await;
    let manager = app.sign_in(MANAGER).await;
    let csrf = app.csrf(&manager).await;
    let draft = knead_core::TherapistInput { name: "Nia Fictional".into(), ..Default::default() }.validate().unwrap();
    let nia = app.store.create_therapist(&draft, jiff::Timestamp::now()).await.unwrap();
    let path = format!("/manage/therapists/{}/schedule", nia.id.0);
    let page = app.get_as(&path, &manager).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Save the base and weekly hours first"), "{}", page.body);
    let date = format!("/manage/therapists/{}/override", nia.id.0);
    let refused =
        app.form(&date, Some(&manager), &[("csrf", &csrf), ("ov_date", "2027-01-05"), ("ov_kind", "off")]).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND, "no schedule yet: nothing to override");
    assert!(app.store.schedule(nia.id).await.unwrap().is_none());
}

#[tokio::test]
async fn a_client_accepts_an_arrival_window_on_the_details_step_and_a_made_up_one_is_refused() {
    let app = TestApp::new().await;
    let massage = service_named(&app, "Massage with oil at home").await;
    let flow =
        format!("service_id={}&address=8+Bulevardi&lat=60.1657&lon=24.9415&date={}", massage.id.0, weekday_ahead(3));
    let when = app.get(&format!("/book/when?{flow}")).await;
    let slot = links(&when.body, "/book/details?").remove(0);
    let details = app.get(&slot).await;
    assert!(details.body.contains("When may your therapist arrive?"), "{}", details.body);
    let mut form = hidden_fields(&details.body, "/book");
    form.extend(GUEST.iter().map(|(k, v)| (k.to_string(), v.to_string())));

    let mut made_up = form.clone();
    made_up.push(("arrival_window_minutes".into(), "45 minutes".into()));
    let pairs: Vec<(&str, &str)> = made_up.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let before = booked_count(&app).await;
    let refused = app.form("/book", None, &pairs).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("must be 0, 15, 30, 45, 60, 90 or 120"), "{}", refused.body);
    assert_eq!(booked_count(&app).await, before, "nothing booked");

    form.push(("arrival_window_minutes".into(), "60".into()));
    let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let done = app.form("/book", None, &pairs).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("id=\"booking-arrival\""), "the confirmation says the window: {}", done.body);
    let (_, id, _) = manage_link(&done.body);
    let booking = app.store.booking(id).await.unwrap();
    let window = booking.arrival.expect("the window is kept with the booking");
    assert_eq!(booking.start.duration_until(window.until).as_secs(), 3600, "an hour either side");
    assert!(!booking.therapists_named, "the practice picked the therapist");
}

#[tokio::test]
async fn a_client_who_asks_for_a_man_is_shown_only_his_times_and_booked_with_him() {
    let app = TestApp::new().await;
    let massage = service_named(&app, "Massage with oil at home").await;
    let (theo, liza) = (therapist_slug(&app, "theo-lambert").await, therapist_slug(&app, "liza-manalo").await);
    let flow =
        format!("service_id={}&address=8+Bulevardi&lat=60.1657&lon=24.9415&date={}", massage.id.0, weekday_ahead(3));
    let when = app.get(&format!("/book/when?{flow}")).await;
    assert!(when.body.contains("Therapist's gender") && when.body.contains(">A man</option>"), "{}", when.body);
    assert!(!when.body.contains(">A non-binary therapist</option>"), "only genders a therapist states are offered");

    let his = app.get(&format!("/book/when?{flow}&therapist_gender=male")).await;
    assert_eq!(his.status, StatusCode::OK, "{}", his.body);
    assert!(his.body.contains(&format!("value=\"{}\"", theo.id.0)), "he is listed by name");
    assert!(!his.body.contains(&format!("value=\"{}\"", liza.id.0)), "she is not: {}", his.body);
    let times = links(&his.body, "/book/details?");
    assert!(!times.is_empty() && times.iter().all(|l| l.contains("therapist_gender=male")), "{times:?}");

    let done = book_through_pages(&app, None, &format!("{flow}&therapist_gender=male"), &GUEST).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let (_, id, _) = manage_link(&done.body);
    let booking = app.store.booking(id).await.unwrap();
    assert_eq!((booking.therapist_ids(), booking.therapist_gender), (vec![theo.id], Some(knead_core::Gender::Male)));

    let made_up = app.get(&format!("/book/when?{flow}&therapist_gender=someone")).await;
    assert_eq!(made_up.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", made_up.body);
    assert!(error_beside(&made_up.body, "therapist_gender").contains("must be female, male or non_binary"));
}
