//! Reliability promises through the real binary: catalog parsing that never mixes scenarios,
//! input encodings, user rule files, the persistent index and its cache folder, special files,
//! closed pipes, untrusted text on the terminal, and `new` run concurrently.
//!
//! Every input is generated in a temporary folder; tests that touch the index use their own
//! `K8SDOC_CACHE_DIR`.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, SystemTime};

use crate::util::{k8sdoc, k8sdoc_process};
use serde_json::Value;

/// Hang guard for inputs that could block a read forever (FIFOs): not a speed target.
const HANG_GUARD: Duration = Duration::from_secs(60);

/// A scenario with every section; `word` appears in the summary, root cause and fix so the
/// scenario can be told apart from others in the same file.
fn scenario(heading: &str, word: &str) -> String {
    format!(
        "{heading}\n\
         **Category:** Workloads\n\
         \n\
         **Environment:** K8s v1.28, kubeadm\n\
         \n\
         **Summary:** The {word} summary says what broke.\n\
         \n\
         **What Happened:**\n\
         - The {word} deployment rolled out.\n\
         \n\
         **Diagnosis Steps:**\n\
         - `kubectl get pods -n {word}` → pods not ready.\n\
         \n\
         **Root Cause:** The {word} root cause.\n\
         \n\
         **Fix / Workaround:**\n\
         ```bash\n\
         kubectl rollout restart deployment/{word}\n\
         ```\n\
         \n\
         **Lessons Learned:**\n\
         - Check {word} first.\n\
         \n\
         **How to Avoid:**\n\
         - Test {word} changes.\n\
         \n"
    )
}

fn write(path: &Path, content: impl AsRef<[u8]>) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(path, content).unwrap();
}

/// UTF-16LE with a byte order mark, as PowerShell's `>` writes it.
fn utf16le(text: &str) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    bytes
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Exit code, stdout and stderr in one line, for assertion messages.
fn describe(out: &Output) -> String {
    format!("exit {:?}\n--- stdout\n{}\n--- stderr\n{}", out.status.code(), text(&out.stdout), text(&out.stderr))
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", describe(out)))
}

/// `(id, title)` of every scenario `list --format json` printed.
fn listed(out: &Output) -> Vec<(u64, String)> {
    json_of(out)
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_u64().unwrap(), s["title"].as_str().unwrap().to_string()))
        .collect()
}

/// A pod whose only container is in CrashLoopBackOff, in the shape `kubectl get pod -o json` writes.
fn crashloop_pod(namespace: &str, name: &str) -> Value {
    serde_json::json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": { "name": name, "namespace": namespace },
        "spec": { "nodeName": "node-1", "containers": [{ "name": "app", "image": "registry.example.com/app:1.0" }] },
        "status": {
            "phase": "Running",
            "containerStatuses": [{
                "name": "app",
                "ready": false,
                "restartCount": 14,
                "image": "registry.example.com/app:1.0",
                "imageID": "",
                "started": false,
                "state": { "waiting": {
                    "reason": "CrashLoopBackOff",
                    "message": format!("back-off 5m0s restarting failed container=app pod={name}")
                } },
                "lastState": { "terminated": { "exitCode": 1, "reason": "Error" } }
            }]
        }
    })
}

/// `(namespace, name)` of every finding's object in `analyze --format json` output.
fn finding_objects(out: &Output) -> Vec<(String, String)> {
    json_of(out)["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings array: {}", describe(out)))
        .iter()
        .map(|f| {
            let o = &f["object"];
            (o["namespace"].as_str().unwrap_or("").to_string(), o["name"].as_str().unwrap_or("").to_string())
        })
        .collect()
}

fn set_times(path: &Path, accessed: SystemTime, modified: SystemTime) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_times(std::fs::FileTimes::new().set_accessed(accessed).set_modified(modified)).unwrap();
}

fn days_ago(days: u64) -> SystemTime {
    SystemTime::now() - Duration::from_secs(days * 24 * 3600)
}

/// Line (1-based) of the first line of `content` that contains `needle`.
fn line_of(content: &str, needle: &str) -> usize {
    content.lines().position(|l| l.contains(needle)).unwrap() + 1
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {} failed", path.display());
}

