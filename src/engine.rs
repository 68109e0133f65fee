//! The diagnose engine: what the user typed or pasted, into ranked scenarios with reasons.
//!
//! Two signals are combined. Rules: symptoms detected in the input, each linked to scenarios and
//! weighted by how specific it is (a symptom linked to few scenarios says more). Text relevance:
//! BM25 over the scenario fields, with stemming, synonyms and typo correction, for everything the
//! rules do not know. Each is normalised to the best document, so neither drowns the other.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::extract::Signal;
use crate::index::{IndexView, LinkKind};
use crate::rules::RuleSet;
use crate::tokenize::{is_stop, tokenize};

/// One piece of input: a `--symptom` text or a signal line from pasted output.
#[derive(Debug, Clone)]
pub struct Input {
    pub text: String,
    /// Where it came from, for explanations: `--symptom "..."` or `line 12`.
    pub origin: String,
    pub weight: f32,
    /// A line of pasted output rather than a typed symptom.
    pub pasted: bool,
}

impl Input {
    pub fn symptom(text: &str) -> Input {
        Input {
            text: text.to_string(),
            origin: format!("--symptom \"{}\"", crate::sanitize::one_line(text)),
            weight: 1.0,
            pasted: false,
        }
    }

    pub fn signal(signal: &Signal) -> Input {
        let origin = if signal.count > 1 {
            format!("line {} (x{})", signal.line, signal.count)
        } else {
            format!("line {}", signal.line)
        };
        Input { text: signal.text.clone(), origin, weight: signal.weight, pasted: true }
    }
}

/// Settings the engine takes; resolved from flags by the caller.
#[derive(Debug, Clone)]
pub struct Settings {
    pub limit: usize,
    pub category: Option<String>,
    /// Rule scores off: plain BM25, for comparison.
    pub text_only: bool,
}

/// A symptom found in the input, with the evidence for it.
#[derive(Debug, Clone)]
pub struct Detected {
    pub symptom: usize,
    /// `"CrashLoopBackOff" in line 12`, one per place it was seen (the first few).
    pub evidence: Vec<String>,
    pub strength: f32,
    /// Seen in pasted output (as opposed to only in typed symptoms).
    pub from_paste: bool,
}

/// A detected symptom linked to a result: (symptom, how it is linked, score contribution).
pub type SymptomLink = (usize, LinkKind, f32);

