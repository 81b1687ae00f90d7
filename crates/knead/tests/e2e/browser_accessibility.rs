//! Accessibility in Chromium: axe-core audits every page of the router at a phone's and a desk's width,
//! signed out and as each role, and a keyboard alone books a visit from `/book` to the confirmation. With
//! `KNEAD_SCREENSHOTS_DIR` set, a third test saves the pages `docs/screenshots` shows (`scripts/screenshots`).
//!
//! The pages come from `knead_web::route_table()`, so a new page is audited without anyone adding it
//! here; a page whose path has a parameter this file cannot fill fails the audit, naming the place to add it.
//!
//! axe-core is installed from npm by `scripts/test` (`scripts/browser`, found through `KNEAD_TEST_AXE_JS` or at
//! its place in the repository). Outside CI a missing axe or chromedriver is reported loudly as a skip; in CI
//! (`CI=true`) it fails the test.

use crate::browser::{browser_session, in_ci, totp_code, wait_for_path, BrowserSession};
use crate::support::Server;
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::time::{Duration, Instant};

/// The WCAG 2.0, 2.1 and 2.2 A and AA rules of axe.
const AXE_TAGS: [&str; 5] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/// Rules axe files outside those tags (best practice, experimental) that guard what people tripped on:
/// headings that skip a level, and a control whose accessible name does not contain its visible text. Run
/// as well, and refused at any impact.
const ALSO_ENFORCED: [&str; 2] = ["heading-order", "label-content-name-mismatch"];

/// The two widths every page is audited at: a phone held upright, and a desk.
const WIDTHS: [(&str, u32, u32); 2] = [("phone", 390, 844), ("desk", 1280, 900)];

/// GET routes that answer something other than a page.
const NOT_PAGES: [&str; 1] = ["/healthz"];

/// axe's source, or `None` after saying loudly why not (outside CI); in CI a missing axe fails.
fn axe_source(what: &str) -> Option<String> {
    let path = std::env::var_os("KNEAD_TEST_AXE_JS").map(std::path::PathBuf::from).unwrap_or_else(|| {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/browser/node_modules/axe-core/axe.min.js")
    });
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(e) if !in_ci() => {
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: {what}: axe-core is not at {} ({e}); run `npm ci` in scripts/browser (scripts/test does); \
                 this test did not run",
                path.display()
            );
            None
        }
        Err(e) => panic!("{what} cannot run in CI: axe-core is not at {} ({e})", path.display()),
    }
}

/// Who is looking at the pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    SignedOut,
    Client,
    Therapist,
    Manager,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::SignedOut => "signed out",
            Role::Client => "client",
            Role::Therapist => "therapist",
            Role::Manager => "manager",
        }
    }

    /// The demo's login for the role (`knead_demo::logins`).
    fn login(self) -> Option<(&'static str, &'static str)> {
        match self {
            Role::SignedOut => None,
            Role::Client => Some(("client@demo.knead.test", "knead-demo-client")),
            Role::Therapist => Some(("mara@demo.knead.test", "knead-demo-therapist")),
            Role::Manager => Some(("manager@demo.knead.test", "knead-demo-manager")),
        }
    }
}

