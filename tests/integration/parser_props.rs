//! Property tests for the parser: no input panics, and markdown output parses back unchanged.

use std::path::PathBuf;
use std::sync::Arc;

use proptest::prelude::*;
use proptest::test_runner::{FileFailurePersistence, RngSeed};

use crate::util::lib_api::{parse_catalog, repair, scenario_markdown, Item, Origin, Scenario, Source, SourceFile};

/// A fixed seed keeps CI reproducible; `PROPTEST_RNG_SEED=<n>` explores other cases locally.
/// Failures are recorded in `parser_props.proptest-regressions` beside this file and re-run first.
/// (proptest's default would look for a `main.rs` above this file, find the crate's, and use
/// `tests/proptest-regressions/parser_props.txt` instead.)
fn config(cases: u32) -> ProptestConfig {
    let seed = std::env::var("PROPTEST_RNG_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x6b38_7364);
    ProptestConfig {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    }
}

fn file() -> Arc<SourceFile> {
    Arc::new(SourceFile { path: PathBuf::from("prop.md"), origin: Origin::Flag })
}

/// Lines that steer the parser into its interesting states.
fn catalog_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("### 🔹 Scenario #1: T".to_string()),
        Just("📘 Scenario #2: Plain".to_string()),
        Just("**Fix / Workaround:**".to_string()),
        Just("Diagnosis Steps:".to_string()),
        Just("**Category:** X".to_string()),
        Just("```".to_string()),
        Just("```bash".to_string()),
        Just("bash".to_string()),
        Just("CopyEdit".to_string()),
        Just("- kubectl get pods".to_string()),
        Just("\t• step".to_string()),
        Just("---".to_string()),
        Just("### Scenario: no number".to_string()),
        Just("### Scenario #99999999999999: overflow".to_string()),
        Just("üîπ ‚Üí mojibake".to_string()),
        "\\PC{0,40}",
        ".{0,20}",
    ]
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        let repaired = repair(&text);
        let _ = parse_catalog(&repaired, &file());
    }

    #[test]
    fn catalog_shaped_text_never_panics(lines in prop::collection::vec(catalog_line(), 0..60)) {
        let text = lines.join("\n");
        let parsed = parse_catalog(&repair(&text), &file());
        for s in &parsed.scenarios {
            prop_assert!(s.source.line >= 1 && s.source.line <= lines.len().max(1));
        }
    }
}

fn sentence() -> impl Strategy<Value = String> {
    "[A-Z][a-z]{1,8}( [a-z0-9]{1,8}){0,6}( `[a-z]{1,6} -[a-z]`)?\\.".prop_map(|s| s)
}

fn command() -> impl Strategy<Value = String> {
    // Arguments are words or `<placeholders>`; a bare `<<` would start a heredoc, which
    // rightly takes the lines after it into the same command.
    "(kubectl|etcdctl|crictl) [a-z]{2,8}( -[a-z] ([a-z0-9-]{1,8}|<[a-z]{1,6}>)){0,3}".prop_map(|s| s)
}

fn items(with_commands: bool) -> impl Strategy<Value = Vec<Item>> {
    let item = if with_commands {
        prop_oneof![sentence().prop_map(Item::prose), command().prop_map(Item::command)].boxed()
    } else {
        sentence().prop_map(Item::prose).boxed()
    };
    prop::collection::vec(item, 0..5)
}

