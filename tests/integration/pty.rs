//! k8sdoc on a real pseudo-terminal, where what is drawn depends on `isatty`: the progress bar
//! of a slow index build on stderr, the pager for long output on stdout, the prompt to paste
//! on stdin. Each is checked on the terminal and, the same run otherwise, with that stream piped.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use rustix::fs::{Mode, OFlags};
use rustix::pty::{grantpt, openpt, ptsname, unlockpt, OpenptFlags};
use rustix::termios::{tcsetwinsize, Winsize};

use crate::util::{k8sdoc_process, repo};

/// What the progress bar says; nothing else k8sdoc prints says it.
const PROGRESS: &str = "building the index";

/// A run has this long to finish: a hung run fails instead of hanging the suite.
const TIMEOUT: Duration = Duration::from_secs(300);

/// A pseudo-terminal 24 rows by 100 columns: `master` is the screen, `slave` what k8sdoc gets.
struct Pty {
    master: File,
    slave: OwnedFd,
}

fn open_pty() -> Pty {
    // CLOEXEC and NOCTTY on both ends: the tests run in parallel, and another test's child must
    // not inherit the terminal (its master would then never see the end), nor may the test
    // process adopt it as its controlling terminal.
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY | OpenptFlags::CLOEXEC).unwrap();
    grantpt(&master).unwrap();
    unlockpt(&master).unwrap();
    let name = ptsname(&master, Vec::new()).unwrap();
    let slave =
        rustix::fs::open(name.as_c_str(), OFlags::RDWR | OFlags::NOCTTY | OFlags::CLOEXEC, Mode::empty()).unwrap();
    tcsetwinsize(&master, Winsize { ws_row: 24, ws_col: 100, ws_xpixel: 0, ws_ypixel: 0 }).unwrap();
    Pty { master: File::from(master), slave }
}

impl Pty {
    fn stdio(&self) -> Stdio {
        Stdio::from(self.slave.try_clone().unwrap())
    }

    /// Everything the terminal shows, as it comes, until every process holding the slave end has
    /// closed it (Linux then fails the read with EIO).
    fn screen(&self) -> Receiver<Vec<u8>> {
        let mut master = self.master.try_clone().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = master.read(&mut buf) {
                if tx.send(buf[..n].to_vec()).is_err() {
                    break;
                }
            }
        });
        rx
    }
}

