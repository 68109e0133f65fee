//! Groups affected objects into findings (pods of one controller failing alike are one
//! finding) and asks the diagnose engine which scenarios fit each group.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use anyhow::Result;

use super::{Key, Observed, Severity, Shared, Signal, Snapshot};
use crate::catalog::model::Scenario;
use crate::engine::extract::normalize;
use crate::engine::store::{IndexView, Opened};
use crate::engine::{self, Discriminator, Input, InputOrigin};

/// What `analyze` was asked for.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    /// Only objects in this namespace.
    pub namespace: Option<String>,
    /// Leave out findings below this severity.
    pub min_severity: Option<Severity>,
}

/// One affected object (or a group failing the same way), what was seen, what to read.
#[derive(Debug)]
pub(crate) struct Finding {
    /// The object, or the controller of a group: namespace, kind, name.
    pub object: Key,
    pub severity: Severity,
    pub symptoms: Vec<FoundSymptom>,
    /// How many objects fail this way.
    pub count: usize,
    pub scenarios: Vec<ScenarioRef>,
    /// What was seen, one line each.
    pub evidence: Vec<String>,
    /// The names of the objects in the group.
    pub members: Vec<String>,
    /// The first fix command (or step) of the top scenario.
    pub first_fix: Option<String>,
    /// Every fix command of the top scenario.
    pub fix: Vec<String>,
    /// The data checks (`checks.yaml`) that found it.
    pub checks: Vec<String>,
    /// When several scenarios fit about equally: the checks that tell them apart.
    pub discriminators: Vec<Discriminator>,
}

/// A symptom the engine recognised, with the first place it was seen.
#[derive(Debug, Clone)]
pub(crate) struct FoundSymptom {
    pub id: String,
    /// (the text its pattern matched, what it was seen on)
    pub evidence: Option<(String, String)>,
}

#[derive(Debug, Clone)]
pub(crate) struct ScenarioRef {
    pub id: u32,
    pub title: String,
    pub score: f32,
}

/// The members of one finding.
type Group<'a> = Vec<(&'a Key, &'a Observed)>;

/// What the engine said for a set of signals: symptoms, scenarios, the first fix step.
#[derive(Clone)]
struct Ranking {
    symptoms: Vec<FoundSymptom>,
    scenarios: Vec<ScenarioRef>,
    first_fix: Option<String>,
    fix: Vec<String>,
    discriminators: Vec<Discriminator>,
}

/// Where the time of [`findings`] went.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FindingsTiming {
    /// Grouping the affected objects and gathering each finding's evidence.
    pub grouping: Duration,
    /// Asking the engine which scenarios fit each group.
    pub ranking: Duration,
}

/// Every finding, most severe and largest first; and where the time went.
pub(crate) fn findings(
    snapshot: &Snapshot,
    options: &Options,
    opened: &Opened,
) -> Result<(Vec<Finding>, FindingsTiming)> {
    let started = Instant::now();
    let mut ranking_time = Duration::ZERO;
    let index = opened.view()?;
    let min = options.min_severity.unwrap_or(Severity::Warning);
    let mut ranker = Ranker { opened, index, rankings: HashMap::new(), scenarios: HashMap::new() };
    let mut out = Vec::new();
    let pod_events = latest_pod_events(snapshot);
    for ((key, _), members) in groups(snapshot, options) {
        let mut signals: Vec<&Signal> = Vec::new();
        let mut texts: Vec<Shared> = Vec::new();
        for (_, observed) in &members {
            for (s, k) in observed.signals.iter().zip(&observed.keys) {
                if !texts.contains(k) {
                    texts.push(k.clone());
                    signals.push(s);
                }
            }
        }
        // Only routine events (a rollout's ScalingReplicaSet, a deletion's Killing): nothing wrong.
        if signals.iter().all(|s| s.context) {
            continue;
        }
        let severity = signals.iter().filter(|s| !s.context).map(|s| s.severity).max().unwrap_or(Severity::Warning);
        if severity < min {
            continue;
        }
        let ranking_started = Instant::now();
        let ranking = ranker.rank(texts, &signals)?;
        ranking_time += ranking_started.elapsed();
        let mut evidence: Vec<String> = signals.iter().map(|s| s.evidence.to_string()).collect();
        // A workload short of replicas: what its pods' latest Warning event says, as evidence.
        if signals.iter().any(|s| s.pod_events) {
            if let Some((pod, event)) = pod_events.get(&(key.0.clone(), key.1.clone(), key.2.clone())) {
                evidence.push(format!("pod {pod}: {event}"));
            }
        }
        out.push(Finding {
            object: key,
            severity,
            symptoms: ranking.symptoms,
            count: members.len(),
            scenarios: ranking.scenarios,
            evidence,
            members: members.iter().map(|(k, _)| k.2.clone()).collect(),
            first_fix: ranking.first_fix,
            fix: ranking.fix,
            checks: signals.iter().filter_map(|s| s.check.as_deref().map(str::to_string)).fold(
                Vec::new(),
                |mut ids, id| {
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                    ids
                },
            ),
            discriminators: ranking.discriminators,
        });
    }
    out.sort_by(|a, b| b.severity.cmp(&a.severity).then(b.count.cmp(&a.count)).then_with(|| a.object.cmp(&b.object)));
    let timing = FindingsTiming { grouping: started.elapsed().saturating_sub(ranking_time), ranking: ranking_time };
    Ok((out, timing))
}

