//! Defences every response and every request gets, whatever route it reaches: security headers, refusing
//! state-changing requests sent from another site, and turning a panic into a logged 500 in our error shape.

use crate::error::WebError;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::any::Any;

/// Scripts and styles only from our own files (no inline script anywhere), no plugins, no framing, and
/// forms post only to us.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Two years, as the HSTS preload list asks.
const STRICT_TRANSPORT_SECURITY: &str = "max-age=63072000; includeSubDomains";

/// Adds the security headers a response has not set itself. `Cache-Control: no-store` is the default, so
/// a page or answer carrying personal data is never kept by a browser or proxy unless its handler says it
/// may be (the stylesheet and scripts do).
pub async fn security_headers(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let mut default = |name: HeaderName, value: &'static str| {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    };
    default(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    default(header::X_FRAME_OPTIONS, "DENY");
    default(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    default(header::REFERRER_POLICY, "same-origin");
    default(header::CACHE_CONTROL, "no-store");
    if state.config().served_over_tls {
        default(header::STRICT_TRANSPORT_SECURITY, STRICT_TRANSPORT_SECURITY);
    }
    response
}

/// Refuses a state-changing request that a browser says came from another site (`Sec-Fetch-Site`), or
/// whose `Origin` is not this server's. Tokens and `SameSite` cookies stay the main defence; this one
/// needs no secret and also covers the sign-in form, which has no session yet.
pub async fn refuse_cross_site(request: Request, next: Next) -> Response {
    if is_state_changing(request.method()) && from_another_site(request.headers()) {
        let refusal = WebError::Refused {
            code: "cross_site",
            detail: "This request came from another site. Open the page on this site and try again.",
        };
        return refusal.into_response();
    }
    next.run(request).await
}

pub fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE)
}

/// True when the browser marks the request as cross-site, or its `Origin` names a host other than the
/// `Host` it was sent to. Clients that send neither (curl, API clients) are not browsers acting for a
/// victim, so they pass.
fn from_another_site(headers: &HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).map(|v| v.to_str().unwrap_or("\u{0}"));
    if let Some(site) = text("sec-fetch-site") {
        // `none` is the user typing the address or using a bookmark.
        return !matches!(site, "same-origin" | "none");
    }
    match text("origin") {
        None => false,
        Some(origin) => {
            let origin_host = origin.split_once("://").map(|(_, rest)| rest);
            origin_host.is_none() || origin_host != text("host")
        }
    }
}

/// What a panic in a handler becomes: logged (the message only; it names code, not data) and answered as a
/// 500 in our error shape, so the client always gets an answer and the connection stays usable.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into());
    WebError::Internal(format!("a handler panicked: {message}").into()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (HeaderName::from_static(k), HeaderValue::from_static(v))).collect()
    }

    #[test]
    fn cross_site_is_told_by_fetch_metadata_then_by_origin() {
        assert!(!from_another_site(&headers(&[])));
        assert!(!from_another_site(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(!from_another_site(&headers(&[("sec-fetch-site", "none")])));
        assert!(from_another_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(from_another_site(&headers(&[("sec-fetch-site", "same-site")])));
        let same = [("origin", "https://spa.example"), ("host", "spa.example")];
        assert!(!from_another_site(&headers(&same)));
        assert!(from_another_site(&headers(&[("origin", "https://evil.example"), ("host", "spa.example")])));
        assert!(from_another_site(&headers(&[("origin", "null"), ("host", "spa.example")])));
    }
}
