//! Where leftover copies end up, per OS, for the current user; whose folders not to enter; and
//! the index files of the trash (freedesktop) and of the Windows recycle bin.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::message::Message;
use crate::msg;

/// The kind of place a copy was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Place {
    Downloads,
    Desktop,
    Documents,
    Pictures,
    /// The freedesktop or macOS trash.
    Trash,
    /// The Windows recycle bin (`$Recycle.Bin\<SID>`).
    RecycleBin,
    /// A mail program's attachment cache (Outlook's `Content.Outlook`).
    MailCache,
    /// A synced cloud folder (OneDrive).
    CloudSync,
    Temp,
    Home,
    /// A mounted removable volume (USB stick, SD card).
    Removable,
    /// A path given on the command line.
    Given,
}

impl Place {
    /// The place's name for people.
    pub fn message(self) -> Message {
        msg!(match self {
            Place::Downloads => "scan-place-downloads",
            Place::Desktop => "scan-place-desktop",
            Place::Documents => "scan-place-documents",
            Place::Pictures => "scan-place-pictures",
            Place::Trash => "scan-place-trash",
            Place::RecycleBin => "scan-place-recycle-bin",
            Place::MailCache => "scan-place-mail-cache",
            Place::CloudSync => "scan-place-cloud",
            Place::Temp => "scan-place-temp",
            Place::Home => "scan-place-home",
            Place::Removable => "scan-place-removable",
            Place::Given => "scan-place-given",
        })
    }
}

/// A folder (or file) to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Root {
    pub path: PathBuf,
    pub place: Place,
    /// A default root: mount points inside it are not entered and developer caches
    /// (`.git`, `node_modules`, `.cargo`…) are skipped. Paths given by the user are walked
    /// whole.
    pub default: bool,
}

impl Root {
    fn new(path: PathBuf, place: Place) -> Root {
        Root { path, place, default: true }
    }
}

/// The places this OS puts downloads, attachments and deleted files for the current user, and
/// every mounted removable volume except the one holding `vault_dir`. Only folders that exist.
pub fn default_roots(vault_dir: Option<&Path>) -> Vec<Root> {
    let mut roots = user_roots();
    roots.extend(removable_roots(vault_dir));
    let mut seen = std::collections::HashSet::new();
    roots.retain(|r| r.path.is_dir() && seen.insert(r.path.clone()));
    roots
}

fn user_folder(known: Option<PathBuf>, home: Option<&Path>, fallback: &str) -> Option<PathBuf> {
    known.or_else(|| home.map(|h| h.join(fallback)))
}

fn standard_folders(home: Option<&Path>) -> Vec<Root> {
    [
        (user_folder(dirs::download_dir(), home, "Downloads"), Place::Downloads),
        (user_folder(dirs::desktop_dir(), home, "Desktop"), Place::Desktop),
        (user_folder(dirs::document_dir(), home, "Documents"), Place::Documents),
        (user_folder(dirs::picture_dir(), home, "Pictures"), Place::Pictures),
    ]
    .into_iter()
    .filter_map(|(p, place)| p.map(|p| Root::new(p, place)))
    .collect()
}

#[cfg(not(windows))]
fn user_roots() -> Vec<Root> {
    let home = dirs::home_dir();
    let mut roots = standard_folders(home.as_deref());
    if cfg!(target_os = "macos") {
        if let Some(h) = &home {
            roots.push(Root::new(h.join(".Trash"), Place::Trash));
            roots.push(Root::new(h.join("Library/Mail Downloads"), Place::MailCache));
            roots.push(Root::new(
                h.join("Library/Containers/com.apple.mail/Data/Library/Mail Downloads"),
                Place::MailCache,
            ));
        }
    } else if let Some(data) = dirs::data_dir() {
        roots.push(Root::new(data.join("Trash"), Place::Trash));
    }
    if let Some(h) = home {
        roots.push(Root::new(h, Place::Home));
    }
    roots
}

