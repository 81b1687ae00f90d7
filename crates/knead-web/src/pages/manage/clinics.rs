//! The practice's clinics and their rooms: the list (open and archived), a form to add one, a form to edit
//! one (its name, address and rooms: rename, remove, add), and archiving and restoring. A clinic visit needs
//! a free room; an archived clinic is no longer offered to clients and takes no new bookings.
//!
//! The clinic's position comes from its address, looked up in the practice's map by the use case
//! (`knead_app::calendar`); an edit that keeps the address keeps the position. No form asks for coordinates.

use super::{calendar_crumbs, SavedQuery};
use crate::auth::{Caller, Manager};
use crate::error::WebError;
use crate::extract::{AppPath, AppQuery, FormPairs};
use crate::pages::Frame;
use crate::routes::{get, post, Routes};
use crate::state::AppState;
use crate::ui::{self, field, line, Input, Values, TEXT};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use knead_app::{calendar, AppError};
use knead_core::booking::{Clinic, ClinicId, ClinicInput, RoomInput, RoomRef};
use knead_core::{FieldError, ValidationErrors};
use maud::{html, Markup};

pub(super) fn routes() -> Routes {
    Routes::new()
        .route("/manage/clinics", get(clinics_page).post(add_clinic))
        .route("/manage/clinics/{id}", get(edit_page).post(save_clinic))
        .route("/manage/clinics/{id}/archive", post(archive_clinic))
        .route("/manage/clinics/{id}/restore", post(restore_clinic))
}

async fn clinics_page(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppQuery(q): AppQuery<SavedQuery>,
) -> Result<Response, WebError> {
    render_list(&state, &caller, &Values::default(), &ValidationErrors::default(), q.notice(), StatusCode::OK).await
}

/// Loads every clinic and shows them above the form to add one, as typed and with its errors when refused.
async fn render_list(
    state: &AppState,
    caller: &Caller,
    values: &Values,
    errors: &ValidationErrors,
    saved: Option<&str>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let clinics = calendar::all_clinics(state.app()).await?;
    let body = clinics_view(caller, &clinics, values, errors, saved);
    Ok(Frame::signed_in(state, caller).respond(status, "Clinics and rooms", body))
}

fn room_names(c: &Clinic) -> String {
    c.rooms.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(", ")
}

fn clinics_view(
    caller: &Caller,
    clinics: &[Clinic],
    values: &Values,
    errors: &ValidationErrors,
    saved: Option<&str>,
) -> Markup {
    let (open, archived): (Vec<&Clinic>, Vec<&Clinic>) = clinics.iter().partition(|c| !c.archived);
    html! {
        (calendar_crumbs())
        h1 { "Clinics and rooms" }
        (ui::notice(saved))
        @if open.is_empty() { p { "No clinics open for booking. Clinic services can be booked once a clinic has a room." } }
        @else {
            table.list {
                thead { tr { th { "Clinic" } th { "Address" } th { "Rooms" } th { span.visually-hidden { "Actions" } } } }
                tbody {
                    @for c in &open {
                        tr {
                            td { a href={ "/manage/clinics/" (c.id.0) } { (c.name) } }
                            td { (c.address) }
                            td { (room_names(c)) }
                            td { (archive_button(caller, c)) }
                        }
                    }
                }
            }
        }
        @if !archived.is_empty() {
            h2 { "Archived clinics" }
            p.hint { "Clients do not see these and cannot book them; the visits booked before are kept." }
            table.list {
                thead { tr { th { "Clinic" } th { "Address" } th { span.visually-hidden { "Actions" } } } }
                tbody {
                    @for c in &archived {
                        tr.archived {
                            td { a href={ "/manage/clinics/" (c.id.0) } { (c.name) } }
                            td { (c.address) }
                            td { (archive_button(caller, c)) }
                        }
                    }
                }
            }
        }
        h2 { "Add a clinic" }
        form.stack method="post" action="/manage/clinics" novalidate {
            (ui::error_summary(errors, "Nothing was saved. Please correct these:"))
            (ui::csrf_field(Some(caller)))
            (line(values, errors, "name", "Name", TEXT, ""))
            (ui::address_field(values, errors, "address", "Address", "Shown to clients who book a clinic visit."))
            (field(values, errors, "rooms", "Rooms", Input::Area(3), "One room name per line; a clinic visit needs a free room."))
            button type="submit" { "Add clinic" }
        }
        script src=(crate::pages::ADDRESS_SCRIPT_PATH) defer {}
    }
}

