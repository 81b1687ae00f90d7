//! The manager's pages for what the practice keeps in lists — services, therapist profiles, articles —
//! each with the same pages: the list, a new and an edit form, archive (after a confirmation) and restore.
//!
//! One set of generic handlers serves all three over `knead_app::listing`; each kind adds only what is
//! about pages through [`Managed`] (its URL, names, form values and fields). Every post checks the
//! session's CSRF token, and a refused form is shown again as typed, with each message beside its field,
//! having written nothing.

use super::crumbs;
use crate::auth::{Caller, Manager};
use crate::error::WebError;
use crate::extract::{AppPath, FormPairs};
use crate::pages::Frame;
use crate::routes::{get, post, Routes};
use crate::state::AppState;
use crate::ui::{self, field, Input, Values, MONEY, NUMBER, TEXT};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use knead_app::catalog::{Services, Therapists};
use knead_app::content::Articles;
use knead_app::listing::{self, Audience, Listing};
use knead_app::AppError;
use knead_core::money::format_cents;
use knead_core::{
    AddOnInput, Article, ArticleInput, Gender, Kind, Place, Service, ServiceInput, Therapist, TherapistInput,
    ValidationErrors,
};
use maud::{html, Markup};

/// The list, form, archive and restore routes of one kind, under `/manage/{PATH}`.
pub(super) fn routes<R: Managed>() -> Routes {
    let base = format!("/manage/{}", R::PATH);
    Routes::new()
        .route(&base, get(list::<R>))
        .route(&format!("{base}/new"), get(new_form::<R>).post(create::<R>))
        .route(&format!("{base}/{{id}}"), get(edit_form::<R>).post(update::<R>))
        .route(&format!("{base}/{{id}}/archive"), post(archive::<R>))
        .route(&format!("{base}/{{id}}/restore"), post(restore::<R>))
}

/// How one listed kind appears in the manager's pages; storing and checking it is `Listing`'s.
pub(super) trait Managed: Listing {
    /// "services": the URL segment.
    const PATH: &'static str;
    /// "Services": the list's heading.
    const PLURAL: &'static str;
    /// What archiving one does, in a sentence, for the confirmation page.
    const ARCHIVE_EFFECT: &'static str;

    fn id(item: &Self::Item) -> i64;
    fn title(item: &Self::Item) -> &str;
    /// One line for the list: length and price, credentials, the start of a summary.
    fn summary(item: &Self::Item) -> String;
    fn public_path(item: &Self::Item) -> String;
    /// The form prefilled from a stored item.
    fn values_of(item: &Self::Item) -> Values;
    /// Reads typed values into an input, pushing errors for what cannot be read (a price of "abc").
    /// May renumber repeated rows, so errors line up with what is shown again.
    fn read_form(values: &mut Values, errors: &mut ValidationErrors) -> Option<Self::Input>;
    fn fields(values: &Values, errors: &ValidationErrors) -> Markup;
}

async fn list<R: Managed>(State(state): State<AppState>, Manager(caller): Manager) -> Result<Html<String>, WebError> {
    let items = listing::list::<R>(state.app(), Audience::Manager).await?;
    Ok(Frame::signed_in(&state, &caller).page(R::PLURAL, list_view::<R>(&caller, &items)))
}

