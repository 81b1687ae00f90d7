//! Enquiries: a company's organiser asking for a chair-massage day, or a host who wants the practice to call about
//! a spa party. Nothing is booked by an enquiry; a manager accepts it (a chair day is then booked from what the
//! organiser asked for, with the same checks as any chair day) or declines it.

use super::chair::{block, contact, parse_date, place, ChairDayInput};
use super::party::MAX_GUESTS;
use crate::booking::{BookingId, Contact, ContactInput};
use crate::catalog::ServiceId;
use crate::validation::{FieldError, ValidationErrors};
use crate::UserId;
use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnquiryId(pub i64);

/// What the enquiry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EnquiryKind {
    /// An office chair-massage day.
    #[default]
    ChairDay,
    /// A spa party at the host's home.
    Party,
}

impl EnquiryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EnquiryKind::ChairDay => "chair_day",
            EnquiryKind::Party => "party",
        }
    }

    pub fn parse(text: &str) -> Option<EnquiryKind> {
        [EnquiryKind::ChairDay, EnquiryKind::Party].into_iter().find(|k| k.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            EnquiryKind::ChairDay => "Chair-massage day",
            EnquiryKind::Party => "Spa party",
        }
    }
}

/// Where an enquiry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EnquiryStatus {
    /// Waiting for a manager.
    Open,
    /// A manager took it on: the chair day is booked (`booking_id`), or the party's host was called.
    Accepted,
    Declined,
}

impl EnquiryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EnquiryStatus::Open => "open",
            EnquiryStatus::Accepted => "accepted",
            EnquiryStatus::Declined => "declined",
        }
    }

    pub fn parse(text: &str) -> Option<EnquiryStatus> {
        [EnquiryStatus::Open, EnquiryStatus::Accepted, EnquiryStatus::Declined].into_iter().find(|s| s.as_str() == text)
    }
}

/// An enquiry as the API receives it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EnquiryInput {
    pub kind: EnquiryKind,
    /// A chair day's seated-massage service (required for a chair day, absent for a party).
    #[serde(default)]
    pub service_id: Option<i64>,
    /// The local date asked for, YYYY-MM-DD.
    pub date: String,
    /// The local start and end asked for, HH:MM.
    pub start: String,
    pub end: String,
    /// A chair day's chairs (1 to 8) and minutes per sitting (10, 15 or 20, dividing the block).
    #[serde(default)]
    pub chairs: Option<i64>,
    #[serde(default)]
    pub slot_minutes: Option<i64>,
    /// A party's number of guests (1 to 30).
    #[serde(default)]
    pub guests: Option<i64>,
    /// The office's or home's street address.
    pub address: String,
    /// The company (a chair day); may be empty.
    #[serde(default)]
    pub company: String,
    /// Who to reply to: the organiser or the host.
    pub contact: ContactInput,
    /// Anything else the practice should know (up to 1,000 characters).
    #[serde(default)]
    pub note: String,
}

/// An enquiry as the store writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEnquiry {
    pub kind: EnquiryKind,
    pub service_id: Option<ServiceId>,
    pub date: Date,
    pub start_minute: i64,
    pub end_minute: i64,
    pub chairs: Option<i64>,
    pub slot_minutes: Option<i64>,
    pub guests: Option<i64>,
    pub address: String,
    pub company: String,
    pub contact: Contact,
    pub note: String,
    pub created_at: Timestamp,
}

/// An enquiry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enquiry {
    pub id: EnquiryId,
    pub enquiry: NewEnquiry,
    pub status: EnquiryStatus,
    /// The chair day's booking, once accepted and booked.
    pub booking_id: Option<BookingId>,
    pub decided_at: Option<Timestamp>,
    pub decided_by: Option<UserId>,
}

/// "HH:MM" for minutes after midnight (24:00 for the day's end).
pub fn clock_text(minute: i64) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

impl NewEnquiry {
    /// The chair day a manager books on accepting: exactly what the organiser asked for. `None` for a party.
    pub fn chair_day_input(&self) -> Option<ChairDayInput> {
        (self.kind == EnquiryKind::ChairDay).then(|| ChairDayInput {
            service_id: self.service_id.map_or(0, |s| s.0),
            date: self.date.to_string(),
            start: clock_text(self.start_minute),
            end: clock_text(self.end_minute),
            chairs: self.chairs.unwrap_or(0),
            slot_minutes: self.slot_minutes.unwrap_or(0),
            address: Some(self.address.clone()),
            lat: None,
            lon: None,
            organiser: ContactInput {
                name: self.contact.name.clone(),
                email: self.contact.email.as_str().to_string(),
                phone: self.contact.phone.clone(),
            },
        })
    }
}

