//! Every use of YAML goes through here, so the archived serde_yaml can be swapped in one place.

use std::io::Write;

use anyhow::{Context, Result};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Writes `value` as a YAML document.
pub fn write<T: Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> Result<()> {
    let text = serde_yaml::to_string(value).context("cannot encode YAML")?;
    // serde_yaml escapes control characters in the strings it writes, but the output goes to a
    // terminal, so it gets the same treatment as every other format.
    out.write_all(crate::sanitize::sanitize(&text).as_bytes())?;
    Ok(())
}

/// Parses YAML text; errors name `origin` and the line and column.
pub fn parse<T: DeserializeOwned>(text: &str, origin: &str) -> Result<T> {
    serde_yaml::from_str(text).map_err(|err| match err.location() {
        Some(loc) => anyhow::anyhow!("{origin}:{}:{}: {err}", loc.line(), loc.column()),
        None => anyhow::anyhow!("{origin}: {err}"),
    })
}
