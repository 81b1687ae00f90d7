//! Architecture rules a machine can check: see ARCHITECTURE.md.

use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).unwrap().to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "target" && n != "snapshots") {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_rust_file_starts_with_a_doc_comment_line() {
    let mut files = Vec::new();
    rust_files(&workspace_root().join("crates"), &mut files);
    assert!(files.len() > 20);
    let missing: Vec<_> = files
        .iter()
        .filter(|f| !std::fs::read_to_string(f).unwrap().starts_with("//!"))
        .map(|f| f.strip_prefix(workspace_root()).unwrap().display().to_string())
        .collect();
    assert!(missing.is_empty(), "these files must start with a `//!` line: {missing:?}");
}

#[test]
fn the_domain_core_does_no_io() {
    let manifest = std::fs::read_to_string(workspace_root().join("crates/knead-core/Cargo.toml")).unwrap();
    let deps = manifest.split("[dependencies]").nth(1).unwrap().split("\n[").next().unwrap();
    for io_crate in ["sqlx", "axum", "tokio", "hyper", "reqwest", "ureq", "tower", "async-std", "lettre"] {
        assert!(
            !deps.lines().any(|l| l.trim_start().starts_with(io_crate)),
            "knead-core must not depend on {io_crate}"
        );
    }
}

#[test]
fn the_storage_ports_know_no_database_driver() {
    let manifest = std::fs::read_to_string(workspace_root().join("crates/knead-store/Cargo.toml")).unwrap();
    for driver in ["sqlx", "axum", "tokio"] {
        assert!(
            !manifest.lines().any(|l| l.trim_start().starts_with(driver)),
            "knead-store must not depend on {driver}"
        );
    }
}

#[test]
fn architecture_md_names_every_crate() {
    let doc = std::fs::read_to_string(workspace_root().join("ARCHITECTURE.md")).unwrap();
    for entry in std::fs::read_dir(workspace_root().join("crates")).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        assert!(doc.contains(&format!("`{name}`")), "ARCHITECTURE.md must describe `{name}`");
    }
    assert!(doc.contains("Architecture Invariant:"));
}
