//! The dispatch board (managers): every therapist's day side by side with the day's routes on one map; "Optimise
//! this day" shows the optimizer's re-plan as a diff (who moves, the new times, the driving saved) with the
//! routes as they would be; applying it writes every move in one transaction and tells each client.
//!
//! The proposal travels back to the server in one hidden field (`plan`), and the server checks every move again
//! when it is applied: the page is a convenience, never the authority.

use crate::auth::{Caller, Manager};
use crate::error::{field_errors, WebError};
use crate::extract::{AppQuery, FormPairs};
use crate::pages::calendar::map::{self, MapRoute, MapStop};
use crate::pages::Frame;
use crate::routes::{get, post, Routes};
use crate::state::AppState;
use crate::ui::{self, asked_date, clock, day_heading, error_summary, line, minutes, Values, DATE};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use jiff::Timestamp;
use knead_app::dispatch::{self, DayBoard, MoveOrder, Proposal, TherapistDay};
use knead_app::{calendar, places, AppError};
use knead_core::booking::BookingId;
use knead_core::calendar::local_date;
use knead_core::{TherapistId, ValidationErrors};
use maud::{html, Markup};

pub fn router() -> Routes {
    Routes::new()
        .route("/manage/dispatch", get(board_page))
        .route("/manage/dispatch/proposal", post(proposal_page))
        .route("/manage/dispatch/apply", post(apply_plan))
}

/// `?date=2026-03-03`, today when absent; `applied=N` after a plan was applied.
#[derive(Debug, Default, serde::Deserialize)]
struct BoardQuery {
    date: Option<String>,
    applied: Option<usize>,
}

async fn board_page(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppQuery(q): AppQuery<BoardQuery>,
) -> Result<Response, WebError> {
    let settings = calendar::settings(state.app()).await?;
    let today = local_date(settings.zone(), state.now());
    let mut errors = ValidationErrors::default();
    let date = asked_date(q.date.as_deref(), today, &mut errors);
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let notice =
        q.applied.map(|n| format!("The re-plan was applied: {n} visit(s) moved, and each client was sent a message."));
    render_board(&state, &caller, date, status, &errors, notice.as_deref()).await
}

async fn render_board(
    state: &AppState,
    caller: &Caller,
    date: Date,
    status: StatusCode,
    errors: &ValidationErrors,
    notice: Option<&str>,
) -> Result<Response, WebError> {
    let board = dispatch::board(state.app(), date).await?;
    let routes = routes_of(&board);
    let roads = match map::area(&routes) {
        Some(area) => places::roads_for_map(state.app(), area).await?,
        None => Vec::new(),
    };
    let mut values = Values::default();
    values.set("date", date.to_string());
    let title = format!("Dispatch: {}", day_heading(date));
    let body = html! {
        (crumbs())
        h1 { (title) }
        @if let Some(notice) = notice { p.notice role="status" { (notice) } }
        (error_summary(errors, "Nothing was changed:"))
        form.row.calendar-date method="get" action="/manage/dispatch" {
            (line(&values, &ValidationErrors::default(), "date", "Day", DATE, ""))
            div.field.submit { button type="submit" { "Show" } }
        }
        p.day-summary { (summary(&board)) }
        @if board.therapists.iter().any(|t| !t.visits.is_empty()) {
            form method="post" action="/manage/dispatch/proposal" {
                (ui::csrf_field(Some(caller)))
                input type="hidden" name="date" value=(date);
                button type="submit" { "Optimise this day" }
                p.meta { "Shows what would change first; nothing is moved until you apply it." }
            }
            (map::day_map(&format!("Every route on {}", day_heading(date)), &routes, &roads))
        }
        (columns(&board))
    };
    Ok(Frame::signed_in(state, caller).respond(status, &title, body))
}

fn crumbs() -> Markup {
    html! { p.crumbs { a href="/manage" { "Manage" } " / " a href="/manage/dispatch" { "Dispatch" } } }
}

