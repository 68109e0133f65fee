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
    // An event no rule knows, beside the fixtures: at least one finding has no symptom.
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join("odd-event.yaml");
    std::fs::write(
        &odd,
        "apiVersion: v1\nkind: Event\nmetadata: {name: e1, namespace: shop}\ntype: Warning\nreason: QuuxFrobnicated\n\
         message: the quux frobnicator declined\ninvolvedObject: {kind: Pod, name: web-1, namespace: shop}\n",
    )
    .unwrap();
    let mut seen = 0;
    for file in std::iter::once(odd).chain(cases().into_iter().map(|(f, _)| f)) {
        for f in findings(&file) {
            if f["symptoms"].as_array().unwrap().is_empty() {
                seen += 1;
                assert!(f["scenarios"].as_array().unwrap().is_empty(), "{}: {f}", file.display());
                assert!(f["first_fix"].is_null() && f["fix"].as_array().unwrap().is_empty(), "{}: {f}", file.display());
            }
        }
    }
    assert!(seen >= 1, "no finding without a symptom was examined");
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
    // The Deployment short of replicas shows its pods' latest Warning event.
    let deployment = found.iter().find(|f| f["object"]["kind"] == "Deployment").unwrap();
    assert!(deployment["evidence"].to_string().contains("pod checkout-7d9f6b5c4-"), "{deployment:#}");
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

