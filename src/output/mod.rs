//! Everything a person or a tool reads: renderers for scenarios, diagnoses and findings,
//! tables, colour, the pager, and the sanitiser every untrusted string passes through.
//!
//! Renderers take the data the engine, the catalog and `analyze` return and choose the words;
//! they decide nothing about ranking or reading.

pub(crate) mod analyze;
pub(crate) mod diagnose;
pub(crate) mod pager;
pub(crate) mod progress;
pub(crate) mod sanitize;
pub(crate) mod scenario;
pub(crate) mod style;
pub(crate) mod table;
pub(crate) mod warnings;

use std::io::Write;

use anyhow::Result;
use serde::Serialize;

pub use scenario::scenario_markdown;

use style::Palette;

/// Where text output goes and how it should look there: decided once by the command from its
/// settings, then read by every renderer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Screen<'a> {
    pub palette: Palette,
    /// The width to fit prose and tables to; `None`: not fitted (piped).
    pub width: Option<usize>,
    /// How the user runs k8sdoc (`k8sdoc`, or `kubectl doc`), for hints.
    pub program: &'a str,
}

impl Screen<'_> {
    /// `text` (already sanitised and painted) as lines starting with `first`, continued under
    /// `rest`, wrapped at word boundaries to the width; unwrapped when there is none. Colour
    /// codes do not count toward the width.
    pub(crate) fn wrap(&self, text: &str, first: &str, rest: &str) -> String {
        let Some(width) = self.width else { return format!("{first}{text}") };
        let options = textwrap::Options::new(width.max(20))
            .initial_indent(first)
            .subsequent_indent(rest)
            .break_words(false)
            .word_separator(textwrap::WordSeparator::AsciiSpace)
            // Names hold hyphens (`api-7c9f8d6b5d-x2k4p`): a line breaks at spaces only.
            .word_splitter(textwrap::WordSplitter::NoHyphenation);
        textwrap::fill(text, options)
    }
}

/// Writes `value` as pretty JSON followed by a newline, with every character a terminal would
/// act on escaped.
pub(crate) fn write_json<T: Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, sanitize::SafeJson::default());
    // A write error (a closed pipe) is returned as the io::Error it is, so it ends quietly.
    value.serialize(&mut ser).map_err(|err| match err.io_error_kind() {
        Some(kind) => anyhow::Error::new(std::io::Error::from(kind)),
        None => anyhow::Error::new(err),
    })?;
    writeln!(out)?;
    Ok(())
}

/// Writes `value` as a YAML document.
pub(crate) fn write_yaml<T: Serialize + ?Sized>(out: &mut dyn Write, value: &T) -> Result<()> {
    let text = crate::yaml::to_string(value)?;
    // The YAML writer escapes control characters in the strings it writes, but the output goes
    // to a terminal, so it gets the same treatment as every other format.
    out.write_all(sanitize::sanitize(&text).as_bytes())?;
    Ok(())
}

/// `text` cut to `max` characters, ending in `…` when cut (for lines that must stay one line).
pub(crate) fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let kept: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", kept.trim_end())
}
