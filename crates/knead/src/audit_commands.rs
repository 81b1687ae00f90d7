//! `knead audit ...`: checking the audit log's hash chain and exporting it, for the practice's operator.

use crate::cli::{AuditCommand, AuditExportArgs};
use anyhow::{bail, Context, Result};
use knead_app::records::integrity;
use knead_app::{intake, App};
use std::io::Write;

pub async fn audit(app: &App, command: AuditCommand) -> Result<()> {
    match command {
        AuditCommand::Verify => verify(app).await,
        AuditCommand::Export(args) => export(app, args).await,
    }
}

/// The chain first, then the signed notes; every problem is named before the non-zero exit.
async fn verify(app: &App) -> Result<()> {
    let chain = intake::verify_audit(app).await?;
    let (notes, problems) = integrity::verify_signed_notes(app).await?;
    for problem in &problems {
        eprintln!("error: {problem}");
    }
    match chain {
        intake::AuditCheck::Broken(broken) => {
            bail!("the audit log is broken at entry {}: {}", broken.id, broken.problem)
        }
        intake::AuditCheck::Intact { .. } if !problems.is_empty() => {
            bail!("{} signed note(s) are not as they were signed", problems.len())
        }
        intake::AuditCheck::Intact { entries } => {
            println!("The audit log is intact: {entries} entries, each following the one before it.");
            println!("The signed notes are intact: {notes} notes, each as it was signed.");
            Ok(())
        }
    }
}

async fn export(app: &App, args: AuditExportArgs) -> Result<()> {
    let csv = intake::export_audit_by_operator(app).await?;
    match &args.out {
        Some(path) => {
            std::fs::write(path, &csv).with_context(|| format!("could not write {}", path.display()))?;
            eprintln!("Wrote {} audit entries to {}.", csv.lines().count().saturating_sub(1), path.display());
        }
        None => std::io::stdout().write_all(csv.as_bytes())?,
    }
    Ok(())
}
