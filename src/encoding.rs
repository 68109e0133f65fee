//! Text from files and pipes, whatever its encoding: a UTF-8 byte-order mark is dropped, UTF-16
//! (PowerShell's `>` writes UTF-16LE with a BOM) is decoded, and invalid UTF-8 is read lossily
//! with the place of the first bad byte, so the caller can say where.

use std::borrow::Cow;
use std::io::{self, Read};

/// Decoded text, and where decoding was lossy.
#[derive(Debug)]
pub(crate) struct Decoded<'a> {
    pub text: Cow<'a, str>,
    /// The first invalid byte: (byte offset, 1-based line), when any byte was replaced.
    pub invalid_at: Option<(usize, usize)>,
    /// The encoding, when it was not plain UTF-8 ("UTF-8 with BOM", "UTF-16LE", "UTF-16BE").
    pub encoding: Option<&'static str>,
}

pub(crate) fn decode(bytes: &[u8]) -> Decoded<'_> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return Decoded { encoding: Some("UTF-8 with BOM"), ..utf8(rest) };
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, u16::from_le_bytes, "UTF-16LE");
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, u16::from_be_bytes, "UTF-16BE");
    }
    utf8(bytes)
}

/// How much text [`read_lines`] reads before it hands the complete lines on.
const CHUNK: usize = 1 << 20;

/// Reads text as [`decode`] would, without holding it whole: `each` gets the decoded text in
/// pieces that end at a line end (`\n`), the last one at the end of the input, so `piece.lines()`
/// over the pieces gives the lines of the whole text. Invalid UTF-8 is replaced piece by piece,
/// which is the same as replacing it in the whole: a newline ends any invalid sequence. UTF-16
/// is rare and decoded whole. Returns how many bytes were read.
pub(crate) fn read_lines(reader: &mut dyn Read, each: &mut dyn FnMut(&str)) -> io::Result<u64> {
    let mut buf = vec![0; CHUNK];
    // `buf[..filled]` holds what was read and not yet handed on.
    let mut filled = 0;
    let mut total = 0u64;
    // The byte-order mark decides the encoding: read until it can be told (three bytes) or
    // the input ends.
    while filled < 3 {
        match read(reader, &mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    total += filled as u64;
    if buf[..filled].starts_with(b"\xFF\xFE") || buf[..filled].starts_with(b"\xFE\xFF") {
        buf.truncate(filled);
        total += reader.read_to_end(&mut buf)? as u64;
        each(&decode(&buf).text);
        return Ok(total);
    }
    let mut start = if buf[..filled].starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    loop {
        if let Some(end) = memchr::memrchr(b'\n', &buf[start..filled]).map(|i| start + i + 1) {
            each(&lossy(&buf[start..end]));
            buf.copy_within(end..filled, 0);
            filled -= end;
            start = 0;
        }
        if filled == buf.len() {
            // A line longer than the buffer: make room for the rest of it.
            buf.resize(2 * buf.len(), 0);
        }
        match read(reader, &mut buf[filled..])? {
            0 => break,
            n => {
                filled += n;
                total += n as u64;
            }
        }
    }
    if filled > start {
        each(&lossy(&buf[start..filled]));
    }
    Ok(total)
}

/// Valid UTF-8 is checked much faster than `from_utf8_lossy` walks it.
fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// One `read`, retried when a signal interrupted it; 0 at the end of the input.
fn read(reader: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match reader.read(buf) {
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

fn utf8(bytes: &[u8]) -> Decoded<'_> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Decoded { text: Cow::Borrowed(text), invalid_at: None, encoding: None },
        Err(err) => {
            let offset = err.valid_up_to();
            let line = 1 + memchr::memchr_iter(b'\n', &bytes[..offset]).count();
            Decoded { text: String::from_utf8_lossy(bytes), invalid_at: Some((offset, line)), encoding: None }
        }
    }
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16, name: &'static str) -> Decoded<'static> {
    let units = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]]));
    let mut text = String::with_capacity(bytes.len() / 2);
    let mut invalid_at = None;
    let mut line = 1;
    for (i, c) in char::decode_utf16(units).enumerate() {
        match c {
            Ok(c) => {
                if c == '\n' {
                    line += 1;
                }
                text.push(c);
            }
            Err(_) => {
                invalid_at.get_or_insert((2 + 2 * i, line));
                text.push(char::REPLACEMENT_CHARACTER);
            }
        }
    }
    if bytes.len() % 2 == 1 {
        invalid_at.get_or_insert((1 + bytes.len(), line));
        text.push(char::REPLACEMENT_CHARACTER);
    }
    Decoded { text: Cow::Owned(text), invalid_at, encoding: Some(name) }
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn boms_and_utf16() {
        assert_eq!(decode(b"\xEF\xBB\xBF### Scenario").text, "### Scenario");
        let le: Vec<u8> = [0xFF, 0xFE].into_iter().chain("a\nb".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        let d = decode(&le);
        assert_eq!((d.text.as_ref(), d.encoding), ("a\nb", Some("UTF-16LE")));
        let be: Vec<u8> = [0xFE, 0xFF].into_iter().chain("é".encode_utf16().flat_map(u16::to_be_bytes)).collect();
        assert_eq!(decode(&be).text, "é");
        assert!(decode(&le[..le.len() - 1]).invalid_at.is_some());
    }

    #[test]
    fn invalid_utf8_names_the_place() {
        let d = decode(b"ok\nbad \xFF here");
        assert_eq!(d.invalid_at, Some((7, 2)));
        assert!(d.text.contains('\u{FFFD}'));
        assert_eq!(decode(b"plain").invalid_at, None);
    }
}
