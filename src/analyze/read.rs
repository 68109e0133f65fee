//! Reads inputs by content, whatever their names: JSON (an object, a list, or a stream of
//! them), YAML documents, or text (describe output and logs, through the diagnose extractor).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde_json::value::RawValue;

use super::objects::Object;
use super::{checks, Key, Severity, Signal, Snapshot};
use crate::encoding;
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
        // A FIFO would block reading forever, a device has no end.
        if !std::fs::metadata(&file).is_ok_and(|m| m.is_file()) {
            snapshot
                .problems
                .push(format!("{}: not a regular file (a FIFO, socket or device); skipped", file.display()));
            continue;
        }
        if let Err(err) = read_file(&file, Some(path), snapshot) {
            snapshot.problems.push(format!("{err:#}"));
        }
    }
    Ok(())
}

/// Reads one file by content: JSON, YAML objects, or text (describe output, logs).
fn read_file(path: &Path, root: Option<&Path>, snapshot: &mut Snapshot) -> Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    let name = path.display().to_string();
    // Text: container logs of a dump (`NAMESPACE/POD/logs.txt`), describe output, other logs.
    let owner = log_owner(path, root).unwrap_or_else(|| {
        (
            String::new(),
            "File".to_string(),
            path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or(name.clone()),
        )
    });
    read_bytes(&bytes, &name, owner, snapshot);
    Ok(())
}

/// Reads one input's bytes by content: JSON, YAML objects, or text (describe output, logs)
/// whose signals are recorded on `owner`.
pub(crate) fn read_bytes(bytes: &[u8], name: &str, owner: Key, snapshot: &mut Snapshot) {
    snapshot.files += 1;
    // By content, whatever the encoding (PowerShell's `>` writes UTF-16).
    let text = encoding::decode(bytes).text;
    let first = text.bytes().find(|b| !b.is_ascii_whitespace());
    if first == Some(b'{') || first == Some(b'[') {
        for object in read_json(text.as_bytes(), name, &mut snapshot.problems) {
            checks::observe_object(object, snapshot);
        }
        return;
    }
    if text.lines().take(50).any(|l| l.starts_with("apiVersion:") || l.starts_with("kind:")) {
        for doc in yaml::parse_documents::<Object>(&text, name) {
            match doc {
                Ok(object) => checks::observe_object(object, snapshot),
                Err(err) => snapshot.problems.push(format!("{err:#}")),
            }
        }
        return;
    }
    for signal in extract(&text) {
        let severity = if signal.weight >= 1.0 { Severity::Error } else { Severity::Warning };
        let evidence = format!("{}:{}: {}", name, signal.line, signal.text);
        snapshot.observe(owner.clone(), Signal { text: signal.text, evidence, severity, from_status: false });
    }
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

/// Parses JSON: an object, a list (`"items"`), a top-level array, or a stream of any of them.
/// Recovery is per object: a value that does not parse is skipped up to the next line that
/// starts a value, and a list or array that does not parse whole is read item by item, keeping
/// every item that parses. Every skip is reported with its byte position.
fn read_json(bytes: &[u8], name: &str, problems: &mut Vec<String>) -> Vec<Object> {
    let mut out = Vec::new();
    let mut pos = 0;
    loop {
        pos = skip_space(bytes, pos);
        if pos >= bytes.len() {
            break;
        }
        if bytes[pos] == b'[' {
            pos = read_items(bytes, pos + 1, name, &mut out, problems);
            continue;
        }
        let mut stream = serde_json::Deserializer::from_slice(&bytes[pos..]).into_iter::<Object>();
        match stream.next() {
            None => break,
            Some(Ok(object)) => {
                out.push(object);
                pos += stream.byte_offset();
            }
            Some(Err(err)) => {
                let next = next_value_start(bytes, pos + 1);
                let items = items_array(&bytes[pos..next]).map(|at| pos + at);
                match items {
                    // A list with an odd or cut-off item: read what can be read of it.
                    Some(open) => {
                        read_items(&bytes[..next], open, name, &mut out, problems);
                    }
                    None if next < bytes.len() => problems.push(format!(
                        "{name}: byte {}: {err}; skipped this value (up to byte {})",
                        pos + 1,
                        next
                    )),
                    None => problems.push(format!("{name}: byte {}: {err}", pos + 1)),
                }
                pos = next;
            }
        }
    }
    out
}

fn skip_space(bytes: &[u8], mut pos: usize) -> usize {
    while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
        pos += 1;
    }
    pos
}

/// Where the next top-level value of a stream plausibly starts after a broken one: the next
/// line whose first non-blank character opens an object or array (kubectl writes each value
/// from the start of a line). The end of the input if there is none.
fn next_value_start(bytes: &[u8], from: usize) -> usize {
    let mut at = from;
    while let Some(nl) = memchr::memchr(b'\n', bytes.get(at..).unwrap_or_default()) {
        let line = at + nl + 1;
        if matches!(bytes.get(line), Some(b'{' | b'[')) {
            return line;
        }
        at = line;
    }
    bytes.len()
}

/// Just past the `[` of a list's `"items"` array, if `value` has one.
fn items_array(value: &[u8]) -> Option<usize> {
    let key = memchr::memmem::find(value, b"\"items\"")?;
    value[key..].iter().position(|&b| b == b'[').map(|p| key + p + 1)
}

/// Reads an array's items one at a time from `open` (just past its `[`), keeping every item
/// that parses; returns the position after the array (or the end of the input).
fn read_items(bytes: &[u8], open: usize, name: &str, out: &mut Vec<Object>, problems: &mut Vec<String>) -> usize {
    let mut pos = open;
    let mut index = 0;
    loop {
        while pos < bytes.len() && (bytes[pos].is_ascii_whitespace() || bytes[pos] == b',') {
            pos += 1;
        }
        if pos >= bytes.len() {
            problems
                .push(format!("{name}: byte {pos}: input ends inside the items list (truncated); read {index} items"));
            return pos;
        }
        if bytes[pos] == b']' {
            return pos + 1;
        }
        let mut stream = serde_json::Deserializer::from_slice(&bytes[pos..]).into_iter::<&RawValue>();
        match stream.next() {
            Some(Ok(raw)) => {
                match serde_json::from_str::<Object>(raw.get()) {
                    Ok(object) => out.push(object),
                    Err(err) => problems.push(format!("{name}: byte {}: item {index} skipped: {err}", pos + 1)),
                }
                pos += stream.byte_offset();
                index += 1;
            }
            _ => {
                problems
                    .push(format!("{name}: byte {}: item {index} is cut off (truncated); read {index} items", pos + 1));
                return bytes.len();
            }
        }
    }
}
