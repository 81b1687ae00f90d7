//! `knead places import FILE.osm.pbf`: the practice's addresses and roads from an OpenStreetMap extract,
//! kept on its own server so client addresses never go to a third party.
//!
//! The extract is read before anything is written, and the set is replaced in one transaction, so a file
//! that cannot be read (or that holds nothing for the practice) leaves the last import as it was.

use crate::cli::{PlacesCommand, PlacesImportArgs};
use crate::store;
use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use knead_core::calendar::ServiceArea;
use knead_core::GeoPoint;
use knead_places::extract::{read_extract_file, Extract};
use std::path::Path;
use std::time::{Duration, Instant};

pub async fn places(database_url: &str, command: PlacesCommand) -> Result<()> {
    match command {
        PlacesCommand::Import(args) => import(database_url, args).await,
    }
}

async fn import(database_url: &str, args: PlacesImportArgs) -> Result<()> {
    // A missing file is told before the database is opened (or, for SQLite, created).
    let length = std::fs::metadata(&args.file)
        .with_context(|| format!("cannot read the extract {}", args.file.display()))?
        .len();
    let store = store::open(database_url).await?;
    let area = store.practice_settings().await.context("reading the practice's settings")?.service_area;
    let started = Instant::now();

    let extract = read_with_progress(&args.file, length, (!args.whole_extract).then_some(area)).await?;
    let Extract { addresses, roads, outside } = extract;
    if addresses.is_empty() {
        if outside > 0 {
            bail!(
                "none of the extract's {outside} addresses is inside the service area (within {} km of {:.5}, {:.5}); \
                 nothing was changed. Set the service area on the booking settings page (/manage/settings), or \
                 import with --whole-extract to keep every address",
                area.radius_km,
                area.lat,
                area.lon
            );
        }
        bail!(
            "the extract has no addresses (nodes or buildings tagged with a street and a house number); nothing \
             was changed"
        );
    }

    let reading = started.elapsed();
    let writing = spinner(format!("writing {} addresses and {} roads", addresses.len(), roads.len()));
    let generation = store.replace_places(&addresses, &roads, jiff::Timestamp::now()).await;
    writing.finish_and_clear();
    let generation = generation.context("storing the places; the previous import is unchanged")?;
    tracing::debug!(generation, addresses = addresses.len(), roads = roads.len(), outside, "imported places");

    let detail = if args.whole_extract {
        "the whole extract".to_string()
    } else {
        format!("{outside} outside the service area")
    };
    println!("kept {} addresses and {} roads ({detail})", addresses.len(), roads.len());
    println!(
        "Import {generation} replaced the previous set in the {} database (read in {:.2} s, stored in {:.2} s).",
        store.backend(),
        reading.as_secs_f64(),
        (started.elapsed() - reading).as_secs_f64()
    );
    Ok(())
}

/// Reads the extract on a blocking thread with a progress bar on standard error. The reader reads the file
/// twice, so the bar runs over twice its length.
async fn read_with_progress(path: &Path, length: u64, area: Option<ServiceArea>) -> Result<Extract> {
    let bar = ProgressBar::new(2 * length.max(1));
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {percent:>3}% {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("reading addresses and ways");
    let shown = bar.clone();
    let path_owned = path.to_path_buf();
    let read = tokio::task::spawn_blocking(move || {
        let keep = |p: GeoPoint| area.is_none_or(|a| a.contains(p));
        let mut second_pass = false;
        let mut progress = |bytes: u64| {
            if !second_pass && bytes > length {
                second_pass = true;
                shown.set_message("reading the nodes of those ways");
            }
            shown.set_position(bytes);
        };
        read_extract_file(&path_owned, &keep, &mut progress)
    })
    .await
    .context("the extract reader stopped")?;
    bar.finish_and_clear();
    read.with_context(|| format!("cannot import {}; nothing was changed", path.display()))
}

fn spinner(message: String) -> ProgressBar {
    let spinner = ProgressBar::new_spinner();
    spinner.set_message(message);
    spinner.enable_steady_tick(Duration::from_millis(120));
    spinner
}
