//! `certvault clean`: removes the copies that are safely in the vault, and nothing else.
//!
//! The invariant: a file is removed only if its bytes, read right before removal through the
//! handle that overwrites them, equal an entry of the vault generation that this run opened
//! and verified, and that generation opens again from the medium at that moment
//! ([`OpenVault::entry_bytes`]). A `.zip` archive is removed only if every file in it is such
//! a copy, checked in the bytes read through the handle that overwrites the archive, and the
//! archive has not changed since the scan (issue 16); an archive that holds anything else is
//! left, and the reason says so. Copies that are not in the vault are never removed;
//! `--seal-unknown` seals them first (their PIN is checked), after which they are in the vault
//! like any other entry.

pub mod shred;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::conversation::{unanswered, Conversation, Level, Progress, Unanswered};
use crate::error::{Error, ErrorKind, Result};
use crate::message::Message;
use crate::msg;
use crate::scan::classify::{Class, VaultIndex};
use crate::scan::{self, archive, places, Hit, ScanReport, Settings, VaultSummary};
use crate::vault::entries::{self, SealOptions, SealSummary, Sealed};
use crate::vault::{OpenVault, UnlockSource};

/// What `certvault clean` does, without its output form.
#[derive(Debug, Clone, Default)]
pub struct CleanOptions {
    /// Folders or files to clean; none: the default places (as `scan`).
    pub paths: Vec<PathBuf>,
    /// Remove the copies; without it, only say what would be removed (a dry run).
    pub apply: bool,
    /// With `apply`: ask (`wizard-clean-confirm`, with the count) before removing anything;
    /// "no" removes nothing. The command line does not ask (`--apply` is the answer).
    pub ask_first: bool,
    /// Seal copies that are not in the vault into it first (with `apply`; the vault must be
    /// open with the write lock), so that they can be removed too.
    pub seal_unknown: bool,
    /// The PIN of the copies to seal; without it, asked through the conversation.
    pub pin_file: Option<PathBuf>,
    /// Do not open files whose name says they are something else (by default every file is
    /// read, as by `scan`).
    pub trust_names: bool,
    /// Shows what is about to be sealed, right before `add-confirm` is asked (the terminal
    /// prints it as `add` does; a front-end that shows nothing leaves it `None`).
    pub show_before_sealing: Option<fn(&SealSummary)>,
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

/// One copy and what was done to it. Reasons are messages in the core; `--json` carries them
/// phrased (`R = String`, see [`CleanReport::phrased`]).
#[derive(Debug, Clone, Serialize)]
pub struct Outcome<R = Message> {
    #[serde(flatten)]
    pub hit: Hit<R>,
    pub action: Action,
    /// Why it was left, or what else to know (hard links).
    pub why: Option<R>,
    /// Sealed into the vault by --seal-unknown in this run.
    pub sealed: bool,
    /// The copy's bytes were overwritten before deletion.
    pub overwritten: bool,
    /// The trash / recycle bin index file removed with it.
    pub trash_index_removed: Option<String>,
}

impl Outcome {
    /// A copy not (yet) decided on: left, for no reason given yet.
    fn left(hit: Hit) -> Outcome {
        Outcome {
            hit,
            action: Action::Left,
            why: None,
            sealed: false,
            overwritten: false,
            trash_index_removed: None,
        }
    }

