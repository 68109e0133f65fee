//! Command-line flags (clap), resolved once into the settings the commands take.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::catalog::CatalogSettings;
use crate::config;
use crate::model::Origin;
use crate::style::ColorChoice;

/// `--version`: the version and the size of the built-in catalog.
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("K8SDOC_BUILTIN_COUNT"), " built-in scenarios)");

#[derive(Debug, Parser)]
#[command(
    name = "k8sdoc",
    version = VERSION,
    about = "Offline Kubernetes troubleshooting advisor: describe a symptom or paste what the cluster printed, get ranked production scenarios with diagnosis steps and fixes.",
    after_help = "Examples:\n  k8sdoc diagnose --symptom 'pods stuck Terminating'\n  kubectl describe pod web-0 | k8sdoc diagnose --from -\n  k8sdoc show 15\n  k8sdoc search -i finalizer"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What `k8sdoc` with no arguments prints: the three commands most people need.
pub const SHORT_USAGE: &str = "\
k8sdoc: offline Kubernetes troubleshooting advisor

  k8sdoc diagnose --symptom 'pods stuck Terminating'   rank scenarios for what you see
  kubectl describe pod P | k8sdoc diagnose --from -    ... or for what the cluster printed
  k8sdoc show 15                                       read a whole scenario

More: k8sdoc --help, k8sdoc <command> --help
";

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// When to colour output: auto (a terminal, unless NO_COLOR is set), always, never
    /// [env: K8SDOC_COLOR] [config: color] [default: auto].
    #[arg(long, global = true, value_enum, value_name = "WHEN")]
    pub color: Option<ColorArg>,
    /// Never page long output (the pager is `$K8SDOC_PAGER`, else `$PAGER`, else `less -FRX`).
    #[arg(long, global = true)]
    pub no_pager: bool,
    /// Silence warnings (duplicate numbers, skipped files, invalid UTF-8).
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Say more: where every scenario came from, which files were skipped.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Also load scenarios from this file or folder (repeatable; folders are read recursively).
    #[arg(long = "scenarios", global = true, value_name = "PATH")]
    pub scenarios: Vec<PathBuf>,
    /// Leave the built-in catalog out.
    #[arg(long, global = true)]
    pub no_builtin: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Rank the scenarios that match what you see: symptoms you type, or output you paste.
    #[command(
        after_help = "Examples:\n  k8sdoc diagnose --symptom 'pods stuck Terminating'\n  k8sdoc diagnose --symptom DiskPressure --symptom 'pods evicted'\n  kubectl describe pod web-0 | k8sdoc diagnose --from -\n  kubectl get events -A | k8sdoc diagnose --from - --limit 3\n  journalctl -u kubelet --since -1h | k8sdoc diagnose --from - --explain\n  k8sdoc diagnose --symptom 'pending CSRs' --format json\n\nExit status: 0 when scenarios match, 1 when none do, 2 on error."
    )]
    Diagnose(DiagnoseArgs),
    /// Diagnose a saved cluster state offline, object by object: a `kubectl cluster-info dump`
    /// folder, `kubectl get ... -o json|yaml` files, describe output and logs.
    #[command(
        after_help = "Examples:\n  kubectl cluster-info dump --all-namespaces --output-directory=dump && k8sdoc analyze dump/\n  kubectl get events -A -o json > events.json && k8sdoc analyze events.json\n  kubectl get pods,pvc,nodes -A -o yaml > state.yaml && k8sdoc analyze state.yaml --namespace shop\n  k8sdoc analyze dump/ --format json --fail-on error   # in CI: exit 1 when something is broken\n\nExit status: 0 when the analysis ran, 1 with --fail-on when findings reach that severity,\n2 when an input cannot be read."
    )]
    Analyze(AnalyzeArgs),
    /// Print whole scenarios by number.
    #[command(
        after_help = "Examples:\n  k8sdoc show 15\n  k8sdoc show 4 12 --format markdown\n  k8sdoc show 22 --format json | jq '.[0].fix'"
    )]
    Show(ShowArgs),
    /// List the scenarios in the catalog.
    #[command(
        after_help = "Examples:\n  k8sdoc list\n  k8sdoc list --category networking\n  k8sdoc list --format json | jq '.[].title'\n  k8sdoc list --verbose   # where each scenario came from"
    )]
    List(ListArgs),
    /// Search the catalog like grep: `ID:section: text` lines; exit 0 on a match, 1 on none.
    #[command(
        after_help = "Examples:\n  k8sdoc search -i finalizer\n  k8sdoc search -F 'kubectl drain' --field fix\n  k8sdoc search -l -w etcd\n  k8sdoc search -c 'Disk ?Pressure'"
    )]
    Search(SearchArgs),
    /// Check catalogs: required sections, duplicate numbers, unknown labels, leftover mojibake.
    #[command(
        after_help = "Examples:\n  k8sdoc lint                      # every layer of the catalog\n  k8sdoc lint my-scenarios/\n  k8sdoc lint --strict scenarios/  # also require Covers, What You See, Lessons Learned, How to Avoid"
    )]
    Lint(LintArgs),
    /// Show which files the catalog was loaded from, layer by layer.
    #[command(
        after_help = "Examples:\n  k8sdoc catalog\n  k8sdoc --scenarios ~/runbooks catalog -v   # also list skipped files"
    )]
    Catalog,
    /// Write a new scenario from the template (next free number, every section).
    #[command(
        after_help = "Examples:\n  k8sdoc new                          # into the config directory's scenarios/ folder\n  k8sdoc new runbooks/disk-full.md --title 'Disk full on build nodes'\n\nUser scenarios are numbered from 5001 up, clear of the built-in catalog (1-22, 1001-1999)\nand of public collections (1-600). An existing file is never overwritten."
    )]
    New(NewArgs),
    /// Print a shell completion script.
    #[command(
        after_help = "Examples:\n  k8sdoc completions bash > ~/.local/share/bash-completion/completions/k8sdoc\n  k8sdoc completions zsh > \"${fpath[1]}/_k8sdoc\"\n  k8sdoc completions fish > ~/.config/fish/completions/k8sdoc.fish"
    )]
    Completions {
        /// The shell to generate for.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    #[command(after_help = "Examples:\n  k8sdoc man | man -l -\n  k8sdoc man > ~/.local/share/man/man1/k8sdoc.1")]
    Man,
    /// Show where configuration is looked for and what is in effect.
    #[command(
        after_help = "Precedence: flag > environment variable > config file > default.\n\nExample config.yaml:\n  limit: 3\n  color: never\n  pager: less -R\n  scenarios:\n    - ~/runbooks"
    )]
    Config,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AnalyzeFormat {
    Text,
    Json,
    Yaml,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SeverityArg {
    Warning,
    Error,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Files or folders (read recursively); each file is recognised by its content.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Only objects in this namespace.
    #[arg(short = 'N', long, value_name = "NS")]
    pub namespace: Option<String>,
    /// Leave out findings below this severity.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub min_severity: Option<SeverityArg>,
    /// Exit 1 when a finding reaches this severity (for CI).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<SeverityArg>,
    #[arg(long, value_enum, default_value_t = AnalyzeFormat::Text)]
    pub format: AnalyzeFormat,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// File to write; without it, `NUMBER-title.md` in the config directory's scenarios/ folder.
    pub path: Option<PathBuf>,
    /// The scenario's title.
    #[arg(long, default_value = "TODO title")]
    pub title: String,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DiagnoseFormat {
    Text,
    Json,
    Yaml,
    Markdown,
}

#[derive(Debug, Args)]
pub struct DiagnoseArgs {
    /// What you see, as you would say it (repeatable): `pods stuck terminating`, `DiskPressure`.
    #[arg(short, long = "symptom", value_name = "TEXT")]
    pub symptoms: Vec<String>,
    /// Pasted output to read: kubectl describe/get/events, kubelet or component logs; `-` for stdin.
    #[arg(short, long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// How many scenarios to show [env: K8SDOC_LIMIT] [config: limit] [default: 5].
    #[arg(short = 'n', long, value_name = "N")]
    pub limit: Option<usize>,
    /// Only scenarios of this category.
    #[arg(long, value_name = "C")]
    pub category: Option<String>,
    /// Show the score breakdown of every result.
    #[arg(long)]
    pub explain: bool,
    #[arg(long, value_enum, default_value_t = DiagnoseFormat::Text)]
    pub format: DiagnoseFormat,
    /// Rank by text relevance only, without symptom rules (for comparison).
    #[arg(long, hide = true)]
    pub text_only: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ShowFormat {
    Text,
    Markdown,
    Json,
    Yaml,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Scenario numbers (`15` or `#15`).
    #[arg(required = true, value_name = "ID", value_parser = ScenarioIdParser, hide_possible_values = true)]
    pub ids: Vec<String>,
    #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
    pub format: ShowFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Table,
    Json,
    Yaml,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only this category (case and punctuation ignored: `control-plane` matches `Control Plane`).
    #[arg(long, value_name = "C")]
    pub category: Option<String>,
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// A regular expression (Rust regex syntax), or a fixed string with -F.
    pub pattern: String,
    /// Case-insensitive.
    #[arg(short = 'i', long)]
    pub ignore_case: bool,
    /// Match whole words only.
    #[arg(short = 'w', long)]
    pub word: bool,
    /// The pattern is a fixed string, not a regex.
    #[arg(short = 'F', long)]
    pub fixed_strings: bool,
    /// Print only the numbers of matching scenarios.
    #[arg(short = 'l', long)]
    pub files_with_matches: bool,
    /// Print how many lines matched per scenario.
    #[arg(short = 'c', long)]
    pub count: bool,
    /// Search one section only: title, summary, diagnosis_steps, fix, root_cause, ...
    #[arg(long, value_name = "NAME")]
    pub field: Option<String>,
    /// Only this category.
    #[arg(long, value_name = "C")]
    pub category: Option<String>,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files or folders to check; without any, the whole loaded catalog.
    pub paths: Vec<PathBuf>,
    /// Also require Covers, What You See, Lessons Learned and How to Avoid, and fail on warnings.
    #[arg(long)]
    pub strict: bool,
}

/// Accepts any scenario id, and offers the built-in numbers to shell completion.
#[derive(Clone)]
struct ScenarioIdParser;

impl clap::builder::TypedValueParser for ScenarioIdParser {
    type Value = String;

    fn parse_ref(
        &self,
        _: &clap::Command,
        _: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        Ok(value.to_string_lossy().into_owned())
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(crate::catalog::builtin_ids().iter().map(|id| clap::builder::PossibleValue::new(*id))))
    }
}

/// Where a setting's value came from, for `k8sdoc config`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum From {
    Flag,
    Env(&'static str),
    ConfigFile,
    Default,
}

impl std::fmt::Display for From {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            From::Flag => write!(f, "flag"),
            From::Env(name) => write!(f, "env {name}"),
            From::ConfigFile => write!(f, "config file"),
            From::Default => write!(f, "default"),
        }
    }
}

