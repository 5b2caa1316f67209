//! The README never lies: every ```console block's `$ clickstream ...` line
//! is run from the crate's root against the shipped fixtures, and what it
//! prints (stdout, then stderr) must match the lines shown under it.
//!
//! In the expected lines, a line `...` stands for any number of lines, a
//! line ending in `...` for any line starting with the text before it, and
//! elapsed times and rates are ignored. Commands run without a shell: pipes
//! and redirections belong in ```sh blocks, which are not run.

use std::fs;
use std::process::Stdio;

use crate::util::{bin, root};

/// One `$ clickstream ...` command and the output the README shows for it.
#[derive(Debug)]
struct Example {
    /// 1-based line of the `$` in README.md.
    line: usize,
    args: Vec<String>,
    expected: Vec<String>,
}

/// Splits a command line into words: white space separates, '...' and
/// "..." quote (no escapes inside).
fn split_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.get_or_insert_with(String::new).push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                word.get_or_insert_with(String::new);
            }
            (None, c) if c.is_whitespace() => words.extend(word.take()),
            (None, c) => word.get_or_insert_with(String::new).push(c),
        }
    }
    assert!(quote.is_none(), "unclosed quote in {text:?}");
    words.extend(word);
    words
}

/// Every example of every ```console block.
fn examples(readme: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut in_console = false;
    let mut in_other = false;
    for (i, line) in readme.lines().enumerate() {
        if line.starts_with("```") {
            if in_console || in_other {
                in_console = false;
                in_other = false;
            } else if line.trim() == "```console" {
                in_console = true;
            } else {
                in_other = true;
            }
            continue;
        }
        if !in_console {
            continue;
        }
        if let Some(command) = line.strip_prefix("$ ") {
            let mut words = split_words(command);
            assert_eq!(
                words.first().map(String::as_str),
                Some("clickstream"),
                "README.md:{}: console blocks may only run clickstream",
                i + 1
            );
            for w in &words {
                assert!(
                    !matches!(w.as_str(), "|" | ">" | "<" | ">>" | "&&" | ";"),
                    "README.md:{}: {w:?} needs a shell; show it in a ```sh block",
                    i + 1
                );
            }
            words.remove(0);
            out.push(Example {
                line: i + 1,
                args: words,
                expected: Vec::new(),
            });
        } else if let Some(example) = out.last_mut() {
            example.expected.push(line.to_string());
        } else {
            panic!("README.md:{}: a console block must start with `$ `", i + 1);
        }
    }
    out
}

/// Elapsed times and rates differ from run to run.
fn mask_times(line: &str) -> String {
    if let Some(at) = line.find("elapsed ") {
        return format!("{}elapsed [time]", &line[..at]);
    }
    if let Some(at) = line.find("\"elapsed_s\":") {
        let start = at + "\"elapsed_s\":".len();
        let end = line[start..]
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == 'e' || c == '-'))
            .map_or(line.len(), |e| start + e);
        return format!("{}[time]{}", &line[..start], &line[end..]);
    }
    line.to_string()
}

/// Whether `actual` matches `expected`, with `...` lines and line ends.
fn matches(expected: &[String], actual: &[String]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "..." => {
            (0..=actual.len()).any(|skip| matches(rest, &actual[skip..]))
        }
        Some((first, rest)) => match actual.split_first() {
            None => false,
            Some((line, more)) => {
                let same = match first.strip_suffix("...") {
                    Some(prefix) => line.starts_with(prefix),
                    None => line == first,
                };
                same && matches(rest, more)
            }
        },
    }
}

fn run_example(example: &Example) -> Vec<String> {
    let out = bin()
        .args(&example.args)
        .current_dir(root())
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .expect("start clickstream");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut lines: Vec<String> = text.lines().map(mask_times).collect();
    // A blank line closing the output cannot be shown at the end of a block.
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

#[test]
fn readme_examples_print_what_the_readme_shows() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let all = examples(&readme);
    let mut failures = Vec::new();
    for example in &all {
        let expected: Vec<String> = example.expected.iter().map(|l| mask_times(l)).collect();
        let actual = run_example(example);
        if !matches(&expected, &actual) {
            failures.push(format!(
                "README.md:{}: $ clickstream {}\n--- README shows:\n{}\n--- it prints:\n{}",
                example.line,
                example.args.join(" "),
                expected.join("\n"),
                actual.join("\n")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));

    // Each command documented so far has at least one example that runs.
    for command in [
        "validate",
        "hash-phones",
        "convert",
        "replay",
        "schema",
        "completions",
        "man",
    ] {
        assert!(
            all.iter()
                .any(|e| e.args.first().map(String::as_str) == Some(command)),
            "README.md has no ```console example of {command}"
        );
    }
}

#[test]
fn readme_matcher_elides_and_masks() {
    let lines = |s: &str| s.lines().map(str::to_string).collect::<Vec<_>>();
    assert!(matches(&lines("a\n...\nd"), &lines("a\nb\nc\nd")));
    assert!(matches(&lines("a\n...\nd"), &lines("a\nd")));
    assert!(matches(&lines("a b ...\nc"), &lines("a b c d\nc")));
    assert!(!matches(&lines("a\nd"), &lines("a\nb\nd")));
    assert!(!matches(&lines("a\n..."), &lines("b")));
    assert_eq!(
        mask_times("  elapsed 0.004 s, 250000 records/s"),
        "  elapsed [time]"
    );
    assert_eq!(
        mask_times(r#"{"type":"summary","elapsed_s":0.013,"valid":1}"#),
        r#"{"type":"summary","elapsed_s":[time],"valid":1}"#
    );
    assert_eq!(
        split_words(r#"clickstream hash-phones --delimiter ';' "a b""#),
        ["clickstream", "hash-phones", "--delimiter", ";", "a b"]
    );
}
