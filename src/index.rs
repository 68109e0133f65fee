//! The search index over a catalog: weighted term frequencies for BM25, the vocabulary for typo
//! correction, and the links from symptoms to scenarios, encoded so that a query reads it in
//! place (see `cache.rs` for where it is kept).

use std::collections::HashMap;

use anyhow::Result;

use crate::codec::{Reader, Writer};
use crate::model::{Field, Origin, Scenario};
use crate::rules::RuleSet;
use crate::tokenize::tokenize;

/// How much a word counts in each section (BM25F-style field weights): the title, summary and
/// What You See say what a scenario is about; lessons and avoidance tips mostly do not.
pub fn field_weight(field: Option<Field>) -> f32 {
    match field {
        None => 3.0, // the title
        Some(Field::Summary) => 2.0,
        Some(Field::WhatYouSee) => 2.0,
        Some(Field::RootCause) => 1.2,
        Some(Field::Covers) => 1.0,
        Some(Field::WhatHappened) | Some(Field::DiagnosisSteps) => 1.0,
        Some(Field::Fix) => 0.6,
        Some(Field::Category) => 0.5,
        Some(Field::LessonsLearned) | Some(Field::HowToAvoid) | Some(Field::ProTip) => 0.4,
        Some(Field::Environment) => 0.2,
    }
}

/// How a scenario is linked to a symptom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum LinkKind {
    /// Named by the symptom's `scenarios:` list.
    Curated,
    /// A pattern matched the title, summary or What You See.
    Headline,
    /// The scenario's `Covers:` names one of the symptom's keys and a pattern matched its story.
    Covers,
    /// The scenario's `Covers:` names one of the symptom's keys, but no pattern matched: a
    /// coverage key is broader than a symptom, so this counts for less.
    CoversOnly,
    /// A pattern matched the story only: what happened, diagnosis, root cause.
    Body,
}

impl LinkKind {
    pub fn strength(self) -> f32 {
        match self {
            LinkKind::Curated | LinkKind::Headline => 1.0,
            LinkKind::Covers => 0.8,
            LinkKind::CoversOnly => 0.45,
            LinkKind::Body => 0.35,
        }
    }
}

/// What the index says about one scenario: enough to rank it and to find its text again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DocRecord {
    pub id: u32,
    /// Index into the index's file table.
    pub file: u32,
    /// First line (1-based) and the line after the last.
    pub line: u32,
    pub end_line: u32,
    /// Weighted length, for BM25 length normalisation.
    pub len: f32,
    /// Hash of the normalised title: equal hashes mark the same incident filed twice.
    pub title_hash: u32,
}

const DOC_RECORD: usize = 24;
const TERM_RECORD: usize = 16;
const WORD_RECORD: usize = 12;
const LINK_RECORD: usize = 8;

/// Builds the index of a catalog: BM25 statistics, vocabulary and symptom links, as bytes.
/// What one scenario contributes to the index; computed in parallel, merged in order.
struct DocTerms {
    tf: Vec<(String, f32)>,
    words: Vec<String>,
    links: Vec<(usize, LinkKind)>,
    len: f32,
}

fn doc_terms(s: &Scenario, rules: &RuleSet) -> DocTerms {
    let mut tf: HashMap<String, f32> = HashMap::new();
    let mut words: Vec<String> = Vec::new();
    let mut len = 0.0;
    for field in std::iter::once(None).chain(Field::ALL.into_iter().map(Some)) {
        let weight = field_weight(field);
        let lines = match field {
            None => vec![s.title.as_str()],
            Some(f) => s.field_lines(f),
        };
        for line in lines {
            for token in tokenize(&strip_placeholders(line)) {
                *tf.entry(token.term).or_default() += weight;
                len += weight;
                words.push(token.word);
            }
        }
    }
    words.sort_unstable();
    words.dedup();
    DocTerms { tf: tf.into_iter().collect(), words, links: link(s, rules), len }
}

