//! The diagnose engine: what the user typed or pasted, into ranked scenarios with reasons.
//!
//! Two signals are combined. Rules: symptoms detected in the input, each linked to scenarios and
//! weighted by how specific it is (a symptom linked to few scenarios says more). Text relevance:
//! BM25 over the scenario fields, with stemming, synonyms and typo correction, for everything the
//! rules do not know. Each is normalised to the best document, so neither drowns the other.
//!
//! The pipeline, one function a step: [`Query::read`] (tokens, corrections, synonyms),
//! [`detect`] (symptoms), [`text_scores`] (BM25), [`rule_scores`], [`combine`], then the
//! result list is ordered, folded and filled ([`fold_duplicates`], [`represent_each_symptom`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::bm25::Bm25;
use super::correct::correct;
use super::extract::Signal;
use super::index::LinkKind;
use super::rules::RuleSet;
use super::store::IndexView;
use super::tokenize::{is_stop, stem, tokenize};

/// Where a piece of input came from, for explanations; the renderer turns it into words.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum InputOrigin {
    /// A `--symptom` text.
    Symptom,
    /// A signal line of pasted output, first seen on `line`, seen `count` times.
    Line { line: usize, count: usize },
    /// A short description read from a file (or stdin) that held no signal.
    File(String),
    /// What `analyze` saw on an object (its own description of the field).
    Object(String),
}

/// One piece of input: a `--symptom` text or a signal line from pasted output.
#[derive(Debug, Clone)]
pub(crate) struct Input {
    pub text: String,
    pub origin: InputOrigin,
    pub weight: f32,
    /// A line of pasted output rather than a typed symptom.
    pub pasted: bool,
}

impl Input {
    pub(crate) fn symptom(text: &str) -> Input {
        Input { text: text.to_string(), origin: InputOrigin::Symptom, weight: 1.0, pasted: false }
    }

    pub(crate) fn signal(signal: &Signal) -> Input {
        Input {
            text: signal.text.clone(),
            origin: InputOrigin::Line { line: signal.line, count: signal.count },
            weight: signal.weight,
            pasted: true,
        }
    }
}

/// Settings the engine takes; resolved from flags by the caller.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub limit: usize,
    pub category: Option<String>,
    /// Rule scores off: plain BM25, for comparison.
    pub text_only: bool,
}

/// Where a symptom was seen: which input, and the text its pattern matched.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Evidence {
    pub input: usize,
    pub matched: String,
}

/// A symptom found in the input, with the evidence for it.
#[derive(Debug, Clone)]
pub(crate) struct Detected {
    pub symptom: usize,
    /// One per input it was seen in (the first few).
    pub evidence: Vec<Evidence>,
    pub strength: f32,
    /// Seen in pasted output (as opposed to only in typed symptoms).
    pub from_paste: bool,
}

/// At most this many pieces of evidence are kept per symptom.
const MAX_EVIDENCE: usize = 3;

/// A detected symptom linked to a result: (symptom, how it is linked, score contribution).
pub(crate) type SymptomLink = (usize, LinkKind, f32);

/// One scenario's place in the ranking and what put it there.
#[derive(Debug, Clone)]
pub(crate) struct Ranked {
    pub doc: usize,
    /// 0-100.
    pub score: f32,
    pub rule_score: f32,
    pub text_score: f32,
    /// Symptoms that link here, with how (curated, covers, headline, body).
    pub symptoms: Vec<SymptomLink>,
    /// Query terms that matched, best first, with their BM25 contribution.
    pub terms: Vec<(String, f32)>,
    /// Documents with the same title, folded into this one.
    pub also: Vec<usize>,
}

#[derive(Debug, Default)]
pub(crate) struct Diagnosis {
    pub detected: Vec<Detected>,
    pub results: Vec<Ranked>,
    /// Words replaced by their nearest catalog word.
    pub corrections: Vec<(String, String)>,
}

/// How much a synonym counts against the word the user typed.
const SYNONYM_WEIGHT: f32 = 0.6;
/// A symptom's best scenario is shown in place of a redundant one only if it scores at least
/// this fraction of the top result.
const PROMOTE_WITHIN: f32 = 0.6;
/// How much each signal contributes to the final score.
const RULE_SHARE: f32 = 0.6;

