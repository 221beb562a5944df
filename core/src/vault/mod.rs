//! Vaults on media: the folder, its lock, opening the newest good generation, and writing the
//! next one without ever overwriting (vault-format/SPEC.md, "read and write ordering").

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use vault_format::{
    generation_file_name, open_generation, parse_generation_file_name, seal_generation, Code, CodeKind,
    HeaderError, Identity, OpenError, Payload, UnlockError, UnlockFile, VaultHeader, HEADER_FILE_NAME,
    UNLOCK_FILE_NAME,
};

use crate::codes::{code_error_message, share_error_message};
use crate::conversation::{unanswered, Conversation, Level};
use crate::durable::Medium;
use crate::error::{Error, ErrorKind};
use crate::message::Message;
use crate::msg;

pub mod copies;
pub mod create;
pub mod entries;
pub mod passphrase;
pub mod pin;
pub mod program;

pub use entries::{find_entry, write_private_file};

pub const LOCK_FILE_NAME: &str = "certvault.lock";
/// Largest generation file read; the format caps payloads well below this.
const MAX_GENERATION_FILE: u64 = 64 * 1024 * 1024;

/// How the vault is unlocked.
#[derive(Clone)]
pub enum Unlock {
    Passphrase(SecretString),
    RecoveryCode(SecretString),
    /// K or more shares of a split recovery code (SPEC.md §3.6), with the file each came from.
    Shares(Vec<(ShareOrigin, SecretString)>),
}

impl std::fmt::Debug for Unlock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Unlock::Passphrase(_) => "Unlock::Passphrase([REDACTED])",
            Unlock::RecoveryCode(_) => "Unlock::RecoveryCode([REDACTED])",
            Unlock::Shares(_) => "Unlock::Shares([REDACTED])",
        })
    }
}

/// What [`UnlockSource::read`] asks for on the terminal when no file is given: the
/// passphrase (the subcommands), or, when the wizard was told the passphrase is forgotten, the
/// recovery code or the share codes of a split sheet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AskFor {
    #[default]
    Passphrase,
    RecoveryCode,
    Shares,
}

/// Where the unlock secret comes from (the common `--passphrase-file` /
/// `--recovery-code-file` flags, or a prompt).
#[derive(Debug, Clone, Default)]
pub struct UnlockSource {
    pub passphrase_file: Option<PathBuf>,
    pub recovery_code_file: Option<PathBuf>,
    /// `--share-file`, given K times for a split recovery sheet.
    pub share_files: Vec<PathBuf>,
    /// The prompt used when none of the files is given.
    pub ask: AskFor,
    /// A secret the front-end already has (typed earlier in the same moment, so it is not
    /// asked twice); used before any file or prompt.
    pub given: Option<Unlock>,
    /// A mistyped secret that was asked (not read from a file) is asked again, in place, by
    /// [`OpenVault::open_asking`] (up to [`ASK_AGAIN_LIMIT`] times).
    pub ask_again: bool,
}

/// How often [`OpenVault::open_asking`] asks again after a wrong secret.
pub const ASK_AGAIN_LIMIT: usize = 5;

impl UnlockSource {
    /// The secret from the file given, or asked through `talk` when none is.
    pub fn read(&self, talk: &dyn Conversation) -> Result<Unlock, Error> {
        if let Some(given) = &self.given {
            return Ok(given.clone());
        }
        if !self.share_files.is_empty() {
            let shares = self.share_files.iter().map(|p| Ok((ShareOrigin::File(p.clone()), read_secret(p)?)));
            return shares.collect::<Result<_, Error>>().map(Unlock::Shares);
        }
        if let Some(path) = &self.recovery_code_file {
            return Ok(Unlock::RecoveryCode(read_secret(path)?));
        }
        if let Some(path) = &self.passphrase_file {
            return Ok(Unlock::Passphrase(read_secret(path)?));
        }
        match self.ask {
            AskFor::Passphrase => talk
                .secret(&msg!("vault-enter-passphrase"))
                .map(Unlock::Passphrase)
                .map_err(|e| unanswered(e, msg!("what-passphrase"), "--passphrase-file")),
            AskFor::RecoveryCode => talk
                .code(&msg!("unlock-enter-recovery-code"), CodeKind::Recovery)
                .map(Unlock::RecoveryCode)
                .map_err(|e| unanswered(e, msg!("what-recovery-code"), "--recovery-code-file")),
            AskFor::Shares => ask_shares(talk).map(Unlock::Shares),
        }
    }