/// Runs `cmd` (its stdio set by the caller, the slave end among them), closes this process's
/// copies of the slave end, and returns the exit code, stdout and stderr that were piped, and
/// everything the terminal showed.
fn run(mut cmd: Command, pty: Pty) -> (Option<i32>, String, String, String) {
    let screen = pty.screen();
    let mut child = cmd.spawn().unwrap();
    // The command holds copies of the slave end in its Stdio, and `pty` holds the original: both
    // must go, or the screen never ends.
    drop(cmd);
    drop(pty.slave);
    let stdout = child.stdout.take().map(|mut s| std::thread::spawn(move || read_all(&mut s)));
    let stderr = child.stderr.take().map(|mut s| std::thread::spawn(move || read_all(&mut s)));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            panic!("k8sdoc did not finish within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let collect = |h: Option<std::thread::JoinHandle<String>>| h.map(|h| h.join().unwrap()).unwrap_or_default();
    let (stdout, stderr) = (collect(stdout), collect(stderr));
    let shown: Vec<u8> = screen.iter().flatten().collect();
    (status.code(), stdout, stderr, String::from_utf8_lossy(&shown).into_owned())
}

fn read_all(r: &mut impl Read) -> String {
    let mut text = String::new();
    r.read_to_string(&mut text).unwrap();
    text
}

/// A catalog large enough that building its index takes well over the bar's delay (300 ms): the
/// built-in scenarios copied under new numbers and titles. A debug build indexes a scenario in
/// about 15 ms, a release build in about 1 ms: each gets a catalog of a few seconds' work.
fn large_catalog(dir: &Path) -> std::path::PathBuf {
    let copies = if cfg!(debug_assertions) { 2 } else { 14 };
    let mut blocks = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(repo().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(file).unwrap();
        let mut rest = text.as_str();
        while let Some(at) = rest.find("### 🔹 Scenario #") {
            rest = &rest[at..];
            let end = rest[1..].find("### 🔹 Scenario #").map_or(rest.len(), |i| i + 1);
            blocks.push(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
    assert!(blocks.len() > 200, "the built-in catalog shrank: {} scenarios", blocks.len());
    let mut out = String::from("# A large catalog\n\n");
    let mut id = 5001;
    for copy in 0..copies {
        for block in &blocks {
            let (heading, body) = block.split_once('\n').unwrap();
            let title = heading.split_once(": ").map_or("Untitled", |(_, t)| t);
            out.push_str(&format!("### 🔹 Scenario #{id}: {title} (copy {copy})\n{body}"));
            id += 1;
        }
    }
    let path = dir.join("large.md");
    std::fs::write(&path, out).unwrap();
    path
}

/// `k8sdoc diagnose` over `catalog` alone, with an empty cache, so that the index is built.
fn diagnose_building(catalog: &Path, cache: &Path) -> Command {
    let mut cmd = k8sdoc_process();
    cmd.env("K8SDOC_CACHE_DIR", cache).env("TERM", "xterm-256color").env_remove("COLUMNS");
    cmd.arg("--no-builtin").arg("--scenarios").arg(catalog);
    cmd.args(["--no-pager", "diagnose", "-s", "pods stuck terminating", "--format", "json"]);
    cmd
}

#[test]
fn a_slow_index_build_shows_progress_on_a_terminal_and_clears_it() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = large_catalog(dir.path());

    let pty = open_pty();
    let mut cmd = diagnose_building(&catalog, &dir.path().join("cache-1"));
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(pty.stdio());
    let (code, stdout, _, screen) = run(cmd, pty);
    assert_eq!(code, Some(0), "{screen}");
    let last = screen.rfind(PROGRESS).unwrap_or_else(|| panic!("no progress bar on the terminal:\n{screen:?}"));
    assert!(screen.contains(" scenarios"), "{screen:?}");
    // Cleared when done: the line is erased after the last drawing.
    assert!(screen[last..].contains("\x1b[2K"), "progress bar left on the screen:\n{screen:?}");
    // Only on stderr: the JSON on stdout is untouched.
    assert!(!stdout.contains(PROGRESS) && !stdout.contains('\x1b'), "{stdout}");
    serde_json::from_str::<serde_json::Value>(&stdout).unwrap();

    // The same build with stderr piped (stdout still a terminal): nothing of the bar anywhere.
    let pty = open_pty();
    let mut cmd = diagnose_building(&catalog, &dir.path().join("cache-2"));
    cmd.stdin(Stdio::null()).stdout(pty.stdio()).stderr(Stdio::piped());
    let (code, _, stderr, screen) = run(cmd, pty);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains(PROGRESS) && !stderr.contains('\x1b'), "{stderr:?}");
    assert!(!screen.contains(PROGRESS), "{screen:?}");
    assert!(screen.contains("\"results\""), "{screen:?}");
}

/// A pager that marks every line it shows.
const PAGER: &str = "sed -e 's/^/PAGED| /'";

fn long_list() -> Command {
    let mut cmd = k8sdoc_process();
    cmd.env("K8SDOC_PAGER", PAGER).env_remove("COLUMNS").args(["list", "--color", "never"]);
    cmd
}

#[test]
fn long_output_goes_through_the_pager_only_on_a_terminal() {
    let pty = open_pty();
    let mut cmd = long_list();
    cmd.stdin(Stdio::null()).stdout(pty.stdio()).stderr(Stdio::piped());
    let (code, _, stderr, screen) = run(cmd, pty);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(screen.contains("PAGED| ") && screen.contains("1401"), "not paged:\n{screen}");
    // Every line went through the pager.
    let lines: Vec<&str> = screen.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(lines.len() > 24 && lines.iter().all(|l| l.starts_with("PAGED| ")), "{screen}");

    let out = long_list().stdin(Stdio::null()).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success());
    assert!(stdout.contains("1401") && !stdout.contains("PAGED"), "{stdout}");
}

#[test]
fn reading_stdin_from_a_terminal_says_how_to_end_it() {
    let pty = open_pty();
    let mut master = pty.master.try_clone().unwrap();
    let mut cmd = k8sdoc_process();
    cmd.args(["diagnose", "--from", "-", "--format", "json"]);
    cmd.stdin(pty.stdio()).stdout(Stdio::piped()).stderr(pty.stdio());
    let screen = pty.screen();
    let child = cmd.spawn().unwrap();
    drop(cmd);
    drop(pty.slave);
    // The prompt comes before k8sdoc waits for input.
    let started = Instant::now();
    let mut shown = String::new();
    while !shown.contains("Ctrl-D") {
        let chunk = screen.recv_timeout(TIMEOUT.saturating_sub(started.elapsed())).expect("no prompt to paste");
        shown.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(shown.contains("k8sdoc: reading stdin: paste the output, then press Ctrl-D"), "{shown:?}");
    // A pasted line, then Ctrl-D at the start of a line: the end of the input.
    master.write_all(b"Warning  FailedScheduling  0/3 nodes are available: 3 Insufficient cpu.\n\x04").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!v["results"].as_array().unwrap().is_empty(), "{v}");
}
