//! Server-rendered pages: the public site (home, services, therapists, articles), sign-in, the
//! account page, and the manager's catalog pages (`manage`).
//!
//! Pages are plain HTML with one small stylesheet and work without script, so they load fast on a phone;
//! the booking flow adds one optional "use my location" button.

pub mod booking;
pub mod calendar;
pub mod forms;
pub mod manage;

use crate::auth::{self, Caller, ClientIp, MaybeCaller, SignedIn};
use crate::error::{NotFoundAs, RenderedError, WebError};
use crate::extract::{AppPath, FormPairs};
use crate::markdown;
use crate::AppState;
use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use knead_core::money::format_cents;
use knead_core::{Article, Role, Service, Therapist};
use maud::{html, Markup, PreEscaped, DOCTYPE};

pub const STYLESHEET: &str = include_str!("../../assets/style.css");

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/services", get(services))
        .route("/services/{slug}", get(service))
        .route("/therapists", get(therapists))
        .route("/therapists/{slug}", get(therapist))
        .route("/articles", get(articles))
        .route("/articles/{slug}", get(article))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/account", get(account))
        .merge(manage::router())
        .merge(booking::router())
        .merge(calendar::router())
        .route("/static/style.css", get(stylesheet))
        .fallback(|| async { WebError::NotFound { what: "page" } })
        .layer(middleware::from_fn_with_state(state, render_errors_as_html))
}

/// What every page's frame needs: the practice's name and who is looking.
pub struct Frame<'a> {
    pub app: &'a AppState,
    pub caller: Option<&'a Caller>,
}

impl<'a> Frame<'a> {
    pub fn new(app: &'a AppState, caller: &'a MaybeCaller) -> Frame<'a> {
        Frame { app, caller: caller.0.as_ref() }
    }

    /// The full page around `body`.
    pub fn page(&self, title: &str, body: Markup) -> Html<String> {
        let practice = &self.app.config().practice_name;
        let full_title = if title.is_empty() { practice.clone() } else { format!("{title} · {practice}") };
        Html(
            html! {
                (DOCTYPE)
                html lang="en" {
                    head {
                        meta charset="utf-8";
                        meta name="viewport" content="width=device-width, initial-scale=1";
                        title { (full_title) }
                        link rel="stylesheet" href="/static/style.css";
                    }
                    body {
                        a.skip href="#main" { "Skip to content" }
                        header.site {
                            div.wrap {
                                a.brand href="/" { (practice) }
                                nav aria-label="Main" {
                                    a href="/services" { "Services" }
                                    a href="/therapists" { "Therapists" }
                                    a href="/articles" { "Articles" }
                                    a href="/book" { "Book" }
                                    @match self.caller {
                                        Some(c) => {
                                            @if c.user.role == Role::Manager { a href="/manage" { "Manage" } }
                                            @if c.user.role == Role::Therapist { a href="/calendar" { "Calendar" } }
                                            a href="/account" { "Account" }
                                            form.inline method="post" action="/logout" {
                                                input type="hidden" name="csrf" value=(c.csrf_token().unwrap_or(""));
                                                button.link type="submit" { "Sign out" }
                                            }
                                        }
                                        None => { a href="/login" { "Sign in" } }
                                    }
                                }
                            }
                        }
                        main #main .wrap { (body) }
                        footer.site {
                            div.wrap {
                                p { (practice) " · Massage therapy at home, at the office and in the clinic." }
                                p.small { "Articles here are general information, not medical advice." }
                            }
                        }
                    }
                }
            }
            .into_string(),
        )
    }
}

/// Pages show errors as pages: a sign-in redirect for 401, otherwise a short page with the message.
async fn render_errors_as_html(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let path_and_query = request.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
    let response = next.run(request).await;
    let Some(err) = response.extensions().get::<RenderedError>().cloned() else { return response };
    if err.status == StatusCode::UNAUTHORIZED {
        let next_url = form_urlencoded::byte_serialize(path_and_query.as_bytes()).collect::<String>();
        return Redirect::to(&format!("/login?next={next_url}")).into_response();
    }
    let frame = Frame { app: &app, caller: None };
    let title = match err.status {
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
        s if s.is_server_error() => "Something went wrong",
        _ => "That did not work",
    };
    let body = html! {
        h1 { (title) }
        @for e in &err.body.errors { p.error-summary { (e.detail) } }
        p { a href="/" { "Back to the home page" } }
    };
    let mut out = (err.status, frame.page(title, body)).into_response();
    if let Some(v) = response.headers().get(header::RETRY_AFTER) {
        out.headers_mut().insert(header::RETRY_AFTER, v.clone());
    }
    out
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
        ],
        STYLESHEET,
    )
}

