//! The manifest `manifest.json` inside each generation (SPEC.md §9).

use std::collections::BTreeSet;

use age::x25519::Recipient;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::FORMAT_VERSION;
use crate::header::{
    GrammarFault, VaultHeader, VersionFault, VersionPeek, check_shared_grammar, check_version,
};
use crate::hex;
use crate::id::{VaultId, recipient_serde};
use crate::kdf::{KdfError, KdfParams};
use crate::time::{is_valid_date, is_valid_timestamp};

/// Largest `manifest.json` a reader accepts, in bytes (SPEC.md §8.3).
pub const MAX_MANIFEST_BYTES: usize = 1024 * 1024;

/// Longest `original_file_name`, in bytes (SPEC.md §9.2).
pub const MAX_FILE_NAME_BYTES: usize = 255;

/// The decrypted description of a generation (SPEC.md §9).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Must equal `vault.json`'s (SPEC.md §7.3).
    pub vault_id: VaultId,
    /// Must equal N of the file name `vault-<N>.age` (SPEC.md §7.3).
    pub generation: u64,
    /// When the vault was created (copied from the header).
    pub created: String,
    /// When this generation was written.
    pub updated: String,
    /// The PIN identity's recipient (authoritative copy, SPEC.md §5.4).
    #[serde(with = "recipient_serde")]
    pub pin_recipient: Recipient,
    /// Argon2id parameters (authoritative copy, SPEC.md §5.4).
    pub kdf: KdfParams,
    /// One per sealed certificate.
    pub entries: Vec<Entry>,
    /// The program files the writer put into the vault folder's `program/` folder, so that a
    /// stick checked against this list can be trusted on a new computer (SPEC.md §9.2).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub programs: Vec<ProgramFile>,
}

/// A program file kept beside the vault, `program/<platform>/<name>` (SPEC.md §9.2). Never
/// secret and never needed to open the vault: it is there so a new computer has the program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgramFile {
    /// `<platform>/<name>` below `program/`, e.g. `windows-x86_64/certvault-gui.exe`.
    pub path: String,
    /// The certvault version the file is, e.g. `0.1.0`.
    pub version: String,
    /// Length in bytes.
    pub size: u64,
    /// SHA-256 of the file, 64 lowercase hex digits.
    pub sha256: String,
}

/// Longest `programs[].version`, in bytes (SPEC.md §9.2).
pub const MAX_PROGRAM_VERSION_BYTES: usize = 64;

/// Whether `path` is a valid `programs[].path` (SPEC.md §9.2): two segments, a platform and
/// a file name, each 1–64 of `A–Z a–z 0–9 . _ -` and neither `.` nor `..`; so that joining
/// it below `program/` never leaves that folder, on any system.
pub fn is_program_path(path: &str) -> bool {
    let segment = |s: &str| {
        (1..=64).contains(&s.len())
            && s != "."
            && s != ".."
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    };
    matches!(path.split_once('/'), Some((platform, name)) if segment(platform) && segment(name))
}

/// What a certificate is for (SPEC.md §9.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Purpose {
    /// オンライン資格確認 / online qualification and claims network certificate.
    #[serde(rename = "online-qualification")]
    OnlineQualification,
    /// HPKI second (cardless signature) client certificate.
    #[serde(rename = "hpki-second")]
    HpkiSecond,
    /// Anything else; readers map unknown values here (SPEC.md §9.2).
    #[serde(rename = "other", other)]
    Other,
}

/// One sealed PKCS#12 file (SPEC.md §9.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// First 12 lowercase hex digits of the SHA-256 of the `.p12` bytes.
    pub id: String,
    /// What the certificate is for.
    pub purpose: Purpose,
    /// The file's name when it was sealed (a base name, no directories).
    pub original_file_name: String,
    /// Length of the `.p12` in bytes.
    pub size: u64,
    /// SHA-256 of the `.p12`, 64 lowercase hex digits.
    pub sha256: String,
    /// When the entry was added (RFC 3339 UTC).
    pub added: String,
    /// What was read from the certificate when it was sealed.
    pub certificate: CertificateInfo,
    /// Whether `pins/<id>.age` holds the PIN.
    pub pin_stored: bool,
    /// The user's own reminder for the PIN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Set when a re-issued certificate replaces this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded: Option<Superseded>,
}

