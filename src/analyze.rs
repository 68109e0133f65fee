//! `k8sdoc analyze`: diagnoses a saved cluster state (a `kubectl cluster-info dump` folder,
//! `kubectl get ... -o json|yaml` files, pasted describe output and logs) object by object.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use comfy_table::Cell;
use serde::Serialize;
use serde_json::value::RawValue;

use crate::cache;
use crate::cli::{AnalyzeArgs, AnalyzeFormat, Settings, SeverityArg};
use crate::engine::{self, Input};
use crate::extract::{extract, normalize};
use crate::k8s::{ContainerStatus, Object, ObjectRef};
use crate::sanitize::{one_line, sanitize};
use crate::style::{Palette, Role};
use crate::{yaml, Outcome};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl From<SeverityArg> for Severity {
    fn from(s: SeverityArg) -> Severity {
        match s {
            SeverityArg::Warning => Severity::Warning,
            SeverityArg::Error => Severity::Error,
        }
    }
}

/// namespace, kind, name.
type Key = (String, String, String);

/// One thing seen about an object: text for the engine, evidence for the reader.
#[derive(Debug, Clone)]
struct Signal {
    text: String,
    evidence: String,
    severity: Severity,
    /// From the object's own status (not an event or a log): what defines how it fails.
    from_status: bool,
}

/// Everything read about one object.
#[derive(Debug, Default)]
struct Observed {
    signals: Vec<Signal>,
    /// Each signal's text with what varies between objects removed ([`group_text`]): for
    /// de-duplication and grouping, computed once per signal.
    keys: Vec<String>,
    /// The controller that owns it (pods: their ReplicaSet, StatefulSet, DaemonSet or Job).
    owner: Option<(String, String)>,
}

#[derive(Default)]
struct Snapshot {
    objects: BTreeMap<Key, Observed>,
    problems: Vec<String>,
    files: usize,
}

impl Snapshot {
    fn observe(&mut self, key: Key, signal: Signal) {
        let entry = self.objects.entry(key).or_default();
        let text_key = group_text(&signal.text);
        if !entry.keys.contains(&text_key) {
            entry.keys.push(text_key);
            entry.signals.push(signal);
        }
    }
}

pub fn run(args: &AnalyzeArgs, settings: &Settings, out: &mut dyn Write, palette: Palette) -> Result<Outcome> {
    let mut snapshot = Snapshot::default();
    for path in &args.paths {
        read_path(path, &mut snapshot)?;
    }
    for problem in &snapshot.problems {
        if !settings.quiet {
            eprintln!("k8sdoc: warning: {}", sanitize(problem));
        }
    }
    let findings = findings(&snapshot, args, settings)?;
    match args.format {
        AnalyzeFormat::Json => crate::render::write_json(out, &Report { findings: &findings })?,
        AnalyzeFormat::Yaml => yaml::write(out, &Report { findings: &findings })?,
        AnalyzeFormat::Text => text(&findings, snapshot.files, out, palette)?,
    }
    let failing = args.fail_on.map(Severity::from).is_some_and(|level| findings.iter().any(|f| f.severity >= level));
    Ok(if failing { Outcome::NothingFound } else { Outcome::Found })
}

