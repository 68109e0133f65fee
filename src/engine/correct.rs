//! Typo correction: a typed word the catalog does not know becomes its nearest catalog word.

use super::store::IndexView;

/// The catalog word closest to `word` (one edit for short words, two for long ones; an edit is
/// an insertion, deletion, substitution or adjacent transposition), the most common one on
/// ties; `None` when `word` is known or nothing is close.
pub(crate) fn correct<'a>(index: &IndexView<'a>, word: &str) -> Option<&'a str> {
    if word.len() < 4 || !word.bytes().all(|b| b.is_ascii_lowercase()) || index.knows_word(word) {
        return None;
    }
    let max = if word.len() >= 8 { 2 } else { 1 };
    let mut best: Option<(usize, std::cmp::Reverse<u32>, &'a str)> = None;
    for (candidate, df) in index.vocabulary() {
        if candidate.len().abs_diff(word.len()) > max || !candidate.iter().all(|b| b.is_ascii_lowercase()) {
            continue;
        }
        // ASCII lowercase, so valid UTF-8.
        let Ok(candidate) = std::str::from_utf8(candidate) else { continue };
        let d = strsim::osa_distance(word, candidate);
        if d > max {
            continue;
        }
        let key = (d, std::cmp::Reverse(df), candidate);
        if best.is_none_or(|b| key < b) {
            best = Some(key);
        }
    }
    best.map(|(_, _, w)| w)
}

#[cfg(test)]
mod tests {
    #[test]
    fn transpositions_count_as_one_edit() {
        assert_eq!(strsim::osa_distance("terminting", "terminating"), 1);
        assert_eq!(strsim::osa_distance("etdc", "etcd"), 1);
        assert_eq!(strsim::osa_distance("presure", "pressure"), 1);
    }
}
