//! Form building blocks: each field shows its label, the value as typed, and its error beside it.

use knead_core::{FieldError, ValidationErrors};
use maud::{html, Markup};

/// Submitted (or prefilled) form values by field name, kept as typed so a refused form shows
/// exactly what the person entered.
#[derive(Debug, Default, Clone)]
pub struct Values(pub Vec<(String, String)>);

impl Values {
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.push((name.into(), value.into()));
    }
}

/// The message for `field`, also matching the API's `_cents` names for money typed in dollars.
pub fn error_for<'a>(errors: &'a ValidationErrors, field: &str) -> Option<&'a str> {
    errors.for_field(field).or_else(|| errors.for_field(&format!("{field}_cents")))
}

pub enum Input<'a> {
    Text,
    Number,
    Money,
    Area(u32),
    Select(&'a [(&'a str, &'a str)]),
}

/// One labelled field with its hint and error.
pub fn field(
    values: &Values,
    errors: &ValidationErrors,
    name: &str,
    label: &str,
    kind: Input<'_>,
    hint: &str,
) -> Markup {
    let value = values.get(name);
    let error = error_for(errors, name);
    let id = name.replace(['[', ']', '.'], "_");
    let described = error.map(|_| format!("{id}-error"));
    html! {
        div.field.invalid[error.is_some()] {
            label for=(id) { (label) }
            @if !hint.is_empty() { span.hint { (hint) } }
            @match kind {
                Input::Text => { input #(id) type="text" name=(name) value=(value) aria-invalid=[error.map(|_| "true")] aria-describedby=[described.as_deref()]; }
                Input::Number => { input #(id) type="text" inputmode="numeric" name=(name) value=(value) aria-invalid=[error.map(|_| "true")] aria-describedby=[described.as_deref()]; }
                Input::Money => { input #(id) type="text" inputmode="decimal" name=(name) value=(value) aria-invalid=[error.map(|_| "true")] aria-describedby=[described.as_deref()]; }
                Input::Area(rows) => { textarea #(id) name=(name) rows=(rows) aria-invalid=[error.map(|_| "true")] aria-describedby=[described.as_deref()] { (value) } }
                Input::Select(options) => {
                    select #(id) name=(name) aria-invalid=[error.map(|_| "true")] aria-describedby=[described.as_deref()] {
                        @for (v, l) in options { option value=(v) selected[*v == value] { (l) } }
                    }
                }
            }
            @if let Some(e) = error { span.error id=(format!("{id}-error")) { (e) } }
        }
    }
}

/// A whole number typed into a form; an error naming the API field if it is not one.
pub fn whole_number(errors: &mut ValidationErrors, values: &Values, name: &str, api_field: &str) -> i64 {
    let text = values.get(name).trim();
    if text.is_empty() {
        return 0;
    }
    text.parse().unwrap_or_else(|_| {
        errors.push(FieldError::new("invalid_type", api_field, "must be a whole number"));
        0
    })
}

/// A price typed in dollars ("95" or "95.50"), as cents.
pub fn money(errors: &mut ValidationErrors, values: &Values, name: &str, api_field: &str) -> i64 {
    let text = values.get(name).trim();
    if text.is_empty() {
        errors.push(FieldError::new("required", api_field, "is required, e.g. 95 or 95.50"));
        return 0;
    }
    knead_core::money::parse_price(text).unwrap_or_else(|| {
        errors.push(FieldError::new("invalid_type", api_field, "must be an amount in dollars, e.g. 95 or 95.50"));
        0
    })
}

/// Comma-separated labels ("Swedish massage, Myofascial release").
pub fn labels(values: &Values, name: &str) -> Vec<String> {
    values.get(name).split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

/// Errors found while reading the form merged with the domain's own checks.
pub fn merge(mut first: ValidationErrors, then: Result<(), ValidationErrors>) -> ValidationErrors {
    if let Err(more) = then {
        for e in more.0 {
            if first.for_field(&e.field).is_none() {
                first.push(e);
            }
        }
    }
    first
}
