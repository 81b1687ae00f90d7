//! Staff's bookings list, `/manage/bookings`: one day (today unless asked), optionally one therapist and one
//! status; held bookings (waiting for a physician's clearance) stand out. A therapist sees only their own
//! visits, as `knead_app::clients::bookings` decides.

use super::file::status_label;
use super::staff_only;
use crate::auth::SignedIn;
use crate::error::WebError;
use crate::extract::AppQuery;
use crate::pages::Frame;
use crate::state::AppState;
use crate::ui::{asked_date, clock, day_heading, error_summary, field, line, Input, Values, DATE};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use knead_app::calendar;
use knead_app::catalog::{Services, Therapists};
use knead_app::clients::{self, BookingsQuery};
use knead_app::listing::{self, Audience};
use knead_core::booking::{BookingStatus, Where};
use knead_core::calendar::local_date;
use knead_core::{FieldError, TherapistId, ValidationErrors};
use maud::html;

/// `?date=2026-12-01&therapist_id=3&status=awaiting_clearance`; blanks mean "any".
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct ListQuery {
    date: Option<String>,
    therapist_id: Option<String>,
    status: Option<String>,
}

pub(super) async fn page(
    State(state): State<AppState>,
    SignedIn(caller): SignedIn,
    AppQuery(q): AppQuery<ListQuery>,
) -> Result<Response, WebError> {
    staff_only(&caller)?;
    let app = state.app();
    let settings = calendar::settings(app).await?;
    let tz = settings.zone().clone();
    let today = local_date(&tz, state.now());
    let mut errors = ValidationErrors::default();
    let date = asked_date(q.date.as_deref(), today, &mut errors);
    let therapist = match q.therapist_id.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => errors.take(
            t.parse::<i64>()
                .map(TherapistId)
                .map_err(|_| FieldError::new("invalid", "therapist_id", "choose one of the therapists")),
        ),
    };
    let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => errors.take(
            BookingStatus::parse(s).ok_or_else(|| FieldError::new("invalid", "status", "choose one of the statuses")),
        ),
    };
    let query = BookingsQuery { date: Some(date), days: Some(1), therapist, status };
    let list = clients::bookings(app, &caller.user, &query).await?;
    let therapists = listing::list::<Therapists>(app, Audience::Manager).await?;
    let services = listing::list::<Services>(app, Audience::Manager).await?;
    let clinics = calendar::all_clinics(app).await?;
    let therapist_name = |id: TherapistId| {
        therapists.iter().find(|t| t.id == id).map_or_else(|| format!("Therapist {}", id.0), |t| t.name.clone())
    };

    let mut values = Values::default();
    values.set("date", date.to_string());
    values.set("therapist_id", therapist.map(|t| t.0.to_string()).unwrap_or_default());
    values.set("status", status.map(|s| s.as_str()).unwrap_or_default());
    let therapist_ids: Vec<(String, String)> =
        therapists.iter().filter(|t| !t.archived).map(|t| (t.id.0.to_string(), t.name.clone())).collect();
    let mut therapist_options: Vec<(&str, &str)> = vec![("", "Every therapist")];
    therapist_options.extend(therapist_ids.iter().map(|(v, l)| (v.as_str(), l.as_str())));
    let status_options = [
        ("", "Any status"),
        ("confirmed", "Confirmed"),
        ("awaiting_clearance", "Waiting for clearance"),
        ("cancelled", "Cancelled"),
    ];
    let held = list.iter().filter(|b| b.status == BookingStatus::AwaitingClearance).count();
    let body = html! {
        @if caller.is_manager() { p.crumbs { a href="/manage" { "Manage" } " / " a href="/manage/clients" { "Clients" } } }
        @else { p.crumbs { a href="/manage/clients" { "Clients" } } }
        h1 { "Bookings" }
        (error_summary(&errors, "Part of the filter cannot be used, so it was left out:"))
        form.row.filters method="get" action="/manage/bookings" {
            (line(&values, &errors, "date", "Day", DATE, ""))
            @if caller.is_manager() {
                (field(&values, &errors, "therapist_id", "Therapist", Input::Select(&therapist_options), ""))
            }
            (field(&values, &errors, "status", "Status", Input::Select(&status_options), ""))
            div.field.submit { button type="submit" { "Show" } }
        }
        h2 { (day_heading(date)) @if date == today { " (today)" } }
        @if held > 0 {
            p.warning { strong { (held) @if held == 1 { " booking is" } @else { " bookings are" } " waiting for a physician's clearance." } }
        }
        @if list.is_empty() { p.meta { "No bookings match." } }
        @else {
            div.table-scroll tabindex="0" role="region" aria-label="Bookings" {
                table.bookings {
                    caption.visually-hidden { "Bookings on " (day_heading(date)) }
                    thead { tr { th scope="col" { "Time" } th scope="col" { "Client" } th scope="col" { "Service" } th scope="col" { "Therapist" } th scope="col" { "Where" } th scope="col" { "Status" } } }
                    tbody {
                        @for b in &list {
                            tr.held[b.status == BookingStatus::AwaitingClearance] {
                                td { a href={ "/visits/" (b.id.0) } { (clock(&tz, b.start)) "–" (clock(&tz, b.end)) } }
                                td {
                                    @match b.client_id {
                                        Some(c) => { a href={ "/manage/clients/" (c.0) } { (b.client.name) } }
                                        None => { (b.client.name) }
                                    }
                                }
                                td { (services.iter().find(|s| s.id == b.service_id).map_or("Visit", |s| s.name.as_str())) }
                                td { (b.visits.iter().map(|v| therapist_name(v.therapist_id)).collect::<Vec<_>>().join(" and ")) }
                                td {
                                    @match &b.place {
                                        Where::Mobile { address, .. } => { (address) }
                                        Where::Clinic(id) => { (clinics.iter().find(|c| c.id == *id).map_or("Clinic", |c| c.name.as_str())) }
                                    }
                                }
                                td {
                                    @if b.status == BookingStatus::AwaitingClearance { strong.held-label { "Held: " (status_label(b.status)) } }
                                    @else { (status_label(b.status)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let code = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(Frame::signed_in(&state, &caller).respond(code, "Bookings", body))
}
