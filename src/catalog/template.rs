//! The template `k8sdoc new` writes: every section, each asking for its content, under the
//! next free number. `lint` refuses it until the placeholders are replaced.

use super::sections::{Shape, SECTIONS};
use super::Catalog;

/// User scenarios start above this, clear of the built-in catalog (1-22, 1001-1999) and of
/// public collections (1-600).
pub(crate) const FIRST_USER_NUMBER: u32 = 5001;

/// The text `lint` refuses until it is replaced.
pub(crate) const PLACEHOLDER: &str = "TODO";

pub(crate) fn next_number(catalog: &Catalog) -> u32 {
    catalog.scenarios.iter().map(|s| s.id + 1).max().unwrap_or(0).max(FIRST_USER_NUMBER)
}

pub(crate) fn template(id: u32, title: &str) -> String {
    let mut text = format!("### Scenario #{id}: {title}\n");
    for section in &SECTIONS {
        match section.shape {
            Shape::Text | Shape::Keys => {
                text.push_str(&format!("\n**{}:** {PLACEHOLDER}: {}\n", section.label, section.hint))
            }
            Shape::List => text.push_str(&format!("\n**{}:**\n- {PLACEHOLDER}: {}\n", section.label, section.hint)),
        }
    }
    text.push_str("\n---\n");
    text
}
