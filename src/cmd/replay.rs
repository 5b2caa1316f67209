//! `clickstream replay`: sends each record of event files as one HTTP
//! request, with a shared rate limit, retries, and nothing lost: every
//! record ends delivered or in `--failed-out`, and `--checkpoint` lets an
//! interrupted run resume without resending what was acknowledged.
//!
//! This file owns the flags and the run's plumbing (reading, the worker
//! pool, Ctrl-C); the pieces live in the submodules.

mod checkpoint;
mod client;
mod collector;
mod headers;
mod limiter;
mod mask;
mod retry;
mod source;
mod summary;
mod worker;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};

use crate::progress::Progress;
use crate::{exit, reader, report};
use checkpoint::{Checkpoint, InputId};
use collector::{Collector, Output};
use headers::{Signer, Template};
use source::{Record, Records};
use worker::{Fate, Finished, Job, Shared};

/// Flags of `clickstream replay`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  clickstream replay events.jsonl --url http://127.0.0.1:8080/webhook --dry-run
  clickstream replay events.jsonl --url https://example.test/hook --rate 50 \\
      --hmac-secret-env WEBHOOK_SECRET --failed-out failed.jsonl --checkpoint replay.ckpt

Exit status: 0 all delivered, 1 any record failed or invalid, 2 usage or I/O error,
130 interrupted.")]
pub struct Args {
    /// Event files (JSONL, JSON or CSV; gzip allowed); `-` or none reads standard input.
    #[arg(value_name = "FILE")]
    pub files: Vec<String>,

    /// Where to send the records (http or https).
    #[arg(long, value_name = "URL")]
    pub url: String,

    /// HTTP method.
    #[arg(long, short = 'X', default_value = "POST")]
    pub method: String,

    /// Extra header, repeatable: `${VAR}` is read from the environment,
    /// `{field}` from each record (e.g. -H 'Authorization: Bearer ${TOKEN}').
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,

    /// Sign each body: adds `X-Signature-256: sha256=<hex HMAC-SHA256>` with
    /// the secret held in this environment variable.
    #[arg(long, value_name = "VAR")]
    pub hmac_secret_env: Option<String>,

    /// Name of the signature header.
    #[arg(long, value_name = "NAME", default_value = "X-Signature-256")]
    pub hmac_header: String,

    /// Do not add `Idempotency-Key: {event_id}` when no -H sets that header.
    #[arg(long)]
    pub no_idempotency_key: bool,

    /// Requests per second for the whole run, retries included (default: no limit).
    #[arg(long, value_name = "N")]
    pub rate: Option<f64>,

    /// Requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub concurrency: usize,

    /// Time allowed for one request, e.g. 10s, 500ms, 1m.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub timeout: Duration,

    /// Retries per record after connection errors, timeouts, 408, 425, 429
    /// and 5xx (but 501 and 505).
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub retries: u32,

    /// Longest `Retry-After` honoured; a server asking for more fails the record.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_duration)]
    pub max_retry_wait: Duration,

    /// Write every record not delivered (failed or invalid) here, as read.
    #[arg(long, value_name = "FILE")]
    pub failed_out: Option<PathBuf>,

    /// Write one JSON outcome per record here.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// Save progress here; a rerun skips records already delivered or written to --failed-out
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,

    /// Print the requests instead of sending them (secrets redacted).
    #[arg(long)]
    pub dry_run: bool,

    /// Send records that break the event contract too.
    #[arg(long)]
    pub no_validate: bool,

    #[command(flatten)]
    pub input: crate::cli::InputArgs,

    #[command(flatten)]
    pub rules: crate::cli::RuleArgs,

    /// Summary format: text on stderr, or one JSON object on stdout.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,

    /// No per-record messages, no progress bar, no text summary.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// The first backoff wait (tests set it to 0s; Retry-After still holds).
    #[arg(long, value_name = "DURATION", default_value = "200ms", value_parser = parse_duration,
          hide = true)]
    pub backoff_base: Duration,
}

/// How the summary is printed.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

