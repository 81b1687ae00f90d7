//! Staff's client pages: the client list with search (`/manage/clients`), new clients and changes to one's
//! contact details (here), a client's file (`file`), the bookings list by day, therapist and status
//! (`bookings`) and the manager's audit log with its export (`audit`).
//!
//! Managers see every client; a therapist sees only their own clients (those with a visit of theirs), as
//! `knead_app::clients` decides: any other id is "not found", exactly as for an id never used. Clients are
//! refused and signed-out visitors asked to sign in, as on the other staff pages.

mod audit;
mod bookings;
mod file;
pub(crate) mod health;

pub(crate) use file::actor;

use crate::auth::{Caller, SignedIn};
use crate::error::{field_errors, WebError};
use crate::extract::{AppPath, AppQuery, FormPairs};
use crate::pages::Frame;
use crate::routes::{get, Routes};
use crate::state::AppState;
use crate::ui::{self, error_summary, line, Values, DATE, TEXT};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::Timestamp;
use knead_app::{clients, AppError};
use knead_core::intake::{Client, ClientId, ClientInput, SavedAddress};
use knead_core::{Role, ValidationErrors};
use maud::{html, Markup};

pub fn router() -> Routes {
    Routes::new()
        .route("/manage/clients", get(list))
        .route("/manage/clients/new", get(new_form).post(create))
        .route("/manage/clients/{id}", get(file::page))
        .route("/manage/clients/{id}/edit", get(edit_form).post(update))
        .route("/manage/bookings", get(bookings::page))
        .route("/manage/audit", get(audit::page))
        .route("/manage/audit.csv", get(audit::csv))
}

/// Managers and therapists; a client is refused (a manager still to set up a second factor is sent to do
/// that before any page, so never reaches here).
pub(crate) fn staff_only(caller: &Caller) -> Result<(), WebError> {
    match caller.user.role {
        Role::Client => Err(WebError::Forbidden),
        Role::Manager if caller.second_factor_missing => Err(WebError::Forbidden),
        _ => Ok(()),
    }
}

/// An instant as a short date and time in the practice's zone and way of writing times.
pub(crate) fn date_time(ts: Timestamp) -> String {
    crate::pages::page_locale().date_time(ts)
}

/// A client `viewer` may not see is "not found", the same answer as for an id no client has.
fn hidden(e: AppError) -> WebError {
    match e {
        AppError::NotFound { .. } => WebError::not_found("client"),
        other => other.into(),
    }
}

/// The trail above the client pages: Manage (for managers) / Clients, then `trail`.
fn crumbs(caller: &Caller, trail: &[(&str, &str)]) -> Markup {
    html! {
        p.crumbs {
            @if caller.is_manager() { a href="/manage" { "Manage" } " / " }
            a href="/manage/clients" { "Clients" }
            @for (path, label) in trail { " / " a href=(path) { (label) } }
        }
    }
}

/// `?q=...`: what to search for.
#[derive(Debug, Default, serde::Deserialize)]
struct ListQuery {
    q: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppQuery(query): AppQuery<ListQuery>,
) -> Result<Response, WebError> {
    staff_only(&caller)?;
    let q = query.q.unwrap_or_default();
    // knead-web does not name the store's types: the list is read into this page's own rows.
    let found: Vec<Row> = clients::search(state.app(), &caller.user, q.trim())
        .await?
        .into_iter()
        .map(|s| Row { client: s.client, bookings: s.bookings, intake_version: s.intake_version })
        .collect();
    Ok(Frame::signed_in(&state, &caller).page("Clients", list_view(&caller, q.trim(), &found)).into_response())
}

/// A client in the list, with what staff look at first.
struct Row {
    client: Client,
    bookings: i64,
    /// The latest health history's version (0: none yet).
    intake_version: i64,
}

fn list_view(caller: &Caller, q: &str, found: &[Row]) -> Markup {
    let mut values = Values::default();
    values.set("q", q);
    let none = ValidationErrors::default();
    html! {
        @if caller.is_manager() { p.crumbs { a href="/manage" { "Manage" } } }
        h1 { "Clients" }
        @if !caller.is_manager() { p.hint { "Clients with a visit of yours." } }
        p { a.button href="/manage/clients/new" { "New client" } " " a href="/manage/bookings" { "Bookings by day" } }
        form.row role="search" method="get" action="/manage/clients" {
            (line(&values, &none, "q", "Search by name, email or phone", TEXT, ""))
            div.field.submit { button type="submit" { "Search" } }
        }
        @if found.is_empty() {
            p.meta { @if q.is_empty() { "No clients yet." } @else { "No client matches “" (q) "”." } }
        } @else {
            div.table-scroll tabindex="0" role="region" aria-label="Clients" {
                table.list.clients {
                    caption.visually-hidden { "Clients" @if !q.is_empty() { " matching “" (q) "”" } }
                    thead { tr { th scope="col" { "Name" } th scope="col" { "Email" } th scope="col" { "Phone" } th scope="col" { "Bookings" } th scope="col" { "Health history" } } }
                    tbody {
                        @for s in found {
                            tr {
                                td { a href={ "/manage/clients/" (s.client.id.0) } { (s.client.name) } }
                                td { (s.client.email.as_str()) }
                                td { (s.client.phone) }
                                td { (s.bookings) }
                                td { @if s.intake_version == 0 { "None yet" } @else { "Version " (s.intake_version) } }
                            }
                        }
                    }
                }
            }
            p.meta { (found.len()) @if found.len() == 1 { " client" } @else { " clients" } }
        }
    }
}

