//! `clickstream convert`: JSONL or JSON documents to CSV and CSV to JSONL
//! without losing a digit, a key or a line break (SPEC section 5). Records
//! are validated on the way; rejected ones are reported and quarantined.
//!
//! JSONL input is converted on all cores (`--threads`), in blocks that come
//! back in input order; JSON documents and CSV are read on one core.
//!
//! Known limits: convert does not run validate's duplicate `event_id` check
//! (a warning only, which never rejects a record; run `validate` for it).
//! Empty strings and nulls are written as absent fields, because an empty
//! CSV cell reads back as absent; this only matters under `--no-validate`.

mod output;
mod write;

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::blocks::{self, Stop};
use crate::cli::{InputArgs, RuleArgs};
use crate::exit;
use crate::files;
use crate::progress::Progress;
use crate::quarantine::RecordFile;
use crate::reader;
use crate::report::{self, ColorChoice, DiagnosticWriter, OutputFormat, Tally};
use crate::schema::{
    check_json, suggest_field, timestamp::shorten, Code, Diagnostic, Event, EventStream, Item,
    ReferenceForm, Rules, Severity, FIELDS, ORG_ID_ALIAS,
};

use output::Sink;
pub use output::Target;
use write::{unconvertible, CsvStyle, EventWriter, Layout, Row, Rows};

/// Convert event files between JSONL and CSV without losing anything.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
CSV output has a header of the eight contract fields in the contract's order
(then any --columns), an empty cell for an absent click_timestamp, and quotes
only where a cell needs them. JSONL output has one compact object per line,
fields in the same order, every value a JSON string. Numbers keep their digits.

Examples:
  clickstream convert events.jsonl -o events.csv
  clickstream convert --to jsonl export.csv > events.jsonl
  clickstream convert day-*.jsonl.gz -o week.csv --bom --crlf --excel-safe
  clickstream convert events.csv -o events.jsonl --invalid-out rejected.csv

Exit status: 0 every record converted, 1 some records rejected (the rest are
converted), 2 usage or I/O error, an unusable CSV header, or an output that is
one of the inputs (the output file is then not written).")]
pub struct Args {
    /// Event files: JSONL, JSON documents or CSV, gzip or not; none or - for stdin
    #[arg(value_name = "FILE")]
    pub files: Vec<String>,

