//! Entry points for the fuzz targets (`fuzz/`): each reader of untrusted input, on bytes. Not
//! part of the API.

/// `analyze`'s readers (gzip and tar archives; JSON objects, lists, arrays and streams; YAML
/// documents; text) and checks on one input; returns how many objects something was seen on.
pub fn analyze(data: &[u8]) -> usize {
    let mut snapshot = crate::analyze::Snapshot::default();
    crate::analyze::read_bytes(data, "fuzz", &mut snapshot);
    snapshot.objects_seen()
}

/// The extractor `diagnose --from` runs on pasted output; returns the signals' total length.
pub fn extract(text: &str) -> usize {
    crate::engine::extract::extract(text).iter().map(|s| s.text.len()).sum()
}

/// `diagnose --from` reading a paste piece by piece, `chunk` bytes per read (0 is taken as
/// 1): whether that gives the signals that extracting from the whole decoded paste gives.
pub fn extract_streamed(data: &[u8], chunk: usize) -> bool {
    /// Hands out at most `chunk` bytes per read, as a pipe may.
    struct Trickle<'a>(&'a [u8], usize);
    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.len().min(buf.len()).min(self.1);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let mut lines = crate::engine::extract::LineExtractor::default();
    let read = crate::encoding::read_lines(&mut Trickle(data, chunk.max(1)), &mut |piece| {
        piece.lines().for_each(|line| lines.push(line));
    });
    let whole = crate::engine::extract::extract(&crate::encoding::decode(data).text);
    read.is_ok_and(|bytes| bytes == data.len() as u64) && lines.finish() == whole
}
