//! The shape of `scenarios/kubernetes.yaml`. `build.rs` includes this file to read and validate
//! the data at build time; the crate itself reads the compiled form in `knowledge/mod.rs`.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnowledgeSpec {
    pub command_words: Vec<String>,
    pub healthy_statuses: Vec<String>,
    pub telling_normal_events: Vec<String>,
    pub failure_reason_words: Vec<String>,
    pub configuration_fields: Vec<String>,
    pub benign_reasons: Vec<String>,
    pub container_waiting: WaitingSpec,
    pub condition_checks: Vec<ConditionCheckSpec>,
    pub phase_checks: Vec<PhaseCheckSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaitingSpec {
    pub ignore: Vec<String>,
    pub warning: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionCheckSpec {
    pub kinds: Vec<String>,
    pub types: Vec<String>,
    pub status: Vec<String>,
    pub severity: String,
    pub text: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseCheckSpec {
    pub kind: String,
    pub phase: String,
    pub severity: String,
    pub text: String,
}

impl KnowledgeSpec {
    /// The word lists: (name in the file, field of the compiled `Knowledge`, the list).
    pub fn lists(&self) -> [(&'static str, &'static str, &Vec<String>); 8] {
        [
            ("command_words", "command_words", &self.command_words),
            ("healthy_statuses", "healthy_statuses", &self.healthy_statuses),
            ("telling_normal_events", "telling_normal_events", &self.telling_normal_events),
            ("failure_reason_words", "failure_reason_words", &self.failure_reason_words),
            ("configuration_fields", "configuration_fields", &self.configuration_fields),
            ("benign_reasons", "benign_reasons", &self.benign_reasons),
            ("container_waiting.ignore", "waiting_ignored", &self.container_waiting.ignore),
            ("container_waiting.warning", "waiting_warning", &self.container_waiting.warning),
        ]
    }
}

/// The placeholders a check's `text` may use.
pub const PLACEHOLDERS: &[&str] = &["kind", "type", "reason", "message"];

/// Every problem with the data, as `path: message` lines; empty when it is valid.
pub fn validate(spec: &KnowledgeSpec) -> Vec<String> {
    let mut problems = Vec::new();
    for (name, _, list) in spec.lists() {
        check_list(name, list, &mut problems);
    }
    for word in &spec.command_words {
        if word.contains(char::is_whitespace) {
            problems.push(format!("command_words: `{word}` is not one word"));
        }
    }
    for status in &spec.healthy_statuses {
        if status.to_lowercase() != *status {
            problems.push(format!("healthy_statuses: `{status}` must be lowercase (cells are compared lowercased)"));
        }
    }
    for (i, check) in spec.condition_checks.iter().enumerate() {
        let at = format!("condition_checks[{i}]");
        check_list(&format!("{at}.kinds"), &check.kinds, &mut problems);
        check_list(&format!("{at}.types"), &check.types, &mut problems);
        check_list(&format!("{at}.status"), &check.status, &mut problems);
        for s in &check.status {
            if !matches!(s.as_str(), "True" | "False" | "Unknown") {
                problems.push(format!("{at}.status: `{s}` is not True, False or Unknown"));
            }
        }
        check_severity(&at, &check.severity, &mut problems);
        check_template(&at, &check.text, &mut problems);
    }
    for (i, check) in spec.phase_checks.iter().enumerate() {
        let at = format!("phase_checks[{i}]");
        check_severity(&at, &check.severity, &mut problems);
        check_template(&at, &check.text, &mut problems);
        if check.kind.is_empty() || check.phase.is_empty() {
            problems.push(format!("{at}: kind and phase must not be empty"));
        }
    }
    problems
}

fn check_list(name: &str, list: &[String], problems: &mut Vec<String>) {
    if list.is_empty() {
        problems.push(format!("{name}: empty"));
    }
    let mut seen = std::collections::HashSet::new();
    for item in list {
        if item.trim().is_empty() {
            problems.push(format!("{name}: an empty entry"));
        } else if !seen.insert(item) {
            problems.push(format!("{name}: `{item}` is listed twice"));
        }
    }
}

fn check_severity(at: &str, severity: &str, problems: &mut Vec<String>) {
    if !matches!(severity, "warning" | "error") {
        problems.push(format!("{at}.severity: `{severity}` is not warning or error"));
    }
}

fn check_template(at: &str, text: &str, problems: &mut Vec<String>) {
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            problems.push(format!("{at}.text: unclosed `{{`"));
            return;
        };
        let name = &rest[open + 1..open + close];
        if !PLACEHOLDERS.contains(&name) {
            problems.push(format!("{at}.text: unknown placeholder {{{name}}} (known: {})", PLACEHOLDERS.join(", ")));
        }
        rest = &rest[open + close + 1..];
    }
}
