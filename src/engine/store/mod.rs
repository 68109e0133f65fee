//! The persistent index: built once per catalog, kept in the user's cache directory, and read in
//! place on every `diagnose`, so a large catalog is not parsed again on each call. This module
//! is the only one that reads or writes the index's bytes; `format.rs` holds the layout.
//!
//! The file records every catalog file it was built from (size, mtime, content hash). It is
//! used only when all of them still match: a file whose size or mtime changed is hashed, and an
//! unchanged hash keeps the index. It is written to a temporary file and renamed into place, so
//! two processes rebuilding at once never leave a torn file; a file that does not decode is
//! ignored and rebuilt.

mod codec;
mod format;
mod rules;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use anyhow::{Context, Result};

use self::codec::{checksum, Reader};
pub(crate) use self::format::IndexView;
use self::format::{FileStamp, StoredProblem};
use super::index;
use super::rules::RuleSet;
use crate::catalog::model::{Origin, Scenario, Source, SourceFile};
use crate::catalog::parse::{is_markdown, parse_catalog_at};
use crate::catalog::problem::Problem;
use crate::catalog::{self, mojibake, Catalog, CatalogSettings, Input};

include!(concat!(env!("OUT_DIR"), "/store_fingerprint.rs"));

/// Where the index is kept and how far to trust it.
#[derive(Debug, Clone, Default)]
pub(crate) struct StoreOptions {
    /// The cache directory; `None`: build in memory every time.
    pub cache_dir: Option<PathBuf>,
    /// Verify the whole file's checksum before using it (`K8SDOC_VERIFY_INDEX=1`); otherwise it
    /// is checked only after a decode fails, so a large index is not read whole per query.
    pub verify: bool,
}

/// A decoded index file: the bytes, and where each part starts.
pub(crate) struct IndexFile {
    bytes: Bytes,
    files: Vec<FileStamp>,
    pub problems: Vec<Problem>,
    /// Where the index proper starts: just after the rules.
    index_at: usize,
}

/// The index file's bytes: built in memory, or mapped from the cache file, so a large index
/// is read in place instead of copied (only the pages a query touches are read).
enum Bytes {
    Owned(Vec<u8>),
    Mapped(memmap2::Mmap),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Owned(v) => v,
            Bytes::Mapped(m) => m,
        }
    }
}

/// How the index was obtained, for `--verbose`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Provenance {
    /// Read from the cache.
    Cached,
    /// Built now and saved.
    Built,
    /// Built now; the cache directory was not writable.
    BuiltUncached,
}

/// Why a cached index was not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stale {
    /// No cached file (or it could not be opened).
    Missing,
    /// Another format, another catalog configuration, or a catalog file changed since.
    Outdated,
    /// It did not decode and its checksum does not match: damaged on disk.
    Corrupt,
    /// It did not decode although its checksum matches (written by a different encoder).
    Undecodable,
}

/// The index and rules for a catalog, plus the loaded catalog when it had to be parsed anyway.
pub(crate) struct Opened {
    pub file: IndexFile,
    pub rules: RuleSet,
    catalog: Option<Catalog>,
    pub provenance: Provenance,
    /// Why the cached index was not used, when it was not.
    pub stale: Option<Stale>,
    pub path: Option<PathBuf>,
}

impl Opened {
    pub(crate) fn view(&self) -> Result<IndexView<'_>> {
        let mut r = Reader::new(&self.file.bytes);
        r.pos = self.file.index_at;
        IndexView::read(&mut r)
    }

    /// The scenario behind document `doc`: from the loaded catalog, or parsed again from its
    /// file's lines.
    pub(crate) fn scenario(&self, view: &IndexView, doc: usize) -> Result<Scenario> {
        if let Some(catalog) = &self.catalog {
            return Ok(catalog.scenarios[doc].clone());
        }
        let record = view.doc(doc);
        let stamp = self.file.files.get(record.file as usize).context("index: document of an unknown file")?;
        let text: std::borrow::Cow<str> = match stamp.path.strip_prefix("<builtin>/") {
            Some(name) => catalog::builtin_text(name).context("index: unknown built-in file")?.into(),
            None => {
                String::from_utf8_lossy(&fs::read(&stamp.path).with_context(|| format!("{}: cannot read", stamp.path))?)
                    .into_owned()
                    .into()
            }
        };
        let start = record.line.saturating_sub(1) as usize;
        let end = record.end_line.saturating_sub(1) as usize;
        let chunk: Vec<&str> = text.split('\n').skip(start).take(end.saturating_sub(start)).collect();
        let chunk = mojibake::repair(&chunk.join("\n")).into_owned();
        let file = Arc::new(SourceFile { path: display_path(&stamp.path), origin: stamp.origin });
        let parsed = parse_catalog_at(&chunk, &file, stamp.markdown, start);
        parsed.scenarios.into_iter().find(|s| s.id == record.id).with_context(|| {
            format!("{}:{}: scenario #{} moved; run again to rebuild the index", stamp.path, record.line, record.id)
        })
    }
}

