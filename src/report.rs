//! Everything a command tells the user: diagnostics (human lines or JSON),
//! summaries, colour, and the masking of personal data in all of them.

use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use serde::Serialize;

use crate::schema::{Code, Diagnostic, ReferenceForm, Severity};

/// Masks a personal value for messages: at most the first 2 and last 2
/// characters stay (`91********90`); short values are masked whole.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    if n <= 6 {
        return "*".repeat(n.max(1));
    }
    let mut out = String::with_capacity(n);
    out.extend(&chars[..2]);
    out.extend(std::iter::repeat_n('*', n - 4));
    out.extend(&chars[n - 2..]);
    out
}

/// Shows `value` as given with `show_pii`, masked otherwise.
pub fn pii(value: &str, show_pii: bool) -> String {
    if show_pii {
        value.to_string()
    } else {
        mask(value)
    }
}

/// How diagnostics and summaries are printed (`--format`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// One readable line per diagnostic; the summary on stderr.
    #[default]
    Human,
    /// One JSON object per line, the summary last, all on stdout.
    Json,
}

/// When to colour output (`--color`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Only on a terminal, and not when `NO_COLOR` is set.
    #[default]
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour a stream that is (or is not) a terminal.
    pub fn enabled(self, is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }

    /// Whether to colour standard output.
    pub fn for_stdout(self) -> bool {
        self.enabled(io::stdout().is_terminal())
    }
}

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    file: &'a str,
    line: u64,
    index: Option<u64>,
    field: Option<&'a str>,
    code: &'static str,
    severity: &'static str,
    message: &'a str,
}

/// Writes diagnostics, one per line, as text or JSON.
pub struct DiagnosticWriter<W: Write> {
    out: W,
    format: OutputFormat,
    color: bool,
}

impl<W: Write> DiagnosticWriter<W> {
    pub fn new(out: W, format: OutputFormat, color: bool) -> Self {
        DiagnosticWriter { out, format, color }
    }

    /// `events.jsonl:12: error[click_before_impression] click_timestamp: ...`
    pub fn write(&mut self, file: &str, d: &Diagnostic) -> io::Result<()> {
        match self.format {
            OutputFormat::Json => {
                let j = JsonDiagnostic {
                    kind: "diagnostic",
                    file,
                    line: d.line,
                    index: d.index,
                    field: d.field.as_deref(),
                    code: d.code.as_str(),
                    severity: d.severity.as_str(),
                    message: &d.message,
                };
                serde_json::to_writer(&mut self.out, &j)?;
                self.out.write_all(b"\n")
            }
            OutputFormat::Human if self.color => {
                let colour = if d.is_error() { RED } else { YELLOW };
                write!(
                    self.out,
                    "{BOLD}{file}:{}:{RESET} {colour}{}[{}]{RESET} ",
                    d.line,
                    d.severity.as_str(),
                    d.code
                )?;
                if let Some(f) = &d.field {
                    write!(self.out, "{BOLD}{f}:{RESET} ")?;
                }
                write!(self.out, "{}", d.message)?;
                if let Some(i) = d.index {
                    write!(self.out, " (array item {i})")?;
                }
                self.out.write_all(b"\n")
            }
            OutputFormat::Human => writeln!(self.out, "{file}:{}: {d}", d.line),
        }
    }

    /// The underlying writer, for a summary printed after the diagnostics.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// The counts behind a `validate` (or `convert`) summary.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    pub records: u64,
    pub valid: u64,
    pub invalid: u64,
    pub errors: u64,
    pub warnings: u64,
    /// Diagnostics by code, indexed like [`Code::ALL`].
    pub by_code: Vec<u64>,
    /// `reference_id` forms: phone, sha256, custom.
    pub forms: [u64; 3],
}

impl Tally {
    pub fn new() -> Self {
        Tally {
            by_code: vec![0; Code::ALL.len()],
            ..Tally::default()
        }
    }

