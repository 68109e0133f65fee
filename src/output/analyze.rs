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
    /// How many files were read, and how many of them only in part or not at all.
    files: usize,
    unreadable: usize,
    /// References not judged because the input holds no object of the kind: kind -> count.
    not_judged: &'a std::collections::BTreeMap<String, usize>,
}

#[derive(Serialize)]
struct FindingDoc<'a> {
    object: ObjectDoc<'a>,
    severity: &'static str,
    symptoms: Vec<SymptomDoc<'a>>,
    count: usize,
    /// The objects of the group (pods of one controller failing alike).
    members: &'a [String],
    /// What was seen, one line each.
    evidence: &'a [String],
    scenarios: Vec<ScenarioDoc<'a>>,
    first_fix: Option<&'a str>,
    /// The top scenario's fix commands.
    fix: &'a [String],
    /// The data checks that found it.
    checks: &'a [String],
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
    pub(crate) fn new(findings: &'a [Finding], read: &'a ReadSummary) -> ReportDoc<'a> {
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
                members: &f.members,
                evidence: &f.evidence,
                first_fix: f.first_fix.as_deref(),
                fix: &f.fix,
                checks: &f.checks,
                scenarios: f
                    .scenarios
                    .iter()
                    .map(|s| ScenarioDoc { id: s.id, title: &s.title, score: s.score })
                    .collect(),
                discriminators: DiscriminatorDoc::list(&f.discriminators),
            })
            .collect();
        ReportDoc { findings, files: read.files, unreadable: read.unreadable, not_judged: &read.not_judged }
    }
}

/// What reading the inputs came to, for the summary.
pub(crate) struct ReadSummary {
    pub files: usize,
    pub unreadable: usize,
    pub not_judged: std::collections::BTreeMap<String, usize>,
}

impl ReadSummary {
    /// The lines after the findings: what could not be read or judged.
    fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.unreadable > 0 {
            notes.push(format!(
                "{} of {} files could not be read, or only in part (see the warnings above).",
                self.unreadable, self.files
            ));
        }
        if !self.not_judged.is_empty() {
            let kinds: Vec<String> = self.not_judged.iter().map(|(k, n)| format!("{n} to {k}")).collect();
            notes.push(format!(
                "Not judged, as the input holds no object of the kind: references {}.",
                kinds.join(", ")
            ));
        }
        notes
    }
}

/// A finding's one-line message, for SARIF and JUnit.
fn message(f: &Finding) -> String {
    let symptoms: Vec<&str> = f.symptoms.iter().map(|s| s.id.as_str()).collect();
    let what = if symptoms.is_empty() { "no known symptom".to_string() } else { symptoms.join(", ") };
    let top = f.scenarios.first().map(|s| format!("; read #{} {}", s.id, s.title)).unwrap_or_default();
    let group = if f.count > 1 { format!(" ({} objects)", f.count) } else { String::new() };
    format!("{}{group}: {what}{top}", object_name(f))
}

/// SARIF 2.1.0: one result per finding, its rule the first symptom (or `no-symptom`), its
/// location the object as a logical location (a dump has no source lines).
pub(crate) fn sarif(findings: &[Finding]) -> serde_json::Value {
    use serde_json::json;
    let rule_of = |f: &Finding| f.symptoms.first().map_or("no-symptom".to_string(), |s| s.id.clone());
    let mut rules: Vec<String> = findings.iter().map(rule_of).collect();
    rules.sort();
    rules.dedup();
    let results: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| {
            json!({
                "ruleId": rule_of(f),
                "level": severity_name(f.severity),
                "message": {"text": message(f)},
                "locations": [{"logicalLocations": [{
                    "name": f.object.2,
                    "fullyQualifiedName": object_name(f),
                    "kind": "object",
                }]}],
                "properties": {
                    "namespace": f.object.0,
                    "kind": f.object.1,
                    "members": f.members,
                    "evidence": f.evidence,
                    "scenarios": f.scenarios.iter().map(|s| s.id).collect::<Vec<_>>(),
                    "fix": f.fix,
                },
            })
        })
        .collect();
    json!({
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{
            "tool": {"driver": {
                "name": "k8sdoc",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/k8sdoc/k8sdoc",
                "rules": rules.iter().map(|r| json!({"id": r, "shortDescription": {"text": r}})).collect::<Vec<_>>(),
            }},
            "results": results,
        }],
    })
}

