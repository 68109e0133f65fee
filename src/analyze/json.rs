//! JSON inputs, read one object at a time: an object, a list (`"items"`), a top-level array, or
//! a stream of any of them. A list's items are handed over one by one as they are parsed, so a
//! 100 MB `kubectl get -A -o json` is never held as a tree.
//!
//! Recovery is per object: a value that does not parse is skipped up to the next line that
//! starts a value, and a list or array that does not parse whole is read item by item, keeping
//! every item that parses. Every skip is reported with its byte position.

use std::fmt;
use std::io::{BufReader, Read, Seek, SeekFrom};

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// What the reader hands over.
pub(super) enum Item {
    /// One object (never a list).
    Object(Value),
    /// A list of this kind (`Secret` for a `SecretList`) with no items.
    EmptyList(String),
}

pub(super) type Sink<'a> = dyn FnMut(Item) + 'a;

/// Whether the first value of `bytes` is a Kubernetes object or list (rather than a JSON log
/// record): it has a top-level `kind`, `apiVersion` or `items`; for an array, its first element
/// does (or it is empty). Only what comes before the answer is read: the keys of a 100 MB list
/// come first, its items are never scanned here.
pub(super) fn looks_like_objects(bytes: &[u8]) -> bool {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    match Probe.deserialize(&mut de) {
        Ok(found) => found,
        Err(err) if err.to_string().starts_with(FOUND) => true,
        Err(err) if err.to_string().starts_with(NOT_FOUND) => false,
        // Broken JSON is still read as JSON (and its breakage reported).
        Err(err) => err.is_syntax() || err.is_eof(),
    }
}

/// Whether `head`, the start of an input, surely begins with a Kubernetes object or list: a
/// top-level key of [`looks_like_objects`] is within it, so that is its answer for the whole
/// input too.
pub(super) fn begins_with_object(head: &[u8]) -> bool {
    head.first() == Some(&b'{') && {
        let mut de = serde_json::Deserializer::from_slice(head);
        matches!(Probe.deserialize(&mut de), Err(err) if err.to_string().starts_with(FOUND))
    }
}

/// The early answer of [`Probe`], as an error so the rest of the value is not read.
const FOUND: &str = "k8sdoc: a Kubernetes key";
/// The early "no" of an array whose first element is not an object.
const NOT_FOUND: &str = "k8sdoc: no Kubernetes key";

struct Probe;

