//! `certvault scan`: finds copies of PKCS#12 files by their content (also without or with a
//! changed extension, and inside `.zip` archives), in the places where they linger for the
//! current user or in the given paths, and with `--vault` tells which copies are safely in the
//! vault. The same scan drives `certvault clean`.

pub mod archive;
pub mod classify;
#[cfg(unix)]
pub mod fastdir;
pub mod installed;
pub mod places;
pub mod sniff;
pub mod walk;
#[cfg(windows)]
pub mod windows;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, UNIX_EPOCH};

use serde::{Serialize, Serializer};
use unicode_width::UnicodeWidthStr;

use crate::error::{CliError, EXIT_FOUND, EXIT_OK};
use crate::i18n::group_digits;
use crate::t;
use crate::terminal_text::{escaped, escaped_keeping_lines};
use crate::vault::{OpenVault, UnlockSource};
use classify::{CertBrief, Class, VaultIndex};
use places::{Place, Root, TrashInfo};
use walk::Note;

pub struct ScanOptions {
    pub paths: Vec<PathBuf>,
    pub vault: Option<PathBuf>,
    pub unlock: UnlockSource,
    /// Read every file, also those whose name says they are something else (`photo.jpg`).
    pub all_files: bool,
    pub json: bool,
}

/// How to walk.
#[derive(Debug, Clone, Copy, Default)]
pub struct Settings {
    /// A progress indicator on standard error.
    pub show_progress: bool,
    /// Read every file's head, also of files whose name says they are something else.
    pub all_files: bool,
}

/// One copy found.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
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
    pub reason: Option<String>,
    pub sha256: Option<String>,
    pub certificate: Option<CertBrief>,
    /// Set when the copy is in a trash or recycle bin.
    pub trash: Option<TrashInfo>,
}

impl Hit {
    /// `path`, or `path!/entry` for a file inside an archive.
    pub fn display_path(&self) -> String {
        match &self.archive_entry {
            Some(e) => format!("{}!/{e}", self.path.display()),
            None => self.path.display().to_string(),
        }
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
    /// Files not opened because their name says they are something else (see `--all-files`).
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
}

#[derive(Debug, Clone, Serialize)]
pub struct ScanReport {
    pub roots: Vec<RootReport>,
    pub vault: Option<VaultSummary>,
    pub hits: Vec<Hit>,
    /// Files named `.p12`/`.pfx` that are not certificate files.
    pub not_pkcs12: Vec<Note>,
    /// Folders and archives deliberately not examined (other users', too many entries…).
    pub skipped: Vec<Note>,
    /// Files and folders that could not be read; skipped.
    pub errors: Vec<Note>,
    /// Certificates installed in the OS or browser stores (information only).
    pub installed: Vec<installed::Installed>,
    pub installed_notes: Vec<String>,
    pub summary: Summary,
}

pub(crate) fn lossy_path<S: Serializer>(path: &Path, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&path.to_string_lossy())
}

/// What a file that is not PKCS#12 looks like, for people.
pub fn describe_other(head: &[u8]) -> String {
    if head.is_empty() {
        return t!("scan-reason-empty");
    }
    match crate::pkcs12::sniff_other_format(head) {
        Some(kind) => t!("scan-reason-looks-like", kind = t!(kind.message_id())),
        None => t!("scan-reason-not-pkcs12"),
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
pub fn resolve_roots(paths: &[PathBuf], vault_dir: Option<&Path>) -> Result<Vec<Root>, CliError> {
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
            std::io::ErrorKind::NotFound => CliError::new(t!("err-not-found", file = p.display())),
            _ => CliError::new(t!("err-read", file = p.display(), reason = e)),
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

/// Scans `roots`, classifying every copy against `index` when given.
pub fn scan(
    roots: &[Root],
    index: Option<&VaultIndex>,
    vault_dir: Option<&Path>,
    settings: Settings,
) -> ScanReport {
    let started = Instant::now();
    let _ = vault_dir;
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
                    reason: t!("scan-reason-other-user"),
                });
            }
            !foreign
        })
        .cloned()
        .collect();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 8);
    let progress = walk::Progress::default();
    let output = std::thread::scope(|s| {
        let worker = s.spawn(|| walk::walk(&roots, &fences, threads, settings.all_files, &progress));
        if settings.show_progress {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            while !worker.is_finished() {
                let current = progress.current.lock().map(|c| c.display().to_string()).unwrap_or_default();
                bar.set_message(t!(
                    "scan-progress",
                    files = group_digits(progress.files.load(std::sync::atomic::Ordering::Relaxed)),
                    found = progress.found.load(std::sync::atomic::Ordering::Relaxed),
                    dir = shorten(&current, 60)
                ));
                bar.tick();
                std::thread::sleep(Duration::from_millis(100));
            }
            bar.finish_and_clear();
        }
        worker.join().expect("scan walk panicked")
    });

    let mut hits = Vec::with_capacity(output.found.len());
    for found in output.found {
        let c = classify::classify(&found.content, index);
        let trash = if found.archive_entry.is_none() { places::trash_info(&found.path) } else { None };
        // A copy on the stick next to the vault lies there unencrypted.
        let reason = match in_vault_folder(&found.path) {
            Some(dir) => {
                let note = t!("scan-reason-in-vault-folder", dir = dir.display());
                Some(c.reason.map_or(note.clone(), |r| format!("{r}; {note}")))
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
            modified: found
                .modified
                .and_then(|m| m.duration_since(UNIX_EPOCH).ok())
                .map(|d| crate::cert::rfc3339(d.as_secs() as i64)),
            class: c.class,
            entry: c.entry,
            reason,
            sha256: c.sha256,
            certificate: c.certificate,
            trash,
        });
    }
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
    };
    ScanReport {
        roots: roots.iter().map(|r| RootReport { path: r.path.clone(), place: r.place }).collect(),
        vault: index.map(|i| VaultSummary {
            dir: i.dir.clone(),
            generation: i.generation,
            entries: i.entries,
        }),
        hits,
        not_pkcs12: output.not_pkcs12,
        skipped,
        errors: output.errors,
        installed: Vec::new(),
        installed_notes: Vec::new(),
        summary,
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

/// `…tail` of `s` in at most `max` columns.
fn shorten(s: &str, max: usize) -> String {
    if s.width() <= max {
        return s.to_string();
    }
    let mut tail: Vec<char> = Vec::new();
    let mut width = 1;
    for c in s.chars().rev() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if width + w > max {
            break;
        }
        width += w;
        tail.push(c);
    }
    std::iter::once('…').chain(tail.into_iter().rev()).collect()
}

