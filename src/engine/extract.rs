//! Pulls the signal out of pasted cluster output: Warning events, unhealthy STATUS values, node
//! conditions that are True, container state reasons, exit codes and error log lines. Noise
//! (timestamps, UIDs, IPs, hashes, ages) is stripped so repeated lines fold into one.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;

use crate::knowledge::KNOWLEDGE;

/// What kind of line a signal came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum SignalKind {
    Event,
    Status,
    Condition,
    State,
    Log,
}

/// One distinct signal: normalised text, where it first appeared, how often.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Signal {
    pub kind: SignalKind,
    pub text: String,
    /// 1-based line of the first occurrence.
    pub line: usize,
    pub count: usize,
    pub weight: f32,
}

/// At most this many distinct signals are kept (the most weighty, then the earliest).
const MAX_SIGNALS: usize = 200;

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("valid regex"))
}

/// What a `kubectl describe` paste describes, from fields only that kind has; it gives bare
/// values such as `Status: Pending` their subject.
fn describe_subject<'a>(head: impl Iterator<Item = &'a str>) -> &'static str {
    let head: Vec<&str> = head.map(str::trim_start).collect();
    let has = |field: &str| head.iter().any(|l| l.starts_with(field));
    if has("Access Modes:") && has("StorageClass:") {
        if has("Claim:") || has("Reclaim Policy:") {
            "PersistentVolume pv"
        } else {
            "PersistentVolumeClaim pvc"
        }
    } else if has("Taints:") && has("Conditions:") && has("Capacity:") {
        "Node"
    } else if has("Containers:") && (has("Controlled By:") || has("QoS Class:")) {
        "Pod"
    } else if has("Min replicas:") || has("Reference:") && has("Metrics:") {
        "HorizontalPodAutoscaler hpa"
    } else {
        ""
    }
}

/// A table header being read: column names and where STATUS-like columns are.
struct Table {
    columns: Vec<String>,
    subject: &'static str,
}

/// How many lines [`describe_subject`] looks at.
const SUBJECT_LINES: usize = 300;

/// Every distinct signal in pasted output, in the order of first appearance.
pub(crate) fn extract(input: &str) -> Vec<Signal> {
    let mut lines = LineExtractor::default();
    for raw in input.lines() {
        lines.push(raw);
    }
    lines.finish()
}

/// [`extract`] fed one line at a time, so a large paste need not be held whole.
#[derive(Default)]
pub(crate) struct LineExtractor {
    /// The first lines, held until there are enough to tell what a describe paste describes.
    head: Vec<String>,
    /// Reading, once the subject is known.
    extractor: Option<Extractor>,
    count: usize,
}

impl LineExtractor {
    /// The next line, without its line end (as `str::lines` gives it).
    pub(crate) fn push(&mut self, raw: &str) {
        self.count += 1;
        match &mut self.extractor {
            Some(extractor) => extractor.line(self.count, raw),
            None => {
                self.head.push(raw.to_string());
                if self.head.len() == SUBJECT_LINES {
                    self.start();
                }
            }
        }
    }

    /// How many lines were pushed.
    pub(crate) fn count(&self) -> usize {
        self.count
    }

    pub(crate) fn finish(mut self) -> Vec<Signal> {
        self.start();
        self.extractor.map(Extractor::finish).unwrap_or_default()
    }

    /// The subject from the lines held, which are then read.
    fn start(&mut self) {
        if self.extractor.is_none() {
            let head = std::mem::take(&mut self.head);
            let mut extractor =
                Extractor { subject: describe_subject(head.iter().map(String::as_str)), ..Extractor::default() };
            for (n, raw) in head.iter().enumerate() {
                extractor.line(n + 1, raw);
            }
            self.extractor = Some(extractor);
        }
    }
}

/// The state of reading a paste line by line.
#[derive(Default)]
struct Extractor {
    signals: Vec<Signal>,
    by_text: HashMap<String, usize>,
    /// The kubectl table whose rows are being read.
    table: Option<Table>,
    /// The indent of a configuration field being skipped.
    noise: Option<usize>,
    /// A `-o yaml` list being read: its key and indent.
    yaml_list: Option<(String, usize)>,
    /// What a describe paste describes.
    subject: &'static str,
}