    /// Write here instead of stdout (via a temporary file, renamed when done); a
    /// name ending in .gz is gzip-compressed
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Output format; taken from the -o extension when not given (.csv; .jsonl,
    /// .ndjson or .json for JSONL)
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub to: Option<Target>,

    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub rules: RuleArgs,

    /// End CSV rows with CRLF instead of LF
    #[arg(long)]
    pub crlf: bool,

    /// Start CSV output with a UTF-8 byte order mark (for spreadsheets)
    #[arg(long)]
    pub bom: bool,

    /// Guard against formula injection: prefix CSV cells that start with = + - @
    /// with ' (this changes those cells, so they no longer convert back as they were)
    #[arg(long)]
    pub excel_safe: bool,

    /// Drop fields outside the contract instead of rejecting their records, and
    /// count them in the summary (also under --strict)
    #[arg(long)]
    pub drop_unknown: bool,

    /// Keep these fields outside the contract, as extra columns (or keys) after
    /// the contract's fields
    #[arg(long, value_name = "NAME,...", value_delimiter = ',')]
    pub columns: Vec<String>,

    /// Write every rejected record here, byte for byte as read
    #[arg(long, value_name = "FILE")]
    pub invalid_out: Option<PathBuf>,

    /// Skip the contract's field rules: convert every record that can be
    /// converted (syntax, duplicate keys, cell counts and unknown fields still count)
    #[arg(long)]
    pub no_validate: bool,

    /// Print no diagnostics and no summary
    #[arg(long, short)]
    pub quiet: bool,

    /// Worker threads for JSONL input (default or 0: all cores, at most 16; 1: one thread)
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

/// Unknown field names dropped by `--drop-unknown`, with counts. Only the
/// first few distinct names are kept by name, so memory stays flat.
#[derive(Default)]
struct Dropped {
    total: u64,
    names: Vec<(String, u64)>,
    others: u64,
}

const DROPPED_NAMES: usize = 16;

impl Dropped {
    fn add(&mut self, name: &str) {
        self.total += 1;
        if let Some(entry) = self.names.iter_mut().find(|(n, _)| n == name) {
            entry.1 += 1;
        } else if self.names.len() < DROPPED_NAMES {
            self.names.push((name.to_string(), 1));
        } else {
            self.others += 1;
        }
    }
}

/// Runs `convert`; `color` is the global `--color`.
pub fn run(args: Args, color: ColorChoice) -> anyhow::Result<u8> {
    let started = Instant::now();
    let target = target(&args)?;
    ensure_flags_fit(&args, target)?;
    let inputs = reader::input_names(&args.files);
    let outputs: Vec<(&str, &Path)> = [("-o", &args.output), ("--invalid-out", &args.invalid_out)]
        .into_iter()
        .filter_map(|(flag, path)| path.as_deref().map(|p| (flag, p)))
        .filter(|(_, p)| *p != Path::new("-"))
        .collect();
    files::ensure_outputs_apart(&outputs, &inputs)?;

    // The output: stdout, or a temporary file renamed into place at the end.
    let (pending, sink) = match args.output.as_deref() {
        Some(path) if path != Path::new("-") => {
            let (pending, sink) = output::create(path)?;
            (Some(pending), sink)
        }
        _ => (None, Sink::Stdout(io::stdout().lock())),
    };
    let layout = Layout {
        csv: (target == Target::Csv).then(|| CsvStyle {
            delimiter: args.input.delimiter.unwrap_or(b','),
            crlf: args.crlf,
            bom: args.bom,
            excel_safe: args.excel_safe,
        }),
        columns: args.columns.clone(),
    };
    let mut writer = EventWriter::new(sink, layout.clone())?;
    let mut quarantine = args
        .invalid_out
        .as_deref()
        .map(RecordFile::create)
        .transpose()?;

    let progress = Progress::for_inputs(&inputs, !args.quiet);
    let color = color.enabled(io::stderr().is_terminal());
    let stderr = BufWriter::new(io::stderr().lock());
    let mut run = Run {
        args: &args,
        progress: &progress,
        printer: DiagnosticWriter::new(stderr, OutputFormat::Human, color),
        tally: Tally::new(),
        dropped: Dropped::default(),
        diags: Vec::new(),
        slots: Vec::new(),
    };
    for name in &inputs {
        let done = run.file(name, &mut writer, &layout, quarantine.as_mut());
        run.printer.flush()?;
        done?;
    }

    progress.finish();
    // Finish the outputs before the summary, so a failed write is the last word.
    if let Some(q) = quarantine {
        q.finish()?;
    }
    let sink = writer.finish().context("cannot write the output")?;
    sink.finish().context("cannot write the output")?;
    if let Some(p) = pending {
        p.commit()?;
    }
    if !args.quiet {
        let mut err = io::stderr().lock();
        run.summary(&mut err, started.elapsed())?;
    }
    // A comment between records rejects nothing (SPEC 5: the status is about
    // records); any other error outside a record means skipped input.
    let comments = Code::ALL
        .iter()
        .position(|c| *c == Code::JsonComment)
        .map_or(0, |i| run.tally.by_code[i]);
    Ok(if run.tally.invalid > 0 || run.tally.errors > comments {
        exit::PROBLEMS
    } else {
        exit::SUCCESS
    })
}

/// The output format, from `--to` or the `-o` extension.
fn target(args: &Args) -> anyhow::Result<Target> {
    if let Some(t) = args.to {
        return Ok(t);
    }
    match args.output.as_deref() {
        Some(path) if path != Path::new("-") => Target::from_path(path).ok_or_else(|| {
            anyhow::anyhow!(
                "cannot tell the output format from {:?}; give --to csv or --to jsonl, \
                 or an -o name ending in .csv or .jsonl",
                path.display().to_string()
            )
        }),
        _ => anyhow::bail!("give the output format with --to csv or --to jsonl (or -o FILE.csv)"),
    }
}

/// Refuses flag combinations that cannot mean anything.
fn ensure_flags_fit(args: &Args, target: Target) -> anyhow::Result<()> {
    if target == Target::Jsonl {
        for (set, flag) in [
            (args.crlf, "--crlf"),
            (args.bom, "--bom"),
            (args.excel_safe, "--excel-safe"),
        ] {
            if set {
                anyhow::bail!("{flag} applies only to CSV output; drop it or use --to csv");
            }
        }
    }
    for (i, name) in args.columns.iter().enumerate() {
        if name.trim().is_empty() {
            anyhow::bail!("--columns has an empty name; list names like --columns note,source");
        }
        if FIELDS.contains(&name.as_str()) || name == ORG_ID_ALIAS {
            anyhow::bail!(
                "--columns {name:?} is a contract field, always written; list only other fields"
            );
        }
        if args.columns[..i].contains(name) {
            anyhow::bail!("--columns lists {name:?} twice; list it once");
        }
    }
    Ok(())
}

/// State shared across the inputs of one run.
struct Run<'r, W: Write> {
    args: &'r Args,
    progress: &'r Progress,
    printer: DiagnosticWriter<W>,
    tally: Tally,
    dropped: Dropped,
    diags: Vec<Diagnostic>,
    /// For each `--columns` name, where the current record holds it; reused.
    slots: Vec<Option<usize>>,
}

impl<W: Write> Run<'_, W> {
    fn file(
        &mut self,
        name: &str,
        writer: &mut EventWriter,
        layout: &Layout,
        mut quarantine: Option<&mut RecordFile>,
    ) -> anyhow::Result<()> {
        let mut input = reader::open_tracked(name, self.progress)?;
        let display = input.name.clone();
        let mut read = self.args.input.read_options();
        read.from = Some(
            reader::detect_format(&mut input, &read)
                .with_context(|| format!("cannot read {name:?}"))?,
        );
        let threads = blocks::thread_count(self.args.threads);
        if read.from == Some(reader::Format::Jsonl) && threads > 1 {
            return self.file_in_blocks(input, &display, threads, writer, layout, quarantine);
        }
        self.diags.clear();
        let stream = EventStream::new(input, &read, self.args.rules.rules(), &mut self.diags)
            .with_context(|| format!("cannot read {name:?}"))?;
        let mut stream = if self.args.no_validate {
            stream.without_validation()
        } else {
            stream
        };
        self.emit(&display)?;
        if !stream.header_ok() {
            anyhow::bail!(
                "{display}: the CSV header cannot be used (see above); fix it and run again \
                 (nothing was written)"
            );
        }
        if let (Some(header), Some(q)) = (stream.csv_header(), quarantine.as_deref_mut()) {
            q.header(&header.raw)?;
        }

        loop {
            self.diags.clear();
            let spill = quarantine
                .as_deref_mut()
                .map(|q| &mut q.out as &mut dyn Write);
            let item = stream
                .next_item(&mut self.diags, spill)
                .with_context(|| format!("cannot read {name:?}"))?;
            let Some(item) = item else {
                return Ok(self.emit(&display)?);
            };
            self.tally.records += 1;
            self.tally.form(item.form);
            let (errors, drops) = self.judge(&item);
            if errors > 0 || item.event.is_none() {
                self.tally.invalid += 1;
                if let Some(q) = quarantine.as_deref_mut() {
                    if !item.raw.is_empty() {
                        q.record(item.raw)?;
                    }
                }
            } else if let Some(event) = &item.event {
                writer.write_row(&Row {
                    event,
                    extras: &self.slots,
                })?;
                self.tally.valid += 1;
                for (key, _) in drops.iter().filter_map(|&k| event.extras.get(k)) {
                    self.dropped.add(key);
                }
            }
            self.emit(&display)?;
        }
    }

