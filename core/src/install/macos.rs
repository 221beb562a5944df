//! `--to macos`: the user's login keychain, through Security.framework (`security-framework`),
//! in memory (`SecPKCS12Import` with the PIN; no file, no `security` command line).
//!
//! UNVERIFIED BY RUNNING: written against Apple's documentation and the crate's API, and
//! type-checked for x86_64-apple-darwin in CI (tools/macos-check.sh), but never linked or run:
//! there is no Mac among the machines this project is developed and tested on.
//!
//! `certvault rescue --from macos` exports an identity of the keychain with `SecItemExport`
//! (PKCS#12, the generated password handed over as a `CFString`, the result a `CFData` in
//! memory), equally unverified by running.
//!
//! What it does not do: choose whether the key is exportable (`SecPKCS12Import` has no switch
//! for it; the keychain's default applies), or suppress the keychain's own dialogs (macOS asks
//! for the login password when trust settings change, which is the point).

use security_framework::certificate::SecCertificate;
use security_framework::import_export::Pkcs12ImportOptions;
use security_framework::item::{ItemClass, ItemSearchOptions, Limit, Reference, SearchResult};
use security_framework::os::macos::keychain::SecKeychain;
use security_framework::trust_settings::{Domain, TrustSettings};
use sha1::Digest;

use super::{Backend, InstallItem, Presence, VerifiedPin};
use crate::conversation::Conversation;
use crate::error::{Error, ErrorKind};
use crate::message::Message;
use crate::msg;

pub struct MacosBackend {
    exportable: bool,
}

impl MacosBackend {
    pub fn new(exportable: bool) -> MacosBackend {
        MacosBackend { exportable }
    }
}

fn keychain_error(e: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::StoreFailed, msg!("err-restore-macos", reason = e))
}

fn sha1_of(cert: &SecCertificate) -> [u8; 20] {
    sha1::Sha1::digest(cert.to_der()).into()
}

impl Backend for MacosBackend {
    fn describe(&self) -> String {
        "macos:login-keychain".into()
    }

    fn check(&mut self, _talk: &dyn Conversation) -> Result<(), Error> {
        SecKeychain::default().map(|_| ()).map_err(keychain_error)
    }

    fn lookup(&mut self, sha1: &[u8; 20]) -> Result<Presence, Error> {
        // Identities are certificates with their private key; certificates alone come second.
        for (class, found) in [
            (ItemClass::identity(), Presence::WithKey),
            (ItemClass::certificate(), Presence::CertificateOnly),
        ] {
            let results =
                match ItemSearchOptions::new().class(class).load_refs(true).limit(Limit::All).search() {
                    Ok(r) => r,
                    // errSecItemNotFound: nothing of that class.
                    Err(_) => continue,
                };
            for result in results {
                let cert = match result {
                    SearchResult::Ref(Reference::Identity(id)) => id.certificate().ok(),
                    SearchResult::Ref(Reference::Certificate(c)) => Some(c),
                    _ => None,
                };
                if cert.is_some_and(|c| &sha1_of(&c) == sha1) {
                    return Ok(found);
                }
            }
        }
        Ok(Presence::Absent)
    }

    fn install(
        &mut self,
        item: &InstallItem<'_>,
        pin: Option<&VerifiedPin>,
        _talk: &dyn Conversation,
    ) -> Result<(), Error> {
        let pin = pin.ok_or_else(|| super::no_verified_pin("SecPKCS12Import"))?;
        let keychain = SecKeychain::default().map_err(keychain_error)?;
        let mut options = Pkcs12ImportOptions::new();
        options.passphrase(pin.expose()).keychain(keychain);
        let imported = options.import(item.p12).map_err(keychain_error)?;
        if imported.is_empty() {
            return Err(keychain_error("SecPKCS12Import returned no identity"));
        }
        if let Some(root) = &item.root {
            let cert = SecCertificate::from_der(&root.der).map_err(keychain_error)?;
            // Adding may fail because pk12 import already put it there: that is fine.
            let _ = cert.add_to_keychain(None);
            TrustSettings::new(Domain::User).set_trust_settings_always(&cert).map_err(keychain_error)?;
        }
        let _ = self.exportable;
        Ok(())
    }

