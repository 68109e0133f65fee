//! The diagnose engine: what the user typed or pasted, into ranked scenarios with reasons.
//!
//! One score, a sum of evidence (docs/ranking.md says why). Text relevance is BM25F over the
//! scenario fields, with stemming, synonyms and typo correction. A symptom the rules detect is
//! one more query term, one whose "postings" are the scenarios it links to: it adds what a term
//! of that rarity adds (the same inverse document frequency, so a symptom linked to 40 scenarios
//! says little and one linked to 2 says a lot), scaled by the link's kind. Nothing is normalised
//! to the best result, so words the rules did not consume keep their full weight beside the
//! symptom, and the score shown is the evidence's absolute strength, saturated to 0-100.
//!
//! The pipeline, one function a step: [`Query::read`] (tokens, corrections, synonyms),
//! [`detect`] (symptoms), [`text_scores`] (BM25), [`rule_scores`] (both into dense
//! [`DocScores`]), [`candidates`] (the floor and coverage), then [`top_results`]: the first
//! results ordered, folded and filled ([`fold_duplicates`], [`represent_each_symptom`]), and only
//! they explained.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::bm25::{Bm25, Bm25Weight};
use super::correct::correct;
use super::extract::Signal;
use super::index::LinkKind;
use super::rules::RuleSet;
use super::store::{IndexView, Postings};
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
    /// How strong the evidence is, 0-100: [`strength`] of `rule_score + text_score`.
    pub score: f32,
    /// What the detected symptoms add (the sum of the `symptoms` contributions).
    pub rule_score: f32,
    /// What the query's words add (the sum of the `terms` contributions).
    pub text_score: f32,
    /// Symptoms that link here, with how (curated, covers, headline, body).
    pub symptoms: Vec<SymptomLink>,
    /// Query terms that matched, best first, with their BM25 contribution.
    pub terms: Vec<(String, f32)>,
    /// Documents with the same title, folded into this one.
    pub also: Vec<usize>,
}

impl Ranked {
    /// All the evidence for the result: what the symptoms add plus what the words add.
    pub(crate) fn evidence(&self) -> f32 {
        self.rule_score + self.text_score
    }
}

#[derive(Debug, Default)]
pub(crate) struct Diagnosis {
    pub detected: Vec<Detected>,
    pub results: Vec<Ranked>,
    /// Results that matched something but too little to show (see [`FLOOR_SHARE`]).
    pub below_floor: usize,
    /// Words replaced by their nearest catalog word.
    pub corrections: Vec<(String, String)>,
}

/// Below this, a best result that no symptom links to is a weak match: it shares words with
/// the input, but nothing says it is about the same failure.
const WEAK_BELOW: f32 = 50.0;

/// Results whose evidence is at least this fraction of the best one's are close enough that
/// the user needs the check that tells them apart.
const CLOSE: f32 = 0.75;

impl Diagnosis {
    /// How many of the first results are close to the best (at most three, or none when the best
    /// stands alone).
    pub(crate) fn close(&self) -> usize {
        let Some(best) = self.results.first() else { return 0 };
        let top = best.evidence();
        let n = self.results.iter().take(3).take_while(|r| r.evidence() >= CLOSE * top).count();
        if n < 2 {
            0
        } else {
            n
        }
    }

    /// Nothing specific matched: no recognised symptom links the best result, and its words
    /// alone are weak evidence.
    pub(crate) fn weak(&self) -> bool {
        self.results.first().is_some_and(|r| r.symptoms.is_empty() && r.score < WEAK_BELOW)
    }
}

/// How much a synonym counts against the word the user typed.
const SYNONYM_WEIGHT: f32 = 0.6;
/// A symptom's best scenario is shown in place of a redundant one only if it scores at least
/// this fraction of the top result.
const PROMOTE_WITHIN: f32 = 0.6;
/// A symptom counts as this many query terms of its rarity: a pattern matched a phrase (an
/// error string, a status and its context), which says more than any one of its words, and a
/// long pasted message has dozens of words to outweigh it (docs/ranking.md, "Calibration").
const SYMPTOM_TERMS: f32 = 3.0;
/// The evidence that [`strength`] maps to 63 (1 - 1/e): about two specific symptoms, or one and
/// three rare words.
pub(crate) const STRENGTH_SCALE: f32 = 15.0;
/// Results with less evidence than this share of what one word found in a single scenario adds
/// are not shown: they matched only words most scenarios have. A share rather than a fixed score,
/// since idf grows with the catalog (a word unique to one of 200 scenarios adds 5.3, to one of 2
/// adds 0.7); in the built-in catalog it is about 10 on the 0-100 scale.
const FLOOR_SHARE: f32 = 0.3;

