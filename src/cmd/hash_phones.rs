//! `hash-phones` (SPEC section 4): normalise phone numbers from plain lists,
//! a CSV column or a JSONL field, and write their SHA-256 in input order.
//!
//! This file owns the flags, the per-value verdict ([`PhoneHasher`]), the
//! plain-list loop, the summary and the output file; `table` reads CSV and
//! `events` reads JSONL. The hot path allocates nothing per line: one reused
//! line buffer, the digest in a stack array, its encoding in a stack buffer,
//! and one `BufWriter` for all output.

mod events;
mod table;

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};
use base64::Engine;
use clap::ValueEnum;
use sha2::{Digest, Sha256};

use crate::blocks::{self, Stop};
use crate::files;
use crate::phone::{self, CountryCode, Normalised, Target};
use crate::progress::Progress;
use crate::{exit, reader, report};

/// Normalise phone numbers and write their SHA-256, one per input line.
///
/// Reads one number per line (or a CSV column with --column, or a JSONL
/// field with --field) from FILEs or standard input, gzip or not. Output
/// keeps input order. Bad lines are reported on stderr with their line
/// number and the value masked, and give no output line. Exit status: 0 all
/// lines hashed or blank, 1 any bad line, 2 usage or I/O error.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  clickstream hash-phones phones.txt > hashes.txt
  clickstream hash-phones --default-country 91 --unique national.txt
  clickstream hash-phones --column phone customers.csv > customers-hashed.csv
  clickstream hash-phones --field reference_id events.jsonl > events-hashed.jsonl
  clickstream hash-phones --target e164 --encoding base64 phones.txt")]
pub struct Args {
    /// Input files; none or `-` reads standard input.
    #[arg(value_name = "FILE")]
    pub files: Vec<String>,

    /// Read CSV and hash this column (its cells are replaced by their hash).
    #[arg(long, value_name = "NAME", conflicts_with = "field")]
    pub column: Option<String>,

    /// With --column: keep the column and add `NAME_sha256` as the last column.
    #[arg(long, requires = "column")]
    pub keep_column: bool,

    /// With --column: the CSV delimiter, one character (`;`, `tab` or `\t`); guessed
    /// from the header when not given
    #[arg(long, value_name = "CHAR", value_parser = crate::cli::parse_delimiter)]
    pub delimiter: Option<u8>,

    /// Read JSONL events and hash this field where it holds a 12-digit number;
    /// 64-hex values pass through, other values are left and counted, but a
    /// phone number or digest in another spelling is an error (record left out)
    #[arg(long, value_name = "NAME")]
    pub field: Option<String>,

    /// Country code for numbers written without one (`91`): a trunk `0` is
    /// dropped and the code put in front.
    #[arg(long, value_name = "CC", value_parser = CountryCode::parse)]
    pub default_country: Option<CountryCode>,

    /// Which form of the number is hashed: `contract` (12 digits), `digits`
    /// (8 to 15 digits) or `e164` (`+` and digits).
    #[arg(long, value_enum, value_name = "FORM", default_value_t = TargetArg::Contract)]
    pub target: TargetArg,

    /// How each hash is written.
    #[arg(long, value_enum, value_name = "ENC", default_value_t = Encoding::Hex)]
    pub encoding: Encoding,

    /// Treat a country-91 number that is not a mobile number as an error.
    #[arg(long)]
    pub strict: bool,

    /// Write an empty line (or, for CSV, an empty hash cell) for each blank,
    /// bad or dropped line, so output line N belongs to input line N.
    #[arg(long)]
    pub keep_alignment: bool,

    /// Drop repeated hashes. Memory: about 20 to 40 bytes per distinct number.
    #[arg(long, conflicts_with = "field")]
    pub unique: bool,

    /// Print no summary and no warnings (errors are still printed).
    #[arg(short, long)]
    pub quiet: bool,

    /// Show phone numbers unmasked in messages.
    #[arg(long)]
    pub show_pii: bool,

