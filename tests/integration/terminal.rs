//! What users see at fixed terminal widths (`COLUMNS`), with colour and without: snapshots of
//! the main outputs, and a check that no line but a command is wider than the screen.

use crate::util::k8sdoc;

/// The outputs a user reads most, as argument lists.
const OUTPUTS: &[(&str, &[&str])] = &[
    ("list", &["list", "--category", "cluster-management"]),
    ("show-15", &["show", "15"]),
    ("diagnose", &["diagnose", "-s", "DiskPressure", "-s", "pods evicted"]),
    ("diagnose-brief", &["diagnose", "-s", "DiskPressure", "-s", "pods evicted", "--brief"]),
    ("analyze", &["analyze", "tests/fixtures/dump"]),
];

fn run(args: &[&str], width: usize, color: bool) -> String {
    let out = k8sdoc()
        .env("COLUMNS", width.to_string())
        .args(["--color", if color { "always" } else { "never" }])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The SGR sequence k8sdoc paints commands with (`output::style::Role::Command`).
const COMMAND: &str = "\x1b[32m";

fn strip_escapes(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // CSI: ESC [ parameters final-byte
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn snapshots_at_80_and_120_columns_with_and_without_colour() {
    for (name, args) in OUTPUTS {
        for width in [80, 120] {
            for color in [false, true] {
                let text = run(args, width, color);
                // Escapes written as `\e` so the snapshot files stay readable.
                let shown = text.replace('\x1b', "\\e");
                let snapshot = format!("{name}-{width}{}", if color { "-color" } else { "" });
                insta::assert_snapshot!(snapshot, shown);
            }
        }
    }
}

#[test]
fn no_line_but_a_command_is_wider_than_the_screen() {
    for (name, args) in OUTPUTS {
        for width in [80, 120] {
            let coloured = run(args, width, true);
            for line in coloured.lines() {
                // Commands are never wrapped (a wrapped command copies wrong); they are painted as
                // commands, which is how they are told apart here.
                if line.trim_start().starts_with(COMMAND) {
                    continue;
                }
                let plain = strip_escapes(line);
                let columns = plain.chars().count();
                assert!(columns <= width, "{name} at {width}: {columns} columns: {plain:?}");
            }
            // Colour changes no widths: the same text without it.
            let plain: Vec<String> = coloured.lines().map(strip_escapes).collect();
            let uncoloured = run(args, width, false);
            assert_eq!(plain, uncoloured.lines().map(str::to_string).collect::<Vec<_>>(), "{name} at {width}");
        }
    }
}

#[test]
fn piped_output_is_not_fitted_and_has_no_trailing_spaces() {
    for (name, args) in OUTPUTS {
        let out = k8sdoc().env_remove("COLUMNS").args(["--color", "never"]).args(*args).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        for line in text.lines() {
            assert_eq!(line, line.trim_end(), "{name}: trailing spaces in {line:?}");
        }
    }
}

#[test]
fn the_default_answer_fits_a_24_line_screen() {
    for query in
        ["DiskPressure", "pods stuck terminating", "ImagePullBackOff", "etcdserver: mvcc: database space exceeded"]
    {
        let text = run(&["diagnose", "-s", query], 80, false);
        let lines = text.lines().count();
        assert!(lines <= 24, "{query}: {lines} lines:\n{text}");
        assert!(text.contains("more: `k8sdoc show "), "{query}: says how to see more:\n{text}");
    }
}

#[test]
fn fix_prints_only_commands_ready_to_paste() {
    let out = k8sdoc().args(["fix", "1"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text, "kubectl patch pod <pod-name> -p '{\"metadata\":{\"finalizers\":[]}}' --type=merge\n");
    let json: serde_json::Value =
        serde_json::from_slice(&k8sdoc().args(["show", "1", "--format", "json"]).output().unwrap().stdout).unwrap();
    assert_eq!(
        json[0]["commands"]["fix"][0],
        "kubectl patch pod <pod-name> -p '{\"metadata\":{\"finalizers\":[]}}' --type=merge"
    );
    k8sdoc().args(["fix", "99999"]).assert().code(2);
}
