//! Symptom rules: the typed vocabulary `diagnose` reasons with, loaded from YAML data.
//!
//! A rule file holds `symptoms:` (id, description, coverage keys, curated scenario links and
//! regex patterns) and `synonyms:` (query expansions such as `oom` -> `oomkilled`). The built-in
//! files live in `scenarios/*.yaml`; users add theirs beside their own scenarios.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use anyhow::{bail, Context, Result};
use regex_automata::meta::Regex;
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use serde::Deserialize;

use crate::codec::{Reader, Writer};
use crate::model::{Origin, SourceFile};
use crate::yaml;

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    symptoms: Vec<SymptomSpec>,
    #[serde(default)]
    synonyms: HashMap<String, Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SymptomSpec {
    id: String,
    description: String,
    #[serde(default)]
    covers: Vec<String>,
    #[serde(default)]
    scenarios: Vec<u32>,
    patterns: Vec<String>,
    #[serde(default)]
    weight: Option<f32>,
}

/// A symptom: something a user sees, detectable in text by its patterns.
#[derive(Debug)]
pub struct Symptom {
    pub id: String,
    pub description: String,
    /// Coverage keys: scenarios whose `Covers:` names one are linked to this symptom.
    pub covers: Vec<String>,
    /// Curated links to scenario numbers.
    pub scenarios: Vec<u32>,
    /// Curated links apply to scenarios of this layer (built-in rules link built-in scenarios).
    pub origin: Origin,
    /// The patterns as written in the rule file (empty for a rule set read from an index, whose
    /// patterns live in the set itself).
    pub patterns: Vec<String>,
    /// Multiplies the symptom's specificity; 1.0 unless the rule says otherwise.
    pub weight: f32,
}

/// Where a pattern matched: which symptom, and the text that matched.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub symptom: usize,
    pub matched: String,
}

/// Every symptom of every rule file, with an Aho-Corasick prefilter over the patterns' literal
/// prefixes: a text is run only through the patterns whose prefix occurs in it. (One big
/// `RegexSet` of ~1,000 patterns with bounded gaps like `.{0,30}` overflows the lazy DFA and
/// falls back to a slow NFA; the prefilter keeps matching linear and compiles patterns lazily.)
#[derive(Debug)]
pub struct RuleSet {
    pub symptoms: Vec<Symptom>,
    pub synonyms: HashMap<String, Vec<String>>,
    patterns: Vec<Pattern>,
    /// Every pattern's literal prefixes, lowercased; a pattern's are a range of these.
    literals: LiteralSet,
    /// Every pattern's literal suffixes, lowercased; a pattern's are a range of these.
    suffixes: LiteralSet,
    /// An automaton over `literals`, built on first use with a long text: building it costs more
    /// than scanning a short query once per literal.
    prefilter: OnceLock<Option<AhoCorasick>>,
    /// (first two bytes, literal) sorted, to find the literals that may start at a position of a
    /// short text without building anything per call.
    by_start: Vec<([u8; 2], u32)>,
    /// For each literal, the pattern it belongs to.
    literal_owner: Vec<usize>,
    /// Patterns with no usable literal prefix: always run.
    always: Vec<usize>,
}

/// How far past its literal prefix a pattern may reach. Patterns are short phrases with bounded
/// gaps (`.{0,40}`), so an anchored search in a window this size finds every match.
const WINDOW: usize = 400;

/// Texts up to this long are scanned once per literal instead of through the automaton.
const SHORT_TEXT: usize = 2048;

#[derive(Debug)]
struct Pattern {
    source: String,
    symptom: usize,
    /// Its literal prefixes in `RuleSet::literals`; `None`: no usable prefix, always run.
    prefixes: Option<Range<u32>>,
    /// Its literal suffixes in `RuleSet::suffixes`, one of which every match ends with: a
    /// candidate whose suffixes are all absent from the text is skipped without compiling it.
    suffixes: Option<Range<u32>>,
    compiled: OnceLock<Option<Regex>>,
}

/// Byte strings packed into one buffer: a rule set holds thousands of short literals, and one
/// allocation each made decoding a cached index slower than everything else it does.
#[derive(Debug, Default, Clone)]
struct LiteralSet {
    bytes: Vec<u8>,
    ends: Vec<u32>,
}

