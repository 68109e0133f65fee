//! `k8sdoc list` (a table of the catalog) and `k8sdoc catalog` (where it was loaded from).

use std::io::Write;

use anyhow::Result;
use comfy_table::Cell;

use crate::catalog::Catalog;
use crate::cli::{ListArgs, ListFormat, Settings};
use crate::model::Scenario;
use crate::render::{write_json, ListEntry};
use crate::sanitize::{one_line, sanitize};
use crate::style::Palette;
use crate::{yaml, Outcome};

/// Category names compare without case or punctuation: `control-plane` is `Control Plane`.
pub fn category_matches(scenario: &Scenario, wanted: Option<&str>) -> bool {
    let norm = |s: &str| -> String { s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect() };
    match wanted {
        None => true,
        Some(w) => scenario.category.as_deref().is_some_and(|c| norm(c) == norm(w)),
    }
}

pub fn run(
    args: &ListArgs,
    catalog: &Catalog,
    settings: &Settings,
    out: &mut dyn Write,
    palette: Palette,
) -> Result<Outcome> {
    let rows: Vec<&Scenario> =
        catalog.scenarios.iter().filter(|s| category_matches(s, args.category.as_deref())).collect();
    match args.format {
        ListFormat::Json => write_json(out, &rows.iter().map(|s| ListEntry::new(s)).collect::<Vec<_>>())?,
        ListFormat::Yaml => yaml::write(out, &rows.iter().map(|s| ListEntry::new(s)).collect::<Vec<_>>())?,
        ListFormat::Table if !rows.is_empty() => {
            let mut header = vec!["ID", "Title", "Category", "Environment"];
            if settings.verbose {
                header.push("Source");
            }
            let mut table = crate::render::table(&header, palette);
            for s in &rows {
                let mut row = vec![
                    Cell::new(s.id),
                    Cell::new(one_line(&s.title)),
                    Cell::new(one_line(s.category.as_deref().unwrap_or("-"))),
                    Cell::new(one_line(s.environment.as_deref().unwrap_or("-"))),
                ];
                if settings.verbose {
                    row.push(Cell::new(format!(
                        "{} ({})",
                        sanitize(&s.source.to_string()),
                        s.source.file.origin.describe()
                    )));
                }
                table.add_row(row);
            }
            writeln!(out, "{table}")?;
        }
        ListFormat::Table => {}
    }
    Ok(Outcome::from_found(!rows.is_empty()))
}

/// Every file the catalog came from, layer by layer, with what it held.
pub fn catalog(catalog: &Catalog, out: &mut dyn Write) -> Result<Outcome> {
    for report in catalog.files.iter().filter(|r| r.scenarios > 0) {
        writeln!(
            out,
            "{:<16} {:>5} scenarios  {}",
            report.file.origin.describe(),
            report.scenarios,
            sanitize(&report.file.path.display().to_string())
        )?;
    }
    for skipped in &catalog.skipped {
        writeln!(out, "{:<16} {:>5} (skipped: no scenarios)  {}", "", 0, sanitize(&skipped.display().to_string()))?;
    }
    writeln!(out, "total: {} scenarios in {} files", catalog.scenarios.len(), catalog.files.len())?;
    Ok(Outcome::from_found(!catalog.scenarios.is_empty()))
}
