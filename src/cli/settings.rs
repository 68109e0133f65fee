//! Settings resolved once from flags, environment variables and the config file (in that
//! order of precedence), as ripgrep resolves its flags into `HiArgs`: commands read these, never
//! the raw flags or the environment.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::args::{ColorArg, GlobalArgs};
use super::config;
use crate::catalog::model::Origin;
use crate::catalog::CatalogSettings;
use crate::engine::store::StoreOptions;

/// The pager when neither `K8SDOC_PAGER`, the config file nor `PAGER` names one: quit if one
/// screen (-F), keep colours (-R), leave the text on screen (-X).
const DEFAULT_PAGER: &str = "less -FRX";

/// The `--color` choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour stdout, decided once: `always` and `never` win; `auto` colours a
    /// terminal, unless `NO_COLOR` is set (https://no-color.org) or `TERM=dumb`, and colours
    /// anything when `CLICOLOR_FORCE` is set (the conventions anstream follows).
    pub(crate) fn resolve(self) -> bool {
        let env = ColorEnv {
            force: anstyle_query::clicolor_force(),
            no_color: anstyle_query::no_color(),
            dumb: !anstyle_query::term_supports_color(),
        };
        self.decide(std::io::stdout().is_terminal(), env)
    }

    fn decide(self, terminal: bool, env: ColorEnv) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto if env.force => true,
            ColorChoice::Auto => terminal && !env.no_color && !env.dumb,
        }
    }
}

/// What the environment says about colour.
#[derive(Debug, Clone, Copy, Default)]
struct ColorEnv {
    /// `CLICOLOR_FORCE` set (and not `0`).
    force: bool,
    /// `NO_COLOR` set and not empty.
    no_color: bool,
    /// `TERM=dumb`.
    dumb: bool,
}

/// What output goes to, decided once.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Terminal {
    /// The width to fit output to: `COLUMNS` when set, else the terminal's when stdout is one;
    /// `None` when piped (output is then not fitted: lines are as long as their content).
    pub width: Option<usize>,
    pub stderr: bool,
    pub stdin: bool,
}

impl Terminal {
    fn detect() -> Terminal {
        let stdout = std::io::stdout().is_terminal();
        let columns = std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse::<usize>().ok()).filter(|&c| c > 0);
        let measured = if stdout { terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)) } else { None };
        Terminal {
            width: columns.or(measured),
            stderr: std::io::stderr().is_terminal(),
            stdin: std::io::stdin().is_terminal(),
        }
    }
}

/// Where a setting's value came from, for `k8sdoc config`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum From {
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
pub(crate) struct Settings {
    pub(crate) catalog: CatalogSettings,
    pub(crate) store: StoreOptions,
    pub(crate) color: ColorChoice,
    pub(crate) color_from: From,
    pub(crate) quiet: bool,
    pub(crate) verbose: bool,
    /// Default `diagnose --limit`.
    pub(crate) limit: usize,
    pub(crate) limit_from: From,
    /// Pager command; `None` never pages.
    pub(crate) pager: Option<String>,
    pub(crate) pager_from: From,
    /// The config file looked for, and whether it was there.
    pub(crate) config_file: Option<PathBuf>,
    pub(crate) config_found: bool,
    pub(crate) terminal: Terminal,
    /// How the user runs k8sdoc: `k8sdoc`, or `kubectl doc` when installed as a kubectl plugin
    /// (`kubectl-doc`); hints and usage say it this way.
    pub(crate) program: String,
    /// The binary as the shell should call it back for completions: `argv[0]`, made absolute
    /// when it is a relative path with a folder in it (as clap_complete's `CompleteEnv` does).
    pub(crate) executable: PathBuf,
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
    /// settings.
    pub(crate) fn resolve(&self, limit_flag: Option<usize>, program: &str) -> anyhow::Result<Settings> {
        let config_file = config::config_file();
        let file = config::load(config_file.as_deref())?;
        let config_found = file.is_some();
        let file = file.unwrap_or_default();
        let origin = config_file.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
        let (color, color_from) = self.color(&file, &origin)?;
        let (limit, limit_from) = limit(limit_flag, &file, &origin)?;
        let (pager, pager_from) = self.pager(&file);
        Ok(Settings {
            catalog: CatalogSettings { builtin: !self.no_builtin, paths: self.catalog_paths(&file) },
            store: StoreOptions {
                cache_dir: config::cache_dir(),
                verify: env_var("K8SDOC_VERIFY_INDEX").is_some_and(|v| !matches!(v.trim(), "0" | "false" | "no")),
                rebuild: false,
            },
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
            terminal: Terminal::detect(),
            program: program.to_string(),
            executable: executable(),
        })
    }

