//! The module map of docs/architecture.md, enforced: every `crate::` and `super::` path in
//! `src/` is resolved to the subsystem it names, and an arrow the map does not allow fails.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::util::repo;

/// Which subsystems each may use (itself always allowed). `knowledge`, `yaml` and
/// `exit_codes` are leaves; `commands` wires everything; `engine` and `catalog` never reach
/// up to `cli` or `output`.
const ALLOWED: &[(&str, &[&str])] = &[
    ("lib", &["cli", "commands", "exit_codes", "output"]),
    ("main", &[]),
    ("fuzzing", &["analyze", "encoding", "engine"]),
    (
        "commands",
        &["analyze", "catalog", "cli", "encoding", "engine", "exit_codes", "hash", "knowledge", "output", "yaml"],
    ),
    ("cli", &["catalog", "encoding", "engine", "hash", "yaml"]),
    ("output", &["analyze", "catalog", "engine", "yaml"]),
    ("analyze", &["catalog", "encoding", "engine", "hash", "knowledge", "yaml"]),
    ("engine", &["catalog", "encoding", "hash", "knowledge", "yaml"]),
    ("catalog", &["encoding", "hash", "knowledge"]),
    ("knowledge", &[]),
    ("yaml", &[]),
    ("encoding", &[]),
    ("hash", &[]),
    ("exit_codes", &[]),
];

/// Calls that write to disk or map files: only the index store does that, and `new`, which
/// writes the scenario file the user asked for.
const DISK_WRITES: &[&str] =
    &["fs::write", "File::create", "OpenOptions", "fs::rename", "fs::remove_file", "create_dir_all", "memmap2"];
const MAY_WRITE: &[&str] = &["src/engine/store/", "src/commands/new.rs"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a source file: `src/engine/store/mod.rs` -> [engine, store].
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel.iter().skip(1).map(|p| p.to_string_lossy().into_owned()).collect();
    let file = parts.pop().unwrap();
    match file.as_str() {
        "lib.rs" | "main.rs" if parts.is_empty() => vec![file.trim_end_matches(".rs").to_string()],
        "mod.rs" => parts,
        _ => {
            parts.push(file.trim_end_matches(".rs").to_string());
            parts
        }
    }
}

/// The subsystems a line's paths name, resolved from module `here`.
fn targets(line: &str, here: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let code = line.split("//").next().unwrap_or("");
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before = &rest[..at];
        rest = &rest[at + "crate::".len()..];
        if before.ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue; // `$crate::` or an identifier ending in `crate`
        }
        if let Some(group) = rest.strip_prefix('{') {
            let inner = group.split('}').next().unwrap_or("");
            out.extend(inner.split(',').map(|p| p.trim().split("::").next().unwrap_or("").to_string()));
        } else {
            out.push(rest.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or("").to_string());
        }
    }
    // `super::x` from a file directly under a subsystem (its mod.rs's children resolve within
    // it); from `engine/mod.rs` itself, `super` is the crate root.
    let mut rest = code;
    while let Some(at) = rest.find("super::") {
        let before = &rest[..at];
        rest = &rest[at..];
        let mut level = here.len();
        while let Some(after) = rest.strip_prefix("super::") {
            level = level.saturating_sub(1);
            rest = after;
        }
        if before.ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if level == 0 {
            out.push(rest.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or("").to_string());
        }
    }
    out.retain(|t| !t.is_empty() && t != "self");
    out
}

#[test]
fn imports_follow_the_module_map() {
    let root = repo();
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let allowed: BTreeMap<&str, BTreeSet<&str>> =
        ALLOWED.iter().map(|(m, deps)| (*m, deps.iter().copied().collect())).collect();
    // The subcommands' modules: what a command may not name.
    let commands: BTreeSet<String> = files
        .iter()
        .filter_map(|f| f.strip_prefix(root.join("src/commands")).ok())
        .map(|f| f.to_string_lossy().trim_end_matches(".rs").to_string())
        .filter(|name| name != "mod")
        .collect();
    let mut violations = Vec::new();
    let mut in_tests = false;
    for file in &files {
        let rel = file.strip_prefix(&root).unwrap();
        let here = module_path(rel);
        let subsystem = here[0].as_str();
        let Some(deps) = allowed.get(subsystem) else {
            violations.push(format!("{}: subsystem `{subsystem}` is not in the module map", rel.display()));
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            // Unit tests may reach anything to set up their case.
            if line.starts_with("#[cfg(test)]") {
                in_tests = true;
            }
            if in_tests {
                continue;
            }
            for target in targets(line, &here) {
                if target != subsystem && allowed.contains_key(target.as_str()) && !deps.contains(target.as_str()) {
                    violations.push(format!(
                        "{}:{}: `{subsystem}` may not use `{target}`: {}",
                        rel.display(),
                        n + 1,
                        line.trim()
                    ));
                }
            }
            if subsystem == "commands" && here.len() > 1 {
                for sibling in targets_within_commands(line) {
                    if sibling != here[1] && commands.contains(&sibling) {
                        violations.push(format!(
                            "{}:{}: commands do not use each other (`{sibling}`)",
                            rel.display(),
                            n + 1
                        ));
                    }
                }
            }
            let path = rel.to_string_lossy().replace('\\', "/");
            if DISK_WRITES.iter().any(|w| line.contains(w)) && !MAY_WRITE.iter().any(|m| path.starts_with(m)) {
                violations.push(format!(
                    "{}:{}: only engine::store writes to disk: {}",
                    rel.display(),
                    n + 1,
                    line.trim()
                ));
            }
        }
        in_tests = false;
    }
    assert!(violations.is_empty(), "forbidden dependencies:\n{}", violations.join("\n"));
}

/// Sibling commands named by a line of a command file (`super::show`, `crate::commands::show`).
fn targets_within_commands(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    for prefix in ["crate::commands::", "super::"] {
        let mut rest = line;
        while let Some(at) = rest.find(prefix) {
            rest = &rest[at + prefix.len()..];
            let name = rest.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or("");
            if !name.is_empty() && name != "super" {
                out.push(name.to_string());
            }
        }
    }
    out
}

#[test]
fn the_checker_sees_a_forbidden_import() {
    // The check is only as good as its path resolution: prove it catches each shape.
    let engine_file = ["engine".to_string(), "rank".to_string()];
    assert_eq!(targets("use crate::output::style::Palette;", &engine_file), ["output"]);
    assert_eq!(targets("use crate::{cli, yaml};", &engine_file), ["cli", "yaml"]);
    assert_eq!(targets("let p = crate::cli::config::cache_dir();", &engine_file), ["cli"]);
    assert!(targets("use super::bm25::Bm25;", &engine_file).is_empty());
    let engine_root = ["engine".to_string()];
    assert_eq!(targets("use super::output::x;", &engine_root), ["output"]);
    assert_eq!(targets_within_commands("use super::show::parse_id;"), ["show"]);
    assert_eq!(module_path(Path::new("src/engine/store/mod.rs")), ["engine", "store"]);
    assert_eq!(module_path(Path::new("src/lib.rs")), ["lib"]);
}
