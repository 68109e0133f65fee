//! `k8sdoc diagnose`: reads symptoms and pasted output, runs the engine, renders the ranking.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::catalog::check_category;
use crate::catalog::model::Scenario;
use crate::cli::{DiagnoseArgs, DiagnoseFormat, Settings};
use crate::encoding;
use crate::engine::extract::{LineExtractor, Signal};
use crate::engine::store::{self, Provenance, Stale, StoreOptions};
use crate::engine::{self, Input, InputOrigin};
use crate::exit_codes::Outcome;
use crate::output::diagnose::{Report, View};
use crate::output::progress::IndexProgress;
use crate::output::warnings::{report_problems, warn};
use crate::output::Screen;
use crate::output::{write_json, write_yaml};

/// Pasted text shorter than this with no recognisable signal is read as a typed description.
const DESCRIPTION_LINES: usize = 20;

pub(crate) fn run(args: &DiagnoseArgs, settings: &Settings, out: &mut dyn Write, screen: Screen) -> Result<Outcome> {
    let mut inputs: Vec<Input> =
        args.symptoms.iter().filter(|s| !s.trim().is_empty()).map(|s| Input::symptom(s)).collect();
    let mut why_none = None;
    if let Some(path) = &args.from {
        match read_pasted(path, settings)? {
            Pasted::Inputs(pasted) => inputs.extend(pasted),
            Pasted::Nothing(why) => why_none = Some(why),
        }
    }
    if inputs.is_empty() {
        // Say what was wrong with what was given: "give --from FILE" to someone who did is no help.
        let why = why_none.unwrap_or_else(|| {
            let given = if args.symptoms.is_empty() { "" } else { "--symptom is blank; " };
            format!("{given}give --symptom TEXT, or --from FILE (`-` for stdin) with pasted output")
        });
        bail!("nothing to diagnose: {why}");
    }
    match answer(args, settings, &inputs, out, screen, &settings.store) {
        // A catalog file changed under the index without its size or mtime moving: rebuild, once.
        Err(err) if store::is_stale(&err) => {
            let options = StoreOptions { rebuild: true, ..settings.store.clone() };
            answer(args, settings, &inputs, out, screen, &options)
        }
        other => other,
    }
}

fn answer(
    args: &DiagnoseArgs,
    settings: &Settings,
    inputs: &[Input],
    out: &mut dyn Write,
    screen: Screen,
    options: &StoreOptions,
) -> Result<Outcome> {
    let started = Instant::now();
    let opened = {
        // Dropped (and so cleared from the screen) before anything else is printed.
        let progress = IndexProgress::new(settings.terminal.stderr && !settings.quiet);
        store::open(&settings.catalog, options, &|phase, done, total| progress.report(phase, done, total))?
    };
    let opened_at = started.elapsed();
    if !settings.quiet {
        report_problems(&opened.file.problems.iter().collect::<Vec<_>>(), settings.verbose);
    }
    if settings.verbose {
        let place = opened.path.as_ref().map_or("no cache directory".to_string(), |p| p.display().to_string());
        let how = match opened.provenance {
            Provenance::Cached => format!("read from {place}"),
            Provenance::Built => format!("built and saved to {place}"),
            Provenance::BuiltUncached => format!("built; could not save it to {place}"),
        };
        let why = match opened.stale {
            Some(Stale::Corrupt) => " (the cached index was damaged: checksum mismatch)",
            Some(Stale::Undecodable) => " (the cached index did not decode)",
            Some(Stale::Outdated) => " (the catalog or k8sdoc changed since the cached index)",
            Some(Stale::Missing) | None => "",
        };
        warn(&format!("index {how}{why}"));
    }
    let rules = &opened.rules;
    let index = opened.view()?;
    if let Some(wanted) = args.category.as_deref() {
        // The catalog is not loaded when the index is read from the cache; the index knows
        // every scenario's category.
        check_category(wanted, index.categories()?)?;
    }
    let engine_settings =
        engine::Settings { limit: settings.limit, category: args.category.clone(), text_only: args.text_only };
    let diagnosis = engine::diagnose(&index, rules, inputs, &engine_settings);
    let ranked_at = started.elapsed();
    let scenarios: Vec<Scenario> =
        diagnosis.results.iter().map(|r| opened.scenario(&index, r.doc)).collect::<Result<_>>()?;
    if settings.verbose {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        warn(&format!(
            "timing: index {:.1} ms, ranking {:.1} ms, scenario text {:.1} ms",
            ms(opened_at),
            ms(ranked_at - opened_at),
            ms(started.elapsed() - ranked_at)
        ));
    }
    let close: Vec<&Scenario> = scenarios.iter().take(diagnosis.close()).collect();
    let discriminators = engine::discriminate(&close);
    let report = Report {
        index: &index,
        diagnosis: &diagnosis,
        inputs,
        scenarios: &scenarios,
        rules,
        discriminators: &discriminators,
    };
    match args.format {
        DiagnoseFormat::Text => {
            let view = if args.explain {
                View::Explain
            } else if args.brief {
                View::Brief
            } else {
                View::Default
            };
            report.text(out, screen, view)?
        }
        DiagnoseFormat::Markdown => report.markdown(out)?,
        DiagnoseFormat::Json => write_json(out, &report.doc(args.explain))?,
        DiagnoseFormat::Yaml => write_yaml(out, &report.doc(args.explain))?,
    }
    if diagnosis.results.is_empty() {
        let why = match diagnosis.below_floor {
            0 => "no scenario matched".to_string(),
            n => format!("no scenario matched strongly enough ({n} share only a word or two with it)"),
        };
        warn(&format!("{why}; try other words, or `{} search -i WORD` to grep the catalog", settings.program));
    }
    let found = !diagnosis.results.is_empty();
    // The process exits right after this: freeing thousands of small index allocations one by
    // one would only delay the exit.
    std::mem::forget(diagnosis);
    std::mem::forget(opened);
    Ok(Outcome::from_found(found))
}

