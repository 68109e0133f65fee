//! `k8sdoc man`: the man page (roff), generated from the command-line definition.

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::Cli;
use crate::exit_codes::Outcome;

pub(crate) fn run(out: &mut dyn Write) -> Result<Outcome> {
    clap_mangen::Man::new(Cli::command()).render(out)?;
    Ok(Outcome::Found)
}
