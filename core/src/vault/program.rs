//! The program on the stick (SPEC.md §2.6): `init`, `clone` and `sync` put certvault itself
//! into `program/<platform>/` beside the vault, so that the replacement computer finds it where
//! the vault is, and record each file's SHA-256 in the manifest (authenticated) and on the
//! recovery sheet (for a technician with the paper).
//!
//! Which files: the programs beside the running one (`certvault`, `certvault-gui`, with the
//! platform's suffix), and the other platforms' programs when they sit in a neighbouring folder
//! of the bundle (`certvault-0.1.0-linux-x86_64/` next to `certvault-0.1.0-windows-x86_64/`)
//! or, on a stick, in `program/<other platform>/`. A file counts only when it carries
//! [`PROGRAM_MARKER`], which also gives its version; its platform is read from its header
//! (PE, ELF, Mach-O), not from its folder's name.
//!
//! Program files are never secret and never needed to open the vault: failing to copy one is a
//! warning, never an error.

use std::path::{Path, PathBuf};

use serde::Serialize;
use vault_format::{sha256_hex, ProgramFile, PROGRAM_DIR_NAME};

use crate::conversation::{Conversation, Level};
use crate::error::io_reason;
use crate::message::Message;
use crate::msg;

/// The names of certvault's programs, without the platform's suffix.
pub const PROGRAM_NAMES: [&str; 2] = ["certvault", "certvault-gui"];

/// Every certvault program carries this text, which ends its version: the version of a program
/// file is read from its bytes, whatever platform it is for. The search pattern is assembled at
/// run time so that the marker's prefix appears in a program only here.
pub static PROGRAM_MARKER: &str = concat!("\0certvault-program-version=", env!("CARGO_PKG_VERSION"), "\0");

/// Largest program file read (a release program is 20–60 MB).
const MAX_PROGRAM_BYTES: u64 = 512 * 1024 * 1024;

/// This program's version, taken from its own marker (which keeps the marker in every build).
pub fn running_version() -> &'static str {
    let marker = std::hint::black_box(PROGRAM_MARKER);
    marker.trim_matches('\0').split_once('=').map(|(_, v)| v).unwrap_or(env!("CARGO_PKG_VERSION"))
}

/// The platform this program runs on, as in `program/<platform>/`.
pub fn running_platform() -> &'static str {
    match (std::env::consts::OS, std::env::consts::ARCH) {
        ("windows", "x86_64") => "windows-x86_64",
        ("windows", "aarch64") => "windows-aarch64",
        ("linux", "x86_64") => "linux-x86_64",
        ("linux", "aarch64") => "linux-aarch64",
        ("macos", "x86_64") => "macos-x86_64",
        ("macos", "aarch64") => "macos-aarch64",
        _ => "other",
    }
}

/// The program file's suffix on `platform` (`.exe` on Windows).
fn suffix(platform: &str) -> &'static str {
    if platform.starts_with("windows-") {
        ".exe"
    } else {
        ""
    }
}

/// The platform a program file is for, from its header: PE (`MZ`, then the COFF machine), ELF
/// (`e_machine`), Mach-O (64-bit, `cputype`).
pub fn platform_of(bytes: &[u8]) -> Option<&'static str> {
    let u16_at = |at: usize| bytes.get(at..at + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let u32_at = |at: usize| bytes.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    if bytes.starts_with(b"MZ") {
        let pe = u32_at(0x3c)? as usize;
        if bytes.get(pe..pe + 4)? != b"PE\0\0" {
            return None;
        }
        return match u16_at(pe + 4)? {
            0x8664 => Some("windows-x86_64"),
            0xaa64 => Some("windows-aarch64"),
            _ => None,
        };
    }
    if bytes.starts_with(b"\x7fELF") {
        return match u16_at(18)? {
            0x3e => Some("linux-x86_64"),
            0xb7 => Some("linux-aarch64"),
            _ => None,
        };
    }
    if bytes.starts_with(&[0xcf, 0xfa, 0xed, 0xfe]) {
        return match u32_at(4)? {
            0x0100_0007 => Some("macos-x86_64"),
            0x0100_000c => Some("macos-aarch64"),
            _ => None,
        };
    }
    None
}

