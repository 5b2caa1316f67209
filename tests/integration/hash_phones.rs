//! `hash-phones` end to end: the built binary on the files in fixtures/phones,
//! asserting exact hashes, exit codes and what stderr may (not) show.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::Stdio;

use assert_cmd::Command;
use proptest::prelude::*;
use sha2::{Digest, Sha256};

/// SHA-256 of 919800000001, 919800000002 and 919800000003.
const H1: &str = "604fdaaf1d82769c1ce23a8d883f423591a89ca4aeb880186f1f791df59acaf2";
const H2: &str = "99310e9397c9aa043e47cf6eb034b2e00de5c7f79064798abd51faaf3d9dc89e";
const H3: &str = "f8c2ecda881dd6a8bba954fb43143467472d2b38123a80e67c991188aa34908b";
/// SHA-256 of the empty string: a blank value must never be hashed.
const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// A real-world case input, in `fixtures/cases/`.
fn case_input(name: &str) -> String {
    crate::util::case(name).to_string_lossy().into_owned()
}

fn fixture(name: &str) -> String {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "fixtures", "phones", name]
        .iter()
        .collect();
    path.to_string_lossy().into_owned()
}

/// The outcome of one run: stdout, stderr and the exit status.
struct Run {
    out: String,
    err: String,
    code: i32,
}

impl Run {
    fn lines(&self) -> Vec<&str> {
        self.out.lines().collect()
    }

    fn never(&self, hashes: &[&str]) {
        for h in hashes {
            assert!(
                !self.out.contains(h),
                "{h} must never be output:\n{}",
                self.out
            );
        }
    }
}

fn run(args: &[&str], stdin: &[u8]) -> Run {
    let out = Command::cargo_bin("clickstream")
        .unwrap()
        .arg("hash-phones")
        .args(args)
        .write_stdin(stdin)
        .output()
        .unwrap();
    Run {
        out: String::from_utf8(out.stdout).unwrap(),
        err: String::from_utf8(out.stderr).unwrap(),
        code: out.status.code().unwrap_or(-1),
    }
}

fn sha_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[test]
fn issue_spellings_all_hash_to_the_contract_digest() {
    let r = run(
        &[],
        "+91 98000-00001\n0091 9800000001\n(+91) 98000 00001\n919800000001\n".as_bytes(),
    );
    assert_eq!(r.lines(), [H1; 4]);
    assert_eq!(r.code, 0);
    let r = run(&["--default-country", "91"], b"09800000001\n9800000001\n");
    assert_eq!(r.lines(), [H1; 2]);
    assert_eq!(r.code, 0);
}

#[test]
fn vendor_example_hashes_with_a_not_mobile_warning_and_fails_under_strict() {
    let vendor = "efc187bdaca8e73ddffb1b4615e9652bb775721335bc97f47888dfebd9058444";
    let r = run(&[], b"911234567891\n");
    assert_eq!(r.lines(), [vendor]);
    assert_eq!(r.code, 0);
    assert!(
        r.err.contains("<stdin>:1: warning: country code 91"),
        "{}",
        r.err
    );
    let r = run(&["--strict"], b"911234567891\n");
    assert_eq!(r.out, "");
    assert_eq!(r.code, 1);
    assert!(
        r.err.contains("<stdin>:1: error: country code 91"),
        "{}",
        r.err
    );
}

#[test]
fn targets_and_encodings_hash_the_form_other_platforms_want() {
    let r = run(&["--target", "e164"], b"+91 98000-00001\n");
    assert_eq!(r.lines(), [sha_hex("+919800000001")]);
    let r = run(&["--target", "digits"], b"+1 (415) 555-0100\n");
    assert_eq!(r.lines(), [sha_hex("14155550100")]);
    // Outside the contract, a bare national number is never given a guessed code.
    let r = run(
        &["--target", "digits", "--default-country", "1"],
        b"4155550100\n",
    );
    assert_eq!((r.out.as_str(), r.code), ("", 1));
    assert!(r.err.contains("missing country code"), "{}", r.err);
    let r = run(&["--encoding", "base64"], b"+91 98000-00001\n");
    assert_eq!(r.lines(), ["YE/arx2Cdpwc4jqNiD9CNZGonKSuuIAYbx95HfWayvI="]);
    // A digest passed through is written in the chosen encoding too.
    let r = run(&["--encoding", "base64"], format!("{H1}\n").as_bytes());
    assert_eq!(r.lines(), ["YE/arx2Cdpwc4jqNiD9CNZGonKSuuIAYbx95HfWayvI="]);
}

