//! `clickstream convert`: exact output for each kind of input that other
//! converters get wrong, the conversion cases (C08, C09, C11, C19), output
//! file handling, and round trips, including proptest round trips.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use proptest::prelude::*;

use crate::util::{arg, bin, case, fixture, run, run_with, Output};

const HEADER: &str = "event_id,reference_id,organisation_id,campaign_id,display_unit,\
                      impression_timestamp,click_timestamp,business_number";

fn conv(name: &str) -> PathBuf {
    fixture("convert").join(name)
}

/// An expected output under `fixtures/convert/expected/`.
fn golden(name: &str) -> String {
    read(&conv("expected").join(name))
}

fn read(path: &Path) -> String {
    String::from_utf8(fs::read(path).expect("read output")).expect("UTF-8 output")
}

/// Runs `convert ARGS` on stdin bytes and returns everything.
fn convert_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut all = vec!["convert"];
    all.extend_from_slice(args);
    run_with(&all, input)
}

fn convert(args: &[&str]) -> Output {
    convert_stdin(args, b"")
}

/// Converts stdin and insists on success; returns stdout.
fn ok(args: &[&str], input: &[u8]) -> String {
    let out = convert_stdin(args, input);
    assert_eq!(out.code, 0, "{out:?}");
    out.stdout
}

// A writer that takes its header from the first record drops columns that
// record lacks; the header here is fixed and the cell left empty.
#[test]
fn missing_click_timestamp_is_an_empty_cell_and_comes_back_omitted() {
    let out = convert(&["--to", "csv", arg(&conv("missing-click.jsonl"))]);
    assert_eq!(out.code, 0, "{out:?}");
    let csv =
        format!("{HEADER}\ne1,919800000001,org1,cmp1,business-profile,1754116200,,9122245644890\n");
    assert_eq!(out.stdout, csv);
    let back = ok(&["--to", "jsonl"], csv.as_bytes());
    assert_eq!(
        back,
        fs::read_to_string(conv("missing-click.jsonl")).unwrap()
    );
}

