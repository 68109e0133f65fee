//! Every use of YAML goes through here, so the YAML library can be swapped in one place. It
//! is `yaml_serde`, the YAML organisation's maintained continuation of the archived
//! `serde_yaml`, with the same API.

use anyhow::{Context, Result};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// `value` as a YAML document.
pub(crate) fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    yaml_serde::to_string(value).context("cannot encode YAML")
}

/// Parses YAML text; errors name `origin` and the line and column.
pub(crate) fn parse<T: DeserializeOwned>(text: &str, origin: &str) -> Result<T> {
    yaml_serde::from_str(text).map_err(|err| match err.location() {
        Some(loc) => anyhow::anyhow!("{origin}:{}:{}: {err}", loc.line(), loc.column()),
        None => anyhow::anyhow!("{origin}: {err}"),
    })
}

/// Parses a stream of YAML documents separated by `---` lines, each on its own, so one broken
/// document does not lose the others. Errors name `origin` and the line in the whole stream.
pub(crate) fn parse_documents<T: DeserializeOwned>(text: &str, origin: &str) -> Vec<Result<T>> {
    let mut out = Vec::new();
    let mut start_line = 0;
    let mut doc = String::new();
    let flush = |doc: &mut String, first: usize, out: &mut Vec<Result<T>>| {
        if doc.lines().any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')) {
            out.push(yaml_serde::from_str(doc).map_err(|err| match err.location() {
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