/// C01: the `+` and the separators are never part of what is hashed.
#[test]
fn c01_plus_form_is_never_hashed() {
    let r = run(&[&case_input("C01.txt")], b"");
    assert_eq!(r.lines(), [H1; 5]);
    assert_eq!(r.code, 0);
    r.never(&["0c76edd658031c38cb4e51a604c0bbe5568c2d210ee741de7f81f048f5a04143"]);
}

/// C02: a trunk `0` or a bare national number needs --default-country.
#[test]
fn c02_missing_country_code_is_an_error_without_default_country() {
    let file = case_input("C02.txt");
    let r = run(&[&file], b"");
    assert_eq!(r.lines(), [H1, H1]);
    assert_eq!(r.code, 1);
    let name = file.as_str();
    assert!(
        r.err
            .contains(&format!("{name}:2: error: missing country code")),
        "{}",
        r.err
    );
    assert!(
        r.err
            .contains(&format!("{name}:3: error: missing country code")),
        "{}",
        r.err
    );
    r.never(&[
        "a6be1d6d04cfe2a5a4ffa6efad209a7d7bc3a7f1586fb9352ea645d6987a86cf",
        "79a1458e4391d2b5b75c80e3da08b2d4448655ba2f440fed54eae0f66668933d",
    ]);
    let r = run(&["--default-country", "91", &file], b"");
    assert_eq!(r.lines(), [H1; 4]);
    assert_eq!(r.code, 0);
}

/// C03: spreadsheet E-notation is refused, never hashed and never expanded.
#[test]
fn c03_scientific_notation_in_a_csv_column_is_refused() {
    let file = case_input("C03.csv");
    let r = run(&["--column", "phone", &file], b"");
    assert_eq!(r.out, format!("phone\n{H1}\n"));
    assert_eq!(r.code, 1);
    for line in [2, 3] {
        let want = format!("{file}:{line}: error: phone: scientific notation");
        assert!(r.err.contains(&want), "{}", r.err);
    }
    assert!(r.err.contains("format the column as text"), "{}", r.err);
    r.never(&[
        "664145ea64f09b6285b1cc28e746455e9a405f9c627fe0bb9a3868c3f7ee793f",
        "6d6f595baa88f82eb2638274655f8d99844d3366752cd4aff2385303e8d1fd27",
        "813eb6d8bee9d5334442bab034225e4974dfee066e7f13e0f1d73258536bb808",
    ]);
    // The whole kind: other E-notation spellings in a plain list.
    let r = run(
        &[],
        b"9.198E+11\n9.19800000001e+11\n9,198E+11\n9.198E11\n1E12\n",
    );
    assert_eq!((r.out.as_str(), r.code), ("", 1));
    assert_eq!(r.err.matches("scientific notation").count(), 5, "{}", r.err);
}

/// C04: a value that already is a digest passes through, lower-cased.
#[test]
fn c04_already_hashed_values_are_not_hashed_again() {
    let r = run(&[&case_input("C04.txt")], b"");
    assert_eq!(r.lines(), [H1, H1]);
    assert_eq!(r.code, 0);
    assert!(r.err.contains("1 hashed, 1 already hashed"), "{}", r.err);
    r.never(&["5920248f7f43ca122483ec3a61279f85086cade103bd5b182e73b80d95781432"]);
    let upper = format!(" {} \n", H1.to_uppercase());
    assert_eq!(run(&[], upper.as_bytes()).lines(), [H1]);
}

/// C06: one bad line fails only itself, and nothing empty is ever hashed.
#[test]
fn c06_one_bad_line_does_not_fail_the_batch() {
    let file = case_input("C06.txt");
    let r = run(&[&file], b"");
    assert_eq!(r.lines(), [H1, H2]);
    assert_eq!(r.code, 1);
    let want = format!("{file}:2: error: not a 12-digit number after normalisation");
    assert!(r.err.contains(&want), "{}", r.err);
    r.never(&[
        EMPTY,
        "84d9c4b849506b6d8f8075a9000e7e0a254be71060ea889fad3c88395988f4fc",
    ]);
    let r = run(&["--keep-alignment", &file], b"");
    assert_eq!(r.out, format!("{H1}\n\n{H2}\n"));
}

