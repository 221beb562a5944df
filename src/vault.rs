//! Vaults on media: the folder, its lock, opening the newest good generation, and writing the
//! next one without ever overwriting (vault-format/SPEC.md, "read and write ordering").

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use vault_format::{
    generation_file_name, open_generation, parse_generation_file_name, seal_generation, Code, CodeError,
    CodeKind, HeaderError, Identity, OpenError, Payload, UnlockError, UnlockFile, VaultHeader,
    HEADER_FILE_NAME, UNLOCK_FILE_NAME,
};

use crate::error::CliError;
use crate::secret_input;
use crate::t;

pub const LOCK_FILE_NAME: &str = "certvault.lock";
/// Largest generation file read; the format caps payloads well below this.
const MAX_GENERATION_FILE: u64 = 64 * 1024 * 1024;

/// How the vault is unlocked.
pub enum Unlock {
    Passphrase(SecretString),
    RecoveryCode(SecretString),
    /// K or more shares of a split recovery code (SPEC.md §3.6), with the file each came from.
    Shares(Vec<(PathBuf, SecretString)>),
}

/// Where the unlock secret comes from (the common `--passphrase-file` /
/// `--recovery-code-file` flags, or a prompt).
#[derive(Debug, Clone, Default)]
pub struct UnlockSource {
    pub passphrase_file: Option<PathBuf>,
    pub recovery_code_file: Option<PathBuf>,
    /// `--share-file`, given K times for a split recovery sheet.
    pub share_files: Vec<PathBuf>,
}

impl UnlockSource {
    pub fn read(&self) -> Result<Unlock, CliError> {
        if !self.share_files.is_empty() {
            let shares = self.share_files.iter().map(|p| Ok((p.clone(), read_secret(p)?)));
            return shares.collect::<Result<_, CliError>>().map(Unlock::Shares);
        }
        if let Some(path) = &self.recovery_code_file {
            return Ok(Unlock::RecoveryCode(read_secret(path)?));
        }
        if let Some(path) = &self.passphrase_file {
            return Ok(Unlock::Passphrase(read_secret(path)?));
        }
        secret_input::prompt_secret(&t!("vault-enter-passphrase")).map(Unlock::Passphrase).map_err(
            |e| match e {
                secret_input::SecretInputError::NoTerminal => CliError::new(t!(
                    "err-no-terminal",
                    what = t!("what-passphrase"),
                    flag = "--passphrase-file"
                )),
                other => CliError::new(other.to_string()),
            },
        )
    }
}

pub fn read_secret(path: &Path) -> Result<SecretString, CliError> {
    secret_input::read_secret_file(path)
        .map_err(|e| CliError::new(t!("err-secret-file", file = path.display(), reason = e)))
}

/// An exclusive OS lock on the vault folder: it dies with the process, so a killed certvault
/// never leaves the vault locked. The file's text says who holds it, for the next process.
pub struct VaultLock {
    _file: Option<File>,
}

impl VaultLock {
    pub fn acquire(dir: &Path, exclusive: bool) -> Result<VaultLock, CliError> {
        let path = dir.join(LOCK_FILE_NAME);
        let file = match OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path) {
            Ok(f) => f,
            // A write-protected stick can still be read: reading needs no lock against writers
            // that cannot exist.
            Err(e) if !exclusive && is_read_only_error(&e) => return Ok(VaultLock { _file: None }),
            Err(e) => return Err(io_error(&path, &e)),
        };
        let locked = if exclusive { file.try_lock() } else { file.try_lock_shared() };
        if let Err(fs::TryLockError::WouldBlock) = locked {
            let mut holder = String::new();
            let _ = File::open(&path).and_then(|f| f.take(512).read_to_string(&mut holder));
            let holder = holder.trim();
            return Err(CliError::new(t!(
                "err-vault-locked",
                dir = dir.display(),
                holder = if holder.is_empty() { "?" } else { holder }
            )));
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

pub fn io_error(path: &Path, e: &std::io::Error) -> CliError {
    let key = match e.kind() {
        std::io::ErrorKind::StorageFull => "err-disk-full",
        std::io::ErrorKind::ReadOnlyFilesystem => "err-read-only",
        _ => "err-io",
    };
    CliError::new(t!(key, file = path.display(), reason = e))
}

/// An open vault: its header, its identity and the newest generation that opened.
pub struct OpenVault {
    pub dir: PathBuf,
    pub header: VaultHeader,
    identity: Identity,
    pub payload: Payload,
    /// The generation `payload` came from.
    pub generation: u64,
    /// Newer generations that did not open, with the reason (newest first).
    pub fallbacks: Vec<(u64, String)>,
    /// The unlock file, when opened with the passphrase (needed by `passwd`).
    pub unlock_file: Option<UnlockFile>,
    _lock: VaultLock,
}

pub fn read_header(dir: &Path) -> Result<VaultHeader, CliError> {
    if !dir.is_dir() {
        return Err(CliError::new(t!("err-vault-missing", dir = dir.display())));
    }
    let path = dir.join(HEADER_FILE_NAME);
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(CliError::new(t!("err-not-a-vault", dir = dir.display())))
        }
        Err(e) => return Err(io_error(&path, &e)),
    };
    VaultHeader::from_json(&bytes).map_err(|e| match e {
        HeaderError::NotAVault => CliError::new(t!("err-not-a-vault", dir = dir.display())),
        HeaderError::UnsupportedVersion { .. } => {
            CliError::new(t!("err-vault-newer", dir = dir.display(), detail = e))
        }
        other => CliError::new(t!("err-vault-damaged", file = path.display(), detail = other)),
    })
}

