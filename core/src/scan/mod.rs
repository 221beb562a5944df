//! `certvault scan`: finds copies of PKCS#12 files by their content (also without or with a
//! changed extension, and inside `.zip` archives), in the places where they linger for the
//! current user or in the given paths, and with `--vault` tells which copies are safely in the
//! vault. The same scan drives `certvault clean`.

pub mod archive;
pub mod classify;
#[cfg(unix)]
pub mod fastdir;
pub mod heads;
pub mod installed;
pub mod places;
pub mod sniff;
pub mod walk;
#[cfg(windows)]
pub mod windows;

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant, UNIX_EPOCH};

use serde::{Serialize, Serializer};

use crate::conversation::{Conversation, Level, Progress};
use crate::error::{Error, ErrorKind, Result};
use crate::message::{group_digits, Message};
use crate::msg;
use crate::vault::{OpenVault, UnlockSource};
use classify::{CertBrief, Class, VaultIndex};
use places::{Place, Root, TrashInfo};
use walk::Note;

/// What `certvault scan` does, without its output form.
pub struct ScanOptions {
    /// Folders or files to scan; none: the default places.
    pub paths: Vec<PathBuf>,
    /// The vault to compare copies with.
    pub vault: Option<PathBuf>,
    pub unlock: UnlockSource,
    /// Trust names: do not open files whose name says they are something else
    /// (`photo.jpg`). Off by default: every file is read.
    pub trust_names: bool,
}

/// How to walk.
#[derive(Debug, Clone, Copy, Default)]
pub struct Settings {
    /// Do not read the heads of files whose name says they are something else (by default
    /// every file's head is read).
    pub trust_names: bool,
}

/// One copy found. Reasons are messages in the core; `--json` carries them phrased
/// (`R = String`, see [`ScanReport::phrased`]).
#[derive(Debug, Clone, Serialize)]
pub struct Hit<R = Message> {
    #[serde(serialize_with = "lossy_path")]
    pub path: PathBuf,
    /// The entry inside the `.zip` archive at `path`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archive_entry: Option<String>,
    pub place: Place,
    pub size: u64,
    /// Last modification, RFC 3339 UTC.
    pub modified: Option<String>,
    pub class: Class,
    /// The vault entry (in vault, same certificate).
    pub entry: Option<String>,
    /// Why it is not readable, or what else to know.
    pub reason: Option<R>,
    pub sha256: Option<String>,
    pub certificate: Option<CertBrief>,
    /// Set when the copy is in a trash or recycle bin.
    pub trash: Option<TrashInfo>,
}

impl<R> Hit<R> {
    /// `path`, or `path!/entry` for a file inside an archive.
    pub fn display_path(&self) -> String {
        match &self.archive_entry {
            Some(e) => format!("{}!/{e}", self.path.display()),
            None => self.path.display().to_string(),
        }
    }
}

impl Hit {
    /// The same hit with its reason phrased by `phrase`.
    pub fn phrased<R>(&self, phrase: &impl Fn(&Message) -> R) -> Hit<R> {
        Hit {
            path: self.path.clone(),
            archive_entry: self.archive_entry.clone(),
            place: self.place,
            size: self.size,
            modified: self.modified.clone(),
            class: self.class,
            entry: self.entry.clone(),
            reason: self.reason.as_ref().map(phrase),
            sha256: self.sha256.clone(),
            certificate: self.certificate.clone(),
            trash: self.trash.clone(),
        }
    }
}

/// A recovery sheet PDF left on the computer: with the stick, it opens everything. Found by
/// the marker every sheet carries ([`crate::sheet::PDF_MARKER`]), whatever the file's name.
#[derive(Debug, Clone, Serialize)]
pub struct SheetHit {
    #[serde(serialize_with = "lossy_path")]
    pub path: PathBuf,
    pub place: Place,
    pub size: u64,
    /// Last modification, RFC 3339 UTC.
    pub modified: Option<String>,
    /// Always `recovery-sheet` (the hits' classes are certificate files').
    pub class: &'static str,
    /// Set when the sheet is in a trash or recycle bin.
    pub trash: Option<TrashInfo>,
}

/// The class name of a [`SheetHit`].
pub const RECOVERY_SHEET_CLASS: &str = "recovery-sheet";

