//! Renders scenarios for people (terminal text, markdown) and for tools (JSON, YAML).

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

use super::sanitize::{one_line, sanitize};
use super::style::Role;
use super::Screen;
use crate::catalog::model::{commands, FieldValue, Item, Scenario};
use crate::catalog::sections::Field;

/// A scenario as JSON and YAML show it; the key names are a contract with other tools.
#[derive(Serialize)]
pub(crate) struct ScenarioDoc<'a> {
    id: u32,
    title: &'a str,
    category: Option<&'a str>,
    environment: Option<&'a str>,
    summary: Option<&'a str>,
    what_happened: Vec<&'a str>,
    diagnosis_steps: Vec<&'a str>,
    root_cause: Option<&'a str>,
    fix: Vec<&'a str>,
    lessons_learned: Vec<&'a str>,
    how_to_avoid: Vec<&'a str>,
    pro_tip: Option<&'a str>,
    seen_in: Option<&'a str>,
    what_you_see: Vec<&'a str>,
    covers: &'a [String],
    /// The commands alone, apart from the notes `diagnosis_steps` and `fix` mix them with.
    commands: CommandsDoc<'a>,
    source: String,
}

fn texts(items: &[Item]) -> Vec<&str> {
    items.iter().map(|i| i.text.as_str()).collect()
}

impl<'a> ScenarioDoc<'a> {
    pub(crate) fn new(s: &'a Scenario) -> ScenarioDoc<'a> {
        ScenarioDoc {
            id: s.id,
            title: &s.title,
            category: s.category.as_deref(),
            environment: s.environment.as_deref(),
            summary: s.summary.as_deref(),
            what_happened: texts(&s.what_happened),
            diagnosis_steps: texts(&s.diagnosis_steps),
            root_cause: s.root_cause.as_deref(),
            fix: texts(&s.fix),
            lessons_learned: texts(&s.lessons_learned),
            how_to_avoid: texts(&s.how_to_avoid),
            pro_tip: s.pro_tip.as_deref(),
            seen_in: s.seen_in.as_deref(),
            what_you_see: texts(&s.what_you_see),
            covers: &s.covers,
            commands: CommandsDoc::new(s),
            source: s.source.to_string(),
        }
    }
}

/// A row of `list --format json`.
#[derive(Serialize)]
pub(crate) struct ListEntry<'a> {
    id: u32,
    title: &'a str,
    category: Option<&'a str>,
    environment: Option<&'a str>,
    source: String,
}

impl<'a> ListEntry<'a> {
    pub(crate) fn new(s: &'a Scenario) -> ListEntry<'a> {
        ListEntry {
            id: s.id,
            title: &s.title,
            category: s.category.as_deref(),
            environment: s.environment.as_deref(),
            source: s.source.to_string(),
        }
    }
}

/// The whole scenario for a terminal: headings, prose wrapped to the screen with hanging
/// indents, numbered steps, and commands as blocks to copy (never wrapped: a wrapped command
/// copies wrong; the terminal scrolls it instead).
pub(crate) fn scenario_text(out: &mut dyn Write, s: &Scenario, screen: Screen) -> Result<()> {
    let p = screen.palette;
    writeln!(out, "{}  {}", p.paint(Role::Id, &format!("#{}", s.id)), p.paint(Role::Heading, &one_line(&s.title)))?;
    let mut meta = Vec::new();
    if let Some(c) = &s.category {
        meta.push(format!("Category: {}", one_line(c)));
    }
    if let Some(e) = &s.environment {
        meta.push(format!("Environment: {}", one_line(e)));
    }
    if !meta.is_empty() {
        writeln!(out, "{}", screen.wrap(&meta.join("  |  "), "", "  "))?;
    }
    if !s.covers.is_empty() {
        writeln!(out, "{}", screen.wrap(&one_line(&s.covers.join(", ")), "Covers: ", "  "))?;
    }
    writeln!(out, "{}", p.paint(Role::Dim, &format!("Source: {}", sanitize(&s.source.to_string()))))?;
    for field in Field::ALL {
        if matches!(field, Field::Category | Field::Environment | Field::Covers) || !s.has(field) {
            continue;
        }
        writeln!(out)?;
        writeln!(out, "{}", p.paint(Role::Heading, field.label()))?;
        match s.field(field) {
            FieldValue::Text(Some(t)) => writeln!(out, "{}", screen.wrap(&p.inline(&sanitize(t)), "  ", "  "))?,
            FieldValue::List(items) => list_text(out, items, field == Field::DiagnosisSteps, screen)?,
            _ => {}
        }
    }
    for extra in &s.extra {
        writeln!(out)?;
        let label = if extra.label.is_empty() { "Notes" } else { &extra.label };
        writeln!(out, "{}", p.paint(Role::Heading, &one_line(label)))?;
        list_text(out, &extra.items, false, screen)?;
    }
    Ok(())
}

/// Notes as bullets (or numbered steps), wrapped with a hanging indent; commands as blocks, one
/// per line (a multi-line command keeps its lines), indented and never wrapped, so they copy
/// exactly; `# comment` lines of a command block dimmed.
pub(crate) fn list_text(out: &mut dyn Write, items: &[Item], numbered: bool, screen: Screen) -> Result<()> {
    let p = screen.palette;
    let mut n = 0;
    for item in items {
        if item.is_comment() {
            writeln!(out, "    {}", p.paint(Role::Dim, &sanitize(&item.text)))?;
        } else if item.command {
            for line in sanitize(&item.text).lines() {
                writeln!(out, "    {}", p.paint(Role::Command, line))?;
            }
        } else {
            n += 1;
            let marker = if numbered { format!("  {n}. ") } else { "  • ".to_string() };
            let hanging = " ".repeat(marker.chars().count());
            writeln!(out, "{}", screen.wrap(&p.inline(&sanitize(&item.text)), &marker, &hanging))?;
        }
    }
    Ok(())
}

/// The commands of a scenario's sections that have them, for JSON and YAML.
#[derive(Serialize)]
pub(crate) struct CommandsDoc<'a> {
    pub diagnosis_steps: Vec<&'a str>,
    pub fix: Vec<&'a str>,
}

