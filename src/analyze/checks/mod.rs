//! What objects say about themselves and about each other.
//!
//! - [`status`]: container states, pod conditions and phases, conditions and phases named in
//!   `scenarios/kubernetes.yaml`, deletion held by finalizers, Warning events (Rust, typed).
//! - The data checks of `scenarios/checks.yaml` ([`spec`] is its shape and condition language):
//!   comparisons of fields, references to a second object, label selectors, and timestamps
//!   against the input's own time. A check on one object is judged as the object is read; a
//!   check that needs other objects leaves a small [`Pending`] record and is judged at the end,
//!   against an [`Inventory`] of what was seen (names, facts, labels), so objects are never kept.

pub(crate) mod cron;
pub(crate) mod spec;
pub(in crate::analyze) mod status;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;
use std::sync::OnceLock;

use anyhow::{bail, Context, Result};
use serde_json::Value;

use self::spec::{CheckSpec, ChecksSpec, Condition, Literal, Op, Operand, Path, Quantifier, Step};
use super::{Key, Severity, Signal};

/// The built-in checks, embedded.
const BUILTIN: &str = include_str!("../../../scenarios/checks.yaml");

/// The compiled checks.
pub(crate) struct Checks {
    facts: Vec<Fact>,
    checks: Vec<Check>,
    /// Support-bundle folder -> kind.
    pub(crate) bundle_folders: BTreeMap<String, String>,
    /// Kinds whose labels selectors are judged against.
    selected_kinds: HashSet<String>,
    /// Kind -> the checks that name it, then the facts that name it: looked up once per object
    /// instead of comparing every check's kinds.
    by_kind: HashMap<String, (Vec<usize>, Vec<usize>)>,
    /// Checks for any kind (`"*"`).
    any_kind: Vec<usize>,
    /// Checks also made on pod templates.
    template_checks: Vec<usize>,
}

struct Fact {
    bit: usize,
    kinds: Vec<String>,
    when: Vec<Condition>,
}

struct Check {
    id: String,
    kinds: Vec<String>,
    templates: bool,
    except_kinds: Vec<String>,
    each: Option<Path>,
    when: Vec<Condition>,
    refers: Option<Refers>,
    /// (kind, selector path, the kind is cluster-scoped)
    selects: Option<(String, Path, bool)>,
    report_on: Option<(String, Option<Operand>)>,
    pod_events: bool,
    severity: Severity,
    text: Template,
    evidence: Template,
}

struct Refers {
    kind: Operand,
    name: Option<Operand>,
    namespace: Option<Operand>,
    cluster: bool,
    when: RefIf,
}

#[derive(Clone, Copy)]
enum RefIf {
    Missing,
    Lacks(usize),
    Has(usize),
    /// No object of the kind has the fact (the name is unused).
    NoneHas(usize),
}

enum Piece {
    Text(String),
    Kind,
    Name,
    Namespace,
    Target,
    TargetKind,
    Value(Operand),
}

struct Template(Vec<Piece>);

impl Checks {
    /// The built-in checks (parsed once; `build.rs` has validated them).
    pub(crate) fn builtin() -> &'static Checks {
        static CHECKS: OnceLock<Checks> = OnceLock::new();
        CHECKS.get_or_init(|| Checks::load(&[]).expect("validated by build.rs"))
    }

    /// The built-in checks and those of `files` (`analyze --checks`), after them.
    pub(crate) fn load(files: &[std::path::PathBuf]) -> Result<Checks> {
        let mut spec: ChecksSpec = crate::yaml::parse(BUILTIN, "<builtin>/checks.yaml")?;
        for file in files {
            let name = file.display().to_string();
            let bytes = std::fs::read(file).with_context(|| format!("{name}: cannot read"))?;
            let text = crate::encoding::decode(&bytes).text;
            let more: ChecksSpec = crate::yaml::parse(&text, &name)?;
            let known: Vec<&str> = spec.facts.iter().map(|f| f.name.as_str()).collect();
            let problems = spec::validate(&more, &[], &known);
            if !problems.is_empty() {
                bail!("{name}: {}", problems.join(&format!("\n{name}: ")));
            }
            for check in &more.checks {
                if spec.checks.iter().any(|c| c.id == check.id) {
                    bail!("{name}: check `{}` is already defined (ids must be unique)", check.id);
                }
            }
            spec.bundle_folders.extend(more.bundle_folders);
            spec.facts.extend(more.facts);
            spec.checks.extend(more.checks);
        }
        Checks::compile(spec)
    }

    fn compile(spec: ChecksSpec) -> Result<Checks> {
        let parse_all = |conds: &[String]| -> Result<Vec<Condition>> {
            conds.iter().map(|c| spec::parse_condition(c).map_err(anyhow::Error::msg)).collect()
        };
        let mut fact_names: Vec<String> = Vec::new();
        let mut facts = Vec::new();
        for f in &spec.facts {
            let bit = match fact_names.iter().position(|n| *n == f.name) {
                Some(b) => b,
                None => {
                    fact_names.push(f.name.clone());
                    fact_names.len() - 1
                }
            };
            facts.push(Fact { bit, kinds: f.kinds.clone(), when: parse_all(&f.when)? });
        }
        if fact_names.len() > 64 {
            bail!("at most 64 distinct facts");
        }
        let mut checks = Vec::new();
        let mut selected_kinds = HashSet::new();
        for c in spec.checks {
            checks.push(compile_check(c, &fact_names, &mut selected_kinds)?);
        }
        let mut by_kind: HashMap<String, (Vec<usize>, Vec<usize>)> = HashMap::new();
        let mut any_kind = Vec::new();
        for (i, c) in checks.iter().enumerate() {
            for k in &c.kinds {
                if k == "*" {
                    any_kind.push(i);
                } else {
                    by_kind.entry(k.clone()).or_default().0.push(i);
                }
            }
        }
        for (i, f) in facts.iter().enumerate() {
            for k in &f.kinds {
                by_kind.entry(k.clone()).or_default().1.push(i);
            }
        }
        let template_checks =
            (0..checks.len()).filter(|&i| checks[i].templates && checks[i].kinds.iter().any(|k| k == "Pod")).collect();
        Ok(Checks {
            facts,
            checks,
            bundle_folders: spec.bundle_folders,
            selected_kinds,
            by_kind,
            any_kind,
            template_checks,
        })
    }
}

