//! The command line: the top-level parser and the list of subcommands. Each
//! subcommand's flags live beside its code in `cmd`.

use clap::{Parser, Subcommand};

/// Validate, hash, convert and replay clickstream webhook events.
#[derive(Parser, Debug)]
#[command(name = "clickstream", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {}
