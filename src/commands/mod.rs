//! One thin file per subcommand, wiring `cli` settings to the catalog, the engine, `analyze`
//! and `output`. Commands do not call each other; what two of them share lives below them.

mod analyze;
mod catalog;
mod completions;
mod config;
mod diagnose;
mod fix;
mod lint;
mod list;
mod man;
mod new;
mod search;
mod show;

use std::ffi::OsString;
use std::io::Write;

use anyhow::Result;

use crate::catalog::problem::Problem;
use crate::catalog::Catalog;
use crate::cli::{Command, Settings};
use crate::exit_codes::Outcome;
use crate::output::style::Palette;
use crate::output::warnings::{report_problems, warn};
use crate::output::Screen;

/// Answers a shell's completion request (`COMPLETE=bash k8sdoc -- WORDS...`) with the exit
/// code; `None` on an ordinary run. It runs before the line is parsed: the line is incomplete.
pub(crate) fn answer_completion(args: &[OsString]) -> Option<i32> {
    completions::answer(args)
}

/// Runs `command`, writing its output to `out`.
pub(crate) fn dispatch(command: &Command, settings: &Settings, out: &mut dyn Write) -> Result<Outcome> {
    let palette = Palette { enabled: settings.color.resolve() };
    let screen = Screen { palette, width: settings.terminal.width, program: &settings.program };
    match command {
        Command::Lint(args) => lint::run(args, settings, out, palette),
        Command::Diagnose(args) => diagnose::run(args, settings, out, screen),
        Command::Analyze(args) => analyze::run(args, settings, out, screen),
        Command::Completions { shell } => completions::run(*shell, settings, out),
        Command::Man => man::run(&settings.program, out),
        Command::Config => config::run(settings, out),
        Command::Show(args) => show::run(args, &load_catalog(settings)?, out, screen),
        Command::Fix(args) => fix::run(args, &load_catalog(settings)?, &settings.program, out),
        Command::List(args) => list::run(args, &load_catalog(settings)?, settings, out, screen),
        Command::Search(args) => search::run(args, &load_catalog(settings)?, out, palette),
        Command::Catalog => catalog::run(&load_catalog(settings)?, out),
        Command::New(args) => new::run(args, settings, out),
    }
}

/// The whole catalog, with its load warnings reported (unless `-q`).
fn load_catalog(settings: &Settings) -> Result<Catalog> {
    let catalog = Catalog::load(&settings.catalog)?;
    if !settings.quiet {
        let problems: Vec<&Problem> = catalog.problems.iter().chain(&catalog.duplicates).collect();
        report_problems(&problems, settings.verbose);
        if settings.verbose {
            for skipped in &catalog.skipped {
                warn(&format!("skipped {}: no scenarios in it", skipped.display()));
            }
        }
    }
    Ok(catalog)
}
