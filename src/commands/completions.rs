//! `k8sdoc completions SHELL`: a completion script generated from the command-line definition.

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::Cli;
use crate::exit_codes::Outcome;

pub(crate) fn run(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<Outcome> {
    // clap_complete panics when its writer fails (a closed pipe): write to memory first.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "k8sdoc", &mut script);
    out.write_all(&script)?;
    Ok(Outcome::Found)
}
