//! Symptom rules: the typed vocabulary `diagnose` reasons with, loaded from YAML data.
//!
//! A rule file holds `symptoms:` (id, description, coverage keys, curated scenario links and
//! regex patterns) and `synonyms:` (query expansions such as `oom` -> `oomkilled`). The built-in
//! files live in `scenarios/*.yaml`; users add theirs beside their own scenarios.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use anyhow::{bail, Result};
use regex_automata::meta::Regex;
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input};
use regex_syntax::hir::literal::{ExtractKind, Extractor};

use super::rule_spec::RuleFile;
use crate::catalog::model::{Origin, Source, SourceFile};
use crate::catalog::problem::{Problem, Severity};
use crate::catalog::RuleText;
use crate::yaml;

/// A symptom: something a user sees, detectable in text by its patterns.
#[derive(Debug)]
pub(crate) struct Symptom {
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
    /// The rule file and the line of its id (`None` for a rule set read from an index).
    pub file: Option<(Arc<SourceFile>, usize)>,
}

/// Where a pattern matched: which symptom, and the byte range of the text that matched.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Hit {
    pub symptom: usize,
    pub span: Range<usize>,
}

/// Every symptom of every rule file, with an Aho-Corasick prefilter over the patterns' literal
/// prefixes: a text is run only through the patterns whose prefix occurs in it. (One big
/// `RegexSet` of ~1,000 patterns with bounded gaps like `.{0,30}` overflows the lazy DFA and
/// falls back to a slow NFA; the prefilter keeps matching linear and compiles patterns lazily.)
#[derive(Debug)]
pub(crate) struct RuleSet {
    pub symptoms: Vec<Symptom>,
    pub synonyms: HashMap<String, Vec<String>>,
    pub(in crate::engine) patterns: Vec<Pattern>,
    /// Every pattern's literal prefixes, lowercased; a pattern's are a range of these.
    pub(in crate::engine) literals: LiteralSet,
    /// Every pattern's literal suffixes, lowercased; a pattern's are a range of these.
    pub(in crate::engine) suffixes: LiteralSet,
    /// An automaton over `literals`, built on first use with a long text: building it costs more
    /// than scanning a short query once per literal.
    prefilter: OnceLock<Option<AhoCorasick>>,
    /// (first two bytes, literal) sorted, to find the literals that may start at a position of a
    /// short text without building anything per call.
    pub(in crate::engine) by_start: Vec<([u8; 2], u32)>,
    /// For each literal, the pattern it belongs to.
    literal_owner: Vec<usize>,
    /// Patterns with no usable literal prefix: always run.
    always: Vec<usize>,
}

/// How far past its literal prefix a pattern may reach. Patterns are short phrases with bounded
/// gaps (`.{0,40}`), so an anchored search in a window this size finds every match; a pattern
/// that could match more is found only where its match fits, and `lint` says so. The window
/// keeps matching linear in the text whatever the pattern (docs/symptom-rules.md).
pub(crate) const WINDOW: usize = 400;

/// Texts up to this long are scanned once per literal instead of through the automaton.
const SHORT_TEXT: usize = 2048;

#[derive(Debug)]
pub(in crate::engine) struct Pattern {
    pub(in crate::engine) source: String,
    pub(in crate::engine) symptom: usize,
    /// Its literal prefixes in `RuleSet::literals`; `None`: no usable prefix, always run.
    pub(in crate::engine) prefixes: Option<Range<u32>>,
    /// Its literal suffixes in `RuleSet::suffixes`, one of which every match ends with: a
    /// candidate whose suffixes are all absent from the text is skipped without compiling it.
    pub(in crate::engine) suffixes: Option<Range<u32>>,
    pub(in crate::engine) compiled: OnceLock<Option<Regex>>,
}

/// Byte strings packed into one buffer: a rule set holds thousands of short literals, and one
/// allocation each made decoding a cached index slower than everything else it does.
#[derive(Debug, Default, Clone)]
pub(in crate::engine) struct LiteralSet {
    pub(in crate::engine) bytes: Vec<u8>,
    pub(in crate::engine) ends: Vec<u32>,
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

