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

use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;
use std::time::Duration;

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

/// A string stored once: a signal's text, evidence and check repeat across objects (every pod
/// of a failing controller has the same event), so a snapshot holds each distinct one once.
type Shared = Rc<str>;

/// One thing seen about an object: text for the engine, evidence for the reader.
#[derive(Debug, Clone)]
struct Signal {
    text: Shared,
    evidence: Shared,
    severity: Severity,
    /// From the object's own status (not an event or a log): what defines how it fails.
    from_status: bool,
    /// The data check (`scenarios/checks.yaml`) that found it.
    check: Option<Shared>,
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
    keys: Vec<Shared>,
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
    strings: Strings,
    /// How long reading took, for `--verbose`.
    pub timing: ReadTiming,
}

/// Where the time of [`read`] went.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct ReadTiming {
    /// Reading and parsing the inputs, checks included.
    pub read: Duration,
    /// Of that, judging each object by its status and the data checks.
    pub checks: Duration,
    /// Judging the references, selectors and times left for the end.
    pub references: Duration,
}

/// The distinct strings of a snapshot, and each signal text's group key.
#[derive(Default)]
struct Strings {
    shared: HashSet<Shared>,
    /// Signal text -> [`group::group_text`] of it, computed once per distinct text.
    group_keys: HashMap<Shared, Shared>,
}

impl Strings {
    fn intern(&mut self, text: &str) -> Shared {
        if let Some(shared) = self.shared.get(text) {
            return shared.clone();
        }
        let shared: Shared = Rc::from(text);
        self.shared.insert(shared.clone());
        shared
    }

    /// The shared copy of `text`, and its group key.
    fn text_and_key(&mut self, text: &str) -> (Shared, Shared) {
        let text = self.intern(text);
        if let Some(key) = self.group_keys.get(&text) {
            return (text, key.clone());
        }
        let key = self.intern(&group::group_text(&text));
        self.group_keys.insert(text.clone(), key.clone());
        (text, key)
    }
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
        let started = std::time::Instant::now();
        let inventory = std::mem::take(&mut self.inventory);
        let (signals, not_judged) = checks.finish(inventory);
        for (key, signal) in signals {
            self.observe(key, signal);
        }
        for (kind, n) in not_judged {
            *self.not_judged.entry(kind).or_default() += n;
        }
        self.timing.references += started.elapsed();
    }

    fn observe(&mut self, key: Key, mut signal: Signal) {
        let (text, text_key) = self.strings.text_and_key(&signal.text);
        let entry = self.objects.entry(key).or_default();
        if !entry.keys.contains(&text_key) {
            signal.text = text;
            signal.evidence = self.strings.intern(&signal.evidence);
            signal.check = signal.check.map(|c| self.strings.intern(&c));
            entry.keys.push(text_key);
            entry.signals.push(signal);
        }
    }
}
