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

/// Deeper nesting than any config, rule file or Kubernetes object needs is refused before
/// parsing: the YAML parser's time grows with the square of the depth.
const MAX_DEPTH: usize = 128;

/// The first line where `text` nests deeper than [`MAX_DEPTH`] (block indentation levels plus
/// open flow brackets), in one pass.
fn too_deep(text: &str) -> Option<usize> {
    let mut indents: Vec<usize> = Vec::new();
    let mut flow = 0usize;
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if flow == 0 {
            let indent = line.len() - trimmed.len();
            while indents.last().is_some_and(|&i| i > indent) {
                indents.pop();
            }
            if indents.last() != Some(&indent) {
                indents.push(indent);
            }
        }
        let mut quote: Option<char> = None;
        for c in trimmed.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') => break,
                (None, '[' | '{') => flow += 1,
                (None, ']' | '}') => flow = flow.saturating_sub(1),
                _ => {}
            }
            if indents.len() + flow > MAX_DEPTH {
                return Some(n + 1);
            }
        }
        if indents.len() + flow > MAX_DEPTH {
            return Some(n + 1);
        }
    }
    None
}

fn check_depth(text: &str, origin: &str, first_line: usize) -> Result<()> {
    match too_deep(text) {
        Some(line) => {
            anyhow::bail!("{origin}:{}: YAML nested too deeply (more than {MAX_DEPTH} levels)", first_line + line)
        }
        None => Ok(()),
    }
}

/// Parses YAML text; errors name `origin` and the line and column.
pub(crate) fn parse<T: DeserializeOwned>(text: &str, origin: &str) -> Result<T> {
    check_depth(text, origin, 0)?;
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
            let parsed = check_depth(doc, origin, first).and_then(|()| {
                yaml_serde::from_str(doc).map_err(|err| match err.location() {
                    Some(loc) => anyhow::anyhow!("{origin}:{}:{}: {err}", first + loc.line(), loc.column()),
                    None => anyhow::anyhow!("{origin}:{}: {err}", first + 1),
                })
            });
            out.push(parsed);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_refused_with_its_line() {
        let flow = format!("limit: {}{}", "[".repeat(5000), "]".repeat(5000));
        assert_eq!(too_deep(&flow), Some(1));
        let block: String = (0..200).map(|i| format!("{}k{i}:\n", " ".repeat(i))).collect();
        assert_eq!(too_deep(&block), Some(MAX_DEPTH + 1));
        assert_eq!(too_deep("a:\n  b: [1, {c: \"[[[[\"}]\n"), None);
        let err = parse::<yaml_serde::Value>(&flow, "config.yaml").unwrap_err();
        assert!(err.to_string().starts_with("config.yaml:1: YAML nested too deeply"), "{err}");
    }
}
