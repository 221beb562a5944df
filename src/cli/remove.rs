//! `certvault remove ENTRY`.

use certvault_core::vault::entries::{self, Removed};

use super::VaultArgs;
use crate::error::{CliError, EXIT_OK};
use crate::terminal::Terminal;
use certvault_core::vault::OpenVault;
use certvault_i18n::t;

#[derive(Debug, clap::Args)]
pub struct RemoveArgs {
    /// The entry id (see list).
    pub entry: String,
    #[command(flatten)]
    pub vault: VaultArgs,
}

pub fn run(args: RemoveArgs) -> Result<u8, CliError> {
    let (entry, vault_dir, unlock) =
        (args.entry.as_str(), args.vault.vault.as_path(), &args.vault.unlock.source());
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
