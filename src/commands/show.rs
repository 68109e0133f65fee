//! `k8sdoc show`: whole scenarios by number, in any format.

use std::io::Write;

use anyhow::{bail, Result};

use crate::catalog::model::Scenario;
use crate::catalog::{parse_id, Catalog};
use crate::cli::{ShowArgs, ShowFormat};
use crate::exit_codes::Outcome;
use crate::output::sanitize::one_line;
use crate::output::scenario::{scenario_markdown, scenario_text, ScenarioDoc};
use crate::output::Screen;
use crate::output::{write_json, write_yaml};

pub(crate) fn run(args: &ShowArgs, catalog: &Catalog, out: &mut dyn Write, screen: Screen) -> Result<Outcome> {
    let mut found: Vec<&Scenario> = Vec::new();
    let mut missing = Vec::new();
    for raw in &args.ids {
        let id = parse_id(raw, screen.program)?;
        let before = found.len();
        found.extend(catalog.by_id(id));
        if found.len() == before {
            missing.push(id);
        }
    }
    if !missing.is_empty() {
        let lines: Vec<String> = missing.iter().map(|&id| unknown_id_message(id, catalog)).collect();
        bail!("{}", lines.join("\n"));
    }
    match args.format {
        ShowFormat::Text => {
            for (i, s) in found.iter().enumerate() {
                if i > 0 {
                    writeln!(out, "\n{}\n", "─".repeat(60))?;
                }
                scenario_text(out, s, screen)?;
            }
        }
        ShowFormat::Markdown => {
            for (i, s) in found.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                scenario_markdown(out, s)?;
            }
        }
        ShowFormat::Json => write_json(out, &found.iter().map(|s| ScenarioDoc::new(s)).collect::<Vec<_>>())?,
        ShowFormat::Yaml => write_yaml(out, &found.iter().map(|s| ScenarioDoc::new(s)).collect::<Vec<_>>())?,
    }
    Ok(Outcome::Found)
}

fn unknown_id_message(id: u32, catalog: &Catalog) -> String {
    let close = close_ids(id, catalog);
    if close.is_empty() {
        format!("no scenario #{id} in the catalog")
    } else {
        let names: Vec<String> = close.iter().map(|s| format!("#{} {}", s.id, one_line(&s.title))).collect();
        format!("no scenario #{id}; close matches: {}", names.join("; "))
    }
}

/// Up to three scenarios whose numbers are a digit edit away, else the numerically nearest.
fn close_ids(id: u32, catalog: &Catalog) -> Vec<&Scenario> {
    let target = id.to_string();
    let mut ranked: Vec<(usize, u32, &Scenario)> = catalog
        .scenarios
        .iter()
        .map(|s| (strsim::levenshtein(&target, &s.id.to_string()), s.id.abs_diff(id), s))
        .collect();
    ranked.sort_by_key(|&(d, n, s)| (d, n, s.id));
    ranked.dedup_by_key(|(_, _, s)| s.id);
    ranked.into_iter().take(3).map(|(_, _, s)| s).collect()
}
