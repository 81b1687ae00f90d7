//! Group events' own pages, all reached without an account and all phone-first: the organiser's or host's private
//! page (a chair day's sheet as it fills, with the sign-up link to send round again; a party's guests, their
//! health checks and what is paid), a party guest's own health check, and the enquiry form for organisers and
//! hosts who want the practice to arrange it with them.

use crate::auth::MaybeCaller;
use crate::error::{field_errors, WebError};
use crate::extract::{AppPath, AppQuery, FormPairs};
use crate::pages::booking::{check_session_csrf, ADDRESS_SCRIPT_PATH};
use crate::pages::chair_days::{answers_of, health_questions};
use crate::pages::Frame;
use crate::routes::{get, Routes};
use crate::state::AppState;
use crate::ui::{
    address_field, clock, csrf_field, day_heading, error_summary, field, Input, Typed, Values, DATE, HOURS, NUMBER,
    TEXT,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use knead_app::catalog::{Services, Therapists};
use knead_app::events::page::{group_page as load_page, GroupPage};
use knead_app::events::party::{answer_guest_check, guest_check, Party};
use knead_app::events::{self, enquiry, Sheet};
use knead_app::listing::{self, Audience};
use knead_core::booking::{BookingId, ContactInput};
use knead_core::calendar::local_date;
use knead_core::events::enquiry::{EnquiryInput, EnquiryKind};
use knead_core::events::GuestCheckInput;
use knead_core::money::format_cents;
use knead_core::{Kind, ValidationErrors};
use maud::{html, Markup};

pub fn router() -> Routes {
    Routes::new()
        .route("/groups/{id}", get(group_page))
        .route("/groups/enquire", get(enquiry_page).post(enquire))
        .route("/parties/guests/health", get(guest_page).post(answer_guest))
}

#[derive(Debug, serde::Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

const EMAIL: Typed<'static> = Typed { html_type: "email", inputmode: None, autocomplete: Some("email") };
const PHONE: Typed<'static> = Typed { html_type: "tel", inputmode: None, autocomplete: Some("tel") };

/// The organiser's or host's page.
async fn group_page(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppPath(id): AppPath<i64>,
    AppQuery(q): AppQuery<TokenQuery>,
) -> Result<Response, WebError> {
    let token = q.token.unwrap_or_default();
    let base = &state.config().public_url;
    let (title, body) = match load_page(state.app(), BookingId(id), &token).await? {
        GroupPage::ChairDay(sheet) => ("Your chair-massage day", organiser_view(&sheet, base)),
        GroupPage::Party(party) => {
            let therapists = listing::list::<Therapists>(state.app(), Audience::Public).await?;
            let first_name = |id: knead_core::TherapistId| {
                therapists.iter().find(|t| t.id == id).and_then(|t| t.name.split_whitespace().next()).unwrap_or("")
            };
            ("Your spa party", host_view(&party, base, &first_name))
        }
    };
    Ok(Frame { state: &state, caller: caller.0.as_ref() }.page(title, body).into_response())
}

fn when(sheet_zone: &jiff::tz::TimeZone, b: &knead_core::booking::Booking) -> Markup {
    html! { (day_heading(local_date(sheet_zone, b.start))) ", " (clock(sheet_zone, b.start)) "–" (clock(sheet_zone, b.end)) }
}

/// A chair day for its organiser: the link to pass round, and each time's chairs as they fill (names only;
/// nothing of anyone's health check).
fn organiser_view(sheet: &Sheet, base: &str) -> Markup {
    let tz = &sheet.zone;
    let (taken, total) = sheet.fill();
    let link =
        sheet.day.day.signup_token.as_ref().map(|t| format!("{base}/chair-days/{}/signup?token={t}", sheet.day.id.0));
    let mut times: Vec<(jiff::Timestamp, Vec<&str>, usize)> = Vec::new();
    for s in &sheet.sittings {
        let name = s.attendee.as_ref().map(|a| a.signup.name.as_str());
        match times.last_mut() {
            Some((start, names, chairs)) if *start == s.start => {
                names.extend(name);
                *chairs += 1;
            }
            _ => times.push((s.start, name.into_iter().collect(), 1)),
        }
    }
    html! {
        h1 { "Your chair-massage day" }
        p.lead { (when(tz, &sheet.booking)) " · " (events::address_of(&sheet.booking)) }
        @if !sheet.booking.status.is_active() { p.notice role="status" { "This day was cancelled." } }
        p.notice role="status" #fill { strong { (taken) " of " (total) } " places taken · " (sheet.day.day.chairs) " chairs, " (sheet.day.day.slot_minutes) " minutes each" }
        h2 { "Send the sign-up link round" }
        @match &link {
            Some(link) => {
                p { "Anyone with this link can take a free place; no account needed. Send it again whenever you like." }
                div.field {
                    label for="signup-link" { "Sign-up link" }
                    input #signup-link type="text" readonly value=(link);
                }
                p { a.button href={ "mailto:?subject=" (mailto_part("Chair massage: sign up for a place")) "&body=" (mailto_part(&format!("Chair massage is coming to the office. Take a free place here: {link}"))) } { "Email it round" } }
            }
            None => { p { "Ask the practice for the sign-up link: it was given when the day was booked." } }
        }
        h2 { "The sheet" }
        div.table-scroll tabindex="0" role="region" aria-label="Who comes when" {
            table #sheet {
                thead { tr { th scope="col" { "Time" } th scope="col" { "Taken" } th scope="col" { "Who" } } }
                tbody {
                    @for (start, names, chairs) in &times {
                        tr { td { (clock(tz, *start)) } td { (names.len()) " of " (chairs) } td { (names.join(", ")) } }
                    }
                }
            }
        }
    }
}

