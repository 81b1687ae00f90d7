//! `knead user ...` and `knead token ...`: accounts from the command line, for the first manager, for API
//! clients, and for a manager who lost their authenticator.

use crate::cli::{SecondFactorResetArgs, TokenCommand, TokenCreateArgs, TokenListArgs, TokenRevokeArgs};
use crate::cli::{UserCommand, UserCreateArgs};
use anyhow::{anyhow, bail, Context, Result};
use knead_app::{accounts, App, AppError};
use knead_core::User;
use std::io::{BufRead, IsTerminal, Write};

pub async fn user(app: &App, command: UserCommand) -> Result<()> {
    match command {
        UserCommand::Create(args) => create_user(app, args).await,
        UserCommand::ResetSecondFactor(args) => reset_second_factor(app, args).await,
    }
}

pub async fn token(app: &App, command: TokenCommand) -> Result<()> {
    match command {
        TokenCommand::Create(args) => create_token(app, args).await,
        TokenCommand::List(args) => list_tokens(app, args).await,
        TokenCommand::Revoke(args) => revoke_tokens(app, args).await,
    }
}

async fn create_user(app: &App, args: UserCreateArgs) -> Result<()> {
    let password = match args.password {
        Some(p) => p,
        None => read_password_from_stdin()?,
    };
    let name = args.name.unwrap_or_else(|| args.email.split('@').next().unwrap_or("").to_string());
    let user = accounts::create_user(app, &args.email, &name, &args.role, &password).await.map_err(|e| match e {
        AppError::Conflict { .. } => anyhow!("a user with that email already exists"),
        other => anyhow!("{other}"),
    })?;
    println!("Created {} user #{} ({}).", user.role.as_str(), user.id.0, user.email.as_str());
    Ok(())
}

async fn reset_second_factor(app: &App, args: SecondFactorResetArgs) -> Result<()> {
    let user = accounts::reset_second_factor(app, &args.email).await.map_err(|e| no_such_user(e, &args.email))?;
    println!("Removed the second factor of {}; they set up a new one at their next sign-in.", described(&user));
    Ok(())
}

async fn create_token(app: &App, args: TokenCreateArgs) -> Result<()> {
    let (user, info, token) = accounts::create_api_token(app, &args.email, &args.name, args.days)
        .await
        .map_err(|e| no_such_user(e, &args.email))?;
    eprintln!(
        "Token #{} for {}, valid until {}; it is shown only once. Send it as `Authorization: Bearer <token>`.",
        info.id,
        described(&user),
        when(info.expires_at)
    );
    println!("{token}");
    Ok(())
}

async fn list_tokens(app: &App, args: TokenListArgs) -> Result<()> {
    let (user, tokens) = accounts::list_api_tokens(app, &args.email).await.map_err(|e| no_such_user(e, &args.email))?;
    if tokens.is_empty() {
        println!("{} has no live tokens.", described(&user));
        return Ok(());
    }
    println!("Live tokens of {} (the tokens themselves are never shown again):", described(&user));
    let label_width = tokens.iter().map(|t| t.label.chars().count()).max().unwrap_or(0).max("LABEL".len());
    println!("{:>5}  {:<label_width$}  {:<20}  {:<20}  LAST USED", "ID", "LABEL", "CREATED", "EXPIRES");
    for t in &tokens {
        let last_used = t.last_used_at.map(when).unwrap_or_else(|| "never".to_string());
        println!(
            "{:>5}  {:<label_width$}  {:<20}  {:<20}  {last_used}",
            t.id,
            t.label,
            when(t.created_at),
            when(t.expires_at)
        );
    }
    Ok(())
}

async fn revoke_tokens(app: &App, args: TokenRevokeArgs) -> Result<()> {
    let (user, revoked) =
        accounts::revoke_api_tokens(app, &args.email, args.id).await.map_err(|e| match (e, args.id) {
            (AppError::NotFound { what: "token" }, Some(id)) => {
                anyhow!(
                    "{} has no live token #{id} (see `knead token list --email {}`)",
                    args.email.trim(),
                    args.email.trim()
                )
            }
            (other, _) => no_such_user(other, &args.email),
        })?;
    match args.id {
        Some(id) => println!("Revoked token #{id} of {}.", described(&user)),
        None => println!("Revoked {revoked} token{} of {}.", if revoked == 1 { "" } else { "s" }, described(&user)),
    }
    Ok(())
}

/// "manager user #1 (owner@example.com)".
fn described(user: &User) -> String {
    format!("{} user #{} ({})", user.role.as_str(), user.id.0, user.email.as_str())
}

/// A time as the command line shows it: UTC, to the second.
fn when(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// An unknown address said plainly; any other failure as it is.
fn no_such_user(e: AppError, email: &str) -> anyhow::Error {
    match e {
        AppError::NotFound { .. } => anyhow!("no user has the email {}", email.trim()),
        other => anyhow!("{other}"),
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
