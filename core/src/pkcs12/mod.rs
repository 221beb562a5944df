//! Reading PKCS#12 files (RFC 7292) as clinics receive them.
//!
//! Built on RustCrypto's ASN.1 types (`pkcs12`, `cms`, `pkcs5`) with our own glue, because the
//! ready-made readers take the password as `&str` and so cannot express the two cases that real
//! files need: an *absent* password (RFC 7292 B.1 encodes it as the empty byte string, not as
//! the two zero bytes of an empty BMPString; Windows and Java write such files) and BER input
//! (see [`ber`]). The split into "parse without password" and "open with password" is what lets
//! `inspect` show every unencrypted part and lets `recover-pin` check a candidate cheaply.

pub mod algorithms;
pub mod ber;
pub(crate) mod lanes;
pub mod mac_lanes;
mod password;
pub mod write;

use std::fmt;

use cbc::cipher::{block_padding::Pkcs7, BlockModeDecrypt, KeyIvInit};
use der::asn1::{ObjectIdentifier as Oid, OctetString};
use der::{Decode, Encode};
use hmac::{KeyInit, Mac};
use serde::Serialize;
use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

pub use algorithms::AlgorithmInfo;
use algorithms::*;
pub use ber::Encoding;
pub use password::{Password, PasswordForm};

const ID_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
const ID_SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
const ID_ENCRYPTED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.6");
const KEY_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.1");
const SHROUDED_KEY_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.2");
const CERT_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.3");
const CRL_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.4");
const SECRET_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.5");
const SAFE_CONTENTS_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.6");
const X509_CERTIFICATE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.22.1");
const FRIENDLY_NAME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.20");
const LOCAL_KEY_ID: Oid = Oid::new_unwrap("1.2.840.113549.1.9.21");

/// Largest PKCS#12 file we read. Real ones are 2–10 KB; this is generous and keeps a renamed
/// video file from being loaded whole.
pub const MAX_FILE_SIZE: u64 = 4 * 1024 * 1024;
/// Nested safeContentsBags deeper than this are refused.
const MAX_BAG_NESTING: usize = 4;

/// Why a file could not be read as PKCS#12, or opened with a password.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Pkcs12Error {
    /// The file has no bytes.
    Empty,
    /// The file is something else; `looks_like` names it when we recognise it.
    NotPkcs12 { looks_like: Option<OtherFormat> },
    /// The file ends early: a download or copy was cut off.
    Truncated,
    /// The structure is PKCS#12-like but broken.
    Malformed(String),
    /// An algorithm we cannot decrypt or verify; the string names it.
    Unsupported(String),
    /// The password (PIN) does not open the file.
    WrongPassword,
    /// The password opens the encrypted parts, but the integrity check (MAC) fails: the file
    /// was changed or damaged after it was made.
    MacMismatch,
    /// An iteration count beyond [`algorithms::MAX_ITERATIONS`].
    TooManyIterations(u64),
}

impl fmt::Display for Pkcs12Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pkcs12Error::Empty => f.write_str("the file is empty"),
            Pkcs12Error::NotPkcs12 { looks_like: Some(kind) } => {
                write!(f, "not a PKCS#12 file (it looks like {kind})")
            }
            Pkcs12Error::NotPkcs12 { looks_like: None } => f.write_str("not a PKCS#12 file"),
            Pkcs12Error::Truncated => {
                f.write_str("the file is truncated (it ends in the middle of its contents)")
            }
            Pkcs12Error::Malformed(detail) => write!(f, "the PKCS#12 structure is damaged: {detail}"),
            Pkcs12Error::Unsupported(what) => write!(f, "unsupported algorithm: {what}"),
            Pkcs12Error::WrongPassword => f.write_str("wrong PIN (password)"),
            Pkcs12Error::MacMismatch => f.write_str(
                "the PIN is correct but the file's integrity check (MAC) fails: the file is damaged",
            ),
            Pkcs12Error::TooManyIterations(n) => {
                write!(f, "the file asks for {n} key-derivation iterations, more than certvault runs")
            }
        }
    }
}

impl std::error::Error for Pkcs12Error {}

fn malformed(e: impl fmt::Display) -> Pkcs12Error {
    Pkcs12Error::Malformed(e.to_string())
}

/// The MAC that protects the file's integrity.
#[derive(Clone)]
struct MacParams {
    digest: Oid,
    salt: Vec<u8>,
    iterations: u64,
    value: Vec<u8>,
}

/// Attributes a bag may carry.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BagAttributes {
    pub friendly_name: Option<String>,
    #[serde(skip)]
    pub local_key_id: Option<Vec<u8>>,
}

#[derive(Clone)]
enum BagContent {
    Certificate(Vec<u8>),
    /// An unencrypted PKCS#8 key: anyone with the file has it.
    PlainKey(Zeroizing<Vec<u8>>),
    ShroudedKey {
        algorithm: AlgorithmIdentifierOwned,
        ciphertext: Vec<u8>,
    },
    Other(Oid),
}

#[derive(Clone)]
struct Bag {
    content: BagContent,
    attributes: BagAttributes,
}