    /// Counts one diagnostic.
    pub fn diagnostic(&mut self, d: &Diagnostic) {
        match d.severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
        }
        if let Some(i) = Code::ALL.iter().position(|c| *c == d.code) {
            self.by_code[i] += 1;
        }
    }

    /// Counts one record's form.
    pub fn form(&mut self, form: Option<ReferenceForm>) {
        match form {
            Some(ReferenceForm::Phone) => self.forms[0] += 1,
            Some(ReferenceForm::Sha256) => self.forms[1] += 1,
            Some(ReferenceForm::Custom) => self.forms[2] += 1,
            None => {}
        }
    }

    fn codes(&self) -> impl Iterator<Item = (Code, u64)> + '_ {
        Code::ALL
            .iter()
            .zip(&self.by_code)
            .filter(|(_, n)| **n > 0)
            .map(|(c, n)| (*c, *n))
    }

    /// The summary as one JSON line (SPEC 3), keys in the spec's order.
    pub fn write_json(&self, out: &mut dyn Write, elapsed: Duration) -> io::Result<()> {
        #[derive(Serialize)]
        struct Forms {
            phone: u64,
            sha256: u64,
            custom: u64,
        }
        #[derive(Serialize)]
        struct Summary {
            #[serde(rename = "type")]
            kind: &'static str,
            records: u64,
            valid: u64,
            invalid: u64,
            errors: u64,
            warnings: u64,
            by_code: serde_json::Map<String, serde_json::Value>,
            reference_id_forms: Forms,
            elapsed_s: f64,
        }
        let summary = Summary {
            kind: "summary",
            records: self.records,
            valid: self.valid,
            invalid: self.invalid,
            errors: self.errors,
            warnings: self.warnings,
            by_code: self
                .codes()
                .map(|(c, n)| (c.as_str().to_string(), n.into()))
                .collect(),
            reference_id_forms: Forms {
                phone: self.forms[0],
                sha256: self.forms[1],
                custom: self.forms[2],
            },
            elapsed_s: (elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
        };
        serde_json::to_writer(&mut *out, &summary)?;
        out.write_all(b"\n")
    }

    /// The summary's first lines, with the words for good and bad records
    /// (`valid`/`invalid`, `converted`/`rejected`), then the counts by code.
    pub fn write_counts(&self, out: &mut dyn Write, good: &str, bad: &str) -> io::Result<()> {
        writeln!(
            out,
            "{}: {} {good}, {} {bad}; {}, {}",
            plural(self.records, "record"),
            self.valid,
            self.invalid,
            plural(self.errors, "error"),
            plural(self.warnings, "warning")
        )?;
        let list: Vec<String> = self.codes().map(|(c, n)| format!("{c} {n}")).collect();
        if !list.is_empty() {
            writeln!(out, "  by code: {}", list.join(", "))?;
        }
        Ok(())
    }

    /// The summary as readable lines (for stderr).
    pub fn write_human(&self, out: &mut dyn Write, elapsed: Duration) -> io::Result<()> {
        self.write_counts(out, "valid", "invalid")?;
        writeln!(
            out,
            "  reference_id forms: phone {}, sha256 {}, custom {}",
            self.forms[0], self.forms[1], self.forms[2]
        )?;
        write_elapsed(out, self.records, elapsed)
    }
}

/// The summary's last line: `  elapsed 0.123 s, 81234 records/s`.
pub fn write_elapsed(out: &mut dyn Write, records: u64, elapsed: Duration) -> io::Result<()> {
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 {
        records as f64 / secs
    } else {
        0.0
    };
    writeln!(out, "  elapsed {secs:.3} s, {rate:.0} records/s")
}

/// `1 record`, `2 records`.
pub fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_two_characters_at_each_end() {
        assert_eq!(mask("911234567890"), "91********90");
        assert_eq!(mask("abcdef"), "******");
        assert_eq!(mask(""), "*");
        assert_eq!(mask("ab\u{e9}cdefg"), "ab****fg");
    }
}
