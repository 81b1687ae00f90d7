//! The finishing of the OpenAPI document: the error answers every operation shares, by rule, and the bounds
//! the core's validation enforces, written onto the request schemas.
//!
//! Why here and not in attributes: the same six error answers would otherwise be repeated on every operation
//! (and forgotten on the next one), and the input types are the core's, whose `openapi` feature describes
//! their shape; the limits a client must respect are part of the wire contract this layer owns. Each bound
//! names the rule it mirrors; the API check (`scripts/check-api`) sends schema-valid and schema-invalid
//! requests to the real server, so a bound that drifts from the code fails there.

use crate::extract::MAX_JSON_BYTES;
use serde_json::{json, Map, Value};

/// The document as served: utoipa's, with the shared error answers and the input bounds added.
pub fn finish(doc: &utoipa::openapi::OpenApi) -> Value {
    let mut doc = serde_json::to_value(doc).expect("the OpenAPI document serialises");
    add_shared_errors(&mut doc);
    add_input_bounds(&mut doc);
    doc
}

const UNSAFE_METHODS: [&str; 4] = ["post", "put", "patch", "delete"];
const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Adds the answers the web layer gives before a handler runs, on exactly the operations that can get them:
/// 400 (a parameter or body that cannot be read) where there are parameters or a body, 413, 415 and 422 (a
/// field the body does not take) where there is a body, 401 and 403 where the caller is read, and 403 on every unsafe method (a request with the
/// session cookie and no `X-CSRF-Token` header is refused).
fn add_shared_errors(doc: &mut Value) {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    for item in paths.values_mut() {
        for method in METHODS {
            let Some(op) = item.get_mut(method).and_then(Value::as_object_mut) else { continue };
            let has_params = op.get("parameters").and_then(Value::as_array).is_some_and(|p| !p.is_empty());
            let has_body = op.contains_key("requestBody");
            let reads_caller = op.contains_key("security");
            let is_unsafe = UNSAFE_METHODS.contains(&method);
            let responses = op.entry("responses").or_insert_with(|| json!({}));
            let mut add = |status: &str, description: String| {
                if let Some(responses) = responses.as_object_mut() {
                    responses.entry(status).or_insert_with(|| error_response(&description));
                }
            };
            if has_params || has_body {
                add(
                    "400",
                    "The request could not be read: a malformed path or query parameter, or a body that is not \
                     JSON or has a wrong type or a missing field. The error names the field."
                        .into(),
                );
            }
            if has_body {
                add("413", format!("The body is longer than {MAX_JSON_BYTES} bytes."));
                add("415", "The body is not declared as `Content-Type: application/json`.".into());
                add(
                    "422",
                    "A field is not valid, or is not one the body takes (`unknown_field`, naming it and the fields \
                     allowed beside it). Nothing was changed."
                        .into(),
                );
            }
            if reads_caller {
                add("401", "Sign-in required, or the bearer token is unknown, expired or revoked.".into());
            }
            match (reads_caller, is_unsafe) {
                (true, true) => add(
                    "403",
                    "The caller's role may not do this, or a request signed in with the session cookie came \
                     without the `X-CSRF-Token` header."
                        .into(),
                ),
                (true, false) => add("403", "The caller's role may not do this.".into()),
                (false, true) => add(
                    "403",
                    "A request signed in with the session cookie came without the `X-CSRF-Token` header.".into(),
                ),
                (false, false) => {}
            }
        }
    }
}

fn error_response(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ErrorBody" } } }
    })
}

/// Control characters the core's text check refuses (all but tab, line feed and carriage return).
const CONTROL: &str = r"\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F";

/// `ValidationErrors::text`: trimmed, `min..=max` characters, no control characters. `min` is 0 or 1 in
/// every input; 1 means "something other than white space".
fn text(min: usize, max: usize) -> Value {
    text_without(min, max, CONTROL)
}

/// `text` on one line: a name (`PracticeDetailsInput`, `ClinicInput`) refuses line breaks too.
fn one_line(min: usize, max: usize) -> Value {
    text_without(min, max, &format!(r"{CONTROL}\n\r"))
}

