//! Unix: reading a folder with `readdir` and opening its files with `openat` relative to the
//! folder's descriptor. Compared with `std::fs::read_dir` + `File::open(path)` this saves an
//! allocation per entry and the kernel's walk of the whole path per file, which is most of the
//! scan's cost besides the unavoidable open/read/close.

use std::ffi::{CStr, CString, OsStr};
use std::fs::File;
use std::io;
use std::os::fd::FromRawFd;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// An open folder.
pub struct Dir {
    dir: *mut libc::DIR,
}

/// What `readdir` says an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryType {
    File,
    Dir,
    Symlink,
    Other,
    /// The file system does not say (`DT_UNKNOWN`): ask with [`Dir::stat`].
    Unknown,
}

/// Owner and device of a folder, for the fences.
#[derive(Debug, Clone, Copy)]
pub struct Stat {
    pub uid: u32,
    pub dev: u64,
    pub kind: EntryType,
}

impl Dir {
    /// Opens the folder `path` without following a link in its last component.
    pub fn open(path: &Path) -> io::Result<Dir> {
        let c = CString::new(path.as_os_str().as_bytes())
            .map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
        let flags =
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC | libc::O_NONBLOCK;
        // SAFETY: `c` is a valid NUL-terminated string; the descriptor is owned by the DIR.
        unsafe {
            let fd = libc::open(c.as_ptr(), flags);
            if fd < 0 {
                return Err(io::Error::last_os_error());
            }
            let dir = libc::fdopendir(fd);
            if dir.is_null() {
                let e = io::Error::last_os_error();
                libc::close(fd);
                return Err(e);
            }
            Ok(Dir { dir })
        }
    }

    /// The next entry other than `.` and `..`: its type, with its name copied into `name`
    /// (NUL-terminated, see [`name_of`]).
    pub fn next_entry(&mut self, name: &mut Vec<u8>) -> Option<io::Result<EntryType>> {
        loop {
            clear_errno();
            // SAFETY: `self.dir` is an open DIR used by this thread only; the entry is copied
            // out before the next readdir.
            let ent = unsafe { libc::readdir(self.dir) };
            if ent.is_null() {
                let e = io::Error::last_os_error();
                return match e.raw_os_error() {
                    Some(0) | None => None,
                    Some(_) => Some(Err(e)),
                };
            }
            // SAFETY: d_name is NUL-terminated.
            let (entry_name, d_type) = unsafe { (CStr::from_ptr((*ent).d_name.as_ptr()), (*ent).d_type) };
            let bytes = entry_name.to_bytes_with_nul();
            if bytes == b".\0" || bytes == b"..\0" {
                continue;
            }
            name.clear();
            name.extend_from_slice(bytes);
            let kind = match d_type {
                libc::DT_REG => EntryType::File,
                libc::DT_DIR => EntryType::Dir,
                libc::DT_LNK => EntryType::Symlink,
                libc::DT_UNKNOWN => EntryType::Unknown,
                _ => EntryType::Other,
            };
            return Some(Ok(kind));
        }
    }

    fn fd(&self) -> libc::c_int {
        // SAFETY: `self.dir` is open.
        unsafe { libc::dirfd(self.dir) }
    }

    /// `fstatat` of an entry, not following links.
    pub fn stat(&self, c: &CStr) -> io::Result<Stat> {
        // SAFETY: zeroed `stat` is a valid out-parameter; `c` is NUL-terminated.
        unsafe {
            let mut st: libc::stat = std::mem::zeroed();
            if libc::fstatat(self.fd(), c.as_ptr(), &mut st, libc::AT_SYMLINK_NOFOLLOW) != 0 {
                return Err(io::Error::last_os_error());
            }
            let kind = match st.st_mode & libc::S_IFMT {
                libc::S_IFREG => EntryType::File,
                libc::S_IFDIR => EntryType::Dir,
                libc::S_IFLNK => EntryType::Symlink,
                _ => EntryType::Other,
            };
            Ok(Stat { uid: st.st_uid, dev: st.st_dev as u64, kind })
        }
    }

    /// Opens the file `name` in this folder for reading: not following a link, not blocking on
    /// a FIFO, and (Linux) not updating its access time where the user may ask for that.
    pub fn open_file(&self, c: &CStr) -> io::Result<File> {
        let flags = libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC;
        // SAFETY: `c` is NUL-terminated; a descriptor returned by openat is owned by the File.
        unsafe {
            #[cfg(any(target_os = "linux", target_os = "android"))]
            {
                let fd = libc::openat(self.fd(), c.as_ptr(), flags | libc::O_NOATIME);
                if fd >= 0 {
                    return Ok(File::from_raw_fd(fd));
                }
                // O_NOATIME is for the file's owner only.
                if io::Error::last_os_error().raw_os_error() != Some(libc::EPERM) {
                    return Err(io::Error::last_os_error());
                }
            }
            let fd = libc::openat(self.fd(), c.as_ptr(), flags);
            if fd < 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(File::from_raw_fd(fd))
        }
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        // SAFETY: opened by fdopendir, closed once.
        unsafe {
            libc::closedir(self.dir);
        }
    }
}

/// The name [`Dir::next_entry`] copied: as a C string and as an `OsStr`.
pub fn name_of(buf: &[u8]) -> (&CStr, &OsStr) {
    let c = CStr::from_bytes_with_nul(buf).expect("copied with its NUL");
    (c, OsStr::from_bytes(c.to_bytes()))
}

fn clear_errno() {
    // SAFETY: the thread-local errno is always writable.
    #[cfg(any(target_os = "linux", target_os = "android", target_os = "emscripten"))]
    unsafe {
        *libc::__errno_location() = 0;
    }
    #[cfg(any(target_os = "macos", target_os = "ios", target_os = "freebsd", target_os = "dragonfly"))]
    unsafe {
        *libc::__error() = 0;
    }
}
