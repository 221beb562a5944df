//! The parallel walk: every regular file under the roots is opened without following links
//! (but, with `--trust-names`, those named as other formats), its first [`HEAD_LEN`] bytes are
//! read (on Linux a folder's files in batches, [`super::heads`]), and only a PKCS#12 head (or a
//! ZIP archive, or a `.pdf` that may be a recovery sheet) leads to more reading. Symbolic links
//! are never followed (so the walk never leaves its roots through one); other users' folders,
//! the vault's own folder and, under default roots, other file systems and developer caches
//! are not entered. Unreadable files and folders are noted and skipped.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::SystemTime;

use super::archive;
use super::heads::Heads;
use super::places::{Place, Root};
use super::sniff::{self, Kind, HEAD_LEN};
use crate::message::{group_digits, Message};
use crate::msg;
use crate::pkcs12::MAX_FILE_SIZE;

/// Folder names not entered under default roots: tool caches with many files and no
/// downloaded certificates.
const DEVELOPER_CACHES: &[&str] = &[".git", "node_modules", ".cargo", ".rustup", ".npm", ".m2", ".gradle"];

/// A PKCS#12 file (or one inside an archive), or a file named like one that could not be read.
#[derive(Debug)]
pub struct Found {
    pub path: PathBuf,
    /// The entry's name when the file is inside a `.zip` archive at `path`.
    pub archive_entry: Option<String>,
    pub place: Place,
    pub size: u64,
    pub modified: Option<SystemTime>,
    /// The bytes, or why they could not be read.
    pub content: Result<Vec<u8>, Message>,
}

/// A path with a reason: a file named `.p12` that is not one, a folder not entered, an error.
/// The reason is a message in the core; `--json` carries it phrased (`R = String`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Note<R = Message> {
    pub path: PathBuf,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archive_entry: Option<String>,
    pub reason: R,
}

impl Note {
    /// The same note with its reason phrased by `phrase`.
    pub fn phrased<R>(&self, phrase: &impl Fn(&Message) -> R) -> Note<R> {
        Note {
            path: self.path.clone(),
            archive_entry: self.archive_entry.clone(),
            reason: phrase(&self.reason),
        }
    }
}

/// A recovery sheet PDF (recognised by its marker, [`crate::sheet::is_sheet_pdf`]).
#[derive(Debug)]
pub struct SheetFound {
    pub path: PathBuf,
    pub place: Place,
    pub size: u64,
    pub modified: Option<SystemTime>,
}

#[derive(Debug, Default)]
pub struct Output {
    pub found: Vec<Found>,
    /// Recovery sheet PDFs.
    pub sheets: Vec<SheetFound>,
    /// Named `.p12`/`.pfx` but not PKCS#12.
    pub not_pkcs12: Vec<Note>,
    /// Folders and archives deliberately not examined.
    pub skipped: Vec<Note>,
    /// Files and folders that could not be read.
    pub errors: Vec<Note>,
    pub files: u64,
    /// Files not opened because their name says they are something else.
    pub not_opened: u64,
    pub dirs: u64,
    pub symlinks: u64,
}

impl Output {
    fn merge(&mut self, other: Output) {
        self.found.extend(other.found);
        self.sheets.extend(other.sheets);
        self.not_pkcs12.extend(other.not_pkcs12);
        self.skipped.extend(other.skipped);
        self.errors.extend(other.errors);
        self.files += other.files;
        self.not_opened += other.not_opened;
        self.dirs += other.dirs;
        self.symlinks += other.symlinks;
    }
}

/// Counters the progress indicator reads while the walk runs.
#[derive(Debug, Default)]
pub struct Progress {
    pub files: AtomicU64,
    pub found: AtomicU64,
    pub done: AtomicBool,
    pub current: Mutex<PathBuf>,
    /// Set by the caller when the user asked to stop: workers finish their folder and quit.
    pub stop: AtomicBool,
}

