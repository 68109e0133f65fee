//! Makes untrusted text safe to print on a terminal (after fd's `sanitize.rs`).
//!
//! Catalog files, rule files, pastes, dumps, file names and arguments come from anywhere. A
//! title holding `ESC ] 0 ;` (set window title) or `ESC [ 2 J` (clear screen) must print as
//! visible characters, not act on the terminal; a bidi override (U+202E) or a zero-width space
//! in a fix command must not make what is shown differ from what is copied. Control characters
//! become caret notation (`^[`); C1 controls, DEL's neighbours, bidi controls and zero-width
//! characters become `<U+202E>`. Newline and tab are kept.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal raw.
pub(crate) fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            // line and paragraph separators
            '\u{2028}' | '\u{2029}'
            // bidi marks, embeddings, overrides and isolates
            | '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
            // zero-width space, joiners, word joiner, invisible operators, BOM
            | '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}'
        )
}

/// `text` with every unsafe character made visible.
pub(crate) fn sanitize(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if !is_unsafe(c) => out.push(c),
            '\u{7f}' => out.push_str("^?"),
            c if (c as u32) < 0x20 => {
                out.push('^');
                out.push(char::from(b'@' + c as u8));
            }
            c => out.push_str(&format!("<U+{:04X}>", c as u32)),
        }
    }
    Cow::Owned(out)
}

/// `text` on one line: newlines and tabs become spaces too (for tables and one-line output).
pub(crate) fn one_line(text: &str) -> String {
    sanitize(text).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A JSON formatter that escapes, beside what JSON requires, every character [`is_unsafe`]
/// names (`\u009b`, `\u202e`), so JSON piped to a terminal is as safe as text.
#[derive(Default)]
pub(crate) struct SafeJson(serde_json::ser::PrettyFormatter<'static>);

impl serde_json::ser::Formatter for SafeJson {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_unsafe(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                write!(writer, "\\u{:04x}", c as u32)?;
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    // Pretty printing, as `serde_json::to_writer_pretty` does.
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_become_visible() {
        assert_eq!(sanitize("a\x1b]0;pwned\x07b"), "a^[]0;pwned^Gb");
        assert_eq!(sanitize("\x1b[2J"), "^[[2J");
        assert_eq!(sanitize("x\u{9b}31m"), "x<U+009B>31m");
        assert_eq!(sanitize("keep\ttabs\nand lines"), "keep\ttabs\nand lines");
        assert_eq!(sanitize("\r"), "^M");
        assert_eq!(sanitize("rm\u{202e}fr- \u{200b}x\u{7f}"), "rm<U+202E>fr- <U+200B>x^?");
        assert_eq!(sanitize("café → ✓ 日本"), "café → ✓ 日本");
    }

    #[test]
    fn json_escapes_what_a_terminal_would_act_on() {
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(&mut out, SafeJson::default());
        serde::Serialize::serialize(&["a\u{9b}b\u{7f}c\u{202e}d\x1be"], &mut ser).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, "[\n  \"a\\u009bb\\u007fc\\u202ed\\u001be\"\n]");
        let back: Vec<String> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, ["a\u{9b}b\u{7f}c\u{202e}d\x1be"]);
    }
}
