//! Tables styled like `kubectl get`: no borders, a rule under the header, columns three spaces
//! apart. On a terminal the table is fitted to its width, wrapping cells at spaces, except the
//! columns that hold names (an id, an object), which are never broken so they can be copied.
//! Piped, columns are as wide as their content and no line carries trailing spaces.

use comfy_table::{presets, Cell, ColumnConstraint, ContentArrangement, Table, TableComponent};

use super::style::Role;
use super::Screen;

/// A table with these headers; the columns `whole` are never wrapped.
pub(crate) fn table(header: &[&str], whole: &[usize], screen: Screen) -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::NOTHING)
        .set_style(TableComponent::HeaderLines, '─')
        .set_style(TableComponent::MiddleHeaderIntersections, '─')
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().map(|h| Cell::new(screen.palette.paint(Role::Heading, h))));
    if let Some(width) = screen.width {
        table.set_width(u16::try_from(width).unwrap_or(u16::MAX));
    }
    let last = header.len().saturating_sub(1);
    for (i, column) in table.column_iter_mut().enumerate() {
        // The preset's blank column separator is the third space.
        column.set_padding((0, if i == last { 0 } else { 2 }));
        if whole.contains(&i) {
            column.set_constraint(ColumnConstraint::ContentWidth);
        }
    }
    table
}

/// The table as text, each line without trailing spaces, ending with a newline.
pub(crate) fn render(table: &Table) -> String {
    let mut out = String::new();
    for line in table.lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
