//! The built-in catalog covers every failure signal of `tests/data/failure-reasons.md` (a copy of
//! `shared/coverage/failure-reasons.md`) and every cause of `docs/coverage.md` (the causes users
//! post about in public threads).

use std::collections::BTreeSet;

use crate::util::{catalog_covers, k8sdoc, repo};
use predicates::prelude::*;

/// A row of `docs/coverage.md`: key, cause, how many threads, example threads, scenarios.
struct Cause {
    key: String,
    seen: u32,
    threads: String,
    scenarios: Vec<u64>,
}

fn causes() -> Vec<Cause> {
    let text = std::fs::read_to_string(repo().join("docs/coverage.md")).unwrap();
    text.lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| key"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
            assert_eq!(cells.len(), 6, "docs/coverage.md row: {l}");
            Cause {
                key: cells[0].to_string(),
                seen: cells[2].parse().unwrap_or_else(|_| panic!("seen is not a number: {l}")),
                threads: cells[3].to_string(),
                scenarios: cells[4]
                    .split(|c: char| !c.is_ascii_digit())
                    .filter(|n| !n.is_empty())
                    .map(|n| n.parse().unwrap())
                    .collect(),
            }
        })
        .collect()
}

/// The keys of the coverage tables: the first cell of rows like `| pod.oomkilled | ... |`, in
/// `failure-reasons.md` and in `docs/coverage.md`.
fn coverage_keys() -> BTreeSet<String> {
    let mut keys = key_cells("tests/data/failure-reasons.md");
    keys.extend(key_cells("docs/coverage.md"));
    keys
}

fn key_cells(path: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(repo().join(path)).unwrap();
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
fn every_cause_users_post_about_has_a_scenario() {
    let causes = causes();
    assert!(causes.len() >= 200, "only {} causes in docs/coverage.md", causes.len());
    let covers = catalog_covers();
    for cause in &causes {
        assert!(cause.threads.contains("https://"), "{}: no thread address", cause.key);
        // Every cause seen in three threads or more is frequent enough to need a scenario.
        if cause.seen >= 3 {
            assert!(!cause.scenarios.is_empty(), "{} (seen {}) has no scenario", cause.key, cause.seen);
        }
        for id in &cause.scenarios {
            let keys = covers.get(id).unwrap_or_else(|| panic!("{}: scenario #{id} does not exist", cause.key));
            assert!(
                keys.contains(&cause.key) || !cause.key.contains('.'),
                "{}: scenario #{id} does not list it in Covers (it has {keys:?})",
                cause.key
            );
        }
    }
}

#[test]
fn at_least_420_scenarios_and_200_from_public_threads() {
    let covers = catalog_covers();
    assert!(covers.len() >= 420, "only {} built-in scenarios", covers.len());
    let field: Vec<u64> = covers.keys().copied().filter(|id| *id >= 2001).collect();
    assert!(field.len() >= 200, "only {} scenarios numbered 2001+", field.len());
    // Each says where users met it.
    let ids: Vec<String> = field.iter().map(u64::to_string).collect();
    let out = k8sdoc().arg("show").args(&ids).args(["--format", "json"]).output().unwrap();
    let shown: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for s in shown.as_array().unwrap() {
        let seen = s["seen_in"].as_str().unwrap_or("");
        assert!(seen.contains("https://"), "#{} has no Seen In thread", s["id"]);
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