/// A bad heading's body (here a destructive fix) never ends up in the scenario above it, and
/// `lint` points at the bad heading's line.
#[test]
fn bad_heading_never_gives_its_body_to_the_scenario_above() {
    let dir = tempfile::tempdir().unwrap();
    let good = "### Scenario #1: Good\n**Category:** Workloads\n\n**Environment:** K8s v1.28\n\n\
                **Summary:** The good one.\n\n**What Happened:**\n- Pods restarted.\n\n\
                **Diagnosis Steps:**\n- `kubectl get pods` → restarts.\n\n**Root Cause:** A bad image.\n\n\
                **Fix / Workaround:**\n```bash\nkubectl get pods\n```\n\n";
    let bad_body = "**Category:** Control Plane\n\n**Summary:** Zebra summary of the bad one.\n\n\
                    **Root Cause:** Quokka root cause.\n\n\
                    **Fix / Workaround:**\n```bash\nrm -rf /var/lib/etcd\n```\n- Xylophone step.\n";
    for (name, heading) in
        [("too-big.md", "### Scenario #99999999999: Too big"), ("no-number.md", "### Scenario: no number")]
    {
        let content = format!("{good}{heading}\n{bad_body}");
        let path = dir.path().join(name);
        write(&path, &content);
        let out = k8sdoc()
            .arg("--no-builtin")
            .arg("--scenarios")
            .arg(&path)
            .args(["show", "1", "--format", "json"])
            .env("K8SDOC_CACHE_DIR", dir.path().join("cache"))
            .output()
            .unwrap();
        let v = json_of(&out);
        let one = v[0].to_string();
        assert_eq!(v[0]["fix"][0], "kubectl get pods", "{name}: {}", describe(&out));
        for leaked in ["rm -rf /var/lib/etcd", "Zebra", "Quokka", "Xylophone", "Too big", "no number"] {
            assert!(!one.contains(leaked), "{name}: scenario #1 took {leaked:?} from the bad heading's body: {one}");
        }
        let lint = k8sdoc().arg("lint").arg(&path).env("K8SDOC_CACHE_DIR", dir.path().join("cache")).output().unwrap();
        assert_eq!(lint.status.code(), Some(1), "{name}: {}", describe(&lint));
        let at = format!("{}:{}", path.display(), line_of(&content, heading));
        let all = format!("{}{}", text(&lint.stdout), text(&lint.stderr));
        assert!(all.contains(&at), "{name}: lint does not name {at}: {}", describe(&lint));
    }
}

/// Headings a person reads as scenarios (no space after `###`, upper or lower case, no `#`,
/// `No.`, a bold line) load as scenarios of their own, not as text of the one above.
#[test]
fn headings_a_person_reads_as_scenarios_load_as_their_own() {
    let dir = tempfile::tempdir().unwrap();
    let others = [
        ("###Scenario #5: Five", 5, "Five", "fivefold"),
        ("### SCENARIO #6: Six", 6, "Six", "sixfold"),
        ("### scenario 7: Seven", 7, "Seven", "sevenfold"),
        ("### Scenario No. 8: Eight", 8, "Eight", "eightfold"),
        ("**Scenario #9: Nine**", 9, "Nine", "ninefold"),
    ];
    let mut content = scenario("### Scenario #1: One", "onefold");
    for (heading, _, _, word) in others {
        content.push_str(&scenario(heading, word));
    }
    let path = dir.path().join("team.md");
    write(&path, &content);
    let cache = dir.path().join("cache");
    let run = |args: &[&str]| {
        k8sdoc()
            .arg("--no-builtin")
            .arg("--scenarios")
            .arg(&path)
            .args(args)
            .env("K8SDOC_CACHE_DIR", &cache)
            .output()
            .unwrap()
    };
    let out = run(&["list", "--format", "json"]);
    let mut expected = vec![(1, "One".to_string())];
    expected.extend(others.iter().map(|(_, id, title, _)| (*id, title.to_string())));
    assert_eq!(listed(&out), expected, "{}", describe(&out));
    let out = run(&["show", "1", "--format", "json"]);
    let summary = json_of(&out)[0]["summary"].as_str().unwrap().to_string();
    assert!(summary.contains("onefold"), "{summary}");
    for (_, _, _, word) in others {
        assert!(!summary.contains(word), "scenario #1's summary took the {word} scenario's: {summary}");
    }
}

