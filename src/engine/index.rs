//! What the index knows about a catalog, computed from its scenarios: weighted term frequencies
//! for BM25, the vocabulary for typo correction, and the links from symptoms to scenarios.
//! `store` writes it to disk and reads it back in place; nothing here touches bytes.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::catalog::model::{Origin, Scenario};
use crate::catalog::sections::{Field, TITLE_WEIGHT};

use super::rules::RuleSet;
use super::tokenize::for_each_token;

/// How a scenario is linked to a symptom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
pub(crate) enum LinkKind {
    /// Named by the symptom's `scenarios:` list.
    Curated = 0,
    /// A pattern matched the title, summary or What You See.
    Headline = 1,
    /// The scenario's `Covers:` names one of the symptom's keys and a pattern matched its story.
    Covers = 2,
    /// The scenario's `Covers:` names one of the symptom's keys, but no pattern matched: a
    /// coverage key is broader than a symptom, so this counts for less.
    CoversOnly = 3,
    /// A pattern matched the story only: what happened, diagnosis, root cause.
    Body = 4,
}

impl LinkKind {
    pub(crate) fn strength(self) -> f32 {
        match self {
            LinkKind::Curated => 1.0,
            // Found by a pattern in the scenario's own title, summary or What You See: the same
            // words already earn text relevance, so the link is partly the same evidence twice.
            LinkKind::Headline => 0.6,
            LinkKind::Covers => 0.8,
            LinkKind::CoversOnly => 0.45,
            LinkKind::Body => 0.35,
        }
    }

    /// Whether the link says what the scenario is about (not only its story or its keys).
    pub(crate) fn is_strong(self) -> bool {
        !matches!(self, LinkKind::Body | LinkKind::CoversOnly)
    }

    pub(crate) fn from_u32(v: u32) -> LinkKind {
        match v {
            0 => LinkKind::Curated,
            1 => LinkKind::Headline,
            2 => LinkKind::Covers,
            3 => LinkKind::CoversOnly,
            _ => LinkKind::Body,
        }
    }
}

/// What the index says about one scenario: enough to rank it and to find its text again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct DocRecord {
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

/// The index of a catalog, in memory, before `store` encodes it.
#[derive(Debug, Default)]
pub(crate) struct IndexData {
    pub docs: Vec<DocRecord>,
    pub avg_len: f32,
    /// Every document's category ("" for none), in document order.
    pub categories: Vec<String>,
    /// Stemmed terms, sorted, each with its (document, weighted frequency) postings.
    pub terms: Vec<(String, Vec<(u32, f32)>)>,
    /// Surface words, sorted, each with the number of documents that use it.
    pub vocabulary: Vec<(String, u32)>,
    /// For each symptom of the rule set, the documents linked to it.
    pub links: Vec<Vec<(u32, LinkKind)>>,
}

/// What one scenario contributes to the index; computed in parallel, merged in order.
struct DocTerms {
    tf: Vec<(String, f32)>,
    words: Vec<String>,
    links: Vec<(usize, LinkKind)>,
    len: f32,
}

fn doc_terms(s: &Scenario, rules: &RuleSet) -> DocTerms {
    let mut tf: HashMap<String, f32> = HashMap::new();
    let mut words: HashSet<String> = HashSet::new();
    let mut len = 0.0;
    let title = std::iter::once((TITLE_WEIGHT, vec![s.title.as_str()]));
    let sections = Field::ALL.into_iter().map(|f| (f.section().weight, s.field_lines(f)));
    // A section weighted 0 (`Seen In`: thread addresses) is provenance, not text to match: it
    // must not add postings, vocabulary or coverage.
    for (weight, lines) in title.chain(sections).filter(|(weight, _)| *weight > 0.0) {
        for line in lines {
            for_each_token(&strip_placeholders(line), |token| {
                *tf.entry(token.term).or_default() += weight;
                len += weight;
                if !words.contains(&token.word) {
                    words.insert(token.word);
                }
            });
        }
    }
    let mut words: Vec<String> = words.into_iter().collect();
    words.sort_unstable();
    DocTerms { tf: tf.into_iter().collect(), words, links: link(s, rules), len }
}

