//! Removing one copy, and only if it is still what the vault holds: the file is opened without
//! following links, its bytes are read through that same handle and compared with the vault
//! entry, the vault generation is opened again, and only then is the file overwritten with
//! random bytes (flushed), renamed to a random name, truncated and deleted.
//!
//! Overwriting is best effort: see SECURITY.md ("An adversary with the terminal") for what it
//! cannot reach on SSDs, copy-on-write and journaling file systems and cloud sync.

use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use rand::RngCore;

use crate::error::Error;
use crate::message::Message;
use crate::msg;
use crate::scan::walk::io_reason;

/// A copy that was removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    /// False for a hard link: the data has other names and is left to them.
    pub overwritten: bool,
    /// Other names (hard links) of the same data, which keep it.
    pub other_links: u64,
}

/// Why a copy was not removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The file is no longer the copy the vault holds (changed, replaced, gone).
    Changed(Message),
    /// The vault generation did not open again or no longer holds these bytes: nothing more
    /// is removed in this run.
    Vault(Message),
    /// It could not be opened or overwritten; it is untouched or overwritten only in part
    /// (its bytes are in the vault either way).
    Failed(Message),
    /// Overwritten, but the (renamed) file could not be deleted.
    OverwrittenNotDeleted(Message),
}

/// Removes the copy at `path` if its bytes are exactly `expected` and `vault_bytes` (which
/// opens the vault generation again: [`crate::vault::OpenVault::entry_bytes`]) gives the same
/// bytes.
pub fn remove_copy(
    path: &Path,
    expected: &[u8],
    vault_bytes: &mut dyn FnMut() -> Result<Vec<u8>, Error>,
) -> Result<Removed, Refused> {
    let mut confirm = |current: &[u8]| {
        // The generation holding the entry opens again and holds exactly these bytes.
        let in_vault = vault_bytes().map_err(|e| Refused::Vault(e.message))?;
        if in_vault != current {
            return Err(Refused::Vault(msg!("clean-vault-differs")));
        }
        Ok(())
    };
    remove_checked(path, expected, &mut confirm)
}

/// Removes the `.zip` archive at `path` if its bytes are exactly `expected` (as read when the
/// removal was planned) and `confirm`, given the bytes read through the handle that overwrites
/// them, finds every member in the vault again (issue 16: a zip of copies the vault holds).
/// Removed as a copy is: overwritten, renamed, truncated, deleted.
pub fn remove_archive(
    path: &Path,
    expected: &[u8],
    confirm: &mut dyn FnMut(&[u8]) -> Result<(), Refused>,
) -> Result<Removed, Refused> {
    remove_checked(path, expected, confirm)
}

/// A regular file at `path` whose bytes are `expected` and which `confirm` accepts: removed.
fn remove_checked(
    path: &Path,
    expected: &[u8],
    confirm: &mut dyn FnMut(&[u8]) -> Result<(), Refused>,
) -> Result<Removed, Refused> {
    let changed = |id: &'static str| Refused::Changed(msg!(id));
    // What is at `path` must be a regular file, not a link to one.
    let before = fs::symlink_metadata(path).map_err(|e| Refused::Changed(io_reason(&e)))?;
    if !before.file_type().is_file() {
        return Err(changed("clean-changed-not-file"));
    }
    if before.len() != expected.len() as u64 {
        return Err(changed("clean-changed-bytes"));
    }
    let before_id = FileId::of_path(path).map_err(|e| Refused::Changed(io_reason(&e)))?;
    let (file, made_writable) = open_rw_no_follow(path, before_id)?;
    let result = remove_opened(path, file, before_id, expected, confirm, made_writable.as_ref());
    if let (Err(_), Some(made)) = (&result, &made_writable) {
        // Left where it is: as read-only as it was.
        made.restore();
    }
    result
}

