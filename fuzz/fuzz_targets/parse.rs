//! Fuzzes the catalog parser: mojibake repair, both front ends, and markdown re-rendering.
#![no_main]

use std::path::PathBuf;
use std::sync::Arc;

use k8sdoc::catalog::model::{Origin, SourceFile};
use k8sdoc::catalog::mojibake::repair;
use k8sdoc::catalog::parse::parse_catalog;
use k8sdoc::output::scenario_markdown;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let repaired = repair(&text);
    let file = Arc::new(SourceFile { path: PathBuf::from("fuzz.md"), origin: Origin::Flag });
    let parsed = parse_catalog(&repaired, &file);
    for scenario in &parsed.scenarios {
        let mut out = Vec::new();
        scenario_markdown(&mut out, scenario).unwrap();
        // Whatever was parsed must render to markdown that parses again.
        let again = parse_catalog(std::str::from_utf8(&out).unwrap(), &file);
        assert!(!again.scenarios.is_empty());
    }
});
