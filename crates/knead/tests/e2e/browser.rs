//! A person in Chromium on a phone: opens the home page, a service and an article through the header's menu, and
//! signs in as the demo manager.
//!
//! Drives Debian's Chromium through chromedriver (fantoccini). Outside CI a missing chromedriver is
//! reported loudly as a skip; in CI (`CI=true`) it fails the test.

use crate::support::*;
use fantoccini::{ClientBuilder, Locator};
use std::io::Write;
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running chromedriver, stopped when dropped; shared with `browser_booking`.
pub(crate) struct ChromeDriver {
    pub(crate) url: String,
    child: Child,
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

fn find_program(name: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// Starts chromedriver on a free port, or says why not.
pub(crate) fn start_chromedriver() -> Result<ChromeDriver, String> {
    let driver = find_program("chromedriver")
        .ok_or("chromedriver is not installed (apt-get install chromium chromium-driver)")?;
    find_program("chromium").ok_or("chromium is not installed (apt-get install chromium chromium-driver)")?;
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start chromedriver: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return Err("chromedriver did not start listening".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(ChromeDriver { url: format!("http://127.0.0.1:{port}"), child })
}

pub(crate) fn chromium_capabilities() -> serde_json::Map<String, serde_json::Value> {
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=412,915"
            ]
        }
    });
    caps.as_object().unwrap().clone()
}

/// Chromium, through chromedriver, in front of a fresh `knead serve --demo`. Fields drop in order: the
/// server and database go before chromedriver stops.
pub(crate) struct BrowserSession {
    pub client: fantoccini::Client,
    pub server: Server,
    pub db: TempDb,
    _driver: ChromeDriver,
}

