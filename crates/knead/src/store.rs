//! Opens the store a database URL names: PostgreSQL for `postgres://`, SQLite for anything else.

use anyhow::{Context, Result};
use knead_store::DynStore;
use std::sync::Arc;

pub async fn open(url: &str) -> Result<DynStore> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let store = knead_store_postgres::PostgresStore::connect(url)
            .await
            .with_context(|| format!("connecting to PostgreSQL at {}", display_url(url)))?;
        store.migrate().await.context("migrating the PostgreSQL database")?;
        Ok(Arc::new(store))
    } else {
        let url = if url.starts_with("sqlite:") { url.to_string() } else { format!("sqlite://{url}") };
        let store = knead_store_sqlite::SqliteStore::connect(&url)
            .await
            .with_context(|| format!("opening the SQLite database {url}"))?;
        store.migrate().await.context("migrating the SQLite database")?;
        Ok(Arc::new(store))
    }
}

/// The URL without its password, for messages.
pub fn display_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}
