//! The catalog: the scenario model, the parsers that read catalog files (seed markdown and the
//! plain-text variant), mojibake repair, and the layers it is loaded from (the built-in
//! scenarios, then the user's files and folders).

pub mod model;
pub mod mojibake;
pub mod parse;
pub(crate) mod problem;
pub(crate) mod sections;
pub(crate) mod template;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context, Result};

use model::{Origin, Scenario, Source, SourceFile};
use parse::parse_catalog;

use crate::encoding;
use crate::hash::fingerprint;
use problem::{Problem, Severity};

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin.rs"));
}

/// A symptom rule file's text and where it came from; the engine parses it.
#[derive(Debug, Clone)]
pub(crate) struct RuleText {
    pub file: Arc<SourceFile>,
    pub text: String,
}

/// Where to load scenarios from, resolved from flags, environment and config.
#[derive(Debug, Clone, Default)]
pub(crate) struct CatalogSettings {
    pub builtin: bool,
    /// Extra files or folders, in load order, with the layer each came from.
    pub paths: Vec<(PathBuf, Origin)>,
}

/// A catalog file that was read, and what it held.
#[derive(Debug, Clone)]
pub(crate) struct FileReport {
    pub file: Arc<SourceFile>,
    pub scenarios: usize,
    /// First line where mojibake was repaired on load, if any.
    pub mojibake_line: Option<usize>,
}

/// A user file as it was read: the fingerprint of the very bytes that were parsed, so an
/// index built from them describes what it holds even if the file changes meanwhile.
#[derive(Debug, Clone)]
pub(crate) struct SourceRead {
    pub path: PathBuf,
    pub hash: u64,
    /// In the markdown format (else the plain-text variant, or a rule file).
    pub markdown: bool,
}

/// Every scenario of every layer, in load order, with what was found on the way.
#[derive(Debug, Default)]
pub(crate) struct Catalog {
    pub scenarios: Vec<Scenario>,
    /// Files read, with their scenario counts.
    pub files: Vec<FileReport>,
    /// Files in folders that held no scenario (READMEs, notes): skipped, not an error.
    pub skipped: Vec<PathBuf>,
    /// Problems found while reading: invalid UTF-8, headings without a number.
    pub problems: Vec<Problem>,
    /// Symptom rule files, built-in first, in load order.
    pub rules: Vec<RuleText>,
    /// Numbers defined more than once, each naming every place (a warning on load, an error in lint).
    pub duplicates: Vec<Problem>,
    /// Every user file read, with the fingerprint of its bytes.
    pub sources: Vec<SourceRead>,
}

impl Catalog {
    pub(crate) fn load(settings: &CatalogSettings) -> Result<Catalog> {
        let mut catalog = Catalog::default();
        if settings.builtin {
            for (name, text) in builtin::BUILTIN {
                let file = Arc::new(SourceFile { path: Path::new("scenarios").join(name), origin: Origin::Builtin });
                catalog.add_text(text, file);
            }
        }
        // The symptom vocabulary is the engine's knowledge, not scenarios: it applies to user
        // catalogs too, with or without the built-in scenarios (`--no-builtin`).
        for (name, text) in builtin::BUILTIN_RULES {
            let file = Arc::new(SourceFile { path: Path::new("scenarios").join(name), origin: Origin::Builtin });
            catalog.rules.push(RuleText { file, text: text.to_string() });
        }
        let (inputs, special) = candidate_files(settings)?;
        catalog.problems.extend(special);
        for part in load_in_parallel(&inputs) {
            catalog.absorb(part?);
        }
        catalog.check_duplicates();
        Ok(catalog)
    }

    /// Appends what loading later files found: the same as loading them into this catalog.
    fn absorb(&mut self, part: Catalog) {
        self.scenarios.extend(part.scenarios);
        self.files.extend(part.files);
        self.skipped.extend(part.skipped);
        self.problems.extend(part.problems);
        self.rules.extend(part.rules);
        self.duplicates.extend(part.duplicates);
        self.sources.extend(part.sources);
    }