impl SheetHit {
    /// What the sheet is and what to do with it, for people.
    pub fn advice() -> Message {
        msg!("scan-sheet-advice")
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RootReport {
    #[serde(serialize_with = "lossy_path")]
    pub path: PathBuf,
    pub place: Place,
}

#[derive(Debug, Clone, Serialize)]
pub struct VaultSummary {
    #[serde(serialize_with = "lossy_path")]
    pub dir: PathBuf,
    /// The generation whose entries the copies were compared with.
    pub generation: u64,
    pub entries: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub files: u64,
    /// Files not opened because their name says they are something else (`--trust-names`).
    pub files_not_opened: u64,
    pub folders: u64,
    pub symlinks_not_followed: u64,
    pub hits: usize,
    pub in_vault: usize,
    pub same_certificate: usize,
    pub unknown: usize,
    pub not_readable: usize,
    pub found: usize,
    pub errors: usize,
    pub seconds: f64,
    /// Recovery sheet PDFs found ([`ScanReport::recovery_sheets`]).
    pub recovery_sheets: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScanReport<R = Message> {
    pub roots: Vec<RootReport>,
    pub vault: Option<VaultSummary>,
    pub hits: Vec<Hit<R>>,
    /// Recovery sheet PDFs left on the computer (not certificate files, so not among `hits`).
    pub recovery_sheets: Vec<SheetHit>,
    /// Files named `.p12`/`.pfx` that are not certificate files.
    pub not_pkcs12: Vec<Note<R>>,
    /// Folders and archives deliberately not examined (other users', too many entries…).
    pub skipped: Vec<Note<R>>,
    /// Files and folders that could not be read; skipped.
    pub errors: Vec<Note<R>>,
    /// Certificates installed in the OS or browser stores (information only).
    pub installed: Vec<installed::Installed>,
    pub installed_notes: Vec<R>,
    pub summary: Summary,
}

impl ScanReport {
    /// The same report with every reason phrased by `phrase` (the front-end's renderer): what
    /// `--json` prints.
    pub fn phrased<R>(&self, phrase: &impl Fn(&Message) -> R) -> ScanReport<R> {
        let notes = |list: &[Note]| list.iter().map(|n| n.phrased(phrase)).collect();
        ScanReport {
            roots: self.roots.clone(),
            vault: self.vault.clone(),
            hits: self.hits.iter().map(|h| h.phrased(phrase)).collect(),
            recovery_sheets: self.recovery_sheets.clone(),
            not_pkcs12: notes(&self.not_pkcs12),
            skipped: notes(&self.skipped),
            errors: notes(&self.errors),
            installed: self.installed.clone(),
            installed_notes: self.installed_notes.iter().map(phrase).collect(),
            summary: self.summary.clone(),
        }
    }
}

pub(crate) fn lossy_path<S: Serializer>(path: &Path, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&path.to_string_lossy())
}

/// What a file that is not PKCS#12 looks like, for people.
pub fn describe_other(head: &[u8]) -> Message {
    if head.is_empty() {
        return msg!("scan-reason-empty");
    }
    match crate::pkcs12::sniff_other_format(head) {
        Some(kind) => msg!("scan-reason-looks-like", kind = msg!(kind.message_id())),
        None => msg!("scan-reason-not-pkcs12"),
    }
}

/// A canonical path without Windows' `\\?\` prefix where it is not needed.
pub fn canonical(path: &Path) -> std::io::Result<PathBuf> {
    let p = path.canonicalize()?;
    #[cfg(windows)]
    {
        let s = p.to_string_lossy();
        if let Some(rest) = s.strip_prefix(r"\\?\UNC\") {
            return Ok(PathBuf::from(format!(r"\\{rest}")));
        }
        if let Some(rest) = s.strip_prefix(r"\\?\") {
            if rest.as_bytes().get(1) == Some(&b':') {
                return Ok(PathBuf::from(rest));
            }
        }
    }
    Ok(p)
}

/// The roots to scan: the given paths (each must exist), or the default places.
pub fn resolve_roots(paths: &[PathBuf], vault_dir: Option<&Path>) -> Result<Vec<Root>> {
    if paths.is_empty() {
        let mut roots: Vec<Root> = places::default_roots(vault_dir)
            .into_iter()
            .filter_map(|r| canonical(&r.path).ok().map(|path| Root { path, ..r }))
            .collect();
        // The vault's own folder, whose stick the default places leave out: nothing but the
        // vault belongs there.
        if let Some(v) = vault_dir.and_then(|v| canonical(v).ok()) {
            roots.push(Root { path: v, place: Place::Removable, default: true });
        }
        let mut seen = std::collections::HashSet::new();
        roots.retain(|r| seen.insert(r.path.clone()));
        return Ok(roots);
    }
    let mut roots = Vec::with_capacity(paths.len());
    for p in paths {
        let path = canonical(p).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                Error::new(ErrorKind::NotFound, msg!("err-not-found", file = p.display()))
            }
            _ => Error::new(
                ErrorKind::Io,
                msg!("err-read", file = p.display(), reason = crate::error::io_reason(&e)),
            ),
        })?;
        if !roots.iter().any(|r: &Root| r.path == path) {
            roots.push(Root { path, place: Place::Given, default: false });
        }
    }
    Ok(roots)
}

