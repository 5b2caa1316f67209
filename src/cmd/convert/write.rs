//! The two output formats of `convert`: CSV through the `csv` crate's writer
//! (quoting only when a cell needs it) and JSONL written by hand (table
//! order, every value a JSON string). Rows are formatted into memory by
//! [`Rows`], on the main thread or on the workers of `--threads`, and
//! [`EventWriter`] moves the bytes to the output.

use std::borrow::Cow;
use std::io::{self, Write};

use super::output::Sink;
use crate::schema::{value_text, write_json_string, Event, Value, FIELDS};

/// One record ready to write: the event, and for each `--columns` name the
/// position of its value in `event.extras` (`None` when the record lacks it).
pub struct Row<'r, 'a> {
    pub event: &'r Event<'a>,
    pub extras: &'r [Option<usize>],
}

impl<'r> Row<'r, '_> {
    /// The text of contract field `i`; `None` when absent, null or empty.
    fn field(&self, i: usize) -> Option<Cow<'r, str>> {
        self.event.fields[i].as_ref().and_then(text)
    }

    /// The text of extra column `j`; `None` when absent, null or empty.
    fn extra(&self, j: usize) -> Option<Cow<'r, str>> {
        let k = self.extras.get(j).copied().flatten()?;
        self.event.extras.get(k).and_then(|(_, v)| text(v))
    }
}

/// A value as written. An empty string is written as absent, because an
/// empty CSV cell reads back as absent: this keeps every round trip exact
/// (it only matters under `--no-validate`, which lets empty strings through).
fn text<'v>(value: &'v Value) -> Option<Cow<'v, str>> {
    value_text(value).filter(|t| !t.is_empty())
}

/// Why a value cannot be written as text without loss, if it cannot.
pub fn unconvertible(value: &Value) -> Option<&'static str> {
    match value {
        Value::Object => Some("an object cannot be one cell or string"),
        Value::Array => Some("an array cannot be one cell or string"),
        Value::Float(_) => Some(
            "a number with a fraction or exponent (or beyond 64 bits) cannot be kept \
             digit for digit; write it as a string",
        ),
        _ => None,
    }
}

/// How CSV output looks.
#[derive(Clone, Debug)]
pub struct CsvStyle {
    pub delimiter: u8,
    pub crlf: bool,
    pub bom: bool,
    /// Prefix cells that start with `= + - @` with `'`.
    pub excel_safe: bool,
}

/// The I/O error inside a CSV error, kept as it is so that a closed stdout
/// is still recognised as a broken pipe.
fn io_error(err: csv::Error) -> io::Error {
    match err.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("cannot write CSV: {other:?}")),
    }
}

/// The shape of the output: CSV in a style, or JSONL; and the extra columns.
#[derive(Clone, Debug)]
pub struct Layout {
    /// `None` for JSONL.
    pub csv: Option<CsvStyle>,
    /// `--columns`: extra fields after the contract's.
    pub columns: Vec<String>,
}

/// Rows formatted into memory: the bytes the output gets, without BOM or
/// header. One per worker block, or one reused by the [`EventWriter`].
pub struct Rows {
    format: Format,
    columns: usize,
}

enum Format {
    Csv {
        wtr: Box<csv::Writer<Vec<u8>>>,
        excel_safe: bool,
        scratch: String,
    },
    Jsonl {
        out: Vec<u8>,
        names: Vec<String>,
    },
}

fn csv_writer(style: &CsvStyle) -> csv::Writer<Vec<u8>> {
    let terminator = if style.crlf {
        csv::Terminator::CRLF
    } else {
        csv::Terminator::Any(b'\n')
    };
    csv::WriterBuilder::new()
        .delimiter(style.delimiter)
        .terminator(terminator)
        .quote_style(csv::QuoteStyle::Necessary)
        .has_headers(false)
        .buffer_capacity(64 * 1024)
        .from_writer(Vec::new())
}

impl Rows {
    pub fn new(layout: &Layout) -> Rows {
        let format = match &layout.csv {
            Some(style) => Format::Csv {
                wtr: Box::new(csv_writer(style)),
                excel_safe: style.excel_safe,
                scratch: String::new(),
            },
            None => Format::Jsonl {
                out: Vec::new(),
                names: layout.columns.clone(),
            },
        };
        Rows {
            format,
            columns: layout.columns.len(),
        }
    }

