//! Crash-safe writes to a vault folder (vault-format/SPEC.md §11): a file appears under its
//! name only when it is complete, and a replaced file is at every moment either the old or the
//! new one, also on FAT, which cannot rename over an existing name.
//!
//! The sequences are written against [`Medium`], so that the same code runs on the real file
//! system ([`Folder`]) and, in the tests, on a FAT image written through the `fatfs` crate
//! with a power cut after every single sector write (`tests/crash_fat.rs`).
//!
//! Debug builds and the `test-hooks` feature only: `CERTVAULT_TEST_FAIL_AT=STEP:NAME` makes the named step fail with an
//! injected I/O error ([`fail_point`]), and `CERTVAULT_TEST_CHEAP_KDF=1` makes new vaults use
//! tiny KDF parameters ([`new_vault_kdf`]), and `CERTVAULT_TEST_PAUSE_AT=POINT:FILE` stops at a
//! named point until the test lets go ([`pause_point`]). None exists in a release build.

use std::fs::{self, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// Present in a folder while `init` or `clone` is filling it: a folder with this file and no
/// `vault.json` is an interrupted creation whose files may be removed (SPEC.md §11).
pub const INCOMPLETE_MARKER: &str = ".certvault-incomplete";

/// The name a replaced file is moved to while its successor is renamed into place.
pub fn old_name(name: &str) -> String {
    format!("{name}.old")
}

/// The temporary name `name` is written under (ignored by readers, SPEC.md §11).
pub fn temp_name(name: &str) -> String {
    format!(".certvault-{name}.tmp")
}

/// A temporary name of ours, or its FAT short alias (`CERTVA~1.TMP`), which is all that is
/// left when a power cut tore the long-name entries of a temporary file. SPEC.md §11 lets
/// writers delete `*.tmp` files; these are the only ones certvault deletes.
fn is_temp_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    (lower.starts_with(".certvault-") && lower.ends_with(".tmp"))
        || (lower.ends_with(".tmp") && lower.contains('~') && lower.len() <= 12)
}

/// The files that are ever replaced (the others are only created and removed).
const REPLACED: &[&str] = &[vault_format::UNLOCK_FILE_NAME, vault_format::HEADER_FILE_NAME];

/// The few operations the write sequences need from a folder.
pub trait Medium {
    fn exists(&self, name: &str) -> bool;
    /// Creates `name` (which must not exist), writes `bytes` and flushes them to the medium.
    /// A failure may leave a partial file behind.
    fn create_synced(&self, name: &str, bytes: &[u8]) -> io::Result<()>;
    fn read(&self, name: &str) -> io::Result<Vec<u8>>;
    /// Renames `from` to `to`, which does not exist (FAT cannot replace in a rename).
    fn rename(&self, from: &str, to: &str) -> io::Result<()>;
    fn remove(&self, name: &str) -> io::Result<()>;
    /// Flushes the folder's entries, where the OS allows.
    fn sync(&self);
    fn names(&self) -> io::Result<Vec<String>>;
}

/// The most [`Folder::read`] reads of `name`: a vault's files are small, and a hostile or
/// damaged stick must not make a reader take gigabytes of memory.
fn read_limit(name: &str) -> u64 {
    if name.starts_with(vault_format::HEADER_FILE_NAME) {
        vault_format::header::MAX_HEADER_BYTES as u64
    } else if name.starts_with(vault_format::UNLOCK_FILE_NAME) {
        // An age scrypt file of a plaintext of at most 4 KiB (SPEC.md §6.3), with room to spare.
        64 * 1024
    } else {
        64 * 1024 * 1024
    }
}

/// Reads the regular file `path` whole, refusing anything else (a FIFO would block forever,
/// a device such as `/dev/zero` never ends: both are opened without blocking and refused) and
/// any file larger than `limit` bytes, which is never read past the limit.
pub fn read_regular(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(crate::error::io_message(
            io::ErrorKind::InvalidData,
            crate::msg!("err-not-regular-file"),
        ));
    }
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(crate::error::io_message(
            io::ErrorKind::InvalidData,
            crate::msg!("err-file-too-large", limit = limit),
        ));
    }
    Ok(bytes)
}

/// A folder of the real file system.
pub struct Folder<'a>(pub &'a Path);