fn operand(text: &str) -> Result<Operand> {
    spec::parse_operand(text).map_err(anyhow::Error::msg)
}

fn compile_check(c: CheckSpec, fact_names: &[String], selected: &mut HashSet<String>) -> Result<Check> {
    let refers = match c.refers {
        None => None,
        Some(r) => {
            let fact = |name: &str| fact_names.iter().position(|n| n == name).context("unknown fact");
            let when = match r.when.as_deref().map(|w| w.split_whitespace().collect::<Vec<_>>()).as_deref() {
                None | Some(["missing"]) => RefIf::Missing,
                Some(["lacks", f]) => RefIf::Lacks(fact(f)?),
                Some(["has", f]) => RefIf::Has(fact(f)?),
                Some(["none", "has", f]) => RefIf::NoneHas(fact(f)?),
                Some(_) => bail!("{}: refers.if", c.id),
            };
            Some(Refers {
                kind: operand(&r.kind)?,
                name: r.name.as_deref().map(operand).transpose()?,
                namespace: r.namespace.as_deref().map(operand).transpose()?,
                cluster: r.cluster,
                when,
            })
        }
    };
    let selects = match c.selects {
        None => None,
        Some(s) => {
            selected.insert(s.kind.clone());
            Some((s.kind, spec::parse_path(&s.selector).map_err(anyhow::Error::msg)?, s.cluster))
        }
    };
    let report_on = match c.report_on {
        None => None,
        Some(r) => Some((r.kind, r.name.as_deref().map(operand).transpose()?)),
    };
    Ok(Check {
        kinds: c.kinds,
        templates: c.templates,
        except_kinds: c.except_kinds,
        each: c.each.as_deref().map(spec::parse_path).transpose().map_err(anyhow::Error::msg)?,
        when: c.when.iter().map(|w| spec::parse_condition(w).map_err(anyhow::Error::msg)).collect::<Result<_>>()?,
        refers,
        selects,
        report_on,
        pod_events: c.pod_events,
        severity: if c.severity == "error" { Severity::Error } else { Severity::Warning },
        text: template(&c.text)?,
        evidence: template(&c.evidence)?,
        id: c.id,
    })
}

fn template(text: &str) -> Result<Template> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}').context("unclosed `{`")? + open;
        if open > 0 {
            pieces.push(Piece::Text(rest[..open].to_string()));
        }
        pieces.push(match &rest[open + 1..close] {
            "kind" => Piece::Kind,
            "name" => Piece::Name,
            "namespace" => Piece::Namespace,
            "$target" => Piece::Target,
            "$target_kind" => Piece::TargetKind,
            other => Piece::Value(operand(other)?),
        });
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest.to_string()));
    }
    Ok(Template(pieces))
}

/// What a check is judged on: the object, the element of `each`, the second object.
struct Ctx<'a> {
    root: &'a Value,
    elem: Option<&'a Value>,
    key: &'a Key,
    target: Option<(&'a str, &'a str)>,
}

