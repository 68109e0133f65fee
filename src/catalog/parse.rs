//! Parses catalog text (the seed's markdown, or the plain-text variant) into [`Scenario`]s.
//!
//! Two front ends feed one assembler: markdown goes through pulldown-cmark, the plain-text
//! variant (`📘 Scenario #N: Title` lines, plain `Label:` lines, `•` bullets) is read line by
//! line. Both turn a scenario's body into [`Block`]s (labels, text, code), and the assembler
//! files them under the right section, so both formats obey the same rules for commands,
//! copy-paste artifacts and unknown labels.

use std::ops::Range;
use std::sync::Arc;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use super::model::{ExtraSection, FieldSlot, Item, Scenario, Source, SourceFile};
use super::problem::{Problem, Severity};
use super::sections::Field;
use crate::knowledge::KNOWLEDGE;

/// What one file held.
#[derive(Debug, Default)]
pub struct Parsed {
    pub scenarios: Vec<Scenario>,
    pub(crate) problems: Vec<Problem>,
}

/// Parses one catalog file's (already repaired, valid UTF-8) text.
pub fn parse_catalog(text: &str, file: &Arc<SourceFile>) -> Parsed {
    parse_catalog_at(text, file, is_markdown(text), 0)
}

/// Whether a catalog file is in the markdown format (scenario headings) or the plain-text one.
pub(crate) fn is_markdown(text: &str) -> bool {
    text.split('\n').any(|l| matches!(heading(l, true), Some(Heading::Start { .. })))
}

/// Parses text that starts at line `line_offset + 1` of its file, in the given format: one
/// scenario cut out of a file is parsed exactly as it was in the whole file.
pub(crate) fn parse_catalog_at(text: &str, file: &Arc<SourceFile>, markdown: bool, line_offset: usize) -> Parsed {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut parsed = Parsed::default();
    let starts = scenario_starts(&lines, markdown, file, &mut parsed.problems);
    for (n, start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).map_or(lines.len(), |next| next.line);
        let body = start.line + 1..end;
        let source = Source { file: Arc::clone(file), line: start.line + 1 };
        let mut assembler = Assembler::new(Scenario::new(start.id, start.title.clone(), source));
        if markdown {
            markdown_blocks(&lines, body, &mut assembler);
        } else {
            plain_blocks(&lines, body, &mut assembler);
        }
        let mut scenario = assembler.finish();
        scenario.end_line = end + 1;
        parsed.scenarios.push(scenario);
    }
    if line_offset > 0 {
        for s in &mut parsed.scenarios {
            s.source.line += line_offset;
            s.end_line += line_offset;
            for e in &mut s.extra {
                e.line += line_offset;
            }
        }
        for p in &mut parsed.problems {
            p.source.line += line_offset;
        }
    }
    parsed
}

/// What a line says about scenario boundaries.
#[derive(Debug, PartialEq)]
enum Heading<'a> {
    /// `### 🔹 Scenario #12: Title` (markdown) or `📘 Scenario #12: Title` (plain text).
    Start { number: &'a str, title: &'a str },
    /// Looks like a scenario heading but carries no number: reported, never dropped silently.
    Numberless,
}

/// Recognises a scenario heading by hand rather than by regex: this runs on every line of every
/// catalog, and a Unicode-aware regex costs more to compile than a small catalog takes to parse.
fn heading(line: &str, markdown: bool) -> Option<Heading<'_>> {
    let mut rest = line;
    if markdown {
        let t = rest.trim_start_matches(' ');
        let hashes = t.len() - t.trim_start_matches('#').len();
        if rest.len() - t.len() > 3 || !(1..=6).contains(&hashes) {
            return None;
        }
        rest = &t[hashes..];
        if !rest.starts_with(char::is_whitespace) {
            return None;
        }
    }
    // Emoji and punctuation before the word (`🔹`, `📘`) are decoration.
    let rest = rest.trim_start_matches(|c: char| c.is_whitespace() || !(c.is_alphanumeric() || c == '#' || c == '_'));
    let rest = rest.strip_prefix("Scenario")?.trim_start();
    let (hash, rest) = match rest.strip_prefix('#') {
        Some(after) => (true, after.trim_start()),
        None => (false, rest),
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        let numberless = hash || (markdown && rest.starts_with(':'));
        return numberless.then_some(Heading::Numberless);
    }
    if !markdown && !hash {
        return None;
    }
    let number = &rest[..digits];
    let mut title = rest[digits..].trim_start();
    match title.chars().next() {
        Some(c @ (':' | '.' | '-' | '–' | '—')) => title = title[c.len_utf8()..].trim_start(),
        // The plain-text variant always separates number and title.
        _ if !markdown => return None,
        _ => {}
    }
    let title = if markdown { title.trim_end().trim_end_matches('#').trim_end() } else { title.trim_end() };
    Some(Heading::Start { number, title })
}