    /// JSONL on several cores: workers check and format blocks of lines,
    /// which come back here in input order to be counted and written.
    fn file_in_blocks(
        &mut self,
        mut input: reader::Input,
        display: &str,
        threads: usize,
        writer: &mut EventWriter,
        layout: &Layout,
        quarantine: Option<&mut RecordFile>,
    ) -> anyhow::Result<()> {
        if input.had_bom {
            self.diags.push(reader::bom_note());
            self.emit(display)?;
        }
        let args = self.args;
        let rules = args.rules.rules();
        let max = args.input.max_record_bytes;
        let work = |first_line: u64, block: &[u8]| {
            convert_block(first_line, block, args, &rules, max, layout)
        };
        let mut sink = BlockSink {
            run: self,
            display,
            writer,
            quarantine,
            max,
        };
        let result = blocks::run(
            &mut *input.reader,
            threads,
            blocks::BLOCK_SIZE,
            max,
            work,
            &mut sink,
        );
        match result {
            Ok(()) => Ok(()),
            Err(Stop::Read(err)) => Err(err).with_context(|| format!("cannot read {display:?}")),
            Err(Stop::Sink(err)) => Err(err).context("cannot write the output"),
        }
    }

    /// Applies convert's own rules to a checked record (see [`judge`]).
    fn judge(&mut self, item: &Item) -> (u32, Vec<usize>) {
        judge(
            self.args,
            item.event.as_ref(),
            item.errors,
            (item.line, item.index),
            &mut self.slots,
            &mut self.diags,
        )
    }

