//! The persistent index: built once per catalog, kept in the user's cache directory, and read in
//! place on every `diagnose`, so a large catalog is not parsed again on each call.
//!
//! The file records every catalog file it was built from (size, mtime, content hash). It is
//! used only when all of them still match: a file whose size or mtime changed is hashed, and an
//! unchanged hash keeps the index. It is written to a temporary file and renamed into place, so
//! two processes rebuilding at once never leave a torn file; a file that fails its checksum or
//! does not decode is ignored and rebuilt.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use anyhow::{bail, Context, Result};

use crate::catalog::{self, Catalog, CatalogSettings, Input};
use crate::codec::{checksum, Reader, Writer};
use crate::index::{self, IndexView};
use crate::model::{Origin, Scenario, Source, SourceFile};
use crate::mojibake;
use crate::parse::{is_markdown, parse_catalog_at};
use crate::problem::{Problem, Severity};
use crate::rules::RuleSet;

const MAGIC: &[u8; 8] = b"K8SDOCIX";
/// Bump when the layout changes; older files are then ignored and rebuilt.
const FORMAT: u32 = 4;
const HEADER: usize = 8 + 4 + 8;

/// One file the index was built from.
#[derive(Debug, Clone, PartialEq)]
pub struct FileStamp {
    /// `<builtin>/NAME` for embedded files.
    pub path: String,
    pub origin: Origin,
    pub markdown: bool,
    pub size: u64,
    pub mtime_ns: u64,
    pub hash: u64,
}

/// A decoded index file: the bytes, and where each part starts.
pub struct IndexFile {
    bytes: Bytes,
    pub files: Vec<FileStamp>,
    pub problems: Vec<Problem>,
    rules_at: usize,
    /// Where the index proper starts: just after the rules, known once they are decoded.
    index_at: usize,
}

/// The index file's bytes: built in memory, or mapped from the cache file, so a large index
/// is read in place instead of copied (only the pages a query touches are read).
enum Bytes {
    Owned(Vec<u8>),
    // The cache file is only ever replaced by rename, never changed in place, so the mapping
    // stays valid for the life of the process.
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
pub enum Provenance {
    /// Read from the cache.
    Cached,
    /// Built now and saved.
    Built,
    /// Built now; the cache directory was not writable.
    BuiltUncached,
}

/// The index and rules for a catalog, plus the loaded catalog when it had to be parsed anyway.
pub struct Opened {
    pub file: IndexFile,
    pub rules: RuleSet,
    pub catalog: Option<Catalog>,
    pub provenance: Provenance,
    pub path: Option<PathBuf>,
}

impl Opened {
    pub fn view(&self) -> Result<IndexView<'_>> {
        let mut r = Reader::new(&self.file.bytes);
        r.pos = self.file.index_at;
        IndexView::read(&mut r)
    }

