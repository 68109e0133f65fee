//! Tables styled like `kubectl get`: no borders, a rule under the header.

use std::io::IsTerminal;

use comfy_table::{presets, Cell, ContentArrangement, Table, TableComponent};

use super::style::{Palette, Role};

/// A table with these column headers, fitted to the terminal's width when stdout is one.
pub(crate) fn table(header: &[&str], palette: Palette) -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::NOTHING)
        .set_style(TableComponent::HeaderLines, '─')
        .set_style(TableComponent::MiddleHeaderIntersections, '─')
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().map(|h| Cell::new(palette.paint(Role::Heading, h))));
    if let Some(width) = terminal_width() {
        table.set_width(width);
    }
    table
}

/// The terminal's width in columns, when stdout is a terminal.
fn terminal_width() -> Option<u16> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size().map(|(w, _)| w.0)
}