prop_compose! {
    fn scenario()(
        id in 1u32..100_000,
        title in "[A-Z][a-zA-Z0-9 ]{0,30}[a-z]",
        category in prop::option::of("[A-Z][a-z]{2,10}( [A-Z][a-z]{2,10})?"),
        summary in prop::option::of(sentence()),
        what_you_see in prop::collection::vec("[A-Za-z][A-Za-z0-9:<>/ ]{0,30}[a-z]", 0..3),
        what_happened in items(false),
        diagnosis_steps in items(true),
        root_cause in prop::option::of(sentence()),
        fix in items(true),
        lessons in items(false),
        covers in prop::collection::vec("[a-z]{2,6}\\.[a-z-]{2,10}", 0..3),
    ) -> Scenario {
        let source = Source { file: file(), line: 1 };
        let mut s = Scenario::new(id, title.trim().to_string(), source);
        s.category = category;
        s.summary = summary;
        s.what_you_see = what_you_see.into_iter().map(Item::prose).collect();
        s.what_happened = what_happened;
        s.diagnosis_steps = diagnosis_steps;
        s.root_cause = root_cause;
        s.fix = fix;
        s.lessons_learned = lessons;
        s.covers = covers;
        s
    }
}

proptest! {
    #![proptest_config(config(500))]

    #[test]
    fn markdown_round_trips(original in scenario()) {
        let mut out = Vec::new();
        scenario_markdown(&mut out, &original).unwrap();
        let text = String::from_utf8(out).unwrap();
        let parsed = parse_catalog(&text, &file());
        prop_assert_eq!(parsed.scenarios.len(), 1, "{}", text);
        let mut back = parsed.scenarios.into_iter().next().unwrap();
        back.source = original.source.clone();
        back.end_line = original.end_line;
        prop_assert_eq!(&back, &original, "{}", text);
    }
}

/// Found by `markdown_round_trips`: a message that happens to read like a copy-paste artifact
/// (`sh`) is kept when it is quoted.
#[test]
fn quoted_artifact_words_are_kept() {
    let text = "### Scenario #1: A\n**What You See:**\n- `sh`\n";
    let parsed = parse_catalog(text, &file());
    assert_eq!(parsed.scenarios[0].what_you_see, vec![Item::prose("sh")]);
}

/// An object of a kind the checks read, with fields drawn from the values those checks compare.
fn k8s_object() -> impl Strategy<Value = serde_json::Value> {
    let kinds = prop::sample::select(vec![
        "Pod",
        "Service",
        "Endpoints",
        "EndpointSlice",
        "Deployment",
        "StatefulSet",
        "DaemonSet",
        "Ingress",
        "HorizontalPodAutoscaler",
        "CronJob",
        "Job",
        "NetworkPolicy",
        "PodDisruptionBudget",
        "Node",
        "Event",
        "PersistentVolumeClaim",
        "RoleBinding",
        "HTTPRoute",
        "Gateway",
        "Certificate",
        "SecretList",
    ]);
    let scalar = prop_oneof![
        Just(serde_json::json!(null)),
        any::<i64>().prop_map(serde_json::Value::from),
        "[a-zA-Z0-9 */:.-]{0,12}".prop_map(serde_json::Value::from),
        any::<bool>().prop_map(serde_json::Value::from),
        Just(serde_json::json!([])),
        Just(serde_json::json!({})),
    ];
    let fields = prop::sample::select(vec![
        "spec.replicas",
        "status.readyReplicas",
        "spec.selector",
        "spec.schedule",
        "spec.suspend",
        "spec.startingDeadlineSeconds",
        "metadata.deletionTimestamp",
        "status.phase",
        "spec.serviceName",
        "spec.scaleTargetRef",
        "spec.ingressClassName",
        "spec.podSelector",
        "subsets",
        "endpoints",
        "status.conditions",
        "spec.volumes",
        "roleRef",
        "spec.parentRefs",
        "metadata.labels",
        "items",
    ]);
    (kinds, "[a-z]{1,6}", prop::collection::vec((fields, scalar), 0..8)).prop_map(|(kind, name, fields)| {
        let mut v =
            serde_json::json!({"apiVersion": "v1", "kind": kind, "metadata": {"name": name, "namespace": "ns"}});
        for (path, value) in fields {
            let mut at = &mut v;
            let parts: Vec<&str> = path.split('.').collect();
            for p in &parts[..parts.len() - 1] {
                if !at.get(*p).is_some_and(|x| x.is_object()) {
                    at[*p] = serde_json::json!({});
                }
                at = &mut at[*p];
            }
            at[parts[parts.len() - 1]] = value;
        }
        v
    })
}

