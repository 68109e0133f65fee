//! The markdown front end: pulldown-cmark events of a scenario body, into blocks.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use super::super::sections::Field;
use super::assemble::{is_artifact, known_plain_label, looks_like_command, Assembler, Block};

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

fn strip_markers(text: &str) -> String {
    text.replace(STRONG, "")
}

/// Markdown front end: pulldown-cmark events of a scenario body, into blocks.
pub(super) fn markdown_blocks(lines: &[&str], body: Range<usize>, asm: &mut Assembler) {
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