/// One value an operand yields.
#[derive(Clone, Copy)]
enum Val<'a> {
    Json(&'a Value),
    Lit(&'a Literal),
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// The values at `path`: one entry per branch, `None` where a field is absent or empty.
fn resolve<'a>(path: &Path, ctx: &Ctx<'a>) -> Vec<Option<&'a Value>> {
    let start = if path.relative { ctx.elem.unwrap_or(ctx.root) } else { ctx.root };
    let mut branches: Vec<Option<&Value>> = vec![Some(start)];
    for step in &path.steps {
        let mut next = Vec::with_capacity(branches.len());
        for b in branches {
            match (step, b) {
                (Step::Key(k), Some(Value::Object(map))) => next.push(map.get(k.as_str())),
                (Step::Key(_), _) => next.push(None),
                (Step::Each, Some(Value::Array(items))) => next.extend(items.iter().map(Some)),
                (Step::Select(k, want), Some(Value::Array(items))) => next.extend(
                    items
                        .iter()
                        .filter(|item| item.get(k.as_str()).is_some_and(|v| scalar_text(v).as_deref() == Some(want)))
                        .map(Some),
                ),
                (Step::Each | Step::Select(..), _) => {}
            }
        }
        branches = next;
    }
    branches.into_iter().map(|b| b.filter(|v| !is_empty(v))).collect()
}

fn values<'a>(operand: &'a Operand, ctx: &Ctx<'a>) -> Vec<Val<'a>> {
    match operand {
        Operand::Literal(l) => vec![Val::Lit(l)],
        Operand::Now => Vec::new(),
        Operand::Path { path, default } => {
            let found = resolve(path, ctx);
            let mut out: Vec<Val> = Vec::with_capacity(found.len());
            for v in &found {
                match (v, default) {
                    (Some(v), _) => out.push(Val::Json(v)),
                    (None, Some(d)) => out.push(Val::Lit(d)),
                    (None, None) => {}
                }
            }
            if found.is_empty() {
                if let Some(d) = default {
                    out.push(Val::Lit(d));
                }
            }
            out
        }
    }
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl Val<'_> {
    fn number(&self) -> Option<f64> {
        match self {
            Val::Json(Value::Number(n)) => n.as_f64(),
            Val::Json(Value::String(s)) => s.parse().ok(),
            Val::Lit(Literal::Number(n)) => Some(*n),
            Val::Lit(Literal::Text(s)) => s.parse().ok(),
            _ => None,
        }
    }

    fn text(&self) -> Option<String> {
        match self {
            Val::Json(v) => scalar_text(v),
            Val::Lit(Literal::Text(s)) => Some(s.clone()),
            Val::Lit(Literal::Bool(b)) => Some(b.to_string()),
            Val::Lit(Literal::Number(n)) => Some(format_number(*n)),
        }
    }

    /// For templates: a scalar as text, anything else as compact JSON.
    fn display(&self) -> String {
        match self {
            Val::Json(v) if !v.is_string() && !v.is_number() && !v.is_boolean() => v.to_string(),
            v => v.text().unwrap_or_default(),
        }
    }
}

fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

fn compare(a: &Val, b: &Val, op: Op) -> bool {
    if let (Some(x), Some(y)) = (a.number(), b.number()) {
        return match op {
            Op::Eq => x == y,
            Op::Ne => x != y,
            Op::Lt => x < y,
            Op::Le => x <= y,
            Op::Gt => x > y,
            Op::Ge => x >= y,
            _ => false,
        };
    }
    let (Some(x), Some(y)) = (a.text(), b.text()) else { return op == Op::Ne };
    match op {
        Op::Eq => x == y,
        Op::Ne => x != y,
        _ => match (timestamp(&x), timestamp(&y)) {
            (Some(x), Some(y)) => match op {
                Op::Lt => x < y,
                Op::Le => x <= y,
                Op::Gt => x > y,
                Op::Ge => x >= y,
                _ => false,
            },
            _ => false,
        },
    }
}

/// Seconds since the epoch of an RFC 3339 timestamp, as the API server writes them.
fn timestamp(text: &str) -> Option<i64> {
    text.parse::<jiff::Timestamp>().ok().map(|t| t.as_second())
}

/// Whether a condition holds (a `$now` condition is judged later and holds here).
fn holds(cond: &Condition, ctx: &Ctx) -> bool {
    if cond.uses_now() {
        return true;
    }
    let left = values(&cond.left, ctx);
    let one = |v: &Val| -> bool {
        match cond.op {
            Op::Exists => true,
            Op::Missing => false,
            Op::InvalidCron => v.text().is_some_and(|s| cron::problem(&s).is_some()),
            op => cond.right.as_ref().is_some_and(|r| values(r, ctx).iter().any(|rv| compare(v, rv, op))),
        }
    };
    match (cond.op, cond.quantifier) {
        (Op::Missing, _) => left.is_empty(),
        (_, Quantifier::Any) => left.iter().any(one),
        (Op::Exists, Quantifier::All) => {
            // Every branch must have the field: absent branches were dropped from `left`.
            let Operand::Path { path, .. } = &cond.left else { return !left.is_empty() };
            let found = resolve(path, ctx);
            found.iter().all(Option::is_some)
        }
        (_, Quantifier::All) => left.iter().all(one),
    }
}