/// One scenario's place in the ranking and what put it there.
#[derive(Debug, Clone)]
pub struct Ranked {
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
pub struct Diagnosis {
    pub detected: Vec<Detected>,
    pub results: Vec<Ranked>,
    /// Words replaced by their nearest catalog word.
    pub corrections: Vec<(String, String)>,
}

const K1: f32 = 1.2;
const B: f32 = 0.75;
/// How much a synonym counts against the word the user typed.
const SYNONYM_WEIGHT: f32 = 0.6;
/// A symptom's best scenario is shown in place of a redundant one only if it scores at least
/// this fraction of the top result.
const PROMOTE_WITHIN: f32 = 0.6;
/// How much each signal contributes to the final score.
const RULE_SHARE: f32 = 0.6;

pub fn diagnose(index: &IndexView, rules: &RuleSet, inputs: &[Input], settings: &Settings) -> Diagnosis {
    let mut diagnosis = Diagnosis::default();
    // Ordered maps throughout: scores are sums of floats, and a fixed summation order keeps
    // the ranking identical from run to run.
    let mut query: BTreeMap<String, (f32, String)> = BTreeMap::new();
    let mut detected: BTreeMap<usize, Detected> = BTreeMap::new();

    for input in inputs {
        let mut corrected_text = input.text.clone();
        let mut seen_terms: BTreeSet<String> = BTreeSet::new();
        let lower = input.text.to_lowercase();
        for token in tokenize(&input.text) {
            let (term, word) = match index.correct(&token.word) {
                Some(fixed) if !is_stop(&token.word) => {
                    if !diagnosis.corrections.iter().any(|(w, _)| *w == token.word) {
                        diagnosis.corrections.push((token.word.clone(), fixed.to_string()));
                    }
                    corrected_text = replace_word(&corrected_text, &token.word, fixed);
                    (crate::tokenize::stem(fixed), fixed.to_string())
                }
                _ => (token.term.clone(), token.word.clone()),
            };
            if seen_terms.insert(term.clone()) {
                add_term(&mut query, term, input.weight, word);
            }
        }
        // Synonyms apply to what was typed, not to other synonyms' expansions.
        let typed = seen_terms.clone();
        let mut keys: Vec<(&String, &Vec<String>)> = rules.synonyms.iter().collect();
        keys.sort();
        for (key, expansions) in keys {
            let hit = if key.contains(' ') {
                lower.contains(key.as_str())
            } else {
                typed.contains(&crate::tokenize::stem(key))
                    || lower.split(|c: char| !c.is_alphanumeric()).any(|w| w == key)
            };
            if !hit {
                continue;
            }
            for expansion in expansions {
                for token in tokenize(expansion) {
                    if seen_terms.insert(token.term.clone()) {
                        add_term(&mut query, token.term, input.weight * SYNONYM_WEIGHT, token.word);
                    }
                }
            }
        }
        let mut hits = rules.detect(&input.text);
        if corrected_text != input.text {
            for hit in rules.detect(&corrected_text) {
                if !hits.iter().any(|h| h.symptom == hit.symptom) {
                    hits.push(hit);
                }
            }
        }
        for hit in hits {
            let d = detected.entry(hit.symptom).or_insert(Detected {
                symptom: hit.symptom,
                evidence: Vec::new(),
                strength: 0.0,
                from_paste: false,
            });
            d.from_paste |= input.pasted;
            d.strength = d.strength.max(input.weight);
            if d.evidence.len() < 3 {
                d.evidence.push(format!("\"{}\" in {}", crate::sanitize::one_line(&hit.matched), input.origin));
            }
        }
    }
    diagnosis.detected = detected.into_values().collect();

    let n = index.n_docs as f32;
    let mut text: HashMap<usize, (f32, Vec<(String, f32)>)> = HashMap::new();
    for (term, (weight, word)) in &query {
        let postings: Vec<(usize, f32)> = index.postings(term).collect();
        let df = postings.len() as f32;
        let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
        for (doc, tf) in postings {
            let norm = tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * index.doc(doc).len / index.avg_len));
            let contribution = weight.min(3.0) * idf * norm;
            let entry = text.entry(doc).or_default();
            entry.0 += contribution;
            entry.1.push((word.clone(), contribution));
        }
    }

    let mut rule: HashMap<usize, (f32, Vec<SymptomLink>)> = HashMap::new();
    if !settings.text_only {
        for d in &diagnosis.detected {
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
    }

    let max_text = text.values().map(|v| v.0).fold(0.0, f32::max);
    let max_rule = rule.values().map(|v| v.0).fold(0.0, f32::max);
    let mut docs: Vec<usize> = text.keys().chain(rule.keys()).copied().collect();
    docs.sort_unstable();
    docs.dedup();
    let categories = match &settings.category {
        Some(_) => index.categories().unwrap_or_default(),
        None => Vec::new(),
    };
    let norm = |s: &str| -> String { s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect() };
    let wanted = settings.category.as_deref().map(norm);
    let mut results: Vec<Ranked> = docs
        .into_iter()
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
        .collect();
    // Best first; ties go to the lower scenario number, then catalog order, so output is stable.
    // Scores are finite and non-negative, so their bits order like their values.
    results.sort_by_cached_key(|r| (std::cmp::Reverse(r.score.max(0.0).to_bits()), index.doc(r.doc).id, r.doc));
    fold_duplicates(&mut results, index);
    represent_each_symptom(&mut results, &diagnosis.detected, settings.limit);
    results.truncate(settings.limit);
    diagnosis.results = results;
    diagnosis
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
    let strong = |r: &Ranked, symptom: usize| {
        r.symptoms.iter().any(|(s, kind, _)| *s == symptom && !matches!(kind, LinkKind::Body | LinkKind::CoversOnly))
    };
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
                .filter(|(_, k, _)| !matches!(k, LinkKind::Body | LinkKind::CoversOnly))
                .all(|(s, _, _)| results[..i].iter().any(|r| strong(r, *s)))
        });
        if let Some(slot) = redundant {
            let promoted = results.remove(best);
            results.insert(slot, promoted);
        }
    }
}

fn add_term(query: &mut BTreeMap<String, (f32, String)>, term: String, weight: f32, word: String) {
    let entry = query.entry(term).or_insert((0.0, word));
    entry.0 += weight;
}

/// `text` with whole-word, case-insensitive occurrences of `word` replaced by `with`.
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for piece in text.split_inclusive(|c: char| !c.is_alphanumeric()) {
        let (w, sep) = match piece.char_indices().last() {
            Some((i, c)) if !c.is_alphanumeric() => (&piece[..i], &piece[i..]),
            _ => (piece, ""),
        };
        if w.eq_ignore_ascii_case(word) {
            out.push_str(with);
        } else {
            out.push_str(w);
        }
        out.push_str(sep);
    }
    out
}