struct Start {
    line: usize,
    id: u32,
    title: String,
}

/// Finds the first line of every scenario, skipping fenced code (a `###` line in a code block
/// is a comment, not a heading).
fn scenario_starts(lines: &[&str], markdown: bool, file: &Arc<SourceFile>, problems: &mut Vec<Problem>) -> Vec<Start> {
    let mut starts = Vec::new();
    // (fence character, length, line it was opened on)
    let mut fence: Option<(char, usize, usize)> = None;
    for (i, line) in lines.iter().enumerate() {
        if markdown {
            if let Some((c, n)) = fence_marker(line) {
                fence = match fence {
                    None => Some((c, n, i)),
                    Some(open) if open.0 == c && n >= open.1 && is_bare_fence(line) => None,
                    still => still,
                };
                continue;
            }
            if let Some((_, _, opened)) = fence {
                // A stray fence pasted from a chat window must not swallow the scenarios after
                // it: a scenario heading closes it, and the file is flagged.
                if !matches!(heading(line.trim_end_matches('\r'), true), Some(Heading::Start { .. })) {
                    continue;
                }
                problems.push(Problem::new(
                    Severity::Warning,
                    Source { file: Arc::clone(file), line: opened + 1 },
                    format!("code fence opened here is not closed before the scenario heading on line {}", i + 1),
                ));
                fence = None;
            }
        }
        let source = || Source { file: Arc::clone(file), line: i + 1 };
        match heading(line.trim_end_matches('\r'), markdown) {
            Some(Heading::Start { number, title }) => match number.parse::<u32>() {
                Ok(id) => starts.push(Start { line: i, id, title: title.to_string() }),
                Err(_) => problems.push(Problem::new(
                    Severity::Error,
                    source(),
                    format!("scenario number {number} is too large"),
                )),
            },
            Some(Heading::Numberless) => problems.push(Problem::new(
                Severity::Error,
                source(),
                format!("scenario heading has no number: {}", line.trim()),
            )),
            None => {}
        }
    }
    starts
}

/// `(fence char, length)` when `line` opens or closes a fenced code block.
fn fence_marker(line: &str) -> Option<(char, usize)> {
    let t = line.trim_start_matches(' ');
    if line.len() - t.len() > 3 {
        return None;
    }
    let c = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = t.chars().take_while(|x| *x == c).count();
    (n >= 3).then_some((c, n))
}

fn is_bare_fence(line: &str) -> bool {
    line.trim().chars().all(|c| c == '`' || c == '~')
}

/// One piece of a scenario body, whichever format it came from.
enum Block {
    /// `Label:` and the text after it on the same line.
    Label { label: String, rest: String, line: usize },
    /// A paragraph or a bullet.
    Text { text: String, line: usize },
    /// The lines of a code block.
    Code { lines: Vec<String> },
}

/// Lines pasted from a chat window's code box: `bash` above it, `CopyEdit` inside it.
fn is_artifact(text: &str) -> bool {
    matches!(
        text.trim(),
        "bash" | "sh" | "shell" | "console" | "CopyEdit" | "Copy code" | "Copy" | "Edit" | "yaml" | "json"
    )
}

fn first_word(text: &str) -> &str {
    text.split_whitespace().next().unwrap_or("")
}