fn display_path(stamp: &str) -> PathBuf {
    match stamp.strip_prefix("<builtin>/") {
        Some(name) => Path::new("scenarios").join(name),
        None => PathBuf::from(stamp),
    }
}

/// Opens the index for these settings: from the cache when it is current, else built (and
/// saved when the cache directory is writable).
pub(crate) fn open(settings: &CatalogSettings, options: &StoreOptions) -> Result<Opened> {
    let inputs = catalog::candidate_files(settings)?;
    let stamps = current_stamps(&inputs)?;
    let key = cache_key(settings, &inputs);
    let path = options.cache_dir.as_ref().map(|d| d.join(format!("index-{:016x}.bin", checksum(key.as_bytes()))));
    let mut stale = None;
    if let Some(path) = &path {
        match read_valid(path, &key, &stamps, options.verify) {
            Ok((file, rules)) => {
                let provenance = Provenance::Cached;
                return Ok(Opened { file, rules, catalog: None, provenance, stale: None, path: Some(path.clone()) });
            }
            Err(why) => stale = Some(why),
        }
    }
    let catalog = Catalog::load(settings)?;
    let rules = RuleSet::load(&catalog.rules)?;
    let (bytes, index_at) = encode(&key, &catalog, &rules, &stamps)?;
    let saved = path.as_ref().is_some_and(|p| write_atomically(p, &bytes).is_ok());
    if let Some(dir) = path.as_ref().and_then(|p| p.parent()) {
        prune(dir);
    }
    let (files, problems) = decode_files(&bytes, &key)?;
    let file = IndexFile { bytes: Bytes::Owned(bytes), files, problems, index_at };
    let provenance = if saved { Provenance::Built } else { Provenance::BuiltUncached };
    Ok(Opened { file, rules, catalog: Some(catalog), provenance, stale, path })
}

/// Identifies a catalog configuration: which layers, which files, which k8sdoc and which
/// encoder (its source hash: a changed encoder never reads a file an older one wrote).
fn cache_key(settings: &CatalogSettings, inputs: &[Input]) -> String {
    let mut key = format!(
        "k8sdoc {} format {} encoder {STORE_SOURCE_HASH:016x} builtin {}\n",
        env!("CARGO_PKG_VERSION"),
        format::FORMAT,
        settings.builtin
    );
    for input in inputs {
        let path = fs::canonicalize(&input.path).unwrap_or_else(|_| input.path.clone());
        key.push_str(&format!("{:?} {} {}\n", input.origin, input.explicit, path.display()));
    }
    key
}

/// Stamps of the files as they are now; content hashes are left at 0 (computed only when a
/// size or mtime differs from the index's).
fn current_stamps(inputs: &[Input]) -> Result<Vec<FileStamp>> {
    let mut stamps = Vec::new();
    // Always present: the built-in symptom rules apply with `--no-builtin` too.
    stamps.push(FileStamp {
        path: "<builtin>".to_string(),
        origin: Origin::Builtin,
        markdown: true,
        size: 0,
        mtime_ns: 0,
        hash: catalog::builtin_fingerprint(),
    });
    for input in inputs {
        let meta = fs::metadata(&input.path).with_context(|| format!("{}: cannot read", input.path.display()))?;
        let mtime_ns =
            meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos() as u64);
        stamps.push(FileStamp {
            path: input.path.display().to_string(),
            origin: input.origin,
            markdown: false,
            size: meta.len(),
            mtime_ns,
            hash: 0,
        });
    }
    Ok(stamps)
}

/// Whether the index's stamps still describe the files: same list, and for each file the same
/// size and mtime, or else the same content hash.
fn still_current(indexed: &[FileStamp], now: &[FileStamp]) -> bool {
    // The index also lists each built-in file separately; compare the catalog-level entries.
    let indexed: Vec<&FileStamp> = indexed.iter().filter(|s| !s.path.starts_with("<builtin>/")).collect();
    indexed.len() == now.len()
        && indexed.iter().zip(now).all(|(old, new)| {
            old.path == new.path
                && old.origin == new.origin
                && (new.path == "<builtin>" && old.hash == new.hash
                    || new.path != "<builtin>"
                        && (old.size == new.size && old.mtime_ns == new.mtime_ns
                            || fs::read(&new.path).is_ok_and(|b| checksum(&b) == old.hash)))
        })
}

/// The cached index and its rules, when the file is there, decodes and is current; else why not.
fn read_valid(path: &Path, key: &str, stamps: &[FileStamp], verify: bool) -> Result<(IndexFile, RuleSet), Stale> {
    let file = fs::File::open(path).map_err(|_| Stale::Missing)?;
    // SAFETY: k8sdoc never writes an index file in place (it writes a temporary file and
    // renames it), so the mapped bytes do not change under us.
    let bytes = Bytes::Mapped(unsafe { memmap2::Mmap::map(&file) }.map_err(|_| Stale::Missing)?);
    if verify && !format::checksum_ok(&bytes) {
        return Err(Stale::Corrupt);
    }
    // The checksum is read only when decoding fails, to tell damage from another encoder's file.
    let damaged = |bytes: &[u8]| if format::checksum_ok(bytes) { Stale::Undecodable } else { Stale::Corrupt };
    let head = match format::decode_head(&bytes, key) {
        Ok(head) => head,
        Err(_) if format::is_current_format(&bytes) => return Err(damaged(&bytes)),
        Err(_) => return Err(Stale::Outdated),
    };
    if !still_current(&head.files, stamps) {
        return Err(Stale::Outdated);
    }
    let mut r = Reader::new(&bytes);
    r.pos = head.rules_at;
    let rules = rules::decode(&mut r).map_err(|_| damaged(&bytes))?;
    let index_at = r.pos;
    // Decoding the index's tables now means a torn or corrupt index is caught here and rebuilt.
    IndexView::read(&mut r).map_err(|_| damaged(&bytes))?;
    let problems = problems_of(&head.files, head.problems);
    Ok((IndexFile { bytes, files: head.files, problems, index_at }, rules))
}

