//! `clickstream validate`: check event files against the contract, print a
//! diagnostic per problem, split the input into quarantine files, and exit
//! 0, 1 or 2 for scripts (SPEC section 3).

use std::borrow::Cow;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use crate::blocks::{self, Stop};
use crate::cli::{InputArgs, RuleArgs};
use crate::exit;
use crate::files;
use crate::progress::Progress;
use crate::quarantine::RecordFile;
use crate::reader::{self, Format};
use crate::report::{ColorChoice, DiagnosticWriter, OutputFormat, Tally};
use crate::schema::{
    check_json, Code, Diagnostic, DuplicateIndex, EventStream, ReferenceForm, Rules, Value,
    Verdict, EVENT_ID,
};

/// Check event files against the contract.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  clickstream validate events.jsonl
  clickstream validate --kind click --strict clicks.json.gz
  zcat day-*.jsonl.gz | clickstream validate --format json - > report.jsonl
  clickstream validate events.csv --valid-out good.csv --invalid-out quarantine.csv

Exit status: 0 no errors, 1 errors found (or warnings with --deny-warnings),
2 usage or I/O error, or a CSV header without a required column.")]
pub struct Args {
    /// Event files: JSONL, JSON documents or CSV, gzip or not; none or - for stdin
    #[arg(value_name = "FILE")]
    pub files: Vec<String>,

    #[command(flatten)]
    pub input: InputArgs,

    #[command(flatten)]
    pub rules: RuleArgs,

    /// Output format of diagnostics and summary
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,

    /// Write every valid record here, byte for byte as read
    #[arg(long, value_name = "FILE")]
    pub valid_out: Option<PathBuf>,

    /// Write every invalid record here, byte for byte as read (a quarantine file)
    #[arg(long, value_name = "FILE")]
    pub invalid_out: Option<PathBuf>,

    /// Stop after N error diagnostics (N at least 1)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_errors: Option<u64>,

    /// Print no diagnostics and no summary; only the exit status tells
    #[arg(long, short)]
    pub quiet: bool,

    /// Treat warnings as errors for the exit status and the valid/invalid split
    #[arg(long)]
    pub deny_warnings: bool,

    /// Skip the duplicate event_id check (it costs about 16 bytes per distinct id)
    #[arg(long)]
    pub no_duplicate_check: bool,

    /// Worker threads for JSONL input (default or 0: all cores, at most 16; 1: one thread)
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
}

/// What the run found, for the exit status.
#[derive(Default)]
struct Outcome {
    /// An input could not be opened or read, or a CSV header was unusable.
    failed: bool,
    /// Stopped by `--max-errors` at this file and line.
    stopped_at: Option<(String, u64)>,
}

/// Runs `validate`; `color` is the global `--color`.
pub fn run(args: Args, color: ColorChoice) -> anyhow::Result<u8> {
    let started = Instant::now();
    let color = args.format == OutputFormat::Human && color.for_stdout();
    let stdout = BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    let mut printer = DiagnosticWriter::new(stdout, args.format, color);
    let names = reader::input_names(&args.files);
    let outputs: Vec<(&str, &Path)> = [
        ("--valid-out", &args.valid_out),
        ("--invalid-out", &args.invalid_out),
    ]
    .into_iter()
    .filter_map(|(flag, path)| path.as_deref().map(|p| (flag, p)))
    .collect();
    files::ensure_outputs_apart(&outputs, &names)?;
    let mut valid_out = args
        .valid_out
        .as_deref()
        .map(RecordFile::create)
        .transpose()?;
    let mut invalid_out = args
        .invalid_out
        .as_deref()
        .map(RecordFile::create)
        .transpose()?;
    let mut tally = Tally::new();
    let mut outcome = Outcome::default();

    let progress = Progress::for_inputs(&names, !args.quiet);
    let mut run = Run {
        args: &args,
        printer: &mut printer,
        tally: &mut tally,
        dups: (!args.no_duplicate_check).then(DuplicateIndex::new),
        diags: Vec::new(),
        progress: &progress,
        interactive: io::stdout().is_terminal(),
    };
    for name in names {
        let mut splits = Splits {
            valid: valid_out.as_mut(),
            invalid: invalid_out.as_mut(),
        };
        match run.file(&name, &mut splits) {
            Ok(FileEnd::Done) => {}
            Ok(FileEnd::HeaderFailed) => outcome.failed = true,
            Ok(FileEnd::Stopped(line)) => {
                outcome.stopped_at = Some((name, line));
                break;
            }
            Err(err) if crate::is_broken_pipe(&err) => return Err(err),
            Err(err) => {
                run.printer.flush()?;
                eprintln!("clickstream: error: {err:#}");
                outcome.failed = true;
            }
        }
    }

    for split in [valid_out, invalid_out].into_iter().flatten() {
        split.finish()?;
    }
    progress.finish();
    let elapsed = started.elapsed();
    if !args.quiet {
        match args.format {
            OutputFormat::Json => tally.write_json(printer.get_mut(), elapsed)?,
            OutputFormat::Human => {
                printer.flush()?;
                let mut err = io::stderr().lock();
                tally.write_human(&mut err, elapsed)?;
            }
        }
        if let Some((file, line)) = &outcome.stopped_at {
            eprintln!(
                "clickstream: stopped at {file}:{line} after {} errors (--max-errors); \
                 the rest of the input was not checked",
                tally.errors
            );
        }
    }
    printer.flush()?;

    let denied = args.deny_warnings && tally.warnings > 0;
    Ok(if outcome.failed {
        exit::USAGE
    } else if tally.errors > 0 || denied {
        exit::PROBLEMS
    } else {
        exit::SUCCESS
    })
}

