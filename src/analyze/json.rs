//! JSON inputs, read one object at a time: an object, a list (`"items"`), a top-level array, or
//! a stream of any of them. A list's items are handed over one by one as they are parsed, so a
//! 100 MB `kubectl get -A -o json` is never held as a tree.
//!
//! Recovery is per object: a value that does not parse is skipped up to the next line that
//! starts a value, and a list or array that does not parse whole is read item by item, keeping
//! every item that parses. Every skip is reported with its byte position.

use std::fmt;
use std::io::{Read, Seek, SeekFrom};

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

/// A top-level object of a large file, read but for its items ([`outline`]).
pub(super) struct Outline {
    fields: Map<String, Value>,
    items: OutlineItems,
}

enum OutlineItems {
    /// Not a list.
    None,
    /// Where each item is in the file (start and end offsets).
    At(Vec<(u64, u64)>),
    /// A list whose `items` were not an array (as read), or held none.
    Read(List),
}

/// If `bytes` is nothing but well-formed objects in valid UTF-8 (what [`read`] reads with no
/// report and no recovery): each one's fields but its items, and where its items are, to be
/// parsed one at a time by [`read_outlined`]. `None` for anything else.
pub(super) fn outline(bytes: &[u8]) -> Option<Vec<Outline>> {
    std::str::from_utf8(bytes).ok()?;
    let base = bytes.as_ptr() as usize;
    let at = |raw: &RawValue| {
        let start = (raw.get().as_ptr() as usize - base) as u64;
        (start, start + raw.get().len() as u64)
    };
    let mut outlines = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    loop {
        let (fields, items) = Outliner.deserialize(&mut de).ok()?;
        let items = match items {
            None => OutlineItems::None,
            Some(Ok(raw)) => OutlineItems::At(raw.into_iter().map(at).collect()),
            Some(Err(list)) => OutlineItems::Read(list),
        };
        outlines.push(Outline { fields, items });
        if de.end().is_ok() {
            return Some(outlines);
        }
    }
}

/// Hands over the objects that [`outline`] found, as [`read`] does for the same bytes, each item
/// parsed as its bytes are read from `file`.
pub(super) fn read_outlined(file: &mut std::fs::File, outlines: Vec<Outline>, sink: &mut Sink) -> std::io::Result<()> {
    let mut window = Window::new(file)?;
    let mut nested = Vec::new();
    'values: for Outline { fields, items } in outlines {
        let list = match items {
            OutlineItems::None => None,
            OutlineItems::Read(list) => Some(list),
            OutlineItems::At(places) => {
                let (mut count, mut kindless) = (0, Vec::new());
                for (start, end) in places {
                    // Nested two deep, as an item is in its list: the parse fails at the same
                    // depth as when the list is parsed whole, and then, as there, the rest of
                    // the list is not handed over.
                    nested.clear();
                    nested.extend_from_slice(b"[[");
                    nested.extend_from_slice(window.get(start, end)?);
                    nested.extend_from_slice(b"]]");
                    let mut de = serde_json::Deserializer::from_slice(&nested);
                    match Nested(2).deserialize(&mut de) {
                        Ok(item) => take_item(item, &mut count, &mut kindless, sink),
                        Err(_) => continue 'values,
                    }
                }
                Some((count, kindless, None))
            }
        };
        hand_over(fields, list, sink);
    }
    Ok(())
}

/// A top-level object read as [`TopLevel`] reads it, its items left where they are.
struct Outliner;

type Outlined<'de> = (Map<String, Value>, Option<Result<Vec<&'de RawValue>, List>>);

impl<'de> DeserializeSeed<'de> for Outliner {
    type Value = Outlined<'de>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Outliner {
    type Value = Outlined<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = Map::new();
        let mut items = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == "items" && items.is_none() {
                let mut list = Items { to: ItemsTo::Raw(Vec::new()), count: 0, kindless: Vec::new(), not_array: None };
                map.next_value_seed(&mut list)?;
                items = Some(match list.to {
                    ItemsTo::Raw(raw) if list.not_array.is_none() && !raw.is_empty() => Ok(raw),
                    _ => Err((0, Vec::new(), list.not_array)),
                });
            } else {
                let value: Value = map.next_value()?;
                fields.insert(key, value);
            }
        }
        Ok((fields, items))
    }
}

/// A value inside this many arrays of one element.
struct Nested(usize);

impl<'de> DeserializeSeed<'de> for Nested {
    type Value = Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        if self.0 == 0 {
            return Value::deserialize(d);
        }
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Nested {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let inner = seq.next_element_seed(Nested(self.0 - 1))?;
        inner.ok_or_else(|| serde::de::Error::custom("an empty array"))
    }
}

/// Ranges of a file, in order, through one buffer read ahead in large blocks.
struct Window<'f> {
    file: &'f mut std::fs::File,
    buf: Vec<u8>,
    /// The file offset of `buf[0]`; the file is read up to the end of `buf`.
    at: u64,
}

impl<'f> Window<'f> {
    const BLOCK: u64 = 1 << 20;

