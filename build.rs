//! Embeds every `scenarios/*.md` and `scenarios/*.yaml` file in the binary, so adding a scenario file needs no Rust change.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::hash::{Hash, Hasher};
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = fs::read_dir(&dir)
        .expect("scenarios/ exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md") || n.ends_with(".yaml"))
        .collect();
    names.sort();
    let mut code = String::new();
    embed(&mut code, &dir, "BUILTIN", "The built-in scenarios", names.iter().filter(|n| n.ends_with(".md")));
    embed(
        &mut code,
        &dir,
        "BUILTIN_RULES",
        "The built-in symptom rules",
        names.iter().filter(|n| n.ends_with(".yaml")),
    );
    // A fingerprint of everything embedded, so a cached index of the built-in catalog is
    // rebuilt whenever a scenario or rule changes.
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for name in &names {
        name.hash(&mut hasher);
        fs::read(dir.join(name)).unwrap().hash(&mut hasher);
    }
    writeln!(
        code,
        "/// Hash of every embedded file's name and contents.\npub const FINGERPRINT: u64 = {};",
        hasher.finish()
    )
    .unwrap();
    // Scenario numbers, for shell completion of `show` and for `--version`. The parser proper
    // lives in the crate; a heading line is all this needs.
    let mut ids: Vec<u32> = Vec::new();
    for name in names.iter().filter(|n| n.ends_with(".md")) {
        for line in fs::read_to_string(dir.join(name)).unwrap().lines() {
            if let Some(rest) = line.strip_prefix('#').and_then(|l| l.split_once("Scenario #")).map(|(_, r)| r) {
                let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
                ids.extend(digits.parse::<u32>());
            }
        }
    }
    println!("cargo:rustc-env=K8SDOC_BUILTIN_COUNT={}", ids.len());
    ids.sort_unstable();
    ids.dedup();
    writeln!(
        code,
        "/// Every built-in scenario number.\npub static BUILTIN_IDS: &[&str] = &{:?};",
        ids.iter().map(u32::to_string).collect::<Vec<_>>()
    )
    .unwrap();
    let out = Path::new(&env::var("OUT_DIR").unwrap()).join("builtin.rs");
    fs::write(out, code).unwrap();
}

fn embed<'a>(code: &mut String, dir: &Path, name: &str, doc: &str, files: impl Iterator<Item = &'a String>) {
    writeln!(code, "/// {doc}: (file name, contents), sorted by name.\npub static {name}: &[(&str, &str)] = &[")
        .unwrap();
    for name in files {
        let path = dir.join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        writeln!(code, "    ({name:?}, include_str!({:?})),", path.display().to_string()).unwrap();
    }
    code.push_str("];\n");
}
