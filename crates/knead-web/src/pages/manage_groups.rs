//! The managers' side of group events: the enquiries to accept or decline, every party with its guests' health
//! checks and what is paid (a payment recorded here), and a chair day's invoice for the company.

use crate::auth::Manager;
use crate::error::{field_errors, WebError};
use crate::extract::{AppPath, FormPairs};
use crate::pages::Frame;
use crate::routes::{get, post, Routes};
use crate::state::AppState;
use crate::ui::{clock, csrf_field, day_heading, error_summary, field, Input, Values, MONEY, TEXT};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use knead_app::events::invoice::chair_day_invoice;
use knead_app::events::party::{parties, record_payment, Party};
use knead_app::events::{self, enquiry};
use knead_core::booking::BookingId;
use knead_core::calendar::local_date;
use knead_core::events::enquiry::{clock_text, Enquiry, EnquiryId, EnquiryKind, EnquiryStatus};
use knead_core::events::payment::{PaymentInput, PaymentKind, PaymentMethod};
use knead_core::events::GroupId;
use knead_core::money::format_cents;
use knead_core::ValidationErrors;
use maud::{html, Markup};

pub fn router() -> Routes {
    Routes::new()
        .route("/manage/enquiries", get(enquiries_page))
        .route("/manage/enquiries/{id}/accept", post(accept))
        .route("/manage/enquiries/{id}/decline", post(decline))
        .route("/manage/parties", get(parties_page))
        .route("/manage/parties/{id}/payments", post(pay))
        .route("/manage/chair-days/{id}/invoice", get(invoice))
}

fn enquiry_row(e: &Enquiry, csrf: &Markup) -> Markup {
    let q = &e.enquiry;
    html! {
        li.enquiry id={ "enquiry-" (e.id.0) } {
            strong { (q.kind.label()) } " · " (q.date) " " (clock_text(q.start_minute)) "–" (clock_text(q.end_minute))
            " · " (q.address)
            br;
            @match q.kind {
                EnquiryKind::ChairDay => { (q.chairs.unwrap_or(0)) " chairs, " (q.slot_minutes.unwrap_or(0)) "-minute sittings" @if !q.company.is_empty() { " · " (q.company) } }
                EnquiryKind::Party => { (q.guests.unwrap_or(0)) " guests" }
            }
            " · " (q.contact.name) ", " (q.contact.email.as_str()) ", " (q.contact.phone)
            @if !q.note.is_empty() { br; span.meta { (q.note) } }
            br;
            @match e.status {
                EnquiryStatus::Open => {
                    form.inline method="post" action={ "/manage/enquiries/" (e.id.0) "/accept" } {
                        (csrf)
                        button type="submit" { @if enquiry::books_on_accept(q.kind) { "Accept and book" } @else { "Called: accept" } }
                    }
                    " "
                    form.inline method="post" action={ "/manage/enquiries/" (e.id.0) "/decline" } {
                        (csrf)
                        button.secondary type="submit" { "Decline" }
                    }
                }
                EnquiryStatus::Accepted => { span.meta { "Accepted" @if let Some(b) = e.booking_id { " · booking " (b.0) } } }
                EnquiryStatus::Declined => { span.meta { "Declined" } }
            }
        }
    }
}

async fn enquiries_body(
    state: &AppState,
    caller: &crate::auth::Caller,
    errors: &ValidationErrors,
) -> Result<Markup, WebError> {
    let all = enquiry::list(state.app(), None).await?;
    let csrf = csrf_field(Some(caller));
    let (open, decided): (Vec<&Enquiry>, Vec<&Enquiry>) = all.iter().partition(|e| e.status == EnquiryStatus::Open);
    Ok(html! {
        p.crumbs { a href="/manage" { "Manage" } " / " "Enquiries" }
        h1 { "Group enquiries" }
        p.hint { "Chair-massage days are booked exactly as asked when you accept; party hosts want a call first (book their party on " a href="/parties/book" { "the party form" } ")." }
        (error_summary(errors, "Not booked:"))
        h2 { "Open" }
        @if open.is_empty() { p { "No open enquiry." } }
        ul.plain #open-enquiries { @for e in &open { (enquiry_row(e, &csrf)) } }
        @if !decided.is_empty() {
            h2 { "Decided" }
            ul.plain { @for e in &decided { (enquiry_row(e, &csrf)) } }
        }
    })
}