/// C07: CRLF, tabs, a blank line and no final newline.
#[test]
fn c07_white_space_and_line_ends_are_never_hashed() {
    let file = case_input("C07.txt");
    let r = run(&[&file], b"");
    assert_eq!(r.lines(), [H1, H2, H3]);
    assert_eq!(r.code, 0);
    assert!(
        r.err
            .contains("4 lines, 3 hashed, 0 already hashed, 1 blank"),
        "{}",
        r.err
    );
    r.never(&[
        "495d52e3defd36d309ccb285fb426d1caf435b244562d3b89d245867b9f3b6b6",
        "0f934244597aa09586d5d35d1ac600e458115f583160123d76919b381b01ecec",
        "ad31aa9b06c03783ebe822b21828061f6e28b08f0a26f9a2833f96744511be7b",
        "36a9e7f1c95b82ffb99743e0c5c4ce95d83c9a430aac59f84ef3cbfab6145068",
        EMPTY,
        "c122226278ca42a2920c3d0b80e00b9f479d3e9e2ac9f15d2d47ccd65926760a",
    ]);
    let r = run(&["--keep-alignment", &file], b"");
    assert_eq!(r.out, format!("{H1}\n{H2}\n\n{H3}\n"));
}

#[test]
fn every_separator_is_dropped() {
    let r = run(&[&fixture("separators.txt")], b"");
    assert_eq!(r.lines(), [H1; 26]);
    assert_eq!(r.code, 0);
}

#[test]
fn every_international_prefix_is_dropped() {
    let r = run(&[&fixture("prefixes.txt")], b"");
    assert_eq!(r.lines(), [H1; 8]);
    assert_eq!(r.code, 0);
}

#[test]
fn trunk_zero_and_bare_national_numbers_take_the_default_country() {
    let file = fixture("national.txt");
    let r = run(&["--default-country", "91", &file], b"");
    assert_eq!(r.lines(), [H1; 6]);
    let r = run(&["--default-country", "+91", &file], b"");
    assert_eq!(r.lines(), [H1; 6]);
    let r = run(&[&file], b"");
    assert_eq!((r.out.as_str(), r.code), ("", 1));
    assert_eq!(
        r.err.matches("missing country code").count(),
        6,
        "{}",
        r.err
    );
    let r = run(&["--default-country", "091"], b"");
    assert_eq!(r.code, 2);
}

#[test]
fn every_kind_of_white_space_is_trimmed() {
    // BOM first, tab, NBSP, thin and narrow spaces, ideographic space,
    // zero-width space, a mid-file BOM, the spreadsheet `'`, U+2028, VT/FF,
    // CRLF, blank lines of white space only, and no final newline.
    let r = run(&[&fixture("whitespace.txt")], b"");
    assert_eq!(r.lines(), [H1; 13]);
    assert_eq!(r.code, 0);
    assert!(
        r.err
            .contains("16 lines, 13 hashed, 0 already hashed, 3 blank"),
        "{}",
        r.err
    );
    r.never(&[EMPTY]);
}

#[test]
fn errors_name_the_reason_for_each_kind_of_bad_value() {
    let input = "+91 98000 0000\n+91 98000 000011\ncall me\n+91 98000 00001 ext 12\n\
                 91 98000+00001\n-\n{\"reference_id\":\"919800000001\"}\n";
    let r = run(&[], input.as_bytes());
    assert_eq!((r.out.as_str(), r.code), ("", 1));
    for (line, reason) in [
        (1, "too few digits (11)"),
        (2, "too many digits (13)"),
        (3, "letters"),
        (4, "extension"),
        (5, "'+' may only stand at the start"),
        (6, "no digits"),
        (7, "pass --field NAME"),
    ] {
        let found = r
            .err
            .lines()
            .any(|l| l.starts_with(&format!("<stdin>:{line}: error: ")));
        assert!(
            found && r.err.contains(reason),
            "line {line}, {reason}:\n{}",
            r.err
        );
    }
}

#[test]
fn invalid_utf8_and_overlong_lines_are_reported_and_skipped() {
    // Invalid UTF-8 (not a UTF-16 byte order mark, which is refused whole).
    let mut input = b"\xff\x80919800000001\n".to_vec();
    input.extend(vec![b'9'; 300]);
    input.extend(b"\n919800000002\n");
    let r = run(&["--max-record-bytes", "100"], &input);
    assert_eq!(r.lines(), [H2]);
    assert_eq!(r.code, 1);
    assert!(
        r.err.contains("<stdin>:1: error: not valid UTF-8"),
        "{}",
        r.err
    );
    assert!(
        r.err.contains("<stdin>:2: error: line of 300 bytes"),
        "{}",
        r.err
    );
}