/// [`remove_checked`] once `file` is open for reading and writing; `before_id` is what the
/// path named before it was opened.
fn remove_opened(
    path: &Path,
    mut file: File,
    before_id: FileId,
    expected: &[u8],
    confirm: &mut dyn FnMut(&[u8]) -> Result<(), Refused>,
    made_writable: Option<&MadeWritable>,
) -> Result<Removed, Refused> {
    let changed = |id: &'static str| Refused::Changed(msg!(id));
    let meta = file.metadata().map_err(|e| Refused::Failed(io_reason(&e)))?;
    let id = FileId::of_file(&file).map_err(|e| Refused::Failed(io_reason(&e)))?;
    if !meta.is_file() || id != before_id {
        return Err(changed("clean-changed-not-file"));
    }
    // The bytes, read through the handle that will overwrite them.
    let mut current = Vec::with_capacity(expected.len());
    (&mut file)
        .take(expected.len() as u64 + 1)
        .read_to_end(&mut current)
        .map_err(|e| Refused::Failed(io_reason(&e)))?;
    if current != expected {
        return Err(changed("clean-changed-bytes"));
    }
    confirm(&current)?;

    let links = id.links;
    if links > 1 {
        // Overwriting would destroy the other names' data too, some perhaps outside the
        // scanned places: remove this name only, and leave the data as read-only as it was.
        if let Some(made) = made_writable {
            made.restore();
        }
        drop(file);
        still_same(path, id)?;
        fs::remove_file(path).map_err(|e| Refused::Failed(io_reason(&e)))?;
        sync_parent(path);
        return Ok(Removed { overwritten: false, other_links: links - 1 });
    }

    // Overwrite with random bytes and flush them to the medium.
    let mut noise = vec![0u8; expected.len()];
    rand::rngs::OsRng.fill_bytes(&mut noise);
    file.seek(SeekFrom::Start(0))
        .and_then(|_| file.write_all(&noise))
        .and_then(|_| file.sync_all())
        .map_err(|e| Refused::Failed(io_reason(&e)))?;

    // Rename to a random name, so the directory entry no longer tells what it was.
    let parent = path.parent().unwrap_or(Path::new("."));
    let hidden = random_name(parent);
    still_same(path, id)?;
    let renamed = match fs::rename(path, &hidden) {
        // The renamed file must be ours: our random bytes (read without following a link).
        Ok(()) => match read_no_follow(&hidden, noise.len() as u64) {
            Ok(bytes) if bytes == noise => hidden,
            _ => return Err(Refused::OverwrittenNotDeleted(msg!("clean-changed-not-file"))),
        },
        // Renaming is not possible here: delete under the old name.
        Err(_) => path.to_path_buf(),
    };
    // Truncate, flush, delete.
    let truncated = file.set_len(0).and_then(|_| file.sync_all());
    drop(file);
    if let Err(e) = truncated {
        let _ = fs::remove_file(&renamed);
        return Err(Refused::OverwrittenNotDeleted(io_reason(&e)));
    }
    fs::remove_file(&renamed).map_err(|e| {
        Refused::OverwrittenNotDeleted(msg!("err-io", file = renamed.display(), reason = io_reason(&e)))
    })?;
    sync_parent(&renamed);
    Ok(Removed { overwritten: true, other_links: 0 })
}

/// `.certvault-<32 hex>.del` in `dir`, not yet taken.
fn random_name(dir: &Path) -> PathBuf {
    loop {
        let mut r = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut r);
        let p = dir.join(format!(".certvault-{}.del", crate::certificate::x509::lower_hex(&r)));
        if fs::symlink_metadata(&p).is_err() {
            return p;
        }
    }
}

/// The file at `path` is still the one `id` names (not replaced by another file or a link).
fn still_same(path: &Path, id: FileId) -> Result<(), Refused> {
    match fs::symlink_metadata(path) {
        Ok(now) if now.file_type().is_file() && FileId::of_path(path).is_ok_and(|now| now.same_as(id)) => {
            Ok(())
        }
        _ => Err(Refused::Changed(msg!("clean-changed-not-file"))),
    }
}

fn sync_parent(path: &Path) {
    if let Some(parent) = path.parent() {
        crate::vault::sync_dir(parent);
    }
}

/// Which file this is on its volume, by identity rather than by times or size: our own
/// overwrite changes the modification time, and a file put in its place may keep the old
/// times (Windows "tunnelling" even restores a creation time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileId {
    /// Unix: device; Windows: volume serial number.
    volume: u64,
    /// Unix: inode; Windows: file index.
    file: u64,
    /// Names (hard links) of the data.
    links: u64,
}

impl FileId {
    fn same_as(self, other: FileId) -> bool {
        self.volume == other.volume && self.file == other.file
    }
}

#[cfg(unix)]
impl FileId {
    fn from_metadata(meta: &fs::Metadata) -> FileId {
        use std::os::unix::fs::MetadataExt;
        FileId { volume: meta.dev(), file: meta.ino(), links: meta.nlink() }
    }
    fn of_path(path: &Path) -> io::Result<FileId> {
        fs::symlink_metadata(path).map(|m| FileId::from_metadata(&m))
    }
    fn of_file(file: &File) -> io::Result<FileId> {
        file.metadata().map(|m| FileId::from_metadata(&m))
    }
}

