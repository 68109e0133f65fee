//! The typed scenario model every command reads.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use super::sections::{Field, Shape};

/// Where a scenario or a problem comes from: `file:line`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Source {
    pub file: Arc<SourceFile>,
    pub line: usize,
}

/// A catalog file, as the user would name it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceFile {
    /// The path shown to the user (`scenarios/seed.md` for the built-in catalog).
    pub path: PathBuf,
    pub origin: Origin,
}

/// Which layer of the catalog a file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    Builtin,
    ConfigDir,
    Env,
    Flag,
}

impl Origin {
    pub(crate) fn from_u8(v: u8) -> Origin {
        match v {
            0 => Origin::Builtin,
            1 => Origin::ConfigDir,
            2 => Origin::Env,
            _ => Origin::Flag,
        }
    }

    pub(crate) fn describe(self) -> &'static str {
        match self {
            Origin::Builtin => "built-in",
            Origin::ConfigDir => "config dir",
            Origin::Env => "K8SDOC_SCENARIOS",
            Origin::Flag => "--scenarios",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.path.display(), self.line)
    }
}

/// One entry of a list section: a bullet, a paragraph or a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Inline markdown: emphasis removed, inline code kept in backticks.
    pub text: String,
    /// A command to copy (from a code block or a bare command line), not prose.
    pub command: bool,
}

impl Item {
    pub fn prose(text: impl Into<String>) -> Item {
        Item { text: text.into(), command: false }
    }

    pub fn command(text: impl Into<String>) -> Item {
        Item { text: text.into(), command: true }
    }

    /// A `# ...` line inside a block of commands: a note, not something to run.
    pub(crate) fn is_comment(&self) -> bool {
        self.command && self.text.starts_with('#')
    }

    /// A command to run: not prose, not a `# comment` line.
    pub(crate) fn is_runnable(&self) -> bool {
        self.command && !self.is_comment()
    }
}

/// A section whose label the parser does not know; kept so nothing is lost and `lint` can say so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraSection {
    pub label: String,
    pub items: Vec<Item>,
    pub line: usize,
}

/// One production incident: what broke, how to confirm it, how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    pub id: u32,
    pub title: String,
    pub category: Option<String>,
    pub environment: Option<String>,
    pub covers: Vec<String>,
    pub summary: Option<String>,
    pub what_you_see: Vec<Item>,
    pub what_happened: Vec<Item>,
    pub diagnosis_steps: Vec<Item>,
    pub root_cause: Option<String>,
    pub fix: Vec<Item>,
    pub lessons_learned: Vec<Item>,
    pub how_to_avoid: Vec<Item>,
    pub pro_tip: Option<String>,
    /// Public threads where users met this failure (provenance, not searched).
    pub seen_in: Option<String>,
    pub extra: Vec<ExtraSection>,
    pub source: Source,
    /// The line after the scenario's last line (1-based, exclusive): its text is lines
    /// `source.line..end_line` of the file.
    pub end_line: usize,
}

