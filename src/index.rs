//! The search index over a catalog: weighted term frequencies for BM25, the vocabulary for typo
//! correction, and the links from symptoms to scenarios.

use std::collections::HashMap;

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

#[derive(Debug, Clone, Copy)]
pub struct Link {
    pub doc: u32,
    pub kind: LinkKind,
}

/// BM25 statistics and symptom links for one catalog (documents in catalog order).
#[derive(Debug, Default)]
pub struct Index {
    pub doc_len: Vec<f32>,
    pub avg_len: f32,
    /// Stemmed term -> (document, weighted term frequency).
    pub postings: HashMap<String, Vec<(u32, f32)>>,
    /// Surface word -> number of documents holding it, for typo correction.
    pub words: HashMap<String, u32>,
    /// For each symptom of the rule set, the scenarios linked to it (strongest link per scenario).
    pub links: Vec<Vec<Link>>,
}

impl Index {
    pub fn build(scenarios: &[Scenario], rules: &RuleSet) -> Index {
        let mut index = Index {
            links: vec![Vec::new(); rules.symptoms.len()],
            ..Index::default()
        };
        let mut total = 0.0;
        for (doc, s) in scenarios.iter().enumerate() {
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
            for (term, f) in tf {
                index
                    .postings
                    .entry(term)
                    .or_default()
                    .push((doc as u32, f));
            }
            words.sort_unstable();
            words.dedup();
            for w in words {
                *index.words.entry(w).or_default() += 1;
            }
            index.doc_len.push(len);
            total += len;
            index.link(doc as u32, s, rules);
        }
        index.avg_len = if scenarios.is_empty() {
            1.0
        } else {
            total / scenarios.len() as f32
        };
        index
    }

    fn link(&mut self, doc: u32, s: &Scenario, rules: &RuleSet) {
        let mut kinds: HashMap<usize, LinkKind> = HashMap::new();
        let mut note = |symptom: usize, kind: LinkKind| {
            let entry = kinds.entry(symptom).or_insert(kind);
            if kind.strength() > entry.strength() {
                *entry = kind;
            }
        };
        let headline = headline_text(s);
        for i in rules.matching(&headline) {
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
            let curated_here =
                symptom.origin != Origin::Builtin || s.source.file.origin == Origin::Builtin;
            if curated_here && symptom.scenarios.contains(&s.id) {
                note(i, LinkKind::Curated);
            }
            if symptom.covers.iter().any(|k| s.covers.contains(k)) {
                note(
                    i,
                    if in_body.contains(&i) {
                        LinkKind::Covers
                    } else {
                        LinkKind::CoversOnly
                    },
                );
            }
        }
        for (symptom, kind) in kinds {
            self.links[symptom].push(Link { doc, kind });
        }
    }

    /// Number of documents holding `term`.
    pub fn df(&self, term: &str) -> usize {
        self.postings.get(term).map_or(0, Vec::len)
    }

    /// The catalog word closest to `word` (one edit for short words, two for long ones), the
    /// most common one on ties; `None` when `word` is known or nothing is close.
    pub fn correct(&self, word: &str) -> Option<&str> {
        if self.words.contains_key(word)
            || word.len() < 4
            || !word.bytes().all(|b| b.is_ascii_lowercase())
        {
            return None;
        }
        let max = if word.len() >= 8 { 2 } else { 1 };
        let mut best: Option<(usize, u32, &str)> = None;
        for (candidate, &df) in &self.words {
            if candidate.len().abs_diff(word.len()) > max
                || !candidate.bytes().all(|b| b.is_ascii_lowercase())
            {
                continue;
            }
            let Some(d) = bounded_distance(word.as_bytes(), candidate.as_bytes(), max) else {
                continue;
            };
            let better = match best {
                None => true,
                Some((bd, bdf, bw)) => {
                    (d, std::cmp::Reverse(df), candidate.as_str())
                        < (bd, std::cmp::Reverse(bdf), bw)
                }
            };
            if better {
                best = Some((d, df, candidate));
            }
        }
        best.map(|(_, _, w)| w)
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