fn formatted(format: &str) -> String {
    let dir = repo().join("tests/data/analyze/support-bundle");
    let out = k8sdoc().args(["analyze", "--format", format]).arg(&dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn sarif_output_is_valid_against_the_sarif_2_1_0_schema() {
    let schema: Value =
        serde_json::from_slice(&std::fs::read(repo().join("tests/data/schemas/sarif-schema-2.1.0.json")).unwrap())
            .unwrap();
    let validator = jsonschema::draft4::new(&schema).unwrap();
    let sarif: Value = serde_json::from_str(&formatted("sarif")).unwrap();
    let errors: Vec<String> =
        validator.iter_errors(&sarif).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let json: Value = serde_json::from_str(&formatted("json")).unwrap();
    assert_eq!(results.len(), json["findings"].as_array().unwrap().len());
    // Every result's rule is declared, and a schema-valid log that is empty is caught too.
    let rules: Vec<&str> = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(results.iter().all(|r| rules.contains(&r["ruleId"].as_str().unwrap())));
    assert!(!validator.is_valid(&serde_json::json!({"version": "2.1.0"})), "the schema check must be able to fail");
}

/// The Ant JUnit XSD (`tests/data/schemas/junit.xsd`), checked by structure: no XSD validator
/// is a Rust crate.
#[test]
fn junit_output_follows_the_junit_xsd() {
    let xml = formatted("junit");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let suite = doc.root_element();
    assert_eq!(suite.tag_name().name(), "testsuite");
    for attr in ["name", "timestamp", "hostname", "tests", "failures", "errors", "time"] {
        assert!(suite.attribute(attr).is_some(), "testsuite lacks {attr}");
    }
    let stamp = suite.attribute("timestamp").unwrap();
    assert!(stamp.len() == 19 && stamp.as_bytes()[10] == b'T', "{stamp}");
    let children: Vec<&str> = suite.children().filter(|n| n.is_element()).map(|n| n.tag_name().name()).collect();
    assert_eq!(children.first(), Some(&"properties"));
    assert_eq!(&children[children.len() - 2..], ["system-out", "system-err"]);
    let cases: Vec<roxmltree::Node> = suite.children().filter(|n| n.has_tag_name("testcase")).collect();
    assert_eq!(children.len(), cases.len() + 3, "{children:?}");
    let json: Value = serde_json::from_str(&formatted("json")).unwrap();
    assert_eq!(cases.len(), json["findings"].as_array().unwrap().len());
    assert_eq!(suite.attribute("failures").unwrap(), cases.len().to_string());
    for case in cases {
        for attr in ["name", "classname", "time"] {
            let v = case.attribute(attr).unwrap_or_else(|| panic!("testcase lacks {attr}"));
            // xs:token: no line breaks, tabs, or leading, trailing or double spaces.
            assert!(!v.contains(['\n', '\r', '\t']) && v.trim() == v && !v.contains("  "), "{v:?}");
        }
        let failure = case.children().find(|n| n.has_tag_name("failure")).unwrap();
        assert!(failure.attribute("type").is_some() && failure.attribute("message").is_some());
    }
}

/// Each check of `scenarios/checks.yaml` names the symptom its text raises: render each text
/// with sample values and ask the engine.
#[test]
fn every_checks_text_raises_the_symptom_it_names() {
    let text = std::fs::read_to_string(repo().join("scenarios/checks.yaml")).unwrap();
    let spec: Value = yaml_serde::from_str(&text).unwrap();
    let mut wrong = Vec::new();
    for check in spec["checks"].as_array().unwrap() {
        let kind = check["kinds"][0].as_str().unwrap();
        let kind = if kind == "*" { "Certificate" } else { kind };
        // A `.type` placeholder takes the type the check's conditions name.
        let when_type = check["when"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c.as_str()?.strip_prefix(".type == "))
            .next()
            .unwrap_or("KernelDeadlock")
            .to_string();
        let mut rendered = String::new();
        let mut rest = check["text"].as_str().unwrap();
        while let Some(open) = rest.find('{') {
            let close = rest[open..].find('}').unwrap() + open;
            rendered.push_str(&rest[..open]);
            let placeholder = &rest[open + 1..close];
            let default = placeholder.split_once("??").map(|(_, d)| d.trim().trim_matches('\''));
            rendered.push_str(match placeholder {
                _ if default.is_some_and(|d| !d.is_empty()) => default.unwrap_or_default(),
                "kind" => kind,
                "$target_kind" => "Deployment",
                "$target" | "name" => "web",
                "namespace" => "shop",
                p if p.contains("schedule") => "*/5 * * *",
                p if p.contains("Healthy") => "1",
                p if p.contains("startingDeadlineSeconds") => "-10",
                p if p.contains("Replicas") || p.contains("replicas") || p.contains("Number") => "1",
                p if p.ends_with(".type") => &when_type,
                p if p.ends_with(".reason") => "Failed",
                _ => "x",
            });
            rest = &rest[close + 1..];
        }
        rendered.push_str(rest);
        let out = k8sdoc().args(["diagnose", "--format", "json", "-s", &rendered]).output().unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        let ids: Vec<&str> = v["symptoms"].as_array().into_iter().flatten().filter_map(|s| s["id"].as_str()).collect();
        let want = check["symptom"].as_str().unwrap();
        if !ids.contains(&want) {
            wrong.push(format!("{}: `{rendered}` raises {ids:?}, not {want}", check["id"].as_str().unwrap()));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

fn analyze_input(args: &[&str], stdin: Option<&[u8]>) -> std::process::Output {
    let mut cmd = k8sdoc();
    cmd.arg("analyze").args(args);
    if let Some(bytes) = stdin {
        cmd.write_stdin(bytes.to_vec());
    }
    cmd.output().unwrap()
}

#[test]
fn standard_input_is_read_by_content() {
    let pods = std::fs::read(repo().join("tests/data/analyze/k8sgpt").join("pod-crashloopbackoff.yaml"))
        .or_else(|_| std::fs::read(cases().into_iter().find(|(_, e)| e == "pod-crashloopbackoff").unwrap().0))
        .unwrap();
    let out = analyze_input(&["-", "--format", "json"], Some(&pods));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(symptoms(v["findings"].as_array().unwrap()).contains(&"pod-crashloopbackoff".to_string()), "{v:#}");
}

#[test]
fn logs_are_text_binary_files_are_skipped_and_a_folder_of_broken_files_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    // JSON-lines application logs and bracketed log levels: text, read by the extractor.
    std::fs::write(
        dir.path().join("app.jsonl"),
        "{\"level\":\"error\",\"msg\":\"lookup db.shop.svc.cluster.local on 10.96.0.10:53: no such host\"}\n{\"level\":\"info\",\"msg\":\"retrying\"}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("worker.log"),
        "[INFO] starting\n[ERROR] OOMKilled: container exceeded its memory limit\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("core.bin"), [0x7f, b'E', b'L', b'F', 0, 0, 1, 2, 3, 0, 0]).unwrap();
    let out = analyze_input(&[dir.path().to_str().unwrap(), "--format", "json"], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("core.bin") && stderr.contains("binary"), "{stderr}");
    assert!(!stderr.contains("app.jsonl") && !stderr.contains("worker.log"), "{stderr}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = symptoms(v["findings"].as_array().unwrap());
    assert!(found.iter().any(|s| s.starts_with("dns-")), "{found:?}");
    assert!(found.contains(&"pod-oomkilled".to_string()), "{found:?}");
    assert_eq!(v["files"], 3);
    assert_eq!(v["unreadable"], 1);

    // Archives nested without end (a gzip can expand to itself) stop at a bounded depth.
    let mut nested = b"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}}".to_vec();
    for _ in 0..8 {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&nested).unwrap();
        nested = gz.finish().unwrap();
    }
    let out = analyze_input(&["-"], Some(&nested));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nested more than"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Nothing readable at all: an error, not "nothing looks wrong".
    let broken = tempfile::tempdir().unwrap();
    std::fs::write(broken.path().join("a.bin"), [0u8, 1, 2, 3]).unwrap();
    std::fs::write(broken.path().join("b.gz"), [0x1f, 0x8b, 0, 0]).unwrap();
    let out = analyze_input(&[broken.path().to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stdout));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("a.bin") && stderr.contains("b.gz") && stderr.contains("none of the 2"), "{stderr}");
}

#[test]
fn references_to_kinds_the_input_lacks_are_not_judged_and_the_summary_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let pod = r#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web-1","namespace":"shop"},
      "spec":{"containers":[{"name":"app","image":"app:1","envFrom":[{"secretRef":{"name":"db"}}]}]},
      "status":{"phase":"Running","containerStatuses":[{"name":"app","ready":true,"restartCount":0,"state":{"running":{}}}],
      "conditions":[{"type":"Ready","status":"True"}]}}"#;
    std::fs::write(dir.path().join("pod.json"), pod).unwrap();
    let out = analyze_input(&[dir.path().join("pod.json").to_str().unwrap()], None);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("nothing looks wrong") && text.contains("references 1 to Secret"), "{text}");
    // With the Secrets dumped (none of that name), the reference is judged.
    std::fs::write(dir.path().join("secrets.json"), r#"{"apiVersion":"v1","kind":"SecretList","items":[]}"#).unwrap();
    let out = analyze_input(&[dir.path().to_str().unwrap(), "--format", "json"], None);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(symptoms(v["findings"].as_array().unwrap()).contains(&"pod-configref-missing".to_string()), "{v:#}");
}

/// A node under DiskPressure with nothing else seen fits several causes (inodes, image garbage
/// collection, logs...): they are listed with the check that tells them apart, and the first
/// fix is labelled as the top one's, for once they are told apart.
#[test]
fn when_several_causes_fit_they_are_listed_with_the_check_that_tells_them_apart() {
    let node = r#"{"apiVersion":"v1","kind":"Node","metadata":{"name":"worker-2"},"status":{"conditions":[
      {"type":"Ready","status":"True","reason":"KubeletReady","message":"kubelet is posting ready status"},
      {"type":"DiskPressure","status":"True","reason":"KubeletHasDiskPressure","message":"kubelet has disk pressure"}]}}"#;
    let out = analyze_input(&["-", "--format", "json"], Some(node.as_bytes()));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &v["findings"][0];
    assert_eq!(symptoms(std::slice::from_ref(f)), ["node-diskpressure"]);
    assert!(f["scenarios"].as_array().unwrap().len() >= 2, "{f:#}");
    assert!(!f["discriminators"].as_array().unwrap().is_empty(), "{f:#}");
    assert!(!f["fix"].as_array().unwrap().is_empty(), "{f:#}");
    let out = analyze_input(&["-", "--color", "never"], Some(node.as_bytes()));
    let text = String::from_utf8_lossy(&out.stdout);
    let top = f["scenarios"][0]["id"].as_u64().unwrap();
    assert!(text.contains(&format!("first fix, if it is #{top} (tell them apart below):")), "{text}");
}

