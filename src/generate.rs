//! Output generated from the command-line definition: shell completions, the man page, and the
//! settings in effect (`k8sdoc config`).

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::{Cli, Settings};
use crate::style::ColorChoice;
use crate::Outcome;

pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<Outcome> {
    clap_complete::generate(shell, &mut Cli::command(), "k8sdoc", out);
    Ok(Outcome::Found)
}

pub fn man(out: &mut dyn Write) -> Result<Outcome> {
    clap_mangen::Man::new(Cli::command()).render(out)?;
    Ok(Outcome::Found)
}

pub fn config(settings: &Settings, out: &mut dyn Write) -> Result<Outcome> {
    let shown = |p: &Option<std::path::PathBuf>| {
        p.as_ref().map_or("(no home directory)".to_string(), |p| p.display().to_string())
    };
    let state = if settings.config_found { "found" } else { "not found" };
    writeln!(out, "config file:  {} ({state})", shown(&settings.config_file))?;
    writeln!(out, "scenarios:    {}", shown(&crate::config::scenarios_dir()))?;
    writeln!(out, "cache:        {}", shown(&crate::config::cache_dir()))?;
    writeln!(out)?;
    let color = match settings.color {
        ColorChoice::Auto => "auto",
        ColorChoice::Always => "always",
        ColorChoice::Never => "never",
    };
    writeln!(out, "limit:        {:<24} ({})", settings.limit, settings.limit_from)?;
    writeln!(out, "color:        {color:<24} ({})", settings.color_from)?;
    writeln!(out, "pager:        {:<24} ({})", settings.pager.as_deref().unwrap_or("off"), settings.pager_from)?;
    writeln!(out, "builtin:      {}", if settings.catalog.builtin { "on" } else { "off (--no-builtin)" })?;
    for (path, origin) in &settings.catalog.paths {
        writeln!(
            out,
            "scenarios:    {} ({})",
            crate::sanitize::sanitize(&path.display().to_string()),
            origin.describe()
        )?;
    }
    Ok(Outcome::Found)
}
