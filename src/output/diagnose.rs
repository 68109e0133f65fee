//! What `diagnose` prints: symptoms with their evidence, then ranked scenarios with why they
//! ranked, their first diagnosis steps and fix commands; or the same as JSON, YAML, markdown.

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::sanitize::{one_line, sanitize};
use super::scenario::{list_text, scenario_markdown, CommandsDoc};
use super::style::{Palette, Role};
use super::{cut, Screen};
use crate::catalog::model::{Item, Scenario};
use crate::engine::index::LinkKind;
use crate::engine::rules::RuleSet;
use crate::engine::store::IndexView;
use crate::engine::{Diagnosis, Discriminator, Evidence, Input, InputOrigin, Ranked, STRENGTH_SCALE};

/// A diagnosis with what it needs to be read: the inputs it came from, the index (for folded
/// twins' numbers), the rule set (for symptom names) and the shown scenarios' text.
pub(crate) struct Report<'a> {
    pub index: &'a IndexView<'a>,
    pub diagnosis: &'a Diagnosis,
    pub inputs: &'a [Input],
    pub scenarios: &'a [Scenario],
    pub rules: &'a RuleSet,
    /// The checks that tell the close top results apart.
    pub discriminators: &'a [Discriminator],
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
    /// The commands alone, apart from the notes `diagnosis_steps` and `fix` mix them with.
    commands: CommandsDoc<'a>,
    source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    explain: Option<ExplainDoc<'a>>,
}

/// The score's breakdown: `score = 100 (1 - e^(-evidence / scale))`, where the evidence is
/// what the symptoms add plus what the words add.
#[derive(Serialize)]
struct ExplainDoc<'a> {
    evidence: f32,
    scale: f32,
    rule_score: f32,
    text_score: f32,
    symptoms: Vec<SymptomExplainDoc<'a>>,
    terms: Vec<(String, f32)>,
}

#[derive(Serialize)]
struct SymptomExplainDoc<'a> {
    id: &'a str,
    link: &'static str,
    /// How many scenarios the symptom links to: the fewer, the more it adds.
    links: usize,
    contribution: f32,
}

#[derive(Serialize)]
pub(crate) struct DiagnosisDoc<'a> {
    /// True when no recognised symptom links the best result and its words alone are weak.
    weak_match: bool,
    symptoms: Vec<SymptomDoc<'a>>,
    results: Vec<ResultDoc<'a>>,
    /// When the top results are close: the commands whose answers tell them apart.
    discriminators: Vec<DiscriminatorDoc<'a>>,
}

#[derive(Serialize)]
pub(crate) struct DiscriminatorDoc<'a> {
    command: &'a str,
    outcomes: Vec<OutcomeDoc<'a>>,
}

#[derive(Serialize)]
struct OutcomeDoc<'a> {
    #[serde(rename = "if")]
    when: &'a str,
    id: u32,
}

impl<'a> DiscriminatorDoc<'a> {
    pub(crate) fn list(discriminators: &'a [Discriminator]) -> Vec<DiscriminatorDoc<'a>> {
        discriminators
            .iter()
            .map(|d| DiscriminatorDoc {
                command: &d.command,
                outcomes: d.outcomes.iter().map(|o| OutcomeDoc { when: &o.when, id: o.id }).collect(),
            })
            .collect()
    }
}

/// "Tell them apart": each command as a line to copy, then what each answer points to.
pub(crate) fn discriminators_text(out: &mut dyn Write, discriminators: &[Discriminator], screen: Screen) -> Result<()> {
    if discriminators.is_empty() {
        return Ok(());
    }
    let p = screen.palette;
    let mut ids: Vec<String> =
        discriminators.iter().flat_map(|d| d.outcomes.iter().map(|o| format!("#{}", o.id))).collect();
    ids.dedup();
    writeln!(out, "{}", p.paint(Role::Heading, &format!("Tell {} apart", ids.join(", "))))?;
    for d in discriminators {
        let command = one_line(&d.command);
        let command = match screen.width {
            Some(w) => cut(&command, w.saturating_sub(4)),
            None => command,
        };
        writeln!(out, "  {} {}", p.paint(Role::Dim, "$"), p.paint(Role::Command, &command))?;
        for o in &d.outcomes {
            // Backticks kept in colour too: the lines wrap the same with and without colour.
            let when = sanitize(&o.when);
            let line = format!("{when} {} {}", p.paint(Role::Dim, "→"), p.paint(Role::Id, &format!("#{}", o.id)));
            writeln!(out, "{}", screen.wrap(&line, "      ", "        "))?;
        }
    }
    Ok(())
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
        self.why_with(r, true)
    }

