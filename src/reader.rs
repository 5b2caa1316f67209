//! Streaming input for every command: opening paths and stdin, gzip by magic
//! bytes, the UTF-8 BOM, format detection, and splitting input into records
//! (JSONL lines, JSON documents, CSV rows) with the line each one starts on.
//!
//! Nothing here holds more than one record and one read buffer in memory.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use flate2::read::MultiGzDecoder;

use crate::progress::Progress;
use crate::schema::{Code, Diagnostic};

/// Size of the read buffer under every input.
pub const BUFFER_SIZE: usize = 256 * 1024;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const BOM: [u8; 3] = [0xef, 0xbb, 0xbf];

/// One opened input, decompressed, with its BOM already skipped.
pub struct Input {
    /// The name used in diagnostics: the path as given, or `<stdin>`.
    pub name: String,
    /// The file's path, `None` for standard input.
    pub path: Option<PathBuf>,
    /// The decoded bytes.
    pub reader: Box<dyn BufRead + Send>,
    /// A UTF-8 BOM was found (and skipped) at the start.
    pub had_bom: bool,
    /// The input was gzip-compressed.
    pub gzip: bool,
}

/// True when `name` means standard input.
pub fn is_stdin(name: &str) -> bool {
    name == "-"
}

/// Opens a path, or standard input for `-`. gzip is recognised by its magic
/// bytes whatever the name, and a UTF-8 BOM at the start is skipped.
pub fn open(name: &str) -> anyhow::Result<Input> {
    open_tracked(name, &Progress::hidden())
}

/// [`open`], with the bytes read from the file (before decompression)
/// counted on `progress`.
pub fn open_tracked(name: &str, progress: &Progress) -> anyhow::Result<Input> {
    let (raw, path): (Box<dyn Read + Send>, Option<PathBuf>) = if is_stdin(name) {
        (Box::new(progress.reader(io::stdin())), None)
    } else {
        let file = File::open(name).with_context(|| format!("cannot open {name:?}"))?;
        (Box::new(progress.reader(file)), Some(PathBuf::from(name)))
    };
    let display = if path.is_some() {
        name.to_string()
    } else {
        "<stdin>".to_string()
    };
    from_reader(display, path, raw).with_context(|| format!("cannot read {name:?}"))
}

/// Wraps any byte stream as an [`Input`] (gzip detection and BOM skipping).
pub fn from_reader(
    name: String,
    path: Option<PathBuf>,
    mut raw: Box<dyn Read + Send>,
) -> io::Result<Input> {
    let magic = read_prefix::<2>(&mut raw)?;
    let gzip = magic[..] == GZIP_MAGIC;
    let rest: Box<dyn Read + Send> = Box::new(Cursor::new(magic).chain(raw));
    let mut decoded: Box<dyn Read + Send> = if gzip {
        Box::new(MultiGzDecoder::new(BufReader::with_capacity(
            BUFFER_SIZE,
            rest,
        )))
    } else {
        rest
    };
    let head = read_prefix::<3>(&mut decoded)?;
    if head.starts_with(&[0xff, 0xfe]) || head.starts_with(&[0xfe, 0xff]) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "the input is UTF-16 (it starts with a UTF-16 byte order mark); convert it to \
             UTF-8 first, e.g. iconv -f UTF-16 -t UTF-8",
        ));
    }
    let had_bom = head[..] == BOM;
    let mut head = if had_bom { Vec::new() } else { head };
    // Format and delimiter detection look at the first buffer the reader
    // hands out, which is `head` alone: make it hold the first line.
    read_first_line(&mut decoded, &mut head)?;
    let reader = BufReader::with_capacity(BUFFER_SIZE, Cursor::new(head).chain(decoded));
    Ok(Input {
        name,
        path,
        reader: Box::new(reader),
        had_bom,
        gzip,
    })
}

