//! `certvault clean`: removes the copies that are safely in the vault, and nothing else.
//!
//! The invariant: a file is removed only if its bytes, read right before removal through the
//! handle that overwrites them, equal an entry of the vault generation that this run opened
//! and verified, and that generation opens again from the medium at that moment. Copies that
//! are not in the vault are never removed; `--seal-unknown` seals them first (their PIN is
//! checked), after which they are in the vault like any other entry.

pub mod shred;

use std::io::IsTerminal;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{CliError, EXIT_FOUND, EXIT_OK};
use crate::scan::classify::{Class, VaultIndex};
use crate::scan::places;
use crate::scan::{self, Hit, ScanReport, VaultSummary};
use crate::t;
use crate::vault::{OpenVault, UnlockSource};
use crate::vault_commands::{self, Sealed};

pub struct CleanOptions {
    pub paths: Vec<PathBuf>,
    pub vault: PathBuf,
    pub unlock: UnlockSource,
    pub apply: bool,
    pub seal_unknown: bool,
    pub pin_file: Option<PathBuf>,
    /// Read every file, also those whose name says they are something else.
    pub all_files: bool,
    pub json: bool,
}

/// What happened to one copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Overwritten and deleted (or, for a hard link, this name deleted).
    Removed,
    /// Dry run: would be removed with --apply.
    WouldRemove,
    /// Dry run with --seal-unknown: would be sealed (after a PIN check), then removed.
    WouldSealAndRemove,
    /// Left where it is; `why` says why.
    Left,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    #[serde(flatten)]
    pub hit: Hit,
    pub action: Action,
    /// Why it was left, or what else to know (hard links).
    pub why: Option<String>,
    /// Sealed into the vault by --seal-unknown in this run.
    pub sealed: bool,
    /// The copy's bytes were overwritten before deletion.
    pub overwritten: bool,
    /// The trash / recycle bin index file removed with it.
    pub trash_index_removed: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct CleanSummary {
    pub removed: usize,
    pub would_remove: usize,
    pub left: usize,
    pub sealed: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct CleanReport {
    pub dry_run: bool,
    pub vault: VaultSummary,
    pub outcomes: Vec<Outcome>,
    pub summary: CleanSummary,
    /// The scan that found the copies (files read, errors, skipped folders…).
    pub scan: ScanReport,
    /// What overwriting cannot guarantee.
    pub notice: String,
}

/// The bytes of entry `id` in generation `vault.generation`, read again from the medium and
/// decrypted again: the generation "that holds it opens".
pub fn reopen_entry(vault: &OpenVault, id: &str) -> Result<Vec<u8>, String> {
    const MAX_GENERATION_FILE: u64 = 64 * 1024 * 1024;
    let name = vault_format::generation_file_name(vault.generation);
    let path = vault.dir.join(&name);
    let mut bytes = Vec::new();
    std::fs::File::open(&path)
        .and_then(|f| f.take(MAX_GENERATION_FILE).read_to_end(&mut bytes))
        .map_err(|e| t!("clean-vault-reopen-failed", file = path.display(), reason = e))?;
    let payload =
        vault_format::open_generation(&bytes, vault.identity(), &vault.header.vault_id, vault.generation)
            .map_err(|e| t!("clean-vault-reopen-failed", file = path.display(), reason = e))?;
    payload.certs.get(id).cloned().ok_or_else(|| t!("clean-entry-gone", id = id, file = name))
}

/// Decides, for each copy, and with `apply` removes the ones in the vault.
pub fn carry_out(
    vault: &OpenVault,
    index: &VaultIndex,
    hits: Vec<Hit>,
    apply: bool,
    seal_unknown: bool,
) -> Vec<Outcome> {
    let mut vault_failure: Option<String> = None;
    hits.into_iter()
        .map(|hit| {
            let mut outcome = Outcome {
                hit,
                action: Action::Left,
                why: None,
                sealed: false,
                overwritten: false,
                trash_index_removed: None,
            };
            let hit = &outcome.hit;
            let left = |key: &str| Some(t!(key));
            outcome.why = match (hit.class, &hit.archive_entry, &hit.entry) {
                (_, Some(_), _) => left("clean-left-archive"),
                (Class::InVault, None, Some(id)) => match index.entry_bytes(id) {
                    None => left("clean-left-unknown"),
                    Some(_) if !apply => {
                        outcome.action = Action::WouldRemove;
                        None
                    }
                    Some(_) if vault_failure.is_some() => vault_failure.clone(),
                    Some(expected) => {
                        let mut reopen = || reopen_entry(vault, id);
                        match shred::remove_copy(&hit.path, expected, &mut reopen) {
                            Ok(removed) => {
                                outcome.action = Action::Removed;
                                outcome.overwritten = removed.overwritten;
                                outcome.trash_index_removed = remove_trash_index(hit);
                                (removed.other_links > 0)
                                    .then(|| t!("clean-hard-link", count = removed.other_links))
                            }
                            Err(shred::Refused::Vault(reason)) => {
                                let reason = t!("clean-left-vault", reason = reason);
                                vault_failure = Some(reason.clone());
                                Some(reason)
                            }
                            Err(shred::Refused::Changed(reason)) => {
                                Some(t!("clean-left-changed", reason = reason))
                            }
                            Err(shred::Refused::Failed(reason)) => {
                                Some(t!("clean-left-failed", reason = reason))
                            }
                            Err(shred::Refused::OverwrittenNotDeleted(reason)) => {
                                outcome.overwritten = true;
                                Some(t!("clean-left-overwritten", reason = reason))
                            }
                        }
                    }
                },
                (Class::Unknown, None, _) if seal_unknown && !apply => {
                    outcome.action = Action::WouldSealAndRemove;
                    None
                }
                (Class::Unknown, None, _) => Some(hit.reason.clone().map_or_else(
                    || t!("clean-left-unknown"),
                    |r| format!("{} ({r})", t!("clean-left-unknown")),
                )),
                (Class::SameCertificate, ..) => left("clean-left-same"),
                (Class::NotReadable, ..) => left("clean-left-unreadable"),
                _ => left("clean-left-unknown"),
            };
            outcome
        })
        .collect()
}

/// Removes the trash or recycle bin index of a removed copy, when it is still a valid index.
fn remove_trash_index(hit: &Hit) -> Option<String> {
    let info = hit.trash.as_ref()?;
    if !places::index_still_valid(info) {
        return None;
    }
    std::fs::remove_file(&info.index).ok()?;
    Some(info.index.display().to_string())
}

/// Seals the unknown copies (not inside archives) into `vault`, reusing `add`'s code path
/// (offline PIN check, confirmation on a terminal). Sealed copies become "in vault".
pub fn seal_unknown_copies(vault: &mut OpenVault, hits: &mut [Hit], pin_file: Option<&Path>) -> Vec<PathBuf> {
    let mut sealed = Vec::new();
    for hit in hits.iter_mut().filter(|h| h.class == Class::Unknown && h.archive_entry.is_none()) {
        let result = vault_commands::verify_for_sealing(&hit.path, pin_file)
            .and_then(|cert| vault_commands::seal_verified(vault, &cert, None, None, false));
        match result {
            Ok(Sealed::Added { id, .. }) => {
                hit.class = Class::InVault;
                hit.entry = Some(id);
                hit.reason = None;
                sealed.push(hit.path.clone());
            }
            // Changed since the scan into a copy of an entry: in the vault already.
            Ok(Sealed::Already { id }) => {
                hit.class = Class::InVault;
                hit.entry = Some(id);
                hit.reason = None;
            }
            Ok(Sealed::Cancelled) => hit.reason = Some(t!("clean-seal-cancelled")),
            Err(e) => hit.reason = Some(t!("clean-seal-failed", reason = e.message)),
        }
    }
    sealed
}

/// 1 when copies are (still) on disk: all of them after a dry run, those left after `--apply`.
pub fn exit_code(clean: &CleanReport) -> u8 {
    let on_disk = if clean.dry_run { clean.outcomes.len() } else { clean.summary.left };
    if on_disk == 0 {
        EXIT_OK
    } else {
        EXIT_FOUND
    }
}

/// Scans and (with `opts.apply`) removes the copies of `vault`'s entries; `vault` is open,
/// with the write lock when unknown copies are to be sealed (`apply` and `seal_unknown`).
pub fn clean_vault(vault: &mut OpenVault, opts: &CleanOptions) -> Result<CleanReport, CliError> {
    let roots = scan::resolve_roots(&opts.paths, Some(&opts.vault))?;
    let settings = scan::Settings {
        show_progress: !opts.json && std::io::stderr().is_terminal(),
        all_files: opts.all_files,
    };
    let mut report = scan::scan(&roots, Some(&VaultIndex::new(vault)), Some(&opts.vault), settings);
    let mut hits = std::mem::take(&mut report.hits);
    let sealed = if opts.apply && opts.seal_unknown {
        seal_unknown_copies(vault, &mut hits, opts.pin_file.as_deref())
    } else {
        Vec::new()
    };
    // The index of the generation that is open now (after sealing: the one just written and
    // read back).
    let index = VaultIndex::new(vault);
    let mut outcomes = carry_out(vault, &index, hits, opts.apply, opts.seal_unknown);
    for o in outcomes.iter_mut() {
        o.sealed = sealed.contains(&o.hit.path);
    }
    let count = |a: Action| outcomes.iter().filter(|o| o.action == a).count();
    let summary = CleanSummary {
        removed: count(Action::Removed),
        would_remove: count(Action::WouldRemove) + count(Action::WouldSealAndRemove),
        left: count(Action::Left),
        sealed: sealed.len(),
    };
    let clean = CleanReport {
        dry_run: !opts.apply,
        vault: VaultSummary { dir: vault.dir.clone(), generation: vault.generation, entries: index.entries },
        outcomes,
        summary,
        scan: report,
        notice: t!("clean-notice-limits"),
    };
    // For `certvault status`: what is still on disk after this run (wizard or command).
    let remaining: Vec<&Outcome> = clean.outcomes.iter().filter(|o| o.action != Action::Removed).collect();
    crate::status::record_scan(
        "clean",
        clean.scan.roots.iter().map(|r| r.path.display().to_string()).collect(),
        remaining.iter().map(|o| o.hit.display_path()).collect(),
        Some(remaining.iter().filter(|o| o.hit.class == Class::Unknown).count()),
        &crate::terminal::Terminal,
    );
    Ok(clean)
}