/// What the walk must not enter.
#[derive(Debug, Default, Clone)]
pub struct Fences {
    /// Folders skipped silently.
    pub quiet: HashSet<PathBuf>,
    /// Other users' home folders.
    pub other_users: HashSet<PathBuf>,
    /// The current user (Unix): folders owned by another user other than root are not entered.
    pub uid: Option<u32>,
    /// The current user's SID (Windows): other SIDs' recycle bin folders are not entered.
    pub sid: Option<String>,
}

struct Job {
    dir: PathBuf,
    root: usize,
}

struct Queue {
    state: Mutex<(Vec<Job>, usize)>,
    ready: Condvar,
}

impl Queue {
    fn next(&self) -> Option<Job> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(job) = state.0.pop() {
                state.1 += 1;
                return Some(job);
            }
            if state.1 == 0 {
                self.ready.notify_all();
                return None;
            }
            state = self.ready.wait(state).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn finish(&self, jobs: Vec<Job>) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.0.extend(jobs);
        state.1 -= 1;
        if !state.0.is_empty() || state.1 == 0 {
            self.ready.notify_all();
        }
    }
}

#[derive(Clone)]
struct Walker<'a> {
    roots: &'a [Root],
    /// Every root's path: another root's walk leaves it to that root's own job.
    root_paths: HashSet<PathBuf>,
    /// The device of each root (Unix), for not crossing mount points under default roots.
    root_devs: Vec<Option<u64>>,
    fences: &'a Fences,
    limits: archive::Limits,
    progress: &'a Progress,
    /// Do not open files whose name says they are something else.
    trust_names: bool,
    /// Read the heads of a folder's files in batches where the OS can ([`Heads`]).
    batch: bool,
}

/// Off: every file is opened one by one (the tests compare both ways).
static BATCH_HEADS: AtomicBool = AtomicBool::new(true);

/// Whether the walk reads the heads of files in batches where the OS can (default: yes).
pub fn set_batch_heads(on: bool) {
    BATCH_HEADS.store(on, Ordering::Relaxed);
}

/// Walks `roots` (canonical paths) with `threads` threads.
pub fn walk(
    roots: &[Root],
    fences: &Fences,
    threads: usize,
    trust_names: bool,
    progress: &Progress,
) -> Output {
    let walker = Walker {
        roots,
        root_paths: roots.iter().map(|r| r.path.clone()).collect(),
        root_devs: roots.iter().map(|r| device_of(&r.path)).collect(),
        fences,
        limits: archive::Limits::default(),
        progress,
        trust_names,
        batch: BATCH_HEADS.load(Ordering::Relaxed),
    };
    let mut out = Output::default();
    let mut jobs = Vec::new();
    for (i, root) in roots.iter().enumerate() {
        match fs::metadata(&root.path) {
            Ok(m) if m.is_dir() => jobs.push(Job { dir: root.path.clone(), root: i }),
            Ok(m) if m.is_file() => {
                // A file given by name is read whatever its name.
                let name = root.path.file_name().unwrap_or_default();
                let dir = root.path.parent().unwrap_or(Path::new(""));
                let all = Walker { trust_names: false, ..walker.clone() };
                all.examine(dir, name, || open_no_follow(&root.path), root.place, &mut out);
            }
            Ok(_) => {}
            Err(e) => out.errors.push(note(&root.path, io_reason(&e))),
        }
    }
    let queue = Queue { state: Mutex::new((jobs, 0)), ready: Condvar::new() };
    let outputs: Vec<Output> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads.max(1))
            .map(|_| {
                s.spawn(|| {
                    let mut local = Output::default();
                    let mut heads = Heads::new(walker.batch);
                    while let Some(job) = queue.next() {
                        if progress.stop.load(Ordering::Relaxed) {
                            // Drain the queue without reading: the caller reports the stop.
                            queue.finish(Vec::new());
                            continue;
                        }
                        let before = local.files;
                        // A bug met on one hostile file must not stop the scan, nor hang it
                        // (the queue waits for every job taken to finish): the folder is
                        // reported as not examined and the walk goes on.
                        let children = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            crate::hardening::debug_panic_point("scan-folder");
                            walker.walk_dir(&job, &mut heads, &mut local)
                        }))
                        .unwrap_or_else(|_| {
                            local.errors.push(note(&job.dir, msg!("scan-reason-internal-error")));
                            Vec::new()
                        });
                        // Counted per folder: one shared counter per file would bounce
                        // between the cores.
                        progress.files.fetch_add(local.files - before, Ordering::Relaxed);
                        queue.finish(children);
                    }
                    local
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("scan worker panicked")).collect()
    });
    for o in outputs {
        out.merge(o);
    }
    progress.done.store(true, Ordering::Relaxed);
    out.found.sort_by(|a, b| (&a.path, &a.archive_entry).cmp(&(&b.path, &b.archive_entry)));
    out.sheets.sort_by(|a, b| a.path.cmp(&b.path));
    for list in [&mut out.not_pkcs12, &mut out.skipped, &mut out.errors] {
        list.sort_by(|a, b| (&a.path, &a.archive_entry).cmp(&(&b.path, &b.archive_entry)));
    }
    out
}

