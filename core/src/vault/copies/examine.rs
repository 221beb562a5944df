//! Opening every copy of a vault and comparing them (the work behind `verify`, and the check
//! that `clone` and `sync` run before and after they write).

use std::path::{Path, PathBuf};

use serde::Serialize;
use vault_format::{generation_file_name, open_generation, Identity, ProgramFile, UnlockError, VaultHeader};

use crate::conversation::{Conversation, Progress};
use crate::error::{Error, ErrorKind};
use crate::message::Message;
use crate::msg;
use crate::vault::program::{self, ProgramCheck, ProgramState};
use crate::vault::{self, Unlock, VaultLock};

/// What a copy is, compared with the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CopyState {
    /// Complete, every generation opens, holds the newest generation and the passphrase opens it.
    Current,
    /// Complete but behind: an older newest generation, or an `unlock.age` for another passphrase.
    Stale,
    /// A generation or `unlock.age` does not open, or no generation does.
    Damaged,
    /// The folder is not there, or holds no vault.
    Missing,
    /// Another vault (another vault id): never compared, never written.
    OtherVault,
    /// Holds the newest generation number, but with content that differs from another copy's.
    Diverged,
}

impl CopyState {
    pub fn as_str(self) -> &'static str {
        match self {
            CopyState::Current => "current",
            CopyState::Stale => "stale",
            CopyState::Damaged => "damaged",
            CopyState::Missing => "missing",
            CopyState::OtherVault => "other-vault",
            CopyState::Diverged => "diverged",
        }
    }
}

/// What became of a copy's `unlock.age`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnlockState {
    /// The passphrase opened it and it holds this vault's identity.
    Ok,
    /// It is intact but for another passphrase (changed on another copy).
    OtherPassphrase,
    /// Missing, unreadable, or holding another identity.
    Damaged,
    /// Opened with the recovery code: present, but not opened.
    NotChecked,
}

/// One generation file of a copy; `M` is the text of its problem (a [`Message`], or the
/// phrased `String` of `--json`).
#[derive(Debug, Clone, Serialize)]
pub struct GenerationCheck<M = Message> {
    pub generation: u64,
    pub ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<M>,
    /// SHA-256 of the file: copies hold byte-identical generation files.
    #[serde(skip)]
    pub digest: Option<String>,
}

impl GenerationCheck {
    pub fn phrased<R>(&self, phrase: &impl Fn(&Message) -> R) -> GenerationCheck<R> {
        GenerationCheck {
            generation: self.generation,
            ok: self.ok,
            problem: self.problem.as_ref().map(phrase),
            digest: self.digest.clone(),
        }
    }
}

/// One copy, examined and compared with the others.
#[derive(Debug, Clone, Serialize)]
pub struct CopyReport<M = Message> {
    #[serde(skip)]
    pub path: PathBuf,
    #[serde(rename = "path")]
    pub shown_path: String,
    pub state: CopyState,
    pub vault_id: Option<String>,
    /// The newest generation of this copy that opens.
    pub generation: Option<u64>,
    pub generations: Vec<GenerationCheck<M>>,
    pub unlock: UnlockState,
    pub problems: Vec<M>,
    /// When `vault.json` disagrees with the newest manifest (SPEC.md §5.4): the header that
    /// manifest gives, which `sync` writes in its place and `clone` copies instead.
    #[serde(skip)]
    pub header_repair: Option<Vec<u8>>,
    /// The program files of `program/` checked against the newest manifest (SPEC.md §2.6).
    pub programs: Vec<ProgramCheck>,
    /// The program files the newest manifest of this copy lists.
    #[serde(skip)]
    pub listed_programs: Option<Vec<ProgramFile>>,
}

impl<M> CopyReport<M> {
    /// Whether generation `n` is on this copy and opens.
    pub fn good(&self, n: u64) -> bool {
        self.generations.iter().any(|g| g.generation == n && g.ok)
    }
}

