//! The same question gets the same answer, byte for byte: from a cold start (the index built in
//! memory, the scenarios taken from the parsed catalog) and from a warm one (the index read back
//! from the cache, each result's scenario read again from its file), in the debug build and the
//! release build, and before and after a change to how the engine gets there.
//!
//! `tests/data/answers.txt` holds a digest of each answer (`diagnose --explain`: every score to two
//! decimals, every term's part, the fix commands) for a few hundred queries: the development set,
//! each coverage key's signal and message, the real-world messages and pastes, and the paste
//! files, against the built-in catalog and, for a sample, against user catalog files in both
//! formats. `cargo test` and `cargo test --release` both check against the same file, so the two
//! builds agree with each other. After a change meant to alter answers (a scenario edited, a rule
//! added), regenerate it and review what moved:
//! `K8SDOC_BLESS=1 cargo test --test integration answers_are_the_recorded_ones`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Deserialize;

use crate::util::{k8sdoc_process, repo};

/// A YAML file of `tests/data`.
fn data<T: serde::de::DeserializeOwned>(name: &str) -> T {
    crate::util::read_yaml(&repo().join("tests/data").join(name))
}

const RECORDED: &str = "tests/data/answers.txt";

/// User catalog files layered on the built-in one for part of the queries: markdown with the seed's
/// mojibake, the plain-text variant, and a folder, so answers read scenarios back from real files.
const USER_CATALOG: [&str; 3] = ["tests/data/seed.txt", "tests/fixtures/plain/collection.txt", "tests/fixtures/folder"];

/// Every how-manyth query is also asked against the user catalog.
const SAMPLE_EVERY: usize = 6;
/// Every how-manyth answer is also asked cold (each cold call indexes the whole catalog).
const COLD_EVERY: usize = 16;

#[derive(Deserialize)]
struct DevCase {
    q: String,
}

#[derive(Deserialize)]
struct CoverageCase {
    key: String,
    signal: String,
    message: String,
}

#[derive(Deserialize)]
struct RealCase {
    kind: String,
    text: String,
}

/// What is asked: typed text (`--symptom`) or pasted output (`--from -`).
#[derive(Clone)]
enum Asked {
    Symptom(String),
    Paste(Vec<u8>),
}

#[derive(Clone)]
struct Query {
    label: String,
    asked: Asked,
}