    /// Write the output to FILE (replaced only when the run completes).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Worker threads for plain lists (default or 0: all cores, at most 16; 1: one thread)
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,

    /// Longest line or record read (e.g. 65536, 512K, 4M); a longer one is reported
    /// and skipped
    #[arg(long, value_name = "SIZE", default_value = "1M", value_parser = crate::cli::parse_size)]
    pub max_record_bytes: usize,
}

/// `--target`: the form of the number that is hashed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TargetArg {
    /// Country code and national number, exactly 12 digits (this contract).
    Contract,
    /// Country code and national number, 8 to 15 digits.
    Digits,
    /// `+`, country code and national number (E.164).
    E164,
}

/// `--encoding`: how the 32 bytes of a digest are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Encoding {
    /// 64 lowercase hexadecimal characters.
    Hex,
    /// 44 characters of standard base64 with padding.
    Base64,
}

/// Runs `hash-phones` and returns its exit status.
pub fn run(args: Args) -> anyhow::Result<u8> {
    let names = reader::input_names(&args.files);
    ensure_inputs_are_not_output(&names, args.output.as_deref())?;
    if args.column.is_none() && args.field.is_none() {
        if let Some(csv) = names
            .iter()
            .find(|n| reader::has_csv_extension(Path::new(n)))
        {
            bail!("{csv:?} is a CSV file; name the phone column with --column NAME");
        }
    }

    let mut sink = Sink::create(args.output.as_deref())?;
    let progress = Progress::for_inputs(&names, !args.quiet);
    let mut hasher = PhoneHasher::new(&args, progress.clone());
    let started = Instant::now();
    let result = run_inputs(&args, &names, &mut hasher, &mut sink.out, &progress);
    let result = result.and_then(|()| sink.finish());
    hasher.flush_messages();
    progress.finish();
    result?;

    if !args.quiet {
        hasher
            .summary
            .print(started.elapsed().as_secs_f64(), args.field.is_some());
    }
    Ok(if hasher.summary.invalid() > 0 {
        exit::PROBLEMS
    } else {
        exit::SUCCESS
    })
}

fn run_inputs(
    args: &Args,
    names: &[String],
    hasher: &mut PhoneHasher,
    out: &mut dyn Write,
    progress: &Progress,
) -> anyhow::Result<()> {
    let mut table = args.column.as_deref().map(|c| table::Table::new(c, args));
    let threads = blocks::thread_count(args.threads);
    for name in names {
        let mut input = reader::open_tracked(name, progress)?;
        if input.had_bom {
            hasher.warn_bom(&input.name);
        }
        let done = if let Some(table) = table.as_mut() {
            table.run(&mut input, hasher, out)
        } else if let Some(field) = args.field.as_deref() {
            events::run(&mut input, field, hasher, out)
        } else if threads > 1 {
            run_lines_in_blocks(&mut input, threads, hasher, out)
        } else {
            run_lines(&mut input, hasher, out)
        };
        done.with_context(|| format!("while reading {:?}", input.name))?;
        hasher.flush_messages();
    }
    out.flush().context("cannot write the output")?;
    Ok(())
}

/// Plain lists: one value per line.
fn run_lines(
    input: &mut reader::Input,
    hasher: &mut PhoneHasher,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut line = Vec::with_capacity(256);
    let mut number = 0u64;
    while let Some(len) = read_line(&mut *input.reader, &mut line, hasher.max_record_bytes)? {
        number += 1;
        let at = Place {
            file: &input.name,
            line: number,
            field: None,
        };
        let verdict = match line_text(&line, len) {
            Ok(text) if text.starts_with('{') => hasher.reject(Problem::JsonRecord, "", &at),
            Ok(text) => hasher.judge(text, &at),
            Err(problem) => hasher.reject(problem, "", &at),
        };
        match verdict {
            Verdict::Hashed(code) => {
                out.write_all(code.as_bytes())?;
                out.write_all(b"\n")?;
            }
            _ if hasher.keep_alignment => out.write_all(b"\n")?,
            _ => {}
        }
    }
    Ok(())
}

