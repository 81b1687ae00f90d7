//! The command line, as clap sees it. Every value can also come from a `KNEAD_...` variable or the config file.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "knead", version, about = "knead runs a massage therapy practice: booking site, catalog, accounts.")]
pub struct Cli {
    /// Database: `sqlite://knead.db` (default; created on first run) or `postgres://user@host/db`.
    #[arg(long, global = true, env = "KNEAD_DATABASE_URL")]
    pub database_url: Option<String>,

    /// A TOML config file (keys: database_url, addr, practice_name, secure_cookies, login_attempts_per_minute,
    /// served_over_tls, staff_idle_minutes, staff_session_hours, client_session_hours, header_read_timeout_secs,
    /// max_connections_per_client, max_connections, log, osrm_url, geocoder_url).
    #[arg(long, global = true, env = "KNEAD_CONFIG")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web pages and the API (migrates the database first).
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Load a fictional demo practice: the small one (skipped if the database already has a catalog) or, with
    /// `--scale metro`, a large one for benchmarks (skipped if already loaded).
    Demo(DemoArgs),
    /// Measure how fast knead answers, on the metro demo practice.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage personal access tokens for the API.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Addresses and roads from OpenStreetMap, kept on this server.
    #[command(subcommand)]
    Places(PlacesCommand),
    /// The audit log of every read and change of health information.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Outcome instruments loaded from definition files (ODI, RMDQ... for a clinic holding their licence).
    #[command(subcommand)]
    Instruments(InstrumentsCommand),
    /// Day planning: show a day's routes and the optimizer's re-plan of it, and apply it.
    #[command(subcommand)]
    Dispatch(DispatchCommand),
}

#[derive(Debug, Subcommand)]
pub enum DispatchCommand {
    /// Prints the day's routes (each therapist's visits and driving) and what the optimizer would change;
    /// with `--apply --as EMAIL` writes the change, all of it or none, and tells each client.
    Plan(DispatchPlanArgs),
}

