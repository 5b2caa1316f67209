//! `clickstream validate` on the seed examples, the 1,000-event fixture in
//! all its forms, the shared real-world cases, and hostile input.

use std::fs;
use std::io::Read;
use std::process::Stdio;

use serde_json::Value;

use crate::util::{arg, bin, case, fixture, run, run_with, Output};

/// `(line, field, code)` of every diagnostic in `--format json` output.
fn found(out: &Output) -> Vec<(u64, String, String)> {
    out.lines()
        .iter()
        .map(|l| serde_json::from_str::<Value>(l).expect("JSON line"))
        .filter(|v| v["type"] == "diagnostic")
        .map(|v| {
            let field = v["field"].as_str().unwrap_or("").to_string();
            (
                v["line"].as_u64().unwrap(),
                field,
                v["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The summary object of `--format json` output.
fn summary(out: &Output) -> Value {
    let last = out.lines().last().copied().expect("a summary line");
    let v: Value = serde_json::from_str(last).unwrap();
    assert_eq!(v["type"], "summary");
    v
}

/// The planted faults listed in a `.expected` file.
fn expected(name: &str) -> Vec<(u64, String, String)> {
    fs::read_to_string(fixture(name))
        .unwrap()
        .lines()
        .map(|l| {
            let mut parts = l.split('\t');
            let line = parts.next().unwrap().parse().unwrap();
            let field = parts.next().unwrap().to_string();
            (line, field, parts.next().unwrap().to_string())
        })
        .collect()
}

fn sorted(mut v: Vec<(u64, String, String)>) -> Vec<(u64, String, String)> {
    v.sort();
    v
}

#[test]
fn seed_examples_give_comment_errors_and_nothing_else() {
    for name in ["seed/detailed-example.json", "seed/click-example.json"] {
        let out = run(&["validate", "--format", "json", arg(&fixture(name))]);
        assert_eq!(out.code, 1, "{out:?}");
        assert_eq!(
            found(&out),
            vec![(1, String::new(), "json_comment".to_string())]
        );
        let s = summary(&out);
        // The comment stands outside the object, which is itself valid.
        assert_eq!(
            (s["records"].as_u64(), s["valid"].as_u64()),
            (Some(1), Some(1))
        );
        let msg = serde_json::from_str::<Value>(out.lines()[0]).unwrap()["message"].clone();
        assert_eq!(
            msg,
            "// comment at line 1 column 1; JSON has no comments, remove it"
        );
    }
}

#[test]
fn seed_objects_as_clean_json_are_valid() {
    for name in ["seed/detailed-clean.json", "seed/click-clean.json"] {
        let out = run(&["validate", arg(&fixture(name))]);
        assert_eq!(out.code, 0, "{out:?}");
        assert_eq!(out.stdout, "");
        assert!(out
            .stderr
            .starts_with("1 record: 1 valid, 0 invalid; 0 errors, 0 warnings\n"));
    }
    let out = run(&[
        "validate",
        "--kind",
        "click",
        arg(&fixture("seed/click-clean.json")),
    ]);
    assert_eq!(out.code, 0, "{out:?}");
}

#[test]
fn both_seed_examples_share_one_event_id() {
    let out = run(&[
        "validate",
        arg(&fixture("seed/detailed-clean.json")),
        arg(&fixture("seed/click-clean.json")),
    ]);
    assert_eq!(out.code, 0);
    let clean = fixture("seed/detailed-clean.json");
    assert_eq!(
        out.stdout,
        format!(
            "{}:1: warning[duplicate_event_id] event_id: event_id \"DfK910987654321SNJ\" was \
             already seen at {}:1\n",
            arg(&fixture("seed/click-clean.json")),
            arg(&clean)
        )
    );
}

#[test]
fn fixture_gives_exactly_the_planted_faults() {
    let path = fixture("events-1000.jsonl");
    let out = run(&[
        "validate",
        "--format",
        "json",
        "--max-record-bytes",
        "64K",
        arg(&path),
    ]);
    assert_eq!(out.code, 1);
    assert_eq!(sorted(found(&out)), expected("events-1000.expected"));
    let s = summary(&out);
    assert_eq!(s["records"], 1000);
    assert_eq!(s["valid"], 985);
    assert_eq!(s["invalid"], 15);
    assert_eq!(s["errors"], 15);
    assert_eq!(s["warnings"], 7);
    // Line 88 holds reference_id twice: no value is its own, none counted.
    assert_eq!(s["reference_id_forms"]["phone"], 436);
    assert_eq!(s["reference_id_forms"]["sha256"], 339);
    assert_eq!(s["reference_id_forms"]["custom"], 219);
}

#[test]
fn gzip_copy_and_stdin_give_the_same_faults() {
    let want = expected("events-1000.expected");
    let gz = fixture("events-1000.jsonl.gz");
    let out = run(&[
        "validate",
        "--format",
        "json",
        "--max-record-bytes",
        "64K",
        arg(&gz),
    ]);
    assert_eq!((out.code, sorted(found(&out))), (1, want.clone()));

    // By magic bytes, not by name: the same gzip bytes behind a .txt name.
    let dir = tempfile::tempdir().unwrap();
    let renamed = dir.path().join("events.txt");
    fs::copy(&gz, &renamed).unwrap();
    let out = run(&[
        "validate",
        "--format",
        "json",
        "--max-record-bytes",
        "64K",
        arg(&renamed),
    ]);
    assert_eq!(sorted(found(&out)), want);

    let bytes = fs::read(fixture("events-1000.jsonl")).unwrap();
    let out = run_with(
        &[
            "validate",
            "--format",
            "json",
            "--max-record-bytes",
            "64K",
            "-",
        ],
        &bytes,
    );
    assert_eq!((out.code, sorted(found(&out))), (1, want.clone()));
    let first = serde_json::from_str::<Value>(out.lines()[0]).unwrap();
    assert_eq!(first["file"], "<stdin>");

    let out = run_with(
        &["validate", "--format", "json", "--max-record-bytes", "64K"],
        &bytes,
    );
    assert_eq!(sorted(found(&out)), want);
}

#[test]
fn csv_form_gives_its_planted_faults() {
    let out = run(&[
        "validate",
        "--format",
        "json",
        arg(&fixture("events-1000.csv")),
    ]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(sorted(found(&out)), expected("events-1000.csv.expected"));
    let s = summary(&out);
    assert_eq!(
        (s["records"].as_u64(), s["invalid"].as_u64()),
        (Some(1000), Some(7))
    );
}

#[test]
fn bad_csv_header_names_the_column_and_exits_2() {
    let out = run(&["validate", arg(&fixture("bad-header.csv"))]);
    assert_eq!(out.code, 2);
    let file = arg(&fixture("bad-header.csv")).to_string();
    assert_eq!(
        out.lines(),
        vec![
            format!(
                "{file}:1: error[csv_header] campaign_id: column \"campaign_id\" appears twice \
                 in the header; keep one"
            ),
            format!(
                "{file}:1: error[csv_header] event_id: the header has no \"event_id\" column; \
                 column \"Event_ID\" looks like it: rename it to \"event_id\""
            ),
            format!(
                "{file}:1: error[csv_header] organisation_id: the header has no \
                 \"organisation_id\" column; column \"orgnisation_id\" looks like it: rename it \
                 to \"organisation_id\""
            ),
        ]
    );
}

#[test]
fn click_kind_requires_click_timestamp() {
    let path = fixture("clicks.jsonl");
    let out = run(&["validate", "--kind", "click", arg(&path)]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stdout,
        format!(
            "{}:6: error[click_missing] click_timestamp: a click event needs click_timestamp \
             (--kind click)\n",
            arg(&path)
        )
    );
    assert_eq!(run(&["validate", arg(&path)]).code, 0);
}

/// Every raw reference_id of the fixture, read independently of the tool.
fn reference_ids() -> Vec<String> {
    let bytes = fs::read(fixture("events-1000.jsonl")).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let mut ids: Vec<String> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l.trim_start_matches('\u{feff}')).ok())
        .filter_map(|v| v["reference_id"].as_str().map(str::to_string))
        .collect();
    // The duplicate-key line hides a second value serde keeps; take both.
    let dup = text.lines().nth(87).unwrap();
    for part in dup.split("\"reference_id\":\"").skip(1) {
        ids.push(part.split('"').next().unwrap().to_string());
    }
    ids
}

#[test]
fn no_reference_id_leaks_without_show_pii() {
    let ids = reference_ids();
    assert!(ids.len() > 990);
    let path = fixture("events-1000.jsonl");
    let runs = [
        run(&["validate", "--max-record-bytes", "64K", arg(&path)]),
        run(&["validate", "--format", "json", arg(&path)]),
        run(&["validate", "--reference-id", "phone", arg(&path)]),
        run(&[
            "validate",
            "--strict",
            "--reference-id",
            "sha256",
            "--format",
            "json",
            arg(&path),
        ]),
        run(&["validate", arg(&fixture("events-1000.csv"))]),
    ];
    for out in &runs {
        let all = out.all();
        for id in &ids {
            assert!(!all.contains(id.as_str()), "{id} leaked");
        }
    }
    // The same check can fail: --show-pii prints the raw values it names.
    let shown = run(&[
        "validate",
        "--reference-id",
        "phone",
        "--show-pii",
        arg(&path),
    ]);
    assert!(
        ids.iter()
            .filter(|id| shown.all().contains(id.as_str()))
            .count()
            > 500
    );
}

#[test]
fn split_files_are_byte_exact() {
    let dir = tempfile::tempdir().unwrap();
    let (good, bad) = (dir.path().join("good.jsonl"), dir.path().join("bad.jsonl"));
    let path = fixture("events-1000.jsonl");
    let out = run(&[
        "validate",
        "--quiet",
        "--max-record-bytes",
        "64K",
        "--valid-out",
        arg(&good),
        "--invalid-out",
        arg(&bad),
        arg(&path),
    ]);
    assert_eq!(
        (out.code, out.stdout.as_str(), out.stderr.as_str()),
        (1, "", "")
    );
    let input = fs::read(&path).unwrap();
    let lines: Vec<&[u8]> = input[3..].split_inclusive(|&b| b == b'\n').collect();
    let bad_lines: Vec<u64> = expected("events-1000.expected")
        .into_iter()
        .filter(|(_, _, code)| {
            !matches!(code.as_str(), "bom" | "whitespace" | "unknown_field")
                && !matches!(code.as_str(), "timestamp_number" | "reference_id_form")
                && !matches!(code.as_str(), "duplicate_event_id" | "field_alias")
        })
        .map(|(line, _, _)| line)
        .collect();
    assert_eq!(bad_lines.len(), 15);
    let (mut want_good, mut want_bad) = (Vec::new(), Vec::new());
    for (i, line) in lines.iter().enumerate() {
        let target = if bad_lines.contains(&(i as u64 + 1)) {
            &mut want_bad
        } else {
            &mut want_good
        };
        target.extend_from_slice(line);
    }
    assert_eq!(fs::read(&good).unwrap(), want_good);
    assert_eq!(fs::read(&bad).unwrap(), want_bad);
}

#[test]
fn csv_split_files_keep_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    let path = fixture("events-1000.csv");
    run(&["validate", "-q", "--invalid-out", arg(&bad), arg(&path)]);
    let text = fs::read_to_string(&bad).unwrap();
    let header = "event_id,reference_id,organisation_id,campaign_id,display_unit,\
                  impression_timestamp,click_timestamp,business_number,coupon_code\r\n";
    assert!(text.starts_with(header), "{text}");
    // The quarantine file is itself a CSV that validates to the same faults.
    let again = run(&["validate", "--format", "json", arg(&bad)]);
    let codes: Vec<String> = found(&again).into_iter().map(|(_, _, c)| c).collect();
    assert_eq!(
        codes,
        [
            "missing_field",
            "control_character",
            "timestamp_format",
            "timestamp_millis",
            "timestamp_range",
            "click_before_impression",
            "csv_field_count"
        ]
    );
}

#[test]
fn case_c13_duplicate_key_is_an_error() {
    let path = case("C13.jsonl");
    let out = run(&["validate", arg(&path)]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stdout,
        format!(
            "{}:2: error[duplicate_key] reference_id: duplicate key \"reference_id\": the same \
             key appears twice; keep one value\n",
            arg(&path)
        )
    );
    assert!(out
        .stderr
        .starts_with("2 records: 1 valid, 1 invalid; 1 error, 0 warnings\n"));
    // The form of a reference_id given twice is not chosen silently either.
    assert!(out
        .stderr
        .contains("\n  reference_id forms: phone 1, sha256 0, custom 0\n"));
}

#[test]
fn case_c14_trailing_comma_points_at_the_comma() {
    let path = case("C14.json");
    let out = run(&["validate", arg(&path)]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stdout,
        format!(
            "{}:2: error[json_syntax] trailing comma at line 9 column 39 before the closing \
             bracket at line 10 column 3; remove the comma (array item 0)\n",
            arg(&path)
        )
    );
}

#[test]
fn case_c16_milliseconds_are_named() {
    let path = case("C16.jsonl");
    let out = run(&["validate", arg(&path)]);
    assert_eq!(out.code, 1);
    let p = arg(&path);
    assert_eq!(
        out.lines(),
        vec![
            format!(
                "{p}:1: error[timestamp_millis] impression_timestamp: 13 digits, looks like \
                 milliseconds; expected epoch seconds (e.g. \"1754116200\" = \
                 2025-08-02T06:30:00Z)"
            ),
            format!(
                "{p}:1: error[timestamp_millis] click_timestamp: 13 digits, looks like \
                 milliseconds; expected epoch seconds (e.g. \"1754116260\" = \
                 2025-08-02T06:31:00Z)"
            ),
        ]
    );
    assert!(out.stderr.starts_with("2 records: 1 valid, 1 invalid"));
}

#[test]
fn case_c17_number_warns_iso_fails() {
    let path = case("C17.jsonl");
    let p = arg(&path);
    let out = run(&["validate", p]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.lines(),
        vec![
            format!(
                "{p}:1: warning[timestamp_number] impression_timestamp: a JSON number; write it \
                 as the string \"1754116200\""
            ),
            format!(
                "{p}:2: error[timestamp_format] impression_timestamp: expected epoch seconds, \
                 got ISO-8601 \"2025-08-02T06:30:00Z\"; equivalent: \"1754116200\""
            ),
        ]
    );
    let strict = run(&["validate", "--strict", "--format", "json", p]);
    let first: Value = serde_json::from_str(strict.lines()[0]).unwrap();
    assert_eq!(
        (first["code"].as_str(), first["severity"].as_str()),
        (Some("timestamp_number"), Some("error"))
    );
    assert!(strict.stdout.contains("\"invalid\":2"));
}

#[test]
fn case_c19_long_lines_are_read_and_the_limit_is_per_line() {
    let path = case("C19.jsonl");
    let out = run(&["validate", arg(&path)]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""));
    assert!(out.stderr.starts_with("2 records: 2 valid, 0 invalid"));

    let out = run(&["validate", "--max-record-bytes", "64K", arg(&path)]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.stdout,
        format!(
            "{}:1: error[record_too_large] record of 70182 bytes exceeds --max-record-bytes \
             65536; it was skipped (raise the limit to check it)\n",
            arg(&path)
        )
    );
    assert!(out.stderr.starts_with("2 records: 1 valid, 1 invalid"));
}

#[test]
fn json_diagnostic_lines_have_every_field() {
    let path = fixture("events-1000.jsonl");
    let out = run(&["validate", "--format", "json", arg(&path)]);
    let line = out
        .lines()
        .into_iter()
        .find(|l| l.contains("click_before_impression"))
        .unwrap();
    assert_eq!(
        line,
        format!(
            "{{\"type\":\"diagnostic\",\"file\":\"{}\",\"line\":468,\"index\":null,\
             \"field\":\"click_timestamp\",\"code\":\"click_before_impression\",\
             \"severity\":\"error\",\"message\":\"click_timestamp 1756416870 \
             (2025-08-28T21:34:30Z) is before impression_timestamp 1756416930 \
             (2025-08-28T21:35:30Z)\"}}",
            arg(&path)
        )
    );
}

#[test]
fn arrays_report_start_lines_and_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pasted.json");
    fs::write(
        &path,
        "[\n  {\"event_id\": \"a\", \"reference_id\": \"919800000001\",\n   \
         \"organisation_id\": \"o\", \"campaign_id\": \"c\", \"display_unit\": \"d\",\n   \
         \"impression_timestamp\": \"1754116200\", \"business_number\": \"b\"},\n  \
         {\"event_id\": \"b\", /* pasted */ \"reference_id\": \"919800000002\",\n   \
         \"organisation_id\": \"o\", \"campaign_id\": \"c\", \"display_unit\": \"d\",\n   \
         \"impression_timestamp\": \"1754116200\"},\n  42\n]\n",
    )
    .unwrap();
    let out = run(&["validate", "--format", "json", arg(&path)]);
    let rows: Vec<Value> = out
        .lines()
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let brief: Vec<(u64, Option<u64>, &str)> = rows[..rows.len() - 1]
        .iter()
        .map(|v| {
            (
                v["line"].as_u64().unwrap(),
                v["index"].as_u64(),
                v["code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        brief,
        vec![
            (5, Some(1), "json_comment"),
            (5, Some(1), "missing_field"),
            (8, Some(2), "not_object"),
        ]
    );
    assert_eq!(rows[3]["records"], 3);
    assert_eq!(rows[3]["valid"], 1);
}

#[test]
fn crlf_jsonl_and_blank_lines_are_fine() {
    let good = fs::read_to_string(fixture("seed/detailed-clean.json")).unwrap();
    let one: Value = serde_json::from_str(&good).unwrap();
    let line = serde_json::to_string(&one).unwrap();
    let text = format!("{line}\r\n\r\n   \r\n{}\r\n", line.replace("DfK9", "XfK9"));
    let out = run_with(&["validate", "--format", "json"], text.as_bytes());
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(summary(&out)["records"], 2);
}

#[test]
fn exit_statuses() {
    let clean = fixture("seed/detailed-clean.json");
    assert_eq!(run(&["validate", arg(&clean)]).code, 0);
    assert_eq!(
        run(&["validate", arg(&fixture("clicks.jsonl")), "--kind", "click"]).code,
        1
    );
    let missing = run(&["validate", "no-such-file.jsonl"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stderr
            .contains("cannot open \"no-such-file.jsonl\""),
        "{}",
        missing.stderr
    );
    assert_eq!(
        run(&["validate", "--kind", "sometimes", arg(&clean)]).code,
        2
    );
    // Warnings only: 0, or 1 with --deny-warnings.
    let c17 = case("C17.jsonl");
    let text = fs::read_to_string(&c17).unwrap();
    let first = format!("{}\n", text.lines().next().unwrap());
    assert_eq!(run_with(&["validate"], first.as_bytes()).code, 0);
    assert_eq!(
        run_with(&["validate", "--deny-warnings"], first.as_bytes()).code,
        1
    );
}

#[test]
fn max_errors_stops_early_and_quiet_prints_nothing() {
    let path = fixture("events-1000.jsonl");
    let out = run(&["validate", "--max-errors", "3", arg(&path)]);
    assert_eq!(out.code, 1);
    assert_eq!(
        out.lines()
            .iter()
            .filter(|l| l.contains(": error["))
            .count(),
        3
    );
    assert!(out.stderr.contains("stopped at"), "{}", out.stderr);
    assert!(
        out.stderr.contains(":63 after 3 errors (--max-errors)"),
        "{}",
        out.stderr
    );

    let quiet = run(&["validate", "--quiet", arg(&path)]);
    assert_eq!(
        (quiet.code, quiet.stdout.as_str(), quiet.stderr.as_str()),
        (1, "", "")
    );
}

#[test]
fn closed_stdout_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.jsonl");
    let bad = "{\"event_id\":\"x\"}\n".repeat(50_000);
    fs::write(&path, bad).unwrap();
    let mut child = bin()
        .args(["validate", arg(&path)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn reference_id_policy_turns_forms_into_errors() {
    let path = fixture("events-1000.jsonl");
    let out = run(&[
        "validate",
        "--format",
        "json",
        "--reference-id",
        "hashed-or-phone",
        arg(&path),
    ]);
    let s = summary(&out);
    assert_eq!(s["by_code"]["reference_id_form"], 219);
    let line = out
        .lines()
        .into_iter()
        .find(|l| l.contains("\"line\":502,"))
        .unwrap();
    let v: Value = serde_json::from_str(line).unwrap();
    assert_eq!(
        v["message"],
        "+9***********18 is a custom reference_id; --reference-id hashed-or-phone accepts a \
         12-digit phone number or a SHA-256 hex digest; a phone number written with '+', spaces \
         or dashes; write the 12 digits only"
    );
}

#[test]
fn hostile_bytes_never_panic() {
    let mut junk = Vec::new();
    let mut x: u32 = 12345;
    for _ in 0..200_000 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        junk.push((x % 256) as u8);
    }
    for (from, code) in [("jsonl", 1), ("json", 1), ("csv", 2)] {
        let out = run_with(&["validate", "-q", "--from", from], &junk);
        assert_eq!(out.code, code, "{from}: {}", out.stderr);
    }
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    for from in ["jsonl", "json"] {
        let out = run_with(&["validate", "-q", "--from", from], nested.as_bytes());
        assert_eq!(out.code, 1, "{from}: {}", out.stderr);
    }
}

#[test]
fn readme_lists_every_code_with_its_meaning() {
    let readme = fs::read_to_string(crate::util::root().join("README.md")).unwrap();
    for code in clickstream::schema::Code::ALL {
        let row = readme
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` |", code.as_str())))
            .unwrap_or_else(|| panic!("README has no row for {code}"));
        assert!(row.ends_with(&format!("| {} |", code.meaning())), "{row}");
    }
}

#[test]
fn threads_give_the_same_output_as_one_thread() {
    let dir = tempfile::tempdir().unwrap();
    // Several blocks: the fixture repeated, so duplicates span blocks too.
    let one = fs::read(fixture("events-1000.jsonl")).unwrap();
    let mut big = one.clone();
    for _ in 0..12 {
        big.extend_from_slice(&one[3..]);
    }
    let path = dir.path().join("big.jsonl");
    fs::write(&path, &big).unwrap();
    let mut outputs = Vec::new();
    for threads in ["1", "2", "3"] {
        let (good, bad) = (
            dir.path().join(format!("g{threads}")),
            dir.path().join(format!("b{threads}")),
        );
        let out = run(&[
            "validate",
            "--threads",
            threads,
            "--max-record-bytes",
            "64K",
            "--valid-out",
            arg(&good),
            "--invalid-out",
            arg(&bad),
            arg(&path),
        ]);
        assert_eq!(out.code, 1);
        let summary = out.stderr.lines().next().unwrap().to_string();
        outputs.push((
            out.stdout,
            summary,
            fs::read(&good).unwrap(),
            fs::read(&bad).unwrap(),
        ));
    }
    assert_eq!(
        outputs[0].1,
        "13000 records: 12805 valid, 195 invalid; 195 errors, 12007 warnings"
    );
    assert!(outputs[0].0.contains(":12002: warning[duplicate_event_id]"));
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[0], outputs[2]);
}

// A split file named like the input (here through a hard link) would empty
// the input before it is read: refused before anything is opened for writing.
#[test]
fn split_files_may_not_be_inputs_or_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    fs::copy(fixture("seed/detailed-clean.json"), &input).unwrap();
    let before = fs::read(&input).unwrap();
    let link = dir.path().join("link.jsonl");
    fs::hard_link(&input, &link).unwrap();
    let out = run(&["validate", arg(&input), "--valid-out", arg(&link)]);
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stderr,
        format!(
            "clickstream: error: --valid-out {:?} is also an input; write it to another file\n",
            arg(&link)
        )
    );
    let same = dir.path().join("split.jsonl");
    let out = run(&[
        "validate",
        arg(&input),
        "--valid-out",
        arg(&same),
        "--invalid-out",
        arg(&same),
    ]);
    assert_eq!(out.code, 2);
    assert!(out
        .stderr
        .contains("--valid-out and --invalid-out name the same file"));
    assert_eq!(fs::read(&input).unwrap(), before);
}

#[test]
fn awkward_inputs_get_specific_messages() {
    // A quote left open swallows the rows after it: the message says so.
    let header = "event_id,reference_id,organisation_id,campaign_id,display_unit,\
                  impression_timestamp,click_timestamp,business_number\n";
    let csv = format!(
        "{header}e1,919800000001,o,c,\"du,1754116200,,b\n\
         e2,919800000002,o,c,du,1754116200,,b\ne3,919800000003,o,c,du,1754116200,,b\n"
    );
    let out = run_with(&["validate", "--from", "csv"], csv.as_bytes());
    assert_eq!(
        out.stdout,
        "<stdin>:2: error[csv_field_count] row has 5 cells but the header has 8 columns; the \
         row runs over 3 lines, to line 4: is a quote left open?\n"
    );

    // An empty CSV has no header: exit 2, not a silent success.
    let out = run_with(&["validate", "--from", "csv"], b"");
    assert_eq!(out.code, 2);
    assert_eq!(
        out.stdout,
        "<stdin>:1: error[csv_header] the CSV input is empty: expected a header row of field \
         names\n"
    );

    // UTF-16 is named, with the way out.
    let out = run_with(&["validate"], b"\xff\xfe{\x00}\x00");
    assert_eq!(out.code, 2);
    assert!(out.stderr.starts_with(
        "clickstream: error: cannot read \"-\": the input is UTF-16 (it starts with a UTF-16 \
         byte order mark); convert it to UTF-8 first, e.g. iconv -f UTF-16 -t UTF-8\n"
    ));

    // A whole number written as a float gets its canonical string.
    let clean = fs::read_to_string(fixture("seed/detailed-clean.json")).unwrap();
    let line = serde_json::to_string(&serde_json::from_str::<Value>(&clean).unwrap()).unwrap();
    let float = line.replace("\"1754116200\"", "1754116200.0");
    let out = run_with(&["validate"], float.as_bytes());
    assert_eq!(
        out.stdout,
        "<stdin>:1: error[timestamp_format] impression_timestamp: a JSON number written with a \
         fraction or an exponent; write it as the string \"1754116200\"\n"
    );
}

// The copies of the shared real-world cases must not drift from the
// originals when those are beside this folder (as in CI).
#[test]
fn case_copies_match_the_shared_cases() {
    let shared = crate::util::root().join("../shared/cases/inputs");
    let Ok(entries) = fs::read_dir(&shared) else {
        eprintln!("SKIPPED: no ../shared/cases/inputs beside this folder to compare with");
        return;
    };
    let mut compared = 0;
    for entry in entries {
        let entry = entry.unwrap();
        let copy = case(entry.file_name().to_str().unwrap());
        assert_eq!(
            fs::read(entry.path()).unwrap(),
            fs::read(&copy).unwrap(),
            "{copy:?}"
        );
        compared += 1;
    }
    assert_eq!(compared, 18);
}

/// A valid event as one JSONL line, with `field` set to the raw JSON `value`
/// (or removed when `value` is empty).
fn event_with(field: &str, value: &str) -> String {
    let clean = fs::read_to_string(fixture("seed/detailed-clean.json")).unwrap();
    let mut v: serde_json::Map<String, Value> = serde_json::from_str(&clean).unwrap();
    v.remove(field);
    let mut line = serde_json::to_string(&v).unwrap();
    if !value.is_empty() {
        line.insert_str(line.len() - 1, &format!(",\"{field}\":{value}"));
    }
    line
}

// Second hostile pass: a broken line never swallows the lines after it.
#[test]
fn a_broken_line_does_not_swallow_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let bad_ts = event_with("impression_timestamp", "\"1\"");
    let jsonl = dir.path().join("a.jsonl");
    fs::write(&jsonl, format!("{{\"event_id\":\"x\" broken\n{bad_ts}\n")).unwrap();
    let json = dir.path().join("a.json");
    fs::write(
        &json,
        format!("{{\"event_id\":\"e2\",\"reference_id\":\"9198\n{bad_ts}\n"),
    )
    .unwrap();
    for (path, first) in [
        (
            &jsonl,
            "error[json_syntax] expected `,` or `}` at line 1 column 17",
        ),
        (
            &json,
            "error[json_syntax] the value that starts at line 1 column 1 is cut short: line 1 \
             ends inside a string; reading goes on at the next line",
        ),
    ] {
        let out = run(&["validate", arg(path)]);
        let p = arg(path);
        assert_eq!(
            out.lines(),
            vec![
                format!("{p}:1: {first}"),
                format!(
                    "{p}:2: error[timestamp_range] impression_timestamp: 1 is \
                     1970-01-01T00:00:01Z, before the accepted range (2000-01-01 to 2099-12-31)"
                ),
            ]
        );
    }
}

#[test]
fn edge_diagnostics_name_the_right_rule() {
    let check = |line: String, args: &[&str]| {
        let mut all = vec!["validate", "--format", "json"];
        all.extend_from_slice(args);
        let out = run_with(&all, line.as_bytes());
        found(&out)
            .into_iter()
            .map(|(_, field, code)| format!("{field}:{code}"))
            .collect::<Vec<_>>()
    };
    // Under --strict a numeric click timestamp failed its own check: no comparison.
    let numeric_click = event_with("click_timestamp", "1754116100");
    assert_eq!(
        check(numeric_click.clone(), &["--strict"]),
        ["click_timestamp:timestamp_number"]
    );
    assert_eq!(
        check(numeric_click, &[]),
        [
            "click_timestamp:timestamp_number",
            "click_timestamp:click_before_impression"
        ]
    );
    // A whole number too big for 64 bits is out of range, not "not whole".
    let huge = event_with("impression_timestamp", "18446744073709551616");
    assert_eq!(check(huge, &[]), ["impression_timestamp:timestamp_range"]);
    // The older name's own problems are named by it.
    let mut alias = event_with("organisation_id", "");
    alias.insert_str(1, "\"org_id\":\" o\",");
    assert_eq!(
        check(alias, &[]),
        ["org_id:field_alias", "org_id:whitespace"]
    );
    // A phone number used as a key is personal data too.
    let keyed = event_with("919800000001", "\"x\"");
    let out = run_with(&["validate"], keyed.as_bytes());
    assert!(!out.all().contains("919800000001"), "{}", out.all());
    assert!(out
        .stdout
        .contains("warning[unknown_field] 91********01: unknown field"));
}

#[test]
fn a_csv_header_over_the_limit_says_so() {
    let out = run(&[
        "validate",
        "--max-record-bytes",
        "100",
        arg(&fixture("events-1000.csv")),
    ]);
    assert_eq!(out.code, 2);
    assert!(out.stdout.contains(
        ":1: error[csv_header] the header row of 128 bytes is longer than --max-record-bytes 100; \
         raise the limit"
    ));
}
