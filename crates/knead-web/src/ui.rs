//! The pages' shared building blocks: form values kept as typed, one labelled field widget with its hint and
//! error, the error summary above a refused form, readers for what people type into forms (numbers, money,
//! labels), the CSRF field and notices, the few ways times and durations are shown, and the practice's contact
//! details at the foot of every page.

use crate::auth::Caller;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use knead_core::practice::PracticeDetails;
use knead_core::{FieldError, ValidationErrors};
use maud::{html, Markup};

/// Submitted (or prefilled) form values by field name, kept as typed so a refused form shows
/// exactly what the person entered.
#[derive(Debug, Default, Clone)]
pub struct Values(pub Vec<(String, String)>);

impl Values {
    /// A posted form's values, without its CSRF token.
    pub fn from_form(pairs: Vec<(String, String)>) -> Values {
        Values(pairs.into_iter().filter(|(k, _)| k != "csrf").collect())
    }

    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    /// Whether `name` was posted with `value` (a checkbox among several of one name).
    pub fn has(&self, name: &str, value: &str) -> bool {
        self.0.iter().any(|(k, v)| k == name && v == value)
    }

    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.push((name.into(), value.into()));
    }
}

/// How an `<input>` is typed, so phones show the right keyboard and browsers can fill it in.
#[derive(Clone, Copy)]
pub struct Typed<'a> {
    pub html_type: &'a str,
    pub inputmode: Option<&'a str>,
    pub autocomplete: Option<&'a str>,
}

pub const TEXT: Typed<'static> = Typed { html_type: "text", inputmode: None, autocomplete: None };
pub const NUMBER: Typed<'static> = Typed { html_type: "text", inputmode: Some("numeric"), autocomplete: None };
pub const MONEY: Typed<'static> = Typed { html_type: "text", inputmode: Some("decimal"), autocomplete: None };
pub const DECIMAL: Typed<'static> = Typed { html_type: "text", inputmode: Some("decimal"), autocomplete: Some("off") };
pub const WHOLE: Typed<'static> = Typed { html_type: "text", inputmode: Some("numeric"), autocomplete: Some("off") };
pub const DATE: Typed<'static> = Typed { html_type: "date", inputmode: None, autocomplete: Some("off") };
/// Hours as text ("9:30", "5pm"), not `type=time`, so a mistyped value comes back as typed beside its message;
/// no `inputmode`, so a phone's keyboard has ":" and letters, which a numeric keypad lacks.
pub const HOURS: Typed<'static> = Typed { html_type: "text", inputmode: None, autocomplete: Some("off") };

/// What kind of control a field is.
pub enum Input<'a> {
    Line(Typed<'a>),
    Area(u32),
    Select(&'a [(&'a str, &'a str)]),
}

/// The message for `field`, also matching the API's `_cents` names for money typed in dollars.
pub fn error_for<'a>(errors: &'a ValidationErrors, field: &str) -> Option<&'a str> {
    errors.for_field(field).or_else(|| errors.for_field(&format!("{field}_cents")))
}

/// The element id a field name gets.
pub fn field_id(name: &str) -> String {
    name.replace(['[', ']', '.'], "_")
}

/// The ids a field's `aria-describedby` names: its hint, then its error, so a screen reader reads both
/// with the field; `None` when it has neither.
fn described_by(id: &str, hint: bool, error: bool) -> Option<String> {
    let ids: Vec<String> =
        [hint.then(|| format!("{id}-hint")), error.then(|| format!("{id}-error"))].into_iter().flatten().collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// One labelled field with its hint, the value as typed, and its error beside it.
pub fn field(
    values: &Values,
    errors: &ValidationErrors,
    name: &str,
    label: &str,
    input: Input<'_>,
    hint: &str,
) -> Markup {
    let value = values.get(name);
    let error = error_for(errors, name);
    let id = field_id(name);
    let invalid = error.map(|_| "true");
    let described = described_by(&id, !hint.is_empty(), error.is_some());
    html! {
        div.field.invalid[error.is_some()] {
            label for=(id) { (label) }
            @if !hint.is_empty() { span.hint id={ (id) "-hint" } { (hint) } }
            @match input {
                Input::Line(t) => {
                    input #(id) type=(t.html_type) name=(name) value=(value) inputmode=[t.inputmode]
                        autocomplete=[t.autocomplete] aria-invalid=[invalid] aria-describedby=[described.as_deref()];
                }
                Input::Area(rows) => {
                    textarea #(id) name=(name) rows=(rows) aria-invalid=[invalid] aria-describedby=[described.as_deref()] { (value) }
                }
                Input::Select(options) => {
                    select #(id) name=(name) aria-invalid=[invalid] aria-describedby=[described.as_deref()] {
                        @for (v, l) in options { option value=(v) selected[*v == value] { (l) } }
                    }
                }
            }
            @if let Some(e) = error { span.error id=(format!("{id}-error")) { (e) } }
        }
    }
}

