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

fn files_under(dir: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    rust_files(&workspace_root().join(dir), &mut files);
    files
}

fn shown(path: &Path) -> String {
    path.strip_prefix(workspace_root()).unwrap().display().to_string()
}

/// The `[dependencies]` section of a crate's manifest (not its dev-dependencies).
fn dependencies(krate: &str) -> String {
    let manifest = std::fs::read_to_string(workspace_root().join("crates").join(krate).join("Cargo.toml")).unwrap();
    manifest.split("\n[dependencies]").nth(1).unwrap_or("").split("\n[").next().unwrap().to_string()
}

fn depends_on(krate: &str, dependency: &str) -> bool {
    dependencies(krate).lines().any(|l| {
        let name = l.trim_start().split(['=', '.', ' ']).next().unwrap_or("");
        name == dependency
    })
}

#[test]
fn every_rust_file_starts_with_a_doc_comment_line() {
    let files = files_under("crates");
    assert!(files.len() > 20);
    let missing: Vec<_> =
        files.iter().filter(|f| !std::fs::read_to_string(f).unwrap().starts_with("//!")).map(|f| shown(f)).collect();
    assert!(missing.is_empty(), "these files must start with a `//!` line: {missing:?}");
}

#[test]
fn the_domain_core_and_the_routing_crate_do_no_io() {
    for krate in ["knead-core", "knead-routing"] {
        for io_crate in ["sqlx", "axum", "tokio", "hyper", "reqwest", "ureq", "tower", "async-std", "lettre"] {
            assert!(!depends_on(krate, io_crate), "{krate} must not depend on {io_crate}");
        }
    }
}

#[test]
fn arrows_run_down_the_layers_never_back() {
    // The core knows no other crate of ours; routing knows only the core.
    for ours in ["knead-routing", "knead-store", "knead-app", "knead-web", "knead-demo"] {
        assert!(!depends_on("knead-core", ours), "knead-core must not depend on {ours}");
    }
    for ours in ["knead-store", "knead-app", "knead-web"] {
        assert!(!depends_on("knead-routing", ours), "knead-routing must not depend on {ours}");
    }
    // The ports know no driver and no caller; adapters know no caller.
    for crate_above in ["sqlx", "axum", "tokio", "knead-app", "knead-web"] {
        assert!(!depends_on("knead-store", crate_above), "knead-store must not depend on {crate_above}");
    }
    for adapter in ["knead-store-sqlite", "knead-store-postgres"] {
        for caller in ["knead-app", "knead-web", "knead-routing"] {
            assert!(!depends_on(adapter, caller), "{adapter} must not depend on {caller}");
        }
    }
    // The application layer knows the ports, not the adapters or the web.
    for below in ["knead-store-sqlite", "knead-store-postgres", "knead-web", "axum", "sqlx"] {
        assert!(!depends_on("knead-app", below), "knead-app must not depend on {below}");
    }
    // The web layer reaches storage only through the application layer.
    for store in ["knead-store", "knead-store-sqlite", "knead-store-postgres", "sqlx"] {
        assert!(!depends_on("knead-web", store), "knead-web must not depend on {store}");
    }
}

#[test]
fn pages_never_import_the_api() {
    let offenders: Vec<_> = files_under("crates/knead-web/src/pages")
        .into_iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            text.contains("crate::api") || text.contains("super::api")
        })
        .map(|f| shown(&f))
        .collect();
    assert!(
        offenders.is_empty(),
        "pages must not import the API modules (share through knead-app or crate::ui): {offenders:?}"
    );
}

#[test]
fn the_binary_uses_knead_web_only_through_its_router() {
    const ALLOWED: [&str; 3] = ["router", "AppState", "WebConfig"];
    let mut offenders = Vec::new();
    for file in files_under("crates/knead/src") {
        let text = std::fs::read_to_string(&file).unwrap();
        for (at, _) in text.match_indices("knead_web::") {
            let rest = &text[at + "knead_web::".len()..];
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !ALLOWED.contains(&name.as_str()) {
                offenders.push(format!("{}: knead_web::{name}", shown(&file)));
            }
        }
        assert!(!text.contains("use knead_web"), "{}: name knead-web's items in place, not by `use`", shown(&file));
    }
    assert!(offenders.is_empty(), "the binary may use only knead_web::{{router, AppState, WebConfig}}: {offenders:?}");
}

/// Lines of a file before its `#[cfg(test)]` module.
fn non_test_lines(text: &str) -> usize {
    text.lines().take_while(|l| !l.trim_start().starts_with("#[cfg(test)]")).count()
}

#[test]
fn no_source_file_is_over_the_size_budget() {
    const BUDGET: usize = 600;
    let mut over: Vec<_> = Vec::new();
    for krate in std::fs::read_dir(workspace_root().join("crates")).unwrap().flatten() {
        let mut files = Vec::new();
        let src = krate.path().join("src");
        if src.is_dir() {
            rust_files(&src, &mut files);
        }
        for f in files {
            let lines = non_test_lines(&std::fs::read_to_string(&f).unwrap());
            if lines > BUDGET {
                over.push(format!("{} ({lines} lines)", shown(&f)));
            }
        }
    }
    assert!(over.is_empty(), "split these files by what they do (at most {BUDGET} lines before their tests): {over:?}");
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
