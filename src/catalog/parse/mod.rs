//! Parses catalog text (the seed's markdown, or the plain-text variant) into [`Scenario`]s.
//!
//! Two front ends feed one assembler: markdown goes through pulldown-cmark, the plain-text
//! variant (`📘 Scenario #N: Title` lines, plain `Label:` lines, `•` bullets) is read line by
//! line. Both turn a scenario's body into blocks (labels, text, code), and the assembler
//! files them under the right section, so both formats obey the same rules for commands,
//! copy-paste artifacts and unknown labels.

use std::sync::Arc;

mod assemble;
mod markdown;
mod plain;

use self::assemble::Assembler;
use self::markdown::markdown_blocks;
use self::plain::plain_blocks;
use super::model::{Scenario, Source, SourceFile};
use super::problem::{Problem, Severity};

/// What one file held.
#[derive(Debug, Default)]
pub struct Parsed {
    pub scenarios: Vec<Scenario>,
    pub(crate) problems: Vec<Problem>,
}

/// Parses one catalog file's (already repaired, valid UTF-8) text.
pub fn parse_catalog(text: &str, file: &Arc<SourceFile>) -> Parsed {
    parse_catalog_at(text, file, is_markdown(text), 0)
}

/// Whether a catalog file is in the markdown format (`#` scenario headings) or the plain-text
/// one. (A bold heading line alone does not make a file markdown.)
pub(crate) fn is_markdown(text: &str) -> bool {
    text.split('\n').any(|l| l.trim_start().starts_with('#') && matches!(heading(l, true), Some(Heading::Start { .. })))
}

/// Parses text that starts at line `line_offset + 1` of its file, in the given format: one
/// scenario cut out of a file is parsed exactly as it was in the whole file.
pub(crate) fn parse_catalog_at(text: &str, file: &Arc<SourceFile>, markdown: bool, line_offset: usize) -> Parsed {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut parsed = Parsed::default();
    let starts = scenario_starts(&lines, markdown, file, &mut parsed.problems);
    for (n, start) in starts.iter().enumerate() {
        let Some(id) = start.id else { continue };
        let end = starts.get(n + 1).map_or(lines.len(), |next| next.line);
        let body = start.line + 1..end;
        let source = Source { file: Arc::clone(file), line: start.line + 1 };
        let mut assembler = Assembler::new(Scenario::new(id, start.title.clone(), source));
        if markdown {
            markdown_blocks(&lines, body, &mut assembler);
        } else {
            plain_blocks(&lines, body, &mut assembler);
        }
        let mut scenario = assembler.finish();
        scenario.end_line = end + 1;
        parsed.scenarios.push(scenario);
    }
    if line_offset > 0 {
        for s in &mut parsed.scenarios {
            s.source.line += line_offset;
            s.end_line += line_offset;
            for e in &mut s.extra {
                e.line += line_offset;
            }
        }
        for p in &mut parsed.problems {
            p.source.line += line_offset;
        }
    }
    parsed
}

/// What a line says about scenario boundaries.
#[derive(Debug, PartialEq)]
enum Heading<'a> {
    /// `### 🔹 Scenario #12: Title` (markdown) or `📘 Scenario #12: Title` (plain text).
    Start { number: &'a str, title: &'a str },
    /// Looks like a scenario heading but carries no number: reported, never dropped silently.
    Numberless,
}

/// Recognises a scenario heading by hand rather than by regex: this runs on every line of every
/// catalog, and a Unicode-aware regex costs more to compile than a small catalog takes to parse.
///
/// It accepts what a person reads as a heading: any case (`### SCENARIO #6`), no space after
/// the hashes (`###Scenario #5`), no `#` before the number in markdown (`### scenario 7`),
/// `No.` for `#` (`Scenario No. 8`), and in markdown a whole bold line (`**Scenario #9: T**`).
fn heading(line: &str, markdown: bool) -> Option<Heading<'_>> {
    let mut rest = line;
    let mut bold = false;
    if markdown {
        let t = rest.trim_start_matches(' ');
        if rest.len() - t.len() > 3 {
            return None;
        }
        let hashes = t.len() - t.trim_start_matches('#').len();
        if (1..=6).contains(&hashes) {
            rest = &t[hashes..];
        } else if let Some(inner) = t.trim_end().strip_prefix("**").and_then(|x| x.strip_suffix("**")) {
            rest = inner;
            bold = true;
        } else {
            return None;
        }
    }
    // Emoji and punctuation before the word (`🔹`, `📘`) are decoration.
    let rest = rest.trim_start_matches(|c: char| c.is_whitespace() || !(c.is_alphanumeric() || c == '#' || c == '_'));
    let word = rest.get(..8).filter(|w| w.eq_ignore_ascii_case("scenario"))?;
    let rest = &rest[word.len()..];
    if rest.starts_with(|c: char| c.is_alphanumeric()) {
        return None; // `Scenarios overview`
    }
    let rest = rest.trim_start();
    let (marked, rest) = number_mark(rest);
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        let numberless = !bold && (marked || (markdown && rest.starts_with(':')));
        return numberless.then_some(Heading::Numberless);
    }
    if !markdown && !marked {
        return None;
    }
    let number = &rest[..digits];
    let mut title = rest[digits..].trim_start();
    match title.chars().next() {
        Some(c @ (':' | '.' | '-' | '–' | '—')) => title = title[c.len_utf8()..].trim_start(),
        // The plain-text variant always separates number and title.
        _ if !markdown => return None,
        _ => {}
    }
    let title = if markdown { title.trim_end().trim_end_matches('#').trim_end() } else { title.trim_end() };
    Some(Heading::Start { number, title })
}