impl LiteralSet {
    fn push(&mut self, literal: &[u8]) {
        self.bytes.extend_from_slice(literal);
        self.ends.push(self.bytes.len() as u32);
    }

    /// Appends literals; returns their index range.
    fn extend(&mut self, literals: &[Vec<u8>]) -> Range<u32> {
        let start = self.len() as u32;
        for l in literals {
            self.push(l);
        }
        start..self.len() as u32
    }

    fn encode(&self, w: &mut Writer) {
        w.count(self.ends.len());
        for &end in &self.ends {
            w.u32(end);
        }
        w.count(self.bytes.len());
        w.buf.extend_from_slice(&self.bytes);
    }

    fn decode(r: &mut Reader) -> Result<LiteralSet> {
        let count = r.count()?;
        let ends = (0..count).map(|_| r.u32()).collect::<Result<Vec<u32>>>()?;
        let len = r.count()?;
        let bytes = r.bytes(len)?.to_vec();
        // Every literal is at least two bytes and inside the buffer, or `get` could fail.
        let mut previous = 0u32;
        for &end in &ends {
            if end < previous.saturating_add(2) {
                bail!("index: bad literal set");
            }
            previous = end;
        }
        if ends.last().is_some_and(|&e| e as usize != bytes.len()) {
            bail!("index: bad literal set");
        }
        Ok(LiteralSet { bytes, ends })
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.bytes[start..self.ends[i] as usize]
    }

    fn iter(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.len()).map(|i| self.get(i))
    }
}

impl Pattern {
    fn regex(&self) -> Option<&Regex> {
        self.compiled.get_or_init(|| compile(&self.source).ok()).as_ref()
    }
}

/// A rule file's text and where it came from.
#[derive(Debug, Clone)]
pub struct RuleText {
    pub file: Arc<SourceFile>,
    pub text: String,
}

impl RuleSet {
    pub fn load(files: &[RuleText]) -> Result<RuleSet> {
        let mut symptoms: Vec<Symptom> = Vec::new();
        let mut synonyms: HashMap<String, Vec<String>> = HashMap::new();
        let mut seen: HashMap<String, String> = HashMap::new();
        for rt in files {
            let origin = rt.file.path.display().to_string();
            let parsed: RuleFile = yaml::parse(&rt.text, &origin)?;
            for spec in parsed.symptoms {
                if let Some(first) = seen.insert(spec.id.clone(), origin.clone()) {
                    bail!("{origin}: symptom `{}` is already defined in {first}", spec.id);
                }
                if spec.patterns.is_empty() {
                    bail!("{origin}: symptom `{}` has no patterns", spec.id);
                }
                symptoms.push(Symptom {
                    id: spec.id,
                    description: spec.description,
                    covers: spec.covers,
                    scenarios: spec.scenarios,
                    origin: rt.file.origin,
                    patterns: spec.patterns,
                    weight: spec.weight.unwrap_or(1.0),
                });
            }
            for (word, expansions) in parsed.synonyms {
                synonyms
                    .entry(word.to_lowercase())
                    .or_default()
                    .extend(expansions.into_iter().map(|e| e.to_lowercase()));
            }
        }
        let mut patterns = Vec::new();
        let (mut all_prefixes, mut all_suffixes) = (LiteralSet::default(), LiteralSet::default());
        for (i, symptom) in symptoms.iter().enumerate() {
            for source in &symptom.patterns {
                let (prefixes, suffixes) =
                    literals(source).with_context(|| format!("symptom `{}`: bad pattern `{source}`", symptom.id))?;
                patterns.push(Pattern {
                    source: source.clone(),
                    symptom: i,
                    prefixes: prefixes.map(|list| all_prefixes.extend(&list)),
                    suffixes: suffixes.map(|list| all_suffixes.extend(&list)),
                    compiled: OnceLock::new(),
                });
            }
        }
        let by_start = start_table(&all_prefixes);
        RuleSet::assemble(symptoms, synonyms, patterns, all_prefixes, all_suffixes, by_start)
    }

