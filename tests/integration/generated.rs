//! The generated files committed with the source: shell completions in
//! `completions/` and manual pages in `man/`. Each is regenerated from the
//! binary and compared; a stale one fails with the command that refreshes
//! them all: `CLICKSTREAM_BLESS=1 cargo test --test integration generated`.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use clap::CommandFactory;

use crate::util::{root, run};

const REFRESH: &str = "CLICKSTREAM_BLESS=1 cargo test --test integration generated";

fn blessing() -> bool {
    std::env::var_os("CLICKSTREAM_BLESS").is_some_and(|v| !v.is_empty())
}

/// Compares (or, when blessing, writes) every file of `dir` against
/// `expected`; files in `dir` that are not expected are stale too.
fn check_dir(dir: &str, expected: &[(String, Vec<u8>)]) {
    let dir_path = root().join(dir);
    let wanted: BTreeSet<&str> = expected.iter().map(|(n, _)| n.as_str()).collect();
    let present: BTreeSet<String> = fs::read_dir(&dir_path)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    if blessing() {
        fs::create_dir_all(&dir_path).unwrap();
        for extra in present.iter().filter(|p| !wanted.contains(p.as_str())) {
            fs::remove_file(dir_path.join(extra)).unwrap();
        }
        for (name, bytes) in expected {
            fs::write(dir_path.join(name), bytes).unwrap();
        }
        return;
    }
    let mut stale = Vec::new();
    for (name, bytes) in expected {
        let committed = fs::read(dir_path.join(name)).ok();
        if committed.as_deref() != Some(bytes.as_slice()) {
            stale.push(format!("{dir}/{name}"));
        }
    }
    for extra in present.iter().filter(|p| !wanted.contains(p.as_str())) {
        stale.push(format!("{dir}/{extra} (no longer generated)"));
    }
    assert!(
        stale.is_empty(),
        "stale generated files: {}\nrefresh them with: {REFRESH}",
        stale.join(", ")
    );
}

#[test]
fn generated_completions_are_up_to_date() {
    let shells = [
        ("bash", "clickstream.bash"),
        ("zsh", "_clickstream"),
        ("fish", "clickstream.fish"),
        ("powershell", "_clickstream.ps1"),
        ("elvish", "clickstream.elv"),
    ];
    let expected: Vec<(String, Vec<u8>)> = shells
        .iter()
        .map(|(shell, file)| {
            let out = run(&["completions", shell]);
            assert_eq!(out.code, 0, "{out:?}");
            assert!(
                out.stdout.contains("hash-phones"),
                "{shell}: {}",
                out.stdout
            );
            (file.to_string(), out.stdout.into_bytes())
        })
        .collect();
    check_dir("completions", &expected);
}

#[test]
fn generated_man_pages_are_up_to_date() {
    let cli = clickstream::cli::Cli::command();
    let mut expected = Vec::new();
    let top = run(&["man"]);
    assert_eq!(top.code, 0, "{top:?}");
    assert!(
        top.stdout.starts_with(".ie \\n(.g .ds Aq"),
        "{}",
        top.stdout
    );
    assert!(top.stdout.contains(".SH SUBCOMMANDS"), "{}", top.stdout);
    expected.push(("clickstream.1".to_string(), top.stdout.into_bytes()));
    for sub in cli.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = sub.get_name();
        let out = run(&["man", name]);
        assert_eq!(out.code, 0, "{out:?}");
        assert!(
            out.stdout.contains(&format!(".TH clickstream-{name} 1")),
            "{name}: {}",
            out.stdout
        );
        expected.push((format!("clickstream-{name}.1"), out.stdout.into_bytes()));
    }
    check_dir("man", &expected);
}

#[test]
fn man_names_the_subcommands_when_given_an_unknown_one() {
    let out = run(&["man", "valdate"]);
    assert_eq!(out.code, 2);
    // The list grows with the subcommands; its start is fixed.
    assert!(
        out.stderr.starts_with(
            "clickstream: error: no subcommand \"valdate\"; name one of: validate, hash-phones, "
        ),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains(", man"), "{}", out.stderr);
}

#[test]
fn readme_documents_the_refresh_command() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    assert!(readme.contains(REFRESH), "README.md should say: {REFRESH}");
    assert!(Path::new(&root().join(".ci/run")).exists());
}
