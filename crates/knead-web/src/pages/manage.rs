//! The manager's pages for the catalog and content: list, create, edit, archive and restore
//! services, therapist profiles and articles.
//!
//! One set of generic handlers serves all three; each resource says how it reads and shows its
//! form through `Managed`. Every post checks the session's CSRF token, and a refused form is shown
//! again as typed, with each message beside its field, having written nothing.

use super::forms::{self, field, Input, Values};
use super::Frame;
use crate::auth::{Caller, Manager};
use crate::error::{NotFoundAs, WebError};
use crate::extract::{AppPath, FormPairs};
use crate::AppState;
use async_trait::async_trait;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use jiff::Timestamp;
use knead_core::money::format_cents;
use knead_core::{
    AddOnInput, Article, ArticleDraft, ArticleId, ArticleInput, Kind, Place, Service, ServiceDraft, ServiceId,
    ServiceInput, Therapist, TherapistDraft, TherapistId, TherapistInput, ValidationErrors,
};
use knead_store::{Store, StoreError, StoreResult};
use maud::{html, Markup};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/manage", get(dashboard))
        .merge(routes::<Services>())
        .merge(routes::<Therapists>())
        .merge(routes::<Articles>())
}

fn routes<R: Managed>() -> Router<AppState> {
    let base = format!("/manage/{}", R::PATH);
    Router::new()
        .route(&base, get(list::<R>))
        .route(&format!("{base}/new"), get(new_form::<R>).post(create::<R>))
        .route(&format!("{base}/{{id}}"), get(edit_form::<R>).post(update::<R>))
        .route(&format!("{base}/{{id}}/archive"), post(archive::<R>))
        .route(&format!("{base}/{{id}}/restore"), post(restore::<R>))
}

/// How one resource appears in the manager's pages.
#[async_trait]
pub trait Managed: Send + Sync + 'static {
    type Item: Send + Sync;
    type Input: Send + Sync;
    type Draft: Send + Sync;
    /// "services": the URL segment.
    const PATH: &'static str;
    const SINGULAR: &'static str;
    const PLURAL: &'static str;

    fn id(item: &Self::Item) -> i64;
    fn title(item: &Self::Item) -> &str;
    fn archived(item: &Self::Item) -> bool;
    fn summary(item: &Self::Item) -> String;
    fn public_path(item: &Self::Item) -> String;
    /// The form prefilled from a stored item.
    fn values_of(item: &Self::Item) -> Values;
    /// Reads typed values into an input, pushing errors for what cannot be read (a price of "abc").
    /// May renumber repeated rows, so errors line up with what is shown again.
    fn read_form(values: &mut Values, errors: &mut ValidationErrors) -> Option<Self::Input>;
    fn validate(input: &Self::Input) -> Result<Self::Draft, ValidationErrors>;
    fn fields(values: &Values, errors: &ValidationErrors) -> Markup;

    async fn list(store: &dyn Store) -> StoreResult<Vec<Self::Item>>;
    async fn get(store: &dyn Store, id: i64) -> StoreResult<Self::Item>;
    async fn create(store: &dyn Store, draft: &Self::Draft, now: Timestamp) -> StoreResult<Self::Item>;
    async fn update(store: &dyn Store, id: i64, draft: &Self::Draft, now: Timestamp) -> StoreResult<Self::Item>;
    async fn set_archived(store: &dyn Store, id: i64, archived: bool, now: Timestamp) -> StoreResult<Self::Item>;
}

async fn dashboard(State(app): State<AppState>, Manager(caller): Manager) -> Html<String> {
    let frame = Frame { app: &app, caller: Some(&caller) };
    frame.page(
        "Manage",
        html! {
            h1 { "Manage the practice" }
            div.grid {
                @for (path, title, text) in [
                    (Services::PATH, Services::PLURAL, "What you sell: length, price, where, add-ons."),
                    (Therapists::PATH, Therapists::PLURAL, "Public profiles: credentials, modalities, languages."),
                    (Articles::PATH, Articles::PLURAL, "Educational articles in Markdown."),
                    ("calendar", "Calendar and booking", "Therapists' hours, time off and calendars; clinics and rooms; booking settings."),
                ] {
                    article.card { h3 { a href={ "/manage/" (path) } { (title) } } p { (text) } }
                }
            }
        },
    )
}

