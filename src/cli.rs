//! The command line: the top-level parser, the list of subcommands, and the
//! flag groups several subcommands share. Each subcommand's own flags live
//! beside its code in `cmd`.

use clap::{Parser, Subcommand};

use crate::reader::{Format, ReadOptions};
use crate::report::ColorChoice;
use crate::schema::{Kind, ReferencePolicy, Rules};

/// Validate, hash, convert and replay clickstream webhook events.
#[derive(Parser, Debug)]
#[command(
    name = "clickstream",
    version,
    about,
    max_term_width = 100,
    after_help = "\
Examples:
  clickstream validate events.jsonl
  clickstream hash-phones --default-country 91 phones.txt > hashes.txt
  clickstream schema --kind click > click-event.schema.json

Exit status: 0 success, 1 problems found (invalid records, bad lines),
2 usage or I/O error. NO_COLOR in the environment turns colour off."
)]
pub struct Cli {
    /// When to colour output: auto (on a terminal, unless NO_COLOR is set), always, never
    #[arg(
        long,
        global = true,
        value_enum,
        default_value_t = ColorChoice::Auto,
        value_name = "WHEN"
    )]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check event files against the contract, with a diagnostic per problem
    Validate(crate::cmd::validate::Args),
    /// Normalise phone numbers and write their SHA-256, one per input line
    HashPhones(crate::cmd::hash_phones::Args),
    /// Convert event files between JSONL and CSV without losing a digit, key or line break
    Convert(crate::cmd::convert::Args),
    /// Send event files to an HTTP endpoint, one request per record, losing nothing
    Replay(crate::cmd::replay::Args),
    /// Print the JSON Schema (draft 2020-12) of an event, for other engines
    Schema(crate::cmd::schema::Args),
    /// Print a shell completion script
    Completions(crate::cmd::completions::Args),
    /// Print the manual page (roff) of clickstream or one of its subcommands
    Man(crate::cmd::man::Args),
}

/// How event input is read (shared by validate, convert and replay).
#[derive(clap::Args, Debug, Clone)]
pub struct InputArgs {
    /// Input format; detected from the extension and content when not given
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub from: Option<Format>,

    /// Longest record kept in memory (e.g. 65536, 512K, 4M); longer ones are skipped
    #[arg(long, value_name = "SIZE", default_value = "1M", value_parser = parse_size)]
    pub max_record_bytes: usize,

    /// CSV delimiter: one character, or "tab"; guessed from the header when not given
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    pub delimiter: Option<u8>,
}

impl InputArgs {
    pub fn read_options(&self) -> ReadOptions {
        ReadOptions {
            from: self.from,
            max_record_bytes: self.max_record_bytes,
            delimiter: self.delimiter,
        }
    }
}

/// The contract's rules (shared by validate, convert and replay).
#[derive(clap::Args, Debug, Clone)]
pub struct RuleArgs {
    /// Which events are expected: click events must have click_timestamp
    #[arg(long, value_enum, default_value_t = Kind::Detailed)]
    pub kind: Kind,

    /// Unknown fields and timestamps given as JSON numbers are errors, not warnings
    #[arg(long)]
    pub strict: bool,

    /// Accepted reference_id forms
    #[arg(long, value_enum, value_name = "FORMS", default_value_t = ReferencePolicy::Any)]
    pub reference_id: ReferencePolicy,

    /// Show reference_id values in messages instead of masking them (personal data)
    #[arg(long)]
    pub show_pii: bool,
}

impl RuleArgs {
    pub fn rules(&self) -> Rules {
        Rules {
            kind: self.kind,
            strict: self.strict,
            reference_id: self.reference_id,
            show_pii: self.show_pii,
        }
    }
}

/// Parses `65536`, `512K`, `4M`, `1G` (powers of 1024; `KiB`/`MB` spellings too).
pub fn parse_size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: usize = digits
        .parse()
        .map_err(|_| format!("{text:?} is not a size like 65536 or 4M"))?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => return Err(format!("unknown unit in {text:?}; use K, M or G")),
    };
    n.checked_mul(1 << shift)
        .filter(|&v| v > 0)
        .ok_or_else(|| format!("{text:?} must be a size above zero"))
}

/// Parses a delimiter: one ASCII character, `tab` or `\t`.
pub fn parse_delimiter(text: &str) -> Result<u8, String> {
    match text {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        t if t.len() == 1 && t.is_ascii() && t != "\"" && t != "\n" => Ok(t.as_bytes()[0]),
        _ => Err(format!(
            "{text:?} is not a delimiter; give one character such as ';' or 'tab'"
        )),
    }
}