    /// Whether [`UnlockSource::read`] asks the user (no file and nothing given).
    pub fn asks(&self) -> bool {
        self.given.is_none()
            && self.share_files.is_empty()
            && self.recovery_code_file.is_none()
            && self.passphrase_file.is_none()
    }
}

/// Whether `e` says the typed secret was wrong (as opposed to a vault that cannot be read):
/// the errors [`OpenVault::open_asking`] asks again after.
fn is_wrong_secret(e: &Error) -> bool {
    e.kind == ErrorKind::WrongSecret
        || (e.kind == ErrorKind::InvalidInput && matches!(e.message.id, "err-recovery-code" | "err-share"))
        || matches!(e.message.id, "err-shares-not-enough" | "err-shares-inconsistent" | "err-shares-mixed")
}

/// Asks for the share codes of a split sheet one by one, without echo: the first share says
/// how many are needed (K), then "share 2 of K" … A mistyped or repeated share is asked for
/// again; an empty answer cancels.
fn ask_shares(talk: &dyn Conversation) -> Result<Vec<(ShareOrigin, SecretString)>, Error> {
    let mut shares: Vec<(ShareOrigin, SecretString)> = Vec::new();
    let mut indices: Vec<u8> = Vec::new();
    let mut needed: Option<u8> = None;
    while needed.is_none_or(|k| shares.len() < usize::from(k)) {
        let number = shares.len() + 1;
        let prompt = match needed {
            None => msg!("unlock-enter-first-share"),
            Some(k) => msg!("unlock-enter-share", number = number, threshold = k),
        };
        let text = talk.secret(&prompt).map_err(|e| unanswered(e, msg!("what-share"), "--share-file"))?;
        if text.expose_secret().trim().is_empty() {
            return Err(Error::new(ErrorKind::Cancelled, msg!("cancelled")));
        }
        match vault_format::Share::parse(text.expose_secret()) {
            Ok(share) if indices.contains(&share.index()) => {
                talk.tell(Level::Warning, msg!("err-shares-duplicate", index = share.index()));
            }
            Ok(share) => {
                needed.get_or_insert(share.threshold());
                indices.push(share.index());
                shares.push((ShareOrigin::Typed(number), text));
            }
            Err(e) => talk.tell(Level::Warning, msg!("unlock-share-again", reason = share_error_message(&e))),
        }
    }
    Ok(shares)
}

/// A secret file named by a `*-file` flag (`-` = standard input).
pub fn read_secret(path: &Path) -> Result<SecretString, Error> {
    crate::secret_file::read_secret_file(path).map_err(|e| {
        Error::new(ErrorKind::InvalidInput, msg!("err-secret-file", file = path.display(), reason = e))
    })
}

/// An exclusive OS lock on the vault folder: it dies with the process, so a killed certvault
/// never leaves the vault locked. The file's text says who holds it, for the next process.
pub struct VaultLock {
    _file: Option<File>,
}

impl VaultLock {
    pub fn acquire(dir: &Path, exclusive: bool) -> Result<VaultLock, Error> {
        let path = dir.join(LOCK_FILE_NAME);
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        // Owner only, whatever the umask, like every file certvault writes (SECURITY.md).
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = match options.open(&path) {
            Ok(f) => f,
            // A write-protected stick can still be read: reading needs no lock against writers
            // that cannot exist.
            Err(e) if !exclusive && is_read_only_error(&e) => return Ok(VaultLock { _file: None }),
            Err(e) => return Err(io_error(&path, &e)),
        };
        let try_lock = || if exclusive { file.try_lock() } else { file.try_lock_shared() };
        // A lock can be held for an instant by a child this very process is starting (between
        // fork and exec the child shares the lock file's descriptor): a certificate tool run by
        // another thread of the window, or of a test. Wait a second before calling it busy.
        let mut locked = try_lock();
        for _ in 0..50 {
            if !matches!(locked, Err(fs::TryLockError::WouldBlock)) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
            locked = try_lock();
        }
        if let Err(fs::TryLockError::WouldBlock) = locked {
            let mut holder = String::new();
            let _ = File::open(&path).and_then(|f| f.take(512).read_to_string(&mut holder));
            let holder = holder.trim();
            return Err(Error::new(
                ErrorKind::VaultBusy,
                msg!(
                    "err-vault-locked",
                    dir = dir.display(),
                    holder = if holder.is_empty() { "?" } else { holder }
                ),
            ));
        }
        locked.map_err(|e| io_error(&path, &std::io::Error::other(e.to_string())))?;
        if exclusive {
            let mut f = &file;
            let _ = f.set_len(0);
            let _ = writeln!(
                f,
                "pid {} ({}) since {}",
                std::process::id(),
                std::env::args().take(2).collect::<Vec<_>>().join(" "),
                vault_format::time::now()
            );
            let _ = f.sync_all();
        }
        Ok(VaultLock { _file: Some(file) })
    }
}

