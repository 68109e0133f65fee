//! Terminal colour: decided once from `--color` and `NO_COLOR`, then applied by renderers.

use std::io::IsTerminal;

/// The `--color` choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour stdout: `always` and `never` win; `auto` colours a terminal unless
    /// `NO_COLOR` is set to a non-empty value (https://no-color.org).
    pub fn resolve(self) -> bool {
        self.decide(std::io::stdout().is_terminal(), std::env::var_os("NO_COLOR").as_deref())
    }

    fn decide(self, terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && no_color.is_none_or(|v| v.is_empty()),
        }
    }
}

/// What a piece of output is, so it can be coloured consistently.
#[derive(Debug, Clone, Copy)]
pub enum Role {
    Heading,
    Id,
    Command,
    Code,
    Match,
    Dim,
    Good,
    Warn,
}

impl Role {
    fn sgr(self) -> &'static str {
        match self {
            Role::Heading => "1;36",
            Role::Id => "1;33",
            Role::Command => "32",
            Role::Code => "36",
            Role::Match => "1;31",
            Role::Dim => "2",
            Role::Good => "1;32",
            Role::Warn => "1;33",
        }
    }
}

/// Colours text, or leaves it plain when colour is off.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    pub enabled: bool,
}

impl Palette {
    pub fn paint(&self, role: Role, text: &str) -> String {
        if self.enabled && !text.is_empty() {
            format!("\x1b[{}m{text}\x1b[0m", role.sgr())
        } else {
            text.to_string()
        }
    }

    /// Inline markdown for a terminal: with colour, `code` spans lose their backticks and are
    /// coloured; without, the backticks stay so commands remain recognisable.
    pub fn inline(&self, text: &str) -> String {
        if !self.enabled || !text.contains('`') {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len() + 16);
        for (i, part) in text.split('`').enumerate() {
            if i % 2 == 1 {
                out.push_str(&self.paint(Role::Code, part));
            } else {
                out.push_str(part);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::ColorChoice;
    use std::ffi::OsStr;

    #[test]
    fn auto_colours_a_terminal_unless_no_color_is_set() {
        assert!(ColorChoice::Auto.decide(true, None));
        assert!(ColorChoice::Auto.decide(true, Some(OsStr::new(""))));
        assert!(!ColorChoice::Auto.decide(true, Some(OsStr::new("1"))));
        assert!(!ColorChoice::Auto.decide(false, None));
        assert!(ColorChoice::Always.decide(false, Some(OsStr::new("1"))));
        assert!(!ColorChoice::Never.decide(true, None));
    }
}
