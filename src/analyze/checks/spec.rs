//! The shape of `scenarios/checks.yaml` and the little language of its conditions. `build.rs`
//! includes this file to validate the built-in checks, so it depends on serde alone.
//!
//! A condition is one line: `[all|any] OPERAND OP OPERAND`, `[all|any] OPERAND exists|missing|
//! invalid-cron`. An operand is a field path (`spec.replicas`, `status.conditions[type=Ready].status`,
//! `spec.volumes[].secret.secretName`, `metadata.labels['app.kubernetes.io/name']`; a leading `.`
//! reads from the element of `each`), optionally with a default (`status.readyReplicas ?? 0`), or
//! a literal: a number, `true`/`false`, a quoted string, or a word that starts with a capital
//! letter (`Pending`, `True`), or `$now` (the time of the input: its latest timestamp).

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecksSpec {
    /// Support-bundle folders (`cluster-resources/<folder>/...`) and the kind their files hold.
    #[serde(default)]
    pub bundle_folders: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub facts: Vec<FactSpec>,
    pub checks: Vec<CheckSpec>,
}

/// A named property of an object that a reference check can ask about (`if: lacks ready`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactSpec {
    pub name: String,
    pub kinds: Vec<String>,
    pub when: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckSpec {
    pub id: String,
    /// Kinds it applies to; `"*"` for any kind.
    pub kinds: Vec<String>,
    /// A check on `Pod` is also made on the pod templates of workloads (Deployment, Job,
    /// CronJob...), for inputs that hold the workload but not its pods.
    #[serde(default)]
    pub templates: bool,
    /// With `kinds: ["*"]`: kinds it leaves alone.
    #[serde(default)]
    pub except_kinds: Vec<String>,
    /// A path whose values are judged one by one (paths starting with `.` read from each).
    #[serde(default)]
    pub each: Option<String>,
    /// Conditions that must all hold.
    #[serde(default)]
    pub when: Vec<String>,
    /// The check is about a second object this one names.
    #[serde(default)]
    pub refers: Option<RefersSpec>,
    /// The check is about the objects a label selector picks.
    #[serde(default)]
    pub selects: Option<SelectsSpec>,
    /// Report the finding on this object instead (an EndpointSlice's finding is its Service's).
    #[serde(default)]
    pub report_on: Option<ReportOnSpec>,
    /// Show the latest Warning event of the workload's pods as evidence (a Deployment short of
    /// replicas: why its pods do not come up).
    #[serde(default)]
    pub pod_events: bool,
    pub severity: String,
    /// The symptom rule the finding raises: `text` must match one of its patterns (checked at
    /// build time).
    pub symptom: String,
    /// What the diagnose engine reads. `{path}` placeholders are filled in, and `{kind}`,
    /// `{name}`, `{namespace}`, `{$target}` (the referred-to name), `{$target_kind}`.
    pub text: String,
    /// What the reader is shown: the fields that prove it.
    pub evidence: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefersSpec {
    /// An operand: a literal kind (`Secret`) or a path (`spec.scaleTargetRef.kind`).
    pub kind: String,
    /// An operand; not with `if: none has FACT`.
    #[serde(default)]
    pub name: Option<String>,
    /// The target's namespace (an operand); the object's own by default.
    #[serde(default)]
    pub namespace: Option<String>,
    /// The target is cluster-scoped (StorageClass, ClusterRole, IngressClass).
    #[serde(default)]
    pub cluster: bool,
    /// `missing` (the default), `lacks FACT`, `has FACT`, or `none has FACT` (no object of
    /// the kind has it).
    #[serde(default, rename = "if")]
    pub when: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelectsSpec {
    pub kind: String,
    /// The selected kind is cluster-scoped (a `namespaceSelector` picks Namespaces).
    #[serde(default)]
    pub cluster: bool,
    /// A path to a label map (`spec.selector` of a Service) or a LabelSelector
    /// (`matchLabels` / `matchExpressions`).
    pub selector: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportOnSpec {
    pub kind: String,
    /// An operand; the object's own name by default.
    #[serde(default)]
    pub name: Option<String>,
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Key(String),
    /// `[]`: every element of an array.
    Each,
    /// `[key=value]`: the elements of an array whose `key` is `value`.
    Select(String, String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    /// Starts with `.`: read from the element of `each`.
    pub relative: bool,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Number(f64),
    Bool(bool),
    Text(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    Path { path: Path, default: Option<Literal> },
    Literal(Literal),
    Now,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Exists,
    Missing,
    InvalidCron,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    Any,
    All,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub quantifier: Quantifier,
    pub left: Operand,
    pub op: Op,
    pub right: Option<Operand>,
}

impl Condition {
    pub fn uses_now(&self) -> bool {
        self.left == Operand::Now || self.right.as_ref() == Some(&Operand::Now)
    }
}

/// The words of a condition: quotes and brackets keep their spaces.
fn words(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut depth = 0usize;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                word.push(c);
            }
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                word.push(c);
            }
            (None, '[') => {
                depth += 1;
                word.push(c);
            }
            (None, ']') => {
                depth = depth.checked_sub(1).ok_or("`]` without `[`")?;
                word.push(c);
            }
            (None, c) if c.is_whitespace() && depth == 0 => {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
            }
            (None, c) => word.push(c),
        }
    }
    if quote.is_some() {
        return Err("unclosed quote".into());
    }
    if depth > 0 {
        return Err("unclosed `[`".into());
    }
    if !word.is_empty() {
        out.push(word);
    }
    Ok(out)
}

fn unquote(word: &str) -> Option<&str> {
    let first = word.chars().next()?;
    (matches!(first, '\'' | '"') && word.len() >= 2 && word.ends_with(first)).then(|| &word[1..word.len() - 1])
}

fn literal(word: &str) -> Option<Literal> {
    if let Some(text) = unquote(word) {
        return Some(Literal::Text(text.to_string()));
    }
    match word {
        "true" => return Some(Literal::Bool(true)),
        "false" => return Some(Literal::Bool(false)),
        _ => {}
    }
    if let Ok(n) = word.parse::<f64>() {
        return Some(Literal::Number(n));
    }
    word.starts_with(|c: char| c.is_ascii_uppercase()).then(|| Literal::Text(word.to_string()))
}

/// Parses a path: `a.b[].c[type=Ready].d['x.y/z']`.
pub fn parse_path(text: &str) -> Result<Path, String> {
    let (relative, mut rest) = match text.strip_prefix('.') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let mut steps = Vec::new();
    if rest.is_empty() {
        return if relative { Ok(Path { relative, steps }) } else { Err("empty path".into()) };
    }
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('[') {
            let close = after.find(']').ok_or_else(|| format!("unclosed `[` in `{text}`"))?;
            let inner = &after[..close];
            if inner.is_empty() {
                steps.push(Step::Each);
            } else if let Some(key) = unquote(inner) {
                steps.push(Step::Key(key.to_string()));
            } else if let Some((k, v)) = inner.split_once('=') {
                let v = unquote(v).unwrap_or(v);
                steps.push(Step::Select(k.to_string(), v.to_string()));
            } else {
                return Err(format!("`[{inner}]` in `{text}`: expected `[]`, `[key=value]` or `['key']`"));
            }
            rest = &after[close + 1..];
            rest = rest.strip_prefix('.').unwrap_or(rest);
            continue;
        }
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        let key = &rest[..end];
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            return Err(format!("`{text}`: `{key}` is not a field name"));
        }
        steps.push(Step::Key(key.to_string()));
        rest = &rest[end..];
        rest = rest.strip_prefix('.').unwrap_or(rest);
    }
    Ok(Path { relative, steps })
}