fn summary(board: &DayBoard) -> String {
    let visits: usize = board.therapists.iter().map(|t| t.visits.len()).sum();
    format!(
        "{} therapist(s) working, {visits} visit(s) booked, {} of driving.",
        board.therapists.len(),
        minutes(board.travel_min)
    )
}

/// Each therapist's route for the map: base, then the visits in order.
fn routes_of(board: &DayBoard) -> Vec<MapRoute> {
    board
        .therapists
        .iter()
        .filter(|t| !t.visits.is_empty())
        .map(|t| MapRoute {
            name: t.name.clone(),
            base: Some(t.base),
            stops: t
                .visits
                .iter()
                .map(|v| MapStop { at: v.at, label: format!("{} · {}", clock(&board.zone, v.start), v.place) })
                .collect(),
        })
        .collect()
}

/// The therapists' days side by side (stacked on a phone).
fn columns(board: &DayBoard) -> Markup {
    html! {
        div.dispatch-board {
            @for t in &board.therapists { (column(board, t)) }
        }
    }
}

fn column(board: &DayBoard, t: &TherapistDay) -> Markup {
    let tz = &board.zone;
    html! {
        section.card.dispatch-day aria-label=(t.name) {
            h2 { (t.name) }
            p.hours {
                "Working "
                @for (i, (s, e)) in t.windows.iter().enumerate() {
                    @if i > 0 { ", " }
                    (clock(tz, *s)) "–" (clock(tz, *e))
                }
                " · driving " (minutes(t.travel_min))
            }
            @if t.visits.is_empty() { p.meta { "No visits." } }
            ol.visits {
                @for v in &t.visits {
                    li {
                        strong { (clock(tz, v.start)) "–" (clock(tz, v.end)) } " " (v.service)
                        br;
                        span.meta { (v.client_first_name) " · " (v.place) }
                        @if let Some(w) = v.arrival {
                            br; span.meta { "May arrive " (clock(tz, w.from)) "–" (clock(tz, w.until)) }
                        }
                        @if let Some(f) = v.fixed { br; span.marker { "Stays: " (f.describe()) } }
                        @else if let Some(g) = v.asks { br; span.marker { "Asked for " (g.label()) } }
                        br; a href={ "/visits/" (v.booking_id.0) } { "Open visit" }
                    }
                }
            }
        }
    }
}

async fn proposal_page(
    State(state): State<AppState>,
    Manager(caller): Manager,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    let date = knead_core::calendar::parse_date("date", form.get("date"))?;
    let proposal = match dispatch::propose(state.app(), date).await {
        Ok(p) => p,
        Err(e) => return failed(&state, &caller, date, e).await,
    };
    let title = format!("Re-plan of {}", day_heading(date));
    let routes = routes_of(&proposal.after);
    let roads = match map::area(&routes) {
        Some(area) => places::roads_for_map(state.app(), area).await?,
        None => Vec::new(),
    };
    let body = html! {
        (crumbs())
        h1 { (title) }
        @if proposal.moves.is_empty() {
            p.notice role="status" { "No better plan found: the day as booked already drives the least the optimizer can find within what clients left open." }
        } @else {
            p.notice role="status" {
                "Saves " strong { (minutes(proposal.travel_saved_min())) } " of driving: "
                (minutes(proposal.before.travel_min)) " now, " (minutes(proposal.after.travel_min)) " after."
            }
            (diff(&proposal))
            form method="post" action="/manage/dispatch/apply" {
                (ui::csrf_field(Some(&caller)))
                input type="hidden" name="date" value=(date);
                input type="hidden" name="plan" value=(encode(&proposal));
                button type="submit" { "Apply these changes" }
                p.meta { "Each client whose time or therapist changes is sent a message." }
            }
            (map::day_map(&format!("Routes after the re-plan on {}", day_heading(date)), &routes, &roads))
        }
        p { a href={ "/manage/dispatch?date=" (date) } { "Back to the day, changing nothing" } }
    };
    Ok(Frame::signed_in(&state, &caller).respond(StatusCode::OK, &title, body))
}