impl CopyReport {
    pub fn phrased<R>(&self, phrase: &impl Fn(&Message) -> R) -> CopyReport<R> {
        CopyReport {
            path: self.path.clone(),
            shown_path: self.shown_path.clone(),
            state: self.state,
            vault_id: self.vault_id.clone(),
            generation: self.generation,
            generations: self.generations.iter().map(|g| g.phrased(phrase)).collect(),
            unlock: self.unlock,
            problems: self.problems.iter().map(phrase).collect(),
            header_repair: self.header_repair.clone(),
            programs: self.programs.clone(),
            listed_programs: self.listed_programs.clone(),
        }
    }

    fn new(path: &Path) -> CopyReport {
        CopyReport {
            path: path.to_path_buf(),
            shown_path: path.display().to_string(),
            state: CopyState::Current,
            vault_id: None,
            generation: None,
            generations: Vec::new(),
            unlock: UnlockState::NotChecked,
            problems: Vec::new(),
            header_repair: None,
            programs: Vec::new(),
            listed_programs: None,
        }
    }

    fn digest(&self, n: u64) -> Option<&str> {
        self.generations.iter().find(|g| g.generation == n && g.ok).and_then(|g| g.digest.as_deref())
    }

    fn compared(&self) -> bool {
        !matches!(self.state, CopyState::Missing | CopyState::OtherVault)
    }
}

/// Every copy of one vault, opened and compared.
#[derive(Debug)]
pub struct Examination {
    pub vault_id: String,
    pub newest_generation: u64,
    /// The newest generation this computer has seen of this vault, when newer than every copy
    /// (generations replaced by older files, or only old copies at hand).
    pub seen_newer: Option<u64>,
    pub copies: Vec<CopyReport>,
}

/// The `--json` report of verify (and part of clone's and sync's).
#[derive(Debug, Serialize)]
pub struct Report<M = Message> {
    pub vault_id: String,
    pub newest_generation: u64,
    /// A copy that holds the newest generation (the one sync copies from).
    pub newest_copy: Option<String>,
    /// Exit code 0 exactly when true (and `programs_ok`).
    pub all_current: bool,
    /// Every program file the newest manifest lists is on every copy, unaltered and not older
    /// than the program that checked them.
    pub programs_ok: bool,
    /// Set when this computer has seen a newer generation than any copy holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub newer_generation_seen: Option<u64>,
    pub copies: Vec<CopyReport<M>>,
}

impl Report {
    pub fn phrased<R>(&self, phrase: &impl Fn(&Message) -> R) -> Report<R> {
        Report {
            vault_id: self.vault_id.clone(),
            newest_generation: self.newest_generation,
            newest_copy: self.newest_copy.clone(),
            all_current: self.all_current,
            programs_ok: self.programs_ok,
            newer_generation_seen: self.newer_generation_seen,
            copies: self.copies.iter().map(|c| c.phrased(phrase)).collect(),
        }
    }
}

impl Examination {
    /// One copy's state in words (`copies-state-…`), for any front-end.
    pub fn copy_line(&self, c: &CopyReport) -> Message {
        let dir = c.path.display().to_string();
        let generation = c.generation.unwrap_or(0);
        match c.state {
            CopyState::Current => msg!("copies-state-current", dir = dir, generation = generation),
            CopyState::Stale => msg!(
                "copies-state-stale",
                dir = dir,
                generation = generation,
                newest = self.newest_generation
            ),
            CopyState::Damaged => msg!("copies-state-damaged", dir = dir),
            CopyState::Missing => msg!("copies-state-missing", dir = dir),
            CopyState::OtherVault => {
                msg!("copies-state-other-vault", dir = dir, id = c.vault_id.clone().unwrap_or_default())
            }
            CopyState::Diverged => msg!("copies-state-diverged", dir = dir, generation = generation),
        }
    }

    /// What the user should know after the copies' lines: older than seen here, a single
    /// copy, a copy that `sync` would repair.
    pub fn advice(&self) -> Vec<Message> {
        let mut advice = Vec::new();
        if let Some(seen) = self.seen_newer {
            advice.push(msg!("copies-older-than-seen", generation = self.newest_generation, seen = seen));
        }
        if self.copies.len() == 1 && self.all_current() {
            advice.push(msg!("copies-single"));
        }
        if self.copies.iter().any(|c| matches!(c.state, CopyState::Stale | CopyState::Damaged)) {
            advice.push(msg!("copies-suggest-sync"));
        } else if !self.programs_ok() {
            advice.push(msg!("copies-suggest-sync-program"));
        }
        advice
    }

