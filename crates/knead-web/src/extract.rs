//! Extractors that answer malformed requests in knead's error shape instead of axum's plain text.

use crate::error::WebError;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use knead_core::FieldError;
use serde::de::DeserializeOwned;

/// Largest JSON body the API reads; catalog bodies are far smaller.
pub const MAX_JSON_BYTES: usize = 256 * 1024;

/// A JSON body; wrong types, unknown fields and missing fields name the field at fault (see [`parse_json`]).
pub struct AppJson<T>(pub T);

/// A JSON body as the bytes that came (for a handler that also fingerprints them), after the same checks as
/// [`AppJson`]: declared as JSON (else 415) and within [`MAX_JSON_BYTES`] (else 413).
pub struct JsonBytes(pub axum::body::Bytes);

/// Refuses a body that is not declared as JSON (415).
pub fn require_json(headers: &axum::http::HeaderMap) -> Result<(), WebError> {
    let is_json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json")));
    if is_json {
        Ok(())
    } else {
        Err(WebError::UnsupportedMediaType)
    }
}

impl<S: Send + Sync> FromRequest<S> for JsonBytes {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        require_json(req.headers())?;
        body_bytes(req, state).await.map(JsonBytes)
    }
}

/// The body's bytes; the router's `DefaultBodyLimit` stops reading at the limit, said in our shape, not
/// axum's text.
async fn body_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<axum::body::Bytes, WebError> {
    axum::body::Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            WebError::TooLarge { limit_bytes: MAX_JSON_BYTES }
        } else {
            WebError::BadRequest(FieldError::new("unreadable_body", "body", "the body could not be read"))
        }
    })
}

/// A JSON body that may be left out: no body, or `null`, reads as `T::default()`; a body that is sent is held
/// to [`AppJson`]'s rules (declared as JSON, within the limit, every field named when wrong). The document
/// declares it as utoipa declares an `Option<T>` body: not required, `null` or `T`.
pub struct OptionalJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for OptionalJson<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let headers = req.headers().clone();
        let bytes = body_bytes(req, state).await?;
        if bytes.is_empty() {
            return Ok(OptionalJson(T::default()));
        }
        require_json(&headers)?;
        parse_json::<Option<T>>(&bytes).map(|body| OptionalJson(body.unwrap_or_default()))
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for AppJson<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let JsonBytes(bytes) = JsonBytes::from_request(req, state).await?;
        parse_json(&bytes).map(AppJson)
    }
}

/// Parses JSON, reporting the path of the field at fault (`add_ons[0].price_cents`).
///
/// The text is read first (a syntax error is about the body as a whole), then the fields. JSON does not tell
/// `72` from `72.0`, and neither does JSON Schema's `integer`, so a whole number written with a fraction is
/// read as the integer it is.
///
/// A body that cannot be read (not JSON, a wrong type, a missing field) is a 400. A field the body does not
/// take (`travel_fee_cent_per_km`, `service_area.radius`) is a 422 like any other refused field, named by its
/// path and listing the fields allowed there: a misspelled key is never silently ignored.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, WebError> {
    let mut value: serde_json::Value = serde_json::from_slice(bytes).map_err(|inner| {
        WebError::BadRequest(FieldError::new("invalid_json", "body", format!("the body is not valid JSON: {inner}")))
    })?;
    whole_numbers_as_integers(&mut value);
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let msg = err.into_inner().to_string();
        if let Some(unknown) = unknown_field(&path, &msg) {
            return WebError::from(unknown);
        }
        // serde reports a missing field at its parent; name the field itself.
        let field = match field_from_message(&msg) {
            Some(name) if msg.starts_with("missing field") => join_path(&path, &name),
            _ => path,
        };
        let code = if msg.starts_with("missing field") { "required" } else { "invalid_type" };
        let field = if field == "." || field.is_empty() { "body".into() } else { field };
        WebError::BadRequest(FieldError::new(code, field, msg))
    })
}