#[derive(Debug, Args)]
pub struct DispatchPlanArgs {
    /// The practice's local date, YYYY-MM-DD.
    pub date: String,
    /// Write the proposed change.
    #[arg(long, requires = "as_manager")]
    pub apply: bool,
    /// The manager the change is recorded as made by (their login's email).
    #[arg(long = "as", value_name = "EMAIL", id = "as_manager")]
    pub as_manager: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum InstrumentsCommand {
    /// Load an instrument definition file (JSON: key, name, copyright, items with their answers' scores,
    /// scoring rule, important change) into the database, replacing one of the same key. Prints what was
    /// loaded; a file that breaks a rule exits non-zero naming the field.
    Load(InstrumentsLoadArgs),
}

#[derive(Debug, Args)]
pub struct InstrumentsLoadArgs {
    /// The definition file, e.g. `odi.json`.
    pub file: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the log's hash chain and the signed notes: exits 0 printing how many entries and notes there
    /// are, or non-zero naming the first entry that was edited or follows a removed one, and every signed
    /// note edited since its signing or deleted.
    Verify,
    /// Write the whole log as CSV, oldest first (the export is itself recorded in the log).
    Export(AuditExportArgs),
}

#[derive(Debug, Args)]
pub struct AuditExportArgs {
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080; port 0 picks a free port).
    #[arg(long, env = "KNEAD_ADDR")]
    pub addr: Option<String>,
    /// Load the demo practice first and print its logins. Without --database-url this uses `knead-demo.db`.
    #[arg(long)]
    pub demo: bool,
    /// The practice's name, shown on every page.
    #[arg(long, env = "KNEAD_PRACTICE_NAME")]
    pub practice_name: Option<String>,
    /// Send the session cookie without `Secure` (only for plain-HTTP hosts other than localhost).
    #[arg(long, env = "KNEAD_INSECURE_COOKIES")]
    pub insecure_cookies: bool,
    /// Seconds a client has to send a request's headers before its connection is closed (default 10; 1 to 300).
    #[arg(long, env = "KNEAD_HEADER_READ_TIMEOUT_SECS")]
    pub header_read_timeout_secs: Option<u64>,
    /// Connections one client address (an IPv6 /64) may hold at once (default 64); more are closed unread.
    /// Behind a reverse proxy every connection comes from the proxy: allow it at least its pool size.
    #[arg(long, env = "KNEAD_MAX_CONNECTIONS_PER_CLIENT")]
    pub max_connections_per_client: Option<usize>,
    /// Connections held at once in all (default: as many as the open-files limit leaves room for).
    #[arg(long, env = "KNEAD_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
    /// An OSRM server (such as http://127.0.0.1:5000) for road travel times; without one, drives are estimated
    /// from straight lines. A changed URL takes effect at the next start.
    #[arg(long, env = "KNEAD_OSRM_URL")]
    pub osrm_url: Option<String>,
    /// A Nominatim-compatible geocoder (such as http://127.0.0.1:8088) to look addresses up in, instead of the
    /// addresses imported with `knead places import`. What clients type is then sent to it.
    #[arg(long, env = "KNEAD_GEOCODER_URL")]
    pub geocoder_url: Option<String>,
    /// A mail server for confirmations and reminders: smtp://[user:password@]host[:port] (STARTTLS when the
    /// server offers it) or smtps://... Without one, messages wait in the manager's outbox.
    #[arg(long, env = "KNEAD_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// Who messages come from: an address, or "Name <address>" (default: the practice's name at noreply@
    /// the public URL's host).
    #[arg(long, env = "KNEAD_SMTP_FROM")]
    pub smtp_from: Option<String>,
    /// Where clients reach this server, for the links in messages and feeds, e.g. https://spa.example
    /// (default: http:// and the address it listens on).
    #[arg(long, env = "KNEAD_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Seconds a server holds a message job it took before another server may take it up (default 120).
    #[arg(long, env = "KNEAD_JOB_LEASE_SECS")]
    pub job_lease_secs: Option<u64>,
    /// Seconds before a failed send is first tried again; each later wait is four times longer (default 60).
    #[arg(long, env = "KNEAD_JOB_RETRY_SECS")]
    pub job_retry_secs: Option<u64>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// `small`: the demo practice (four therapists, articles, logins). `metro`: a large practice for
    /// benchmarks, 200 therapists in a 40 x 40 km city with about five booked visits each for 14 days.
    #[arg(long, value_enum, default_value_t = DemoScale::Small)]
    pub scale: DemoScale,
    /// Seed for the metro practice's bases, places and times; the same seed gives the same practice.
    #[arg(long, default_value_t = knead_demo::metro::DEFAULT_SEED)]
    pub seed: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DemoScale {
    Small,
    Metro,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Time availability searches (14 days from tomorrow, all therapists) through the code the API runs:
    /// store reads and the engine. Uses the metro practice in the database; when the database has none, builds
    /// one in a temporary SQLite file (nothing is loaded into the given database, and a missing SQLite file is not created).
    Availability(BenchAvailabilityArgs),
    /// Load-test booking over HTTP: serves the metro practice on loopback with knead's own server and settings,
    /// has `--clients` clients post bookings for distinct therapist-days as fast as they can (bookings/s, p50,
    /// p99, answers by status), then times the first availability search after each of `--first-searches`
    /// bookings. Writes fictional bookings into the database's metro practice; when the database has none,
    /// builds one in a temporary SQLite file (nothing is loaded into the given database).
    Bookings(BenchBookingsArgs),
    /// Solve Solomon VRPTW instances (the original text format) with knead's optimizer on one thread under the
    /// DIMACS convention (arcs truncated to a tenth, distance only, vehicles free up to the instance's count),
    /// check each result independently, and print vehicles, distance and the gap to the best-known distance.
    Vrptw(BenchVrptwArgs),
}

#[derive(Debug, Args)]
pub struct BenchVrptwArgs {
    /// Directory of Solomon `.txt` instances; best-known distances are read from `bks.csv` in it or its parent.
    pub dir: PathBuf,
    /// Search time per instance, in seconds.
    #[arg(long, default_value_t = 1.0)]
    pub seconds: f64,
    /// Directory to write each solution to, as `NAME.sol` (created if missing).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Seed of the search; the same seed and iteration count give the same plans.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Debug, Clone, Args)]
pub struct BenchBookingsArgs {
    /// Clients posting bookings at once, each sending its next one the moment it has an answer.
    #[arg(long, default_value_t = 16)]
    pub clients: usize,
    /// Bookings to time, each on a different therapist-day (fewer when fewer days have a free start).
    #[arg(long, default_value_t = 2000)]
    pub bookings: usize,
    /// How many times to book one visit and then time the next availability search (the first after it).
    #[arg(long, default_value_t = 30)]
    pub first_searches: usize,
    /// Seed for the order of therapist-days, the visits' places and the search places.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct BenchAvailabilityArgs {
    /// How many searches to time, each at a different random place in the city.
    #[arg(long, default_value_t = 200)]
    pub searches: usize,
    /// Searches in flight at once, as tasks on the multi-thread runtime (as the server runs requests).
    #[arg(long, default_value_t = 1)]
    pub concurrency: usize,
    /// Seed for the search places.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Price drives with road times from this OSRM server (which must cover the metro's city), and time each
    /// place's first search (the cache cold) and its second (warm) separately.
    #[arg(long)]
    pub osrm_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password comes from --password or the first line of standard input.
    Create(UserCreateArgs),
    /// Remove a user's second factor (when their phone and recovery codes are lost); a manager sets up a
    /// new one at their next sign-in.
    ResetSecondFactor(SecondFactorResetArgs),
}

#[derive(Debug, Args)]
pub struct SecondFactorResetArgs {
    #[arg(long)]
    pub email: String,
}

#[derive(Debug, Args)]
pub struct UserCreateArgs {
    /// client, therapist or manager.
    #[arg(long)]
    pub role: String,
    #[arg(long)]
    pub email: String,
    /// Display name (defaults to the part of the email before the @).
    #[arg(long)]
    pub name: Option<String>,
    /// At least 10 characters. Prefer standard input: a flag shows in the process list.
    #[arg(long)]
    pub password: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a personal access token for a user and print it (once).
    Create(TokenCreateArgs),
    /// List a user's live tokens: id, label, created, expires, last used (never the tokens themselves).
    List(TokenListArgs),
    /// Revoke one of a user's tokens (--id), or all of them.
    Revoke(TokenRevokeArgs),
}

#[derive(Debug, Args)]
pub struct TokenListArgs {
    #[arg(long)]
    pub email: String,
}

#[derive(Debug, Args)]
pub struct TokenRevokeArgs {
    #[arg(long)]
    pub email: String,
    /// The token to revoke, as `knead token list` shows it; without it, every live token of the user.
    #[arg(long)]
    pub id: Option<i64>,
}

#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    #[arg(long)]
    pub email: String,
    /// A label to recognise the token by.
    #[arg(long, default_value = "cli")]
    pub name: String,
    /// Days until the token expires (1 to 366).
    #[arg(long, default_value_t = knead_app::accounts::DEFAULT_TOKEN_DAYS)]
    pub days: i64,
}

#[derive(Debug, Subcommand)]
pub enum PlacesCommand {
    /// Import an OpenStreetMap extract (a region's `.osm.pbf` file, as the usual extract sites publish it):
    /// keeps the addresses inside the practice's service area and the roads around them, replacing what an
    /// earlier import kept. Nothing changes when the file cannot be read.
    Import(PlacesImportArgs),
}

#[derive(Debug, Args)]
pub struct PlacesImportArgs {
    /// The extract, e.g. `ontario-latest.osm.pbf`.
    pub file: PathBuf,
    /// Keep every address in the extract, not only those inside the service area.
    #[arg(long)]
    pub whole_extract: bool,
}
