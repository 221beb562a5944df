//! Unix: reading a folder with `getdents`/`readdir` and opening its files with `openat`
//! relative to the folder's descriptor (through `rustix`, no `unsafe` here). Compared with
//! `std::fs::read_dir` + `File::open(path)` this saves the kernel's walk of the whole path per
//! file, which is most of the scan's cost besides the unavoidable open/read/close.

use std::ffi::{CStr, CString, OsStr};
use std::fs::File;
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use rustix::fs::{openat, statat, AtFlags, FileType, Mode, OFlags, CWD};

/// An open folder.
pub struct Dir {
    entries: rustix::fs::Dir,
}

/// What the folder listing says an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryType {
    File,
    Dir,
    Symlink,
    Other,
    /// The file system does not say (`DT_UNKNOWN`): ask with [`Dir::stat`].
    Unknown,
}

impl EntryType {
    fn of(file_type: FileType) -> EntryType {
        match file_type {
            FileType::RegularFile => EntryType::File,
            FileType::Directory => EntryType::Dir,
            FileType::Symlink => EntryType::Symlink,
            FileType::Unknown => EntryType::Unknown,
            _ => EntryType::Other,
        }
    }
}

/// One entry of a folder: its name and what the listing says it is.
pub struct Entry {
    name: CString,
    pub kind: EntryType,
}

impl Entry {
    /// The name, for the `*at` calls of [`Dir`].
    pub fn c_name(&self) -> &CStr {
        &self.name
    }

    pub fn name(&self) -> &OsStr {
        OsStr::from_bytes(self.name.to_bytes())
    }
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
        let flags =
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK;
        let fd: OwnedFd = openat(CWD, path, flags, Mode::empty())?;
        Ok(Dir { entries: rustix::fs::Dir::new(fd)? })
    }

    /// The next entry other than `.` and `..`.
    pub fn next_entry(&mut self) -> Option<io::Result<Entry>> {
        loop {
            let entry = match self.entries.read()? {
                Ok(e) => e,
                Err(e) => return Some(Err(e.into())),
            };
            let bytes = entry.file_name().to_bytes();
            if bytes == b"." || bytes == b".." {
                continue;
            }
            let kind = EntryType::of(entry.file_type());
            return Some(Ok(Entry { name: entry.file_name().to_owned(), kind }));
        }
    }

    /// The folder's descriptor, for `*at` calls made elsewhere.
    pub fn fd(&self) -> io::Result<std::os::fd::BorrowedFd<'_>> {
        Ok(self.entries.fd()?)
    }

    /// `fstatat` of an entry, not following links.
    pub fn stat(&self, name: &CStr) -> io::Result<Stat> {
        let st = statat(self.entries.fd()?, name, AtFlags::SYMLINK_NOFOLLOW)?;
        let kind = match EntryType::of(FileType::from_raw_mode(st.st_mode as _)) {
            EntryType::Unknown => EntryType::Other,
            k => k,
        };
        Ok(Stat { uid: st.st_uid, dev: st.st_dev as u64, kind })
    }

    /// Opens the file `name` in this folder for reading: not following a link, not blocking on
    /// a FIFO, and (Linux) not updating its access time where the user may ask for that.
    pub fn open_file(&self, name: &CStr) -> io::Result<File> {
        let dir = self.entries.fd()?;
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC;
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            match openat(dir, name, flags | OFlags::NOATIME, Mode::empty()) {
                Ok(fd) => return Ok(File::from(fd)),
                // O_NOATIME is for the file's owner only.
                Err(rustix::io::Errno::PERM) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(File::from(openat(dir, name, flags, Mode::empty())?))
    }
}
