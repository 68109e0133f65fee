//! The progress bar on stderr while the index of a catalog is built: a large user catalog takes
//! seconds the first time, and a silent terminal looks hung. It appears only on a terminal and
//! only once building has taken longer than [`DELAY`], so the usual fast build shows nothing,
//! and it is cleared when the build ends, leaving the screen as it was.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::engine::store::Phase;

/// How long a build runs before the bar appears: shorter than this and a bar would only flash.
const DELAY: Duration = Duration::from_millis(300);

/// How often the spinner moves, so the bar shows life between reports (reading the catalog
/// reports nothing until it is done).
const TICK: Duration = Duration::from_millis(100);

/// The progress of one index build; give [`IndexProgress::report`] to `store::open`. Dropping it
/// clears the bar.
pub(crate) struct IndexProgress {
    enabled: bool,
    /// Started at the first report: a cached index reports nothing, and then nothing is set up.
    shown: OnceLock<Shown>,
}

/// The bar, drawn nowhere until the timer gives it stderr.
struct Shown {
    bar: ProgressBar,
    /// Dropped to tell the timer the build is over.
    stop: Mutex<Option<Sender<()>>>,
    timer: Mutex<Option<JoinHandle<()>>>,
}

impl IndexProgress {
    /// A display that draws only when `enabled` (stderr is a terminal and `-q` was not given).
    pub(crate) fn new(enabled: bool) -> IndexProgress {
        IndexProgress { enabled, shown: OnceLock::new() }
    }

    /// The store's progress callback.
    pub(crate) fn report(&self, phase: Phase, done: usize, total: usize) {
        if !self.enabled {
            return;
        }
        let shown = self.shown.get_or_init(start);
        match phase {
            Phase::Reading => shown.bar.set_message("reading the catalog"),
            Phase::Indexing => {
                if shown.bar.length().is_none() {
                    shown.bar.set_style(bar_style());
                    shown.bar.set_length(total as u64);
                }
                shown.bar.set_position(done as u64);
            }
        }
    }
}

impl Drop for IndexProgress {
    fn drop(&mut self) {
        let Some(shown) = self.shown.get() else { return };
        // The timer must have given up or drawn before the bar is cleared, or it could draw a
        // bar after the clearing.
        drop(shown.stop.lock().ok().and_then(|mut s| s.take()));
        if let Some(timer) = shown.timer.lock().ok().and_then(|mut t| t.take()) {
            let _ = timer.join();
        }
        shown.bar.finish_and_clear();
    }
}

/// A hidden bar, and the timer that shows it on stderr after [`DELAY`] unless told to stop.
fn start() -> Shown {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    bar.set_style(spinner_style());
    let (stop, stopped) = mpsc::channel::<()>();
    let timer = {
        let bar = bar.clone();
        std::thread::spawn(move || {
            if let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(DELAY) {
                bar.set_draw_target(ProgressDrawTarget::stderr());
                bar.enable_steady_tick(TICK);
            }
        })
    };
    Shown { bar, stop: Mutex::new(Some(stop)), timer: Mutex::new(Some(timer)) }
}

/// While the catalog is read: how many scenarios are not known yet.
fn spinner_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} building the index: {msg}")
        .expect("valid progress template")
        .tick_chars("-\\|/ ")
}

fn bar_style() -> ProgressStyle {
    ProgressStyle::with_template("{spinner} building the index [{bar:30}] {pos}/{len} scenarios")
        .expect("valid progress template")
        .tick_chars("-\\|/ ")
        .progress_chars("=> ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disabled_display_sets_nothing_up() {
        let progress = IndexProgress::new(false);
        progress.report(Phase::Indexing, 1, 10);
        assert!(progress.shown.get().is_none());
    }

    #[test]
    fn a_fast_build_never_draws() {
        let started = std::time::Instant::now();
        let progress = IndexProgress::new(true);
        progress.report(Phase::Reading, 0, 1);
        progress.report(Phase::Indexing, 5, 10);
        let shown = progress.shown.get().expect("set up at the first report");
        // A test thread held up past the delay may rightly have drawn.
        assert!(shown.bar.is_hidden() || started.elapsed() >= DELAY, "drawn before {DELAY:?}");
        assert_eq!(shown.bar.length(), Some(10));
    }
}