    fn next_steps(&self) -> Vec<Message> {
        vec![msg!("restore-next-macos"), msg!("restore-next-test-connection")]
    }
}

/// `OSStatus` values that mean the keychain keeps the key in (not extractable, on a token).
fn says_not_exportable(status: i32) -> bool {
    const ERR_SEC_DATA_NOT_AVAILABLE: i32 = -25316;
    const ERR_SEC_KEY_IS_SENSITIVE: i32 = -67687;
    const ERR_SEC_KEY_NOT_EXTRACTABLE: i32 = -67688;
    matches!(status, ERR_SEC_DATA_NOT_AVAILABLE | ERR_SEC_KEY_IS_SENSITIVE | ERR_SEC_KEY_NOT_EXTRACTABLE)
}

impl crate::rescue::ExportStore for MacosBackend {
    fn describe(&self) -> String {
        Backend::describe(self)
    }

    fn check(&mut self, _talk: &dyn Conversation) -> Result<(), Error> {
        SecKeychain::default().map(|_| ()).map_err(keychain_error)
    }

    fn identities(&mut self) -> Result<Vec<crate::rescue::StoreIdentity>, Error> {
        let results = match ItemSearchOptions::new()
            .class(ItemClass::identity())
            .load_refs(true)
            .limit(Limit::All)
            .search()
        {
            Ok(r) => r,
            // errSecItemNotFound: no identity at all.
            Err(_) => return Ok(Vec::new()),
        };
        Ok(results
            .into_iter()
            .filter_map(|r| match r {
                SearchResult::Ref(Reference::Identity(id)) => id.certificate().ok(),
                _ => None,
            })
            .map(|c| crate::rescue::StoreIdentity {
                name: c.subject_summary(),
                der: c.to_der(),
                exportable: None,
            })
            .collect())
    }

    fn export(
        &mut self,
        identity: &crate::rescue::StoreIdentity,
        password: &secrecy::SecretString,
    ) -> Result<zeroize::Zeroizing<Vec<u8>>, crate::rescue::ExportError> {
        use core_foundation::base::TCFType;
        use core_foundation::data::CFData;
        use core_foundation::string::CFString;
        use secrecy::ExposeSecret;
        use security_framework_sys::import_export::{
            kSecFormatPKCS12, SecItemExport, SecItemImportExportKeyParameters,
        };
        let failed = |e: String| -> crate::rescue::ExportError {
            Error::new(ErrorKind::StoreFailed, msg!("err-rescue-macos", reason = e)).into()
        };
        let wanted = identity.sha1();
        let results = ItemSearchOptions::new()
            .class(ItemClass::identity())
            .load_refs(true)
            .limit(Limit::All)
            .search()
            .map_err(|e| failed(e.to_string()))?;
        let found = results.into_iter().find_map(|r| match r {
            SearchResult::Ref(Reference::Identity(id)) => {
                id.certificate().ok().filter(|c| sha1_of(c) == wanted).map(|_| id)
            }
            _ => None,
        });
        let Some(found) = found else { return Err(failed("the identity is gone".into())) };
        let passphrase = CFString::new(password.expose_secret());
        // SAFETY: a zeroed parameter block with version 0 and our passphrase, which outlives the
        // call; the exported data is owned by the returned CFData.
        let mut params: SecItemImportExportKeyParameters = unsafe { std::mem::zeroed() };
        params.version = 0;
        params.passphrase = passphrase.as_CFTypeRef();
        let mut data = std::ptr::null();
        let status = unsafe { SecItemExport(found.as_CFTypeRef(), kSecFormatPKCS12, 0, &params, &mut data) };
        if status != 0 || data.is_null() {
            if says_not_exportable(status) {
                return Err(crate::rescue::ExportError::NotExportable);
            }
            return Err(failed(format!("SecItemExport: OSStatus {status}")));
        }
        // SAFETY: a CFData we own (the Create rule).
        let data = unsafe { CFData::wrap_under_create_rule(data) };
        Ok(zeroize::Zeroizing::new(data.bytes().to_vec()))
    }
}
