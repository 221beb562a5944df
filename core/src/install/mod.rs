//! Installing certificates from the vault onto this computer (`certvault restore`, the
//! wizard's 「新しい端末に復元する」): what to install, where, and how the PIN and the CA root
//! are decided, as plain values that every front-end fills in the same way.

pub mod file;
#[cfg(unix)]
pub mod handoff;
#[cfg(target_os = "macos")]
pub mod macos;
#[cfg(unix)]
pub mod nss;
pub mod restore;
#[cfg(windows)]
pub mod windows;

use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use vault_format::Entry;

use crate::conversation::{Conversation, Level, Unanswered};
use crate::error::{Error, ErrorKind};
use crate::message::Message;
use crate::msg;
use crate::pkcs12::{PasswordCheck, PasswordForm, Pkcs12Error, Pkcs12File};
use crate::vault::{self, UnlockSource};

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
    /// Tell the vault's certificates before proposing some (the command line leaves them out
    /// of a `--json` run that nobody watches).
    pub list_entries: bool,
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
            list_entries: true,
        }
    }
}

/// The error an operation ends with when a question went unanswered because of Ctrl-C (the
/// conversation says so) or another cancel.
pub fn cancelled(talk: &dyn Conversation) -> Error {
    if talk.cancel_requested() {
        Error::new(ErrorKind::Cancelled, msg!("err-interrupted"))
    } else {
        Error::new(ErrorKind::Cancelled, msg!("cancelled"))
    }
}

/// One line about a vault for the choice: folder, id, newest generation and when it changed.
pub fn describe_vault(dir: &Path) -> Message {
    let id = vault::read_header(dir).map(|h| h.vault_id.to_string()).unwrap_or_else(|_| "?".into());
    let newest = vault::generations(dir).ok().and_then(|g| g.first().copied());
    let modified = newest
        .and_then(|n| std::fs::metadata(dir.join(vault_format::generation_file_name(n))).ok())
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| crate::dates::human_date(&crate::certificate::x509::rfc3339(d.as_secs() as i64)))
        .unwrap_or_default();
    msg!(
        "restore-vault-line",
        dir = dir.display(),
        id = id,
        generation = newest.map(|n| n.to_string()).unwrap_or_else(|| "?".into()),
        modified = modified
    )
}

/// The vault to restore from when none was named: the one on the removable media (see
/// [`crate::media`]); when there are several, `talk` chooses; when there is none, `talk` gives
/// the folder.
pub fn find_vault(talk: &dyn Conversation) -> Result<PathBuf, Error> {
    let found = crate::media::vaults_on_media();
    let no_vault = || Error::new(ErrorKind::NotFound, msg!("err-restore-no-vault"));
    match found.len() {
        1 => {
            talk.tell(Level::Info, msg!("restore-vault-found", dir = found[0].display()));
            Ok(found[0].clone())
        }
        0 => loop {
            talk.tell(Level::Info, msg!("restore-no-vault-found"));
            let answer = match talk.text(&msg!("restore-ask-vault-dir")) {
                Ok(answer) => answer,
                Err(Unanswered::NoTerminal) => {
                    return Err(no_vault().with_hint(msg!("hint-restore-vault-flag")))
                }
                Err(Unanswered::Cancelled) if talk.cancel_requested() => return Err(cancelled(talk)),
                Err(_) => return Err(no_vault()),
            };
            if answer.is_empty() {
                return Err(no_vault());
            }
            let dir = PathBuf::from(answer.trim_matches('"'));
            // A stick's root holding CERTVAULT is fine too.
            if let Some(first) = crate::media::vaults_in(std::slice::from_ref(&dir)).into_iter().next() {
                return Ok(first);
            }
            talk.tell(Level::Warning, msg!("err-not-a-vault", dir = dir.display()));
        },
        n => {
            talk.tell(Level::Info, msg!("restore-vaults-found", count = n));
            let lines: Vec<Message> = found.iter().map(|d| describe_vault(d)).collect();
            match talk.choose(&msg!("restore-choose-vault", count = n), &lines) {
                Ok(k) => Ok(found[k].clone()),
                Err(Unanswered::NoTerminal) => {
                    Err(Error::new(ErrorKind::InvalidInput, msg!("err-restore-several-vaults"))
                        .with_hint(msg!("hint-restore-vault-flag")))
                }
                Err(_) => Err(cancelled(talk)),
            }
        }
    }
}

/// The error a restore ends with on Ctrl-C (the conversation's cancel): what must not stay
/// behind (private temporary files, handed-off descriptors) goes with the Drop guards.
pub fn interrupted() -> Error {
    Error::new(ErrorKind::Cancelled, msg!("err-interrupted"))
}