// Timestamps given as JSON numbers become their digits as strings, never a
// float; a number where the contract wants a string is rejected unless
// --no-validate, and then keeps every digit.
#[test]
fn json_numbers_keep_their_digits() {
    let out = convert(&["--to", "jsonl", arg(&conv("numbers.jsonl"))]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(
        out.stdout,
        "{\"event_id\":\"e1\",\"reference_id\":\"919800000001\",\"organisation_id\":\"org1\",\
         \"campaign_id\":\"cmp1\",\"display_unit\":\"du1\",\"impression_timestamp\":\"1754116200\",\
         \"click_timestamp\":\"1754116260\",\"business_number\":\"9122245644890\"}\n"
    );
    assert!(out.stderr.contains(
        "numbers.jsonl:1: warning[timestamp_number] impression_timestamp: a JSON number; \
         write it as the string \"1754116200\""
    ));
    assert!(out
        .stderr
        .contains("numbers.jsonl:2: error[wrong_type] business_number: expected a string"));
    assert!(out.stderr.contains("2 records: 1 converted, 1 rejected"));

    let out = convert(&["--to", "csv", "--no-validate", arg(&conv("numbers.jsonl"))]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stdout,
        format!(
            "{HEADER}\n\
             e1,919800000001,org1,cmp1,du1,1754116200,1754116260,9122245644890\n\
             e2,919800000002,org1,cmp1,du1,1754116200,,9122245644890\n"
        )
    );
}

// 9.122245644890E12 cannot be kept digit for digit (serde reads it as a
// float), so it is refused even under --no-validate instead of rounded.
#[test]
fn float_numbers_are_rejected_not_rounded() {
    let out = convert(&["--to", "csv", "--no-validate", arg(&conv("float.jsonl"))]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.stdout, format!("{HEADER}\n"));
    assert!(out.stderr.contains(
        "float.jsonl:1: error[wrong_type] business_number: a number with a fraction or exponent"
    ));
}

// A spreadsheet saves CSV with a BOM and CRLF; the BOM must not end up in
// the first column name and no \r may stay in a value.
#[test]
fn crlf_csv_with_bom_from_a_spreadsheet() {
    let out = convert(&["--to", "jsonl", arg(&conv("spreadsheet.csv"))]);
    assert_eq!(out.code, 0, "{out:?}");
    let jsonl = golden("spreadsheet.jsonl");
    assert_eq!(out.stdout, jsonl);
    assert!(
        out.stderr.contains("spreadsheet.csv:1: warning[bom]"),
        "{out:?}"
    );
    // And back, for the spreadsheet: the very same bytes.
    let mut all = vec!["convert", "--to", "csv", "--bom", "--crlf"];
    all.push("-");
    let back = run_with(&all, jsonl.as_bytes());
    assert_eq!(back.code, 0, "{back:?}");
    assert_eq!(
        back.stdout.as_bytes(),
        &fs::read(conv("spreadsheet.csv")).unwrap()[..]
    );
}

// The delimiter is guessed from the header (no BOM, no --delimiter), and a
// ';' CSV written back with --delimiter ';' is the file again.
#[test]
fn semicolon_delimited_csv() {
    let out = convert(&["--to", "jsonl", arg(&conv("semicolon.csv"))]);
    assert_eq!(out.code, 0, "{out:?}");
    let jsonl = golden("semicolon.jsonl");
    assert_eq!(out.stdout, jsonl);
    let back = ok(&["--to", "csv", "--delimiter", ";"], jsonl.as_bytes());
    assert_eq!(back, fs::read_to_string(conv("semicolon.csv")).unwrap());
}

// Columns are matched by trimmed name in any order; output is in table order.
#[test]
fn header_in_another_order() {
    let out = convert(&["--to", "jsonl", arg(&conv("reordered.csv"))]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stdout,
        "{\"event_id\":\"e1\",\"reference_id\":\"919800000001\",\"organisation_id\":\"org1\",\
         \"campaign_id\":\"cmp1\",\"display_unit\":\"du1\",\"impression_timestamp\":\"1754116200\",\
         \"business_number\":\"9122245644890\"}\n\
         {\"event_id\":\"e2\",\"reference_id\":\"919800000002\",\"organisation_id\":\"org2\",\
         \"campaign_id\":\"cmp2\",\"display_unit\":\"du2\",\"impression_timestamp\":\"1754116200\",\
         \"click_timestamp\":\"1754116260\",\"business_number\":\"9122245644890\"}\n"
    );
    let csv = ok(&["--to", "csv", arg(&conv("reordered.csv"))], b"");
    assert_eq!(
        csv,
        format!(
            "{HEADER}\n\
             e1,919800000001,org1,cmp1,du1,1754116200,,9122245644890\n\
             e2,919800000002,org2,cmp2,du2,1754116200,1754116260,9122245644890\n"
        )
    );
}

const E1_CSV: &str = "e1,919800000001,org1,cmp1,du1,1754116200,,9122245644890";

// An unknown field is never dropped silently: the record is rejected and
// quarantined as read.
#[test]
fn unknown_field_rejects_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.jsonl");
    let out = convert(&[
        "--to",
        "csv",
        "--invalid-out",
        arg(&bad),
        arg(&conv("unknown.jsonl")),
    ]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.stdout, format!("{HEADER}\n{E1_CSV}\n"));
    assert!(out.stderr.contains(
        "unknown.jsonl:2: error[unknown_field] note: unknown field \"note\"; keep it with \
         --columns or drop it with --drop-unknown"
    ));
    let source = fs::read_to_string(conv("unknown.jsonl")).unwrap();
    assert_eq!(read(&bad), format!("{}\n", source.lines().nth(1).unwrap()));

    // The same from CSV: an empty cell of the extra column is no field.
    let out = convert(&["--to", "jsonl", arg(&conv("unknown.csv"))]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.lines().len(), 1);
    assert!(out
        .stderr
        .contains("unknown.csv:3: error[unknown_field] note"));
}

