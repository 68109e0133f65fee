//! `k8sdoc fix N`: the fix commands of one scenario and nothing else, ready to paste into a
//! shell (multi-line commands whole; notes and `# comment` lines left out).

use std::io::Write;

use anyhow::{bail, Result};

use crate::catalog::{parse_id, Catalog};
use crate::cli::FixArgs;
use crate::exit_codes::Outcome;
use crate::output::sanitize::sanitize;

pub(crate) fn run(args: &FixArgs, catalog: &Catalog, program: &str, out: &mut dyn Write) -> Result<Outcome> {
    let id = parse_id(&args.id, program)?;
    let Some(scenario) = catalog.by_id(id).next() else {
        bail!("no scenario #{id} in the catalog (list them with `{program} list`)");
    };
    let fix: Vec<&str> = scenario.fix_commands().collect();
    if fix.is_empty() {
        bail!("scenario #{id} has no fix commands, only notes: read them with `{program} show {id}`");
    }
    for command in fix {
        writeln!(out, "{}", sanitize(command))?;
    }
    Ok(Outcome::Found)
}
