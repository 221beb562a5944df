//! What is done to the entries of an open vault: seal a certificate (`add`, `clean
//! --seal-unknown`, the wizard), list, remove, export, reveal a stored PIN, and change the
//! passphrase (`passwd`). Each returns what it did; the front-ends say it.

use std::io::Write;
use std::path::Path;

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use vault_format::{
    entry_id, seal_pin, sha256_hex, CertificateInfo, Code, CodeKind, Entry, Purpose as VaultPurpose,
    Superseded, UnlockFile,
};

use super::{generations, io_error, pin, read_generation_file, OpenVault, Unlock};
use crate::certificate::file::{Analysis, CertificateFile};
use crate::certificate::x509::{plain_hex, CertInfo, KeyMatch, Purpose};
use crate::conversation::{unanswered, Conversation, Level, Unanswered};
use crate::error::{Error, ErrorKind};
use crate::message::Message;
use crate::msg;
use crate::pkcs12::{PasswordCheck, Pkcs12Error};

fn seal_error(detail: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Internal, msg!("err-seal", detail = detail))
}

/// Creates `path` readable by the owner only (0600), refusing to replace an existing file.
pub fn write_private_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => {
            Error::new(ErrorKind::Refused, msg!("err-exists", file = path.display()))
        }
        _ => io_error(path, &e),
    })?;
    f.write_all(bytes).and_then(|_| f.sync_all()).map_err(|e| io_error(path, &e))
}

/// The entry `id` (as typed: case and spaces do not matter).
pub fn find_entry<'a>(vault: &'a OpenVault, id: &str) -> Result<&'a Entry, Error> {
    let wanted = id.trim().to_lowercase();
    vault.payload.manifest.entries.iter().find(|e| e.id == wanted).ok_or_else(|| {
        Error::new(ErrorKind::NotFound, msg!("err-no-entry", id = id, dir = vault.dir.display()))
    })
}

impl OpenVault {
    /// The file of entry `id` as the medium holds it now: the opened generation is read and
    /// decrypted again (`clean` proves the vault's copy is still there before it deletes
    /// another one).
    pub fn entry_bytes(&self, id: &str) -> Result<Vec<u8>, Error> {
        let name = vault_format::generation_file_name(self.generation);
        let path = self.dir.join(&name);
        let failed = |reason: Message| {
            Error::new(
                ErrorKind::VaultDamaged,
                msg!("clean-vault-reopen-failed", file = path.display(), reason = reason),
            )
        };
        let bytes = read_generation_file(&path).map_err(&failed)?;
        let payload =
            vault_format::open_generation(&bytes, self.identity(), &self.header.vault_id, self.generation)
                .map_err(|e| failed(super::open_error_message(&e)))?;
        payload
            .certs
            .get(id)
            .cloned()
            .ok_or_else(|| Error::new(ErrorKind::NotFound, msg!("clean-entry-gone", id = id, file = name)))
    }
}

// ---------------------------------------------------------------------------------------------
// sealing a certificate

/// A certificate file whose PIN was verified offline and that holds a certificate with its
/// key: ready to be sealed (by `add`, and by `clean --seal-unknown`).
pub struct VerifiedCertificate {
    pub file: CertificateFile,
    pin: SecretString,
    pub analysis: Analysis,
    pub leaf: CertInfo,
}

/// Whether `file` looks like an HPKI second certificate before its PIN is known: by its name
/// (`….hpki-cardless-signature`, `hpki…`), or by an issuer it shows without the PIN.
pub fn looks_like_hpki(file: &CertificateFile) -> bool {
    crate::certificate::x509::guess_purpose(None, &file.file_name()) == Purpose::HpkiSecond
        || file
            .pkcs12
            .visible()
            .certificates
            .iter()
            .filter_map(|bag| crate::certificate::x509::parse(&bag.der).ok())
            .any(|c| crate::certificate::x509::guess_purpose(Some(&c.issuer), "") == Purpose::HpkiSecond)
}

