//! Reads inputs by content, whatever their names: JSON (an object, a list, or a stream of
//! them), YAML documents, or text (describe output and logs, through the diagnose extractor).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde_json::value::RawValue;

use super::objects::Object;
use super::{checks, Key, Severity, Signal, Snapshot};
use crate::engine::extract::extract;
use crate::yaml;

/// Reads every path (folders recursively, in name order) into one snapshot. A file named on the
/// command line that cannot be read is an error; in a folder, it is reported and skipped.
pub(crate) fn read(paths: &[PathBuf]) -> Result<Snapshot> {
    let mut snapshot = Snapshot::default();
    for path in paths {
        read_path(path, &mut snapshot)?;
    }
    Ok(snapshot)
}

fn read_path(path: &Path, snapshot: &mut Snapshot) -> Result<()> {
    let meta = std::fs::metadata(path).with_context(|| format!("{}: cannot read", path.display()))?;
    if !meta.is_dir() {
        return read_file(path, None, snapshot);
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(path) {
        let entry = entry.with_context(|| format!("{}: cannot read folder", path.display()))?;
        if !entry.file_type().is_dir() {
            files.push(entry.into_path());
        }
    }
    files.sort();
    for file in files {
        if let Err(err) = read_file(&file, Some(path), snapshot) {
            snapshot.problems.push(format!("{err:#}"));
        }
    }
    Ok(())
}

/// Reads one file by content: JSON, YAML objects, or text (describe output, logs).
fn read_file(path: &Path, root: Option<&Path>, snapshot: &mut Snapshot) -> Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    snapshot.files += 1;
    let name = path.display().to_string();
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if first == Some(b'{') || first == Some(b'[') {
        for object in read_json(&bytes, &name, &mut snapshot.problems) {
            checks::observe_object(object, snapshot);
        }
        return Ok(());
    }
    let text = String::from_utf8_lossy(&bytes);
    if text.lines().take(50).any(|l| l.starts_with("apiVersion:") || l.starts_with("kind:")) {
        for doc in yaml::parse_documents::<Object>(&text, &name) {
            match doc {
                Ok(object) => checks::observe_object(object, snapshot),
                Err(err) => snapshot.problems.push(format!("{err:#}")),
            }
        }
        return Ok(());
    }
    // Text: container logs of a dump (`NAMESPACE/POD/logs.txt`), describe output, other logs.
    let key = log_owner(path, root).unwrap_or_else(|| {
        (
            String::new(),
            "File".to_string(),
            path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or(name.clone()),
        )
    });
    for signal in extract(&text) {
        let severity = if signal.weight >= 1.0 { Severity::Error } else { Severity::Warning };
        let evidence = format!("{}:{}: {}", name, signal.line, signal.text);
        snapshot.observe(key.clone(), Signal { text: signal.text, evidence, severity, from_status: false });
    }
    Ok(())
}

/// `kubectl cluster-info dump --output-directory` writes container logs to `NAMESPACE/POD/logs.txt`.
fn log_owner(path: &Path, root: Option<&Path>) -> Option<Key> {
    let rel = path.strip_prefix(root?).ok()?;
    let parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    match parts.as_slice() {
        [ns, pod, file] if file.starts_with("logs") => Some((ns.clone(), "Pod".to_string(), pod.clone())),
        _ => None,
    }
}

/// Parses JSON: one object or list, or a stream of them. A document that does not parse as a
/// whole (truncated, or one odd item) is read item by item, keeping every item that parses and
/// reporting where reading stopped.
fn read_json(bytes: &[u8], name: &str, problems: &mut Vec<String>) -> Vec<Object> {
    let mut out = Vec::new();
    let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<Object>();
    loop {
        let at = stream.byte_offset();
        match stream.next() {
            None => break,
            Some(Ok(object)) => out.push(object),
            Some(Err(err)) => {
                let rest = &bytes[at..];
                let (items, problem) = read_items(rest, at, name);
                if items.is_empty() {
                    problems.push(format!("{name}: byte {}: {err}", at + 1));
                } else {
                    problems.extend(problem);
                }
                out.extend(items);
                break;
            }
        }
    }
    out
}

/// Reads the `"items": [...]` array of a list one item at a time.
fn read_items(bytes: &[u8], base: usize, name: &str) -> (Vec<Object>, Vec<String>) {
    let mut items = Vec::new();
    let mut problems = Vec::new();
    let Some(key) = memchr::memmem::find(bytes, b"\"items\"") else { return (items, problems) };
    let Some(open) = bytes[key..].iter().position(|&b| b == b'[').map(|p| key + p + 1) else {
        return (items, problems);
    };
    let mut pos = open;
    let mut index = 0;
    loop {
        while pos < bytes.len() && (bytes[pos].is_ascii_whitespace() || bytes[pos] == b',') {
            pos += 1;
        }
        if pos >= bytes.len() {
            problems.push(format!(
                "{name}: byte {}: input ends inside the items list (truncated); read {index} items",
                base + pos
            ));
            break;
        }
        if bytes[pos] == b']' {
            break;
        }
        let mut stream = serde_json::Deserializer::from_slice(&bytes[pos..]).into_iter::<&RawValue>();
        match stream.next() {
            Some(Ok(raw)) => {
                match serde_json::from_str::<Object>(raw.get()) {
                    Ok(object) => items.push(object),
                    Err(err) => problems.push(format!("{name}: byte {}: item {index} skipped: {err}", base + pos + 1)),
                }
                pos += stream.byte_offset();
                index += 1;
            }
            _ => {
                problems.push(format!(
                    "{name}: byte {}: item {index} is cut off (truncated); read {index} items",
                    base + pos + 1
                ));
                break;
            }
        }
    }
    (items, problems)
}