fn is_read_only_error(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::ReadOnlyFilesystem || e.kind() == std::io::ErrorKind::PermissionDenied
}

pub use crate::error::io_error;

/// An open vault: its header, its identity and the newest generation that opened.
pub struct OpenVault {
    pub dir: PathBuf,
    /// The header as the opened generation's manifest states it, which is authoritative
    /// (SPEC.md §5.4): PINs are sealed to its `pin_recipient` and codes derived with its `kdf`,
    /// whatever `vault.json` says.
    pub header: VaultHeader,
    /// The members of `vault.json` that differ from the manifest; no change is written until
    /// it is repaired (`certvault sync`).
    pub header_differs: Vec<&'static str>,
    /// The newest generation this computer has seen of this vault, when the stick holds only
    /// older ones (generations replaced by older files: a rollback, or an old copy).
    pub seen_newer: Option<u64>,
    /// The user agreed, on the terminal, to write on top of a fallback generation.
    fallback_accepted: bool,
    identity: Identity,
    pub payload: Payload,
    /// The generation `payload` came from.
    pub generation: u64,
    /// Newer generations that did not open, with the reason (newest first).
    pub fallbacks: Vec<(u64, Message)>,
    /// The unlock file, when opened with the passphrase (needed by `passwd`).
    pub unlock_file: Option<UnlockFile>,
    _lock: VaultLock,
}

pub fn read_header(dir: &Path) -> Result<VaultHeader, Error> {
    if !dir.is_dir() {
        return Err(Error::new(ErrorKind::NotFound, msg!("err-vault-missing", dir = dir.display())));
    }
    let path = dir.join(HEADER_FILE_NAME);
    // Never more than the format allows (SPEC.md §5.3), and only from a regular file.
    let bytes = match crate::durable::read_regular(&path, vault_format::header::MAX_HEADER_BYTES as u64) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::new(ErrorKind::InvalidInput, msg!("err-not-a-vault", dir = dir.display())))
        }
        Err(e) => return Err(io_error(&path, &e)),
    };
    VaultHeader::from_json(&bytes).map_err(|e| match e {
        HeaderError::NotAVault => {
            Error::new(ErrorKind::InvalidInput, msg!("err-not-a-vault", dir = dir.display()))
        }
        HeaderError::UnsupportedVersion { .. } => {
            Error::new(ErrorKind::Unsupported, msg!("err-vault-newer", dir = dir.display(), detail = e))
        }
        other => Error::new(
            ErrorKind::VaultDamaged,
            msg!("err-vault-damaged", file = path.display(), detail = other),
        ),
    })
}

/// Generation numbers present in `dir`, newest first.
pub fn generations(dir: &Path) -> Result<Vec<u64>, Error> {
    let mut found: Vec<u64> = fs::read_dir(dir)
        .map_err(|e| io_error(dir, &e))?
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().and_then(parse_generation_file_name))
        .collect();
    found.sort_unstable_by(|a, b| b.cmp(a));
    Ok(found)
}

/// Repairs what a killed write left behind (SPEC.md §11): an interrupted replacement is undone
/// or finished, temporary files are removed ([`crate::durable::recover`]). They never hold a
/// generation that is not also complete elsewhere (a generation is renamed into place only
/// when written whole).
fn tidy_temporaries(dir: &Path) {
    crate::durable::recover(&crate::durable::Folder(dir));
}

