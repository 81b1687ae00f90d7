//! The practice's clinics and their rooms: the list, and a form to add one. A clinic visit needs a free room.

use super::{calendar_crumbs, SavedQuery};
use crate::auth::{Caller, Manager};
use crate::error::WebError;
use crate::extract::{AppQuery, FormPairs};
use crate::pages::Frame;
use crate::routes::{get, Routes};
use crate::state::AppState;
use crate::ui::{self, field, line, Input, Values, DECIMAL, TEXT};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use knead_app::{calendar, AppError};
use knead_core::booking::{Clinic, ClinicInput};
use knead_core::ValidationErrors;
use maud::{html, Markup};

pub(super) fn routes() -> Routes {
    Routes::new().route("/manage/clinics", get(clinics_page).post(add_clinic))
}

async fn clinics_page(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppQuery(q): AppQuery<SavedQuery>,
) -> Result<Response, WebError> {
    render(&state, &caller, &Values::default(), &ValidationErrors::default(), q.notice(), StatusCode::OK).await
}

/// Loads the clinics and shows them above the form, as typed and with its errors when it was refused.
async fn render(
    state: &AppState,
    caller: &Caller,
    values: &Values,
    errors: &ValidationErrors,
    saved: Option<&str>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let clinics = calendar::clinics(state.app()).await?;
    let body = clinics_view(caller, &clinics, values, errors, saved);
    Ok(Frame::signed_in(state, caller).respond(status, "Clinics and rooms", body))
}

fn clinics_view(
    caller: &Caller,
    clinics: &[Clinic],
    values: &Values,
    errors: &ValidationErrors,
    saved: Option<&str>,
) -> Markup {
    html! {
        (calendar_crumbs())
        h1 { "Clinics and rooms" }
        (ui::notice(saved))
        @if clinics.is_empty() { p { "No clinics yet. Clinic services can be booked once a clinic has a room." } }
        @else {
            table.list {
                thead { tr { th { "Clinic" } th { "Address" } th { "Rooms" } } }
                tbody {
                    @for c in clinics {
                        tr {
                            td { (c.name) }
                            td { (c.address) br; span.meta { (format!("{:.4}, {:.4}", c.lat, c.lon)) } }
                            td { (c.rooms.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(", ")) }
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
            (line(values, errors, "address", "Address", TEXT, "Shown to clients who book a clinic visit."))
            div.row {
                (line(values, errors, "lat", "Latitude", DECIMAL, ""))
                (line(values, errors, "lon", "Longitude", DECIMAL, ""))
            }
            (field(values, errors, "rooms", "Rooms", Input::Area(3), "One room name per line; a clinic visit needs a free room."))
            button type="submit" { "Add clinic" }
        }
    }
}

/// The domain names each room (`rooms[1]`); the form has one box for them all.
fn clinic_field(api_field: &str) -> String {
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
    // Examples from the practice's own service area, so they name a place it serves.
    let area = calendar::settings(state.app()).await?.service_area;
    let mut read = ValidationErrors::default();
    let input = ClinicInput {
        name: values.get("name").to_string(),
        address: values.get("address").to_string(),
        lat: ui::decimal(&mut read, &values, "lat", &area.lat.to_string()),
        lon: ui::decimal(&mut read, &values, "lon", &area.lon.to_string()),
        rooms: values.get("rooms").lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect(),
    };
    let errors = if read.is_empty() {
        match calendar::create_clinic(state.app(), &input).await {
            Ok(_) => return Ok(Redirect::to("/manage/clinics?saved=clinic").into_response()),
            Err(AppError::Invalid(domain)) => ui::merge(read, Err(domain), clinic_field),
            Err(e) => return Err(e.into()),
        }
    } else {
        // Nothing is saved, but the domain still says what else is wrong.
        ui::merge(read, input.validate().map(|_| ()), clinic_field)
    };
    render(&state, &caller, &values, &errors, None, StatusCode::UNPROCESSABLE_ENTITY).await
}