/// Who moves where: one row per booking that changes.
fn diff(p: &Proposal) -> Markup {
    let names = |ts: &[TherapistId]| {
        ts.iter()
            .map(|t| p.names.get(t).cloned().unwrap_or_else(|| format!("therapist {}", t.0)))
            .collect::<Vec<_>>()
            .join(" and ")
    };
    html! {
        div.table-scroll tabindex="0" role="region" aria-label="Proposed changes" {
            table.dispatch-diff {
                caption { (p.moves.len()) " visit(s) change" }
                thead { tr { th scope="col" { "Client" } th scope="col" { "Visit" } th scope="col" { "Now" } th scope="col" { "Proposed" } } }
                tbody {
                    @for m in &p.moves {
                        tr {
                            td { (m.client_first_name) }
                            td { (m.service) }
                            td { (clock(&p.zone, m.from_start)) " with " (names(&m.from_therapists)) }
                            td {
                                strong { (clock(&p.zone, m.to_start)) } " with " (names(&m.to_therapists))
                                @if m.to_start != m.from_start { " (time changes)" }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A proposal's moves in one field: `booking:revision:start-seconds:therapist,therapist` joined by `;`.
fn encode(p: &Proposal) -> String {
    p.moves
        .iter()
        .map(|m| {
            let team: Vec<String> = m.to_therapists.iter().map(|t| t.0.to_string()).collect();
            format!("{}:{}:{}:{}", m.booking_id.0, m.revision, m.to_start.as_second(), team.join(","))
        })
        .collect::<Vec<_>>()
        .join(";")
}

fn decode(text: &str) -> Option<Vec<MoveOrder>> {
    text.split(';')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut fields = part.split(':');
            let booking = fields.next()?.parse().ok()?;
            let revision = fields.next()?.parse().ok()?;
            let start = Timestamp::from_second(fields.next()?.parse().ok()?).ok()?;
            let team: Option<Vec<TherapistId>> =
                fields.next()?.split(',').map(|t| t.parse().ok().map(TherapistId)).collect();
            fields.next().is_none().then_some(())?;
            Some(MoveOrder { booking_id: BookingId(booking), revision, start, therapist_ids: team? })
        })
        .collect()
}

async fn apply_plan(
    State(state): State<AppState>,
    Manager(caller): Manager,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    let date = knead_core::calendar::parse_date("date", form.get("date"))?;
    let orders = decode(form.get("plan"))
        .ok_or_else(|| WebError::field("invalid", "plan", "the plan could not be read; optimise the day again"))?;
    match dispatch::apply(state.app(), date, &orders, &caller.user).await {
        Ok(written) => {
            Ok(Redirect::to(&format!("/manage/dispatch?date={date}&applied={}", written.len())).into_response())
        }
        Err(e) => failed(&state, &caller, date, e).await,
    }
}

/// The board again with what went wrong, when the error is about the plan; otherwise the error page.
async fn failed(state: &AppState, caller: &Caller, date: Date, e: AppError) -> Result<Response, WebError> {
    let Some(errors) = field_errors(&e) else { return Err(e.into()) };
    let status = WebError::App(e).status();
    render_board(state, caller, date, status, &errors, None).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_reads_back_as_written_and_nothing_else() {
        let text = "12:3:1780000000:4,5;13:0:1780003600:6";
        let orders = decode(text).unwrap();
        assert_eq!(orders.len(), 2);
        assert_eq!(orders[0].booking_id, BookingId(12));
        assert_eq!(orders[0].therapist_ids, vec![TherapistId(4), TherapistId(5)]);
        assert_eq!(orders[1].start.as_second(), 1_780_003_600);
        for bad in ["12:3:x:4", "12:3:1780000000", "12:3:1780000000:4:9", "a:b:c:d", "12:3:1780000000:4,"] {
            assert!(decode(bad).is_none(), "{bad}");
        }
    }
}