/// Text for a `mailto:` link's subject or body: percent-encoded, spaces as %20 (mail programs read "+" as is).
fn mailto_part(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>().replace('+', "%20")
}

/// A party for its host: who is treated when, each guest's health-check link to pass on (or that it is done),
/// and the money.
fn host_view<'a>(party: &Party, base: &str, first_name: &dyn Fn(knead_core::TherapistId) -> &'a str) -> Markup {
    let tz = &party.zone;
    let b = &party.booking;
    html! {
        h1 { "Your spa party" }
        p.lead { (when(tz, b)) " · " (events::address_of(b)) }
        @if !b.status.is_active() { p.notice role="status" { "This party was cancelled." } }
        p.notice role="status" #checks { strong { (party.checked_in()) " of " (party.guests.len()) } " guests have done their health check" }
        p { "Each guest answers a few health questions and agrees to their treatment before the day, on their own link below. Send each guest theirs; it shows them nothing of anyone else's." }
        div.table-scroll tabindex="0" role="region" aria-label="Guests" {
            table #guests {
                thead { tr { th scope="col" { "Guest" } th scope="col" { "Time" } th scope="col" { "Therapist" } th scope="col" { "Health check" } } }
                tbody {
                    @for g in &party.guests {
                        tr {
                            td { (g.name) }
                            td { (clock(tz, g.start)) "–" (clock(tz, g.end)) }
                            td { (first_name(g.therapist_id)) }
                            td { @match (&g.intake.consented_at, &g.intake.token) {
                                (Some(_), _) => { "Done" }
                                (None, Some(t)) => { a href={ (base) "/parties/guests/health?token=" (t) } { "Link for " (g.name) } }
                                (None, None) => { "Ask your therapist on the day" }
                            } }
                        }
                    }
                }
            }
        }
        h2 { "Payment" }
        p #money { "Total " (format_cents(b.price_cents + b.travel_fee_cents)) " · paid " (format_cents(party.paid_cents())) " · "
            strong { "due " (format_cents(party.balance_due_cents())) } }
        @if !party.payments.is_empty() {
            ul { @for p in &party.payments { li { (p.payment.kind.label()) ": " (format_cents(p.payment.amount_cents)) " (" (p.payment.method.label()) ")" } } }
        }
        p.hint { "We call you to take the deposit; the rest is settled on the day." }
    }
}

/// A party guest's own health check.
async fn guest_page(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppQuery(q): AppQuery<TokenQuery>,
) -> Result<Response, WebError> {
    let token = q.token.unwrap_or_default();
    let check = guest_check(state.app(), &token).await?;
    let body = guest_form(&check, &token, &caller, &Values::default(), &ValidationErrors::default());
    Ok(Frame { state: &state, caller: caller.0.as_ref() }.page("Before your treatment", body).into_response())
}

