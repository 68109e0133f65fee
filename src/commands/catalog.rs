//! `k8sdoc catalog`: where the catalog was loaded from, layer by layer.

use std::io::Write;

use anyhow::Result;

use crate::catalog::Catalog;
use crate::exit_codes::Outcome;
use crate::output::sanitize::sanitize;

/// Every file the catalog came from, with what it held.
pub(crate) fn run(catalog: &Catalog, out: &mut dyn Write) -> Result<Outcome> {
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
