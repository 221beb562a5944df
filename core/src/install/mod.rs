//! Installing certificates from the vault onto this computer (`certvault restore`, the
//! wizard's 「新しい端末に復元する」): what to install, where, and how the PIN and the CA root
//! are decided, as plain values that every front-end fills in the same way.

use std::path::PathBuf;

use vault_format::Entry;

use crate::error::{Error, ErrorKind};
use crate::msg;
use crate::vault::UnlockSource;

/// Where a restore installs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The current user's "My" store.
    Windows,
    /// The login keychain.
    Macos,
    /// An NSS database folder; `None` = the user's shared database (`~/.pki/nssdb`).
    Nss(Option<PathBuf>),
    /// The original `.p12`, as sealed, for a vendor who installs it with their own tool.
    File(PathBuf),
}

impl Target {
    /// The store of the system certvault runs on.
    pub fn default_here() -> Target {
        if cfg!(windows) {
            Target::Windows
        } else if cfg!(target_os = "macos") {
            Target::Macos
        } else {
            Target::Nss(None)
        }
    }
}

/// Whether the CA root of a certificate file is added to the trusted roots.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RootTrust {
    /// Asked, after its SHA-1 thumbprint is shown; left out when nobody can be asked.
    #[default]
    Ask,
    /// Added without asking (the thumbprint is still shown).
    Always,
    /// Never added.
    Never,
}

/// Everything a restore needs to know before it starts. The front-ends fill it: the command
/// line from its flags, the wizard from its questions.
#[derive(Debug, Clone)]
pub struct RestoreOptions {
    /// Entries to restore (ids, or unique beginnings of them). Empty: the current certificate
    /// of each purpose is proposed.
    pub entries: Vec<String>,
    /// The vault folder; `None`: found on removable media (asked when there are several).
    pub vault: Option<PathBuf>,
    pub unlock: UnlockSource,
    /// A file holding the certificate's PIN (checked here before any store sees it).
    pub pin_file: Option<PathBuf>,
    /// A file holding the PIN code of the recovery sheet, which opens the stored PIN.
    pub pin_code_file: Option<PathBuf>,
    pub target: Target,
    /// Let the private key be exported again later (Windows, macOS).
    pub exportable: bool,
    pub root: RootTrust,
    /// Go on without asking when a certificate is expired or superseded.
    pub yes: bool,
    /// A file holding the NSS database's password, when it has one.
    pub store_password_file: Option<PathBuf>,
}

impl RestoreOptions {
    /// The defaults of `certvault restore` without flags: this computer's store, the vault
    /// found on the media, everything asked.
    pub fn new(target: Target) -> RestoreOptions {
        RestoreOptions {
            entries: Vec::new(),
            vault: None,
            unlock: UnlockSource::default(),
            pin_file: None,
            pin_code_file: None,
            target,
            exportable: false,
            root: RootTrust::Ask,
            yes: false,
            store_password_file: None,
        }
    }
}

/// The current certificate of each purpose (and institution): the newest that is not
/// superseded, or the newest at all when every one is.
pub fn proposed(entries: &[Entry]) -> Vec<usize> {
    let mut groups: std::collections::BTreeMap<(String, Option<String>), Vec<usize>> =
        std::collections::BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        let purpose = serde_json::to_string(&e.purpose).unwrap_or_default();
        groups.entry((purpose, e.certificate.institution_code.clone())).or_default().push(i);
    }
    let mut chosen: Vec<usize> = groups
        .values()
        .filter_map(|members| {
            let current: Vec<usize> =
                members.iter().copied().filter(|&i| entries[i].superseded.is_none()).collect();
            let pool = if current.is_empty() { members.clone() } else { current };
            pool.into_iter().max_by(|&a, &b| {
                let (ea, eb) = (&entries[a].certificate, &entries[b].certificate);
                (&ea.not_before, &ea.not_after).cmp(&(&eb.not_before, &eb.not_after))
            })
        })
        .collect();
    chosen.sort_unstable();
    chosen
}