impl Extractor {
    fn add(&mut self, kind: SignalKind, text: &str, line: usize, weight: f32) {
        let text = normalize(text);
        if text.len() < 3 {
            return;
        }
        match self.by_text.get(&text) {
            Some(&i) => self.signals[i].count += 1,
            None => {
                self.by_text.insert(text.clone(), self.signals.len());
                self.signals.push(Signal { kind, text, line, count: 1, weight });
            }
        }
    }

    fn line(&mut self, line: usize, raw: &str) {
        let text = strip_log_prefix(raw.trim_end());
        let trimmed = text.trim();
        if trimmed.is_empty() {
            self.table = None;
            return;
        }
        let indent = text.len() - text.trim_start().len();
        if self.skip_configuration(trimmed, indent) || self.yaml_list_item(trimmed, indent, line) {
            return;
        }
        if trimmed == "finalizers:" {
            self.yaml_list = Some(("finalizers".to_string(), indent));
            return;
        }
        if let Some(t) = table_header(trimmed) {
            self.table = Some(t);
            return;
        }
        if let Some((reason, message, warning)) = event(trimmed) {
            if warning || KNOWLEDGE.telling_normal(reason) {
                self.add(SignalKind::Event, &format!("{reason} {message}"), line, if warning { 1.0 } else { 0.6 });
            }
            return;
        }
        if let Some(t) = &self.table {
            if let Some(signal) = table_row(t, trimmed) {
                self.add(SignalKind::Status, &signal, line, 1.0);
                return;
            }
            if trimmed.split_whitespace().count() >= t.columns.len().min(3) && !looks_like_log(trimmed) {
                return;
            }
        }
        // A klog line (most of a kubelet log) is neither a describe field nor a node condition:
        // its first word is `E1124`, which no field name or condition type looks like.
        if let Some(header) = klog_header(trimmed) {
            if let Some((message, weight)) = klog_error(trimmed, header) {
                self.add(SignalKind::Log, message, line, weight);
            }
        } else if let Some(signal) = describe_field(trimmed, self.subject) {
            self.add(SignalKind::State, &signal, line, 1.0);
        } else if let Some(signal) = condition(trimmed) {
            self.add(SignalKind::Condition, &signal, line, 1.0);
        } else if let Some((message, weight)) = log_error(trimmed) {
            self.add(SignalKind::Log, &message, line, weight);
        }
    }

    /// Defaults every pod carries (tolerations for not-ready and unreachable nodes), labels
    /// and environment are configuration, not symptoms: such a field and the lines indented
    /// under it are skipped.
    fn skip_configuration(&mut self, trimmed: &str, indent: usize) -> bool {
        match self.noise {
            Some(at) if indent > at => return true,
            _ => self.noise = None,
        }
        if let Some((key, _)) = trimmed.split_once(':').filter(|(k, _)| is_field_key(k)) {
            if KNOWLEDGE.configuration_fields.contains(&key) {
                self.noise = Some(indent);
                return true;
            }
        }
        false
    }

    /// `kubectl get -o yaml`: list items under `finalizers:`.
    fn yaml_list_item(&mut self, trimmed: &str, indent: usize, line: usize) -> bool {
        let Some((key, at)) = &self.yaml_list else { return false };
        if let Some(item) = trimmed.strip_prefix("- ").filter(|_| indent >= *at) {
            let text = format!("{key} {item}");
            self.add(SignalKind::State, &text, line, 0.8);
            return true;
        }
        self.yaml_list = None;
        false
    }

    fn finish(mut self) -> Vec<Signal> {
        // Finalizers are normal (every PVC has `kubernetes.io/pvc-protection`); they only matter
        // when the object is being deleted.
        let deleting =
            self.signals.iter().any(|s| s.text.contains("Terminating") || s.text.starts_with("deletionTimestamp"));
        if !deleting {
            self.signals.retain(|s| !s.text.starts_with("finalizers "));
        }
        let mut signals = self.signals;
        signals.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.line.cmp(&b.line)));
        signals.truncate(MAX_SIGNALS);
        signals.sort_by_key(|s| s.line);
        signals
    }
}

