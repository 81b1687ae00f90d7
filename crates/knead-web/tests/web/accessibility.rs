//! What the pages give assistive technology, read from the HTML the server sends: hints tied to their
//! fields, an error summary that names each field, headings that do not skip a level, accessible names that
//! contain the visible text, the phone's menu, and the stylesheet's non-text contrast. (axe-core checks the
//! rendered pages in the browser tests; these pin the fixes it led to, close to the code.)

use crate::support::*;
use axum::http::StatusCode;

/// The opening tag of the element with `id`.
fn tag_with_id<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("an element #{id} in {html}"));
    let start = html[..at].rfind('<').unwrap();
    &html[start..at + html[at..].find('>').unwrap() + 1]
}

/// The text inside the element with `id` (up to its first child tag).
fn text_of_id<'a>(html: &'a str, id: &str) -> &'a str {
    let tag = tag_with_id(html, id);
    let at = html.find(tag).unwrap() + tag.len();
    &html[at..at + html[at..].find('<').unwrap()]
}

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let marker = format!(" {name}=\"");
    let start = tag.find(&marker)? + marker.len();
    Some(&tag[start..start + tag[start..].find('"').unwrap()])
}

async fn mobile_service_id(app: &TestApp) -> i64 {
    let services = app.store.list_services(false).await.unwrap();
    services.iter().find(|s| s.name == "Massage with oil at home").expect("the demo's home massage").id.0
}

#[tokio::test]
async fn hints_are_read_with_their_fields() {
    let app = TestApp::new().await;
    let id = mobile_service_id(&app).await;
    let page = app.get(&format!("/book/where?service_id={id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for field in ["address", "unit"] {
        let input = tag_with_id(&page.body, field);
        let described = attr(input, "aria-describedby").unwrap_or_else(|| panic!("#{field} has a description"));
        assert!(described.split(' ').any(|d| d == format!("{field}-hint")), "#{field}: {input}");
    }
    assert_eq!(
        text_of_id(&page.body, "address-hint"),
        "Start typing the street and house number; pick your address from the list."
    );
    assert_eq!(text_of_id(&page.body, "unit-hint"), "So your therapist finds the door.");
}

#[tokio::test]
async fn a_refused_form_names_each_field_in_its_summary_and_ties_the_message_to_the_field() {
    let app = TestApp::new().await;
    let id = mobile_service_id(&app).await;
    let when = app
        .get(&format!("/book/when?service_id={id}&address=12+Kalevankatu%2C+Helsinki&lat=60.1669&lon=24.9374"))
        .await;
    let details = when.body.split("href=\"/book/details?").nth(1).expect("a start offered");
    let details = format!("/book/details?{}", &details[..details.find('"').unwrap()]).replace("&amp;", "&");
    let page = app.get(&details).await;
    let flow: Vec<(String, String)> = page
        .body
        .split("<input type=\"hidden\" ")
        .skip(1)
        .map(|tag| {
            (
                attr(&format!(" {tag}"), "name").unwrap().to_string(),
                attr(&format!(" {tag}"), "value").unwrap().replace("&amp;", "&"),
            )
        })
        .collect();
    let mut form: Vec<(&str, &str)> = flow.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    form.extend([("name", ""), ("email", ""), ("phone", "")]);
    let refused = app.form("/book", None, &form).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);

    let summary = &refused.body[refused.body.find("error-summary").expect("an error summary")..];
    let summary = &summary[..summary.find("</div>").unwrap()];
    assert!(summary.contains("<a href=\"#name\">Name is required</a>"), "{summary}");
    assert!(summary.contains("<a href=\"#email\">Email is required</a>"), "{summary}");
    // Beside the field, the message and the hint are both read with it.
    assert_eq!(attr(tag_with_id(&refused.body, "email"), "aria-describedby"), Some("email-hint email-error"));
    assert_eq!(attr(tag_with_id(&refused.body, "name"), "aria-describedby"), Some("name-error"));
    assert_eq!(attr(tag_with_id(&refused.body, "email"), "aria-invalid"), Some("true"));
}

#[tokio::test]
async fn a_managers_refused_form_names_each_field_in_its_summary() {
    let app = TestApp::new().await;
    let manager = app.sign_in(MANAGER).await;
    let csrf = app.csrf(&manager).await;
    let form = [
        ("csrf", csrf.as_str()),
        ("name", ""),
        ("duration_minutes", "an hour"),
        ("price", "95"),
        ("buffer_minutes", "0"),
        ("place", "mobile"),
        ("kind", "individual"),
        ("add_ons[0].name", "Mask"),
        ("add_ons[0].price", "abc"),
    ];
    let reply = app.form("/manage/services/new", Some(&manager), &form).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let summary = &reply.body[reply.body.find("error-summary").expect("an error summary")..];
    let summary = &summary[..summary.find("</div>").unwrap()];
    for line in [
        "<a href=\"#name\">Name is required</a>",
        "<a href=\"#duration_minutes\">Duration minutes must be a whole number</a>",
        "<a href=\"#add_ons_0__price\">Price must be an amount in dollars",
    ] {
        assert!(summary.contains(line), "{line} in {summary}");
    }
}

