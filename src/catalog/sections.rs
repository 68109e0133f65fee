//! The sections a scenario can have: one table that the parser, the renderers, `new`, `lint`
//! and the index all read, so a new section is added in one place.

/// A scenario section, in the order sections are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    Category,
    Environment,
    Covers,
    Summary,
    WhatYouSee,
    WhatHappened,
    DiagnosisSteps,
    RootCause,
    Fix,
    LessonsLearned,
    HowToAvoid,
    ProTip,
    SeenIn,
}

/// How a section's content is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// One block of text (`Summary`, `Root Cause`).
    Text,
    /// Bullets, paragraphs and commands (`Fix / Workaround`).
    List,
    /// Comma-separated coverage keys (`Covers`).
    Keys,
}

/// When `lint` requires a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Required {
    /// Always: its absence is an error.
    Always,
    /// Under `lint --strict` (the built-in catalog has them all).
    Strict,
    Optional,
}

/// Everything k8sdoc knows about one section.
#[derive(Debug)]
pub(crate) struct Section {
    pub field: Field,
    /// The label written in the catalog.
    pub label: &'static str,
    /// The name used by `--field` and in JSON.
    pub key: &'static str,
    /// Other labels authors write for it, normalised (letters and digits, lowercase).
    pub aliases: &'static [&'static str],
    pub shape: Shape,
    pub required: Required,
    /// What `k8sdoc new` asks the author to write.
    pub hint: &'static str,
    /// How much a word counts in this section for text relevance (BM25F field weight): the
    /// summary and What You See say what a scenario is about; lessons mostly do not.
    pub weight: f32,
}

/// How much a word of the title counts, beside the sections' weights.
pub(crate) const TITLE_WEIGHT: f32 = 3.0;

/// Every section, in [`Field`] order.
pub(crate) static SECTIONS: [Section; 13] = [
    Section {
        field: Field::Category,
        label: "Category",
        key: "category",
        aliases: &["category", "categories"],
        shape: Shape::Text,
        required: Required::Always,
        hint: "Workloads, Scheduling, Nodes, Control Plane, Networking, Storage, Scaling or Security",
        weight: 0.5,
    },
    Section {
        field: Field::Environment,
        label: "Environment",
        key: "environment",
        aliases: &["environment", "env"],
        shape: Shape::Text,
        required: Required::Always,
        hint: "Kubernetes versions and platforms where this happens",
        weight: 0.2,
    },
    Section {
        field: Field::Covers,
        label: "Covers",
        key: "covers",
        aliases: &["covers", "coverage"],
        shape: Shape::Keys,
        required: Required::Strict,
        hint: "coverage keys, comma-separated (optional)",
        weight: 1.0,
    },
    Section {
        field: Field::Summary,
        label: "Summary",
        key: "summary",
        aliases: &["summary", "scenariosummary"],
        shape: Shape::Text,
        required: Required::Always,
        hint: "...",
        weight: 2.0,
    },
    Section {
        field: Field::WhatYouSee,
        label: "What You See",
        key: "what_you_see",
        aliases: &["whatyousee", "whatyoullsee", "symptoms", "observedoutput"],
        shape: Shape::List,
        required: Required::Strict,
        hint: "`the exact status, event or log line, with <placeholders>`",
        weight: 2.0,
    },
    Section {
        field: Field::WhatHappened,
        label: "What Happened",
        key: "what_happened",
        aliases: &["whathappened"],
        shape: Shape::List,
        required: Required::Always,
        hint: "...",
        weight: 1.0,
    },
    Section {
        field: Field::DiagnosisSteps,
        label: "Diagnosis Steps",
        key: "diagnosis_steps",
        aliases: &["diagnosissteps", "diagnosis", "diagnosticsteps"],
        shape: Shape::List,
        required: Required::Always,
        hint: "`kubectl ...` → what it showed",
        weight: 1.0,
    },
    Section {
        field: Field::RootCause,
        label: "Root Cause",
        key: "root_cause",
        aliases: &["rootcause", "rootcauses"],
        shape: Shape::Text,
        required: Required::Always,
        hint: "...",
        weight: 1.2,
    },
    Section {
        field: Field::Fix,
        label: "Fix / Workaround",
        key: "fix",
        aliases: &["fixworkaround", "fixworkarounds", "fix", "workaround", "fixes", "resolution"],
        shape: Shape::List,
        required: Required::Always,
        hint: "what fixed it, then the commands in a ```bash block",
        weight: 0.6,
    },
    Section {
        field: Field::LessonsLearned,
        label: "Lessons Learned",
        key: "lessons_learned",
        aliases: &["lessonslearned", "lessonslearnedtips", "lessons", "tips"],
        shape: Shape::List,
        required: Required::Strict,
        hint: "...",
        weight: 0.4,
    },
    Section {
        field: Field::HowToAvoid,
        label: "How to Avoid",
        key: "how_to_avoid",
        aliases: &["howtoavoid", "prevention"],
        shape: Shape::List,
        required: Required::Strict,
        hint: "...",
        weight: 0.4,
    },
    Section {
        field: Field::ProTip,
        label: "Pro Tip",
        key: "pro_tip",
        aliases: &["protip", "protips"],
        shape: Shape::Text,
        required: Required::Optional,
        hint: "...",
        weight: 0.4,
    },
    Section {
        field: Field::SeenIn,
        label: "Seen In",
        key: "seen_in",
        aliases: &["seenin", "seenat", "threads", "references"],
        shape: Shape::Text,
        required: Required::Optional,
        hint: "one or two addresses of public threads where users met this",
        // Addresses are provenance, not symptoms: their words must not match a query.
        weight: 0.0,
    },
];

