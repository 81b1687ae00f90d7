//! What crosses the statement layer: typed parameters going in, typed column values coming out.

use crate::{StoreError, StoreResult};
use jiff::civil::Date;
use jiff::Timestamp;
use knead_core::booking::waitlist::WaitlistId;
use knead_core::booking::{BookingId, ClinicId, RoomId, SeriesId};
use knead_core::intake::ClientId;
use knead_core::records::{EpisodeId, MeasureId, NoteId, ProgramId, ReferralId};
use knead_core::{ArticleId, ServiceId, TherapistId, UserId};

/// A statement parameter. A NULL keeps its type, because PostgreSQL must know every parameter's type.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Int(Option<i64>),
    Float(Option<f64>),
    Text(Option<String>),
    Bool(bool),
    /// An instant, stored to the microsecond (truncated): SQLite integer microseconds (UTC), PostgreSQL timestamptz.
    Time(Option<Timestamp>),
    /// A calendar date: SQLite text `YYYY-MM-DD`, PostgreSQL date.
    Date(Option<Date>),
    /// JSON text: SQLite text, PostgreSQL jsonb (whose binary form is the text behind a version byte).
    Json(String),
}

impl Param {
    /// `value` as JSON text.
    pub fn json(value: &impl serde::Serialize) -> StoreResult<Param> {
        serde_json::to_string(value).map(Param::Json).map_err(StoreError::other)
    }
}

/// What a column of a result row holds, as the adapter found it at run time.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    Int(i64),
    Float(f64),
    Text(String),
    Bool(bool),
    Time(Timestamp),
    Date(Date),
    /// A value the adapter could not decode (a BLOB, an unknown type, a timestamp out of range): what it
    /// was, never its contents. Reading it is a corrupt row.
    Unreadable(&'static str),
}

impl Value {
    /// What kind of value this is, for error messages (never the value itself).
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a real number",
            Value::Text(_) => "text",
            Value::Bool(_) => "a boolean",
            Value::Time(_) => "a timestamp",
            Value::Date(_) => "a date",
            Value::Unreadable(what) => what,
        }
    }
}

macro_rules! param_from {
    ($($t:ty => |$v:ident| $e:expr),* $(,)?) => {
        $(impl From<$t> for Param {
            fn from($v: $t) -> Param {
                $e
            }
        })*
    };
}

param_from! {
    i64 => |v| Param::Int(Some(v)),
    Option<i64> => |v| Param::Int(v),
    f64 => |v| Param::Float(Some(v)),
    Option<f64> => |v| Param::Float(v),
    bool => |v| Param::Bool(v),
    &str => |v| Param::Text(Some(v.to_string())),
    &String => |v| Param::Text(Some(v.clone())),
    Option<&str> => |v| Param::Text(v.map(str::to_string)),
    Option<&String> => |v| Param::Text(v.cloned()),
    Timestamp => |v| Param::Time(Some(v)),
    Date => |v| Param::Date(Some(v)),
    Option<Date> => |v| Param::Date(v),
    UserId => |v| Param::Int(Some(v.0)),
    Option<UserId> => |v| Param::Int(v.map(|u| u.0)),
    ServiceId => |v| Param::Int(Some(v.0)),
    TherapistId => |v| Param::Int(Some(v.0)),
    ArticleId => |v| Param::Int(Some(v.0)),
    BookingId => |v| Param::Int(Some(v.0)),
    ClinicId => |v| Param::Int(Some(v.0)),
    Option<ClinicId> => |v| Param::Int(v.map(|c| c.0)),
    Option<RoomId> => |v| Param::Int(v.map(|r| r.0)),
    ClientId => |v| Param::Int(Some(v.0)),
    Option<ClientId> => |v| Param::Int(v.map(|c| c.0)),
    Option<TherapistId> => |v| Param::Int(v.map(|t| t.0)),
    Option<BookingId> => |v| Param::Int(v.map(|b| b.0)),
    EpisodeId => |v| Param::Int(Some(v.0)),
    Option<EpisodeId> => |v| Param::Int(v.map(|e| e.0)),
    NoteId => |v| Param::Int(Some(v.0)),
    ProgramId => |v| Param::Int(Some(v.0)),
    MeasureId => |v| Param::Int(Some(v.0)),
    ReferralId => |v| Param::Int(Some(v.0)),
    SeriesId => |v| Param::Int(Some(v.0)),
    Option<SeriesId> => |v| Param::Int(v.map(|s| s.0)),
    WaitlistId => |v| Param::Int(Some(v.0)),
    Option<WaitlistId> => |v| Param::Int(v.map(|w| w.0)),
}
