//! `knead bench vrptw` on a few Solomon instances: exit 0, `.sol` files that visit every customer once, gaps shown.

use crate::support::{knead, text};
use std::collections::BTreeSet;
use std::path::Path;

/// Three instances kept beside the tests (see its README), so the test never depends on a folder outside the clone.
const SOLOMON: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/solomon");
const INSTANCES: [&str; 3] = ["C101", "R201", "RC105"];

#[test]
fn bench_vrptw_solves_checks_and_writes_solutions() {
    let source = Path::new(SOLOMON);
    let work = tempfile::tempdir().unwrap();
    let instances = work.path().join("txt");
    std::fs::create_dir(&instances).unwrap();
    for name in INSTANCES {
        std::fs::copy(source.join("txt").join(format!("{name}.txt")), instances.join(format!("{name}.txt"))).unwrap();
    }
    std::fs::copy(source.join("bks.csv"), work.path().join("bks.csv")).unwrap();
    let out = work.path().join("solutions");
    let output = knead()
        .args(["bench", "vrptw"])
        .arg(&instances)
        .args(["--seconds", "0.3", "--seed", "7", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", text(&output.stderr));
    for name in INSTANCES {
        let line = stdout.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("no line for {name}"));
        assert!(line.contains("gap +") || line.contains("gap -"), "{line}");
        let sol = std::fs::read_to_string(out.join(format!("{name}.sol"))).unwrap();
        let mut visited = Vec::new();
        for (k, route) in sol.lines().filter(|l| l.starts_with("Route")).enumerate() {
            let (label, customers) = route.split_once(':').unwrap();
            assert_eq!(label, format!("Route #{}", k + 1));
            visited.extend(customers.split_whitespace().map(|c| c.parse::<usize>().unwrap()));
        }
        assert_eq!(visited.len(), 100, "{name}: every customer exactly once");
        assert_eq!(visited.iter().copied().collect::<BTreeSet<_>>(), (1..=100).collect(), "{name}");
        assert!(sol.lines().last().unwrap().starts_with("Cost "), "{sol}");
    }
    let overall = stdout.lines().find(|l| l.starts_with("overall")).expect("an overall line");
    assert!(overall.contains("3 instances") && overall.contains("mean gap"), "{overall}");
}

#[test]
fn bench_vrptw_fails_on_a_directory_without_instances() {
    let empty = tempfile::tempdir().unwrap();
    let output = knead().args(["bench", "vrptw"]).arg(empty.path()).output().unwrap();
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("no Solomon instances"), "{}", text(&output.stderr));
}
