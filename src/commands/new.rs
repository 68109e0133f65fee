//! `k8sdoc new`: a scenario template with every section, under the next free number.

use std::fs::OpenOptions;
use std::io::Write;

use anyhow::{bail, Context, Result};

use crate::catalog::template::{next_number, template};
use crate::catalog::Catalog;
use crate::cli::{config, NewArgs};
use crate::exit_codes::Outcome;
use crate::output::sanitize::sanitize;

pub(crate) fn run(args: &NewArgs, catalog: &Catalog, out: &mut dyn Write) -> Result<Outcome> {
    let id = next_number(catalog);
    let path = match &args.path {
        Some(path) => path.clone(),
        None => {
            let dir = config::scenarios_dir().context("no config directory (set K8SDOC_CONFIG_DIR or HOME)")?;
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
    writeln!(out, "{}", sanitize(&path.display().to_string()))?;
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
