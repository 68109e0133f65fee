//! k8sdoc: an offline Kubernetes troubleshooting advisor. `main` calls [`run`].
//!
//! The subsystems, and the only directions they may depend on each other (checked by a test,
//! drawn in docs/architecture.md):
//! `commands` -> `cli`, `catalog`, `engine`, `analyze`, `output`; `analyze` -> `engine`;
//! `engine` -> `catalog`; `output` renders what the others return. `knowledge` and `yaml` are
//! leaves anyone may use.
//!
//! The public surface is what the fuzz targets, benches and tests need: [`run`], the scenario
//! model and parser in [`catalog`], and [`output::scenario_markdown`].

mod analyze;
pub mod catalog;
mod cli;
mod commands;
mod encoding;
mod engine;
mod exit_codes;
#[doc(hidden)]
pub mod fuzzing;
mod hash;
mod knowledge;
pub mod output;
mod yaml;

use std::ffi::OsString;
use std::io::{self, BufWriter, IsTerminal, Write};

use clap::FromArgMatches;

use crate::cli::{Cli, Command};
use crate::exit_codes::ExitCode;
use crate::output::sanitize::sanitize;

/// Runs k8sdoc with these arguments and returns the process exit code: 0 found, 1 nothing
/// found, 2 error. A closed stdout (`k8sdoc list | head -1`) is a quiet success.
pub fn run(args: impl IntoIterator<Item = OsString>) -> i32 {
    let args: Vec<OsString> = args.into_iter().collect();
    // A shell asking for completions (`COMPLETE=bash k8sdoc -- ...`) sends a line still being
    // typed: it is answered before parsing, which would reject it.
    if let Some(code) = commands::answer_completion(&args) {
        return code;
    }
    // Installed as the kubectl plugin `kubectl-doc`, usage, errors and hints say `kubectl doc`.
    let program = cli::program_name(args.first().map(OsString::as_os_str));
    output::warnings::set_program(&program);
    let parsed = cli::command(&program).try_get_matches_from(&args).and_then(|matches| Cli::from_arg_matches(&matches));
    let cli = match parsed {
        Ok(cli) => cli,
        // `--help` and `--version`: k8sdoc's own text, to stdout.
        Err(err) if !err.use_stderr() => {
            let _ = err.print();
            return ExitCode::Found as i32;
        }
        // A usage error quotes the arguments: untrusted, so sanitised (and plain).
        Err(err) => {
            let _ = write!(io::stderr(), "{}", sanitize(&err.render().to_string()));
            return ExitCode::Error as i32;
        }
    };
    let Some(command) = &cli.command else {
        let _ = io::stderr().write_all(cli::short_usage(&program).as_bytes());
        return ExitCode::Error as i32;
    };
    let limit_flag = match command {
        Command::Diagnose(args) => args.limit,
        _ => None,
    };
    let result = cli.global.resolve(limit_flag, &program).and_then(|settings| {
        let stdout = io::stdout();
        let mut out = BufWriter::new(stdout.lock());
        // Long output goes through a pager on a terminal: render it whole first, then decide.
        let pageable =
            matches!(command, Command::Show(_) | Command::List(_) | Command::Diagnose(_) | Command::Analyze(_));
        let outcome = if pageable && settings.pager.is_some() && io::stdout().is_terminal() {
            let mut buffer = Vec::new();
            let outcome = commands::dispatch(command, &settings, &mut buffer)?;
            output::pager::write(&buffer, settings.pager.as_deref(), &mut out)?;
            outcome
        } else {
            commands::dispatch(command, &settings, &mut out)?
        };
        out.flush()?;
        Ok(outcome)
    });
    let code = match result {
        Ok(outcome) => ExitCode::from(outcome),
        Err(err) if is_broken_pipe(&err) => ExitCode::Found,
        Err(err) => {
            // Errors carry file names, arguments and catalog text: untrusted, so sanitised.
            let _ = writeln!(io::stderr(), "{program}: error: {}", sanitize(&format!("{err:#}")));
            ExitCode::Error
        }
    };
    code as i32
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().filter_map(|e| e.downcast_ref::<io::Error>()).any(|e| e.kind() == io::ErrorKind::BrokenPipe)
}
