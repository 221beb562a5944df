//! Handing a secret to a child process (`pk12util`, `certutil`) as a path it opens, without
//! argv, environment variables or a copy on disk:
//!
//! * passwords go through a pipe (`/dev/fd/N`): NSS reads its password files once, up to the
//!   first line end, and the pipe is empty afterwards;
//! * the certificate file, which `pk12util` must be able to size, goes into an anonymous
//!   memory file (Linux `memfd_create`), also passed as `/dev/fd/N`;
//! * where there is no memfd, into a 0600 file in a private 0700 folder that is overwritten
//!   and removed when dropped, and, as a last resort, by [`wipe_registered`].
//!
//! The descriptors are close-on-exec; only the child that needs them gets them, by clearing
//! the flag between fork and exec.

use std::fs::File;
use std::io::{self, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use zeroize::Zeroizing;

/// NSS reads at most this many bytes of a password file.
const MAX_PASSWORD_LINE: usize = 4000;

/// Private folders alive now, for the Ctrl-C handler.
static REGISTERED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A secret a child process can open at [`Handoff::path`].
pub struct Handoff {
    kind: Kind,
    path: PathBuf,
}

enum Kind {
    /// The read end of a pipe that already holds the secret.
    Pipe(OwnedFd),
    /// An anonymous memory file.
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    Memory { file: File, len: usize },
    /// A file in a private folder, wiped when dropped.
    Temp { _file: PrivateFile },
}

impl Handoff {
    /// A password, as one line, for NSS's `-w`, `-k` and `-f` password files.
    pub fn password(secret: &str) -> io::Result<Handoff> {
        if secret.len() > MAX_PASSWORD_LINE || secret.contains(['\n', '\r', '\0']) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "password has a line break or is too long",
            ));
        }
        let (read, write) = cloexec_pipe()?;
        let mut line = Zeroizing::new(Vec::with_capacity(secret.len() + 1));
        line.extend_from_slice(secret.as_bytes());
        line.push(b'\n');
        // Far below the pipe's capacity: written whole before the child starts.
        let mut writer = File::from(write);
        writer.write_all(&line)?;
        drop(writer);
        let path = fd_path(read.as_raw_fd());
        Ok(Handoff { kind: Kind::Pipe(read), path })
    }

    /// File contents with a size (what `pk12util -i` and `certutil -i` need).
    pub fn file(bytes: &[u8]) -> io::Result<Handoff> {
        #[cfg(target_os = "linux")]
        {
            match memory_file(bytes) {
                Ok(h) => return Ok(h),
                // Kernels without memfd (before 3.17) or sandboxes that forbid it.
                Err(e) if e.raw_os_error() == Some(libc::ENOSYS) || e.raw_os_error() == Some(libc::EPERM) => {
                }
                Err(e) => return Err(e),
            }
        }
        Handoff::temp_file(bytes)
    }

    /// An empty file for a child to write into (`pk12util -o`), read back with
    /// [`Handoff::read_back`]: in memory like [`Handoff::file`], never a file on disk where
    /// there is memfd.
    pub fn output() -> io::Result<Handoff> {
        Handoff::file(&[])
    }

    /// What the child wrote into an [`Handoff::output`], at most `limit` bytes.
    pub fn read_back(&self, limit: u64) -> io::Result<Zeroizing<Vec<u8>>> {
        use std::io::Read;
        let too_large = || io::Error::new(io::ErrorKind::InvalidData, "the exported file is too large");
        match &self.kind {
            Kind::Memory { file, .. } => {
                use std::os::unix::fs::FileExt;
                let len = file.metadata()?.len();
                if len > limit {
                    return Err(too_large());
                }
                let mut out = Zeroizing::new(vec![0u8; len as usize]);
                file.read_exact_at(&mut out, 0)?;
                Ok(out)
            }
            Kind::Temp { .. } => {
                let mut out = Zeroizing::new(Vec::new());
                File::open(&self.path)?.take(limit + 1).read_to_end(&mut out)?;
                if out.len() as u64 > limit {
                    return Err(too_large());
                }
                Ok(out)
            }
            Kind::Pipe(_) => Err(io::Error::new(io::ErrorKind::Unsupported, "a pipe is not read back")),
        }
    }

    /// The fallback of [`Handoff::file`]: a 0600 file in a private 0700 folder.
    pub fn temp_file(bytes: &[u8]) -> io::Result<Handoff> {
        let file = PrivateFile::create(bytes)?;
        let path = file.path.clone();
        Ok(Handoff { kind: Kind::Temp { _file: file }, path })
    }

    /// What the child opens.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn fd(&self) -> Option<RawFd> {
        match &self.kind {
            Kind::Pipe(fd) => Some(fd.as_raw_fd()),
            Kind::Memory { file, .. } => Some(file.as_raw_fd()),
            Kind::Temp { .. } => None,
        }
    }
}