/// Checks, before anything is asked or written, that `init` or `clone` may create a vault in
/// `dir`: it is missing, empty, or holds only what an interrupted creation left (marked by
/// [`crate::durable::INCOMPLETE_MARKER`] and without `vault.json`).
pub fn check_creation_target(dir: &Path) -> Result<(), Error> {
    if !dir.exists() {
        return Ok(());
    }
    if dir.join(HEADER_FILE_NAME).exists() {
        return Err(Error::new(ErrorKind::Refused, msg!("err-already-vault", dir = dir.display())));
    }
    let mut names = crate::durable::Folder(dir).names().map_err(|e| io_error(dir, &e))?;
    // The lock file alone (an interrupted creation's, or our own) does not make it a folder in use.
    names.retain(|n| n != LOCK_FILE_NAME);
    let interrupted = names.iter().any(|n| n == crate::durable::INCOMPLETE_MARKER);
    if names.is_empty() || (interrupted && names.iter().all(|n| crate::durable::is_creation_leftover(n))) {
        return Ok(());
    }
    Err(Error::new(ErrorKind::Refused, msg!("err-dir-not-empty", dir = dir.display())))
}

/// Starts creating a vault in `dir` (checked by [`check_creation_target`]): creates it, takes
/// the lock, removes what an interrupted creation left, and writes the marker that says the
/// folder is not complete yet. Writers then write `vault.json` last and call
/// [`end_creation`]: a folder without `vault.json` is never taken for a vault.
pub fn begin_creation(dir: &Path) -> Result<VaultLock, Error> {
    check_creation_target(dir)?;
    // A private folder (0700) where the medium has Unix permissions, whatever the umask.
    let mut folder = fs::DirBuilder::new();
    folder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut folder, 0o700);
    folder.create(dir).map_err(|e| io_error(dir, &e))?;
    let lock = VaultLock::acquire(dir, true)?;
    check_creation_target(dir)?;
    let m = crate::durable::Folder(dir);
    for name in m.names().map_err(|e| io_error(dir, &e))? {
        if name.eq_ignore_ascii_case(vault_format::PROGRAM_DIR_NAME) && dir.join(&name).is_dir() {
            // The program files an interrupted creation had copied.
            fs::remove_dir_all(dir.join(&name)).map_err(|e| io_error(&dir.join(&name), &e))?;
        } else if name != LOCK_FILE_NAME && name != crate::durable::INCOMPLETE_MARKER {
            m.remove(&name).map_err(|e| io_error(&dir.join(&name), &e))?;
        }
    }
    if !m.exists(crate::durable::INCOMPLETE_MARKER) {
        m.create_synced(crate::durable::INCOMPLETE_MARKER, b"")
            .map_err(|e| io_error(&dir.join(crate::durable::INCOMPLETE_MARKER), &e))?;
    }
    sync_dir(dir);
    Ok(lock)
}

/// Ends a creation begun by [`begin_creation`] once `vault.json` is written and the vault
/// opened: the marker goes.
pub fn end_creation(dir: &Path) -> Result<(), Error> {
    let m = crate::durable::Folder(dir);
    m.remove(crate::durable::INCOMPLETE_MARKER)
        .map_err(|e| io_error(&dir.join(crate::durable::INCOMPLETE_MARKER), &e))?;
    sync_dir(dir);
    Ok(())
}

/// Where a share came from: its file, or the prompt (the Nth share typed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareOrigin {
    File(PathBuf),
    Typed(usize),
}

impl ShareOrigin {
    fn label(&self) -> crate::message::Arg {
        use crate::message::IntoArg;
        match self {
            ShareOrigin::File(path) => path.display().into_arg(),
            ShareOrigin::Typed(number) => msg!("unlock-share-label", number = number).into_arg(),
        }
    }
}

/// Combines the shares of a split recovery code into R, naming the file of a share that is
/// mistyped or damaged (SPEC.md §3.6).
pub fn combine_shares(shares: &[(ShareOrigin, SecretString)]) -> Result<Code, Error> {
    use vault_format::Share;
    let mut parsed = Vec::with_capacity(shares.len());
    for (origin, text) in shares {
        let share = Share::parse(text.expose_secret()).map_err(|e| {
            Error::new(
                ErrorKind::InvalidInput,
                msg!("err-share", file = origin.label(), reason = share_error_message(&e)),
            )
        })?;
        parsed.push(share);
    }
    vault_format::share::combine(&parsed)
        .map_err(|e| Error::new(ErrorKind::InvalidInput, share_error_message(&e)))
}