impl EnquiryInput {
    /// Checks the enquiry as the booking it asks for would be checked (a chair day's slot length must divide its
    /// block, and so on), so that accepting it does not fail on something the organiser could have fixed.
    pub fn validate(&self, now: Timestamp) -> Result<NewEnquiry, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let company = e.text("company", &self.company, 0, 120);
        let note = e.text("note", &self.note, 0, 1000);
        let only = |e: &mut ValidationErrors, field: &str, given: bool, kind: &str| {
            if given {
                e.push(FieldError::new("not_allowed", field, format!("only for {kind}; leave it out")));
            }
        };
        match self.kind {
            EnquiryKind::ChairDay => {
                only(&mut e, "guests", self.guests.is_some(), "a party");
                let asked = ChairDayInput {
                    service_id: self.service_id.unwrap_or(0),
                    date: self.date.clone(),
                    start: self.start.clone(),
                    end: self.end.clone(),
                    chairs: self.chairs.unwrap_or(0),
                    slot_minutes: self.slot_minutes.unwrap_or(0),
                    address: Some(self.address.clone()),
                    lat: None,
                    lon: None,
                    organiser: self.contact.clone(),
                };
                let checked = match asked.validate() {
                    Ok(req) => Some(req),
                    Err(errors) => {
                        for mut err in errors.0 {
                            if let Some(rest) = err.field.strip_prefix("organiser.") {
                                err.field = format!("contact.{rest}");
                            }
                            e.push(err);
                        }
                        None
                    }
                };
                e.finish(|| {
                    let req = checked?;
                    Some(NewEnquiry {
                        kind: EnquiryKind::ChairDay,
                        service_id: Some(req.service_id),
                        date: req.date,
                        start_minute: req.start_minute,
                        end_minute: req.end_minute,
                        chairs: Some(req.chairs),
                        slot_minutes: Some(req.slot_minutes),
                        guests: None,
                        address: req.address,
                        company,
                        contact: req.organiser,
                        note,
                        created_at: now,
                    })
                })
            }
            EnquiryKind::Party => {
                only(&mut e, "service_id", self.service_id.is_some(), "a chair-massage day");
                only(&mut e, "chairs", self.chairs.is_some(), "a chair-massage day");
                only(&mut e, "slot_minutes", self.slot_minutes.is_some(), "a chair-massage day");
                let date = e.take(parse_date("date", &self.date));
                let window = block(&mut e, &self.start, &self.end);
                let (address, _) = place(&mut e, Some(&self.address), None, None);
                let contact = contact(&mut e, &self.contact, "contact");
                let max = i64::try_from(MAX_GUESTS).unwrap_or(30);
                let guests = match self.guests {
                    Some(n) => Some(e.range("guests", n, 1, max, " guests")),
                    None => {
                        e.push(FieldError::new("required", "guests", format!("how many guests, 1 to {max}")));
                        None
                    }
                };
                e.finish(|| {
                    let (start_minute, end_minute) = window?;
                    Some(NewEnquiry {
                        kind: EnquiryKind::Party,
                        service_id: None,
                        date: date?,
                        start_minute,
                        end_minute,
                        chairs: None,
                        slot_minutes: None,
                        guests,
                        address,
                        company,
                        contact: contact?,
                        note,
                        created_at: now,
                    })
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chair() -> EnquiryInput {
        EnquiryInput {
            kind: EnquiryKind::ChairDay,
            service_id: Some(3),
            date: "2027-03-10".into(),
            start: "10:00".into(),
            end: "14:00".into(),
            chairs: Some(2),
            slot_minutes: Some(15),
            guests: None,
            address: "200 Bay Street, Toronto".into(),
            company: "Northwind Ltd".into(),
            contact: ContactInput {
                name: "Priya".into(),
                email: "priya@example.com".into(),
                phone: "416-555-0199".into(),
            },
            note: String::new(),
        }
    }

    fn fields(input: &EnquiryInput) -> Vec<String> {
        input.validate(Timestamp::UNIX_EPOCH).unwrap_err().0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn a_chair_day_enquiry_is_checked_as_the_day_it_asks_for_and_accepting_asks_for_exactly_that() {
        let asked = chair().validate(Timestamp::UNIX_EPOCH).unwrap();
        let input = asked.chair_day_input().unwrap();
        assert_eq!(
            (input.start.as_str(), input.end.as_str(), input.chairs, input.slot_minutes),
            ("10:00", "14:00", 2, 15)
        );
        assert_eq!(input.validate().unwrap().organiser, asked.contact);
        // 25 minutes do not divide the block; the organiser's email is named under `contact`.
        let bad = EnquiryInput {
            slot_minutes: Some(25),
            contact: ContactInput { email: "nope".into(), ..chair().contact },
            guests: Some(4),
            ..chair()
        };
        assert_eq!(fields(&bad), ["guests", "slot_minutes", "contact.email"]);
    }

    #[test]
    fn a_party_enquiry_needs_its_guests_and_refuses_a_chair_days_fields() {
        let party = EnquiryInput {
            kind: EnquiryKind::Party,
            service_id: None,
            chairs: None,
            slot_minutes: None,
            guests: Some(6),
            ..chair()
        };
        let asked = party.validate(Timestamp::UNIX_EPOCH).unwrap();
        assert_eq!((asked.guests, asked.chair_day_input()), (Some(6), None));
        assert_eq!(fields(&EnquiryInput { guests: None, chairs: Some(2), ..party.clone() }), ["chairs", "guests"]);
        assert_eq!(fields(&EnquiryInput { guests: Some(31), ..party }), ["guests"]);
    }

    #[test]
    fn kinds_and_statuses_read_back_what_they_write() {
        for k in [EnquiryKind::ChairDay, EnquiryKind::Party] {
            assert_eq!(EnquiryKind::parse(k.as_str()), Some(k));
        }
        for s in [EnquiryStatus::Open, EnquiryStatus::Accepted, EnquiryStatus::Declined] {
            assert_eq!(EnquiryStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(clock_text(24 * 60), "24:00");
    }
}