impl<'de> DeserializeSeed<'de> for Probe {
    type Value = bool;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Probe {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while let Some(key) = map.next_key::<std::borrow::Cow<str>>()? {
            if matches!(&*key, "kind" | "apiVersion" | "items") {
                return Err(serde::de::Error::custom(FOUND));
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(false)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        // An empty array holds no logs either; else its first element decides.
        match seq.next_element_seed(Probe)? {
            None => Ok(true),
            Some(true) => Err(serde::de::Error::custom(FOUND)),
            Some(false) => Err(serde::de::Error::custom(NOT_FOUND)),
        }
    }

    fn visit_bool<E>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_i64<E>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_u64<E>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_f64<E>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_str<E>(self, _: &str) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_unit<E>(self) -> Result<bool, E> {
        Ok(false)
    }
}

/// Reads every object of `bytes` into `sink`; what could not be read goes to `problems`.
pub(super) fn read(bytes: &[u8], name: &str, problems: &mut Vec<String>, sink: &mut Sink) {
    let mut pos = 0;
    loop {
        pos = skip_space(bytes, pos);
        if pos >= bytes.len() {
            break;
        }
        if bytes[pos] == b'[' {
            pos = read_items(bytes, pos + 1, name, 0, problems, sink);
            continue;
        }
        let mut stream = serde_json::Deserializer::from_slice(&bytes[pos..]).into_iter::<&RawValue>();
        match stream.next() {
            None => break,
            Some(Ok(raw)) => {
                deliver(raw.get(), sink);
                pos += stream.byte_offset();
            }
            Some(Err(err)) => {
                let next = next_value_start(bytes, pos + 1);
                let items = items_array(&bytes[pos..next]).map(|at| pos + at);
                match items {
                    // A list with an odd or cut-off item: read what can be read of it.
                    Some(open) => {
                        read_items(&bytes[..next], open, name, 0, problems, sink);
                    }
                    None if next < bytes.len() => problems.push(format!(
                        "{name}: byte {}: {err}; skipped this value (up to byte {})",
                        pos + 1,
                        next
                    )),
                    None => problems.push(format!("{name}: byte {}: {err}", pos + 1)),
                }
                pos = next;
            }
        }
    }
}

/// Where each value of `bytes` ends (byte offsets) if it is nothing but well-formed objects
/// (JSON values that start with `{`) in valid UTF-8; `None` if it holds anything else: then
/// it is read by [`read`], with its recovery and reports.
pub(super) fn object_ends(bytes: &[u8]) -> Option<Vec<u64>> {
    std::str::from_utf8(bytes).ok()?;
    let mut ends = Vec::new();
    let mut stream = serde_json::Deserializer::from_slice(bytes).into_iter::<WholeObject>();
    while let Some(value) = stream.next() {
        value.ok()?;
        ends.push(stream.byte_offset() as u64);
    }
    (!ends.is_empty()).then_some(ends)
}

/// Reads every object of a file that [`object_ends`] found well-formed, value by value from
/// disk, handing them over as [`read`] does for the same bytes in memory.
pub(super) fn read_objects(file: &mut std::fs::File, ends: &[u64], sink: &mut Sink) -> std::io::Result<()> {
    let mut start = 0;
    for &end in ends {
        file.seek(SeekFrom::Start(start))?;
        let len = end - start;
        let value = BufReader::with_capacity(len.min(1 << 16) as usize, Read::take(&mut *file, len));
        let mut de = serde_json::Deserializer::from_reader(value);
        // As in `deliver`, this cannot fail but on depth (or if the file changed since).
        let _ = TopLevel { sink: &mut *sink }.deserialize(&mut de);
        start = end;
    }
    Ok(())
}

/// One JSON object, its content ignored: what [`object_ends`] accepts.
struct WholeObject;

impl<'de> Deserialize<'de> for WholeObject {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<WholeObject, D::Error> {
        d.deserialize_any(WholeObject)
    }
}

impl<'de> Visitor<'de> for WholeObject {
    type Value = WholeObject;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<WholeObject, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(WholeObject)
    }
}

/// Hands over one well-formed value: its items one by one if it is a list, else itself.
fn deliver(raw: &str, sink: &mut Sink) {
    let mut de = serde_json::Deserializer::from_str(raw);
    // The value is well-formed (it parsed as a RawValue), so this cannot fail but on depth.
    let _ = TopLevel { sink }.deserialize(&mut de);
}

/// A top-level object: fields other than `items` are kept; items are handed over as parsed.
struct TopLevel<'s, 'a> {
    sink: &'s mut Sink<'a>,
}

impl<'de> DeserializeSeed<'de> for TopLevel<'_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopLevel<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Kubernetes object or list")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut fields = Map::new();
        let mut list: Option<(usize, Vec<Value>, Option<Value>)> = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == "items" && list.is_none() {
                let mut items = Items { sink: &mut *self.sink, count: 0, kindless: Vec::new(), not_array: None };
                map.next_value_seed(&mut items)?;
                list = Some((items.count, items.kindless, items.not_array));
            } else {
                let value: Value = map.next_value()?;
                fields.insert(key, value);
            }
        }
        let Some((count, kindless, not_array)) = list else {
            (self.sink)(Item::Object(Value::Object(fields)));
            return Ok(());
        };
        if let Some(odd) = not_array {
            fields.insert("items".into(), odd);
            (self.sink)(Item::Object(Value::Object(fields)));
            return Ok(());
        }
        let item_kind =
            fields.get("kind").and_then(Value::as_str).and_then(|k| k.strip_suffix("List")).filter(|k| !k.is_empty());
        for mut item in kindless {
            if let (Some(kind), Some(obj)) = (item_kind, item.as_object_mut()) {
                obj.insert("kind".into(), Value::String(kind.to_string()));
            }
            (self.sink)(Item::Object(item));
        }
        if count == 0 {
            if let Some(kind) = item_kind {
                (self.sink)(Item::EmptyList(kind.to_string()));
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(item) = seq.next_element::<Value>()? {
            (self.sink)(Item::Object(item));
        }
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
}

/// A list's `items`: each handed over as it is parsed; items without a `kind` wait for the
/// list's kind (it may come after the items, as kubectl writes it).
struct Items<'s, 'a> {
    sink: &'s mut Sink<'a>,
    count: usize,
    kindless: Vec<Value>,
    /// `items` that is not an array: the object is not a list after all.
    not_array: Option<Value>,
}

impl<'de> DeserializeSeed<'de> for &mut Items<'_, '_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for &mut Items<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(item) = seq.next_element::<Value>()? {
            self.count += 1;
            if item.get("kind").is_some() {
                (self.sink)(Item::Object(item));
            } else {
                self.kindless.push(item);
            }
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        self.not_array = Some(Value::deserialize(serde::de::value::MapAccessDeserializer::new(map))?);
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.not_array = Some(Value::String(v.to_string()));
        Ok(())
    }
    fn visit_bool<E>(self, v: bool) -> Result<(), E> {
        self.not_array = Some(Value::Bool(v));
        Ok(())
    }
    fn visit_i64<E>(self, v: i64) -> Result<(), E> {
        self.not_array = Some(Value::from(v));
        Ok(())
    }
    fn visit_u64<E>(self, v: u64) -> Result<(), E> {
        self.not_array = Some(Value::from(v));
        Ok(())
    }
    fn visit_f64<E>(self, v: f64) -> Result<(), E> {
        self.not_array = Some(Value::from(v));
        Ok(())
    }
}

