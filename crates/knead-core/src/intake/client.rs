//! The client record: who a practice treats, with contact details, date of birth, saved addresses and an
//! optional login. Bookings, intake versions, screenings and clearances hang off it.

use crate::account::{Email, UserId};
use crate::booking::ContactInput;
use crate::calendar::parse_date;
use crate::geo::GeoPoint;
use crate::validation::{FieldError, ValidationErrors};
use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClientId(pub i64);

/// An address the client has had a visit at, or saved, to pick again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SavedAddress {
    /// "Home", "Office"...
    pub label: String,
    pub address: String,
    pub lat: f64,
    pub lon: f64,
}

impl SavedAddress {
    pub fn point(&self) -> Option<GeoPoint> {
        GeoPoint::parse(self.lat, self.lon).ok()
    }
}

/// A client as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Client {
    pub id: ClientId,
    pub name: String,
    pub email: Email,
    pub phone: String,
    pub date_of_birth: Option<Date>,
    pub addresses: Vec<SavedAddress>,
    /// The client's login, when they have one.
    pub user_id: Option<UserId>,
    pub created_at: Timestamp,
}

/// What the store writes for a new client or a change to one.
#[derive(Debug, Clone, PartialEq)]
pub struct ClientDraft {
    pub name: String,
    pub email: Email,
    pub phone: String,
    pub date_of_birth: Option<Date>,
    pub addresses: Vec<SavedAddress>,
}

impl ClientDraft {
    /// The record a guest's contact details make: those details alone.
    pub fn of_contact(contact: &crate::booking::Contact) -> ClientDraft {
        ClientDraft {
            name: contact.name.clone(),
            email: contact.email.clone(),
            phone: contact.phone.clone(),
            date_of_birth: None,
            addresses: Vec::new(),
        }
    }
}

/// A client as staff (or the API) submit one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ClientInput {
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub phone: String,
    /// `YYYY-MM-DD`, in the past; left out when unknown.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = Date, pattern = "^(19|2[0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$"))]
    pub date_of_birth: Option<String>,
    #[serde(default)]
    pub addresses: Vec<SavedAddress>,
}

impl ClientInput {
    pub fn validate(&self, today: Date) -> Result<ClientDraft, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let contact = ContactInput { name: self.name.clone(), email: self.email.clone(), phone: self.phone.clone() };
        // One rule for names, emails and phones, with the API's field names (not the booking's `client.*`).
        let mut inner = ValidationErrors::default();
        // A blank phone is allowed, but not a blank longer than a phone may be.
        if self.phone.trim().is_empty() && self.phone.chars().count() > 25 {
            inner.push(FieldError::new("too_long", "client.phone", "must be at most 25 characters"));
        }
        let checked = if self.phone.trim().is_empty() {
            let name = inner.text("client.name", &self.name, 1, 120);
            let email = Email::parse("client.email", &self.email).map_err(|err| inner.push(err)).ok();
            email.map(|email| crate::booking::Contact { name, email, phone: String::new() })
        } else {
            contact.validate(&mut inner)
        };
        for mut err in inner.0 {
            err.field = err.field.trim_start_matches("client.").to_string();
            e.push(err);
        }
        // Left out is unknown; given, it must be a date (a form leaves a blank field out).
        let date_of_birth = match self.date_of_birth.as_deref().map(str::trim) {
            None => None,
            Some(text) => match parse_date("date_of_birth", text) {
                Ok(d) if d > today => {
                    e.push(FieldError::new("out_of_range", "date_of_birth", "must not be in the future"));
                    None
                }
                Ok(d) if d.year() < 1900 => {
                    e.push(FieldError::new("out_of_range", "date_of_birth", "must be 1900 or later"));
                    None
                }
                Ok(d) => Some(d),
                Err(err) => {
                    e.push(err);
                    None
                }
            },
        };
        if self.addresses.len() > 10 {
            e.push(FieldError::new("too_many", "addresses", "at most 10 saved addresses"));
        }
        let mut addresses = Vec::new();
        for (i, a) in self.addresses.iter().enumerate() {
            let label = e.text(&format!("addresses[{i}].label"), &a.label, 1, 40);
            let address = e.text(&format!("addresses[{i}].address"), &a.address, 1, 300);
            if a.point().is_none() {
                e.push(FieldError::new("out_of_range", format!("addresses[{i}].lat"), "must be a place on earth"));
            }
            addresses.push(SavedAddress { label, address, lat: a.lat, lon: a.lon });
        }
        e.finish(|| {
            let c = checked?;
            Some(ClientDraft { name: c.name, email: c.email, phone: c.phone, date_of_birth, addresses })
        })
    }
}

impl Client {
    /// Age in whole years on `today`, when the date of birth is known.
    pub fn age_on(&self, today: Date) -> Option<i64> {
        let born = self.date_of_birth?;
        let mut years = i64::from(today.year() - born.year());
        if (today.month(), today.day()) < (born.month(), born.day()) {
            years -= 1;
        }
        Some(years.max(0))
    }

    /// Whether `name` as typed on a booking is this client's name (case, spacing and accents aside is too
    /// generous; case and spacing only).
    pub fn same_name(&self, name: &str) -> bool {
        normalise(&self.name) == normalise(name)
    }
}

fn normalise(name: &str) -> String {
    name.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>().join(" ")
}
