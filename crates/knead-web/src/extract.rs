//! Extractors that answer malformed requests in knead's error shape instead of axum's plain text.

use crate::error::WebError;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use knead_core::FieldError;
use serde::de::DeserializeOwned;

/// Largest JSON body the API reads; catalog bodies are far smaller.
pub const MAX_JSON_BYTES: usize = 256 * 1024;

/// A JSON body; wrong types, unknown fields and missing fields name the field at fault.
pub struct AppJson<T>(pub T);

/// Refuses a body that is not declared as JSON.
pub fn require_json(headers: &axum::http::HeaderMap) -> Result<(), WebError> {
    let is_json = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json")));
    if is_json {
        Ok(())
    } else {
        Err(WebError::BadRequest(FieldError::new(
            "unsupported_media_type",
            "body",
            "send the body as JSON with `Content-Type: application/json`",
        )))
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for AppJson<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        require_json(req.headers())?;
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|_| {
            WebError::BadRequest(FieldError::new(
                "too_large",
                "body",
                format!("the body must be at most {MAX_JSON_BYTES} bytes"),
            ))
        })?;
        parse_json(&bytes).map(AppJson)
    }
}

/// Parses JSON, reporting the path of the field at fault (`add_ons[0].price_cents`).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, WebError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let (code, field, detail) = match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                ("invalid_json", "body".to_string(), format!("the body is not valid JSON: {inner}"))
            }
            _ => {
                let msg = inner.to_string();
                let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
                // serde reports a missing or unknown field at its parent; name the field itself.
                let field = match field_from_message(&msg) {
                    Some(name) if msg.starts_with("missing field") => join_path(&path, &name),
                    _ => path.clone(),
                };
                let code = if msg.starts_with("missing field") {
                    "required"
                } else if msg.starts_with("unknown field") {
                    "unknown_field"
                } else {
                    "invalid_type"
                };
                (code, if field == "." { "body".into() } else { field }, msg)
            }
        };
        WebError::BadRequest(FieldError::new(code, field, detail))
    })
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
                if field == "." { "query".into() } else { field },
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
}