fn skip_space(bytes: &[u8], mut pos: usize) -> usize {
    while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
        pos += 1;
    }
    pos
}

/// Where the next top-level value of a stream plausibly starts after a broken one: the next
/// line whose first non-blank character opens an object or array (kubectl writes each value
/// from the start of a line). The end of the input if there is none.
fn next_value_start(bytes: &[u8], from: usize) -> usize {
    let mut at = from;
    while let Some(nl) = memchr::memchr(b'\n', bytes.get(at..).unwrap_or_default()) {
        let line = at + nl + 1;
        if matches!(bytes.get(line), Some(b'{' | b'[')) {
            return line;
        }
        at = line;
    }
    bytes.len()
}

/// Just past the `[` of a list's `"items"` array, if `value` has one.
fn items_array(value: &[u8]) -> Option<usize> {
    let key = memchr::memmem::find(value, b"\"items\"")?;
    value[key..].iter().position(|&b| b == b'[').map(|p| key + p + 1)
}

/// Reads an array's items one at a time from `open` (just past its `[`), handing over every
/// item that parses; returns the position after the array (or the end of the input).
fn read_items(
    bytes: &[u8],
    open: usize,
    name: &str,
    mut index: usize,
    problems: &mut Vec<String>,
    sink: &mut Sink,
) -> usize {
    let mut pos = open;
    loop {
        while pos < bytes.len() && (bytes[pos].is_ascii_whitespace() || bytes[pos] == b',') {
            pos += 1;
        }
        if pos >= bytes.len() {
            problems
                .push(format!("{name}: byte {pos}: input ends inside the items list (truncated); read {index} items"));
            return pos;
        }
        if bytes[pos] == b']' {
            return pos + 1;
        }
        let mut stream = serde_json::Deserializer::from_slice(&bytes[pos..]).into_iter::<&RawValue>();
        match stream.next() {
            Some(Ok(raw)) => {
                match serde_json::from_str::<Value>(raw.get()) {
                    Ok(v) if v.is_object() => sink(Item::Object(v)),
                    Ok(_) => problems.push(format!("{name}: byte {}: item {index} skipped: not an object", pos + 1)),
                    Err(err) => problems.push(format!("{name}: byte {}: item {index} skipped: {err}", pos + 1)),
                }
                pos += stream.byte_offset();
                index += 1;
            }
            _ => {
                problems
                    .push(format!("{name}: byte {}: item {index} is cut off (truncated); read {index} items", pos + 1));
                return bytes.len();
            }
        }
    }
}