// ---------------------------------------------------------------------------------------------
// Backends

/// One install target (`--to`). Every method leaves the store as it was when it fails.
pub trait Backend {
    /// `nss:/home/…/nssdb`, `windows:CurrentUser\My`, `file:/…`: for messages and the log.
    fn describe(&self) -> String;
    /// Whether `install` needs the PIN (`file:` does not: it writes the file as sealed).
    fn needs_pin(&self) -> bool {
        true
    }
    /// Whether the backend can add a CA root to trusted roots.
    fn trusts_roots(&self) -> bool {
        true
    }
    /// Checks tools and store before the vault is opened: a missing `pk12util` or a store that
    /// cannot be written is said before any secret is asked for (the store's own password,
    /// when it has one, is asked through `talk` here).
    fn check(&mut self, talk: &dyn Conversation) -> Result<(), Error>;
    /// Whether the store holds the certificate with this SHA-1 (and its key).
    fn lookup(&mut self, sha1: &[u8; 20]) -> Result<Presence, Error>;
    /// Installs the certificate with its key (and the root when `item.root` is set).
    fn install(
        &mut self,
        item: &InstallItem<'_>,
        pin: Option<&VerifiedPin>,
        talk: &dyn Conversation,
    ) -> Result<(), Error>;
    /// Reads the store back: the certificate with `item.leaf_sha1` must be there with its key.
    /// Returns notes for the user (e.g. "private key usable without a password prompt").
    fn verify(&mut self, item: &InstallItem<'_>) -> Result<Vec<Message>, Error> {
        verify_presence(&self.describe(), &item.leaf_sha1, self.lookup(&item.leaf_sha1)?)?;
        Ok(Vec::new())
    }
    /// What the user does next, after a successful install.
    fn next_steps(&self) -> Vec<Message>;
}

/// The backend for `options.target`, or `Unsupported` when this system has no such store.
pub fn backend_for(options: &RestoreOptions) -> Result<Box<dyn Backend>, Error> {
    let unavailable =
        |name: &str| Error::new(ErrorKind::Unsupported, msg!("err-restore-target-here", target = name));
    match &options.target {
        Target::File(path) => Ok(Box::new(file::FileBackend::new(path.clone()))),
        #[cfg(unix)]
        Target::Nss(dir) => Ok(Box::new(nss::NssBackend::new(
            dir.clone().unwrap_or_else(nss::default_dir),
            options.store_password_file.clone(),
        ))),
        #[cfg(not(unix))]
        Target::Nss(_) => Err(unavailable("nss")),
        #[cfg(windows)]
        Target::Windows => Ok(Box::new(windows::WindowsBackend::new(options.exportable))),
        #[cfg(not(windows))]
        Target::Windows => Err(unavailable("windows")),
        #[cfg(target_os = "macos")]
        Target::Macos => Ok(Box::new(macos::MacosBackend::new(options.exportable))),
        #[cfg(not(target_os = "macos"))]
        Target::Macos => Err(unavailable("macos")),
    }
}

/// The read-back check every backend shares: the certificate is in `store` with its key.
pub fn verify_presence(store: &str, sha1: &[u8; 20], presence: Presence) -> Result<(), Error> {
    let id = match presence {
        Presence::WithKey => return Ok(()),
        Presence::CertificateOnly => "err-restore-verify-no-key",
        Presence::Absent => "err-restore-verify-missing",
    };
    Err(Error::new(
        ErrorKind::StoreFailed,
        msg!(id, store = store, sha1 = crate::certificate::x509::colon_hex(sha1)),
    ))
}

/// A backend that needs the PIN was called without one: a bug of the caller.
fn no_verified_pin(what: &str) -> Error {
    Error::new(ErrorKind::Internal, msg!("err-internal", location = format!("{what} without a verified PIN")))
}

/// Installs unless the store already holds the certificate with its key (then nothing is
/// touched and the result is `false`).
pub fn install_unless_present(
    backend: &mut dyn Backend,
    item: &InstallItem<'_>,
    pin: Option<&VerifiedPin>,
    talk: &dyn Conversation,
) -> Result<bool, Error> {
    if backend.lookup(&item.leaf_sha1)? == Presence::WithKey {
        return Ok(false);
    }
    backend.install(item, pin, talk)?;
    Ok(true)
}

/// Whether a store already holds a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    Absent,
    /// The certificate without its private key (cannot be used to connect).
    CertificateOnly,
    /// The certificate with its private key: nothing to do.
    WithKey,
}

