//! The practice's settings, two forms on one page: its own details (public name, phone, email, postal
//! address — shown on every public page), and its booking settings (time zone, chosen from the IANA zones by
//! region, how times and dates are written, service area, booking grid and notice, how far ahead clients may
//! book, travel fee, the default travel model's road factor and speed, the red-flag screening's thresholds, and
//! the safety of home visits: the grace period before a visit not checked out alerts, and the emergency contact).

use super::{calendar_crumbs, SavedQuery};
use crate::auth::{Caller, Manager};
use crate::error::WebError;
use crate::extract::{AppQuery, FormPairs};
use crate::pages::Frame;
use crate::routes::{get, post, Routes};
use crate::state::AppState;
use crate::ui::{self, field, line, Input, Typed, Values, DECIMAL, TEXT, WHOLE};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use knead_app::{calendar, places, AppError};
use knead_core::calendar::{Locale, PracticeSettings, PracticeSettingsInput, ServiceArea, TimeFormat, Zone};
use knead_core::intake::ScreeningThresholds;
use knead_core::money::format_cents;
use knead_core::practice::{PracticeDetails, PracticeDetailsInput};
use knead_core::records::ResponsePolicy;
use knead_core::safety::EmergencyContact;
use knead_core::{GeoPoint, ValidationErrors};
use maud::{html, Markup};

pub(super) fn routes() -> Routes {
    Routes::new()
        .route("/manage/settings", get(settings_page).post(save_settings))
        .route("/manage/settings/details", post(save_details))
}

/// A phone number field: the phone's dial pad, and no autofill with the manager's own number.
const PHONE: Typed<'static> = Typed { html_type: "tel", inputmode: None, autocomplete: Some("off") };
const EMAIL: Typed<'static> = Typed { html_type: "email", inputmode: None, autocomplete: Some("off") };

/// The details form prefilled from the stored details; its fields are named as the API names them.
fn details_values(d: &PracticeDetails) -> Values {
    let input = d.to_input();
    let mut v = Values::default();
    v.set("name", input.name);
    v.set("phone", input.phone);
    v.set("email", input.email);
    v.set("address", input.address);
    v
}

/// One of the page's two forms as shown: its values and its errors.
struct Shown<'a> {
    values: &'a Values,
    errors: &'a ValidationErrors,
}

const GRIDS: [(&str, &str); 6] = [
    ("5", "5 minutes"),
    ("10", "10 minutes"),
    ("15", "15 minutes"),
    ("20", "20 minutes"),
    ("30", "30 minutes"),
    ("60", "60 minutes"),
];

/// The form prefilled from the stored settings; the area's centre as the address nearest it, when the map has
/// one there (else empty: the centre stays where it is).
fn settings_values(s: &PracticeSettingsInput, centre_label: Option<String>) -> Values {
    let mut v = Values::default();
    v.set("time_zone", &s.time_zone);
    v.set("time_format", s.time_format.as_str());
    v.set("locale", s.locale.as_str());
    v.set("area_centre", centre_label.unwrap_or_default());
    v.set("area_radius_km", s.service_area.radius_km.to_string());
    v.set("grid_minutes", s.grid_minutes.to_string());
    v.set("lead_minutes", s.lead_minutes.to_string());
    v.set("cancel_notice_hours", s.cancel_notice_hours.to_string());
    v.set("waitlist_offer_hours", s.waitlist_offer_hours.to_string());
    v.set("safety_grace_minutes", s.safety_grace_minutes.to_string());
    v.set("party_changeover_minutes", s.party_changeover_minutes.to_string());
    v.set("chair_breaks.every_minutes", s.chair_breaks.every_minutes.to_string());
    v.set("chair_breaks.length_minutes", s.chair_breaks.length_minutes.to_string());
    let contact = s.emergency_contact.clone().unwrap_or_default();
    v.set("emergency_contact.name", contact.name);
    v.set("emergency_contact.phone", contact.phone);
    v.set("emergency_contact.email", contact.email);
    v.set("booking_horizon_days", s.booking_horizon_days.to_string());
    v.set("reminder_hours", reminder_text(&s.reminder_hours));
    v.set("travel_fee_free_km", s.travel_fee_free_km.to_string());
    v.set("travel_fee_per_km", format_cents(s.travel_fee_cents_per_km).trim_start_matches('$').to_string());
    v.set("road_factor", s.road_factor.to_string());
    v.set("speed_kmh", s.speed_kmh.to_string());
    v.set("first_episode_under_age", s.screening.first_episode_under_age.to_string());
    v.set("first_episode_over_age", s.screening.first_episode_over_age.to_string());
    v.set("nerve_pain_weeks", s.screening.nerve_pain_weeks.to_string());
    let p = &s.response_policy;
    for (name, value) in [
        ("early_visit", p.early_visit),
        ("early_week", p.early_week),
        ("review_visit", p.review_visit),
        ("review_week", p.review_week),
        ("ceiling_visits", p.ceiling_visits),
        ("ceiling_weeks", p.ceiling_weeks),
    ] {
        v.set(format!("response_policy.{name}"), value.to_string());
    }
    for (name, value) in [
        ("early_min_points", p.early_min_points),
        ("responder_points", p.responder_points),
        ("responder_percent", p.responder_percent),
        ("psfs_points", p.psfs_points),
        ("deterioration_points", p.deterioration_points),
    ] {
        v.set(format!("response_policy.{name}"), value.to_string());
    }
    v
}