#[cfg(windows)]
impl FileId {
    fn of_file(file: &File) -> io::Result<FileId> {
        use std::os::windows::io::AsRawHandle;
        use windows_sys::Win32::Storage::FileSystem::{
            GetFileInformationByHandle, BY_HANDLE_FILE_INFORMATION,
        };
        // SAFETY: a valid open handle and a properly sized, writable output struct.
        let info = unsafe {
            let mut info: BY_HANDLE_FILE_INFORMATION = std::mem::zeroed();
            if GetFileInformationByHandle(file.as_raw_handle() as _, &mut info) == 0 {
                return Err(io::Error::last_os_error());
            }
            info
        };
        Ok(FileId {
            volume: u64::from(info.dwVolumeSerialNumber),
            file: (u64::from(info.nFileIndexHigh) << 32) | u64::from(info.nFileIndexLow),
            links: u64::from(info.nNumberOfLinks),
        })
    }
    fn of_path(path: &Path) -> io::Result<FileId> {
        use std::os::windows::fs::OpenOptionsExt;
        const FILE_FLAG_OPEN_REPARSE_POINT: u32 = 0x0020_0000;
        const FILE_FLAG_BACKUP_SEMANTICS: u32 = 0x0200_0000;
        // No access rights needed to ask a file who it is; the link itself, not its target.
        let file = fs::OpenOptions::new()
            .access_mode(0)
            .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT | FILE_FLAG_BACKUP_SEMANTICS)
            .open(path)?;
        FileId::of_file(&file)
    }
}

/// A read-only copy made writable for its removal: the handle that changed its permissions,
/// and the permissions to give back if it is left after all.
struct MadeWritable {
    handle: File,
    original: fs::Permissions,
}

impl MadeWritable {
    fn restore(&self) {
        let _ = self.handle.set_permissions(self.original.clone());
    }
}

/// Opens for reading and writing without following a link. A read-only file of the user's
/// own (its bytes are in the vault, and it is about to go) is made writable first — through
/// a handle opened without following a link and checked to be the file `id` names, never
/// through the path: another user who can write to the folder could swap the name for a
/// link to one of the user's private files in the meantime.
fn open_rw_no_follow(path: &Path, id: FileId) -> Result<(File, Option<MadeWritable>), Refused> {
    let failed = |e: io::Error| Refused::Failed(io_reason(&e));
    let denied = match open_rw(path) {
        Ok(file) => return Ok((file, None)),
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => e,
        Err(e) => return Err(failed(e)),
    };
    crate::durable::pause_point("clean-make-writable");
    let handle = open_attributes_no_follow(path).map_err(|e| match is_link_error(&e) {
        true => Refused::Changed(msg!("clean-changed-not-file")),
        false => failed(e),
    })?;
    let meta = handle.metadata().map_err(failed)?;
    if !meta.is_file() || !FileId::of_file(&handle).is_ok_and(|now| now.same_as(id)) {
        return Err(Refused::Changed(msg!("clean-changed-not-file")));
    }
    let original = meta.permissions();
    if !original.readonly() {
        // Writable, yet not ours to write: not something to change.
        return Err(failed(denied));
    }
    handle.set_permissions(writable(&original)).map_err(failed)?;
    let made = MadeWritable { handle, original };
    // Opened again by name, so it must again be the same file.
    match open_rw(path) {
        Ok(file) if FileId::of_file(&file).is_ok_and(|now| now.same_as(id)) => Ok((file, Some(made))),
        Ok(_) => {
            made.restore();
            Err(Refused::Changed(msg!("clean-changed-not-file")))
        }
        Err(e) => {
            made.restore();
            Err(failed(e))
        }
    }
}

#[cfg(unix)]
fn writable(p: &fs::Permissions) -> fs::Permissions {
    use std::os::unix::fs::PermissionsExt;
    fs::Permissions::from_mode(p.mode() | 0o200)
}

#[cfg(not(unix))]
fn writable(p: &fs::Permissions) -> fs::Permissions {
    let mut p = p.clone();
    #[allow(clippy::permissions_set_readonly_false)]
    p.set_readonly(false);
    p
}

/// A handle that can change the file's permissions (`fchmod` on Unix), opened without
/// following a link.
#[cfg(not(windows))]
fn open_attributes_no_follow(path: &Path) -> io::Result<File> {
    crate::scan::walk::open_no_follow(path)
}