/// Drops syslog/journald (`Nov 24 10:00:01 host kubelet[812]: `) and container runtime
/// (`2024-05-01T10:00:00.123Z stderr F `) prefixes.
fn strip_log_prefix(line: &str) -> &str {
    static JOURNAL: OnceLock<Regex> = OnceLock::new();
    static CRI: OnceLock<Regex> = OnceLock::new();
    // Most lines have neither prefix; their first bytes tell so without running a regex (`\d` is
    // any Unicode digit, so a line starting with a non-ASCII character is left to the regex).
    let bytes = line.as_bytes();
    let journal = matches!(bytes, [b'A'..=b'Z', b'a'..=b'z', b'a'..=b'z', b' ', ..]);
    let cri = bytes.first().is_some_and(|b| b.is_ascii_digit() || !b.is_ascii());
    if journal {
        let j = re(&JOURNAL, r"^[A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d \S+ [\w.@/-]+(\[\d+\])?: ");
        if let Some(m) = j.find(line) {
            return &line[m.end()..];
        }
    }
    if cri {
        let c = re(&CRI, r"^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:?\d\d)? (stdout|stderr) [FP] ");
        if let Some(m) = c.find(line) {
            return &line[m.end()..];
        }
    }
    line
}

/// A kubectl table header: several upper-case column names, one of them a status-like column.
fn table_header(line: &str) -> Option<Table> {
    // Word by word: most lines fail at their first word, and are not split any further.
    let mut words = Vec::new();
    for word in line.split_whitespace() {
        if !word.chars().all(|c| c.is_ascii_uppercase() || "-_()%".contains(c)) {
            return None;
        }
        words.push(word);
    }
    if words.len() < 3 {
        return None;
    }
    if !words.iter().any(|w| matches!(*w, "NAME" | "STATUS" | "TYPE" | "REASON" | "CONDITION")) {
        return None;
    }
    let has = |c: &str| words.contains(&c);
    let subject = if has("SIGNERNAME") || has("REQUESTOR") {
        "CertificateSigningRequest csr"
    } else if has("STORAGECLASS") && has("VOLUME") {
        "PersistentVolumeClaim pvc"
    } else if has("RECLAIM") || has("CLAIM") {
        "PersistentVolume pv"
    } else if has("EXTERNAL-IP") {
        "Service"
    } else if has("TARGETS") || has("MINPODS") {
        "HorizontalPodAutoscaler hpa"
    } else if has("ROLES") {
        "Node"
    } else if has("RESTARTS") {
        "Pod"
    } else if has("UP-TO-DATE") {
        "Deployment"
    } else if has("COMPLETIONS") {
        "Job"
    } else {
        ""
    };
    Some(Table { columns: words.iter().map(|w| w.to_string()).collect(), subject })
}

/// The unhealthy cells of a table row: STATUS/CONDITION values, `<pending>`/`<unknown>` cells.
fn table_row(table: &Table, line: &str) -> Option<String> {
    let cells: Vec<&str> = line.split_whitespace().collect();
    let mut found = Vec::new();
    for (i, col) in table.columns.iter().enumerate() {
        let Some(cell) = cells.get(i) else { break };
        let status_col = matches!(col.as_str(), "STATUS" | "CONDITION" | "PHASE");
        if status_col
            && !KNOWLEDGE.healthy_statuses.contains(&cell.to_ascii_lowercase().as_str())
            && !cell.chars().all(|c| c.is_ascii_digit())
        {
            found.push(format!("{} {}", table.subject, cell.replace(',', " ")));
        }
    }
    // `<pending>` external IPs and `<unknown>` HPA targets can sit anywhere in the row.
    for cell in &cells {
        if cell.contains("<pending>")
            || cell.contains("<unknown>")
            || cell.contains("<none>") && table.subject == "Service"
        {
            found.push(format!("{} {}", table.subject, cell));
        }
    }
    (!found.is_empty()).then(|| found.join(" "))
}