/// Parses an operand: `$now`, a literal, or a path with an optional `?? default`.
pub fn parse_operand(text: &str) -> Result<Operand, String> {
    let text = text.trim();
    if text == "$now" {
        return Ok(Operand::Now);
    }
    if let Some((path, default)) = text.split_once("??") {
        let default = literal(default.trim()).ok_or_else(|| format!("`{}` is not a literal", default.trim()))?;
        return Ok(Operand::Path { path: parse_path(path.trim())?, default: Some(default) });
    }
    if let Some(l) = literal(text) {
        return Ok(Operand::Literal(l));
    }
    Ok(Operand::Path { path: parse_path(text)?, default: None })
}

/// Parses one condition line.
pub fn parse_condition(text: &str) -> Result<Condition, String> {
    let mut words = words(text)?;
    let quantifier = match words.first().map(String::as_str) {
        Some("all") => Quantifier::All,
        Some("any") => Quantifier::Any,
        _ => Quantifier::Any,
    };
    if matches!(words.first().map(String::as_str), Some("all" | "any")) {
        words.remove(0);
    }
    // `a ?? 0 > b ?? 1`: join each side's `??` back into its operand.
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        if words[i] == "??" && i + 1 < words.len() && !parts.is_empty() {
            let last = parts.pop().unwrap_or_default();
            parts.push(format!("{last} ?? {}", words[i + 1]));
            i += 2;
        } else {
            parts.push(words[i].clone());
            i += 1;
        }
    }
    let op_of = |w: &str| match w {
        "==" => Some(Op::Eq),
        "!=" => Some(Op::Ne),
        "<" => Some(Op::Lt),
        "<=" => Some(Op::Le),
        ">" => Some(Op::Gt),
        ">=" => Some(Op::Ge),
        "exists" => Some(Op::Exists),
        "missing" => Some(Op::Missing),
        "invalid-cron" => Some(Op::InvalidCron),
        _ => None,
    };
    match parts.as_slice() {
        [left, op] => {
            let op = op_of(op).filter(|o| matches!(o, Op::Exists | Op::Missing | Op::InvalidCron));
            let op = op.ok_or_else(|| format!("`{text}`: expected `exists`, `missing` or `invalid-cron`"))?;
            Ok(Condition { quantifier, left: parse_operand(left)?, op, right: None })
        }
        [left, op, right] => {
            let op = op_of(op).filter(|o| !matches!(o, Op::Exists | Op::Missing | Op::InvalidCron));
            let op = op.ok_or_else(|| format!("`{text}`: `{}` is not a comparison (== != < <= > >=)", parts[1]))?;
            Ok(Condition { quantifier, left: parse_operand(left)?, op, right: Some(parse_operand(right)?) })
        }
        _ => Err(format!("`{text}`: expected `OPERAND OP OPERAND` or `OPERAND exists|missing|invalid-cron`")),
    }
}

