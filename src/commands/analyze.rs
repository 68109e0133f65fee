//! `k8sdoc analyze`: reads a saved cluster state, finds what is wrong object by object, renders
//! the findings.

use std::io::Write;
use std::time::Duration;

use anyhow::Result;

use crate::analyze::{self, Severity};
use crate::cli::{AnalyzeArgs, AnalyzeFormat, Settings, SeverityArg};
use crate::engine::store::{self, StoreOptions};
use crate::exit_codes::Outcome;
use crate::output::analyze::{junit, sarif, text, ReadSummary, ReportDoc};
use crate::output::progress::IndexProgress;
use crate::output::warnings::warn;
use crate::output::Screen;
use crate::output::{write_json, write_yaml};

fn severity(s: SeverityArg) -> Severity {
    match s {
        SeverityArg::Warning => Severity::Warning,
        SeverityArg::Error => Severity::Error,
    }
}

pub(crate) fn run(args: &AnalyzeArgs, settings: &Settings, out: &mut dyn Write, screen: Screen) -> Result<Outcome> {
    let checks = analyze::Checks::load(&args.checks)?;
    let snapshot = analyze::read(&args.paths, &checks)?;
    if !settings.quiet {
        for problem in &snapshot.problems {
            warn(&format!("warning: {problem}"));
        }
    }
    // Every input broken: that is an error, not "nothing looks wrong".
    if snapshot.files > 0 && snapshot.unreadable >= snapshot.files && snapshot.objects_seen() == 0 {
        anyhow::bail!("none of the {} input files could be read", snapshot.files);
    }
    let options = analyze::Options { namespace: args.namespace.clone(), min_severity: args.min_severity.map(severity) };
    let find = |store_options: &StoreOptions| {
        let opened = {
            // Dropped (and so cleared from the screen) before the findings are printed.
            let progress = IndexProgress::new(settings.terminal.stderr && !settings.quiet);
            store::open(&settings.catalog, store_options, &|phase, done, total| progress.report(phase, done, total))?
        };
        analyze::findings(&snapshot, &options, &opened)
    };
    let (findings, timing) = match find(&settings.store) {
        // A catalog file changed under the index without its size or mtime moving: rebuild, once.
        Err(err) if store::is_stale(&err) => find(&StoreOptions { rebuild: true, ..settings.store.clone() })?,
        other => other?,
    };
    if settings.verbose {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let read = &snapshot.timing;
        warn(&format!(
            "timing: reading and parsing {:.1} ms, checks {:.1} ms, judging references {:.1} ms, grouping {:.1} ms, \
             ranking scenarios {:.1} ms",
            ms(read.read.saturating_sub(read.checks)),
            ms(read.checks),
            ms(read.references),
            ms(timing.grouping),
            ms(timing.ranking)
        ));
    }
    let read =
        ReadSummary { files: snapshot.files, unreadable: snapshot.unreadable, not_judged: snapshot.not_judged.clone() };
    match args.format {
        AnalyzeFormat::Json => write_json(out, &ReportDoc::new(&findings, &read))?,
        AnalyzeFormat::Yaml => write_yaml(out, &ReportDoc::new(&findings, &read))?,
        AnalyzeFormat::Sarif => write_json(out, &sarif(&findings))?,
        AnalyzeFormat::Junit => junit(&findings, &read, out)?,
        AnalyzeFormat::Text => text(&findings, &read, out, screen)?,
    }
    let failing = args.fail_on.map(severity).is_some_and(|level| findings.iter().any(|f| f.severity >= level));
    Ok(if failing { Outcome::NothingFound } else { Outcome::Found })
}
