//! The user's local state folder and its append-only JSON-lines logs
//! (`$XDG_STATE_HOME/certvault/`, `%LOCALAPPDATA%\certvault\`,
//! `~/Library/Application Support/certvault/`).
//!
//! Nothing secret is written here: what was installed, verified, printed or found, and when,
//! so that `certvault status` can tell what needs attention. Each log is one file of JSON
//! lines; a torn or foreign line is skipped on reading rather than failing `status`.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Serialize;

/// `restore`: one line per certificate installed ([`RestoreRecord`]).
pub const RESTORE_LOG: &str = "restore-log.jsonl";
/// `verify`: one line per run (`VerifyRecord`).
pub const VERIFY_LOG: &str = "verify-log.jsonl";
/// `sheet` and `init --sheet-out`: one line per sheet written (`SheetRecord`).
pub const SHEET_LOG: &str = "sheet-log.jsonl";
/// `scan` and `clean`: one line per run (`ScanRecord`).
pub const SCAN_LOG: &str = "scan-log.jsonl";
/// Opening and writing a vault: one line each time a newer generation of a vault is seen
/// (`GenerationRecord`), so that a stick whose generations were replaced by older ones is
/// noticed (rollback).
pub const GENERATION_LOG: &str = "generation-log.jsonl";

/// Another folder for the logs (not a secret: a path). `certvault demo` points its own runs
/// at a throwaway folder with it, so that the demo never touches the user's records; on
/// Windows, where the local state folder does not follow environment variables, tests use it
/// too.
pub const STATE_DIR_VAR: &str = "CERTVAULT_STATE_DIR";

/// certvault's folder in this user's local state folder (or [`STATE_DIR_VAR`]).
pub fn dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os(STATE_DIR_VAR).filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    dirs::state_dir().or_else(dirs::data_local_dir).map(|d| d.join("certvault"))
}

/// Where the log `file_name` lives for this user.
pub fn log_path(file_name: &str) -> Option<PathBuf> {
    dir().map(|d| d.join(file_name))
}

/// Appends `record` as one line to the log `file_name`; creates the folder (0700) and the file
/// (0600) when missing, and flushes it to disk before returning.
pub fn append<T: Serialize>(file_name: &str, record: &T) -> std::io::Result<PathBuf> {
    let path =
        log_path(file_name).ok_or_else(|| std::io::Error::other("no local state folder for this user"))?;
    if let Some(dir) = path.parent() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&path)?;
    let mut line = serde_json::to_string(record).map_err(std::io::Error::other)?;
    line.push('\n');
    // One write call per line: concurrent appenders do not interleave within a line.
    file.write_all(line.as_bytes())?;
    file.sync_all()?;
    Ok(path)
}

/// Every readable record of the log `file_name`, oldest first. A missing log is empty;
/// unreadable lines (a torn last line, another version's record) are skipped.
pub fn read<T: DeserializeOwned>(file_name: &str) -> Vec<T> {
    let Some(path) = log_path(file_name) else { return Vec::new() };
    let Ok(text) = std::fs::read_to_string(path) else { return Vec::new() };
    parse_lines(&text)
}

fn parse_lines<T: DeserializeOwned>(text: &str) -> Vec<T> {
    text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

/// One `certvault verify` run over the copies of one vault.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct VerifyRecord {
    /// When (RFC 3339 UTC).
    pub time: String,
    pub vault_id: String,
    /// The newest good generation found among the copies.
    pub newest_generation: u64,
    pub copies: Vec<VerifiedCopy>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct VerifiedCopy {
    pub path: String,
    /// `current`, `stale`, `damaged`, `missing`, `other-vault` (another vault id: not a copy)
    /// or `diverged` (changed separately from another copy); see `crate::vault::copies::CopyState`.
    pub state: String,
    pub generation: Option<u64>,
}

/// A generation of a vault that opened (or was written) on this computer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct GenerationRecord {
    /// When (RFC 3339 UTC).
    pub time: String,
    pub vault_id: String,
    pub generation: u64,
}