/// Signs in as `role` through the sign-in page; a manager sets up the second factor on the way.
async fn sign_in(client: &Client, server: &Server, role: Role) {
    client.delete_all_cookies().await.unwrap();
    let Some((email, password)) = role.login() else { return };
    client.goto(&format!("{}/login", server.url)).await.unwrap();
    client.find(Locator::Id("email")).await.unwrap().send_keys(email).await.unwrap();
    client.find(Locator::Id("password")).await.unwrap().send_keys(password).await.unwrap();
    client.find(Locator::Css("form.stack button[type=submit]")).await.unwrap().click().await.unwrap();
    if role == Role::Manager {
        wait_for_path(client, "/account/second-factor").await;
        let key = client.find(Locator::Css("code.secret")).await.unwrap().text().await.unwrap().replace(' ', "");
        client.find(Locator::Id("code")).await.unwrap().send_keys(&totp_code(&key, 0)).await.unwrap();
        client.find(Locator::Css("form.stack button[type=submit]")).await.unwrap().click().await.unwrap();
        client.wait().for_element(Locator::Css("ul.codes li")).await.expect("the recovery codes page");
        client.find(Locator::LinkText("I have kept them; continue")).await.unwrap().click().await.unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while client.current_url().await.unwrap().path().starts_with("/login") {
        assert!(Instant::now() < deadline, "{} did not get past the sign-in page", role.name());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What the audit needs from the demo practice to fill the pages' path parameters.
struct Known {
    service_slug: String,
    service_id: i64,
    mobile_service_id: i64,
    therapist_slug: String,
    /// Mara's, the demo therapist who signs in.
    therapist_id: i64,
    article_slug: String,
    article_id: i64,
    clinic_id: i64,
    /// The client record of the audit's own booking.
    client_id: i64,
    booking_id: i64,
    booking_token: String,
    /// A details step of the booking flow with a time chosen (read from the time step's first start).
    details_link: String,
    /// A waitlist entry's private page (joined through the API).
    waitlist_link: String,
    /// A chair day's sign-up page, behind the organiser's link (booked through the API as the manager).
    chair_signup_link: String,
    /// That chair day's group id (its booking).
    chair_day_id: i64,
    /// That chair day's organiser page, with its private token.
    organiser_link: String,
}

fn api_list(server: &Server, path: &str) -> Vec<Value> {
    let answer: Value = server.get(path).into_json().unwrap_or_else(|e| panic!("{path}: {e}"));
    answer.as_array().unwrap_or_else(|| panic!("{path} answers a list: {answer}")).clone()
}

/// Looks up what the pages' paths need through the API, and books one visit with Mara at the clinic (so the
/// booking's own pages and her visit have something to show).
async fn known(client: &Client, server: &Server, db_url: &str) -> Known {
    let services = api_list(server, "/api/v1/services");
    let therapists = api_list(server, "/api/v1/therapists");
    let articles = api_list(server, "/api/v1/articles");
    let clinics = api_list(server, "/api/v1/clinics");
    let mara = therapists.iter().find(|t| t["name"] == "Mara Quill").expect("the demo's Mara Quill");
    let mobile =
        services.iter().find(|s| s["kind"] == "individual" && s["place"] == "mobile").expect("a mobile service");
    let clinic_id = clinics[0]["id"].as_i64().expect("a clinic");

    // The first time Mara is free at the clinic, a few days out, for a service she gives.
    let tz = jiff::tz::TimeZone::get("Europe/Helsinki").unwrap();
    let from = jiff::Timestamp::now().to_zoned(tz).date().checked_add(jiff::ToSpan::days(2)).unwrap();
    let mut booking = None;
    for s in services.iter().filter(|s| s["kind"] == "individual" && s["place"] != "mobile") {
        let query = format!(
            "/api/v1/availability?service_id={}&clinic_id={clinic_id}&from={from}&days=7&therapist_id={}",
            s["id"], mara["id"]
        );
        let offer: Value = server.get(&query).into_json().unwrap();
        if let Some(slot) = offer["slots"].as_array().and_then(|s| s.first()) {
            let body = json!({
                "service_id": s["id"], "start": slot["start"], "therapist_ids": [mara["id"]], "clinic_id": clinic_id,
                "client": {"name": "Audit Fictional", "email": "audit@example.com", "phone": "416-555-0142"}
            });
            let answer: Value = ureq::post(&format!("{}/api/v1/bookings", server.url))
                .send_json(body)
                .unwrap_or_else(|e| panic!("booking for the audit: {e}"))
                .into_json()
                .unwrap();
            booking = Some(answer);
            break;
        }
    }
    let booking = booking.expect("Mara has a free time at the clinic within a week");
    // The private link's token, from the link the API gives the guest once.
    let manage_url = booking["manage_url"].as_str().expect("a guest's booking comes with its manage link");
    let booking_token = manage_url.split("token=").nth(1).expect("the link carries its token").to_string();

    // The details step, reached as a client would: the time step's first start.
    let when = format!("{}/book/when?service_id={}&address=15+Vuorikatu%2C+Helsinki", server.url, mobile["id"]);
    client.goto(&when).await.unwrap();
    let slot = client.find(Locator::Css("a.slot")).await.expect("a start on the time step");
    let href = slot.attr("href").await.unwrap().expect("a start's link");

    let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::get("Europe/Helsinki").unwrap()).date();
    let join = json!({
        "service_id": mobile["id"], "address": "15 Vuorikatu, Helsinki",
        "client": {"name": "Audit Fictional", "email": "audit@example.com", "phone": "416-555-0142"},
        "first_date": today.tomorrow().unwrap().to_string(), "last_date": (today + jiff::ToSpan::days(14)).to_string()
    });
    let entry: Value = ureq::post(&format!("{}/api/v1/waitlist", server.url))
        .send_json(join)
        .unwrap_or_else(|e| panic!("joining the waitlist for the audit: {e}"))
        .into_json()
        .unwrap();

    let manager = crate::support::token_for(db_url, "manager@demo.knead.test");
    let chair_day = crate::chair_days::book_day(server, &manager);

    Known {
        service_slug: services[0]["slug"].as_str().unwrap().to_string(),
        service_id: services[0]["id"].as_i64().unwrap(),
        mobile_service_id: mobile["id"].as_i64().unwrap(),
        therapist_slug: mara["slug"].as_str().unwrap().to_string(),
        therapist_id: mara["id"].as_i64().unwrap(),
        article_slug: articles[0]["slug"].as_str().unwrap().to_string(),
        article_id: articles[0]["id"].as_i64().unwrap(),
        clinic_id,
        client_id: booking["client_id"].as_i64().expect("the booking's client record"),
        booking_id: booking["id"].as_i64().expect("the booking's id"),
        booking_token,
        details_link: href,
        waitlist_link: entry["manage_url"].as_str().expect("the entry's private link").to_string(),
        chair_signup_link: format!("/chair-days/{}/signup?token={}", chair_day.id, chair_day.token),
        chair_day_id: chair_day.id,
        organiser_link: chair_day.organiser_path,
    }
}

/// The page to audit for a route of the router, or `None` when its parameters cannot be filled.
///
/// A new page with a path parameter joins the audit by a line here (or by a prefix below that fills it).
fn fill(route: &str, k: &Known) -> Option<String> {
    let exact = match route {
        // The booking flow's steps need the choices made before them.
        "/book/where" => Some(format!("/book/where?service_id={}", k.mobile_service_id)),
        "/book/why" => Some(format!("/book/why?service_id={}&address=15+Vuorikatu%2C+Helsinki", k.mobile_service_id)),
        "/book/screening" => Some(format!(
            "/book/screening?service_id={}&address=15+Vuorikatu%2C+Helsinki&reason=sciatica",
            k.mobile_service_id
        )),
        "/book/when" => Some(format!("/book/when?service_id={}&address=15+Vuorikatu%2C+Helsinki", k.mobile_service_id)),
        "/book/details" => Some(k.details_link.clone()),
        "/book/waitlist" => {
            Some(format!("/book/waitlist?service_id={}&address=15+Vuorikatu%2C+Helsinki", k.mobile_service_id))
        }
        "/waitlist/{id}" => Some(k.waitlist_link.clone()),
        "/chair-days/{id}/signup" => Some(k.chair_signup_link.clone()),
        "/groups/{id}" => Some(k.organiser_link.clone()),
        "/manage/chair-days/{id}/invoice" => Some(format!("/manage/chair-days/{}/invoice", k.chair_day_id)),
        // A link nobody holds: the page still asks before it cancels anything.
        "/chair-days/signups/cancel" => Some("/chair-days/signups/cancel?token=unknown".to_string()),
        // The demo's mobile day, with its routes on the map.
        "/manage/dispatch" => Some(format!("/manage/dispatch?date={}", crate::browser_dispatch::demo_day())),
        "/services/{slug}" => Some(format!("/services/{}", k.service_slug)),
        "/therapists/{slug}" => Some(format!("/therapists/{}", k.therapist_slug)),
        "/articles/{slug}" => Some(format!("/articles/{}", k.article_slug)),
        "/bookings/{id}/manage" => Some(format!("/bookings/{}/manage?token={}", k.booking_id, k.booking_token)),
        // A feed is a calendar file, not a page: an unknown one is audited as its "not found" page.
        "/calendar/feed/{token}" => Some("/calendar/feed/unknown.ics".to_string()),
        "/bookings/{id}/manage/health" => {
            Some(format!("/bookings/{}/manage/health?token={}", k.booking_id, k.booking_token))
        }
        _ => None,
    };
    if exact.is_some() {
        return exact;
    }
    // A record's pages, whatever comes after its id.
    let prefixes = [
        ("/manage/services/{id}", k.service_id.to_string()),
        ("/manage/therapists/{id}", k.therapist_id.to_string()),
        ("/manage/articles/{id}", k.article_id.to_string()),
        ("/manage/clinics/{id}", k.clinic_id.to_string()),
        ("/manage/clients/{id}", k.client_id.to_string()),
        ("/bookings/{id}", k.booking_id.to_string()),
        ("/visits/{id}", k.booking_id.to_string()),
        // The care records' pages: the demo's first episode and note (Otto's sciatica); the first referral,
        // when the demo has none, is audited as its "not found" page.
        ("/manage/episodes/{id}", "1".to_string()),
        ("/manage/notes/{id}", "1".to_string()),
        ("/manage/referrals/{id}", "1".to_string()),
        // The first message (the booking made for the audit writes its confirmation).
        ("/manage/outbox/{id}", "1".to_string()),
    ];
    let filled = prefixes
        .iter()
        .find(|(p, _)| route == *p || route.starts_with(&format!("{p}/")))
        .map(|(p, v)| format!("{}{}", p.replace("{id}", v), &route[p.len()..]))
        .unwrap_or_else(|| route.to_string());
    (!filled.contains('{')).then_some(filled)
}

/// Every page of the router: its GET routes less the API, the static files and what is not a page.
fn page_routes() -> Vec<String> {
    let mut pages: Vec<String> = knead_web::route_table()
        .into_iter()
        .filter(|(m, p)| {
            *m == axum::http::Method::GET
                && !p.starts_with("/api/")
                && !p.starts_with("/static/")
                && !NOT_PAGES.contains(&p.as_str())
        })
        .map(|(_, p)| p)
        .collect();
    pages.sort();
    pages.dedup();
    pages
}

/// One violation as axe reports it, where it was seen.
#[derive(Debug)]
struct Found {
    rule: String,
    impact: String,
    page: String,
    width: &'static str,
    role: Role,
    targets: Vec<String>,
    help: String,
}

/// Runs axe on the page the browser shows: its violations, the rules it ran, and those that found
/// something on the page to check.
async fn run_axe(client: &Client, axe: &str) -> (Vec<Value>, Vec<String>, Vec<String>) {
    let loaded = client.execute("return typeof window.axe", vec![]).await.unwrap();
    if loaded != "object" {
        client.execute(axe, vec![]).await.expect("inject axe-core");
    }
    let script = r#"
        const done = arguments[arguments.length - 1];
        window.axe.run(document, { runOnly: { type: 'tag', values: arguments[0] }, rules: arguments[1],
                                    resultTypes: ['violations'] })
          .then(r => done({
            violations: r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
              targets: v.nodes.map(n => n.target.join(' ')) })),
            rules: [].concat(r.passes, r.violations, r.incomplete, r.inapplicable).map(x => x.id),
            applied: [].concat(r.passes, r.violations, r.incomplete).map(x => x.id),
          }))
          .catch(e => done({ error: String(e) }));
    "#;
    let also: serde_json::Map<String, Value> =
        ALSO_ENFORCED.iter().map(|rule| (rule.to_string(), json!({ "enabled": true }))).collect();
    let answer = client.execute_async(script, vec![json!(AXE_TAGS), Value::Object(also)]).await.expect("run axe");
    assert!(answer["error"].is_null(), "axe failed: {}", answer["error"]);
    let violations = answer["violations"].as_array().cloned().unwrap_or_default();
    let ids = |key: &str| answer[key].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_string()).collect();
    (violations, ids("rules"), ids("applied"))
}