fn read_path(path: &Path, snapshot: &mut Snapshot) -> Result<()> {
    let meta = std::fs::metadata(path).with_context(|| format!("{}: cannot read", path.display()))?;
    if meta.is_dir() {
        let mut files = Vec::new();
        walk(path, &mut files).with_context(|| format!("{}: cannot read folder", path.display()))?;
        files.sort();
        for file in files {
            // In a dump folder, one unreadable file is reported and the rest analysed.
            if let Err(err) = read_file(&file, Some(path), snapshot) {
                snapshot.problems.push(format!("{err:#}"));
            }
        }
        Ok(())
    } else {
        read_file(path, None, snapshot)
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Reads one file by content: JSON, YAML objects, or text (describe output, logs).
fn read_file(path: &Path, root: Option<&Path>, snapshot: &mut Snapshot) -> Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    snapshot.files += 1;
    let name = path.display().to_string();
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if first == Some(b'{') || first == Some(b'[') {
        for object in read_json(&bytes, &name, &mut snapshot.problems) {
            observe_object(object, snapshot);
        }
        return Ok(());
    }
    let text = String::from_utf8_lossy(&bytes);
    if text.lines().take(50).any(|l| l.starts_with("apiVersion:") || l.starts_with("kind:")) {
        for doc in yaml::parse_documents::<Object>(&text, &name) {
            match doc {
                Ok(object) => observe_object(object, snapshot),
                Err(err) => snapshot.problems.push(format!("{err:#}")),
            }
        }
        return Ok(());
    }
    // Text: container logs of a dump (`NAMESPACE/POD/logs.txt`), describe output, other logs.
    let key = log_owner(path, root).unwrap_or_else(|| {
        (
            String::new(),
            "File".to_string(),
            path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or(name.clone()),
        )
    });
    for signal in extract(&text) {
        let severity = if signal.weight >= 1.0 { Severity::Error } else { Severity::Warning };
        let evidence = format!("{}:{}: {}", name, signal.line, signal.text);
        snapshot.observe(key.clone(), Signal { text: signal.text, evidence, severity, from_status: false });
    }
    Ok(())
}

/// `kubectl cluster-info dump --output-directory` writes container logs to `NAMESPACE/POD/logs.txt`.
fn log_owner(path: &Path, root: Option<&Path>) -> Option<Key> {
    let rel = path.strip_prefix(root?).ok()?;
    let parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    match parts.as_slice() {
        [ns, pod, file] if file.starts_with("logs") => Some((ns.clone(), "Pod".to_string(), pod.clone())),
        _ => None,
    }
}

/// Parses JSON: one object or list, or a stream of them. A document that does not parse as a
/// whole (truncated, or one odd item) is read item by item, keeping every item that parses and
/// reporting where reading stopped.
fn read_json(bytes: &[u8], name: &str, problems: &mut Vec<String>) -> Vec<Object> {
    let mut out = Vec::new();
    let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<Object>();
    loop {
        let at = stream.byte_offset();
        match stream.next() {
            None => break,
            Some(Ok(object)) => out.push(object),
            Some(Err(err)) => {
                let rest = &bytes[at..];
                let (items, problem) = read_items(rest, at, name);
                if items.is_empty() {
                    problems.push(format!("{name}: byte {}: {err}", at + 1));
                } else {
                    problems.extend(problem);
                }
                out.extend(items);
                break;
            }
        }
    }
    out
}

/// Reads the `"items": [...]` array of a list one item at a time.
fn read_items(bytes: &[u8], base: usize, name: &str) -> (Vec<Object>, Vec<String>) {
    let mut items = Vec::new();
    let mut problems = Vec::new();
    let Some(key) = memchr::memmem::find(bytes, b"\"items\"") else { return (items, problems) };
    let Some(open) = bytes[key..].iter().position(|&b| b == b'[').map(|p| key + p + 1) else {
        return (items, problems);
    };
    let mut pos = open;
    let mut index = 0;
    loop {
        while pos < bytes.len() && (bytes[pos].is_ascii_whitespace() || bytes[pos] == b',') {
            pos += 1;
        }
        if pos >= bytes.len() {
            problems.push(format!(
                "{name}: byte {}: input ends inside the items list (truncated); read {index} items",
                base + pos
            ));
            break;
        }
        if bytes[pos] == b']' {
            break;
        }
        let mut stream = serde_json::Deserializer::from_slice(&bytes[pos..]).into_iter::<&RawValue>();
        match stream.next() {
            Some(Ok(raw)) => {
                match serde_json::from_str::<Object>(raw.get()) {
                    Ok(object) => items.push(object),
                    Err(err) => problems.push(format!("{name}: byte {}: item {index} skipped: {err}", base + pos + 1)),
                }
                pos += stream.byte_offset();
                index += 1;
            }
            _ => {
                problems.push(format!(
                    "{name}: byte {}: item {index} is cut off (truncated); read {index} items",
                    base + pos + 1
                ));
                break;
            }
        }
    }
    (items, problems)
}

fn key_of(object: &Object) -> Key {
    let m = &object.metadata;
    (
        m.namespace.clone().unwrap_or_default(),
        object.kind.clone().unwrap_or_else(|| "Object".to_string()),
        m.name.clone().unwrap_or_default(),
    )
}

fn observe_object(object: Object, snapshot: &mut Snapshot) {
    if let Some(items) = object.items {
        for item in items {
            observe_object(item, snapshot);
        }
        return;
    }
    let kind = object.kind.clone().unwrap_or_default();
    if kind == "Event" {
        observe_event(&object, snapshot);
        return;
    }
    let key = key_of(&object);
    let mut signals: Vec<Signal> = Vec::new();
    let err = |text: String, evidence: String| Signal { text, evidence, severity: Severity::Error, from_status: true };
    let warn =
        |text: String, evidence: String| Signal { text, evidence, severity: Severity::Warning, from_status: true };
    if let Some(deleted) = &object.metadata.deletion_timestamp {
        if !object.metadata.finalizers.is_empty() {
            let finalizers = object.metadata.finalizers.join(", ");
            signals.push(err(
                format!("{kind} stuck Terminating with finalizers {finalizers}"),
                format!("metadata.deletionTimestamp={deleted}, metadata.finalizers=[{finalizers}]"),
            ));
        }
    }
    let status = object.status.as_ref();
    match kind.as_str() {
        "Pod" => {
            if let Some(status) = status {
                for c in status.init_container_statuses.iter().chain(&status.container_statuses) {
                    signals.extend(container_signals(c));
                }
                let phase = status.phase.as_deref().unwrap_or("");
                for cond in &status.conditions {
                    if cond.kind == "PodScheduled" && cond.status == "False" {
                        let msg = cond.message.as_deref().unwrap_or("");
                        signals.push(err(
                            format!("Pending FailedScheduling {} {msg}", cond.reason.as_deref().unwrap_or("")),
                            format!("status.conditions[PodScheduled]=False: {msg}"),
                        ));
                    }
                }
                if phase == "Failed" || status.reason.as_deref() == Some("Evicted") {
                    let reason = status.reason.as_deref().unwrap_or("Failed");
                    let msg = status.message.as_deref().unwrap_or("");
                    signals.push(err(
                        format!("Pod {reason} {msg}"),
                        format!("status.phase={phase}, status.reason={reason}: {msg}"),
                    ));
                }
            }
            if let Some(owner) = object.metadata.owner_references.first() {
                let entry = snapshot.objects.entry(key.clone()).or_default();
                entry.owner = Some((owner.kind.clone().unwrap_or_default(), owner.name.clone().unwrap_or_default()));
            }
        }
        "Node" => {
            if let Some(status) = status {
                for cond in &status.conditions {
                    let bad = match cond.kind.as_str() {
                        "Ready" => cond.status != "True",
                        "MemoryPressure" | "DiskPressure" | "PIDPressure" | "NetworkUnavailable" => {
                            cond.status == "True"
                        }
                        _ => false,
                    };
                    if bad {
                        let reason = cond.reason.as_deref().unwrap_or("");
                        let msg = cond.message.as_deref().unwrap_or("");
                        let text = if cond.kind == "Ready" {
                            format!("node NotReady {reason} {msg}")
                        } else {
                            format!("{} {reason} {msg}", cond.kind)
                        };
                        signals.push(err(
                            text,
                            format!("status.conditions[{}]={} ({reason}): {msg}", cond.kind, cond.status),
                        ));
                    }
                }
            }
            if let Some(spec) = &object.spec {
                if spec.unschedulable == Some(true) {
                    signals.push(warn(
                        "node cordoned SchedulingDisabled unschedulable".into(),
                        "spec.unschedulable=true".into(),
                    ));
                }
            }
        }
        "PersistentVolumeClaim" if status.and_then(|s| s.phase.as_deref()) == Some("Pending") => {
            signals.push(err("PersistentVolumeClaim pvc Pending".into(), "status.phase=Pending".into()));
        }
        "PersistentVolume" if status.and_then(|s| s.phase.as_deref()) == Some("Released") => {
            signals.push(warn("PersistentVolume pv Released".into(), "status.phase=Released".into()));
        }
        "Namespace" if status.and_then(|s| s.phase.as_deref()) == Some("Terminating") => {
            let stuck = status.into_iter().flat_map(|s| &s.conditions).filter(|c| c.status == "True");
            let detail: Vec<String> =
                stuck.map(|c| format!("{}: {}", c.kind, c.message.as_deref().unwrap_or(""))).collect();
            signals.push(err(
                format!("namespace stuck Terminating {}", detail.join(" ")),
                format!("status.phase=Terminating {}", detail.join("; ")),
            ));
        }
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" | "CronJob" | "HorizontalPodAutoscaler" => {
            for cond in status.into_iter().flat_map(|s| &s.conditions) {
                let bad = matches!(
                    (cond.kind.as_str(), cond.status.as_str()),
                    ("Progressing" | "Available" | "AbleToScale" | "ScalingActive", "False")
                        | ("ReplicaFailure" | "Failed", "True")
                );
                if bad {
                    let reason = cond.reason.as_deref().unwrap_or("");
                    let msg = cond.message.as_deref().unwrap_or("");
                    signals.push(err(
                        format!("{kind} {reason} {msg}"),
                        format!("status.conditions[{}]={} ({reason}): {msg}", cond.kind, cond.status),
                    ));
                }
            }
        }
        _ => {}
    }
    for signal in signals {
        snapshot.observe(key.clone(), signal);
    }
}