enum FileEnd {
    Done,
    HeaderFailed,
    /// `--max-errors` was reached at this line.
    Stopped(u64),
}

/// State shared across the files of one run.
struct Run<'r, W: Write> {
    args: &'r Args,
    printer: &'r mut DiagnosticWriter<W>,
    tally: &'r mut Tally,
    dups: Option<DuplicateIndex>,
    diags: Vec<Diagnostic>,
    progress: &'r Progress,
    /// Stdout is a terminal: diagnostics are flushed one by one around the bar.
    interactive: bool,
}

/// The two quarantine files of a run, either of them optional.
struct Splits<'s> {
    valid: Option<&'s mut RecordFile>,
    invalid: Option<&'s mut RecordFile>,
}

/// One checked record, however it was read.
struct Checked<'a> {
    line: u64,
    index: Option<u64>,
    /// The bytes as read; empty for a record that was streamed to `--invalid-out`.
    raw: &'a [u8],
    errors: u32,
    warnings: u32,
    form: Option<ReferenceForm>,
    event_id: Option<&'a str>,
}

impl<W: Write> Run<'_, W> {
    fn file(&mut self, name: &str, splits: &mut Splits) -> anyhow::Result<FileEnd> {
        let mut input = reader::open_tracked(name, self.progress)?;
        let display = input.name.clone();
        let mut read = self.args.input.read_options();
        let format = reader::detect_format(&mut input, &read)
            .with_context(|| format!("cannot read {name:?}"))?;
        read.from = Some(format);
        if let Some(dups) = self.dups.as_mut() {
            dups.begin_file(&display);
        }
        let threads = blocks::thread_count(self.args.threads);
        if format == Format::Jsonl && threads > 1 {
            return self.file_in_blocks(input, &display, threads, splits);
        }

        self.diags.clear();
        let mut stream = EventStream::new(input, &read, self.args.rules.rules(), &mut self.diags)
            .with_context(|| format!("cannot read {name:?}"))?;
        self.emit(&display)?;
        if !stream.header_ok() {
            return Ok(FileEnd::HeaderFailed);
        }
        if let Some(header) = stream.csv_header() {
            for split in [splits.valid.as_deref_mut(), splits.invalid.as_deref_mut()]
                .into_iter()
                .flatten()
            {
                split.header(&header.raw)?;
            }
        }
        loop {
            let spill = splits
                .invalid
                .as_deref_mut()
                .map(|s| &mut s.out as &mut dyn Write);
            let item = stream
                .next_item(&mut self.diags, spill)
                .with_context(|| format!("cannot read {name:?}"))?;
            let Some(item) = item else {
                self.emit(&display)?;
                return Ok(FileEnd::Done);
            };
            let event_id = item
                .event
                .as_ref()
                .and_then(|e| e.fields[EVENT_ID].as_ref());
            let checked = Checked {
                line: item.line,
                index: item.index,
                raw: item.raw,
                errors: item.errors,
                warnings: item.warnings,
                form: item.form,
                event_id: event_id.and_then(|v| v.as_str()),
            };
            if self.record(&display, checked, splits)? {
                return Ok(FileEnd::Stopped(item.line));
            }
        }
    }

    /// JSONL on several cores: blocks of lines are checked by workers and
    /// come back here in input order.
    fn file_in_blocks(
        &mut self,
        mut input: reader::Input,
        display: &str,
        threads: usize,
        splits: &mut Splits,
    ) -> anyhow::Result<FileEnd> {
        if input.had_bom {
            self.diags.push(reader::bom_note());
            self.emit(display)?;
        }
        let rules = self.args.rules.rules();
        let max = self.args.input.max_record_bytes;
        let work = |first_line: u64, block: &[u8]| check_block(first_line, block, &rules, max);
        let mut sink = BlockSink {
            run: self,
            display,
            splits,
            max,
            end: None,
        };
        let result = blocks::run(
            &mut *input.reader,
            threads,
            blocks::BLOCK_SIZE,
            max,
            work,
            &mut sink,
        );
        if let Some(line) = sink.end {
            return Ok(FileEnd::Stopped(line));
        }
        match result {
            Ok(()) => Ok(FileEnd::Done),
            Err(Stop::Read(err)) => Err(err).with_context(|| format!("cannot read {display:?}")),
            Err(Stop::Sink(err)) => Err(err).context("cannot write the output"),
        }
    }

    /// Counts one record, looks for its event_id among those seen, writes it
    /// to its split file and prints its diagnostics (pending in `self.diags`).
    /// Returns true when `--max-errors` is reached.
    fn record(&mut self, display: &str, rec: Checked, splits: &mut Splits) -> io::Result<bool> {
        self.tally.records += 1;
        self.tally.form(rec.form);
        let mut warnings = rec.warnings;
        if let (Some(dups), Some(id)) = (self.dups.as_mut(), rec.event_id) {
            if !id.trim().is_empty() {
                if let Some(first) = dups.check(id, rec.line) {
                    let place = match (first.file == display, first.line) {
                        (true, Some(l)) => format!("line {l}"),
                        (false, Some(l)) => format!("{}:{l}", first.file),
                        (_, None) => format!("an earlier line of {}", first.file),
                    };
                    let shown = crate::schema::timestamp::shorten(id);
                    self.diags.push(
                        Diagnostic::warning(
                            rec.line,
                            Code::DuplicateEventId,
                            format!("event_id {shown} was already seen at {place}"),
                        )
                        .with_field("event_id")
                        .with_index(rec.index),
                    );
                    warnings += 1;
                }
            }
        }
        let bad = rec.errors > 0 || (self.args.deny_warnings && warnings > 0);
        if bad {
            self.tally.invalid += 1;
        } else {
            self.tally.valid += 1;
        }
        let split = if bad {
            splits.invalid.as_deref_mut()
        } else {
            splits.valid.as_deref_mut()
        };
        if let Some(split) = split {
            if !rec.raw.is_empty() {
                split.record(rec.raw)?;
            }
        }
        self.emit(display)?;
        Ok(self
            .args
            .max_errors
            .is_some_and(|max| self.tally.errors >= max))
    }

    /// Counts and prints the pending diagnostics.
    fn emit(&mut self, file: &str) -> io::Result<()> {
        for d in self.diags.drain(..) {
            self.tally.diagnostic(&d);
            if self.args.quiet {
                continue;
            }
            if self.interactive {
                let printer = &mut *self.printer;
                self.progress.suspend(|| {
                    printer.write(file, &d)?;
                    printer.flush()
                })?;
            } else {
                self.printer.write(file, &d)?;
            }
        }
        Ok(())
    }
}

