//! `knead instruments ...`: outcome instruments loaded from the definition files a clinic supplies.

use crate::cli::InstrumentsCommand;
use anyhow::{Context, Result};
use knead_app::records::measures;
use knead_app::{App, AppError};

pub async fn instruments(app: &App, command: InstrumentsCommand) -> Result<()> {
    match command {
        InstrumentsCommand::Load(args) => {
            let json = std::fs::read_to_string(&args.file)
                .with_context(|| format!("could not read {}", args.file.display()))?;
            let loaded = match measures::load_instrument_json(app, &json).await {
                Ok(loaded) => loaded,
                // Each field at fault on its own line, named as the file spells it.
                Err(AppError::Invalid(errors)) => {
                    let lines: Vec<String> = errors.0.iter().map(|e| format!("  {}: {}", e.field, e.detail)).collect();
                    anyhow::bail!("{} was not loaded:\n{}", args.file.display(), lines.join("\n"));
                }
                Err(e) => return Err(e.into()),
            };
            println!(
                "Loaded instrument `{}` ({}): {} items, scored by {}.",
                loaded.key,
                loaded.name,
                loaded.items.len(),
                scoring_name(&loaded)
            );
            Ok(())
        }
    }
}

fn scoring_name(definition: &knead_core::records::InstrumentDefinition) -> &'static str {
    use knead_core::records::instruments::ScoringRule;
    match definition.scoring {
        ScoringRule::Sum => "the sum of the answers",
        ScoringRule::Count => "the number of items ticked",
        ScoringRule::PercentOfAnswered => "the percentage of the items answered",
    }
}
