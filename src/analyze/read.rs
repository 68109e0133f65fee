//! Reads inputs by content, whatever their names: JSON (an object, a list, or a stream of
//! them), YAML documents, text (describe output and logs, through the diagnose extractor),
//! gzip and tar archives (a troubleshoot support bundle), from files, folders or stdin.
//!
//! Where an input sits says what it holds when its content does not: a support bundle's
//! `cluster-resources/<folder>/<namespace>.json` holds objects of the folder's kind (older
//! bundles leave `kind` out of list items), `.../pods/logs/<namespace>/<pod>/<container>.log`
//! and a cluster-info dump's `<namespace>/<pod>/logs.txt` are that pod's logs.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde_json::Value;

use super::checks::Checks;
use super::json::{self, Item};
use super::{checks, Key, Severity, Signal, Snapshot};
use crate::encoding;
use crate::engine::extract::extract;
use crate::yaml;

/// What an input's place says about it.
#[derive(Debug, Default, Clone)]
pub(crate) struct Place {
    /// The kind of the objects it holds, when its content may not say.
    pub kind: Option<String>,
    /// The namespace of the objects of a per-namespace file ("" for cluster-scoped kinds).
    pub namespace: Option<String>,
    /// The object its text (logs) is about.
    pub owner: Option<Key>,
}

/// Reads every path (folders recursively, in name order; `-` is standard input) into one
/// snapshot. A file named on the command line that cannot be read is an error; in a folder or
/// an archive, it is reported and skipped.
pub(crate) fn read(paths: &[PathBuf], checks: &Checks) -> Result<Snapshot> {
    let started = std::time::Instant::now();
    let mut snapshot = Snapshot::default();
    for path in paths {
        if path.as_os_str() == "-" {
            let mut bytes = Vec::new();
            std::io::stdin().lock().read_to_end(&mut bytes).context("<stdin>: cannot read")?;
            read_input(&bytes, "<stdin>", &[], checks, &mut snapshot);
        } else {
            read_path(path, checks, &mut snapshot)?;
        }
    }
    snapshot.timing.read = started.elapsed();
    snapshot.finish(checks);
    Ok(snapshot)
}

fn read_path(path: &Path, checks: &Checks, snapshot: &mut Snapshot) -> Result<()> {
    let meta = std::fs::metadata(path).with_context(|| format!("{}: cannot read", path.display()))?;
    if !meta.is_dir() {
        let parts = components(path.file_name().map(Path::new).unwrap_or(path));
        return read_file(path, &path.display().to_string(), &parts, checks, snapshot)
            .with_context(|| format!("{}: cannot read", path.display()));
    }
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(path) {
        match entry {
            Ok(e) if !e.file_type().is_dir() => files.push(e.into_path()),
            Ok(_) => {}
            Err(err) => {
                snapshot.unreadable += 1;
                snapshot.problems.push(format!("{}: cannot read: {err}", path.display()));
            }
        }
    }
    files.sort();
    for file in files {
        let name = file.display().to_string();
        // A FIFO would block reading forever, a device has no end.
        if !std::fs::metadata(&file).is_ok_and(|m| m.is_file()) {
            snapshot.files += 1;
            snapshot.unreadable += 1;
            snapshot.problems.push(format!("{name}: not a regular file (a FIFO, socket or device); skipped"));
            continue;
        }
        let parts = components(file.strip_prefix(path).unwrap_or(&file));
        match read_file(&file, &name, &parts, checks, snapshot) {
            Ok(()) => {}
            Err(err) => {
                snapshot.files += 1;
                snapshot.unreadable += 1;
                snapshot.problems.push(format!("{name}: cannot read: {err}"));
            }
        }
    }
    Ok(())
}

/// Files at least this large are parsed from disk when they can be ([`read_streamed`]);
/// smaller ones are read whole, which costs little memory.
const STREAM_FROM: u64 = 1 << 20;

/// Reads one file as [`read_input`] reads its bytes. A large file of JSON objects (kubectl's
/// `get -A -o json`, often 100 MB) is parsed from disk, so it is never held at the same time
/// as what is read from it.
fn read_file(
    file: &Path,
    name: &str,
    parts: &[String],
    checks: &Checks,
    snapshot: &mut Snapshot,
) -> std::io::Result<()> {
    let mut handle = std::fs::File::open(file)?;
    if handle.metadata()?.len() >= STREAM_FROM && read_streamed(&mut handle, name, parts, checks, snapshot) {
        return Ok(());
    }
    drop(handle);
    let bytes = std::fs::read(file)?;
    read_input(&bytes, name, parts, checks, snapshot);
    Ok(())
}

