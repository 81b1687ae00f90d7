//! Places in the API: address suggestions as a client types, and the address nearest a point ("use my
//! location"). Public: they serve the booking pages, and the addresses are the practice's imported map.

use crate::error::{ErrorBody, WebError};
use crate::extract::AppQuery;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use knead_app::places::{self, FoundPlace};
use knead_core::GeoPoint;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search_places)).routes(routes!(reverse_place))
}

/// An address as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = PlaceMatch)]
pub struct PlaceView {
    /// How the address reads, e.g. `11 Yrjönkatu, 00120 Helsinki`; send it back as a booking's `address`.
    pub label: String,
    pub lat: f64,
    pub lon: f64,
}

impl From<&FoundPlace> for PlaceView {
    fn from(p: &FoundPlace) -> PlaceView {
        PlaceView { label: p.label.clone(), lat: p.at.lat, lon: p.at.lon }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlacesView {
    pub places: Vec<PlaceView>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// What the person typed: a street and number, in any order, with or without postcode, city or unit.
    #[param(min_length = 1, max_length = 300)]
    pub q: String,
    /// At most this many places, 1 to 20 (default 8).
    #[param(minimum = 1, maximum = 20)]
    pub limit: Option<usize>,
}

/// Addresses matching what was typed, best first.
#[utoipa::path(get, path = "/places", tag = "places", operation_id = "searchPlaces", params(SearchParams),
    responses((status = 200, body = PlacesView),
        (status = 422, body = ErrorBody, description = "An empty or overlong query, or a limit out of range"),
        (status = 503, body = ErrorBody, description = "A configured geocoder service is not answering")))]
pub async fn search_places(
    State(state): State<AppState>,
    AppQuery(q): AppQuery<SearchParams>,
) -> Result<Json<PlacesView>, WebError> {
    let found = places::search(state.app(), &q.q, q.limit.unwrap_or(8)).await?;
    Ok(Json(PlacesView { places: found.iter().map(PlaceView::from).collect() }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReverseParams {
    #[param(minimum = -90, maximum = 90)]
    pub lat: f64,
    #[param(minimum = -180, maximum = 180)]
    pub lon: f64,
}

/// The known address nearest the point, within about 150 m.
#[utoipa::path(get, path = "/places/reverse", tag = "places", operation_id = "reversePlace", params(ReverseParams),
    responses((status = 200, body = PlaceView),
        (status = 404, body = ErrorBody, description = "No known address near the point"),
        (status = 422, body = ErrorBody, description = "Coordinates out of range"),
        (status = 503, body = ErrorBody, description = "A configured geocoder service is not answering")))]
pub async fn reverse_place(
    State(state): State<AppState>,
    AppQuery(q): AppQuery<ReverseParams>,
) -> Result<Json<PlaceView>, WebError> {
    let at = GeoPoint::parse(q.lat, q.lon)?;
    let found = places::reverse(state.app(), at).await?.ok_or_else(|| WebError::not_found("address near here"))?;
    Ok(Json(PlaceView::from(&found)))
}