/// What the walk must not enter, for the current user. The vault's own folder is walked like
/// any other: a `.p12` put there (by mistake or on purpose) lies unencrypted on the stick,
/// and must be found; the vault's own files are not PKCS#12.
pub fn fences() -> walk::Fences {
    let mut f = walk::Fences {
        other_users: places::other_users_homes().iter().filter_map(|p| canonical(p).ok()).collect(),
        ..Default::default()
    };
    #[cfg(unix)]
    {
        f.uid = Some(places::current_uid());
    }
    #[cfg(windows)]
    {
        f.sid = windows::current_user_sid();
    }
    f
}

/// Scans `roots`, classifying every copy against `index` when given. Tells its progress
/// (`scan-progress`: files read, copies found, the folder being read) about ten times a second
/// and stops when the user asks to (`Cancelled`).
pub fn scan(
    roots: &[Root],
    index: Option<&VaultIndex>,
    settings: Settings,
    talk: &dyn Conversation,
) -> Result<ScanReport> {
    let started = Instant::now();
    let fences = fences();
    let mut skipped = Vec::new();
    // A root inside another user's folder (or owned by another user) is not entered either.
    let roots: Vec<Root> = roots
        .iter()
        .filter(|r| {
            let foreign =
                fences.other_users.iter().any(|o| r.path.starts_with(o)) || owned_by_other(&r.path, &fences);
            if foreign {
                skipped.push(Note {
                    path: r.path.clone(),
                    archive_entry: None,
                    reason: msg!("scan-reason-other-user"),
                });
            }
            !foreign
        })
        .cloned()
        .collect();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 8);
    let progress = walk::Progress::default();
    let mut cancelled = false;
    // The walk says when it is done, so that the report follows at once rather than at the
    // next tick of the progress (up to 100 ms late, a third of `find`'s time on 200,000 files).
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let output = std::thread::scope(|s| {
        let worker = s.spawn(|| {
            let output = walk::walk(&roots, &fences, threads, settings.trust_names, &progress);
            drop(done_tx);
            output
        });
        let tell = |finished: bool| {
            let current = progress.current.lock().map(|c| c.display().to_string()).unwrap_or_default();
            let files = progress.files.load(Ordering::Relaxed);
            talk.progress(&Progress {
                task: msg!(
                    "scan-progress",
                    files = group_digits(files),
                    found = progress.found.load(Ordering::Relaxed),
                    dir = current
                ),
                done: files,
                total: None,
                finished,
            });
        };
        loop {
            tell(false);
            if !cancelled && talk.cancel_requested() {
                cancelled = true;
                progress.stop.store(true, Ordering::Relaxed);
            }
            // Disconnected: the walk finished (or panicked, which the join reports).
            if done_rx.recv_timeout(Duration::from_millis(100)) != Err(RecvTimeoutError::Timeout) {
                break;
            }
        }
        tell(true);
        worker.join().expect("scan walk panicked")
    });
    if cancelled {
        return Err(Error::new(ErrorKind::Cancelled, msg!("cancelled")));
    }

    let mut hits = Vec::with_capacity(output.found.len());
    for found in output.found {
        let c = classify::classify(&found.content, index);
        let trash = if found.archive_entry.is_none() { places::trash_info(&found.path) } else { None };
        // A copy on the stick next to the vault lies there unencrypted.
        let reason = match in_vault_folder(&found.path) {
            Some(dir) => {
                let note = msg!("scan-reason-in-vault-folder", dir = dir.display());
                Some(match c.reason {
                    Some(first) => msg!("scan-reason-and", first = first, second = note),
                    None => note,
                })
            }
            None => c.reason,
        };
        hits.push(Hit {
            path: found.path,
            archive_entry: found.archive_entry,
            place: match &trash {
                Some(t) if t.index.file_name().is_some_and(|n| n.to_string_lossy().starts_with("$I")) => {
                    Place::RecycleBin
                }
                Some(_) => Place::Trash,
                None => found.place,
            },
            size: found.size,
            modified: rfc3339_of(found.modified),
            class: c.class,
            entry: c.entry,
            reason,
            sha256: c.sha256,
            certificate: c.certificate,
            trash,
        });
    }
    let recovery_sheets: Vec<SheetHit> = output
        .sheets
        .into_iter()
        .map(|s| {
            let trash = places::trash_info(&s.path);
            SheetHit {
                place: match &trash {
                    Some(t) if t.index.file_name().is_some_and(|n| n.to_string_lossy().starts_with("$I")) => {
                        Place::RecycleBin
                    }
                    Some(_) => Place::Trash,
                    None => s.place,
                },
                size: s.size,
                modified: rfc3339_of(s.modified),
                class: RECOVERY_SHEET_CLASS,
                trash,
                path: s.path,
            }
        })
        .collect();
    skipped.extend(output.skipped);
    let count = |class: Class| hits.iter().filter(|h| h.class == class).count();
    let summary = Summary {
        files: output.files,
        files_not_opened: output.not_opened,
        folders: output.dirs,
        symlinks_not_followed: output.symlinks,
        hits: hits.len(),
        in_vault: count(Class::InVault),
        same_certificate: count(Class::SameCertificate),
        unknown: count(Class::Unknown),
        not_readable: count(Class::NotReadable),
        found: count(Class::Found),
        errors: output.errors.len(),
        seconds: started.elapsed().as_secs_f64(),
        recovery_sheets: recovery_sheets.len(),
    };
    Ok(ScanReport {
        roots: roots.iter().map(|r| RootReport { path: r.path.clone(), place: r.place }).collect(),
        vault: index.map(|i| VaultSummary {
            dir: i.dir.clone(),
            generation: i.generation,
            entries: i.entries,
        }),
        hits,
        recovery_sheets,
        not_pkcs12: output.not_pkcs12,
        skipped,
        errors: output.errors,
        installed: Vec::new(),
        installed_notes: Vec::new(),
        summary,
    })
}

