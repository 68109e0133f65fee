//! What an object's own fields say about it: container states, conditions and phases (the
//! condition and phase rules are data, in `scenarios/kubernetes.yaml`), deletion stuck on
//! finalizers, and Warning events about it.

use serde::Deserialize;
use serde_json::Value;

use super::Checks;
use crate::analyze::objects::{Condition, ContainerStatus, Object, ObjectRef, Status};
use crate::analyze::{Key, Severity, Signal, Snapshot};
use crate::knowledge::{fill, KNOWLEDGE};

fn status_signal(severity: Severity, text: String, evidence: String) -> Signal {
    Signal {
        text: text.into(),
        evidence: evidence.into(),
        severity,
        from_status: true,
        check: None,
        context: false,
        pod_events: false,
    }
}

/// Records what one object (never a list) shows, by its status and by the data checks.
pub(in crate::analyze) fn observe_object(v: &Value, file: &str, checks: &Checks, snapshot: &mut Snapshot) {
    let object = match Object::deserialize(v) {
        Ok(o) => o,
        Err(err) => {
            let name = v.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("?");
            snapshot.problems.push(format!("{file}: {name}: {err}; its status was not read"));
            Object { kind: v.get("kind").and_then(Value::as_str).map(str::to_string), ..Object::default() }
        }
    };
    let kind = object.kind.clone().unwrap_or_default();
    if kind == "Event" {
        checks.observe_time(v, &mut snapshot.inventory);
        observe_event(&object, snapshot);
        return;
    }
    let key = key_of(&object);
    for (at, signal) in checks.observe(v, &key, &mut snapshot.inventory) {
        snapshot.observe(at, signal);
    }
    let mut signals: Vec<Signal> = Vec::new();
    signals.extend(stuck_deleting(&object, &kind));
    if let Some(status) = &object.status {
        if kind == "Pod" {
            signals.extend(pod_signals(status));
        }
        signals.extend(condition_signals(&kind, status));
        signals.extend(phase_signals(&kind, status));
        if kind == "Namespace" {
            signals.extend(namespace_terminating(status));
        }
    }
    if kind == "Node" && object.spec.as_ref().and_then(|s| s.unschedulable) == Some(true) {
        signals.push(status_signal(
            Severity::Warning,
            "node cordoned SchedulingDisabled unschedulable".into(),
            "spec.unschedulable=true".into(),
        ));
    }
    if kind == "Pod" {
        if let Some(owner) = object.metadata.owner_references.first() {
            let entry = snapshot.objects.entry(key.clone()).or_default();
            entry.owner = Some((owner.kind.clone().unwrap_or_default(), owner.name.clone().unwrap_or_default()));
        }
    }
    for signal in signals {
        snapshot.observe(key.clone(), signal);
    }
}

fn key_of(object: &Object) -> Key {
    let m = &object.metadata;
    (
        m.namespace.clone().unwrap_or_default(),
        object.kind.clone().unwrap_or_else(|| "Object".to_string()),
        m.name.clone().unwrap_or_default(),
    )
}

/// Deleted, but held by finalizers.
fn stuck_deleting(object: &Object, kind: &str) -> Option<Signal> {
    let deleted = object.metadata.deletion_timestamp.as_ref()?;
    if object.metadata.finalizers.is_empty() {
        return None;
    }
    let finalizers = object.metadata.finalizers.join(", ");
    Some(status_signal(
        Severity::Error,
        format!("{kind} stuck Terminating with finalizers {finalizers}"),
        format!("metadata.deletionTimestamp={deleted}, metadata.finalizers=[{finalizers}]"),
    ))
}

/// A pod's containers, its scheduling condition, and a failed or evicted phase.
fn pod_signals(status: &Status) -> Vec<Signal> {
    let mut signals: Vec<Signal> = Vec::new();
    for c in &status.init_container_statuses {
        signals.extend(container_signals(c, "Init:"));
    }
    for c in &status.container_statuses {
        signals.extend(container_signals(c, ""));
    }
    for cond in &status.conditions {
        if cond.kind == "PodScheduled" && cond.status == "False" {
            let msg = cond.message.as_deref().unwrap_or("");
            signals.push(status_signal(
                Severity::Error,
                format!("Pending FailedScheduling {} {msg}", cond.reason.as_deref().unwrap_or("")),
                format!("status.conditions[PodScheduled]=False: {msg}"),
            ));
        }
    }
    let phase = status.phase.as_deref().unwrap_or("");
    if phase == "Failed" || status.reason.as_deref() == Some("Evicted") {
        let reason = status.reason.as_deref().unwrap_or("Failed");
        let msg = status.message.as_deref().unwrap_or("");
        signals.push(status_signal(
            Severity::Error,
            format!("Pod {reason} {msg}"),
            format!("status.phase={phase}, status.reason={reason}: {msg}"),
        ));
    }
    signals
}

/// Conditions the knowledge file names as trouble for this kind.
fn condition_signals<'a>(kind: &'a str, status: &'a Status) -> impl Iterator<Item = Signal> + 'a {
    status.conditions.iter().filter_map(move |cond: &Condition| {
        let check = KNOWLEDGE.condition_check(kind, &cond.kind, &cond.status)?;
        let reason = cond.reason.as_deref().unwrap_or("");
        let msg = cond.message.as_deref().unwrap_or("");
        Some(status_signal(
            check.severity.into(),
            fill(check.text, kind, &cond.kind, reason, msg),
            format!("status.conditions[{}]={} ({reason}): {msg}", cond.kind, cond.status),
        ))
    })
}