fn container_signals(c: &ContainerStatus) -> Vec<Signal> {
    let mut out = Vec::new();
    if let Some(waiting) = &c.state.waiting {
        let reason = waiting.reason.as_deref().unwrap_or("");
        if !matches!(reason, "" | "PodInitializing") {
            let msg = waiting.message.as_deref().unwrap_or("");
            let severity = if reason == "ContainerCreating" { Severity::Warning } else { Severity::Error };
            out.push(Signal {
                text: format!("{reason} {msg}"),
                evidence: format!("containerStatuses[{}].state.waiting.reason={reason}: {msg}", c.name),
                severity,
                from_status: true,
            });
        }
    }
    for (state, detail) in [("state", &c.state.terminated), ("lastState", &c.last_state.terminated)] {
        if let Some(t) = detail {
            let reason = t.reason.as_deref().unwrap_or("");
            let code = t.exit_code.unwrap_or(0);
            if code != 0 || reason == "OOMKilled" {
                out.push(Signal {
                    text: format!("Reason {reason} exit code {code}"),
                    evidence: format!(
                        "containerStatuses[{}].{state}.terminated: reason={reason}, exitCode={code}",
                        c.name
                    ),
                    severity: Severity::Error,
                    from_status: true,
                });
            }
        }
    }
    if c.restart_count >= 5 && out.is_empty() {
        out.push(Signal {
            text: format!("container restarting restarts {}", c.restart_count),
            evidence: format!("containerStatuses[{}].restartCount={}", c.name, c.restart_count),
            severity: Severity::Warning,
            from_status: true,
        });
    }
    out
}

