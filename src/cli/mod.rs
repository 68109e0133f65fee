//! The command line: clap's definitions (`args`), the settings they resolve to with the
//! environment and the config file (`settings`), and where per-user files live (`config`).

mod args;
pub(crate) mod config;
mod settings;

pub(crate) use args::*;
pub(crate) use settings::{ColorChoice, Settings, Terminal};