    /// Indexes the patterns' literals: which pattern owns each prefix, which patterns have none.
    fn assemble(
        symptoms: Vec<Symptom>,
        synonyms: HashMap<String, Vec<String>>,
        patterns: Vec<Pattern>,
        literals: LiteralSet,
        suffixes: LiteralSet,
        by_start: Vec<([u8; 2], u32)>,
    ) -> Result<RuleSet> {
        let mut literal_owner = vec![0; literals.len()];
        let mut always = Vec::new();
        for (index, pattern) in patterns.iter().enumerate() {
            match &pattern.prefixes {
                Some(range) => {
                    for owner in &mut literal_owner[range.start as usize..range.end as usize] {
                        *owner = index;
                    }
                }
                None => always.push(index),
            }
        }
        Ok(RuleSet {
            symptoms,
            synonyms,
            patterns,
            literals,
            suffixes,
            by_start,
            literal_owner,
            prefilter: OnceLock::new(),
            always,
        })
    }

    /// Writes the rule set, prefixes included, so a cached index can skip YAML and regex parsing.
    pub fn encode(&self, w: &mut Writer) {
        w.count(self.symptoms.len());
        for s in &self.symptoms {
            w.str(&s.id);
            w.str(&s.description);
            w.strs(&s.covers);
            w.count(s.scenarios.len());
            for &n in &s.scenarios {
                w.u32(n);
            }
            w.u8(s.origin as u8);
            w.f32(s.weight);
        }
        w.count(self.patterns.len());
        for p in &self.patterns {
            w.str(&p.source);
            w.count(p.symptom);
            encode_range(w, &p.prefixes);
            encode_range(w, &p.suffixes);
        }
        self.literals.encode(w);
        self.suffixes.encode(w);
        // The start table is stored sorted, so reading it back needs no sort.
        w.count(self.by_start.len());
        for (key, literal) in &self.by_start {
            w.buf.extend_from_slice(key);
            w.u32(*literal);
        }
        let mut synonyms: Vec<(&String, &Vec<String>)> = self.synonyms.iter().collect();
        synonyms.sort();
        w.count(synonyms.len());
        for (k, v) in synonyms {
            w.str(k);
            w.strs(v);
        }
    }

    pub fn decode(r: &mut Reader) -> Result<RuleSet> {
        let n = r.count()?;
        let mut symptoms = Vec::with_capacity(n.min(1 << 16));
        for _ in 0..n {
            let id = r.str()?.to_string();
            let description = r.str()?.to_string();
            let covers = r.strs()?;
            let count = r.count()?;
            let scenarios = (0..count).map(|_| r.u32()).collect::<Result<Vec<u32>>>()?;
            let origin = Origin::from_u8(r.u8()?);
            let weight = r.f32()?;
            symptoms.push(Symptom { id, description, covers, scenarios, origin, patterns: Vec::new(), weight });
        }
        let n = r.count()?;
        let mut patterns = Vec::with_capacity(n.min(1 << 16));
        for _ in 0..n {
            let source = r.str()?.to_string();
            let symptom = r.count()?;
            if symptom >= symptoms.len() {
                anyhow::bail!("index: pattern of unknown symptom {symptom}");
            }
            let prefixes = decode_range(r)?;
            let suffixes = decode_range(r)?;
            // `Symptom::patterns` only feeds `load`; a decoded set keeps its sources once, here.
            patterns.push(Pattern { source, symptom, prefixes, suffixes, compiled: OnceLock::new() });
        }
        let literals = LiteralSet::decode(r)?;
        let suffixes = LiteralSet::decode(r)?;
        for p in &patterns {
            let fits = |range: &Option<Range<u32>>, set: &LiteralSet| {
                range.as_ref().is_none_or(|r| r.start <= r.end && r.end as usize <= set.len())
            };
            if !fits(&p.prefixes, &literals) || !fits(&p.suffixes, &suffixes) {
                bail!("index: pattern literals out of range");
            }
        }
        let n = r.count()?;
        let table = r.bytes(n.checked_mul(6).context("index: start table too large")?)?;
        let by_start: Vec<([u8; 2], u32)> =
            table.chunks_exact(6).map(|c| ([c[0], c[1]], u32::from_le_bytes([c[2], c[3], c[4], c[5]]))).collect();
        if by_start.iter().any(|&(_, literal)| literal as usize >= literals.len()) {
            bail!("index: start table names a missing literal");
        }
        let n = r.count()?;
        let mut synonyms = HashMap::new();
        for _ in 0..n {
            let k = r.str()?.to_string();
            synonyms.insert(k, r.strs()?);
        }
        RuleSet::assemble(symptoms, synonyms, patterns, literals, suffixes, by_start)
    }