fn minutes(m: i64) -> String {
    match (m / 60, m % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

fn service_card(s: &Service) -> Markup {
    html! {
        article.card {
            h3 { a href={ "/services/" (s.slug) } { (s.name) } }
            p.meta { (minutes(s.duration_minutes)) " · " (format_cents(s.price_cents)) " · " (s.place.label()) }
            @if !s.description.is_empty() { p { (first_sentence(&s.description)) } }
        }
    }
}

fn therapist_card(t: &Therapist) -> Markup {
    html! {
        article.card {
            h3 { a href={ "/therapists/" (t.slug) } { (t.name) } }
            @if !t.credentials.is_empty() { p.meta { (t.credentials) } }
            @if !t.modalities.is_empty() { p { (t.modalities.join(", ")) } }
        }
    }
}

fn article_card(a: &Article) -> Markup {
    html! {
        article.card {
            h3 { a href={ "/articles/" (a.slug) } { (a.title) } }
            @if !a.summary.is_empty() { p { (a.summary) } }
        }
    }
}

fn first_sentence(text: &str) -> &str {
    match text.find(". ") {
        Some(i) => &text[..=i],
        None => text,
    }
}

async fn home(State(app): State<AppState>, caller: MaybeCaller) -> Result<Html<String>, WebError> {
    let services = app.store().list_services(false).await?;
    let therapists = app.store().list_therapists(false).await?;
    let articles = app.store().list_articles(false).await?;
    let body = html! {
        section.hero {
            h1 { "Massage that comes to you" }
            p.lead { "Relaxing and therapeutic massage at your home or office, for one, for two, or for the whole team — and clinic care with a Registered Massage Therapist." }
            p { a.button href="/services" { "See services" } }
        }
        @if !services.is_empty() {
            section { h2 { "Services" } div.grid { @for s in services.iter().take(6) { (service_card(s)) } } }
        }
        @if !therapists.is_empty() {
            section { h2 { "Our therapists" } div.grid { @for t in therapists.iter().take(4) { (therapist_card(t)) } } }
        }
        @if !articles.is_empty() {
            section { h2 { "Learn" } div.grid { @for a in articles.iter().take(3) { (article_card(a)) } } }
        }
    };
    Ok(Frame::new(&app, &caller).page("", body))
}

async fn services(State(app): State<AppState>, caller: MaybeCaller) -> Result<Html<String>, WebError> {
    let services = app.store().list_services(false).await?;
    let body = html! {
        h1 { "Services" }
        @if services.is_empty() { p { "No services are listed yet." } }
        div.grid { @for s in &services { (service_card(s)) } }
    };
    Ok(Frame::new(&app, &caller).page("Services", body))
}

async fn service(
    State(app): State<AppState>,
    caller: MaybeCaller,
    AppPath(slug): AppPath<String>,
) -> Result<Html<String>, WebError> {
    let s = app.store().service_by_slug(&slug).await.not_found_as("service")?;
    if s.archived {
        return Err(WebError::NotFound { what: "service" });
    }
    let body = html! {
        p.crumbs { a href="/services" { "Services" } }
        h1 { (s.name) }
        dl.facts {
            dt { "Length" } dd { (minutes(s.duration_minutes)) }
            dt { "Price" } dd { (format_cents(s.price_cents)) }
            dt { "Where" } dd { (s.place.label()) }
            dt { "For" } dd { (s.kind.label()) }
            @if !s.modality.is_empty() { dt { "Style" } dd { (s.modality) } }
        }
        @if booking::bookable_online(&s) { p { a.button href={ "/book/where?service_id=" (s.id.0) } { "Book" } } }
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
    };
    Ok(Frame::new(&app, &caller).page(&s.name, body))
}

async fn therapists(State(app): State<AppState>, caller: MaybeCaller) -> Result<Html<String>, WebError> {
    let therapists = app.store().list_therapists(false).await?;
    let body = html! {
        h1 { "Therapists" }
        @if therapists.is_empty() { p { "No therapists are listed yet." } }
        div.grid { @for t in &therapists { (therapist_card(t)) } }
    };
    Ok(Frame::new(&app, &caller).page("Therapists", body))
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
    State(app): State<AppState>,
    caller: MaybeCaller,
    AppPath(slug): AppPath<String>,
) -> Result<Html<String>, WebError> {
    let t = app.store().therapist_by_slug(&slug).await.not_found_as("therapist")?;
    if t.archived {
        return Err(WebError::NotFound { what: "therapist" });
    }
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
    Ok(Frame::new(&app, &caller).page(&t.name, body))
}

async fn articles(State(app): State<AppState>, caller: MaybeCaller) -> Result<Html<String>, WebError> {
    let articles = app.store().list_articles(false).await?;
    let body = html! {
        h1 { "Articles" }
        @if articles.is_empty() { p { "No articles yet." } }
        div.grid { @for a in &articles { (article_card(a)) } }
    };
    Ok(Frame::new(&app, &caller).page("Articles", body))
}

async fn article(
    State(app): State<AppState>,
    caller: MaybeCaller,
    AppPath(slug): AppPath<String>,
) -> Result<Html<String>, WebError> {
    let a = app.store().article_by_slug(&slug).await.not_found_as("article")?;
    if a.archived {
        return Err(WebError::NotFound { what: "article" });
    }
    let body = html! {
        p.crumbs { a href="/articles" { "Articles" } }
        article.prose {
            h1 { (a.title) }
            (PreEscaped(markdown::to_html(&a.body_markdown)))
        }
    };
    Ok(Frame::new(&app, &caller).page(&a.title, body))
}

#[derive(serde::Deserialize, Default)]
struct NextQuery {
    next: Option<String>,
}

/// Only same-site paths, so the login form cannot bounce a user to another site.
fn safe_next(next: Option<&str>) -> Option<&str> {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
}

fn login_form(frame: &Frame<'_>, email: &str, next: Option<&str>, error: Option<&str>) -> Html<String> {
    let body = html! {
        div.narrow {
            h1 { "Sign in" }
            form.stack method="post" action="/login" novalidate {
                @if let Some(e) = error { p.error-summary role="alert" { (e) } }
                @if let Some(n) = safe_next(next) { input type="hidden" name="next" value=(n); }
                label for="email" { "Email" }
                input #email type="email" name="email" value=(email) autocomplete="username" required
                    aria-invalid=[error.map(|_| "true")];
                label for="password" { "Password" }
                input #password type="password" name="password" autocomplete="current-password" required;
                button type="submit" { "Sign in" }
            }
        }
    };
    frame.page("Sign in", body)
}

async fn login_page(State(app): State<AppState>, caller: MaybeCaller, Query(q): Query<NextQuery>) -> Html<String> {
    login_form(&Frame::new(&app, &caller), "", q.next.as_deref(), None)
}

async fn login(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    form: FormPairs,
) -> Result<Response, WebError> {
    let (email, password, next) = (form.get("email"), form.get("password"), form.get("next"));
    let frame = Frame { app: &app, caller: None };
    let next = (!next.is_empty()).then_some(next);
    if let Err(e) = app.login_limiter().check(ip, email) {
        let detail = e.body().errors[0].detail.clone();
        return Ok((e.status(), login_form(&frame, email, next, Some(&detail))).into_response());
    }
    let user = match auth::authenticate(&app, email, password).await {
        Ok(user) => user,
        Err(WebError::Invalid(errs)) => {
            let detail = errs.0[0].detail.clone();
            return Ok(
                (StatusCode::UNPROCESSABLE_ENTITY, login_form(&frame, email, next, Some(&detail))).into_response()
            );
        }
        Err(other) => return Err(other),
    };
    // Any session the browser held before is ended; the new one gets a fresh id.
    if let Some(old) = auth::session_cookie(&headers) {
        app.store().delete_session(&auth::secret_hash(&old)).await?;
    }
    let cookie = auth::start_session(&app, &user).await?;
    tracing::info!(user_id = user.id.0, "signed in");
    let default = if user.role == Role::Manager { "/manage" } else { "/account" };
    let to = safe_next(next).unwrap_or(default);
    let mut response = Redirect::to(to).into_response();
    response.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).map_err(WebError::internal)?);
    Ok(response)
}

async fn logout(
    State(app): State<AppState>,
    SignedIn(caller): SignedIn,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    if let auth::Via::Session { token_hash, .. } = &caller.via {
        app.store().delete_session(token_hash).await?;
    }
    let mut response = Redirect::to("/").into_response();
    let clear = auth::session_set_cookie(&app, String::new(), None);
    response.headers_mut().insert(header::SET_COOKIE, HeaderValue::from_str(&clear).map_err(WebError::internal)?);
    Ok(response)
}

/// The signed-in user's own page; a client sees only their own account here.
async fn account(State(app): State<AppState>, caller: MaybeCaller) -> Result<Html<String>, WebError> {
    let Some(c) = caller.0.as_ref() else { return Err(WebError::Unauthenticated) };
    let body = html! {
        h1 { "Your account" }
        dl.facts {
            dt { "Name" } dd { (c.user.name) }
            dt { "Email" } dd { (c.user.email.as_str()) }
            dt { "Role" } dd { (c.user.role.as_str()) }
        }
        @if c.user.role == Role::Manager { p { a.button href="/manage" { "Manage the practice" } } }
    };
    Ok(Frame::new(&app, &caller).page("Your account", body))
}
