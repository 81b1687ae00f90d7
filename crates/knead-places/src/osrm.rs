//! Road travel times from an OSRM server's `/table` service, behind the app's [`RoadRouter`] port
//! (`knead serve --osrm-url URL`).
//!
//! One call is one request:
//! `GET {url}/table/v1/driving/{lon,lat;lon,lat;...}?annotations=duration&skip_waypoints=true&generate_hints=false`,
//! with `sources` and `destinations` when they are not every place. The answer's `durations` are seconds, `null`
//! where no road connects two places. The server refuses a table of more than its `--max-table-size` squared cells
//! (100 x 100 by default) and URLs beyond about 25 KB; the app asks for square tiles of at most 100 places (about
//! 2 KB), within both. Places are sent as the practice's server knows them: OSRM is the practice's own service.

use async_trait::async_trait;
use knead_app::travel::{DurationTable, RoadRouter, RoadRouterError};
use knead_core::geo::GeoPoint;
use reqwest::Url;
use serde::Deserialize;
use std::fmt::Write;
use std::time::Duration;

/// How long one table request may take; the app gives a round of them the same time.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(2);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// Idle connections are dropped before osrm-routed's own keep-alive timeout (5 s by default) closes them, so a
/// request is rarely sent on a connection the server is closing.
const POOL_IDLE: Duration = Duration::from_secs(4);

/// An OSRM server, by its base URL.
#[derive(Debug, Clone)]
pub struct OsrmRouter {
    base: String,
    shown: String,
    client: reqwest::Client,
}

/// A configured `osrm_url` that cannot be used; the message names the setting and what it accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("osrm_url {0}")]
pub struct OsrmUrlError(String);

impl OsrmRouter {
    /// A router for the OSRM server at `url` (`http://` or `https://`, optionally with a path prefix).
    pub fn new(url: &str) -> Result<OsrmRouter, OsrmUrlError> {
        OsrmRouter::with_timeout(url, REQUEST_TIMEOUT)
    }