/// The CA root of a certificate file, which the user agreed to trust after seeing its SHA-1.
#[derive(Debug, Clone)]
pub struct RootCa {
    pub der: Vec<u8>,
    pub sha1: [u8; 20],
    pub subject: String,
}

/// What a backend installs.
pub struct InstallItem<'a> {
    pub entry: &'a Entry,
    /// The original `.p12` bytes, as sealed.
    pub p12: &'a [u8],
    /// SHA-1 of the leaf certificate (the Windows thumbprint).
    pub leaf_sha1: [u8; 20],
    /// The leaf's DER, once the file has been opened with the PIN.
    pub leaf_der: Option<Vec<u8>>,
    /// Add this CA root to the trusted roots (only after the user agreed).
    pub root: Option<RootCa>,
    pub exportable: bool,
}

/// A PIN that opened the certificate file here, offline. Only [`VerifiedPin::check`] makes
/// one, so no backend can be handed a PIN that was not verified.
pub struct VerifiedPin {
    pin: SecretString,
    form: PasswordForm,
}

impl VerifiedPin {
    /// `Some` when `pin` opens `p12` (or the file needs no PIN).
    pub fn check(p12: &Pkcs12File, pin: SecretString) -> Result<Option<VerifiedPin>, Pkcs12Error> {
        Ok(match p12.check_pin(pin.expose_secret())? {
            PasswordCheck::Correct(form) => Some(VerifiedPin { pin, form }),
            PasswordCheck::NotNeeded => Some(VerifiedPin { pin, form: PasswordForm::Bmp }),
            PasswordCheck::Wrong => None,
        })
    }

    pub fn expose(&self) -> &str {
        self.pin.expose_secret()
    }

    /// How the file encodes the password (stores other than ours know only some forms).
    pub fn form(&self) -> PasswordForm {
        self.form
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
    use crate::conversation::{Answer, NoOne, Scripted};
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

    /// The only test that sets CERTVAULT_MEDIA_ROOTS (the environment is the process's).
    #[test]
    fn the_vault_is_found_on_the_media_or_asked_for() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b, empty) = (tmp.path().join("a"), tmp.path().join("b"), tmp.path().join("empty"));
        for stick in [&a, &b] {
            std::fs::create_dir_all(stick.join("CERTVAULT")).unwrap();
            std::fs::write(stick.join("CERTVAULT").join(vault_format::HEADER_FILE_NAME), "{}").unwrap();
        }
        std::fs::create_dir_all(&empty).unwrap();
        let roots = |dirs: &[&PathBuf]| std::env::join_paths(dirs).unwrap();
        std::env::set_var(crate::media::MEDIA_ROOTS_VAR, roots(&[&a, &b]));

        // Several: chosen through the conversation, each described.
        let talk = Scripted::new([Answer::Choose(1)]);
        assert_eq!(find_vault(&talk).unwrap(), b.join("CERTVAULT"));
        assert_eq!(talk.asked_ids(), ["restore-choose-vault"]);
        assert_eq!(talk.note_ids(), ["restore-vaults-found"]);
        // Nobody to ask: the error names --vault.
        let e = find_vault(&NoOne::default()).unwrap_err();
        assert_eq!(
            (e.message.id, e.hint.map(|h| h.id)),
            ("err-restore-several-vaults", Some("hint-restore-vault-flag"))
        );
        // Cancelled.
        assert!(find_vault(&Scripted::new([Answer::Cancel])).unwrap_err().is(ErrorKind::Cancelled));

        // One: used, and said.
        std::env::set_var(crate::media::MEDIA_ROOTS_VAR, roots(&[&a]));
        let talk = Scripted::new([]);
        assert_eq!(find_vault(&talk).unwrap(), a.join("CERTVAULT"));
        assert_eq!(talk.note_ids(), ["restore-vault-found"]);

        // None: the folder is asked for until it holds a vault (a stick's root will do).
        std::env::set_var(crate::media::MEDIA_ROOTS_VAR, roots(&[&empty]));
        let talk =
            Scripted::new([Answer::Text(empty.display().to_string()), Answer::Text(b.display().to_string())]);
        assert_eq!(find_vault(&talk).unwrap(), b.join("CERTVAULT"));
        assert_eq!(talk.asked_ids(), ["restore-ask-vault-dir", "restore-ask-vault-dir"]);
        assert_eq!(talk.note_ids(), ["restore-no-vault-found", "err-not-a-vault", "restore-no-vault-found"]);
        let e = find_vault(&Scripted::new([Answer::Text(String::new())])).unwrap_err();
        assert!(e.is(ErrorKind::NotFound) && e.hint.is_none());
        std::env::remove_var(crate::media::MEDIA_ROOTS_VAR);
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
