//! The user's seed document, read raw (mojibake and chat-window artifacts included).

use crate::util::lib_api::repair;
use crate::util::{k8sdoc, repo, seed_path};
use serde_json::Value;

fn seed_json(ids: &[&str]) -> Vec<Value> {
    let out = k8sdoc()
        .arg("--no-builtin")
        .arg("--scenarios")
        .arg(seed_path())
        .args(["show", "--format", "json"])
        .args(ids)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect()
}

#[test]
fn repair_of_raw_seed_is_the_shipped_builtin_text() {
    let raw = std::fs::read_to_string(seed_path()).unwrap();
    let shipped = std::fs::read_to_string(repo().join("scenarios/cluster-management.md")).unwrap();
    let repaired = repair(&raw);
    assert_eq!(repaired, shipped);
    assert!(raw.contains("üîπ") && !shipped.contains("üîπ") && shipped.contains("🔹"));
    assert!(!shipped.contains("‚Üí") && shipped.contains('→'));
}

#[test]
fn all_22_scenarios_load_with_every_section_the_source_has() {
    let ids: Vec<String> = (1..=22).map(|i| i.to_string()).collect();
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    let all = seed_json(&ids);
    assert_eq!(all.len(), 22);
    let raw = std::fs::read_to_string(seed_path()).unwrap();
    // Each block of the raw seed, split at its headings, says which optional sections it has.
    let blocks: Vec<&str> = raw.split("Scenario #").skip(1).collect();
    assert_eq!(blocks.len(), 22);
    for (s, block) in all.iter().zip(&blocks) {
        let id = s["id"].as_u64().unwrap();
        for key in ["title", "category", "environment", "summary", "root_cause"] {
            let text = s[key].as_str().unwrap_or_else(|| panic!("#{id} lacks {key}"));
            assert!(!text.trim().is_empty(), "#{id} has empty {key}");
            assert!(!text.contains('√') && !text.contains('‚'), "#{id} {key} still mojibake: {text}");
        }
        for key in ["what_happened", "diagnosis_steps", "fix"] {
            assert!(!strings(&s[key]).is_empty(), "#{id} lacks {key}");
        }
        let has = |label: &str| block.contains(label);
        assert_eq!(!strings(&s["lessons_learned"]).is_empty(), has("**Lessons Learned"), "#{id} lessons");
        assert_eq!(!strings(&s["how_to_avoid"]).is_empty(), has("**How to Avoid"), "#{id} how to avoid");
        assert_eq!(s["pro_tip"].is_string(), has("**Pro Tip"), "#{id} pro tip");
        for key in ["fix", "diagnosis_steps", "what_happened", "lessons_learned", "how_to_avoid"] {
            for item in strings(&s[key]) {
                assert!(!matches!(item, "bash" | "CopyEdit") && !item.contains("```"), "#{id} {key} artifact: {item}");
            }
        }
    }
}

#[test]
fn scenario_4_keeps_etcdctl_commands_and_drops_artifacts() {
    let s = &seed_json(&["4"])[0];
    assert_eq!(s["title"], "Etcd Disk Full Causing API Server Timeout");
    assert_eq!(s["category"], "Cluster Management");
    assert_eq!(s["environment"], "K8s v1.25, Bare-metal cluster");
    assert_eq!(
        strings(&s["diagnosis_steps"]),
        [
            "Used df -h on etcd nodes — confirmed disk full.",
            "Reviewed /var/lib/etcd – excessive WAL and snapshot files.",
            "Used etcdctl to assess DB size."
        ]
    );
    assert_eq!(
        strings(&s["fix"]),
        ["etcdctl compact <rev>", "etcdctl defrag", "Cleaned logs, snapshots, and increased disk space temporarily."]
    );
    assert_eq!(strings(&s["lessons_learned"]), ["etcd requires periodic maintenance."]);
    assert_eq!(
        strings(&s["how_to_avoid"]),
        ["Enable automatic compaction.", "Monitor disk space usage of etcd volumes."]
    );
}

#[test]
fn scenario_11_code_block_after_bash_line() {
    let s = &seed_json(&["11"])[0];
    assert_eq!(s["title"], "kube-proxy IPTables Rules Overlap Breaking Networking");
    assert_eq!(
        strings(&s["fix"]),
        ["Flushed custom rules and reloaded kube-proxy.", "iptables -F; systemctl restart kube-proxy"]
    );
    assert_eq!(
        s["root_cause"],
        "Manual IPTables rules conflicted with KUBE-SERVICES chains, causing rule precedence issues."
    );
    assert_eq!(strings(&s["lessons_learned"]), ["Never mix manual IPTables rules with kube-proxy-managed chains."]);
}

#[test]
fn scenario_12_inline_triple_backticks_and_fenced_fix() {
    let s = &seed_json(&["12"])[0];
    assert_eq!(
        strings(&s["diagnosis_steps"]),
        [
            "Ran kubectl get csr – saw >500 pending requests.",
            "New nodes stuck at kubelet: `waiting for server signing`.",
            "Approval controller was disabled due to misconfiguration."
        ]
    );
    assert_eq!(
        strings(&s["fix"]),
        ["kubectl certificate approve <csr-name>", "Re-enabled the CSR approver controller."]
    );
    assert_eq!(
        strings(&s["how_to_avoid"]),
        ["Monitor pending CSRs.", "Don’t disable kube-controller-manager flags like --cluster-signing-cert-file."]
    );
}

#[test]
fn scenario_22_prose_then_command() {
    let s = &seed_json(&["22"])[0];
    assert_eq!(s["summary"], "A namespace remained in “Terminating” state indefinitely.");
    assert_eq!(
        strings(&s["fix"]),
        [
            "Manually removed finalizers using a patched JSON:",
            r#"kubectl patch ns <name> -p '{"spec":{"finalizers":[]}}' --type=merge"#
        ]
    );
    assert_eq!(s["source"], format!("{}:{}", seed_path().display(), 622));
}

#[test]
fn scenario_1_and_2_bullets_with_inline_code_and_pro_tip() {
    let all = seed_json(&["1", "2"]);
    assert_eq!(
        strings(&all[0]["diagnosis_steps"])[0],
        "`kubectl get pods --all-namespaces -o wide` → found stuck pod."
    );
    assert_eq!(
        strings(&all[0]["fix"]),
        [r#"kubectl patch pod <pod-name> -p '{"metadata":{"finalizers":[]}}' --type=merge"#]
    );
    assert_eq!(
        all[1]["pro_tip"],
        "Consider implementing rate limiting or circuit breakers in controllers to prevent uncontrolled resource creation."
    );
    assert_eq!(strings(&all[1]["lessons_learned"]).len(), 3);
}
