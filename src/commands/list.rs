//! `k8sdoc list`: a table of the catalog.

use std::io::Write;

use anyhow::Result;
use comfy_table::Cell;

use crate::catalog::model::Scenario;
use crate::catalog::{category_matches, check_category, Catalog};
use crate::cli::{ListArgs, ListFormat, Settings};
use crate::exit_codes::Outcome;
use crate::output::sanitize::{one_line, sanitize};
use crate::output::scenario::ListEntry;
use crate::output::table::{render, table};
use crate::output::Screen;
use crate::output::{write_json, write_yaml};

pub(crate) fn run(
    args: &ListArgs,
    catalog: &Catalog,
    settings: &Settings,
    out: &mut dyn Write,
    screen: Screen,
) -> Result<Outcome> {
    if let Some(wanted) = args.category.as_deref() {
        check_category(wanted, catalog.scenarios.iter().filter_map(|s| s.category.as_deref()))?;
    }
    let rows: Vec<&Scenario> =
        catalog.scenarios.iter().filter(|s| category_matches(s, args.category.as_deref())).collect();
    match args.format {
        ListFormat::Json => write_json(out, &rows.iter().map(|s| ListEntry::new(s)).collect::<Vec<_>>())?,
        ListFormat::Yaml => write_yaml(out, &rows.iter().map(|s| ListEntry::new(s)).collect::<Vec<_>>())?,
        ListFormat::Table if !rows.is_empty() => {
            let mut header = vec!["ID", "Title", "Category", "Environment"];
            if settings.verbose {
                header.push("Source");
            }
            let mut table = table(&header, &[0], screen);
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
            out.write_all(render(&table).as_bytes())?;
        }
        ListFormat::Table => {}
    }
    Ok(Outcome::from_found(!rows.is_empty()))
}
