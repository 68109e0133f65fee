//! The index file's layout, in one place, with its version beside it. Every number is
//! little-endian; `count` is a u32; `str` is a count then UTF-8 bytes.
//!
//! ```text
//! header   magic "K8SDOCIX" | FORMAT u32 | checksum u64 (of everything after the header) | file length u64
//! key      str                                  which catalog configuration and which encoder
//! files    count × (path str, origin u8, markdown u8, size u64, mtime_ns u64, hash u64)
//! problems count × (severity u8, file count, line count, message str)
//! rules    see `rules.rs`
//! docs     count, avg_len f32, count × DocRecord (id, file, line, end_line, len f32, title_hash)
//! cats     byte length, then one str per document
//! terms    Table of TERM_RECORD (blob offset, length, postings offset, postings count) + blob
//! postings count, then (doc u32, BM25 impact f32) for every term, in term order, by doc
//! words    Table of WORD_RECORD (blob offset, length, document frequency) + blob
//! links    count × (offset u32, length u32), then (doc u32, LinkKind u32) records
//! ```
//!
//! A query binary-searches the term records and reads only its own terms' postings, in place.

use anyhow::{bail, Context, Result};

use super::codec::{Reader, Writer};
use crate::catalog::model::Origin;
use crate::catalog::problem::Severity;
use crate::engine::bm25::Bm25;
use crate::engine::index::{DocRecord, IndexData, LinkKind};
use crate::hash::fingerprint as checksum;

pub(super) const MAGIC: &[u8; 8] = b"K8SDOCIX";
/// Bump when the layout changes; older files are then ignored and rebuilt. (The encoder's
/// source hash is in the cache key too, so a forgotten bump cannot mislead a reader.)
pub(super) const FORMAT: u32 = 6;
/// Magic, format, checksum, file length.
pub(super) const HEADER: usize = 8 + 4 + 8 + 8;
const CHECKSUM_AT: usize = 12;
const LENGTH_AT: usize = 20;

const DOC_RECORD: usize = 24;
const TERM_RECORD: usize = 16;
const WORD_RECORD: usize = 12;
const LINK_RECORD: usize = 8;

/// One file the index was built from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FileStamp {
    /// `<builtin>/NAME` for embedded files.
    pub path: String,
    pub origin: Origin,
    pub markdown: bool,
    pub size: u64,
    pub mtime_ns: u64,
    pub hash: u64,
}

/// A load problem as stored: which file of the file table, which line.
pub(super) struct StoredProblem {
    pub severity: Severity,
    pub file: usize,
    pub line: usize,
    pub message: String,
}

/// The header and the parts before the rules, decoded.
pub(super) struct Head {
    pub files: Vec<FileStamp>,
    pub problems: Vec<StoredProblem>,
    /// Where the rules start.
    pub rules_at: usize,
}

/// Starts an index file: header (checksum and length filled in by [`finish`]), key, files and
/// problems. The rules and the index follow.
pub(super) fn begin(key: &str, files: &[FileStamp], problems: &[StoredProblem]) -> Writer {
    let mut w = Writer::default();
    w.buf.extend_from_slice(MAGIC);
    w.u32(FORMAT);
    w.u64(0);
    w.u64(0);
    w.str(key);
    w.count(files.len());
    for f in files {
        w.str(&f.path);
        w.u8(f.origin as u8);
        w.u8(u8::from(f.markdown));
        w.u64(f.size);
        w.u64(f.mtime_ns);
        w.u64(f.hash);
    }
    w.count(problems.len());
    for p in problems {
        w.u8(u8::from(p.severity == Severity::Error));
        w.count(p.file);
        w.count(p.line);
        w.str(&p.message);
    }
    w
}

/// Fills in the checksum and the length: the file is complete.
pub(super) fn finish(mut w: Writer) -> Vec<u8> {
    let len = w.buf.len() as u64;
    w.buf[LENGTH_AT..LENGTH_AT + 8].copy_from_slice(&len.to_le_bytes());
    let sum = checksum(&w.buf[HEADER..]);
    w.buf[CHECKSUM_AT..CHECKSUM_AT + 8].copy_from_slice(&sum.to_le_bytes());
    w.buf
}

