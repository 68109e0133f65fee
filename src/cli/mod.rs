//! The command line: clap's definitions (`args`), the settings they resolve to with the
//! environment and the config file (`settings`), where per-user files live (`config`), and the
//! name the user runs k8sdoc by (`program`: `k8sdoc`, or `kubectl doc` as a kubectl plugin).

mod args;
pub(crate) mod config;
mod program;
mod settings;

pub(crate) use args::*;
pub(crate) use program::{command, program_name, short_usage};
pub(crate) use settings::{ColorChoice, Settings};