    /// Every match in `text`, as (pattern, byte range), at most one per symptom: each literal
    /// prefix found by the prefilter is tried as an anchored match start.
    fn matches(&self, text: &[u8]) -> Vec<(usize, std::ops::Range<usize>)> {
        let mut found: Vec<(usize, std::ops::Range<usize>)> = Vec::new();
        let mut done = vec![false; self.symptoms.len()];
        let lower = text.to_ascii_lowercase();
        let mut suffix_present: HashMap<usize, bool> = HashMap::new();
        let mut plausible = |i: usize, pattern: &Pattern| -> bool {
            *suffix_present.entry(i).or_insert_with(|| match &pattern.suffixes {
                None => true,
                Some(range) => (range.start..range.end)
                    .any(|s| memchr::memmem::find(&lower, self.suffixes.get(s as usize)).is_some()),
            })
        };
        for (start, literal) in self.literal_hits(text) {
            let i = self.literal_owner[literal];
            let pattern = &self.patterns[i];
            if done[pattern.symptom] || !plausible(i, pattern) {
                continue;
            }
            let end = (start + WINDOW).min(text.len());
            let input = Input::new(text).range(start..end).anchored(Anchored::Yes);
            if let Some(hit) = pattern.regex().and_then(|re| re.search(&input)) {
                done[pattern.symptom] = true;
                found.push((i, hit.range()));
            }
        }
        for &i in &self.always {
            let pattern = &self.patterns[i];
            if !done[pattern.symptom] && plausible(i, pattern) {
                if let Some(hit) = pattern.regex().and_then(|re| re.search(&Input::new(text))) {
                    done[pattern.symptom] = true;
                    found.push((i, hit.range()));
                }
            }
        }
        found.sort_by_key(|(i, _)| self.patterns[*i].symptom);
        found
    }

    /// (position, literal) for every occurrence of a literal prefix in `text`, by position.
    fn literal_hits(&self, text: &[u8]) -> Vec<(usize, usize)> {
        if text.len() <= SHORT_TEXT {
            return self.literal_hits_naive(text);
        }
        let mut hits = Vec::new();
        {
            let automaton = self.prefilter.get_or_init(|| {
                // A contiguous NFA builds fast and searches well; a DFA costs more to build.
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .kind(Some(AhoCorasickKind::ContiguousNFA))
                    .build(self.literals.iter())
                    .ok()
            });
            match automaton {
                Some(ac) => hits.extend(ac.find_overlapping_iter(text).map(|m| (m.start(), m.pattern().as_usize()))),
                None => return self.literal_hits_naive(text),
            }
        }
        hits.sort_unstable();
        hits
    }

    /// Literal hits in a short text: at each position, the literals starting with its two bytes.
    fn literal_hits_naive(&self, text: &[u8]) -> Vec<(usize, usize)> {
        let lower = text.to_ascii_lowercase();
        let mut hits: Vec<(usize, usize)> = Vec::new();
        for pos in 0..lower.len().saturating_sub(1) {
            let key = [lower[pos], lower[pos + 1]];
            let from = self.by_start.partition_point(|(k, _)| *k < key);
            for &(k, literal) in &self.by_start[from..] {
                if k != key {
                    break;
                }
                if lower[pos..].starts_with(self.literals.get(literal as usize)) {
                    hits.push((pos, literal as usize));
                }
            }
        }
        hits
    }

