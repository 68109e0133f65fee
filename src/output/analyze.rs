//! What `analyze` prints: a summary table of findings, then each finding's evidence, the
//! scenarios to read and the first fix; or the findings as JSON or YAML.

use std::io::Write;

use anyhow::Result;
use comfy_table::Cell;
use serde::Serialize;

use super::diagnose::{discriminators_text, evidence_text, DiscriminatorDoc};
use super::sanitize::{one_line, sanitize};
use super::style::{Palette, Role};
use super::table::{render, table};
use super::{cut, Screen};
use crate::analyze::{Finding, Severity};

/// The findings as JSON and YAML show them; the key names are a contract with other tools.
#[derive(Serialize)]
pub(crate) struct ReportDoc<'a> {
    findings: Vec<FindingDoc<'a>>,
}

#[derive(Serialize)]
struct FindingDoc<'a> {
    object: ObjectDoc<'a>,
    severity: &'static str,
    symptoms: Vec<SymptomDoc<'a>>,
    count: usize,
    scenarios: Vec<ScenarioDoc<'a>>,
    discriminators: Vec<DiscriminatorDoc<'a>>,
}

#[derive(Serialize)]
struct ObjectDoc<'a> {
    namespace: &'a str,
    kind: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
struct SymptomDoc<'a> {
    id: &'a str,
    evidence: String,
}

#[derive(Serialize)]
struct ScenarioDoc<'a> {
    id: u32,
    title: &'a str,
    score: f32,
}