/// A shared string: the texts, kinds and names of pending checks repeat across objects (every
/// pod of a controller refers to the same Secret), so each is stored once.
type Shared = Rc<str>;

/// An object's (namespace, kind, name) or a target's (kind, namespace, name), shared.
type SharedKey = (Shared, Shared, Shared);

/// A check that needs other objects or the input's time, judged at the end, for every object
/// it was found on: the pods of one controller referring to one Secret share one record.
pub(super) struct Pending {
    keys: Vec<(Shared, Shared, Shared)>,
    text: Shared,
    evidence: Shared,
    severity: Severity,
    check: Shared,
    pod_events: bool,
    need: Need,
}

enum Need {
    /// A second object: kind, namespace ("" if cluster-scoped), name.
    Object { target: (Shared, Shared, Shared), when: RefIf },
    /// Objects of `kind` in `namespace` whose labels match.
    Selected { kind: Shared, namespace: Shared, selector: Selector },
    /// `time OP $now`.
    Time { times: Vec<i64>, op: Op, now_on_left: bool },
    /// No object of `kind` has the fact `bit`.
    NoneWith { kind: Shared, bit: usize },
}

/// A label selector: a plain map (a Service's), or `matchLabels` and `matchExpressions`.
#[derive(Debug, Default)]
struct Selector {
    labels: Vec<(String, String)>,
    expressions: Vec<(String, String, Vec<String>)>,
}

impl Selector {
    fn read(v: &Value) -> Selector {
        let mut s = Selector::default();
        let Some(map) = v.as_object() else { return s };
        let text_map = |m: &serde_json::Map<String, Value>| -> Vec<(String, String)> {
            m.iter().filter_map(|(k, v)| Some((k.clone(), scalar_text(v)?))).collect()
        };
        if map.contains_key("matchLabels") || map.contains_key("matchExpressions") {
            if let Some(m) = map.get("matchLabels").and_then(Value::as_object) {
                s.labels = text_map(m);
            }
            for e in map.get("matchExpressions").and_then(Value::as_array).into_iter().flatten() {
                let key = e.get("key").and_then(Value::as_str).unwrap_or_default().to_string();
                let op = e.get("operator").and_then(Value::as_str).unwrap_or_default().to_string();
                let vals = e
                    .get("values")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(scalar_text).collect())
                    .unwrap_or_default();
                s.expressions.push((key, op, vals));
            }
        } else {
            s.labels = text_map(map);
        }
        s
    }

    fn matches(&self, labels: &Labels) -> bool {
        let get = |k: &str| labels.iter().find(|(lk, _)| &**lk == k).map(|(_, v)| &**v);
        self.labels.iter().all(|(k, v)| get(k) == Some(v.as_str()))
            && self.expressions.iter().all(|(k, op, vals)| match op.as_str() {
                "In" => get(k).is_some_and(|v| vals.iter().any(|x| x == v)),
                "NotIn" => get(k).is_none_or(|v| !vals.iter().any(|x| x == v)),
                "Exists" => get(k).is_some(),
                "DoesNotExist" => get(k).is_none(),
                _ => false,
            })
    }
}

/// An object's labels, as (key, value) pairs.
type Labels = Vec<(Shared, Shared)>;

/// What was seen of every object, for the checks judged at the end.
#[derive(Default)]
pub(super) struct Inventory {
    /// Every kind, namespace, name and text stored once.
    strings: HashSet<Shared>,
    /// (kind, namespace, name) -> facts that hold.
    objects: HashMap<(Shared, Shared, Shared), u64>,
    /// (kind, namespace) pairs the input holds; namespace `*` when a list of that kind was read
    /// with no namespace to tell (an empty `SecretList`).
    present: HashSet<(String, String)>,
    /// Kinds the input holds, in any namespace.
    kinds: HashSet<String>,
    /// Labels of the objects selectors pick, by (kind, namespace).
    labels: HashMap<(Shared, Shared), Vec<Labels>>,
    /// For selectors: (kind, namespace, label key, label value) -> the objects that carry it,
    /// as indexes into `labels`, so a selector looks at candidates, not at every pod.
    carriers: HashMap<(Shared, Shared, Shared, Shared), Vec<u32>>,
    pending: Vec<Pending>,
    /// Where the pending record of (check, text, evidence, target) is, for references.
    pending_at: HashMap<(Shared, Shared, Shared, SharedKey), usize>,
    /// The input's own time: its latest timestamp, and that timestamp as written.
    now: Option<i64>,
    now_text: String,
}