/// What every command needs, resolved from flags, environment and config.
#[derive(Debug, Clone)]
pub struct Settings {
    pub catalog: CatalogSettings,
    pub color: ColorChoice,
    pub color_from: From,
    pub quiet: bool,
    pub verbose: bool,
    /// Default `diagnose --limit`.
    pub limit: usize,
    pub limit_from: From,
    /// Pager command; `None` never pages.
    pub pager: Option<String>,
    pub pager_from: From,
    /// The config file looked for, and whether it was there.
    pub config_file: Option<PathBuf>,
    pub config_found: bool,
}

fn parse_color(value: &str, origin: &str) -> anyhow::Result<ColorChoice> {
    match value.trim() {
        "auto" => Ok(ColorChoice::Auto),
        "always" => Ok(ColorChoice::Always),
        "never" => Ok(ColorChoice::Never),
        other => anyhow::bail!("{origin}: color must be auto, always or never, not `{other}`"),
    }
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl GlobalArgs {
    /// Resolves flags, environment and the config file (in that order of precedence) into
    /// settings. Catalog layers, lowest first: built-in, config dir `scenarios/`, the config
    /// file's `scenarios:`, `K8SDOC_SCENARIOS`, `--scenarios`.
    pub fn resolve(&self, limit_flag: Option<usize>) -> anyhow::Result<Settings> {
        let config_file = config::config_file();
        let file = config::load(config_file.as_deref())?;
        let config_found = file.is_some();
        let file = file.unwrap_or_default();
        let origin = config_file.as_ref().map(|p| p.display().to_string()).unwrap_or_default();

        let mut paths = Vec::new();
        if let Some(dir) = config::scenarios_dir() {
            if dir.is_dir() {
                paths.push((dir, Origin::ConfigDir));
            }
        }
        paths.extend(file.scenarios.iter().cloned().map(|p| (p, Origin::ConfigDir)));
        if let Some(env) = std::env::var_os("K8SDOC_SCENARIOS") {
            paths.extend(std::env::split_paths(&env).filter(|p| !p.as_os_str().is_empty()).map(|p| (p, Origin::Env)));
        }
        paths.extend(self.scenarios.iter().cloned().map(|p| (p, Origin::Flag)));

        let (color, color_from) = match (self.color, env_var("K8SDOC_COLOR"), &file.color) {
            (Some(flag), _, _) => (
                match flag {
                    ColorArg::Auto => ColorChoice::Auto,
                    ColorArg::Always => ColorChoice::Always,
                    ColorArg::Never => ColorChoice::Never,
                },
                From::Flag,
            ),
            (None, Some(env), _) => (parse_color(&env, "K8SDOC_COLOR")?, From::Env("K8SDOC_COLOR")),
            (None, None, Some(value)) => (parse_color(value, &origin)?, From::ConfigFile),
            (None, None, None) => (ColorChoice::Auto, From::Default),
        };
        let (limit, limit_from) = match (limit_flag, env_var("K8SDOC_LIMIT"), file.limit) {
            (Some(n), _, _) => (n, From::Flag),
            (None, Some(env), _) => (
                env.trim().parse().map_err(|_| anyhow::anyhow!("K8SDOC_LIMIT: not a number: `{env}`"))?,
                From::Env("K8SDOC_LIMIT"),
            ),
            (None, None, Some(n)) => (n, From::ConfigFile),
            (None, None, None) => (5, From::Default),
        };
        let off = |v: &str| matches!(v.trim(), "" | "false" | "never" | "off");
        let (pager, pager_from) = if self.no_pager {
            (None, From::Flag)
        } else if let Ok(env) = std::env::var("K8SDOC_PAGER") {
            ((!off(&env)).then_some(env), From::Env("K8SDOC_PAGER"))
        } else if let Some(value) = &file.pager {
            ((!off(value)).then(|| value.clone()), From::ConfigFile)
        } else if let Some(env) = env_var("PAGER") {
            (Some(env), From::Env("PAGER"))
        } else {
            (Some(crate::pager::DEFAULT.to_string()), From::Default)
        };
        Ok(Settings {
            catalog: CatalogSettings { builtin: !self.no_builtin, paths },
            color,
            color_from,
            quiet: self.quiet,
            verbose: self.verbose,
            limit,
            limit_from,
            pager,
            pager_from,
            config_file,
            config_found,
        })
    }
}