fn decode_files(bytes: &[u8], key: &str) -> Result<(Vec<FileStamp>, Vec<Problem>)> {
    let head = format::decode_head(bytes, key)?;
    let problems = problems_of(&head.files, head.problems);
    Ok((head.files, problems))
}

fn problems_of(files: &[FileStamp], stored: Vec<StoredProblem>) -> Vec<Problem> {
    stored
        .into_iter()
        .map(|p| {
            let stamp = &files[p.file];
            let file = Arc::new(SourceFile { path: display_path(&stamp.path), origin: stamp.origin });
            Problem { severity: p.severity, source: Source { file, line: p.line }, message: p.message }
        })
        .collect()
}

/// The index file's bytes, and where the index proper starts (just after the rules).
fn encode(key: &str, catalog: &Catalog, rules: &RuleSet, stamps: &[FileStamp]) -> Result<(Vec<u8>, usize)> {
    let files = file_table(catalog, stamps)?;
    let file_index = |s: &SourceFile| -> u32 {
        let wanted = match s.origin {
            Origin::Builtin => {
                format!("<builtin>/{}", s.path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default())
            }
            _ => s.path.display().to_string(),
        };
        files.iter().position(|f| f.path == wanted).unwrap_or(0) as u32
    };
    let problems: Vec<StoredProblem> = catalog
        .problems
        .iter()
        .chain(&catalog.duplicates)
        .map(|p| StoredProblem {
            severity: p.severity,
            file: file_index(&p.source.file) as usize,
            line: p.source.line,
            message: p.message.clone(),
        })
        .collect();
    let mut w = format::begin(key, &files, &problems);
    rules::encode(rules, &mut w);
    let index_at = w.buf.len();
    // Documents point at files by index; look each up once per file, not per scenario.
    let mut seen: Vec<(Arc<SourceFile>, u32)> = Vec::new();
    let data = index::build(
        &catalog.scenarios,
        |s: &Scenario| {
            if let Some((_, i)) = seen.iter().find(|(f, _)| Arc::ptr_eq(f, &s.source.file)) {
                return *i;
            }
            let i = file_index(&s.source.file);
            seen.push((Arc::clone(&s.source.file), i));
            i
        },
        rules,
    );
    format::encode_index(&mut w, &data);
    Ok((format::finish(w), index_at))
}

/// The file table: the catalog-level stamps (for validation), each user file with its content
/// hash, then one entry per built-in file (to find scenario text again).
fn file_table(catalog: &Catalog, stamps: &[FileStamp]) -> Result<Vec<FileStamp>> {
    let mut files: Vec<FileStamp> = Vec::new();
    for stamp in stamps {
        let mut stamp = stamp.clone();
        if stamp.path != "<builtin>" {
            let bytes = fs::read(&stamp.path).with_context(|| format!("{}: cannot read", stamp.path))?;
            stamp.hash = checksum(&bytes);
            stamp.markdown = is_markdown(&String::from_utf8_lossy(&bytes));
        }
        files.push(stamp);
    }
    for report in &catalog.files {
        if report.file.origin == Origin::Builtin {
            let name = report.file.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let text = catalog::builtin_text(&name).unwrap_or_default();
            files.push(FileStamp {
                path: format!("<builtin>/{name}"),
                origin: Origin::Builtin,
                markdown: is_markdown(text),
                size: text.len() as u64,
                mtime_ns: 0,
                hash: 0,
            });
        }
    }
    Ok(files)
}

/// Indexes not used for this long are deleted when another is written: each catalog
/// configuration and each k8sdoc version has its own file, and old ones would pile up.
const UNUSED_FOR: std::time::Duration = std::time::Duration::from_secs(30 * 24 * 3600);

fn prune(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let stale = entry
            .metadata()
            .ok()
            .and_then(|m| m.accessed().or_else(|_| m.modified()).ok())
            .and_then(|t| t.elapsed().ok());
        if name.starts_with("index-") && name.ends_with(".bin") && stale.is_some_and(|age| age > UNUSED_FOR) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Writes to a temporary file in the same folder, then renames it over `path`.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let nanos = std::time::SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let tmp = dir.join(format!(
        ".{}.{}.{nanos}.tmp",
        path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default(),
        std::process::id()
    ));
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, path).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}