fn guest_form(
    check: &knead_app::events::party::GuestCheck,
    token: &str,
    caller: &MaybeCaller,
    values: &Values,
    errors: &ValidationErrors,
) -> Markup {
    let tz = &check.zone;
    let g = &check.guest;
    html! {
        h1 { "Before your treatment" }
        p.lead { (g.name) ": " (day_heading(local_date(tz, g.start))) ", " (clock(tz, g.start)) "–" (clock(tz, g.end)) }
        @if g.intake.consented_at.is_some() {
            p.notice role="status" #answered { "Thank you: your answers are in. If anything changes before the day, tell your therapist when you meet." }
        } @else {
            (error_summary(errors, "Please check:"))
            form.stack method="post" action="/parties/guests/health" {
                (csrf_field(caller.0.as_ref()))
                input type="hidden" name="token" value=(token);
                (health_questions(values, errors))
                div.field {
                    label.check {
                        input type="checkbox" name="consent" value="yes" checked[values.get("consent") == "yes"];
                        " I agree to my treatment, and will say at any time if I want it lighter or to stop."
                    }
                    @if let Some(e) = errors.for_field("consent") { span.error id="consent-error" { (e) } }
                }
                div.field.submit { button type="submit" { "Send my answers" } }
            }
        }
    }
}

/// Records the guest's answers, or the form again saying what to change.
async fn answer_guest(
    State(state): State<AppState>,
    caller: MaybeCaller,
    form: FormPairs,
) -> Result<Response, WebError> {
    check_session_csrf(&caller, &form)?;
    let frame = Frame { state: &state, caller: caller.0.as_ref() };
    let input = GuestCheckInput {
        token: form.get("token").to_string(),
        health: answers_of(&form),
        consent: form.get("consent") == "yes",
    };
    match answer_guest_check(state.app(), &input).await {
        Ok((_, adapt)) => {
            let body = html! {
                h1 { "Thank you" }
                p.notice role="status" #answered { "Your answers are in, and your therapist will read them before your treatment." }
                @if !adapt.is_empty() { p { "Your therapist will keep in mind: " (adapt.join("; ")) "." } }
            };
            Ok((StatusCode::CREATED, frame.page("Thank you", body)).into_response())
        }
        Err(e) => match field_errors(&e) {
            Some(errors) => {
                let check = guest_check(state.app(), &input.token).await?;
                let status = if matches!(e, knead_app::AppError::Conflict { .. }) {
                    StatusCode::CONFLICT
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                };
                let body = guest_form(&check, &input.token, &caller, &Values::from_form(form.0.clone()), &errors);
                Ok((status, frame.page("Before your treatment", body)).into_response())
            }
            None => Err(e.into()),
        },
    }
}

#[derive(Debug, serde::Deserialize)]
struct KindQuery {
    kind: Option<String>,
}

/// The chair-massage services an organiser can ask for.
async fn chair_services(state: &AppState) -> Result<Vec<(String, String)>, WebError> {
    let services = listing::list::<Services>(state.app(), Audience::Public).await?;
    Ok(services.into_iter().filter(|s| s.kind == Kind::Chair).map(|s| (s.id.0.to_string(), s.name)).collect())
}