/// Whether the stored checksum matches the contents: run on demand (after a decode failed, or
/// when asked to verify), not at every open, so a large index is not read whole per query.
pub(super) fn checksum_ok(bytes: &[u8]) -> bool {
    bytes.len() >= HEADER && checksum(&bytes[HEADER..]).to_le_bytes() == bytes[CHECKSUM_AT..CHECKSUM_AT + 8]
}

/// Whether `bytes` start like an index of this format (its key may still be another's).
pub(super) fn is_current_format(bytes: &[u8]) -> bool {
    bytes.len() >= HEADER && &bytes[..8] == MAGIC && bytes[8..12] == FORMAT.to_le_bytes()
}

/// Reads the header, key, files and problems. Checks the magic, the format, the key and the
/// length (a torn or truncated file is caught here without reading it whole).
pub(super) fn decode_head(bytes: &[u8], key: &str) -> Result<Head> {
    if bytes.len() < HEADER || &bytes[..8] != MAGIC {
        bail!("not a k8sdoc index");
    }
    let mut r = Reader::new(bytes);
    r.pos = 8;
    if r.u32()? != FORMAT {
        bail!("index format changed");
    }
    let _checksum = r.u64()?;
    if r.u64()? != bytes.len() as u64 {
        bail!("index truncated or extended");
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
        if file >= files.len() {
            bail!("index: problem in an unknown file");
        }
        problems.push(StoredProblem { severity, file, line, message });
    }
    Ok(Head { files, problems, rules_at: r.pos })
}

/// Writes the index proper.
pub(super) fn encode_index(w: &mut Writer, index: &IndexData) {
    w.count(index.docs.len());
    w.f32(index.avg_len);
    for r in &index.docs {
        w.u32(r.id);
        w.u32(r.file);
        w.u32(r.line);
        w.u32(r.end_line);
        w.f32(r.len);
        w.u32(r.title_hash);
    }
    let mut categories = Writer::default();
    for c in &index.categories {
        categories.str(c);
    }
    w.count(categories.buf.len());
    w.buf.extend_from_slice(&categories.buf);

    write_table(w, index.terms.iter().map(|(t, p)| (t.as_str(), p.len() as u32)), TERM_RECORD);
    // What a query needs of each posting is its impact, the document's part of its BM25 score.
    let bm25 = Bm25 { n_docs: index.docs.len() as f32, avg_len: index.avg_len };
    w.count(index.terms.iter().map(|(_, p)| p.len()).sum());
    for (_, list) in &index.terms {
        for &(doc, tf) in list {
            w.u32(doc);
            w.f32(bm25.impact(tf, index.docs[doc as usize].len));
        }
    }
    write_table(w, index.vocabulary.iter().map(|(word, df)| (word.as_str(), *df)), WORD_RECORD);

    w.count(index.links.len());
    let mut offset = 0u32;
    for list in &index.links {
        w.u32(offset);
        w.count(list.len());
        offset += list.len() as u32;
    }
    for list in &index.links {
        for &(doc, kind) in list {
            w.u32(doc);
            w.u32(kind as u32);
        }
    }
}

/// Records of (blob offset, length[, running offset], value) followed by the blob.
fn write_table<'a>(w: &mut Writer, items: impl Iterator<Item = (&'a str, u32)>, record: usize) {
    let items: Vec<(&str, u32)> = items.collect();
    w.count(items.len());
    let mut blob = 0u32;
    let mut running = 0u32;
    for (s, value) in &items {
        w.u32(blob);
        w.u32(s.len() as u32);
        if record == TERM_RECORD {
            w.u32(running);
            running += value;
        }
        w.u32(*value);
        blob += s.len() as u32;
    }
    let total: usize = items.iter().map(|(s, _)| s.len()).sum();
    w.count(total);
    for (s, _) in &items {
        w.buf.extend_from_slice(s.as_bytes());
    }
}