/// The non-response policy as the form gives it; a threshold the form leaves out stays as `current` has it.
fn read_policy(values: &Values, read: &mut ValidationErrors, current: &ResponsePolicy) -> ResponsePolicy {
    let whole = |read: &mut ValidationErrors, name: &str, now: i64| {
        let field = format!("response_policy.{name}");
        match values.get(&field).trim() {
            "" => now,
            _ => ui::whole(read, values, &field),
        }
    };
    let points = |read: &mut ValidationErrors, name: &str, now: f64| {
        let field = format!("response_policy.{name}");
        match values.get(&field).trim() {
            "" => now,
            _ => ui::decimal(read, values, &field, "2"),
        }
    };
    ResponsePolicy {
        early_visit: whole(read, "early_visit", current.early_visit),
        early_week: whole(read, "early_week", current.early_week),
        early_min_points: points(read, "early_min_points", current.early_min_points),
        review_visit: whole(read, "review_visit", current.review_visit),
        review_week: whole(read, "review_week", current.review_week),
        responder_points: points(read, "responder_points", current.responder_points),
        responder_percent: points(read, "responder_percent", current.responder_percent),
        psfs_points: points(read, "psfs_points", current.psfs_points),
        ceiling_visits: whole(read, "ceiling_visits", current.ceiling_visits),
        ceiling_weeks: whole(read, "ceiling_weeks", current.ceiling_weeks),
        deterioration_points: points(read, "deterioration_points", current.deterioration_points),
    }
}

/// The booking form as stored, its centre named by the nearest address.
async fn stored_settings_values(state: &AppState) -> Result<Values, WebError> {
    let settings = calendar::settings(state.app()).await?;
    let centre = GeoPoint { lat: settings.service_area.lat, lon: settings.service_area.lon };
    let label = places::reverse(state.app(), centre).await.ok().flatten().map(|p| p.label);
    Ok(settings_values(&settings.to_input(), label))
}

