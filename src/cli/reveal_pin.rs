//! `certvault reveal-pin ENTRY`: the stored PIN, on standard output.

use std::path::PathBuf;

use certvault_core::vault::entries;
use secrecy::ExposeSecret;

use super::VaultArgs;
use crate::error::{CliError, EXIT_OK};
use crate::terminal::Terminal;
use certvault_core::vault::OpenVault;

#[derive(Debug, clap::Args)]
pub struct RevealPinArgs {
    /// The entry id (see list).
    pub entry: String,
    #[command(flatten)]
    pub vault: VaultArgs,
    /// Read the PIN code from this file (- = standard input) instead of asking.
    #[arg(long, value_name = "F")]
    pub pin_code_file: Option<PathBuf>,
}

pub fn run(args: RevealPinArgs) -> Result<u8, CliError> {
    let unlock = args.vault.unlock.source().read(&Terminal)?;
    let vault = OpenVault::open(&args.vault.vault, &unlock, false)?;
    super::notes::warn_fallbacks(&vault);
    let pin = entries::reveal_pin(&vault, &args.entry, args.pin_code_file.as_deref(), &Terminal)?;
    println!("{}", pin.expose_secret());
    Ok(EXIT_OK)
}