#[test]
fn unique_drops_repeats_also_of_digests_passed_through() {
    let input = format!("919800000001\n+91 98000 00001\n{H1}\n919800000002\n\n");
    let r = run(&["--unique"], input.as_bytes());
    assert_eq!(r.lines(), [H1, H2]);
    assert!(r.err.contains("2 duplicates dropped"), "{}", r.err);
    let r = run(&["--unique", "--keep-alignment"], input.as_bytes());
    assert_eq!(r.out, format!("{H1}\n\n\n{H2}\n\n"));
}

#[test]
fn several_files_stdin_and_gzip_keep_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("list.txt.gz");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(b"919800000003\nbad\n").unwrap();
    std::fs::write(&gz, enc.finish().unwrap()).unwrap();
    let gz = gz.to_string_lossy().into_owned();
    let r = run(&[&case_input("C06.txt"), "-", &gz], b"919800000002\n");
    assert_eq!(r.lines(), [H1, H2, H2, H3]);
    assert!(r.err.contains("C06.txt:2: error"), "{}", r.err);
    assert!(r.err.contains(&format!("{gz}:2: error")), "{}", r.err);
    assert_eq!(r.code, 1);
}

#[test]
fn csv_column_is_replaced_or_kept_beside_its_hash() {
    let file = fixture("customers.csv");
    let r = run(&["--column", "phone", &file], b"");
    let want = format!(
        "name,phone,city\n\"Asha, R.\",{H1},Pune\n\"Quote \"\"Q\"\"\",{H3},\"Multi\nline\"\n"
    );
    assert_eq!(r.out, want);
    assert_eq!(r.code, 1);
    assert!(r
        .err
        .contains(&format!("{file}:3: error: phone: missing country code")));
    let r = run(
        &[
            "--column",
            "phone",
            "--keep-column",
            "--default-country",
            "91",
            &file,
        ],
        b"",
    );
    let want = format!(
        "name,phone,city,phone_sha256\n\"Asha, R.\",+91 98000-00001,Pune,{H1}\n\
         Ravi,09800000002,Delhi,{H2}\n\"Quote \"\"Q\"\"\",919800000003,\"Multi\nline\",{H3}\n"
    );
    assert_eq!(r.out, want);
    assert_eq!(r.code, 0);
    let r = run(&["--column", "phone", "--keep-alignment", &file], b"");
    assert!(r.out.contains("Ravi,,Delhi\nMeena,,Mumbai\n"), "{}", r.out);
}

#[test]
fn csv_with_crlf_a_delimiter_and_a_padded_header() {
    let file = fixture("customers_semicolon.csv");
    let r = run(&["--column", "Phone", "--delimiter", ";", &file], b"");
    assert_eq!(r.out, format!("name; Phone ;city\nAsha;{H1};Pune\n"));
    assert!(r
        .err
        .contains(&format!("{file}:3: error: Phone: scientific notation")));
}

#[test]
fn csv_usage_errors_exit_2_and_suggest_the_column() {
    let r = run(&["--column", "phon", &fixture("customers.csv")], b"");
    assert_eq!(r.code, 2);
    assert!(
        r.err
            .contains("no column \"phon\"; did you mean \"phone\"?"),
        "{}",
        r.err
    );
    let r = run(&[&fixture("customers.csv")], b"");
    assert_eq!(r.code, 2);
    assert!(r.err.contains("--column NAME"), "{}", r.err);
    let r = run(&["no/such/file.txt"], b"");
    assert_eq!(r.code, 2);
}