#[derive(Clone)]
enum Safe {
    Plain(Vec<Bag>),
    Encrypted { algorithm: AlgorithmIdentifierOwned, ciphertext: Vec<u8> },
    Unsupported(Oid),
}

/// A parsed PKCS#12 file; nothing in it has been decrypted yet.
#[derive(Clone)]
pub struct Pkcs12File {
    encoding: Encoding,
    mac: Option<MacParams>,
    /// The content octets the MAC covers.
    auth_safe: Vec<u8>,
    safes: Vec<Safe>,
}

/// What the file is made of, as far as it can be seen without the password.
#[derive(Debug, Clone, Serialize)]
pub struct Structure {
    pub encoding: &'static str,
    pub mac: Option<AlgorithmInfo>,
    pub parts: Vec<PartInfo>,
}

/// One ContentInfo of the authenticated safe.
#[derive(Debug, Clone, Serialize)]
pub struct PartInfo {
    /// "plain", "encrypted" or "unsupported".
    pub kind: &'static str,
    pub encryption: Option<AlgorithmInfo>,
    /// Bags, when the part is readable without a password.
    pub bags: Option<Vec<BagInfo>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BagInfo {
    /// "certificate", "private-key", "shrouded-private-key" or the bag type's name.
    pub kind: String,
    pub encryption: Option<AlgorithmInfo>,
    pub friendly_name: Option<String>,
}

/// The decrypted contents.
pub struct Opened {
    pub certificates: Vec<CertificateBag>,
    pub keys: Vec<KeyBag>,
}

pub struct CertificateBag {
    pub der: Vec<u8>,
    pub attributes: BagAttributes,
}

pub struct KeyBag {
    /// PKCS#8 PrivateKeyInfo, DER.
    pub pkcs8: Zeroizing<Vec<u8>>,
    pub attributes: BagAttributes,
}

/// The result of checking a password against a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCheck {
    /// Nothing in the file depends on a password.
    NotNeeded,
    Correct(PasswordForm),
    Wrong,
}

/// What a file that is not PKCS#12 turned out to be, so the error can say "this is a PDF".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtherFormat {
    Pdf,
    /// It may hold the certificate: unpack it first.
    Zip,
    Png,
    Jpeg,
    Gif,
    /// PEM text rather than the binary file.
    Pem,
    /// A Word or Excel file of the old binary kind.
    Office,
    /// Often a download's error page saved under the certificate's name.
    Markup,
    /// An age-encrypted file (a vault's own files, say).
    Age,
    Text,
    /// A `.cer`/`.crt`: the certificate alone, without its private key.
    Certificate,
}

impl OtherFormat {
    /// The Fluent message that names the format in the user's language.
    pub fn message_id(self) -> &'static str {
        match self {
            OtherFormat::Pdf => "format-pdf",
            OtherFormat::Zip => "format-zip",
            OtherFormat::Png => "format-png",
            OtherFormat::Jpeg => "format-jpeg",
            OtherFormat::Gif => "format-gif",
            OtherFormat::Pem => "format-pem",
            OtherFormat::Office => "format-office",
            OtherFormat::Markup => "format-markup",
            OtherFormat::Age => "format-age",
            OtherFormat::Text => "format-text",
            OtherFormat::Certificate => "format-certificate",
        }
    }
}

impl fmt::Display for OtherFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OtherFormat::Pdf => "a PDF document",
            OtherFormat::Zip => "a ZIP archive (it may contain the certificate: unpack it first)",
            OtherFormat::Png => "a PNG image",
            OtherFormat::Jpeg => "a JPEG image",
            OtherFormat::Gif => "a GIF image",
            OtherFormat::Pem => "a PEM text file, not a binary PKCS#12 file",
            OtherFormat::Office => "a Microsoft Office document",
            OtherFormat::Markup => "an HTML or XML text file (perhaps a download error page)",
            OtherFormat::Age => "an age-encrypted file",
            OtherFormat::Text => "a text file",
            OtherFormat::Certificate => "a .cer/.crt file: the certificate alone, without its private key",
        })
    }
}

/// Guesses what a non-PKCS#12 file is from its first bytes.
pub fn sniff_other_format(data: &[u8]) -> Option<OtherFormat> {
    const MAGIC: &[(&[u8], OtherFormat)] = &[
        (b"%PDF", OtherFormat::Pdf),
        (b"PK\x03\x04", OtherFormat::Zip),
        (b"\x89PNG", OtherFormat::Png),
        (b"\xFF\xD8\xFF", OtherFormat::Jpeg),
        (b"GIF8", OtherFormat::Gif),
        (b"-----BEGIN", OtherFormat::Pem),
        (b"\xD0\xCF\x11\xE0", OtherFormat::Office),
        (b"<", OtherFormat::Markup),
        (b"age-encryption.org/", OtherFormat::Age),
    ];
    MAGIC.iter().find(|(magic, _)| data.starts_with(magic)).map(|(_, kind)| *kind).or_else(|| {
        let head = &data[..data.len().min(512)];
        (!head.is_empty() && head.iter().all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace()))
            .then_some(OtherFormat::Text)
    })
}