/// The newest generation of `vault_id` this computer has seen: opened, written, verified or
/// printed on a sheet (the generation, verify and sheet logs).
pub fn newest_generation_seen(vault_id: &str) -> Option<u64> {
    let opened = read::<GenerationRecord>(GENERATION_LOG)
        .into_iter()
        .filter(|r| r.vault_id == vault_id)
        .map(|r| r.generation);
    let verified = read::<VerifyRecord>(VERIFY_LOG)
        .into_iter()
        .filter(|r| r.vault_id == vault_id)
        .map(|r| r.newest_generation);
    let printed =
        read::<SheetRecord>(SHEET_LOG).into_iter().filter(|r| r.vault_id == vault_id).map(|r| r.generation);
    opened.chain(verified).chain(printed).max()
}

/// Records that generation `generation` of `vault_id` opened or was written here, when it is
/// newer than what the logs hold (one line per new generation, not per opening). A log that
/// cannot be written only costs the rollback check its memory of this generation.
pub fn record_generation(vault_id: &str, generation: u64) {
    if newest_generation_seen(vault_id).is_some_and(|seen| seen >= generation) {
        return;
    }
    let record =
        GenerationRecord { time: vault_format::time::now(), vault_id: vault_id.to_string(), generation };
    let _ = append(GENERATION_LOG, &record);
}

/// One recovery sheet written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct SheetRecord {
    /// When (RFC 3339 UTC).
    pub time: String,
    pub vault_id: String,
    /// The vault generation whose entries the sheet lists.
    pub generation: u64,
    /// `K-of-N` for a split sheet.
    pub split: Option<String>,
}

/// One `certvault scan` or `certvault clean` run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct ScanRecord {
    /// When (RFC 3339 UTC).
    pub time: String,
    /// `scan` or `clean`.
    pub command: String,
    /// The folders searched.
    pub roots: Vec<String>,
    /// Certificate files found (PKCS#12 by content) and still present after the run.
    pub remaining: Vec<String>,
    /// Of those, the ones whose certificate is not in the vault (unknown when scan had no vault).
    pub not_in_vault: Option<usize>,
    /// Zip archives `clean` left because they also hold files that are not in the vault
    /// (issue 16): a person looks into them; another clean would not remove them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kept_archives: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_torn_last_line_is_skipped() {
        let lines = "{\"time\":\"2026-01-01T00:00:00Z\",\"vault_id\":\"v\",\"generation\":3,\"split\":null}\n{\"time\":\"20";
        let records: Vec<SheetRecord> = parse_lines(lines);
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].generation, 3);
    }
}

/// One certificate installed by `restore` (the restore log): what was installed where, when,
/// from which vault and generation, so that `certvault status` can show it later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct RestoreRecord {
    /// When (RFC 3339 UTC).
    pub time: String,
    pub vault_id: String,
    pub generation: u64,
    pub entry: String,
    pub purpose: vault_format::Purpose,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub institution_code: Option<String>,
    /// Lowercase hex, as in the manifest.
    pub leaf_sha1: String,
    pub not_after: String,
    /// `nss:/home/…/nssdb`, `windows:CurrentUser\My`, `file:…`, `macos:login keychain`.
    pub target: String,
    pub root_trusted: bool,
    pub certvault_version: String,
}

