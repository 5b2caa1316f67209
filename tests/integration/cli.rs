//! The command line as a whole: `--help` of every subcommand, the global
//! `--color` option and `NO_COLOR`, and clap's own consistency checks.

use std::process::Stdio;

use clap::CommandFactory;

use crate::util::{arg, bin, fixture, run};

#[test]
fn clap_definitions_are_consistent() {
    clickstream::cli::Cli::command().debug_assert();
}

#[test]
fn every_subcommand_help_has_an_example() {
    let cli = clickstream::cli::Cli::command();
    let names: Vec<&str> = cli.get_subcommands().map(|s| s.get_name()).collect();
    assert!(names.len() >= 5, "{names:?}");
    for name in names {
        let out = run(&[name, "--help"]);
        assert_eq!(out.code, 0, "{name}: {out:?}");
        let examples = out
            .stdout
            .split_once("\nExamples:\n")
            .map(|(_, rest)| rest)
            .unwrap_or_else(|| panic!("{name} --help has no Examples: section\n{}", out.stdout));
        let first = examples.lines().next().unwrap_or_default();
        assert!(
            first.starts_with(&format!("  clickstream {name}")),
            "{name}: the first example should run it: {first:?}"
        );
    }
}

/// `validate` on a file with errors and warnings, diagnostics on stdout.
fn validate_colored(args: &[&str], no_color: Option<&str>) -> String {
    let mut cmd = bin();
    cmd.args(args)
        .arg(arg(&fixture("events-1000.jsonl")))
        .stdin(Stdio::null())
        .env_remove("NO_COLOR");
    if let Some(v) = no_color {
        cmd.env("NO_COLOR", v);
    }
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn color_always_emits_ansi_codes_even_with_no_color() {
    let out = validate_colored(&["--color", "always", "validate"], None);
    assert!(
        out.starts_with("\x1b[1mfixtures/events-1000.jsonl:1:\x1b[0m \x1b[1;33mwarning[bom]")
            || out.contains("\x1b[1;31merror[json_syntax]\x1b[0m"),
        "{out}"
    );
    assert!(out.contains("\x1b[1;31merror[json_syntax]\x1b[0m"), "{out}");
    // The option is global: it works after the subcommand too, and an
    // explicit `always` wins over NO_COLOR.
    let after = validate_colored(&["validate", "--color", "always"], Some("1"));
    assert!(after.contains("\x1b[1;33mwarning[bom]\x1b[0m"), "{after}");
}

#[test]
fn no_color_and_auto_or_never_print_plain_text() {
    for (args, no_color) in [
        (&["--color", "auto", "validate"][..], Some("1")),
        (&["validate"][..], Some("1")),
        (&["validate", "--color", "never"][..], None),
        // Not a terminal: auto stays plain without NO_COLOR too.
        (&["validate", "--color", "auto"][..], None),
    ] {
        let out = validate_colored(args, no_color);
        assert!(
            !out.contains('\x1b'),
            "{args:?} NO_COLOR={no_color:?}: {out}"
        );
        assert!(
            out.contains("events-1000.jsonl:17: error[json_syntax]"),
            "{args:?}: {out}"
        );
    }
}

#[test]
fn color_rejects_unknown_values_with_the_choices() {
    let out = run(&["--color", "sometimes", "validate"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("[possible values: auto, always, never]"),
        "{}",
        out.stderr
    );
}

/// Runs `validate --color auto` on a pseudo-terminal made by util-linux
/// `script`, so `auto` sees a terminal; `None` when `script` is missing.
fn validate_on_terminal(no_color: Option<&str>) -> Option<String> {
    let command = format!(
        "'{}' validate --color auto '{}'",
        env!("CARGO_BIN_EXE_clickstream"),
        arg(&fixture("events-1000.jsonl"))
    );
    let mut script = std::process::Command::new("script");
    script
        .args(["-qec", &command, "/dev/null"])
        .stdin(Stdio::null())
        .env_remove("NO_COLOR");
    if let Some(v) = no_color {
        script.env("NO_COLOR", v);
    }
    match script.output() {
        Ok(out) => Some(String::from_utf8_lossy(&out.stdout).into_owned()),
        Err(err) => {
            eprintln!("SKIPPED: util-linux `script` cannot run ({err}); no terminal to test on");
            None
        }
    }
}

#[test]
fn auto_colors_a_terminal_unless_no_color_is_set() {
    let Some(plain_env) = validate_on_terminal(None) else {
        return;
    };
    assert!(
        plain_env.contains("\x1b[1;31merror[json_syntax]\x1b[0m"),
        "{plain_env}"
    );
    let Some(no_color) = validate_on_terminal(Some("1")) else {
        return;
    };
    assert!(!no_color.contains('\x1b'), "{no_color}");
    assert!(
        no_color.contains("events-1000.jsonl:17: error[json_syntax]"),
        "{no_color}"
    );
    // An empty NO_COLOR does not count (no-color.org).
    let Some(empty) = validate_on_terminal(Some("")) else {
        return;
    };
    assert!(empty.contains("\x1b[1;31m"), "{empty}");
}