/// Extends `head` until it holds a newline after some content, the end of
/// the input, or 64 KiB, reading no further than that (so a pipe that sends
/// one line at a time is not waited on).
fn read_first_line(r: &mut dyn Read, head: &mut Vec<u8>) -> io::Result<()> {
    const LIMIT: usize = 64 * 1024;
    let has_line = |h: &[u8]| {
        h.iter()
            .position(|b| !b.is_ascii_whitespace())
            .is_some_and(|start| memchr::memchr(b'\n', &h[start..]).is_some())
    };
    let mut chunk = [0u8; 4096];
    while head.len() < LIMIT && !has_line(head) {
        match r.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => head.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Reads up to `N` bytes, fewer only at the end of the input.
fn read_prefix<const N: usize>(r: &mut dyn Read) -> io::Result<Vec<u8>> {
    let mut buf = vec![0u8; N];
    let mut filled = 0;
    while filled < N {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(filled);
    Ok(buf)
}

/// The inputs named on a command line: none means standard input.
pub fn input_names(paths: &[String]) -> Vec<String> {
    if paths.is_empty() {
        vec!["-".to_string()]
    } else {
        paths.to_vec()
    }
}

/// True when `path` has the `.csv` extension (also under `.gz`).
pub fn has_csv_extension(path: &Path) -> bool {
    has_extension(path, ".csv")
}

/// True when `path` ends with `ext` (any case), also under `.gz`. Bytes are
/// compared, so a name with non-ASCII characters cannot split one.
fn has_extension(path: &Path, ext: &str) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let name = name.strip_suffix(".gz").unwrap_or(name);
    let (name, ext) = (name.as_bytes(), ext.as_bytes());
    name.len() > ext.len() && name[name.len() - ext.len()..].eq_ignore_ascii_case(ext)
}

/// The input formats of SPEC section 2.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// JSON documents: pretty-printed objects, concatenated objects, or an array.
    Json,
    /// A header row of field names, then one event per row.
    Csv,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Json => "json",
            Format::Csv => "csv",
        }
    }
}

/// How records are cut out of an input.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// The format, or `None` to detect it from the extension and content.
    pub from: Option<Format>,
    /// Longest record kept in memory; a longer one is skipped as too large.
    pub max_record_bytes: usize,
    /// CSV delimiter, or `None` to take the most frequent of `,` `;` tab in the header.
    pub delimiter: Option<u8>,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            from: None,
            max_record_bytes: 1 << 20,
            delimiter: None,
        }
    }
}

/// One record as cut from the input, before any checking.
pub struct Record<'a> {
    /// 1-based line where the record starts.
    pub line: u64,
    /// Position in a top-level JSON array.
    pub index: Option<u64>,
    /// The bytes as read, line terminator included; empty for a record that
    /// was too large (its bytes went to the spill writer instead).
    pub raw: &'a [u8],
    pub body: Body<'a>,
    /// Problems the reader found inside this record (comments, size, framing).
    pub notes: &'a [Diagnostic],
}

/// What a record holds.
pub enum Body<'a> {
    /// JSON text (comments blanked out), not yet checked for UTF-8.
    Json(&'a [u8]),
    /// A CSV row.
    Csv(CsvRow<'a>),
    /// Nothing usable: the reason is in the record's notes.
    Unreadable,
}

/// The cells of one CSV row, unescaped.
#[derive(Clone, Copy)]
pub struct CsvRow<'a> {
    cells: &'a [u8],
    ends: &'a [usize],
}

impl<'a> CsvRow<'a> {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The bytes of cell `i`.
    pub fn cell(&self, i: usize) -> &'a [u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.cells[start..self.ends[i]]
    }
}

/// The header row of a CSV input.
#[derive(Clone, Debug)]
pub struct CsvHeader {
    /// The header as read, line terminator included.
    pub raw: Vec<u8>,
    /// Column names, trimmed.
    pub names: Vec<String>,
    /// The line the header is on.
    pub line: u64,
    /// The delimiter in use.
    pub delimiter: u8,
}

/// Cuts an input into records of its format.
pub struct Records {
    /// The input's name for diagnostics.
    pub name: String,
    format: Format,
    inner: Inner,
}

enum Inner {
    Lines(LineReader),
    Doc(DocReader),
    Csv(Box<CsvReader>),
}