    /// Counts and prints the pending diagnostics.
    fn emit(&mut self, file: &str) -> io::Result<()> {
        for d in self.diags.drain(..) {
            self.tally.diagnostic(&d);
            if self.args.quiet {
                continue;
            }
            if self.progress.is_active() {
                let printer = &mut self.printer;
                self.progress
                    .suspend(|| printer.write(file, &d).and_then(|()| printer.flush()))?;
            } else {
                self.printer.write(file, &d)?;
            }
        }
        Ok(())
    }

    fn summary(&self, out: &mut dyn Write, elapsed: Duration) -> io::Result<()> {
        let t = &self.tally;
        t.write_counts(out, "converted", "rejected")?;
        if self.args.drop_unknown {
            let mut names: Vec<String> = self
                .dropped
                .names
                .iter()
                .map(|(n, c)| format!("{} {c}", shorten(n)))
                .collect();
            if self.dropped.others > 0 {
                names.push(format!("other names {}", self.dropped.others));
            }
            let list = if names.is_empty() {
                String::new()
            } else {
                format!(" ({})", names.join(", "))
            };
            writeln!(
                out,
                "  dropped unknown fields: {}{list}",
                self.dropped.total
            )?;
        }
        report::write_elapsed(out, t.records, elapsed)
    }
}

/// Applies convert's own rules to a checked record (at `(line, index)`):
/// the unknown-field policy (reject, `--columns`, `--drop-unknown`) and
/// values that cannot be written without loss. Fills `slots`; returns the
/// record's error count and the positions of the extras that
/// `--drop-unknown` drops.
fn judge(
    args: &Args,
    event: Option<&Event>,
    errors: u32,
    at: (u64, Option<u64>),
    slots: &mut Vec<Option<usize>>,
    diags: &mut Vec<Diagnostic>,
) -> (u32, Vec<usize>) {
    let mut errors = errors;
    // The stream's unknown_field diagnostics give way to the policy below.
    diags.retain(|d| {
        let unknown = d.code == Code::UnknownField;
        if unknown && d.severity == Severity::Error {
            errors -= 1;
        }
        !unknown
    });
    slots.clear();
    slots.resize(args.columns.len(), None);
    let mut drops = Vec::new();
    let Some(event) = event else {
        return (errors, drops);
    };
    let mut fail = |diags: &mut Vec<Diagnostic>, code, field: &str, msg: String| {
        errors += 1;
        diags.push(
            Diagnostic::error(at.0, code, msg)
                .with_field(field)
                .with_index(at.1),
        );
    };
    if args.no_validate {
        for (i, value) in event.fields.iter().enumerate() {
            if let Some(why) = value.as_ref().and_then(unconvertible) {
                fail(diags, Code::WrongType, FIELDS[i], why.to_string());
            }
        }
    }
    for (k, (key, value)) in event.extras.iter().enumerate() {
        if let Some(j) = args.columns.iter().position(|c| c == key) {
            slots[j] = Some(k);
            if let Some(why) = unconvertible(value) {
                fail(diags, Code::WrongType, key, why.to_string());
            }
        } else if args.drop_unknown {
            drops.push(k);
        } else {
            let hint = match suggest_field(key) {
                Some(f) => format!("did you mean {f:?}? otherwise "),
                None => String::new(),
            };
            let msg = format!(
                "unknown field {}; {hint}keep it with --columns or drop it with \
                 --drop-unknown",
                shorten(key)
            );
            fail(diags, Code::UnknownField, key, msg);
        }
    }
    (errors, drops)
}

