//! Rescuing a certificate that lives only in this computer's certificate store (`certvault
//! rescue`, the wizard's and the window's "rescue" offer): the store's client certificates
//! with a private key are listed; each chosen one is exported with its key and chain as
//! PKCS#12 *in memory*, under a newly generated strong password that becomes the entry's
//! stored PIN, checked offline (it opens, the key belongs to the certificate, the thumbprint
//! is the store's) and sealed the way `add` seals a file.
//!
//! The stores are the ones restore installs into ([`crate::install`]): an NSS database
//! (`pk12util -o` writing into an anonymous memory file, see [`crate::install::handoff`]),
//! Windows' `CurrentUser\My` (`PFXExportCertStoreEx`) and the macOS login keychain. A key that
//! the store will not give out (imported as non-exportable, the Windows import wizard's
//! default, or kept on a smart card or TPM) cannot be rescued: the result says so, and what
//! the issuing CA needs for a new certificate.

pub mod capi;

use std::path::PathBuf;

use rand::Rng;
use secrecy::SecretString;
use serde::Serialize;
use sha1::Digest;
use zeroize::Zeroizing;

use crate::certificate::x509::{self, colon_hex, Purpose};
use crate::conversation::{AlreadyConfirmed, Conversation, Level, Unanswered};
use crate::error::{Error, ErrorKind};
use crate::message::Message;
use crate::msg;
use crate::vault::entries::{self, SealOptions, Sealed, VerifiedCertificate};
use crate::vault::{OpenVault, UnlockSource};

/// Where the certificate lives now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The current user's "My" store.
    Windows,
    /// An NSS database folder; `None`: the user's shared one (`~/.pki/nssdb`).
    Nss(Option<PathBuf>),
    /// The login keychain.
    Macos,
}

impl Source {
    /// The store of the system certvault runs on.
    pub fn default_here() -> Source {
        if cfg!(windows) {
            Source::Windows
        } else if cfg!(target_os = "macos") {
            Source::Macos
        } else {
            Source::Nss(None)
        }
    }
}

/// A certificate with a private key, as a store holds it.
#[derive(Debug, Clone)]
pub struct StoreIdentity {
    /// The nickname (NSS), friendly name (Windows) or label (macOS).
    pub name: String,
    pub der: Vec<u8>,
    /// Whether the store says the key may be exported (`None`: it does not say).
    pub exportable: Option<bool>,
}

impl StoreIdentity {
    pub fn sha1(&self) -> [u8; 20] {
        sha1::Sha1::digest(&self.der).into()
    }
}

/// Why an export gave no file.
#[derive(Debug)]
pub enum ExportError {
    /// The store keeps the key from being exported (non-exportable, smart card, TPM).
    NotExportable,
    Failed(Error),
}

impl From<Error> for ExportError {
    fn from(e: Error) -> ExportError {
        ExportError::Failed(e)
    }
}

/// A store certificates can be rescued from. Implemented next to the restore backend of the
/// same store (`install::nss`, `install::windows`, `install::macos`).
pub trait ExportStore {
    /// `nss:/home/…/nssdb`, `windows:CurrentUser\My`, `macos:login`.
    fn describe(&self) -> String;
    /// Tools and store, before the vault is opened (the NSS database password, when it has
    /// one, is asked through `talk` here).
    fn check(&mut self, talk: &dyn Conversation) -> Result<(), Error>;
    /// The certificates that have their private key in the store.
    fn identities(&mut self) -> Result<Vec<StoreIdentity>, Error>;
    /// The certificate with its key and chain as PKCS#12 protected by `password`, in memory.
    fn export(
        &mut self,
        identity: &StoreIdentity,
        password: &SecretString,
    ) -> Result<Zeroizing<Vec<u8>>, ExportError>;
}