impl Records {
    /// Detects the format (unless given) and prepares to read. Problems found
    /// before the first record (a BOM, a missing header) go to `outside`.
    pub fn new(
        mut input: Input,
        opts: &ReadOptions,
        outside: &mut Vec<Diagnostic>,
    ) -> io::Result<Records> {
        if input.had_bom {
            outside.push(bom_note());
        }
        let format = detect_format(&mut input, opts)?;
        let max = opts.max_record_bytes.max(1);
        let inner = match format {
            Format::Jsonl => Inner::Lines(LineReader::new(input.reader, max)),
            Format::Json => Inner::Doc(DocReader::new(input.reader, max)),
            Format::Csv => {
                let delimiter = match opts.delimiter {
                    Some(d) => d,
                    None => guess_delimiter(input.reader.fill_buf()?),
                };
                Inner::Csv(Box::new(CsvReader::new(input.reader, max, delimiter)?))
            }
        };
        Ok(Records {
            name: input.name,
            format,
            inner,
        })
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// The size of a CSV header row too long for `--max-record-bytes`.
    pub fn csv_header_too_large(&self) -> Option<u64> {
        match &self.inner {
            Inner::Csv(c) => c.header_too_large,
            _ => None,
        }
    }

    /// The CSV header, for CSV input that has one.
    pub fn csv_header(&self) -> Option<&CsvHeader> {
        match &self.inner {
            Inner::Csv(c) => c.header.as_ref(),
            _ => None,
        }
    }

    /// The next record. Problems outside any record (a comment between
    /// objects, a stray character) go to `outside`. A record over the size
    /// limit is streamed to `spill` (if given) instead of being held.
    pub fn next_record(
        &mut self,
        outside: &mut Vec<Diagnostic>,
        spill: Option<&mut dyn Write>,
    ) -> io::Result<Option<Record<'_>>> {
        match &mut self.inner {
            Inner::Lines(r) => r.next_record(spill),
            Inner::Doc(r) => r.next_record(outside, spill),
            Inner::Csv(r) => r.next_record(spill),
        }
    }
}

/// The `bom` warning for an input that started with a byte order mark.
pub fn bom_note() -> Diagnostic {
    Diagnostic::warning(
        1,
        Code::Bom,
        "the input starts with a UTF-8 byte order mark; it was skipped",
    )
}

/// The input's format: `--from` if given, CSV for a `.csv` name, else
/// guessed from the first bytes (which stay in the input).
pub fn detect_format(input: &mut Input, opts: &ReadOptions) -> io::Result<Format> {
    let path = input.path.as_deref();
    Ok(match opts.from {
        Some(f) => f,
        None if path.is_some_and(has_csv_extension) => Format::Csv,
        // Documents read object by object, one per line or pretty-printed.
        None if path.is_some_and(|p| has_extension(p, ".json")) => Format::Json,
        None if path.is_some_and(|p| has_extension(p, ".jsonl") || has_extension(p, ".ndjson")) => {
            Format::Jsonl
        }
        None => detect(input.reader.fill_buf()?),
    })
}

/// Guesses JSONL, JSON documents or CSV from the first bytes.
fn detect(head: &[u8]) -> Format {
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    let head = &head[start..];
    let first_line = match memchr::memchr(b'\n', head) {
        Some(i) => &head[..i],
        None => head,
    };
    match head.first() {
        None => Format::Jsonl,
        Some(b'[') | Some(b'/') => Format::Json,
        // A pretty-printed document opens with `{` alone on its line; any
        // other first line is a record of JSONL, even a broken one, so that
        // a bad line cannot swallow the lines after it.
        Some(b'{') if first_line.trim_ascii() == b"{" => Format::Json,
        Some(b'{') => Format::Jsonl,
        Some(_) if first_line.iter().any(|b| matches!(b, b',' | b';' | b'\t')) => Format::Csv,
        Some(_) => Format::Jsonl,
    }
}