/// What the workers made of one block of JSONL lines.
struct BlockConverted {
    /// The converted rows, formatted.
    rows: Vec<u8>,
    lines: Vec<LineConverted>,
    diags: Vec<Diagnostic>,
    /// Names of the unknown fields `--drop-unknown` dropped, line by line.
    dropped: Vec<String>,
}

struct LineConverted {
    /// The line's bytes within the block, for `--invalid-out`.
    start: usize,
    end: usize,
    converted: bool,
    form: Option<ReferenceForm>,
    /// How many of the block's diagnostics and dropped names are this line's.
    diags: usize,
    dropped: usize,
}

/// The workers' part: check, judge and format each line of a block.
fn convert_block(
    first_line: u64,
    block: &[u8],
    args: &Args,
    rules: &Rules,
    max: usize,
    layout: &Layout,
) -> io::Result<BlockConverted> {
    let mut rows = Rows::new(layout);
    let mut out = BlockConverted {
        rows: Vec::new(),
        lines: Vec::new(),
        diags: Vec::new(),
        dropped: Vec::new(),
    };
    let (mut diags, mut slots) = (Vec::new(), Vec::new());
    for (i, (start, raw)) in blocks::lines(block).enumerate() {
        if reader::is_blank(raw) {
            continue;
        }
        let line = first_line + i as u64;
        diags.clear();
        let dropped_before = out.dropped.len();
        let (converted, form) = if raw.len() > max {
            diags.push(reader::too_large_note(line, raw.len() as u64, max));
            (false, None)
        } else {
            let body = reader::trim_newline(raw);
            let (event, verdict) = check_json(body, line, rules, !args.no_validate, &mut diags);
            let (errors, drops) = judge(
                args,
                event.as_ref(),
                verdict.errors,
                (line, None),
                &mut slots,
                &mut diags,
            );
            match event {
                Some(event) if errors == 0 => {
                    rows.write_row(&Row {
                        event: &event,
                        extras: &slots,
                    })?;
                    let names = drops.iter().filter_map(|&k| event.extras.get(k));
                    out.dropped.extend(names.map(|(key, _)| key.to_string()));
                    (true, verdict.form)
                }
                _ => (false, verdict.form),
            }
        };
        out.lines.push(LineConverted {
            start,
            end: start + raw.len(),
            converted,
            form,
            diags: diags.len(),
            dropped: out.dropped.len() - dropped_before,
        });
        out.diags.append(&mut diags);
    }
    out.rows = rows.take(layout)?;
    Ok(out)
}

/// Takes converted blocks in input order: counts, quarantines, reports and
/// writes them.
struct BlockSink<'a, 'r, W: Write> {
    run: &'a mut Run<'r, W>,
    display: &'a str,
    writer: &'a mut EventWriter,
    quarantine: Option<&'a mut RecordFile>,
    max: usize,
}

impl<W: Write> BlockSink<'_, '_, W> {
    fn take(&mut self, bytes: &[u8], done: io::Result<BlockConverted>) -> io::Result<()> {
        let done = done?;
        let mut diags = done.diags.into_iter();
        let mut dropped = done.dropped.iter();
        for l in done.lines {
            let run = &mut *self.run;
            run.tally.records += 1;
            run.tally.form(l.form);
            if l.converted {
                run.tally.valid += 1;
                for name in dropped.by_ref().take(l.dropped) {
                    run.dropped.add(name);
                }
            } else {
                run.tally.invalid += 1;
                if let Some(q) = self.quarantine.as_deref_mut() {
                    q.record(&bytes[l.start..l.end])?;
                }
            }
            run.diags.extend(diags.by_ref().take(l.diags));
            run.emit(self.display)?;
        }
        self.writer.write_formatted(&done.rows)
    }
}

impl<W: Write> blocks::Sink<io::Result<BlockConverted>> for BlockSink<'_, '_, W> {
    fn block(&mut self, _: u64, bytes: &[u8], done: io::Result<BlockConverted>) -> io::Result<()> {
        self.take(bytes, done)
    }

    fn spill(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self.quarantine.as_deref_mut() {
            Some(q) => q.out.write_all(bytes),
            None => Ok(()),
        }
    }

    fn too_large(&mut self, line: u64, size: u64) -> io::Result<()> {
        let run = &mut *self.run;
        run.tally.records += 1;
        run.tally.invalid += 1;
        run.diags.push(reader::too_large_note(line, size, self.max));
        run.emit(self.display)
    }
}