/// The store for `source`, or `Unsupported` when this system has no such store.
pub fn store_for(
    source: &Source,
    store_password_file: Option<PathBuf>,
) -> Result<Box<dyn ExportStore>, Error> {
    let unavailable =
        |name: &str| Error::new(ErrorKind::Unsupported, msg!("err-rescue-source-here", source = name));
    let _ = &store_password_file;
    match source {
        #[cfg(unix)]
        Source::Nss(dir) => Ok(Box::new(crate::install::nss::NssBackend::new(
            dir.clone().unwrap_or_else(crate::install::nss::default_dir),
            store_password_file,
        ))),
        #[cfg(not(unix))]
        Source::Nss(_) => Err(unavailable("nss")),
        #[cfg(windows)]
        Source::Windows => Ok(Box::new(crate::install::windows::WindowsBackend::new(false))),
        #[cfg(not(windows))]
        Source::Windows => Err(unavailable("windows")),
        #[cfg(target_os = "macos")]
        Source::Macos => Ok(Box::new(crate::install::macos::MacosBackend::new(false))),
        #[cfg(not(target_os = "macos"))]
        Source::Macos => Err(unavailable("macos")),
    }
}

/// Whether a store's key may be exported, as the report says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Exportable {
    Yes,
    No,
    /// The store does not say; the export will tell.
    Unknown,
}

/// A client certificate of the store, described for the user.
#[derive(Debug, Clone, Serialize)]
pub struct StoreCertificate {
    /// `nss:DIR`, `windows:CurrentUser\My`, `macos:login`.
    pub store: String,
    pub name: String,
    pub subject: String,
    pub issuer: String,
    pub institution_code: Option<String>,
    /// `online-qualification`, `hpki-second`, `other`: guessed from the issuer and the name.
    pub purpose: Purpose,
    pub not_after: String,
    pub days_left: i64,
    /// Colon-separated upper-case hex, as Windows' certificate manager shows it.
    pub sha1: String,
    pub exportable: Exportable,
    /// The vault entry that already holds this certificate.
    pub entry: Option<String>,
    #[serde(skip)]
    identity: StoreIdentity,
}

impl StoreCertificate {
    fn new(store: &str, identity: StoreIdentity, now_unix: i64) -> Option<StoreCertificate> {
        let info = x509::parse(&identity.der).ok()?;
        // Client certificates only: a CA that happens to have a key is not what clinics lose.
        if info.is_ca {
            return None;
        }
        let purpose = x509::guess_purpose(Some(&info.issuer), &identity.name);
        Some(StoreCertificate {
            store: store.to_string(),
            name: identity.name.clone(),
            subject: info.subject.clone(),
            issuer: info.issuer.clone(),
            institution_code: info.institution_code.clone(),
            purpose,
            not_after: info.not_after.clone(),
            days_left: info.days_left(now_unix),
            sha1: info.sha1.clone(),
            exportable: match identity.exportable {
                Some(true) => Exportable::Yes,
                Some(false) => Exportable::No,
                None => Exportable::Unknown,
            },
            entry: None,
            identity,
        })
    }

    pub fn sha1_bytes(&self) -> [u8; 20] {
        self.identity.sha1()
    }

    /// One line for a list or a question: subject, institution code, expiry, thumbprint.
    pub fn line(&self) -> Message {
        msg!(
            "rescue-line",
            subject = self.subject.as_str(),
            code = self.institution_code.clone().unwrap_or_else(|| "-".into()),
            purpose = purpose_message(self.purpose),
            date = crate::dates::human_date(&self.not_after),
            sha1 = self.sha1.as_str()
        )
    }
}

use crate::certificate::x509::purpose_message;

/// The client certificates with a private key in `store`, each marked with the vault entry
/// that already holds it (`vault` given). Newest expiry first.
pub fn list_store(
    store: &mut dyn ExportStore,
    vault: Option<&OpenVault>,
    now_unix: i64,
) -> Result<Vec<StoreCertificate>, Error> {
    let name = store.describe();
    let mut list: Vec<StoreCertificate> =
        store.identities()?.into_iter().filter_map(|i| StoreCertificate::new(&name, i, now_unix)).collect();
    list.sort_by(|a, b| b.not_after.cmp(&a.not_after).then(a.sha1.cmp(&b.sha1)));
    list.dedup_by(|a, b| a.sha1 == b.sha1);
    if let Some(vault) = vault {
        for c in list.iter_mut() {
            let sha1 = x509::plain_hex(&c.sha1);
            c.entry = vault
                .payload
                .manifest
                .entries
                .iter()
                .find(|e| e.certificate.leaf_sha1.eq_ignore_ascii_case(&sha1))
                .map(|e| e.id.clone());
        }
    }
    Ok(list)
}

