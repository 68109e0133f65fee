//! Ranking properties through the binary, on every query set and catalog the tests have:
//! - the real-world set (`tests/data/real-world.yaml`: messages users posted in public threads)
//!   meets its bar on the built-in catalog;
//! - with the symptom rules, diagnose is never below its own text-only ranking (`--text-only`,
//!   plain BM25F) on top-3 or MRR, for every set, on the built-in catalog and on the built-in
//!   text loaded as user catalogs nobody wrote rules for (Covers lines removed, scenarios
//!   renumbered so curated links cannot apply), in the markdown and in the plain-text format.
//!
//! `benches/eval.py` prints the same figures as a table.

use std::collections::{HashMap, HashSet};

use crate::util::{catalog_covers, k8sdoc, read_yaml, repo};
use regex::RegexBuilder;
use serde::Deserialize;
use serde_json::Value;

/// Scenario numbers of the generated catalogs are the built-in ones plus this.
const OFFSET: u64 = 50_000;

#[derive(Deserialize)]
struct RealWorld {
    kind: String,
    text: String,
    expect: String,
    thread: String,
}

#[derive(Deserialize)]
struct DevCase {
    q: String,
    #[serde(default)]
    expect: Vec<u64>,
}

#[derive(Deserialize)]
struct CoverageCase {
    key: String,
    signal: String,
    message: String,
}

enum Want {
    Ids(Vec<u64>),
    Keys(Vec<String>),
    Title(regex::Regex),
}

struct Case {
    paste: bool,
    query: Vec<u8>,
    want: Want,
}

fn title_regex(pattern: &str) -> regex::Regex {
    RegexBuilder::new(pattern).case_insensitive(true).build().unwrap_or_else(|e| panic!("{pattern}: {e}"))
}

fn real_world() -> Vec<Case> {
    let cases: Vec<RealWorld> = read_yaml(&repo().join("tests/data/real-world.yaml"));
    cases
        .into_iter()
        .map(|c| {
            assert!(c.thread.starts_with("https://"), "{}: no thread address", c.expect);
            Case { paste: c.kind == "paste", query: c.text.into_bytes(), want: Want::Title(title_regex(&c.expect)) }
        })
        .collect()
}

fn sets() -> Vec<(&'static str, Vec<Case>)> {
    let data = repo().join("tests/data");
    let dev: Vec<DevCase> = read_yaml(&data.join("dev-queries.yaml"));
    let dev = dev
        .into_iter()
        .filter(|c| !c.expect.is_empty())
        .map(|c| Case { paste: false, query: c.q.into_bytes(), want: Want::Ids(c.expect) })
        .collect();
    let coverage: Vec<CoverageCase> = read_yaml(&data.join("coverage-queries.yaml"));
    let coverage = coverage
        .into_iter()
        .flat_map(|c| {
            [c.signal, c.message].map(|q| Case {
                paste: false,
                query: q.into_bytes(),
                want: Want::Keys(vec![c.key.clone()]),
            })
        })
        .collect();
    let expect: std::collections::BTreeMap<String, Vec<String>> = read_yaml(&data.join("pastes/expect.yaml"));
    let pastes = expect
        .into_iter()
        .map(|(file, keys)| Case {
            paste: true,
            query: std::fs::read(data.join("pastes").join(file)).unwrap(),
            want: Want::Keys(keys),
        })
        .collect();
    vec![("dev", dev), ("coverage", coverage), ("pastes", pastes), ("real-world", real_world())]
}