/// The version in a program file's marker, when it is a certvault program.
pub fn version_of(bytes: &[u8]) -> Option<String> {
    let prefix = ["\0certvault-program", "-version="].concat();
    for at in memchr::memmem::find_iter(bytes, prefix.as_bytes()) {
        let rest = &bytes[at + prefix.len()..];
        let Some(end) = rest.iter().take(65).position(|&b| b == 0) else { continue };
        let v = &rest[..end];
        if !v.is_empty() && v.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+')) {
            return Some(String::from_utf8_lossy(v).into_owned());
        }
    }
    None
}

/// Compares two versions as dot-separated numbers (`0.10.0` > `0.9.1`); text that is not a
/// number compares as text.
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    let parts = |v: &str| -> Vec<String> { v.split(['.', '-', '+']).map(str::to_owned).collect() };
    let (pa, pb) = (parts(a), parts(b));
    for (x, y) in pa.iter().zip(&pb) {
        let ord = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            _ => x.cmp(y),
        };
        if ord.is_ne() {
            return ord;
        }
    }
    pa.len().cmp(&pb.len())
}

/// A program file found on this computer (or on a stick) that can go into `program/`.
#[derive(Debug, Clone)]
pub struct ProgramSource {
    /// What the manifest will say of it.
    pub record: ProgramFile,
    /// Where it is now.
    pub file: PathBuf,
}

/// Reads `file` as a certvault program: its platform, version, size and SHA-256, when it is one.
pub fn read_program(file: &Path) -> Option<(ProgramSource, Vec<u8>)> {
    let meta = std::fs::metadata(file).ok()?;
    if !meta.is_file() || meta.len() > MAX_PROGRAM_BYTES {
        return None;
    }
    let bytes = std::fs::read(file).ok()?;
    let platform = platform_of(&bytes)?;
    let version = version_of(&bytes)?;
    let name = file.file_name()?.to_str()?;
    let stem = name.strip_suffix(suffix(platform))?;
    if !PROGRAM_NAMES.iter().any(|n| stem.eq_ignore_ascii_case(n)) {
        return None;
    }
    let record = ProgramFile {
        path: format!("{platform}/{}{}", stem.to_ascii_lowercase(), suffix(platform)),
        version,
        size: bytes.len() as u64,
        sha256: sha256_hex(&bytes),
    };
    Some((ProgramSource { record, file: file.to_path_buf() }, bytes))
}

/// The program files this computer can put on a stick: the running program's folder, and the
/// neighbouring folders of a bundle or of a stick's `program/` (see the module's text). One file
/// per path: the newest version wins.
pub fn available_programs() -> Vec<ProgramSource> {
    let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.canonicalize().ok())
        .and_then(|e| e.parent().map(Path::to_path_buf))
    else {
        return Vec::new();
    };
    programs_near(&dir)
}

/// [`available_programs`] for a program that runs from `dir`.
pub fn programs_near(dir: &Path) -> Vec<ProgramSource> {
    let mut folders = vec![dir.to_path_buf()];
    if let Some(parent) = dir.parent() {
        let bundle_like = |name: &str| {
            let lower = name.to_ascii_lowercase();
            lower.starts_with("certvault-")
                || ["windows-", "linux-", "macos-"].iter().any(|p| lower.starts_with(p))
        };
        if let Ok(read) = std::fs::read_dir(parent) {
            let mut more: Vec<PathBuf> = read
                .flatten()
                .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                .filter(|e| e.file_name().to_str().is_some_and(bundle_like))
                .map(|e| e.path())
                .filter(|p| p != dir)
                .collect();
            more.sort();
            folders.extend(more);
        }
    }
    let mut found: Vec<ProgramSource> = Vec::new();
    for folder in folders {
        for name in PROGRAM_NAMES {
            for suffix in ["", ".exe"] {
                let Some((source, _)) = read_program(&folder.join(format!("{name}{suffix}"))) else {
                    continue;
                };
                match found.iter_mut().find(|f| f.record.path == source.record.path) {
                    Some(f) if compare_versions(&source.record.version, &f.record.version).is_gt() => {
                        *f = source
                    }
                    Some(_) => {}
                    None => found.push(source),
                }
            }
        }
    }
    found.sort_by(|a, b| a.record.path.cmp(&b.record.path));
    found
}