    pub fn all_current(&self) -> bool {
        self.seen_newer.is_none() && self.copies.iter().all(|c| c.state == CopyState::Current)
    }

    /// Whether every copy holds the program files its newest manifest lists, as listed.
    pub fn programs_ok(&self) -> bool {
        self.copies.iter().all(|c| c.programs.iter().all(|p| p.state == ProgramState::Ok))
    }

    /// The program files the newest generation lists (empty when none, or no copy opens).
    pub fn listed_programs(&self) -> Vec<ProgramFile> {
        self.source().and_then(|c| c.listed_programs.clone()).unwrap_or_default()
    }

    /// The newest good copy: holds the newest generation, preferably with nothing damaged.
    pub fn source(&self) -> Option<&CopyReport> {
        let candidates = || {
            self.copies.iter().filter(|c| {
                c.generation == Some(self.newest_generation)
                    && matches!(c.state, CopyState::Current | CopyState::Damaged | CopyState::Stale)
            })
        };
        candidates().find(|c| c.state == CopyState::Current).or_else(|| candidates().next())
    }

    pub fn report(&self) -> Report {
        Report {
            vault_id: self.vault_id.clone(),
            newest_generation: self.newest_generation,
            newest_copy: self.source().map(|c| c.shown_path.clone()),
            all_current: self.all_current(),
            programs_ok: self.programs_ok(),
            newer_generation_seen: self.seen_newer,
            copies: self.copies.clone(),
        }
    }

    /// The line of this computer's verify log that `status` reads.
    pub fn record(&self) -> crate::records::VerifyRecord {
        crate::records::VerifyRecord {
            time: vault_format::time::now(),
            vault_id: self.vault_id.clone(),
            newest_generation: self.newest_generation,
            copies: self
                .copies
                .iter()
                .map(|c| crate::records::VerifiedCopy {
                    path: c.path.canonicalize().unwrap_or_else(|_| c.path.clone()).display().to_string(),
                    state: c.state.as_str().to_string(),
                    generation: c.generation,
                })
                .collect(),
        }
    }
}

