//! Problems found while loading or linting a catalog, each tied to a `file:line`.

use std::fmt;

use super::model::Source;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Severity {
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    pub(crate) severity: Severity,
    pub(crate) source: Source,
    pub(crate) message: String,
}

impl Problem {
    pub(crate) fn new(severity: Severity, source: Source, message: impl Into<String>) -> Problem {
        Problem { severity, source, message: message.into() }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        // Line 0: the problem is about the file as a whole.
        if self.source.line == 0 {
            write!(f, "{}: {level}: {}", self.source.file.path.display(), self.message)
        } else {
            write!(f, "{}: {level}: {}", self.source, self.message)
        }
    }
}