fn queries() -> Vec<Query> {
    let mut queries = Vec::new();
    let mut push = |label: String, asked: Asked| queries.push(Query { label, asked });
    for (i, case) in data::<Vec<DevCase>>("dev-queries.yaml").into_iter().enumerate() {
        push(format!("dev {}", i + 1), Asked::Symptom(case.q));
    }
    for case in data::<Vec<CoverageCase>>("coverage-queries.yaml") {
        push(format!("coverage {} signal", case.key), Asked::Symptom(case.signal));
        push(format!("coverage {} message", case.key), Asked::Symptom(case.message));
    }
    for (i, case) in data::<Vec<RealCase>>("real-world.yaml").into_iter().enumerate() {
        let asked = match case.kind.as_str() {
            "paste" => Asked::Paste(case.text.into_bytes()),
            _ => Asked::Symptom(case.text),
        };
        push(format!("real-world {}", i + 1), asked);
    }
    let mut pastes: Vec<PathBuf> = std::fs::read_dir(repo().join("tests/data/pastes"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    pastes.sort();
    for path in pastes {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        push(format!("paste {name}"), Asked::Paste(std::fs::read(&path).unwrap()));
    }
    queries
}

/// How k8sdoc is started: which catalog, and whether it may use a cached index.
#[derive(Clone, Copy, PartialEq)]
enum Start {
    /// The index read from this cache directory (built there by an earlier call).
    Warm,
    /// No usable cache: the index is built in memory for this one call.
    Cold,
}

struct Answer {
    exit: i32,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

fn ask(query: &Query, user_catalog: bool, start: Start, cache: &Path) -> Answer {
    let mut cmd = k8sdoc_process();
    if user_catalog {
        for path in USER_CATALOG {
            cmd.args(["--scenarios", path]);
        }
    }
    cmd.args(["diagnose", "--explain", "--color", "never"]);
    // A cache directory that cannot be created: nothing is read or saved, every call builds anew.
    let cache = match start {
        Start::Warm => cache.to_path_buf(),
        Start::Cold => PathBuf::from("/dev/null/no-cache"),
    };
    cmd.env("K8SDOC_CACHE_DIR", cache).env("COLUMNS", "100");
    let input = match &query.asked {
        Asked::Symptom(text) => {
            cmd.args(["--symptom", text]);
            Vec::new()
        }
        Asked::Paste(bytes) => {
            cmd.args(["--from", "-"]);
            bytes.clone()
        }
    };
    cmd.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || std::io::Write::write_all(&mut stdin, &input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    Answer { exit: out.status.code().unwrap_or(-1), stdout: out.stdout, stderr: out.stderr }
}

/// FNV-1a, 64 bits: stable across Rust versions and platforms, unlike `DefaultHasher`.
fn digest(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// The scenario numbers an answer lists, for a readable record (`1. #15  Title`).
fn listed_ids(stdout: &[u8]) -> String {
    let text = String::from_utf8_lossy(stdout);
    let ids: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split_once(". #").filter(|(n, _)| n.chars().all(|c| c.is_ascii_digit()) && !n.is_empty()))
        .filter_map(|(_, rest)| rest.split_whitespace().next())
        .collect();
    if ids.is_empty() {
        "-".to_string()
    } else {
        ids.join(",")
    }
}

/// One line of the record: digest, exit code, listed scenarios, label.
fn record_line(label: &str, answer: &Answer) -> String {
    format!("{:016x} {} {} {label}", digest(&answer.stdout), answer.exit, listed_ids(&answer.stdout))
}

/// Runs `work` on every item on a few threads, keeping the items' order in the results.
fn in_parallel<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        done.push((i, work(item)));
                    }
                    done
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap()).collect()
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

#[test]
fn answers_are_the_recorded_ones_warm_and_cold() {
    let cache = tempfile::tempdir().unwrap();
    let queries = queries();
    assert!(queries.len() >= 300, "only {} queries", queries.len());
    // (query, with the user catalog)
    let mut asked: Vec<(&Query, bool)> = queries.iter().map(|q| (q, false)).collect();
    asked.extend(queries.iter().step_by(SAMPLE_EVERY).map(|q| (q, true)));
    // Build both indexes once, so the warm calls below read them back.
    for user_catalog in [false, true] {
        let first = ask(&queries[0], user_catalog, Start::Warm, cache.path());
        assert!(first.exit <= 1, "{}", String::from_utf8_lossy(&first.stderr));
    }
    let warm = in_parallel(&asked, |(q, user)| ask(q, *user, Start::Warm, cache.path()));
    for ((q, _), answer) in asked.iter().zip(&warm) {
        assert!(answer.exit <= 1, "{}: exit {}: {}", q.label, answer.exit, String::from_utf8_lossy(&answer.stderr));
        assert!(!answer.stdout.is_empty() || answer.exit == 1, "{}: no output", q.label);
    }

    // Cold answers, for the sample: the same bytes.
    let sample: Vec<(&Query, bool)> = asked.iter().copied().step_by(COLD_EVERY).collect();
    let cold = in_parallel(&sample, |(q, user)| ask(q, *user, Start::Cold, cache.path()));
    let mut differ = Vec::new();
    for ((q, user), cold) in sample.iter().zip(&cold) {
        let i = asked.iter().position(|(a, u)| std::ptr::eq(*a, *q) && u == user).unwrap();
        if cold.stdout != warm[i].stdout || cold.exit != warm[i].exit {
            differ.push(format!(
                "{} (user catalog: {user}):\n--- warm\n{}\n--- cold\n{}",
                q.label,
                String::from_utf8_lossy(&warm[i].stdout),
                String::from_utf8_lossy(&cold.stdout)
            ));
        }
    }
    assert!(
        differ.is_empty(),
        "{} of {} answers differ warm and cold:\n{}",
        differ.len(),
        sample.len(),
        differ.join("\n")
    );

    let lines: Vec<String> = asked
        .iter()
        .zip(&warm)
        .map(|((q, user), a)| record_line(&format!("{}{}", if *user { "user-catalog " } else { "" }, q.label), a))
        .collect();
    let header = "# Digests of `k8sdoc diagnose --explain` answers: FNV-1a 64 of stdout, exit code, scenarios \
                  listed, query.\n# Checked by tests/integration/answers.rs; regenerate with \
                  K8SDOC_BLESS=1 and review the diff.\n";
    let now = format!("{header}{}\n", lines.join("\n"));
    let path = repo().join(RECORDED);
    if std::env::var_os("K8SDOC_BLESS").is_some() {
        std::fs::write(&path, &now).unwrap();
        return;
    }
    let recorded = std::fs::read_to_string(&path).unwrap_or_default();
    let changed: Vec<String> = recorded
        .lines()
        .filter(|l| !l.starts_with('#'))
        .zip(&lines)
        .filter(|(old, new)| old != new)
        .map(|(old, new)| format!("  was {old}\n  now {new}"))
        .collect();
    let count = recorded.lines().filter(|l| !l.starts_with('#')).count();
    assert!(
        changed.is_empty() && count == lines.len(),
        "{} of {} answers changed ({} recorded):\n{}\n(K8SDOC_BLESS=1 records the new answers; review the diff)",
        changed.len(),
        lines.len(),
        count,
        changed.join("\n")
    );
}
