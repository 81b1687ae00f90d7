//! The practice's own details: the name clients know it by and how they reach it (phone, email, postal
//! address). Every public page shows them, and a client who cannot find their address is pointed to the
//! phone number. Each detail is optional: a practice that has not given one shows nothing for it.

use crate::account::Email;
use crate::validation::{FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};

/// A phone number as people write it: digits with spaces, dashes, parentheses and a leading `+`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    /// How many digits a phone number has: a local number at least, an international one with its
    /// country code at most (E.164 allows 15; extensions typed after a space fit in the rest).
    pub const DIGITS: std::ops::RangeInclusive<usize> = 7..=20;
    /// Longest text accepted, separators included.
    pub const MAX_LEN: usize = 40;

    pub fn parse(field: &str, text: &str) -> Result<Phone, FieldError> {
        let t = text.trim();
        let digits = t.chars().filter(char::is_ascii_digit).count();
        let separators_only = t.chars().all(|c| c.is_ascii_digit() || " -()+".contains(c));
        // A plus sign belongs only in front, where it says an international number follows.
        let plus_in_front = !t.chars().skip(1).any(|c| c == '+');
        if separators_only && plus_in_front && Self::DIGITS.contains(&digits) && t.chars().count() <= Self::MAX_LEN {
            Ok(Phone(t.to_string()))
        } else {
            let (fewest, most) = Self::DIGITS.into_inner();
            Err(FieldError::new(
                "invalid",
                field,
                format!(
                    "must be a phone number of {fewest} to {most} digits, written with digits, spaces, dashes, \
                     parentheses and a leading +, e.g. +1 416-555-0123"
                ),
            ))
        }
    }

    /// The number as it was written (trimmed).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A `tel:` link a phone dials: the digits, with the leading `+` if there is one.
    pub fn tel_href(&self) -> String {
        let plus = if self.0.starts_with('+') { "+" } else { "" };
        let digits: String = self.0.chars().filter(char::is_ascii_digit).collect();
        format!("tel:{plus}{digits}")
    }
}

/// The practice's details as stored and shown; `None` where the practice gave none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PracticeDetails {
    /// The name shown to clients; when `None`, the name the server was started with.
    pub name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub phone: Option<Phone>,
    pub email: Option<String>,
    /// The postal address, as the practice writes it (lines kept).
    pub address: Option<String>,
}

impl PracticeDetails {
    /// Details read back from storage, checked as a submission would be; `Err` names what is wrong.
    pub fn from_stored(
        name: Option<String>,
        phone: Option<String>,
        email: Option<String>,
        address: Option<String>,
    ) -> Result<PracticeDetails, ValidationErrors> {
        PracticeDetailsInput {
            name: name.unwrap_or_default(),
            phone: phone.unwrap_or_default(),
            email: email.unwrap_or_default(),
            address: address.unwrap_or_default(),
        }
        .validate()
    }

    /// The details as a form or API body holds them (empty where none).
    pub fn to_input(&self) -> PracticeDetailsInput {
        PracticeDetailsInput {
            name: self.name.clone().unwrap_or_default(),
            phone: self.phone.as_ref().map(|p| p.as_str().to_string()).unwrap_or_default(),
            email: self.email.clone().unwrap_or_default(),
            address: self.address.clone().unwrap_or_default(),
        }
    }

    /// The address's lines, without blank ones, for showing it on several lines or one.
    pub fn address_lines(&self) -> Vec<&str> {
        self.address
            .as_deref()
            .map(|a| a.lines().map(str::trim).filter(|l| !l.is_empty()).collect())
            .unwrap_or_default()
    }
}

/// The practice's details as a manager submits them; an empty (or missing) field removes that detail.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
pub struct PracticeDetailsInput {
    /// The practice's public name, up to 120 characters.
    pub name: String,
    /// 7 to 20 digits, with spaces, dashes, parentheses and a leading + allowed.
    pub phone: String,
    pub email: String,
    /// The postal address, up to 300 characters; line breaks are kept.
    pub address: String,
}

impl PracticeDetailsInput {
    pub const MAX_NAME: usize = 120;
    pub const MAX_ADDRESS: usize = 300;

    pub fn validate(&self) -> Result<PracticeDetails, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let given = |text: String| if text.is_empty() { None } else { Some(text) };
        let name = if within(&mut e, "name", &self.name, Self::MAX_NAME) {
            given(e.text("name", &self.name, 0, Self::MAX_NAME))
        } else {
            None
        };
        if name.as_deref().is_some_and(|n| n.contains(['\n', '\r'])) {
            e.push(FieldError::new("invalid", "name", "must be on one line"));
        }
        let phone = match self.phone.trim() {
            _ if !within(&mut e, "phone", &self.phone, Phone::MAX_LEN) => None,
            "" => None,
            text => e.take(Phone::parse("phone", text)),
        };
        let email = match self.email.trim() {
            _ if !within(&mut e, "email", &self.email, Email::MAX_LEN) => None,
            "" => None,
            text => e.take(Email::parse("email", text)).map(|email| email.as_str().to_string()),
        };
        let address = if within(&mut e, "address", &self.address, Self::MAX_ADDRESS) {
            // One line break between lines, whatever the form sent (`\r\n`) and however many blank lines.
            let text = e.text("address", &self.address, 0, Self::MAX_ADDRESS);
            given(text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n"))
        } else {
            None
        };
        e.finish(|| Some(PracticeDetails { name, phone, email, address }))
    }
}