/// Certificate metadata, copied from the leaf certificate when sealed (SPEC.md §9.2).
/// Informational: readers never need it to recover the `.p12`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateInfo {
    /// Subject distinguished name as written for people (SPEC.md §9.2): RDNs in certificate
    /// order joined by `", "`, `TYPE=value`, unescaped.
    pub subject: String,
    /// The 10-digit medical institution code, when the subject carries one (written as 10
    /// ASCII digits; readers accept any string, SPEC.md §9.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub institution_code: Option<String>,
    /// Issuer distinguished name, in the form of `subject`.
    pub issuer: String,
    /// Serial number, lowercase hex of the big-endian magnitude.
    pub serial: String,
    /// Validity start (RFC 3339 UTC).
    pub not_before: String,
    /// Validity end (RFC 3339 UTC).
    pub not_after: String,
    /// SHA-1 of the leaf certificate's DER (the Windows "thumbprint"), lowercase hex.
    pub leaf_sha1: String,
    /// SHA-256 of the leaf certificate's DER, lowercase hex.
    pub leaf_sha256: String,
    /// SHA-1 of each CA certificate's DER in the file, lowercase hex.
    #[serde(default)]
    pub ca_sha1: Vec<String>,
    /// Key algorithm as written (SPEC.md §9.2): `RSA`, `ECDSA P-256`, `Ed25519`, …;
    /// informational, never checked by readers.
    pub key_type: String,
    /// Key size in bits.
    pub key_bits: u32,
}

/// Replacement by a re-issued certificate (SPEC.md §9.2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Superseded {
    /// The id of the entry that replaces this one.
    pub by: String,
    /// The day this certificate stops working (`YYYY-MM-DD`).
    pub stops_working: String,
}

/// Why `manifest.json` was rejected (SPEC.md §9.3).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ManifestError {
    /// Larger than [`MAX_MANIFEST_BYTES`].
    #[error("manifest.json is too large")]
    TooLarge,
    /// Not JSON, or a member is missing, duplicated, or of the wrong type.
    #[error("manifest.json is malformed: {0}")]
    Malformed(String),
    /// Written by a newer certvault.
    #[error(
        "this vault generation uses format version {found}, but this program reads version {supported}; update certvault"
    )]
    UnsupportedVersion {
        /// The version in the manifest.
        found: u64,
        /// The version this crate reads.
        supported: u32,
    },
    /// A member has a value outside its grammar.
    #[error("manifest.json: invalid {field}{}", entry.as_ref().map(|e| format!(" in entry {e}")).unwrap_or_default())]
    InvalidField {
        /// The entry's id (as written), if the member belongs to an entry.
        entry: Option<String>,
        /// The JSON member name.
        field: &'static str,
    },
    /// Two entries have the same id.
    #[error("manifest.json: entry {0} appears twice")]
    DuplicateEntry(String),
    /// The Argon2id parameters are outside the reader limits (SPEC.md §4.2).
    #[error("manifest.json: {0}")]
    Kdf(#[from] KdfError),
}

/// SHA-256 of `bytes` as 64 lowercase hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(&Sha256::digest(bytes))
}

/// The entry id of a `.p12`: the first 12 hex digits of its SHA-256 (SPEC.md §9.2).
pub fn entry_id(p12: &[u8]) -> String {
    let mut h = sha256_hex(p12);
    h.truncate(12);
    h
}

/// Whether `s` has the shape of an entry id: 12 lowercase hex digits.
pub fn is_entry_id(s: &str) -> bool {
    hex::is_lower_hex_len(s, 12)
}

/// `name` made into a valid `original_file_name` (§9.2): separators and control characters
/// become `_`, the length is cut to [`MAX_FILE_NAME_BYTES`] on a character boundary, and a
/// name left empty, `.` or `..` becomes `certificate.p12`. The name only reminds people what
/// the file was called; it is never used as a path as it is.
pub fn storable_file_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len().min(MAX_FILE_NAME_BYTES));
    for c in name.chars() {
        let c = if c == '/' || c == '\\' || c.is_control() { '_' } else { c };
        if out.len() + c.len_utf8() > MAX_FILE_NAME_BYTES {
            break;
        }
        out.push(c);
    }
    if is_base_name(&out) { out } else { "certificate.p12".to_string() }
}

fn is_base_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_FILE_NAME_BYTES
        && s != "."
        && s != ".."
        && !s.chars().any(|c| c == '/' || c == '\\' || c.is_control())
}

#[derive(Serialize)]
struct ManifestOut<'a> {
    format_version: u32,
    #[serde(flatten)]
    manifest: &'a Manifest,
}

impl Manifest {
    /// An empty manifest for generation `generation` of the vault described by `header`.
    pub fn new(header: &VaultHeader, generation: u64, updated: String) -> Manifest {
        Manifest {
            vault_id: header.vault_id,
            generation,
            created: header.created.clone(),
            updated,
            pin_recipient: header.pin_recipient.clone(),
            kdf: header.kdf,
            entries: Vec::new(),
            programs: Vec::new(),
        }
    }