impl Inventory {
    fn intern(&mut self, text: &str) -> Shared {
        if let Some(shared) = self.strings.get(text) {
            return shared.clone();
        }
        let shared: Shared = Rc::from(text);
        self.strings.insert(shared.clone());
        shared
    }

    fn intern_key(&mut self, key: &Key) -> (Shared, Shared, Shared) {
        (self.intern(&key.0), self.intern(&key.1), self.intern(&key.2))
    }

    /// Records that the input holds objects of `kind` in `namespace` (`*`: any).
    pub(super) fn mark_present(&mut self, kind: &str, namespace: &str) {
        if !self.present.contains(&(kind.to_string(), namespace.to_string())) {
            self.present.insert((kind.to_string(), namespace.to_string()));
        }
        if !self.kinds.contains(kind) {
            self.kinds.insert(kind.to_string());
        }
    }

    /// Whether a selector picks some object of `kind` in `namespace`: its candidates are the
    /// carriers of its rarest `matchLabels` pair (or every object, with none).
    fn any_selected(&self, kind: &Shared, namespace: &Shared, selector: &Selector) -> bool {
        let Some(all) = self.labels.get(&(kind.clone(), namespace.clone())) else { return false };
        let mut rarest: Option<&Vec<u32>> = None;
        for (k, v) in &selector.labels {
            let (Some(k), Some(v)) = (self.strings.get(k.as_str()), self.strings.get(v.as_str())) else { return false };
            let entry = (kind.clone(), namespace.clone(), k.clone(), v.clone());
            let Some(list) = self.carriers.get(&entry) else { return false };
            if rarest.is_none_or(|r| list.len() < r.len()) {
                rarest = Some(list);
            }
        }
        match rarest {
            Some(list) => list.iter().any(|&i| selector.matches(&all[i as usize])),
            None => all.iter().any(|labels| selector.matches(labels)),
        }
    }

    /// Whether the input holds objects of `kind` in `namespace`: selectors are judged only
    /// where the namespace's objects were read.
    fn has_kind(&self, kind: &str, namespace: &str) -> bool {
        self.present.contains(&(kind.to_string(), namespace.to_string()))
            || self.present.contains(&(kind.to_string(), "*".to_string()))
    }

    pub(super) fn see_time(&mut self, text: &str) {
        // The API server writes one format (`2024-05-10T10:00:00Z`), which sorts as text: a
        // timestamp that sorts before the latest so far is not parsed. (Fractional seconds sort
        // slightly off, by less than a second.)
        if text.len() == self.now_text.len() && text <= self.now_text.as_str() {
            return;
        }
        if let Some(t) = timestamp(text) {
            if self.now.is_none_or(|n| t > n) {
                self.now = Some(t);
                self.now_text = text.to_string();
            }
        }
    }
}

/// Fields whose timestamps say when the input was taken (a deletion timestamp is in the future
/// by design, so it is not one of them).
const TIME_FIELDS: [&str; 5] =
    ["lastTimestamp", "eventTime", "firstTimestamp", "lastTransitionTime", "lastHeartbeatTime"];

fn collect_times(v: &Value, inventory: &mut Inventory) {
    if let Some(t) = v.pointer("/metadata/creationTimestamp").and_then(Value::as_str) {
        inventory.see_time(t);
    }
    for f in TIME_FIELDS {
        if let Some(t) = v.get(f).and_then(Value::as_str) {
            inventory.see_time(t);
        }
    }
    for c in v.pointer("/status/conditions").and_then(Value::as_array).into_iter().flatten() {
        for f in TIME_FIELDS {
            if let Some(t) = c.get(f).and_then(Value::as_str) {
                inventory.see_time(t);
            }
        }
    }
}

impl Checks {
    /// Notes an event's time (events are not judged by data checks nor kept).
    pub(super) fn observe_time(&self, v: &Value, inventory: &mut Inventory) {
        collect_times(v, inventory);
    }