/// A browser session, or `None` after saying loudly why not (outside CI); in CI a missing browser fails.
pub(crate) async fn browser_session(what: &str) -> Option<BrowserSession> {
    let driver = match start_chromedriver() {
        Ok(d) => d,
        Err(why) if !in_ci() => {
            let _ = writeln!(std::io::stderr(), "SKIPPED: {what}: {why}; this test did not run");
            return None;
        }
        Err(why) => panic!("{what} cannot run in CI: {why}"),
    };
    let db = TempDb::new();
    let db_url = db.url.clone();
    let server =
        tokio::task::spawn_blocking(move || Server::start(&["--demo", "--database-url", &db_url])).await.unwrap();
    // reqwest (for the road router) and fantoccini bring different TLS backends; name one for the process.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = ClientBuilder::rustls()
        .expect("TLS setup")
        .capabilities(chromium_capabilities())
        .connect(&driver.url)
        .await
        .expect("connect to chromedriver");
    // A form post answers with a redirect or a new page that may still be loading when `click` returns; a
    // `find` waits for its element this long instead of failing on the page before.
    client
        .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(None, None, Some(Duration::from_secs(5))))
        .await
        .expect("set the implicit wait");
    Some(BrowserSession { client, server, db, _driver: driver })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_visitor_reads_a_service_and_an_article_and_the_demo_manager_signs_in() {
    let Some(session) = browser_session("browser test").await else { return };
    let (client, server) = (&session.client, &session.server);

    client.goto(&server.url).await.unwrap();
    let h1 = client.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
    assert_eq!(h1, "Massage that comes to you");

    // A service, reached by clicking through.
    menu_link(client, "Services").await;
    let first = client.find(Locator::Css(".card h2 a")).await.unwrap();
    let service_name = first.text().await.unwrap();
    first.click().await.unwrap();
    assert_eq!(client.find(Locator::Css("h1")).await.unwrap().text().await.unwrap(), service_name);
    assert!(client.current_url().await.unwrap().path().starts_with("/services/"));
    let facts = client.find(Locator::Css("dl.facts")).await.unwrap().text().await.unwrap();
    assert!(facts.contains('$'), "the price shows: {facts}");

    // An article, with its Markdown rendered.
    menu_link(client, "Articles").await;
    let article_link = client.find(Locator::Css(".card h2 a")).await.unwrap();
    let title = article_link.text().await.unwrap();
    article_link.click().await.unwrap();
    assert_eq!(client.find(Locator::Css("article.prose h1")).await.unwrap().text().await.unwrap(), title);
    assert!(!client.find_all(Locator::Css("article.prose h2")).await.unwrap().is_empty(), "headings rendered");

    // Sign in as the demo manager.
    menu_link(client, "Sign in").await;
    client.find(Locator::Id("email")).await.unwrap().send_keys("manager@demo.knead.test").await.unwrap();
    client.find(Locator::Id("password")).await.unwrap().send_keys("knead-demo-manager").await.unwrap();
    client.find(Locator::Css("form.stack button[type=submit]")).await.unwrap().click().await.unwrap();
    // A manager's first sign-in sets up the second factor, as a person would with an authenticator app.
    wait_for_path(client, "/account/second-factor").await;
    let key = client.find(Locator::Css("code.secret")).await.unwrap().text().await.unwrap().replace(' ', "");
    assert!(client.find(Locator::Css(".qr svg")).await.is_ok(), "a QR code to scan");
    client.find(Locator::Id("code")).await.unwrap().send_keys(&totp_code(&key, 0)).await.unwrap();
    client.find(Locator::Css("form.stack button[type=submit]")).await.unwrap().click().await.unwrap();
    // The codes page answers the form's post; wait for it rather than reading the form's page.
    client.wait().for_element(Locator::Css("ul.codes li")).await.expect("the recovery codes page");
    let codes = client.find_all(Locator::Css("ul.codes li")).await.unwrap();
    assert_eq!(codes.len(), 10, "ten recovery codes, shown once");
    client.find(Locator::LinkText("I have kept them; continue")).await.unwrap().click().await.unwrap();
    wait_for_path(client, "/manage").await;

    // Signing in again asks for the code after the password. At a phone's width, signing out is in the menu.
    client.find(Locator::Css("header details.menu summary")).await.unwrap().click().await.unwrap();
    client.find(Locator::Css("header nav.phone form button")).await.unwrap().click().await.unwrap();
    wait_for_path(client, "/").await;
    client.goto(&format!("{}/login", server.url)).await.unwrap();
    client.find(Locator::Id("email")).await.unwrap().send_keys("manager@demo.knead.test").await.unwrap();
    client.find(Locator::Id("password")).await.unwrap().send_keys("knead-demo-manager").await.unwrap();
    client.find(Locator::Css("form.stack button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for_path(client, "/login/code").await;
    // The setup's code is spent; the app's next one is accepted.
    client.find(Locator::Id("code")).await.unwrap().send_keys(&totp_code(&key, 30)).await.unwrap();
    client.find(Locator::Css("form.stack button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_for_path(client, "/manage").await;
    assert_eq!(client.find(Locator::Css("h1")).await.unwrap().text().await.unwrap(), "Manage the practice");
    client.find(Locator::Css("header details.menu summary")).await.unwrap().click().await.unwrap();
    let sign_out = client.find(Locator::Css("header nav.phone form button")).await.unwrap().text().await.unwrap();
    assert_eq!(sign_out, "Sign out", "the header's menu shows the signed-in state");
    let cookie = client.get_named_cookie("knead_session").await.expect("a session cookie");
    assert_eq!(cookie.http_only(), Some(true));

    client.clone().close().await.unwrap();
}

/// Follows a header link at a phone's width: opens the "Menu" and clicks the link named `text` in it.
async fn menu_link(client: &fantoccini::Client, text: &str) {
    client.find(Locator::Css("header details.menu summary")).await.unwrap().click().await.unwrap();
    client
        .find(Locator::LinkText(text))
        .await
        .unwrap_or_else(|e| panic!("{text} in the menu: {e}"))
        .click()
        .await
        .unwrap();
}

/// Waits until the browser shows `path`, after a click that navigates.
pub(crate) async fn wait_for_path(client: &fantoccini::Client, path: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let now_at = client.current_url().await.unwrap();
        if now_at.path() == path {
            return;
        }
        assert!(Instant::now() < deadline, "did not reach {path}; still at {now_at}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Clicks the element `css` finds.
pub(crate) async fn click(client: &fantoccini::Client, css: &str) {
    client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).click().await.unwrap();
}

/// Replaces the text of the field with id `id`.
pub(crate) async fn type_into(client: &fantoccini::Client, id: &str, text: &str) {
    let field = client.find(Locator::Id(id)).await.unwrap_or_else(|e| panic!("#{id}: {e}"));
    field.clear().await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// The text of the element `css` finds.
pub(crate) async fn text_of(client: &fantoccini::Client, css: &str) -> String {
    client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("{css}: {e}")).text().await.unwrap()
}

/// Types a whole address on the place step and sends the form with Enter. Not a click on the button:
/// the suggestions open under the field a moment after typing stops and push the button down, so a
/// click aimed just before they open lands on a suggestion instead.
pub(crate) async fn type_address_and_send(client: &fantoccini::Client, address: &str) {
    type_into(client, "address", address).await;
    let field = client.find(Locator::Id("address")).await.unwrap();
    field.send_keys(&fantoccini::key::Key::Enter.to_string()).await.unwrap();
}

/// The code an authenticator app shows `ahead` seconds from now for a base32 `key`.
pub(crate) fn totp_code(key: &str, ahead: u64) -> String {
    let bytes = totp_rs::Secret::Encoded(key.to_string()).to_bytes().unwrap();
    let totp = totp_rs::TOTP::new_unchecked(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes, None, String::new());
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    totp.generate(now + ahead)
}