fn archive_button(caller: &Caller, c: &Clinic) -> Markup {
    let (action, label) = if c.archived { ("restore", "Restore") } else { ("archive", "Archive") };
    html! {
        form.inline method="post" action={ "/manage/clinics/" (c.id.0) "/" (action) } {
            (ui::csrf_field(Some(caller)))
            button.secondary type="submit" aria-label={ (label) " " (c.name) } { (label) }
        }
    }
}

/// The domain names each room (`rooms[1]`); the add form has one box for them all.
fn add_form_field(api_field: &str) -> String {
    if api_field.starts_with("rooms") {
        "rooms".into()
    } else {
        api_field.to_string()
    }
}

async fn add_clinic(
    State(state): State<AppState>,
    Manager(caller): Manager,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    let values = Values::from_form(form.0);
    let read = ValidationErrors::default();
    let input = ClinicInput {
        name: values.get("name").to_string(),
        address: values.get("address").to_string(),
        lat: None,
        lon: None,
        rooms: values.get("rooms").lines().map(str::trim).filter(|l| !l.is_empty()).map(RoomInput::from).collect(),
    };
    let errors = if read.is_empty() {
        match calendar::create_clinic(state.app(), &input).await {
            Ok(_) => return Ok(Redirect::to("/manage/clinics?saved=clinic").into_response()),
            Err(AppError::Invalid(domain)) => ui::merge(read, Err(domain), add_form_field),
            Err(e) => return Err(e.into()),
        }
    } else {
        // Nothing is saved, but the domain still says what else is wrong.
        ui::merge(read, input.validate().map(|_| ()), add_form_field)
    };
    render_list(&state, &caller, &values, &errors, None, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// The edit form prefilled from the clinic: each room under `room_<id>`; the position left empty, so an
/// unchanged address keeps it.
fn clinic_values(c: &Clinic) -> Values {
    let mut v = Values::default();
    v.set("name", &c.name);
    v.set("address", &c.address);
    for room in &c.rooms {
        v.set(format!("room_{}", room.id.0), &room.name);
    }
    v
}

async fn edit_page(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
) -> Result<Response, WebError> {
    let clinic = calendar::clinic(state.app(), ClinicId(id)).await?;
    let body = edit_view(&caller, &clinic, &clinic_values(&clinic), &ValidationErrors::default());
    Ok(Frame::signed_in(&state, &caller).respond(StatusCode::OK, &clinic.name, body))
}

fn edit_view(caller: &Caller, c: &Clinic, values: &Values, errors: &ValidationErrors) -> Markup {
    let rooms_error = errors.for_field("rooms");
    html! {
        (super::crumbs(&[("/manage/calendar", "Calendar"), ("/manage/clinics", "Clinics and rooms")]))
        h1 { (c.name) }
        @if c.archived { p.notice { "Archived: clients do not see this clinic and cannot book it." } }
        form.stack method="post" action={ "/manage/clinics/" (c.id.0) } novalidate {
            (ui::error_summary(errors, "Nothing was saved. Please correct these:"))
            (ui::csrf_field(Some(caller)))
            (line(values, errors, "name", "Name", TEXT, ""))
            (ui::address_field(values, errors, "address", "Address", "Shown to clients who book a clinic visit."))
            fieldset #rooms .invalid[rooms_error.is_some()] aria-describedby=[rooms_error.map(|_| "rooms-error")] {
                legend { "Rooms" }
                p.hint { "Rename a room here; its bookings stay with it. A room with visits still to come cannot be removed." }
                @if let Some(e) = rooms_error { span.error #rooms-error { (e) } }
                @for room in &c.rooms {
                    @let name = format!("room_{}", room.id.0);
                    @let remove = format!("remove_{}", room.id.0);
                    div.row {
                        (line(values, errors, &name, &room.name, TEXT, ""))
                        label.check {
                            input type="checkbox" name=(remove) value="on" checked[values.get(&remove) == "on"];
                            " Remove " (room.name)
                        }
                    }
                }
                (field(values, errors, "new_rooms", "Add rooms", Input::Area(2), "One new room name per line."))
            }
            button type="submit" { "Save clinic" }
        }
        script src=(crate::pages::ADDRESS_SCRIPT_PATH) defer {}
        (archive_button(caller, c))
    }
}

/// The edit form as the clinic's input, and for each room of the input the form field it came from: the
/// rooms kept (`room_<id>`, in the form's order, less those ticked for removal), then the new ones.
fn read_edit_form(values: &Values, read: &mut ValidationErrors) -> (ClinicInput, Vec<String>) {
    let mut rooms = Vec::new();
    let mut fields = Vec::new();
    for (key, name) in &values.0 {
        let Some(id) = key.strip_prefix("room_") else { continue };
        let Ok(id) = id.parse::<i64>() else {
            read.push(FieldError::new("invalid", "rooms", "the form named a room that is not one of this clinic's"));
            continue;
        };
        if values.get(&format!("remove_{id}")) != "on" {
            rooms.push(RoomInput::Room(RoomRef { id: Some(id), name: name.clone() }));
            fields.push(key.clone());
        }
    }
    for new in values.get("new_rooms").lines().map(str::trim).filter(|l| !l.is_empty()) {
        rooms.push(RoomInput::from(new));
        fields.push("new_rooms".into());
    }
    let input = ClinicInput {
        name: values.get("name").to_string(),
        address: values.get("address").to_string(),
        lat: None,
        lon: None,
        rooms,
    };
    (input, fields)
}

/// The form field behind a domain field: `rooms[i]...` is the box room `i` came from.
fn edit_form_field(room_fields: &[String], api_field: &str) -> String {
    let index = api_field.strip_prefix("rooms[").and_then(|rest| rest.split(']').next()?.parse::<usize>().ok());
    match index.and_then(|i| room_fields.get(i)) {
        Some(form_field) => form_field.clone(),
        None => api_field.to_string(),
    }
}

async fn save_clinic(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    let clinic = calendar::clinic(state.app(), ClinicId(id)).await?;
    let values = Values::from_form(form.0);
    let mut read = ValidationErrors::default();
    let (input, room_fields) = read_edit_form(&values, &mut read);
    let rename = |api_field: &str| edit_form_field(&room_fields, api_field);
    let errors = if read.is_empty() {
        match calendar::update_clinic(state.app(), clinic.id, &input).await {
            Ok(_) => return Ok(Redirect::to("/manage/clinics?saved=clinic_saved").into_response()),
            Err(AppError::Invalid(domain)) => ui::merge(read, Err(domain), rename),
            Err(e) => return Err(e.into()),
        }
    } else {
        // Without a position typed, the clinic's own stands in: the typing errors already say what is wrong.
        let at = input.given_point().map(|given| given.unwrap_or(clinic.at()));
        ui::merge(read, input.validate_at(at).map(|_| ()), rename)
    };
    let body = edit_view(&caller, &clinic, &values, &errors);
    Ok(Frame::signed_in(&state, &caller).respond(StatusCode::UNPROCESSABLE_ENTITY, &clinic.name, body))
}

async fn set_archived(
    state: AppState,
    caller: Caller,
    id: i64,
    archived: bool,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    calendar::set_clinic_archived(state.app(), ClinicId(id), archived).await?;
    let saved = if archived { "clinic_archived" } else { "clinic_restored" };
    Ok(Redirect::to(&format!("/manage/clinics?saved={saved}")).into_response())
}

/// Archiving asks first: a post without `confirm=yes` shows what archiving does, with [Archive it] (the same
/// post, confirmed) and [Keep it]; no script needed. Restoring needs no confirmation.
async fn archive_clinic(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    if form.get("confirm") == "yes" {
        return set_archived(state, caller, id, true, form).await;
    }
    caller.check_csrf(form.get("csrf"))?;
    let clinic = calendar::clinic(state.app(), ClinicId(id)).await?;
    let title = format!("Archive ‘{}’?", clinic.name);
    let body = html! {
        (super::crumbs(&[("/manage/calendar", "Calendar"), ("/manage/clinics", "Clinics and rooms")]))
        h1 { (title) }
        p {
            "Clients will no longer see this clinic or book it. Visits already booked there stay booked. "
            "You can restore it at any time."
        }
        form.row method="post" action={ "/manage/clinics/" (id) "/archive" } {
            (ui::csrf_field(Some(&caller)))
            input type="hidden" name="confirm" value="yes";
            button.danger type="submit" { "Archive it" }
            a.button.secondary href="/manage/clinics" { "Keep it" }
        }
    };
    Ok(Frame::signed_in(&state, &caller).page(&title, body).into_response())
}

async fn restore_clinic(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    set_archived(state, caller, id, false, form).await
}
