//! A chair-massage day in Chromium on a phone-sized window: the organiser's link, shared with colleagues, opens the
//! day's free times; two attendees sign up for the same time one after the other and are given chairs 1 and 2; a
//! third finds that time gone from the list; one cancels with their own link and the time comes back.
//!
//! Skipped loudly outside CI when chromedriver is missing; in CI (`CI=true`) that fails the test.

use crate::browser::{browser_session, click, text_of, type_into};
use crate::support::token_for;
use fantoccini::{Client, Locator};

const QUESTIONS: [&str; 6] = ["unwell", "blood_clot", "recent_injury", "blood_thinners", "fragile_bones", "pregnant"];

/// Signs one attendee up for `start` (the option's value) through the page at `link`; the confirmation's text and
/// the attendee's cancel link.
async fn sign_up(client: &Client, link: &str, start: &str, name: &str) -> (String, String) {
    client.goto(link).await.unwrap();
    client.find(Locator::Id("start")).await.expect("the times").select_by_value(start).await.unwrap();
    type_into(client, "name", name).await;
    type_into(client, "email", &format!("{}@example.com", name.to_lowercase().replace(' ', "."))).await;
    for q in QUESTIONS {
        click(client, &format!("input[name='health.{q}'][value='no']")).await;
    }
    click(client, "input[name='consent']").await;
    click(client, "form.stack button[type=submit]").await;
    client.wait().for_element(Locator::Css("p#signed-up")).await.expect("the confirmation");
    let text = text_of(client, "p#signed-up").await;
    let cancel = client
        .find(Locator::Css("a[href^='/chair-days/signups/cancel']"))
        .await
        .expect("the attendee's own cancel link")
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    (text, cancel)
}

/// The times the page offers, as option values.
async fn offered(client: &Client, link: &str) -> Vec<String> {
    client.goto(link).await.unwrap();
    let mut out = Vec::new();
    for option in client.find_all(Locator::Css("select#start option")).await.unwrap() {
        let value = option.attr("value").await.unwrap().unwrap_or_default();
        if !value.is_empty() {
            out.push(value);
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn colleagues_sign_up_from_their_phones_through_the_organisers_link() {
    let Some(session) = browser_session("chair day browser test").await else { return };
    let (client, server) = (&session.client, &session.server);
    client.set_window_size(390, 844).await.unwrap();
    let manager = token_for(&session.db.url, "manager@demo.knead.test");
    let crate::chair_days::BookedDay { id, token, .. } = crate::chair_days::book_day(server, &manager);
    let link = format!("{}/chair-days/{id}/signup?token={token}", server.url);

    let times = offered(client, &link).await;
    assert_eq!(times.len(), 8, "a 2-hour day of 15-minute sittings: {times:?}");
    let heading = text_of(client, "h1").await;
    assert!(heading.starts_with("Chair massage at"), "{heading}");
    let (first, _) = sign_up(client, &link, &times[0], "Anna Attendee").await;
    assert!(first.contains("in chair 1"), "{first}");
    let (second, cancel) = sign_up(client, &link, &times[0], "Bert Attendee").await;
    assert!(second.contains("in chair 2"), "{second}");
    assert!(!offered(client, &link).await.contains(&times[0]), "both chairs taken: the time is no longer offered");

    client.goto(&format!("{}{cancel}", server.url)).await.unwrap();
    click(client, "main form button[type=submit]").await;
    client.wait().for_element(Locator::Css("p#cancelled")).await.expect("the cancellation");
    assert!(offered(client, &link).await.contains(&times[0]), "the freed chair is offered again");
    client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_host_books_a_spa_party_from_a_phone() {
    let Some(session) = browser_session("party browser test").await else { return };
    let (client, server) = (&session.client, &session.server);
    client.set_window_size(390, 844).await.unwrap();
    let services: serde_json::Value = server.get("/api/v1/services").into_json().unwrap();
    let hour = services
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "individual" && s["place"] == "mobile" && s["duration_minutes"] == 60)
        .expect("a one-hour massage at home")["id"]
        .to_string();

    client.goto(&format!("{}/services", server.url)).await.unwrap();
    client
        .find(Locator::Css("a[href='/services/spa-party']"))
        .await
        .expect("the party on the services page")
        .click()
        .await
        .unwrap();
    client.find(Locator::LinkText("Book a party")).await.expect("a way to book it").click().await.unwrap();
    client.wait().for_element(Locator::Css("form[action='/parties/book']")).await.expect("the party form");
    // A date field takes the browser's own format when typed; the value is set as the picker would set it.
    let date = crate::chair_days::free_thursday().to_string();
    client
        .execute("document.getElementById('date').value = arguments[0]", vec![serde_json::json!(date)])
        .await
        .unwrap();
    type_into(client, "start", "13:00").await;
    type_into(client, "end", "15:30").await;
    for (i, name) in ["Aino", "Bea", "Cilla", "Dora", "Eeva", "Fanni"].iter().enumerate() {
        type_into(client, &format!("guests_{i}__name"), name).await;
        client
            .find(Locator::Id(&format!("guests_{i}__service_id")))
            .await
            .unwrap()
            .select_by_value(&hour)
            .await
            .unwrap();
    }
    type_into(client, "host_name", "Hilda Host").await;
    type_into(client, "host_email", "hilda@example.com").await;
    type_into(client, "host_phone", "040 555 0198").await;
    crate::browser::type_address_and_send(client, "8 Bulevardi, Helsinki").await;
    client.wait().for_element(Locator::Css("p#party-booked")).await.expect("the party is booked");
    let booked = text_of(client, "p#party-booked").await;
    assert!(booked.contains("for 6 guests"), "{booked}");
    let rows = client.find_all(Locator::Css("table#party-guests tbody tr")).await.unwrap();
    assert_eq!(rows.len(), 6, "each guest's time and therapist");
    client.clone().close().await.unwrap();
}