fn text_without(min: usize, max: usize, refused: &str) -> Value {
    assert!(min <= 1, "a text bound with min {min} needs a pattern of its own");
    let pattern =
        if min == 0 { format!("^[^{refused}]*$") } else { format!(r"^[^{refused}]*[^\s{refused}][^{refused}]*$") };
    json!({ "minLength": min, "maxLength": max, "pattern": pattern })
}

/// `ValidationErrors::labels`: at most `max_items`, each a `text(1, max_len)`.
fn labels(max_items: usize, max_len: usize) -> Value {
    json!({ "maxItems": max_items, "items": text(1, max_len) })
}

/// `ValidationErrors::range`: a whole number within `min..=max`.
fn range(min: i64, max: i64) -> Value {
    json!({ "minimum": min, "maximum": max })
}

/// A finite number within `min..=max` (`travel_fee_free_km`).
fn within(min: f64, max: f64) -> Value {
    json!({ "minimum": min, "maximum": max })
}

/// Above 0 and at most `max` (the settings' `positive`, a schedule's radius).
fn positive(max: f64) -> Value {
    json!({ "exclusiveMinimum": 0.0, "maximum": max })
}

/// `GeoPoint::parse`.
fn latitude() -> Value {
    within(-90.0, 90.0)
}

fn longitude() -> Value {
    within(-180.0, 180.0)
}

/// `Slug::parse`; an empty slug is derived from the name or title.
fn slug() -> Value {
    json!({ "maxLength": knead_core::Slug::MAX_LEN, "pattern": "^([a-z0-9]+(-[a-z0-9]+)*)?$" })
}

/// `parse_instant`: RFC 3339 with an offset.
fn instant() -> Value {
    json!({ "format": "date-time" })
}

/// `VisitReason::parse`: one of the reasons, or none.
fn visit_reason() -> Value {
    let mut reasons: Vec<Value> =
        knead_core::intake::VisitReason::ALL.iter().map(|r| Value::from(r.as_str())).collect();
    reasons.push(Value::Null);
    json!({ "enum": reasons })
}

/// `parse_clock`: a local time of day, 00:00 to 24:00.
fn clock() -> Value {
    json!({ "pattern": "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$" })
}

/// `Email::parse`: one `@`, a dotted domain, no white space, control characters, `<`, `>` or `,`.
fn email() -> Value {
    json!({ "maxLength": 254, "pattern": email_pattern() })
}

fn email_pattern() -> String {
    let c = format!(r"[^\s<>,@{CONTROL}]");
    let d = format!(r"[^\s<>,@.{CONTROL}]");
    format!("^{c}+@{d}{c}*\\.{c}*{d}$")
}

/// `PracticeDetailsInput`'s email: an email address, or nothing (white space alone) for none.
fn email_or_none() -> Value {
    json!({ "maxLength": 254, "pattern": format!(r"^\s*$|{}", email_pattern()) })
}

/// `Phone::parse` (the practice's phone), or nothing for none: 7 to 20 digits with spaces, dashes and
/// parentheses, a `+` only in front, at most 40 characters.
fn practice_phone() -> Value {
    json!({ "maxLength": 40, "pattern": r"^\s*(\+?[ ()\-]*([0-9][ ()\-]*){7,20})?\s*$" })
}

/// `ContactInput::validate`: digits and ` +-().`, 7 to 15 digits, at most 25 characters.
fn phone() -> Value {
    json!({ "maxLength": 25, "pattern": r"^[ +\-().]*([0-9][ +\-().]*){7,15}$" })
}

/// `Zone::parse`: the Region/City zones the server's time-zone database knows, and `UTC` (also `Etc/UTC`);
/// abbreviations and legacy names (`EST`, `US/Eastern`) are refused.
fn time_zone() -> Value {
    let mut names: Vec<String> =
        knead_core::calendar::Zone::offered_by_region().into_iter().flat_map(|(_, zones)| zones).collect();
    names.push("Etc/UTC".into());
    names.sort();
    json!({ "enum": names })
}