impl Pkcs12File {
    /// Parses the outer structure. Needs no password.
    pub fn parse(data: &[u8]) -> Result<Self, Pkcs12Error> {
        if data.is_empty() {
            return Err(Pkcs12Error::Empty);
        }
        if let Some(kind) = sniff_other_format(data) {
            return Err(Pkcs12Error::NotPkcs12 { looks_like: Some(kind) });
        }
        if data[0] != 0x30 {
            return Err(Pkcs12Error::NotPkcs12 { looks_like: None });
        }
        let (der, encoding) = match ber::to_der(data) {
            Ok(v) => v,
            Err(ber::BerError::Truncated) => return Err(Pkcs12Error::Truncated),
            Err(_) => return Err(Pkcs12Error::NotPkcs12 { looks_like: None }),
        };
        let pfx = pkcs12::pfx::Pfx::from_der(&der).map_err(|_| {
            // A valid SEQUENCE that is not a PFX: some other DER file (a bare certificate…).
            Pkcs12Error::NotPkcs12 { looks_like: looks_like_der_kind(&der) }
        })?;

        match pfx.auth_safe.content_type {
            ID_DATA => {}
            ID_SIGNED_DATA => {
                return Err(Pkcs12Error::Unsupported(
                    "public-key integrity mode (signedData authSafe)".into(),
                ))
            }
            other => return Err(Pkcs12Error::Unsupported(format!("authSafe of type {}", oid_name(&other)))),
        }
        let auth_safe = octets_of(&pfx.auth_safe.content)?;

        let mac = match pfx.mac_data {
            None => None,
            Some(m) => {
                let iterations =
                    u64::try_from(m.iterations).map_err(|_| malformed("negative MAC iteration count"))?;
                Some(MacParams {
                    digest: m.mac.algorithm.oid,
                    salt: m.mac_salt.as_bytes().to_vec(),
                    iterations,
                    value: m.mac.digest.as_bytes().to_vec(),
                })
            }
        };

        let (auth_der, _) = ber::to_der(&auth_safe).map_err(malformed)?;
        let infos: Vec<cms::content_info::ContentInfo> =
            Vec::from_der(&auth_der).map_err(|e| malformed(format!("authenticated safe: {e}")))?;
        let mut safes = Vec::with_capacity(infos.len());
        for info in infos {
            safes.push(match info.content_type {
                ID_DATA => Safe::Plain(parse_safe_contents(&octets_of(&info.content)?, 0)?),
                ID_ENCRYPTED_DATA => {
                    let content = info.content.to_der().map_err(malformed)?;
                    let enc = EncryptedData::from_der(&content)
                        .map_err(|e| malformed(format!("encrypted part: {e}")))?;
                    Safe::Encrypted {
                        ciphertext: implicit_octets(enc.enc_content_info.encrypted_content.as_ref())?,
                        algorithm: enc.enc_content_info.content_enc_alg,
                    }
                }
                // envelopedData (public-key privacy mode) and anything else.
                other => Safe::Unsupported(other),
            });
        }
        Ok(Pkcs12File { encoding, mac, auth_safe, safes })
    }

    /// Describes the file without decrypting anything.
    pub fn structure(&self) -> Structure {
        let parts = self
            .safes
            .iter()
            .map(|safe| match safe {
                Safe::Plain(bags) => PartInfo {
                    kind: "plain",
                    encryption: None,
                    bags: Some(bags.iter().map(describe_bag).collect()),
                },
                Safe::Encrypted { algorithm, .. } => PartInfo {
                    kind: "encrypted",
                    encryption: Some(describe_encryption(algorithm)),
                    bags: None,
                },
                Safe::Unsupported(oid) => PartInfo {
                    kind: "unsupported",
                    encryption: Some(AlgorithmInfo {
                        name: oid_name(oid),
                        iterations: None,
                        supported: false,
                    }),
                    bags: None,
                },
            })
            .collect();
        Structure {
            encoding: match self.encoding {
                Encoding::Der => "DER",
                Encoding::Ber => "BER",
            },
            mac: self.mac.as_ref().map(|m| describe_mac(&m.digest, m.iterations)),
            parts,
        }
    }

    /// True when something in the file depends on the password.
    pub fn needs_password(&self) -> bool {
        self.mac.is_some() || self.first_encrypted().is_some()
    }

    /// The first unsupported algorithm, if any: opening will fail on it.
    pub fn unsupported_algorithm(&self) -> Option<String> {
        let s = self.structure();
        if let Some(mac) = s.mac.filter(|m| !m.supported) {
            return Some(format!("integrity check {}", mac.name));
        }
        for part in s.parts {
            if let Some(enc) = part.encryption.filter(|e| !e.supported) {
                return Some(enc.name);
            }
            for bag in part.bags.into_iter().flatten() {
                if let Some(enc) = bag.encryption.filter(|e| !e.supported) {
                    return Some(enc.name);
                }
            }
        }
        None
    }

