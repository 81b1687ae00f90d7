//! PostgreSQL's side of the statement layer: parameters bound with their PostgreSQL types, columns decoded
//! by their declared type, and errors classified by SQLSTATE and constraint name.

use futures_util::TryStreamExt;
use jiff::civil::{date, Date};
use jiff::{Span, Timestamp};
use knead_store::sql::{DbError, DbErrorKind, OverlapRule, Param, Rows, Value};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::types::Oid;
use sqlx::postgres::{PgArgumentBuffer, PgArguments, PgRow, PgTypeInfo, PgValueFormat, PgValueRef};
use sqlx::types::JsonRawValue;
use sqlx::{Column, Decode, Encode, Executor, Postgres, Row, Type, TypeInfo, ValueRef};

type Query<'q> = sqlx::query::Query<'q, Postgres, PgArguments>;

pub(crate) async fn query<'c>(
    on: impl Executor<'c, Database = Postgres>,
    sql: &'static str,
    params: &[Param],
) -> Result<Rows, DbError> {
    let mut stream = bind(sqlx::query(sql), params).fetch(on);
    let mut rows = Decoded::default();
    while let Some(row) = stream.try_next().await.map_err(classify)? {
        rows.push(&row);
    }
    Ok(rows.finish())
}

pub(crate) async fn execute<'c>(
    on: impl Executor<'c, Database = Postgres>,
    sql: &'static str,
    params: &[Param],
) -> Result<u64, DbError> {
    Ok(bind(sqlx::query(sql), params).execute(on).await.map_err(classify)?.rows_affected())
}

/// Where PostgreSQL's binary timestamps and dates count from.
const PG_EPOCH: Date = date(2000, 1, 1);
const PG_EPOCH_MICROS: i64 = 946_684_800_000_000;

/// An instant as timestamptz's binary form: microseconds since 2000-01-01 UTC (truncated, as SQLite keeps it).
struct PgTimestamp(i64);

impl PgTimestamp {
    fn of(ts: Timestamp) -> PgTimestamp {
        // jiff's range (years -9999..=9999) is well inside i64 microseconds.
        PgTimestamp(ts.as_microsecond() - PG_EPOCH_MICROS)
    }
}

/// A date as date's binary form: days since 2000-01-01.
struct PgDate(i32);

/// JSON text as jsonb's binary form: a version byte, then the text.
struct PgJsonb<'a>(&'a str);

impl Type<Postgres> for PgTimestamp {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_oid(Oid(1184))
    }
}

impl Type<Postgres> for PgDate {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_oid(Oid(1082))
    }
}

impl Type<Postgres> for PgJsonb<'_> {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_oid(Oid(3802))
    }
}

impl Encode<'_, Postgres> for PgTimestamp {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        buf.extend_from_slice(&self.0.to_be_bytes());
        Ok(IsNull::No)
    }
}

impl Encode<'_, Postgres> for PgDate {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        buf.extend_from_slice(&self.0.to_be_bytes());
        Ok(IsNull::No)
    }
}

impl Encode<'_, Postgres> for PgJsonb<'_> {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        buf.push(1);
        buf.extend_from_slice(self.0.as_bytes());
        Ok(IsNull::No)
    }
}

fn bind<'q>(mut query: Query<'q>, params: &'q [Param]) -> Query<'q> {
    for param in params {
        query = match param {
            Param::Int(v) => query.bind(*v),
            Param::Float(v) => query.bind(*v),
            Param::Text(v) => query.bind(v.as_deref()),
            Param::Bool(v) => query.bind(*v),
            Param::Time(v) => query.bind(v.map(PgTimestamp::of)),
            // jiff's dates (years -9999..=9999) are a few million days from 2000 at most.
            Param::Date(d) => query.bind(d.map(|d| PgDate(d.since(PG_EPOCH).map_or(i32::MAX, |span| span.get_days())))),
            Param::Json(json) => query.bind(PgJsonb(json)),
        };
    }
    query
}