/// A read-only view of an encoded index: lookups read the bytes in place.
pub(crate) struct IndexView<'a> {
    pub n_docs: usize,
    pub avg_len: f32,
    docs: &'a [u8],
    categories: &'a [u8],
    terms: Table<'a>,
    postings: &'a [u8],
    words: Table<'a>,
    links: Vec<(u32, u32)>,
    link_data: &'a [u8],
}

/// One term's postings: (document u32, BM25 impact f32) records, by document.
#[derive(Clone, Copy)]
pub(crate) struct Postings<'a> {
    records: &'a [u8],
    n_docs: usize,
}

impl<'a> Postings<'a> {
    /// How many documents hold the term.
    pub(crate) fn len(&self) -> usize {
        self.records.len() / 8
    }

    /// (document, impact), by document.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (usize, f32)> + 'a {
        let n = self.n_docs;
        self.records
            .chunks_exact(8)
            .map(|c| (le32(c, 0) as usize, f32::from_bits(le32(c, 4))))
            .filter(move |&(d, _)| d < n)
    }

    /// The term's impact in `doc`, if `doc` holds it.
    pub(crate) fn impact(&self, doc: usize) -> Option<f32> {
        find_record(self.records, 8, doc).map(|at| f32::from_bits(le32(self.records, at + 4)))
    }
}

/// The byte offset of the record for `doc` among fixed-size records sorted by a leading u32
/// document number (binary search; a corrupt, unsorted list finds less but never panics).
fn find_record(records: &[u8], size: usize, doc: usize) -> Option<usize> {
    let n = records.len() / size;
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = (lo + hi) / 2;
        match (le32(records, mid * size) as usize).cmp(&doc) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => return Some(mid * size),
        }
    }
    None
}

/// Sorted fixed-size records pointing into a string blob.
struct Table<'a> {
    records: &'a [u8],
    record: usize,
    blob: &'a [u8],
}

fn le32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

impl<'a> Table<'a> {
    fn read(r: &mut Reader<'a>, record: usize) -> Result<Table<'a>> {
        let n = r.count()?;
        let records = r.bytes(n.checked_mul(record).context("index: table too large")?)?;
        let blob_len = r.count()?;
        let blob = r.bytes(blob_len)?;
        Ok(Table { records, record, blob })
    }

    fn len(&self) -> usize {
        self.records.len() / self.record
    }

    /// The string of record `i`; empty if the record points outside the blob (a corrupt file
    /// must not panic; the checksum, run on demand, tells corruption apart).
    fn key(&self, i: usize) -> &'a [u8] {
        let off = le32(self.records, i * self.record) as usize;
        let len = le32(self.records, i * self.record + 4) as usize;
        self.blob.get(off..off.saturating_add(len)).unwrap_or_default()
    }

    /// The `n`th u32 value of record `i` after the string reference.
    fn value(&self, i: usize, n: usize) -> u32 {
        le32(self.records, i * self.record + 8 + 4 * n)
    }

    fn find(&self, key: &str) -> Option<usize> {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.key(mid).cmp(key.as_bytes()) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }
}

