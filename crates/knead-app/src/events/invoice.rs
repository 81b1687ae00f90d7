//! The invoice a company receives for its chair-massage day: the block in chair-hours at the service's hourly
//! rate (what the booking's price was worked out from), the travel fee, and what has been paid so far.

use super::{chair_sheet, GroupId};
use crate::{App, AppResult};
use jiff::civil::Date;
use knead_core::booking::Contact;
use knead_core::calendar::local_date;
use knead_core::events::payment::{balance_due, Payment};

/// One line of an invoice.
pub struct InvoiceLine {
    pub description: String,
    pub amount_cents: i64,
}

/// An invoice, ready to print.
pub struct Invoice {
    /// "CD-0042": the chair day's number, stable across every copy printed.
    pub number: String,
    pub issued: Date,
    /// The practice's name and how to reach and pay it.
    pub from_name: String,
    pub from_lines: Vec<String>,
    /// Who arranged the day, and where it was held.
    pub bill_to: Contact,
    pub place: String,
    pub lines: Vec<InvoiceLine>,
    pub total_cents: i64,
    pub payments: Vec<Payment>,
    pub due_cents: i64,
}

/// Chair day `id`'s invoice, for staff.
pub async fn chair_day_invoice(app: &App, id: GroupId, practice_name: &str) -> AppResult<Invoice> {
    let sheet = chair_sheet(app, id).await?;
    let store = app.store();
    let booking = &sheet.booking;
    let service = store.service(booking.service_id).await?;
    let details = store.practice_details().await?;
    let chairs = sheet.day.day.chairs;
    let minutes = (booking.end.as_second() - booking.start.as_second()) / 60;
    let chair_minutes = chairs * minutes;
    let hourly = service.price_cents * 60 / service.duration_minutes.max(1);
    let (taken, offered) = sheet.fill();
    let when = local_date(&sheet.zone, booking.start);
    let mut lines = vec![InvoiceLine {
        description: format!(
            "{} on {when}: {chairs} chair{} for {} h = {} chair-hours at {} per chair-hour ({taken} of {offered} \
             sittings taken)",
            service.name,
            if chairs == 1 { "" } else { "s" },
            hours(minutes),
            hours(chair_minutes),
            knead_core::money::format_cents(hourly),
        ),
        amount_cents: booking.price_cents,
    }];
    if booking.travel_fee_cents > 0 {
        lines.push(InvoiceLine { description: "Travel".to_string(), amount_cents: booking.travel_fee_cents });
    }
    let total_cents = lines.iter().map(|l| l.amount_cents).sum();
    let payments = store.payments(booking.id).await?;
    let from_lines =
        [details.address.clone(), details.phone.as_ref().map(|p| p.as_str().to_string()), details.email.clone()]
            .into_iter()
            .flatten()
            .collect();
    Ok(Invoice {
        number: format!("CD-{:04}", id.0),
        issued: local_date(&sheet.zone, app.now()),
        from_name: details.name.clone().unwrap_or_else(|| practice_name.to_string()),
        from_lines,
        bill_to: booking.client.clone(),
        place: super::address_of(booking),
        lines,
        due_cents: balance_due(total_cents, &payments),
        total_cents,
        payments,
    })
}

/// Minutes as hours: "4", "2.5", "0.25" (to the hundredth).
fn hours(minutes: i64) -> String {
    let (whole, rest) = (minutes / 60, minutes % 60);
    if rest == 0 {
        return whole.to_string();
    }
    let hundredths = format!("{:02}", rest * 100 / 60);
    format!("{whole}.{}", hundredths.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    #[test]
    fn hours_read_as_people_write_them() {
        assert_eq!(
            [super::hours(240), super::hours(150), super::hours(15), super::hours(60)],
            ["4", "2.5", "0.25", "1"]
        );
    }
}
