//! Terminal colour, applied by renderers; whether to colour is decided once, in `cli`.

/// What a piece of output is, so it can be coloured consistently.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Role {
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
pub(crate) struct Palette {
    pub(crate) enabled: bool,
}

impl Palette {
    pub(crate) fn paint(&self, role: Role, text: &str) -> String {
        if self.enabled && !text.is_empty() {
            format!("\x1b[{}m{text}\x1b[0m", role.sgr())
        } else {
            text.to_string()
        }
    }

    /// Inline markdown for a terminal: with colour, `code` spans lose their backticks and are
    /// coloured; without, the backticks stay so commands remain recognisable.
    pub(crate) fn inline(&self, text: &str) -> String {
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
