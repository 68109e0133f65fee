//! The built-in catalog covers every failure signal of `tests/data/failure-reasons.md` (a copy of
//! `shared/coverage/failure-reasons.md`).

use std::collections::BTreeSet;

use crate::util::{catalog_covers, k8sdoc, repo};
use predicates::prelude::*;

/// The keys of the coverage tables: the first cell of rows like `| pod.oomkilled | ... |`.
fn coverage_keys() -> BTreeSet<String> {
    let text = std::fs::read_to_string(repo().join("tests/data/failure-reasons.md")).unwrap();
    text.lines()
        .filter_map(|l| l.strip_prefix("| "))
        .filter_map(|l| l.split(" |").next())
        .map(str::trim)
        .filter(|k| {
            k.contains('.') && k.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn every_coverage_key_has_a_scenario_and_every_covers_key_is_real() {
    let keys = coverage_keys();
    assert!(keys.len() >= 100, "parsed only {} keys", keys.len());
    let covers = catalog_covers();
    let covered: BTreeSet<&String> = covers.values().flatten().collect();
    let uncovered: Vec<&String> = keys.iter().filter(|k| !covered.contains(k)).collect();
    assert!(uncovered.is_empty(), "keys without a scenario: {uncovered:?}");
    for (id, list) in &covers {
        for key in list {
            assert!(keys.contains(key), "scenario #{id} covers unknown key `{key}`");
        }
    }
}

#[test]
fn at_least_150_new_scenarios_numbered_from_1001() {
    let covers = catalog_covers();
    let new: Vec<u64> = covers.keys().copied().filter(|id| *id >= 1001).collect();
    assert!(new.len() >= 150, "only {} scenarios numbered 1001+", new.len());
    assert!(covers.iter().all(|(id, _)| *id <= 22 || *id >= 1001));
    // Every new scenario says what it covers.
    assert!(covers.iter().filter(|(id, _)| **id >= 1001).all(|(_, c)| !c.is_empty()));
}

#[test]
fn new_scenario_files_pass_strict_lint() {
    let files: Vec<String> = std::fs::read_dir(repo().join("scenarios"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("cluster-management.md"))
        .map(|p| p.display().to_string())
        .collect();
    assert!(files.len() >= 8);
    k8sdoc()
        .args(["lint", "--strict"])
        .args(&files)
        .assert()
        .success()
        .stdout(predicate::str::contains("0 errors, 0 warnings"));
}