#[test]
fn drop_unknown_drops_and_counts() {
    let out = convert(&["--to", "csv", "--drop-unknown", arg(&conv("unknown.jsonl"))]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stdout,
        format!("{HEADER}\n{E1_CSV}\ne2,919800000002,org1,cmp1,du1,1754116200,,9122245644890\n")
    );
    assert!(
        out.stderr.contains("2 records: 2 converted, 0 rejected"),
        "{out:?}"
    );
    assert!(
        out.stderr
            .contains("dropped unknown fields: 1 (\"note\" 1)"),
        "{out:?}"
    );
}

#[test]
fn columns_keep_named_extra_fields() {
    let out = convert(&[
        "--to",
        "csv",
        "--columns",
        "note",
        arg(&conv("unknown.jsonl")),
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    let csv = format!(
        "{HEADER},note\n{E1_CSV},\n\
         e2,919800000002,org1,cmp1,du1,1754116200,,9122245644890,\"vip, \"\"gold\"\"\"\n"
    );
    assert_eq!(out.stdout, csv);
    let back = ok(&["--to", "jsonl", "--columns", "note"], csv.as_bytes());
    let source = fs::read_to_string(conv("unknown.jsonl")).unwrap();
    assert_eq!(back, source);
    // Without --columns the CSV's extra column rejects its row again.
    let out = convert_stdin(&["--to", "jsonl"], csv.as_bytes());
    assert_eq!(out.code, 1, "{out:?}");
}

#[test]
fn columns_must_be_fields_outside_the_contract() {
    let out = convert(&["--to", "csv", "--columns", "event_id", "-"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out
        .stderr
        .contains("--columns \"event_id\" is a contract field"));
    let out = convert(&["--to", "csv", "--columns", "a,a", "-"]);
    assert_eq!(out.code, 2, "{out:?}");
}

// C08: keys differ between records (the first lacks click_timestamp, the
// third has another order); mlr printed a new header block each time.
#[test]
fn c08_differing_keys_make_one_csv() {
    let out = convert(&["--to", "csv", arg(&case("C08.jsonl"))]);
    assert_eq!(out.code, 0, "{out:?}");
    let csv = golden("C08.csv");
    assert_eq!(out.stdout, csv);
    // Back to JSONL: the C08 records, keys in the fixed order.
    let back = ok(&["--to", "jsonl"], csv.as_bytes());
    assert_eq!(back, golden("C08.jsonl"));
}

// C09: no type inference; leading zeros stay; an empty click_timestamp is
// omitted, not "" and not null.
#[test]
fn c09_numeric_looking_strings_stay_strings() {
    let out = convert(&["--to", "jsonl", arg(&case("C09.csv"))]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(out.stdout, golden("C09.jsonl"));
    let back = ok(&["--to", "csv"], out.stdout.as_bytes());
    assert_eq!(back, fs::read_to_string(case("C09.csv")).unwrap());
}

// C11 under the contract: a line feed inside a value is a control
// character (SPEC 1.1, which wins over the case), so by default the record
// is rejected and quarantined byte for byte.
#[test]
fn c11_embedded_newline_is_rejected_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    let out = convert(&[
        "--to",
        "jsonl",
        "--invalid-out",
        arg(&bad),
        arg(&case("C11.csv")),
    ]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.stdout, "");
    assert!(out
        .stderr
        .contains("C11.csv:2: error[control_character] display_unit: control character U+000A"));
    assert_eq!(fs::read(&bad).unwrap(), fs::read(case("C11.csv")).unwrap());
}

// C11 with --no-validate: one record, the comma, quotes and LF kept, no \r
// anywhere, and back to CSV quoted as RFC 4180 wants; stable thereafter.
#[test]
fn c11_embedded_newline_round_trips_with_no_validate() {
    let out = convert(&["--to", "jsonl", "--no-validate", arg(&case("C11.csv"))]);
    assert_eq!(out.code, 0, "{out:?}");
    let c11 = golden("C11.jsonl");
    assert_eq!(out.stdout, c11);
    assert!(!out.stdout.contains("\\r"));
    let csv = ok(&["--to", "csv", "--no-validate"], c11.as_bytes());
    assert_eq!(
        csv,
        format!(
            "{HEADER}\ne1,919800000001,org1,cmp1,\"Banner, \"\"Top\"\"\nslot 2\",1754116200,,\
             9122245644890\n"
        )
    );
    let again = ok(&["--to", "jsonl", "--no-validate"], csv.as_bytes());
    assert_eq!(again, c11);
    // With the case's own CRLF endings back.
    let crlf = ok(&["--to", "csv", "--no-validate", "--crlf"], c11.as_bytes());
    assert_eq!(crlf.as_bytes(), &fs::read(case("C11.csv")).unwrap()[..]);
}

// C19: a 70,000-character value streams through both ways.
#[test]
fn c19_long_lines_convert() {
    let out = convert(&["--to", "csv", arg(&case("C19.jsonl"))]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stderr.contains("2 records: 2 converted, 0 rejected"),
        "{out:?}"
    );
    assert_eq!(out.lines().len(), 3);
    let back = ok(&["--to", "jsonl"], out.stdout.as_bytes());
    let canonical = ok(&["--to", "jsonl", arg(&case("C19.jsonl"))], b"");
    assert_eq!(back, canonical);
    assert!(back.contains(&"x".repeat(70_000)));
}

// The generated 1,000 valid events are already canonical JSONL: the round
// trip through CSV gives the file back byte for byte, and so does the CSV.
#[test]
fn generated_events_round_trip_byte_for_byte() {
    let source = fs::read_to_string(conv("events-valid-1000.jsonl")).unwrap();
    let out = convert(&["--to", "csv", arg(&conv("events-valid-1000.jsonl"))]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(out
        .stderr
        .contains("1000 records: 1000 converted, 0 rejected"));
    let back = ok(&["--to", "jsonl"], out.stdout.as_bytes());
    assert_eq!(back, source);
    let csv_again = ok(&["--to", "csv"], back.as_bytes());
    assert_eq!(csv_again, out.stdout);
}

// The realistic fixture with planted faults: the valid records convert,
// the rest go to --invalid-out, and the valid part round-trips canonically.
#[test]
fn events_1000_valid_part_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, bad) = (dir.path().join("e.csv"), dir.path().join("bad.jsonl"));
    let src = fixture("events-1000.jsonl");
    let limit = ["--max-record-bytes", "64K"];
    let mut args = vec!["-o", arg(&csv), "--invalid-out", arg(&bad), arg(&src)];
    args.extend(limit);
    let out = convert(&args);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr
            .contains("1000 records: 984 converted, 16 rejected"),
        "{out:?}"
    );
    // The quarantine holds bytes as read, invalid UTF-8 included.
    let quarantined = fs::read(&bad).unwrap();
    assert_eq!(quarantined.iter().filter(|&&b| b == b'\n').count(), 16);
    assert_eq!(read(&csv).lines().count(), 985);

    let back = convert(&["--to", "jsonl", arg(&csv)]);
    assert_eq!(back.code, 0, "{back:?}");
    let mut args = vec!["--to", "jsonl", arg(&src)];
    args.extend(limit);
    let canonical = convert(&args).stdout;
    assert_eq!(back.stdout, canonical);
    assert_eq!(ok(&["--to", "csv"], back.stdout.as_bytes()), read(&csv));
    // Every valid record is a line of the quarantine or of the output.
    assert_eq!(canonical.lines().count() + 16, 1000);
}

#[test]
fn excel_safe_guards_formula_cells() {
    let out = convert(&["--to", "csv", "--excel-safe", arg(&conv("formulas.jsonl"))]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stdout,
        format!("{HEADER}\n'=1+2,'+919800000001,'-org,'@SUM(A1),a=b,1754116200,,9122245644890\n")
    );
    let plain = ok(&["--to", "csv", arg(&conv("formulas.jsonl"))], b"");
    assert!(plain.contains("\n=1+2,+919800000001,-org,@SUM(A1),"));
    let help = run(&["convert", "--help"]);
    assert!(help.stdout.contains("--excel-safe"));
    assert!(help.stdout.contains("= + - @"));
}

#[test]
fn json_documents_and_the_org_id_alias() {
    let out = convert(&["--to", "csv", arg(&conv("document.json"))]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(
        out.stdout,
        format!(
            "{HEADER}\n\
             e1,919800000001,org1,cmp1,business-profile,1754116200,1754116260,9122245644890\n\
             e2,919800000002,org2,cmp1,du1,1754116200,,9122245644890\n"
        )
    );
    assert!(out.stderr.contains("warning[field_alias] org_id"));
}

// Both spellings in one record cannot be converted without losing one.
#[test]
fn org_id_beside_organisation_id_is_rejected_even_without_validation() {
    let both = conv("both-org.jsonl");
    let out = convert(&["--to", "csv", "--no-validate", arg(&both)]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("error[field_alias] org_id"), "{out:?}");
    assert_eq!(out.stdout, format!("{HEADER}\n"));
}

#[test]
fn csv_row_with_the_wrong_cell_count_is_rejected() {
    let out = convert(&["--to", "jsonl", arg(&conv("field-count.csv"))]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(out.lines().len(), 1);
    assert!(out.stderr.contains(
        "field-count.csv:3: error[csv_field_count] row has 7 cells but the header has 8 columns"
    ));
}

#[test]
fn unusable_csv_header_is_exit_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out.jsonl");
    let out = convert(&["-o", arg(&target), arg(&conv("bad-header.csv"))]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains(
        "error[csv_header] event_id: the header has no \"event_id\" column; column \
         \"Event_ID\" looks like it: rename it to \"event_id\""
    ));
    assert_eq!(
        fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing left behind"
    );
}

#[test]
fn reference_id_is_masked_unless_show_pii() {
    let out = convert(&[
        "--to",
        "csv",
        "--reference-id",
        "phone",
        arg(&conv("pii.jsonl")),
    ]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(!out.stderr.contains("919800000001"), "{out:?}");
    assert!(out.stderr.contains("+9*********01"), "{out:?}");
    let out = convert(&[
        "--to",
        "csv",
        "--reference-id",
        "phone",
        "--show-pii",
        arg(&conv("pii.jsonl")),
    ]);
    assert!(out.stderr.contains("+919800000001"), "{out:?}");
}

#[test]
fn quiet_prints_nothing_on_stderr() {
    let out = convert(&["--to", "csv", "-q", arg(&conv("unknown.jsonl"))]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stderr, "");
}

#[test]
fn target_comes_from_the_output_extension() {
    let dir = tempfile::tempdir().unwrap();
    for (name, first) in [
        ("o.csv", "event_id,"),
        ("o.jsonl", "{\"event_id\":"),
        ("o.ndjson", "{\"event_id\":"),
        ("o.json", "{\"event_id\":"),
    ] {
        let target = dir.path().join(name);
        let out = convert(&["-o", arg(&target), arg(&case("C08.jsonl"))]);
        assert_eq!(out.code, 0, "{name}: {out:?}");
        assert_eq!(out.stdout, "");
        assert!(read(&target).starts_with(first), "{name}");
    }
    // --to wins over the extension.
    let target = dir.path().join("x.csv");
    assert_eq!(
        convert(&["--to", "jsonl", "-o", arg(&target), arg(&case("C08.jsonl"))]).code,
        0
    );
    assert!(read(&target).starts_with('{'));

    let out = convert(&[arg(&case("C08.jsonl"))]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("--to csv or --to jsonl"), "{out:?}");
    let out = convert(&[
        "-o",
        arg(&dir.path().join("o.txt")),
        arg(&case("C08.jsonl")),
    ]);
    assert_eq!(out.code, 2);
    let out = convert(&["--to", "jsonl", "--bom", arg(&case("C08.jsonl"))]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("--bom applies only to CSV output"),
        "{out:?}"
    );
}

#[test]
fn gzip_in_and_out_and_several_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("out.csv.gz");
    let out = convert(&[
        "-o",
        arg(&gz),
        arg(&case("C08.jsonl")),
        arg(&conv("document.json")),
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(&fs::read(&gz).unwrap()[..2], &[0x1f, 0x8b]);
    let mut text = String::new();
    flate2::read::GzDecoder::new(fs::File::open(&gz).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    // One header for all inputs, never a second one.
    assert_eq!(text.matches("event_id,").count(), 1);
    assert_eq!(text.lines().count(), 6);
    // gzip input, found by its magic bytes.
    let back = convert(&["--to", "jsonl", arg(&gz)]);
    assert_eq!(back.code, 0, "{back:?}");
    assert_eq!(back.lines().len(), 5);
}

#[test]
fn csv_on_stdin_is_detected() {
    let csv = fs::read(case("C09.csv")).unwrap();
    let out = ok(&["--to", "jsonl"], &csv);
    assert!(out.starts_with("{\"event_id\":\"e1\""), "{out}");
}

#[test]
fn output_is_written_whole_and_renamed() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("out.csv");
    fs::write(&target, "old").unwrap();
    let out = convert(&["-o", arg(&target), arg(&case("C08.jsonl"))]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(read(&target).starts_with("event_id,"));
    let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
    // A failed run leaves the old output alone.
    let out = convert(&["-o", arg(&target), arg(&dir.path().join("missing.jsonl"))]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("cannot open"), "{out:?}");
    assert!(read(&target).starts_with("event_id,"));
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn refuses_to_write_over_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    fs::copy(case("C08.jsonl"), &input).unwrap();
    let before = fs::read(&input).unwrap();
    let out = convert(&["--to", "jsonl", "-o", arg(&input), arg(&input)]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("is also an input"), "{out:?}");
    // Spelled differently, through a hard link, or as --invalid-out.
    let dotted = dir.path().join(".").join("in.jsonl");
    assert_eq!(
        convert(&["--to", "csv", "-o", arg(&dotted), arg(&input)]).code,
        2
    );
    let link = dir.path().join("link.csv");
    fs::hard_link(&input, &link).unwrap();
    assert_eq!(convert(&["-o", arg(&link), arg(&input)]).code, 2);
    let out = convert(&["--to", "csv", "--invalid-out", arg(&input), arg(&input)]);
    assert_eq!(out.code, 2, "{out:?}");
    assert_eq!(fs::read(&input).unwrap(), before);
}

// `convert ... | head -1`: the closed pipe ends the run quietly, status 0.
#[test]
fn closed_stdout_exits_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.jsonl");
    let line = fs::read_to_string(conv("missing-click.jsonl")).unwrap();
    fs::write(&big, line.repeat(200_000)).unwrap();
    let mut child = bin()
        .args(["convert", "--to", "csv", arg(&big)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("error"));
}

/// A value for a property test: quotes, delimiters, line breaks, non-ASCII
/// text, digit strings with leading zeros. Never empty (an empty CSV cell
/// means absent).
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        "0{1,3}[0-9]{1,12}",
        "[a-z0-9 ,;\"'=+@\t\r\n-]{1,12}",
        "[éü€中文😀 \\\\/\u{2028}\u{7f}]{1,6}",
        "\\PC{1,10}",
    ]
}

#[derive(Clone, Debug)]
struct Generated {
    fields: Vec<Option<String>>,
    note: Option<String>,
}

fn event() -> impl Strategy<Value = Generated> {
    (
        proptest::collection::vec(value(), 8),
        proptest::option::of(value()),
        proptest::option::of(value()),
    )
        .prop_map(|(mut values, click, note)| {
            let mut fields: Vec<Option<String>> = values.drain(..).map(Some).collect();
            fields[6] = click;
            Generated { fields, note }
        })
}

const NAMES: [&str; 8] = [
    "event_id",
    "reference_id",
    "organisation_id",
    "campaign_id",
    "display_unit",
    "impression_timestamp",
    "click_timestamp",
    "business_number",
];

/// The events as JSONL with keys in reverse order (not convert's order).
fn as_jsonl(events: &[Generated]) -> String {
    let mut out = String::new();
    for e in events {
        let mut members = Vec::new();
        if let Some(n) = &e.note {
            members.push(format!("\"note\":{}", serde_json::to_string(n).unwrap()));
        }
        for (name, v) in NAMES.iter().zip(&e.fields).rev() {
            if let Some(v) = v {
                members.push(format!("\"{name}\":{}", serde_json::to_string(v).unwrap()));
            }
        }
        out.push('{');
        out.push_str(&members.join(","));
        out.push_str("}\n");
    }
    out
}

/// The events as CSV with every cell quoted and columns in another order.
fn as_csv(events: &[Generated]) -> Vec<u8> {
    let mut wtr = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let order = [7, 3, 0, 6, 1, 5, 2, 4];
    let mut header: Vec<&str> = order.iter().map(|&i| NAMES[i]).collect();
    header.push("note");
    wtr.write_record(&header).unwrap();
    for e in events {
        let mut row: Vec<&str> = order
            .iter()
            .map(|&i| e.fields[i].as_deref().unwrap_or(""))
            .collect();
        row.push(e.note.as_deref().unwrap_or(""));
        wtr.write_record(&row).unwrap();
    }
    wtr.into_inner().unwrap()
}

const LOOSE: [&str; 3] = ["--no-validate", "--columns", "note"];

fn step(to: &str, input: &[u8]) -> Result<String, TestCaseError> {
    let mut args = vec!["--to", to];
    args.extend(LOOSE);
    let out = convert_stdin(&args, input);
    prop_assert_eq!(out.code, 0, "{:?}", out);
    Ok(out.stdout)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    // JSONL -> CSV -> JSONL -> CSV: both formats come back byte for byte,
    // and the values are the ones generated.
    #[test]
    fn jsonl_csv_jsonl_round_trip(events in proptest::collection::vec(event(), 1..6)) {
        let source = as_jsonl(&events);
        let csv1 = step("csv", source.as_bytes())?;
        let jsonl1 = step("jsonl", csv1.as_bytes())?;
        let csv2 = step("csv", jsonl1.as_bytes())?;
        let jsonl2 = step("jsonl", csv2.as_bytes())?;
        prop_assert_eq!(&csv1, &csv2);
        prop_assert_eq!(&jsonl1, &jsonl2);
        prop_assert_eq!(jsonl1.lines().count(), events.len());
        for (line, e) in jsonl1.lines().zip(&events) {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            for (name, want) in NAMES.iter().zip(&e.fields) {
                prop_assert_eq!(v.get(*name).and_then(|x| x.as_str()), want.as_deref());
            }
            prop_assert_eq!(v.get("note").and_then(|x| x.as_str()), e.note.as_deref());
        }
    }

    // CSV (any column order, all quoted, CRLF) -> JSONL -> CSV -> JSONL.
    #[test]
    fn csv_jsonl_csv_round_trip(events in proptest::collection::vec(event(), 1..6)) {
        let source = as_csv(&events);
        let jsonl1 = step("jsonl", &source)?;
        let csv1 = step("csv", jsonl1.as_bytes())?;
        let jsonl2 = step("jsonl", csv1.as_bytes())?;
        let csv2 = step("csv", jsonl2.as_bytes())?;
        prop_assert_eq!(&jsonl1, &jsonl2);
        prop_assert_eq!(&csv1, &csv2);
        prop_assert_eq!(jsonl1, as_jsonl_canonical(&events));
    }
}

/// What convert must write for the events: table order, then `note`.
fn as_jsonl_canonical(events: &[Generated]) -> String {
    let mut out = String::new();
    for e in events {
        let mut members = Vec::new();
        for (name, v) in NAMES.iter().zip(&e.fields) {
            if let Some(v) = v {
                members.push(format!("\"{name}\":{}", serde_json::to_string(v).unwrap()));
            }
        }
        if let Some(n) = &e.note {
            members.push(format!("\"note\":{}", serde_json::to_string(n).unwrap()));
        }
        out.push('{');
        out.push_str(&members.join(","));
        out.push_str("}\n");
    }
    out
}

// Work split over several cores must not change a byte of any output, nor
// the order or wording of the diagnostics.
#[test]
fn threads_give_the_same_bytes_as_one_thread() {
    let dir = tempfile::tempdir().unwrap();
    let one = fs::read(fixture("events-1000.jsonl")).unwrap();
    let mut big = one.clone();
    for _ in 0..8 {
        big.extend_from_slice(&one[3..]);
    }
    let input = dir.path().join("big.jsonl");
    fs::write(&input, &big).unwrap();
    let mut seen = Vec::new();
    for (threads, to) in [("1", "csv"), ("3", "csv"), ("1", "jsonl"), ("2", "jsonl")] {
        let out_path = dir.path().join(format!("out-{threads}.{to}"));
        let bad = dir.path().join(format!("bad-{threads}-{to}.jsonl"));
        let out = run(&[
            "convert",
            "--threads",
            threads,
            "--max-record-bytes",
            "64K",
            "--drop-unknown",
            "--invalid-out",
            arg(&bad),
            "-o",
            arg(&out_path),
            arg(&input),
        ]);
        assert_eq!(out.code, 1, "{}", out.stderr);
        let stderr: Vec<String> = out
            .stderr
            .lines()
            .filter(|l| !l.contains("elapsed"))
            .map(String::from)
            .collect();
        seen.push((
            to,
            stderr,
            fs::read(&out_path).unwrap(),
            fs::read(&bad).unwrap(),
        ));
    }
    assert_eq!(
        seen[0],
        (
            seen[1].0,
            seen[1].1.clone(),
            seen[1].2.clone(),
            seen[1].3.clone()
        )
    );
    assert_eq!(
        seen[2],
        (
            seen[3].0,
            seen[3].1.clone(),
            seen[3].2.clone(),
            seen[3].3.clone()
        )
    );
    let summary = "9000 records: 8865 converted, 135 rejected; 135 errors, 37 warnings";
    assert!(seen[0].1.iter().any(|l| l == summary));
    assert_eq!(seen[0].2.iter().filter(|&&b| b == b'\n').count(), 8866);
}

// A FIFO given as the output is written to, not replaced by a regular file.
#[test]
fn output_to_a_fifo_is_written_directly() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("out.csv");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read_to_string(fifo).unwrap())
    };
    let out = convert(&[arg(&case("C08.jsonl")), "-o", arg(&fifo)]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(reader.join().unwrap(), golden("C08.csv"));
    assert!(!fs::metadata(&fifo).unwrap().is_file());
}

// SPEC 5: the status is about records; a comment between them rejects none.
#[test]
fn comments_outside_records_do_not_fail_the_conversion() {
    let out = convert(&["--to", "csv", arg(&fixture("seed/detailed-example.json"))]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out
        .stderr
        .contains("1 record: 1 converted, 0 rejected; 1 error, 0 warnings"));
}