    /// The smallest encrypted item: checking a password against it is cheapest.
    fn first_encrypted(&self) -> Option<(&AlgorithmIdentifierOwned, &[u8])> {
        let mut items: Vec<(&AlgorithmIdentifierOwned, &[u8])> = Vec::new();
        for safe in &self.safes {
            match safe {
                Safe::Encrypted { algorithm, ciphertext } => items.push((algorithm, ciphertext)),
                Safe::Plain(bags) => items.extend(bags.iter().filter_map(|bag| match &bag.content {
                    BagContent::ShroudedKey { algorithm, ciphertext } => Some((algorithm, &ciphertext[..])),
                    _ => None,
                })),
                Safe::Unsupported(_) => {}
            }
        }
        items.into_iter().min_by_key(|(_, ct)| ct.len())
    }

    /// Checks one password. Verifies the MAC when there is one; otherwise decrypts the
    /// smallest encrypted item and checks that a well-formed structure comes out.
    pub fn check_password(&self, password: &Password) -> Result<bool, Pkcs12Error> {
        if let Some(mac) = &self.mac {
            return verify_mac(mac, password.pkcs12_bytes(), &self.auth_safe);
        }
        self.check_password_by_item(password).unwrap_or(Ok(true))
    }

    /// Checks one password by decrypting the smallest encrypted item (`None`: there is none).
    fn check_password_by_item(&self, password: &Password) -> Option<Result<bool, Pkcs12Error>> {
        let (alg, ct) = self.first_encrypted()?;
        Some(match decrypt(alg, ct, password) {
            Ok(plain) => Ok(looks_like_der_sequence(&plain)),
            Err(Pkcs12Error::WrongPassword) => Ok(false),
            Err(e) => Err(e),
        })
    }

    /// Tries every encoding a PIN may have been written with.
    pub fn check_pin(&self, pin: &str) -> Result<PasswordCheck, Pkcs12Error> {
        if let Some(what) = self.unsupported_algorithm() {
            return Err(Pkcs12Error::Unsupported(what));
        }
        if !self.needs_password() {
            return Ok(PasswordCheck::NotNeeded);
        }
        for candidate in Password::candidates(pin) {
            if self.check_password(&candidate)? {
                return Ok(PasswordCheck::Correct(candidate.form()));
            }
        }
        Ok(PasswordCheck::Wrong)
    }

    /// Decrypts everything with `pin`.
    pub fn open(&self, pin: &str) -> Result<Opened, Pkcs12Error> {
        let form = match self.check_pin(pin)? {
            PasswordCheck::NotNeeded => PasswordForm::Bmp,
            PasswordCheck::Correct(form) => form,
            PasswordCheck::Wrong => {
                // A MAC that no encoding verifies: either the PIN is wrong, or the file was
                // damaged. If the PIN decrypts the contents, it is the file.
                if self.mac.is_some() {
                    if let Some((alg, ct)) = self.first_encrypted() {
                        for candidate in Password::candidates(pin) {
                            if let Ok(plain) = decrypt(alg, ct, &candidate) {
                                if looks_like_der_sequence(&plain) {
                                    return Err(Pkcs12Error::MacMismatch);
                                }
                            }
                        }
                    }
                }
                return Err(Pkcs12Error::WrongPassword);
            }
        };
        let password = Password::new(pin, form);
        let mut opened = Opened { certificates: Vec::new(), keys: Vec::new() };
        for safe in &self.safes {
            match safe {
                Safe::Plain(bags) => collect_bags(bags, &password, &mut opened)?,
                Safe::Encrypted { algorithm, ciphertext } => {
                    let plain = decrypt(algorithm, ciphertext, &password)?;
                    let bags = parse_safe_contents(&plain, 0)?;
                    collect_bags(&bags, &password, &mut opened)?;
                }
                Safe::Unsupported(oid) => {
                    return Err(Pkcs12Error::Unsupported(format!("content of type {}", oid_name(oid))))
                }
            }
        }
        Ok(opened)
    }

    /// What can be read without the password: certificates and keys in unencrypted parts.
    pub fn visible(&self) -> Opened {
        let mut opened = Opened { certificates: Vec::new(), keys: Vec::new() };
        for safe in &self.safes {
            if let Safe::Plain(bags) = safe {
                for bag in bags {
                    match &bag.content {
                        BagContent::Certificate(der) => opened
                            .certificates
                            .push(CertificateBag { der: der.clone(), attributes: bag.attributes.clone() }),
                        BagContent::PlainKey(pkcs8) => opened
                            .keys
                            .push(KeyBag { pkcs8: pkcs8.clone(), attributes: bag.attributes.clone() }),
                        _ => {}
                    }
                }
            }
        }
        opened
    }