    /// The scenario behind document `doc`: from the loaded catalog, or parsed again from its
    /// file's lines.
    pub fn scenario(&self, view: &IndexView, doc: usize) -> Result<Scenario> {
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
pub fn open(settings: &CatalogSettings) -> Result<Opened> {
    let inputs = catalog::candidate_files(settings)?;
    let stamps = current_stamps(&inputs)?;
    let key = cache_key(settings, &inputs);
    let path = crate::config::cache_dir().map(|d| d.join(format!("index-{:016x}.bin", checksum(key.as_bytes()))));
    if let Some(path) = &path {
        if let Some(mut file) = read_valid(path, &key, &stamps) {
            if let Ok(rules) = decode_rules(&mut file) {
                return Ok(Opened {
                    file,
                    rules,
                    catalog: None,
                    provenance: Provenance::Cached,
                    path: Some(path.clone()),
                });
            }
        }
    }
    let catalog = Catalog::load(settings)?;
    let rules = RuleSet::load(&catalog.rules)?;
    let (bytes, index_at) = encode(&key, &catalog, &rules, &stamps)?;
    let saved = path.as_ref().is_some_and(|p| write_atomically(p, &bytes).is_ok());
    if let Some(dir) = path.as_ref().and_then(|p| p.parent()) {
        prune(dir);
    }
    let mut file = decode(Bytes::Owned(bytes), &key)?;
    file.index_at = index_at;
    let provenance = if saved { Provenance::Built } else { Provenance::BuiltUncached };
    Ok(Opened { file, rules, catalog: Some(catalog), provenance, path })
}

fn decode_rules(file: &mut IndexFile) -> Result<RuleSet> {
    let mut r = Reader::new(&file.bytes);
    r.pos = file.rules_at;
    let rules = RuleSet::decode(&mut r)?;
    file.index_at = r.pos;
    // Decoding the index header now means a corrupt index is caught here and rebuilt.
    IndexView::read(&mut r)?;
    Ok(rules)
}

/// Identifies a catalog configuration: which layers, which files, which k8sdoc.
fn cache_key(settings: &CatalogSettings, inputs: &[Input]) -> String {
    let mut key = format!("k8sdoc {} format {FORMAT} builtin {}\n", env!("CARGO_PKG_VERSION"), settings.builtin);
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

fn read_valid(path: &Path, key: &str, stamps: &[FileStamp]) -> Option<IndexFile> {
    let file = fs::File::open(path).ok()?;
    // SAFETY: k8sdoc never writes an index file in place (it writes a temporary file and
    // renames it), so the mapped bytes do not change under us.
    let bytes = Bytes::Mapped(unsafe { memmap2::Mmap::map(&file) }.ok()?);
    let file = decode(bytes, key).ok()?;
    still_current(&file.files, stamps).then_some(file)
}

fn decode(bytes: Bytes, key: &str) -> Result<IndexFile> {
    if bytes.len() < HEADER || &bytes[..8] != MAGIC {
        bail!("not a k8sdoc index");
    }
    let mut r = Reader::new(&bytes);
    r.pos = 8;
    if r.u32()? != FORMAT {
        bail!("index format changed");
    }
    let sum = r.u64()?;
    if checksum(&bytes[HEADER..]) != sum {
        bail!("index checksum mismatch");
    }
    if r.str()? != key {
        bail!("index of another catalog");
    }
    let n = r.count()?;
    let mut files = Vec::with_capacity(n.min(1 << 16));
    for _ in 0..n {
        files.push(FileStamp {
            path: r.str()?.to_string(),
            origin: Origin::from_u8(r.u8()?),
            markdown: r.u8()? == 1,
            size: r.u64()?,
            mtime_ns: r.u64()?,
            hash: r.u64()?,
        });
    }
    let n = r.count()?;
    let mut problems = Vec::with_capacity(n.min(1 << 16));
    for _ in 0..n {
        let severity = if r.u8()? == 1 { Severity::Error } else { Severity::Warning };
        let file = r.count()?;
        let line = r.count()?;
        let message = r.str()?.to_string();
        let stamp = files.get(file).context("index: problem in an unknown file")?;
        let source =
            Source { file: Arc::new(SourceFile { path: display_path(&stamp.path), origin: stamp.origin }), line };
        problems.push(Problem { severity, source, message });
    }
    let rules_at = r.pos;
    Ok(IndexFile { bytes, files, problems, rules_at, index_at: rules_at })
}

/// The index file's bytes, and where the index proper starts (just after the rules).
fn encode(key: &str, catalog: &Catalog, rules: &RuleSet, stamps: &[FileStamp]) -> Result<(Vec<u8>, usize)> {
    // The file table: the catalog-level stamps (for validation), then one entry per built-in
    // file (to find scenario text again), each user file with its content hash.
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
    let file_index = |s: &SourceFile| -> u32 {
        let wanted = match s.origin {
            Origin::Builtin => {
                format!("<builtin>/{}", s.path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default())
            }
            _ => s.path.display().to_string(),
        };
        files.iter().position(|f| f.path == wanted).unwrap_or(0) as u32
    };

    let mut w = Writer::default();
    w.buf.extend_from_slice(MAGIC);
    w.u32(FORMAT);
    w.u64(0); // checksum, filled in below
    w.str(key);
    w.count(files.len());
    for f in &files {
        w.str(&f.path);
        w.u8(f.origin as u8);
        w.u8(u8::from(f.markdown));
        w.u64(f.size);
        w.u64(f.mtime_ns);
        w.u64(f.hash);
    }
    let problems: Vec<&Problem> = catalog.problems.iter().chain(&catalog.duplicates).collect();
    w.count(problems.len());
    for p in problems {
        w.u8(u8::from(p.severity == Severity::Error));
        w.count(file_index(&p.source.file) as usize);
        w.count(p.source.line);
        w.str(&p.message);
    }
    rules.encode(&mut w);
    let index_at = w.buf.len();
    // Documents point at files by index; look each up once per file, not per scenario.
    let mut cache: Vec<(Arc<SourceFile>, u32)> = Vec::new();
    index::build(
        &catalog.scenarios,
        |s: &Scenario| {
            if let Some((_, i)) = cache.iter().find(|(f, _)| Arc::ptr_eq(f, &s.source.file)) {
                return *i;
            }
            let i = file_index(&s.source.file);
            cache.push((Arc::clone(&s.source.file), i));
            i
        },
        rules,
        &mut w,
    );
    let sum = checksum(&w.buf[HEADER..]);
    w.buf[12..20].copy_from_slice(&sum.to_le_bytes());
    Ok((w.buf, index_at))
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
