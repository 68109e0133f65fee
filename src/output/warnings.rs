//! Load warnings on stderr, capped so a large user catalog does not flood the screen.

use std::io::Write;
use std::sync::OnceLock;

use super::sanitize::sanitize;
use crate::catalog::problem::Problem;

/// How many load warnings to print before summarising the rest (a public collection loaded
/// beside the built-in catalog can repeat dozens of numbers).
const MAX_WARNINGS: usize = 5;

/// How the user runs k8sdoc (`k8sdoc`, or `kubectl doc`), set once at start: every message on
/// stderr starts with it, from wherever it is printed.
static PROGRAM: OnceLock<String> = OnceLock::new();

pub(crate) fn set_program(program: &str) {
    let _ = PROGRAM.set(program.to_string());
}

fn program() -> &'static str {
    PROGRAM.get().map_or("k8sdoc", String::as_str)
}

pub(crate) fn report_problems(problems: &[&Problem], verbose: bool) {
    let mut err = std::io::stderr().lock();
    let shown = if verbose { problems.len() } else { MAX_WARNINGS.min(problems.len()) };
    let program = program();
    for p in &problems[..shown] {
        let _ = writeln!(err, "{program}: {}", sanitize(&p.to_string()));
    }
    if problems.len() > shown {
        let _ = writeln!(
            err,
            "{program}: ... and {} more warnings (see them all with --verbose or `{program} lint`; silence with -q)",
            problems.len() - shown
        );
    }
}

/// A warning of k8sdoc's own (not a catalog problem), sanitised.
pub(crate) fn warn(message: &str) {
    let _ = writeln!(std::io::stderr(), "{}: {}", program(), sanitize(message));
}