/// Opens the vault for reading when `dir` is given, printing fallback warnings.
pub fn open_vault(
    dir: Option<&Path>,
    unlock: &UnlockSource,
    exclusive: bool,
) -> Result<Option<OpenVault>, CliError> {
    let Some(dir) = dir else { return Ok(None) };
    let unlock = unlock.read(&crate::terminal::Terminal)?;
    let vault = OpenVault::open(dir, &unlock, exclusive)?;
    for w in vault.warnings() {
        eprintln!("{}", crate::i18n::render(&w));
    }
    Ok(Some(vault))
}

pub fn run(opts: &ScanOptions) -> Result<u8, CliError> {
    let vault = open_vault(opts.vault.as_deref(), &opts.unlock, false)?;
    let index = vault.as_ref().map(VaultIndex::new);
    let roots = resolve_roots(&opts.paths, opts.vault.as_deref())?;
    let settings =
        Settings { show_progress: !opts.json && std::io::stderr().is_terminal(), all_files: opts.all_files };
    let mut report = scan(&roots, index.as_ref(), opts.vault.as_deref(), settings);
    if opts.paths.is_empty() {
        let (list, notes) = installed::installed(index.as_ref());
        report.installed = list;
        report.installed_notes = notes;
    }
    drop(vault);
    crate::status::record_scan(
        "scan",
        report.roots.iter().map(|r| r.path.display().to_string()).collect(),
        report.hits.iter().map(Hit::display_path).collect(),
        index.as_ref().map(|_| report.hits.iter().filter(|h| h.class == Class::Unknown).count()),
        &crate::terminal::Terminal,
    );
    if opts.json {
        println!("{}", serde_json::to_string_pretty(&report).expect("the report serialises"));
    } else {
        print_report(&report);
    }
    Ok(if report.hits.is_empty() { EXIT_OK } else { EXIT_FOUND })
}

/// Pads `s` with spaces to `width` display columns (Japanese characters take two).
pub fn pad(s: &str, width: usize) -> String {
    let w = s.width();
    if w >= width {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(width - w))
    }
}

/// `2026-04-01T09:30:00Z` → `2026-04-01 09:30`.
pub fn short_time(rfc3339: Option<&str>) -> String {
    match rfc3339 {
        Some(t) if t.len() >= 16 => format!("{} {}", &t[..10], &t[11..16]),
        _ => "-".to_string(),
    }
}

