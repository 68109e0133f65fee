//! The diagnose engine: symptom rules, extraction of signals from pasted output, the tokenizer,
//! BM25 and the ranking that combines them, and (`store`) the persistent index they read.
//!
//! It returns data (symptom indices, matched text, input indices, scores); the words a person
//! reads are chosen by `output`.

mod bm25;
mod correct;
mod discriminate;
pub(crate) mod extract;
pub(crate) mod index;
mod rank;
mod rule_spec;
pub(crate) mod rules;
pub(crate) mod store;
pub(crate) mod tokenize;

pub(crate) use discriminate::{discriminate, Discriminator};
pub(crate) use rank::{diagnose, Diagnosis, Evidence, Input, InputOrigin, Ranked, Settings, STRENGTH_SCALE};