/// The form's values as the settings' input around the area's `centre` (looked up from its address, or the
/// current one), and what could not be read (a radius of "far"). A clock or date style the form leaves out
/// stays as `current` has it.
fn read_settings(
    values: &Values,
    centre: GeoPoint,
    current: &PracticeSettings,
) -> (PracticeSettingsInput, ValidationErrors) {
    let mut read = ValidationErrors::default();
    let time_format = match values.get("time_format").trim() {
        "" => Ok(current.time_format),
        text => TimeFormat::parse("time_format", text),
    };
    let locale = match values.get("locale").trim() {
        "" => Ok(current.locale),
        text => Locale::parse("locale", text),
    };
    // A threshold the form leaves out stays as it is (like the clock and date style).
    let threshold = |read: &mut ValidationErrors, name: &str, now: i64| match values.get(name).trim() {
        "" => now,
        _ => ui::whole(read, values, name),
    };
    let input = PracticeSettingsInput {
        time_format: read.take(time_format).unwrap_or(current.time_format),
        locale: read.take(locale).unwrap_or(current.locale),
        time_zone: values.get("time_zone").trim().to_string(),
        service_area: ServiceArea {
            lat: centre.lat,
            lon: centre.lon,
            radius_km: ui::decimal(&mut read, values, "area_radius_km", "30"),
        },
        grid_minutes: ui::whole(&mut read, values, "grid_minutes"),
        lead_minutes: ui::whole(&mut read, values, "lead_minutes"),
        cancel_notice_hours: ui::whole(&mut read, values, "cancel_notice_hours"),
        // Left out (a form from before the setting), it stays as it is.
        waitlist_offer_hours: match values.get("waitlist_offer_hours").trim() {
            "" => current.waitlist_offer_hours,
            _ => ui::whole(&mut read, values, "waitlist_offer_hours"),
        },
        booking_horizon_days: ui::whole(&mut read, values, "booking_horizon_days"),
        travel_fee_free_km: ui::decimal(&mut read, values, "travel_fee_free_km", "10"),
        travel_fee_cents_per_km: ui::money(&mut read, values, "travel_fee_per_km", "travel_fee_per_km"),
        road_factor: ui::decimal(&mut read, values, "road_factor", "1.3"),
        speed_kmh: ui::decimal(&mut read, values, "speed_kmh", "30"),
        screening: ScreeningThresholds {
            first_episode_under_age: threshold(
                &mut read,
                "first_episode_under_age",
                current.screening.first_episode_under_age,
            ),
            first_episode_over_age: threshold(
                &mut read,
                "first_episode_over_age",
                current.screening.first_episode_over_age,
            ),
            nerve_pain_weeks: threshold(&mut read, "nerve_pain_weeks", current.screening.nerve_pain_weeks),
        },
        response_policy: read_policy(values, &mut read, &current.response_policy),
        reminder_hours: read_reminders(values, &mut read, &current.reminder_hours),
        safety_grace_minutes: threshold(&mut read, "safety_grace_minutes", current.safety_grace_minutes),
        party_changeover_minutes: threshold(&mut read, "party_changeover_minutes", current.party_changeover_minutes),
        chair_breaks: knead_core::events::chair::ChairBreaks {
            every_minutes: threshold(&mut read, "chair_breaks.every_minutes", current.chair_breaks.every_minutes),
            length_minutes: threshold(&mut read, "chair_breaks.length_minutes", current.chair_breaks.length_minutes),
        },
        // Empty fields remove the contact.
        emergency_contact: Some(EmergencyContact {
            name: values.get("emergency_contact.name").to_string(),
            phone: values.get("emergency_contact.phone").to_string(),
            email: values.get("emergency_contact.email").to_string(),
        }),
    };
    (input, read)
}

/// "24, 2" as the settings hold it; "none" for no reminders.
fn reminder_text(hours: &[i64]) -> String {
    match hours {
        [] => "none".into(),
        _ => hours.iter().map(i64::to_string).collect::<Vec<_>>().join(", "),
    }
}

/// The reminders' hours as typed ("24, 2", "none"); left out, they stay as they are.
fn read_reminders(values: &Values, read: &mut ValidationErrors, current: &[i64]) -> Vec<i64> {
    let text = values.get("reminder_hours").trim();
    if text.is_empty() {
        return current.to_vec();
    }
    if text.eq_ignore_ascii_case("none") {
        return Vec::new();
    }
    let mut hours = Vec::new();
    for part in text.split([',', ' ', ';']).filter(|p| !p.is_empty()) {
        match part.parse::<i64>() {
            Ok(h) => hours.push(h),
            Err(_) => {
                read.push(knead_core::FieldError::new(
                    "invalid",
                    "reminder_hours",
                    "give whole hours separated by commas, such as 24, 2 (or none)",
                ));
                return current.to_vec();
            }
        }
    }
    hours
}

/// The settings' field names, as the form spells them.
fn settings_field(api_field: &str) -> String {
    match api_field {
        "service_area.lat" | "service_area.lon" => "area_centre".into(),
        "service_area.radius_km" => "area_radius_km".into(),
        "travel_fee_cents_per_km" => "travel_fee_per_km".into(),
        other => other.strip_prefix("screening.").unwrap_or(other).into(),
    }
}

async fn settings_page(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppQuery(q): AppQuery<SavedQuery>,
) -> Result<Html<String>, WebError> {
    let details = calendar::practice_details(state.app()).await?;
    let none = ValidationErrors::default();
    let details = Shown { values: &details_values(&details), errors: &none };
    let booking = Shown { values: &stored_settings_values(&state).await?, errors: &none };
    let body = settings_view(&state, &caller, &details, &booking, q.notice());
    Ok(Frame::signed_in(&state, &caller).page("Practice settings", body))
}

fn settings_view(
    state: &AppState,
    caller: &Caller,
    details: &Shown<'_>,
    booking: &Shown<'_>,
    saved: Option<&str>,
) -> Markup {
    html! {
        (calendar_crumbs())
        h1 { "Practice settings" }
        (ui::notice(saved))
        (details_form(state, caller, details.values, details.errors))
        h2 { "Booking" }
        (booking_form(caller, booking.values, booking.errors))
    }
}