    fn load_input(&mut self, input: &Input) -> Result<()> {
        let Input { path, origin, explicit, .. } = input;
        if is_yaml(path) {
            if !self.load_rules(path, *origin)? {
                if *explicit {
                    bail!(
                        "{}:1: not a symptom rule file (expected a top-level `symptoms:` or `synonyms:` key)",
                        path.display()
                    );
                }
                self.skipped.push(path.clone());
            }
            return Ok(());
        }
        if self.load_file(path, *origin)? == 0 {
            if *explicit {
                bail!("{}:1: no scenarios found (expected a heading like `### Scenario #1: Title`)", path.display());
            }
            self.skipped.push(path.clone());
        }
        Ok(())
    }

    /// Reads a file once, decoding it (BOM, UTF-16, invalid UTF-8 reported), and records the
    /// fingerprint of its bytes.
    fn read(&mut self, path: &Path, file: &Arc<SourceFile>) -> Result<String> {
        let bytes = fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
        let decoded = encoding::decode(&bytes);
        if let Some((offset, line)) = decoded.invalid_at {
            // Load what can be loaded: invalid bytes become U+FFFD, and the user is told where.
            let what = decoded.encoding.unwrap_or("UTF-8");
            self.problems.push(Problem::new(
                Severity::Warning,
                Source { file: Arc::clone(file), line },
                format!("invalid {what} at byte offset {offset}; invalid bytes replaced with U+FFFD"),
            ));
        }
        let text = decoded.text.into_owned();
        self.sources.push(SourceRead {
            path: path.to_path_buf(),
            hash: fingerprint(&bytes),
            markdown: parse::is_markdown(&text),
        });
        Ok(text)
    }

    /// Reads a YAML file of symptom rules; returns false when it holds none (another YAML file).
    fn load_rules(&mut self, path: &Path, origin: Origin) -> Result<bool> {
        let file = Arc::new(SourceFile { path: path.to_path_buf(), origin });
        let text = self.read(path, &file)?;
        let is_rules = text.lines().any(|l| l.starts_with("symptoms:") || l.starts_with("synonyms:"));
        // The built-in rules are always loaded; a folder holding a copy of them (this repository's
        // `scenarios/`) must not define every symptom twice.
        let builtin_copy = builtin::BUILTIN_RULES.iter().any(|(_, t)| *t == text);
        if is_rules && !builtin_copy {
            self.rules.push(RuleText { file, text });
        }
        Ok(is_rules)
    }

    /// Reads and parses one file; returns how many scenarios it held.
    fn load_file(&mut self, path: &Path, origin: Origin) -> Result<usize> {
        let file = Arc::new(SourceFile { path: path.to_path_buf(), origin });
        let text = self.read(path, &file)?;
        Ok(self.add_text(&text, file))
    }

    fn add_text(&mut self, text: &str, file: Arc<SourceFile>) -> usize {
        let repaired = mojibake::repair(text);
        let mojibake_line = match &repaired {
            Cow::Borrowed(_) => None,
            Cow::Owned(fixed) => text.split('\n').zip(fixed.split('\n')).position(|(a, b)| a != b).map(|i| i + 1),
        };
        let parsed = parse_catalog(&repaired, &file);
        let count = parsed.scenarios.len();
        self.files.push(FileReport { file, scenarios: count, mojibake_line });
        self.scenarios.extend(parsed.scenarios);
        self.problems.extend(parsed.problems);
        count
    }

    fn check_duplicates(&mut self) {
        let mut by_id: BTreeMap<u32, Vec<&Scenario>> = BTreeMap::new();
        for s in &self.scenarios {
            by_id.entry(s.id).or_default().push(s);
        }
        for (id, group) in by_id.into_iter().filter(|(_, g)| g.len() > 1) {
            let places: Vec<String> = group.iter().map(|s| s.source.to_string()).collect();
            self.duplicates.push(Problem::new(
                Severity::Warning,
                group[1].source.clone(),
                format!("scenario #{id} is defined {} times: {}", group.len(), places.join(", ")),
            ));
        }
    }

    /// Every scenario numbered `id`, in load order.
    pub(crate) fn by_id(&self, id: u32) -> impl Iterator<Item = &Scenario> {
        self.scenarios.iter().filter(move |s| s.id == id)
    }
}

