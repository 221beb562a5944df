//! `certvault list`: the entries, for people or as JSON.

use certvault_core::vault::entries::{self, ListEntry};
use serde::Serialize;

use super::inspect::purpose_text;
use super::VaultArgs;
use crate::error::{CliError, EXIT_OK};
use crate::terminal::Terminal;
use certvault_core::certificate::x509::colon_hex_from_plain;
use certvault_core::dates::{human_date, now_unix};
use certvault_core::vault::OpenVault;
use certvault_i18n::render;
use certvault_i18n::t;
use certvault_i18n::text::escaped;

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
    println!("{}", t!("list-header", id = listing.vault_id, generation = listing.opened_generation));
    if listing.entries.is_empty() {
        println!("{}", t!("list-empty"));
    }
    for item in &listing.entries {
        let e = &item.entry;
        println!();
        println!("[{}] {}", e.id, purpose_text(e.purpose));
        if let Some(code) = &e.certificate.institution_code {
            println!("  {}: {}", t!("inspect-institution"), escaped(code));
        }
        println!("  {}: {}", t!("inspect-subject"), escaped(&e.certificate.subject));
        let left = if item.days_left < 0 {
            t!("inspect-expired", days = -item.days_left)
        } else {
            t!("inspect-days-left", days = item.days_left)
        };
        println!("  {}: {} ({left})", t!("inspect-valid-until"), human_date(&e.certificate.not_after));
        println!("  {}: {}", t!("inspect-sha1"), colon_hex_from_plain(&e.certificate.leaf_sha1));
        println!("  {}: {}", t!("add-pin-stored"), if e.pin_stored { t!("yes") } else { t!("no") });
        if let Some(h) = &e.hint {
            println!("  {}: {}", t!("label-hint"), escaped(h));
        }
        if let Some(s) = &e.superseded {
            println!("  {}", t!("list-superseded", by = s.by, date = s.stops_working));
        }
        println!("  {}: {}", t!("label-file"), escaped(&e.original_file_name));
    }
    Ok(EXIT_OK)
}