/// Where a record's file is in the vault folder `dir`.
pub fn program_path(dir: &Path, record: &ProgramFile) -> PathBuf {
    file_below(dir, &record.path)
}

/// `dir/program/<platform>/<name>` for a record's `<platform>/<name>`.
fn file_below(dir: &Path, path: &str) -> PathBuf {
    let mut p = dir.join(PROGRAM_DIR_NAME);
    for segment in path.split('/') {
        p.push(segment);
    }
    p
}

/// Whether the file at `path` is exactly `record` (size, then SHA-256).
pub fn matches(path: &Path, record: &ProgramFile) -> bool {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() && m.len() == record.size => {}
        _ => return false,
    }
    std::fs::read(path).is_ok_and(|b| sha256_hex(&b) == record.sha256)
}

/// Writes `source` into the vault folder `dir` as `program/<path>` (through a temporary file,
/// read back and compared) unless the file there already matches.
pub fn install(dir: &Path, source: &ProgramSource) -> Result<bool, Message> {
    let target = program_path(dir, &source.record);
    if matches(&target, &source.record) {
        return Ok(false);
    }
    let fail =
        |e: &std::io::Error| msg!("program-copy-failed", file = target.display(), reason = io_reason(e));
    let bytes = std::fs::read(&source.file)
        .map_err(|e| msg!("program-copy-failed", file = source.file.display(), reason = io_reason(&e)))?;
    if sha256_hex(&bytes) != source.record.sha256 {
        return Err(msg!("program-copy-changed", file = source.file.display()));
    }
    let (Some(folder), Some(name)) = (target.parent(), target.file_name().and_then(|n| n.to_str())) else {
        return Err(msg!("program-copy-changed", file = target.display()));
    };
    std::fs::create_dir_all(folder).map_err(|e| fail(&e))?;
    let written =
        crate::durable::replace(&crate::durable::Folder(folder), name, &bytes).map_err(|e| fail(&e));
    let written = written.and_then(|()| match matches(&target, &source.record) {
        true => Ok(()),
        false => Err(msg!("program-copy-changed", file = target.display())),
    });
    if let Err(e) = written {
        // A partial program helps nobody, and a small stick needs the space for the vault.
        let _ = std::fs::remove_file(&target);
        return Err(e);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if !source.record.path.starts_with("windows-") {
            let _ = std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o755));
        }
    }
    Ok(true)
}

/// Puts every source into `dir`'s `program/`; returns the records of those that are there now.
/// A file that cannot be written is told as a warning and left out.
pub fn install_all(dir: &Path, sources: &[ProgramSource], talk: &dyn Conversation) -> Vec<ProgramFile> {
    let mut placed = Vec::new();
    for source in sources {
        match install(dir, source) {
            Ok(_) => placed.push(source.record.clone()),
            Err(why) => talk.tell(Level::Warning, why),
        }
    }
    placed
}

/// What is wrong with one program file of a copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProgramState {
    /// As the manifest says.
    Ok,
    /// The manifest lists it; the copy does not have it.
    Missing,
    /// There, but not the bytes the manifest lists.
    Altered,
    /// As listed, but an older version than the program running now (for its platform).
    Older,
}

/// One program record checked on one copy.
#[derive(Debug, Clone, Serialize)]
pub struct ProgramCheck {
    /// `<platform>/<name>` below `program/`.
    pub path: String,
    pub version: String,
    pub sha256: String,
    pub state: ProgramState,
}

