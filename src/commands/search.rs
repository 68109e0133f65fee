//! `k8sdoc search`: grep over the catalog, one `ID:section: text` line per matching line.

use std::io::Write;

use anyhow::{bail, Context, Result};
use regex::{Regex, RegexBuilder};

use crate::catalog::model::Scenario;
use crate::catalog::sections::{Field, SECTIONS};
use crate::catalog::{category_matches, check_category, Catalog};
use crate::cli::SearchArgs;
use crate::exit_codes::Outcome;
use crate::output::sanitize::sanitize;
use crate::output::style::{Palette, Role};

/// The sections `--field` accepts: `title` plus every scenario field.
fn sections(field: Option<&str>) -> Result<Vec<Option<Field>>> {
    let all = std::iter::once(None).chain(Field::ALL.into_iter().map(Some));
    match field {
        None => Ok(all.collect()),
        Some("title") => Ok(vec![None]),
        Some(name) => match Field::from_name(name) {
            Some(f) => Ok(vec![Some(f)]),
            None => {
                let names: Vec<&str> = std::iter::once("title").chain(SECTIONS.iter().map(|s| s.key)).collect();
                bail!("unknown field `{name}`; expected one of: {}", names.join(", "))
            }
        },
    }
}

fn build_regex(args: &SearchArgs) -> Result<Regex> {
    let mut pattern = if args.fixed_strings { regex::escape(&args.pattern) } else { args.pattern.clone() };
    if args.word {
        pattern = format!(r"\b(?:{pattern})\b");
    }
    RegexBuilder::new(&pattern)
        .case_insensitive(args.ignore_case)
        .size_limit(10 << 20)
        .build()
        .with_context(|| format!("invalid pattern `{}`", args.pattern))
}

/// Every (section name, line) of a scenario in the chosen sections.
fn lines<'a>(s: &'a Scenario, sections: &[Option<Field>]) -> Vec<(&'static str, &'a str)> {
    let mut out = Vec::new();
    for section in sections {
        match section {
            None => out.push(("title", s.title.as_str())),
            Some(field) => {
                for text in s.field_lines(*field) {
                    out.extend(text.lines().map(|l| (field.key(), l)));
                }
            }
        }
    }
    out
}

pub(crate) fn run(args: &SearchArgs, catalog: &Catalog, out: &mut dyn Write, palette: Palette) -> Result<Outcome> {
    let re = build_regex(args)?;
    let sections = sections(args.field.as_deref())?;
    if let Some(wanted) = args.category.as_deref() {
        check_category(wanted, catalog.scenarios.iter().filter_map(|s| s.category.as_deref()))?;
    }
    let mut any = false;
    for s in catalog.scenarios.iter().filter(|s| category_matches(s, args.category.as_deref())) {
        let hits: Vec<(&str, &str)> = lines(s, &sections).into_iter().filter(|(_, l)| re.is_match(l)).collect();
        if hits.is_empty() {
            continue;
        }
        any = true;
        let id = palette.paint(Role::Id, &s.id.to_string());
        if args.files_with_matches {
            writeln!(out, "{id}")?;
        } else if args.count {
            writeln!(out, "{id}:{}", hits.len())?;
        } else {
            for (section, line) in hits {
                writeln!(out, "{id}:{}: {}", palette.paint(Role::Dim, section), highlight(&re, line, palette))?;
            }
        }
    }
    Ok(Outcome::from_found(any))
}

/// The line, sanitised, with every match painted. Matching runs on the raw text, so the
/// highlighted spans are sanitised piece by piece.
fn highlight(re: &Regex, line: &str, palette: Palette) -> String {
    if !palette.enabled {
        return sanitize(line).into_owned();
    }
    let mut out = String::new();
    let mut last = 0;
    for m in re.find_iter(line) {
        if m.start() == m.end() {
            continue;
        }
        out.push_str(&sanitize(&line[last..m.start()]));
        out.push_str(&palette.paint(Role::Match, &sanitize(m.as_str())));
        last = m.end();
    }
    out.push_str(&sanitize(&line[last..]));
    out
}
