//! What `diagnose` prints: symptoms with their evidence, then ranked scenarios with why they
//! ranked, their first diagnosis steps and fix commands; or the same as JSON, YAML, markdown.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::sanitize::{one_line, sanitize};
use super::scenario::{list_text, scenario_markdown};
use super::style::{Palette, Role};
use crate::catalog::model::{Item, Scenario};
use crate::engine::index::LinkKind;
use crate::engine::rules::RuleSet;
use crate::engine::store::IndexView;
use crate::engine::{Diagnosis, Evidence, Input, InputOrigin, Ranked};

/// A diagnosis with what it needs to be read: the inputs it came from, the index (for folded
/// twins' numbers), the rule set (for symptom names) and the shown scenarios' text.
pub(crate) struct Report<'a> {
    pub index: &'a IndexView<'a>,
    pub diagnosis: &'a Diagnosis,
    pub inputs: &'a [Input],
    pub scenarios: &'a [Scenario],
    pub rules: &'a RuleSet,
}

/// `"CrashLoopBackOff" in line 12`: what matched, and where.
pub(crate) fn evidence_text(matched: &str, origin: &str) -> String {
    format!("\"{}\" in {}", one_line(matched), sanitize(origin))
}

/// Where an input came from, in words.
fn origin_text(input: &Input) -> String {
    match &input.origin {
        InputOrigin::Symptom => format!("--symptom \"{}\"", one_line(&input.text)),
        InputOrigin::Line { line, count } if *count > 1 => format!("line {line} (x{count})"),
        InputOrigin::Line { line, .. } => format!("line {line}"),
        InputOrigin::File(name) => name.clone(),
        InputOrigin::Object(evidence) => evidence.clone(),
    }
}

#[derive(Serialize)]
struct SymptomDoc<'a> {
    id: &'a str,
    evidence: String,
}

#[derive(Serialize)]
struct ResultDoc<'a> {
    id: u32,
    title: &'a str,
    category: Option<&'a str>,
    score: f32,
    why: Vec<String>,
    diagnosis_steps: Vec<&'a str>,
    fix: Vec<&'a str>,
    source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    explain: Option<ExplainDoc<'a>>,
}

#[derive(Serialize)]
struct ExplainDoc<'a> {
    rule_score: f32,
    text_score: f32,
    symptoms: Vec<(&'a str, &'static str, f32)>,
    terms: Vec<(String, f32)>,
}

#[derive(Serialize)]
pub(crate) struct DiagnosisDoc<'a> {
    symptoms: Vec<SymptomDoc<'a>>,
    results: Vec<ResultDoc<'a>>,
}

fn link_name(kind: LinkKind) -> &'static str {
    match kind {
        LinkKind::Curated => "curated",
        LinkKind::Covers => "covers",
        LinkKind::CoversOnly => "covers key",
        LinkKind::Headline => "headline",
        LinkKind::Body => "body",
    }
}

fn round(x: f32) -> f32 {
    (x * 10.0).round() / 10.0
}