/// Prints the hits as a table: class, entry, size, modified, path; with a line under a row
/// for its reason, the trash's original location or the certificate.
pub fn print_hits_table(hits: &[Hit]) {
    let headers = [t!("scan-col-class"), t!("scan-col-entry"), t!("scan-col-size"), t!("scan-col-modified")];
    let rows: Vec<[String; 4]> = hits
        .iter()
        .map(|h| {
            [
                h.class.label(),
                h.entry.clone().unwrap_or_else(|| "-".into()),
                group_digits(h.size),
                short_time(h.modified.as_deref()),
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..4)
        .map(|i| rows.iter().map(|r| r[i].width()).chain([headers[i].width()]).max().unwrap_or(0))
        .collect();
    let line = |cells: &[String; 4], path: &str| {
        let size = format!("{}{}", " ".repeat(widths[2].saturating_sub(cells[2].width())), cells[2]);
        println!(
            "{}  {}  {}  {}  {}",
            pad(&cells[0], widths[0]),
            pad(&cells[1], widths[1]),
            size,
            pad(&cells[3], widths[3]),
            path
        );
    };
    line(&headers, &t!("scan-col-path"));
    for (hit, row) in hits.iter().zip(&rows) {
        line(row, &escaped(&hit.display_path()));
        let indent = "    ";
        if let Some(c) = &hit.certificate {
            let code = c.institution_code.as_deref().map(|c| format!(" [{c}]")).unwrap_or_default();
            println!(
                "{indent}{}{}, {}",
                escaped(&c.subject),
                escaped(&code),
                t!("scan-valid-until", date = short_time(Some(&c.not_after)))
            );
        }
        if let Some(trash) = &hit.trash {
            if let Some(orig) = &trash.original_path {
                println!(
                    "{indent}{}",
                    t!("scan-deleted-from", path = orig, date = trash.deleted.as_deref().unwrap_or("-"))
                );
            }
        }
        if let Some(reason) = &hit.reason {
            println!("{indent}{}", escaped_keeping_lines(reason));
        }
    }
}

/// Prints at most `limit` notes under a title.
pub fn print_notes(title: &str, notes: &[Note], limit: usize) {
    if notes.is_empty() {
        return;
    }
    println!();
    println!("{title}");
    for n in notes.iter().take(limit) {
        let path = match &n.archive_entry {
            Some(e) => format!("{}!/{e}", n.path.display()),
            None => n.path.display().to_string(),
        };
        println!("  {}: {}", escaped(&path), escaped_keeping_lines(&n.reason));
    }
    if notes.len() > limit {
        println!("  {}", t!("scan-more", count = notes.len() - limit));
    }
}

fn print_report(report: &ScanReport) {
    let s = &report.summary;
    if report.hits.is_empty() {
        println!("{}", t!("scan-none-found"));
    } else {
        print_hits_table(&report.hits);
    }
    print_notes(&t!("scan-not-pkcs12-title"), &report.not_pkcs12, 20);
    print_notes(&t!("scan-errors-title"), &report.errors, 10);
    print_notes(&t!("scan-skipped-title"), &report.skipped, 10);
    if !report.installed.is_empty() || !report.installed_notes.is_empty() {
        println!();
        println!("{}", t!("scan-installed-title"));
        for i in &report.installed {
            let key = match (i.has_private_key, i.exportable) {
                (false, _) => t!("scan-installed-no-key"),
                (true, Some(true)) => t!("scan-installed-exportable"),
                (true, Some(false)) => t!("scan-installed-not-exportable"),
                (true, None) => t!("scan-installed-key"),
            };
            let entry = i
                .entry
                .as_deref()
                .map(|e| format!(" ({})", t!("scan-installed-entry", entry = e)))
                .unwrap_or_default();
            println!("  {}: {} — {key}{entry}", escaped(&i.store), escaped(&i.name));
            if i.strong_protection == Some(true) {
                println!("    {}", t!("scan-installed-strong-protection"));
            }
        }
        for n in &report.installed_notes {
            println!("  {}", escaped_keeping_lines(n));
        }
    }
    println!();
    println!("{}", t!("scan-places-title"));
    for r in &report.roots {
        println!("  {}: {}", r.place.label(), escaped(&r.path.display().to_string()));
    }
    println!();
    println!(
        "{}",
        t!(
            "scan-summary-scanned",
            files = group_digits(s.files),
            folders = group_digits(s.folders),
            seconds = format!("{:.1}", s.seconds)
        )
    );
    if s.files_not_opened > 0 {
        println!("{}", t!("scan-summary-not-opened", count = group_digits(s.files_not_opened)));
    }
    if report.hits.is_empty() {
        return;
    }
    match &report.vault {
        None => {
            println!("{}", t!("scan-summary-found", count = s.hits));
            println!("{}", t!("scan-advice-vault"));
        }
        Some(v) => {
            println!(
                "{}",
                t!(
                    "scan-summary-classified",
                    count = s.hits,
                    in_vault = s.in_vault,
                    same = s.same_certificate,
                    unknown = s.unknown,
                    unreadable = s.not_readable,
                    generation = v.generation
                )
            );
            if s.in_vault > 0 {
                println!("{}", t!("scan-advice-clean", dir = v.dir.display()));
            }
            if s.unknown > 0 {
                println!("{}", t!("scan-advice-unknown"));
            }
            if s.same_certificate > 0 {
                println!("{}", t!("scan-advice-same"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_counts_wide_characters() {
        assert_eq!(pad("保管庫", 8), "保管庫  ");
        assert_eq!(pad("abc", 2), "abc");
        let short = shorten("/home/u/ダウンロード/x", 8);
        assert!(
            short.starts_with('…') && short.ends_with("/x") && (7..=8).contains(&short.width()),
            "{short}"
        );
        assert_eq!(short_time(Some("2026-04-01T09:30:00Z")), "2026-04-01 09:30");
    }
}