async fn enquiries_page(State(state): State<AppState>, Manager(caller): Manager) -> Result<Response, WebError> {
    let body = enquiries_body(&state, &caller, &ValidationErrors::default()).await?;
    Ok(Frame { state: &state, caller: Some(&caller) }.page("Group enquiries", body).into_response())
}

/// Accepts: a chair day is booked (then shown on the chair-days page) or the list comes back saying why not.
async fn accept(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    match enquiry::accept(state.app(), EnquiryId(id), &caller.user).await {
        Ok(done) if done.chair_day.is_some() => Ok(Redirect::to("/manage/chair-days").into_response()),
        Ok(_) => Ok(Redirect::to("/manage/enquiries").into_response()),
        Err(e) => match field_errors(&e) {
            Some(errors) => {
                let body = enquiries_body(&state, &caller, &errors).await?;
                let status = if matches!(e, knead_app::AppError::Conflict { .. }) {
                    StatusCode::CONFLICT
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                };
                Ok((status, Frame { state: &state, caller: Some(&caller) }.page("Group enquiries", body))
                    .into_response())
            }
            None => Err(e.into()),
        },
    }
}

async fn decline(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    enquiry::decline(state.app(), EnquiryId(id), &caller.user).await?;
    Ok(Redirect::to("/manage/enquiries").into_response())
}

fn party_section(party: &Party, caller: &crate::auth::Caller, v: &Values, e: &ValidationErrors) -> Markup {
    let tz = &party.zone;
    let b = &party.booking;
    let kinds: Vec<(&str, &str)> = PaymentKind::ALL.iter().map(|k| (k.as_str(), k.label())).collect();
    let methods: Vec<(&str, &str)> = PaymentMethod::ALL.iter().map(|m| (m.as_str(), m.label())).collect();
    let id = b.id.0;
    html! {
        section.party aria-labelledby={ "party-" (id) } {
            h2 id={ "party-" (id) } {
                (day_heading(local_date(tz, b.start))) ", " (clock(tz, b.start)) "–" (clock(tz, b.end)) " · " (events::address_of(b))
            }
            p.meta { (b.client.name) " hosts · " (party.guests.len()) " guests · " (b.visits.len()) " therapists · "
                (party.checked_in()) " health checks done"
                @if !b.status.is_active() { " · cancelled" } }
            p #{ "money-" (id) } { "Total " (format_cents(b.price_cents + b.travel_fee_cents)) " · paid " (format_cents(party.paid_cents()))
                " · due " (format_cents(party.balance_due_cents())) }
            @if !party.payments.is_empty() {
                ul { @for p in &party.payments { li { (p.payment.kind.label()) ": " (format_cents(p.payment.amount_cents)) " (" (p.payment.method.label()) ")" @if !p.payment.note.is_empty() { ", " (p.payment.note) } } } }
            }
            details open[!e.is_empty()] {
                summary { "Record a payment" }
                (error_summary(e, "Not recorded:"))
                form.stack method="post" action={ "/manage/parties/" (id) "/payments" } {
                    (csrf_field(Some(caller)))
                    div.row {
                        (field(v, e, "kind", "For", Input::Select(&kinds), ""))
                        (field(v, e, "amount_cents", "Amount", Input::Line(MONEY), "E.g. 120.00."))
                        (field(v, e, "method", "Paid by", Input::Select(&methods), ""))
                    }
                    (field(v, e, "note", "Reference", Input::Line(TEXT), "Never a card number."))
                    div.field.submit { button type="submit" { "Record" } }
                }
            }
        }
    }
}

