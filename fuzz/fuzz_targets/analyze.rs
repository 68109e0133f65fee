//! Fuzzes `analyze`'s readers on arbitrary bytes: encoding detection, JSON objects, lists,
//! arrays and streams with per-object recovery, YAML documents, and the text extractor.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    k8sdoc::fuzzing::analyze(data);
});