/// serde's "unknown field `radius`, expected one of `lat`, `lon`, `radius_km`" at `service_area.radius` as
/// a field error naming `service_area.radius` and the fields allowed beside it.
fn unknown_field(path: &str, msg: &str) -> Option<FieldError> {
    let name = msg.strip_prefix("unknown field `").and_then(|rest| rest.split('`').next())?;
    let expected = msg.split_once("expected ").map_or("", |(_, list)| list);
    let allowed: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    // The path ends with the unknown key; an empty key leaves it at its parent.
    let field = if path.is_empty() || path == "." {
        if name.is_empty() {
            "body".to_string()
        } else {
            name.to_string()
        }
    } else {
        path.to_string()
    };
    let detail = match allowed.as_slice() {
        [] => format!("{name:?} is not a field this takes; it takes no fields here"),
        fields => format!("{name:?} is not a field this takes; the fields allowed here are {}", fields.join(", ")),
    };
    Some(FieldError::new("unknown_field", field, detail))
}
fn whole_numbers_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    // Exactly i64's range (2^63 is not in it): `as` would saturate anything beyond.
    const I64_RANGE: std::ops::Range<f64> = -9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0;
    match value {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|f| n.is_f64() && f.fract() == 0.0 && I64_RANGE.contains(f)) {
                *n = serde_json::Number::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(whole_numbers_as_integers),
        Value::Null | Value::Bool(_) | Value::String(_) => {}
    }
}

fn field_from_message(msg: &str) -> Option<String> {
    let rest = msg.strip_prefix("missing field `").or_else(|| msg.strip_prefix("unknown field `"))?;
    rest.split('`').next().map(str::to_string)
}

fn join_path(parent: &str, name: &str) -> String {
    if parent == "." || parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}.{name}")
    }
}

/// A path parameter; a malformed id is a 404 naming the field, not axum's text.
pub struct AppPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for AppPath<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| AppPath(p.0))
            .map_err(|e| WebError::BadRequest(FieldError::new("invalid_path", "id", e.body_text())))
    }
}

/// Query parameters, with our error shape.
pub struct AppQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for AppQuery<T> {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded_parse(query));
        serde_path_to_error::deserialize(de).map(AppQuery).map_err(|err| {
            let field = err.path().to_string();
            let inner = err.into_inner().to_string();
            let field = field_from_message(&inner).unwrap_or(field);
            WebError::BadRequest(FieldError::new(
                "invalid_query",
                if field == "." || field.is_empty() { "query".into() } else { field },
                inner,
            ))
        })
    }
}

fn form_urlencoded_parse(query: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(query.as_bytes())
}

/// A URL-encoded form body as ordered name/value pairs (forms repeat and number their fields).
pub struct FormPairs(pub Vec<(String, String)>);

/// Largest form body the pages read.
pub const MAX_FORM_BYTES: usize = 256 * 1024;

impl<S: Send + Sync> FromRequest<S> for FormPairs {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|_| {
            WebError::BadRequest(FieldError::new(
                "too_large",
                "body",
                format!("the form must be at most {MAX_FORM_BYTES} bytes"),
            ))
        })?;
        Ok(FormPairs(form_urlencoded::parse(&bytes).into_owned().collect()))
    }
}

impl FormPairs {
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    /// Every value posted under `name` (checkboxes that share it), in the order sent.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use proptest::prelude::*;
    use std::future::Future;
    use std::task::{Context, Poll, Waker};