/// Scores per document: the sum, and its parts.
type Scores<T> = HashMap<usize, (f32, Vec<T>)>;

pub(crate) fn diagnose(index: &IndexView, rules: &RuleSet, inputs: &[Input], settings: &Settings) -> Diagnosis {
    let query = Query::read(index, rules, inputs);
    let detected = detect(rules, inputs, &query.corrected);
    let text = text_scores(index, &query.terms);
    let rule = if settings.text_only { Scores::new() } else { rule_scores(index, rules, &detected) };
    let mut results = combine(index, text, rule, settings.category.as_deref());
    // Best first; ties go to the lower scenario number, then catalog order, so output is stable.
    // Scores are finite and non-negative, so their bits order like their values.
    results.sort_by_cached_key(|r| (std::cmp::Reverse(r.score.max(0.0).to_bits()), index.doc(r.doc).id, r.doc));
    fold_duplicates(&mut results, index);
    represent_each_symptom(&mut results, &detected, settings.limit);
    results.truncate(settings.limit);
    Diagnosis { detected, results, corrections: query.corrections }
}

/// The query as BM25 reads it.
struct Query {
    /// Stemmed term -> (summed weight, the surface word shown in explanations). Ordered maps
    /// throughout: scores are sums of floats, and a fixed summation order keeps the ranking
    /// identical from run to run.
    terms: BTreeMap<String, (f32, String)>,
    corrections: Vec<(String, String)>,
    /// Each input's text with its typos corrected, where that changed it.
    corrected: Vec<Option<String>>,
}

impl Query {
    fn read(index: &IndexView, rules: &RuleSet, inputs: &[Input]) -> Query {
        let mut query = Query { terms: BTreeMap::new(), corrections: Vec::new(), corrected: Vec::new() };
        let mut memo = HashMap::new();
        for input in inputs {
            let mut seen_terms: BTreeSet<String> = BTreeSet::new();
            let corrected = query.add_words(index, input, &mut seen_terms, &mut memo);
            query.add_synonyms(rules, input, &mut seen_terms);
            query.corrected.push((corrected != input.text).then_some(corrected));
        }
        query
    }

    /// Adds the input's words; a typed input's typos are corrected (pasted output is what the
    /// cluster printed: a word the catalog lacks is a name, not a typo). Each distinct word is
    /// looked up once. Returns the input's text as corrected.
    fn add_words(
        &mut self,
        index: &IndexView,
        input: &Input,
        seen_terms: &mut BTreeSet<String>,
        memo: &mut HashMap<String, Option<String>>,
    ) -> String {
        let mut fixed_here: HashMap<String, String> = HashMap::new();
        for token in tokenize(&input.text) {
            let fixed = if input.pasted || is_stop(&token.word) {
                None
            } else {
                memo.entry(token.word.clone())
                    .or_insert_with(|| correct(index, &token.word).map(str::to_string))
                    .clone()
            };
            let (term, word) = match fixed {
                Some(fixed) => {
                    if !self.corrections.iter().any(|(w, _)| *w == token.word) {
                        self.corrections.push((token.word.clone(), fixed.clone()));
                    }
                    fixed_here.insert(token.word.to_ascii_lowercase(), fixed.clone());
                    (stem(&fixed), fixed)
                }
                None => (token.term.clone(), token.word.clone()),
            };
            if seen_terms.insert(term.clone()) {
                self.add_term(term, input.weight, word);
            }
        }
        if fixed_here.is_empty() {
            input.text.clone()
        } else {
            replace_words(&input.text, &fixed_here)
        }
    }

