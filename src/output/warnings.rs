//! Load warnings on stderr, capped so a large user catalog does not flood the screen.

use std::io::Write;

use super::sanitize::sanitize;
use crate::catalog::problem::Problem;

/// How many load warnings to print before summarising the rest (a public collection loaded
/// beside the built-in catalog can repeat dozens of numbers).
const MAX_WARNINGS: usize = 5;

pub(crate) fn report_problems(problems: &[&Problem], verbose: bool) {
    let mut err = std::io::stderr().lock();
    let shown = if verbose { problems.len() } else { MAX_WARNINGS.min(problems.len()) };
    for p in &problems[..shown] {
        let _ = writeln!(err, "k8sdoc: {}", sanitize(&p.to_string()));
    }
    if problems.len() > shown {
        let _ = writeln!(
            err,
            "k8sdoc: ... and {} more warnings (see them all with --verbose or `k8sdoc lint`; silence with -q)",
            problems.len() - shown
        );
    }
}

/// A warning of k8sdoc's own (not a catalog problem), sanitised.
pub(crate) fn warn(message: &str) {
    let _ = writeln!(std::io::stderr(), "k8sdoc: {}", sanitize(message));
}
