//! Loading a certificate file from disk and making sense of what is inside: which certificate
//! is the client's (the leaf), which are CAs, whether the key belongs to the leaf.

use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::certificate::x509::{self, CertInfo, KeyMatch, Purpose};
use crate::error::{Error, ErrorKind};
use crate::msg;
use crate::pkcs12::{self, Opened, Pkcs12Error, Pkcs12File};

/// A PKCS#12 file read from disk, parsed but not decrypted.
pub struct CertificateFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    pub pkcs12: Pkcs12File,
}

impl CertificateFile {
    pub fn load(path: &Path) -> Result<Self, Error> {
        let bytes = read_limited(path)?;
        let pkcs12 = Pkcs12File::parse(&bytes).map_err(|e| pkcs12_error(path, &e))?;
        Ok(CertificateFile { path: path.to_path_buf(), bytes, pkcs12 })
    }

    /// A file made in memory (`rescue`'s export): `name` stands for its path in messages and
    /// becomes the entry's original file name.
    pub fn from_memory(name: &str, bytes: Vec<u8>) -> Result<Self, Error> {
        let path = PathBuf::from(name);
        let pkcs12 = Pkcs12File::parse(&bytes).map_err(|e| pkcs12_error(&path, &e))?;
        Ok(CertificateFile { path, bytes, pkcs12 })
    }

    pub fn display_name(&self) -> String {
        self.path.display().to_string()
    }

    pub fn file_name(&self) -> String {
        self.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
    }
}

/// Reads at most [`pkcs12::MAX_FILE_SIZE`] bytes, with errors that name the file.
pub fn read_limited(path: &Path) -> Result<Vec<u8>, Error> {
    let file = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::new(ErrorKind::NotFound, msg!("err-not-found", file = file)),
        _ => Error::new(ErrorKind::Io, msg!("err-read", file = file, reason = e)),
    })?;
    if meta.is_dir() {
        return Err(Error::new(ErrorKind::InvalidInput, msg!("err-is-directory", file = file)));
    }
    if meta.len() > pkcs12::MAX_FILE_SIZE {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            msg!(
                "err-too-large",
                file = file,
                size = crate::message::group_digits(meta.len()),
                limit = crate::message::group_digits(pkcs12::MAX_FILE_SIZE)
            ),
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(pkcs12::MAX_FILE_SIZE + 1).read_to_end(&mut bytes))
        .map_err(|e| Error::new(ErrorKind::Io, msg!("err-read", file = file, reason = e)))?;
    Ok(bytes)
}

/// One line naming the file and the problem, in the user's language.
pub fn pkcs12_error(path: &Path, error: &Pkcs12Error) -> Error {
    let file = path.display().to_string();
    match error {
        Pkcs12Error::Empty => Error::new(ErrorKind::InvalidInput, msg!("err-empty", file = file)),
        Pkcs12Error::NotPkcs12 { looks_like: Some(kind) } => Error::new(
            ErrorKind::InvalidInput,
            msg!("err-not-pkcs12-kind", file = file, kind = msg!(kind.message_id())),
        )
        .with_hint(msg!("hint-not-pkcs12")),
        Pkcs12Error::NotPkcs12 { looks_like: None } => {
            Error::new(ErrorKind::InvalidInput, msg!("err-not-pkcs12", file = file))
                .with_hint(msg!("hint-not-pkcs12"))
        }
        Pkcs12Error::Truncated => Error::new(ErrorKind::InvalidInput, msg!("err-truncated", file = file)),
        Pkcs12Error::Malformed(detail) => {
            Error::new(ErrorKind::InvalidInput, msg!("err-malformed", file = file, detail = detail))
        }
        Pkcs12Error::Unsupported(what) => {
            Error::new(ErrorKind::Unsupported, msg!("err-unsupported", file = file, what = what))
        }
        Pkcs12Error::WrongPassword => Error::new(ErrorKind::WrongSecret, msg!("err-wrong-pin", file = file))
            .with_hint(msg!("hint-wrong-pin")),
        Pkcs12Error::MacMismatch => {
            Error::new(ErrorKind::InvalidInput, msg!("err-mac-mismatch", file = file))
        }
        Pkcs12Error::TooManyIterations(n) => {
            Error::new(ErrorKind::InvalidInput, msg!("err-iterations", file = file, count = n))
        }
    }
}

/// The certificates of an opened file, sorted out.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub key_count: usize,
    pub certificate_count: usize,
    /// `None` when the file has no private key.
    pub key_match: Option<KeyMatch>,
    pub leaf: Option<CertInfo>,
    /// The other certificates, from the leaf's issuer upwards where the names link.
    pub chain: Vec<CertInfo>,
}

impl Analysis {
    /// The self-signed CA at the top, whose SHA-1 the manual lists.
    pub fn root(&self) -> Option<&CertInfo> {
        self.chain.iter().find(|c| c.self_signed)
    }

    pub fn purpose(&self, file_name: &str) -> Purpose {
        x509::guess_purpose(self.leaf.as_ref().map(|l| l.issuer.as_str()), file_name)
    }
}

pub fn analyse(path: &Path, opened: &Opened) -> Result<Analysis, Error> {
    let mut certs = Vec::with_capacity(opened.certificates.len());
    for bag in &opened.certificates {
        let info = x509::parse(&bag.der).map_err(|e| {
            Error::new(ErrorKind::InvalidInput, msg!("err-cert", file = path.display(), detail = e))
        })?;
        certs.push((info, bag.attributes.local_key_id.clone()));
    }

    let mut key_match = None;
    let mut leaf_index = None;
    for key in &opened.keys {
        for (i, (info, _)) in certs.iter().enumerate() {
            if x509::key_matches(&key.pkcs8, info) == KeyMatch::Matches {
                key_match = Some(KeyMatch::Matches);
                leaf_index = Some(i);
                break;
            }
        }
        if leaf_index.is_some() {
            break;
        }
    }
    if leaf_index.is_none() && !opened.keys.is_empty() {
        // No public key matched: an exotic key type (Unknown) or a wrong pairing.
        let unknown = opened
            .keys
            .iter()
            .any(|k| certs.iter().any(|(c, _)| x509::key_matches(&k.pkcs8, c) == KeyMatch::Unknown));
        key_match = Some(if unknown { KeyMatch::Unknown } else { KeyMatch::DoesNotMatch });
        leaf_index = opened.keys.iter().find_map(|k| {
            let id = k.attributes.local_key_id.as_ref()?;
            certs.iter().position(|(_, cid)| cid.as_ref() == Some(id))
        });
    }
    let leaf_index = leaf_index
        .or_else(|| certs.iter().position(|(c, _)| !c.is_ca && !c.self_signed))
        .or(if certs.is_empty() { None } else { Some(0) });

    let certificate_count = certs.len();
    let mut rest: Vec<CertInfo> = certs.into_iter().map(|(c, _)| c).collect();
    let leaf = leaf_index.map(|i| rest.remove(i));
    let mut chain = Vec::with_capacity(rest.len());
    let mut issuer = leaf.as_ref().map(|l| l.issuer.clone());
    while let Some(name) = issuer.take() {
        if let Some(pos) = rest.iter().position(|c| c.subject == name) {
            let next = rest.remove(pos);
            if !next.self_signed {
                issuer = Some(next.issuer.clone());
            }
            chain.push(next);
        }
    }
    chain.extend(rest);
    Ok(Analysis { key_count: opened.keys.len(), certificate_count, key_match, leaf, chain })
}