/// Gets the PIN for `file` and verifies it offline: from `pin_file`, or asked through `talk`
/// until it is right (there is no lockout to fear).
pub fn verified_pin(
    file: &CertificateFile,
    pin_file: Option<&Path>,
    talk: &dyn Conversation,
) -> Result<SecretString, Error> {
    let p12 = &file.pkcs12;
    let check =
        |pin: &str| p12.check_pin(pin).map_err(|e| crate::certificate::file::pkcs12_error(&file.path, &e));
    if let PasswordCheck::Correct(_) | PasswordCheck::NotNeeded = check("")? {
        if let Some(pin_file) = pin_file {
            talk.tell(
                Level::Info,
                msg!("note-pin-file-not-used", file = file.display_name(), pin_file = pin_file.display()),
            );
        }
        return Ok(SecretString::from(String::new()));
    }
    if let Some(path) = pin_file {
        let pin = crate::secret_file::read_secret_file(path).map_err(|reason| {
            Error::new(ErrorKind::InvalidInput, msg!("err-pin-file", file = path.display(), reason = reason))
        })?;
        return match check(pin.expose_secret())? {
            PasswordCheck::Wrong => {
                let error = p12.open(pin.expose_secret()).err().unwrap_or(Pkcs12Error::WrongPassword);
                Err(crate::certificate::file::pkcs12_error(&file.path, &error))
            }
            _ => Ok(pin),
        };
    }
    // An HPKI second certificate's file comes with a password in the mailed notice: the
    // question names it so (issue 16, item 8), the others' a PIN.
    let hpki = looks_like_hpki(file);
    let mut question = if hpki {
        msg!("add-enter-hpki-password", file = file.display_name())
    } else {
        msg!("add-enter-pin", file = file.display_name())
    };
    loop {
        let pin = talk.secret(&question).map_err(|e| match e {
            Unanswered::NoTerminal => {
                Error::new(ErrorKind::NoTerminal, msg!("err-no-terminal", what = "PIN", flag = "--pin-file"))
            }
            other => unanswered(other, msg!("what-pin-code"), "--pin-file"),
        })?;
        match check(pin.expose_secret())? {
            PasswordCheck::Wrong => {
                if let Err(Pkcs12Error::MacMismatch) = p12.open(pin.expose_secret()) {
                    return Err(crate::certificate::file::pkcs12_error(
                        &file.path,
                        &Pkcs12Error::MacMismatch,
                    ));
                }
                question = msg!(if hpki { "add-hpki-password-retry" } else { "add-pin-retry" });
            }
            _ => return Ok(pin),
        }
    }
}

/// Loads `path`, gets its PIN (from `pin_file`, or asked until right) and verifies it offline,
/// and checks that the file holds a certificate and the private key that belongs to it.
pub fn verify_for_sealing(
    path: &Path,
    pin_file: Option<&Path>,
    talk: &dyn Conversation,
) -> Result<VerifiedCertificate, Error> {
    let file = CertificateFile::load(path)?;
    if let Some(what) = file.pkcs12.unsupported_algorithm() {
        return Err(crate::certificate::file::pkcs12_error(&file.path, &Pkcs12Error::Unsupported(what)));
    }
    let pin = verified_pin(&file, pin_file, talk)?;
    VerifiedCertificate::checked(file, pin)
}

impl VerifiedCertificate {
    /// A file made in memory with a password that is known (`rescue`'s export): checked as
    /// [`verify_for_sealing`] checks a file whose PIN was typed.
    pub fn from_memory(
        name: &str,
        bytes: Vec<u8>,
        password: SecretString,
    ) -> Result<VerifiedCertificate, Error> {
        let file = CertificateFile::from_memory(name, bytes)?;
        if let Some(what) = file.pkcs12.unsupported_algorithm() {
            return Err(crate::certificate::file::pkcs12_error(&file.path, &Pkcs12Error::Unsupported(what)));
        }
        match file.pkcs12.check_pin(password.expose_secret()) {
            Ok(PasswordCheck::Correct(_) | PasswordCheck::NotNeeded) => {}
            Ok(PasswordCheck::Wrong) => {
                return Err(crate::certificate::file::pkcs12_error(&file.path, &Pkcs12Error::WrongPassword))
            }
            Err(e) => return Err(crate::certificate::file::pkcs12_error(&file.path, &e)),
        }
        VerifiedCertificate::checked(file, password)
    }