async fn list<R: Managed>(State(app): State<AppState>, Manager(caller): Manager) -> Result<Html<String>, WebError> {
    let items = R::list(app.store().as_ref()).await?;
    let csrf = caller.csrf_token().unwrap_or("");
    let frame = Frame { app: &app, caller: Some(&caller) };
    Ok(frame.page(
        R::PLURAL,
        html! {
            p.crumbs { a href="/manage" { "Manage" } }
            h1 { (R::PLURAL) }
            p { a.button href={ "/manage/" (R::PATH) "/new" } { "New " (R::SINGULAR) } }
            table.list {
                thead { tr { th { "Name" } th { "Details" } th { "Status" } th { span.visually-hidden { "Actions" } } } }
                tbody {
                    @for item in &items {
                        @let id = R::id(item);
                        tr.archived[R::archived(item)] {
                            td { a href={ "/manage/" (R::PATH) "/" (id) } { (R::title(item)) } }
                            td { (R::summary(item)) }
                            td { @if R::archived(item) { "Archived" } @else { a href=(R::public_path(item)) { "Public" } } }
                            td {
                                form.inline method="post" action={ "/manage/" (R::PATH) "/" (id) "/" (if R::archived(item) { "restore" } else { "archive" }) } {
                                    input type="hidden" name="csrf" value=(csrf);
                                    button.secondary type="submit" { @if R::archived(item) { "Restore" } @else { "Archive" } }
                                }
                            }
                        }
                    }
                }
            }
        },
    ))
}

fn form_page<R: Managed>(
    frame: &Frame<'_>,
    heading: &str,
    action: &str,
    values: &Values,
    errors: &ValidationErrors,
) -> Html<String> {
    let csrf = frame.caller.and_then(|c| c.csrf_token()).unwrap_or("");
    frame.page(
        heading,
        html! {
            p.crumbs { a href="/manage" { "Manage" } " / " a href={ "/manage/" (R::PATH) } { (R::PLURAL) } }
            h1 { (heading) }
            form.stack method="post" action=(action) novalidate {
                @if !errors.0.is_empty() {
                    div.error-summary role="alert" {
                        p { "Nothing was saved. Please correct these:" }
                        ul { @for e in &errors.0 { li { a href={ "#" (e.field.replace(['[', ']', '.'], "_")) } { (e.field) } ": " (e.detail) } } }
                    }
                }
                input type="hidden" name="csrf" value=(csrf);
                (R::fields(values, errors))
                button type="submit" { "Save" }
            }
        },
    )
}

async fn new_form<R: Managed>(State(app): State<AppState>, Manager(caller): Manager) -> Html<String> {
    let frame = Frame { app: &app, caller: Some(&caller) };
    let action = format!("/manage/{}/new", R::PATH);
    form_page::<R>(&frame, &format!("New {}", R::SINGULAR), &action, &Values::default(), &ValidationErrors::default())
}

async fn edit_form<R: Managed>(
    State(app): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
) -> Result<Html<String>, WebError> {
    let item = R::get(app.store().as_ref(), id).await.not_found_as(R::SINGULAR)?;
    let frame = Frame { app: &app, caller: Some(&caller) };
    let action = format!("/manage/{}/{id}", R::PATH);
    Ok(form_page::<R>(
        &frame,
        &format!("Edit {}", R::title(&item)),
        &action,
        &R::values_of(&item),
        &ValidationErrors::default(),
    ))
}