/// Strips what marks a number (`#`, `No.`, `No`, `Nr.`, `Number`), saying whether there was one.
fn number_mark(text: &str) -> (bool, &str) {
    if let Some(after) = text.strip_prefix('#') {
        return (true, after.trim_start());
    }
    for mark in ["number", "no.", "nr.", "no"] {
        if let Some(head) = text.get(..mark.len()).filter(|h| h.eq_ignore_ascii_case(mark)) {
            let after = &text[head.len()..];
            let after = after.trim_start();
            let after = after.strip_prefix('#').map_or(after, str::trim_start);
            if after.starts_with(|c: char| c.is_ascii_digit()) {
                return (true, after);
            }
        }
    }
    (false, text)
}

/// A line where a scenario starts, or where a heading that could not be read ends the one
/// before it (`id: None`): a heading without a usable number is reported, and its body is not
/// loaded; it is never added to the scenario above.
struct Start {
    line: usize,
    id: Option<u32>,
    title: String,
}

/// Finds the first line of every scenario, skipping fenced code (a `###` line in a code block
/// is a comment, not a heading).
fn scenario_starts(lines: &[&str], markdown: bool, file: &Arc<SourceFile>, problems: &mut Vec<Problem>) -> Vec<Start> {
    let mut starts = Vec::new();
    // (fence character, length, line it was opened on)
    let mut fence: Option<(char, usize, usize)> = None;
    for (i, line) in lines.iter().enumerate() {
        if markdown {
            if let Some((c, n)) = fence_marker(line) {
                fence = match fence {
                    None => Some((c, n, i)),
                    Some(open) if open.0 == c && n >= open.1 && is_bare_fence(line) => None,
                    still => still,
                };
                continue;
            }
            if let Some((_, _, opened)) = fence {
                // A stray fence pasted from a chat window must not swallow the scenarios after
                // it: a scenario heading closes it, and the file is flagged.
                // Only a `##`-or-deeper heading: a `# scenario 2: restart` line in a shell block is
                // a comment.
                let closes = line.trim_start().starts_with("##")
                    && matches!(heading(line.trim_end_matches('\r'), true), Some(Heading::Start { .. }));
                if !closes {
                    continue;
                }
                problems.push(Problem::new(
                    Severity::Warning,
                    Source { file: Arc::clone(file), line: opened + 1 },
                    format!("code fence opened here is not closed before the scenario heading on line {}", i + 1),
                ));
                fence = None;
            }
        }
        let source = || Source { file: Arc::clone(file), line: i + 1 };
        match heading(line.trim_end_matches('\r'), markdown) {
            Some(Heading::Start { number, title }) => match number.parse::<u32>() {
                Ok(id) => starts.push(Start { line: i, id: Some(id), title: title.to_string() }),
                Err(_) => {
                    starts.push(Start { line: i, id: None, title: String::new() });
                    problems.push(Problem::new(
                        Severity::Error,
                        source(),
                        format!(
                            "scenario number {number} is too large (at most {}); this scenario is not loaded",
                            u32::MAX
                        ),
                    ));
                }
            },
            Some(Heading::Numberless) => {
                starts.push(Start { line: i, id: None, title: String::new() });
                problems.push(Problem::new(
                    Severity::Error,
                    source(),
                    format!("scenario heading has no number: {}; this scenario is not loaded", line.trim()),
                ));
            }
            None => {}
        }
    }
    starts
}

/// `(fence char, length)` when `line` opens or closes a fenced code block.
fn fence_marker(line: &str) -> Option<(char, usize)> {
    let t = line.trim_start_matches(' ');
    if line.len() - t.len() > 3 {
        return None;
    }
    let c = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = t.chars().take_while(|x| *x == c).count();
    (n >= 3).then_some((c, n))
}

pub(super) fn is_bare_fence(line: &str) -> bool {
    line.trim().chars().all(|c| c == '`' || c == '~')
}

#[cfg(test)]
mod tests {
    use super::assemble::join_continuations;
    use super::*;

