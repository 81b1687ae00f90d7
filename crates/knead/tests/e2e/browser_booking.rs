//! A guest in Chromium books through the pages of the real binary: a home massage (entered from the
//! service's page, the address typed in part and picked from the suggestions) and a couple's massage
//! (entered from the booking list, the address typed whole), clicking service -> where -> why -> when ->
//! details -> confirm, and sees both confirmations, the couples one naming two therapists. No page shows a
//! coordinate field.
//!
//! Skipped loudly outside CI when chromedriver is missing; in CI (`CI=true`) that fails the test.

use crate::browser::{browser_session, click, text_of, type_address_and_send, type_into, wait_for_path};
use fantoccini::{Client, Locator};
use std::time::{Duration, Instant};

/// How the guest gives the address on the place step.
enum Typing<'a> {
    /// Types the start of it and picks the suggestion with this label.
    Picks { typed: &'a str, label: &'a str },
    /// Types all of it and sends the form.
    Whole(&'a str),
}

/// The place step never shows a coordinate field; the flow carries the looked-up point itself.
async fn no_coordinate_fields(client: &Client) {
    for name in ["lat", "lon", "latitude", "longitude"] {
        let shown = client.find_all(Locator::Css(&format!("input[name='{name}']:not([type=hidden])"))).await.unwrap();
        assert!(shown.is_empty(), "a {name} field is shown on {}", client.current_url().await.unwrap());
    }
}

/// From the place step on: the address (typed and picked from the suggestions, or typed whole), the first
/// start offered, the guest's details, confirm. Returns the therapists the confirmation names.
async fn book_from_the_place_step(client: &Client, typing: Typing<'_>, name: &str, email: &str) -> String {
    wait_for_path(client, "/book/where").await;
    assert_eq!(text_of(client, "h1").await, "Where?");
    no_coordinate_fields(client).await;
    let address = match typing {
        Typing::Picks { typed, label } => {
            type_into(client, "address", typed).await;
            let option = "#address-suggestions li[role=option]";
            client.wait().for_element(Locator::Css(option)).await.expect("suggestions as the guest types");
            let mut picked = false;
            for li in client.find_all(Locator::Css(option)).await.unwrap() {
                if li.text().await.unwrap() == label {
                    li.click().await.unwrap();
                    picked = true;
                    break;
                }
            }
            assert!(picked, "{label} is among the suggestions for {typed}");
            let value = client.find(Locator::Id("address")).await.unwrap().prop("value").await.unwrap();
            assert_eq!(value.as_deref(), Some(label), "the pick fills the field");
            click(client, "form[action='/book/why'] button[type=submit]").await;
            label
        }
        Typing::Whole(address) => {
            type_address_and_send(client, address).await;
            address
        }
    };

    // Why: relaxation, which needs no screening.
    wait_for_path(client, "/book/why").await;
    click(client, "input[name=reason][value=relaxation]").await;
    click(client, "form[action='/book/why'] button[type=submit]").await;

    wait_for_path(client, "/book/when").await;
    let lead = text_of(client, "p.lead").await;
    let street = address.split(',').next().unwrap().to_lowercase();
    assert!(lead.to_lowercase().contains(&street), "the time step names the place {address}: {lead}");
    let first = client.find(Locator::Css("a.slot")).await.expect("a start time is offered");
    let time = first.text().await.unwrap();
    first.click().await.unwrap();

    wait_for_path(client, "/book/details").await;
    let when = text_of(client, "dl.facts").await;
    assert!(when.contains(&time), "the chosen time {time} is summarised: {when}");
    type_into(client, "name", name).await;
    type_into(client, "email", email).await;
    type_into(client, "phone", "416-555-0142").await;
    // A returning guest whose health has not changed need not fill the history in again.
    click(client, "#health-unchanged").await;
    click(client, "form[action='/book'] button[type=submit]").await;

    let deadline = Instant::now() + Duration::from_secs(15);
    while text_of(client, "h1").await != "You're booked" {
        assert!(Instant::now() < deadline, "no confirmation: {}", client.source().await.unwrap());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let facts = text_of(client, "dl.facts").await;
    assert!(facts.contains(&time), "the confirmation shows the time: {facts}");
    assert!(facts.contains('$'), "and the price: {facts}");
    text_of(client, "#booking-therapists").await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_guest_books_a_home_visit_and_a_couples_visit_through_the_pages() {
    let Some(session) = browser_session("booking browser test").await else { return };
    let (client, server) = (&session.client, &session.server);

    // A home massage, from the service's own page.
    client.goto(&format!("{}/services", server.url)).await.unwrap();
    client.find(Locator::LinkText("Massage with oil at home")).await.unwrap().click().await.unwrap();
    wait_for_path(client, "/services/massage-with-oil-at-home").await;
    click(client, "main a.button[href^='/book/where']").await;
    let picks = Typing::Picks { typed: "kalevankatu 12", label: "12 Kalevankatu, 00100 Helsinki" };
    let one = book_from_the_place_step(client, picks, "Ana Guest", "ana@example.com").await;
    assert!(!one.is_empty() && !one.contains(" and "), "one therapist: {one}");
    let manage = client.find(Locator::Id("manage-link")).await.expect("a private manage link for the guest");
    let href = manage.attr("href").await.unwrap().unwrap();
    assert!(href.contains("/manage?token="), "{href}");

    // A couple's massage, from the booking list in the header.
    client.find(Locator::Css("header nav a[href='/book']")).await.unwrap().click().await.unwrap();
    wait_for_path(client, "/book").await;
    click(client, "a[aria-label=\"Book Couple's massage at home\"]").await;
    let whole = Typing::Whole("15 Vuorikatu, Helsinki");
    let two = book_from_the_place_step(client, whole, "Bo Guest", "bo@example.com").await;
    let names: Vec<&str> = two.split(" and ").collect();
    assert_eq!(names.len(), 2, "two therapists: {two}");
    assert_ne!(names[0], names[1]);

    // The first booking's link still opens it.
    client.goto(&format!("{}{href}", server.url)).await.unwrap();
    assert_eq!(text_of(client, "#booking-status").await, "Confirmed");
    assert_eq!(text_of(client, "#booking-therapists").await, one);

    client.clone().close().await.unwrap();
}