fn list_view<R: Managed>(caller: &Caller, items: &[R::Item]) -> Markup {
    html! {
        (crumbs(&[]))
        h1 { (R::PLURAL) }
        p { a.button href={ "/manage/" (R::PATH) "/new" } { "New " (R::WHAT) } }
        table.list {
            thead { tr { th { "Name" } th { "Details" } th { "Status" } th { span.visually-hidden { "Actions" } } } }
            tbody {
                @for item in items {
                    @let (id, archived) = (R::id(item), R::is_archived(item));
                    tr.archived[archived] {
                        td { a href={ "/manage/" (R::PATH) "/" (id) } { (R::title(item)) } }
                        td { (R::summary(item)) }
                        td { @if archived { "Archived" } @else { a href=(R::public_path(item)) { "Public" } } }
                        td {
                            form.inline method="post" action={ "/manage/" (R::PATH) "/" (id) "/" (if archived { "restore" } else { "archive" }) } {
                                (ui::csrf_field(Some(caller)))
                                button.secondary type="submit" aria-label={ (if archived { "Restore" } else { "Archive" }) " " (R::title(item)) } { @if archived { "Restore" } @else { "Archive" } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Where a form posts and what it is called: a new record, or the one with this id.
fn form_target<R: Managed>(id: Option<i64>) -> String {
    match id {
        Some(id) => format!("/manage/{}/{id}", R::PATH),
        None => format!("/manage/{}/new", R::PATH),
    }
}

fn form_view<R: Managed>(
    caller: &Caller,
    heading: &str,
    action: &str,
    values: &Values,
    errors: &ValidationErrors,
) -> Markup {
    html! {
        (crumbs(&[(&format!("/manage/{}", R::PATH), R::PLURAL)]))
        h1 { (heading) }
        form.stack method="post" action=(action) novalidate {
            (error_summary(errors))
            (ui::csrf_field(Some(caller)))
            (R::fields(values, errors))
            button type="submit" { "Save" }
        }
    }
}

/// The problems above a refused catalog form, each naming its field ("Name is required").
fn error_summary(errors: &ValidationErrors) -> Markup {
    ui::error_summary(errors, "Nothing was saved. Please correct these:")
}

async fn new_form<R: Managed>(State(state): State<AppState>, Manager(caller): Manager) -> Html<String> {
    let heading = format!("New {}", R::WHAT);
    let body =
        form_view::<R>(&caller, &heading, &form_target::<R>(None), &Values::default(), &ValidationErrors::default());
    Frame::signed_in(&state, &caller).page(&heading, body)
}

async fn edit_form<R: Managed>(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
) -> Result<Html<String>, WebError> {
    let item = listing::get::<R>(state.app(), id, Audience::Manager).await?;
    let heading = format!("Edit {}", R::title(&item));
    let values = R::values_of(&item);
    let body = form_view::<R>(&caller, &heading, &form_target::<R>(Some(id)), &values, &ValidationErrors::default());
    Ok(Frame::signed_in(&state, &caller).page(&heading, body))
}

/// Creates (`id` none) or replaces a record from a posted form; a refused form comes back with its errors.
async fn save<R: Managed>(
    state: AppState,
    caller: Caller,
    form: FormPairs,
    id: Option<i64>,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    let mut values = Values::from_form(form.0);
    let mut read = ValidationErrors::default();
    let input = R::read_form(&mut values, &mut read);
    let (status, errors) = match input {
        // Nothing to save, but the domain's checks still say what else is wrong, beside each field.
        Some(input) if !read.is_empty() => {
            (StatusCode::UNPROCESSABLE_ENTITY, ui::merge(read, R::validate(&input).map(|_| ()), str::to_string))
        }
        None => (StatusCode::UNPROCESSABLE_ENTITY, read),
        Some(input) => {
            let saved = match id {
                Some(id) => listing::update::<R>(state.app(), id, &input).await,
                None => listing::create::<R>(state.app(), &input).await,
            };
            match saved {
                Ok(_) => return Ok(Redirect::to(&format!("/manage/{}", R::PATH)).into_response()),
                Err(AppError::Invalid(errors)) => {
                    (StatusCode::UNPROCESSABLE_ENTITY, ui::merge(read, Err(errors), str::to_string))
                }
                Err(AppError::Conflict { field, .. }) => (
                    StatusCode::CONFLICT,
                    ValidationErrors::single("taken", field, format!("this {field} is already in use; choose another")),
                ),
                Err(e) => return Err(e.into()),
            }
        }
    };
    let heading = match id {
        Some(_) => format!("Edit {}", R::WHAT),
        None => format!("New {}", R::WHAT),
    };
    let body = form_view::<R>(&caller, &heading, &form_target::<R>(id), &values, &errors);
    Ok(Frame::signed_in(&state, &caller).respond(status, &heading, body))
}

async fn create<R: Managed>(
    State(state): State<AppState>,
    Manager(caller): Manager,
    form: FormPairs,
) -> Result<Response, WebError> {
    save::<R>(state, caller, form, None).await
}

async fn update<R: Managed>(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    save::<R>(state, caller, form, Some(id)).await
}

async fn set_archived<R: Managed>(
    state: AppState,
    caller: Caller,
    id: i64,
    archived: bool,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    listing::set_archived::<R>(state.app(), id, archived).await?;
    Ok(Redirect::to(&format!("/manage/{}", R::PATH)).into_response())
}

/// Archiving asks first: a post without `confirm=yes` (the list's button) shows what archiving does, with
/// [Archive it] (the same post, confirmed) and [Keep it] (back to the list); no script needed.
async fn archive<R: Managed>(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    if form.get("confirm") == "yes" {
        return set_archived::<R>(state, caller, id, true, form).await;
    }
    caller.check_csrf(form.get("csrf"))?;
    let item = listing::get::<R>(state.app(), id, Audience::Manager).await?;
    let title = format!("Archive ‘{}’?", R::title(&item));
    let body = html! {
        (crumbs(&[(&format!("/manage/{}", R::PATH), R::PLURAL)]))
        h1 { (title) }
        p { (R::ARCHIVE_EFFECT) " You can restore it from the list at any time." }
        form.row method="post" action={ "/manage/" (R::PATH) "/" (id) "/archive" } {
            (ui::csrf_field(Some(&caller)))
            input type="hidden" name="confirm" value="yes";
            button.danger type="submit" { "Archive it" }
            a.button.secondary href={ "/manage/" (R::PATH) } { "Keep it" }
        }
    };
    Ok(Frame::signed_in(&state, &caller).page(&title, body).into_response())
}

async fn restore<R: Managed>(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    set_archived::<R>(state, caller, id, false, form).await
}

const PLACES: [(&str, &str); 3] =
    [("mobile", "At the client's home or office"), ("clinic", "At the clinic"), ("both", "Either")];
const KINDS: [(&str, &str); 4] = [
    ("individual", "Individual"),
    ("couples", "Couples (two therapists)"),
    ("chair", "Office chair massage"),
    ("party", "Spa party"),
];

/// A price as typed in the form: "95.50", without the dollar sign.
fn dollars(cents: i64) -> String {
    format_cents(cents).trim_start_matches('$').to_string()
}

/// The form's add-on rows as `(name, price, extra minutes)`, blank rows left out.
fn add_on_rows(values: &Values) -> Vec<(String, String, String)> {
    // A few more than allowed are read, so the domain can say there are too many.
    (0..ServiceInput::MAX_ADD_ONS + 5)
        .map(|i| {
            let get = |f: &str| values.get(&format!("add_ons[{i}].{f}")).to_string();
            (get("name"), get("price"), get("extra_minutes"))
        })
        .filter(|(name, price, extra)| !(name.trim().is_empty() && price.trim().is_empty() && extra.trim().is_empty()))
        .collect()
}

impl Managed for Services {
    const PATH: &'static str = "services";
    const PLURAL: &'static str = "Services";
    const ARCHIVE_EFFECT: &'static str =
        "It will no longer be offered to clients or shown on the public pages; booked visits keep it.";

    fn id(s: &Service) -> i64 {
        s.id.0
    }
    fn title(s: &Service) -> &str {
        &s.name
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
        v.set("duration_minutes", s.duration_minutes.to_string());
        v.set("price", dollars(s.price_cents));
        v.set("modality", &s.modality);
        v.set("place", s.place.as_str());
        v.set("kind", s.kind.as_str());
        v.set("buffer_minutes", s.buffer_minutes.to_string());
        for (i, a) in s.add_ons.iter().enumerate() {
            v.set(format!("add_ons[{i}].name"), &a.name);
            v.set(format!("add_ons[{i}].price"), dollars(a.price_cents));
            v.set(format!("add_ons[{i}].extra_minutes"), a.extra_minutes.to_string());
        }
        v
    }

    fn read_form(values: &mut Values, errors: &mut ValidationErrors) -> Option<ServiceInput> {
        let duration_minutes = ui::whole_number(errors, values, "duration_minutes", "duration_minutes");
        let price_cents = ui::money(errors, values, "price", "price_cents");
        let buffer_minutes = ui::whole_number(errors, values, "buffer_minutes", "buffer_minutes");
        let place = errors.take(Place::parse("place", values.get("place")));
        let kind = errors.take(Kind::parse("kind", values.get("kind")));
        // Blank add-on rows are skipped and the rest renumbered, so errors match the rows shown again.
        let rows = add_on_rows(values);
        values.0.retain(|(k, _)| !k.starts_with("add_ons["));
        let mut add_ons = Vec::new();
        for (i, (name, price, extra)) in rows.into_iter().enumerate() {
            let (price_name, extra_name) = (format!("add_ons[{i}].price"), format!("add_ons[{i}].extra_minutes"));
            values.set(format!("add_ons[{i}].name"), name.clone());
            values.set(price_name.clone(), price);
            values.set(extra_name.clone(), extra);
            let price_cents = ui::money(errors, values, &price_name, &format!("add_ons[{i}].price_cents"));
            let extra_minutes = ui::whole_number(errors, values, &extra_name, &extra_name);
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

    fn fields(v: &Values, e: &ValidationErrors) -> Markup {
        let rows =
            (0..ServiceInput::MAX_ADD_ONS).take_while(|i| !v.get(&format!("add_ons[{i}].name")).is_empty()).count();
        html! {
            (field(v, e, "name", "Name", Input::Line(TEXT), ""))
            (field(v, e, "slug", "Web address", Input::Line(TEXT), "Lowercase words joined by hyphens; leave empty to make one from the name."))
            (field(v, e, "description", "Description", Input::Area(5), ""))
            div.row {
                (field(v, e, "duration_minutes", "Length (minutes)", Input::Line(NUMBER), ""))
                (field(v, e, "price", "Price ($)", Input::Line(MONEY), ""))
                (field(v, e, "buffer_minutes", "Buffer (minutes)", Input::Line(NUMBER), "Set-up and pack-up time."))
            }
            (field(v, e, "modality", "Modality", Input::Line(TEXT), "E.g. Swedish, deep tissue."))
            div.row {
                (field(v, e, "place", "Where", Input::Select(&PLACES), ""))
                (field(v, e, "kind", "Kind", Input::Select(&KINDS), ""))
            }
            fieldset {
                legend { "Add-ons" }
                p.hint { "Leave a row empty to skip it." }
                @for i in 0..(rows + 2).min(ServiceInput::MAX_ADD_ONS) {
                    div.row {
                        (field(v, e, &format!("add_ons[{i}].name"), "Add-on", Input::Line(TEXT), ""))
                        (field(v, e, &format!("add_ons[{i}].price"), "Price ($)", Input::Line(MONEY), ""))
                        (field(v, e, &format!("add_ons[{i}].extra_minutes"), "Adds (minutes)", Input::Line(NUMBER), ""))
                    }
                }
            }
        }
    }
}

/// A therapist's gender on the profile form: unstated, or one of [`Gender::ALL`].
const GENDER_CHOICES: [(&str, &str); 4] =
    [("", "Not stated"), ("female", "Woman"), ("male", "Man"), ("non_binary", "Non-binary")];

impl Managed for Therapists {
    const PATH: &'static str = "therapists";
    const PLURAL: &'static str = "Therapists";
    const ARCHIVE_EFFECT: &'static str =
        "Clients will no longer see this profile or book with them; booked visits stay booked.";

    fn id(t: &Therapist) -> i64 {
        t.id.0
    }
    fn title(t: &Therapist) -> &str {
        &t.name
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
        v.set("gender", t.gender.map_or("", Gender::as_str));
        v
    }

    fn read_form(v: &mut Values, _errors: &mut ValidationErrors) -> Option<TherapistInput> {
        Some(TherapistInput {
            slug: Some(v.get("slug").to_string()),
            name: v.get("name").to_string(),
            credentials: v.get("credentials").to_string(),
            registration_number: v.get("registration_number").to_string(),
            bio: v.get("bio").to_string(),
            modalities: ui::labels(v, "modalities"),
            conditions: ui::labels(v, "conditions"),
            languages: ui::labels(v, "languages"),
            gender: Some(v.get("gender").to_string()),
        })
    }

    fn fields(v: &Values, e: &ValidationErrors) -> Markup {
        let comma = "Separate with commas.";
        html! {
            (field(v, e, "name", "Name", Input::Line(TEXT), ""))
            (field(v, e, "slug", "Web address", Input::Line(TEXT), "Leave empty to make one from the name."))
            (field(v, e, "credentials", "Credentials", Input::Line(TEXT), "E.g. RMT, diploma in massage therapy."))
            (field(v, e, "registration_number", "Registration number", Input::Line(TEXT), "Shown on the profile and receipts."))
            (field(v, e, "bio", "Bio", Input::Area(6), ""))
            (field(v, e, "modalities", "Modalities", Input::Line(TEXT), comma))
            (field(v, e, "conditions", "Conditions treated", Input::Line(TEXT), comma))
            (field(v, e, "languages", "Languages", Input::Line(TEXT), comma))
            (field(v, e, "gender", "Gender", Input::Select(&GENDER_CHOICES),
                "As the therapist states it. Clients who ask for a woman or a man are matched on it; left unstated, the therapist is not offered to them."))
        }
    }
}

impl Managed for Articles {
    const PATH: &'static str = "articles";
    const PLURAL: &'static str = "Articles";
    const ARCHIVE_EFFECT: &'static str = "It will no longer be shown on the public pages.";

    fn id(a: &Article) -> i64 {
        a.id.0
    }
    fn title(a: &Article) -> &str {
        &a.title
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

    fn fields(v: &Values, e: &ValidationErrors) -> Markup {
        html! {
            (field(v, e, "title", "Title", Input::Line(TEXT), ""))
            (field(v, e, "slug", "Web address", Input::Line(TEXT), "Leave empty to make one from the title."))
            (field(v, e, "summary", "Summary", Input::Area(2), "One or two sentences for the article list."))
            (field(v, e, "body_markdown", "Text (Markdown)", Input::Area(18), "Headings with ##, lists with -, **bold**. HTML is shown as text. Say what massage may help with; never promise a cure."))
        }
    }
}
