//! `k8sdoc new`: a scenario template with every section, under the next free number.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::catalog::model::Origin;
use crate::catalog::template::{next_number, template};
use crate::cli::{config, NewArgs, Settings};
use crate::exit_codes::Outcome;
use crate::output::sanitize::{is_unsafe, sanitize};

pub(crate) fn run(args: &NewArgs, settings: &Settings, out: &mut dyn Write) -> Result<Outcome> {
    if let Some(c) = args.title.chars().find(|c| c.is_control() || is_unsafe(*c)) {
        bail!("--title must be one line of text (it holds {:?})", c);
    }
    let dir = match &args.path {
        Some(path) => path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_path_buf(),
        None => {
            let dir = config::scenarios_dir().context("no config directory (set K8SDOC_CONFIG_DIR or HOME)")?;
            std::fs::create_dir_all(&dir).with_context(|| format!("{}: cannot create", dir.display()))?;
            dir
        }
    };
    // Two `new` at once must not hand out the same number: the number is chosen, and the file
    // written, under a lock in the folder it goes to.
    let _lock = Lock::acquire(&dir, &settings.program)?;
    // The config directory's `scenarios/` is a layer only if it existed when k8sdoc started; the
    // first `new` creates it, and one started just before must still see what that one wrote.
    let mut settings = settings.clone();
    if let Some(user_dir) = config::scenarios_dir().filter(|d| d.is_dir()) {
        if !settings.catalog.paths.iter().any(|(p, _)| *p == user_dir) {
            settings.catalog.paths.insert(0, (user_dir, Origin::ConfigDir));
        }
    }
    let catalog = super::load_catalog(&settings)?;
    let id = next_number(&catalog);
    let path = args.path.clone().unwrap_or_else(|| dir.join(format!("{id}-{}.md", slug(&args.title))));
    // `create_new` refuses an existing file atomically: no check-then-write race.
    let mut file = match OpenOptions::new().write(true).create_new(true).open(&path) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            bail!("{}: already exists; not overwriting it", path.display())
        }
        Err(err) => return Err(err).with_context(|| format!("{}: cannot create", path.display())),
    };
    file.write_all(template(id, &args.title).as_bytes())
        .with_context(|| format!("{}: cannot write", path.display()))?;
    writeln!(out, "{}", sanitize(&path.display().to_string()))?;
    Ok(Outcome::Found)
}

/// An exclusive lock: a file created with `create_new` (atomic on every file system k8sdoc
/// runs on), removed when dropped. A lock left by a crashed process is taken over after
/// `STALE_LOCK`.
struct Lock(PathBuf);

const STALE_LOCK: Duration = Duration::from_secs(30);

impl Lock {
    fn acquire(dir: &Path, program: &str) -> Result<Lock> {
        let path = dir.join(".k8sdoc-new.lock");
        let started = Instant::now();
        loop {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(_) => return Ok(Lock(path)),
                Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                    let age = std::fs::metadata(&path).and_then(|m| m.modified()).ok().and_then(|t| t.elapsed().ok());
                    if age.is_some_and(|a| a > STALE_LOCK) {
                        let _ = std::fs::remove_file(&path);
                    } else if started.elapsed() > STALE_LOCK * 2 {
                        bail!(
                            "{}: another `{program} new` holds this lock; remove it if none is running",
                            path.display()
                        );
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(err) => return Err(err).with_context(|| format!("{}: cannot create", path.display())),
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn slug(title: &str) -> String {
    let words: Vec<String> =
        title.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).take(8).map(str::to_lowercase).collect();
    if words.is_empty() {
        "scenario".to_string()
    } else {
        words.join("-")
    }
}
