//! The restore log: one JSON line per certificate installed, in the user's local state folder
//! (`$XDG_STATE_HOME/certvault/restore-log.jsonl`, `%LOCALAPPDATA%\certvault\…`,
//! `~/Library/Application Support/certvault/…`). Nothing secret: what was installed where,
//! when, from which vault and generation, so that `certvault status` can show it later.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use vault_format::{Entry, Purpose};

use crate::vault::OpenVault;

pub const LOG_FILE_NAME: &str = crate::state::RESTORE_LOG;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// When (RFC 3339 UTC).
    pub time: String,
    pub vault_id: String,
    pub generation: u64,
    pub entry: String,
    pub purpose: Purpose,
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

impl Record {
    pub fn new(vault: &OpenVault, entry: &Entry, target: &str, root_trusted: bool) -> Record {
        Record {
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

/// Where the log lives for this user.
pub fn path() -> Option<PathBuf> {
    crate::state::log_path(LOG_FILE_NAME)
}

/// Appends `record`; creates the folder (0700) and the file (0600) when missing.
pub fn append(record: &Record) -> std::io::Result<PathBuf> {
    crate::state::append(LOG_FILE_NAME, record)
}

/// Every record of the log, oldest first; unreadable lines are skipped.
pub fn read() -> Vec<Record> {
    crate::state::read(LOG_FILE_NAME)
}
