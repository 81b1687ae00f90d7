//! The client's intake pages over the demo practice: the why step, the red-flag screening and what each of
//! its levels does to a booking, the health history in the booking, from the manage link and on the
//! account, and signing up.

use crate::booking_pages::{booked_count, helsinki_today, hidden_fields, links, manage_link, service_named, GUEST};
use crate::support::*;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use jiff::ToSpan;
use knead_core::booking::BookingStatus;
use knead_core::intake::screening::QUESTIONS;
use knead_core::intake::VisitReason;

/// The massage at home (add-ons: aromatherapy oil, hot stones) at a real door in central Helsinki.
async fn home_flow(app: &TestApp) -> String {
    let massage = service_named(app, "Massage with oil at home").await;
    let date = helsinki_today() + 3.days();
    format!("service_id={}&address=12+Kalevankatu%2C+Helsinki&lat=60.1669&lon=24.9374&date={date}", massage.id.0)
}

fn pairs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// Answers the why step with `reason` and `add_ons`; returns where it sends the client.
async fn answer_why(app: &TestApp, flow: &str, reason: &str, add_ons: &[&str]) -> String {
    let mut query = format!("{flow}&step=why&reason={reason}");
    for a in add_ons {
        query.push_str(&format!("&add_ons={}", a.replace(' ', "+")));
    }
    let sent = app.get(&format!("/book/why?{query}")).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    sent.location().to_string()
}

/// The screening form's flow fields with `answers` (field, value) on top of an all-clear set, posted.
async fn screen(app: &TestApp, screening_path: &str, change: &[(&str, &str)], leave_out: &[&str]) -> Reply {
    let page = app.get(screening_path).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let mut form = hidden_fields(&page.body, "/book/screening");
    for (field, value) in screening_all_clear() {
        if leave_out.contains(&field.as_str()) {
            continue;
        }
        let value = change.iter().find(|(f, _)| *f == field).map_or(value, |(_, v)| v.to_string());
        form.push((field, value));
    }
    app.form("/book/screening", None, &pairs(&form)).await
}

/// From the time step at `when`, takes the first start and confirms with `extra` fields added.
async fn book_from(app: &TestApp, when: &str, extra: &[(String, String)]) -> Reply {
    let when = app.get(when).await;
    assert_eq!(when.status, StatusCode::OK, "{}", when.body);
    let slot = links(&when.body, "/book/details?").into_iter().next().expect("a start offered");
    let details = app.get(&slot).await;
    assert_eq!(details.status, StatusCode::OK, "{}", details.body);
    let mut form = hidden_fields(&details.body, "/book");
    form.extend(GUEST.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    form.extend(extra.iter().cloned());
    app.form("/book", None, &pairs(&form)).await
}

#[tokio::test]
async fn a_client_books_for_sciatica_with_a_clear_screening_an_add_on_and_a_note() {
    let app = TestApp::new().await;
    let flow = home_flow(&app).await;
    let place = app.get(&format!("/book/where?{}", flow.split("&address").next().unwrap())).await;
    assert!(place.body.contains("action=\"/book/why\""), "the place step leads to the why step");

    let why = app.get(&format!("/book/why?{flow}")).await;
    assert_eq!(why.status, StatusCode::OK, "{}", why.body);
    assert!(why.body.contains("<legend>What brings you to massage?</legend>"));
    for r in VisitReason::ALL {
        assert!(why.body.contains(r.label()), "{r:?} is offered");
    }
    assert!(why.body.contains("Hot stones") && why.body.contains("+$25.00") && why.body.contains("+10 min"));
    assert!(!why.body.contains(" checked"), "nothing is chosen for the client");
    let unanswered = app.get(&format!("/book/why?{flow}&step=why")).await;
    assert_eq!(unanswered.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unanswered.body.contains("href=\"#reason\""), "{}", unanswered.body);

    let screening = answer_why(&app, &flow, "sciatica", &["Hot stones"]).await;
    assert!(screening.starts_with("/book/screening?"), "{screening}");
    let page = app.get(&screening).await;
    for q in QUESTIONS {
        assert!(page.body.contains(&format!("name=\"{}\"", q.field)), "{} is asked", q.field);
    }
    assert!(!page.body.contains(" checked"), "no answer is chosen beforehand");
    assert!(page.body.contains("the practice's settings"), "the thresholds are said to be settings");

    let clear = screen(&app, &screening, &[], &[]).await;
    assert_eq!(clear.status, StatusCode::SEE_OTHER, "{}", clear.body);
    assert!(clear.location().starts_with("/book/when?") && clear.location().contains("screening_id="));

    let note = "Buzzer 12; a friendly cat; third floor, no lift";
    let mut extra = vec![("notes".to_string(), note.to_string())];
    extra.extend(intake_all_clear());
    let done = book_from(&app, clear.location(), &extra).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("You're booked"), "{}", done.body);
    assert!(done.body.contains("Hot stones"));
    assert!(!done.body.contains("health-reminder"), "a history was given");
    let (_, id, _) = manage_link(&done.body);
    let booking = app.store.booking(id).await.unwrap();
    assert_eq!(booking.reason, Some(VisitReason::Sciatica));
    assert_eq!(booking.add_ons, vec!["Hot stones".to_string()]);
    assert_eq!(booking.notes, note);
    assert!(booking.screening_id.is_some());
    assert_eq!(booking.price_cents, 15_500, "the add-on's price");
    assert_eq!(booking.end.as_second() - booking.start.as_second(), 70 * 60, "the add-on's minutes");
}

