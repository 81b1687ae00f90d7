//! A result set and the reader that turns its rows into domain values, column by column, with no defaults:
//! a value that is missing, of the wrong type or not valid for its domain type is a corrupt row, reported as
//! `StoreError::Corrupt` naming the table, the row's key and the column (never the value).

use super::value::Value;
use crate::{StoreError, StoreResult};
use jiff::civil::Date;
use jiff::Timestamp;
use serde::de::DeserializeOwned;
use std::fmt;

/// The rows a statement returned: one flat vector of values, `names.len()` to a row, so a result set is
/// two allocations however many rows it has (plus its text values).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    names: Vec<String>,
    values: Vec<Value>,
}

impl Rows {
    /// An empty result set with these column names; the adapter then pushes every row's values in order.
    pub fn new(names: Vec<String>, rows: usize) -> Rows {
        let values = Vec::with_capacity(names.len() * rows);
        Rows { names, values }
    }

    pub fn push(&mut self, value: Value) {
        self.values.push(value);
    }

    pub fn len(&self) -> usize {
        self.values.len().checked_div(self.names.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Each row, read as a row of `table` (the table named when a value is corrupt).
    pub fn read(&mut self, table: &'static str) -> impl Iterator<Item = Row<'_>> {
        let names = &self.names[..];
        let width = names.len().max(1);
        self.values.chunks_exact_mut(width).map(move |values| Row { table, key: Key::Unknown, names, values, next: 0 })
    }

    /// The first row, if any.
    pub fn first(&mut self, table: &'static str) -> Option<Row<'_>> {
        self.read(table).next()
    }
}

/// How a corrupt row is named: by its id once read, or by a composite key.
#[derive(Debug, Clone)]
enum Key {
    Unknown,
    Id(i64),
    Pair(i64, i64),
    Text(String),
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Unknown => f.write_str("?"),
            Key::Id(id) => write!(f, "{id}"),
            Key::Pair(a, b) => write!(f, "{a}/{b}"),
            Key::Text(t) => f.write_str(t),
        }
    }
}

/// One row, read left to right: each getter takes the next column. The column name a getter is given is
/// what errors report, and in debug builds it must be the name the statement gave the column, so a select
/// list and its mapping cannot drift apart unnoticed.
pub struct Row<'a> {
    table: &'static str,
    key: Key,
    names: &'a [String],
    values: &'a mut [Value],
    next: usize,
}

impl Row<'_> {
    fn take(&mut self, column: &'static str) -> Value {
        debug_assert_eq!(
            self.names.get(self.next).map(String::as_str),
            Some(column),
            "column {} of a {} row: the mapping expects `{column}`",
            self.next,
            self.table
        );
        let value = self.values.get_mut(self.next).map(std::mem::take);
        self.next += 1;
        value.unwrap_or(Value::Unreadable("a missing column"))
    }

    /// A corrupt-row error for this row.
    pub fn corrupt(&self, problem: impl Into<String>) -> StoreError {
        StoreError::corrupt(self.table, &self.key, problem)
    }

    fn wrong(&self, column: &str, expected: &str, found: &Value) -> StoreError {
        self.corrupt(format!("column {column}: expected {expected}, found {}", found.kind()))
    }

    /// From here on, errors are about a row of `table` with this id (a joined row's second table).
    pub fn now_reading(&mut self, table: &'static str, id: i64) {
        self.table = table;
        self.key = Key::Id(id);
    }

    /// Names the row by a two-part key (e.g. a service and an add-on's position).
    pub fn name_by_pair(&mut self, table: &'static str, a: i64, b: i64) {
        self.table = table;
        self.key = Key::Pair(a, b);
    }

    /// Names the row by a key that is not one integer (e.g. a therapist and a date).
    pub fn name_by(&mut self, table: &'static str, key: String) {
        self.table = table;
        self.key = Key::Text(key);
    }

    /// Continues at column `index` (0-based), e.g. past the columns of a joined parent already read.
    pub fn seek(&mut self, index: usize) {
        self.next = index;
    }

    /// Whether the next column is NULL (a left join that found nothing), without taking it.
    pub fn next_is_null(&self) -> bool {
        matches!(self.values.get(self.next), Some(Value::Null) | None)
    }

    /// The row's id: an integer, which also names the row in any error that follows.
    pub fn id(&mut self, column: &'static str) -> StoreResult<i64> {
        let id = self.int(column)?;
        self.key = Key::Id(id);
        Ok(id)
    }

    pub fn int(&mut self, column: &'static str) -> StoreResult<i64> {
        match self.take(column) {
            Value::Int(v) => Ok(v),
            other => Err(self.wrong(column, "an integer", &other)),
        }
    }