fn add_input_bounds(doc: &mut Value) {
    use knead_core::ServiceInput;
    let max_price = ServiceInput::MAX_PRICE_CENTS;
    let bounds: Vec<(&str, &str, Value)> = vec![
        ("ServiceInput", "slug", slug()),
        ("ServiceInput", "name", text(1, 120)),
        ("ServiceInput", "description", text(0, 4000)),
        ("ServiceInput", "duration_minutes", range(5, 600)),
        ("ServiceInput", "price_cents", range(0, max_price)),
        ("ServiceInput", "modality", text(0, 80)),
        ("ServiceInput", "buffer_minutes", range(0, 240)),
        ("ServiceInput", "add_ons", json!({ "maxItems": ServiceInput::MAX_ADD_ONS })),
        ("AddOnInput", "name", text(1, 80)),
        ("AddOnInput", "price_cents", range(0, max_price)),
        ("AddOnInput", "extra_minutes", range(0, 240)),
        ("TherapistInput", "slug", slug()),
        ("TherapistInput", "name", text(1, 120)),
        ("TherapistInput", "credentials", text(0, 200)),
        ("TherapistInput", "registration_number", text(0, 40)),
        ("TherapistInput", "bio", text(0, 4000)),
        ("TherapistInput", "modalities", labels(30, 80)),
        ("TherapistInput", "conditions", labels(30, 80)),
        ("TherapistInput", "languages", labels(30, 80)),
        ("ArticleInput", "slug", slug()),
        ("ArticleInput", "title", text(1, 200)),
        ("ArticleInput", "summary", text(0, 500)),
        ("ArticleInput", "body_markdown", text(1, 50_000)),
        ("BookingInput", "start", instant()),
        ("BookingInput", "therapist_ids", json!({ "uniqueItems": true })),
        ("BookingInput", "lat", latitude()),
        ("BookingInput", "lon", longitude()),
        ("BookingInput", "address", text(0, 300)),
        ("ContactInput", "name", text(1, 120)),
        ("ContactInput", "email", email()),
        ("ContactInput", "phone", phone()),
        ("RescheduleInput", "start", instant()),
        ("PracticeSettingsInput", "time_zone", time_zone()),
        ("PracticeSettingsInput", "grid_minutes", json!({ "enum": [5, 10, 15, 20, 30, 60] })),
        ("PracticeSettingsInput", "lead_minutes", range(0, 60 * 24 * 14)),
        ("PracticeSettingsInput", "cancel_notice_hours", range(0, 24 * 14)),
        ("PracticeSettingsInput", "travel_fee_free_km", within(0.0, 500.0)),
        ("PracticeSettingsInput", "travel_fee_cents_per_km", range(0, 100_000)),
        ("PracticeSettingsInput", "road_factor", positive(5.0)),
        ("PracticeSettingsInput", "speed_kmh", positive(200.0)),
        // `ResponsePolicy::validate`: checkpoints in visits and weeks, points on a 0-10 scale, a percentage.
        ("ResponsePolicy", "early_visit", range(1, 52)),
        ("ResponsePolicy", "early_week", range(1, 52)),
        ("ResponsePolicy", "review_visit", range(1, 52)),
        ("ResponsePolicy", "review_week", range(1, 52)),
        ("ResponsePolicy", "ceiling_visits", range(1, 52)),
        ("ResponsePolicy", "ceiling_weeks", range(1, 52)),
        ("ResponsePolicy", "early_min_points", within(0.5, 10.0)),
        ("ResponsePolicy", "responder_points", within(0.5, 10.0)),
        ("ResponsePolicy", "psfs_points", within(0.5, 10.0)),
        ("ResponsePolicy", "deterioration_points", within(0.5, 10.0)),
        ("ResponsePolicy", "responder_percent", within(1.0, 100.0)),
        ("ServiceArea", "lat", latitude()),
        ("ServiceArea", "lon", longitude()),
        ("ServiceArea", "radius_km", positive(500.0)),
        ("PracticeDetailsInput", "name", one_line(0, 120)),
        ("PracticeDetailsInput", "phone", practice_phone()),
        ("PracticeDetailsInput", "email", email_or_none()),
        ("PracticeDetailsInput", "address", text(0, 300)),
        ("ClinicInput", "name", one_line(1, 120)),
        ("ClinicInput", "address", text(1, 300)),
        ("ClinicInput", "lat", latitude()),
        ("ClinicInput", "lon", longitude()),
        ("ClinicInput", "rooms", json!({ "minItems": 1, "maxItems": 50 })),
        ("RoomRef", "name", text(1, 80)),
        ("ScheduleInput", "base_lat", latitude()),
        ("ScheduleInput", "base_lon", longitude()),
        ("ScheduleInput", "radius_km", positive(200.0)),
        ("WeeklyHoursInput", "weekday", range(1, 7)),
        ("WeeklyHoursInput", "start", clock()),
        ("WeeklyHoursInput", "end", clock()),
        ("TimeOffInput", "start", instant()),
        ("TimeOffInput", "end", instant()),
        // Issue 10: the booking's new fields, clients, the health history, the screening and clearances.
        ("BookingInput", "reason", visit_reason()),
        ("BookingInput", "screening_id", json!({ "pattern": "^[0-9a-f]{32}$" })),
        ("BookingInput", "add_ons", labels(20, 120)),
        ("BookingInput", "notes", text(0, 1000)),
        ("ClientInput", "name", text(1, 120)),
        ("ClientInput", "email", email()),
        (
            "ClientInput",
            "phone",
            json!({ "maxLength": 25, "pattern": format!(r"^\s*$|{}", phone()["pattern"].as_str().unwrap_or("")) }),
        ),
        ("ClientInput", "date_of_birth", json!({ "format": "date" })),
        ("ClientInput", "addresses", json!({ "maxItems": 10 })),
        ("SavedAddress", "label", text(1, 40)),
        ("SavedAddress", "address", text(1, 300)),
        ("SavedAddress", "lat", latitude()),
        ("SavedAddress", "lon", longitude()),
        ("ScreeningInput", "age", range(0, 120)),
        ("ScreeningInput", "symptom_weeks", range(0, 520)),
        ("IntakeInput", "conditions", text(0, 1000)),
        ("IntakeInput", "medications", text(0, 1000)),
        ("IntakeInput", "allergies", text(0, 1000)),
        ("IntakeInput", "skin_conditions", text(0, 1000)),
        ("IntakeInput", "implants", text(0, 1000)),
        ("IntakeInput", "areas_to_avoid", text(0, 1000)),
        ("IntakeInput", "surgery_details", text(0, 500)),
        ("IntakeInput", "reduced_sensation_where", text(0, 300)),
        ("OtherCare", "details", text(0, 500)),
        ("ClearanceInput", "cleared_by", text(1, 200)),
        ("ClearanceInput", "note", text(0, 1000)),
        // Issue 11: care records.
        ("EpisodeInput", "condition", text(1, 120)),
        ("EpisodeInput", "started_on", json!({ "format": "date" })),
        ("NoteInput", "subjective", text(0, 10_000)),
        ("NoteInput", "objective", text(0, 10_000)),
        ("NoteInput", "assessment", text(0, 10_000)),
        ("NoteInput", "plan", text(0, 10_000)),
        ("NoteInput", "response", text(0, 10_000)),
        ("NoteInput", "self_care", text(0, 10_000)),
        ("NoteInput", "referrals", text(0, 10_000)),
        ("NoteInput", "areas_treated", labels(20, 120)),
        ("NoteInput", "techniques", json!({ "maxItems": 8 })),
        ("NoteInput", "started_at", instant()),
        ("NoteInput", "duration_minutes", range(1, 480)),
        ("NotePatch", "subjective", text(0, 10_000)),
        ("AmendmentBody", "subjective", text(0, 10_000)),
        ("NotePatch", "objective", text(0, 10_000)),
        ("AmendmentBody", "objective", text(0, 10_000)),
        ("NotePatch", "assessment", text(0, 10_000)),
        ("AmendmentBody", "assessment", text(0, 10_000)),
        ("NotePatch", "plan", text(0, 10_000)),
        ("AmendmentBody", "plan", text(0, 10_000)),
        ("NotePatch", "response", text(0, 10_000)),
        ("AmendmentBody", "response", text(0, 10_000)),
        ("NotePatch", "self_care", text(0, 10_000)),
        ("AmendmentBody", "self_care", text(0, 10_000)),
        ("NotePatch", "referrals", text(0, 10_000)),
        ("AmendmentBody", "referrals", text(0, 10_000)),
        ("NotePatch", "areas_treated", labels(20, 120)),
        ("NotePatch", "techniques", json!({ "maxItems": 8 })),
        ("NotePatch", "started_at", instant()),
        ("NotePatch", "duration_minutes", range(1, 480)),
        ("AmendmentBody", "areas_treated", labels(20, 120)),
        ("AmendmentBody", "techniques", json!({ "maxItems": 8 })),
        ("AmendmentBody", "started_at", instant()),
        ("AmendmentBody", "duration_minutes", range(1, 480)),
        ("AmendmentBody", "reason", text(1, 1000)),
        ("ProgramInput", "exercises", json!({ "minItems": 1, "maxItems": 12 })),
        ("Prescription", "sets", range(1, 10)),
        ("Prescription", "reps", range(0, 50)),
        ("Prescription", "hold_seconds", range(0, 300)),
        ("Prescription", "per_day", range(0, 10)),
        ("Prescription", "days_per_week", range(1, 7)),
        ("Prescription", "note", text(0, 500)),
        ("ExerciseLogInput", "on", json!({ "format": "date" })),
        ("ExerciseLogInput", "pain", range(0, 10)),
        ("ExerciseLogInput", "note", text(0, 500)),
        ("ReferralInput", "recipient_name", text(0, 200)),
        ("ReferralInput", "reason", text(1, 500)),
        ("ReferralInput", "body", text(1, 20_000)),
        ("MeasureInput", "taken_at", instant()),
        // A window is a pair: exactly two local times.
        (
            "OverrideInput",
            "windows",
            json!({ "items": { "minItems": 2, "maxItems": 2, "prefixItems": [clock(), clock()] } }),
        ),
    ];
    let schemas = doc.pointer_mut("/components/schemas").expect("the document has schemas");
    for (schema, property, bound) in bounds {
        let target = schemas
            .pointer_mut(&format!("/{schema}/properties/{property}"))
            .unwrap_or_else(|| panic!("{schema}.{property} is in the document (a bound names a field that moved)"));
        merge(target, bound);
    }
    // A room is a name alone or a `RoomRef` (`RoomInput` is untagged): the name alone has the same bound.
    let room_name = schemas.pointer_mut("/RoomInput/oneOf/0").expect("a room may be a name alone");
    merge(room_name, text(1, 80));
    // `ClinicInput::given_point`: a clinic's lat and lon come together or not at all.
    let clinic = schemas.pointer_mut("/ClinicInput").expect("the document has ClinicInput");
    merge(clinic, json!({ "dependentRequired": { "lat": ["lon"], "lon": ["lat"] } }));
}

/// Writes `patch`'s keys into `target`, object by object (so `items` bounds join the existing `items`).
fn merge(target: &mut Value, patch: Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => merge_objects(t, p),
        (t, p) => *t = p,
    }
}

fn merge_objects(target: &mut Map<String, Value>, patch: Map<String, Value>) {
    for (key, value) in patch {
        match target.get_mut(&key) {
            Some(existing) if existing.is_object() && value.is_object() => merge(existing, value),
            // Tuple items (`prefixItems`) are replaced element by element, keeping each element's type.
            Some(Value::Array(existing)) if key == "prefixItems" => {
                for (slot, bound) in existing.iter_mut().zip(value.as_array().into_iter().flatten()) {
                    merge(slot, bound.clone());
                }
            }
            _ => {
                target.insert(key, value);
            }
        }
    }
}
