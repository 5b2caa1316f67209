//! The collector: the one place outcomes arrive. It writes `--failed-out`
//! (records as read), `--report` (one JSON line per record) and the
//! checkpoint, in that order, so a record is marked finished only once it
//! was delivered or its failure is on disk in `--failed-out`; it also
//! counts, prints per-record problems on stderr (personal data masked) and
//! drives the progress bar.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;

use super::checkpoint::Checkpoint;
use super::mask::Masker;
use super::summary::Stats;
use super::worker::{Fate, Finished};
use crate::progress::Progress;

/// An output file the user asked for.
pub struct Output {
    name: String,
    wtr: BufWriter<File>,
    /// The CSV header last written, so rows of one header share it.
    header: Option<Arc<Vec<u8>>>,
}

impl Output {
    /// Creates the file, or appends to it when resuming a checkpointed run.
    pub fn open(path: &Path, append: bool) -> anyhow::Result<Self> {
        let name = path.display().to_string();
        let file = if append {
            OpenOptions::new().create(true).append(true).open(path)
        } else {
            File::create(path)
        };
        let file = file.with_context(|| format!("cannot write {name:?}"))?;
        Ok(Output {
            name,
            wtr: BufWriter::new(file),
            header: None,
        })
    }

    /// Writes a CSV header unless the rows before had the same one.
    fn write_header(&mut self, header: &Arc<Vec<u8>>) -> anyhow::Result<()> {
        if self.header.as_ref().is_some_and(|h| h == header) {
            return Ok(());
        }
        self.header = Some(Arc::clone(header));
        self.write_record(header)
    }

    /// Writes a record as read, with a newline if it lacks one.
    fn write_record(&mut self, raw: &[u8]) -> anyhow::Result<()> {
        let name = &self.name;
        crate::quarantine::write_line(&mut self.wtr, raw)
            .and_then(|()| self.wtr.flush())
            .with_context(|| format!("cannot write {name:?}"))
    }

    /// Copies a record that was too large to hold, as read (it ends with a newline).
    fn write_spilled(&mut self, spilled: &super::source::Spilled) -> anyhow::Result<()> {
        let name = &self.name;
        spilled
            .copy_to(&mut self.wtr)
            .with_context(|| format!("cannot write {name:?}"))?;
        self.wtr
            .flush()
            .with_context(|| format!("cannot write {name:?}"))
    }

    fn write_line(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        let name = &self.name;
        self.wtr
            .write_all(bytes)
            .with_context(|| format!("cannot write {name:?}"))?;
        self.wtr
            .write_all(b"\n")
            .with_context(|| format!("cannot write {name:?}"))?;
        self.wtr
            .flush()
            .with_context(|| format!("cannot write {name:?}"))
    }
}

/// Where outcomes go.
pub struct Collector {
    pub stats: Stats,
    pub failed_out: Option<Output>,
    pub report: Option<Output>,
    pub checkpoint: Option<Checkpoint>,
    /// Display names of the inputs, by index.
    pub names: Vec<String>,
    pub show_pii: bool,
    /// Secrets of the URL, redacted from every message.
    pub secrets: Vec<String>,
    pub quiet: bool,
    pub progress: Progress,
    pub started: Instant,
    last_tick: Option<Instant>,
}

impl Collector {
    pub fn new(names: Vec<String>, show_pii: bool, quiet: bool, progress: Progress) -> Self {
        Collector {
            stats: Stats::default(),
            failed_out: None,
            report: None,
            checkpoint: None,
            names,
            show_pii,
            secrets: Vec::new(),
            quiet,
            progress,
            started: Instant::now(),
            last_tick: None,
        }
    }

