//! Field-level validation errors shared by every input type.
//!
//! Every error names the field (as the API spells it) and says what is allowed, so the web layer can
//! show it beside the form field or return it in `{"errors":[...]}` without translating.

use std::fmt;

/// One problem with one input field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// A stable machine-readable code, e.g. `too_long`, `required`, `out_of_range`.
    pub code: &'static str,
    /// The field's name as the API spells it, e.g. `price_cents` or `add_ons[1].name`.
    pub field: String,
    /// A sentence for people, saying what is allowed.
    pub detail: String,
}

impl FieldError {
    pub fn new(code: &'static str, field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self { code, field: field.into(), detail: detail.into() }
    }
}

/// All the problems found in one input; never empty when returned as an error.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|e| format!("{}: {}", e.field, e.detail)).collect();
        f.write_str(&parts.join("; "))
    }
}

impl ValidationErrors {
    pub fn single(code: &'static str, field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self(vec![FieldError::new(code, field, detail)])
    }

    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    /// The first message for `field`, for showing beside a form field.
    pub fn for_field(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.detail.as_str())
    }

    /// Whether no problem was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Keeps a parsed value, or records why it could not be parsed.
    pub fn take<T>(&mut self, parsed: Result<T, FieldError>) -> Option<T> {
        parsed.map_err(|e| self.push(e)).ok()
    }

    /// `Ok(())` when nothing was pushed, else the collected errors.
    pub fn check(self) -> Result<(), ValidationErrors> {
        self.finish(|| Some(()))
    }

    /// The value `build` makes when nothing was pushed, else the collected errors. `build` sees the parsed
    /// parts as `Option`s (from [`ValidationErrors::take`]) and uses `?` on them: each `None` pushed an error,
    /// so with none pushed every part is there. Should a part still be missing, the input is refused as a
    /// whole rather than panicking.
    pub fn finish<T>(self, build: impl FnOnce() -> Option<T>) -> Result<T, ValidationErrors> {
        if !self.0.is_empty() {
            return Err(self);
        }
        build().ok_or_else(|| ValidationErrors::single("invalid", "body", "could not be read"))
    }

    /// Trimmed text of `min..=max` characters; pushes an error and returns an empty string otherwise.
    pub fn text(&mut self, field: &str, value: &str, min: usize, max: usize) -> String {
        let trimmed = value.trim();
        let len = trimmed.chars().count();
        if len < min {
            let detail =
                if min == 1 { "is required".to_string() } else { format!("must be at least {min} characters") };
            self.push(FieldError::new("required", field, detail));
        } else if len > max {
            self.push(FieldError::new("too_long", field, format!("must be at most {max} characters (got {len})")));
        } else if trimmed.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
            self.push(FieldError::new("invalid", field, "must not contain control characters"));
        }
        trimmed.to_string()
    }

    /// A whole number within `min..=max`; pushes an error otherwise.
    pub fn range(&mut self, field: &str, value: i64, min: i64, max: i64, unit: &str) -> i64 {
        if value < min || value > max {
            self.push(FieldError::new(
                "out_of_range",
                field,
                format!("must be between {min} and {max}{unit} (got {value})"),
            ));
        }
        value
    }

    /// A list of short labels: at most `max_items`, each 1..=`max_len` characters, duplicates dropped.
    pub fn labels(&mut self, field: &str, values: &[String], max_items: usize, max_len: usize) -> Vec<String> {
        if values.len() > max_items {
            self.push(FieldError::new(
                "too_many",
                field,
                format!("must have at most {max_items} entries (got {})", values.len()),
            ));
            return Vec::new();
        }
        let mut out: Vec<String> = Vec::new();
        for (i, v) in values.iter().enumerate() {
            let label = self.text(&format!("{field}[{i}]"), v, 1, max_len);
            if !label.is_empty() && !out.iter().any(|o| o.eq_ignore_ascii_case(&label)) {
                out.push(label);
            }
        }
        out
    }
}
