//! Progress bars on stderr for long runs (SPEC 7): by bytes of input read,
//! with rate and ETA, only when stderr is a terminal, never with `--quiet`,
//! and only once a run has lasted long enough to be worth one.

use std::io::{self, IsTerminal, Read};
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a run goes before its bar appears.
const SHOW_AFTER: Duration = Duration::from_millis(800);

/// A progress display shared by the inputs of one run; a no-op when hidden.
#[derive(Clone)]
pub struct Progress {
    inner: Option<Arc<Inner>>,
}

struct Inner {
    bar: ProgressBar,
    started: Instant,
    shown: std::sync::atomic::AtomicBool,
}

impl Progress {
    /// No display at all.
    pub fn hidden() -> Self {
        Progress { inner: None }
    }

    /// A bar for reading `inputs` (paths, `-` for stdin), shown only when
    /// `wanted` (not `--quiet`) and stderr is a terminal. The total is the
    /// sum of the files' sizes on disk (compressed size for gzip), unknown
    /// when stdin is among them.
    pub fn for_inputs(inputs: &[String], wanted: bool) -> Self {
        if !wanted || !io::stderr().is_terminal() {
            return Progress::hidden();
        }
        let total: Option<u64> = inputs
            .iter()
            .map(|name| {
                if crate::reader::is_stdin(name) {
                    None
                } else {
                    std::fs::metadata(name)
                        .ok()
                        .filter(|m| m.is_file())
                        .map(|m| m.len())
                }
            })
            .sum();
        let bar = match total {
            Some(len) => ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden())
                .with_style(
                    ProgressStyle::with_template(
                        "{bar:30} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} \
                         ETA {eta} {msg}",
                    )
                    .expect("valid template"),
                ),
            None => ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden()).with_style(
                ProgressStyle::with_template(
                    "{spinner} {binary_bytes} read, {binary_bytes_per_sec}",
                )
                .expect("valid template"),
            ),
        };
        Progress {
            inner: Some(Arc::new(Inner {
                bar,
                started: Instant::now(),
                shown: std::sync::atomic::AtomicBool::new(false),
            })),
        }
    }

    /// True when a bar may be drawn (stderr is a terminal and it was wanted).
    pub fn is_active(&self) -> bool {
        self.inner.is_some()
    }

    /// Counts `n` more bytes read.
    pub fn inc(&self, n: u64) {
        let Some(inner) = &self.inner else { return };
        inner.bar.inc(n);
        inner.show_when_due();
    }

    /// Runs `f` with the bar cleared, so lines written to the same terminal
    /// do not mix with it.
    pub fn suspend<T>(&self, f: impl FnOnce() -> T) -> T {
        match &self.inner {
            Some(inner) => inner.bar.suspend(f),
            None => f(),
        }
    }

    /// Sets the text shown after the bar (counts of a run, for example).
    pub fn set_message(&self, message: String) {
        if let Some(inner) = &self.inner {
            inner.bar.set_message(message);
            inner.show_when_due();
        }
    }

    /// Prints a line on stderr above the bar.
    pub fn println(&self, line: &str) {
        self.suspend(|| eprintln!("{line}"));
    }

    /// Removes the bar before the summary is printed.
    pub fn finish(&self) {
        if let Some(inner) = &self.inner {
            inner.bar.finish_and_clear();
        }
    }

    /// Wraps a byte stream so that reading it advances the bar.
    pub fn reader<R: Read>(&self, inner: R) -> CountingReader<R> {
        CountingReader {
            inner,
            progress: self.clone(),
        }
    }
}

impl Inner {
    /// Starts drawing once the run has lasted long enough.
    fn show_when_due(&self) {
        use std::sync::atomic::Ordering::Relaxed;
        if !self.shown.load(Relaxed) && self.started.elapsed() >= SHOW_AFTER {
            self.shown.store(true, Relaxed);
            self.bar
                .set_draw_target(ProgressDrawTarget::stderr_with_hz(8));
        }
    }
}

/// A reader that reports the bytes it reads to a [`Progress`].
pub struct CountingReader<R> {
    inner: R,
    progress: Progress,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.inc(n as u64);
        Ok(n)
    }
}