fn note(path: &Path, reason: Message) -> Note {
    Note { path: path.to_path_buf(), archive_entry: None, reason }
}

/// Why a file could not be read, in the user's words where they are common (else the OS's).
pub fn io_reason(e: &io::Error) -> Message {
    match e.kind() {
        io::ErrorKind::PermissionDenied => msg!("scan-reason-permission"),
        io::ErrorKind::NotFound => msg!("scan-reason-vanished"),
        _ => msg!("reason-os", reason = crate::error::io_reason(e)),
    }
}

#[cfg(unix)]
fn device_of(path: &Path) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(path).ok().map(|m| m.dev())
}

#[cfg(not(unix))]
fn device_of(_path: &Path) -> Option<u64> {
    None
}

impl Walker<'_> {
    fn show_current(&self, dir: &Path) {
        if let Ok(mut current) = self.progress.current.try_lock() {
            current.clone_from(&dir.to_path_buf());
        }
    }

    /// Reads one folder: examines its files, returns its subfolders to walk.
    #[cfg(unix)]
    fn walk_dir(&self, job: &Job, heads: &mut Heads, out: &mut Output) -> Vec<Job> {
        use super::fastdir::{Dir, EntryType};
        let place = self.roots[job.root].place;
        let mut children = Vec::new();
        self.show_current(&job.dir);
        let mut dir = match Dir::open(&job.dir) {
            Ok(d) => d,
            // Replaced by a link since it was listed: not followed.
            Err(e) if is_symlink_error(&e) => return children,
            Err(e) => {
                out.errors.push(note(&job.dir, io_reason(&e)));
                return children;
            }
        };
        out.dirs += 1;
        // Files whose heads are read in one batch (see `Heads`).
        let mut batch = Vec::new();
        while let Some(entry) = dir.next_entry() {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    out.errors.push(note(&job.dir, io_reason(&e)));
                    break;
                }
            };
            let (cname, name) = (entry.c_name(), entry.name());
            let kind = match entry.kind {
                EntryType::Unknown => dir.stat(cname).map_or(EntryType::Other, |s| s.kind),
                k => k,
            };
            match kind {
                EntryType::Symlink => out.symlinks += 1,
                EntryType::Dir => {
                    let path = job.dir.join(name);
                    let owner = dir.stat(cname).ok().map(|s| (s.uid, s.dev));
                    self.consider_dir(path, name, owner, job.root, out, &mut children);
                }
                EntryType::File if heads.batching() && self.batchable(name) => {
                    out.files += 1;
                    batch.push(entry);
                    if batch.len() == super::heads::BATCH {
                        self.examine_batch(&job.dir, &dir, &mut batch, heads, place, out);
                    }
                }
                EntryType::File => self.examine(&job.dir, name, || dir.open_file(cname), place, out),
                EntryType::Other | EntryType::Unknown => {}
            }
        }
        self.examine_batch(&job.dir, &dir, &mut batch, heads, place, out);
        children
    }

    /// Whether the file `name` goes into a batch: every file to be opened but those named
    /// like a certificate or a PDF, which are read further anyway.
    #[cfg(unix)]
    fn batchable(&self, name: &OsStr) -> bool {
        let read_further = sniff::has_certificate_extension(name) || sniff::has_pdf_extension(name);
        let not_opened = self.trust_names && sniff::obviously_other_format(name);
        !read_further && !not_opened
    }

    /// Reads the heads of the files in `batch` (counted already) at once; those that may be
    /// anything but another format are examined the ordinary way. Empties `batch`.
    #[cfg(unix)]
    fn examine_batch(
        &self,
        path: &Path,
        dir: &super::fastdir::Dir,
        batch: &mut Vec<super::fastdir::Entry>,
        heads: &mut Heads,
        place: Place,
        out: &mut Output,
    ) {
        if batch.is_empty() {
            return;
        }
        let names: Vec<&std::ffi::CStr> = batch.iter().map(|e| e.c_name()).collect();
        let mut again = Vec::new();
        match dir.fd() {
            Ok(fd) => heads.read(fd, &names, |i, head| {
                if !head.is_some_and(|h| sniff::sniff(h) == Kind::Other) {
                    again.push(i);
                }
            }),
            Err(_) => again.extend(0..names.len()),
        }
        for i in again {
            let entry = &batch[i];
            out.files -= 1;
            self.examine(path, entry.name(), || dir.open_file(entry.c_name()), place, out);
        }
        batch.clear();
    }

    /// Reads one folder: examines its files, returns its subfolders to walk.
    #[cfg(not(unix))]
    fn walk_dir(&self, job: &Job, _heads: &mut Heads, out: &mut Output) -> Vec<Job> {
        let place = self.roots[job.root].place;
        let mut children = Vec::new();
        self.show_current(&job.dir);
        let entries = match fs::read_dir(&job.dir) {
            Ok(e) => e,
            Err(e) => {
                out.errors.push(note(&job.dir, io_reason(&e)));
                return children;
            }
        };
        out.dirs += 1;
        for entry in entries {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    out.errors.push(note(&job.dir, io_reason(&e)));
                    break;
                }
            };
            let Ok(file_type) = entry.file_type() else { continue };
            let name = entry.file_name();
            if file_type.is_symlink() {
                out.symlinks += 1;
            } else if file_type.is_dir() {
                self.consider_dir(job.dir.join(&name), &name, None, job.root, out, &mut children);
            } else if file_type.is_file() {
                #[cfg(windows)]
                if is_online_only(&entry) {
                    // A OneDrive "online-only" file: reading it would download it. A certificate
                    // file there is still a copy, in the cloud.
                    if sniff::has_certificate_extension(&name) {
                        let meta = entry.metadata().ok();
                        let path = job.dir.join(&name);
                        self.found(
                            out,
                            &path,
                            None,
                            place,
                            meta.as_ref(),
                            Err(msg!("scan-reason-online-only")),
                        );
                    }
                    continue;
                }
                let path = entry.path();
                self.examine(&job.dir, &name, || open_no_follow(&path), place, out);
            }
        }
        children
    }

    /// Queues the subfolder `path` unless a fence keeps the walk out.
    fn consider_dir(
        &self,
        path: PathBuf,
        name: &OsStr,
        owner: Option<(u32, u64)>,
        root: usize,
        out: &mut Output,
        children: &mut Vec<Job>,
    ) {
        match self.fence(&path, name, root, owner) {
            Some(Some(reason)) => out.skipped.push(note(&path, reason)),
            Some(None) => {}
            None => children.push(Job { dir: path, root }),
        }
    }

    /// `Some(reason)` when the folder `path` is not to be entered (`Some(None)`: silently).
    /// `owner` is the folder's (uid, device) where the OS has them.
    fn fence(
        &self,
        path: &Path,
        name: &OsStr,
        root: usize,
        owner: Option<(u32, u64)>,
    ) -> Option<Option<Message>> {
        if self.root_paths.contains(path) || self.fences.quiet.contains(path) {
            return Some(None);
        }
        if self.fences.other_users.contains(path) {
            return Some(Some(msg!("scan-reason-other-user")));
        }
        let parent_name = path.parent().and_then(Path::file_name).unwrap_or_default();
        let name_str = name.to_string_lossy();
        // The recycle bin holds one folder per user (SID); the freedesktop trash on a volume
        // one per uid (`.Trash-UID`, `.Trash/UID`).
        if parent_name.eq_ignore_ascii_case("$Recycle.Bin") {
            if let Some(sid) = &self.fences.sid {
                if !name_str.eq_ignore_ascii_case(sid) {
                    return Some(Some(msg!("scan-reason-other-user")));
                }
            }
        }
        if let Some(uid) = self.fences.uid {
            let other_trash = name_str.strip_prefix(".Trash-").and_then(|u| u.parse::<u32>().ok());
            let other_trash = other_trash
                .or_else(|| (parent_name == ".Trash").then(|| name_str.parse::<u32>().ok()).flatten());
            if other_trash.is_some_and(|u| u != uid) {
                return Some(Some(msg!("scan-reason-other-user")));
            }
            // A folder owned by another user (root's are shared system folders).
            if owner.is_some_and(|(owner_uid, _)| owner_uid != uid && owner_uid != 0) {
                return Some(Some(msg!("scan-reason-other-user")));
            }
        }
        if cfg!(unix) && matches!(path.to_str(), Some("/proc" | "/sys" | "/dev" | "/run")) {
            return Some(None);
        }
        let default_root = self.roots[root].default;
        if default_root {
            if DEVELOPER_CACHES.iter().any(|c| name == OsStr::new(c)) {
                return Some(None);
            }
            if let (Some(root_dev), Some((_, dev))) = (self.root_devs[root], owner) {
                if root_dev != dev {
                    return Some(Some(msg!("scan-reason-other-filesystem")));
                }
            }
        }
        None
    }

    /// Opens one regular file (`open`) and decides from its first bytes; when names are
    /// trusted, files whose name says they are something else are not opened. A `.pdf` starting
    /// like one is checked for the recovery sheet's marker.
    fn examine(
        &self,
        dir: &Path,
        name: &OsStr,
        open: impl FnOnce() -> io::Result<File>,
        place: Place,
        out: &mut Output,
    ) {
        out.files += 1;
        let named = sniff::has_certificate_extension(name);
        let pdf = sniff::has_pdf_extension(name);
        if !named && !pdf && self.trust_names && sniff::obviously_other_format(name) {
            out.not_opened += 1;
            return;
        }
        let path = || dir.join(name);
        let mut file = match open() {
            Ok(f) => f,
            Err(e) if is_symlink_error(&e) => return,
            Err(e) => {
                if named {
                    self.found(out, &path(), None, place, None, Err(io_reason(&e)));
                } else {
                    out.errors.push(note(&path(), io_reason(&e)));
                }
                return;
            }
        };
        let mut head = [0u8; HEAD_LEN];
        let n = match read_head(&mut file, &mut head) {
            Ok(n) => n,
            Err(e) => {
                if named {
                    self.found(out, &path(), None, place, None, Err(io_reason(&e)));
                } else {
                    out.errors.push(note(&path(), io_reason(&e)));
                }
                return;
            }
        };
        if pdf && (head[..n].starts_with(b"%PDF-") || self.trust_names) {
            // A recovery sheet left here opens the vault with the stick: its last bytes say.
            // (A `.pdf` that does not start like one is sniffed below like any other file.)
            if let Some(meta) = sheet_pdf_after(&mut file, &head[..n]) {
                out.sheets.push(SheetFound {
                    size: meta.len(),
                    modified: meta.modified().ok(),
                    path: path(),
                    place,
                });
            }
            return;
        }
        match sniff::sniff(&head[..n]) {
            Kind::Pkcs12 { .. } => {
                let meta = file.metadata().ok();
                if meta.as_ref().is_some_and(|m| !m.is_file()) {
                    return;
                }
                let size = meta.as_ref().map_or(0, |m| m.len());
                let content = if size > MAX_FILE_SIZE {
                    Err(msg!("scan-reason-too-large", size = group_digits(size)))
                } else {
                    let mut bytes = Vec::with_capacity(size as usize);
                    bytes.extend_from_slice(&head[..n]);
                    (&mut file)
                        .take(MAX_FILE_SIZE + 1 - n as u64)
                        .read_to_end(&mut bytes)
                        .map(|_| bytes)
                        .map_err(|e| io_reason(&e))
                };
                self.found(out, &path(), None, place, meta.as_ref(), content);
            }
            Kind::Zip => {
                let Ok(meta) = file.metadata() else { return };
                let path = path();
                match archive::scan_zip(&mut file, meta.len(), &self.limits) {
                    Ok(scanned) => {
                        for inner in scanned.hits {
                            let entry = Some(inner.name);
                            self.found_sized(
                                out,
                                &path,
                                entry,
                                place,
                                Some(&meta),
                                inner.size,
                                inner.content,
                            );
                        }
                        for (entry, reason) in scanned.not_pkcs12 {
                            out.not_pkcs12.push(Note {
                                path: path.clone(),
                                archive_entry: Some(entry),
                                reason,
                            });
                        }
                        for (entry, reason) in scanned.skipped {
                            let archive_entry = (!entry.is_empty()).then_some(entry);
                            out.skipped.push(Note { path: path.clone(), archive_entry, reason });
                        }
                    }
                    Err(reason) => out.skipped.push(note(&path, reason)),
                }
            }
            Kind::Other => {
                if named {
                    out.not_pkcs12.push(note(&path(), super::describe_other(&head[..n])));
                }
            }
        }
    }

    fn found(
        &self,
        out: &mut Output,
        path: &Path,
        archive_entry: Option<String>,
        place: Place,
        meta: Option<&fs::Metadata>,
        content: Result<Vec<u8>, Message>,
    ) {
        let size = meta.map_or(0, |m| m.len());
        self.found_sized(out, path, archive_entry, place, meta, size, content);
    }

    #[allow(clippy::too_many_arguments)]
    fn found_sized(
        &self,
        out: &mut Output,
        path: &Path,
        archive_entry: Option<String>,
        place: Place,
        meta: Option<&fs::Metadata>,
        size: u64,
        content: Result<Vec<u8>, Message>,
    ) {
        self.progress.found.fetch_add(1, Ordering::Relaxed);
        let meta = meta.cloned().or_else(|| fs::symlink_metadata(path).ok());
        let size = if size == 0 { meta.as_ref().map_or(0, |m| m.len()) } else { size };
        out.found.push(Found {
            path: path.to_path_buf(),
            archive_entry,
            place,
            size,
            modified: meta.and_then(|m| m.modified().ok()),
            content,
        });
    }
}

