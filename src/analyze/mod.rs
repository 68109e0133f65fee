//! `analyze`: diagnoses a saved cluster state (a `kubectl cluster-info dump` folder,
//! `kubectl get ... -o json|yaml` files, pasted describe output and logs) object by object.
//!
//! [`read`] turns files into a [`Snapshot`] of what was seen on each object (`read.rs` parses,
//! `checks.rs` judges objects and events); [`findings`] groups the affected objects and asks the
//! diagnose engine which scenarios fit each group (`group.rs`). Rendering is `output`'s.

mod checks;
mod group;
mod json;
mod objects;
mod read;

use std::collections::BTreeMap;

pub(crate) use checks::Checks;
pub(crate) use group::{findings, Finding, Options};
pub(crate) use read::{read, read_bytes};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Severity {
    Warning,
    Error,
}

impl From<crate::knowledge::CheckSeverity> for Severity {
    fn from(s: crate::knowledge::CheckSeverity) -> Severity {
        match s {
            crate::knowledge::CheckSeverity::Warning => Severity::Warning,
            crate::knowledge::CheckSeverity::Error => Severity::Error,
        }
    }
}

/// namespace, kind, name.
pub(crate) type Key = (String, String, String);

/// One thing seen about an object: text for the engine, evidence for the reader.
#[derive(Debug, Clone)]
struct Signal {
    text: String,
    evidence: String,
    severity: Severity,
    /// From the object's own status (not an event or a log): what defines how it fails.
    from_status: bool,
    /// The data check (`scenarios/checks.yaml`) that found it.
    check: Option<String>,
    /// Context for other signals (a routine Normal event), not a finding by itself.
    context: bool,
    /// Its finding shows the latest Warning event of the workload's pods (`pod_events` checks).
    pod_events: bool,
}

/// Everything read about one object.
#[derive(Debug, Default)]
struct Observed {
    signals: Vec<Signal>,
    /// Each signal's text with what varies between objects removed ([`group::group_text`]):
    /// for de-duplication and grouping, computed once per signal.
    keys: Vec<String>,
    /// The controller that owns it (pods: their ReplicaSet, StatefulSet, DaemonSet or Job).
    owner: Option<(String, String)>,
}

/// What was read from the inputs.
#[derive(Default)]
pub(crate) struct Snapshot {
    objects: BTreeMap<Key, Observed>,
    /// Files or documents that could not be read (whole or in part), with where.
    pub problems: Vec<String>,
    /// How many files were read.
    pub files: usize,
    /// How many files could not be read, or were read only in part.
    pub unreadable: usize,
    /// References and selectors that could not be judged because the input holds no object of
    /// the kind they name: kind -> how many.
    pub not_judged: BTreeMap<String, usize>,
    inventory: checks::Inventory,
}

impl Snapshot {
    /// How many objects something was seen on.
    pub(crate) fn objects_seen(&self) -> usize {
        self.objects.values().filter(|o| !o.signals.is_empty()).count()
    }

    fn mark_present(&mut self, place: &read::Place) {
        if let (Some(kind), Some(ns)) = (&place.kind, &place.namespace) {
            self.inventory.mark_present(kind, ns);
        }
    }

    /// Judges the checks that needed every object.
    fn finish(&mut self, checks: &Checks) {
        let inventory = std::mem::take(&mut self.inventory);
        let (signals, not_judged) = checks.finish(inventory);
        for (key, signal) in signals {
            self.observe(key, signal);
        }
        for (kind, n) in not_judged {
            *self.not_judged.entry(kind).or_default() += n;
        }
    }

    fn observe(&mut self, key: Key, signal: Signal) {
        let entry = self.objects.entry(key).or_default();
        let text_key = group::group_text(&signal.text);
        if !entry.keys.contains(&text_key) {
            entry.keys.push(text_key);
            entry.signals.push(signal);
        }
    }
}