/// Reads a file that is nothing but well-formed JSON objects in UTF-8, item by item from
/// disk, with what [`read_nested`] and [`read_bytes_at`] would do with its bytes; false (and
/// nothing read) for any other file, which is read whole instead: archives, other encodings,
/// broken JSON and its reports, top-level arrays. The check reads the file whole, fast, and
/// drops it before the first object is judged.
fn read_streamed(
    file: &mut std::fs::File,
    name: &str,
    parts: &[String],
    checks: &Checks,
    snapshot: &mut Snapshot,
) -> bool {
    let mut head = Vec::with_capacity(1 << 16);
    if (&mut *file).take(1 << 16).read_to_end(&mut head).is_err() {
        return false;
    }
    let at = head.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(head.len());
    // Archives and text with a byte-order mark are opened and decoded by `read_nested`.
    let boms: [&[u8]; 3] = [b"\xEF\xBB\xBF", b"\xFF\xFE", b"\xFE\xFF"];
    let whole = head.starts_with(&[0x1f, 0x8b])
        || is_tar(&head)
        || is_binary(&head)
        || boms.iter().any(|bom| head.starts_with(bom));
    if whole || !json::begins_with_object(&head[at..]) {
        return false;
    }
    // Checked whole, then dropped: the parse below holds one object at a time.
    let mut bytes = head;
    if file.read_to_end(&mut bytes).is_err() {
        return false;
    }
    let outlines = json::outline(&bytes);
    drop(bytes);
    let Some(outlines) = outlines else { return false };
    let before = snapshot.problems.len();
    snapshot.files += 1;
    let place = place_of(parts, checks);
    if place.kind.is_some() && place.namespace.is_some() {
        snapshot.mark_present(&place);
    }
    let mut problems = Vec::new();
    let read = json::read_outlined(file, outlines, &mut |item| observe_item(item, name, &place, checks, snapshot));
    if let Err(err) = read {
        problems.push(format!("{name}: cannot read the rest of the file: {err}; read what came before"));
    }
    snapshot.problems.extend(problems);
    if snapshot.problems.len() > before {
        snapshot.unreadable += 1;
    }
    true
}

fn components(path: &Path) -> Vec<String> {
    path.iter().map(|p| p.to_string_lossy().into_owned()).collect()
}

/// How deep archives may nest (a gzip inside a tar inside a gzip...): a gzip file can be
/// made to expand to itself, so the depth is bounded.
const MAX_NESTING: usize = 4;

/// The most a compressed file or one archive entry may expand to: a few kilobytes of gzip can
/// expand to gigabytes, which would be held in memory.
const MAX_EXPANDED: u64 = 1 << 30;

/// Reads one input found at `parts` (its path below the folder or inside the archive):
/// archives are opened, binary files skipped, the rest read by content.
fn read_input(bytes: &[u8], name: &str, parts: &[String], checks: &Checks, snapshot: &mut Snapshot) {
    read_nested(bytes, name, parts, 0, checks, snapshot);
}

fn read_nested(bytes: &[u8], name: &str, parts: &[String], depth: usize, checks: &Checks, snapshot: &mut Snapshot) {
    let before = snapshot.problems.len();
    let archive = bytes.starts_with(&[0x1f, 0x8b]) || is_tar(bytes);
    if archive && depth >= MAX_NESTING {
        snapshot.files += 1;
        snapshot.unreadable += 1;
        snapshot.problems.push(format!("{name}: archives nested more than {MAX_NESTING} deep; skipped"));
        return;
    }
    if bytes.starts_with(&[0x1f, 0x8b]) {
        read_gzip(bytes, name, parts, depth, checks, snapshot);
        return;
    }
    if is_tar(bytes) {
        read_tar_from(bytes, name, depth, checks, snapshot);
        return;
    }
    snapshot.files += 1;
    if is_binary(bytes) {
        snapshot.problems.push(format!("{name}: binary file (not text, JSON, YAML or an archive); skipped"));
        snapshot.unreadable += 1;
        return;
    }
    let place = place_of(parts, checks);
    read_bytes_at(bytes, name, &place, checks, snapshot);
    if snapshot.problems.len() > before {
        snapshot.unreadable += 1;
    }
}

