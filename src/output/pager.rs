//! Sends long output through a pager, like git and bat: only when stdout is a terminal and the
//! text is taller than it.

use std::io::{IsTerminal, Write};
use std::process::{Command, Stdio};

use anyhow::Result;

/// Whether output of `lines` lines should be paged on a terminal `height` rows tall.
fn should_page(is_terminal: bool, lines: usize, height: Option<usize>) -> bool {
    is_terminal && height.is_some_and(|h| lines > h)
}

/// Writes `text` to stdout, through `pager` when stdout is a terminal shorter than the text.
/// Falls back to writing directly when the pager cannot be started.
pub(crate) fn write(text: &[u8], pager: Option<&str>, out: &mut dyn Write) -> Result<()> {
    let height = terminal_size::terminal_size().map(|(_, h)| h.0 as usize);
    let lines = text.iter().filter(|&&b| b == b'\n').count();
    if let Some(command) = pager.filter(|_| should_page(std::io::stdout().is_terminal(), lines, height)) {
        // Split like a shell would, so `less -R --prompt="a b"` keeps its quoted argument.
        let words = shell_words::split(command).unwrap_or_default();
        if let Some((program, args)) = words.split_first() {
            if let Ok(mut child) = Command::new(program).args(args).stdin(Stdio::piped()).spawn() {
                if let Some(mut stdin) = child.stdin.take() {
                    // The user quitting the pager early closes the pipe: not an error.
                    let _ = stdin.write_all(text);
                }
                child.wait()?;
                return Ok(());
            }
        }
    }
    out.write_all(text)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::should_page;

    #[test]
    fn pages_only_tall_output_on_a_terminal() {
        assert!(should_page(true, 100, Some(40)));
        assert!(!should_page(true, 30, Some(40)));
        assert!(!should_page(false, 100, Some(40)));
        assert!(!should_page(true, 100, None));
    }
}