    /// The same with another request timeout (tests use a short one).
    pub fn with_timeout(url: &str, timeout: Duration) -> Result<OsrmRouter, OsrmUrlError> {
        let wanted = "must be an http:// or https:// URL of an OSRM server, such as http://127.0.0.1:5000";
        let parsed = Url::parse(url.trim()).map_err(|e| OsrmUrlError(format!("{wanted}: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(OsrmUrlError(format!("{wanted} (got the scheme {}:)", parsed.scheme())));
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(OsrmUrlError(format!("{wanted}, without a query or fragment")));
        }
        let base = parsed.as_str().trim_end_matches('/').to_string();
        let mut shown = parsed.clone();
        // What staff and logs see carries no credentials.
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        let shown = shown.as_str().trim_end_matches('/').to_string();
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(CONNECT_TIMEOUT.min(timeout))
            .pool_idle_timeout(POOL_IDLE)
            .build()
            .map_err(|e| OsrmUrlError(format!("could not be used: {e}")))?;
        Ok(OsrmRouter { base, shown, client })
    }

    /// The request for a table from `sources` to `destinations`; a place in both is sent once.
    fn table_url(&self, sources: &[GeoPoint], destinations: &[GeoPoint]) -> String {
        let mut places: Vec<GeoPoint> = sources.to_vec();
        let mut destination_index = Vec::with_capacity(destinations.len());
        for d in destinations {
            match places.iter().position(|p| p.key() == d.key()) {
                Some(i) => destination_index.push(i),
                None => {
                    places.push(*d);
                    destination_index.push(places.len() - 1);
                }
            }
        }
        let mut url = format!("{}/table/v1/driving/", self.base);
        for (i, p) in places.iter().enumerate() {
            let sep = if i == 0 { "" } else { ";" };
            // Six decimals is a tenth of a metre.
            let _ = write!(url, "{sep}{:.6},{:.6}", p.lon, p.lat);
        }
        url.push_str("?annotations=duration&skip_waypoints=true&generate_hints=false");
        // A side that is every place, in order, is left out: OSRM then takes them all.
        let list = |indexes: &[usize]| indexes.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(";");
        if sources.len() != places.len() {
            let _ = write!(url, "&sources={}", list(&(0..sources.len()).collect::<Vec<_>>()));
        }
        if !destination_index.iter().copied().eq(0..places.len()) {
            let _ = write!(url, "&destinations={}", list(&destination_index));
        }
        url
    }
}

/// What OSRM answers, on success and on error alike.
#[derive(Debug, Deserialize)]
struct TableAnswer {
    code: String,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    durations: Option<DurationTable>,
}

/// A reqwest error in words for staff: its kind, never the URL (which holds places).
fn failure(e: reqwest::Error, shown: &str) -> RoadRouterError {
    let why = if e.is_timeout() {
        format!("no answer within {} s", REQUEST_TIMEOUT.as_secs())
    } else if e.is_connect() {
        format!("could not connect to {shown}")
    } else {
        format!("the request failed: {}", e.without_url())
    };
    RoadRouterError(why)
}

#[async_trait]
impl RoadRouter for OsrmRouter {
    async fn table(&self, sources: &[GeoPoint], destinations: &[GeoPoint]) -> Result<DurationTable, RoadRouterError> {
        if sources.is_empty() || destinations.is_empty() {
            return Ok(vec![Vec::new(); sources.len()]);
        }
        let url = self.table_url(sources, destinations);
        let response = match self.client.get(&url).send().await {
            // A kept-alive connection the server closed just then: once more, on a new one. Not after a
            // timeout (the server is slow, and the search is waiting) nor a refused connection (it is down).
            Err(e) if !e.is_timeout() && !e.is_connect() => self.client.get(&url).send().await,
            sent => sent,
        }
        .map_err(|e| failure(e, &self.shown))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| failure(e, &self.shown))?;
        let answer: TableAnswer = serde_json::from_slice(&body).map_err(|_| {
            RoadRouterError(format!("the server answered HTTP {} without an OSRM table", status.as_u16()))
        })?;
        if answer.code != "Ok" {
            // OSRM's messages name coordinates by index, never by value.
            let message: String = answer.message.unwrap_or_default().chars().take(200).collect();
            return Err(RoadRouterError(format!("OSRM answered {}: {message}", answer.code)));
        }
        let durations = answer.durations.unwrap_or_default();
        if durations.len() != sources.len() || durations.iter().any(|row| row.len() != destinations.len()) {
            return Err(RoadRouterError(format!(
                "OSRM answered a table of the wrong size for {} x {} places",
                sources.len(),
                destinations.len()
            )));
        }
        Ok(durations)
    }

    fn describe(&self) -> String {
        format!("OSRM at {}", self.shown)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(lat: f64, lon: f64) -> GeoPoint {
        GeoPoint { lat, lon }
    }

    #[test]
    fn a_url_that_is_not_an_osrm_server_is_refused_naming_the_setting() {
        for bad in ["", "localhost:5000", "ftp://example.com", "http://example.com/?x=1", "http://example.com/#a"] {
            let e = OsrmRouter::new(bad).unwrap_err().to_string();
            assert!(e.starts_with("osrm_url must be an http:// or https:// URL"), "{bad}: {e}");
        }
        let router = OsrmRouter::new("https://maps:secret@example.com/osrm/").unwrap();
        assert_eq!(router.describe(), "OSRM at https://example.com/osrm");
    }

    #[test]
    fn a_square_table_sends_each_place_once_and_no_index_lists() {
        let router = OsrmRouter::new("http://127.0.0.1:5000").unwrap();
        let places = [point(60.1715, 24.944), point(60.17, 24.95)];
        assert_eq!(
            router.table_url(&places, &places),
            "http://127.0.0.1:5000/table/v1/driving/24.944000,60.171500;24.950000,60.170000\
             ?annotations=duration&skip_waypoints=true&generate_hints=false"
        );
        let row = router.table_url(&places[..1], &places);
        assert!(row.ends_with("generate_hints=false&sources=0"), "{row}");
        let column = router.table_url(&places, &places[..1]);
        assert!(column.ends_with("generate_hints=false&destinations=0"), "{column}");
        let apart = router.table_url(&places[1..], &places[..1]);
        assert!(apart.contains("24.950000,60.170000;24.944000,60.171500?"), "{apart}");
        assert!(apart.ends_with("&sources=0&destinations=1"), "{apart}");
    }
}