/// For each workload (its pods' owner, and a ReplicaSet's Deployment), the latest Warning event
/// seen on one of its pods: (pod, event evidence). "Latest" is the last read, as kubectl lists
/// events oldest first.
fn latest_pod_events(snapshot: &Snapshot) -> HashMap<Key, (String, String)> {
    let mut out: HashMap<Key, (String, String)> = HashMap::new();
    for (key, observed) in &snapshot.objects {
        if key.1 != "Pod" {
            continue;
        }
        let Some(event) =
            observed.signals.iter().rev().find(|s| !s.from_status && !s.context && s.evidence.starts_with("event "))
        else {
            continue;
        };
        let owner = match &observed.owner {
            Some((kind, name)) => Some((kind.clone(), name.clone())),
            None => replicaset_of(&key.2).map(|rs| ("ReplicaSet".to_string(), rs.to_string())),
        };
        let Some((kind, name)) = owner else { continue };
        let seen = (key.2.clone(), event.evidence.to_string());
        if kind == "ReplicaSet" {
            if let Some((deployment, _)) = name.rsplit_once('-') {
                out.insert((key.0.clone(), "Deployment".into(), deployment.to_string()), seen.clone());
            }
        }
        out.insert((key.0.clone(), kind, name), seen);
    }
    out
}

/// Affected objects grouped by (namespace, controller or object, the set of signal texts with
/// noise removed).
fn groups<'a>(snapshot: &'a Snapshot, options: &Options) -> BTreeMap<(Key, Vec<Shared>), Group<'a>> {
    let mut groups: BTreeMap<(Key, Vec<Shared>), Group> = BTreeMap::new();
    for (key, observed) in &snapshot.objects {
        if observed.signals.is_empty() || options.namespace.as_ref().is_some_and(|ns| *ns != key.0) {
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
        let mut texts: Vec<Shared> = observed
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
    groups
}

/// Runs the engine once per distinct set of signals, and reads each scenario once.
struct Ranker<'a> {
    opened: &'a Opened,
    index: IndexView<'a>,
    rankings: HashMap<Vec<Shared>, Ranking>,
    scenarios: HashMap<usize, Scenario>,
}

impl Ranker<'_> {
    fn rank(&mut self, texts: Vec<Shared>, signals: &[&Signal]) -> Result<Ranking> {
        if let Some(hit) = self.rankings.get(&texts) {
            return Ok(hit.clone());
        }
        let inputs: Vec<Input> = signals
            .iter()
            .map(|s| Input {
                text: s.text.to_string(),
                origin: InputOrigin::Object(s.evidence.to_string()),
                weight: 1.0,
                pasted: true,
            })
            .collect();
        let settings = engine::Settings { limit: 3, category: None, text_only: false };
        let diagnosis = engine::diagnose(&self.index, &self.opened.rules, &inputs, &settings);
        let symptoms = diagnosis
            .detected
            .iter()
            .map(|d| FoundSymptom {
                id: self.opened.rules.symptoms[d.symptom].id.clone(),
                evidence: d.evidence.first().map(|e| (e.matched.clone(), signals[e.input].evidence.to_string())),
            })
            .collect();
        let mut scenarios = Vec::new();
        let mut first_fix = None;
        let mut fix = Vec::new();
        // A scenario must fit what was seen: one a recognised symptom links, never one that
        // only shares words with the evidence (with no symptom, none is named).
        let fitting: Vec<&engine::Ranked> = diagnosis.results.iter().filter(|r| !r.symptoms.is_empty()).collect();
        for r in &fitting {
            if let std::collections::hash_map::Entry::Vacant(slot) = self.scenarios.entry(r.doc) {
                slot.insert(self.opened.scenario(&self.index, r.doc)?);
            }
            let s = &self.scenarios[&r.doc];
            if first_fix.is_none() {
                fix = s.fix_commands().map(str::to_string).collect();
                first_fix =
                    s.fix_commands().next().or_else(|| s.fix.first().map(|i| i.text.as_str())).map(str::to_string);
            }
            scenarios.push(ScenarioRef { id: s.id, title: s.title.clone(), score: (r.score * 10.0).round() / 10.0 });
        }
        let close: Vec<&Scenario> = fitting.iter().take(diagnosis.close()).map(|r| &self.scenarios[&r.doc]).collect();
        let discriminators = engine::discriminate(&close);

        let ranking = Ranking { symptoms, scenarios, first_fix, fix, discriminators };
        self.rankings.insert(texts, ranking.clone());
        Ok(ranking)
    }
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
pub(super) fn group_text(text: &str) -> String {
    normalize(text)
        .split_whitespace()
        .filter(|w| !w.chars().any(|c| c.is_ascii_digit()) && !w.contains('_') && w.len() < 40)
        .collect::<Vec<_>>()
        .join(" ")
}
