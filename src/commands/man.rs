//! `k8sdoc man`: one man page (roff) for the whole program, generated from the command-line
//! definition: the top-level page, then a COMMANDS section with every subcommand's synopsis,
//! options and examples. There is no page per subcommand, so the page refers to none.

use std::io::Write;

use anyhow::Result;
use clap_mangen::Man;

use crate::cli;
use crate::exit_codes::Outcome;

pub(crate) fn run(program: &str, out: &mut dyn Write) -> Result<Outcome> {
    out.write_all(page(program)?.as_bytes())?;
    Ok(Outcome::Found)
}

fn page(program: &str) -> Result<String> {
    let mut cmd = cli::command(program);
    cmd.build();
    let top = Man::new(cmd.clone());
    let mut page = String::new();
    page.push_str(&render(|w| top.render_title(w))?);
    let sections = [
        Man::render_name_section,
        Man::render_synopsis_section,
        Man::render_description_section,
        Man::render_options_section,
    ];
    for section in sections {
        page.push_str(&without_preamble(&render(|w| section(&top, w))?));
    }
    page.push_str(".SH COMMANDS\nEvery command also takes the options above.\n");
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
        page.push_str(&command_section(program, sub)?);
    }
    if cmd.get_after_help().is_some() {
        page.push_str(".SH EXAMPLES\n");
        page.push_str(&examples(&render(|w| top.render_extra_section(w))?));
    }
    page.push_str(&without_preamble(&render(|w| top.render_version_section(w))?));
    Ok(page)
}

/// One subcommand: `.SS program NAME`, what it does, its synopsis, its own options (the global
/// ones are documented once, at the top) and its examples.
fn command_section(program: &str, sub: &clap::Command) -> Result<String> {
    // Global options are propagated into every subcommand; hidden here, they are listed once.
    let own = sub.clone().mut_args(|arg| if arg.is_global_set() { arg.hide(true) } else { arg });
    let man = Man::new(own);
    let mut section = format!(".SS \"{program} {}\"\n", sub.get_name());
    section.push_str(&body(&render(|w| man.render_description_section(w))?));
    section.push_str(".PP\n");
    section.push_str(&body(&render(|w| man.render_synopsis_section(w))?));
    let options = body(&render(|w| man.render_options_section(w))?);
    if !options.trim().is_empty() {
        section.push_str(".PP\n");
        section.push_str(&options);
    }
    if sub.get_after_help().is_some() {
        section.push_str(".PP\n");
        section.push_str(&examples(&render(|w| man.render_extra_section(w))?));
    }
    Ok(section)
}

fn render(section: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> Result<String> {
    let mut roff = Vec::new();
    section(&mut roff)?;
    Ok(String::from_utf8(roff)?)
}

/// A rendered section without the quote-string preamble every render repeats (the page has it
/// once, at the top).
fn without_preamble(roff: &str) -> String {
    lines_without(roff, |line| line.starts_with(".ie \\n(.g") || line.starts_with(".el .ds Aq"))
}

/// A subcommand's section without the preamble and its `.SH` heading: it goes under the
/// subcommand's own heading.
fn body(roff: &str) -> String {
    lines_without(&without_preamble(roff), |line| line.starts_with(".SH "))
}

fn lines_without(roff: &str, unwanted: impl Fn(&str) -> bool) -> String {
    roff.lines().filter(|line| !unwanted(line)).map(|line| format!("{line}\n")).collect()
}

/// Help text after the options (examples, exit status), line for line as `--help` shows it:
/// roff would otherwise fill the lines into one paragraph.
fn examples(roff: &str) -> String {
    format!(".nf\n{}.fi\n", body(roff))
}

#[cfg(test)]
mod tests {
    use super::page;

    #[test]
    fn global_options_are_documented_once_and_sections_say_the_program_name() {
        let page = page("kubectl doc").unwrap();
        assert!(page.contains(".SS \"kubectl doc diagnose\"\n"), "{page}");
        // In OPTIONS, not again under every subcommand.
        assert_eq!(page.matches("\\fB\\-\\-no\\-builtin\\fR\n").count(), 1, "{page}");
    }
}
