//! Repairs UTF-8 text that was once decoded as Mac Roman and written back as UTF-8.
//!
//! The user's seed document went through that round trip: `🔹` became `üîπ`, `→` became `‚Üí`.
//! Repair works per run of non-ASCII characters: each run is mapped back to the Mac Roman bytes it
//! came from and re-decoded as UTF-8, sequence by sequence, and only sequences that decode to
//! valid UTF-8 are replaced. Genuine accented text (`café`, `naïve`) maps to bytes that are not
//! valid UTF-8 on their own and is left alone. Four-byte emoji often lost their lead byte `0xF0`
//! on the way (it maps to U+F8FF, a private-use character many tools drop); those are restored
//! when the three remaining bytes decode under a `0xF0` lead.

use std::borrow::Cow;

/// Mac Roman code points for bytes 0x80..=0xFF, in order.
const MAC_ROMAN_HIGH: &str = "ÄÅÇÉÑÖÜáàâäãåçéèêëíìîïñóòôöõúùûü†°¢£§•¶ß®©™´¨≠ÆØ∞±≤≥¥µ∂∑∏π∫ªºΩæø¿¡¬√ƒ≈∆«»…\u{a0}ÀÃÕŒœ–—“”‘’÷◊ÿŸ⁄€‹›ﬁﬂ‡·‚„‰ÂÊÁËÈÍÎÏÌÓÔ\u{f8ff}ÒÚÛÙıˆ˜¯˘˙˚¸˝˛ˇ";

/// The Mac Roman byte that decodes to `c`, if `c` is one of the 128 high characters.
fn mac_roman_byte(c: char) -> Option<u8> {
    static TABLE: std::sync::OnceLock<Vec<(char, u8)>> = std::sync::OnceLock::new();
    if c.is_ascii() {
        return None;
    }
    let table = TABLE.get_or_init(|| {
        let mut t: Vec<(char, u8)> = MAC_ROMAN_HIGH.chars().zip(0x80..=0xFF).collect();
        t.sort_unstable();
        t
    });
    table.binary_search_by_key(&c, |&(m, _)| m).ok().map(|i| table[i].1)
}

/// Repairs every mojibake sequence in `text`; returns it borrowed when nothing changed.
pub fn repair(text: &str) -> Cow<'_, str> {
    if text.is_ascii() || !text.chars().any(|c| mac_roman_byte(c).is_some()) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut run: Vec<char> = Vec::new();
    let mut changed = false;
    for c in text.chars() {
        if c.is_ascii() {
            changed |= flush_run(&mut run, &mut out);
            out.push(c);
        } else {
            run.push(c);
        }
    }
    changed |= flush_run(&mut run, &mut out);
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

/// Repairs one run of non-ASCII characters into `out`; returns whether anything changed.
fn flush_run(run: &mut Vec<char>, out: &mut String) -> bool {
    let mut changed = false;
    let mut i = 0;
    while i < run.len() {
        match decode_at(&run[i..]) {
            Some((decoded, used)) => {
                out.push(decoded);
                i += used;
                changed = true;
            }
            None => {
                out.push(run[i]);
                i += 1;
            }
        }
    }
    run.clear();
    changed
}

/// Tries to decode one UTF-8 character from the Mac Roman bytes of the characters at the start
/// of `chars`; returns the character and how many input characters it consumed.
fn decode_at(chars: &[char]) -> Option<(char, usize)> {
    let lead = mac_roman_byte(chars[0])?;
    let width = match lead {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        // A continuation byte first: a four-byte emoji that lost its 0xF0 lead.
        0x80..=0xBF => return decode_headless_emoji(chars),
        _ => return None,
    };
    let bytes = mac_roman_bytes(chars, width)?;
    let decoded = std::str::from_utf8(&bytes).ok()?.chars().next()?;
    Some((decoded, width))
}

fn decode_headless_emoji(chars: &[char]) -> Option<(char, usize)> {
    let tail = mac_roman_bytes(chars, 3)?;
    let bytes = [0xF0, tail[0], tail[1], tail[2]];
    let decoded = std::str::from_utf8(&bytes).ok()?.chars().next()?;
    // Only the emoji planes: anything else is more likely genuine text.
    (u32::from(decoded) >= 0x1F000).then_some((decoded, 3))
}

fn mac_roman_bytes(chars: &[char], width: usize) -> Option<Vec<u8>> {
    if chars.len() < width {
        return None;
    }
    chars[..width].iter().map(|&c| mac_roman_byte(c)).collect()
}

#[cfg(test)]
mod tests {
    use super::repair;

    #[test]
    fn repairs_the_seed_sequences() {
        assert_eq!(repair("\u{f8ff}üîπ Scenario"), "🔹 Scenario");
        assert_eq!(repair("üîπ lost lead"), "🔹 lost lead");
        assert_eq!(repair("a ‚Üí b"), "a → b");
        assert_eq!(repair("‚Äúquoted‚Äù"), "“quoted”");
        assert_eq!(repair("It‚Äôs 1‚Äì2"), "It’s 1–2");
    }

    #[test]
    fn leaves_genuine_text_alone() {
        for text in ["café naïve über", "Zürich – Genève", "plain ascii", "日本語", "→ ✓"] {
            assert_eq!(repair(text), text);
        }
    }
}

#[cfg(test)]
mod table_tests {
    #[test]
    fn table_has_128_characters() {
        assert_eq!(super::MAC_ROMAN_HIGH.chars().count(), 128);
        assert_eq!(super::mac_roman_byte('\u{f8ff}'), Some(0xF0));
        assert_eq!(super::mac_roman_byte('ü'), Some(0x9F));
    }
}
