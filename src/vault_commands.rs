//! The old home of the vault commands. The operations are in the core
//! (`certvault_core::vault::{create, entries, passphrase, pin}`) and the commands' output in
//! `crate::cli::{init, add, list, remove, export, reveal_pin, passwd}`; these names stay for the
//! modules that still call them (restore, status, copies, clean, the wizard) until they switch.

use std::io::{BufRead, Write};
use std::path::Path;

pub use certvault_core::dates::{days_left_of, one_month_after};
pub use certvault_core::vault::create::readme_text;
pub use certvault_core::vault::entries::{Sealed, VerifiedCertificate};

use crate::error::CliError;
use crate::vault::OpenVault;

/// Asks yes/no on the terminal; no terminal means "proceed" only where the caller allows.
pub fn confirm(question: &str) -> bool {
    eprint!("{question} [y/N] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer).is_err() {
        return false;
    }
    matches!(answer.trim().to_lowercase().as_str(), "y" | "yes" | "はい")
}

/// Creates `path` readable by the owner only (0600), refusing to replace an existing file.
pub fn write_private_file(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    Ok(certvault_core::vault::write_private_file(path, bytes)?)
}

/// Loads `path` and verifies its PIN (asked on the terminal): see
/// [`certvault_core::vault::entries::verify_for_sealing`].
pub fn verify_for_sealing(path: &Path, pin_file: Option<&Path>) -> Result<VerifiedCertificate, CliError> {
    crate::cli::add::verify(path, pin_file)
}

/// Shows what is about to be sealed and seals it, as `add` does.
pub fn seal_verified(
    vault: &mut OpenVault,
    cert: &VerifiedCertificate,
    hint: Option<String>,
    purpose: Option<crate::cert::Purpose>,
    no_store_pin: bool,
) -> Result<Sealed, CliError> {
    let opts = certvault_core::vault::entries::SealOptions { hint, purpose, no_store_pin };
    crate::cli::add::seal(vault, cert, &opts)
}

/// `passwd` on `vault_dir` (the wizard's restore offers it).
pub fn passwd(
    vault_dir: &Path,
    unlock: &crate::vault::UnlockSource,
    new_passphrase_file: Option<&Path>,
) -> Result<u8, CliError> {
    crate::cli::passwd::change_passphrase(vault_dir, unlock, new_passphrase_file)
}