fn rfc3339_of(t: Option<std::time::SystemTime>) -> Option<String> {
    t.and_then(|m| m.duration_since(UNIX_EPOCH).ok())
        .map(|d| crate::certificate::x509::rfc3339(d.as_secs() as i64))
}

/// Opens the vault for reading when `dir` is given (asking for its passphrase through `talk`),
/// telling the warnings of a fallback generation.
pub fn open_vault(
    dir: Option<&Path>,
    unlock: &UnlockSource,
    exclusive: bool,
    talk: &dyn Conversation,
) -> Result<Option<OpenVault>> {
    let Some(dir) = dir else { return Ok(None) };
    let unlock = unlock.read(talk)?;
    let vault = OpenVault::open(dir, &unlock, exclusive)?;
    for w in vault.warnings() {
        talk.tell(Level::Warning, w);
    }
    Ok(Some(vault))
}

/// `certvault scan`: the copies in the default places (and the installed certificates) or in
/// `opts.paths`, compared with the vault when one is given.
pub fn scan_for_copies(opts: &ScanOptions, talk: &dyn Conversation) -> Result<ScanReport> {
    let vault = open_vault(opts.vault.as_deref(), &opts.unlock, false, talk)?;
    let index = vault.as_ref().map(VaultIndex::new);
    let roots = resolve_roots(&opts.paths, opts.vault.as_deref())?;
    let mut report = scan(&roots, index.as_ref(), Settings { trust_names: opts.trust_names }, talk)?;
    if opts.paths.is_empty() {
        let (list, notes) = installed::installed(index.as_ref());
        report.installed = list;
        report.installed_notes = notes;
    }
    Ok(report)
}

/// Most entries read per folder by [`sheets_in_usual_places`]: a quick look, not a scan.
const SHEET_LOOK_LIMIT: usize = 5_000;