/// A scenario number as typed: `15` or `#15`; `program` is how the user runs k8sdoc, for the
/// hint.
pub(crate) fn parse_id(raw: &str, program: &str) -> Result<u32> {
    let digits = raw.trim().trim_start_matches('#');
    match digits.parse::<u32>() {
        Ok(id) => Ok(id),
        Err(_) => bail!("`{raw}` is not a scenario number (try `{program} search -i '{raw}'` to find one by text)"),
    }
}

/// Whether `scenario` is of category `wanted` (none: any). Category names compare without
/// case or punctuation: `control-plane` is `Control Plane`.
pub(crate) fn category_matches(scenario: &Scenario, wanted: Option<&str>) -> bool {
    match wanted {
        None => true,
        Some(w) => scenario.category.as_deref().is_some_and(|c| category_key(c) == category_key(w)),
    }
}

/// A category name as `--category` compares it: letters and digits, lowercased.
fn category_key(name: &str) -> String {
    name.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// An error listing the categories in `known` (every scenario's, repeats and blanks allowed)
/// when `wanted` is none of them: a misspelt `--category` would otherwise filter everything
/// out and look like a catalog with nothing to say.
pub(crate) fn check_category<'a>(wanted: &str, known: impl IntoIterator<Item = &'a str>) -> Result<()> {
    let key = category_key(wanted);
    let mut names: BTreeMap<String, &str> = BTreeMap::new();
    for name in known {
        let name_key = category_key(name);
        if name_key == key {
            return Ok(());
        }
        if !name_key.is_empty() {
            names.entry(name_key).or_insert(name.trim());
        }
    }
    if names.is_empty() {
        bail!("unknown category `{wanted}`: no scenario in the catalog has a category");
    }
    // A near miss (`netwrk`) is most likely a typo of one name: say which.
    let closest = names
        .iter()
        .map(|(k, name)| (strsim::jaro_winkler(&key, k), *name))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .filter(|(similarity, _)| *similarity >= 0.8);
    let hint = closest.map(|(_, name)| format!(" (did you mean `{name}`?)")).unwrap_or_default();
    let names: Vec<&str> = names.into_values().collect();
    bail!("unknown category `{wanted}`{hint}; the catalog's categories: {}", names.join(", "))
}

/// A file the catalog reads: named on the command line (or in the environment), or found in a
/// folder that was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Input {
    pub path: PathBuf,
    pub origin: Origin,
    /// Named directly: holding no scenario is then an error, not a skip.
    pub explicit: bool,
    /// The path with links and `..` resolved: the same file named two ways is read once.
    pub canonical: PathBuf,
}

/// Every file the user layers name, folders expanded (sorted, recursively), each file once;
/// and a warning for each entry of a folder that is not a regular file (a FIFO would block
/// reading forever, a device has no end), which is skipped.
pub(crate) fn candidate_files(settings: &CatalogSettings) -> Result<(Vec<Input>, Vec<Problem>)> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut special = Vec::new();
    let mut resolve = Canonical::default();
    for (path, origin) in &settings.paths {
        let meta = fs::metadata(path).with_context(|| format!("{}: cannot read", path.display()))?;
        if meta.is_dir() {
            let mut files = Vec::new();
            collect_catalog_files(path, &mut files)
                .with_context(|| format!("{}: cannot read folder", path.display()))?;
            files.sort();
            for (file, regular) in files {
                // A link or an entry of unknown type is asked about; a regular file the folder
                // listing already named as one is not (a large catalog folder is listed per query).
                if !regular && !fs::metadata(&file).is_ok_and(|m| m.is_file()) {
                    let source = Source { file: Arc::new(SourceFile { path: file, origin: *origin }), line: 0 };
                    special.push(Problem::new(
                        Severity::Warning,
                        source,
                        "not a regular file (a FIFO, socket or device); skipped",
                    ));
                    continue;
                }
                let canonical = resolve.file(&file, regular);
                if seen.insert(canonical.clone()) {
                    out.push(Input { path: file, origin: *origin, explicit: false, canonical });
                }
            }
        } else {
            let canonical = resolve.file(path, false);
            if seen.insert(canonical.clone()) {
                out.push(Input { path: path.clone(), origin: *origin, explicit: true, canonical });
            }
        }
    }
    Ok((out, special))
}

