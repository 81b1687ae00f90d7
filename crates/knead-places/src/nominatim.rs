//! A Nominatim-compatible geocoder (a self-run Nominatim, or a hosted service that speaks its API), for a
//! practice that sets `geocoder_url` instead of importing an extract. What clients type goes to that
//! service, so the embedded index stays the default.
//!
//! It asks `GET {base}/search?q=…&format=jsonv2&limit=N` and `GET {base}/reverse?lat=…&lon=…&format=jsonv2`.
//! Nominatim orders its answers by its own importance, which says nothing about ties, so each answer gets its
//! own rank: the first is the one taken, and "ambiguous" never comes from this adapter.

use async_trait::async_trait;
use knead_app::places::{FoundPlace, Geocoder, GeocoderError};
use knead_core::GeoPoint;
use serde::Deserialize;
use std::time::Duration;

/// How long a lookup may take before the booking page says the search is unavailable.
const TIMEOUT: Duration = Duration::from_secs(5);

pub struct NominatimGeocoder {
    base: reqwest::Url,
    http: reqwest::Client,
}

/// Why a `geocoder_url` cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum NominatimUrlError {
    #[error("geocoder_url must be an http:// or https:// URL (got {0:?})")]
    Invalid(String),
}

impl NominatimGeocoder {
    /// A geocoder at `base` (e.g. `http://127.0.0.1:8088` or `https://nominatim.example.org`).
    pub fn new(base: &str) -> Result<NominatimGeocoder, NominatimUrlError> {
        let mut url = reqwest::Url::parse(base).map_err(|_| NominatimUrlError::Invalid(base.into()))?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(NominatimUrlError::Invalid(base.into()));
        }
        // Joined paths must land under the base, not replace its last segment.
        if !url.path().ends_with('/') {
            let path = format!("{}/", url.path());
            url.set_path(&path);
        }
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .user_agent(concat!("knead/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|_| NominatimUrlError::Invalid(base.into()))?;
        Ok(NominatimGeocoder { base: url, http })
    }

    /// The service's host, for logs.
    pub fn host(&self) -> String {
        self.base.host_str().unwrap_or_default().to_string()
    }

    async fn get<T: for<'de> Deserialize<'de>>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, GeocoderError> {
        let url = self.base.join(path).map_err(|e| GeocoderError(e.to_string()))?;
        let reply = self
            .http
            .get(url)
            .query(query)
            .send()
            .await
            // The error's text carries the URL with the client's address in it: keep only the kind.
            .map_err(|e| GeocoderError(describe(&e)))?;
        if !reply.status().is_success() {
            return Err(GeocoderError(format!("the geocoder answered {}", reply.status())));
        }
        reply.json::<T>().await.map_err(|e| GeocoderError(format!("an unreadable answer ({})", describe(&e))))
    }
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "no answer in time".into()
    } else if e.is_connect() {
        "cannot connect".into()
    } else if e.is_decode() {
        "not the JSON expected".into()
    } else {
        "a failed request".into()
    }
}

/// One answer, as Nominatim's `jsonv2` format gives it (coordinates as strings).
#[derive(Debug, Deserialize)]
struct Answer {
    lat: String,
    lon: String,
    display_name: String,
}

impl Answer {
    fn place(self, rank: u32) -> Option<FoundPlace> {
        let at = GeoPoint::parse(self.lat.parse().ok()?, self.lon.parse().ok()?).ok()?;
        Some(FoundPlace { label: self.display_name, at, rank })
    }
}

/// `reverse` answers an object, or `{"error": "Unable to geocode"}` when nothing is near.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ReverseAnswer {
    Found(Answer),
    Nothing {
        #[allow(dead_code)]
        error: String,
    },
}

#[async_trait]
impl Geocoder for NominatimGeocoder {
    async fn search(&self, query: &str, limit: usize) -> Result<Vec<FoundPlace>, GeocoderError> {
        let answers: Vec<Answer> = self
            .get("search", &[("q", query.to_string()), ("format", "jsonv2".into()), ("limit", limit.to_string())])
            .await?;
        Ok(answers.into_iter().zip(0..).filter_map(|(a, rank)| a.place(rank)).take(limit).collect())
    }

    async fn reverse(&self, at: GeoPoint) -> Result<Option<FoundPlace>, GeocoderError> {
        let answer: ReverseAnswer = self
            .get("reverse", &[("lat", at.lat.to_string()), ("lon", at.lon.to_string()), ("format", "jsonv2".into())])
            .await?;
        Ok(match answer {
            ReverseAnswer::Found(a) => a.place(0),
            ReverseAnswer::Nothing { .. } => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_urls_are_taken_and_paths_stay_under_the_base() {
        assert!(NominatimGeocoder::new("ftp://example.org").is_err());
        assert!(NominatimGeocoder::new("not a url").is_err());
        let g = NominatimGeocoder::new("https://geo.example.org/nominatim").unwrap();
        assert_eq!(g.base.join("search").unwrap().as_str(), "https://geo.example.org/nominatim/search");
    }

    #[test]
    fn answers_become_places_in_order_and_bad_coordinates_are_dropped() {
        let answers: Vec<Answer> = serde_json::from_str(
            r#"[{"lat":"60.1680","lon":"24.9390","display_name":"11, Yrjönkatu, Helsinki","importance":0.3},
                {"lat":"north","lon":"24.9","display_name":"broken"},
                {"lat":"60.1690","lon":"24.9400","display_name":"13, Yrjönkatu, Helsinki"}]"#,
        )
        .unwrap();
        let places: Vec<FoundPlace> = answers.into_iter().zip(0..).filter_map(|(a, r)| a.place(r)).collect();
        assert_eq!(places.len(), 2);
        assert_eq!(places[0].label, "11, Yrjönkatu, Helsinki");
        assert!(places[0].rank < places[1].rank, "every answer has its own rank");
        let nothing: ReverseAnswer = serde_json::from_str(r#"{"error":"Unable to geocode"}"#).unwrap();
        assert!(matches!(nothing, ReverseAnswer::Nothing { .. }));
    }
}