    /// Symptoms whose patterns match `text` (each once, with the text that matched).
    pub fn detect(&self, text: &str) -> Vec<Hit> {
        self.matches(text.as_bytes())
            .into_iter()
            .map(|(i, range)| Hit {
                symptom: self.patterns[i].symptom,
                matched: String::from_utf8_lossy(&text.as_bytes()[range]).into_owned(),
            })
            .collect()
    }

    /// Which symptoms match `text`, without evidence (for linking scenarios).
    pub fn matching(&self, text: &str) -> Vec<usize> {
        self.matches(text.as_bytes()).into_iter().map(|(i, _)| self.patterns[i].symptom).collect()
    }
}

/// The literal prefixes one of which every match of `pattern` starts with, and the suffixes one
/// of which it ends with (lowercased); `None` where no such finite set exists. Errors on invalid
/// syntax.
type Literals = Option<Vec<Vec<u8>>>;

fn literals(pattern: &str) -> Result<(Literals, Literals)> {
    let hir = regex_syntax::ParserBuilder::new().unicode(false).utf8(false).build().parse(pattern)?;
    let extract = |kind| {
        // A small limit keeps the sets short (longer sets get shorter, shared literals).
        let seq = Extractor::new().kind(kind).limit_total(48).extract(&hir);
        let literals = seq.literals()?;
        // A too-short or empty literal would let almost everything through.
        if literals.is_empty() || literals.iter().any(|l| l.as_bytes().len() < 2) {
            return None;
        }
        Some(literals.iter().map(|l| l.as_bytes().to_ascii_lowercase()).collect())
    };
    Ok((extract(ExtractKind::Prefix), extract(ExtractKind::Suffix)))
}

/// (first two bytes, literal) for every literal, sorted.
fn start_table(literals: &LiteralSet) -> Vec<([u8; 2], u32)> {
    let mut table: Vec<([u8; 2], u32)> = literals.iter().enumerate().map(|(i, l)| ([l[0], l[1]], i as u32)).collect();
    table.sort_unstable();
    table
}

fn encode_range(w: &mut Writer, range: &Option<Range<u32>>) {
    match range {
        None => w.u32(u32::MAX),
        Some(r) => {
            w.u32(r.start);
            w.u32(r.end);
        }
    }
}

fn decode_range(r: &mut Reader) -> Result<Option<Range<u32>>> {
    let start = r.u32()?;
    if start == u32::MAX {
        return Ok(None);
    }
    Ok(Some(start..r.u32()?))
}

/// Patterns are ASCII-case-insensitive and match bytes: no Unicode case tables to build, and
/// UTF-8 text still matches.
fn compile(pattern: &str) -> Result<Regex> {
    let syntax = syntax::Config::new().case_insensitive(true).unicode(false).utf8(false);
    // Searches are short and anchored at a prefilter hit, so only the engines that are cheap to
    // build are kept (a bounded backtracker and the PikeVM); a query compiles the patterns its
    // words make candidates, and DFA construction would cost more than the searches.
    let config = Regex::config().onepass(false).auto_prefilter(false).dfa(false).hybrid(false).backtrack(true);
    Ok(Regex::builder().syntax(syntax).configure(config).build(pattern)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Catalog, CatalogSettings};

    fn builtin() -> RuleSet {
        let catalog = Catalog::load(&CatalogSettings { builtin: true, paths: Vec::new() }).unwrap();
        RuleSet::load(&catalog.rules).unwrap()
    }

    #[test]
    fn most_patterns_have_a_literal_prefilter() {
        let rules = builtin();
        let unfiltered: Vec<&str> = rules.always.iter().map(|&i| rules.patterns[i].source.as_str()).collect();
        assert!(
            unfiltered.len() * 20 < rules.patterns.len(),
            "{} of {} patterns run on every text: {unfiltered:#?}",
            unfiltered.len(),
            rules.patterns.len()
        );
    }

    #[test]
    fn detects_with_evidence() {
        let rules = builtin();
        let hits = rules.detect("Warning  BackOff  kubelet  Back-off restarting failed container app in pod web");
        let ids: Vec<&str> = hits.iter().map(|h| rules.symptoms[h.symptom].id.as_str()).collect();
        assert!(ids.contains(&"pod-crashloopbackoff"), "{ids:?}");
    }
}