/// Files whose contents are not on this disk (OneDrive files-on-demand): offline, or recalled
/// on open or on data access.
#[cfg(windows)]
fn is_online_only(entry: &fs::DirEntry) -> bool {
    use std::os::windows::fs::MetadataExt;
    const FILE_ATTRIBUTE_OFFLINE: u32 = 0x1000;
    const FILE_ATTRIBUTE_RECALL_ON_OPEN: u32 = 0x4_0000;
    const FILE_ATTRIBUTE_RECALL_ON_DATA_ACCESS: u32 = 0x40_0000;
    entry.metadata().is_ok_and(|m| {
        m.file_attributes()
            & (FILE_ATTRIBUTE_OFFLINE | FILE_ATTRIBUTE_RECALL_ON_OPEN | FILE_ATTRIBUTE_RECALL_ON_DATA_ACCESS)
            != 0
    })
}

/// The file's metadata when it is a recovery sheet PDF: its head says PDF and its last
/// [`crate::sheet::PDF_MARKER_TAIL`] bytes hold the sheet's marker. Reads at most those bytes
/// and the head, whatever the file's size.
pub fn sheet_pdf(file: &mut File) -> Option<fs::Metadata> {
    let mut head = [0u8; 8];
    let head_len = read_head(file, &mut head).ok()?;
    sheet_pdf_after(file, &head[..head_len])
}

