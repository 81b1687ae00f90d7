//! Dispatch in the API (managers): a day's board, the optimizer's proposal for it, and applying a proposal.

use crate::auth::Manager;
use crate::error::{ErrorBody, WebError};
use crate::extract::{parse_json, AppPath, JsonBytes};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use jiff::civil::Date;
use knead_app::dispatch::{self, DayBoard, MoveOrder, Proposal};
use knead_core::booking::{parse_instant, BookingId};
use knead_core::calendar::{format_rfc3339, parse_date};
use knead_core::validation::ValidationErrors;
use knead_core::{Gender, TherapistId};
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(day_board)).routes(routes!(propose_day)).routes(routes!(apply_day))
}

/// A visit on the board.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BoardVisitView {
    pub booking_id: i64,
    /// Send it back with a move: a booking changed since is not moved.
    pub revision: i64,
    pub service: String,
    pub client_first_name: String,
    #[schema(format = DateTime)]
    pub start: String,
    #[schema(format = DateTime)]
    pub end: String,
    pub lat: f64,
    pub lon: f64,
    /// The street address, or the clinic's name.
    pub place: String,
    /// The arrival window the client accepted (absent: a fixed start).
    #[schema(format = DateTime)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arrival_from: Option<String>,
    #[schema(format = DateTime)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arrival_until: Option<String>,
    /// Why a re-plan leaves it where it is: `named_therapist`, `group`, `clinic`, `soon` or `overridden_day`; absent when
    /// it may move.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed: Option<&'static str>,
    /// The therapist's gender the client asked for; a re-plan keeps to it. Absent when they did not ask.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub therapist_gender: Option<Gender>,
}

