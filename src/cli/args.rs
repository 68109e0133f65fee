//! The command line, as clap reads it: flags and subcommands, nothing resolved yet.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// `--version`: the version and the size of the built-in catalog.
const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("K8SDOC_BUILTIN_COUNT"), " built-in scenarios)");

#[derive(Debug, Parser)]
#[command(
    name = "k8sdoc",
    version = VERSION,
    about = "Offline Kubernetes troubleshooting advisor: describe a symptom or paste what the cluster printed, get ranked production scenarios with diagnosis steps and fixes.",
    after_help = "Examples:\n  k8sdoc diagnose --symptom 'pods stuck Terminating'\n  kubectl describe pod web-0 | k8sdoc diagnose --from -\n  k8sdoc show 15\n  k8sdoc search -i finalizer"
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: GlobalArgs,
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
}

/// What `k8sdoc` with no arguments prints: the three commands most people need.
pub(crate) const SHORT_USAGE: &str = "\
k8sdoc: offline Kubernetes troubleshooting advisor

  k8sdoc diagnose --symptom 'pods stuck Terminating'   rank scenarios for what you see
  kubectl describe pod P | k8sdoc diagnose --from -    ... or for what the cluster printed
  k8sdoc show 15                                       read a whole scenario

More: k8sdoc --help, k8sdoc <command> --help
";

#[derive(Debug, Args)]
pub(crate) struct GlobalArgs {
    /// When to colour output: auto (a terminal, unless NO_COLOR is set), always, never
    /// [env: K8SDOC_COLOR] [config: color] [default: auto].
    #[arg(long, global = true, value_enum, value_name = "WHEN")]
    pub(crate) color: Option<ColorArg>,
    /// Never page long output (the pager is `$K8SDOC_PAGER`, else `$PAGER`, else `less -FRX`).
    #[arg(long, global = true)]
    pub(crate) no_pager: bool,
    /// Silence warnings (duplicate numbers, skipped files, invalid UTF-8).
    #[arg(short, long, global = true)]
    pub(crate) quiet: bool,
    /// Say more: where every scenario came from, which files were skipped.
    #[arg(short, long, global = true)]
    pub(crate) verbose: bool,
    /// Also load scenarios from this file or folder (repeatable; folders are read recursively).
    #[arg(long = "scenarios", global = true, value_name = "PATH")]
    pub(crate) scenarios: Vec<PathBuf>,
    /// Leave the built-in catalog out.
    #[arg(long, global = true)]
    pub(crate) no_builtin: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Rank the scenarios that match what you see: symptoms you type, or output you paste.
    #[command(
        after_help = "Examples:\n  k8sdoc diagnose --symptom 'pods stuck Terminating'\n  k8sdoc diagnose --symptom DiskPressure --symptom 'pods evicted'\n  kubectl describe pod web-0 | k8sdoc diagnose --from -\n  kubectl get events -A | k8sdoc diagnose --from - --limit 3\n  journalctl -u kubelet --since -1h | k8sdoc diagnose --from - --explain\n  k8sdoc diagnose --symptom 'pending CSRs' --format json\n\nExit status: 0 when scenarios match, 1 when none do, 2 on error."
    )]
    Diagnose(DiagnoseArgs),
    /// Diagnose a saved cluster state offline, object by object: a `kubectl cluster-info dump`
    /// folder, `kubectl get ... -o json|yaml` files, describe output and logs.
    #[command(
        after_help = "Examples:\n  kubectl cluster-info dump -A --output-directory=dump\n  k8sdoc analyze dump/\n  kubectl get events -A -o json > events.json\n  k8sdoc analyze events.json\n  k8sdoc analyze state.yaml --namespace shop\n  k8sdoc analyze dump/ -o json --fail-on error   # CI: exit 1 if broken\n\nExit status: 0 when the analysis ran, 1 with --fail-on when findings reach that severity, 2 when an input cannot be read."
    )]
    Analyze(AnalyzeArgs),
    /// Print whole scenarios by number.
    #[command(
        after_help = "Examples:\n  k8sdoc show 15\n  k8sdoc show 4 12 --format markdown\n  k8sdoc show 22 --format json | jq '.[0].fix'"
    )]
    Show(ShowArgs),
    /// Print only the fix commands of a scenario, ready to paste.
    #[command(
        after_help = "Examples:\n  k8sdoc fix 15\n  k8sdoc fix 1 | less\n\nMulti-line commands are kept whole; notes and `# comment` lines are left out."
    )]
    Fix(FixArgs),
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
        after_help = "Examples:\n  k8sdoc lint                      # every layer of the catalog\n  k8sdoc lint my-scenarios/\n  k8sdoc lint --strict scenarios/  # also require Covers, What You See, ...\n\n--strict also requires Covers, What You See, Lessons Learned and How to Avoid."
    )]
    Lint(LintArgs),
    /// Show which files the catalog was loaded from, layer by layer.
    #[command(
        after_help = "Examples:\n  k8sdoc catalog\n  k8sdoc --scenarios ~/runbooks catalog -v   # also list skipped files"
    )]
    Catalog,
    /// Write a new scenario from the template (next free number, every section).
    #[command(
        after_help = "Examples:\n  k8sdoc new                          # into the config directory's scenarios/ folder\n  k8sdoc new runbooks/disk-full.md --title 'Disk full on build nodes'\n\nUser scenarios are numbered from 5001 up, clear of the built-in catalog (1-22, 1001-1999) and of public collections (1-600). An existing file is never overwritten."
    )]
    New(NewArgs),
    /// Print the shell completion script (it completes from the catalog in effect).
    #[command(
        after_help = "Examples:\n  echo 'source <(k8sdoc completions bash)' >> ~/.bashrc\n  echo 'source <(k8sdoc completions zsh)' >> ~/.zshrc\n  k8sdoc completions fish > ~/.config/fish/completions/k8sdoc.fish\n\nThe script is what `COMPLETE=SHELL k8sdoc` prints: the shell calls k8sdoc back on every TAB,\nso `show` offers every scenario number of your catalog, your scenarios included.\nA script saved to a file should be regenerated after an upgrade."
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
pub(crate) enum AnalyzeFormat {
    Text,
    Json,
    Yaml,
    /// SARIF 2.1.0, for code-scanning views.
    Sarif,
    /// JUnit XML, for CI test reports: one test case per finding.
    Junit,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum SeverityArg {
    Warning,
    Error,
}

#[derive(Debug, Args)]
pub(crate) struct AnalyzeArgs {
    /// Files, folders (read recursively), `.tar.gz` support bundles, or `-` for standard input;
    /// each file is recognised by its content.
    #[arg(required = true, value_name = "PATH")]
    pub(crate) paths: Vec<PathBuf>,
    /// More checks to make, in the format of the built-in `checks.yaml` (repeatable).
    #[arg(long = "checks", value_name = "FILE")]
    pub(crate) checks: Vec<PathBuf>,
    /// Only objects in this namespace.
    #[arg(short = 'N', long, value_name = "NS")]
    pub(crate) namespace: Option<String>,
    /// Leave out findings below this severity.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub(crate) min_severity: Option<SeverityArg>,
    /// Exit 1 when a finding reaches this severity (for CI).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub(crate) fail_on: Option<SeverityArg>,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = AnalyzeFormat::Text)]
    pub(crate) format: AnalyzeFormat,
}

#[derive(Debug, Args)]
pub(crate) struct NewArgs {
    /// File to write; without it, `NUMBER-title.md` in the config directory's scenarios/ folder.
    pub(crate) path: Option<PathBuf>,
    /// The scenario's title.
    #[arg(long, default_value = "TODO title")]
    pub(crate) title: String,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum DiagnoseFormat {
    Text,
    Json,
    Yaml,
    Markdown,
}

#[derive(Debug, Args)]
pub(crate) struct DiagnoseArgs {
    /// What you see, as you would say it (repeatable): `pods stuck terminating`, `DiskPressure`.
    #[arg(short, long = "symptom", value_name = "TEXT")]
    pub(crate) symptoms: Vec<String>,
    /// Pasted output to read: kubectl describe/get/events, kubelet or component logs; `-` for stdin.
    #[arg(short, long, value_name = "FILE")]
    pub(crate) from: Option<PathBuf>,
    /// How many scenarios to show [env: K8SDOC_LIMIT] [config: limit] [default: 5].
    #[arg(
        short = 'n',
        long,
        value_name = "N",
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..)
    )]
    pub(crate) limit: Option<usize>,
    /// Only scenarios of this category.
    #[arg(long, value_name = "C")]
    pub(crate) category: Option<String>,
    /// Show the score breakdown of every result.
    #[arg(long)]
    pub(crate) explain: bool,
    /// One line per result: rank, number, score, title, why.
    #[arg(long, conflicts_with = "explain")]
    pub(crate) brief: bool,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = DiagnoseFormat::Text)]
    pub(crate) format: DiagnoseFormat,
    /// Rank by text relevance only, without symptom rules (for comparison).
    #[arg(long, hide = true)]
    pub(crate) text_only: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ShowFormat {
    Text,
    Markdown,
    Json,
    Yaml,
}

