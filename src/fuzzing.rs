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
