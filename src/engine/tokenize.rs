//! Kubernetes-aware tokens for text relevance.
//!
//! `DiskPressure` is also `disk` + `pressure`, `CrashLoopBackOff` also `crash loop back off`,
//! `--hostname-override` stays whole and also splits; `x509`, `10250` and `minAvailable` are kept
//! whole. Every token is lowercased and lightly stemmed so `terminating`, `terminated` and
//! `termination` meet.

/// One token: the stemmed form used for matching, and the surface word it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub term: String,
    pub word: String,
}

/// Words too common in this domain to carry meaning on their own.
const STOP: &[&str] = &[
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "with", "is", "are", "was", "were", "be", "been",
    "it", "its", "this", "that", "by", "at", "as", "from", "but", "not", "no", "after", "before", "into", "than",
    "then", "so", "we", "our", "i", "my", "me", "you", "your", "they", "them", "their", "has", "have", "had", "do",
    "does", "did", "can", "could", "will", "would", "should", "all", "any", "some", "when", "what", "which", "who",
    "how", "why", "there", "here", "up", "out", "over", "about", "just", "also", "only", "very", "get", "got", "see",
    "saw", "seen", "still", "keep", "keeps", "kept", "e", "g", "eg", "ie", "etc", "via", "one", "two", "s", "t",
];

pub(crate) fn is_stop(word: &str) -> bool {
    STOP.contains(&word)
}

/// Splits `text` into tokens (whole words plus their CamelCase and `-./_` parts).
pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    for_each_token(text, |token| out.push(token));
    out
}

/// The tokens of `text`, one at a time: indexing a scenario with a very long body holds only
/// its distinct terms, never every token at once.
pub(crate) fn for_each_token(text: &str, mut f: impl FnMut(Token)) {
    let mut emit = |word: &str, drop_stop: bool| {
        if word.len() < 2 || (drop_stop && is_stop(word)) {
            return;
        }
        f(Token { term: stem(word), word: word.to_string() });
    };
    for raw in text.split(|c: char| !(c.is_alphanumeric() || matches!(c, '-' | '.' | '_' | '/'))) {
        let raw = raw.trim_matches(|c: char| matches!(c, '.' | '_' | '/'));
        let raw = raw.trim_end_matches('-');
        if raw.is_empty() {
            continue;
        }
        let flag = raw.starts_with("--");
        let core = raw.trim_start_matches('-');
        if core.is_empty() {
            continue;
        }
        let parts = split_parts(core);
        let whole = core.to_lowercase();
        if flag {
            emit(&format!("--{whole}"), false);
        }
        if parts.len() > 1 {
            emit(&whole, false);
        }
        for part in parts {
            emit(&part.to_lowercase(), true);
        }
    }
}

/// Parts of a word: split at `-./_` and at CamelCase boundaries (`OOMKilled` -> `OOM`, `Killed`).
/// Letter-digit boundaries do not split, so `x509` and `k8s` stay whole.
fn split_parts(word: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    for piece in word.split(['-', '.', '_', '/']).filter(|p| !p.is_empty()) {
        let chars: Vec<(usize, char)> = piece.char_indices().collect();
        let mut start = 0;
        for i in 1..chars.len() {
            let (pos, c) = chars[i];
            let prev = chars[i - 1].1;
            let next_lower = chars.get(i + 1).is_some_and(|(_, n)| n.is_lowercase());
            let boundary = c.is_uppercase() && (prev.is_lowercase() || (prev.is_uppercase() && next_lower));
            if boundary {
                parts.push(&piece[start..pos]);
                start = pos;
            }
        }
        parts.push(&piece[start..]);
    }
    parts
}

/// Suffixes stripped by [`stem`], longest first; one is stripped at most.
const SUFFIXES: &[&str] = &[
    "ations", "ation", "ating", "ated", "ates", "ate", "ions", "ion", "ings", "ing", "ures", "ure", "ers", "er", "ed",
    "es", "ly", "s", "e",
];

/// A light stemmer: strips one common suffix, keeping at least four characters. Words with
/// digits (`x509`, `10250`, `v1beta1`) are left whole.
pub(crate) fn stem(word: &str) -> String {
    if word.len() <= 4 || word.bytes().any(|b| b.is_ascii_digit()) || word.starts_with("--") {
        return word.to_string();
    }
    for suffix in SUFFIXES {
        if let Some(base) = word.strip_suffix(suffix) {
            if base.chars().count() >= 4 {
                return base.to_string();
            }
        }
    }
    word.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        tokenize(text).into_iter().map(|t| t.term).collect()
    }

    #[test]
    fn camel_case_splits_and_stays_whole() {
        let expect = |text: &str, words: &[&str]| {
            let want: Vec<String> = words.iter().map(|w| stem(w)).collect();
            assert_eq!(terms(text), want, "{text}");
        };
        expect("DiskPressure", &["diskpressure", "disk", "pressure"]);
        expect("CrashLoopBackOff", &["crashloopbackoff", "crash", "loop", "back", "off"]);
        expect("OOMKilled", &["oomkilled", "oom", "killed"]);
        expect("minAvailable", &["minavailable", "min", "available"]);
    }

    #[test]
    fn flags_ports_and_x509_stay_whole() {
        let flag = terms("--hostname-override");
        assert_eq!(flag[0], "--hostname-override");
        assert!(flag.contains(&stem("hostname")) && flag.contains(&stem("override")));
        assert_eq!(terms("x509: 10250"), ["x509", "10250"]);
    }

    #[test]
    fn stems_meet() {
        for group in [["terminating", "terminated", "termination"], ["evicted", "eviction", "evicting"]] {
            let stems: Vec<String> = group.iter().map(|w| stem(w)).collect();
            assert!(stems.windows(2).all(|w| w[0] == w[1]), "{stems:?}");
        }
        assert_eq!(stem("terminate"), stem("terminating"));
    }
}