/// A one-line field typed as `t`.
pub fn line(values: &Values, errors: &ValidationErrors, name: &str, label: &str, t: Typed<'_>, hint: &str) -> Markup {
    field(values, errors, name, label, Input::Line(t), hint)
}

/// A street-address field: suggestions from the practice's address index as the person types and a "use
/// my location" button (both by the address script, which the page must load); without script it is a
/// plain text field that the server looks up when the form is sent. Never asks for coordinates.
pub fn address_field(values: &Values, errors: &ValidationErrors, name: &str, label: &str, hint: &str) -> Markup {
    let value = values.get(name);
    let error = error_for(errors, name);
    let id = field_id(name);
    let described = described_by(&id, true, error.is_some());
    html! {
        div.field.address.invalid[error.is_some()] {
            label for=(id) { (label) }
            span.hint #{ (id) "-hint" } { (hint) }
            input #(id) type="text" name=(name) value=(value) autocomplete="street-address" data-address
                aria-controls={ (id) "-suggestions" } aria-invalid=[error.map(|_| "true")] aria-describedby=[described.as_deref()];
            ul.suggestions #{ (id) "-suggestions" } role="listbox" aria-label="Suggested addresses" hidden {}
            p.visually-hidden #{ (id) "-status" } aria-live="polite" {}
            @if let Some(e) = error { span.error #{ (id) "-error" } { (e) } }
            button.secondary.locate type="button" data-locate-for=(id) hidden { "Use my location" }
        }
    }
}

/// A street address typed into a staff form, looked up in the practice's map: `Ok(point)`, or the field's
/// errors to show beside it; `Err` only for what is not the input's fault (the geocoder down).
pub async fn located(
    app: &knead_app::App,
    field: &str,
    text: &str,
) -> Result<Result<knead_core::GeoPoint, ValidationErrors>, crate::error::WebError> {
    match knead_app::places::locate(app, field, text).await {
        Ok(found) => Ok(Ok(found.at)),
        Err(e) => match crate::error::field_errors(&e) {
            Some(errors) => Ok(Err(errors)),
            None => Err(e.into()),
        },
    }
}

/// The `date` a calendar page was asked for, today when absent; a date that cannot be shown is today too, with
/// the reason under `date` in `errors`.
pub fn asked_date(text: Option<&str>, today: jiff::civil::Date, errors: &mut ValidationErrors) -> jiff::civil::Date {
    match text.map(str::trim).filter(|d| !d.is_empty()) {
        None => today,
        Some(text) => errors.take(knead_core::calendar::parse_date("date", text)).unwrap_or(today),
    }
}

/// The list of problems above a refused form, each naming its field and linking to it ("Email is required").
pub fn error_summary(errors: &ValidationErrors, lead: &str) -> Markup {
    error_summary_named(errors, lead, &|_| None)
}

/// The error summary with the fields a form names in its own words (`named`), the usual labels otherwise.
pub fn error_summary_named(errors: &ValidationErrors, lead: &str, named: &dyn Fn(&str) -> Option<String>) -> Markup {
    html! {
        @if !errors.0.is_empty() {
            div.error-summary role="alert" {
                p { (lead) }
                ul {
                    @for e in &errors.0 {
                        // Money is typed in dollars into `price` for the API's `price_cents` (see `error_for`).
                        @let typed_as = e.field.strip_suffix("_cents").unwrap_or(&e.field);
                        @let line = match named(&e.field) {
                            Some(label) => format!("{label}: {}", e.detail),
                            None => summary_line(&e.field, &e.detail),
                        };
                        li { a href={ "#" (field_id(typed_as)) } { (line) } }
                    }
                }
            }
        }
    }
}

/// How a field is named in the error summary: the label its form shows for the fields many forms share,
/// else its name in words ("duration_minutes" is "Duration minutes", "price_cents" is "Price").
pub fn field_label(field: &str) -> String {
    const LABELS: [(&str, &str); 12] = [
        ("name", "Name"),
        ("email", "Email"),
        ("phone", "Phone"),
        ("password", "Password"),
        ("code", "Code"),
        ("address", "Street address"),
        ("unit", "Apartment, unit or buzzer"),
        ("clinic_id", "Clinic"),
        ("therapist_id", "Therapist"),
        ("date", "Date"),
        ("start", "Time"),
        ("time_zone", "Time zone"),
    ];
    if let Some((_, label)) = LABELS.iter().find(|(f, _)| *f == field) {
        return label.to_string();
    }
    let last = field.rsplit('.').next().unwrap_or(field);
    let bare = last.strip_suffix("_cents").or_else(|| last.strip_suffix("_id")).unwrap_or(last);
    let words: String = bare.chars().map(|c| if c == '_' || c == '[' || c == ']' { ' ' } else { c }).collect();
    capitalized(words.split_whitespace().collect::<Vec<_>>().join(" ").as_str())
}

/// One line of the summary: the field's label and what is wrong with it. A message that reads on from the
/// label ("is required", "must be ...") follows it; an instruction ("choose one of the clinics") comes after a
/// colon; a problem with the whole form stands alone.
fn summary_line(field: &str, detail: &str) -> String {
    let label = field_label(field);
    if field.is_empty() || field == "form" || label.is_empty() {
        return capitalized(detail);
    }
    const READS_ON: [&str; 8] = ["is ", "must ", "names ", "has ", "could ", "was ", "are ", "cannot "];
    if READS_ON.iter().any(|w| detail.starts_with(w)) {
        format!("{label} {detail}")
    } else {
        format!("{label}: {detail}")
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The CSRF field every signed-in form carries.
pub fn csrf_field(caller: Option<&Caller>) -> Markup {
    html! { @if let Some(token) = caller.and_then(Caller::csrf_token) { input type="hidden" name="csrf" value=(token); } }
}

/// A short "saved" notice for the page a successful post redirects to.
pub fn notice(text: Option<&str>) -> Markup {
    html! { @if let Some(t) = text { p.notice role="status" { (t) } } }
}

/// A whole number typed into a form, 0 when left empty; an error naming the API field if it is not one.
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

/// A required whole number typed into a form.
pub fn whole(errors: &mut ValidationErrors, values: &Values, name: &str) -> i64 {
    values.get(name).trim().parse::<i64>().unwrap_or_else(|_| {
        errors.push(FieldError::new("invalid_type", name, "must be a whole number"));
        0
    })
}

/// A decimal number typed into a form ("1.3"); NaN and an error under `name` when it is not one.
pub fn decimal(errors: &mut ValidationErrors, values: &Values, name: &str, example: &str) -> f64 {
    match values.get(name).trim().parse::<f64>() {
        Ok(v) if v.is_finite() => v,
        _ => {
            errors.push(FieldError::new("invalid_type", name, format!("must be a number, e.g. {example}")));
            f64::NAN
        }
    }
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

/// Errors found while reading the form, then the domain's own checks under the form's field names (the
/// reading errors win: "must be a number" says more than the range check that follows from it).
pub fn merge(
    read: ValidationErrors,
    domain: Result<(), ValidationErrors>,
    rename: impl Fn(&str) -> String,
) -> ValidationErrors {
    let mut all = read;
    if let Err(more) = domain {
        for e in more.0 {
            let field = rename(&e.field);
            if all.for_field(&field).is_none() {
                all.push(FieldError { field, ..e });
            }
        }
    }
    all
}

/// An instant's wall-clock time in `tz` as the practice writes times: "2:30 pm" or "14:30".
pub fn clock(tz: &TimeZone, ts: Timestamp) -> String {
    crate::pages::page_locale().wall_clock.clock(tz, ts)
}

/// A day's heading in the practice's locale: "Tuesday, March 3" or "Tuesday 3 March".
pub fn day_heading(date: Date) -> String {
    crate::pages::page_locale().wall_clock.day_heading(date)
}

/// A date in full in the practice's locale: "Tuesday, December 1, 2026" or "Tuesday 1 December 2026".
pub fn full_date(date: Date) -> String {
    crate::pages::page_locale().wall_clock.full_date(date)
}

/// A visit's date and times: "Tuesday, March 3, 2026, 10:00–11:00 am" or "Tuesday 3 March 2026, 10:00–11:00".
pub fn when_text(tz: &TimeZone, start: Timestamp, end: Timestamp) -> String {
    crate::pages::page_locale().wall_clock.when(tz, start, end)
}

/// "1 h 30 min".
pub fn minutes(m: i64) -> String {
    match (m / 60, m % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// How to reach the practice, at the foot of every page: its name, then the phone as a link a phone dials,
/// the email as a link that writes to it, and the postal address on its lines — each only when given.
pub fn practice_contact(name: &str, details: &PracticeDetails) -> Markup {
    let address = details.address_lines();
    html! {
        address.contact {
            strong { (name) }
            @if let Some(phone) = &details.phone {
                br; "Phone " a href=(phone.tel_href()) { (phone.as_str()) }
            }
            @if let Some(email) = &details.email {
                br; "Email " a href={ "mailto:" (email) } { (email) }
            }
            @for line in &address { br; (line) }
        }
    }
}

/// Two wall-clock minutes of the day as a range: "9:30–11:00 am" or "09:30–11:00".
pub fn clock_range(start: i64, end: i64) -> String {
    crate::pages::page_locale().wall_clock.minutes_range(start, end)
}