/// A catalog file that starts with a UTF-8 byte order mark keeps its first scenario.
#[test]
fn utf8_bom_at_the_start_of_a_catalog_file_keeps_the_first_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one.md");
    write(&one, format!("\u{feff}{}", scenario("### Scenario #1: Bom", "bom")));
    let two = dir.path().join("two.md");
    write(
        &two,
        format!(
            "\u{feff}{}{}",
            scenario("### Scenario #2: First", "first"),
            scenario("### Scenario #3: Second", "second")
        ),
    );
    for (path, expected) in [(&one, vec![(1, "Bom")]), (&two, vec![(2, "First"), (3, "Second")])] {
        let out = k8sdoc()
            .arg("--no-builtin")
            .arg("--scenarios")
            .arg(path)
            .args(["list", "--format", "json"])
            .env("K8SDOC_CACHE_DIR", dir.path().join("cache"))
            .output()
            .unwrap();
        let expected: Vec<(u64, String)> = expected.into_iter().map(|(id, t)| (id, t.to_string())).collect();
        assert_eq!(listed(&out), expected, "{}: {}", path.display(), describe(&out));
    }
}

/// UTF-16LE with a BOM (what PowerShell's `>` writes) is read as text everywhere: a pasted
/// event, a catalog file, a saved `kubectl get pods -o json`.
#[test]
fn utf16_input_is_read_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let cache = dir.path().join("cache");

    // (a) diagnose --from a UTF-16 paste.
    let paste = dir.path().join("paste.txt");
    write(
        &paste,
        utf16le(
            "Warning  BackOff  2m (x40 over 10m)  kubelet  Back-off restarting failed container web in pod web-1\n",
        ),
    );
    let out = k8sdoc()
        .args(["diagnose", "--from"])
        .arg(&paste)
        .args(["--format", "json"])
        .env("K8SDOC_CACHE_DIR", &cache)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "diagnose --from UTF-16: {}", describe(&out));
    let symptoms: Vec<String> =
        json_of(&out)["symptoms"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_string()).collect();
    assert!(symptoms.iter().any(|s| s == "pod-crashloopbackoff"), "{symptoms:?}");

    // (b) a UTF-16 catalog file.
    let catalog = dir.path().join("team.md");
    write(&catalog, utf16le(&scenario("### Scenario #5001: Wide Runbook", "wide")));
    let out = k8sdoc()
        .arg("--no-builtin")
        .arg("--scenarios")
        .arg(&catalog)
        .args(["list", "--format", "json"])
        .env("K8SDOC_CACHE_DIR", &cache)
        .output()
        .unwrap();
    assert_eq!(listed(&out), vec![(5001, "Wide Runbook".to_string())], "UTF-16 catalog: {}", describe(&out));

    // (c) analyze a UTF-16 `kubectl get pods -o json`.
    let list =
        serde_json::json!({"apiVersion": "v1", "kind": "PodList", "items": [crashloop_pod("team-a", "crashy-1")]});
    let pods = dir.path().join("pods.json");
    write(&pods, utf16le(&serde_json::to_string_pretty(&list).unwrap()));
    let out = k8sdoc().arg("analyze").arg(&pods).args(["--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "analyze UTF-16: {}", describe(&out));
    assert!(
        finding_objects(&out).contains(&("team-a".to_string(), "crashy-1".to_string())),
        "analyze UTF-16: {}",
        describe(&out)
    );
}

/// Symptom rule files beside a user's scenarios are loaded, from `--scenarios DIR` and from the
/// config directory's `scenarios/`.
#[test]
fn symptom_rule_files_in_a_catalog_folder_are_loaded() {
    let tmp = tempfile::tempdir().unwrap();
    let rules = "symptoms:\n  - id: frobnicator-jam\n    description: x\n    patterns: [\"frobnicator jammed\"]\n";
    let catalog = tmp.path().join("catalog");
    write(&catalog.join("team.md"), scenario("### Scenario #5001: Frobnicator Stuck After Upgrade", "frobnicator"));
    write(&catalog.join("rules.yaml"), rules);
    let config = tmp.path().join("config");
    write(
        &config.join("scenarios/team.md"),
        scenario("### Scenario #5001: Frobnicator Stuck After Upgrade", "frobnicator"),
    );
    write(&config.join("scenarios/rules.yaml"), rules);

    let symptoms_of = |out: &Output| -> Vec<String> {
        assert_eq!(out.status.code(), Some(0), "{}", describe(out));
        json_of(out)["symptoms"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_string()).collect()
    };
    let out = k8sdoc()
        .arg("--scenarios")
        .arg(&catalog)
        .args(["diagnose", "-s", "the frobnicator jammed again", "--format", "json"])
        .env("K8SDOC_CACHE_DIR", tmp.path().join("cache1"))
        .output()
        .unwrap();
    assert!(symptoms_of(&out).contains(&"frobnicator-jam".to_string()), "--scenarios DIR: {}", describe(&out));
    let out = k8sdoc()
        .args(["diagnose", "-s", "the frobnicator jammed again", "--format", "json"])
        .env("K8SDOC_CONFIG_DIR", &config)
        .env("K8SDOC_CACHE_DIR", tmp.path().join("cache2"))
        .output()
        .unwrap();
    assert!(symptoms_of(&out).contains(&"frobnicator-jam".to_string()), "config scenarios/: {}", describe(&out));
}

/// A rule pattern that does not compile, or compiles too big, stops the run with exit 2 and
/// names the file (and the pattern's line); `lint` reports it too.
#[test]
fn a_rule_pattern_that_does_not_compile_fails_loudly_with_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    for (case, pattern) in [("syntax", r#""frob((""#), ("size", r#""(?:x{1000}){1000}""#)] {
        let dir = tmp.path().join(case);
        let rules = format!(
            "symptoms:\n  - id: frob-fine\n    description: fine\n    patterns:\n      - 'frob ok'\n\
             \x20 - id: frob-bad\n    description: bad\n    patterns:\n      - {pattern}\n"
        );
        write(&dir.join("team.md"), scenario("### Scenario #5001: Frob Trouble", "frob"));
        write(&dir.join("rules.yaml"), &rules);
        let at = format!("rules.yaml:{}", line_of(&rules, pattern));
        let out = k8sdoc()
            .arg("--scenarios")
            .arg(&dir)
            .args(["diagnose", "-s", "x"])
            .env("K8SDOC_CACHE_DIR", tmp.path().join("cache"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{case}: {}", describe(&out));
        let stderr = text(&out.stderr);
        if case == "syntax" {
            assert!(stderr.contains(&at), "{case}: stderr does not name {at}: {}", describe(&out));
        } else {
            assert!(stderr.contains("rules.yaml"), "{case}: stderr does not name rules.yaml: {}", describe(&out));
        }
        let lint = k8sdoc().arg("lint").arg(&dir).env("K8SDOC_CACHE_DIR", tmp.path().join("cache")).output().unwrap();
        assert_eq!(lint.status.code(), Some(1), "{case}: lint: {}", describe(&lint));
        let all = format!("{}{}", text(&lint.stdout), text(&lint.stderr));
        assert!(all.contains(&at), "{case}: lint does not name {at}: {}", describe(&lint));
    }
}

/// An edit that keeps a catalog file's size and mtime never makes `diagnose` fail, and the
/// answer is the file as it is now.
#[test]
fn index_edit_that_keeps_size_and_mtime_never_makes_diagnose_fail() {
    let tmp = tempfile::tempdir().unwrap();
    let alpha = scenario("### Scenario #1: Alpha", "alpha");
    let bravo = scenario("### Scenario #2: Bravo", "bravo");
    assert_eq!(alpha.len(), bravo.len());
    let path = tmp.path().join("team.md");
    write(&path, format!("{alpha}{bravo}"));
    let cache = tmp.path().join("cache");
    let diagnose = || {
        let out = k8sdoc()
            .arg("--no-builtin")
            .arg("--scenarios")
            .arg(&path)
            .args(["diagnose", "-s", "alpha", "--format", "json"])
            .env("K8SDOC_CACHE_DIR", &cache)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
        json_of(&out)["results"][0]["title"].as_str().unwrap().to_string()
    };
    assert_eq!(diagnose(), "Alpha");
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    write(&path, format!("{bravo}{alpha}"));
    std::fs::File::options().write(true).open(&path).unwrap().set_modified(mtime).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), mtime);
    assert_eq!(diagnose(), "Alpha", "first run after the same-size, same-mtime edit");
    assert_eq!(diagnose(), "Alpha", "second run after the same-size, same-mtime edit");
}

/// `analyze` recovers object by object in a JSON stream: a broken object is skipped (and said),
/// the next object is read; a top-level JSON array is read item by item.
#[test]
fn analyze_recovers_per_object_in_a_json_stream() {
    let tmp = tempfile::tempdir().unwrap();
    let stream = tmp.path().join("stream.json");
    let list = serde_json::json!({"kind": "List", "items": [crashloop_pod("team-a", "crashy-1")]});
    write(&stream, format!("{{\"kind\": \"Pod\", \"metadata\": {{\"name\": \"x\"\n{list}\n"));
    let out = k8sdoc().arg("analyze").arg(&stream).args(["--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(
        finding_objects(&out).contains(&("team-a".to_string(), "crashy-1".to_string())),
        "the list after the broken object was not read: {}",
        describe(&out)
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("stream.json") && stderr.to_lowercase().contains("skip"),
        "stderr does not name the file and say what was skipped: {}",
        describe(&out)
    );

    let array = tmp.path().join("array.json");
    let items = serde_json::json!([crashloop_pod("team-a", "crashy-1"), crashloop_pod("team-b", "crashy-1")]);
    write(&array, serde_json::to_string_pretty(&items).unwrap());
    let out = k8sdoc().arg("analyze").arg(&array).args(["--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "top-level array: {}", describe(&out));
    let objects = finding_objects(&out);
    for ns in ["team-a", "team-b"] {
        assert!(objects.contains(&(ns.to_string(), "crashy-1".to_string())), "no finding for {ns}: {}", describe(&out));
    }
}

/// Cleaning the cache folder deletes only k8sdoc's own files: an old file that merely looks
/// like an index stays; a crashed write's leftover temp file goes.
#[test]
fn cache_cleanup_touches_only_k8sdocs_own_files() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");
    let not_ours = cache.join("index-notours.bin");
    let lookalike = cache.join("index-0123456789abcdef.bin");
    let leftover = cache.join(".index-0123456789abcdef.bin.12345.678.tmp");
    write(&not_ours, b"somebody else's data\n");
    write(&lookalike, b"\x00\x01 not a k8sdoc index at all");
    write(&leftover, b"half-written");
    set_times(&not_ours, days_ago(60), days_ago(60));
    set_times(&lookalike, days_ago(60), days_ago(60));
    set_times(&leftover, days_ago(2), days_ago(2));
    let out = k8sdoc()
        .args(["diagnose", "-s", "pods stuck terminating", "--format", "json"])
        .env("K8SDOC_CACHE_DIR", &cache)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    let built = std::fs::read_dir(&cache)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| *p != not_ours && *p != lookalike && p.extension().is_some_and(|e| e == "bin"))
        .count();
    assert!(built >= 1, "no index was built in {}", cache.display());
    assert!(not_ours.exists(), "{} was deleted", not_ours.display());
    assert!(lookalike.exists(), "{} (not a k8sdoc header) was deleted", lookalike.display());
    assert!(!leftover.exists(), "{} (a crashed write's temp file) was left", leftover.display());
}

/// `~` in the config file's `scenarios:` means the home folder.
#[test]
fn tilde_in_the_config_files_scenarios_is_expanded() {
    let tmp = tempfile::tempdir().unwrap();
    write(&tmp.path().join("runbooks/x.md"), scenario("### Scenario #7001: Home Runbook", "home"));
    let cfg = tmp.path().join("cfg");
    write(&cfg.join("config.yaml"), "scenarios: [~/runbooks]\n");
    let out = k8sdoc()
        .args(["list", "--format", "json"])
        .env("HOME", tmp.path())
        .env("K8SDOC_CONFIG_DIR", &cfg)
        .env("K8SDOC_CACHE_DIR", tmp.path().join("cache"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    assert!(listed(&out).iter().any(|(id, _)| *id == 7001), "#7001 from ~/runbooks not listed: {}", describe(&out));
}

/// Spelling correction applies to what the user types, never to pasted cluster output.
#[test]
fn spell_correction_never_applies_to_pasted_output() {
    let tmp = tempfile::tempdir().unwrap();
    let paste = tmp.path().join("paste.txt");
    write(
        &paste,
        "LAST SEEN   TYPE      REASON          OBJECT      MESSAGE\n\
         2m          Warning   FailedKillPod   pod/web-1   pod stuck terminting, error killing pod\n",
    );
    let out = k8sdoc().args(["diagnose", "--from"]).arg(&paste).args(["--color", "never"]).output().unwrap();
    let stdout = text(&out.stdout);
    assert!(!stdout.contains("as you probably meant"), "pasted output was spell-corrected: {}", describe(&out));
    // What the user types is still corrected (passes today).
    let out = k8sdoc().args(["diagnose", "-s", "pods stuck terminting", "--color", "never"]).output().unwrap();
    assert!(text(&out.stdout).contains("as you probably meant"), "typed text not corrected: {}", describe(&out));
}

/// Deeply nested YAML (config file, rule file) is refused with an error naming the file and
/// saying the nesting is too deep, never a crash.
#[test]
fn deeply_nested_yaml_is_refused_with_a_clear_error_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let cfg = tmp.path().join("cfg");
    write(&cfg.join("config.yaml"), format!("limit: {deep}\n"));
    let out = k8sdoc().arg("config").env("K8SDOC_CONFIG_DIR", &cfg).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "config.yaml: {}", describe(&out));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("config.yaml") && stderr.contains("nest"), "config.yaml: {}", describe(&out));

    let dir = tmp.path().join("catalog");
    write(&dir.join("team.md"), scenario("### Scenario #5001: Deep Rules", "deep"));
    write(&dir.join("rules.yaml"), format!("symptoms: {deep}\n"));
    let out = k8sdoc()
        .arg("--scenarios")
        .arg(&dir)
        .args(["diagnose", "-s", "x"])
        .env("K8SDOC_CACHE_DIR", tmp.path().join("cache"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "rules.yaml: {}", describe(&out));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("rules.yaml") && stderr.contains("nest"), "rules.yaml: {}", describe(&out));
}

/// A FIFO in a catalog folder or a dump folder is skipped with a warning naming it; the run
/// never blocks on it.
#[test]
fn a_fifo_in_a_catalog_or_dump_folder_is_skipped_with_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let catalog = tmp.path().join("catalog");
    write(&catalog.join("team.md"), scenario("### Scenario #5001: Next To A Pipe", "pipe"));
    mkfifo(&catalog.join("stuck.md"));
    let out = k8sdoc()
        .arg("--no-builtin")
        .arg("--scenarios")
        .arg(&catalog)
        .args(["list", "--format", "json"])
        .env("K8SDOC_CACHE_DIR", tmp.path().join("cache"))
        .timeout(HANG_GUARD) // a hang guard, not a speed target
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "catalog: {}", describe(&out));
    assert_eq!(listed(&out), vec![(5001, "Next To A Pipe".to_string())]);
    assert!(text(&out.stderr).contains("stuck.md"), "catalog: the FIFO is not named: {}", describe(&out));

    let dump = tmp.path().join("dump");
    write(&dump.join("pods.json"), crashloop_pod("team-a", "crashy-1").to_string());
    mkfifo(&dump.join("stuck.json"));
    let out = k8sdoc()
        .arg("analyze")
        .arg(&dump)
        .args(["--format", "json"])
        .timeout(HANG_GUARD) // a hang guard, not a speed target
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "dump: {}", describe(&out));
    assert!(finding_objects(&out).contains(&("team-a".to_string(), "crashy-1".to_string())), "{}", describe(&out));
    assert!(text(&out.stderr).contains("stuck.json"), "dump: the FIFO is not named: {}", describe(&out));
}

