//! Symptom rules: the typed vocabulary `diagnose` reasons with, loaded from YAML data.
//!
//! A rule file holds `symptoms:` (id, description, coverage keys, curated scenario links and
//! regex patterns) and `synonyms:` (query expansions such as `oom` -> `oomkilled`). The built-in
//! files live in `scenarios/*.yaml`; users add theirs beside their own scenarios.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use aho_corasick::{AhoCorasick, MatchKind};
use anyhow::{bail, Context, Result};
use regex_automata::meta::Regex;
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input};
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use serde::Deserialize;

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
    prefilter: AhoCorasick,
    /// For each literal of `prefilter`, the pattern it belongs to.
    literal_owner: Vec<usize>,
    /// Patterns with no usable literal prefix: always run.
    always: Vec<usize>,
}

/// How far past its literal prefix a pattern may reach. Patterns are short phrases with bounded
/// gaps (`.{0,40}`), so an anchored search in a window this size finds every match.
const WINDOW: usize = 400;

#[derive(Debug)]
struct Pattern {
    source: String,
    symptom: usize,
    compiled: OnceLock<Option<Regex>>,
}

impl Pattern {
    fn regex(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| compile(&self.source).ok())
            .as_ref()
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
                    bail!(
                        "{origin}: symptom `{}` is already defined in {first}",
                        spec.id
                    );
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
        let mut literals: Vec<Vec<u8>> = Vec::new();
        let mut literal_owner = Vec::new();
        let mut always = Vec::new();
        for (i, symptom) in symptoms.iter().enumerate() {
            for source in &symptom.patterns {
                let index = patterns.len();
                let found = prefixes(source)
                    .with_context(|| format!("symptom `{}`: bad pattern `{source}`", symptom.id))?;
                match found {
                    Some(prefixes) => {
                        for p in prefixes {
                            literals.push(p);
                            literal_owner.push(index);
                        }
                    }
                    None => always.push(index),
                }
                patterns.push(Pattern {
                    source: source.clone(),
                    symptom: i,
                    compiled: OnceLock::new(),
                });
            }
        }
        let prefilter = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&literals)
            .context("cannot build the symptom prefilter")?;
        Ok(RuleSet {
            symptoms,
            synonyms,
            patterns,
            prefilter,
            literal_owner,
            always,
        })
    }

    /// Every match in `text`, as (pattern, byte range), at most one per symptom: each literal
    /// prefix found by the prefilter is tried as an anchored match start.
    fn matches(&self, text: &[u8]) -> Vec<(usize, std::ops::Range<usize>)> {
        let mut found: Vec<(usize, std::ops::Range<usize>)> = Vec::new();
        let mut done = vec![false; self.symptoms.len()];
        for m in self.prefilter.find_overlapping_iter(text) {
            let i = self.literal_owner[m.pattern().as_usize()];
            let pattern = &self.patterns[i];
            if done[pattern.symptom] {
                continue;
            }
            let end = (m.start() + WINDOW).min(text.len());
            let input = Input::new(text)
                .range(m.start()..end)
                .anchored(Anchored::Yes);
            if let Some(hit) = pattern.regex().and_then(|re| re.search(&input)) {
                done[pattern.symptom] = true;
                found.push((i, hit.range()));
            }
        }
        for &i in &self.always {
            let pattern = &self.patterns[i];
            if !done[pattern.symptom] {
                if let Some(hit) = pattern.regex().and_then(|re| re.search(&Input::new(text))) {
                    done[pattern.symptom] = true;
                    found.push((i, hit.range()));
                }
            }
        }
        found.sort_by_key(|(i, _)| self.patterns[*i].symptom);
        found
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
        self.matches(text.as_bytes())
            .into_iter()
            .map(|(i, _)| self.patterns[i].symptom)
            .collect()
    }
}

/// The literal prefixes one of which every match of `pattern` starts with; `None` when the
/// pattern has no such finite set (it is then always run). Errors on invalid syntax.
fn prefixes(pattern: &str) -> Result<Option<Vec<Vec<u8>>>> {
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)?;
    let seq = Extractor::new().kind(ExtractKind::Prefix).extract(&hir);
    let Some(literals) = seq.literals() else {
        return Ok(None);
    };
    // A too-short or empty prefix would let almost everything through.
    if literals.is_empty() || literals.iter().any(|l| l.as_bytes().len() < 2) {
        return Ok(None);
    }
    Ok(Some(
        literals.iter().map(|l| l.as_bytes().to_vec()).collect(),
    ))
}

/// Patterns are ASCII-case-insensitive and match bytes: no Unicode case tables to build, and
/// UTF-8 text still matches.
fn compile(pattern: &str) -> Result<Regex> {
    let syntax = syntax::Config::new()
        .case_insensitive(true)
        .unicode(false)
        .utf8(false);
    // Searches are short and anchored at a prefilter hit, so skip the engines that are costly to
    // build (one-pass DFA, literal prefilter) and keep the lazy DFA.
    let config = Regex::config()
        .onepass(false)
        .auto_prefilter(false)
        .dfa(false);
    Ok(Regex::builder()
        .syntax(syntax)
        .configure(config)
        .build(pattern)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Catalog, CatalogSettings};

    fn builtin() -> RuleSet {
        let catalog = Catalog::load(&CatalogSettings {
            builtin: true,
            paths: Vec::new(),
        })
        .unwrap();
        RuleSet::load(&catalog.rules).unwrap()
    }

    #[test]
    fn most_patterns_have_a_literal_prefilter() {
        let rules = builtin();
        let unfiltered: Vec<&str> = rules
            .always
            .iter()
            .map(|&i| rules.patterns[i].source.as_str())
            .collect();
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
        let hits = rules.detect(
            "Warning  BackOff  kubelet  Back-off restarting failed container app in pod web",
        );
        let ids: Vec<&str> = hits
            .iter()
            .map(|h| rules.symptoms[h.symptom].id.as_str())
            .collect();
        assert!(ids.contains(&"pod-crashloopbackoff"), "{ids:?}");
    }
}
