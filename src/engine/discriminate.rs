//! The check that tells close candidates apart: when several scenarios fit the evidence about
//! equally, the user needs the one command whose answer says which it is, not a longer list.
//!
//! A candidate's checks are its Diagnosis Steps written as "`command` → what it shows". A command
//! two candidates share, with different answers, separates them in one step; otherwise each
//! candidate gets its most distinctive check: the one whose answer has the most words the other
//! candidates never mention.

use std::collections::BTreeSet;

use crate::catalog::model::Scenario;

use super::tokenize::tokenize;

/// One command to run, and what each answer points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Discriminator {
    pub command: String,
    pub outcomes: Vec<Outcome>,
}

/// "If the command shows this, it is that scenario."
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Outcome {
    pub when: String,
    pub id: u32,
}

/// A diagnosis step that is a check: the command, its comparable form, and what it shows.
struct Check {
    command: String,
    key: String,
    outcome: String,
    words: BTreeSet<String>,
}

/// The checks of a scenario's Diagnosis Steps: "`cmd` → outcome" (also `->` or `:`).
fn checks(s: &Scenario) -> Vec<Check> {
    s.diagnosis_steps
        .iter()
        .filter(|i| !i.command)
        .filter_map(|i| {
            let rest = i.text.strip_prefix('`')?;
            let (command, after) = rest.split_once('`')?;
            let after = after.trim_start();
            let outcome = ["→", "->", ":"].iter().find_map(|arrow| after.strip_prefix(arrow))?.trim();
            if command.trim().is_empty() || outcome.is_empty() {
                return None;
            }
            let words = tokenize(outcome).into_iter().map(|t| t.term).collect();
            Some(Check { command: command.to_string(), key: command_key(command), outcome: outcome.to_string(), words })
        })
        .collect()
}

/// A command with its placeholders and namespace flags removed, so that the same check written
/// for two scenarios compares equal.
fn command_key(command: &str) -> String {
    let mut words = Vec::new();
    let mut skip_next = false;
    for word in command.split_whitespace() {
        if skip_next {
            skip_next = false;
            continue;
        }
        if word == "-n" || word == "--namespace" {
            skip_next = true;
            continue;
        }
        if word == "-A" || word.starts_with("--namespace=") || word.starts_with('<') {
            continue;
        }
        words.push(word);
    }
    words.join(" ")
}

/// At most this many checks are suggested.
const MOST: usize = 3;

/// The checks that separate `candidates` (the close top results, best first); empty when there
/// are fewer than two or none of them has a check.
pub(crate) fn discriminate(candidates: &[&Scenario]) -> Vec<Discriminator> {
    if candidates.len() < 2 {
        return Vec::new();
    }
    let all: Vec<Vec<Check>> = candidates.iter().map(|s| checks(s)).collect();
    let mut out = Vec::new();
    let mut covered = vec![false; candidates.len()];
    if let Some(shared) = shared_check(&all) {
        let mut outcomes = Vec::new();
        for (n, check) in shared.iter().enumerate() {
            if let Some(check) = check {
                covered[n] = true;
                outcomes.push(Outcome { when: check.outcome.clone(), id: candidates[n].id });
            }
        }
        let command = shared.iter().flatten().next().map(|c| c.command.clone()).unwrap_or_default();
        out.push(Discriminator { command, outcomes });
    }
    for n in 0..candidates.len() {
        if covered[n] || out.len() >= MOST {
            continue;
        }
        // What the other candidates' checks run and mention.
        let (mut others, mut other_keys) = (BTreeSet::new(), BTreeSet::new());
        for check in all.iter().enumerate().filter(|(m, _)| *m != n).flat_map(|(_, checks)| checks) {
            others.extend(check.words.iter());
            other_keys.insert(check.key.as_str());
        }
        // The most distinctive check: answer words nobody else mentions, then a command nobody
        // else runs; the earlier step on ties (authors put the decisive check first).
        let best = all[n].iter().enumerate().max_by_key(|(i, c)| {
            let unique = c.words.iter().filter(|w| !others.contains(w)).count();
            (unique * 2 + usize::from(!other_keys.contains(c.key.as_str())), std::cmp::Reverse(*i))
        });
        if let Some((_, check)) = best {
            out.push(Discriminator {
                command: check.command.clone(),
                outcomes: vec![Outcome { when: check.outcome.clone(), id: candidates[n].id }],
            });
        }
    }
    // A single suggestion for one candidate tells nothing apart.
    if out.iter().map(|d| d.outcomes.len()).sum::<usize>() < 2 {
        return Vec::new();
    }
    out
}