/// The built-in scenario text with Covers lines removed and every number moved by [`OFFSET`]:
/// a catalog the rules know nothing about, but whose right answers are known.
fn without_rules_knowledge() -> String {
    let mut names: Vec<_> = std::fs::read_dir(repo().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    names.sort();
    let mut out = String::new();
    for path in names {
        for line in std::fs::read_to_string(path).unwrap().lines() {
            if line.starts_with("**Covers:**") {
                continue;
            }
            match line.split_once("Scenario #") {
                Some((head, rest)) => {
                    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    let n: u64 = digits.parse().unwrap();
                    out.push_str(&format!("{head}Scenario #{}{}\n", n + OFFSET, &rest[digits.len()..]));
                }
                None => {
                    out.push_str(line);
                    out.push('\n');
                }
            }
        }
        out.push('\n');
    }
    out
}

/// The markdown format as the plain-text variant writes it (📘 headings, `Label:` lines, `•`
/// bullets, `bash` / `CopyEdit` before commands).
fn to_plain(markdown: &str) -> String {
    let mut out = String::new();
    let mut code = false;
    for line in markdown.lines() {
        if line.starts_with("```") {
            if !code {
                out.push_str("bash\nCopyEdit\n");
            }
            code = !code;
            continue;
        }
        if code {
            out.push_str(line);
        } else if let Some(at) = line.find("Scenario #").filter(|_| line.starts_with('#')) {
            out.push_str("📘 ");
            out.push_str(&line[at..]);
        } else if line.starts_with("# ") || line.trim() == "---" {
            continue;
        } else if let Some(rest) = line.strip_prefix("**") {
            match rest.split_once(":**") {
                Some((label, text)) => out.push_str(&format!("{label}:{text}")),
                None => out.push_str(line),
            }
        } else if let Some(rest) = line.strip_prefix("- ") {
            out.push_str("\t• ");
            out.push_str(rest);
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// The rank (1-based) of the first right answer among the top 10, for each case.
fn ranks(
    catalog: &[String],
    offset: u64,
    cases: &[Case],
    text_only: bool,
    covers: &HashMap<u64, HashSet<String>>,
) -> Vec<Option<usize>> {
    let one = |case: &Case| -> Option<usize> {
        let mut cmd = k8sdoc();
        cmd.args(catalog).args(["diagnose", "--format", "json", "--limit", "10"]);
        if text_only {
            cmd.arg("--text-only");
        }
        if case.paste {
            cmd.args(["--from", "-"]).write_stdin(case.query.clone());
        } else {
            cmd.args(["--symptom", std::str::from_utf8(&case.query).unwrap()]);
        }
        let out = cmd.output().unwrap();
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .position(|r| {
                let id = r["id"].as_u64().unwrap() - offset;
                match &case.want {
                    Want::Ids(ids) => ids.contains(&id),
                    Want::Keys(keys) => covers.get(&id).is_some_and(|c| keys.iter().any(|k| c.contains(k))),
                    Want::Title(re) => re.is_match(r["title"].as_str().unwrap()),
                }
            })
            .map(|i| i + 1)
    };
    let half = cases.len().div_ceil(2).max(1);
    std::thread::scope(|scope| {
        let parts: Vec<_> =
            cases.chunks(half).map(|part| scope.spawn(move || part.iter().map(one).collect::<Vec<_>>())).collect();
        parts.into_iter().flat_map(|h| h.join().unwrap()).collect()
    })
}

struct Figures {
    top1: f64,
    top3: f64,
    mrr: f64,
}

fn figures(ranks: &[Option<usize>]) -> Figures {
    let n = ranks.len() as f64;
    Figures {
        top1: ranks.iter().filter(|r| **r == Some(1)).count() as f64 / n,
        top3: ranks.iter().filter(|r| r.is_some_and(|r| r <= 3)).count() as f64 / n,
        mrr: ranks.iter().flatten().map(|r| 1.0 / *r as f64).sum::<f64>() / n,
    }
}

#[test]
fn real_world_messages_rank_a_right_scenario() {
    let cases = real_world();
    assert!(cases.len() >= 150, "only {} real-world cases", cases.len());
    let pastes = cases.iter().filter(|c| c.paste).count();
    assert!(pastes * 2 >= cases.len(), "only {pastes} multi-line pastes of {}", cases.len());
    let covers = catalog_covers();
    let with = figures(&ranks(&[], 0, &cases, false, &covers));
    let text = figures(&ranks(&[], 0, &cases, true, &covers));
    assert!(with.top3 >= 0.90, "top-3 {:.3}", with.top3);
    assert!(with.top1 >= 0.75, "top-1 {:.3}", with.top1);
    assert!(
        with.top3 >= text.top3 && with.mrr >= text.mrr,
        "rules {:.3}/{:.3} below text-only {:.3}/{:.3}",
        with.top3,
        with.mrr,
        text.top3,
        text.mrr
    );
}

#[test]
fn rules_never_rank_below_text_alone_on_any_catalog_or_set() {
    let dir = tempfile::tempdir().unwrap();
    let markdown = without_rules_knowledge();
    std::fs::create_dir(dir.path().join("md")).unwrap();
    std::fs::create_dir(dir.path().join("plain")).unwrap();
    std::fs::write(dir.path().join("md/all.md"), &markdown).unwrap();
    std::fs::write(dir.path().join("plain/all.txt"), to_plain(&markdown)).unwrap();
    let user = |sub: &str| {
        vec!["--no-builtin".to_string(), "--scenarios".to_string(), dir.path().join(sub).display().to_string()]
    };
    let catalogs = [
        ("built-in", Vec::new(), 0),
        ("markdown, no rules", user("md"), OFFSET),
        ("plain, no rules", user("plain"), OFFSET),
    ];
    // The generated catalogs hold every built-in scenario.
    for (name, catalog, _) in &catalogs {
        let out = k8sdoc().args(catalog).args(["list", "--format", "json"]).output().unwrap();
        let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(listed.as_array().unwrap().len() >= 420, "{name}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let covers = catalog_covers();
    let mut failures = Vec::new();
    for (set, cases) in sets() {
        for (name, catalog, offset) in &catalogs {
            let with = figures(&ranks(catalog, *offset, &cases, false, &covers));
            let text = figures(&ranks(catalog, *offset, &cases, true, &covers));
            // Equal MRRs summed in another order can differ in the last bit.
            if with.top3 < text.top3 || with.mrr < text.mrr - 1e-9 {
                failures.push(format!(
                    "{set} on {name}: rules top-3 {:.3} MRR {:.3}, text-only top-3 {:.3} MRR {:.3}",
                    with.top3, with.mrr, text.top3, text.mrr
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