/// A few megabytes of gzip that expand past the limit (1 GiB) are skipped and named, not held.
#[test]
fn a_gzip_that_expands_past_the_limit_is_skipped() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.json.gz");
    let mut gz = flate2::write::GzEncoder::new(std::fs::File::create(&path).unwrap(), flate2::Compression::fast());
    let block = vec![b' '; 1 << 20];
    for _ in 0..1025 {
        gz.write_all(&block).unwrap();
    }
    gz.finish().unwrap();
    let out = analyze_input(&[path.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bomb.json.gz") && stderr.contains("expands to more than 1024 MB"), "{stderr}");
}

/// `--checks FILE` adds checks; they may ask about the built-in facts, and a broken file is an
/// error naming it.
#[test]
fn user_checks_are_added_and_may_use_builtin_facts() {
    let dir = tempfile::tempdir().unwrap();
    let checks = dir.path().join("mine.yaml");
    std::fs::write(
        &checks,
        "checks:\n  - id: my-service-not-ready\n    kinds: [Service]\n    refers: {kind: Endpoints, name: metadata.name, if: lacks ready}\n    \
         severity: warning\n    symptom: svc-no-endpoints\n    text: 'Service \"{name}\" has no endpoints'\n    evidence: \"mine\"\n",
    )
    .unwrap();
    let input = r#"{"apiVersion":"v1","kind":"List","items":[
      {"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"shop"},"spec":{"type":"ExternalName"}},
      {"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"web","namespace":"shop"}}]}"#;
    let out = analyze_input(&["-", "--format", "json", "--checks", checks.to_str().unwrap()], Some(input.as_bytes()));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v.to_string().contains("my-service-not-ready"), "{v:#}");

    std::fs::write(&checks, "checks:\n  - id: bad\n    kinds: [Pod]\n    when: [\"spec.x == cpu\"]\n    severity: error\n    symptom: x\n    text: t\n    evidence: e\n").unwrap();
    let out = analyze_input(&["-", "--checks", checks.to_str().unwrap()], Some(input.as_bytes()));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("mine.yaml") && stderr.contains("quote it"), "{stderr}");
}
