//! Fuzzes the extractor `diagnose --from` runs on pasted output: tables, events, describe
//! fields, conditions, log lines, noise normalisation; and reading the paste piece by piece,
//! which must give what the whole paste gives.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    k8sdoc::fuzzing::extract(&text);
    let chunk = 1 + usize::from(data.first().copied().unwrap_or(0));
    assert!(k8sdoc::fuzzing::extract_streamed(data, chunk));
});