#[test]
fn jsonl_field_is_rewritten_and_the_rest_kept_byte_for_byte() {
    let file = fixture("events.jsonl");
    let r = run(&["--field", "reference_id", &file], b"");
    let want = [
        format!(
            "{{\"event_id\":\"e1\",\"reference_id\":\"{H1}\",\"organisation_id\":\"o1\",\
             \"impression_timestamp\":\"1754116200\"}}"
        ),
        format!(
            "{{ \"reference_id\" : \"{H2}\" , \"event_id\":\"e2\", \
             \"nested\":{{\"reference_id\":\"x\"}}}}"
        ),
        format!("{{\"event_id\":\"e3\",\"reference_id\":\"{H1}\"}}"),
        "{\"event_id\":\"e4\",\"reference_id\":\"ext-7781\"}".to_string(),
        // e5's phone number in another spelling is left out, never written raw.
        format!("{{\"event_id\":\"e12\",\"reference_id\":\"{H3}\"}}"),
    ];
    assert_eq!(r.lines(), want);
    assert_eq!(r.code, 1);
    assert!(
        r.err
            .contains("12 lines, 3 hashed, 1 already hashed, 1 blank, 6 invalid, 1 custom"),
        "{}",
        r.err
    );
    for (line, code) in [
        (
            5,
            "error: reference_id: a phone number written with '+', spaces or dashes",
        ),
        (7, "error: reference_id: the field is null"),
        (8, "error: reference_id: the field is missing"),
        (9, "error: reference_id: the field appears twice"),
        (10, "error: reference_id: the field is a number"),
        (11, "error: reference_id: not valid JSON"),
    ] {
        assert!(
            r.err.contains(&format!("{file}:{line}: {code}")),
            "{line}:\n{}",
            r.err
        );
    }
}

#[test]
fn output_file_is_written_and_may_not_be_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("hashed.txt");
    let out = out.to_string_lossy().into_owned();
    let r = run(&["-o", &out, &case_input("C01.txt")], b"");
    assert_eq!((r.out.as_str(), r.code), ("", 0));
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        format!("{H1}\n").repeat(5)
    );
    let r = run(&["-o", &out, &out], b"");
    assert_eq!(r.code, 2);
    assert!(r.err.contains("also an input"), "{}", r.err);
}

/// A phone number is personal data: stderr shows it masked unless --show-pii.
#[test]
fn no_raw_phone_number_reaches_stderr_without_show_pii() {
    let values = [
        "09812345671",
        "9812345672",
        "+91 98123 4567",
        "911234567891",
        "+91 98123 45674 x55",
        "9.19812345675E+11",
        "+0098123456761",
        "+91 98123 45677 and more text after it to make it long",
    ];
    let input = values.join("\n") + "\n";
    let r = run(&[], input.as_bytes());
    assert_eq!(r.code, 1);
    assert_eq!(r.err.matches("(value ").count(), values.len(), "{}", r.err);
    for value in values {
        let digits: String = value.chars().filter(char::is_ascii_digit).collect();
        for window in digits.as_bytes().windows(5) {
            let window = std::str::from_utf8(window).unwrap();
            assert!(
                !r.err.contains(window),
                "{window} of {value} leaked:\n{}",
                r.err
            );
        }
    }
    let r = run(&["--show-pii"], input.as_bytes());
    assert!(r.err.contains("(value 09812345671)"), "{}", r.err);
}

#[test]
fn closed_stdout_ends_quietly_with_status_0() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list.txt");
    let body: String = (0..200_000)
        .map(|i| format!("91{:010}\n", 9_000_000_000u64 + i))
        .collect();
    std::fs::write(&list, body).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_clickstream"))
        .args(["hash-phones", "--quiet"])
        .arg(&list)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first.trim_end(), sha_hex("919000000000"));
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

/// Formats `national` (10 digits) in one of the ways a list may hold it.
fn spelling(national: &str, prefix: usize, seps: &[&str], pad: (&str, &str)) -> String {
    const PREFIXES: [&str; 7] = ["+91", "0091", "(+91)", "91", "+91 (0)", "0", ""];
    let mut text = format!("{}{}", pad.0, PREFIXES[prefix]);
    for (i, c) in national.chars().enumerate() {
        text.push_str(seps[i % seps.len()]);
        text.push(c);
    }
    text.push_str(pad.1);
    text
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Any accepted spelling of a valid number hashes as its 12-digit form.
    #[test]
    fn any_accepted_spelling_hashes_as_the_twelve_digits(
        national in "[6-9][0-9]{9}",
        spellings in prop::collection::vec(
            (
                0usize..7,
                prop::collection::vec(
                    prop::sample::select(vec![
                        "", "", " ", "-", ".", "/", "(", ")", "\t", "\u{a0}", "\u{2009}",
                        "\u{2013}", "\u{2011}", "\u{200b}",
                    ]),
                    1..4,
                ),
                prop::sample::select(vec![
                    ("", ""), (" ", " "), ("'", ""), ("\u{feff}", "\r"), ("\t", "\u{a0}"),
                ]),
            ),
            1..12,
        ),
    ) {
        let lines: Vec<String> = spellings
            .iter()
            .map(|(prefix, seps, pad)| spelling(&national, *prefix, seps, *pad))
            .collect();
        let r = run(&["--default-country", "91"], (lines.join("\n") + "\n").as_bytes());
        let want = sha_hex(&format!("91{national}"));
        prop_assert_eq!(r.code, 0, "{:?}\n{}", lines, r.err);
        prop_assert_eq!(r.lines(), vec![want.as_str(); lines.len()], "{:?}", lines);
    }
}