/// Every scenario's terms and links, on all cores: linking runs the symptom patterns over each
/// scenario, the slow part of building the index of a large catalog.
fn all_doc_terms(scenarios: &[Scenario], rules: &RuleSet) -> Vec<DocTerms> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    if threads < 2 || scenarios.len() < 64 {
        return scenarios.iter().map(|s| doc_terms(s, rules)).collect();
    }
    let chunk = scenarios.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = scenarios
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(|s| doc_terms(s, rules)).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("index worker panicked")).collect()
    })
}

pub fn build(scenarios: &[Scenario], mut file_of: impl FnMut(&Scenario) -> u32, rules: &RuleSet, w: &mut Writer) {
    let mut postings: HashMap<String, Vec<(u32, f32)>> = HashMap::new();
    let mut words: HashMap<String, u32> = HashMap::new();
    let mut links: Vec<Vec<(u32, LinkKind)>> = vec![Vec::new(); rules.symptoms.len()];
    let mut records = Vec::with_capacity(scenarios.len());
    let mut total = 0.0;
    // Batches bound the memory held by per-document terms before they are merged.
    let batched = scenarios.chunks(1024).flat_map(|batch| all_doc_terms(batch, rules));
    for (doc, (s, terms)) in scenarios.iter().zip(batched).enumerate() {
        for (term, f) in terms.tf {
            postings.entry(term).or_default().push((doc as u32, f));
        }
        for word in terms.words {
            *words.entry(word).or_default() += 1;
        }
        for (symptom, kind) in terms.links {
            links[symptom].push((doc as u32, kind));
        }
        total += terms.len;
        records.push(DocRecord {
            id: s.id,
            file: file_of(s),
            line: s.source.line as u32,
            end_line: s.end_line as u32,
            len: terms.len,
            title_hash: title_hash(&s.title),
        });
    }
    let avg_len = if scenarios.is_empty() { 1.0 } else { total / scenarios.len() as f32 };

    w.count(records.len());
    w.f32(avg_len);
    for r in &records {
        w.u32(r.id);
        w.u32(r.file);
        w.u32(r.line);
        w.u32(r.end_line);
        w.f32(r.len);
        w.u32(r.title_hash);
    }
    let mut categories = Writer::default();
    for s in scenarios {
        categories.str(s.category.as_deref().unwrap_or(""));
    }
    w.count(categories.buf.len());
    w.buf.extend_from_slice(&categories.buf);

    // Terms: sorted fixed-size records (blob offset, length, postings offset, count), then the
    // term text blob, then the postings; a query binary-searches the records and reads only the
    // postings of its own terms.
    let mut terms: Vec<(String, Vec<(u32, f32)>)> = postings.into_iter().collect();
    terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    write_sorted_strings(w, terms.iter().map(|(t, p)| (t.as_str(), p.len() as u32)), TERM_RECORD);
    for (_, list) in &terms {
        for &(doc, tf) in list {
            w.u32(doc);
            w.f32(tf);
        }
    }
    let mut vocab: Vec<(String, u32)> = words.into_iter().collect();
    vocab.sort_unstable();
    write_sorted_strings(w, vocab.iter().map(|(word, df)| (word.as_str(), *df)), WORD_RECORD);

    w.count(links.len());
    let mut offset = 0u32;
    for list in &links {
        w.u32(offset);
        w.count(list.len());
        offset += list.len() as u32;
    }
    for list in &links {
        for &(doc, kind) in list {
            w.u32(doc);
            w.u32(kind as u32);
        }
    }
}

/// A hash of a title's words, lowercased: `Zombie Pods Blocking Node Drain` and `zombie pods
/// blocking node-drain` hash alike.
pub fn title_hash(title: &str) -> u32 {
    let words: Vec<String> =
        title.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    crate::codec::checksum(words.join(" ").as_bytes()) as u32
}

