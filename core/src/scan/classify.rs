//! Telling what a copy is, against a vault that was just opened: byte-identical to an entry,
//! the same certificate in a different file, or not in the vault at all.

use std::collections::HashMap;
use std::path::PathBuf;

use serde::Serialize;
use vault_format::sha256_hex;

use crate::certificate::x509::{self, plain_hex};
use crate::message::Message;
use crate::msg;
use crate::pkcs12::{Pkcs12Error, Pkcs12File};
use crate::vault::OpenVault;

/// What a copy is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// Byte-identical to an entry of the vault generation that was opened.
    InVault,
    /// Another file with the same certificate as an entry (re-exported, other password).
    SameCertificate,
    /// A certificate file that is not in the vault.
    Unknown,
    /// Could not be read, or is damaged (truncated…).
    NotReadable,
    /// A certificate file, scanned without a vault to compare with.
    Found,
}

impl Class {
    /// The class's name for people.
    pub fn message(self) -> Message {
        msg!(match self {
            Class::InVault => "scan-class-in-vault",
            Class::SameCertificate => "scan-class-same-certificate",
            Class::Unknown => "scan-class-unknown",
            Class::NotReadable => "scan-class-not-readable",
            Class::Found => "scan-class-found",
        })
    }
}

/// The certificate a copy holds, where it can be seen without the PIN (or from the vault).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertBrief {
    pub subject: String,
    pub institution_code: Option<String>,
    pub not_after: String,
    /// SHA-256 of the leaf certificate, lower-case hex.
    pub leaf_sha256: String,
}

/// The entries of a vault generation that was just opened, by the SHA-256 of their bytes and
/// of their leaf certificate.
#[derive(Debug, Clone)]
pub struct VaultIndex {
    pub dir: PathBuf,
    pub generation: u64,
    pub entries: usize,
    by_sha256: HashMap<String, String>,
    by_leaf: HashMap<String, String>,
    by_leaf_sha1: HashMap<String, String>,
    bytes: HashMap<String, Vec<u8>>,
    briefs: HashMap<String, CertBrief>,
}

impl VaultIndex {
    /// Indexes the bytes the vault holds (hashed here, not taken from the manifest).
    pub fn new(vault: &OpenVault) -> VaultIndex {
        let mut index = VaultIndex {
            dir: vault.dir.clone(),
            generation: vault.generation,
            entries: vault.payload.manifest.entries.len(),
            by_sha256: HashMap::new(),
            by_leaf: HashMap::new(),
            by_leaf_sha1: HashMap::new(),
            bytes: HashMap::new(),
            briefs: HashMap::new(),
        };
        for e in &vault.payload.manifest.entries {
            if let Some(bytes) = vault.payload.certs.get(&e.id) {
                index.by_sha256.insert(sha256_hex(bytes), e.id.clone());
                index.bytes.insert(e.id.clone(), bytes.clone());
            }
            index.by_leaf.entry(e.certificate.leaf_sha256.clone()).or_insert_with(|| e.id.clone());
            index.by_leaf_sha1.entry(e.certificate.leaf_sha1.clone()).or_insert_with(|| e.id.clone());
            index.briefs.insert(
                e.id.clone(),
                CertBrief {
                    subject: e.certificate.subject.clone(),
                    institution_code: e.certificate.institution_code.clone(),
                    not_after: e.certificate.not_after.clone(),
                    leaf_sha256: e.certificate.leaf_sha256.clone(),
                },
            );
        }
        index
    }

    /// The bytes of entry `id` as the opened generation holds them.
    pub fn entry_bytes(&self, id: &str) -> Option<&[u8]> {
        self.bytes.get(id).map(Vec::as_slice)
    }

    /// The entry whose bytes are exactly `bytes`.
    pub fn entry_with_bytes(&self, bytes: &[u8]) -> Option<&str> {
        let id = self.by_sha256.get(&sha256_hex(bytes))?;
        (self.entry_bytes(id)? == bytes).then_some(id.as_str())
    }

    /// The entry holding the certificate whose SHA-256 (plain hex) is `leaf_sha256`.
    pub fn entry_with_leaf(&self, leaf_sha256: &str) -> Option<&str> {
        self.by_leaf.get(leaf_sha256).map(String::as_str)
    }

    /// The entry holding the certificate whose SHA-1 (plain hex) is `leaf_sha1`.
    pub fn entry_with_leaf_sha1(&self, leaf_sha1: &str) -> Option<&str> {
        self.by_leaf_sha1.get(leaf_sha1).map(String::as_str)
    }
}

/// A copy, classified.
#[derive(Debug, Clone)]
pub struct Classified {
    pub class: Class,
    pub entry: Option<String>,
    pub reason: Option<Message>,
    pub sha256: Option<String>,
    pub certificate: Option<CertBrief>,
}

/// Classifies the content of one copy.
pub fn classify(content: &Result<Vec<u8>, Message>, index: Option<&VaultIndex>) -> Classified {
    let bytes = match content {
        Ok(b) => b,
        Err(reason) => {
            return Classified {
                class: Class::NotReadable,
                entry: None,
                reason: Some(reason.clone()),
                sha256: None,
                certificate: None,
            }
        }
    };
    let sha256 = Some(sha256_hex(bytes));
    if let Some(id) = index.and_then(|i| i.entry_with_bytes(bytes)) {
        let certificate = index.and_then(|i| i.briefs.get(id).cloned());
        return Classified {
            class: Class::InVault,
            entry: Some(id.to_string()),
            reason: None,
            sha256,
            certificate,
        };
    }
    let (visible, reason) = match Pkcs12File::parse(bytes) {
        Ok(p12) => (visible_certificates(&p12), None),
        Err(e @ (Pkcs12Error::Unsupported(_) | Pkcs12Error::TooManyIterations(_))) => {
            (Vec::new(), Some(msg!("scan-reason-unsupported", detail = e)))
        }
        Err(Pkcs12Error::Truncated) => {
            return not_readable(sha256, msg!("scan-reason-truncated"));
        }
        Err(e) => return not_readable(sha256, msg!("scan-reason-damaged", detail = e)),
    };
    let leaf = visible.iter().find(|c| !c.is_ca).or(visible.first());
    let certificate = leaf.map(|c| CertBrief {
        subject: c.subject.clone(),
        institution_code: c.institution_code.clone(),
        not_after: c.not_after.clone(),
        leaf_sha256: plain_hex(&c.sha256),
    });
    let Some(index) = index else {
        return Classified { class: Class::Found, entry: None, reason, sha256, certificate };
    };
    // Any certificate the file shows without its PIN that is an entry's leaf.
    let same = visible.iter().find_map(|c| index.entry_with_leaf(&plain_hex(&c.sha256)));
    if let Some(id) = same {
        let certificate = index.briefs.get(id).cloned().or(certificate);
        return Classified {
            class: Class::SameCertificate,
            entry: Some(id.to_string()),
            reason: Some(msg!("scan-reason-same-certificate")),
            sha256,
            certificate,
        };
    }
    let reason = reason.or_else(|| visible.is_empty().then(|| msg!("scan-reason-certificate-encrypted")));
    Classified { class: Class::Unknown, entry: None, reason, sha256, certificate }
}

fn not_readable(sha256: Option<String>, reason: Message) -> Classified {
    Classified { class: Class::NotReadable, entry: None, reason: Some(reason), sha256, certificate: None }
}

/// The certificates in the parts of the file that are not encrypted.
fn visible_certificates(p12: &Pkcs12File) -> Vec<x509::CertInfo> {
    p12.visible().certificates.iter().filter_map(|bag| x509::parse(&bag.der).ok()).collect()
}
