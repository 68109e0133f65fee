//! Shell completion from the real catalog. `k8sdoc completions SHELL` prints the script that
//! registers k8sdoc with the shell (what `COMPLETE=SHELL k8sdoc` prints); on every TAB the shell
//! then runs `COMPLETE=SHELL k8sdoc -- WORDS...`, and [`answer`] offers the scenario numbers
//! (with their titles), categories and section names of the catalog the user has: built-in,
//! config, `K8SDOC_SCENARIOS`, and `--scenarios` given earlier on the line.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use clap_complete::engine::{ArgValueCompleter, CompletionCandidate};
use clap_complete::env::Shells;
use clap_complete::CompleteEnv;

use crate::catalog::sections::SECTIONS;
use crate::catalog::Catalog;
use crate::cli::{self, GlobalArgs, Settings};
use crate::exit_codes::Outcome;
use crate::output::sanitize::one_line;

/// The variable that asks for completions, clap_complete's default.
const VAR: &str = "COMPLETE";

/// The name the registration script's shell functions are named after.
const NAME: &str = "k8sdoc";

/// `k8sdoc completions SHELL`: the registration script, byte for byte what `COMPLETE=SHELL
/// k8sdoc` prints, so both install lines in the README work.
pub(crate) fn run(shell: clap_complete::Shell, settings: &Settings, out: &mut dyn Write) -> Result<Outcome> {
    let shell = shell.to_string();
    let shells = Shells::builtins();
    let completer = shells.completer(&shell).with_context(|| format!("no dynamic completion for {shell}"))?;
    let mut script = Vec::new();
    let executable = settings.executable.to_string_lossy();
    completer.write_registration(VAR, NAME, &bin_name(settings.executable.as_os_str()), &executable, &mut script)?;
    out.write_all(&script)?;
    Ok(Outcome::Found)
}

/// Answers the shell's completion request when the environment holds one, and returns the exit
/// code; `None` on an ordinary run. `args` is the whole command line, `argv[0]` included.
pub(crate) fn answer(args: &[OsString]) -> Option<i32> {
    let layers = Arc::new(LineLayers::read(args));
    let bin = bin_name(args.first().map_or(OsStr::new(NAME), OsString::as_os_str));
    let current_dir = std::env::current_dir().ok();
    let env = CompleteEnv::with_factory(move || completing_command(&layers)).bin(bin);
    match env.try_complete(args.iter().cloned(), current_dir.as_deref()) {
        Ok(true) => Some(0),
        Ok(false) => None,
        Err(err) => {
            let _ = err.print();
            Some(2)
        }
    }
}

/// The command the shell completes: `argv[0]`'s file name (`k8sdoc`, or `kubectl-doc`).
fn bin_name(argv0: &OsStr) -> String {
    Path::new(argv0).file_name().map_or_else(|| NAME.to_string(), |n| n.to_string_lossy().into_owned())
}

/// The command-line definition with the catalog's values attached to the arguments that take
/// them. The catalog is only read when one of them is being completed.
fn completing_command(layers: &Arc<LineLayers>) -> clap::Command {
    let with = |complete: fn(&Catalog, &str) -> Vec<CompletionCandidate>| {
        let layers = Arc::clone(layers);
        ArgValueCompleter::new(move |current: &OsStr| {
            layers.catalog().map(|catalog| complete(&catalog, &current.to_string_lossy())).unwrap_or_default()
        })
    };
    let fields = ArgValueCompleter::new(|current: &OsStr| fields(&current.to_string_lossy()));
    cli::command(NAME)
        .mut_subcommand("show", |c| c.mut_arg("ids", |a| a.add(with(scenario_ids))))
        .mut_subcommand("diagnose", |c| c.mut_arg("category", |a| a.add(with(categories))))
        .mut_subcommand("list", |c| c.mut_arg("category", |a| a.add(with(categories))))
        .mut_subcommand("search", |c| {
            c.mut_arg("category", |a| a.add(with(categories))).mut_arg("field", |a| a.add(fields))
        })
}

/// The catalog layers named on the line being completed: `--scenarios PATH` and `--no-builtin`.
/// The shell passes words as typed, so `~/` is expanded here.
#[derive(Debug, Default, PartialEq)]
struct LineLayers {
    scenarios: Vec<PathBuf>,
    no_builtin: bool,
}

impl LineLayers {
    fn read(args: &[OsString]) -> LineLayers {
        let words = args.iter().skip_while(|a| *a != "--").skip(1).map(|a| a.to_string_lossy());
        let mut layers = LineLayers::default();
        let mut words = words.skip(1); // the program
        while let Some(word) = words.next() {
            match &*word {
                "--" => break, // what follows is positional
                "--no-builtin" => layers.no_builtin = true,
                "--scenarios" => layers.scenarios.extend(words.next().map(|w| expand_home(&w))),
                other => layers.scenarios.extend(other.strip_prefix("--scenarios=").map(expand_home)),
            }
        }
        layers
    }

