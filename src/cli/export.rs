//! `certvault export ENTRY --out FILE`.

use std::path::PathBuf;

use certvault_core::vault::entries;

use super::VaultArgs;
use crate::error::{CliError, EXIT_OK};
use crate::terminal::Terminal;
use certvault_core::vault::OpenVault;
use certvault_i18n::t;

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The entry id (see list).
    pub entry: String,
    #[command(flatten)]
    pub vault: VaultArgs,
    /// The file to write (created 0600; never overwritten).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

pub fn run(args: ExportArgs) -> Result<u8, CliError> {
    let (entry, vault_dir, unlock, out) =
        (args.entry.as_str(), args.vault.vault.as_path(), &args.vault.unlock.source(), args.out.as_path());
    certvault_core::install::file::refuse_inside_vault(out, Some(vault_dir))?;
    let unlock = unlock.read(&Terminal)?;
    let vault = OpenVault::open(vault_dir, &unlock, false)?;
    super::notes::warn_fallbacks(&vault);
    entries::export(&vault, entry, out)?;
    println!("{}", t!("export-done", file = out.display()));
    eprintln!("{}", t!("export-clean-reminder"));
    Ok(EXIT_OK)
}