impl Folder<'_> {
    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Medium for Folder<'_> {
    fn exists(&self, name: &str) -> bool {
        fs::symlink_metadata(self.path(name)).is_ok()
    }

    fn create_synced(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        // Owner only, whatever the umask (SECURITY.md, secrets hygiene; tests/secrets.rs).
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options.open(self.path(name))?;
        fail_point("write", name, || {
            // A torn write: half the bytes reach the file, then the medium fails.
            let _ = f.write_all(&bytes[..bytes.len() / 2]);
        })?;
        f.write_all(bytes)?;
        fail_point("fsync", name, || ())?;
        f.sync_all()
    }

    fn read(&self, name: &str) -> io::Result<Vec<u8>> {
        read_regular(&self.path(name), read_limit(name))
    }

    fn rename(&self, from: &str, to: &str) -> io::Result<()> {
        fail_point("rename", to, || ())?;
        if self.exists(to) {
            return Err(io::Error::new(io::ErrorKind::AlreadyExists, format!("{to} exists")));
        }
        fs::rename(self.path(from), self.path(to))
    }

    fn remove(&self, name: &str) -> io::Result<()> {
        fail_point("remove", name, || ())?;
        fs::remove_file(self.path(name))
    }

    fn sync(&self) {
        #[cfg(unix)]
        if let Ok(d) = fs::File::open(self.0) {
            let _ = d.sync_all();
        }
    }

    fn names(&self) -> io::Result<Vec<String>> {
        Ok(fs::read_dir(self.0)?.flatten().filter_map(|e| e.file_name().into_string().ok()).collect())
    }
}

/// Writes `name`, which must not exist yet: under [`temp_name`], flushed, then renamed. On
/// failure nothing new is left under `name` and the temporary file is removed.
pub fn write_new(m: &impl Medium, name: &str, bytes: &[u8]) -> io::Result<()> {
    if m.exists(name) {
        return Err(io::Error::new(io::ErrorKind::AlreadyExists, format!("{name} exists")));
    }
    let tmp = temp_name(name);
    if m.exists(&tmp) {
        m.remove(&tmp)?;
    }
    let result = m.create_synced(&tmp, bytes).and_then(|_| m.rename(&tmp, name));
    if result.is_err() {
        let _ = m.remove(&tmp);
    }
    result?;
    m.sync();
    Ok(())
}

/// Replaces `name` with `bytes` so that, whenever the process dies or the stick is pulled,
/// the old content or the new one survives under `name`, [`old_name`] or [`new_name`], also
/// on FAT, where an interrupted rename can lose the entry it was renaming:
///
/// 1. the new content is written under [`temp_name`] and flushed;
/// 2. temporary → `name.new` (now known complete);
/// 3. `name` → `name.old`;
/// 4. `name.new` → `name` (the commit);
/// 5. `name.old` is removed.
///
/// [`recover`] finishes or undoes an interrupted sequence; [`read_current`] lets a reader that
/// holds no write lock see meanwhile what the repair will give.
pub fn replace(m: &impl Medium, name: &str, bytes: &[u8]) -> io::Result<()> {
    if !m.exists(name) {
        return write_new(m, name, bytes);
    }
    let (tmp, old, new) = (temp_name(name), old_name(name), new_name(name));
    for leftover in [&tmp, &old, &new] {
        if m.exists(leftover) {
            m.remove(leftover)?;
        }
    }
    if let Err(e) = m.create_synced(&tmp, bytes).and_then(|_| m.rename(&tmp, &new)) {
        let _ = m.remove(&tmp);
        return Err(e);
    }
    m.sync();
    let swapped = m.rename(name, &old).and_then(|_| {
        m.sync();
        m.rename(&new, name)
    });
    if let Err(e) = swapped {
        // Undo: the old content goes back under its name.
        if !m.exists(name) && m.exists(&old) {
            let _ = m.rename(&old, name);
        }
        let _ = m.remove(&new);
        m.sync();
        return Err(e);
    }
    m.sync();
    // The new content is in place; a failure here only leaves `name.old` for `recover`.
    let _ = m.remove(&old);
    m.sync();
    Ok(())
}

/// The name a replacement's new content has once it is complete, before the commit.
pub fn new_name(name: &str) -> String {
    format!("{name}.new")
}

/// Reads `name`, or, when a replacement was interrupted between its renames, what
/// [`recover`] would put there: `name.new` if it is there (complete by construction), else
/// `name.old`. Readers cannot repair (they hold no write lock) but see what the repair will
/// give, so that a vault opens to exactly the old or the new state.
pub fn read_current(m: &impl Medium, name: &str) -> io::Result<Vec<u8>> {
    match m.read(name) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let (new, old) = (new_name(name), old_name(name));
            if m.exists(&new) {
                m.read(&new)
            } else if m.exists(&old) {
                m.read(&old)
            } else {
                Err(e)
            }
        }
        other => other,
    }
}

/// What [`recover`] did, for tests and messages.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Recovered {
    /// Files put back under their name from `NAME.old` (an interrupted replacement undone).
    pub restored: Vec<String>,
    /// Leftover files removed (temporary files, superseded `NAME.old`, a stale marker).
    pub removed: Vec<String>,
}