    /// Synonyms apply to what was typed, not to other synonyms' expansions.
    fn add_synonyms(&mut self, rules: &RuleSet, input: &Input, seen_terms: &mut BTreeSet<String>) {
        let lower = input.text.to_lowercase();
        let typed = seen_terms.clone();
        let mut keys: Vec<(&String, &Vec<String>)> = rules.synonyms.iter().collect();
        keys.sort();
        for (key, expansions) in keys {
            let hit = if key.contains(' ') {
                lower.contains(key.as_str())
            } else {
                typed.contains(&stem(key)) || lower.split(|c: char| !c.is_alphanumeric()).any(|w| w == key)
            };
            if !hit {
                continue;
            }
            for expansion in expansions {
                for token in tokenize(expansion) {
                    if seen_terms.insert(token.term.clone()) {
                        self.add_term(token.term, input.weight * SYNONYM_WEIGHT, token.word);
                    }
                }
            }
        }
    }

    fn add_term(&mut self, term: String, weight: f32, word: String) {
        let entry = self.terms.entry(term).or_insert((0.0, word));
        entry.0 += weight;
    }
}

/// The symptoms the rules find in the inputs (and in their corrected text), with evidence.
fn detect(rules: &RuleSet, inputs: &[Input], corrected: &[Option<String>]) -> Vec<Detected> {
    let mut detected: BTreeMap<usize, Detected> = BTreeMap::new();
    for (n, input) in inputs.iter().enumerate() {
        let mut hits: Vec<(usize, String)> =
            rules.detect(&input.text).into_iter().map(|h| (h.symptom, input.text[h.span].to_string())).collect();
        if let Some(fixed) = corrected.get(n).and_then(Option::as_ref) {
            for hit in rules.detect(fixed) {
                if !hits.iter().any(|(s, _)| *s == hit.symptom) {
                    hits.push((hit.symptom, fixed[hit.span].to_string()));
                }
            }
        }
        for (symptom, matched) in hits {
            let d = detected.entry(symptom).or_insert(Detected {
                symptom,
                evidence: Vec::new(),
                strength: 0.0,
                from_paste: false,
            });
            d.from_paste |= input.pasted;
            d.strength = d.strength.max(input.weight);
            if d.evidence.len() < MAX_EVIDENCE {
                d.evidence.push(Evidence { input: n, matched });
            }
        }
    }
    detected.into_values().collect()
}

/// BM25 of every document that holds a query term, with each term's contribution.
fn text_scores(index: &IndexView, terms: &BTreeMap<String, (f32, String)>) -> Scores<(String, f32)> {
    let bm25 = Bm25 { n_docs: index.n_docs as f32, avg_len: index.avg_len };
    let mut text: Scores<(String, f32)> = HashMap::new();
    for (term, (weight, word)) in terms {
        let postings: Vec<(usize, f32)> = index.postings(term).collect();
        let term_weight = bm25.term(*weight, postings.len());
        for (doc, tf) in postings {
            let contribution = term_weight.score(tf, index.doc(doc).len);
            let entry = text.entry(doc).or_default();
            entry.0 += contribution;
            entry.1.push((word.clone(), contribution));
        }
    }
    text
}

/// Rule evidence per document: each detected symptom adds its specificity (how few scenarios it
/// links to), scaled by the link's kind and the evidence's strength.
fn rule_scores(index: &IndexView, rules: &RuleSet, detected: &[Detected]) -> Scores<SymptomLink> {
    let n = index.n_docs as f32;
    let mut rule: Scores<SymptomLink> = HashMap::new();
    for d in detected {
        let count = index.link_count(d.symptom);
        if count == 0 {
            continue;
        }
        let specificity = (1.0 + n / count as f32).ln() * rules.symptoms[d.symptom].weight;
        for (doc, kind) in index.links(d.symptom) {
            let contribution = d.strength * kind.strength() * specificity;
            let entry = rule.entry(doc).or_default();
            entry.0 += contribution;
            entry.1.push((d.symptom, kind, contribution));
        }
    }
    rule
}