/// An event line (`kubectl get events`, describe's Events section): (reason, message, warning?).
fn event(line: &str) -> Option<(&str, String, bool)> {
    static EVENT: OnceLock<Regex> = OnceLock::new();
    // Finding the capture groups is slow; most lines have neither word.
    static WORDS: OnceLock<[memchr::memmem::Finder<'static>; 2]> = OnceLock::new();
    let words = WORDS.get_or_init(|| [memchr::memmem::Finder::new("Warning"), memchr::memmem::Finder::new("Normal")]);
    if words.iter().all(|w| w.find(line.as_bytes()).is_none()) {
        return None;
    }
    let e = re(&EVENT, r"(?:^|\s)(Warning|Normal)\s+([A-Z][A-Za-z]+)\s+(.*)$");
    let caps = e.captures(line)?;
    let reason = caps.get(2)?.as_str();
    let mut rest = caps.get(3)?.as_str();
    // Drop the object (`pod/web-1`), the age (`3m (x5 over 10m)`) and the source (`kubelet`).
    static LEAD: OnceLock<Regex> = OnceLock::new();
    let lead = re(
        &LEAD,
        r"^(?:(?:[a-z.]+/\S+|<invalid>|<unknown>|\d+[smhd][\dsmhd]*(?:\s+\(x\d+ over \S+\))?|default-scheduler|kubelet(?:,\s*\S+)?|\S+-controller(?:-manager)?|node-controller|taint-eviction-controller|cluster-autoscaler|persistentvolume-controller|attachdetach-controller)\s+)+",
    );
    if let Some(m) = lead.find(rest) {
        rest = &rest[m.end()..];
    }
    let warning = caps.get(1)?.as_str() == "Warning";
    Some((reason, rest.to_string(), warning))
}

/// `Key` of a `Key: value` line: words, spaces and dashes only (not a URL or a timestamp).
fn is_field_key(key: &str) -> bool {
    !key.is_empty() && key.len() < 30 && key.chars().all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
}

/// Fields of `kubectl describe` and of `-o yaml`/`-o json` objects that carry state: reasons,
/// exit codes, a Terminating or Failed status, deletion, taints.
fn describe_field(line: &str, subject: &str) -> Option<String> {
    let (key, value) = line.split_once(':')?;
    let key = key.trim().trim_matches('"');
    // Lower-cased on the stack: this runs on most lines of a paste. No key below is longer
    // than "deletiontimestamp".
    let mut buf = [0u8; "deletiontimestamp".len()];
    let lower = buf.get_mut(..key.len())?;
    lower.copy_from_slice(key.as_bytes());
    lower.make_ascii_lowercase();
    let lower = std::str::from_utf8(lower).ok()?;
    let value = value.trim().trim_end_matches(',').trim_matches('"');
    match lower {
        "reason" if !value.is_empty() && !KNOWLEDGE.benign_reasons.contains(&value) => Some(format!("Reason {value}")),
        "exit code" | "exitcode" if value != "0" => Some(format!("exit code {value}")),
        "status" | "phase" if value.starts_with("Terminating") || value == "Failed" || value == "Pending" => {
            Some(format!("{subject} Status {value}").trim_start().to_string())
        }
        "message" if !value.is_empty() => Some(value.to_string()),
        "taints" if value.contains("NoSchedule") || value.contains("NoExecute") => Some(format!("taint {value}")),
        "finalizers" if value.len() > 2 && value != "[]" => Some(format!("finalizers {value}")),
        "deletiontimestamp" if !value.is_empty() && value != "null" => {
            Some("deletionTimestamp set, object is being deleted".into())
        }
        _ => None,
    }
}

/// A node condition row of `kubectl describe node` that reports trouble.
fn condition(line: &str) -> Option<String> {
    let mut words = line.split_whitespace();
    let kind = words.next()?;
    let status = words.next()?;
    KNOWLEDGE.condition_check("Node", kind, status)?;
    // Skip the timestamp columns: the reason is the first CamelCase word after them.
    let rest: Vec<&str> = words.skip_while(|w| !is_camel_reason(w)).collect();
    Some(format!("{kind} {status} {}", rest.join(" ")))
}

fn is_camel_reason(word: &str) -> bool {
    word.len() > 5
        && word.starts_with(|c: char| c.is_ascii_uppercase())
        && word.chars().filter(|c| c.is_ascii_uppercase()).count() >= 2
        && word.chars().all(|c| c.is_ascii_alphabetic())
}

fn looks_like_log(line: &str) -> bool {
    log_error(line).is_some()
}

/// Error and warning lines of component logs: klog (`E1124 ...] msg`), logfmt (`level=error
/// msg="..."`), JSON (`"level":"warn"`), CoreDNS (`[ERROR]`), or any line with error words.
fn log_error(line: &str) -> Option<(String, f32)> {
    static WORDS: OnceLock<Regex> = OnceLock::new();
    if let Some(header) = klog_header(line) {
        return klog_error(line, header).map(|(message, weight)| (message.to_string(), weight));
    }
    let lower = line.to_ascii_lowercase();
    if lower.contains("\"level\":\"info\"") || lower.contains("level=info") || lower.starts_with("[info]") {
        return None;
    }
    let words = re(
        &WORDS,
        r"(?i)\b(error|err|fail(ed|ure|ing)?|fatal|panic|denied|forbidden|refused|timed? ?out|unable|cannot|can't|couldn't|exceeded|invalid|not found|unhealthy|back-off|oom|evict\w*|no space|unauthorized|expired|deadline|unreachable|too many|x509|rejected|crash\w*|killed|warn(ing)?)\b",
    );
    words.is_match(line).then(|| (line.to_string(), 0.6))
}

/// The message of a klog error or warning line whose header ends at `header`, and its weight.
fn klog_error(line: &str, header: usize) -> Option<(&str, f32)> {
    let weight = match line.as_bytes().first() {
        Some(b'E' | b'F') => 0.8,
        Some(b'W') => 0.5,
        _ => return None,
    };
    Some((line.get(header..)?, weight))
}

/// Where the message of a klog line (`E1124 10:00:01.123456     812 kubelet.go:2412] msg`)
/// starts: the end of what `^[IWEF]\d{4} [\d:.]+\s+\d+\s+\S+:\d+\]\s*` matches. Every line of
/// a kubelet log goes through here, so ASCII lines are read by hand (the regex was a good part of
/// the time); others are left to the regex, whose `\d` and `\s` are Unicode.
fn klog_header(line: &str) -> Option<usize> {
    static KLOG: OnceLock<Regex> = OnceLock::new();
    if !line.is_ascii() {
        return re(&KLOG, r"^[IWEF]\d{4} [\d:.]+\s+\d+\s+\S+:\d+\]\s*").find(line).map(|m| m.end());
    }
    let b = line.as_bytes();
    // How many bytes from `at` on are in the class.
    fn run(b: &[u8], at: usize, class: impl Fn(u8) -> bool) -> usize {
        b.get(at..).map_or(0, |rest| rest.iter().take_while(|&&c| class(c)).count())
    }
    let digit = |c: u8| c.is_ascii_digit();
    let space = |c: u8| matches!(c, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ');
    if !matches!(b, [b'I' | b'W' | b'E' | b'F', ..]) || run(b, 1, digit) < 4 || b.get(5) != Some(&b' ') {
        return None;
    }
    // `[\d:.]+\s+\d+\s+`: each class excludes the next, so each run is taken whole.
    let mut at = 6;
    let time = run(b, at, |c| digit(c) || c == b':' || c == b'.');
    at += time;
    let gap = run(b, at, space);
    at += gap;
    let thread = run(b, at, digit);
    at += thread;
    let gap2 = run(b, at, space);
    at += gap2;
    if time == 0 || gap == 0 || thread == 0 || gap2 == 0 {
        return None;
    }
    // `\S+:\d+\]`: all within the next word; `\S+` is greedy, so the last `:digits]` in it
    // that leaves `\S+` a byte wins.
    let word = at..at + run(b, at, |c| !space(c));
    let end = (word.start + 1..word.end).rev().filter(|&at| b[at] == b':').find_map(|colon| {
        let digits = run(b, colon + 1, digit);
        (digits > 0 && b.get(colon + 1 + digits) == Some(&b']')).then_some(colon + digits + 2)
    })?;
    Some(end + run(b, end, space))
}

/// Strips what varies between otherwise identical lines: timestamps, UIDs, IPs, hashes, ages.
pub(crate) fn normalize(text: &str) -> String {
    static NOISE: OnceLock<Regex> = OnceLock::new();
    let noise = re(
        &NOISE,
        // ASCII classes and word boundaries (`(?-u)`): these are all ASCII shapes, and ASCII
        // `\b` keeps the fast DFA engines usable on every line of a large paste.
        r#"(?x-u)
        \d{4}-\d\d-\d\d[T\ ][\d:.]+(Z|[+-]\d\d:?\d\d)?      # ISO timestamps
        | \b\d\d:\d\d:\d\d(\.\d+)?\b                          # clock times
        | \b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b   # UIDs
        | \b\d{1,3}(\.\d{1,3}){3}(:\d+)?(/\d+)?\b             # IPv4, with port or prefix
        | \b(sha256:)?[0-9a-f]{12,}\b                          # digests and container ids
        | -[a-z0-9]{8,10}-[a-z0-9]{5}(\b|_)                    # pod name hashes (web-5d9c7b8f4-x2x7z, and
                                                               # web-5d9c7b8f4-x2x7z_shop(uid) in kubelet logs)
        | kube-api-access-[a-z0-9]{5}\b                        # service account token volumes
        | \(x\d+\ over\ (?u:\S+)\)                              # event repeat counts
        | \b\d+(\.\d+)?(ms|us|ns|s|m|h|d)\b                     # durations and ages
        | "ts":"(?u:[^"]*)",?                                   # JSON log timestamps
        "#,
    );
    // `replace_all` with " " (except that the `_` before a pod's namespace and the kind of a
    // token volume, `kube-api-access`, are kept), then runs of whitespace made one space: in
    // one pass, without the intermediate strings.
    let mut normal = Collapsed { text: String::with_capacity(text.len()), gap: false };
    let mut last = 0;
    for m in noise.find_iter(text) {
        normal.push(&text[last..m.start()]);
        let noise = m.as_str();
        normal.push(if noise.starts_with("kube-api-access-") {
            "kube-api-access"
        } else if noise.ends_with('_') {
            " _"
        } else {
            " "
        });
        last = m.end();
    }
    normal.push(&text[last..]);
    normal.text
}