fn observe_event(event: &Object, snapshot: &mut Snapshot) {
    let warning = event.event_type.as_deref() == Some("Warning");
    let reason = event.reason.as_deref().unwrap_or("");
    if !warning && !crate::extract::telling_normal(reason) {
        return;
    }
    let Some(target) = event.involved_object.as_ref().or(event.regarding.as_ref()) else { return };
    let ObjectRef { kind, name, namespace } = target.clone();
    let key = (
        namespace.or_else(|| event.metadata.namespace.clone()).unwrap_or_default(),
        kind.unwrap_or_default(),
        name.unwrap_or_default(),
    );
    let message = event.message.as_deref().or(event.note.as_deref()).unwrap_or("");
    let count = event.count.map(|c| format!(" (x{c})")).unwrap_or_default();
    snapshot.observe(
        key,
        Signal {
            text: format!("{reason} {message}"),
            evidence: format!("event {reason}: {}{count}", one_line(message)),
            severity: Severity::Warning,
            from_status: false,
        },
    );
}

/// One affected object (or a group failing the same way), what was seen, what to read.
#[derive(Debug, Serialize)]
pub struct Finding {
    pub object: ObjectDoc,
    pub severity: Severity,
    pub symptoms: Vec<SymptomDoc>,
    pub count: usize,
    pub scenarios: Vec<ScenarioDoc>,
    #[serde(skip)]
    evidence: Vec<String>,
    #[serde(skip)]
    members: Vec<String>,
    #[serde(skip)]
    first_fix: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ObjectDoc {
    pub namespace: String,
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SymptomDoc {
    pub id: String,
    pub evidence: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScenarioDoc {
    pub id: u32,
    pub title: String,
    pub score: f32,
}

#[derive(Serialize)]
struct Report<'a> {
    findings: &'a [Finding],
}

/// The members of one finding.
type Group<'a> = Vec<(&'a Key, &'a Observed)>;
/// What the engine said for a set of signals: symptoms, scenarios, the first fix step.
type Ranking = (Vec<SymptomDoc>, Vec<ScenarioDoc>, Option<String>);

/// Groups affected objects (pods of one controller failing alike are one finding), and ranks
/// scenarios for each group with the diagnose engine.
fn findings(snapshot: &Snapshot, args: &AnalyzeArgs, settings: &Settings) -> Result<Vec<Finding>> {
    let opened = cache::open(&settings.catalog)?;
    let index = opened.view()?;
    let min = args.min_severity.map(Severity::from).unwrap_or(Severity::Warning);
    // Group by (namespace, controller or object, the set of signal texts with noise removed).
    let mut groups: BTreeMap<(Key, Vec<String>), Group> = BTreeMap::new();
    for (key, observed) in &snapshot.objects {
        if observed.signals.is_empty() || args.namespace.as_ref().is_some_and(|ns| *ns != key.0) {
            continue;
        }
        let group_key = match (&observed.owner, key.1.as_str()) {
            (Some((kind, name)), _) => (key.0.clone(), kind.clone(), name.clone()),
            (None, "Pod") => match replicaset_of(&key.2) {
                Some(rs) => (key.0.clone(), "ReplicaSet".to_string(), rs.to_string()),
                None => key.clone(),
            },
            (None, _) => key.clone(),
        };
        // Members fail "the same way" when their own status says the same; events and logs
        // differ from pod to pod and are merged into the group instead.
        let any_status = observed.signals.iter().any(|s| s.from_status);
        let mut texts: Vec<String> = observed
            .signals
            .iter()
            .zip(&observed.keys)
            .filter(|(s, _)| s.from_status || !any_status)
            .map(|(_, k)| k.clone())
            .collect();
        texts.sort();
        texts.dedup();
        groups.entry((group_key, texts)).or_default().push((key, observed));
    }
    let mut cache: HashMap<Vec<String>, Ranking> = HashMap::new();
    let mut scenario_text: HashMap<usize, crate::model::Scenario> = HashMap::new();
    let mut out = Vec::new();
    for ((key, _), members) in groups {
        let mut signals: Vec<&Signal> = Vec::new();
        let mut texts: Vec<String> = Vec::new();
        for (_, observed) in &members {
            for (s, k) in observed.signals.iter().zip(&observed.keys) {
                if !texts.contains(k) {
                    texts.push(k.clone());
                    signals.push(s);
                }
            }
        }
        let severity = signals.iter().map(|s| s.severity).max().unwrap_or(Severity::Warning);
        if severity < min {
            continue;
        }
        let (symptoms, scenarios, first_fix) = match cache.get(&texts) {
            Some(hit) => hit.clone(),
            None => {
                let inputs: Vec<Input> = signals
                    .iter()
                    .map(|s| Input { text: s.text.clone(), origin: s.evidence.clone(), weight: 1.0, pasted: true })
                    .collect();
                let settings = engine::Settings { limit: 3, category: None, text_only: false };
                let diagnosis = engine::diagnose(&index, &opened.rules, &inputs, &settings);
                let symptoms = diagnosis
                    .detected
                    .iter()
                    .map(|d| SymptomDoc {
                        id: opened.rules.symptoms[d.symptom].id.clone(),
                        evidence: d.evidence.first().cloned().unwrap_or_default(),
                    })
                    .collect();
                let mut scenarios = Vec::new();
                let mut first_fix = None;
                for r in &diagnosis.results {
                    if let std::collections::hash_map::Entry::Vacant(slot) = scenario_text.entry(r.doc) {
                        slot.insert(opened.scenario(&index, r.doc)?);
                    }
                    let s = &scenario_text[&r.doc];
                    if first_fix.is_none() {
                        first_fix = s
                            .fix_commands()
                            .next()
                            .or_else(|| s.fix.first().map(|i| i.text.as_str()))
                            .map(str::to_string);
                    }
                    scenarios.push(ScenarioDoc {
                        id: s.id,
                        title: s.title.clone(),
                        score: (r.score * 10.0).round() / 10.0,
                    });
                }
                let entry = (symptoms, scenarios, first_fix);
                cache.insert(texts.clone(), entry.clone());
                entry
            }
        };
        out.push(Finding {
            object: ObjectDoc { namespace: key.0, kind: key.1, name: key.2 },
            severity,
            symptoms,
            count: members.len(),
            scenarios,
            evidence: signals.iter().map(|s| s.evidence.clone()).collect(),
            members: members.iter().map(|(k, _)| k.2.clone()).collect(),
            first_fix,
        });
    }
    out.sort_by(|a, b| {
        b.severity.cmp(&a.severity).then(b.count.cmp(&a.count)).then_with(|| {
            (&a.object.namespace, &a.object.kind, &a.object.name).cmp(&(
                &b.object.namespace,
                &b.object.kind,
                &b.object.name,
            ))
        })
    });
    Ok(out)
}

/// The ReplicaSet of a pod known only by name (events do not carry owners): Deployment pods
/// are named `<replicaset>-<5 characters>`, and a ReplicaSet `<deployment>-<pod-template-hash>`.
fn replicaset_of(pod: &str) -> Option<&str> {
    let (rs, suffix) = pod.rsplit_once('-')?;
    let (_, hash) = rs.rsplit_once('-')?;
    let alnum = |s: &str| s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    (suffix.len() == 5
        && alnum(suffix)
        && (6..=10).contains(&hash.len())
        && alnum(hash)
        && hash.bytes().any(|b| b.is_ascii_digit()))
    .then_some(rs)
}

/// A signal's text with what differs between members of a group removed: pod names, numbers.
fn group_text(text: &str) -> String {
    normalize(text)
        .split_whitespace()
        .filter(|w| !w.chars().any(|c| c.is_ascii_digit()) && !w.contains('_') && w.len() < 40)
        .collect::<Vec<_>>()
        .join(" ")
}

fn text(findings: &[Finding], files: usize, out: &mut dyn Write, p: Palette) -> Result<()> {
    if findings.is_empty() {
        writeln!(out, "No findings in {files} files: nothing looks wrong.")?;
        return Ok(());
    }
    let mut table = crate::render::table(&["SEVERITY", "OBJECT", "COUNT", "SYMPTOMS", "TOP SCENARIO"], p);
    for f in findings {
        let symptoms: Vec<&str> = f.symptoms.iter().map(|s| s.id.as_str()).collect();
        let top =
            f.scenarios.first().map(|s| format!("#{} {}", s.id, one_line(&s.title))).unwrap_or_else(|| "-".into());
        table.add_row(vec![
            Cell::new(severity_label(f.severity, p)),
            Cell::new(one_line(&object_name(f))),
            Cell::new(f.count),
            Cell::new(if symptoms.is_empty() { "-".to_string() } else { symptoms.join(", ") }),
            Cell::new(top),
        ]);
    }
    writeln!(out, "{table}")?;
    for f in findings {
        writeln!(out)?;
        writeln!(out, "{}  {}", severity_label(f.severity, p), p.paint(Role::Heading, &one_line(&object_name(f))))?;
        if f.count > 1 {
            let shown: Vec<&str> = f.members.iter().take(5).map(String::as_str).collect();
            let more = if f.count > 5 { format!(", and {} more", f.count - 5) } else { String::new() };
            writeln!(out, "  {} objects failing the same way: {}{more}", f.count, one_line(&shown.join(", ")))?;
        }
        for e in f.evidence.iter().take(6) {
            writeln!(out, "  {} {}", p.paint(Role::Dim, "seen:"), one_line(e))?;
        }
        for s in &f.scenarios {
            writeln!(
                out,
                "  {} {}  {}  ({:.0})",
                p.paint(Role::Dim, "read:"),
                p.paint(Role::Id, &format!("#{}", s.id)),
                one_line(&s.title),
                s.score
            )?;
        }
        if let Some(fix) = &f.first_fix {
            writeln!(out, "  {} {}", p.paint(Role::Dim, "first fix:"), p.paint(Role::Command, &one_line(fix)))?;
        }
    }
    Ok(())
}

fn object_name(f: &Finding) -> String {
    let o = &f.object;
    if o.namespace.is_empty() {
        format!("{}/{}", o.kind, o.name)
    } else {
        format!("{}/{}/{}", o.namespace, o.kind, o.name)
    }
}

fn severity_label(s: Severity, p: Palette) -> String {
    match s {
        Severity::Error => p.paint(Role::Match, "error"),
        Severity::Warning => p.paint(Role::Warn, "warning"),
    }
}