/// Recovery sheet PDFs in the folders where a PDF the user saved usually lands: Documents,
/// the Desktop and Downloads (and their subfolders one level down). Only `.pdf` files are
/// opened, and of each only its first bytes and last [`crate::sheet::PDF_MARKER_TAIL`]: quick
/// enough for `status` to look every time.
pub fn sheets_in_usual_places() -> Vec<PathBuf> {
    let home = dirs::home_dir();
    let mut folders: Vec<PathBuf> = [
        dirs::document_dir(),
        home.as_ref().map(|h| h.join("Documents")),
        dirs::desktop_dir(),
        home.as_ref().map(|h| h.join("Desktop")),
        dirs::download_dir(),
        home.as_ref().map(|h| h.join("Downloads")),
    ]
    .into_iter()
    .flatten()
    .filter_map(|d| canonical(&d).ok())
    .collect();
    let mut seen = std::collections::HashSet::new();
    folders.retain(|f| seen.insert(f.clone()));
    let mut found = Vec::new();
    for folder in &folders {
        sheets_in(folder, 1, &mut found);
    }
    found.sort();
    found.dedup();
    found
}

/// The sheet PDFs in `dir`, and in its subfolders down to `depth` more levels (links not
/// followed).
pub fn sheets_in(dir: &Path, depth: usize, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.take(SHEET_LOOK_LIMIT).flatten() {
        let Ok(kind) = entry.file_type() else { continue };
        let name = entry.file_name();
        if kind.is_dir() && depth > 0 && !name.to_string_lossy().starts_with('.') {
            sheets_in(&entry.path(), depth - 1, found);
        } else if kind.is_file() && sniff::has_pdf_extension(&name) {
            let path = entry.path();
            if let Ok(mut file) = walk::open_no_follow(&path) {
                if walk::sheet_pdf(&mut file).is_some() {
                    found.push(path);
                }
            }
        }
    }
}

/// The vault folder (a folder holding `vault.json`) that `file` lies in, if any.
pub fn in_vault_folder(file: &Path) -> Option<&Path> {
    let dir = file.parent()?;
    let header = dir.join(vault_format::HEADER_FILE_NAME);
    std::fs::symlink_metadata(header).is_ok_and(|m| m.is_file()).then_some(dir)
}

#[cfg(unix)]
fn owned_by_other(path: &Path, fences: &walk::Fences) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(path), fences.uid) {
        (Ok(m), Some(uid)) => m.uid() != uid && m.uid() != 0,
        _ => false,
    }
}