impl<'a> CommandsDoc<'a> {
    pub(crate) fn new(s: &'a Scenario) -> CommandsDoc<'a> {
        CommandsDoc { diagnosis_steps: commands(&s.diagnosis_steps).collect(), fix: s.fix_commands().collect() }
    }
}

/// The scenario in the catalog's own markdown format; parsing it back yields the same scenario.
pub fn scenario_markdown(out: &mut dyn Write, s: &Scenario) -> Result<()> {
    writeln!(out, "### Scenario #{}: {}", s.id, flat(&s.title))?;
    for field in Field::ALL {
        if !s.has(field) {
            continue;
        }
        writeln!(out)?;
        match s.field(field) {
            FieldValue::Text(Some(t)) => writeln!(out, "**{}:** {}", field.label(), flat(t))?,
            FieldValue::Keys(keys) => writeln!(out, "**{}:** {}", field.label(), flat(&keys.join(", ")))?,
            FieldValue::List(items) => {
                writeln!(out, "**{}:**", field.label())?;
                list_markdown(out, items, field != Field::WhatYouSee)?;
            }
            FieldValue::Text(None) => {}
        }
    }
    for extra in &s.extra {
        writeln!(out)?;
        if !extra.label.is_empty() {
            writeln!(out, "**{}:**", one_line(&extra.label))?;
        }
        list_markdown(out, &extra.items, true)?;
    }
    writeln!(out)?;
    writeln!(out, "---")?;
    Ok(())
}

/// Prose as bullets, runs of commands as one fenced block; message strings in backticks.
fn list_markdown(out: &mut dyn Write, items: &[Item], fence_commands: bool) -> Result<()> {
    let mut in_fence = false;
    for item in items {
        let text = sanitize(&item.text);
        if item.command && fence_commands {
            if !in_fence {
                writeln!(out, "```bash")?;
                in_fence = true;
            }
            writeln!(out, "{text}")?;
            continue;
        }
        if in_fence {
            writeln!(out, "```")?;
            in_fence = false;
        }
        if fence_commands {
            writeln!(out, "- {}", flat(&text))?;
        } else {
            let tick = if text.contains('`') { "``" } else { "`" };
            writeln!(out, "- {tick}{}{tick}", flat(&text))?;
        }
    }
    if in_fence {
        writeln!(out, "```")?;
    }
    Ok(())
}

/// Catalog text on one markdown line, spacing kept (What You See strings can be column output).
fn flat(text: &str) -> String {
    sanitize(text).replace(['\n', '\r'], " ")
}