/// A gzip file: a `.tar.gz` is read entry by entry as it is decompressed (a support bundle is
/// never held whole), anything else decompressed and read by content.
fn read_gzip(bytes: &[u8], name: &str, parts: &[String], depth: usize, checks: &Checks, snapshot: &mut Snapshot) {
    let mut gz = flate2::read::MultiGzDecoder::new(bytes);
    let mut head = Vec::with_capacity(512);
    let damaged = |err: std::io::Error, snapshot: &mut Snapshot| {
        snapshot.problems.push(format!("{name}: gzip data is damaged ({err}); skipped"));
        snapshot.files += 1;
        snapshot.unreadable += 1;
    };
    if let Err(err) = (&mut gz).take(512).read_to_end(&mut head) {
        return damaged(err, snapshot);
    }
    if is_tar(&head) {
        read_tar_from(std::io::Cursor::new(head).chain(gz), name, depth, checks, snapshot);
        return;
    }
    let mut data = head;
    if let Err(err) = gz.take(MAX_EXPANDED).read_to_end(&mut data) {
        return damaged(err, snapshot);
    }
    if data.len() as u64 >= MAX_EXPANDED {
        snapshot.problems.push(format!("{name}: expands to more than {} MB; skipped", MAX_EXPANDED >> 20));
        snapshot.files += 1;
        snapshot.unreadable += 1;
        return;
    }
    let mut inner = parts.to_vec();
    if let Some(last) = inner.last_mut() {
        if let Some(stem) = last.strip_suffix(".gz") {
            *last = stem.to_string();
        }
    }
    read_nested(&data, name, &inner, depth + 1, checks, snapshot);
}

/// A tar archive: `ustar` at byte 257 of its first header.
fn is_tar(bytes: &[u8]) -> bool {
    bytes.get(257..262) == Some(b"ustar")
}

/// NUL bytes in the first 8 KB of something that is not UTF-16 (which has a byte-order mark
/// when PowerShell writes it).
fn is_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    !(head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF")) && memchr::memchr(0, head).is_some()
}

/// Each regular file of a tar archive, read as a file at its path in the archive.
fn read_tar_from<R: Read>(reader: R, name: &str, depth: usize, checks: &Checks, snapshot: &mut Snapshot) {
    let mut archive = tar::Archive::new(reader);
    let entries = match archive.entries() {
        Ok(e) => e,
        Err(err) => {
            snapshot.problems.push(format!("{name}: cannot read the archive: {err}"));
            snapshot.files += 1;
            snapshot.unreadable += 1;
            return;
        }
    };
    for entry in entries {
        let mut entry = match entry {
            Ok(e) => e,
            Err(err) => {
                snapshot
                    .problems
                    .push(format!("{name}: the archive is damaged after this point ({err}); read what came before"));
                snapshot.files += 1;
                snapshot.unreadable += 1;
                return;
            }
        };
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry.path().map(|p| p.into_owned()).unwrap_or_default();
        let inner = format!("{name}:{}", path.display());
        if entry.header().size().unwrap_or(0) >= MAX_EXPANDED {
            snapshot.problems.push(format!("{inner}: larger than {} MB; skipped", MAX_EXPANDED >> 20));
            snapshot.files += 1;
            snapshot.unreadable += 1;
            continue;
        }
        let mut data = Vec::new();
        if let Err(err) = (&mut entry).take(MAX_EXPANDED).read_to_end(&mut data) {
            snapshot.problems.push(format!("{inner}: cannot read from the archive: {err}"));
            snapshot.files += 1;
            snapshot.unreadable += 1;
            return;
        }
        read_nested(&data, &inner, &components(&path), depth + 1, checks, snapshot);
    }
}

/// What a file's place in a support bundle or a cluster-info dump says it holds.
fn place_of(parts: &[String], checks: &Checks) -> Place {
    let mut place = Place::default();
    // Logs: `.../pods/logs/<ns>/<pod>/<container>.log` (bundle), `<ns>/<pod>/logs.txt` (dump).
    if let Some(at) = parts.windows(2).position(|w| w[0] == "pods" && w[1] == "logs") {
        if let [ns, pod, _file] = &parts[at + 2..] {
            place.owner = Some((ns.clone(), "Pod".into(), pod.clone()));
            return place;
        }
    }
    if let [.., ns, pod, file] = parts {
        if file.starts_with("logs") && !parts.iter().any(|p| p == "cluster-resources") {
            place.owner = Some((ns.clone(), "Pod".into(), pod.clone()));
            return place;
        }
    }
    let Some(at) = parts.iter().position(|p| p == "cluster-resources") else { return place };
    let stem = |f: &str| f.rsplit_once('.').map_or(f, |(s, _)| s).to_string();
    match &parts[at + 1..] {
        [file] => {
            place.kind = checks.bundle_folders.get(&stem(file)).cloned();
            place.namespace = Some(String::new());
        }
        [folder, file] => {
            place.kind = checks.bundle_folders.get(folder).cloned();
            place.namespace = Some(stem(file));
        }
        _ => {}
    }
    place
}

/// Reads one input's bytes as a file named `name` would be read, archives included, with the
/// built-in checks (for the fuzz target and property tests).
pub(crate) fn read_bytes(bytes: &[u8], name: &str, snapshot: &mut Snapshot) {
    let checks = Checks::builtin();
    read_input(bytes, name, &[name.to_string()], checks, snapshot);
    snapshot.finish(checks);
}

