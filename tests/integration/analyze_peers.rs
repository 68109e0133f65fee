//! `analyze` against the peers' own test cases: fixtures under `tests/data/analyze/<peer>/`
//! mirror the object states k8sgpt, Popeye, troubleshoot and holmesgpt flag in their test
//! suites (each names the test it mirrors on its first line and the symptom that fits on its
//! second), and healthy cases those suites expect no finding for. A troubleshoot support
//! bundle is read unpacked and as a `.tar.gz`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{k8sdoc, repo};

const PEERS: [&str; 4] = ["k8sgpt", "popeye", "troubleshoot", "holmesgpt"];

/// (file, expected symptom or `none`)
fn cases() -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for dir in PEERS.iter().chain(&["healthy"]) {
        let dir = repo().join("tests/data/analyze").join(dir);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files.into_iter().filter(|f| f.extension().is_some_and(|e| e == "yaml")) {
            let text = std::fs::read_to_string(&file).unwrap();
            let mut lines = text.lines();
            let mirrors = lines.next().unwrap_or_default();
            assert!(mirrors.starts_with("# mirrors: "), "{}: line 1 must name the peer test", file.display());
            let expect = lines.next().and_then(|l| l.strip_prefix("# expect: ")).map(str::trim);
            let expect = expect.unwrap_or_else(|| panic!("{}: line 2 must be `# expect: ID`", file.display()));
            out.push((file, expect.to_string()));
        }
    }
    out
}

fn findings(path: &Path) -> Vec<Value> {
    let out = k8sdoc().args(["analyze", "--format", "json"]).arg(path).output().unwrap();
    assert!(out.status.success(), "{}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["findings"].as_array().unwrap().clone()
}

fn symptoms(findings: &[Value]) -> Vec<String> {
    findings
        .iter()
        .flat_map(|f| f["symptoms"].as_array().unwrap())
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn peers_failing_cases_are_reported_with_a_fitting_symptom_and_healthy_ones_are_not() {
    let cases = cases();
    let failing: Vec<&(PathBuf, String)> = cases.iter().filter(|(_, e)| e != "none").collect();
    let healthy: Vec<&(PathBuf, String)> = cases.iter().filter(|(_, e)| e == "none").collect();
    assert!(failing.len() >= 150, "only {} failing cases", failing.len());
    assert!(healthy.len() >= 20, "only {} healthy cases", healthy.len());
    for peer in PEERS {
        let n = failing.iter().filter(|(f, _)| f.parent().unwrap().ends_with(peer)).count();
        assert!(n >= 20, "{peer}: only {n} failing cases");
    }
    let mut misses = Vec::new();
    for (file, expect) in &failing {
        let got = symptoms(&findings(file));
        if !got.contains(expect) {
            misses.push(format!("{}: expected {expect}, got {got:?}", file.display()));
        }
    }
    let reported = failing.len() - misses.len();
    assert!(
        reported * 100 >= failing.len() * 90,
        "{reported} of {} failing cases reported with their symptom (< 90%):\n{}",
        failing.len(),
        misses.join("\n")
    );
    let mut flagged = Vec::new();
    for (file, _) in &healthy {
        let found = findings(file);
        if !found.is_empty() {
            flagged.push(format!("{}: {:?}", file.display(), symptoms(&found)));
        }
    }
    assert!(flagged.is_empty(), "healthy cases flagged:\n{}", flagged.join("\n"));
}

/// A scenario is named only for a finding with a symptom, and only one that symptom links.
#[test]
fn a_finding_without_a_symptom_names_no_scenario_and_no_fix() {
    for (file, _) in cases().iter().take(400) {
        for f in findings(file) {
            if f["symptoms"].as_array().unwrap().is_empty() {
                assert!(f["scenarios"].as_array().unwrap().is_empty(), "{}: {f}", file.display());
                assert!(f["first_fix"].is_null(), "{}: {f}", file.display());
            }
        }
    }
}

fn bundle_findings(args: &[&std::ffi::OsStr]) -> Vec<Value> {
    let out = k8sdoc().args(["analyze", "--format", "json"]).args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["findings"].as_array().unwrap().clone()
}

fn has(findings: &[Value], kind: &str, name_prefix: &str, symptom: &str) -> bool {
    findings.iter().any(|f| {
        f["object"]["kind"] == kind
            && f["object"]["name"].as_str().unwrap().starts_with(name_prefix)
            && symptoms(std::slice::from_ref(f)).iter().any(|s| s == symptom)
    })
}

fn check_bundle(found: &[Value]) {
    // Pods crash-looping (their logs attached), the Deployment whose items carry no `kind`,
    // a node under DiskPressure, a Pending PVC with its ProvisioningFailed event.
    assert!(has(found, "ReplicaSet", "checkout-", "pod-crashloopbackoff"), "{found:#?}");
    assert!(has(found, "Deployment", "checkout", "workload-replicas-unavailable"), "{found:#?}");
    assert!(has(found, "Node", "worker-2", "node-diskpressure"), "{found:#?}");
    assert!(has(found, "PersistentVolumeClaim", "orders-db-data", "sto-provisioning-failed"), "{found:#?}");
    // The crash's log line is evidence on the pods' finding, not a finding on a file.
    let pods = found.iter().find(|f| f["object"]["name"].as_str().unwrap().starts_with("checkout-")).unwrap();
    assert!(pods.to_string().contains("panic"), "{pods:#}");
    assert!(!found.iter().any(|f| f["object"]["kind"] == "File"), "{found:#?}");
    assert!(!found.iter().any(|f| f["object"]["name"].as_str().unwrap().starts_with("worker-1")));
}

#[test]
fn a_support_bundle_is_read_unpacked_and_as_a_tar_gz() {
    let dir = repo().join("tests/data/analyze/support-bundle");
    let unpacked = bundle_findings(&[dir.as_os_str()]);
    check_bundle(&unpacked);

    // The same bundle as troubleshoot ships it: one `.tar.gz` with a top folder.
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("support-bundle-2024-05-10T10_00_00.tar.gz");
    let file = std::fs::File::create(&archive).unwrap();
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    tar.append_dir_all("support-bundle-2024-05-10T10_00_00", &dir).unwrap();
    tar.into_inner().unwrap().finish().unwrap();
    let packed = bundle_findings(&[archive.as_os_str()]);
    check_bundle(&packed);
    // The same findings (evidence may come in another order: the archive's, not the folder's).
    let objects =
        |f: &[Value]| f.iter().map(|x| (x["object"].clone(), symptoms(std::slice::from_ref(x)))).collect::<Vec<_>>();
    assert_eq!(objects(&unpacked), objects(&packed));

    // And piped in.
    let bytes = std::fs::read(&archive).unwrap();
    let out = k8sdoc().args(["analyze", "-", "--format", "json"]).write_stdin(bytes).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(objects(v["findings"].as_array().unwrap()), objects(&packed));
}