impl RestoreRecord {
    pub fn new(
        vault: &crate::vault::OpenVault,
        entry: &vault_format::Entry,
        target: &str,
        root_trusted: bool,
    ) -> Self {
        RestoreRecord {
            time: vault_format::time::now(),
            vault_id: vault.header.vault_id.to_string(),
            generation: vault.generation,
            entry: entry.id.clone(),
            purpose: entry.purpose,
            institution_code: entry.certificate.institution_code.clone(),
            leaf_sha1: entry.certificate.leaf_sha1.clone(),
            not_after: entry.certificate.not_after.clone(),
            target: target.to_string(),
            root_trusted,
            certvault_version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// Appends a restore record; creates the folder (0700) and the file (0600) when missing.
pub fn append_restore(record: &RestoreRecord) -> std::io::Result<PathBuf> {
    append(RESTORE_LOG, record)
}

/// Every record of the restore log, oldest first; unreadable lines are skipped.
pub fn read_restores() -> Vec<RestoreRecord> {
    read(RESTORE_LOG)
}

/// Tells the user that a log could not be written: the command itself goes on (the record
/// only feeds `status`).
fn note_not_written(talk: &dyn crate::Conversation, e: &std::io::Error) {
    talk.tell(crate::Level::Warning, crate::msg!("status-log-not-written", detail = e.to_string()));
}

/// Appends a [`SheetRecord`] (the `sheet` command and `init --sheet-out`).
///
/// The same line goes into [`VAULT_SHEET_LOG`] in the vault folder, so that `status` on another
/// computer knows the sheet of this generation exists (issue 16, item 8).
pub fn record_sheet(
    vault_dir: &Path,
    vault_id: &str,
    generation: u64,
    split: Option<String>,
    talk: &dyn crate::Conversation,
) {
    let record =
        SheetRecord { time: vault_format::time::now(), vault_id: vault_id.to_string(), generation, split };
    if let Err(e) = append(SHEET_LOG, &record) {
        note_not_written(talk, &e);
    }
    if let Err(e) = append_in_vault(vault_dir, &record) {
        note_not_written(talk, &e);
    }
}

/// The recovery sheets written for the vault in this folder, on any computer: one
/// [`SheetRecord`] per line (JSON), next to the vault. Not part of the vault format: readers of
/// the format ignore the file (vault-format/SPEC.md §2.2), a copy made by `clone` does not
/// carry it, and it holds no secret (when and for which generation, nothing printed on it).
pub const VAULT_SHEET_LOG: &str = "sheets-printed.jsonl";

/// At most this much of [`VAULT_SHEET_LOG`] is read: a few thousand sheets.
const VAULT_SHEET_LOG_MAX: u64 = 256 * 1024;

fn append_in_vault(vault_dir: &Path, record: &SheetRecord) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.append(true).create(true);
    // 0600, as every file of the vault folder, whatever the umask.
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(vault_dir.join(VAULT_SHEET_LOG))?;
    let mut line = serde_json::to_string(record).map_err(std::io::Error::other)?;
    line.push('\n');
    file.write_all(line.as_bytes())?;
    file.sync_all()
}

/// The sheet records kept in the vault folder `vault_dir` (none when there is no such file;
/// lines that are not records are skipped).
pub fn sheets_in_vault(vault_dir: &Path) -> Vec<SheetRecord> {
    use std::io::Read;
    let Ok(file) = std::fs::File::open(vault_dir.join(VAULT_SHEET_LOG)) else { return Vec::new() };
    let mut text = String::new();
    if file.take(VAULT_SHEET_LOG_MAX).read_to_string(&mut text).is_err() {
        return Vec::new();
    }
    text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

/// Appends a [`ScanRecord`] (the `scan` and `clean` commands).
pub fn record_scan(
    command: &str,
    roots: Vec<String>,
    remaining: Vec<String>,
    not_in_vault: Option<usize>,
    kept_archives: Vec<String>,
    talk: &dyn crate::Conversation,
) {
    let record = ScanRecord {
        time: vault_format::time::now(),
        command: command.to_string(),
        roots,
        remaining,
        not_in_vault,
        kept_archives,
    };
    if let Err(e) = append(SCAN_LOG, &record) {
        note_not_written(talk, &e);
    }
}

/// Everything this computer's logs hold, for `status`.
#[derive(Debug, Default, Clone)]
pub struct Logs {
    pub restore: Vec<RestoreRecord>,
    pub verify: Vec<VerifyRecord>,
    pub sheet: Vec<SheetRecord>,
    pub scan: Vec<ScanRecord>,
}

impl Logs {
    pub fn read() -> Logs {
        Logs {
            restore: read_restores(),
            verify: read(VERIFY_LOG),
            sheet: read(SHEET_LOG),
            scan: read(SCAN_LOG),
        }
    }
}