/// The most frequent of `,` `;` and tab in the first line (`,` on a tie).
pub fn guess_delimiter(head: &[u8]) -> u8 {
    let line = match memchr::memchr(b'\n', head) {
        Some(i) => &head[..i],
        None => head,
    };
    let count = |d: u8| line.iter().filter(|&&b| b == d).count();
    let (comma, semi, tab) = (count(b','), count(b';'), count(b'\t'));
    if semi > comma && semi >= tab {
        b';'
    } else if tab > comma && tab > semi {
        b'\t'
    } else {
        b','
    }
}

/// Writes spilled bytes, ignoring a missing spill writer.
fn spill_bytes(spill: &mut Option<&mut dyn Write>, bytes: &[u8]) -> io::Result<()> {
    match spill {
        Some(w) => w.write_all(bytes),
        None => Ok(()),
    }
}

/// The `record_too_large` error for a record of `size` bytes.
pub fn too_large_note(line: u64, size: u64, max: usize) -> Diagnostic {
    Diagnostic::error(
        line,
        Code::RecordTooLarge,
        format!(
            "record of {size} bytes exceeds --max-record-bytes {max}; it was skipped \
             (raise the limit to check it)"
        ),
    )
}

/// JSONL: one record per line, borrowed straight from the read buffer when
/// the line fits in it.
struct LineReader {
    input: Box<dyn BufRead + Send>,
    /// Bytes of the input's buffer handed out last time, consumed on the next call.
    pending: usize,
    /// A line that spanned buffer refills.
    long: Vec<u8>,
    /// The number of the next line.
    line: u64,
    max: usize,
    notes: Vec<Diagnostic>,
}

impl LineReader {
    fn new(input: Box<dyn BufRead + Send>, max: usize) -> Self {
        LineReader {
            input,
            pending: 0,
            long: Vec::new(),
            line: 1,
            max,
            notes: Vec::new(),
        }
    }

    fn next_record(&mut self, mut spill: Option<&mut dyn Write>) -> io::Result<Option<Record<'_>>> {
        loop {
            self.input.consume(std::mem::take(&mut self.pending));
            self.long.clear();
            self.notes.clear();
            let line = self.line;
            let mut size = 0u64;
            let mut too_large = false;
            let mut ends_with_newline = false;

            // The fast path: the whole line is in the buffer.
            let (found, available) = {
                let buf = self.input.fill_buf()?;
                (memchr::memchr(b'\n', buf), buf.len())
            };
            if available == 0 {
                return Ok(None);
            }
            if let Some(i) = found.filter(|&i| i < self.max) {
                self.pending = i + 1;
                self.line += 1;
                let blank = is_blank(&self.input.fill_buf()?[..=i]);
                if blank {
                    continue;
                }
                let buf = self.input.fill_buf()?;
                let raw = &buf[..=i];
                let body = trim_newline(raw);
                return Ok(Some(Record {
                    line,
                    index: None,
                    raw,
                    body: Body::Json(body),
                    notes: &[],
                }));
            }

            // The slow path: gather the line across refills, or spill it.
            loop {
                let buf = self.input.fill_buf()?;
                if buf.is_empty() {
                    break;
                }
                let (chunk, done) = match memchr::memchr(b'\n', buf) {
                    Some(i) => (&buf[..=i], true),
                    None => (buf, false),
                };
                size += chunk.len() as u64;
                if !too_large && size > self.max as u64 {
                    too_large = true;
                    spill_bytes(&mut spill, &self.long)?;
                    self.long = Vec::new();
                }
                if too_large {
                    spill_bytes(&mut spill, chunk)?;
                } else {
                    self.long.extend_from_slice(chunk);
                }
                let n = chunk.len();
                self.input.consume(n);
                ends_with_newline = done;
                if done {
                    break;
                }
            }
            self.line += 1;
            if too_large {
                if !ends_with_newline {
                    spill_bytes(&mut spill, b"\n")?;
                }
                self.notes.push(too_large_note(line, size, self.max));
                return Ok(Some(Record {
                    line,
                    index: None,
                    raw: &[],
                    body: Body::Unreadable,
                    notes: &self.notes,
                }));
            }
            if is_blank(&self.long) {
                continue;
            }
            let raw = &self.long[..];
            return Ok(Some(Record {
                line,
                index: None,
                raw,
                body: Body::Json(trim_newline(raw)),
                notes: &[],
            }));
        }
    }
}