impl Field {
    pub(crate) const ALL: [Field; 13] = [
        Field::Category,
        Field::Environment,
        Field::Covers,
        Field::Summary,
        Field::WhatYouSee,
        Field::WhatHappened,
        Field::DiagnosisSteps,
        Field::RootCause,
        Field::Fix,
        Field::LessonsLearned,
        Field::HowToAvoid,
        Field::ProTip,
        Field::SeenIn,
    ];

    pub(crate) fn section(self) -> &'static Section {
        &SECTIONS[self as usize]
    }

    /// The label written in the catalog.
    pub(crate) fn label(self) -> &'static str {
        self.section().label
    }

    /// The name used by `--field` and in JSON.
    pub(crate) fn key(self) -> &'static str {
        self.section().key
    }

    pub(crate) fn shape(self) -> Shape {
        self.section().shape
    }

    /// Recognises a section label as written in a catalog, in any of its variants
    /// (`Fix/Workaround`, `Lessons Learned / Tips`, `Scenario Summary`, any case).
    pub(crate) fn from_label(label: &str) -> Option<Field> {
        let norm: String = label
            .trim()
            .trim_end_matches(':')
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        SECTIONS.iter().find(|s| s.aliases.contains(&norm.as_str())).map(|s| s.field)
    }

    /// Parses a `--field` name: the JSON key or the label.
    pub(crate) fn from_name(name: &str) -> Option<Field> {
        SECTIONS.iter().find(|s| s.key == name).map(|s| s.field).or_else(|| Field::from_label(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_field_order_and_labels_round_trip() {
        for (i, field) in Field::ALL.into_iter().enumerate() {
            assert_eq!(SECTIONS[i].field, field);
            assert_eq!(Field::from_label(field.label()), Some(field), "{}", field.label());
            assert_eq!(Field::from_name(field.key()), Some(field));
        }
    }

    #[test]
    fn aliases_are_normalised_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for s in &SECTIONS {
            for a in s.aliases {
                assert!(a.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()), "{a}");
                assert!(seen.insert(*a), "alias {a} names two sections");
            }
        }
    }
}