/// How a column decodes, settled once per result set from its declared type.
#[derive(Clone, Copy)]
enum Decoder {
    Int2,
    Int4,
    Int8,
    Float4,
    Float8,
    Text,
    Bool,
    Time,
    Date,
    Json,
    Unsupported,
}

impl Decoder {
    fn of(type_name: &str) -> Decoder {
        match type_name {
            "INT2" => Decoder::Int2,
            "INT4" => Decoder::Int4,
            "INT8" => Decoder::Int8,
            "FLOAT4" => Decoder::Float4,
            "FLOAT8" => Decoder::Float8,
            "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => Decoder::Text,
            "BOOL" => Decoder::Bool,
            "TIMESTAMPTZ" => Decoder::Time,
            "DATE" => Decoder::Date,
            "JSONB" | "JSON" => Decoder::Json,
            _ => Decoder::Unsupported,
        }
    }
}

/// The rows of one result set, decoded as they stream in; each column's decoder is settled by the first row.
#[derive(Default)]
struct Decoded(Option<(Rows, Vec<Decoder>)>);

impl Decoded {
    fn push(&mut self, row: &PgRow) {
        let (rows, decoders) = self.0.get_or_insert_with(|| {
            let names = row.columns().iter().map(|c| c.name().into()).collect();
            (Rows::new(names, 0), row.columns().iter().map(|c| Decoder::of(c.type_info().name())).collect())
        });
        for (i, &decoder) in decoders.iter().enumerate() {
            let raw = row.try_get_raw(i);
            rows.push(raw.map_or(Value::Unreadable("a column the driver could not read"), |raw| value(raw, decoder)));
        }
    }

    fn finish(self) -> Rows {
        self.0.map(|(rows, _)| rows).unwrap_or_default()
    }
}

fn value(raw: PgValueRef<'_>, decoder: Decoder) -> Value {
    if raw.is_null() {
        return Value::Null;
    }
    let decoded = match decoder {
        Decoder::Int2 => <i16 as Decode<Postgres>>::decode(raw).map(|v| Value::Int(v.into())),
        Decoder::Int4 => <i32 as Decode<Postgres>>::decode(raw).map(|v| Value::Int(v.into())),
        Decoder::Int8 => <i64 as Decode<Postgres>>::decode(raw).map(Value::Int),
        Decoder::Float4 => <f32 as Decode<Postgres>>::decode(raw).map(|v| Value::Float(v.into())),
        Decoder::Float8 => <f64 as Decode<Postgres>>::decode(raw).map(Value::Float),
        Decoder::Text => <String as Decode<Postgres>>::decode(raw).map(Value::Text),
        Decoder::Bool => <bool as Decode<Postgres>>::decode(raw).map(Value::Bool),
        Decoder::Json => <&JsonRawValue as Decode<Postgres>>::decode(raw).map(|json| Value::Text(json.get().into())),
        Decoder::Time => return binary::<8>(&raw).map_or(Value::Unreadable("a timestamp not in binary form"), time),
        Decoder::Date => return binary::<4>(&raw).map_or(Value::Unreadable("a date not in binary form"), day),
        Decoder::Unsupported => return Value::Unreadable("a column of a type knead does not read"),
    };
    decoded.unwrap_or(Value::Unreadable("a value the driver could not decode"))
}

/// The value's bytes when it came in binary form (as every prepared statement's results do).
fn binary<const N: usize>(raw: &PgValueRef<'_>) -> Option<[u8; N]> {
    match raw.format() {
        PgValueFormat::Binary => raw.as_bytes().ok()?.try_into().ok(),
        PgValueFormat::Text => None,
    }
}

/// timestamptz: microseconds since 2000-01-01 UTC; `infinity` and the like fall outside jiff's range.
fn time(bytes: [u8; 8]) -> Value {
    i64::from_be_bytes(bytes)
        .checked_add(PG_EPOCH_MICROS)
        .and_then(|micros| Timestamp::from_microsecond(micros).ok())
        .map_or(Value::Unreadable("a timestamp out of range"), Value::Time)
}

