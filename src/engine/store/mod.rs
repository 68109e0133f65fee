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
use std::time::{Duration, UNIX_EPOCH};

use anyhow::{Context, Result};

use self::codec::Reader;
use self::format::{FileStamp, StoredProblem};
pub(crate) use self::format::{IndexView, Postings};
use super::index;
use super::rules::RuleSet;
use crate::catalog::model::{Origin, Scenario, Source, SourceFile};
use crate::catalog::parse::{is_markdown, parse_catalog_at};
use crate::catalog::problem::Problem;
use crate::catalog::{self, mojibake, Catalog, CatalogSettings, Input};
use crate::encoding;
use crate::hash::fingerprint as checksum;

include!(concat!(env!("OUT_DIR"), "/store_fingerprint.rs"));

/// Where the index is kept and how far to trust it.
#[derive(Debug, Clone, Default)]
pub(crate) struct StoreOptions {
    /// The cache directory; `None`: build in memory every time.
    pub cache_dir: Option<PathBuf>,
    /// Verify the whole file's checksum before using it (`K8SDOC_VERIFY_INDEX=1`); otherwise it
    /// is checked only after a decode fails, so a large index is not read whole per query.
    pub verify: bool,
    /// Build anew even when the cached index looks current (it was found stale while in use).
    pub rebuild: bool,
}

/// What building an index is busy with, for a progress display: the store only reports it
/// (the words and the drawing are `output`'s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Reading and parsing the catalog's files; no count.
    Reading,
    /// Indexing scenarios: `done` of `total`.
    Indexing,
}

/// Told of each step of building an index as `(phase, done, total)`; never called when the
/// cached index is used. Called from the indexing threads too, hence `Sync`.
pub(crate) type Progress<'a> = &'a (dyn Fn(Phase, usize, usize) + Sync);

/// The index no longer describes a catalog file: the file's bytes changed although its size
/// and mtime did not. The caller opens the store again with `rebuild` and retries, once.
#[derive(Debug)]
pub(crate) struct StaleIndex {
    pub path: String,
}

impl std::fmt::Display for StaleIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: changed since the index was built", self.path)
    }
}

impl std::error::Error for StaleIndex {}

/// Whether `err` says the index went stale while in use.
pub(crate) fn is_stale(err: &anyhow::Error) -> bool {
    err.chain().any(|e| e.is::<StaleIndex>())
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
                let bytes = fs::read(&stamp.path).with_context(|| format!("{}: cannot read", stamp.path))?;
                // The same bytes the index was built from, or the index is stale: an edit can
                // keep a file's size and mtime.
                if checksum(&bytes) != stamp.hash {
                    return Err(StaleIndex { path: stamp.path.clone() }.into());
                }
                encoding::decode(&bytes).text.into_owned().into()
            }
        };
        let start = record.line.saturating_sub(1) as usize;
        let end = record.end_line.saturating_sub(1) as usize;
        let chunk: Vec<&str> = text.split('\n').skip(start).take(end.saturating_sub(start)).collect();
        let chunk = mojibake::repair(&chunk.join("\n")).into_owned();
        let file = Arc::new(SourceFile { path: display_path(&stamp.path), origin: stamp.origin });
        let parsed = parse_catalog_at(&chunk, &file, stamp.markdown, start);
        // Same bytes, same parse: not finding it would be a bug in the index, reported as stale
        // so the index is rebuilt rather than failing every later run.
        parsed
            .scenarios
            .into_iter()
            .find(|s| s.id == record.id)
            .ok_or_else(|| StaleIndex { path: stamp.path.clone() }.into())
    }
}

fn display_path(stamp: &str) -> PathBuf {
    match stamp.strip_prefix("<builtin>/") {
        Some(name) => Path::new("scenarios").join(name),
        None => PathBuf::from(stamp),
    }
}

