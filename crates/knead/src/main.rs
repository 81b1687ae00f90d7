//! The `knead` command: serve the practice, migrate, load demo data, create users and tokens, import places,
//! benchmark.
//!
//! It wires the pieces together: a store adapter chosen by the database URL, the application (`knead-app`)
//! over it, and the web layer's router over that. It reaches knead-web only through `router`, `AppState`
//! and `WebConfig`.

// What the commands print is their interface.
#![allow(clippy::print_stdout)]

mod account_commands;
mod admission;
mod audit_commands;
mod bench;
mod bench_bookings;
mod bench_vrptw;
mod cli;
mod config;
mod dispatch_commands;
mod open_files;
mod place_commands;
mod records_commands;
mod serve;
mod store;

use anyhow::{Context, Result};
use clap::Parser;
use cli::{BenchCommand, Cli, Command, DemoScale};
use config::Config;
use knead_app::notify;
use knead_app::{accounts, App};
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

fn main() -> Result<()> {
    let cli = Cli::parse();
    let config = Config::load(&cli)?;
    // `bench bookings` runs the server in this process: a log line per booking would bury its progress bar.
    let log = match &cli.command {
        Command::Bench(BenchCommand::Bookings(_)) if std::env::var_os("KNEAD_LOG").is_none() => {
            bench_bookings::LOG_FILTER
        }
        _ => config.log.as_str(),
    };
    init_logging(log);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(cli, config))
}

fn init_logging(filter: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).init();
}

async fn run(cli: Cli, config: Config) -> Result<()> {
    match cli.command {
        Command::Serve(args) => serve(config, args.demo).await,
        Command::Migrate => {
            let store = store::open(&config.database_url).await?;
            println!("Migrated the {} database at {}.", store.backend(), store::display_url(&config.database_url));
            Ok(())
        }
        Command::Demo(args) => {
            let store = store::open(&config.database_url).await?;
            match args.scale {
                DemoScale::Small => load_demo(&*store).await,
                DemoScale::Metro => load_metro(&*store, args.seed).await,
            }
        }
        Command::Bench(BenchCommand::Availability(args)) => bench::availability(&config.database_url, &args).await,
        Command::Bench(BenchCommand::Bookings(args)) => bench_bookings::bookings(&config, &args).await,
        Command::Bench(BenchCommand::Vrptw(args)) => bench_vrptw::vrptw(&args),
        Command::User(command) => {
            let app = App::new(store::open(&config.database_url).await?);
            account_commands::user(&app, command).await
        }
        Command::Token(command) => {
            let app = App::new(store::open(&config.database_url).await?);
            account_commands::token(&app, command).await
        }
        Command::Places(command) => place_commands::places(&config.database_url, command).await,
        Command::Audit(command) => {
            let app = App::new(store::open(&config.database_url).await?);
            audit_commands::audit(&app, command).await
        }
        Command::Instruments(command) => {
            let app = App::new(store::open(&config.database_url).await?);
            records_commands::instruments(&app, command).await
        }
        Command::Dispatch(command) => {
            let app = App::new(store::open(&config.database_url).await?);
            dispatch_commands::dispatch(&app, command).await
        }
    }
}

