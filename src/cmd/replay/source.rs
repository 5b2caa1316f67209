//! Records to replay, read one at a time through the shared
//! [`EventStream`]: where each starts, its bytes as read (for
//! `--failed-out`), the body to send, its fields (for `{field}` headers)
//! and, when it breaks the event contract, why.
//!
//! The body of a JSON record is its bytes as read, so a retry or a replay of
//! `--failed-out` sends exactly the same bytes; a CSV row is sent as the
//! canonical JSON object of its fields, and goes to `--failed-out` as read,
//! under its header.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context};

use crate::progress::Progress;
use crate::reader::{self, Format, ReadOptions};
use crate::schema::{self, Diagnostic, EventStream, Rules, FIELDS};

/// One record of an input.
pub struct Record {
    /// Position among the input's records, from 0: the checkpoint's key.
    pub ordinal: u64,
    /// 1-based line where the record starts.
    pub line: u64,
    /// Position in a JSON array, when the input is one.
    pub index: Option<u64>,
    /// The bytes as read; empty for a record over `--max-record-bytes`,
    /// which is never held in memory.
    pub raw: Vec<u8>,
    /// For a CSV row, the header it belongs to (written before it in
    /// `--failed-out`, so that file can be replayed).
    pub csv_header: Option<Arc<Vec<u8>>>,
    /// A record over `--max-record-bytes`, streamed as read to a temporary
    /// file for `--failed-out` (see [`Spilled`]).
    pub spilled: Option<Spilled>,
    /// The body to send; empty when the record cannot be sent at all.
    pub body: Vec<u8>,
    /// The record's fields that have a text value.
    pub fields: Vec<(String, String)>,
    /// Why the record breaks the event contract, if it does.
    pub problem: Option<String>,
}

impl Record {
    /// A field of the record, as text.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The records of one input, in order.
pub struct Records {
    stream: EventStream,
    ordinal: u64,
    diags: Vec<Diagnostic>,
    /// Where a record too large to hold goes, when `--failed-out` wants it.
    spill: Option<SpillFile>,
    csv_header: Option<Arc<Vec<u8>>>,
}

/// A temporary file holding one record too large to keep in memory, until
/// the collector copies it to `--failed-out`. It is removed when dropped.
#[derive(Debug)]
pub struct Spilled {
    path: PathBuf,
}

impl Spilled {
    /// Appends the record, as read, to `out`.
    pub fn copy_to(&self, out: &mut dyn Write) -> io::Result<()> {
        io::copy(&mut File::open(&self.path)?, out).map(|_| ())
    }
}

impl Drop for Spilled {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The writer handed to the stream for records too large to hold: it makes
/// a temporary file only when a record is actually spilled.
struct SpillFile {
    file: Option<(PathBuf, BufWriter<File>)>,
    made: u64,
}

impl SpillFile {
    /// The spilled record of the last read, if there was one.
    fn take(&mut self) -> io::Result<Option<Spilled>> {
        match self.file.take() {
            Some((path, mut out)) => {
                let spilled = Spilled { path };
                out.flush()?;
                Ok(Some(spilled))
            }
            None => Ok(None),
        }
    }
}

impl Write for SpillFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.file.is_none() {
            self.made += 1;
            let name = format!(
                "clickstream-replay-{}-{}.spill",
                std::process::id(),
                self.made
            );
            let path = std::env::temp_dir().join(name);
            let file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)?;
            self.file = Some((path, BufWriter::new(file)));
        }
        match &mut self.file {
            Some((_, out)) => out.write(buf),
            None => Ok(0),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some((_, out)) => out.flush(),
            None => Ok(()),
        }
    }
}

impl Records {
    /// Opens an input. A CSV header that lacks or repeats a column is an
    /// error here: no row of such a file can be sent.
    pub fn open(
        name: &str,
        read: &ReadOptions,
        rules: Rules,
        validate: bool,
        keep_too_large: bool,
        progress: &Progress,
    ) -> anyhow::Result<Self> {
        let input = reader::open_tracked(name, progress)?;
        let mut diags = Vec::new();
        let stream = EventStream::new(input, read, rules, &mut diags)
            .with_context(|| format!("cannot read {name:?}"))?;
        if !stream.header_ok() {
            let reasons: Vec<String> = diags
                .iter()
                .filter(|d| d.is_error())
                .map(|d| d.to_string())
                .collect();
            bail!(
                "{}:{}: {}",
                stream.name(),
                diags.first().map_or(1, |d| d.line),
                reasons.join("; ")
            );
        }
        let csv_header = stream.csv_header().map(|h| Arc::new(h.raw.clone()));
        let stream = if validate {
            stream
        } else {
            stream.without_validation()
        };
        Ok(Records {
            stream,
            ordinal: 0,
            diags: Vec::new(),
            spill: keep_too_large.then_some(SpillFile {
                file: None,
                made: 0,
            }),
            csv_header,
        })
    }

    /// The input's display name.
    pub fn name(&self) -> &str {
        self.stream.name()
    }

    /// The next record, `None` at the end of the input.
    pub fn next_record(&mut self) -> anyhow::Result<Option<Record>> {
        self.diags.clear();
        let csv = self.stream.format() == Format::Csv;
        let name = self.stream.name().to_string();
        let spill = self.spill.as_mut().map(|s| s as &mut dyn Write);
        let item = self
            .stream
            .next_item(&mut self.diags, spill)
            .with_context(|| format!("cannot read {name:?}"))?;
        let Some(item) = item else {
            return Ok(None);
        };
        let spilled = match self.spill.as_mut() {
            Some(spill) => spill.take().context("cannot write a temporary file")?,
            None => None,
        };
        let raw = item.raw.to_vec();
        let mut fields = Vec::new();
        let mut body = Vec::new();
        if let Some(event) = &item.event {
            for (i, field) in FIELDS.iter().enumerate() {
                if let Some(text) = event.text(i) {
                    fields.push((field.to_string(), text.into_owned()));
                }
            }
            for (key, value) in &event.extras {
                if let Some(text) = schema::value_text(value) {
                    fields.push((key.to_string(), text.into_owned()));
                }
            }
            if csv {
                event.write_json(&mut body);
            }
        }
        if !csv {
            body = raw.trim_ascii().to_vec();
        }
        let csv_header = self.csv_header.clone();
        let problem = (!item.is_valid()).then(|| {
            let reasons: Vec<String> = self
                .diags
                .iter()
                .filter(|d| d.is_error() && d.line == item.line && d.index == item.index)
                .map(|d| d.to_string())
                .collect();
            if reasons.is_empty() {
                "error[invalid] the record breaks the event contract".to_string()
            } else {
                reasons.join("; ")
            }
        });
        let ordinal = self.ordinal;
        self.ordinal += 1;
        Ok(Some(Record {
            ordinal,
            line: item.line,
            index: item.index,
            raw,
            csv_header,
            spilled,
            body,
            fields,
            problem,
        }))
    }
}