    /// The header these values imply; the manifest copy wins over `vault.json`
    /// (SPEC.md §5.4).
    pub fn header(&self) -> VaultHeader {
        VaultHeader {
            vault_id: self.vault_id,
            created: self.created.clone(),
            kdf: self.kdf,
            pin_recipient: self.pin_recipient.clone(),
        }
    }

    /// The manifest of the next generation: the same contents with `generation` + 1 and
    /// `updated` set (SPEC.md §11).
    pub fn next_generation(&self, updated: String) -> Manifest {
        Manifest { generation: self.generation.saturating_add(1), updated, ..self.clone() }
    }

    /// The program file recorded at `path` (`<platform>/<name>`).
    pub fn program(&self, path: &str) -> Option<&ProgramFile> {
        self.programs.iter().find(|p| p.path == path)
    }

    /// The entry with this id.
    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// Serialises as pretty-printed JSON with a final newline (SPEC.md §9.1).
    pub fn to_json(&self) -> Vec<u8> {
        let out = ManifestOut { format_version: FORMAT_VERSION, manifest: self };
        // Serialising plain structs of strings and integers to a Vec cannot fail.
        let mut v = serde_json::to_vec_pretty(&out).unwrap_or_default();
        v.push(b'\n');
        v
    }

    /// Parses and validates `manifest.json` (SPEC.md §9.3).
    pub fn from_json(bytes: &[u8]) -> Result<Manifest, ManifestError> {
        if bytes.len() > MAX_MANIFEST_BYTES {
            return Err(ManifestError::TooLarge);
        }
        let raw = crate::header::parse_object(bytes).map_err(ManifestError::Malformed)?;
        let peek: VersionPeek =
            serde_json::from_slice(bytes).map_err(|e| ManifestError::Malformed(e.to_string()))?;
        match check_version(peek.format_version.as_ref()) {
            Ok(()) => {}
            Err(VersionFault::Newer(found)) => {
                return Err(ManifestError::UnsupportedVersion { found, supported: FORMAT_VERSION });
            }
            Err(VersionFault::Invalid) => {
                return Err(ManifestError::InvalidField { entry: None, field: "format_version" });
            }
            Err(VersionFault::Malformed) => {
                return Err(ManifestError::Malformed("format_version is not an integer".into()));
            }
        }
        match check_shared_grammar(&raw) {
            Ok(()) => {}
            Err(GrammarFault::Field(field)) => {
                return Err(ManifestError::InvalidField { entry: None, field });
            }
            Err(GrammarFault::KdfUnsupported) => return Err(ManifestError::Kdf(KdfError::Unsupported)),
        }
        let m: Manifest =
            serde_json::from_slice(bytes).map_err(|e| ManifestError::Malformed(e.to_string()))?;
        m.validate()?;
        Ok(m)
    }

    /// Checks every grammar and uniqueness rule of SPEC.md §9.3 (not the files: see
    /// [`crate::Payload::validate`]).
    pub fn validate(&self) -> Result<(), ManifestError> {
        let top = |field| ManifestError::InvalidField { entry: None, field };
        if self.generation == 0 {
            return Err(top("generation"));
        }
        if !is_valid_timestamp(&self.created) {
            return Err(top("created"));
        }
        if !is_valid_timestamp(&self.updated) {
            return Err(top("updated"));
        }
        self.kdf.validate()?;
        let mut ids = BTreeSet::new();
        for e in &self.entries {
            e.validate()?;
            if !ids.insert(e.id.as_str()) {
                return Err(ManifestError::DuplicateEntry(e.id.clone()));
            }
        }
        let mut paths = BTreeSet::new();
        for p in &self.programs {
            p.validate()?;
            if !paths.insert(p.path.to_ascii_lowercase()) {
                return Err(top("programs.path"));
            }
        }
        Ok(())
    }
}

impl ProgramFile {
    /// Checks this record's grammars (SPEC.md §9.3).
    pub fn validate(&self) -> Result<(), ManifestError> {
        let bad = |field| ManifestError::InvalidField { entry: None, field };
        if !is_program_path(&self.path) {
            return Err(bad("programs.path"));
        }
        if self.version.is_empty()
            || self.version.len() > MAX_PROGRAM_VERSION_BYTES
            || !self.version.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(bad("programs.version"));
        }
        if !hex::is_lower_hex_len(&self.sha256, 64) {
            return Err(bad("programs.sha256"));
        }
        Ok(())
    }
}

