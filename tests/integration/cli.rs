//! The commands through the real binary: output, exit codes, catalog layers, bad input.

use crate::util::{fixture, k8sdoc, k8sdoc_process, seed_path, stdout_of};
use predicates::prelude::*;
use serde_json::Value;

// Snapshots in tests/integration/snapshots/. A changed output fails and leaves a `.snap.new`
// beside the snapshot; `INSTA_UPDATE=always cargo test golden` accepts it (review the diff).
// With `CI=true`, nothing is written.

#[test]
fn golden_show_15() {
    let out = stdout_of(k8sdoc().args(["show", "15", "--color", "never"]));
    insta::assert_snapshot!("show-15", out);
}

#[test]
fn golden_list_of_seed_category() {
    let out = stdout_of(k8sdoc().args(["list", "--category", "cluster-management", "--color", "never"]));
    insta::assert_snapshot!("list-cluster-management", out);
}

#[test]
fn show_markdown_reparses_to_the_same_scenario() {
    let dir = tempfile::tempdir().unwrap();
    for id in ["1", "4", "11", "12", "22"] {
        let md = stdout_of(k8sdoc().args(["show", id, "--format", "markdown"]));
        let path = dir.path().join(format!("{id}.md"));
        std::fs::write(&path, &md).unwrap();
        let original: Value =
            serde_json::from_str(&stdout_of(k8sdoc().args(["show", id, "--format", "json"]))).unwrap();
        let reparsed: Value = serde_json::from_str(&stdout_of(
            k8sdoc().arg("--no-builtin").arg("--scenarios").arg(&path).args(["show", id, "--format", "json"]),
        ))
        .unwrap();
        let strip = |mut v: Value| {
            v[0].as_object_mut().unwrap().remove("source");
            v
        };
        assert_eq!(strip(original), strip(reparsed), "scenario {id} changed through markdown");
    }
}

#[test]
fn show_json_has_the_contract_keys() {
    let v: Value = serde_json::from_str(&stdout_of(k8sdoc().args(["show", "15", "--format", "json"]))).unwrap();
    let s = &v.as_array().unwrap()[0];
    for key in [
        "id",
        "title",
        "category",
        "environment",
        "summary",
        "what_happened",
        "diagnosis_steps",
        "root_cause",
        "fix",
        "lessons_learned",
        "how_to_avoid",
        "pro_tip",
        "source",
    ] {
        assert!(s.get(key).is_some(), "missing {key}");
    }
    assert_eq!(s["id"], 15);
    assert!(s["source"].as_str().unwrap().starts_with("scenarios/cluster-management.md:"));
}

#[test]
fn show_yaml_parses() {
    let out = stdout_of(k8sdoc().args(["show", "4", "--format", "yaml"]));
    assert!(out.contains("title: Etcd Disk Full Causing API Server Timeout"));
    assert!(out.contains("- etcdctl defrag"));
}