/// What the front-ends offer "rescue" from (item 3 of issue 17): the client certificates of
/// `source` that have their key there and are not in `vault`. Store problems (no `certutil`,
/// no store, a database password) give an empty list: the offer is a suggestion, not a check.
pub fn not_in_vault(source: &Source, vault: &OpenVault) -> Vec<StoreCertificate> {
    let Ok(mut store) = store_for(source, None) else { return Vec::new() };
    // Nobody is asked for a store password just to make an offer.
    if store.check(&crate::conversation::NoOne::default()).is_err() {
        return Vec::new();
    }
    list_store(store.as_mut(), Some(vault), crate::dates::now_unix())
        .map(|list| list.into_iter().filter(|c| c.entry.is_none()).collect())
        .unwrap_or_default()
}

/// What `rescue` is asked to do. The front-ends fill it: the command line from its flags, the
/// wizard and the window from their questions.
#[derive(Debug, Clone)]
pub struct RescueOptions {
    pub vault: PathBuf,
    pub unlock: UnlockSource,
    pub source: Source,
    /// SHA-1 thumbprints (hex, colons and spaces ignored) of the certificates to rescue.
    /// Empty: each certificate not yet in the vault is proposed (asked through `talk`); with
    /// nobody to ask, nothing is rescued and the list is the report.
    pub thumbprints: Vec<String>,
    /// A file holding the NSS database's password, when it has one.
    pub store_password_file: Option<PathBuf>,
    /// The purpose of the rescued entries, when the user named it (else guessed).
    pub purpose: Option<Purpose>,
}

/// What happened to one certificate.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case", tag = "outcome")]
pub enum Outcome {
    /// Exported, verified and sealed as entry `id` in `generation`.
    Rescued { entry: String, generation: u64 },
    /// The vault already has it; nothing was exported.
    AlreadyInVault { entry: String },
    /// The store will not give out the key: nothing was sealed (see [`explanation`]).
    NotExportable,
    /// Proposed, and the user said no.
    Declined,
}

#[derive(Debug, Clone, Serialize)]
pub struct RescueResult {
    pub sha1: String,
    pub subject: String,
    pub institution_code: Option<String>,
    #[serde(flatten)]
    pub outcome: Outcome,
}