/// The placeholders of a template: `{...}` spans, in order. `{{` is not special.
pub fn placeholders(template: &str) -> Result<Vec<&str>, String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').ok_or("unclosed `{`")?;
        out.push(&rest[open + 1..open + close]);
        rest = &rest[open + close + 1..];
    }
    Ok(out)
}

/// Names a template may use besides paths.
pub const NAMES: &[&str] = &["kind", "name", "namespace", "$target", "$target_kind"];

/// Every problem with the checks, as `checks[N] (id): message` lines; empty when valid.
/// `symptoms` are the known symptom ids (empty: not checked); `facts` are fact names defined
/// elsewhere (a user's file may ask about the built-in facts).
pub fn validate(spec: &ChecksSpec, symptoms: &[&str], facts: &[&str]) -> Vec<String> {
    let mut problems = Vec::new();
    let fact_names: Vec<&str> = spec.facts.iter().map(|f| f.name.as_str()).chain(facts.iter().copied()).collect();
    for (i, fact) in spec.facts.iter().enumerate() {
        for c in &fact.when {
            if let Err(e) = parse_condition(c) {
                problems.push(format!("facts[{i}] ({}): {e}", fact.name));
            }
        }
        if fact.kinds.is_empty() {
            problems.push(format!("facts[{i}] ({}): kinds is empty", fact.name));
        }
    }
    let mut ids = std::collections::HashSet::new();
    for (i, check) in spec.checks.iter().enumerate() {
        let at = format!("checks[{i}] ({})", check.id);
        if !ids.insert(check.id.as_str()) {
            problems.push(format!("{at}: the id is used twice"));
        }
        if check.kinds.is_empty() {
            problems.push(format!("{at}: kinds is empty"));
        }
        if !matches!(check.severity.as_str(), "warning" | "error") {
            problems.push(format!("{at}: severity `{}` is not warning or error", check.severity));
        }
        if !symptoms.is_empty() && !symptoms.contains(&check.symptom.as_str()) {
            problems.push(format!("{at}: symptom `{}` is not a symptom rule id", check.symptom));
        }
        if let Some(each) = &check.each {
            if let Err(e) = parse_path(each) {
                problems.push(format!("{at}.each: {e}"));
            }
        }
        for c in &check.when {
            match parse_condition(c) {
                Err(e) => problems.push(format!("{at}.when: {e}")),
                // `== cpu` reads a top-level field named `cpu`: almost always a missing quote.
                Ok(Condition { right: Some(Operand::Path { path, default: None }), .. })
                    if !path.relative && path.steps.len() == 1 =>
                {
                    problems.push(format!(
                        "{at}.when: `{c}`: a bare lowercase word reads a field; quote it to compare with text"
                    ))
                }
                Ok(_) => {}
            }
        }
        if check.refers.is_some() && check.selects.is_some() {
            problems.push(format!("{at}: refers and selects cannot both be set"));
        }
        if let Some(r) = &check.refers {
            for (field, operand) in
                [("kind", Some(&r.kind)), ("name", r.name.as_ref()), ("namespace", r.namespace.as_ref())]
            {
                if let Some(Err(e)) = operand.map(|o| parse_operand(o)) {
                    problems.push(format!("{at}.refers.{field}: {e}"));
                }
            }
            let when = r.when.as_deref().map(|w| w.split_whitespace().collect::<Vec<_>>());
            match when.as_deref() {
                None | Some(["missing"]) | Some(["lacks" | "has", _]) if r.name.is_none() => {
                    problems.push(format!("{at}.refers: `name` is required"))
                }
                None | Some(["missing"]) => {}
                Some(["lacks" | "has", fact] | ["none", "has", fact]) if fact_names.contains(fact) => {}
                Some(["lacks" | "has", fact] | ["none", "has", fact]) => {
                    problems.push(format!("{at}.refers.if: no fact named `{fact}`"))
                }
                Some(_) => problems
                    .push(format!("{at}.refers.if: expected `missing`, `lacks FACT`, `has FACT` or `none has FACT`")),
            }
        }
        if let Some(s) = &check.selects {
            if let Err(e) = parse_path(&s.selector) {
                problems.push(format!("{at}.selects.selector: {e}"));
            }
        }
        if let Some(Err(e)) = check.report_on.as_ref().and_then(|r| r.name.as_deref()).map(parse_operand) {
            problems.push(format!("{at}.report_on.name: {e}"));
        }
        for (field, template) in [("text", &check.text), ("evidence", &check.evidence)] {
            match placeholders(template) {
                Err(e) => problems.push(format!("{at}.{field}: {e}")),
                Ok(names) => {
                    for name in names {
                        if !NAMES.contains(&name) {
                            if let Err(e) = parse_operand(name) {
                                problems.push(format!("{at}.{field}: {{{name}}}: {e}"));
                            }
                        }
                    }
                }
            }
        }
    }
    problems
}