/// Plain lists on several cores: workers normalise and hash blocks of
/// lines; the counting, `--unique` and the output happen here, in order.
fn run_lines_in_blocks(
    input: &mut reader::Input,
    threads: usize,
    hasher: &mut PhoneHasher,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let max = hasher.max_record_bytes;
    let options = hasher.options.clone();
    let work = |_: u64, block: &[u8]| {
        blocks::lines(block)
            .map(|(start, raw)| {
                let text = raw.strip_suffix(b"\n").unwrap_or(raw);
                let len = text.len();
                let text = text.strip_suffix(b"\r").unwrap_or(text);
                let computed = if len > max {
                    Computed::Failed(Problem::TooLong(len))
                } else {
                    match std::str::from_utf8(text) {
                        Ok(t) if t.starts_with('{') => Computed::Failed(Problem::JsonRecord),
                        Ok(t) => compute(&options, t),
                        Err(_) => Computed::Failed(Problem::InvalidUtf8),
                    }
                };
                (start, start + text.len(), computed)
            })
            .collect::<Vec<_>>()
    };
    let mut sink = LineSink {
        hasher,
        out,
        file: &input.name,
    };
    // Each line's result takes about three times its bytes: smaller blocks
    // keep the results in flight within the memory budget.
    let result = blocks::run(
        &mut *input.reader,
        threads,
        256 * 1024,
        max,
        work,
        &mut sink,
    );
    match result {
        Ok(()) => Ok(()),
        Err(Stop::Read(err)) => Err(err.into()),
        Err(Stop::Sink(err)) => Err(anyhow::Error::new(err).context("cannot write the output")),
    }
}

/// Takes hashed blocks in input order: counts, reports and writes them.
struct LineSink<'a> {
    hasher: &'a mut PhoneHasher,
    out: &'a mut dyn Write,
    file: &'a str,
}

impl LineSink<'_> {
    fn write(&mut self, verdict: Verdict) -> io::Result<()> {
        match verdict {
            Verdict::Hashed(code) => {
                self.out.write_all(code.as_bytes())?;
                self.out.write_all(b"\n")
            }
            _ if self.hasher.keep_alignment => self.out.write_all(b"\n"),
            _ => Ok(()),
        }
    }
}

impl blocks::Sink<Vec<(usize, usize, Computed)>> for LineSink<'_> {
    fn block(
        &mut self,
        first_line: u64,
        bytes: &[u8],
        done: Vec<(usize, usize, Computed)>,
    ) -> io::Result<()> {
        for (i, (start, end, computed)) in done.into_iter().enumerate() {
            let at = Place {
                file: self.file,
                line: first_line + i as u64,
                field: None,
            };
            // Lines refused before normalising are reported without their value.
            let value = match &computed {
                Computed::Failed(Problem::Phone(_)) | Computed::Hashed { .. } => {
                    std::str::from_utf8(&bytes[start..end]).unwrap_or("")
                }
                _ => "",
            };
            let verdict = self.hasher.account(computed, value, &at);
            self.write(verdict)?;
        }
        Ok(())
    }

    fn spill(&mut self, _: &[u8]) -> io::Result<()> {
        Ok(())
    }

    fn too_large(&mut self, line: u64, size: u64) -> io::Result<()> {
        let at = Place {
            file: self.file,
            line,
            field: None,
        };
        let len = usize::try_from(size.saturating_sub(1)).unwrap_or(usize::MAX);
        let verdict = self
            .hasher
            .account(Computed::Failed(Problem::TooLong(len)), "", &at);
        self.write(verdict)
    }
}

/// The text of a line read by [`read_line`], without a trailing `\r`.
fn line_text(line: &[u8], len: usize) -> Result<&str, Problem> {
    if len > line.len() {
        return Err(Problem::TooLong(len));
    }
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    std::str::from_utf8(line).map_err(|_| Problem::InvalidUtf8)
}

