//! The public site: the home page, services, therapist profiles and articles. Archived records are not shown.

use super::Frame;
use crate::auth::MaybeCaller;
use crate::error::WebError;
use crate::extract::AppPath;
use crate::markdown;
use crate::routes::{get, Routes};
use crate::state::AppState;
use crate::ui::minutes;
use axum::extract::State;
use axum::response::Html;
use knead_app::catalog::{Services, Therapists};
use knead_app::content::Articles;
use knead_app::listing::{self, Audience};
use knead_core::money::format_cents;
use knead_core::{Article, Service, Therapist};
use maud::{html, Markup, PreEscaped};

pub fn router() -> Routes {
    Routes::new()
        .route("/", get(home))
        .route("/services", get(services))
        .route("/services/{slug}", get(service))
        .route("/therapists", get(therapists))
        .route("/therapists/{slug}", get(therapist))
        .route("/articles", get(articles))
        .route("/articles/{slug}", get(article))
}

/// A card's heading: h2 on a list page, h3 under a section's h2 on the home page, so headings never skip a
/// level.
fn card_heading(level: u8, href: &str, text: &str) -> Markup {
    html! {
        @if level == 2 { h2.card-title { a href=(href) { (text) } } }
        @else { h3 { a href=(href) { (text) } } }
    }
}

fn service_card(s: &Service, level: u8) -> Markup {
    html! {
        article.card {
            (card_heading(level, &format!("/services/{}", s.slug), &s.name))
            p.meta { (minutes(s.duration_minutes)) " · " (format_cents(s.price_cents)) " · " (s.place.label()) }
            @if !s.description.is_empty() { p { (first_sentence(&s.description)) } }
        }
    }
}

fn therapist_card(t: &Therapist, level: u8) -> Markup {
    html! {
        article.card {
            (card_heading(level, &format!("/therapists/{}", t.slug), &t.name))
            @if !t.credentials.is_empty() { p.meta { (t.credentials) } }
            @if !t.modalities.is_empty() { p { (t.modalities.join(", ")) } }
        }
    }
}

fn article_card(a: &Article, level: u8) -> Markup {
    html! {
        article.card {
            (card_heading(level, &format!("/articles/{}", a.slug), &a.title))
            @if !a.summary.is_empty() { p { (a.summary) } }
        }
    }
}

/// The first sentence of a description, for a card.
pub fn first_sentence(text: &str) -> &str {
    match text.find(". ") {
        Some(i) => &text[..=i],
        None => text,
    }
}

async fn home(State(state): State<AppState>, caller: MaybeCaller) -> Result<Html<String>, WebError> {
    let services = listing::list::<Services>(state.app(), Audience::Public).await?;
    let therapists = listing::list::<Therapists>(state.app(), Audience::Public).await?;
    let articles = listing::list::<Articles>(state.app(), Audience::Public).await?;
    Ok(Frame::new(&state, &caller).page("", home_view(&services, &therapists, &articles)))
}

fn home_view(services: &[Service], therapists: &[Therapist], articles: &[Article]) -> Markup {
    html! {
        section.hero {
            h1 { "Massage that comes to you" }
            p.lead { "Relaxing and therapeutic massage at your home or office, for one, for two, or for the whole team — and clinic care with a Registered Massage Therapist." }
            p { a.button href="/services" { "See services" } }
        }
        @if !services.is_empty() {
            section { h2 { "Services" } div.grid { @for s in services.iter().take(6) { (service_card(s, 3)) } } }
        }
        @if !therapists.is_empty() {
            section { h2 { "Our therapists" } div.grid { @for t in therapists.iter().take(4) { (therapist_card(t, 3)) } } }
        }
        @if !articles.is_empty() {
            section { h2 { "Learn" } div.grid { @for a in articles.iter().take(3) { (article_card(a, 3)) } } }
        }
    }
}

async fn services(State(state): State<AppState>, caller: MaybeCaller) -> Result<Html<String>, WebError> {
    let services = listing::list::<Services>(state.app(), Audience::Public).await?;
    let body = html! {
        h1 { "Services" }
        @if services.is_empty() { p { "No services are listed yet." } }
        div.grid { @for s in &services { (service_card(s, 2)) } }
    };
    Ok(Frame::new(&state, &caller).page("Services", body))
}

async fn service(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppPath(slug): AppPath<String>,
) -> Result<Html<String>, WebError> {
    let s = listing::by_slug::<Services>(state.app(), &slug, Audience::Public).await?;
    Ok(Frame::new(&state, &caller).page(&s.name, service_view(&s)))
}

