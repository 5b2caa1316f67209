//! The workers: each takes records off the shared queue and sends one until
//! it is delivered, fails for good, or the run stops. Every attempt, retries
//! included, first waits for a slot from the one shared [`RateLimiter`].

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::client::{Attempt, Client};
use super::limiter::{sleep_until, RateLimiter};
use super::retry::{parse_retry_after, verdict_for_status, Backoff, Jitter, Verdict};

/// A record ready to send.
pub struct Job {
    /// Which input (index into the run's inputs).
    pub input: usize,
    pub ordinal: u64,
    pub line: u64,
    pub index: Option<u64>,
    pub event_id: Option<String>,
    /// Every reference_id value of the record, kept only to mask them in
    /// messages.
    pub pii: Vec<String>,
    /// The record as read, for `--failed-out`.
    pub raw: Vec<u8>,
    /// The CSV header of a CSV row, written before it in `--failed-out`.
    pub csv_header: Option<std::sync::Arc<Vec<u8>>>,
    /// Or, for a record too large to hold, the file it was streamed to.
    pub spilled: Option<super::source::Spilled>,
    pub body: Vec<u8>,
    pub headers: Vec<(String, String)>,
}

/// How a record ended.
pub enum Fate {
    /// A 2xx arrived.
    Delivered,
    /// Sent and refused for good, or could not be sent; the reason.
    Failed(String),
    /// Breaks the event contract, not sent; the reason.
    Invalid(String),
    /// The run stopped before the record was finished.
    Unsent,
}

/// A record's outcome, for the collector.
pub struct Finished {
    pub job: Job,
    pub fate: Fate,
    /// The last HTTP status received.
    pub status: Option<u16>,
    pub attempts: u32,
    /// Latency of the last attempt.
    pub latency: Option<Duration>,
    /// Start of the last reply body.
    pub snippet: Option<String>,
    /// Histogram key and latency of every attempt.
    pub log: Vec<(String, Duration)>,
}

impl Finished {
    /// An outcome reached without sending anything.
    pub fn unsent(job: Job, fate: Fate) -> Self {
        Finished {
            job,
            fate,
            status: None,
            attempts: 0,
            latency: None,
            snippet: None,
            log: Vec::new(),
        }
    }
}

/// What every worker shares.
pub struct Shared {
    pub client: Client,
    pub limiter: RateLimiter,
    pub retries: u32,
    pub backoff: Backoff,
    pub max_retry_wait: Duration,
    /// Raised by Ctrl-C or a fatal error: take no more records.
    pub stop: Arc<AtomicBool>,
}

/// Runs one worker until the queue is closed.
pub fn work(shared: &Shared, jobs: &Mutex<Receiver<Job>>, done: &Sender<Finished>, salt: u64) {
    let mut rng = Jitter::new(salt);
    loop {
        let job = jobs.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok(job) = job else {
            return;
        };
        let finished = if shared.stop.load(Ordering::Relaxed) {
            Finished::unsent(job, Fate::Unsent)
        } else {
            deliver(shared, job, &mut rng)
        };
        if done.send(finished).is_err() {
            return;
        }
    }
}

/// Sends one record, retrying as SPEC 6 says.
fn deliver(shared: &Shared, job: Job, rng: &mut Jitter) -> Finished {
    let mut out = Finished::unsent(job, Fate::Unsent);
    loop {
        if !shared.limiter.acquire(&shared.stop) {
            return out;
        }
        out.attempts += 1;
        let attempt = shared.client.send(&out.job.headers, &out.job.body);
        out.log.push((attempt.status_key(), attempt.latency()));
        out.latency = Some(attempt.latency());
        let (verdict, reason, retry_after) = match attempt {
            Attempt::Response {
                status,
                snippet,
                retry_after,
                location,
                ..
            } => {
                out.status = Some(status);
                out.snippet = (!snippet.is_empty()).then_some(snippet);
                let reason = match (status, location) {
                    (300..=399, Some(to)) => format!(
                        "HTTP {status} redirect to {to:?}, not followed; \
                         give the final address in --url"
                    ),
                    (300..=399, None) => {
                        format!("HTTP {status} redirect without a Location, not followed")
                    }
                    _ => format!("HTTP {status}"),
                };
                (verdict_for_status(status), reason, retry_after)
            }
            Attempt::Transport {
                message, retryable, ..
            } => {
                out.status = None;
                out.snippet = None;
                let verdict = if retryable {
                    Verdict::Retry
                } else {
                    Verdict::Fail
                };
                (verdict, message, None)
            }
        };
        match verdict {
            Verdict::Delivered => {
                out.fate = Fate::Delivered;
                return out;
            }
            Verdict::Fail => {
                out.fate = Fate::Failed(reason);
                return out;
            }
            Verdict::Retry => {}
        }
        if out.attempts > shared.retries {
            let why = match shared.retries {
                0 => format!("{reason} (retryable, but --retries is 0)"),
                n => format!("{reason} (all {n} retries used)"),
            };
            out.fate = Fate::Failed(why);
            return out;
        }
        let asked = retry_after.as_deref().and_then(|v| {
            parse_retry_after(v, std::time::SystemTime::now()).map(|d| (v.to_string(), d))
        });
        let wait = match asked {
            Some((value, wait)) if wait > shared.max_retry_wait => {
                out.fate = Fate::Failed(format!(
                    "{reason}; the server asked to retry after {value:?} ({} s), \
                     longer than --max-retry-wait {} s",
                    wait.as_secs(),
                    shared.max_retry_wait.as_secs_f64()
                ));
                return out;
            }
            Some((_, wait)) => wait,
            None => shared.backoff.delay(out.attempts, rng),
        };
        if !sleep_until(Instant::now() + wait, &shared.stop) {
            return out;
        }
    }
}
