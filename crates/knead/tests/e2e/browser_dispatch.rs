//! Day planning in Chromium against the real binary's demo practice: the manager opens the demo's mobile day on
//! the dispatch board, asks for the optimizer's re-plan, reads the diff and applies it; the board then shows the
//! shorter routes and each moved client has a message waiting. A mobile therapist, on a phone-sized window, checks
//! in on arrival at a home visit and out on leaving.
//!
//! Skipped loudly outside CI when chromedriver is missing; in CI (`CI=true`) that fails the test.

use crate::browser::{browser_session, click, text_of, totp_code, type_into, wait_for_path};
use fantoccini::{Client, Locator};

/// The demo's mobile day, as the server computes it from today in Helsinki.
pub(crate) fn demo_day() -> jiff::civil::Date {
    let helsinki = jiff::tz::TimeZone::get("Europe/Helsinki").unwrap();
    knead_demo::demo_day(jiff::Zoned::now().with_time_zone(helsinki).date())
}

/// Signs the demo manager in, setting up the second factor a manager must keep.
pub(crate) async fn sign_in_as_manager(client: &Client, url: &str) {
    client.goto(&format!("{url}/login")).await.unwrap();
    type_into(client, "email", "manager@demo.knead.test").await;
    type_into(client, "password", "knead-demo-manager").await;
    click(client, "form.stack button[type=submit]").await;
    wait_for_path(client, "/account/second-factor").await;
    let key = client.find(Locator::Css("code.secret")).await.unwrap().text().await.unwrap().replace(' ', "");
    type_into(client, "code", &totp_code(&key, 0)).await;
    click(client, "form.stack button[type=submit]").await;
    client.wait().for_element(Locator::Css("ul.codes li")).await.expect("the recovery codes page");
    client.find(Locator::LinkText("I have kept them; continue")).await.unwrap().click().await.unwrap();
    wait_for_path(client, "/manage").await;
}

/// With `KNEAD_SCREENSHOTS_DIR` set, saves what the browser shows (a phone's width) as `NAME.png` there.
async fn keep_screenshot(client: &Client, name: &str) {
    if let Ok(dir) = std::env::var("KNEAD_SCREENSHOTS_DIR") {
        let png = client.screenshot().await.unwrap();
        std::fs::write(std::path::Path::new(&dir).join(format!("{name}.png")), png).unwrap();
    }
}

/// Minutes of driving the board's summary line says.
fn driving_minutes(summary: &str) -> i64 {
    let before = summary.split(" of driving").next().unwrap();
    let words: Vec<&str> = before.split_whitespace().collect();
    // "... 1 h 5 min" or "... 45 min".
    let mut total = 0;
    for pair in words.windows(2) {
        match pair[1].trim_end_matches(',') {
            "h" => total += pair[0].parse::<i64>().unwrap_or(0) * 60,
            "min" => total += pair[0].parse::<i64>().unwrap_or(0),
            _ => {}
        }
    }
    total
}

