//! The rule set's part of the index file: symptoms, patterns with their literal prefixes and
//! suffixes, the start table and synonyms, so a cached index skips YAML and regex parsing.
//!
//! ```text
//! symptoms count × (id str, description str, covers strs, scenarios count × u32, origin u8, weight f32)
//! patterns count × (source str, symptom count, prefixes range, suffixes range)
//! literals literal set (prefixes), then literal set (suffixes): count × end u32, byte count, bytes
//! start    count × (two bytes, literal u32), sorted
//! synonyms count × (word str, expansions strs), sorted by word
//! ```
//! A range is `u32::MAX` for none, else start u32 and end u32.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use anyhow::{bail, Context, Result};

use super::codec::{Reader, Writer};
use crate::catalog::model::Origin;
use crate::engine::rules::{LiteralSet, Pattern, RuleSet, Symptom};

pub(super) fn encode(rules: &RuleSet, w: &mut Writer) {
    w.count(rules.symptoms.len());
    for s in &rules.symptoms {
        w.str(&s.id);
        w.str(&s.description);
        w.strs(&s.covers);
        w.count(s.scenarios.len());
        for &n in &s.scenarios {
            w.u32(n);
        }
        w.u8(s.origin as u8);
        w.f32(s.weight);
    }
    w.count(rules.patterns.len());
    for p in &rules.patterns {
        w.str(&p.source);
        w.count(p.symptom);
        encode_range(w, &p.prefixes);
        encode_range(w, &p.suffixes);
    }
    encode_literals(&rules.literals, w);
    encode_literals(&rules.suffixes, w);
    // The start table is stored sorted, so reading it back needs no sort.
    w.count(rules.by_start.len());
    for (key, literal) in &rules.by_start {
        w.buf.extend_from_slice(key);
        w.u32(*literal);
    }
    let mut synonyms: Vec<(&String, &Vec<String>)> = rules.synonyms.iter().collect();
    synonyms.sort();
    w.count(synonyms.len());
    for (k, v) in synonyms {
        w.str(k);
        w.strs(v);
    }
}

pub(super) fn decode(r: &mut Reader) -> Result<RuleSet> {
    let n = r.count()?;
    let mut symptoms = Vec::with_capacity(n.min(1 << 16));
    for _ in 0..n {
        let id = r.str()?.to_string();
        let description = r.str()?.to_string();
        let covers = r.strs()?;
        let count = r.count()?;
        let scenarios = (0..count).map(|_| r.u32()).collect::<Result<Vec<u32>>>()?;
        let origin = Origin::from_u8(r.u8()?);
        let weight = r.f32()?;
        symptoms.push(Symptom { id, description, covers, scenarios, origin, patterns: Vec::new(), weight, file: None });
    }
    let n = r.count()?;
    let mut patterns = Vec::with_capacity(n.min(1 << 16));
    for _ in 0..n {
        let source = r.str()?.to_string();
        let symptom = r.count()?;
        if symptom >= symptoms.len() {
            bail!("index: pattern of unknown symptom {symptom}");
        }
        let prefixes = decode_range(r)?;
        let suffixes = decode_range(r)?;
        // `Symptom::patterns` only feeds `load`; a decoded set keeps its sources once, here.
        patterns.push(Pattern { source, symptom, prefixes, suffixes, compiled: OnceLock::new() });
    }
    let literals = decode_literals(r)?;
    let suffixes = decode_literals(r)?;
    for p in &patterns {
        let fits = |range: &Option<Range<u32>>, set: &LiteralSet| {
            range.as_ref().is_none_or(|r| r.start <= r.end && r.end as usize <= set.len())
        };
        if !fits(&p.prefixes, &literals) || !fits(&p.suffixes, &suffixes) {
            bail!("index: pattern literals out of range");
        }
    }
    let n = r.count()?;
    let table = r.bytes(n.checked_mul(6).context("index: start table too large")?)?;
    let by_start: Vec<([u8; 2], u32)> =
        table.chunks_exact(6).map(|c| ([c[0], c[1]], u32::from_le_bytes([c[2], c[3], c[4], c[5]]))).collect();
    if by_start.iter().any(|&(_, literal)| literal as usize >= literals.len()) {
        bail!("index: start table names a missing literal");
    }
    let n = r.count()?;
    let mut synonyms = HashMap::new();
    for _ in 0..n {
        let k = r.str()?.to_string();
        synonyms.insert(k, r.strs()?);
    }
    Ok(RuleSet::assemble(symptoms, synonyms, patterns, literals, suffixes, by_start))
}

fn encode_literals(set: &LiteralSet, w: &mut Writer) {
    w.count(set.ends.len());
    for &end in &set.ends {
        w.u32(end);
    }
    w.count(set.bytes.len());
    w.buf.extend_from_slice(&set.bytes);
}

fn decode_literals(r: &mut Reader) -> Result<LiteralSet> {
    let count = r.count()?;
    let ends = (0..count).map(|_| r.u32()).collect::<Result<Vec<u32>>>()?;
    let len = r.count()?;
    let bytes = r.bytes(len)?.to_vec();
    // Every literal is at least two bytes and inside the buffer, or `get` could fail.
    let mut previous = 0u32;
    for &end in &ends {
        if end < previous.saturating_add(2) {
            bail!("index: bad literal set");
        }
        previous = end;
    }
    if ends.last().is_some_and(|&e| e as usize != bytes.len()) {
        bail!("index: bad literal set");
    }
    Ok(LiteralSet { bytes, ends })
}

fn encode_range(w: &mut Writer, range: &Option<Range<u32>>) {
    match range {
        None => w.u32(u32::MAX),
        Some(r) => {
            w.u32(r.start);
            w.u32(r.end);
        }
    }
}

fn decode_range(r: &mut Reader) -> Result<Option<Range<u32>>> {
    let start = r.u32()?;
    if start == u32::MAX {
        return Ok(None);
    }
    Ok(Some(start..r.u32()?))
}