/// True for a line of nothing but white space.
pub fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// A line without its `\n` or `\r\n`.
pub fn trim_newline(raw: &[u8]) -> &[u8] {
    let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
    raw.strip_suffix(b"\r").unwrap_or(raw)
}

/// State of a top-level JSON array being read item by item.
struct ArrayState {
    start_line: u64,
    next_index: u64,
    expect_value: bool,
    /// Where the last `,` was, while no value has followed it yet.
    comma_at: Option<(u64, u64)>,
}

/// JSON documents: pretty-printed objects, concatenated objects, or an
/// array of them, with comments reported and blanked out.
struct DocReader {
    input: Box<dyn BufRead + Send>,
    line: u64,
    col: u64,
    array: Option<ArrayState>,
    raw: Vec<u8>,
    body: Vec<u8>,
    notes: Vec<Diagnostic>,
    max: usize,
    too_large: bool,
    size: u64,
    /// The line where the last value was cut short inside a string.
    cut_at: Option<u64>,
}

impl DocReader {
    fn new(input: Box<dyn BufRead + Send>, max: usize) -> Self {
        DocReader {
            input,
            line: 1,
            col: 1,
            array: None,
            raw: Vec::new(),
            body: Vec::new(),
            notes: Vec::new(),
            max,
            too_large: false,
            size: 0,
            cut_at: None,
        }
    }

    fn peek(&mut self) -> io::Result<Option<u8>> {
        Ok(self.input.fill_buf()?.first().copied())
    }

    fn bump(&mut self, c: u8) {
        self.input.consume(1);
        if c == b'\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
    }

    /// Adds a byte to the current record: `raw` as read, `body` with
    /// comments blanked (`blank`), or to `spill` once the record is too large.
    fn keep(&mut self, c: u8, blank: bool, spill: &mut Option<&mut dyn Write>) -> io::Result<()> {
        self.size += 1;
        if !self.too_large && self.raw.len() >= self.max {
            self.too_large = true;
            spill_bytes(spill, &self.raw)?;
            self.raw = Vec::new();
            self.body = Vec::new();
        }
        if self.too_large {
            return spill_bytes(spill, &[c]);
        }
        self.raw.push(c);
        self.body.push(if blank && c != b'\n' { b' ' } else { c });
        Ok(())
    }