fn enquiry_form(services: &[(String, String)], caller: &MaybeCaller, v: &Values, e: &ValidationErrors) -> Markup {
    let kinds = [("chair_day", "A chair-massage day at our workplace"), ("party", "A spa party at home")];
    let slots = [("", "Choose"), ("10", "10 minutes"), ("15", "15 minutes"), ("20", "20 minutes")];
    let service_choices: Vec<(&str, &str)> = services.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    html! {
        h1 { "Plan a chair-massage day or a spa party" }
        p.lead { "Tell us what you have in mind and we will get back to you. For a chair-massage day we book exactly what you ask for when we accept, and send you a page with the sign-up link for your colleagues." }
        (error_summary(e, "Please check:"))
        form.stack method="post" action="/groups/enquire" {
            (csrf_field(caller.0.as_ref()))
            (field(v, e, "kind", "What would you like?", Input::Select(&kinds), ""))
            fieldset {
                legend { "When" }
                (field(v, e, "date", "Date", Input::Line(DATE), ""))
                div.row {
                    (field(v, e, "start", "From", Input::Line(HOURS), "E.g. 10:00."))
                    (field(v, e, "end", "Until", Input::Line(HOURS), "E.g. 14:00."))
                }
            }
            fieldset {
                legend { "A chair-massage day" }
                @if service_choices.len() > 1 {
                    (field(v, e, "service_id", "Massage", Input::Select(&service_choices), ""))
                } @else if let Some((id, _)) = services.first() {
                    input type="hidden" name="service_id" value=(id);
                }
                div.row {
                    (field(v, e, "chairs", "Chairs", Input::Line(NUMBER), "One therapist each, up to 8."))
                    (field(v, e, "slot_minutes", "Each massage", Input::Select(&slots), "It must divide the hours."))
                }
                (field(v, e, "company", "Company", Input::Line(TEXT), ""))
            }
            fieldset {
                legend { "A spa party" }
                (field(v, e, "guests", "Guests", Input::Line(NUMBER), "How many, up to 30."))
            }
            fieldset {
                legend { "You" }
                (field(v, e, "contact.name", "Your name", Input::Line(TEXT), ""))
                (field(v, e, "contact.email", "Your email", Input::Line(EMAIL), ""))
                (field(v, e, "contact.phone", "Your phone", Input::Line(PHONE), "We call to settle the details."))
                (address_field(v, e, "address", "Address", "The workplace or home: the street and house number."))
                (field(v, e, "note", "Anything else?", Input::Area(3), ""))
            }
            div.field.submit { button type="submit" { "Send the enquiry" } }
        }
        script src=(ADDRESS_SCRIPT_PATH) defer {}
    }
}

async fn enquiry_page(
    State(state): State<AppState>,
    caller: MaybeCaller,
    AppQuery(q): AppQuery<KindQuery>,
) -> Result<Response, WebError> {
    let values = Values::from_form(vec![("kind".to_string(), q.kind.unwrap_or_else(|| "chair_day".into()))]);
    let body = enquiry_form(&chair_services(&state).await?, &caller, &values, &ValidationErrors::default());
    Ok(Frame { state: &state, caller: caller.0.as_ref() }.page("Plan a group", body).into_response())
}

/// The form as the API takes it: a number left empty is absent; a chair day's fields go only with a chair day.
fn enquiry_of(form: &FormPairs) -> EnquiryInput {
    let number = |name: &str| -> Option<i64> {
        let text = form.get(name).trim();
        // Not a number is 0, which the rules name as out of range, never a silent skip.
        (!text.is_empty()).then(|| text.parse().unwrap_or(0))
    };
    let kind = EnquiryKind::parse(form.get("kind")).unwrap_or_default();
    let chair = kind == EnquiryKind::ChairDay;
    EnquiryInput {
        kind,
        service_id: if chair { number("service_id") } else { None },
        date: form.get("date").to_string(),
        start: form.get("start").to_string(),
        end: form.get("end").to_string(),
        chairs: if chair { number("chairs") } else { None },
        slot_minutes: if chair { number("slot_minutes") } else { None },
        guests: if chair { None } else { number("guests") },
        address: form.get("address").to_string(),
        company: form.get("company").to_string(),
        contact: ContactInput {
            name: form.get("contact.name").to_string(),
            email: form.get("contact.email").to_string(),
            phone: form.get("contact.phone").to_string(),
        },
        note: form.get("note").to_string(),
    }
}

async fn enquire(State(state): State<AppState>, caller: MaybeCaller, posted: FormPairs) -> Result<Response, WebError> {
    check_session_csrf(&caller, &posted)?;
    let frame = Frame { state: &state, caller: caller.0.as_ref() };
    match enquiry::submit(state.app(), &enquiry_of(&posted)).await {
        Ok(sent) => {
            let body = html! {
                h1 { "Thank you" }
                p.notice role="status" #enquiry-sent { "We have your enquiry for a " (sent.enquiry.kind.label().to_lowercase()) " and will reply to " (sent.enquiry.contact.email.as_str()) " or call you soon." }
            };
            Ok((StatusCode::CREATED, frame.page("Thank you", body)).into_response())
        }
        Err(e) => match field_errors(&e) {
            Some(errors) => {
                let values = Values::from_form(posted.0.clone());
                let body = enquiry_form(&chair_services(&state).await?, &caller, &values, &errors);
                Ok((StatusCode::UNPROCESSABLE_ENTITY, frame.page("Plan a group", body)).into_response())
            }
            None => Err(e.into()),
        },
    }
}
