//! Ranking quality through the real binary: the shared development queries
//! (`tests/data/dev-queries.yaml`, a copy of `shared/eval/dev-queries.yaml`), one bare signal and
//! one real message per coverage key, and pasted outputs in the formats kubectl and the
//! components print.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::util::{catalog_covers, k8sdoc, read_yaml, repo};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct DevCase {
    q: String,
    #[serde(default)]
    expect: Vec<u64>,
    #[serde(default)]
    topic: Option<String>,
}

#[derive(Deserialize)]
struct CoverageCase {
    key: String,
    signal: String,
    message: String,
}

/// The top results' scenario numbers for `diagnose` with these arguments.
fn top(args: &[&str]) -> Vec<u64> {
    let out = k8sdoc().arg("diagnose").args(args).args(["--format", "json", "--limit", "3"]).output().unwrap();
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["results"].as_array().unwrap().iter().map(|r| r["id"].as_u64().unwrap()).collect()
}

fn covered(top: &[u64], keys: &[String], covers: &HashMap<u64, HashSet<String>>) -> bool {
    top.iter().any(|id| covers.get(id).is_some_and(|c| keys.iter().any(|k| c.contains(k))))
}

#[test]
fn shared_dev_queries() {
    let cases: Vec<DevCase> = read_yaml(&repo().join("tests/data/dev-queries.yaml"));
    let covers = catalog_covers();
    let (mut n, mut top1, mut top3, mut misses) = (0, 0, 0, Vec::new());
    for case in &cases {
        let ids = top(&["--symptom", &case.q]);
        if let Some(topic) = &case.topic {
            assert!(covered(&ids, std::slice::from_ref(topic), &covers), "topic {topic}: {:?} -> {ids:?}", case.q);
            continue;
        }
        n += 1;
        top1 += usize::from(ids.first().is_some_and(|id| case.expect.contains(id)));
        if ids.iter().any(|id| case.expect.contains(id)) {
            top3 += 1;
        } else {
            misses.push(format!("{:?} expected {:?}, got {ids:?}", case.q, case.expect));
        }
    }
    assert!(n >= 20);
    assert!(top3 * 100 >= n * 95, "top-3 {top3}/{n}; misses: {misses:#?}");
    assert!(top1 * 100 >= n * 80, "top-1 {top1}/{n}");
}

#[test]
fn every_coverage_key_from_its_signal_and_its_message() {
    let cases: Vec<CoverageCase> = read_yaml(&repo().join("tests/data/coverage-queries.yaml"));
    let covers = catalog_covers();
    let mut misses = Vec::new();
    for case in &cases {
        for (kind, query) in [("signal", &case.signal), ("message", &case.message)] {
            let ids = top(&["--symptom", query]);
            if !covered(&ids, std::slice::from_ref(&case.key), &covers) {
                misses.push(format!("{} by {kind} {query:?} -> {ids:?}", case.key));
            }
        }
    }
    assert!(cases.len() >= 100);
    assert!(misses.is_empty(), "{} of {} queries missed:\n{}", misses.len(), cases.len() * 2, misses.join("\n"));
}

#[test]
fn pasted_outputs() {
    let dir = repo().join("tests/data/pastes");
    let expect: BTreeMap<String, Vec<String>> = read_yaml(&dir.join("expect.yaml"));
    let covers = catalog_covers();
    let mut misses = Vec::new();
    for (file, keys) in &expect {
        let path = dir.join(file);
        let ids = top(&["--from", path.to_str().unwrap()]);
        if !covered(&ids, keys, &covers) {
            misses.push(format!("{file}: expected {keys:?}, got {ids:?}"));
        }
    }
    assert!(expect.len() >= 12);
    assert!(misses.is_empty(), "{}", misses.join("\n"));
}

#[test]
fn pasted_output_from_stdin() {
    let paste = std::fs::read(repo().join("tests/data/pastes/describe-pod-oomkilled.txt")).unwrap();
    let out = k8sdoc().args(["diagnose", "--from", "-", "--format", "json"]).write_stdin(paste).output().unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let symptoms: Vec<&str> = v["symptoms"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert!(symptoms.contains(&"pod-oomkilled"), "{symptoms:?}");
    let evidence = v["symptoms"][0]["evidence"].as_str().unwrap();
    assert!(evidence.contains("line "), "{evidence}");
}