/// Checks `dir`'s `program/` against the records a manifest lists: one line per record.
pub fn check(dir: &Path, listed: &[ProgramFile]) -> Vec<ProgramCheck> {
    listed
        .iter()
        .map(|record| {
            let file = program_path(dir, record);
            let state = if !file.is_file() {
                ProgramState::Missing
            } else if !matches(&file, record) {
                ProgramState::Altered
            } else if record.path.starts_with(&format!("{}/", running_platform()))
                && compare_versions(&record.version, running_version()).is_lt()
            {
                ProgramState::Older
            } else {
                ProgramState::Ok
            };
            ProgramCheck {
                path: record.path.clone(),
                version: record.version.clone(),
                sha256: record.sha256.clone(),
                state,
            }
        })
        .collect()
}

/// A problem line for a copy's report, or `None` when the file is as listed.
pub fn problem(dir: &Path, c: &ProgramCheck) -> Option<Message> {
    let file = file_below(dir, &c.path);
    match c.state {
        ProgramState::Ok => None,
        ProgramState::Missing => Some(msg!("copies-problem-program-missing", file = file.display())),
        ProgramState::Altered => Some(msg!("copies-problem-program-altered", file = file.display())),
        ProgramState::Older => Some(msg!(
            "copies-problem-program-older",
            file = file.display(),
            version = c.version.clone(),
            running = running_version()
        )),
    }
}