    /// The same, with the evidence for each symptom, or (`evidence: false`, when the symptoms
    /// with their evidence are listed above) without.
    fn why_with(&self, r: &Ranked, evidence: bool) -> Vec<String> {
        let mut why = Vec::new();
        for (symptom, kind, _) in &r.symptoms {
            let id = &self.rules.symptoms[*symptom].id;
            if !evidence {
                why.push(format!("symptom {id} ({})", link_name(*kind)));
                continue;
            }
            let d = self.diagnosis.detected.iter().find(|d| d.symptom == *symptom);
            let evidence = d.and_then(|d| d.evidence.first()).map(|e| self.evidence(e)).unwrap_or_default();
            why.push(format!("symptom {id} ({}) from {evidence}", link_name(*kind)));
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
            weak_match: self.diagnosis.weak(),
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
                    commands: CommandsDoc::new(s),
                    source: s.source.to_string(),
                    explain: explain.then(|| ExplainDoc {
                        evidence: r.evidence(),
                        scale: STRENGTH_SCALE,
                        rule_score: r.rule_score,
                        text_score: r.text_score,
                        symptoms: r
                            .symptoms
                            .iter()
                            .map(|(i, k, c)| SymptomExplainDoc {
                                id: self.rules.symptoms[*i].id.as_str(),
                                link: link_name(*k),
                                links: self.index.link_count(*i),
                                contribution: *c,
                            })
                            .collect(),
                        terms: r.terms.clone(),
                    }),
                })
                .collect(),
            discriminators: DiscriminatorDoc::list(self.discriminators),
        }
    }

    /// The answer for a terminal. By default the best result in full (why, the first
    /// diagnosis steps, the fix commands) and the others one line each, so the answer fits a
    /// 24-line screen and ends saying how to see more; `--brief`: one line per result;
    /// `--explain`: every result in full, with its score breakdown.
    pub(crate) fn text(&self, out: &mut dyn Write, screen: Screen, view: View) -> Result<()> {
        let p = screen.palette;
        let d = self.diagnosis;
        if !d.corrections.is_empty() {
            let fixes: Vec<String> = d.corrections.iter().map(|(a, b)| format!("{} -> {}", sanitize(a), b)).collect();
            let note = p.paint(Role::Dim, &format!("(read {} as you probably meant)", fixes.join(", ")));
            writeln!(out, "{}", screen.wrap(&note, "", ""))?;
        }
        if d.weak() {
            let note = "weak match: no symptom recognised; these results only share words with the input";
            writeln!(out, "{}", screen.wrap(&p.paint(Role::Warn, note), "", "  "))?;
        }
        if view == View::Brief {
            for (rank, (r, s)) in d.results.iter().zip(self.scenarios).enumerate() {
                writeln!(out, "{}", self.brief_line(rank, r, s, screen))?;
            }
            return Ok(());
        }
        self.symptoms_text(out, screen)?;
        let mut others = false;
        for (rank, (r, s)) in d.results.iter().zip(self.scenarios).enumerate() {
            if rank == 0 || view == View::Explain {
                if rank > 0 {
                    writeln!(out)?;
                }
                if view == View::Explain {
                    self.result_text(out, rank, r, s, screen, true, Detail::FULL)?;
                } else {
                    self.fitted_result(out, r, s, screen)?;
                }
                continue;
            }
            if !others {
                writeln!(out)?;
                writeln!(out, "{}", p.paint(Role::Heading, "Also"))?;
                others = true;
            }
            writeln!(out, "{}", self.brief_line(rank, r, s, screen))?;
        }
        if self.shows_discriminators(screen, view) {
            writeln!(out)?;
            discriminators_text(out, self.discriminators, screen)?;
        }
        if !self.scenarios.is_empty() {
            writeln!(out)?;
            writeln!(out, "{}", self.hint(screen))?;
        }
        Ok(())
    }

    /// The best result, with as many diagnosis steps and fix commands as leave the whole
    /// default answer (symptoms, the other results, the hint) within a 24-line screen; in full
    /// when the output is not a screen.
    fn fitted_result(&self, out: &mut dyn Write, r: &Ranked, s: &Scenario, screen: Screen) -> Result<()> {
        let around = self.lines_around(screen, self.shows_discriminators(screen, View::Default));
        let mut chosen = Vec::new();
        for detail in [
            Detail::FULL,
            Detail { steps: 2, fixes: 3 },
            Detail { steps: 2, fixes: 2 },
            Detail { steps: 1, fixes: 2 },
            Detail { steps: 1, fixes: 1 },
        ] {
            chosen.clear();
            self.result_text(&mut chosen, 0, r, s, screen, false, detail)?;
            if screen.width.is_none() || around + line_count(&chosen) <= SCREEN_LINES {
                break;
            }
        }
        out.write_all(&chosen)?;
        Ok(())
    }

    /// Lines of the default answer outside the best result: notes, symptoms, the other results,
    /// the checks that tell results apart (`with_apart`), the hint.
    fn lines_around(&self, screen: Screen, with_apart: bool) -> usize {
        let mut buf = Vec::new();
        let _ = self.symptoms_text(&mut buf, screen);
        let symptoms = line_count(&buf);
        let notes = usize::from(!self.diagnosis.corrections.is_empty()) + usize::from(self.diagnosis.weak());
        let others = match self.diagnosis.results.len().saturating_sub(1) {
            0 => 0,
            n => n + 2,
        };
        let apart = if with_apart { self.discriminator_lines(screen) } else { 0 };
        notes + symptoms + others + apart + 1 + self.hint(screen).lines().count()
    }

    /// Lines the checks that tell the close results apart take, with the blank line before them.
    fn discriminator_lines(&self, screen: Screen) -> usize {
        let mut buf = Vec::new();
        let _ = discriminators_text(&mut buf, self.discriminators, screen);
        match line_count(&buf) {
            0 => 0,
            n => n + 1,
        }
    }

    /// The checks are shown when there are some and, on a screen's default answer, when they
    /// fit beside the shortest form of the best result (the answer comes first).
    fn shows_discriminators(&self, screen: Screen, view: View) -> bool {
        if self.discriminators.is_empty() || view == View::Brief {
            return false;
        }
        if view == View::Explain || screen.width.is_none() {
            return true;
        }
        let (Some(r), Some(s)) = (self.diagnosis.results.first(), self.scenarios.first()) else { return false };
        let mut shortest = Vec::new();
        let _ = self.result_text(&mut shortest, 0, r, s, screen, false, Detail { steps: 1, fixes: 1 });
        self.lines_around(screen, true) + line_count(&shortest) <= SCREEN_LINES
    }

    /// How to see more, after the default answer.
    fn hint(&self, screen: Screen) -> String {
        let Some(top) = self.scenarios.first() else { return String::new() };
        let hint = format!("more: `{} show {}` · `--limit N` · `--explain` · `--format json`", screen.program, top.id);
        screen.wrap(&screen.palette.paint(Role::Dim, &hint), "", "  ")
    }

    /// The symptoms recognised, with where each was seen.
    fn symptoms_text(&self, out: &mut dyn Write, screen: Screen) -> Result<()> {
        let p = screen.palette;
        if self.diagnosis.detected.is_empty() {
            return Ok(());
        }
        writeln!(out, "{}", p.paint(Role::Heading, "Symptoms"))?;
        for det in &self.diagnosis.detected {
            let id = p.paint(Role::Warn, &one_line(&self.rules.symptoms[det.symptom].id));
            let evidence = p.paint(Role::Dim, &sanitize(&self.evidence_list(&det.evidence)));
            writeln!(out, "{}", screen.wrap(&format!("{id}  {evidence}"), "  ", "      "))?;
        }
        writeln!(out)?;
        Ok(())
    }

    /// One result in full: title, score bar, why, the first diagnosis steps, the fix.
    #[allow(clippy::too_many_arguments)]
    fn result_text(
        &self,
        out: &mut dyn Write,
        rank: usize,
        r: &Ranked,
        s: &Scenario,
        screen: Screen,
        explain: bool,
        detail: Detail,
    ) -> Result<()> {
        let p = screen.palette;
        let filled = ((r.score / 10.0).round() as usize).clamp(1, 10);
        let bar = format!("{}{}", "█".repeat(filled), "░".repeat(10 - filled));
        let title = format!(
            "{}. {}  {}  {}",
            rank + 1,
            p.paint(Role::Id, &format!("#{}", s.id)),
            p.paint(Role::Heading, &one_line(&s.title)),
            p.paint(Role::Dim, &format!("[{}]", one_line(s.category.as_deref().unwrap_or("-"))))
        );
        writeln!(out, "{}", screen.wrap(&title, "", "   "))?;
        writeln!(out, "   {} {:.0}", p.paint(Role::Good, &bar), r.score)?;
        let why = format!("{} {}", p.paint(Role::Dim, "why:"), sanitize(&self.why_with(r, explain).join("; ")));
        writeln!(out, "{}", screen.wrap(&why, "   ", "        "))?;
        if explain {
            self.explain(out, r, p)?;
        }
        let indented = Screen { width: screen.width.map(|w| w.saturating_sub(3)), ..screen };
        if !s.diagnosis_steps.is_empty() {
            writeln!(out, "   {}", p.paint(Role::Dim, "diagnose:"))?;
            indent(out, &s.diagnosis_steps[..s.diagnosis_steps.len().min(detail.steps)], true, indented)?;
        }
        let fix = fix_items(s, detail.fixes);
        if !fix.is_empty() {
            writeln!(out, "   {}", p.paint(Role::Dim, "fix:"))?;
            indent(out, &fix, false, indented)?;
        }
        if explain {
            writeln!(out, "   {} {} show {}", p.paint(Role::Dim, "more:"), screen.program, s.id)?;
        }
        Ok(())
    }

    /// `2. #1028  93  Title  (why)`, cut to the screen's width so it stays one line: the why
    /// first, then the title.
    fn brief_line(&self, rank: usize, r: &Ranked, s: &Scenario, screen: Screen) -> String {
        let p = screen.palette;
        let number = format!("#{}", s.id);
        let lead = format!("{}. {number}  {:>3.0}  ", rank + 1, r.score);
        let mut title = one_line(&s.title);
        let mut why = sanitize(&self.why_with(r, false).join("; ")).into_owned();
        if let Some(width) = screen.width {
            let room = width.saturating_sub(lead.chars().count());
            let title_len = title.chars().count();
            if title_len > room {
                title = cut(&title, room);
                why.clear();
            } else {
                // `  (` and `)` around the why.
                let left = room - title_len;
                why = if left >= 16 { cut(&why, left - 4) } else { String::new() };
            }
        }
        let line = format!(
            "{}. {}  {:>3.0}  {}",
            rank + 1,
            p.paint(Role::Id, &number),
            r.score,
            p.paint(Role::Heading, &title)
        );
        if why.is_empty() {
            line
        } else {
            format!("{line}  {}", p.paint(Role::Dim, &format!("({why})")))
        }
    }

    fn explain(&self, out: &mut dyn Write, r: &Ranked, p: Palette) -> Result<()> {
        let evidence = r.evidence();
        let line = format!(
            "score {:.1} = 100 (1 - e^-({evidence:.2} / {STRENGTH_SCALE})): symptoms {:.2} + words {:.2}",
            r.score, r.rule_score, r.text_score
        );
        writeln!(out, "   {} {line}", p.paint(Role::Dim, "explain:"))?;
        for (i, kind, c) in &r.symptoms {
            let links = format!("{} (links {})", link_name(*kind), self.index.link_count(*i));
            writeln!(out, "     rule  {:<34} {links:<20} +{c:.2}", one_line(&self.rules.symptoms[*i].id))?;
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

/// How many diagnosis steps and fix commands a full result shows.
#[derive(Debug, Clone, Copy)]
struct Detail {
    steps: usize,
    fixes: usize,
}

impl Detail {
    const FULL: Detail = Detail { steps: 3, fixes: 3 };
}

fn line_count(text: &[u8]) -> usize {
    text.iter().filter(|&&b| b == b'\n').count()
}

/// A screen's height the default answer is made to fit (the classic 80x24 terminal).
const SCREEN_LINES: usize = 24;

/// How much of a diagnosis the text shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum View {
    /// The best result in full, the others one line each.
    Default,
    /// One line per result.
    Brief,
    /// Every result in full, with its score breakdown.
    Explain,
}

/// The fix commands (the first three), or the first fix steps when it has no commands.
fn fix_items(s: &Scenario, most: usize) -> Vec<Item> {
    let commands: Vec<Item> = s.fix.iter().filter(|i| i.is_runnable()).take(most).cloned().collect();
    if commands.is_empty() {
        s.fix.iter().take(most).cloned().collect()
    } else {
        commands
    }
}

fn indent(out: &mut dyn Write, items: &[Item], numbered: bool, screen: Screen) -> Result<()> {
    let mut buf = Vec::new();
    list_text(&mut buf, items, numbered, screen)?;
    for line in String::from_utf8_lossy(&buf).lines() {
        writeln!(out, "   {line}")?;
    }
    Ok(())
}
