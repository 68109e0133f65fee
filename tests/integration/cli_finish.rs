//! Fit and finish: completions, man page, help, pager, config precedence, `new`, `--version`.

use crate::util::{fixture, k8sdoc};
use predicates::prelude::*;
use serde_json::Value;

#[test]
fn man_page_generates() {
    k8sdoc().arg("man").assert().success().stdout(
        predicate::str::starts_with(".ie")
            .and(predicate::str::contains(".TH k8sdoc 1"))
            .and(predicate::str::contains("diagnose")),
    );
}

#[test]
fn no_arguments_print_a_short_usage() {
    k8sdoc()
        .assert()
        .code(2)
        .stderr(predicate::str::contains("k8sdoc diagnose --symptom").and(predicate::str::contains("k8sdoc show 15")));
}

#[test]
fn every_subcommand_help_has_examples() {
    for sub in ["diagnose", "show", "list", "search", "lint", "catalog", "new", "completions", "man", "config"] {
        let out = k8sdoc().args([sub, "--help"]).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(out.status.success(), "{sub}");
        assert!(text.contains("Example"), "{sub} --help has no examples:\n{text}");
    }
}

#[test]
fn version_counts_built_in_scenarios() {
    k8sdoc()
        .arg("--version")
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"^k8sdoc \d+\.\d+\.\d+ \(\d{3} built-in scenarios\)\n$").unwrap());
}

#[test]
fn pager_is_never_used_when_piped() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("pager-ran");
    k8sdoc()
        .env("K8SDOC_PAGER", format!("touch {}", marker.display()))
        .args(["show", "15"])
        .assert()
        .success()
        .stdout(predicate::str::contains("PodDisruptionBudget"));
    assert!(!marker.exists());
}

fn config_line(cmd: &mut assert_cmd::Command, key: &str) -> String {
    let out = String::from_utf8(cmd.arg("config").output().unwrap().stdout).unwrap();
    out.lines().find(|l| l.starts_with(&format!("{key}:"))).unwrap_or_default().to_string()
}

#[test]
fn precedence_is_flag_then_env_then_config_file_then_default() {
    let config = tempfile::tempdir().unwrap();
    let with_config = || {
        let mut cmd = k8sdoc();
        cmd.env("K8SDOC_CONFIG_DIR", config.path());
        cmd
    };
    assert!(
        config_line(&mut with_config(), "limit").contains("5")
            && config_line(&mut with_config(), "limit").contains("(default)")
    );
    std::fs::write(config.path().join("config.yaml"), "limit: 2\ncolor: always\npager: false\n").unwrap();
    assert!(config_line(&mut with_config(), "limit").contains("(config file)"));
    assert!(config_line(&mut with_config(), "color").contains("always"));
    assert!(config_line(&mut with_config(), "pager").contains("off"));
    assert!(config_line(with_config().env("K8SDOC_LIMIT", "3"), "limit").contains("(env K8SDOC_LIMIT)"));
    assert!(config_line(with_config().env("K8SDOC_COLOR", "never"), "color").contains("never"));

    let results = |cmd: &mut assert_cmd::Command, extra: &[&str]| -> usize {
        let out = cmd.args(["diagnose", "-s", "OOMKilled", "--format", "json"]).args(extra).output().unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["results"].as_array().unwrap().len()
    };
    assert_eq!(results(&mut with_config(), &[]), 2);
    assert_eq!(results(with_config().env("K8SDOC_LIMIT", "3"), &[]), 3);
    assert_eq!(results(with_config().env("K8SDOC_LIMIT", "3"), &["--limit", "4"]), 4);
    // The config file's colour applies to output, and the flag still wins.
    let coloured = with_config().args(["search", "defrag"]).output().unwrap();
    assert!(String::from_utf8_lossy(&coloured.stdout).contains('\x1b'));
    let plain = with_config().args(["search", "defrag", "--color", "never"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&plain.stdout).contains('\x1b'));
}

#[test]
fn broken_config_names_the_file_and_line() {
    let config = tempfile::tempdir().unwrap();
    std::fs::write(config.path().join("config.yaml"), "limit: 3\ncolour: never\n").unwrap();
    k8sdoc()
        .env("K8SDOC_CONFIG_DIR", config.path())
        .args(["list"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("config.yaml:2:").and(predicate::str::contains("colour")));
}

#[test]
fn config_file_scenario_folders_are_loaded() {
    let config = tempfile::tempdir().unwrap();
    std::fs::write(config.path().join("config.yaml"), format!("scenarios:\n  - {}\n", fixture("folder").display()))
        .unwrap();
    k8sdoc().env("K8SDOC_CONFIG_DIR", config.path()).args(["show", "5001"]).assert().success();
}

#[test]
fn new_writes_a_template_never_overwrites_and_lint_accepts_it_filled() {
    let config = tempfile::tempdir().unwrap();
    let out = k8sdoc()
        .env("K8SDOC_CONFIG_DIR", config.path())
        .args(["new", "--title", "Disk full on build nodes"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let path = std::path::PathBuf::from(String::from_utf8(out.stdout).unwrap().trim());
    assert!(path.starts_with(config.path().join("scenarios")));
    assert!(path.file_name().unwrap().to_string_lossy().starts_with("5001-disk-full-on-build-nodes"));
    let template = std::fs::read_to_string(&path).unwrap();

    // Unfilled, lint refuses it; a second `new` at the same path refuses to overwrite.
    k8sdoc().arg("lint").arg(&path).assert().code(1).stdout(predicate::str::contains("still holds template text"));
    k8sdoc().arg("new").arg(&path).assert().code(2).stderr(predicate::str::contains("already exists"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), template);

    // The next `new` takes the next number.
    let second = k8sdoc().env("K8SDOC_CONFIG_DIR", config.path()).args(["new"]).output().unwrap();
    assert!(String::from_utf8(second.stdout).unwrap().contains("5002-"));

    let filled: String = template
        .lines()
        .map(|l| match l.find("TODO") {
            Some(i) => format!("{}Filled in by the on-call engineer.", &l[..i]),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(
        &path,
        filled.replace("**Covers:** Filled in by the on-call engineer.", "**Covers:** node.diskpressure"),
    )
    .unwrap();
    k8sdoc()
        .arg("lint")
        .arg("--strict")
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains("0 errors, 0 warnings"));
}
