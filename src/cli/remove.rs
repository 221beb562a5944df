//! `certvault remove ENTRY`.

use std::path::Path;

use certvault_core::vault::entries::{self, Removed};

use crate::error::{CliError, EXIT_OK};
use crate::t;
use crate::terminal::Terminal;
use crate::vault::{OpenVault, UnlockSource};

pub fn run(entry: &str, vault_dir: &Path, unlock: &UnlockSource) -> Result<u8, CliError> {
    let unlock = unlock.read(&Terminal)?;
    let mut vault = OpenVault::open(vault_dir, &unlock, true)?;
    super::notes::warn_fallbacks(&vault);
    match entries::remove(&mut vault, entry, &Terminal)? {
        Removed::Cancelled => eprintln!("{}", t!("cancelled")),
        Removed::Removed { id, generation } => {
            println!("{}", t!("remove-done", id = id, generation = generation))
        }
    }
    Ok(EXIT_OK)
}