fn details_form(state: &AppState, caller: &Caller, v: &Values, e: &ValidationErrors) -> Markup {
    let started_as = format!("Leave it empty to use {}.", state.config().practice_name);
    html! {
        h2 { "The practice" }
        p.hint { "Shown at the foot of every public page. Clients who cannot find their address are asked to call the phone number." }
        form.stack method="post" action="/manage/settings/details" novalidate {
            (ui::error_summary(e, "The details were not saved. Please correct these:"))
            (ui::csrf_field(Some(caller)))
            (line(v, e, "name", "Public name", TEXT, &started_as))
            div.row {
                (line(v, e, "phone", "Phone", PHONE, "7 to 20 digits, e.g. +1 416-555-0123."))
                (line(v, e, "email", "Email", EMAIL, ""))
            }
            (field(v, e, "address", "Postal address", Input::Area(3), "Up to 300 characters; line breaks are kept."))
            button type="submit" { "Save details" }
        }
    }
}

fn booking_form(caller: &Caller, v: &Values, e: &ValidationErrors) -> Markup {
    // Each date style with the date it writes for an example day.
    let example = jiff::civil::date(2026, 12, 1);
    let locales: Vec<(&str, String)> =
        Locale::ALL.iter().map(|l| (l.as_str(), format!("{}: {}", l.label(), l.full_date(example)))).collect();
    let locale_choices: Vec<(&str, &str)> = locales.iter().map(|(tag, label)| (*tag, label.as_str())).collect();
    html! {
        form.stack method="post" action="/manage/settings" novalidate {
            (ui::error_summary(e, "Nothing was saved. Please correct these:"))
            (ui::csrf_field(Some(caller)))
            (zone_field(v, e))
            (time_format_field(v, e))
            (field(v, e, "locale", "Dates", Input::Select(&locale_choices), ""))
            fieldset {
                legend { "Service area" }
                p.hint { "Home visits are booked only within this circle." }
                (ui::address_field(v, e, "area_centre", "Centre",
                    "An address near the middle of the area. Leave it empty to keep the centre where it is."))
                (line(v, e, "area_radius_km", "Radius (km)", DECIMAL, ""))
            }
            div.row {
                (field(v, e, "grid_minutes", "Start times every", Input::Select(&GRIDS), ""))
                (line(v, e, "lead_minutes", "Earliest booking (minutes from now)", WHOLE, ""))
                (line(v, e, "cancel_notice_hours", "Notice to cancel or move (hours)", WHOLE, ""))
            }
            (line(v, e, "booking_horizon_days", "Book up to (days ahead)", WHOLE,
                "1 to 730. Clients and staff alike can book and move visits up to this many days from today."))
            (line(v, e, "reminder_hours", "Remind clients (hours before the visit)", TEXT,
                "Up to three, with commas, each 1 to 336: \"24, 2\" reminds a day and two hours before. \"none\" sends no reminders."))
            (line(v, e, "waitlist_offer_hours", "Hold a freed time for a waitlisted client (hours)", WHOLE,
                "1 to 168. The first client in line has this long to book it; then it is offered to the next."))
            fieldset {
                legend { "Travel fee" }
                div.row {
                    (line(v, e, "travel_fee_free_km", "Free distance (km)", DECIMAL, "From the therapist's base, in a straight line."))
                    (line(v, e, "travel_fee_per_km", "Per km beyond it ($)", DECIMAL, ""))
                }
            }
            fieldset {
                legend { "Driving times" }
                p.hint { "Driving time is the straight-line distance times the road factor, at the average speed." }
                div.row {
                    (line(v, e, "road_factor", "Road factor", DECIMAL, "E.g. 1.3."))
                    (line(v, e, "speed_kmh", "Average speed (km/h)", DECIMAL, ""))
                }
            }
            fieldset {
                legend { "Red-flag screening" }
                p.hint { "Asked before a visit for back pain, leg pain or sciatica. The defaults are those of the clinical reference; see docs/CLINICAL.md." }
                div.row {
                    (line(v, e, "first_episode_under_age", "First back pain under age", WHOLE, "Is urgent: a physician first (default 16)."))
                    (line(v, e, "first_episode_over_age", "First back pain over age", WHOLE, "Is urgent: a physician first (default 60)."))
                    (line(v, e, "nerve_pain_weeks", "Weeks of nerve pain not improving", WHOLE, "Advise a physician or physio review (default 6)."))
                }
            }
            (policy_fieldset(v, e))
            (safety_fieldset(v, e))
            button type="submit" { "Save settings" }
        }
        script src=(crate::pages::ADDRESS_SCRIPT_PATH) defer {}
    }
}