    /// A checker for `recover-pin`'s hot loop: the cheapest check the file allows, and the
    /// SIMD lanes when that check is a SHA-1/SHA-2 MAC and the CPU has AVX2 or AVX-512.
    pub fn pin_checker(&self) -> Result<PinChecker<'_>, Pkcs12Error> {
        if let Some(what) = self.unsupported_algorithm() {
            return Err(Pkcs12Error::Unsupported(what));
        }
        let by_mac = match (self.mac_cost(), self.first_encrypted().map(|(alg, ct)| item_cost(alg, ct.len())))
        {
            (Some(mac), Some(item)) => mac <= item,
            (mac, _) => mac.is_some(),
        };
        let lanes = match (&self.mac, by_mac, mac_lanes::LaneWidth::detect()) {
            (Some(mac), true, Some(width)) => {
                let digest = match mac.digest {
                    SHA1 => Some(mac_lanes::MacDigest::Sha1),
                    SHA224 => Some(mac_lanes::MacDigest::Sha224),
                    SHA256 => Some(mac_lanes::MacDigest::Sha256),
                    _ => None,
                };
                digest.and_then(|digest| {
                    mac_lanes::LaneMacChecker::new(
                        digest,
                        width,
                        &mac.salt,
                        u32::try_from(check_iterations(mac.iterations).ok()?).ok()?,
                        &self.auth_safe,
                        &mac.value,
                    )
                })
            }
            _ => None,
        };
        Ok(PinChecker { file: self, by_mac, lanes })
    }

    /// SHA compressions one password costs through the MAC (the KDF's iterations and the
    /// HMAC over the authSafe), or `None` without a MAC.
    fn mac_cost(&self) -> Option<u64> {
        let mac = self.mac.as_ref()?;
        let block = if matches!(mac.digest, SHA384 | SHA512) { 128 } else { 64 };
        Some(mac.iterations + 3 + (self.auth_safe.len() as u64 + 9).div_ceil(block) + 3)
    }

    /// Checks one password by the path [`PinChecker`] chose.
    fn check_password_by(&self, password: &Password, by_mac: bool) -> Result<bool, Pkcs12Error> {
        if by_mac {
            self.check_password(password)
        } else {
            self.check_password_by_item(password).unwrap_or_else(|| self.check_password(password))
        }
    }
}

/// SHA compressions one password costs through an encrypted item: its key derivation (key
/// and IV for PKCS#12 PBE, the PBKDF2 blocks for PBES2) and, roughly, the decryption.
/// Unknown or memory-hard schemes cost "too much", so a MAC always wins over them.
fn item_cost(alg: &AlgorithmIdentifierOwned, ciphertext_len: usize) -> u64 {
    const TOO_MUCH: u64 = u64::MAX / 2;
    let Some(params) = alg.parameters.as_ref().and_then(|p| p.to_der().ok()) else { return TOO_MUCH };
    let derive = match alg.oid {
        PBE_SHA1_3DES | PBE_SHA1_RC2_40 | PBE_SHA1_RC2_128 => {
            let Ok(p) = Pkcs12PbeParams::from_der(&params) else { return TOO_MUCH };
            let key_blocks = if alg.oid == PBE_SHA1_3DES { 2 } else { 1 };
            // Key blocks plus one for the IV, each a full KDF run.
            (key_blocks + 1) * p.iterations.max(1)
        }
        PBES2 => {
            let Ok(p) = pkcs5::pbes2::Parameters::from_der(&params) else { return TOO_MUCH };
            let pkcs5::pbes2::Kdf::Pbkdf2(k) = &p.kdf else { return TOO_MUCH };
            let hash_len = match k.prf {
                pkcs5::pbes2::Pbkdf2Prf::HmacWithSha1 => 20,
                pkcs5::pbes2::Pbkdf2Prf::HmacWithSha224 => 28,
                pkcs5::pbes2::Pbkdf2Prf::HmacWithSha256 => 32,
                pkcs5::pbes2::Pbkdf2Prf::HmacWithSha384 => 48,
                pkcs5::pbes2::Pbkdf2Prf::HmacWithSha512 => 64,
                _ => return TOO_MUCH,
            };
            // Two compressions (inner and outer HMAC) per iteration and output block.
            p.encryption.key_size().div_ceil(hash_len) as u64 * 2 * u64::from(k.iteration_count).max(1)
        }
        _ => return TOO_MUCH,
    };
    derive + ciphertext_len as u64 / 64
}

/// Checks candidate PINs; shared by all worker threads.
pub struct PinChecker<'a> {
    file: &'a Pkcs12File,
    /// The MAC is the cheapest check (else the smallest encrypted item is).
    by_mac: bool,
    lanes: Option<mac_lanes::LaneMacChecker>,
}

impl PinChecker<'_> {
    /// The ordinary check, one candidate at a time: every hit of the lanes is confirmed by it.
    pub fn check(&self, pin: &str) -> bool {
        Password::candidates(pin).iter().any(|p| self.file.check_password_by(p, self.by_mac).unwrap_or(false))
    }

    /// The SIMD lanes, when this file and CPU allow them.
    pub fn lanes(&self) -> Option<&mac_lanes::LaneMacChecker> {
        self.lanes.as_ref()
    }

    /// The same checker without lanes: the scalar path (benchmarks compare the two).
    pub fn without_lanes(self) -> Self {
        PinChecker { lanes: None, ..self }
    }

    /// True when candidates are checked through the MAC.
    pub fn checks_the_mac(&self) -> bool {
        self.by_mac
    }

    /// Seconds one candidate of `digits` digits costs one thread, by the path a search takes
    /// (a batch of lanes, or one check): timed on at least 4 probes, more until `budget` has
    /// passed, at most 64.
    pub fn seconds_per_candidate(&self, digits: usize, budget: std::time::Duration) -> f64 {
        let start = std::time::Instant::now();
        let (mut rounds, mut candidates) = (0u32, 0u64);
        while rounds < 64 && (rounds < 4 || start.elapsed() < budget) {
            // A probe may be the real PIN: held like one.
            let probe = Zeroizing::new(format!("{:0digits$}", rounds));
            match &self.lanes {
                Some(lanes) => {
                    let password = Password::new(&probe, PasswordForm::Bmp);
                    let _ = lanes.matches(&vec![password.pkcs12_bytes(); lanes.lanes()]);
                    candidates += lanes.lanes() as u64;
                }
                None => {
                    let _ = self.check(&probe);
                    candidates += 1;
                }
            }
            rounds += 1;
        }
        start.elapsed().as_secs_f64() / candidates as f64
    }
}