/// A client's contact details as the form shows them.
fn values_of(c: &Client) -> Values {
    let mut v = Values::default();
    v.set("name", c.name.clone());
    v.set("email", c.email.as_str());
    v.set("phone", c.phone.clone());
    v.set("date_of_birth", c.date_of_birth.map(|d| d.to_string()).unwrap_or_default());
    v
}

/// The form's values as the app's input; the saved addresses are kept (less any ticked for removal).
fn input_of(v: &Values, kept: Vec<SavedAddress>) -> ClientInput {
    let dob = v.get("date_of_birth").trim();
    ClientInput {
        name: v.get("name").to_string(),
        email: v.get("email").to_string(),
        phone: v.get("phone").to_string(),
        date_of_birth: (!dob.is_empty()).then(|| dob.to_string()),
        addresses: kept,
    }
}

fn client_form(
    caller: &Caller,
    action: &str,
    values: &Values,
    errors: &ValidationErrors,
    addresses: &[SavedAddress],
    button: &str,
) -> Markup {
    html! {
        (error_summary(errors, "The client was not saved:"))
        form.stack method="post" action=(action) novalidate {
            (ui::csrf_field(Some(caller)))
            (line(values, errors, "name", "Full name", ui::Typed { autocomplete: Some("off"), ..TEXT }, ""))
            (line(values, errors, "email", "Email", ui::Typed { html_type: "email", inputmode: None, autocomplete: Some("off") }, ""))
            (line(values, errors, "phone", "Phone", ui::Typed { html_type: "tel", inputmode: None, autocomplete: Some("off") }, "Optional."))
            (line(values, errors, "date_of_birth", "Date of birth", DATE, "Optional. Some precautions depend on age."))
            @if !addresses.is_empty() {
                fieldset {
                    legend { "Saved addresses" }
                    @for (i, a) in addresses.iter().enumerate() {
                        label.check { input type="checkbox" name="remove_address" value=(i); " Remove “" (a.label) "”: " (a.address) }
                    }
                }
            }
            div { button type="submit" { (button) } }
        }
    }
}

async fn new_form(State(state): State<AppState>, SignedIn(caller): SignedIn) -> Result<Response, WebError> {
    staff_only(&caller)?;
    let body = html! {
        (crumbs(&caller, &[]))
        h1 { "New client" }
        (client_form(&caller, "/manage/clients/new", &Values::default(), &ValidationErrors::default(), &[], "Add the client"))
    };
    Ok(Frame::signed_in(&state, &caller).page("New client", body).into_response())
}

async fn create(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    form: FormPairs,
) -> Result<Response, WebError> {
    staff_only(&caller)?;
    caller.check_csrf(form.get("csrf"))?;
    let values = Values::from_form(form.0);
    match clients::create_client(state.app(), &caller.user, &input_of(&values, Vec::new())).await {
        Ok(c) => {
            tracing::info!(client_id = c.id.0, "client added by staff");
            Ok(Redirect::to(&format!("/manage/clients/{}?saved=new", c.id.0)).into_response())
        }
        Err(e) => {
            let Some(errors) = field_errors(&e) else { return Err(e.into()) };
            let body = html! {
                (crumbs(&caller, &[]))
                h1 { "New client" }
                (client_form(&caller, "/manage/clients/new", &values, &errors, &[], "Add the client"))
            };
            Ok(Frame::signed_in(&state, &caller).respond(StatusCode::UNPROCESSABLE_ENTITY, "New client", body))
        }
    }
}

fn edit_page(caller: &Caller, c: &Client, values: &Values, errors: &ValidationErrors) -> Markup {
    let path = format!("/manage/clients/{}", c.id.0);
    html! {
        (crumbs(caller, &[(path.as_str(), c.name.as_str())]))
        h1 { "Change " (c.name) "’s details" }
        (client_form(caller, &format!("{path}/edit"), values, errors, &c.addresses, "Save the details"))
        p { a href=(path) { "Back to the client" } }
    }
}

async fn edit_form(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
) -> Result<Response, WebError> {
    staff_only(&caller)?;
    let c = clients::contact(state.app(), &caller.user, ClientId(id)).await.map_err(hidden)?;
    let body = edit_page(&caller, &c, &values_of(&c), &ValidationErrors::default());
    Ok(Frame::signed_in(&state, &caller).page("Change a client's details", body).into_response())
}

async fn update(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    staff_only(&caller)?;
    caller.check_csrf(form.get("csrf"))?;
    let c = clients::contact(state.app(), &caller.user, ClientId(id)).await.map_err(hidden)?;
    let removed: Vec<usize> =
        form.0.iter().filter(|(k, _)| k == "remove_address").filter_map(|(_, v)| v.parse().ok()).collect();
    let kept = c.addresses.iter().enumerate().filter(|(i, _)| !removed.contains(i)).map(|(_, a)| a.clone()).collect();
    let values = Values::from_form(form.0.into_iter().filter(|(k, _)| k != "remove_address").collect());
    match clients::update_client(state.app(), &caller.user, c.id, &input_of(&values, kept)).await {
        Ok(_) => {
            tracing::info!(client_id = id, "client's details changed by staff");
            Ok(Redirect::to(&format!("/manage/clients/{id}?saved=details")).into_response())
        }
        Err(e) => {
            let Some(errors) = field_errors(&e) else { return Err(hidden(e)) };
            let body = edit_page(&caller, &c, &values, &errors);
            Ok(Frame::signed_in(&state, &caller).respond(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Change a client's details",
                body,
            ))
        }
    }
}
