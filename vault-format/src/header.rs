//! The public vault header `vault.json` (SPEC.md §5).

use age::x25519::Recipient;
use serde::{Deserialize, Serialize};

use crate::id::{VaultId, recipient_serde};
use crate::kdf::{KdfError, KdfParams};
use crate::{FORMAT_NAME, FORMAT_VERSION};

/// Largest `vault.json` a reader accepts, in bytes (SPEC.md §5.3).
pub const MAX_HEADER_BYTES: usize = 64 * 1024;

/// What a reader needs before any decryption (SPEC.md §5). Holds no secret.
///
/// The same values are repeated in every generation's manifest, whose copy is
/// authoritative (SPEC.md §5.4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VaultHeader {
    /// The vault id; salts both derivations.
    pub vault_id: VaultId,
    /// When the vault was created (RFC 3339 UTC, SPEC.md §2.5).
    pub created: String,
    /// Argon2id parameters of both codes.
    pub kdf: KdfParams,
    /// The PIN identity's recipient: PINs are sealed to it (SPEC.md §10).
    #[serde(with = "recipient_serde")]
    pub pin_recipient: Recipient,
}

/// Why `vault.json` was rejected (SPEC.md §5.3).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderError {
    /// Larger than [`MAX_HEADER_BYTES`].
    #[error("vault.json is too large")]
    TooLarge,
    /// Not JSON, or a member is missing, duplicated, or of the wrong type.
    #[error("vault.json is malformed: {0}")]
    Malformed(String),
    /// `format` is not `certvault-vault`: some other JSON file.
    #[error("vault.json is not a certvault vault header")]
    NotAVault,
    /// Written by a newer certvault.
    #[error(
        "this vault uses format version {found}, but this program reads version {supported}; update certvault"
    )]
    UnsupportedVersion {
        /// The version in the file.
        found: u64,
        /// The version this crate reads.
        supported: u32,
    },
    /// A member has a value outside its grammar (for example a timestamp).
    #[error("vault.json: invalid value for \"{field}\"")]
    InvalidField {
        /// The JSON member name.
        field: &'static str,
    },
    /// The Argon2id parameters are outside the reader limits (SPEC.md §4.2).
    #[error("vault.json: {0}")]
    Kdf(#[from] KdfError),
}

/// The members read before anything else, to classify the file (SPEC.md §5.3 steps 2-4).
/// Values are kept as JSON so that a member of the wrong type is classified by the
/// outcome table of SPEC.md §12.1, not by the order serde happens to read members in.
#[derive(Deserialize)]
pub(crate) struct VersionPeek {
    pub(crate) format: Option<serde_json::Value>,
    pub(crate) format_version: Option<serde_json::Value>,
}

/// Any JSON value, read only to refuse an object with two members of the same name at any
/// depth (SPEC.md §2.4); serde alone notices duplicates only among the members it knows.
struct NoDuplicates;

impl<'de> Deserialize<'de> for NoDuplicates {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoDuplicatesVisitor)
    }
}

struct NoDuplicatesVisitor;

impl<'de> serde::de::Visitor<'de> for NoDuplicatesVisitor {
    type Value = NoDuplicates;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_i64<E>(self, _: i64) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_u64<E>(self, _: u64) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_f64<E>(self, _: f64) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_str<E>(self, _: &str) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_unit<E>(self) -> Result<NoDuplicates, E> {
        Ok(NoDuplicates)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<NoDuplicates, A::Error> {
        while seq.next_element::<NoDuplicates>()?.is_some() {}
        Ok(NoDuplicates)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<NoDuplicates, A::Error> {
        let mut seen = std::collections::BTreeSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!("member {key:?} appears twice")));
            }
            map.next_value::<NoDuplicates>()?;
        }
        Ok(NoDuplicates)
    }
}