/// Each document's final score: both signals normalised to their best document, mixed.
fn combine(
    index: &IndexView,
    mut text: Scores<(String, f32)>,
    mut rule: Scores<SymptomLink>,
    category: Option<&str>,
) -> Vec<Ranked> {
    let max_text = text.values().map(|v| v.0).fold(0.0, f32::max);
    let max_rule = rule.values().map(|v| v.0).fold(0.0, f32::max);
    let mut docs: Vec<usize> = text.keys().chain(rule.keys()).copied().collect();
    docs.sort_unstable();
    docs.dedup();
    let categories = match category {
        Some(_) => index.categories().unwrap_or_default(),
        None => Vec::new(),
    };
    let norm = |s: &str| -> String { s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect() };
    let wanted = category.map(norm);
    docs.into_iter()
        .filter(|&doc| wanted.as_ref().is_none_or(|w| categories.get(doc).is_some_and(|c| norm(c) == *w)))
        .map(|doc| {
            let (t, mut terms) = text.remove(&doc).unwrap_or_default();
            let (r, mut symptoms) = rule.remove(&doc).unwrap_or_default();
            let text_n = if max_text > 0.0 { t / max_text } else { 0.0 };
            let rule_n = if max_rule > 0.0 { r / max_rule } else { 0.0 };
            let score = if max_rule > 0.0 { RULE_SHARE * rule_n + (1.0 - RULE_SHARE) * text_n } else { text_n };
            terms.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            symptoms.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
            Ranked { doc, score: score * 100.0, rule_score: r, text_score: t, symptoms, terms, also: Vec::new() }
        })
        .filter(|r| r.score > 0.0)
        .collect()
}

/// Real collections file the same incident twice under different numbers; a copy ranks just
/// below its twin and would waste a slot, so it is folded into the first as `also`.
fn fold_duplicates(results: &mut Vec<Ranked>, index: &IndexView) {
    let mut kept: Vec<Ranked> = Vec::with_capacity(results.len());
    let mut by_title: HashMap<u32, usize> = HashMap::new();
    for r in results.drain(..) {
        match by_title.entry(index.doc(r.doc).title_hash) {
            std::collections::hash_map::Entry::Occupied(twin) => kept[*twin.get()].also.push(r.doc),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(kept.len());
                kept.push(r);
            }
        }
    }
    *results = kept;
}

/// Pasted output often shows two separate problems (some pods in CrashLoopBackOff, others in
/// ImagePullBackOff). When one symptom's scenarios fill the list, the best scenario of each other
/// symptom seen in the paste takes the place of the lowest result that adds nothing new, so every
/// problem found gets an answer. Typed symptoms are left alone: several symptoms matching one
/// sentence usually describe one problem.
fn represent_each_symptom(results: &mut Vec<Ranked>, detected: &[Detected], limit: usize) {
    let strong = |r: &Ranked, symptom: usize| r.symptoms.iter().any(|(s, kind, _)| *s == symptom && kind.is_strong());
    for d in detected.iter().filter(|d| d.from_paste && d.strength >= 1.0) {
        let shown = results.len().min(limit);
        if shown < 2 || results[..shown].iter().any(|r| strong(r, d.symptom)) {
            continue;
        }
        let Some(best) = results.iter().position(|r| strong(r, d.symptom)) else { continue };
        // Only a close contender: an incidental line should not displace relevant answers.
        if results[best].score < PROMOTE_WITHIN * results[0].score {
            continue;
        }
        // The lowest shown result whose strong symptoms all appear in the results above it.
        let redundant = (1..shown).rev().find(|&i| {
            results[i]
                .symptoms
                .iter()
                .filter(|(_, k, _)| k.is_strong())
                .all(|(s, _, _)| results[..i].iter().any(|r| strong(r, *s)))
        });
        if let Some(slot) = redundant {
            let promoted = results.remove(best);
            results.insert(slot, promoted);
        }
    }
}

/// `text` with each whole word that `with` names (lowercased) replaced, in one pass.
fn replace_words(text: &str, with: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    for piece in text.split_inclusive(|c: char| !c.is_alphanumeric()) {
        let (w, sep) = match piece.char_indices().last() {
            Some((i, c)) if !c.is_alphanumeric() => (&piece[..i], &piece[i..]),
            _ => (piece, ""),
        };
        match with.get(&w.to_ascii_lowercase()) {
            Some(fixed) => out.push_str(fixed),
            None => out.push_str(w),
        }
        out.push_str(sep);
    }
    out
}