/// Text appended with each run of whitespace made one space, none at either end: what
/// `split_whitespace` joined by spaces gives.
struct Collapsed {
    text: String,
    /// Whitespace was passed since the last word.
    gap: bool,
}

impl Collapsed {
    fn push(&mut self, piece: &str) {
        let bytes = piece.as_bytes();
        let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else { return };
        // Most of a log line is words with one space between: pushed whole, once that is
        // checked (with fast searches, not byte by byte).
        let spaced = first != b' '
            && last != b' '
            && piece.is_ascii()
            && memchr::memchr3(b'\t', b'\n', b'\r', bytes).is_none()
            && memchr::memchr2(0x0B, 0x0C, bytes).is_none()
            && memchr::memmem::find(bytes, b"  ").is_none();
        if spaced {
            self.word(piece);
        } else if piece.is_ascii() {
            // The bytes `char::is_whitespace` accepts among ASCII ones; byte by byte is faster
            // than decoding characters.
            let mut start = 0;
            for (i, c) in bytes.iter().enumerate() {
                if matches!(c, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ') {
                    self.word(&piece[start..i]);
                    self.gap = true;
                    start = i + 1;
                }
            }
            self.word(&piece[start..]);
        } else {
            for (i, word) in piece.split(char::is_whitespace).enumerate() {
                self.gap |= i > 0;
                self.word(word);
            }
        }
    }