impl Report<'_> {
    fn evidence(&self, e: &Evidence) -> String {
        evidence_text(&e.matched, &origin_text(&self.inputs[e.input]))
    }

    fn evidence_list(&self, evidence: &[Evidence]) -> String {
        evidence.iter().map(|e| self.evidence(e)).collect::<Vec<_>>().join("; ")
    }

    /// Why a result ranked: the symptoms that link to it, then the words that matched.
    fn why(&self, r: &Ranked) -> Vec<String> {
        let mut why = Vec::new();
        for (symptom, kind, _) in &r.symptoms {
            let d = self.diagnosis.detected.iter().find(|d| d.symptom == *symptom);
            let evidence = d.and_then(|d| d.evidence.first()).map(|e| self.evidence(e)).unwrap_or_default();
            why.push(format!("symptom {} ({}) from {evidence}", self.rules.symptoms[*symptom].id, link_name(*kind)));
        }
        if !r.terms.is_empty() {
            let words: Vec<&str> = r.terms.iter().take(6).map(|(w, _)| w.as_str()).collect();
            why.push(format!("words: {}", words.join(", ")));
        }
        if !r.also.is_empty() {
            let ids: Vec<String> = r.also.iter().map(|&d| format!("#{}", self.index.doc(d).id)).collect();
            why.push(format!("same title as {} (folded)", ids.join(", ")));
        }
        why
    }

    pub(crate) fn doc(&self, explain: bool) -> DiagnosisDoc<'_> {
        DiagnosisDoc {
            symptoms: self
                .diagnosis
                .detected
                .iter()
                .map(|d| SymptomDoc {
                    id: &self.rules.symptoms[d.symptom].id,
                    evidence: self.evidence_list(&d.evidence),
                })
                .collect(),
            results: self
                .diagnosis
                .results
                .iter()
                .zip(self.scenarios)
                .map(|(r, s)| ResultDoc {
                    id: s.id,
                    title: &s.title,
                    category: s.category.as_deref(),
                    score: round(r.score),
                    why: self.why(r),
                    diagnosis_steps: s.diagnosis_steps.iter().map(|i| i.text.as_str()).collect(),
                    fix: s.fix.iter().map(|i| i.text.as_str()).collect(),
                    source: s.source.to_string(),
                    explain: explain.then(|| ExplainDoc {
                        rule_score: r.rule_score,
                        text_score: r.text_score,
                        symptoms: r
                            .symptoms
                            .iter()
                            .map(|(i, k, c)| (self.rules.symptoms[*i].id.as_str(), link_name(*k), *c))
                            .collect(),
                        terms: r.terms.clone(),
                    }),
                })
                .collect(),
        }
    }

    pub(crate) fn text(&self, out: &mut dyn Write, p: Palette, explain: bool) -> Result<()> {
        let d = self.diagnosis;
        if !d.corrections.is_empty() {
            let fixes: Vec<String> = d.corrections.iter().map(|(a, b)| format!("{} -> {}", sanitize(a), b)).collect();
            writeln!(out, "{}", p.paint(Role::Dim, &format!("(read {} as you probably meant)", fixes.join(", "))))?;
        }
        if !d.detected.is_empty() {
            writeln!(out, "{}", p.paint(Role::Heading, "Symptoms"))?;
            for det in &d.detected {
                let s = &self.rules.symptoms[det.symptom];
                writeln!(
                    out,
                    "  {}  {}",
                    p.paint(Role::Warn, &one_line(&s.id)),
                    p.paint(Role::Dim, &sanitize(&self.evidence_list(&det.evidence)))
                )?;
            }
            writeln!(out)?;
        }
        for (rank, (r, s)) in d.results.iter().zip(self.scenarios).enumerate() {
            if rank > 0 {
                writeln!(out)?;
            }
            let filled = ((r.score / 10.0).round() as usize).clamp(1, 10);
            let bar = format!("{}{}", "█".repeat(filled), "░".repeat(10 - filled));
            writeln!(
                out,
                "{}. {}  {}  {}",
                rank + 1,
                p.paint(Role::Id, &format!("#{}", s.id)),
                p.paint(Role::Heading, &one_line(&s.title)),
                p.paint(Role::Dim, &format!("[{}]", one_line(s.category.as_deref().unwrap_or("-"))))
            )?;
            writeln!(out, "   {} {:.0}", p.paint(Role::Good, &bar), r.score)?;
            for why in self.why(r) {
                writeln!(out, "   {} {}", p.paint(Role::Dim, "why:"), sanitize(&why))?;
            }
            if explain {
                self.explain(out, r, p)?;
            }
            if !s.diagnosis_steps.is_empty() {
                writeln!(out, "   {}", p.paint(Role::Dim, "diagnose:"))?;
                indent(out, &s.diagnosis_steps[..s.diagnosis_steps.len().min(3)], true, p)?;
            }
            let fix = fix_items(s);
            if !fix.is_empty() {
                writeln!(out, "   {}", p.paint(Role::Dim, "fix:"))?;
                indent(out, &fix, false, p)?;
            }
            writeln!(out, "   {} k8sdoc show {}", p.paint(Role::Dim, "more:"), s.id)?;
        }
        Ok(())
    }

    fn explain(&self, out: &mut dyn Write, r: &Ranked, p: Palette) -> Result<()> {
        let line = format!(
            "score {:.1}: rule {:.2}, text {:.2} (each normalised to the best result, then averaged)",
            r.score, r.rule_score, r.text_score
        );
        writeln!(out, "   {} {line}", p.paint(Role::Dim, "explain:"))?;
        for (i, kind, c) in &r.symptoms {
            writeln!(out, "     rule  {:<34} {:<8} +{c:.2}", one_line(&self.rules.symptoms[*i].id), link_name(*kind))?;
        }
        for (term, c) in r.terms.iter().take(10) {
            writeln!(out, "     text  {:<34} +{c:.2}", sanitize(term))?;
        }
        Ok(())
    }

    pub(crate) fn markdown(&self, out: &mut dyn Write) -> Result<()> {
        for (rank, (r, s)) in self.diagnosis.results.iter().zip(self.scenarios).enumerate() {
            writeln!(out, "## {}. Scenario #{}: {} (score {:.0})\n", rank + 1, s.id, one_line(&s.title), r.score)?;
            for why in self.why(r) {
                writeln!(out, "- why: {}", one_line(&why))?;
            }
            writeln!(out)?;
            scenario_markdown(out, s)?;
            writeln!(out)?;
        }
        Ok(())
    }
}

/// The fix commands, or the first fix steps when the scenario has no commands.
fn fix_items(s: &Scenario) -> Vec<Item> {
    let commands: Vec<Item> = s.fix.iter().filter(|i| i.command && !i.is_comment()).take(4).cloned().collect();
    if commands.is_empty() {
        s.fix.iter().take(3).cloned().collect()
    } else {
        commands
    }
}

fn indent(out: &mut dyn Write, items: &[Item], numbered: bool, p: Palette) -> Result<()> {
    let mut buf = Vec::new();
    list_text(&mut buf, items, numbered, p)?;
    for line in String::from_utf8_lossy(&buf).lines() {
        writeln!(out, "   {line}")?;
    }
    Ok(())
}