/// Sets the viewport (not the window) to `width` x `height`, whatever the browser's frame takes.
async fn set_viewport(client: &Client, width: u32, height: u32) {
    client.set_window_size(width, height).await.unwrap();
    let inner = client.execute("return [window.innerWidth, window.innerHeight]", vec![]).await.unwrap();
    let (iw, ih) = (inner[0].as_u64().unwrap() as u32, inner[1].as_u64().unwrap() as u32);
    if (iw, ih) != (width, height) {
        client.set_window_size(width + (width - iw.min(width)), height + (height - ih.min(height))).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn axe_finds_no_serious_or_critical_violation_on_any_page_at_either_width_for_any_role() {
    let Some(axe) = axe_source("accessibility audit") else { return };
    let Some(session) = browser_session("accessibility audit").await else { return };
    let BrowserSession { client, server, db, .. } = &session;
    let started = Instant::now();

    let k = known(client, server, &db.url).await;
    let routes = page_routes();
    let unfilled: Vec<&String> = routes.iter().filter(|r| fill(r, &k).is_none()).collect();
    assert!(
        unfilled.is_empty(),
        "these pages have path parameters the audit cannot fill: {unfilled:?}; add each to `fill` in \
         crates/knead/tests/e2e/browser_accessibility.rs"
    );
    let pages: Vec<String> = routes.iter().filter_map(|r| fill(r, &k)).collect();

    // The audit finds what it should: a nameless button and an image without text, added to a page, are
    // reported (so a harness that silently checks nothing cannot pass).
    client.goto(&format!("{}/", server.url)).await.unwrap();
    client
        .execute(
            "document.querySelector('main').insertAdjacentHTML('beforeend', '<button></button><img src=\"data:,\">')",
            vec![],
        )
        .await
        .unwrap();
    let (planted, _, _) = run_axe(client, &axe).await;
    let planted: Vec<&str> = planted.iter().filter_map(|v| v["id"].as_str()).collect();
    assert!(
        planted.contains(&"button-name") && planted.contains(&"image-alt"),
        "axe missed planted faults: {planted:?}"
    );

    let mut found: Vec<Found> = Vec::new();
    let mut rules_run: BTreeSet<String> = BTreeSet::new();
    let mut rules_applied: BTreeSet<String> = BTreeSet::new();
    let mut audited: BTreeMap<(Role, &'static str), usize> = BTreeMap::new();
    for role in [Role::SignedOut, Role::Client, Role::Therapist, Role::Manager] {
        sign_in(client, server, role).await;
        for (width_name, width, height) in WIDTHS {
            set_viewport(client, width, height).await;
            // A page a role may not open sends it elsewhere (the sign-in page) or says "Not allowed": each
            // page shown is audited once per role and width.
            let mut seen: BTreeSet<String> = BTreeSet::new();
            for page in &pages {
                client.goto(&format!("{}{page}", server.url)).await.unwrap();
                let at = client.current_url().await.unwrap();
                let title = client.title().await.unwrap();
                let shown = if title.starts_with("Not allowed") || title.starts_with("Not found") {
                    title.clone()
                } else {
                    at.path().to_string()
                };
                if !seen.insert(shown) {
                    continue;
                }
                let (violations, rules, applied) = run_axe(client, &axe).await;
                rules_run.extend(rules);
                rules_applied.extend(applied);
                *audited.entry((role, width_name)).or_default() += 1;
                for v in violations {
                    found.push(Found {
                        rule: v["id"].as_str().unwrap_or_default().to_string(),
                        impact: v["impact"].as_str().unwrap_or("unknown").to_string(),
                        page: format!("{}{}", at.path(), at.query().map(|q| format!("?{q}")).unwrap_or_default()),
                        width: width_name,
                        role,
                        targets: v["targets"].as_array().unwrap().iter().map(|t| t.to_string()).collect(),
                        help: v["help"].as_str().unwrap_or_default().to_string(),
                    });
                }
            }
        }
    }

    let total: usize = audited.values().sum();
    let serious: Vec<&Found> = found
        .iter()
        .filter(|f| f.impact == "serious" || f.impact == "critical" || ALSO_ENFORCED.contains(&f.rule.as_str()))
        .collect();
    let mut report = format!(
        "axe-core audit: {} routes, {total} page views audited in {:.0?} ({}), {} distinct rules run \
         (tags {}; {} of them found something to check), {} violations ({} refused: serious or critical, or one of the rules also enforced)\n",
        pages.len(),
        started.elapsed(),
        audited.iter().map(|((r, w), n)| format!("{} at {w}: {n}", r.name())).collect::<Vec<_>>().join(", "),
        rules_run.len(),
        AXE_TAGS.join(", "),
        rules_applied.len(),
        found.len(),
        serious.len(),
    );
    for f in &found {
        report.push_str(&format!(
            "  {} ({}) on {} at {} as {}: {} — {}\n",
            f.rule,
            f.impact,
            f.page,
            f.width,
            f.role.name(),
            f.help,
            f.targets.join(", ")
        ));
    }
    // The figures go to stderr, shown with the test's output (`--nocapture`) and in CI's log on failure.
    let _ = writeln!(std::io::stderr(), "{report}");
    assert!(serious.is_empty(), "serious or critical accessibility violations:\n{report}");
    client.clone().close().await.unwrap();
}

/// What the focused element is and whether it shows that it has focus.
async fn focused(client: &Client) -> Value {
    let script = r#"
        const el = document.activeElement;
        if (!el || el === document.body) return { tag: 'body', visible: false, text: '' };
        const s = getComputedStyle(el);
        const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
        const label = el.getAttribute('aria-label') || el.innerText || el.value || el.name || '';
        return {
          tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name') || '', type: el.type || '',
          href: el.getAttribute('href') || '', text: label.trim().slice(0, 80), visible: ring,
          cls: el.className || '', checked: !!el.checked, value: el.value || '',
          ring: s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor + ' / ' + s.boxShadow,
          pos: [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea')].indexOf(el),
        };
    "#;
    client.execute(script, vec![]).await.unwrap()
}

/// Sends keys to the focused element, as a person's keyboard does.
async fn press(client: &Client, keys: &str) {
    client.active_element().await.unwrap().send_keys(keys).await.unwrap();
}

/// Tabs forward (or back) until `wanted` says yes, checking that every stop shows its focus and that focus
/// moves on; the stops passed, as described by `focused`.
async fn tab_until(client: &Client, back: bool, what: &str, wanted: impl Fn(&Value) -> bool) -> Vec<Value> {
    let mut stops = Vec::new();
    let key = if back { format!("{}{}", Key::Shift, Key::Tab) } else { Key::Tab.to_string() };
    for _ in 0..80 {
        press(client, &key).await;
        let now = focused(client).await;
        if now["tag"] != "body" {
            assert_eq!(now["visible"], true, "no visible focus indicator on {now} (looking for {what})");
        }
        // Chromium's date field takes a press for each of its parts (day, month, year) and its calendar
        // button; anything more is a trap.
        let repeats = stops.iter().rev().take_while(|s| *s == &now).count();
        let parts = if now["type"] == "date" { 3 } else { 0 };
        assert!(repeats <= parts, "focus is stuck on {now} (looking for {what})");
        stops.push(now.clone());
        if wanted(&now) {
            return stops;
        }
    }
    panic!("80 presses of Tab did not reach {what}; focus went through {stops:?}");
}

async fn wait_path(client: &Client, path: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let at = client.current_url().await.unwrap();
        if at.path() == path {
            return;
        }
        assert!(Instant::now() < deadline, "did not reach {path}; still at {at}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Document order holds: the positions of the stops (among the page's focusable elements) never go back.
fn in_document_order(stops: &[Value]) {
    let positions: Vec<i64> = stops.iter().filter_map(|s| s["pos"].as_i64()).filter(|p| *p >= 0).collect();
    assert!(positions.windows(2).all(|w| w[0] <= w[1]), "focus left document order: {stops:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_keyboard_alone_books_a_visit_from_the_service_list_to_the_confirmation() {
    let Some(session) = browser_session("keyboard booking walk").await else { return };
    let BrowserSession { client, server, .. } = &session;
    set_viewport(client, 1280, 900).await;
    client.goto(&format!("{}/book", server.url)).await.unwrap();

    // The skip link comes first, and it moves focus to the main content.
    let first = tab_until(client, false, "the skip link", |_| true).await;
    assert_eq!(first[0]["href"], "#main", "the first stop is the skip link: {first:?}");
    assert_eq!(first[0]["text"], "Skip to content");
    // Then the header, in order, and the first service's button.
    let stops =
        tab_until(client, false, "a service's Choose button", |f| f["text"].as_str().unwrap().starts_with("Book "))
            .await;
    in_document_order(&stops);
    let nav: Vec<&str> = stops.iter().map(|s| s["text"].as_str().unwrap()).collect();
    for link in ["Services", "Book", "Sign in"] {
        assert!(nav.contains(&link), "the header's {link} is a stop before the services: {nav:?}");
    }
    // Shift+Tab goes back to the stop before, and Tab returns.
    let back = tab_until(client, true, "the stop before", |_| true).await;
    assert_eq!(back[0], stops[stops.len() - 2], "Shift+Tab goes back one stop");
    tab_until(client, false, "the service again", |_| true).await;

    // Choose the home massage: Tab on to it and press Enter.
    tab_until(client, false, "Book Massage with oil at home", |f| f["text"] == "Book Massage with oil at home").await;
    press(client, &Key::Enter).await;
    wait_path(client, "/book/where").await;

    // The place: tab to the address field, type it, tab past the suggestions and send with Enter.
    let stops = tab_until(client, false, "the address field", |f| f["id"] == "address").await;
    in_document_order(&stops);
    press(client, "kalevankatu 12").await;
    // The suggestions are picked with the arrow keys and Enter, and focus stays in the field.
    client.wait().for_element(Locator::Css("#address-suggestions li[role=option]")).await.expect("suggestions");
    let first = client.find(Locator::Css("#address-suggestions li[role=option]")).await.unwrap().text().await.unwrap();
    press(client, &Key::Down).await;
    press(client, &Key::Enter).await;
    let picked = client.find(Locator::Id("address")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(picked.as_deref(), Some(first.as_str()), "ArrowDown and Enter pick the first suggestion");
    assert_eq!(focused(client).await["id"], "address", "focus stays in the address field after the pick");
    tab_until(client, false, "Find times", |f| f["text"] == "Find times").await;
    press(client, &Key::Enter).await;
    wait_path(client, "/book/why").await;

    // Why: Tab into the reasons, the arrow keys to relaxation (which needs no screening), Continue with Enter.
    let stops = tab_until(client, false, "the reasons", |f| f["name"] == "reason").await;
    in_document_order(&stops);
    for _ in 0..10 {
        if focused(client).await["value"] == "relaxation" {
            break;
        }
        press(client, &Key::Down).await;
    }
    let reason = focused(client).await;
    assert_eq!((&reason["value"], &reason["checked"]), (&json!("relaxation"), &json!(true)), "{reason}");
    tab_until(client, false, "Continue", |f| f["text"] == "Continue").await;
    press(client, &Key::Enter).await;
    wait_path(client, "/book/when").await;

    // The time: the first start offered, reached by Tab, chosen with Enter.
    let stops = tab_until(client, false, "a start time", |f| f["cls"].as_str().unwrap_or("").contains("slot")).await;
    in_document_order(&stops);
    press(client, &Key::Enter).await;
    wait_path(client, "/book/details").await;

    // The details: name, email and phone in order, then Confirm with Space.
    tab_until(client, false, "the name field", |f| f["id"] == "name").await;
    press(client, "Kay Board").await;
    let to_email = tab_until(client, false, "the email field", |f| f["id"] == "email").await;
    assert_eq!(to_email.len(), 1, "email follows name: {to_email:?}");
    press(client, "kay@example.com").await;
    let to_phone = tab_until(client, false, "the phone field", |f| f["id"] == "phone").await;
    assert_eq!(to_phone.len(), 1, "phone follows email: {to_phone:?}");
    press(client, "416-555-0142").await;
    // A returning guest whose health has not changed ticks one box with Space instead of the whole history.
    let to_health = tab_until(client, false, "the unchanged-history box", |f| f["id"] == "health-unchanged").await;
    in_document_order(&to_health);
    press(client, " ").await;
    assert_eq!(focused(client).await["checked"], true, "Space ticks the box");
    let to_confirm = tab_until(client, false, "Confirm booking", |f| f["text"] == "Confirm booking").await;
    in_document_order(&to_confirm);
    press(client, " ").await;

    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let h1 = client.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
        if h1 == "You're booked" {
            break;
        }
        assert!(Instant::now() < deadline, "no confirmation; the page says {h1}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Focus is not trapped on the confirmation either: Tab reaches the private link and goes on past it.
    tab_until(client, false, "the manage link", |f| f["id"] == "manage-link").await;
    tab_until(client, false, "past the manage link", |f| f["id"] != "manage-link").await;
    client.clone().close().await.unwrap();
}

/// Saves the page the browser shows, whole (the viewport made as tall as the page), at its width.
async fn shoot(client: &Client, dir: &std::path::Path, name: &str) {
    let height = client.execute("return Math.ceil(document.documentElement.scrollHeight)", vec![]).await.unwrap();
    let height = (height.as_u64().unwrap() as u32).max(844);
    set_viewport(client, 390, height).await;
    let png = client.screenshot().await.unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    set_viewport(client, 390, 844).await;
}

/// Books `service` with Mara at the clinic at the first free time from `from` on; returns the booking.
fn book_with_mara(server: &Server, service: &Value, clinic_id: i64, mara_id: i64, from: jiff::civil::Date) -> Value {
    let query = format!(
        "/api/v1/availability?service_id={}&clinic_id={clinic_id}&from={from}&days=1&therapist_id={mara_id}",
        service["id"]
    );
    let offer: Value = server.get(&query).into_json().unwrap();
    let slot = offer["slots"][0].clone();
    assert!(slot.is_object(), "Mara has a free time on {from}: {offer}");
    let body = json!({
        "service_id": service["id"], "start": slot["start"], "therapist_ids": [mara_id], "clinic_id": clinic_id,
        "client": {"name": "Rae Example", "email": "rae@example.com", "phone": "416-555-0142"}
    });
    ureq::post(&format!("{}/api/v1/bookings", server.url)).send_json(body).unwrap().into_json().unwrap()
}

/// With `KNEAD_SCREENSHOTS_DIR` set (by `scripts/screenshots`), saves the pages `docs/screenshots` shows at a
/// phone's width: each step of booking a visit, a therapist's day, and the manager's schedule page.
#[tokio::test(flavor = "multi_thread")]
async fn screenshots_for_the_docs_when_asked() {
    let Some(dir) = std::env::var_os("KNEAD_SCREENSHOTS_DIR").map(std::path::PathBuf::from) else { return };
    std::fs::create_dir_all(&dir).unwrap();
    let session = browser_session("screenshots").await.expect("chromium and chromedriver, for the screenshots");
    let BrowserSession { client, server, .. } = &session;
    set_viewport(client, 390, 844).await;

    // Booking a home visit, step by step.
    client.goto(&format!("{}/book", server.url)).await.unwrap();
    shoot(client, &dir, "booking-1-service").await;
    client.find(Locator::Css("a[aria-label='Book Massage with oil at home']")).await.unwrap().click().await.unwrap();
    wait_path(client, "/book/where").await;
    client.find(Locator::Id("address")).await.unwrap().send_keys("kalevankatu 1").await.unwrap();
    client.wait().for_element(Locator::Css("#address-suggestions li[role=option]")).await.expect("suggestions");
    shoot(client, &dir, "booking-2-place").await;
    client.find(Locator::Css("#address-suggestions li[role=option]")).await.unwrap().click().await.unwrap();
    client.find(Locator::Css("form[action='/book/why'] button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_path(client, "/book/why").await;
    client.find(Locator::Css("input[name=reason][value=sciatica]")).await.unwrap().click().await.unwrap();
    shoot(client, &dir, "booking-3-why").await;
    client.find(Locator::Css("form[action='/book/why'] button[type=submit]")).await.unwrap().click().await.unwrap();
    wait_path(client, "/book/screening").await;
    shoot(client, &dir, "booking-4-screening").await;
    for q in knead_core::intake::screening::QUESTIONS {
        use knead_core::intake::screening::AnswerKind;
        match q.kind {
            AnswerKind::YesNo => {
                let answer = if q.field == "improving" { "yes" } else { "no" };
                let css = format!("input[name='{}'][value='{answer}']", q.field);
                client.find(Locator::Css(&css)).await.unwrap().click().await.unwrap();
            }
            AnswerKind::Years => client.find(Locator::Id(q.field)).await.unwrap().send_keys("40").await.unwrap(),
            AnswerKind::Weeks => client.find(Locator::Id(q.field)).await.unwrap().send_keys("2").await.unwrap(),
        }
    }
    client
        .find(Locator::Css("form[action='/book/screening'] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_path(client, "/book/when").await;
    shoot(client, &dir, "booking-5-time").await;
    client.find(Locator::Css("a.slot")).await.unwrap().click().await.unwrap();
    wait_path(client, "/book/details").await;
    for (id, text) in [("name", "Ana Example"), ("email", "ana@example.com"), ("phone", "416-555-0142")] {
        client.find(Locator::Id(id)).await.unwrap().send_keys(text).await.unwrap();
    }
    for (field, _) in knead_core::intake::health::INTAKE_QUESTIONS.iter().filter(|(f, _)| *f != "high_risk_pregnancy") {
        let css = format!("input[name='intake.{field}'][value='no']");
        client.find(Locator::Css(&css)).await.unwrap().click().await.unwrap();
    }
    for (element, _) in knead_core::intake::health::CONSENT_ELEMENTS {
        let css = format!("input[name='intake.consent.{element}']");
        client.find(Locator::Css(&css)).await.unwrap().click().await.unwrap();
    }
    shoot(client, &dir, "booking-6-details").await;
    client.find(Locator::Css("form[action='/book'] button[type=submit]")).await.unwrap().click().await.unwrap();
    client.wait().for_element(Locator::Id("manage-link")).await.expect("the confirmation");
    shoot(client, &dir, "booking-7-confirmed").await;

    // Mara's day with two visits at the clinic, as she sees it on her phone.
    let services = api_list(server, "/api/v1/services");
    let therapists = api_list(server, "/api/v1/therapists");
    let clinic_id = api_list(server, "/api/v1/clinics")[0]["id"].as_i64().unwrap();
    let mara = therapists.iter().find(|t| t["name"] == "Mara Quill").unwrap()["id"].as_i64().unwrap();
    let at_clinic: Vec<&Value> =
        services.iter().filter(|s| s["kind"] == "individual" && s["place"] != "mobile").collect();
    let tz = jiff::tz::TimeZone::get("Europe/Helsinki").unwrap();
    let mut day = jiff::Timestamp::now().to_zoned(tz.clone()).date().checked_add(jiff::ToSpan::days(1)).unwrap();
    // Her first working day from tomorrow on.
    let mut first = None;
    for _ in 0..14 {
        let query = format!(
            "/api/v1/availability?service_id={}&clinic_id={clinic_id}&from={day}&days=1&therapist_id={mara}",
            at_clinic[0]["id"]
        );
        let offer: Value = server.get(&query).into_json().unwrap();
        if offer["slots"].as_array().is_some_and(|s| !s.is_empty()) {
            first = Some(day);
            break;
        }
        day = day.tomorrow().unwrap();
    }
    let day = first.expect("Mara works within two weeks");
    book_with_mara(server, at_clinic[0], clinic_id, mara, day);
    book_with_mara(server, at_clinic[at_clinic.len().min(2) - 1], clinic_id, mara, day);
    sign_in(client, server, Role::Therapist).await;
    client.goto(&format!("{}/calendar?date={day}", server.url)).await.unwrap();
    shoot(client, &dir, "therapist-day").await;
    // A client's visit sheet, precautions first (the demo's client with a blood thinner).
    client.goto(&format!("{}/manage/clients?q=aino", server.url)).await.unwrap();
    client.find(Locator::LinkText("Aino Virtanen")).await.unwrap().click().await.unwrap();
    client.find(Locator::Css("main a[href^='/visits/']")).await.unwrap().click().await.unwrap();
    client.wait().for_element(Locator::Id("precautions")).await.expect("the visit sheet");
    shoot(client, &dir, "visit-sheet").await;

    // The manager's page for Mara's hours and time off.
    sign_in(client, server, Role::Manager).await;
    client.goto(&format!("{}/manage/therapists/{mara}/schedule", server.url)).await.unwrap();
    shoot(client, &dir, "manager-schedule").await;
    // The phone's menu, opened.
    client.goto(&format!("{}/", server.url)).await.unwrap();
    client.find(Locator::Css("header details.menu summary")).await.unwrap().click().await.unwrap();
    client.screenshot().await.map(|png| std::fs::write(dir.join("menu-open.png"), png).unwrap()).unwrap();
    client.clone().close().await.unwrap();
}