/// Reads and checks a submitted form: the values as typed, and the draft to save or the errors.
fn check<R: Managed>(form: FormPairs) -> (Values, Result<R::Draft, ValidationErrors>) {
    let mut values = Values(form.0.into_iter().filter(|(k, _)| k != "csrf").collect());
    let mut errors = ValidationErrors::default();
    let input = R::read_form(&mut values, &mut errors);
    let checked = match input.map(|i| R::validate(&i)) {
        Some(Ok(draft)) if errors.0.is_empty() => Ok(draft),
        Some(result) => Err(forms::merge(errors, result.map(|_| ()))),
        None => Err(errors),
    };
    (values, checked)
}

async fn save<R: Managed>(
    app: AppState,
    caller: Caller,
    form: FormPairs,
    id: Option<i64>,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    let (values, checked) = check::<R>(form);
    let (status, errors) = match checked {
        Ok(draft) => {
            let store = app.store().as_ref();
            let saved = match id {
                Some(id) => R::update(store, id, &draft, app.now()).await,
                None => R::create(store, &draft, app.now()).await,
            };
            match saved {
                Ok(_) => return Ok(Redirect::to(&format!("/manage/{}", R::PATH)).into_response()),
                Err(StoreError::Conflict { field }) => (
                    StatusCode::CONFLICT,
                    ValidationErrors::single("taken", field, format!("this {field} is already in use; choose another")),
                ),
                Err(StoreError::NotFound) => return Err(WebError::NotFound { what: R::SINGULAR }),
                Err(e) => return Err(e.into()),
            }
        }
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors),
    };
    let frame = Frame { app: &app, caller: Some(&caller) };
    let (heading, action) = match id {
        Some(id) => (format!("Edit {}", R::SINGULAR), format!("/manage/{}/{id}", R::PATH)),
        None => (format!("New {}", R::SINGULAR), format!("/manage/{}/new", R::PATH)),
    };
    Ok((status, form_page::<R>(&frame, &heading, &action, &values, &errors)).into_response())
}

async fn create<R: Managed>(
    State(app): State<AppState>,
    Manager(caller): Manager,
    form: FormPairs,
) -> Result<Response, WebError> {
    save::<R>(app, caller, form, None).await
}

async fn update<R: Managed>(
    State(app): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    save::<R>(app, caller, form, Some(id)).await
}

async fn set_archived<R: Managed>(
    app: AppState,
    caller: Caller,
    id: i64,
    archived: bool,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    R::set_archived(app.store().as_ref(), id, archived, app.now()).await.not_found_as(R::SINGULAR)?;
    Ok(Redirect::to(&format!("/manage/{}", R::PATH)).into_response())
}

async fn archive<R: Managed>(
    State(app): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    set_archived::<R>(app, caller, id, true, form).await
}

async fn restore<R: Managed>(
    State(app): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    set_archived::<R>(app, caller, id, false, form).await
}

pub struct Services;
pub struct Therapists;
pub struct Articles;

const PLACES: [(&str, &str); 3] =
    [("mobile", "At the client's home or office"), ("clinic", "At the clinic"), ("both", "Either")];
const KINDS: [(&str, &str); 4] = [
    ("individual", "Individual"),
    ("couples", "Couples (two therapists)"),
    ("chair", "Office chair massage"),
    ("party", "Spa party"),
];

fn minutes_text(m: i64) -> String {
    m.to_string()
}

fn dollars(cents: i64) -> String {
    format_cents(cents).trim_start_matches('$').to_string()
}

#[async_trait]
impl Managed for Services {
    type Item = Service;
    type Input = ServiceInput;
    type Draft = ServiceDraft;
    const PATH: &'static str = "services";
    const SINGULAR: &'static str = "service";
    const PLURAL: &'static str = "Services";

    fn id(s: &Service) -> i64 {
        s.id.0
    }
    fn title(s: &Service) -> &str {
        &s.name
    }
    fn archived(s: &Service) -> bool {
        s.archived
    }
    fn summary(s: &Service) -> String {
        format!(
            "{} min · {} · {} · {}",
            s.duration_minutes,
            format_cents(s.price_cents),
            s.place.as_str(),
            s.kind.as_str()
        )
    }
    fn public_path(s: &Service) -> String {
        format!("/services/{}", s.slug)
    }

