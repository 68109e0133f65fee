//! `k8sdoc completions SHELL`: a completion script generated from the command-line definition.

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::Cli;
use crate::exit_codes::Outcome;

pub(crate) fn run(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<Outcome> {
    clap_complete::generate(shell, &mut Cli::command(), "k8sdoc", out);
    Ok(Outcome::Found)
}
