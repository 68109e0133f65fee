//! `k8sdoc new`: a scenario template with every section, under the next free number.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use crate::catalog::Catalog;
use crate::cli::NewArgs;
use crate::model::Field;
use crate::Outcome;

/// User scenarios start above this, clear of the built-in catalog (1-22, 1001-1999) and of
/// public collections (1-600).
pub const FIRST_USER_NUMBER: u32 = 5001;

/// The text `lint` refuses until it is replaced.
pub const PLACEHOLDER: &str = "TODO";

pub fn next_number(catalog: &Catalog) -> u32 {
    catalog.scenarios.iter().map(|s| s.id + 1).max().unwrap_or(0).max(FIRST_USER_NUMBER)
}

pub fn template(id: u32, title: &str) -> String {
    let mut text = format!("### Scenario #{id}: {title}\n");
    for field in Field::ALL {
        let hint = match field {
            Field::Category => "Workloads, Scheduling, Nodes, Control Plane, Networking, Storage, Scaling or Security",
            Field::Environment => "Kubernetes versions and platforms where this happens",
            Field::Covers => "coverage keys, comma-separated (optional)",
            Field::WhatYouSee => "`the exact status, event or log line, with <placeholders>`",
            Field::DiagnosisSteps => "`kubectl ...` → what it showed",
            Field::Fix => "what fixed it, then the commands in a ```bash block",
            _ => "...",
        };
        if field.is_scalar() || field == Field::Covers {
            text.push_str(&format!("\n**{}:** {PLACEHOLDER}: {hint}\n", field.label()));
        } else {
            text.push_str(&format!("\n**{}:**\n- {PLACEHOLDER}: {hint}\n", field.label()));
        }
    }
    text.push_str("\n---\n");
    text
}

pub fn run(args: &NewArgs, catalog: &Catalog, out: &mut dyn Write) -> Result<Outcome> {
    let id = next_number(catalog);
    let path = match &args.path {
        Some(path) => path.clone(),
        None => {
            let dir = crate::config::scenarios_dir().context("no config directory (set K8SDOC_CONFIG_DIR or HOME)")?;
            std::fs::create_dir_all(&dir).with_context(|| format!("{}: cannot create", dir.display()))?;
            dir.join(format!("{id}-{}.md", slug(&args.title)))
        }
    };
    // `create_new` refuses an existing file atomically: no check-then-write race.
    let mut file = match OpenOptions::new().write(true).create_new(true).open(&path) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            bail!("{}: already exists; not overwriting it", path.display())
        }
        Err(err) => return Err(err).with_context(|| format!("{}: cannot create", path.display())),
    };
    file.write_all(template(id, &args.title).as_bytes())
        .with_context(|| format!("{}: cannot write", path.display()))?;
    writeln!(out, "{}", PathBuf::from(&path).display())?;
    Ok(Outcome::Found)
}

fn slug(title: &str) -> String {
    let words: Vec<String> =
        title.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).take(8).map(str::to_lowercase).collect();
    if words.is_empty() {
        "scenario".to_string()
    } else {
        words.join("-")
    }
}
