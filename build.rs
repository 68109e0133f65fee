//! Embeds the built-in catalog in the binary and validates the data it ships, so a broken
//! scenario rule or knowledge file fails the build instead of a user's command (as bat
//! validates its bundled syntaxes):
//! - every `scenarios/*.md` (the scenarios) and every symptom rule file `scenarios/*.yaml`;
//! - `scenarios/kubernetes.yaml`, compiled into Rust statics (see `src/knowledge/`);
//! - a fingerprint of the index encoder's source, part of every index's cache key, so a changed
//!   encoder never reads an index file an older one wrote.

use std::collections::HashMap;
use std::env;
use std::fmt::Write as _;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

#[allow(dead_code)] // the crate evaluates the checks; the build only validates them
#[path = "src/analyze/checks/spec.rs"]
mod check_spec;
#[allow(dead_code)] // the crate reads every field; the build checks a few
#[path = "src/engine/rule_spec.rs"]
mod rule_spec;
#[path = "src/knowledge/schema.rs"]
mod schema;

/// The knowledge file: data for the readers, not symptom rules.
const KNOWLEDGE_FILE: &str = "kubernetes.yaml";
/// `analyze`'s data checks: not symptom rules either.
const CHECKS_FILE: &str = "checks.yaml";
/// The index encoder and decoder: their source is fingerprinted into the cache key.
const STORE_DIR: &str = "src/engine/store";
/// What decides an index's content besides the catalog (the tokenizer, the sections' weights,
/// how documents are indexed and linked): fingerprinted too, so a change rebuilds the index.
const INDEX_SOURCES: [&str; 3] = ["src/engine/index.rs", "src/engine/tokenize.rs", "src/catalog/sections.rs"];

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("scenarios");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = fs::read_dir(&dir)
        .expect("scenarios/ exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md") || n.ends_with(".yaml"))
        .collect();
    names.sort();
    let scenario_files: Vec<&String> = names.iter().filter(|n| n.ends_with(".md")).collect();
    let rule_files: Vec<&String> =
        names.iter().filter(|n| n.ends_with(".yaml") && *n != KNOWLEDGE_FILE && *n != CHECKS_FILE).collect();

    let mut code = String::new();
    embed(&mut code, &dir, "BUILTIN", "The built-in scenarios", &scenario_files);
    embed(&mut code, &dir, "BUILTIN_RULES", "The built-in symptom rules", &rule_files);
    let symptom_ids = validate_rules(&dir, &rule_files);
    validate_checks(&dir.join(CHECKS_FILE), &symptom_ids);

    // A fingerprint of everything embedded, so a cached index of the built-in catalog is
    // rebuilt whenever a scenario or rule changes.
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for name in &names {
        name.hash(&mut hasher);
        fs::read(dir.join(name)).unwrap().hash(&mut hasher);
    }
    writeln!(
        code,
        "/// Hash of every embedded file's name and contents.\npub(crate) const FINGERPRINT: u64 = {};",
        hasher.finish()
    )
    .unwrap();

    // The number of scenarios, for `--version`. The parser proper lives in the crate; a heading
    // line is all this needs.
    let mut count = 0;
    for name in &scenario_files {
        for line in fs::read_to_string(dir.join(name)).unwrap().lines() {
            if let Some(rest) = line.strip_prefix('#').and_then(|l| l.split_once("Scenario #")).map(|(_, r)| r) {
                count += usize::from(rest.starts_with(|c: char| c.is_ascii_digit()));
            }
        }
    }
    println!("cargo:rustc-env=K8SDOC_BUILTIN_COUNT={count}");
    let out = PathBuf::from(env::var("OUT_DIR").unwrap());
    fs::write(out.join("builtin.rs"), code).unwrap();
    fs::write(out.join("knowledge.rs"), knowledge(&dir.join(KNOWLEDGE_FILE))).unwrap();
    fs::write(out.join("store_fingerprint.rs"), store_fingerprint(&root.join(STORE_DIR))).unwrap();
}

fn embed(code: &mut String, dir: &Path, name: &str, doc: &str, files: &[&String]) {
    writeln!(code, "/// {doc}: (file name, contents), sorted by name.\npub(crate) static {name}: &[(&str, &str)] = &[")
        .unwrap();
    for name in files {
        let path = dir.join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        writeln!(code, "    ({name:?}, include_str!({:?})),", path.display().to_string()).unwrap();
    }
    code.push_str("];\n");
}

/// Fails the build with every problem listed, each naming its file.
fn fail(problems: &[String]) -> ! {
    for p in problems {
        println!("cargo:warning={p}");
    }
    panic!("invalid built-in data:\n{}", problems.join("\n"));
}