/// The non-response policy's thresholds, labelled as the clinic's own policy: the defaults are general
/// thresholds from the clinical reference (section 4), which the clinic may set to its own.
fn policy_fieldset(v: &Values, e: &ValidationErrors) -> Markup {
    let f = |name: &str| format!("response_policy.{name}");
    html! {
        fieldset #response-policy {
            legend { "Non-response policy (clinic policy)" }
            p.hint { "When an episode's leg pain is not improving enough, the episode page and the dashboards say so. The defaults come from the clinical reference (section 4); see docs/CLINICAL.md." }
            div.row {
                (line(v, e, &f("early_visit"), "Early warning at visit", WHOLE, "Default 3."))
                (line(v, e, &f("early_week"), "or at week", WHOLE, "Default 3."))
                (line(v, e, &f("early_min_points"), "Early: improved by less than (points)", DECIMAL, "Default 1."))
            }
            div.row {
                (line(v, e, &f("review_visit"), "Not responding at visit", WHOLE, "Default 6."))
                (line(v, e, &f("review_week"), "or at week", WHOLE, "Default 6."))
            }
            div.row {
                (line(v, e, &f("responder_points"), "Responding: leg pain down by (points)", DECIMAL, "Default 2."))
                (line(v, e, &f("responder_percent"), "or by (% of the first score)", DECIMAL, "Default 30."))
                (line(v, e, &f("psfs_points"), "Function gain: PSFS up by", DECIMAL, "Default 2."))
            }
            div.row {
                (line(v, e, &f("ceiling_visits"), "Ceiling: sessions", WHOLE, "Default 9."))
                (line(v, e, &f("ceiling_weeks"), "or weeks", WHOLE, "Default 12."))
                (line(v, e, &f("deterioration_points"), "Deteriorating: pain up by (points)", DECIMAL, "Default 2."))
            }
        }
    }
}

/// The safety of home visits: how long after a visit's end, without a check-out, the managers are alerted
/// (and as long again, the emergency contact), and who that contact is.
fn safety_fieldset(v: &Values, e: &ValidationErrors) -> Markup {
    html! {
        fieldset #safety {
            legend { "Safety on home visits" }
            p.hint { "Therapists check in on arrival and out on leaving. If a therapist has not checked out this long after the visit's end, the managers are emailed; as long again, the emergency contact. Without an emergency contact, the second alert goes to the managers again." }
            (line(v, e, "safety_grace_minutes", "Grace period (minutes)", WHOLE, "5 to 240 (default 30)."))
            div.row {
                (line(v, e, "emergency_contact.name", "Emergency contact's name", TEXT, "Someone outside the visit who can act, e.g. the owner."))
                (line(v, e, "emergency_contact.phone", "Their phone", PHONE, ""))
                (line(v, e, "emergency_contact.email", "Their email", EMAIL, "The second alert is emailed here. Leave all three empty for none."))
            }
        }
        fieldset #groups {
            legend { "Chair-massage days and spa parties" }
            div.row {
                (line(v, e, "chair_breaks.length_minutes", "Chair-day break (minutes)", WHOLE, "0 to 30 (default 10); 0 for none."))
                (line(v, e, "chair_breaks.every_minutes", "Every (minutes)", WHOLE, "30 to 480 (default 120); staggered chair by chair."))
            }
            (line(v, e, "party_changeover_minutes", "Time between two guests at a party (minutes)", WHOLE, "0 to 60 (default 10): fresh linen and a word with the next guest."))
        }
    }
}

/// The practice's time zone, chosen from the IANA zones grouped by region. A zone saved before legacy names
/// were refused (`EST`) is still listed, first, so the form shows what is stored; saving asks for another.
fn zone_field(v: &Values, e: &ValidationErrors) -> Markup {
    let current = v.get("time_zone");
    let groups = Zone::offered_by_region();
    let listed = groups.iter().any(|(_, zones)| zones.iter().any(|z| z == current));
    let error = ui::error_for(e, "time_zone");
    let described = ["time_zone-hint", if error.is_some() { " time_zone-error" } else { "" }].concat();
    html! {
        div.field.invalid[error.is_some()] {
            label for="time_zone" { "Time zone" }
            span.hint #time_zone-hint { "Where the practice is, by region and city. Working hours are wall-clock times in it, daylight saving included." }
            select #time_zone name="time_zone" aria-invalid=[error.map(|_| "true")] aria-describedby=(described) {
                @if !listed {
                    option value=(current) selected { (current) }
                }
                @for (region, zones) in &groups {
                    optgroup label=(region) {
                        @for zone in zones {
                            option value=(zone) selected[zone == current] { (zone_label(region, zone)) }
                        }
                    }
                }
            }
            @if let Some(err) = error { span.error #time_zone-error { (err) } }
        }
    }
}