    /// Opens `file` with its verified `pin` and checks that it holds a certificate and the
    /// private key that belongs to it.
    fn checked(file: CertificateFile, pin: SecretString) -> Result<VerifiedCertificate, Error> {
        let opened = file
            .pkcs12
            .open(pin.expose_secret())
            .map_err(|e| crate::certificate::file::pkcs12_error(&file.path, &e))?;
        let analysis = crate::certificate::file::analyse(&file.path, &opened)?;
        let refused =
            |id: &'static str| Error::new(ErrorKind::InvalidInput, msg!(id, file = file.display_name()));
        let leaf = analysis.leaf.clone().ok_or_else(|| refused("err-no-certificate"))?;
        if analysis.key_count == 0 {
            return Err(refused("err-no-key"));
        }
        if analysis.key_match == Some(KeyMatch::DoesNotMatch) {
            return Err(refused("err-key-mismatch"));
        }
        Ok(VerifiedCertificate { file, pin, analysis, leaf })
    }
}

/// How a certificate is sealed (`add`'s options).
#[derive(Debug, Clone, Default)]
pub struct SealOptions {
    pub hint: Option<String>,
    /// The purpose, when the user named it; else guessed from the issuer and the file name.
    pub purpose: Option<Purpose>,
    pub no_store_pin: bool,
}

/// What is about to be sealed, for the front-end to show before [`seal_verified`] asks.
#[derive(Debug, Clone)]
pub struct SealSummary {
    pub purpose: Purpose,
    pub institution_code: Option<String>,
    pub subject: String,
    pub not_after: String,
    pub days_left: i64,
    pub sha1: String,
    pub root_sha1: Option<String>,
    pub pin_stored: bool,
}

impl VerifiedCertificate {
    pub fn purpose(&self, chosen: Option<Purpose>) -> Purpose {
        chosen.unwrap_or_else(|| self.analysis.purpose(&self.file.file_name()))
    }

    pub fn summary(&self, opts: &SealOptions, now_unix: i64) -> SealSummary {
        let leaf = &self.leaf;
        SealSummary {
            purpose: self.purpose(opts.purpose),
            institution_code: leaf.institution_code.clone(),
            subject: leaf.subject.clone(),
            not_after: leaf.not_after.clone(),
            days_left: leaf.days_left(now_unix),
            sha1: leaf.sha1.clone(),
            root_sha1: self.analysis.root().map(|r| r.sha1.clone()),
            pin_stored: !opts.no_store_pin,
        }
    }
}

/// What [`seal_verified`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sealed {
    /// The same bytes are already the entry `id`; nothing changed.
    Already {
        id: String,
    },
    /// The user answered no at the confirmation.
    Cancelled,
    Added {
        id: String,
        generation: u64,
    },
}

/// The entry that already holds exactly these bytes, if any.
pub fn already_sealed(vault: &OpenVault, cert: &VerifiedCertificate) -> Option<String> {
    let sha256 = sha256_hex(&cert.file.bytes);
    vault.payload.manifest.entries.iter().find(|e| e.sha256 == sha256).map(|e| e.id.clone())
}

