//! SQLite's side of the statement layer: parameters bound as SQLite stores them, values decoded by their
//! own run-time type, and errors classified by extended result code.

use futures_util::TryStreamExt;
use knead_store::sql::{DbError, DbErrorKind, OverlapRule, Param, Rows, Value};
use sqlx::sqlite::{SqliteArguments, SqliteRow, SqliteValueRef};
use sqlx::{Column, Decode, Executor, Row, Sqlite, TypeInfo, ValueRef};

/// Extended result codes (<https://www.sqlite.org/rescode.html>).
const SQLITE_CONSTRAINT_PRIMARYKEY: &str = "1555";
const SQLITE_CONSTRAINT_UNIQUE: &str = "2067";
const SQLITE_CONSTRAINT_FOREIGNKEY: &str = "787";
const SQLITE_CONSTRAINT_TRIGGER: &str = "1811";

type Query<'q> = sqlx::query::Query<'q, Sqlite, SqliteArguments<'q>>;

pub(crate) async fn query<'c>(
    on: impl Executor<'c, Database = Sqlite>,
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
    on: impl Executor<'c, Database = Sqlite>,
    sql: &'static str,
    params: &[Param],
) -> Result<u64, DbError> {
    Ok(bind(sqlx::query(sql), params).execute(on).await.map_err(classify)?.rows_affected())
}

/// Instants as integer microseconds since the epoch (UTC), dates as `YYYY-MM-DD` text, JSON as text.
fn bind<'q>(mut query: Query<'q>, params: &'q [Param]) -> Query<'q> {
    for param in params {
        query = match param {
            Param::Int(v) => query.bind(*v),
            Param::Float(v) => query.bind(*v),
            Param::Text(v) => query.bind(v.as_deref()),
            Param::Bool(v) => query.bind(*v),
            Param::Time(v) => query.bind(v.map(|t| t.as_microsecond())),
            Param::Date(d) => query.bind(d.map(|d| d.to_string())),
            Param::Json(json) => query.bind(json.as_str()),
        };
    }
    query
}

/// The rows of one result set, decoded as they stream in.
#[derive(Default)]
struct Decoded(Option<Rows>);

impl Decoded {
    fn push(&mut self, row: &SqliteRow) {
        let rows = self.0.get_or_insert_with(|| Rows::new(row.columns().iter().map(|c| c.name().into()).collect(), 0));
        for i in 0..row.len() {
            rows.push(row.try_get_raw(i).map_or(Value::Unreadable("a column the driver could not read"), value));
        }
    }

    fn finish(self) -> Rows {
        self.0.unwrap_or_default()
    }
}

/// A value by its own storage class: SQLite types values, not columns.
fn value(raw: SqliteValueRef<'_>) -> Value {
    if raw.is_null() {
        return Value::Null;
    }
    match raw.type_info().name() {
        "INTEGER" => {
            <i64 as Decode<Sqlite>>::decode(raw).map_or(Value::Unreadable("an unreadable integer"), Value::Int)
        }
        "REAL" => <f64 as Decode<Sqlite>>::decode(raw).map_or(Value::Unreadable("an unreadable real"), Value::Float),
        "TEXT" => {
            <String as Decode<Sqlite>>::decode(raw).map_or(Value::Unreadable("text that is not UTF-8"), Value::Text)
        }
        _ => Value::Unreadable("a BLOB"),
    }
}

pub(crate) fn classify(e: sqlx::Error) -> DbError {
    let kind =
        e.as_database_error().map_or(DbErrorKind::Other, |db| kind_of(&db.code().unwrap_or_default(), db.message()));
    DbError::new(kind, e)
}

/// By extended result code. SQLite names no unique constraint; a trigger's message counts only when the
/// code says a trigger raised it, and only as exactly one of our overlap rules' names (what they raise).
fn kind_of(code: &str, message: &str) -> DbErrorKind {
    match code {
        SQLITE_CONSTRAINT_UNIQUE | SQLITE_CONSTRAINT_PRIMARYKEY => DbErrorKind::UniqueViolation { constraint: None },
        SQLITE_CONSTRAINT_FOREIGNKEY => DbErrorKind::ForeignKeyViolation,
        SQLITE_CONSTRAINT_TRIGGER => OverlapRule::named(message).map_or(DbErrorKind::Other, DbErrorKind::Overlap),
        // SQLITE_BUSY comes only after the busy timeout has already waited; running again would only wait more.
        _ => DbErrorKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_classified_by_extended_code() {
        let unique = DbErrorKind::UniqueViolation { constraint: None };
        assert_eq!(kind_of("2067", "UNIQUE constraint failed: users.email"), unique);
        assert_eq!(kind_of("1555", "UNIQUE constraint failed: sessions.token_hash"), unique);
        assert_eq!(kind_of("787", "FOREIGN KEY constraint failed"), DbErrorKind::ForeignKeyViolation);
        assert_eq!(kind_of("1811", "visits_no_overlap"), DbErrorKind::Overlap(OverlapRule::Therapist));
        assert_eq!(kind_of("1811", "rooms_no_overlap"), DbErrorKind::Overlap(OverlapRule::Room));
        assert_eq!(kind_of("5", "database is locked"), DbErrorKind::Other);
    }

    #[test]
    fn message_text_alone_never_decides() {
        assert_eq!(kind_of("19", "visits_no_overlap"), DbErrorKind::Other, "not raised by a trigger");
        assert_eq!(kind_of("1811", "no visits_no_overlap here"), DbErrorKind::Other, "not exactly our name");
        assert_eq!(kind_of("275", "CHECK constraint failed: users.email"), DbErrorKind::Other);
    }
}