    pub fn opt_int(&mut self, column: &'static str) -> StoreResult<Option<i64>> {
        match self.take(column) {
            Value::Null => Ok(None),
            Value::Int(v) => Ok(Some(v)),
            other => Err(self.wrong(column, "an integer or null", &other)),
        }
    }

    pub fn float(&mut self, column: &'static str) -> StoreResult<f64> {
        match self.take(column) {
            Value::Float(v) => Ok(v),
            // SQLite keeps a whole number written to a REAL column as REAL, but an expression may yield one.
            Value::Int(v) => Ok(v as f64),
            other => Err(self.wrong(column, "a real number", &other)),
        }
    }

    pub fn opt_float(&mut self, column: &'static str) -> StoreResult<Option<f64>> {
        match self.take(column) {
            Value::Null => Ok(None),
            Value::Float(v) => Ok(Some(v)),
            Value::Int(v) => Ok(Some(v as f64)),
            other => Err(self.wrong(column, "a real number or null", &other)),
        }
    }

    pub fn text(&mut self, column: &'static str) -> StoreResult<String> {
        match self.take(column) {
            Value::Text(v) => Ok(v),
            other => Err(self.wrong(column, "text", &other)),
        }
    }

    pub fn opt_text(&mut self, column: &'static str) -> StoreResult<Option<String>> {
        match self.take(column) {
            Value::Null => Ok(None),
            Value::Text(v) => Ok(Some(v)),
            other => Err(self.wrong(column, "text or null", &other)),
        }
    }

    /// A boolean: PostgreSQL's, or SQLite's integer 0 or 1.
    pub fn bool(&mut self, column: &'static str) -> StoreResult<bool> {
        match self.take(column) {
            Value::Bool(v) => Ok(v),
            Value::Int(0) => Ok(false),
            Value::Int(1) => Ok(true),
            Value::Int(_) => Err(self.corrupt(format!("column {column}: expected 0 or 1, found another integer"))),
            other => Err(self.wrong(column, "a boolean", &other)),
        }
    }

    /// An instant: PostgreSQL's timestamptz, or SQLite's integer microseconds since the epoch (UTC).
    pub fn time(&mut self, column: &'static str) -> StoreResult<Timestamp> {
        match self.take(column) {
            Value::Time(v) => Ok(v),
            Value::Int(micros) => Timestamp::from_microsecond(micros)
                .map_err(|_| self.corrupt(format!("column {column}: a timestamp out of range"))),
            other => Err(self.wrong(column, "a timestamp", &other)),
        }
    }

    /// An instant or NULL.
    pub fn opt_time(&mut self, column: &'static str) -> StoreResult<Option<Timestamp>> {
        if self.next_is_null() {
            self.take(column);
            return Ok(None);
        }
        self.time(column).map(Some)
    }

    /// A date: PostgreSQL's, or SQLite's text `YYYY-MM-DD`.
    pub fn date(&mut self, column: &'static str) -> StoreResult<Date> {
        match self.take(column) {
            Value::Date(v) => Ok(v),
            Value::Text(text) => {
                text.parse().map_err(|_| self.corrupt(format!("column {column}: not a YYYY-MM-DD date")))
            }
            other => Err(self.wrong(column, "a date", &other)),
        }
    }

    /// A date or NULL.
    pub fn opt_date(&mut self, column: &'static str) -> StoreResult<Option<Date>> {
        if self.next_is_null() {
            self.take(column);
            return Ok(None);
        }
        self.date(column).map(Some)
    }

    /// JSON text read as `T`; `what` describes `T` for the error ("a list of labels").
    pub fn json<T: DeserializeOwned>(&mut self, column: &'static str, what: &str) -> StoreResult<T> {
        match self.take(column) {
            // serde's own message can quote the value, so only its category and position are kept.
            Value::Text(text) => serde_json::from_str(&text).map_err(|e| {
                self.corrupt(format!(
                    "column {column}: not {what} ({:?} error at line {}, column {})",
                    e.classify(),
                    e.line(),
                    e.column()
                ))
            }),
            other => Err(self.wrong(column, "JSON", &other)),
        }
    }