/// The 0-100 strength of summed evidence: rises with each piece and saturates, so it reads as
/// "how sure" rather than as a rank.
pub(crate) fn strength(evidence: f32) -> f32 {
    100.0 * (1.0 - (-evidence.max(0.0) / STRENGTH_SCALE).exp())
}

pub(crate) fn diagnose(index: &IndexView, rules: &RuleSet, inputs: &[Input], settings: &Settings) -> Diagnosis {
    let query = Query::read(index, rules, inputs);
    let detected = detect(rules, inputs, &query);
    let bm25 = Bm25 { n_docs: index.n_docs as f32, avg_len: index.avg_len };
    let mut scores = DocScores::new(index.n_docs);
    let (terms, typed) = text_scores(index, &bm25, &query.terms, &mut scores);
    let symptoms =
        if settings.text_only { Vec::new() } else { rule_scores(index, &bm25, rules, &detected, &mut scores) };
    let floor = FLOOR_SHARE * bm25.term(1.0, 1).idf;
    let (candidates, below_floor) = candidates(index, &mut scores, &typed, floor, settings.category.as_deref());
    let explain = Explain { index, scores: &scores, terms: &terms, symptoms: &symptoms };
    let results = top_results(index, candidates, &detected, &explain, settings.limit);
    Diagnosis { detected, results, below_floor, corrections: query.corrections }
}

/// Evidence per document, one slot per document of the index: adding a posting is an array add,
/// and nothing is allocated per matching document (a common word is in most of a large catalog).
struct DocScores {
    /// What the query's words add.
    text: Vec<f32>,
    /// What the detected symptoms add.
    rule: Vec<f32>,
    /// The summed idf of the typed terms each document holds (see [`TypedCoverage`]).
    held: Vec<f32>,
    /// [`TOUCHED`], [`LINKED`], [`CANDIDATE`].
    flags: Vec<u8>,
    /// Every document some term or symptom reached, in the order first reached.
    touched: Vec<u32>,
}

/// A term or a symptom reached the document.
const TOUCHED: u8 = 1;
/// A detected symptom links to the document.
const LINKED: u8 = 2;
/// The document has enough evidence to be shown.
const CANDIDATE: u8 = 4;

impl DocScores {
    fn new(n_docs: usize) -> DocScores {
        DocScores {
            text: vec![0.0; n_docs],
            rule: vec![0.0; n_docs],
            held: vec![0.0; n_docs],
            flags: vec![0; n_docs],
            touched: Vec::new(),
        }
    }

    fn touch(&mut self, doc: usize, flag: u8) {
        if self.flags[doc] & TOUCHED == 0 {
            self.touched.push(doc as u32);
        }
        self.flags[doc] |= TOUCHED | flag;
    }

    /// All the evidence for a document, summed as [`Ranked::evidence`] sums it.
    fn evidence(&self, doc: usize) -> f32 {
        self.rule[doc] + self.text[doc]
    }
}

/// A query term as scored: its postings and its BM25 weight, kept to explain shown results.
struct ScoredTerm<'a> {
    word: &'a str,
    postings: Postings<'a>,
    weight: Bm25Weight,
}

/// A detected symptom as scored: what one link of strength 1 adds.
struct ScoredSymptom {
    symptom: usize,
    weight: f32,
}

/// What each shown result's explanation is made from; only shown results are explained.
struct Explain<'i, 'a> {
    index: &'i IndexView<'a>,
    scores: &'i DocScores,
    terms: &'i [ScoredTerm<'a>],
    symptoms: &'i [ScoredSymptom],
}

impl Explain<'_, '_> {
    /// The result for `doc`, with each term's and each symptom's part, best first (the sums are
    /// the dense scores: the same parts, added in the same order).
    fn ranked(&self, doc: usize) -> Ranked {
        let mut terms: Vec<(String, f32)> = self
            .terms
            .iter()
            .filter_map(|t| t.postings.impact(doc).map(|impact| (t.word.to_string(), t.weight.score(impact))))
            .collect();
        let mut symptoms: Vec<SymptomLink> = self
            .symptoms
            .iter()
            .filter_map(|s| {
                self.index.link_kind(s.symptom, doc).map(|kind| (s.symptom, kind, s.weight * kind.strength()))
            })
            .collect();
        terms.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        symptoms.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
        let (r, t) = (self.scores.rule[doc], self.scores.text[doc]);
        Ranked { doc, score: strength(r + t), rule_score: r, text_score: t, symptoms, terms, also: Vec::new() }
    }
}

