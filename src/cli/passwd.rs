//! `certvault passwd`: a new passphrase (or a new unlock file from the recovery code).

use std::path::Path;

use certvault_core::vault::entries;

use crate::error::{CliError, EXIT_OK};
use crate::t;
use crate::terminal::Terminal;
use crate::vault::{OpenVault, UnlockSource};

pub fn run(
    vault_dir: &Path,
    unlock: &UnlockSource,
    new_passphrase_file: Option<&Path>,
) -> Result<u8, CliError> {
    let old = unlock.read(&Terminal)?;
    let vault = OpenVault::open(vault_dir, &old, true)?;
    super::notes::warn_fallbacks(&vault);
    entries::passwd(&vault, &old, new_passphrase_file, &Terminal)?;
    println!("{}", t!("passwd-done", dir = vault_dir.display()));
    Ok(EXIT_OK)
}