    /// Takes one outcome: files first, then the checkpoint, then counts.
    pub fn take(&mut self, f: Finished) -> anyhow::Result<()> {
        for (key, latency) in &f.log {
            *self.stats.status.entry(key.clone()).or_default() += 1;
            self.stats.latency.add(*latency);
        }
        self.stats.requests += f.log.len() as u64;
        self.stats.retries += f.log.len().saturating_sub(1) as u64;
        let problem = match &f.fate {
            Fate::Unsent => {
                self.stats.unsent += 1;
                return Ok(());
            }
            Fate::Delivered => None,
            Fate::Failed(reason) | Fate::Invalid(reason) => Some(reason.clone()),
        };
        if problem.is_some() {
            if let Some(out) = self.failed_out.as_mut() {
                if let Some(header) = &f.job.csv_header {
                    out.write_header(header)?;
                }
                match &f.job.spilled {
                    Some(spilled) => out.write_spilled(spilled)?,
                    None => out.write_record(&f.job.raw)?,
                }
            }
        }
        if self.report.is_some() {
            let line = self.report_line(&f, problem.as_deref());
            if let Some(out) = self.report.as_mut() {
                out.write_line(line.as_bytes())?;
            }
        }
        // Finished means delivered, or kept in --failed-out: a failure kept
        // nowhere must be handled again by a rerun (SPEC 6).
        let finished = problem.is_none() || self.failed_out.is_some();
        if let (Some(cp), true) = (self.checkpoint.as_mut(), finished) {
            cp.mark(f.job.input, f.job.ordinal)
                .context("cannot write the checkpoint")?;
        }
        self.stats.records += 1;
        match &f.fate {
            Fate::Delivered => self.stats.delivered += 1,
            Fate::Failed(_) => self.stats.failed += 1,
            _ => self.stats.invalid += 1,
        }
        if let Some(reason) = problem {
            if !self.quiet {
                let message = self.problem_message(&f, &reason);
                self.say(&message);
            }
        }
        self.tick();
        Ok(())
    }

    /// Saves the checkpoint compactly and clears the progress bar.
    pub fn finish(&mut self) -> anyhow::Result<()> {
        self.progress.finish();
        if let Some(cp) = self.checkpoint.as_mut() {
            cp.compact().context("cannot write the checkpoint")?;
        }
        Ok(())
    }

    /// Prints a line on stderr without tearing the progress bar.
    pub fn say(&self, line: &str) {
        self.progress.println(line);
    }

    fn tick(&mut self) {
        if !self.progress.is_active() {
            return;
        }
        let now = Instant::now();
        if self
            .last_tick
            .is_some_and(|t| now - t < Duration::from_millis(100))
        {
            return;
        }
        self.last_tick = Some(now);
        let secs = (now - self.started).as_secs_f64().max(0.001);
        let s = &self.stats;
        self.progress.set_message(format!(
            "{} delivered, {} failed, {} invalid, {} retries, {:.0} req/s",
            s.delivered,
            s.failed,
            s.invalid,
            s.retries,
            s.requests as f64 / secs
        ));
    }

    /// What hides the record's personal data in text meant for people.
    fn masker(&self, f: &Finished) -> Masker {
        Masker::new(&f.job.pii, &self.secrets, self.show_pii)
    }

    fn place(&self, f: &Finished) -> String {
        let name = self
            .names
            .get(f.job.input)
            .map(String::as_str)
            .unwrap_or("-");
        match f.job.index {
            Some(i) => format!("{name}:{}[{i}]", f.job.line),
            None => format!("{name}:{}", f.job.line),
        }
    }

    fn problem_message(&self, f: &Finished, reason: &str) -> String {
        let event = match &f.job.event_id {
            Some(id) => format!("event {id:?}"),
            None => "record".to_string(),
        };
        let text = match &f.fate {
            Fate::Invalid(_) => format!("{event} not sent, invalid: {reason}"),
            _ if f.attempts == 0 => format!("{event} not sent: {reason}"),
            _ => {
                let tries = if f.attempts == 1 {
                    "attempt"
                } else {
                    "attempts"
                };
                format!("{event} failed after {} {tries}: {reason}", f.attempts)
            }
        };
        let masker = self.masker(f);
        let mut text = masker.text(&text);
        if let (Some(snippet), Fate::Failed(_)) = (&f.snippet, &f.fate) {
            text.push_str(": ");
            text.push_str(&masker.snippet(snippet));
        }
        format!("clickstream: replay: {}: {text}", self.place(f))
    }

    fn report_line(&self, f: &Finished, problem: Option<&str>) -> String {
        let outcome = match f.fate {
            Fate::Delivered => "delivered",
            Fate::Invalid(_) => "invalid",
            _ => "failed",
        };
        let latency = f.latency.map(|d| (d.as_secs_f64() * 1e6).round() / 1e3);
        let masker = self.masker(f);
        let value = serde_json::json!({
            "file": self.names.get(f.job.input),
            "line": f.job.line,
            "index": f.job.index,
            "event_id": f.job.event_id,
            "outcome": outcome,
            "status": f.status,
            "attempts": f.attempts,
            "latency_ms": latency,
            "error": problem.map(|p| masker.text(p)),
            "response": f.snippet.as_deref().map(|s| masker.snippet(s)),
        });
        value.to_string()
    }
}