/// Each file loaded on its own into a catalog of its own, on all cores, in `inputs` order: a
/// file's loading depends on no other file, so appending the parts in order gives what loading
/// one after the other would (the first error in order is the one reported).
fn load_in_parallel(inputs: &[Input]) -> Vec<Result<Catalog>> {
    let load = |input: &Input| {
        let mut part = Catalog::default();
        part.load_input(input).map(|()| part)
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    if threads < 2 || inputs.len() < 2 {
        return inputs.iter().map(load).collect();
    }
    let chunk = inputs.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> =
            inputs.chunks(chunk).map(|part| scope.spawn(move || part.iter().map(load).collect::<Vec<_>>())).collect();
        parts
            .into_iter()
            .flat_map(|part| part.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    })
}

/// Resolves paths, each folder once: a regular file's real path is its folder's real path and
/// its name, so a folder of a thousand files costs one `realpath`, not a thousand.
#[derive(Default)]
struct Canonical {
    folders: HashMap<PathBuf, PathBuf>,
}

impl Canonical {
    /// `regular`: known to be a regular file, not a link.
    fn file(&mut self, path: &Path, regular: bool) -> PathBuf {
        let (Some(parent), Some(name), true) = (path.parent(), path.file_name(), regular) else {
            return fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        };
        let folder = self.folders.entry(parent.to_path_buf()).or_insert_with(|| {
            let at = if parent.as_os_str().is_empty() { Path::new(".") } else { parent };
            fs::canonicalize(at).unwrap_or_else(|_| parent.to_path_buf())
        });
        folder.join(name)
    }
}

/// The embedded text of a built-in catalog file, by file name.
pub(crate) fn builtin_text(name: &str) -> Option<&'static str> {
    builtin::BUILTIN.iter().find(|(n, _)| *n == name).map(|(_, text)| *text)
}

/// A fingerprint of the whole built-in catalog (scenarios and rules), fixed at build time.
pub(crate) fn builtin_fingerprint() -> u64 {
    builtin::FINGERPRINT
}

/// Catalog files under `dir`, recursively: markdown, plain text and symptom rule files (YAML),
/// hidden entries skipped.
/// Each with whether the listing says it is a regular file.
fn collect_catalog_files(dir: &Path, out: &mut Vec<(PathBuf, bool)>) -> Result<()> {
    let hidden = |e: &walkdir::DirEntry| e.depth() > 0 && e.file_name().to_string_lossy().starts_with('.');
    for entry in walkdir::WalkDir::new(dir).into_iter().filter_entry(|e| !hidden(e)) {
        let entry = entry?;
        let path = entry.path();
        // Not `is_file()`: a link to a catalog file counts, as it did before walkdir.
        if !entry.file_type().is_dir()
            && matches!(path.extension().and_then(|e| e.to_str()), Some("md" | "markdown" | "txt" | "yaml" | "yml"))
        {
            out.push((path.to_path_buf(), entry.file_type().is_file()));
        }
    }
    Ok(())
}

fn is_yaml(path: &Path) -> bool {
    matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

#[cfg(test)]
mod tests {
    use super::check_category;

    #[test]
    fn a_category_is_known_without_case_or_punctuation() {
        assert!(check_category("control-plane", ["Networking", "Control Plane"]).is_ok());
    }

    #[test]
    fn an_unknown_category_lists_the_known_ones_once_and_suggests_the_closest() {
        let err = check_category("netwrk", ["Storage", "Networking", "", "networking ", "Nodes"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown category `netwrk` (did you mean `Networking`?); the catalog's categories: Networking, Nodes, Storage"
        );
        let err = check_category("zzz", ["Storage"]).unwrap_err();
        assert_eq!(err.to_string(), "unknown category `zzz`; the catalog's categories: Storage");
        let err = check_category("zzz", [""]).unwrap_err();
        assert_eq!(err.to_string(), "unknown category `zzz`: no scenario in the catalog has a category");
    }
}