#[cfg(windows)]
fn user_roots() -> Vec<Root> {
    let home = dirs::home_dir();
    let mut roots = standard_folders(home.as_deref());
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    for var in ["OneDrive", "OneDriveCommercial", "OneDriveConsumer"] {
        if let Some(p) = env(var) {
            roots.push(Root::new(p, Place::CloudSync));
        }
    }
    if let Some(local) = env("LOCALAPPDATA") {
        for sub in [
            r"Microsoft\Windows\INetCache\Content.Outlook",
            r"Microsoft\Windows\Temporary Internet Files\Content.Outlook",
            r"Microsoft\Olk\Attachments",
        ] {
            roots.push(Root::new(local.join(sub), Place::MailCache));
        }
    }
    if let Some(temp) = env("TEMP") {
        roots.push(Root::new(temp, Place::Temp));
    }
    // The recycle bin of every drive, the current user's folder only.
    let sid = super::windows::current_user_sid();
    let mut drives: Vec<PathBuf> = sysinfo::Disks::new_with_refreshed_list()
        .map(|d| (&d).into_iter().map(|d| d.mount_point().to_path_buf()).collect())
        .unwrap_or_default();
    drives.push(PathBuf::from(r"C:\"));
    drives.sort();
    drives.dedup();
    for drive in drives {
        let bin = drive.join("$Recycle.Bin");
        match &sid {
            Some(sid) => roots.push(Root::new(bin.join(sid), Place::RecycleBin)),
            None => roots.push(Root::new(bin, Place::RecycleBin)),
        }
    }
    roots
}

/// Mounted removable volumes (`sysinfo`), except the one that holds the vault and the
/// system's root.
fn removable_roots(vault_dir: Option<&Path>) -> Vec<Root> {
    let Ok(disks) = sysinfo::Disks::new_with_refreshed_list() else { return Vec::new() };
    let vault = vault_dir.and_then(|v| v.canonicalize().ok());
    let mut mounts: Vec<PathBuf> = (&disks)
        .into_iter()
        .filter(|d| d.is_removable())
        .map(|d| d.mount_point().to_path_buf())
        .filter(|m| m.parent().is_some())
        .collect();
    // The vault's volume is the longest mount point that holds it.
    if let Some(v) = &vault {
        let all: Vec<PathBuf> = (&disks).into_iter().map(|d| d.mount_point().to_path_buf()).collect();
        if let Some(own) = all.iter().filter(|m| v.starts_with(m)).max_by_key(|m| m.as_os_str().len()) {
            mounts.retain(|m| m != own);
        }
    }
    mounts.into_iter().map(|m| Root::new(m, Place::Removable)).collect()
}

/// Other users' home folders, which the scan never enters.
#[cfg(unix)]
pub fn other_users_homes() -> Vec<PathBuf> {
    let me = current_uid();
    let my_home = dirs::home_dir().and_then(|h| h.canonicalize().ok());
    let Ok(passwd) = std::fs::read_to_string("/etc/passwd") else { return Vec::new() };
    passwd
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split(':').collect();
            let uid: u32 = fields.get(2)?.parse().ok()?;
            let home = PathBuf::from(fields.get(5)?);
            (uid != me).then_some(home)
        })
        .filter(|h| h.is_absolute() && h.parent().is_some())
        .filter(|h| my_home.as_ref().is_none_or(|mine| !mine.starts_with(h)))
        .filter_map(|h| h.canonicalize().ok())
        .collect()
}

#[cfg(windows)]
pub fn other_users_homes() -> Vec<PathBuf> {
    let Some(mine) = dirs::home_dir() else { return Vec::new() };
    let Some(profiles) = mine.parent() else { return Vec::new() };
    let Ok(entries) = std::fs::read_dir(profiles) else { return Vec::new() };
    entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir() && *p != mine)
        .filter(|p| !p.file_name().is_some_and(|n| n.eq_ignore_ascii_case("Public")))
        .collect()
}

#[cfg(not(any(unix, windows)))]
pub fn other_users_homes() -> Vec<PathBuf> {
    Vec::new()
}

#[cfg(unix)]
pub fn current_uid() -> u32 {
    // SAFETY: getuid has no preconditions and cannot fail.
    unsafe { libc::getuid() }
}