#[tokio::test]
async fn the_details_step_shows_the_price_with_add_ons_the_policy_and_asks_for_notes_and_the_history() {
    let app = TestApp::new().await;
    let flow = home_flow(&app).await;
    let when = answer_why(&app, &flow, "relaxation", &["Hot stones"]).await;
    assert!(when.starts_with("/book/when?"), "relaxation needs no screening: {when}");
    let page = app.get(&when).await;
    let slot = links(&page.body, "/book/details?").into_iter().next().expect("a start offered");
    let details = app.get(&slot).await;
    assert_eq!(details.status, StatusCode::OK, "{}", details.body);
    assert!(details.body.contains("$155.00"), "service and add-on");
    let hours = app.store.practice_settings().await.unwrap().cancel_notice_hours;
    assert!(details.body.contains(&format!("{hours} hours")), "the cancellation policy before confirming");
    assert!(details.body.contains("Travel fee"));
    assert!(details.body.contains("name=\"notes\""));
    assert!(details.body.contains("I have booked before and nothing has changed"));
    assert!(details.body.contains("name=\"intake.consent.right_to_stop\""));
    assert!(details.body.contains("An area you leave unticked is not treated"));

    // Half a history is refused on this step, naming what is missing; nothing is booked.
    let before = booked_count(&app).await;
    let mut form = hidden_fields(&details.body, "/book");
    form.extend(GUEST.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    form.push(("intake.pregnant".into(), "no".into()));
    let refused = app.form("/book", None, &pairs(&form)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("href=\"#intake_fever_or_contagious\""), "{}", refused.body);
    assert!(refused.body.contains("A fever or an illness that spreads"));
    assert_eq!(booked_count(&app).await, before);

    // Without a history the confirmation asks for one, by the private link.
    let form: Vec<(String, String)> = form.into_iter().filter(|(k, _)| !k.starts_with("intake.")).collect();
    let done = app.form("/book", None, &pairs(&form)).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("id=\"health-reminder\""), "{}", done.body);
    assert!(links(&done.body, "/bookings/").iter().any(|l| l.contains("/manage/health?token=")));
}