impl<'a> IndexView<'a> {
    pub(super) fn read(r: &mut Reader<'a>) -> Result<IndexView<'a>> {
        let n_docs = r.count()?;
        let avg_len = r.f32()?;
        let docs = r.bytes(n_docs.checked_mul(DOC_RECORD).context("index: too many docs")?)?;
        let cat_len = r.count()?;
        let categories = r.bytes(cat_len)?;
        let terms = Table::read(r, TERM_RECORD)?;
        let total = r.count()?;
        let postings = r.bytes(total.checked_mul(8).context("index: too many postings")?)?;
        let words = Table::read(r, WORD_RECORD)?;
        let n_links = r.count()?;
        let mut links = Vec::with_capacity(n_links.min(1 << 16));
        let mut link_total = 0u64;
        for _ in 0..n_links {
            let (off, len) = (r.u32()?, r.u32()?);
            link_total = link_total.max(u64::from(off) + u64::from(len));
            links.push((off, len));
        }
        let link_data = r.bytes(usize::try_from(link_total)? * LINK_RECORD)?;
        Ok(IndexView { n_docs, avg_len, docs, categories, terms, postings, words, links, link_data })
    }

    /// Document `doc`; callers only pass numbers from postings and links, which are checked.
    pub(crate) fn doc(&self, doc: usize) -> DocRecord {
        let b = &self.docs[doc * DOC_RECORD..];
        DocRecord {
            id: le32(b, 0),
            file: le32(b, 4),
            line: le32(b, 8),
            end_line: le32(b, 12),
            len: f32::from_bits(le32(b, 16)),
            title_hash: le32(b, 20),
        }
    }

    /// Document `doc`'s scenario number alone (ranking reads it for every candidate).
    pub(crate) fn id(&self, doc: usize) -> u32 {
        le32(self.docs, doc * DOC_RECORD)
    }

    /// Document `doc`'s title hash alone (folding twins reads it for every candidate).
    pub(crate) fn title_hash(&self, doc: usize) -> u32 {
        le32(self.docs, doc * DOC_RECORD + 20)
    }

    /// Every document's category, in order (only `--category` needs them).
    pub(crate) fn categories(&self) -> Result<Vec<&'a str>> {
        let mut r = Reader::new(self.categories);
        (0..self.n_docs).map(|_| r.str()).collect()
    }

    /// The postings of a stemmed term (none for a term the catalog lacks), read in place.
    pub(crate) fn postings(&self, term: &str) -> Postings<'a> {
        let (start, count) = match self.terms.find(term) {
            Some(i) => (self.terms.value(i, 0) as usize, self.terms.value(i, 1) as usize),
            None => (0, 0),
        };
        let bytes = self.postings.get(start * 8..(start + count) * 8).unwrap_or_default();
        Postings { records: bytes, n_docs: self.n_docs }
    }

    /// Scenarios linked to a symptom, with how.
    pub(crate) fn links(&self, symptom: usize) -> impl Iterator<Item = (usize, LinkKind)> + 'a {
        let n = self.n_docs;
        self.link_records(symptom)
            .chunks_exact(LINK_RECORD)
            .map(|c| (le32(c, 0) as usize, LinkKind::from_u32(le32(c, 4))))
            .filter(move |&(d, _)| d < n)
    }

    /// How document `doc` is linked to a symptom, if it is (links are stored by document).
    pub(crate) fn link_kind(&self, symptom: usize, doc: usize) -> Option<LinkKind> {
        let records = self.link_records(symptom);
        find_record(records, LINK_RECORD, doc).map(|at| LinkKind::from_u32(le32(records, at + 4)))
    }

    /// A symptom's (doc, kind) records, by document; none for a symptom out of range.
    fn link_records(&self, symptom: usize) -> &'a [u8] {
        let (off, len) = self.links.get(symptom).copied().unwrap_or((0, 0));
        let range = off as usize * LINK_RECORD..(off as usize + len as usize) * LINK_RECORD;
        self.link_data.get(range).unwrap_or_default()
    }

    pub(crate) fn link_count(&self, symptom: usize) -> usize {
        self.links.get(symptom).map_or(0, |&(_, n)| n as usize)
    }

    /// Whether `word` is in the catalog's vocabulary.
    pub(crate) fn knows_word(&self, word: &str) -> bool {
        self.words.find(word).is_some()
    }

    /// Every vocabulary word with the number of documents using it, in byte order.
    pub(crate) fn vocabulary(&self) -> impl Iterator<Item = (&'a [u8], u32)> + '_ {
        (0..self.words.len()).map(|i| (self.words.key(i), self.words.value(i, 0)))
    }
}
