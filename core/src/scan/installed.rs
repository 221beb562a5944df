//! Certificates installed in the stores the OS and browsers use, as far as the current user can
//! see them without admin rights: reported as information, never removed (uninstalling is the
//! system vendor's call). Linux: the NSS databases (`~/.pki/nssdb`, Firefox and Thunderbird
//! profiles), read with NSS's `certutil` when it is installed. Windows: the current user's
//! "My" store, with whether each private key may be exported. macOS: the identities
//! `security find-identity` lists.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Serialize;

use super::classify::VaultIndex;
use crate::certificate::x509::{self, plain_hex};
use crate::message::Message;
use crate::msg;

/// One installed certificate.
#[derive(Debug, Clone, Serialize)]
pub struct Installed {
    /// `nss:DIR`, `windows:CurrentUser\My` or `macos:keychain`.
    pub store: String,
    /// The nickname or friendly name.
    pub name: String,
    pub subject: Option<String>,
    pub not_after: Option<String>,
    /// SHA-256 of the certificate, plain lower-case hex (macOS: empty, see `sha1`).
    pub sha256: String,
    pub sha1: Option<String>,
    pub has_private_key: bool,
    /// Whether the private key may be exported again (None: not knowable here).
    pub exportable: Option<bool>,
    /// Windows "strong private key protection" (None: not knowable here).
    pub strong_protection: Option<bool>,
    /// The vault entry holding the same certificate.
    pub entry: Option<String>,
}

/// Installed certificates, and notes on stores that could not be read.
pub fn installed(index: Option<&VaultIndex>) -> (Vec<Installed>, Vec<Message>) {
    let mut found = Vec::new();
    let mut notes = Vec::new();
    let home = dirs::home_dir();
    if let Some(home) = &home {
        let dbs = nss_databases(home);
        if !dbs.is_empty() {
            match nss_list_all(&dbs) {
                Ok(list) => found.extend(list),
                Err(note) => notes.push(note),
            }
        }
    }
    #[cfg(windows)]
    {
        match super::windows::my_store() {
            Ok(list) => found.extend(list),
            Err(e) => notes.push(msg!("scan-installed-unreadable", store = "CurrentUser\\My", reason = e)),
        }
    }
    #[cfg(target_os = "macos")]
    {
        let listed = Command::new("security").args(["find-identity", "-v"]).stdin(Stdio::null()).output();
        if let Ok(out) = listed {
            found.extend(parse_find_identity(&String::from_utf8_lossy(&out.stdout)));
        }
    }
    if let Some(index) = index {
        for item in found.iter_mut() {
            let by_sha1 = || item.sha1.as_deref().and_then(|s| index.entry_with_leaf_sha1(s));
            item.entry = index.entry_with_leaf(&item.sha256).or_else(by_sha1).map(str::to_string);
        }
    }
    (found, notes)
}

/// NSS databases (SQL format) of the current user.
pub fn nss_databases(home: &Path) -> Vec<PathBuf> {
    let mut candidates = vec![home.join(".pki/nssdb")];
    for profiles in [".mozilla/firefox", "snap/firefox/common/.mozilla/firefox", ".thunderbird"] {
        if let Ok(entries) = std::fs::read_dir(home.join(profiles)) {
            candidates.extend(entries.flatten().map(|e| e.path()));
        }
    }
    candidates.retain(|d| d.join("cert9.db").is_file());
    candidates.sort();
    candidates
}

fn nss_list_all(dbs: &[PathBuf]) -> Result<Vec<Installed>, Message> {
    let mut out = Vec::new();
    for db in dbs {
        out.extend(nss_list(db)?);
    }
    Ok(out)
}