/// The index file that goes with a file in a trash or recycle bin, and what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrashInfo {
    /// `info/NAME.trashinfo` (freedesktop) or `$I…` (Windows).
    pub index: PathBuf,
    /// Where the file was before it was deleted.
    pub original_path: Option<String>,
    /// When it was deleted (as the index says; freedesktop: local time).
    pub deleted: Option<String>,
}

/// Largest index file read: real ones are well under 1 KB.
const MAX_INDEX_FILE: u64 = 64 * 1024;

/// The trash index of `path`, when `path` is a deleted file straight inside a trash
/// (`…/Trash/files/NAME`, `.Trash-UID/files/NAME`) or recycle bin (`$Recycle.Bin\SID\$R…`).
pub fn trash_info(path: &Path) -> Option<TrashInfo> {
    let name = path.file_name()?.to_str()?;
    let parent = path.parent()?;
    if parent.file_name()? == "files" {
        let index = parent.parent()?.join("info").join(format!("{name}.trashinfo"));
        let text = read_index(&index)?;
        let (original_path, deleted) = parse_trashinfo(&String::from_utf8_lossy(&text))?;
        return Some(TrashInfo { index, original_path: Some(original_path), deleted });
    }
    let bin = parent.parent()?.file_name()?.to_str()?;
    if let (Some(rest), true) = (name.strip_prefix("$R"), bin.eq_ignore_ascii_case("$Recycle.Bin")) {
        let index = parent.join(format!("$I{rest}"));
        let bytes = read_index(&index)?;
        let (original_path, deleted) = parse_recycle_index(&bytes)?;
        return Some(TrashInfo { index, original_path: Some(original_path), deleted });
    }
    None
}

/// True when `info` still names a readable, well-formed index file (checked again right before
/// the index is removed).
pub fn index_still_valid(info: &TrashInfo) -> bool {
    read_index(&info.index).is_some_and(|bytes| {
        parse_trashinfo(&String::from_utf8_lossy(&bytes)).is_some() || parse_recycle_index(&bytes).is_some()
    })
}

/// The index file's bytes: a regular file (opened without following a link, so a name
/// swapped for a link to a FIFO or a device after the check is not read), at most
/// [`MAX_INDEX_FILE`] bytes.
fn read_index(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let file = super::walk::open_no_follow(path).ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() || meta.len() > MAX_INDEX_FILE {
        return None;
    }
    let mut bytes = Vec::new();
    file.take(MAX_INDEX_FILE + 1).read_to_end(&mut bytes).ok()?;
    (bytes.len() as u64 <= MAX_INDEX_FILE).then_some(bytes)
}