/// Generation numbers present in `dir`, newest first.
pub fn generations(dir: &Path) -> Result<Vec<u64>, CliError> {
    let mut found: Vec<u64> = fs::read_dir(dir)
        .map_err(|e| io_error(dir, &e))?
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().and_then(parse_generation_file_name))
        .collect();
    found.sort_unstable_by(|a, b| b.cmp(a));
    Ok(found)
}

/// Removes temporary files a killed write left behind. They never hold a generation that is
/// not also complete elsewhere (a generation is renamed into place only when written whole).
fn tidy_temporaries(dir: &Path) {
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(".certvault-") && name.ends_with(".tmp") {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

fn code_error_text(e: &CodeError) -> String {
    match e {
        CodeError::Checksum { group } => t!("err-code-group", group = group),
        CodeError::WrongKind { .. } => t!("err-code-is-pin-code"),
        other => other.to_string(),
    }
}

/// Combines the shares of a split recovery code into R, naming the file of a share that is
/// mistyped or damaged (SPEC.md §3.6).
pub fn combine_shares(shares: &[(PathBuf, SecretString)]) -> Result<Code, CliError> {
    use vault_format::{Share, ShareError};
    let mut parsed = Vec::with_capacity(shares.len());
    for (path, text) in shares {
        let share = Share::parse(text.expose_secret()).map_err(|e| {
            let reason = match e {
                ShareError::Checksum { group } => t!("err-code-group", group = group),
                ShareError::ShareChecksum => t!("err-share-checksum"),
                ShareError::IsCode { .. } => t!("err-share-is-code"),
                other => other.to_string(),
            };
            CliError::new(t!("err-share", file = path.display(), reason = reason))
        })?;
        parsed.push(share);
    }
    vault_format::share::combine(&parsed).map_err(|e| match e {
        ShareError::NotEnough { have, need } => {
            CliError::new(t!("err-shares-not-enough", need = need, have = have))
        }
        ShareError::Duplicate { index } => CliError::new(t!("err-shares-duplicate", index = index)),
        ShareError::DifferentSets { first, other } => {
            CliError::new(t!("err-shares-mixed", first = first, other = other))
        }
        _ => CliError::new(t!("err-shares-inconsistent")),
    })
}

/// Derives the identity for an unlock secret.
fn unlock_identity(
    dir: &Path,
    header: &VaultHeader,
    unlock: &Unlock,
) -> Result<(Identity, Option<UnlockFile>), CliError> {
    match unlock {
        Unlock::Passphrase(passphrase) => {
            let path = dir.join(UNLOCK_FILE_NAME);
            let bytes = fs::read(&path).map_err(|e| io_error(&path, &e))?;
            let file = UnlockFile::decrypt(&bytes, passphrase).map_err(|e| match e {
                UnlockError::WrongPassphrase => {
                    CliError::new(t!("err-wrong-passphrase", dir = dir.display()))
                        .with_hint(t!("hint-wrong-passphrase"))
                }
                other => CliError::new(t!("err-vault-damaged", file = path.display(), detail = other)),
            })?;
            if file.vault_id() != header.vault_id {
                return Err(CliError::new(t!(
                    "err-vault-damaged",
                    file = path.display(),
                    detail = "unlock.age belongs to another vault"
                )));
            }
            Ok((file.identity().clone(), Some(file)))
        }
        Unlock::RecoveryCode(text) => {
            let code = Code::parse(CodeKind::Recovery, text.expose_secret())
                .map_err(|e| CliError::new(t!("err-recovery-code", reason = code_error_text(&e))))?;
            identity_from_code(dir, header, &code)
        }
        Unlock::Shares(shares) => identity_from_code(dir, header, &combine_shares(shares)?),
    }
}

/// The vault identity from the recovery code R (typed, or combined from shares).
fn identity_from_code(
    dir: &Path,
    header: &VaultHeader,
    code: &Code,
) -> Result<(Identity, Option<UnlockFile>), CliError> {
    let identity =
        vault_format::derive_identity(code, &header.vault_id, &header.kdf.recovery).map_err(|e| {
            CliError::new(t!("err-vault-damaged", file = dir.join(HEADER_FILE_NAME).display(), detail = e))
        })?;
    Ok((identity, None))
}

fn open_error_text(e: &OpenError) -> String {
    match e {
        OpenError::WrongKey => t!("gen-wrong-key"),
        OpenError::Corrupt | OpenError::Malformed => t!("gen-damaged"),
        other => other.to_string(),
    }
}

impl OpenVault {
    /// Opens the vault in `dir`. `exclusive` takes the write lock.
    pub fn open(dir: &Path, unlock: &Unlock, exclusive: bool) -> Result<OpenVault, CliError> {
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
                    return Ok(OpenVault {
                        dir: dir.to_path_buf(),
                        header,
                        identity,
                        payload,
                        generation: n,
                        fallbacks,
                        unlock_file,
                        _lock: lock,
                    })
                }
                Err(e) => {
                    wrong_key_only &= matches!(e, OpenError::WrongKey);
                    fallbacks.push((n, open_error_text(&e)));
                }
            }
        }
        if wrong_key_only && !fallbacks.is_empty() {
            return Err(CliError::new(t!("err-wrong-recovery-code", dir = dir.display())));
        }
        let reasons: Vec<String> =
            fallbacks.iter().map(|(n, r)| format!("{}: {r}", generation_file_name(*n))).collect();
        Err(CliError::new(t!("err-no-generation", dir = dir.display(), reasons = reasons.join("; "))))
    }

    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// Warnings to show after opening (fallback to an older generation).
    pub fn warnings(&self) -> Vec<String> {
        self.fallbacks
            .iter()
            .map(|(n, reason)| {
                t!(
                    "vault-fallback",
                    bad = generation_file_name(*n),
                    reason = reason,
                    used = generation_file_name(self.generation)
                )
            })
            .collect()
    }

    /// Writes `payload` as the next generation: a new file, never an overwrite; read back and
    /// verified before generations older than the previous one are removed.
    pub fn write_generation(&mut self, mut payload: Payload) -> Result<u64, CliError> {
        let newest_on_disk = generations(&self.dir)?.first().copied().unwrap_or(0);
        let n = newest_on_disk.max(self.generation) + 1;
        payload.manifest.generation = n;
        payload.manifest.updated = vault_format::time::now();
        let bytes = seal_generation(&payload, &self.identity.to_public())
            .map_err(|e| CliError::new(t!("err-seal", detail = e)))?;
        let name = generation_file_name(n);
        write_new_file(&self.dir, &name, &bytes)?;
        // Read back what the medium holds, not what we meant to write.
        let path = self.dir.join(&name);
        let back = read_generation_file(&path)
            .map_err(|r| CliError::new(t!("err-verify-write", file = path.display(), reason = r)))?;
        let reopened = open_generation(&back, &self.identity, &self.header.vault_id, n)
            .map_err(|e| CliError::new(t!("err-verify-write", file = path.display(), reason = e)))?;
        if reopened.manifest != payload.manifest
            || reopened.certs != payload.certs
            || reopened.pins != payload.pins
        {
            let _ = fs::remove_file(&path);
            return Err(CliError::new(t!(
                "err-verify-write",
                file = path.display(),
                reason = "content differs"
            )));
        }
        for old in generations(&self.dir)? {
            if old + 1 < n {
                let _ = fs::remove_file(self.dir.join(generation_file_name(old)));
            }
        }
        sync_dir(&self.dir);
        self.payload = payload;
        self.generation = n;
        self.fallbacks.clear();
        Ok(n)
    }
}