    /// Skips white space and comments between values. A comment is reported
    /// to `sink`; inside a record its bytes are kept (blanked) as well.
    fn skip_trivia(
        &mut self,
        sink: &mut Vec<Diagnostic>,
        mut record: Option<&mut Option<&mut dyn Write>>,
    ) -> io::Result<()> {
        loop {
            match self.peek()? {
                Some(c) if c.is_ascii_whitespace() => {
                    if let Some(spill) = record.as_deref_mut() {
                        self.keep(c, false, spill)?;
                    }
                    self.bump(c);
                }
                Some(b'/') => {
                    if !self.comment(sink, record.as_deref_mut())? {
                        return Ok(());
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    /// Reads a `//` or `/* */` comment starting at a `/`. Returns false
    /// (having consumed only the `/`, kept as data) when it is not one.
    fn comment(
        &mut self,
        sink: &mut Vec<Diagnostic>,
        mut record: Option<&mut Option<&mut dyn Write>>,
    ) -> io::Result<bool> {
        let (line, col) = (self.line, self.col);
        self.bump(b'/');
        let kind = self.peek()?;
        if !matches!(kind, Some(b'/') | Some(b'*')) {
            if let Some(spill) = record.as_deref_mut() {
                self.keep(b'/', false, spill)?;
            }
            return Ok(false);
        }
        if let Some(spill) = record.as_deref_mut() {
            self.keep(b'/', true, spill)?;
        }
        let block = kind == Some(b'*');
        let mut prev = 0u8;
        let mut first = true;
        loop {
            let Some(c) = self.peek()? else {
                if block {
                    sink.push(Diagnostic::error(
                        line,
                        Code::JsonSyntax,
                        format!("the /* comment at line {line} column {col} is never closed"),
                    ));
                }
                break;
            };
            if !block && c == b'\n' {
                break;
            }
            if let Some(spill) = record.as_deref_mut() {
                self.keep(c, true, spill)?;
            }
            self.bump(c);
            if block && !first && prev == b'*' && c == b'/' {
                break;
            }
            prev = c;
            first = false;
        }
        let style = if block { "/* */" } else { "//" };
        sink.push(Diagnostic::error(
            line,
            Code::JsonComment,
            format!("{style} comment at line {line} column {col}; JSON has no comments, remove it"),
        ));
        Ok(true)
    }

    fn next_record(
        &mut self,
        outside: &mut Vec<Diagnostic>,
        mut spill: Option<&mut dyn Write>,
    ) -> io::Result<Option<Record<'_>>> {
        self.raw.clear();
        self.body.clear();
        self.notes.clear();
        self.too_large = false;
        self.size = 0;
        loop {
            self.skip_trivia(outside, None)?;
            let Some(c) = self.peek()? else {
                if let Some(a) = self.array.take() {
                    outside.push(Diagnostic::error(
                        self.line,
                        Code::JsonSyntax,
                        format!(
                            "the array that starts at line {} is not closed with ']' \
                             before the end of the input",
                            a.start_line
                        ),
                    ));
                }
                return Ok(None);
            };
            let (line, col) = (self.line, self.col);
            match (self.array.as_mut(), c) {
                (None, b'[') => {
                    self.array = Some(ArrayState {
                        start_line: line,
                        next_index: 0,
                        expect_value: true,
                        comma_at: None,
                    });
                    self.bump(c);
                }
                (Some(a), b']') => {
                    if let Some((l, k)) = a.comma_at {
                        outside.push(Diagnostic::error(
                            l,
                            Code::JsonSyntax,
                            format!(
                                "trailing comma at line {l} column {k} before the ']' at line \
                                 {line} column {col}; remove the comma"
                            ),
                        ));
                    }
                    self.array = None;
                    self.bump(c);
                }
                (Some(a), b',') => {
                    if a.expect_value {
                        outside.push(Diagnostic::error(
                            line,
                            Code::JsonSyntax,
                            format!("unexpected ',' at line {line} column {col}; expected a value"),
                        ));
                    } else {
                        a.expect_value = true;
                        a.comma_at = Some((line, col));
                    }
                    self.bump(c);
                }
                (_, b'{' | b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n') => {
                    let index = match self.array.as_mut() {
                        Some(a) => {
                            if !a.expect_value {
                                outside.push(Diagnostic::error(
                                    line,
                                    Code::JsonSyntax,
                                    format!(
                                        "missing ',' before the value at line {line} column {col}"
                                    ),
                                ));
                            }
                            a.expect_value = false;
                            a.comma_at = None;
                            a.next_index += 1;
                            Some(a.next_index - 1)
                        }
                        None => None,
                    };
                    let complete = self.scan_value(&mut spill)?;
                    let body = if self.too_large {
                        self.notes.push(too_large_note(line, self.size, self.max));
                        if !self.raw.is_empty() {
                            spill_bytes(&mut spill, b"\n")?;
                        }
                        Body::Unreadable
                    } else if !complete {
                        let msg = match self.cut_at.take() {
                            Some(at) => format!(
                                "the value that starts at line {line} column {col} is cut short: \
                                 line {at} ends inside a string; reading goes on at the next line"
                            ),
                            None => format!(
                                "the value that starts at line {line} column {col} is not \
                                 closed before the end of the input"
                            ),
                        };
                        self.notes
                            .push(Diagnostic::error(line, Code::JsonSyntax, msg));
                        Body::Unreadable
                    } else {
                        Body::Json(&self.body)
                    };
                    for n in &mut self.notes {
                        n.index = index;
                    }
                    return Ok(Some(Record {
                        line,
                        index,
                        raw: if self.too_large { &[] } else { &self.raw },
                        body,
                        notes: &self.notes,
                    }));
                }
                _ => {
                    let shown = if c.is_ascii_graphic() {
                        format!("'{}'", c as char)
                    } else {
                        format!("byte 0x{c:02x}")
                    };
                    let expected = if self.array.is_some() {
                        "a value or ']'"
                    } else {
                        "'{' or '['"
                    };
                    outside.push(Diagnostic::error(
                        line,
                        Code::JsonSyntax,
                        format!(
                            "unexpected {shown} at line {line} column {col}; expected {expected} \
                             (the rest of the line was skipped)"
                        ),
                    ));
                    self.skip_line()?;
                }
            }
        }
    }

    fn skip_line(&mut self) -> io::Result<()> {
        while let Some(c) = self.peek()? {
            self.bump(c);
            if c == b'\n' {
                break;
            }
        }
        Ok(())
    }

    /// Reads one value into the record buffers. Returns false if the input
    /// ended before the value did.
    fn scan_value(&mut self, spill: &mut Option<&mut dyn Write>) -> io::Result<bool> {
        let mut depth = 0u32;
        let mut in_string = false;
        let mut escape = false;
        let mut notes = std::mem::take(&mut self.notes);
        let result = loop {
            let Some(c) = self.peek()? else { break false };
            if in_string {
                if c == b'\n' {
                    // JSON strings hold no raw line break: the value was cut
                    // short. It ends here, and reading resumes on this line.
                    self.cut_at = Some(self.line);
                    break false;
                }
                self.keep(c, false, spill)?;
                self.bump(c);
                if escape {
                    escape = false;
                } else if c == b'\\' {
                    escape = true;
                } else if c == b'"' {
                    in_string = false;
                    if depth == 0 {
                        break true;
                    }
                }
                continue;
            }
            match c {
                b'"' => in_string = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' if depth == 0 => break true,
                b'}' | b']' => depth -= 1,
                b'/' => {
                    if !self.comment(&mut notes, Some(spill))? && depth == 0 {
                        break true;
                    }
                    continue;
                }
                b',' if depth == 0 => break true,
                c if depth == 0 && c.is_ascii_whitespace() => break true,
                _ => {}
            }
            self.keep(c, false, spill)?;
            self.bump(c);
            if depth == 0 && matches!(c, b'}' | b']') {
                break true;
            }
        };
        self.notes = notes;
        Ok(result || (depth == 0 && !in_string && !self.raw.is_empty()))
    }
}

/// CSV (RFC 4180, LF or CRLF, quoted newlines) through `csv_core`, keeping
/// each row's raw bytes so quarantine files are byte-exact.
struct CsvReader {
    input: Box<dyn BufRead + Send>,
    core: csv_core::Reader,
    raw: Vec<u8>,
    cells: Vec<u8>,
    ends: Vec<usize>,
    /// Lines fully consumed so far.
    lines_done: u64,
    max: usize,
    header: Option<CsvHeader>,
    /// The size of a header row over the record limit (then `header` is `None`).
    header_too_large: Option<u64>,
    notes: Vec<Diagnostic>,
}

/// One row as found by [`CsvReader::read_row`].
struct RowSpan {
    line: u64,
    cells: usize,
    ends: usize,
    size: u64,
    too_large: bool,
}

impl CsvReader {
    fn new(input: Box<dyn BufRead + Send>, max: usize, delimiter: u8) -> io::Result<Self> {
        let core = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
        let mut r = CsvReader {
            input,
            core,
            raw: Vec::new(),
            cells: vec![0; 4096],
            ends: vec![0; 64],
            lines_done: 0,
            max,
            header: None,
            header_too_large: None,
            notes: Vec::new(),
        };
        if let Some(span) = r.read_row(&mut None)? {
            if span.too_large {
                r.header_too_large = Some(span.size);
                return Ok(r);
            }
            let row = CsvRow {
                cells: &r.cells[..span.cells],
                ends: &r.ends[..span.ends],
            };
            let names = (0..row.len())
                .map(|i| String::from_utf8_lossy(row.cell(i)).trim().to_string())
                .collect();
            r.header = Some(CsvHeader {
                raw: r.raw.clone(),
                names,
                line: span.line,
                delimiter,
            });
        }
        Ok(r)
    }

    /// Reads the next non-blank row into `cells`/`ends` (and `raw`).
    fn read_row(&mut self, spill: &mut Option<&mut dyn Write>) -> io::Result<Option<RowSpan>> {
        loop {
            self.raw.clear();
            let (mut nout, mut nend) = (0usize, 0usize);
            let mut size = 0u64;
            let mut too_large = false;
            let mut leading_newlines = 0u64;
            let mut started = false;
            let mut last_byte = 0u8;
            let start_lines = self.lines_done;
            loop {
                let buf = self.input.fill_buf()?;
                let (res, nin, o, e) =
                    self.core
                        .read_record(buf, &mut self.cells[nout..], &mut self.ends[nend..]);
                let consumed = &buf[..nin];
                // Line ends before the row (the '\n' of the previous row's
                // CRLF, blank lines) are not part of its raw bytes.
                let mut lead = 0;
                for &b in consumed {
                    if started {
                        break;
                    }
                    match b {
                        b'\n' => leading_newlines += 1,
                        b'\r' => {}
                        _ => {
                            started = true;
                            continue;
                        }
                    }
                    lead += 1;
                }
                let kept = &consumed[lead..];
                if let Some(&b) = consumed.last() {
                    last_byte = b;
                }
                self.lines_done += memchr::memchr_iter(b'\n', consumed).count() as u64;
                size += nin as u64;
                if !too_large && self.raw.len() + kept.len() > self.max {
                    too_large = true;
                    spill_bytes(spill, &self.raw)?;
                    self.raw = Vec::new();
                }
                if too_large {
                    spill_bytes(spill, kept)?;
                } else {
                    self.raw.extend_from_slice(kept);
                }
                self.input.consume(nin);
                nout += o;
                nend += e;
                match res {
                    csv_core::ReadRecordResult::InputEmpty => {}
                    csv_core::ReadRecordResult::OutputFull => {
                        if too_large {
                            nout = 0;
                        } else {
                            let n = self.cells.len() * 2;
                            self.cells.resize(n, 0);
                        }
                    }
                    csv_core::ReadRecordResult::OutputEndsFull => {
                        if too_large {
                            nend = 0;
                        } else {
                            let n = self.ends.len() * 2;
                            self.ends.resize(n, 0);
                        }
                    }
                    csv_core::ReadRecordResult::Record => break,
                    csv_core::ReadRecordResult::End => return Ok(None),
                }
            }
            let line = start_lines + leading_newlines + 1;
            if too_large {
                if last_byte != b'\n' {
                    spill_bytes(spill, b"\n")?;
                }
                return Ok(Some(RowSpan {
                    line,
                    cells: 0,
                    ends: 0,
                    size,
                    too_large,
                }));
            }
            let row = CsvRow {
                cells: &self.cells[..nout],
                ends: &self.ends[..nend],
            };
            if row.is_empty() || (row.len() == 1 && is_blank(row.cell(0))) {
                continue;
            }
            return Ok(Some(RowSpan {
                line,
                cells: nout,
                ends: nend,
                size,
                too_large,
            }));
        }
    }

    fn next_record(&mut self, mut spill: Option<&mut dyn Write>) -> io::Result<Option<Record<'_>>> {
        self.notes.clear();
        let Some(span) = self.read_row(&mut spill)? else {
            return Ok(None);
        };
        if span.too_large {
            self.notes
                .push(too_large_note(span.line, span.size, self.max));
            return Ok(Some(Record {
                line: span.line,
                index: None,
                raw: &[],
                body: Body::Unreadable,
                notes: &self.notes,
            }));
        }
        Ok(Some(Record {
            line: span.line,
            index: None,
            raw: &self.raw,
            body: Body::Csv(CsvRow {
                cells: &self.cells[..span.cells],
                ends: &self.ends[..span.ends],
            }),
            notes: &[],
        }))
    }
}