    /// Words, or text that is words with one space between.
    fn word(&mut self, word: &str) {
        if word.is_empty() {
            return;
        }
        if self.gap && !self.text.is_empty() {
            self.text.push(' ');
        }
        self.gap = false;
        self.text.push_str(word);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_pod_events_and_state() {
        let paste = "\
Name:         web-5d9c7b8f4-x2x7z
Status:       Running
    State:          Waiting
      Reason:       CrashLoopBackOff
    Last State:     Terminated
      Reason:       OOMKilled
      Exit Code:    137
Events:
  Type     Reason     Age                  From     Message
  ----     ------     ----                 ----     -------
  Normal   Pulled     3m (x5 over 10m)     kubelet  Container image \"nginx\" already present on machine
  Warning  BackOff    2m (x40 over 10m)    kubelet  Back-off restarting failed container web in pod web-5d9c7b8f4-x2x7z_default(0f6c0b8e-8a4e-4a5e-9a55-3b1f0b9f0e11)
";
        let texts: Vec<String> = extract(paste).into_iter().map(|s| s.text).collect();
        assert!(texts.contains(&"Reason CrashLoopBackOff".to_string()), "{texts:?}");
        assert!(texts.contains(&"Reason OOMKilled".to_string()));
        assert!(texts.contains(&"exit code 137".to_string()));
        assert!(
            texts.iter().any(|t| t.starts_with("BackOff Back-off restarting failed container web in pod")),
            "{texts:?}"
        );
        assert!(!texts.iter().any(|t| t.contains("Pulled")));
        assert!(!texts.iter().any(|t| t.contains("0f6c0b8e")));
    }

    #[test]
    fn get_pods_statuses_and_repeats_fold() {
        let paste = "\
NAMESPACE   NAME                     READY   STATUS             RESTARTS      AGE
shop        api-7c9f8d6b5d-abcde     0/1     CrashLoopBackOff   7 (2m ago)    15m
shop        api-7c9f8d6b5d-fghij     0/1     CrashLoopBackOff   7 (3m ago)    15m
shop        db-0                     1/1     Running            0             2d
shop        old-6f7d9c8b4-zzzzz      0/1     Terminating        0             3d
";
        let signals = extract(paste);
        let crash = signals.iter().find(|s| s.text == "Pod CrashLoopBackOff").expect("crashloop");
        assert_eq!(crash.count, 2);
        assert!(signals.iter().any(|s| s.text == "Pod Terminating"));
        assert!(!signals.iter().any(|s| s.text.contains("Running")));
    }

    #[test]
    fn node_conditions_and_klog() {
        let paste = "\
Conditions:
  Type             Status  LastHeartbeatTime                 LastTransitionTime                Reason                       Message
  ----             ------  -----------------                 ------------------                ------                       -------
  MemoryPressure   False   Mon, 24 Nov 2025 10:00:00 +0000   Mon, 24 Nov 2025 09:00:00 +0000   KubeletHasSufficientMemory   kubelet has sufficient memory available
  DiskPressure     True    Mon, 24 Nov 2025 10:00:00 +0000   Mon, 24 Nov 2025 09:50:00 +0000   KubeletHasDiskPressure       kubelet has disk pressure
Nov 24 10:00:01 node-1 kubelet[812]: E1124 10:00:01.123456     812 kubelet.go:2412] \"Error syncing pod, skipping\" err=\"failed to \\\"StartContainer\\\"\"
Nov 24 10:00:02 node-1 kubelet[812]: I1124 10:00:02.000000     812 kubelet.go:100] \"all good\"
";
        let texts: Vec<String> = extract(paste).into_iter().map(|s| s.text).collect();
        assert!(
            texts.iter().any(|t| t.starts_with("DiskPressure True") && t.contains("KubeletHasDiskPressure")),
            "{texts:?}"
        );
        assert!(!texts.iter().any(|t| t.starts_with("MemoryPressure")));
        assert!(texts.iter().any(|t| t.contains("Error syncing pod")));
        assert!(!texts.iter().any(|t| t.contains("all good")));
    }

    #[test]
    fn kubelet_pod_hashes_and_token_volumes_fold() {
        let paste = "\
E1201 10:00:01.000001    1234 pod_workers.go:1298] \"Error syncing pod, skipping\" err=\"failed to \\\"StartContainer\\\" for \\\"app\\\" with CrashLoopBackOff: \\\"back-off 5m0s restarting failed container=app pod=web-5d9c7b8f4-lkj99_shop(uid)\\\"\" pod=\"shop/web-5d9c7b8f4-lkj99\"
E1201 10:00:02.000002    1234 pod_workers.go:1298] \"Error syncing pod, skipping\" err=\"failed to \\\"StartContainer\\\" for \\\"app\\\" with CrashLoopBackOff: \\\"back-off 5m0s restarting failed container=app pod=web-6f7d9c8b4d-gkg6b_shop(uid)\\\"\" pod=\"shop/web-6f7d9c8b4d-gkg6b\"
E1201 10:00:03.000003    1234 nestedpendingoperations.go:348] MountVolume.SetUp failed for volume \"kube-api-access-x7k2p\" : object \"shop\"/\"kube-root-ca.crt\" not registered
E1201 10:00:04.000004    1234 nestedpendingoperations.go:348] MountVolume.SetUp failed for volume \"kube-api-access-dhc2b\" : object \"shop\"/\"kube-root-ca.crt\" not registered
";
        let signals = extract(paste);
        let texts: Vec<&str> = signals.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(signals.len(), 2, "{texts:?}");
        assert_eq!((signals[0].count, signals[1].count), (2, 2));
        // The namespace stays, after the `_` that joined it to the pod name.
        assert!(texts[0].contains("pod=web _shop(uid)") && !texts[0].contains("lkj99"), "{texts:?}");
        assert!(texts[1].contains("volume \"kube-api-access\" :"), "{texts:?}");
        // A word that merely contains the shape is left alone.
        assert_eq!(
            normalize("kube-api-access-x7k2pq web-5d9c7b8f4-lkj99x_y"),
            "kube-api-access-x7k2pq web-5d9c7b8f4-lkj99x_y"
        );
    }

    #[test]
    fn no_condition_type_looks_like_a_klog_header() {
        // `Extractor::line` sends klog lines (`E1124 ...`) past `condition` because of this.
        for check in KNOWLEDGE.condition_checks {
            for t in check.types {
                let mut chars = t.chars();
                let klog =
                    matches!(chars.next(), Some('I' | 'W' | 'E' | 'F')) && chars.next().is_some_and(char::is_numeric);
                assert!(!klog, "condition type {t}");
            }
        }
    }

    #[test]
    fn lines_pushed_one_by_one_give_what_the_whole_text_gives() {
        // The subject of a describe paste comes from its first lines, held until there are
        // enough: a paste shorter than that, and one whose telling fields are just past it.
        let fields = "Access Modes: RWO\nStorageClass: standard\nStatus: Pending\n";
        for filler in [0, SUBJECT_LINES - 2, SUBJECT_LINES - 1, SUBJECT_LINES + 5] {
            let paste = format!("{}{fields}", "filler\n".repeat(filler));
            let mut lines = LineExtractor::default();
            paste.lines().for_each(|l| lines.push(l));
            assert_eq!(lines.count(), filler + 3);
            let (streamed, whole) = (lines.finish(), extract(&paste));
            assert_eq!(streamed, whole, "{filler} filler lines");
            let pvc = whole.iter().any(|s| s.text == "PersistentVolumeClaim pvc Status Pending");
            // Access Modes and StorageClass both among the first lines make it a PVC.
            assert_eq!(pvc, filler + 2 <= SUBJECT_LINES, "{filler} filler lines: {whole:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { cases: 2000, ..Default::default() })]

        /// The klog header read by hand ends where the regex it stands for says.
        #[test]
        fn klog_header_is_the_regex(
            line in r"[IWEF][0-9]{3,5}[ 0-9][0-9:.]{0,4}[ \t\x0b]{0,2}[0-9]{0,3}[ \r]{0,2}[a-z.:0-9\]]{0,12}[ \t]{0,2}[a-z :]{0,4}",
            tail in r"\PC{0,6}",
        ) {
            let klog = Regex::new(r"^[IWEF]\d{4} [\d:.]+\s+\d+\s+\S+:\d+\]\s*").unwrap();
            for line in [line.clone(), format!("{line}{tail}")] {
                proptest::prop_assert_eq!(klog_header(&line), klog.find(&line).map(|m| m.end()), "{:?}", line);
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { cases: 200, ..Default::default() })]

        /// Lines that differ only in a pod's generated name or a token volume's suffix are one signal.
        #[test]
        fn generated_names_fold(
            hashes in proptest::collection::vec(("[a-z0-9]{8,10}", "[a-z0-9]{5}", "[a-z0-9]{5}"), 1..20),
            ns in "[a-z][a-z0-9-]{0,12}",
        ) {
            let paste: String = hashes
                .iter()
                .map(|(hash, pod, volume)| {
                    format!(
                        "E1201 10:00:01.000001 1 pod_workers.go:1298] \"Error syncing pod, skipping\" \
                         err=\"back-off 5m0s restarting failed container=app pod=web-{hash}-{pod}_{ns}(uid)\" \
                         volume=\"kube-api-access-{volume}\"\n"
                    )
                })
                .collect();
            let signals = extract(&paste);
            proptest::prop_assert_eq!(signals.len(), 1, "{:?}", signals);
            proptest::prop_assert_eq!(signals[0].count, hashes.len());
        }
    }
}