/// Told how many scenarios of how many are indexed, as they are: from the indexing threads, so
/// `Sync`. Each scenario takes about a millisecond (more in a debug build), so a display
/// updated per scenario moves smoothly without costing anything noticeable.
pub(crate) type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// Counts indexed scenarios across the worker threads and reports each one.
struct Counter<'a> {
    done: AtomicUsize,
    total: usize,
    report: Progress<'a>,
}

impl Counter<'_> {
    fn one_more(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        (self.report)(done, self.total);
    }
}

/// Every scenario's terms and links, on all cores: linking runs the symptom patterns over each
/// scenario, the slow part of building the index of a large catalog.
fn all_doc_terms(scenarios: &[Scenario], rules: &RuleSet, counter: &Counter) -> Vec<DocTerms> {
    let terms = |s: &Scenario| {
        let terms = doc_terms(s, rules);
        counter.one_more();
        terms
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    if threads < 2 || scenarios.len() < 64 {
        return scenarios.iter().map(terms).collect();
    }
    let chunk = scenarios.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = scenarios
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(terms).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("index worker panicked")).collect()
    })
}

/// Indexes `scenarios`; `file_of` gives the file-table index of a scenario's file, `progress`
/// hears of every scenario indexed.
pub(crate) fn build(
    scenarios: &[Scenario],
    mut file_of: impl FnMut(&Scenario) -> u32,
    rules: &RuleSet,
    progress: Progress,
) -> IndexData {
    let mut postings: HashMap<String, Vec<(u32, f32)>> = HashMap::new();
    let mut words: HashMap<String, u32> = HashMap::new();
    let mut links: Vec<Vec<(u32, LinkKind)>> = vec![Vec::new(); rules.symptoms.len()];
    let mut docs = Vec::with_capacity(scenarios.len());
    let mut total = 0.0;
    // Batches bound the memory held by per-document terms before they are merged.
    let counter = Counter { done: AtomicUsize::new(0), total: scenarios.len(), report: progress };
    let batched = scenarios.chunks(1024).flat_map(|batch| all_doc_terms(batch, rules, &counter));
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
        docs.push(DocRecord {
            id: s.id,
            file: file_of(s),
            line: s.source.line as u32,
            end_line: s.end_line as u32,
            len: terms.len,
            title_hash: title_hash(&s.title),
        });
    }
    let avg_len = if scenarios.is_empty() { 1.0 } else { total / scenarios.len() as f32 };
    let mut terms: Vec<(String, Vec<(u32, f32)>)> = postings.into_iter().collect();
    terms.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut vocabulary: Vec<(String, u32)> = words.into_iter().collect();
    vocabulary.sort_unstable();
    let categories = scenarios.iter().map(|s| s.category.clone().unwrap_or_default()).collect();
    IndexData { docs, avg_len, categories, terms, vocabulary, links }
}

/// A hash of a title's words, lowercased: `Zombie Pods Blocking Node Drain` and `zombie pods
/// blocking node-drain` hash alike.
pub(crate) fn title_hash(title: &str) -> u32 {
    let words: Vec<String> =
        title.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    fnv32(words.join(" ").as_bytes())
}

/// FNV-1a, 32 bits: a stable hash (the standard library's may change between releases, and
/// these hashes are stored in the index).
fn fnv32(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in bytes {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    h
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

/// Scenario text without `<pod>`-style placeholders: they stand for names, and counting them
/// would make `namespace` or `node` look common. Values kubectl really prints (`<none>`,
/// `<pending>`, `<unknown>`) are kept.
fn strip_placeholders(text: &str) -> std::borrow::Cow<'_, str> {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| regex::Regex::new(r"<([a-zA-Z][\w.:/-]*)>").expect("valid regex"));
    re.replace_all(text, |caps: &regex::Captures| match &caps[1] {
        "none" | "pending" | "unknown" | "invalid" | "nil" => caps[0].to_string(),
        _ => " ".to_string(),
    })
}

/// Title, summary and What You See: what a scenario is about.
fn headline_text(s: &Scenario) -> String {
    let mut parts = vec![s.title.as_str()];
    parts.extend(s.summary.as_deref());
    parts.extend(s.what_you_see.iter().map(|i| i.text.as_str()));
    parts.join("\n")
}