    /// Judges one object: returns the signals found now, records what is judged later.
    pub(super) fn observe(&self, v: &Value, key: &Key, inventory: &mut Inventory) -> Vec<(Key, Signal)> {
        let kind = key.1.as_str();
        collect_times(v, inventory);
        inventory.mark_present(kind, &key.0);
        let ctx = Ctx { root: v, elem: None, key, target: None };
        let none = (Vec::new(), Vec::new());
        let (kind_checks, kind_facts) = self.by_kind.get(kind).unwrap_or(&none);
        let mut facts = 0u64;
        for f in kind_facts.iter().map(|&i| &self.facts[i]) {
            if f.when.iter().all(|c| holds(c, &ctx)) {
                facts |= 1 << f.bit;
            }
        }
        let (ns, kind_s, name) = inventory.intern_key(key);
        inventory.objects.insert((kind_s.clone(), ns.clone(), name), facts);
        if self.selected_kinds.contains(kind) {
            let mut labels: Labels = Vec::new();
            for (k, v) in v.pointer("/metadata/labels").and_then(Value::as_object).into_iter().flatten() {
                if let Some(v) = scalar_text(v) {
                    labels.push((inventory.intern(k), inventory.intern(&v)));
                }
            }
            let list = inventory.labels.entry((kind_s.clone(), ns.clone())).or_default();
            let at = list.len() as u32;
            for (k, v) in &labels {
                let entry = (kind_s.clone(), ns.clone(), k.clone(), v.clone());
                inventory.carriers.entry(entry).or_default().push(at);
            }
            if let Some(list) = inventory.labels.get_mut(&(kind_s, ns)) {
                list.push(labels);
            }
        }
        let mut out = Vec::new();
        let wildcard = self.any_kind.iter().filter(|&&i| !self.checks[i].except_kinds.iter().any(|k| k == kind));
        let mut applicable: Vec<usize> = kind_checks.iter().copied().chain(wildcard.copied()).collect();
        // In file order, as written.
        applicable.sort_unstable();
        applicable.dedup();
        for i in applicable {
            self.judge(&self.checks[i], v, key, inventory, &mut out);
        }
        // A workload's pod template is judged like a pod, reported on the workload.
        let template = match kind {
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" | "ReplicationController" => {
                v.pointer("/spec/template")
            }
            "CronJob" => v.pointer("/spec/jobTemplate/spec/template"),
            _ => None,
        };
        if let Some(template) = template {
            for &i in &self.template_checks {
                self.judge(&self.checks[i], template, key, inventory, &mut out);
            }
        }
        out
    }

    fn judge(&self, check: &Check, v: &Value, key: &Key, inventory: &mut Inventory, out: &mut Vec<(Key, Signal)>) {
        let root_ctx = Ctx { root: v, elem: None, key, target: None };
        let elements: Vec<Option<&Value>> = match &check.each {
            None => vec![None],
            Some(path) => resolve(path, &root_ctx).into_iter().flatten().map(Some).collect(),
        };
        for elem in elements {
            let ctx = Ctx { root: v, elem, key, target: None };
            if !check.when.iter().all(|c| holds(c, &ctx)) {
                continue;
            }
            let report = self.report_key(check, &ctx);
            let time = check.when.iter().find(|c| c.uses_now());
            if let Some(cond) = time {
                let now_on_left = cond.left == Operand::Now;
                let side = if now_on_left { cond.right.as_ref() } else { Some(&cond.left) };
                let times: Vec<i64> = side
                    .map(|s| values(s, &ctx))
                    .unwrap_or_default()
                    .iter()
                    .filter_map(|v| v.text().and_then(|t| timestamp(&t)))
                    .collect();
                if !times.is_empty() {
                    let need = Need::Time { times, op: cond.op, now_on_left };
                    self.defer(check, &ctx, &report, need, inventory);
                }
                continue;
            }
            if let Some(r) = &check.refers {
                let kind = values(&r.kind, &ctx).first().and_then(Val::text).unwrap_or_default();
                let namespace = if r.cluster {
                    String::new()
                } else {
                    r.namespace
                        .as_ref()
                        .and_then(|n| values(n, &ctx).first().and_then(Val::text))
                        .unwrap_or_else(|| key.0.clone())
                };
                if let RefIf::NoneHas(bit) = r.when {
                    let need = Need::NoneWith { kind: inventory.intern(&kind), bit };
                    self.defer(check, &ctx, &report, need, inventory);
                    continue;
                }
                let names = r.name.as_ref().map(|n| values(n, &ctx)).unwrap_or_default();
                for name in names.iter().filter_map(Val::text) {
                    if name.is_empty() || kind.is_empty() {
                        continue;
                    }
                    let ctx = Ctx { root: v, elem, key, target: Some((&kind, &name)) };
                    let target = (inventory.intern(&kind), inventory.intern(&namespace), inventory.intern(&name));
                    // Already seen: "missing" cannot hold any more, and is not worth a record.
                    if matches!(r.when, RefIf::Missing) && inventory.objects.contains_key(&target) {
                        continue;
                    }
                    self.defer(check, &ctx, &report, Need::Object { target, when: r.when }, inventory);
                }
                continue;
            }
            if let Some((kind, path, cluster)) = &check.selects {
                let Some(sel) = resolve(path, &ctx).into_iter().flatten().next() else { continue };
                let selector = Selector::read(sel);
                let namespace = inventory.intern(if *cluster { "" } else { &key.0 });
                let need = Need::Selected { kind: inventory.intern(kind), namespace, selector };
                self.defer(check, &ctx, &report, need, inventory);
                continue;
            }
            out.push((report, self.signal(check, &ctx)));
        }
    }

    /// Leaves a check to be judged at the end, its text rendered now (the object is dropped).
    fn defer(&self, check: &Check, ctx: &Ctx, report: &Key, need: Need, inventory: &mut Inventory) {
        let key = inventory.intern_key(report);
        let text = inventory.intern(&render(&check.text, ctx));
        let evidence = inventory.intern(&render(&check.evidence, ctx));
        let id = inventory.intern(&check.id);
        if let Need::Object { target, .. } = &need {
            let group = (id.clone(), text.clone(), evidence.clone(), target.clone());
            if let Some(&at) = inventory.pending_at.get(&group) {
                inventory.pending[at].keys.push(key);
                return;
            }
            inventory.pending_at.insert(group, inventory.pending.len());
        }
        let pending = Pending {
            keys: vec![key],
            text,
            evidence,
            severity: check.severity,
            check: id,
            pod_events: check.pod_events,
            need,
        };
        inventory.pending.push(pending);
    }

    fn report_key(&self, check: &Check, ctx: &Ctx) -> Key {
        match &check.report_on {
            None => ctx.key.clone(),
            Some((kind, name)) => {
                let name = name.as_ref().and_then(|n| values(n, ctx).first().and_then(Val::text));
                (ctx.key.0.clone(), kind.clone(), name.unwrap_or_else(|| ctx.key.2.clone()))
            }
        }
    }

    fn signal(&self, check: &Check, ctx: &Ctx) -> Signal {
        Signal {
            text: render(&check.text, ctx).into(),
            evidence: render(&check.evidence, ctx).into(),
            severity: check.severity,
            from_status: true,
            check: Some(check.id.as_str().into()),
            context: false,
            pod_events: check.pod_events,
        }
    }

    /// Judges what was left for the end; returns the signals that hold, and how many
    /// references could not be judged, by kind (that kind is not in the input).
    pub(super) fn finish(&self, inventory: Inventory) -> (Vec<(Key, Signal)>, BTreeMap<String, usize>) {
        let mut out = Vec::new();
        let mut not_judged: BTreeMap<String, usize> = BTreeMap::new();
        let now = inventory.now;
        // Which (kind, fact) pairs some object has, for `none has FACT`: one pass, not one per check.
        let mut with_fact: HashSet<(&str, usize)> = HashSet::new();
        if inventory.pending.iter().any(|p| matches!(p.need, Need::NoneWith { .. })) {
            for ((kind, _, _), facts) in &inventory.objects {
                for bit in (0..64).filter(|b| facts & (1 << b) != 0) {
                    with_fact.insert((kind, bit));
                }
            }
        }
        for p in &inventory.pending {
            let fires = match &p.need {
                Need::Object { target, when } => {
                    if !inventory.kinds.contains(&*target.0) {
                        *not_judged.entry(target.0.to_string()).or_default() += p.keys.len();
                        continue;
                    }
                    let facts = inventory.objects.get(target);
                    match (when, facts) {
                        (RefIf::Missing, f) => f.is_none(),
                        (RefIf::Lacks(bit), Some(f)) => f & (1 << bit) == 0,
                        (RefIf::Has(bit), Some(f)) => f & (1 << bit) != 0,
                        (_, None) | (RefIf::NoneHas(_), _) => false,
                    }
                }
                Need::NoneWith { kind, bit } => {
                    if !inventory.kinds.contains(&**kind) {
                        *not_judged.entry(kind.to_string()).or_default() += p.keys.len();
                        continue;
                    }
                    !with_fact.contains(&(&**kind, *bit))
                }
                Need::Selected { kind, namespace, selector } => {
                    if !inventory.has_kind(kind, namespace) {
                        *not_judged.entry(kind.to_string()).or_default() += p.keys.len();
                        continue;
                    }
                    !inventory.any_selected(kind, namespace, selector)
                }
                Need::Time { times, op, now_on_left } => {
                    let Some(now) = now else { continue };
                    times.iter().any(|&t| {
                        let (a, b) = if *now_on_left { (now, t) } else { (t, now) };
                        match op {
                            Op::Lt => a < b,
                            Op::Le => a <= b,
                            Op::Gt => a > b,
                            Op::Ge => a >= b,
                            Op::Eq => a == b,
                            _ => a != b,
                        }
                    })
                }
            };
            if fires {
                for key in &p.keys {
                    let key = (key.0.to_string(), key.1.to_string(), key.2.to_string());
                    let signal = Signal {
                        text: p.text.clone(),
                        evidence: p.evidence.clone(),
                        severity: p.severity,
                        from_status: true,
                        check: Some(p.check.clone()),
                        context: false,
                        pod_events: p.pod_events,
                    };
                    out.push((key, signal));
                }
            }
        }
        (out, not_judged)
    }
}