/// A bare line that is a shell command rather than a sentence.
fn looks_like_command(text: &str) -> bool {
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
struct Assembler {
    scenario: Scenario,
    target: Target,
    /// After a `bash` / `CopyEdit` artifact, bare lines are commands.
    commands_next: bool,
}

impl Assembler {
    fn new(scenario: Scenario) -> Assembler {
        Assembler { scenario, target: Target::Preamble, commands_next: false }
    }

    fn finish(self) -> Scenario {
        self.scenario
    }

    fn push(&mut self, block: Block) {
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

/// Code block lines, artifacts dropped, `\`-continued lines joined into one command.
fn join_continuations(lines: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut continuing = false;
    for line in lines {
        let trimmed = line.trim_end();
        if trimmed.trim().is_empty() || (!continuing && is_artifact(trimmed)) {
            continuing = false;
            continue;
        }
        match out.last_mut() {
            Some(prev) if continuing => {
                prev.push('\n');
                prev.push_str(trimmed);
            }
            _ => out.push(trimmed.trim_start().to_string()),
        }
        continuing = trimmed.ends_with('\\');
    }
    out
}

/// Private-use markers around bold text while a paragraph is rendered, so a leading
/// `**Label:**` can be told apart from text that merely contains asterisks.
const STRONG: char = '\u{E000}';

/// Finds a section label at the start of a rendered line: bold (`**Label:**`, `**Label**:`)
/// or, when the label is a known one, plain (`Summary: ...`).
fn split_label(line: &str) -> Option<(String, String)> {
    if let Some(after) = line.strip_prefix(STRONG) {
        let (inner, rest) = after.split_once(STRONG)?;
        let rest = rest.trim_start();
        let (label, rest) = match inner.trim_end().strip_suffix(':') {
            Some(label) => (label, rest),
            None => (inner.trim(), rest.strip_prefix(':')?),
        };
        let words = label.split_whitespace().count();
        if (1..=6).contains(&words) || Field::from_label(label).is_some() {
            return Some((label.trim().to_string(), rest.to_string()));
        }
        return None;
    }
    known_plain_label(line)
}

fn known_plain_label(line: &str) -> Option<(String, String)> {
    let (label, rest) = line.split_once(':')?;
    if label.len() > 40 || label.contains('`') {
        return None;
    }
    Field::from_label(label).map(|_| (label.trim().to_string(), rest.trim().to_string()))
}

fn strip_markers(text: &str) -> String {
    text.replace(STRONG, "")
}

/// Markdown front end: pulldown-cmark events of a scenario body, into blocks.
fn markdown_blocks(lines: &[&str], body: Range<usize>, asm: &mut Assembler) {
    let first_line = body.start;
    let text = lines[body].join("\n");
    let line_starts: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
    let line_of = |offset: usize| first_line + line_starts.partition_point(|&s| s <= offset);

    let mut inline = String::new();
    let mut inline_line = 0;
    let mut code: Option<Vec<String>> = None;
    let mut in_code_block_text = String::new();

    let flush = |inline: &mut String, line: usize, asm: &mut Assembler| {
        if inline.trim().is_empty() {
            inline.clear();
            return;
        }
        flush_paragraph(inline, line, asm);
        inline.clear();
    };

    for (event, range) in
        Parser::new_ext(&text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH).into_offset_iter()
    {
        if inline.is_empty() {
            inline_line = line_of(range.start);
        }
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                flush(&mut inline, inline_line, asm);
                if let CodeBlockKind::Fenced(info) = kind {
                    // An info string that is itself a command (```kubectl get pods```).
                    if looks_like_command(&info) {
                        in_code_block_text.push_str(&info);
                        in_code_block_text.push('\n');
                    }
                }
                code = Some(Vec::new());
            }
            Event::End(TagEnd::CodeBlock) => {
                let lines = in_code_block_text.lines().map(str::to_string).collect();
                in_code_block_text.clear();
                code = None;
                asm.push(Block::Code { lines });
            }
            Event::Text(t) if code.is_some() => in_code_block_text.push_str(&t),
            Event::Text(t) | Event::InlineHtml(t) | Event::Html(t) => inline.push_str(&t),
            Event::Code(t) => {
                let fence = if t.contains('`') { "``" } else { "`" };
                inline.push_str(fence);
                inline.push_str(&t);
                inline.push_str(fence);
            }
            Event::Start(Tag::Strong) | Event::End(TagEnd::Strong) => inline.push(STRONG),
            Event::SoftBreak | Event::HardBreak => inline.push('\n'),
            Event::Start(Tag::Item) | Event::Start(Tag::List(_)) | Event::End(TagEnd::Item) => {
                flush(&mut inline, inline_line, asm)
            }
            Event::End(TagEnd::Paragraph)
            | Event::End(TagEnd::Heading(_))
            | Event::End(TagEnd::TableRow)
            | Event::End(TagEnd::TableHead)
            | Event::End(TagEnd::BlockQuote(_))
            | Event::End(TagEnd::HtmlBlock) => flush(&mut inline, inline_line, asm),
            Event::End(TagEnd::TableCell) => inline.push_str(" | "),
            Event::TaskListMarker(done) => inline.push_str(if done { "[x] " } else { "[ ] " }),
            _ => {}
        }
    }
    flush(&mut inline, inline_line, asm);
}

/// One rendered paragraph or item: labels can start any of its lines (authors sometimes
/// write `**Category:**` and `**Environment:**` on consecutive lines); the other lines
/// continue the text before them.
fn flush_paragraph(inline: &str, first_line: usize, asm: &mut Assembler) {
    let mut text = String::new();
    let mut text_line = first_line;
    for (n, raw) in inline.split('\n').enumerate() {
        let line = first_line + n;
        let trimmed = raw.trim();
        if let Some((label, rest)) = split_label(trimmed) {
            emit_text(&mut text, text_line, asm);
            asm.push(Block::Label { label: strip_markers(&label), rest: strip_markers(&rest), line });
        } else if is_artifact(trimmed) || (asm.commands_next && looks_like_command(trimmed)) {
            emit_text(&mut text, text_line, asm);
            asm.push(Block::Text { text: strip_markers(trimmed), line });
        } else if !trimmed.is_empty() {
            if text.is_empty() {
                text_line = line;
            } else {
                text.push(' ');
            }
            text.push_str(&strip_markers(trimmed));
        }
    }
    emit_text(&mut text, text_line, asm);
}

fn emit_text(text: &mut String, line: usize, asm: &mut Assembler) {
    if !text.is_empty() {
        asm.push(Block::Text { text: std::mem::take(text), line });
    }
}

/// Plain-text front end: labels are plain `Label:` lines, bullets are `•`, `-` or `*`.
fn plain_blocks(lines: &[&str], body: Range<usize>, asm: &mut Assembler) {
    for i in body {
        let raw = lines[i].trim_end_matches('\r');
        let line = i + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || is_bare_fence(trimmed) || trimmed.chars().all(|c| c == '-' || c == '=') {
            continue;
        }
        if let Some((label, rest)) = known_plain_label(trimmed) {
            asm.push(Block::Label { label, rest, line });
            continue;
        }
        let text = trimmed.strip_prefix(['•', '◦', '▪', '●', '-', '*']).map_or(trimmed, str::trim_start);
        asm.push(Block::Text { text: text.to_string(), line });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings() {
        let start = |number, title| Some(Heading::Start { number, title });
        assert_eq!(heading("### 🔹 Scenario #12: Stuck CSRs", true), start("12", "Stuck CSRs"));
        assert_eq!(heading("## Scenario 5 - Taints ##", true), start("5", "Taints"));
        assert_eq!(heading("📘 Scenario #139: Plain", false), start("139", "Plain"));
        assert_eq!(heading("\t📘 Scenario #7. Dot", false), start("7", "Dot"));
        assert_eq!(heading("### Scenario: no number", true), Some(Heading::Numberless));
        assert_eq!(heading("📘 Scenario #: nothing", false), Some(Heading::Numberless));
        assert_eq!(heading("See Scenario #12: prose", false), None);
        assert_eq!(heading("Scenario 5: no hash in plain text", false), None);
        assert_eq!(heading("#### Scenarios overview", true), None);
        assert_eq!(heading("    ### Scenario #1: indented code", true), None);
    }
    use crate::catalog::model::Origin;
    use std::path::PathBuf;

    fn file() -> Arc<SourceFile> {
        Arc::new(SourceFile { path: PathBuf::from("t.md"), origin: Origin::Flag })
    }

    #[test]
    fn labels_on_consecutive_lines_split() {
        let text = "### Scenario #7: T\n**Category:** A\n**Environment:** B\n";
        let parsed = parse_catalog(text, &file());
        let s = &parsed.scenarios[0];
        assert_eq!(s.category.as_deref(), Some("A"));
        assert_eq!(s.environment.as_deref(), Some("B"));
    }

    #[test]
    fn continuation_lines_join_into_one_command() {
        let out = join_continuations(&["kubectl get pods \\".into(), "  -A".into(), "CopyEdit".into()]);
        assert_eq!(out, vec!["kubectl get pods \\\n  -A".to_string()]);
    }
}