/// Reads one line without its `\n` into `buf` (cleared first), keeping at
/// most `cap` bytes of it; a longer line is consumed whole but not kept.
/// Returns the line's full length, or `None` at the end of the input.
pub(crate) fn read_line(
    rdr: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    cap: usize,
) -> io::Result<Option<usize>> {
    buf.clear();
    let mut total = 0usize;
    let mut any = false;
    loop {
        let chunk = match rdr.fill_buf() {
            Ok(chunk) => chunk,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(any.then_some(total));
        }
        any = true;
        let (take, end) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (i, true),
            None => (chunk.len(), false),
        };
        let room = cap.saturating_sub(buf.len());
        buf.extend_from_slice(&chunk[..take.min(room)]);
        total = total.saturating_add(take);
        rdr.consume(take + usize::from(end));
        if end {
            return Ok(Some(total));
        }
    }
}

/// Where a value was read, for messages.
pub(crate) struct Place<'a> {
    pub file: &'a str,
    pub line: u64,
    /// The CSV column or JSON field, `None` for plain lists.
    pub field: Option<&'a str>,
}

/// What became of one value.
pub(crate) enum Verdict {
    /// Hashed (or passed through as a digest): write this.
    Hashed(Encoded),
    /// Blank: skipped and counted.
    Blank,
    /// Reported on stderr and counted.
    Bad,
    /// The same hash was written before (`--unique`).
    Duplicate,
}

/// What normalising and hashing one value gave, before any counting: the
/// part of the work that needs no shared state, so workers can do it.
enum Computed {
    Blank,
    Failed(Problem),
    Hashed {
        digest: [u8; 32],
        /// The value already was a digest.
        already: bool,
        warning: Option<phone::Warning>,
    },
}

/// Normalises `value` and hashes it (SPEC 4).
fn compute(options: &phone::Options, value: &str) -> Computed {
    if phone::trim(value).is_empty() {
        return Computed::Blank;
    }
    let (normalised, warning) = match phone::normalise(value, options) {
        Ok(ok) => ok,
        Err(e) => return Computed::Failed(Problem::Phone(e)),
    };
    let (digest, already) = match &normalised {
        Normalised::Number(number) => {
            let mut sha = Sha256::new();
            if options.target == Target::E164 {
                sha.update(b"+");
            }
            sha.update(number.digits().as_bytes());
            (sha.finalize().into(), false)
        }
        Normalised::AlreadyHashed(hex_digits) => {
            let mut digest = [0u8; 32];
            if hex::decode_to_slice(hex_digits, &mut digest).is_err() {
                return Computed::Failed(Problem::Phone(phone::Error::Letters));
            }
            (digest, true)
        }
    };
    Computed::Hashed {
        digest,
        already,
        warning,
    }
}

