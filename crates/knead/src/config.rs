//! Configuration: flags, then `KNEAD_...` variables (both through clap), then the optional TOML
//! file, then defaults.

use crate::cli::{Cli, Command};
use anyhow::{bail, Context, Result};
use knead_core::SessionPolicy;
use serde::Deserialize;
use std::time::Duration;

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
    header_read_timeout_secs: Option<u64>,
    max_connections_per_client: Option<usize>,
    max_connections: Option<usize>,
    log: Option<String>,
    osrm_url: Option<String>,
    geocoder_url: Option<String>,
    smtp_url: Option<String>,
    smtp_from: Option<String>,
    public_url: Option<String>,
    job_lease_secs: Option<u64>,
    job_retry_secs: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub addr: String,
    pub web: knead_web::WebConfig,
    /// How long browser sessions last, by role.
    pub sessions: SessionPolicy,
    pub connections: ConnectionSettings,
    pub log: String,
    /// An OSRM server for road travel times; straight lines when absent.
    pub osrm_url: Option<String>,
    /// A Nominatim-compatible geocoder; the embedded index of imported addresses when absent.
    pub geocoder_url: Option<String>,
    pub mail: MailSettings,
}

/// How messages go out (see `knead_app::notify`).
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// The mail server; without one, messages are filed in the outbox.
    pub smtp_url: Option<String>,
    pub smtp_from: Option<String>,
    /// Where clients reach the server; `None` until the listening address is known.
    pub public_url: Option<String>,
    pub job_lease: Duration,
    pub job_retry: Duration,
}

const JOB_LEASE_SECS: std::ops::RangeInclusive<u64> = 1..=3600;
const JOB_RETRY_SECS: std::ops::RangeInclusive<u64> = 1..=86_400;

/// How the server treats connections (see `serve`).
#[derive(Debug, Clone, Copy)]
pub struct ConnectionSettings {
    /// A connection whose request headers are not complete in this time is closed.
    pub header_read_timeout: Duration,
    /// Connections one client may hold at once.
    pub per_client: usize,
    /// Connections held at once in all; `None` derives it from the open-files limit.
    pub max_connections: Option<usize>,
}

pub const DEFAULT_HEADER_READ_TIMEOUT_SECS: u64 = 10;
/// Enough for a browser's parallel requests and a few people behind one shared address.
pub const DEFAULT_MAX_CONNECTIONS_PER_CLIENT: usize = 64;
const HEADER_READ_TIMEOUT_SECS: std::ops::RangeInclusive<u64> = 1..=300;

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
        let connections = ConnectionSettings::choose(serve, &file)?;
        let mail = MailSettings::choose(serve, &file)?;
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
        let osrm_url = serve.and_then(|s| s.osrm_url.clone()).or(file.osrm_url).filter(|url| !url.trim().is_empty());
        let geocoder_url =
            serve.and_then(|s| s.geocoder_url.clone()).or(file.geocoder_url).filter(|url| !url.trim().is_empty());
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
                public_url: defaults.public_url.clone(),
            },
            sessions,
            connections,
            log,
            osrm_url,
            geocoder_url,
            mail,
        })
    }
}

impl MailSettings {
    fn choose(serve: Option<&crate::cli::ServeArgs>, file: &FileConfig) -> Result<MailSettings> {
        let given = |flag: Option<&String>, file: &Option<String>| {
            flag.cloned().or_else(|| file.clone()).filter(|v| !v.trim().is_empty())
        };
        let seconds =
            |name: &str, flag: Option<u64>, file: Option<u64>, default: u64, range: std::ops::RangeInclusive<u64>| {
                let value = flag.or(file).unwrap_or(default);
                if !range.contains(&value) {
                    bail!("{name} is {value}; it must be from {} to {} seconds", range.start(), range.end());
                }
                Ok(Duration::from_secs(value))
            };
        let public_url = given(serve.and_then(|s| s.public_url.as_ref()), &file.public_url);
        if let Some(url) = &public_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                bail!("public_url is {url}; it must start with http:// or https://");
            }
        }
        Ok(MailSettings {
            smtp_url: given(serve.and_then(|s| s.smtp_url.as_ref()), &file.smtp_url),
            smtp_from: given(serve.and_then(|s| s.smtp_from.as_ref()), &file.smtp_from),
            public_url,
            job_lease: seconds(
                "job_lease_secs",
                serve.and_then(|s| s.job_lease_secs),
                file.job_lease_secs,
                120,
                JOB_LEASE_SECS,
            )?,
            job_retry: seconds(
                "job_retry_secs",
                serve.and_then(|s| s.job_retry_secs),
                file.job_retry_secs,
                60,
                JOB_RETRY_SECS,
            )?,
        })
    }
}

impl ConnectionSettings {
    fn choose(serve: Option<&crate::cli::ServeArgs>, file: &FileConfig) -> Result<ConnectionSettings> {
        let timeout_secs = serve
            .and_then(|s| s.header_read_timeout_secs)
            .or(file.header_read_timeout_secs)
            .unwrap_or(DEFAULT_HEADER_READ_TIMEOUT_SECS);
        if !HEADER_READ_TIMEOUT_SECS.contains(&timeout_secs) {
            bail!(
                "header_read_timeout_secs is {timeout_secs}; it must be from {} to {} seconds",
                HEADER_READ_TIMEOUT_SECS.start(),
                HEADER_READ_TIMEOUT_SECS.end()
            );
        }
        let per_client = serve
            .and_then(|s| s.max_connections_per_client)
            .or(file.max_connections_per_client)
            .unwrap_or(DEFAULT_MAX_CONNECTIONS_PER_CLIENT);
        if per_client == 0 {
            bail!("max_connections_per_client is 0; it must be at least 1");
        }
        let max_connections = serve.and_then(|s| s.max_connections).or(file.max_connections);
        if max_connections == Some(0) {
            bail!("max_connections is 0; it must be at least 1");
        }
        Ok(ConnectionSettings { header_read_timeout: Duration::from_secs(timeout_secs), per_client, max_connections })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn the_osrm_url_comes_from_the_flag_then_the_file() {
        let path = std::env::temp_dir().join(format!("knead-osrm-config-{}.toml", std::process::id()));
        std::fs::write(&path, "osrm_url = \"http://file.example:5000\"\n").unwrap();
        let file = path.to_str().unwrap();
        let load = |args: &[&str]| Config::load(&Cli::parse_from(args)).unwrap().osrm_url;
        assert_eq!(load(&["knead", "--config", file, "serve"]).as_deref(), Some("http://file.example:5000"));
        let flag = load(&["knead", "--config", file, "serve", "--osrm-url", "http://flag.example:5000"]);
        assert_eq!(flag.as_deref(), Some("http://flag.example:5000"));
        assert_eq!(load(&["knead", "serve"]), None, "straight lines unless a router is configured");
        std::fs::remove_file(&path).unwrap();
    }
}