fn read_generation_file(path: &Path) -> Result<Vec<u8>, String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(MAX_GENERATION_FILE).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    Ok(bytes)
}

/// Writes `name` in `dir` through a temporary file that is flushed to the medium and then
/// renamed into place; fails rather than replace an existing `name`.
pub fn write_new_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), CliError> {
    let final_path = dir.join(name);
    if final_path.exists() {
        return Err(CliError::new(t!("err-exists", file = final_path.display())));
    }
    write_through_temp(dir, name, bytes)
}

/// Like [`write_new_file`] but replaces `name` if present (rename is atomic on NTFS/ext4;
/// on FAT the old file stays until the rename, so a reader sees old or new).
pub fn replace_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), CliError> {
    write_through_temp(dir, name, bytes)
}

fn write_through_temp(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), CliError> {
    let tmp = dir.join(format!(".certvault-{name}.tmp"));
    let final_path = dir.join(name);
    let result = (|| {
        let mut f = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, &final_path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(io_error(&final_path, &e));
    }
    sync_dir(dir);
    Ok(())
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

/// Whether `path` lies on removable media, as far as the OS tells (`sysinfo`; a guess: USB
/// SSDs report fixed on Windows). `None` when no disk matches.
pub fn is_on_removable_media(path: &Path) -> Option<bool> {
    let canonical = path.canonicalize().ok()?;
    let disks = sysinfo::Disks::new_with_refreshed_list().ok()?;
    (&disks)
        .into_iter()
        .filter(|d| canonical.starts_with(d.mount_point()))
        .max_by_key(|d| d.mount_point().as_os_str().len())
        .map(|d| d.is_removable())
}
