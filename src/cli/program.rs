//! How the user runs k8sdoc: as `k8sdoc`, or as the kubectl plugin `kubectl doc` (the binary
//! installed as `kubectl-doc`). Usage, errors and hints say it the way the user typed it.

use std::ffi::OsStr;
use std::path::Path;

use clap::CommandFactory;

use super::args::{Cli, SHORT_USAGE};

/// The name the help text, the examples and the hints are written with.
const OWN_NAME: &str = "k8sdoc";

/// The program name for the binary invoked as `argv0`: `kubectl doc` for `kubectl-doc` (how
/// kubectl runs a plugin, and how its users type it), else `k8sdoc`.
pub(crate) fn program_name(argv0: Option<&OsStr>) -> String {
    let stem = argv0.and_then(|a| Path::new(a).file_stem()).and_then(OsStr::to_str);
    match stem {
        Some("kubectl-doc") => "kubectl doc".to_string(),
        _ => OWN_NAME.to_string(),
    }
}

/// The command-line definition, with usage lines and examples saying `program`.
pub(crate) fn command(program: &str) -> clap::Command {
    let cmd = Cli::command().bin_name(program);
    if program == OWN_NAME {
        return cmd;
    }
    let cmd = rename_examples(cmd, program);
    cmd.mut_subcommands(|sub| rename_examples(sub, program))
}

/// What `k8sdoc` with no arguments prints, saying `program`.
pub(crate) fn short_usage(program: &str) -> String {
    SHORT_USAGE.replace(OWN_NAME, program)
}

/// `cmd` with `k8sdoc CMD` in its examples written as `program CMD`. Only a name followed by a
/// space is a command line: file names such as `completions/k8sdoc` or `k8sdoc.1` stay.
fn rename_examples(cmd: clap::Command, program: &str) -> clap::Command {
    match cmd.get_after_help().map(|help| help.to_string()) {
        Some(help) => cmd.after_help(help.replace(&format!("{OWN_NAME} "), &format!("{program} "))),
        None => cmd,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plugin_binary_is_kubectl_doc_and_anything_else_is_k8sdoc() {
        assert_eq!(program_name(Some(OsStr::new("/usr/local/bin/kubectl-doc"))), "kubectl doc");
        assert_eq!(program_name(Some(OsStr::new("kubectl-doc.exe"))), "kubectl doc");
        assert_eq!(program_name(Some(OsStr::new("./target/debug/k8sdoc"))), "k8sdoc");
        assert_eq!(program_name(Some(OsStr::new("k8sdoc-dev"))), "k8sdoc");
        assert_eq!(program_name(None), "k8sdoc");
    }

    #[test]
    fn examples_say_the_program_name_but_file_names_stay() {
        let cmd = command("kubectl doc");
        let completions = cmd.find_subcommand("completions").unwrap().get_after_help().unwrap().to_string();
        assert!(completions.contains("kubectl doc completions bash"), "{completions}");
        assert!(!completions.contains("k8sdoc completions"), "{completions}");
        assert!(short_usage("kubectl doc").contains("kubectl doc show 15"));
    }
}