// A phone number with a stray space in a JSONL field is still a phone
// number (validate counts it as one): it is hashed, never left raw.
#[test]
fn a_padded_phone_field_is_hashed_not_left_raw() {
    let input = b"{\"event_id\":\"e1\",\"reference_id\":\" 919800000001 \"}\n";
    let out = crate::util::run_with(&["hash-phones", "--field", "reference_id"], input);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "{\"event_id\":\"e1\",\"reference_id\":\
         \"604fdaaf1d82769c1ce23a8d883f423591a89ca4aeb880186f1f791df59acaf2\"}\n"
    );
}

#[test]
fn messages_name_the_rule_that_applies() {
    let run = |args: &[&str], input: &[u8]| crate::util::run_with(args, input);
    let out = run(&["hash-phones", "--target", "digits"], b"+1234567\n");
    assert!(out.stderr.contains(
        "<stdin>:1: error: 7 digits after normalisation; --target digits and e164 need 8 to 15"
    ));
    let out = run(
        &["hash-phones", "--default-country", "91"],
        b"91980000000\n",
    );
    assert!(out.stderr.contains(
        "<stdin>:1: error: not a 12-digit number after normalisation: 11 digits, but a number \
         without its country code has 10"
    ));
    let out = run(&["hash-phones"], b"919800000001.0\n");
    assert!(out
        .stderr
        .contains("a spreadsheet number with a decimal part (.0)"));
    // A headerless list: the first row is data, so the named columns are masked.
    let out = run(
        &["hash-phones", "--column", "phone"],
        b"+91 98000-00001,name\n91980000002,x\n",
    );
    assert_eq!(out.code, 2);
    assert!(!out.stderr.contains("98000-00001"), "{}", out.stderr);
    assert!(
        out.stderr.contains("(its columns: +9***********01, name)"),
        "{}",
        out.stderr
    );
}

// Plain lists are hashed on several cores; the output, the messages and the
// counts must not change by a byte.
#[test]
fn threads_give_the_same_output_as_one_thread() {
    let mut input = Vec::new();
    for i in 0..60_000u32 {
        let line = match i % 9 {
            0 => format!("+91 98{:03} {:05}", i % 1000, i),
            1 => String::new(),
            2 => format!("0091-98{:08}", i),
            3 => "+0000000000".to_string(),
            4 => format!("9{:09}", i),
            5 => "9.198E+11".to_string(),
            6 => format!("(+91) 7{:09}\r", i),
            7 => H1.to_uppercase(),
            _ => format!("91 1{:09}", i),
        };
        input.extend_from_slice(line.as_bytes());
        input.push(b'\n');
    }
    let mut seen = Vec::new();
    for threads in ["1", "3"] {
        let out = crate::util::run_with(
            &[
                "hash-phones",
                "--keep-alignment",
                "--unique",
                "--threads",
                threads,
            ],
            &input,
        );
        assert_eq!(out.code, 1);
        let stderr: Vec<String> = out
            .stderr
            .lines()
            .filter(|l| !l.starts_with("elapsed"))
            .map(String::from)
            .collect();
        seen.push((out.stdout, stderr));
    }
    assert_eq!(seen[0], seen[1]);
    assert_eq!(seen[0].0.lines().count(), 60_000);
    assert!(seen[0]
        .1
        .iter()
        .any(|l| l.starts_with("hash-phones: 60000 lines, ")));
}

#[test]
fn field_and_target_messages_say_what_applies() {
    let run = |args: &[&str], input: &[u8]| crate::util::run_with(args, input);
    let out = run(
        &["hash-phones", "--target", "e164", "--default-country", "1"],
        b"4155550100\n",
    );
    assert!(out.stderr.contains(
        "<stdin>:1: error: missing country code: with --target digits or e164, \
         --default-country applies only to numbers written with a trunk 0"
    ));
    let out = run(
        &["hash-phones", "--field", "reference_id"],
        b"{\"event_id\":\"e1\",\"r\n",
    );
    assert!(
        out.stderr.contains(
            "<stdin>:1: error: reference_id: not valid JSON: end of record while parsing a string \
         at column 19"
        ),
        "{}",
        out.stderr
    );
}
