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
//!
//! Each operation returns what it found and did; the front-end prints it. Each records the
//! examination in this computer's verify log, which `status` reads.

mod examine;

use std::path::{Path, PathBuf};

use crate::conversation::{Conversation, Level};
use crate::durable::{self, Folder, Medium};
use crate::error::{io_error, Error, ErrorKind};
use crate::message::{Arg, Message};
use crate::msg;
use crate::vault::program::{self, ProgramSource};
use crate::vault::{self, OpenVault, UnlockSource, VaultLock};
pub use examine::{examine, CopyReport, CopyState, Examination, GenerationCheck, Report, UnlockState};

/// `certvault verify [DIR…]`: opens every copy (`dirs`, or the vaults on the removable
/// volumes) with the secret from `unlock` or asked through `talk`, and compares them.
pub fn verify(
    dirs: &[PathBuf],
    unlock: &UnlockSource,
    talk: &dyn Conversation,
) -> Result<Examination, Error> {
    let dirs = dirs_or_media(dirs)?;
    let unlock = unlock.read(talk)?;
    let exam = examine(&dirs, &unlock, talk)?;
    record(&exam, talk);
    Ok(exam)
}

/// Without DIR: the vault folders on the mounted removable volumes (as `restore` finds them).
fn dirs_or_media(dirs: &[PathBuf]) -> Result<Vec<PathBuf>, Error> {
    if !dirs.is_empty() {
        return Ok(dirs.to_vec());
    }
    let found = crate::media::vaults_on_media();
    if found.is_empty() {
        return Err(Error::new(ErrorKind::NotFound, msg!("copies-none-found"))
            .with_hint(msg!("copies-none-found-hint")));
    }
    Ok(found)
}

/// Appends the result to the local verify log that `status` reads; a failure is only told
/// (the copies themselves are fine or not whatever the log says).
fn record(exam: &Examination, talk: &dyn Conversation) {
    if let Err(e) = crate::records::append(crate::records::VERIFY_LOG, &exam.record()) {
        talk.tell(Level::Warning, msg!("copies-log-failed", reason = e));
    }
}

// ---------------------------------------------------------------------------------------------
// clone

/// What `certvault clone` copies where.
#[derive(Debug, Clone)]
pub struct CloneOptions {
    pub source: PathBuf,
    pub unlock: UnlockSource,
    pub dest: PathBuf,
    /// Write the copy even though `dest` is not on removable media (otherwise `talk` is asked).
    pub allow_fixed_disk: bool,
    /// Copy the program files the vault lists into `dest`'s `program/` (SPEC.md §2.6).
    pub programs: bool,
}

/// A clone that was written and verified.
#[derive(Debug)]
pub struct Cloned {
    /// The generation copied (the source's newest that opens).
    pub generation: u64,
    /// Both copies, examined after the write.
    pub copies: Examination,
}

