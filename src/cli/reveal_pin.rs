//! `certvault reveal-pin ENTRY`: the stored PIN, on standard output.

use std::path::Path;

use certvault_core::vault::entries;
use secrecy::ExposeSecret;

use crate::error::{CliError, EXIT_OK};
use crate::terminal::Terminal;
use crate::vault::{OpenVault, UnlockSource};

pub fn run(
    entry: &str,
    vault_dir: &Path,
    unlock: &UnlockSource,
    pin_code_file: Option<&Path>,
) -> Result<u8, CliError> {
    let unlock = unlock.read(&Terminal)?;
    let vault = OpenVault::open(vault_dir, &unlock, false)?;
    super::notes::warn_fallbacks(&vault);
    let pin = entries::reveal_pin(&vault, entry, pin_code_file, &Terminal)?;
    println!("{}", pin.expose_secret());
    Ok(EXIT_OK)
}