/// Records of (blob offset, length, value[, running offset]) followed by the blob.
fn write_sorted_strings<'a>(w: &mut Writer, items: impl Iterator<Item = (&'a str, u32)>, record: usize) {
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

/// The symptoms linked to one scenario, with the strongest link kind for each.
fn link(s: &Scenario, rules: &RuleSet) -> Vec<(usize, LinkKind)> {
    let mut kinds: HashMap<usize, LinkKind> = HashMap::new();
    let mut note = |symptom: usize, kind: LinkKind| {
        let entry = kinds.entry(symptom).or_insert(kind);
        if kind.strength() > entry.strength() {
            *entry = kind;
        }
    };
    for i in rules.matching(&headline_text(s)) {
        note(i, LinkKind::Headline);
    }
    let body = [Field::WhatHappened, Field::DiagnosisSteps, Field::RootCause]
        .into_iter()
        .flat_map(|f| s.field_lines(f))
        .collect::<Vec<_>>()
        .join("\n");
    let in_body = rules.matching(&body);
    for &i in &in_body {
        note(i, LinkKind::Body);
    }
    for (i, symptom) in rules.symptoms.iter().enumerate() {
        let curated_here = symptom.origin != Origin::Builtin || s.source.file.origin == Origin::Builtin;
        if curated_here && symptom.scenarios.contains(&s.id) {
            note(i, LinkKind::Curated);
        }
        if symptom.covers.iter().any(|k| s.covers.contains(k)) {
            note(i, if in_body.contains(&i) { LinkKind::Covers } else { LinkKind::CoversOnly });
        }
    }
    let mut out: Vec<(usize, LinkKind)> = kinds.into_iter().collect();
    out.sort_by_key(|(i, _)| *i);
    out
}

/// A read-only view of an encoded index: lookups read the bytes in place.
pub struct IndexView<'a> {
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
        let records = r.bytes(n.checked_mul(record).ok_or_else(|| anyhow::anyhow!("index: table too large"))?)?;
        let blob_len = r.count()?;
        let blob = r.bytes(blob_len)?;
        Ok(Table { records, record, blob })
    }

    fn len(&self) -> usize {
        self.records.len() / self.record
    }

    /// The string of record `i`; empty if the record points outside the blob (corruption is
    /// caught by the checksum; this only keeps a bad file from panicking).
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
    pub fn read(r: &mut Reader<'a>) -> Result<IndexView<'a>> {
        let n_docs = r.count()?;
        let avg_len = r.f32()?;
        let docs = r.bytes(n_docs.checked_mul(DOC_RECORD).ok_or_else(|| anyhow::anyhow!("index: too many docs"))?)?;
        let cat_len = r.count()?;
        let categories = r.bytes(cat_len)?;
        let terms = Table::read(r, TERM_RECORD)?;
        let total: u64 = (0..terms.len()).map(|i| u64::from(terms.value(i, 1))).sum();
        let postings = r.bytes(usize::try_from(total)? * 8)?;
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
    pub fn doc(&self, doc: usize) -> DocRecord {
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

    /// Every document's category, in order (only `--category` needs them).
    pub fn categories(&self) -> Result<Vec<&'a str>> {
        let mut r = Reader::new(self.categories);
        (0..self.n_docs).map(|_| r.str()).collect()
    }

    /// (document, weighted term frequency) for a stemmed term.
    pub fn postings(&self, term: &str) -> impl Iterator<Item = (usize, f32)> + 'a {
        let (start, count) = match self.terms.find(term) {
            Some(i) => (self.terms.value(i, 0) as usize, self.terms.value(i, 1) as usize),
            None => (0, 0),
        };
        let n = self.n_docs;
        let bytes = self.postings.get(start * 8..(start + count) * 8).unwrap_or_default();
        bytes.chunks_exact(8).map(|c| (le32(c, 0) as usize, f32::from_bits(le32(c, 4)))).filter(move |&(d, _)| d < n)
    }

    /// Scenarios linked to a symptom, with how.
    pub fn links(&self, symptom: usize) -> impl Iterator<Item = (usize, LinkKind)> + 'a {
        let (off, len) = self.links.get(symptom).copied().unwrap_or((0, 0));
        let n = self.n_docs;
        let range = off as usize * LINK_RECORD..(off as usize + len as usize) * LINK_RECORD;
        let bytes = self.link_data.get(range).unwrap_or_default();
        bytes
            .chunks_exact(LINK_RECORD)
            .map(|c| (le32(c, 0) as usize, LinkKind::from_u32(le32(c, 4))))
            .filter(move |&(d, _)| d < n)
    }

    pub fn link_count(&self, symptom: usize) -> usize {
        self.links.get(symptom).map_or(0, |&(_, n)| n as usize)
    }

    /// The catalog word closest to `word` (one edit for short words, two for long ones), the
    /// most common one on ties; `None` when `word` is known or nothing is close.
    pub fn correct(&self, word: &str) -> Option<&'a str> {
        if word.len() < 4 || !word.bytes().all(|b| b.is_ascii_lowercase()) || self.words.find(word).is_some() {
            return None;
        }
        let max = if word.len() >= 8 { 2 } else { 1 };
        let mut best: Option<(usize, std::cmp::Reverse<u32>, &'a [u8])> = None;
        for i in 0..self.words.len() {
            let candidate = self.words.key(i);
            if candidate.len().abs_diff(word.len()) > max || !candidate.iter().all(|b| b.is_ascii_lowercase()) {
                continue;
            }
            let Some(d) = bounded_distance(word.as_bytes(), candidate, max) else { continue };
            let key = (d, std::cmp::Reverse(self.words.value(i, 0)), candidate);
            if best.is_none_or(|b| key < b) {
                best = Some(key);
            }
        }
        best.and_then(|(_, _, w)| std::str::from_utf8(w).ok())
    }
}