/// The levels of the headings in `html`, in order.
fn heading_levels(html: &str) -> Vec<u8> {
    html.match_indices("<h")
        .filter_map(|(at, _)| html[at + 2..].chars().next()?.to_digit(10))
        .map(|d| d as u8)
        .collect()
}

#[tokio::test]
async fn headings_go_down_one_level_at_a_time_on_the_public_pages_and_the_booking_list() {
    let app = TestApp::new().await;
    for path in ["/", "/services", "/therapists", "/articles", "/book"] {
        let page = app.get(path).await;
        let levels = heading_levels(&page.body);
        assert_eq!(levels.first(), Some(&1), "{path} starts with its h1: {levels:?}");
        for pair in levels.windows(2) {
            assert!(pair[1] <= pair[0] + 1, "{path} skips from h{} to h{}: {levels:?}", pair[0], pair[1]);
        }
    }
}

#[tokio::test]
async fn the_booking_lists_links_have_names_that_contain_their_visible_text() {
    let app = TestApp::new().await;
    let page = app.get("/book").await;
    let main = &page.body[page.body.find("<main").unwrap()..];
    let links: Vec<&str> =
        main.split("<a ").skip(1).filter(|a| a[..a.find('>').unwrap()].contains("aria-label=")).collect();
    assert!(links.len() >= 5, "the services' links: {links:?}");
    for a in links {
        let label = attr(&format!(" {a}"), "aria-label").unwrap().to_string();
        let visible = &a[a.find('>').unwrap() + 1..a.find("</a>").unwrap()];
        assert!(label.contains(visible), "the name {label:?} contains the visible {visible:?}");
    }
}

#[tokio::test]
async fn the_header_has_a_menu_for_phones_that_works_without_script() {
    let app = TestApp::new().await;
    let page = app.get("/").await;
    let header = &page.body[page.body.find("<header").unwrap()..page.body.find("</header>").unwrap()];
    let phone = &header[header.find("<nav class=\"phone\"").expect("a phone nav")..];
    assert!(phone.contains("<details class=\"menu\"><summary>Menu</summary>"), "{phone}");
    for href in ["/services", "/therapists", "/articles", "/book", "/login"] {
        assert!(phone.contains(&format!("href=\"{href}\"")), "the menu has {href}: {phone}");
    }
    assert!(header.contains("<nav class=\"desk\" aria-label=\"Main\">"), "{header}");
    // Only one of the two shows at a time.
    let css = app.get("/static/style.css").await.body;
    assert!(css.contains("nav.desk { display: none; }"));
    assert!(css.contains("@media (min-width: 48rem) {\n  nav.desk { display: flex; }\n  nav.phone { display: none; }"));
}

/// WCAG's contrast ratio of two `#rrggbb` colours.
fn contrast(a: &str, b: &str) -> f64 {
    let luminance = |hex: &str| {
        let c: Vec<f64> = (0..3)
            .map(|i| u8::from_str_radix(&hex[1 + 2 * i..3 + 2 * i], 16).unwrap() as f64 / 255.0)
            .map(|x| if x <= 0.03928 { x / 12.92 } else { ((x + 0.055) / 1.055).powf(2.4) })
            .collect();
        0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
    };
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// A custom property's value in the stylesheet's `:root`.
fn colour<'a>(css: &'a str, name: &str) -> &'a str {
    let marker = format!("--{name}: ");
    let at = css.find(&marker).unwrap_or_else(|| panic!("--{name} in the stylesheet")) + marker.len();
    &css[at..at + 7]
}

#[tokio::test]
async fn the_focus_ring_and_the_edges_of_fields_have_three_to_one_contrast_against_every_background() {
    let css = TestApp::new().await.get("/static/style.css").await.body;
    assert!(css.contains(":focus-visible, input:focus, input:focus-within, select:focus, textarea:focus { outline: 3px solid var(--focus);"));
    assert!(css.contains("border: 1px solid var(--field);"));
    for fg in ["focus", "field"] {
        for bg in ["paper", "card", "accent-soft", "danger-soft"] {
            let (f, b) = (colour(&css, fg), colour(&css, bg));
            let ratio = contrast(f, b);
            assert!(ratio >= 3.0, "--{fg} {f} on --{bg} {b} is {ratio:.2}:1");
        }
    }
}