/// At most this many values of a multi-valued placeholder are written out.
const MAX_LISTED: usize = 5;

fn render(t: &Template, ctx: &Ctx) -> String {
    let mut out = String::new();
    for piece in &t.0 {
        match piece {
            Piece::Text(s) => out.push_str(s),
            Piece::Kind => out.push_str(&ctx.key.1),
            Piece::Name => out.push_str(&ctx.key.2),
            Piece::Namespace => out.push_str(&ctx.key.0),
            Piece::Target => out.push_str(ctx.target.map_or("", |t| t.1)),
            Piece::TargetKind => out.push_str(ctx.target.map_or("", |t| t.0)),
            Piece::Value(op) => {
                let vals: Vec<String> = values(op, ctx).iter().map(Val::display).collect();
                out.push_str(&vals.iter().take(MAX_LISTED).cloned().collect::<Vec<_>>().join(", "));
                if vals.len() > MAX_LISTED {
                    out.push_str(&format!(" and {} more", vals.len() - MAX_LISTED));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Key {
        ("ns".into(), "Deployment".into(), "web".into())
    }

    fn holds_on(cond: &str, v: &Value) -> bool {
        let k = key();
        holds(&spec::parse_condition(cond).unwrap(), &Ctx { root: v, elem: None, key: &k, target: None })
    }

    #[test]
    fn conditions_read_paths_defaults_and_quantifiers() {
        let v = serde_json::json!({
            "spec": {"replicas": 3, "template": {"spec": {"containers": [
                {"resources": {"requests": {"cpu": "100m"}}}, {"resources": {}}]}}},
            "status": {"conditions": [{"type": "Ready", "status": "False"}]},
            "metadata": {"labels": {"app.kubernetes.io/name": "web"}}
        });
        assert!(holds_on("spec.replicas ?? 1 > status.readyReplicas ?? 0", &v));
        assert!(!holds_on("spec.replicas > status.readyReplicas", &v), "an absent field without a default is false");
        assert!(holds_on("status.conditions[type=Ready].status == False", &v));
        assert!(holds_on("metadata.labels['app.kubernetes.io/name'] == 'web'", &v));
        assert!(holds_on("spec.template.spec.containers[].resources.requests.cpu exists", &v));
        assert!(!holds_on("all spec.template.spec.containers[].resources.requests.cpu exists", &v));
        assert!(holds_on("status.conditions[type=Available] missing", &v));
        assert!(holds_on("'2024-05-10T10:00:00Z' < '2024-05-10T10:00:01.5Z'", &v), "compared as times");
    }

    #[test]
    fn selectors_match_labels_and_expressions() {
        let mut inv = Inventory::default();
        let labels: Labels = vec![(inv.intern("app"), inv.intern("web")), (inv.intern("tier"), inv.intern("front"))];
        let plain = Selector::read(&serde_json::json!({"app": "web"}));
        assert!(plain.matches(&labels));
        let expr = Selector::read(&serde_json::json!({"matchLabels": {"app": "web"},
            "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]}));
        assert!(!expr.matches(&labels));
        let exists = Selector::read(&serde_json::json!({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}));
        assert!(exists.matches(&labels));
    }

    #[test]
    fn builtin_checks_compile_and_judge_a_reference_only_when_the_kind_is_present() {
        let checks = Checks::builtin();
        let pod = serde_json::json!({"kind": "Pod", "metadata": {"name": "p", "namespace": "ns"},
            "spec": {"serviceAccountName": "builder", "containers": []}});
        let k: Key = ("ns".into(), "Pod".into(), "p".into());
        let mut inv = Inventory::default();
        assert!(checks.observe(&pod, &k, &mut inv).is_empty(), "a reference is judged at the end");
        let (found, not_judged) = checks.finish(inv);
        assert!(found.is_empty());
        assert_eq!(not_judged.get("ServiceAccount"), Some(&1));

        let mut inv = Inventory::default();
        checks.observe(&pod, &k, &mut inv);
        inv.mark_present("ServiceAccount", "*");
        let (found, _) = checks.finish(inv);
        assert!(found.iter().any(|(_, s)| &*s.text == "serviceaccount \"builder\" not found"), "{found:?}");
    }
}
