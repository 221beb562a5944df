//! Several copies of one vault on several sticks: `certvault clone`, `verify` and `sync`.
//!
//! The vault id ties copies together: only folders whose `vault.json` names the same id as the
//! first readable copy are compared or written; another vault is reported and never touched.
//! Copies hold byte-identical files (clone and sync copy them, they never re-encrypt), so two
//! copies of generation N that differ were written separately: they have *diverged*, and sync
//! refuses to choose between them.
//!
//! Every write goes through [`crate::durable`]: a clone writes `vault.json` last and keeps the
//! `.certvault-incomplete` marker until the new copy has been verified; a sync adds the newer
//! generations before it removes older ones, so each copy opens at every moment.

mod examine;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{CliError, EXIT_FOUND, EXIT_OK};
use crate::t;
use crate::vault::{self, UnlockSource, VaultLock};
pub use examine::{examine, CopyReport, CopyState, Examination, UnlockState};

/// `certvault verify [DIR…] [--json]`.
pub fn verify(dirs: &[PathBuf], unlock: &UnlockSource, json: bool) -> Result<u8, CliError> {
    let dirs = dirs_or_media(dirs)?;
    let unlock = unlock.read(&crate::terminal::Terminal)?;
    let exam = examine(&dirs, &unlock)?;
    record(&exam);
    if json {
        println!("{}", serde_json::to_string_pretty(&exam.report()).expect("serialises"));
    } else {
        print_report(&exam);
    }
    Ok(if exam.all_current() { EXIT_OK } else { EXIT_FOUND })
}

/// Without DIR: the vault folders on the mounted removable volumes (as `restore` finds them).
fn dirs_or_media(dirs: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    if !dirs.is_empty() {
        return Ok(dirs.to_vec());
    }
    let found = crate::restore::discover::vaults_in(&crate::restore::discover::media_roots());
    if found.is_empty() {
        return Err(CliError::new(t!("copies-none-found")).with_hint(t!("copies-none-found-hint")));
    }
    Ok(found)
}

/// Appends the result to the local verify log that `certvault status` reads; a failure only
/// warns (the copies themselves are fine or not whatever the log says).
fn record(exam: &Examination) {
    if let Err(e) = crate::state::append(crate::state::VERIFY_LOG, &exam.record()) {
        eprintln!("{}", t!("copies-log-failed", reason = e));
    }
}

fn print_report(exam: &Examination) {
    println!("{}", t!("copies-vault", id = exam.vault_id, generation = exam.newest_generation));
    for c in &exam.copies {
        let path = c.path.display().to_string();
        let line = match c.state {
            CopyState::Current => {
                t!("copies-state-current", dir = path, generation = c.generation.unwrap_or(0))
            }
            CopyState::Stale => t!(
                "copies-state-stale",
                dir = path,
                generation = c.generation.unwrap_or(0),
                newest = exam.newest_generation
            ),
            CopyState::Damaged => t!("copies-state-damaged", dir = path),
            CopyState::Missing => t!("copies-state-missing", dir = path),
            CopyState::OtherVault => {
                t!("copies-state-other-vault", dir = path, id = c.vault_id.clone().unwrap_or_default())
            }
            CopyState::Diverged => {
                t!("copies-state-diverged", dir = path, generation = c.generation.unwrap_or(0))
            }
        };
        println!("{line}");
        for p in &c.problems {
            println!("    {p}");
        }
    }
    if let Some(seen) = exam.seen_newer {
        println!("{}", t!("copies-older-than-seen", generation = exam.newest_generation, seen = seen));
    }
    if exam.copies.len() == 1 && exam.all_current() {
        println!("{}", t!("copies-single"));
    }
    if exam.copies.iter().any(|c| matches!(c.state, CopyState::Stale | CopyState::Damaged)) {
        println!("{}", t!("copies-suggest-sync"));
    }
}

// ---------------------------------------------------------------------------------------------
// clone

pub struct CloneOptions {
    pub source: PathBuf,
    pub unlock: UnlockSource,
    pub dest: PathBuf,
    pub allow_fixed_disk: bool,
    pub json: bool,
}

#[derive(Serialize)]
struct CloneReport<'a> {
    source: String,
    dest: String,
    generation: u64,
    copies: &'a examine::Report,
}