/// `[Trash Info]` with `Path=` (percent-encoded) and `DeletionDate=`.
pub fn parse_trashinfo(text: &str) -> Option<(String, Option<String>)> {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    if lines.next()? != "[Trash Info]" {
        return None;
    }
    let (mut path, mut date) = (None, None);
    for line in lines {
        if let Some(p) = line.strip_prefix("Path=") {
            path = Some(percent_decode(p));
        } else if let Some(d) = line.strip_prefix("DeletionDate=") {
            date = Some(d.to_string());
        }
    }
    Some((path?, date))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 3 <= bytes.len() {
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A Windows recycle bin `$I` file: version 1 (Vista to 8: fixed 260-character path) or
/// version 2 (Windows 10 and later: length-prefixed path). Gives the original path and the
/// deletion time.
pub fn parse_recycle_index(bytes: &[u8]) -> Option<(String, Option<String>)> {
    let u64_at = |o: usize| bytes.get(o..o + 8).map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")));
    let version = u64_at(0)?;
    let filetime = u64_at(16)?;
    let utf16 = match version {
        1 => bytes.get(24..24 + 520)?,
        2 => {
            let chars = u32::from_le_bytes(bytes.get(24..28)?.try_into().expect("4 bytes")) as usize;
            bytes.get(28..28 + chars.checked_mul(2)?)?
        }
        _ => return None,
    };
    let units: Vec<u16> =
        utf16.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).take_while(|u| *u != 0).collect();
    if units.is_empty() {
        return None;
    }
    let path = String::from_utf16_lossy(&units);
    // FILETIME: 100 ns since 1601-01-01.
    let unix = (filetime / 10_000_000) as i64 - 11_644_473_600;
    let deleted = (unix > 0).then(|| crate::certificate::x509::rfc3339(unix));
    Some((path, deleted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trashinfo_is_parsed() {
        let text = "[Trash Info]\nPath=/home/u/%E3%83%80%E3%82%A6%E3%83%B3%E3%83%AD%E3%83%BC%E3%83%89/a%20b.p12\nDeletionDate=2026-04-01T09:30:00\n";
        let (path, date) = parse_trashinfo(text).unwrap();
        assert_eq!(path, "/home/u/ダウンロード/a b.p12");
        assert_eq!(date.as_deref(), Some("2026-04-01T09:30:00"));
        assert!(parse_trashinfo("Path=/x\n").is_none());
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    fn recycle_v2(path: &str) -> Vec<u8> {
        let units: Vec<u16> = path.encode_utf16().chain([0]).collect();
        let mut b = Vec::new();
        b.extend_from_slice(&2u64.to_le_bytes());
        b.extend_from_slice(&2634u64.to_le_bytes());
        // 2026-01-01T00:00:00Z as FILETIME.
        b.extend_from_slice(&((1_767_225_600u64 + 11_644_473_600) * 10_000_000).to_le_bytes());
        b.extend_from_slice(&(units.len() as u32).to_le_bytes());
        for u in units {
            b.extend_from_slice(&u.to_le_bytes());
        }
        b
    }

    #[test]
    fn recycle_bin_index_is_parsed() {
        let (path, deleted) =
            parse_recycle_index(&recycle_v2(r"C:\Users\受付\Downloads\202101010000777.p12")).unwrap();
        assert_eq!(path, r"C:\Users\受付\Downloads\202101010000777.p12");
        assert_eq!(deleted.as_deref(), Some("2026-01-01T00:00:00Z"));
        let mut v1 = vec![0u8; 24 + 520];
        v1[0] = 1;
        for (i, u) in r"D:\a.pfx".encode_utf16().enumerate() {
            v1[24 + 2 * i..26 + 2 * i].copy_from_slice(&u.to_le_bytes());
        }
        assert_eq!(parse_recycle_index(&v1).unwrap().0, r"D:\a.pfx");
        assert!(parse_recycle_index(&[3, 0, 0, 0, 0, 0, 0, 0]).is_none());
        assert!(parse_recycle_index(&recycle_v2("x")[..30]).is_none());
    }

    #[test]
    fn trash_files_are_matched_with_their_index() {
        let tmp = tempfile::tempdir().unwrap();
        let trash = tmp.path().join("Trash");
        std::fs::create_dir_all(trash.join("files")).unwrap();
        std::fs::create_dir_all(trash.join("info")).unwrap();
        let file = trash.join("files/a.p12");
        std::fs::write(&file, b"x").unwrap();
        assert!(trash_info(&file).is_none(), "no index yet");
        std::fs::write(trash.join("info/a.p12.trashinfo"), "[Trash Info]\nPath=/home/u/a.p12\n").unwrap();
        let info = trash_info(&file).unwrap();
        assert_eq!(info.original_path.as_deref(), Some("/home/u/a.p12"));
        assert!(index_still_valid(&info));

        let bin = tmp.path().join("$Recycle.Bin").join("S-1-5-21-1-2-3-1001");
        std::fs::create_dir_all(&bin).unwrap();
        std::fs::write(bin.join("$RAB12CD.p12"), b"x").unwrap();
        std::fs::write(bin.join("$IAB12CD.p12"), recycle_v2(r"C:\Users\u\a.p12")).unwrap();
        let info = trash_info(&bin.join("$RAB12CD.p12")).unwrap();
        assert_eq!(info.index, bin.join("$IAB12CD.p12"));
    }
}