/// The entry `text` names: its id, or a unique beginning of it.
pub fn resolve_entry(entries: &[Entry], text: &str) -> Result<usize, Error> {
    let wanted = text.trim().to_lowercase();
    if let Some(i) = entries.iter().position(|e| e.id == wanted) {
        return Ok(i);
    }
    let matches: Vec<usize> =
        (0..entries.len()).filter(|&i| !wanted.is_empty() && entries[i].id.starts_with(&wanted)).collect();
    match matches[..] {
        [one] => Ok(one),
        [] => Err(Error::new(ErrorKind::NotFound, msg!("err-restore-no-entry", id = text))),
        _ => Err(Error::new(ErrorKind::InvalidInput, msg!("err-restore-ambiguous-entry", id = text))),
    }
}

/// Parses "1 3" / "1,3" into entry indices (1-based on screen); `None` when a number is not
/// one of the `count` shown.
pub fn parse_numbers(answer: &str, count: usize) -> Option<Vec<usize>> {
    let mut out = Vec::new();
    for part in answer.split(|c: char| c == ',' || c.is_whitespace()).filter(|p| !p.is_empty()) {
        let n: usize = part.parse().ok()?;
        if n == 0 || n > count {
            return None;
        }
        if !out.contains(&(n - 1)) {
            out.push(n - 1);
        }
    }
    (!out.is_empty()).then_some(out)
}

/// A thumbprint in plain hex ("01ab…", 40 digits) as bytes.
pub fn hex20(plain: &str) -> Option<[u8; 20]> {
    let bytes: Vec<u8> = (0..plain.len())
        .step_by(2)
        .map(|i| plain.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect::<Option<_>>()?;
    bytes.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use vault_format::Purpose;

    fn entry(id: &str, purpose: Purpose, not_before: &str, superseded: bool) -> Entry {
        Entry {
            id: id.into(),
            purpose,
            original_file_name: format!("{id}.p12"),
            size: 1,
            sha256: "0".repeat(64),
            added: "2026-01-01T00:00:00Z".into(),
            certificate: vault_format::CertificateInfo {
                subject: "CN=x".into(),
                institution_code: Some("1312345678".into()),
                issuer: "CN=ca".into(),
                serial: "01".into(),
                not_before: not_before.into(),
                not_after: "2030-01-01T00:00:00Z".into(),
                leaf_sha1: "00".repeat(20),
                leaf_sha256: "00".repeat(32),
                ca_sha1: vec![],
                key_type: "rsa".into(),
                key_bits: 2048,
            },
            pin_stored: true,
            hint: None,
            superseded: superseded
                .then(|| vault_format::Superseded { by: "x".into(), stops_working: "2026-02-01".into() }),
        }
    }

    #[test]
    fn the_current_certificate_of_each_purpose_is_proposed() {
        let entries = vec![
            entry("aaaaaaaaaaaa", Purpose::OnlineQualification, "2024-01-01T00:00:00Z", true),
            entry("bbbbbbbbbbbb", Purpose::OnlineQualification, "2025-01-01T00:00:00Z", false),
            entry("cccccccccccc", Purpose::HpkiSecond, "2023-01-01T00:00:00Z", true),
        ];
        // HPKI: only a superseded one, so it is still proposed.
        assert_eq!(proposed(&entries), vec![1, 2]);
    }

    #[test]
    fn entries_resolve_by_unique_beginning() {
        let entries = vec![
            entry("ab12aaaaaaaa", Purpose::Other, "2024-01-01T00:00:00Z", false),
            entry("ab34bbbbbbbb", Purpose::Other, "2024-01-01T00:00:00Z", false),
        ];
        assert_eq!(resolve_entry(&entries, "AB34").unwrap(), 1);
        assert_eq!(resolve_entry(&entries, "ab12aaaaaaaa").unwrap(), 0);
        assert_eq!(resolve_entry(&entries, "ab").unwrap_err().message.id, "err-restore-ambiguous-entry");
        assert!(resolve_entry(&entries, "ff").unwrap_err().is(ErrorKind::NotFound));
    }

    #[test]
    fn numbers_parse() {
        assert_eq!(parse_numbers("1 3", 3), Some(vec![0, 2]));
        assert_eq!(parse_numbers("2,2", 3), Some(vec![1]));
        assert_eq!(parse_numbers("4", 3), None);
        assert_eq!(parse_numbers("x", 3), None);
    }

    #[test]
    fn thumbprints_decode() {
        let h = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(hex20(h).unwrap()[..3], [0x01, 0x23, 0x45]);
        assert!(hex20("0123").is_none());
    }
}