    fn values_of(s: &Service) -> Values {
        let mut v = Values::default();
        v.set("name", &s.name);
        v.set("slug", s.slug.as_str());
        v.set("description", &s.description);
        v.set("duration_minutes", minutes_text(s.duration_minutes));
        v.set("price", dollars(s.price_cents));
        v.set("modality", &s.modality);
        v.set("place", s.place.as_str());
        v.set("kind", s.kind.as_str());
        v.set("buffer_minutes", minutes_text(s.buffer_minutes));
        for (i, a) in s.add_ons.iter().enumerate() {
            v.set(format!("add_ons[{i}].name"), &a.name);
            v.set(format!("add_ons[{i}].price"), dollars(a.price_cents));
            v.set(format!("add_ons[{i}].extra_minutes"), minutes_text(a.extra_minutes));
        }
        v
    }

    fn read_form(values: &mut Values, errors: &mut ValidationErrors) -> Option<ServiceInput> {
        let duration_minutes = forms::whole_number(errors, values, "duration_minutes", "duration_minutes");
        let price_cents = forms::money(errors, values, "price", "price_cents");
        let buffer_minutes = forms::whole_number(errors, values, "buffer_minutes", "buffer_minutes");
        let place = Place::parse("place", values.get("place")).map_err(|e| errors.push(e)).ok();
        let kind = Kind::parse("kind", values.get("kind")).map_err(|e| errors.push(e)).ok();
        // Add-on rows: blank rows are skipped and the rest renumbered, so errors match the rows shown again.
        let mut rows = Vec::new();
        for i in 0..ServiceInput::MAX_ADD_ONS + 5 {
            let get = |f: &str| values.get(&format!("add_ons[{i}].{f}")).to_string();
            let (name, price, extra) = (get("name"), get("price"), get("extra_minutes"));
            if !(name.trim().is_empty() && price.trim().is_empty() && extra.trim().is_empty()) {
                rows.push((name, price, extra));
            }
        }
        values.0.retain(|(k, _)| !k.starts_with("add_ons["));
        let mut add_ons = Vec::new();
        for (i, (name, price, extra)) in rows.into_iter().enumerate() {
            values.set(format!("add_ons[{i}].name"), name.clone());
            values.set(format!("add_ons[{i}].price"), price);
            values.set(format!("add_ons[{i}].extra_minutes"), extra);
            let price_cents =
                forms::money(errors, values, &format!("add_ons[{i}].price"), &format!("add_ons[{i}].price_cents"));
            let extra_minutes = forms::whole_number(
                errors,
                values,
                &format!("add_ons[{i}].extra_minutes"),
                &format!("add_ons[{i}].extra_minutes"),
            );
            add_ons.push(AddOnInput { name, price_cents, extra_minutes });
        }
        Some(ServiceInput {
            slug: Some(values.get("slug").to_string()),
            name: values.get("name").to_string(),
            description: values.get("description").to_string(),
            duration_minutes,
            price_cents,
            modality: values.get("modality").to_string(),
            place: place?,
            kind: kind?,
            buffer_minutes,
            add_ons,
        })
    }

    fn validate(input: &ServiceInput) -> Result<ServiceDraft, ValidationErrors> {
        input.validate()
    }