/// A query term: its summed weight, the surface word shown in explanations, and whether a person
/// typed it (rather than it coming from pasted output or a synonym).
struct QueryTerm {
    weight: f32,
    word: String,
    typed: bool,
}

/// The query as BM25 reads it.
struct Query {
    /// Stemmed term -> what it is. Ordered maps throughout: scores are sums of floats, and a fixed
    /// summation order keeps the ranking identical from run to run.
    terms: BTreeMap<String, QueryTerm>,
    corrections: Vec<(String, String)>,
    /// Each input's text with its typos corrected, where that changed it.
    corrected: Vec<Option<String>>,
    /// Each input is pasted output, or typed but long enough to be read as such.
    as_paste: Vec<bool>,
}

impl Query {
    fn read(index: &IndexView, rules: &RuleSet, inputs: &[Input]) -> Query {
        let mut query =
            Query { terms: BTreeMap::new(), corrections: Vec::new(), corrected: Vec::new(), as_paste: Vec::new() };
        let mut memo = HashMap::new();
        for input in inputs {
            let mut seen_terms: BTreeSet<String> = BTreeSet::new();
            let (corrected, tokens) = query.add_words(index, input, &mut seen_terms, &mut memo);
            query.add_synonyms(rules, input, &mut seen_terms);
            query.corrected.push((corrected != input.text).then_some(corrected));
            // A long typed input is output pasted as text: each problem it shows needs an answer.
            query.as_paste.push(input.pasted || tokens > SHORT_INPUT_TERMS);
        }
        query
    }

    /// Adds the input's words; a typed input's typos are corrected (pasted output is what the
    /// cluster printed: a word the catalog lacks is a name, not a typo). Each distinct word is
    /// looked up once. Returns the input's text as corrected, and how many tokens it has.
    fn add_words(
        &mut self,
        index: &IndexView,
        input: &Input,
        seen_terms: &mut BTreeSet<String>,
        memo: &mut HashMap<String, Option<String>>,
    ) -> (String, usize) {
        let mut fixed_here: HashMap<String, String> = HashMap::new();
        let tokens = tokenize(&input.text);
        let count = tokens.len();
        for token in tokens {
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
                self.add_term(term, input.weight, word, !input.pasted);
            }
        }
        let corrected =
            if fixed_here.is_empty() { input.text.clone() } else { replace_words(&input.text, &fixed_here) };
        (corrected, count)
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
                        self.add_term(token.term, input.weight * SYNONYM_WEIGHT, token.word, false);
                    }
                }
            }
        }
    }

    fn add_term(&mut self, term: String, weight: f32, word: String, typed: bool) {
        let entry = self.terms.entry(term).or_insert(QueryTerm { weight: 0.0, word, typed: false });
        entry.weight += weight;
        entry.typed |= typed;
    }
}

/// The symptoms the rules find in the inputs (and in their corrected text), with evidence.
fn detect(rules: &RuleSet, inputs: &[Input], query: &Query) -> Vec<Detected> {
    let mut detected: BTreeMap<usize, Detected> = BTreeMap::new();
    for (n, input) in inputs.iter().enumerate() {
        let as_paste = query.as_paste[n];
        let mut hits: Vec<(usize, String)> =
            rules.detect(&input.text).into_iter().map(|h| (h.symptom, input.text[h.span].to_string())).collect();
        if let Some(fixed) = query.corrected.get(n).and_then(Option::as_ref) {
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
            d.from_paste |= as_paste;
            d.strength = d.strength.max(input.weight);
            if d.evidence.len() < MAX_EVIDENCE {
                d.evidence.push(Evidence { input: n, matched });
            }
        }
    }
    detected.into_values().collect()
}

/// The share of a short typed input's information a result must hold (see [`TypedCoverage`]).
const COVERAGE_SHARE: f32 = 1.0 / 3.0;
/// Typed inputs with more known words than this are not held to [`TypedCoverage`].
const SHORT_INPUT_TERMS: usize = 12;

/// How much of what a person typed each document contains, as information (idf) rather than a
/// word count: "pods slow after upgrade" is mostly "upgrade" and "slow", little "pods".
struct TypedCoverage {
    /// The summed idf of the typed terms that some scenario has.
    total: f32,
    /// How many such terms there are.
    terms: usize,
}

impl TypedCoverage {
    /// A result that no symptom links is kept only if what it `held` of the typed terms' idf is at least a third of what was
    /// typed: matching one word of several, however rare, is a coincidence more often than a
    /// diagnosis. Pasted output is not judged this way (its names and numbers are mostly
    /// words no scenario has).
    ///
    /// Only short inputs are judged: a long one is a message or output pasted as text, most of
    /// whose words (names, addresses, boilerplate) no right answer holds either.
    fn covers_enough(&self, held: f32) -> bool {
        self.terms > SHORT_INPUT_TERMS || self.total <= 0.0 || held >= COVERAGE_SHARE * self.total
    }
}