/// A zone as a list shows it under its region: "Toronto", "Argentina/Buenos Aires".
fn zone_label(region: &str, zone: &str) -> String {
    zone.strip_prefix(region).and_then(|z| z.strip_prefix('/')).unwrap_or(zone).replace('_', " ")
}

/// The clock times are written on, with an example of each.
fn time_format_field(v: &Values, e: &ValidationErrors) -> Markup {
    let current = v.get("time_format");
    let error = ui::error_for(e, "time_format");
    let choices = [
        (TimeFormat::H12, "12-hour: 2:30 pm", "9:30 am, 12:00 pm (noon)"),
        (TimeFormat::H24, "24-hour: 14:30", "09:30, 12:00 (noon)"),
    ];
    html! {
        fieldset #time_format .invalid[error.is_some()] aria-describedby=[error.map(|_| "time_format-error")] {
            legend { "Times" }
            @for (format, label, example) in choices {
                label.check {
                    input type="radio" name="time_format" value=(format.as_str()) checked[format.as_str() == current];
                    " " (label) span.meta { " · e.g. " (example) }
                }
            }
            @if let Some(err) = error { span.error #time_format-error { (err) } }
        }
    }
}

async fn save_settings(
    State(state): State<AppState>,
    Manager(caller): Manager,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    let values = Values::from_form(form.0);
    let stored = calendar::settings(state.app()).await?;
    let current = stored.service_area;
    let typed = values.get("area_centre").trim().to_string();
    let (centre, mut located) = match typed.as_str() {
        "" => (GeoPoint { lat: current.lat, lon: current.lon }, ValidationErrors::default()),
        text => match ui::located(state.app(), "area_centre", text).await? {
            Ok(at) => (at, ValidationErrors::default()),
            // Validated with the current centre, so the form's other problems show too.
            Err(errors) => (GeoPoint { lat: current.lat, lon: current.lon }, errors),
        },
    };
    let (input, mut read) = read_settings(&values, centre, &stored);
    located.0.append(&mut read.0);
    let read = located;
    let errors = if read.is_empty() {
        match calendar::save_settings(state.app(), &input).await {
            Ok(_) => return Ok(Redirect::to("/manage/settings?saved=settings").into_response()),
            Err(AppError::Invalid(domain)) => ui::merge(read, Err(domain), settings_field),
            Err(e) => return Err(e.into()),
        }
    } else {
        // Nothing is saved, but the domain still says what else is wrong.
        ui::merge(read, input.validate().map(|_| ()), settings_field)
    };
    let details = details_values(&calendar::practice_details(state.app()).await?);
    let none = ValidationErrors::default();
    let body = settings_view(
        &state,
        &caller,
        &Shown { values: &details, errors: &none },
        &Shown { values: &values, errors: &errors },
        None,
    );
    Ok(Frame::signed_in(&state, &caller).respond(StatusCode::UNPROCESSABLE_ENTITY, "Practice settings", body))
}

async fn save_details(
    State(state): State<AppState>,
    Manager(caller): Manager,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    let values = Values::from_form(form.0);
    let input = PracticeDetailsInput {
        name: values.get("name").to_string(),
        phone: values.get("phone").to_string(),
        email: values.get("email").to_string(),
        address: values.get("address").to_string(),
    };
    let errors = match calendar::save_practice_details(state.app(), &input).await {
        Ok(_) => return Ok(Redirect::to("/manage/settings?saved=details").into_response()),
        Err(AppError::Invalid(errors)) => errors,
        Err(e) => return Err(e.into()),
    };
    let none = ValidationErrors::default();
    let body = settings_view(
        &state,
        &caller,
        &Shown { values: &values, errors: &errors },
        &Shown { values: &stored_settings_values(&state).await?, errors: &none },
        None,
    );
    Ok(Frame::signed_in(&state, &caller).respond(StatusCode::UNPROCESSABLE_ENTITY, "Practice settings", body))
}