impl LinkKind {
    fn from_u32(v: u32) -> LinkKind {
        match v {
            0 => LinkKind::Curated,
            1 => LinkKind::Headline,
            2 => LinkKind::Covers,
            3 => LinkKind::CoversOnly,
            _ => LinkKind::Body,
        }
    }
}

/// Scenario text without `<pod>`-style placeholders: they stand for names, and counting them
/// would make `namespace` or `node` look common. Values kubectl really prints (`<none>`,
/// `<pending>`, `<unknown>`) are kept.
pub fn strip_placeholders(text: &str) -> std::borrow::Cow<'_, str> {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| regex::Regex::new(r"<([a-zA-Z][\w.:/-]*)>").expect("valid regex"));
    re.replace_all(text, |caps: &regex::Captures| match &caps[1] {
        "none" | "pending" | "unknown" | "invalid" | "nil" => caps[0].to_string(),
        _ => " ".to_string(),
    })
}

/// Title, summary and What You See: what a scenario is about.
pub fn headline_text(s: &Scenario) -> String {
    let mut parts = vec![s.title.as_str()];
    parts.extend(s.summary.as_deref());
    parts.extend(s.what_you_see.iter().map(|i| i.text.as_str()));
    parts.join("\n")
}

/// Levenshtein distance (with adjacent transpositions) when it is at most `max`.
fn bounded_distance(a: &[u8], b: &[u8], max: usize) -> Option<usize> {
    let mut prev2: Vec<usize> = Vec::new();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j - 1] + cost).min(prev[j] + 1).min(cur[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
            row_min = row_min.min(cur[j]);
        }
        if row_min > max {
            return None;
        }
        prev2 = std::mem::replace(&mut prev, cur);
    }
    (prev[b.len()] <= max).then_some(prev[b.len()])
}

#[cfg(test)]
mod tests {
    use super::bounded_distance;

    #[test]
    fn distances() {
        assert_eq!(bounded_distance(b"terminting", b"terminating", 2), Some(1));
        assert_eq!(bounded_distance(b"presure", b"pressure", 1), Some(1));
        assert_eq!(bounded_distance(b"etdc", b"etcd", 1), Some(1));
        assert_eq!(bounded_distance(b"abcdef", b"uvwxyz", 2), None);
    }
}