/// Escapes text for XML; characters XML 1.0 cannot carry at all are dropped (sanitised text
/// has none, but evidence is untrusted).
fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: one test suite, one failing test case per finding (its name the object, its
/// class the symptom), in the Ant JUnit layout CI servers read.
pub(crate) fn junit(findings: &[Finding], read: &ReadSummary, out: &mut dyn Write) -> Result<()> {
    let failures = findings.len();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    // The XSD wants a local date-time without an offset: the time of the run, in UTC.
    let now = jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%S");
    writeln!(
        out,
        r#"<testsuite name="k8sdoc analyze" tests="{}" failures="{failures}" errors="{}" time="0" timestamp="{now}" hostname="localhost">"#,
        failures.max(1),
        read.unreadable,
    )?;
    writeln!(out, r#"  <properties><property name="files" value="{}"/></properties>"#, read.files)?;
    if findings.is_empty() {
        writeln!(out, r#"  <testcase name="no findings" classname="k8sdoc.analyze" time="0"/>"#)?;
    }
    for f in findings {
        let class = f.symptoms.first().map_or("no-symptom", |s| s.id.as_str());
        writeln!(
            out,
            r#"  <testcase name="{}" classname="k8sdoc.{}" time="0">"#,
            xml_escape(&sanitize(&object_name(f))),
            xml_escape(&sanitize(class))
        )?;
        let mut body: Vec<String> = f.evidence.iter().map(|e| format!("seen: {e}")).collect();
        body.extend(f.scenarios.iter().map(|s| format!("read: #{} {}", s.id, s.title)));
        body.extend(f.fix.iter().map(|c| format!("fix: {c}")));
        writeln!(
            out,
            r#"    <failure message="{}" type="{}">{}</failure>"#,
            xml_escape(&sanitize(&message(f))),
            severity_name(f.severity),
            xml_escape(&sanitize(&body.join("\n")))
        )?;
        writeln!(out, "  </testcase>")?;
    }
    writeln!(out, "  <system-out/>\n  <system-err/>\n</testsuite>")?;
    Ok(())
}

fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The summary table, then each finding in detail.
pub(crate) fn text(findings: &[Finding], read: &ReadSummary, out: &mut dyn Write, screen: Screen) -> Result<()> {
    let p = screen.palette;
    let files = read.files;
    if findings.is_empty() {
        if read.unreadable > 0 {
            writeln!(
                out,
                "No findings in the {} of {files} files that could be read.",
                files - read.unreadable.min(files)
            )?;
        } else {
            writeln!(out, "No findings in {files} files: nothing looks wrong.")?;
        }
        for note in read.notes() {
            writeln!(out, "{}", sanitize(&note))?;
        }
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
        if f.scenarios.is_empty() {
            let line = format!(
                "{} no scenario fits this evidence; search the catalog for its words: {}",
                p.paint(Role::Dim, "read:"),
                p.paint(Role::Command, "k8sdoc search '<word>'")
            );
            writeln!(out, "{}", screen.wrap(&line, "  ", "        "))?;
        }
        if let Some(fix) = &f.first_fix {
            // A command: never wrapped, so it copies whole. When several scenarios fit about
            // equally, it is the top one's, to run once the check below has told them apart.
            let label = match (f.discriminators.is_empty(), f.scenarios.first()) {
                (false, Some(top)) => format!("first fix, if it is #{} (tell them apart below):", top.id),
                _ => "first fix:".to_string(),
            };
            writeln!(out, "  {}", p.paint(Role::Dim, &label))?;
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
    let notes = read.notes();
    if !notes.is_empty() {
        writeln!(out)?;
    }
    for note in notes {
        writeln!(out, "{}", screen.wrap(&sanitize(&note), "", ""))?;
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
