//! The assembler both front ends feed: it files a scenario body's blocks (labels, text, code)
//! under the right section, so both formats obey the same rules for commands, copy-paste
//! artifacts and unknown labels.

use super::super::model::{ExtraSection, FieldSlot, Item, Scenario};
use super::super::sections::Field;
use crate::knowledge::KNOWLEDGE;

/// One piece of a scenario body, whichever format it came from.
pub(super) enum Block {
    /// `Label:` and the text after it on the same line.
    Label { label: String, rest: String, line: usize },
    /// A paragraph or a bullet.
    Text { text: String, line: usize },
    /// The lines of a code block.
    Code { lines: Vec<String> },
}

/// Lines pasted from a chat window's code box: `bash` above it, `CopyEdit` inside it.
pub(super) fn is_artifact(text: &str) -> bool {
    matches!(
        text.trim(),
        "bash" | "sh" | "shell" | "console" | "CopyEdit" | "Copy code" | "Copy" | "Edit" | "yaml" | "json"
    )
}

fn first_word(text: &str) -> &str {
    text.split_whitespace().next().unwrap_or("")
}

/// A bare line that is a shell command rather than a sentence.
pub(super) fn looks_like_command(text: &str) -> bool {
    let t = text.trim().trim_start_matches("$ ");
    let word = first_word(t);
    if KNOWLEDGE.command_words.contains(&word) {
        return true;
    }
    let lower_start = word.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '.');
    lower_start && !t.ends_with('.') && (t.contains(" -") || t.contains('|') || t.contains('/'))
}

/// The inside of `text` when all of it is one inline code span.
fn whole_code_span(text: &str) -> Option<&str> {
    let inner = text.strip_prefix('`')?.strip_suffix('`')?;
    (!inner.is_empty() && !inner.contains('`')).then_some(inner)
}

/// Which section new text goes to.
#[derive(Clone, Copy, PartialEq)]
enum Target {
    /// Before the first label: kept in an extra section so nothing is lost.
    Preamble,
    Field(Field),
    Extra(usize),
}

/// Files blocks into a scenario's sections.
pub(super) struct Assembler {
    scenario: Scenario,
    target: Target,
    /// After a `bash` / `CopyEdit` artifact, bare lines are commands.
    pub(super) commands_next: bool,
}

impl Assembler {
    pub(super) fn new(scenario: Scenario) -> Assembler {
        Assembler { scenario, target: Target::Preamble, commands_next: false }
    }

    pub(super) fn finish(self) -> Scenario {
        self.scenario
    }

    pub(super) fn push(&mut self, block: Block) {
        match block {
            Block::Label { label, rest, line } => {
                self.commands_next = false;
                match Field::from_label(&label) {
                    Some(field) => self.target = Target::Field(field),
                    None => {
                        self.scenario.extra.push(ExtraSection { label, items: Vec::new(), line });
                        self.target = Target::Extra(self.scenario.extra.len() - 1);
                    }
                }
                if !rest.trim().is_empty() {
                    self.text(&rest, line);
                }
            }
            Block::Text { text, line } => self.text(&text, line),
            Block::Code { lines } => {
                for command in join_continuations(&lines) {
                    self.add(Item::command(command), 0);
                }
            }
        }
    }

    fn text(&mut self, text: &str, line: usize) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        if is_artifact(text) {
            self.commands_next = true;
            return;
        }
        let item = match whole_code_span(text) {
            Some(inner) if self.target == Target::Field(Field::WhatYouSee) => Item::prose(inner),
            Some(inner) => Item::command(inner),
            None if self.command_context() && looks_like_command(text) => Item::command(text.trim_start_matches("$ ")),
            None => Item::prose(text),
        };
        self.add(item, line);
    }

    fn command_context(&self) -> bool {
        self.commands_next || self.target == Target::Field(Field::Fix)
    }

    fn add(&mut self, item: Item, line: usize) {
        let s = &mut self.scenario;
        match self.target {
            Target::Field(field) => match s.field_mut(field) {
                FieldSlot::Keys(keys) => keys.extend(
                    item.text
                        .split([',', ' ', ';'])
                        .map(|k| k.trim_matches('`').trim())
                        .filter(|k| !k.is_empty())
                        .map(str::to_string),
                ),
                FieldSlot::Text(slot) => {
                    let text = if item.command { format!("`{}`", item.text) } else { item.text };
                    match slot {
                        Some(existing) => {
                            existing.push(' ');
                            existing.push_str(&text);
                        }
                        None => *slot = Some(text),
                    }
                }
                FieldSlot::List(list) => list.push(item),
            },
            Target::Extra(i) => s.extra[i].items.push(item),
            Target::Preamble => {
                if s.extra.first().is_none_or(|e| !e.label.is_empty()) {
                    s.extra.insert(0, ExtraSection { label: String::new(), items: Vec::new(), line });
                }
                s.extra[0].items.push(item);
            }
        }
    }
}