/// Parses `10s`, `250ms`, `2m`, `1h` or plain seconds (`1.5`).
fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let scale = match unit {
        "" | "s" => 1.0,
        "ms" => 0.001,
        "m" => 60.0,
        "h" => 3600.0,
        _ => {
            return Err(format!(
                "unknown unit {unit:?}; use ms, s, m or h (e.g. 10s)"
            ))
        }
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration, e.g. 10s"))?;
    Duration::try_from_secs_f64(value * scale).map_err(|_| format!("{text:?} is out of range"))
}

/// Everything decided before the first record is read.
struct Plan {
    url: String,
    method: String,
    templates: Vec<Template>,
    signer: Option<Signer>,
}

impl Plan {
    fn from_args(args: &Args) -> anyhow::Result<Self> {
        let url = check_url(&args.url)?;
        if !args.method.bytes().all(|b| b.is_ascii_alphabetic()) || args.method.is_empty() {
            bail!(
                "--method {:?} is not an HTTP method such as POST or PUT",
                args.method
            );
        }
        if let Some(rate) = args.rate {
            if !(rate.is_finite() && rate >= limiter::MIN_RATE) {
                bail!(
                    "--rate must be a number of requests per second from {} up, e.g. --rate 50",
                    limiter::MIN_RATE
                );
            }
        }
        if !(1..=1024).contains(&args.concurrency) {
            bail!("--concurrency must be between 1 and 1024");
        }
        if args.timeout.is_zero() {
            bail!("--timeout must be above 0, e.g. 10s");
        }
        let env = |var: &str| std::env::var(var).ok();
        let mut templates = Vec::new();
        if !args
            .headers
            .iter()
            .any(|h| header_name_is(h, "content-type"))
        {
            templates.push(Template::fixed("Content-Type", "application/json"));
        }
        for spec in &args.headers {
            templates.push(Template::parse(spec, &env)?);
        }
        if !args.no_idempotency_key && !templates.iter().any(|t| t.is("idempotency-key")) {
            templates.push(Template::field("Idempotency-Key", "event_id"));
        }
        let signer = match &args.hmac_secret_env {
            Some(var) => Some(Signer::from_env(var, &args.hmac_header)?),
            None => None,
        };
        Ok(Plan {
            url,
            method: args.method.to_ascii_uppercase(),
            templates,
            signer,
        })
    }

    /// The headers for one record, or why they cannot be made.
    fn headers(&self, record: &Record) -> Result<Vec<(String, String)>, String> {
        let get = |f: &str| record.get(f).map(str::to_string);
        let mut out = Vec::with_capacity(self.templates.len() + 1);
        for t in &self.templates {
            match t.render(&get) {
                Ok(value) if !headers::is_valid_value(&value) => {
                    // The value may be personal data: never shown.
                    return Err(format!(
                        "header {:?} not sent: its value holds a character HTTP does not \
                         allow (only visible ASCII, space and tab); make the fields it uses \
                         ASCII or drop -H",
                        t.name
                    ));
                }
                Ok(value) => out.push((t.name.clone(), value)),
                // The default Idempotency-Key is left out when there is no event_id.
                Err(_) if t.is("idempotency-key") && t.fields().eq(["event_id"]) => {}
                Err(reason) => return Err(reason),
            }
        }
        if let Some(signer) = &self.signer {
            out.push((signer.header.clone(), signer.sign(&record.body)));
        }
        Ok(out)
    }
}

fn header_name_is(spec: &str, name: &str) -> bool {
    spec.split_once(':')
        .is_some_and(|(n, _)| n.trim().eq_ignore_ascii_case(name))
}

/// Checks the URL and warns about plain http beyond this machine.
fn check_url(text: &str) -> anyhow::Result<String> {
    let url = url::Url::parse(text)
        .with_context(|| format!("--url {text:?} is not a URL; give e.g. https://host/path"))?;
    match url.scheme() {
        "http" | "https" => {}
        other => bail!("--url scheme {other:?} is not supported; use http or https"),
    }
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => bail!("--url {text:?} has no host"),
    };
    if url.scheme() == "http" && !loopback {
        eprintln!(
            "clickstream: replay: warning: {} is plain http to another host; the bodies \
             carry personal data (reference_id), use https",
            mask::redact_url(&url)
        );
    }
    Ok(url.to_string())
}