/// The records after putting `sources` in: a source replaces the record of its path when it is
/// newer (or the record is missing); other records stay as they are.
pub fn merged(current: &[ProgramFile], sources: &[ProgramSource]) -> Vec<ProgramFile> {
    let mut out = current.to_vec();
    for s in sources {
        match out.iter_mut().find(|r| r.path.eq_ignore_ascii_case(&s.record.path)) {
            Some(r) if compare_versions(&s.record.version, &r.version).is_gt() => *r = s.record.clone(),
            Some(_) => {}
            None => out.push(s.record.clone()),
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use vault_format::Manifest;

    fn elf() -> Vec<u8> {
        let mut b = vec![0u8; 64];
        b[..4].copy_from_slice(b"\x7fELF");
        b[18] = 0x3e;
        b
    }

    fn pe() -> Vec<u8> {
        let mut b = vec![0u8; 0x100];
        b[..2].copy_from_slice(b"MZ");
        b[0x3c] = 0x80;
        b[0x80..0x84].copy_from_slice(b"PE\0\0");
        b[0x84..0x86].copy_from_slice(&0x8664u16.to_le_bytes());
        b
    }

    fn program(mut header: Vec<u8>, version: &str) -> Vec<u8> {
        header.extend_from_slice(b"junk\0certvault-program-version=");
        header.extend_from_slice(b"\x01not a version");
        header.extend_from_slice(format!("\0certvault-program-version={version}\0tail").as_bytes());
        header
    }

    #[test]
    fn platform_and_version_come_from_the_bytes() {
        assert_eq!(platform_of(&elf()), Some("linux-x86_64"));
        assert_eq!(platform_of(&pe()), Some("windows-x86_64"));
        assert_eq!(platform_of(b"MZ short"), None);
        assert_eq!(platform_of(b"%PDF-1.7"), None);
        assert_eq!(version_of(&program(elf(), "0.2.0")), Some("0.2.0".into()));
        assert_eq!(version_of(&elf()), None);
        // The running test binary carries the marker like every certvault program.
        let me = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        assert_eq!(version_of(&me).as_deref(), Some(running_version()));
        assert_eq!(platform_of(&me), Some(running_platform()));
    }

    #[test]
    fn versions_compare_as_numbers() {
        use std::cmp::Ordering::*;
        assert_eq!(compare_versions("0.10.0", "0.9.1"), Greater);
        assert_eq!(compare_versions("0.1.0", "0.1.0"), Equal);
        assert_eq!(compare_versions("0.1", "0.1.1"), Less);
    }

    #[test]
    fn a_bundle_gives_both_platforms_and_the_stick_is_checked() {
        let tmp = tempfile::tempdir().unwrap();
        let win = tmp.path().join("certvault-0.1.0-windows-x86_64");
        let lin = tmp.path().join("certvault-0.1.0-linux-x86_64");
        let other = tmp.path().join("Downloads");
        for d in [&win, &lin, &other] {
            std::fs::create_dir(d).unwrap();
        }
        std::fs::write(win.join("certvault-gui.exe"), program(pe(), "0.1.0")).unwrap();
        std::fs::write(win.join("certvault.exe"), program(pe(), "0.1.0")).unwrap();
        std::fs::write(win.join("notes.exe"), program(pe(), "0.1.0")).unwrap();
        std::fs::write(lin.join("certvault-gui"), program(elf(), "0.1.0")).unwrap();
        std::fs::write(lin.join("certvault"), elf()).unwrap(); // no marker: not ours
        std::fs::write(other.join("certvault"), program(elf(), "9.0.0")).unwrap(); // not a bundle folder
        let found = programs_near(&win);
        let paths: Vec<&str> = found.iter().map(|f| f.record.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "linux-x86_64/certvault-gui",
                "windows-x86_64/certvault-gui.exe",
                "windows-x86_64/certvault.exe"
            ]
        );

        let vault = tmp.path().join("CERTVAULT");
        std::fs::create_dir(&vault).unwrap();
        let talk = crate::conversation::Scripted::new([]);
        let placed = install_all(&vault, &found, &talk);
        assert_eq!(placed.len(), 3);
        let tiny = vault_format::KdfParams::both(vault_format::Argon2Params::new(8, 1, 1));
        let new = vault_format::NewVault::generate(tiny, vault_format::time::now()).unwrap();
        let mut manifest = Manifest::new(&new.header, 1, vault_format::time::now());
        manifest.programs = placed;
        assert!(check(&vault, &manifest.programs).iter().all(|c| c.state == ProgramState::Ok));
        // One changed byte, one file gone.
        let gui = program_path(&vault, &manifest.programs[1]);
        let mut bytes = std::fs::read(&gui).unwrap();
        bytes[10] ^= 1;
        std::fs::write(&gui, bytes).unwrap();
        std::fs::remove_file(program_path(&vault, &manifest.programs[0])).unwrap();
        let states: Vec<ProgramState> = check(&vault, &manifest.programs).iter().map(|c| c.state).collect();
        assert_eq!(states, [ProgramState::Missing, ProgramState::Altered, ProgramState::Ok]);
        // From the stick's own program/ folder, the other platform is found too.
        let from_stick = programs_near(&vault.join("program").join("windows-x86_64"));
        assert_eq!(from_stick.len(), 2, "{from_stick:?}");
    }

    #[test]
    fn a_listed_program_older_than_the_running_one_is_reported() {
        let tmp = tempfile::tempdir().unwrap();
        let record = |platform: &str| ProgramFile {
            path: format!("{platform}/certvault"),
            version: "0.0.1".into(),
            size: 1,
            sha256: sha256_hex(b"x"),
        };
        let (mine, other) = (record(running_platform()), record("macos-riscv"));
        for r in [&mine, &other] {
            let file = program_path(tmp.path(), r);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, b"x").unwrap();
        }
        let states: Vec<ProgramState> = check(tmp.path(), &[mine, other]).iter().map(|c| c.state).collect();
        // Only this platform's program is compared with the running one.
        assert_eq!(states, [ProgramState::Older, ProgramState::Ok]);
        let line = problem(tmp.path(), &check(tmp.path(), &[record(running_platform())])[0]).unwrap();
        assert_eq!(line.id, "copies-problem-program-older");
    }

    #[test]
    fn a_newer_source_replaces_its_record_only() {
        let old = ProgramFile {
            path: "linux-x86_64/certvault".into(),
            version: "0.1.0".into(),
            size: 1,
            sha256: "a".repeat(64),
        };
        let keep = ProgramFile { path: "windows-x86_64/certvault.exe".into(), ..old.clone() };
        let newer = ProgramSource {
            record: ProgramFile { version: "0.2.0".into(), sha256: "b".repeat(64), ..old.clone() },
            file: PathBuf::new(),
        };
        let older = ProgramSource {
            record: ProgramFile { version: "0.0.9".into(), sha256: "c".repeat(64), ..keep.clone() },
            file: PathBuf::new(),
        };
        let out = merged(&[old, keep.clone()], &[newer.clone(), older]);
        assert_eq!(out, vec![newer.record, keep]);
    }
}