/// Seals `cert` into `vault` (opened with the write lock) as its next generation: asks
/// `add-confirm` through `talk` (nobody to ask means go on, as scripts expect; show the
/// [`SealSummary`] first), and marks older certificates of the same kind as superseded
/// (told as notes).
pub fn seal_verified(
    vault: &mut OpenVault,
    cert: &VerifiedCertificate,
    opts: &SealOptions,
    talk: &dyn Conversation,
) -> Result<Sealed, Error> {
    let VerifiedCertificate { file, pin, analysis, leaf } = cert;
    if let Some(id) = already_sealed(vault, cert) {
        return Ok(Sealed::Already { id });
    }
    match talk.confirm(&msg!("add-confirm")) {
        Ok(true) | Err(Unanswered::NoTerminal) => {}
        Ok(false) | Err(Unanswered::Cancelled) => return Ok(Sealed::Cancelled),
        Err(e) => return Err(unanswered(e, msg!("add-confirm"), "--yes")),
    }
    let purpose = cert.purpose(opts.purpose);
    let id = entry_id(&file.bytes);
    let certificate = CertificateInfo {
        subject: leaf.subject.clone(),
        institution_code: leaf.institution_code.clone(),
        issuer: leaf.issuer.clone(),
        // SPEC.md: the hex of the magnitude; a negative serial ("-01") has no sign there.
        serial: plain_hex(leaf.serial.trim_start_matches('-')),
        not_before: leaf.not_before.clone(),
        not_after: leaf.not_after.clone(),
        leaf_sha1: plain_hex(&leaf.sha1),
        leaf_sha256: plain_hex(&leaf.sha256),
        ca_sha1: analysis.chain.iter().map(|c| plain_hex(&c.sha1)).collect(),
        key_type: leaf.key_type.clone(),
        key_bits: leaf.key_bits.unwrap_or(0),
    };
    let entry = Entry {
        id: id.clone(),
        purpose,
        original_file_name: vault_format::manifest::storable_file_name(&file.file_name()),
        size: file.bytes.len() as u64,
        sha256: sha256_hex(&file.bytes),
        added: vault_format::time::now(),
        certificate,
        pin_stored: !opts.no_store_pin,
        hint: opts.hint.clone(),
        superseded: None,
    };
    let sealed_pin = match opts.no_store_pin {
        true => None,
        false => Some(seal_pin(pin, &vault.header.pin_recipient).map_err(seal_error)?),
    };
    let mut payload = vault.payload.clone();
    // A newer certificate of the same purpose and institution supersedes the older one, which
    // is kept: it works until one month after the new one's issue (HPKI) or its own expiry.
    for old in payload.manifest.entries.iter_mut() {
        let same_kind = old.purpose == entry.purpose
            && old.certificate.institution_code == entry.certificate.institution_code
            && old.certificate.leaf_sha256 != entry.certificate.leaf_sha256
            && old.superseded.is_none();
        if same_kind && old.certificate.not_before < entry.certificate.not_before {
            let stops_working = if entry.purpose == VaultPurpose::HpkiSecond {
                crate::dates::one_month_after(&entry.certificate.not_before)
            } else {
                old.certificate.not_after.get(..10).unwrap_or(&old.certificate.not_after).to_string()
            };
            talk.tell(Level::Info, msg!("add-supersedes", old = old.id, date = stops_working));
            old.superseded = Some(Superseded { by: entry.id.clone(), stops_working });
        }
    }
    payload.add_entry(entry, file.bytes.clone(), sealed_pin).map_err(seal_error)?;
    let generation = vault.write_generation(payload, talk)?;
    Ok(Sealed::Added { id, generation })
}

// ---------------------------------------------------------------------------------------------
// list

#[derive(Debug, Serialize)]
pub struct ListEntry {
    #[serde(flatten)]
    pub entry: Entry,
    pub days_left: i64,
}

/// `list`: the vault's entries (`--json` prints this, with the warnings phrased).
#[derive(Debug)]
pub struct Listing {
    pub vault_id: String,
    /// The newest generation on the medium (may be newer than the one that opened).
    pub generation: u64,
    pub opened_generation: u64,
    pub fallbacks: Vec<Message>,
    /// Every warning (fallbacks, a changed vault.json, generations older than seen here).
    pub warnings: Vec<Message>,
    pub entries: Vec<ListEntry>,
}

/// One certificate in the details view: a title line and the lines under it.
#[derive(Debug, Clone)]
pub struct EntryDetails {
    pub title: Message,
    pub fields: Vec<Message>,
}