async fn load_demo(store: &dyn knead_store::Store) -> Result<()> {
    let report = knead_demo::load(store, &accounts::hash_password, jiff::Timestamp::now())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if report.skipped {
        println!("The database already has a catalog; demo data was not loaded again.");
    } else {
        println!(
            "Loaded the demo practice: {} services, {} therapists, {} articles, {} users.",
            report.services, report.therapists, report.articles, report.users
        );
    }
    let clients = knead_demo::load_clients(store, jiff::Timestamp::now()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    if !clients.skipped {
        println!("Added {} fictional clients with {} upcoming visits.", clients.clients, clients.bookings);
    }
    let day = knead_demo::load_day(store, jiff::Timestamp::now()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    if day > 0 {
        println!("Added a day of {day} home visits to plan on the dispatch board.");
    }
    load_demo_map(store).await?;
    println!("Demo logins (fictional people):");
    for login in knead_demo::logins() {
        println!("  {:<9} {:<28} password: {}", login.role.as_str(), login.email, login.password);
    }
    Ok(())
}

/// The demo's map, unless the practice already has addresses: its clients type addresses, never coordinates.
async fn load_demo_map(store: &dyn knead_store::Store) -> Result<()> {
    if store.places_generation().await? > 0 {
        return Ok(());
    }
    let area = store.practice_settings().await?.service_area;
    let extract = knead_places::extract::read_extract(knead_demo::MAP_EXTRACT, &|p| area.contains(p), &mut |_| {})?;
    store.replace_places(&extract.addresses, &extract.roads, jiff::Timestamp::now()).await?;
    println!(
        "Loaded the demo's map: {} addresses and {} roads of central Helsinki.",
        extract.addresses.len(),
        extract.roads.len()
    );
    Ok(())
}

async fn load_metro(store: &dyn knead_store::Store, seed: u64) -> Result<()> {
    use knead_demo::metro;
    println!(
        "Loading the metro practice: {} therapists, about {} visits a day each for {} days (seed {seed})...",
        metro::THERAPISTS,
        metro::VISITS_PER_DAY,
        metro::DAYS
    );
    std::io::stdout().flush().ok();
    let started = std::time::Instant::now();
    let report = metro::load(store, &accounts::hash_password, jiff::Timestamp::now(), seed)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if report.skipped {
        println!("The database already has the metro practice; nothing was loaded.");
        return Ok(());
    }
    println!(
        "Loaded the metro practice in {:.1} s: {} services, {} therapists, {} bookings over {} therapist-days ({:.2} a day) from {}.",
        started.elapsed().as_secs_f64(),
        report.services,
        report.therapists,
        report.bookings,
        report.therapist_days,
        report.bookings as f64 / report.therapist_days.max(1) as f64,
        report.first_day.map(|d| d.to_string()).unwrap_or_default(),
    );
    if report.refused > 0 {
        println!("  {} planned visits were refused by the store's re-check.", report.refused);
    }
    println!("Metro manager login (fictional): {}  password: {}", metro::MANAGER_EMAIL, metro::MANAGER_PASSWORD);
    Ok(())
}

async fn serve(config: Config, demo: bool) -> Result<()> {
    let limits = serve::Limits::within_open_files(&config.connections)?;
    let store = store::open(&config.database_url).await?;
    if demo {
        load_demo(&*store).await?;
    }
    let app = Arc::new(configured_app(&config, store.clone())?);
    tokio::spawn(sweep_sessions(app.clone()));
    let listener = tokio::net::TcpListener::bind(&config.addr)
        .await
        .with_context(|| format!("could not listen on {}", config.addr))?;
    let addr = listener.local_addr()?;
    let public_url = config.mail.public_url.clone().unwrap_or_else(|| format!("http://{addr}"));
    let (stopping, stop) = tokio::sync::watch::channel(false);
    let runner = tokio::spawn(job_runner(app.clone(), &config, &public_url)?.run(async move {
        let mut stop = stop;
        let _ = stop.wait_for(|s| *s).await;
    }));
    // A province's addresses take seconds to load; build the index while the server starts answering.
    tokio::spawn({
        let app = app.clone();
        async move { app.warm_up_places().await }
    });
    let web = knead_web::WebConfig { public_url, ..config.web.clone() };
    let router = knead_web::router(knead_web::AppState::new(app, web));
    tracing::info!(
        %addr,
        backend = store.backend(),
        header_read_timeout_secs = limits.header_read_timeout.as_secs(),
        max_connections_per_client = limits.per_client,
        max_connections = limits.total,
        "serving"
    );
    println!("knead is serving {} on http://{addr} ({} database)", config.web.practice_name, store.backend());
    std::io::stdout().flush().ok();
    serve::run(listener, router, limits, async move {
        shutdown_signal().await;
        let _ = stopping.send(true);
    })
    .await;
    // A message being handed to the mail server is finished first, so it is not sent twice.
    let _ = runner.await;
    Ok(())
}

/// The application `knead serve` runs on `store`: the session policy, and the road router and geocoder when
/// configured. `knead bench bookings` serves the same one.
fn configured_app(config: &Config, store: knead_store::DynStore) -> Result<App> {
    let mut app = App::new(store).with_sessions(config.sessions);
    if let Some(url) = &config.osrm_url {
        let router = knead_places::osrm::OsrmRouter::new(url)?;
        tracing::info!(router = %knead_app::travel::RoadRouter::describe(&router), "road travel times from OSRM");
        app = app.with_road_router(Arc::new(router));
    }
    if let Some(url) = &config.geocoder_url {
        let geocoder = knead_places::nominatim::NominatimGeocoder::new(url)?;
        // The host only: a path or query could carry credentials.
        tracing::info!(host = geocoder.host(), "addresses are looked up by a geocoder service");
        app = app.with_geocoder(Arc::new(geocoder));
    }
    Ok(app)
}

/// This server's job runner: through the mail server when one is set, into the outbox otherwise.
fn job_runner(app: Arc<App>, config: &Config, public_url: &str) -> Result<notify::JobRunner> {
    let mut settings = notify::NotifyConfig::new(&config.web.practice_name, public_url);
    settings.lease = config.mail.job_lease;
    settings.retry_base = config.mail.job_retry;
    let mailer: Option<Arc<dyn notify::Mailer>> = match &config.mail.smtp_url {
        Some(url) => {
            let from = config.mail.smtp_from.clone().unwrap_or_else(|| format!("noreply@{}", settings.mail_domain));
            let mailer = knead_mail::SmtpMailer::new(url, &from, &config.web.practice_name)?;
            tracing::info!(server = mailer.server(), "messages go out through the mail server");
            Some(Arc::new(mailer))
        }
        None => {
            tracing::info!("no smtp_url: messages are filed in the outbox for the manager");
            None
        }
    };
    Ok(notify::JobRunner::new(app, mailer, settings))
}

/// How often expired sessions are swept.
const SWEEP_EVERY: Duration = Duration::from_secs(3600);

/// Removes expired sessions now and then; runs until the process ends.
async fn sweep_sessions(app: Arc<App>) {
    loop {
        tokio::time::sleep(SWEEP_EVERY).await;
        match accounts::sweep_expired_sessions(&app).await {
            Ok(n) => tracing::debug!(removed = n, "swept expired sessions"),
            Err(e) => tracing::warn!(error = %e, "could not sweep expired sessions"),
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down");
}
