//! The two output formats of `convert` behind one small trait: CSV through
//! the `csv` crate's writer (quoting only when a cell needs it) and JSONL
//! written by hand (table order, every value a JSON string).

use std::borrow::Cow;
use std::io::{self, BufWriter, Write};

use super::output::Sink;
use crate::reader;
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

/// A format writer. The header (if the format has one) is written when the
/// writer is made.
pub trait EventWriter {
    fn write_row(&mut self, row: &Row) -> io::Result<()>;

    /// Flushes the writer and hands back the sink under it.
    fn finish(self: Box<Self>) -> io::Result<Sink>;
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

pub struct CsvOut {
    wtr: csv::Writer<Sink>,
    columns: usize,
    excel_safe: bool,
    scratch: String,
}

impl CsvOut {
    /// Writes the BOM (if asked) and the header: the contract's fields in
    /// table order, then the extra columns.
    pub fn new(mut sink: Sink, style: &CsvStyle, columns: &[String]) -> io::Result<CsvOut> {
        if style.bom {
            sink.write_all(b"\xef\xbb\xbf")?;
        }
        let terminator = if style.crlf {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        };
        let mut wtr = csv::WriterBuilder::new()
            .delimiter(style.delimiter)
            .terminator(terminator)
            .quote_style(csv::QuoteStyle::Necessary)
            .has_headers(false)
            .buffer_capacity(reader::BUFFER_SIZE)
            .from_writer(sink);
        wtr.write_record(
            FIELDS
                .iter()
                .copied()
                .chain(columns.iter().map(|c| c.as_str())),
        )?;
        Ok(CsvOut {
            wtr,
            columns: columns.len(),
            excel_safe: style.excel_safe,
            scratch: String::new(),
        })
    }

    fn cell(&mut self, text: Option<Cow<str>>) -> io::Result<()> {
        let text = text.as_deref().unwrap_or("");
        if self.excel_safe && text.starts_with(['=', '+', '-', '@']) {
            self.scratch.clear();
            self.scratch.push('\'');
            self.scratch.push_str(text);
            self.wtr.write_field(&self.scratch).map_err(io_error)
        } else {
            self.wtr.write_field(text).map_err(io_error)
        }
    }
}

impl EventWriter for CsvOut {
    fn write_row(&mut self, row: &Row) -> io::Result<()> {
        for i in 0..FIELDS.len() {
            self.cell(row.field(i))?;
        }
        for j in 0..self.columns {
            self.cell(row.extra(j))?;
        }
        self.wtr.write_record(None::<&[u8]>).map_err(io_error)
    }

    fn finish(self: Box<Self>) -> io::Result<Sink> {
        self.wtr.into_inner().map_err(|e| e.into_error())
    }
}

pub struct JsonlOut {
    out: BufWriter<Sink>,
    columns: Vec<String>,
    /// One line, reused for every record.
    line: Vec<u8>,
}

impl JsonlOut {
    pub fn new(sink: Sink, columns: &[String]) -> JsonlOut {
        JsonlOut {
            out: BufWriter::with_capacity(reader::BUFFER_SIZE, sink),
            columns: columns.to_vec(),
            line: Vec::with_capacity(512),
        }
    }
}

fn member(line: &mut Vec<u8>, key: &str, value: &str) {
    if line.len() > 1 {
        line.push(b',');
    }
    write_json_string(line, key);
    line.push(b':');
    write_json_string(line, value);
}

impl EventWriter for JsonlOut {
    fn write_row(&mut self, row: &Row) -> io::Result<()> {
        self.line.clear();
        self.line.push(b'{');
        for (i, name) in FIELDS.iter().enumerate() {
            if let Some(text) = row.field(i) {
                member(&mut self.line, name, &text);
            }
        }
        for (j, name) in self.columns.iter().enumerate() {
            if let Some(text) = row.extra(j) {
                member(&mut self.line, name, &text);
            }
        }
        self.line.extend_from_slice(b"}\n");
        self.out.write_all(&self.line)
    }

    fn finish(self: Box<Self>) -> io::Result<Sink> {
        self.out.into_inner().map_err(|e| e.into_error())
    }
}
