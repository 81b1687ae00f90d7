//! Spa parties in the pages: a host books a party at their home — the date and hours, their guests and the
//! treatment each picks — and sees who is treated when and by whom; or, when the guests cannot all be served then,
//! why, with nothing booked.

use crate::auth::MaybeCaller;
use crate::error::{field_errors, WebError};
use crate::extract::FormPairs;
use crate::pages::booking::{check_session_csrf, ADDRESS_SCRIPT_PATH};
use crate::pages::Frame;
use crate::routes::{get, Routes};
use crate::state::AppState;
use crate::ui::{
    address_field, clock, csrf_field, day_heading, error_summary, field, field_id, Input, Typed, Values, DATE, HOURS,
    TEXT,
};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use knead_app::catalog::{Services, Therapists};
use knead_app::events;
use knead_app::listing::{self, Audience};
use knead_core::booking::ContactInput;
use knead_core::calendar::local_date;
use knead_core::events::party::{PartyGuestInput, PartyInput};
use knead_core::{Kind, Place, ValidationErrors};
use maud::{html, Markup};

pub fn router() -> Routes {
    Routes::new().route("/parties/book", get(form_page).post(book))
}

/// Rows for guests on the form; a party of more books through the practice.
const GUEST_ROWS: usize = 8;
const EMAIL: Typed<'static> = Typed { html_type: "email", inputmode: None, autocomplete: Some("email") };
const PHONE: Typed<'static> = Typed { html_type: "tel", inputmode: None, autocomplete: Some("tel") };

/// What a guest can pick: the massages given at home, one person at a time, and the extras any of them may add
/// (a treatment's own or the party's, such as a face mask).
struct Offer {
    treatments: Vec<(String, String)>,
    extras: Vec<String>,
}

async fn offer(state: &AppState) -> Result<Offer, WebError> {
    let services = listing::list::<Services>(state.app(), Audience::Public).await?;
    let home = |s: &&knead_core::Service| s.place != Place::Clinic;
    let treatments = services
        .iter()
        .filter(home)
        .filter(|s| s.kind == Kind::Individual)
        .map(|s| (s.id.0.to_string(), format!("{} ({} min)", s.name, s.duration_minutes)))
        .collect();
    let mut extras: Vec<String> = Vec::new();
    for a in services
        .iter()
        .filter(home)
        .filter(|s| matches!(s.kind, Kind::Individual | Kind::Party))
        .flat_map(|s| &s.add_ons)
    {
        if !extras.iter().any(|x| x.eq_ignore_ascii_case(&a.name)) {
            extras.push(a.name.clone());
        }
    }
    Ok(Offer { treatments, extras })
}

/// A guest's extras as checkboxes, the message beside them when one is not offered with the treatment picked.
fn extras(v: &Values, e: &ValidationErrors, i: usize, extras: &[String]) -> Markup {
    let name = format!("guests[{i}].add_ons");
    let error = e.for_field(&name);
    html! {
        @if !extras.is_empty() {
            fieldset.extras.invalid[error.is_some()] #(field_id(&name)) {
                legend { "Guest " (i + 1) "'s extras" }
                @if let Some(e) = error { span.error { (e) } }
                div.row {
                    @for x in extras {
                        label.check { input type="checkbox" name=(name) value=(x) checked[v.has(&name, x)]; " " (x) }
                    }
                }
            }
        }
    }
}

fn form(offer: &Offer, caller: &MaybeCaller, v: &Values, e: &ValidationErrors) -> Markup {
    let choices: Vec<(&str, &str)> = std::iter::once(("", "Choose a treatment"))
        .chain(offer.treatments.iter().map(|(a, b)| (a.as_str(), b.as_str())))
        .collect();
    html! {
        h1 { "Book a spa party" }
        p.lead { "Our therapists come to your home and treat your guests one after another while everyone else relaxes. Tell us when, and what each guest would like." }
        (error_summary(e, "Please check:"))
        form.stack method="post" action="/parties/book" {
            (csrf_field(caller.0.as_ref()))
            fieldset {
                legend { "When" }
                (field(v, e, "date", "Date", Input::Line(DATE), ""))
                div.row {
                    (field(v, e, "start", "From", Input::Line(HOURS), "E.g. 13:00."))
                    (field(v, e, "end", "Until", Input::Line(HOURS), "Every guest is finished by then."))
                }
            }
            fieldset {
                legend { "Your guests" }
                p.hint { "Up to " (GUEST_ROWS) " guests here; leave the rest empty. For a larger party, write to us." }
                @for i in 0..GUEST_ROWS {
                    div.row {
                        (field(v, e, &format!("guests[{i}].name"), &format!("Guest {}", i + 1), Input::Line(TEXT), ""))
                        (field(v, e, &format!("guests[{i}].service_id"), &format!("Guest {}'s treatment", i + 1), Input::Select(&choices), ""))
                    }
                    (extras(v, e, i, &offer.extras))
                }
            }
            fieldset {
                legend { "You, the host" }
                (field(v, e, "host.name", "Your name", Input::Line(TEXT), ""))
                (field(v, e, "host.email", "Your email", Input::Line(EMAIL), ""))
                (field(v, e, "host.phone", "Your phone", Input::Line(PHONE), "We call to settle the deposit."))
                (address_field(v, e, "address", "Your address", "Where the party is: the street and house number."))
            }
            div.field.submit { button type="submit" { "Book the party" } }
        }
        script src=(ADDRESS_SCRIPT_PATH) defer {}
    }
}