/// BM25 of every document that holds a query term, summed into `scores`, and how much of the
/// typed query each holds. Returns the terms as scored, to explain the results shown.
fn text_scores<'a>(
    index: &IndexView<'a>,
    bm25: &Bm25,
    terms: &'a BTreeMap<String, QueryTerm>,
    scores: &mut DocScores,
) -> (Vec<ScoredTerm<'a>>, TypedCoverage) {
    let mut typed = TypedCoverage { total: 0.0, terms: 0 };
    let mut scored = Vec::new();
    for (term, query_term) in terms {
        let postings = index.postings(term);
        let weight = bm25.term(query_term.weight, postings.len());
        // A word no scenario has is a name, a number or a typo nothing corrected: coverage
        // is judged on the words the catalog could have matched.
        if query_term.typed && postings.len() > 0 {
            typed.total += weight.idf;
            typed.terms += 1;
        }
        for (doc, impact) in postings.iter() {
            scores.text[doc] += weight.score(impact);
            scores.touch(doc, 0);
            if query_term.typed {
                scores.held[doc] += weight.idf;
            }
        }
        if postings.len() > 0 {
            scored.push(ScoredTerm { word: &query_term.word, postings, weight });
        }
    }
    (scored, typed)
}

/// Rule evidence per document, summed into `scores`: each detected symptom adds what a query
/// term found in the same number of scenarios would (its BM25 idf), [`SYMPTOM_TERMS`] times,
/// scaled by the link's kind, the rule's weight and the evidence's strength.
fn rule_scores(
    index: &IndexView,
    bm25: &Bm25,
    rules: &RuleSet,
    detected: &[Detected],
    scores: &mut DocScores,
) -> Vec<ScoredSymptom> {
    let mut scored = Vec::new();
    for d in detected {
        let count = index.link_count(d.symptom);
        if count == 0 {
            continue;
        }
        let idf = bm25.term(1.0, count).idf;
        let weight = d.strength.min(1.0) * SYMPTOM_TERMS * rules.symptoms[d.symptom].weight * idf;
        for (doc, kind) in index.links(d.symptom) {
            scores.rule[doc] += weight * kind.strength();
            scores.touch(doc, LINKED);
        }
        scored.push(ScoredSymptom { symptom: d.symptom, weight });
    }
    scored
}

/// A document that may be shown, with the key that orders results: most evidence first (the
/// 0-100 strength saturates, so two results can both show 100), then the lower scenario number,
/// then catalog order, so output is stable. Evidence is finite and non-negative, so its bits
/// order like its values.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Candidate {
    key: (std::cmp::Reverse<u32>, u32, u32),
}

impl Candidate {
    fn of(index: &IndexView, scores: &DocScores, doc: usize) -> Candidate {
        let bits = scores.evidence(doc).max(0.0).to_bits();
        Candidate { key: (std::cmp::Reverse(bits), index.id(doc), doc as u32) }
    }

    fn doc(self) -> usize {
        self.key.2 as usize
    }
}

/// The documents with enough evidence to be shown (in no order), and how many matched
/// something but too little ([`FLOOR_SHARE`], [`TypedCoverage`]).
fn candidates(
    index: &IndexView,
    scores: &mut DocScores,
    typed: &TypedCoverage,
    floor: f32,
    category: Option<&str>,
) -> (Vec<Candidate>, usize) {
    let norm = |s: &str| -> String { s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect() };
    let in_category: Option<Vec<bool>> = category.map(|wanted| {
        let wanted = norm(wanted);
        index.categories().unwrap_or_default().iter().map(|c| norm(c) == wanted).collect()
    });
    let mut kept = Vec::new();
    let mut below_floor = 0;
    for i in 0..scores.touched.len() {
        let doc = scores.touched[i] as usize;
        if in_category.as_ref().is_some_and(|wanted| !wanted.get(doc).copied().unwrap_or(false)) {
            continue;
        }
        let evidence = scores.evidence(doc);
        // Above a thousandth the strength is surely positive; below, ask it (spares an `exp`
        // per matching document).
        if evidence <= 1e-3 && strength(evidence) <= 0.0 {
            continue;
        }
        let linked = scores.flags[doc] & LINKED != 0;
        if evidence >= floor && (linked || typed.covers_enough(scores.held[doc])) {
            kept.push(Candidate::of(index, scores, doc));
            scores.flags[doc] |= CANDIDATE;
        } else {
            below_floor += 1;
        }
    }
    (kept, below_floor)
}

