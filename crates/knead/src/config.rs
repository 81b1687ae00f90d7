//! Configuration: flags, then `KNEAD_...` variables (both through clap), then the optional TOML
//! file, then defaults.

use crate::cli::{Cli, Command};
use anyhow::{Context, Result};
use knead_core::SessionPolicy;
use serde::Deserialize;

/// Keys the config file may hold; unknown keys are refused so a typo is not silently ignored.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    addr: Option<String>,
    practice_name: Option<String>,
    secure_cookies: Option<bool>,
    login_attempts_per_minute: Option<u32>,
    served_over_tls: Option<bool>,
    staff_idle_minutes: Option<i64>,
    staff_session_hours: Option<i64>,
    client_session_hours: Option<i64>,
    log: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub addr: String,
    pub web: knead_web::WebConfig,
    /// How long browser sessions last, by role.
    pub sessions: SessionPolicy,
    pub log: String,
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://knead.db";
pub const DEMO_DATABASE_URL: &str = "sqlite://knead-demo.db";
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

impl Config {
    pub fn load(cli: &Cli) -> Result<Config> {
        let file = match &cli.config {
            Some(path) => {
                let text =
                    std::fs::read_to_string(path).with_context(|| format!("reading config file {}", path.display()))?;
                toml::from_str::<FileConfig>(&text).with_context(|| format!("in config file {}", path.display()))?
            }
            None => FileConfig::default(),
        };
        let serve = match &cli.command {
            Command::Serve(args) => Some(args),
            _ => None,
        };
        let demo = serve.is_some_and(|s| s.demo);
        let default_db = if demo { DEMO_DATABASE_URL } else { DEFAULT_DATABASE_URL };
        let database_url = cli.database_url.clone().or(file.database_url).unwrap_or_else(|| default_db.to_string());
        let addr = serve.and_then(|s| s.addr.clone()).or(file.addr).unwrap_or_else(|| DEFAULT_ADDR.to_string());
        let defaults = knead_web::WebConfig::default();
        let practice_name = serve.and_then(|s| s.practice_name.clone()).or(file.practice_name).unwrap_or_else(|| {
            if demo {
                "Lakeshore Mobile Spa".to_string()
            } else {
                defaults.practice_name.clone()
            }
        });
        let secure_cookies =
            if serve.is_some_and(|s| s.insecure_cookies) { false } else { file.secure_cookies.unwrap_or(true) };
        let log = std::env::var("KNEAD_LOG").ok().or(file.log).unwrap_or_else(|| "info,sqlx=warn".to_string());
        let default_sessions = SessionPolicy::default();
        let sessions = SessionPolicy {
            staff_idle_minutes: file.staff_idle_minutes.unwrap_or(default_sessions.staff_idle_minutes),
            staff_hours: file.staff_session_hours.unwrap_or(default_sessions.staff_hours),
            client_hours: file.client_session_hours.unwrap_or(default_sessions.client_hours),
        };
        sessions.validate().map_err(|e| anyhow::anyhow!("session settings in the config file: {e}"))?;
        Ok(Config {
            database_url,
            addr,
            web: knead_web::WebConfig {
                practice_name,
                secure_cookies,
                login_attempts_per_minute: file.login_attempts_per_minute.unwrap_or(defaults.login_attempts_per_minute),
                served_over_tls: file.served_over_tls.unwrap_or(defaults.served_over_tls),
            },
            sessions,
            log,
        })
    }
}
