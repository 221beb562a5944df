//! `certvault export ENTRY --out FILE`.

use std::path::Path;

use certvault_core::vault::entries;

use crate::error::{CliError, EXIT_OK};
use crate::t;
use crate::terminal::Terminal;
use crate::vault::{OpenVault, UnlockSource};

pub fn run(entry: &str, vault_dir: &Path, unlock: &UnlockSource, out: &Path) -> Result<u8, CliError> {
    crate::restore::file::refuse_inside_vault(out, Some(vault_dir))?;
    let unlock = unlock.read(&Terminal)?;
    let vault = OpenVault::open(vault_dir, &unlock, false)?;
    super::notes::warn_fallbacks(&vault);
    entries::export(&vault, entry, out)?;
    println!("{}", t!("export-done", file = out.display()));
    eprintln!("{}", t!("export-clean-reminder"));
    Ok(EXIT_OK)
}
