//! Per-user files: the config directory (with its optional `config.yaml` and `scenarios/`) and
//! the cache directory.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

fn nonempty(name: &str) -> Option<PathBuf> {
    std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from)
}

/// `$K8SDOC_CONFIG_DIR`, else `$XDG_CONFIG_HOME/k8sdoc`, else `~/.config/k8sdoc`.
pub(crate) fn config_dir() -> Option<PathBuf> {
    nonempty("K8SDOC_CONFIG_DIR")
        .or_else(|| nonempty("XDG_CONFIG_HOME").map(|d| d.join("k8sdoc")))
        .or_else(|| nonempty("HOME").map(|d| d.join(".config").join("k8sdoc")))
}

/// The user's own scenarios folder, loaded on top of the built-in catalog when it exists.
pub(crate) fn scenarios_dir() -> Option<PathBuf> {
    config_dir().map(|d| d.join("scenarios"))
}

/// `$K8SDOC_CACHE_DIR`, else `$XDG_CACHE_HOME/k8sdoc`, else `~/.cache/k8sdoc`.
pub(crate) fn cache_dir() -> Option<PathBuf> {
    nonempty("K8SDOC_CACHE_DIR")
        .or_else(|| nonempty("XDG_CACHE_HOME").map(|d| d.join("k8sdoc")))
        .or_else(|| nonempty("HOME").map(|d| d.join(".cache").join("k8sdoc")))
}

/// The optional `config.yaml`: defaults below flags and environment variables.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConfigFile {
    /// Default `diagnose --limit`.
    pub(crate) limit: Option<usize>,
    /// `auto`, `always` or `never`.
    pub(crate) color: Option<String>,
    /// Pager command, or `false` / empty to never page.
    pub(crate) pager: Option<String>,
    /// Extra scenario files or folders, loaded after the config directory's `scenarios/`.
    #[serde(default)]
    pub(crate) scenarios: Vec<PathBuf>,
}

/// Where the config file is looked for.
pub(crate) fn config_file() -> Option<PathBuf> {
    config_dir().map(|d| d.join("config.yaml"))
}

/// Reads the config file if there is one; a broken file is an error naming it and the line.
pub(crate) fn load(path: Option<&Path>) -> Result<Option<ConfigFile>> {
    let Some(path) = path else { return Ok(None) };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err).with_context(|| format!("{}: cannot read", path.display())),
    };
    if text.trim().is_empty() {
        return Ok(Some(ConfigFile::default()));
    }
    let mut config: ConfigFile = crate::yaml::parse(&text, &path.display().to_string())?;
    // `~/runbooks` is the home directory's, as a shell would read it; other relative paths are
    // relative to the config directory, not the current one.
    let base = path.parent().unwrap_or(Path::new("."));
    for p in &mut config.scenarios {
        if let Some(home) = expand_home(p) {
            *p = home;
        } else if p.is_relative() {
            *p = base.join(&*p);
        }
    }
    Ok(Some(config))
}

/// `~` or `~/...` under `$HOME`; `None` for any other path (or with no `$HOME`).
fn expand_home(path: &Path) -> Option<PathBuf> {
    let rest = path.strip_prefix("~").ok()?;
    Some(nonempty("HOME")?.join(rest))
}
