//! Command-line flags (clap), resolved once into the settings the commands take.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::catalog::CatalogSettings;
use crate::config;
use crate::model::Origin;
use crate::style::ColorChoice;

#[derive(Debug, Parser)]
#[command(
    name = "k8sdoc",
    version,
    about = "Offline Kubernetes troubleshooting advisor: describe a symptom or paste what the cluster printed, get ranked production scenarios with diagnosis steps and fixes.",
    arg_required_else_help = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// When to colour output: auto (a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorArg::Auto, value_name = "WHEN")]
    pub color: ColorArg,
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
    Catalog,
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
    /// How many scenarios to show.
    #[arg(short = 'n', long, default_value_t = 5, value_name = "N")]
    pub limit: usize,
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
    #[arg(required = true, value_name = "ID")]
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

/// What every command needs, resolved from flags, environment and config.
#[derive(Debug, Clone)]
pub struct Settings {
    pub catalog: CatalogSettings,
    pub color: ColorChoice,
    pub quiet: bool,
    pub verbose: bool,
}

impl GlobalArgs {
    /// Layers, lowest first: built-in, config dir `scenarios/`, `K8SDOC_SCENARIOS`, `--scenarios`.
    pub fn resolve(&self) -> Settings {
        let mut paths = Vec::new();
        if let Some(dir) = config::scenarios_dir() {
            if dir.is_dir() {
                paths.push((dir, Origin::ConfigDir));
            }
        }
        if let Some(env) = std::env::var_os("K8SDOC_SCENARIOS") {
            paths.extend(std::env::split_paths(&env).filter(|p| !p.as_os_str().is_empty()).map(|p| (p, Origin::Env)));
        }
        paths.extend(self.scenarios.iter().cloned().map(|p| (p, Origin::Flag)));
        Settings {
            catalog: CatalogSettings { builtin: !self.no_builtin, paths },
            color: match self.color {
                ColorArg::Auto => ColorChoice::Auto,
                ColorArg::Always => ColorChoice::Always,
                ColorArg::Never => ColorChoice::Never,
            },
            quiet: self.quiet,
            verbose: self.verbose,
        }
    }
}