/// Cleans up after interrupted writes; run by every writer under the exclusive lock before it
/// writes. An interrupted replacement is finished when its new content is complete
/// (`name.new`), undone otherwise (`name.old` back); temporary files are removed.
pub fn recover(m: &impl Medium) -> Recovered {
    let mut done = Recovered::default();
    let Ok(names) = m.names() else { return done };
    let has = |n: &str| names.iter().any(|x| x.eq_ignore_ascii_case(n));
    for base in REPLACED {
        let (old, new) = (old_name(base), new_name(base));
        if !has(base) {
            // Interrupted between the renames: the complete new content wins, else the old.
            let from = if has(&new) { new.clone() } else { old.clone() };
            if has(&from) && m.rename(&from, base).is_ok() {
                done.restored.push(base.to_string());
            }
        }
        for leftover in [old, new] {
            if has(&leftover) && m.exists(&leftover) && m.remove(&leftover).is_ok() {
                done.removed.push(leftover);
            }
        }
    }
    for name in &names {
        if is_temp_name(name) && m.remove(name).is_ok() {
            done.removed.push(name.clone());
        }
    }
    if has(vault_format::HEADER_FILE_NAME) && has(INCOMPLETE_MARKER) && m.remove(INCOMPLETE_MARKER).is_ok() {
        done.removed.push(INCOMPLETE_MARKER.to_string());
    }
    m.sync();
    done
}

/// Whether `name` is one that an interrupted `init` or `clone` may have left in its folder.
pub fn is_creation_leftover(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    is_temp_name(name)
        || name == INCOMPLETE_MARKER
        || vault_format::parse_generation_file_name(name).is_some()
        || [
            vault_format::README_FILE_NAME.to_ascii_lowercase(),
            vault_format::UNLOCK_FILE_NAME.to_string(),
            old_name(vault_format::UNLOCK_FILE_NAME),
            new_name(vault_format::UNLOCK_FILE_NAME),
            crate::vault::LOCK_FILE_NAME.to_string(),
            vault_format::PROGRAM_DIR_NAME.to_string(),
        ]
        .contains(&lower)
}

// ---------------------------------------------------------------------------------------------
// Test switches (debug builds and the `test-hooks` feature only)

/// The variable naming the step to fail: `STEP:NAME`, STEP one of `write` (half the bytes are
/// written, then the error), `fsync`, `rename` (NAME is the target), `remove`, or a command's
/// own step such as `verify`; NAME a file name or `*`.
pub const FAIL_AT_VAR: &str = "CERTVAULT_TEST_FAIL_AT";
/// `1` makes new vaults use tiny KDF parameters (debug builds and `test-hooks` only).
pub const CHEAP_KDF_VAR: &str = "CERTVAULT_TEST_CHEAP_KDF";

/// Fails with an injected I/O error when [`FAIL_AT_VAR`] names this step (debug builds and `test-hooks` only;
/// a release build has no such switch). `before` runs first, to leave a realistic half-done
/// state.
#[cfg(any(debug_assertions, test, feature = "test-hooks"))]
pub fn fail_point(step: &str, name: &str, before: impl FnOnce()) -> io::Result<()> {
    let Some(spec) = std::env::var_os(FAIL_AT_VAR) else { return Ok(()) };
    let spec = spec.to_string_lossy();
    let Some((s, n)) = spec.split_once(':') else { return Ok(()) };
    if s == step && (n == "*" || n.eq_ignore_ascii_case(name)) {
        before();
        return Err(io::Error::other(format!("injected failure at {step}:{name} ({FAIL_AT_VAR})")));
    }
    Ok(())
}

#[cfg(not(any(debug_assertions, test, feature = "test-hooks")))]
#[inline(always)]
pub fn fail_point(_step: &str, _name: &str, _before: impl FnOnce()) -> io::Result<()> {
    Ok(())
}

/// The variable naming a point to stop at: `POINT:FILE`.
pub const PAUSE_AT_VAR: &str = "CERTVAULT_TEST_PAUSE_AT";