    /// The header row: the contract's fields in table order, then the extra
    /// columns (CSV only).
    fn write_header(&mut self, columns: &[String]) -> io::Result<()> {
        if let Format::Csv { wtr, .. } = &mut self.format {
            let names = FIELDS
                .iter()
                .copied()
                .chain(columns.iter().map(String::as_str));
            wtr.write_record(names).map_err(io_error)?;
        }
        Ok(())
    }

    pub fn write_row(&mut self, row: &Row) -> io::Result<()> {
        match &mut self.format {
            Format::Csv {
                wtr,
                excel_safe,
                scratch,
            } => {
                let texts = (0..FIELDS.len())
                    .map(|i| row.field(i))
                    .chain((0..self.columns).map(|j| row.extra(j)));
                for text in texts {
                    let text = text.as_deref().unwrap_or("");
                    if *excel_safe && text.starts_with(['=', '+', '-', '@']) {
                        scratch.clear();
                        scratch.push('\'');
                        scratch.push_str(text);
                        wtr.write_field(&*scratch).map_err(io_error)?;
                    } else {
                        wtr.write_field(text).map_err(io_error)?;
                    }
                }
                wtr.write_record(None::<&[u8]>).map_err(io_error)
            }
            Format::Jsonl { out, names } => {
                let start = out.len();
                out.push(b'{');
                for (i, name) in FIELDS.iter().enumerate() {
                    if let Some(text) = row.field(i) {
                        member(out, start, name, &text);
                    }
                }
                for (j, name) in names.iter().enumerate() {
                    if let Some(text) = row.extra(j) {
                        member(out, start, name, &text);
                    }
                }
                out.extend_from_slice(b"}\n");
                Ok(())
            }
        }
    }

    /// Bytes formatted and not yet taken (CSV keeps up to its buffer aside).
    fn pending(&self) -> usize {
        match &self.format {
            Format::Csv { wtr, .. } => wtr.get_ref().len(),
            Format::Jsonl { out, .. } => out.len(),
        }
    }

    /// All the bytes formatted so far; the formatter is left empty.
    pub fn take(&mut self, layout: &Layout) -> io::Result<Vec<u8>> {
        match std::mem::replace(self, Rows::new(layout)).format {
            Format::Csv { wtr, .. } => wtr.into_inner().map_err(|e| e.into_error()),
            Format::Jsonl { out, .. } => Ok(out),
        }
    }
}

/// Appends `"key":"value"` to the object that starts at `start` in `line`.
fn member(line: &mut Vec<u8>, start: usize, key: &str, value: &str) {
    if line.len() > start + 1 {
        line.push(b',');
    }
    write_json_string(line, key);
    line.push(b':');
    write_json_string(line, value);
}

/// Bytes kept in memory before they are written out.
const FLUSH_AT: usize = 256 * 1024;

/// Writes the output: the BOM and header when made, then rows formatted
/// here or by the workers, in order.
pub struct EventWriter {
    layout: Layout,
    rows: Rows,
    sink: Sink,
}

impl EventWriter {
    /// Writes the BOM (if asked) and the header (for CSV).
    pub fn new(mut sink: Sink, layout: Layout) -> io::Result<EventWriter> {
        if layout.csv.as_ref().is_some_and(|s| s.bom) {
            sink.write_all(b"\xef\xbb\xbf")?;
        }
        let mut rows = Rows::new(&layout);
        rows.write_header(&layout.columns)?;
        Ok(EventWriter { layout, rows, sink })
    }

    pub fn write_row(&mut self, row: &Row) -> io::Result<()> {
        self.rows.write_row(row)?;
        if self.rows.pending() >= FLUSH_AT {
            self.drain()?;
        }
        Ok(())
    }

    /// Writes rows formatted elsewhere by a [`Rows`] of the same layout.
    pub fn write_formatted(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.drain()?;
        self.sink.write_all(bytes)
    }

    fn drain(&mut self) -> io::Result<()> {
        let bytes = self.rows.take(&self.layout)?;
        self.sink.write_all(&bytes)
    }

    /// Writes what is left and hands back the sink.
    pub fn finish(mut self) -> io::Result<Sink> {
        self.drain()?;
        Ok(self.sink)
    }
}