/// Whether `raw` has at most `max` characters as sent, white space included, as the API's schema counts them
/// (so a detail of spaces alone is held to the limit too); records the error when not.
fn within(e: &mut ValidationErrors, field: &str, raw: &str, max: usize) -> bool {
    let len = raw.chars().count();
    if len > max {
        e.push(FieldError::new("too_long", field, format!("must be at most {max} characters (got {len})")));
    }
    len <= max
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(input: PracticeDetailsInput) -> Vec<(&'static str, String)> {
        input.validate().unwrap_err().0.into_iter().map(|e| (e.code, e.field)).collect()
    }

    #[test]
    fn phone_numbers_as_people_write_them_are_accepted_and_dial_their_digits() {
        for (typed, tel) in [
            ("416-555-0123", "tel:4165550123"),
            ("+1 (416) 555-0123", "tel:+14165550123"),
            (" +358 9 123 4567 ", "tel:+35891234567"),
            ("5550123", "tel:5550123"),
            ("+12345678901234567890", "tel:+12345678901234567890"),
        ] {
            let phone = Phone::parse("phone", typed).unwrap();
            assert_eq!(phone.as_str(), typed.trim());
            assert_eq!(phone.tel_href(), tel, "{typed}");
        }
    }

    #[test]
    fn phone_numbers_with_other_characters_or_too_few_or_many_digits_are_refused() {
        for typed in
            ["555-012", "123456789012345678901", "416.555.0123", "416-555-0123 ext 4", "1+416 555 0123", "call us", ""]
        {
            let refused = Phone::parse("phone", typed).unwrap_err();
            assert_eq!((refused.code, refused.field.as_str()), ("invalid", "phone"), "{typed}");
            assert!(refused.detail.contains("7 to 20 digits"), "{}", refused.detail);
        }
        assert!(Phone::parse("phone", &format!("1234567 {}", " ".repeat(40))).is_ok(), "trimmed first");
        assert!(Phone::parse("phone", &format!("1 2 3 4 5 6 7 {}8", "-".repeat(30))).is_err(), "over 40 characters");
    }

    #[test]
    fn every_detail_is_optional_and_an_empty_one_is_none() {
        let none = PracticeDetailsInput::default().validate().unwrap();
        assert_eq!(none, PracticeDetails::default());
        let blank =
            PracticeDetailsInput { name: "  ".into(), phone: " ".into(), email: "\t".into(), address: "\n".into() };
        assert_eq!(blank.validate().unwrap(), PracticeDetails::default());
    }

    #[test]
    fn details_are_trimmed_the_email_lowercased_and_the_address_keeps_its_lines() {
        let input = PracticeDetailsInput {
            name: " Kneady Hands ".into(),
            phone: "416-555-0123".into(),
            email: " Hello@Kneady.Example ".into(),
            address: "Suite 4\r\n700 Queen St W \r\n\r\nToronto ON".into(),
        };
        let d = input.validate().unwrap();
        assert_eq!(d.address.as_deref(), Some("Suite 4\n700 Queen St W\nToronto ON"), "lines kept, ends tidied");
        assert_eq!(d.name.as_deref(), Some("Kneady Hands"));
        assert_eq!(d.phone.as_ref().map(Phone::as_str), Some("416-555-0123"));
        assert_eq!(d.email.as_deref(), Some("hello@kneady.example"));
        assert_eq!(d.address_lines(), ["Suite 4", "700 Queen St W", "Toronto ON"]);
        assert_eq!(d.to_input().validate().unwrap(), d, "round-trips through its input");
    }

    #[test]
    fn each_bad_detail_is_named_at_once() {
        let input = PracticeDetailsInput {
            name: "x".repeat(121),
            phone: "12".into(),
            email: "not an email".into(),
            address: "a".repeat(301),
        };
        assert_eq!(
            fields(input),
            [
                ("too_long", "name".to_string()),
                ("invalid", "phone".into()),
                ("invalid", "email".into()),
                ("too_long", "address".into())
            ]
        );
        let two_lines = PracticeDetailsInput { name: "Kneady\nHands".into(), ..Default::default() };
        assert_eq!(fields(two_lines), [("invalid", "name".to_string())]);
        let control = PracticeDetailsInput { address: "700 Queen\u{7} St".into(), ..Default::default() };
        assert_eq!(fields(control), [("invalid", "address".to_string())]);
        let longest = PracticeDetailsInput { address: "a".repeat(300), ..Default::default() };
        assert!(longest.validate().is_ok());
        let spaces = PracticeDetailsInput {
            name: " ".repeat(121),
            phone: " ".repeat(41),
            email: " ".repeat(255),
            address: " ".repeat(301),
        };
        let too_long = ["name", "phone", "email", "address"].map(|f| ("too_long", f.to_string()));
        assert_eq!(fields(spaces), too_long, "counted as sent, as the API's schema counts");
    }

    #[test]
    fn stored_details_that_would_not_pass_are_an_error_not_a_default() {
        let bad = PracticeDetails::from_stored(None, Some("nope".into()), None, None).unwrap_err();
        assert_eq!(bad.0[0].field, "phone");
        let good = PracticeDetails::from_stored(Some("Kneady".into()), None, None, None).unwrap();
        assert_eq!(good.name.as_deref(), Some("Kneady"));
    }

    #[test]
    fn a_missing_field_in_a_body_is_an_empty_one() {
        let input: PracticeDetailsInput = serde_json::from_value(serde_json::json!({"phone": "416-555-0123"})).unwrap();
        assert_eq!(input.name, "");
        assert!(serde_json::from_value::<PracticeDetailsInput>(serde_json::json!({"fax": "1"})).is_err());
        let shown = serde_json::to_value(input.validate().unwrap()).unwrap();
        assert_eq!(shown, serde_json::json!({"name": null, "phone": "416-555-0123", "email": null, "address": null}));
    }
}