/// Why `unlock.age` gave no unlock file.
pub enum UnlockReadError {
    Io(std::io::Error),
    Unlock(UnlockError),
}

/// Reads and decrypts `unlock.age` with `passphrase`; while a passphrase change is interrupted
/// (SPEC.md §11), the file that the next writer's repair will keep
/// ([`crate::durable::read_current`]).
pub fn decrypt_unlock_file(dir: &Path, passphrase: &SecretString) -> Result<UnlockFile, UnlockReadError> {
    let bytes = crate::durable::read_current(&crate::durable::Folder(dir), UNLOCK_FILE_NAME)
        .map_err(UnlockReadError::Io)?;
    UnlockFile::decrypt(&bytes, passphrase).map_err(UnlockReadError::Unlock)
}

/// Derives the identity for an unlock secret (and, with the passphrase, reads `unlock.age`).
pub fn unlock_identity(
    dir: &Path,
    header: &VaultHeader,
    unlock: &Unlock,
) -> Result<(Identity, Option<UnlockFile>), Error> {
    match unlock {
        Unlock::Passphrase(passphrase) => {
            let path = dir.join(UNLOCK_FILE_NAME);
            let file = decrypt_unlock_file(dir, passphrase).map_err(|e| match e {
                UnlockReadError::Unlock(UnlockError::WrongPassphrase) => {
                    Error::new(ErrorKind::WrongSecret, msg!("err-wrong-passphrase", dir = dir.display()))
                        .with_hint(msg!("hint-wrong-passphrase"))
                }
                UnlockReadError::Io(e) => io_error(&path, &e),
                UnlockReadError::Unlock(other) => Error::new(
                    ErrorKind::VaultDamaged,
                    msg!("err-vault-damaged", file = path.display(), detail = other),
                ),
            })?;
            if file.vault_id() != header.vault_id {
                return Err(Error::new(
                    ErrorKind::VaultDamaged,
                    msg!(
                        "err-vault-damaged",
                        file = path.display(),
                        detail = "unlock.age belongs to another vault"
                    ),
                ));
            }
            Ok((file.identity().clone(), Some(file)))
        }
        Unlock::RecoveryCode(text) => {
            let code = Code::parse(CodeKind::Recovery, text.expose_secret()).map_err(|e| {
                Error::new(
                    ErrorKind::InvalidInput,
                    msg!("err-recovery-code", reason = code_error_message(&e)),
                )
            })?;
            identity_from_code(dir, header, &code)
        }
        Unlock::Shares(shares) => identity_from_code(dir, header, &combine_shares(shares)?),
    }
}

/// The vault identity from the recovery code R (typed, or combined from shares).
///
/// `vault.json`'s KDF settings are not authenticated (SPEC.md §5.4): when the identity derived
/// with them opens no generation (every one says "wrong key") and they are not the settings
/// certvault writes, R is derived again with those; if that opens the vault, vault.json was
/// changed, which the opener then reports from the manifest. Otherwise the error names both
/// possible causes instead of blaming the code alone.
fn identity_from_code(
    dir: &Path,
    header: &VaultHeader,
    code: &Code,
) -> Result<(Identity, Option<UnlockFile>), Error> {
    let derive = |params: &vault_format::Argon2Params| {
        vault_format::derive_identity(code, &header.vault_id, params).map_err(|e| {
            Error::new(
                ErrorKind::VaultDamaged,
                msg!("err-vault-damaged", file = dir.join(HEADER_FILE_NAME).display(), detail = e),
            )
        })
    };
    let identity = derive(&header.kdf.recovery)?;
    let written = crate::durable::new_vault_kdf().0.recovery;
    if header.kdf.recovery == written || !opens_only_with_other_key(dir, header, &identity) {
        return Ok((identity, None));
    }
    let standard = derive(&written)?;
    if opens_only_with_other_key(dir, header, &standard) {
        return Err(Error::new(
            ErrorKind::WrongSecret,
            msg!(
                "err-wrong-recovery-code-kdf",
                dir = dir.display(),
                file = dir.join(HEADER_FILE_NAME).display(),
                settings = kdf_text(&header.kdf.recovery)
            ),
        )
        .with_hint(msg!("hint-header-differs", dir = dir.display())));
    }
    Ok((standard, None))
}