#[test]
fn show_unknown_id_suggests_close_numbers() {
    k8sdoc()
        .args(["show", "23"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no scenario #23").and(predicate::str::contains("close matches: #2")));
    k8sdoc().args(["show", "etcd"]).assert().code(2).stderr(predicate::str::contains("not a scenario number"));
}

#[test]
fn list_json_shape() {
    let v: Value = serde_json::from_str(&stdout_of(k8sdoc().args(["list", "--format", "json"]))).unwrap();
    let rows = v.as_array().unwrap();
    assert!(rows.len() >= 22);
    for key in ["id", "title", "category", "environment", "source"] {
        assert!(rows[0].get(key).is_some(), "missing {key}");
    }
    assert_eq!(rows[0].as_object().unwrap().len(), 5);
}

#[test]
fn search_is_grep_like() {
    k8sdoc()
        .args(["search", "-i", "FINALIZER", "--field", "title", "--color", "never"])
        .assert()
        .success()
        .stdout(predicate::str::contains("22:title: Stale Finalizers Preventing Namespace Deletion"));
    let ids = stdout_of(k8sdoc().args(["search", "-l", "-F", "etcdctl defrag"]));
    assert!(ids.lines().any(|l| l == "4"), "{ids}");
    let counts = stdout_of(k8sdoc().args(["search", "-c", "-w", "PDB", "--category", "Cluster Management"]));
    assert!(counts.lines().any(|l| l.starts_with("15:")), "{counts}");
    k8sdoc().args(["search", "zzz-no-such-text-zzz"]).assert().code(1).stdout("");
    k8sdoc().args(["search", "("]).assert().code(2).stderr(predicate::str::contains("invalid pattern"));
    k8sdoc()
        .args(["search", "x", "--field", "nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown field"));
}

#[test]
fn search_word_and_fixed_differ_from_regex() {
    // `-F` takes regex metacharacters literally; `-w` needs word boundaries.
    k8sdoc().args(["search", "-F", "kubectl get csr.*"]).assert().code(1);
    k8sdoc().args(["search", "kubectl get csr.*"]).assert().success();
    let word = stdout_of(k8sdoc().args(["search", "-w", "-l", "etc"]));
    assert!(!word.lines().any(|l| l == "4"));
}

#[test]
fn search_highlights_matches_with_color() {
    k8sdoc()
        .args(["search", "defrag", "--field", "fix", "--color", "always"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\x1b[1;31mdefrag\x1b[0m"));
}

#[test]
fn plain_text_variant_loads_whole_with_duplicate_numbers() {
    let out = k8sdoc()
        .arg("--no-builtin")
        .arg("--scenarios")
        .arg(fixture("plain/collection.txt"))
        .args(["show", "101", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("scenario #101 is defined 2 times")
            && stderr.contains("collection.txt:2")
            && stderr.contains("collection.txt:38"),
        "{stderr}"
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let both = v.as_array().unwrap();
    assert_eq!(both.len(), 2);
    assert_eq!(both[0]["title"], "Ingress Controller Lost Its Lease After a Zone Outage");
    assert_eq!(
        both[0]["summary"],
        "Two ingress controller replicas both believed they were leader after a network partition healed."
    );
    assert_eq!(
        both[0]["fix"],
        serde_json::json!([
            "kubectl rollout restart deployment/ingress-nginx-controller -n ingress-nginx",
            "kubectl get lease -n ingress-nginx"
        ])
    );
    assert_eq!(both[0]["diagnosis_steps"].as_array().unwrap().len(), 3);
    assert_eq!(both[1]["category"], "Storage");
    let listed: Value = serde_json::from_str(&stdout_of(
        k8sdoc()
            .arg("--no-builtin")
            .arg("-q")
            .arg("--scenarios")
            .arg(fixture("plain/collection.txt"))
            .args(["list", "--format", "json"]),
    ))
    .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 3);
    k8sdoc()
        .arg("--no-builtin")
        .args(["lint"])
        .arg(fixture("plain/collection.txt"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("scenario #101 is defined 2 times"));
}

#[test]
fn quiet_silences_warnings() {
    k8sdoc()
        .args(["-q", "--no-builtin", "--scenarios"])
        .arg(fixture("plain/collection.txt"))
        .arg("list")
        .assert()
        .success()
        .stderr("");
}

#[test]
fn folder_skips_non_scenario_files_and_says_so_under_verbose() {
    k8sdoc()
        .args(["--no-builtin", "-v", "--scenarios"])
        .arg(fixture("folder"))
        .arg("catalog")
        .assert()
        .success()
        .stdout(predicate::str::contains("1 scenarios").and(predicate::str::contains("skipped")))
        .stderr(predicate::str::contains("README.md"));
    k8sdoc().args(["--no-builtin", "--scenarios"]).arg(fixture("folder")).args(["show", "5001"]).assert().success();
}

#[test]
fn a_named_file_without_scenarios_is_an_error() {
    k8sdoc()
        .args(["--no-builtin", "--scenarios"])
        .arg(fixture("folder/README.md"))
        .arg("list")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("README.md:1: no scenarios found"));
}

#[test]
fn unreadable_path_is_an_error_naming_it() {
    k8sdoc()
        .args(["--scenarios", "/no/such/catalog.md", "list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/no/such/catalog.md: cannot read"));
}

#[test]
fn layers_env_and_config_dir_add_scenarios() {
    let config = tempfile::tempdir().unwrap();
    std::fs::create_dir(config.path().join("scenarios")).unwrap();
    std::fs::copy(fixture("folder/nested/team.md"), config.path().join("scenarios/team.md")).unwrap();
    let out =
        stdout_of(k8sdoc().env("K8SDOC_CONFIG_DIR", config.path()).args(["list", "--verbose", "--color", "never"]));
    assert!(out.contains("5001") && out.contains("config dir"), "{out}");
    let out = stdout_of(k8sdoc().env("K8SDOC_SCENARIOS", fixture("plain/collection.txt")).args(["-q", "show", "102"]));
    assert!(out.contains("Quota Blocked a Hotfix Rollout"));
}

#[test]
fn numberless_heading_is_reported_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.md");
    std::fs::write(&path, "### Scenario #1: Fine\n**Category:** A\n\n### Scenario: No Number Here\n**Category:** B\n")
        .unwrap();
    k8sdoc()
        .args(["--no-builtin", "lint"])
        .arg(&path)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("bad.md:4: error: scenario heading has no number"));
}

#[test]
fn invalid_utf8_loads_with_a_warning_naming_the_offset() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.md");
    let mut bytes = b"### Scenario #9001: Caf".to_vec();
    bytes.push(0xE9);
    bytes.extend_from_slice(b" Outage\n**Category:** Workloads\n");
    std::fs::write(&path, bytes).unwrap();
    k8sdoc()
        .args(["--no-builtin", "--scenarios"])
        .arg(&path)
        .args(["show", "9001", "--color", "never"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Caf\u{FFFD} Outage"))
        .stderr(predicate::str::contains("latin1.md:1: warning: invalid UTF-8 at byte offset 23"));
}

#[test]
fn escape_sequences_in_catalog_text_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evil.md");
    std::fs::write(
        &path,
        "### Scenario #666: Title \x1b]0;pwned\x07 and \x1b[2J clear\n**Category:** X\x1b[31m\n\n**Summary:** s\u{9b}31m\n\n**Fix / Workaround:**\n```bash\necho \x1b[2J\n```\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = k8sdoc().arg("--no-builtin").arg("--scenarios").arg(&path).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    for args in [
        vec!["show", "666", "--color", "always"],
        vec!["show", "666", "--format", "markdown"],
        vec!["show", "666", "--format", "yaml"],
        vec!["list", "--color", "always"],
        vec!["list", "--format", "yaml"],
        vec!["search", "pwned", "--color", "always"],
        vec!["search", "-c", "."],
    ] {
        let out = run(&args);
        let raw: Vec<&str> = out.matches('\x1b').collect();
        // Only our own SGR colour codes (ESC [ digits ; m) may appear.
        let own = out.matches("\x1b[").count() - out.matches("\x1b[2J").count();
        assert_eq!(raw.len(), own, "{args:?} leaked an escape: {out:?}");
        assert!(!out.contains('\x07') && !out.contains('\u{9b}') && !out.contains("\x1b]"), "{args:?}: {out:?}");
        assert!(!out.contains("\x1b[2J"), "{args:?}: {out:?}");
    }
    let json = run(&["show", "666", "--format", "json"]);
    assert!(json.contains("\\u001b]0;pwned\\u0007"), "{json}");
}

#[test]
fn closed_pipe_is_a_quiet_exit() {
    use std::io::Read;
    use std::process::Stdio;
    // Each command must print far more than a pipe buffer holds (64 KiB on Linux), or it could
    // finish writing before the reader closes and never meet the closed pipe: 3000 scenarios,
    // one per file, the files with long names (`catalog` prints a line per file).
    let dir = tempfile::tempdir().unwrap();
    let long_name = "a-long-file-name-to-make-a-long-catalog-line-".repeat(3);
    for i in 0..3000 {
        std::fs::write(
            dir.path().join(format!("{i:04}-{long_name}.md")),
            format!(
                "### Scenario #{}: Generated Scenario {i} for the Closed Pipe\n**Category:** Generated\n\n\
                 **Environment:** test\n\n**Summary:** Generated.\n",
                20_000 + i
            ),
        )
        .unwrap();
    }
    for args in [["list"], ["catalog"]] {
        let command = || {
            let mut cmd = k8sdoc_process();
            cmd.arg("--scenarios").arg(dir.path()).args(args);
            cmd
        };
        let full = command().output().unwrap();
        assert!(full.status.success() && full.stderr.is_empty(), "{args:?}: {}", String::from_utf8_lossy(&full.stderr));
        assert!(full.stdout.len() > 256 * 1024, "{args:?} prints only {} bytes", full.stdout.len());

        // Read one byte, then close the pipe while the command is still writing.
        let mut child = command().stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 1];
        stdout.read_exact(&mut first).unwrap();
        drop(stdout);
        let mut stderr = String::new();
        child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{args:?}: {status}");
        assert_eq!(stderr, "", "{args:?}");
    }
}

#[test]
fn lint_is_clean_on_the_builtin_catalog_and_raw_seed_loads() {
    k8sdoc().args(["lint", "scenarios/"]).assert().success().stdout(predicate::str::contains("0 errors, 0 warnings"));
    k8sdoc()
        .arg("lint")
        .arg(seed_path())
        .assert()
        .success()
        .stdout(predicate::str::contains("mojibake").and(predicate::str::contains("checked 22 scenarios")));
}

#[test]
fn lint_reports_missing_sections_and_unknown_labels() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("thin.md");
    std::fs::write(&path, "### Scenario #7001: Thin\n**Category:** A\n\n**Mood:** grim\n").unwrap();
    k8sdoc().arg("lint").arg(&path).assert().code(1).stdout(
        predicate::str::contains("thin.md:1: error: scenario #7001 is missing required sections: Environment, Summary")
            .and(predicate::str::contains("thin.md:4: warning: scenario #7001: unknown section label `Mood`")),
    );
}

#[test]
fn usage_errors_exit_2() {
    k8sdoc().args(["show"]).assert().code(2);
    k8sdoc().args(["frobnicate"]).assert().code(2);
    k8sdoc().args(["list", "--color", "sometimes"]).assert().code(2);
}

#[test]
fn a_stray_fence_does_not_swallow_the_next_scenarios() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stray.md");
    std::fs::write(
        &path,
        "### Scenario #1: A\n**Fix:**\n```bash\nkubectl get pods\n\n### Scenario #2: B\n**Category:** Y\n",
    )
    .unwrap();
    let out = k8sdoc()
        .arg("--no-builtin")
        .arg("--scenarios")
        .arg(&path)
        .args(["show", "2", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("stray.md:3: warning: code fence opened here is not closed"));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["category"], "Y");
}