#[cfg(not(unix))]
fn owned_by_other(_path: &Path, _fences: &walk::Fences) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::{Answer, Scripted, Unanswered};
    use secrecy::SecretString;
    use std::process::Command;

    /// A PKCS#12 file made by openssl (legacy-free defaults), certificate visible.
    fn make_p12(dir: &Path) -> Vec<u8> {
        let run = |args: &[&str]| {
            let ok = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl runs");
            assert!(ok.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&ok.stderr));
        };
        run(&["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
            .into_iter()
            .chain(["-keyout", "k.pem", "-out", "c.pem", "-subj", "/CN=Sakura Clinic", "-days", "30"])
            .collect::<Vec<_>>());
        run(&[
            "pkcs12",
            "-export",
            "-in",
            "c.pem",
            "-inkey",
            "k.pem",
            "-out",
            "made.p12",
            "-passout",
            "pass:1234",
            "-certpbe",
            "NONE",
        ]);
        let bytes = std::fs::read(dir.join("made.p12")).unwrap();
        for f in ["k.pem", "c.pem", "made.p12"] {
            std::fs::remove_file(dir.join(f)).unwrap();
        }
        bytes
    }

    fn given(path: &Path) -> Vec<Root> {
        vec![Root { path: canonical(path).unwrap(), place: Place::Given, default: false }]
    }

    #[test]
    fn finds_copies_by_content_and_says_why_others_are_not() {
        let tmp = tempfile::tempdir().unwrap();
        let work = tempfile::tempdir().unwrap();
        let p12 = make_p12(work.path());
        std::fs::write(tmp.path().join("client.p12"), &p12).unwrap();
        // Renamed, without extension: found by its content.
        std::fs::write(tmp.path().join("certificate"), &p12).unwrap();
        std::fs::write(tmp.path().join("empty.pfx"), b"").unwrap();
        std::fs::write(tmp.path().join("notes.p12"), b"just some text, not a certificate").unwrap();

        let talk = Scripted::new([]);
        let report = scan(&given(tmp.path()), None, Settings::default(), &talk).unwrap();
        assert!(talk.asked_ids().is_empty(), "a scan asks nothing");
        let names: Vec<_> = report.hits.iter().map(|h| h.path.file_name().unwrap().to_owned()).collect();
        assert_eq!(names, ["certificate", "client.p12"]);
        assert!(report.hits.iter().all(|h| h.class == Class::Found && h.place == Place::Given));
        assert!(report
            .hits
            .iter()
            .all(|h| h.certificate.as_ref().is_some_and(|c| c.subject.contains("Sakura"))));
        let reasons: Vec<_> = report.not_pkcs12.iter().map(|n| n.reason.id).collect();
        assert_eq!(reasons, ["scan-reason-empty", "scan-reason-looks-like"], "text says what it looks like");
        assert_eq!(report.summary.files, 4);
        assert_eq!(report.summary.hits, 2);

        // `--json` carries the reasons phrased by the front-end.
        let phrased = report.phrased(&|m: &Message| format!("<{}>", m.id));
        assert_eq!(phrased.not_pkcs12[0].reason, "<scan-reason-empty>");
        let json = serde_json::to_value(&phrased).unwrap();
        assert_eq!(json["hits"][1]["class"], "found");
        assert_eq!(json["not_pkcs12"][1]["reason"], "<scan-reason-looks-like>");
    }

    /// The batched reading of heads (`heads`, io_uring on Linux) and opening every file one by
    /// one find the same things and note the same errors, over several batches of a folder
    /// and the files a batch hands back: PKCS#12 and ZIP heads, short files, a FIFO, a link.
    #[test]
    fn batched_heads_and_one_by_one_agree() {
        let tmp = tempfile::tempdir().unwrap();
        let work = tempfile::tempdir().unwrap();
        let p12 = make_p12(work.path());
        let dir = tmp.path().join("many");
        std::fs::create_dir(&dir).unwrap();
        for i in 0..(3 * heads::BATCH + 7) {
            let body = format!("{i:0>80} plain text, longer than a head");
            std::fs::write(dir.join(format!("f{i}.dat")), body).unwrap();
        }
        std::fs::write(dir.join("photo.jpg"), &p12).unwrap();
        std::fs::write(dir.join("cut"), &p12[..40]).unwrap();
        std::fs::write(dir.join("tiny"), b"0").unwrap();
        std::fs::write(dir.join("empty"), b"").unwrap();
        std::fs::write(dir.join("broken.docx"), b"PK\x03\x04 not really a zip archive, just its first bytes")
            .unwrap();
        std::fs::write(dir.join("scan.pdf"), &p12).unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.join("photo.jpg"), dir.join("link")).unwrap();
            let fifo =
                std::ffi::CString::new(dir.join("pipe").into_os_string().into_encoded_bytes()).unwrap();
            // SAFETY: a NUL-terminated path that outlives the call.
            assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        }
        let run = |batch: bool, trust_names: bool| {
            walk::set_batch_heads(batch);
            let report =
                scan(&given(tmp.path()), None, Settings { trust_names }, &Scripted::new([])).unwrap();
            walk::set_batch_heads(true);
            let hits: Vec<_> = report.hits.iter().map(|h| (h.display_path(), h.class, h.size)).collect();
            let notes = |n: &[Note]| n.iter().map(|n| (n.path.clone(), n.reason.id)).collect::<Vec<_>>();
            let s = &report.summary;
            (
                hits,
                notes(&report.not_pkcs12),
                notes(&report.skipped),
                notes(&report.errors),
                (s.files, s.files_not_opened, s.folders, s.symlinks_not_followed),
            )
        };
        // Where the batches exist, they must be what is compared (a kernel that refuses a
        // ring would make both runs the one-by-one path and this test say nothing).
        #[cfg(target_os = "linux")]
        assert!(
            heads::Heads::new(true).batching(),
            "this Linux kernel refuses io_uring (kernel.io_uring_disabled, seccomp, < 5.19): the batched path is untested"
        );
        let batched = run(true, false);
        assert_eq!(batched, run(false, false));
        let names: Vec<_> = batched.0.iter().map(|h| h.0.rsplit('/').next().unwrap().to_string()).collect();
        assert_eq!(names, ["cut", "photo.jpg", "scan.pdf"], "renamed copies are found by content");
        assert_eq!(batched.4 .0, 3 * heads::BATCH as u64 + 7 + 6);
        assert_eq!(batched.2.len(), 1, "the broken archive is noted: {:?}", batched.2);
        let trusting = run(true, true);
        assert_eq!(trusting, run(false, true));
        let names: Vec<_> = trusting.0.iter().map(|h| h.0.rsplit('/').next().unwrap().to_string()).collect();
        assert_eq!(names, ["cut"], "names of other formats are trusted");
        assert_eq!(trusting.4 .1, 2, "photo.jpg and broken.docx are not opened");
    }

    #[test]
    fn a_copy_in_the_vault_folder_says_so_after_its_own_reason() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join(vault_format::HEADER_FILE_NAME), b"{}").unwrap();
        // A truncated PKCS#12 head: found, not readable, and lying in the vault folder.
        let work = tempfile::tempdir().unwrap();
        let p12 = make_p12(work.path());
        std::fs::write(tmp.path().join("cut.p12"), &p12[..p12.len() / 2]).unwrap();
        let report = scan(&given(tmp.path()), None, Settings::default(), &Scripted::new([])).unwrap();
        let reason = report.hits[0].reason.as_ref().unwrap();
        assert_eq!(report.hits[0].class, Class::NotReadable);
        assert_eq!(reason.id, "scan-reason-and");
        assert!(
            matches!(&reason.args[1].1, crate::message::Arg::Message(m) if m.id == "scan-reason-in-vault-folder")
        );
    }

    /// Asks to stop as soon as the scan polls.
    struct Impatient(Scripted);

    impl Conversation for Impatient {
        fn secret(&self, q: &Message) -> Result<SecretString, Unanswered> {
            self.0.secret(q)
        }
        fn confirm(&self, q: &Message) -> Result<bool, Unanswered> {
            self.0.confirm(q)
        }
        fn choose(&self, q: &Message, c: &[Message]) -> Result<usize, Unanswered> {
            self.0.choose(q, c)
        }
        fn text(&self, q: &Message) -> Result<String, Unanswered> {
            self.0.text(q)
        }
        fn tell(&self, level: Level, note: Message) {
            self.0.tell(level, note)
        }
        fn cancel_requested(&self) -> bool {
            true
        }
    }

    #[test]
    fn a_scan_the_user_stops_ends_cancelled() {
        let tmp = tempfile::tempdir().unwrap();
        for i in 0..50 {
            let dir = tmp.path().join(format!("d{i}"));
            std::fs::create_dir(&dir).unwrap();
            std::fs::write(dir.join("a.txt"), b"x").unwrap();
        }
        // The walk may finish before the first poll on a fast machine: either result is whole.
        match scan(&given(tmp.path()), None, Settings::default(), &Impatient(Scripted::new([]))) {
            Err(e) => assert_eq!(e.kind, ErrorKind::Cancelled),
            Ok(report) => assert_eq!(report.summary.folders, 51),
        }
    }

    #[test]
    fn given_paths_must_exist_and_a_missing_vault_passphrase_names_its_flag() {
        let tmp = tempfile::tempdir().unwrap();
        let err = resolve_roots(&[tmp.path().join("nope")], None).unwrap_err();
        assert_eq!((err.kind, err.message.id), (ErrorKind::NotFound, "err-not-found"));
        let roots = resolve_roots(&[tmp.path().to_path_buf(), tmp.path().to_path_buf()], None).unwrap();
        assert_eq!(roots.len(), 1, "the same root once");

        assert!(open_vault(None, &UnlockSource::default(), false, &Scripted::new([])).unwrap().is_none());
        let talk = Scripted::new([Answer::Cancel]);
        let opts = ScanOptions {
            paths: vec![tmp.path().to_path_buf()],
            vault: Some(tmp.path().to_path_buf()),
            unlock: UnlockSource::default(),
            trust_names: false,
        };
        let err = scan_for_copies(&opts, &talk).map(|_| ()).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Cancelled, "the passphrase is asked first");
        assert_eq!(talk.asked_ids().len(), 1);
    }
}