impl Entry {
    /// Checks this entry's grammars (SPEC.md §9.3).
    pub fn validate(&self) -> Result<(), ManifestError> {
        let bad =
            |field| ManifestError::InvalidField { entry: Some(self.id.chars().take(16).collect()), field };
        if !is_entry_id(&self.id) {
            return Err(bad("id"));
        }
        if !hex::is_lower_hex_len(&self.sha256, 64) {
            return Err(bad("sha256"));
        }
        if !self.sha256.starts_with(&self.id) {
            return Err(bad("id"));
        }
        if !is_base_name(&self.original_file_name) {
            return Err(bad("original_file_name"));
        }
        if !is_valid_timestamp(&self.added) {
            return Err(bad("added"));
        }
        let c = &self.certificate;
        if !is_valid_timestamp(&c.not_before) {
            return Err(bad("not_before"));
        }
        if !is_valid_timestamp(&c.not_after) {
            return Err(bad("not_after"));
        }
        if !hex::is_lower_hex(&c.serial, 128) {
            return Err(bad("serial"));
        }
        if !hex::is_lower_hex_len(&c.leaf_sha1, 40) {
            return Err(bad("leaf_sha1"));
        }
        if !hex::is_lower_hex_len(&c.leaf_sha256, 64) {
            return Err(bad("leaf_sha256"));
        }
        if !c.ca_sha1.iter().all(|h| hex::is_lower_hex_len(h, 40)) {
            return Err(bad("ca_sha1"));
        }
        if let Some(s) = &self.superseded {
            if !is_entry_id(&s.by) {
                return Err(bad("superseded.by"));
            }
            if !is_valid_date(&s.stops_working) {
                return Err(bad("superseded.stops_working"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::kdf::Argon2Params;
    use proptest::prelude::*;

    pub(crate) fn sample_entry(p12: &[u8]) -> Entry {
        Entry {
            id: entry_id(p12),
            purpose: Purpose::OnlineQualification,
            original_file_name: "202101010000777.p12".into(),
            size: p12.len() as u64,
            sha256: sha256_hex(p12),
            added: "2025-04-01T09:00:00Z".into(),
            certificate: CertificateInfo {
                subject: "CN=1234567890,O=Example Clinic,C=JP".into(),
                institution_code: Some("1234567890".into()),
                issuer: "CN=Example CA,C=JP".into(),
                serial: "0a1b".into(),
                not_before: "2025-04-01T00:00:00Z".into(),
                not_after: "2028-03-31T23:59:59Z".into(),
                leaf_sha1: "a".repeat(40),
                leaf_sha256: "b".repeat(64),
                ca_sha1: vec!["c".repeat(40)],
                key_type: "rsa".into(),
                key_bits: 2048,
            },
            pin_stored: true,
            hint: Some("受付の金庫".into()),
            superseded: None,
        }
    }

    pub(crate) fn sample_manifest(entries: Vec<Entry>) -> Manifest {
        Manifest {
            vault_id: VaultId::from_bytes([0x11; 16]),
            generation: 1,
            created: "2025-04-01T09:00:00Z".into(),
            updated: "2025-04-01T09:00:00Z".into(),
            pin_recipient: age::x25519::Identity::generate().to_public(),
            kdf: KdfParams::both(Argon2Params::new(8, 1, 1)),
            entries,
            programs: Vec::new(),
        }
    }

    pub(crate) fn sample_program(path: &str) -> ProgramFile {
        ProgramFile { path: path.into(), version: "0.1.0".into(), size: 3, sha256: sha256_hex(b"exe") }
    }

    #[test]
    fn programs_round_trip_and_grammar() {
        let mut m = sample_manifest(vec![sample_entry(b"x")]);
        assert!(!String::from_utf8(m.to_json()).unwrap().contains("programs"), "omitted when empty");
        m.programs = vec![
            sample_program("windows-x86_64/certvault-gui.exe"),
            sample_program("linux-x86_64/certvault"),
        ];
        assert_eq!(Manifest::from_json(&m.to_json()).unwrap(), m);
        for path in
            ["../certvault.exe", "windows-x86_64/../x", "a/b/c", "x", "a/", "/a", "a/..", "a\\b/c", "a/b c"]
        {
            assert!(!is_program_path(path), "{path}");
            let mut m = m.clone();
            m.programs[0].path = path.into();
            assert_eq!(
                m.validate(),
                Err(ManifestError::InvalidField { entry: None, field: "programs.path" })
            );
        }
        let mut twice = m.clone();
        twice.programs[1].path = "Windows-x86_64/CERTVAULT-GUI.EXE".into();
        assert!(twice.validate().is_err(), "paths equal but for case (FAT) are one file");
        let mut v = m.clone();
        v.programs[0].version = "0.1.0 beta".into();
        assert!(v.validate().is_err());
        let mut h = m;
        h.programs[0].sha256 = "A".repeat(64);
        assert!(h.validate().is_err());
    }

    #[test]
    fn any_name_becomes_a_storable_one() {
        assert_eq!(storable_file_name("202101010000777.p12"), "202101010000777.p12");
        assert_eq!(storable_file_name("a\u{1b}[2J\\b/c.p12"), "a_[2J_b_c.p12");
        assert_eq!(storable_file_name(""), "certificate.p12");
        assert_eq!(storable_file_name(".."), "certificate.p12");
        let long = "証".repeat(100);
        let cut = storable_file_name(&long);
        assert!(cut.len() <= MAX_FILE_NAME_BYTES && is_base_name(&cut), "{}", cut.len());
        assert_eq!(cut.chars().count(), 85);
    }

    #[test]
    fn round_trip_and_order() {
        let m = sample_manifest(vec![sample_entry(b"x")]);
        let j = m.to_json();
        let s = std::str::from_utf8(&j).unwrap();
        assert!(s.starts_with("{\n  \"format_version\": 1,\n  \"vault_id\""));
        assert_eq!(Manifest::from_json(&j).unwrap(), m);
    }

    #[test]
    fn unknown_members_and_purposes() {
        let m = sample_manifest(vec![sample_entry(b"x")]);
        let mut v: serde_json::Value = serde_json::from_slice(&m.to_json()).unwrap();
        v["future"] = serde_json::json!({"a": 1});
        v["entries"][0]["future"] = 5.into();
        v["entries"][0]["purpose"] = "hpki-signature".into();
        let back = Manifest::from_json(v.to_string().as_bytes()).unwrap();
        assert_eq!(back.entries[0].purpose, Purpose::Other);
        v["format_version"] = 7.into();
        assert_eq!(
            Manifest::from_json(v.to_string().as_bytes()),
            Err(ManifestError::UnsupportedVersion { found: 7, supported: 1 })
        );
    }

    #[test]
    fn rejections() {
        let mut e = sample_entry(b"x");
        e.original_file_name = "..\\evil.p12".into();
        assert!(matches!(
            sample_manifest(vec![e]).validate(),
            Err(ManifestError::InvalidField { field: "original_file_name", .. })
        ));
        let mut e = sample_entry(b"x");
        e.id = entry_id(b"y");
        assert!(sample_manifest(vec![e]).validate().is_err());
        let m = sample_manifest(vec![sample_entry(b"x"), sample_entry(b"x")]);
        assert!(matches!(m.validate(), Err(ManifestError::DuplicateEntry(_))));
    }

    fn arb_text() -> impl Strategy<Value = String> {
        "\\PC{0,40}"
    }

    prop_compose! {
        fn arb_entry()(p12 in proptest::collection::vec(any::<u8>(), 0..64),
                       name in "[A-Za-z0-9_.-]{1,30}",
                       subject in arb_text(), issuer in arb_text(),
                       hint in proptest::option::of(arb_text()),
                       code in proptest::option::of("[0-9]{10}"),
                       pin_stored in any::<bool>(), bits in any::<u32>(),
                       purpose in prop_oneof![Just(Purpose::OnlineQualification), Just(Purpose::HpkiSecond), Just(Purpose::Other)],
                       superseded in any::<bool>())
                       -> Entry {
            let mut e = sample_entry(&p12);
            e.original_file_name = if name == "." || name == ".." { "x".into() } else { name };
            e.certificate.subject = subject;
            e.certificate.issuer = issuer;
            e.certificate.institution_code = code;
            e.certificate.key_bits = bits;
            e.hint = hint;
            e.pin_stored = pin_stored;
            e.purpose = purpose;
            e.superseded = superseded.then(|| Superseded { by: entry_id(b"next"), stops_working: "2026-05-01".into() });
            e
        }
    }

    proptest! {
        #[test]
        fn serde_round_trip(entries in proptest::collection::vec(arb_entry(), 0..4), generation in 1u64..) {
            let mut seen = BTreeSet::new();
            let entries: Vec<Entry> = entries.into_iter().filter(|e| seen.insert(e.id.clone())).collect();
            let mut m = sample_manifest(entries);
            m.generation = generation;
            let j = m.to_json();
            prop_assert_eq!(Manifest::from_json(&j).unwrap(), m);
        }

        #[test]
        fn from_json_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = Manifest::from_json(&bytes);
            let _ = VaultHeader::from_json(&bytes);
        }
    }
}
