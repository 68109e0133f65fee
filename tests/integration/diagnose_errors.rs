//! Errors that say what was actually wrong: empty or unreadable `--from` input, an unknown
//! `--category`, a limit of 0 from any of the places a limit comes from.

use crate::util::k8sdoc;
use predicates::prelude::*;

/// The one error line of a failed run (exit 2), checked to be the only thing printed.
fn error_of(cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(out.stdout.is_empty(), "{out:?}");
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn empty_stdin_says_stdin_was_empty() {
    let err = error_of(k8sdoc().args(["diagnose", "--from", "-"]).write_stdin(""));
    assert_eq!(
        err,
        "k8sdoc: error: nothing to diagnose: stdin was empty; pipe the output in: \
         `kubectl describe pod P | k8sdoc diagnose --from -`\n"
    );
    let err = error_of(k8sdoc().args(["diagnose", "--from", "-"]).write_stdin(" \n\n\t\n"));
    assert!(err.contains("nothing to diagnose: stdin was blank"), "{err}");
    // Not a terminal: no prompt to paste.
    assert!(!err.contains("Ctrl-D"), "{err}");
}

#[test]
fn an_empty_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("paste.txt");
    std::fs::write(&empty, "").unwrap();
    let err = error_of(k8sdoc().arg("diagnose").arg("--from").arg(&empty));
    assert_eq!(err, format!("k8sdoc: error: nothing to diagnose: {} is empty\n", empty.display()));
    std::fs::write(&empty, "\n  \n").unwrap();
    let err = error_of(k8sdoc().arg("diagnose").arg("--from").arg(&empty));
    assert_eq!(err, format!("k8sdoc: error: nothing to diagnose: {} is blank\n", empty.display()));
}

#[test]
fn a_long_file_without_a_signal_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.txt");
    let text: String = (1..=30).map(|i| format!("line {i} of a shopping list\n")).collect();
    std::fs::write(&notes, text).unwrap();
    let err = error_of(k8sdoc().arg("diagnose").arg("--from").arg(&notes));
    assert_eq!(
        err,
        format!(
            "k8sdoc: error: nothing to diagnose: no signal k8sdoc recognises in {}, and at 30 lines it is too \
             long to read as a description (up to 20); describe what you see with --symptom TEXT\n",
            notes.display()
        )
    );
    // The same text on stdin names stdin.
    let text: String = (1..=30).map(|i| format!("line {i} of a shopping list\n")).collect();
    let err = error_of(k8sdoc().args(["diagnose", "--from", "-"]).write_stdin(text));
    assert!(err.contains("no signal k8sdoc recognises in stdin, and at 30 lines"), "{err}");
}

#[test]
fn an_empty_file_beside_a_symptom_is_no_error() {
    k8sdoc()
        .args(["diagnose", "--from", "/dev/null", "-s", "OOMKilled", "--format", "json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"results\""));
}

#[test]
fn no_input_at_all_says_how_to_give_one() {
    let err = error_of(k8sdoc().arg("diagnose"));
    assert_eq!(
        err,
        "k8sdoc: error: nothing to diagnose: give --symptom TEXT, or --from FILE (`-` for stdin) with pasted output\n"
    );
    let err = error_of(k8sdoc().args(["diagnose", "-s", "  "]));
    assert_eq!(
        err,
        "k8sdoc: error: nothing to diagnose: --symptom is blank; give --symptom TEXT, or --from FILE (`-` for \
         stdin) with pasted output\n"
    );
}

const KNOWN: &str = "the catalog's categories: Cluster Management, Control Plane, Networking, Nodes, Scaling, \
                     Scheduling, Security, Storage, Workloads\n";

#[test]
fn an_unknown_category_lists_the_known_ones_in_diagnose_list_and_search() {
    let expected = format!("k8sdoc: error: unknown category `netwrk` (did you mean `Networking`?); {KNOWN}");
    // diagnose reads the categories from the index: built now, then read from the cache.
    let cache = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let mut cmd = k8sdoc();
        cmd.env("K8SDOC_CACHE_DIR", cache.path()).args(["diagnose", "-s", "dns timeout", "--category", "netwrk"]);
        assert_eq!(error_of(&mut cmd), expected);
    }
    assert_eq!(error_of(k8sdoc().args(["list", "--category", "netwrk"])), expected);
    assert_eq!(error_of(k8sdoc().args(["search", "-i", "dns", "--category", "netwrk"])), expected);
    assert_eq!(
        error_of(k8sdoc().args(["list", "--category", "no-such-area"])),
        format!("k8sdoc: error: unknown category `no-such-area`; {KNOWN}")
    );
}

#[test]
fn a_known_category_compares_without_case_or_punctuation() {
    k8sdoc().args(["list", "--category", "CONTROL_plane"]).assert().success();
    k8sdoc().args(["search", "-i", "etcd", "--category", "control plane"]).assert().success();
    k8sdoc().args(["diagnose", "-s", "etcd database space exceeded", "--category", "Control-Plane"]).assert().success();
}

#[test]
fn a_catalog_without_categories_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.md");
    std::fs::write(
        &file,
        "### Scenario #5001: Widget Queue Stuck\n\n**Summary:** The widget queue stops draining.\n\n\
         **Fix / Workaround:**\n- Restart the widget worker.\n",
    )
    .unwrap();
    let err = error_of(k8sdoc().arg("--no-builtin").arg("--scenarios").arg(&file).args(["list", "--category", "x"]));
    assert_eq!(err, "k8sdoc: error: unknown category `x`: no scenario in the catalog has a category\n");
}

#[test]
fn a_limit_of_0_is_a_usage_error_from_the_flag() {
    for flag in ["-n", "--limit"] {
        k8sdoc()
            .args(["diagnose", "-s", "OOMKilled", flag, "0"])
            .assert()
            .code(2)
            .stdout("")
            .stderr(predicate::str::contains("invalid value '0' for '--limit <N>'"));
    }
    k8sdoc().args(["diagnose", "-s", "OOMKilled", "-n", "1", "--format", "json"]).assert().success();
}

#[test]
fn a_limit_of_0_names_the_environment_variable_or_the_config_file() {
    let err = error_of(k8sdoc().env("K8SDOC_LIMIT", "0").args(["diagnose", "-s", "OOMKilled"]));
    assert_eq!(err, "k8sdoc: error: K8SDOC_LIMIT must be 1 or more, not 0\n");

    let config = tempfile::tempdir().unwrap();
    let file = config.path().join("config.yaml");
    std::fs::write(&file, "limit: 0\n").unwrap();
    let err = error_of(k8sdoc().env("K8SDOC_CONFIG_DIR", config.path()).args(["diagnose", "-s", "OOMKilled"]));
    assert_eq!(err, format!("k8sdoc: error: {}: limit must be 1 or more, not 0\n", file.display()));
    // A higher layer that gives a real limit wins over the file's 0, as it would over any value.
    k8sdoc()
        .env("K8SDOC_CONFIG_DIR", config.path())
        .env("K8SDOC_LIMIT", "2")
        .args(["diagnose", "-s", "OOMKilled", "--format", "json"])
        .assert()
        .success();
}