    /// Catalog layers, lowest first: (built-in,) the config dir's `scenarios/`, the config
    /// file's `scenarios:`, `K8SDOC_SCENARIOS`, `--scenarios`.
    fn catalog_paths(&self, file: &config::ConfigFile) -> Vec<(PathBuf, Origin)> {
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
        paths
    }

    fn color(&self, file: &config::ConfigFile, origin: &str) -> anyhow::Result<(ColorChoice, From)> {
        Ok(match (self.color, env_var("K8SDOC_COLOR"), &file.color) {
            (Some(flag), _, _) => (
                match flag {
                    ColorArg::Auto => ColorChoice::Auto,
                    ColorArg::Always => ColorChoice::Always,
                    ColorArg::Never => ColorChoice::Never,
                },
                From::Flag,
            ),
            (None, Some(env), _) => (parse_color(&env, "K8SDOC_COLOR")?, From::Env("K8SDOC_COLOR")),
            (None, None, Some(value)) => (parse_color(value, origin)?, From::ConfigFile),
            (None, None, None) => (ColorChoice::Auto, From::Default),
        })
    }

    fn pager(&self, file: &config::ConfigFile) -> (Option<String>, From) {
        let off = |v: &str| matches!(v.trim(), "" | "false" | "never" | "off");
        if self.no_pager {
            (None, From::Flag)
        } else if let Ok(env) = std::env::var("K8SDOC_PAGER") {
            ((!off(&env)).then_some(env), From::Env("K8SDOC_PAGER"))
        } else if let Some(value) = &file.pager {
            ((!off(value)).then(|| value.clone()), From::ConfigFile)
        } else if let Some(env) = env_var("PAGER") {
            (Some(env), From::Env("PAGER"))
        } else {
            (Some(DEFAULT_PAGER.to_string()), From::Default)
        }
    }
}

fn executable() -> PathBuf {
    let argv0 = PathBuf::from(std::env::args_os().next().unwrap_or_else(|| "k8sdoc".into()));
    match std::env::current_dir() {
        Ok(dir) if argv0.components().count() > 1 => dir.join(argv0),
        _ => argv0,
    }
}

/// The default `diagnose --limit`. A limit of 0 would show nothing and exit 1 as if nothing
/// matched, so it is refused wherever it comes from (clap refuses `-n 0` itself), naming where.
fn limit(flag: Option<usize>, file: &config::ConfigFile, origin: &str) -> anyhow::Result<(usize, From)> {
    let (n, from) = match (flag, env_var("K8SDOC_LIMIT"), file.limit) {
        (Some(n), _, _) => (n, From::Flag),
        (None, Some(env), _) => (
            env.trim().parse().map_err(|_| anyhow::anyhow!("K8SDOC_LIMIT: not a number: `{env}`"))?,
            From::Env("K8SDOC_LIMIT"),
        ),
        (None, None, Some(n)) => (n, From::ConfigFile),
        (None, None, None) => (5, From::Default),
    };
    if n == 0 {
        match from {
            From::Env(name) => anyhow::bail!("{name} must be 1 or more, not 0"),
            From::ConfigFile => anyhow::bail!("{origin}: limit must be 1 or more, not 0"),
            From::Flag | From::Default => anyhow::bail!("--limit must be 1 or more, not 0"),
        }
    }
    Ok((n, from))
}

#[cfg(test)]
mod tests {
    use super::{ColorChoice, ColorEnv};

    #[test]
    fn auto_colours_a_terminal_unless_no_color_or_dumb_and_always_with_clicolor_force() {
        let env = ColorEnv::default();
        assert!(ColorChoice::Auto.decide(true, env));
        assert!(!ColorChoice::Auto.decide(true, ColorEnv { no_color: true, ..env }));
        assert!(!ColorChoice::Auto.decide(true, ColorEnv { dumb: true, ..env }));
        assert!(!ColorChoice::Auto.decide(false, env));
        assert!(ColorChoice::Auto.decide(false, ColorEnv { force: true, ..env }));
        assert!(ColorChoice::Always.decide(false, ColorEnv { no_color: true, ..env }));
        assert!(!ColorChoice::Never.decide(true, ColorEnv { force: true, ..env }));
    }
}