/// Whether every generation in `dir` is encrypted to another key than `identity` (and there is
/// at least one): the "wrong key" case, as opposed to a damaged or missing generation.
fn opens_only_with_other_key(dir: &Path, header: &VaultHeader, identity: &Identity) -> bool {
    let Ok(numbers) = generations(dir) else { return false };
    !numbers.is_empty()
        && numbers.iter().all(|&n| {
            read_generation_file(&dir.join(generation_file_name(n))).is_ok_and(|bytes| {
                matches!(open_generation(&bytes, identity, &header.vault_id, n), Err(OpenError::WrongKey))
            })
        })
}

/// Argon2id settings as people compare them: "m=524288 KiB, t=3, p=1".
fn kdf_text(p: &vault_format::Argon2Params) -> String {
    format!("m={} KiB, t={}, p={}", p.m_cost, p.t_cost, p.p_cost)
}

/// The members of `vault.json` (`on_disk`) that differ from the opened generation's manifest
/// (`authoritative`), by their JSON names; empty when they agree (SPEC.md §5.4).
pub fn header_differences(on_disk: &VaultHeader, authoritative: &VaultHeader) -> Vec<&'static str> {
    let mut differs = Vec::new();
    if on_disk.vault_id != authoritative.vault_id {
        differs.push("vault_id");
    }
    if on_disk.created != authoritative.created {
        differs.push("created");
    }
    if on_disk.kdf.recovery != authoritative.kdf.recovery {
        differs.push("kdf.recovery");
    }
    if on_disk.kdf.pin_code != authoritative.kdf.pin_code {
        differs.push("kdf.pin_code");
    }
    if on_disk.pin_recipient != authoritative.pin_recipient {
        differs.push("pin_recipient");
    }
    differs
}

/// Why a generation did not open, for the user.
pub fn open_error_message(e: &OpenError) -> Message {
    match e {
        OpenError::WrongKey => msg!("gen-wrong-key"),
        OpenError::Corrupt | OpenError::Malformed => msg!("gen-damaged"),
        OpenError::TooLarge => msg!("gen-too-large"),
        OpenError::VaultIdMismatch { expected, found } => {
            msg!("gen-other-vault", expected = expected.to_string(), found = found.to_string())
        }
        OpenError::GenerationMismatch { expected, found } => {
            msg!("gen-number-mismatch", expected = expected, found = found)
        }
        // The payload's own reasons are technical (a tar or manifest field): kept as detail.
        other => msg!("gen-invalid", detail = other.to_string()),
    }
}

