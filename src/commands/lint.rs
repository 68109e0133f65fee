//! `k8sdoc lint`: checks catalogs for what would make scenarios wrong, lost or hard to find.

use std::io::Write;

use anyhow::Result;

use crate::catalog::model::{Origin, Scenario, Source};
use crate::catalog::problem::{Problem, Severity};
use crate::catalog::sections::{Required, SECTIONS};
use crate::catalog::template::PLACEHOLDER;
use crate::catalog::{Catalog, CatalogSettings};
use crate::cli::{LintArgs, Settings};
use crate::engine::rules::RuleSet;
use crate::exit_codes::Outcome;
use crate::output::sanitize::sanitize;
use crate::output::style::{Palette, Role};

pub(crate) fn run(args: &LintArgs, settings: &Settings, out: &mut dyn Write, palette: Palette) -> Result<Outcome> {
    let catalog_settings = if args.paths.is_empty() {
        settings.catalog.clone()
    } else {
        CatalogSettings { builtin: false, paths: args.paths.iter().cloned().map(|p| (p, Origin::Flag)).collect() }
    };
    let catalog = Catalog::load(&catalog_settings)?;
    let mut problems = check(&catalog, args.strict, &settings.program);
    problems.sort_by(|a, b| a.source.cmp(&b.source).then(b.severity.cmp(&a.severity)));
    let errors = problems.iter().filter(|p| p.severity == Severity::Error).count();
    let warnings = problems.len() - errors;
    for p in &problems {
        let role = if p.severity == Severity::Error { Role::Match } else { Role::Warn };
        let text = sanitize(&p.to_string()).into_owned();
        writeln!(out, "{}", palette.paint(role, &text))?;
    }
    let summary = format!(
        "checked {} scenarios in {} files: {errors} errors, {warnings} warnings",
        catalog.scenarios.len(),
        catalog.files.len()
    );
    let ok = errors == 0 && !(args.strict && warnings > 0);
    writeln!(out, "{}", palette.paint(if ok { Role::Good } else { Role::Match }, &summary))?;
    // Like a compiler: exit 0 when clean, 1 when the catalog has errors.
    Ok(Outcome::from_found(ok))
}

/// Every problem in the catalog: load problems, duplicates, and per-scenario checks.
fn check(catalog: &Catalog, strict: bool, program: &str) -> Vec<Problem> {
    let mut problems = catalog.problems.clone();
    problems.extend(catalog.duplicates.iter().map(|d| Problem { severity: Severity::Error, ..d.clone() }));
    for report in &catalog.files {
        if let Some(line) = report.mojibake_line {
            problems.push(Problem::new(
                Severity::Warning,
                Source { file: report.file.clone(), line },
                format!(
                    "mojibake (UTF-8 read as Mac Roman), repaired on load; save the repaired text with `{program} show ID --format markdown`"
                ),
            ));
        }
    }
    for s in &catalog.scenarios {
        check_scenario(s, strict, &mut problems);
    }
    // The user's rule files, every pattern compiled (the built-in ones are checked at build
    // time); read with the built-in ones, so a clash of ids is seen.
    problems.extend(RuleSet::check(&catalog.rules).into_iter().filter(|p| p.source.file.origin != Origin::Builtin));
    problems
}

fn check_scenario(s: &Scenario, strict: bool, problems: &mut Vec<Problem>) {
    let at = |line: usize| Source { file: s.source.file.clone(), line };
    if s.title.trim().is_empty() {
        problems.push(Problem::new(Severity::Error, s.source.clone(), format!("scenario #{} has no title", s.id)));
    }
    let mut unfilled: Vec<&str> = SECTIONS
        .iter()
        .filter(|section| s.field_lines(section.field).iter().any(|l| l.starts_with(PLACEHOLDER)))
        .map(|section| section.label)
        .collect();
    if s.title.starts_with(PLACEHOLDER) {
        unfilled.insert(0, "Title");
    }
    if !unfilled.is_empty() {
        problems.push(Problem::new(
            Severity::Error,
            s.source.clone(),
            format!("scenario #{} still holds template text (TODO) in: {}", s.id, unfilled.join(", ")),
        ));
    }
    let missing = missing_sections(s, Required::Always);
    if !missing.is_empty() {
        problems.push(Problem::new(
            Severity::Error,
            s.source.clone(),
            format!("scenario #{} is missing required sections: {}", s.id, missing.join(", ")),
        ));
    }
    if strict {
        let missing = missing_sections(s, Required::Strict);
        if !missing.is_empty() {
            problems.push(Problem::new(
                Severity::Warning,
                s.source.clone(),
                format!("scenario #{} is missing sections: {}", s.id, missing.join(", ")),
            ));
        }
    }
    for extra in &s.extra {
        let message = if extra.label.is_empty() {
            format!("scenario #{}: text before the first section label", s.id)
        } else {
            format!("scenario #{}: unknown section label `{}`", s.id, extra.label)
        };
        problems.push(Problem::new(Severity::Warning, at(extra.line), message));
    }
}

/// The labels of the sections required at `level` that `s` lacks.
fn missing_sections(s: &Scenario, level: Required) -> Vec<&'static str> {
    SECTIONS.iter().filter(|section| section.required == level && !s.has(section.field)).map(|x| x.label).collect()
}
