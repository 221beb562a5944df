//! Finding the vault when `--vault` is not given: on every mounted removable volume
//! (`sysinfo`), the volume itself and its top-level folders are looked at for `vault.json`.
//! `CERTVAULT_MEDIA_ROOTS` (a path list) adds folders to look in, for sticks the OS reports as
//! fixed disks (USB SSDs on Windows, and every disk under Wine) and for tests.

use std::path::{Path, PathBuf};

pub use certvault_core::media::{media_roots, vaults_in, MEDIA_ROOTS_VAR};

use crate::error::CliError;
use crate::t;
use crate::vault;

/// One line about a vault for the choice: folder, id, newest generation.
fn describe(dir: &Path) -> String {
    let id = vault::read_header(dir).map(|h| h.vault_id.to_string()).unwrap_or_else(|_| "?".into());
    let newest = vault::generations(dir).ok().and_then(|g| g.first().copied());
    let modified = newest
        .and_then(|n| std::fs::metadata(dir.join(vault_format::generation_file_name(n))).ok())
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| crate::cert::rfc3339(d.as_secs() as i64))
        .map(|d| crate::inspect::human_date(&d))
        .unwrap_or_default();
    t!(
        "restore-vault-line",
        dir = dir.display(),
        id = id,
        generation = newest.map(|n| n.to_string()).unwrap_or_else(|| "?".into()),
        modified = modified
    )
}

/// Finds the vault on removable media; asks which one when there are several, or for the
/// folder when there is none.
pub fn choose_vault(interactive: bool) -> Result<PathBuf, CliError> {
    let roots = media_roots();
    let found = vaults_in(&roots);
    match found.len() {
        1 => {
            eprintln!("{}", t!("restore-vault-found", dir = found[0].display()));
            Ok(found[0].clone())
        }
        0 if interactive => loop {
            eprintln!("{}", t!("restore-no-vault-found"));
            let Some(answer) = super::ask_line(&t!("restore-ask-vault-dir")) else {
                return Err(CliError::new(t!("err-restore-no-vault")));
            };
            if answer.is_empty() {
                return Err(CliError::new(t!("err-restore-no-vault")));
            }
            let dir = PathBuf::from(answer.trim_matches('"'));
            // A stick's root holding CERTVAULT\ is fine too.
            let candidates = vaults_in(std::slice::from_ref(&dir));
            if let Some(first) = candidates.first() {
                return Ok(first.clone());
            }
            eprintln!("{}", t!("err-not-a-vault", dir = dir.display()));
        },
        0 => Err(CliError::new(t!("err-restore-no-vault")).with_hint(t!("hint-restore-vault-flag"))),
        n => {
            eprintln!("{}", t!("restore-vaults-found", count = n));
            for (i, dir) in found.iter().enumerate() {
                eprintln!("  {}: {}", i + 1, describe(dir));
            }
            if !interactive {
                return Err(
                    CliError::new(t!("err-restore-several-vaults")).with_hint(t!("hint-restore-vault-flag"))
                );
            }
            loop {
                let Some(answer) = super::ask_line(&t!("restore-choose-vault", count = n)) else {
                    return Err(CliError::new(t!("cancelled")));
                };
                match answer.parse::<usize>() {
                    Ok(k) if (1..=n).contains(&k) => return Ok(found[k - 1].clone()),
                    _ => eprintln!("{}", t!("restore-choose-again", count = n)),
                }
            }
        }
    }
}