#[tokio::test]
async fn a_yes_to_saddle_numbness_ends_on_the_emergency_guidance_with_nothing_booked() {
    let app = TestApp::new().await;
    let flow = home_flow(&app).await;
    let screening = answer_why(&app, &flow, "back_pain", &[]).await;
    let before = booked_count(&app).await;
    let reply = screen(&app, &screening, &[("saddle_numbness", "yes")], &[]).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.body.contains("emergency department today"));
    assert!(reply.body.contains("Do not drive yourself"));
    assert!(reply.body.contains("call an ambulance"));
    assert!(reply.body.contains("Nothing was booked"));
    assert!(reply.body.contains("Your answers are kept for the practice"));
    assert!(!reply.body.contains("/book/when?"), "no way on to a time");
    assert_eq!(booked_count(&app).await, before);
}

#[tokio::test]
async fn an_incomplete_screening_names_each_unanswered_question_and_keeps_the_answers() {
    let app = TestApp::new().await;
    let flow = home_flow(&app).await;
    let screening = answer_why(&app, &flow, "leg_pain", &[]).await;
    let reply = screen(&app, &screening, &[], &["saddle_numbness", "age", "improving"]).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
    let summary = &reply.body[reply.body.find("error-summary").expect("a summary")..];
    let summary = &summary[..summary.find("</div>").unwrap()];
    for field in ["saddle_numbness", "age", "improving"] {
        assert!(summary.contains(&format!("href=\"#{field}\"")), "{field} named: {summary}");
    }
    assert!(summary.contains("Numbness around the genitals"), "{summary}");
    assert!(!summary.contains("href=\"#bladder_change\""));
    assert!(reply.body.contains("name=\"bladder_change\" value=\"no\" checked"), "answers kept");
    assert!(reply.body.contains("id=\"saddle_numbness-error\""));
}

#[tokio::test]
async fn an_urgent_screening_books_a_visit_held_for_a_physicians_clearance() {
    let app = TestApp::new().await;
    let flow = home_flow(&app).await;
    let screening = answer_why(&app, &flow, "back_pain", &[]).await;
    let reply = screen(&app, &screening, &[("history_of_cancer", "yes")], &[]).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.body.contains("will be held until a physician has cleared you"), "{}", reply.body);
    assert!(reply.body.contains("cancer"), "the reason is listed");
    let when = links(&reply.body, "/book/when?").into_iter().next().expect("on to a time");
    assert!(when.contains("screening_id="));
    let done = book_from(&app, &when, &intake_all_clear()).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("Your booking is held"), "{}", done.body);
    assert!(done.body.contains("bring their note"));
    let (_, id, _) = manage_link(&done.body);
    assert_eq!(app.store.booking(id).await.unwrap().status, BookingStatus::AwaitingClearance);
}