impl Drop for Handoff {
    fn drop(&mut self) {
        if let Kind::Memory { file, len } = &mut self.kind {
            // The pages go with the last descriptor; clear them first all the same.
            use std::os::unix::fs::FileExt;
            // A child may have written more than was put in (an output).
            let len = file.metadata().map_or(*len, |m| (m.len() as usize).max(*len));
            let _ = file.write_all_at(&vec![0u8; len], 0);
            let _ = file.set_len(0);
        }
    }
}

/// Lets `cmd`'s child inherit the descriptors of `handoffs` (and no other of ours).
pub fn pass_to(cmd: &mut Command, handoffs: &[&Handoff]) {
    let fds: Vec<RawFd> = handoffs.iter().filter_map(|h| h.fd()).collect();
    if fds.is_empty() {
        return;
    }
    // SAFETY: between fork and exec only fcntl, which is async-signal-safe, runs; the closure
    // owns its Vec and allocates nothing.
    unsafe {
        cmd.pre_exec(move || {
            for &fd in &fds {
                if libc::fcntl(fd, libc::F_SETFD, 0) == -1 {
                    return Err(io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
}

fn fd_path(fd: RawFd) -> PathBuf {
    PathBuf::from(format!("/dev/fd/{fd}"))
}

fn cloexec_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: `fds` has room for the two descriptors pipe() writes.
    #[cfg(any(
        target_os = "linux",
        target_os = "android",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd"
    ))]
    let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    #[cfg(not(any(
        target_os = "linux",
        target_os = "android",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "openbsd"
    )))]
    let rc = unsafe {
        let rc = libc::pipe(fds.as_mut_ptr());
        if rc == 0 {
            libc::fcntl(fds[0], libc::F_SETFD, libc::FD_CLOEXEC);
            libc::fcntl(fds[1], libc::F_SETFD, libc::FD_CLOEXEC);
        }
        rc
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: both descriptors were just created and are owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

#[cfg(target_os = "linux")]
fn memory_file(bytes: &[u8]) -> io::Result<Handoff> {
    // SAFETY: a valid NUL-terminated name; the returned descriptor is owned below.
    let fd = unsafe { libc::memfd_create(c"certvault-restore".as_ptr(), libc::MFD_CLOEXEC) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` was just created and is owned by nobody else.
    let mut file = unsafe { File::from_raw_fd(fd) };
    file.write_all(bytes)?;
    let path = fd_path(fd);
    Ok(Handoff { kind: Kind::Memory { file, len: bytes.len() }, path })
}

/// A 0600 file in a fresh 0700 folder under the temp folder.
struct PrivateFile {
    dir: PathBuf,
    path: PathBuf,
}

impl PrivateFile {
    fn create(bytes: &[u8]) -> io::Result<PrivateFile> {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        let dir = std::env::temp_dir().join(format!(
            ".certvault-{}-{:016x}",
            std::process::id(),
            rand::RngCore::next_u64(&mut rand::rngs::OsRng)
        ));
        std::fs::DirBuilder::new().mode(0o700).create(&dir)?;
        REGISTERED.lock().unwrap_or_else(|e| e.into_inner()).push(dir.clone());
        let path = dir.join("secret");
        let mut private = PrivateFile { dir, path };
        let written = (|| {
            let mut f =
                std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&private.path)?;
            f.write_all(bytes)?;
            f.sync_all()
        })();
        if let Err(e) = written {
            private.wipe();
            return Err(e);
        }
        Ok(private)
    }

    fn wipe(&mut self) {
        wipe_dir(&self.dir);
        REGISTERED.lock().unwrap_or_else(|e| e.into_inner()).retain(|d| d != &self.dir);
    }
}

impl Drop for PrivateFile {
    fn drop(&mut self) {
        self.wipe();
    }
}

/// Overwrites every file of `dir` with zeros, removes it, then the folder.
fn wipe_dir(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if let Ok(meta) = std::fs::symlink_metadata(&path) {
                if meta.is_file() {
                    if let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(&path) {
                        let _ = f.write_all(&vec![0u8; meta.len() as usize]);
                        let _ = f.sync_all();
                    }
                }
            }
            let _ = std::fs::remove_file(&path);
        }
    }
    let _ = std::fs::remove_dir(dir);
}

/// Wipes every private folder still alive (the Ctrl-C handler calls this before exiting).
pub fn wipe_registered() {
    let dirs = std::mem::take(&mut *REGISTERED.lock().unwrap_or_else(|e| e.into_inner()));
    for dir in dirs {
        wipe_dir(&dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::process::Stdio;

    fn child_reads(h: &Handoff) -> Vec<u8> {
        let mut cmd = Command::new("cat");
        cmd.arg(h.path()).stdin(Stdio::null());
        pass_to(&mut cmd, &[h]);
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    }

    #[test]
    fn a_password_reaches_the_child_through_a_pipe_once() {
        let h = Handoff::password("4821").unwrap();
        assert!(h.path().starts_with("/dev/fd/"));
        assert_eq!(child_reads(&h), b"4821\n");
        assert!(Handoff::password("a\nb").is_err());
    }

    #[test]
    fn a_file_reaches_the_child_without_a_file_on_disk() {
        let bytes: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        let h = Handoff::file(&bytes).unwrap();
        assert_eq!(child_reads(&h), bytes);
        #[cfg(target_os = "linux")]
        assert!(h.path().starts_with("/dev/fd/"));
    }

    #[test]
    fn a_child_writes_into_an_output_that_is_read_back() {
        for h in [Handoff::output().unwrap(), Handoff::temp_file(b"").unwrap()] {
            let mut cmd = Command::new("sh");
            cmd.arg("-c").arg("printf 'exported' > \"$0\"").arg(h.path()).stdin(Stdio::null());
            pass_to(&mut cmd, &[&h]);
            assert!(cmd.status().unwrap().success());
            assert_eq!(&h.read_back(100).unwrap()[..], b"exported");
            assert!(h.read_back(3).is_err(), "over the limit");
        }
    }

    #[test]
    fn descriptors_are_not_inherited_without_pass_to() {
        let h = Handoff::password("secret").unwrap();
        let out = Command::new("cat").arg(h.path()).stdin(Stdio::null()).output().unwrap();
        assert!(!out.status.success());
    }

    #[test]
    fn the_fallback_file_is_private_and_wiped() {
        let h = Handoff::temp_file(b"p12 bytes").unwrap();
        let path = h.path().to_path_buf();
        let dir = path.parent().unwrap().to_path_buf();
        assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(child_reads(&h), b"p12 bytes");
        drop(h);
        assert!(!dir.exists());

        let h = Handoff::temp_file(b"again").unwrap();
        let dir = h.path().parent().unwrap().to_path_buf();
        wipe_registered();
        assert!(!dir.exists(), "the Ctrl-C path removes it too");
    }
}
