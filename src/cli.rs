//! Command-line definitions (DESIGN.md section 5 is the contract: names, flags, exit codes).

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::i18n::Lang;

#[derive(Debug, Parser)]
#[command(
    name = "certvault",
    version,
    about = "Keeps a clinic's client certificates safe: an encrypted vault on a USB stick, a printed recovery sheet, cleanup of leftover copies, restore onto new hardware.",
    after_help = "Exit codes: 0 success / nothing to report, 1 found something (scan hits, status needs attention, PIN not found), 2 error.\nSecrets are read from a no-echo prompt on a terminal or from a file named by a *-file flag (- = standard input), never from arguments or environment variables."
)]
pub struct Cli {
    /// Language of messages (default: from the system locale).
    #[arg(long, global = true, value_enum)]
    pub lang: Option<Lang>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read a PKCS#12 file (.p12/.pfx) and verify its PIN offline.
    Inspect {
        /// The certificate file.
        file: PathBuf,
        /// Read the PIN from this file (- = standard input) instead of asking.
        #[arg(long, value_name = "F")]
        pin_file: Option<PathBuf>,
        /// Print a JSON report for scripts.
        #[arg(long)]
        json: bool,
    },
    /// Find a forgotten numeric PIN of your own certificate file by trying every candidate.
    RecoverPin {
        /// The certificate file.
        file: PathBuf,
        /// Longest PIN to try (1-8).
        #[arg(long, value_name = "N", default_value_t = crate::recover_pin::DEFAULT_MAX_DIGITS)]
        max_digits: u8,
        /// Print a JSON result for scripts.
        #[arg(long)]
        json: bool,
    },
}