async fn parties_body(
    state: &AppState,
    caller: &crate::auth::Caller,
    failed: Option<(BookingId, &Values, &ValidationErrors)>,
) -> Result<Markup, WebError> {
    let all = parties(state.app()).await?;
    let none = (Values::default(), ValidationErrors::default());
    Ok(html! {
        p.crumbs { a href="/manage" { "Manage" } " / " "Spa parties" }
        h1 { "Spa parties" }
        @if all.is_empty() { p { "No party is booked yet." } }
        @for party in &all {
            @let (v, e) = match failed { Some((id, v, e)) if id == party.booking.id => (v, e), _ => (&none.0, &none.1) };
            (party_section(party, caller, v, e))
        }
    })
}

async fn parties_page(State(state): State<AppState>, Manager(caller): Manager) -> Result<Response, WebError> {
    let body = parties_body(&state, &caller, None).await?;
    Ok(Frame { state: &state, caller: Some(&caller) }.page("Spa parties", body).into_response())
}

async fn pay(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
    form: FormPairs,
) -> Result<Response, WebError> {
    caller.check_csrf(form.get("csrf"))?;
    let input = PaymentInput {
        kind: PaymentKind::parse(form.get("kind")).unwrap_or_default(),
        // Not an amount is 0, which the rule names as out of range.
        amount_cents: knead_core::money::parse_price(form.get("amount_cents").trim()).unwrap_or(0),
        method: PaymentMethod::parse(form.get("method")).unwrap_or_default(),
        note: form.get("note").to_string(),
    };
    match record_payment(state.app(), BookingId(id), &input, &caller.user).await {
        Ok(_) => Ok(Redirect::to(&format!("/manage/parties#party-{id}")).into_response()),
        Err(e) => match field_errors(&e) {
            Some(errors) => {
                let values = Values::from_form(form.0.clone());
                let body = parties_body(&state, &caller, Some((BookingId(id), &values, &errors))).await?;
                let page = Frame { state: &state, caller: Some(&caller) }.page("Spa parties", body);
                Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
            }
            None => Err(e.into()),
        },
    }
}

/// A chair day's invoice, laid out to print (the browser's own "Save as PDF" gives the file).
async fn invoice(
    State(state): State<AppState>,
    Manager(caller): Manager,
    AppPath(id): AppPath<i64>,
) -> Result<Response, WebError> {
    let inv = chair_day_invoice(state.app(), GroupId(id), &state.config().practice_name).await?;
    let body = html! {
        p.crumbs.no-print { a href="/manage" { "Manage" } " / " a href="/manage/chair-days" { "Chair-massage days" } " / " "Invoice" }
        article.invoice #invoice {
            h1 { "Invoice " (inv.number) }
            p { strong { (inv.from_name) } @for line in &inv.from_lines { br; (line) } }
            p { "Issued " (inv.issued) }
            h2 { "Bill to" }
            p { (inv.bill_to.name) br; (inv.bill_to.email.as_str()) br; (inv.bill_to.phone) br; (inv.place) }
            div.table-scroll tabindex="0" role="region" aria-label="Lines" {
                table {
                    thead { tr { th scope="col" { "Description" } th scope="col" { "Amount" } } }
                    tbody {
                        @for l in &inv.lines { tr { td { (l.description) } td { (format_cents(l.amount_cents)) } } }
                        tr { th scope="row" { "Total" } td #invoice-total { (format_cents(inv.total_cents)) } }
                        @for p in &inv.payments { tr { td { "Paid: " (p.payment.kind.label()) ", " (p.payment.method.label()) } td { "−" (format_cents(p.payment.amount_cents)) } } }
                        tr { th scope="row" { "Due" } td #invoice-due { strong { (format_cents(inv.due_cents)) } } }
                    }
                }
            }
        }
    };
    Ok(Frame { state: &state, caller: Some(&caller) }.page(&format!("Invoice {}", inv.number), body).into_response())
}