proptest! {
    #![proptest_config(config(300))]

    /// `analyze`'s readers and checks, on object-shaped input, raw or gzip-compressed: no panic.
    #[test]
    fn analyze_never_panics_on_object_shaped_input(
        objects in prop::collection::vec(k8s_object(), 0..12),
        as_list in any::<bool>(),
        gzip in any::<bool>(),
        cut in any::<u16>(),
    ) {
        let text = if as_list {
            serde_json::json!({"apiVersion": "v1", "kind": "List", "items": objects}).to_string()
        } else {
            objects.iter().map(|o| o.to_string()).collect::<Vec<_>>().join("\n")
        };
        // A cut-off copy too: readers must report, not panic.
        let cut_at = usize::from(cut) % (text.len() + 1);
        for bytes in [text.as_bytes(), &text.as_bytes()[..cut_at]] {
            let input = if gzip {
                use std::io::Write;
                let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                gz.write_all(bytes).unwrap();
                gz.finish().unwrap()
            } else {
                bytes.to_vec()
            };
            crate::util::lib_api::analyze_bytes(&input);
        }
    }

    #[test]
    fn analyze_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        crate::util::lib_api::analyze_bytes(&bytes);
    }
}

/// Lines of pasted output: kubelet and event lines, describe fields, table rows, line ends of
/// every kind, invalid UTF-8, and text in general.
fn paste_line() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"E1201 10:00:01.000001    1234 pod_workers.go:1298] \"Error syncing pod, skipping\" pod=web-5d9c7b8f4-lkj99_shop(uid)".to_vec()),
        Just(b"I1201 10:00:03.000003    1234 reconciler_common.go:258] \"VerifyControllerAttachedVolume started for volume \\\"kube-api-access-dhc2b\\\"\"".to_vec()),
        Just(b"Nov 24 10:00:01 node-1 kubelet[812]: E1124 10:00:01.123456     812 kubelet.go:2412] failed".to_vec()),
        Just(b"  Warning  BackOff  2m (x40 over 10m)  kubelet  Back-off restarting failed container".to_vec()),
        Just(b"NAME   READY   STATUS             RESTARTS   AGE".to_vec()),
        Just(b"api-7c9f8d6b5d-abcde   0/1   CrashLoopBackOff   7   15m".to_vec()),
        Just(b"Access Modes: RWO".to_vec()),
        Just(b"StorageClass: ".to_vec()),
        Just(b"Status: Pending".to_vec()),
        Just(b"finalizers:".to_vec()),
        Just(b"- kubernetes.io/pvc-protection".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just(b"\xFF\xFE".to_vec()),
        Just(b"bad \xFF\xE2\x82 bytes".to_vec()),
        Just(Vec::new()),
        "\\PC{0,60}".prop_map(String::into_bytes),
        prop::collection::vec(any::<u8>(), 0..20),
    ]
}

proptest! {
    #![proptest_config(config(500))]

    /// `diagnose --from` reads a paste piece by piece, whatever the size of each read: the
    /// signals are those of the whole paste decoded at once, and nothing panics.
    #[test]
    fn a_paste_read_piece_by_piece_gives_the_signals_of_the_whole(
        lines in prop::collection::vec((paste_line(), prop_oneof![Just(&b"\n"[..]), Just(&b"\r\n"[..]), Just(&b"\r"[..]), Just(&b""[..])]), 0..40),
        chunk in 1usize..64,
    ) {
        let paste: Vec<u8> = lines.iter().flat_map(|(line, end)| line.iter().chain(end.iter()).copied()).collect();
        prop_assert!(crate::util::lib_api::extract_streamed(&paste, chunk));
    }
}
