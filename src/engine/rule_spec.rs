//! The shape of a symptom rule file. `build.rs` includes this file to validate the built-in
//! rules at build time; `rules.rs` reads every rule file, built-in or the user's, with it.

use std::collections::HashMap;

use serde::Deserialize;

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    #[serde(default)]
    pub symptoms: Vec<SymptomSpec>,
    #[serde(default)]
    pub synonyms: HashMap<String, Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SymptomSpec {
    pub id: String,
    pub description: String,
    #[serde(default)]
    pub covers: Vec<String>,
    #[serde(default)]
    pub scenarios: Vec<u32>,
    pub patterns: Vec<String>,
    #[serde(default)]
    pub weight: Option<f32>,
}