/// Opens the index for these settings: from the cache when it is current, else built (and
/// saved when the cache directory is writable), telling `progress` how the build goes.
pub(crate) fn open(settings: &CatalogSettings, options: &StoreOptions, progress: Progress) -> Result<Opened> {
    let (inputs, _) = catalog::candidate_files(settings)?;
    let stamps = current_stamps(&inputs)?;
    let key = cache_key(settings, &inputs);
    let path = options.cache_dir.as_ref().map(|d| d.join(format!("index-{:016x}.bin", checksum(key.as_bytes()))));
    let mut stale = None;
    if let Some(path) = path.as_ref().filter(|_| !options.rebuild) {
        match read_valid(path, &key, &stamps, options.verify) {
            Ok((file, rules)) => {
                let provenance = Provenance::Cached;
                return Ok(Opened { file, rules, catalog: None, provenance, stale: None, path: Some(path.clone()) });
            }
            Err(why) => stale = Some(why),
        }
    }
    progress(Phase::Reading, 0, 0);
    let catalog = Catalog::load(settings)?;
    let rules = RuleSet::load(&catalog.rules)?;
    let Encoded { bytes, index_at, files, problems } =
        encode(&key, &catalog, &rules, &stamps, &|done, total| progress(Phase::Indexing, done, total));
    let saved = path.as_ref().is_some_and(|p| write_atomically(p, &bytes).is_ok());
    if let Some(dir) = path.as_ref().and_then(|p| p.parent()) {
        prune(dir);
    }
    // What was just encoded, as a cached open would decode it (warnings read the same either way).
    let problems = problems_of(&files, problems);
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
        key.push_str(&format!("{:?} {} {}\n", input.origin, input.explicit, input.canonical.display()));
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
    let bytes = load(path).map_err(|_| Stale::Missing)?;
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

/// Indexes up to this size are read into memory; larger ones are mapped, so a query reads only
/// the pages it touches.
const MAP_ABOVE: u64 = 1 << 20;

fn load(path: &Path) -> std::io::Result<Bytes> {
    let mut file = fs::File::open(path)?;
    let len = file.metadata()?.len();
    if len <= MAP_ABOVE {
        let mut bytes = Vec::with_capacity(len as usize);
        std::io::Read::read_to_end(&mut file, &mut bytes)?;
        return Ok(Bytes::Owned(bytes));
    }
    // SAFETY: a mapping is only sound while no one changes the file. k8sdoc itself never
    // writes an index file in place: it writes a temporary file and renames it over the old
    // one, and the old mapping keeps the old file's pages. Another program truncating or
    // rewriting the file in place while this process runs would break that: reading a page
    // past the new end raises SIGBUS and kills the process. That risk is accepted for large
    // indexes only (a small one is read into memory above); the cache directory is k8sdoc's own.
    let map = unsafe { memmap2::Mmap::map(&file) }?;
    Ok(Bytes::Mapped(map))
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

/// A freshly encoded index: its bytes, where the index proper starts (just after the rules),
/// and the file table and problems it holds.
struct Encoded {
    bytes: Vec<u8>,
    index_at: usize,
    files: Vec<FileStamp>,
    problems: Vec<StoredProblem>,
}

fn encode(key: &str, catalog: &Catalog, rules: &RuleSet, stamps: &[FileStamp], progress: index::Progress) -> Encoded {
    let files = file_table(catalog, stamps);
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
        progress,
    );
    format::encode_index(&mut w, &data);
    Encoded { bytes: format::finish(w), index_at, files, problems }
}

/// The file table: the catalog-level stamps (for validation), each user file with the
/// fingerprint of the bytes the catalog parsed (not read again: a file saved meanwhile must not
/// be stamped as what the index holds), then one entry per built-in file (to find scenario text
/// again).
fn file_table(catalog: &Catalog, stamps: &[FileStamp]) -> Vec<FileStamp> {
    let mut files: Vec<FileStamp> = Vec::new();
    let read: std::collections::HashMap<String, &catalog::SourceRead> =
        catalog.sources.iter().map(|r| (r.path.display().to_string(), r)).collect();
    for stamp in stamps {
        let mut stamp = stamp.clone();
        if stamp.path != "<builtin>" {
            // A file the catalog skipped unread keeps hash 0, which no content matches.
            if let Some(read) = read.get(&stamp.path) {
                stamp.hash = read.hash;
                stamp.markdown = read.markdown;
            }
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
    files
}

/// Indexes not used for this long are deleted when another is written: each catalog
/// configuration and each k8sdoc version has its own file, and old ones would pile up.
const UNUSED_FOR: Duration = Duration::from_secs(30 * 24 * 3600);
/// A temporary file this old was left by a write that crashed (a write takes seconds).
const ABANDONED_AFTER: Duration = Duration::from_secs(24 * 3600);

/// `index-` + 16 hex digits + `.bin`: the only names k8sdoc gives its index files.
fn is_index_name(name: &str) -> bool {
    name.strip_prefix("index-")
        .and_then(|rest| rest.strip_suffix(".bin"))
        .is_some_and(|hex| hex.len() == 16 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `.index-….bin.PID.NANOS.tmp`: the names of k8sdoc's temporary files.
fn is_temp_name(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else { return false };
    let mut parts = rest.rsplitn(3, '.');
    let (nanos, pid, index) = (parts.next(), parts.next(), parts.next());
    let digits = |s: Option<&str>| s.is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()));
    digits(nanos) && digits(pid) && index.is_some_and(is_index_name)
}

/// Deletes k8sdoc's own files that are no longer used: index files unused for a month (only
/// those with k8sdoc's name and header: other programs' files in the folder are left alone),
/// and temporary files of writes that crashed.
fn prune(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Ok(meta) = entry.metadata() else { continue };
        let age = |t: std::io::Result<std::time::SystemTime>| t.ok().and_then(|t| t.elapsed().ok());
        let unused = age(meta.accessed().or_else(|_| meta.modified()));
        let old_index = is_index_name(&name) && unused.is_some_and(|a| a > UNUSED_FOR) && has_magic(&entry.path());
        let abandoned = is_temp_name(&name) && age(meta.modified()).is_some_and(|a| a > ABANDONED_AFTER);
        if meta.is_file() && (old_index || abandoned) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

fn has_magic(path: &Path) -> bool {
    let mut magic = [0u8; 8];
    fs::File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic)).is_ok()
        && &magic == format::MAGIC
}

/// Writes to a temporary file in the same folder, then renames it over `path`; a failed write
/// (a full disk) removes its temporary file.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let nanos = std::time::SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let tmp = dir.join(format!(
        ".{}.{}.{nanos}.tmp",
        path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default(),
        std::process::id()
    ));
    fs::write(&tmp, bytes).and_then(|()| fs::rename(&tmp, path)).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_k8sdoc_names_are_pruned() {
        assert!(is_index_name("index-0123456789abcdef.bin"));
        assert!(!is_index_name("index-notours.bin"));
        assert!(!is_index_name("index-0123456789abcdef.bin.bak"));
        assert!(is_temp_name(".index-0123456789abcdef.bin.12345.678.tmp"));
        assert!(!is_temp_name(".index-0123456789abcdef.bin.tmp"));
        assert!(!is_temp_name(".other.12.34.tmp"));
    }
}