/// Why a line or value gave no hash.
#[derive(Debug)]
pub(crate) enum Problem {
    Phone(phone::Error),
    InvalidUtf8,
    TooLong(usize),
    /// A plain-list line that is a JSON record.
    JsonRecord,
    JsonSyntax(serde_json::Error),
    NotObject,
    MissingField,
    DuplicateKey,
    NullField,
    EmptyField,
    WrongType(&'static str),
    FieldCount {
        found: usize,
        expected: usize,
    },
    /// A `--field` value outside the phone and digest forms that looks like
    /// one of them (what validate warns about as `reference_id_form`).
    Mistaken(std::borrow::Cow<'static, str>),
}

impl Problem {
    /// The stable name counted in the summary.
    fn reason(&self) -> &'static str {
        match self {
            Problem::Phone(e) => e.reason(),
            Problem::InvalidUtf8 => "invalid_utf8",
            Problem::TooLong(_) => "record_too_large",
            Problem::JsonRecord => "json_record",
            Problem::JsonSyntax(_) => "json_syntax",
            Problem::NotObject => "not_object",
            Problem::MissingField => "missing_field",
            Problem::DuplicateKey => "duplicate_key",
            Problem::NullField => "null_field",
            Problem::EmptyField => "empty_field",
            Problem::WrongType(_) => "wrong_type",
            Problem::FieldCount { .. } => "csv_field_count",
            Problem::Mistaken(_) => "phone_in_another_form",
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Phone(e) => e.fmt(f),
            Problem::InvalidUtf8 => f.write_str("not valid UTF-8; save the file as UTF-8"),
            Problem::TooLong(n) => write!(
                f,
                "line of {n} bytes is longer than --max-record-bytes; skipped"
            ),
            Problem::JsonRecord => {
                f.write_str("looks like a JSON record; pass --field NAME to hash one of its fields")
            }
            Problem::JsonSyntax(e) => {
                // The record is one line: its column is what helps.
                let text = e.to_string();
                let what = text
                    .rsplit_once(" at line ")
                    .map_or(text.as_str(), |(w, _)| w);
                let what = what.replace("EOF", "end of record");
                write!(f, "not valid JSON: {what} at column {}", e.column())
            }
            Problem::NotObject => f.write_str("not a JSON object; each line must be one event"),
            Problem::MissingField => f.write_str("the field is missing from this record"),
            Problem::DuplicateKey => {
                f.write_str("the field appears twice in this record; keep only one")
            }
            Problem::NullField => f.write_str("the field is null; give it a string value"),
            Problem::EmptyField => f.write_str("the field is empty; give it a value"),
            Problem::WrongType(kind) => {
                write!(f, "the field is {kind}, not a string; quote the value")
            }
            Problem::FieldCount { found, expected } => write!(
                f,
                "row has {found} cells but the header has {expected}; fix the row's quoting \
                 or delimiters"
            ),
            Problem::Mistaken(hint) => write!(
                f,
                "{hint}; the record was left out so the number is not uploaded unhashed \
                 (fix it at the source, or hash such values as a plain list)"
            ),
        }
    }
}

/// A digest written out: 64 hex or 44 base64 characters on the stack.
#[derive(Clone, Copy)]
pub(crate) struct Encoded {
    buf: [u8; 64],
    len: u8,
}

impl Encoded {
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..usize::from(self.len)]
    }
}

/// A `Hasher` for keys that already are SHA-256 digests: their first eight
/// bytes are as good a hash as any.
#[derive(Default)]
struct DigestHasher(u64);

impl Hasher for DigestHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = self.0.rotate_left(29) ^ u64::from_le_bytes(word);
        }
    }

    fn write_usize(&mut self, _: usize) {}
}

/// The digests seen so far under `--unique`, by their first 128 bits (two
/// different numbers share them with a probability of about n²/2¹²⁹, nil in
/// practice), in 256 tables chosen by the first byte so that they grow one
/// at a time: 16 bytes each plus a control byte and spare room, about 20 to
/// 40 bytes a distinct number, with no doubling of the whole set at once.
struct SeenDigests {
    shards: Vec<HashSet<u128, BuildHasherDefault<DigestHasher>>>,
}

impl SeenDigests {
    fn new() -> Self {
        SeenDigests {
            shards: (0..256).map(|_| HashSet::default()).collect(),
        }
    }

    /// Records a digest; false when it was seen before.
    fn insert(&mut self, digest: &[u8; 32]) -> bool {
        let mut key = [0u8; 16];
        key.copy_from_slice(&digest[..16]);
        self.shards[usize::from(digest[31])].insert(u128::from_le_bytes(key))
    }
}

/// Turns values into hashes, counting and reporting as it goes.
pub(crate) struct PhoneHasher {
    options: phone::Options,
    encoding: Encoding,
    pub keep_alignment: bool,
    pub max_record_bytes: usize,
    quiet: bool,
    show_pii: bool,
    seen: Option<SeenDigests>,
    pub summary: Summary,
    messages: BufWriter<io::Stderr>,
    progress: Progress,
}