/// A field's value, scalar or list, for code that walks every section.
pub(crate) enum FieldValue<'a> {
    Text(Option<&'a str>),
    List(&'a [Item]),
    Keys(&'a [String]),
}

/// Where a field's value is stored, for the parser to fill.
pub(crate) enum FieldSlot<'a> {
    Text(&'a mut Option<String>),
    List(&'a mut Vec<Item>),
    Keys(&'a mut Vec<String>),
}

impl Scenario {
    pub fn new(id: u32, title: String, source: Source) -> Scenario {
        Scenario {
            id,
            title,
            category: None,
            environment: None,
            covers: Vec::new(),
            summary: None,
            what_you_see: Vec::new(),
            what_happened: Vec::new(),
            diagnosis_steps: Vec::new(),
            root_cause: None,
            fix: Vec::new(),
            lessons_learned: Vec::new(),
            how_to_avoid: Vec::new(),
            pro_tip: None,
            seen_in: None,
            extra: Vec::new(),
            end_line: source.line + 1,
            source,
        }
    }

    pub(crate) fn field(&self, field: Field) -> FieldValue<'_> {
        match field {
            Field::Category => FieldValue::Text(self.category.as_deref()),
            Field::Environment => FieldValue::Text(self.environment.as_deref()),
            Field::Covers => FieldValue::Keys(&self.covers),
            Field::Summary => FieldValue::Text(self.summary.as_deref()),
            Field::WhatYouSee => FieldValue::List(&self.what_you_see),
            Field::WhatHappened => FieldValue::List(&self.what_happened),
            Field::DiagnosisSteps => FieldValue::List(&self.diagnosis_steps),
            Field::RootCause => FieldValue::Text(self.root_cause.as_deref()),
            Field::Fix => FieldValue::List(&self.fix),
            Field::LessonsLearned => FieldValue::List(&self.lessons_learned),
            Field::HowToAvoid => FieldValue::List(&self.how_to_avoid),
            Field::ProTip => FieldValue::Text(self.pro_tip.as_deref()),
            Field::SeenIn => FieldValue::Text(self.seen_in.as_deref()),
        }
    }

    pub(crate) fn field_mut(&mut self, field: Field) -> FieldSlot<'_> {
        let slot = match field {
            Field::Category => FieldSlot::Text(&mut self.category),
            Field::Environment => FieldSlot::Text(&mut self.environment),
            Field::Covers => FieldSlot::Keys(&mut self.covers),
            Field::Summary => FieldSlot::Text(&mut self.summary),
            Field::WhatYouSee => FieldSlot::List(&mut self.what_you_see),
            Field::WhatHappened => FieldSlot::List(&mut self.what_happened),
            Field::DiagnosisSteps => FieldSlot::List(&mut self.diagnosis_steps),
            Field::RootCause => FieldSlot::Text(&mut self.root_cause),
            Field::Fix => FieldSlot::List(&mut self.fix),
            Field::LessonsLearned => FieldSlot::List(&mut self.lessons_learned),
            Field::HowToAvoid => FieldSlot::List(&mut self.how_to_avoid),
            Field::ProTip => FieldSlot::Text(&mut self.pro_tip),
            Field::SeenIn => FieldSlot::Text(&mut self.seen_in),
        };
        debug_assert_eq!(
            field.shape(),
            match slot {
                FieldSlot::Text(_) => Shape::Text,
                FieldSlot::List(_) => Shape::List,
                FieldSlot::Keys(_) => Shape::Keys,
            },
            "the sections table and the model disagree on {field:?}"
        );
        slot
    }

    pub(crate) fn has(&self, field: Field) -> bool {
        match self.field(field) {
            FieldValue::Text(t) => t.is_some_and(|t| !t.trim().is_empty()),
            FieldValue::List(items) => !items.is_empty(),
            FieldValue::Keys(keys) => !keys.is_empty(),
        }
    }

    /// Every line of text in `field`, for searching and indexing.
    pub(crate) fn field_lines(&self, field: Field) -> Vec<&str> {
        match self.field(field) {
            FieldValue::Text(t) => t.map(|t| t.lines().collect()).unwrap_or_default(),
            FieldValue::List(items) => items.iter().map(|i| i.text.as_str()).collect(),
            FieldValue::Keys(keys) => keys.iter().map(String::as_str).collect(),
        }
    }

    /// Commands to copy from the fix section (shell comments left out).
    pub(crate) fn fix_commands(&self) -> impl Iterator<Item = &str> {
        commands(&self.fix)
    }
}

/// A section's commands, whole (multi-line ones intact), without notes or `# comment` lines.
pub(crate) fn commands(items: &[Item]) -> impl Iterator<Item = &str> {
    items.iter().filter(|i| i.is_runnable()).map(|i| i.text.as_str())
}
