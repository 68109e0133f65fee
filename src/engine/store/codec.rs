//! Little-endian byte writer and bounds-checked reader for the on-disk index.
//!
//! Every read checks its bounds, so a truncated or corrupt file is an error, never a panic.

use anyhow::{bail, Result};

#[derive(Default)]
pub(super) struct Writer {
    pub(super) buf: Vec<u8>,
}

impl Writer {
    pub(super) fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }
    pub(super) fn u32(&mut self, v: u32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub(super) fn u64(&mut self, v: u64) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub(super) fn f32(&mut self, v: f32) {
        self.buf.extend_from_slice(&v.to_le_bytes());
    }
    pub(super) fn count(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }
    pub(super) fn str(&mut self, s: &str) {
        self.count(s.len());
        self.buf.extend_from_slice(s.as_bytes());
    }
    pub(super) fn strs(&mut self, items: &[String]) {
        self.count(items.len());
        for s in items {
            self.str(s);
        }
    }
}

#[derive(Clone, Copy)]
pub(super) struct Reader<'a> {
    pub(super) buf: &'a [u8],
    pub(super) pos: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, pos: 0 }
    }

    pub(super) fn bytes(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        let Some(end) = end else { bail!("index truncated at byte {}", self.pos) };
        let out = &self.buf[self.pos..end];
        self.pos = end;
        Ok(out)
    }
    pub(super) fn u8(&mut self) -> Result<u8> {
        Ok(self.bytes(1)?[0])
    }
    pub(super) fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.bytes(4)?.try_into()?))
    }
    pub(super) fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.bytes(8)?.try_into()?))
    }
    pub(super) fn f32(&mut self) -> Result<f32> {
        Ok(f32::from_le_bytes(self.bytes(4)?.try_into()?))
    }
    pub(super) fn count(&mut self) -> Result<usize> {
        Ok(self.u32()? as usize)
    }
    pub(super) fn str(&mut self) -> Result<&'a str> {
        let n = self.count()?;
        Ok(std::str::from_utf8(self.bytes(n)?)?)
    }
    pub(super) fn strs(&mut self) -> Result<Vec<String>> {
        let n = self.count()?;
        (0..n).map(|_| self.str().map(str::to_string)).collect()
    }
}
