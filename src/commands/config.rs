//! `k8sdoc config`: where configuration is looked for and which settings are in effect.

use std::io::Write;

use anyhow::Result;

use crate::cli::{config, ColorChoice, Settings};
use crate::exit_codes::Outcome;
use crate::output::sanitize::sanitize;

pub(crate) fn run(settings: &Settings, out: &mut dyn Write) -> Result<Outcome> {
    let shown = |p: &Option<std::path::PathBuf>| {
        p.as_ref().map_or("(no home directory)".to_string(), |p| sanitize(&p.display().to_string()).into_owned())
    };
    let state = if settings.config_found { "found" } else { "not found" };
    writeln!(out, "config file:  {} ({state})", shown(&settings.config_file))?;
    writeln!(out, "scenarios:    {}", shown(&config::scenarios_dir()))?;
    writeln!(out, "cache:        {}", shown(&settings.store.cache_dir))?;
    writeln!(out)?;
    let color = match settings.color {
        ColorChoice::Auto => "auto",
        ColorChoice::Always => "always",
        ColorChoice::Never => "never",
    };
    let pager = sanitize(settings.pager.as_deref().unwrap_or("off")).into_owned();
    writeln!(out, "limit:        {:<24} ({})", settings.limit, settings.limit_from)?;
    writeln!(out, "color:        {color:<24} ({})", settings.color_from)?;
    writeln!(out, "pager:        {pager:<24} ({})", settings.pager_from)?;
    writeln!(out, "builtin:      {}", if settings.catalog.builtin { "on" } else { "off (--no-builtin)" })?;
    for (path, origin) in &settings.catalog.paths {
        writeln!(out, "scenarios:    {} ({})", sanitize(&path.display().to_string()), origin.describe())?;
    }
    Ok(Outcome::Found)
}