/// Code block lines, artifacts dropped, each shell command whole: a line continues the one
/// before while that one is unfinished (see [`Unfinished`]), so a `\` continuation, a quoted
/// JSON patch over several lines or a heredoc is one command to copy, not one per line.
pub(super) fn join_continuations(lines: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut open = Unfinished::default();
    for line in lines {
        let trimmed = line.trim_end();
        if !open.any() {
            if trimmed.trim().is_empty() || is_artifact(trimmed) {
                continue;
            }
            out.push(trimmed.trim_start().to_string());
        } else if let Some(prev) = out.last_mut() {
            prev.push('\n');
            prev.push_str(trimmed);
        }
        open.read_line(trimmed);
    }
    out
}

/// What a shell line left open, so that the next line belongs to the same command: a quote, a
/// heredoc body, brackets or a compound command (`for ... do ... done`), or a line ending in
/// `\`, `|`, `&&` or `||`. A shell's grammar in small; enough for the commands a catalog holds.
#[derive(Default)]
struct Unfinished {
    quote: Option<char>,
    /// The delimiter of a heredoc whose body is being read, and whether `<<-` allows tabs.
    heredoc: Option<(String, bool)>,
    brackets: usize,
    compound: usize,
    trailing: bool,
}

impl Unfinished {
    fn any(&self) -> bool {
        self.quote.is_some() || self.heredoc.is_some() || self.brackets > 0 || self.compound > 0 || self.trailing
    }

    fn read_line(&mut self, line: &str) {
        if let Some((delimiter, tabs)) = &self.heredoc {
            let body = if *tabs { line.trim_start_matches('\t') } else { line };
            if body == delimiter {
                self.heredoc = None;
            }
            return;
        }
        if self.quote.is_none() && line.trim_start().starts_with('#') {
            self.trailing = false;
            return;
        }
        let bytes = line.as_bytes();
        let mut word_start = true;
        let mut i = 0;
        while i < bytes.len() {
            let c = bytes[i];
            match self.quote {
                Some(q) => {
                    if c == b'\\' && q == '"' {
                        i += 1;
                    } else if c == q as u8 {
                        self.quote = None;
                    }
                }
                None => match c {
                    b'\\' => i += 1,
                    b'\'' | b'"' => self.quote = Some(c as char),
                    b'#' if word_start => break,
                    b'(' | b'{' => self.brackets += 1,
                    b')' | b'}' => self.brackets = self.brackets.saturating_sub(1),
                    b'<' if bytes.get(i + 1) == Some(&b'<') && bytes.get(i + 2) != Some(&b'<') => {
                        let (delimiter, tabs, end) = heredoc_delimiter(&line[i + 2..]);
                        if !delimiter.is_empty() {
                            self.heredoc = Some((delimiter, tabs));
                        }
                        i += 1 + end;
                    }
                    _ if word_start && c.is_ascii_alphabetic() => {
                        let end =
                            bytes[i..].iter().position(|b| !b.is_ascii_alphanumeric()).map_or(bytes.len(), |n| i + n);
                        match &line[i..end] {
                            "do" | "then" | "case" => self.compound += 1,
                            "done" | "fi" | "esac" => self.compound = self.compound.saturating_sub(1),
                            _ => {}
                        }
                        i = end.max(i + 1) - 1;
                    }
                    _ => {}
                },
            }
            word_start = self.quote.is_none() && matches!(bytes.get(i), Some(b' ' | b'\t' | b';' | b'|' | b'&' | b'('));
            i += 1;
        }
        let end = line.trim_end();
        self.trailing = self.quote.is_none()
            && (end.ends_with('\\') || end.ends_with('|') || end.ends_with("&&"))
            && !end.ends_with("\\\\");
    }
}

/// The delimiter after `<<` (`EOF`, `'EOF'`, `"EOF"`, `-EOF`), whether it was `<<-`, and how many
/// bytes it took.
fn heredoc_delimiter(rest: &str) -> (String, bool, usize) {
    let tabs = rest.starts_with('-');
    let after = if tabs { &rest[1..] } else { rest };
    let lead = after.len() - after.trim_start().len();
    let word: String = after[lead..]
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ';' | '|' | '&' | '<' | '>' | ')'))
        .collect();
    let taken = usize::from(tabs) + lead + word.len();
    (word.trim_matches(['\'', '"']).to_string(), tabs, taken)
}

pub(super) fn known_plain_label(line: &str) -> Option<(String, String)> {
    let (label, rest) = line.split_once(':')?;
    if label.len() > 40 || label.contains('`') {
        return None;
    }
    Field::from_label(label).map(|_| (label.trim().to_string(), rest.trim().to_string()))
}