fn collect_bags(bags: &[Bag], password: &Password, opened: &mut Opened) -> Result<(), Pkcs12Error> {
    for bag in bags {
        match &bag.content {
            BagContent::Certificate(der) => opened
                .certificates
                .push(CertificateBag { der: der.clone(), attributes: bag.attributes.clone() }),
            BagContent::PlainKey(pkcs8) => {
                opened.keys.push(KeyBag { pkcs8: pkcs8.clone(), attributes: bag.attributes.clone() })
            }
            BagContent::ShroudedKey { algorithm, ciphertext } => {
                let plain = decrypt(algorithm, ciphertext, password)?;
                let (der, _) = ber::to_der(&plain).map_err(|e| malformed(format!("private key: {e}")))?;
                opened.keys.push(KeyBag { pkcs8: Zeroizing::new(der), attributes: bag.attributes.clone() });
            }
            BagContent::Other(_) => {}
        }
    }
    Ok(())
}

fn describe_bag(bag: &Bag) -> BagInfo {
    let (kind, encryption) = match &bag.content {
        BagContent::Certificate(_) => ("certificate".to_string(), None),
        BagContent::PlainKey(_) => ("private-key".to_string(), None),
        BagContent::ShroudedKey { algorithm, .. } => {
            ("shrouded-private-key".to_string(), Some(describe_encryption(algorithm)))
        }
        BagContent::Other(oid) => (
            match *oid {
                CRL_BAG => "crl".to_string(),
                SECRET_BAG => "secret".to_string(),
                other => oid_name(&other),
            },
            None,
        ),
    };
    BagInfo { kind, encryption, friendly_name: bag.attributes.friendly_name.clone() }
}

/// The content octets of `[0] EXPLICIT OCTET STRING` (as decoded into an `Any`).
fn octets_of(content: &der::Any) -> Result<Vec<u8>, Pkcs12Error> {
    let der = content.to_der().map_err(malformed)?;
    let octets =
        OctetString::from_der(&der).map_err(|e| malformed(format!("content is not an OCTET STRING: {e}")))?;
    Ok(octets.as_bytes().to_vec())
}

fn looks_like_der_kind(der: &[u8]) -> Option<OtherFormat> {
    crate::certificate::x509::parse(der).ok().map(|_| OtherFormat::Certificate)
}

fn looks_like_der_sequence(data: &[u8]) -> bool {
    data.first() == Some(&0x30) && ber::to_der(data).is_ok()
}

/// EncryptedData (RFC 5652 section 8), with its content as it came. Its `encryptedContent` is an
/// `[0] IMPLICIT OCTET STRING`, which BER allows in chunks, constructed, and NSS's `pk12util`
/// (Firefox and Thunderbird backups) writes it so: the BER→DER step, which knows no schema,
/// cannot tell that `[0]` from an EXPLICIT one and keeps it constructed. [`implicit_octets`]
/// joins the chunks.
#[derive(der::Sequence)]
#[allow(dead_code)] // fields read only to check the structure
struct EncryptedData {
    version: cms::content_info::CmsVersion,
    enc_content_info: EncryptedContentInfo,
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", constructed = "true", optional = "true")]
    unprotected_attrs: Option<x509_cert::attr::Attributes>,
}

#[derive(der::Sequence)]
#[allow(dead_code)]
struct EncryptedContentInfo {
    content_type: Oid,
    content_enc_alg: AlgorithmIdentifierOwned,
    /// `[0] IMPLICIT OCTET STRING OPTIONAL`, primitive or constructed.
    encrypted_content: Option<der::Any>,
}

/// The octets of an `[0] IMPLICIT OCTET STRING`: primitive, or constructed from OCTET STRING
/// chunks (nested chunks were already joined by [`ber::to_der`]). Absent is empty.
fn implicit_octets(value: Option<&der::Any>) -> Result<Vec<u8>, Pkcs12Error> {
    use der::{Reader, Tag, Tagged};
    let Some(value) = value else { return Ok(Vec::new()) };
    match value.tag() {
        Tag::ContextSpecific { constructed: false, number } if number.value() == 0 => {
            Ok(value.value().to_vec())
        }
        Tag::ContextSpecific { constructed: true, number } if number.value() == 0 => {
            let mut reader = der::SliceReader::new(value.value()).map_err(malformed)?;
            let mut octets = Vec::with_capacity(value.value().len());
            while !reader.is_finished() {
                let chunk = OctetString::decode(&mut reader)
                    .map_err(|e| malformed(format!("encrypted content chunk: {e}")))?;
                octets.extend_from_slice(chunk.as_bytes());
            }
            Ok(octets)
        }
        other => Err(malformed(format!("encrypted content has the tag {other}, not [0]"))),
    }
}