#[cfg(windows)]
fn open_attributes_no_follow(path: &Path) -> io::Result<File> {
    use std::os::windows::fs::OpenOptionsExt;
    const FILE_READ_ATTRIBUTES: u32 = 0x0080;
    const FILE_WRITE_ATTRIBUTES: u32 = 0x0100;
    const FILE_FLAG_OPEN_REPARSE_POINT: u32 = 0x0020_0000;
    let file = fs::OpenOptions::new()
        .access_mode(FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES)
        .custom_flags(FILE_FLAG_OPEN_REPARSE_POINT)
        .open(path)?;
    if file.metadata()?.file_type().is_symlink() {
        return Err(io::Error::other("symbolic link"));
    }
    Ok(file)
}

fn is_link_error(e: &io::Error) -> bool {
    #[cfg(unix)]
    {
        e.raw_os_error() == Some(libc::ELOOP)
    }
    #[cfg(not(unix))]
    {
        e.kind() == io::ErrorKind::Other && e.to_string() == "symbolic link"
    }
}

/// At most `limit` bytes of the regular file at `path`, read without following a link.
fn read_no_follow(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = crate::scan::walk::open_no_follow(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::other("not a regular file"));
    }
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

#[cfg(unix)]
fn open_rw(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new().read(true).write(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(path)
}

#[cfg(windows)]
fn open_rw(path: &Path) -> io::Result<File> {
    use std::os::windows::fs::OpenOptionsExt;
    let file = fs::OpenOptions::new().read(true).write(true).custom_flags(0x0020_0000).open(path)?;
    if file.metadata()?.file_type().is_symlink() {
        return Err(io::Error::other("symbolic link"));
    }
    Ok(file)
}

#[cfg(not(any(unix, windows)))]
fn open_rw(path: &Path) -> io::Result<File> {
    fs::OpenOptions::new().read(true).write(true).open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok_vault(bytes: &[u8]) -> impl FnMut() -> Result<Vec<u8>, Error> + '_ {
        move || Ok(bytes.to_vec())
    }

    #[test]
    fn removes_only_identical_copies() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("a.p12");
        let bytes = b"pretend this is a certificate".to_vec();
        fs::write(&p, &bytes).unwrap();
        // Different bytes of the same length: refused, untouched.
        let mut other = bytes.clone();
        other[3] ^= 1;
        assert!(matches!(remove_copy(&p, &other, &mut ok_vault(&other)), Err(Refused::Changed(_))));
        assert_eq!(fs::read(&p).unwrap(), bytes);
        // The vault no longer opens: refused, untouched.
        let mut gone = || -> Result<Vec<u8>, Error> {
            Err(Error::new(crate::error::ErrorKind::VaultDamaged, msg!("clean-vault-reopen-failed")))
        };
        assert!(matches!(remove_copy(&p, &bytes, &mut gone), Err(Refused::Vault(_))));
        assert_eq!(fs::read(&p).unwrap(), bytes);
        // Identical: removed, nothing left in the folder.
        assert_eq!(
            remove_copy(&p, &bytes, &mut ok_vault(&bytes)),
            Ok(Removed { overwritten: true, other_links: 0 })
        );
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
    }

    #[cfg(unix)]
    #[test]
    fn links_are_not_followed_and_hard_links_keep_their_data() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = tmp.path().join("outside.p12");
        let bytes = b"certificate bytes".to_vec();
        fs::write(&outside, &bytes).unwrap();
        let link = tmp.path().join("link.p12");
        std::os::unix::fs::symlink(&outside, &link).unwrap();
        assert!(matches!(remove_copy(&link, &bytes, &mut ok_vault(&bytes)), Err(Refused::Changed(_))));
        assert_eq!(fs::read(&outside).unwrap(), bytes);

        let hard = tmp.path().join("hard.p12");
        fs::hard_link(&outside, &hard).unwrap();
        assert_eq!(
            remove_copy(&hard, &bytes, &mut ok_vault(&bytes)),
            Ok(Removed { overwritten: false, other_links: 1 })
        );
        assert!(!hard.exists());
        assert_eq!(fs::read(&outside).unwrap(), bytes, "the other name keeps its data");
    }

    #[cfg(unix)]
    #[test]
    fn read_only_copies_of_ones_own_are_removed() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("ro.p12");
        fs::write(&p, b"bytes").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o400)).unwrap();
        assert!(remove_copy(&p, b"bytes", &mut ok_vault(b"bytes")).is_ok());
        assert!(!p.exists());
    }
}