/// [`sheet_pdf`] of a file whose first bytes, `head`, were read already: one `fstat` and one
/// positioned read of the tail, and only when the head says PDF.
fn sheet_pdf_after(file: &mut File, head: &[u8]) -> Option<fs::Metadata> {
    if !head.starts_with(b"%PDF-") {
        return None;
    }
    let meta = file.metadata().ok().filter(fs::Metadata::is_file)?;
    let tail_len = (crate::sheet::PDF_MARKER_TAIL as u64).min(meta.len());
    let mut tail = vec![0u8; tail_len as usize];
    let n = read_at(file, &mut tail, meta.len() - tail_len).ok()?;
    crate::sheet::is_sheet_pdf(head, &tail[..n]).then_some(meta)
}

/// Reads up to `buf.len()` bytes from `offset` (fewer only at the end of the file), without a
/// separate seek where the OS has positioned reads.
fn read_at(file: &mut File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        #[cfg(unix)]
        let read = std::os::unix::fs::FileExt::read_at(file, &mut buf[n..], offset + n as u64);
        #[cfg(windows)]
        let read = std::os::windows::fs::FileExt::seek_read(file, &mut buf[n..], offset + n as u64);
        #[cfg(not(any(unix, windows)))]
        let read = {
            use std::io::{Seek, SeekFrom};
            file.seek(SeekFrom::Start(offset + n as u64)).and_then(|_| file.read(&mut buf[n..]))
        };
        match read {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Reads up to `buf.len()` bytes (fewer only at the end of the file).
fn read_head(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Opens `path` for reading without following a symbolic link in its last component (one that
/// replaced the file since the folder was read), without blocking on a FIFO, and (Linux)
/// without updating its access time.
#[cfg(unix)]
pub fn open_no_follow(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let base = libc::O_NOFOLLOW | libc::O_NONBLOCK;
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        match fs::OpenOptions::new().read(true).custom_flags(base | libc::O_NOATIME).open(path) {
            // O_NOATIME is for the file's owner only.
            Err(e) if e.raw_os_error() == Some(libc::EPERM) => {}
            other => return other,
        }
    }
    fs::OpenOptions::new().read(true).custom_flags(base).open(path)
}

#[cfg(windows)]
pub fn open_no_follow(path: &Path) -> io::Result<File> {
    use std::os::windows::fs::OpenOptionsExt;
    // FILE_FLAG_OPEN_REPARSE_POINT: open a link itself, not what it points to.
    let file = fs::OpenOptions::new().read(true).custom_flags(0x0020_0000).open(path)?;
    if file.metadata()?.file_type().is_symlink() {
        return Err(io::Error::other("symbolic link"));
    }
    Ok(file)
}

#[cfg(not(any(unix, windows)))]
pub fn open_no_follow(path: &Path) -> io::Result<File> {
    if fs::symlink_metadata(path)?.file_type().is_symlink() {
        return Err(io::Error::other("symbolic link"));
    }
    File::open(path)
}

fn is_symlink_error(e: &io::Error) -> bool {
    #[cfg(unix)]
    {
        e.raw_os_error() == Some(libc::ELOOP)
    }
    #[cfg(not(unix))]
    {
        e.kind() == io::ErrorKind::Other && e.to_string() == "symbolic link"
    }
}