impl Listing {
    /// The vault's technical details, for a vendor or a technician: the vault id and the
    /// generation, then each entry with its id, certificate, PIN and file. This is what
    /// `certvault list` prints; the wizard and the window keep ids and generations out of
    /// their screens and show them here, behind 「詳しい情報」 (issue 16, item 8).
    pub fn details(&self) -> (Message, Vec<EntryDetails>) {
        let header = msg!("list-header", id = self.vault_id.as_str(), generation = self.opened_generation);
        let field = |label: &'static str, value: crate::message::Arg| Message {
            id: "list-field",
            args: vec![("label", crate::message::Arg::Message(Message::new(label))), ("value", value)],
        };
        let text = |s: &str| crate::message::Arg::Text(s.to_string());
        let entries = self
            .entries
            .iter()
            .map(|item| {
                let e = &item.entry;
                let mut fields = Vec::new();
                if let Some(code) = &e.certificate.institution_code {
                    fields.push(field("inspect-institution", text(code)));
                }
                fields.push(field("inspect-subject", text(&e.certificate.subject)));
                let left = if item.days_left < 0 {
                    msg!("inspect-expired", days = -item.days_left)
                } else {
                    msg!("inspect-days-left", days = item.days_left)
                };
                let until = msg!(
                    "list-validity",
                    date = crate::dates::human_date(&e.certificate.not_after),
                    left = left
                );
                fields.push(field("inspect-valid-until", crate::message::Arg::Message(until)));
                let sha1 = crate::certificate::x509::colon_hex_from_plain(&e.certificate.leaf_sha1);
                fields.push(field("inspect-sha1", text(&sha1)));
                let stored = Message::new(if e.pin_stored { "yes" } else { "no" });
                fields.push(field("add-pin-stored", crate::message::Arg::Message(stored)));
                if let Some(h) = &e.hint {
                    fields.push(field("label-hint", text(h)));
                }
                if let Some(s) = &e.superseded {
                    fields.push(msg!("list-superseded", by = s.by.as_str(), date = s.stops_working.as_str()));
                }
                fields.push(field("label-file", text(&e.original_file_name)));
                let title = msg!(
                    "list-entry-title",
                    id = e.id.as_str(),
                    purpose = crate::certificate::x509::purpose_message(e.purpose)
                );
                EntryDetails { title, fields }
            })
            .collect();
        (header, entries)
    }
}

pub fn list(vault: &OpenVault, now_unix: i64) -> Result<Listing, Error> {
    let newest = generations(&vault.dir)?.first().copied().unwrap_or(vault.generation);
    Ok(Listing {
        vault_id: vault.header.vault_id.to_string(),
        generation: newest,
        opened_generation: vault.generation,
        fallbacks: vault.fallback_warnings(),
        warnings: vault.warnings(),
        entries: vault
            .payload
            .manifest
            .entries
            .iter()
            .map(|e| ListEntry { entry: e.clone(), days_left: crate::dates::days_left_of(e, now_unix) })
            .collect(),
    })
}

// ---------------------------------------------------------------------------------------------
// remove, export, reveal-pin

/// What [`remove`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removed {
    Removed {
        id: String,
        generation: u64,
    },
    /// The user said no.
    Cancelled,
}

/// Removes entry `entry` (asked `remove-confirm` through `talk`; nobody to ask means go on),
/// and clears "superseded by" marks that named it.
pub fn remove(vault: &mut OpenVault, entry: &str, talk: &dyn Conversation) -> Result<Removed, Error> {
    vault.check_can_write(talk)?;
    let id = find_entry(vault, entry)?.id.clone();
    match talk.confirm(&msg!("remove-confirm", id = id)) {
        Ok(true) | Err(Unanswered::NoTerminal) => {}
        Ok(false) | Err(Unanswered::Cancelled) => return Ok(Removed::Cancelled),
        Err(e) => return Err(unanswered(e, msg!("remove-confirm", id = id), "--yes")),
    }
    let mut payload = vault.payload.clone();
    payload.remove_entry(&id);
    for e in payload.manifest.entries.iter_mut() {
        if e.superseded.as_ref().is_some_and(|s| s.by == id) {
            e.superseded = None;
        }
    }
    let generation = vault.write_generation(payload, talk)?;
    Ok(Removed::Removed { id, generation })
}

/// Writes the file of entry `entry` to `out` (0600, never over a file). The caller refuses an
/// `out` inside the vault before opening it.
pub fn export(vault: &OpenVault, entry: &str, out: &Path) -> Result<(), Error> {
    let e = find_entry(vault, entry)?;
    let bytes = vault.payload.certs.get(&e.id).ok_or_else(|| {
        Error::new(ErrorKind::NotFound, msg!("err-no-entry", id = entry, dir = vault.dir.display()))
    })?;
    write_private_file(out, bytes)
}

