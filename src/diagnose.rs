//! `k8sdoc diagnose`: reads symptoms and pasted output, runs the engine, renders the ranking.

use std::io::{Read, Write};

use anyhow::{bail, Context, Result};
use serde::Serialize;

use crate::cache::{self, Provenance};
use crate::cli::{DiagnoseArgs, DiagnoseFormat, Settings};
use crate::engine::{self, Diagnosis, Input, Ranked};
use crate::extract::extract;
use crate::index::{IndexView, LinkKind};
use crate::model::{Item, Scenario};
use crate::problem::Problem;
use crate::render::list_text;
use crate::rules::RuleSet;
use crate::sanitize::{one_line, sanitize};
use crate::style::{Palette, Role};
use crate::{yaml, Outcome};

/// Pasted text shorter than this with no recognisable signal is read as a typed description.
const DESCRIPTION_LINES: usize = 20;

pub fn run(args: &DiagnoseArgs, settings: &Settings, out: &mut dyn Write, palette: Palette) -> Result<Outcome> {
    let mut inputs: Vec<Input> =
        args.symptoms.iter().filter(|s| !s.trim().is_empty()).map(|s| Input::symptom(s)).collect();
    if let Some(path) = &args.from {
        inputs.extend(read_pasted(path)?);
    }
    if inputs.is_empty() {
        bail!("nothing to diagnose: give --symptom TEXT, or --from FILE (`-` for stdin) with pasted output");
    }
    let started = std::time::Instant::now();
    let opened = cache::open(&settings.catalog)?;
    let opened_at = started.elapsed();
    if !settings.quiet {
        let problems: Vec<&Problem> = opened.file.problems.iter().collect();
        crate::report_problems(&problems, settings.verbose);
    }
    if settings.verbose {
        let place = opened.path.as_ref().map_or("no cache directory".to_string(), |p| p.display().to_string());
        let how = match opened.provenance {
            Provenance::Cached => format!("read from {place}"),
            Provenance::Built => format!("built and saved to {place}"),
            Provenance::BuiltUncached => format!("built; could not save it to {place}"),
        };
        eprintln!("k8sdoc: index {how}");
    }
    let rules = &opened.rules;
    let index = opened.view()?;
    let engine_settings =
        engine::Settings { limit: settings.limit, category: args.category.clone(), text_only: args.text_only };
    let diagnosis = engine::diagnose(&index, rules, &inputs, &engine_settings);
    let ranked_at = started.elapsed();
    let scenarios: Vec<Scenario> =
        diagnosis.results.iter().map(|r| opened.scenario(&index, r.doc)).collect::<Result<_>>()?;
    if settings.verbose {
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        eprintln!(
            "k8sdoc: timing: index {:.1} ms, ranking {:.1} ms, scenario text {:.1} ms",
            ms(opened_at),
            ms(ranked_at - opened_at),
            ms(started.elapsed() - ranked_at)
        );
    }
    let report = Report { index: &index, diagnosis: &diagnosis, scenarios: &scenarios, rules };
    match args.format {
        DiagnoseFormat::Text => report.text(out, palette, args.explain)?,
        DiagnoseFormat::Markdown => report.markdown(out)?,
        DiagnoseFormat::Json => crate::render::write_json(out, &report.doc(args.explain))?,
        DiagnoseFormat::Yaml => yaml::write(out, &report.doc(args.explain))?,
    }
    if diagnosis.results.is_empty() {
        eprintln!("k8sdoc: no scenario matched; try other words, or `k8sdoc search -i WORD` to grep the catalog");
    }
    let found = !diagnosis.results.is_empty();
    // The process exits right after this: freeing thousands of small index allocations one by
    // one would only delay the exit.
    std::mem::forget(diagnosis);
    std::mem::forget(opened);
    Ok(Outcome::from_found(found))
}

/// Signals from a file or stdin; short free text with no signal counts as a description.
fn read_pasted(path: &std::path::Path) -> Result<Vec<Input>> {
    let mut bytes = Vec::new();
    let name = if path.as_os_str() == "-" {
        std::io::stdin().read_to_end(&mut bytes).context("cannot read stdin")?;
        "stdin".to_string()
    } else {
        bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
        path.display().to_string()
    };
    let text = String::from_utf8_lossy(&bytes);
    let signals = extract(&text);
    if !signals.is_empty() {
        return Ok(signals.iter().map(Input::signal).collect());
    }
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if !lines.is_empty() && lines.len() <= DESCRIPTION_LINES {
        let mut input = Input::symptom(&lines.join(" "));
        input.origin = name;
        return Ok(vec![input]);
    }
    Ok(Vec::new())
}

struct Report<'a> {
    index: &'a IndexView<'a>,
    diagnosis: &'a Diagnosis,
    scenarios: &'a [Scenario],
    rules: &'a RuleSet,
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
struct DiagnosisDoc<'a> {
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
    /// Why a result ranked: the symptoms that link to it, then the words that matched.
    fn why(&self, r: &Ranked) -> Vec<String> {
        let mut why = Vec::new();
        for (symptom, kind, _) in &r.symptoms {
            let d = self.diagnosis.detected.iter().find(|d| d.symptom == *symptom);
            let evidence = d.and_then(|d| d.evidence.first()).map(String::as_str).unwrap_or("");
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

    fn doc(&self, explain: bool) -> DiagnosisDoc<'_> {
        DiagnosisDoc {
            symptoms: self
                .diagnosis
                .detected
                .iter()
                .map(|d| SymptomDoc { id: &self.rules.symptoms[d.symptom].id, evidence: d.evidence.join("; ") })
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

    fn text(&self, out: &mut dyn Write, p: Palette, explain: bool) -> Result<()> {
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
                    p.paint(Role::Warn, &s.id),
                    p.paint(Role::Dim, &sanitize(&det.evidence.join("; ")))
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
            writeln!(out, "     rule  {:<34} {:<8} +{c:.2}", self.rules.symptoms[*i].id, link_name(*kind))?;
        }
        for (term, c) in r.terms.iter().take(10) {
            writeln!(out, "     text  {:<34} +{c:.2}", sanitize(term))?;
        }
        Ok(())
    }

    fn markdown(&self, out: &mut dyn Write) -> Result<()> {
        for (rank, (r, s)) in self.diagnosis.results.iter().zip(self.scenarios).enumerate() {
            writeln!(out, "## {}. Scenario #{}: {} (score {:.0})\n", rank + 1, s.id, one_line(&s.title), r.score)?;
            for why in self.why(r) {
                writeln!(out, "- why: {}", one_line(&why))?;
            }
            writeln!(out)?;
            crate::render::scenario_markdown(out, s)?;
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
