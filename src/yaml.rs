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

/// Parses a stream of YAML documents separated by `---` lines, each on its own, so one broken
/// document does not lose the others. Errors name `origin` and the line in the whole stream.
pub fn parse_documents<T: DeserializeOwned>(text: &str, origin: &str) -> Vec<Result<T>> {
    let mut out = Vec::new();
    let mut start_line = 0;
    let mut doc = String::new();
    let flush = |doc: &mut String, first: usize, out: &mut Vec<Result<T>>| {
        if doc.lines().any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')) {
            out.push(serde_yaml::from_str(doc).map_err(|err| match err.location() {
                Some(loc) => anyhow::anyhow!("{origin}:{}:{}: {err}", first + loc.line(), loc.column()),
                None => anyhow::anyhow!("{origin}:{}: {err}", first + 1),
            }));
        }
        doc.clear();
    };
    for (n, line) in text.lines().enumerate() {
        if line == "---" || line.starts_with("--- ") || line == "..." {
            flush(&mut doc, start_line, &mut out);
            start_line = n + 1;
            continue;
        }
        doc.push_str(line);
        doc.push('\n');
    }
    flush(&mut doc, start_line, &mut out);
    out
}