    /// Text that must parse as a domain value; `what` describes it for the error ("an email address").
    pub fn parsed<T>(
        &mut self,
        column: &'static str,
        what: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> StoreResult<T> {
        let text = self.text(column)?;
        parse(&text).ok_or_else(|| self.corrupt(format!("column {column}: not {what}")))
    }

    /// Text that must parse as a domain value, or NULL.
    pub fn opt_parsed<T>(
        &mut self,
        column: &'static str,
        what: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> StoreResult<Option<T>> {
        match self.opt_text(column)? {
            None => Ok(None),
            Some(text) => parse(&text).map(Some).ok_or_else(|| self.corrupt(format!("column {column}: not {what}"))),
        }
    }

    /// An integer that must fit `T` (e.g. a weekday in an `i8`).
    pub fn small<T: TryFrom<i64>>(&mut self, column: &'static str) -> StoreResult<T> {
        let v = self.int(column)?;
        T::try_from(v).map_err(|_| self.corrupt(format!("column {column}: an integer out of range")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(names: &[&str], values: Vec<Value>) -> Rows {
        let mut rows = Rows::new(names.iter().map(|n| n.to_string()).collect(), 1);
        values.into_iter().for_each(|v| rows.push(v));
        rows
    }

    fn corrupt_problem(e: StoreError) -> (String, String, String) {
        match e {
            StoreError::Corrupt { table, id, problem } => (table.to_string(), id, problem),
            other => panic!("expected a corrupt row, got {other:?}"),
        }
    }

    #[test]
    fn a_flat_result_set_reads_row_by_row() {
        let mut r = rows(&["id", "name"], vec![Value::Int(1), Value::Text("a".into()), Value::Int(2), Value::Null]);
        assert_eq!(r.len(), 2);
        let read: Vec<_> = r.read("t").map(|mut row| (row.id("id").unwrap(), row.opt_text("name").unwrap())).collect();
        assert_eq!(read, [(1, Some("a".to_string())), (2, None)]);
    }

    #[test]
    fn sqlite_integers_read_as_booleans_and_timestamps() {
        let mut r = rows(&["archived", "created_at"], vec![Value::Int(1), Value::Int(1_700_000_000_000_000)]);
        let mut row = r.first("t").unwrap();
        assert!(row.bool("archived").unwrap());
        assert_eq!(row.time("created_at").unwrap().as_second(), 1_700_000_000);
    }

    #[test]
    fn a_wrong_value_is_a_corrupt_row_named_by_table_id_and_column_without_its_contents() {
        let mut r = rows(&["id", "role"], vec![Value::Int(7), Value::Text("superuser-secret".into())]);
        let mut row = r.first("users").unwrap();
        row.id("id").unwrap();
        let e = row.parsed("role", "a known role", |_| None::<()>).unwrap_err();
        let (table, id, problem) = corrupt_problem(e);
        assert_eq!((table.as_str(), id.as_str()), ("users", "7"));
        assert_eq!(problem, "column role: not a known role");

        let mut r = rows(&["id", "created_at"], vec![Value::Int(8), Value::Int(i64::MAX)]);
        let mut row = r.first("articles").unwrap();
        row.id("id").unwrap();
        let (_, id, problem) = corrupt_problem(row.time("created_at").unwrap_err());
        assert_eq!((id.as_str(), problem.as_str()), ("8", "column created_at: a timestamp out of range"));
    }

    #[test]
    fn bad_json_reports_where_not_what() {
        let mut r = rows(&["id", "labels"], vec![Value::Int(3), Value::Text(r#"["ok", {"private": "x"}]"#.into())]);
        let mut row = r.first("therapists").unwrap();
        row.id("id").unwrap();
        let (_, _, problem) = corrupt_problem(row.json::<Vec<String>>("labels", "a list of labels").unwrap_err());
        assert!(problem.starts_with("column labels: not a list of labels (Data error at line 1"), "{problem}");
        assert!(!problem.contains("private"), "{problem}");
    }

    #[test]
    fn null_where_a_value_is_required_is_corrupt_not_a_default() {
        let mut r = rows(&["id", "price_cents"], vec![Value::Int(4), Value::Null]);
        let mut row = r.first("services").unwrap();
        row.id("id").unwrap();
        let (_, _, problem) = corrupt_problem(row.int("price_cents").unwrap_err());
        assert_eq!(problem, "column price_cents: expected an integer, found null");
    }

    #[test]
    fn an_optional_instant_is_null_or_a_readable_time() {
        let mut r =
            rows(&["used_at", "revoked_at", "seen_at"], vec![Value::Null, Value::Int(1_000_000), Value::Bool(true)]);
        let mut row = r.first("api_tokens").unwrap();
        assert_eq!(row.opt_time("used_at").unwrap(), None);
        assert_eq!(row.opt_time("revoked_at").unwrap().map(|t| t.as_second()), Some(1));
        let (_, _, problem) = corrupt_problem(row.opt_time("seen_at").unwrap_err());
        assert_eq!(problem, "column seen_at: expected a timestamp, found a boolean");
    }

    #[test]
    fn booleans_are_only_zero_or_one() {
        let mut r = rows(&["active"], vec![Value::Int(2)]);
        assert!(r.first("visits").unwrap().bool("active").is_err());
    }
}