/// The built-in symptom rules: each file parses, ids are unique, every pattern is valid regex
/// syntax (as the engine compiles it: bytes, ASCII case-insensitive).
/// Validates the symptom rule files; returns every symptom id.
fn validate_rules(dir: &Path, files: &[&String]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    for name in files {
        let text = fs::read_to_string(dir.join(name)).unwrap();
        let parsed: rule_spec::RuleFile = match yaml_serde::from_str(&text) {
            Ok(parsed) => parsed,
            Err(err) => {
                problems.push(format!("scenarios/{name}: {err}"));
                continue;
            }
        };
        for symptom in &parsed.symptoms {
            if let Some(first) = seen.insert(symptom.id.clone(), name.to_string()) {
                problems.push(format!("scenarios/{name}: symptom `{}` is already defined in {first}", symptom.id));
            }
            if symptom.patterns.is_empty() {
                problems.push(format!("scenarios/{name}: symptom `{}` has no patterns", symptom.id));
            }
            for pattern in &symptom.patterns {
                let parsed = regex_syntax::ParserBuilder::new()
                    .unicode(false)
                    .utf8(false)
                    .case_insensitive(true)
                    .build()
                    .parse(pattern);
                if let Err(err) = parsed {
                    problems
                        .push(format!("scenarios/{name}: symptom `{}`: bad pattern `{pattern}`: {err}", symptom.id));
                }
            }
        }
    }
    if !problems.is_empty() {
        fail(&problems);
    }
    seen.into_keys().collect()
}

/// `checks.yaml`: its shape, its conditions and templates, and that each check's symptom is a
/// rule (that its text raises that symptom is a test: the build has no regex engine).
fn validate_checks(path: &Path, symptoms: &[String]) {
    let text = fs::read_to_string(path).unwrap();
    let spec: check_spec::ChecksSpec = match yaml_serde::from_str(&text) {
        Ok(spec) => spec,
        Err(err) => fail(&[format!("scenarios/{CHECKS_FILE}: {err}")]),
    };
    let ids: Vec<&str> = symptoms.iter().map(String::as_str).collect();
    let problems: Vec<String> =
        check_spec::validate(&spec, &ids, &[]).into_iter().map(|p| format!("scenarios/{CHECKS_FILE}: {p}")).collect();
    if !problems.is_empty() {
        fail(&problems);
    }
}

/// `kubernetes.yaml`, validated and written as Rust statics.
fn knowledge(path: &Path) -> String {
    println!("cargo:rerun-if-changed={}", path.display());
    let text = fs::read_to_string(path).unwrap();
    let spec: schema::KnowledgeSpec =
        yaml_serde::from_str(&text).unwrap_or_else(|err| fail(&[format!("scenarios/{KNOWLEDGE_FILE}: {err}")]));
    let problems: Vec<String> =
        schema::validate(&spec).into_iter().map(|p| format!("scenarios/{KNOWLEDGE_FILE}: {p}")).collect();
    if !problems.is_empty() {
        fail(&problems);
    }
    let severity = |s: &str| if s == "error" { "CheckSeverity::Error" } else { "CheckSeverity::Warning" };
    let mut code = String::from("/// Compiled from `scenarios/kubernetes.yaml` by build.rs.\npub(crate) static KNOWLEDGE: Knowledge = Knowledge {\n");
    for (_, field, list) in spec.lists() {
        writeln!(code, "    {field}: &{list:?},").unwrap();
    }
    code.push_str("    condition_checks: &[\n");
    for c in &spec.condition_checks {
        writeln!(
            code,
            "        ConditionCheck {{ kinds: &{:?}, types: &{:?}, statuses: &{:?}, severity: {}, text: {:?} }},",
            c.kinds,
            c.types,
            c.status,
            severity(&c.severity),
            c.text
        )
        .unwrap();
    }
    code.push_str("    ],\n    phase_checks: &[\n");
    for c in &spec.phase_checks {
        writeln!(
            code,
            "        PhaseCheck {{ kind: {:?}, phase: {:?}, severity: {}, text: {:?} }},",
            c.kind,
            c.phase,
            severity(&c.severity),
            c.text
        )
        .unwrap();
    }
    code.push_str("    ],\n};\n");
    code
}

/// A hash of the index encoder's source files and of [`INDEX_SOURCES`].
fn store_fingerprint(dir: &Path) -> String {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = fs::read_dir(dir).unwrap().filter_map(|e| e.ok()).map(|e| e.path()).collect();
    files.sort();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    files.extend(INDEX_SOURCES.iter().map(|f| root.join(f)));
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        file.file_name().hash(&mut hasher);
        fs::read(file).unwrap().hash(&mut hasher);
    }
    format!(
        "/// Hash of the index encoder's source (`{STORE_DIR}`): part of every index's cache key.\npub(crate) const STORE_SOURCE_HASH: u64 = {};\n",
        hasher.finish()
    )
}
