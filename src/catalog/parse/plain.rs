//! The plain-text front end (the public collections' variant): labels are plain `Label:` lines,
//! bullets are `•`, `-` or `*`.

use std::ops::Range;

use super::assemble::{known_plain_label, Assembler, Block};
use super::is_bare_fence;

/// Plain-text front end: labels are plain `Label:` lines, bullets are `•`, `-` or `*`.
pub(super) fn plain_blocks(lines: &[&str], body: Range<usize>, asm: &mut Assembler) {
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
