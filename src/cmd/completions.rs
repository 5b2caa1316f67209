//! `clickstream completions SHELL`: a completion script generated from the
//! same clap definitions as the parser, so it never drifts from the flags.
//! The scripts committed in `completions/` are these, refreshed by a test.

use std::io::{self, Write};

use anyhow::Context;
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::exit;

/// Print a shell completion script on standard output.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
Examples:
  clickstream completions bash > ~/.local/share/bash-completion/completions/clickstream
  clickstream completions zsh > ~/.zfunc/_clickstream
  clickstream completions fish > ~/.config/fish/completions/clickstream.fish
  clickstream completions powershell >> $PROFILE")]
pub struct Args {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: Shell,
}

/// Every shell a script is generated for, in the order of `completions/`.
pub const SHELLS: [Shell; 5] = [
    Shell::Bash,
    Shell::Zsh,
    Shell::Fish,
    Shell::PowerShell,
    Shell::Elvish,
];

/// The file name a shell's script is committed under (`clickstream.bash`).
pub fn file_name(shell: Shell) -> String {
    clap_complete::Generator::file_name(&shell, "clickstream")
}

/// The completion script for `shell`.
pub fn script(shell: Shell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "clickstream", &mut out);
    out
}

/// Runs `completions` and returns its exit status.
pub fn run(args: Args) -> anyhow::Result<u8> {
    let mut out = io::stdout().lock();
    out.write_all(&script(args.shell))
        .and_then(|()| out.flush())
        .context("cannot write the completion script")?;
    Ok(exit::SUCCESS)
}