/// certutil's output, or why it failed (its own words, or the OS's).
fn certutil(args: &[&std::ffi::OsStr]) -> Result<Vec<u8>, Message> {
    let output = Command::new("certutil").args(args).stdin(Stdio::null()).stderr(Stdio::null()).output();
    match output {
        Ok(o) if o.status.success() => Ok(o.stdout),
        Ok(o) => Err(msg!("reason-os", reason = String::from_utf8_lossy(&o.stdout).trim())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(msg!("scan-installed-no-certutil")),
        Err(e) => Err(msg!("reason-os", reason = e)),
    }
}

/// The certificates of one NSS database: `certutil -L` for nicknames and trust flags (`u`: a
/// user certificate with its private key), `certutil -L -n NICK -r` for each one's DER.
fn nss_list(db: &Path) -> Result<Vec<Installed>, Message> {
    let spec = std::ffi::OsString::from(format!("sql:{}", db.display()));
    let listing = certutil(&["-L".as_ref(), "-d".as_ref(), spec.as_os_str()])?;
    let store = format!("nss:{}", db.display());
    let mut out = Vec::new();
    for (nickname, trust) in parse_certutil_list(&String::from_utf8_lossy(&listing)) {
        let Ok(der) = certutil(&[
            "-L".as_ref(),
            "-d".as_ref(),
            spec.as_os_str(),
            "-n".as_ref(),
            nickname.as_ref(),
            "-r".as_ref(),
        ]) else {
            continue;
        };
        let info = x509::parse(&der).ok();
        let has_private_key = trust.split(',').next().is_some_and(|ssl| ssl.contains('u'));
        out.push(Installed {
            store: store.clone(),
            name: nickname,
            subject: info.as_ref().map(|i| i.subject.clone()),
            not_after: info.as_ref().map(|i| i.not_after.clone()),
            sha256: vault_format::sha256_hex(&der),
            sha1: info.as_ref().map(|i| plain_hex(&i.sha1)),
            has_private_key,
            // NSS soft-token keys can always be exported again (pk12util), protected only by
            // the database password if one is set.
            exportable: has_private_key.then_some(true),
            strong_protection: None,
            entry: None,
        });
    }
    Ok(out)
}

/// `certutil -L` output: a header, then `NICKNAME<spaces>TRUST` lines, trust like `u,u,u`.
pub fn parse_certutil_list(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim_end();
            let (nick, trust) = line.rsplit_once(char::is_whitespace)?;
            let nick = nick.trim();
            let is_trust =
                trust.split(',').count() == 3 && trust.chars().all(|c| c == ',' || c.is_ascii_alphabetic());
            (is_trust && !nick.is_empty()).then(|| (nick.to_string(), trust.to_string()))
        })
        .collect()
}

/// `security find-identity -v`: lines `  1) <SHA-1> "name"`.
pub fn parse_find_identity(text: &str) -> Vec<Installed> {
    text.lines()
        .filter_map(|line| {
            let (_, rest) = line.trim().split_once(") ")?;
            let (sha1, name) = rest.split_once(' ')?;
            (sha1.len() == 40 && sha1.chars().all(|c| c.is_ascii_hexdigit())).then(|| Installed {
                store: "macos:keychain".into(),
                name: name.trim().trim_matches('"').to_string(),
                subject: None,
                not_after: None,
                sha256: String::new(),
                sha1: Some(sha1.to_lowercase()),
                has_private_key: true,
                exportable: None,
                strong_protection: None,
                entry: None,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certutil_listing_is_parsed() {
        let text = "\nCertificate Nickname                                         Trust Attributes\n                                                             SSL,S/MIME,JAR/XPI\n\nさくら内科 client                                           u,u,u\nOnline CA (TEST)                                             CT,C,C\n";
        let list = parse_certutil_list(text);
        assert_eq!(
            list,
            [
                ("さくら内科 client".to_string(), "u,u,u".to_string()),
                ("Online CA (TEST)".into(), "CT,C,C".into())
            ]
        );
    }

    #[test]
    fn find_identity_is_parsed() {
        let text =
            "  1) 0123456789ABCDEF0123456789ABCDEF01234567 \"1312345678\"\n     1 valid identities found\n";
        let list = parse_find_identity(text);
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].name, "1312345678");
        assert_eq!(list[0].sha1.as_deref(), Some("0123456789abcdef0123456789abcdef01234567"));
    }
}