/// A reader that goes away (`| head -c1`, a closed terminal) ends the run quietly: no signal,
/// no abort, no "Broken pipe" error, exit 0.
#[test]
fn a_closed_stderr_or_stdout_ends_quietly() {
    let tmp = tempfile::tempdir().unwrap();

    // (a) analyze with warnings for stderr, whose read end is closed right after spawn, before
    // the process (still starting up) writes them.
    let dump = tmp.path().join("dump");
    write(&dump.join("pods.json"), crashloop_pod("team-a", "crashy-1").to_string());
    for i in 0..20 {
        write(&dump.join(format!("broken-{i}.json")), "{\"kind\": \"Pod\", \"metadata\": {\"name\": \"x\"");
    }
    let mut child =
        k8sdoc_process().arg("analyze").arg(&dump).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "analyze with a closed stderr: {status:?}");

    // (b) list --format json, more than a pipe buffer of it, stdout closed after one byte.
    let catalog = tmp.path().join("big.md");
    let mut content = String::new();
    for id in 5001..8001 {
        content
            .push_str(&scenario(&format!("### Scenario #{id}: Generated Scenario Number {id}"), &format!("gen{id}")));
    }
    write(&catalog, &content);
    let cache = tmp.path().join("cache");
    let list = || {
        let mut cmd = k8sdoc_process();
        cmd.arg("--no-builtin").arg("--scenarios").arg(&catalog).args(["list", "--format", "json"]);
        cmd.env("K8SDOC_CACHE_DIR", &cache);
        cmd
    };
    let full = list().output().unwrap();
    assert_eq!(full.status.code(), Some(0), "{}", text(&full.stderr));
    assert!(full.stderr.is_empty(), "the generated catalog makes warnings: {}", text(&full.stderr));
    assert!(full.stdout.len() > 64 * 1024, "list output is only {} bytes", full.stdout.len());
    let mut child = list().stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut byte = [0u8; 1];
    stdout.read_exact(&mut byte).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "list with stdout closed after 1 byte: {}", describe(&out));
    assert!(out.stderr.is_empty(), "list with stdout closed after 1 byte: {}", describe(&out));

    // (c) completions bash. Its script is about 23 KB, under a 64 KiB pipe buffer, so filling
    // the pipe is not possible: the read end is closed right after spawn, before the process
    // (still starting up) writes. Should a broken binary ever write first, this passes wrongly;
    // a fixed one never fails it.
    let mut child =
        k8sdoc_process().args(["completions", "bash"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "completions with stdout closed: {}", describe(&out));
    assert!(out.stderr.is_empty(), "completions with stdout closed: {}", describe(&out));
}

