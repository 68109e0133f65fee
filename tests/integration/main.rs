//! The integration tests, in one crate (one link instead of one per file), one module per area.
//! Most of them run the real binary; `util` has the helpers and the only paths into the library.

mod util;

mod analyze;
mod analyze_peers;
mod answers;
mod architecture;
mod cli;
mod cli_finish;
mod coverage;
mod diagnose;
mod diagnose_errors;
mod eval;
mod parser_props;
#[cfg(unix)]
mod pty;
mod ranking;
mod reliability;
mod seed;
mod terminal;
mod terminal_cli;