/// What the workers found in one block of JSONL lines.
#[derive(Default)]
struct BlockChecked {
    lines: Vec<LineChecked>,
    diags: Vec<Diagnostic>,
    /// event_ids that had escapes, so could not be borrowed from the block.
    owned_ids: Vec<String>,
}

struct LineChecked {
    line: u64,
    /// The line's bytes within the block.
    start: usize,
    end: usize,
    errors: u32,
    warnings: u32,
    form: Option<ReferenceForm>,
    id: IdRef,
    /// How many of the block's diagnostics belong to this line.
    diags: usize,
}

/// Where a line's event_id is: in the block's bytes, or kept aside.
enum IdRef {
    None,
    Span(usize, usize),
    Owned(usize),
}

/// The workers' part: parse and check each line of a block.
fn check_block(first_line: u64, block: &[u8], rules: &Rules, max: usize) -> BlockChecked {
    let mut out = BlockChecked::default();
    let base = block.as_ptr() as usize;
    for (i, (start, raw)) in blocks::lines(block).enumerate() {
        if reader::is_blank(raw) {
            continue;
        }
        let line = first_line + i as u64;
        let before = out.diags.len();
        let (verdict, id) = if raw.len() > max {
            out.diags
                .push(reader::too_large_note(line, raw.len() as u64, max));
            (
                Verdict {
                    errors: 1,
                    ..Verdict::default()
                },
                IdRef::None,
            )
        } else {
            let body = reader::trim_newline(raw);
            let (event, verdict) = check_json(body, line, rules, true, &mut out.diags);
            let id = match event.as_ref().and_then(|e| e.fields[EVENT_ID].as_ref()) {
                Some(Value::Str(Cow::Borrowed(s))) => {
                    let at = s.as_ptr() as usize - base;
                    IdRef::Span(at, at + s.len())
                }
                Some(Value::Str(Cow::Owned(s))) => {
                    out.owned_ids.push(s.clone());
                    IdRef::Owned(out.owned_ids.len() - 1)
                }
                _ => IdRef::None,
            };
            (verdict, id)
        };
        out.lines.push(LineChecked {
            line,
            start,
            end: start + raw.len(),
            errors: verdict.errors,
            warnings: verdict.warnings,
            form: verdict.form,
            id,
            diags: out.diags.len() - before,
        });
    }
    out
}