impl PhoneHasher {
    fn new(args: &Args, progress: Progress) -> PhoneHasher {
        let target = match args.target {
            TargetArg::Contract => Target::Contract,
            TargetArg::Digits => Target::Digits,
            TargetArg::E164 => Target::E164,
        };
        PhoneHasher {
            options: phone::Options {
                default_country: args.default_country,
                target,
                strict: args.strict,
            },
            encoding: args.encoding,
            keep_alignment: args.keep_alignment,
            max_record_bytes: args.max_record_bytes,
            quiet: args.quiet,
            show_pii: args.show_pii,
            seen: args.unique.then(SeenDigests::new),
            summary: Summary::default(),
            messages: BufWriter::new(io::stderr()),
            progress,
        }
    }

    /// Normalises and hashes one value (a line, a cell or a field's text).
    pub fn judge(&mut self, value: &str, at: &Place) -> Verdict {
        let computed = compute(&self.options, value);
        self.account(computed, value, at)
    }

    /// Counts, reports and (under `--unique`) filters what [`compute`] made
    /// of `value`, in input order.
    fn account(&mut self, computed: Computed, value: &str, at: &Place) -> Verdict {
        self.summary.lines += 1;
        let (digest, already, warning) = match computed {
            Computed::Blank => {
                self.summary.blank += 1;
                return Verdict::Blank;
            }
            Computed::Failed(problem) => return self.fail(problem, value, at),
            Computed::Hashed {
                digest,
                already,
                warning,
            } => (digest, already, warning),
        };
        if let Some(warning) = warning {
            self.warn(&warning, value, at);
        }
        if let Some(seen) = self.seen.as_mut() {
            if !seen.insert(&digest) {
                self.summary.duplicates += 1;
                return Verdict::Duplicate;
            }
        }
        if already {
            self.summary.already_hashed += 1;
        } else {
            self.summary.hashed += 1;
        }
        Verdict::Hashed(self.encode(&digest))
    }

    /// Counts and reports a line that failed before it reached [`judge`].
    pub fn reject(&mut self, problem: Problem, value: &str, at: &Place) -> Verdict {
        self.summary.lines += 1;
        self.fail(problem, value, at)
    }

    fn fail(&mut self, problem: Problem, value: &str, at: &Place) -> Verdict {
        *self.summary.invalid.entry(problem.reason()).or_default() += 1;
        self.message("error", &problem, value, at);
        Verdict::Bad
    }

    /// Reports a warning (not counted as a bad line).
    pub fn warn(&mut self, warning: &dyn fmt::Display, value: &str, at: &Place) {
        self.summary.warnings += 1;
        if !self.quiet {
            self.message("warning", warning, value, at);
        }
    }

    fn warn_bom(&mut self, file: &str) {
        let at = Place {
            file,
            line: 1,
            field: None,
        };
        self.warn(
            &"the file starts with a UTF-8 byte order mark; it was skipped",
            "",
            &at,
        );
    }

    fn message(&mut self, severity: &str, what: &dyn fmt::Display, value: &str, at: &Place) {
        let field = at.field.map(|f| format!("{f}: ")).unwrap_or_default();
        let shown = if value.is_empty() {
            String::new()
        } else {
            format!(" (value {})", shown(value, self.show_pii))
        };
        // A closed stderr leaves nowhere to report anything; the run goes on.
        let _ = writeln!(
            self.messages,
            "{}:{}: {severity}: {field}{what}{shown}",
            at.file, at.line
        );
        if self.progress.is_active() {
            let messages = &mut self.messages;
            self.progress.suspend(|| messages.flush().ok());
        }
    }

    fn flush_messages(&mut self) {
        let _ = self.messages.flush();
    }