    fn fields(v: &Values, e: &ValidationErrors) -> Markup {
        let rows =
            (0..ServiceInput::MAX_ADD_ONS).take_while(|i| !v.get(&format!("add_ons[{i}].name")).is_empty()).count();
        html! {
            (field(v, e, "name", "Name", Input::Text, ""))
            (field(v, e, "slug", "Web address", Input::Text, "Lowercase words joined by hyphens; leave empty to make one from the name."))
            (field(v, e, "description", "Description", Input::Area(5), ""))
            div.row {
                (field(v, e, "duration_minutes", "Length (minutes)", Input::Number, ""))
                (field(v, e, "price", "Price ($)", Input::Money, ""))
                (field(v, e, "buffer_minutes", "Buffer (minutes)", Input::Number, "Set-up and pack-up time."))
            }
            (field(v, e, "modality", "Modality", Input::Text, "E.g. Swedish, deep tissue."))
            div.row {
                (field(v, e, "place", "Where", Input::Select(&PLACES), ""))
                (field(v, e, "kind", "Kind", Input::Select(&KINDS), ""))
            }
            fieldset {
                legend { "Add-ons" }
                p.hint { "Leave a row empty to skip it." }
                @for i in 0..(rows + 2).min(ServiceInput::MAX_ADD_ONS) {
                    div.row {
                        (field(v, e, &format!("add_ons[{i}].name"), "Add-on", Input::Text, ""))
                        (field(v, e, &format!("add_ons[{i}].price"), "Price ($)", Input::Money, ""))
                        (field(v, e, &format!("add_ons[{i}].extra_minutes"), "Adds (minutes)", Input::Number, ""))
                    }
                }
            }
        }
    }

    async fn list(store: &dyn Store) -> StoreResult<Vec<Service>> {
        store.list_services(true).await
    }
    async fn get(store: &dyn Store, id: i64) -> StoreResult<Service> {
        store.service(ServiceId(id)).await
    }
    async fn create(store: &dyn Store, d: &ServiceDraft, now: Timestamp) -> StoreResult<Service> {
        store.create_service(d, now).await
    }
    async fn update(store: &dyn Store, id: i64, d: &ServiceDraft, now: Timestamp) -> StoreResult<Service> {
        store.update_service(ServiceId(id), d, now).await
    }
    async fn set_archived(store: &dyn Store, id: i64, archived: bool, now: Timestamp) -> StoreResult<Service> {
        store.set_service_archived(ServiceId(id), archived, now).await
    }
}

#[async_trait]
impl Managed for Therapists {
    type Item = Therapist;
    type Input = TherapistInput;
    type Draft = TherapistDraft;
    const PATH: &'static str = "therapists";
    const SINGULAR: &'static str = "therapist";
    const PLURAL: &'static str = "Therapists";

    fn id(t: &Therapist) -> i64 {
        t.id.0
    }
    fn title(t: &Therapist) -> &str {
        &t.name
    }
    fn archived(t: &Therapist) -> bool {
        t.archived
    }
    fn summary(t: &Therapist) -> String {
        t.credentials.clone()
    }
    fn public_path(t: &Therapist) -> String {
        format!("/therapists/{}", t.slug)
    }

    fn values_of(t: &Therapist) -> Values {
        let mut v = Values::default();
        v.set("name", &t.name);
        v.set("slug", t.slug.as_str());
        v.set("credentials", &t.credentials);
        v.set("registration_number", &t.registration_number);
        v.set("bio", &t.bio);
        v.set("modalities", t.modalities.join(", "));
        v.set("conditions", t.conditions.join(", "));
        v.set("languages", t.languages.join(", "));
        v
    }

    fn read_form(v: &mut Values, _errors: &mut ValidationErrors) -> Option<TherapistInput> {
        Some(TherapistInput {
            slug: Some(v.get("slug").to_string()),
            name: v.get("name").to_string(),
            credentials: v.get("credentials").to_string(),
            registration_number: v.get("registration_number").to_string(),
            bio: v.get("bio").to_string(),
            modalities: forms::labels(v, "modalities"),
            conditions: forms::labels(v, "conditions"),
            languages: forms::labels(v, "languages"),
        })
    }

    fn validate(input: &TherapistInput) -> Result<TherapistDraft, ValidationErrors> {
        input.validate()
    }

    fn fields(v: &Values, e: &ValidationErrors) -> Markup {
        let comma = "Separate with commas.";
        html! {
            (field(v, e, "name", "Name", Input::Text, ""))
            (field(v, e, "slug", "Web address", Input::Text, "Leave empty to make one from the name."))
            (field(v, e, "credentials", "Credentials", Input::Text, "E.g. RMT, diploma in massage therapy."))
            (field(v, e, "registration_number", "Registration number", Input::Text, "Shown on the profile and receipts."))
            (field(v, e, "bio", "Bio", Input::Area(6), ""))
            (field(v, e, "modalities", "Modalities", Input::Text, comma))
            (field(v, e, "conditions", "Conditions treated", Input::Text, comma))
            (field(v, e, "languages", "Languages", Input::Text, comma))
        }
    }