/// Opens every copy in `dirs` with `unlock` (one key derivation for all of them), checks every
/// generation of each, and compares them by vault id and generation. Tells `talk` which copy
/// it is reading, and stops between copies when asked to.
pub fn examine(dirs: &[PathBuf], unlock: &Unlock, talk: &dyn Conversation) -> Result<Examination, Error> {
    let mut copies: Vec<CopyReport> = dirs.iter().map(|d| CopyReport::new(d)).collect();
    let mut headers: Vec<Option<VaultHeader>> = Vec::with_capacity(dirs.len());
    for c in copies.iter_mut() {
        if !c.path.is_dir() || !c.path.join(vault_format::HEADER_FILE_NAME).exists() {
            c.state = CopyState::Missing;
            c.problems.push(msg!("copies-problem-missing"));
            headers.push(None);
            continue;
        }
        match vault::read_header(&c.path) {
            Ok(h) => {
                c.vault_id = Some(h.vault_id.to_string());
                headers.push(Some(h));
            }
            Err(e) => {
                c.state = CopyState::Damaged;
                c.problems.push(e.message);
                headers.push(None);
            }
        }
    }
    let Some(reference) = headers.iter().flatten().next().cloned() else {
        let names: Vec<String> = copies.iter().map(|c| c.shown_path.clone()).collect();
        return Err(Error::new(ErrorKind::NotFound, msg!("copies-no-vault", dirs = names.join(", "))));
    };
    let ours = |h: &Option<VaultHeader>| h.as_ref().is_some_and(|h| h.vault_id == reference.vault_id);
    for (c, h) in copies.iter_mut().zip(&headers) {
        if h.is_some() && !ours(h) {
            c.state = CopyState::OtherVault;
        }
    }

    let identity = unlock_all(&mut copies, &headers, &reference, unlock)?;

    let count = copies.len();
    for (i, (c, h)) in copies.iter_mut().zip(&headers).enumerate() {
        if !ours(h) {
            continue;
        }
        if talk.cancel_requested() {
            examining(talk, i, count, &c.path, true);
            return Err(Error::new(ErrorKind::Cancelled, msg!("cancelled")));
        }
        examining(talk, i, count, &c.path, false);
        let _lock = VaultLock::acquire(&c.path, false)?;
        let mut newest_header: Option<VaultHeader> = None;
        for n in vault::generations(&c.path)? {
            let path = c.path.join(generation_file_name(n));
            let opened = vault::read_generation_file(&path).and_then(|bytes| {
                open_generation(&bytes, &identity, &reference.vault_id, n)
                    .map(|payload| (vault_format::sha256_hex(&bytes), payload.manifest))
                    .map_err(|e| vault::open_error_message(&e))
            });
            c.generations.push(match opened {
                Ok((digest, manifest)) => {
                    // Newest first: the first that opens holds the authoritative header.
                    if newest_header.is_none() {
                        newest_header = Some(manifest.header());
                        c.listed_programs = Some(manifest.programs);
                    }
                    GenerationCheck { generation: n, ok: true, problem: None, digest: Some(digest) }
                }
                Err(reason) => {
                    c.problems.push(msg!(
                        "copies-problem-file",
                        file = generation_file_name(n),
                        reason = reason
                    ));
                    GenerationCheck { generation: n, ok: false, problem: Some(reason), digest: None }
                }
            });
        }
        c.generation = c.generations.iter().filter(|g| g.ok).map(|g| g.generation).max();
        if c.generation.is_none() {
            c.problems.push(msg!("copies-problem-no-generation"));
        }
        if let (Some(on_disk), Some(authoritative)) = (h, newest_header) {
            let differs = vault::header_differences(on_disk, &authoritative);
            if !differs.is_empty() {
                c.problems.push(msg!("copies-problem-header-differs", fields = differs.join(", ")));
                c.header_repair = Some(authoritative.to_json());
            }
        }
    }

    if let Some(last) = dirs.last() {
        examining(talk, count, count, last, true);
    }
    let newest = copies.iter().filter(|c| c.compared()).filter_map(|c| c.generation).max().unwrap_or(0);
    let mut digests: Vec<&str> =
        copies.iter().filter(|c| c.compared()).filter_map(|c| c.digest(newest)).collect();
    digests.sort_unstable();
    digests.dedup();
    let diverged = digests.len() > 1;
    for c in copies.iter_mut().filter(|c| c.compared()) {
        c.state = if c.generation.is_none() {
            CopyState::Damaged
        } else if diverged && c.generation == Some(newest) {
            CopyState::Diverged
        } else if c.generations.iter().any(|g| !g.ok)
            || c.unlock == UnlockState::Damaged
            || c.header_repair.is_some()
        {
            CopyState::Damaged
        } else if c.generation < Some(newest) || c.unlock == UnlockState::OtherPassphrase {
            CopyState::Stale
        } else {
            c.state
        };
        if c.state == CopyState::Diverged {
            c.problems.push(msg!("copies-problem-diverged", generation = newest));
        }
    }
    // The program files, against the newest generation's list (a stale copy gets it by sync).
    let listed = copies
        .iter()
        .find(|c| c.compared() && c.generation == Some(newest) && c.state != CopyState::Diverged)
        .and_then(|c| c.listed_programs.clone())
        .unwrap_or_default();
    for c in copies.iter_mut().filter(|c| c.compared() && c.generation.is_some()) {
        c.programs = program::check(&c.path, &listed);
        let problems: Vec<Message> = c.programs.iter().filter_map(|p| program::problem(&c.path, p)).collect();
        c.problems.extend(problems);
    }
    let vault_id = reference.vault_id.to_string();
    let seen_newer = crate::records::newest_generation_seen(&vault_id).filter(|&seen| seen > newest);
    if seen_newer.is_none() && newest > 0 {
        crate::records::record_generation(&vault_id, newest);
    }
    Ok(Examination { vault_id, newest_generation: newest, seen_newer, copies })
}

