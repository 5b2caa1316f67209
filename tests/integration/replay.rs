//! `clickstream replay` against a real HTTP server ([`crate::sink`]) on
//! loopback: delivery under faults, retries, the global rate limit, failure
//! files, reports, checkpoints after Ctrl-C, dry runs, and the real-world
//! cases C19, C21, C22, C23 and C25.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::sink::{busiest_window, Recorded, Reply, Sink};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/replay")
        .join(name)
}

fn case(id: &str) -> PathBuf {
    crate::util::case(&format!("{id}.jsonl"))
}

fn clickstream() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_clickstream"));
    cmd.arg("replay").stdin(Stdio::null());
    cmd
}

/// Runs `clickstream replay ARGS` to the end.
fn replay(args: &[&str]) -> Output {
    clickstream().args(args).output().expect("run clickstream")
}

fn show(out: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

fn json_lines(path: &Path) -> Vec<serde_json::Value> {
    lines(path)
        .iter()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn event_id(line: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(line).expect("a JSON record");
    v["event_id"].as_str().expect("an event_id").to_string()
}

fn summary(out: &Output) -> serde_json::Value {
    let text = String::from_utf8_lossy(&out.stdout);
    let last = text.lines().last().unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|_| panic!("no JSON summary\n{}", show(out)))
}

/// A number in 0..100 fixed for each event, to pick which events a fault hits.
fn bucket(event_id: &str) -> u32 {
    let mut h: u32 = 2166136261;
    for b in event_id.bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(16777619);
    }
    h % 100
}

/// Requests grouped by event_id, in arrival order.
fn by_event(requests: &[Recorded]) -> HashMap<String, Vec<Recorded>> {
    let mut map: HashMap<String, Vec<Recorded>> = HashMap::new();
    for r in requests {
        map.entry(r.event_id.clone().unwrap_or_default())
            .or_default()
            .push(r.clone());
    }
    map
}

/// The properties every run must keep: each record is delivered (in the
/// report) or in --failed-out, never both, never neither; every attempt of a
/// record carries the bytes of its line and `Idempotency-Key: event_id`; a
/// record is never sent again after a 2xx reached the client.
fn assert_nothing_lost(input: &Path, sink: &Sink, failed_out: &Path, report: &Path) {
    let all: Vec<String> = lines(input);
    let failed: Vec<String> = lines(failed_out);
    let outcomes = json_lines(report);
    assert_eq!(outcomes.len(), all.len(), "one report line per record");
    let delivered: HashSet<String> = outcomes
        .iter()
        .filter(|o| o["outcome"] == "delivered")
        .map(|o| o["event_id"].as_str().unwrap().to_string())
        .collect();
    let failed_ids: HashSet<String> = failed.iter().map(|l| event_id(l)).collect();
    assert_eq!(
        failed_ids.len(),
        failed.len(),
        "a record twice in --failed-out"
    );
    assert!(
        delivered.is_disjoint(&failed_ids),
        "a record both delivered and failed"
    );
    assert_eq!(
        delivered.len() + failed_ids.len(),
        all.len(),
        "a record neither delivered nor failed"
    );
    let originals: HashMap<String, &String> = all.iter().map(|l| (event_id(l), l)).collect();
    for line in &failed {
        assert_eq!(
            Some(&line),
            originals.get(&event_id(line)),
            "failed-out changed a record"
        );
    }
    for (id, attempts) in by_event(&sink.requests()) {
        let original = originals
            .get(&id)
            .unwrap_or_else(|| panic!("unknown event {id:?}"));
        for a in &attempts {
            assert_eq!(
                a.body,
                original.as_bytes(),
                "body of {id} differs from the input"
            );
            assert_eq!(a.header("idempotency-key"), Some(id.as_str()));
            assert_eq!((a.method.as_str(), a.path.as_str()), ("POST", "/events"));
            assert_eq!(a.header("content-type"), Some("application/json"));
        }
        let acked = attempts.iter().position(|a| {
            a.replied.is_some_and(|s| (200..300).contains(&s))
                && a.delay < Duration::from_millis(200)
        });
        if let Some(i) = acked {
            assert_eq!(i + 1, attempts.len(), "{id} sent again after a 2xx");
            assert!(
                delivered.contains(&id),
                "{id} acknowledged but not reported delivered"
            );
        }
    }
}

struct Run {
    dir: tempfile::TempDir,
}