/// Runs `replay`; the value is the exit status.
pub fn run(args: Args) -> anyhow::Result<u8> {
    let plan = Plan::from_args(&args)?;
    let names = reader::input_names(&args.files);
    if args.dry_run {
        return dry_run(&args, &plan, &names);
    }
    ensure_outputs_are_not_inputs(&args, &names)?;

    // The checkpoint, and the files it decides whether to append to.
    let shown_names = names
        .iter()
        .map(|n| {
            if reader::is_stdin(n) {
                "<stdin>".to_string()
            } else {
                n.clone()
            }
        })
        .collect();
    let progress = Progress::for_inputs(&names, !args.quiet);
    let mut collector = Collector::new(
        shown_names,
        args.rules.show_pii,
        args.quiet,
        progress.clone(),
    );
    collector.secrets = url::Url::parse(&plan.url)
        .map(|u| mask::url_secrets(&u))
        .unwrap_or_default();
    let mut resumed = 0;
    let mut earlier = checkpoint::Done::default();
    if let Some(path) = &args.checkpoint {
        if names.iter().any(|n| reader::is_stdin(n)) {
            bail!("--checkpoint needs input files, not standard input");
        }
        // An input is read once to identify it and again to send it: a
        // pipe or a device would hang or give other bytes the second time.
        let irregular = |n: &&String| std::fs::metadata(n).is_ok_and(|m| !m.is_file());
        if let Some(name) = names.iter().find(irregular) {
            bail!(
                "--checkpoint needs regular input files, and {name:?} is not one; \
                 copy it to a file first or drop --checkpoint"
            );
        }
        let ids = names
            .iter()
            .map(|n| InputId::of(Path::new(n)))
            .collect::<anyhow::Result<_>>()?;
        let (cp, done) = Checkpoint::open(path, ids)?;
        earlier = cp.done();
        collector.checkpoint = Some(cp);
        resumed = done;
    }
    let append = resumed > 0;
    if let Some(path) = &args.failed_out {
        collector.failed_out = Some(Output::open(path, append)?);
    }
    if let Some(path) = &args.report {
        collector.report = Some(Output::open(path, append)?);
    }

    let stop = Arc::new(AtomicBool::new(false));
    let interrupted = Arc::new(AtomicBool::new(false));
    install_ctrl_c(stop.clone(), interrupted.clone(), args.quiet);
    let shared = Arc::new(Shared {
        client: client::Client::new(&plan.url, &plan.method, args.timeout, args.concurrency),
        limiter: limiter::RateLimiter::new(args.rate),
        retries: args.retries,
        backoff: retry::Backoff {
            base: args.backoff_base,
            cap: Duration::from_secs(30),
        },
        max_retry_wait: args.max_retry_wait,
        stop: stop.clone(),
    });

    let started = Instant::now();
    collector.started = started;
    let (job_tx, job_rx) = mpsc::sync_channel::<Job>(args.concurrency * 2);
    let (done_tx, done_rx) = mpsc::channel::<Finished>();
    let job_rx = Arc::new(Mutex::new(job_rx));
    let workers: Vec<_> = (0..args.concurrency)
        .map(|n| {
            let (shared, jobs, done) = (shared.clone(), job_rx.clone(), done_tx.clone());
            std::thread::spawn(move || worker::work(&shared, &jobs, &done, n as u64))
        })
        .collect();
    let collector_stop = stop.clone();
    let collecting = std::thread::spawn(move || {
        let mut failure = None;
        for finished in done_rx {
            if failure.is_some() {
                continue;
            }
            if let Err(err) = collector.take(finished) {
                collector_stop.store(true, Ordering::Relaxed);
                failure = Some(err);
            }
        }
        let finish = collector.finish();
        (collector, failure.map_or(finish, Err))
    });

    let mut skipped = 0;
    let read = dispatch(
        &plan,
        &args,
        &names,
        &stop,
        &job_tx,
        &done_tx,
        &earlier,
        &mut skipped,
        &progress,
    );
    drop(job_tx);
    drop(done_tx);
    for w in workers {
        let _ = w.join();
    }
    let (mut collector, collected) = match collecting.join() {
        Ok(result) => result,
        Err(_) => bail!("the replay collector stopped unexpectedly; rerun with --checkpoint"),
    };
    let elapsed = started.elapsed();
    collector.stats.resumed = skipped;
    let stats = &collector.stats;

    if args.format == Format::Json {
        let mut out = io::stdout().lock();
        writeln!(out, "{}", stats.to_json(elapsed)).context("cannot write to stdout")?;
        out.flush().context("cannot write to stdout")?;
    } else if !args.quiet {
        eprint!("{}", stats.to_text(elapsed));
    }
    collected?;
    read?;
    if interrupted.load(Ordering::Relaxed) {
        if !args.quiet {
            let hint = if args.checkpoint.is_some() {
                "rerun with the same --checkpoint to send the rest"
            } else {
                "rerun with --checkpoint to be able to resume"
            };
            eprintln!(
                "clickstream: replay: interrupted; {} records taken were not sent; {hint}",
                stats.unsent
            );
        }
        return Ok(exit::INTERRUPTED);
    }
    Ok(if stats.failed + stats.invalid > 0 {
        exit::PROBLEMS
    } else {
        exit::SUCCESS
    })
}

