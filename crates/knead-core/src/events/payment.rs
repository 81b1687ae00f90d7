//! Money received for a group booking: a party's deposit, its balance or the whole, or a company paying its chair
//! day's invoice. Recorded by a manager, never changed afterwards (the store refuses updates and deletes).

use crate::booking::BookingId;
use crate::validation::{FieldError, ValidationErrors};
use crate::UserId;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The most one entry may record: a sanity bound well above any party ($100,000.00).
pub const MAX_PAYMENT_CENTS: i64 = 10_000_000;

/// What the money was for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaymentKind {
    /// Part paid ahead to hold the date.
    #[default]
    Deposit,
    /// The rest, after a deposit.
    Balance,
    /// Everything at once.
    Whole,
}

/// How it was paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    #[default]
    Card,
    Cash,
    /// A bank transfer (a company paying an invoice).
    Transfer,
}

macro_rules! words {
    ($ty:ty { $($variant:ident => $text:literal, $label:literal;)* }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$(<$ty>::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $(<$ty>::$variant => $text),* }
            }

            pub fn label(self) -> &'static str {
                match self { $(<$ty>::$variant => $label),* }
            }

            pub fn parse(text: &str) -> Option<$ty> {
                Self::ALL.iter().copied().find(|v| v.as_str() == text)
            }
        }
    };
}

words!(PaymentKind { Deposit => "deposit", "Deposit"; Balance => "balance", "Balance"; Whole => "whole", "Paid in full"; });
words!(PaymentMethod { Card => "card", "Card"; Cash => "cash", "Cash"; Transfer => "transfer", "Bank transfer"; });

/// A payment as the API receives it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PaymentInput {
    pub kind: PaymentKind,
    /// In cents, 1 to 10,000,000.
    pub amount_cents: i64,
    pub method: PaymentMethod,
    /// A reference or a word about it (up to 300 characters); never card numbers.
    #[serde(default)]
    pub note: String,
}

/// A payment as the store writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayment {
    pub booking_id: BookingId,
    pub kind: PaymentKind,
    pub amount_cents: i64,
    pub method: PaymentMethod,
    pub note: String,
    pub recorded_by: UserId,
    pub recorded_at: Timestamp,
}

/// A payment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub id: i64,
    pub payment: NewPayment,
}

impl PaymentInput {
    pub fn validate(&self, booking_id: BookingId, by: UserId, now: Timestamp) -> Result<NewPayment, ValidationErrors> {
        let mut e = ValidationErrors::default();
        let amount_cents = e.range("amount_cents", self.amount_cents, 1, MAX_PAYMENT_CENTS, " cents");
        let note = e.text("note", &self.note, 0, 300);
        if note.chars().filter(char::is_ascii_digit).count() >= 13 {
            // A card number has no place in a note.
            e.push(FieldError::new("invalid", "note", "must not hold a card number; write a reference instead"));
        }
        e.finish(|| {
            Some(NewPayment {
                booking_id,
                kind: self.kind,
                amount_cents,
                method: self.method,
                note,
                recorded_by: by,
                recorded_at: now,
            })
        })
    }
}

/// What is still owed on `price_cents` after `payments`; never below zero.
pub fn balance_due(price_cents: i64, payments: &[Payment]) -> i64 {
    let paid: i64 = payments.iter().map(|p| p.payment.amount_cents).sum();
    (price_cents - paid).max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payment_names_a_bad_amount_and_refuses_a_card_number_in_its_note() {
        let input = PaymentInput {
            kind: PaymentKind::Deposit,
            amount_cents: 0,
            method: PaymentMethod::Card,
            note: "4111 1111 1111 1111".into(),
        };
        let errors = input.validate(BookingId(1), UserId(1), Timestamp::UNIX_EPOCH).unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["amount_cents", "note"]);
        let ok = PaymentInput { amount_cents: 12_000, note: "ref 2207".into(), ..input };
        let new = ok.validate(BookingId(1), UserId(1), Timestamp::UNIX_EPOCH).unwrap();
        let paid = [Payment { id: 1, payment: new }];
        assert_eq!((balance_due(48_000, &paid), balance_due(10_000, &paid)), (36_000, 0));
    }

    #[test]
    fn kinds_and_methods_read_back_what_they_write() {
        for k in PaymentKind::ALL {
            assert_eq!(PaymentKind::parse(k.as_str()), Some(*k));
        }
        for m in PaymentMethod::ALL {
            assert_eq!(PaymentMethod::parse(m.as_str()), Some(*m));
        }
    }
}
