//! Intake and triage in Chromium against the real binary's demo practice: a guest books a home massage for
//! sciatica with a clear screening, an add-on and a note for the therapist; another guest answers yes to the
//! saddle-numbness question and ends on the emergency guidance with no booking made; the demo therapist opens a
//! client's visit sheet and sees the precautions before anything else.
//!
//! Skipped loudly outside CI when chromedriver is missing; in CI (`CI=true`) that fails the test.

use crate::browser::{browser_session, click, text_of, type_address_and_send, type_into, wait_for_path};
use fantoccini::{Client, Locator};
use knead_core::intake::health::INTAKE_QUESTIONS;
use knead_core::intake::screening::{AnswerKind, QUESTIONS};
use std::time::{Duration, Instant};

/// Waits for the page's heading to read `h1`.
async fn wait_for_heading(client: &Client, h1: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Ok(el) = client.find(Locator::Css("h1")).await {
            if el.text().await.unwrap_or_default() == h1 {
                return;
            }
        }
        assert!(Instant::now() < deadline, "no page headed {h1:?}: {}", client.source().await.unwrap());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// From the service list to the screening: the home massage, the address typed whole, sciatica as the reason
/// and (when `add_on`) the service's first add-on; returns the add-on's name.
async fn to_the_screening(client: &Client, url: &str, add_on: bool) -> Option<String> {
    client.goto(&format!("{url}/book")).await.unwrap();
    click(client, "a[aria-label='Book Massage with oil at home']").await;
    wait_for_path(client, "/book/where").await;
    type_address_and_send(client, "15 Vuorikatu, Helsinki").await;

    wait_for_path(client, "/book/why").await;
    wait_for_heading(client, "What brings you?").await;
    click(client, "input[name=reason][value=sciatica]").await;
    let mut chosen = None;
    if add_on {
        let first = client.find(Locator::Css("fieldset#add_ons input[type=checkbox]")).await.expect("an add-on");
        chosen = first.attr("value").await.unwrap();
        first.click().await.unwrap();
    }
    click(client, "form[action='/book/why'] button[type=submit]").await;
    wait_for_path(client, "/book/screening").await;
    wait_for_heading(client, "A few safety questions").await;
    chosen
}

/// Answers every screening question: "no" except `yes`, getting better, aged 40, for two weeks.
async fn answer_the_screening(client: &Client, yes: &[&str]) {
    for q in QUESTIONS {
        match q.kind {
            AnswerKind::YesNo => {
                let answer = if yes.contains(&q.field) || q.field == "improving" { "yes" } else { "no" };
                click(client, &format!("input[name='{}'][value='{answer}']", q.field)).await;
            }
            AnswerKind::Years => type_into(client, q.field, "40").await,
            AnswerKind::Weeks => type_into(client, q.field, "2").await,
        }
    }
    click(client, "form[action='/book/screening'] button[type=submit]").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_guest_books_for_sciatica_with_a_clear_screening_an_add_on_and_a_note() {
    let Some(session) = browser_session("intake booking browser test").await else { return };
    let (client, server) = (&session.client, &session.server);

    let add_on = to_the_screening(client, &server.url, true).await.expect("the home massage has an add-on");
    answer_the_screening(client, &[]).await;
    // A clear screening goes straight on to the times.
    wait_for_path(client, "/book/when").await;
    client.find(Locator::Css("a.slot")).await.expect("a start is offered").click().await.unwrap();

    wait_for_path(client, "/book/details").await;
    let summary = text_of(client, "dl.facts").await;
    assert!(summary.contains(&add_on), "the summary names the add-on before confirming: {summary}");
    let policy = text_of(client, "#cancel-policy").await;
    assert!(policy.contains("hours"), "the cancellation policy is shown before confirming: {policy}");
    assert!(summary.to_lowercase().contains("travel"), "and the travel fee: {summary}");
    type_into(client, "name", "Ana Example").await;
    type_into(client, "email", "ana.sciatica@example.com").await;
    type_into(client, "phone", "416-555-0142").await;
    type_into(client, "notes", "Buzzer 12; a friendly dog.").await;
    for (field, _) in INTAKE_QUESTIONS.iter().filter(|(f, _)| *f != "high_risk_pregnancy") {
        click(client, &format!("input[name='intake.{field}'][value='no']")).await;
    }
    for element in ["nature", "benefits", "risks", "alternatives", "no_treatment", "right_to_stop"] {
        click(client, &format!("input[name='intake.consent.{element}']")).await;
    }
    click(client, "form[action='/book'] button[type=submit]").await;

    wait_for_heading(client, "You're booked").await;
    assert_eq!(text_of(client, "#booking-add-ons").await, add_on);
    assert_eq!(text_of(client, "#booking-notes").await, "Buzzer 12; a friendly dog.");
    assert_eq!(text_of(client, "#booking-status").await, "Confirmed");
    assert!(client.find(Locator::Id("health-reminder")).await.is_err(), "the history was given with the booking");
    client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_yes_to_saddle_numbness_ends_on_the_emergency_guidance_with_no_booking() {
    let Some(session) = browser_session("emergency screening browser test").await else { return };
    let (client, server) = (&session.client, &session.server);

    to_the_screening(client, &server.url, false).await;
    answer_the_screening(client, &["saddle_numbness"]).await;
    wait_for_heading(client, "Please go to an emergency department today").await;
    let page = text_of(client, "main").await.to_lowercase();
    assert!(page.contains("drive"), "the page says not to drive yourself: {page}");
    assert!(page.contains("nothing was booked") || page.contains("no booking"), "and that nothing was booked: {page}");
    for css in ["a.slot", "form[action='/book']", "#manage-link"] {
        assert!(client.find(Locator::Css(css)).await.is_err(), "no way on to a booking ({css})");
    }
    let url = client.current_url().await.unwrap();
    assert_eq!(url.path(), "/book/screening", "the answers were posted and the flow stopped there: {url}");
    client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_therapist_opens_a_visit_sheet_and_sees_the_precautions_first() {
    let Some(session) = browser_session("visit sheet browser test").await else { return };
    let (client, server) = (&session.client, &session.server);

    client.goto(&format!("{}/login", server.url)).await.unwrap();
    type_into(client, "email", "mara@demo.knead.test").await;
    type_into(client, "password", "knead-demo-therapist").await;
    click(client, "form.stack button[type=submit]").await;
    wait_for_path(client, "/calendar").await;

    // Her client with a blood thinner and an area to avoid, from the client list.
    client.goto(&format!("{}/manage/clients?q=aino", server.url)).await.unwrap();
    client.find(Locator::LinkText("Aino Virtanen")).await.expect("the demo's client is hers").click().await.unwrap();
    let visit = client.find(Locator::Css("main a[href^='/visits/']")).await.expect("a visit in her file");
    visit.click().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    while !client.current_url().await.unwrap().path().starts_with("/visits/") {
        assert!(Instant::now() < deadline, "the visit sheet did not open");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let sections = client.find_all(Locator::Css("main section")).await.unwrap();
    let first = sections.first().expect("the sheet has sections");
    assert_eq!(first.attr("id").await.unwrap().as_deref(), Some("precautions"), "precautions come first");
    let precautions = text_of(client, "#precautions").await;
    assert!(precautions.contains("Light pressure only"), "the blood thinner's pressure limit: {precautions}");
    assert!(precautions.contains("Right shoulder blade"), "the area to avoid, with its region: {precautions}");
    // Above the client's contact details, as the therapist scrolls.
    let top = |css: &'static str| async move {
        client
            .execute(&format!("return document.querySelector('{css}').getBoundingClientRect().top"), vec![])
            .await
            .unwrap()
            .as_f64()
            .unwrap()
    };
    assert!(top("#precautions").await < top("#client").await, "precautions above the contact details");
    assert!(text_of(client, "#client").await.contains("Aino Virtanen"), "the client's full name is on the sheet");
    client.clone().close().await.unwrap();
}
