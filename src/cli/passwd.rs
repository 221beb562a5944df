//! `certvault passwd`: a new passphrase (or a new unlock file from the recovery code).

use std::path::{Path, PathBuf};

use certvault_core::vault::entries;

use super::VaultArgs;
use crate::error::{CliError, EXIT_OK};
use crate::terminal::Terminal;
use certvault_core::vault::{OpenVault, UnlockSource};
use certvault_i18n::t;

#[derive(Debug, clap::Args)]
pub struct PasswdArgs {
    #[command(flatten)]
    pub vault: VaultArgs,
    /// Read the new passphrase from this file (- = standard input) instead of asking twice.
    #[arg(long, value_name = "F")]
    pub new_passphrase_file: Option<PathBuf>,
}

pub fn run(args: PasswdArgs) -> Result<u8, CliError> {
    change_passphrase(&args.vault.vault, &args.vault.unlock.source(), args.new_passphrase_file.as_deref())
}

/// A new passphrase for the vault in `vault_dir` (also offered by the wizard after a restore
/// with the recovery code).
pub fn change_passphrase(
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