    /// Runs an extractor over input already in memory; it has nothing to wait for.
    fn ready<F: Future>(fut: F) -> F::Output {
        match std::pin::pin!(fut).as_mut().poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(out) => out,
            Poll::Pending => panic!("an extractor waited although its input was all in memory"),
        }
    }

    fn form(body: &[u8]) -> Vec<(String, String)> {
        let request = axum::http::Request::builder().method("POST").body(Body::from(body.to_vec())).unwrap();
        ready(FormPairs::from_request(request, &())).map(|FormPairs(pairs)| pairs).unwrap()
    }

    fn query<T: DeserializeOwned + Send>(query: &str) -> Option<Result<T, WebError>> {
        let (mut parts, ()) = axum::http::Request::builder().uri(format!("/q?{query}")).body(()).ok()?.into_parts();
        Some(ready(AppQuery::<T>::from_request_parts(&mut parts, &())).map(|AppQuery(t)| t))
    }

    /// A refusal of malformed input: 400 (422 for an unknown field) in our shape, naming the field.
    fn assert_bad_request(err: &WebError) -> Result<(), TestCaseError> {
        let status = err.status().as_u16();
        prop_assert!(status == 400 || (status == 422 && err.body().errors[0].code == "unknown_field"), "{:?}", err);
        let body = err.body();
        prop_assert!(!body.errors.is_empty());
        for item in &body.errors {
            prop_assert!(!item.code.is_empty() && !item.detail.is_empty());
            prop_assert!(item.field.as_deref().is_some_and(|f| !f.is_empty()), "{:?}", err);
        }
        Ok(())
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)] // Read by the extractor; the test looks only at whether it refuses well.
    struct AnyQuery {
        service_id: i64,
        lat: Option<f64>,
        from: String,
        days: Option<i64>,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body1 {
        name: String,
        minutes: i64,
        lat: Option<f64>,
        items: Vec<Item>,
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Item {
        price_cents: i64,
    }

    fn json_like() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            "\"name\"",
            "\"minutes\"",
            "\"lat\"",
            "\"items\"",
            "\"price_cents\"",
            "\"other\"",
            "\"x\"",
            "1",
            "-5",
            "1e400",
            "9223372036854775808",
            "null",
            "true",
            "\"\\u0000\"",
            "\"\\ud800\"",
            " ",
            "\"",
        ]);
        prop_oneof![prop::collection::vec(piece, 0..40).prop_map(|p| p.concat()), ".{0,60}"]
    }

    proptest! {
        #![proptest_config(ProptestConfig { rng_seed: proptest::test_runner::RngSeed::Fixed(7), cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn form_pairs_survive_encoding_and_decoding(pairs in prop::collection::vec((".{0,12}", ".{0,12}"), 0..8)) {
            let mut encoded = form_urlencoded::Serializer::new(String::new());
            encoded.extend_pairs(&pairs);
            let decoded = form(encoded.finish().as_bytes());
            prop_assert_eq!(&decoded, &pairs);
            if let Some((name, _)) = pairs.first() {
                let first = pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap();
                let read = FormPairs(decoded);
                prop_assert_eq!(read.get(name), first);
            }
        }

        #[test]
        fn any_form_body_is_read_and_reads_the_same_again(body in prop::collection::vec(any::<u8>(), 0..64)) {
            let pairs = form(&body);
            let mut encoded = form_urlencoded::Serializer::new(String::new());
            encoded.extend_pairs(&pairs);
            prop_assert_eq!(form(encoded.finish().as_bytes()), pairs);
        }

        #[test]
        fn a_malformed_query_is_a_400_naming_the_field(text in r"([a-z_]{0,12}=[-+0-9a-zA-Z.%&=]{0,12}&?){0,6}") {
            if let Some(Err(e)) = query::<AnyQuery>(&text) {
                assert_bad_request(&e)?;
            }
        }

        #[test]
        fn a_malformed_json_body_is_a_400_naming_the_field(text in json_like()) {
            if let Err(e) = parse_json::<Body1>(text.as_bytes()) {
                assert_bad_request(&e)?;
            }
        }
    }

    #[test]
    fn json_errors_name_the_field_at_fault() {
        let field = |body: &str| match parse_json::<Body1>(body.as_bytes()) {
            Err(WebError::BadRequest(e)) => (e.code, e.field),
            Err(e @ WebError::App(_)) => {
                assert_eq!(e.status().as_u16(), 422, "{e:?}");
                let errors = crate::error::field_errors(match &e {
                    WebError::App(app) => app,
                    _ => unreachable!(),
                })
                .unwrap();
                (errors.0[0].code, errors.0[0].field.clone())
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(field(r#"{"name":"a","minutes":"x","items":[]}"#), ("invalid_type", "minutes".into()));
        assert_eq!(field(r#"{"name":"a","items":[]}"#), ("required", "minutes".into()));
        assert_eq!(field(r#"{"name":"a","minutes":1,"items":[{"price_cents":1.5}]}"#).1, "items[0].price_cents");
        assert_eq!(field(r#"{"name":"a","minutes":1,"items":[],"x":1}"#), ("unknown_field", "x".into()));
        assert_eq!(field(r#"{"items":[{"price_cents":1,"price":2}]}"#), ("unknown_field", "items[0].price".into()));
        assert_eq!(field("{"), ("invalid_json", "body".into()));
        // Found by fuzzing: an unknown field with an empty name was reported under an empty field.
        assert_eq!(field(r#"{"":1}"#), ("unknown_field", "body".into()));
    }

    #[test]
    fn an_unknown_field_says_which_fields_are_allowed() {
        let Err(e) = parse_json::<Body1>(br#"{"nmae":"a"}"#) else { panic!("an unknown field is refused") };
        let detail = &e.body().errors[0].detail;
        assert_eq!(
            detail,
            r#""nmae" is not a field this takes; the fields allowed here are name, minutes, lat, items"#
        );
    }
}
