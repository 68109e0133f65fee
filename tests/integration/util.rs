//! Helpers for the integration tests: the real binary, isolated from the user's setup.

use std::path::PathBuf;

use assert_cmd::Command;

/// Every path into the library that the tests use, here and nowhere else, so that moving a
/// module of the library means editing this block only.
pub mod lib_api {
    pub use k8sdoc::catalog::model::{Item, Origin, Scenario, Source, SourceFile};
    pub use k8sdoc::catalog::mojibake::repair;
    pub use k8sdoc::catalog::parse::parse_catalog;
    pub use k8sdoc::fuzzing::analyze as analyze_bytes;
    pub use k8sdoc::fuzzing::extract_streamed;
    pub use k8sdoc::output::scenario_markdown;
}

/// `k8sdoc` with no user config, no `K8SDOC_SCENARIOS`, no colour from the environment.
pub fn k8sdoc() -> Command {
    Command::from_std(k8sdoc_process())
}

/// The same, as a plain `std::process::Command`, for tests that handle the child process.
pub fn k8sdoc_process() -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("k8sdoc"));
    cmd.env_remove("K8SDOC_SCENARIOS")
        .env_remove("NO_COLOR")
        .env_remove("K8SDOC_PAGER")
        .env_remove("PAGER")
        .env("K8SDOC_CONFIG_DIR", "/nonexistent/k8sdoc-test-config")
        .env("K8SDOC_CACHE_DIR", concat!(env!("CARGO_TARGET_TMPDIR"), "/k8sdoc-cache"))
        .current_dir(repo());
    cmd
}

/// A YAML test data file, deserialised; a broken one fails the test naming the file.
pub fn read_yaml<T: serde::de::DeserializeOwned>(path: &std::path::Path) -> T {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    yaml_serde::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The user's seed document exactly as it came, mojibake included: a byte-identical copy of
/// `shared/seeds/000_ba7665459b575de8.txt`.
pub fn seed_path() -> PathBuf {
    repo().join("tests/data/seed.txt")
}

pub fn fixture(rel: &str) -> PathBuf {
    repo().join("tests/fixtures").join(rel)
}

pub fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

/// Scenario number -> coverage keys, for the whole built-in catalog, through the binary.
pub fn catalog_covers() -> std::collections::HashMap<u64, std::collections::HashSet<String>> {
    let list: serde_json::Value =
        serde_json::from_slice(&k8sdoc().args(["list", "--format", "json"]).output().unwrap().stdout).unwrap();
    let ids: Vec<String> = list.as_array().unwrap().iter().map(|s| s["id"].to_string()).collect();
    let out = k8sdoc().arg("show").args(&ids).args(["--format", "json"]).output().unwrap();
    let all: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut covers: std::collections::HashMap<u64, std::collections::HashSet<String>> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let keys = s["covers"].as_array().unwrap().iter().map(|k| k.as_str().unwrap().to_string()).collect();
            (s["id"].as_u64().unwrap(), keys)
        })
        .collect();
    // The seed scenarios (1-22) are the user's document as it came, so they carry no Covers
    // line; a built-in symptom rule that names one curates it for the rule's keys.
    for (seed, keys) in seed_covers_from_rules() {
        covers.entry(seed).or_default().extend(keys);
    }
    covers
}

/// Seed scenario -> the `covers:` keys of the built-in rules whose `scenarios:` name it.
fn seed_covers_from_rules() -> Vec<(u64, Vec<String>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(repo().join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let doc: serde_json::Value = yaml_serde::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for rule in doc["symptoms"].as_array().into_iter().flatten() {
            let keys: Vec<String> = rule["covers"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|k| k.as_str().map(str::to_string))
                .collect();
            for id in rule["scenarios"].as_array().into_iter().flatten().filter_map(|v| v.as_u64()) {
                if id <= 22 {
                    out.push((id, keys.clone()));
                }
            }
        }
    }
    out
}
