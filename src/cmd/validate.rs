//! `clickstream validate`: check event files against the contract, print a
//! diagnostic per problem, split the input into quarantine files, and exit
//! 0, 1 or 2 for scripts (SPEC section 3).

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;

use crate::cli::{InputArgs, RuleArgs};
use crate::exit;
use crate::progress::Progress;
use crate::reader;
use crate::report::{ColorChoice, DiagnosticWriter, OutputFormat, Tally};
use crate::schema::{Code, Diagnostic, DuplicateIndex, EventStream, EVENT_ID};

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

    /// When to colour diagnostics
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Write every valid record here, byte for byte as read
    #[arg(long, value_name = "FILE")]
    pub valid_out: Option<PathBuf>,

    /// Write every invalid record here, byte for byte as read (a quarantine file)
    #[arg(long, value_name = "FILE")]
    pub invalid_out: Option<PathBuf>,

    /// Stop after N error diagnostics
    #[arg(long, value_name = "N")]
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
}

/// A `--valid-out`/`--invalid-out` file, with the CSV header it last got.
struct Split {
    path: PathBuf,
    out: BufWriter<File>,
    header: Option<Vec<u8>>,
}

impl Split {
    fn create(path: PathBuf) -> anyhow::Result<Split> {
        let file = File::create(&path)
            .with_context(|| format!("cannot create {:?}", path.display().to_string()))?;
        Ok(Split {
            path,
            out: BufWriter::with_capacity(reader::BUFFER_SIZE, file),
            header: None,
        })
    }

    /// Writes a CSV header unless it is the one this file already has.
    fn header(&mut self, raw: &[u8]) -> io::Result<()> {
        if self.header.as_deref() == Some(raw) {
            return Ok(());
        }
        self.header = Some(raw.to_vec());
        write_line(&mut self.out, raw)
    }

    fn record(&mut self, raw: &[u8]) -> io::Result<()> {
        write_line(&mut self.out, raw)
    }

    fn finish(mut self) -> anyhow::Result<()> {
        let path = self.path.display().to_string();
        self.out
            .flush()
            .with_context(|| format!("cannot write {path:?}"))
    }
}

/// Writes bytes as read, ending them with a newline if they lack one.
fn write_line(out: &mut impl Write, raw: &[u8]) -> io::Result<()> {
    out.write_all(raw)?;
    if !raw.ends_with(b"\n") {
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// What the run found, for the exit status.
#[derive(Default)]
struct Outcome {
    /// An input could not be opened or read, or a CSV header was unusable.
    failed: bool,
    /// Stopped by `--max-errors` at this file and line.
    stopped_at: Option<(String, u64)>,
}

pub fn run(args: Args) -> anyhow::Result<u8> {
    let started = Instant::now();
    let color = args.format == OutputFormat::Human && args.color.for_stdout();
    let stdout = BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    let mut printer = DiagnosticWriter::new(stdout, args.format, color);
    let mut valid_out = args.valid_out.clone().map(Split::create).transpose()?;
    let mut invalid_out = args.invalid_out.clone().map(Split::create).transpose()?;
    let mut tally = Tally::new();
    let mut outcome = Outcome::default();

    let names = reader::input_names(&args.files);
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
        match run.file(&name, valid_out.as_mut(), invalid_out.as_mut()) {
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

impl<W: Write> Run<'_, W> {
    fn file(
        &mut self,
        name: &str,
        mut valid_out: Option<&mut Split>,
        mut invalid_out: Option<&mut Split>,
    ) -> anyhow::Result<FileEnd> {
        let input = reader::open_tracked(name, self.progress)?;
        let display = input.name.clone();
        let read = self.args.input.read_options();
        self.diags.clear();
        let mut stream = EventStream::new(input, &read, self.args.rules.rules(), &mut self.diags)
            .with_context(|| format!("cannot read {name:?}"))?;
        self.emit(&display)?;
        if !stream.header_ok() {
            return Ok(FileEnd::HeaderFailed);
        }
        if let Some(dups) = self.dups.as_mut() {
            dups.begin_file(&display);
        }
        if let Some(header) = stream.csv_header() {
            for split in [valid_out.as_deref_mut(), invalid_out.as_deref_mut()]
                .into_iter()
                .flatten()
            {
                split.header(&header.raw)?;
            }
        }

        loop {
            self.diags.clear();
            let spill = invalid_out
                .as_deref_mut()
                .map(|s| &mut s.out as &mut dyn Write);
            let item = stream
                .next_item(&mut self.diags, spill)
                .with_context(|| format!("cannot read {name:?}"))?;
            let Some(item) = item else {
                self.emit(&display)?;
                return Ok(FileEnd::Done);
            };
            self.tally.records += 1;
            self.tally.form(item.form);
            let mut warnings = item.warnings;
            if let (Some(dups), Some(event)) = (self.dups.as_mut(), item.event.as_ref()) {
                let id = event.fields[EVENT_ID].as_ref().and_then(|v| v.as_str());
                if let Some(id) = id.filter(|id| !id.trim().is_empty()) {
                    if let Some(first) = dups.check(id, item.line) {
                        let place = match (first.file == display, first.line) {
                            (true, Some(l)) => format!("line {l}"),
                            (false, Some(l)) => format!("{}:{l}", first.file),
                            (_, None) => format!("an earlier line of {}", first.file),
                        };
                        let shown = crate::schema::timestamp::shorten(id);
                        self.diags.push(
                            Diagnostic::warning(
                                item.line,
                                Code::DuplicateEventId,
                                format!("event_id {shown} was already seen at {place}"),
                            )
                            .with_field("event_id")
                            .with_index(item.index),
                        );
                        warnings += 1;
                    }
                }
            }
            let bad = item.errors > 0 || (self.args.deny_warnings && warnings > 0);
            if bad {
                self.tally.invalid += 1;
            } else {
                self.tally.valid += 1;
            }
            let split = if bad {
                invalid_out.as_deref_mut()
            } else {
                valid_out.as_deref_mut()
            };
            if let Some(split) = split {
                if !item.raw.is_empty() {
                    split.record(item.raw)?;
                }
            }
            let line = item.line;
            self.emit(&display)?;
            if let Some(max) = self.args.max_errors {
                if self.tally.errors >= max {
                    return Ok(FileEnd::Stopped(line));
                }
            }
        }
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
