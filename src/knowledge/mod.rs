//! Kubernetes knowledge shared by the parser, the extractor and `analyze`: compiled from
//! `scenarios/kubernetes.yaml` by `build.rs`, which validates it, so reading it costs nothing
//! at run time and a broken file fails the build rather than a user's command.

/// How serious a check's finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CheckSeverity {
    Warning,
    Error,
}

/// A condition that reports trouble: `types` of objects of `kinds` with a status in `statuses`.
#[derive(Debug)]
pub(crate) struct ConditionCheck {
    pub kinds: &'static [&'static str],
    pub types: &'static [&'static str],
    pub statuses: &'static [&'static str],
    pub severity: CheckSeverity,
    /// What the engine reads, with `{kind}`, `{type}`, `{reason}` and `{message}` filled in.
    pub text: &'static str,
}

/// A `status.phase` that reports trouble.
#[derive(Debug)]
pub(crate) struct PhaseCheck {
    pub kind: &'static str,
    pub phase: &'static str,
    pub severity: CheckSeverity,
    pub text: &'static str,
}

/// Everything in `scenarios/kubernetes.yaml`.
#[derive(Debug)]
pub(crate) struct Knowledge {
    pub command_words: &'static [&'static str],
    pub healthy_statuses: &'static [&'static str],
    pub telling_normal_events: &'static [&'static str],
    pub failure_reason_words: &'static [&'static str],
    pub configuration_fields: &'static [&'static str],
    pub benign_reasons: &'static [&'static str],
    pub waiting_ignored: &'static [&'static str],
    pub waiting_warning: &'static [&'static str],
    pub condition_checks: &'static [ConditionCheck],
    pub phase_checks: &'static [PhaseCheck],
}

include!(concat!(env!("OUT_DIR"), "/knowledge.rs"));

impl Knowledge {
    /// The check that says condition `kind`/`type`=`status` is trouble, if any.
    pub(crate) fn condition_check(&self, kind: &str, cond_type: &str, status: &str) -> Option<&ConditionCheck> {
        self.condition_checks
            .iter()
            .find(|c| c.kinds.contains(&kind) && c.types.contains(&cond_type) && c.statuses.contains(&status))
    }

    /// A Normal event that still reports trouble: listed, or named like a failure
    /// (`FailedBinding` is a Normal event on a PVC that cannot bind).
    pub(crate) fn telling_normal(&self, reason: &str) -> bool {
        self.telling_normal_events.contains(&reason) || self.failure_reason_words.iter().any(|w| reason.contains(w))
    }
}

/// Fills a check's `text` template in one pass, so a value that itself holds `{message}` is
/// left as it is.
pub(crate) fn fill(template: &str, kind: &str, cond_type: &str, reason: &str, message: &str) -> String {
    let mut out = String::with_capacity(template.len() + reason.len() + message.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let value = [("{kind}", kind), ("{type}", cond_type), ("{reason}", reason), ("{message}", message)]
            .into_iter()
            .find(|(name, _)| after.starts_with(name));
        match value {
            Some((name, value)) => {
                out.push_str(value);
                rest = &after[name.len()..];
            }
            // build.rs rejects unknown placeholders; a lone brace is kept as text.
            None => {
                out.push('{');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_is_one_pass() {
        assert_eq!(fill("{kind} {reason} {message}", "Job", "Failed", "{message}", "m"), "Job {message} m");
        assert_eq!(fill("node NotReady {reason} {message}", "Node", "Ready", "", ""), "node NotReady  ");
    }

    #[test]
    fn node_conditions_come_from_the_data() {
        assert!(KNOWLEDGE.condition_check("Node", "DiskPressure", "True").is_some());
        assert!(KNOWLEDGE.condition_check("Node", "Ready", "Unknown").is_some());
        assert!(KNOWLEDGE.condition_check("Node", "Ready", "True").is_none());
        assert!(KNOWLEDGE.condition_check("Node", "DiskPressure", "False").is_none());
    }
}
