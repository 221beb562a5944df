//! `certvault list`: the entries, for people or as JSON.

use certvault_core::vault::entries::{self, ListEntry};
use serde::Serialize;

use super::VaultArgs;
use crate::error::{CliError, EXIT_OK};
use crate::terminal::Terminal;
use certvault_core::dates::now_unix;
use certvault_core::vault::OpenVault;
use certvault_i18n::render;
use certvault_i18n::t;

/// `list --json` (docs/cli-contract.md): the warnings phrased in the user's language.
#[derive(Serialize)]
struct ListReport<'a> {
    vault_id: &'a str,
    generation: u64,
    opened_generation: u64,
    fallbacks: Vec<String>,
    warnings: Vec<String>,
    entries: &'a [ListEntry],
}

#[derive(Debug, clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub vault: VaultArgs,
    /// Print a JSON report for scripts.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: ListArgs) -> Result<u8, CliError> {
    let (vault_dir, unlock, json) = (&args.vault.vault, &args.vault.unlock.source(), args.json);
    let unlock = unlock.read(&Terminal)?;
    let vault = OpenVault::open(vault_dir, &unlock, false)?;
    let listing = entries::list(&vault, now_unix())?;
    super::notes::warn_fallbacks(&vault);
    if json {
        let report = ListReport {
            vault_id: &listing.vault_id,
            generation: listing.generation,
            opened_generation: listing.opened_generation,
            fallbacks: listing.fallbacks.iter().map(render).collect(),
            warnings: listing.warnings.iter().map(render).collect(),
            entries: &listing.entries,
        };
        println!("{}", serde_json::to_string_pretty(&report).expect("serialises"));
        return Ok(EXIT_OK);
    }
    print_details(&listing);
    Ok(EXIT_OK)
}

/// The vault's details as `list` prints them (the wizard's 「詳しい情報」 too).
pub fn print_details(listing: &entries::Listing) {
    let (header, entries) = listing.details();
    println!("{}", render(&header));
    if entries.is_empty() {
        println!("{}", t!("list-empty"));
    }
    for entry in entries {
        println!();
        println!("{}", render(&entry.title));
        for field in &entry.fields {
            println!("  {}", render(field));
        }
    }
}
