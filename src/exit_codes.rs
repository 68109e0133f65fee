//! How k8sdoc ends, as grep does: 0 found, 1 nothing found, 2 error.

/// How a command ended when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Found,
    NothingFound,
}

impl Outcome {
    pub(crate) fn from_found(found: bool) -> Outcome {
        if found {
            Outcome::Found
        } else {
            Outcome::NothingFound
        }
    }
}

/// The process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExitCode {
    Found = 0,
    NothingFound = 1,
    Error = 2,
}

impl From<Outcome> for ExitCode {
    fn from(outcome: Outcome) -> ExitCode {
        match outcome {
            Outcome::Found => ExitCode::Found,
            Outcome::NothingFound => ExitCode::NothingFound,
        }
    }
}
