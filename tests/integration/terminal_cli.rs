//! Output that looks right in a real terminal: dynamic completion from the real catalog, one man
//! page for every command, the kubectl plugin form (`kubectl doc`), `-o` for `--format`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::util::{fixture, k8sdoc, k8sdoc_process, stdout_of};

/// A user catalog with one scenario, numbered clear of the built-in ones, of its own category.
fn user_catalog() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("runbook.md"),
        "### Scenario #7123: Disk full on build nodes\n\n**Category:** Build Farm\n\n**Summary:** The disk fills up.\n",
    )
    .unwrap();
    dir
}

/// What the shell's completion script runs on TAB: `COMPLETE=SHELL k8sdoc -- WORDS...`, with
/// the index of the word being completed for bash (fish completes the last word).
fn complete(shell: &str, words: &[&str], env: &[(&str, &Path)]) -> Vec<String> {
    let mut cmd = k8sdoc_process();
    cmd.env("COMPLETE", shell).env("_CLAP_COMPLETE_INDEX", (words.len() - 1).to_string()).arg("--").args(words);
    for (name, value) in env {
        cmd.env(name, value);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{words:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(str::to_string).collect()
}

fn values(candidates: &[String]) -> Vec<&str> {
    candidates.iter().map(|c| c.split('\t').next().unwrap()).collect()
}

#[test]
fn completion_offers_a_user_scenario_number_from_k8sdoc_scenarios() {
    let catalog = user_catalog();
    let env = [("K8SDOC_SCENARIOS", catalog.path())];
    let bash = complete("bash", &["k8sdoc", "show", "71"], &env);
    assert_eq!(bash, ["7123"], "only the numbers starting with 71");
    let all = complete("bash", &["k8sdoc", "show", ""], &env);
    assert!(all.iter().any(|c| c == "7123") && all.iter().any(|c| c == "1001") && all.iter().any(|c| c == "15"));
    // The title is the help text, where the shell shows one.
    let fish = complete("fish", &["k8sdoc", "show", "7"], &env);
    assert!(fish.contains(&"7123\tDisk full on build nodes".to_string()), "{fish:?}");
}

#[test]
fn completion_reads_scenarios_given_earlier_on_the_line() {
    let catalog = user_catalog();
    let dir = catalog.path().to_str().unwrap();
    let offered = complete("bash", &["k8sdoc", "--scenarios", dir, "show", "712"], &[]);
    assert_eq!(offered, ["7123"]);
    let categories = complete("bash", &["k8sdoc", "--scenarios", dir, "--no-builtin", "list", "--category", ""], &[]);
    assert_eq!(categories, ["build-farm"], "--no-builtin on the line leaves the built-in categories out");
}

#[test]
fn completion_offers_categories_and_fields_but_not_hidden_flags() {
    let catalog = user_catalog();
    let env = [("K8SDOC_SCENARIOS", catalog.path())];
    for sub in ["diagnose", "list", "search"] {
        let offered = complete("bash", &["k8sdoc", sub, "--category", ""], &env);
        for category in ["control-plane", "networking", "workloads", "build-farm"] {
            assert!(offered.iter().any(|c| c == category), "{sub} --category lacks {category}: {offered:?}");
        }
    }
    let fields = complete("bash", &["k8sdoc", "search", "--field", ""], &[]);
    for field in ["title", "summary", "diagnosis_steps", "fix", "root_cause"] {
        assert!(fields.iter().any(|c| c == field), "--field lacks {field}: {fields:?}");
    }
    let flags = complete("fish", &["k8sdoc", "diagnose", "--"], &[]);
    let flags = values(&flags);
    assert!(flags.contains(&"--explain") && flags.contains(&"--format"), "{flags:?}");
    assert!(!flags.contains(&"--text-only"), "a hidden flag is offered: {flags:?}");
    let formats = complete("bash", &["k8sdoc", "show", "-o", ""], &[]);
    assert_eq!(formats, ["text", "markdown", "json", "yaml"]);
}

#[test]
fn the_completions_command_prints_the_registration_complete_prints() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout_of(k8sdoc().args(["completions", shell]));
        let registration = stdout_of(k8sdoc().env("COMPLETE", shell));
        assert_eq!(script, registration, "{shell}");
    }
    let bash = stdout_of(k8sdoc().args(["completions", "bash"]));
    assert!(bash.contains("-F _clap_complete_k8sdoc k8sdoc"), "{bash}");
    k8sdoc().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn the_man_page_documents_every_command_and_its_options_and_no_other_page() {
    let page = stdout_of(k8sdoc().arg("man"));
    assert!(page.starts_with(".ie") && page.contains(".TH k8sdoc 1"), "{page}");
    let subcommands =
        ["diagnose", "analyze", "show", "list", "search", "lint", "catalog", "new", "completions", "man", "config"];
    for sub in subcommands {
        assert!(page.contains(&format!(".SS \"k8sdoc {sub}\"\n")), "no section for {sub}");
    }
    // roff escapes a hyphen as `\-`.
    for option in [r"\-\-explain", r"\-\-fail\-on", r"\-\-field", r"\-\-min\-severity", r"\-\-strict", r"\-o"] {
        assert!(page.contains(option), "{option} is not documented");
    }
    assert!(!page.contains(r"k8sdoc\-") && !page.contains("k8sdoc-"), "the page refers to a page that does not exist");
    // Examples keep their lines (no-fill), rather than being run into one paragraph.
    assert!(page.contains(".nf\nExamples:\n"), "{page}");
}

/// The binary linked into `dir` as the kubectl plugin `kubectl-doc`.
fn link_kubectl_doc(dir: &Path) -> PathBuf {
    let link = dir.join("kubectl-doc");
    let binary = assert_cmd::cargo::cargo_bin("k8sdoc");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&binary, &link).unwrap();
    #[cfg(not(unix))]
    std::fs::copy(&binary, &link).unwrap();
    link
}