    pub(in crate::engine) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(in crate::engine) fn get(&self, i: usize) -> &[u8] {
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

impl RuleSet {
    /// Reads every rule file. The first error (a file that does not parse, a duplicate id, a
    /// pattern that does not compile) fails the load, naming its file and line: a rule is never
    /// dropped silently.
    pub(crate) fn load(files: &[RuleText]) -> Result<RuleSet> {
        let (rules, problems) = RuleSet::read(files);
        if let Some(p) = problems.iter().find(|p| p.severity == Severity::Error) {
            bail!("{}: {}", p.source, p.message);
        }
        Ok(rules)
    }

    /// Every problem in the rule files, errors and warnings, for `lint`.
    pub(crate) fn check(files: &[RuleText]) -> Vec<Problem> {
        RuleSet::read(files).1
    }

    fn read(files: &[RuleText]) -> (RuleSet, Vec<Problem>) {
        let mut problems = Vec::new();
        let mut symptoms: Vec<Symptom> = Vec::new();
        let mut synonyms: HashMap<String, Vec<String>> = HashMap::new();
        let mut seen: HashMap<String, String> = HashMap::new();
        for rt in files {
            let at = |line: usize| Source { file: Arc::clone(&rt.file), line };
            let origin = rt.file.path.display().to_string();
            let parsed: RuleFile = match yaml::parse(&rt.text, &origin) {
                Ok(parsed) => parsed,
                Err(err) => {
                    // The YAML error names its own line and column.
                    let message = format!("{err:#}");
                    let message = message.strip_prefix(&format!("{origin}:")).unwrap_or(&message).to_string();
                    let line = message.split(':').next().and_then(|l| l.parse().ok()).unwrap_or(0);
                    let message = message.split_once(": ").map_or(message.clone(), |(_, m)| m.to_string());
                    problems.push(Problem::new(Severity::Error, at(line), message));
                    continue;
                }
            };
            for spec in parsed.symptoms {
                let id_line = line_of(&rt.text, &spec.id, 1);
                if let Some(first) = seen.insert(spec.id.clone(), origin.clone()) {
                    let message = format!("symptom `{}` is already defined in {first}", spec.id);
                    problems.push(Problem::new(Severity::Error, at(id_line), message));
                    continue;
                }
                if spec.patterns.is_empty() {
                    problems.push(Problem::new(
                        Severity::Error,
                        at(id_line),
                        format!("symptom `{}` has no patterns", spec.id),
                    ));
                    continue;
                }
                symptoms.push(Symptom {
                    id: spec.id,
                    description: spec.description,
                    covers: spec.covers,
                    scenarios: spec.scenarios,
                    origin: rt.file.origin,
                    patterns: spec.patterns,
                    weight: spec.weight.unwrap_or(1.0),
                    file: Some((Arc::clone(&rt.file), id_line)),
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
        let texts: HashMap<&std::path::Path, &str> =
            files.iter().map(|f| (f.file.path.as_path(), f.text.as_str())).collect();
        for (i, symptom) in symptoms.iter().enumerate() {
            let (file, id_line) = symptom.file.clone().expect("read from a file");
            let text = texts.get(file.path.as_path()).copied().unwrap_or("");
            for source in &symptom.patterns {
                let at = Source { file: Arc::clone(&file), line: line_of(text, source, id_line) };
                let bad = |err: &dyn std::fmt::Display| {
                    Problem::new(
                        Severity::Error,
                        at.clone(),
                        format!("symptom `{}`: bad pattern `{source}`: {err}", symptom.id),
                    )
                };
                let (prefixes, suffixes, longest) = match literals(source) {
                    Ok(found) => found,
                    Err(err) => {
                        problems.push(bad(&err));
                        continue;
                    }
                };
                // Built-in patterns are checked when k8sdoc is built (and by a test); a user's are
                // compiled now, so one over the size limit fails here rather than never matching.
                let compiled = OnceLock::new();
                if file.origin != Origin::Builtin {
                    match compile(source) {
                        Ok(re) => {
                            let _ = compiled.set(Some(re));
                        }
                        Err(err) => {
                            problems.push(bad(&err));
                            continue;
                        }
                    }
                }
                if prefixes.is_some() && longest.is_none_or(|n| n > WINDOW) {
                    problems.push(Problem::new(
                        Severity::Warning,
                        at.clone(),
                        format!(
                            "symptom `{}`: pattern `{source}` can match more than {WINDOW} bytes; only matches that end within {WINDOW} bytes of where they start are found",
                            symptom.id
                        ),
                    ));
                }
                patterns.push(Pattern {
                    source: source.clone(),
                    symptom: i,
                    prefixes: prefixes.map(|list| all_prefixes.extend(&list)),
                    suffixes: suffixes.map(|list| all_suffixes.extend(&list)),
                    compiled,
                });
            }
        }
        let by_start = start_table(&all_prefixes);
        (RuleSet::assemble(symptoms, synonyms, patterns, all_prefixes, all_suffixes, by_start), problems)
    }

    /// Indexes the patterns' literals: which pattern owns each prefix, which patterns have none.
    pub(in crate::engine) fn assemble(
        symptoms: Vec<Symptom>,
        synonyms: HashMap<String, Vec<String>>,
        patterns: Vec<Pattern>,
        literals: LiteralSet,
        suffixes: LiteralSet,
        by_start: Vec<([u8; 2], u32)>,
    ) -> RuleSet {
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
        RuleSet {
            symptoms,
            synonyms,
            patterns,
            literals,
            suffixes,
            by_start,
            literal_owner,
            prefilter: OnceLock::new(),
            always,
        }
    }

    /// Every match in `text`, as (pattern, byte range), at most one per symptom: each literal
    /// prefix found by the prefilter is tried as an anchored match start. With `leftmost`, a
    /// symptom's match is its leftmost one (evidence shows it); without, the first found, and
    /// a long text's literal hits are streamed rather than collected and sorted (indexing a
    /// scenario with a long body then holds none of them).
    fn matches(&self, text: &[u8], leftmost: bool) -> Vec<(usize, std::ops::Range<usize>)> {
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
        let mut try_at = |start: usize, literal: usize| {
            let i = self.literal_owner[literal];
            let pattern = &self.patterns[i];
            if done[pattern.symptom] || !plausible(i, pattern) {
                return;
            }
            let end = (start + WINDOW).min(text.len());
            let input = Input::new(text).range(start..end).anchored(Anchored::Yes);
            if let Some(hit) = pattern.regex().and_then(|re| re.search(&input)) {
                done[pattern.symptom] = true;
                found.push((i, hit.range()));
            }
        };
        // The automaton is built only for a long text (building it costs more than scanning a
        // short one).
        let stream = if !leftmost && text.len() > SHORT_TEXT { self.automaton() } else { None };
        match stream {
            Some(ac) => ac.find_overlapping_iter(text).for_each(|m| try_at(m.start(), m.pattern().as_usize())),
            None => self.literal_hits(text).into_iter().for_each(|(start, literal)| try_at(start, literal)),
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

    /// An automaton over every literal prefix, built on first use with a long text.
    fn automaton(&self) -> Option<&AhoCorasick> {
        self.prefilter
            .get_or_init(|| {
                // A contiguous NFA builds fast and searches well; a DFA costs more to build.
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .kind(Some(AhoCorasickKind::ContiguousNFA))
                    .build(self.literals.iter())
                    .ok()
            })
            .as_ref()
    }

    /// (position, literal) for every occurrence of a literal prefix in `text`, by position.
    fn literal_hits(&self, text: &[u8]) -> Vec<(usize, usize)> {
        let automaton = if text.len() <= SHORT_TEXT { None } else { self.automaton() };
        let Some(ac) = automaton else { return self.literal_hits_naive(text) };
        let mut hits: Vec<(usize, usize)> =
            ac.find_overlapping_iter(text).map(|m| (m.start(), m.pattern().as_usize())).collect();
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

    /// Symptoms whose patterns match `text`, each once, with where it matched.
    pub(crate) fn detect(&self, text: &str) -> Vec<Hit> {
        self.matches(text.as_bytes(), true)
            .into_iter()
            .map(|(i, span)| Hit { symptom: self.patterns[i].symptom, span })
            .collect()
    }

    /// Which symptoms match `text`, without evidence (for linking scenarios).
    pub(crate) fn matching(&self, text: &str) -> Vec<usize> {
        self.matches(text.as_bytes(), false).into_iter().map(|(i, _)| self.patterns[i].symptom).collect()
    }
}

/// The literal prefixes one of which every match of `pattern` starts with, and the suffixes one
/// of which it ends with (lowercased); `None` where no such finite set exists. Errors on invalid
/// syntax.
type Literals = Option<Vec<Vec<u8>>>;

/// Also the longest a match can be (`None`: unbounded).
fn literals(pattern: &str) -> Result<(Literals, Literals, Option<usize>)> {
    let hir = regex_syntax::ParserBuilder::new().unicode(false).utf8(false).build().parse(pattern)?;
    let longest = hir.properties().maximum_len();
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
    Ok((extract(ExtractKind::Prefix), extract(ExtractKind::Suffix), longest))
}

/// (first two bytes, literal) for every literal, sorted.
fn start_table(literals: &LiteralSet) -> Vec<([u8; 2], u32)> {
    let mut table: Vec<([u8; 2], u32)> = literals.iter().enumerate().map(|(i, l)| ([l[0], l[1]], i as u32)).collect();
    table.sort_unstable();
    table
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

/// The 1-based line of the first line at or after `from` that contains `needle` as written
/// (or `from` when none does: YAML escaping can change how a pattern is written).
fn line_of(text: &str, needle: &str, from: usize) -> usize {
    text.lines().enumerate().skip(from.saturating_sub(1)).find(|(_, l)| l.contains(needle)).map_or(from, |(i, _)| i + 1)
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
    fn every_builtin_pattern_compiles() {
        let rules = builtin();
        let bad: Vec<String> = rules
            .patterns
            .iter()
            .filter_map(|p| compile(&p.source).err().map(|e| format!("{}: {e}", p.source)))
            .collect();
        assert!(bad.is_empty(), "{bad:#?}");
        let problems =
            RuleSet::check(&Catalog::load(&CatalogSettings { builtin: true, paths: Vec::new() }).unwrap().rules);
        assert!(problems.iter().all(|p| p.severity != Severity::Error), "{problems:#?}");
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