    /// The same outcome with its reasons phrased by `phrase`.
    pub fn phrased<R>(&self, phrase: &impl Fn(&Message) -> R) -> Outcome<R> {
        Outcome {
            hit: self.hit.phrased(phrase),
            action: self.action,
            why: self.why.as_ref().map(phrase),
            sealed: self.sealed,
            overwritten: self.overwritten,
            trash_index_removed: self.trash_index_removed.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CleanSummary {
    pub removed: usize,
    pub would_remove: usize,
    pub left: usize,
    pub sealed: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct CleanReport<R = Message> {
    pub dry_run: bool,
    pub vault: VaultSummary,
    pub outcomes: Vec<Outcome<R>>,
    pub summary: CleanSummary,
    /// The scan that found the copies (files read, errors, skipped folders…).
    pub scan: ScanReport<R>,
    /// What overwriting cannot guarantee.
    pub notice: R,
}

impl<R> CleanReport<R> {
    /// Copies still on disk: all of them after a dry run, those left after a removal. The
    /// command line's exit code is 1 when there are any.
    pub fn copies_on_disk(&self) -> usize {
        if self.dry_run {
            self.outcomes.len()
        } else {
            self.summary.left
        }
    }
}

impl CleanReport {
    /// The same report with every reason phrased by `phrase` (the front-end's renderer): what
    /// `--json` prints.
    pub fn phrased<R>(&self, phrase: &impl Fn(&Message) -> R) -> CleanReport<R> {
        CleanReport {
            dry_run: self.dry_run,
            vault: self.vault.clone(),
            outcomes: self.outcomes.iter().map(|o| o.phrased(phrase)).collect(),
            summary: self.summary.clone(),
            scan: self.scan.phrased(phrase),
            notice: phrase(&self.notice),
        }
    }
}

/// Decides, for each copy, and with `apply` removes the ones in the vault, each after its
/// bytes were compared with the vault's ([`OpenVault::entry_bytes`], read again from the
/// medium), telling its progress (`clean-progress`). When the vault no longer gives an entry
/// back, nothing more is removed; when the user asks to stop (`talk.cancel_requested`), the
/// copies not yet removed are left.
pub fn carry_out(
    vault: &OpenVault,
    index: &VaultIndex,
    hits: Vec<Hit>,
    apply: bool,
    seal_unknown: bool,
    talk: &dyn Conversation,
) -> Vec<Outcome> {
    let mut vault_failure: Option<Message> = None;
    let mut stopped = false;
    // Zip archives with copies of entries: removed whole when they hold nothing else.
    let mut archives = plan_archives(index, &hits, apply);
    let to_remove = (hits.iter().filter(|h| h.class == Class::InVault && h.archive_entry.is_none()).count()
        + archives.values().filter(|p| matches!(p, ArchivePlan::Remove { .. })).count())
        as u64;
    let mut tried = 0u64;
    let tell = |done: u64, finished: bool| {
        if apply && to_remove > 0 {
            let task = msg!("clean-progress", done = done, total = to_remove);
            talk.progress(&Progress { task, done, total: Some(to_remove), finished });
        }
    };
    let outcomes = hits
        .into_iter()
        .map(|hit| {
            let mut outcome = Outcome::left(hit);
            let hit = &outcome.hit;
            outcome.why = match (hit.class, &hit.archive_entry, &hit.entry) {
                // Zipped copies of a certificate in the vault (issue 16): the archive goes
                // whole when every file in it is byte for byte in the vault, checked again
                // when it is removed; otherwise it stays, and the reason says why.
                (Class::InVault, Some(_), _) => match archives.get_mut(&hit.path) {
                    Some(ArchivePlan::Remove { .. }) if !apply => {
                        outcome.action = Action::WouldRemove;
                        Some(msg!("clean-archive-would-remove"))
                    }
                    Some(ArchivePlan::Remove { .. }) if vault_failure.is_some() => vault_failure.clone(),
                    Some(ArchivePlan::Remove { .. }) if stopped || talk.cancel_requested() => {
                        stopped = true;
                        Some(msg!("clean-left-cancelled"))
                    }
                    Some(plan @ ArchivePlan::Remove { .. }) => {
                        tell(tried, false);
                        tried += 1;
                        let ArchivePlan::Remove { bytes, .. } =
                            std::mem::replace(plan, ArchivePlan::Kept(None))
                        else {
                            unreachable!("matched above")
                        };
                        let done = remove_archive(vault, index, &hit.path, &bytes);
                        if let Err(shred::Refused::Vault(reason)) = &done {
                            vault_failure = Some(msg!("clean-left-vault", reason = reason.clone()));
                        }
                        *plan = ArchivePlan::Done(done.map_err(|r| refused_reason(&r)));
                        archive_outcome(&mut outcome, plan)
                    }
                    Some(plan) => archive_outcome(&mut outcome, plan),
                    None => Some(msg!("clean-left-archive-in-vault")),
                },
                (_, Some(_), _) => Some(msg!("clean-left-archive")),
                (Class::InVault, None, Some(id)) => match index.entry_bytes(id) {
                    None => Some(msg!("clean-left-unknown")),
                    Some(_) if !apply => {
                        outcome.action = Action::WouldRemove;
                        None
                    }
                    Some(_) if vault_failure.is_some() => vault_failure.clone(),
                    Some(_) if stopped || talk.cancel_requested() => {
                        stopped = true;
                        Some(msg!("clean-left-cancelled"))
                    }
                    Some(expected) => {
                        tell(tried, false);
                        tried += 1;
                        let mut in_vault = || vault.entry_bytes(id);
                        match shred::remove_copy(&hit.path, expected, &mut in_vault) {
                            Ok(removed) => {
                                outcome.action = Action::Removed;
                                outcome.overwritten = removed.overwritten;
                                outcome.trash_index_removed = remove_trash_index(hit);
                                (removed.other_links > 0)
                                    .then(|| msg!("clean-hard-link", count = removed.other_links))
                            }
                            Err(shred::Refused::Vault(reason)) => {
                                let reason = msg!("clean-left-vault", reason = reason);
                                vault_failure = Some(reason.clone());
                                Some(reason)
                            }
                            Err(shred::Refused::Changed(reason)) => {
                                Some(msg!("clean-left-changed", reason = reason))
                            }
                            Err(shred::Refused::Failed(reason)) => {
                                Some(msg!("clean-left-failed", reason = reason))
                            }
                            Err(shred::Refused::OverwrittenNotDeleted(reason)) => {
                                outcome.overwritten = true;
                                Some(msg!("clean-left-overwritten", reason = reason))
                            }
                        }
                    }
                },
                (Class::Unknown, None, _) if seal_unknown && !apply => {
                    outcome.action = Action::WouldSealAndRemove;
                    None
                }
                (Class::Unknown, None, _) => Some(match &hit.reason {
                    Some(reason) => msg!("clean-left-unknown-because", reason = reason),
                    None => msg!("clean-left-unknown"),
                }),
                (Class::SameCertificate, ..) => Some(msg!("clean-left-same")),
                (Class::NotReadable, ..) => Some(msg!("clean-left-unreadable")),
                _ => Some(msg!("clean-left-unknown")),
            };
            outcome
        })
        .collect();
    tell(tried, true);
    outcomes
}

/// The zip archives left because they also hold files that are not in the vault.
fn kept_archives(outcomes: &[Outcome]) -> Vec<String> {
    let mut kept: Vec<String> = outcomes
        .iter()
        .filter(|o| {
            o.hit.archive_entry.is_some()
                && o.why
                    .as_ref()
                    .is_some_and(|w| matches!(w.id, "clean-left-archive-mixed" | "clean-keep-archive-mixed"))
        })
        .map(|o| o.hit.path.display().to_string())
        .collect();
    kept.sort();
    kept.dedup();
    kept
}

/// What becomes of a zip archive holding copies of vault entries.
enum ArchivePlan {
    /// Every file in it is byte for byte an entry: removed whole (with `apply`), if its bytes
    /// are still `bytes` then.
    Remove { bytes: Vec<u8> },
    /// Left, and why (`None`: for the reason its first copy already gave).
    Kept(Option<Message>),
    /// Removed (`Ok`), or refused, for every copy in it.
    Done(std::result::Result<shred::Removed, Message>),
}

/// Larger archives are not read again to be removed (a download of certificates is small).
const MAX_ARCHIVE_TO_REMOVE: u64 = 16 * 1024 * 1024;

/// For each zip archive among `hits` with a copy of an entry: read again now, and removable
/// when it has not changed since the scan (same modification time) and every file in it is
/// byte for byte an entry of `index` ([`archive::members_in_vault`]).
fn plan_archives(index: &VaultIndex, hits: &[Hit], apply: bool) -> HashMap<PathBuf, ArchivePlan> {
    let mut plans = HashMap::new();
    for hit in hits.iter().filter(|h| h.class == Class::InVault && h.archive_entry.is_some()) {
        if plans.contains_key(&hit.path) {
            continue;
        }
        let plan = match read_archive(&hit.path) {
            Ok((bytes, modified)) if modified != hit.modified => {
                drop(bytes);
                ArchivePlan::Kept(Some(msg!("clean-left-archive-changed")))
            }
            Ok((bytes, _)) => {
                let in_vault = |b: &[u8]| index.entry_with_bytes(b).map(str::to_string);
                match archive::members_in_vault(&bytes, &archive::Limits::default(), &in_vault) {
                    Ok(_) => ArchivePlan::Remove { bytes },
                    Err(why) if why.id == "clean-left-archive-mixed" && !apply => {
                        ArchivePlan::Kept(Some(msg!("clean-keep-archive-mixed")))
                    }
                    Err(why) if why.id == "clean-left-archive-mixed" => ArchivePlan::Kept(Some(why)),
                    Err(why) => ArchivePlan::Kept(Some(msg!("clean-left-archive-unchecked", reason = why))),
                }
            }
            Err(why) if why.id == "clean-left-archive-too-large" => ArchivePlan::Kept(Some(why)),
            Err(why) => ArchivePlan::Kept(Some(msg!("clean-left-archive-unchecked", reason = why))),
        };
        plans.insert(hit.path.clone(), plan);
    }
    plans
}

/// The archive's bytes (a regular file, not a link, of a sensible size) and its modification
/// time as the scan records it.
fn read_archive(path: &Path) -> std::result::Result<(Vec<u8>, Option<String>), Message> {
    let meta = std::fs::symlink_metadata(path).map_err(|e| crate::scan::walk::io_reason(&e))?;
    if !meta.file_type().is_file() {
        return Err(msg!("clean-changed-not-file"));
    }
    if meta.len() > MAX_ARCHIVE_TO_REMOVE {
        return Err(msg!("clean-left-archive-too-large"));
    }
    let bytes = std::fs::read(path).map_err(|e| crate::scan::walk::io_reason(&e))?;
    let modified = meta
        .modified()
        .ok()
        .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| crate::certificate::x509::rfc3339(d.as_secs() as i64));
    Ok((bytes, modified))
}

/// Removes the archive at `path` if it is still `bytes` (read through the handle that
/// overwrites it) and every file in it is still byte for byte an entry of the generation
/// `vault` opened, read again from the medium. Its trash index goes with it.
fn remove_archive(
    vault: &OpenVault,
    index: &VaultIndex,
    path: &Path,
    bytes: &[u8],
) -> std::result::Result<shred::Removed, shred::Refused> {
    let mut confirm = |current: &[u8]| {
        let in_vault = |b: &[u8]| index.entry_with_bytes(b).map(str::to_string);
        let members = archive::members_in_vault(current, &archive::Limits::default(), &in_vault)
            .map_err(shred::Refused::Changed)?;
        for m in members {
            let again = vault.entry_bytes(&m.entry).map_err(|e| shred::Refused::Vault(e.message))?;
            if again != m.bytes {
                return Err(shred::Refused::Vault(msg!("clean-vault-differs")));
            }
        }
        Ok(())
    };
    let trash = places::trash_info(path);
    let removed = shred::remove_archive(path, bytes, &mut confirm)?;
    if let Some(info) = trash.filter(places::index_still_valid) {
        let _ = std::fs::remove_file(&info.index);
    }
    Ok(removed)
}

/// Why a copy was left, from why its removal was refused.
fn refused_reason(refused: &shred::Refused) -> Message {
    match refused {
        shred::Refused::Vault(reason) => msg!("clean-left-vault", reason = reason.clone()),
        shred::Refused::Changed(reason) => msg!("clean-left-changed", reason = reason.clone()),
        shred::Refused::Failed(reason) => msg!("clean-left-failed", reason = reason.clone()),
        shred::Refused::OverwrittenNotDeleted(reason) => {
            msg!("clean-left-overwritten", reason = reason.clone())
        }
    }
}

/// The outcome of a copy inside an archive whose plan is settled.
fn archive_outcome(outcome: &mut Outcome, plan: &ArchivePlan) -> Option<Message> {
    match plan {
        ArchivePlan::Done(Ok(removed)) => {
            outcome.action = Action::Removed;
            outcome.overwritten = removed.overwritten;
            Some(msg!("clean-archive-removed"))
        }
        ArchivePlan::Done(Err(reason)) => Some(reason.clone()),
        ArchivePlan::Kept(Some(reason)) => Some(reason.clone()),
        ArchivePlan::Kept(None) | ArchivePlan::Remove { .. } => Some(msg!("clean-left-archive-in-vault")),
    }
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

/// Seals the unknown copies (not inside archives) into `vault` (open with the write lock), as
/// `add` seals: the PIN from `opts.pin_file` or asked through `talk` (and checked offline),
/// `opts.show_before_sealing`, then `add-confirm`. Sealed copies become "in vault"; the others
/// get the reason why not. Returns the paths sealed in this run.
pub fn seal_unknown_copies(
    vault: &mut OpenVault,
    hits: &mut [Hit],
    opts: &CleanOptions,
    talk: &dyn Conversation,
) -> Vec<PathBuf> {
    let mut sealed = Vec::new();
    for hit in hits.iter_mut().filter(|h| h.class == Class::Unknown && h.archive_entry.is_none()) {
        if talk.cancel_requested() {
            hit.reason = Some(msg!("clean-seal-cancelled"));
            continue;
        }
        let result =
            entries::verify_for_sealing(&hit.path, opts.pin_file.as_deref(), talk).and_then(|cert| {
                let seal = SealOptions::default();
                if let (Some(show), None) = (opts.show_before_sealing, entries::already_sealed(vault, &cert))
                {
                    show(&cert.summary(&seal, crate::dates::now_unix()));
                }
                entries::seal_verified(vault, &cert, &seal, talk)
            });
        match result {
            Ok(Sealed::Added { id, .. }) => {
                now_in_vault(hit, id);
                sealed.push(hit.path.clone());
            }
            // Changed since the scan into a copy of an entry: in the vault already.
            Ok(Sealed::Already { id }) => now_in_vault(hit, id),
            Ok(Sealed::Cancelled) => hit.reason = Some(msg!("clean-seal-cancelled")),
            Err(e) if e.is(ErrorKind::Cancelled) => hit.reason = Some(msg!("clean-seal-cancelled")),
            Err(e) => hit.reason = Some(msg!("clean-seal-failed", reason = e.message)),
        }
    }
    sealed
}

/// A copy that is now entry `id` of the vault.
fn now_in_vault(hit: &mut Hit, id: String) {
    hit.class = Class::InVault;
    hit.entry = Some(id);
    hit.reason = None;
}

/// Opens the vault in `dir` (with the write lock when copies are to be sealed, telling the
/// warnings of a fallback generation) and cleans: [`clean_vault`]. The vault is closed again
/// before the report is returned.
pub fn clean(
    dir: &Path,
    unlock: &UnlockSource,
    opts: &CleanOptions,
    talk: &dyn Conversation,
) -> Result<CleanReport> {
    let unlock = unlock.read(talk)?;
    let mut vault = OpenVault::open(dir, &unlock, opts.apply && opts.seal_unknown)?;
    for warning in vault.warnings() {
        talk.tell(Level::Warning, warning);
    }
    clean_vault(&mut vault, opts, talk)
}

/// Scans and (with `opts.apply`, after the user agreed when `opts.ask_first`) removes the copies
/// of `vault`'s entries; `vault` is open, with the write lock when unknown copies are to be
/// sealed (`apply` and `seal_unknown`). Records what is still on disk in this computer's scan
/// log (for `certvault status`). A "no" to the question is `Cancelled`, with nothing removed.
pub fn clean_vault(
    vault: &mut OpenVault,
    opts: &CleanOptions,
    talk: &dyn Conversation,
) -> Result<CleanReport> {
    let dir = vault.dir.clone();
    let roots = scan::resolve_roots(&opts.paths, Some(&dir))?;
    let settings = Settings { trust_names: opts.trust_names };
    let mut report = scan::scan(&roots, Some(&VaultIndex::new(vault)), settings, talk)?;
    let mut hits = std::mem::take(&mut report.hits);
    if opts.apply && opts.ask_first {
        let plan = carry_out(vault, &VaultIndex::new(vault), hits.clone(), false, opts.seal_unknown, talk);
        let count = plan.iter().filter(|o| o.action != Action::Left).count();
        if count > 0 {
            let question = msg!("wizard-clean-confirm", count = count);
            match talk.confirm(&question) {
                Ok(true) => {}
                Ok(false) => return Err(Error::new(ErrorKind::Cancelled, msg!("cancelled"))),
                // Nobody to ask: the command line's `--apply` is the way to say yes.
                Err(Unanswered::NoTerminal) => {
                    return Err(Error::new(ErrorKind::NoTerminal, msg!("clean-no-terminal-confirm")))
                }
                Err(e) => return Err(unanswered(e, question, "--apply")),
            }
        }
    }
    let sealed = if opts.apply && opts.seal_unknown {
        seal_unknown_copies(vault, &mut hits, opts, talk)
    } else {
        Vec::new()
    };
    // The index of the generation that is open now (after sealing: the one just written and
    // read back).
    let index = VaultIndex::new(vault);
    let mut outcomes = carry_out(vault, &index, hits, opts.apply, opts.seal_unknown, talk);
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
        vault: VaultSummary { dir, generation: vault.generation, entries: index.entries },
        outcomes,
        summary,
        scan: report,
        notice: msg!("clean-notice-limits"),
    };
    // For `certvault status`: what is still on disk after this run (wizard or command).
    let remaining: Vec<&Outcome> = clean.outcomes.iter().filter(|o| o.action != Action::Removed).collect();
    crate::records::record_scan(
        "clean",
        clean.scan.roots.iter().map(|r| r.path.display().to_string()).collect(),
        remaining.iter().map(|o| o.hit.display_path()).collect(),
        Some(remaining.iter().filter(|o| o.hit.class == Class::Unknown).count()),
        kept_archives(&clean.outcomes),
        talk,
    );
    Ok(clean)
}

#[cfg(test)]
mod tests;