    /// SHA-256 of the number in the target's form (`+` first for E.164).
    pub fn encode(&self, digest: &[u8; 32]) -> Encoded {
        let mut code = Encoded {
            buf: [0; 64],
            len: 0,
        };
        // 32 bytes always fit in 64 hex or 44 base64 characters.
        code.len = match self.encoding {
            Encoding::Hex => match hex::encode_to_slice(digest, &mut code.buf) {
                Ok(()) => 64,
                Err(_) => 0,
            },
            Encoding::Base64 => base64::engine::general_purpose::STANDARD
                .encode_slice(digest, &mut code.buf)
                .map_or(0, |n| n as u8),
        };
        code
    }
}

/// A value for messages: masked unless `--show-pii`, long values cut short,
/// control characters escaped so they cannot upset a terminal.
fn shown(value: &str, show_pii: bool) -> String {
    const LONGEST: usize = 40;
    let value = phone::trim(value);
    let count = value.chars().count();
    let text = if count <= LONGEST {
        report::pii(value, show_pii)
    } else if show_pii {
        let head: String = value.chars().take(LONGEST).collect();
        format!("{head}... ({count} characters)")
    } else {
        let head: String = value.chars().take(2).collect();
        let tail: String = value.chars().skip(count - 2).collect();
        format!("{head}********...{tail} ({count} characters)")
    };
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// The counts printed at the end of a run.
#[derive(Default, Debug)]
pub(crate) struct Summary {
    pub lines: u64,
    pub hashed: u64,
    pub already_hashed: u64,
    pub blank: u64,
    pub duplicates: u64,
    /// JSONL values in the `custom` form, left as they were.
    pub custom: u64,
    pub warnings: u64,
    pub invalid: BTreeMap<&'static str, u64>,
}

impl Summary {
    fn invalid(&self) -> u64 {
        self.invalid.values().sum()
    }

    fn print(&self, elapsed: f64, events: bool) {
        let mut text = format!(
            "hash-phones: {}, {} hashed, {} already hashed, {} blank, {} invalid",
            report::plural(self.lines, "line"),
            self.hashed,
            self.already_hashed,
            self.blank,
            self.invalid()
        );
        if events {
            text += &format!(", {} custom (left as they were)", self.custom);
        }
        if self.duplicates > 0 {
            text += &format!(", {} duplicates dropped", self.duplicates);
        }
        text += &format!(", {}", report::plural(self.warnings, "warning"));
        if !self.invalid.is_empty() {
            let reasons: Vec<String> = self
                .invalid
                .iter()
                .map(|(reason, n)| format!("{reason} {n}"))
                .collect();
            text += &format!("\ninvalid by reason: {}", reasons.join(", "));
        }
        text += &format!("\nelapsed {elapsed:.3} s");
        if elapsed >= 0.1 {
            text += &format!(", {:.0} lines/s", self.lines as f64 / elapsed);
        }
        eprintln!("{text}");
    }
}

/// Where the output goes: standard output, or a temporary file beside
/// `-o FILE` that is renamed over it when the run completes.
struct Sink {
    out: BufWriter<Box<dyn Write>>,
    pending: Option<files::Pending>,
}

impl Sink {
    fn create(path: Option<&Path>) -> anyhow::Result<Sink> {
        const CAPACITY: usize = 256 * 1024;
        let (out, pending): (Box<dyn Write>, _) = match path {
            Some(path) => {
                let (pending, file) = files::Pending::create(path)?;
                (Box::new(file), Some(pending))
            }
            None => (Box::new(io::stdout().lock()), None),
        };
        Ok(Sink {
            out: BufWriter::with_capacity(CAPACITY, out),
            pending,
        })
    }

    fn finish(&mut self) -> anyhow::Result<()> {
        self.out.flush().context("cannot write the output")?;
        if let Some(pending) = self.pending.take() {
            pending.commit()?;
        }
        Ok(())
    }
}

/// `-o FILE` may not be one of the inputs: it would be emptied before it is read.
fn ensure_inputs_are_not_output(names: &[String], output: Option<&Path>) -> anyhow::Result<()> {
    match output {
        Some(out) => files::ensure_outputs_apart(&[("-o", out)], names),
        None => Ok(()),
    }
}