/// A command at least two candidates run with different answers: for each candidate, its
/// check with that command, if it has one. The one shared by the most candidates wins.
fn shared_check(all: &[Vec<Check>]) -> Option<Vec<Option<&Check>>> {
    let mut best: Option<Vec<Option<&Check>>> = None;
    let keys: BTreeSet<&str> = all.iter().flat_map(|c| c.iter().map(|c| c.key.as_str())).collect();
    for key in keys {
        let row: Vec<Option<&Check>> = all.iter().map(|checks| checks.iter().find(|c| c.key == key)).collect();
        let present: Vec<&Check> = row.iter().flatten().copied().collect();
        let distinct: BTreeSet<&BTreeSet<String>> = present.iter().map(|c| &c.words).collect();
        if present.len() < 2 || distinct.len() < present.len() {
            continue;
        }
        // The answers must differ in substance, not only in wording: each has a word the others lack.
        let separates = present.iter().enumerate().all(|(i, c)| {
            c.words.iter().any(|w| present.iter().enumerate().all(|(j, o)| i == j || !o.words.contains(w)))
        });
        if separates && best.as_ref().is_none_or(|b| b.iter().flatten().count() < present.len()) {
            best = Some(row);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::model::{Item, Origin, Source, SourceFile};

    fn scenario(id: u32, steps: &[&str]) -> Scenario {
        let file = std::sync::Arc::new(SourceFile { path: "t.md".into(), origin: Origin::Flag });
        let source = Source { file, line: 1 };
        let mut s = Scenario::new(id, format!("S{id}"), source);
        s.diagnosis_steps = steps.iter().map(|t| Item::prose(*t)).collect();
        s
    }

    #[test]
    fn a_shared_command_with_different_answers_is_one_check() {
        let a = scenario(1304, &["`df -i /var/lib/kubelet` → IUse% at 100% while space is free"]);
        let b = scenario(1303, &["`df -i /var/lib/kubelet` → inodes fine; `df -h` full of images"]);
        let d = discriminate(&[&a, &b]);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].command, "df -i /var/lib/kubelet");
        assert_eq!(d[0].outcomes.iter().map(|o| o.id).collect::<Vec<_>>(), [1304, 1303]);
    }

    #[test]
    fn otherwise_each_candidate_gets_its_most_distinctive_check() {
        let a = scenario(
            1,
            &["`kubectl describe pod <pod> -n <ns>` → events", "`df -i /var/lib/kubelet` → inodes at 100%"],
        );
        let b = scenario(2, &["`kubectl describe pod <pod>` → events", "`crictl images` → hundreds of old images"]);
        let d = discriminate(&[&a, &b]);
        let commands: Vec<&str> = d.iter().map(|d| d.command.as_str()).collect();
        assert_eq!(commands, ["df -i /var/lib/kubelet", "crictl images"], "{d:?}");
    }

    #[test]
    fn nothing_to_tell_apart_without_checks() {
        let a = scenario(1, &["Read the logs."]);
        let b = scenario(2, &["`kubectl get pods` → Pending"]);
        assert!(discriminate(&[&a, &b]).is_empty());
        assert!(discriminate(&[&b]).is_empty());
    }
}
