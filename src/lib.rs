//! k8sdoc: an offline Kubernetes troubleshooting advisor. `main` calls [`run`].

pub mod analyze;
pub mod cache;
pub mod catalog;
pub mod cli;
pub mod codec;
pub mod config;
pub mod diagnose;
pub mod engine;
pub mod extract;
pub mod generate;
pub mod index;
pub mod k8s;
pub mod lint;
pub mod list;
pub mod model;
pub mod mojibake;
pub mod new;
pub mod pager;
pub mod parse;
pub mod problem;
pub mod render;
pub mod rules;
pub mod sanitize;
pub mod search;
pub mod show;
pub mod style;
pub mod tokenize;
pub mod yaml;

use std::ffi::OsString;
use std::io::{self, BufWriter, IsTerminal, Write};

use anyhow::Result;
use clap::Parser;

use crate::catalog::Catalog;
use crate::cli::{Cli, Command, Settings};
use crate::problem::Problem;
use crate::style::Palette;

/// How a command ended when it did not fail: grep's 0 and 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Found,
    NothingFound,
}

impl Outcome {
    pub fn from_found(found: bool) -> Outcome {
        if found {
            Outcome::Found
        } else {
            Outcome::NothingFound
        }
    }
}

/// Runs k8sdoc with these arguments and returns the process exit code: 0 found, 1 nothing
/// found, 2 error. A closed stdout (`k8sdoc list | head -1`) is a quiet success.
pub fn run(args: impl IntoIterator<Item = OsString>) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            let _ = err.print();
            return code;
        }
    };
    let Some(command) = &cli.command else {
        let _ = io::stderr().write_all(cli::SHORT_USAGE.as_bytes());
        return 2;
    };
    let limit_flag = match command {
        Command::Diagnose(args) => args.limit,
        _ => None,
    };
    let result = cli.global.resolve(limit_flag).and_then(|settings| {
        let stdout = io::stdout();
        let mut out = BufWriter::new(stdout.lock());
        // Long output goes through a pager on a terminal: render it whole first, then decide.
        let pageable =
            matches!(command, Command::Show(_) | Command::List(_) | Command::Diagnose(_) | Command::Analyze(_));
        let outcome = if pageable && settings.pager.is_some() && io::stdout().is_terminal() {
            let mut buffer = Vec::new();
            let outcome = dispatch(command, &settings, &mut buffer)?;
            pager::write(&buffer, settings.pager.as_deref(), &mut out)?;
            outcome
        } else {
            dispatch(command, &settings, &mut out)?
        };
        out.flush()?;
        Ok(outcome)
    });
    match result {
        Ok(Outcome::Found) => 0,
        Ok(Outcome::NothingFound) => 1,
        Err(err) if is_broken_pipe(&err) => 0,
        Err(err) => {
            let _ = writeln!(io::stderr(), "k8sdoc: error: {err:#}");
            2
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().filter_map(|e| e.downcast_ref::<io::Error>()).any(|e| e.kind() == io::ErrorKind::BrokenPipe)
}

fn dispatch(command: &Command, settings: &Settings, out: &mut dyn Write) -> Result<Outcome> {
    let palette = Palette { enabled: settings.color.resolve() };
    match command {
        Command::Lint(args) => return lint::run(args, settings, out, palette),
        Command::Diagnose(args) => return diagnose::run(args, settings, out, palette),
        Command::Analyze(args) => return analyze::run(args, settings, out, palette),
        Command::Completions { shell } => return generate::completions(*shell, out),
        Command::Man => return generate::man(out),
        Command::Config => return generate::config(settings, out),
        _ => {}
    }
    let catalog = Catalog::load(&settings.catalog)?;
    if !settings.quiet {
        let problems: Vec<&Problem> = catalog.problems.iter().chain(&catalog.duplicates).collect();
        report_problems(&problems, settings.verbose);
        if settings.verbose {
            for skipped in &catalog.skipped {
                let _ = writeln!(
                    io::stderr(),
                    "k8sdoc: skipped {}: no scenarios in it",
                    sanitize::sanitize(&skipped.display().to_string())
                );
            }
        }
    }
    match command {
        Command::Show(args) => show::run(args, &catalog, out, palette),
        Command::List(args) => list::run(args, &catalog, settings, out, palette),
        Command::Search(args) => search::run(args, &catalog, out, palette),
        Command::Catalog => list::catalog(&catalog, out),
        Command::New(args) => new::run(args, &catalog, out),
        Command::Lint(_)
        | Command::Diagnose(_)
        | Command::Analyze(_)
        | Command::Completions { .. }
        | Command::Man
        | Command::Config => {
            unreachable!("handled above")
        }
    }
}

/// How many load warnings to print before summarising the rest (a public collection loaded
/// beside the built-in catalog can repeat dozens of numbers).
const MAX_WARNINGS: usize = 5;

pub(crate) fn report_problems(problems: &[&Problem], verbose: bool) {
    let mut err = io::stderr().lock();
    let shown = if verbose { problems.len() } else { MAX_WARNINGS.min(problems.len()) };
    for p in &problems[..shown] {
        let _ = writeln!(err, "k8sdoc: {}", sanitize::sanitize(&p.to_string()));
    }
    if problems.len() > shown {
        let _ = writeln!(
            err,
            "k8sdoc: ... and {} more warnings (see them all with --verbose or `k8sdoc lint`; silence with -q)",
            problems.len() - shown
        );
    }
}
