//! `k8sdoc diagnose` through the binary: output shapes, exit codes, and the persistent index.

use std::time::{Duration, SystemTime};

use crate::util::{fixture, k8sdoc, k8sdoc_process};
use predicates::prelude::*;
use serde_json::Value;

fn json(cmd: &mut assert_cmd::Command) -> Value {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn json_has_the_contract_keys_and_reasons() {
    let v = json(k8sdoc().args(["diagnose", "--symptom", "pods stuck terminating", "--format", "json"]));
    let symptom = &v["symptoms"][0];
    assert_eq!(symptom["id"], "pod-terminating-stuck");
    assert!(symptom["evidence"].as_str().unwrap().contains("--symptom"));
    let results = v["results"].as_array().unwrap();
    assert!(!results.is_empty() && results.len() <= 5);
    for r in results {
        for key in ["id", "title", "category", "score", "why", "diagnosis_steps", "fix", "source"] {
            assert!(r.get(key).is_some(), "missing {key}");
        }
        assert!(!r["why"].as_array().unwrap().is_empty());
    }
    let scores: Vec<f64> = results.iter().map(|r| r["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
}

#[test]
fn text_output_has_bar_steps_fix_and_show_hint() {
    k8sdoc().args(["diagnose", "-s", "DiskPressure", "--limit", "2", "--color", "never"]).assert().success().stdout(
        predicate::str::contains("1. #")
            .and(predicate::str::contains("█"))
            .and(predicate::str::contains("why: symptom node-diskpressure"))
            .and(predicate::str::contains("diagnose:"))
            .and(predicate::str::contains("fix:"))
            .and(predicate::str::contains("\nAlso\n2. #"))
            .and(predicate::str::contains("more: `k8sdoc show ")),
    );
}

#[test]
fn explain_prints_the_breakdown() {
    k8sdoc()
        .args(["diagnose", "-s", "etcd database space exceeded", "-n", "1", "--explain", "--color", "never"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("explain: score")
                .and(predicate::str::contains("rule  "))
                .and(predicate::str::contains("text  ")),
        );
}

#[test]
fn typos_are_corrected_and_said() {
    let out = k8sdoc().args(["diagnose", "-s", "pods stuck terminting", "--color", "never"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("terminting -> terminating"), "{text}");
    assert!(text.contains("pod-terminating-stuck"), "{text}");
}

#[test]
fn nothing_found_exits_1_with_a_hint() {
    k8sdoc().args(["diagnose", "-s", "zzqx vvqqk"]).assert().code(1).stderr(predicate::str::contains("k8sdoc search"));
}

#[test]
fn bad_input_exits_2() {
    k8sdoc().args(["diagnose"]).assert().code(2).stderr(predicate::str::contains("nothing to diagnose"));
    k8sdoc()
        .args(["diagnose", "--from", "/no/such/paste.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/no/such/paste.txt: cannot read"));
}

#[test]
fn category_and_limit_filter() {
    let v = json(k8sdoc().args([
        "diagnose",
        "-s",
        "certificate expired",
        "--category",
        "nodes",
        "-n",
        "2",
        "--format",
        "json",
    ]));
    let results = v["results"].as_array().unwrap();
    assert!(!results.is_empty() && results.len() <= 2);
    assert!(results.iter().all(|r| r["category"] == "Nodes"), "{results:?}");
}

#[test]
fn same_title_scenarios_fold_into_one_result() {
    let dir = tempfile::tempdir().unwrap();
    let one = std::fs::read_to_string(fixture("folder/nested/team.md")).unwrap();
    std::fs::write(dir.path().join("a.md"), &one).unwrap();
    std::fs::write(dir.path().join("b.md"), one.replace("#5001", "#5002")).unwrap();
    let v = json(k8sdoc().args(["--no-builtin", "--scenarios"]).arg(dir.path()).args([
        "diagnose",
        "-s",
        "cron job ran twice",
        "--format",
        "json",
    ]));
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{results:?}");
    assert!(results[0]["why"].as_array().unwrap().iter().any(|w| w.as_str().unwrap().contains("same title as #5002")));
}

/// Runs diagnose against a private cache dir; returns stdout and stderr.
fn run_cached(cache: &std::path::Path, catalog: &std::path::Path, query: &str) -> (String, String) {
    let out = k8sdoc()
        .env("K8SDOC_CACHE_DIR", cache)
        .args(["-v", "--no-builtin", "--scenarios"])
        .arg(catalog)
        .args(["diagnose", "-s", query, "--format", "json"])
        .output()
        .unwrap();
    (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn index_is_cached_rebuilt_on_change_and_on_corruption() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("team.md");
    std::fs::copy(fixture("folder/nested/team.md"), &catalog).unwrap();

    let (first, err) = run_cached(cache.path(), dir.path(), "cron job ran twice");
    assert!(err.contains("index built and saved"), "{err}");
    let (second, err) = run_cached(cache.path(), dir.path(), "cron job ran twice");
    assert!(err.contains("index read from"), "{err}");
    assert_eq!(first, second);

    // A new mtime alone (same bytes) keeps the index: the content hash is compared and matches.
    let built = std::fs::metadata(&catalog).unwrap().modified().unwrap();
    set_mtime(&catalog, built + Duration::from_secs(1));
    let (touched, err) = run_cached(cache.path(), dir.path(), "cron job ran twice");
    assert!(err.contains("index read from"), "{err}");
    assert_eq!(first, touched);

    // Same size, new content (and a new mtime): the size shows nothing, the content hash does.
    // The new word is found, so the index was built again from the new text.
    let before = std::fs::read_to_string(&catalog).unwrap();
    let edited = before.replace("Ran Twice", "Stampeded");
    assert_ne!(edited, before);
    std::fs::write(&catalog, &edited).unwrap();
    set_mtime(&catalog, built + Duration::from_secs(2));
    assert_eq!(std::fs::metadata(&catalog).unwrap().len(), before.len() as u64, "the edit changed the size");
    let (third, err) = run_cached(cache.path(), dir.path(), "stampeded");
    assert!(err.contains("index built"), "{err}");
    let v: Value = serde_json::from_str(&third).unwrap();
    assert_eq!(v["results"][0]["title"], "Cron Job Stampeded After Controller Restart", "{third}");

    // A corrupt index is ignored and rebuilt, never trusted or fatal.
    for entry in std::fs::read_dir(cache.path()).unwrap() {
        let path = entry.unwrap().path();
        let mut bytes = std::fs::read(&path).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0xff;
        bytes.truncate(bytes.len() - 7);
        std::fs::write(&path, bytes).unwrap();
    }
    let (fourth, err) = run_cached(cache.path(), dir.path(), "stampeded");
    assert!(err.contains("index built") && err.contains("damaged: checksum mismatch"), "{err}");
    assert_eq!(third, fourth);
}

/// Every open checks the header and bounds, not the whole file's checksum; a byte flipped
/// where decoding cannot see it is caught when verification is asked for.
#[test]
fn verify_index_catches_damage_that_decodes() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("folder/nested/team.md"), dir.path().join("team.md")).unwrap();
    let (first, err) = run_cached(cache.path(), dir.path(), "cron job ran twice");
    assert!(err.contains("index built and saved"), "{err}");
    let index = std::fs::read_dir(cache.path()).unwrap().next().unwrap().unwrap().path();
    let mut bytes = std::fs::read(&index).unwrap();
    // The last byte is inside the last symptom link record's kind: any value decodes.
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    std::fs::write(&index, &bytes).unwrap();
    let (_, err) = run_cached(cache.path(), dir.path(), "cron job ran twice");
    assert!(err.contains("index read from"), "without verification the damage is not looked for: {err}");
    let out = k8sdoc()
        .env("K8SDOC_CACHE_DIR", cache.path())
        .env("K8SDOC_VERIFY_INDEX", "1")
        .args(["-v", "--no-builtin", "--scenarios"])
        .arg(dir.path())
        .args(["diagnose", "-s", "cron job ran twice", "--format", "json"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("index built") && err.contains("damaged: checksum mismatch"), "{err}");
    assert_eq!(String::from_utf8(out.stdout).unwrap(), first);
}

fn set_mtime(path: &std::path::Path, time: SystemTime) {
    std::fs::File::options().write(true).open(path).unwrap().set_modified(time).unwrap();
}

#[test]
fn two_processes_building_at_once_both_succeed() {
    let cache = tempfile::tempdir().unwrap();
    let spawn = || {
        k8sdoc_process()
            .env("K8SDOC_CACHE_DIR", cache.path())
            .args(["diagnose", "-s", "OOMKilled", "--format", "json"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert!(a.status.success() && b.status.success());
    assert_eq!(a.stdout, b.stdout);
    let leftovers: Vec<_> = std::fs::read_dir(cache.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn unwritable_cache_still_works() {
    k8sdoc()
        .env("K8SDOC_CACHE_DIR", "/proc/k8sdoc-cannot-write-here")
        .args(["diagnose", "-s", "OOMKilled"])
        .assert()
        .success();
}

#[test]
fn big_log_paste_is_read_and_folded() {
    let mut paste = String::new();
    for i in 0..10_000 {
        paste.push_str(&format!(
            "Nov 24 10:{:02}:{:02} node-1 kubelet[812]: E1124 10:00:01.123456     812 pod_workers.go:1298] \"Error syncing pod, skipping\" err=\"failed to \\\"StartContainer\\\" for \\\"app\\\" with CrashLoopBackOff: \\\"back-off 5m0s restarting failed container=app pod=web-{i}_default(uid-{i})\\\"\"\n",
            (i / 60) % 60,
            i % 60
        ));
    }
    let v = json(k8sdoc().args(["diagnose", "--from", "-", "--format", "json"]).write_stdin(paste));
    assert_eq!(v["symptoms"][0]["id"], "pod-crashloopbackoff", "{v}");
}