/// Parses JSON text into an object, refusing duplicated member names at every depth
/// (SPEC.md §2.4). The error is for a *malformed* report.
pub(crate) fn parse_object(bytes: &[u8]) -> Result<serde_json::Value, String> {
    serde_json::from_slice::<NoDuplicates>(bytes).map_err(|e| e.to_string())?;
    let raw: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    if raw.is_object() { Ok(raw) } else { Err("not a JSON object".into()) }
}

/// How `format_version` failed (SPEC.md §2.3, §12.1).
pub(crate) enum VersionFault {
    /// Absent, or not a JSON integer (`1.0`, `1e0`, `"1"`): *malformed*.
    Malformed,
    /// An integer below 1: *invalid field*.
    Invalid,
    /// An integer above [`FORMAT_VERSION`]: *unsupported version*.
    Newer(u64),
}

/// Values of the right JSON type outside their grammar, found before the typed parse so that
/// they are *invalid field* / *KDF unsupported* rather than *malformed* (SPEC.md §12.1).
pub(crate) enum GrammarFault {
    /// The member named.
    Field(&'static str),
    /// A KDF `algorithm` other than `"argon2id"`.
    KdfUnsupported,
}

/// Checks the string members both files share, on the raw JSON: `vault_id` (32 lower-case hex
/// digits), `pin_recipient` (an age X25519 recipient) and each `kdf.*.algorithm`.
pub(crate) fn check_shared_grammar(v: &serde_json::Value) -> Result<(), GrammarFault> {
    if let Some(id) = v.get("vault_id").and_then(|x| x.as_str()) {
        if !crate::hex::is_lower_hex_len(id, 32) {
            return Err(GrammarFault::Field("vault_id"));
        }
    }
    if let Some(r) = v.get("pin_recipient").and_then(|x| x.as_str()) {
        if r.parse::<Recipient>().is_err() {
            return Err(GrammarFault::Field("pin_recipient"));
        }
    }
    for kind in ["recovery", "pin_code"] {
        if let Some(a) = v.get("kdf").and_then(|k| k.get(kind)).and_then(|p| p.get("algorithm")) {
            if a.as_str().is_some_and(|a| a != "argon2id") {
                return Err(GrammarFault::KdfUnsupported);
            }
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct HeaderOut<'a> {
    format: &'static str,
    format_version: u32,
    #[serde(flatten)]
    header: &'a VaultHeader,
}

/// Checks `format_version` as both files do (SPEC.md §2.3): a JSON integer (no fraction, no
/// exponent) equal to [`FORMAT_VERSION`].
pub(crate) fn check_version(found: Option<&serde_json::Value>) -> Result<(), VersionFault> {
    let Some(serde_json::Value::Number(n)) = found else {
        return Err(VersionFault::Malformed);
    };
    if let Some(v) = n.as_u64() {
        if v == u64::from(FORMAT_VERSION) {
            Ok(())
        } else if v > u64::from(FORMAT_VERSION) {
            Err(VersionFault::Newer(v))
        } else {
            Err(VersionFault::Invalid)
        }
    } else if n.is_i64() {
        Err(VersionFault::Invalid)
    } else {
        Err(VersionFault::Malformed)
    }
}

impl VaultHeader {
    /// Serialises as pretty-printed JSON with a final newline (SPEC.md §5.1).
    pub fn to_json(&self) -> Vec<u8> {
        let out = HeaderOut { format: FORMAT_NAME, format_version: FORMAT_VERSION, header: self };
        // Serialising plain structs of strings and integers to a Vec cannot fail.
        let mut v = serde_json::to_vec_pretty(&out).unwrap_or_default();
        v.push(b'\n');
        v
    }

    /// Parses and validates `vault.json` (SPEC.md §5.3).
    pub fn from_json(bytes: &[u8]) -> Result<VaultHeader, HeaderError> {
        if bytes.len() > MAX_HEADER_BYTES {
            return Err(HeaderError::TooLarge);
        }
        let raw = crate::header::parse_object(bytes).map_err(HeaderError::Malformed)?;
        let peek: VersionPeek =
            serde_json::from_slice(bytes).map_err(|e| HeaderError::Malformed(e.to_string()))?;
        if peek.format.as_ref().and_then(|f| f.as_str()) != Some(FORMAT_NAME) {
            return Err(HeaderError::NotAVault);
        }
        match check_version(peek.format_version.as_ref()) {
            Ok(()) => {}
            Err(VersionFault::Newer(found)) => {
                return Err(HeaderError::UnsupportedVersion { found, supported: FORMAT_VERSION });
            }
            Err(VersionFault::Invalid) => return Err(HeaderError::InvalidField { field: "format_version" }),
            Err(VersionFault::Malformed) => {
                return Err(HeaderError::Malformed("format_version is not an integer".into()));
            }
        }
        match check_shared_grammar(&raw) {
            Ok(()) => {}
            Err(GrammarFault::Field(field)) => return Err(HeaderError::InvalidField { field }),
            Err(GrammarFault::KdfUnsupported) => return Err(HeaderError::Kdf(KdfError::Unsupported)),
        }
        let header: VaultHeader =
            serde_json::from_slice(bytes).map_err(|e| HeaderError::Malformed(e.to_string()))?;
        header.validate()?;
        Ok(header)
    }

    /// Checks value grammars and KDF limits (SPEC.md §5.3 steps 5-6).
    pub fn validate(&self) -> Result<(), HeaderError> {
        if !crate::time::is_valid_timestamp(&self.created) {
            return Err(HeaderError::InvalidField { field: "created" });
        }
        self.kdf.validate()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kdf::Argon2Params;

    fn sample() -> VaultHeader {
        VaultHeader {
            vault_id: VaultId::from_bytes([0xab; 16]),
            created: "2025-04-01T09:00:00Z".into(),
            kdf: KdfParams::both(Argon2Params::DEFAULT),
            pin_recipient: age::x25519::Identity::generate().to_public(),
        }
    }

    #[test]
    fn round_trip() {
        let h = sample();
        let j = h.to_json();
        let s = std::str::from_utf8(&j).unwrap();
        assert!(s.starts_with("{\n  \"format\": \"certvault-vault\",\n  \"format_version\": 1,"));
        assert_eq!(VaultHeader::from_json(&j).unwrap(), h);
    }

    #[test]
    fn rejections() {
        let h = sample();
        let mut v: serde_json::Value = serde_json::from_slice(&h.to_json()).unwrap();
        v["format_version"] = 2.into();
        assert_eq!(
            VaultHeader::from_json(v.to_string().as_bytes()),
            Err(HeaderError::UnsupportedVersion { found: 2, supported: 1 })
        );
        v["format_version"] = 1.into();
        v["unknown_member"] = "ignored".into();
        assert!(VaultHeader::from_json(v.to_string().as_bytes()).is_ok());
        v["format"] = "something-else".into();
        assert_eq!(VaultHeader::from_json(v.to_string().as_bytes()), Err(HeaderError::NotAVault));
        v["format"] = FORMAT_NAME.into();
        v["kdf"]["recovery"]["m_cost"] = (2 * 1024 * 1024).into();
        assert!(matches!(
            VaultHeader::from_json(v.to_string().as_bytes()),
            Err(HeaderError::Kdf(KdfError::OutOfRange { .. }))
        ));
        let dup = String::from_utf8(h.to_json()).unwrap().replacen(
            "\"created\"",
            "\"created\": \"2025-01-01T00:00:00Z\",\n  \"created\"",
            1,
        );
        assert!(matches!(VaultHeader::from_json(dup.as_bytes()), Err(HeaderError::Malformed(_))));
        assert!(matches!(VaultHeader::from_json(b"[1,2]"), Err(HeaderError::Malformed(_))));
    }
}