/// `certvault clone --vault SRC DEST`: writes another copy of the vault into the new or empty
/// folder `dest` (the newest generation, and the one before when it opens), then opens both.
pub fn clone(opts: &CloneOptions, talk: &dyn Conversation) -> Result<Cloned, Error> {
    let (src, dest) = (&opts.source, &opts.dest);
    if dest.join(vault_format::HEADER_FILE_NAME).exists() {
        let theirs = vault::read_header(dest)?;
        let ours = vault::read_header(src)?;
        return Err(if theirs.vault_id == ours.vault_id {
            Error::new(ErrorKind::Refused, msg!("err-clone-already-copy", dir = dest.display()))
                .with_hint(msg!("hint-clone-already-copy", src = src.display(), dir = dest.display()))
        } else {
            Error::new(
                ErrorKind::Refused,
                msg!("err-other-vault", dir = dest.display(), id = theirs.vault_id.to_string()),
            )
        });
    }
    vault::check_creation_target(dest)?;
    if same_folder(src, dest) {
        return Err(Error::new(ErrorKind::Refused, msg!("err-clone-same", dir = dest.display())));
    }
    // The same rule as init: a copy belongs on a stick unless the user says otherwise.
    let probe =
        if dest.exists() { dest.clone() } else { dest.parent().map(Path::to_path_buf).unwrap_or_default() };
    let probe = if probe.as_os_str().is_empty() { PathBuf::from(".") } else { probe };
    if vault::is_on_removable_media(&probe) != Some(true)
        && !opts.allow_fixed_disk
        && talk.confirm(&msg!("init-fixed-disk-confirm", dir = dest.display())) != Ok(true)
    {
        return Err(Error::new(ErrorKind::Refused, msg!("err-fixed-disk", dir = dest.display())));
    }

    let unlock = opts.unlock.read(talk)?;
    let before = examine(std::slice::from_ref(src), &unlock, talk)?;
    let source = &before.copies[0];
    let newest = source.generation.ok_or_else(|| {
        Error::new(ErrorKind::VaultDamaged, msg!("err-clone-source-bad", dir = src.display()))
    })?;
    for p in &source.problems {
        talk.tell(Level::Warning, msg!("copies-source-warning", dir = src.display(), problem = p));
    }
    let mut wanted = vec![newest];
    if newest > 1 && source.good(newest - 1) {
        wanted.insert(0, newest - 1);
    }

    let _src_lock = VaultLock::acquire(src, false)?;
    let dest_lock = vault::begin_creation(dest)?;
    let copy = |name: &str| -> Result<(), Error> {
        let bytes = durable::read_current(&Folder(src), name).map_err(|e| io_error(&src.join(name), &e))?;
        write_checked(dest, name, &bytes)
    };
    match durable::read_current(&Folder(src), vault_format::README_FILE_NAME) {
        Ok(bytes) => write_checked(dest, vault_format::README_FILE_NAME, &bytes)?,
        Err(_) => {
            write_checked(dest, vault_format::README_FILE_NAME, vault::create::readme_text().as_bytes())?
        }
    }
    copy(vault_format::UNLOCK_FILE_NAME)?;
    for n in &wanted {
        copy(&vault_format::generation_file_name(*n))?;
    }
    if opts.programs {
        let listed = source.listed_programs.clone().unwrap_or_default();
        let candidates = candidates(std::slice::from_ref(&source.path));
        for record in &listed {
            match candidates.iter().find(|c| c.record == *record) {
                Some(good) => {
                    if let Err(why) = program::install(dest, good) {
                        talk.tell(Level::Warning, why);
                    }
                }
                None => talk.tell(
                    Level::Warning,
                    msg!("program-no-good-copy", file = program::program_path(src, record).display()),
                ),
            }
        }
    }
    // Last: until vault.json is there, the folder is not a vault. A source whose vault.json
    // disagrees with its manifest passes on the manifest's header, never the changed one.
    match &source.header_repair {
        Some(repaired) => write_checked(dest, vault_format::HEADER_FILE_NAME, repaired)?,
        None => copy(vault_format::HEADER_FILE_NAME)?,
    }
    drop(dest_lock);

    let after = examine(&[src.clone(), dest.clone()], &unlock, talk)?;
    let dest_report = &after.copies[1];
    if dest_report.state != CopyState::Current {
        // Never leave a folder that looks like a complete vault when it is not.
        let _ = std::fs::remove_file(dest.join(vault_format::HEADER_FILE_NAME));
        vault::sync_dir(dest);
        let problems = Arg::List(dest_report.problems.clone());
        return Err(Error::new(
            ErrorKind::VaultDamaged,
            msg!("err-clone-verify", dir = dest.display(), problems = problems),
        ));
    }
    durable::fail_point("verify", "clone", || ()).map_err(|e| io_error(dest, &e))?;
    vault::end_creation(dest)?;
    record(&after, talk);
    Ok(Cloned { generation: newest, copies: after })
}

fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Writes a new file through the crash-safe sequence and reads it back from the medium.
fn write_checked(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), Error> {
    vault::write_new_file(dir, name, bytes)?;
    let path = dir.join(name);
    let back = std::fs::read(&path).map_err(|e| io_error(&path, &e))?;
    if back != bytes {
        let _ = std::fs::remove_file(&path);
        return Err(Error::new(
            ErrorKind::Io,
            msg!("err-verify-write", file = path.display(), reason = "content differs"),
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// sync

/// What `certvault sync` did.
#[derive(Debug)]
pub struct Synced {
    /// What was written, one message per file (`sync-wrote`, `sync-removed`, `sync-moved-aside`).
    pub actions: Vec<Message>,
    /// Every copy, examined afterwards.
    pub copies: Examination,
}

/// `certvault sync [DIR…]`: brings stale or damaged copies up to date from the newest good one.
/// With `programs`, the program files too: a newer program than the vault lists (the one
/// running, or beside it in its bundle) is put in and listed in a new generation, and a
/// missing or altered program file is written again from a copy that matches the list.
pub fn sync(
    dirs: &[PathBuf],
    unlock: &UnlockSource,
    programs: bool,
    talk: &dyn Conversation,
) -> Result<Synced, Error> {
    let dirs = dirs_or_media(dirs)?;
    let unlock = unlock.read(talk)?;
    let mut exam = examine(&dirs, &unlock, talk)?;
    let mut actions = Vec::new();
    if programs {
        if let Some(newer) = newer_programs(&exam) {
            actions.extend(list_newer_programs(&exam, &newer, &unlock, talk)?);
            exam = examine(&dirs, &unlock, talk)?;
        }
    }
    let diverged: Vec<String> = exam
        .copies
        .iter()
        .filter(|c| c.state == CopyState::Diverged)
        .map(|c| c.path.display().to_string())
        .collect();
    if !diverged.is_empty() {
        return Err(Error::new(ErrorKind::Refused, msg!("err-sync-diverged", dirs = diverged.join(", ")))
            .with_hint(msg!("hint-sync-diverged")));
    }
    let Some(source) = exam.source() else {
        return Err(Error::new(ErrorKind::VaultDamaged, msg!("err-sync-no-source")));
    };
    let newest = exam.newest_generation;
    let mut wanted = vec![newest];
    if newest > 1 && source.good(newest - 1) {
        wanted.insert(0, newest - 1);
    }
    // unlock.age is copied only from a copy the typed passphrase opened: the passphrase
    // typed now becomes the passphrase of every copy.
    let unlock_source = exam.copies.iter().find(|c| c.unlock == UnlockState::Ok);
    let targets: Vec<&CopyReport> = exam
        .copies
        .iter()
        .filter(|c| matches!(c.state, CopyState::Stale | CopyState::Damaged) && c.vault_id.is_some())
        .collect();
    // The source is written too when it is itself damaged (say, a junk generation file next to
    // good ones): one exclusive lock then, not a shared and an exclusive one on the same folder,
    // which would block each other.
    let source_is_target = targets.iter().any(|t| std::ptr::eq(*t, source));
    let src_lock = VaultLock::acquire(&source.path, source_is_target)?;
    for target in targets {
        let dir = &target.path;
        let _lock = if std::ptr::eq(target, source) { None } else { Some(VaultLock::acquire(dir, true)?) };
        durable::recover(&Folder(dir));
        // Newest first: once it is in place the copy opens to the new state, never to a
        // generation in between.
        for n in wanted.iter().rev() {
            if target.good(*n) {
                continue;
            }
            let name = vault_format::generation_file_name(*n);
            if dir.join(&name).exists() {
                move_aside(dir, &name)?;
                actions.push(msg!("sync-moved-aside", file = dir.join(&name).display()));
            }
            let bytes = std::fs::read(source.path.join(&name)).map_err(|e| io_error(&source.path, &e))?;
            write_checked(dir, &name, &bytes)?;
            actions.push(msg!("sync-wrote", file = dir.join(&name).display()));
        }
        if let (Some(from), UnlockState::OtherPassphrase | UnlockState::Damaged) =
            (unlock_source, target.unlock)
        {
            let bytes = durable::read_current(&Folder(&from.path), vault_format::UNLOCK_FILE_NAME)
                .map_err(|e| io_error(&from.path, &e))?;
            vault::replace_file(dir, vault_format::UNLOCK_FILE_NAME, &bytes)?;
            actions.push(msg!("sync-wrote", file = dir.join(vault_format::UNLOCK_FILE_NAME).display()));
        }
        if let Some(repaired) = &target.header_repair {
            vault::replace_file(dir, vault_format::HEADER_FILE_NAME, repaired)?;
            actions.push(msg!("sync-wrote", file = dir.join(vault_format::HEADER_FILE_NAME).display()));
        }
        if !dir.join(vault_format::README_FILE_NAME).exists() {
            write_checked(dir, vault_format::README_FILE_NAME, vault::create::readme_text().as_bytes())?;
        }
        // Only now that the newest generation is in place: damaged files aside, older ones away.
        for g in &target.generations {
            if wanted.contains(&g.generation) {
                continue;
            }
            let name = vault_format::generation_file_name(g.generation);
            if !g.ok {
                move_aside(dir, &name)?;
                actions.push(msg!("sync-moved-aside", file = dir.join(&name).display()));
            } else if g.generation < wanted[0] {
                std::fs::remove_file(dir.join(&name)).map_err(|e| io_error(&dir.join(&name), &e))?;
                actions.push(msg!("sync-removed", file = dir.join(&name).display()));
            }
        }
        vault::sync_dir(dir);
    }
    drop(src_lock);
    if programs {
        // The generations are in place: every copy now lists the same program files.
        let after = examine(&dirs, &unlock, talk)?;
        actions.extend(repair_programs(&after, talk));
    }
    let after = examine(&dirs, &unlock, talk)?;
    record(&after, talk);
    Ok(Synced { actions, copies: after })
}

/// Program files on these copies and beside the running program, read and hashed: the
/// candidates a listed file may be written from.
fn candidates(dirs: &[PathBuf]) -> Vec<ProgramSource> {
    let mut all = program::available_programs();
    for dir in dirs {
        let root = dir.join(vault_format::PROGRAM_DIR_NAME);
        let Ok(platforms) = std::fs::read_dir(&root) else { continue };
        for platform in platforms.flatten() {
            let Ok(files) = std::fs::read_dir(platform.path()) else { continue };
            for file in files.flatten() {
                if let Some((source, _)) = program::read_program(&file.path()) {
                    all.push(source);
                }
            }
        }
    }
    all
}

/// The programs beside the running one that the newest generation does not list yet, or lists
/// in an older version; `None` when there are none.
fn newer_programs(exam: &Examination) -> Option<Vec<ProgramSource>> {
    let listed = exam.listed_programs();
    let newer: Vec<ProgramSource> = program::available_programs()
        .into_iter()
        .filter(|s| {
            listed
                .iter()
                .find(|r| r.path.eq_ignore_ascii_case(&s.record.path))
                .is_none_or(|r| program::compare_versions(&s.record.version, &r.version).is_gt())
        })
        .collect();
    (!newer.is_empty()).then_some(newer)
}

/// Puts the newer programs into the newest copy and lists them in a new generation there; the
/// rest of sync then brings every other copy up to it.
fn list_newer_programs(
    exam: &Examination,
    newer: &[ProgramSource],
    unlock: &vault::Unlock,
    talk: &dyn Conversation,
) -> Result<Vec<Message>, Error> {
    let Some(source) = exam.source().filter(|s| s.state == CopyState::Current) else {
        // Damaged or diverged copies first; the program can wait for the next sync.
        return Ok(Vec::new());
    };
    let mut vault = OpenVault::open(&source.path, unlock, true)?;
    let placed: Vec<ProgramSource> = newer
        .iter()
        .filter(|s| match program::install(&source.path, s) {
            Ok(_) => true,
            Err(why) => {
                talk.tell(Level::Warning, why);
                false
            }
        })
        .cloned()
        .collect();
    if placed.is_empty() {
        return Ok(Vec::new());
    }
    let mut payload = vault.payload.clone();
    payload.manifest.programs = program::merged(&payload.manifest.programs, &placed);
    vault.write_generation(payload, talk)?;
    Ok(placed
        .iter()
        .map(|s| msg!("sync-wrote", file = program::program_path(&source.path, &s.record).display()))
        .collect())
}

/// Writes every listed program file that a copy lacks, or holds altered, from a candidate with
/// the listed bytes.
fn repair_programs(exam: &Examination, talk: &dyn Conversation) -> Vec<Message> {
    let dirs: Vec<PathBuf> = exam.copies.iter().map(|c| c.path.clone()).collect();
    let mut pool: Option<Vec<ProgramSource>> = None;
    let mut actions = Vec::new();
    let listed = exam.listed_programs();
    for copy in exam.copies.iter().filter(|c| c.state == CopyState::Current) {
        for check in copy
            .programs
            .iter()
            .filter(|p| matches!(p.state, program::ProgramState::Missing | program::ProgramState::Altered))
        {
            let Some(record) = listed.iter().find(|r| r.path == check.path) else { continue };
            let pool = pool.get_or_insert_with(|| candidates(&dirs));
            let target = program::program_path(&copy.path, record);
            match pool.iter().find(|c| c.record == *record && c.file != target) {
                Some(good) => match program::install(&copy.path, good) {
                    Ok(_) => actions.push(msg!("sync-wrote", file = target.display())),
                    Err(why) => talk.tell(Level::Warning, why),
                },
                None => talk.tell(Level::Warning, msg!("program-no-good-copy", file = target.display())),
            }
        }
    }
    actions
}

/// Renames a damaged generation file to `NAME.damaged` (or `NAME.damaged-2`…), a name readers
/// ignore: its bytes stay for whoever wants to look, and the good copy takes its place.
fn move_aside(dir: &Path, name: &str) -> Result<(), Error> {
    let m = Folder(dir);
    let mut aside = format!("{name}.damaged");
    let mut k = 2;
    while m.exists(&aside) {
        aside = format!("{name}.damaged-{k}");
        k += 1;
    }
    m.rename(name, &aside).map_err(|e| io_error(&dir.join(name), &e))?;
    vault::sync_dir(dir);
    Ok(())
}

#[cfg(test)]
mod tests;