    /// The catalog with the line's layers; without them when they do not load (a path still
    /// being typed), so the other layers still complete.
    fn catalog(&self) -> Option<Catalog> {
        let load = |scenarios: Vec<PathBuf>| {
            let global = GlobalArgs {
                color: None,
                no_pager: true,
                quiet: true,
                verbose: false,
                scenarios,
                no_builtin: self.no_builtin,
            };
            global.resolve(None, NAME).ok().and_then(|settings| Catalog::load(&settings.catalog).ok())
        };
        load(self.scenarios.clone()).or_else(|| load(Vec::new()))
    }
}

fn expand_home(word: &str) -> PathBuf {
    match (word.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => PathBuf::from(word),
    }
}

/// Every scenario number starting with `current` (`#` kept if typed), in numeric order, with
/// its title as help.
fn scenario_ids(catalog: &Catalog, current: &str) -> Vec<CompletionCandidate> {
    let (hash, typed) = current.strip_prefix('#').map_or(("", current), |rest| ("#", rest));
    let mut titles: BTreeMap<u32, &str> = BTreeMap::new();
    for scenario in &catalog.scenarios {
        titles.entry(scenario.id).or_insert(&scenario.title);
    }
    titles
        .into_iter()
        .map(|(id, title)| (id.to_string(), title))
        .filter(|(id, _)| id.starts_with(typed))
        .map(|(id, title)| candidate(format!("{hash}{id}"), title))
        .collect()
}

/// The catalog's categories as `--category` takes them without quoting (`control-plane` for
/// `Control Plane`: names compare without case or punctuation), the name as written as help.
fn categories(catalog: &Catalog, current: &str) -> Vec<CompletionCandidate> {
    let current = current.to_lowercase();
    let names: BTreeMap<String, &str> =
        catalog.scenarios.iter().filter_map(|s| s.category.as_deref()).map(|c| (category_word(c), c)).collect();
    names
        .into_iter()
        .filter(|(word, _)| !word.is_empty() && word.starts_with(&current))
        .map(|(word, name)| candidate(word, name))
        .collect()
}

/// `Control Plane` -> `control-plane`.
fn category_word(name: &str) -> String {
    let lower = name.to_lowercase();
    lower.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join("-")
}

/// The names `search --field` takes: `title` and every section's key.
fn fields(current: &str) -> Vec<CompletionCandidate> {
    std::iter::once(("title", "Title"))
        .chain(SECTIONS.iter().map(|s| (s.key, s.label)))
        .filter(|(key, _)| key.starts_with(current))
        .map(|(key, label)| candidate(key.to_string(), label))
        .collect()
}

/// A candidate with catalog text as help: sanitised, and on one line (fish reads a tab as the
/// end of the value, and shows the first line only).
fn candidate(value: String, help: &str) -> CompletionCandidate {
    CompletionCandidate::new(value).help(Some(one_line(help).into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(words: &[&str]) -> Vec<OsString> {
        words.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_completing_command_attaches_to_arguments_that_exist() {
        // `mut_arg` panics on an unknown argument: building the command is the check.
        let mut cmd = completing_command(&Arc::new(LineLayers::default()));
        cmd.build();
    }

    #[test]
    fn layers_on_the_line_are_read_after_the_escape_and_before_a_second_one() {
        let args = line(&[
            "/bin/k8sdoc",
            "--",
            "k8sdoc",
            "--scenarios",
            "/a",
            "--no-builtin",
            "show",
            "--scenarios=/b",
            "--",
            "--scenarios",
            "/c",
        ]);
        let layers = LineLayers::read(&args);
        assert_eq!(layers, LineLayers { scenarios: vec!["/a".into(), "/b".into()], no_builtin: true });
    }

    #[test]
    fn category_words_need_no_quoting() {
        assert_eq!(category_word("Control Plane"), "control-plane");
        assert_eq!(category_word("Cluster  Management!"), "cluster-management");
    }

    #[test]
    fn fields_are_the_title_and_the_section_keys() {
        let values: Vec<String> = fields("").iter().map(|c| c.get_value().to_string_lossy().into_owned()).collect();
        assert_eq!(values[0], "title");
        assert!(values.iter().any(|v| v == "diagnosis_steps"));
        assert_eq!(values.len(), SECTIONS.len() + 1);
        assert!(fields("fi").iter().all(|c| c.get_value() == "fix"));
    }
}
