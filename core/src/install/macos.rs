//! `--to macos`: the user's login keychain, through Security.framework (`security-framework`),
//! in memory (`SecPKCS12Import` with the PIN; no file, no `security` command line).
//!
//! UNVERIFIED BY RUNNING: written against Apple's documentation and the crate's API, and
//! type-checked for x86_64-apple-darwin in CI (tools/macos-check.sh), but never linked or run:
//! there is no Mac among the machines this project is developed and tested on.
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
