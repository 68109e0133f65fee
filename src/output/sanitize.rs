//! Makes untrusted catalog text safe to print on a terminal.
//!
//! Catalog files come from anywhere; a title holding `ESC ] 0 ;` (set window title) or
//! `ESC [ 2 J` (clear screen) must print as visible characters, not act on the terminal.
//! Control characters become caret notation (`^[`), C1 controls become `<U+009B>`.

use std::borrow::Cow;

fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || matches!(c, '\u{2028}' | '\u{2029}')
}

/// `text` with every control character except newline and tab made visible.
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
    }
}