/// Progress: copy `done + 1` of `count`, in `dir`, is being read (or all are, `finished`).
fn examining(talk: &dyn Conversation, done: usize, count: usize, dir: &Path, finished: bool) {
    talk.progress(&Progress {
        task: msg!(
            "copies-progress-examine",
            number = (done + 1).min(count),
            count = count,
            dir = dir.display()
        ),
        done: done as u64,
        total: Some(count as u64),
        finished,
    });
}

/// Derives the vault identity once and records what each copy's `unlock.age` is.
fn unlock_all(
    copies: &mut [CopyReport],
    headers: &[Option<VaultHeader>],
    reference: &VaultHeader,
    unlock: &Unlock,
) -> Result<Identity, Error> {
    let ours = |h: &Option<VaultHeader>| h.as_ref().is_some_and(|h| h.vault_id == reference.vault_id);
    let unlock_name = vault_format::UNLOCK_FILE_NAME;
    let mut identity: Option<Identity> = None;
    match unlock {
        Unlock::Passphrase(passphrase) => {
            let mut first_error: Option<Error> = None;
            let mut opened: Vec<(usize, String)> = Vec::new();
            for (i, (c, h)) in copies.iter_mut().zip(headers).enumerate() {
                if !ours(h) {
                    continue;
                }
                let result = vault::decrypt_unlock_file(&c.path, passphrase).map_err(|e| match e {
                    vault::UnlockReadError::Unlock(UnlockError::WrongPassphrase) => String::new(),
                    vault::UnlockReadError::Unlock(other) => other.to_string(),
                    vault::UnlockReadError::Io(e) => e.to_string(),
                });
                match result {
                    Ok(file) if file.vault_id() == reference.vault_id => {
                        c.unlock = UnlockState::Ok;
                        opened.push((i, file.identity().to_public().to_string()));
                        identity.get_or_insert_with(|| file.identity().clone());
                    }
                    Ok(_) => {
                        c.unlock = UnlockState::Damaged;
                        c.problems.push(msg!("copies-problem-unlock-other-vault"));
                    }
                    Err(reason) if reason.is_empty() => {
                        c.unlock = UnlockState::OtherPassphrase;
                        c.problems.push(msg!("copies-problem-other-passphrase"));
                        first_error.get_or_insert_with(|| {
                            Error::new(
                                ErrorKind::WrongSecret,
                                msg!("err-wrong-passphrase", dir = c.path.display()),
                            )
                            .with_hint(msg!("hint-wrong-passphrase"))
                        });
                    }
                    Err(reason) => {
                        c.unlock = UnlockState::Damaged;
                        c.problems.push(msg!("copies-problem-file", file = unlock_name, reason = reason));
                        first_error.get_or_insert_with(|| {
                            Error::new(
                                ErrorKind::VaultDamaged,
                                msg!(
                                    "err-vault-damaged",
                                    file = c.path.join(unlock_name).display(),
                                    detail = reason
                                ),
                            )
                        });
                    }
                }
            }
            let Some(id) = &identity else {
                return Err(first_error
                    .unwrap_or_else(|| Error::new(ErrorKind::VaultDamaged, msg!("err-sync-no-source"))));
            };
            let recipient = id.to_public().to_string();
            for (i, theirs) in opened {
                if theirs != recipient {
                    copies[i].unlock = UnlockState::Damaged;
                    copies[i].problems.push(msg!("copies-problem-unlock-other-key"));
                }
            }
        }
        Unlock::RecoveryCode(_) | Unlock::Shares(_) => {
            let first = copies.iter().zip(headers).find(|(_, h)| ours(h)).map(|(c, _)| c.path.clone());
            let dir = first.expect("the reference header came from a copy");
            identity = Some(vault::unlock_identity(&dir, reference, unlock)?.0);
            for (c, h) in copies.iter_mut().zip(headers) {
                if !ours(h) {
                    continue;
                }
                match crate::durable::read_current(&crate::durable::Folder(&c.path), unlock_name) {
                    Ok(_) => c.unlock = UnlockState::NotChecked,
                    Err(e) => {
                        c.unlock = UnlockState::Damaged;
                        c.problems.push(msg!("copies-problem-file", file = unlock_name, reason = e));
                    }
                }
            }
        }
    }
    Ok(identity.expect("set above or returned"))
}