/// A phase the knowledge file names as trouble for this kind.
fn phase_signals(kind: &str, status: &Status) -> Option<Signal> {
    let phase = status.phase.as_deref()?;
    let check = KNOWLEDGE.phase_checks.iter().find(|c| c.kind == kind && c.phase == phase)?;
    Some(status_signal(check.severity.into(), fill(check.text, kind, "", "", ""), format!("status.phase={phase}")))
}

/// A namespace stuck deleting: what its conditions say is left.
fn namespace_terminating(status: &Status) -> Option<Signal> {
    if status.phase.as_deref() != Some("Terminating") {
        return None;
    }
    let stuck = status.conditions.iter().filter(|c| c.status == "True");
    let detail: Vec<String> = stuck.map(|c| format!("{}: {}", c.kind, c.message.as_deref().unwrap_or(""))).collect();
    Some(status_signal(
        Severity::Error,
        format!("namespace stuck Terminating {}", detail.join(" ")),
        format!("status.phase=Terminating {}", detail.join("; ")),
    ))
}

/// `prefix` is `Init:` for init containers, as kubectl's STATUS column writes their state.
fn container_signals(c: &ContainerStatus, prefix: &str) -> Vec<Signal> {
    let mut out = Vec::new();
    // Restarted in the past, running and ready now: its last termination is history.
    let recovered = c.ready && c.state.running.is_some();
    if let Some(waiting) = &c.state.waiting {
        let reason = waiting.reason.as_deref().unwrap_or("");
        if !reason.is_empty() && !KNOWLEDGE.waiting_ignored.contains(&reason) {
            let msg = waiting.message.as_deref().unwrap_or("");
            let severity =
                if KNOWLEDGE.waiting_warning.contains(&reason) { Severity::Warning } else { Severity::Error };
            out.push(status_signal(
                severity,
                format!("{prefix}{reason} {msg}"),
                format!("containerStatuses[{}].state.waiting.reason={reason}: {msg}", c.name),
            ));
        }
    }
    for (state, detail) in [("state", &c.state.terminated), ("lastState", &c.last_state.terminated)] {
        // Running and ready again after a few restarts: the last termination is history, shown
        // only beside other trouble (a BackOff event); many restarts are a warning by themselves.
        let history = state == "lastState" && recovered && c.restart_count < 5;
        let severity = if state == "lastState" && recovered { Severity::Warning } else { Severity::Error };
        if let Some(t) = detail {
            let reason = t.reason.as_deref().unwrap_or("");
            let code = t.exit_code.unwrap_or(0);
            if code != 0 || reason == "OOMKilled" {
                out.push(Signal {
                    context: history,
                    ..status_signal(
                        severity,
                        if prefix.is_empty() {
                            format!("Reason {reason} exit code {code}")
                        } else {
                            format!("Init:{reason} init container exit code {code}")
                        },
                        format!("containerStatuses[{}].{state}.terminated: reason={reason}, exitCode={code}", c.name),
                    )
                });
            }
        }
    }
    if c.restart_count >= 5 && out.is_empty() && !recovered {
        out.push(status_signal(
            Severity::Warning,
            format!("container restarting restarts {}", c.restart_count),
            format!("containerStatuses[{}].restartCount={}", c.name, c.restart_count),
        ));
    }
    out
}

/// Kinds without a namespace that events name.
const CLUSTER_SCOPED: [&str; 8] = [
    "Node",
    "PersistentVolume",
    "Namespace",
    "StorageClass",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "CertificateSigningRequest",
];

/// A Warning event (or a Normal one that reports trouble), recorded on the object it is about.
fn observe_event(event: &Object, snapshot: &mut Snapshot) {
    let warning = event.event_type.as_deref() == Some("Warning");
    let reason = event.reason.as_deref().unwrap_or("");
    if !warning && !KNOWLEDGE.telling_normal(reason) {
        return;
    }
    // A routine Normal event (`ScalingReplicaSet`, `Killing`, `WaitForFirstConsumer`) explains
    // trouble seen elsewhere on its object; alone, it is not a finding.
    let context = !warning && !KNOWLEDGE.failure_reason_words.iter().any(|w| reason.contains(w));
    let Some(target) = event.involved_object.as_ref().or(event.regarding.as_ref()) else { return };
    let ObjectRef { kind, name, namespace } = target.clone();
    let kind = kind.unwrap_or_default();
    // Events about a node are stored in `default`; the node itself has no namespace.
    let namespace = if CLUSTER_SCOPED.contains(&kind.as_str()) {
        String::new()
    } else {
        namespace.or_else(|| event.metadata.namespace.clone()).unwrap_or_default()
    };
    let key = (namespace, kind, name.unwrap_or_default());
    let message = event.message.as_deref().or(event.note.as_deref()).unwrap_or("");
    let count = event.count.map(|c| format!(" (x{c})")).unwrap_or_default();
    snapshot.observe(
        key,
        Signal {
            text: format!("{reason} {message}").into(),
            evidence: format!("event {reason}: {}{count}", one_line(message)).into(),
            severity: Severity::Warning,
            from_status: false,
            check: None,
            context,
            pod_events: false,
        },
    );
}

/// The message on one line: an event's message is evidence shown in a one-line list.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