/// date: days since 2000-01-01.
fn day(bytes: [u8; 4]) -> Value {
    Span::new()
        .try_days(i32::from_be_bytes(bytes))
        .ok()
        .and_then(|days| PG_EPOCH.checked_add(days).ok())
        .map_or(Value::Unreadable("a date out of range"), Value::Date)
}

pub(crate) fn classify(e: sqlx::Error) -> DbError {
    let kind = e
        .as_database_error()
        .map_or(DbErrorKind::Other, |db| db.code().map_or(DbErrorKind::Other, |code| kind_of(&code, db.constraint())));
    DbError::new(kind, e)
}

/// By SQLSTATE, and for constraint violations by the constraint's name in the migrations.
fn kind_of(sqlstate: &str, constraint: Option<&str>) -> DbErrorKind {
    match sqlstate {
        "23505" => DbErrorKind::UniqueViolation { constraint: constraint.map(str::to_string) },
        "23503" => DbErrorKind::ForeignKeyViolation,
        "23P01" => constraint.and_then(OverlapRule::named).map_or(DbErrorKind::Other, DbErrorKind::Overlap),
        // serialization_failure, deadlock_detected
        "40001" | "40P01" => DbErrorKind::Retry,
        _ => DbErrorKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_classified_by_sqlstate_and_constraint_name() {
        let unique = |name: &str| DbErrorKind::UniqueViolation { constraint: Some(name.to_string()) };
        assert_eq!(kind_of("23505", Some("users_email_key")), unique("users_email_key"));
        assert_eq!(kind_of("23503", Some("visits_therapist_id_fkey")), DbErrorKind::ForeignKeyViolation);
        assert_eq!(kind_of("23P01", Some("visits_no_overlap")), DbErrorKind::Overlap(OverlapRule::Therapist));
        assert_eq!(kind_of("23P01", Some("rooms_no_overlap")), DbErrorKind::Overlap(OverlapRule::Room));
        assert_eq!(kind_of("23P01", Some("some_other_exclusion")), DbErrorKind::Other);
        assert_eq!(kind_of("40001", None), DbErrorKind::Retry);
        assert_eq!(kind_of("40P01", None), DbErrorKind::Retry);
        assert_eq!(kind_of("23514", Some("users_role_check")), DbErrorKind::Other);
    }

    #[test]
    fn timestamps_keep_microseconds_and_drop_nanoseconds() {
        let ts: Timestamp = "2026-03-01T15:00:00.123456789Z".parse().unwrap();
        let Value::Time(back) = time(PgTimestamp::of(ts).0.to_be_bytes()) else { panic!("a timestamp") };
        assert_eq!(back, "2026-03-01T15:00:00.123456Z".parse::<Timestamp>().unwrap());
        let before_1970: Timestamp = "1969-12-31T23:59:59.5Z".parse().unwrap();
        assert_eq!(time(PgTimestamp::of(before_1970).0.to_be_bytes()), Value::Time(before_1970));
        assert_eq!(PgTimestamp::of(Timestamp::from_second(946_684_800).unwrap()).0, 0, "PostgreSQL's epoch");
    }

    #[test]
    fn infinite_timestamps_and_dates_are_unreadable_not_defaults() {
        assert!(matches!(time(i64::MAX.to_be_bytes()), Value::Unreadable(_)));
        assert!(matches!(day(i32::MAX.to_be_bytes()), Value::Unreadable(_)));
    }

    #[test]
    fn dates_count_days_from_2000() {
        assert_eq!(day(0i32.to_be_bytes()), Value::Date(date(2000, 1, 1)));
        assert_eq!(day(9_563i32.to_be_bytes()), Value::Date(date(2026, 3, 8)));
        assert_eq!(date(2026, 3, 8).since(PG_EPOCH).unwrap().get_days(), 9_563);
    }
}