/// The stored PIN of `entry`: the PIN code C is read from `pin_code_file` or asked through
/// `talk`, then [`pin::stored_pin`] opens and checks it.
pub fn reveal_pin(
    vault: &OpenVault,
    entry: &str,
    pin_code_file: Option<&Path>,
    talk: &dyn Conversation,
) -> Result<SecretString, Error> {
    let e = find_entry(vault, entry)?;
    if !vault.payload.pins.contains_key(&e.id) {
        return Err(pin::no_stored_pin(e));
    }
    let code_text = match pin_code_file {
        Some(path) => super::read_secret(path)?,
        None => talk
            .secret(&msg!("reveal-enter-pin-code"))
            .map_err(|u| unanswered(u, msg!("what-pin-code"), "--pin-code-file"))?,
    };
    let code = pin::parse_pin_code(code_text.expose_secret())?;
    pin::stored_pin(vault, e, &code)
}

// ---------------------------------------------------------------------------------------------
// passwd

/// Replaces the passphrase of `vault` (opened with the write lock by `old`) with the new one
/// from `new_passphrase_file` or asked through `talk` ([`super::passphrase::new_passphrase`]).
/// With the recovery code or shares (forgotten passphrase), `unlock.age` is made again.
pub fn passwd(
    vault: &OpenVault,
    old: &Unlock,
    new_passphrase_file: Option<&Path>,
    talk: &dyn Conversation,
) -> Result<(), Error> {
    vault.check_header()?;
    let dir = &vault.dir;
    let unlock_path = dir.join(vault_format::UNLOCK_FILE_NAME);
    let unlock_file = match (&vault.unlock_file, old) {
        // The identity opened the vault; its recovery code line must derive it too (SPEC.md
        // §6.3), or the new file would carry a recovery code that opens nothing.
        (Some(f), _) if f.verify(&vault.header.kdf.recovery).is_err() => {
            return Err(Error::new(
                ErrorKind::VaultDamaged,
                msg!("err-unlock-mismatch", file = unlock_path.display()),
            )
            .with_hint(msg!("hint-unlock-mismatch")))
        }
        (Some(f), _) => {
            UnlockFile::new(vault.header.vault_id, f.recovery_code().clone(), f.identity().clone())
                .map_err(seal_error)?
        }
        (None, Unlock::RecoveryCode(code)) => {
            // Forgotten passphrase: the recovery code re-creates the unlock file.
            let code = Code::parse(CodeKind::Recovery, code.expose_secret())
                .map_err(|e| Error::new(ErrorKind::InvalidInput, crate::codes::code_error_message(&e)))?;
            UnlockFile::new(vault.header.vault_id, code, vault.identity().clone()).map_err(seal_error)?
        }
        (None, Unlock::Shares(shares)) => {
            // Forgotten passphrase, split sheets: the combined recovery code does the same.
            let code = super::combine_shares(shares)?;
            UnlockFile::new(vault.header.vault_id, code, vault.identity().clone()).map_err(seal_error)?
        }
        // A passphrase open always reads unlock.age; keep the error path rather than panic.
        (None, Unlock::Passphrase(_)) => {
            return Err(Error::new(
                ErrorKind::VaultDamaged,
                msg!("err-vault-damaged", file = dir.display(), detail = "unlock.age"),
            ))
        }
    };
    let context = super::passphrase::PassphraseContext::of_manifest(&vault.payload.manifest);
    let new = super::passphrase::new_passphrase_in(new_passphrase_file, &context, talk)?;
    let (_, work_factor) = crate::durable::new_vault_kdf();
    replace_unlock_file(dir, &unlock_file, &new, work_factor)
}

/// Encrypts `unlock_file` with `passphrase` and replaces `unlock.age` with it, checking it
/// opens before and after it is written.
fn replace_unlock_file(
    dir: &Path,
    unlock_file: &UnlockFile,
    passphrase: &SecretString,
    work_factor: u8,
) -> Result<(), Error> {
    let bytes = unlock_file.encrypt_with_work_factor(passphrase, work_factor).map_err(seal_error)?;
    // Check the new file opens before it replaces the old one.
    UnlockFile::decrypt(&bytes, passphrase).map_err(seal_error)?;
    super::replace_file(dir, vault_format::UNLOCK_FILE_NAME, &bytes)?;
    let path = dir.join(vault_format::UNLOCK_FILE_NAME);
    let reread = std::fs::read(&path).map_err(|e| io_error(dir, &e))?;
    UnlockFile::decrypt(&reread, passphrase).map_err(|e| {
        Error::new(ErrorKind::Io, msg!("err-verify-write", file = path.display(), reason = e))
    })?;
    Ok(())
}
