//! The `knead` command: serve the practice, migrate, load demo data, create users and tokens, benchmark.

mod bench;
mod cli;
mod config;
mod store;

use anyhow::{bail, Context, Result};
use clap::Parser;
use cli::{BenchCommand, Cli, Command, DemoScale, TokenCommand, UserCommand};
use config::Config;
use knead_core::{NewUser, Password};
use std::io::{BufRead, IsTerminal, Write};
use std::net::SocketAddr;

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
            let store = store::open(&config.database_url).await?;
            let password = match args.password {
                Some(p) => p,
                None => read_password_from_stdin()?,
            };
            let name = args.name.unwrap_or_else(|| args.email.split('@').next().unwrap_or("").to_string());
            let new = NewUser::parse(&args.email, &name, &args.role).map_err(|e| anyhow::anyhow!("{e}"))?;
            let password =
                Password::parse_new("password", &password).map_err(|e| anyhow::anyhow!("{}: {}", e.field, e.detail))?;
            let hash = tokio::task::spawn_blocking(move || knead_web::hash_password(password.expose())).await?;
            let user = store.create_user(&new, &hash, jiff::Timestamp::now()).await.map_err(|e| match e {
                knead_store::StoreError::Conflict { .. } => anyhow::anyhow!("a user with that email already exists"),
                other => anyhow::anyhow!(other),
            })?;
            println!("Created {} user #{} ({}).", user.role.as_str(), user.id.0, user.email.as_str());
            Ok(())
        }
        Command::Token(TokenCommand::Create(args)) => {
            let store = store::open(&config.database_url).await?;
            let email = knead_core::Email::parse("email", &args.email)
                .map_err(|e| anyhow::anyhow!("{}: {}", e.field, e.detail))?;
            let Some((user, _)) = store.credentials_by_email(&email).await? else {
                bail!("no user has the email {}", email.as_str());
            };
            let token = knead_web::new_api_token();
            store
                .create_api_token(user.id, &args.name, &knead_web::secret_hash(&token), jiff::Timestamp::now())
                .await?;
            eprintln!(
                "Token for {} ({}); it is shown only once. Send it as `Authorization: Bearer <token>`.",
                email.as_str(),
                user.role.as_str()
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
    let hash = |p: &str| knead_web::hash_password(p);
    let report = knead_demo::load(store, &hash, jiff::Timestamp::now()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
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
    let hash = |p: &str| knead_web::hash_password(p);
    let report = metro::load(store, &hash, jiff::Timestamp::now(), seed).await.map_err(|e| anyhow::anyhow!("{e}"))?;
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
    let state = knead_web::AppState::new(store.clone(), config.web.clone());
    tokio::spawn(knead_web::auth::sweep_sessions(state.clone()));
    let app = knead_web::router(state);
    let listener = tokio::net::TcpListener::bind(&config.addr)
        .await
        .with_context(|| format!("could not listen on {}", config.addr))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, backend = store.backend(), "serving");
    println!("knead is serving {} on http://{addr} ({} database)", config.web.practice_name, store.backend());
    std::io::stdout().flush().ok();
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
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
