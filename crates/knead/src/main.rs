//! The `knead` command: serve the practice, migrate, load demo data, create users and tokens, benchmark.
//!
//! It wires the pieces together: a store adapter chosen by the database URL, the application (`knead-app`)
//! over it, and the web layer's router over that. It reaches knead-web only through `router`, `AppState`
//! and `WebConfig`.

// What the commands print is their interface.
#![allow(clippy::print_stdout)]

mod bench;
mod cli;
mod config;
mod store;

use anyhow::{bail, Context, Result};
use clap::Parser;
use cli::{BenchCommand, Cli, Command, DemoScale, TokenCommand, UserCommand};
use config::Config;
use knead_app::{accounts, App};
use std::io::{BufRead, IsTerminal, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

fn main() -> Result<()> {
    let cli = Cli::parse();
    let config = Config::load(&cli)?;
    init_logging(&config.log);
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
        Command::User(UserCommand::Create(args)) => {
            let app = App::new(store::open(&config.database_url).await?);
            let password = match args.password {
                Some(p) => p,
                None => read_password_from_stdin()?,
            };
            let name = args.name.unwrap_or_else(|| args.email.split('@').next().unwrap_or("").to_string());
            let user =
                accounts::create_user(&app, &args.email, &name, &args.role, &password).await.map_err(|e| match e {
                    knead_app::AppError::Conflict { .. } => anyhow::anyhow!("a user with that email already exists"),
                    other => anyhow::anyhow!("{other}"),
                })?;
            println!("Created {} user #{} ({}).", user.role.as_str(), user.id.0, user.email.as_str());
            Ok(())
        }
        Command::Token(TokenCommand::Create(args)) => {
            let app = App::new(store::open(&config.database_url).await?);
            let (user, info, token) =
                accounts::create_api_token(&app, &args.email, &args.name, args.days).await.map_err(|e| match e {
                    knead_app::AppError::NotFound { .. } => {
                        anyhow::anyhow!("no user has the email {}", args.email.trim())
                    }
                    other => anyhow::anyhow!("{other}"),
                })?;
            eprintln!(
                "Token #{} for {} ({}), valid until {}; it is shown only once. Send it as `Authorization: Bearer <token>`.",
                info.id,
                user.email.as_str(),
                user.role.as_str(),
                info.expires_at
            );
            println!("{token}");
            Ok(())
        }
    }
}

/// The first line of standard input, without its line ending (so `echo pw | knead user create ...` works).
fn read_password_from_stdin() -> Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Password: ");
        std::io::stderr().flush().ok();
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line).context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\n', '\r']).to_string();
    if password.is_empty() {
        bail!("give a password with --password or on standard input");
    }
    Ok(password)
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
    println!("Demo logins (fictional people):");
    for login in knead_demo::logins() {
        println!("  {:<9} {:<28} password: {}", login.role.as_str(), login.email, login.password);
    }
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
    let store = store::open(&config.database_url).await?;
    if demo {
        load_demo(&*store).await?;
    }
    let app = Arc::new(App::new(store.clone()).with_sessions(config.sessions));
    tokio::spawn(sweep_sessions(app.clone()));
    let router = knead_web::router(knead_web::AppState::new(app, config.web.clone()));
    let listener = tokio::net::TcpListener::bind(&config.addr)
        .await
        .with_context(|| format!("could not listen on {}", config.addr))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, backend = store.backend(), "serving");
    println!("knead is serving {} on http://{addr} ({} database)", config.web.practice_name, store.backend());
    std::io::stdout().flush().ok();
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
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