#[derive(Debug, Args)]
pub(crate) struct ShowArgs {
    /// Scenario numbers (`15` or `#15`).
    #[arg(required = true, value_name = "ID")]
    pub(crate) ids: Vec<String>,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = ShowFormat::Text)]
    pub(crate) format: ShowFormat,
}

#[derive(Debug, Args)]
pub(crate) struct FixArgs {
    /// The scenario number (`15` or `#15`).
    #[arg(value_name = "ID")]
    pub(crate) id: String,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ListFormat {
    Table,
    Json,
    Yaml,
}

#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Only this category (case and punctuation ignored: `control-plane` matches `Control Plane`).
    #[arg(long, value_name = "C")]
    pub(crate) category: Option<String>,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = ListFormat::Table)]
    pub(crate) format: ListFormat,
}

#[derive(Debug, Args)]
pub(crate) struct SearchArgs {
    /// A regular expression (Rust regex syntax), or a fixed string with -F.
    pub(crate) pattern: String,
    /// Case-insensitive.
    #[arg(short = 'i', long)]
    pub(crate) ignore_case: bool,
    /// Match whole words only.
    #[arg(short = 'w', long)]
    pub(crate) word: bool,
    /// The pattern is a fixed string, not a regex.
    #[arg(short = 'F', long)]
    pub(crate) fixed_strings: bool,
    /// Print only the numbers of matching scenarios.
    #[arg(short = 'l', long)]
    pub(crate) files_with_matches: bool,
    /// Print how many lines matched per scenario.
    #[arg(short = 'c', long)]
    pub(crate) count: bool,
    /// Search one section only: title, summary, diagnosis_steps, fix, root_cause, ...
    #[arg(long, value_name = "NAME")]
    pub(crate) field: Option<String>,
    /// Only this category.
    #[arg(long, value_name = "C")]
    pub(crate) category: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct LintArgs {
    /// Files or folders to check; without any, the whole loaded catalog.
    pub(crate) paths: Vec<PathBuf>,
    /// Also require Covers, What You See, Lessons Learned and How to Avoid, and fail on warnings.
    #[arg(long)]
    pub(crate) strict: bool,
}