/// ESC, a C1 CSI, DEL, a bidi override and a zero-width space.
const EVIL: &str = "\x1b[31m\u{9b}\u{7f}\u{202e}\u{200b}";

/// Fails if any raw byte sequence of `EVIL` reaches stdout or stderr.
fn assert_clean(case: &str, out: &Output) {
    let raw: [(&str, &[u8]); 5] = [
        ("ESC", b"\x1b"),
        ("U+009B", "\u{9b}".as_bytes()),
        ("DEL", b"\x7f"),
        ("U+202E", "\u{202e}".as_bytes()),
        ("U+200B", "\u{200b}".as_bytes()),
    ];
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        for (name, seq) in raw {
            assert!(
                !bytes.windows(seq.len()).any(|w| w == seq),
                "{case}: raw {name} on {stream}: {}",
                describe(out).escape_debug()
            );
        }
    }
}

/// Untrusted text (rule files, scenario files, paths, arguments, environment) never reaches the
/// terminal raw: control characters, bidi overrides and invisible characters come out escaped.
#[test]
fn untrusted_text_never_reaches_the_terminal_raw() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("cache");

    // (a) a user rule whose symptom id holds the characters, matched by diagnose -s.
    let rules_dir = tmp.path().join("rules");
    write(&rules_dir.join("team.md"), scenario("### Scenario #5001: Frobnicator Stuck", "frobnicator"));
    write(
        &rules_dir.join("rules.yaml"),
        "symptoms:\n  - id: \"frob\\e[31m\\x9b\\x7f\\u202e\\u200b-jam\"\n    description: \"desc\\e[31m\\u202e\"\n\
         \x20   patterns: [\"frobnicator jammed\"]\n",
    );
    let out = k8sdoc()
        .arg("--scenarios")
        .arg(&rules_dir)
        .args(["diagnose", "-s", "the frobnicator jammed", "--color", "never"])
        .env("K8SDOC_CACHE_DIR", &cache)
        .output()
        .unwrap();
    assert_clean("(a) rule id in diagnose text", &out);

    // (b) a --scenarios path that does not exist.
    let out = k8sdoc()
        .arg("--scenarios")
        .arg(tmp.path().join(format!("missing{EVIL}.md")))
        .args(["list", "--color", "never"])
        .env("K8SDOC_CACHE_DIR", &cache)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "(b): {}", describe(&out));
    assert_clean("(b) missing --scenarios path", &out);

    // (c) show with an argument that is not a number.
    let out = k8sdoc().args(["show", &format!("1{EVIL}"), "--color", "never"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "(c): {}", describe(&out));
    assert_clean("(c) show argument", &out);

    // (d) K8SDOC_COLOR with the characters.
    let out = k8sdoc().args(["list"]).env("K8SDOC_COLOR", format!("never{EVIL}")).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "(d): {}", describe(&out));
    assert_clean("(d) K8SDOC_COLOR", &out);

    // (e) config showing a K8SDOC_PAGER with the characters.
    let out =
        k8sdoc().args(["config", "--color", "never"]).env("K8SDOC_PAGER", format!("less{EVIL}")).output().unwrap();
    assert_clean("(e) K8SDOC_PAGER in config", &out);

    // (f) new PATH, which prints the path it wrote.
    let path = tmp.path().join(format!("new{EVIL}.md"));
    let out = k8sdoc().arg("new").arg(&path).args(["--title", "Fresh", "--color", "never"]).output().unwrap();
    assert_clean("(f) new PATH", &out);

    // (g) show --format json of a title with the characters: JSON escapes only.
    let title = "Title\u{9b}c1\u{7f}del\u{202e}bidi\u{200b}zw";
    let file = tmp.path().join("evil.md");
    write(
        &file,
        format!(
            "{}{}",
            scenario(&format!("### Scenario #5001: {title}"), "evil"),
            scenario("### Scenario #5002: Fix With Bidi", "bidi").replace(
                "kubectl rollout restart deployment/bidi",
                "kubectl delete pod web-1 \u{202e}--force\u{200b} --grace-period=0"
            )
        ),
    );
    let show = |args: &[&str]| {
        k8sdoc()
            .arg("--no-builtin")
            .arg("--scenarios")
            .arg(&file)
            .args(args)
            .env("K8SDOC_CACHE_DIR", &cache)
            .output()
            .unwrap()
    };
    let out = show(&["show", "5001", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "(g): {}", describe(&out));
    assert_clean("(g) show --format json", &out);
    let lower = text(&out.stdout).to_lowercase();
    for escape in [r"\u009b", r"\u007f", r"\u202e", r"\u200b"] {
        assert!(lower.contains(escape), "(g): {escape} missing from the JSON: {}", describe(&out).escape_debug());
    }
    assert_eq!(json_of(&out)[0]["title"], title, "(g): the JSON does not hold the title as written");

    // (h) show (text) of a fix command with a bidi override and a zero-width space.
    let out = show(&["show", "5002", "--color", "never", "--no-pager"]);
    assert_eq!(out.status.code(), Some(0), "(h): {}", describe(&out));
    assert_clean("(h) show text", &out);
    assert!(text(&out.stdout).contains("kubectl delete pod web-1"), "(h): the fix is missing: {}", describe(&out));
}

