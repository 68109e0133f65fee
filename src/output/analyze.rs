//! What `analyze` prints: a summary table of findings, then each finding's evidence, the
//! scenarios to read and the first fix; or the findings as JSON or YAML.

use std::io::Write;

use anyhow::Result;
use comfy_table::Cell;
use serde::Serialize;

use super::diagnose::evidence_text;
use super::sanitize::one_line;
use super::style::{Palette, Role};
use super::table::table;
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
pub(crate) fn text(findings: &[Finding], files: usize, out: &mut dyn Write, p: Palette) -> Result<()> {
    if findings.is_empty() {
        writeln!(out, "No findings in {files} files: nothing looks wrong.")?;
        return Ok(());
    }
    let mut summary = table(&["SEVERITY", "OBJECT", "COUNT", "SYMPTOMS", "TOP SCENARIO"], p);
    for f in findings {
        let symptoms: Vec<&str> = f.symptoms.iter().map(|s| s.id.as_str()).collect();
        let top =
            f.scenarios.first().map(|s| format!("#{} {}", s.id, one_line(&s.title))).unwrap_or_else(|| "-".into());
        summary.add_row(vec![
            Cell::new(severity_label(f.severity, p)),
            Cell::new(one_line(&object_name(f))),
            Cell::new(f.count),
            Cell::new(if symptoms.is_empty() { "-".to_string() } else { one_line(&symptoms.join(", ")) }),
            Cell::new(top),
        ]);
    }
    writeln!(out, "{summary}")?;
    for f in findings {
        writeln!(out)?;
        writeln!(out, "{}  {}", severity_label(f.severity, p), p.paint(Role::Heading, &one_line(&object_name(f))))?;
        if f.count > 1 {
            let shown: Vec<&str> = f.members.iter().take(5).map(String::as_str).collect();
            let more = if f.count > 5 { format!(", and {} more", f.count - 5) } else { String::new() };
            writeln!(out, "  {} objects failing the same way: {}{more}", f.count, one_line(&shown.join(", ")))?;
        }
        for e in f.evidence.iter().take(6) {
            writeln!(out, "  {} {}", p.paint(Role::Dim, "seen:"), one_line(e))?;
        }
        for s in &f.scenarios {
            writeln!(
                out,
                "  {} {}  {}  ({:.0})",
                p.paint(Role::Dim, "read:"),
                p.paint(Role::Id, &format!("#{}", s.id)),
                one_line(&s.title),
                s.score
            )?;
        }
        if let Some(fix) = &f.first_fix {
            writeln!(out, "  {} {}", p.paint(Role::Dim, "first fix:"), p.paint(Role::Command, &one_line(fix)))?;
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
