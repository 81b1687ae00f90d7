//! The manager's audit log, `/manage/audit`: the newest entries (optionally for one client), what checking
//! the hash chain found, and the whole log as CSV (`/manage/audit.csv`). Viewing and exporting are
//! themselves recorded (the app writes those entries).

use super::date_time;
use super::file::actor;
use crate::auth::Manager;
use crate::error::WebError;
use crate::extract::AppQuery;
use crate::pages::Frame;
use crate::state::AppState;
use crate::ui::{error_summary, line, Values, NUMBER};
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use knead_app::intake::{self, AuditCheck};
use knead_core::intake::ClientId;
use knead_core::{FieldError, ValidationErrors};
use maud::html;

/// How many entries the page shows.
const NEWEST: i64 = 200;

/// `?client_id=12`: only that client's entries.
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct AuditQuery {
    client_id: Option<String>,
}

pub(super) async fn page(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppQuery(q): AppQuery<AuditQuery>,
) -> Result<Response, WebError> {
    let app = state.app();
    let mut errors = ValidationErrors::default();
    let client = match q.client_id.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(c) => errors.take(
            c.parse::<i64>()
                .map(ClientId)
                .map_err(|_| FieldError::new("invalid_type", "client_id", "must be a client's number")),
        ),
    };
    let entries = intake::audit_log(app, &caller.user, client, NEWEST).await?;
    let check = intake::verify_audit(app).await?;
    let mut values = Values::default();
    values.set("client_id", client.map(|c| c.0.to_string()).unwrap_or_default());
    let body = html! {
        p.crumbs { a href="/manage" { "Manage" } }
        h1 { "Audit log" }
        p { "Every read and change of health information, newest first. Entries are chained by their hashes, so an edited or deleted entry shows." }
        @match &check {
            AuditCheck::Intact { entries } => {
                p.notice #audit-check role="status" { "The chain is intact: " (entries) @if *entries == 1 { " entry" } @else { " entries" } " checked." }
            }
            AuditCheck::Broken(b) => {
                div.error-summary #audit-check role="alert" { p { strong { "The chain is broken at entry " (b.id) ": " } (b.problem) "." } p { "Entries may have been edited or deleted; keep the database as it is and ask for help." } }
            }
        }
        p { a href="/manage/audit.csv" download="knead-audit.csv" { "Export the whole log (CSV)" } }
        (error_summary(&errors, "The filter cannot be used, so every client is shown:"))
        form.row method="get" action="/manage/audit" {
            (line(&values, &errors, "client_id", "Client number", NUMBER, "Only this client's entries; leave empty for all."))
            div.field.submit { button type="submit" { "Show" } }
        }
        @if entries.is_empty() { p.meta { "No entries." } }
        @else {
            div.table-scroll tabindex="0" role="region" aria-label="Audit log" {
                table.audit {
                    caption.visually-hidden { "The newest audit entries" }
                    thead { tr { th scope="col" { "Entry" } th scope="col" { "Time" } th scope="col" { "Who" } th scope="col" { "Client" } th scope="col" { "Action" } th scope="col" { "Record" } } }
                    tbody {
                        @for e in &entries {
                            tr {
                                td { (e.id) }
                                td { (date_time(e.at)) }
                                td { (actor(&caller, None, e.actor)) }
                                td {
                                    @match e.client {
                                        Some(c) => { a href={ "/manage/clients/" (c.0) } { "Client " (c.0) } }
                                        None => "None",
                                    }
                                }
                                td { (e.action.as_str()) }
                                td { (e.record) @if !e.record_id.is_empty() { " " (e.record_id) } }
                            }
                        }
                    }
                }
            }
        }
    };
    let code = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok(Frame::signed_in(&state, &caller).respond(code, "Audit log", body))
}

/// The whole log as a CSV download (itself recorded as an export).
pub(super) async fn csv(State(state): State<AppState>, Manager(caller): Manager) -> Result<Response, WebError> {
    let text = intake::export_audit(state.app(), &caller.user).await?;
    tracing::info!(user_id = caller.user.id.0, "audit log exported");
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8")),
            (header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"knead-audit.csv\"")),
        ],
        text,
    )
        .into_response())
}