impl Run {
    fn new() -> Self {
        Run {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn p(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }
}

// C21: a retried event must reach the receiver byte for byte the same, with
// the same Idempotency-Key, or the receiver cannot deduplicate it.
#[test]
fn c21_retries_are_byte_identical_and_share_the_idempotency_key() {
    let sink = Sink::start(|r| {
        if r.nth == 1 {
            Reply::status(500)
        } else {
            Reply::ok()
        }
    });
    let input = case("C21");
    let out = replay(&[
        input.to_str().unwrap(),
        "--url",
        &sink.url(),
        "--backoff-base",
        "0s",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let requests = sink.requests();
    assert_eq!(requests.len(), 2);
    let line = std::fs::read(&input).unwrap();
    assert_eq!(requests[0].body, line.strip_suffix(b"\n").unwrap());
    assert_eq!(requests[0].body, requests[1].body);
    for r in &requests {
        assert_eq!(r.method, "POST");
        assert_eq!(r.header("Idempotency-Key"), Some("e1"));
    }
}

// C22: the rate limit belongs to the whole run, not to each worker.
#[test]
fn c22_rate_is_global_whatever_the_concurrency() {
    let sink = Sink::ok();
    let input = case("C22");
    let start = Instant::now();
    let out = replay(&[
        input.to_str().unwrap(),
        "--url",
        &sink.url(),
        "--rate",
        "10",
        "--concurrency",
        "50",
    ]);
    let took = start.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let requests = sink.requests();
    assert_eq!(requests.len(), 20);
    assert!(busiest_window(&requests, Duration::from_secs(1)) <= 11);
    assert!(took >= Duration::from_millis(1900), "took {took:?}");
}

// C23: retries are requests too, and count against --rate.
#[test]
fn c23_retries_count_against_the_rate() {
    let sink = Sink::start(|r| {
        if r.nth == 1 {
            Reply::status(503)
        } else {
            Reply::ok()
        }
    });
    let input = case("C23");
    let start = Instant::now();
    let out = replay(&[
        input.to_str().unwrap(),
        "--url",
        &sink.url(),
        "--rate",
        "5",
        "--backoff-base",
        "0s",
        "--format",
        "json",
    ]);
    let took = start.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let requests = sink.requests();
    assert_eq!(requests.len(), 20);
    assert!(busiest_window(&requests, Duration::from_secs(1)) <= 6);
    assert!(took >= Duration::from_millis(3800), "took {took:?}");
    let s = summary(&out);
    assert_eq!(
        (s["delivered"].as_u64(), s["retries"].as_u64()),
        (Some(10), Some(10))
    );
    assert_eq!(s["status"]["503"], 10);
}

// C25: a permanent 4xx fails at once, lands in --failed-out as read, is
// reported with its status and reply, and can be replayed from that file.
#[test]
fn c25_permanent_failures_are_kept_and_replayable() {
    let sink = Sink::start(|r| match r.event_id.as_deref() {
        Some("e2") => Reply::status(403).body("{\"error\":\"forbidden for this sender\"}"),
        _ => Reply::ok(),
    });
    let run = Run::new();
    let input = case("C25");
    let out = replay(&[
        input.to_str().unwrap(),
        "--url",
        &sink.url(),
        "--failed-out",
        &run.p("failed.jsonl"),
        "--report",
        &run.p("report.jsonl"),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let s = summary(&out);
    assert_eq!(
        (s["delivered"].as_u64(), s["failed"].as_u64()),
        (Some(2), Some(1))
    );
    let e2: Vec<_> = sink
        .requests()
        .into_iter()
        .filter(|r| r.event_id.as_deref() == Some("e2"))
        .collect();
    assert_eq!(e2.len(), 1, "a 403 is not retried");
    let original = std::fs::read_to_string(&input).unwrap();
    let failed = std::fs::read_to_string(run.path("failed.jsonl")).unwrap();
    assert_eq!(failed, format!("{}\n", original.lines().nth(1).unwrap()));
    let report = json_lines(&run.path("report.jsonl"));
    let e2 = report.iter().find(|o| o["event_id"] == "e2").unwrap();
    assert_eq!(
        (e2["status"].as_u64(), e2["attempts"].as_u64()),
        (Some(403), Some(1))
    );
    assert_eq!(e2["outcome"], "failed");
    assert!(e2["response"]
        .as_str()
        .unwrap()
        .contains("forbidden for this sender"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("e2"));

    // After fixing the cause, the failures file replays only e2.
    let fixed = Sink::ok();
    let out = replay(&[&run.p("failed.jsonl"), "--url", &fixed.url()]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let requests = fixed.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].header("Idempotency-Key"), Some("e2"));
}

// C19: a 70 KB line is one record like any other.
#[test]
fn c19_long_lines_are_sent_whole() {
    let sink = Sink::ok();
    let input = case("C19");
    let out = replay(&[input.to_str().unwrap(), "--url", &sink.url()]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let mut bodies: Vec<usize> = sink.requests().iter().map(|r| r.body.len()).collect();
    bodies.sort();
    assert_eq!(bodies.len(), 2);
    assert!(bodies[1] > 70_000);
}

// A record over --max-record-bytes is never held, but it is not lost either:
// it reaches --failed-out byte for byte, streamed through a temporary file.
#[test]
fn too_large_records_reach_failed_out_as_read() {
    let sink = Sink::ok();
    let run = Run::new();
    let input = case("C19");
    let failed = run.p("failed.jsonl");
    let args = [
        input.to_str().unwrap(),
        "--url",
        &sink.url(),
        "--max-record-bytes",
        "64K",
    ];
    let out = replay(&[&args[..], &["--failed-out", &failed]].concat());
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert_eq!(sink.requests().len(), 1);
    let text = std::fs::read(&input).unwrap();
    let first_line = &text[..=text.iter().position(|&b| b == b'\n').unwrap()];
    assert_eq!(std::fs::read(&failed).unwrap(), first_line);
    let leftovers = std::fs::read_dir(std::env::temp_dir())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with("clickstream-replay-") && name.ends_with(".spill")
        })
        .count();
    assert_eq!(leftovers, 0, "a temporary spill file was left behind");
}

/// Replays the 1,000-event fixture against `script` and checks that nothing
/// was lost; returns the sink, the report and the JSON summary.
fn fault_mix(
    script: impl Fn(&Recorded) -> Reply + Send + Sync + 'static,
    extra: &[&str],
) -> (Sink, Vec<serde_json::Value>, serde_json::Value, Output) {
    let sink = Sink::start(script);
    let run = Run::new();
    let input = fixture("events-1000.jsonl");
    let mut args = vec![
        input.to_str().unwrap().to_string(),
        "--url".into(),
        sink.url(),
        "--concurrency".into(),
        "8".into(),
        "--backoff-base".into(),
        "0s".into(),
        "--failed-out".into(),
        run.p("failed.jsonl"),
        "--report".into(),
        run.p("report.jsonl"),
        "--format".into(),
        "json".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = replay(&args);
    assert_nothing_lost(
        &input,
        &sink,
        &run.path("failed.jsonl"),
        &run.path("report.jsonl"),
    );
    let report = json_lines(&run.path("report.jsonl"));
    let s = summary(&out);
    (sink, report, s, out)
}

fn outcome<'a>(report: &'a [serde_json::Value], id: &str) -> &'a serde_json::Value {
    report
        .iter()
        .find(|o| o["event_id"] == id)
        .expect("a report line")
}

// Server errors: transient ones are retried to success, lasting ones fail
// after --retries, 400 fails at once.
#[test]
fn fault_mix_server_errors() {
    let script = |r: &Recorded| {
        let b = bucket(r.event_id.as_deref().unwrap_or(""));
        match b {
            0..=9 if r.nth <= 2 => Reply::status(500),
            10..=14 => Reply::status(503),
            15..=17 => Reply::status(400).body("bad event"),
            18..=19 => Reply::status(501),
            _ => Reply::ok(),
        }
    };
    let (sink, report, s, out) = fault_mix(script, &["--retries", "3"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    for o in &report {
        let id = o["event_id"].as_str().unwrap();
        let (attempts, outcome) = (
            o["attempts"].as_u64().unwrap(),
            o["outcome"].as_str().unwrap(),
        );
        match bucket(id) {
            0..=9 => assert_eq!((attempts, outcome), (3, "delivered")),
            10..=14 => assert_eq!(
                (attempts, outcome, o["status"].as_u64()),
                (4, "failed", Some(503))
            ),
            15..=19 => assert_eq!((attempts, outcome), (1, "failed")),
            _ => assert_eq!((attempts, outcome), (1, "delivered")),
        }
    }
    let failed = report.iter().filter(|o| o["outcome"] == "failed").count() as u64;
    assert_eq!(s["failed"].as_u64(), Some(failed));
    assert_eq!(s["records"], 1000);
    assert_eq!(s["status"]["500"].as_u64().unwrap() % 2, 0);
    // Keep-alive: far fewer connections than requests.
    let used: HashSet<u64> = sink.requests().iter().map(|r| r.conn).collect();
    assert!(used.len() <= 16, "{} connections", used.len());
}

// 429 with Retry-After in seconds and as an HTTP date is honoured; one
// asking for longer than --max-retry-wait fails the record.
#[test]
fn fault_mix_retry_after() {
    let script = |r: &Recorded| {
        let b = bucket(r.event_id.as_deref().unwrap_or(""));
        match b {
            0..=5 if r.nth == 1 => Reply::status(429).header("Retry-After", "0"),
            6..=7 if r.nth == 1 => {
                let when = std::time::SystemTime::now() + Duration::from_secs(2);
                Reply::status(429).header("Retry-After", &httpdate::fmt_http_date(when))
            }
            8 => Reply::status(503).header("Retry-After", "120"),
            _ => Reply::ok(),
        }
    };
    let (sink, report, _, out) = fault_mix(script, &["--max-retry-wait", "30s"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    for (id, attempts) in by_event(&sink.requests()) {
        let o = outcome(&report, &id);
        match bucket(&id) {
            0..=5 => assert_eq!((attempts.len(), &o["outcome"]), (2, &"delivered".into())),
            6..=7 => {
                assert_eq!(attempts.len(), 2);
                // The date has one-second resolution: at least ~1 s passed.
                assert!(attempts[1].at - attempts[0].at >= Duration::from_millis(900));
                assert_eq!(o["outcome"], "delivered");
            }
            8 => {
                assert_eq!((attempts.len(), &o["outcome"]), (1, &"failed".into()));
                assert!(o["error"].as_str().unwrap().contains("max-retry-wait"));
            }
            _ => assert_eq!(attempts.len(), 1),
        }
    }
}

// Connection faults: dropped connections, replies slower than --timeout,
// keep-alive connections the server closes after replying, and redirects.
#[test]
fn fault_mix_connection_faults() {
    let script = |r: &Recorded| {
        let b = bucket(r.event_id.as_deref().unwrap_or(""));
        match b {
            0..=3 if r.nth == 1 => Reply::drop_connection(),
            4..=6 if r.nth == 1 => Reply::ok().after(Duration::from_millis(800)),
            7..=16 => Reply::ok().then_close(),
            17 => Reply::status(301).header("Location", "https://127.0.0.1/moved"),
            _ => Reply::ok(),
        }
    };
    let (sink, report, s, out) = fault_mix(script, &["--timeout", "300ms"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    for (id, attempts) in by_event(&sink.requests()) {
        let o = outcome(&report, &id);
        match bucket(&id) {
            0..=6 => assert_eq!((attempts.len(), &o["outcome"]), (2, &"delivered".into())),
            17 => {
                assert_eq!(o["status"], 301);
                assert!(o["error"]
                    .as_str()
                    .unwrap()
                    .contains("https://127.0.0.1/moved"));
            }
            _ => assert_eq!(o["outcome"], "delivered", "{id}"),
        }
    }
    assert!(s["status"]["timeout"].as_u64().unwrap() > 0);
    assert!(s["status"]["connection_error"].as_u64().unwrap() > 0);
}

// The limit holds over a longer run too: the server's clock sees --rate
// within 10%, and no one-second window above it (+1 for the first slot).
#[test]
fn rate_is_respected_as_the_server_measures_it() {
    let sink = Sink::ok();
    let run = Run::new();
    let head: Vec<String> = lines(&fixture("events-1000.jsonl"))
        .into_iter()
        .take(300)
        .collect();
    std::fs::write(run.path("in.jsonl"), head.join("\n") + "\n").unwrap();
    let out = replay(&[
        &run.p("in.jsonl"),
        "--url",
        &sink.url(),
        "--rate",
        "200",
        "--concurrency",
        "8",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let mut times: Vec<Instant> = sink.requests().iter().map(|r| r.at).collect();
    times.sort();
    assert_eq!(times.len(), 300);
    // Trimmed at both ends, so that a thread of this (busy) test process
    // starting late does not count as the client being slow.
    let span = (times[284] - times[15]).as_secs_f64();
    let rate = 269.0 / span;
    // Never more than 10% over the limit; the floor is looser, because a
    // loaded two-core machine may starve the client (slower is safe).
    assert!(
        (150.0..=220.0).contains(&rate),
        "measured {rate:.1} requests/s\n{}",
        show(&out)
    );
    assert!(busiest_window(&sink.requests(), Duration::from_secs(1)) <= 201);
}

// An interrupted run (SIGINT) exits 130 with its checkpoint saved; the rerun
// sends nothing that was acknowledged or failed before, and the rest.
#[test]
fn checkpoint_resumes_after_ctrl_c_without_resending() {
    let script = |r: &Recorded| match bucket(r.event_id.as_deref().unwrap_or("")) {
        0..=4 => Reply::status(403),
        _ => Reply::ok(),
    };
    let sink = Sink::start(script);
    let run = Run::new();
    let input = fixture("events-1000.jsonl");
    let args = |report: &str| {
        vec![
            input.display().to_string(),
            "--url".to_string(),
            sink.url(),
            "--checkpoint".to_string(),
            run.p("checkpoint"),
            "--failed-out".to_string(),
            run.p("failed.jsonl"),
            "--report".to_string(),
            run.p(report),
        ]
    };
    let child = clickstream()
        .args(args("report1.jsonl"))
        .args(["--rate", "250"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while sink.requests().len() < 200 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let first = child.wait_with_output().unwrap();
    assert_eq!(first.status.code(), Some(130), "{}", show(&first));
    let sent_first: Vec<Recorded> = sink.requests();
    assert!(
        sent_first.len() < 1000,
        "the run finished before it was interrupted"
    );
    let report1 = json_lines(&run.path("report1.jsonl"));
    let handled_first: HashSet<String> = report1
        .iter()
        .map(|o| o["event_id"].as_str().unwrap().to_string())
        .collect();
    // Everything the server saw in the first run was answered in time, so
    // it is all in the report, and nothing is in it twice.
    assert_eq!(handled_first.len(), report1.len());
    assert_eq!(handled_first.len(), sent_first.len());

    let second = replay(
        &args("report2.jsonl")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(second.status.code(), Some(1), "{}", show(&second));
    let sent_second = &sink.requests()[sent_first.len()..];
    for r in sent_second {
        let id = r.event_id.clone().unwrap();
        assert!(
            !handled_first.contains(&id),
            "{id} sent again after the first run finished it"
        );
    }
    let mut all = report1;
    all.extend(json_lines(&run.path("report2.jsonl")));
    std::fs::write(
        run.path("report.jsonl"),
        all.iter().map(|v| v.to_string() + "\n").collect::<String>(),
    )
    .unwrap();
    assert_nothing_lost(
        &input,
        &sink,
        &run.path("failed.jsonl"),
        &run.path("report.jsonl"),
    );

    // A third run has nothing left to do.
    let third = replay(
        &args("report3.jsonl")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(third.status.code(), Some(0), "{}", show(&third));
    assert_eq!(sink.requests().len(), sent_first.len() + sent_second.len());
}

// A checkpoint names its inputs: using it with another file is refused.
#[test]
fn checkpoint_of_another_input_is_a_usage_error() {
    let sink = Sink::ok();
    let run = Run::new();
    let cp = run.p("cp");
    let out = replay(&[
        case("C21").to_str().unwrap(),
        "--url",
        &sink.url(),
        "--checkpoint",
        &cp,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let out = replay(&[
        case("C25").to_str().unwrap(),
        "--url",
        &sink.url(),
        "--checkpoint",
        &cp,
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("belongs to other input"));
    assert_eq!(sink.requests().len(), 1);
}

// Invalid records are not sent: they are reported, counted and kept in
// --failed-out; --no-validate sends them anyway.
#[test]
fn invalid_records_are_skipped_reported_and_kept() {
    let run = Run::new();
    let good = lines(&case("C25")).remove(0);
    let text =
        format!("{good}\n{{\"event_id\":\"x1\",\"reference_id\":\"919800000009\"}}\nnot json\n");
    std::fs::write(run.path("in.jsonl"), &text).unwrap();
    let sink = Sink::ok();
    let out = replay(&[
        &run.p("in.jsonl"),
        "--url",
        &sink.url(),
        "--failed-out",
        &run.p("failed.jsonl"),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert_eq!(sink.requests().len(), 1);
    let s = summary(&out);
    assert_eq!(
        (s["delivered"].as_u64(), s["invalid"].as_u64()),
        (Some(1), Some(2))
    );
    let failed = std::fs::read_to_string(run.path("failed.jsonl")).unwrap();
    assert_eq!(failed, text.split_once('\n').unwrap().1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(":2:") && stderr.contains(":3:"), "{stderr}");
    assert!(
        !stderr.contains("919800000009"),
        "reference_id leaked: {stderr}"
    );

    let out = replay(&[&run.p("in.jsonl"), "--url", &sink.url(), "--no-validate"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert_eq!(sink.requests().len(), 4);
}

// Headers: ${VAR} from the environment, {field} from the record, HMAC
// signature over the exact body.
#[test]
fn headers_env_fields_and_signature() {
    use hmac::Mac;
    let sink = Sink::ok();
    let out = clickstream()
        .args([case("C25").to_str().unwrap(), "--url", &sink.url()])
        .args([
            "-H",
            "Authorization: Bearer ${REPLAY_TEST_TOKEN}",
            "-H",
            "X-Campaign: {campaign_id}",
        ])
        .args([
            "--hmac-secret-env",
            "REPLAY_TEST_SECRET",
            "--hmac-header",
            "X-Hub-Signature",
        ])
        .env("REPLAY_TEST_TOKEN", "tok-123")
        .env("REPLAY_TEST_SECRET", "shh")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    for r in sink.requests() {
        assert_eq!(r.header("authorization"), Some("Bearer tok-123"));
        assert_eq!(r.header("x-campaign"), Some("cmp1"));
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"shh").unwrap();
        mac.update(&r.body);
        let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        assert_eq!(r.header("x-hub-signature"), Some(expected.as_str()));
    }
}

// A record lacking a {field} a header needs fails with that reason, unsent.
#[test]
fn missing_header_field_fails_the_record() {
    let sink = Sink::ok();
    let run = Run::new();
    let out = replay(&[
        case("C25").to_str().unwrap(),
        "--url",
        &sink.url(),
        "-H",
        "X-Click: {click_timestamp}",
        "--failed-out",
        &run.p("failed.jsonl"),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(sink.requests().is_empty());
    assert_eq!(lines(&run.path("failed.jsonl")).len(), 3);
    assert!(String::from_utf8_lossy(&out.stderr).contains("click_timestamp"));
}

// An unset ${VAR} is a usage error before anything is sent.
#[test]
fn unset_variable_is_a_usage_error() {
    let sink = Sink::ok();
    let out = clickstream()
        .args([case("C25").to_str().unwrap(), "--url", &sink.url()])
        .args(["-H", "Authorization: Bearer ${REPLAY_TEST_UNSET}"])
        .env_remove("REPLAY_TEST_UNSET")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("REPLAY_TEST_UNSET is not set"));
    assert!(sink.requests().is_empty());
}

// --dry-run prints requests with secrets redacted and reference_id masked,
// and sends nothing.
#[test]
fn dry_run_redacts_and_sends_nothing() {
    let sink = Sink::ok();
    let out = clickstream()
        .args([
            case("C25").to_str().unwrap(),
            "--url",
            &sink.url(),
            "--dry-run",
        ])
        .args([
            "-H",
            "X-Api-Token: ${REPLAY_TEST_TOKEN}",
            "--hmac-secret-env",
            "REPLAY_TEST_TOKEN",
        ])
        .env("REPLAY_TEST_TOKEN", "tok-123")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("POST http://127.0.0.1:"));
    assert!(text.contains("Idempotency-Key: e2"));
    assert!(text.contains("\"reference_id\":\"91********02\""), "{text}");
    assert!(
        !text.contains("tok-123") && !text.contains("919800000002"),
        "{text}"
    );
    assert!(text.contains("X-Signature-256: sha256=<redacted>"));
    let shown = clickstream()
        .args([
            case("C25").to_str().unwrap(),
            "--url",
            &sink.url(),
            "--dry-run",
            "--show-pii",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&shown.stdout).contains("919800000002"));
    assert!(sink.requests().is_empty());
}

// Plain http to another host is warned about (checked with --dry-run, so
// nothing leaves this machine).
#[test]
fn plain_http_to_another_host_warns() {
    let input = case("C21");
    let out = replay(&[
        input.to_str().unwrap(),
        "--url",
        "http://receiver.invalid/x",
        "--dry-run",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("plain http"));
    let sink = Sink::ok();
    let out = replay(&[input.to_str().unwrap(), "--url", &sink.url()]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("plain http"));
}

// The JSON summary is one object with the keys SPEC 6 lists, in its order.
#[test]
fn json_summary_has_the_spec_shape() {
    let sink = Sink::ok();
    let out = replay(&[
        case("C25").to_str().unwrap(),
        "--url",
        &sink.url(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 1);
    let s = summary(&out);
    let keys: Vec<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
    let mut expected = vec![
        "type",
        "records",
        "delivered",
        "failed",
        "invalid",
        "retries",
        "status",
        "latency_ms",
        "elapsed_s",
        "rate",
    ];
    expected.sort();
    let mut keys = keys;
    keys.sort();
    assert_eq!(keys, expected);
    assert!(text.starts_with("{\"type\":\"summary\",\"records\":3,\"delivered\":3,"));
    assert_eq!(s["status"]["200"], 3);
    for p in ["p50", "p90", "p99", "max"] {
        assert!(s["latency_ms"][p].is_number());
    }
}

// Bad flags are usage errors.
#[test]
fn bad_flags_are_usage_errors() {
    for args in [
        vec!["--url", "ftp://127.0.0.1/"],
        vec!["--url", "not a url"],
        vec!["--url", "http://127.0.0.1/", "--rate", "0"],
        vec!["--url", "http://127.0.0.1/", "--timeout", "5 parsecs"],
        vec!["--url", "http://127.0.0.1/", "-H", "NoColon"],
        vec!["--url", "http://127.0.0.1/", "--checkpoint", "cp"],
    ] {
        let out = clickstream().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}\n{}", show(&out));
    }
}

// CSV rows are sent as canonical JSON objects, and a failed row is kept in
// --failed-out as that JSON line, so the file can be replayed.
#[test]
fn csv_rows_are_sent_as_json_and_kept_replayable() {
    let run = Run::new();
    let header = "event_id,reference_id,organisation_id,campaign_id,display_unit,\
                  impression_timestamp,click_timestamp,business_number";
    let csv = format!(
        "{header}\r\nc1,919800000001,00042,007,du1,1754116200,,9122245644890\r\n\
         c2,919800000002,org1,cmp1,du1,1754116200,1754116260,9122245644890\r\n"
    );
    std::fs::write(run.path("in.csv"), csv).unwrap();
    let sink = Sink::start(|r| match r.event_id.as_deref() {
        Some("c2") => Reply::status(403),
        _ => Reply::ok(),
    });
    let out = replay(&[
        &run.p("in.csv"),
        "--url",
        &sink.url(),
        "--failed-out",
        &run.p("f.csv"),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let c1 = sink
        .requests()
        .into_iter()
        .find(|r| r.event_id.as_deref() == Some("c1"))
        .unwrap();
    assert_eq!(
        String::from_utf8(c1.body).unwrap(),
        "{\"event_id\":\"c1\",\"reference_id\":\"919800000001\",\"organisation_id\":\"00042\",\
         \"campaign_id\":\"007\",\"display_unit\":\"du1\",\"impression_timestamp\":\"1754116200\",\
         \"business_number\":\"9122245644890\"}"
    );
    // The failed row is kept as read, under its header, so the file replays.
    assert_eq!(
        std::fs::read_to_string(run.path("f.csv")).unwrap(),
        format!(
            "{header}\r\nc2,919800000002,org1,cmp1,du1,1754116200,1754116260,9122245644890\r\n"
        )
    );
    let again = Sink::ok();
    let out = replay(&[&run.p("f.csv"), "--url", &again.url()]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let sent: Vec<String> = again
        .requests()
        .iter()
        .filter_map(|r| r.event_id.clone())
        .collect();
    assert_eq!(sent, ["c2"]);
}

/// A valid record (the record V of the replay findings) with this event_id
/// and reference_id, as one JSON line without its newline.
fn record_v(event_id: &str, reference_id: &str) -> String {
    format!(
        "{{\"event_id\":\"{event_id}\",\"reference_id\":{},\"organisation_id\":\"o\",\
         \"campaign_id\":\"c\",\"display_unit\":\"d\",\"impression_timestamp\":\"1754116200\",\
         \"business_number\":\"9122245644890\"}}",
        serde_json::Value::from(reference_id)
    )
}

/// The event_ids the sink received, sorted.
fn sent_ids(sink: &Sink) -> Vec<String> {
    let mut ids: Vec<String> = sink
        .requests()
        .iter()
        .filter_map(|r| r.event_id.clone())
        .collect();
    ids.sort();
    ids
}

// SPEC 6: a rerun skips only the records an earlier run delivered or wrote
// to --failed-out; a failure or an invalid record kept nowhere is handled
// again.
#[test]
fn checkpoint_skips_only_delivered_or_kept_records() {
    let run = Run::new();
    let invalid = "{\"event_id\":\"e2\",\"reference_id\":\"919811112222\"}";
    let text = format!("{}\n{invalid}\n", record_v("e1", "919811112222"));
    std::fs::write(run.path("in.jsonl"), text).unwrap();
    let down = Sink::start(|_| Reply::status(503));
    let first = |cp: &str, extra: &[&str]| {
        let args = [&run.p("in.jsonl"), "--url", &down.url(), "--retries", "0"];
        replay(&[&args[..], &["--checkpoint", &run.p(cp)], extra].concat())
    };
    let out = first("cp", &[]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let up = Sink::ok();
    let again = |cp: &str| {
        let args = [&run.p("in.jsonl"), "--url", &up.url(), "--no-validate"];
        replay(&[&args[..], &["--checkpoint", &run.p(cp), "--format", "json"]].concat())
    };
    let out = again("cp");
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert_eq!(sent_ids(&up), ["e1", "e2"]);
    assert_eq!(summary(&out)["delivered"], 2);

    // Kept in --failed-out, they are finished: the rerun skips them.
    let out = first("cp2", &["--failed-out", &run.p("failed.jsonl")]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let out = again("cp2");
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert_eq!(sent_ids(&up), ["e1", "e2"]);
    assert_eq!(summary(&out)["records"], 0);
}

// A rate too small to space requests is refused before anything is sent,
// without a panic; the smallest allowed one works.
#[test]
fn tiny_or_odd_rates_are_usage_errors() {
    let sink = Sink::ok();
    let input = case("C21");
    for rate in ["1e-20", "1e-300", "5e-324", "0.0009", "inf", "NaN", "-1"] {
        let flag = format!("--rate={rate}");
        let out = replay(&[input.to_str().unwrap(), "--url", &sink.url(), &flag]);
        assert_eq!(out.status.code(), Some(2), "{rate}\n{}", show(&out));
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "clickstream: error: --rate must be a number of requests per second from 0.001 \
             up, e.g. --rate 50\n",
            "{rate}"
        );
    }
    assert!(sink.requests().is_empty());
    let out = replay(&[
        input.to_str().unwrap(),
        "--url",
        &sink.url(),
        "--rate",
        "0.001",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert_eq!(sink.requests().len(), 1);
}

// A {field} header whose value HTTP cannot carry fails the record at once,
// unsent and not retried, with a message that names the header but never
// shows the value (here a reference_id).
#[test]
fn header_value_not_valid_in_http_fails_at_once_without_its_value() {
    let sink = Sink::ok();
    let run = Run::new();
    std::fs::write(
        run.path("in.jsonl"),
        format!(
            "{}\n{}\n",
            record_v("e1", "Jörg Müller"),
            record_v("e2", "919811112222")
        ),
    )
    .unwrap();
    let out = replay(&[
        &run.p("in.jsonl"),
        "--url",
        &sink.url(),
        "-H",
        "X-Ref: {reference_id}",
        "--backoff-base",
        "0s",
        "--report",
        &run.p("report.jsonl"),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let reason = "header \"X-Ref\" not sent: its value holds a character HTTP does not allow \
                  (only visible ASCII, space and tab); make the fields it uses ASCII or drop -H";
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "clickstream: replay: {}:1: event \"e1\" not sent: {reason}\n",
            run.p("in.jsonl")
        )
    );
    assert_eq!(sent_ids(&sink), ["e2"]);
    let report = json_lines(&run.path("report.jsonl"));
    let e1 = outcome(&report, "e1");
    assert_eq!(
        (&e1["outcome"], &e1["attempts"], &e1["status"], &e1["error"]),
        (
            &"failed".into(),
            &0.into(),
            &serde_json::Value::Null,
            &reason.into()
        )
    );
    let s = summary(&out);
    assert_eq!(
        (&s["failed"], &s["retries"], &s["status"]),
        (&1.into(), &0.into(), &serde_json::json!({"200": 1}))
    );
}

// Headers that frame the message are clickstream's own: -H cannot set
// them, nor can --hmac-header name one.
#[test]
fn framing_headers_are_refused() {
    let sink = Sink::ok();
    let input = case("C21");
    let names = [
        "Content-Length",
        "transfer-encoding",
        "Host",
        "Connection",
        "Upgrade",
        "TE",
        "Trailer",
        "Keep-Alive",
        "Expect",
    ];
    for name in names {
        let header = format!("{name}: 5");
        let out = replay(&[input.to_str().unwrap(), "--url", &sink.url(), "-H", &header]);
        assert_eq!(out.status.code(), Some(2), "{name}\n{}", show(&out));
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            format!(
                "clickstream: error: -H {name:?}: clickstream sets this header itself; \
                 remove it\n"
            )
        );
    }
    let out = clickstream()
        .args([input.to_str().unwrap(), "--url", &sink.url()])
        .args([
            "--hmac-secret-env",
            "REPLAY_TEST_SECRET",
            "--hmac-header",
            "Host",
        ])
        .env("REPLAY_TEST_SECRET", "shh")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "clickstream: error: --hmac-header \"Host\": clickstream sets this header itself; \
         name another\n"
    );
    assert!(sink.requests().is_empty());
}

// --checkpoint reads an input twice (to identify it, then to send it), so
// a FIFO is refused at once instead of hanging.
#[test]
fn checkpoint_needs_regular_input_files() {
    let run = Run::new();
    let fifo = run.p("in.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let mut child = clickstream()
        .args([
            &fifo,
            "--url",
            "http://127.0.0.1:9/x",
            "--checkpoint",
            &run.p("cp"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while child.try_wait().unwrap().is_none() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    if child.try_wait().unwrap().is_none() {
        let _ = child.kill();
        let _ = child.wait();
        panic!("replay --checkpoint on a FIFO hung");
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "clickstream: error: --checkpoint needs regular input files, and {fifo:?} is not \
             one; copy it to a file first or drop --checkpoint\n"
        )
    );
}

// A checkpoint line that cannot be read is a usage error naming the file
// and line, not a silent resend of everything; a torn last line (no
// newline: the run was killed while writing it) is still fine.
#[test]
fn damaged_checkpoint_is_a_usage_error() {
    let sink = Sink::ok();
    let run = Run::new();
    let input = case("C25");
    let cp = run.p("cp");
    let go = || {
        replay(&[
            input.to_str().unwrap(),
            "--url",
            &sink.url(),
            "--checkpoint",
            &cp,
        ])
    };
    let out = go();
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let good = std::fs::read_to_string(&cp).unwrap();
    assert_eq!(good.lines().count(), 2);
    for bad in [
        "{\"i\":5,\"r\":0}\n",
        "{\"i\":0,\"below\":-1,\"extra\":[]}\n",
        "{\"i\":1,\"below\":0,\"extra\":[]}\n",
        "{\"i\":0,\"r\":1,\"x\":2}\n",
        "garbage\n",
        "garbage",
    ] {
        std::fs::write(&cp, format!("{good}{bad}")).unwrap();
        let out = go();
        assert_eq!(out.status.code(), Some(2), "{bad}\n{}", show(&out));
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            format!(
                "clickstream: error: checkpoint {cp:?}: line 3 cannot be read; delete the \
                 file to start over, or give another --checkpoint\n"
            ),
            "{bad}"
        );
    }
    std::fs::write(&cp, format!("{good}{{\"i\":0,\"r\"")).unwrap();
    let out = go();
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert_eq!(sink.requests().len(), 3);
}

// The reply snippet in messages and --report hides the record's
// reference_id however the server echoes it: cut off at the end of the
// snippet, JSON-escaped in either case, the second value of a duplicate
// key; and phone numbers and hashes of the server's own.
#[test]
fn reply_snippets_never_show_personal_data() {
    let hash = format!("ab{}ef", "0123456789".repeat(6));
    let own = format!("{{\"error\":\"no account for 919900001111\",\"key\":\"{hash}\"}}");
    let reply_own = own.clone();
    let sink = Sink::start(move |r| {
        let echo = String::from_utf8_lossy(&r.body).into_owned();
        match r.event_id.as_deref() {
            Some("e1") => Reply::status(400).body(&format!("{}{echo}", "x".repeat(160))),
            Some("e2") => Reply::status(422)
                .body(r#"{"a":"J\u00f6rg M\u00fcller","b":"J\u00F6rg M\u00FCller"}"#),
            Some("e3") => Reply::status(400).body(&echo),
            _ => Reply::status(404).body(&reply_own),
        }
    });
    let run = Run::new();
    let dup = r#"{"event_id":"e3","reference_id":"919811113333","reference_id":"Hans Meier"}"#;
    let text = format!(
        "{}\n{}\n{dup}\n{}\n",
        record_v("e1", "919811112222"),
        record_v("e2", "Jörg Müller"),
        record_v("e4", "919811114444")
    );
    std::fs::write(run.path("in.jsonl"), text).unwrap();
    let args = |report: &str, extra: &[&str]| {
        let input = run.p("in.jsonl");
        let base = [
            &input,
            "--url",
            &sink.url(),
            "--no-validate",
            "--retries",
            "0",
        ];
        replay(&[&base[..], &["--report", &run.p(report)], extra].concat())
    };
    let out = args("report.jsonl", &[]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let expected = [
        (
            "e1",
            1,
            400,
            format!(
                "{}{{\"event_id\":\"e1\",\"reference_id\":\"91*****…",
                "x".repeat(160)
            ),
        ),
        (
            "e2",
            2,
            422,
            r#"{"a":"Jö*******er","b":"Jö*******er"}"#.to_string(),
        ),
        (
            "e3",
            3,
            400,
            r#"{"event_id":"e3","reference_id":"91********33","reference_id":"Ha******er"}"#
                .to_string(),
        ),
        (
            "e4",
            4,
            404,
            format!(
                "{{\"error\":\"no account for 91********11\",\"key\":\"ab{}ef\"}}",
                "*".repeat(60)
            ),
        ),
    ];
    let report = json_lines(&run.path("report.jsonl"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for (id, line, status, response) in &expected {
        assert_eq!(outcome(&report, id)["response"], *response.as_str(), "{id}");
        let message = format!(
            "clickstream: replay: {}:{line}: event \"{id}\" failed after 1 attempt: \
             HTTP {status}: {response}",
            run.p("in.jsonl")
        );
        assert!(stderr.lines().any(|l| l == message), "{message}\n{stderr}");
    }
    let all = format!(
        "{stderr}{}",
        std::fs::read_to_string(run.path("report.jsonl")).unwrap()
    );
    for secret in [
        "9198111",
        "J\\u00",
        "Hans Meier",
        "919900001111",
        &hash[..20],
    ] {
        assert!(!all.contains(secret), "{secret} leaked:\n{all}");
    }

    // --show-pii shows the replies as they came.
    let out = args("shown.jsonl", &["--show-pii"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    let report = json_lines(&run.path("shown.jsonl"));
    assert_eq!(outcome(&report, "e4")["response"], own.as_str());
    assert_eq!(outcome(&report, "e3")["response"], dup);
}

// --dry-run shows the body that would be sent with every value of every
// reference_id key masked in place: duplicates, nested objects, escaped
// strings and numbers.
#[test]
fn dry_run_masks_every_reference_id_in_place() {
    let run = Run::new();
    let records = [
        r#"{"event_id":"e3","reference_id":"919811113333","reference_id":"Hans Meier"}"#,
        r#"{"event_id":"e4", "m" : {"reference_id" : "919811115555"},"reference_id":"x12345"}"#,
        r#"{"event_id":"e5","reference_id":"J\u00f6rg M\u00fcller"}"#,
        r#"{"event_id":"e6","reference_id":919811116666}"#,
    ];
    std::fs::write(run.path("in.jsonl"), records.join("\n") + "\n").unwrap();
    let out = replay(&[
        &run.p("in.jsonl"),
        "--url",
        "http://127.0.0.1:9/x",
        "--dry-run",
        "--no-validate",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let bodies: Vec<&str> = stdout.lines().filter(|l| l.starts_with('{')).collect();
    assert_eq!(
        bodies,
        [
            r#"{"event_id":"e3","reference_id":"91********33","reference_id":"Ha******er"}"#,
            r#"{"event_id":"e4", "m" : {"reference_id" : "91********55"},"reference_id":"******"}"#,
            r#"{"event_id":"e5","reference_id":"Jö*******er"}"#,
            r#"{"event_id":"e6","reference_id":91********66}"#,
        ]
    );
}

// Query parameters that look like credentials are redacted wherever the
// URL is shown, like a password; the rest of the URL is left as it is.
#[test]
fn url_secrets_are_redacted() {
    let input = case("C21");
    let url = "http://u:pw12@127.0.0.1:9/x?api_key=k3y-v4lue&page=2&X-Signature=s1gn4ture&\
               AccessToken=t0k3n99&q=1";
    let out = replay(&[input.to_str().unwrap(), "--url", url, "--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.lines().next(),
        Some(
            "POST http://u:redacted@127.0.0.1:9/x?api_key=redacted&page=2&X-Signature=redacted&\
             AccessToken=redacted&q=1"
        )
    );
    let out = replay(&[
        input.to_str().unwrap(),
        "--url",
        "http://receiver.invalid/x?client_secret=v3ry-s3cret",
        "--dry-run",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    let all = show(&out);
    assert!(
        all.contains("http://receiver.invalid/x?client_secret=redacted"),
        "{all}"
    );
    assert!(!all.contains("v3ry-s3cret"), "{all}");

    // Nothing listens on a port just released: the connection error does
    // not show the secret either.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/x?token=t0k3n-v4lue");
    let out = replay(&[input.to_str().unwrap(), "--url", &url, "--retries", "0"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(!show(&out).contains("t0k3n-v4lue"), "{}", show(&out));
}

// --failed-out and --report cannot be one file: their lines would mix.
#[test]
fn failed_out_and_report_must_differ() {
    let sink = Sink::ok();
    let run = Run::new();
    let same = run.p("same.jsonl");
    let input = case("C21");
    let out = replay(&[
        input.to_str().unwrap(),
        "--url",
        &sink.url(),
        "--failed-out",
        &same,
        "--report",
        &same,
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "clickstream: error: --failed-out and --report name the same file; give them \
         different names\n"
    );
    assert!(sink.requests().is_empty());
    assert!(!run.path("same.jsonl").exists());
}