/// A working window.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WindowView {
    #[schema(format = DateTime)]
    pub start: String,
    #[schema(format = DateTime)]
    pub end: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TherapistDayView {
    pub therapist_id: i64,
    pub name: String,
    pub windows: Vec<WindowView>,
    pub visits: Vec<BoardVisitView>,
    /// Minutes of driving: base to the first visit of each window, between visits, and back.
    pub travel_min: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DayBoardView {
    #[schema(format = Date)]
    pub date: String,
    pub therapists: Vec<TherapistDayView>,
    pub travel_min: i64,
}

impl DayBoardView {
    fn new(board: &DayBoard) -> DayBoardView {
        let zone = &board.zone;
        let time = |t| format_rfc3339(zone, t);
        DayBoardView {
            date: board.date.to_string(),
            travel_min: board.travel_min,
            therapists: board
                .therapists
                .iter()
                .map(|t| TherapistDayView {
                    therapist_id: t.therapist.0,
                    name: t.name.clone(),
                    travel_min: t.travel_min,
                    windows: t.windows.iter().map(|&(s, e)| WindowView { start: time(s), end: time(e) }).collect(),
                    visits: t
                        .visits
                        .iter()
                        .map(|v| BoardVisitView {
                            booking_id: v.booking_id.0,
                            revision: v.revision,
                            service: v.service.clone(),
                            client_first_name: v.client_first_name.clone(),
                            start: time(v.start),
                            end: time(v.end),
                            lat: v.at.lat,
                            lon: v.at.lon,
                            place: v.place.clone(),
                            arrival_from: v.arrival.map(|a| time(a.from)),
                            arrival_until: v.arrival.map(|a| time(a.until)),
                            fixed: v.fixed.map(|f| f.as_str()),
                            therapist_gender: v.asks,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// One booking's change in a proposal; send `booking_id`, `revision`, `to_start` and `to_therapist_ids` back to
/// apply it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MoveView {
    pub booking_id: i64,
    pub revision: i64,
    pub service: String,
    pub client_first_name: String,
    #[schema(format = DateTime)]
    pub from_start: String,
    #[schema(format = DateTime)]
    pub to_start: String,
    pub from_therapist_ids: Vec<i64>,
    pub to_therapist_ids: Vec<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProposalView {
    #[schema(format = Date)]
    pub date: String,
    pub travel_before_min: i64,
    pub travel_after_min: i64,
    pub travel_saved_min: i64,
    /// By new start; empty when the optimizer finds nothing better than the day as booked.
    pub moves: Vec<MoveView>,
    /// The day as it would be.
    pub after: DayBoardView,
}

impl ProposalView {
    fn new(p: &Proposal) -> ProposalView {
        let ids = |ts: &[TherapistId]| ts.iter().map(|t| t.0).collect();
        ProposalView {
            date: p.date.to_string(),
            travel_before_min: p.before.travel_min,
            travel_after_min: p.after.travel_min,
            travel_saved_min: p.travel_saved_min(),
            moves: p
                .moves
                .iter()
                .map(|m| MoveView {
                    booking_id: m.booking_id.0,
                    revision: m.revision,
                    service: m.service.clone(),
                    client_first_name: m.client_first_name.clone(),
                    from_start: format_rfc3339(&p.zone, m.from_start),
                    to_start: format_rfc3339(&p.zone, m.to_start),
                    from_therapist_ids: ids(&m.from_therapists),
                    to_therapist_ids: ids(&m.to_therapists),
                })
                .collect(),
            after: DayBoardView::new(&p.after),
        }
    }
}

fn day_of(text: &str) -> Result<Date, WebError> {
    Ok(parse_date("date", text)?)
}

/// A practice day, every working therapist's route side by side.
///
/// Each visit says whether a re-plan may move it; the drives are priced as booking prices them.
#[utoipa::path(get, path = "/dispatch/{date}", tag = "dispatch", operation_id = "getDayBoard",
    params(("date" = String, Path, format = Date, description = "The practice's local date, YYYY-MM-DD")),
    security(("bearer" = [])),
    responses((status = 200, body = DayBoardView),
        (status = 422, body = ErrorBody, description = "The date cannot be read or is out of range")))]
pub async fn day_board(
    State(state): State<AppState>,
    _manager: Manager,
    AppPath(date): AppPath<String>,
) -> Result<Json<DayBoardView>, WebError> {
    let board = dispatch::board(state.app(), day_of(&date)?).await?;
    Ok(Json(DayBoardView::new(&board)))
}

/// Ask the day optimizer for a re-plan of a day.
///
/// Moves only what the clients left open (the therapist unless they chose one, the start within the arrival
/// window they accepted), keeps every visit inside its therapist's hours with the drives it needs, and never
/// proposes more driving than the day has. Nothing is written.
#[utoipa::path(post, path = "/dispatch/{date}/proposal", tag = "dispatch", operation_id = "proposeDayPlan",
    params(("date" = String, Path, format = Date, description = "The practice's local date, YYYY-MM-DD")),
    security(("bearer" = [])),
    responses((status = 200, body = ProposalView),
        (status = 422, body = ErrorBody, description = "The date cannot be read, or no plan was found")))]
pub async fn propose_day(
    State(state): State<AppState>,
    _manager: Manager,
    AppPath(date): AppPath<String>,
) -> Result<Json<ProposalView>, WebError> {
    let proposal = dispatch::propose(state.app(), day_of(&date)?).await?;
    Ok(Json(ProposalView::new(&proposal)))
}

/// One move to apply, as a proposal gave it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveInput {
    pub booking_id: i64,
    /// The booking's revision the proposal was made from.
    pub revision: i64,
    /// The new start, RFC 3339 with an offset.
    #[schema(format = DateTime)]
    pub start: String,
    pub therapist_ids: Vec<i64>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyInput {
    pub moves: Vec<MoveInput>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AppliedView {
    /// How many bookings moved; each client was sent a message saying so.
    pub applied: usize,
    pub booking_ids: Vec<i64>,
}

/// Apply a re-plan: all of its moves in one transaction, or none.
///
/// Each move is checked again (the client's arrival window, a therapist they chose, who works and offers the
/// service, the drives and hours of the day after all the moves), and again under the therapists' locks as it
/// is written. A booking changed since the proposal was made refuses the plan (409 `plan_stale`).
#[utoipa::path(post, path = "/dispatch/{date}/apply", tag = "dispatch", operation_id = "applyDayPlan",
    params(("date" = String, Path, format = Date, description = "The practice's local date, YYYY-MM-DD")),
    request_body = ApplyInput,
    security(("bearer" = [])),
    responses((status = 200, body = AppliedView),
        (status = 409, body = ErrorBody, description = "`plan_stale`: the day changed since the proposal; or a visit's time was taken meanwhile"),
        (status = 422, body = ErrorBody, description = "A move breaks a rule, named by `moves[i].field`")))]
pub async fn apply_day(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppPath(date): AppPath<String>,
    JsonBytes(body): JsonBytes,
) -> Result<Json<AppliedView>, WebError> {
    let date = day_of(&date)?;
    let input: ApplyInput = parse_json(&body)?;
    let orders = orders(&input.moves)?;
    let written = dispatch::apply(state.app(), date, &orders, &caller.user).await?;
    Ok(Json(AppliedView { applied: written.len(), booking_ids: written.iter().map(|b| b.id.0).collect() }))
}

fn orders(moves: &[MoveInput]) -> Result<Vec<MoveOrder>, WebError> {
    let mut errors = ValidationErrors::default();
    let orders: Vec<MoveOrder> = moves
        .iter()
        .enumerate()
        .filter_map(|(i, m)| {
            let start = errors.take(parse_instant(&format!("moves[{i}].start"), &m.start))?;
            Some(MoveOrder {
                booking_id: BookingId(m.booking_id),
                revision: m.revision,
                start,
                therapist_ids: m.therapist_ids.iter().map(|&t| TherapistId(t)).collect(),
            })
        })
        .collect();
    Ok(errors.finish(|| Some(orders))?)
}