    #[test]
    fn headings() {
        let start = |number, title| Some(Heading::Start { number, title });
        assert_eq!(heading("### 🔹 Scenario #12: Stuck CSRs", true), start("12", "Stuck CSRs"));
        assert_eq!(heading("## Scenario 5 - Taints ##", true), start("5", "Taints"));
        assert_eq!(heading("📘 Scenario #139: Plain", false), start("139", "Plain"));
        assert_eq!(heading("\t📘 Scenario #7. Dot", false), start("7", "Dot"));
        assert_eq!(heading("### Scenario: no number", true), Some(Heading::Numberless));
        assert_eq!(heading("📘 Scenario #: nothing", false), Some(Heading::Numberless));
        assert_eq!(heading("See Scenario #12: prose", false), None);
        assert_eq!(heading("Scenario 5: no hash in plain text", false), None);
        assert_eq!(heading("#### Scenarios overview", true), None);
        assert_eq!(heading("    ### Scenario #1: indented code", true), None);
    }

    #[test]
    fn headings_a_person_reads_as_scenarios() {
        let start = |number, title| Some(Heading::Start { number, title });
        assert_eq!(heading("###Scenario #5: Five", true), start("5", "Five"));
        assert_eq!(heading("### SCENARIO #6: Six", true), start("6", "Six"));
        assert_eq!(heading("### scenario 7: Seven", true), start("7", "Seven"));
        assert_eq!(heading("### Scenario No. 8: Eight", true), start("8", "Eight"));
        assert_eq!(heading("**Scenario #9: Nine**", true), start("9", "Nine"));
        assert_eq!(heading("📘 Scenario No. 10: Plain", false), start("10", "Plain"));
        assert_eq!(heading("**Scenario:**", true), None);
        assert_eq!(heading("**Scenario #9:** not a whole bold line", true), None);
        assert_eq!(heading("### Scenario Nothing", true), None);
    }

    #[test]
    fn a_heading_without_a_usable_number_ends_the_scenario_above() {
        let text = "### Scenario #1: Good\n**Fix:** kubectl get pods\n\n### Scenario #99999999999: Big\n**Fix:** rm -rf /var/lib/etcd\n\n### Scenario: none\n**Summary:** lost\n";
        let parsed = parse_catalog(text, &file());
        assert_eq!(parsed.scenarios.len(), 1);
        let s = &parsed.scenarios[0];
        assert!(s.fix.iter().all(|i| !i.text.contains("rm -rf")), "{:?}", s.fix);
        assert!(s.summary.is_none());
        let lines: Vec<usize> = parsed.problems.iter().map(|p| p.source.line).collect();
        assert_eq!(lines, [4, 7]);
    }
    use crate::catalog::model::Origin;
    use std::path::PathBuf;

    fn file() -> Arc<SourceFile> {
        Arc::new(SourceFile { path: PathBuf::from("t.md"), origin: Origin::Flag })
    }

    #[test]
    fn labels_on_consecutive_lines_split() {
        let text = "### Scenario #7: T\n**Category:** A\n**Environment:** B\n";
        let parsed = parse_catalog(text, &file());
        let s = &parsed.scenarios[0];
        assert_eq!(s.category.as_deref(), Some("A"));
        assert_eq!(s.environment.as_deref(), Some("B"));
    }

    #[test]
    fn continuation_lines_join_into_one_command() {
        let out = join_continuations(&["kubectl get pods \\".into(), "  -A".into(), "CopyEdit".into()]);
        assert_eq!(out, vec!["kubectl get pods \\\n  -A".to_string()]);
    }

    fn joined(text: &str) -> Vec<String> {
        join_continuations(&text.lines().map(str::to_string).collect::<Vec<_>>())
    }

    #[test]
    fn a_quoted_patch_over_several_lines_is_one_command() {
        let out =
            joined("# note\nkubectl patch deploy x --type=json -p='[\n{\"op\":\"remove\"},\n]'\nkubectl get pods");
        assert_eq!(
            out,
            ["# note", "kubectl patch deploy x --type=json -p='[\n{\"op\":\"remove\"},\n]'", "kubectl get pods"]
        );
    }

    #[test]
    fn a_heredoc_is_one_command_whatever_its_body_holds() {
        let out = joined(
            "cat <<'EOF' | kubectl apply -f -\nkind: Pod\n# not a comment: yaml\nname: 'x\nEOF\nkubectl get pods",
        );
        assert_eq!(out.len(), 2, "{out:?}");
        assert!(out[0].ends_with("\nEOF"));
        let tabs = joined("cat <<-END\n\tbody\n\tEND\nls");
        assert_eq!(tabs.len(), 2, "{tabs:?}");
    }

    #[test]
    fn loops_pipes_and_brackets_continue_a_command() {
        let out = joined("for n in $(kubectl get nodes -o name); do\n  kubectl describe $n\ndone\nkubectl get pods |\n  grep x\necho ok");
        assert_eq!(out.len(), 3, "{out:?}");
        // An apostrophe in a comment or an escaped quote leaves nothing open.
        assert_eq!(joined("echo it\\'s # don't\nls").len(), 2);
        assert_eq!(joined("kubectl get pods # it's fine\nls").len(), 2);
    }
}
