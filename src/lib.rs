//! clickstream: validate, hash, convert and replay clickstream webhook events.
//!
//! The binary is a thin shell around [`run`]; each job lives in `cmd`, and
//! they all read through [`reader`], check through [`schema`] and speak
//! through [`report`].

pub mod blocks;
pub mod cli;
pub mod cmd;
pub mod exit;
pub mod files;
pub mod jsontext;
pub mod phone;
pub mod progress;
pub mod quarantine;
pub mod reader;
pub mod report;
pub mod schema;

use std::io;
use std::process::ExitCode;

use clap::Parser;

/// Runs the command line and returns the process exit status. A closed
/// stdout (`clickstream ... | head`) ends the run quietly with status 0.
pub fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) if is_broken_pipe(&err) => ExitCode::from(exit::SUCCESS),
        Err(err) => {
            eprintln!("clickstream: error: {err:#}");
            ExitCode::from(exit::USAGE)
        }
    }
}

/// Dispatches to the subcommand; `Ok` carries its exit status.
pub fn run(cli: cli::Cli) -> anyhow::Result<u8> {
    match cli.command {
        cli::Command::Validate(args) => cmd::validate::run(args, cli.color),
        cli::Command::HashPhones(args) => cmd::hash_phones::run(args),
        cli::Command::Convert(args) => cmd::convert::run(args, cli.color),
        cli::Command::Replay(args) => cmd::replay::run(args),
        cli::Command::Schema(args) => cmd::schema::run(args),
        cli::Command::Completions(args) => cmd::completions::run(args),
        cli::Command::Man(args) => cmd::man::run(args),
    }
}

/// True when the error, or any cause in its chain, is a broken pipe.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}
