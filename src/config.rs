//! Where k8sdoc keeps per-user files: the config directory and its `scenarios/` folder.

use std::path::PathBuf;

/// `$K8SDOC_CONFIG_DIR`, else `$XDG_CONFIG_HOME/k8sdoc`, else `~/.config/k8sdoc`.
pub fn config_dir() -> Option<PathBuf> {
    let nonempty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    nonempty("K8SDOC_CONFIG_DIR")
        .or_else(|| nonempty("XDG_CONFIG_HOME").map(|d| d.join("k8sdoc")))
        .or_else(|| nonempty("HOME").map(|d| d.join(".config").join("k8sdoc")))
}

/// The user's own scenarios folder, loaded on top of the built-in catalog when it exists.
pub fn scenarios_dir() -> Option<PathBuf> {
    config_dir().map(|d| d.join("scenarios"))
}

/// `$K8SDOC_CACHE_DIR`, else `$XDG_CACHE_HOME/k8sdoc`, else `~/.cache/k8sdoc`.
pub fn cache_dir() -> Option<PathBuf> {
    let nonempty = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    nonempty("K8SDOC_CACHE_DIR")
        .or_else(|| nonempty("XDG_CACHE_HOME").map(|d| d.join("k8sdoc")))
        .or_else(|| nonempty("HOME").map(|d| d.join(".cache").join("k8sdoc")))
}