/// EncryptedPrivateKeyInfo (RFC 5208), loosely typed so any algorithm can be named.
#[derive(der::Sequence)]
struct EncryptedPrivateKeyInfo {
    algorithm: AlgorithmIdentifierOwned,
    data: OctetString,
}

fn parse_safe_contents(bytes: &[u8], depth: usize) -> Result<Vec<Bag>, Pkcs12Error> {
    if depth > MAX_BAG_NESTING {
        return Err(malformed("safe contents nested too deeply"));
    }
    let (der, _) = ber::to_der(bytes).map_err(|e| malformed(format!("safe contents: {e}")))?;
    let raw: Vec<pkcs12::safe_bag::SafeBag> =
        Vec::from_der(&der).map_err(|e| malformed(format!("safe contents: {e}")))?;
    let mut bags = Vec::with_capacity(raw.len());
    for bag in raw {
        let attributes = parse_attributes(bag.bag_attributes.as_ref());
        // bag_value holds the whole `[0] EXPLICIT` element.
        let value = der::asn1::ContextSpecific::<der::Any>::from_der(&bag.bag_value)
            .map_err(|e| malformed(format!("bag value: {e}")))?
            .value
            .to_der()
            .map_err(malformed)?;
        let content = match bag.bag_id {
            CERT_BAG => {
                let cert = pkcs12::CertBag::from_der(&value)
                    .map_err(|e| malformed(format!("certificate bag: {e}")))?;
                if cert.cert_id == X509_CERTIFICATE {
                    BagContent::Certificate(cert.cert_value.as_bytes().to_vec())
                } else {
                    BagContent::Other(cert.cert_id)
                }
            }
            KEY_BAG => BagContent::PlainKey(Zeroizing::new(value)),
            SHROUDED_KEY_BAG => {
                let epki = EncryptedPrivateKeyInfo::from_der(&value)
                    .map_err(|e| malformed(format!("encrypted key bag: {e}")))?;
                BagContent::ShroudedKey {
                    algorithm: epki.algorithm,
                    ciphertext: epki.data.as_bytes().to_vec(),
                }
            }
            SAFE_CONTENTS_BAG => {
                bags.extend(parse_safe_contents(&value, depth + 1)?);
                continue;
            }
            other => BagContent::Other(other),
        };
        bags.push(Bag { content, attributes });
    }
    Ok(bags)
}

fn parse_attributes(attrs: Option<&x509_cert::attr::Attributes>) -> BagAttributes {
    let mut out = BagAttributes::default();
    for attr in attrs.into_iter().flat_map(|a| a.iter()) {
        let Some(value) = attr.values.iter().next() else {
            continue;
        };
        match attr.oid {
            FRIENDLY_NAME => {
                out.friendly_name = value.decode_as::<der::asn1::BmpString>().ok().map(|s| s.to_string());
            }
            LOCAL_KEY_ID => {
                out.local_key_id = value.decode_as::<OctetString>().ok().map(|o| o.as_bytes().to_vec());
            }
            _ => {}
        }
    }
    out
}

fn check_iterations(n: u64) -> Result<i32, Pkcs12Error> {
    if n == 0 {
        return Err(malformed("an iteration count of zero"));
    }
    if n > MAX_ITERATIONS {
        return Err(Pkcs12Error::TooManyIterations(n));
    }
    Ok(n as i32)
}

macro_rules! pkcs12_hmac {
    ($digest:ty, $mac:expr, $pass:expr, $data:expr, $rounds:expr) => {{
        let key = Zeroizing::new(pkcs12::kdf::derive_key::<$digest>(
            $pass,
            &$mac.salt,
            pkcs12::kdf::Pkcs12KeyType::Mac,
            $rounds,
            <$digest as sha2::digest::OutputSizeUser>::output_size(),
        ));
        let mut hmac = hmac::Hmac::<$digest>::new_from_slice(&key).map_err(malformed)?;
        hmac.update($data);
        Ok(hmac.verify_slice(&$mac.value).is_ok())
    }};
}

/// RFC 7292 appendix B: HMAC keyed by the PKCS#12 KDF (ID 3) over the authSafe content octets.
fn verify_mac(mac: &MacParams, pass: &[u8], data: &[u8]) -> Result<bool, Pkcs12Error> {
    let rounds = check_iterations(mac.iterations)?;
    match mac.digest {
        SHA1 => pkcs12_hmac!(sha1::Sha1, mac, pass, data, rounds),
        SHA224 => pkcs12_hmac!(sha2::Sha224, mac, pass, data, rounds),
        SHA256 => pkcs12_hmac!(sha2::Sha256, mac, pass, data, rounds),
        SHA384 => pkcs12_hmac!(sha2::Sha384, mac, pass, data, rounds),
        SHA512 => pkcs12_hmac!(sha2::Sha512, mac, pass, data, rounds),
        other => Err(Pkcs12Error::Unsupported(format!(
            "integrity check {}",
            describe_mac(&other, mac.iterations).name
        ))),
    }
}