    async fn list(store: &dyn Store) -> StoreResult<Vec<Therapist>> {
        store.list_therapists(true).await
    }
    async fn get(store: &dyn Store, id: i64) -> StoreResult<Therapist> {
        store.therapist(TherapistId(id)).await
    }
    async fn create(store: &dyn Store, d: &TherapistDraft, now: Timestamp) -> StoreResult<Therapist> {
        store.create_therapist(d, now).await
    }
    async fn update(store: &dyn Store, id: i64, d: &TherapistDraft, now: Timestamp) -> StoreResult<Therapist> {
        store.update_therapist(TherapistId(id), d, now).await
    }
    async fn set_archived(store: &dyn Store, id: i64, archived: bool, now: Timestamp) -> StoreResult<Therapist> {
        store.set_therapist_archived(TherapistId(id), archived, now).await
    }
}

#[async_trait]
impl Managed for Articles {
    type Item = Article;
    type Input = ArticleInput;
    type Draft = ArticleDraft;
    const PATH: &'static str = "articles";
    const SINGULAR: &'static str = "article";
    const PLURAL: &'static str = "Articles";

    fn id(a: &Article) -> i64 {
        a.id.0
    }
    fn title(a: &Article) -> &str {
        &a.title
    }
    fn archived(a: &Article) -> bool {
        a.archived
    }
    fn summary(a: &Article) -> String {
        a.summary.chars().take(90).collect()
    }
    fn public_path(a: &Article) -> String {
        format!("/articles/{}", a.slug)
    }

    fn values_of(a: &Article) -> Values {
        let mut v = Values::default();
        v.set("title", &a.title);
        v.set("slug", a.slug.as_str());
        v.set("summary", &a.summary);
        v.set("body_markdown", &a.body_markdown);
        v
    }

    fn read_form(v: &mut Values, _errors: &mut ValidationErrors) -> Option<ArticleInput> {
        Some(ArticleInput {
            slug: Some(v.get("slug").to_string()),
            title: v.get("title").to_string(),
            summary: v.get("summary").to_string(),
            body_markdown: v.get("body_markdown").to_string(),
        })
    }

    fn validate(input: &ArticleInput) -> Result<ArticleDraft, ValidationErrors> {
        input.validate()
    }

    fn fields(v: &Values, e: &ValidationErrors) -> Markup {
        html! {
            (field(v, e, "title", "Title", Input::Text, ""))
            (field(v, e, "slug", "Web address", Input::Text, "Leave empty to make one from the title."))
            (field(v, e, "summary", "Summary", Input::Area(2), "One or two sentences for the article list."))
            (field(v, e, "body_markdown", "Text (Markdown)", Input::Area(18), "Headings with ##, lists with -, **bold**. HTML is shown as text. Say what massage may help with; never promise a cure."))
        }
    }

    async fn list(store: &dyn Store) -> StoreResult<Vec<Article>> {
        store.list_articles(true).await
    }
    async fn get(store: &dyn Store, id: i64) -> StoreResult<Article> {
        store.article(ArticleId(id)).await
    }
    async fn create(store: &dyn Store, d: &ArticleDraft, now: Timestamp) -> StoreResult<Article> {
        store.create_article(d, now).await
    }
    async fn update(store: &dyn Store, id: i64, d: &ArticleDraft, now: Timestamp) -> StoreResult<Article> {
        store.update_article(ArticleId(id), d, now).await
    }
    async fn set_archived(store: &dyn Store, id: i64, archived: bool, now: Timestamp) -> StoreResult<Article> {
        store.set_article_archived(ArticleId(id), archived, now).await
    }
}
