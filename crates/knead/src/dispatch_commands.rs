//! `knead dispatch plan DATE [--apply --as EMAIL]`: a day's routes and the optimizer's re-plan, from the shell.

use crate::cli::{DispatchCommand, DispatchPlanArgs};
use anyhow::Result;
use knead_app::dispatch::{self, DayBoard, MoveOrder};
use knead_app::{App, AppError};
use knead_core::calendar::parse_date;
use knead_core::TherapistId;
use std::collections::HashMap;

pub async fn dispatch(app: &App, command: DispatchCommand) -> Result<()> {
    match command {
        DispatchCommand::Plan(args) => plan(app, args).await,
    }
}

async fn plan(app: &App, args: DispatchPlanArgs) -> Result<()> {
    let date = parse_date("date", &args.date).map_err(|e| anyhow::anyhow!("{}: {}", e.field, e.detail))?;
    let manager = match &args.as_manager {
        Some(email) => Some(dispatch::manager_by_email(app, email).await.map_err(explain)?),
        None => None,
    };
    let proposal = dispatch::propose(app, date).await.map_err(explain)?;
    print_board(&proposal.before);
    let names: &HashMap<TherapistId, String> = &proposal.names;
    let name = |ts: &[TherapistId]| -> String {
        ts.iter().map(|t| names.get(t).cloned().unwrap_or_else(|| t.0.to_string())).collect::<Vec<_>>().join(" and ")
    };
    let time = |t: jiff::Timestamp| t.to_zoned(proposal.zone.clone()).strftime("%H:%M").to_string();
    if proposal.moves.is_empty() {
        println!("\nNo better plan found: the day already drives the least the optimizer finds.");
        return Ok(());
    }
    println!(
        "\nProposed re-plan: {} visit(s) change, driving {} min -> {} min (saves {} min)",
        proposal.moves.len(),
        proposal.before.travel_min,
        proposal.after.travel_min,
        proposal.travel_saved_min()
    );
    for m in &proposal.moves {
        println!(
            "  booking {:>6}  {} with {}  ->  {} with {}",
            m.booking_id.0,
            time(m.from_start),
            name(&m.from_therapists),
            time(m.to_start),
            name(&m.to_therapists)
        );
    }
    let Some(manager) = manager.filter(|_| args.apply) else {
        println!("\nNothing was written; run again with --apply --as EMAIL to apply it.");
        return Ok(());
    };
    let orders: Vec<MoveOrder> = proposal
        .moves
        .iter()
        .map(|m| MoveOrder {
            booking_id: m.booking_id,
            revision: m.revision,
            start: m.to_start,
            therapist_ids: m.to_therapists.clone(),
        })
        .collect();
    let written = dispatch::apply(app, date, &orders, &manager).await.map_err(explain)?;
    println!("\nApplied: {} booking(s) moved; each client's message is queued.", written.len());
    Ok(())
}

fn print_board(board: &DayBoard) {
    let time = |t: jiff::Timestamp| t.to_zoned(board.zone.clone()).strftime("%H:%M").to_string();
    println!("{}: {} therapist(s) working, {} min of driving", board.date, board.therapists.len(), board.travel_min);
    for t in &board.therapists {
        println!("  {} ({} min driving)", t.name, t.travel_min);
        for v in &t.visits {
            let fixed = v.fixed.map(|f| format!("  [stays: {}]", f.describe())).unwrap_or_default();
            println!("    {}-{}  booking {:>6}  {}{fixed}", time(v.start), time(v.end), v.booking_id.0, v.service);
        }
    }
}

/// An application error as the shell shows it: each field's problem on its own line.
fn explain(e: AppError) -> anyhow::Error {
    match e {
        AppError::Invalid(errors) => {
            let lines: Vec<String> = errors.0.iter().map(|e| format!("  {}: {}", e.field, e.detail)).collect();
            anyhow::anyhow!("refused:\n{}", lines.join("\n"))
        }
        other => other.into(),
    }
}