/// Reads every input and queues its records, until the end or a stop.
#[allow(clippy::too_many_arguments)]
fn dispatch(
    plan: &Plan,
    args: &Args,
    names: &[String],
    stop: &AtomicBool,
    jobs: &mpsc::SyncSender<Job>,
    done: &mpsc::Sender<Finished>,
    earlier: &checkpoint::Done,
    skipped: &mut u64,
    progress: &Progress,
) -> anyhow::Result<()> {
    let read = args.input.read_options();
    for (input, name) in names.iter().enumerate() {
        let keep = args.failed_out.is_some();
        let opened = Records::open(
            name,
            &read,
            args.rules.rules(),
            !args.no_validate,
            keep,
            progress,
        );
        let mut records = match opened {
            Ok(records) => records,
            Err(err) => {
                stop.store(true, Ordering::Relaxed);
                return Err(err);
            }
        };
        loop {
            if stop.load(Ordering::Relaxed) {
                return Ok(());
            }
            let record = match records.next_record() {
                Ok(Some(record)) => record,
                Ok(None) => break,
                Err(err) => {
                    stop.store(true, Ordering::Relaxed);
                    return Err(err).with_context(|| format!("cannot read {:?}", records.name()));
                }
            };
            if earlier.contains(input, record.ordinal) {
                *skipped += 1;
                continue;
            }
            let (job, fate) = make_job(plan, args, input, record);
            let sent = match fate {
                Some(fate) => done.send(Finished::unsent(job, fate)).is_ok(),
                None => jobs.send(job).is_ok(),
            };
            if !sent {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// Turns a record into a job; a fate when it must not be sent.
fn make_job(plan: &Plan, args: &Args, input: usize, record: Record) -> (Job, Option<Fate>) {
    let headers = plan.headers(&record);
    let mut fate = None;
    if let Some(problem) = &record.problem {
        if !args.no_validate || record.body.is_empty() {
            fate = Some(Fate::Invalid(problem.clone()));
        }
    }
    let headers = match headers {
        Ok(h) => h,
        Err(reason) => {
            fate = fate.or(Some(Fate::Failed(reason)));
            Vec::new()
        }
    };
    let job = Job {
        input,
        ordinal: record.ordinal,
        line: record.line,
        index: record.index,
        event_id: record.get("event_id").map(str::to_string),
        pii: mask::Masker::values_in(
            if record.body.is_empty() {
                &record.raw
            } else {
                &record.body
            },
            record.get("reference_id"),
        ),
        raw: record.raw,
        csv_header: record.csv_header,
        spilled: record.spilled,
        body: record.body,
        headers,
    };
    (job, fate)
}

/// Refuses `--failed-out`, `--report` or `--checkpoint` naming an input.
fn ensure_outputs_are_not_inputs(args: &Args, names: &[String]) -> anyhow::Result<()> {
    let outputs: Vec<(&str, &Path)> = [
        ("--failed-out", &args.failed_out),
        ("--report", &args.report),
        ("--checkpoint", &args.checkpoint),
    ]
    .into_iter()
    .filter_map(|(flag, path)| path.as_deref().map(|p| (flag, p)))
    .collect();
    crate::files::ensure_outputs_apart(&outputs, names)
}

/// Sets Ctrl-C to stop taking records; a second Ctrl-C exits at once.
fn install_ctrl_c(stop: Arc<AtomicBool>, interrupted: Arc<AtomicBool>, quiet: bool) {
    let result = ctrlc::set_handler(move || {
        if interrupted.swap(true, Ordering::SeqCst) {
            std::process::exit(i32::from(exit::INTERRUPTED));
        }
        stop.store(true, Ordering::SeqCst);
        if !quiet {
            eprintln!(
                "clickstream: replay: stopping: letting requests in flight finish \
                 (Ctrl-C again to quit now)"
            );
        }
    });
    if let Err(err) = result {
        eprintln!("clickstream: replay: warning: cannot catch Ctrl-C ({err}); it will end the run");
    }
}

/// `--dry-run`: prints each request instead of sending it.
fn dry_run(args: &Args, plan: &Plan, names: &[String]) -> anyhow::Result<u8> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut problems = 0u64;
    let shown_url = url::Url::parse(&plan.url)
        .map(|u| mask::redact_url(&u))
        .unwrap_or_default();
    let secrets = url::Url::parse(&plan.url)
        .map(|u| mask::url_secrets(&u))
        .unwrap_or_default();
    let read = args.input.read_options();
    for name in names {
        let mut records = Records::open(
            name,
            &read,
            args.rules.rules(),
            !args.no_validate,
            false,
            &Progress::hidden(),
        )?;
        while let Some(record) = records.next_record()? {
            let place = format!("{}:{}", records.name(), record.line);
            let text = if record.body.is_empty() {
                &record.raw
            } else {
                &record.body
            };
            let values = mask::Masker::values_in(text, record.get("reference_id"));
            let masker = mask::Masker::new(&values, &secrets, args.rules.show_pii);
            let hide = |text: &str| masker.text(text);
            let unsendable = !args.no_validate || record.body.is_empty();
            if let (Some(problem), true) = (&record.problem, unsendable) {
                problems += 1;
                eprintln!(
                    "clickstream: replay: {place}: not sent, invalid: {}",
                    hide(problem)
                );
                continue;
            }
            if let Err(reason) = plan.headers(&record) {
                problems += 1;
                eprintln!(
                    "clickstream: replay: {place}: cannot send: {}",
                    hide(&reason)
                );
                continue;
            }
            let get = |f: &str| record.get(f).map(str::to_string);
            let mask_field = |field: &str, value: &str| {
                if field == "reference_id" && !args.rules.show_pii {
                    report::mask(value)
                } else {
                    value.to_string()
                }
            };
            writeln!(out, "{} {}", plan.method, shown_url)?;
            for t in &plan.templates {
                if t.is("idempotency-key") && t.render(&get).is_err() {
                    continue;
                }
                writeln!(out, "{}: {}", t.name, t.render_redacted(&get, &mask_field))?;
            }
            if let Some(signer) = &plan.signer {
                writeln!(out, "{}: sha256=<redacted>", signer.header)?;
            }
            writeln!(out)?;
            let body = if args.rules.show_pii {
                record.body.clone()
            } else {
                mask::mask_json(&record.body)
            };
            writeln!(out, "{}", String::from_utf8_lossy(&body))?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(if problems > 0 {
        exit::PROBLEMS
    } else {
        exit::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("10 parsecs").is_err());
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("1e400").is_err());
    }
}