pub fn clone(opts: &CloneOptions) -> Result<u8, CliError> {
    let (src, dest) = (&opts.source, &opts.dest);
    if dest.join(vault_format::HEADER_FILE_NAME).exists() {
        let theirs = vault::read_header(dest)?;
        let ours = vault::read_header(src)?;
        return Err(if theirs.vault_id == ours.vault_id {
            CliError::new(t!("err-clone-already-copy", dir = dest.display())).with_hint(t!(
                "hint-clone-already-copy",
                src = src.display(),
                dir = dest.display()
            ))
        } else {
            CliError::new(t!("err-other-vault", dir = dest.display(), id = theirs.vault_id.to_string()))
        });
    }
    vault::check_creation_target(dest)?;
    if same_folder(src, dest) {
        return Err(CliError::new(t!("err-clone-same", dir = dest.display())));
    }
    // The same rule as init: a copy belongs on a stick unless the user says otherwise.
    let probe =
        if dest.exists() { dest.clone() } else { dest.parent().map(Path::to_path_buf).unwrap_or_default() };
    let probe = if probe.as_os_str().is_empty() { PathBuf::from(".") } else { probe };
    if vault::is_on_removable_media(&probe) != Some(true)
        && !opts.allow_fixed_disk
        && (!std::io::stdin().is_terminal()
            || !crate::vault_commands::confirm(&t!("init-fixed-disk-confirm", dir = dest.display())))
    {
        return Err(CliError::new(t!("err-fixed-disk", dir = dest.display())));
    }

    let unlock = opts.unlock.read(&crate::terminal::Terminal)?;
    let before = examine(std::slice::from_ref(src), &unlock)?;
    let source = &before.copies[0];
    let newest =
        source.generation.ok_or_else(|| CliError::new(t!("err-clone-source-bad", dir = src.display())))?;
    for p in &source.problems {
        eprintln!("{}", t!("copies-source-warning", dir = src.display(), problem = p));
    }
    let mut wanted = vec![newest];
    if newest > 1 && source.good(newest - 1) {
        wanted.insert(0, newest - 1);
    }

    let _src_lock = VaultLock::acquire(src, false)?;
    let dest_lock = vault::begin_creation(dest)?;
    let copy = |name: &str| -> Result<(), CliError> {
        let bytes = crate::durable::read_current(&crate::durable::Folder(src), name)
            .map_err(|e| vault::io_error(&src.join(name), &e))?;
        write_checked(dest, name, &bytes)
    };
    match crate::durable::read_current(&crate::durable::Folder(src), vault_format::README_FILE_NAME) {
        Ok(bytes) => write_checked(dest, vault_format::README_FILE_NAME, &bytes)?,
        Err(_) => write_checked(
            dest,
            vault_format::README_FILE_NAME,
            crate::vault_commands::readme_text().as_bytes(),
        )?,
    }
    copy(vault_format::UNLOCK_FILE_NAME)?;
    for n in &wanted {
        copy(&vault_format::generation_file_name(*n))?;
    }
    // Last: until vault.json is there, the folder is not a vault. A source whose vault.json
    // disagrees with its manifest passes on the manifest's header, never the changed one.
    match &source.header_repair {
        Some(repaired) => write_checked(dest, vault_format::HEADER_FILE_NAME, repaired)?,
        None => copy(vault_format::HEADER_FILE_NAME)?,
    }
    drop(dest_lock);

    let after = examine(&[src.clone(), dest.clone()], &unlock)?;
    let dest_report = &after.copies[1];
    if dest_report.state != CopyState::Current {
        // Never leave a folder that looks like a complete vault when it is not.
        let _ = std::fs::remove_file(dest.join(vault_format::HEADER_FILE_NAME));
        vault::sync_dir(dest);
        let problems = dest_report.problems.join("; ");
        return Err(CliError::new(t!("err-clone-verify", dir = dest.display(), problems = problems)));
    }
    crate::durable::fail_point("verify", "clone", || ()).map_err(|e| vault::io_error(dest, &e))?;
    vault::end_creation(dest)?;
    record(&after);
    if opts.json {
        let report = CloneReport {
            source: src.display().to_string(),
            dest: dest.display().to_string(),
            generation: newest,
            copies: &after.report(),
        };
        println!("{}", serde_json::to_string_pretty(&report).expect("serialises"));
    } else {
        println!("{}", t!("clone-done", src = src.display(), dir = dest.display(), generation = newest));
    }
    Ok(EXIT_OK)
}

fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Writes a new file through the crash-safe sequence and reads it back from the medium.
fn write_checked(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), CliError> {
    vault::write_new_file(dir, name, bytes)?;
    let path = dir.join(name);
    let back = std::fs::read(&path).map_err(|e| vault::io_error(&path, &e))?;
    if back != bytes {
        let _ = std::fs::remove_file(&path);
        return Err(CliError::new(t!("err-verify-write", file = path.display(), reason = "content differs")));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// sync

#[derive(Serialize)]
struct SyncReport<'a> {
    /// What was written, one line per file.
    actions: Vec<String>,
    copies: &'a examine::Report,
}

/// `certvault sync DIR…`: brings stale or damaged copies up to date from the newest good one.
pub fn sync(dirs: &[PathBuf], unlock: &UnlockSource, json: bool) -> Result<u8, CliError> {
    let dirs = dirs_or_media(dirs)?;
    let unlock = unlock.read(&crate::terminal::Terminal)?;
    let exam = examine(&dirs, &unlock)?;
    let diverged: Vec<String> = exam
        .copies
        .iter()
        .filter(|c| c.state == CopyState::Diverged)
        .map(|c| c.path.display().to_string())
        .collect();
    if !diverged.is_empty() {
        return Err(CliError::new(t!("err-sync-diverged", dirs = diverged.join(", ")))
            .with_hint(t!("hint-sync-diverged")));
    }
    let Some(source) = exam.source() else {
        return Err(CliError::new(t!("err-sync-no-source")));
    };
    let newest = exam.newest_generation;
    let mut wanted = vec![newest];
    if newest > 1 && source.good(newest - 1) {
        wanted.insert(0, newest - 1);
    }
    // unlock.age is copied only from a copy the typed passphrase opened: the passphrase
    // typed now becomes the passphrase of every copy.
    let unlock_source = exam.copies.iter().find(|c| c.unlock == UnlockState::Ok);
    let mut actions = Vec::new();
    let targets: Vec<&CopyReport> = exam
        .copies
        .iter()
        .filter(|c| matches!(c.state, CopyState::Stale | CopyState::Damaged) && c.vault_id.is_some())
        .collect();
    // The source is written too when it is itself damaged (say, a junk generation file next to
    // good ones): one exclusive lock then, not a shared and an exclusive one on the same folder,
    // which would block each other.
    let source_is_target = targets.iter().any(|t| std::ptr::eq(*t, source));
    let _src_lock = VaultLock::acquire(&source.path, source_is_target)?;
    for target in targets {
        let dir = &target.path;
        let _lock = if std::ptr::eq(target, source) { None } else { Some(VaultLock::acquire(dir, true)?) };
        crate::durable::recover(&crate::durable::Folder(dir));
        // Newest first: once it is in place the copy opens to the new state, never to a
        // generation in between.
        for n in wanted.iter().rev() {
            if target.good(*n) {
                continue;
            }
            let name = vault_format::generation_file_name(*n);
            if dir.join(&name).exists() {
                move_aside(dir, &name)?;
                actions.push(t!("sync-moved-aside", file = dir.join(&name).display()));
            }
            let bytes =
                std::fs::read(source.path.join(&name)).map_err(|e| vault::io_error(&source.path, &e))?;
            write_checked(dir, &name, &bytes)?;
            actions.push(t!("sync-wrote", file = dir.join(&name).display()));
        }
        if let (Some(from), UnlockState::OtherPassphrase | UnlockState::Damaged) =
            (unlock_source, target.unlock)
        {
            let bytes = crate::durable::read_current(
                &crate::durable::Folder(&from.path),
                vault_format::UNLOCK_FILE_NAME,
            )
            .map_err(|e| vault::io_error(&from.path, &e))?;
            vault::replace_file(dir, vault_format::UNLOCK_FILE_NAME, &bytes)?;
            actions.push(t!("sync-wrote", file = dir.join(vault_format::UNLOCK_FILE_NAME).display()));
        }
        if let Some(repaired) = &target.header_repair {
            vault::replace_file(dir, vault_format::HEADER_FILE_NAME, repaired)?;
            actions.push(t!("sync-wrote", file = dir.join(vault_format::HEADER_FILE_NAME).display()));
        }
        if !dir.join(vault_format::README_FILE_NAME).exists() {
            write_checked(
                dir,
                vault_format::README_FILE_NAME,
                crate::vault_commands::readme_text().as_bytes(),
            )?;
        }
        // Only now that the newest generation is in place: damaged files aside, older ones away.
        for g in &target.generations {
            if wanted.contains(&g.generation) {
                continue;
            }
            let name = vault_format::generation_file_name(g.generation);
            if !g.ok {
                move_aside(dir, &name)?;
                actions.push(t!("sync-moved-aside", file = dir.join(&name).display()));
            } else if g.generation < wanted[0] {
                std::fs::remove_file(dir.join(&name)).map_err(|e| vault::io_error(&dir.join(&name), &e))?;
                actions.push(t!("sync-removed", file = dir.join(&name).display()));
            }
        }
        vault::sync_dir(dir);
    }
    drop(_src_lock);
    let after = examine(&dirs, &unlock)?;
    record(&after);
    if json {
        let report = SyncReport { actions, copies: &after.report() };
        println!("{}", serde_json::to_string_pretty(&report).expect("serialises"));
    } else {
        for a in &actions {
            println!("{a}");
        }
        if actions.is_empty() {
            println!("{}", t!("sync-nothing"));
        }
        print_report(&after);
    }
    Ok(if after.all_current() { EXIT_OK } else { EXIT_FOUND })
}

/// Renames a damaged generation file to `NAME.damaged` (or `NAME.damaged-2`…), a name readers
/// ignore: its bytes stay for whoever wants to look, and the good copy takes its place.
fn move_aside(dir: &Path, name: &str) -> Result<(), CliError> {
    let m = crate::durable::Folder(dir);
    let mut aside = format!("{name}.damaged");
    let mut k = 2;
    while crate::durable::Medium::exists(&m, &aside) {
        aside = format!("{name}.damaged-{k}");
        k += 1;
    }
    crate::durable::Medium::rename(&m, name, &aside).map_err(|e| vault::io_error(&dir.join(name), &e))?;
    vault::sync_dir(dir);
    Ok(())
}
