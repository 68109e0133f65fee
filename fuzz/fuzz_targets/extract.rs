//! Fuzzes the extractor `diagnose --from` runs on pasted output: tables, events, describe
//! fields, conditions, log lines, noise normalisation.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    k8sdoc::fuzzing::extract(&text);
});