#[tokio::test]
async fn a_guest_with_the_manage_link_adds_a_health_history_but_never_reads_one() {
    let app = TestApp::new().await;
    let flow = home_flow(&app).await;
    let when = answer_why(&app, &flow, "stress", &[]).await;
    let mut history = intake_all_clear();
    history.push(("intake.implants".into(), "titanium plate in the left wrist".into()));
    let done = book_from(&app, &when, &history).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let (_, id, token) = manage_link(&done.body);

    let path = format!("/bookings/{}/manage/health", id.0);
    let page = app.get(&format!("{path}?token={token}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(!page.body.contains("titanium"), "what is stored is never shown by a link");
    assert!(!page.body.contains(" checked"), "nor its answers");
    assert_eq!(app.get(&format!("{path}?token=not-the-token")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&path).await.status, StatusCode::SEE_OTHER, "sign in or bring the link");

    let mut form = vec![("token".to_string(), token.clone())];
    form.extend(intake_all_clear());
    let added = app.form(&path, None, &pairs(&form)).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    assert!(added.location().contains("done=health"));
    let wrong: Vec<(String, String)> = form
        .iter()
        .map(|(k, v)| if k == "token" { (k.clone(), "wrong".into()) } else { (k.clone(), v.clone()) })
        .collect();
    assert_eq!(app.form(&path, None, &pairs(&wrong)).await.status, StatusCode::NOT_FOUND);

    let booking = app.store.booking(id).await.unwrap();
    let manager =
        app.store.credentials_by_email(&knead_core::Email::parse("e", MANAGER.0).unwrap()).await.unwrap().unwrap().0;
    let versions = knead_app::intake::versions(&app.app, &manager, booking.client_id.unwrap()).await.unwrap();
    assert_eq!(versions.len(), 2, "the booking's and the link's");
    assert!(versions[0].history.answers().implants.is_empty(), "the newest, from the link");
}

#[tokio::test]
async fn a_visitor_signs_up_sees_their_account_and_fills_in_their_health_history() {
    let app = TestApp::new().await;
    let home = app.get("/").await;
    assert!(home.body.contains("href=\"/sign-up\""), "signed-out visitors are offered to sign up");
    let form = app.get("/sign-up").await;
    assert_eq!(form.status, StatusCode::OK);
    let cookie = form.set_cookie().split(';').next().unwrap().to_string();
    let token = between(&form.body, "name=\"sign_up_token\" value=\"", "\"").unwrap().to_string();
    let send = |pairs: Vec<(&str, &str)>, cookie: String| {
        let body = serde_urlencoded::to_string(&pairs).unwrap();
        Request::post("/sign-up")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, cookie)
            .body(Body::from(body))
            .unwrap()
    };
    let short = app
        .send(send(
            vec![
                ("name", "Noor"),
                ("email", "noor@example.com"),
                ("phone", "416-555-0111"),
                ("password", "short"),
                ("sign_up_token", &token),
            ],
            cookie.clone(),
        ))
        .await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", short.body);
    assert!(short.body.contains("href=\"#password\""), "{}", short.body);
    let fields = vec![
        ("name", "Noor Haddad"),
        ("email", "noor@example.com"),
        ("phone", "416-555-0111"),
        ("password", "lantern river morning"),
        ("sign_up_token", &token),
    ];
    let forged = app.send(send(fields.clone(), "knead_sign_up=another".into())).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN, "a form from elsewhere");
    let made = app.send(send(fields, cookie)).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    assert_eq!(made.location(), "/account");
    let session = Auth::cookie_from(
        made.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap())
            .find(|c| !c.starts_with("knead_sign_up"))
            .unwrap(),
    );
    let account = app.get_as("/account", &session).await;
    assert_eq!(account.status, StatusCode::OK, "{}", account.body);
    assert!(account.body.contains("Noor Haddad"));
    assert!(account.body.contains("Fill in your health history"), "{}", account.body);

    let csrf = app.csrf(&session).await;
    let mut form = vec![("csrf".to_string(), csrf)];
    form.extend(intake_all_clear());
    let saved = app.form("/account/health", Some(&session), &pairs(&form)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = app.get_as("/account/health", &session).await;
    assert!(page.body.contains("name=\"intake.cancer\" value=\"no\" checked"), "the latest answers, to review");
    let account = app.get_as("/account", &session).await;
    assert!(account.body.contains("Last updated"), "{}", account.body);
}

/// The demo user with this email.
async fn user(app: &TestApp, email: &str) -> knead_core::User {
    app.store.credentials_by_email(&knead_core::Email::parse("email", email).unwrap()).await.unwrap().unwrap().0
}

#[tokio::test]
async fn a_health_history_that_rules_massage_out_stops_the_booking_and_says_why() {
    let app = TestApp::new().await;
    let flow = home_flow(&app).await;
    let when = answer_why(&app, &flow, "relaxation", &[]).await;
    let before = booked_count(&app).await;
    let history: Vec<(String, String)> = intake_all_clear()
        .into_iter()
        .map(|(k, v)| if k == "intake.suspected_clot" { (k, "yes".into()) } else { (k, v) })
        .collect();
    let refused = book_from(&app, &when, &history).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.contains("Massage cannot be booked right now"), "{}", refused.body);
    assert!(refused.body.contains("blood clot"), "says why");
    assert!(refused.body.contains("Nothing was booked"));
    assert_eq!(booked_count(&app).await, before);
}