async fn form_page(State(state): State<AppState>, caller: MaybeCaller) -> Result<Response, WebError> {
    let body = form(&offer(&state).await?, &caller, &Values::default(), &ValidationErrors::default());
    Ok(Frame { state: &state, caller: caller.0.as_ref() }.page("Book a spa party", body).into_response())
}

/// The form as the API takes it: the guests typed, the empty rows left out.
fn input_of(form: &FormPairs) -> PartyInput {
    let guests = (0..GUEST_ROWS)
        .filter(|i| !form.get(&format!("guests[{i}].name")).trim().is_empty())
        .map(|i| PartyGuestInput {
            name: form.get(&format!("guests[{i}].name")).to_string(),
            // Not a number is an error naming the field (0 is no treatment), never a silent skip.
            service_id: form.get(&format!("guests[{i}].service_id")).trim().parse().unwrap_or(0),
            add_ons: form.all(&format!("guests[{i}].add_ons")),
        })
        .collect();
    PartyInput {
        date: form.get("date").to_string(),
        start: form.get("start").to_string(),
        end: form.get("end").to_string(),
        address: Some(form.get("address").to_string()),
        lat: None,
        lon: None,
        host: ContactInput {
            name: form.get("host.name").to_string(),
            email: form.get("host.email").to_string(),
            phone: form.get("host.phone").to_string(),
        },
        guests,
    }
}

/// Books the party: who is treated when and by whom, or the form again saying what to change.
async fn book(State(state): State<AppState>, caller: MaybeCaller, posted: FormPairs) -> Result<Response, WebError> {
    check_session_csrf(&caller, &posted)?;
    let frame = Frame { state: &state, caller: caller.0.as_ref() };
    match events::create_party(state.app(), &input_of(&posted), None).await {
        Ok(party) => {
            let tz = &party.zone;
            let therapists = listing::list::<Therapists>(state.app(), Audience::Public).await?;
            let first_name = |id: knead_core::TherapistId| {
                therapists
                    .iter()
                    .find(|t| t.id == id)
                    .and_then(|t| t.name.split_whitespace().next())
                    .unwrap_or("")
                    .to_string()
            };
            let body = html! {
                h1 { "Your party is booked" }
                p.notice role="status" #party-booked {
                    (day_heading(local_date(tz, party.booking.start))) ", " (clock(tz, party.booking.start)) "–" (clock(tz, party.booking.end))
                    ": " (party.booking.visits.len()) " therapists for " (party.guests.len()) " guests."
                }
                div.table-scroll tabindex="0" role="region" aria-label="Who is treated when" {
                    table #party-guests {
                        thead { tr { th scope="col" { "Guest" } th scope="col" { "Time" } th scope="col" { "Therapist" } } }
                        tbody {
                            @for g in &party.guests {
                                tr {
                                    td { (g.name) @if !g.add_ons.is_empty() { br; small { "with " (g.add_ons.join(", ")) } } }
                                    td { (clock(tz, g.start)) "–" (clock(tz, g.end)) } td { (first_name(g.therapist_id)) } }
                            }
                        }
                    }
                }
                p { "We will call you to settle the deposit. Changes: write to or call us (see the foot of this page)." }
            };
            Ok((StatusCode::CREATED, frame.page("Your party is booked", body)).into_response())
        }
        Err(e) => match field_errors(&e) {
            Some(errors) => {
                let values = Values::from_form(posted.0.clone());
                let body = form(&offer(&state).await?, &caller, &values, &errors);
                Ok((StatusCode::UNPROCESSABLE_ENTITY, frame.page("Book a spa party", body)).into_response())
            }
            None => Err(e.into()),
        },
    }
}