/// The plugin, in the environment every test runs the binary in.
fn kubectl_doc(link: &Path) -> Command {
    let isolated = k8sdoc_process();
    let mut cmd = Command::new(link);
    for (name, value) in isolated.get_envs() {
        match value {
            Some(value) => cmd.env(name, value),
            None => cmd.env_remove(name),
        };
    }
    cmd.current_dir(isolated.get_current_dir().unwrap());
    cmd
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

#[test]
fn as_kubectl_doc_usage_errors_and_hints_say_kubectl_doc() {
    let dir = tempfile::tempdir().unwrap();
    let link = link_kubectl_doc(dir.path());
    let run = |args: &[&str]| kubectl_doc(&link).args(args).output().unwrap();

    let bare = run(&[]);
    assert_eq!(bare.status.code(), Some(2));
    let text = stderr(&bare);
    assert!(text.contains("kubectl doc diagnose --symptom") && text.contains("kubectl doc show 15"), "{text}");
    assert!(!text.contains("k8sdoc"), "{text}");

    let bad = run(&["--bogus"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("Usage: kubectl doc [OPTIONS] [COMMAND]"), "{}", stderr(&bad));

    let missing = run(&["show"]);
    assert!(stderr(&missing).contains("Usage: kubectl doc show <ID>..."), "{}", stderr(&missing));

    let text = stderr(&run(&["show", "abc"]));
    assert!(text.starts_with("kubectl doc: error:") && text.contains("`kubectl doc search -i 'abc'`"), "{text}");

    let nothing = run(&["diagnose", "-s", "zzzqqqxx"]);
    assert_eq!(nothing.status.code(), Some(1));
    assert!(stderr(&nothing).contains("`kubectl doc search -i WORD`"), "{}", stderr(&nothing));

    let help = String::from_utf8(run(&["search", "--help"]).stdout).unwrap();
    assert!(help.contains("Usage: kubectl doc search") && help.contains("  kubectl doc search -i finalizer"), "{help}");
}

#[test]
fn dash_o_is_format_on_every_command_that_has_it() {
    let long: Value = serde_json::from_str(&stdout_of(k8sdoc().args(["show", "15", "--format", "json"]))).unwrap();
    let short: Value = serde_json::from_str(&stdout_of(k8sdoc().args(["show", "15", "-o", "json"]))).unwrap();
    assert_eq!(long, short);
    let list = stdout_of(k8sdoc().args(["list", "-o", "yaml"]));
    assert!(list.starts_with("- id: "), "{list}");
    let ranked: Value =
        serde_json::from_str(&stdout_of(k8sdoc().args(["diagnose", "-s", "pods stuck Terminating", "-o", "json"])))
            .unwrap();
    assert!(ranked.get("results").is_some(), "{ranked}");
    let dump = fixture("dump");
    let analyzed = k8sdoc().arg("analyze").arg(&dump).args(["-o", "json"]).output().unwrap();
    serde_json::from_slice::<Value>(&analyzed.stdout).expect("analyze -o json prints JSON");
}