fn read_bytes_at(bytes: &[u8], name: &str, place: &Place, checks: &Checks, snapshot: &mut Snapshot) {
    // By content, whatever the encoding (PowerShell's `>` writes UTF-16).
    let text = encoding::decode(bytes).text;
    let first = text.bytes().position(|b| !b.is_ascii_whitespace());
    let json = first.is_some_and(|at| {
        let rest = &text.as_bytes()[at..];
        match rest[0] {
            // An array of objects; `[INFO] ...` and `[2024-...]` start log lines.
            b'[' => {
                rest[1..].iter().find(|b| !b.is_ascii_whitespace()).is_none_or(|b| matches!(b, b'{' | b']' | b'['))
                    && json::looks_like_objects(rest)
            }
            // A Kubernetes object or list; JSON-lines application logs are text.
            b'{' => json::looks_like_objects(rest),
            _ => false,
        }
    });
    let first_line_is_json =
        |t: &str| serde_json::from_str::<serde::de::IgnoredAny>(t.trim_start().lines().next().unwrap_or("")).is_ok();
    if !json
        && first.is_some_and(|at| matches!(text.as_bytes()[at], b'{' | b'['))
        && !first_line_is_json(&text)
        && serde_json::from_str::<serde::de::IgnoredAny>(&text).is_ok()
    {
        // Well-formed JSON that holds no Kubernetes objects and is not one record per line
        // (a support bundle's own `analysis.json`, a tool's report): nothing to judge.
        snapshot.problems.push(format!("{name}: JSON without Kubernetes objects (not a log either); skipped"));
        return;
    }
    if json {
        if place.kind.is_some() && place.namespace.is_some() {
            snapshot.mark_present(place);
        }
        let mut problems = Vec::new();
        json::read(text.as_bytes(), name, &mut problems, &mut |item| observe_item(item, name, place, checks, snapshot));
        snapshot.problems.extend(problems);
        return;
    }
    if text.lines().take(50).any(|l| l.starts_with("apiVersion:") || l.starts_with("kind:")) {
        for doc in yaml::parse_documents::<Value>(&text, name) {
            match doc {
                Ok(value) => observe_value(value, name, place, checks, snapshot),
                Err(err) => snapshot.problems.push(format!("{err:#}")),
            }
        }
        return;
    }
    let owner = place.owner.clone().unwrap_or_else(|| {
        let file = name.rsplit(['/', ':']).next().unwrap_or(name).to_string();
        (String::new(), "File".to_string(), file)
    });
    for signal in extract(&text) {
        let severity = if signal.weight >= 1.0 { Severity::Error } else { Severity::Warning };
        let evidence = format!("{}:{}: {}", name, signal.line, signal.text);
        snapshot.observe(
            owner.clone(),
            Signal {
                text: signal.text.into(),
                evidence: evidence.into(),
                severity,
                from_status: false,
                check: None,
                context: false,
                pod_events: false,
            },
        );
    }
}

fn observe_item(item: Item, name: &str, place: &Place, checks: &Checks, snapshot: &mut Snapshot) {
    match item {
        Item::Object(v) => observe_value(v, name, place, checks, snapshot),
        Item::EmptyList(kind) => {
            let p =
                Place { kind: Some(kind), namespace: Some(place.namespace.clone().unwrap_or("*".into())), owner: None };
            snapshot.mark_present(&p);
        }
    }
}

/// One object or list, from JSON or YAML.
fn observe_value(mut v: Value, name: &str, place: &Place, checks: &Checks, snapshot: &mut Snapshot) {
    if let Some(items) = v.get_mut("items").and_then(Value::as_array_mut).map(std::mem::take) {
        let list_kind =
            v.get("kind").and_then(Value::as_str).and_then(|k| k.strip_suffix("List")).filter(|k| !k.is_empty());
        let place = Place { kind: list_kind.map(str::to_string).or(place.kind.clone()), ..place.clone() };
        if items.is_empty() {
            if let Some(kind) = &place.kind {
                observe_item(Item::EmptyList(kind.clone()), name, &place, checks, snapshot);
            }
        }
        for item in items {
            observe_value(item, name, &place, checks, snapshot);
        }
        return;
    }
    if v.get("kind").and_then(Value::as_str).is_none() {
        match (&place.kind, v.as_object_mut()) {
            (Some(kind), Some(obj)) => {
                obj.insert("kind".into(), Value::String(kind.clone()));
            }
            _ => {
                let what = v.get("metadata").and_then(|m| m.get("name")).and_then(Value::as_str).unwrap_or("?");
                snapshot.problems.push(format!("{name}: an object without `kind` (named {what}); skipped"));
                return;
            }
        }
    }
    let started = std::time::Instant::now();
    checks::status::observe_object(&v, name, checks, snapshot);
    snapshot.timing.checks += started.elapsed();
}