#[tokio::test(flavor = "multi_thread")]
async fn the_manager_optimises_the_demo_day_reviews_the_diff_and_applies_it() {
    let Some(session) = browser_session("dispatch browser test").await else { return };
    let (client, server) = (&session.client, &session.server);
    sign_in_as_manager(client, &server.url).await;

    // From the manager's dashboard to the board, then the demo's day.
    client.find(Locator::LinkText("Dispatch")).await.expect("Dispatch on the dashboard").click().await.unwrap();
    wait_for_path(client, "/manage/dispatch").await;
    let day = demo_day();
    client.goto(&format!("{}/manage/dispatch?date={day}", server.url)).await.unwrap();
    let columns = client.find_all(Locator::Css("section.dispatch-day")).await.unwrap();
    assert!(columns.len() >= 3, "every working therapist has a column");
    assert!(client.find(Locator::Css("svg")).await.is_ok(), "the day's routes are drawn");
    let board = text_of(client, "main").await;
    assert!(board.contains("Stays: the client chose this therapist"), "a named visit is marked: {board}");
    assert!(board.contains("Asked for a woman"), "a client's preference is shown: {board}");
    let before = driving_minutes(&text_of(client, "p.day-summary").await);
    assert!(before > 0, "the board says how much the day drives");
    keep_screenshot(client, "dispatch-board").await;

    click(client, "form[action='/manage/dispatch/proposal'] button[type=submit]").await;
    client.wait().for_element(Locator::Css("table.dispatch-diff")).await.expect("the proposal's diff");
    let heading = text_of(client, "h1").await;
    assert!(heading.starts_with("Re-plan of"), "{heading}");
    let notice = text_of(client, "p.notice").await;
    assert!(notice.starts_with("Saves"), "the driving saved is said first: {notice}");
    let rows = client.find_all(Locator::Css("table.dispatch-diff tbody tr")).await.unwrap();
    assert!(rows.len() >= 2, "the crossed visits change hands");
    let diff = text_of(client, "table.dispatch-diff").await;
    assert!(diff.contains("Liza") && diff.contains("Théo"), "who moves is named: {diff}");
    for row in &rows {
        let cells = row.find_all(Locator::Css("td")).await.unwrap();
        let (client_name, proposed) = (cells[0].text().await.unwrap(), cells[3].text().await.unwrap());
        assert!(client_name != "Jonna" || !proposed.contains("Théo"), "she asked for a woman: {proposed}");
    }
    keep_screenshot(client, "dispatch-proposal").await;

    click(client, "form[action='/manage/dispatch/apply'] button[type=submit]").await;
    wait_for_path(client, "/manage/dispatch").await;
    let applied = text_of(client, "p.notice").await;
    assert!(applied.contains("was applied"), "{applied}");
    assert!(applied.contains(&format!("{} visit(s) moved", rows.len())), "{applied}");
    let after = driving_minutes(&text_of(client, "p.day-summary").await);
    assert!(after < before, "the day drives less: {before} min before, {after} min after");

    // Each moved client is told: their messages wait in the outbox (no mail server is set).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        client.goto(&format!("{}/manage/outbox", server.url)).await.unwrap();
        let outbox = text_of(client, "main").await;
        if outbox.matches("has changed").count() >= rows.len() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "each moved client's message is filed: {outbox}");
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }

    client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_mobile_therapist_checks_in_on_arrival_and_out_on_leaving_from_the_phone() {
    let Some(session) = browser_session("safety check-in browser test").await else { return };
    let (client, server) = (&session.client, &session.server);
    client.goto(&format!("{}/login", server.url)).await.unwrap();
    type_into(client, "email", "liza@demo.knead.test").await;
    type_into(client, "password", "knead-demo-therapist").await;
    click(client, "form.stack button[type=submit]").await;
    wait_for_path(client, "/calendar").await;

    // Her day of home visits, then the first visit's page.
    client.goto(&format!("{}/calendar?date={}", server.url, demo_day())).await.unwrap();
    client.find(Locator::Css("main a[href^='/visits/']")).await.expect("a home visit of hers").click().await.unwrap();
    client.wait().for_element(Locator::Css("section#safety")).await.expect("the safety check on the visit page");
    let intro = text_of(client, "section#safety").await;
    assert!(intro.contains("managers are alerted"), "says what happens without a check-out: {intro}");

    keep_screenshot(client, "visit-check-in").await;
    click(client, "section#safety form button[type=submit]").await;
    client.wait().for_element(Locator::Css("p#checked-in strong")).await.expect("checked in");
    let checked_in = text_of(client, "section#safety").await;
    assert!(checked_in.starts_with("Your safety check") && checked_in.contains("Checked in at"), "{checked_in}");

    click(client, "section#safety form[action$='/check-out'] button[type=submit]").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        // While the page reloads after the click, the section may briefly be missing: ask again.
        let text = match client.find(Locator::Css("section#safety")).await {
            Ok(section) => section.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if text.contains("checked out at") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the check-out shows: {text}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    client.clone().close().await.unwrap();
}