/// Decrypts one encrypted item. A padding failure means a wrong password.
fn decrypt(
    alg: &AlgorithmIdentifierOwned,
    ciphertext: &[u8],
    password: &Password,
) -> Result<Zeroizing<Vec<u8>>, Pkcs12Error> {
    let params = alg
        .parameters
        .as_ref()
        .ok_or_else(|| malformed("encryption parameters missing"))?
        .to_der()
        .map_err(malformed)?;
    match alg.oid {
        PBE_SHA1_3DES | PBE_SHA1_RC2_40 | PBE_SHA1_RC2_128 => {
            let p =
                Pkcs12PbeParams::from_der(&params).map_err(|e| malformed(format!("PBE parameters: {e}")))?;
            let rounds = check_iterations(p.iterations)?;
            let salt = p.salt.as_bytes();
            let key_len = match alg.oid {
                PBE_SHA1_3DES => 24,
                PBE_SHA1_RC2_40 => 5,
                _ => 16,
            };
            let pass = password.pkcs12_bytes();
            let key = Zeroizing::new(pkcs12::kdf::derive_key::<sha1::Sha1>(
                pass,
                salt,
                pkcs12::kdf::Pkcs12KeyType::EncryptionKey,
                rounds,
                key_len,
            ));
            let iv =
                pkcs12::kdf::derive_key::<sha1::Sha1>(pass, salt, pkcs12::kdf::Pkcs12KeyType::Iv, rounds, 8);
            let result = if alg.oid == PBE_SHA1_3DES {
                cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
                    .map_err(malformed)?
                    .decrypt_padded_vec::<Pkcs7>(ciphertext)
            } else {
                cbc::Decryptor::<rc2::Rc2>::new_from_slices(&key, &iv)
                    .map_err(malformed)?
                    .decrypt_padded_vec::<Pkcs7>(ciphertext)
            };
            result.map(Zeroizing::new).map_err(|_| Pkcs12Error::WrongPassword)
        }
        PBES2 => {
            let info = describe_encryption(alg);
            if !info.supported {
                return Err(Pkcs12Error::Unsupported(info.name));
            }
            let p = pkcs5::pbes2::Parameters::from_der(&params)
                .map_err(|_| Pkcs12Error::Unsupported(info.name.clone()))?;
            match &p.kdf {
                pkcs5::pbes2::Kdf::Pbkdf2(k) => {
                    check_iterations(u64::from(k.iteration_count))?;
                }
                pkcs5::pbes2::Kdf::Scrypt(s) => {
                    // 128 · N · r bytes of memory: refuse more than 256 MiB.
                    let memory = 128u128 * u128::from(s.cost_parameter) * u128::from(s.block_size);
                    if memory > 256 << 20 || s.parallelization > 4 {
                        return Err(Pkcs12Error::TooManyIterations(s.cost_parameter));
                    }
                }
                _ => return Err(Pkcs12Error::Unsupported(info.name)),
            }
            p.decrypt(password.utf8_bytes(), ciphertext)
                .map(Zeroizing::new)
                .map_err(|_| Pkcs12Error::WrongPassword)
        }
        other => Err(Pkcs12Error::Unsupported(oid_name(&other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_foreign_files_are_named() {
        assert_eq!(Pkcs12File::parse(b"").err(), Some(Pkcs12Error::Empty));
        assert_eq!(
            Pkcs12File::parse(b"%PDF-1.4 ...").err(),
            Some(Pkcs12Error::NotPkcs12 { looks_like: Some(OtherFormat::Pdf) })
        );
        assert_eq!(
            Pkcs12File::parse(&[0x01, 0x02, 0xff]).err(),
            Some(Pkcs12Error::NotPkcs12 { looks_like: None })
        );
        assert_eq!(Pkcs12File::parse(&[0x30, 0x82, 0x10, 0x00, 0x02]).err(), Some(Pkcs12Error::Truncated));
    }

    #[test]
    fn implicit_octets_join_the_chunks_nss_writes() {
        use der::{Tag, TagNumber};
        let tag = |constructed| Tag::ContextSpecific { constructed, number: TagNumber(0) };
        let any = |tag, bytes: &[u8]| der::Any::new(tag, bytes).unwrap();
        assert_eq!(implicit_octets(None).unwrap(), b"");
        assert_eq!(implicit_octets(Some(&any(tag(false), b"abc"))).unwrap(), b"abc");
        let chunks = [0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c'];
        assert_eq!(implicit_octets(Some(&any(tag(true), &chunks))).unwrap(), b"abc");
        // A chunk of another type, a cut-off chunk, another tag: damaged, not a panic.
        assert!(implicit_octets(Some(&any(tag(true), &[0x02, 0x01, 0x01]))).is_err());
        assert!(implicit_octets(Some(&any(tag(true), &[0x04, 0x05, b'a']))).is_err());
        assert!(implicit_octets(Some(&any(Tag::OctetString, b"abc"))).is_err());
    }
}