#[tokio::test]
async fn a_signed_in_client_reviews_the_history_on_file_and_nothing_changed_adds_no_version() {
    let app = TestApp::new().await;
    let client = app.sign_in(CLIENT).await;
    let csrf = app.csrf(&client).await;
    let mut form = vec![("csrf".to_string(), csrf)];
    form.extend(intake_all_clear());
    let saved = app.form("/account/health", Some(&client), &pairs(&form)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);

    let flow = home_flow(&app).await;
    let when = app.get_as(&format!("/book/why?{flow}&step=why&reason=relaxation"), &client).await;
    let page = app.get_as(when.location(), &client).await;
    let slot = links(&page.body, "/book/details?").into_iter().next().expect("a start offered");
    let details = app.get_as(&slot, &client).await;
    assert!(details.body.contains("Your health history from"), "{}", details.body);
    assert!(details.body.contains("name=\"health\" value=\"unchanged\" checked"), "nothing changed is the default");
    assert!(details.body.contains("<details"), "the answers on file, folded away");
    let mut form = hidden_fields(&details.body, "/book");
    form.extend([("phone".to_string(), "647 555 0199".to_string()), ("health".to_string(), "unchanged".to_string())]);
    let done = app.form("/book", Some(&client), &pairs(&form)).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(done.body.contains("You're booked"));
    assert!(!done.body.contains("health-reminder"));
    let record = knead_app::clients::own_record(&app.app, &user(&app, CLIENT.0).await).await.unwrap();
    let versions = knead_app::intake::versions(&app.app, &user(&app, MANAGER.0).await, record.id).await.unwrap();
    assert_eq!(versions.len(), 1, "nothing changed: no new version");
}

#[tokio::test]
async fn staff_book_for_a_client_with_the_record_s_contact_details() {
    let app = TestApp::new().await;
    let staff = user(&app, MANAGER.0).await;
    let input = knead_core::intake::ClientInput {
        name: "Lea Lindholm".into(),
        email: "lea@example.com".into(),
        phone: "416-555-0155".into(),
        ..Default::default()
    };
    let record = knead_app::clients::create_client(&app.app, &staff, &input).await.unwrap();
    let manager = app.sign_in(MANAGER).await;
    let start = app.get_as(&format!("/book?client_id={}", record.id.0), &manager).await;
    assert!(start.body.contains(&format!("client_id={}", record.id.0)), "the service links carry the client");

    let flow = format!("{}&client_id={}", home_flow(&app).await, record.id.0);
    let when = app.get_as(&format!("/book/why?{flow}&step=why&reason=stress"), &manager).await;
    let page = app.get_as(when.location(), &manager).await;
    let slot = links(&page.body, "/book/details?").into_iter().next().expect("a start offered");
    assert_eq!(app.get(&slot).await.status, StatusCode::NOT_FOUND, "a guest cannot name a client");
    let details = app.get_as(&slot, &manager).await;
    assert_eq!(details.status, StatusCode::OK, "{}", details.body);
    assert!(details.body.contains("Lea Lindholm") && details.body.contains("416-555-0155"), "{}", details.body);
    assert!(!details.body.contains("name=\"email\""), "the contact is not asked again");
    let form = hidden_fields(&details.body, "/book");
    let done = app.form("/book", Some(&manager), &pairs(&form)).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    let (_, id, _) = manage_link(&done.body);
    let booking = app.store.booking(id).await.unwrap();
    assert_eq!(booking.client_id, Some(record.id));
    assert_eq!(booking.client.name, "Lea Lindholm");
}