impl OpenVault {
    /// Reads the secret from `source` and opens the vault in `dir` with it. A secret that was
    /// asked (not read from a file) and turns out wrong — a mistyped passphrase, a recovery
    /// code whose group does not check or that opens another vault — is said and, with
    /// `source.ask_again`, asked again right here: the caller's earlier answers (the vault,
    /// the target, the way to open) stay. Returns the vault and the secret that opened it
    /// (for a later step of the same moment, e.g. a new passphrase after a restore).
    pub fn open_asking(
        dir: &Path,
        source: &UnlockSource,
        exclusive: bool,
        talk: &dyn Conversation,
    ) -> Result<(OpenVault, Unlock), Error> {
        let mut tries = 0;
        loop {
            let unlock = source.read(talk)?;
            match OpenVault::open(dir, &unlock, exclusive) {
                Ok(vault) => return Ok((vault, unlock)),
                Err(e)
                    if source.ask_again
                        && source.asks()
                        && is_wrong_secret(&e)
                        && tries < ASK_AGAIN_LIMIT =>
                {
                    tries += 1;
                    // The error's hint names command-line flags; the question comes again instead.
                    talk.tell(Level::Warning, e.message);
                    talk.tell(Level::Info, msg!("unlock-ask-again"));
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Opens the vault in `dir`. `exclusive` takes the write lock.
    pub fn open(dir: &Path, unlock: &Unlock, exclusive: bool) -> Result<OpenVault, Error> {
        let header = read_header(dir)?;
        let lock = VaultLock::acquire(dir, exclusive)?;
        if exclusive {
            tidy_temporaries(dir);
        }
        let (identity, unlock_file) = unlock_identity(dir, &header, unlock)?;
        let mut fallbacks = Vec::new();
        let mut wrong_key_only = true;
        for n in generations(dir)? {
            let path = dir.join(generation_file_name(n));
            let bytes = match read_generation_file(&path) {
                Ok(b) => b,
                Err(reason) => {
                    wrong_key_only = false;
                    fallbacks.push((n, reason));
                    continue;
                }
            };
            match open_generation(&bytes, &identity, &header.vault_id, n) {
                Ok(payload) => {
                    crate::hardening::debug_panic_point("vault-opened");
                    let authoritative = payload.manifest.header();
                    let header_differs = header_differences(&header, &authoritative);
                    let vault_id = authoritative.vault_id.to_string();
                    let newest_on_stick = generations(dir)?.first().copied().unwrap_or(n);
                    let seen_newer = crate::records::newest_generation_seen(&vault_id)
                        .filter(|&seen| seen > newest_on_stick);
                    crate::records::record_generation(&vault_id, n);
                    return Ok(OpenVault {
                        dir: dir.to_path_buf(),
                        header: authoritative,
                        header_differs,
                        seen_newer,
                        fallback_accepted: false,
                        identity,
                        payload,
                        generation: n,
                        fallbacks,
                        unlock_file,
                        _lock: lock,
                    });
                }
                Err(e) => {
                    wrong_key_only &= matches!(e, OpenError::WrongKey);
                    fallbacks.push((n, open_error_message(&e)));
                }
            }
        }
        if wrong_key_only && !fallbacks.is_empty() {
            return Err(Error::new(
                ErrorKind::WrongSecret,
                msg!("err-wrong-recovery-code", dir = dir.display()),
            ));
        }
        let reasons = fallbacks
            .iter()
            .map(|(n, r)| msg!("gen-reason", file = generation_file_name(*n), reason = r))
            .collect();
        Err(Error::new(
            ErrorKind::VaultDamaged,
            msg!("err-no-generation", dir = dir.display(), reasons = crate::message::Arg::List(reasons)),
        ))
    }

    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// Warnings to show after opening: a fallback to an older generation, a `vault.json` that
    /// disagrees with the manifest, generations older than this computer has seen.
    pub fn warnings(&self) -> Vec<Message> {
        let mut warnings = self.fallback_warnings();
        if !self.header_differs.is_empty() {
            warnings.push(msg!(
                "vault-header-differs",
                file = self.dir.join(HEADER_FILE_NAME).display(),
                fields = self.header_differs.join(", ")
            ));
        }
        if let Some(seen) = self.seen_newer {
            warnings.push(msg!(
                "vault-older-than-seen",
                dir = self.dir.display(),
                generation = self.generation,
                seen = seen
            ));
        }
        warnings
    }

    /// The fallback warnings alone (`list --json` reports them as `fallbacks`).
    pub fn fallback_warnings(&self) -> Vec<Message> {
        self.fallbacks
            .iter()
            .map(|(n, reason)| {
                msg!(
                    "vault-fallback",
                    bad = generation_file_name(*n),
                    reason = reason,
                    used = generation_file_name(self.generation)
                )
            })
            .collect()
    }

    /// Refuses any write while `vault.json` disagrees with the manifest: it is repaired first
    /// (`certvault sync`), so that no copy goes on carrying a changed header.
    pub fn check_header(&self) -> Result<(), Error> {
        if self.header_differs.is_empty() {
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::Refused,
            msg!(
                "err-header-differs",
                file = self.dir.join(HEADER_FILE_NAME).display(),
                fields = self.header_differs.join(", ")
            ),
        )
        .with_hint(msg!("hint-header-differs", dir = self.dir.display())))
    }

    /// Checks that a new generation may be written: `vault.json` agrees with the manifest, and
    /// the newest generation opened. Writing on top of a fallback would drop whatever only the
    /// newer, unreadable generation holds (and the write after would delete it): refused, or
    /// asked on a terminal.
    pub fn check_can_write(&mut self, talk: &dyn Conversation) -> Result<(), Error> {
        self.check_header()?;
        let Some((bad, _)) = self.fallbacks.first() else { return Ok(()) };
        if self.fallback_accepted {
            return Ok(());
        }
        let (bad, used) = (generation_file_name(*bad), generation_file_name(self.generation));
        if talk.confirm(&msg!("vault-fallback-confirm", bad = bad.clone(), used = used.clone())) == Ok(true) {
            self.fallback_accepted = true;
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::Refused,
            msg!("err-write-on-fallback", dir = self.dir.display(), bad = bad.clone(), used = used),
        )
        .with_hint(msg!("hint-write-on-fallback", dir = self.dir.display(), bad = bad)))
    }

    /// Writes `payload` as the next generation: a new file, never an overwrite; read back and
    /// verified before generations older than the previous one are removed.
    pub fn write_generation(&mut self, mut payload: Payload, talk: &dyn Conversation) -> Result<u64, Error> {
        self.check_can_write(talk)?;
        let newest_on_disk = generations(&self.dir)?.first().copied().unwrap_or(0);
        // A junk `vault-18446744073709551615.age` must not wrap the number around to 0.
        let n = newest_on_disk.max(self.generation).checked_add(1).ok_or_else(|| {
            Error::new(
                ErrorKind::VaultDamaged,
                msg!(
                    "err-no-generation-number",
                    file = self.dir.join(generation_file_name(newest_on_disk)).display()
                ),
            )
        })?;
        payload.manifest.generation = n;
        payload.manifest.updated = vault_format::time::now();
        let bytes = seal_generation(&payload, &self.identity.to_public())
            .map_err(|e| Error::new(ErrorKind::Internal, msg!("err-seal", detail = e)))?;
        let name = generation_file_name(n);
        write_new_file(&self.dir, &name, &bytes)?;
        // Read back what the medium holds, not what we meant to write.
        let path = self.dir.join(&name);
        let back = read_generation_file(&path).map_err(|r| {
            Error::new(ErrorKind::Io, msg!("err-verify-write", file = path.display(), reason = r))
        })?;
        let reopened = open_generation(&back, &self.identity, &self.header.vault_id, n).map_err(|e| {
            Error::new(ErrorKind::Io, msg!("err-verify-write", file = path.display(), reason = e))
        })?;
        if reopened.manifest != payload.manifest
            || reopened.certs != payload.certs
            || reopened.pins != payload.pins
        {
            let _ = fs::remove_file(&path);
            return Err(Error::new(
                ErrorKind::Io,
                msg!("err-verify-write", file = path.display(), reason = "content differs"),
            ));
        }
        for old in generations(&self.dir)? {
            if old + 1 < n {
                let _ = fs::remove_file(self.dir.join(generation_file_name(old)));
            }
        }
        sync_dir(&self.dir);
        crate::records::record_generation(&self.header.vault_id.to_string(), n);
        self.payload = payload;
        self.generation = n;
        self.fallbacks.clear();
        Ok(n)
    }
}

pub fn read_generation_file(path: &Path) -> Result<Vec<u8>, Message> {
    crate::durable::read_regular(path, MAX_GENERATION_FILE)
        .map_err(|e| msg!("gen-unreadable", reason = crate::error::io_reason(&e)))
}

/// Writes `name` in `dir` through a temporary file that is flushed to the medium and then
/// renamed into place; fails rather than replace an existing `name`.
pub fn write_new_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), Error> {
    let final_path = dir.join(name);
    if final_path.exists() {
        return Err(Error::new(ErrorKind::Refused, msg!("err-exists", file = final_path.display())));
    }
    write_through_temp(dir, name, bytes)
}

/// Like [`write_new_file`] but replaces `name` if present, without ever renaming over it (FAT
/// cannot): at every moment `name` or `name.old` holds the old or the new content
/// ([`crate::durable::replace`]).
pub fn replace_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), Error> {
    crate::durable::replace(&crate::durable::Folder(dir), name, bytes)
        .map_err(|e| io_error(&dir.join(name), &e))
}

fn write_through_temp(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), Error> {
    crate::durable::write_new(&crate::durable::Folder(dir), name, bytes)
        .map_err(|e| io_error(&dir.join(name), &e))
}

/// Flushes the folder entry itself, where the OS allows it (not on Windows).
pub fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Whether `path` lies on removable media, as far as the OS tells (see [`crate::media`]).
pub fn is_on_removable_media(path: &Path) -> Option<bool> {
    crate::media::is_on_removable_media(path)
}

#[cfg(test)]
mod tests;