impl<'a> ReportDoc<'a> {
    pub(crate) fn new(findings: &'a [Finding]) -> ReportDoc<'a> {
        let findings = findings
            .iter()
            .map(|f| FindingDoc {
                object: ObjectDoc { namespace: &f.object.0, kind: &f.object.1, name: &f.object.2 },
                severity: severity_name(f.severity),
                symptoms: f
                    .symptoms
                    .iter()
                    .map(|s| SymptomDoc {
                        id: &s.id,
                        evidence: s.evidence.as_ref().map(|(m, o)| evidence_text(m, o)).unwrap_or_default(),
                    })
                    .collect(),
                count: f.count,
                scenarios: f
                    .scenarios
                    .iter()
                    .map(|s| ScenarioDoc { id: s.id, title: &s.title, score: s.score })
                    .collect(),
                discriminators: DiscriminatorDoc::list(&f.discriminators),
            })
            .collect();
        ReportDoc { findings }
    }
}

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The summary table, then each finding in detail.
pub(crate) fn text(findings: &[Finding], files: usize, out: &mut dyn Write, screen: Screen) -> Result<()> {
    let p = screen.palette;
    if findings.is_empty() {
        writeln!(out, "No findings in {files} files: nothing looks wrong.")?;
        return Ok(());
    }
    // One symptom per line, and the top scenario's title cut to what the screen has left, so
    // no name breaks inside a word (a long row overflows, as `kubectl get` rows do).
    let names: Vec<String> = findings.iter().map(|f| one_line(&object_name(f))).collect();
    let symptoms: Vec<String> = findings
        .iter()
        .map(|f| {
            if f.symptoms.is_empty() {
                "-".to_string()
            } else {
                f.symptoms.iter().map(|s| one_line(&s.id)).collect::<Vec<_>>().join("\n")
            }
        })
        .collect();
    let widest = |cells: &mut dyn Iterator<Item = usize>, header: &str| cells.chain([header.len()]).max().unwrap_or(0);
    let used = widest(&mut findings.iter().map(|f| severity_name(f.severity).len()), "SEVERITY")
        + widest(&mut names.iter().map(|n| n.chars().count()), "OBJECT")
        + widest(&mut findings.iter().map(|f| f.count.to_string().len()), "COUNT")
        + widest(&mut symptoms.iter().flat_map(|s| s.lines()).map(|l| l.chars().count()), "SYMPTOMS")
        + 4 * 3;
    // Too narrow for a useful title, or even for the symptoms: both are in the details below.
    let room = screen.width.map(|w| w.saturating_sub(used));
    let with_top = room.is_none_or(|r| r >= 20);
    let with_symptoms = with_top || screen.width.is_none_or(|w| used - 3 <= w);
    let header: &[&str] = match (with_symptoms, with_top) {
        (_, true) => &["SEVERITY", "OBJECT", "COUNT", "SYMPTOMS", "TOP SCENARIO"],
        (true, false) => &["SEVERITY", "OBJECT", "COUNT", "SYMPTOMS"],
        (false, _) => &["SEVERITY", "OBJECT", "COUNT"],
    };
    let mut summary = table(header, &[0, 1, 2, 3], screen);
    summary.set_content_arrangement(comfy_table::ContentArrangement::Disabled);
    for ((f, name), symptoms) in findings.iter().zip(names).zip(symptoms) {
        let top =
            f.scenarios.first().map(|s| format!("#{} {}", s.id, one_line(&s.title))).unwrap_or_else(|| "-".into());
        let top = match room {
            Some(room) => cut(&top, room),
            None => top,
        };
        let mut row = vec![Cell::new(severity_label(f.severity, p)), Cell::new(name), Cell::new(f.count)];
        if with_symptoms {
            row.push(Cell::new(symptoms));
        }
        if with_top {
            row.push(Cell::new(top));
        }
        summary.add_row(row);
    }
    out.write_all(render(&summary).as_bytes())?;
    for f in findings {
        writeln!(out)?;
        writeln!(out, "{}  {}", severity_label(f.severity, p), p.paint(Role::Heading, &one_line(&object_name(f))))?;
        if f.count > 1 {
            let shown: Vec<&str> = f.members.iter().take(5).map(String::as_str).collect();
            let more = if f.count > 5 { format!(", and {} more", f.count - 5) } else { String::new() };
            let line = format!("{} objects failing the same way: {}{more}", f.count, one_line(&shown.join(", ")));
            writeln!(out, "{}", screen.wrap(&line, "  ", "    "))?;
        }
        if !f.symptoms.is_empty() {
            let ids: Vec<String> = f.symptoms.iter().map(|s| one_line(&s.id)).collect();
            let line = format!("{} {}", p.paint(Role::Dim, "symptoms:"), p.paint(Role::Warn, &ids.join(", ")));
            writeln!(out, "{}", screen.wrap(&line, "  ", "            "))?;
        }
        for e in f.evidence.iter().take(6) {
            writeln!(
                out,
                "{}",
                screen.wrap(&format!("{} {}", p.paint(Role::Dim, "seen:"), one_line(e)), "  ", "        ")
            )?;
        }
        for s in &f.scenarios {
            let line = format!(
                "{} {}  {}  ({:.0})",
                p.paint(Role::Dim, "read:"),
                p.paint(Role::Id, &format!("#{}", s.id)),
                one_line(&s.title),
                s.score
            );
            writeln!(out, "{}", screen.wrap(&line, "  ", "        "))?;
        }
        if let Some(fix) = &f.first_fix {
            // A command: never wrapped, so it copies whole.
            writeln!(out, "  {}", p.paint(Role::Dim, "first fix:"))?;
            for line in sanitize(fix).lines() {
                writeln!(out, "      {}", p.paint(Role::Command, line))?;
            }
        }
        let indented = Screen { width: screen.width.map(|w| w.saturating_sub(2)), ..screen };
        let mut apart = Vec::new();
        discriminators_text(&mut apart, &f.discriminators, indented)?;
        for line in String::from_utf8_lossy(&apart).lines() {
            writeln!(out, "  {line}")?;
        }
    }
    Ok(())
}

fn object_name(f: &Finding) -> String {
    let (namespace, kind, name) = &f.object;
    if namespace.is_empty() {
        format!("{kind}/{name}")
    } else {
        format!("{namespace}/{kind}/{name}")
    }
}

fn severity_label(s: Severity, p: Palette) -> String {
    match s {
        Severity::Error => p.paint(Role::Match, "error"),
        Severity::Warning => p.paint(Role::Warn, "warning"),
    }
}