fn service_view(s: &Service) -> Markup {
    html! {
        p.crumbs { a href="/services" { "Services" } }
        h1 { (s.name) }
        dl.facts {
            dt { "Length" } dd { (minutes(s.duration_minutes)) }
            dt { "Price" } dd { (format_cents(s.price_cents)) }
            dt { "Where" } dd { (s.place.label()) }
            dt { "For" } dd { (s.kind.label()) }
            @if !s.modality.is_empty() { dt { "Style" } dd { (s.modality) } }
        }
        @if s.bookable_online() { p { a.button href={ "/book/where?service_id=" (s.id.0) } { "Book" } } }
        @if s.kind == knead_core::Kind::Party {
            p { a.button href="/parties/book" { "Book a party" } }
            p.hint { "The price is the party's base; each guest's treatment is priced as listed. We send as many therapists as your guests need to be served in your hours." }
        }
        @if s.kind == knead_core::Kind::Chair {
            p #chair-enquiry { "To plan a chair-massage day at your workplace, "
                @match &crate::pages::practice_details().phone {
                    Some(phone) => { "call us at " a href=(phone.tel_href()) { (phone.as_str()) } }
                    None => { "write to or call us (see the foot of this page)" }
                }
                ": tell us the date, the hours and how many chairs. We send you a sign-up link for your colleagues." }
        }
        @for para in s.description.split("\n\n") { p { (para) } }
        @if !s.add_ons.is_empty() {
            h2 { "Add-ons" }
            table.addons {
                thead { tr { th { "Add-on" } th { "Price" } th { "Adds" } } }
                tbody {
                    @for a in &s.add_ons {
                        tr { td { (a.name) } td { (format_cents(a.price_cents)) }
                             td { @if a.extra_minutes > 0 { (minutes(a.extra_minutes)) } @else { "—" } } }
                    }
                }
            }
        }
    }
}

async fn therapists(State(state): State<AppState>, caller: MaybeCaller) -> Result<Html<String>, WebError> {
    let therapists = listing::list::<Therapists>(state.app(), Audience::Public).await?;
    let body = html! {
        h1 { "Therapists" }
        @if therapists.is_empty() { p { "No therapists are listed yet." } }
        div.grid { @for t in &therapists { (therapist_card(t, 2)) } }
    };
    Ok(Frame::new(&state, &caller).page("Therapists", body))
}

fn label_list(title: &str, labels: &[String]) -> Markup {
    html! {
        @if !labels.is_empty() {
            h2 { (title) }
            ul.tags { @for l in labels { li { (l) } } }
        }
    }
}

async fn therapist(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppPath(slug): AppPath<String>,
) -> Result<Html<String>, WebError> {
    let t = listing::by_slug::<Therapists>(state.app(), &slug, Audience::Public).await?;
    let body = html! {
        p.crumbs { a href="/therapists" { "Therapists" } }
        h1 { (t.name) }
        @if !t.credentials.is_empty() { p.meta { (t.credentials) } }
        @if !t.registration_number.is_empty() { p.meta { "Registration number " (t.registration_number) } }
        @for para in t.bio.split("\n\n") { p { (para) } }
        (label_list("Modalities", &t.modalities))
        (label_list("Conditions treated", &t.conditions))
        (label_list("Languages", &t.languages))
    };
    Ok(Frame::new(&state, &caller).page(&t.name, body))
}

async fn articles(State(state): State<AppState>, caller: MaybeCaller) -> Result<Html<String>, WebError> {
    let articles = listing::list::<Articles>(state.app(), Audience::Public).await?;
    let body = html! {
        h1 { "Articles" }
        @if articles.is_empty() { p { "No articles yet." } }
        div.grid { @for a in &articles { (article_card(a, 2)) } }
    };
    Ok(Frame::new(&state, &caller).page("Articles", body))
}

async fn article(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppPath(slug): AppPath<String>,
) -> Result<Html<String>, WebError> {
    let a = listing::by_slug::<Articles>(state.app(), &slug, Audience::Public).await?;
    let body = html! {
        p.crumbs { a href="/articles" { "Articles" } }
        article.prose {
            h1 { (a.title) }
            (PreEscaped(markdown::to_html(&a.body_markdown)))
        }
    };
    Ok(Frame::new(&state, &caller).page(&a.title, body))
}