/// When [`PAUSE_AT_VAR`] names this point, creates FILE and waits (at most a minute) until
/// the test removes it, so that a test can act at exactly this moment: change files before a
/// removal (`clean-make-writable`), or type while the program is between two keys
/// (`code-key`). Debug builds and `test-hooks` only; a release build has no such switch.
#[cfg(any(debug_assertions, test, feature = "test-hooks"))]
pub fn pause_point(point: &str) {
    let Some(spec) = std::env::var_os(PAUSE_AT_VAR) else { return };
    let spec = spec.to_string_lossy();
    let Some((p, file)) = spec.split_once(':') else { return };
    if p != point || fs::write(file, b"").is_err() {
        return;
    }
    let until = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while Path::new(file).exists() && std::time::Instant::now() < until {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[cfg(not(any(debug_assertions, test, feature = "test-hooks")))]
#[inline(always)]
pub fn pause_point(_point: &str) {}

/// The KDF parameters and scrypt work factor (log2 N) for a new vault or passphrase: always
/// the defaults of SPEC.md §4.2 and §6.2 in a release build.
pub fn new_vault_kdf() -> (vault_format::KdfParams, u8) {
    #[cfg(any(debug_assertions, test, feature = "test-hooks"))]
    if std::env::var_os(CHEAP_KDF_VAR).is_some_and(|v| v == "1") {
        let tiny = vault_format::Argon2Params::new(8, 1, 1);
        return (vault_format::KdfParams::both(tiny), 10);
    }
    (vault_format::KdfParams::default(), vault_format::unlock::UNLOCK_WORK_FACTOR)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v = Folder(dir).names().unwrap();
        v.sort();
        v
    }

    #[test]
    fn write_new_never_replaces_and_leaves_no_temporary() {
        let tmp = tempfile::tempdir().unwrap();
        let m = Folder(tmp.path());
        write_new(&m, "vault-1.age", b"one").unwrap();
        let e = write_new(&m, "vault-1.age", b"two").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(m.read("vault-1.age").unwrap(), b"one");
        assert_eq!(names(tmp.path()), ["vault-1.age"]);
    }

    #[test]
    fn replace_then_recover_from_each_interrupted_state() {
        let tmp = tempfile::tempdir().unwrap();
        let m = Folder(tmp.path());
        write_new(&m, "unlock.age", b"old").unwrap();
        replace(&m, "unlock.age", b"new").unwrap();
        assert_eq!(names(tmp.path()), ["unlock.age"]);
        assert_eq!(m.read("unlock.age").unwrap(), b"new");

        // Killed after `name` → `name.old`: readers see both; recovery takes the complete new.
        fs::rename(tmp.path().join("unlock.age"), tmp.path().join("unlock.age.old")).unwrap();
        fs::write(tmp.path().join("unlock.age.new"), b"newer").unwrap();
        fs::write(tmp.path().join(".certvault-unlock.age.tmp"), b"newe").unwrap();
        assert_eq!(read_current(&m, "unlock.age").unwrap(), b"newer");
        let r = recover(&m);
        assert_eq!(r.restored, ["unlock.age"]);
        assert_eq!(names(tmp.path()), ["unlock.age"]);
        assert_eq!(m.read("unlock.age").unwrap(), b"newer");

        // Killed before `name.new` existed: the old content goes back.
        fs::rename(tmp.path().join("unlock.age"), tmp.path().join("unlock.age.old")).unwrap();
        let r = recover(&m);
        assert_eq!(r.restored, ["unlock.age"]);
        assert_eq!(m.read("unlock.age").unwrap(), b"newer");

        // Killed after the commit, before the old file was removed: recovery finishes.
        fs::write(tmp.path().join("unlock.age.old"), b"older").unwrap();
        let r = recover(&m);
        assert_eq!(r.removed, ["unlock.age.old"]);
        assert_eq!(m.read("unlock.age").unwrap(), b"newer");
    }

    #[test]
    fn new_vaults_get_the_spec_parameters_unless_a_debug_build_is_told_otherwise() {
        // The test process never sets CHEAP_KDF_VAR; only the crash harness's children do.
        assert!(std::env::var_os(CHEAP_KDF_VAR).is_none());
        let (kdf, log_n) = new_vault_kdf();
        assert_eq!(kdf, vault_format::KdfParams::default());
        assert_eq!(log_n, vault_format::unlock::UNLOCK_WORK_FACTOR);
    }

    #[test]
    fn fat_short_aliases_of_temporary_files_are_temporary_too() {
        assert!(is_temp_name(".certvault-vault-3.age.tmp"));
        assert!(is_temp_name("CERTVA~1.TMP"));
        assert!(is_temp_name("CERTV~12.TMP"));
        assert!(!is_temp_name("notes.tmp"));
        assert!(!is_temp_name("vault-3.age"));
    }

    #[test]
    fn leftovers_of_a_creation_are_recognised() {
        for name in
            ["README.txt", "unlock.age", "vault-7.age", ".certvault-vault.json.tmp", INCOMPLETE_MARKER]
        {
            assert!(is_creation_leftover(name), "{name}");
        }
        for name in ["vault.json", "notes.txt", "vault-01.age", "photo.jpg"] {
            assert!(!is_creation_leftover(name), "{name}");
        }
    }
}