impl RescueResult {
    /// What happened, in words (`rescue-result-…`), for any front-end.
    pub fn message(&self) -> Message {
        let sha1 = self.sha1.as_str();
        match &self.outcome {
            Outcome::Rescued { entry, generation } => {
                msg!("rescue-result-rescued", sha1 = sha1, id = entry.as_str(), generation = *generation)
            }
            Outcome::AlreadyInVault { entry } => {
                msg!("rescue-result-already", sha1 = sha1, id = entry.as_str())
            }
            Outcome::NotExportable => msg!("rescue-result-not-exportable", sha1 = sha1),
            Outcome::Declined => msg!("rescue-result-declined", sha1 = sha1),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RescueReport {
    pub vault: PathBuf,
    pub vault_id: String,
    pub store: String,
    /// Every client certificate with its key in the store, after the rescue.
    pub certificates: Vec<StoreCertificate>,
    /// The certificates that were chosen or proposed, in order.
    pub results: Vec<RescueResult>,
}

impl RescueReport {
    /// Client certificates with their key in the store that the vault still does not hold.
    pub fn still_outside(&self) -> usize {
        self.certificates.iter().filter(|c| c.entry.is_none()).count()
    }
}

/// What the user is told when `cert`'s key cannot be exported: it cannot be backed up from
/// this computer, only the issuing CA can issue a new one, what its application needs, and
/// that the download window of a new certificate is limited.
pub fn explanation(cert: &StoreCertificate) -> Vec<Message> {
    vec![
        msg!("rescue-not-exportable", subject = cert.subject.as_str()),
        msg!("rescue-not-exportable-ca", issuer = cert.issuer.as_str()),
        msg!(
            "rescue-not-exportable-details",
            code = cert.institution_code.clone().unwrap_or_else(|| "-".into()),
            subject = cert.subject.as_str(),
            date = crate::dates::human_date(&cert.not_after),
            sha1 = cert.sha1.as_str()
        ),
        msg!("rescue-not-exportable-window"),
    ]
}

/// A strong password for the exported file: 24 characters from the OS's random generator
/// out of 56 that are not mistaken for one another (about 139 bits). ASCII letters and digits
/// only, which every store's PKCS#12 code encodes the same way. Nobody types it: `restore`
/// takes it from the vault.
pub fn generate_password() -> SecretString {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    let mut text = Zeroizing::new(String::with_capacity(24));
    for _ in 0..24 {
        text.push(ALPHABET[rng.gen_range(0..ALPHABET.len())] as char);
    }
    SecretString::from(text.as_str().to_owned())
}

/// Checks an exported file offline and makes it ready to seal: it opens with `password`,
/// holds a key that belongs to its certificate, and that certificate is the store's.
pub fn verify_export(
    cert: &StoreCertificate,
    bytes: Zeroizing<Vec<u8>>,
    password: SecretString,
) -> Result<VerifiedCertificate, Error> {
    let code = cert.institution_code.clone().unwrap_or_else(|| x509::plain_hex(&cert.sha1)[..8].to_string());
    let name = format!("{code}-rescued.p12");
    let verified = VerifiedCertificate::from_memory(&name, bytes.to_vec(), password)?;
    if verified.leaf.sha1 != cert.sha1 {
        return Err(Error::new(
            ErrorKind::StoreFailed,
            msg!(
                "err-rescue-wrong-certificate",
                store = cert.store.as_str(),
                sha1 = cert.sha1.as_str(),
                got = verified.leaf.sha1.as_str()
            ),
        ));
    }
    Ok(verified)
}

/// A thumbprint as typed: hex with or without colons or spaces, any case.
fn normalise_thumbprint(text: &str) -> Option<[u8; 20]> {
    let plain: String = text.chars().filter(|c| !matches!(c, ':' | ' ' | '-')).collect();
    crate::install::hex20(&plain.to_ascii_lowercase())
}

/// `certvault rescue`: see the module documentation. The store is checked (tools, its own
/// password) before the vault's passphrase is asked; then [`rescue_into`].
pub fn rescue(options: &RescueOptions, talk: &dyn Conversation) -> Result<RescueReport, Error> {
    let mut wanted = Vec::new();
    for t in &options.thumbprints {
        let sha1 = normalise_thumbprint(t).ok_or_else(|| {
            Error::new(ErrorKind::InvalidInput, msg!("err-rescue-thumbprint", text = t.as_str()))
        })?;
        if !wanted.contains(&sha1) {
            wanted.push(sha1);
        }
    }
    let mut store = store_for(&options.source, options.store_password_file.clone())?;
    store.check(talk)?;
    let unlock = options.unlock.read(talk)?;
    let mut vault = OpenVault::open(&options.vault, &unlock, true)?;
    rescue_into(&mut vault, store.as_mut(), &wanted, options.purpose, talk)
}

/// Rescues from `store` (checked already) into `vault` (opened with the write lock): the
/// certificates with the SHA-1s `wanted`, or, when it is empty, each one not yet in the vault
/// after asking `talk` (nobody to ask: nothing is rescued, the list is the report). The
/// wizard and the window call this with the vault they opened.
pub fn rescue_into(
    vault: &mut OpenVault,
    store: &mut dyn ExportStore,
    wanted: &[[u8; 20]],
    purpose: Option<Purpose>,
    talk: &dyn Conversation,
) -> Result<RescueReport, Error> {
    let now = crate::dates::now_unix();
    let mut certificates = list_store(store, Some(vault), now)?;
    for sha1 in wanted {
        if !certificates.iter().any(|c| c.sha1_bytes() == *sha1) {
            return Err(Error::new(
                ErrorKind::NotFound,
                msg!("err-rescue-not-in-store", sha1 = colon_hex(sha1), store = store.describe()),
            ));
        }
    }
    let chosen: Vec<usize> = if wanted.is_empty() {
        (0..certificates.len()).filter(|&i| certificates[i].entry.is_none()).collect()
    } else {
        wanted.iter().filter_map(|s| certificates.iter().position(|c| c.sha1_bytes() == *s)).collect()
    };
    let mut results = Vec::new();
    let mut can_write_checked = false;
    let ask = wanted.is_empty();
    for i in chosen {
        let cert = &certificates[i];
        let result = |outcome| RescueResult {
            sha1: cert.sha1.clone(),
            subject: cert.subject.clone(),
            institution_code: cert.institution_code.clone(),
            outcome,
        };
        if let Some(entry) = &cert.entry {
            results.push(result(Outcome::AlreadyInVault { entry: entry.clone() }));
            continue;
        }
        if ask {
            match talk.confirm(&msg!("rescue-confirm", line = cert.line())) {
                Ok(true) => {}
                Ok(false) => {
                    results.push(result(Outcome::Declined));
                    continue;
                }
                // Nobody to ask: the list is the answer; thumbprints name what to rescue.
                Err(Unanswered::NoTerminal) => {
                    talk.tell(Level::Info, msg!("rescue-name-thumbprints"));
                    break;
                }
                Err(Unanswered::Cancelled) => return Err(crate::install::cancelled(talk)),
                Err(Unanswered::Failed(e)) => {
                    return Err(crate::conversation::unanswered(
                        Unanswered::Failed(e),
                        msg!("rescue-confirm", line = cert.line()),
                        "THUMBPRINT",
                    ))
                }
            }
        }
        if cert.exportable == Exportable::No {
            for m in explanation(cert) {
                talk.tell(Level::Warning, m);
            }
            results.push(result(Outcome::NotExportable));
            continue;
        }
        if !can_write_checked {
            vault.check_can_write(talk)?;
            can_write_checked = true;
        }
        let password = generate_password();
        let bytes = match store.export(&cert.identity, &password) {
            Ok(bytes) => bytes,
            Err(ExportError::NotExportable) => {
                for m in explanation(cert) {
                    talk.tell(Level::Warning, m);
                }
                results.push(result(Outcome::NotExportable));
                continue;
            }
            Err(ExportError::Failed(e)) => return Err(e),
        };
        let verified = verify_export(cert, bytes, password)?;
        let opts = SealOptions { hint: None, purpose, no_store_pin: false };
        match entries::seal_verified(
            vault,
            &verified,
            &opts,
            &AlreadyConfirmed { talk, question: "add-confirm" },
        )? {
            Sealed::Added { id, generation } => {
                talk.tell(Level::Info, msg!("rescue-sealed", id = id.as_str(), generation = generation));
                results.push(result(Outcome::Rescued { entry: id, generation }))
            }
            Sealed::Already { id } => results.push(result(Outcome::AlreadyInVault { entry: id })),
            Sealed::Cancelled => return Err(crate::install::cancelled(talk)),
        }
    }
    // The list as it is now.
    for r in &results {
        if let Outcome::Rescued { entry, .. } = &r.outcome {
            if let Some(c) = certificates.iter_mut().find(|c| c.sha1 == r.sha1) {
                c.entry = Some(entry.clone());
            }
        }
    }
    Ok(RescueReport {
        vault: vault.dir.clone(),
        vault_id: vault.header.vault_id.to_string(),
        store: store.describe(),
        certificates,
        results,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::{Answer, NoOne, Scripted};
    use std::cell::RefCell;

    /// A store of throwaway certificates (the demo generator) whose export rewrites each one
    /// under the password it is given, with the PKCS#12 writer the Windows fallback uses.
    struct FakeStore {
        items: Vec<(StoreIdentity, Vec<u8>, bool)>,
        /// The passwords it was given, to check what the vault stored.
        passwords: RefCell<Vec<String>>,
        /// Export this certificate's file instead (a store that answers with another one).
        swap: bool,
    }

    impl FakeStore {
        fn new(exportable: &[Option<bool>]) -> FakeStore {
            let now = crate::dates::now_unix();
            let items = exportable
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    let (p12, _) = crate::demo::make_clinic_certificate(
                        crate::testing::PIN,
                        now - 86_400 - i as i64,
                        now + 400 * 86_400,
                    )
                    .unwrap();
                    let opened =
                        crate::pkcs12::Pkcs12File::parse(&p12).unwrap().open(crate::testing::PIN).unwrap();
                    let leaf = opened
                        .certificates
                        .iter()
                        .find(|c| !x509::parse(&c.der).unwrap().is_ca)
                        .unwrap()
                        .der
                        .clone();
                    let identity = StoreIdentity { name: format!("clinic {i}"), der: leaf, exportable: *e };
                    (identity, p12, e.unwrap_or(false))
                })
                .collect();
            FakeStore { items, passwords: RefCell::new(Vec::new()), swap: false }
        }
    }

    impl ExportStore for FakeStore {
        fn describe(&self) -> String {
            "fake:store".into()
        }
        fn check(&mut self, _: &dyn Conversation) -> Result<(), Error> {
            Ok(())
        }
        fn identities(&mut self) -> Result<Vec<StoreIdentity>, Error> {
            Ok(self.items.iter().map(|(i, _, _)| i.clone()).collect())
        }
        fn export(
            &mut self,
            identity: &StoreIdentity,
            password: &SecretString,
        ) -> Result<Zeroizing<Vec<u8>>, ExportError> {
            use secrecy::ExposeSecret;
            let k = self.items.iter().position(|(i, _, _)| i.der == identity.der).unwrap();
            let k = if self.swap { (k + 1) % self.items.len() } else { k };
            let (identity, p12, exportable) = &self.items[k];
            if !exportable {
                return Err(ExportError::NotExportable);
            }
            self.passwords.borrow_mut().push(password.expose_secret().to_string());
            let opened = crate::pkcs12::Pkcs12File::parse(p12).unwrap().open(crate::testing::PIN).unwrap();
            let bytes = crate::pkcs12::write::write(
                &identity.der,
                &[],
                &opened.keys[0].pkcs8,
                &identity.sha1(),
                password.expose_secret(),
                &identity.name,
                2048,
            )
            .unwrap();
            Ok(Zeroizing::new(bytes))
        }
    }

    #[test]
    fn exportable_keys_are_sealed_with_a_stored_password_and_the_others_explained() {
        let _serial = crate::testing::one_at_a_time();
        let tmp = tempfile::tempdir().unwrap();
        let dir = crate::testing::new_vault(&tmp.path().join("CERTVAULT"));
        // 0: exportable; 1: the store does not say, and the export is refused; 2: said not to be.
        let mut store = FakeStore::new(&[Some(true), None, Some(false)]);
        let mut vault = crate::testing::open(&dir, true);
        let talk = Scripted::new([Answer::Confirm(true), Answer::Confirm(true), Answer::Confirm(true)]);
        let report = rescue_into(&mut vault, &mut store, &[], None, &talk).unwrap();
        let outcome = |sha1: &[u8; 20]| {
            report.results.iter().find(|r| r.sha1 == colon_hex(sha1)).map(|r| r.outcome.clone()).unwrap()
        };
        let sha1s: Vec<[u8; 20]> = store.items.iter().map(|(i, _, _)| i.sha1()).collect();
        let Outcome::Rescued { entry, generation } = outcome(&sha1s[0]) else { panic!("{report:?}") };
        assert_eq!(generation, 2);
        assert!(matches!(outcome(&sha1s[1]), Outcome::NotExportable));
        assert!(matches!(outcome(&sha1s[2]), Outcome::NotExportable));
        assert_eq!(store.passwords.borrow().len(), 1, "the key said to be non-exportable is not even tried");
        assert_eq!(report.still_outside(), 2);
        // The plain explanation, once per certificate that cannot be backed up.
        let notes = talk.note_ids();
        for id in [
            "rescue-not-exportable",
            "rescue-not-exportable-ca",
            "rescue-not-exportable-details",
            "rescue-not-exportable-window",
        ] {
            assert_eq!(notes.iter().filter(|n| **n == id).count(), 2, "{id}: {notes:?}");
        }
        // The vault: one entry, its stored PIN the generated password (24 characters).
        drop(vault);
        let vault = crate::testing::open(&dir, false);
        assert_eq!(vault.payload.manifest.entries.len(), 1);
        let e = &vault.payload.manifest.entries[0];
        assert_eq!((e.id.as_str(), e.pin_stored), (entry.as_str(), true));
        let password = store.passwords.borrow()[0].clone();
        assert_eq!(password.len(), 24);
        crate::vault::pin::check_stored_pin(&vault, e, &SecretString::from(password)).unwrap();
        drop(vault);

        // Again, with nobody to ask: listed, nothing tried; the rescued one is in the vault.
        let mut vault = crate::testing::open(&dir, true);
        let report = rescue_into(&mut vault, &mut store, &[], None, &NoOne::default()).unwrap();
        assert!(report.results.is_empty());
        assert_eq!(report.certificates.iter().filter(|c| c.entry.is_some()).count(), 1);
        // Named by thumbprint: already there, nothing exported.
        let report = rescue_into(&mut vault, &mut store, &sha1s[..1], None, &NoOne::default()).unwrap();
        assert!(matches!(report.results[0].outcome, Outcome::AlreadyInVault { .. }));
        assert_eq!(store.passwords.borrow().len(), 1);
        // Declined: left as it is.
        let mut store = FakeStore::new(&[Some(true)]);
        let report =
            rescue_into(&mut vault, &mut store, &[], None, &Scripted::new([Answer::Confirm(false)])).unwrap();
        assert!(matches!(report.results[0].outcome, Outcome::Declined));
        assert!(store.passwords.borrow().is_empty());
    }

    #[test]
    fn an_export_of_another_certificate_seals_nothing() {
        let _serial = crate::testing::one_at_a_time();
        let tmp = tempfile::tempdir().unwrap();
        let dir = crate::testing::new_vault(&tmp.path().join("CERTVAULT"));
        let mut store = FakeStore::new(&[Some(true), Some(true)]);
        store.swap = true;
        let wanted = [store.items[0].0.sha1()];
        let mut vault = crate::testing::open(&dir, true);
        let e = rescue_into(&mut vault, &mut store, &wanted, None, &NoOne::default()).unwrap_err();
        assert_eq!(e.message.id, "err-rescue-wrong-certificate");
        assert!(vault.payload.manifest.entries.is_empty());
        let e = rescue_into(&mut vault, &mut store, &[[7u8; 20]], None, &NoOne::default()).unwrap_err();
        assert!(e.is(ErrorKind::NotFound));
    }

    #[test]
    fn generated_passwords_are_long_and_differ() {
        use secrecy::ExposeSecret;
        let a = generate_password();
        let b = generate_password();
        assert_eq!(a.expose_secret().len(), 24);
        assert!(a.expose_secret().chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a.expose_secret(), b.expose_secret());
    }

    #[test]
    fn thumbprints_are_read_as_typed() {
        let plain = "0123456789abcdef0123456789abcdef01234567";
        let colon = "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67";
        assert_eq!(normalise_thumbprint(plain), normalise_thumbprint(colon));
        assert!(normalise_thumbprint(plain).is_some());
        assert!(normalise_thumbprint("0123").is_none());
    }
}
