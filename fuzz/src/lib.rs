//! What the fuzz targets share: driving knead's request extractors without a runtime, the zones dates are
//! placed in, and the checks every refusal must pass (our error shape, naming the field at fault).

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::header::CONTENT_TYPE;
use jiff::tz::TimeZone;
use knead_web::fuzzing::{AppQuery, FormPairs, WebError};
use serde::de::DeserializeOwned;
use std::future::Future;
use std::task::{Context, Poll, Waker};

/// Runs a future that has nothing to wait for (an extractor over a body already in memory) to its end.
pub fn ready<F: Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    match fut.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => out,
        Poll::Pending => panic!("an extractor waited although its input was all in memory"),
    }
}

/// A form body as the pages' `FormPairs` extractor reads it.
pub fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    let request = axum::http::Request::builder()
        .method("POST")
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_vec()))
        .expect("a request with a plain body");
    match ready(FormPairs::from_request(request, &())) {
        Ok(FormPairs(pairs)) => pairs,
        Err(e) => panic!("a form body in memory was refused: {e:?}"),
    }
}

/// A query string as the `AppQuery` extractor reads it; `None` when the text is not a URI's query at all
/// (the HTTP server refuses such a request before any extractor sees it).
pub fn query<T: DeserializeOwned + Send>(query: &str) -> Option<Result<T, WebError>> {
    let request = axum::http::Request::builder().uri(format!("/q?{query}")).body(()).ok()?;
    let (mut parts, ()) = request.into_parts();
    Some(ready(AppQuery::<T>::from_request_parts(&mut parts, &())).map(|AppQuery(t)| t))
}

/// A refusal of malformed input in our shape, every error with a code, a field and a sentence: 400, or 422
/// `unknown_field` for a key the body does not take.
pub fn assert_bad_request(err: &WebError) {
    let body = err.body();
    let unknown_field = body.errors.iter().all(|item| item.code == "unknown_field");
    match err.status().as_u16() {
        400 => {}
        422 if unknown_field => {}
        status => panic!("a refusal is 400, or 422 for an unknown field; got {status}: {err:?}"),
    }
    assert!(!body.errors.is_empty(), "{err:?}");
    for item in &body.errors {
        assert!(!item.code.is_empty() && !item.detail.is_empty(), "{err:?}");
        assert!(item.field.as_deref().is_some_and(|f| !f.is_empty()), "no field named: {err:?}");
    }
}

/// Zones with unusual offsets: half-hour daylight saving, +13 (+14 in summer), -11, a quarter-hour offset, and UTC.
pub fn zones() -> Vec<TimeZone> {
    ["America/Toronto", "Australia/Lord_Howe", "Pacific/Tongatapu", "Pacific/Niue", "Asia/Kathmandu", "UTC"]
        .into_iter()
        .map(|name| TimeZone::get(name).expect("a bundled zone"))
        .collect()
}
