//! The storage error every port returns, small enough for callers to tell its cases apart.

/// What can go wrong in storage, as callers need to tell it apart.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken; `field` names the input field that must change (e.g. `slug`).
    #[error("{field} is already taken")]
    Conflict { field: &'static str },
    /// A stored row that cannot be read as the domain's type. Named by table and id so it can be found and
    /// mended; never silently replaced by a default. `problem` says what is wrong, never the row's contents.
    #[error("row {id} of {table} cannot be read: {problem}")]
    Corrupt { table: &'static str, id: String, problem: String },
    #[error("storage failure: {0}")]
    Other(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    pub fn other(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
        StoreError::Other(Box::new(e))
    }

    pub fn corrupt(table: &'static str, id: impl ToString, problem: impl Into<String>) -> StoreError {
        StoreError::Corrupt { table, id: id.to_string(), problem: problem.into() }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