/// The first `limit` results, in order, explained: as if every candidate were sorted, folded
/// ([`fold_duplicates`]) and filled ([`represent_each_symptom`]), but only the first few are
/// sorted and explained. The prefix grows until it holds `limit` distinct results and, for each
/// pasted symptom, either a result it strongly links or every candidate it strongly links.
fn top_results(
    index: &IndexView,
    mut candidates: Vec<Candidate>,
    detected: &[Detected],
    explain: &Explain,
    limit: usize,
) -> Vec<Ranked> {
    let pasted: Vec<usize> = detected.iter().filter(|d| d.from_paste && d.strength >= 1.0).map(|d| d.symptom).collect();
    let mut size = (limit * 4).max(32);
    loop {
        let prefix = size.min(candidates.len());
        if prefix > 0 && prefix < candidates.len() {
            candidates.select_nth_unstable(prefix - 1);
        }
        candidates[..prefix].sort_unstable();
        let mut results: Vec<Ranked> = candidates[..prefix].iter().map(|c| explain.ranked(c.doc())).collect();
        fold_duplicates(&mut results, index);
        let complete = prefix == candidates.len()
            || results.len() >= limit
                && pasted.iter().all(|&symptom| {
                    results.iter().any(|r| strongly_links(r, symptom))
                        || !strong_candidate_after(index, explain.scores, symptom, candidates[prefix - 1])
                });
        if !complete {
            size *= 2;
            continue;
        }
        represent_each_symptom(&mut results, detected, limit);
        results.truncate(limit);
        add_later_twins(&mut results, &candidates[prefix..], index);
        return results;
    }
}

/// Whether a candidate ranked after `last` is one `symptom` strongly links: its links are
/// few, and each says where its document ranks.
fn strong_candidate_after(index: &IndexView, scores: &DocScores, symptom: usize, last: Candidate) -> bool {
    index.links(symptom).any(|(doc, kind)| {
        kind.is_strong() && scores.flags[doc] & CANDIDATE != 0 && Candidate::of(index, scores, doc) > last
    })
}

/// Whether a detected symptom strongly links the result.
fn strongly_links(r: &Ranked, symptom: usize) -> bool {
    r.symptoms.iter().any(|(s, kind, _)| *s == symptom && kind.is_strong())
}

/// Real collections file the same incident twice under different numbers; a copy ranks just
/// below its twin and would waste a slot, so it is folded into the first as `also`.
fn fold_duplicates(results: &mut Vec<Ranked>, index: &IndexView) {
    let mut kept: Vec<Ranked> = Vec::with_capacity(results.len());
    let mut by_title: HashMap<u32, usize> = HashMap::new();
    for r in results.drain(..) {
        match by_title.entry(index.title_hash(r.doc)) {
            std::collections::hash_map::Entry::Occupied(twin) => kept[*twin.get()].also.push(r.doc),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(kept.len());
                kept.push(r);
            }
        }
    }
    *results = kept;
}

/// Twins of shown results that rank below the sorted prefix join their `also`, in rank order,
/// after those the prefix folded.
fn add_later_twins(results: &mut [Ranked], rest: &[Candidate], index: &IndexView) {
    let titles: Vec<u32> = results.iter().map(|r| index.title_hash(r.doc)).collect();
    let mut twins: Vec<(Candidate, usize)> = rest
        .iter()
        .filter_map(|c| titles.iter().position(|&t| t == index.title_hash(c.doc())).map(|i| (*c, i)))
        .collect();
    twins.sort_unstable();
    for (c, i) in twins {
        results[i].also.push(c.doc());
    }
}

/// Pasted output often shows two separate problems (some pods in CrashLoopBackOff, others in
/// ImagePullBackOff). When one symptom's scenarios fill the list, the best scenario of each other
/// symptom seen in the paste takes the place of the lowest result that adds nothing new, so every
/// problem found gets an answer. Typed symptoms are left alone: several symptoms matching one
/// sentence usually describe one problem.
fn represent_each_symptom(results: &mut Vec<Ranked>, detected: &[Detected], limit: usize) {
    for d in detected.iter().filter(|d| d.from_paste && d.strength >= 1.0) {
        let shown = results.len().min(limit);
        if shown < 2 || results[..shown].iter().any(|r| strongly_links(r, d.symptom)) {
            continue;
        }
        let Some(best) = results.iter().position(|r| strongly_links(r, d.symptom)) else { continue };
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
                .all(|(s, _, _)| results[..i].iter().any(|r| strongly_links(r, *s)))
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