/// What `--from` gave.
enum Pasted {
    Inputs(Vec<Input>),
    /// Nothing to diagnose, and why, for the error message.
    Nothing(String),
}

/// Signals from a file or stdin; short free text with no signal counts as a description.
fn read_pasted(path: &std::path::Path, settings: &Settings) -> Result<Pasted> {
    let stdin = path.as_os_str() == "-";
    let (name, paste) = if stdin {
        // Someone typing `--from -` at a prompt gets a silent wait otherwise, and may not know
        // how to end the input.
        if settings.terminal.stdin {
            warn("reading stdin: paste the output, then press Ctrl-D");
        }
        ("stdin".to_string(), read_paste(&mut std::io::stdin().lock()).context("cannot read stdin")?)
    } else {
        let paste = std::fs::File::open(path).and_then(|mut file| read_paste(&mut file));
        (path.display().to_string(), paste.with_context(|| format!("{}: cannot read", path.display()))?)
    };
    if settings.verbose {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        warn(&format!(
            "timing: paste read {:.1} ms, signals extracted {:.1} ms ({} lines, {} signals)",
            ms(paste.timing.read),
            ms(paste.timing.extract),
            paste.lines,
            paste.signals.len()
        ));
    }
    if !paste.signals.is_empty() {
        return Ok(Pasted::Inputs(paste.signals.iter().map(Input::signal).collect()));
    }
    if paste.non_blank > 0 && paste.non_blank <= DESCRIPTION_LINES {
        let mut input = Input::symptom(&paste.description.join(" "));
        input.origin = InputOrigin::File(name);
        return Ok(Pasted::Inputs(vec![input]));
    }
    let emptiness = if paste.bytes == 0 { "empty" } else { "blank" };
    let why = match (stdin, paste.non_blank) {
        (true, 0) => format!(
            "stdin was {emptiness}; pipe the output in: `kubectl describe pod P | {} diagnose --from -`",
            settings.program
        ),
        (false, 0) => format!("{name} is {emptiness}"),
        (_, n) => format!(
            "no signal k8sdoc recognises in {name}, and at {n} lines it is too long to read as a description \
             (up to {DESCRIPTION_LINES}); describe what you see with --symptom TEXT"
        ),
    };
    Ok(Pasted::Nothing(why))
}

/// A paste, read line by line: a large log is never held whole.
struct Paste {
    signals: Vec<Signal>,
    /// Bytes read, a byte-order mark included.
    bytes: u64,
    lines: usize,
    /// Non-blank lines, and the first of them: few enough, they are a typed description.
    non_blank: usize,
    description: Vec<String>,
    timing: PasteTiming,
}

/// Where reading a paste spent its time, for `-v`.
struct PasteTiming {
    /// Reading and decoding the bytes.
    read: Duration,
    /// Extracting the signals from the decoded lines.
    extract: Duration,
}

fn read_paste(reader: &mut dyn Read) -> std::io::Result<Paste> {
    let started = Instant::now();
    let mut extracting = Duration::ZERO;
    let mut extractor = LineExtractor::default();
    let (mut non_blank, mut description) = (0, Vec::new());
    let bytes = encoding::read_lines(reader, &mut |piece| {
        // Timed per piece (up to a MiB), not per line: a million clock reads would show.
        let at = Instant::now();
        for line in piece.lines() {
            extractor.push(line);
            if !line.trim().is_empty() {
                non_blank += 1;
                if non_blank <= DESCRIPTION_LINES {
                    description.push(line.to_string());
                }
            }
        }
        extracting += at.elapsed();
    })?;
    let at = Instant::now();
    let lines = extractor.count();
    let signals = extractor.finish();
    extracting += at.elapsed();
    let timing = PasteTiming { read: started.elapsed().saturating_sub(extracting), extract: extracting };
    Ok(Paste { signals, bytes, lines, non_blank, description, timing })
}
