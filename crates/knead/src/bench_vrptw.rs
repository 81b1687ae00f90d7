//! `knead bench vrptw`: solves Solomon VRPTW instances with knead's optimizer (one thread, one instance after the
//! other, DIMACS convention), checks every result independently, writes the `.sol` files, and prints vehicles,
//! distance and the gap to the best-known distance, per instance, per class and overall.

use crate::cli::BenchVrptwArgs;
use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use knead_routing::vrptw::{check, format_tenths, parse_solomon, sol_text, Budget, Planner, RuinAndRecreate};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A wall-clock budget that also remembers how many iterations the search ran.
struct Deadline {
    started: Instant,
    limit: Duration,
    iterations: u64,
}

impl Budget for Deadline {
    fn progress(&mut self, iterations: u64) -> Option<f64> {
        self.iterations = iterations;
        let fraction = self.started.elapsed().as_secs_f64() / self.limit.as_secs_f64();
        (fraction < 1.0).then_some(fraction)
    }
}

/// One instance's outcome, for the summary.
struct Outcome {
    class: String,
    vehicles: usize,
    distance_tenths: i64,
    gap_percent: Option<f64>,
}

/// The DIMACS best-known distances by instance name, from `bks.csv` in the directory or its parent.
fn best_known(dir: &Path) -> Result<Option<(PathBuf, HashMap<String, f64>)>> {
    let candidates = [Some(dir.join("bks.csv")), dir.parent().map(|p| p.join("bks.csv"))];
    let Some(path) = candidates.into_iter().flatten().find(|p| p.is_file()) else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').map(str::trim).collect();
    let column = |name: &str| header.iter().position(|h| *h == name);
    let (Some(instance), Some(distance)) = (column("instance"), column("dimacs_distance")) else {
        bail!("{} has no instance and dimacs_distance columns", path.display());
    };
    let mut known = HashMap::new();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if let (Some(name), Some(value)) = (fields.get(instance), fields.get(distance)) {
            if let Ok(value) = value.parse::<f64>() {
                known.insert(name.to_string(), value);
            }
        }
    }
    Ok(Some((path, known)))
}

/// The Solomon class of an instance: its letters and the first digit (RC105 → RC1).
fn class_of(name: &str) -> String {
    let letters = name.chars().take_while(|c| c.is_ascii_alphabetic());
    letters.chain(name.chars().find(|c| c.is_ascii_digit())).collect()
}

fn instance_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).with_context(|| format!("cannot read the directory {}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e.eq_ignore_ascii_case("txt")))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("no Solomon instances (*.txt) in {}", dir.display());
    }
    Ok(files)
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, count) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (count > 0).then(|| sum / count as f64)
}

fn shown_gap(gap: Option<f64>) -> String {
    gap.map_or_else(|| "gap n/a".to_string(), |g| format!("gap {g:+.2}%"))
}

pub fn vrptw(args: &BenchVrptwArgs) -> Result<()> {
    if !(args.seconds.is_finite() && args.seconds > 0.0) {
        bail!("--seconds must be a positive number");
    }
    let files = instance_files(&args.dir)?;
    let known = best_known(&args.dir)?;
    if let Some(out) = &args.out {
        std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    }
    match &known {
        Some((path, _)) => println!("Best-known distances (DIMACS) from {}.", path.display()),
        None => println!("No bks.csv beside the instances: distances are shown without gaps."),
    }
    println!("{} instances, {} s each, one thread, seed {}.", files.len(), args.seconds, args.seed);
    let bar = ProgressBar::new(files.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{msg:8} [{bar:30}] {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let planner = RuinAndRecreate::new(args.seed);
    let mut outcomes = Vec::new();
    let mut failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
        let instance = parse_solomon(&text).with_context(|| format!("cannot parse {}", file.display()))?;
        let name = file.file_stem().map_or_else(|| instance.name().to_string(), |s| s.to_string_lossy().into_owned());
        bar.set_message(name.clone());
        let limit = Duration::from_secs_f64(args.seconds);
        let mut budget = Deadline { started: Instant::now(), limit, iterations: 0 };
        let planned = planner.plan(&instance, &mut budget);
        let seconds = budget.started.elapsed().as_secs_f64();
        bar.inc(1);
        let solution = match planned {
            Ok(solution) => solution,
            Err(error) => {
                bar.suspend(|| println!("{name:8} FAILED: {error}"));
                failures.push(format!("{name}: {error}"));
                continue;
            }
        };
        let checked = match check(&instance, &solution) {
            Ok(checked) => checked,
            Err(error) => {
                bar.suspend(|| println!("{name:8} INFEASIBLE: {error}"));
                failures.push(format!("{name}: {error}"));
                continue;
            }
        };
        if let Some(out) = &args.out {
            let path = out.join(format!("{name}.sol"));
            std::fs::write(&path, sol_text(&solution, checked.distance_tenths))
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        let best = known.as_ref().and_then(|(_, k)| k.get(&name).copied());
        let distance = checked.distance_tenths as f64 / 10.0;
        let gap_percent = best.map(|b| 100.0 * (distance / b - 1.0));
        bar.suspend(|| {
            println!(
                "{name:8} vehicles {:3}  distance {:>8}  best-known {:>8}  {:14}  {:>8} iterations in {seconds:.2} s",
                checked.vehicles,
                format_tenths(checked.distance_tenths),
                best.map_or_else(|| "-".to_string(), |b| format!("{b:.1}")),
                shown_gap(gap_percent),
                budget.iterations,
            )
        });
        outcomes.push(Outcome {
            class: class_of(&name),
            vehicles: checked.vehicles,
            distance_tenths: checked.distance_tenths,
            gap_percent,
        });
    }
    bar.finish_and_clear();
    let mut classes: BTreeMap<&str, Vec<&Outcome>> = BTreeMap::new();
    for outcome in &outcomes {
        classes.entry(outcome.class.as_str()).or_default().push(outcome);
    }
    let summary = |label: &str, group: &[&Outcome]| {
        let vehicles: usize = group.iter().map(|o| o.vehicles).sum();
        let distance: i64 = group.iter().map(|o| o.distance_tenths).sum();
        let gap = mean(group.iter().filter_map(|o| o.gap_percent));
        println!(
            "{label:8} {:2} instances  vehicles {vehicles:4}  distance {:>10}  mean {}",
            group.len(),
            format_tenths(distance),
            shown_gap(gap)
        );
    };
    println!();
    for (class, group) in &classes {
        summary(class, group);
    }
    summary("overall", &outcomes.iter().collect::<Vec<_>>());
    if !failures.is_empty() {
        bail!("{} of {} instances have no valid solution: {}", failures.len(), files.len(), failures.join("; "));
    }
    Ok(())
}