/// Takes checked blocks in input order and counts, splits and prints them.
struct BlockSink<'a, 'r, 's, W: Write> {
    run: &'a mut Run<'r, W>,
    display: &'a str,
    splits: &'a mut Splits<'s>,
    max: usize,
    /// `--max-errors` was reached at this line.
    end: Option<u64>,
}

impl<W: Write> BlockSink<'_, '_, '_, W> {
    /// Turns the outcome of one record into the sink's answer: reaching
    /// `--max-errors` stops the reading (noted in `end`).
    fn settle(&mut self, line: u64, result: io::Result<bool>) -> io::Result<()> {
        if result? {
            self.end = Some(line);
            return Err(io::Error::other("stopped by --max-errors"));
        }
        Ok(())
    }
}

impl<W: Write> blocks::Sink<BlockChecked> for BlockSink<'_, '_, '_, W> {
    fn block(&mut self, _: u64, bytes: &[u8], done: BlockChecked) -> io::Result<()> {
        let mut diags = done.diags.into_iter();
        for l in done.lines {
            self.run.diags.extend(diags.by_ref().take(l.diags));
            let event_id = match l.id {
                IdRef::None => None,
                IdRef::Span(s, e) => std::str::from_utf8(&bytes[s..e]).ok(),
                IdRef::Owned(i) => Some(done.owned_ids[i].as_str()),
            };
            let checked = Checked {
                line: l.line,
                index: None,
                raw: &bytes[l.start..l.end],
                errors: l.errors,
                warnings: l.warnings,
                form: l.form,
                event_id,
            };
            let result = self.run.record(self.display, checked, self.splits);
            self.settle(l.line, result)?;
        }
        Ok(())
    }

    fn spill(&mut self, bytes: &[u8]) -> io::Result<()> {
        let result = match self.splits.invalid.as_deref_mut() {
            Some(split) => split.out.write_all(bytes).map(|()| false),
            None => Ok(false),
        };
        self.settle(0, result)
    }

    fn too_large(&mut self, line: u64, size: u64) -> io::Result<()> {
        self.run
            .diags
            .push(reader::too_large_note(line, size, self.max));
        let checked = Checked {
            line,
            index: None,
            raw: &[],
            errors: 1,
            warnings: 0,
            form: None,
            event_id: None,
        };
        let result = self.run.record(self.display, checked, self.splits);
        self.settle(line, result)
    }
}