    fn new(file: &'f mut std::fs::File) -> std::io::Result<Window<'f>> {
        file.seek(SeekFrom::Start(0))?;
        Ok(Window { file, buf: Vec::new(), at: 0 })
    }

    fn get(&mut self, start: u64, end: u64) -> std::io::Result<&[u8]> {
        let buffered = self.at + self.buf.len() as u64;
        if start < self.at || start > buffered {
            self.file.seek(SeekFrom::Start(start))?;
            self.buf.clear();
            self.at = start;
        }
        if end > self.at + self.buf.len() as u64 {
            self.buf.drain(..(start - self.at) as usize);
            self.at = start;
            let missing = end - (self.at + self.buf.len() as u64);
            Read::take(&mut *self.file, missing.max(Self::BLOCK)).read_to_end(&mut self.buf)?;
            if end > self.at + self.buf.len() as u64 {
                return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the file was cut short"));
            }
        }
        Ok(&self.buf[(start - self.at) as usize..(end - self.at) as usize])
    }
}

/// Hands over one well-formed value: its items one by one if it is a list, else itself.
fn deliver(raw: &str, sink: &mut Sink) {
    let mut de = serde_json::Deserializer::from_str(raw);
    // The value is well-formed (it parsed as a RawValue), so this cannot fail but on depth.
    let _ = TopLevel { sink }.deserialize(&mut de);
}

/// A list's `items` as read: how many, those without a kind, or what `items` held if it was
/// not an array.
type List = (usize, Vec<Value>, Option<Value>);

/// What a top-level object holds, once read: the object itself, or the items of a list that
/// were not handed over as they were parsed (kindless ones, or that it has none).
fn hand_over(mut fields: Map<String, Value>, list: Option<List>, sink: &mut Sink) {
    let Some((count, kindless, not_array)) = list else {
        sink(Item::Object(Value::Object(fields)));
        return;
    };
    if let Some(odd) = not_array {
        fields.insert("items".into(), odd);
        sink(Item::Object(Value::Object(fields)));
        return;
    }
    let item_kind =
        fields.get("kind").and_then(Value::as_str).and_then(|k| k.strip_suffix("List")).filter(|k| !k.is_empty());
    for mut item in kindless {
        if let (Some(kind), Some(obj)) = (item_kind, item.as_object_mut()) {
            obj.insert("kind".into(), Value::String(kind.to_string()));
        }
        sink(Item::Object(item));
    }
    if count == 0 {
        if let Some(kind) = item_kind {
            sink(Item::EmptyList(kind.to_string()));
        }
    }
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
        let mut list: Option<List> = None;
        while let Some(key) = map.next_key::<String>()? {
            if key == "items" && list.is_none() {
                let mut items =
                    Items { to: ItemsTo::Sink(&mut *self.sink), count: 0, kindless: Vec::new(), not_array: None };
                map.next_value_seed(&mut items)?;
                list = Some((items.count, items.kindless, items.not_array));
            } else {
                let value: Value = map.next_value()?;
                fields.insert(key, value);
            }
        }
        hand_over(fields, list, self.sink);
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
struct Items<'s, 'a, 'de> {
    to: ItemsTo<'s, 'a, 'de>,
    count: usize,
    kindless: Vec<Value>,
    /// `items` that is not an array: the object is not a list after all.
    not_array: Option<Value>,
}

/// Where [`Items`] puts each item.
enum ItemsTo<'s, 'a, 'de> {
    /// Parsed, to the sink (or, without a kind, kept for the list's kind).
    Sink(&'s mut Sink<'a>),
    /// Unparsed: where each one is, to be parsed later ([`outline`]).
    Raw(Vec<&'de RawValue>),
}

impl<'de> DeserializeSeed<'de> for &mut Items<'_, '_, 'de> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for &mut Items<'_, '_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        match &mut self.to {
            ItemsTo::Sink(sink) => {
                while let Some(item) = seq.next_element::<Value>()? {
                    take_item(item, &mut self.count, &mut self.kindless, sink);
                }
            }
            ItemsTo::Raw(raw) => {
                while let Some(item) = seq.next_element::<&RawValue>()? {
                    raw.push(item);
                }
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

/// One item of a list: handed over, or kept until the list's kind is known.
fn take_item(item: Value, count: &mut usize, kindless: &mut Vec<Value>, sink: &mut Sink) {
    *count += 1;
    if item.get("kind").is_some() {
        sink(Item::Object(item));
    } else {
        kindless.push(item);
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

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn shown(item: Item) -> String {
        match item {
            Item::Object(v) => v.to_string(),
            Item::EmptyList(kind) => format!("empty {kind}"),
        }
    }

    #[test]
    fn a_file_read_from_disk_hands_over_what_it_does_from_memory() {
        let inputs = [
            // Items without a kind wait for the list's, written after them.
            r#"{"apiVersion":"v1","items":[{"metadata":{"name":"a"}},{"kind":"Pod","metadata":{"name":"b"}}],"kind":"PodList"}"#,
            "{\"kind\":\"SecretList\",\"items\":[]}\n{\"kind\":\"Pod\",\"metadata\":{\"name\":\"c\"}}\n",
            r#"{"kind":"List","items":"odd"}"#,
            r#"{"kind":"ConfigMapList","items":null,"items":[{"kind":"ConfigMap"}]}"#,
            r#"{"kind":"Pod","metadata":{"name":"plain"}}{"kind":"Node"}"#,
        ];
        for input in inputs {
            let mut problems = Vec::new();
            let mut from_memory = Vec::new();
            read(input.as_bytes(), "t", &mut problems, &mut |item| from_memory.push(shown(item)));
            assert!(problems.is_empty(), "{problems:?}");
            let outlines = outline(input.as_bytes()).expect(input);
            let mut file = tempfile::tempfile().unwrap();
            file.write_all(input.as_bytes()).unwrap();
            let mut from_disk = Vec::new();
            read_outlined(&mut file, outlines, &mut |item| from_disk.push(shown(item))).unwrap();
            assert_eq!(from_memory, from_disk, "{input}");
        }
        for other in ["[{\"kind\":\"Pod\"}]", "{\"kind\":\"Pod\"} 5", "{\"kind\":\"Pod\"", "\"text\""] {
            assert!(outline(other.as_bytes()).is_none(), "{other}: read from memory, with its reports");
        }
    }
}