/// `new` run several times at once never hands out the same number twice; a title with a
/// newline is refused and writes nothing.
#[test]
fn new_run_concurrently_never_hands_out_the_same_number() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = tmp.path().join("cfg");
    std::fs::create_dir_all(&cfg).unwrap();
    let children: Vec<_> = (0..8)
        .map(|i| {
            k8sdoc_process()
                .args(["new", "--title", &format!("t{i}")])
                .env("K8SDOC_CONFIG_DIR", &cfg)
                .env("K8SDOC_CACHE_DIR", tmp.path().join("cache"))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
    }
    let files: Vec<PathBuf> =
        std::fs::read_dir(cfg.join("scenarios")).unwrap().flatten().map(|e| e.path()).filter(|p| p.is_file()).collect();
    assert_eq!(files.len(), 8, "{files:?}");
    let mut numbers: Vec<u64> = files
        .iter()
        .map(|p| {
            let content = std::fs::read_to_string(p).unwrap();
            let heading =
                content.lines().find(|l| l.contains("Scenario #")).unwrap_or_else(|| panic!("{}", p.display()));
            let digits: String =
                heading.split("Scenario #").nth(1).unwrap().chars().take_while(char::is_ascii_digit).collect();
            digits.parse().unwrap()
        })
        .collect();
    numbers.sort_unstable();
    let before = numbers.clone();
    numbers.dedup();
    assert_eq!(numbers.len(), 8, "numbers handed out: {before:?}");

    let cfg2 = tmp.path().join("cfg2");
    std::fs::create_dir_all(&cfg2).unwrap();
    let out = k8sdoc()
        .args(["new", "--title", "two\nlines"])
        .env("K8SDOC_CONFIG_DIR", &cfg2)
        .env("K8SDOC_CACHE_DIR", tmp.path().join("cache"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let written: Vec<_> = walkdir_files(&cfg2);
    assert!(written.is_empty(), "a title with a newline wrote {written:?}");
}

fn walkdir_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files
}
